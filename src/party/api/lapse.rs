//! JSON API of the six months' rule (党章第九条): the members to review and the review.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::party::lapse::{self, Conclusion, LapseList, ReviewInput};
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::{IdPath, Params};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LapseQuery {
    /// 页码，从 1 开始，每页 100 名
    #[serde(default, deserialize_with = "crate::ui::params::page_num")]
    #[param(value_type = Option<u64>, minimum = 1)]
    page: u64,
}

#[utoipa::path(
    get, path = "/lapse", tag = "membership", operation_id = "list_lapse",
    summary = "党章第九条核查清单",
    description = "书记/支委、党务管理员：其范围内连续六个月未交党费、本期尚未核查的党员，列出三项事实（党费、组织生活、\
        分配的工作；系统尚无记录的写明）。只供核查，系统不会自动作任何处理。",
    params(LapseQuery),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "核查清单", body = LapseList),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<LapseQuery>,
) -> AppResult<Json<LapseList>> {
    Ok(Json(lapse::list(&state, &actor, usize::try_from(q.page).unwrap_or(1)).await?))
}

#[derive(Serialize, ToSchema)]
#[schema(description = "已记录的核查结论")]
pub struct Review {
    person_id: i32,
    reviewed_on: chrono::NaiveDate,
    conclusion: Conclusion,
    note: String,
}

#[utoipa::path(
    post, path = "/persons/{id}/lapse-review", tag = "membership", operation_id = "review_lapse",
    summary = "记录党章第九条核查结论",
    description = "书记/支委、党务管理员，党员所在党支部须在其范围内。记入党员历程；本期（连续六个月）内核查过的不再提醒。\
        结论为“提请支部大会讨论”的，支部大会决定除名后在党籍终止中登记（方式：自行脱党）。",
    params(("id" = i32, Path, description = "人员编号")),
    request_body = ReviewInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已记录", body = Review),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "没有党员档案，或不在范围内", body = ErrorBody),
        (status = 409, description = "党员档案不是正常状态", body = ErrorBody),
        (status = 422, description = "结论、日期或说明不符合规则（`errors` 列出全部）", body = ErrorBody),
    )
)]
pub async fn review(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> AppResult<Response> {
    let r = lapse::review(&state, &actor, id, &input).await?;
    let body = Review { person_id: r.person_id, reviewed_on: r.reviewed_on, conclusion: r.conclusion, note: r.note };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}
