//! Password resets of accounts that can read sensitive personal data (三员分立 that holds).
//!
//! The system administrator creates accounts and resets ordinary ones, so they know those
//! passwords. An account with sensitive access (see [`crate::auth::has_sensitive_access`]) must never
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
//!
//! An account without sensitive access is reset by the system administrator directly
//! ([`reset_password`]), with a temporary password.

use chrono::{Duration, NaiveDateTime};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use serde_json::json;

use super::users::generate_password;
use super::{refuse_officer_target, require_account_admin, who};
use crate::audit::{self, Event};
use crate::auth::codes::{self, CODE_VALID_HOURS, ResetStatus, code_hash, generate_code};
use crate::auth::entity::{password_reset, user};
use crate::auth::{Actor, Permission, password, session};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// How a reset is shown: its stored status, with an issued code past its time as `Expired`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(
    description = "密码重置的状态：pending 待批准、issued 已签发一次性设置码、expired 设置码已过期、used 已使用、rejected 已驳回、\
    superseded 已被新的申请或设置码取代"
)]
pub enum ResetState {
    Pending,
    Issued,
    Expired,
    Used,
    Rejected,
    Superseded,
}

impl ResetState {
    pub const ALL: [ResetState; 6] = [
        ResetState::Pending,
        ResetState::Issued,
        ResetState::Expired,
        ResetState::Used,
        ResetState::Rejected,
        ResetState::Superseded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ResetState::Pending => "pending",
            ResetState::Issued => "issued",
            ResetState::Expired => "expired",
            ResetState::Used => "used",
            ResetState::Rejected => "rejected",
            ResetState::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ResetState::Expired => "设置码已过期",
            ResetState::Pending => ResetStatus::Pending.label(),
            ResetState::Issued => ResetStatus::Issued.label(),
            ResetState::Used => ResetStatus::Used.label(),
            ResetState::Rejected => ResetStatus::Rejected.label(),
            ResetState::Superseded => ResetStatus::Superseded.label(),
        }
    }

    /// The state of a stored row at `now`.
    pub fn of(r: &password_reset::Model, now: NaiveDateTime) -> Self {
        match ResetStatus::of(r) {
            ResetStatus::Pending => ResetState::Pending,
            ResetStatus::Issued if r.expires_at.is_some_and(|t| t > now) => ResetState::Issued,
            ResetStatus::Issued => ResetState::Expired,
            ResetStatus::Used => ResetState::Used,
            ResetStatus::Rejected => ResetState::Rejected,
            ResetStatus::Superseded => ResetState::Superseded,
        }
    }

    /// Still open: waiting for a decision, or a code that can still be used.
    pub fn is_open(self) -> bool {
        matches!(self, ResetState::Pending | ResetState::Issued)
    }
}

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
    pub status: ResetState,
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

fn view(r: password_reset::Model, u: &user::Model, now: NaiveDateTime) -> ResetView {
    let status = ResetState::of(&r, now);
    ResetView {
        id: r.id,
        user_id: r.user_id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        status,
        status_label: status.label(),
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
        .filter(password_reset::Column::Status.is_in([ResetStatus::Pending.as_str(), ResetStatus::Issued.as_str()]))
        .order_by_desc(password_reset::Column::Id)
        .all(db)
        .await?;
    Ok(rows.into_iter().find(|r| ResetState::of(r, now).is_open()))
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
        .filter(password_reset::Column::Status.eq(ResetStatus::Pending.as_str()))
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
        status: Set(ResetStatus::Pending.as_str().into()),
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
        .filter(password_reset::Column::Status.is_in([ResetStatus::Pending.as_str(), ResetStatus::Issued.as_str()]))
        .order_by_asc(password_reset::Column::Id)
        .all(&state.db)
        .await?;
    let rows: Vec<_> = rows.into_iter().filter(|r| ResetState::of(r, now).is_open()).collect();
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
    if ResetStatus::of(&r) != ResetStatus::Pending {
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
        .col_expr(password_reset::Column::Status, sea_orm::sea_query::Expr::value(ResetStatus::Rejected.as_str()))
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
        .filter(password_reset::Column::Status.eq(ResetStatus::Pending.as_str()))
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
    let void = password::hash_off(&session::random_token()).await?;
    let decided_by = (actor.user_id > 0).then_some(actor.user_id);
    let decided_name: String = actor.username.chars().take(50).collect();
    let txn = crate::db::begin_write(&state.db).await?;
    crate::db::serialize_writes(&txn).await?;
    let row = match request {
        Some(r) => {
            let done = password_reset::Entity::update_many()
                .col_expr(password_reset::Column::Status, sea_orm::sea_query::Expr::value(ResetStatus::Issued.as_str()))
                .col_expr(password_reset::Column::DecidedBy, sea_orm::sea_query::Expr::value(decided_by))
                .col_expr(password_reset::Column::DecidedByName, sea_orm::sea_query::Expr::value(decided_name.clone()))
                .col_expr(password_reset::Column::DecidedAt, sea_orm::sea_query::Expr::value(now))
                .col_expr(password_reset::Column::CodeHash, sea_orm::sea_query::Expr::value(code_hash(&code)))
                .col_expr(password_reset::Column::ExpiresAt, sea_orm::sea_query::Expr::value(expires_at))
                .filter(password_reset::Column::Id.eq(r.id))
                .filter(password_reset::Column::Status.eq(ResetStatus::Pending.as_str()))
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
                status: Set(ResetStatus::Issued.as_str().into()),
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
        .col_expr(password_reset::Column::Status, sea_orm::sea_query::Expr::value(ResetStatus::Superseded.as_str()))
        .filter(password_reset::Column::UserId.eq(u.id))
        .filter(password_reset::Column::Id.ne(row.id))
        .filter(password_reset::Column::Status.is_in([ResetStatus::Pending.as_str(), ResetStatus::Issued.as_str()]))
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

/// Sets a new random (or given) password that must be changed at next login, and ends the
/// user's sessions. Only for accounts without sensitive access: whoever resets knows the new
/// password, so an account that can read sensitive data is reset through the security
/// administrator with a one-time code instead (see [`issue`] and [`approve`]); the system administrator can
/// only request that. The owner sees at the next login when and by whom it was done.
pub async fn reset_password(state: &AppState, actor: &Actor, user_id: i32, given: Option<String>) -> AppResult<String> {
    actor.require(Permission::UserManage)?;
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    if user_id == actor.user_id {
        return Err(AppError::forbidden("不能重置自己的密码；请在“修改密码”中修改"));
    }
    refuse_officer_target(state, actor, user_id).await?;
    if codes::is_sensitive(&state.db, &u).await? {
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
    active.password_hash = Set(password::hash_off(&new).await?);
    active.must_change_password = Set(true);
    active.password_by_owner = Set(false);
    active.password_reset_at = Set(Some(now));
    active.password_reset_by = Set(Some(who(actor)));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    session::delete_all_for_user(&txn, user_id, None).await?;
    audit::record(&txn, state.clock.as_ref(), Event::by(actor, "user.password_reset").object("user", user_id)).await?;
    txn.commit().await?;
    Ok(new)
}
