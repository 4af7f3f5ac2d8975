use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

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
    /// The policy as last read, for the per-request session check (see [`AppState::cached_policy`]).
    policy_cache: Arc<RwLock<Option<(Instant, SecurityPolicy)>>>,
    /// Bumped by every policy change made here, so a read that overlapped one is not cached.
    policy_generation: Arc<AtomicU64>,
    /// Row counts of list filters (see [`AppState::cached_count`]).
    counts: Arc<RwLock<HashMap<String, Arc<CountSlot>>>>,
    /// One import at a time per instance: reading a large spreadsheet takes memory and a core.
    pub imports: Arc<tokio::sync::Semaphore>,
    /// How far that import has got (`crate::io::progress`).
    pub progress: Arc<crate::io::progress::Progress>,
}

/// One filter's remembered count. Its lock is held while the count runs, so requests asking the
/// same question at once wait for one answer instead of each counting the whole bureau.
type CountSlot = tokio::sync::Mutex<Option<CachedCount>>;

#[derive(Clone, Copy)]
struct CachedCount {
    epoch: u64,
    at: Instant,
    count: u64,
}

/// How long a list's total may lag behind another instance's writes.
const COUNT_TTL: Duration = Duration::from_secs(5);
/// Distinct filters remembered at most; beyond that the cache starts over.
const COUNT_ENTRIES: usize = 2_000;

/// How long another instance's policy change may take to reach this one's session checks.
const POLICY_TTL: Duration = Duration::from_secs(5);

impl AppState {
    pub fn new(db: DatabaseConnection, config: Config, clock: SharedClock) -> Self {
        // The audit key, process-wide: every audited write needs it. `cli` loads it first and
        // stops on an error; here a failure is logged and audited writes fail with that message.
        if let Err(e) = crate::audit::keys::ensure(&config) {
            tracing::error!("{e:#}");
        }
        Self {
            db,
            config: Arc::new(config),
            clock,
            metrics: Arc::new(Metrics::new()),
            demo: false,
            policy_cache: Arc::default(),
            policy_generation: Arc::default(),
            counts: Arc::default(),
            imports: Arc::new(tokio::sync::Semaphore::new(1)),
            progress: Arc::default(),
        }
    }

    /// The security policy in force (stored settings over configuration defaults).
    pub async fn policy(&self) -> Result<SecurityPolicy, sea_orm::DbErr> {
        SecurityPolicy::load(&self.db, &self.config.security).await
    }

    /// The policy for checking session expiry on every request: read at most every few seconds
    /// instead of once per request. Changes made here are seen at once ([`Self::forget_policy`]);
    /// those made by another instance within [`POLICY_TTL`].
    pub async fn cached_policy(&self) -> Result<SecurityPolicy, sea_orm::DbErr> {
        if let Ok(guard) = self.policy_cache.read()
            && let Some((read_at, policy)) = *guard
            && read_at.elapsed() < POLICY_TTL
        {
            return Ok(policy);
        }
        let generation = self.policy_generation.load(Ordering::Acquire);
        let policy = self.policy().await?;
        if let Ok(mut guard) = self.policy_cache.write()
            && self.policy_generation.load(Ordering::Acquire) == generation
        {
            // Not when the policy changed while it was being read: that value may be the old one.
            *guard = Some((Instant::now(), policy));
        }
        Ok(policy)
    }

    /// The total of a list, remembered per filter (`key`) until this process writes anything or
    /// a few seconds pass: counting a whole bureau's roster reads tens of thousands of index
    /// entries, while paging through it asks the same question again and again.
    pub async fn cached_count<F>(&self, key: String, count: F) -> Result<u64, sea_orm::DbErr>
    where
        F: Future<Output = Result<u64, sea_orm::DbErr>>,
    {
        let fresh = |c: &Option<CachedCount>, epoch: u64| match c {
            Some(c) if c.epoch == epoch && c.at.elapsed() < COUNT_TTL => Some(c.count),
            _ => None,
        };
        let existing = self.counts.read().ok().and_then(|map| map.get(&key).cloned());
        let slot = match existing {
            Some(slot) => slot,
            None => {
                let Ok(mut map) = self.counts.write() else { return count.await };
                if map.len() >= COUNT_ENTRIES {
                    map.clear();
                }
                map.entry(key).or_default().clone()
            }
        };
        let mut cached = slot.lock().await;
        // Read after the lock: a write committed while waiting makes the waited-for count stale.
        let epoch = crate::db::write_epoch();
        if let Some(value) = fresh(&cached, epoch) {
            return Ok(value);
        }
        let value = count.await?;
        *cached = Some(CachedCount { epoch, at: Instant::now(), count: value });
        Ok(value)
    }

    pub fn forget_policy(&self) {
        self.policy_generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut guard) = self.policy_cache.write() {
            *guard = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DatabaseUrl;

    async fn in_memory() -> AppState {
        let mut config = Config::default();
        config.database.url = DatabaseUrl("sqlite::memory:".into());
        config.database.max_connections = 1;
        let db = crate::db::connect(&config.database).await.unwrap();
        AppState::new(db, config, Arc::new(crate::clock::SystemClock))
    }

    #[tokio::test]
    async fn a_cached_count_is_recomputed_after_a_write() {
        let state = in_memory().await;
        let first = state.cached_count("k".into(), async { Ok(7) }).await.unwrap();
        let again = state.cached_count("k".into(), async { Ok(8) }).await.unwrap();
        assert_eq!((first, again), (7, 7), "the same question is answered from memory");
        let other = state.cached_count("other".into(), async { Ok(3) }).await.unwrap();
        assert_eq!(other, 3, "another filter has its own count");
        crate::db::begin_write(&state.db).await.unwrap().rollback().await.unwrap();
        let after = state.cached_count("k".into(), async { Ok(9) }).await.unwrap();
        assert_eq!(after, 9, "a write makes the cached count stale");
    }

    #[tokio::test]
    async fn requests_asking_the_same_count_at_once_share_one_answer() {
        let state = in_memory().await;
        let runs = Arc::new(AtomicU64::new(0));
        let ask = |value: u64| {
            let (state, runs) = (state.clone(), runs.clone());
            async move {
                let count = async {
                    runs.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Ok(value)
                };
                state.cached_count("same".into(), count).await.unwrap()
            }
        };
        let before = crate::db::write_epoch();
        let tasks: Vec<_> = (0..8).map(|v| tokio::spawn(ask(v))).collect();
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(task.await.unwrap());
        }
        // Another test's write (the epoch is process-wide) rightly makes a waiter count again.
        let writes = crate::db::write_epoch() - before;
        let runs = runs.load(Ordering::SeqCst);
        assert!((1..=1 + writes).contains(&runs), "eight requests at once count once, not {runs}");
        if writes == 0 {
            assert!(answers.iter().all(|&a| a == answers[0]), "and all get that count: {answers:?}");
        }
    }
}
