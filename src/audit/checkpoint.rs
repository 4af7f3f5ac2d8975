//! Chain-head checkpoints kept outside the database. At start, every `audit.checkpoint_secs`
//! and at a graceful stop the server notes the last row (sequence number and keyed hash) and
//! the number of rows, as one line appended to the checkpoint file (fsynced) and logged at info
//! level (the system log). Each line is sealed with the audit key. Someone who deletes the
//! newest rows and rewinds the head in the database cannot take back what these lines say:
//! `dangjian audit verify` checks that every checkpointed row still exists with that hash.
//!
//! A line is a JSON object starting with `{"audit_checkpoint":1`, so the same lines can be read
//! back from a copy of the file or from the system log, where they follow the log prefix.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};

use super::keys::{self, Key, Keyring};
use super::{ChainProblem, GENESIS_HASH, entity};
use crate::clock::SharedClock;
use crate::config::Config;

/// Name of the checkpoint file kept beside a SQLite database when none is configured.
pub const DEFAULT_FILE: &str = "audit-checkpoints.log";

/// What every checkpoint line starts with (after any log prefix).
const MARKER: &str = "{\"audit_checkpoint\":";

/// Format version of the lines written now.
const VERSION: u32 = 1;

/// One checkpoint: "at this moment the chain ended with row `seq` of hash `hash`, and the table
/// held `rows` rows", sealed with the key `kid`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Format version; its key also marks the line as a checkpoint.
    pub audit_checkpoint: u32,
    /// When, RFC 3339 in Beijing time.
    pub at: String,
    /// Sequence number of the last row (0: empty log).
    pub seq: i64,
    /// Stored hash of that row.
    pub hash: String,
    /// Rows in the table.
    pub rows: u64,
    /// `start`, `periodic` or `stop`.
    pub reason: String,
    /// Id of the key that sealed the line.
    pub kid: String,
    /// HMAC of all the above.
    pub mac: String,
}

/// Why a checkpoint was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Start,
    Periodic,
    Stop,
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Reason::Start => "start",
            Reason::Periodic => "periodic",
            Reason::Stop => "stop",
        }
    }
}

fn reason_label(code: &str) -> &str {
    match code {
        "start" => "启动时",
        "periodic" => "定时",
        "stop" => "停止时",
        other => other,
    }
}

fn push_field(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&(text.len() as u64).to_be_bytes());
    out.extend_from_slice(text.as_bytes());
}

impl Checkpoint {
    /// A checkpoint of the given chain end, sealed with `key`.
    pub fn sealed(key: &Key, at: DateTime<Utc>, seq: i64, hash: &str, rows: u64, reason: Reason) -> Checkpoint {
        let at =
            at.with_timezone(&chrono_tz::Asia::Shanghai).fixed_offset().to_rfc3339_opts(SecondsFormat::Secs, false);
        let mut cp = Checkpoint {
            audit_checkpoint: VERSION,
            at,
            seq,
            hash: hash.to_owned(),
            rows,
            reason: reason.code().to_owned(),
            kid: key.id().to_owned(),
            mac: String::new(),
        };
        cp.mac = cp.expected_mac(key);
        cp
    }

    fn expected_mac(&self, key: &Key) -> String {
        let mut fields = Vec::with_capacity(256);
        for text in [
            &self.audit_checkpoint.to_string(),
            &self.at,
            &self.seq.to_string(),
            &self.hash,
            &self.rows.to_string(),
            &self.reason,
            &self.kid,
        ] {
            push_field(&mut fields, text);
        }
        hex::encode(key.mac(&[b"dangjian-audit-checkpoint-v1\0", &fields]))
    }

    /// Whether the line is intact, in Chinese when it is not.
    pub fn check(&self, ring: &Keyring) -> Result<(), String> {
        if self.audit_checkpoint != VERSION {
            return Err(format!("格式版本 {} 不认识", self.audit_checkpoint));
        }
        let Some(key) = ring.find(&self.kid) else {
            return Err(format!("用编号为 {} 的审计密钥签名，当前配置中没有这把密钥", self.kid));
        };
        if self.expected_mac(key) != self.mac {
            return Err("校验码不符（这一行被改动过）".into());
        }
        Ok(())
    }

    /// The line as written to the file and the log.
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// When, as Beijing time `YYYY-MM-DD HH:MM:SS`.
    pub fn when(&self) -> String {
        DateTime::parse_from_rfc3339(&self.at)
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|_| self.at.clone())
    }

    /// "2026-11-27 10:00:00 启动时的检查点".
    pub fn describe(&self) -> String {
        format!("{} {}的检查点", self.when(), reason_label(&self.reason))
    }
}

