//! The audit chain's HMAC keys. They live outside the database (a key file only the service
//! account can read, or the configuration), so someone who can only write to the database
//! cannot recompute a row's code after changing it.
//!
//! A key file holds one key per line; the first is the current key (new rows, the head and
//! checkpoints are sealed with it), the others are earlier keys still needed to verify older
//! rows. Lines starting with `#` are comments. A key is 64+ hex digits or any text of 32+
//! characters. Each key is known by an id derived from it, stored with every keyed row.
//!
//! The keys are held process-wide ([`ensure`] at start-up, [`installed`] afterwards): audit rows
//! are written from dozens of places that only pass a transaction and a clock.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::{Context, bail};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::Config;

type HmacSha256 = Hmac<Sha256>;

/// Name of the key file generated beside a SQLite database when no key is configured.
pub const DEFAULT_KEY_FILE: &str = "audit.key";

/// Shortest acceptable key given as text.
const MIN_TEXT_CHARS: usize = 32;

/// One HMAC key and its public id.
#[derive(Clone)]
pub struct Key {
    id: String,
    bytes: Vec<u8>,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key").field("id", &self.id).field("bytes", &"***").finish()
    }
}

impl Key {
    /// A key from its text: 64+ hex digits are decoded, other text of 32+ characters is used as is.
    pub fn parse(text: &str) -> anyhow::Result<Key> {
        let text = text.trim();
        let bytes = if text.len() >= 64 && text.len().is_multiple_of(2) && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(text).context("审计密钥不是有效的十六进制")?
        } else if text.chars().count() >= MIN_TEXT_CHARS {
            text.as_bytes().to_vec()
        } else {
            bail!(
                "审计密钥太短：至少 {MIN_TEXT_CHARS} 个字符（建议用 `dangjian audit keygen 文件` 生成 64 位十六进制的随机密钥）"
            );
        };
        Ok(Key::from_bytes(bytes))
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Key {
        let mut key = Key { id: String::new(), bytes };
        let tag = key.mac(&[b"dangjian-audit-key-id"]);
        key.id = hex::encode(&tag[..8]);
        key
    }

    /// A fresh random key (32 bytes).
    pub fn random() -> Key {
        use rand::RngCore;
        let mut bytes = vec![0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Key::from_bytes(bytes)
    }

    /// The key's public id (16 hex digits), stored with every row it sealed.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// HMAC-SHA256 over the concatenated parts.
    pub fn mac(&self, parts: &[&[u8]]) -> Vec<u8> {
        // HMAC takes keys of any length; this never fails.
        let mut mac = match HmacSha256::new_from_slice(&self.bytes) {
            Ok(mac) => mac,
            Err(_) => return Vec::new(),
        };
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().to_vec()
    }

    /// The key as 64 hex digits, for writing a key file.
    fn to_hex(&self) -> String {
        hex::encode(&self.bytes)
    }
}

/// The current key and the earlier ones still accepted for verification.
#[derive(Debug, Clone)]
pub struct Keyring {
    keys: Vec<Key>,
    /// Where the keys came from, for messages ("密钥文件 /etc/dangjian/audit.key").
    pub source: String,
}

impl Keyring {
    pub fn new(keys: Vec<Key>, source: impl Into<String>) -> anyhow::Result<Keyring> {
        if keys.is_empty() {
            bail!("审计密钥为空");
        }
        Ok(Keyring { keys, source: source.into() })
    }

    /// The key new rows, the head and checkpoints are sealed with.
    pub fn current(&self) -> &Key {
        &self.keys[0]
    }

    /// Every key, the current one first.
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.keys.iter()
    }

    pub fn find(&self, id: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.id == id)
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Reads the keys of a key file: one per line, the current one first, `#` comments.
pub fn parse_key_file(text: &str) -> anyhow::Result<Vec<Key>> {
    let mut keys = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let key = Key::parse(line).with_context(|| format!("第 {} 行", i + 1))?;
        if keys.iter().any(|k: &Key| k.id == key.id) {
            bail!("第 {} 行：与前面的密钥重复", i + 1);
        }
        keys.push(key);
    }
    if keys.is_empty() {
        bail!("文件中没有密钥");
    }
    Ok(keys)
}

