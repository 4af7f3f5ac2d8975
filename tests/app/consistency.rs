//! Records that must stay consistent with each other when a member moves or a mistake is undone:
//! committee posts, the dues ledger, and where the audit log files each event.

use dangjian::db::org_paths::{self, PathColumn};
use reqwest::Method;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use serde_json::{Value, json};

use crate::party::{new_person, party_rows, secretary_of};
use crate::support::{Session, TestApp, on_all_backends};

/// A new full member of branch 10 (shuji's), admitted on `joined_on` and full a year later.
async fn full_member_of_branch_10(shuji: &Session, name: &str, id17: &str, joined_on: &str) -> i64 {
    let pid = new_person(shuji, name, id17, "发展对象", 10).await;
    let full_on = format!("{}{}", joined_on[..4].parse::<i32>().unwrap() + 1, &joined_on[4..]);
    let (status, body) = shuji
        .send_json(
            Method::POST,
            &format!("/api/v1/persons/{pid}/membership"),
            json!({"joined_on": joined_on, "full_on": full_on}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    pid
}

fn committee_people(org: &Value) -> Vec<i64> {
    org["governance"]["committee"].as_array().unwrap().iter().map(|c| c["person_id"].as_i64().unwrap()).collect()
}

async fn audit_rows(auditor: &crate::support::Session, action: &str) -> Vec<Value> {
    let (status, log) = auditor.get_json(&format!("/api/v1/audit?action={action}")).await;
    assert_eq!(status, 200, "{log}");
    // `summary` arrives as JSON text; parsed here so the tests can look inside.
    log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r["summary"] = serde_json::from_str(r["summary"].as_str().unwrap_or("null")).unwrap_or(Value::Null);
            r
        })
        .collect()
}

#[tokio::test]
async fn committee_posts_end_when_their_holder_moves_away() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let shuji = app.login("shuji").await;
        let pid = full_member_of_branch_10(&shuji, "组织委员甲", "37020219860606003", "2012-06-01").await;
        // On the branch's committee and on the sub-bureau committee above it.
        for org in [10, 6] {
            let (status, body) = zzb
                .send_json(
                    Method::POST,
                    &format!("/api/v1/orgs/{org}/committee"),
                    json!({"person_id": pid, "post": "组织委员"}),
                )
                .await;
            assert!(status == 201 || status == 204, "{org}: {status} {body}");
        }
        assert!(committee_people(&zzb.get_json("/api/v1/orgs/10").await.1).contains(&pid));

        // Moving to 人民路 (13, under the same sub-bureau 6) ends the old branch's post only.
        let (_, t) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{pid}/transfers"),
                json!({"to_org_id": 13, "reason": "工作调动"}),
            )
            .await;
        let other = secretary_of(&app, "shuji13b", 13).await;
        let (status, _) =
            other.send_json(Method::POST, &format!("/api/v1/transfers/{}/accept", t["id"]), json!({})).await;
        assert_eq!(status, 204);
        assert!(!committee_people(&zzb.get_json("/api/v1/orgs/10").await.1).contains(&pid), "branch post ended");
        assert!(committee_people(&zzb.get_json("/api/v1/orgs/6").await.1).contains(&pid), "still under bureau 6");
        let (_, profile) = other.get_json(&format!("/api/v1/persons/{pid}")).await;
        assert!(
            party_rows(&profile).iter().any(|r| r.contains("免去委员") && r.contains("中山路派出所党支部组织委员")),
            "{:?}",
            party_rows(&profile)
        );

        // Leaving the bureau ends every post.
        let (status, _) = other
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{pid}/transfers"),
                json!({"to_external": "中共某县委组织部", "reason": "调出公安机关"}),
            )
            .await;
        assert_eq!(status, 201);
        assert!(!committee_people(&zzb.get_json("/api/v1/orgs/6").await.1).contains(&pid));

        let auditor = app.login("auditor").await;
        let requests = audit_rows(&auditor, "transfer.request").await;
        let out = requests.iter().find(|r| r["summary"]["to"] == "中共某县委组织部").expect("audited");
        let bureau = zzb.get_json("/api/v1/orgs/6").await.1["org"]["name"].as_str().unwrap().to_owned();
        assert_eq!(out["summary"]["released_posts"], json!([format!("{bureau}组织委员")]));
        app
    })
    .await;
}

