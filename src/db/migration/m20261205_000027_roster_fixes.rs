//! 辅警 年度考核 without 基本合格 (issue 10 leftovers, item 5). The grade was an assumption borrowed
//! from 民主评议党员 (research/domain.md §4.2); the only source on 辅警 appraisals (§6.3, the
//! 辅警管理办法 text) knows 合格 and 年度考核不合格 (grounds for dismissal), and nothing in between.
//! A recorded 基本合格 becomes 合格 — not 不合格, which would make a dismissal ground of what was
//! recorded as a pass — and its comment says so, so the bureau can check it against its own
//! appraisal rules. The grade appears in no other table.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

/// Put in front of the comment (which stays within its 200 characters).
const NOTE: &str = "原登记为“基本合格”（辅警年度考核无此等次），已改为合格，请核对。";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let keep = 200 - NOTE.chars().count();
        let comment = format!("SUBSTR(COALESCE(comment, ''), 1, {keep})");
        let joined = match db.get_database_backend() {
            sea_orm::DatabaseBackend::MySql => format!("CONCAT('{NOTE}', {comment})"),
            _ => format!("'{NOTE}' || {comment}"),
        };
        db.execute_unprepared(&format!(
            "UPDATE police_appraisals SET grade = '合格', comment = {joined} WHERE grade = '基本合格'"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        // The notes say which rows were 基本合格; nothing else needs undoing.
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
    use sea_orm_migration::MigratorTrait;

    use crate::config::{Config, DatabaseUrl};
    use crate::db::migration::Migrator;

    #[derive(FromQueryResult, Debug, PartialEq)]
    struct Row {
        year: i32,
        grade: String,
        comment: Option<String>,
    }

    #[tokio::test]
    async fn recorded_basic_passes_become_passes_with_a_note() {
        let mut config = Config::default();
        config.database.url = DatabaseUrl("sqlite::memory:".into());
        config.database.max_connections = 1;
        let db = crate::db::connect(&config.database).await.unwrap();
        let before = Migrator::migrations().iter().position(|m| m.name() == "m20261205_000027_roster_fixes").unwrap();
        Migrator::up(&db, Some(u32::try_from(before).unwrap())).await.unwrap();
        db.execute_unprepared("PRAGMA foreign_keys = OFF").await.unwrap();
        let long = "甲".repeat(200);
        db.execute_unprepared(&format!(
            "INSERT INTO police_appraisals (person_id, year, grade, comment, created_at, updated_at) VALUES \
             (1, 2023, '基本合格', NULL, '2024-01-01 00:00:00', '2024-01-01 00:00:00'), \
             (1, 2024, '基本合格', '{long}', '2025-01-01 00:00:00', '2025-01-01 00:00:00'), \
             (1, 2025, '不合格', '旷工', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        ))
        .await
        .unwrap();
        Migrator::up(&db, None).await.unwrap();
        let sql = "SELECT year, grade, comment FROM police_appraisals ORDER BY year";
        let rows =
            Row::find_by_statement(Statement::from_string(db.get_database_backend(), sql)).all(&db).await.unwrap();
        assert_eq!(rows[0].grade, "合格");
        assert_eq!(rows[0].comment.as_deref(), Some(super::NOTE));
        assert_eq!(rows[1].grade, "合格");
        let kept = rows[1].comment.clone().unwrap();
        assert!(kept.starts_with(super::NOTE) && kept.ends_with('甲'), "{kept}");
        assert_eq!(kept.chars().count(), 200);
        assert_eq!((rows[2].grade.as_str(), rows[2].comment.as_deref()), ("不合格", Some("旷工")));
    }
}
