//! What the risk domain plugs into the application (see [`crate::module`]).

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{api, screenings, stats, web, web_rules};
use crate::auth::{Actor, Permission, SensitiveClass};
use crate::error::AppResult;
use crate::module::{BoxFuture, Module, PanelContext, ProfilePart};
use crate::state::AppState;
use crate::ui::NavEntry;
use crate::ui::blocks::{Row, Section, SensitiveField, Subject, Todo};

/// The person's risk flags on 一人一档: discipline-and-risk class, masked until revealed.
pub const FLAGS: SensitiveField =
    SensitiveField { code: "risk_flags", label: "风险提示", class: SensitiveClass::DisciplineRisk };

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
                visible: |a| a.can(Permission::DisciplineRiskRead) || a.can(Permission::DashboardRead),
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
        profile: Some(ProfilePart { sections, fields: &[FLAGS], reveal, panel: Some(panel) }),
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
        .route("/risk/warnings/rules", get(web_rules::rules))
        .route("/risk/warnings/rules/{id}", post(web_rules::save_rule))
        .route("/risk/options", get(web_rules::options))
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

/// The section is there for everyone with the same masked text (whether a person has flags is
/// itself sensitive); the flags are revealed on request by those the class allows, audited.
fn sections<'a>(_state: &'a AppState, _actor: &'a Actor, _s: &'a Subject) -> BoxFuture<'a, AppResult<Vec<Section>>> {
    Box::pin(async move {
        Ok(vec![Section {
            id: "risk",
            title: "风险提示",
            sensitive: true,
            rows: vec![Row::masked(&FLAGS, "（纪律与风险类信息，查看后显示）")],
        }])
    })
}

/// Every flag of the person, newest first, one line each (the facts stay on the flag's page).
fn reveal<'a>(
    state: &'a AppState,
    s: &'a Subject,
    fields: &'a [&'static str],
) -> BoxFuture<'a, AppResult<Vec<(&'static str, String)>>> {
    Box::pin(async move {
        if !fields.contains(&FLAGS.code) {
            return Ok(Vec::new());
        }
        let lines = super::store::flag_lines(&state.db, s.id).await?;
        Ok(vec![(FLAGS.code, if lines.is_empty() { "无风险提示".to_owned() } else { lines.join("\n") })])
    })
}

/// For those who work this person's flags: the way to the flags and to open one.
fn panel<'a>(
    _state: &'a AppState,
    actor: &'a Actor,
    s: &'a Subject,
    _context: &'a PanelContext,
) -> BoxFuture<'a, AppResult<Option<String>>> {
    Box::pin(async move {
        let works = actor.scope(Permission::DisciplineRiskRead).contains(&s.org_path);
        Ok(works.then(|| {
            format!(
                "<section class=\"card narrow\" id=\"risk-panel\"><h2>风险提示</h2>\
                 <p>风险提示属于纪律与风险类敏感信息，查看记入审计日志。</p>\
                 <a class=\"button primary\" href=\"/risk/new?person_id={id}\">登记风险提示</a></section>",
                id = s.id
            )
        }))
    })
}
