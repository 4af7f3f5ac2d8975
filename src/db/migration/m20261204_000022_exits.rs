//! 出口机制: exit cases (one per person and occasion, its steps as columns and its history as
//! rows) and the statutory bars recorded on a case (research/domain.md §6).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::util::{fk, index, path_col};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table("exit_cases")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    // 民警 or 辅警 when the case was opened (the outcomes follow it).
                    .col(string_len("person_kind", 10))
                    .col(integer("org_id"))
                    .col(path_col(b, "org_path", false))
                    .col(string_len("status", 20))
                    .col(string_len("source_kind", 20))
                    .col(integer_null("source_ref"))
                    .col(text("grounds"))
                    .col(date("opened_on"))
                    .col(text_null("findings"))
                    .col(date_null("notified_on"))
                    .col(text_null("statement"))
                    .col(date_null("statement_on"))
                    .col(date_null("committee_on"))
                    .col(string_len_null("committee_attendees", 500))
                    .col(text_null("committee_decision"))
                    .col(string_len_null("outcome", 20))
                    .col(date_null("decided_on"))
                    .col(string_len_null("decided_by", 100))
                    .col(string_len_null("doc_no", 50))
                    .col(text_null("override_reason"))
                    .col(date_null("handover_due"))
                    .col(date_null("executed_on"))
                    .col(text_null("handover_note"))
                    .col(date_null("closed_on"))
                    .col(text_null("closing_note"))
                    .col(integer_null("responsible_user_id"))
                    .col(integer_null("created_by"))
                    .col(date_time("created_at"))
                    .col(date_time("updated_at"))
                    .foreign_key(&mut fk("exit_cases", "person_id", "persons", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("exit_cases", &["org_path", "status"], false)).await?;
        manager.create_index(index("exit_cases", &["person_id"], false)).await?;
        manager.create_index(index("exit_cases", &["source_kind", "source_ref"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("exit_case_bars")
                    .col(pk_auto("id"))
                    .col(integer("case_id"))
                    .col(string_len("kind", 20))
                    .col(string_len("note", 500))
                    .col(date("noted_on"))
                    .col(date_null("lifted_on"))
                    .col(string_len("recorded_by_name", 50))
                    .foreign_key(&mut fk("exit_case_bars", "case_id", "exit_cases", true))
                    .take(),
            )
            .await?;
        manager.create_index(index("exit_case_bars", &["case_id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("exit_case_steps")
                    .col(pk_auto("id"))
                    .col(integer("case_id"))
                    .col(string_len("step", 20))
                    .col(date("on_date"))
                    .col(text("detail"))
                    .col(integer_null("actor_id"))
                    .col(string_len("actor_name", 50))
                    .col(date_time("at"))
                    .foreign_key(&mut fk("exit_case_steps", "case_id", "exit_cases", true))
                    .take(),
            )
            .await?;
        manager.create_index(index("exit_case_steps", &["case_id"], false)).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["exit_case_steps", "exit_case_bars", "exit_cases"] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
