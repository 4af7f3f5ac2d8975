//! Introduction letters and transfers in from outside the bureau (issue 9, item 8).
//!
//! `transfer_letters`: the 中国共产党党员组织关系介绍信 issued for a transfer out of the bureau,
//! one per transfer, numbered from its own sequence per issuing year (unique `(year, seq)`,
//! printed "〔2026〕第 0012 号"), with what it stated (date, dues paid to) frozen at issue so every
//! download is the same letter, and the receipt (回执) the receiving organization returns.
//!
//! `transfers_in`: an incoming letter from outside the bureau (a new officer from police college
//! bringing their organizational relationship): its number and issuer, the dates it states, the
//! day it arrived and the branch that received it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::util::{fk, index, path_col};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table("transfer_letters")
                    .col(pk_auto("id"))
                    .col(integer("transfer_id"))
                    // The number: the issuing year and its sequence in that year.
                    .col(integer("year"))
                    .col(integer("seq"))
                    .col(date("issued_on"))
                    // 党费已交到 as the letter states it (first of the month).
                    .col(date("dues_paid_to"))
                    .col(string_len("issued_by", 50))
                    .col(date_time("issued_at"))
                    // The receipt (回执) returned by the receiving organization.
                    .col(date_null("receipt_on"))
                    .col(string_len_null("receipt_org", 200))
                    .col(string_len_null("receipt_note", 200))
                    .col(string_len_null("receipt_by", 50))
                    .col(date_time_null("receipt_at"))
                    .foreign_key(&mut fk("transfer_letters", "transfer_id", "transfers", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("transfer_letters", &["transfer_id"], true)).await?;
        manager.create_index(index("transfer_letters", &["year", "seq"], true)).await?;
        // The reminder looks for letters without a receipt.
        manager.create_index(index("transfer_letters", &["receipt_on", "issued_on"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("transfers_in")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    // The receiving branch, and its path for scope checks.
                    .col(integer("branch_id"))
                    .col(path_col(backend, "branch_path", false))
                    // The incoming letter: its number and the organization that issued it.
                    .col(string_len("letter_no", 50))
                    .col(string_len("issuer", 100))
                    // What it states: admission, full membership, dues paid to (first of the month).
                    .col(date("joined_on"))
                    .col(date_null("full_on"))
                    .col(date("dues_paid_to"))
                    // The day it was received: the member counts here from that month.
                    .col(date("arrived_on"))
                    .col(string_len("recorded_by", 50))
                    .col(date_time("recorded_at"))
                    .foreign_key(&mut fk("transfers_in", "person_id", "persons", false))
                    .foreign_key(&mut fk("transfers_in", "branch_id", "orgs", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("transfers_in", &["branch_path"], false)).await?;
        manager.create_index(index("transfers_in", &["person_id"], false)).await?;
        Ok(())
    }
}
