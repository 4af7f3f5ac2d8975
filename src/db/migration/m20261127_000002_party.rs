//! Party membership (党员档案): one membership per person, its events, and the transfers of
//! the organizational relationship (组织关系转接) between branches and out of the bureau.

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
                    .table("party_members")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    .col(integer("branch_id"))
                    // The branch's path, for scope checks in one range lookup.
                    .col(path_col(backend, "branch_path", false))
                    // Admitted as probationary member by the branch meeting.
                    .col(date("joined_on"))
                    // Full membership; empty while probationary.
                    .col(date_null("full_on"))
                    .col(string_len("category", 20))
                    .col(string_len("status", 10))
                    .col(date_null("status_on"))
                    .col(date_time("created_at"))
                    .col(date_time("updated_at"))
                    .foreign_key(&mut fk("party_members", "person_id", "persons", false))
                    .foreign_key(&mut fk("party_members", "branch_id", "orgs", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("party_members", &["person_id"], true)).await?;
        manager.create_index(index("party_members", &["branch_path"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("membership_events")
                    .col(big_pk_auto("id"))
                    .col(integer("person_id"))
                    .col(string_len("kind", 20))
                    .col(date("on_date"))
                    .col(string_len("detail", 255))
                    .col(string_len("actor_name", 50))
                    .col(date_time("at"))
                    .foreign_key(&mut fk("membership_events", "person_id", "persons", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("membership_events", &["person_id"], false)).await?;

        // Committee posts of an organization, filled from the roster.
        manager
            .create_table(
                Table::create()
                    .table("committee_members")
                    .col(pk_auto("id"))
                    .col(integer("org_id"))
                    .col(integer("person_id"))
                    .col(string_len("post", 20))
                    .col(date_null("since"))
                    .col(date_time("created_at"))
                    .foreign_key(&mut fk("committee_members", "org_id", "orgs", false))
                    .foreign_key(&mut fk("committee_members", "person_id", "persons", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("committee_members", &["org_id", "person_id"], true)).await?;

        manager
            .create_table(
                Table::create()
                    .table("transfers")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    .col(integer("from_org_id"))
                    .col(path_col(backend, "from_path", false))
                    .col(integer_null("to_org_id"))
                    .col(path_col(backend, "to_path", true))
                    .col(string_len_null("to_external", 200))
                    .col(string_len("reason", 200))
                    .col(string_len("status", 10))
                    .col(integer_null("requested_by"))
                    .col(date_time("requested_at"))
                    .col(integer_null("decided_by"))
                    .col(date_time_null("decided_at"))
                    .col(string_len_null("reject_reason", 200))
                    .foreign_key(&mut fk("transfers", "person_id", "persons", false))
                    .foreign_key(&mut fk("transfers", "from_org_id", "orgs", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("transfers", &["person_id"], false)).await?;
        manager.create_index(index("transfers", &["status"], false)).await?;
        Ok(())
    }
}
