//! Column and key helpers shared by the migrations, so every table is declared the same way on
//! SQLite, PostgreSQL and MySQL.

use sea_orm::DatabaseBackend;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string_len, string_len_null};

/// Materialized paths are compared byte-wise (range scans for subtrees), so they need a binary
/// collation where the backend's default is linguistic.
pub fn path_col(backend: DatabaseBackend, name: &'static str, nullable: bool) -> ColumnDef {
    let mut col = if nullable { string_len_null(name, 255) } else { string_len(name, 255) };
    match backend {
        DatabaseBackend::Postgres => {
            col.extra("COLLATE \"C\"");
        }
        DatabaseBackend::MySql => {
            col.extra("COLLATE utf8mb4_bin");
        }
        _ => {}
    }
    col
}

/// A short text column compared byte-wise, for prefix ranges (see `db::scope::prefix`).
pub fn binary_text(backend: DatabaseBackend, name: &'static str, len: u32) -> ColumnDef {
    let mut col = string_len(name, len);
    match backend {
        DatabaseBackend::Postgres => {
            col.extra("COLLATE \"C\"");
        }
        DatabaseBackend::MySql => {
            col.extra("COLLATE utf8mb4_bin");
        }
        _ => {}
    }
    col
}

/// A foreign key `table.col → to.id`, deleting along when `cascade`.
pub fn fk(table: &'static str, col: &'static str, to: &'static str, cascade: bool) -> ForeignKeyCreateStatement {
    let mut key = ForeignKey::create();
    key.name(format!("fk_{table}_{col}")).from(table, col).to(to, "id");
    if cascade {
        key.on_delete(ForeignKeyAction::Cascade);
    }
    key.take()
}

pub fn index(table: &'static str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(format!("idx_{}_{}", table, cols.join("_"))).table(table);
    for col in cols {
        idx.col(*col);
    }
    if unique {
        idx.unique();
    }
    idx.take()
}
