//! `dangjian bench`: the load benchmark of DESIGN.md §7 in one command, without an external load
//! tool. It fills an empty database with the demo bureau, starts the server as a separate process
//! (so that its memory and CPU are its own), logs in the demo roles and drives each page of
//! [`PAGES`] with concurrent clients for a while; then, for each page, it times the database
//! statements that page runs (captured from one in-process request; its reads replayed on a plain
//! connection, its writes as long as they took then) against the page itself, and times the
//! roster export and a 30,000-row import.
//!
//! The page list is a table: a new module adds its pages as lines of [`PAGES`], with the
//! placeholders of [`Ctx::fill`] for ids that depend on the data.

mod burst;
mod data;
mod floor;
mod http;
mod load;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::body::Bytes;
use axum::http::Method;

use crate::config::Config;
use crate::demo::{self, Scale};
use crate::state::AppState;
use data::Ctx;
use floor::Capture;
use http::{Client, Server, Session};

/// One page the benchmark drives: as which demo account, and which request. `path` may hold
/// placeholders (see [`Ctx::fill`]); `{n}` is the request's number, so that requests vary.
pub struct Page {
    pub name: &'static str,
    pub role: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    /// JSON body of a POST (sent with the session's CSRF token).
    pub body: Option<&'static str>,
}

const fn get(name: &'static str, role: &'static str, path: &'static str) -> Page {
    Page { name, role, method: "GET", path, body: None }
}

/// Every page measured, in order. Roles are the demo accounts: `shuji` a branch secretary,
/// `fenju` a sub-bureau's Party office, `zzb` the whole bureau's Party
/// office, `jijian` the discipline inspector, `lingdao` a sub-bureau's leader.
pub const PAGES: &[Page] = &[
    get("按姓名查人（少见的全名）", "zzb", "/api/v1/persons?q={rare_name}"),
    get("按姓名查人（常见姓氏）", "zzb", "/api/v1/persons?q={surname}"),
    get("按姓名查人（一个支部）", "shuji", "/api/v1/persons?q={branch_name}"),
    get("按拼音首字母查人", "zzb", "/api/v1/persons?q={initials}"),
    get("按身份证后 4 位查人", "zzb", "/api/v1/persons?q={id4}"),
    get("名册列表页", "fenju", "/people?page={page}"),
    get("一人一档（接口）", "lingdao", "/api/v1/persons/{bureau_person}"),
    get("一人一档网页", "shuji", "/people/{branch_person}"),
    get("党组织树", "zzb", "/orgs"),
    get("党组织页", "fenju", "/orgs/{bureau}"),
    get("党费台账（全局汇总）", "zzb", "/party/dues"),
    get("组织生活落实情况", "zzb", "/meetings/compliance"),
    get("组织生活记录列表（全局翻页）", "zzb", "/meetings?page={page}"),
    get("组织生活记录列表（支部）", "shuji", "/meetings"),
    get("家访覆盖情况", "fenju", "/visits/coverage"),
    get("处分统计", "jijian", "/discipline/stats"),
    get("队伍隐患（分局）", "fenju", "/risk"),
    get("预警名单", "zzb", "/risk/warnings"),
    get("预警规则", "zzb", "/risk/warnings/rules"),
    get("隐患统计", "zzb", "/risk/stats"),
    get("出口案件", "zzb", "/exits"),
    get("出口统计", "lingdao", "/exits/stats"),
    get("工作台与待办（全局）", "zzb", "/"),
    get("工作台与待办（支部）", "shuji", "/"),
    Page {
        name: "查看身份证号（记审计）",
        role: "zzb",
        method: "POST",
        path: "/api/v1/persons/{any_person}/reveal",
        body: Some(r#"{"fields":["id_number"]}"#),
    },
];

/// The page measured again while logins arrive in bursts (see [`burst`]).
const BURST_PAGE: &str = "名册列表页";

/// How to run.
#[derive(Debug, Clone)]
pub struct Options {
    pub scale: Scale,
    pub seed: u64,
    pub clients: usize,
    pub duration: Duration,
    /// Rows of the generated roster imported at the end (0: no import).
    pub import_rows: usize,
    /// The server executable (`serve` is run from it).
    pub server_exe: PathBuf,
    /// The configuration file the server reads (the same as this process).
    pub config_file: PathBuf,
    /// Only pages whose name contains one of these (empty: all).
    pub only: Vec<String>,
    /// Extra environment of the server process (a test passes its audit key).
    pub server_env: Vec<(String, String)>,
    /// Show this many of each page's slowest statements (with their time) after its figures:
    /// where to look when a page misses its target.
    pub slowest: usize,
}

/// One page's figures.
#[derive(Debug, Clone)]
pub struct PageResult {
    pub name: String,
    pub role: String,
    pub requests: usize,
    pub errors: usize,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub per_second: f64,
    /// One client, one request at a time: the page, and its statements replayed.
    pub single: Duration,
    pub raw: Duration,
    pub statements: usize,
}

/// What a run measured.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub people: u64,
    pub orgs: u64,
    pub generated: Option<Duration>,
    pub pages: Vec<PageResult>,
    /// The server's peak RSS (VmHWM) after the page load and after the import, in MB.
    pub peak_rss_load_mb: f64,
    pub peak_rss_mb: f64,
    pub export: Option<(Duration, usize)>,
    pub import_preview: Option<(Duration, u16)>,
    pub import_commit: Option<(Duration, u16, i64)>,
    /// The roster list while bursts of logins arrive (item 7), beside its figures without them.
    pub login_burst: Option<burst::BurstResult>,
}

