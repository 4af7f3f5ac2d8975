//! The meeting types and their rules as the bureau edits them (issue 11 item 1: "Types and their
//! rules are data the bureau can edit"). Seeded from research/domain.md §4.1 by the migration
//! `m20261203_000019_meetings`; a party administrator of the whole bureau changes the name, the
//! frequency (period and times), the quorum rule and whether a type is in use. Compliance and
//! reminders read the table on every request, so a change applies at once. Codes stay: records,
//! the demo and other domains refer to types by code.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::json;

use super::entity::kind;
use super::rules::Span;
use crate::audit::{self, Event};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The quorum rules a type may carry (research/domain.md §4.1, 法定人数).
pub const QUORUMS: &[(&str, &str)] = &[
    ("none", "无法定人数要求"),
    ("voting_half", "有表决权的到会人数超过应到会有表决权党员的半数（党员大会）"),
    ("committee_half", "半数以上委员出席（支委会）"),
];

/// The Chinese label of a quorum rule.
pub fn quorum_label(code: &str) -> &'static str {
    QUORUMS.iter().find(|(c, _)| *c == code).map_or("无法定人数要求", |(_, l)| l)
}

/// A type's rule as typed: every field optional, what is left out stays as it is.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "修改会议类型及其规则：`name` 名称（不超过 30 字，不与其他类型重名）；`period` 频次期间 month、quarter、year，\
    空字符串表示无频次要求；`times` 每期至少次数（1–31）；`quorum` 法定人数规则 none、voting_half、committee_half；`active` 是否启用\
    （停用后不再计入落实情况、不能再登记，已有记录照常保留）。未给出的字段保持不变。"
)]
pub struct TypeInput {
    #[schema(schema_with = schema::name)]
    pub name: Option<String>,
    #[schema(schema_with = schema::period)]
    pub period: Option<String>,
    #[schema(minimum = 1, maximum = 31)]
    pub times: Option<i32>,
    #[schema(schema_with = schema::quorum)]
    pub quorum: Option<String>,
    pub active: Option<bool>,
}

/// What the checks accept, for the OpenAPI document.
mod schema {
    use utoipa::openapi::{RefOr, Schema};

    use crate::openapi::schema::{line, one_of};

    pub fn name() -> RefOr<Schema> {
        line(30, true)
    }
    pub fn period() -> RefOr<Schema> {
        one_of(&["month", "quarter", "year"], true)
    }
    pub fn quorum() -> RefOr<Schema> {
        one_of(&["none", "voting_half", "committee_half"], false)
    }
}

/// Whether the actor may edit the rules: a party administrator (`OrgWrite`) whose scope holds
/// every top-level organization, i.e. the whole bureau. A sub-bureau's administrator may not
/// change the bureau's rules for everyone.
pub async fn can_edit(state: &AppState, actor: &Actor) -> AppResult<bool> {
    crate::orgs::bureau_wide(state, actor, Permission::OrgWrite).await
}

async fn require_edit(state: &AppState, actor: &Actor) -> AppResult<()> {
    actor.require(Permission::OrgWrite)?;
    if can_edit(state, actor).await? {
        Ok(())
    } else {
        Err(AppError::forbidden("会议类型和频次规则由全局党务管理员（覆盖全局的党务管理员授权）修改"))
    }
}

/// Changes one type's rule, checked field by field; one audit row `meeting.type` with the old and
/// new values.
pub async fn update(state: &AppState, actor: &Actor, id: i32, input: &TypeInput) -> AppResult<kind::Model> {
    require_edit(state, actor).await?;
    let k = kind::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let mut errors: Vec<(String, String)> = Vec::new();
    let name = match input.name.as_deref().map(str::trim) {
        None => k.name.clone(),
        Some("") => {
            errors.push(("name".into(), "请填写类型名称".into()));
            k.name.clone()
        }
        Some(n) => {
            if let Err(m) = crate::text::check_line("类型名称", n) {
                errors.push(("name".into(), m));
            } else if n.chars().count() > 30 {
                errors.push(("name".into(), "类型名称不能超过 30 个字".into()));
            } else if kind::Entity::find()
                .filter(kind::Column::Name.eq(n))
                .one(&state.db)
                .await?
                .is_some_and(|o| o.id != k.id)
            {
                errors.push(("name".into(), format!("已有名为“{n}”的会议类型")));
            }
            n.to_owned()
        }
    };
    let period = match input.period.as_deref().map(str::trim) {
        None => k.period.clone(),
        Some("") => None,
        Some(p) => match Span::parse(p) {
            Some(s) => Some(s.as_str().to_owned()),
            None => {
                errors.push((
                    "period".into(),
                    format!("频次期间“{p}”应为 month（每月）、quarter（每季度）、year（每年）或留空"),
                ));
                k.period.clone()
            }
        },
    };
    let times = input.times.unwrap_or(k.times);
    if !(1..=31).contains(&times) {
        errors.push(("times".into(), format!("每期次数应为 1 至 31 次，不能是 {times}")));
    }
    let quorum = match input.quorum.as_deref().map(str::trim) {
        None => k.quorum.clone(),
        Some(q) if QUORUMS.iter().any(|(c, _)| *c == q) => q.to_owned(),
        Some(q) => {
            errors.push(("quorum".into(), format!("法定人数规则“{q}”应为 none、voting_half 或 committee_half")));
            k.quorum.clone()
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Fields(errors));
    }
    let active = input.active.unwrap_or(k.active);
    let txn = crate::db::begin_write(&state.db).await?;
    let mut row: kind::ActiveModel = k.clone().into();
    row.name = Set(name);
    row.period = Set(period);
    row.times = Set(times);
    row.quorum = Set(quorum);
    row.active = Set(active);
    let saved = row.update(&txn).await?;
    let event = Event::by(actor, "meeting.type").object("meeting_type", saved.id).summary(json!({
        "code": saved.code,
        "before": {"name": k.name, "period": k.period, "times": k.times, "quorum": k.quorum, "active": k.active},
        "after": {"name": saved.name, "period": saved.period, "times": saved.times, "quorum": saved.quorum,
            "active": saved.active},
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(saved)
}
