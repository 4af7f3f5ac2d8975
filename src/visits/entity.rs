//! The visits domain's tables (see the migration `m20261203_000020_visits`).

macro_rules! no_relations {
    () => {
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub mod visit {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "visits")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub person_id: i32,
        pub org_id: Option<i32>,
        pub org_path: String,
        pub kind: String,
        pub mode: String,
        pub visited_on: Date,
        pub campaign_id: Option<i32>,
        pub family_snapshot: Option<String>,
        pub family_notes: Option<String>,
        pub friends: Option<String>,
        pub personality: Option<String>,
        pub hobbies: Option<String>,
        pub recent_changes: Option<String>,
        pub problems: Option<String>,
        pub help_asked: Option<String>,
        pub recorded_by: Option<i32>,
        pub recorded_by_name: String,
        pub created_at: DateTime,
    }
    no_relations!();
}

pub mod visitor {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "visit_visitors")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub visit_id: i32,
        pub person_id: i32,
    }
    no_relations!();
}

pub mod family_met {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "visit_family_met")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub visit_id: i32,
        pub family_member_id: i32,
        pub label: String,
    }
    no_relations!();
}

pub mod followup {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "visit_followups")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub visit_id: i32,
        pub org_path: String,
        pub action: String,
        pub owner_id: i32,
        pub due_on: Option<Date>,
        pub done_on: Option<Date>,
    }
    no_relations!();
}

pub mod situation {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "visit_situations")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub code: String,
        pub label: String,
        pub deadline_days: i32,
        pub active: bool,
        pub sort: i32,
    }
    no_relations!();
}

pub mod task {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "visit_tasks")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub person_id: i32,
        pub org_id: Option<i32>,
        pub org_path: String,
        pub situation_id: i32,
        pub source: String,
        pub raised_on: Date,
        pub due_on: Date,
        pub note: Option<String>,
        pub raised_by_name: String,
        pub visit_id: Option<i32>,
        pub closed_on: Option<Date>,
        pub created_at: DateTime,
    }
    no_relations!();
}

pub mod care {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "care_items")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub person_id: i32,
        pub org_id: Option<i32>,
        pub org_path: String,
        pub visit_id: Option<i32>,
        pub kind: String,
        pub description: String,
        pub owner_id: i32,
        pub status: String,
        pub closed_on: Option<Date>,
        pub closure: Option<String>,
        pub created_at: DateTime,
        pub updated_at: DateTime,
    }
    no_relations!();
}

pub mod campaign {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "visit_campaigns")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub occasion: String,
        pub starts_on: Date,
        pub ends_on: Date,
        pub rule: String,
        pub org_id: i32,
        pub org_path: String,
        pub created_by_name: String,
        pub created_at: DateTime,
    }
    no_relations!();
}

pub mod setting {
    use sea_orm::entity::prelude::*;

    /// The module's settings the bureau edits (one row; absent, the configuration's defaults).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "visit_settings")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        /// 全员访: every person once per cycle of this many months (12, 6, 4 or 3).
        pub cycle_months: i32,
        pub updated_at: DateTime,
        pub updated_by: String,
    }
    no_relations!();
}
