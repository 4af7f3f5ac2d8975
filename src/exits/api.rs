//! `/api/v1/exit-cases`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::bars::{self, BarInput, LiftInput};
use super::service::{self, CaseRow, ExitCase, Filter};
use super::stats::{self, Stats, StatsQuery};
use super::steps::{self, OpenInput, StepInput};
use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::openapi::List;
use crate::state::AppState;
use crate::ui::PageParams;
use crate::ui::json::ApiJson;
use crate::ui::params::{IdPath, Params};

type ListQuery = crate::ui::ListParams<Filter>;

#[utoipa::path(
    get, path = "/exit-cases", tag = "exit-cases", operation_id = "list_exit_cases",
    summary = "出口案件列表",
    description = "按立案日期倒序。纪检监察、党务管理员读取其范围内的案件；领导只能看统计；书记/支委、系统管理员、安全审计员不能读取（403，并记 `access.denied`）。\
        每次读取记一条 `sensitive.read`。`status` 可为某一状态或 `open`（办理中的全部）；`outcome` 为处理结果。",
    params(Filter, PageParams),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "案件", body = List<CaseRow>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有执纪问责记录维护权限（记审计）", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<ListQuery>,
) -> AppResult<Json<List<CaseRow>>> {
    let (items, total) = service::list(&state, &actor, &q.filter, q.page).await?;
    Ok(Json(List { items, total }))
}

#[utoipa::path(
    post, path = "/exit-cases", tag = "exit-cases", operation_id = "create_exit_case",
    summary = "手动立案",
    description = "纪检监察、党务管理员，人员须在其范围内（否则 404 并记 `access.denied`），且为民警或辅警。每人同时只有一个办理中的案件。\
        案件从“调查核实”开始，办理人为本人。由重处分、年度考核不称职（不合格）提出的拟议案件由系统建立，不经此接口。记 `exit_case.create`。",
    request_body = OpenInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已立案", body = ExitCase),
        (status = 400, description = "请求体不是 JSON 或字段类型不对", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限或缺少 `X-CSRF-Token`", body = ErrorBody),
        (status = 404, description = "人员不存在或不在范围内", body = ErrorBody),
        (status = 422, description = "字段不符合规则，`errors` 列出全部问题", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(input): ApiJson<OpenInput>,
) -> AppResult<Response> {
    let saved = steps::open(&state, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

#[utoipa::path(
    get, path = "/exit-cases/{id}", tag = "exit-cases", operation_id = "get_exit_case",
    summary = "一个出口案件",
    description = "含各步骤的记录、法定情形 `bars`（`barred` 表示仍有适用的情形）、可选的处理结果 `outcomes` 和全部历史 `steps`。记 `sensitive.read`。",
    params(("id" = i32, Path, description = "案件编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "案件", body = ExitCase),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限（记 `access.denied`）", body = ErrorBody),
        (status = 404, description = "不存在，或不在范围内（记 `access.denied`）", body = ErrorBody),
    )
)]
pub async fn get(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Json<ExitCase>> {
    Ok(Json(service::detail(&state, &actor, id).await?))
}

#[utoipa::path(
    post, path = "/exit-cases/{id}/steps", tag = "exit-cases", operation_id = "step_exit_case",
    summary = "办理下一步",
    description = "顺序：立案（拟议案件）→ 告知 → 陈述申辩 → 党委集体研究（作出处理结果）→ 执行 → 归档；拟议或调查核实中可“不予立案”。\
        未记录陈述申辩不能提交党委集体研究（422，字段 `statement`）；其他跳步 409（字段 `action`）。处理结果须与人员类别相符（民警、辅警各有其结果）；\
        有不得辞退的法定情形时，辞退、解除劳动合同、退回派遣须填写 `override_reason`（另记 `exit_case.override`）。\
        执行调离公安队伍、辞退、开除、解除劳动合同、退回派遣时，名册中此人的在职状态在同一事务中改为调离、辞退、开除、解除劳动合同或退回派遣，日期为执行日期。记 `exit_case.step`。",
    params(("id" = i32, Path, description = "案件编号")),
    request_body = StepInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "办理后的案件", body = ExitCase),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限或缺少 `X-CSRF-Token`", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内", body = ErrorBody),
        (status = 409, description = "步骤顺序不对或案件已结束", body = ErrorBody),
        (status = 422, description = "字段不符合规则", body = ErrorBody),
    )
)]
pub async fn step(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<StepInput>,
) -> AppResult<Json<ExitCase>> {
    Ok(Json(steps::act(&state, &actor, id, &input).await?))
}

