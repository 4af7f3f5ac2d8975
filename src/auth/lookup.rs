//! The reads that run on every request: an account with its grants in one joined query, so
//! resolving the caller costs two round trips (session, then account) instead of five.
//!
//! A grant's scope is its organization's path and name, which belong to the `orgs` domain. The
//! core does not import it: `orgs` supplies the join ([`GrantOrgJoin`]), installed once at
//! start-up by `app::install_modules`, so the query stays one statement and the `orgs` table is
//! still read only by `orgs` code.

use std::collections::HashMap;
use std::sync::OnceLock;

use sea_orm::sea_query::{Alias, ColumnRef, Expr, ExprTrait, IntoColumnRef, JoinType, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use super::entity::{grant, user};
use super::{ActiveGrant, Role};

/// Adds to a query the join (of the given type) from the organization id in `org_id` to that
/// organization, and selects its path as `org_path` and its name as `org_name`.
pub type GrantOrgJoin = fn(&mut SelectStatement, JoinType, ColumnRef);

static ORG_JOIN: OnceLock<GrantOrgJoin> = OnceLock::new();

/// Installs the organizations' join, once per process (later calls keep the first).
pub fn install_org_join(join: GrantOrgJoin) {
    let _ = ORG_JOIN.set(join);
}

/// Joins the grants in `q` to their organizations through the installed [`GrantOrgJoin`].
fn join_orgs(q: &mut SelectStatement, join: JoinType) -> Result<(), DbErr> {
    // Without it no grant could be resolved: fail loudly rather than act with no scope.
    let org_join = ORG_JOIN
        .get()
        .ok_or_else(|| DbErr::Custom("党组织的授权范围查询尚未装入（程序启动时由党组织模块登记）".into()))?;
    org_join(q, join, (grant::Entity, grant::Column::OrgId).into_column_ref());
    Ok(())
}

/// What resolving a caller needs of an account.
pub struct Account {
    pub id: i32,
    pub username: String,
    pub display_name: String,
    pub person_id: Option<i32>,
    pub must_change_password: bool,
    pub password_by_owner: bool,
    pub disabled: bool,
    pub grants: Vec<ActiveGrant>,
}

#[derive(FromQueryResult)]
struct GrantRow {
    user_id: i32,
    grant_id: i32,
    role: String,
    org_id: i32,
    org_path: String,
    org_name: String,
}

#[derive(FromQueryResult)]
struct AccountRow {
    id: i32,
    username: String,
    display_name: String,
    person_id: Option<i32>,
    must_change_password: bool,
    password_by_owner: bool,
    disabled: bool,
    grant_id: Option<i32>,
    role: Option<String>,
    org_id: Option<i32>,
    org_path: Option<String>,
    org_name: Option<String>,
}

/// The grant's own columns; the organization's come from [`join_orgs`].
fn grant_columns(q: &mut SelectStatement) {
    q.expr_as(Expr::col((grant::Entity, grant::Column::Id)), Alias::new("grant_id"))
        .expr_as(Expr::col((grant::Entity, grant::Column::Role)), Alias::new("role"))
        .expr_as(Expr::col((grant::Entity, grant::Column::OrgId)), Alias::new("org_id"));
}

fn active_grant(id: i32, role: &str, org_id: i32, org_path: String, org_name: String) -> Option<ActiveGrant> {
    Some(ActiveGrant { id, role: Role::parse(role)?, org_id, org_path, org_name })
}

/// The grants of a user with the path and name of each organization.
pub async fn grants<C: ConnectionTrait>(db: &C, user_id: i32) -> Result<Vec<ActiveGrant>, DbErr> {
    Ok(grants_of(db, &[user_id]).await?.remove(&user_id).unwrap_or_default())
}

/// The grants of several users (one query), by user, each in grant order.
pub async fn grants_of<C: ConnectionTrait>(db: &C, user_ids: &[i32]) -> Result<HashMap<i32, Vec<ActiveGrant>>, DbErr> {
    let mut out: HashMap<i32, Vec<ActiveGrant>> = HashMap::new();
    if user_ids.is_empty() {
        return Ok(out);
    }
    let mut q = Query::select();
    grant_columns(&mut q);
    q.expr_as(Expr::col((grant::Entity, grant::Column::UserId)), Alias::new("user_id"))
        .from(grant::Entity)
        .and_where(Expr::col((grant::Entity, grant::Column::UserId)).is_in(user_ids.iter().copied()))
        .order_by((grant::Entity, grant::Column::Id), sea_orm::Order::Asc);
    join_orgs(&mut q, JoinType::InnerJoin)?;
    let rows = GrantRow::find_by_statement(db.get_database_backend().build(&q)).all(db).await?;
    for g in rows {
        if let Some(active) = active_grant(g.grant_id, &g.role, g.org_id, g.org_path, g.org_name) {
            out.entry(g.user_id).or_default().push(active);
        }
    }
    Ok(out)
}

/// An account and its grants in one query (a row per grant, or one row without grants).
pub async fn account<C: ConnectionTrait>(db: &C, user_id: i32) -> Result<Option<Account>, DbErr> {
    let mut q = Query::select();
    q.columns([
        (user::Entity, user::Column::Id),
        (user::Entity, user::Column::Username),
        (user::Entity, user::Column::DisplayName),
        (user::Entity, user::Column::PersonId),
        (user::Entity, user::Column::MustChangePassword),
        (user::Entity, user::Column::PasswordByOwner),
        (user::Entity, user::Column::Disabled),
    ]);
    grant_columns(&mut q);
    q.from(user::Entity)
        .join(
            JoinType::LeftJoin,
            grant::Entity,
            Expr::col((grant::Entity, grant::Column::UserId)).equals((user::Entity, user::Column::Id)),
        )
        .and_where(Expr::col((user::Entity, user::Column::Id)).eq(user_id))
        .order_by((grant::Entity, grant::Column::Id), sea_orm::Order::Asc);
    join_orgs(&mut q, JoinType::LeftJoin)?;
    let rows = AccountRow::find_by_statement(db.get_database_backend().build(&q)).all(db).await?;
    let mut rows = rows.into_iter();
    let Some(first) = rows.next() else { return Ok(None) };
    let mut account = Account {
        id: first.id,
        username: first.username.clone(),
        display_name: first.display_name.clone(),
        person_id: first.person_id,
        must_change_password: first.must_change_password,
        password_by_owner: first.password_by_owner,
        disabled: first.disabled,
        grants: Vec::new(),
    };
    for r in std::iter::once(first).chain(rows) {
        if let (Some(id), Some(role), Some(org_id), Some(path), Some(name)) =
            (r.grant_id, r.role, r.org_id, r.org_path, r.org_name)
            && let Some(g) = active_grant(id, &role, org_id, path, name)
        {
            account.grants.push(g);
        }
    }
    Ok(Some(account))
}
