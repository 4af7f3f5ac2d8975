//! What the risk domain plugs into the application (see [`crate::module`]).

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{api, screenings, stats, web};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::module::{BoxFuture, Module};
use crate::state::AppState;
use crate::ui::NavEntry;
use crate::ui::blocks::Todo;

pub fn module() -> Module {
    Module {
        web: web_routes,
        api: api_routes,
        api_tags: &[(
            "risk",
            "队伍隐患排查：20类人员类别、排查活动、风险提示、可解释的预警；属于纪律与风险类敏感信息，读取记审计",
        )],
        nav: &[
            NavEntry {
                group: "队伍管理",
                label: "风险提示",
                href: "/risk",
                visible: |a| a.can(Permission::DisciplineRiskRead),
            },
            NavEntry {
                group: "队伍管理",
                label: "隐患排查活动",
                href: "/risk/screenings",
                visible: |a| a.can(Permission::DisciplineRiskRead),
            },
            NavEntry {
                group: "队伍管理",
                label: "预警审看",
                href: "/risk/warnings",
                visible: |a| a.can(Permission::DisciplineWrite),
            },
            NavEntry {
                group: "队伍管理",
                label: "隐患排查统计",
                href: "/risk/stats",
                visible: |a| a.can(Permission::DashboardRead),
            },
        ],
        actions: &[
            ("risk.category", "修改风险人员类别"),
            ("risk.screening", "发起隐患排查"),
            ("risk.screening_confirm", "支部确认完成排查"),
            ("risk.flag_create", "登记风险提示"),
            ("risk.flag_step", "跟进风险提示"),
            ("risk.rule", "修改预警规则"),
            ("risk.warning_decide", "记录预警审看决定"),
            ("risk.export", "导出隐患排查统计"),
        ],
        permissions: &[Permission::DisciplineRiskRead, Permission::DisciplineWrite, Permission::DashboardRead],
        todos: &[screening_todos, flag_todos],
        org_path_columns: super::ORG_PATH_COLUMNS,
        ..Module::empty("risk")
    }
}

fn screening_todos<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>> {
    Box::pin(screenings::todos(state, actor))
}

fn flag_todos<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>> {
    Box::pin(async move {
        let mut out = stats::red_todo(state, actor).await?;
        out.extend(stats::review_todo(state, actor).await?);
        Ok(out)
    })
}

fn web_routes() -> Router<AppState> {
    Router::new()
        .route("/risk", get(web::list).post(web::create))
        .route("/risk/new", get(web::new))
        .route("/risk/flags/{id}", get(web::detail))
        .route("/risk/flags/{id}/steps", post(web::step))
        .route("/risk/screenings", get(web::screenings).post(web::launch))
        .route("/risk/screenings/{id}", get(web::screening))
        .route("/risk/screenings/{id}/branches/{org_id}/confirm", post(web::confirm))
        .route("/risk/warnings", get(web::warnings))
        .route("/risk/warnings/decide", post(web::decide))
        .route("/risk/categories", get(web::categories).post(web::add_category))
        .route("/risk/categories/{id}", post(web::change_category))
        .route("/risk/stats", get(web::stats))
        .route("/risk/stats/export.xlsx", get(web::export))
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list_categories, api::create_category))
        .routes(routes!(api::update_category, api::delete_category))
        .routes(routes!(api::list_screenings, api::create_screening))
        .routes(routes!(api::get_screening))
        .routes(routes!(api::confirm_branch))
        .routes(routes!(api::list_flags, api::create_flag))
        .routes(routes!(api::get_stats))
        .routes(routes!(api::get_flag))
        .routes(routes!(api::add_step))
        .routes(routes!(api::list_warnings))
        .routes(routes!(api::decide))
        .routes(routes!(api::list_rules))
        .routes(routes!(api::update_rule))
}
