use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;

use crate::support::{Session, TestApp, on_all_backends, valid_id};

/// A cell as people type it: text, a number, or an Excel date.
enum Cell {
    Text(String),
    Number(f64),
    Date(f64),
}

fn t(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

/// A roster as other tools make it: a merged title, merged group headings, headers in their
/// own order with other names, an extra column.
fn roster(rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut book = Workbook::new();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = book.add_worksheet();
    sheet.merge_range(0, 0, 0, 8, "中山路派出所民辅警花名册（2026年11月）", &Format::new()).unwrap();
    sheet.merge_range(1, 0, 1, 4, "基本信息", &Format::new()).unwrap();
    sheet.merge_range(1, 5, 1, 8, "工作信息", &Format::new()).unwrap();
    let headers =
        ["序号", "姓名", "公民身份号码", "人员类型", "政治面貌", "所在支部", "警号", "入警时间", "职务", "备注"];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        let r = (r + 3) as u32;
        sheet.write_number(r, 0, (r - 2) as f64).unwrap();
        for (c, cell) in row.iter().enumerate() {
            let c = (c + 1) as u16;
            match cell {
                Cell::Text(s) => {
                    sheet.write_string(r, c, s).unwrap();
                }
                Cell::Number(n) => {
                    sheet.write_number(r, c, *n).unwrap();
                }
                Cell::Date(serial) => {
                    sheet.write_number_with_format(r, c, *serial, &date).unwrap();
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

async fn post_file(s: &Session, query: &str, bytes: Vec<u8>) -> (u16, Value) {
    let res = s
        .client
        .post(s.url(&format!("/api/v1/imports/people{query}")))
        .header("x-csrf-token", &s.csrf)
        .header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn existing_member(app: &TestApp, s: &Session) -> (String, String, String) {
    let (_, list) = s.get_json("/api/v1/persons?org=10&kind=%E6%B0%91%E8%AD%A6").await;
    let p = &list["items"][0];
    let id = s.full_id(p["id"].as_i64().unwrap()).await;
    let _ = app;
    (p["name"].as_str().unwrap().to_owned(), id, p["police_no"].as_str().unwrap().to_owned())
}

fn error_texts(report: &Value) -> Vec<String> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            let row = r["row"].as_u64().unwrap();
            r["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |e| format!("{row}:{}:{}", e["column"].as_str().unwrap(), e["reason"].as_str().unwrap()))
        })
        .collect()
}

#[tokio::test]
async fn a_real_looking_roster_is_previewed_rejected_whole_then_fixed_and_imported() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let (member_name, member_id, member_no) = existing_member(&app, &zzb).await;
        let (_, before) = zzb.get_json("/api/v1/persons").await;
        let before_total = before["total"].as_u64().unwrap();

        let new_regular = valid_id("37020219880214003");
        let new_aux = valid_id("37020219990909004");
        let broken = valid_id("37020219900101005");
        let good_rows = vec![
            // Full-width digits, a space inside the name, a month-only date.
            vec![
                t("张 伟"),
                t(&new_regular),
                t("民警"),
                t("中共党员"),
                t("中山路派出所党支部"),
                t("１００９９１"),
                t("2015.07"),
                t("民警"),
                t(""),
            ],
            // An Excel date cell and a 年月 date.
            vec![
                t("刘芳"),
                t(&new_aux),
                t("辅警"),
                t("共青团员"),
                t("中山路派出所党支部"),
                t(""),
                Cell::Date(43586.0),
                t("辅警"),
                t("新入职"),
            ],
            // An existing person: the post changes.
            vec![
                t(&member_name),
                t(&member_id),
                t("民警"),
                t("中共党员"),
                t("中山路派出所党支部"),
                t(&member_no),
                t("2010年7月"),
                t("社区民警"),
                t(""),
            ],
        ];
        let mut bad_rows = good_rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Cell::Text(s) => t(s),
                        Cell::Number(n) => Cell::Number(*n),
                        Cell::Date(d) => Cell::Date(*d),
                    })
                    .collect()
            })
            .collect::<Vec<Vec<Cell>>>();
        // An ID number stored as a number: digits lost.
        bad_rows.push(vec![
            t("王强"),
            Cell::Number(broken.parse::<f64>().unwrap()),
            t("民警"),
            t("群众"),
            t("中山路派出所党支部"),
            t("100992"),
            t(""),
            t(""),
            t(""),
        ]);
        // The same person twice in the file.
        bad_rows.push(vec![
            t("张伟"),
            t(&new_regular),
            t("民警"),
            t("中共党员"),
            t("中山路派出所党支部"),
            t("100993"),
            t(""),
            t(""),
            t(""),
        ]);
        // A wrong check digit and a branch that does not exist.
        let mut wrong = new_aux.clone();
        wrong.replace_range(17..18, if wrong.ends_with('1') { "2" } else { "1" });
        bad_rows.push(vec![
            t("赵六"),
            t(&wrong),
            t("辅警"),
            t("群众"),
            t("不存在的党支部"),
            t(""),
            t(""),
            t(""),
            t(""),
        ]);

        let (status, report) = post_file(&zzb, "?dry_run=true", roster(&bad_rows)).await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["header_row"], 3);
        assert_eq!(report["ignored_columns"], serde_json::json!(["序号", "备注"]));
        assert_eq!(
            (report["created"].as_u64(), report["updated"].as_u64(), report["rejected"].as_u64()),
            (Some(2), Some(1), Some(3))
        );
        let errors = error_texts(&report);
        assert!(errors.iter().any(|e| e.starts_with("7:身份证号:以数字格式保存")), "{errors:?}");
        assert!(errors.iter().any(|e| e == "8:身份证号:与第 4 行的身份证号重复"), "{errors:?}");
        assert!(errors.iter().any(|e| e == "9:身份证号:身份证号校验位不正确"), "{errors:?}");
        assert!(errors.iter().any(|e| e.starts_with("9:所在党组织:找不到")), "{errors:?}");

        // Committing a file with rejected rows writes nothing.
        let (status, report) = post_file(&zzb, "", roster(&bad_rows)).await;
        assert_eq!(status, 422);
        assert_eq!(report["committed"], false);
        assert_eq!(zzb.get_json("/api/v1/persons").await.1["total"].as_u64().unwrap(), before_total);

        // Fixed: everything goes in, in one piece.
        let (status, report) = post_file(&zzb, "?filename=roster.xlsx", roster(&good_rows)).await;
        assert_eq!(status, 201, "{report}");
        assert_eq!(report["committed"], true);
        assert_eq!(zzb.get_json("/api/v1/persons").await.1["total"].as_u64().unwrap(), before_total + 2);
        let (_, found) = zzb.get_json("/api/v1/persons?q=100991").await;
        assert_eq!(found["items"][0]["name"], "张伟");
        let (_, aux) = zzb.get_json(&format!("/api/v1/persons?q={}", &new_aux[14..])).await;
        let aux_id = aux["items"][0]["id"].as_i64().unwrap();
        // Imported names are found by their pinyin initials like any other.
        let (_, by_initials) = zzb.get_json("/api/v1/persons?q=lf&page_size=200").await;
        assert!(by_initials["items"].as_array().unwrap().iter().any(|p| p["id"] == aux_id), "{by_initials}");
        let (_, profile) = zzb.get_json(&format!("/api/v1/persons/{aux_id}")).await;
        let work = profile["sections"].as_array().unwrap().iter().find(|s| s["id"] == "work").unwrap();
        assert!(work["rows"].as_array().unwrap().iter().any(|r| r["value"] == "2019-05-01"), "{work}");

        // The same file again: nothing to change.
        let (status, again) = post_file(&zzb, "?dry_run=1", roster(&good_rows)).await;
        assert_eq!(status, 200);
        assert_eq!(
            (again["created"].as_u64(), again["updated"].as_u64(), again["unchanged"].as_u64()),
            (Some(0), Some(0), Some(3))
        );

        // The secretary may not import into another branch.
        let shuji = app.login("shuji").await;
        let other = vec![vec![
            t("钱七"),
            t(&valid_id("37020219850505006")),
            t("辅警"),
            t("群众"),
            t("人民路派出所党支部"),
            t(""),
            t(""),
            t(""),
            t(""),
        ]];
        let (_, report) = post_file(&shuji, "?dry_run=true", roster(&other)).await;
        assert_eq!(report["rejected"], 1);

        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?action=person.import").await;
        assert_eq!(log["total"], 1);
        app
    })
    .await;
}

