//! Database connection and schema. SQLite, PostgreSQL and MySQL/MariaDB share one migration
//! history and one query path (SeaORM / sea-query); dialect differences stay in this module.

pub mod migration;
pub mod org_paths;
pub mod scope;
mod stored;

pub(crate) use stored::stored_text;

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, Statement};
use sea_orm_migration::MigratorTrait;

use crate::config::DatabaseConfig;

/// Opens the database named by the configuration. SQLite files (and their folder) are created
/// on first use and run in WAL mode; MySQL databases must use `utf8mb4`.
pub async fn connect(cfg: &DatabaseConfig) -> anyhow::Result<DatabaseConnection> {
    let url = cfg.url.expose();
    if let Some(path) = sqlite_file(url)
        && let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).with_context(|| format!("无法创建数据目录 {}", dir.display()))?;
    }
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(cfg.max_connections.max(1))
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
        });
    let db = Database::connect(opts).await.with_context(|| format!("无法连接数据库 {}", cfg.url.redacted()))?;
    if db.get_database_backend() == DatabaseBackend::MySql {
        let row = db
            .query_one_raw(Statement::from_string(DatabaseBackend::MySql, "SELECT @@character_set_database AS cs"))
            .await?;
        let charset: String = match row {
            Some(r) => r.try_get("", "cs")?,
            None => String::new(),
        };
        if charset != "utf8mb4" {
            anyhow::bail!(
                "MySQL 数据库字符集为 {charset}，须为 utf8mb4（CREATE DATABASE ... CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci）"
            );
        }
    }
    Ok(db)
}

/// Applies every pending migration, then refreshes the planner's statistics.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    migration::Migrator::up(db, None).await.context("数据库迁移失败")?;
    analyze(db).await.context("更新查询统计信息失败")
}

/// SQLite plans without statistics unless asked to gather them: it then takes "deleted_at IS
/// NULL" for a selective condition and may read every person to answer a name search. Run at
/// start-up and after bulk writes (import, demo); tens of milliseconds at city scale.
/// PostgreSQL and MySQL keep their statistics themselves.
pub async fn analyze<C: ConnectionTrait>(db: &C) -> Result<(), sea_orm::DbErr> {
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        db.execute_unprepared("ANALYZE").await?;
    }
    Ok(())
}

/// After bulk writes (demo data, an import): the statistics of every backend, at once. Left to
/// PostgreSQL's autovacuum, a province's freshly generated 275,000 people were still planned as
/// 161 rows, and a name search's count ran for most of a minute; MySQL's own recalculation is
/// asynchronous too. About 3 s for a whole province on PostgreSQL.
pub async fn analyze_after_bulk<C: ConnectionTrait>(db: &C) -> Result<(), sea_orm::DbErr> {
    match db.get_database_backend() {
        DatabaseBackend::MySql => {
            let rows = db
                .query_all_raw(sea_orm::Statement::from_string(
                    DatabaseBackend::MySql,
                    "SELECT table_name FROM information_schema.tables \
                     WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'",
                ))
                .await?;
            let mut names = Vec::with_capacity(rows.len());
            for row in rows {
                let name: String = row.try_get_by_index(0)?;
                // Names come from the catalogue; quoted all the same.
                names.push(format!("`{}`", name.replace('`', "``")));
            }
            if !names.is_empty() {
                db.execute_unprepared(&format!("ANALYZE TABLE {}", names.join(", "))).await?;
            }
        }
        _ => {
            db.execute_unprepared("ANALYZE").await?;
        }
    }
    Ok(())
}

fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// Upper bound (exclusive) of all materialized paths that start with `prefix`: paths end in
/// `/`, and `0` sorts right after `/`, so `[prefix, upper)` is one indexed range scan on every
/// backend (LIKE prefix matching is not index-friendly on all three).
pub fn path_upper_bound(prefix: &str) -> String {
    let mut upper = prefix.strip_suffix('/').unwrap_or(prefix).to_owned();
    upper.push('0');
    upper
}

/// Counts the write transactions this process has started: a figure cached with the count
/// current when it was computed is stale once the count has moved on.
static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

pub fn write_epoch() -> u64 {
    WRITES.load(std::sync::atomic::Ordering::Acquire)
}

/// Starts a transaction for writing. On SQLite it takes the write lock at `BEGIN IMMEDIATE`,
/// so two writers queue on the busy timeout instead of one failing when it upgrades a read lock.
pub async fn begin_write(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    WRITES.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Takes the one row lock every audited write takes anyway (the audit chain head), at the start
/// of a transaction whose checks must see all earlier writes committed (tree moves).
pub async fn serialize_writes<C: ConnectionTrait>(txn: &C) -> Result<(), sea_orm::DbErr> {
    let backend = txn.get_database_backend();
    txn.execute_raw(Statement::from_string(backend, "UPDATE audit_head SET seq = seq WHERE id = 1")).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths() {
        assert_eq!(sqlite_file("sqlite://data/dangjian.db"), Some("data/dangjian.db"));
        assert_eq!(sqlite_file("sqlite://x.db?mode=rwc"), Some("x.db"));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://localhost/x"), None);
    }

    #[test]
    fn path_range_covers_subtree_only() {
        let upper = path_upper_bound("/1/4/");
        assert_eq!(upper, "/1/40");
        for inside in ["/1/4/", "/1/4/9/", "/1/4/99/3/"] {
            assert!(inside >= "/1/4/" && inside < upper.as_str(), "{inside}");
        }
        for outside in ["/1/40/", "/1/5/", "/1/"] {
            assert!(!(outside >= "/1/4/" && outside < upper.as_str()), "{outside}");
        }
    }
}
