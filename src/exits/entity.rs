//! `exit_cases` (one row per case, each step's facts in its columns), `exit_case_bars` (the
//! statutory bars recorded on a case) and `exit_case_steps` (the history of every step taken).

pub mod case {
    use sea_orm::entity::prelude::*;

    use crate::exits::{Outcome, SourceKind, Status};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "exit_cases")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub person_id: i32,
        /// 民警 or 辅警 when the case was opened.
        pub person_kind: String,
        pub org_id: i32,
        pub org_path: String,
        pub status: Status,
        pub source_kind: SourceKind,
        /// The record that proposed the case (a sanction's or an appraisal's id), when one did.
        pub source_ref: Option<i32>,
        /// Why the case was opened.
        pub grounds: String,
        pub opened_on: Date,
        /// 调查核实: the facts established.
        pub findings: Option<String>,
        /// 告知: the day the person was told the facts and of the right to state their case.
        pub notified_on: Option<Date>,
        /// 陈述申辩: what the person said (or that they declined to say anything, in their words).
        pub statement: Option<String>,
        pub statement_on: Option<Date>,
        /// 党委集体研究.
        pub committee_on: Option<Date>,
        pub committee_attendees: Option<String>,
        pub committee_decision: Option<String>,
        pub outcome: Option<Outcome>,
        pub decided_on: Option<Date>,
        pub decided_by: Option<String>,
        pub doc_no: Option<String>,
        /// Why a dismissal was decided despite a statutory bar (audited).
        pub override_reason: Option<String>,
        pub handover_due: Option<Date>,
        pub executed_on: Option<Date>,
        pub handover_note: Option<String>,
        /// 归档 or 不予立案.
        pub closed_on: Option<Date>,
        pub closing_note: Option<String>,
        /// Who works the case (the user who opened or accepted it): the deadlines are theirs.
        pub responsible_user_id: Option<i32>,
        pub created_by: Option<i32>,
        pub created_at: DateTime,
        pub updated_at: DateTime,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod bar {
    use sea_orm::entity::prelude::*;

    use crate::exits::Bar;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "exit_case_bars")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub case_id: i32,
        pub kind: Bar,
        pub note: String,
        pub noted_on: Date,
        /// The day the bar stopped applying (the medical period ended …); empty while it applies.
        pub lifted_on: Option<Date>,
        pub recorded_by_name: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod step {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "exit_case_steps")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub case_id: i32,
        /// The step taken (立案, 调查核实, 陈述申辩, 党委集体研究, 法定情形, 执行与交接, 归档 …).
        pub step: String,
        pub on_date: Date,
        pub detail: String,
        pub actor_id: Option<i32>,
        pub actor_name: String,
        pub at: DateTime,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
