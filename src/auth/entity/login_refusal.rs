use sea_orm::entity::prelude::*;

/// Refused logins from one client address in one window, audited as one row when it ends.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_refusals")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub ip: String,
    pub window_start: DateTime,
    pub window_end: DateTime,
    pub total: i32,
    /// JSON object: refusals by reason.
    pub counts: String,
    /// JSON array: the first user names tried.
    pub usernames: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
