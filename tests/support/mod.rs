//! Test harness shared by the integration and browser suites: the real application on port 0
//! over a fresh database (SQLite always; PostgreSQL and MySQL when their URLs are given), with
//! the small demo bureau and a manual clock.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{TimeZone, Utc};
use dangjian::clock::ManualClock;
use dangjian::config::{Config, DatabaseUrl};
use dangjian::state::AppState;
use sea_orm::{ConnectionTrait, Database, DatabaseBackend, Statement};
use serde_json::Value;
use tokio::sync::oneshot;

pub mod xlsx;

/// A valid ID number: the 17 digits given and their GB 11643 check character.
pub fn valid_id(body17: &str) -> String {
    format!("{body17}{}", dangjian::people::idcard::check_char(body17).unwrap())
}

pub const PASSWORD: &str = "Demo@2024";

/// The audit chain's key in every test application (one process holds one key); command-line
/// runs against a test database get it as `DANGJIAN__AUDIT__KEY`.
pub const AUDIT_KEY: &str = "7465737420617564697420636861696e206b6579206f6e6c7920666f722074657374732121";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

/// In CI (`DANGJIAN_TEST_REQUIRE_ALL=1`) a missing database URL is a failure, not a skip.
fn required() -> bool {
    std::env::var("DANGJIAN_TEST_REQUIRE_ALL").is_ok_and(|v| v == "1")
}

