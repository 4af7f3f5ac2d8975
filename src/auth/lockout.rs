//! Failed logins, counted so that they cannot be turned against the account's owner:
//!
//! - **per (user name, address)**: `login_max_failures` failures of a name from one address
//!   within the window lock that name *for that address* — 1 minute, then 2, 4, 8 … up to the
//!   policy's lock-out time. The owner logging in from another address is not affected. Names
//!   are counted as typed, known or not, so a lock tells nothing about whether an account exists.
//! - **per address**: `login_max_failures × 4` failures from one address over any names within
//!   the window slow that address down until the window has moved on.
//! - **audit**: every refusal is counted in a row per (address, window) (`login_refusals`); when
//!   the window has ended, the next login attempt (from anyone) writes one `login.failure` audit
//!   row per address with the counts by reason and the names tried, and drops the counter. A
//!   lock is audited once when it happens (`account.locked`, known accounts only). So anonymous
//!   requests add at most one audit row per address and window.
//!
//! Callers write inside a transaction that holds [`crate::db::serialize_writes`], so the
//! read-modify-write of these counters is never interleaved on any backend.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDateTime};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;

use super::entity::{login_attempt, login_lock, login_refusal, user};
use super::policy::SecurityPolicy;
use crate::audit::{self, Event};
use crate::clock::{Clock, display_local};

/// Why a login was refused; the window's audit row counts refusals by these codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    UnknownUser,
    WrongPassword,
    Disabled,
    /// The name is locked for this address.
    Locked,
    /// The address has failed too often over all names.
    Throttled,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::UnknownUser => "unknown_user",
            Refusal::WrongPassword => "wrong_password",
            Refusal::Disabled => "disabled",
            Refusal::Locked => "locked",
            Refusal::Throttled => "throttled",
        }
    }

    /// Whether the attempt checked a password (and so counts toward locks and the throttle).
    fn is_guess(self) -> bool {
        !matches!(self, Refusal::Locked | Refusal::Throttled)
    }
}

/// How many failures over all names an address may have in the window.
pub const ADDRESS_FACTOR: i64 = 4;
/// Distinct user names kept in a window's row (the count of refusals is always complete).
const NAMES_KEPT: usize = 20;
/// A (name, address) with no failure for this long is forgotten: the growing delay starts over.
const FORGET_AFTER_HOURS: i64 = 24;

/// The length of the `n`th lock (from 1): 1 minute, doubling each time, at most `max` minutes.
pub fn lock_minutes(n: i32, max: i64) -> i64 {
    let shift = u32::try_from(n.saturating_sub(1)).unwrap_or(0).min(30);
    (1i64 << shift).min(max).max(1)
}

/// The window that `now` falls in: windows of `minutes` aligned to the epoch.
pub fn window_of(now: NaiveDateTime, minutes: i64) -> (NaiveDateTime, NaiveDateTime) {
    let len = minutes.max(1) * 60;
    let secs = now.and_utc().timestamp();
    let start = DateTime::from_timestamp(secs - secs.rem_euclid(len), 0).map_or(now, |d| d.naive_utc());
    (start, start + Duration::seconds(len))
}

/// Whether the address has failed too often over all names within the window.
pub async fn address_throttled<C: ConnectionTrait>(
    db: &C,
    policy: &SecurityPolicy,
    ip: &str,
    now: NaiveDateTime,
) -> Result<bool, DbErr> {
    let failures = login_attempt::Entity::find()
        .filter(login_attempt::Column::Ip.eq(ip))
        .filter(login_attempt::Column::Success.eq(false))
        .filter(login_attempt::Column::At.gte(now - Duration::minutes(policy.login_window_minutes)))
        .count(db)
        .await?;
    Ok(failures >= (policy.login_max_failures * ADDRESS_FACTOR).max(1) as u64)
}

/// Whether `username` is locked for `ip` at `now`.
pub async fn pair_locked<C: ConnectionTrait>(
    db: &C,
    username: &str,
    ip: &str,
    now: NaiveDateTime,
) -> Result<bool, DbErr> {
    let row = login_lock::Entity::find()
        .filter(login_lock::Column::Username.eq(username))
        .filter(login_lock::Column::Ip.eq(ip))
        .one(db)
        .await?;
    Ok(row.and_then(|r| r.locked_until).is_some_and(|until| until > now))
}

