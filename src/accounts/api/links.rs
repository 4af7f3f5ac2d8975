//! The account's person record.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::IdPath;

use crate::accounts::links::{self, LinkedPerson, PersonRef};

#[derive(Deserialize, ToSchema)]
#[schema(
    description = "关联人员档案：`person_ref` 为此人的警号或 18 位身份证号（安全保密管理员不浏览名册，只按号码查找）"
)]
pub struct LinkRequest {
    // Full-width digits and spaces are forgiven, and a lower-case x: the pattern is the clean form.
    #[schema(example = "100123", min_length = 4, max_length = 18, pattern = "^([0-9]{4,12}|[0-9]{17}[0-9Xx])$")]
    person_ref: String,
}

#[derive(Serialize, ToSchema)]
#[schema(description = "账号关联的人员；未关联时 `person` 为 null")]
pub struct AccountPerson {
    person: Option<LinkedPerson>,
}

#[utoipa::path(
    get, path = "/users/{id}/person", tag = "users", operation_id = "get_account_person",
    summary = "查看账号关联的人员档案",
    description = "系统管理员或安全保密管理员。只给出姓名和所在党组织。",
    params(("id" = i32, Path, description = "账号编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "关联情况", body = AccountPerson),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
    )
)]
pub async fn get_person(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Json<AccountPerson>> {
    Ok(Json(AccountPerson { person: links::linked_person(&state, &actor, id).await? }))
}

#[utoipa::path(
    put, path = "/users/{id}/person", tag = "users", operation_id = "link_account_person",
    summary = "关联人员档案",
    description = "安全保密管理员。关联后该账号的“我的档案”显示此人的档案；一人只能关联一个账号；\
三员账号只能在命令行关联（`dangjian user link`）。关联时吊销该账号的全部接口令牌。写入审计日志（`user.link`）。",
    params(("id" = i32, Path, description = "账号编号")),
    request_body = LinkRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已关联", body = LinkedPerson),
        (status = 400, description = "请求体不是 JSON 或缺少字段", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、三员账号、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
        (status = 409, description = "此人已关联其他账号（`message` 指明账号）", body = ErrorBody),
        (status = 422, description = "号码格式不对、校验位错误或查无此人（`field` 为 `person_ref`）", body = ErrorBody),
    )
)]
pub async fn link_person(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<LinkRequest>,
) -> AppResult<Json<LinkedPerson>> {
    let person = PersonRef::parse(&req.person_ref)?;
    Ok(Json(links::link_person(&state, &actor, id, &person).await?))
}

#[utoipa::path(
    delete, path = "/users/{id}/person", tag = "users", operation_id = "unlink_account_person",
    summary = "解除人员档案关联",
    description = "安全保密管理员。写入审计日志（`user.unlink`）。",
    params(("id" = i32, Path, description = "账号编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已解除"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、三员账号、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
    )
)]
pub async fn unlink_person(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<StatusCode> {
    links::unlink_person(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
