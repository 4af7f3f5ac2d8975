//! The early-warning rules that read another domain's records (issue 14, item 4): six months
//! without dues (party), the latest 年度考核 below the standard (police), and a 辅警 contract
//! ending while under an open flag (police and this domain's flags). Each reads through the owning
//! domain's store functions, one set query per rule, and states the exact facts.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entity::{category, flag, rule};
use super::warnings::Reason;
use super::{FOLLOWING, OPEN};
use crate::auth::Scope;
use crate::db::scope::in_scope;
use crate::error::AppResult;
use crate::state::AppState;

/// Most days ahead the contract rule may look.
pub const MAX_CONTRACT_DAYS: i32 = 365;

fn push(out: &mut HashMap<i32, Vec<Reason>>, person: i32, rule: &rule::Model, text: String) {
    out.entry(person).or_default().push(Reason { rule: rule.code.clone(), level: rule.level.clone(), text });
}

/// Keeps the ids placed in `scope` now (records of the police domain keep no organization).
async fn placed_in(state: &AppState, scope: &Scope, ids: &[i32]) -> AppResult<std::collections::HashSet<i32>> {
    let placed = crate::people::store::placed(&state.db, ids).await?;
    Ok(placed.into_iter().filter(|(_, (_, path, _))| scope.contains(path)).map(|(id, _)| id).collect())
}

/// 党章第九条: six months in a row without paying dues (research/domain.md §4.2, §4.4). The
/// window is fixed by the rule of the Party, not a threshold.
pub async fn dues_lapse(
    state: &AppState,
    scope: &Scope,
    r: &rule::Model,
    out: &mut HashMap<i32, Vec<Reason>>,
) -> AppResult<()> {
    let (window_start, rows) = crate::party::store::dues_lapsed_in(state, scope).await?;
    let from = window_start.format("%Y-%m");
    for (person, last) in rows {
        let text = match last {
            Some(m) => format!("自 {from} 起连续六个月未交纳党费（最后交纳 {} 的党费）", m.format("%Y-%m")),
            None => format!("自 {from} 起连续六个月未交纳党费（从未登记交纳）"),
        };
        push(out, person, r, text);
    }
    Ok(())
}

/// The latest 年度考核 below the standard, when it is of last year or this year (an older one has
/// been followed by no appraisal at all, which is not a grade).
pub async fn appraisal(
    state: &AppState,
    scope: &Scope,
    r: &rule::Model,
    out: &mut HashMap<i32, Vec<Reason>>,
) -> AppResult<()> {
    let since = state.clock.today().year() - 1;
    // A branch's few people first; over a sub-bureau or more, the few low grades first.
    let among = crate::db::scope::narrow(scope).then(|| crate::people::store::live_ids_in(scope));
    let rows = crate::police::store::low_latest_grades(&state.db, since, among).await?;
    let ids: Vec<i32> = rows.iter().map(|(p, _, _)| *p).collect();
    let here = placed_in(state, scope, &ids).await?;
    for (person, year, grade) in rows.into_iter().filter(|(p, _, _)| here.contains(p)) {
        push(out, person, r, format!("{year} 年度考核为{grade}"));
    }
    Ok(())
}

/// A 辅警 whose labour contract ends within `threshold` days (from today) while they have an
/// open risk flag.
pub async fn contract_flag(
    state: &AppState,
    scope: &Scope,
    r: &rule::Model,
    out: &mut HashMap<i32, Vec<Reason>>,
) -> AppResult<()> {
    let today = state.clock.today();
    let days = r.threshold.clamp(1, MAX_CONTRACT_DAYS);
    let flags = flag::Entity::find()
        .filter(in_scope(flag::Column::OrgPath, scope))
        .filter(flag::Column::Status.is_in([OPEN, FOLLOWING]))
        .order_by_asc(flag::Column::OpenedOn)
        .order_by_asc(flag::Column::Id)
        .all(&state.db)
        .await?;
    let mut first: HashMap<i32, flag::Model> = HashMap::new();
    for f in flags {
        first.entry(f.person_id).or_insert(f);
    }
    let ids: Vec<i32> = first.keys().copied().collect();
    let ending =
        crate::police::store::contracts_ending(&state.db, &ids, today, today + Duration::days(i64::from(days))).await?;
    if ending.is_empty() {
        return Ok(());
    }
    let cats: HashMap<i32, String> =
        category::Entity::find().all(&state.db).await?.into_iter().map(|c| (c.id, c.name)).collect();
    for (person, end) in ending {
        let Some(f) = first.get(&person) else { continue };
        let cat = cats.get(&f.category_id).map_or("", String::as_str);
        let left = (end - today).num_days();
        push(out, person, r, contract_text(end, left, days, &f.level, cat, f.opened_on));
    }
    Ok(())
}

fn contract_text(end: NaiveDate, left: i64, days: i32, level: &str, cat: &str, opened: NaiveDate) -> String {
    format!(
        "辅警劳动合同将于 {end} 到期（{left} 天后，提前 {days} 天提示），且有未结的{level}色风险提示：{cat}（{opened} 登记）"
    )
}
