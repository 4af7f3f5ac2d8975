//! The compliance table of a whole city bureau reads approved records of a few types over a few
//! months: an index led by status and type, holding the month, path and organization, serves that
//! group-by (and the approved 谈心谈话 of a year) from the index alone instead of visiting every
//! approved record of five years.

use sea_orm_migration::prelude::*;

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLS: &[&str] = &["status", "type_code", "held_month", "org_path", "org_id"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index("meetings", COLS, false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(format!("idx_meetings_{}", COLS.join("_"))).table("meetings").to_owned())
            .await
    }
}
