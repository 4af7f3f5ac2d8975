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

pub async fn dues_base(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<super::dues::BaseInput>,
) -> AppResult<Response> {
    let b = super::dues::set_base(&state, &actor, id, &input).await?;
    let monthly = super::dues::yuan(super::dues::monthly_fen(b.base_fen, &b.category));
    let body = json!({"person_id": id, "effective_month": b.effective_month.format("%Y-%m").to_string(),
                      "base": super::dues::yuan(b.base_fen), "category": b.category, "monthly": monthly});
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Deserialize)]
pub struct LedgerQuery {
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    org: Option<i32>,
    month: String,
}

pub async fn dues_ledger(
    State(state): State<AppState>,
    actor: Actor,
    crate::ui::params::Params(q): crate::ui::params::Params<LedgerQuery>,
) -> AppResult<Json<Value>> {
    let org = q.org.ok_or_else(|| crate::error::AppError::bad_request(Some("org"), "请指定党组织 org"))?;
    let month = super::dues::parse_month(&q.month)
        .ok_or_else(|| crate::error::AppError::bad_request(Some("month"), "月份格式应为 YYYY-MM"))?;
    Ok(Json(json!(super::dues::ledger(&state, &actor, org, month).await?)))
}

#[derive(Deserialize)]
pub struct PayRequest {
    month: String,
    person_ids: Vec<i32>,
    paid_on: String,
}

pub async fn dues_pay(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(req): ApiJson<PayRequest>,
) -> AppResult<Json<Value>> {
    let month = super::dues::parse_month(&req.month)
        .ok_or_else(|| crate::error::AppError::validation("month", "月份格式应为 YYYY-MM"))?;
    let paid_on = crate::people::parse_date(&req.paid_on)
        .map_err(|e| crate::error::AppError::validation("paid_on", e))?
        .ok_or_else(|| crate::error::AppError::validation("paid_on", "请填写交纳日期"))?;
    let n = super::dues::record_payments(&state, &actor, month, &req.person_ids, paid_on).await?;
    Ok(Json(json!({"recorded": n})))
}
