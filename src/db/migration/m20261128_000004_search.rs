//! Indexes for searching, listing and reminders at city scale. Search by the last digits of an ID number
//! gets a reversed copy of the number, so "ends with 1234" is the prefix range `4321…` instead
//! of a scan of every person.

use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{date_null, string_len};

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(FromQueryResult)]
struct Row {
    id: i32,
    id_number: String,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("persons").add_column(string_len("id_number_rev", 18).default("")).take())
            .await?;
        // One statement where the database can reverse text; SQLite has no REVERSE(), so there
        // one UPDATE per person (a city bureau's roster takes a few seconds, once).
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        if backend == sea_orm::DatabaseBackend::Sqlite {
            let rows = Row::find_by_statement(Statement::from_string(backend, "SELECT id, id_number FROM persons"))
                .all(db)
                .await?;
            for r in rows {
                let reversed: String = r.id_number.chars().rev().collect();
                let update = Query::update()
                    .table("persons")
                    .value("id_number_rev", reversed)
                    .and_where(Expr::col("id").eq(r.id))
                    .to_owned();
                db.execute(&update).await?;
            }
        } else {
            db.execute_unprepared("UPDATE persons SET id_number_rev = REVERSE(id_number)").await?;
        }
        manager.create_index(index("persons", &["id_number_rev"], false)).await?;
        // The roster lists live people in organization order: this index answers both the count
        // and the page without reading or sorting the table.
        manager.create_index(index("persons", &["deleted_at", "org_path"], false)).await?;
        // Probationers awaiting 转正 are few among the members; the secretary's reminder finds them
        // without reading every membership in scope.
        manager.create_index(index("party_members", &["full_on", "joined_on"], false)).await?;
        // The latest month paid, per member: the six-unpaid-months reminder reads this column
        // instead of probing every member's payments.
        manager.alter_table(Table::alter().table("party_members").add_column(date_null("dues_paid_to")).take()).await?;
        db.execute_unprepared(
            "UPDATE party_members SET dues_paid_to = \
             (SELECT MAX(p.month) FROM dues_payments p WHERE p.person_id = party_members.person_id)",
        )
        .await?;
        manager.create_index(index("party_members", &["dues_paid_to"], false)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    use sea_orm_migration::MigratorTrait;

    use crate::config::{DatabaseConfig, DatabaseUrl};
    use crate::db::migration::Migrator;

    #[tokio::test]
    async fn records_from_before_the_upgrade_get_the_derived_columns() {
        // One connection: each connection to `:memory:` is a database of its own.
        let cfg = DatabaseConfig { url: DatabaseUrl("sqlite::memory:".into()), max_connections: 1 };
        let db = crate::db::connect(&cfg).await.unwrap();
        Migrator::up(&db, Some(3)).await.unwrap();
        db.execute_raw(Statement::from_string(
            DbBackend::Sqlite,
            "INSERT INTO persons (name, name_initials, kind, id_number, gender, birth_date, political_status, \
             employment_status, created_at, updated_at) VALUES ('张三', 'zs', '辅警', '37020219900101123X', '男', \
             '1990-01-01', '群众', '在职', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        ))
        .await
        .unwrap();
        // A member who paid for September and October.
        for sql in [
            "INSERT INTO orgs (id, path, depth, name, kind, created_at, updated_at) \
             VALUES (1, '/1/', 0, '某支部', '党支部', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
            "INSERT INTO party_members (person_id, branch_id, branch_path, joined_on, category, status, created_at, \
             updated_at) VALUES (1, 1, '/1/', '2010-01-01', '在职党员', '正常', '2026-01-01 00:00:00', \
             '2026-01-01 00:00:00')",
            "INSERT INTO dues_payments (person_id, month, amount_fen, paid_on, recorded_by, recorded_at) VALUES \
             (1, '2026-09-01', 8100, '2026-09-10', 't', '2026-09-10 00:00:00'), \
             (1, '2026-10-01', 8100, '2026-10-10', 't', '2026-10-10 00:00:00')",
        ] {
            db.execute_raw(Statement::from_string(DbBackend::Sqlite, sql)).await.unwrap();
        }
        Migrator::up(&db, None).await.unwrap();
        let row = db
            .query_one_raw(Statement::from_string(DbBackend::Sqlite, "SELECT id_number_rev FROM persons"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get::<String>("", "id_number_rev").unwrap(), "X32110100991202073");
        let row = db
            .query_one_raw(Statement::from_string(DbBackend::Sqlite, "SELECT dues_paid_to FROM party_members"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get::<String>("", "dues_paid_to").unwrap(), "2026-10-01", "the latest month paid");
    }
}
