//! The 家访 settings the bureau edits (issue 12 item 1: "every person once per cycle, cycle
//! configurable, default one year"): the 全员访 cycle. Kept in the module's own table, changed
//! by a party administrator of the whole bureau on a page or through the API, audited; the
//! configuration file's `visits.cycle_months` (default 12) applies until it is first set.
//! research/domain.md §2.4 and Appendix B: the frequency of 全员访 has no source (common practice:
//! once a year) — a question for the bureau, hence editable.

use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::setting;
use crate::audit::{self, Event};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The cycle lengths a year divides into.
pub const CYCLES: &[(u32, &str)] = &[(12, "每年一次"), (6, "每半年一次"), (4, "每四个月一次"), (3, "每季度一次")];

/// The settings as shown and answered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "家访设置：`cycle_months` 全员访周期（月：12、6、4 或 3），`cycle_label` 其说明，`updated_by`/`updated_at` 最近一次修改（未修改过为空，按配置文件默认值）"
)]
pub struct Settings {
    pub cycle_months: u32,
    pub cycle_label: String,
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
    /// Whether the caller may change them.
    pub can_edit: bool,
}

/// A change as typed.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(description = "修改家访设置：`cycle_months` 全员访周期（月），只能是 12、6、4 或 3")]
pub struct SettingsInput {
    pub cycle_months: Option<i64>,
}

fn label(months: u32) -> String {
    CYCLES.iter().find(|(m, _)| *m == months).map_or_else(|| format!("每 {months} 个月一次"), |(_, l)| (*l).to_owned())
}

async fn stored(state: &AppState) -> AppResult<Option<setting::Model>> {
    Ok(setting::Entity::find().order_by_desc(setting::Column::Id).one(&state.db).await?)
}

/// The 全员访 cycle in force, in months: the stored setting, or the configuration's default.
pub async fn cycle_months(state: &AppState) -> AppResult<u32> {
    Ok(match stored(state).await? {
        Some(s) => u32::try_from(s.cycle_months).unwrap_or(12),
        None => state.config.visits.cycle_months,
    })
}

/// The settings, for anyone who reads visits (`PersonRead`) or may change them.
pub async fn get(state: &AppState, actor: &Actor) -> AppResult<Settings> {
    let can_edit = crate::orgs::bureau_wide(state, actor, Permission::OrgWrite).await?;
    if !can_edit {
        actor.require(Permission::PersonRead)?;
    }
    let row = stored(state).await?;
    let months = cycle_months(state).await?;
    Ok(Settings {
        cycle_months: months,
        cycle_label: label(months),
        updated_by: row.as_ref().map(|r| r.updated_by.clone()),
        updated_at: row.map(|r| r.updated_at.format("%Y-%m-%d %H:%M").to_string()),
        can_edit,
    })
}

/// Changes the settings: a party administrator of the whole bureau (`OrgWrite` over every
/// top-level organization). One audit row `visit.settings` with the old and new cycle.
pub async fn update(state: &AppState, actor: &Actor, input: &SettingsInput) -> AppResult<Settings> {
    actor.require(Permission::OrgWrite)?;
    if !crate::orgs::bureau_wide(state, actor, Permission::OrgWrite).await? {
        return Err(AppError::forbidden("家访设置由全局党务管理员（覆盖全局的党务管理员授权）修改"));
    }
    let months = match input.cycle_months {
        None => return Err(AppError::validation("cycle_months", "请选择全员访周期")),
        Some(m) if CYCLES.iter().any(|(c, _)| i64::from(*c) == m) => m as i32,
        Some(m) => {
            return Err(AppError::validation(
                "cycle_months",
                format!("全员访周期应为 12、6、4 或 3 个月（一年分成整数个周期），不能是 {m}"),
            ));
        }
    };
    let before = cycle_months(state).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    setting::ActiveModel {
        cycle_months: Set(months),
        updated_at: Set(state.clock.now_db()),
        updated_by: Set(actor.display_name.chars().take(50).collect()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let event =
        Event::by(actor, "visit.settings").summary(json!({"cycle_months": {"before": before, "after": months}}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    get(state, actor).await
}
