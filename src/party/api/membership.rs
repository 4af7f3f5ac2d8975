//! JSON API of membership: register and confirm full membership.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::party::MemberStatus;
use crate::party::membership::{self, JoinInput};
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::IdPath;

#[derive(Serialize, ToSchema)]
#[schema(
    description = "党员档案：`branch_id` 为所在党支部，`full_on` 未转正时为 null，`status` 为组织关系（正常、转出）"
)]
pub struct Membership {
    person_id: i32,
    branch_id: i32,
    joined_on: NaiveDate,
    full_on: Option<NaiveDate>,
    status: MemberStatus,
}

#[utoipa::path(
    post, path = "/persons/{id}/membership", tag = "membership", operation_id = "register_membership",
    summary = "登记入党",
    description = "党务管理员、书记/支委，此人的所在党组织须在其范围内，且必须是党支部或联合支部。\
        档案中的政治面貌随之改为中共预备党员（给了 `full_on` 则为中共党员）。",
    params(("id" = i32, Path, description = "人员编号")),
    request_body = JoinInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已登记", body = Membership),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "人员不存在或不在范围内", body = ErrorBody),
        (status = 409, description = "已有党员档案", body = ErrorBody),
        (status = 422, description = "日期或类别不符合规则（`errors` 列出全部），或所在党组织不是党支部", body = ErrorBody),
    )
)]
pub async fn register(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<JoinInput>,
) -> AppResult<Response> {
    let m = membership::register(&state, &actor, id, &input).await?;
    let body = Membership {
        person_id: m.person_id,
        branch_id: m.branch_id,
        joined_on: m.joined_on,
        full_on: m.full_on,
        status: m.status,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Deserialize, ToSchema)]
#[schema(description = "转正日期 `YYYY-MM-DD`：入党满一年之后、满两年之内，不晚于今天")]
pub struct FullRequest {
    #[schema(format = Date, example = "2026-12-01")]
    full_on: String,
}

#[derive(Serialize, ToSchema)]
#[schema(description = "转正结果")]
pub struct FullMembership {
    person_id: i32,
    full_on: Option<NaiveDate>,
}

#[utoipa::path(
    post, path = "/persons/{id}/membership/full", tag = "membership", operation_id = "confirm_full_membership",
    summary = "转正",
    description = "党务管理员、书记/支委，党员所在党支部须在其范围内。档案中的政治面貌改为中共党员。",
    params(("id" = i32, Path, description = "人员编号")),
    request_body = FullRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已转正", body = FullMembership),
        (status = 400, description = "请求体不是 JSON 或缺少 `full_on`", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "没有党员档案，或不在范围内", body = ErrorBody),
        (status = 409, description = "不是预备党员（已转正或已转出）", body = ErrorBody),
        (status = 422, description = "转正日期不符合规则", body = ErrorBody),
    )
)]
pub async fn full(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<FullRequest>,
) -> AppResult<Json<FullMembership>> {
    let m = membership::confirm_full(&state, &actor, id, &req.full_on).await?;
    Ok(Json(FullMembership { person_id: m.person_id, full_on: m.full_on }))
}
