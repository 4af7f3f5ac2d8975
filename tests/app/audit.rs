use std::io::BufRead;
use std::path::Path;
use std::sync::{Arc, Mutex};

use dangjian::audit::checkpoint::{Checkpointer, Reason};
use dangjian::audit::entity::{head, log};
use dangjian::audit::{CheckpointSource, HashInput, Key, TIME_FORMAT, row_hash, row_mac};
use reqwest::Method;
use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set, Unchanged};
use serde_json::json;

use crate::support::{AUDIT_KEY, Backend, Session, TestApp, backends, on_all_backends};

/// Runs the command line against a test database, with the tests' audit key.
fn run_cli(db_url: &str, args: &[&str]) -> (bool, String) {
    run_cli_env(db_url, args, &[("DANGJIAN__AUDIT__KEY", AUDIT_KEY)])
}

fn run_cli_env(db_url: &str, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dangjian"))
        .args(args)
        .arg("--db")
        .arg(db_url)
        .env("RUST_LOG", "error")
        .env_remove("DANGJIAN__AUDIT__KEY")
        .env_remove("DANGJIAN__AUDIT__KEY_FILE")
        .env_remove("DANGJIAN__AUDIT__CHECKPOINT_FILE")
        .envs(env.iter().copied())
        .output()
        .expect("run dangjian");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

#[tokio::test]
async fn the_auditor_finds_logins_filters_and_exports() {
    use calamine::{Reader, Xlsx};
    on_all_backends(|app| async move {
        app.login("shuji").await;
        let _ = app.login_with("shuji", "Wrong@pass1").await;
        // Refused logins are audited per address once their window has ended, at the next attempt.
        app.clock.advance(chrono::Duration::minutes(16));
        let auditor = app.login("auditor").await;
        let (status, log) = auditor.get_json("/api/v1/audit?who=shuji&action=login.success").await;
        assert_eq!(status, 200);
        assert_eq!(log["total"], 1);
        assert_eq!(log["items"][0]["action_label"], "登录成功");
        let (_, failures) = auditor.get_json("/api/v1/audit?who=shuji&action=login.failure").await;
        assert_eq!(failures["total"], 1);
        let (_, day) = auditor.get_json("/api/v1/audit?who=shuji&from=2026-11-27&to=2026-11-27").await;
        assert_eq!(day["total"], 2);
        let (_, before) = auditor.get_json("/api/v1/audit?who=shuji&to=2026-11-26").await;
        assert_eq!(before["total"], 0);
        let (status, bad) = auditor.get_json("/api/v1/audit?from=27/11/2026").await;
        assert_eq!((status, bad["field"].as_str()), (422, Some("from")));

        // The web page and its Excel export agree.
        let html = auditor.get("/audit?who=shuji").await.text().await.unwrap();
        assert!(html.contains("登录成功") && html.contains("共 2 条"));
        let bytes = auditor.get("/audit/export.xlsx?who=shuji").await.bytes().await.unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        assert_eq!(book.worksheet_range("审计日志").unwrap().rows().count() - 2, 2);
        // Reading the log is itself recorded.
        let (_, reads) = auditor.get_json("/api/v1/audit?who=auditor&action=audit.export").await;
        assert_eq!(reads["total"], 1);
        app
    })
    .await;
}

#[tokio::test]
async fn verify_names_an_edited_and_a_deleted_row() {
    on_all_backends(|app| async move {
        for user in ["zzb", "shuji", "lingdao"] {
            app.login(user).await;
        }
        let auditor = app.login("auditor").await;
        let (status, report) = auditor.send_json(Method::POST, "/api/v1/audit/verify", json!({})).await;
        assert_eq!(status, 200);
        assert_eq!(report["ok"], true, "{report}");
        let (ok, out) = run_cli(&app.db_url, &["audit", "verify"]);
        assert!(ok, "{out}");
        assert!(out.contains("审计链完整"));

        // Someone edits a row with the database's own client.
        app.sql("UPDATE audit_log SET actor_name = 'someone' WHERE seq = 3").await;
        let (_, report) = auditor.send_json(Method::POST, "/api/v1/audit/verify", json!({})).await;
        assert_eq!(report["ok"], false);
        assert_eq!(report["problems"][0]["seq"], 3);
        assert!(report["problems"][0]["message"].as_str().unwrap().contains("被修改"));
        let (ok, out) = run_cli(&app.db_url, &["audit", "verify"]);
        assert!(!ok, "verify must fail");
        assert!(out.contains("第 3 条") && out.contains("被修改"), "{out}");

        // ... and deletes another.
        app.sql("DELETE FROM audit_log WHERE seq = 2").await;
        let (ok, out) = run_cli(&app.db_url, &["audit", "verify"]);
        assert!(!ok);
        assert!(out.contains("第 2 条记录缺失"), "{out}");
        app
    })
    .await;
}

#[tokio::test]
async fn deleting_the_newest_rows_is_detected_too() {
    on_all_backends(|app| async move {
        app.login("zzb").await;
        app.login("shuji").await;
        app.sql("DELETE FROM audit_log WHERE seq = (SELECT m FROM (SELECT MAX(seq) AS m FROM audit_log) AS t)").await;
        let (ok, out) = run_cli(&app.db_url, &["audit", "verify"]);
        assert!(!ok);
        assert!(out.contains("最后 1 条记录缺失"), "{out}");
        app
    })
    .await;
}

/// How a database administrator without the key recomputes rows after editing one.
enum Recompute {
    /// With the unkeyed SHA-256 of earlier releases (key id cleared).
    Unkeyed,
    /// With a key of their own, claiming the real key's id.
    Posing(Key),
    /// With a key of their own, under its own id.
    OwnKey(Key),
}

/// Edits row `seq` (actor name) and recomputes it and every later row, then the head's hash,
/// as someone who can write to the database but does not hold the audit key would.
async fn edit_and_rechain(app: &TestApp, seq: i64, how: &Recompute) {
    let db = &app.state.db;
    let rows = log::Entity::find().order_by_asc(log::Column::Seq).all(db).await.unwrap();
    let mut prev =
        rows.iter().find(|r| r.seq == seq - 1).map_or(dangjian::audit::GENESIS_HASH.to_owned(), |r| r.hash.clone());
    for row in rows.into_iter().filter(|r| r.seq >= seq) {
        let actor_name = if row.seq == seq { "someone".to_owned() } else { row.actor_name.clone() };
        let at = row.at.format(TIME_FORMAT).to_string();
        let input = HashInput {
            seq: row.seq,
            at: &at,
            actor_id: row.actor_id,
            actor_name: &actor_name,
            action: &row.action,
            object_type: row.object_type.as_deref(),
            object_id: row.object_id.as_deref(),
            org_path: row.org_path.as_deref(),
            ip: row.ip.as_deref(),
            summary: &row.summary,
            prev_hash: &prev,
        };
        let (hash, key_id) = match how {
            Recompute::Unkeyed => (row_hash(&input), None),
            Recompute::Posing(key) => (row_mac(key, &input), Some(Key::parse(AUDIT_KEY).unwrap().id().to_owned())),
            Recompute::OwnKey(key) => (row_mac(key, &input), Some(key.id().to_owned())),
        };
        log::ActiveModel {
            seq: Unchanged(row.seq),
            actor_name: Set(actor_name),
            prev_hash: Set(prev.clone()),
            hash: Set(hash.clone()),
            key_id: Set(key_id),
            ..Default::default()
        }
        .update(db)
        .await
        .unwrap();
        prev = hash;
    }
    head::ActiveModel { id: Unchanged(1), hash: Set(prev), ..Default::default() }.update(db).await.unwrap();
}

#[tokio::test]
async fn rows_recomputed_without_the_key_are_caught() {
    on_all_backends(|app| async move {
        for user in ["zzb", "shuji", "lingdao"] {
            app.login(user).await;
        }
        assert!(dangjian::audit::verify(&app.state.db).await.unwrap().problems.is_empty());

        // The unkeyed hash of earlier releases: anyone can compute it, so it is refused after keyed rows.
        edit_and_rechain(&app, 3, &Recompute::Unkeyed).await;
        let report = dangjian::audit::verify(&app.state.db).await.unwrap();
        assert_eq!(report.problems[0].seq, 3, "{:?}", report.problems);
        assert!(report.problems[0].message.contains("没有用审计密钥计算"), "{:?}", report.problems);
        let (ok, out) = run_cli(&app.db_url, &["audit", "verify"]);
        assert!(!ok, "{out}");
        assert!(out.contains("第 3 条：没有用审计密钥计算"), "{out}");

        // A key of one's own, passed off under the real key's id.
        let wrong = Key::parse(&"5a".repeat(32)).unwrap();
        edit_and_rechain(&app, 3, &Recompute::Posing(wrong.clone())).await;
        let report = dangjian::audit::verify(&app.state.db).await.unwrap();
        assert_eq!(report.problems[0].seq, 3);
        assert!(report.problems[0].message.contains("被修改"), "{:?}", report.problems);
        assert!(report.problems.iter().any(|p| p.message.contains("链头的校验码不符")), "{:?}", report.problems);

        // ... or under its own id.
        edit_and_rechain(&app, 3, &Recompute::OwnKey(wrong.clone())).await;
        let report = dangjian::audit::verify(&app.state.db).await.unwrap();
        assert_eq!(report.problems[0].seq, 3);
        assert!(
            report.problems[0].message.contains(&format!("编号为 {} 的审计密钥", wrong.id())),
            "{:?}",
            report.problems
        );
        assert!(report.problems[0].message.contains("没有这把密钥"));
        let (ok, out) = run_cli(&app.db_url, &["audit", "verify"]);
        assert!(!ok && out.contains("没有这把密钥"), "{out}");
        app
    })
    .await;
}

#[tokio::test]
async fn deleting_the_newest_rows_and_rewinding_the_head_is_caught_by_the_checkpoints() {
    on_all_backends(|app| async move {
        let dir = tempfile::tempdir().unwrap();
        // The file the server's own check reads: beside a SQLite database; none configured for the others.
        let configured = dangjian::audit::checkpoint::configured_path(&app.state.config);
        let file = configured.clone().unwrap_or_else(|| dir.path().join("checkpoints.log"));
        let db = &app.state.db;
        app.login("zzb").await;
        // What the administrator saw of the head row at this moment (or keeps in a backup).
        let seen = head::Entity::find_by_id(1).one(db).await.unwrap().unwrap();
        app.login("shuji").await;
        app.login("lingdao").await;
        let checkpoints = Checkpointer::new(db.clone(), app.state.clock.clone(), Some(file.clone()));
        let cp = checkpoints.write(Reason::Periodic).await.unwrap().unwrap();
        let end = cp.seq;
        assert!(end >= seen.seq + 2, "{cp:?}");
        let sources = [CheckpointSource { path: file.clone(), required: true }];
        let clean = dangjian::audit::verify_with(db, &sources).await.unwrap();
        assert!(clean.problems.is_empty(), "{:?}", clean.problems);
        assert_eq!(clean.checkpoints, 1);
        assert!(dangjian::cli::audit_verify(&app.state, std::slice::from_ref(&file)).await.unwrap());

        // Delete the newest rows and point the head at the last remaining row.
        app.sql(&format!("DELETE FROM audit_log WHERE seq > {}", seen.seq)).await;
        app.sql(&format!("UPDATE audit_head SET seq = {}, hash = '{}' WHERE id = 1", seen.seq, seen.hash)).await;
        // Without the key the head's own code cannot be made to match ...
        let naive = dangjian::audit::verify(db).await.unwrap();
        assert!(naive.problems.iter().any(|p| p.message.contains("链头的校验码不符")), "{:?}", naive.problems);
        // ... but the head row copied from that earlier moment is consistent: only the checkpoint tells.
        let mac = seen.mac.clone().unwrap();
        app.sql(&format!("UPDATE audit_head SET mac = '{mac}' WHERE id = 1")).await;
        assert!(dangjian::audit::verify(db).await.unwrap().problems.is_empty(), "the database alone cannot tell");
        let report = dangjian::audit::verify_with(db, &sources).await.unwrap();
        let missing =
            if end == seen.seq + 1 { format!("第 {end} 条") } else { format!("第 {}–{end} 条", seen.seq + 1) };
        let found = report.problems.iter().map(|p| p.display()).collect::<Vec<_>>().join("\n");
        assert!(found.contains("2026-11-27 10:00:00 定时的检查点"), "{found}");
        assert!(
            found.contains(&format!("已写到第 {end} 条，现在只到第 {} 条：{missing}记录被删除", seen.seq)),
            "{found}"
        );
        assert!(!dangjian::cli::audit_verify(&app.state, std::slice::from_ref(&file)).await.unwrap());
        let (ok, out) = run_cli(&app.db_url, &["audit", "verify", "--checkpoints", &file.display().to_string()]);
        assert!(!ok, "{out}");
        assert!(out.contains(&format!("{missing}记录被删除")) && out.contains("检查点"), "{out}");

        // The server stays up and its auditor's check reads the configured checkpoint file.
        let auditor = app.login("auditor").await;
        let (status, web) = auditor.send_json(Method::POST, "/api/v1/audit/verify", json!({})).await;
        assert_eq!(status, 200);
        if configured.is_some() {
            assert_eq!(web["ok"], false, "{web}");
            assert_eq!(web["checkpoints"], 1, "{web}");
            assert!(web["problems"].as_array().unwrap().iter().any(|p| p["seq"] == end), "{web}");
            // The chain has grown again over the deleted numbers meanwhile: still told apart.
            let html = auditor.post_form("/audit/verify", &[]).await.text().await.unwrap();
            assert!(html.contains("审计链被破坏") && html.contains("定时的检查点记载的哈希不符"), "{html}");
        }
        app
    })
    .await;
}

#[tokio::test]
async fn a_rewound_head_stays_caught_after_the_server_writes_again() {
    on_all_backends(|app| async move {
        let db = &app.state.db;
        app.login("zzb").await;
        let kept = head::Entity::find_by_id(1).one(db).await.unwrap().unwrap();
        app.login("shuji").await;
        app.login("lingdao").await;
        // Newest rows deleted, the head pointed at the last remaining row; its code cannot be redone.
        app.sql(&format!("DELETE FROM audit_log WHERE seq > {}", kept.seq)).await;
        app.sql(&format!("UPDATE audit_head SET seq = {}, hash = '{}' WHERE id = 1", kept.seq, kept.hash)).await;
        // The next write notices before extending the chain and says so in the chain itself.
        let auditor = app.login("auditor").await;
        let alarm = log::Entity::find_by_id(kept.seq + 1).one(db).await.unwrap().unwrap();
        assert_eq!(alarm.action, "audit.tamper");
        let report = dangjian::audit::verify(db).await.unwrap();
        assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
        assert_eq!(report.problems[0].seq, kept.seq + 1);
        assert!(report.problems[0].message.contains("写入时发现审计链被改动"), "{:?}", report.problems);
        assert!(report.problems[0].message.contains(&format!("链头（第 {} 条）的校验码不符", kept.seq)));
        let (_, web) = auditor.send_json(Method::POST, "/api/v1/audit/verify", json!({})).await;
        assert_eq!(web["ok"], false, "{web}");
        let (_, listed) = auditor.get_json("/api/v1/audit?action=audit.tamper").await;
        assert_eq!(listed["items"][0]["action_label"], "发现审计链被改动", "{listed}");
        let (ok, out) = run_cli(&app.db_url, &["audit", "verify"]);
        assert!(!ok && out.contains("写入时发现审计链被改动"), "{out}");

        // A head code removed is no way around it either.
        app.sql("UPDATE audit_head SET mac = NULL WHERE id = 1").await;
        app.login("zzb").await;
        let report = dangjian::audit::verify(db).await.unwrap();
        assert!(report.problems.iter().any(|p| p.message.contains("缺少校验码")), "{:?}", report.problems);
        app
    })
    .await;
}

#[tokio::test]
async fn an_edited_checkpoint_line_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("checkpoints.log");
    let app = TestApp::spawn(Backend::Sqlite).await;
    let checkpoints = Checkpointer::new(app.state.db.clone(), app.state.clock.clone(), Some(file.clone()));
    let cp = checkpoints.write(Reason::Start).await.unwrap().unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let forged = text.replace(&format!("\"seq\":{}", cp.seq), &format!("\"seq\":{}", cp.seq + 50));
    std::fs::write(&file, forged).unwrap();
    let report =
        dangjian::audit::verify_with(&app.state.db, &[CheckpointSource { path: file, required: true }]).await.unwrap();
    assert!(
        report.problems.iter().any(|p| p.message.contains("第 1 行") && p.message.contains("校验码不符")),
        "{:?}",
        report.problems
    );
    app.finish().await;
}