#[tokio::test]
async fn a_payment_recorded_by_mistake_is_cancelled_with_a_reason_and_leavers_stay_on_past_ledgers() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let pid = full_member_of_branch_10(&shuji, "交费党员", "37020219870707002", "2014-03-01").await;
        let (status, _) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{pid}/dues-base"),
                json!({"effective_month": "2026-01", "base": "6000"}),
            )
            .await;
        assert_eq!(status, 201);
        let (status, _) = shuji
            .send_json(
                Method::POST,
                "/api/v1/dues/payments",
                json!({"month": "2026-10", "person_ids": [pid], "paid_on": "2026-10-15"}),
            )
            .await;
        assert_eq!(status, 200);

        let reminder = "交费党员 已连续 6 个月未交纳党费";
        assert!(!shuji.get("/").await.text().await.unwrap().contains(reminder), "paid in the last six months");

        // The confirmation page, then a cancellation without a reason is refused and changes nothing.
        let page = shuji.get(&format!("/party/dues/cancel?person_id={pid}&month=2026-10&org=10")).await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("交费党员") && html.contains("90.00"), "shows what will be undone");
        let res = shuji
            .post_form(
                "/party/dues/cancel",
                &[("person_id", &pid.to_string()), ("month", "2026-10"), ("org", "10"), ("reason", " ")],
            )
            .await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("请填写撤销原因"));
        let (_, oct) = shuji.get_json("/api/v1/dues?org=10&month=2026-10").await;
        let row = oct["rows"].as_array().unwrap().iter().find(|r| r["person_id"] == pid).unwrap().clone();
        assert_eq!(row["paid"], "90.00");

        // Another branch's secretary cannot touch it.
        let other = secretary_of(&app, "shuji13c", 13).await;
        assert_eq!(other.get(&format!("/party/dues/cancel?person_id={pid}&month=2026-10&org=10")).await.status(), 404);

        let res = shuji
            .post_form(
                "/party/dues/cancel",
                &[
                    ("person_id", &pid.to_string()),
                    ("month", "2026-10"),
                    ("org", "10"),
                    ("reason", "误登记，实为 9 月"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        let (_, oct) = shuji.get_json("/api/v1/dues?org=10&month=2026-10").await;
        let row = oct["rows"].as_array().unwrap().iter().find(|r| r["person_id"] == pid).unwrap().clone();
        assert_eq!(row["paid"], Value::Null, "the month is unpaid again");
        assert!(shuji.get("/").await.text().await.unwrap().contains(reminder), "six unpaid months again");
        assert_eq!(
            shuji.get(&format!("/party/dues/cancel?person_id={pid}&month=2026-10&org=10")).await.status(),
            422,
            "nothing left to cancel"
        );

        // The same over the API: pay again, cancel with a reason, and the reason is required.
        let (status, _) = shuji
            .send_json(
                Method::POST,
                "/api/v1/dues/payments",
                json!({"month": "2026-10", "person_ids": [pid], "paid_on": "2026-10-16"}),
            )
            .await;
        assert_eq!(status, 200);
        let (status, err) = shuji
            .send_json(
                Method::POST,
                "/api/v1/dues/payments/cancel",
                json!({"person_id": pid, "month": "2026-10", "reason": ""}),
            )
            .await;
        assert_eq!((status, err["field"].as_str()), (422, Some("reason")));
        let (status, _) = shuji
            .send_json(
                Method::POST,
                "/api/v1/dues/payments/cancel",
                json!({"person_id": pid, "month": "2026-10", "reason": "重复登记"}),
            )
            .await;
        assert_eq!(status, 204);

        // Transferred out of the bureau this month: still on this month's ledger, gone from the next.
        let (status, _) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{pid}/transfers"),
                json!({"to_external": "中共某县委组织部", "reason": "调出公安机关"}),
            )
            .await;
        assert_eq!(status, 201);
        let (_, nov) = shuji.get_json("/api/v1/dues?org=10&month=2026-11").await;
        assert!(nov["rows"].as_array().unwrap().iter().any(|r| r["person_id"] == pid), "the month of the transfer");
        let (_, dec) = shuji.get_json("/api/v1/dues?org=10&month=2026-12").await;
        assert!(!dec["rows"].as_array().unwrap().iter().any(|r| r["person_id"] == pid));
        let (status, paid) = shuji
            .send_json(
                Method::POST,
                "/api/v1/dues/payments",
                json!({"month": "2026-11", "person_ids": [pid], "paid_on": "2026-11-20"}),
            )
            .await;
        assert_eq!((status, paid["recorded"].as_u64()), (200, Some(1)), "the last month can still be recorded");

        // The export of the ledger is audited; the cancellation keeps what was removed.
        assert_eq!(shuji.get("/party/dues/export.xlsx?org=10&month=2026-11").await.status(), 200);
        let auditor = app.login("auditor").await;
        let (_, branch) = shuji.get_json("/api/v1/orgs/10").await;
        let path = branch["org"]["path"].as_str().unwrap().to_owned();
        let cancels = audit_rows(&auditor, "dues.cancel").await;
        assert_eq!(cancels.len(), 2);
        assert!(cancels.iter().all(|c| c["org_path"] == path.as_str() && c["summary"]["amount"] == "90.00"));
        let reasons: Vec<&str> = cancels.iter().map(|c| c["summary"]["reason"].as_str().unwrap()).collect();
        assert!(reasons.contains(&"误登记，实为 9 月") && reasons.contains(&"重复登记"), "{reasons:?}");
        let exports = audit_rows(&auditor, "dues.export").await;
        assert_eq!(exports.len(), 1);
        assert_eq!(exports[0]["org_path"], path.as_str());
        let pays = audit_rows(&auditor, "dues.pay").await;
        assert!(pays.iter().all(|p| p["org_path"] == path.as_str()), "payments filed under the branch");
        app
    })
    .await;
}

