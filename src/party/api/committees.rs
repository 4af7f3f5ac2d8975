//! JSON API of committees: `/api/v1/orgs/{id}/committee` (tagged with the organizations).

use axum::extract::State;
use axum::http::StatusCode;

use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::party::committees::{self, CommitteeInput};
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::IdPath;

#[utoipa::path(
    post, path = "/orgs/{id}/committee", tag = "orgs", operation_id = "add_committee_member",
    summary = "增补委员",
    description = "党务管理员，党组织须在其授权范围内。成功时无正文。",
    params(("id" = i32, Path, description = "党组织编号")),
    request_body = CommitteeInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已增补"),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在、已撤销或不在范围内", body = ErrorBody),
        (status = 409, description = "此人已是本组织委员，或本组织已有书记", body = ErrorBody),
        (status = 422, description = "职务、人员或任职时间不符合规则", body = ErrorBody),
    )
)]
pub async fn committee_add(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<CommitteeInput>,
) -> AppResult<StatusCode> {
    committees::add_committee(&state, &actor, id, &input).await?;
    Ok(StatusCode::CREATED)
}

#[utoipa::path(
    delete, path = "/orgs/{id}/committee/{member_id}", tag = "orgs", operation_id = "remove_committee_member",
    summary = "免去委员",
    description = "党务管理员，党组织须在其授权范围内。",
    params(
        ("id" = i32, Path, description = "党组织编号"),
        ("member_id" = i32, Path, description = "委员记录编号（`governance.committee` 中的 `id`）"),
    ),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已免去"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "党组织不存在或不在范围内，或该委员记录不属于这个党组织", body = ErrorBody),
    )
)]
pub async fn committee_remove(
    State(state): State<AppState>,
    actor: Actor,
    IdPath((id, member_id)): IdPath<(i32, i32)>,
) -> AppResult<StatusCode> {
    committees::remove_committee(&state, &actor, id, member_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
