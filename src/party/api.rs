//! JSON API of membership, transfers and dues.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dues::{BaseInput, Ledger};
use super::service::{self, JoinInput, TransferInput, TransferRow};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::{IdPath, Params};

#[derive(Serialize, ToSchema)]
#[schema(
    description = "党员档案：`branch_id` 为所在党支部，`full_on` 未转正时为 null，`status` 为组织关系（正常、转出）"
)]
pub struct Membership {
    person_id: i32,
    branch_id: i32,
    joined_on: NaiveDate,
    full_on: Option<NaiveDate>,
    #[schema(example = "正常")]
    status: String,
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
    let m = service::register(&state, &actor, id, &input).await?;
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
    #[schema(example = "2026-12-01")]
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
    let m = service::confirm_full(&state, &actor, id, &req.full_on).await?;
    Ok(Json(FullMembership { person_id: m.person_id, full_on: m.full_on }))
}

#[derive(Serialize, ToSchema)]
#[schema(description = "转接：局内为待接收，局外为已转出")]
pub struct TransferCreated {
    id: i32,
    #[schema(example = "待接收")]
    status: String,
}

#[utoipa::path(
    post, path = "/persons/{id}/transfers", tag = "membership", operation_id = "request_transfer",
    summary = "发起组织关系转接",
    description = "党务管理员、书记/支委，党员所在党支部须在其范围内；只有组织关系正常的党员能发起。局内转接等接收党支部接收\
        （接收党支部不要求在调用者范围内）；局外转接立即生效，之后可生成介绍信。发起后不能撤回。",
    params(("id" = i32, Path, description = "人员编号")),
    request_body = TransferInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已发起", body = TransferCreated),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "没有党员档案，或不在范围内", body = ErrorBody),
        (status = 409, description = "此人已有一项待接收的转接", body = ErrorBody),
        (status = 422, description = "转往的党组织或原因不符合规则", body = ErrorBody),
    )
)]
pub async fn request_transfer(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<TransferInput>,
) -> AppResult<Response> {
    let t = service::request_transfer(&state, &actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(TransferCreated { id: t.id, status: t.status })).into_response())
}

#[derive(Serialize, ToSchema)]
#[schema(
    description = "`incoming`：接收党支部在调用者范围内、待接收的全部转接；`outgoing`：转出党支部在调用者范围内的最近 100 项\
        （任何状态，新的在前）"
)]
pub struct Transfers {
    incoming: Vec<TransferRow>,
    outgoing: Vec<TransferRow>,
}

#[utoipa::path(
    get, path = "/transfers", tag = "membership", operation_id = "list_transfers",
    summary = "转接列表",
    description = "党务管理员、书记/支委。不分页。",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "转接列表", body = Transfers),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限，或须先修改初始密码", body = ErrorBody),
    )
)]
pub async fn list(State(state): State<AppState>, actor: Actor) -> AppResult<Json<Transfers>> {
    let (incoming, outgoing) = service::list_transfers(&state, &actor).await?;
    Ok(Json(Transfers { incoming, outgoing }))
}

