//! Password resets.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::IdPath;

use crate::accounts::resets;
use crate::openapi::List;

#[derive(Serialize, ToSchema)]
#[schema(description = "临时密码：只在这次响应里出现一次，登录后必须修改")]
pub struct TemporaryPassword {
    #[schema(example = "Xk7mPq2RtW9z#42")]
    temporary_password: String,
}

#[utoipa::path(
    post, path = "/users/{id}/password-reset", tag = "users", operation_id = "reset_password",
    summary = "重置密码（不能查阅敏感信息的账号）",
    description = "系统管理员。生成随机临时密码，结束该账号的全部会话，下次登录须修改；本人登录时会看到重置的时间和操作人。\
        能查阅敏感信息的账号（持有党务管理员、纪检监察、书记/支委等角色，或关联了人员档案）不能这样重置（403），\
        请改用 `POST /users/{id}/reset-requests` 申请；三员账号和自己的账号也不行（403）。写入审计日志（`user.password_reset`）。",
    params(("id" = i32, Path, description = "账号编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已重置", body = TemporaryPassword),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、能查阅敏感信息的账号、三员账号、自己的账号、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
    )
)]
pub async fn reset_password(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    let temporary_password = resets::reset_password(&state, &actor, id, None).await?;
    Ok((StatusCode::CREATED, Json(TemporaryPassword { temporary_password })).into_response())
}

#[derive(Deserialize, Default, ToSchema)]
#[schema(description = "说明（可选，不超过 200 字，不能含控制字符，包括换行）")]
pub struct ReasonRequest {
    #[serde(default)]
    // One line: the reason refuses control characters, line breaks included.
    #[schema(schema_with = reason_schema)]
    reason: String,
}

#[utoipa::path(
    post, path = "/users/{id}/reset-requests", tag = "users", operation_id = "request_password_reset",
    summary = "申请重置密码",
    description = "系统管理员。为账号（主要是能查阅敏感信息的账号）提交重置申请，由安全保密管理员批准；批准前账号不受任何影响。\
        写入审计日志（`user.reset_request`）。",
    params(("id" = i32, Path, description = "账号编号")),
    request_body = ReasonRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已提交", body = resets::ResetView),
        (status = 400, description = "请求体不是 JSON", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、三员账号、自己的账号、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
        (status = 409, description = "该账号已有待批准的申请", body = ErrorBody),
        (status = 422, description = "说明过长或含控制字符（`field` 为 `reason`）", body = ErrorBody),
    )
)]
pub async fn request_reset(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> AppResult<Response> {
    let created = resets::request(&state, &actor, id, &req.reason).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[utoipa::path(
    get, path = "/reset-requests", tag = "users", operation_id = "list_password_resets",
    summary = "待处理的密码重置",
    description = "系统管理员或安全保密管理员。待批准的申请和已签发、尚未使用也未过期的一次性设置码，按申请先后排列。",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "列表", body = List<resets::ResetView>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限或须先修改初始密码", body = ErrorBody),
    )
)]
pub async fn list_resets(State(state): State<AppState>, actor: Actor) -> AppResult<Json<List<resets::ResetView>>> {
    let items = resets::open_requests(&state, &actor).await?;
    Ok(Json(List { total: items.len() as u64, items }))
}

#[utoipa::path(
    post, path = "/reset-requests/{id}/approve", tag = "users", operation_id = "approve_password_reset",
    summary = "批准重置并签发一次性设置码",
    description = "安全保密管理员（不能是申请人本人）。原密码立即失效，该账号的会话全部结束；响应中的一次性设置码只出现这一次，\
        由安全保密管理员交给本人。设置码 24 小时内有效，只能使用一次，只能用来设置新密码。写入审计日志（`user.reset_approve`）。",
    params(("id" = i32, Path, description = "申请编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已批准", body = resets::IssuedCode),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、三员账号、自己的申请、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "申请不存在", body = ErrorBody),
        (status = 409, description = "申请已处理过", body = ErrorBody),
    )
)]
pub async fn approve_reset(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    let issued = resets::approve(&state, &actor, id).await?;
    Ok((StatusCode::CREATED, Json(issued)).into_response())
}

#[utoipa::path(
    post, path = "/reset-requests/{id}/reject", tag = "users", operation_id = "reject_password_reset",
    summary = "驳回重置申请",
    description = "安全保密管理员。账号不受影响。写入审计日志（`user.reset_reject`）。",
    params(("id" = i32, Path, description = "申请编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已驳回"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、三员账号、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "申请不存在", body = ErrorBody),
        (status = 409, description = "申请已处理过", body = ErrorBody),
    )
)]
pub async fn reject_reset(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<StatusCode> {
    resets::reject(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/users/{id}/one-time-code", tag = "users", operation_id = "issue_one_time_code",
    summary = "重置密码并签发一次性设置码",
    description = "安全保密管理员直接重置（不需要申请）：原密码立即失效，会话全部结束，该账号的其他申请和设置码作废；\
        响应中的一次性设置码只出现这一次，由安全保密管理员交给本人。三员账号和自己的账号不行（403）。\
        写入审计日志（`user.reset_code`）。",
    params(("id" = i32, Path, description = "账号编号")),
    request_body = ReasonRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已签发", body = resets::IssuedCode),
        (status = 400, description = "请求体不是 JSON", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、三员账号、自己的账号、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
        (status = 422, description = "说明过长或含控制字符（`field` 为 `reason`）", body = ErrorBody),
    )
)]
pub async fn issue_code(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> AppResult<Response> {
    let issued = resets::issue(&state, &actor, id, &req.reason).await?;
    Ok((StatusCode::CREATED, Json(issued)).into_response())
}

fn reason_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::line(200, false)
}
