//! Layered configuration: built-in defaults → `dangjian.toml` → `DANGJIAN__*` environment variables
//! (`DANGJIAN__DATABASE__URL`, `DANGJIAN__SERVER__ADDR`, ...). Secrets never appear in logs.

use std::fmt;
use std::path::Path;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub security: SecurityDefaults,
    pub uploads: UploadLimits,
    pub audit: AuditConfig,
    pub metrics: MetricsConfig,
    pub log: LogConfig,
    pub visits: VisitsConfig,
    pub exports: ExportConfig,
}

/// Excel exports: from this many rows an export runs as a job beside the requests (the browser
/// is shown its progress and then downloads the file); smaller ones are answered at once.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportConfig {
    pub job_from_rows: u32,
}

impl Default for ExportConfig {
    fn default() -> Self {
        Self { job_from_rows: 3_000 }
    }
}

/// 家访: the 全员访 cycle, in months (12, 6, 4 or 3; anything else counts as 12): every person
/// is visited once per cycle.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct VisitsConfig {
    pub cycle_months: u32,
}

impl Default for VisitsConfig {
    fn default() -> Self {
        Self { cycle_months: 12 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ServerConfig {
    /// Address to listen on.
    pub addr: String,
    /// Mark cookies `Secure`; turn on whenever the site is served over HTTPS.
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_forwarded_for: bool,
    /// Seconds a request may take before it is answered with 408.
    pub request_timeout_secs: u64,
    /// The address users type, e.g. `https://dangjian.gaj.local`. When it is https, cookies are
    /// `Secure` and HSTS is sent whatever `secure_cookies` says.
    pub public_url: String,
}

impl ServerConfig {
    /// Served over HTTPS as far as the configuration tells.
    pub fn https(&self) -> bool {
        self.public_url.trim().to_ascii_lowercase().starts_with("https://")
    }

    /// Cookies carry `Secure`: asked for, or implied by an https public address.
    pub fn cookies_secure(&self) -> bool {
        self.secure_cookies || self.https()
    }
}

/// Bounds of every uploaded spreadsheet, checked while reading, before anything is unpacked
/// into memory (等保 2.0: resource control).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct UploadLimits {
    /// Size of the uploaded file.
    pub max_file_bytes: u64,
    /// Everything inside an .xlsx (a zip) once decompressed, counted as it is read.
    pub max_unpacked_bytes: u64,
    /// Rows of the sheet, header and titles included.
    pub max_rows: u32,
    /// Columns of the sheet.
    pub max_columns: u32,
}

/// Keying and external checkpoints of the audit chain, so that someone who can write to the
/// database cannot rewrite recent history unnoticed.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditConfig {
    /// The chain's HMAC key (hex or any text of 32+ characters). Prefer `key_file`.
    pub key: String,
    /// A file holding the key, readable only by the service account.
    pub key_file: String,
    /// Append-only file of chain-head checkpoints, outside the database.
    pub checkpoint_file: String,
    /// Seconds between checkpoints (0: only at start and stop).
    pub checkpoint_secs: u64,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self { key: String::new(), key_file: String::new(), checkpoint_file: String::new(), checkpoint_secs: 300 }
    }
}

impl fmt::Debug for AuditConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditConfig")
            .field("key", &if self.key.is_empty() { "" } else { "***" })
            .field("key_file", &self.key_file)
            .field("checkpoint_file", &self.checkpoint_file)
            .field("checkpoint_secs", &self.checkpoint_secs)
            .finish()
    }
}

/// `/metrics`: open (restrict it at the proxy) unless a token is set, then `Authorization:
/// Bearer <token>` is required.
#[derive(Clone, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct MetricsConfig {
    pub token: String,
}

impl fmt::Debug for MetricsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetricsConfig").field("token", &if self.token.is_empty() { "" } else { "***" }).finish()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseConfig {
    pub url: DatabaseUrl,
    pub max_connections: u32,
}

/// Starting values of the security policy; the security administrator (secadmin) can change
/// them at run time, and the stored policy then wins.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SecurityDefaults {
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub login_max_failures: i64,
    pub login_window_minutes: i64,
    pub lockout_minutes: i64,
    pub password_min_length: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct LogConfig {
    /// `tracing` filter, e.g. `info,dangjian=debug`.
    pub filter: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            addr: "127.0.0.1:8080".into(),
            secure_cookies: false,
            trust_forwarded_for: false,
            request_timeout_secs: 60,
            public_url: String::new(),
        }
    }
}

impl Default for UploadLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: 20 * 1024 * 1024,
            max_unpacked_bytes: 100 * 1024 * 1024,
            max_rows: 100_000,
            max_columns: 200,
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self { url: DatabaseUrl("sqlite://data/dangjian.db".into()), max_connections: 8 }
    }
}

impl Default for SecurityDefaults {
    fn default() -> Self {
        Self {
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            login_max_failures: 5,
            login_window_minutes: 15,
            lockout_minutes: 15,
            password_min_length: 10,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self { filter: "info".into() }
    }
}

/// A database URL whose password is never printed.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct DatabaseUrl(pub String);

impl DatabaseUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with any password replaced by `***`, for logs and messages.
    pub fn redacted(&self) -> String {
        let url = &self.0;
        let Some(scheme_end) = url.find("://") else {
            return url.clone();
        };
        let rest = &url[scheme_end + 3..];
        let authority_end = rest.find('/').unwrap_or(rest.len());
        match rest[..authority_end].rfind('@') {
            Some(at) => {
                let userinfo = &rest[..at];
                let user = userinfo.split(':').next().unwrap_or("");
                format!("{}://{}:***{}", &url[..scheme_end], user, &rest[at..])
            }
            None => url.clone(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.redacted())
    }
}

impl Config {
    /// Loads defaults, then `file` if it exists, then `DANGJIAN__*` environment variables.
    pub fn load(file: &Path) -> Result<Self, Box<figment::Error>> {
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("DANGJIAN__").split("__").lowercase(true))
            .extract()
            .map_err(Box::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_is_redacted() {
        let url = DatabaseUrl("postgres://dj:s3cret@db.local:5432/dj".into());
        assert_eq!(url.redacted(), "postgres://dj:***@db.local:5432/dj");
        assert!(!format!("{url:?}").contains("s3cret"));
        let plain = DatabaseUrl("sqlite://data/dangjian.db".into());
        assert_eq!(plain.redacted(), "sqlite://data/dangjian.db");
    }

    #[test]
    fn file_and_env_layers_override_defaults() {
        #[allow(clippy::result_large_err)]
        figment::Jail::expect_with(|jail| {
            jail.create_file("dangjian.toml", "[server]\naddr = \"0.0.0.0:9000\"\n[security]\nlockout_minutes = 30\n")?;
            jail.set_env("DANGJIAN__SECURITY__LOCKOUT_MINUTES", "45");
            let cfg = Config::load(Path::new("dangjian.toml")).map_err(|e| e.to_string())?;
            assert_eq!(cfg.server.addr, "0.0.0.0:9000");
            assert_eq!(cfg.security.lockout_minutes, 45);
            assert_eq!(cfg.security.session_idle_minutes, 30);
            Ok(())
        });
    }
}
