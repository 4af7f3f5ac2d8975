//! JSON API of membership: register, confirm full membership, extend the probation, end it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::party::ending::{self, EndInput};
use crate::party::entity::member;
use crate::party::membership::{self, ExtendInput, FullInput, JoinInput};
use crate::party::{EndKind, MemberCategory, MemberStatus, member_probation_end};
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::IdPath;

#[derive(Serialize, ToSchema)]
#[schema(
    description = "党员档案：`branch_id` 为所在党支部，`full_on` 转正日期（预备期满之日，未转正时为 null），`full_on_unknown` 为 true 表示正式党员、转正日期待补录，`probation_end` 预备期\
    届满之日（含延长），`meeting_on`、`approved_on` 为支部大会讨论转正和上级党委审批之日，`extended_on`、`extended_months` 为延长预备期\
    的决定之日和月数；`status` 为正常、转出、终止、停止党籍，终止或停止时 `end_kind`、`ended_on`、`end_reason`、`end_by`、`end_doc` \
    为方式、日期、原因、作出决定的党组织和文号"
)]
pub struct Membership {
    person_id: i32,
    branch_id: i32,
    category: MemberCategory,
    joined_on: NaiveDate,
    full_on: Option<NaiveDate>,
    /// A full member whose 转正 date is still to be completed (待补录); `full_on` is null.
    full_on_unknown: bool,
    probation_end: NaiveDate,
    meeting_on: Option<NaiveDate>,
    approved_on: Option<NaiveDate>,
    extended_on: Option<NaiveDate>,
    extended_months: Option<i32>,
    status: MemberStatus,
    end_kind: Option<EndKind>,
    ended_on: Option<NaiveDate>,
    end_reason: Option<String>,
    end_by: Option<String>,
    end_doc: Option<String>,
}

impl From<member::Model> for Membership {
    fn from(m: member::Model) -> Self {
        Membership {
            probation_end: member_probation_end(&m),
            ended_on: m.end_kind.and(m.status_on),
            person_id: m.person_id,
            branch_id: m.branch_id,
            category: m.category,
            joined_on: m.joined_on,
            full_on: m.full_on,
            full_on_unknown: m.full_on_unknown,
            meeting_on: m.meeting_on,
            approved_on: m.approved_on,
            extended_on: m.extended_on,
            extended_months: m.extended_months,
            status: m.status,
            end_kind: m.end_kind,
            end_reason: m.end_reason,
            end_by: m.end_by,
            end_doc: m.end_doc,
        }
    }
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
    Ok((StatusCode::CREATED, Json(Membership::from(m))).into_response())
}

#[derive(Serialize, ToSchema)]
#[schema(description = "转正结果：`full_on` 为预备期满之日")]
pub struct FullMembership {
    person_id: i32,
    full_on: Option<NaiveDate>,
    meeting_on: Option<NaiveDate>,
    approved_on: Option<NaiveDate>,
}

#[utoipa::path(
    post, path = "/persons/{id}/membership/full", tag = "membership", operation_id = "confirm_full_membership",
    summary = "转正",
    description = "党务管理员、书记/支委，党员所在党支部须在其范围内。转正日期为预备期满之日（入党满一年，延长的为延长期满），\
        不论支部大会哪天讨论；预备期未满时不能办理。档案中的政治面貌改为中共党员。\
        对转正日期待补录的正式党员（`full_on_unknown`），这里补录转正日期：`full_on` 必填，须为预备期满之日（入党满一年，\
        延长的为延长期满之日）。",
    params(("id" = i32, Path, description = "人员编号")),
    request_body = FullInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已转正", body = FullMembership),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "没有党员档案，或不在范围内", body = ErrorBody),
        (status = 409, description = "不是预备党员（已转正、已转出或已终止）", body = ErrorBody),
        (status = 422, description = "预备期未满，或转正、支部大会、审批日期不符合规则（`errors` 列出全部）", body = ErrorBody),
    )
)]
pub async fn full(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<FullInput>,
) -> AppResult<Json<FullMembership>> {
    let m = membership::confirm_full(&state, &actor, id, &req).await?;
    Ok(Json(FullMembership {
        person_id: m.person_id,
        full_on: m.full_on,
        meeting_on: m.meeting_on,
        approved_on: m.approved_on,
    }))
}

#[utoipa::path(
    post, path = "/persons/{id}/membership/extend", tag = "membership", operation_id = "extend_probation",
    summary = "延长预备期",
    description = "党务管理员、书记/支委，党员所在党支部须在其范围内。只适用于预备党员，延长 6–12 个月，只能延长一次；\
        转正日期随之改为延长期满之日。",
    params(("id" = i32, Path, description = "人员编号")),
    request_body = ExtendInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已延长", body = Membership),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "没有党员档案，或不在范围内", body = ErrorBody),
        (status = 409, description = "不是预备党员，或预备期已经延长过", body = ErrorBody),
        (status = 422, description = "决定日期或延长月数不符合规则（`errors` 列出全部）", body = ErrorBody),
    )
)]
pub async fn extend(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<ExtendInput>,
) -> AppResult<Json<Membership>> {
    Ok(Json(membership::extend(&state, &actor, id, &req).await?.into()))
}

#[utoipa::path(
    post, path = "/persons/{id}/membership/end", tag = "membership", operation_id = "end_membership",
    summary = "党籍终止（去世、出党、退党、取消预备党员资格）或停止党籍",
    description = "党务管理员、书记/支委，党员所在党支部须在其范围内。记入党员历程，免去其委员职务，撤回待接收的转接，\
        从次月起不再列入党费台账和提醒；政治面貌随之改为群众（去世的不变，在职状态改为去世）。",
    params(("id" = i32, Path, description = "人员编号")),
    request_body = EndInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已登记", body = Membership),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "没有党员档案，或不在范围内", body = ErrorBody),
        (status = 409, description = "党员档案已转出或已终止", body = ErrorBody),
        (status = 422, description = "方式、日期、原因、决定机关或文号不符合规则（`errors` 列出全部）", body = ErrorBody),
    )
)]
pub async fn end(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<EndInput>,
) -> AppResult<Json<Membership>> {
    Ok(Json(ending::end_membership(&state, &actor, id, &req).await?.into()))
}
