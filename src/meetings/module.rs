//! What 组织生活 plugs into the application (see [`crate::module`]).

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{api, compliance, outputs, web, web_rules, workflow};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::module::{BoxFuture, Module, OrgLife, ProfilePart};
use crate::state::AppState;
use crate::ui::NavEntry;
use crate::ui::blocks::Todo;

pub fn module() -> Module {
    Module {
        web: web_routes,
        api: api_routes,
        api_tags: &[("meetings", "组织生活：三会一课、主题党日、组织生活会、民主评议、谈心谈话的记录、审阅和落实情况")],
        nav: &[
            NavEntry {
                group: "组织建设",
                label: "组织生活",
                href: "/meetings",
                visible: |a| a.can(Permission::PersonRead),
            },
            NavEntry {
                group: "组织建设",
                label: "组织生活落实情况",
                href: "/meetings/compliance",
                visible: |a| a.can(Permission::OrgRead) && a.can(Permission::PersonRead),
            },
            NavEntry {
                group: "组织建设",
                label: "会议类型与频次规则",
                href: "/meetings/types",
                visible: |a| a.can(Permission::OrgWrite),
            },
        ],
        actions: &[
            ("meeting.create", "登记组织生活"),
            ("meeting.update", "修改组织生活记录"),
            ("meeting.version", "组织生活记录新版本"),
            ("meeting.submit", "提交组织生活记录"),
            ("meeting.review", "审阅组织生活记录"),
            ("meeting.archive", "归档组织生活记录"),
            ("meeting.followup", "民主评议不合格的组织处置"),
            ("meeting.type", "修改会议类型及频次规则"),
        ],
        permissions: &[Permission::PersonRead, Permission::PersonWrite, Permission::OrgRead],
        todos: &[workflow_todos, compliance_todos],
        org_path_columns: super::ORG_PATH_COLUMNS,
        profile: Some(ProfilePart {
            sections: outputs::sections,
            fields: &[],
            reveal: crate::module::nothing_to_reveal,
            panel: None,
        }),
        org_life: Some(OrgLife { last_attended: outputs::last_attended, absent_since: outputs::absent_since }),
        ..Module::empty("meetings")
    }
}

fn web_routes() -> Router<AppState> {
    Router::new()
        .route("/meetings", get(web::list).post(web::create))
        .route("/meetings/new", get(web::new))
        .route("/meetings/compliance", get(web::compliance_page))
        .route("/meetings/compliance.xlsx", get(web::compliance_xlsx))
        .route("/meetings/calendar", get(web::calendar))
        .route("/meetings/types", get(web_rules::types_page))
        .route("/meetings/talk-options", get(web_rules::talk_options))
        .route("/meetings/types/{id}", post(web_rules::type_update))
        .route("/meetings/{id}", get(web::view).post(web::update))
        .route("/meetings/{id}/edit", get(web::edit))
        .route("/meetings/{id}/submit", post(web::submit))
        .route("/meetings/{id}/review", post(web::review))
        .route("/meetings/{id}/archive", post(web::archive))
        .route("/meetings/{id}/print", get(web::print))
        .route("/meetings/{id}/compare", get(web::compare))
        .route("/meetings/{id}/docx", get(web::docx))
        .route("/meetings/followups/{id}/close", post(web::close_followup))
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::types))
        .routes(routes!(api::update_type))
        .routes(routes!(api::expected))
        .routes(routes!(api::compliance_table))
        .routes(routes!(api::get, api::update))
        .routes(routes!(api::submit))
        .routes(routes!(api::review))
        .routes(routes!(api::archive))
        .routes(routes!(api::docx))
}

fn workflow_todos<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>> {
    Box::pin(workflow::todos(state, actor))
}

fn compliance_todos<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>> {
    Box::pin(compliance::todos(state, actor))
}
