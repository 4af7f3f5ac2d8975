use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orgs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub parent_id: Option<i32>,
    pub path: String,
    pub depth: i32,
    pub name: String,
    pub kind: String,
    pub unit_name: Option<String>,
    pub sort_order: i32,
    pub founded_on: Option<Date>,
    pub term_years: Option<i32>,
    pub elected_on: Option<Date>,
    pub dissolved_at: Option<DateTime>,
    pub dissolved_reason: Option<String>,
    pub merged_into: Option<i32>,
    pub created_at: DateTime,
    pub updated_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
