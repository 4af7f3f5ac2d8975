//! `/api/v1/meetings`: the same use cases as the pages.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::attendance::Expected;
use super::compliance::{self, Compliance};
use super::listing::{self, ListItem, ListQuery};
use super::service::{self, MeetingInput, MeetingView};
use super::workflow::{self, ReviewInput, SubmitInput};
use crate::auth::Actor;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::openapi::List;
use crate::state::AppState;
use crate::ui::json::ApiJson;
use crate::ui::params::{IdPath, Params};

const E401: &str = "未登录";

#[utoipa::path(
    get, path = "/meetings", tag = "meetings", operation_id = "list_meetings",
    summary = "组织生活记录列表",
    description = "调用者查阅范围内各党组织的记录（每条记录的最新版本），按日期从新到旧。`q` 议题中的字，`org` 党组织（含下级），\
        `type` 会议类型代码，`period` 期间（2026-11、2026-Q4 或 2026），`status` 状态。",
    params(ListQuery),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "记录", body = List<ListItem>),
        (status = 401, description = E401, body = ErrorBody),
        (status = 403, description = "缺少查阅名册的权限", body = ErrorBody),
        (status = 404, description = "`org` 不存在或不在范围内", body = ErrorBody),
        (status = 422, description = "期间或状态写法不对", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<ListQuery>,
) -> AppResult<Json<List<ListItem>>> {
    let (items, total) = listing::list(&state, &actor, &q).await?;
    Ok(Json(List { items, total }))
}

#[utoipa::path(
    post, path = "/meetings", tag = "meetings", operation_id = "create_meeting",
    summary = "登记组织生活记录",
    description = "书记/支委、党务管理员，在召开会议的党组织有写权限。已召开的会议日期不能晚于今天（计划用 `planned: true`）；\
        出席情况中的党员须是该组织在会议当天的党员（按党员的组织关系历史），未列出的应到人员记为“未登记”；\
        民主评议优秀不超过参加评议党员的三分之一。全部问题一次列出，不保存任何内容。记 `meeting.create`。",
    request_body = MeetingInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已保存为草稿或计划", body = MeetingView),
        (status = 401, description = E401, body = ErrorBody),
        (status = 403, description = "缺少权限", body = ErrorBody),
        (status = 404, description = "党组织不存在或不在范围内", body = ErrorBody),
        (status = 422, description = "字段不符合规则，`errors` 列出全部问题", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<MeetingInput>,
) -> AppResult<Response> {
    let m = service::create(&state, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(m)).into_response())
}

#[utoipa::path(
    get, path = "/meetings/types", tag = "meetings", operation_id = "list_meeting_types",
    summary = "会议类型及频次规则",
    description = "本局可编辑的会议类型：`period` 为 month、quarter、year 或空（无频次要求），`times` 每期次数，\
        `applies_to` 为 branch（党支部）、group（党小组）、committee（党委），`quorum` 为 none、voting_half（党员大会）、committee_half（支委会）。\
        全局党务管理员用 `PUT /meetings/types/{id}` 修改。",
    security(("session" = []), ("token" = [])),
    responses((status = 200, description = "类型", body = Vec<TypeView>), (status = 401, description = E401, body = ErrorBody),
        (status = 403, description = "须先修改初始密码", body = ErrorBody))
)]
pub async fn types(State(state): State<AppState>, _actor: Actor) -> AppResult<Json<Vec<TypeView>>> {
    Ok(Json(service::types(&state.db).await?.into_iter().map(TypeView::from).collect()))
}

