//! `/api/v1/persons/{id}/police`, `/persons/{id}/awards`, `/persons/{id}/appraisals`,
//! `/awards/{id}`, `/appraisals/{id}`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::records::{self, Appraisal, Award};
use super::search::{self, PoliceFilter, PoliceRow};
use super::service::{self, Police};
use super::{AppraisalInput, AwardInput, PoliceInput};
use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::openapi::List;
use crate::state::AppState;
use crate::ui::PageParams;
use crate::ui::json::ApiJson;
use crate::ui::params::{IdPath, Params};

#[utoipa::path(
    get, path = "/persons/{id}/police", tag = "police", operation_id = "get_police",
    summary = "警务信息",
    description = "领导职务、职级、警衔及授衔时间、警种、编制，辅警的类别、用工单位和劳动合同；`warnings` 为尚未登记的项。\
        要求在此人所在党组织持有人员查阅权限，或是本人。",
    params(("id" = i32, Path, description = "人员编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "警务信息", body = Police),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少人员查阅权限，或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "人员不存在、已删除或不在范围内（范围外记审计）", body = ErrorBody),
    )
)]
pub async fn get(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Json<Police>> {
    Ok(Json(service::get(&state, &actor, id).await?.1))
}

#[utoipa::path(
    put, path = "/persons/{id}/police", tag = "police", operation_id = "put_police",
    summary = "修改警务信息",
    description = "整条替换（空字段即不登记）。要求在此人所在党组织持有人员修改权限。各项取值见请求体说明；与人员类别矛盾的\
        （辅警的警衔、民警的劳动合同）和合同结束早于开始的拒绝，逐字段列出。有改动时记 `police.update`（摘要列出改动的项）。",
    params(("id" = i32, Path, description = "人员编号")),
    request_body = PoliceInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已保存", body = Police),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少人员修改权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "人员不存在、已删除或不在范围内", body = ErrorBody),
        (status = 422, description = "字段不符合规则，`errors` 列出全部问题", body = ErrorBody),
    )
)]
pub async fn put(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<PoliceInput>,
) -> AppResult<Json<Police>> {
    Ok(Json(service::put(&state, &actor, id, &input).await?))
}

#[utoipa::path(
    get, path = "/persons/{id}/awards", tag = "police", operation_id = "list_awards",
    summary = "奖励",
    description = "按日期从近到远。权限同读取警务信息。",
    params(("id" = i32, Path, description = "人员编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "奖励", body = List<Award>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少人员查阅权限", body = ErrorBody),
        (status = 404, description = "人员不存在、已删除或不在范围内", body = ErrorBody),
    )
)]
pub async fn list_awards(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Json<List<Award>>> {
    let items = records::awards(&state, &actor, id).await?;
    let total = items.len() as u64;
    Ok(Json(List { items, total }))
}

#[utoipa::path(
    post, path = "/persons/{id}/awards", tag = "police", operation_id = "create_award",
    summary = "登记奖励",
    description = "类别为嘉奖、三等功、二等功、一等功、荣誉称号；荣誉称号须写明称号。要求人员修改权限。记 `police.award_add`。",
    params(("id" = i32, Path, description = "人员编号")),
    request_body = AwardInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已登记", body = Award),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少人员修改权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "人员不存在、已删除或不在范围内", body = ErrorBody),
        (status = 422, description = "字段不符合规则，`errors` 列出全部问题", body = ErrorBody),
    )
)]
pub async fn create_award(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<AwardInput>,
) -> AppResult<Response> {
    let a = records::add_award(&state, &actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

#[utoipa::path(
    put, path = "/awards/{id}", tag = "police", operation_id = "update_award",
    summary = "修改奖励",
    description = "整条替换，规则和权限同登记。记 `police.award_update`。",
    params(("id" = i32, Path, description = "奖励编号")),
    request_body = AwardInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已保存", body = Award),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少人员修改权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在，或所属人员不在范围内", body = ErrorBody),
        (status = 422, description = "字段不符合规则，`errors` 列出全部问题", body = ErrorBody),
    )
)]
pub async fn update_award(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<AwardInput>,
) -> AppResult<Json<Award>> {
    Ok(Json(records::update_award(&state, &actor, id, &input).await?.1))
}