pub fn backends() -> Vec<Backend> {
    let mut out = vec![Backend::Sqlite];
    for (var, backend) in
        [("DANGJIAN_TEST_POSTGRES_URL", Backend::Postgres), ("DANGJIAN_TEST_MYSQL_URL", Backend::Mysql)]
    {
        match std::env::var(var) {
            Ok(url) if !url.is_empty() => out.push(backend),
            _ if required() => panic!("{var} is not set but DANGJIAN_TEST_REQUIRE_ALL=1"),
            _ => eprintln!("note: {var} not set; {backend:?} suite skipped"),
        }
    }
    out
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Replaces the database name (the last path segment) of a server URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// A fresh, empty database for one test; returns its URL and what to drop afterwards.
async fn fresh_database(backend: Backend) -> (String, Option<(String, String)>, Option<tempfile::TempDir>) {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let name = format!("dj_test_{}_{}_{}", std::process::id(), n, rand_suffix());
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("tempdir");
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            (url, None, Some(dir))
        }
        Backend::Postgres | Backend::Mysql => {
            let var =
                if backend == Backend::Postgres { "DANGJIAN_TEST_POSTGRES_URL" } else { "DANGJIAN_TEST_MYSQL_URL" };
            let server = std::env::var(var).expect("database url");
            let admin = Database::connect(&server).await.expect("connect to test server");
            let sql = if backend == Backend::Postgres {
                format!("CREATE DATABASE {name}")
            } else {
                format!("CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            };
            admin.execute_unprepared(&sql).await.expect("create test database");
            admin.close().await.ok();
            (with_database(&server, &name), Some((server, name)), None)
        }
    }
}

fn rand_suffix() -> String {
    use rand::Rng;
    format!("{:06x}", rand::thread_rng().gen_range(0..0xffffff))
}

pub struct TestApp {
    pub backend: Backend,
    pub base: String,
    pub db_url: String,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    drop_db: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestApp {
    /// Starts the application with the small demo bureau.
    pub async fn spawn(backend: Backend) -> TestApp {
        let app = Self::spawn_empty(backend).await;
        dangjian::demo::seed(&app.state, dangjian::demo::Scale::Small, 1).await.expect("demo seed");
        app
    }

    /// Starts the application over a migrated, empty database.
    pub async fn spawn_empty(backend: Backend) -> TestApp {
        Self::spawn_empty_with(backend, |_| {}).await
    }

    /// Starts the application with the small demo bureau and a configuration changed by `configure`.
    pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut Config)) -> TestApp {
        let app = Self::spawn_empty_with(backend, configure).await;
        dangjian::demo::seed(&app.state, dangjian::demo::Scale::Small, 1).await.expect("demo seed");
        app
    }

    /// Starts the application over a migrated, empty database with a configuration changed by
    /// `configure`.
    pub async fn spawn_empty_with(backend: Backend, configure: impl FnOnce(&mut Config)) -> TestApp {
        let (db_url, drop_db, dir) = fresh_database(backend).await;
        let mut config = Config::default();
        config.database.url = DatabaseUrl(db_url.clone());
        config.database.max_connections = 5;
        config.audit.key = AUDIT_KEY.into();
        configure(&mut config);
        let db = dangjian::db::connect(&config.database).await.expect("connect");
        dangjian::db::migrate(&db).await.expect("migrate");
        let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0).unwrap()));
        let state = AppState::new(db, config, clock.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(dangjian::serve(listener, state.clone(), async move {
            let _ = rx.await;
        }));
        TestApp { backend, base, db_url, state, clock, shutdown: Some(tx), server: Some(server), drop_db, _dir: dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A fresh browser-like client: its own cookie jar, redirects not followed.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Logs in over the JSON API; returns the client (holding the cookie) and the CSRF token.
    pub async fn login(&self, username: &str) -> Session {
        self.login_with(username, PASSWORD).await.unwrap_or_else(|body| panic!("login {username}: {body}"))
    }

    pub async fn login_with(&self, username: &str, password: &str) -> Result<Session, Value> {
        let client = self.client();
        let res = client
            .post(self.url("/api/v1/session"))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .expect("send");
        let status = res.status();
        let body: Value = res.json().await.expect("json");
        if status != 201 {
            return Err(serde_json::json!({"status": status.as_u16(), "body": body}));
        }
        let csrf = body["csrf_token"].as_str().unwrap_or_default().to_owned();
        Ok(Session { client, csrf, base: self.base.clone(), me: body })
    }

    /// Runs one SQL statement directly (to simulate tampering with the database's own client).
    pub async fn sql(&self, sql: &str) {
        let backend = self.state.db.get_database_backend();
        self.state.db.execute_raw(Statement::from_string(backend, sql)).await.expect("sql");
    }

    pub fn db_backend(&self) -> DatabaseBackend {
        self.state.db.get_database_backend()
    }

    /// Stops the server (letting in-flight requests finish) and drops the test database.
    pub async fn finish(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.state.db.clone().close().await.ok();
        if let Some((server, name)) = self.drop_db.take()
            && let Ok(admin) = Database::connect(&server).await
        {
            let sql = if self.backend == Backend::Postgres {
                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            } else {
                format!("DROP DATABASE IF EXISTS {name}")
            };
            let _ = admin.execute_unprepared(&sql).await;
            admin.close().await.ok();
        }
    }
}

/// Runs a scenario once per configured database, each on a fresh application.
pub async fn on_all_backends<F, Fut>(scenario: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = TestApp>,
{
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let app = scenario(app).await;
        app.finish().await;
    }
}

#[derive(Debug)]
pub struct Session {
    pub client: reqwest::Client,
    pub csrf: String,
    pub base: String,
    pub me: Value,
}

impl Session {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("get")
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// A JSON write carrying the CSRF header, as the API requires for cookie sessions.
    pub async fn send_json(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let res = self
            .client
            .request(method, self.url(path))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .expect("send");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// A web form post with the session's CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("_csrf", &self.csrf));
        self.client.post(self.url(path)).form(&all).send().await.expect("post")
    }

    /// `POST /api/v1/persons/{id}/reveal`: the full values of sensitive fields.
    pub async fn reveal(&self, person: i64, fields: &[&str]) -> (u16, Value) {
        let path = format!("/api/v1/persons/{person}/reveal");
        self.send_json(reqwest::Method::POST, &path, serde_json::json!({ "fields": fields })).await
    }

    /// A person's full ID number, revealed (and so audited); panics when refused.
    pub async fn full_id(&self, person: i64) -> String {
        let (status, body) = self.reveal(person, &["id_number"]).await;
        assert_eq!(status, 200, "reveal of #{person}: {body}");
        body["fields"][0]["value"].as_str().unwrap_or_default().to_owned()
    }

    pub fn user_id(&self) -> i64 {
        self.me["id"].as_i64().unwrap_or_default()
    }
}

/// Finds `name="_csrf" value="…"` in a page.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    html.find(marker)
        .map(|i| {
            let rest = &html[i + marker.len()..];
            rest[..rest.find('"').unwrap_or(0)].to_owned()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(with_database("postgres://root@127.0.0.1:5432/test", "x"), "postgres://root@127.0.0.1:5432/x");
        assert_eq!(
            with_database("mysql://root@127.0.0.1:3306/test?ssl-mode=disabled", "x"),
            "mysql://root@127.0.0.1:3306/x?ssl-mode=disabled"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }
}