#[utoipa::path(
    post, path = "/exit-cases/{id}/bars", tag = "exit-cases", operation_id = "add_exit_case_bar",
    summary = "登记不得辞退的法定情形",
    description = "党委集体研究之前登记。记 `exit_case.bar`。",
    params(("id" = i32, Path, description = "案件编号")),
    request_body = BarInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "登记后的案件", body = ExitCase),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限或缺少 `X-CSRF-Token`", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内", body = ErrorBody),
        (status = 409, description = "案件已作出决定或已结束", body = ErrorBody),
        (status = 422, description = "字段不符合规则", body = ErrorBody),
    )
)]
pub async fn add_bar(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(input): ApiJson<BarInput>,
) -> AppResult<Json<ExitCase>> {
    Ok(Json(bars::add(&state, &actor, id, &input).await?))
}

#[utoipa::path(
    post, path = "/exit-cases/{id}/bars/{bar_id}/lift", tag = "exit-cases", operation_id = "lift_exit_case_bar",
    summary = "解除不得辞退的法定情形",
    description = "记录已登记的法定情形已经结束（如哺乳期满、医疗期届满）及其日期和依据；解除后该情形不再阻止辞退类决定。\
        党委集体研究之前登记。不在范围内 404 并记 `access.denied`；已解除 409。记 `exit_case.bar_lift`。",
    params(("id" = i32, Path, description = "案件编号"), ("bar_id" = i32, Path, description = "法定情形编号（案件 `bars[].id`）")),
    request_body = LiftInput,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "解除后的案件", body = ExitCase),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限或缺少 `X-CSRF-Token`", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内", body = ErrorBody),
        (status = 409, description = "已解除，或案件已作出决定", body = ErrorBody),
        (status = 422, description = "字段不符合规则", body = ErrorBody),
    )
)]
pub async fn lift_bar(
    State(state): State<AppState>,
    actor: Actor,
    IdPath((id, bar_id)): IdPath<(i32, i32)>,
    ApiJson(input): ApiJson<LiftInput>,
) -> AppResult<Json<ExitCase>> {
    Ok(Json(bars::lift(&state, &actor, id, bar_id, &input).await?))
}

#[utoipa::path(
    get, path = "/exit-cases/{id}/docx", tag = "exit-cases", operation_id = "get_exit_case_docx",
    summary = "处理决定书（Word）",
    description = "党委集体研究作出决定后可生成。记 `sensitive.read` 和 `exit_case.notice`。",
    params(("id" = i32, Path, description = "案件编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "处理决定书（.docx）",
            content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            body = crate::openapi::Binary),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限", body = ErrorBody),
        (status = 404, description = "不存在或不在范围内", body = ErrorBody),
        (status = 409, description = "尚未作出决定", body = ErrorBody),
    )
)]
pub async fn docx(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    let (name, bytes) = super::notice::docx(&state, &actor, id).await?;
    Ok(crate::party::letter::document::download(&name, bytes))
}

#[utoipa::path(
    get, path = "/exit-cases/stats", tag = "exit-cases", operation_id = "exit_case_stats",
    summary = "出口案件统计",
    description = "某党组织子树的案件数：按状态、处理结果（含已执行数）和本级及各直接下级汇总，只有件数，不含姓名；有统计与看板查阅权限者可看（含领导）。\
        `year` 按立案年度，省略为历年。",
    params(StatsQuery),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "统计", body = Stats),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有统计与看板查阅权限", body = ErrorBody),
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
