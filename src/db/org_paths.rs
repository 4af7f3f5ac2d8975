//! Copies of organization paths kept in other tables, and how they follow the tree.
//!
//! Scope checks read a record's organization path from the record itself (`persons.org_path`,
//! `party_members.branch_path`, ...), so that "in the actor's subtree" is one range condition on
//! the record's own table. Each such column is a copy of `orgs.path` and has to change when the
//! tree does. The organizations module does not know these tables: every domain lists its path
//! columns once (`pub const ORG_PATH_COLUMNS: &[PathColumn]` in its `mod.rs`), [`columns`]
//! gathers the lists, and a move or a merge rewrites all of them here, with one set-based
//! `UPDATE` per column inside the caller's transaction.
//!
//! A domain that must do more than follow the path (write a person's history on a merge, say)
//! adds an [`OrgHook`] to [`hooks`]; hooks run before the columns are rewritten, while the rows
//! still say where they were.
//!
//! This module is the bottom layer: it names no domain except in the two lists at the end,
//! which are the composition root of this mechanism (see docs/ARCHITECTURE.md §1.1).

use std::future::Future;
use std::pin::Pin;

use sea_orm::sea_query::{BinOper, Expr, ExprTrait, Func, Query, UpdateStatement};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseTransaction, DbErr};

use super::path_upper_bound;

/// What a merge does to the rows of the organization that is dissolved into another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnMerge {
    /// The row describes where something is now (a person, a membership): it moves to the
    /// organization merged into, with its id column when it has one.
    Follow,
    /// The row is a record of the past (a completed transfer): it keeps pointing at the
    /// dissolved organization, whose record and path stay.
    Keep,
}

/// One column that stores a copy of an organization's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathColumn {
    pub table: &'static str,
    pub column: &'static str,
    /// The column beside it holding the id of the organization whose path it is, if any. A merge
    /// rewrites both, and selects the merged organization's rows by it.
    pub org_id: Option<&'static str>,
    pub on_merge: OnMerge,
}

impl PathColumn {
    /// A column that follows moves and merges and has no id column beside it.
    pub const fn new(table: &'static str, column: &'static str) -> Self {
        Self { table, column, org_id: None, on_merge: OnMerge::Follow }
    }

    pub const fn with_org_id(self, org_id: &'static str) -> Self {
        Self { org_id: Some(org_id), ..self }
    }

    /// Rows are history: a merge leaves them with the dissolved organization.
    pub const fn kept_on_merge(self) -> Self {
        Self { on_merge: OnMerge::Keep, ..self }
    }
}

/// An organization as a change names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRef {
    pub id: i32,
    pub path: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeKind {
    /// `org` and its subtree moved: every path that started with `org.path` now starts with
    /// `new_path`.
    Moved { org: OrgRef, new_path: String },
    /// `from` was dissolved and what was placed in it now belongs to `into`.
    Merged { from: OrgRef, into: OrgRef },
    /// `org` was dissolved with nothing live left in it.
    Dissolved { org: OrgRef },
}

/// A change of the tree, with who made it and when (for the history the hooks write).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgChange {
    pub kind: ChangeKind,
    pub at: chrono::NaiveDateTime,
    /// `None` for the command line.
    pub actor_id: Option<i32>,
    pub actor_name: String,
}

pub type HookFuture<'a> = Pin<Box<dyn Future<Output = Result<(), DbErr>> + Send + 'a>>;

/// A domain's reaction to a change of the tree, run inside the transaction making the change.
pub type OrgHook = for<'a> fn(&'a DatabaseTransaction, &'a OrgChange) -> HookFuture<'a>;

/// Applies a change of the tree to everything outside the `orgs` table: runs every hook, then
/// rewrites every registered path column. Returns the number of rows rewritten.
pub async fn apply(txn: &DatabaseTransaction, change: &OrgChange) -> Result<u64, DbErr> {
    // Never move the tree without the tables that copy its paths: that would leave them behind.
    if REGISTRY.get().is_none() {
        return Err(DbErr::Custom("组织路径登记表尚未装入（程序启动时由各模块登记），不能调整党组织".into()));
    }
    for hook in hooks() {
        hook(txn, change).await?;
    }
    match &change.kind {
        ChangeKind::Moved { org, new_path } => rewrite_subtree(txn, &org.path, new_path).await,
        ChangeKind::Merged { from, into } => merge_columns(txn, columns(), from, into).await,
        ChangeKind::Dissolved { .. } => Ok(0),
    }
}

/// Rewrites the prefix `old_prefix` to `new_prefix` in every registered column.
pub async fn rewrite_subtree<C: ConnectionTrait>(txn: &C, old_prefix: &str, new_prefix: &str) -> Result<u64, DbErr> {
    rewrite_columns(txn, columns(), old_prefix, new_prefix).await
}

/// Rewrites the prefix `old_prefix` to `new_prefix` in the given columns: one statement per
/// column, `UPDATE t SET c = new || SUBSTR(c, len(old) + 1) WHERE c >= old AND c < upper(old)`,
/// a range the column's index serves on every backend.
pub async fn rewrite_columns<'c, C, I>(txn: &C, columns: I, old_prefix: &str, new_prefix: &str) -> Result<u64, DbErr>
where
    C: ConnectionTrait,
    I: IntoIterator<Item = &'c PathColumn>,
{
    let mut rows = 0;
    for col in columns {
        let stmt = rewrite_statement(txn.get_database_backend(), col, old_prefix, new_prefix);
        rows += txn.execute(&stmt).await?.rows_affected();
    }
    Ok(rows)
}