fn read_key_file(path: &Path) -> anyhow::Result<Keyring> {
    let text = std::fs::read_to_string(path).with_context(|| format!("无法读取审计密钥文件 {}", path.display()))?;
    warn_if_readable_by_others(path);
    let keys = parse_key_file(&text).with_context(|| format!("审计密钥文件 {} 有误", path.display()))?;
    Keyring::new(keys, format!("密钥文件 {}", path.display()))
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(
                "审计密钥文件 {} 的权限为 {mode:04o}，其他账号也能读取；请改为 0600 或 0400（只有运行本服务的账号可读）",
                path.display()
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

/// The file of a `sqlite://` URL, if it names one (not `:memory:`).
pub(crate) fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// A file beside the SQLite database of `config`, if it uses one.
pub(crate) fn beside_sqlite(config: &Config, name: &str) -> Option<PathBuf> {
    let file = sqlite_file(config.database.url.expose())?;
    let dir = Path::new(file).parent().map(Path::to_path_buf).unwrap_or_default();
    Some(dir.join(name))
}

fn is_sqlite(config: &Config) -> bool {
    config.database.url.expose().starts_with("sqlite:")
}

/// The keys named by the configuration. Without `key_file` or `key`: a SQLite database gets a
/// key file beside it (generated on first use, mode 0600), an in-memory one a key that lives as
/// long as the process; PostgreSQL and MySQL refuse, because there the database administrator
/// is someone else and the key must be put where only the service can read it.
pub fn load(config: &Config) -> anyhow::Result<Keyring> {
    let audit = &config.audit;
    let key_file = audit.key_file.trim();
    let key = audit.key.trim();
    if !key_file.is_empty() && !key.is_empty() {
        bail!("配置项 audit.key 与 audit.key_file 只能设置一个（推荐 key_file）");
    }
    if !key_file.is_empty() {
        return read_key_file(Path::new(key_file));
    }
    if !key.is_empty() {
        let key = Key::parse(key).context("配置项 audit.key 有误")?;
        return Keyring::new(vec![key], "配置项 audit.key");
    }
    if let Some(path) = beside_sqlite(config, DEFAULT_KEY_FILE) {
        if !path.exists() {
            match write_new_key_file(&path) {
                Ok(()) => tracing::warn!(
                    "已生成审计密钥文件 {}（只有本账号可读）。它与数据库在同一目录，能改数据库文件的人也能读到它；\
                     正式环境请把密钥放到别处，并在配置文件 [audit] 的 key_file 中指定（见 docs/OPERATIONS.md）",
                    path.display()
                ),
                // Another process created it first: use theirs.
                Err(e) if path.exists() => tracing::debug!("审计密钥文件已由其他进程生成：{e:#}"),
                Err(e) => return Err(e),
            }
        } else {
            tracing::info!("审计密钥取自数据库旁的 {}（未在配置中指定 key_file）", path.display());
        }
        return read_key_file(&path);
    }
    if is_sqlite(config) {
        // An in-memory database dies with the process, and so may its key.
        return Keyring::new(vec![Key::random()], "临时密钥（内存数据库）");
    }
    bail!(
        "未配置审计密钥：使用 PostgreSQL 或 MySQL 时，必须在配置文件 [audit] 中设置 key_file（或环境变量 \
         DANGJIAN__AUDIT__KEY_FILE），密钥不能放在数据库里。可用 `dangjian audit keygen /etc/dangjian/audit.key` 生成，\
         并只让运行本服务的账号可读；详见 docs/OPERATIONS.md“审计日志的密钥与检查点”"
    )
}

/// Creates `path` (never overwriting) holding one new random key, readable by the owner only.
pub fn write_new_key_file(path: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("无法创建目录 {}", dir.display()))?;
    }
    let key = Key::random();
    let mut file =
        owner_only().create_new(true).open(path).with_context(|| format!("无法创建审计密钥文件 {}", path.display()))?;
    file.write_all(key_file_text(&[key]).as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("无法写入审计密钥文件 {}", path.display()))
}