/// The checkpoint in a line of a checkpoint file or of the system log: `None` when the line
/// holds none, an error when it holds one that cannot be read.
pub fn parse_line(line: &str) -> Option<Result<Checkpoint, String>> {
    let start = line.find(MARKER)?;
    let mut stream = serde_json::Deserializer::from_str(&line[start..]).into_iter::<Checkpoint>();
    Some(match stream.next() {
        Some(Ok(cp)) => Ok(cp),
        Some(Err(e)) => Err(format!("无法识别（{e}）")),
        None => Err("无法识别".into()),
    })
}

/// The checkpoint file in force: `audit.checkpoint_file`, else one beside a SQLite database;
/// none for PostgreSQL and MySQL without configuration (checkpoints then only go to the log).
pub fn configured_path(config: &Config) -> Option<PathBuf> {
    let configured = config.audit.checkpoint_file.trim();
    if !configured.is_empty() {
        return Some(PathBuf::from(configured));
    }
    keys::beside_sqlite(config, DEFAULT_FILE)
}

/// A file to read checkpoints from. A `required` file (named on the command line) must exist;
/// the configured one may not exist yet when the service has never run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointSource {
    pub path: PathBuf,
    pub required: bool,
}

/// Checkpoints read from files, by sequence number, with what was wrong with the files.
#[derive(Debug, Default)]
pub struct Loaded {
    pub by_seq: BTreeMap<i64, Vec<Checkpoint>>,
    pub count: usize,
    pub problems: Vec<ChainProblem>,
    pub notes: Vec<String>,
}

/// Reads every checkpoint of `sources` (duplicates, e.g. the same line in the file and in the
/// system log, count once) and checks each line's seal.
pub fn load(sources: &[CheckpointSource], ring: &Keyring) -> Loaded {
    let mut loaded = Loaded::default();
    let mut seen = HashSet::new();
    for source in sources {
        let name = source.path.display();
        let file = match std::fs::File::open(&source.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !source.required => {
                loaded.notes.push(format!("检查点文件 {name} 不存在（服务还没有写过检查点）"));
                continue;
            }
            Err(e) => {
                loaded
                    .problems
                    .push(ChainProblem { seq: 0, message: format!("无法读取检查点文件 {name}：{e}") });
                continue;
            }
        };
        let mut reader = std::io::BufReader::new(file);
        let mut buf = Vec::new();
        let mut line_no = 0usize;
        let mut found = 0usize;
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    loaded
                        .problems
                        .push(ChainProblem {
                            seq: 0, message: format!("读取检查点文件 {name} 时出错：{e}")
                        });
                    break;
                }
            }
            line_no += 1;
            let complete = buf.ends_with(b"\n");
            let line = String::from_utf8_lossy(&buf);
            let Some(parsed) = parse_line(&line) else {
                continue;
            };
            let cp = match parsed {
                Ok(cp) => cp,
                // The server may be appending this very line.
                Err(_) if !complete => {
                    loaded.notes.push(format!("检查点文件 {name} 第 {line_no} 行不完整（可能正在写入），已跳过"));
                    continue;
                }
                Err(reason) => {
                    loaded
                        .problems
                        .push(ChainProblem {
                            seq: 0, message: format!("检查点文件 {name} 第 {line_no} 行{reason}")
                        });
                    continue;
                }
            };
            if let Err(reason) = cp.check(ring) {
                loaded.problems.push(ChainProblem {
                    seq: cp.seq,
                    message: format!("检查点文件 {name} 第 {line_no} 行（{}）{reason}", cp.describe()),
                });
                continue;
            }
            found += 1;
            if seen.insert(cp.mac.clone()) {
                loaded.count += 1;
                loaded.by_seq.entry(cp.seq).or_default().push(cp);
            }
        }
        if found == 0 {
            loaded.problems.push(ChainProblem {
                seq: 0,
                message: format!("检查点文件 {name} 中没有任何检查点（文件被清空或选错了文件）"),
            });
        } else {
            loaded.notes.push(format!("检查点文件 {name}：{found} 个检查点"));
        }
    }
    loaded
}

/// The last intact checkpoint of a file, read from its end.
pub fn last_in_file(path: &Path, ring: &Keyring) -> std::io::Result<Option<Checkpoint>> {
    const TAIL: u64 = 64 * 1024;
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    file.seek(SeekFrom::Start(len.saturating_sub(TAIL)))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(text.lines().rev().filter_map(parse_line).filter_map(Result::ok).find(|cp| cp.check(ring).is_ok()))
}

