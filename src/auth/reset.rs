//! Password resets of accounts that can read sensitive personal data (三员分立 that holds).
//!
//! The system administrator creates accounts and resets ordinary ones, so they know those
//! passwords. An account with sensitive access (see [`super::has_sensitive_access`]) must never
//! open with a password anyone but its owner set, so:
//!
//! - the system administrator may only **request** a reset of such an account ([`request`]);
//! - the security administrator **approves** it ([`approve`]) or resets directly ([`issue`]): the
//!   system voids the old password, ends the account's sessions and shows the security
//!   administrator — never the system administrator — a **one-time code**. The code is valid for
//!   24 hours, works once, and only opens a session that can do nothing but set a new password
//!   (`sessions.reset_only`); the password set there is the owner's (`users.password_by_owner`);
//! - the owner sees at the next login when and by whom the reset was done
//!   (`users.password_reset_at`, `password_reset_by`).
//!
//! Every step is audited: `user.reset_request`, `user.reset_approve`, `user.reset_reject`,
//! `user.reset_code`.

use chrono::{Duration, NaiveDateTime};
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::entity::{password_reset, user};
use super::service::{refuse_officer_target, require_account_admin};
use super::{Actor, Permission, has_sensitive_access, lookup, password, session};
use crate::audit::{self, Event};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// How long a one-time code stays good.
pub const CODE_VALID_HOURS: i64 = 24;

pub const PENDING: &str = "pending";
pub const ISSUED: &str = "issued";
pub const USED: &str = "used";
pub const REJECTED: &str = "rejected";
pub const SUPERSEDED: &str = "superseded";

/// Whether `u` can read sensitive personal data, through its grants or its own profile.
pub async fn is_sensitive<C: ConnectionTrait>(db: &C, u: &user::Model) -> Result<bool, sea_orm::DbErr> {
    let grants = lookup::grants(db, u.id).await?;
    Ok(has_sensitive_access(grants.iter().map(|g| g.role), u.person_id.is_some()))
}

/// A code to type into the login form's password field: 20 characters from an alphabet
/// without look-alikes (about 100 bits), in groups of four.
pub fn generate_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let chars: Vec<char> = (0..20).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// The code as typed, with case, dashes and spaces forgiven.
pub fn normalize_code(typed: &str) -> String {
    typed.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// What is stored of a code: it is random and long, so a plain SHA-256 is enough (like tokens).
pub fn code_hash(typed: &str) -> String {
    hex::encode(Sha256::digest(normalize_code(typed).as_bytes()))
}

/// The issued, unexpired code of account `user_id` that `typed` is, if any. Runs the same query
/// for a name that has no account (`user_id` 0), so the two take the same time.
pub async fn find_code<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    typed: &str,
    now: NaiveDateTime,
) -> Result<Option<password_reset::Model>, sea_orm::DbErr> {
    // Codes are 20 characters; anything much longer is not worth hashing.
    if typed.len() > 64 {
        return Ok(None);
    }
    password_reset::Entity::find()
        .filter(password_reset::Column::UserId.eq(user_id))
        .filter(password_reset::Column::Status.eq(ISSUED))
        .filter(password_reset::Column::CodeHash.eq(code_hash(typed)))
        .filter(password_reset::Column::ExpiresAt.gt(now))
        .one(db)
        .await
}