/// Previews a one-person roster on the web page (a 辅警 of 中山路派出所党支部); answers the id
/// of the upload kept for its confirmation, and the preview page.
pub(crate) async fn previewed(s: &Session, name: &str, id17: &str) -> (String, String) {
    let row = vec![
        t(name),
        t(&valid_id(id17)),
        t("辅警"),
        t("群众"),
        t("中山路派出所党支部"),
        t(""),
        t(""),
        t("辅警"),
        t(""),
    ];
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(roster(&[row])).file_name("花名册.xlsx"));
    let res = s.client.post(s.url(&format!("/people/import?_csrf={}", s.csrf))).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let marker = "action=\"/people/import/";
    let start = html.find(marker).unwrap_or_else(|| panic!("no confirmation offered: {html}")) + marker.len();
    (html[start..].chars().take_while(|c| c.is_ascii_digit()).collect(), html)
}

#[tokio::test]
async fn the_web_import_previews_then_commits_and_the_cli_checks_files() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let zzb = app.login("zzb").await;
    let template = zzb.get("/people/import/template.xlsx").await;
    assert_eq!(template.status(), 200);
    let (upload_id, html) = previewed(&zzb, "孙八", "37020219870303007").await;
    assert!(html.contains("新建 <strong>1</strong> 人"), "{html}");
    let res = zzb.post_form(&format!("/people/import/{upload_id}/commit"), &[]).await;
    assert_eq!(res.status(), 303);
    let (_, found) = zzb.get_json("/api/v1/persons?q=%E5%AD%99%E5%85%AB").await;
    assert_eq!(found["total"], 1);
    // A second confirmation of the same upload is refused.
    assert_eq!(zzb.post_form(&format!("/people/import/{upload_id}/commit"), &[]).await.status(), 409);

    // The command line: a dry run that finds a problem exits non-zero and names the row.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("名册.xlsx");
    let bad = vec![vec![
        t("周九"),
        t("370202199001011234"),
        t("辅警"),
        t("群众"),
        t("中山路派出所党支部"),
        t(""),
        t(""),
        t(""),
        t(""),
    ]];
    std::fs::write(&path, roster(&bad)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dangjian"))
        .args(["import", "people"])
        .arg(&path)
        .arg("--dry-run")
        .arg("--db")
        .arg(&app.db_url)
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(stdout.contains("第 4 行「身份证号」：身份证号校验位不正确"), "{stdout}");
    app.finish().await;
}

