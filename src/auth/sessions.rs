//! The sessions use case: logging in (with a password or a one-time code), logging out,
//! changing one's own password, and resolving a request's actor from its session cookie or
//! API token. Every write is audited in the same transaction.

use chrono::{Duration, NaiveDateTime};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::entity::{api_token, login_attempt, user};
use super::lockout::{self, Refusal};
use super::{ActiveGrant, Actor, AuthMethod, Role, codes, password, session};
use crate::audit::{self, Event};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub const TOKEN_PREFIX: &str = "djt_";

pub struct LoginOutcome {
    pub cookie: String,
    pub user_id: i32,
    pub must_change_password: bool,
    /// The password was reset by someone else since the last login: when and by whom.
    pub reset_notice: Option<String>,
}

/// The one answer to every refused login — unknown name, wrong password, disabled account,
/// a name locked for this address, an address that failed too often — so that no answer tells
/// whether an account exists or is locked.
pub const LOGIN_REFUSED: &str = "用户名或密码错误，或尝试过于频繁，请稍后再试";

/// The answer to the right password of a sensitive account when someone else set it: only
/// someone who knows that password sees it.
pub const ADMIN_PASSWORD_REFUSED: &str = "该账号可以查阅敏感信息，而当前密码是管理员设置的（新建账号或重置密码时），不能用来登录。\
    请向安全保密管理员领取一次性设置码，在密码框中输入后设置您本人的密码。";

