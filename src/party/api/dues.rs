//! JSON API of dues: the base, reductions and exemptions, the ledger, recording and cancelling
//! payments.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Actor;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::party::MemberCategory;
use crate::party::dues::{self, BaseInput, DuesCategory, Ledger, PaymentLine, ReliefInput, ReliefKind};
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::{IdPath, Params};

#[derive(Serialize, ToSchema)]
#[schema(
    description = "登记的基数：金额为两位小数的字符串，`monthly` 为按类别算出的月交额（在职、离退休按比例，其他为固定数额 `fixed_monthly`；\
    经批准少交、免交的月份另按其登记）；`member_category` 为登记后的党员类别（离退休基数使在职党员改为离退休党员）"
)]
pub struct DuesBase {
    person_id: i32,
    #[schema(example = "2026-01")]
    effective_month: String,
    #[schema(example = "5400.00")]
    base: String,
    category: DuesCategory,
    #[schema(example = "81.00")]
    monthly: String,
    #[schema(example = json!(null))]
    fixed_monthly: Option<String>,
    member_category: MemberCategory,
}

#[utoipa::path(
    post, path = "/persons/{id}/dues-base", tag = "dues", operation_id = "set_dues_base",
    summary = "登记党费基数",
    description = "党务管理员、书记/支委；此人须有组织关系正常的党员档案，所在党支部在调用者范围内。之后某月再登记的基数从那个月起\
        取代它；同一月份再登记一次则覆盖该月的登记。按中组部 2008 年规定的比例对整个基数计算月交额：在职 3000 元及以下 0.5%、\
        3000–5000 元 1%、5000–10000 元 1.5%、10000 元以上 2%；离退休 5000 元及以下 0.5%、以上 1%（6000 元 → 60 元）；\
        其他为每月固定数额 0.2–1 元。类别不填时随党员类别。基数为税后的职务工资、级别工资、津贴补贴之和，不是实发工资。",
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
    let member_category =
        crate::party::store::membership_of(&state.db, id).await?.map(|m| m.category).unwrap_or(MemberCategory::DEFAULT);
    let body = DuesBase {
        person_id: id,
        effective_month: b.effective_month.format("%Y-%m").to_string(),
        base: dues::yuan(b.base_fen),
        category: b.category,
        monthly: dues::yuan(dues::standard_fen(&b)),
        fixed_monthly: b.fixed_fen.map(dues::yuan),
        member_category,
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
    description = "登记交纳：月份 `YYYY-MM`、人员编号（1–1000 个）和交纳日期 `YYYY-MM-DD`（不晚于今天）。金额不填时为该月应交的数额\
    （按基数和类别，计入经批准的少交、免交）；填了 `amount`（元）则每人按此金额登记（如自愿多交、补交差额），与应交不同时 `note` 必填。\
    经批准免交的月份不填金额不能登记"
)]
pub struct PayRequest {
    #[schema(pattern = r"^\d{4}-(0[1-9]|1[0-2])$", example = "2026-11")]
    month: String,
    #[schema(min_items = 1, max_items = 1000, example = json!([231, 232]))]
    person_ids: Vec<i32>,
    #[schema(format = Date, example = "2026-11-20")]
    paid_on: String,
    /// Each listed member's amount in yuan, when it is not the amount due.
    #[serde(default)]
    #[schema(pattern = r"^(\d+(\.\d{0,2})?)?$", example = json!(null))]
    amount: Option<String>,
    /// Why the amount differs (required then), at most 200 characters.
    #[serde(default)]
    #[schema(schema_with = note_schema)]
    note: Option<String>,
}

fn note_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::multiline(200, false)
}

#[derive(Serialize, ToSchema)]
#[schema(
    description = "新登记的人数（该月已登记过的人跳过，不计入）；`warnings` 为要提请注意的规定，如一次多交 1000 元以上的党费全部上缴中央"
)]
pub struct PaymentsRecorded {
    recorded: usize,
    warnings: Vec<String>,
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
        (status = 422, description = "月份、日期不符合规则，人员为空或超过 1000 人（`field` 为 `person_ids`），某人没有该月适用的基数或该月免交，\
            金额不是有效的数（`amount`），或金额与应交不同而没有说明（`note`）", body = ErrorBody),
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
    let amount = dues::payments::parse_amount("amount", req.amount.as_deref().unwrap_or_default())?;
    let note = req.note.unwrap_or_default();
    let lines: Vec<PaymentLine> =
        req.person_ids.iter().map(|&person_id| PaymentLine { person_id, amount, note: note.clone() }).collect();
    let done = dues::record_payments(&state, &actor, month, &lines, paid_on).await?;
    Ok(Json(PaymentsRecorded { recorded: done.recorded, warnings: done.warnings }))
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

#[derive(Serialize, ToSchema)]
#[schema(
    description = "经批准的少交或免交：起止月份（含两端）、批准的党委，少交时 `monthly` 为每月交纳的数额（两位小数的字符串）"
)]
pub struct DuesRelief {
    id: i32,
    person_id: i32,
    kind: ReliefKind,
    #[schema(example = "2026-01")]
    from_month: String,
    #[schema(example = "2026-12")]
    to_month: String,
    approved_by: String,
    #[schema(example = "5.00")]
    monthly: Option<String>,
    note: String,
    recorded_by: String,
}

