//! Append-only, keyed hash chain of audit rows. Every row stores an HMAC-SHA256 (under a key
//! kept outside the database, see [`keys`]) of its own content and of the previous row's code;
//! `audit_head` keeps the last sequence number and code, itself sealed with the key. Rows from
//! releases before the key (`key_id` NULL) carry a plain SHA-256 and still verify. Chain-head
//! checkpoints are written outside the database ([`checkpoint`]); [`verify`] walks the chain,
//! checks it against the key and the checkpoints and names each row that was edited, inserted or
//! deleted.

mod appender;
pub mod checkpoint;
pub mod entity;
pub mod keys;
mod verifier;

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, Statement};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::auth::Actor;
use crate::clock::Clock;

pub use checkpoint::CheckpointSource;
pub use keys::{Key, Keyring};
pub use verifier::{ChainProblem, VerifyReport, verify, verify_with};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One thing that happened, before it gets its place in the chain.
#[derive(Debug, Clone)]
pub struct Event {
    pub actor_id: Option<i32>,
    pub actor_name: String,
    pub action: &'static str,
    pub object_type: Option<&'static str>,
    pub object_id: Option<String>,
    pub org_path: Option<String>,
    pub ip: Option<String>,
    pub summary: Value,
}

impl Event {
    /// An event done by a logged-in actor.
    pub fn by(actor: &Actor, action: &'static str) -> Self {
        Self {
            // The command line acts as user 0, which is no account.
            actor_id: (actor.user_id > 0).then_some(actor.user_id),
            actor_name: actor.username.clone(),
            action,
            object_type: None,
            object_id: None,
            org_path: None,
            ip: Some(actor.ip.chars().take(64).collect()),
            summary: Value::Null,
        }
    }

    /// An event with no logged-in actor (a login attempt, the command line).
    pub fn anonymous(name: &str, ip: Option<&str>, action: &'static str) -> Self {
        Self {
            actor_id: None,
            actor_name: name.chars().take(50).collect(),
            action,
            object_type: None,
            object_id: None,
            org_path: None,
            ip: ip.map(|ip| ip.chars().take(64).collect()),
            summary: Value::Null,
        }
    }

    pub fn object(mut self, kind: &'static str, id: impl ToString) -> Self {
        self.object_type = Some(kind);
        self.object_id = Some(id.to_string());
        self
    }

    pub fn org(mut self, path: impl Into<String>) -> Self {
        self.org_path = Some(path.into());
        self
    }

    pub fn summary(mut self, summary: Value) -> Self {
        self.summary = summary;
        self
    }
}

/// Fields of one stored row, in the order they are hashed.
pub struct HashInput<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub actor_id: Option<i32>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub object_type: Option<&'a str>,
    pub object_id: Option<&'a str>,
    pub org_path: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub summary: &'a str,
    pub prev_hash: &'a str,
}

impl HashInput<'_> {
    /// The row's fields, each length-prefixed so that no two rows encode alike by shifting text
    /// from one field to the next; an absent field is marked by a length no text can have.
    fn encode(&self) -> Vec<u8> {
        let actor_id = self.actor_id.map(|v| v.to_string());
        let seq = self.seq.to_string();
        let fields: [Option<&str>; 11] = [
            Some(&seq),
            Some(self.at),
            actor_id.as_deref(),
            Some(self.actor_name),
            Some(self.action),
            self.object_type,
            self.object_id,
            self.org_path,
            self.ip,
            Some(self.summary),
            Some(self.prev_hash),
        ];
        let mut out = Vec::with_capacity(256 + self.summary.len());
        for field in fields {
            match field {
                Some(text) => {
                    out.extend_from_slice(&(text.len() as u64).to_be_bytes());
                    out.extend_from_slice(text.as_bytes());
                }
                None => out.extend_from_slice(&u64::MAX.to_be_bytes()),
            }
        }
        out
    }
}

