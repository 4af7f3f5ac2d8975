//! `file_parts`: files kept in the database (an import's upload between preview and
//! confirmation, an export job's workbook) in pieces of at most a MiB. One value holding a
//! whole file does not pass MariaDB's default 16 MB `max_allowed_packet`: uploads may be 20 MB,
//! and a province roster's workbook is 14.5 MB.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        // New pieces are a MiB, more than MariaDB's plain BLOB (64 KB); an upload moved over
        // below is one piece of up to the upload limit.
        let content = match backend {
            DatabaseBackend::MySql => ColumnDef::new("content").custom("LONGBLOB").not_null().take(),
            _ => blob("content"),
        };
        manager
            .create_table(
                Table::create()
                    .table("file_parts")
                    .col(pk_auto("id"))
                    .col(string_len("owner", 20))
                    .col(integer("owner_id"))
                    .col(integer("seq"))
                    .col(content)
                    .take(),
            )
            .await?;
        manager.create_index(index("file_parts", &["owner", "owner_id", "seq"], true)).await?;
        let db = manager.get_connection();
        // Uploads waiting for confirmation keep their file; export jobs are a day's working
        // files and are dropped (their page says to export again).
        db.execute_unprepared(
            "INSERT INTO file_parts (owner, owner_id, seq, content) \
             SELECT 'upload', id, 0, content FROM import_uploads WHERE committed_at IS NULL",
        )
        .await?;
        db.execute_unprepared("DELETE FROM export_jobs").await?;
        for table in ["import_uploads", "export_jobs"] {
            manager.alter_table(Table::alter().table(table).drop_column("content").take()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Back as the nullable column of export jobs; the pieces are not moved back.
        let content = || match manager.get_database_backend() {
            DatabaseBackend::MySql => ColumnDef::new("content").custom("LONGBLOB").null().take(),
            _ => blob_null("content"),
        };
        for table in ["import_uploads", "export_jobs"] {
            manager.alter_table(Table::alter().table(table).add_column(content()).take()).await?;
        }
        manager.drop_table(Table::drop().table("file_parts").to_owned()).await
    }
}