#[utoipa::path(
    delete, path = "/awards/{id}", tag = "police", operation_id = "delete_award",
    summary = "删除奖励",
    description = "权限同登记。记 `police.award_delete`（摘要保留类别和日期）。",
    params(("id" = i32, Path, description = "奖励编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已删除"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少人员修改权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在，或所属人员不在范围内", body = ErrorBody),
    )
)]
pub async fn delete_award(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<StatusCode> {
    records::delete_award(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get, path = "/persons/{id}/appraisals", tag = "police", operation_id = "list_appraisals",
    summary = "年度考核",
    description = "按年度从近到远，每年一条。权限同读取警务信息。",
    params(("id" = i32, Path, description = "人员编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "年度考核", body = List<Appraisal>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少人员查阅权限", body = ErrorBody),
        (status = 404, description = "人员不存在、已删除或不在范围内", body = ErrorBody),
    )
)]
pub async fn list_appraisals(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Json<List<Appraisal>>> {
    let items = records::appraisals(&state, &actor, id).await?;
    let total = items.len() as u64;
    Ok(Json(List { items, total }))
}

#[utoipa::path(
    post, path = "/persons/{id}/appraisals", tag = "police", operation_id = "create_appraisal",
    summary = "登记年度考核",
    description = "每人每年一个等次（该年已有时 422，字段 `year`）。民警、工勤为优秀、称职、基本称职、不称职、不定等次；\
        辅警为优秀、合格、不合格（没有基本合格）。要求人员修改权限。记 `police.appraisal_add`。",
    params(("id" = i32, Path, description = "人员编号")),
    request_body = AppraisalInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已登记", body = Appraisal),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少人员修改权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "人员不存在、已删除或不在范围内", body = ErrorBody),
        (status = 422, description = "字段不符合规则或该年已有考核，`errors` 列出全部问题", body = ErrorBody),
    )
)]
pub async fn create_appraisal(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<AppraisalInput>,
) -> AppResult<Response> {
    let a = records::add_appraisal(&state, &actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

#[utoipa::path(
    put, path = "/appraisals/{id}", tag = "police", operation_id = "update_appraisal",
    summary = "修改年度考核",
    description = "整条替换，规则和权限同登记。记 `police.appraisal_update`。",
    params(("id" = i32, Path, description = "年度考核编号")),
    request_body = AppraisalInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已保存", body = Appraisal),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少人员修改权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在，或所属人员不在范围内", body = ErrorBody),
        (status = 422, description = "字段不符合规则或该年已有考核", body = ErrorBody),
    )
)]
pub async fn update_appraisal(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<AppraisalInput>,
) -> AppResult<Json<Appraisal>> {
    Ok(Json(records::update_appraisal(&state, &actor, id, &input).await?.1))
}

#[utoipa::path(
    delete, path = "/appraisals/{id}", tag = "police", operation_id = "delete_appraisal",
    summary = "删除年度考核",
    description = "权限同登记。记 `police.appraisal_delete`（摘要保留年度和等次）。",
    params(("id" = i32, Path, description = "年度考核编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已删除"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少人员修改权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在，或所属人员不在范围内", body = ErrorBody),
    )
)]
pub async fn delete_appraisal(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<StatusCode> {
    records::delete_appraisal(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

type ListQuery = crate::ui::ListParams<PoliceFilter>;

#[utoipa::path(
    get, path = "/police", tag = "police", operation_id = "list_police",
    summary = "警务信息查询",
    description = "读权限范围内未删除的人员及其警务信息，按所在党组织和编号排列。`police_rank`、`grade`、`police_type`、`aux_kind` \
        按取值精确筛选；`contract_due=1` 只看劳动合同在 60 天内到期或已到期的辅警。不含敏感字段。",
    params(PoliceFilter, PageParams),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "人员及警务信息", body = List<PoliceRow>),
        (status = 400, description = "查询参数有误", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色不能查看名册，或须先修改初始密码", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<ListQuery>,
) -> AppResult<Json<List<PoliceRow>>> {
    let (total, items) = search::list(&state, &actor, &q.filter, q.page).await?;
    Ok(Json(List { items, total }))
}
