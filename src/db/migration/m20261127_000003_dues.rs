//! Party dues (党费): the monthly base of each member with the month it applies from, and the
//! payments recorded per member and month. Amounts are in fen (分) to stay exact.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::util::fk;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("dues_bases")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    // First day of the month from which this base applies.
                    .col(date("effective_month"))
                    .col(big_integer("base_fen"))
                    // normal, retired, exempt (hardship exemption approved by the committee above).
                    .col(string_len("category", 10))
                    .col(string_len("note", 200))
                    .col(string_len("recorded_by", 50))
                    .col(date_time("recorded_at"))
                    .foreign_key(&mut fk("dues_bases", "person_id", "persons", false))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_dues_bases_person_month")
                    .table("dues_bases")
                    .col("person_id")
                    .col("effective_month")
                    .unique()
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("dues_payments")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    .col(date("month"))
                    .col(big_integer("amount_fen"))
                    .col(date("paid_on"))
                    .col(string_len("recorded_by", 50))
                    .col(date_time("recorded_at"))
                    .foreign_key(&mut fk("dues_payments", "person_id", "persons", false))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_dues_payments_person_month")
                    .table("dues_payments")
                    .col("person_id")
                    .col("month")
                    .unique()
                    .take(),
            )
            .await?;
        Ok(())
    }
}
