//! JSON API of transfers: start, list, accept, return.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::party::TransferStatus;
use crate::party::transfer_in::TransferInRow;
use crate::party::transfers::{self, TransferInput, TransferRow};
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::IdPath;

#[derive(Serialize, ToSchema)]
#[schema(description = "转接：局内为待接收，局外为已转出")]
pub struct TransferCreated {
    id: i32,
    status: TransferStatus,
}

#[utoipa::path(
    post, path = "/persons/{id}/transfers", tag = "membership", operation_id = "request_transfer",
    summary = "发起组织关系转接",
    description = "党务管理员、书记/支委，党员所在党支部须在其范围内；只有组织关系正常的党员能发起。局内转接等接收党支部接收\
        （接收党支部不要求在调用者范围内）；局外转接立即生效，之后开具介绍信（`POST /transfers/{id}/letter`）。发起后不能撤回。",
    params(("id" = i32, Path, description = "人员编号")),
    request_body = TransferInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已发起", body = TransferCreated),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "没有党员档案，或不在范围内", body = ErrorBody),
        (status = 409, description = "此人已有一项待接收的转接", body = ErrorBody),
        (status = 422, description = "转往的党组织或原因不符合规则", body = ErrorBody),
    )
)]
pub async fn request_transfer(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<TransferInput>,
) -> AppResult<Response> {
    let t = transfers::request_transfer(&state, &actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(TransferCreated { id: t.id, status: t.status })).into_response())
}

#[derive(Serialize, ToSchema)]
#[schema(
    description = "`incoming`：接收党支部在调用者范围内、待接收的全部转接；`outgoing`：转出党支部在调用者范围内的最近 100 项\
        （任何状态，新的在前）；`transfers_in`：接收党支部在调用者范围内的最近 100 项从局外转入（新的在前）"
)]
pub struct Transfers {
    incoming: Vec<TransferRow>,
    outgoing: Vec<TransferRow>,
    transfers_in: Vec<TransferInRow>,
}

#[utoipa::path(
    get, path = "/transfers", tag = "membership", operation_id = "list_transfers",
    summary = "转接列表",
    description = "党务管理员、书记/支委。不分页。",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "转接列表", body = Transfers),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限，或须先修改初始密码", body = ErrorBody),
    )
)]
pub async fn list(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Transfers>> {
    let (incoming, outgoing) = transfers::list_transfers(&state, &actor).await?;
    let transfers_in = crate::party::transfer_in::recent(&state, &actor).await?;
    Ok(Json(Transfers { incoming, outgoing, transfers_in }))
}

#[utoipa::path(
    post, path = "/transfers/{id}/accept", tag = "membership", operation_id = "accept_transfer",
    summary = "接收转接",
    description = "接收党支部须在调用者范围内。无请求体。党员改属接收党支部，人员档案的所在党组织随之改变。",
    params(("id" = i32, Path, description = "转接编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已接收"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在、局外转接或不在范围内", body = ErrorBody),
        (status = 409, description = "已处理过，或接收党支部已撤销（只能退回）", body = ErrorBody),
    )
)]
pub async fn accept(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<StatusCode> {
    transfers::decide_transfer(&state, &actor, id, true, "").await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[schema(description = "退回原因，不能为空，不超过 200 字")]
pub struct RejectRequest {
    #[schema(schema_with = reason_schema, example = "请补充介绍信")]
    reason: String,
}

#[utoipa::path(
    post, path = "/transfers/{id}/reject", tag = "membership", operation_id = "reject_transfer",
    summary = "退回转接",
    description = "接收党支部须在调用者范围内。党员和档案不变。",
    params(("id" = i32, Path, description = "转接编号")),
    request_body = RejectRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已退回"),
        (status = 400, description = "请求体不是 JSON 或缺少 `reason`", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在、局外转接或不在范围内", body = ErrorBody),
        (status = 409, description = "已处理过", body = ErrorBody),
        (status = 422, description = "原因为空", body = ErrorBody),
    )
)]
pub async fn reject(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<RejectRequest>,
) -> AppResult<StatusCode> {
    transfers::decide_transfer(&state, &actor, id, false, &req.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn reason_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::multiline(200, true)
}