/// Records a refused login of `username` from `ip` in `txn`: counts it in the address's window,
/// and, for a wrong guess, in the (name, address) series, locking the pair when the series
/// reaches the limit. Returns the end of the lock this refusal caused, if any.
#[allow(clippy::too_many_arguments)]
pub async fn record_refusal(
    txn: &DatabaseTransaction,
    clock: &dyn Clock,
    policy: &SecurityPolicy,
    username: &str,
    ip: &str,
    account: Option<&user::Model>,
    reason: Refusal,
    now: NaiveDateTime,
) -> Result<Option<NaiveDateTime>, DbErr> {
    count_in_window(txn, policy, ip, username, reason, now).await?;
    if !reason.is_guess() {
        return Ok(None);
    }
    login_lock::Entity::delete_many()
        .filter(login_lock::Column::LastFailureAt.lt(now - Duration::hours(FORGET_AFTER_HOURS)))
        .exec(txn)
        .await?;
    let row = login_lock::Entity::find()
        .filter(login_lock::Column::Username.eq(username))
        .filter(login_lock::Column::Ip.eq(ip))
        .one(txn)
        .await?;
    let series_start = now - Duration::minutes(policy.login_window_minutes);
    let (mut failures, mut lock_count) = match &row {
        Some(r) if r.last_failure_at >= series_start => (r.failures, r.lock_count),
        Some(r) => (0, r.lock_count),
        None => (0, 0),
    };
    failures += 1;
    let mut locked_until = row.as_ref().and_then(|r| r.locked_until);
    let mut locked_now = None;
    if i64::from(failures) >= policy.login_max_failures {
        lock_count += 1;
        let minutes = lock_minutes(lock_count, policy.lockout_minutes);
        let until = now + Duration::minutes(minutes);
        locked_until = Some(until);
        locked_now = Some((until, minutes));
        // After the lock a fresh series is needed to lock again.
        failures = 0;
    }
    match row {
        Some(r) => {
            let mut active: login_lock::ActiveModel = r.into();
            active.failures = Set(failures);
            active.lock_count = Set(lock_count);
            active.locked_until = Set(locked_until);
            active.last_failure_at = Set(now);
            active.update(txn).await?;
        }
        None => {
            login_lock::ActiveModel {
                username: Set(username.to_owned()),
                ip: Set(ip.to_owned()),
                failures: Set(failures),
                lock_count: Set(lock_count),
                locked_until: Set(locked_until),
                last_failure_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
    }
    let Some((until, minutes)) = locked_now else { return Ok(None) };
    if let Some(u) = account {
        // The account list and the home page show that some address is locked out.
        let latest = u.locked_until.filter(|t| *t > until).unwrap_or(until);
        user::Entity::update_many()
            .col_expr(user::Column::LockedUntil, sea_orm::sea_query::Expr::value(latest))
            .filter(user::Column::Id.eq(u.id))
            .exec(txn)
            .await?;
        let event = Event::anonymous(username, Some(ip), "account.locked").object("user", u.id).summary(json!({
            "address": ip,
            "failures": policy.login_max_failures,
            "lock": lock_count,
            "minutes": minutes,
            "until": display_local(until),
        }));
        audit::record(txn, clock, event).await?;
    }
    Ok(Some(until))
}

/// After a successful login from `ip`: that address's series for the name is over. The other
/// addresses' locks stay; the account's "locked until" shows the latest of them.
pub async fn clear_pair(
    txn: &DatabaseTransaction,
    username: &str,
    ip: &str,
    user_id: i32,
    now: NaiveDateTime,
) -> Result<(), DbErr> {
    login_lock::Entity::delete_many()
        .filter(login_lock::Column::Username.eq(username))
        .filter(login_lock::Column::Ip.eq(ip))
        .exec(txn)
        .await?;
    let latest = login_lock::Entity::find()
        .filter(login_lock::Column::Username.eq(username))
        .filter(login_lock::Column::LockedUntil.gt(now))
        .order_by_desc(login_lock::Column::LockedUntil)
        .one(txn)
        .await?
        .and_then(|r| r.locked_until);
    user::Entity::update_many()
        .col_expr(user::Column::LockedUntil, sea_orm::sea_query::Expr::value(latest))
        .filter(user::Column::Id.eq(user_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Unlocking an account lifts its locks for every address.
pub async fn clear_all(txn: &DatabaseTransaction, username: &str) -> Result<u64, DbErr> {
    Ok(login_lock::Entity::delete_many()
        .filter(login_lock::Column::Username.eq(username))
        .exec(txn)
        .await?
        .rows_affected)
}

/// One address that an account is locked for, for the account page.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(description = "账号对某一地址的登录锁定：地址和锁定结束时间（北京时间）")]
pub struct AddressLock {
    pub ip: String,
    #[serde(serialize_with = "crate::clock::serde_local::serialize")]
    #[schema(value_type = String, example = "2026-11-28 02:02:52")]
    pub until: NaiveDateTime,
}

pub async fn locks_of<C: ConnectionTrait>(
    db: &C,
    username: &str,
    now: NaiveDateTime,
) -> Result<Vec<AddressLock>, DbErr> {
    Ok(login_lock::Entity::find()
        .filter(login_lock::Column::Username.eq(username))
        .filter(login_lock::Column::LockedUntil.gt(now))
        .order_by_asc(login_lock::Column::Ip)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| r.locked_until.map(|until| AddressLock { ip: r.ip, until }))
        .collect())
}

async fn count_in_window(
    txn: &DatabaseTransaction,
    policy: &SecurityPolicy,
    ip: &str,
    username: &str,
    reason: Refusal,
    now: NaiveDateTime,
) -> Result<(), DbErr> {
    let (start, end) = window_of(now, policy.login_window_minutes);
    let row = login_refusal::Entity::find()
        .filter(login_refusal::Column::Ip.eq(ip))
        .filter(login_refusal::Column::WindowStart.eq(start))
        .one(txn)
        .await?;
    let (mut counts, mut names, total) = match &row {
        Some(r) => (
            serde_json::from_str::<BTreeMap<String, i64>>(&r.counts).unwrap_or_default(),
            serde_json::from_str::<Vec<String>>(&r.usernames).unwrap_or_default(),
            r.total,
        ),
        None => (BTreeMap::new(), Vec::new(), 0),
    };
    *counts.entry(reason.code().to_owned()).or_default() += 1;
    if names.len() < NAMES_KEPT && !names.iter().any(|n| n == username) {
        names.push(username.to_owned());
    }
    let counts = serde_json::to_string(&counts).unwrap_or_default();
    let names = serde_json::to_string(&names).unwrap_or_default();
    match row {
        Some(r) => {
            let mut active: login_refusal::ActiveModel = r.into();
            active.total = Set(total.saturating_add(1));
            active.counts = Set(counts);
            active.usernames = Set(names);
            active.update(txn).await?;
        }
        None => {
            login_refusal::ActiveModel {
                ip: Set(ip.to_owned()),
                window_start: Set(start),
                window_end: Set(end),
                total: Set(1),
                counts: Set(counts),
                usernames: Set(names),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
    }
    Ok(())
}

/// Writes one `login.failure` audit row for each address whose window has ended, then drops
/// its counter. Runs at every login attempt; cheap (one indexed read) when there is nothing.
pub async fn flush_windows(db: &DatabaseConnection, clock: &dyn Clock, now: NaiveDateTime) -> Result<(), DbErr> {
    let due = login_refusal::Entity::find()
        .filter(login_refusal::Column::WindowEnd.lte(now))
        .order_by_asc(login_refusal::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    if due.is_empty() {
        return Ok(());
    }
    let txn = crate::db::begin_write(db).await?;
    crate::db::serialize_writes(&txn).await?;
    for r in due {
        // Another instance or request may have written it meanwhile.
        let Some(r) = login_refusal::Entity::find_by_id(r.id).one(&txn).await? else { continue };
        let names: Vec<String> = serde_json::from_str(&r.usernames).unwrap_or_default();
        let counts: serde_json::Value = serde_json::from_str(&r.counts).unwrap_or_default();
        let actor = match names.as_slice() {
            [one] => one.clone(),
            _ => "（多个用户名）".to_owned(),
        };
        let event = Event::anonymous(&actor, Some(&r.ip), "login.failure").summary(json!({
            "address": r.ip,
            "from": display_local(r.window_start),
            "to": display_local(r.window_end),
            "refusals": r.total,
            "reasons": counts,
            "usernames": names,
        }));
        audit::record(&txn, clock, event).await?;
        login_refusal::Entity::delete_by_id(r.id).exec(&txn).await?;
    }
    txn.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_double_up_to_the_maximum() {
        let minutes: Vec<i64> = (1..=7).map(|n| lock_minutes(n, 15)).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 15, 15, 15]);
        assert_eq!(lock_minutes(0, 15), 1);
        assert_eq!(lock_minutes(i32::MAX, 1440), 1440);
        assert_eq!(lock_minutes(3, 5), 4);
    }

    #[test]
    fn windows_are_aligned_and_contain_now() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        let (start, end) = window_of(at("2026-11-27 02:07:31"), 15);
        assert_eq!((start, end), (at("2026-11-27 02:00:00"), at("2026-11-27 02:15:00")));
        let (start, end) = window_of(at("2026-11-27 02:15:00"), 15);
        assert_eq!((start, end), (at("2026-11-27 02:15:00"), at("2026-11-27 02:30:00")));
        let (start, _) = window_of(at("2026-11-27 02:15:00"), 0);
        assert_eq!(start, at("2026-11-27 02:15:00"), "a zero window is one minute");
    }
}
