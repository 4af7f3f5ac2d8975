//! One person, at most one account. Accounts can now be linked to their person record by the
//! account administrator (web and `dangjian user link`); the link gives the account its own
//! profile, full ID and phone numbers included, so two accounts must never share a person.
//! The service checks this first to name the other account; this index settles races.
//! NULLs do not collide in a unique index on SQLite, PostgreSQL or MySQL, so unlinked
//! accounts are unaffected. Until now only the demo generator set the column, one account per
//! person, so existing databases hold no duplicates.

use sea_orm_migration::prelude::*;

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index("users", &["person_id"], true)).await
    }
}
