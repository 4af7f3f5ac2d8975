//! Three more early-warning rules (issue 14, item 4), as rows the bureau can switch off and tune
//! like the first five: six months without paying Party dues (党章第九条, research/domain.md §4.2),
//! the latest 年度考核 below the standard, and a 辅警 whose labour contract ends within N days
//! (threshold, default 60) while under an open risk flag.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (code, name, level, threshold, sort): sorted after the five rules of `m20261204_000021_risk`.
const RULES: &[(&str, &str, &str, i32, i32)] = &[
    ("dues_lapse", "连续六个月未交纳党费", "黄", 0, 6),
    ("appraisal", "年度考核基本称职、不称职（辅警基本合格、不合格）", "橙", 0, 7),
    ("contract_flag", "辅警劳动合同临近到期且有未结风险提示", "橙", 60, 8),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut insert = Query::insert();
        insert.into_table("risk_warning_rules").columns(["code", "name", "level", "threshold", "enabled", "sort"]);
        for (code, name, level, threshold, sort) in RULES {
            insert.values_panic([
                (*code).into(),
                (*name).into(),
                (*level).into(),
                (*threshold).into(),
                true.into(),
                (*sort).into(),
            ]);
        }
        manager.exec_stmt(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let codes: Vec<&str> = RULES.iter().map(|r| r.0).collect();
        let delete =
            Query::delete().from_table("risk_warning_rules").and_where(Expr::col("code").is_in(codes)).to_owned();
        manager.exec_stmt(delete).await
    }
}
