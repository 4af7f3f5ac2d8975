//! The risk domain's tables (see the migration `m20261204_000021_risk`).

macro_rules! plain_entity {
    ($table:literal) => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub mod category {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "risk_categories")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub code: String,
        pub name: String,
        pub group_name: String,
        /// 民警, 辅警 or 全部.
        pub applies_to: String,
        pub default_level: String,
        pub review_days: i32,
        /// The 十必访 situation a new flag of this category reports.
        pub visit_situation: Option<String>,
        /// Whether a flag of the category proposes an exit case: 排查发现 (a screening finding
        /// does), 躺平摆烂 (any flag does), empty (none). See [`crate::risk::EXIT_GROUNDS`].
        pub exit_ground: Option<String>,
        /// A shipped example (research/domain.md §1.4), to be replaced by the bureau's own list.
        pub example: bool,
        pub retired: bool,
        pub sort: i32,
    }

    plain_entity!("risk_categories");
}

pub mod screening {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "risk_screenings")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub starts_on: Date,
        pub ends_on: Date,
        /// Focus areas, joined with `、`.
        pub focus: String,
        pub org_id: i32,
        pub org_path: String,
        pub created_by_name: String,
        pub created_at: DateTime,
    }

    plain_entity!("risk_screenings");
}

pub mod branch {
    use sea_orm::entity::prelude::*;

    /// A branch that finished a screening: flags raised, everyone else confirmed without finding.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "risk_screening_branches")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub screening_id: i32,
        pub org_id: i32,
        pub org_path: String,
        pub flagged: i32,
        pub no_finding: i32,
        pub note: Option<String>,
        pub confirmed_by_name: String,
        pub confirmed_on: Date,
        pub created_at: DateTime,
    }

    plain_entity!("risk_screening_branches");
}

pub mod flag {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "risk_flags")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub person_id: i32,
        pub org_id: i32,
        pub org_path: String,
        pub category_id: i32,
        pub level: String,
        pub facts: String,
        pub source: String,
        pub screening_id: Option<i32>,
        pub cadre: String,
        pub status: String,
        pub opened_on: Date,
        pub next_review_on: Option<Date>,
        pub closed_on: Option<Date>,
        pub closure: Option<String>,
        pub created_by_name: String,
        pub created_at: DateTime,
        pub updated_at: DateTime,
    }

    plain_entity!("risk_flags");
}

pub mod event {
    use sea_orm::entity::prelude::*;

    /// One line of a flag's history: opened, a measure taken, a review, a change of status.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "risk_flag_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub flag_id: i32,
        pub kind: String,
        pub on_date: Date,
        pub measure: Option<String>,
        pub status: Option<String>,
        pub note: Option<String>,
        pub by_name: String,
        pub created_at: DateTime,
    }

    plain_entity!("risk_flag_events");
}

pub mod rule {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "risk_warning_rules")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub code: String,
        pub name: String,
        pub level: String,
        pub threshold: i32,
        pub enabled: bool,
        pub sort: i32,
    }

    plain_entity!("risk_warning_rules");
}

pub mod decision {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "risk_warning_decisions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub person_id: i32,
        pub org_path: String,
        /// `no_action` or `flag`.
        pub decision: String,
        pub flag_id: Option<i32>,
        /// The reasons shown when the decision was made, one per line.
        pub reasons: String,
        pub note: Option<String>,
        pub decided_by_name: String,
        pub decided_on: Date,
        pub created_at: DateTime,
    }

    plain_entity!("risk_warning_decisions");
}
