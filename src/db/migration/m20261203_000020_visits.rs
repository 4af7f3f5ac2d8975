//! 家访与人文关怀: visits (each one a version of the person's 五知), their visitors, the family
//! members met and follow-up actions; the 十必访 situations (an editable dictionary seeded with a
//! labelled example list) and the must-visit tasks they raise; care items; campaigns of
//! 重要节点联合访. Rows that belong to an organization copy its path (scope and coverage by range).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::util::{fk, index, path_col};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The example 十必访 list of research/domain.md §2.3: ①–⑤ from 公政治〔2011〕68号's triggers,
/// ⑥–⑩ inferred. (code, label, deadline in days).
const SITUATIONS: &[(&str, &str, i32)] = &[
    ("long_task", "长期在外执行重大任务", 30),
    ("illness", "生重病、住院", 7),
    ("injury", "因公负伤、伤亡", 3),
    ("bereavement", "直系亲属亡故", 3),
    ("hardship", "家庭有困难、重大变故", 7),
    ("sanction", "受到处分、问责、组织处理", 7),
    ("post_change", "岗位重大调整", 15),
    ("mood", "思想情绪明显波动、心理异常", 3),
    ("family_conflict", "婚恋家庭矛盾、涉及纠纷", 7),
    ("request", "本人或家属提出诉求", 7),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table("visit_situations")
                    .col(pk_auto("id"))
                    .col(string_len_uniq("code", 30))
                    .col(string_len("label", 50))
                    .col(integer("deadline_days"))
                    .col(boolean("active"))
                    .col(integer("sort"))
                    .take(),
            )
            .await?;
        let mut insert = Query::insert();
        insert.into_table("visit_situations").columns(["code", "label", "deadline_days", "active", "sort"]);
        for (i, (code, label, days)) in SITUATIONS.iter().enumerate() {
            insert.values_panic([(*code).into(), (*label).into(), (*days).into(), true.into(), (i as i32 + 1).into()]);
        }
        manager.exec_stmt(insert).await?;

        manager
            .create_table(
                Table::create()
                    .table("visit_campaigns")
                    .col(pk_auto("id"))
                    .col(string_len("name", 100))
                    .col(string_len("occasion", 50))
                    .col(date("starts_on"))
                    .col(date("ends_on"))
                    .col(string_len("rule", 30))
                    .col(integer("org_id"))
                    .col(path_col(b, "org_path", false))
                    .col(string_len("created_by_name", 50))
                    .col(date_time("created_at"))
                    .take(),
            )
            .await?;
        manager.create_index(index("visit_campaigns", &["org_path"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("visits")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    .col(integer_null("org_id"))
                    .col(path_col(b, "org_path", false))
                    .col(string_len("kind", 10))
                    .col(string_len("mode", 10))
                    .col(date("visited_on"))
                    .col(integer_null("campaign_id"))
                    // The 五知 of this version; the family's composition is also kept as the lines
                    // of the registered family members at the time of the visit.
                    .col(text_null("family_snapshot"))
                    .col(text_null("family_notes"))
                    .col(text_null("friends"))
                    .col(text_null("personality"))
                    .col(text_null("hobbies"))
                    .col(text_null("recent_changes"))
                    .col(text_null("problems"))
                    .col(text_null("help_asked"))
                    .col(integer_null("recorded_by"))
                    .col(string_len("recorded_by_name", 50))
                    .col(date_time("created_at"))
                    .foreign_key(&mut fk("visits", "person_id", "persons", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("visits", &["person_id", "visited_on"], false)).await?;
        manager.create_index(index("visits", &["org_path", "visited_on"], false)).await?;
        manager.create_index(index("visits", &["campaign_id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("visit_visitors")
                    .col(pk_auto("id"))
                    .col(integer("visit_id"))
                    .col(integer("person_id"))
                    .foreign_key(&mut fk("visit_visitors", "visit_id", "visits", true))
                    .take(),
            )
            .await?;
        manager.create_index(index("visit_visitors", &["visit_id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("visit_family_met")
                    .col(pk_auto("id"))
                    .col(integer("visit_id"))
                    // No key to family_members: a member removed later stays named here.
                    .col(integer("family_member_id"))
                    .col(string_len("label", 80))
                    .foreign_key(&mut fk("visit_family_met", "visit_id", "visits", true))
                    .take(),
            )
            .await?;
        manager.create_index(index("visit_family_met", &["visit_id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("visit_followups")
                    .col(pk_auto("id"))
                    .col(integer("visit_id"))
                    .col(path_col(b, "org_path", false))
                    .col(string_len("action", 200))
                    .col(integer("owner_id"))
                    .col(date_null("due_on"))
                    .col(date_null("done_on"))
                    .foreign_key(&mut fk("visit_followups", "visit_id", "visits", true))
                    .take(),
            )
            .await?;
        manager.create_index(index("visit_followups", &["visit_id"], false)).await?;
        manager.create_index(index("visit_followups", &["org_path", "done_on"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("visit_tasks")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    .col(integer_null("org_id"))
                    .col(path_col(b, "org_path", false))
                    .col(integer("situation_id"))
                    // Who raised it: `manual#<user>:<n>`, `transfer#<id>`, `sanction#<id>`…; one task per
                    // person, situation and source, so an event told twice raises one task.
                    .col(string_len("source", 60))
                    .col(date("raised_on"))
                    .col(date("due_on"))
                    .col(string_len_null("note", 200))
                    .col(string_len("raised_by_name", 50))
                    .col(integer_null("visit_id"))
                    .col(date_null("closed_on"))
                    .col(date_time("created_at"))
                    .foreign_key(&mut fk("visit_tasks", "person_id", "persons", false))
                    .foreign_key(&mut fk("visit_tasks", "situation_id", "visit_situations", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("visit_tasks", &["person_id", "situation_id", "source"], true)).await?;
        manager.create_index(index("visit_tasks", &["org_path", "closed_on"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("care_items")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    .col(integer_null("org_id"))
                    .col(path_col(b, "org_path", false))
                    .col(integer_null("visit_id"))
                    .col(string_len("kind", 20))
                    .col(string_len("description", 500))
                    .col(integer("owner_id"))
                    .col(string_len("status", 10))
                    .col(date_null("closed_on"))
                    .col(string_len_null("closure", 500))
                    .col(date_time("created_at"))
                    .col(date_time("updated_at"))
                    .foreign_key(&mut fk("care_items", "person_id", "persons", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("care_items", &["org_path", "status"], false)).await?;
        manager.create_index(index("care_items", &["person_id"], false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "care_items",
            "visit_tasks",
            "visit_followups",
            "visit_family_met",
            "visit_visitors",
            "visits",
            "visit_campaigns",
            "visit_situations",
        ] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