#[tokio::test]
async fn memberships_come_in_with_the_roster() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let headers = ["姓名", "身份证号", "人员类别", "所在党组织", "政治面貌", "入党时间", "转正时间"];
        for (c, h) in headers.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        let member = valid_id("37020219860606008");
        let probationary = valid_id("37020219960707009");
        let too_young = valid_id("37020220080808000");
        let rows = [
            ["老党员", member.as_str(), "辅警", "中山路派出所党支部", "", "2010年7月", "2011.07"],
            ["新党员", probationary.as_str(), "辅警", "中山路派出所党支部", "中共预备党员", "2026-03-01", ""],
            ["少年", too_young.as_str(), "辅警", "中山路派出所党支部", "", "2025-01-01", ""],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string((r + 1) as u32, c as u16, *v).unwrap();
            }
        }
        let bytes = book.save_to_buffer().unwrap();
        let (_, report) = post_file(&zzb, "?dry_run=true", bytes.clone()).await;
        assert_eq!(report["rejected"], 1);
        let errors = error_texts(&report);
        assert!(errors.iter().any(|e| e.starts_with("4:入党日期:入党时仅 16 周岁")), "{errors:?}");

        // Without the under-age row, both members come in with their memberships.
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in headers.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows[..2].iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string((r + 1) as u32, c as u16, *v).unwrap();
            }
        }
        let (status, report) = post_file(&zzb, "", book.save_to_buffer().unwrap()).await;
        assert_eq!(status, 201, "{report}");
        let (_, found) = zzb.get_json("/api/v1/persons?q=%E8%80%81%E5%85%9A%E5%91%98").await;
        assert_eq!(found["items"][0]["political_status"], "中共党员");
        let (_, profile) = zzb.get_json(&format!("/api/v1/persons/{}", found["items"][0]["id"])).await;
        let party = profile["sections"].as_array().unwrap().iter().find(|s| s["id"] == "party").unwrap();
        let rows: Vec<String> =
            party["rows"].as_array().unwrap().iter().map(|r| r["value"].as_str().unwrap().to_owned()).collect();
        assert!(rows.contains(&"2010-07-01".to_owned()) && rows.contains(&"2011-07-01".to_owned()), "{rows:?}");
        let (_, newbie) = zzb.get_json("/api/v1/persons?q=%E6%96%B0%E5%85%9A%E5%91%98").await;
        assert_eq!(newbie["items"][0]["political_status"], "中共预备党员");
        app
    })
    .await;
}
