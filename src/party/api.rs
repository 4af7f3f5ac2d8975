//! JSON API of membership and transfers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::service::{self, JoinInput, TransferInput};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::IdPath;

pub async fn register(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<JoinInput>,
) -> AppResult<Response> {
    let m = service::register(&state, &actor, id, &input).await?;
    let body = json!({"person_id": m.person_id, "branch_id": m.branch_id, "joined_on": m.joined_on, "full_on": m.full_on, "status": m.status});
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Deserialize)]
pub struct FullRequest {
    full_on: String,
}

pub async fn full(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<FullRequest>,
) -> AppResult<Json<Value>> {
    let m = service::confirm_full(&state, &actor, id, &req.full_on).await?;
    Ok(Json(json!({"person_id": m.person_id, "full_on": m.full_on})))
}

pub async fn request_transfer(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<TransferInput>,
) -> AppResult<Response> {
    let t = service::request_transfer(&state, &actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": t.id, "status": t.status}))).into_response())
}

pub async fn list(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Value>> {
    let (incoming, outgoing) = service::list_transfers(&state, &actor).await?;
    Ok(Json(json!({"incoming": incoming, "outgoing": outgoing})))
}

pub async fn accept(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<StatusCode> {
    service::decide_transfer(&state, &actor, id, true, "").await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct RejectRequest {
    reason: String,
}

pub async fn reject(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<RejectRequest>,
) -> AppResult<StatusCode> {
    service::decide_transfer(&state, &actor, id, false, &req.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
