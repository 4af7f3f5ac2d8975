//! The JSON of an organization's page: `GET /api/v1/orgs/{id}`, and the changes that answer
//! with it (`PATCH`, and `PUT …/term` with its governance part). The changes are `orgs`' use
//! cases; only the answer is assembled here.

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Governance, OrgDetail};
use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::orgs::service::OrgPatch;
use crate::orgs::terms::TermInput;
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::IdPath;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get, patch)).routes(routes!(term))
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
    Ok(Json(super::detail(&state, &actor, id).await?))
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
    Ok(Json(super::update(&state, &actor, id, patch).await?))
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
    Ok(Json(super::set_term(&state, &actor, id, &input).await?))
}
