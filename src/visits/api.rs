//! `/api/v1/visits`, `/api/v1/visit-tasks`, `/api/v1/visit-followups`, `/api/v1/care-items`,
//! `/api/v1/visit-situations` and
//! `/api/v1/visit-campaigns`. The 五知 and the visit notes are never in these answers: they are
//! read through `POST /api/v1/persons/{id}/reveal` (`five_knowns`, `visit_notes`), audited.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::campaigns::{self, Campaign, CampaignDetail, CampaignInput};
use super::care::{self, CareFilter, CareItem, CloseCare, NewCare};
use super::coverage::{self, Coverage, CoverageQuery};
use super::followups::{self, CompleteFollowUp};
use super::service::{self, VisitDetail, VisitFilter, VisitRow};
use super::tasks::{self, MustVisit, RaiseInput, Situation, SituationInput, TaskFilter};
use super::{VisitInput, record};
use crate::auth::{Actor, Permission};
use crate::error::{AppResult, ErrorBody};
use crate::openapi::List;
use crate::orgs::picker::PickOption;
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::{IdPath, Params};
use crate::ui::{ListParams, PageParams};

/// Suggestions for visitors and owners: people the actor reads whose name, initials or police
/// number the text finds (at most 20); for the visitors of a joint visit, anyone in the
/// campaign's subtree (see [`record::campaign_visitor_root`]).
pub async fn pick(state: &AppState, actor: &Actor, q: &str, campaign: Option<i32>) -> AppResult<Vec<PickOption>> {
    actor.require(Permission::PersonRead)?;
    let joint = match campaign {
        Some(c) => record::campaign_visitor_root(state, actor, c).await?,
        None => None,
    };
    let root = actor
        .grants
        .iter()
        .filter(|g| g.role.has(Permission::PersonRead))
        .map(|g| g.org_path.clone())
        .chain(joint.clone())
        .min_by_key(String::len)
        .unwrap_or_else(|| "/".to_owned());
    let rows =
        crate::people::store::pick_among(&state.db, crate::people::store::everyone_in(&root), true, q, 20).await?;
    let scope = actor.scope(Permission::PersonRead);
    let org_ids: Vec<i32> = rows.iter().filter_map(|p| p.org_id).collect();
    let orgs = crate::orgs::store::names(&state.db, &org_ids).await?;
    Ok(rows
        .into_iter()
        .filter(|p| {
            let path = p.org_path.as_deref().unwrap_or("/");
            scope.contains(path) || joint.as_deref().is_some_and(|r| path.starts_with(r))
        })
        .map(|p| {
            let org = p.org_id.and_then(|o| orgs.get(&o)).map(|o| format!(" · {o}")).unwrap_or_default();
            PickOption { id: p.id, value: format!("{}（#{}）", p.name, p.id), label: format!("{}{org}", p.kind) }
        })
        .collect())
}

#[utoipa::path(
    get, path = "/visits", tag = "visits", operation_id = "list_visits",
    summary = "家访记录",
    description = "范围内（名册查阅权限）的家访：何时、由谁、以何种方式走访。不含走访记录的内容。",
    params(VisitFilter, PageParams),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "家访", body = List<VisitRow>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少名册查阅权限", body = ErrorBody),
        (status = 404, description = "`org` 不存在或不在范围内（范围外记审计）", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Params(p): Params<ListParams<VisitFilter>>,
) -> AppResult<Json<List<VisitRow>>> {
    let (items, total) = service::list(&state, &actor, &p.filter, p.page).await?;
    Ok(Json(List { items, total }))
}

/// A visit to record.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewVisit {
    /// The person visited.
    pub person_id: i32,
    #[serde(flatten)]
    pub visit: VisitInput,
}

