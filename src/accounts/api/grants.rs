//! Grants.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::IdPath;

use crate::accounts::grants;
use crate::auth::Role;
use crate::error::AppError;
use crate::openapi::Created;

#[derive(Deserialize, ToSchema)]
#[schema(description = "授权：角色代码和党组织编号。三员角色只能授予在最高一级党组织上")]
pub struct GrantRequest {
    // Parsed by the handler, so an unknown role stays a 422 naming the field.
    #[schema(value_type = Role, example = "secretary")]
    role: String,
    org_id: i32,
}

#[utoipa::path(
    post, path = "/users/{id}/grants", tag = "users", operation_id = "add_grant",
    summary = "授权",
    description = "安全保密管理员。不能给自己授权；三员分立（三员角色互斥，审计员不兼任其他角色）。\
        授予三员角色或能查阅敏感信息的角色时，该账号的接口令牌一并吊销。",
    params(("id" = i32, Path, description = "账号编号")),
    request_body = GrantRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已授权，返回授权编号", body = Created),
        (status = 400, description = "请求体不是 JSON 或缺少字段", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、给自己授权、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
        (status = 409, description = "同一角色同一党组织已授予过", body = ErrorBody),
        (status = 422, description = "未知角色、党组织不存在或违反三员分立", body = ErrorBody),
    )
)]
pub async fn add_grant(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<GrantRequest>,
) -> AppResult<Response> {
    let role = Role::parse(&req.role).ok_or_else(|| AppError::validation("role", "未知角色"))?;
    let grant_id = grants::add_grant(&state, &actor, id, role, req.org_id).await?;
    Ok((StatusCode::CREATED, Json(Created { id: grant_id })).into_response())
}

#[utoipa::path(
    delete, path = "/grants/{id}", tag = "users", operation_id = "revoke_grant",
    summary = "撤销授权",
    description = "安全保密管理员。不能撤销自己的授权。",
    params(("id" = i32, Path, description = "授权编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已撤销"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、撤销自己的授权、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "授权不存在", body = ErrorBody),
    )
)]
pub async fn revoke_grant(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<StatusCode> {
    grants::revoke_grant(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
