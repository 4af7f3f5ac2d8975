//! Queries over `persons` that other domains need (they read the table only through these).

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::entity::{self as person, Column};

/// The person with this id, deleted or not.
pub async fn find<C: ConnectionTrait>(db: &C, id: i32) -> Result<Option<person::Model>, DbErr> {
    person::Entity::find_by_id(id).one(db).await
}

/// Up to `limit` live (not deleted) persons with this police number (警号).
pub async fn live_with_police_no<C: ConnectionTrait>(
    db: &C,
    no: &str,
    limit: u64,
) -> Result<Vec<person::Model>, DbErr> {
    live().filter(Column::PoliceNo.eq(no)).limit(limit).all(db).await
}

/// Up to `limit` live persons with this (normalized) ID number.
pub async fn live_with_id_number<C: ConnectionTrait>(
    db: &C,
    id: &str,
    limit: u64,
) -> Result<Vec<person::Model>, DbErr> {
    live().filter(Column::IdNumber.eq(id)).limit(limit).all(db).await
}

fn live() -> sea_orm::Select<person::Entity> {
    person::Entity::find().filter(Column::DeletedAt.is_null())
}
