//! Grants: a role over an organization's subtree, given and taken by the security
//! administrator under the three-officer separation.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use crate::audit::{self, Event};
use crate::auth::entity::{api_token, grant, user};
use crate::auth::{Actor, Permission, Role, check_separation, lookup};
use crate::error::{AppError, AppResult};
use crate::orgs;
use crate::state::AppState;

/// Gives `role` over the subtree of `org_id`. The security administrator never grants to
/// themselves, and the three system roles stay on separate accounts at the root.
pub async fn add_grant(state: &AppState, actor: &Actor, user_id: i32, role: Role, org_id: i32) -> AppResult<i32> {
    actor.require(Permission::GrantManage)?;
    if user_id == actor.user_id {
        return Err(AppError::forbidden("不能给自己授权"));
    }
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let o = orgs::store::find(&state.db, org_id)
        .await?
        .filter(|o| o.dissolved_at.is_none())
        .ok_or_else(|| AppError::validation("org_id", "授权范围所指的党组织不存在"))?;
    if role.is_system_officer() && o.parent_id.is_some() {
        return Err(AppError::validation("org_id", "系统管理、安全保密、安全审计角色须授予在最高一级党组织（全局）"));
    }
    let existing = lookup::grants(&state.db, user_id).await?;
    if existing.iter().any(|g| g.role == role && g.org_id == org_id) {
        return Err(AppError::conflict("role", "该账号已有此授权"));
    }
    let held: Vec<Role> = existing.iter().map(|g| g.role).collect();
    check_separation(&held, role)?;
    let txn = crate::db::begin_write(&state.db).await?;
    let created = grant::ActiveModel {
        user_id: Set(user_id),
        role: Set(role.as_str().to_owned()),
        org_id: Set(org_id),
        created_at: Set(state.clock.now_db()),
        created_by: Set((actor.user_id > 0).then_some(actor.user_id)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // Tokens are for accounts without sensitive access; such a grant ends them.
    if role.is_system_officer() || role.reads_sensitive() {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, sea_orm::sea_query::Expr::value(state.clock.now_db()))
            .filter(api_token::Column::UserId.eq(user_id))
            .filter(api_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
    }
    let event = Event::by(actor, "grant.add")
        .object("user", user_id)
        .org(o.path.clone())
        .summary(json!({"username": u.username, "role": role.as_str(), "org": o.name}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(created.id)
}

pub async fn revoke_grant(state: &AppState, actor: &Actor, grant_id: i32) -> AppResult<()> {
    actor.require(Permission::GrantManage)?;
    let g = grant::Entity::find_by_id(grant_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    if g.user_id == actor.user_id {
        return Err(AppError::forbidden("不能撤销自己的授权"));
    }
    let o = orgs::store::find(&state.db, g.org_id).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    grant::Entity::delete_by_id(grant_id).exec(&txn).await?;
    let mut event =
        Event::by(actor, "grant.revoke").object("user", g.user_id).summary(json!({"role": g.role, "org_id": g.org_id}));
    if let Some(o) = o {
        event = event.org(o.path);
    }
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(())
}
