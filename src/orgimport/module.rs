//! What the organization import plugs into the application (see [`crate::module`]).

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::web;
use crate::auth::Permission;
use crate::module::Module;
use crate::state::AppState;

pub fn module() -> Module {
    Module {
        web: web_routes,
        api: api_routes,
        actions: &[("org.import", "导入组织树")],
        permissions: &[Permission::OrgWrite],
        ..Module::empty("orgimport")
    }
}

fn web_routes() -> Router<AppState> {
    Router::new()
        .route("/orgs/import", get(web::page).post(web::upload))
        .route("/orgs/import/template.xlsx", get(web::template))
        .route("/orgs/import/{id}/commit", post(web::confirm))
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(web::api))
}
