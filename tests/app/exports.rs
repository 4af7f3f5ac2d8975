//! A large roster export runs as a job beside the requests (issue 10 item 7, issue 15): the
//! browser is sent to a progress page that polls, then downloads the file; the export is audited
//! as before, and only the account that started the job can see or download it.

use calamine::{Reader, Xlsx};
use serde_json::Value;

use crate::support::{AUDIT_KEY, TestApp, backends};

#[tokio::test]
async fn a_large_export_shows_progress_and_only_its_starter_downloads_it() {
    for backend in backends() {
        let app = TestApp::spawn_with(backend, |c| c.exports.job_from_rows = 10).await;
        let zzb = app.login("zzb").await;
        let (_, list) = zzb.get_json("/api/v1/persons?page_size=1").await;
        let total = list["total"].as_u64().unwrap();
        assert!(total >= 10, "{list}");

        // A script that does not ask for a page gets the whole file at once, however large.
        let res = zzb.get("/people/export.xlsx").await;
        assert_eq!(res.status(), 200);
        let bytes = res.bytes().await.unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        assert_eq!(book.worksheet_range("民辅警").unwrap().rows().count() as u64 - 2, total);

        // Start: the browser goes to the job's page.
        let res = zzb
            .client
            .get(zzb.url("/people/export.xlsx"))
            .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let job = res.headers()["location"].to_str().unwrap().to_owned();
        let id: i64 = job.strip_prefix("/people/export/").unwrap().parse().unwrap();

        // Progress: rows written so far out of the total, until the file is ready.
        let mut last = Value::Null;
        for _ in 0..400 {
            let (status, p) = zzb.get_json(&format!("{job}/progress")).await;
            assert_eq!(status, 200, "{p}");
            assert_eq!(p["total"].as_u64(), Some(total), "{p}");
            assert!(p["rows"].as_u64().unwrap() <= total, "{p}");
            assert!(p["failure"].is_null(), "{p}");
            let phase = if p["ready"] == true {
                ""
            } else if p["rows"].as_u64() == Some(total) {
                "打包"
            } else {
                "写入"
            };
            assert_eq!(p["phase"], phase, "{p}");
            last = p;
            if last["ready"] == true {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(last["ready"], true, "{last}");
        assert_eq!(last["rows"].as_u64(), Some(total), "{last}");
        let page = zzb.get(&job).await.text().await.unwrap();
        assert!(page.contains(&format!("href=\"{job}/file\"")) && page.contains("下载 Excel"), "{page}");

        // Download: the same sheet a direct export gives, ID numbers masked.
        let res = zzb.get(&format!("{job}/file")).await;
        assert_eq!(res.status(), 200);
        let bytes = res.bytes().await.unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let sheet = book.worksheet_range("民辅警").unwrap();
        assert_eq!((sheet.rows().count() - 2) as u64, total);
        assert_eq!(sheet.rows().next().unwrap()[0].to_string(), format!("民辅警名册（共 {total} 人）"));
        assert!(sheet.rows().skip(2).all(|r| r[3].to_string().contains("********")), "ID numbers masked");

        // A small export is still answered at once.
        let name = list["items"][0]["name"].as_str().unwrap();
        let q: String = name.bytes().map(|b| format!("%{b:02X}")).collect();
        let (_, few) = zzb.get_json(&format!("/api/v1/persons?q={q}")).await;
        assert!((1..10).contains(&few["total"].as_u64().unwrap()), "{few}");
        let res = zzb.get(&format!("/people/export.xlsx?q={q}")).await;
        assert_eq!(res.status(), 200);
        let bytes = res.bytes().await.unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        assert_eq!(book.worksheet_range("民辅警").unwrap().rows().count() as u64 - 2, few["total"].as_u64().unwrap());

        // Someone else's job looks missing, whatever they ask of it, and each try is audited.
        let fenju = app.login("fenju").await;
        for path in [job.clone(), format!("{job}/progress"), format!("{job}/file"), "/people/export/424242".into()] {
            assert_eq!(fenju.get(&path).await.status(), 404, "{path}");
        }
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?who=fenju&action=access.denied").await;
        assert_eq!(log["total"], 4, "{log}");
        assert!(log["items"].as_array().unwrap().iter().any(|e| e["object"] == format!("export#{id}")), "{log}");
        // The export itself is audited as before: once per export, not per download.
        let (_, log) = auditor.get_json("/api/v1/audit?who=zzb&action=person.export").await;
        assert_eq!(log["total"], 3, "{log}");
        app.finish().await;
    }
}

/// `dangjian export people`: the web page's export from the command line, filtered alike, audited
/// as the `cli` account, and a name that matches no organization refused before anything is read.
#[tokio::test]
async fn the_command_line_exports_what_the_page_exports() {
    for backend in backends() {
        let app = TestApp::spawn_with(backend, |_| {}).await;
        let zzb = app.login("zzb").await;
        let (_, branch) = zzb.get_json("/api/v1/orgs/10").await;
        let name = branch["org"]["name"].as_str().unwrap().to_owned();
        let (_, list) = zzb.get_json("/api/v1/persons?org=10&page_size=1").await;
        let total = list["total"].as_u64().unwrap();
        assert!(total > 0, "{list}");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("名册.xlsx");
        let run = |args: &[&str]| {
            std::process::Command::new(env!("CARGO_BIN_EXE_dangjian"))
                .args(["export", "people"])
                .arg(&path)
                .args(args)
                .arg("--db")
                .arg(&app.db_url)
                .env("RUST_LOG", "error")
                .env("DANGJIAN__AUDIT__KEY", AUDIT_KEY)
                .output()
                .unwrap()
        };
        let out = run(&["--org", &name]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains(&format!("已导出 {total} 人")), "{stdout}");
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(std::fs::read(&path).unwrap())).unwrap();
        let sheet = book.worksheet_range("民辅警").unwrap();
        assert_eq!((sheet.rows().count() - 2) as u64, total);
        let (_, all) = zzb.get_json(&format!("/api/v1/persons?org=10&page_size={total}")).await;
        let mut listed: Vec<String> =
            all["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect();
        let mut exported: Vec<String> = sheet.rows().skip(2).map(|r| r[0].to_string()).collect();
        listed.sort();
        exported.sort();
        assert_eq!(exported, listed);
        assert!(sheet.rows().skip(2).all(|r| r[3].to_string().contains("********")), "ID numbers masked");

        // No such organization: refused with its name, and the earlier file left as it was.
        let before = std::fs::read(&path).unwrap();
        let out = run(&["--org", "不存在的党支部"]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("找不到名为“不存在的党支部”的党组织"), "{out:?}");
        assert_eq!(std::fs::read(&path).unwrap(), before);

        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?who=cli&action=person.export").await;
        assert_eq!(log["total"], 1, "{log}");
        let summary: Value = serde_json::from_str(log["items"][0]["summary"].as_str().unwrap()).unwrap();
        assert_eq!((summary["rows"].as_u64(), summary["filter"]["org"].as_i64()), (Some(total), Some(10)), "{log}");
        app.finish().await;
    }
}