#[utoipa::path(
    put, path = "/meetings/types/{id}", tag = "meetings", operation_id = "update_meeting_type",
    summary = "修改会议类型及频次规则",
    description = "全局党务管理员（授权覆盖全局的党务管理员）修改一类会议的名称、频次（期间和每期次数）、法定人数规则和是否启用；\
        落实情况和提醒随即按新规则计算。逐字段检查，问题一次列出，不保存任何内容。记 `meeting.type`（修改前后的值）。",
    params(("id" = i32, Path, description = "类型编号")),
    request_body = super::types::TypeInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "修改后的类型", body = TypeView),
        (status = 401, description = E401, body = ErrorBody),
        (status = 403, description = "不是全局党务管理员", body = ErrorBody),
        (status = 404, description = "类型不存在", body = ErrorBody),
        (status = 422, description = "字段不符合规则，`errors` 列出全部问题", body = ErrorBody),
    )
)]
pub async fn update_type(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<super::types::TypeInput>,
) -> AppResult<Json<TypeView>> {
    Ok(Json(super::types::update(&state, &actor, id, &input).await?.into()))
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TypeView {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub period: Option<String>,
    pub times: i32,
    pub applies_to: String,
    pub quorum: String,
    pub open_to_non_members: bool,
    pub graded: bool,
    pub paired: bool,
    pub active: bool,
}

impl From<super::entity::kind::Model> for TypeView {
    fn from(k: super::entity::kind::Model) -> Self {
        Self {
            id: k.id,
            code: k.code,
            name: k.name,
            period: k.period,
            times: k.times,
            applies_to: k.applies_to,
            quorum: k.quorum,
            open_to_non_members: k.open_to_non_members,
            graded: k.graded,
            paired: k.paired,
            active: k.active,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ExpectedQuery {
    pub org: Option<i32>,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: String,
    /// YYYY-MM-DD
    pub date: String,
}

#[utoipa::path(
    get, path = "/meetings/expected", tag = "meetings", operation_id = "expected_attendees",
    summary = "应到人员",
    description = "按党员的组织关系历史，`org` 在 `date` 那天的党员（党小组会为该党小组成员，支委会为委员），用于预填出席情况。",
    params(ExpectedQuery),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "应到人员", body = Vec<Expected>),
        (status = 401, description = E401, body = ErrorBody),
        (status = 403, description = "缺少权限（信息中写明）、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "党组织不存在或不在范围内", body = ErrorBody),
        (status = 422, description = "日期或类型不对", body = ErrorBody),
    )
)]
pub async fn expected(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<ExpectedQuery>,
) -> AppResult<Json<Vec<Expected>>> {
    let on = crate::text::parse_date(&q.date)
        .map_err(|e| AppError::validation("date", e))?
        .unwrap_or_else(|| state.clock.today());
    Ok(Json(service::expected(&state, &actor, q.org, &q.kind, on).await?))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ComplianceQuery {
    /// The organization whose subtree is counted (default: the caller's).
    pub org: Option<i32>,
    /// `2026-11`, `2026-Q4` or `2026` (default: this quarter).
    pub period: Option<String>,
}

#[utoipa::path(
    get, path = "/meetings/compliance", tag = "meetings", operation_id = "meeting_compliance",
    summary = "组织生活落实情况",
    description = "由记录和频次规则计算：每个直接下级一行（按组织树顺序，不排名），各类会议应开、已开（上级审阅通过）、缺开、未到期的期数；\
        `units` 为本组织自身的各期限。要求查阅党组织的权限。",
    params(ComplianceQuery),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "落实情况", body = Compliance),
        (status = 401, description = E401, body = ErrorBody),
        (status = 403, description = "缺少权限（信息中写明）、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "党组织不存在或不在范围内", body = ErrorBody),
        (status = 422, description = "期间写法不对", body = ErrorBody),
    )
)]
pub async fn compliance_table(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<ComplianceQuery>,
) -> AppResult<Json<Compliance>> {
    Ok(Json(compliance::compute(&state, &actor, q.org, q.period.as_deref()).await?))
}

#[utoipa::path(
    get, path = "/meetings/{id}", tag = "meetings", operation_id = "get_meeting",
    summary = "一条记录",
    description = "含出席情况、法定人数、待补充的提示（从不是错误）、上级意见和与其他记录相似的情况。",
    params(("id" = i32, Path, description = "记录编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "记录", body = MeetingView),
        (status = 401, description = E401, body = ErrorBody),
        (status = 403, description = "缺少权限（信息中写明）、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内（范围外记审计）", body = ErrorBody),
    )
)]
pub async fn get(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Json<MeetingView>> {
    Ok(Json(service::detail(&state, &actor, id).await?))
}

#[utoipa::path(
    put, path = "/meetings/{id}", tag = "meetings", operation_id = "update_meeting",
    summary = "修改记录",
    description = "计划、草稿、被退回的记录就地修改；已通过或已归档的记录改为新版本（草稿，通过后替代旧版本，旧版本保留可比较）；\
        已提交待审阅的不能修改。记 `meeting.update` 或 `meeting.version`。",
    params(("id" = i32, Path, description = "记录编号")),
    request_body = MeetingInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已保存（新版本时为新记录）", body = MeetingView),
        (status = 401, description = E401, body = ErrorBody),
        (status = 403, description = "缺少权限（信息中写明）、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内", body = ErrorBody),
        (status = 409, description = "待审阅中，或已有未通过的新版本", body = ErrorBody),
        (status = 422, description = "字段不符合规则", body = ErrorBody),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<MeetingInput>,
) -> AppResult<Json<MeetingView>> {
    Ok(Json(service::update(&state, &actor, id, &input).await?))
}

