//! JSON API of dues: the base, the ledger, recording and cancelling payments.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Actor;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::party::dues::{self, BaseInput, DuesCategory, Ledger};
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::{IdPath, Params};

#[derive(Serialize, ToSchema)]
#[schema(description = "登记的基数：金额为两位小数的字符串，`monthly` 为按比例算出的月交额")]
pub struct DuesBase {
    person_id: i32,
    #[schema(example = "2026-01")]
    effective_month: String,
    #[schema(example = "5400.00")]
    base: String,
    category: DuesCategory,
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
    let b = dues::set_base(&state, &actor, id, &input).await?;
    let monthly = dues::yuan(dues::monthly_fen(b.base_fen, b.category));
    let body = DuesBase {
        person_id: id,
        effective_month: b.effective_month.format("%Y-%m").to_string(),
        base: dues::yuan(b.base_fen),
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
    #[param(pattern = r"^\d{4}-(0[1-9]|1[0-2])$", example = "2026-11")]
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
    let month =
        dues::parse_month(&q.month).ok_or_else(|| AppError::bad_request(Some("month"), "月份格式应为 YYYY-MM"))?;
    Ok(Json(dues::ledger(&state, &actor, org, month).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(
    description = "登记交纳：月份 `YYYY-MM`、人员编号（1–1000 个）和交纳日期 `YYYY-MM-DD`（不晚于今天）；金额为该月按基数应交的数额"
)]
pub struct PayRequest {
    #[schema(pattern = r"^\d{4}-(0[1-9]|1[0-2])$", example = "2026-11")]
    month: String,
    #[schema(min_items = 1, max_items = 1000, example = json!([231, 232]))]
    person_ids: Vec<i32>,
    #[schema(format = Date, example = "2026-11-20")]
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
    let month = dues::parse_month(&req.month).ok_or_else(|| AppError::validation("month", "月份格式应为 YYYY-MM"))?;
    let paid_on = crate::people::parse_date(&req.paid_on)
        .map_err(|e| AppError::validation("paid_on", e))?
        .ok_or_else(|| AppError::validation("paid_on", "请填写交纳日期"))?;
    let recorded = dues::record_payments(&state, &actor, month, &req.person_ids, paid_on).await?;
    Ok(Json(PaymentsRecorded { recorded }))
}

#[derive(Deserialize, ToSchema)]
#[schema(
    description = "撤销一条交纳登记（记错了人或月份时）：人员编号、月份 `YYYY-MM` 和撤销原因（必填，不超过 200 字）"
)]
pub struct CancelPaymentRequest {
    #[schema(example = 231)]
    person_id: i32,
    #[schema(pattern = r"^\d{4}-(0[1-9]|1[0-2])$", example = "2026-10")]
    month: String,
    #[schema(min_length = 1, max_length = 200, example = "误登记，实为 9 月")]
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
    let month = dues::parse_month(&req.month).ok_or_else(|| AppError::validation("month", "月份格式应为 YYYY-MM"))?;
    dues::cancel_payment(&state, &actor, req.person_id, month, &req.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
