//! 队伍隐患排查: the risk-category dictionary (seeded with the labelled candidate list of
//! research/domain.md §1.4), screening campaigns and the branches' "no finding" confirmations, risk
//! flags with their history (measures, reviews, status changes), the early-warning rules as data
//! and the decisions recorded on the review list. Rows that belong to an organization copy its path.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::util::{fk, index, path_col};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// research/domain.md §1.4 (a synthesized candidate list, not a published one): (code, name,
/// group, applies to, default level, review interval in days, 十必访 situation a flag raises).
const CATEGORIES: &[(&str, &str, &str, &str, &str, i32, &str)] = &[
    ("c01", "受党纪政务重处分人员", "执纪问责", "全部", "红", 30, "sanction"),
    ("c02", "受党纪政务轻处分、处于影响期人员", "执纪问责", "全部", "橙", 60, "sanction"),
    ("c03", "被问责、诫勉、组织处理人员", "执纪问责", "全部", "橙", 60, "sanction"),
    ("c04", "执法办案中被投诉、执法过错人员", "执法办案", "全部", "橙", 60, "mood"),
    ("c05", "涉及矛盾纠纷（本人/家庭）人员", "矛盾纠纷", "全部", "橙", 30, "family_conflict"),
    ("c06", "思想波动、工作积极性不高人员", "思想状况", "全部", "黄", 90, "mood"),
    ("c07", "“躺平摆烂”“侧卧式”人员", "思想状况", "全部", "黄", 90, "mood"),
    ("c08", "心理异常/心理压力大人员", "身心健康", "全部", "橙", 30, "mood"),
    ("c09", "身患重病/长期病休人员", "身心健康", "全部", "黄", 90, "illness"),
    ("c10", "家庭重大变故/家庭困难人员", "家庭状况", "全部", "黄", 90, "hardship"),
    ("c11", "婚恋家庭关系异常人员", "家庭状况", "全部", "黄", 60, "family_conflict"),
    ("c12", "涉赌人员", "八小时以外", "全部", "红", 30, "mood"),
    ("c13", "涉酒（酗酒、酒驾、工作时间饮酒）人员", "八小时以外", "全部", "橙", 30, "mood"),
    ("c14", "涉毒人员", "八小时以外", "全部", "红", 30, "mood"),
    ("c15", "违规经商办企业/参股借贷、负债较重人员", "经济状况", "全部", "橙", 60, "hardship"),
    ("c16", "配偶子女违规经商人员", "经济状况", "民警", "橙", 90, "family_conflict"),
    ("c17", "社会交往复杂、出入娱乐场所人员", "八小时以外", "全部", "黄", 60, "mood"),
    ("c18", "违反“三个规定”插手干预案件人员", "执法办案", "民警", "红", 30, "mood"),
    ("c19", "岗位调整/新入警/临近退休等节点人员", "关键节点", "全部", "黄", 90, "post_change"),
    ("c20", "年度考核不称职/基本称职人员", "考核", "全部", "橙", 90, "mood"),
];

