//! JSON API of organizations: `/api/v1/orgs`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::service::{self, OrgFilter, OrgInput, OrgPatch};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::{IdPath, Params};

type ListQuery = crate::ui::ListParams<OrgFilter>;

pub async fn list(State(state): State<AppState>, actor: Actor, Params(q): Params<ListQuery>) -> AppResult<Json<Value>> {
    let (items, total) = service::list(&state, &actor, &q.filter, q.page).await?;
    Ok(Json(json!({"items": items, "total": total})))
}

pub async fn get(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Json<Value>> {
    Ok(Json(json!(service::get(&state, &actor, id).await?)))
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<OrgInput>,
) -> AppResult<Response> {
    let created = service::create(&state, &actor, input).await?;
    Ok((StatusCode::CREATED, Json(json!(created))).into_response())
}

/// `PATCH /api/v1/orgs/{id}`: any of `name`, `unit_name` (rename) and `parent_id` (move), in
/// one transaction.
pub async fn patch(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(patch): ApiJson<OrgPatch>,
) -> AppResult<Json<Value>> {
    service::update(&state, &actor, id, patch).await?;
    Ok(Json(json!(service::get(&state, &actor, id).await?)))
}

pub async fn term(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<super::governance::TermInput>,
) -> AppResult<Json<Value>> {
    Ok(Json(json!(super::governance::set_term(&state, &actor, id, &input).await?)))
}

pub async fn committee_add(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<super::governance::CommitteeInput>,
) -> AppResult<StatusCode> {
    super::governance::add_committee(&state, &actor, id, &input).await?;
    Ok(StatusCode::CREATED)
}

pub async fn committee_remove(
    State(state): State<AppState>,
    actor: Actor,
    IdPath((id, member_id)): IdPath<(i32, i32)>,
) -> AppResult<StatusCode> {
    super::governance::remove_committee(&state, &actor, id, member_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn dissolve(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<super::governance::DissolveInput>,
) -> AppResult<StatusCode> {
    super::governance::dissolve(&state, &actor, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
