//! Use cases of accounts: logging in and out, resolving a request's actor, passwords, account
//! administration (sysadmin), grants and policy (secadmin), API tokens. Every write is audited
//! in the same transaction.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use serde::Serialize;
use serde_json::json;

use super::entity::{api_token, grant, login_attempt, setting, user};
use super::lockout::{self, Refusal};
use super::policy::{self, SecurityPolicy};
use super::{ActiveGrant, Actor, AuthMethod, Permission, Role, check_separation, password, reset, session};
use crate::audit::{self, Event};
use crate::error::{AppError, AppResult};
use crate::orgs::entity as org;
use crate::people::entity as person;
use crate::state::AppState;
use crate::ui::PageParams;

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
    let password_ok = password::verify(password_text, hash);
    let code = if password_ok {
        None
    } else {
        reset::find_code(&state.db, found.as_ref().map_or(0, |u| u.id), password_text, now).await?
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
        (Some(c), None) => reset::consume(&txn, c.id, now).await?,
        _ => false,
    };
    // The code was used by a parallel login in between.
    let refusal = refusal.or((code.is_some() && !via_code).then_some(Refusal::WrongPassword));
    // The right password, but one that someone other than the owner set (a new account, a
    // reset by the system administrator): it does not open an account with sensitive access.
    let admin_password = match (&found, refusal) {
        (Some(u), None) if !via_code && !u.password_by_owner => reset::is_sensitive(&txn, u).await?,
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
        if reset::is_last_used_code(&state.db, u.id, new).await? {
            return Err(AppError::validation("new_password", "新密码不能与一次性设置码相同"));
        }
    } else {
        if !password::verify(current, &u.password_hash) {
            return Err(AppError::validation("current_password", "当前密码不正确"));
        }
        if current == new {
            return Err(AppError::validation("new_password", "新密码不能与当前密码相同"));
        }
    }
    let policy = state.policy().await?;
    password::check_policy(new, policy.password_min_length as usize, &u.username)?;
    let now = state.clock.now_db();
    let by_owner = u.password_by_owner || via_code;
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: user::ActiveModel = u.into();
    active.password_hash = Set(password::hash(new)?);
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

// ---------------------------------------------------------------- account administration

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "账号：时间为北京时间 `YYYY-MM-DD HH:MM:SS`，没有时为 null。`locked_until`：该账号对某一地址的登录锁定中\
    最晚的结束时间（锁定只针对连续失败的那个地址）。`sensitive`：能查阅敏感信息（持有党务管理员、纪检监察、书记/支委等角色，\
    或关联了人员档案）。`password_by_owner`：当前密码是本人设置的；能查阅敏感信息的账号只能用本人设置的密码登录。\
    `password_reset_at`、`password_reset_by`：最近一次由他人重置密码的时间和操作人"
)]
pub struct UserSummary {
    pub id: i32,
    pub username: String,
    pub display_name: String,
    pub disabled: bool,
    #[serde(serialize_with = "crate::clock::serde_local::option")]
    #[schema(value_type = Option<String>, example = "2026-11-28 02:02:52")]
    pub locked_until: Option<NaiveDateTime>,
    pub must_change_password: bool,
    pub sensitive: bool,
    pub password_by_owner: bool,
    #[serde(serialize_with = "crate::clock::serde_local::option")]
    #[schema(value_type = Option<String>, example = "2026-11-28 02:02:52")]
    pub password_reset_at: Option<NaiveDateTime>,
    pub password_reset_by: Option<String>,
    #[serde(serialize_with = "crate::clock::serde_local::option")]
    #[schema(value_type = Option<String>, example = "2026-11-28 02:02:52")]
    pub last_login_at: Option<NaiveDateTime>,
    pub grants: Vec<ActiveGrant>,
}

impl UserSummary {
    fn new(u: user::Model, grants: Vec<ActiveGrant>) -> Self {
        Self {
            sensitive: super::has_sensitive_access(grants.iter().map(|g| g.role), u.person_id.is_some()),
            grants,
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            disabled: u.disabled,
            locked_until: u.locked_until,
            must_change_password: u.must_change_password,
            password_by_owner: u.password_by_owner,
            password_reset_at: u.password_reset_at,
            password_reset_by: u.password_reset_by,
            last_login_at: u.last_login_at,
        }
    }

