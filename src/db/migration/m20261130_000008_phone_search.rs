//! The roster can now be searched by phone number (from its start), for the accounts that may see
//! phone numbers. Without an index such a search reads every person of a city bureau, and a
//! digit string that is also an ID suffix or a police number could no longer be answered from
//! those columns' indexes alone.

use sea_orm_migration::prelude::*;

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index("persons", &["phone"], false)).await
    }
}
