//! The 家访设置 page: the 全员访 cycle, changed by the bureau's party administrator.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::settings::{self, CYCLES, Settings, SettingsInput};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::form::Form;
use crate::ui::{FieldErrors, Flash, Layout, field_errors, render};

#[derive(Template)]
#[template(path = "visits/settings.html")]
struct SettingsPage {
    layout: Layout,
    s: Settings,
    cycles: &'static [(u32, &'static str)],
    errors: FieldErrors,
}

async fn page(state: &AppState, actor: &Actor, flash: Option<Flash>, errors: FieldErrors) -> AppResult<Response> {
    let s = settings::get(state, actor).await?;
    let layout = Layout::new(actor, "家访设置", "/visits/settings", flash).crumb("家访与关怀", Some("/visits".into()));
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&SettingsPage { layout, s, cycles: CYCLES, errors })).into_response())
}

pub async fn settings_page(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
) -> AppResult<Response> {
    page(&state, &actor, flash, FieldErrors::new()).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    cycle_months: String,
}

pub async fn settings_update(
    State(state): State<AppState>,
    actor: Actor,
    Form(f): Form<SettingsForm>,
) -> AppResult<Response> {
    let text = f.cycle_months.trim();
    // Not a number: 0, refused with the field's message.
    let input = SettingsInput { cycle_months: (!text.is_empty()).then(|| text.parse().unwrap_or(0)) };
    match settings::update(&state, &actor, &input).await {
        Ok(s) => Ok(Flash::ok(format!("已保存：全员访{}", s.cycle_label)).redirect("/visits/settings")),
        Err(err) => page(&state, &actor, None, field_errors(err)?).await,
    }
}
