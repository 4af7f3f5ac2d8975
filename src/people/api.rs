//! JSON API of the roster: `/api/v1/persons`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::PersonInput;
use super::service::{self, HistoryRow, PersonFilter, PersonRow};
use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody, FieldError};
use crate::openapi::List;
use crate::state::AppState;
use crate::ui::PageParams;
use crate::ui::json::ApiJson;
use crate::ui::params::{IdPath, Params};

type ListQuery = crate::ui::ListParams<PersonFilter>;

#[utoipa::path(
    get, path = "/persons", tag = "persons", operation_id = "list_persons",
    summary = "名册列表与查找",
    description = "读权限范围内未删除的人员，按所在党组织和编号排列。`q` 按内容匹配：全是英文字母时匹配姓名拼音首字母的开头；\
        全是数字（末位可为 X）时匹配警号的开头和身份证号末 4 位（恰好 4 位时）；其他匹配姓名或工作单位。\
        查找不会透露比列表更多的内容：只有在所查范围内持有身份信息查阅权限（党务管理员、纪检监察、书记/支委）的调用者，\
        才能按身份证号末 5 位及以上（直到完整号码）或电话号码（7–13 位数字，可含 -，从开头匹配）查找，且只匹配其有权查阅的人员，\
        每次这样的查找记一条 `sensitive.read` 审计（号码只记末 4 位或全部遮蔽）；其他调用者输入更多位数时只按警号匹配。\
        `kind`、`employment_status`、`political_status` 按取值精确筛选；`org` 只看该党组织及其下级（不存在或不在范围内 404）。",
    params(PersonFilter, PageParams),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "名册", body = List<PersonRow>),
        (status = 400, description = "查询参数有误", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "角色不能查看名册，或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "`org` 不存在或不在范围内", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<ListQuery>,
) -> AppResult<Json<List<PersonRow>>> {
    let page = service::list(&state, &actor, &q.filter, q.page).await?;
    Ok(Json(List { items: page.rows, total: page.total }))
}

#[derive(Serialize, ToSchema)]
#[schema(description = "新建的档案：性别和出生日期由身份证号得出；`warnings` 为照常保存但需核对的提示\
    （所在单位不在单位名单中时 `field` 为 `unit`，并给出相近的单位），没有时为空数组")]
pub struct CreatedPerson {
    id: i32,
    name: String,
    /// Accepted with a note: a 所在单位 not on the unit list (`field` `unit`), kept as typed.
    warnings: Vec<FieldError>,
    #[schema(example = "男")]
    gender: String,
    birth_date: NaiveDate,
}

#[utoipa::path(
    post, path = "/persons", tag = "persons", operation_id = "create_person",
    summary = "建档",
    description = "党务管理员、书记/支委，所在党组织须在其可写范围内。",
    request_body = PersonInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已建档", body = CreatedPerson),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 409, description = "身份证号已登记，或警号已被使用", body = ErrorBody),
        (status = 422, description = "字段不符合规则，`errors` 列出全部问题", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<PersonInput>,
) -> AppResult<Response> {
    let p = service::create(&state, &actor, &input).await?;
    let warnings = warnings(&state, &p).await?;
    let body = CreatedPerson { id: p.id, name: p.name, warnings, gender: p.gender, birth_date: p.birth_date };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Serialize, ToSchema)]
#[schema(description = "修改后的档案编号和姓名；`warnings` 同建档")]
pub struct UpdatedPerson {
    id: i32,
    name: String,
    /// As for create.
    warnings: Vec<FieldError>,
}

/// The warnings of a saved record (a unit not on the list), as the API gives them.
async fn warnings(state: &AppState, p: &crate::people::entity::Model) -> AppResult<Vec<FieldError>> {
    Ok(service::unit_warning(state, p)
        .await?
        .map(|message| FieldError { field: "unit".to_owned(), message })
        .into_iter()
        .collect())
}

/// `PUT /api/v1/persons/{id}`: the whole record, as for create.
#[utoipa::path(
    put, path = "/persons/{id}", tag = "persons", operation_id = "update_person",
    summary = "修改档案",
    description = "党务管理员、书记/支委，人员和新的所在党组织都须在其可写范围内。请求体是整条记录：未给的字段会被清空。\
        每个改变了的字段写一条变更记录。有党员档案的人，政治面貌和所在党组织由党员档案决定。",
    params(("id" = i32, Path, description = "人员编号")),
    request_body = PersonInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已修改", body = UpdatedPerson),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在、已删除或不在范围内", body = ErrorBody),
        (status = 409, description = "身份证号已登记，或警号已被使用", body = ErrorBody),
        (status = 422, description = "字段不符合规则，`errors` 列出全部问题", body = ErrorBody),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<PersonInput>,
) -> AppResult<Json<UpdatedPerson>> {
    let p = service::update(&state, &actor, id, &input).await?;
    let warnings = warnings(&state, &p).await?;
    Ok(Json(UpdatedPerson { id: p.id, name: p.name, warnings }))
}

#[derive(Deserialize, ToSchema)]
#[schema(description = "删除档案的原因，不能为空，不超过 200 字")]
pub struct DeleteRequest {
    #[schema(schema_with = reason_schema, example = "重复建档")]
    reason: String,
}

fn reason_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::multiline(200, true)
}

#[utoipa::path(
    delete, path = "/persons/{id}", tag = "persons", operation_id = "delete_person",
    summary = "删除档案",
    description = "党务管理员、书记/支委。只是隐藏：变更记录和审计记录保留，该身份证号仍算已登记。",
    params(("id" = i32, Path, description = "人员编号")),
    request_body = DeleteRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已删除"),
        (status = 400, description = "请求体不是 JSON 或缺少 `reason`", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在、已删除或不在范围内", body = ErrorBody),
        (status = 422, description = "原因为空", body = ErrorBody),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<DeleteRequest>,
) -> AppResult<StatusCode> {
    service::delete(&state, &actor, id, &req.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get, path = "/persons/{id}/history", tag = "persons", operation_id = "get_person_history",
    summary = "变更记录",
    description = "党务管理员、书记/支委，人员须在可写范围内。按时间倒序返回全部记录（不分页）。身份证号和电话的原值只给能查阅\
        敏感信息的调用者（记审计）。",
    params(("id" = i32, Path, description = "人员编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "变更记录", body = List<HistoryRow>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限，或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在、已删除或不在范围内", body = ErrorBody),
    )
)]
pub async fn history(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Json<List<HistoryRow>>> {
    let items = service::history(&state, &actor, id, true).await?;
    let total = items.len() as u64;
    Ok(Json(List { items, total }))
}
