//! `/api/v1/sanctions` and `/api/v1/commitments`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::commitments::{self, Commitment, CommitmentInput, ReportRow};
use super::correction::CorrectionInput;
use super::record::{self, AppealInput, SanctionInput, Saved};
use super::service::{self, Filter, Sanction};
use super::stats::{self, Stats, StatsQuery};
use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::openapi::List;
use crate::state::AppState;
use crate::ui::PageParams;
use crate::ui::json::ApiJson;
use crate::ui::params::{IdPath, Params};

type ListQuery = crate::ui::ListParams<Filter>;

#[utoipa::path(
    get, path = "/sanctions", tag = "sanctions", operation_id = "list_sanctions",
    summary = "执纪问责记录列表",
    description = "按决定日期倒序。每次读取记一条 `sensitive.read`。纪检监察、党务管理员读取其范围内的全部记录；书记/支委只能读取本党组织范围内影响期内的记录和\
        “躺平摆烂、不担当不作为”的问责记录；领导只能看统计；系统管理员、安全审计员不能读取（403，并记 `access.denied`）。\
        `in_effect=true` 只列今天仍在影响期内的记录；`form` 为 1–4；`class` 为 重处分 或 轻处分；`org` 按记录时的所在党组织子树。",
    params(Filter, PageParams),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "记录", body = List<Sanction>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少纪律与风险信息查阅权限（记审计）", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<ListQuery>,
) -> AppResult<Json<List<Sanction>>> {
    let (items, total) = service::list(&state, &actor, &q.filter, q.page).await?;
    Ok(Json(List { items, total }))
}

#[utoipa::path(
    post, path = "/sanctions", tag = "sanctions", operation_id = "create_sanction",
    summary = "登记执纪问责记录",
    description = "纪检监察、党务管理员，人员须在其范围内（否则 404 并记 `access.denied`）。影响期、轻重、四种形态由种类和日期算出，不能填写。\
        拒绝：生效日期早于决定日期；留党察看未写期限；辅警的政务处分；非党员的党纪处分（含开除党籍）。开除党籍在同一事务中终止党籍（记 `party.end`）。\
        记 `sanction.create`。`warnings` 给出不阻止保存的提示（如“躺平摆烂”首次宜先谈话提醒）。",
    request_body = SanctionInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已登记", body = Saved),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有执纪问责记录维护权限或缺少 `X-CSRF-Token`", body = ErrorBody),
        (status = 404, description = "人员不存在或不在范围内", body = ErrorBody),
        (status = 422, description = "字段不符合规则，`errors` 列出全部问题", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<SanctionInput>,
) -> AppResult<Response> {
    let saved = record::create(&state, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

#[utoipa::path(
    get, path = "/sanctions/{id}", tag = "sanctions", operation_id = "get_sanction",
    summary = "一条执纪问责记录",
    description = "含 `influence_until`（影响期截止日，当日起不再有影响）、`in_effect`（今天是否在影响期内）和今天的限制 `bars`。记 `sensitive.read`。",
    params(("id" = i32, Path, description = "记录编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "记录", body = Sanction),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少纪律与风险信息查阅权限（记 `access.denied`）", body = ErrorBody),
        (status = 404, description = "不存在，或不在范围内（记 `access.denied`）", body = ErrorBody),
    )
)]
pub async fn get(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Json<Sanction>> {
    Ok(Json(service::detail(&state, &actor, id).await?))
}

#[utoipa::path(
    post, path = "/sanctions/{id}/appeal", tag = "sanctions", operation_id = "appeal_sanction",
    summary = "申诉复查：撤销或变更",
    description = "原记录保留并标为已撤销或已变更，效力作废；变更时新增变更后的记录（`replaces` 指向原记录），重新计算影响期。\
        撤销或变更开除党籍不会自动恢复党籍（`warnings` 说明）。记 `sanction.revoke` 或 `sanction.change`。",
    params(("id" = i32, Path, description = "记录编号")),
    request_body = AppealInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "变更后的记录（变更）或原记录（撤销）", body = Saved),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有执纪问责记录维护权限或缺少 `X-CSRF-Token`", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内", body = ErrorBody),
        (status = 409, description = "记录已撤销或已变更", body = ErrorBody),
        (status = 422, description = "字段不符合规则", body = ErrorBody),
    )
)]
pub async fn appeal(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<AppealInput>,
) -> AppResult<Json<Saved>> {
    Ok(Json(record::appeal(&state, &actor, id, &input).await?))
}

