//! Reading the audit log: for the security auditor only (三员分立), and itself audited.

use chrono::{NaiveDate, NaiveTime, TimeZone};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::entity::log::{self, Column};
use crate::audit::{CheckpointSource, Event, VerifyReport};
use crate::auth::{Actor, Permission};
use crate::clock::display_local;
use crate::error::{AppError, AppResult};
use crate::orgs::store;
use crate::state::AppState;
use crate::ui::PageParams;

/// Chinese names of the recorded actions, from every module (see [`crate::module::Module`]);
/// also the choices of the action filter. Installed once when the application is built.
static ACTIONS: std::sync::OnceLock<Vec<(&'static str, &'static str)>> = std::sync::OnceLock::new();

/// Sets the action names once; later calls (tests build many applications) keep the first.
pub fn install_actions(actions: impl IntoIterator<Item = (&'static str, &'static str)>) {
    let _ = ACTIONS.set(actions.into_iter().collect());
}

/// Every action with its Chinese name, in module order.
pub fn actions() -> &'static [(&'static str, &'static str)] {
    ACTIONS.get().map_or(&[], Vec::as_slice)
}

pub fn action_label(code: &str) -> &str {
    actions().iter().find(|(c, _)| *c == code).map_or(code, |(_, label)| label)
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Username of the actor (exact, case-insensitive).
    pub who: String,
    /// Action code, e.g. `login.success`.
    pub action: String,
    /// First day, `YYYY-MM-DD` (Beijing time).
    #[param(format = Date, example = "2026-11-01")]
    pub from: String,
    /// Last day, inclusive.
    #[param(format = Date, example = "2026-11-30")]
    pub to: String,
    /// Only events about this organization's subtree.
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub org: Option<i32>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一条审计记录：`at` 为北京时间 `YYYY-MM-DD HH:MM:SS`；`object` 为“类型#编号”或空串；\
    `summary` 是 JSON 文本或空串")]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub action_label: String,
    pub object: String,
    pub org_path: Option<String>,
    pub ip: String,
    pub summary: String,
}

impl From<log::Model> for AuditRow {
    fn from(r: log::Model) -> Self {
        Self {
            seq: r.seq,
            at: display_local(r.at),
            actor: r.actor_name,
            action_label: action_label(&r.action).to_owned(),
            action: r.action,
            object: match (r.object_type, r.object_id) {
                (Some(t), Some(id)) => format!("{t}#{id}"),
                _ => String::new(),
            },
            org_path: r.org_path,
            ip: r.ip.unwrap_or_default(),
            summary: r.summary,
        }
    }
}

fn parse_day(field: &str, raw: &str) -> AppResult<Option<NaiveDate>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| AppError::validation(field, "日期格式应为 YYYY-MM-DD，如 2026-11-27"))
}

/// Start of a Beijing day as stored UTC.
fn day_start_utc(day: NaiveDate) -> chrono::NaiveDateTime {
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&day.and_time(NaiveTime::MIN))
        .single()
        .map(|t| t.naive_utc())
        .unwrap_or_else(|| day.and_time(NaiveTime::MIN))
}

async fn build(state: &AppState, filter: &AuditFilter) -> AppResult<sea_orm::Select<log::Entity>> {
    let mut q = log::Entity::find();
    let who = filter.who.trim().to_lowercase();
    if !who.is_empty() {
        q = q.filter(Column::ActorName.eq(who));
    }
    if !filter.action.trim().is_empty() {
        q = q.filter(Column::Action.eq(filter.action.trim()));
    }
    let from = parse_day("from", &filter.from)?;
    let to = parse_day("to", &filter.to)?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(AppError::validation("to", "结束日期不能早于开始日期"));
    }
    if let Some(f) = from {
        q = q.filter(Column::At.gte(day_start_utc(f)));
    }
    if let Some(t) = to.and_then(|t| t.succ_opt()) {
        q = q.filter(Column::At.lt(day_start_utc(t)));
    }
    if let Some(org_id) = filter.org {
        let o = store::find(&state.db, org_id).await?.ok_or_else(|| AppError::validation("org", "党组织不存在"))?;
        q = q.filter(store::subtree(Column::OrgPath, &o.path));
    }
    Ok(q.order_by_desc(Column::Seq))
}

async fn note(state: &AppState, actor: &Actor, action: &'static str, filter: &AuditFilter) -> AppResult<()> {
    let event = Event::by(actor, action).summary(json!(filter));
    crate::audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    Ok(())
}

pub async fn query(
    state: &AppState,
    actor: &Actor,
    filter: &AuditFilter,
    page: PageParams,
) -> AppResult<(Vec<AuditRow>, u64)> {
    actor.require(Permission::AuditRead)?;
    let page = page.normalized();
    let q = build(state, filter).await?;
    note(state, actor, "audit.query", filter).await?;
    let total = q.clone().count(&state.db).await?;
    let rows = q.offset(page.offset()).limit(page.page_size).all(&state.db).await?;
    Ok((rows.into_iter().map(AuditRow::from).collect(), total))
}

/// Largest export in one file; narrow the filter for more.
pub const EXPORT_LIMIT: u64 = 100_000;

pub async fn export(state: &AppState, actor: &Actor, filter: &AuditFilter) -> AppResult<Vec<AuditRow>> {
    actor.require(Permission::AuditRead)?;
    let q = build(state, filter).await?;
    note(state, actor, "audit.export", filter).await?;
    let rows = q.limit(EXPORT_LIMIT).all(&state.db).await?;
    Ok(rows.into_iter().map(AuditRow::from).collect())
}

/// Verifies the chain against the key and the configured checkpoint file.
pub async fn verify(state: &AppState, actor: &Actor) -> AppResult<VerifyReport> {
    actor.require(Permission::AuditRead)?;
    let sources: Vec<CheckpointSource> = crate::audit::checkpoint::configured_path(&state.config)
        .map(|path| CheckpointSource { path, required: false })
        .into_iter()
        .collect();
    let report = crate::audit::verify_with(&state.db, &sources).await?;
    let event = Event::by(actor, "audit.verify").summary(json!({
        "checked": report.checked,
        "problems": report.problems.len(),
        "checkpoints": report.checkpoints,
    }));
    crate::audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    Ok(report)
}
