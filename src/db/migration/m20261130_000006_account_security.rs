//! Account security (issue 7): three-officer separation that holds for password resets, and a
//! lock-out that an attacker cannot turn against the owner.
//!
//! - `users.password_by_owner`: whether the current password was set by the owner through a
//!   path no administrator was on (a change from a session opened with an owner-set password or
//!   with a one-time code). An account that can read sensitive personal data cannot be used
//!   with any other password, so the system administrator, who creates accounts and resets
//!   ordinary ones, never holds a password that opens such an account. Existing accounts whose
//!   first-login change is done count as owner-set (the best information there is); those
//!   still waiting for it do not.
//! - `users.password_reset_at` / `password_reset_by`: the last reset by someone else, shown to
//!   the owner at the next login and in `GET /api/v1/me`.
//! - `sessions.reset_only`: a session opened with a one-time code, which can only set a new
//!   password.
//! - `password_resets`: requests of the system administrator, the security administrator's
//!   approvals and the one-time codes they issue (stored as SHA-256, valid 24 hours, single use).
//! - `login_locks`: failed logins counted per (user name, client address), so failures from
//!   one address lock the account for that address only, with growing delays. Keyed by the
//!   name as typed, known or not, so a lock says nothing about whether an account exists.
//! - `login_refusals`: refused logins counted per (address, window); one audit row per window
//!   is written when it has ended, so anonymous requests cannot flood the audit log.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::util::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        manager
            .alter_table(Table::alter().table("users").add_column(boolean("password_by_owner").default(false)).take())
            .await?;
        manager
            .alter_table(Table::alter().table("users").add_column(date_time_null("password_reset_at")).take())
            .await?;
        manager
            .alter_table(Table::alter().table("users").add_column(string_len_null("password_reset_by", 200)).take())
            .await?;
        let owner_set = Query::update()
            .table("users")
            .value("password_by_owner", true)
            .and_where(Expr::col("must_change_password").eq(false))
            .to_owned();
        manager.exec_stmt(owner_set).await?;

        manager
            .alter_table(Table::alter().table("sessions").add_column(boolean("reset_only").default(false)).take())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("password_resets")
                    .col(pk_auto("id"))
                    .col(integer("user_id"))
                    // pending (requested, awaiting approval), issued (code handed out), used,
                    // rejected, superseded (a newer request or code replaced it).
                    .col(string_len("status", 20))
                    .col(string_len_null("reason", 200))
                    .col(integer_null("requested_by"))
                    .col(string_len("requested_by_name", 50))
                    .col(date_time("requested_at"))
                    .col(integer_null("decided_by"))
                    .col(string_len_null("decided_by_name", 50))
                    .col(date_time_null("decided_at"))
                    .col(string_len_null("code_hash", 64))
                    .col(date_time_null("expires_at"))
                    .col(date_time_null("used_at"))
                    .foreign_key(&mut fk("password_resets", "user_id", "users", true))
                    .take(),
            )
            .await?;
        manager.create_index(index("password_resets", &["user_id", "status"], false)).await?;
        manager.create_index(index("password_resets", &["status"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("login_locks")
                    .col(pk_auto("id"))
                    .col(string_len("username", 50))
                    .col(string_len("ip", 64))
                    // Failures of the current series (since the last lock or the window's start).
                    .col(integer("failures"))
                    // Locks so far: each one lasts twice as long as the one before, up to the
                    // policy's lock-out time.
                    .col(integer("lock_count"))
                    .col(date_time_null("locked_until"))
                    .col(date_time("last_failure_at"))
                    .take(),
            )
            .await?;
        manager.create_index(index("login_locks", &["username", "ip"], true)).await?;
        manager.create_index(index("login_locks", &["last_failure_at"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("login_refusals")
                    .col(pk_auto("id"))
                    .col(string_len("ip", 64))
                    .col(date_time("window_start"))
                    .col(date_time("window_end"))
                    .col(integer("total"))
                    // JSON: refusals by reason, and the first user names tried.
                    .col(text("counts"))
                    .col(text("usernames"))
                    .take(),
            )
            .await?;
        manager.create_index(index("login_refusals", &["ip", "window_start"], true)).await?;
        manager.create_index(index("login_refusals", &["window_end"], false)).await?;
        Ok(())
    }
}
