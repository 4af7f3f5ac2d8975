//! Verification of the audit chain against the key and the checkpoints kept outside the
//! database (`dangjian audit verify`, the auditor's page and `POST /api/v1/audit/verify`).

use std::collections::BTreeMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::checkpoint::{self, Checkpoint, CheckpointSource};
use super::keys::{self, Keyring};
use super::{HashInput, TIME_FORMAT, entity, head_mac, row_hash, row_mac};

/// One problem found by [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(description = "审计链上的一处问题：记录序号（0 表示不针对某一条记录，如检查点文件本身的问题）和说明")]
pub struct ChainProblem {
    pub seq: i64,
    pub message: String,
}

impl ChainProblem {
    fn new(seq: i64, message: impl Into<String>) -> Self {
        Self { seq, message: message.into() }
    }

    /// "第 3 条：…" or, when it is about no row, the message alone.
    pub fn display(&self) -> String {
        if self.seq > 0 { format!("第 {} 条：{}", self.seq, self.message) } else { self.message.clone() }
    }
}

#[derive(Debug, Clone)]
pub struct VerifyReport {
    /// Rows read.
    pub checked: i64,
    pub problems: Vec<ChainProblem>,
    /// Distinct intact checkpoints compared with the chain.
    pub checkpoints: usize,
    /// What was checked against what (key, checkpoint files), for the reader.
    pub notes: Vec<String>,
}

/// Rows read per query.
const PAGE: u64 = 2000;
/// Problems listed at most; a key mix-up would otherwise list every row.
const MAX_LISTED: usize = 1000;
/// Extra reads when the head moved on while the chain was being read (other writers).
const CATCH_UP: u32 = 3;

/// [`verify_with`] without checkpoint files.
pub async fn verify<C: ConnectionTrait>(db: &C) -> Result<VerifyReport, DbErr> {
    verify_with(db, &[]).await
}

/// Walks the whole chain in order and reports every break: a row whose content no longer matches
/// its keyed code (edited, or recomputed without the key), an unkeyed row after keyed ones, a
/// broken link to the predecessor (inserted or reordered), gaps in the sequence (deleted), a tail
/// that disagrees with the head or a head whose own code is wrong (rewound), and every
/// checkpoint of `sources` whose row is gone or differs (the newest rows deleted and the head
/// rewound consistently).
pub async fn verify_with<C: ConnectionTrait>(db: &C, sources: &[CheckpointSource]) -> Result<VerifyReport, DbErr> {
    let Some(ring) = keys::installed() else {
        return Ok(VerifyReport {
            checked: 0,
            problems: vec![ChainProblem::new(0, keys::NOT_LOADED)],
            checkpoints: 0,
            notes: Vec::new(),
        });
    };
    // Checkpoints first: one written while the chain is read names rows that are there by then.
    let loaded = {
        let ring = ring.clone();
        let sources = sources.to_vec();
        tokio::task::spawn_blocking(move || checkpoint::load(&sources, &ring))
            .await
            .map_err(|e| DbErr::Custom(format!("读取检查点失败：{e}")))?
    };
    let mut notes = vec![format!("审计密钥：{}（当前密钥编号 {}）", ring.source, ring.current().id())];
    notes.extend(loaded.notes);
    let newest = loaded.by_seq.values().flatten().max_by(|a, b| (a.seq, &a.at).cmp(&(b.seq, &b.at))).cloned();
    let mut walk = Walk::new(&ring, loaded.by_seq);

    use entity::log::{Column, Entity};
    let mut cursor = i64::MIN;
    let mut catch_up = 0;
    let head = loop {
        let rows = Entity::find().filter(Column::Seq.gt(cursor)).order_by_asc(Column::Seq).limit(PAGE).all(db).await?;
        if let Some(last) = rows.last() {
            cursor = last.seq;
            for row in rows {
                walk.row(row);
            }
            continue;
        }
        let head = entity::head::Entity::find_by_id(1).one(db).await?;
        match &head {
            Some(h) if h.seq > walk.last_seq() && catch_up < CATCH_UP => catch_up += 1,
            _ => break head,
        }
    };
    walk.finish(head);

    if walk.checked > 0 && !walk.seen_keyed {
        notes.push(format!(
            "这 {} 条记录都没有用审计密钥计算：它们写于启用密钥的版本之前，或被人在库中整体重算过（请对照检查点）",
            walk.checked
        ));
    }
    if let Some(cp) = &newest {
        notes.push(format!("已核对 {} 个检查点，最新的是{}（到第 {} 条）", loaded.count, cp.describe(), cp.seq));
    } else {
        notes.push("没有可核对的检查点：末尾的记录被删除、链头被一并回退时发现不了".into());
    }
    let mut problems = loaded.problems;
    problems.append(&mut walk.problems);
    if problems.len() > MAX_LISTED {
        let more = problems.len() - MAX_LISTED;
        problems.truncate(MAX_LISTED);
        problems.push(ChainProblem::new(0, format!("……另有 {more} 处问题未列出")));
    }
    Ok(VerifyReport { checked: walk.checked, problems, checkpoints: loaded.count, notes })
}

