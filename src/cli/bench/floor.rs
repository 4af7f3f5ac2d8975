//! The floor of a page: the database statements one request of it runs, captured and replayed.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Statement};
use tower::ServiceExt;

use super::Page;
use super::data::Ctx;
use super::http::Session;
use super::load::page_request;
use crate::config::Config;
use crate::state::AppState;

/// A statement a page ran, and how long it took then.
pub(super) type Captured = (Statement, Duration);

/// Where the statements of the request being captured go (`None`: not capturing).
pub(super) type Capture = Arc<Mutex<Option<Vec<Captured>>>>;

pub(super) async fn open_capturing(config: Config, captured: Capture) -> anyhow::Result<AppState> {
    crate::audit::keys::ensure(&config)?;
    crate::app::install_modules(&crate::app::modules());
    let mut db = crate::db::connect(&config.database).await?;
    crate::db::migrate(&db).await?;
    crate::people::store::fill_missing_initials(&db).await?;
    crate::people::store::fill_missing_grams(&db).await?;
    db.set_metric_callback(move |info| {
        if let Ok(mut guard) = captured.lock()
            && let Some(list) = guard.as_mut()
        {
            list.push((info.statement.clone(), info.elapsed));
        }
    });
    Ok(AppState::new(db, config, Arc::new(crate::clock::SystemClock)))
}

/// The statements one in-process request of the page runs (its second run, so that caches are
/// as warm as in the server under load).
pub(super) async fn capture(
    app: &axum::Router,
    captured: &Capture,
    session: &Session,
    ctx: &Ctx,
    page: &Page,
) -> anyhow::Result<Vec<Captured>> {
    let mut statements = Vec::new();
    for round in 0..2 {
        let mut request = page_request(session, ctx, page, 7)?;
        request.extensions_mut().insert(axum::extract::ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 9))));
        set_capture(captured, true);
        let response = app.clone().oneshot(request).await;
        let _ = match response {
            Ok(r) => axum::body::to_bytes(r.into_body(), usize::MAX).await.ok(),
            Err(never) => match never {},
        };
        // The audit writer commits before the response; nothing of this request comes later.
        if round == 1 {
            statements = take_capture(captured);
        }
        set_capture(captured, false);
    }
    Ok(statements)
}

fn set_capture(captured: &Capture, on: bool) {
    if let Ok(mut guard) = captured.lock() {
        *guard = on.then(Vec::new);
    }
}

fn take_capture(captured: &Capture) -> Vec<Captured> {
    captured.lock().ok().and_then(|mut g| g.take()).unwrap_or_default()
}

fn reads(s: &Statement) -> bool {
    let sql = s.sql.trim_start().to_ascii_uppercase();
    sql.starts_with("SELECT") || sql.starts_with("WITH")
}

/// Runs the page's reads again one after another on a plain connection and adds the time its
/// writes took when captured (a write cannot be repeated: the audit row it adds is unique).
pub(super) async fn replay(db: &sea_orm::DatabaseConnection, statements: &[Captured]) -> anyhow::Result<Duration> {
    let t = Instant::now();
    let mut writes = Duration::ZERO;
    for (s, took) in statements {
        if reads(s) {
            db.query_all_raw(s.clone()).await?;
        } else {
            writes += *took;
        }
    }
    Ok(t.elapsed() + writes)
}

/// Prints the `n` statements of a page that took longest when captured, slowest first, each
/// with its time and its SQL (values inline, shortened).
pub(super) fn print_slowest(statements: &[Captured], n: usize) {
    let mut sorted: Vec<&Captured> = statements.iter().collect();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.1));
    for (s, took) in sorted.into_iter().take(n) {
        let sql: String = s.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
        let shown: String = sql.chars().take(600).collect();
        let more = if sql.chars().count() > 600 { " …" } else { "" };
        println!("    {:>8.1} ms  {shown}{more}", took.as_secs_f64() * 1000.0);
    }
}