#[utoipa::path(
    post, path = "/transfers/{id}/accept", tag = "membership", operation_id = "accept_transfer",
    summary = "接收转接",
    description = "接收党支部须在调用者范围内。无请求体。党员改属接收党支部，人员档案的所在党组织随之改变。",
    params(("id" = i32, Path, description = "转接编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已接收"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在、局外转接或不在范围内", body = ErrorBody),
        (status = 409, description = "已处理过，或接收党支部已撤销（只能退回）", body = ErrorBody),
    )
)]
pub async fn accept(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<StatusCode> {
    service::decide_transfer(&state, &actor, id, true, "").await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[schema(description = "退回原因，不能为空")]
pub struct RejectRequest {
    #[schema(example = "请补充介绍信")]
    reason: String,
}

#[utoipa::path(
    post, path = "/transfers/{id}/reject", tag = "membership", operation_id = "reject_transfer",
    summary = "退回转接",
    description = "接收党支部须在调用者范围内。党员和档案不变。",
    params(("id" = i32, Path, description = "转接编号")),
    request_body = RejectRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已退回"),
        (status = 400, description = "请求体不是 JSON 或缺少 `reason`", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在、局外转接或不在范围内", body = ErrorBody),
        (status = 409, description = "已处理过", body = ErrorBody),
        (status = 422, description = "原因为空", body = ErrorBody),
    )
)]
pub async fn reject(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<RejectRequest>,
) -> AppResult<StatusCode> {
    service::decide_transfer(&state, &actor, id, false, &req.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The same letter as the web page's `letter.docx`.
#[utoipa::path(
    get, path = "/transfers/{id}/docx", tag = "membership", operation_id = "get_transfer_letter",
    summary = "组织关系介绍信",
    description = "局外转接（已转出）的《中国共产党党员组织关系介绍信》，Word 文件。要求能查阅敏感信息（党务管理员、纪检监察、\
        书记/支委），且转出党支部在调用者范围内。介绍信含完整身份证号和电话，每次生成都记审计。",
    params(("id" = i32, Path, description = "转接编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "介绍信（.docx）",
            content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            body = crate::openapi::Binary),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "不能查阅敏感信息，或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内", body = ErrorBody),
        (status = 422, description = "本局内部转接没有介绍信", body = ErrorBody),
    )
)]
pub async fn letter(state: State<AppState>, actor: Actor, id: IdPath<i32>) -> AppResult<Response> {
    super::web::letter(state, actor, id).await
}

#[derive(Serialize, ToSchema)]
#[schema(description = "登记的基数：金额为两位小数的字符串，`monthly` 为按比例算出的月交额")]
pub struct DuesBase {
    person_id: i32,
    #[schema(example = "2026-01")]
    effective_month: String,
    #[schema(example = "5400.00")]
    base: String,
    #[schema(example = "normal")]
    category: String,
    #[schema(example = "81.00")]
    monthly: String,
}

#[utoipa::path(
    post, path = "/persons/{id}/dues-base", tag = "dues", operation_id = "set_dues_base",
    summary = "登记党费基数",
    description = "党务管理员、书记/支委；此人须有组织关系正常的党员档案，所在党支部在调用者范围内。之后某月再登记的基数从那个月起\
        取代它；同一月份再登记一次则覆盖该月的登记。按中组部比例对整个基数计算月交额。",
    params(("id" = i32, Path, description = "人员编号")),
    request_body = BaseInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已登记", body = DuesBase),
        (status = 400, description = "请求体不是 JSON 或字段类型不对（如 `base` 写成数字）", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "没有党员档案，或不在范围内", body = ErrorBody),
        (status = 422, description = "字段不符合规则，`errors` 列出全部问题", body = ErrorBody),
    )
)]
pub async fn dues_base(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<BaseInput>,
) -> AppResult<Response> {
    let b = super::dues::set_base(&state, &actor, id, &input).await?;
    let monthly = super::dues::yuan(super::dues::monthly_fen(b.base_fen, &b.category));
    let body = DuesBase {
        person_id: id,
        effective_month: b.effective_month.format("%Y-%m").to_string(),
        base: super::dues::yuan(b.base_fen),
        category: b.category,
        monthly,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = i32, required = true, example = 10)]
    org: Option<i32>,
    #[param(example = "2026-11")]
    month: String,
}

