//! JSON API of the letter of a transfer out of the bureau: issue it, download it, record its
//! receipt.

use axum::Json;
use axum::extract::State;
use axum::response::Response;

use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::party::letter::{self, IssueInput, LetterView, ReceiptInput};
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::IdPath;

/// The same letter as the web page's `letter.docx`.
#[utoipa::path(
    get, path = "/transfers/{id}/docx", tag = "membership", operation_id = "get_transfer_letter",
    summary = "组织关系介绍信",
    description = "局外转接（已转出）的《中国共产党党员组织关系介绍信》，Word 文件，含存根、介绍信和回执三联。要求能查阅敏感信息\
        （党务管理员、纪检监察、书记/支委），且转出党支部在调用者范围内。尚未开具的，由有写权限的调用者在第一次下载时开具\
        （党费交至月份取最近一次交纳记录，没有记录时拒绝，请先登记交纳或用 `POST /transfers/{id}/letter` 填写党费交至月份）；\
        编号、日期和党费交至月份开具时确定，以后每次下载都相同。介绍信含完整身份证号和电话，每次生成都记审计。",
    params(("id" = i32, Path, description = "转接编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "介绍信（.docx）",
            content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            body = crate::openapi::Binary),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "不能查阅敏感信息，或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内", body = ErrorBody),
        (status = 409, description = "尚未开具，调用者没有写权限开具", body = ErrorBody),
        (status = 422, description = "本局内部转接没有介绍信，或党费交至月份未登记（`field` 为 `dues_paid_to`）", body = ErrorBody),
    )
)]
pub async fn letter(state: State<AppState>, actor: Actor, id: IdPath<i32>) -> AppResult<Response> {
    crate::party::web::letter::letter(state, actor, id).await
}

#[utoipa::path(
    post, path = "/transfers/{id}/letter", tag = "membership", operation_id = "issue_transfer_letter",
    summary = "开具介绍信",
    description = "党务管理员、书记/支委，转出党支部须在调用者范围内，只适用于转出本局（已转出）的转接。按开具年度顺序编号\
        （如“〔2026〕第 0012 号”），日期为今天；`dues_paid_to` 省略时取最近一次交纳记录，没有记录时拒绝。已开具的原样返回\
        （编号不变）。",
    params(("id" = i32, Path, description = "转接编号")),
    request_body = IssueInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "介绍信", body = LetterView),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内", body = ErrorBody),
        (status = 422, description = "本局内部转接，或党费交至月份未知或不符合规则", body = ErrorBody),
    )
)]
pub async fn issue(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<IssueInput>,
) -> AppResult<Json<LetterView>> {
    Ok(Json(letter::issue(&state, &actor, id, &input).await?.into()))
}

#[utoipa::path(
    post, path = "/transfers/{id}/receipt", tag = "membership", operation_id = "record_letter_receipt",
    summary = "登记介绍信回执",
    description = "党务管理员、书记/支委，转出党支部须在调用者范围内。接收方寄回回执后登记：日期、接收党组织、备注，只能登记一次。\
        介绍信开具 30 天后仍未登记回执的，工作台提醒转出方。",
    params(("id" = i32, Path, description = "转接编号")),
    request_body = ReceiptInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已登记", body = LetterView),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内", body = ErrorBody),
        (status = 409, description = "尚未开具介绍信，或回执已登记", body = ErrorBody),
        (status = 422, description = "本局内部转接，或日期、接收党组织、备注不符合规则（`errors` 列出全部）", body = ErrorBody),
    )
)]
pub async fn receipt(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<ReceiptInput>,
) -> AppResult<Json<LetterView>> {
    Ok(Json(letter::record_receipt(&state, &actor, id, &input).await?.into()))
}
