//! The tables of 组织生活 (see the migration `m20261203_000019_meetings`).

pub mod kind {
    use sea_orm::entity::prelude::*;

    /// A kind of meeting and its rule, as the bureau edits it.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "meeting_types")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub code: String,
        pub name: String,
        /// `month`, `quarter`, `year`, or none (no frequency rule).
        pub period: Option<String>,
        /// How many per period.
        pub times: i32,
        /// `branch`, `group` or `committee` (党委).
        pub applies_to: String,
        /// `none`, `voting_half` (党员大会) or `committee_half` (支委会).
        pub quorum: String,
        pub open_to_non_members: bool,
        pub graded: bool,
        pub paired: bool,
        pub sort_order: i32,
        pub active: bool,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod meeting {
    use sea_orm::entity::prelude::*;

    use crate::meetings::Status;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "meetings")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub org_id: i32,
        pub org_path: String,
        pub type_code: String,
        pub held_on: Date,
        pub held_month: i32,
        pub starts_at: String,
        pub place: String,
        pub topic: String,
        pub presenter: String,
        pub recorder: String,
        pub minutes: Option<String>,
        pub decisions: Option<String>,
        pub status: Status,
        pub version: i32,
        pub root_id: Option<i32>,
        pub supersedes: Option<i32>,
        pub replaced_by: Option<i32>,
        pub similar_to: Option<i32>,
        pub similarity: Option<i32>,
        pub review_org_id: Option<i32>,
        pub opinion: Option<String>,
        pub answer: Option<String>,
        pub reviewed_by: Option<String>,
        pub reviewed_at: Option<DateTime>,
        pub submitted_at: Option<DateTime>,
        pub created_by: String,
        pub created_at: DateTime,
        pub updated_at: DateTime,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod attendee {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "meeting_attendees")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub meeting_id: i32,
        pub person_id: Option<i32>,
        pub name: String,
        pub member_kind: String,
        pub status: String,
        pub reason: Option<String>,
        pub voting: bool,
        pub grade: Option<String>,
        pub role: Option<String>,
        /// The meeting's date, copied so a person's attendance history reads one index.
        pub held_on: Date,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod band {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "meeting_bands")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub meeting_id: i32,
        pub band: i16,
        pub hash: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod followup {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "meeting_followups")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub meeting_id: i32,
        pub person_id: i32,
        pub org_id: i32,
        pub org_path: String,
        pub opened_on: Date,
        pub closed_on: Option<Date>,
        pub note: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod presence {
    use sea_orm::entity::prelude::*;

    /// A person's latest presence and latest absence without leave at counted records
    /// (`meetings::presence`).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "meeting_presence")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub person_id: i32,
        pub last_present_on: Option<Date>,
        pub last_absent_on: Option<Date>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