/// Appends one line and flushes it to disk.
fn append(path: &Path, line: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o640);
    }
    let mut file = options.open(path)?;
    file.write_all(format!("{line}\n").as_bytes())?;
    file.sync_data()
}

/// The last row of the chain: its sequence number and hash (0 and the genesis hash when empty).
async fn chain_end(db: &DatabaseConnection) -> Result<(i64, String), DbErr> {
    use entity::log::{Column, Entity};
    let last: Option<(i64, String)> = Entity::find()
        .select_only()
        .columns([Column::Seq, Column::Hash])
        .order_by_desc(Column::Seq)
        .into_tuple()
        .one(db)
        .await?;
    Ok(last.unwrap_or_else(|| (0, GENESIS_HASH.to_owned())))
}

/// Whether the row a checkpoint names is still there with that hash; the Chinese finding if not.
async fn still_holds(db: &DatabaseConnection, cp: &Checkpoint) -> Result<Option<String>, DbErr> {
    if cp.seq == 0 {
        return Ok(None);
    }
    let row = entity::log::Entity::find_by_id(cp.seq).one(db).await?;
    Ok(match row {
        None => Some(format!("{}记载的第 {} 条记录已不存在（被删除，链头被回退）", cp.describe(), cp.seq)),
        Some(r) if r.hash != cp.hash => {
            Some(format!("第 {} 条记录与{}记载的哈希不符（被改写或重算）", cp.seq, cp.describe()))
        }
        Some(_) => None,
    })
}

/// Writes checkpoints for one server process.
pub struct Checkpointer {
    db: DatabaseConnection,
    clock: SharedClock,
    path: Option<PathBuf>,
    last: Mutex<Option<Checkpoint>>,
}

impl Checkpointer {
    pub fn new(db: DatabaseConnection, clock: SharedClock, path: Option<PathBuf>) -> Checkpointer {
        Checkpointer { db, clock, path, last: Mutex::new(None) }
    }

    /// The checkpoint file, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// At start: compares the chain with the file's last checkpoint (a mismatch is logged as an
    /// error, the server still starts), then writes the start checkpoint. Fails when the file
    /// cannot be written, so a wrong path is found at once.
    pub async fn start(&self) -> anyhow::Result<Checkpoint> {
        let ring = keys::installed().context(keys::NOT_LOADED)?;
        match &self.path {
            None => tracing::warn!(
                "未配置审计检查点文件（audit.checkpoint_file）：检查点只写入系统日志。请配置该文件，由安全审计员定期取走保存"
            ),
            Some(path) => match last_in_file(path, &ring) {
                Ok(Some(cp)) => {
                    if let Some(finding) = still_holds(&self.db, &cp).await? {
                        tracing::error!(
                            "审计链与检查点文件 {} 不符：{finding}。请安全审计员立即运行 dangjian audit verify 核查",
                            path.display()
                        );
                    }
                }
                Ok(None) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => tracing::warn!("无法读取审计检查点文件 {}：{e}", path.display()),
            },
        }
        self.write(Reason::Start).await?.with_context(|| "审计检查点没有写出".to_string())
    }

    /// Writes a checkpoint (a periodic one only when the chain moved since the last one) after
    /// checking that the last checkpoint of this process still holds.
    pub async fn write(&self, reason: Reason) -> anyhow::Result<Option<Checkpoint>> {
        let ring = keys::installed().context(keys::NOT_LOADED)?;
        let previous = self.last.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(prev) = &previous
            && let Some(finding) = still_holds(&self.db, prev).await?
        {
            tracing::error!("审计链被改动：{finding}。请安全审计员立即运行 dangjian audit verify 核查");
        }
        let (seq, hash) = chain_end(&self.db).await?;
        if reason == Reason::Periodic && previous.as_ref().is_some_and(|p| p.seq == seq && p.hash == hash) {
            return Ok(None);
        }
        let rows = entity::log::Entity::find().count(&self.db).await?;
        let cp = Checkpoint::sealed(ring.current(), self.clock.now(), seq, &hash, rows, reason);
        let line = cp.to_line();
        tracing::info!("审计链检查点 {line}");
        if let Some(path) = self.path.clone() {
            let for_write = line.clone();
            let shown = path.display().to_string();
            tokio::task::spawn_blocking(move || append(&path, &for_write))
                .await
                .context("写审计检查点的任务失败")?
                .with_context(|| format!("无法写审计检查点文件 {shown}"))?;
        }
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(cp.clone());
        Ok(Some(cp))
    }