/// Marks a code used; false when another login used it first.
pub async fn consume(txn: &DatabaseTransaction, id: i32, now: NaiveDateTime) -> Result<bool, sea_orm::DbErr> {
    let done = password_reset::Entity::update_many()
        .col_expr(password_reset::Column::Status, sea_orm::sea_query::Expr::value(USED))
        .col_expr(password_reset::Column::UsedAt, sea_orm::sea_query::Expr::value(now))
        .filter(password_reset::Column::Id.eq(id))
        .filter(password_reset::Column::Status.eq(ISSUED))
        .exec(txn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Whether `typed` is the code that opened the account's current reset session (the owner
/// must not keep a password the security administrator has seen).
pub async fn is_last_used_code<C: ConnectionTrait>(db: &C, user_id: i32, typed: &str) -> Result<bool, sea_orm::DbErr> {
    let last = password_reset::Entity::find()
        .filter(password_reset::Column::UserId.eq(user_id))
        .filter(password_reset::Column::Status.eq(USED))
        .order_by_desc(password_reset::Column::UsedAt)
        .one(db)
        .await?;
    Ok(last.and_then(|r| r.code_hash).is_some_and(|h| h == code_hash(typed)))
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

// ---------------------------------------------------------------- requests and codes

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "密码重置申请。`status`：pending 待批准、issued 已签发一次性设置码、expired 设置码已过期、used 已使用、\
    rejected 已驳回、superseded 已被新的申请或设置码取代；时间为北京时间 `YYYY-MM-DD HH:MM:SS`"
)]
pub struct ResetView {
    pub id: i32,
    pub user_id: i32,
    pub username: String,
    pub display_name: String,
    #[schema(example = "pending")]
    pub status: &'static str,
    #[schema(example = "待批准")]
    pub status_label: &'static str,
    pub reason: Option<String>,
    #[schema(example = "admin")]
    pub requested_by: String,
    #[serde(serialize_with = "crate::clock::serde_local::serialize")]
    #[schema(value_type = String, example = "2026-11-27 10:00:00")]
    pub requested_at: NaiveDateTime,
    pub decided_by: Option<String>,
    #[serde(serialize_with = "crate::clock::serde_local::option")]
    #[schema(value_type = Option<String>, example = "2026-11-27 10:05:00")]
    pub decided_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "crate::clock::serde_local::option")]
    #[schema(value_type = Option<String>, example = "2026-11-28 10:05:00")]
    pub expires_at: Option<NaiveDateTime>,
}

fn status_of(r: &password_reset::Model, now: NaiveDateTime) -> (&'static str, &'static str) {
    match r.status.as_str() {
        PENDING => (PENDING, "待批准"),
        ISSUED if r.expires_at.is_some_and(|t| t > now) => (ISSUED, "已签发设置码，待本人使用"),
        ISSUED => ("expired", "设置码已过期"),
        USED => (USED, "本人已使用"),
        REJECTED => (REJECTED, "已驳回"),
        _ => (SUPERSEDED, "已被取代"),
    }
}

fn view(r: password_reset::Model, u: &user::Model, now: NaiveDateTime) -> ResetView {
    let (status, status_label) = status_of(&r, now);
    ResetView {
        id: r.id,
        user_id: r.user_id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        status,
        status_label,
        reason: r.reason,
        requested_by: r.requested_by_name,
        requested_at: r.requested_at,
        decided_by: r.decided_by_name,
        decided_at: r.decided_at,
        expires_at: r.expires_at,
    }
}

/// What the security administrator hands to the owner, shown once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "一次性设置码：只显示这一次；本人在登录页的密码框中输入，只能用来设置新密码，24 小时内有效，只能使用一次"
)]
pub struct IssuedCode {
    pub request_id: i32,
    pub user_id: i32,
    pub username: String,
    #[schema(example = "K7QD-M2XP-9RTA-H4WE-ZB6N")]
    pub one_time_code: String,
    #[serde(serialize_with = "crate::clock::serde_local::serialize")]
    #[schema(value_type = String, example = "2026-11-28 10:05:00")]
    pub expires_at: NaiveDateTime,
}

fn clean_reason(raw: &str) -> AppResult<Option<String>> {
    let reason = raw.trim();
    if reason.chars().count() > 200 {
        return Err(AppError::validation("reason", "说明不超过 200 个字"));
    }
    if reason.chars().any(char::is_control) {
        return Err(AppError::validation("reason", "说明不能含控制字符"));
    }
    Ok((!reason.is_empty()).then(|| reason.to_owned()))
}

async fn target(state: &AppState, actor: &Actor, user_id: i32) -> AppResult<user::Model> {
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    if user_id == actor.user_id {
        return Err(AppError::forbidden("不能重置自己的密码；请在“修改密码”中修改"));
    }
    refuse_officer_target(state, actor, user_id).await?;
    Ok(u)
}

async fn open_of<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    now: NaiveDateTime,
) -> Result<Option<password_reset::Model>, sea_orm::DbErr> {
    let rows = password_reset::Entity::find()
        .filter(password_reset::Column::UserId.eq(user_id))
        .filter(password_reset::Column::Status.is_in([PENDING, ISSUED]))
        .order_by_desc(password_reset::Column::Id)
        .all(db)
        .await?;
    Ok(rows.into_iter().find(|r| r.status == PENDING || r.expires_at.is_some_and(|t| t > now)))
}

