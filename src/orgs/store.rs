//! Queries over the organization tree. A subtree is the range `[path, upper_bound(path))`.

use sea_orm::sea_query::{Alias, ColumnRef, Expr, ExprTrait, JoinType, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::entity::{self as org, Column};
// The scope helpers live in the data layer, for every domain; kept reachable here for callers
// written before they moved.
pub use crate::db::scope::{common_path, containing, in_scope, in_scope_filter, prefix, subtree, subtree_filter};

/// Names of the given organizations by id, in a few queries however many ids.
pub async fn names<C: ConnectionTrait>(db: &C, ids: &[i32]) -> Result<std::collections::HashMap<i32, String>, DbErr> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        for o in org::Entity::find().filter(Column::Id.is_in(chunk.to_vec())).all(db).await? {
            out.insert(o.id, o.name);
        }
    }
    Ok(out)
}

/// The join that scopes grants (see `auth::lookup::GrantOrgJoin`): from the organization id in
/// `org_id` to the organization, selecting its `org_path` and `org_name`. Installed at start-up,
/// so the per-request account query stays one statement without `auth` reading this table.
pub fn join_grant_orgs(q: &mut SelectStatement, join: JoinType, org_id: ColumnRef) {
    q.join(join, org::Entity, Expr::col((org::Entity, Column::Id)).equals(org_id))
        .expr_as(Expr::col((org::Entity, Column::Path)), Alias::new("org_path"))
        .expr_as(Expr::col((org::Entity, Column::Name)), Alias::new("org_name"));
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i32) -> Result<Option<org::Model>, DbErr> {
    org::Entity::find_by_id(id).one(db).await
}

/// The given organizations (dissolved or not), in no particular order.
pub async fn find_many<C: ConnectionTrait>(db: &C, ids: &[i32]) -> Result<Vec<org::Model>, DbErr> {
    org::Entity::find().filter(Column::Id.is_in(ids.to_vec())).all(db).await
}

/// `(id, name)` of every live branch (党支部, 联合支部) of the bureau, in tree order.
pub async fn branches<C: ConnectionTrait>(db: &C) -> Result<Vec<(i32, String)>, DbErr> {
    let kinds = [super::OrgKind::Branch.as_str(), super::OrgKind::JointBranch.as_str()];
    let rows = org::Entity::find()
        .filter(Column::DissolvedAt.is_null())
        .filter(Column::Kind.is_in(kinds))
        .order_by_asc(Column::Path)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|o| (o.id, o.name)).collect())
}

/// The live organizations of the subtree at `path` (its root included), in tree order: at most
/// the bureau's ≈1,500, read once for a table aggregated by subtree (compliance).
pub async fn live_in_subtree<C: ConnectionTrait>(db: &C, path: &str) -> Result<Vec<org::Model>, DbErr> {
    org::Entity::find()
        .filter(Column::DissolvedAt.is_null())
        .filter(subtree(Column::Path, path))
        .order_by_asc(Column::Path)
        .all(db)
        .await
}

/// An organization as a table over a whole bureau needs it: no dates, no reasons.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
pub struct Brief {
    pub id: i32,
    pub parent_id: Option<i32>,
    pub path: String,
    pub name: String,
    pub kind: String,
}

/// Like [`live_in_subtree`], with the five columns of [`Brief`] alone (≈1,700 rows in a city).
pub async fn live_briefs_in_subtree<C: ConnectionTrait>(db: &C, path: &str) -> Result<Vec<Brief>, DbErr> {
    use sea_orm::QuerySelect;
    org::Entity::find()
        .select_only()
        .column(Column::Id)
        .column(Column::ParentId)
        .column(Column::Path)
        .column(Column::Name)
        .column(Column::Kind)
        .filter(Column::DissolvedAt.is_null())
        .filter(subtree(Column::Path, path))
        .order_by_asc(Column::Path)
        .into_model::<Brief>()
        .all(db)
        .await
}

/// The paths of the live top-level organizations (those with no parent): a scope that holds all
/// of them is the whole bureau.
pub async fn top_paths<C: ConnectionTrait>(db: &C) -> Result<Vec<String>, DbErr> {
    let rows = org::Entity::find()
        .filter(Column::DissolvedAt.is_null())
        .filter(Column::ParentId.is_null())
        .order_by_asc(Column::Path)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|o| o.path).collect())
}

/// Moves the subtree at `old_path` (dissolved organizations included) to `new_path` in one
/// statement: paths get the new prefix, depths shift by `depth_delta`. Returns how many
/// organizations moved. The root's `parent_id` is the caller's to set.
pub async fn move_subtree<C: ConnectionTrait>(
    db: &C,
    old_path: &str,
    new_path: &str,
    depth_delta: i32,
) -> Result<u64, DbErr> {
    let path = crate::db::org_paths::moved_expr(db.get_database_backend(), "path", old_path, new_path);
    let moved = org::Entity::update_many()
        .col_expr(Column::Path, path)
        .col_expr(Column::Depth, Expr::col(Column::Depth).add(depth_delta))
        .filter(subtree(Column::Path, old_path))
        .exec(db)
        .await?;
    Ok(moved.rows_affected)
}

pub async fn children<C: ConnectionTrait>(db: &C, id: i32) -> Result<Vec<org::Model>, DbErr> {
    org::Entity::find()
        .filter(Column::ParentId.eq(id))
        .filter(Column::DissolvedAt.is_null())
        .order_by_asc(Column::SortOrder)
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// The chain of ancestors of a path, root first (excluding the org itself).
pub async fn ancestors<C: ConnectionTrait>(db: &C, path: &str) -> Result<Vec<org::Model>, DbErr> {
    let ids: Vec<i32> = path.split('/').filter_map(|s| s.parse().ok()).collect();
    if ids.len() <= 1 {
        return Ok(Vec::new());
    }
    let ancestor_ids = ids[..ids.len() - 1].to_vec();
    let mut rows = org::Entity::find().filter(Column::Id.is_in(ancestor_ids)).all(db).await?;
    rows.sort_by_key(|o| o.depth);
    Ok(rows)
}

pub async fn sibling_named<C: ConnectionTrait>(
    db: &C,
    parent_id: Option<i32>,
    name: &str,
    except: Option<i32>,
) -> Result<bool, DbErr> {
    let mut q = org::Entity::find().filter(Column::Name.eq(name)).filter(Column::DissolvedAt.is_null());
    q = match parent_id {
        Some(p) => q.filter(Column::ParentId.eq(p)),
        None => q.filter(Column::ParentId.is_null()),
    };
    if let Some(id) = except {
        q = q.filter(Column::Id.ne(id));
    }
    Ok(q.one(db).await?.is_some())
}
