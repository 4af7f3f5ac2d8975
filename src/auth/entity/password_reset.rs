use sea_orm::entity::prelude::*;

/// A password reset of an account: the system administrator's request, the security
/// administrator's decision and the one-time code issued (only its SHA-256 is kept).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "password_resets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    /// `pending`, `issued`, `used`, `rejected` or `superseded`.
    pub status: String,
    pub reason: Option<String>,
    pub requested_by: Option<i32>,
    pub requested_by_name: String,
    pub requested_at: DateTime,
    pub decided_by: Option<i32>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime>,
    pub code_hash: Option<String>,
    pub expires_at: Option<DateTime>,
    pub used_at: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
