//! Keys the audit chain. Until now every row carried a plain SHA-256, which anyone able to write
//! to the database could recompute after editing or deleting rows (head row included). From now
//! on rows are sealed with an HMAC under a key kept outside the database:
//!
//! - `audit_log.key_id`: id of the key that sealed the row. NULL marks the unkeyed rows written
//!   by earlier releases; they keep verifying with SHA-256, and the first keyed row links to the
//!   last of them, so the transition is part of the chain. No unkeyed row may follow a keyed one.
//! - `audit_head.mac`: HMAC of the head's sequence number and hash, so rewinding the head after
//!   deleting the newest rows needs the key too. NULL until the first keyed row is written.
//!
//! Nothing is rewritten: existing rows stay as they were hashed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::string_len_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("audit_log").add_column(string_len_null("key_id", 16)).take()).await?;
        manager.alter_table(Table::alter().table("audit_head").add_column(string_len_null("mac", 64)).take()).await
    }
}