    /// A sensitive account whose password someone else set: it cannot log in until its owner
    /// sets a password with a one-time code from the security administrator.
    pub fn needs_owner_password(&self) -> bool {
        self.sensitive && !self.password_by_owner
    }
}

pub(crate) fn require_account_admin(actor: &Actor) -> AppResult<()> {
    if actor.can(Permission::UserManage) || actor.can(Permission::GrantManage) {
        Ok(())
    } else {
        Err(AppError::forbidden("只有系统管理员或安全保密管理员可以管理账号"))
    }
}

/// Accounts matching `q` (user name or display name), one page at a time, or all of them
/// when `page` is `None` (the command line).
pub async fn list_users(
    state: &AppState,
    actor: &Actor,
    q: &str,
    page: Option<PageParams>,
) -> AppResult<(Vec<UserSummary>, u64)> {
    require_account_admin(actor)?;
    let mut query = user::Entity::find().order_by_asc(user::Column::Username);
    let q = q.trim();
    if !q.is_empty() {
        query = query.filter(
            sea_orm::Condition::any()
                .add(crate::orgs::store::containing(state.db.get_database_backend(), user::Column::Username, q))
                .add(crate::orgs::store::containing(state.db.get_database_backend(), user::Column::DisplayName, q)),
        );
    }
    let total = query.clone().count(&state.db).await?;
    let users = match page.map(PageParams::normalized) {
        Some(p) => query.offset(p.offset()).limit(p.page_size).all(&state.db).await?,
        None => query.all(&state.db).await?,
    };
    // Grants of all listed users in one query, not one per user.
    let ids: Vec<i32> = users.iter().map(|u| u.id).collect();
    let mut by_user: HashMap<i32, Vec<ActiveGrant>> = HashMap::new();
    if !ids.is_empty() {
        let grants = grant::Entity::find().filter(grant::Column::UserId.is_in(ids)).all(&state.db).await?;
        let org_ids: Vec<i32> = grants.iter().map(|g| g.org_id).collect();
        let orgs: HashMap<i32, org::Model> = org::Entity::find()
            .filter(org::Column::Id.is_in(org_ids))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        for g in grants {
            if let (Some(role), Some(o)) = (Role::parse(&g.role), orgs.get(&g.org_id)) {
                by_user.entry(g.user_id).or_default().push(ActiveGrant {
                    id: g.id,
                    role,
                    org_id: o.id,
                    org_path: o.path.clone(),
                    org_name: o.name.clone(),
                });
            }
        }
    }
    let out = users
        .into_iter()
        .map(|u| {
            let grants = by_user.remove(&u.id).unwrap_or_default();
            UserSummary::new(u, grants)
        })
        .collect();
    Ok((out, total))
}

pub async fn get_user(state: &AppState, actor: &Actor, id: i32) -> AppResult<UserSummary> {
    require_account_admin(actor)?;
    let u = user::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let grants = load_grants(&state.db, u.id).await?;
    Ok(UserSummary::new(u, grants))
}

pub struct NewUser {
    pub username: String,
    pub display_name: String,
    /// Initial password; a random one is generated when absent.
    pub password: Option<String>,
    /// Demo accounts skip the first-login change and the policy check.
    pub demo: bool,
}

/// The system administrator manages ordinary accounts only: the accounts of the security
/// administrator and the auditor (and other system officers) are changed from the command
/// line, so that no single web account controls the others (三员分立).
pub(crate) async fn refuse_officer_target(state: &AppState, actor: &Actor, user_id: i32) -> AppResult<()> {
    if actor.user_id == 0 {
        return Ok(());
    }
    let grants = load_grants(&state.db, user_id).await?;
    if grants.iter().any(|g| g.role.is_system_officer()) {
        return Err(AppError::forbidden("三员分立：系统管理、安全保密、安全审计账号只能通过命令行维护"));
    }
    Ok(())
}

/// A random initial password that meets the policy (shown once, changed at first login).
pub fn generate_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    let body: String = (0..12).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    format!("{body}#{}", rng.gen_range(10..100))
}

