//! `/api/v1/risk-categories`, `/api/v1/screenings`, `/api/v1/risk-flags`, `/api/v1/warnings`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::categories::{self, Category, CategoryInput};
use super::flags::{self, Filter, Flag, FlagInput, StepInput};
use super::screenings::{self, BranchStatus, ConfirmInput, Screening, ScreeningDetail, ScreeningInput};
use super::stats::{self, Stats, StatsQuery};
use super::warnings::{self, Decision, DecisionInput, Rule, RuleInput, Warning};
use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::openapi::List;
use crate::state::AppState;
use crate::ui::PageParams;
use crate::ui::json::ApiJson;
use crate::ui::params::{IdPath, Params};

#[utoipa::path(
    get, path = "/risk-categories", tag = "risk", operation_id = "list_risk_categories",
    summary = "风险人员类别（20类人员）",
    description = "随程序提供的是依据调研整理、标注为示例（`example`）的候选清单，局里可改名、调整、停用和新增。`used` 为已登记的风险提示数。\
        有纪律与风险信息查阅或统计与看板查阅权限者可看。",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "类别", body = List<Category>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限", body = ErrorBody),
    )
)]
pub async fn list_categories(State(state): State<AppState>, actor: Actor) -> AppResult<Json<List<Category>>> {
    let items = categories::list(&state, &actor).await?;
    let total = items.len() as u64;
    Ok(Json(List { items, total }))
}

#[utoipa::path(
    post, path = "/risk-categories", tag = "risk", operation_id = "create_risk_category",
    summary = "新增风险人员类别",
    description = "纪检监察、党务管理员（执纪问责记录维护权限）。代码不能重复。记 `risk.category`。",
    request_body = CategoryInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已新增", body = Category),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限", body = ErrorBody),
        (status = 422, description = "字段不符合规则", body = ErrorBody),
    )
)]
pub async fn create_category(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<CategoryInput>,
) -> AppResult<Response> {
    let saved = categories::create(&state, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

#[utoipa::path(
    put, path = "/risk-categories/{id}", tag = "risk", operation_id = "update_risk_category",
    summary = "修改、停用风险人员类别",
    description = "改名、调整分组、适用对象、默认等级、复查间隔，或停用（`retired: true`，停用后不能再登记该类别的风险提示，已有的保留）。\
        空字段保持原值，代码不变。记 `risk.category`。",
    params(("id" = i32, Path, description = "类别编号")),
    request_body = CategoryInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已保存", body = Category),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限", body = ErrorBody),
        (status = 404, description = "不存在", body = ErrorBody),
        (status = 422, description = "字段不符合规则", body = ErrorBody),
    )
)]
pub async fn update_category(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<CategoryInput>,
) -> AppResult<Json<Category>> {
    Ok(Json(categories::update(&state, &actor, id, &input).await?))
}

#[utoipa::path(
    delete, path = "/risk-categories/{id}", tag = "risk", operation_id = "delete_risk_category",
    summary = "删除未使用的风险人员类别",
    description = "已有风险提示使用的类别不能删除（409），请停用。记 `risk.category`。",
    params(("id" = i32, Path, description = "类别编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已删除"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限", body = ErrorBody),
        (status = 404, description = "不存在", body = ErrorBody),
        (status = 409, description = "已被使用", body = ErrorBody),
    )
)]
pub async fn delete_category(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<StatusCode> {
    categories::delete(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get, path = "/screenings", tag = "risk", operation_id = "list_screenings",
    summary = "队伍隐患排查活动",
    description = "覆盖本人范围或在本人范围内的排查活动，每项附范围内支部数和已完成数（由各支部的确认汇总）。",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "活动", body = List<Screening>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少纪律与风险信息查阅权限", body = ErrorBody),
    )
)]
pub async fn list_screenings(State(state): State<AppState>, actor: Actor) -> AppResult<Json<List<Screening>>> {
    let items = screenings::list(&state, &actor).await?;
    let total = items.len() as u64;
    Ok(Json(List { items, total }))
}

