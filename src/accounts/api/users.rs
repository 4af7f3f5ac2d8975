//! Accounts: list, detail, create, unlock.

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
use utoipa::IntoParams;

use crate::accounts::users::{self, NewUser, UserSummary};
use crate::openapi::List;
use crate::ui::PageParams;
use crate::ui::params::Params;

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(flatten)]
    #[param(ignore)]
    page: PageParams,
}

#[utoipa::path(
    get, path = "/users", tag = "users", operation_id = "list_users",
    summary = "账号列表",
    description = "系统管理员或安全保密管理员。`q` 为用户名或姓名的一部分；按用户名排列。",
    params(ListQuery, PageParams),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "账号列表", body = List<UserSummary>),
        (status = 400, description = "查询参数有误", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限，或须先修改初始密码", body = ErrorBody),
    )
)]
pub async fn list_users(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<ListQuery>,
) -> AppResult<Json<List<UserSummary>>> {
    let (users, total) = users::list_users(&state, &actor, &q.q, Some(q.page)).await?;
    Ok(Json(List { items: users, total }))
}

#[utoipa::path(
    get, path = "/users/{id}", tag = "users", operation_id = "get_user",
    summary = "账号详情",
    description = "系统管理员或安全保密管理员。",
    params(("id" = i32, Path, description = "账号编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "账号", body = UserSummary),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限，或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
    )
)]
pub async fn get_user(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Json<UserSummary>> {
    Ok(Json(users::get_user(&state, &actor, id).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(description = "新建账号：用户名去掉首尾空白并转为小写后，须为 3–50 位小写字母、数字或 `_ . -`；\
    姓名去掉首尾空白后 1–50 字，不能含控制字符或改变文字方向的控制符")]
pub struct CreateUserRequest {
    #[schema(example = "zhangsan", min_length = 3, max_length = 50, pattern = "^[A-Za-z0-9_.-]+$")]
    username: String,
    #[schema(schema_with = display_name_schema)]
    display_name: String,
}

/// The initial password appears in this answer only.
#[derive(Serialize, ToSchema)]
#[schema(description = "新账号；`initial_password` 是随机生成的初始密码，只在这次响应里出现一次，首次登录必须修改")]
pub struct CreatedUser {
    id: i32,
    username: String,
    initial_password: String,
}

#[utoipa::path(
    post, path = "/users", tag = "users", operation_id = "create_user",
    summary = "新建账号",
    description = "系统管理员。新账号没有任何授权，由安全保密管理员授权。",
    request_body = CreateUserRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已新建", body = CreatedUser),
        (status = 400, description = "请求体不是 JSON 或缺少字段", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 409, description = "用户名已存在", body = ErrorBody),
        (status = 422, description = "用户名或姓名不符合规则", body = ErrorBody),
    )
)]
pub async fn create_user(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> AppResult<Response> {
    let new = NewUser { username: req.username, display_name: req.display_name, password: None, demo: false };
    let (user, initial) = users::create_user(&state, &actor, new).await?;
    let body = CreatedUser { id: user.id, username: user.username, initial_password: initial };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[utoipa::path(
    post, path = "/users/{id}/unlock", tag = "users", operation_id = "unlock_user",
    summary = "解锁账号",
    description = "系统管理员或安全保密管理员。解除该账号对所有地址的登录锁定，各地址此前的失败次数一并清零（按地址的限流不受影响）。",
    params(("id" = i32, Path, description = "账号编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已解锁"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
    )
)]
pub async fn unlock_user(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<StatusCode> {
    users::unlock(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn display_name_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::line(50, true)
}