#[utoipa::path(
    post, path = "/sanctions/{id}/correct", tag = "sanctions", operation_id = "correct_sanction",
    summary = "更正笔误（不是撤销/变更）",
    description = "更正记录中与决定书原件不一致的录入错误：事实文字、作出决定的机关、文号、决定日期、生效日期；省略的字段不变，`reason` 必填。\
        处理决定本身（种类、留党察看期限）不能更正，须走申诉复查 `/sanctions/{id}/appeal`。更正前的版本保留在记录的 `corrections` 中，\
        影响期和是否在影响期内按更正后的日期重新计算。只能更正有效（未撤销、未变更）的记录。纪检监察、党务管理员在范围内；不在范围内 404 并记 `access.denied`。\
        记 `sanction.correct`（含更正前后的值）。",
    params(("id" = i32, Path, description = "记录编号")),
    request_body = CorrectionInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "更正后的记录（含 `corrections`）", body = Saved),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有执纪问责记录维护权限或缺少 `X-CSRF-Token`", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内", body = ErrorBody),
        (status = 409, description = "记录已撤销或已变更，或刚被他人修改", body = ErrorBody),
        (status = 422, description = "字段不符合规则，或没有需要更正的内容", body = ErrorBody),
    )
)]
pub async fn correct(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<CorrectionInput>,
) -> AppResult<Json<Saved>> {
    Ok(Json(super::correction::correct(&state, &actor, id, &input).await?))
}

#[utoipa::path(
    get, path = "/sanctions/stats", tag = "sanctions", operation_id = "sanction_stats",
    summary = "执纪问责统计",
    description = "某党组织子树某年度（按决定日期）的有效记录：按种类、四种形态、重处分与轻处分，按本级和各直接下级汇总。只有件数，不含姓名；\
        有统计与看板查阅权限者可看（领导、书记/支委、纪检监察、党务管理员）。",
    params(StatsQuery),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "统计", body = Stats),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少统计与看板查阅权限", body = ErrorBody),
        (status = 404, description = "党组织不存在或不在范围内", body = ErrorBody),
    )
)]
pub async fn get_stats(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<StatsQuery>,
) -> AppResult<Json<Stats>> {
    Ok(Json(stats::stats(&state, &actor, &q).await?))
}

#[utoipa::path(
    get, path = "/commitments", tag = "sanctions", operation_id = "list_commitments",
    summary = "“五个一律、五个零容忍”承诺条目",
    description = "本局维护的承诺条目；`example` 为随系统提供的示例，尚待本局改为自己的表述。",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "条目", body = List<Commitment>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有党组织查阅权限", body = ErrorBody),
    )
)]
pub async fn list_commitments(State(state): State<AppState>, actor: Actor) -> AppResult<Json<List<Commitment>>> {
    let items = commitments::list(&state, &actor).await?;
    let total = items.len() as u64;
    Ok(Json(List { items, total }))
}

#[utoipa::path(
    post, path = "/commitments", tag = "sanctions", operation_id = "create_commitment",
    summary = "新增承诺条目",
    description = "全局范围的纪检监察或党务管理员。记 `commitment.create`。",
    request_body = CommitmentInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已新增", body = Commitment),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "不是全局范围的维护者", body = ErrorBody),
        (status = 422, description = "字段不符合规则", body = ErrorBody),
    )
)]
pub async fn create_commitment(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<CommitmentInput>,
) -> AppResult<Response> {
    let c = commitments::create(&state, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

#[utoipa::path(
    put, path = "/commitments/{id}", tag = "sanctions", operation_id = "update_commitment",
    summary = "修改或停用承诺条目",
    description = "改写后不再标为示例；`retired: true` 停用（已登记的违反记录保留）。记 `commitment.update`。",
    params(("id" = i32, Path, description = "条目编号")),
    request_body = CommitmentInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已保存", body = Commitment),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "不是全局范围的维护者", body = ErrorBody),
        (status = 404, description = "不存在", body = ErrorBody),
        (status = 422, description = "字段不符合规则", body = ErrorBody),
    )
)]
pub async fn update_commitment(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<CommitmentInput>,
) -> AppResult<Json<Commitment>> {
    Ok(Json(commitments::update(&state, &actor, id, &input).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// The year (default: this year).
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub year: Option<i32>,
}

#[utoipa::path(
    get, path = "/commitments/report", tag = "sanctions", operation_id = "commitment_report",
    summary = "承诺条目违反情况",
    description = "某年度按条目和单位（记录时的所在党组织）统计违反次数，只有件数，限统计与看板查阅权限的范围。",
    params(YearQuery),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "统计", body = List<ReportRow>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少统计与看板查阅权限", body = ErrorBody),
    )
)]
pub async fn commitment_report(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<YearQuery>,
) -> AppResult<Json<List<ReportRow>>> {
    let year = q.year.unwrap_or_else(|| service::this_year(&state));
    let items = commitments::report(&state, &actor, year).await?;
    let total = items.len() as u64;
    Ok(Json(List { items, total }))
}