#[utoipa::path(
    post, path = "/screenings", tag = "risk", operation_id = "create_screening",
    summary = "发起排查活动",
    description = "纪检监察、党务管理员，范围须在其授权范围内（否则 404 并记 `access.denied`）。记 `risk.screening`。",
    request_body = ScreeningInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已发起", body = Screening),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限", body = ErrorBody),
        (status = 404, description = "党组织不在范围内", body = ErrorBody),
        (status = 422, description = "字段不符合规则", body = ErrorBody),
    )
)]
pub async fn create_screening(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<ScreeningInput>,
) -> AppResult<Response> {
    let saved = screenings::create(&state, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

#[utoipa::path(
    get, path = "/screenings/{id}", tag = "risk", operation_id = "get_screening",
    summary = "排查活动详情与完成情况",
    description = "`units` 为范围内各直接下级单位的支部数和已完成数；`branch_list` 为本人范围内支部的一页（是否完成、确认人、登记人数、未发现问题人数）。领导（只看统计）也可查看，此时 `counts_only` 为 true，只有各单位的完成数，`branch_list` 为空。",
    params(("id" = i32, Path, description = "活动编号"), PageParams),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "详情", body = ScreeningDetail),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内（记 `access.denied`）", body = ErrorBody),
    )
)]
pub async fn get_screening(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Params(page): Params<PageParams>,
) -> AppResult<Json<ScreeningDetail>> {
    Ok(Json(screenings::detail(&state, &actor, id, page).await?))
}

#[utoipa::path(
    post, path = "/screenings/{id}/branches/{org_id}/confirm", tag = "risk", operation_id = "confirm_screening_branch",
    summary = "支部确认完成排查（其余人员未发现问题）",
    description = "一次操作：本次排查中已登记风险提示的人员之外，支部其余人员均确认“未发现问题”，不需逐人填写。\
        书记/支委（本支部）、纪检监察、党务管理员。不在范围内 404 并记 `access.denied`；已确认过 409。记 `risk.screening_confirm`。",
    params(("id" = i32, Path, description = "活动编号"), ("org_id" = i32, Path, description = "支部编号")),
    request_body = ConfirmInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已确认", body = BranchStatus),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内", body = ErrorBody),
        (status = 409, description = "已确认过", body = ErrorBody),
        (status = 422, description = "不是范围内的支部，或活动尚未开始", body = ErrorBody),
    )
)]
pub async fn confirm_branch(
    State(state): State<AppState>,
    actor: Actor,
    IdPath((id, org_id)): IdPath<(i32, i32)>,
    ApiJson(input): ApiJson<ConfirmInput>,
) -> AppResult<Json<BranchStatus>> {
    Ok(Json(screenings::confirm(&state, &actor, id, org_id, &input).await?))
}

type FlagQuery = crate::ui::ListParams<Filter>;

#[utoipa::path(
    get, path = "/risk-flags", tag = "risk", operation_id = "list_risk_flags",
    summary = "风险提示列表",
    description = "纪律与风险类敏感信息：纪检监察、党务管理员看范围内的，书记/支委看本党组织成员的；领导只看统计；系统管理员、安全审计员不能读取（403，记 `access.denied`）。\
        每次读取记一条 `sensitive.read`。`status=open` 为待跟进和跟进中；`review=due` 为已到复查日期的。",
    params(Filter, PageParams),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "风险提示", body = List<Flag>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少纪律与风险信息查阅权限（记审计）", body = ErrorBody),
    )
)]
pub async fn list_flags(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<FlagQuery>,
) -> AppResult<Json<List<Flag>>> {
    let (items, total) = flags::list(&state, &actor, &q.filter, q.page).await?;
    Ok(Json(List { items, total }))
}

#[utoipa::path(
    post, path = "/risk-flags", tag = "risk", operation_id = "create_risk_flag",
    summary = "登记风险提示",
    description = "人员须在本人范围内（否则 404 并记 `access.denied`）。拒绝：已停用的类别、不适用于此人的类别、红色而未写事实、来源或等级不在清单中。\
        同一事务中按类别对应的十必访情形生成必访任务。记 `risk.flag_create`。",
    request_body = FlagInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已登记", body = Flag),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限", body = ErrorBody),
        (status = 404, description = "人员不存在或不在范围内", body = ErrorBody),
        (status = 422, description = "字段不符合规则，`errors` 列出全部问题", body = ErrorBody),
    )
)]
pub async fn create_flag(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<FlagInput>,
) -> AppResult<Response> {
    let saved = flags::create(&state, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

#[utoipa::path(
    get, path = "/risk-flags/{id}", tag = "risk", operation_id = "get_risk_flag",
    summary = "一条风险提示及其全部处置记录",
    description = "记 `sensitive.read`。不在范围内 404，缺少权限 403，均记 `access.denied`。",
    params(("id" = i32, Path, description = "风险提示编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "风险提示", body = Flag),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少纪律与风险信息查阅权限（记 `access.denied`）", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内（记 `access.denied`）", body = ErrorBody),
    )
)]
pub async fn get_flag(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Json<Flag>> {
    Ok(Json(flags::detail(&state, &actor, id).await?))
}

#[utoipa::path(
    post, path = "/risk-flags/{id}/steps", tag = "risk", operation_id = "add_risk_flag_step",
    summary = "跟进风险提示：措施、复查、状态",
    description = "记一条处置记录：措施（带日期）、复查说明、状态变化（待跟进 → 跟进中 → 已化解或已升级；结案须写理由，结案后不能再跟进）、下次复查日期。记 `risk.flag_step`。",
    params(("id" = i32, Path, description = "风险提示编号")),
    request_body = StepInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "更新后的风险提示", body = Flag),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内", body = ErrorBody),
        (status = 409, description = "已结案", body = ErrorBody),
        (status = 422, description = "字段不符合规则", body = ErrorBody),
    )
)]
pub async fn add_step(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<StepInput>,
) -> AppResult<Json<Flag>> {
    Ok(Json(flags::step(&state, &actor, id, &input).await?))
}

