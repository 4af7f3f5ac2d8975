pub mod member {
    use sea_orm::entity::prelude::*;

    use crate::party::{EndKind, MemberCategory, MemberStatus};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_members")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub person_id: i32,
        pub branch_id: i32,
        pub branch_path: String,
        pub joined_on: Date,
        pub full_on: Option<Date>,
        /// A full member whose 转正 date is not known yet (imported from a roster that does not
        /// carry it): `full_on` is empty until someone completes it (待补录).
        pub full_on_unknown: bool,
        pub category: MemberCategory,
        pub status: MemberStatus,
        pub status_on: Option<Date>,
        /// The latest month with a dues payment (kept by `party::dues`), so the six-months
        /// reminder does not look up every member's payments.
        pub dues_paid_to: Option<Date>,
        /// 支部大会 that discussed 转正, and the higher committee's approval (`full_on` is the
        /// day the probation ended, whatever day they met).
        pub meeting_on: Option<Date>,
        pub approved_on: Option<Date>,
        /// The one extension of the probation (延长预备期): decided on, and by how many months.
        pub extended_on: Option<Date>,
        pub extended_months: Option<i32>,
        /// How the membership ended or was stopped (its date is `status_on`).
        pub end_kind: Option<EndKind>,
        pub end_reason: Option<String>,
        /// The organization that decided it, and its document number.
        pub end_by: Option<String>,
        pub end_doc: Option<String>,
        pub created_at: DateTime,
        pub updated_at: DateTime,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod event {
    use sea_orm::entity::prelude::*;

    use crate::party::EventKind;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "membership_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub person_id: i32,
        pub kind: EventKind,
        pub on_date: Date,
        pub detail: String,
        pub actor_name: String,
        pub at: DateTime,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod transfer {
    use sea_orm::entity::prelude::*;

    use crate::party::TransferStatus;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "transfers")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub person_id: i32,
        pub from_org_id: i32,
        pub from_path: String,
        pub to_org_id: Option<i32>,
        pub to_path: Option<String>,
        pub to_external: Option<String>,
        pub reason: String,
        pub status: TransferStatus,
        pub requested_by: Option<i32>,
        pub requested_at: DateTime,
        pub decided_by: Option<i32>,
        pub decided_at: Option<DateTime>,
        pub reject_reason: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod committee {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "committee_members")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub org_id: i32,
        pub person_id: i32,
        pub post: String,
        pub since: Option<Date>,
        pub created_at: DateTime,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod stint {
    use sea_orm::entity::prelude::*;

    /// The months a member belonged to a branch (`from_month` to `to_month`, first days of
    /// months, both counted; `to_month` empty while they are there).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "member_stints")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub person_id: i32,
        pub branch_id: i32,
        pub branch_path: String,
        pub from_month: Date,
        pub to_month: Option<Date>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod lapse_review {
    use sea_orm::entity::prelude::*;

    use crate::party::lapse::Conclusion;

    /// A secretary's review of a member flagged by the six months' rule (党章第九条).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "lapse_reviews")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub person_id: i32,
        pub reviewed_on: Date,
        pub conclusion: Conclusion,
        pub note: String,
        pub actor_name: String,
        pub at: DateTime,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod group_member {
    use sea_orm::entity::prelude::*;

    /// A member's place in a 党小组 (`group_id`, a child organization of their branch); at
    /// most one per person. `leader_of` is the group's id on its leader's row (组长), empty
    /// otherwise: unique, so a group has at most one leader.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_group_members")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub group_id: i32,
        pub person_id: i32,
        pub leader_of: Option<i32>,
        pub since: Option<Date>,
        pub created_at: DateTime,
    }

    impl Model {
        pub fn is_leader(&self) -> bool {
            self.leader_of.is_some()
        }
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
