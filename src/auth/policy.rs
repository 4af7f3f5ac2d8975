//! The security policy in force: configuration defaults, overridden by what the security
//! administrator (secadmin) stored in `settings`.

use sea_orm::{ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};

use super::entity::setting;
use crate::config::SecurityDefaults;

pub const SETTINGS_KEY: &str = "security_policy";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityPolicy {
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub login_max_failures: i64,
    pub login_window_minutes: i64,
    pub lockout_minutes: i64,
    pub password_min_length: i64,
}

impl From<&SecurityDefaults> for SecurityPolicy {
    fn from(d: &SecurityDefaults) -> Self {
        Self {
            session_idle_minutes: d.session_idle_minutes,
            session_absolute_hours: d.session_absolute_hours,
            login_max_failures: d.login_max_failures,
            login_window_minutes: d.login_window_minutes,
            lockout_minutes: d.lockout_minutes,
            password_min_length: d.password_min_length,
        }
    }
}

impl SecurityPolicy {
    /// The allowed range of each field, with its Chinese label; used to validate the form.
    pub const FIELDS: [(&'static str, &'static str, i64, i64); 6] = [
        ("session_idle_minutes", "会话空闲超时（分钟）", 5, 240),
        ("session_absolute_hours", "会话最长有效期（小时）", 1, 72),
        ("login_max_failures", "同一地址连续失败多少次锁定该账号（对该地址）", 3, 20),
        ("login_window_minutes", "失败次数统计窗口（分钟）", 5, 1440),
        ("lockout_minutes", "最长锁定时长（分钟；首次 1 分钟，之后加倍）", 5, 1440),
        ("password_min_length", "密码最短长度", 8, 64),
    ];

    pub fn get(&self, name: &str) -> i64 {
        match name {
            "session_idle_minutes" => self.session_idle_minutes,
            "session_absolute_hours" => self.session_absolute_hours,
            "login_max_failures" => self.login_max_failures,
            "login_window_minutes" => self.login_window_minutes,
            "lockout_minutes" => self.lockout_minutes,
            "password_min_length" => self.password_min_length,
            _ => 0,
        }
    }

    pub fn set(&mut self, name: &str, value: i64) {
        match name {
            "session_idle_minutes" => self.session_idle_minutes = value,
            "session_absolute_hours" => self.session_absolute_hours = value,
            "login_max_failures" => self.login_max_failures = value,
            "login_window_minutes" => self.login_window_minutes = value,
            "lockout_minutes" => self.lockout_minutes = value,
            "password_min_length" => self.password_min_length = value,
            _ => {}
        }
    }

    pub async fn load<C: ConnectionTrait>(db: &C, defaults: &SecurityDefaults) -> Result<Self, sea_orm::DbErr> {
        let stored = setting::Entity::find_by_id(SETTINGS_KEY.to_owned()).one(db).await?;
        Ok(stored
            .and_then(|row| serde_json::from_str(&row.value).ok())
            .unwrap_or_else(|| SecurityPolicy::from(defaults)))
    }
}
