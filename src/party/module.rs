//! What the membership and dues domain plugs into the application (see [`crate::module`]).

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{api, committees, letter, membership, transfers, web};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::module::{BoxFuture, Module, TreeRules};
use crate::state::AppState;
use crate::ui::NavEntry;
use crate::ui::blocks::Todo;

pub fn module() -> Module {
    Module {
        web: web_routes,
        api: api_routes,
        api_tags: &[
            ("membership", "党员与组织关系：登记入党、转正、组织关系转接、介绍信及回执、从局外转入"),
            ("dues", "党费：基数、少交与免交、台账、交纳"),
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
                label: "党章第九条核查",
                href: "/party/lapse",
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
            ("party.extend", "延长预备期"),
            ("party.end", "党籍终止"),
            ("party.lapse_review", "党章第九条核查"),
            ("transfer.request", "申请组织关系转接"),
            ("transfer.accept", "接收组织关系"),
            ("transfer.reject", "退回组织关系转接"),
            ("transfer.letter", "开具组织关系介绍信"),
            ("transfer.receipt", "登记介绍信回执"),
            ("transfer.in", "从局外转入组织关系"),
            ("dues.base", "登记党费基数"),
            ("dues.pay", "登记党费交纳"),
            ("dues.export", "导出党费台账"),
            ("dues.cancel", "撤销党费交纳登记"),
            ("dues.relief", "登记少交或免交党费"),
            ("dues.relief_cancel", "撤销少交、免交登记"),
            ("org.committee_add", "增补委员"),
            ("org.committee_remove", "免去委员"),
            ("org.group_add", "编入党小组"),
            ("org.group_leader", "设定或取消党小组组长"),
            ("org.group_remove", "移出党小组"),
        ],
        permissions: &[Permission::PersonRead, Permission::PersonWrite, Permission::IdentityRead, Permission::OrgWrite],
        todos: &[membership_todos, transfer_todos, letter_todos, lapse_todos, incomplete_todos],
        org_path_columns: super::ORG_PATH_COLUMNS,
        profile: Some(super::profile::part()),
        roster: Some(super::roster::rules()),
        tree: Some(TreeRules { check: Some(transfers::tree_check), react: Some(committees::on_tree_change) }),
        ..Module::empty("party")
    }
}

fn web_routes() -> Router<AppState> {
    Router::new()
        .route("/people/{id}/party/register", post(web::membership::register))
        .route("/people/{id}/party/full", post(web::membership::full))
        .route("/people/{id}/party/extend", post(web::membership::extend))
        .route("/people/{id}/party/end", get(web::membership::end_form).post(web::membership::end))
        .route("/people/{id}/party/transfer", get(web::transfers::transfer_form).post(web::transfers::transfer))
        .route("/people/{id}/party/transfer-in", get(web::transfer_in::form).post(web::transfer_in::submit))
        .route("/people/{id}/party/dues-base", post(web::dues::dues_base))
        .route("/people/{id}/party/dues-relief", post(web::dues::add_relief))
        .route("/party/dues/reliefs/{id}/cancel", post(web::dues::cancel_relief))
        .route("/party/dues", get(web::dues::dues))
        .route("/party/dues/export.xlsx", get(web::dues::dues_export))
        .route("/party/dues/pay", post(web::dues::dues_pay))
        .route("/party/dues/cancel", get(web::dues::cancel_payment_form).post(web::dues::cancel_payment))
        .route("/party/transfers", get(web::transfers::transfers))
        .route("/party/transfers/{id}/accept", post(web::transfers::accept))
        .route("/party/transfers/{id}/letter.docx", get(web::letter::letter))
        .route("/party/transfers/{id}/letter", post(web::letter::issue))
        .route("/party/transfers/{id}/receipt", post(web::letter::receipt))
        .route("/party/transfers/{id}/reject", post(web::transfers::reject))
        .route("/party/options", get(web::committees::options))
        .route("/party/lapse", get(web::lapse::page))
        .route("/party/incomplete", get(web::incomplete::page))
        .route("/people/{id}/party/lapse-review", post(web::lapse::review))
        .route("/orgs/{id}/committee", post(web::committees::committee_add))
        .route("/orgs/{id}/committee/{member_id}/remove", post(web::committees::committee_remove))
        .route("/orgs/{id}/group-members", post(web::groups::place))
        .route("/orgs/{id}/group-members/{person_id}/remove", post(web::groups::remove))
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::membership::register))
        .routes(routes!(api::membership::full))
        .routes(routes!(api::membership::extend))
        .routes(routes!(api::membership::end))
        .routes(routes!(api::lapse::list))
        .routes(routes!(api::incomplete::list))
        .routes(routes!(api::lapse::review))
        .routes(routes!(api::transfer_in::transfer_in))
        .routes(routes!(api::transfers::request_transfer))
        .routes(routes!(api::dues::dues_base))
        .routes(routes!(api::dues::add_relief, api::dues::list_reliefs))
        .routes(routes!(api::dues::cancel_relief))
        .routes(routes!(api::dues::dues_ledger))
        .routes(routes!(api::dues::dues_pay))
        .routes(routes!(api::dues::dues_cancel))
        .routes(routes!(api::transfers::list))
        .routes(routes!(api::transfers::accept))
        .routes(routes!(api::letter::letter))
        .routes(routes!(api::letter::issue))
        .routes(routes!(api::letter::receipt))
        .routes(routes!(api::transfers::reject))
        .routes(routes!(api::committees::committee_add))
        .routes(routes!(api::committees::committee_remove))
        .routes(routes!(api::groups::list, api::groups::place))
        .routes(routes!(api::groups::remove))
}

fn membership_todos<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>> {
    Box::pin(membership::todos(state, actor))
}

fn transfer_todos<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>> {
    Box::pin(transfers::todos(state, actor))
}

fn letter_todos<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>> {
    Box::pin(letter::todos(state, actor))
}

fn incomplete_todos<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>> {
    Box::pin(super::incomplete::todos(state, actor))
}

fn lapse_todos<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>> {
    Box::pin(super::lapse::todos(state, actor))
}
