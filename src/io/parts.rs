//! Files kept in the database in pieces of at most [`PART_BYTES`], named by their owner (an
//! upload, an export job) and its id. One statement carries one piece, so a file of any
//! allowed size passes MariaDB's default 16 MB `max_allowed_packet` on its way in and out.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Set,
};

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "file_parts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub owner: String,
        pub owner_id: i32,
        pub seq: i32,
        pub content: Vec<u8>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use entity::Column as Col;

/// Largest piece in one statement.
pub const PART_BYTES: usize = 1 << 20;

/// Whose file it is: the owner's table decides who may read it.
#[derive(Debug, Clone, Copy)]
pub enum Owner {
    Upload,
    Export,
}

impl Owner {
    fn as_str(self) -> &'static str {
        match self {
            Owner::Upload => "upload",
            Owner::Export => "export",
        }
    }
}

/// Stores `bytes` as the file of `owner` `id`; call it inside the transaction that makes the
/// owner's row point at the file, so nobody reads half of it.
pub async fn store<C: ConnectionTrait>(db: &C, owner: Owner, id: i32, bytes: &[u8]) -> Result<(), sea_orm::DbErr> {
    for (seq, piece) in bytes.chunks(PART_BYTES).enumerate() {
        entity::ActiveModel {
            owner: Set(owner.as_str().to_owned()),
            owner_id: Set(id),
            seq: Set(i32::try_from(seq).unwrap_or(i32::MAX)),
            content: Set(piece.to_vec()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The file of `owner` `id`, empty if none is stored.
pub async fn read<C: ConnectionTrait>(db: &C, owner: Owner, id: i32) -> Result<Vec<u8>, sea_orm::DbErr> {
    let parts = entity::Entity::find()
        .filter(Col::Owner.eq(owner.as_str()))
        .filter(Col::OwnerId.eq(id))
        .order_by_asc(Col::Seq)
        .all(db)
        .await?;
    Ok(parts.into_iter().map(|p| p.content).collect::<Vec<_>>().concat())
}

/// Drops the files of these owners.
pub async fn remove<C: ConnectionTrait>(db: &C, owner: Owner, ids: Vec<i32>) -> Result<(), sea_orm::DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    entity::Entity::delete_many()
        .filter(Col::Owner.eq(owner.as_str()))
        .filter(Col::OwnerId.is_in(ids))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes the owner rows `stale` selects (by their `id` column) with their files, in one
/// transaction: what uploads and export jobs do with what is a day old.
pub async fn drop_owners<E: EntityTrait>(
    db: &DatabaseConnection,
    owner: Owner,
    stale: Select<E>,
    id: E::Column,
) -> Result<(), sea_orm::DbErr> {
    let ids: Vec<i32> = stale.select_only().column(id).into_tuple().all(db).await?;
    if ids.is_empty() {
        return Ok(());
    }
    let txn = crate::db::begin_write(db).await?;
    remove(&txn, owner, ids.clone()).await?;
    E::delete_many().filter(id.is_in(ids)).exec(&txn).await?;
    txn.commit().await
}