/// The statement [`rewrite_columns`] runs for one column.
pub fn rewrite_statement(
    backend: DatabaseBackend,
    col: &PathColumn,
    old_prefix: &str,
    new_prefix: &str,
) -> UpdateStatement {
    Query::update()
        .table(col.table)
        .value(col.column, moved_expr(backend, col.column, old_prefix, new_prefix))
        .and_where(Expr::col(col.column).gte(old_prefix))
        .and_where(Expr::col(col.column).lt(path_upper_bound(old_prefix)))
        .to_owned()
}

/// `new_prefix` followed by what comes after `old_prefix` in `column` (for rows known to start
/// with it). Paths are ASCII, so character and byte positions agree on every backend; MySQL
/// reads `||` as OR unless told otherwise, hence its CONCAT.
pub fn moved_expr(backend: DatabaseBackend, column: &'static str, old_prefix: &str, new_prefix: &str) -> Expr {
    let start = i32::try_from(old_prefix.len()).unwrap_or(i32::MAX).saturating_add(1);
    let rest = Func::cust("SUBSTR").arg(Expr::col(column)).arg(start);
    match backend {
        DatabaseBackend::MySql => Func::cust("CONCAT").arg(new_prefix).arg(rest).into(),
        _ => Expr::val(new_prefix).binary(BinOper::Custom("||"), rest),
    }
}

/// Moves the rows of `from` to `into` in the columns that follow merges: by the id column when
/// the table has one, otherwise the rows holding exactly `from`'s path. One statement each.
pub async fn merge_columns<'c, C, I>(txn: &C, columns: I, from: &OrgRef, into: &OrgRef) -> Result<u64, DbErr>
where
    C: ConnectionTrait,
    I: IntoIterator<Item = &'c PathColumn>,
{
    let mut rows = 0;
    for col in columns.into_iter().filter(|c| c.on_merge == OnMerge::Follow) {
        let mut stmt = Query::update();
        stmt.table(col.table).value(col.column, into.path.clone());
        match col.org_id {
            Some(id_col) => stmt.value(id_col, into.id).and_where(Expr::col(id_col).eq(from.id)),
            None => stmt.and_where(Expr::col(col.column).eq(from.path.clone())),
        };
        rows += txn.execute(&stmt).await?.rows_affected();
    }
    Ok(rows)
}

// ---- Composition: the one place that lists the domains' path columns and hooks. ----------
// When the application gets its list of modules, these two functions read it from there.

/// Every registered path column (the `orgs` table's own `path` is not one: the tree keeps it).
/// `audit_log.org_path` is deliberately absent: an audit entry says where an event was filed
/// when it happened, and its hash covers the path.
///
/// The domains register them in their modules (`Module::org_path_columns`, `org_hooks`), and
/// the application installs them once ([`install`]); this layer names no domain.
pub fn columns() -> impl Iterator<Item = &'static PathColumn> {
    REGISTRY.get().map_or(&[][..], |r| r.columns.as_slice()).iter().copied()
}

/// Every domain's reaction to changes of the tree, in order.
pub fn hooks() -> &'static [OrgHook] {
    REGISTRY.get().map_or(&[][..], |r| r.hooks.as_slice())
}

struct Registry {
    columns: Vec<&'static PathColumn>,
    hooks: Vec<OrgHook>,
}

static REGISTRY: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();

/// Installs the columns and hooks of every module, once per process (tests build many
/// applications from the same modules; later calls keep the first).
pub fn install(columns: impl IntoIterator<Item = &'static PathColumn>, hooks: impl IntoIterator<Item = OrgHook>) {
    let _ = REGISTRY.set(Registry { columns: columns.into_iter().collect(), hooks: hooks.into_iter().collect() });
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{MysqlQueryBuilder, PostgresQueryBuilder, SqliteQueryBuilder};

    use super::*;

    #[test]
    fn one_range_update_per_column_on_every_backend() {
        let col = PathColumn::new("visits", "org_path");
        let sql = |b| {
            let stmt = rewrite_statement(b, &col, "/1/4/", "/1/7/4/");
            match b {
                DatabaseBackend::MySql => stmt.to_string(MysqlQueryBuilder),
                DatabaseBackend::Postgres => stmt.to_string(PostgresQueryBuilder),
                _ => stmt.to_string(SqliteQueryBuilder),
            }
        };
        assert_eq!(
            sql(DatabaseBackend::Sqlite),
            r#"UPDATE "visits" SET "org_path" = '/1/7/4/' || SUBSTR("org_path", 6) WHERE "org_path" >= '/1/4/' AND "org_path" < '/1/40'"#
        );
        assert_eq!(
            sql(DatabaseBackend::Postgres),
            r#"UPDATE "visits" SET "org_path" = '/1/7/4/' || SUBSTR("org_path", 6) WHERE "org_path" >= '/1/4/' AND "org_path" < '/1/40'"#
        );
        assert_eq!(
            sql(DatabaseBackend::MySql),
            "UPDATE `visits` SET `org_path` = CONCAT('/1/7/4/', SUBSTR(`org_path`, 6)) WHERE `org_path` >= '/1/4/' AND `org_path` < '/1/40'"
        );
    }

    #[test]
    fn every_registered_column_is_named_once() {
        crate::app::install_modules(&crate::app::modules());
        let mut seen = std::collections::HashSet::new();
        for c in columns() {
            assert!(seen.insert((c.table, c.column)), "{}.{} registered twice", c.table, c.column);
            assert_ne!(c.table, "orgs");
            assert_ne!(c.table, "audit_log");
        }
        assert!(seen.contains(&("persons", "org_path")));
    }
}