pub fn normalize_username(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// The notice the owner sees after a reset by someone else.
pub fn reset_notice(at: NaiveDateTime, by: &str) -> String {
    format!(
        "您的密码已于 {} 由 {} 重置。如果这不是您本人申请的，请立即联系安全保密管理员。",
        crate::clock::display_local(at),
        by
    )
}

/// Checks a login and opens a session. The password field takes the password or a one-time
/// code (which opens a session that can only set a new password). Every refusal gives the
/// same [`AppError::BadCredentials`]; see [`lockout`] for how failures are counted per
/// (name, address) and per address, and how they are audited.
pub async fn login(
    state: &AppState,
    raw_username: &str,
    password_text: &str,
    ip: &str,
    user_agent: Option<&str>,
) -> AppResult<LoginOutcome> {
    let now = state.clock.now_db();
    let clock = state.clock.as_ref();
    lockout::flush_windows(&state.db, clock, now).await?;
    let username = normalize_username(raw_username);
    if username.is_empty() || username.chars().count() > 50 || password_text.is_empty() || password_text.len() > 1024 {
        return Err(AppError::BadCredentials);
    }
    let ip: String = ip.chars().take(64).collect();
    let policy = state.policy().await?;

    // Refused before any password is checked. Locks are kept for names with and without an
    // account alike, so this early answer tells nothing about the account either.
    let early = if lockout::address_throttled(&state.db, &policy, &ip, now).await? {
        Some(Refusal::Throttled)
    } else if lockout::pair_locked(&state.db, &username, &ip, now).await? {
        Some(Refusal::Locked)
    } else {
        None
    };
    if let Some(reason) = early {
        let txn = crate::db::begin_write(&state.db).await?;
        crate::db::serialize_writes(&txn).await?;
        lockout::record_refusal(&txn, clock, &policy, &username, &ip, None, reason, now).await?;
        txn.commit().await?;
        return Err(AppError::BadCredentials);
    }

    let found = user::Entity::find().filter(user::Column::Username.eq(&username)).one(&state.db).await?;
    let hash = found.as_ref().map(|u| u.password_hash.as_str()).unwrap_or(password::dummy_hash());
    let password_ok = password::verify_off(password_text, hash).await?;
    let code = if password_ok {
        None
    } else {
        codes::find_code(&state.db, found.as_ref().map_or(0, |u| u.id), password_text, now).await?
    };

    let txn = crate::db::begin_write(&state.db).await?;
    crate::db::serialize_writes(&txn).await?;
    // Re-read under the lock: a parallel burst may have locked the pair meanwhile.
    let found = match found {
        Some(u) => user::Entity::find_by_id(u.id).one(&txn).await?,
        None => None,
    };
    let refusal = if lockout::pair_locked(&txn, &username, &ip, now).await? {
        Some(Refusal::Locked)
    } else {
        match &found {
            None => Some(Refusal::UnknownUser),
            Some(_) if !password_ok && code.is_none() => Some(Refusal::WrongPassword),
            Some(u) if u.disabled => Some(Refusal::Disabled),
            Some(_) => None,
        }
    };
    let via_code = match (&code, refusal) {
        (Some(c), None) => codes::consume(&txn, c.id, now).await?,
        _ => false,
    };
    // The code was used by a parallel login in between.
    let refusal = refusal.or((code.is_some() && !via_code).then_some(Refusal::WrongPassword));
    // The right password, but one that someone other than the owner set (a new account, a
    // reset by the system administrator): it does not open an account with sensitive access.
    let admin_password = match (&found, refusal) {
        (Some(u), None) if !via_code && !u.password_by_owner => codes::is_sensitive(&txn, u).await?,
        _ => false,
    };
    if refusal != Some(Refusal::Locked) {
        login_attempt::ActiveModel {
            username: Set(username.clone()),
            ip: Set(ip.clone()),
            at: Set(now),
            success: Set(refusal.is_none() && !admin_password),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let (Some(u), None) = (found.clone(), refusal) else {
        let reason = refusal.unwrap_or(Refusal::UnknownUser);
        lockout::record_refusal(&txn, clock, &policy, &username, &ip, found.as_ref(), reason, now).await?;
        txn.commit().await?;
        return Err(AppError::BadCredentials);
    };
    if admin_password {
        // Only someone who knows the password gets here, so this is audited one by one: it is
        // what a system administrator trying to open an account they set up would leave.
        let event = Event::anonymous(&u.username, Some(&ip), "login.refused_admin_password").object("user", u.id);
        audit::record(&txn, clock, Event { actor_id: Some(u.id), ..event }).await?;
        txn.commit().await?;
        return Err(AppError::forbidden(ADMIN_PASSWORD_REFUSED));
    }

    let cookie = session::create(&txn, u.id, &ip, user_agent, now, via_code).await?;
    lockout::clear_pair(&txn, &username, &ip, u.id, now).await?;
    user::Entity::update_many()
        .col_expr(user::Column::LastLoginAt, sea_orm::sea_query::Expr::value(now))
        .filter(user::Column::Id.eq(u.id))
        .exec(&txn)
        .await?;
    let mut event = Event::anonymous(&u.username, Some(&ip), "login.success").object("user", u.id);
    if via_code {
        event = event.summary(json!({"via": "one_time_code"}));
    }
    audit::record(&txn, clock, Event { actor_id: Some(u.id), ..event }).await?;
    txn.commit().await?;
    let notice = match (u.password_reset_at, &u.password_reset_by) {
        (Some(at), Some(by)) if u.last_login_at.is_none_or(|last| at > last) => Some(reset_notice(at, by)),
        _ => None,
    };
    Ok(LoginOutcome {
        cookie,
        user_id: u.id,
        must_change_password: u.must_change_password || via_code,
        reset_notice: notice,
    })
}

pub async fn logout(state: &AppState, actor: &Actor) -> AppResult<()> {
    let txn = crate::db::begin_write(&state.db).await?;
    if let AuthMethod::Session { session_id, .. } = &actor.method {
        session::delete(&txn, session_id).await?;
    }
    audit::record(&txn, state.clock.as_ref(), Event::by(actor, "logout").object("user", actor.user_id)).await?;
    txn.commit().await?;
    Ok(())
}

/// The grants of a user with the path and name of each organization.
pub async fn load_grants<C: ConnectionTrait>(db: &C, user_id: i32) -> Result<Vec<ActiveGrant>, sea_orm::DbErr> {
    super::lookup::grants(db, user_id).await
}

async fn actor_for_user(
    state: &AppState,
    user_id: i32,
    method: AuthMethod,
    ip: &str,
) -> Result<Option<Actor>, sea_orm::DbErr> {
    let Some(u) = super::lookup::account(&state.db, user_id).await? else {
        return Ok(None);
    };
    if u.disabled {
        return Ok(None);
    }
    // A sensitive account works only with its owner's password (or, to set one, a one-time
    // code). Checked on every request, so a grant or link given while someone else's password
    // was in force ends that session at once, whichever way the account became sensitive.
    let reset_only = matches!(method, AuthMethod::Session { reset_only: true, .. });
    let sensitive = super::has_sensitive_access(u.grants.iter().map(|g| g.role), u.person_id.is_some());
    if sensitive && !u.password_by_owner && !reset_only {
        return Ok(None);
    }
    Ok(Some(Actor {
        user_id: u.id,
        username: u.username,
        display_name: u.display_name,
        person_id: u.person_id,
        must_change_password: u.must_change_password || reset_only,
        grants: u.grants,
        method,
        ip: ip.to_owned(),
    }))
}

pub async fn actor_from_session(state: &AppState, cookie: &str, ip: &str) -> Result<Option<Actor>, sea_orm::DbErr> {
    let policy = state.cached_policy().await?;
    let Some(s) = session::find_live(&state.db, cookie, &policy, state.clock.now_db()).await? else {
        return Ok(None);
    };
    let method = AuthMethod::Session { session_id: s.id, csrf_token: s.csrf_token, reset_only: s.reset_only };
    actor_for_user(state, s.user_id, method, ip).await
}

pub async fn actor_from_token(state: &AppState, token: &str, ip: &str) -> Result<Option<Actor>, sea_orm::DbErr> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let found = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(session::token_hash(token)))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(&state.db)
        .await?;
    let Some(t) = found else { return Ok(None) };
    let now = state.clock.now_db();
    if t.last_used_at.is_none_or(|used| now - used >= Duration::seconds(60)) {
        let mut active: api_token::ActiveModel = t.clone().into();
        active.last_used_at = Set(Some(now));
        active.update(&state.db).await?;
    }
    let mut actor = actor_for_user(state, t.user_id, AuthMethod::Token { token_id: t.id }, ip).await?;
    // A token is for integrations: it never stops at the first-login password change.
    if let Some(a) = actor.as_mut() {
        a.must_change_password = false;
    }
    Ok(actor)
}

/// Changes the caller's own password. A session opened with a one-time code needs no current
/// password (it has none) and may not keep the code; the password set there is the owner's.
/// Otherwise the new password is the owner's exactly when the current one was: whoever logged
/// in with a password an administrator set may have been that administrator.
pub async fn change_password(state: &AppState, actor: &Actor, current: &str, new: &str) -> AppResult<()> {
    let u = user::Entity::find_by_id(actor.user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let via_code = actor.reset_only();
    if via_code {
        if codes::is_last_used_code(&state.db, u.id, new).await? {
            return Err(AppError::validation("new_password", "新密码不能与一次性设置码相同"));
        }
    } else {
        if current.len() > 1024 || !password::verify_off(current, &u.password_hash).await? {
            return Err(AppError::validation("current_password", "当前密码不正确"));
        }
        if current == new {
            return Err(AppError::validation("new_password", "新密码不能与当前密码相同"));
        }
    }
    let policy = state.policy().await?;
    password::check_policy(new, policy.password_min_length as usize, &u.username)?;
    if new.chars().count() > password::MAX_LEN {
        return Err(AppError::validation("new_password", format!("新密码不能超过 {} 个字符", password::MAX_LEN)));
    }
    let now = state.clock.now_db();
    let by_owner = u.password_by_owner || via_code;
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: user::ActiveModel = u.into();
    active.password_hash = Set(password::hash_off(new).await?);
    active.must_change_password = Set(false);
    active.password_by_owner = Set(by_owner);
    active.password_changed_at = Set(Some(now));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    let keep = match &actor.method {
        AuthMethod::Session { session_id, .. } => Some(session_id.as_str()),
        AuthMethod::Token { .. } => None,
    };
    session::delete_all_for_user(&txn, actor.user_id, keep).await?;
    if let (true, Some(id)) = (via_code, keep) {
        session::end_reset_only(&txn, id).await?;
    }
    let mut event = Event::by(actor, "password.change").object("user", actor.user_id);
    if via_code {
        event = event.summary(json!({"via": "one_time_code"}));
    }
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(())
}

/// The last reset of the caller's password by someone else, for `/me` and the password page.
pub async fn own_reset(state: &AppState, actor: &Actor) -> AppResult<Option<(NaiveDateTime, String)>> {
    let u = user::Entity::find_by_id(actor.user_id).one(&state.db).await?.ok_or(AppError::Unauthenticated)?;
    Ok(u.password_reset_at.zip(u.password_reset_by))
}

/// The actor used by the command line: the operator who can run it already controls the
/// database, so it acts with the system roles, and is audited as `命令行`.
pub fn cli_actor() -> Actor {
    let grant = |role| ActiveGrant { id: 0, role, org_id: 0, org_path: "/".into(), org_name: String::new() };
    Actor {
        user_id: 0,
        username: "cli".into(),
        display_name: "命令行".into(),
        person_id: None,
        must_change_password: false,
        grants: vec![grant(Role::Sysadmin), grant(Role::Secadmin)],
        method: AuthMethod::Token { token_id: 0 },
        ip: "cli".into(),
    }
}

/// The command line acting on the organization tree when there is none yet (first start).
pub fn cli_root_actor() -> Actor {
    let mut actor = cli_actor();
    actor.grants =
        vec![ActiveGrant { id: 0, role: Role::PartyAdmin, org_id: 0, org_path: "/".into(), org_name: String::new() }];
    actor
}