#[utoipa::path(
    get, path = "/dues", tag = "dues", operation_id = "get_dues_ledger",
    summary = "党费台账",
    description = "党务管理员、纪检监察、书记/支委、领导；`org` 须在调用者范围内。列出该党组织及其下级中目前组织关系正常、\
        在该月底以前入党的党员。不分页。",
    params(LedgerQuery),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "台账", body = Ledger),
        (status = 400, description = "缺少 `org` 或 `month`，或格式不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色不能查看，或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "党组织不存在或不在范围内", body = ErrorBody),
    )
)]
pub async fn dues_ledger(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<LedgerQuery>,
) -> AppResult<Json<Ledger>> {
    let org = q.org.ok_or_else(|| AppError::bad_request(Some("org"), "请指定党组织 org"))?;
    let month = super::dues::parse_month(&q.month)
        .ok_or_else(|| AppError::bad_request(Some("month"), "月份格式应为 YYYY-MM"))?;
    Ok(Json(super::dues::ledger(&state, &actor, org, month).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(
    description = "登记交纳：月份 `YYYY-MM`、人员编号（1–1000 个）和交纳日期 `YYYY-MM-DD`（不晚于今天）；金额为该月按基数应交的数额"
)]
pub struct PayRequest {
    #[schema(example = "2026-11")]
    month: String,
    #[schema(example = json!([231, 232]))]
    person_ids: Vec<i32>,
    #[schema(example = "2026-11-20")]
    paid_on: String,
}

#[derive(Serialize, ToSchema)]
#[schema(description = "新登记的人数（该月已登记过的人跳过，不计入）")]
pub struct PaymentsRecorded {
    recorded: usize,
}

#[utoipa::path(
    post, path = "/dues/payments", tag = "dues", operation_id = "record_dues_payments",
    summary = "登记党费交纳",
    description = "党务管理员、书记/支委。全部在一个事务里，出任何错都不写入。登记错了用 `POST /dues/payments/cancel` 撤销后重新登记。",
    request_body = PayRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已登记", body = PaymentsRecorded),
        (status = 400, description = "请求体不是 JSON 或缺少字段", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "某人没有党员档案，或所在党支部不在范围内", body = ErrorBody),
        (status = 422, description = "月份、日期不符合规则，人员为空或超过 1000 人（`field` 为 `person_ids`），或某人没有该月适用的基数", body = ErrorBody),
    )
)]
pub async fn dues_pay(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(req): ApiJson<PayRequest>,
) -> AppResult<Json<PaymentsRecorded>> {
    let month =
        super::dues::parse_month(&req.month).ok_or_else(|| AppError::validation("month", "月份格式应为 YYYY-MM"))?;
    let paid_on = crate::people::parse_date(&req.paid_on)
        .map_err(|e| AppError::validation("paid_on", e))?
        .ok_or_else(|| AppError::validation("paid_on", "请填写交纳日期"))?;
    let recorded = super::dues::record_payments(&state, &actor, month, &req.person_ids, paid_on).await?;
    Ok(Json(PaymentsRecorded { recorded }))
}

#[derive(Deserialize, ToSchema)]
#[schema(
    description = "撤销一条交纳登记（记错了人或月份时）：人员编号、月份 `YYYY-MM` 和撤销原因（必填，不超过 200 字）"
)]
pub struct CancelPaymentRequest {
    #[schema(example = 231)]
    person_id: i32,
    #[schema(example = "2026-10")]
    month: String,
    #[schema(example = "误登记，实为 9 月")]
    reason: String,
}

#[utoipa::path(
    post, path = "/dues/payments/cancel", tag = "dues", operation_id = "cancel_dues_payment",
    summary = "撤销党费交纳登记",
    description = "党务管理员、书记/支委，人员须在其范围内。该月恢复为未交；原登记内容和撤销原因写入审计日志（`dues.cancel`）。",
    request_body = CancelPaymentRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已撤销"),
        (status = 400, description = "请求体不是 JSON 或缺少字段", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "此人没有党员档案，或不在范围内", body = ErrorBody),
        (status = 422, description = "月份格式不对、该月没有登记交纳，或缺少撤销原因（`field` 指明）", body = ErrorBody),
    )
)]
pub async fn dues_cancel(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(req): ApiJson<CancelPaymentRequest>,
) -> AppResult<StatusCode> {
    let month =
        super::dues::parse_month(&req.month).ok_or_else(|| AppError::validation("month", "月份格式应为 YYYY-MM"))?;
    super::dues::cancel_payment(&state, &actor, req.person_id, month, &req.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
