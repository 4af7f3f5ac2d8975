//! Injected time: every deadline and timestamp comes from a [`Clock`], so tests can move time.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, SubsecRound, Utc};

/// Source of the current time. Stored timestamps are UTC with whole seconds, so they compare
/// and hash identically on SQLite, PostgreSQL and MySQL.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;

    /// Now as stored in the database: naive UTC, truncated to seconds.
    fn now_db(&self) -> NaiveDateTime {
        self.now().trunc_subsecs(0).naive_utc()
    }

    /// Today's date in the bureau's time zone (Asia/Shanghai).
    fn today(&self) -> NaiveDate {
        self.now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive()
    }
}

pub type SharedClock = Arc<dyn Clock>;

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to; for tests.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Mutex::new(start))
    }

    pub fn advance(&self, by: Duration) {
        let mut guard = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *guard += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Formats a stored UTC timestamp for display in Beijing time.
pub fn display_local(ts: NaiveDateTime) -> String {
    ts.and_utc().with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Serde helpers: stored UTC timestamps shown to API clients in Beijing time.
pub mod serde_local {
    use chrono::NaiveDateTime;
    use serde::Serializer;

    pub fn serialize<S: Serializer>(ts: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::display_local(*ts))
    }

    pub fn option<S: Serializer>(ts: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match ts {
            Some(ts) => s.serialize_str(&super::display_local(*ts)),
            None => s.serialize_none(),
        }
    }
}
