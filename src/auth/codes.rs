//! One-time codes for setting a password (see `accounts::resets` for who issues them): how a
//! code is made, stored (only its SHA-256) and consumed by a login, and which accounts need
//! one (those with sensitive access, [`is_sensitive`]).

use chrono::NaiveDateTime;
use rand::Rng;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use sha2::{Digest, Sha256};

use super::entity::{password_reset, user};
use super::{has_sensitive_access, lookup};

/// How long a one-time code stays good.
pub const CODE_VALID_HOURS: i64 = 24;

/// Where a password reset stands (`password_resets.status`, stored as [`ResetStatus::as_str`]).
/// A code is only ever looked up while `Issued`; the other states end it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResetStatus {
    /// Requested by the system administrator, waiting for the security administrator.
    Pending,
    /// A one-time code was issued and not used yet (it may have expired).
    Issued,
    Used,
    Rejected,
    /// Voided by a later request or code for the same account.
    Superseded,
}

impl ResetStatus {
    pub const ALL: [ResetStatus; 5] =
        [ResetStatus::Pending, ResetStatus::Issued, ResetStatus::Used, ResetStatus::Rejected, ResetStatus::Superseded];

    pub fn as_str(self) -> &'static str {
        match self {
            ResetStatus::Pending => "pending",
            ResetStatus::Issued => "issued",
            ResetStatus::Used => "used",
            ResetStatus::Rejected => "rejected",
            ResetStatus::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ResetStatus::Pending => "待批准",
            ResetStatus::Issued => "已签发设置码，待本人使用",
            ResetStatus::Used => "本人已使用",
            ResetStatus::Rejected => "已驳回",
            ResetStatus::Superseded => "已被取代",
        }
    }

    /// The status of a stored row; an unknown text counts as superseded (it opens nothing).
    pub fn of(row: &password_reset::Model) -> Self {
        Self::parse(&row.status).unwrap_or(ResetStatus::Superseded)
    }
}

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
        .filter(password_reset::Column::Status.eq(ResetStatus::Issued.as_str()))
        .filter(password_reset::Column::CodeHash.eq(code_hash(typed)))
        .filter(password_reset::Column::ExpiresAt.gt(now))
        .one(db)
        .await
}

/// Marks a code used; false when another login used it first.
pub async fn consume(txn: &DatabaseTransaction, id: i32, now: NaiveDateTime) -> Result<bool, sea_orm::DbErr> {
    let done = password_reset::Entity::update_many()
        .col_expr(password_reset::Column::Status, sea_orm::sea_query::Expr::value(ResetStatus::Used.as_str()))
        .col_expr(password_reset::Column::UsedAt, sea_orm::sea_query::Expr::value(now))
        .filter(password_reset::Column::Id.eq(id))
        .filter(password_reset::Column::Status.eq(ResetStatus::Issued.as_str()))
        .exec(txn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Whether `typed` is the code that opened the account's current reset session (the owner
/// must not keep a password the security administrator has seen).
pub async fn is_last_used_code<C: ConnectionTrait>(db: &C, user_id: i32, typed: &str) -> Result<bool, sea_orm::DbErr> {
    let last = password_reset::Entity::find()
        .filter(password_reset::Column::UserId.eq(user_id))
        .filter(password_reset::Column::Status.eq(ResetStatus::Used.as_str()))
        .order_by_desc(password_reset::Column::UsedAt)
        .one(db)
        .await?;
    Ok(last.and_then(|r| r.code_hash).is_some_and(|h| h == code_hash(typed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_statuses_read_back_what_they_store() {
        for status in ResetStatus::ALL {
            assert_eq!(ResetStatus::parse(status.as_str()), Some(status));
            assert!(!status.label().is_empty());
        }
        assert_eq!(ResetStatus::parse("expired"), None, "expiry is derived, never stored");
    }

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
