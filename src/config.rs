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
    pub log: LogConfig,
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
