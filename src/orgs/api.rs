//! JSON API of organizations: `/api/v1/orgs`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::governance::{CommitteeInput, DissolveInput, Governance, TermInput};
use super::service::{self, OrgDetail, OrgFilter, OrgInput, OrgPatch, OrgView};
use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::openapi::List;
use crate::state::AppState;
use crate::ui::PageParams;
use crate::ui::json::ApiJson;
use crate::ui::params::{IdPath, Params};

type ListQuery = crate::ui::ListParams<OrgFilter>;

#[utoipa::path(
    get, path = "/orgs", tag = "orgs", operation_id = "list_orgs",
    summary = "党组织列表",
    description = "党组织可读范围内、未撤销的党组织，按树的顺序排列。参数：`q` 名称或所在单位的一部分；`kind` 类型\
        （党委、党总支、党支部、联合支部、党小组）；`under` 只看该党组织及其下级（范围外 404）。",
    params(OrgFilter, PageParams),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "党组织列表", body = List<OrgView>),
        (status = 400, description = "查询参数有误", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色不能查看党组织，或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "`under` 不存在或不在范围内", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<ListQuery>,
) -> AppResult<Json<List<OrgView>>> {
    let (items, total) = service::list(&state, &actor, &q.filter, q.page).await?;
    Ok(Json(List { items, total }))
}

#[utoipa::path(
    get, path = "/orgs/{id}", tag = "orgs", operation_id = "get_org",
    summary = "党组织详情",
    description = "含上级、直接下级、人数和届期与委员会（`governance`）。",
    params(("id" = i32, Path, description = "党组织编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "党组织详情", body = OrgDetail),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色不能查看党组织，或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在、已撤销或不在范围内", body = ErrorBody),
    )
)]
pub async fn get(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Json<OrgDetail>> {
    Ok(Json(service::get(&state, &actor, id).await?))
}

#[utoipa::path(
    post, path = "/orgs", tag = "orgs", operation_id = "create_org",
    summary = "新建党组织",
    description = "党务管理员，上级党组织须在其授权范围内。",
    request_body = OrgInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已新建", body = OrgView),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "上级不在可读范围内", body = ErrorBody),
        (status = 409, description = "同一上级下已有同名党组织", body = ErrorBody),
        (status = 422, description = "名称、类型或上级不符合规则（`field` 指明）", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<OrgInput>,
) -> AppResult<Response> {
    let created = service::create(&state, &actor, input).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// `PATCH /api/v1/orgs/{id}`: any of `name`, `unit_name` (rename) and `parent_id` (move), in
/// one transaction.
#[utoipa::path(
    patch, path = "/orgs/{id}", tag = "orgs", operation_id = "update_org",
    summary = "更名、调整隶属",
    description = "党务管理员，该党组织和新上级都须在其授权范围内。给出的各项在同一事务里生效，任何一项出错则全部不改；\
        移动时连同全部下级、人员、党员档案和转接记录一起改写。返回更新后的详情。",
    params(("id" = i32, Path, description = "党组织编号")),
    request_body = OrgPatch,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "更新后的详情", body = OrgDetail),
        (status = 400, description = "请求体不是 JSON、字段类型不对或有不认识的字段", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在、已撤销或不在范围内", body = ErrorBody),
        (status = 409, description = "重名：同级或新上级下已有同名党组织", body = ErrorBody),
        (status = 422, description = "不能移到该上级之下（`field` 为 `parent_id`）或名称不符合规则", body = ErrorBody),
    )
)]
pub async fn patch(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(patch): ApiJson<OrgPatch>,
) -> AppResult<Json<OrgDetail>> {
    service::update(&state, &actor, id, patch).await?;
    Ok(Json(service::get(&state, &actor, id).await?))
}

#[utoipa::path(
    put, path = "/orgs/{id}/term", tag = "orgs", operation_id = "set_org_term",
    summary = "登记届期与换届",
    description = "党务管理员，党组织须在其授权范围内。请求体是整条记录。返回新的届期与委员会信息。",
    params(("id" = i32, Path, description = "党组织编号")),
    request_body = TermInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "新的届期与委员会信息", body = Governance),
        (status = 400, description = "请求体不是 JSON 或字段类型不对（如 `term_years` 写成数字）", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在、已撤销或不在范围内", body = ErrorBody),
        (status = 422, description = "日期或届期不符合规则，`errors` 列出全部问题", body = ErrorBody),
    )
)]
pub async fn term(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<TermInput>,
) -> AppResult<Json<Governance>> {
    Ok(Json(super::governance::set_term(&state, &actor, id, &input).await?))
}

#[utoipa::path(
    post, path = "/orgs/{id}/committee", tag = "orgs", operation_id = "add_committee_member",
    summary = "增补委员",
    description = "党务管理员，党组织须在其授权范围内。成功时无正文。",
    params(("id" = i32, Path, description = "党组织编号")),
    request_body = CommitteeInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已增补"),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在、已撤销或不在范围内", body = ErrorBody),
        (status = 409, description = "此人已是本组织委员，或本组织已有书记", body = ErrorBody),
        (status = 422, description = "职务、人员或任职时间不符合规则", body = ErrorBody),
    )
)]
pub async fn committee_add(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<CommitteeInput>,
) -> AppResult<StatusCode> {
    super::governance::add_committee(&state, &actor, id, &input).await?;
    Ok(StatusCode::CREATED)
}

#[utoipa::path(
    delete, path = "/orgs/{id}/committee/{member_id}", tag = "orgs", operation_id = "remove_committee_member",
    summary = "免去委员",
    description = "党务管理员，党组织须在其授权范围内。",
    params(
        ("id" = i32, Path, description = "党组织编号"),
        ("member_id" = i32, Path, description = "委员记录编号（`governance.committee` 中的 `id`）"),
    ),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已免去"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "党组织不存在或不在范围内，或该委员记录不属于这个党组织", body = ErrorBody),
    )
)]
pub async fn committee_remove(
    State(state): State<AppState>,
    actor: Actor,
    IdPath((id, member_id)): IdPath<(i32, i32)>,
) -> AppResult<StatusCode> {
    super::governance::remove_committee(&state, &actor, id, member_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/orgs/{id}/dissolve", tag = "orgs", operation_id = "dissolve_org",
    summary = "撤销或合并党组织",
    description = "党务管理员，党组织及合并去向须在其授权范围内。在一个事务里完成；记录不删除，只是不再出现。",
    params(("id" = i32, Path, description = "党组织编号")),
    request_body = DissolveInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已撤销或合并"),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在、已撤销或不在范围内", body = ErrorBody),
        (status = 422, description = "原因、合并去向不符合规则，或还有下级组织、人员、待处理的转接", body = ErrorBody),
    )
)]
pub async fn dissolve(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<DissolveInput>,
) -> AppResult<StatusCode> {
    super::governance::dissolve(&state, &actor, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
