//! What the family domain plugs into the application (see [`crate::module`]).

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{api, service, web};
use crate::auth::{Actor, Permission, SensitiveClass};
use crate::error::AppResult;
use crate::module::{BoxFuture, Module, PanelContext, ProfilePart};
use crate::state::AppState;
use crate::ui::blocks::{Row, Section, SensitiveField, Subject};

pub const FAMILY: SensitiveField =
    SensitiveField { code: "family_members", label: "家庭成员", class: SensitiveClass::FamilyCare };

pub fn module() -> Module {
    Module {
        web: web_routes,
        api: api_routes,
        api_tags: &[("family", "家庭成员：属于家庭与关爱类敏感信息，读取记审计")],
        actions: &[
            ("family.create", "登记家庭成员"),
            ("family.update", "修改家庭成员"),
            ("family.delete", "删除家庭成员"),
        ],
        permissions: &[Permission::FamilyCareRead, Permission::PersonWrite],
        profile: Some(ProfilePart { sections, fields: &[FAMILY], reveal, panel: Some(panel) }),
        ..Module::empty("family")
    }
}

fn web_routes() -> Router<AppState> {
    Router::new()
        .route("/people/{id}/family", get(web::page).post(web::create))
        .route("/family/{id}", post(web::update))
        .route("/family/{id}/delete", post(web::delete))
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::list, api::create)).routes(routes!(api::update, api::delete))
}

/// The profile shows how many family members are registered; the members themselves are
/// revealed on request.
fn sections<'a>(state: &'a AppState, _actor: &'a Actor, s: &'a Subject) -> BoxFuture<'a, AppResult<Vec<Section>>> {
    Box::pin(async move {
        let n = service::count(&state.db, s.id).await?;
        let shown = if n == 0 { "未登记".to_owned() } else { format!("已登记 {n} 人") };
        Ok(vec![Section {
            id: "family", title: "家庭成员", sensitive: true, rows: vec![Row::masked(&FAMILY, shown)]
        }])
    })
}

fn reveal<'a>(
    state: &'a AppState,
    s: &'a Subject,
    fields: &'a [&'static str],
) -> BoxFuture<'a, AppResult<Vec<(&'static str, String)>>> {
    Box::pin(async move {
        if !fields.contains(&FAMILY.code) {
            return Ok(Vec::new());
        }
        let lines: Vec<String> = service::of(&state.db, s.id).await?.iter().map(service::Member::line).collect();
        Ok(vec![(FAMILY.code, if lines.is_empty() { "未登记".to_owned() } else { lines.join("\n") })])
    })
}

/// A link to the family page for whoever may change the family.
fn panel<'a>(
    _state: &'a AppState,
    actor: &'a Actor,
    s: &'a Subject,
    _context: &'a PanelContext,
) -> BoxFuture<'a, AppResult<Option<String>>> {
    Box::pin(async move {
        Ok(service::may_change(actor, s).then(|| {
            format!(
                "<section class=\"card narrow\" id=\"family-panel\"><h2>家庭成员</h2>\
                 <p>登记和修改家庭成员（打开即查阅，记入审计日志）。</p>\
                 <a class=\"button\" href=\"/people/{}/family\">维护家庭成员</a></section>",
                s.id
            )
        }))
    })
}