/// The early-warning rules (code, name, level, threshold, enabled). Thresholds: months for
/// organizational life, complaints within 12 months for repeated complaints, days for a
/// contract ending; unused (0) otherwise.
const RULES: &[(&str, &str, &str, i32)] = &[
    ("open_flag", "有未结的风险提示", "黄", 0),
    ("sanction", "处分仍在影响期内", "橙", 0),
    ("org_life", "连续数月未参加组织生活", "黄", 6),
    ("complaints", "一年内多次被投诉", "橙", 2),
    ("visit_overdue", "必访任务逾期未访", "黄", 0),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let b = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table("risk_categories")
                    .col(pk_auto("id"))
                    .col(string_len_uniq("code", 30))
                    .col(string_len("name", 100))
                    .col(string_len("group_name", 30))
                    .col(string_len("applies_to", 10))
                    .col(string_len("default_level", 10))
                    .col(integer("review_days"))
                    .col(string_len_null("visit_situation", 30))
                    .col(boolean("example"))
                    .col(boolean("retired"))
                    .col(integer("sort"))
                    .take(),
            )
            .await?;
        let mut insert = Query::insert();
        insert.into_table("risk_categories").columns([
            "code",
            "name",
            "group_name",
            "applies_to",
            "default_level",
            "review_days",
            "visit_situation",
            "example",
            "retired",
            "sort",
        ]);
        for (i, (code, name, group, applies, level, days, situation)) in CATEGORIES.iter().enumerate() {
            insert.values_panic([
                (*code).into(),
                (*name).into(),
                (*group).into(),
                (*applies).into(),
                (*level).into(),
                (*days).into(),
                (*situation).into(),
                true.into(),
                false.into(),
                (i as i32 + 1).into(),
            ]);
        }
        manager.exec_stmt(insert).await?;

        manager
            .create_table(
                Table::create()
                    .table("risk_screenings")
                    .col(pk_auto("id"))
                    .col(string_len("name", 100))
                    .col(date("starts_on"))
                    .col(date("ends_on"))
                    .col(string_len("focus", 200))
                    .col(integer("org_id"))
                    .col(path_col(b, "org_path", false))
                    .col(string_len("created_by_name", 50))
                    .col(date_time("created_at"))
                    .take(),
            )
            .await?;
        manager.create_index(index("risk_screenings", &["org_path"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("risk_screening_branches")
                    .col(pk_auto("id"))
                    .col(integer("screening_id"))
                    .col(integer("org_id"))
                    .col(path_col(b, "org_path", false))
                    .col(integer("flagged"))
                    .col(integer("no_finding"))
                    .col(string_len_null("note", 500))
                    .col(string_len("confirmed_by_name", 50))
                    .col(date("confirmed_on"))
                    .col(date_time("created_at"))
                    .foreign_key(&mut fk("risk_screening_branches", "screening_id", "risk_screenings", true))
                    .take(),
            )
            .await?;
        manager.create_index(index("risk_screening_branches", &["screening_id", "org_id"], true)).await?;
        manager.create_index(index("risk_screening_branches", &["org_path"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("risk_flags")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    .col(integer("org_id"))
                    .col(path_col(b, "org_path", false))
                    .col(integer("category_id"))
                    .col(string_len("level", 10))
                    .col(text("facts"))
                    .col(string_len("source", 20))
                    .col(integer_null("screening_id"))
                    .col(string_len("cadre", 50))
                    .col(string_len("status", 20))
                    .col(date("opened_on"))
                    .col(date_null("next_review_on"))
                    .col(date_null("closed_on"))
                    .col(string_len_null("closure", 500))
                    .col(string_len("created_by_name", 50))
                    .col(date_time("created_at"))
                    .col(date_time("updated_at"))
                    .foreign_key(&mut fk("risk_flags", "person_id", "persons", false))
                    .foreign_key(&mut fk("risk_flags", "category_id", "risk_categories", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("risk_flags", &["org_path", "status"], false)).await?;
        manager.create_index(index("risk_flags", &["person_id"], false)).await?;
        manager.create_index(index("risk_flags", &["screening_id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("risk_flag_events")
                    .col(pk_auto("id"))
                    .col(integer("flag_id"))
                    .col(string_len("kind", 20))
                    .col(date("on_date"))
                    .col(string_len_null("measure", 30))
                    .col(string_len_null("status", 20))
                    .col(text_null("note"))
                    .col(string_len("by_name", 50))
                    .col(date_time("created_at"))
                    .foreign_key(&mut fk("risk_flag_events", "flag_id", "risk_flags", true))
                    .take(),
            )
            .await?;
        manager.create_index(index("risk_flag_events", &["flag_id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("risk_warning_rules")
                    .col(pk_auto("id"))
                    .col(string_len_uniq("code", 30))
                    .col(string_len("name", 100))
                    .col(string_len("level", 10))
                    .col(integer("threshold"))
                    .col(boolean("enabled"))
                    .col(integer("sort"))
                    .take(),
            )
            .await?;
        let mut insert = Query::insert();
        insert.into_table("risk_warning_rules").columns(["code", "name", "level", "threshold", "enabled", "sort"]);
        for (i, (code, name, level, threshold)) in RULES.iter().enumerate() {
            insert.values_panic([
                (*code).into(),
                (*name).into(),
                (*level).into(),
                (*threshold).into(),
                true.into(),
                (i as i32 + 1).into(),
            ]);
        }
        manager.exec_stmt(insert).await?;

        manager
            .create_table(
                Table::create()
                    .table("risk_warning_decisions")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    .col(path_col(b, "org_path", false))
                    .col(string_len("decision", 20))
                    .col(integer_null("flag_id"))
                    .col(text("reasons"))
                    .col(string_len_null("note", 500))
                    .col(string_len("decided_by_name", 50))
                    .col(date("decided_on"))
                    .col(date_time("created_at"))
                    .foreign_key(&mut fk("risk_warning_decisions", "person_id", "persons", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("risk_warning_decisions", &["person_id"], false)).await?;
        manager.create_index(index("risk_warning_decisions", &["org_path"], false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "risk_warning_decisions",
            "risk_warning_rules",
            "risk_flag_events",
            "risk_flags",
            "risk_screening_branches",
            "risk_screenings",
            "risk_categories",
        ] {
            manager.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
