use reqwest::Method;
use serde_json::json;

use crate::support::on_all_backends;

fn run_cli(db_url: &str, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dangjian"))
        .args(args)
        .arg("--db")
        .arg(db_url)
        .env("RUST_LOG", "error")
        .output()
        .expect("run dangjian");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test]
async fn the_auditor_finds_logins_filters_and_exports() {
    use calamine::{Reader, Xlsx};
    on_all_backends(|app| async move {
        app.login("shuji").await;
        let _ = app.login_with("shuji", "Wrong@pass1").await;
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
