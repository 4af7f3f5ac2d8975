//! 执纪问责 (issue 13): `sanctions`, one row per decision on a person — 党纪处分, 政务处分,
//! 组织处理, 问责, 督察措施, 辅警处理, 谈话提醒/批评教育/责令检查, 移送司法 — with the organization
//! the person belonged to (its path for scope and statistics), the dates, the deciding body and
//! number, the source, the accountability ground, the commitment it violated, and the state of an
//! appeal (撤销/变更 keep the row). `influence_until` is computed by the application on every
//! write (never typed) so the "in effect on a date" query is an index range.
//!
//! `commitments`: the bureau's public 五个一律、五个零容忍 items. Their wording was not found in
//! any source (research/domain.md §7), so the migration ships clearly labelled examples taken
//! from sourced analogues for the bureau to replace.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::util::{fk, index, path_col};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Sourced analogues (§7), marked as examples.
const EXAMPLES: &[(&str, &str, &str)] = &[
    ("五个一律", "违反“三项纪律”的，一律先予以禁闭（示例）", "参照公安部“三项纪律”（2013）"),
    ("五个一律", "吸毒的，一律开除（示例）", "参照长沙“八条铁规”"),
    ("五个一律", "工作时间饮酒的，一律处分（示例）", "参照长沙“八条铁规”"),
    ("五个一律", "参与赌博的，一律给予记过以上处分（示例）", "参照长沙“八条铁规”"),
    ("五个一律", "为涉赌涉毒场所提供保护的，一律开除（示例）", "参照长沙“八条铁规”"),
    ("五个零容忍", "对违纪违法问题零容忍（示例）", "参照政法队伍教育整顿“无禁区、全覆盖、零容忍”"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table("commitments")
                    .col(pk_auto("id"))
                    .col(string_len("group_name", 20))
                    .col(string_len("title", 200))
                    .col(string_len_null("body", 500))
                    .col(boolean("example"))
                    .col(integer("sort_order"))
                    .col(boolean("retired"))
                    .col(date_time("created_at"))
                    .col(date_time("updated_at"))
                    .take(),
            )
            .await?;
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 3)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .ok_or_else(|| DbErr::Migration("bad date".into()))?;
        for (i, (group, title, body)) in EXAMPLES.iter().enumerate() {
            manager
                .exec_stmt(
                    Query::insert()
                        .into_table("commitments")
                        .columns([
                            "group_name",
                            "title",
                            "body",
                            "example",
                            "sort_order",
                            "retired",
                            "created_at",
                            "updated_at",
                        ])
                        .values([
                            (*group).into(),
                            (*title).into(),
                            (*body).into(),
                            true.into(),
                            (i as i32).into(),
                            false.into(),
                            at.into(),
                            at.into(),
                        ])
                        .map_err(|e| DbErr::Migration(e.to_string()))?
                        .take(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("sanctions")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    .col(integer("org_id"))
                    .col(path_col(backend, "org_path", false))
                    .col(string_len("category", 20))
                    .col(string_len("kind", 20))
                    .col(small_integer_null("probation_years"))
                    .col(date("decided_on"))
                    .col(date("effective_on"))
                    .col(date_null("influence_until"))
                    .col(text("facts"))
                    .col(string_len("decided_by", 100))
                    .col(string_len_null("doc_no", 50))
                    .col(string_len_null("source", 20))
                    .col(string_len_null("ground", 30))
                    .col(integer_null("commitment_id"))
                    .col(string_len("status", 10))
                    .col(date_null("status_on"))
                    .col(string_len_null("status_reason", 500))
                    .col(string_len_null("status_doc", 50))
                    .col(integer_null("replaced_by"))
                    .col(integer_null("replaces"))
                    .col(integer_null("created_by"))
                    .col(date_time("created_at"))
                    .col(date_time("updated_at"))
                    .foreign_key(&mut fk("sanctions", "person_id", "persons", false))
                    .foreign_key(&mut fk("sanctions", "org_id", "orgs", false))
                    .foreign_key(&mut fk("sanctions", "commitment_id", "commitments", false))
                    .take(),
            )
            .await?;
        // A person's records (profile, in_effect); a unit's records (lists, statistics by year).
        manager.create_index(index("sanctions", &["person_id", "effective_on"], false)).await?;
        manager.create_index(index("sanctions", &["org_path", "decided_on"], false)).await?;
        manager.create_index(index("sanctions", &["decided_on"], false)).await?;
        manager.create_index(index("sanctions", &["commitment_id"], false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("sanctions").to_owned()).await?;
        manager.drop_table(Table::drop().table("commitments").to_owned()).await
    }
}
