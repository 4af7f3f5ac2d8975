use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub must_change_password: bool,
    pub disabled: bool,
    pub locked_until: Option<DateTime>,
    pub failures_after_attempt: Option<i64>,
    pub person_id: Option<i32>,
    pub password_changed_at: Option<DateTime>,
    pub last_login_at: Option<DateTime>,
    /// The current password was set by the owner on a path no administrator was on; accounts
    /// with sensitive access work with no other (see `auth::sessions::login`).
    pub password_by_owner: bool,
    /// The last reset by someone else, and by whom, shown to the owner.
    pub password_reset_at: Option<DateTime>,
    pub password_reset_by: Option<String>,
    pub created_at: DateTime,
    pub updated_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
