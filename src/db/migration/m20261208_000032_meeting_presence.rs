//! `meeting_presence`: each person's latest day present (出席 or 远程) and latest day absent
//! without leave (缺席) at counted records (approved or archived), kept by the meetings domain
//! when a record is approved. The six-months absence list (党章第九条) asked the attendance of a
//! whole bureau whether each absent member attended since a date; MariaDB materialized that as a
//! scan of every attendance row (1.07 s for a province's home page). With the two dates it is
//! an index range.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("meeting_presence")
                    .col(integer("person_id").primary_key())
                    .col(date_null("last_present_on"))
                    .col(date_null("last_absent_on"))
                    .take(),
            )
            .await?;
        manager.create_index(index("meeting_presence", &["last_absent_on", "last_present_on"], false)).await?;
        // The statuses as stored when this migration was written (`meetings::Status`).
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO meeting_presence (person_id, last_present_on, last_absent_on) \
                 SELECT a.person_id, \
                        MAX(CASE WHEN a.status IN ('出席', '远程') THEN a.held_on END), \
                        MAX(CASE WHEN a.status = '缺席' THEN a.held_on END) \
                 FROM meeting_attendees a JOIN meetings m ON m.id = a.meeting_id \
                 WHERE m.status IN ('已通过', '已归档') AND a.person_id IS NOT NULL \
                 GROUP BY a.person_id",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("meeting_presence").to_owned()).await
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
    use sea_orm_migration::MigratorTrait;

    use crate::config::{Config, DatabaseUrl};
    use crate::db::migration::Migrator;

    #[derive(FromQueryResult, Debug, PartialEq)]
    struct Row {
        person_id: i32,
        last_present_on: Option<NaiveDate>,
        last_absent_on: Option<NaiveDate>,
    }

    /// Only approved and archived records count; a person excused everywhere has no dates.
    #[tokio::test]
    async fn existing_attendance_gives_each_person_the_latest_presence_and_absence() {
        let mut config = Config::default();
        config.database.url = DatabaseUrl("sqlite::memory:".into());
        config.database.max_connections = 1;
        let db = crate::db::connect(&config.database).await.unwrap();
        let before =
            Migrator::migrations().iter().position(|m| m.name() == "m20261208_000032_meeting_presence").unwrap();
        Migrator::up(&db, Some(u32::try_from(before).unwrap())).await.unwrap();
        db.execute_unprepared("PRAGMA foreign_keys = OFF").await.unwrap();
        let mut meetings = Vec::new();
        for (id, day, status) in [
            (1, "2026-03-10", "已通过"),
            (2, "2026-06-10", "已归档"),
            (3, "2026-09-10", "草稿"),
            (4, "2026-10-10", "已替代"),
        ] {
            meetings.push(format!(
                "({id}, 10, '/1/', 'party_day', '{day}', 202600, '09:00', '', '主题', '', '', '{status}', 'x', \
                 '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            ));
        }
        db.execute_unprepared(&format!(
            "INSERT INTO meetings (id, org_id, org_path, type_code, held_on, held_month, starts_at, place, topic, \
             presenter, recorder, status, created_by, created_at, updated_at) VALUES {}",
            meetings.join(", ")
        ))
        .await
        .unwrap();
        // Person 7: present in March, absent in June, present at a draft and a superseded record.
        // Person 8: remote in June, absent in March. Person 9: excused only.
        db.execute_unprepared(
            "INSERT INTO meeting_attendees (meeting_id, person_id, name, member_kind, status, held_on) VALUES \
             (1, 7, '甲', '正式党员', '出席', '2026-03-10'), (2, 7, '甲', '正式党员', '缺席', '2026-06-10'), \
             (3, 7, '甲', '正式党员', '出席', '2026-09-10'), (4, 7, '甲', '正式党员', '出席', '2026-10-10'), \
             (1, 8, '乙', '正式党员', '缺席', '2026-03-10'), (2, 8, '乙', '正式党员', '远程', '2026-06-10'), \
             (2, 9, '丙', '正式党员', '请假', '2026-06-10'), (2, NULL, '列席', '非党员', '出席', '2026-06-10')",
        )
        .await
        .unwrap();
        Migrator::up(&db, None).await.unwrap();
        let sql = "SELECT person_id, last_present_on, last_absent_on FROM meeting_presence ORDER BY person_id";
        let rows =
            Row::find_by_statement(Statement::from_string(db.get_database_backend(), sql)).all(&db).await.unwrap();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert_eq!(
            rows,
            vec![
                Row { person_id: 7, last_present_on: d("2026-03-10"), last_absent_on: d("2026-06-10") },
                Row { person_id: 8, last_present_on: d("2026-06-10"), last_absent_on: d("2026-03-10") },
                Row { person_id: 9, last_present_on: None, last_absent_on: None },
            ]
        );
    }
}
