use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Session, TestApp, on_all_backends, valid_id};

pub(crate) async fn new_person(s: &Session, name: &str, id17: &str, political: &str, org: i64) -> i64 {
    let body = json!({
        "name": name, "kind": "辅警", "id_number": valid_id(id17), "org_id": org,
        "political_status": political, "employment_status": "在职"
    });
    let (status, created) = s.send_json(Method::POST, "/api/v1/persons", body).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().unwrap()
}

pub(crate) fn party_rows(profile: &Value) -> Vec<String> {
    profile["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "party")
        .map(|s| {
            s["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| format!("{}={}", r["label"].as_str().unwrap(), r["value"].as_str().unwrap()))
                .collect()
        })
        .unwrap_or_default()
}

/// A secretary account for branch `org`, ready to use.
pub(crate) async fn secretary_of(app: &TestApp, username: &str, org: i64) -> Session {
    account_of(app, username, "secretary", org).await
}

/// An account with `role` over organization `org` only, its own password set, ready to use.
pub(crate) async fn account_of(app: &TestApp, username: &str, role: &str, org: i64) -> Session {
    let admin = app.login("admin").await;
    let (_, created) =
        admin.send_json(Method::POST, "/api/v1/users", json!({"username": username, "display_name": "支部书记"})).await;
    let sec = app.login("secadmin").await;
    let (status, _) = sec
        .send_json(
            Method::POST,
            &format!("/api/v1/users/{}/grants", created["id"]),
            json!({"role": role, "org_id": org}),
        )
        .await;
    assert_eq!(status, 201);
    // A secretary reads sensitive data: the initial password, which the system administrator
    // knows, does not open the account; the owner sets one with the security administrator's code.
    let (status, issued) =
        sec.send_json(Method::POST, &format!("/api/v1/users/{}/one-time-code", created["id"]), json!({})).await;
    assert_eq!(status, 201);
    let s = app.login_with(username, issued["one_time_code"].as_str().unwrap()).await.unwrap();
    let (status, _) = s.send_json(Method::POST, "/api/v1/me/password", json!({"new_password": "Branch#Sec2026"})).await;
    assert_eq!(status, 204);
    s
}

#[tokio::test]
async fn admission_probation_and_full_membership_follow_the_rules() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        // Born 2008-01-01: 18 only since 2026.
        let young = new_person(&shuji, "年轻人", "37020220080101003", "入党积极分子", 10).await;
        let (status, err) = shuji.send_json(Method::POST, &format!("/api/v1/persons/{young}/membership"), json!({"joined_on": "2025-06-01"})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("joined_on")), "{err}");
        assert!(err["message"].as_str().unwrap().contains("未满 18 周岁"));

        let pid = new_person(&shuji, "预备党员甲", "37020219950303004", "发展对象", 10).await;
        let (status, err) = shuji
            .send_json(Method::POST, &format!("/api/v1/persons/{pid}/membership"), json!({"joined_on": "2025-12-10", "full_on": "2026-01-01"}))
            .await;
        assert_eq!((status, err["field"].as_str()), (422, Some("full_on")));
        let (status, m) = shuji.send_json(Method::POST, &format!("/api/v1/persons/{pid}/membership"), json!({"joined_on": "2025-12-10"})).await;
        assert_eq!(status, 201, "{m}");
        let (status, _) = shuji.send_json(Method::POST, &format!("/api/v1/persons/{pid}/membership"), json!({"joined_on": "2025-12-10"})).await;
        assert_eq!(status, 409);

        // The roster follows: the political status is derived and cannot be typed over.
        let (_, list) = shuji.get_json("/api/v1/persons?q=%E9%A2%84%E5%A4%87%E5%85%9A%E5%91%98%E7%94%B2").await;
        assert_eq!(list["items"][0]["political_status"], "中共预备党员");
        let edit = json!({"name": "预备党员甲", "kind": "辅警", "id_number": valid_id("37020219950303004"), "org_id": 10,
                          "political_status": "群众", "employment_status": "在职"});
        let (status, err) = shuji.send_json(Method::PUT, &format!("/api/v1/persons/{pid}"), edit).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("political_status")));

        // The probation ends 2026-12-10: the secretary is reminded, nothing changes by itself.
        let home = shuji.get("/").await.text().await.unwrap();
        assert!(home.contains("预备党员甲 的预备期将于 2026-12-10 届满"), "todo item expected");
        let (status, err) = shuji.send_json(Method::POST, &format!("/api/v1/persons/{pid}/membership/full"), json!({"full_on": "2026-11-01"})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("full_on")));
        app.clock.advance(chrono::Duration::days(20));
        let shuji = app.login("shuji").await;
        // 转正 is the day the probation ended, whatever day the branch meeting was.
        let (status, err) = shuji.send_json(Method::POST, &format!("/api/v1/persons/{pid}/membership/full"), json!({"full_on": "2026-12-12"})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("full_on")), "{err}");
        assert!(err["message"].as_str().unwrap().contains("2026-12-10"), "{err}");
        let (status, full) = shuji
            .send_json(Method::POST, &format!("/api/v1/persons/{pid}/membership/full"), json!({"meeting_on": "2026-12-15", "approved_on": "2026-12-16"}))
            .await;
        assert_eq!(status, 200, "{full}");
        assert_eq!((full["full_on"].as_str(), full["meeting_on"].as_str(), full["approved_on"].as_str()), (Some("2026-12-10"), Some("2026-12-15"), Some("2026-12-16")));
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{pid}")).await;
        let rows = party_rows(&profile);
        assert!(rows.contains(&"转正日期=2026-12-10".to_owned()), "{rows:?}");
        assert!(rows.contains(&"转正讨论和审批=支部大会 2026-12-15，上级党委审批 2026-12-16".to_owned()), "{rows:?}");
        assert!(rows.iter().any(|r| r.starts_with("历程=2025-12-10 入党")) && rows.iter().any(|r| r.starts_with("历程=2026-12-10 转正")));
        let (_, list) = shuji.get_json("/api/v1/persons?q=%E9%A2%84%E5%A4%87%E5%85%9A%E5%91%98%E7%94%B2").await;
        assert_eq!(list["items"][0]["political_status"], "中共党员");
        let (_, history) = shuji.get_json(&format!("/api/v1/persons/{pid}/history")).await;
        assert_eq!(history["total"], 2, "发展对象 → 预备党员 → 党员");
        app
    })
    .await;
}