/// Puts a new random key in front of the keys of `path` (which become earlier keys), through a
/// temporary file renamed over it. Returns the new key's id.
pub fn rotate_key_file(path: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path).with_context(|| format!("无法读取审计密钥文件 {}", path.display()))?;
    let mut keys = parse_key_file(&text).with_context(|| format!("审计密钥文件 {} 有误", path.display()))?;
    let key = Key::random();
    let id = key.id.clone();
    keys.insert(0, key);
    let tmp = path.with_extension("new");
    let _ = std::fs::remove_file(&tmp);
    let mut file =
        owner_only().create_new(true).open(&tmp).with_context(|| format!("无法创建临时文件 {}", tmp.display()))?;
    file.write_all(key_file_text(&keys).as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("无法写入 {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("无法替换审计密钥文件 {}", path.display()))?;
    Ok(id)
}

fn key_file_text(keys: &[Key]) -> String {
    let mut text = String::from(
        "# dangjian 审计密钥。第一行是当前密钥，其余是更早的密钥（校验旧记录要用，不要删除）。\n\
         # 只让运行本服务的账号可读；丢失后已有的审计记录无法再校验。\n",
    );
    for key in keys {
        text.push_str(&key.to_hex());
        text.push('\n');
    }
    text
}

fn owner_only() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

static KEYRING: OnceLock<Arc<Keyring>> = OnceLock::new();
static LOADING: Mutex<()> = Mutex::new(());

/// The process's keys, loading them from `config` the first time. Later calls return the keys
/// loaded first, whatever their configuration: one process serves one database.
pub fn ensure(config: &Config) -> anyhow::Result<Arc<Keyring>> {
    if let Some(ring) = KEYRING.get() {
        return Ok(ring.clone());
    }
    let _guard = LOADING.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(ring) = KEYRING.get() {
        return Ok(ring.clone());
    }
    let ring = Arc::new(load(config)?);
    let _ = KEYRING.set(ring.clone());
    Ok(ring)
}

/// The keys loaded by [`ensure`], if any.
pub fn installed() -> Option<Arc<Keyring>> {
    KEYRING.get().cloned()
}

/// Message of a write attempted before the keys were loaded.
pub const NOT_LOADED: &str = "审计密钥尚未加载，不能写审计日志（程序启动时应先加载 [audit] 配置的密钥）";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_text_keys_and_their_ids() {
        let hex_key = Key::parse(&"ab".repeat(32)).unwrap();
        assert_eq!(hex_key.bytes, vec![0xab; 32]);
        assert_eq!(hex_key.id().len(), 16);
        let text = Key::parse("  a passphrase of thirty-two chars!  ").unwrap();
        assert_eq!(text.bytes, b"a passphrase of thirty-two chars!".to_vec());
        assert_ne!(hex_key.id(), text.id());
        assert_eq!(Key::parse(&"ab".repeat(32)).unwrap().id(), hex_key.id(), "the id is stable");
        let short = Key::parse("短密钥").unwrap_err().to_string();
        assert!(short.contains("太短"), "{short}");
        assert!(!format!("{hex_key:?}").contains("abab"), "Debug never shows the key");
    }

    #[test]
    fn macs_depend_on_key_and_content() {
        let a = Key::parse(&"11".repeat(32)).unwrap();
        let b = Key::parse(&"22".repeat(32)).unwrap();
        assert_eq!(a.mac(&[b"x"]).len(), 32);
        assert_eq!(a.mac(&[b"x", b"y"]), a.mac(&[b"xy"]));
        assert_ne!(a.mac(&[b"x"]), a.mac(&[b"y"]));
        assert_ne!(a.mac(&[b"x"]), b.mac(&[b"x"]));
    }

    #[test]
    fn key_files_list_the_current_key_first() {
        let text = format!("# comment\n\n{}\n{}\n", "11".repeat(32), "22".repeat(32));
        let keys = parse_key_file(&text).unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].bytes, vec![0x11; 32]);
        assert!(parse_key_file("# only a comment\n").is_err());
        let dup = format!("{}\n{}\n", "11".repeat(32), "11".repeat(32));
        assert!(parse_key_file(&dup).unwrap_err().to_string().contains("重复"));
    }

    #[test]
    fn generated_and_rotated_key_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("audit.key");
        write_new_key_file(&path).unwrap();
        assert!(write_new_key_file(&path).is_err(), "never overwrites a key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let first = read_key_file(&path).unwrap();
        assert_eq!(first.len(), 1);
        let id = rotate_key_file(&path).unwrap();
        let ring = read_key_file(&path).unwrap();
        assert_eq!(ring.len(), 2);
        assert_eq!(ring.current().id(), id);
        assert!(ring.find(first.current().id()).is_some(), "the earlier key is kept");
    }

    #[test]
    fn server_databases_need_a_configured_key() {
        let mut config = Config::default();
        config.database.url = crate::config::DatabaseUrl("postgres://u@h/db".into());
        let err = load(&config).unwrap_err().to_string();
        assert!(err.contains("未配置审计密钥") && err.contains("key_file"), "{err}");
        config.audit.key = "k".repeat(40);
        assert_eq!(load(&config).unwrap().len(), 1);
        config.audit.key_file = "/nonexistent".into();
        assert!(load(&config).unwrap_err().to_string().contains("只能设置一个"));
    }

    #[test]
    fn sqlite_gets_a_key_file_beside_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.database.url =
            crate::config::DatabaseUrl(format!("sqlite://{}?mode=rwc", dir.path().join("x.db").display()));
        let first = load(&config).unwrap();
        assert!(dir.path().join(DEFAULT_KEY_FILE).exists());
        assert_eq!(load(&config).unwrap().current().id(), first.current().id(), "the same key next time");
        config.database.url = crate::config::DatabaseUrl("sqlite::memory:".into());
        assert_eq!(load(&config).unwrap().len(), 1);
    }
}
