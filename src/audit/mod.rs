//! Append-only, hash-chained audit log. Every row stores the SHA-256 of its own content and of
//! the previous row; `audit_head` keeps the last sequence number and hash. `verify` walks the
//! chain and names each row that was edited, inserted or deleted.

pub mod api;
pub mod entity;
pub mod service;
pub mod web;

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryOrder, Statement};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::auth::Actor;
use crate::clock::Clock;

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

/// SHA-256 over the row's fields, each length-prefixed so that no two rows hash alike by
/// shifting text from one field to the next.
pub fn row_hash(input: &HashInput<'_>) -> String {
    let actor_id = input.actor_id.map(|v| v.to_string());
    let seq = input.seq.to_string();
    let fields: [Option<&str>; 11] = [
        Some(&seq),
        Some(input.at),
        actor_id.as_deref(),
        Some(input.actor_name),
        Some(input.action),
        input.object_type,
        input.object_id,
        input.org_path,
        input.ip,
        Some(input.summary),
        Some(input.prev_hash),
    ];
    let mut hasher = Sha256::new();
    for field in fields {
        match field {
            Some(text) => {
                hasher.update((text.len() as u64).to_be_bytes());
                hasher.update(text.as_bytes());
            }
            None => hasher.update(u64::MAX.to_be_bytes()),
        }
    }
    hex::encode(hasher.finalize())
}

pub const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Appends `event` inside the caller's transaction, so the audit row commits or rolls back
/// with the change it describes. Bumping the head row first takes its row lock (the write lock
/// on SQLite), so concurrent writers — also from other instances — queue rather than fork the chain.
pub async fn record(txn: &DatabaseTransaction, clock: &dyn Clock, event: Event) -> Result<(), DbErr> {
    let backend = txn.get_database_backend();
    txn.execute_raw(Statement::from_string(backend, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1")).await?;
    let head = entity::head::Entity::find_by_id(1)
        .one(txn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("audit_head".into()))?;
    let at = clock.now_db();
    let at_text = at.format(TIME_FORMAT).to_string();
    // Bounded so that it fits MySQL's TEXT (64 KB) exactly as hashed.
    let mut summary = if event.summary.is_null() { String::new() } else { event.summary.to_string() };
    if summary.len() > 60_000 {
        let cut = (0..=60_000).rev().find(|i| summary.is_char_boundary(*i)).unwrap_or(0);
        summary.truncate(cut);
        summary.push('…');
    }
    let hash = row_hash(&HashInput {
        seq: head.seq,
        at: &at_text,
        actor_id: event.actor_id,
        actor_name: &event.actor_name,
        action: event.action,
        object_type: event.object_type,
        object_id: event.object_id.as_deref(),
        org_path: event.org_path.as_deref(),
        ip: event.ip.as_deref(),
        summary: &summary,
        prev_hash: &head.hash,
    });
    let row = entity::log::ActiveModel {
        seq: sea_orm::Set(head.seq),
        at: sea_orm::Set(at),
        actor_id: sea_orm::Set(event.actor_id),
        actor_name: sea_orm::Set(event.actor_name),
        action: sea_orm::Set(event.action.to_owned()),
        object_type: sea_orm::Set(event.object_type.map(str::to_owned)),
        object_id: sea_orm::Set(event.object_id),
        org_path: sea_orm::Set(event.org_path),
        ip: sea_orm::Set(event.ip),
        summary: sea_orm::Set(summary),
        prev_hash: sea_orm::Set(head.hash),
        hash: sea_orm::Set(hash.clone()),
    };
    entity::log::Entity::insert(row).exec_without_returning(txn).await?;
    entity::head::Entity::update(entity::head::ActiveModel {
        id: sea_orm::Set(1),
        seq: sea_orm::Unchanged(head.seq),
        hash: sea_orm::Set(hash),
    })
    .exec(txn)
    .await?;
    Ok(())
}

/// Records an event in a transaction of its own (for reads and refusals, which change nothing else).
pub async fn record_alone(db: &sea_orm::DatabaseConnection, clock: &dyn Clock, event: Event) -> Result<(), DbErr> {
    let txn = crate::db::begin_write(db).await?;
    record(&txn, clock, event).await?;
    txn.commit().await
}

/// One problem found by [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(description = "审计链上的一处问题：记录序号和说明")]
pub struct ChainProblem {
    pub seq: i64,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct VerifyReport {
    pub checked: i64,
    pub problems: Vec<ChainProblem>,
}

/// Walks the whole chain in order and reports every break: a row whose content no longer
/// matches its hash (edited), a row whose link to its predecessor is wrong (inserted or
/// reordered), gaps in the sequence (deleted), and a tail that disagrees with the head.
pub async fn verify<C: ConnectionTrait>(db: &C) -> Result<VerifyReport, DbErr> {
    use sea_orm::PaginatorTrait;
    let mut pages = entity::log::Entity::find().order_by_asc(entity::log::Column::Seq).paginate(db, 2000);
    let mut problems = Vec::new();
    let mut expected_seq = 1i64;
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut checked = 0i64;
    while let Some(rows) = pages.fetch_and_next().await? {
        for row in rows {
            checked += 1;
            if row.seq != expected_seq {
                if row.seq > expected_seq {
                    let missing = if row.seq - expected_seq == 1 {
                        format!("第 {expected_seq} 条")
                    } else {
                        format!("第 {expected_seq}–{} 条", row.seq - 1)
                    };
                    problems
                        .push(ChainProblem { seq: row.seq, message: format!("{missing}记录缺失（被删除）") });
                } else {
                    problems.push(ChainProblem {
                        seq: row.seq, message: "序号重复或顺序被改动（插入）".into()
                    });
                }
            }
            let at_text = row.at.format(TIME_FORMAT).to_string();
            let computed = row_hash(&HashInput {
                seq: row.seq,
                at: &at_text,
                actor_id: row.actor_id,
                actor_name: &row.actor_name,
                action: &row.action,
                object_type: row.object_type.as_deref(),
                object_id: row.object_id.as_deref(),
                org_path: row.org_path.as_deref(),
                ip: row.ip.as_deref(),
                summary: &row.summary,
                prev_hash: &row.prev_hash,
            });
            if computed != row.hash {
                problems.push(ChainProblem {
                    seq: row.seq, message: "内容与其哈希不符（记录被修改）".into()
                });
            } else if row.prev_hash != prev_hash && row.seq == expected_seq {
                problems.push(ChainProblem {
                    seq: row.seq,
                    message: "与前一条记录的链接断开（前一条被修改、插入或删除）".into(),
                });
            }
            prev_hash = row.hash;
            expected_seq = row.seq + 1;
        }
    }
    let head = entity::head::Entity::find_by_id(1).one(db).await?;
    match head {
        Some(head) if head.seq != expected_seq - 1 => {
            let message = if head.seq > expected_seq - 1 {
                format!("最后 {} 条记录缺失（被删除），链头序号为 {}", head.seq - (expected_seq - 1), head.seq)
            } else {
                format!("链头序号为 {}，但存在更多记录（末尾被插入）", head.seq)
            };
            problems.push(ChainProblem { seq: head.seq, message });
        }
        Some(head) if head.hash != prev_hash => {
            problems.push(ChainProblem { seq: head.seq, message: "最后一条记录与链头哈希不符".into() });
        }
        Some(_) => {}
        None => problems.push(ChainProblem { seq: 0, message: "链头记录 audit_head 缺失".into() }),
    }
    Ok(VerifyReport { checked, problems })
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
}