#[utoipa::path(
    post, path = "/visits", tag = "visits", operation_id = "create_visit",
    summary = "记录家访",
    description = "要求在此人所在党组织既能修改档案又持有家庭与关爱类查阅权限（书记/支委、党务管理员）。一个事务写入家访（五知的新版本）、\
        走访人、见到的家庭成员（新的一并登记为家庭成员，记 `family.create`）、后续措施、关怀事项，并完成所列的必访任务；记 `visit.create`\
        （摘要不含记录内容）。走访日期晚于今天、没有走访人、后续措施或关怀没有负责人、负责人或走访人不在范围内：422，逐项列出，不保存任何内容。",
    request_body = NewVisit,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已记录", body = VisitDetail),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限（信息中写明）", body = ErrorBody),
        (status = 404, description = "人员不存在或不在范围内（记审计）", body = ErrorBody),
        (status = 422, description = "字段不符合规则，`errors` 列出全部问题", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<NewVisit>,
) -> AppResult<Response> {
    let id = record::create(&state, &actor, input.person_id, &input.visit).await?;
    let (_, d) = service::detail(&state, &actor, id, false).await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

#[utoipa::path(
    get, path = "/visits/{id}", tag = "visits", operation_id = "get_visit",
    summary = "家访详情（不含记录内容）",
    description = "范围内可读名册的人，或被走访的本人。五知和走访记录的内容经 `POST /persons/{id}/reveal` 查看。",
    params(("id" = i32, Path, description = "家访编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "家访", body = VisitDetail),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少名册查阅权限，或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内（范围外记审计）", body = ErrorBody),
    )
)]
pub async fn get(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Json<VisitDetail>> {
    Ok(Json(service::detail(&state, &actor, id, false).await?.1))
}

#[utoipa::path(
    get, path = "/visits/coverage", tag = "visits", operation_id = "visit_coverage",
    summary = "家访覆盖情况",
    description = "由记录计算：党组织子树在一个全员访周期内的人数、已走访人数与覆盖率、逾期的必访、未完成的后续措施，以及直接下级逐行。",
    params(CoverageQuery),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "覆盖情况", body = Coverage),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少名册查阅权限", body = ErrorBody),
        (status = 404, description = "党组织不存在或不在范围内（记审计）", body = ErrorBody),
        (status = 422, description = "周期无效", body = ErrorBody),
    )
)]
pub async fn coverage(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<CoverageQuery>,
) -> AppResult<Json<Coverage>> {
    Ok(Json(coverage::coverage(&state, &actor, &q).await?))
}

#[utoipa::path(
    get, path = "/visit-tasks", tag = "visits", operation_id = "list_visit_tasks",
    summary = "必访任务",
    description = "范围内的必访任务（十必访情形产生），期限在前。`status`：open（默认）、overdue、closed、all。",
    params(TaskFilter, PageParams),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "必访任务", body = List<MustVisit>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少名册查阅权限", body = ErrorBody),
    )
)]
pub async fn list_tasks(
    State(state): State<AppState>,
    actor: Actor,
    Params(p): Params<ListParams<TaskFilter>>,
) -> AppResult<Json<List<MustVisit>>> {
    let (items, total) = tasks::list(&state, &actor, &p.filter, p.page).await?;
    Ok(Json(List { items, total }))
}

#[utoipa::path(
    post, path = "/visit-tasks", tag = "visits", operation_id = "raise_visit_task",
    summary = "登记必访情形",
    description = "对范围内可修改档案的人员登记一项十必访情形，生成必访任务，期限为发生日期加该情形的天数。记 `visit.task_raise`。",
    request_body = RaiseInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已生成", body = MustVisit),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限", body = ErrorBody),
        (status = 404, description = "人员不存在或不在范围内（记审计）", body = ErrorBody),
        (status = 422, description = "情形、日期或说明不符合规则", body = ErrorBody),
    )
)]
pub async fn raise_task(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<RaiseInput>,
) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(tasks::raise(&state, &actor, &input).await?)).into_response())
}

#[utoipa::path(
    get, path = "/care-items", tag = "visits", operation_id = "list_care_items",
    summary = "关怀事项",
    description = "范围内的关怀事项（类别、负责人、状态），不含内容。",
    params(CareFilter, PageParams),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "关怀事项", body = List<CareItem>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少名册查阅权限", body = ErrorBody),
    )
)]
pub async fn list_care(
    State(state): State<AppState>,
    actor: Actor,
    Params(p): Params<ListParams<CareFilter>>,
) -> AppResult<Json<List<CareItem>>> {
    let (items, total) = care::list(&state, &actor, &p.filter, p.page).await?;
    Ok(Json(List { items, total }))
}

