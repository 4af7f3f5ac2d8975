//! The letter of a transfer out of the bureau, as a Word download (also the API's handler).

use axum::extract::State;
use axum::response::Response;

use crate::auth::Actor;
use crate::error::AppResult;
use crate::party::letter;
use crate::state::AppState;
use crate::ui::params::IdPath;

pub async fn letter(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    let (name, bytes) = letter::letter(&state, &actor, id).await?;
    Ok(letter::download(&name, bytes))
}
