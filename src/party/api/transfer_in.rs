//! JSON API of a transfer in from outside the bureau.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::membership::Membership;
use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::party::transfer_in::{self, TransferInInput};
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::IdPath;

#[utoipa::path(
    post, path = "/persons/{id}/membership/transfer-in", tag = "membership", operation_id = "transfer_in_membership",
    summary = "从局外转入",
    description = "党务管理员、书记/支委：此人须在调用者范围内，且没有组织关系在本局的党员档案（从未登记，或曾转出本局）；接收党支部\
        也须在调用者范围内。按转入介绍信建立党员档案（曾转出的恢复原档案），党员历程记下“转入”，人员档案的所在党组织改为接收党支部、\
        政治面貌随之改变；党费台账从转入当月起列入此人。日期规则同登记入党。",
    params(("id" = i32, Path, description = "人员编号")),
    request_body = TransferInInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已转入", body = Membership),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "人员或接收党支部不存在或不在范围内", body = ErrorBody),
        (status = 409, description = "组织关系已在本局，或党员档案已终止、停止（`field` 为 `membership`）", body = ErrorBody),
        (status = 422, description = "介绍信编号、开具的党组织、日期、党费交至月份、接收党支部或类别不符合规则（`errors` 列出全部）",
            body = ErrorBody),
    )
)]
pub async fn transfer_in(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<TransferInInput>,
) -> AppResult<Response> {
    let m = transfer_in::transfer_in(&state, &actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(Membership::from(m))).into_response())
}