fn validate_username(username: &str) -> AppResult<()> {
    let ok_chars = username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c));
    if !(3..=50).contains(&username.len()) || !ok_chars {
        return Err(AppError::validation("username", "用户名须为 3–50 位小写字母、数字或 _ . -"));
    }
    Ok(())
}

/// Creates an account; returns it and the initial password (to be shown once).
pub async fn create_user(state: &AppState, actor: &Actor, new: NewUser) -> AppResult<(user::Model, String)> {
    let (created, initial, _) = create_user_with_person(state, actor, new, None).await?;
    Ok((created, initial))
}

/// Creates an account, linked at once to its person record when `person` is given (see
/// [`link_person`]); nothing is created when the link is refused.
pub async fn create_user_with_person(
    state: &AppState,
    actor: &Actor,
    new: NewUser,
    person: Option<&PersonRef>,
) -> AppResult<(user::Model, String, Option<LinkedPerson>)> {
    actor.require(Permission::UserManage)?;
    // Creating and linking in one step needs both roles: only the command line holds them.
    if person.is_some() {
        actor.require(Permission::GrantManage)?;
    }
    let username = normalize_username(&new.username);
    validate_username(&username)?;
    let display_name = new.display_name.trim().to_owned();
    if display_name.is_empty() || display_name.chars().count() > 50 {
        return Err(AppError::validation("display_name", "姓名不能为空，且不超过 50 个字"));
    }
    crate::text::line("display_name", "姓名", &display_name)?;
    let initial = match new.password {
        Some(p) => {
            if !new.demo {
                let policy = state.policy().await?;
                password::check_policy(&p, policy.password_min_length as usize, &username)
                    .map_err(|_| AppError::validation("password", "初始密码不符合密码策略"))?;
            }
            p
        }
        None => generate_password(),
    };
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    let exists = user::Entity::find().filter(user::Column::Username.eq(&username)).one(&txn).await?;
    if exists.is_some() {
        return Err(AppError::conflict("username", format!("用户名 {username} 已存在")));
    }
    let person = match person {
        Some(r) => Some(person_to_link(&txn, r, None).await?),
        None => None,
    };
    let created = user::ActiveModel {
        username: Set(username.clone()),
        display_name: Set(display_name.clone()),
        password_hash: Set(password::hash(&initial)?),
        must_change_password: Set(!new.demo),
        // Whoever created it knows the initial password (demo passwords are public anyway).
        password_by_owner: Set(new.demo),
        disabled: Set(false),
        person_id: Set(person.as_ref().map(|p| p.id)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let event = Event::by(actor, "user.create")
        .object("user", created.id)
        .summary(json!({"username": username, "display_name": display_name}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    let linked = match &person {
        Some(p) => {
            let summary = json!({"username": username, "person_id": p.id, "name": p.name});
            audit::record(&txn, state.clock.as_ref(), link_event(actor, "user.link", created.id, summary, p)).await?;
            Some(linked_of(&txn, p).await?)
        }
        None => None,
    };
    txn.commit().await?;
    Ok((created, initial, linked))
}

/// Sets a new random (or given) password that must be changed at next login, and ends the
/// user's sessions. Only for accounts without sensitive access: whoever resets knows the new
/// password, so an account that can read sensitive data is reset through the security
/// administrator with a one-time code instead (see [`reset`]); the system administrator can
/// only request that. The owner sees at the next login when and by whom it was done.
pub async fn reset_password(state: &AppState, actor: &Actor, user_id: i32, given: Option<String>) -> AppResult<String> {
    actor.require(Permission::UserManage)?;
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    if user_id == actor.user_id {
        return Err(AppError::forbidden("不能重置自己的密码；请在“修改密码”中修改"));
    }
    refuse_officer_target(state, actor, user_id).await?;
    if reset::is_sensitive(&state.db, &u).await? {
        return Err(AppError::forbidden(
            "该账号可以查阅敏感信息，系统管理员不能直接重置其密码：请提交重置申请，由安全保密管理员批准并把一次性设置码交给本人",
        ));
    }
    let new = match given {
        Some(p) => {
            let policy = state.policy().await?;
            password::check_policy(&p, policy.password_min_length as usize, &u.username)?;
            p
        }
        None => generate_password(),
    };
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: user::ActiveModel = u.into();
    active.password_hash = Set(password::hash(&new)?);
    active.must_change_password = Set(true);
    active.password_by_owner = Set(false);
    active.password_reset_at = Set(Some(now));
    active.password_reset_by = Set(Some(reset::who(actor)));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    session::delete_all_for_user(&txn, user_id, None).await?;
    audit::record(&txn, state.clock.as_ref(), Event::by(actor, "user.password_reset").object("user", user_id)).await?;
    txn.commit().await?;
    Ok(new)
}

/// Lifts the account's login locks for every address.
pub async fn unlock(state: &AppState, actor: &Actor, user_id: i32) -> AppResult<()> {
    if !(actor.can(Permission::UserManage) || actor.can(Permission::PolicyManage)) {
        return Err(AppError::forbidden("只有系统管理员或安全保密管理员可以解锁账号"));
    }
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    crate::db::serialize_writes(&txn).await?;
    let addresses = lockout::clear_all(&txn, &u.username).await?;
    let mut active: user::ActiveModel = u.into();
    active.locked_until = Set(None);
    active.updated_at = Set(now);
    active.update(&txn).await?;
    let event = Event::by(actor, "user.unlock").object("user", user_id).summary(json!({"addresses": addresses}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(())
}

/// The addresses an account is locked for now, for its page.
pub async fn address_locks(state: &AppState, actor: &Actor, user_id: i32) -> AppResult<Vec<lockout::AddressLock>> {
    require_account_admin(actor)?;
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    Ok(lockout::locks_of(&state.db, &u.username, state.clock.now_db()).await?)
}

pub async fn set_disabled(state: &AppState, actor: &Actor, user_id: i32, disabled: bool) -> AppResult<()> {
    actor.require(Permission::UserManage)?;
    if user_id == actor.user_id {
        return Err(AppError::forbidden("不能停用自己的账号"));
    }
    refuse_officer_target(state, actor, user_id).await?;
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: user::ActiveModel = u.into();
    active.disabled = Set(disabled);
    active.updated_at = Set(now);
    active.update(&txn).await?;
    if disabled {
        session::delete_all_for_user(&txn, user_id, None).await?;
    }
    let action = if disabled { "user.disable" } else { "user.enable" };
    audit::record(&txn, state.clock.as_ref(), Event::by(actor, action).object("user", user_id)).await?;
    txn.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- the account's own person record

/// The one input "警号或身份证号" of the linking forms; every error of linking names it.
pub const PERSON_REF_FIELD: &str = "person_ref";

/// How the account administrator names the person an account belongs to: by a number typed
/// in, never by browsing the roster, which the system administrator may not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonRef {
    /// 警号: 4–12 digits.
    PoliceNo(String),
    /// 身份证号: 18 characters with a valid check character.
    IdNumber(String),
}

fn ref_error(message: impl Into<String>) -> AppError {
    AppError::validation(PERSON_REF_FIELD, message)
}

/// A number as people type it: full-width digits and spaces undone, a lower-case x raised.
fn clean_number(raw: &str) -> String {
    crate::io::cells::half_width(raw).chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase()
}

impl PersonRef {
    /// Reads the one form field: 18 characters are an ID number, anything else a police number.
    pub fn parse(raw: &str) -> AppResult<PersonRef> {
        let text = clean_number(raw);
        if text.is_empty() {
            return Err(ref_error("请填写本人的警号或身份证号"));
        }
        if text.chars().count() == 18 {
            return Self::id_number(&text);
        }
        Self::police_no(&text).map_err(|_| ref_error("请填写 4–12 位数字的警号或 18 位身份证号"))
    }

    pub fn police_no(raw: &str) -> AppResult<PersonRef> {
        let no = clean_number(raw);
        if !(4..=12).contains(&no.len()) || !no.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ref_error("警号应为 4–12 位数字"));
        }
        Ok(PersonRef::PoliceNo(no))
    }

    pub fn id_number(raw: &str) -> AppResult<PersonRef> {
        let id = clean_number(raw);
        crate::people::idcard::parse(&id).map_err(ref_error)?;
        Ok(PersonRef::IdNumber(id))
    }
}

/// All the account administrator learns of a linked person: who, and where in the bureau.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "账号关联的人员：编号、姓名和所在党组织；`deleted` 表示该档案已被删除")]
pub struct LinkedPerson {
    pub person_id: i32,
    pub name: String,
    /// The person's Party organization, or their work unit when they have none.
    pub org_name: String,
    /// The record was deleted after linking; "我的档案" no longer opens it.
    pub deleted: bool,
}

async fn linked_of<C: ConnectionTrait>(db: &C, p: &person::Model) -> AppResult<LinkedPerson> {
    let org_name = match p.org_id {
        Some(id) => org::Entity::find_by_id(id).one(db).await?.map(|o| o.name),
        None => None,
    };
    Ok(LinkedPerson {
        person_id: p.id,
        name: p.name.clone(),
        org_name: org_name.or_else(|| p.unit.clone()).unwrap_or_default(),
        deleted: p.deleted_at.is_some(),
    })
}

/// The live person `r` names, refused when there is none or when another account than
/// `account_id` already has them (one person, one account: the link opens their profile).
async fn person_to_link<C: ConnectionTrait>(
    db: &C,
    r: &PersonRef,
    account_id: Option<i32>,
) -> AppResult<person::Model> {
    let live = person::Entity::find().filter(person::Column::DeletedAt.is_null());
    let (query, what) = match r {
        PersonRef::PoliceNo(no) => (live.filter(person::Column::PoliceNo.eq(no)), format!("警号 {no} ")),
        // Not echoed: messages reach logs and screenshots, and the form keeps what was typed.
        PersonRef::IdNumber(id) => (live.filter(person::Column::IdNumber.eq(id)), "该身份证号".to_owned()),
    };
    let mut found = query.limit(2).all(db).await?;
    if found.len() > 1 {
        return Err(ref_error(format!("{what}对应多条人员档案，请改填身份证号")));
    }
    let p = found.pop().ok_or_else(|| ref_error(format!("没有找到{what}对应的在册人员档案")))?;
    let mut holders = user::Entity::find().filter(user::Column::PersonId.eq(p.id));
    if let Some(id) = account_id {
        holders = holders.filter(user::Column::Id.ne(id));
    }
    if let Some(other) = holders.one(db).await? {
        return Err(AppError::conflict(
            PERSON_REF_FIELD,
            format!("{}的档案已关联账号 {}；一人只能关联一个账号，请先解除该账号的关联", p.name, other.username),
        ));
    }
    Ok(p)
}

fn link_event(
    actor: &Actor,
    action: &'static str,
    user_id: i32,
    summary: serde_json::Value,
    p: &person::Model,
) -> Event {
    let event = Event::by(actor, action).object("user", user_id).summary(summary);
    match &p.org_path {
        Some(path) => event.org(path.clone()),
        None => event,
    }
}

/// The person an account is linked to, for the account page.
pub async fn linked_person(state: &AppState, actor: &Actor, user_id: i32) -> AppResult<Option<LinkedPerson>> {
    require_account_admin(actor)?;
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let Some(person_id) = u.person_id else { return Ok(None) };
    match person::Entity::find_by_id(person_id).one(&state.db).await? {
        Some(p) => Ok(Some(linked_of(&state.db, &p).await?)),
        None => Ok(None),
    }
}

/// Links an account to its person record, which opens "我的档案" to it: the own profile with
/// the full ID and phone numbers. That is access to sensitive data, so it is the security
/// administrator's decision (`GrantManage`), not the system administrator's: the one who creates
/// accounts and knows their initial passwords must not also be able to point one at anybody's
/// record and read it. Officer accounts are linked from the command line only.
/// A link to another person is replaced. API tokens of the account are revoked, because tokens
/// are only for accounts that read no sensitive data (see [`create_token`]).
pub async fn link_person(state: &AppState, actor: &Actor, user_id: i32, person: &PersonRef) -> AppResult<LinkedPerson> {
    actor.require(Permission::GrantManage)?;
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    refuse_officer_target(state, actor, user_id).await?;
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    let p = person_to_link(&txn, person, Some(user_id)).await?;
    let linked = linked_of(&txn, &p).await?;
    if u.person_id == Some(p.id) {
        return Ok(linked);
    }
    let summary = json!({
        "username": u.username, "person_id": p.id, "name": p.name, "previous_person_id": u.person_id,
    });
    let mut active: user::ActiveModel = u.into();
    active.person_id = Set(Some(p.id));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    let revoked = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, sea_orm::sea_query::Expr::value(now))
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    let mut summary = summary;
    if revoked > 0 {
        summary["tokens_revoked"] = json!(revoked);
    }
    audit::record(&txn, state.clock.as_ref(), link_event(actor, "user.link", user_id, summary, &p)).await?;
    txn.commit().await?;
    Ok(linked)
}

/// Ends the link of an account to its person record; "我的档案" closes at the next request.
pub async fn unlink_person(state: &AppState, actor: &Actor, user_id: i32) -> AppResult<()> {
    actor.require(Permission::GrantManage)?;
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    refuse_officer_target(state, actor, user_id).await?;
    let Some(person_id) = u.person_id else {
        return Err(ref_error(format!("账号 {} 没有关联人员档案", u.username)));
    };
    let p = person::Entity::find_by_id(person_id).one(&state.db).await?;
    let summary = json!({
        "username": u.username, "person_id": person_id, "name": p.as_ref().map(|p| p.name.clone()),
    });
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: user::ActiveModel = u.into();
    active.person_id = Set(None);
    active.updated_at = Set(now);
    active.update(&txn).await?;
    let event = match &p {
        Some(p) => link_event(actor, "user.unlink", user_id, summary, p),
        None => Event::by(actor, "user.unlink").object("user", user_id).summary(summary),
    };
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(())
}

/// Gives `role` over the subtree of `org_id`. The security administrator never grants to
/// themselves, and the three system roles stay on separate accounts at the root.
pub async fn add_grant(state: &AppState, actor: &Actor, user_id: i32, role: Role, org_id: i32) -> AppResult<i32> {
    actor.require(Permission::GrantManage)?;
    if user_id == actor.user_id {
        return Err(AppError::forbidden("不能给自己授权"));
    }
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let o = org::Entity::find_by_id(org_id)
        .one(&state.db)
        .await?
        .filter(|o| o.dissolved_at.is_none())
        .ok_or_else(|| AppError::validation("org_id", "授权范围所指的党组织不存在"))?;
    if role.is_system_officer() && o.parent_id.is_some() {
        return Err(AppError::validation("org_id", "系统管理、安全保密、安全审计角色须授予在最高一级党组织（全局）"));
    }
    let existing = load_grants(&state.db, user_id).await?;
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
    let o = org::Entity::find_by_id(g.org_id).one(&state.db).await?;
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

// ---------------------------------------------------------------- API tokens

#[derive(Debug, Clone, Serialize)]
pub struct TokenSummary {
    pub id: i32,
    pub name: String,
    #[serde(serialize_with = "crate::clock::serde_local::serialize")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::clock::serde_local::option")]
    pub last_used_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "crate::clock::serde_local::option")]
    pub revoked_at: Option<NaiveDateTime>,
}

pub async fn list_tokens(state: &AppState, actor: &Actor, user_id: i32) -> AppResult<Vec<TokenSummary>> {
    actor.require(Permission::UserManage)?;
    let rows = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_desc(api_token::Column::Id)
        .all(&state.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|t| TokenSummary {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        })
        .collect())
}

/// Creates a bearer token that acts as `user_id` with that user's grants. Returns the token,
/// which is stored only as a hash and shown this once.
pub async fn create_token(state: &AppState, actor: &Actor, user_id: i32, name: &str) -> AppResult<(i32, String)> {
    actor.require(Permission::UserManage)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::validation("name", "令牌名称不能为空，且不超过 100 个字"));
    }
    crate::text::line("name", "令牌名称", name)?;
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    // A token acts without its account's owner noticing, so it is only for integration
    // accounts: none for system officers, none for access to sensitive personal data, which
    // includes a linked person's own profile.
    let grants = load_grants(&state.db, user_id).await?;
    let officer = grants.iter().any(|g| g.role.is_system_officer());
    if officer || super::has_sensitive_access(grants.iter().map(|g| g.role), u.person_id.is_some()) {
        return Err(AppError::validation(
            "name",
            "接口令牌只能签发给不具有三员角色和敏感数据权限、未关联人员档案的接口账号；请为对接系统单独建立账号并授予所需角色",
        ));
    }
    let token = format!("{TOKEN_PREFIX}{}", session::random_token());
    let txn = crate::db::begin_write(&state.db).await?;
    let created = api_token::ActiveModel {
        user_id: Set(user_id),
        name: Set(name.to_owned()),
        token_hash: Set(session::token_hash(&token)),
        created_at: Set(state.clock.now_db()),
        created_by: Set((actor.user_id > 0).then_some(actor.user_id)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let event = Event::by(actor, "token.create")
        .object("api_token", created.id)
        .summary(json!({"user_id": user_id, "name": name}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok((created.id, token))
}

pub async fn revoke_token(state: &AppState, actor: &Actor, token_id: i32) -> AppResult<i32> {
    actor.require(Permission::UserManage)?;
    let t = api_token::Entity::find_by_id(token_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let user_id = t.user_id;
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: api_token::ActiveModel = t.into();
    active.revoked_at = Set(Some(state.clock.now_db()));
    active.update(&txn).await?;
    audit::record(&txn, state.clock.as_ref(), Event::by(actor, "token.revoke").object("api_token", token_id)).await?;
    txn.commit().await?;
    Ok(user_id)
}

// ---------------------------------------------------------------- security policy

pub async fn update_policy(
    state: &AppState,
    actor: &Actor,
    values: &HashMap<String, String>,
) -> AppResult<SecurityPolicy> {
    actor.require(Permission::PolicyManage)?;
    let before = state.policy().await?;
    let mut after = before;
    for (name, label, min, max) in SecurityPolicy::FIELDS {
        let raw = values.get(name).map(|v| v.trim()).unwrap_or("");
        let value: i64 = raw.parse().map_err(|_| AppError::validation(name, format!("{label}须为整数")))?;
        if !(min..=max).contains(&value) {
            return Err(AppError::validation(name, format!("{label}须在 {min} 到 {max} 之间")));
        }
        after.set(name, value);
    }
    let now = state.clock.now_db();
    let value = serde_json::to_string(&after).map_err(anyhow::Error::from)?;
    let txn = crate::db::begin_write(&state.db).await?;
    let row = setting::ActiveModel {
        key: Set(policy::SETTINGS_KEY.to_owned()),
        value: Set(value),
        updated_at: Set(now),
        updated_by: Set((actor.user_id > 0).then_some(actor.user_id)),
    };
    if setting::Entity::find_by_id(policy::SETTINGS_KEY.to_owned()).one(&txn).await?.is_some() {
        row.update(&txn).await?;
    } else {
        row.insert(&txn).await?;
    }
    let event = Event::by(actor, "policy.update").summary(json!({"before": before, "after": after}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    state.forget_policy();
    Ok(after)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_field_takes_a_police_number_or_an_id_number() {
        assert_eq!(PersonRef::parse(" ０１２３４５ ").unwrap(), PersonRef::PoliceNo("012345".into()));
        assert_eq!(PersonRef::parse("11010519491231002x").unwrap(), PersonRef::IdNumber("11010519491231002X".into()));
        let field_of = |raw: &str| match PersonRef::parse(raw) {
            Err(AppError::Validation { field, message }) => (field.unwrap_or_default(), message),
            other => panic!("{raw}: {other:?}"),
        };
        assert_eq!(field_of(""), (PERSON_REF_FIELD.to_owned(), "请填写本人的警号或身份证号".to_owned()));
        assert!(field_of("110105194912310021").1.contains("校验位"));
        assert!(field_of("12a45").1.contains("4–12 位数字的警号或 18 位身份证号"));
        assert!(field_of("123").1.contains("警号"));
        assert!(PersonRef::police_no("11010519491231002X").is_err(), "the command line says which one it is");
        assert!(PersonRef::id_number("012345").is_err());
    }
}
