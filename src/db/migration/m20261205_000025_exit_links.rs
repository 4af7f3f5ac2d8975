//! Links toward the exit mechanism and the correction of sanction records:
//! * `risk_categories.exit_ground`: whether a flag of the category proposes an exit case
//!   (research/domain.md §6.1, the seed: “受党纪政务重处分、不适宜继续从事公安工作民辅警” and
//!   “躺平摆烂”“侧卧式”民辅警): `排查发现` (a screening finding in the category proposes one),
//!   `躺平摆烂` (any flag in it does), empty (none). Seeded for c01 and c07 of §1.4; editable.
//! * `sanction_corrections`: the previous version of a sanction record each time discipline staff
//!   correct a typing error in it (facts, deciding body, number, dates), with who, when and why.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::util::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (category code, exit ground) seeded from research/domain.md §6.1.
const GROUNDS: &[(&str, &str)] = &[("c01", "排查发现"), ("c07", "躺平摆烂")];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("risk_categories").add_column(string_len_null("exit_ground", 10)).take())
            .await?;
        for (code, ground) in GROUNDS {
            let update = Query::update()
                .table("risk_categories")
                .value("exit_ground", *ground)
                .and_where(Expr::col("code").eq(*code))
                .to_owned();
            manager.exec_stmt(update).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table("sanction_corrections")
                    .col(pk_auto("id"))
                    .col(integer("sanction_id"))
                    // The record as it was before this correction.
                    .col(text("facts"))
                    .col(string_len("decided_by", 100))
                    .col(string_len_null("doc_no", 50))
                    .col(date("decided_on"))
                    .col(date("effective_on"))
                    .col(date_null("influence_until"))
                    .col(string_len("reason", 500))
                    .col(string_len("corrected_by_name", 50))
                    .col(date_time("corrected_at"))
                    .foreign_key(&mut fk("sanction_corrections", "sanction_id", "sanctions", true))
                    .take(),
            )
            .await?;
        manager.create_index(index("sanction_corrections", &["sanction_id"], false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("sanction_corrections").to_owned()).await?;
        manager.alter_table(Table::alter().table("risk_categories").drop_column("exit_ground").take()).await
    }
}
