//! Records that must stay consistent with each other when a member moves or a mistake is undone:
//! committee posts, the dues ledger, and where the audit log files each event.

use reqwest::Method;
use serde_json::{Value, json};

use crate::party::{new_person, party_rows, secretary_of};
use crate::support::{Session, on_all_backends};

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
            html.contains(&format!("data-picker=\"/orgs/options?purpose=transfer&amp;for={pid}\""))
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
