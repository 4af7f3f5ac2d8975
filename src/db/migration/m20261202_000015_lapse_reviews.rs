//! The secretary's review of a member the six months' rule of 党章第九条 flags (no
//! organizational life, no dues or no assigned work for six months in a row): the rule leads to a
//! review and, if the branch decides so, to 除名 — never to an automatic change. A review taken in
//! the current six-month window settles the reminder.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::util::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("lapse_reviews")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    .col(date("reviewed_on"))
                    // 有正当理由, 已恢复, 提请支部大会讨论.
                    .col(string_len("conclusion", 20))
                    .col(string_len("note", 200))
                    .col(string_len("actor_name", 50))
                    .col(date_time("at"))
                    .foreign_key(&mut fk("lapse_reviews", "person_id", "persons", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("lapse_reviews", &["person_id", "reviewed_on"], false)).await
    }
}