#[utoipa::path(
    post, path = "/care-items", tag = "visits", operation_id = "create_care_item",
    summary = "登记关怀事项",
    description = "权限同记录家访。可关联发现需求的家访（`visit_id`）。记 `care.create`。",
    request_body = NewCare,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已登记", body = CareItem),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限", body = ErrorBody),
        (status = 404, description = "人员不存在或不在范围内（记审计）", body = ErrorBody),
        (status = 422, description = "类别、内容或负责人不符合规则", body = ErrorBody),
    )
)]
pub async fn create_care(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<NewCare>,
) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(care::create(&state, &actor, &input).await?)).into_response())
}

#[utoipa::path(
    get, path = "/care-items/{id}", tag = "visits", operation_id = "get_care_item",
    summary = "关怀事项（含内容）",
    description = "要求在此人所在党组织持有家庭与关爱类查阅权限；每次读取记 `sensitive.read`。",
    params(("id" = i32, Path, description = "关怀事项编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "关怀事项", body = CareItem),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少家庭与关爱类查阅权限", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内（记审计）", body = ErrorBody),
    )
)]
pub async fn get_care(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Json<CareItem>> {
    Ok(Json(care::get(&state, &actor, id).await?))
}

#[utoipa::path(
    post, path = "/care-items/{id}/close", tag = "visits", operation_id = "close_care_item",
    summary = "办结关怀事项",
    description = "权限同记录家访；办结情况必填。已办结的 409。记 `care.close`。",
    params(("id" = i32, Path, description = "关怀事项编号")),
    request_body = CloseCare,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已办结", body = CareItem),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限或 `X-CSRF-Token`", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内（记审计）", body = ErrorBody),
        (status = 409, description = "已办结", body = ErrorBody),
        (status = 422, description = "办结情况或日期不符合规则", body = ErrorBody),
    )
)]
pub async fn close_care(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<CloseCare>,
) -> AppResult<Json<CareItem>> {
    Ok(Json(care::close(&state, &actor, id, &input).await?))
}

#[utoipa::path(
    post, path = "/visit-followups/{id}/done", tag = "visits", operation_id = "complete_visit_followup",
    summary = "后续措施完成",
    description = "权限同记录家访；完成日期不早于走访日期、不晚于今天，不填为今天。已完成的 409。\
        返回所属家访的详情（不含走访记录的内容）。记 `visit.followup_done`。",
    params(("id" = i32, Path, description = "后续措施编号（见家访详情的 follow_ups）")),
    request_body = CompleteFollowUp,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已完成；所属家访", body = VisitDetail),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少权限或 `X-CSRF-Token`", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内（记审计）", body = ErrorBody),
        (status = 409, description = "已完成", body = ErrorBody),
        (status = 422, description = "完成日期不符合规则", body = ErrorBody),
    )
)]
pub async fn complete_followup(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<CompleteFollowUp>,
) -> AppResult<Json<VisitDetail>> {
    let visit = followups::complete(&state, &actor, id, &input).await?;
    Ok(Json(service::detail(&state, &actor, visit, false).await?.1))
}

#[utoipa::path(
    get, path = "/visit-situations", tag = "visits", operation_id = "list_visit_situations",
    summary = "十必访情形",
    description = "字典：代码、名称、期限天数、是否启用。名册查阅权限或字典维护权限（系统管理员）。",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "情形", body = List<Situation>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少名册查阅权限或字典维护权限", body = ErrorBody),
    )
)]
pub async fn list_situations(State(state): State<AppState>, actor: Actor) -> AppResult<Json<List<Situation>>> {
    if !actor.can(Permission::DictionaryManage) {
        actor.require(Permission::PersonRead)?;
    }
    let items = tasks::situations(&state).await?;
    let total = items.len() as u64;
    Ok(Json(List { items, total }))
}

#[utoipa::path(
    post, path = "/visit-situations", tag = "visits", operation_id = "create_visit_situation",
    summary = "新增十必访情形",
    description = "系统管理员（字典维护权限）新增本局的情形；代码自动生成（custom_N），只用于手工登记。记 `visit.situation_add`。",
    request_body = SituationInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已新增", body = Situation),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少字典维护权限", body = ErrorBody),
        (status = 422, description = "名称或期限不符合规则，或与其他情形重名", body = ErrorBody),
    )
)]
pub async fn create_situation(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<SituationInput>,
) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(tasks::create_situation(&state, &actor, &input).await?)).into_response())
}

