//! `/api/v1/persons/{id}/family` and `/api/v1/family-members/{id}`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::FamilyInput;
use super::service::{self, Member};
use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::openapi::List;
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::IdPath;

#[utoipa::path(
    get, path = "/persons/{id}/family", tag = "family", operation_id = "list_family_members",
    summary = "家庭成员（完整内容）",
    description = "要求在此人所在党组织持有家庭与关爱类查阅权限（书记/支委、党务管理员），或是本人。每次读取记一条 `sensitive.read`\
        （摘要为 `{\"fields\": [\"family_members\"], \"count\": N}`）。一人一档中只显示登记人数，可用 `POST /persons/{id}/reveal` \
        `{\"fields\": [\"family_members\"]}` 取得每人一行的文字。",
    params(("id" = i32, Path, description = "人员编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "家庭成员", body = List<Member>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少家庭与关爱类查阅权限（信息中写明），或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "人员不存在、已删除或不在范围内（范围外记审计）", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Json<List<Member>>> {
    let (_, items) = service::list(&state, &actor, id).await?;
    let total = items.len() as u64;
    Ok(Json(List { items, total }))
}

#[utoipa::path(
    post, path = "/persons/{id}/family", tag = "family", operation_id = "create_family_member",
    summary = "登记家庭成员",
    description = "要求在此人所在党组织既能修改档案（党务管理员、书记/支委）又持有家庭与关爱类查阅权限。每人最多 30 名。记 `family.create`。",
    params(("id" = i32, Path, description = "人员编号")),
    request_body = FamilyInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已登记", body = Member),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限（信息中写明）、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "人员不存在、已删除或不在范围内", body = ErrorBody),
        (status = 422, description = "字段不符合规则，`errors` 列出全部问题；或已达 30 名", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<FamilyInput>,
) -> AppResult<Response> {
    let m = service::create(&state, &actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(m)).into_response())
}

#[utoipa::path(
    put, path = "/family-members/{id}", tag = "family", operation_id = "update_family_member",
    summary = "修改家庭成员",
    description = "整条替换，权限同登记。记 `family.update`。",
    params(("id" = i32, Path, description = "家庭成员编号")),
    request_body = FamilyInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已保存", body = Member),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限（信息中写明）、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在，或所属人员不在范围内", body = ErrorBody),
        (status = 422, description = "字段不符合规则，`errors` 列出全部问题", body = ErrorBody),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<FamilyInput>,
) -> AppResult<Json<Member>> {
    Ok(Json(service::update(&state, &actor, id, &input).await?.1))
}

#[utoipa::path(
    delete, path = "/family-members/{id}", tag = "family", operation_id = "delete_family_member",
    summary = "删除家庭成员",
    description = "权限同登记。记 `family.delete`。",
    params(("id" = i32, Path, description = "家庭成员编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已删除"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限（信息中写明）、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在，或所属人员不在范围内", body = ErrorBody),
    )
)]
pub async fn delete(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<StatusCode> {
    service::delete(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
