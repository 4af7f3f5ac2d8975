//! The membership lifecycle as the rules have it (issue 9): how a membership ended (去世, 出党,
//! 退党, 取消预备党员资格) or was stopped (停止党籍), with the date, reason, deciding organization and
//! document number; the probation's 支部大会 and approval dates kept apart from the 转正 date,
//! which the rules fix; the one extension of a probation. And `member_stints`, the months a
//! member belonged to each branch, so a month's dues ledger lists who belonged then instead of
//! who belongs now (an internal transfer or an ending no longer rewrites past months).

use sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::util::{fk, index, path_col};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        for col in [
            // 支部大会 that discussed 转正, and the higher committee's approval.
            date_null("meeting_on"),
            date_null("approved_on"),
            // The one extension of the probation: its decision and length (6–12 months).
            date_null("extended_on"),
            integer_null("extended_months"),
            // How the membership ended or was stopped; the date is `status_on`.
            string_len_null("end_kind", 20),
            string_len_null("end_reason", 200),
            string_len_null("end_by", 100),
            string_len_null("end_doc", 50),
        ] {
            let mut col = col;
            manager.alter_table(Table::alter().table("party_members").add_column(&mut col).take()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("member_stints")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    .col(integer("branch_id"))
                    .col(path_col(backend, "branch_path", false))
                    // First month counted in this branch (first of the month).
                    .col(date("from_month"))
                    // Last month counted; empty while the member is still there.
                    .col(date_null("to_month"))
                    .foreign_key(&mut fk("member_stints", "person_id", "persons", false))
                    .foreign_key(&mut fk("member_stints", "branch_id", "orgs", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("member_stints", &["branch_path", "from_month"], false)).await?;
        manager.create_index(index("member_stints", &["person_id"], false)).await?;

        // Memberships recorded before: one stint from the admission month in the current branch,
        // closed at the month of a transfer out of the bureau (earlier internal moves were not
        // dated by month and stay with the current branch).
        let month_of = |col: &str| match backend {
            DatabaseBackend::Postgres => format!("CAST(date_trunc('month', {col}) AS DATE)"),
            DatabaseBackend::MySql => format!("CAST(DATE_FORMAT({col}, '%Y-%m-01') AS DATE)"),
            _ => format!("date({col}, 'start of month')"),
        };
        let sql = format!(
            "INSERT INTO member_stints (person_id, branch_id, branch_path, from_month, to_month) \
             SELECT person_id, branch_id, branch_path, {}, CASE WHEN status = '转出' THEN {} ELSE NULL END \
             FROM party_members",
            month_of("joined_on"),
            month_of("status_on"),
        );
        manager.get_connection().execute_unprepared(&sql).await?;
        Ok(())
    }
}