#[utoipa::path(
    put, path = "/visit-situations/{id}", tag = "visits", operation_id = "update_visit_situation",
    summary = "修改十必访情形",
    description = "系统管理员（字典维护权限）：改名、改期限、停用或重新启用。代码不变（其他业务按代码报告情形）。记 `visit.situation`。",
    params(("id" = i32, Path, description = "情形编号")),
    request_body = SituationInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已保存", body = Situation),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少字典维护权限", body = ErrorBody),
        (status = 404, description = "不存在", body = ErrorBody),
        (status = 422, description = "名称或期限不符合规则，或与其他情形重名", body = ErrorBody),
    )
)]
pub async fn update_situation(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<SituationInput>,
) -> AppResult<Json<Situation>> {
    Ok(Json(tasks::update_situation(&state, &actor, id, &input).await?))
}

#[utoipa::path(
    get, path = "/visit-campaigns", tag = "visits", operation_id = "list_visit_campaigns",
    summary = "联合访活动",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "活动", body = List<Campaign>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少名册查阅权限", body = ErrorBody),
    )
)]
pub async fn list_campaigns(State(state): State<AppState>, actor: Actor) -> AppResult<Json<List<Campaign>>> {
    let items = campaigns::list(&state, &actor).await?;
    let total = items.len() as u64;
    Ok(Json(List { items, total }))
}

#[utoipa::path(
    post, path = "/visit-campaigns", tag = "visits", operation_id = "create_visit_campaign",
    summary = "建立联合访活动",
    description = "党务管理员在其范围内的党组织上建立。对象规则：all、new_recruits、injured、sanctioned（须有纪律与风险信息查阅权限）、fallen_families（人员类别为民警、在职状态为因公牺牲者，走访其家属）、fallen_families_all（民警和辅警中因公牺牲者）。记 `visit.campaign`。",
    request_body = CampaignInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已建立", body = Campaign),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少党组织维护权限", body = ErrorBody),
        (status = 404, description = "党组织不在范围内（记审计）", body = ErrorBody),
        (status = 422, description = "字段不符合规则", body = ErrorBody),
    )
)]
pub async fn create_campaign(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<CampaignInput>,
) -> AppResult<Response> {
    Ok((StatusCode::CREATED, Json(campaigns::create(&state, &actor, &input).await?)).into_response())
}

#[utoipa::path(
    get, path = "/visit-campaigns/{id}", tag = "visits", operation_id = "get_visit_campaign",
    summary = "联合访活动及各党组织的完成情况",
    params(("id" = i32, Path, description = "活动编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "活动", body = CampaignDetail),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少名册查阅权限，或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内（记审计）", body = ErrorBody),
    )
)]
pub async fn get_campaign(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Json<CampaignDetail>> {
    Ok(Json(campaigns::detail(&state, &actor, id).await?))
}

#[utoipa::path(
    get, path = "/visits/settings", tag = "visits", operation_id = "get_visit_settings",
    summary = "家访设置",
    description = "全员访周期（月）。名册查阅权限；`can_edit` 表示调用者（全局党务管理员）可否修改。",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "设置", body = super::settings::Settings),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少名册查阅权限", body = ErrorBody),
    )
)]
pub async fn get_settings(State(state): State<AppState>, actor: Actor) -> AppResult<Json<super::settings::Settings>> {
    Ok(Json(super::settings::get(&state, &actor).await?))
}

#[utoipa::path(
    put, path = "/visits/settings", tag = "visits", operation_id = "update_visit_settings",
    summary = "修改家访设置",
    description = "全局党务管理员修改全员访周期：12、6、4 或 3 个月；覆盖情况随即按新周期计算（周期写法：按年为 2026，按半年为 2026-2 等）。\
        记 `visit.settings`（修改前后的周期）。",
    request_body = super::settings::SettingsInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "修改后的设置", body = super::settings::Settings),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "不是全局党务管理员，或缺少 `X-CSRF-Token`", body = ErrorBody),
        (status = 422, description = "周期不是 12、6、4 或 3", body = ErrorBody),
    )
)]
pub async fn update_settings(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<super::settings::SettingsInput>,
) -> AppResult<Json<super::settings::Settings>> {
    Ok(Json(super::settings::update(&state, &actor, &input).await?))
}
