//! Group commit for audit rows that belong to no business transaction ([`super::record_alone`]:
//! sensitive reads, refusals, exports, the auditor's own queries).
//!
//! Each such row used to take a write transaction of its own, and every one of them locks the
//! chain head: sixteen officers opening profiles at once queued on that lock (on SQLite, on
//! the busy timeout's sleeps), and the slowest waited most of a second. Now callers put their
//! event in the queue of their connection pool and wait for its confirmation; one task per pool
//! writes everything queued in one transaction — one head read, check and update, one INSERT —
//! and then confirms every caller. The row is committed before `record_alone` returns, as
//! before: a sensitive field is never shown without its audit row, and when the write fails
//! each caller gets the error (the request answers 500).
//!
//! The task exists only while there is something to write: the first caller to find no queue
//! for its pool creates it and spawns the task, which drains it batch after batch and removes it
//! when it finds it empty. Nothing has to be started with the application state or stopped at
//! shutdown (a graceful stop waits for the requests, and they wait for their rows), and the many
//! applications of a test process each get their own queue.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::oneshot;

use super::Event;

/// Events written in one transaction at most; more wait for the next one.
const MAX_BATCH: usize = 256;

struct Job {
    at: NaiveDateTime,
    event: Event,
    done: oneshot::Sender<Result<(), DbErr>>,
}

/// Queues by connection pool ([`pool_id`]). A queue is here exactly while its task runs.
static QUEUES: LazyLock<Mutex<HashMap<usize, Vec<Job>>>> = LazyLock::new(Mutex::default);

fn queues() -> MutexGuard<'static, HashMap<usize, Vec<Job>>> {
    // The lock is never held across an await or anything that can panic.
    QUEUES.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Identity of the pool behind `db`: the address of its options, which live as long as the pool
/// (every clone of the connection shares them). `None` for connections that are not a pool.
fn pool_id(db: &DatabaseConnection) -> Option<usize> {
    use sea_orm::DatabaseConnectionType as T;
    Some(match &db.inner {
        T::SqlxSqlitePoolConnection(_) => std::ptr::from_ref(db.get_sqlite_connection_pool().options()) as usize,
        T::SqlxPostgresPoolConnection(_) => std::ptr::from_ref(db.get_postgres_connection_pool().options()) as usize,
        T::SqlxMySqlPoolConnection(_) => std::ptr::from_ref(db.get_mysql_connection_pool().options()) as usize,
        _ => return None,
    })
}

/// Queues `event` for `db`'s writer and waits until its row is committed.
pub(super) async fn append(db: &DatabaseConnection, at: NaiveDateTime, event: Event) -> Result<(), DbErr> {
    let Some(pool) = pool_id(db) else {
        return super::record_batch(db, vec![(at, event)]).await;
    };
    let (done, confirmed) = oneshot::channel();
    let job = Job { at, event, done };
    let start = {
        let mut queues = queues();
        match queues.get_mut(&pool) {
            Some(queue) => {
                queue.push(job);
                false
            }
            None => {
                queues.insert(pool, vec![job]);
                true
            }
        }
    };
    if start {
        // Holding a clone of the connection keeps the pool, and so its id, alive while the
        // queue exists: no other pool can come to share it.
        let writer = Writer { pool, db: db.clone(), armed: true };
        tokio::spawn(writer.run());
    }
    confirmed.await.map_err(|_| DbErr::Custom("审计记录没有写入：写入任务中止".into()))?
}

/// The task that drains one pool's queue.
struct Writer {
    pool: usize,
    db: DatabaseConnection,
    /// Whether the queue is still this writer's to remove (see `Drop`).
    armed: bool,
}

impl Writer {
    async fn run(mut self) {
        loop {
            let batch: Vec<Job> = {
                let mut queues = queues();
                let Some(queue) = queues.get_mut(&self.pool) else {
                    self.armed = false;
                    return;
                };
                if queue.is_empty() {
                    // Removed under the lock: the next caller starts a new writer.
                    queues.remove(&self.pool);
                    self.armed = false;
                    return;
                }
                let n = queue.len().min(MAX_BATCH);
                queue.drain(..n).collect()
            };
            write(&self.db, batch).await;
        }
    }
}

impl Drop for Writer {
    /// A writer dropped before it emptied its queue (the runtime shut down, or a panic) removes
    /// the queue: its callers then get an error instead of waiting forever, and the next caller
    /// starts a new writer.
    fn drop(&mut self) {
        if self.armed {
            queues().remove(&self.pool);
        }
    }
}

/// How long a failed batch may spend retrying its events one by one.
const RETRY_BUDGET: Duration = Duration::from_secs(5);

/// Writes `batch` in one transaction and confirms each caller. When the database refused a
/// statement of the batch, each event is tried again alone, so that one event it cannot store
/// (text with a NUL character on PostgreSQL, say) fails its own request only and not everyone
/// else's. Other failures (no connection, no chain head) and whatever is left when the retries
/// have taken [`RETRY_BUDGET`] fail every caller at once instead of one after the other.
async fn write(db: &DatabaseConnection, batch: Vec<Job>) {
    let events = batch.iter().map(|j| (j.at, j.event.clone())).collect();
    let failure = match super::record_batch(db, events).await {
        Ok(()) => {
            for job in batch {
                let _ = job.done.send(Ok(()));
            }
            return;
        }
        Err(e) => e,
    };
    let retry = batch.len() > 1 && matches!(failure, DbErr::Exec(_) | DbErr::Query(_));
    if retry {
        tracing::warn!("{} 条审计记录合并写入失败，逐条重试：{failure}", batch.len());
    }
    let deadline = Instant::now() + RETRY_BUDGET;
    for job in batch {
        let result = if retry && Instant::now() < deadline {
            super::record_batch(db, vec![(job.at, job.event)]).await
        } else {
            Err(failure.clone())
        };
        let _ = job.done.send(result);
    }
}