/// State of one pass over the chain.
struct Walk<'a> {
    ring: &'a Keyring,
    /// Checkpoints whose row has not been reached yet.
    pending: BTreeMap<i64, Vec<Checkpoint>>,
    problems: Vec<ChainProblem>,
    checked: i64,
    expected_seq: i64,
    prev_hash: String,
    /// Key id of the last row read.
    last_key: Option<String>,
    seen_keyed: bool,
    /// A run of rows sealed with a key that is not configured: id, first and last seq.
    unknown: Option<(String, i64, i64)>,
}

impl<'a> Walk<'a> {
    fn new(ring: &'a Keyring, mut pending: BTreeMap<i64, Vec<Checkpoint>>) -> Self {
        // "The log was empty" always holds.
        pending.remove(&0);
        Walk {
            ring,
            pending,
            problems: Vec::new(),
            checked: 0,
            expected_seq: 1,
            prev_hash: super::GENESIS_HASH.to_owned(),
            last_key: None,
            seen_keyed: false,
            unknown: None,
        }
    }

    fn last_seq(&self) -> i64 {
        self.expected_seq - 1
    }

    fn problem(&mut self, seq: i64, message: impl Into<String>) {
        self.problems.push(ChainProblem::new(seq, message));
    }

    fn row(&mut self, row: entity::log::Model) {
        self.checked += 1;
        // Checkpointed rows that should have come before this one are gone.
        while let Some(entry) = self.pending.first_entry() {
            if *entry.key() >= row.seq {
                break;
            }
            let (seq, cps) = entry.remove_entry();
            if let Some(cp) = cps.first() {
                self.problem(seq, format!("{}记载的这条记录已不存在（被删除）", cp.describe()));
            }
        }
        if row.seq != self.expected_seq {
            if row.seq > self.expected_seq {
                let missing = if row.seq - self.expected_seq == 1 {
                    format!("第 {} 条", self.expected_seq)
                } else {
                    format!("第 {}–{} 条", self.expected_seq, row.seq - 1)
                };
                self.problem(row.seq, format!("{missing}记录缺失（被删除）"));
            } else {
                self.problem(row.seq, "序号重复或顺序被改动（插入）");
            }
        }
        let at_text = row.at.format(TIME_FORMAT).to_string();
        let input = HashInput {
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
        };
        let content_ok = match row.key_id.as_deref() {
            None if self.seen_keyed => {
                self.problem(
                    row.seq,
                    "没有用审计密钥计算：启用密钥之后的记录都带密钥，这一条是有人在库中重算的（记录被修改）",
                );
                false
            }
            None => {
                let ok = row_hash(&input) == row.hash;
                if !ok {
                    self.problem(row.seq, "内容与其哈希不符（记录被修改）");
                }
                ok
            }
            Some(kid) => {
                self.seen_keyed = true;
                match self.ring.find(kid) {
                    None => {
                        self.unknown_key(kid, row.seq);
                        false
                    }
                    Some(key) => {
                        let ok = row_mac(key, &input) == row.hash;
                        if !ok {
                            self.problem(row.seq, "内容与其校验码不符（记录被修改，或被人用别的密钥重算）");
                        }
                        ok
                    }
                }
            }
        };
        if row.key_id.as_deref().is_none_or(|kid| self.ring.find(kid).is_some()) {
            self.flush_unknown();
        }
        if content_ok && row.prev_hash != self.prev_hash && row.seq == self.expected_seq {
            self.problem(row.seq, "与前一条记录的链接断开（前一条被修改、插入或删除）");
        }
        if content_ok && row.action == super::TAMPER_ACTION {
            let finding = serde_json::from_str::<serde_json::Value>(&row.summary)
                .ok()
                .and_then(|v| v["finding"].as_str().map(str::to_owned))
                .unwrap_or_else(|| row.summary.clone());
            self.problem(
                row.seq,
                format!("服务器在 {} 写入时发现审计链被改动：{finding}", crate::clock::display_local(row.at)),
            );
        }
        if let Some(cps) = self.pending.remove(&row.seq) {
            if let Some(cp) = cps.iter().find(|cp| cp.hash != row.hash) {
                self.problem(row.seq, format!("与{}记载的哈希不符（记录被改写或重算）", cp.describe()));
            }
            if let Some(cp) = cps.iter().find(|cp| cp.rows != self.checked as u64) {
                self.problem(
                    row.seq,
                    format!(
                        "{}时到这一条为止共有 {} 条记录，现在有 {} 条（有记录被删除或插入）",
                        cp.describe(),
                        cp.rows,
                        self.checked
                    ),
                );
            }
        }
        self.prev_hash = row.hash;
        self.last_key = row.key_id;
        self.expected_seq = row.seq + 1;
    }

