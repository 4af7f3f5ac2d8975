//! JSON API of the roster: `/api/v1/persons`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::PersonInput;
use super::service::{self, PersonFilter};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::{IdPath, Params};

type ListQuery = crate::ui::ListParams<PersonFilter>;

pub async fn list(State(state): State<AppState>, actor: Actor, Params(q): Params<ListQuery>) -> AppResult<Json<Value>> {
    let (items, total) = service::list(&state, &actor, &q.filter, q.page).await?;
    Ok(Json(json!({"items": items, "total": total})))
}

/// A person's profile as sections (the same the web page shows), plus the raw record when the
/// caller may edit it.
pub async fn get(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Json<Value>> {
    let p = service::profile(&state, &actor, id).await?;
    let sections: Vec<Value> = p
        .sections
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "title": s.title, "sensitive": s.sensitive,
                "rows": s.rows.iter().map(|r| json!({"label": r.label, "value": r.value})).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(json!({
        "id": p.person.id,
        "name": p.person.name,
        "kind": p.person.kind,
        "org_id": p.person.org_id,
        "org_name": p.org_name,
        "employment_status": p.person.employment_status,
        "political_status": p.person.political_status,
        "can_edit": p.can_edit,
        "sections": sections,
    })))
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<PersonInput>,
) -> AppResult<Response> {
    let p = service::create(&state, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": p.id, "name": p.name, "gender": p.gender, "birth_date": p.birth_date})))
        .into_response())
}

/// `PUT /api/v1/persons/{id}`: the whole record, as for create.
pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<PersonInput>,
) -> AppResult<Json<Value>> {
    let p = service::update(&state, &actor, id, &input).await?;
    Ok(Json(json!({"id": p.id, "name": p.name})))
}

#[derive(Deserialize)]
pub struct DeleteRequest {
    reason: String,
}

pub async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<DeleteRequest>,
) -> AppResult<StatusCode> {
    service::delete(&state, &actor, id, &req.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn history(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Json<Value>> {
    let items = service::history(&state, &actor, id).await?;
    let total = items.len();
    Ok(Json(json!({"items": items, "total": total})))
}
