//! Going live from the spreadsheets a bureau has (issue 10): a 政治部 roster as it is — a title
//! row, 序号, members with only an 入党时间, 所在党组织 filled only for Party members, short unit
//! names — imports every good row (with warnings where the data is incomplete), names every bad
//! row with its reason, and imports again once fixed.

use reqwest::Method;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::{Value, json};

use crate::support::{Session, on_all_backends, valid_id};

const HEADERS: [&str; 14] = [
    "序号",
    "姓名",
    "身份证号码",
    "性别",
    "人员类别",
    "警号",
    "政治面貌",
    "入党时间",
    "参加公安工作时间",
    "所在单位",
    "所在党组织",
    "联系电话",
    "备注",
    "",
];

/// A roster the way 政治部 keeps it: a merged title, the columns of the issue, text dates of
/// several spellings and one date cell (column 入党时间 given as an Excel serial when numeric).
fn roster(rows: &[[&str; 12]]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.merge_range(0, 0, 0, 12, "东港分局民辅警花名册", &Format::new()).unwrap();
    for (c, h) in HEADERS.iter().enumerate().filter(|(_, h)| !h.is_empty()) {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        let r = (r + 2) as u32;
        sheet.write_number(r, 0, f64::from(r - 1)).unwrap();
        for (c, cell) in row.iter().enumerate() {
            let c = (c + 1) as u16;
            match cell.strip_prefix("serial:") {
                Some(n) => {
                    let date = Format::new().set_num_format("yyyy-mm-dd");
                    sheet.write_number_with_format(r, c, n.parse::<f64>().unwrap(), &date).unwrap();
                }
                None if !cell.is_empty() => {
                    sheet.write_string(r, c, *cell).unwrap();
                }
                None => {}
            }
        }
    }
    book.save_to_buffer().unwrap()
}

