//! What the audit log plugs into the application (see [`crate::module`]). Its action list holds
//! the actions every module may write (refusals, sensitive reads) and the log's own.

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{api, web};
use crate::auth::Permission;
use crate::module::Module;
use crate::state::AppState;
use crate::ui::NavEntry;

pub fn module() -> Module {
    Module {
        web: web_routes,
        api: api_routes,
        api_tags: &[("audit", "审计日志：查询与校验哈希链（仅安全审计员）")],
        nav: &[NavEntry {
            group: "安全审计",
            label: "审计日志",
            href: "/audit",
            visible: |a| a.can(Permission::AuditRead),
        }],
        actions: &[
            ("access.denied", "越权访问被拒"),
            ("sensitive.read", "查阅敏感信息"),
            ("audit.query", "查询审计日志"),
            ("audit.export", "导出审计日志"),
            ("audit.verify", "校验审计链"),
            ("audit.tamper", "发现审计链被改动"),
            ("demo.seed", "生成演示数据"),
        ],
        permissions: &[Permission::AuditRead],
        ..Module::empty("audit")
    }
}

fn web_routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(web::list))
        .route("/audit/export.xlsx", get(web::export))
        .route("/audit/verify", post(web::verify))
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::list)).routes(routes!(api::verify))
}
