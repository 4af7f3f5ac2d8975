//! JSON API of 党小组 members: `/api/v1/orgs/{id}/group-members` (tagged with the organizations).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::party::groups::{self, GroupMemberInput, GroupMemberRow, GroupMembers, Placed};
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::IdPath;

#[utoipa::path(
    get, path = "/orgs/{id}/group-members", tag = "orgs", operation_id = "list_group_members",
    summary = "党小组成员",
    description = "党小组的成员名单，组长在前。能查看该党组织的角色均可调用。",
    params(("id" = i32, Path, description = "党小组的党组织编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "成员名单", body = GroupMembers),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色不能查看党组织，或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在、已撤销、不在范围内或不是党小组", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Json<GroupMembers>> {
    Ok(Json(groups::list(&state, &actor, id).await?))
}

#[utoipa::path(
    post, path = "/orgs/{id}/group-members", tag = "orgs", operation_id = "place_group_member",
    summary = "编入党小组、设定或取消组长",
    description = "党务管理员，党小组须在其授权范围内。不在本党小组的人编入（201）；已在本党小组的人按 `leader` \
        设为或取消组长（200）。返回该成员。",
    params(("id" = i32, Path, description = "党小组的党组织编号")),
    request_body = GroupMemberInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已在本党小组，组长已按要求设定", body = GroupMemberRow),
        (status = 201, description = "已编入", body = GroupMemberRow),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在、已撤销、不在范围内或不是党小组", body = ErrorBody),
        (status = 409, description = "此人已在其他党小组（`person_id`），或本党小组已有组长（`leader`）", body = ErrorBody),
        (status = 422, description = "此人不是本党支部组织关系在册的党员（`person_id`），预备党员不能担任组长（`leader`），\
            或日期不对（`since`）", body = ErrorBody),
    )
)]
pub async fn place(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<GroupMemberInput>,
) -> AppResult<(StatusCode, Json<GroupMemberRow>)> {
    let (placed, row) = groups::place(&state, &actor, id, &input).await?;
    let status = if placed == Placed::Added { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(row)))
}

#[utoipa::path(
    delete, path = "/orgs/{id}/group-members/{person_id}", tag = "orgs", operation_id = "remove_group_member",
    summary = "移出党小组",
    description = "党务管理员，党小组须在其授权范围内。",
    params(
        ("id" = i32, Path, description = "党小组的党组织编号"),
        ("person_id" = i32, Path, description = "人员编号"),
    ),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已移出"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "党小组不存在或不在范围内，或此人不在这个党小组", body = ErrorBody),
    )
)]
pub async fn remove(
    State(state): State<AppState>,
    actor: Actor,
    IdPath((id, person_id)): IdPath<(i32, i32)>,
) -> AppResult<StatusCode> {
    groups::remove(&state, &actor, id, person_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