/// A `dangjian serve` process: its address and everything it printed so far.
struct Server {
    child: std::process::Child,
    base: String,
    output: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(db_url: &str, env: &[(&str, &str)]) -> Server {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_dangjian"))
            .args(["serve", "--addr", "127.0.0.1:0", "--db", db_url])
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .env_remove("DANGJIAN__AUDIT__KEY")
            .env_remove("DANGJIAN__AUDIT__KEY_FILE")
            .env_remove("DANGJIAN__AUDIT__CHECKPOINT_FILE")
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start dangjian serve");
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let output = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let lines = output.clone();
        // Drained all along, so the server never blocks on a full pipe.
        let reader = std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.split("已启动：").nth(1) {
                    let _ = tx.send(addr.trim().to_owned());
                }
                lines.lock().unwrap().push(line);
            }
        });
        let base = match rx.recv() {
            Ok(base) => base,
            Err(_) => {
                let _ = reader.join();
                let errors = std::io::read_to_string(stderr).unwrap_or_default();
                panic!("the server did not start: {:?}\n{errors}", output.lock().unwrap());
            }
        };
        Server { child, base, output, reader: Some(reader) }
    }

    /// The server answers.
    async fn answers(&self) {
        let client = reqwest::Client::new();
        assert_eq!(client.get(format!("{}/healthz", self.base)).send().await.unwrap().status(), 200);
        assert_eq!(client.get(format!("{}/login", self.base)).send().await.unwrap().status(), 200);
    }

    /// SIGTERM, as systemd stops the service; returns what the server printed.
    fn stop(mut self) -> Vec<String> {
        let status = std::process::Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let exit = self.child.wait().unwrap();
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        let printed = std::mem::take(&mut *self.output.lock().unwrap());
        assert!(exit.success(), "a graceful stop exits with 0, not {exit:?}: {printed:?}");
        printed
    }
}