async fn post(s: &Session, query: &str, bytes: Vec<u8>) -> (u16, Value) {
    let res = s
        .client
        .post(s.url(&format!("/api/v1/imports/people{query}")))
        .header("x-csrf-token", &s.csrf)
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

/// `row:column` of every error, or of every warning.
fn notes(report: &Value, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for r in report["rows"].as_array().unwrap() {
        for e in r[key].as_array().unwrap() {
            out.push(format!("{}:{}", r["row"], e["column"].as_str().unwrap()));
        }
    }
    out
}

fn reason(report: &Value, row: u64, key: &str) -> String {
    let r = report["rows"].as_array().unwrap().iter().find(|r| r["row"] == row).unwrap();
    r[key].as_array().unwrap().iter().map(|e| e["reason"].as_str().unwrap().to_owned()).collect::<Vec<_>>().join("；")
}

async fn person(s: &Session, name: &str) -> Value {
    let (_, found) = s.get_json(&format!("/api/v1/persons?q={}", urlencode(name))).await;
    assert_eq!(found["total"], 1, "{name}: {found}");
    found["items"][0].clone()
}

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn a_political_department_roster_goes_live_as_it_is() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let branch = "中山路派出所党支部";
        // Born 1975; the 17th digit says the gender (odd: 男).
        let genders = [1, 2, 1, 1, 2, 1, 1, 2];
        let ids: Vec<String> = (0..8).map(|i| valid_id(&format!("37020219750301{i}0{}", genders[i]))).collect();
        // Today is 2026-11-27 in the tests.
        let first: Vec<[&str; 12]> = vec![
            // 中共党员 with only an 入党时间 two decades ago: a full member, 转正 date to complete.
            [
                "郑一",
                &ids[0],
                "男",
                "民警",
                "300101",
                "中共党员",
                "2001.07",
                "2008年7月",
                "中山路所",
                branch,
                "13800000001",
                "",
            ],
            // Not a member, no 所在党组织: placed through the unit (an alias).
            ["郑二", &ids[1], "女", "辅警", "", "群众", "", "2019-03", "中山路所", "", "13800000002", ""],
            // Full-width digits in the phone, the unit by its full name.
            [
                "郑三",
                &ids[2],
                "男",
                "辅警",
                "",
                "共青团员",
                "",
                "2020/9/1",
                "中山路派出所",
                "",
                "１３８０００００００３",
                "",
            ],
            // A probationary member admitted last year.
            [
                "郑四",
                &ids[3],
                "男",
                "民警",
                "300104",
                "中共预备党员",
                "2025年3月",
                "2012.07",
                "中山路派出所",
                branch,
                "",
                "",
            ],
            // 预备党员 admitted three years ago: the dates prove it wrong.
            [
                "郑五",
                &ids[4],
                "女",
                "民警",
                "300105",
                "中共预备党员",
                "2023.05",
                "2010.07",
                "中山路派出所",
                branch,
                "",
                "",
            ],
            // 中共党员 admitted last month: the dates prove it wrong.
            [
                "郑六",
                &ids[5],
                "男",
                "民警",
                "300106",
                "中共党员",
                "2026年10月",
                "2011.07",
                "中山路派出所",
                branch,
                "",
                "",
            ],
            // A unit nobody knows, and no 所在党组织.
            ["郑七", &ids[6], "男", "辅警", "", "群众", "", "2021.07", "中山派出所三中队", "", "", ""],
            // 入党时间 as a date cell.
            [
                "郑八",
                &ids[7],
                "女",
                "民警",
                "300108",
                "中共党员",
                "serial:40360",
                "2005.07",
                "中山路所",
                branch,
                "",
                "",
            ],
        ];
        let (status, report) = post(&zzb, "?dry_run=true", roster(&first)).await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["header_row"], 2);
        // Every bad row is named with its column; no good row is refused.
        assert_eq!(notes(&report, "errors"), ["7:政治面貌", "8:政治面貌", "9:所在单位"]);
        assert_eq!(report["rejected"], 3);
        assert!(reason(&report, 7, "errors").contains("超过两年"), "{report}");
        assert!(reason(&report, 8, "errors").contains("不满一年"), "{report}");
        let unknown = reason(&report, 9, "errors");
        assert!(unknown.contains("中山派出所三中队") && unknown.contains("中山路派出所"), "{unknown}");
        // Warnings stand apart: incomplete, accepted.
        assert_eq!(notes(&report, "warnings"), ["3:转正日期", "10:转正日期"]);
        assert_eq!(report["warned"], 2);
        // Nothing is half-imported.
        let (status, _) = post(&zzb, "", roster(&first)).await;
        assert_eq!(status, 422);
        let (_, none) = zzb.get_json(&format!("/api/v1/persons?q={}", urlencode("郑一"))).await;
        assert_eq!(none["total"], 0);

        // Fixed: the 预备党员 was a 中共党员 all along, the new member is probationary, the
        // unknown unit's rows go to a chosen organization.
        let mut fixed = first.clone();
        fixed[4][5] = "中共党员";
        fixed[5][5] = "中共预备党员";
        let (status, report) = post(&zzb, &format!("?org={}", urlencode(branch)), roster(&fixed)).await;
        assert_eq!(status, 201, "{report}");
        assert_eq!(report["created"], 8);
        assert_eq!(notes(&report, "warnings"), ["3:转正日期", "7:转正日期", "9:所在党组织", "10:转正日期"]);

        let two = person(&zzb, "郑二").await;
        assert_eq!(two["org_name"], branch);
        assert_eq!(two["unit"], "中山路派出所");
        assert_eq!(person(&zzb, "郑一").await["political_status"], "中共党员");
        assert_eq!(person(&zzb, "郑四").await["political_status"], "中共预备党员");
        assert_eq!(person(&zzb, "郑七").await["org_name"], branch);

        // The memberships to complete, in the branch secretary's list too.
        let shuji = app.login("shuji").await;
        let (status, list) = shuji.get_json("/api/v1/memberships/incomplete").await;
        assert_eq!(status, 200);
        let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
        assert_eq!(list["total"], 3, "{list}");
        assert!(names.contains(&"郑一") && names.contains(&"郑五") && names.contains(&"郑八"), "{names:?}");
        let page = shuji.get("/party/incomplete").await.text().await.unwrap();
        assert!(page.contains("郑一") && page.contains("待补录"), "{page}");
        let (status, _) = app.login("dangyuan").await.get_json("/api/v1/memberships/incomplete").await;
        assert_eq!(status, 403);
        let one = person(&zzb, "郑一").await["id"].as_i64().unwrap();
        let profile = zzb.get(&format!("/people/{one}")).await.text().await.unwrap();
        assert!(profile.contains("待补录"), "{profile}");

        // Completing it: the date the probation ended, not any day.
        let path = format!("/api/v1/persons/{one}/membership/full");
        let (status, body) = shuji.send_json(Method::POST, &path, json!({"full_on": "2002-03-01"})).await;
        assert_eq!(status, 422, "{body}");
        let (status, body) = shuji.send_json(Method::POST, &path, json!({"full_on": "2002-07-01"})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["full_on"], "2002-07-01");
        let (_, list) = shuji.get_json("/api/v1/memberships/incomplete").await;
        assert_eq!(list["total"], 2);

        // The same roster again, spelled differently (spaces, full-width digits, other date
        // spellings): nothing changes.
        let mut respelled = fixed.clone();
        respelled[0][0] = "郑 一";
        respelled[0][7] = "2008-07-01";
        respelled[1][10] = "13800000002 ";
        respelled[2][7] = "2020年9月1日";
        let (status, report) =
            post(&zzb, &format!("?dry_run=true&org={}", urlencode(branch)), roster(&respelled)).await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["unchanged"], 8, "{report}");
        app
    })
    .await;
}

#[tokio::test]
async fn units_are_a_maintained_list_with_aliases() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let (status, list) = zzb.get_json(&format!("/api/v1/units?q={}", urlencode("中山路所"))).await;
        assert_eq!(status, 200);
        assert_eq!(list["items"][0]["name"], "中山路派出所", "{list}");
        assert_eq!(list["items"][0]["org_name"], "中山路派出所党支部");

        let body = json!({"name": "滨海路 警务室", "aliases": "滨海室、滨海警务室", "org_id": 10});
        let (status, unit) = zzb.send_json(Method::POST, "/api/v1/units", body).await;
        assert_eq!(status, 201, "{unit}");
        assert_eq!(unit["name"], "滨海路警务室");
        // A name or alias is one unit's only.
        let (status, err) =
            zzb.send_json(Method::POST, "/api/v1/units", json!({"name": "别的室", "aliases": "中山路所"})).await;
        assert_eq!(status, 409, "{err}");
        assert!(err["message"].as_str().unwrap().contains("中山路派出所"));
        let (status, err) = zzb.send_json(Method::POST, "/api/v1/units", json!({"name": " "})).await;
        assert_eq!((status, err["errors"][0]["field"].as_str()), (422, Some("name")), "{err}");
        // Only party_admin keeps the list.
        let shuji = app.login("shuji").await;
        let id = unit["id"].as_i64().unwrap();
        let (status, _) = shuji.send_json(Method::PUT, &format!("/api/v1/units/{id}"), json!({"name": "x"})).await;
        assert_eq!(status, 403);
        let page = zzb.get("/orgs/units").await.text().await.unwrap();
        assert!(page.contains("滨海路警务室") && page.contains("滨海室"), "{page}");
        app
    })
    .await;
}
