//! `export_jobs`: a large Excel export built beside the requests. The row holds how far it has
//! got (so any instance can show the progress) and then the file, which only the account that
//! started it may download; rows older than a day are dropped (they hold personal data).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A 30,000-row roster is a few MB: more than MariaDB's plain BLOB holds.
        let content = match manager.get_database_backend() {
            DatabaseBackend::MySql => ColumnDef::new("content").custom("LONGBLOB").null().take(),
            _ => blob_null("content"),
        };
        manager
            .create_table(
                Table::create()
                    .table("export_jobs")
                    .col(pk_auto("id"))
                    .col(string_len("kind", 20))
                    .col(string_len("filename", 255))
                    .col(integer("created_by"))
                    .col(date_time("created_at"))
                    .col(integer("total_rows"))
                    .col(integer("done_rows"))
                    .col(date_time_null("finished_at"))
                    .col(string_len_null("failure", 255))
                    .col(content)
                    .take(),
            )
            .await?;
        manager.create_index(index("export_jobs", &["created_at"], false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("export_jobs").to_owned()).await
    }
}
