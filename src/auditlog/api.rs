//! `GET /api/v1/audit` (auditor only) and `POST /api/v1/audit/verify`.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::service::{self, AuditFilter, AuditRow};
use crate::audit::ChainProblem;
use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::openapi::List;
use crate::state::AppState;
use crate::ui::PageParams;
use crate::ui::params::Params;

type ListQuery = crate::ui::ListParams<AuditFilter>;

#[utoipa::path(
    get, path = "/audit", tag = "audit", operation_id = "list_audit",
    summary = "查询审计日志",
    description = "仅安全审计员。按序号倒序。参数：`who` 操作人用户名（精确匹配，不分大小写）；`action` 动作代码；`from`、`to` \
        日期 `YYYY-MM-DD`（含首尾两天）；`org` 只看涉及该党组织及其下级的记录。每次查询本身也记一条 `audit.query`。",
    params(AuditFilter, PageParams),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "审计记录", body = List<AuditRow>),
        (status = 400, description = "查询参数有误", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "不是安全审计员，或须先修改初始密码", body = ErrorBody),
        (status = 422, description = "日期格式不对、结束早于开始，或党组织不存在", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<ListQuery>,
) -> AppResult<Json<List<AuditRow>>> {
    let (items, total) = service::query(&state, &actor, &q.filter, q.page).await?;
    Ok(Json(List { items, total }))
}

#[derive(Serialize, ToSchema)]
#[schema(description = "校验结果：`checked` 为校验的记录数，`checkpoints` 为核对过的链头检查点数，`ok` 为 false 时 \
    `problems` 逐条列出被修改、插入或删除之处；`notes` 说明用了哪把密钥、哪些检查点文件")]
pub struct VerifyReport {
    checked: i64,
    checkpoints: usize,
    ok: bool,
    problems: Vec<ChainProblem>,
    notes: Vec<String>,
}

#[utoipa::path(
    post, path = "/audit/verify", tag = "audit", operation_id = "verify_audit",
    summary = "校验审计哈希链",
    description = "仅安全审计员。无请求体（Cookie 会话仍须带 `X-CSRF-Token`）。用审计密钥校验每条记录和链头，并与服务器上配置的\
        检查点文件（`audit.checkpoint_file`）核对，能发现末尾的记录被删除、链头被回退。校验本身记一条 `audit.verify`。",
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "校验结果", body = VerifyReport),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "不是安全审计员、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
    )
)]
pub async fn verify(State(state): State<AppState>, actor: Actor) -> AppResult<Json<VerifyReport>> {
    let report = service::verify(&state, &actor).await?;
    Ok(Json(VerifyReport {
        checked: report.checked,
        checkpoints: report.checkpoints,
        ok: report.problems.is_empty(),
        problems: report.problems,
        notes: report.notes,
    }))
}