    fn unknown_key(&mut self, kid: &str, seq: i64) {
        match &mut self.unknown {
            Some((id, _, to)) if id == kid && *to + 1 == seq => *to = seq,
            _ => {
                self.flush_unknown();
                self.unknown = Some((kid.to_owned(), seq, seq));
            }
        }
    }

    fn flush_unknown(&mut self) {
        if let Some((kid, from, to)) = self.unknown.take() {
            let whose = if from == to {
                String::new()
            } else {
                format!("起共 {} 条记录（到第 {to} 条）", to - from + 1)
            };
            self.problem(
                from,
                format!(
                    "{whose}用编号为 {kid} 的审计密钥计算，当前配置中没有这把密钥，无法校验（密钥配置错误，或记录被伪造）"
                ),
            );
        }
    }

    fn finish(&mut self, head: Option<entity::head::Model>) {
        self.flush_unknown();
        let last_seq = self.last_seq();
        // Checkpoints beyond the end: the newest rows were deleted.
        if let Some((&newest, cps)) = self.pending.last_key_value() {
            let when = cps.first().map(Checkpoint::describe).unwrap_or_default();
            let range = if newest == last_seq + 1 {
                format!("第 {newest} 条")
            } else {
                format!("第 {}–{newest} 条", last_seq + 1)
            };
            self.problem(
                newest,
                format!(
                    "{when}记载审计日志已写到第 {newest} 条，现在只到第 {last_seq} 条：{range}记录被删除（链头被回退）"
                ),
            );
        }
        match head {
            Some(head) if head.seq != last_seq => {
                let message = if head.seq > last_seq {
                    format!("最后 {} 条记录缺失（被删除），链头序号为 {}", head.seq - last_seq, head.seq)
                } else {
                    format!("链头序号为 {}，但存在更多记录（末尾被插入）", head.seq)
                };
                self.problem(head.seq, message);
            }
            Some(head) if head.hash != self.prev_hash => {
                self.problem(head.seq, "最后一条记录与链头哈希不符");
            }
            Some(head) => {
                let key = self.last_key.as_deref().and_then(|kid| self.ring.find(kid));
                if let Some(key) = key {
                    match head.mac.as_deref() {
                        None => self.problem(head.seq, "链头缺少校验码（链头被改写）"),
                        Some(mac) if mac != head_mac(key, head.seq, &head.hash) => {
                            self.problem(head.seq, "链头的校验码不符（链头被改写，或被回退到更早的位置）")
                        }
                        Some(_) => {}
                    }
                }
            }
            None => self.problem(0, "链头记录 audit_head 缺失"),
        }
    }
}