#[tokio::test]
async fn exports_and_imports_are_filed_under_the_organizations_they_touch() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let (_, branch) = shuji.get_json("/api/v1/orgs/10").await;
        let path = branch["org"]["path"].as_str().unwrap().to_owned();
        assert_eq!(shuji.get("/people/export.xlsx").await.status(), 200);
        let auditor = app.login("auditor").await;
        let exports = audit_rows(&auditor, "person.export").await;
        assert_eq!(exports[0]["org_path"], path.as_str(), "the secretary's export covers the branch");
        let zzb = app.login("zzb").await;
        assert_eq!(zzb.get("/people/export.xlsx?org=13").await.status(), 200);
        let exports = audit_rows(&auditor, "person.export").await;
        let (_, b13) = zzb.get_json("/api/v1/orgs/13").await;
        assert!(
            exports.iter().any(|e| e["org_path"] == b13["org"]["path"]),
            "an export of branch 13 is filed under it"
        );
        app
    })
    .await;
}

#[tokio::test]
async fn asking_for_a_letter_inside_the_bureau_reads_nothing_sensitive() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let pid = full_member_of_branch_10(&shuji, "局内调动", "37020219890909001", "2016-03-01").await;
        let (_, t) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{pid}/transfers"),
                json!({"to_org_id": 13, "reason": "工作调动"}),
            )
            .await;
        let auditor = app.login("auditor").await;
        let before = audit_rows(&auditor, "sensitive.read").await.len();
        assert_eq!(shuji.get(&format!("/api/v1/transfers/{}/docx", t["id"])).await.status(), 422);
        assert_eq!(audit_rows(&auditor, "sensitive.read").await.len(), before, "no letter, no read");
        app
    })
    .await;
}

