//! `GET /api/v1/audit` (auditor only) and `POST /api/v1/audit/verify`.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::service::{self, AuditFilter};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::params::Params;

type ListQuery = crate::ui::ListParams<AuditFilter>;

pub async fn list(State(state): State<AppState>, actor: Actor, Params(q): Params<ListQuery>) -> AppResult<Json<Value>> {
    let (items, total) = service::query(&state, &actor, &q.filter, q.page).await?;
    Ok(Json(json!({"items": items, "total": total})))
}

pub async fn verify(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Value>> {
    let report = service::verify(&state, &actor).await?;
    let problems: Vec<Value> = report.problems.iter().map(|p| json!({"seq": p.seq, "message": p.message})).collect();
    Ok(Json(json!({"checked": report.checked, "ok": problems.is_empty(), "problems": problems})))
}
