//! What other code needs of the visits' tables: the one entry point that raises a must-visit
//! task (other domains reach it through [`crate::module::report_situation`]), the 五知 versions of
//! a person, and the names of the people a page shows.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

use super::FiveKnowns;
use super::entity::{situation, task, visit};
use crate::audit::{self, Event};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::module::{BoxFuture, PersonSituation};
use crate::state::AppState;

/// The situation with this code, active or not.
pub async fn situation_by_code<C: ConnectionTrait>(db: &C, code: &str) -> AppResult<Option<situation::Model>> {
    Ok(situation::Entity::find().filter(situation::Column::Code.eq(code)).one(db).await?)
}

/// What raises a must-visit: whom, which situation (code), which record reports it, when.
#[derive(Debug, Clone, Copy)]
pub struct Raise<'a> {
    pub person_id: i32,
    pub situation: &'a str,
    pub source: &'a str,
    pub on: NaiveDate,
}

/// Raises a must-visit task on a person for a 十必访 situation, inside the caller's transaction:
/// due `deadline_days` after `on`, placed in the person's organization, for its secretary.
/// Idempotent: the same person, situation and source raise one task (`Ok(None)` the second time).
/// An inactive or unknown situation raises nothing: the bureau switched it off.
pub async fn raise_must_visit(
    txn: &DatabaseTransaction,
    state: &AppState,
    raise: Raise<'_>,
    by: Option<&Actor>,
    note: Option<String>,
) -> AppResult<Option<task::Model>> {
    let Raise { person_id, situation: situation_code, source, on } = raise;
    let Some(s) = situation_by_code(txn, situation_code).await?.filter(|s| s.active) else {
        return Ok(None);
    };
    let exists = task::Entity::find()
        .filter(task::Column::PersonId.eq(person_id))
        .filter(task::Column::SituationId.eq(s.id))
        .filter(task::Column::Source.eq(source))
        .one(txn)
        .await?;
    if exists.is_some() {
        return Ok(None);
    }
    let p = crate::people::store::find_live(txn, person_id).await?.ok_or(AppError::NotFound)?;
    let path = p.org_path.clone().unwrap_or_else(|| "/".to_owned());
    let saved = task::ActiveModel {
        person_id: Set(person_id),
        org_id: Set(p.org_id),
        org_path: Set(path.clone()),
        situation_id: Set(s.id),
        source: Set(source.chars().take(60).collect()),
        raised_on: Set(on),
        due_on: Set(on + chrono::Duration::days(i64::from(s.deadline_days.max(0)))),
        note: Set(note),
        raised_by_name: Set(by.map_or_else(|| "系统".to_owned(), |a| a.display_name.chars().take(50).collect())),
        visit_id: Set(None),
        closed_on: Set(None),
        created_at: Set(state.clock.now_db()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let event = by.map_or_else(|| Event::anonymous("system", None, "visit.task_raise"), |a| Event::by(a, "visit.task_raise"))
        .object("visit_task", saved.id)
        .org(path)
        .summary(json!({"person": person_id, "situation": s.code, "source": saved.source, "due_on": saved.due_on.to_string()}));
    audit::record(txn, state.clock.as_ref(), event).await?;
    Ok(Some(saved))
}

/// The listener installed for [`crate::module::report_situation`].
pub fn on_situation<'a>(
    txn: &'a DatabaseTransaction,
    state: &'a AppState,
    s: &'a PersonSituation,
) -> BoxFuture<'a, AppResult<()>> {
    Box::pin(async move {
        let raise = Raise { person_id: s.person_id, situation: s.situation, source: &s.source, on: s.on };
        raise_must_visit(txn, state, raise, None, None).await?;
        Ok(())
    })
}

/// A person's visits, newest first (each a version of the 五知).
pub async fn visits_of<C: ConnectionTrait>(db: &C, person_id: i32) -> AppResult<Vec<visit::Model>> {
    Ok(visit::Entity::find()
        .filter(visit::Column::PersonId.eq(person_id))
        .order_by_desc(visit::Column::VisitedOn)
        .order_by_desc(visit::Column::Id)
        .all(db)
        .await?)
}

/// The 五知 a visit recorded.
pub fn five_of(v: &visit::Model) -> FiveKnowns {
    FiveKnowns {
        family_notes: v.family_notes.clone(),
        friends: v.friends.clone(),
        personality: v.personality.clone(),
        hobbies: v.hobbies.clone(),
        recent_changes: v.recent_changes.clone(),
    }
}

/// The listener installed for a sanction recorded by the discipline domain (十必访: 受到处分、
/// 问责、组织处理): a must-visit for the person's branch, counted from the day it is recorded (a
/// decision recorded late must not start overdue).
pub fn on_sanction<'a>(
    txn: &'a DatabaseTransaction,
    state: &'a AppState,
    actor: &'a Actor,
    s: &'a crate::module::SanctionRecorded,
) -> BoxFuture<'a, AppResult<Vec<String>>> {
    Box::pin(async move {
        let source = format!("sanction#{}", s.sanction_id);
        let on = s.effective_on.max(state.clock.today());
        let raise = Raise { person_id: s.person_id, situation: "sanction", source: &source, on };
        let raised = raise_must_visit(txn, state, raise, Some(actor), None).await?;
        Ok(raised.map(|t| format!("必访任务（期限 {}）", t.due_on)).into_iter().collect())
    })
}

/// The open must-visit tasks in `scope` whose deadline passed before `today`: (person, situation
/// label, due date), one query. For the early warning of the risk domain, which has checked its
/// own authorization.
pub async fn overdue_in<C: ConnectionTrait>(
    db: &C,
    scope: &crate::auth::Scope,
    today: NaiveDate,
) -> AppResult<Vec<(i32, String, NaiveDate)>> {
    use sea_orm::QuerySelect;
    let rows: Vec<(i32, i32, NaiveDate)> = task::Entity::find()
        .select_only()
        .column(task::Column::PersonId)
        .column(task::Column::SituationId)
        .column(task::Column::DueOn)
        .filter(crate::db::scope::in_scope(task::Column::OrgPath, scope))
        .filter(task::Column::ClosedOn.is_null())
        .filter(task::Column::DueOn.lt(today))
        .order_by_asc(task::Column::DueOn)
        .into_tuple()
        .all(db)
        .await?;
    let labels: std::collections::HashMap<i32, String> =
        situation::Entity::find().all(db).await?.into_iter().map(|s| (s.id, s.label)).collect();
    Ok(rows.into_iter().map(|(p, s, due)| (p, labels.get(&s).cloned().unwrap_or_default(), due)).collect())
}
