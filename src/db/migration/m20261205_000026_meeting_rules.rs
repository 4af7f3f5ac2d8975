//! The leftovers of issues 11 and 12 that need the schema:
//! - two indexes so the list of meeting records pages quickly over a whole city bureau (five
//!   years of records): newest first by `(held_on, id)`, and the count of latest versions in a
//!   scope read from `(replaced_by, org_path)` alone;
//! - `visit_settings`, the 家访 module's own settings edited by the bureau's party administrator
//!   (the 全员访 cycle; absent, the configuration file's default of one year applies).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index("meetings", &["held_on", "id"], false)).await?;
        manager.create_index(index("meetings", &["replaced_by", "org_path"], false)).await?;
        manager
            .create_table(
                Table::create()
                    .table("visit_settings")
                    .col(pk_auto("id"))
                    // 全员访: every person once per cycle of this many months (12, 6, 4 or 3).
                    .col(integer("cycle_months"))
                    .col(date_time("updated_at"))
                    .col(string_len("updated_by", 50))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("visit_settings").to_owned()).await?;
        manager
            .drop_index(Index::drop().name("idx_meetings_replaced_by_org_path").table("meetings").to_owned())
            .await?;
        manager.drop_index(Index::drop().name("idx_meetings_held_on_id").table("meetings").to_owned()).await
    }
}