#[tokio::test]
async fn the_transfer_form_has_its_own_page_and_keeps_what_was_typed() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let pid = full_member_of_branch_10(&shuji, "待转党员", "37020219850505004", "2011-05-01").await;
        let profile = shuji.get(&format!("/people/{pid}")).await.text().await.unwrap();
        assert!(profile.contains(&format!("href=\"/people/{pid}/party/transfer\"")), "the profile links to the form");
        assert!(!profile.contains("name=\"to_org_id\""), "the profile does not carry the list of branches");

        let form = shuji.get(&format!("/people/{pid}/party/transfer")).await;
        assert_eq!(form.status(), 200);
        let html = form.text().await.unwrap();
        assert!(
            html.contains(&format!("data-picker=\"/party/options?purpose=transfer&amp;for={pid}\""))
                && !html.contains("<option value=\"13\">"),
            "a picker of the other branches (see tests/app/picker.rs), not a list of them"
        );
        let res = shuji
            .post_form(
                &format!("/people/{pid}/party/transfer"),
                &[("to_org_id", ""), ("to_external", "中共某区委组织部"), ("reason", "")],
            )
            .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("value=\"中共某区委组织部\""), "the typed receiver is kept");
        assert!(html.contains("field-error"));

        // Out of reach: as if it did not exist.
        let other = secretary_of(&app, "shuji13d", 13).await;
        assert_eq!(other.get(&format!("/people/{pid}/party/transfer")).await.status(), 404);
        app
    })
    .await;
}

#[tokio::test]
async fn moving_a_branch_elsewhere_ends_posts_above_it_and_keeps_its_own_committee() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let shuji = app.login("shuji").await;
        let pid = full_member_of_branch_10(&shuji, "分局委员乙", "37020219840404005", "2010-04-01").await;
        let (status, body) = zzb
            .send_json(Method::POST, "/api/v1/orgs/6/committee", json!({"person_id": pid, "post": "宣传委员"}))
            .await;
        assert!(status == 201 || status == 204, "{status} {body}");
        let own_before = committee_people(&zzb.get_json("/api/v1/orgs/10").await.1);
        assert!(!own_before.is_empty(), "the branch has its own committee (its secretary)");

        // Branch 10 leaves sub-bureau 6 for the headquarters committee (2).
        let (status, body) = zzb.send_json(Method::PATCH, "/api/v1/orgs/10", json!({"parent_id": 2})).await;
        assert_eq!(status, 200, "{body}");
        assert!(!committee_people(&zzb.get_json("/api/v1/orgs/6").await.1).contains(&pid), "no longer under 6");
        assert_eq!(committee_people(&zzb.get_json("/api/v1/orgs/10").await.1), own_before, "moved along");
        let auditor = app.login("auditor").await;
        let moves = audit_rows(&auditor, "org.move").await;
        assert_eq!(moves[0]["summary"]["released_posts"][0]["person_id"], pid);
        let (_, profile) = zzb.get_json(&format!("/api/v1/persons/{pid}")).await;
        assert!(
            party_rows(&profile)
                .iter()
                .any(|r| r.contains("免去委员") && r.contains("调整隶属") && r.contains("宣传委员")),
            "the member's history says why: {:?}",
            party_rows(&profile)
        );
        app
    })
    .await;
}