#[tokio::test]
async fn a_member_is_transferred_between_branches_and_seen_from_both_secretaries() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let pid = new_person(&shuji, "调动党员", "37020219880808005", "发展对象", 10).await;
        let (status, _) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{pid}/membership"),
                json!({"joined_on": "2015-06-01", "full_on": "2016-06-01"}),
            )
            .await;
        assert_eq!(status, 201);
        let (status, err) =
            shuji.send_json(Method::POST, &format!("/api/v1/persons/{pid}/transfers"), json!({"to_org_id": 13})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("reason")));
        let (status, err) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{pid}/transfers"),
                json!({"to_org_id": 9999, "reason": "工作调动"}),
            )
            .await;
        assert_eq!((status, err["field"].as_str()), (422, Some("to_org_id")));
        let (status, t) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{pid}/transfers"),
                json!({"to_org_id": 13, "reason": "工作调动"}),
            )
            .await;
        assert_eq!(status, 201, "{t}");
        assert_eq!(t["status"], "待接收");
        let (status, _) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{pid}/transfers"),
                json!({"to_org_id": 16, "reason": "再次"}),
            )
            .await;
        assert_eq!(status, 409);
        // The sender cannot accept on the receiver's behalf.
        let (status, _) =
            shuji.send_json(Method::POST, &format!("/api/v1/transfers/{}/accept", t["id"]), json!({})).await;
        assert_eq!(status, 404);

        let other = secretary_of(&app, "shuji13", 13).await;
        let (_, lists) = other.get_json("/api/v1/transfers").await;
        assert_eq!(lists["incoming"][0]["person_name"], "调动党员");
        assert_eq!(lists["incoming"][0]["can_decide"], true);
        assert!(
            other.get("/").await.text().await.unwrap().contains("调动党员 的组织关系由中山路派出所党支部转来，待接收")
        );
        let (_, sent) = shuji.get_json("/api/v1/transfers").await;
        assert_eq!(sent["outgoing"][0]["status"], "待接收");
        assert_eq!(other.get_json(&format!("/api/v1/persons/{pid}")).await.0, 404, "not theirs until accepted");

        let (status, _) =
            other.send_json(Method::POST, &format!("/api/v1/transfers/{}/accept", t["id"]), json!({})).await;
        assert_eq!(status, 204);
        assert_eq!(shuji.get_json(&format!("/api/v1/persons/{pid}")).await.0, 404, "gone from the old branch");
        let (status, profile) = other.get_json(&format!("/api/v1/persons/{pid}")).await;
        assert_eq!(status, 200);
        assert_eq!(profile["org_name"], "人民路派出所党支部");
        assert!(
            party_rows(&profile)
                .iter()
                .any(|r| r.contains("转入") && r.contains("由中山路派出所党支部转入人民路派出所党支部"))
        );
        let (_, sent) = shuji.get_json("/api/v1/transfers").await;
        assert_eq!(sent["outgoing"][0]["status"], "已接收");

        // A return needs a reason; a transfer out of the bureau is done at once.
        let (_, t2) = other
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{pid}/transfers"),
                json!({"to_org_id": 10, "reason": "借调结束"}),
            )
            .await;
        let (status, _) = shuji
            .send_json(Method::POST, &format!("/api/v1/transfers/{}/reject", t2["id"]), json!({"reason": ""}))
            .await;
        assert_eq!(status, 422);
        let (status, _) = shuji
            .send_json(Method::POST, &format!("/api/v1/transfers/{}/reject", t2["id"]), json!({"reason": "材料不全"}))
            .await;
        assert_eq!(status, 204);
        let (status, out) = other
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{pid}/transfers"),
                json!({"to_external": "中共某区委组织部", "reason": "调出公安机关"}),
            )
            .await;
        assert_eq!((status, out["status"].as_str()), (201, Some("已转出")));
        let (_, profile) = other.get_json(&format!("/api/v1/persons/{pid}")).await;
        assert!(party_rows(&profile).contains(&"组织关系=转出".to_owned()));

        // The introduction letter for the move out of the bureau, as a Word document: it states
        // the month the dues were paid to, which nothing recorded here tells yet.
        let (status, err) = other.get_json(&format!("/api/v1/transfers/{}/docx", out["id"])).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("dues_paid_to")), "{err}");
        let (status, issued) = other
            .send_json(
                Method::POST,
                &format!("/api/v1/transfers/{}/letter", out["id"]),
                json!({"dues_paid_to": "2026-11"}),
            )
            .await;
        assert_eq!(status, 200, "{issued}");
        let res = other.get(&format!("/api/v1/transfers/{}/docx", out["id"])).await;
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().contains("wordprocessingml"));
        let bytes = res.bytes().await.unwrap();
        let text = docx_rs::read_docx(&bytes).unwrap().json();
        assert!(text.contains("中国共产党党员组织关系介绍信"));
        assert!(text.contains("调动党员同志（") && text.contains("去中共某区委组织部，请接转组织关系"), "letter text");
        assert_eq!(
            shuji.get(&format!("/api/v1/transfers/{}/docx", t["id"])).await.status(),
            422,
            "no letter inside the bureau"
        );
        assert_eq!(shuji.get(&format!("/api/v1/transfers/{}/docx", out["id"])).await.status(), 404);

        let auditor = app.login("auditor").await;
        for action in ["transfer.request", "transfer.accept", "transfer.reject"] {
            let (_, log) = auditor.get_json(&format!("/api/v1/audit?action={action}")).await;
            assert!(log["total"].as_u64().unwrap() >= 1, "{action}");
        }
        app
    })
    .await;
}
