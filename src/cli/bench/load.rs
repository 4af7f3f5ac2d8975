//! Concurrent clients on one page, and the percentiles of what they saw.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::body::Body;
use axum::http::{Method, Request};

use super::data::Ctx;
use super::http::{Client, Session};
use super::{Page, PageResult};

pub(super) fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

pub(super) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// `clients` connections send the page's request in a loop for `duration` (after a warm-up of a
/// fifth of it).
pub(super) async fn load(
    addr: SocketAddr,
    session: &Session,
    ctx: &Ctx,
    page: &Page,
    clients: usize,
    duration: Duration,
) -> anyhow::Result<PageResult> {
    let warmup = duration / 5;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients.max(1) {
        let mut client = Client::connect(addr).await?;
        let session = session.clone();
        let ctx = ctx.clone();
        let (method, path, body) = (page.method, page.path, page.body);
        tasks.push(tokio::spawn(async move {
            let page = Page { name: "", role: "", method, path, body };
            let mut times = Vec::new();
            let mut errors = 0usize;
            let mut n = c * 1_000_000;
            loop {
                let before = Instant::now();
                // Every client measures at least one request, however slow the page (a smoke run is short).
                if before - start >= warmup + duration && !times.is_empty() {
                    break;
                }
                let request = page_request(&session, &ctx, &page, n)?;
                let status = client.send(request).await?.0;
                n += 1;
                if before - start >= warmup {
                    times.push(before.elapsed());
                    if !status.is_success() {
                        errors += 1;
                    }
                }
            }
            anyhow::Ok((times, errors))
        }));
    }
    let mut times = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (t, e) = task.await??;
        times.extend(t);
        errors += e;
    }
    times.sort();
    Ok(PageResult {
        name: page.name.to_owned(),
        role: page.role.to_owned(),
        requests: times.len(),
        errors,
        p50: percentile(&times, 0.5),
        p95: percentile(&times, 0.95),
        p99: percentile(&times, 0.99),
        per_second: times.len() as f64 / duration.as_secs_f64().max(0.001),
        single: Duration::ZERO,
        raw: Duration::ZERO,
        statements: 0,
    })
}

pub(super) fn page_request(session: &Session, ctx: &Ctx, page: &Page, n: usize) -> anyhow::Result<Request<Body>> {
    let method = Method::from_bytes(page.method.as_bytes()).context("请求方法")?;
    session.request(method, &ctx.fill(page.path, n), page.body)
}
