//! Account administration: the accounts themselves (`users`), their link to a person record
//! (`links`), grants, API tokens, the security policy and password resets, one use case per
//! file, each with its pages in `web/` and its endpoints in `api/` under the same name.
//!
//! The tables are the core's (`auth::entity`: the core reads them on every request); this
//! domain is the only one that administers them. It uses `orgs` and `people` through their
//! stores; neither they nor `auth` import it.

pub mod api;
pub mod grants;
pub mod links;
pub mod module;
pub mod policy;
pub mod resets;
pub mod tokens;
pub mod users;
pub mod web;

use crate::auth::{Actor, Permission, lookup};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub(crate) fn require_account_admin(actor: &Actor) -> AppResult<()> {
    if actor.can(Permission::UserManage) || actor.can(Permission::GrantManage) {
        Ok(())
    } else {
        Err(AppError::forbidden("只有系统管理员或安全保密管理员可以管理账号"))
    }
}

/// The system administrator manages ordinary accounts only: the accounts of the security
/// administrator and the auditor (and other system officers) are changed from the command
/// line, so that no single web account controls the others (三员分立).
pub(crate) async fn refuse_officer_target(state: &AppState, actor: &Actor, user_id: i32) -> AppResult<()> {
    if actor.user_id == 0 {
        return Ok(());
    }
    let grants = lookup::grants(&state.db, user_id).await?;
    if grants.iter().any(|g| g.role.is_system_officer()) {
        return Err(AppError::forbidden("三员分立：系统管理、安全保密、安全审计账号只能通过命令行维护"));
    }
    Ok(())
}

/// How an actor is named in the notice the owner sees.
pub fn who(actor: &Actor) -> String {
    if actor.user_id == 0 {
        return "运维人员（命令行）".into();
    }
    match actor.roles().into_iter().find(|r| r.is_system_officer()) {
        Some(role) => format!("{} {}", role.label(), actor.username),
        None => actor.username.clone(),
    }
}