/// Unkeyed SHA-256 of a row, as written by releases before the chain was keyed (`key_id` NULL).
/// Anyone can recompute it, so it only still verifies rows written before the first keyed row.
pub fn row_hash(input: &HashInput<'_>) -> String {
    hex::encode(Sha256::digest(input.encode()))
}

/// Keyed code of a row: HMAC-SHA256 under `key` of the same encoding, domain-separated.
pub fn row_mac(key: &Key, input: &HashInput<'_>) -> String {
    hex::encode(key.mac(&[b"dangjian-audit-row-v1\0", &input.encode()]))
}

/// Keyed code of the head row: its sequence number and hash. Rewinding the head after deleting
/// the newest rows needs the key, or a copy of the head row from that earlier moment.
pub fn head_mac(key: &Key, seq: i64, hash: &str) -> String {
    hex::encode(key.mac(&[b"dangjian-audit-head-v1\0", &seq.to_be_bytes(), hash.as_bytes()]))
}

pub const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Action of the row the server writes when it finds the head tampered with.
pub const TAMPER_ACTION: &str = "audit.tamper";

/// Appends `event` inside the caller's transaction, so the audit row commits or rolls back
/// with the change it describes. Bumping the head row first takes its row lock (the write lock
/// on SQLite), so concurrent writers — also from other instances — queue rather than fork the chain.
///
/// The head is checked before it is extended: when its keyed code is wrong (someone deleted the
/// newest rows and rewound the head without the key), an `audit.tamper` row is written first, so
/// the next write does not quietly make the rewound chain whole again.
pub async fn record(txn: &DatabaseTransaction, clock: &dyn Clock, event: Event) -> Result<(), DbErr> {
    let mut tail = Tail::lock(txn).await?;
    tail.push(clock.now_db(), event);
    tail.finish(txn).await
}

/// Records an event that belongs to no other change (reads, refusals, exports) and returns once
/// its row is committed, so nothing it describes is shown before it is in the chain. Concurrent
/// calls over one connection pool are committed together, in one transaction ([`appender`]):
/// a reveal no longer waits behind every other reveal's transaction.
pub async fn record_alone(db: &sea_orm::DatabaseConnection, clock: &dyn Clock, event: Event) -> Result<(), DbErr> {
    appender::append(db, clock.now_db(), event).await
}

/// Appends `events` (each with its time) in one transaction of its own: one head read and update.
pub(crate) async fn record_batch(
    db: &sea_orm::DatabaseConnection,
    events: Vec<(chrono::NaiveDateTime, Event)>,
) -> Result<(), DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    // As `db::begin_write` (the SQLite write lock at BEGIN), but without moving the write epoch
    // that invalidates cached list totals: audit rows are in none of them.
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    let mut tail = Tail::lock(&txn).await?;
    for (at, event) in events {
        tail.push(at, event);
    }
    tail.finish(&txn).await?;
    txn.commit().await
}

/// Rows inserted per statement at most, and their summaries' bytes (MySQL's packet limit).
const INSERT_ROWS: usize = 100;
const INSERT_BYTES: usize = 512 * 1024;

/// The end of the chain inside a transaction that extends it: the head row locked and checked,
/// the new rows sealed in order, then inserted and the head rewritten once.
struct Tail {
    ring: std::sync::Arc<Keyring>,
    /// Sequence number of the next row.
    next: i64,
    /// Hash of the last row.
    prev: String,
    /// What is wrong with the head, if anything: written as an `audit.tamper` row before the first new row.
    finding: Option<String>,
    /// Sealed rows not inserted yet, each with the length of its summary.
    rows: Vec<(usize, entity::log::ActiveModel)>,
}