    /// Writes a checkpoint every `secs` seconds (none when 0) until the task is aborted. A
    /// failure is logged and the next tick tries again: the server stays up.
    pub fn spawn_periodic(self: &Arc<Self>, secs: u64) -> Option<tokio::task::JoinHandle<()>> {
        if secs == 0 {
            return None;
        }
        let this = Arc::clone(self);
        Some(tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(secs));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = this.write(Reason::Periodic).await {
                    tracing::error!("写审计检查点失败：{e:#}");
                }
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn ring() -> Keyring {
        Keyring::new(vec![Key::parse(&"11".repeat(32)).unwrap()], "test").unwrap()
    }

    fn sample(ring: &Keyring) -> Checkpoint {
        let at = Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0).unwrap();
        Checkpoint::sealed(ring.current(), at, 42, &"ab".repeat(32), 41, Reason::Periodic)
    }

    #[test]
    fn a_line_reads_back_from_the_file_and_from_a_log_prefix() {
        let ring = ring();
        let cp = sample(&ring);
        let line = cp.to_line();
        assert!(line.starts_with(MARKER), "{line}");
        assert_eq!(cp.at, "2026-11-27T10:00:00+08:00");
        assert_eq!(cp.when(), "2026-11-27 10:00:00");
        assert_eq!(parse_line(&line), Some(Ok(cp.clone())));
        let logged = format!("2026-11-27T02:00:00.1Z  INFO 审计链检查点 {line}");
        assert_eq!(parse_line(&logged), Some(Ok(cp.clone())));
        assert_eq!(parse_line("2026-11-27 INFO 已启动"), None);
        assert!(matches!(parse_line("{\"audit_checkpoint\":1,\"at\":"), Some(Err(_))));
        assert!(cp.check(&ring).is_ok());
    }

    #[test]
    fn an_edited_line_or_another_key_is_refused() {
        let ring = ring();
        let cp = sample(&ring);
        let mut edited = cp.clone();
        edited.seq = 40;
        assert!(edited.check(&ring).unwrap_err().contains("校验码不符"));
        let mut rows = cp.clone();
        rows.rows = 42;
        assert!(rows.check(&ring).is_err());
        let other = Keyring::new(vec![Key::parse(&"22".repeat(32)).unwrap()], "other").unwrap();
        assert!(cp.check(&other).unwrap_err().contains("没有这把密钥"));
        let forged = sample(&other);
        let mut relabelled = forged.clone();
        relabelled.kid = ring.current().id().to_owned();
        assert!(relabelled.check(&ring).unwrap_err().contains("校验码不符"));
    }

    #[test]
    fn files_are_read_with_their_findings() {
        let ring = ring();
        let dir = tempfile::tempdir().unwrap();
        let good = sample(&ring);
        let mut bad = good.clone();
        bad.hash = "cd".repeat(32);
        let path = dir.path().join("cp.log");
        let text = format!(
            "{}\nnoise\n{}\n{}\n{{\"audit_checkpoint\":1,\"at\"",
            good.to_line(),
            bad.to_line(),
            good.to_line()
        );
        std::fs::write(&path, text).unwrap();
        let missing = dir.path().join("none.log");
        let loaded = load(
            &[
                CheckpointSource { path: path.clone(), required: true },
                CheckpointSource { path: missing.clone(), required: false },
            ],
            &ring,
        );
        assert_eq!(loaded.count, 1, "the duplicate counts once");
        assert_eq!(loaded.by_seq[&42].len(), 1);
        assert_eq!(loaded.problems.len(), 1, "{:?}", loaded.problems);
        assert!(loaded.problems[0].message.contains("第 3 行") && loaded.problems[0].message.contains("校验码不符"));
        assert!(loaded.notes.iter().any(|n| n.contains("第 5 行不完整")), "{:?}", loaded.notes);
        assert!(loaded.notes.iter().any(|n| n.contains("不存在")), "{:?}", loaded.notes);
        assert_eq!(last_in_file(&path, &ring).unwrap(), Some(good));

        let required = load(&[CheckpointSource { path: missing, required: true }], &ring);
        assert!(required.problems[0].message.contains("无法读取"));
        std::fs::write(&path, "").unwrap();
        let emptied = load(&[CheckpointSource { path, required: false }], &ring);
        assert!(emptied.problems[0].message.contains("没有任何检查点"));
    }
}
