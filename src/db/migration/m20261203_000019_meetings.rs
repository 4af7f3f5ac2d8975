//! 组织生活: meeting records (三会一课, 主题党日, 组织生活会, 民主评议, 谈心谈话, 专题讨论), their
//! attendance, the bureau's editable types and frequency rules (seeded from the 2018 支部工作条例,
//! see docs/USER-GUIDE.md), the MinHash bands of submitted minutes (near-duplicate candidates
//! without comparing every pair), and the follow-ups a 不合格 grade opens.
//!
//! A change after approval is a new row (`root_id` ties the versions, `replaced_by` marks the
//! superseded one), so old versions stay as they were. `held_month` (yyyymm) lets the compliance
//! table group by month in SQL on every backend without date functions.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::util::{fk, index, path_col};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (code, name, period, applies_to, quorum, open to non-members, graded, paired); sorted as listed.
type TypeRow = (&'static str, &'static str, Option<&'static str>, &'static str, &'static str, bool, bool, bool);

const TYPES: &[TypeRow] = &[
    ("general", "支部党员大会", Some("quarter"), "branch", "voting_half", false, false, false),
    ("committee", "支部委员会", Some("month"), "branch", "committee_half", false, false, false),
    ("group", "党小组会", Some("month"), "group", "none", false, false, false),
    ("lecture", "党课", Some("quarter"), "branch", "none", false, false, false),
    ("party_day", "主题党日", Some("month"), "branch", "none", false, false, false),
    ("life", "组织生活会", Some("year"), "branch", "none", false, false, false),
    ("leadership_life", "民主生活会", Some("year"), "committee", "none", false, false, false),
    ("review", "民主评议党员", Some("year"), "branch", "none", false, true, false),
    ("talk", "谈心谈话", Some("year"), "branch", "none", false, false, true),
    ("discussion", "专题讨论", None, "branch", "none", true, false, false),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table("meeting_types")
                    .col(pk_auto("id"))
                    .col(string_len("code", 20))
                    .col(string_len("name", 30))
                    .col(string_len_null("period", 10))
                    .col(integer("times").default(1))
                    .col(string_len("applies_to", 10))
                    .col(string_len("quorum", 20))
                    .col(boolean("open_to_non_members").default(false))
                    .col(boolean("graded").default(false))
                    .col(boolean("paired").default(false))
                    .col(integer("sort_order").default(0))
                    .col(boolean("active").default(true))
                    .take(),
            )
            .await?;
        manager.create_index(index("meeting_types", &["code"], true)).await?;
        for (i, (code, name, period, applies, quorum, open, graded, paired)) in TYPES.iter().enumerate() {
            let insert = Query::insert()
                .into_table("meeting_types")
                .columns([
                    "code",
                    "name",
                    "period",
                    "times",
                    "applies_to",
                    "quorum",
                    "open_to_non_members",
                    "graded",
                    "paired",
                    "sort_order",
                    "active",
                ])
                .values_panic([
                    (*code).into(),
                    (*name).into(),
                    period.map(str::to_owned).into(),
                    1.into(),
                    (*applies).into(),
                    (*quorum).into(),
                    (*open).into(),
                    (*graded).into(),
                    (*paired).into(),
                    <i32 as TryFrom<usize>>::try_from(i).unwrap_or(0).into(),
                    true.into(),
                ])
                .to_owned();
            manager.exec_stmt(insert).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("meetings")
                    .col(pk_auto("id"))
                    .col(integer("org_id"))
                    .col(path_col(backend, "org_path", false))
                    .col(string_len("type_code", 20))
                    .col(date("held_on"))
                    .col(integer("held_month"))
                    .col(string_len("starts_at", 5))
                    .col(string_len("place", 100))
                    .col(string_len("topic", 200))
                    .col(string_len("presenter", 50))
                    .col(string_len("recorder", 50))
                    .col(text_null("minutes"))
                    .col(text_null("decisions"))
                    .col(string_len("status", 10))
                    .col(integer("version").default(1))
                    .col(integer_null("root_id"))
                    .col(integer_null("supersedes"))
                    .col(integer_null("replaced_by"))
                    .col(integer_null("similar_to"))
                    .col(integer_null("similarity"))
                    .col(integer_null("review_org_id"))
                    .col(string_len_null("opinion", 500))
                    .col(string_len_null("answer", 500))
                    .col(string_len_null("reviewed_by", 50))
                    .col(date_time_null("reviewed_at"))
                    .col(date_time_null("submitted_at"))
                    .col(string_len("created_by", 50))
                    .col(date_time("created_at"))
                    .col(date_time("updated_at"))
                    .foreign_key(&mut fk("meetings", "org_id", "orgs", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("meetings", &["org_path", "held_month"], false)).await?;
        manager.create_index(index("meetings", &["held_month", "status"], false)).await?;
        manager.create_index(index("meetings", &["root_id"], false)).await?;
        manager.create_index(index("meetings", &["status", "org_path"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("meeting_attendees")
                    .col(pk_auto("id"))
                    .col(integer("meeting_id"))
                    .col(integer_null("person_id"))
                    .col(string_len("name", 50))
                    .col(string_len("member_kind", 10))
                    .col(string_len("status", 10))
                    .col(string_len_null("reason", 100))
                    .col(boolean("voting").default(false))
                    .col(string_len_null("grade", 10))
                    .col(string_len_null("role", 10))
                    .col(date("held_on"))
                    .foreign_key(&mut fk("meeting_attendees", "meeting_id", "meetings", true))
                    .take(),
            )
            .await?;
        manager.create_index(index("meeting_attendees", &["meeting_id"], false)).await?;
        manager.create_index(index("meeting_attendees", &["person_id", "held_on"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("meeting_bands")
                    .col(pk_auto("id"))
                    .col(integer("meeting_id"))
                    .col(small_integer("band"))
                    .col(big_integer("hash"))
                    .foreign_key(&mut fk("meeting_bands", "meeting_id", "meetings", true))
                    .take(),
            )
            .await?;
        manager.create_index(index("meeting_bands", &["band", "hash"], false)).await?;
        manager.create_index(index("meeting_bands", &["meeting_id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("meeting_followups")
                    .col(pk_auto("id"))
                    .col(integer("meeting_id"))
                    .col(integer("person_id"))
                    .col(integer("org_id"))
                    .col(path_col(backend, "org_path", false))
                    .col(date("opened_on"))
                    .col(date_null("closed_on"))
                    .col(string_len_null("note", 200))
                    .foreign_key(&mut fk("meeting_followups", "meeting_id", "meetings", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("meeting_followups", &["org_path"], false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["meeting_followups", "meeting_bands", "meeting_attendees", "meetings", "meeting_types"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
