//! JSON API of organizations: `/api/v1/orgs` (the detail, its changes that answer with it and
//! the term are the organization page's, `orgpage::api`; the committee is Party's).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::dissolve::DissolveInput;
use super::service::{self, OrgFilter, OrgInput, OrgView};
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
    super::dissolve::dissolve(&state, &actor, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
