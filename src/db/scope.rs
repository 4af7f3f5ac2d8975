//! Conditions over materialized organization paths and other indexed text, shared by every
//! domain. A path is the chain of ids from the root, each followed by `/` (`/1/6/10/`); an
//! organization's subtree is the range `[path, path_upper_bound(path))`, one index range scan on
//! SQLite, PostgreSQL and MySQL alike (path columns use a binary collation, see the migrations).
//!
//! These used to live in `orgs::store`, which still re-exports them; new code uses them from here.

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ColumnTrait, Condition};

use super::path_upper_bound;
use crate::auth::Scope;

/// A scope below a sub-bureau: every root at least three levels down (`/1/6/10/`, a branch or a
/// 总支). Its own records are few, so a query may start from them; over a sub-bureau or more it
/// is cheaper to start from the few rows of interest and place them afterwards.
pub fn narrow(scope: &Scope) -> bool {
    match scope {
        Scope::Subtrees(roots) => roots.iter().all(|r| r.matches('/').count() > 3),
        Scope::All | Scope::Nothing => false,
    }
}

/// Rows whose `column` (a materialized path) lies inside `scope`.
pub fn in_scope<C: ColumnTrait>(column: C, scope: &Scope) -> Condition {
    match scope {
        Scope::All => Condition::all(),
        Scope::Nothing => Condition::all().add(Expr::cust("1 = 0")),
        Scope::Subtrees(roots) => roots.iter().fold(Condition::any(), |cond, root| cond.add(subtree(column, root))),
    }
}

/// Rows whose `column` lies in the subtree rooted at `path` (the root included).
pub fn subtree<C: ColumnTrait>(column: C, path: &str) -> Condition {
    Condition::all().add(column.gte(path)).add(column.lt(path_upper_bound(path)))
}

/// Like [`in_scope`], but written so that no index can serve it: for queries that another,
/// more selective condition should drive (a name search). Left as a range, the planner (SQLite
/// above all) may prefer the organization index because it also gives the order, and then read
/// every person in scope to find a handful.
pub fn in_scope_filter<C: ColumnTrait>(column: C, scope: &Scope) -> Condition {
    match scope {
        Scope::Subtrees(roots) => {
            roots.iter().fold(Condition::any(), |cond, root| cond.add(subtree_filter(column, root)))
        }
        other => in_scope(column, other),
    }
}

/// [`subtree`] as a plain filter (see [`in_scope_filter`]). Paths are ASCII, so characters and
/// bytes count alike on every backend.
pub fn subtree_filter<C: ColumnTrait>(column: C, path: &str) -> Condition {
    let head = Func::cust("SUBSTR").arg(Expr::col(column)).arg(1).arg(i32::try_from(path.len()).unwrap_or(i32::MAX));
    Condition::all().add(Expr::expr(head).eq(path))
}

/// Rows whose text `column` contains `text` anywhere, ignoring the case of Latin letters on every
/// backend (PostgreSQL's LIKE alone would not); `%` and `_` in the text match themselves.
pub fn containing<C: ColumnTrait>(backend: sea_orm::DatabaseBackend, column: C, text: &str) -> Expr {
    // PostgreSQL's ILIKE takes backslash as its escape (sea-query cannot add ESCAPE to ILIKE);
    // SQLite and MySQL are told `!`, which no server mode reinterprets (MySQL's
    // NO_BACKSLASH_ESCAPES would disarm a backslash).
    let escape = if backend == sea_orm::DatabaseBackend::Postgres { '\\' } else { '!' };
    let mut escaped = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if c == '%' || c == '_' || c == escape {
            escaped.push(escape);
        }
        escaped.push(c);
    }
    let pattern = LikeExpr::new(format!("%{escaped}%"));
    let col = Expr::col(column.as_column_ref());
    if backend == sea_orm::DatabaseBackend::Postgres {
        use sea_orm::sea_query::extension::postgres::PgExpr;
        col.ilike(pattern)
    } else {
        col.like(pattern.escape(escape))
    }
}

/// Rows whose text `column` starts with `prefix`, as an index-friendly range (`LIKE 'x%'` is
/// case-insensitive on SQLite and so cannot use the index). The upper end is the next string
/// with carry ("100139" → "10014", "wz" → "x"), never a punctuation mark: a linguistic
/// collation (MySQL's utf8mb4_unicode_ci) sorts ':' and '{' before digits and letters, so
/// "100139" < "10013:" would be false there and a search ending in 9 or z would find nothing.
pub fn prefix<C: ColumnTrait>(column: C, prefix: &str) -> Condition {
    match successor(prefix) {
        Some(upper) => Condition::all().add(column.gte(prefix)).add(column.lt(upper)),
        // Only 9s and zs: every longer string from here on, so the prefix is tested too.
        None if !prefix.is_empty() => Condition::all().add(column.gte(prefix)).add(column.starts_with(prefix)),
        None => Condition::all(),
    }
}

/// The smallest string after every string that starts with `prefix`, with digits and letters
/// carried in their own order; `None` when there is none (all 9s, zs or marks).
fn successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match last {
            '9' | 'z' | 'Z' => None,
            c if c.is_ascii_punctuation() || c.is_whitespace() => None,
            c => char::from_u32(u32::from(c) + 1),
        };
        if let Some(n) = next {
            chars.push(n);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The deepest organization path that contains all of `paths` (`/1/6/` for `/1/6/10/` and
/// `/1/6/13/`): where an event about many records belongs in the audit log.
pub fn common_path<'a>(paths: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut common: Option<&str> = None;
    for p in paths {
        common = Some(match common {
            None => p,
            Some(c) => {
                // The longest shared prefix that ends at a `/`.
                let shared = c.bytes().zip(p.bytes()).take_while(|(a, b)| a == b).count();
                &c[..c[..shared].rfind('/').map_or(0, |i| i + 1)]
            }
        });
    }
    common.filter(|c| !c.is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_path_is_the_deepest_shared_ancestor() {
        assert_eq!(common_path(["/1/6/10/", "/1/6/13/"]).as_deref(), Some("/1/6/"));
        assert_eq!(common_path(["/1/6/10/"]).as_deref(), Some("/1/6/10/"));
        // `/1/6/` and `/1/61/` share the text `/1/6` but not the organization 6.
        assert_eq!(common_path(["/1/6/", "/1/61/"]).as_deref(), Some("/1/"));
        assert_eq!(common_path(["/1/6/10/", "/1/6/"]).as_deref(), Some("/1/6/"));
        assert_eq!(common_path(["/1/", "/2/"]).as_deref(), Some("/"));
        assert_eq!(common_path(std::iter::empty()), None);
    }

    #[test]
    fn a_prefix_range_ends_at_the_next_string_with_carry() {
        assert_eq!(successor("100139").as_deref(), Some("10014"));
        assert_eq!(successor("wz").as_deref(), Some("x"));
        assert_eq!(successor("zs").as_deref(), Some("zt"));
        assert_eq!(successor("321X").as_deref(), Some("321Y"));
        assert_eq!(successor("999"), None);
        assert_eq!(successor("zz"), None);
        assert_eq!(successor("138-"), Some("139".to_owned()));
    }
}
