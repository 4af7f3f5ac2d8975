//! What the membership and dues domain plugs into the application (see [`crate::module`]).

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{api, dues, service, web};
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
        api_tags: &[
            ("membership", "党员与组织关系：登记入党、转正、组织关系转接、介绍信"),
            ("dues", "党费：基数、台账、交纳"),
        ],
        nav: &[
            NavEntry {
                group: "组织建设",
                label: "组织关系转接",
                href: "/party/transfers",
                visible: |a| a.can(Permission::PersonWrite),
            },
            NavEntry {
                group: "组织建设",
                label: "党费",
                href: "/party/dues",
                visible: |a| a.can(Permission::PersonRead),
            },
        ],
        actions: &[
            ("party.register", "登记入党"),
            ("party.full", "办理转正"),
            ("transfer.request", "申请组织关系转接"),
            ("transfer.accept", "接收组织关系"),
            ("transfer.reject", "退回组织关系转接"),
            ("dues.base", "登记党费基数"),
            ("dues.pay", "登记党费交纳"),
            ("dues.export", "导出党费台账"),
            ("dues.cancel", "撤销党费交纳登记"),
        ],
        permissions: &[Permission::PersonRead, Permission::PersonWrite, Permission::IdentityRead],
        todos: &[membership_todos, dues_todos],
        org_path_columns: super::ORG_PATH_COLUMNS,
        profile: Some(super::profile::part()),
        ..Module::empty("party")
    }
}

fn web_routes() -> Router<AppState> {
    Router::new()
        .route("/people/{id}/party/register", post(web::register))
        .route("/people/{id}/party/full", post(web::full))
        .route("/people/{id}/party/transfer", get(web::transfer_form).post(web::transfer))
        .route("/people/{id}/party/dues-base", post(web::dues_base))
        .route("/party/dues", get(web::dues))
        .route("/party/dues/export.xlsx", get(web::dues_export))
        .route("/party/dues/pay", post(web::dues_pay))
        .route("/party/dues/cancel", get(web::cancel_payment_form).post(web::cancel_payment))
        .route("/party/transfers", get(web::transfers))
        .route("/party/transfers/{id}/accept", post(web::accept))
        .route("/party/transfers/{id}/letter.docx", get(web::letter))
        .route("/party/transfers/{id}/reject", post(web::reject))
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::register))
        .routes(routes!(api::full))
        .routes(routes!(api::request_transfer))
        .routes(routes!(api::dues_base))
        .routes(routes!(api::dues_ledger))
        .routes(routes!(api::dues_pay))
        .routes(routes!(api::dues_cancel))
        .routes(routes!(api::list))
        .routes(routes!(api::accept))
        .routes(routes!(api::letter))
        .routes(routes!(api::reject))
}

fn membership_todos<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>> {
    Box::pin(service::todos(state, actor))
}

fn dues_todos<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>> {
    Box::pin(dues::todos(state, actor))
}
