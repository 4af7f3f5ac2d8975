use sea_orm::entity::prelude::*;

/// Failed logins of one user name (as typed, known or not) from one client address.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_locks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub username: String,
    pub ip: String,
    pub failures: i32,
    pub lock_count: i32,
    pub locked_until: Option<DateTime>,
    pub last_failure_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
