//! API tokens.

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

use crate::accounts::tokens;

#[derive(Deserialize, ToSchema)]
#[schema(description = "接口令牌的名称：去掉首尾空白后 1–100 字，不能含控制字符或改变文字方向的控制符")]
pub struct TokenRequest {
    #[schema(schema_with = name_schema)]
    name: String,
}

/// The token appears in this answer only; the database keeps its hash.
#[derive(Serialize, ToSchema)]
#[schema(description = "新令牌；`token` 只显示这一次")]
pub struct CreatedToken {
    id: i32,
    #[schema(example = "djt_377aae7128de90eeb60377f2a607b4c4e848f5938f709e20500468352a7f8278")]
    token: String,
}

#[utoipa::path(
    post, path = "/users/{id}/tokens", tag = "users", operation_id = "create_token",
    summary = "创建接口令牌",
    description = "系统管理员。令牌只能签发给接口专用账号：账号持有三员角色或可查阅敏感信息的角色\
        （party_admin、discipline、secretary），或关联了人员档案时，拒绝签发（422）。",
    params(("id" = i32, Path, description = "账号编号")),
    request_body = TokenRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已创建", body = CreatedToken),
        (status = 400, description = "请求体不是 JSON 或缺少字段", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
        (status = 422, description = "名称不符合规则，或该账号不能持有令牌", body = ErrorBody),
    )
)]
pub async fn create_token(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<TokenRequest>,
) -> AppResult<Response> {
    let (token_id, token) = tokens::create_token(&state, &actor, id, &req.name).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { id: token_id, token })).into_response())
}

#[utoipa::path(
    delete, path = "/tokens/{id}", tag = "users", operation_id = "revoke_token",
    summary = "吊销接口令牌",
    description = "系统管理员。之后使用该令牌得到 401。",
    params(("id" = i32, Path, description = "令牌编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已吊销"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "令牌不存在", body = ErrorBody),
    )
)]
pub async fn revoke_token(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<StatusCode> {
    tokens::revoke_token(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn name_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::line(100, true)
}
