//! The home page's reminder of 辅警 contracts that end soon or have ended while the 辅警 is still
//! serving: for whoever may change the person (`PersonWrite`), within their scope, counted per
//! unit when there are many (`orgs::summary::by_unit`).

use chrono::Duration;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};

use super::entity::profile as row;
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::module::BoxFuture;
use crate::orgs::summary::{Pending, by_unit};
use crate::state::AppState;
use crate::ui::blocks::Todo;

/// Days before a contract's end that the reminder starts. Renewing a 辅警 contract (or deciding
/// not to) takes an assessment, the unit's opinion and the bureau's approval; Labour Contract Law
/// art. 44/46 compensation turns on whether the employer offered renewal before the end, so two
/// months leaves room for a month of procedure and a month's notice.
pub const CONTRACT_NOTICE_DAYS: i64 = 60;

/// How long after a contract ended a serving 辅警 without a new one is still reminded of (older
/// gaps are a data problem the roster's own review finds).
pub const OVERDUE_DAYS: i64 = 365;

pub fn todos<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>> {
    Box::pin(contracts(state, actor))
}

async fn contracts(state: &AppState, actor: &Actor) -> AppResult<Vec<Todo>> {
    if !actor.can(Permission::PersonWrite) {
        return Ok(Vec::new());
    }
    let scope = actor.scope(Permission::PersonWrite);
    let today = state.clock.today();
    let due: Vec<(i32, Option<chrono::NaiveDate>)> = row::Entity::find()
        .select_only()
        .column(row::Column::PersonId)
        .column(row::Column::ContractEnd)
        .filter(row::Column::ContractEnd.gte(today - Duration::days(OVERDUE_DAYS)))
        .filter(row::Column::ContractEnd.lte(today + Duration::days(CONTRACT_NOTICE_DAYS)))
        // A branch's few people first; over a sub-bureau or more, the few contracts first.
        .apply_if(crate::db::scope::narrow(&scope).then(|| crate::people::store::live_ids_in(&scope)), |q, among| {
            q.filter(row::Column::PersonId.in_subquery(among))
        })
        .into_tuple()
        .all(&state.db)
        .await?;
    let ids: Vec<i32> = due.iter().map(|(id, _)| *id).collect();
    let placed = crate::people::store::placed(&state.db, &ids).await?;
    let mut items: Vec<(chrono::NaiveDate, Pending)> = Vec::new();
    for (id, end) in due {
        let (Some(end), Some((name, path, status))) = (end, placed.get(&id)) else { continue };
        if status != "在职" || !scope.contains(path) {
            continue;
        }
        let (title, urgency) = if end < today {
            (format!("辅警{name}的劳动合同已于 {end} 到期，尚未登记续签"), "high")
        } else {
            (format!("辅警{name}的劳动合同将于 {end} 到期"), "normal")
        };
        let todo = Todo { title, href: format!("/people/{id}/police"), due: Some(end.to_string()), urgency };
        items.push((end, Pending { path: path.clone(), todo }));
    }
    items.sort_by_key(|(end, _)| *end);
    let items = items.into_iter().map(|(_, p)| p).collect();
    by_unit(state, &scope, items, |n| format!("{n} 名辅警的劳动合同在 {CONTRACT_NOTICE_DAYS} 天内到期或已到期")).await
}
