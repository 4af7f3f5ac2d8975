//! Importing the organization tree (issue 10, item 3): a sheet of organizations as a bureau keeps
//! it — a title row, parents after their children, unit aliases — creates or updates the tree;
//! every bad row (a cycle, an unknown parent, a kind its parent cannot hold) is named and nothing
//! is written until it is fixed. Then a whole sub-bureau from nothing: tree, units, roster.

use reqwest::Method;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::{Value, json};

use crate::support::{Session, TestApp, on_all_backends, valid_id};

const HEADERS: [&str; 9] = ["序号", "名称", "上级党组织", "类型", "成立日期", "届期", "覆盖单位", "书记", "备注"];

/// A tree sheet with a merged title row; each row is 名称, 上级党组织, 类型, 成立日期, 届期, 覆盖单位, 书记.
fn sheet(rows: &[[&str; 7]]) -> Vec<u8> {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.merge_range(0, 0, 0, 8, "党组织设置情况一览表", &Format::new()).unwrap();
    for (c, h) in HEADERS.iter().enumerate() {
        s.write_string(1, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        let r = (r + 2) as u32;
        s.write_number(r, 0, f64::from(r - 1)).unwrap();
        for (c, cell) in row.iter().enumerate().filter(|(_, c)| !c.is_empty()) {
            s.write_string(r, (c + 1) as u16, *cell).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

async fn post(s: &Session, kind: &str, query: &str, bytes: Vec<u8>) -> (u16, Value) {
    let res = s
        .client
        .post(s.url(&format!("/api/v1/imports/{kind}{query}")))
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

fn action(report: &Value, row: u64) -> String {
    let r = report["rows"].as_array().unwrap().iter().find(|r| r["row"] == row).unwrap();
    r["action"].as_str().unwrap().to_owned()
}

fn enc(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// The live organization named `name` (exactly one).
async fn org(s: &Session, name: &str) -> Value {
    let (_, found) = s.get_json(&format!("/api/v1/orgs?q={}", enc(name))).await;
    let hits: Vec<&Value> = found["items"].as_array().unwrap().iter().filter(|o| o["name"] == name).collect();
    assert_eq!(hits.len(), 1, "{name}: {found}");
    hits[0].clone()
}

async fn unit_org(s: &Session, unit: &str) -> Value {
    let (_, list) = s.get_json(&format!("/api/v1/units?q={}", enc(unit))).await;
    assert_eq!(list["total"], 1, "{unit}: {list}");
    list["items"][0]["org_name"].clone()
}

const ROOT: &str = "中共海滨市公安局委员会";
const BUREAU: &str = "中共西岭分局委员会";
const STATION: &str = "西岭分局中心派出所党支部";

#[tokio::test]
async fn a_messy_tree_sheet_names_every_bad_row_and_writes_nothing_until_fixed() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let rows: Vec<[&str; 7]> = vec![
            // 3: its parent comes on the next row.
            [STATION, BUREAU, "党支部", "2005.03", "3年", "中心派出所、中心所警务室", "李四"],
            // 4: under the existing root; a term given as its start and end.
            [BUREAU, ROOT, "党委", "2001年6月", "2023.06-2028.06", "西岭分局", ""],
            // 5: a group under the branch of row 3.
            ["第一党小组", STATION, "党小组", "", "", "", ""],
            // 6, 7: each the other's parent.
            ["甲党支部", "乙党总支", "党支部", "", "", "", ""],
            ["乙党总支", "甲党支部", "党总支", "", "", "", ""],
            // 8: a parent nobody knows.
            ["丙党支部", "不存在的党委", "党支部", "", "", "", ""],
            // 9: a general branch cannot sit under a branch.
            ["错层党总支", STATION, "党总支", "", "", "", ""],
            // 10: an existing branch spelled with a space, its unit by an alias: nothing changes.
            ["中山路 派出所党支部", "中共东港分局委员会", "党支部", "", "", "中山路所", ""],
        ];
        let (status, report) = post(&zzb, "orgs", "?dry_run=true", sheet(&rows)).await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["header_row"], 2);
        assert_eq!(report["ignored_columns"], json!(["序号", "备注"]));
        assert_eq!(notes(&report, "errors"), ["6:上级党组织", "7:上级党组织", "8:上级党组织", "9:类型"]);
        assert!(reason(&report, 6, "errors").contains("形成循环"), "{report}");
        assert!(reason(&report, 7, "errors").contains("形成循环"), "{report}");
        assert!(reason(&report, 8, "errors").contains("找不到上级党组织“不存在的党委”"), "{report}");
        assert!(reason(&report, 9, "errors").contains("党总支不能设在党支部"), "{report}");
        // Warnings stand apart: new units, a secretary not in the roster yet.
        assert_eq!(notes(&report, "warnings"), ["3:覆盖单位", "3:覆盖单位", "3:书记", "4:覆盖单位"]);
        assert!(reason(&report, 3, "warnings").contains("书记李四未在名册中，导入名册后在班子页补录"));
        assert_eq!(
            (action(&report, 3), action(&report, 4), action(&report, 5)),
            ("新建".into(), "新建".into(), "新建".into())
        );
        assert_eq!(action(&report, 10), "无变化");
        assert_eq!((report["created"].as_u64(), report["rejected"].as_u64()), (Some(3), Some(4)));

        // Nothing is half-written.
        let (status, refused) = post(&zzb, "orgs", "", sheet(&rows)).await;
        assert_eq!((status, &refused["committed"]), (422, &json!(false)));
        let (_, none) = zzb.get_json(&format!("/api/v1/orgs?q={}", enc("西岭"))).await;
        assert_eq!(none["total"], 0, "{none}");
        let (_, units) = zzb.get_json(&format!("/api/v1/units?q={}", enc("中心所警务室"))).await;
        assert_eq!(units["total"], 0);

        // Fixed: the cycle dropped, the parent and the kind corrected.
        let mut fixed: Vec<[&str; 7]> =
            rows.iter().enumerate().filter(|(i, _)| *i != 3 && *i != 4).map(|(_, r)| *r).collect();
        fixed[3][1] = BUREAU;
        fixed[4][1] = BUREAU;
        let (status, report) = post(&zzb, "orgs", "?filename=tree.xlsx", sheet(&fixed)).await;
        assert_eq!(status, 201, "{report}");
        assert_eq!((report["created"].as_u64(), report["unchanged"].as_u64()), (Some(5), Some(1)));
        let bureau = org(&zzb, BUREAU).await;
        let station = org(&zzb, STATION).await;
        assert_eq!(bureau["parent_id"], org(&zzb, ROOT).await["id"]);
        assert_eq!(station["parent_id"], bureau["id"]);
        assert_eq!(org(&zzb, "错层党总支").await["parent_id"], bureau["id"]);
        assert_eq!(org(&zzb, "丙党支部").await["parent_id"], bureau["id"]);
        // Several 第一党小组 exist; this one hangs under the new branch.
        let (_, groups) = zzb.get_json(&format!("/api/v1/orgs?under={}", station["id"])).await;
        assert!(groups["items"].as_array().unwrap().iter().any(|g| g["name"] == "第一党小组"), "{groups}");
        let (_, detail) = zzb.get_json(&format!("/api/v1/orgs/{}", bureau["id"])).await;
        let g = &detail["governance"];
        assert_eq!(
            (g["founded_on"].as_str(), g["term_years"].as_i64(), g["elected_on"].as_str()),
            (Some("2001-06-01"), Some(5), Some("2023-06-01")),
            "{detail}"
        );
        assert_eq!(unit_org(&zzb, "中心所警务室").await, STATION);
        assert_eq!(unit_org(&zzb, "中山路所").await, "中山路派出所党支部");

        // The same sheet spelled differently (spaces, full-width digits) changes nothing.
        let mut respelled = fixed.clone();
        respelled[0][0] = "西岭分局 中心派出所党支部";
        respelled[0][4] = "３年";
        respelled[1][3] = "2001-06-01";
        let (status, again) = post(&zzb, "orgs", "?dry_run=true", sheet(&respelled)).await;
        assert_eq!(status, 200);
        assert_eq!(again["unchanged"], 6, "{again}");

        // The import is audited, in one entry.
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?action=org.import").await;
        assert_eq!(log["total"], 1, "{log}");
        app
    })
    .await;
}

#[tokio::test]
async fn only_who_keeps_the_tree_imports_it_and_uploads_stay_their_own() {
    on_all_backends(|app| async move {
        let rows = [[BUREAU, ROOT, "党委", "", "", "", ""]];
        // A branch secretary keeps people, not the tree.
        let shuji = app.login("shuji").await;
        let (status, _) = post(&shuji, "orgs", "?dry_run=true", sheet(&rows)).await;
        assert_eq!(status, 403);
        assert_eq!(shuji.get("/orgs/import").await.status(), 403);

        // A party office of one sub-bureau cannot start a new top, nor hang under the city.
        let scoped = crate::party::account_of(&app, "zzb2", "party_admin", 2).await;
        let (status, report) = post(&scoped, "orgs", "?dry_run=true", sheet(&rows)).await;
        assert_eq!(status, 200, "{report}");
        assert!(
            reason(&report, 3, "errors").contains("找不到上级党组织") || reason(&report, 3, "errors").contains("无权"),
            "{report}"
        );

        // The page: upload, preview, confirm; someone else's upload is not found, and audited.
        let zzb = app.login("zzb").await;
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(sheet(&rows)).file_name("组织树.xlsx"));
        let res =
            zzb.client.post(zzb.url(&format!("/orgs/import?_csrf={}", zzb.csrf))).multipart(form).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(html.contains("新建 <strong>1</strong> 个党组织"), "{html}");
        let marker = "action=\"/orgs/import/";
        let start = html.find(marker).unwrap() + marker.len();
        let upload: String = html[start..].chars().take_while(|c| c.is_ascii_digit()).collect();
        assert_eq!(scoped.post_form(&format!("/orgs/import/{upload}/commit"), &[]).await.status(), 404);
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?who=zzb2&action=access.denied").await;
        assert!(log["total"].as_u64().unwrap() >= 1, "{log}");
        assert_eq!(zzb.post_form(&format!("/orgs/import/{upload}/commit"), &[]).await.status(), 303);
        org(&zzb, BUREAU).await;
        assert_eq!(zzb.post_form(&format!("/orgs/import/{upload}/commit"), &[]).await.status(), 409);
        // Progress of the instance's import: numbers only, for those who import.
        let (status, idle) = zzb.get_json("/people/import/progress").await;
        assert_eq!((status, idle), (200, json!({"phase": "", "rows": 0})));
        assert_eq!(app.login("dangyuan").await.get("/people/import/progress").await.status(), 403);
        // The template downloads with its header and an example row.
        let res = zzb.get("/orgs/import/template.xlsx").await;
        assert_eq!(res.status(), 200);
        assert!(res.bytes().await.unwrap().starts_with(b"PK"));
        app
    })
    .await;
}

/// The 书记 named in the tree sheet, as a member of the roster.
fn roster(rows: &[[&str; 6]]) -> Vec<u8> {
    let mut book = Workbook::new();
    let s = book.add_worksheet();
    s.write_string(0, 0, "北岭分局花名册").unwrap();
    for (c, h) in ["姓名", "身份证号码", "人员类别", "警号", "政治面貌", "入党时间", "所在单位"].iter().enumerate()
    {
        s.write_string(1, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        let id = valid_id(&format!("3702021980010100{}", r + 1));
        s.write_string((r + 2) as u32, 1, &id).unwrap();
        for (c, cell) in row.iter().enumerate().filter(|(_, c)| !c.is_empty()) {
            let col = if c == 0 { 0 } else { c + 1 };
            s.write_string((r + 2) as u32, col as u16, *cell).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_whole_sub_bureau_goes_live_from_its_tree_and_its_roster() {
    on_all_backends(|app: TestApp| async move {
        let zzb = app.login("zzb").await;
        let tree: Vec<[&str; 7]> = vec![
            [
                "北岭派出所党支部",
                "中共北岭分局委员会",
                "党支部",
                "2010-05-01",
                "2024.06-2027.06",
                "北岭派出所",
                "周立新",
            ],
            ["北岭联合党支部", "中共北岭分局委员会", "联合支部", "", "3", "北岭警务室、北岭看守所", ""],
            ["中共北岭分局委员会", ROOT, "党委", "", "", "北岭分局", ""],
        ];
        let (status, report) = post(&zzb, "orgs", "", sheet(&tree)).await;
        assert_eq!(status, 201, "{report}");
        assert_eq!(report["created"], 3);
        assert_eq!(report["new_units"], 4);

        // Units: the short name people write.
        let (_, list) = zzb.get_json(&format!("/api/v1/units?q={}", enc("北岭派出所"))).await;
        let unit = &list["items"][0];
        let body = json!({"name": "北岭派出所", "aliases": "北岭所", "org_id": unit["org_id"]});
        let (status, _) = zzb.send_json(Method::PUT, &format!("/api/v1/units/{}", unit["id"]), body).await;
        assert_eq!(status, 200);

        // The roster: nobody's 所在党组织 is filled; the unit places everyone.
        let people = [
            ["周立新", "民警", "400001", "中共党员", "2003.07", "北岭所"],
            ["吴小满", "辅警", "", "群众", "", "北岭看守所"],
            ["郑大川", "民警", "400003", "中共党员", "2006年7月", "北岭警务室"],
        ];
        let (status, report) = post(&zzb, "people", "", roster(&people)).await;
        assert_eq!(status, 201, "{report}");
        assert_eq!(report["created"], 3);
        for (name, org_name) in
            [("周立新", "北岭派出所党支部"), ("吴小满", "北岭联合党支部"), ("郑大川", "北岭联合党支部")]
        {
            let (_, found) = zzb.get_json(&format!("/api/v1/persons?q={}", enc(name))).await;
            assert_eq!(found["items"][0]["org_name"], org_name, "{name}: {found}");
        }

        // The same tree again: now the 书记 is in the roster and is recorded; nothing else changes.
        let (status, report) = post(&zzb, "orgs", "", sheet(&tree)).await;
        assert_eq!(status, 201, "{report}");
        assert_eq!((report["updated"].as_u64(), report["unchanged"].as_u64()), (Some(1), Some(2)), "{report}");
        let r = report["rows"].as_array().unwrap().iter().find(|r| r["row"] == 3).unwrap();
        assert_eq!(r["changes"], json!(["书记"]));
        let station = org(&zzb, "北岭派出所党支部").await;
        let (_, detail) = zzb.get_json(&format!("/api/v1/orgs/{}", station["id"])).await;
        let committee = detail["governance"]["committee"].as_array().unwrap();
        assert!(committee.iter().any(|c| c["name"] == "周立新" && c["post"] == "书记"), "{detail}");
        // Once recorded, a third run has nothing to do.
        let (_, report) = post(&zzb, "orgs", "?dry_run=true", sheet(&tree)).await;
        assert_eq!(report["unchanged"], 3, "{report}");
        app
    })
    .await;
}