/// The system administrator asks for a reset that the security administrator will carry out.
/// Nothing changes on the account until then, so a request alone cannot lock its owner out.
pub async fn request(state: &AppState, actor: &Actor, user_id: i32, reason: &str) -> AppResult<ResetView> {
    actor.require(Permission::UserManage)?;
    let reason = clean_reason(reason)?;
    let u = target(state, actor, user_id).await?;
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    crate::db::serialize_writes(&txn).await?;
    if password_reset::Entity::find()
        .filter(password_reset::Column::UserId.eq(user_id))
        .filter(password_reset::Column::Status.eq(PENDING))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict {
            message: "该账号已有一项待批准的重置申请".into(), field: None
        });
    }
    let row = password_reset::ActiveModel {
        user_id: Set(user_id),
        status: Set(PENDING.into()),
        reason: Set(reason.clone()),
        requested_by: Set((actor.user_id > 0).then_some(actor.user_id)),
        requested_by_name: Set(actor.username.chars().take(50).collect()),
        requested_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let event = Event::by(actor, "user.reset_request")
        .object("user", user_id)
        .summary(json!({"username": u.username, "request": row.id, "reason": reason}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(view(row, &u, now))
}

/// Open requests (pending, or with a code not yet used and not expired), oldest first.
pub async fn open_requests(state: &AppState, actor: &Actor) -> AppResult<Vec<ResetView>> {
    require_account_admin(actor)?;
    let now = state.clock.now_db();
    let rows = password_reset::Entity::find()
        .filter(password_reset::Column::Status.is_in([PENDING, ISSUED]))
        .order_by_asc(password_reset::Column::Id)
        .all(&state.db)
        .await?;
    let rows: Vec<_> =
        rows.into_iter().filter(|r| r.status == PENDING || r.expires_at.is_some_and(|t| t > now)).collect();
    let ids: Vec<i32> = rows.iter().map(|r| r.user_id).collect();
    let users: std::collections::HashMap<i32, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    Ok(rows.into_iter().filter_map(|r| users.get(&r.user_id).map(|u| view(r.clone(), u, now))).collect())
}

/// The open request of one account, for its page.
pub async fn open_for(state: &AppState, actor: &Actor, user_id: i32) -> AppResult<Option<ResetView>> {
    require_account_admin(actor)?;
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let now = state.clock.now_db();
    Ok(open_of(&state.db, user_id, now).await?.map(|r| view(r, &u, now)))
}

async fn pending(state: &AppState, actor: &Actor, request_id: i32) -> AppResult<(password_reset::Model, user::Model)> {
    actor.require(Permission::GrantManage)?;
    let r = password_reset::Entity::find_by_id(request_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let u = target(state, actor, r.user_id).await?;
    if r.status != PENDING {
        return Err(AppError::Conflict { message: "该申请已处理过".into(), field: None });
    }
    // Two people: whoever asked cannot also approve (the command line excepted).
    if actor.user_id > 0 && r.requested_by == Some(actor.user_id) {
        return Err(AppError::forbidden("不能批准自己提出的重置申请"));
    }
    Ok((r, u))
}

/// The security administrator approves a pending request: a one-time code is issued to them.
pub async fn approve(state: &AppState, actor: &Actor, request_id: i32) -> AppResult<IssuedCode> {
    let (r, u) = pending(state, actor, request_id).await?;
    let by = format!("{} 批准（{} 申请）", who(actor), r.requested_by_name);
    issue_in(state, actor, u, Some(r), None, by, "user.reset_approve").await
}

/// The security administrator turns a request down; returns the account's id.
pub async fn reject(state: &AppState, actor: &Actor, request_id: i32) -> AppResult<i32> {
    let (r, u) = pending(state, actor, request_id).await?;
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    let done = password_reset::Entity::update_many()
        .col_expr(password_reset::Column::Status, sea_orm::sea_query::Expr::value(REJECTED))
        .col_expr(
            password_reset::Column::DecidedBy,
            sea_orm::sea_query::Expr::value((actor.user_id > 0).then_some(actor.user_id)),
        )
        .col_expr(
            password_reset::Column::DecidedByName,
            sea_orm::sea_query::Expr::value(actor.username.chars().take(50).collect::<String>()),
        )
        .col_expr(password_reset::Column::DecidedAt, sea_orm::sea_query::Expr::value(now))
        .filter(password_reset::Column::Id.eq(r.id))
        .filter(password_reset::Column::Status.eq(PENDING))
        .exec(&txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(AppError::Conflict { message: "该申请已处理过".into(), field: None });
    }
    let event = Event::by(actor, "user.reset_reject")
        .object("user", u.id)
        .summary(json!({"username": u.username, "request": r.id, "requested_by": r.requested_by_name}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(u.id)
}

/// The security administrator (or the command line) resets an account directly: a one-time
/// code is issued to them.
pub async fn issue(state: &AppState, actor: &Actor, user_id: i32, reason: &str) -> AppResult<IssuedCode> {
    actor.require(Permission::GrantManage)?;
    let reason = clean_reason(reason)?;
    let u = target(state, actor, user_id).await?;
    issue_in(state, actor, u, None, reason, who(actor), "user.reset_code").await
}

async fn issue_in(
    state: &AppState,
    actor: &Actor,
    u: user::Model,
    request: Option<password_reset::Model>,
    reason: Option<String>,
    by: String,
    action: &'static str,
) -> AppResult<IssuedCode> {
    let now = state.clock.now_db();
    let code = generate_code();
    let expires_at = now + Duration::hours(CODE_VALID_HOURS);
    // The old password stops working: nobody who knew it keeps the account.
    let void = password::hash(&session::random_token())?;
    let decided_by = (actor.user_id > 0).then_some(actor.user_id);
    let decided_name: String = actor.username.chars().take(50).collect();
    let txn = crate::db::begin_write(&state.db).await?;
    crate::db::serialize_writes(&txn).await?;
    let row = match request {
        Some(r) => {
            let done = password_reset::Entity::update_many()
                .col_expr(password_reset::Column::Status, sea_orm::sea_query::Expr::value(ISSUED))
                .col_expr(password_reset::Column::DecidedBy, sea_orm::sea_query::Expr::value(decided_by))
                .col_expr(password_reset::Column::DecidedByName, sea_orm::sea_query::Expr::value(decided_name.clone()))
                .col_expr(password_reset::Column::DecidedAt, sea_orm::sea_query::Expr::value(now))
                .col_expr(password_reset::Column::CodeHash, sea_orm::sea_query::Expr::value(code_hash(&code)))
                .col_expr(password_reset::Column::ExpiresAt, sea_orm::sea_query::Expr::value(expires_at))
                .filter(password_reset::Column::Id.eq(r.id))
                .filter(password_reset::Column::Status.eq(PENDING))
                .exec(&txn)
                .await?;
            if done.rows_affected != 1 {
                return Err(AppError::Conflict { message: "该申请已处理过".into(), field: None });
            }
            r
        }
        None => {
            password_reset::ActiveModel {
                user_id: Set(u.id),
                status: Set(ISSUED.into()),
                reason: Set(reason),
                requested_by: Set(decided_by),
                requested_by_name: Set(decided_name.clone()),
                requested_at: Set(now),
                decided_by: Set(decided_by),
                decided_by_name: Set(Some(decided_name)),
                decided_at: Set(Some(now)),
                code_hash: Set(Some(code_hash(&code))),
                expires_at: Set(Some(expires_at)),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    // One open reset per account: older requests and codes are void.
    password_reset::Entity::update_many()
        .col_expr(password_reset::Column::Status, sea_orm::sea_query::Expr::value(SUPERSEDED))
        .filter(password_reset::Column::UserId.eq(u.id))
        .filter(password_reset::Column::Id.ne(row.id))
        .filter(password_reset::Column::Status.is_in([PENDING, ISSUED]))
        .exec(&txn)
        .await?;
    let username = u.username.clone();
    let user_id = u.id;
    let mut active: user::ActiveModel = u.into();
    active.password_hash = Set(void);
    active.must_change_password = Set(true);
    active.password_by_owner = Set(false);
    active.password_reset_at = Set(Some(now));
    active.password_reset_by = Set(Some(by.chars().take(200).collect()));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    session::delete_all_for_user(&txn, user_id, None).await?;
    let event = Event::by(actor, action).object("user", user_id).summary(json!({
        "username": username,
        "request": row.id,
        "requested_by": row.requested_by_name,
        "expires_at": crate::clock::display_local(expires_at),
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(IssuedCode { request_id: row.id, user_id, username, one_time_code: code, expires_at })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_long_typeable_and_forgiving() {
        let code = generate_code();
        assert_eq!(code.len(), 24);
        assert_eq!(code.matches('-').count(), 4);
        assert!(code.chars().all(|c| c == '-' || c.is_ascii_uppercase() || c.is_ascii_digit()));
        assert!(!code.contains('0') && !code.contains('O') && !code.contains('1') && !code.contains('I'));
        assert_ne!(generate_code(), code);
        let typed = format!(" {} ", code.to_lowercase().replace('-', " "));
        assert_eq!(code_hash(&typed), code_hash(&code));
        assert_ne!(code_hash("ABCD"), code_hash("ABCE"));
    }
}
