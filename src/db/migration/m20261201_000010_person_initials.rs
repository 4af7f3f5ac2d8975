//! Every way a person's name may be typed in pinyin initials (曾伟: zw, cw), so that a search
//! by initials finds surnames read as surnames and polyphonic characters by any reading, through
//! an index. Filled by the people domain when a person is written, and at start-up for rows
//! written before this table existed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::util::{binary_text, fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("person_initials")
                    .col(big_pk_auto("id"))
                    .col(integer("person_id"))
                    // Compared byte-wise: a prefix search is a range up to the next character
                    // ("wz" up to "w{"), which a linguistic collation orders differently.
                    .col(binary_text(manager.get_database_backend(), "initials", 20))
                    .foreign_key(&mut fk("person_initials", "person_id", "persons", true))
                    .take(),
            )
            .await?;
        manager.create_index(index("person_initials", &["initials", "person_id"], false)).await?;
        manager.create_index(index("person_initials", &["person_id"], false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("person_initials").to_owned()).await
    }
}