/// Audit rows written meanwhile by another instance sharing the database.
async fn activity(app: &TestApp, rows: usize) {
    for _ in 0..rows {
        let event = dangjian::audit::Event::anonymous("tester", Some("127.0.0.1"), "audit.query");
        dangjian::audit::record_alone(&app.state.db, app.state.clock.as_ref(), event).await.unwrap();
    }
}

fn checkpoint_lines(path: &Path) -> Vec<dangjian::audit::checkpoint::Checkpoint> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| dangjian::audit::checkpoint::parse_line(l).unwrap().unwrap())
        .collect()
}

/// The check of the issue, against the real program: a clean log verifies across restarts; rows
/// deleted from the database and the head rewound (even with a copy of its earlier state) while
/// the server runs are named by `dangjian audit verify`, and the server stays up meanwhile.
#[tokio::test]
async fn serve_checkpoints_at_start_and_stop_and_verify_catches_a_rewound_tail() {
    for backend in backends() {
        let app = TestApp::spawn_empty(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let mut env = vec![("DANGJIAN__AUDIT__KEY", AUDIT_KEY.to_owned())];
        // SQLite keeps the checkpoint file beside the database unless configured; PostgreSQL and
        // MySQL have none unless configured, and refuse to start without a key.
        let checkpoints = if backend == Backend::Sqlite {
            Path::new(app.db_url.trim_start_matches("sqlite://")).with_file_name("audit-checkpoints.log")
        } else {
            let (ok, out) = run_cli_env(&app.db_url, &["migrate"], &[]);
            assert!(!ok && out.contains("未配置审计密钥") && out.contains("key_file"), "{out}");
            let file = dir.path().join("checkpoints.log");
            env.push(("DANGJIAN__AUDIT__CHECKPOINT_FILE", file.display().to_string()));
            file
        };
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();

        let first = Server::start(&app.db_url, &env);
        first.answers().await;
        activity(&app, 1).await;
        let printed = first.stop();
        assert!(printed.iter().any(|l| l.contains("审计链检查点") && l.contains("\"reason\":\"stop\"")), "{printed:?}");
        let lines = checkpoint_lines(&checkpoints);
        assert_eq!(lines.iter().map(|c| c.reason.as_str()).collect::<Vec<_>>(), ["start", "stop"]);
        let rows = log::Entity::find().all(&app.state.db).await.unwrap();
        assert_eq!(lines[1].seq, rows.len() as i64, "the stop checkpoint names the last row");
        assert!(lines[1].seq > lines[0].seq, "{lines:?}");
        let (ok, out) = run_cli_env(&app.db_url, &["audit", "verify"], &env);
        assert!(ok && out.contains("审计链完整") && out.contains("2 个检查点"), "{out}");

        // A restart: the chain goes on, still clean against every checkpoint.
        let seen = head::Entity::find_by_id(1).one(&app.state.db).await.unwrap().unwrap();
        let second = Server::start(&app.db_url, &env);
        activity(&app, 2).await;
        second.stop();
        let end = checkpoint_lines(&checkpoints).last().unwrap().seq;
        assert_eq!(end, seen.seq + 2);
        let (ok, out) = run_cli_env(&app.db_url, &["audit", "verify"], &env);
        assert!(ok && out.contains("4 个检查点"), "{out}");

        // While a server runs, someone deletes the newest rows and restores the head row as it was.
        let third = Server::start(&app.db_url, &env);
        app.sql(&format!("DELETE FROM audit_log WHERE seq > {}", seen.seq)).await;
        let mac = seen.mac.clone().unwrap();
        app.sql(&format!(
            "UPDATE audit_head SET seq = {}, hash = '{}', mac = '{mac}' WHERE id = 1",
            seen.seq, seen.hash
        ))
        .await;
        third.answers().await;
        activity(&app, 1).await;
        let printed = third.stop();
        assert!(printed.iter().any(|l| l.contains("审计链被改动")), "the server logs it: {printed:?}");
        let (ok, out) = run_cli_env(&app.db_url, &["audit", "verify"], &env);
        assert!(!ok, "{out}");
        assert!(
            out.contains(&format!("已写到第 {end} 条，现在只到第 {} 条：第 {end} 条记录被删除", seen.seq + 1)),
            "{out}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn sqlite_without_a_configured_key_gets_one_beside_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("db").join("dangjian.db").display());
    let (ok, out) =
        run_cli_env(&url, &["user", "create", "tester", "--name", "测试", "--password", "Test@2024xyz"], &[]);
    assert!(ok, "{out}");
    let key = dir.path().join("db").join("audit.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let id = dangjian::audit::keys::parse_key_file(&std::fs::read_to_string(&key).unwrap()).unwrap()[0].id().to_owned();
    // The next run finds the same key: the rows of the first one verify.
    let (ok, out) = run_cli_env(&url, &["audit", "verify"], &[]);
    assert!(ok && out.contains(&format!("当前密钥编号 {id}")), "{out}");
    // Another key does not.
    let (ok, out) = run_cli_env(&url, &["audit", "verify"], &[("DANGJIAN__AUDIT__KEY", AUDIT_KEY)]);
    assert!(!ok && out.contains(&format!("编号为 {id} 的审计密钥")), "{out}");
}

/// The full ID number in a reveal answer, if it was given.
fn full_id_number(revealed: &serde_json::Value) -> Option<String> {
    let field = revealed["fields"].as_array()?.iter().find(|f| f["field"] == "id_number")?;
    field["value"].as_str().map(str::to_owned)
}

/// A reveal of `id`'s ID number, as a task of its own.
fn reveal_request(s: &Session, id: i64) -> reqwest::RequestBuilder {
    s.client
        .post(s.url(&format!("/api/v1/persons/{id}/reveal")))
        .header("x-csrf-token", &s.csrf)
        .json(&serde_json::json!({"fields": ["id_number"]}))
}

/// Sequence numbers of the chain are 1..=n without gaps, and the head names the last.
async fn assert_gap_free(app: &TestApp) -> Vec<log::Model> {
    let rows = log::Entity::find().order_by_asc(log::Column::Seq).all(&app.state.db).await.unwrap();
    let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, (1..=rows.len() as i64).collect::<Vec<_>>(), "gap-free");
    let head = head::Entity::find_by_id(1).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!(head.seq, rows.len() as i64);
    rows
}

/// Many officers reveal ID numbers at once: the reads are written together (group commit), yet
/// every one is in the chain exactly once, in a chain that verifies and still names an edited,
/// a deleted and an inserted row.
#[tokio::test]
async fn concurrent_sensitive_reads_are_each_in_a_chain_that_verifies() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let (_, list) = zzb.get_json("/api/v1/persons?page_size=60").await;
        let ids: Vec<i64> = list["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
        assert_eq!(ids.len(), 60);
        let before = log::Entity::find().all(&app.state.db).await.unwrap().len();

        let mut reads = tokio::task::JoinSet::new();
        for &id in &ids {
            let request = reveal_request(&zzb, id);
            reads.spawn(async move {
                let res = request.send().await.unwrap();
                (id, res.status().as_u16(), res.json::<serde_json::Value>().await.unwrap())
            });
        }
        while let Some(read) = reads.join_next().await {
            let (id, status, profile) = read.unwrap();
            assert_eq!(status, 200, "{id}: {profile}");
            let number = full_id_number(&profile).unwrap_or_default();
            assert!(number.len() == 18 && !number.contains('*'), "{id}: {profile}");
        }

        let rows = assert_gap_free(&app).await;
        assert_eq!(rows.len(), before + ids.len());
        let mut audited: Vec<i64> = rows
            .iter()
            .filter(|r| r.action == "sensitive.read" && r.actor_name == "zzb")
            .map(|r| r.object_id.as_deref().unwrap().parse().unwrap())
            .collect();
        audited.sort_unstable();
        let mut expected = ids.clone();
        expected.sort_unstable();
        assert_eq!(audited, expected, "one row per read");
        let report = dangjian::audit::verify(&app.state.db).await.unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        let (ok, out) = run_cli(&app.db_url, &["audit", "verify"]);
        assert!(ok && out.contains("审计链完整"), "{out}");

        // Rows written in one batch are sealed one by one: each change is named.
        let last = rows.len() as i64;
        let (edited, deleted) = (last - 40, last - 20);
        app.sql(&format!("UPDATE audit_log SET object_id = '1' WHERE seq = {edited}")).await;
        app.sql(&format!("DELETE FROM audit_log WHERE seq = {deleted}")).await;
        let copy = &rows[rows.len() - 1];
        let at = copy.at.format("%Y-%m-%d %H:%M:%S");
        app.sql(&format!(
            "INSERT INTO audit_log (seq, at, actor_name, action, summary, prev_hash, hash, key_id) \
             VALUES ({}, '{at}', 'zzb', 'sensitive.read', '', '{}', '{}', '{}')",
            last + 1,
            copy.hash,
            copy.hash,
            copy.key_id.as_deref().unwrap()
        ))
        .await;
        let report = dangjian::audit::verify(&app.state.db).await.unwrap();
        let found = |seq: i64, text: &str| report.problems.iter().any(|p| p.seq == seq && p.message.contains(text));
        assert!(found(edited, "被修改"), "{:?}", report.problems);
        assert!(found(deleted + 1, &format!("第 {deleted} 条记录缺失")), "{:?}", report.problems);
        assert!(found(last + 1, "被修改"), "{:?}", report.problems);
        assert!(found(last, "末尾被插入"), "{:?}", report.problems);
        let (ok, out) = run_cli(&app.db_url, &["audit", "verify"]);
        assert!(!ok && out.contains(&format!("第 {edited} 条")) && out.contains("末尾被插入"), "{out}");
        app
    })
    .await;
}

/// Events queued together are written together; one the database refuses (PostgreSQL stores
/// no NUL character) fails its own caller only, and the others are still in the chain.
#[tokio::test]
async fn an_event_the_database_refuses_fails_alone() {
    on_all_backends(|app| async move {
        let before = log::Entity::find().all(&app.state.db).await.unwrap().len();
        let mut writes = tokio::task::JoinSet::new();
        for i in 0..21 {
            let state = app.state.clone();
            writes.spawn(async move {
                let name = if i == 10 { "bad\0name" } else { "tester" };
                let event = dangjian::audit::Event::anonymous(name, Some("127.0.0.1"), "audit.query").object("test", i);
                let result = dangjian::audit::record_alone(&state.db, state.clock.as_ref(), event).await;
                (i, result.is_ok())
            });
        }
        let mut outcome = Vec::new();
        while let Some(done) = writes.join_next().await {
            outcome.push(done.unwrap());
        }
        outcome.sort_unstable();
        let refused: Vec<i32> = outcome.iter().filter(|(_, ok)| !ok).map(|(i, _)| *i).collect();
        if app.backend == Backend::Postgres {
            assert_eq!(refused, [10], "only the event PostgreSQL cannot store");
        } else {
            assert!(refused.is_empty(), "{refused:?}");
        }
        let rows = assert_gap_free(&app).await;
        assert_eq!(rows.len(), before + 21 - refused.len());
        let mut written: Vec<i32> = rows
            .iter()
            .filter(|r| r.object_type.as_deref() == Some("test"))
            .map(|r| r.object_id.as_deref().unwrap().parse().unwrap())
            .collect();
        written.sort_unstable();
        let expected: Vec<i32> = (0..21).filter(|i| !refused.contains(i)).collect();
        assert_eq!(written, expected);
        let report = dangjian::audit::verify(&app.state.db).await.unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        app
    })
    .await;
}

/// When the audit row cannot be written, the sensitive field is not shown: every concurrent
/// reader gets an error instead, and nothing is half-written.
#[tokio::test]
async fn a_read_that_cannot_be_audited_shows_nothing() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let (_, list) = zzb.get_json("/api/v1/persons?page_size=8").await;
        let ids: Vec<i64> = list["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
        let number = zzb.full_id(ids[0]).await;
        let rows = log::Entity::find().all(&app.state.db).await.unwrap().len();

        // The chain head is gone: no audit row can be appended.
        app.sql("DELETE FROM audit_head").await;
        let mut reads = tokio::task::JoinSet::new();
        for &id in &ids {
            let request = reveal_request(&zzb, id);
            reads.spawn(async move {
                let res = request.send().await.unwrap();
                (id, res.status().as_u16(), res.text().await.unwrap())
            });
        }
        while let Some(read) = reads.join_next().await {
            let (id, status, body) = read.unwrap();
            assert_eq!(status, 500, "{id}: {body}");
            assert!(!body.contains(&number) && !body.contains("身份证号"), "{id}: {body}");
        }
        assert_eq!(log::Entity::find().all(&app.state.db).await.unwrap().len(), rows);
        app
    })
    .await;
}
