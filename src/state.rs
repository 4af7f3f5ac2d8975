use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::auth::policy::SecurityPolicy;
use crate::clock::SharedClock;
use crate::config::Config;
use crate::metrics::Metrics;

/// Everything a request needs; cheap to clone. The server keeps no other state, so any number
/// of instances can share one database.
#[derive(Clone)]
pub struct AppState {
    /// Connection pool of the configured database.
    pub db: DatabaseConnection,
    /// The configuration in force (read-only after start-up).
    pub config: Arc<Config>,
    /// Source of "now"; a manual clock in tests.
    pub clock: SharedClock,
    /// Prometheus registry and request counters.
    pub metrics: Arc<Metrics>,
    /// Started with `--demo`: the login page lists the demo accounts.
    pub demo: bool,
}

impl AppState {
    pub fn new(db: DatabaseConnection, config: Config, clock: SharedClock) -> Self {
        Self { db, config: Arc::new(config), clock, metrics: Arc::new(Metrics::new()), demo: false }
    }

    /// The security policy in force (stored settings over configuration defaults).
    pub async fn policy(&self) -> Result<SecurityPolicy, sea_orm::DbErr> {
        SecurityPolicy::load(&self.db, &self.config.security).await
    }
}
