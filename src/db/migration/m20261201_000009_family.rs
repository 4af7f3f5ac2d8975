//! 家庭成员: a person's family, the family-and-care sensitive class (the base of the home
//! visits' 五知). Scope comes from the person, so the rows keep no organization path.

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
                    .table("family_members")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    .col(string_len("relation", 10))
                    .col(string_len("name", 50))
                    .col(small_integer_null("birth_year"))
                    .col(string_len_null("work_unit", 100))
                    .col(string_len_null("post", 50))
                    .col(string_len_null("political_status", 10))
                    .col(string_len_null("phone", 20))
                    .col(date_time("created_at"))
                    .col(date_time("updated_at"))
                    .foreign_key(&mut fk("family_members", "person_id", "persons", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("family_members", &["person_id"], false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("family_members").to_owned()).await
    }
}
