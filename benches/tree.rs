//! Moving whole sub-bureaus at `city` scale on SQLite: every table that keeps a copy of the
//! organization path (people, memberships, transfers, ...) follows in the same transaction.
//! Run: `cargo bench --bench tree` (release build). Prints a Markdown table for
//! docs/benchmarks.md. Uses the HTTP API only, so the same file measures any version.
//! `DANGJIAN_BENCH_DB=postgres://…/empty_db` (or `mysql://…`) runs it on an existing, empty
//! PostgreSQL or MySQL database instead of a fresh SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use dangjian::clock::SystemClock;
use dangjian::config::{Config, DatabaseUrl};
use dangjian::state::AppState;
use serde_json::{Value, json};

struct Client {
    http: reqwest::Client,
    base: String,
    csrf: String,
}

impl Client {
    async fn login(base: &str) -> Client {
        let http = reqwest::Client::builder().cookie_store(true).build().unwrap();
        let res = http
            .post(format!("{base}/api/v1/session"))
            .json(&json!({"username": "zzb", "password": "Demo@2024"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let me: Value = res.json().await.unwrap();
        Client { http, base: base.to_owned(), csrf: me["csrf_token"].as_str().unwrap_or_default().to_owned() }
    }

    async fn get(&self, path: &str) -> Value {
        self.http.get(format!("{}{path}", self.base)).send().await.unwrap().json().await.unwrap()
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let res = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        res.json().await.unwrap()
    }
}

/// Organizations, people and Party members in the subtree of `id`.
async fn size(c: &Client, id: i64) -> (u64, u64, u64) {
    let org = c.get(&format!("/api/v1/orgs/{id}")).await;
    let orgs = c.get(&format!("/api/v1/orgs?under={id}&page_size=1")).await["total"].as_u64().unwrap();
    let g = &org["governance"];
    let members = g["full_members"].as_u64().unwrap() + g["probationary_members"].as_u64().unwrap();
    (orgs, org["people_in_subtree"].as_u64().unwrap(), members)
}

async fn timed_move(c: &Client, label: &str, id: i64, parent: i64) {
    let (orgs, people, members) = size(c, id).await;
    let t = Instant::now();
    c.send(reqwest::Method::PATCH, &format!("/api/v1/orgs/{id}"), json!({"parent_id": parent})).await;
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    println!("| {label} | {orgs} | {people} | {members} | {ms:.0} ms |");
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        match std::env::var("DANGJIAN_BENCH_DB") {
            Ok(url) if !url.is_empty() => {
                config.database.url = DatabaseUrl(url);
                // Servers need an audit key from the configuration (SQLite writes one beside its file).
                config.audit.key = "62656e63686d61726b20617564697420636861696e206b6579".into();
            }
            _ => config.database.url = DatabaseUrl(format!("sqlite://{}", dir.path().join("bench.db").display())),
        }
        let db = dangjian::db::connect(&config.database).await.unwrap();
        dangjian::db::migrate(&db).await.unwrap();
        let state = AppState::new(db, config, Arc::new(SystemClock));
        let summary = dangjian::demo::seed(&state, dangjian::demo::Scale::City, 1).await.unwrap();
        dangjian::db::analyze(&state.db).await.unwrap();
        let backend = state.db.get_database_backend();
        println!("city demo on {backend:?}: {} orgs, {} people\n", summary.orgs, summary.people);

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server_state = state.clone();
        tokio::spawn(async move { dangjian::serve(listener, server_state, std::future::pending()).await });
        let c = Client::login(&base).await;

        // The two largest sub-bureaus (committees right under the root).
        let mut bureaus = Vec::new();
        for o in c.get("/api/v1/orgs?kind=%E5%85%9A%E5%A7%94&page_size=100").await["items"].as_array().unwrap() {
            if o["depth"] == 1 && o["name"].as_str().unwrap().ends_with("分局委员会") {
                let id = o["id"].as_i64().unwrap();
                bureaus.push((size(&c, id).await.1, id));
            }
        }
        bureaus.sort_unstable_by_key(|b| std::cmp::Reverse(*b));
        let (x, y) = (bureaus[0].1, bureaus[1].1);
        let root = 1;
        let hq = c.get("/api/v1/orgs?kind=%E5%85%9A%E5%A7%94&q=%E6%9C%BA%E5%85%B3%E5%A7%94%E5%91%98%E4%BC%9A").await
            ["items"][0]["id"]
            .as_i64()
            .unwrap();
        let holder = c
            .send(
                reqwest::Method::POST,
                "/api/v1/orgs",
                json!({"name": "基准测试工作委员会", "kind": "党委", "parent_id": root}),
            )
            .await["id"]
            .as_i64()
            .unwrap();

        println!("| move | organizations | people | Party members | time |");
        println!("|---|---|---|---|---|");
        timed_move(&c, "largest sub-bureau under a new committee", x, holder).await;
        timed_move(&c, "second largest sub-bureau under it", y, holder).await;
        timed_move(&c, "the committee with both under the headquarters committee", holder, hq).await;
        timed_move(&c, "and back under the root", holder, root).await;
    });
}
