//! The characters and pairs of neighbouring characters of each person's name and unit, so that
//! a search for any part of a name (a rare full name such as 王伟, a common surname, one
//! character) reaches the rows through an index instead of reading every person (`LIKE '%…%'`
//! cannot use one). Kept by the people domain in the transaction that writes the person; filled
//! for the persons already written at start-up (`people::store::fill_missing_grams`, as the
//! pinyin initials are: the database layer does not reach into a domain). Why this rather than
//! each database's own text index: docs/benchmarks.md, "按姓名检索".

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
                    .table("person_grams")
                    .col(big_pk_auto("id"))
                    .col(integer("person_id"))
                    // Compared byte-wise: the exact characters, lower-cased by the writer.
                    .col(binary_text(manager.get_database_backend(), "gram", 4))
                    .foreign_key(&mut fk("person_grams", "person_id", "persons", true))
                    .take(),
            )
            .await?;
        manager.create_index(index("person_grams", &["gram", "person_id"], false)).await?;
        manager.create_index(index("person_grams", &["person_id"], false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("person_grams").to_owned()).await
    }
}
