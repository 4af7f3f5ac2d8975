//! The profile panel's membership forms: register (登记入党) and confirm full membership (转正).

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::with_errors;
use crate::auth::Actor;
use crate::error::AppResult;
use crate::party::membership::{self, JoinInput};
use crate::state::AppState;
use crate::ui::Flash;
use crate::ui::form::Form;
use crate::ui::params::IdPath;

pub async fn register(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<JoinInput>,
) -> AppResult<Response> {
    match membership::register(&state, &actor, id, &input).await {
        Ok(_) => Ok(Flash::ok("已登记入党").redirect(&format!("/people/{id}#section-party"))),
        Err(err) => with_errors(&state, &actor, id, err).await,
    }
}

#[derive(Deserialize)]
pub struct FullForm {
    #[serde(default)]
    full_on: String,
}

pub async fn full(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(form): Form<FullForm>,
) -> AppResult<Response> {
    match membership::confirm_full(&state, &actor, id, &form.full_on).await {
        Ok(_) => Ok(Flash::ok("已办理转正").redirect(&format!("/people/{id}#section-party"))),
        Err(err) => with_errors(&state, &actor, id, err).await,
    }
}
