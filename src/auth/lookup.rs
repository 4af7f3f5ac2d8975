//! The reads that run on every request: an account with its grants in one joined query, so
//! resolving the caller costs two round trips (session, then account) instead of five.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{ConnectionTrait, FromQueryResult};

use super::entity::{grant, user};
use super::{ActiveGrant, Role};
use crate::orgs::entity as org;

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

/// Grants joined to their organizations, in grant order; `from` decides what they hang on.
fn grant_columns(q: &mut SelectStatement) {
    q.expr_as(Expr::col((grant::Entity, grant::Column::Id)), Alias::new("grant_id"))
        .expr_as(Expr::col((grant::Entity, grant::Column::Role)), Alias::new("role"))
        .expr_as(Expr::col((org::Entity, org::Column::Id)), Alias::new("org_id"))
        .expr_as(Expr::col((org::Entity, org::Column::Path)), Alias::new("org_path"))
        .expr_as(Expr::col((org::Entity, org::Column::Name)), Alias::new("org_name"));
}

fn active_grant(id: i32, role: &str, org_id: i32, org_path: String, org_name: String) -> Option<ActiveGrant> {
    Some(ActiveGrant { id, role: Role::parse(role)?, org_id, org_path, org_name })
}

/// The grants of a user with the path and name of each organization.
pub async fn grants<C: ConnectionTrait>(db: &C, user_id: i32) -> Result<Vec<ActiveGrant>, sea_orm::DbErr> {
    let mut q = Query::select();
    grant_columns(&mut q);
    q.from(grant::Entity)
        .join(
            JoinType::InnerJoin,
            org::Entity,
            Expr::col((org::Entity, org::Column::Id)).equals((grant::Entity, grant::Column::OrgId)),
        )
        .and_where(Expr::col((grant::Entity, grant::Column::UserId)).eq(user_id))
        .order_by((grant::Entity, grant::Column::Id), sea_orm::Order::Asc);
    let rows = GrantRow::find_by_statement(db.get_database_backend().build(&q)).all(db).await?;
    Ok(rows.into_iter().filter_map(|g| active_grant(g.grant_id, &g.role, g.org_id, g.org_path, g.org_name)).collect())
}

/// An account and its grants in one query (a row per grant, or one row without grants).
pub async fn account<C: ConnectionTrait>(db: &C, user_id: i32) -> Result<Option<Account>, sea_orm::DbErr> {
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
        .join(
            JoinType::LeftJoin,
            org::Entity,
            Expr::col((org::Entity, org::Column::Id)).equals((grant::Entity, grant::Column::OrgId)),
        )
        .and_where(Expr::col((user::Entity, user::Column::Id)).eq(user_id))
        .order_by((grant::Entity, grant::Column::Id), sea_orm::Order::Asc);
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
