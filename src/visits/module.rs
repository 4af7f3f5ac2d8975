//! What the visits domain plugs into the application (see [`crate::module`]).

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{api, profile, store, tasks, web, web_more, web_settings};
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
            "visits",
            "家访与人文关怀：全员访、十必访、重要节点联合访、线上访，五知（家庭与关爱类敏感信息，经档案的查看读取并记审计）、关怀事项、覆盖情况",
        )],
        nav: &[
            NavEntry {
                group: "队伍管理",
                label: "家访与关怀",
                href: "/visits",
                visible: |a| a.can(Permission::PersonRead),
            },
            NavEntry {
                group: "队伍管理",
                label: "家访覆盖情况",
                href: "/visits/coverage",
                visible: |a| a.can(Permission::PersonRead),
            },
            NavEntry {
                group: "队伍管理",
                label: "家访设置",
                href: "/visits/settings",
                visible: |a| a.can(Permission::OrgWrite),
            },
            NavEntry {
                group: "系统管理",
                label: "十必访情形",
                href: "/visits/situations",
                visible: |a| a.can(Permission::DictionaryManage),
            },
        ],
        actions: &[
            ("visit.create", "记录家访"),
            ("visit.task_raise", "登记必访情形"),
            ("visit.situation", "修改十必访情形"),
            ("visit.situation_add", "新增十必访情形"),
            ("visit.campaign", "建立联合访活动"),
            ("visit.settings", "修改家访设置（全员访周期）"),
            ("visit.followup_done", "后续措施完成"),
            ("care.create", "登记关怀事项"),
            ("care.close", "办结关怀事项"),
        ],
        permissions: &[
            Permission::PersonRead,
            Permission::PersonWrite,
            Permission::FamilyCareRead,
            Permission::OrgWrite,
            Permission::DictionaryManage,
        ],
        todos: &[task_todos],
        org_path_columns: super::ORG_PATH_COLUMNS,
        profile: Some(profile::part()),
        situations: Some(store::on_situation),
        sanction_listeners: &[store::on_sanction],
        ..Module::empty("visits")
    }
}

fn task_todos<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>> {
    Box::pin(tasks::todos(state, actor))
}

fn web_routes() -> Router<AppState> {
    Router::new()
        .route("/visits", get(web::list))
        .route("/visits/options", get(web::options))
        .route("/visits/tasks", get(web_more::tasks_page))
        .route("/visits/coverage", get(web_more::coverage_page))
        .route("/visits/coverage/export.xlsx", get(web_more::coverage_export))
        .route("/visits/campaigns", get(web_more::campaigns_page).post(web_more::campaign_create))
        .route("/visits/campaigns/{id}", get(web_more::campaign_detail))
        .route("/visits/situations", get(web_more::situations_page).post(web_more::situation_create))
        .route("/visits/settings", get(web_settings::settings_page).post(web_settings::settings_update))
        .route("/visits/situations/{id}", post(web_more::situation_update))
        .route("/visits/followups/{id}/done", post(web::followup_done))
        .route("/visits/{id}", get(web::detail))
        .route("/visits/{id}/reveal", post(web::reveal))
        .route("/people/{id}/visits/new", get(web::new_form))
        .route("/people/{id}/visits", post(web::create))
        .route("/people/{id}/visits/raise", post(web::raise))
        .route("/people/{id}/five-knowns", get(web::five))
        .route("/care-items", get(web_more::care_list))
        .route("/care-items/{id}", get(web_more::care_detail))
        .route("/care-items/{id}/close", post(web_more::care_close))
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::get))
        .routes(routes!(api::coverage))
        .routes(routes!(api::list_tasks, api::raise_task))
        .routes(routes!(api::list_care, api::create_care))
        .routes(routes!(api::get_care))
        .routes(routes!(api::close_care))
        .routes(routes!(api::complete_followup))
        .routes(routes!(api::list_situations, api::create_situation))
        .routes(routes!(api::get_settings, api::update_settings))
        .routes(routes!(api::update_situation))
        .routes(routes!(api::list_campaigns, api::create_campaign))
        .routes(routes!(api::get_campaign))
}
