//! Units (单位: 分局, 派出所, 大队, 中队, 警务室) as a maintained list, with the names people give
//! them (aliases: 中山路所 = 中山路派出所), each covered by at most one Party organization (a
//! 联合支部 covers several units); a person's 所在单位 points at the unit and keeps its name.
//! And a full member whose 转正 date the records do not carry (real rosters rarely do): a full
//! member with `full_on` empty until someone completes it (待补录), instead of a refused row.
//!
//! Existing data: every organization's 所在单位 becomes a unit covered by it (the first
//! organization created with that name when several share it), every other name people's
//! records carry becomes an uncovered unit, and people point at their unit by its name.

use sea_orm::ConnectionTrait;
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
                    .table("units")
                    .col(pk_auto("id"))
                    .col(string_len("name", 100))
                    // The covering organization and a copy of its path (scope, moves and merges).
                    .col(integer_null("org_id"))
                    .col(path_col(backend, "org_path", true))
                    .foreign_key(&mut fk("units", "org_id", "orgs", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("units", &["name"], true)).await?;
        manager.create_index(index("units", &["org_path"], false)).await?;
        manager.create_index(index("units", &["org_id"], false)).await?;
        manager
            .create_table(
                Table::create()
                    .table("unit_aliases")
                    .col(pk_auto("id"))
                    .col(integer("unit_id"))
                    .col(string_len("alias", 100))
                    .foreign_key(&mut fk("unit_aliases", "unit_id", "units", true))
                    .take(),
            )
            .await?;
        manager.create_index(index("unit_aliases", &["alias"], true)).await?;
        manager.create_index(index("unit_aliases", &["unit_id"], false)).await?;

        let mut unit_id = integer_null("unit_id");
        manager.alter_table(Table::alter().table("persons").add_column(&mut unit_id).take()).await?;
        manager.create_index(index("persons", &["unit_id"], false)).await?;

        // 转正 date not known yet: a full member all the same, shown as 待补录.
        let mut unknown = boolean("full_on_unknown").default(false).take();
        manager.alter_table(Table::alter().table("party_members").add_column(&mut unknown).take()).await?;
        manager.create_index(index("party_members", &["full_on_unknown", "branch_path"], false)).await?;

        let db = manager.get_connection();
        for sql in [
            "INSERT INTO units (name, org_id) SELECT o.unit_name, MIN(o.id) FROM orgs o \
             WHERE o.unit_name IS NOT NULL AND o.unit_name <> '' AND o.dissolved_at IS NULL GROUP BY o.unit_name",
            "INSERT INTO units (name) SELECT DISTINCT p.unit FROM persons p WHERE p.unit IS NOT NULL AND p.unit <> '' \
             AND NOT EXISTS (SELECT 1 FROM units u WHERE u.name = p.unit)",
            "UPDATE units SET org_path = (SELECT o.path FROM orgs o WHERE o.id = units.org_id) WHERE org_id IS NOT NULL",
            "UPDATE persons SET unit_id = (SELECT u.id FROM units u WHERE u.name = persons.unit) \
             WHERE unit IS NOT NULL AND unit <> ''",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
