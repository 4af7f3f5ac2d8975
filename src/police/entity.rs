//! The police tables: one row of police fields per person, awards, yearly appraisals. Scope
//! comes from the person (the rows keep no organization path).

pub mod profile {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "police_profiles")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub person_id: i32,
        pub leader_post: Option<String>,
        pub grade: Option<String>,
        pub police_rank: Option<String>,
        pub rank_on: Option<Date>,
        pub police_type: Option<String>,
        pub establishment: Option<String>,
        pub aux_kind: Option<String>,
        pub employer_kind: Option<String>,
        pub employer_name: Option<String>,
        pub contract_start: Option<Date>,
        pub contract_end: Option<Date>,
        pub updated_at: DateTime,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod award {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "police_awards")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub person_id: i32,
        pub kind: String,
        pub title: Option<String>,
        pub awarded_on: Date,
        pub granted_by: String,
        pub doc_no: Option<String>,
        pub created_at: DateTime,
        pub updated_at: DateTime,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod appraisal {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "police_appraisals")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub person_id: i32,
        pub year: i32,
        pub grade: String,
        pub comment: Option<String>,
        pub created_at: DateTime,
        pub updated_at: DateTime,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
