//! Each person's latest day present (出席 or 远程) and latest day absent without leave (缺席) at
//! counted records (`meeting_presence`), so that the six-months absence list (党章第九条) is an
//! index range rather than a question asked of every attendance row of the bureau. Only the
//! approval of a record changes what counts (an approved record's new version supersedes it
//! when approved; archiving keeps it counted), so `refresh` runs in the approval's transaction.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::Status;
use super::entity::{attendee, meeting, presence};
use crate::error::AppResult;

/// The two dates of every person with a seat at a counted record, or of `only` these people.
fn facts(only: Option<&[i32]>) -> SelectStatement {
    let a = Alias::new("a");
    let latest = |statuses: &[&str]| {
        let when = Expr::col((a.clone(), attendee::Column::Status)).is_in(statuses.iter().copied());
        Func::max(Expr::case(when, Expr::col((a.clone(), attendee::Column::HeldOn))))
    };
    let mut q = Query::select();
    q.column((a.clone(), attendee::Column::PersonId))
        .expr(latest(&["出席", "远程"]))
        .expr(latest(&["缺席"]))
        .from_as(attendee::Entity, a.clone())
        .inner_join(
            meeting::Entity,
            Expr::col((meeting::Entity, meeting::Column::Id)).equals((a.clone(), attendee::Column::MeetingId)),
        )
        .and_where(Expr::col((meeting::Entity, meeting::Column::Status)).is_in([Status::Approved, Status::Archived]))
        .and_where(Expr::col((a.clone(), attendee::Column::PersonId)).is_not_null())
        .group_by_col((a.clone(), attendee::Column::PersonId));
    if let Some(ids) = only {
        q.and_where(Expr::col((a, attendee::Column::PersonId)).is_in(ids.iter().copied()));
    }
    q
}

async fn insert_facts<C: ConnectionTrait>(db: &C, only: Option<&[i32]>) -> AppResult<()> {
    let insert = Query::insert()
        .into_table(presence::Entity)
        .columns([presence::Column::PersonId, presence::Column::LastPresentOn, presence::Column::LastAbsentOn])
        .select_from(facts(only))
        .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?
        .to_owned();
    db.execute(&insert).await?;
    Ok(())
}

/// Recomputes the dates of `person_ids` from their counted attendance.
pub async fn refresh<C: ConnectionTrait>(db: &C, person_ids: &[i32]) -> AppResult<()> {
    let mut ids = person_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(500) {
        presence::Entity::delete_many().filter(presence::Column::PersonId.is_in(chunk.to_vec())).exec(db).await?;
        insert_facts(db, Some(chunk)).await?;
    }
    Ok(())
}

/// Recomputes every person's dates (after records are written in bulk: the demo data).
pub async fn rebuild<C: ConnectionTrait>(db: &C) -> AppResult<()> {
    presence::Entity::delete_many().exec(db).await?;
    insert_facts(db, None).await
}