#[utoipa::path(
    post, path = "/meetings/{id}/submit", tag = "meetings", operation_id = "submit_meeting",
    summary = "提交上级审阅",
    description = "草稿或被退回的记录；须有会议记录。会议记录与另一条记录（任何党组织、任何年份，不含本记录的其他版本）相似度达到 85% 时标注给审阅人，\
        不阻止提交。记 `meeting.submit`。",
    params(("id" = i32, Path, description = "记录编号")),
    request_body = SubmitInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已提交", body = MeetingView),
        (status = 401, description = E401, body = ErrorBody),
        (status = 403, description = "缺少权限（信息中写明）、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内", body = ErrorBody),
        (status = 409, description = "状态不允许提交", body = ErrorBody),
        (status = 422, description = "没有会议记录，或日期晚于今天", body = ErrorBody),
    )
)]
pub async fn submit(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<SubmitInput>,
) -> AppResult<Json<MeetingView>> {
    Ok(Json(workflow::submit(&state, &actor, id, &input).await?))
}

#[utoipa::path(
    post, path = "/meetings/{id}/review", tag = "meetings", operation_id = "review_meeting",
    summary = "上级审阅",
    description = "须由该党组织之上的党组织（调用者在其上级党组织有写权限的授权）审阅：通过，或写明意见退回（书记在工作台看到）。\
        民主评议中的不合格在通过时为党支部开出组织处置待办。记 `meeting.review`。",
    params(("id" = i32, Path, description = "记录编号")),
    request_body = ReviewInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已审阅", body = MeetingView),
        (status = 401, description = E401, body = ErrorBody),
        (status = 403, description = "不是上级党组织（信息中写明）", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内", body = ErrorBody),
        (status = 409, description = "不是待审阅的记录", body = ErrorBody),
        (status = 422, description = "退回未写意见，或结论不对", body = ErrorBody),
    )
)]
pub async fn review(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> AppResult<Json<MeetingView>> {
    Ok(Json(workflow::review(&state, &actor, id, &input).await?))
}

#[utoipa::path(
    post, path = "/meetings/{id}/archive", tag = "meetings", operation_id = "archive_meeting",
    summary = "归档",
    description = "已通过的记录归档。记 `meeting.archive`。",
    params(("id" = i32, Path, description = "记录编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已归档", body = MeetingView),
        (status = 401, description = E401, body = ErrorBody),
        (status = 403, description = "缺少权限（信息中写明）、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内", body = ErrorBody),
        (status = 409, description = "不是已通过的记录", body = ErrorBody),
    )
)]
pub async fn archive(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Json<MeetingView>> {
    Ok(Json(workflow::archive(&state, &actor, id).await?))
}

#[utoipa::path(
    get, path = "/meetings/{id}/docx", tag = "meetings", operation_id = "get_meeting_docx",
    summary = "会议记录（Word）",
    description = "按常用会议记录格式生成：会议名称、时间、地点、主持人、记录人、议题、应到实到、出席请假缺席列席人员、法定人数、会议内容、决定事项。",
    params(("id" = i32, Path, description = "记录编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "会议记录（.docx）",
            content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            body = crate::openapi::Binary),
        (status = 401, description = E401, body = ErrorBody),
        (status = 403, description = "缺少权限（信息中写明）、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内", body = ErrorBody),
    )
)]
pub async fn docx(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    let (name, bytes) = super::outputs::docx(&state, &actor, id).await?;
    Ok(crate::party::letter::document::download(&name, bytes))
}
