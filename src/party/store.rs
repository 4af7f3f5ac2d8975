//! Queries of the Party tables that several use cases, or other domains, need. Each use case
//! reads its own rows through the entities; what is shared lives here.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entity::{event, member};
use crate::error::AppResult;

/// A person's membership, in whatever status (at most one per person).
pub async fn membership_of<C: ConnectionTrait>(db: &C, person_id: i32) -> AppResult<Option<member::Model>> {
    Ok(member::Entity::find().filter(member::Column::PersonId.eq(person_id)).one(db).await?)
}

/// A person's whole membership history, oldest first.
pub async fn events_of<C: ConnectionTrait>(db: &C, person_id: i32) -> AppResult<Vec<event::Model>> {
    Ok(event::Entity::find()
        .filter(event::Column::PersonId.eq(person_id))
        .order_by_asc(event::Column::OnDate)
        .order_by_asc(event::Column::Id)
        .all(db)
        .await?)
}
