//! `sanctions` (one row per decision, kept when revoked or changed) and `commitments` (the
//! bureau's 五个一律、五个零容忍 items, edited by the bureau).

pub mod sanction {
    use sea_orm::entity::prelude::*;

    use crate::discipline::rules::{Category, Ground, Kind, Source, Status};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sanctions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub person_id: i32,
        /// The person's organization when the record was made, and its path (scope, statistics).
        pub org_id: i32,
        pub org_path: String,
        pub category: Category,
        pub kind: Kind,
        /// 留党察看's length in years (1 or 2), else empty.
        pub probation_years: Option<i16>,
        pub decided_on: Date,
        pub effective_on: Date,
        /// Computed from kind, effective date and probation on every write; never typed.
        pub influence_until: Option<Date>,
        pub facts: String,
        pub decided_by: String,
        pub doc_no: Option<String>,
        pub source: Option<Source>,
        pub ground: Option<Ground>,
        pub commitment_id: Option<i32>,
        pub status: Status,
        /// The date of the revocation or change, its reason, deciding body and number.
        pub status_on: Option<Date>,
        pub status_reason: Option<String>,
        pub status_doc: Option<String>,
        /// For a changed record, the record that replaced it; for a replacement, the one it replaced.
        pub replaced_by: Option<i32>,
        pub replaces: Option<i32>,
        pub created_by: Option<i32>,
        pub created_at: DateTime,
        pub updated_at: DateTime,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod commitment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "commitments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        /// 五个一律 or 五个零容忍.
        pub group_name: String,
        pub title: String,
        pub body: Option<String>,
        /// A shipped example, to be replaced by the bureau's own wording.
        pub example: bool,
        pub sort_order: i32,
        /// No longer in use: kept for the violations recorded against it.
        pub retired: bool,
        pub created_at: DateTime,
        pub updated_at: DateTime,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod correction {
    use sea_orm::entity::prelude::*;

    /// A record as it was before a correction of its typing errors (facts, deciding body,
    /// number, dates), with who corrected it, when and why. Newest last.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sanction_corrections")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub sanction_id: i32,
        pub facts: String,
        pub decided_by: String,
        pub doc_no: Option<String>,
        pub decided_on: Date,
        pub effective_on: Date,
        pub influence_until: Option<Date>,
        pub reason: String,
        pub corrected_by_name: String,
        pub corrected_at: DateTime,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