impl From<dues::entity::relief::Model> for DuesRelief {
    fn from(r: dues::entity::relief::Model) -> Self {
        DuesRelief {
            id: r.id,
            person_id: r.person_id,
            kind: r.kind,
            from_month: r.from_month.format("%Y-%m").to_string(),
            to_month: r.to_month.format("%Y-%m").to_string(),
            approved_by: r.approved_by,
            monthly: r.reduced_fen.map(dues::yuan),
            note: r.note,
            recorded_by: r.recorded_by,
        }
    }
}

#[utoipa::path(
    post, path = "/persons/{id}/dues-reliefs", tag = "dues", operation_id = "add_dues_relief",
    summary = "登记经批准的少交或免交",
    description = "党务管理员、书记/支委；此人须有组织关系正常的党员档案，所在党支部在调用者范围内。困难党员经支部研究、报上一级党委批准，\
        可以少交或免交党费：起止月份都必填，期间内台账按少交的数额（或 0）计应交，期间外照常。与已登记的期间重叠时拒绝（先撤销原登记）。",
    params(("id" = i32, Path, description = "人员编号")),
    request_body = ReliefInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已登记", body = DuesRelief),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "没有党员档案，或不在范围内", body = ErrorBody),
        (status = 422, description = "字段不符合规则（如缺少截止月份、截止早于起始、数额无效、期间重叠），`errors` 或 `field` 指明", body = ErrorBody),
    )
)]
pub async fn add_relief(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<ReliefInput>,
) -> AppResult<Response> {
    let r = dues::add_relief(&state, &actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(DuesRelief::from(r))).into_response())
}

#[derive(Serialize, ToSchema)]
#[schema(description = "此人登记的全部少交、免交，起始月份晚的在前")]
pub struct DuesReliefList {
    items: Vec<DuesRelief>,
    total: usize,
}

#[utoipa::path(
    get, path = "/persons/{id}/dues-reliefs", tag = "dues", operation_id = "list_dues_reliefs",
    summary = "少交、免交登记",
    description = "党务管理员、纪检监察、书记/支委、领导；此人的党员档案所在党支部须在调用者范围内。",
    params(("id" = i32, Path, description = "人员编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "登记列表", body = DuesReliefList),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色不能查看，或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "没有党员档案，或不在范围内", body = ErrorBody),
    )
)]
pub async fn list_reliefs(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Json<DuesReliefList>> {
    let items: Vec<DuesRelief> =
        dues::reliefs_of(&state, &actor, id).await?.into_iter().map(DuesRelief::from).collect();
    Ok(Json(DuesReliefList { total: items.len(), items }))
}

#[derive(Deserialize, ToSchema)]
#[schema(description = "撤销原因（必填，不超过 200 字）")]
pub struct CancelReliefRequest {
    #[serde(default)]
    #[schema(schema_with = reason_schema, example = "批准期限登记错误")]
    reason: String,
}

fn reason_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::multiline(200, true)
}

#[utoipa::path(
    post, path = "/dues-reliefs/{id}/cancel", tag = "dues", operation_id = "cancel_dues_relief",
    summary = "撤销少交、免交登记",
    description = "党务管理员、书记/支委，此人须在其范围内。登记错了时用：期间内各月恢复按基数应交；原登记内容和撤销原因写入审计日志\
        （`dues.relief_cancel`）。",
    params(("id" = i32, Path, description = "少交、免交登记的编号")),
    request_body = CancelReliefRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已撤销"),
        (status = 400, description = "请求体不是 JSON", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "登记不存在，或不在范围内", body = ErrorBody),
        (status = 409, description = "刚刚已被别人撤销", body = ErrorBody),
        (status = 422, description = "缺少撤销原因或过长（`field` 为 `reason`）", body = ErrorBody),
    )
)]
pub async fn cancel_relief(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<CancelReliefRequest>,
) -> AppResult<StatusCode> {
    dues::cancel_relief(&state, &actor, id, &req.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
