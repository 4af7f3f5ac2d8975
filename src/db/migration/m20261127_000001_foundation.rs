//! Foundation: organizations, people (core identity only), accounts, grants, sessions, API
//! tokens, login attempts, the hash-chained audit log and run-time settings.

use sea_orm::DatabaseBackend;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::util::{fk, index, path_col};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();

        // Party organizations. `path` is the chain of ids from the root, e.g. "/1/4/9/", so a
        // scope check or a subtree query is one indexed range lookup.
        manager
            .create_table(
                Table::create()
                    .table("orgs")
                    .col(pk_auto("id"))
                    .col(integer_null("parent_id"))
                    .col(path_col(backend, "path", false))
                    .col(integer("depth"))
                    .col(string_len("name", 100))
                    .col(string_len("kind", 20))
                    .col(string_len_null("unit_name", 100))
                    .col(integer("sort_order").default(0))
                    .col(date_null("founded_on"))
                    // 届期 in years (3 for branches and general branches, 5 for committees).
                    .col(integer_null("term_years"))
                    // Date of the last election; the next one is due a term later.
                    .col(date_null("elected_on"))
                    .col(date_time_null("dissolved_at"))
                    .col(string_len_null("dissolved_reason", 200))
                    .col(integer_null("merged_into"))
                    .col(date_time("created_at"))
                    .col(date_time("updated_at"))
                    .foreign_key(&mut fk("orgs", "parent_id", "orgs", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("orgs", &["path"], true)).await?;
        manager.create_index(index("orgs", &["parent_id"], false)).await?;

        // People (民辅警): identity fields every module needs; the roster issue extends them.
        manager
            .create_table(
                Table::create()
                    .table("persons")
                    .col(pk_auto("id"))
                    .col(string_len("name", 50))
                    // Pinyin initials of the name ("zs" for 张三), derived, for search.
                    .col(string_len("name_initials", 20).default(""))
                    .col(string_len("kind", 10))
                    .col(string_len_null("police_no", 20))
                    .col(string_len("id_number", 18))
                    .col(string_len("gender", 2))
                    .col(date("birth_date"))
                    .col(string_len_null("ethnicity", 20))
                    .col(string_len_null("education", 20))
                    .col(string_len_null("phone", 20))
                    .col(integer_null("org_id"))
                    .col(path_col(backend, "org_path", true))
                    .col(string_len_null("unit", 100))
                    .col(string_len_null("position", 50))
                    .col(string_len_null("rank", 30))
                    .col(string_len("political_status", 20))
                    .col(string_len("employment_status", 10))
                    .col(date_null("status_since"))
                    .col(date_null("joined_police_on"))
                    .col(date_time("created_at"))
                    .col(date_time("updated_at"))
                    .col(date_time_null("deleted_at"))
                    .foreign_key(&mut fk("persons", "org_id", "orgs", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("persons", &["id_number"], true)).await?;
        manager.create_index(index("persons", &["org_path"], false)).await?;
        manager.create_index(index("persons", &["name"], false)).await?;
        manager.create_index(index("persons", &["name_initials"], false)).await?;
        manager.create_index(index("persons", &["police_no"], false)).await?;

        // Every change of a person's record: who, when, which field, old → new.
        manager
            .create_table(
                Table::create()
                    .table("person_history")
                    .col(big_pk_auto("id"))
                    .col(integer("person_id"))
                    .col(date_time("at"))
                    .col(integer_null("actor_id"))
                    .col(string_len("actor_name", 50))
                    .col(string_len("field", 40))
                    .col(text_null("old_value"))
                    .col(text_null("new_value"))
                    .foreign_key(&mut fk("person_history", "person_id", "persons", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("person_history", &["person_id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("users")
                    .col(pk_auto("id"))
                    .col(string_len("username", 50))
                    .col(string_len("display_name", 50))
                    .col(string_len("password_hash", 255))
                    .col(boolean("must_change_password"))
                    .col(boolean("disabled"))
                    .col(date_time_null("locked_until"))
                    // Failed logins up to this login_attempts id no longer count toward a
                    // lock-out (set at a successful login and at an unlock).
                    .col(big_integer_null("failures_after_attempt"))
                    .col(integer_null("person_id"))
                    .col(date_time_null("password_changed_at"))
                    .col(date_time_null("last_login_at"))
                    .col(date_time("created_at"))
                    .col(date_time("updated_at"))
                    .foreign_key(&mut fk("users", "person_id", "persons", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("users", &["username"], true)).await?;

        // A grant is a role over an organization subtree; a user may hold several (兼职).
        manager
            .create_table(
                Table::create()
                    .table("grants")
                    .col(pk_auto("id"))
                    .col(integer("user_id"))
                    .col(string_len("role", 20))
                    .col(integer("org_id"))
                    .col(date_time("created_at"))
                    .col(integer_null("created_by"))
                    .foreign_key(&mut fk("grants", "user_id", "users", true))
                    .foreign_key(&mut fk("grants", "org_id", "orgs", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("grants", &["user_id", "role", "org_id"], true)).await?;

        // Sessions live in the database so several instances can share one; the id is the
        // SHA-256 of the cookie value, so a stolen database does not yield live cookies.
        manager
            .create_table(
                Table::create()
                    .table("sessions")
                    .col(string_len("id", 64).primary_key())
                    .col(integer("user_id"))
                    .col(string_len("csrf_token", 64))
                    .col(date_time("created_at"))
                    .col(date_time("last_seen_at"))
                    .col(string_len("ip", 64))
                    .col(string_len_null("user_agent", 255))
                    .foreign_key(&mut fk("sessions", "user_id", "users", true))
                    .take(),
            )
            .await?;
        manager.create_index(index("sessions", &["user_id"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("api_tokens")
                    .col(pk_auto("id"))
                    .col(integer("user_id"))
                    .col(string_len("name", 100))
                    .col(string_len("token_hash", 64))
                    .col(date_time("created_at"))
                    .col(integer_null("created_by"))
                    .col(date_time_null("last_used_at"))
                    .col(date_time_null("revoked_at"))
                    .foreign_key(&mut fk("api_tokens", "user_id", "users", true))
                    .take(),
            )
            .await?;
        manager.create_index(index("api_tokens", &["token_hash"], true)).await?;

        manager
            .create_table(
                Table::create()
                    .table("login_attempts")
                    .col(big_pk_auto("id"))
                    .col(string_len("username", 50))
                    .col(string_len("ip", 64))
                    .col(date_time("at"))
                    .col(boolean("success"))
                    .take(),
            )
            .await?;
        manager.create_index(index("login_attempts", &["username", "at"], false)).await?;
        manager.create_index(index("login_attempts", &["ip", "at"], false)).await?;

        // Append-only audit log. Each row carries the hash of the previous one; `audit_head`
        // holds the last sequence number and hash, so deleting the newest rows is detected too.
        manager
            .create_table(
                Table::create()
                    .table("audit_log")
                    .col(big_integer("seq").primary_key())
                    .col(date_time("at"))
                    .col(integer_null("actor_id"))
                    .col(string_len("actor_name", 50))
                    .col(string_len("action", 50))
                    .col(string_len_null("object_type", 30))
                    .col(string_len_null("object_id", 50))
                    .col(path_col(backend, "org_path", true))
                    .col(string_len_null("ip", 64))
                    .col(text("summary"))
                    .col(string_len("prev_hash", 64))
                    .col(string_len("hash", 64))
                    .take(),
            )
            .await?;
        manager.create_index(index("audit_log", &["at"], false)).await?;
        manager.create_index(index("audit_log", &["actor_name"], false)).await?;
        manager.create_index(index("audit_log", &["action"], false)).await?;
        manager.create_index(index("audit_log", &["org_path"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("audit_head")
                    .col(integer("id").primary_key())
                    .col(big_integer("seq"))
                    .col(string_len("hash", 64))
                    .take(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table("audit_head")
                    .columns(["id", "seq", "hash"])
                    .values([1.into(), 0i64.into(), crate::audit::GENESIS_HASH.into()])
                    .map_err(|e| DbErr::Migration(e.to_string()))?
                    .take(),
            )
            .await?;

        // Uploaded files between the preview of an import and its confirmation, so the user
        // does not upload twice and the server keeps no state outside the database.
        let content = match backend {
            DatabaseBackend::MySql => ColumnDef::new("content").custom("LONGBLOB").not_null().take(),
            _ => blob("content"),
        };
        manager
            .create_table(
                Table::create()
                    .table("import_uploads")
                    .col(pk_auto("id"))
                    .col(string_len("kind", 20))
                    .col(string_len("filename", 255))
                    .col(content)
                    .col(integer("created_by"))
                    .col(date_time("created_at"))
                    .col(date_time_null("committed_at"))
                    .take(),
            )
            .await?;

        // Run-time settings changed in the UI (the security policy); absent keys fall back to
        // the configuration file.
        manager
            .create_table(
                Table::create()
                    .table("settings")
                    .col(string_len("key", 64).primary_key())
                    .col(text("value"))
                    .col(date_time("updated_at"))
                    .col(integer_null("updated_by"))
                    .take(),
            )
            .await?;
        Ok(())
    }
}
