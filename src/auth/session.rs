//! Database-backed sessions. The cookie holds a random token; the table holds its SHA-256, the
//! CSRF token and the times that decide idle and absolute expiry. No state lives in the server.

use chrono::{Duration, NaiveDateTime};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};

use super::entity::session;
use super::policy::SecurityPolicy;

pub const COOKIE_NAME: &str = "dj_session";

/// 32 random bytes as hex: session cookies, CSRF tokens and API tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a session and returns the cookie value. `reset_only`: opened with a one-time code,
/// good only for setting a new password.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    ip: &str,
    user_agent: Option<&str>,
    now: NaiveDateTime,
    reset_only: bool,
) -> Result<String, sea_orm::DbErr> {
    let token = random_token();
    session::ActiveModel {
        id: Set(token_hash(&token)),
        user_id: Set(user_id),
        csrf_token: Set(random_token()),
        created_at: Set(now),
        last_seen_at: Set(now),
        ip: Set(ip.chars().take(64).collect()),
        user_agent: Set(user_agent.map(|ua| ua.chars().take(255).collect())),
        reset_only: Set(reset_only),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Finds the live session for a cookie value; an expired one is deleted on sight.
pub async fn find_live<C: ConnectionTrait>(
    db: &C,
    token: &str,
    policy: &SecurityPolicy,
    now: NaiveDateTime,
) -> Result<Option<session::Model>, sea_orm::DbErr> {
    let Some(row) = session::Entity::find_by_id(token_hash(token)).one(db).await? else {
        return Ok(None);
    };
    let idle_end = row.last_seen_at + Duration::minutes(policy.session_idle_minutes);
    let absolute_end = row.created_at + Duration::hours(policy.session_absolute_hours);
    if now >= idle_end || now >= absolute_end {
        session::Entity::delete_by_id(row.id).exec(db).await?;
        return Ok(None);
    }
    // Refresh at most once a minute: every request reads, few write.
    if now - row.last_seen_at >= Duration::seconds(60) {
        let mut active: session::ActiveModel = row.clone().into();
        active.last_seen_at = Set(now);
        active.update(db).await?;
    }
    Ok(Some(row))
}

/// Turns a one-time-code session into an ordinary one, once its owner has set a password.
pub async fn end_reset_only<C: ConnectionTrait>(db: &C, session_id: &str) -> Result<(), sea_orm::DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::ResetOnly, sea_orm::sea_query::Expr::value(false))
        .filter(session::Column::Id.eq(session_id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn delete<C: ConnectionTrait>(db: &C, session_id: &str) -> Result<(), sea_orm::DbErr> {
    session::Entity::delete_by_id(session_id.to_owned()).exec(db).await?;
    Ok(())
}

/// Ends every session of a user (password change, disabling, grant changes).
pub async fn delete_all_for_user<C: ConnectionTrait>(
    db: &C,
    user_id: i32,
    except: Option<&str>,
) -> Result<(), sea_orm::DbErr> {
    let mut q = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
    if let Some(keep) = except {
        q = q.filter(session::Column::Id.ne(keep));
    }
    q.exec(db).await?;
    Ok(())
}
