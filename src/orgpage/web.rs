//! The organization's page `GET /orgs/{id}`; its forms post to the domains that own them
//! (`orgs`: rename, move, term, dissolve; `party`: committee), which show it again with their
//! errors through [`page_with_errors`].

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::OrgDetail;
use crate::auth::Actor;
use crate::error::AppResult;
use crate::module::BoxFuture;
use crate::orgs::OrgKind;
use crate::party::committees::POSTS;
use crate::state::AppState;
use crate::ui::blocks::Choice;
use crate::ui::flash::TakeFlash;
use crate::ui::params::IdPath;
use crate::ui::{FieldErrors, Flash, Layout, render};

pub fn routes() -> Router<AppState> {
    Router::new().route("/orgs/{id}", get(view))
}

#[derive(Template)]
#[template(path = "orgpage/view.html")]
struct ViewPage {
    layout: Layout,
    d: OrgDetail,
    child_kinds: Vec<Choice>,
    errors: FieldErrors,
    form_name: String,
    form_unit: String,
    posts: Vec<Choice>,
}

async fn view_page(state: &AppState, actor: &Actor, id: i32, flash: Option<Flash>) -> AppResult<ViewPage> {
    let d = super::detail(state, actor, id).await?;
    let mut layout = Layout::new(actor, d.org.name.clone(), "/orgs", flash).crumb("党组织", Some("/orgs".into()));
    for a in &d.ancestors {
        let href = (a.id != 0).then(|| format!("/orgs/{}", a.id));
        layout = layout.crumb(a.name.clone(), href);
    }
    layout = layout.crumb(d.org.name.clone(), None);
    let child_kinds = OrgKind::ALL
        .iter()
        .filter(|k| k.may_be_under(OrgKind::parse(&d.org.kind)))
        .map(|k| Choice { value: k.as_str().into(), label: k.as_str().into(), selected: false })
        .collect();
    Ok(ViewPage {
        posts: POSTS.iter().map(|p| Choice { value: (*p).into(), label: (*p).into(), selected: false }).collect(),
        form_name: d.org.name.clone(),
        form_unit: d.org.unit_name.clone().unwrap_or_default(),
        layout,
        d,
        child_kinds,
        errors: FieldErrors::new(),
    })
}

pub async fn view(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    Ok(render(&view_page(&state, &actor, id, flash).await?))
}

/// The page with a failed form's errors (422), and the text it sent back in the rename form's
/// fields; installed as `crate::module::org_page`.
pub fn page_with_errors<'a>(
    state: &'a AppState,
    actor: &'a Actor,
    id: i32,
    errors: FieldErrors,
    typed: Vec<(&'static str, String)>,
) -> BoxFuture<'a, AppResult<Response>> {
    Box::pin(async move {
        let mut page = view_page(state, actor, id, None).await?;
        page.errors = errors;
        for (field, text) in typed {
            match field {
                "name" => page.form_name = text,
                "unit_name" => page.form_unit = text,
                _ => {}
            }
        }
        Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
    })
}