impl Tail {
    /// Bumps the head row (taking its lock), reads it and checks its keyed code.
    async fn lock(txn: &DatabaseTransaction) -> Result<Tail, DbErr> {
        let ring = keys::installed().ok_or_else(|| DbErr::Custom(keys::NOT_LOADED.into()))?;
        let backend = txn.get_database_backend();
        txn.execute_raw(Statement::from_string(backend, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1")).await?;
        let head = entity::head::Entity::find_by_id(1)
            .one(txn)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("audit_head".into()))?;
        let finding = head_finding(txn, &ring, head.seq - 1, &head.hash, head.mac.as_deref()).await?;
        if let Some(finding) = &finding {
            tracing::error!("审计链被改动：{finding}。请安全审计员立即运行 dangjian audit verify 核查");
        }
        Ok(Tail { ring, next: head.seq, prev: head.hash, finding, rows: Vec::new() })
    }

    /// Seals `event` as the next row (after the `audit.tamper` row, when the head was found wrong).
    fn push(&mut self, at: chrono::NaiveDateTime, event: Event) {
        if let Some(finding) = self.finding.take() {
            let head_seq = self.next - 1;
            let alarm = Event {
                actor_id: None,
                actor_name: "system".into(),
                action: TAMPER_ACTION,
                object_type: Some("audit_head"),
                object_id: Some(head_seq.to_string()),
                org_path: None,
                ip: None,
                summary: serde_json::json!({"finding": finding, "head_seq": head_seq, "head_hash": self.prev}),
            };
            self.seal(at, alarm);
        }
        self.seal(at, event);
    }

    fn seal(&mut self, at: chrono::NaiveDateTime, event: Event) {
        let key = self.ring.current();
        let seq = self.next;
        let at_text = at.format(TIME_FORMAT).to_string();
        // Bounded so that it fits MySQL's TEXT (64 KB) exactly as hashed.
        let mut summary = if event.summary.is_null() { String::new() } else { event.summary.to_string() };
        if summary.len() > 60_000 {
            let cut = (0..=60_000).rev().find(|i| summary.is_char_boundary(*i)).unwrap_or(0);
            summary.truncate(cut);
            summary.push('…');
        }
        let prev_hash = std::mem::take(&mut self.prev);
        let hash = row_mac(
            key,
            &HashInput {
                seq,
                at: &at_text,
                actor_id: event.actor_id,
                actor_name: &event.actor_name,
                action: event.action,
                object_type: event.object_type,
                object_id: event.object_id.as_deref(),
                org_path: event.org_path.as_deref(),
                ip: event.ip.as_deref(),
                summary: &summary,
                prev_hash: &prev_hash,
            },
        );
        let len = summary.len();
        let row = entity::log::ActiveModel {
            seq: sea_orm::Set(seq),
            at: sea_orm::Set(at),
            actor_id: sea_orm::Set(event.actor_id),
            actor_name: sea_orm::Set(event.actor_name),
            action: sea_orm::Set(event.action.to_owned()),
            object_type: sea_orm::Set(event.object_type.map(str::to_owned)),
            object_id: sea_orm::Set(event.object_id),
            org_path: sea_orm::Set(event.org_path),
            ip: sea_orm::Set(event.ip),
            summary: sea_orm::Set(summary),
            prev_hash: sea_orm::Set(prev_hash),
            hash: sea_orm::Set(hash.clone()),
            key_id: sea_orm::Set(Some(key.id().to_owned())),
        };
        self.rows.push((len, row));
        self.prev = hash;
        self.next += 1;
    }

    /// Inserts the sealed rows and points the head, with its keyed code, at the last one.
    async fn finish(self, txn: &DatabaseTransaction) -> Result<(), DbErr> {
        if self.rows.is_empty() {
            // The head was bumped: committing that alone would leave it pointing at no row.
            return Err(DbErr::Custom("没有要写入的审计记录".into()));
        }
        let mut chunk = Vec::new();
        let mut bytes = 0;
        for (len, row) in self.rows {
            if !chunk.is_empty() && (chunk.len() >= INSERT_ROWS || bytes + len > INSERT_BYTES) {
                entity::log::Entity::insert_many(std::mem::take(&mut chunk)).exec_without_returning(txn).await?;
                bytes = 0;
            }
            bytes += len;
            chunk.push(row);
        }
        entity::log::Entity::insert_many(chunk).exec_without_returning(txn).await?;
        let seq = self.next - 1;
        entity::head::Entity::update(entity::head::ActiveModel {
            id: sea_orm::Set(1),
            seq: sea_orm::Set(seq),
            mac: sea_orm::Set(Some(head_mac(self.ring.current(), seq, &self.prev))),
            hash: sea_orm::Set(self.prev),
        })
        .exec(txn)
        .await?;
        Ok(())
    }
}

/// What is wrong with the head (`seq`, `hash`, `mac`) found when extending the chain, if anything:
/// its code must match under one of the keys, or, before keying, it must point at an unkeyed row.
async fn head_finding(
    txn: &DatabaseTransaction,
    ring: &Keyring,
    seq: i64,
    hash: &str,
    mac: Option<&str>,
) -> Result<Option<String>, DbErr> {
    if seq == 0 {
        return Ok(None);
    }
    if let Some(mac) = mac {
        return Ok((!ring.keys().any(|k| head_mac(k, seq, hash) == mac)).then(|| {
            format!("链头（第 {seq} 条）的校验码不符：末尾的记录被删除、链头被回退，或换用了不同的审计密钥")
        }));
    }
    let row = entity::log::Entity::find_by_id(seq).one(txn).await?;
    Ok(match row {
        // The unkeyed tail of an earlier release: its first keyed row comes now.
        Some(r) if r.key_id.is_none() && r.hash == hash => None,
        Some(_) => Some(format!("链头（第 {seq} 条）缺少校验码或与该条记录不符：链头被改写")),
        None => Some(format!("链头指向的第 {seq} 条记录不存在：记录被删除、链头被改写")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(summary: &'a str, prev: &'a str) -> HashInput<'a> {
        HashInput {
            seq: 1,
            at: "2026-11-27 08:00:00",
            actor_id: Some(3),
            actor_name: "shuji",
            action: "login.success",
            object_type: None,
            object_id: None,
            org_path: None,
            ip: Some("127.0.0.1"),
            summary,
            prev_hash: prev,
        }
    }

    #[test]
    fn hash_depends_on_every_field_and_boundaries() {
        let a = row_hash(&input("x", GENESIS_HASH));
        assert_eq!(a.len(), 64);
        assert_ne!(a, row_hash(&input("y", GENESIS_HASH)));
        assert_ne!(a, row_hash(&input("x", &"1".repeat(64))));
        let mut shifted = input("x", GENESIS_HASH);
        shifted.actor_name = "shujil";
        shifted.action = "ogin.success";
        assert_ne!(a, row_hash(&shifted));
    }

    #[test]
    fn unkeyed_rows_of_earlier_releases_hash_as_before() {
        // Computed independently (SHA-256 over the length-prefixed fields), as rows already in
        // databases out there were written.
        assert_eq!(
            row_hash(&input("x", GENESIS_HASH)),
            "8e2f67f4b4ff7b8d783b1f9bf3833a6ff23b32932e92e54d03443a8b52a05b09"
        );
    }

    #[test]
    fn keyed_codes_need_the_key() {
        let key = Key::parse(&"11".repeat(32)).unwrap();
        let other = Key::parse(&"22".repeat(32)).unwrap();
        let row = input("x", GENESIS_HASH);
        let mac = row_mac(&key, &row);
        assert_eq!(mac.len(), 64);
        assert_ne!(mac, row_hash(&row), "not the unkeyed hash");
        assert_ne!(mac, row_mac(&other, &row), "another key gives another code");
        assert_ne!(mac, row_mac(&key, &input("y", GENESIS_HASH)));
        assert_ne!(head_mac(&key, 5, &mac), head_mac(&key, 4, &mac));
        assert_ne!(head_mac(&key, 5, &mac), head_mac(&other, 5, &mac));
        assert_ne!(head_mac(&key, 1, &mac), mac, "a head code is never a row code");
    }
}
