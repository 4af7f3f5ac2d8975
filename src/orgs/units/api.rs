//! JSON API of the unit list.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::service::{self, UnitInput, UnitList, UnitPlacement, UnitView};
use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::{IdPath, Params};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// 名称或其他叫法中的字
    #[serde(default)]
    q: String,
    /// 页码，从 1 开始，每页 100 个
    #[serde(default, deserialize_with = "crate::ui::params::page_num")]
    #[param(value_type = Option<u64>, minimum = 1)]
    page: u64,
}

#[utoipa::path(
    get, path = "/units", tag = "orgs", operation_id = "list_units",
    summary = "单位名单",
    description = "有党组织查看权限的账号：覆盖党组织在其范围内的单位，以及尚未指定覆盖党组织的单位，按名称排序。",
    params(UnitQuery),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "单位", body = UnitList),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有查看党组织的权限", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<UnitQuery>,
) -> AppResult<Json<UnitList>> {
    Ok(Json(service::list(&state, &actor, &q.q, q.page).await?))
}

#[utoipa::path(
    post, path = "/units", tag = "orgs", operation_id = "create_unit",
    summary = "添加单位",
    description = "党务管理员；覆盖的党组织须在其范围内。",
    request_body = UnitInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已添加", body = UnitView),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有修改党组织的权限", body = ErrorBody),
        (status = 409, description = "名称或叫法已被别的单位使用", body = ErrorBody),
        (status = 422, description = "名称为空或过长，或找不到覆盖的党组织", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<UnitInput>,
) -> AppResult<Response> {
    let u = service::create(&state, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(u)).into_response())
}

#[utoipa::path(
    put, path = "/units/{id}", tag = "orgs", operation_id = "update_unit",
    summary = "修改单位",
    description = "党务管理员：整体替换名称、其他叫法和覆盖的党组织。单位原由其范围以外的党组织覆盖时 404。\
        `move_people` 为 true 且覆盖的党组织改变时，本单位现由原覆盖党组织管理的人员在同一事务中一并转到新的覆盖党组织\
        （逐人记入变更记录；党员的组织关系按本局内转接随之转入，记一条已接收的转接和党员历程“转入”，原党支部的委员、党小组职务随之免去），\
        要求对新旧两个党组织都有人员修改权限（范围以外 404 并记越权访问）；有党员而新的覆盖党组织不是党支部或联合支部、\
        或有党员的转接尚待接收时 422/409，什么也不改。省略或 false 时人员不动，下次修改或导入时按新的覆盖党组织安排。\
        移动前可用 `GET /units/{id}/placement` 预览。",
    params(("id" = i32, Path, description = "单位编号")),
    request_body = UnitInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已修改", body = UnitView),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有修改党组织的权限", body = ErrorBody),
        (status = 404, description = "单位不存在或不在范围内", body = ErrorBody),
        (status = 409, description = "名称或叫法已被别的单位使用", body = ErrorBody),
        (status = 422, description = "名称为空或过长，找不到覆盖的党组织，或人员不能随之移动（`field` 为 `move_people`）", body = ErrorBody),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<UnitInput>,
) -> AppResult<Json<UnitView>> {
    Ok(Json(service::update(&state, &actor, id, &input).await?))
}

#[utoipa::path(
    get, path = "/units/{id}/placement", tag = "orgs", operation_id = "unit_placement",
    summary = "单位人员分布（改换覆盖党组织的预览）",
    description = "党务管理员：本单位的人由现覆盖党组织管理的人数、其中党员人数（改换覆盖党组织并一并移动时转走的就是这些人），\
        以及在其他党组织的人数（不随之移动）。只有人数，不含个人信息。单位原由其范围以外的党组织覆盖时 404。",
    params(("id" = i32, Path, description = "单位编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "人员分布", body = UnitPlacement),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有修改党组织的权限", body = ErrorBody),
        (status = 404, description = "单位不存在或不在范围内", body = ErrorBody),
    )
)]
pub async fn placement(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Json<UnitPlacement>> {
    Ok(Json(service::placement(&state, &actor, id).await?))
}
