//! Load benchmark of the roster at `city` scale on SQLite (DESIGN.md §7): search, list, profile
//! and the reveal of full ID numbers (each an audited read) under 16 concurrent clients, the Excel
//! export, and a 30,000-row import dry run; then the audit chain is verified.
//! Run: `cargo bench --bench roster` (release build; takes a few minutes). Prints a Markdown
//! table for docs/benchmarks.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use dangjian::clock::SystemClock;
use dangjian::config::{Config, DatabaseUrl};
use dangjian::state::AppState;

const CLIENTS: usize = 16;
const REQUESTS_PER_CLIENT: usize = 100;

struct Client {
    http: reqwest::Client,
    base: String,
    csrf: String,
}

async fn login(base: &str, user: &str) -> Client {
    let http = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let res = http
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({"username": user, "password": "Demo@2024"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let me: serde_json::Value = res.json().await.unwrap();
    let csrf = me["csrf_token"].as_str().unwrap_or_default().to_owned();
    Client { http, base: base.to_owned(), csrf }
}

/// `rows` new 辅警 with valid ID numbers no demo person has (born 1960–1999, sequence 9xx), each
/// placed only by 所在单位 (the unit of the first sub-bureau's office).
fn new_roster(rows: usize) -> Vec<u8> {
    const NAME_CHARS: &str = "安宁平和春夏秋冬东南西北金木水火土山川河海云天明光华国家兴业文武";
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "基准名册").unwrap();
    for (c, h) in ["序号", "姓名", "身份证号码", "人员类别", "政治面貌", "所在单位"].iter().enumerate()
    {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    for i in 0..rows {
        let r = (i + 2) as u32;
        let day = chrono::NaiveDate::from_ymd_opt(1960, 1, 1).unwrap() + chrono::Duration::days((i / 90) as i64);
        let body = format!("370202{}9{:02}", day.format("%Y%m%d"), i % 90);
        let id = format!("{body}{}", dangjian::people::idcard::check_char(&body).unwrap());
        sheet.write_number(r, 0, (i + 1) as f64).unwrap();
        let chars: Vec<char> = NAME_CHARS.chars().collect();
        let name = format!("基准{}{}", chars[i % chars.len()], chars[(i / chars.len()) % chars.len()]);
        sheet.write_string(r, 1, name).unwrap();
        sheet.write_string(r, 2, &id).unwrap();
        sheet.write_string(r, 3, "辅警").unwrap();
        sheet.write_string(r, 4, "群众").unwrap();
        sheet.write_string(r, 5, "东港分局机关").unwrap();
    }
    book.save_to_buffer().unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

type Request = Arc<dyn Fn(&Client, usize) -> reqwest::RequestBuilder + Send + Sync>;

/// `CLIENTS` clients each send `REQUESTS_PER_CLIENT` GET requests of `path(i)`.
async fn load(name: &str, clients: &[Arc<Client>], path: Arc<dyn Fn(usize) -> String + Send + Sync>) {
    let request: Request = Arc::new(move |c: &Client, i| c.http.get(format!("{}{}", c.base, path(i))));
    load_requests(name, clients, request).await;
}

/// `CLIENTS` clients each send `REQUESTS_PER_CLIENT` requests built by `request(client, i)`.
async fn load_requests(name: &str, clients: &[Arc<Client>], request: Request) {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (c, client) in clients.iter().enumerate() {
        let client = client.clone();
        let request = request.clone();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(REQUESTS_PER_CLIENT);
            for i in 0..REQUESTS_PER_CLIENT {
                let req = request(&client, c * REQUESTS_PER_CLIENT + i);
                let t = Instant::now();
                let res = req.send().await.unwrap();
                assert!(res.status().is_success(), "{}", res.status());
                let _ = res.bytes().await.unwrap();
                times.push(t.elapsed());
            }
            times
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let wall = start.elapsed();
    all.sort();
    println!(
        "| {name} | {} | {:.1} ms | {:.1} ms | {:.0} |",
        all.len(),
        percentile(&all, 0.5).as_secs_f64() * 1000.0,
        percentile(&all, 0.99).as_secs_f64() * 1000.0,
        all.len() as f64 / wall.as_secs_f64()
    );
}

async fn audit_rows(state: &AppState, action: &str) -> u64 {
    use dangjian::audit::entity::log;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    log::Entity::find().filter(log::Column::Action.eq(action)).count(&state.db).await.unwrap()
}

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.database.url = DatabaseUrl(format!("sqlite://{}", dir.path().join("bench.db").display()));
        let db = dangjian::db::connect(&config.database).await.unwrap();
        dangjian::db::migrate(&db).await.unwrap();
        let state = AppState::new(db, config, Arc::new(SystemClock));
        let t = Instant::now();
        let summary = dangjian::demo::seed(&state, dangjian::demo::Scale::City, 1).await.unwrap();
        println!(
            "city demo: {} orgs, {} people, generated in {:.1} s\n",
            summary.orgs,
            summary.people,
            t.elapsed().as_secs_f64()
        );

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server_state = state.clone();
        tokio::spawn(async move { dangjian::serve(listener, server_state, std::future::pending()).await });

        let mut clients = Vec::new();
        for _ in 0..CLIENTS {
            clients.push(Arc::new(login(&base, "zzb").await));
        }
        let initials = ["zw", "wf", "lj", "cx", "ym", "hl", "zh", "sl"];
        println!("| request ({CLIENTS} clients) | requests | p50 | p99 | req/s |");
        println!("|---|---|---|---|---|");
        load(
            "search by pinyin initials `/api/v1/persons?q=..`",
            &clients,
            Arc::new(move |i| format!("/api/v1/persons?q={}", initials[i % initials.len()])),
        )
        .await;
        load(
            "search by ID digits `/api/v1/persons?q=1234`",
            &clients,
            Arc::new(|i| format!("/api/v1/persons?q={:04}", i % 10_000)),
        )
        .await;
        load("roster page `/people?page=..`", &clients, Arc::new(|i| format!("/people?page={}", i % 50 + 1))).await;
        // Opening a profile reads nothing sensitive and writes nothing.
        let audited = audit_rows(&state, "sensitive.read").await;
        load("profile `/api/v1/persons/{id}`", &clients, Arc::new(|i| format!("/api/v1/persons/{}", i % 28_000 + 1)))
            .await;
        load("profile page `/people/{id}`", &clients, Arc::new(|i| format!("/people/{}", i % 28_000 + 1))).await;
        assert_eq!(audit_rows(&state, "sensitive.read").await, audited, "opening a profile writes nothing");
        // zzb may reveal full ID numbers everywhere: each reveal writes a `sensitive.read` row.
        load_requests(
            "reveal ID number (audited) `POST /api/v1/persons/{id}/reveal`",
            &clients,
            Arc::new(|c: &Client, i| {
                c.http
                    .post(format!("{}/api/v1/persons/{}/reveal", c.base, i % 28_000 + 1))
                    .header("x-csrf-token", &c.csrf)
                    .json(&serde_json::json!({"fields": ["id_number"]}))
            }),
        )
        .await;
        let audited = audit_rows(&state, "sensitive.read").await - audited;
        load("organization list `/orgs`", &clients, Arc::new(|i| format!("/orgs?page={}", i % 20 + 1))).await;
        load("home (todos and figures) `/`", &clients[..4], Arc::new(|_| "/".to_owned())).await;

        let c = &clients[0];
        let t = Instant::now();
        let bytes = c.http.get(format!("{base}/people/export.xlsx")).send().await.unwrap().bytes().await.unwrap();
        println!("\nexport of the whole roster to .xlsx: {} bytes in {:.2} s", bytes.len(), t.elapsed().as_secs_f64());
        let t = Instant::now();
        let res = c
            .http
            .post(format!("{base}/api/v1/imports/people?dry_run=true"))
            .header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .header("x-csrf-token", &c.csrf)
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        let status = res.status();
        let _ = res.bytes().await.unwrap();
        println!(
            "import dry run of that file (masked IDs: every row is checked and rejected): {status} in {:.2} s",
            t.elapsed().as_secs_f64()
        );
        // A roster of 30,000 new people as a bureau would bring it: 所在单位 only, placed through
        // the unit list. Preview, then commit, each timed (DESIGN.md §7: ≤ 3 s); then the export
        // of the whole roster again.
        let roster = new_roster(30_000);
        for (what, query) in [("preview (dry run)", "?dry_run=true"), ("commit", "?filename=bench.xlsx")] {
            let t = Instant::now();
            let res = c
                .http
                .post(format!("{base}/api/v1/imports/people{query}"))
                .header("x-csrf-token", &c.csrf)
                .body(roster.clone())
                .send()
                .await
                .unwrap();
            let status = res.status();
            let report: serde_json::Value = res.json().await.unwrap();
            println!(
                "import {what} of a new 30,000-row roster: {status} in {:.2} s (created {}, rejected {})",
                t.elapsed().as_secs_f64(),
                report["created"],
                report["rejected"]
            );
        }
        let t = Instant::now();
        let bytes = c.http.get(format!("{base}/people/export.xlsx")).send().await.unwrap().bytes().await.unwrap();
        println!("export after the import: {} bytes in {:.2} s", bytes.len(), t.elapsed().as_secs_f64());
        println!("server process RSS after the run: {:.0} MB", rss_mb());
        let report = dangjian::audit::verify(&state.db).await.unwrap();
        println!(
            "audit chain after the run: {} rows checked, {} problems; {audited} `sensitive.read` rows for {} reveals",
            report.checked,
            report.problems.len(),
            CLIENTS * REQUESTS_PER_CLIENT
        );
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(audited, (CLIENTS * REQUESTS_PER_CLIENT) as u64);
    });
}