/// Runs the benchmark against the configured database and prints the results as Markdown.
pub async fn run(config: Config, options: Options) -> anyhow::Result<Report> {
    let url = config.database.url.0.clone();
    let captured: Capture = Capture::default();
    let state = floor::open_capturing(config, captured.clone()).await?;
    let mut report = Report::default();
    if demo::is_empty(&state).await? {
        println!("生成演示数据（{:?}，种子 {}）……", options.scale, options.seed);
        let t = Instant::now();
        demo::seed(&state, options.scale, options.seed).await?;
        report.generated = Some(t.elapsed());
        println!("生成用时 {:.1} s", t.elapsed().as_secs_f64());
    }
    let ctx = Ctx::load(&state).await?;
    report.people = ctx.people;
    report.orgs = ctx.orgs;

    let mut server = Server::start(&options, &url).await?;
    let result = drive(&state, &captured, &ctx, &options, &mut server, &mut report).await;
    server.stop().await;
    result?;
    print_report(&report, &options);
    Ok(report)
}

async fn drive(
    state: &AppState,
    captured: &Capture,
    ctx: &Ctx,
    options: &Options,
    server: &mut Server,
    report: &mut Report,
) -> anyhow::Result<()> {
    let mut sessions: HashMap<&'static str, Session> = HashMap::new();
    for page in PAGES {
        if !sessions.contains_key(page.role) {
            sessions.insert(page.role, Session::login(server.addr, page.role).await?);
        }
    }
    if !sessions.contains_key("zzb") {
        sessions.insert("zzb", Session::login(server.addr, "zzb").await?);
    }
    let app = crate::app::build_router(state.clone());
    for page in PAGES {
        if !options.only.is_empty() && !options.only.iter().any(|o| page.name.contains(o.as_str())) {
            continue;
        }
        let session = sessions.get(page.role).context("会话缺失")?;
        println!("测量：{}（{}）", page.name, page.role);
        let mut result = load::load(server.addr, session, ctx, page, options.clients, options.duration).await?;
        // One client: the page, then the statements it runs replayed on a plain connection.
        let rounds = if options.duration < Duration::from_secs(2) { 5 } else { 30 };
        let mut client = Client::connect(server.addr).await?;
        let mut singles = Vec::new();
        for n in 0..rounds {
            let t = Instant::now();
            let status = client.send(load::page_request(session, ctx, page, n)?).await?.0;
            singles.push(t.elapsed());
            if !status.is_success() {
                result.errors += 1;
            }
        }
        let statements = floor::capture(&app, captured, session, ctx, page).await?;
        if options.slowest > 0 {
            floor::print_slowest(&statements, options.slowest);
        }
        let mut raws = Vec::new();
        for _ in 0..rounds {
            raws.push(floor::replay(&state.db, &statements).await?);
        }
        result.single = load::median(&mut singles);
        result.raw = load::median(&mut raws);
        result.statements = statements.len();
        report.pages.push(result);
    }
    if options.only.is_empty() || options.only.iter().any(|o| BURST_PAGE.contains(o.as_str())) {
        let page = PAGES.iter().find(|p| p.name == BURST_PAGE).context("登录高峰用的页面缺失")?;
        let session = sessions.get(page.role).context("会话缺失")?;
        println!("测量：{}，同时每批 {} 个登录", page.name, burst::BURST);
        let during = burst::run(server.addr, session, ctx, page, "shuji", options.clients, options.duration).await?;
        report.login_burst = Some(during);
    }
    report.peak_rss_load_mb = server.peak_rss_mb();

    let zzb = sessions.get("zzb").context("会话缺失")?;
    let mut client = Client::connect(server.addr).await?;
    let t = Instant::now();
    let body = export(&mut client, zzb).await?;
    report.export = Some((t.elapsed(), body.len()));
    if options.import_rows > 0 {
        let roster = Bytes::from(data::new_roster(options.import_rows)?);
        let t = Instant::now();
        let (status, _) = client.send(zzb.upload("/api/v1/imports/people?dry_run=true", roster.clone())?).await?;
        report.import_preview = Some((t.elapsed(), status.as_u16()));
        let t = Instant::now();
        let (status, body) = client.send(zzb.upload("/api/v1/imports/people?filename=bench.xlsx", roster)?).await?;
        let created = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["created"].as_i64())
            .unwrap_or_default();
        report.import_commit = Some((t.elapsed(), status.as_u16(), created));
    }
    report.peak_rss_mb = server.peak_rss_mb();
    Ok(())
}

