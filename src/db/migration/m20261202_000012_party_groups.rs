//! 党小组成员: which Party members belong to which 党小组 (a child organization of their
//! branch), and who leads each group (组长). A member belongs to at most one group (`person_id`
//! unique); a group has at most one leader: `leader_of` holds the group's id on the leader's row
//! and is empty on the others, so a unique index on it allows one leader per group on every
//! backend (empty values never collide), without a partial index MySQL lacks. Scope comes from
//! the group's organization, so the rows keep no organization path.

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
                    .table("party_group_members")
                    .col(pk_auto("id"))
                    .col(integer("group_id"))
                    .col(integer("person_id"))
                    .col(integer_null("leader_of"))
                    .col(date_null("since"))
                    .col(date_time("created_at"))
                    .foreign_key(&mut fk("party_group_members", "group_id", "orgs", false))
                    .foreign_key(&mut fk("party_group_members", "person_id", "persons", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("party_group_members", &["person_id"], true)).await?;
        manager.create_index(index("party_group_members", &["group_id"], false)).await?;
        manager.create_index(index("party_group_members", &["leader_of"], true)).await
    }
}