/// The one number a `SELECT COUNT(*) AS n ...` finds.
async fn count(app: &TestApp, sql: &str) -> i64 {
    let row = app.state.db.query_one_raw(Statement::from_string(app.db_backend(), sql)).await.unwrap().unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// Rows in a registered path column (`table.column`) whose path lies under `root`.
async fn rows_under(app: &TestApp, c: &PathColumn, root: &str) -> i64 {
    let upper = dangjian::db::path_upper_bound(root);
    let (t, col) = (c.table, c.column);
    count(app, &format!("SELECT COUNT(*) AS n FROM {t} WHERE {col} >= '{root}' AND {col} < '{upper}'")).await
}

/// Registered path columns whose rows disagree with the path of the organization they name.
async fn stale_paths(app: &TestApp) -> Vec<String> {
    let mut stale = Vec::new();
    for c in org_paths::columns() {
        let Some(id) = c.org_id else { continue };
        let (t, col) = (c.table, c.column);
        let n = count(
            app,
            &format!(
                "SELECT COUNT(*) AS n FROM {t} x WHERE x.{col} IS NOT NULL \
                 AND NOT EXISTS (SELECT 1 FROM orgs o WHERE o.id = x.{id} AND o.path = x.{col})"
            ),
        )
        .await;
        if n > 0 {
            stale.push(format!("{t}.{col}: {n}"));
        }
    }
    stale
}

#[tokio::test]
async fn every_registered_path_follows_a_sub_bureau_moved_with_all_its_levels() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let shuji = app.login("shuji").await;
        // Two members of branch 10 (under sub-bureau 6) ask to go: to station 13 in the same
        // sub-bureau, and to headquarters branch 3 outside it. Both wait while the tree moves.
        let inside = full_member_of_branch_10(&shuji, "转接党员甲", "37020219850505007", "2011-05-01").await;
        let outside = full_member_of_branch_10(&shuji, "转接党员乙", "37020219860606008", "2012-06-01").await;
        let mut transfers = Vec::new();
        for (pid, to) in [(inside, 13), (outside, 3)] {
            let (status, t) = shuji
                .send_json(
                    Method::POST,
                    &format!("/api/v1/persons/{pid}/transfers"),
                    json!({"to_org_id": to, "reason": "工作调动"}),
                )
                .await;
            assert_eq!(status, 201, "{t}");
            transfers.push(t["id"].as_i64().unwrap());
        }
        let lingdao = app.login("lingdao").await;
        let (_, people_before) = lingdao.get_json("/api/v1/persons?page_size=1").await;
        let mut before = Vec::new();
        for c in org_paths::columns() {
            before.push(rows_under(&app, c, "/1/6/").await);
        }
        assert!(before.iter().all(|n| *n > 0), "every registered column has rows in the sub-bureau: {before:?}");
        assert_eq!(stale_paths(&app).await, Vec::<String>::new());

        // Sub-bureau 6 (with its stations, their branches and groups) goes under a new
        // committee inside the headquarters committee (2): three levels deeper than before.
        let (status, committee) = zzb
            .send_json(Method::POST, "/api/v1/orgs", json!({"name": "分局工作委员会", "kind": "党委", "parent_id": 2}))
            .await;
        assert_eq!(status, 201, "{committee}");
        let new_root = format!("/1/2/{}/6/", committee["id"]);
        let (status, moved) = zzb.send_json(Method::PATCH, "/api/v1/orgs/6", json!({"parent_id": committee["id"]})).await;
        assert_eq!(status, 200, "{moved}");
        assert_eq!(moved["org"]["path"], new_root);
        let (_, group) = zzb.get_json("/api/v1/orgs/11").await;
        assert_eq!(group["org"]["path"], format!("{new_root}10/11/"));
        assert_eq!(group["org"]["depth"], 5);

        for (c, n) in org_paths::columns().zip(&before) {
            assert_eq!(rows_under(&app, c, "/1/6/").await, 0, "{}.{} left behind", c.table, c.column);
            assert_eq!(rows_under(&app, c, &new_root).await, *n, "{}.{} moved along", c.table, c.column);
        }
        assert_eq!(stale_paths(&app).await, Vec::<String>::new());

        // What the paths are for: the scopes still reach the moved records.
        let (_, people_after) = lingdao.get_json("/api/v1/persons?page_size=1").await;
        assert_eq!(people_after["total"], people_before["total"]);
        assert_eq!(lingdao.get_json("/api/v1/orgs?page_size=100").await.1["total"], 16);
        for (t, to) in transfers.iter().zip([13, 3]) {
            let secretary = secretary_of(&app, &format!("shuji{to}m"), to).await;
            let (status, body) =
                secretary.send_json(Method::POST, &format!("/api/v1/transfers/{t}/accept"), json!({})).await;
            assert_eq!(status, 204, "{to}: {body}");
        }
        let (_, station) = zzb.get_json("/api/v1/orgs/13").await;
        assert_eq!(station["org"]["path"], format!("{new_root}13/"));
        assert_eq!(count(&app, &format!("SELECT COUNT(*) AS n FROM party_members WHERE person_id = {inside} AND branch_path = '{new_root}13/'")).await, 1);
        assert_eq!(stale_paths(&app).await, Vec::<String>::new());
        app
    })
    .await;
}

