//! JSON API of organizations: `/api/v1/orgs`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::service::{self, OrgFilter, OrgInput, OrgPatch};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::PageParams;
use crate::ui::json::ApiJson;
use crate::ui::params::{IdPath, Params};

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(flatten)]
    filter: OrgFilter,
    #[serde(flatten)]
    page: PageParams,
}

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
