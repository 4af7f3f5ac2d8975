use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "persons")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    pub name_initials: String,
    pub kind: String,
    pub police_no: Option<String>,
    pub id_number: String,
    /// The ID number reversed, so "ends with 1234" is an indexed prefix search (`4321…`).
    pub id_number_rev: String,
    pub gender: String,
    pub birth_date: Date,
    pub ethnicity: Option<String>,
    pub education: Option<String>,
    pub phone: Option<String>,
    pub org_id: Option<i32>,
    pub org_path: Option<String>,
    pub unit: Option<String>,
    /// The unit in the list (`orgs::units`) that `unit` names, when the list knows it.
    pub unit_id: Option<i32>,
    pub position: Option<String>,
    pub rank: Option<String>,
    pub political_status: String,
    pub employment_status: String,
    pub status_since: Option<Date>,
    pub joined_police_on: Option<Date>,
    pub created_at: DateTime,
    pub updated_at: DateTime,
    pub deleted_at: Option<DateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

/// The ID number as stored in `id_number_rev`.
pub fn reversed_id(id_number: &str) -> String {
    id_number.chars().rev().collect()
}

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    /// Keeps the reversed copy in step with the ID number on every insert and update.
    async fn before_save<C>(mut self, _db: &C, _insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        if let sea_orm::ActiveValue::Set(id) = &self.id_number {
            self.id_number_rev = sea_orm::ActiveValue::Set(reversed_id(id));
        }
        Ok(self)
    }
}

pub mod history {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "person_history")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub person_id: i32,
        pub at: DateTime,
        pub actor_id: Option<i32>,
        pub actor_name: String,
        pub field: String,
        pub old_value: Option<String>,
        pub new_value: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The ways a person's name may be typed in pinyin initials (see `text::initials_variants`).
pub mod initials {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "person_initials")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub person_id: i32,
        pub initials: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The characters and pairs of characters of a person's name and unit (see
/// `text::search_grams`), through which the roster finds any part of a name.
pub mod grams {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "person_grams")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub person_id: i32,
        pub gram: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
