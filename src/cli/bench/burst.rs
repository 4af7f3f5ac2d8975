//! Item 7 of issue 15: a page's latency while bursts of 16 logins arrive together. Password
//! checking is deliberately slow (argon2); it must not take the CPU every other request needs.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::data::Ctx;
use super::http::Session;
use super::{Page, PageResult, load};

/// Logins sent together in each burst.
pub const BURST: usize = 16;

/// What the page saw during the bursts, and the logins' own times.
#[derive(Debug, Clone)]
pub struct BurstResult {
    pub page: PageResult,
    pub logins: usize,
    pub login_p50: Duration,
    pub login_p99: Duration,
}

/// Drives `page` as [`load::load`] does while, the whole time, bursts of [`BURST`] logins of
/// `username` arrive at once (a new burst as soon as the last one is answered).
pub async fn run(
    addr: SocketAddr,
    session: &Session,
    ctx: &Ctx,
    page: &Page,
    username: &'static str,
    clients: usize,
    duration: Duration,
) -> anyhow::Result<BurstResult> {
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let bursts = {
        let (stop, done) = (stop.clone(), done.clone());
        tokio::spawn(async move {
            let mut times = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let logins: Vec<_> = (0..BURST)
                    .map(|_| {
                        tokio::spawn(async move {
                            let t = Instant::now();
                            Session::login(addr, username).await.map(|_| t.elapsed())
                        })
                    })
                    .collect();
                for login in logins {
                    times.push(login.await??);
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
            anyhow::Ok(times)
        })
    };
    let result = load::load(addr, session, ctx, page, clients, duration).await;
    stop.store(true, Ordering::Relaxed);
    let mut times = bursts.await??;
    times.sort();
    Ok(BurstResult {
        page: result?,
        logins: done.load(Ordering::Relaxed),
        login_p50: load::percentile(&times, 0.5),
        login_p99: load::percentile(&times, 0.99),
    })
}
