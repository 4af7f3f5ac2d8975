//! The profile page `/people/{id}` and its "查看" action `POST /people/{id}/reveal`.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Profile, Revealed};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::module::{BoxFuture, PanelContext};
use crate::people::service::HistoryRow;
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::form::Form;
use crate::ui::params::IdPath;
use crate::ui::{FieldErrors, Flash, Layout, render};

pub fn routes() -> Router<AppState> {
    Router::new().route("/people/{id}", get(page)).route("/people/{id}/reveal", post(reveal))
}

/// A row as the page shows it.
struct ShownRow {
    label: &'static str,
    value: String,
    /// The field code, when the value is sensitive.
    field: &'static str,
    /// `plain`, `masked` (the viewer may not reveal it), `revealable` or `revealed`.
    state: &'static str,
}

struct ShownSection {
    id: &'static str,
    title: &'static str,
    sensitive: bool,
    rows: Vec<ShownRow>,
    /// The section's revealable fields, comma-separated: one "查看本部分" for them all.
    reveal_all: String,
}

#[derive(Template)]
#[template(path = "profile/page.html")]
struct ProfilePage {
    layout: Layout,
    id: i32,
    name: String,
    subtitle: String,
    sections: Vec<ShownSection>,
    can_edit: bool,
    /// Each module's actions on the person, rendered by the module.
    panels: Vec<String>,
    history: Vec<HistoryRow>,
}

fn shown(profile: Profile, revealed: &[Revealed]) -> Vec<ShownSection> {
    profile
        .sections
        .into_iter()
        .map(|s| {
            let rows: Vec<ShownRow> = s
                .rows
                .into_iter()
                .map(|r| match r.field {
                    None => ShownRow { label: r.label, value: r.value, field: "", state: "plain" },
                    Some(code) => match revealed.iter().find(|v| v.field == code) {
                        Some(v) => ShownRow { label: r.label, value: v.value.clone(), field: code, state: "revealed" },
                        None if profile.revealable.iter().any(|f| f.code == code) => {
                            ShownRow { label: r.label, value: r.value, field: code, state: "revealable" }
                        }
                        None => ShownRow { label: r.label, value: r.value, field: code, state: "masked" },
                    },
                })
                .collect();
            let reveal_all: Vec<&str> = rows.iter().filter(|r| r.state == "revealable").map(|r| r.field).collect();
            ShownSection { id: s.id, title: s.title, sensitive: s.sensitive, rows, reveal_all: reveal_all.join(",") }
        })
        .collect()
}

async fn render_page(
    state: &AppState,
    actor: &Actor,
    id: i32,
    flash: Option<Flash>,
    errors: FieldErrors,
    revealed: &[Revealed],
) -> AppResult<Response> {
    let profile = super::open(state, actor, id).await?;
    let subject = profile.heading.subject.clone();
    // The page shows the history masked: opening it reveals nothing.
    let history =
        if subject.can_edit { crate::people::service::history(state, actor, id, false).await? } else { Vec::new() };
    let mut layout = Layout::new(actor, subject.name.clone(), "/people", flash);
    let context = PanelContext { csrf: layout.csrf.clone(), errors };
    let mut panels = Vec::new();
    for module in crate::app::modules() {
        if let Some(panel) = module.profile.as_ref().and_then(|p| p.panel) {
            let started = std::time::Instant::now();
            panels.extend(panel(state, actor, &subject, &context).await?);
            tracing::debug!(module = module.name, took_ms = started.elapsed().as_secs_f64() * 1000.0, "panel");
        }
    }
    if actor.can(Permission::PersonRead) {
        layout = layout.crumb("民辅警档案", Some("/people".into()));
    }
    let h = &profile.heading;
    let subtitle = format!("{} · {} · {}", h.kind, h.org_name, h.employment_status);
    let page = ProfilePage {
        layout: layout.crumb(subject.name.clone(), None),
        id,
        name: subject.name.clone(),
        subtitle,
        can_edit: subject.can_edit,
        sections: shown(profile, revealed),
        panels,
        history,
    };
    Ok(render(&page))
}

pub async fn page(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    render_page(&state, &actor, id, flash, FieldErrors::new(), &[]).await
}

/// Installed as [`crate::module::profile_page`] (by `app::install_modules`).
pub fn page_with_errors<'a>(
    state: &'a AppState,
    actor: &'a Actor,
    id: i32,
    errors: FieldErrors,
) -> BoxFuture<'a, AppResult<Response>> {
    Box::pin(async move {
        let page = render_page(state, actor, id, None, errors, &[]).await?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    })
}

#[derive(Deserialize)]
pub struct RevealForm {
    /// Field codes, comma-separated.
    #[serde(default)]
    fields: String,
}

/// "查看": the same page with the asked fields in full (never stored, never cached).
pub async fn reveal(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(form): Form<RevealForm>,
) -> AppResult<Response> {
    let fields: Vec<String> = form.fields.split(',').map(str::to_owned).collect();
    let revealed = super::reveal(&state, &actor, id, &fields).await?;
    render_page(&state, &actor, id, None, FieldErrors::new(), &revealed).await
}