#[tokio::test]
async fn a_table_the_tree_does_not_know_follows_moves_and_merges_once_registered() {
    use dangjian::db::org_paths::{OrgRef, merge_columns, rewrite_columns};
    on_all_backends(|app| async move {
        // A table of some later domain, created here: the organizations module has never heard of it.
        let collate = match app.db_backend() {
            DatabaseBackend::Postgres => " COLLATE \"C\"",
            DatabaseBackend::MySql => " COLLATE utf8mb4_bin",
            _ => "",
        };
        app.sql(&format!(
            "CREATE TABLE probe_visits (id INTEGER PRIMARY KEY, org_id INTEGER, org_path VARCHAR(255){collate})"
        ))
        .await;
        app.sql("CREATE INDEX idx_probe_visits_org_path ON probe_visits (org_path)").await;
        app.sql(
            "INSERT INTO probe_visits (id, org_id, org_path) VALUES (1, 4, '/1/4/'), (2, 9, '/1/4/9/'), \
             (3, 3, '/1/4/99/3/'), (4, 40, '/1/40/'), (5, 5, '/1/5/'), (6, NULL, NULL)",
        )
        .await;
        let visits = PathColumn::new("probe_visits", "org_path").with_org_id("org_id");
        let org = |id: i32, path: &str| OrgRef { id, path: path.into(), name: format!("组织{id}") };

        let txn = dangjian::db::begin_write(&app.state.db).await.unwrap();
        // Organization 4 moves under 7: its subtree, and only its subtree (not 40), follows.
        assert_eq!(rewrite_columns(&txn, [&visits], "/1/4/", "/1/7/4/").await.unwrap(), 3);
        // 5 merges into 9: as history, nothing changes; as a placement, the row follows with its id.
        assert_eq!(
            merge_columns(&txn, [&visits.kept_on_merge()], &org(5, "/1/5/"), &org(9, "/1/7/4/9/")).await.unwrap(),
            0
        );
        assert_eq!(merge_columns(&txn, [&visits], &org(5, "/1/5/"), &org(9, "/1/7/4/9/")).await.unwrap(), 1);
        txn.commit().await.unwrap();

        let rows: Vec<(i32, Option<i32>, Option<String>)> = app
            .state
            .db
            .query_all_raw(Statement::from_string(
                app.db_backend(),
                "SELECT id, org_id, org_path FROM probe_visits ORDER BY id",
            ))
            .await
            .unwrap()
            .into_iter()
            .map(|r| {
                (r.try_get("", "id").unwrap(), r.try_get("", "org_id").unwrap(), r.try_get("", "org_path").unwrap())
            })
            .collect();
        let want = [
            (1, Some(4), Some("/1/7/4/")),
            (2, Some(9), Some("/1/7/4/9/")),
            (3, Some(3), Some("/1/7/4/99/3/")),
            (4, Some(40), Some("/1/40/")),
            (5, Some(9), Some("/1/7/4/9/")),
            (6, None, None),
        ];
        let want: Vec<(i32, Option<i32>, Option<String>)> =
            want.into_iter().map(|(id, o, p)| (id, o, p.map(str::to_owned))).collect();
        assert_eq!(rows, want);
        app
    })
    .await;
}