#[utoipa::path(
    get, path = "/risk-flags/stats", tag = "risk", operation_id = "risk_flag_stats",
    summary = "队伍隐患排查统计",
    description = "按类别、等级、状态和单位汇总的件数，及排查活动完成情况；只有件数，不含姓名。领导、书记/支委、纪检监察、党务管理员可看。",
    params(StatsQuery),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "统计", body = Stats),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少统计与看板查阅权限", body = ErrorBody),
        (status = 404, description = "党组织不在范围内", body = ErrorBody),
    )
)]
pub async fn get_stats(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<StatsQuery>,
) -> AppResult<Json<Stats>> {
    Ok(Json(stats::stats(&state, &actor, &q).await?))
}

type WarningQuery = crate::ui::ListParams<warnings::Filter>;

#[utoipa::path(
    get, path = "/warnings", tag = "risk", operation_id = "list_warnings",
    summary = "预警审看名单",
    description = "纪检监察、党务管理员范围内由已启用的预警规则找出的人员，按党组织顺序（不排名）。每人附 `reasons`：每条为规则代码、等级和具体事实\
        （未结的风险提示、影响期内的处分、未参加组织生活、一年内多次被投诉、必访任务逾期）；`level` 为其中最高等级；`decision` 为最近一次审看决定，\
        `reviewed` 表示该决定针对的正是当前这些理由。`pending=true` 只列尚未审看的。不向本人展示。记 `sensitive.read`。",
    params(warnings::Filter, PageParams),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "名单", body = List<Warning>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "不是纪检监察或党务管理员（记 `access.denied`）", body = ErrorBody),
        (status = 404, description = "党组织不在范围内", body = ErrorBody),
    )
)]
pub async fn list_warnings(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<WarningQuery>,
) -> AppResult<Json<List<Warning>>> {
    let (items, total) = warnings::list(&state, &actor, &q.filter, q.page).await?;
    Ok(Json(List { items, total }))
}

#[utoipa::path(
    post, path = "/warnings/decisions", tag = "risk", operation_id = "decide_warning",
    summary = "记录审看决定",
    description = "`no_action`：已审看，暂不处置（须写审看意见）；`flag`：同一事务中登记风险提示。记录当时的理由；理由变化后此人重新列为待审看。\
        不会自动对人员做任何处理。记 `risk.warning_decide`。",
    request_body = DecisionInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已记录", body = Decision),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限", body = ErrorBody),
        (status = 404, description = "人员不存在或不在范围内", body = ErrorBody),
        (status = 422, description = "字段不符合规则或此人不在名单中", body = ErrorBody),
    )
)]
pub async fn decide(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<DecisionInput>,
) -> AppResult<Response> {
    let saved = warnings::decide(&state, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

#[utoipa::path(
    get, path = "/warnings/rules", tag = "risk", operation_id = "list_warning_rules",
    summary = "预警规则",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "规则", body = List<Rule>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限", body = ErrorBody),
    )
)]
pub async fn list_rules(State(state): State<AppState>, actor: Actor) -> AppResult<Json<List<Rule>>> {
    let items = warnings::rules(&state, &actor).await?;
    let total = items.len() as u64;
    Ok(Json(List { items, total }))
}

#[utoipa::path(
    put, path = "/warnings/rules/{id}", tag = "risk", operation_id = "update_warning_rule",
    summary = "启停、调整预警规则",
    description = "纪检监察、党务管理员。记 `risk.rule`。",
    params(("id" = i32, Path, description = "规则编号")),
    request_body = RuleInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已保存", body = Rule),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限", body = ErrorBody),
        (status = 404, description = "不存在", body = ErrorBody),
        (status = 422, description = "等级或阈值不符合规则", body = ErrorBody),
    )
)]
pub async fn update_rule(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<RuleInput>,
) -> AppResult<Json<Rule>> {
    Ok(Json(warnings::update_rule(&state, &actor, id, &input).await?))
}