/// The whole-bureau roster export as the browser does it: a large one runs as a job, whose
/// progress is asked for until the file can be downloaded.
async fn export(client: &mut Client, zzb: &Session) -> anyhow::Result<Bytes> {
    let mut request = zzb.request(Method::GET, "/people/export.xlsx", None)?;
    request.headers_mut().insert(axum::http::header::ACCEPT, axum::http::HeaderValue::from_static("text/html"));
    let (status, headers, body) = client.send_full(request).await?;
    if status.is_success() {
        return Ok(body);
    }
    let job = headers.get(axum::http::header::LOCATION).and_then(|l| l.to_str().ok());
    let Some(job) = job.filter(|_| status.is_redirection()) else {
        bail!("导出名册失败：{status}");
    };
    let job = job.to_owned();
    loop {
        let (status, body) = client.send(zzb.request(Method::GET, &format!("{job}/progress"), None)?).await?;
        let progress: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        if !status.is_success() || !progress["failure"].is_null() {
            bail!("导出名册失败：{status} {progress}");
        }
        if progress["ready"] == true {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, body) = client.send(zzb.request(Method::GET, &format!("{job}/file"), None)?).await?;
    if !status.is_success() {
        bail!("下载导出文件失败：{status}");
    }
    Ok(body)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn print_report(report: &Report, options: &Options) {
    println!();
    println!(
        "数据：{} 个党组织，{} 名民辅警；{} 个并发客户端，每页 {:.1} 秒（另预热 {:.1} 秒）",
        report.orgs,
        report.people,
        options.clients,
        options.duration.as_secs_f64(),
        options.duration.as_secs_f64() / 5.0
    );
    println!();
    println!(
        "| 页面 | 账号 | 请求数 | 错误 | p50 | p95 | p99 | 请求/秒 | 单个请求 p50 | 其数据库语句 | 语句数 | 倍数 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for p in &report.pages {
        let ratio = if p.raw.is_zero() { 0.0 } else { p.single.as_secs_f64() / p.raw.as_secs_f64() };
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.0} | {} | {} | {} | {:.1} |",
            p.name,
            p.role,
            p.requests,
            p.errors,
            ms(p.p50),
            ms(p.p95),
            ms(p.p99),
            p.per_second,
            ms(p.single),
            ms(p.raw),
            p.statements,
            ratio
        );
    }
    println!();
    if let Some((t, bytes)) = report.export {
        println!("整库名册导出 .xlsx：{:.2} s（{bytes} 字节）", t.as_secs_f64());
    }
    if let Some((t, status)) = report.import_preview {
        println!("导入 {} 行新名册，预览：{:.2} s（{status}）", options.import_rows, t.as_secs_f64());
    }
    if let Some((t, status, created)) = report.import_commit {
        println!(
            "导入 {} 行新名册，写入：{:.2} s（{status}，新建 {created} 人）",
            options.import_rows,
            t.as_secs_f64()
        );
    }
    if let Some(b) = &report.login_burst {
        let before = report.pages.iter().find(|p| p.name == b.page.name);
        println!(
            "{}在每批 {} 个登录同时到达时：p50 {}，p99 {}（无登录时 p99 {}），错误 {}；其间登录 {} 次，登录 p50 {}、p99 {}",
            b.page.name,
            burst::BURST,
            ms(b.page.p50),
            ms(b.page.p99),
            before.map_or_else(|| "未测".to_owned(), |p| ms(p.p99)),
            b.page.errors,
            b.logins,
            ms(b.login_p50),
            ms(b.login_p99)
        );
    }
    println!(
        "服务进程峰值内存（VmHWM）：压测后 {:.0} MB，导入后 {:.0} MB",
        report.peak_rss_load_mb, report.peak_rss_mb
    );
}
