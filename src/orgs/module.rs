//! What the organizations domain plugs into the application (see [`crate::module`]).

use axum::Router;
use axum::routing::{get, post};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{api, entity as org, store, terms, web};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::module::{BoxFuture, Module};
use crate::state::AppState;
use crate::ui::NavEntry;
use crate::ui::blocks::{Figure, Todo};

pub fn module() -> Module {
    Module {
        web: web_routes,
        api: api_routes,
        api_tags: &[("orgs", "党组织：列表、详情、新建、更名与调整隶属、届期与换届、委员会、撤销与合并")],
        nav: &[
            NavEntry {
                group: "组织建设", label: "党组织", href: "/orgs", visible: |a| a.can(Permission::OrgRead)
            },
            NavEntry {
                group: "组织建设",
                label: "单位名单",
                href: "/orgs/units",
                visible: |a| a.can(Permission::OrgWrite),
            },
        ],
        actions: &[
            ("org.create", "新建党组织"),
            ("org.rename", "党组织更名"),
            ("org.move", "调整党组织隶属"),
            ("org.term", "登记届期与换届"),
            ("org.dissolve", "撤销党组织"),
            ("org.merge", "合并党组织"),
            ("unit.create", "添加单位"),
            ("unit.update", "修改单位"),
        ],
        permissions: &[Permission::OrgRead, Permission::OrgWrite],
        todos: &[todos],
        figures: &[figures],
        org_path_columns: super::units::ORG_PATH_COLUMNS,
        ..Module::empty("orgs")
    }
}

fn web_routes() -> Router<AppState> {
    Router::new()
        .route("/orgs", get(web::list).post(web::create))
        .route("/orgs/new", get(web::new_form))
        .route("/orgs/options", get(web::options))
        .route("/orgs/export.xlsx", get(web::export))
        .route("/orgs/units", get(super::units::web::list).post(super::units::web::create))
        .route("/orgs/units/{id}", post(super::units::web::update))
        .route("/orgs/units/options", get(super::units::web::options))
        .route("/orgs/{id}/rename", post(web::rename))
        .route("/orgs/{id}/move", post(web::move_to))
        .route("/orgs/{id}/term", post(web::term))
        .route("/orgs/{id}/dissolve", post(web::dissolve))
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::dissolve))
        .routes(routes!(super::units::api::list, super::units::api::create))
        .routes(routes!(super::units::api::update))
        .routes(routes!(super::units::api::placement))
}

fn todos<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>> {
    Box::pin(terms::todos(state, actor))
}

fn figures<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Figure>>> {
    Box::pin(async move {
        if !actor.can(Permission::OrgRead) {
            return Ok(Vec::new());
        }
        let orgs = org::Entity::find()
            .filter(store::in_scope(org::Column::Path, &actor.scope(Permission::OrgRead)))
            .filter(org::Column::DissolvedAt.is_null())
            .count(&state.db)
            .await?;
        Ok(vec![Figure { label: "党组织", value: orgs.to_string(), href: "/orgs".into() }])
    })
}
