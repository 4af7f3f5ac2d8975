use reqwest::Method;
use serde_json::json;

use crate::support::on_all_backends;

#[tokio::test]
async fn terms_committees_warnings_and_election_reminders() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let (status, branch) = zzb.get_json("/api/v1/orgs/10").await;
        assert_eq!(status, 200);
        let g = &branch["governance"];
        assert_eq!(g["term_years"], 3);
        let (_, members) = zzb
            .get_json("/api/v1/persons?org=10&political_status=%E4%B8%AD%E5%85%B1%E5%85%9A%E5%91%98&page_size=200")
            .await;
        assert_eq!(g["full_members"], members["total"], "counts derived from the membership records");
        assert_eq!(g["committee"][0]["post"], "书记");
        // The demo branch is due for election within two months: the secretary is reminded.
        let next = g["next_election"].as_str().unwrap().to_owned();
        let shuji = app.login("shuji").await;
        let home = shuji.get("/").await.text().await.unwrap();
        assert!(home.contains(&format!("中山路派出所党支部 将于 {next} 届满，请做好换届准备")), "{next}");
        // Seven or more full members with only a secretary: a committee is due.
        assert!(
            g["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("应设立支部委员会")),
            "{g}"
        );

        let (status, err) = zzb
            .send_json(Method::PUT, "/api/v1/orgs/10/term", json!({"term_years": "4", "elected_on": "2030-01-01"}))
            .await;
        assert_eq!(status, 422);
        let fields: Vec<&str> =
            err["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, vec!["term_years", "elected_on"]);
        let (status, g) = zzb
            .send_json(
                Method::PUT,
                "/api/v1/orgs/10/term",
                json!({"founded_on": "2010-03-01", "term_years": "3", "elected_on": "2026-06-30"}),
            )
            .await;
        assert_eq!(status, 200, "{g}");
        assert_eq!(g["next_election"], "2029-06-30");

        // Committee members come from the branch's own Party members.
        let (_, outsiders) =
            zzb.get_json("/api/v1/persons?org=13&political_status=%E4%B8%AD%E5%85%B1%E5%85%9A%E5%91%98").await;
        let outsider = outsiders["items"][0]["id"].as_i64().unwrap();
        let (status, err) = zzb
            .send_json(Method::POST, "/api/v1/orgs/10/committee", json!({"person_id": outsider, "post": "组织委员"}))
            .await;
        assert_eq!((status, err["field"].as_str()), (422, Some("person_id")));
        let insider = members["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .find(|id| *id != branch["governance"]["committee"][0]["person_id"].as_i64().unwrap())
            .unwrap();
        let (status, _) = zzb
            .send_json(Method::POST, "/api/v1/orgs/10/committee", json!({"person_id": insider, "post": "书记"}))
            .await;
        assert_eq!(status, 409, "one secretary");
        let (status, _) = zzb
            .send_json(Method::POST, "/api/v1/orgs/10/committee", json!({"person_id": insider, "post": "组织委员"}))
            .await;
        assert_eq!(status, 201);
        let (_, after) = zzb.get_json("/api/v1/orgs/10").await;
        assert_eq!(after["governance"]["committee"].as_array().unwrap().len(), 2);
        app
    })
    .await;
}

#[tokio::test]
async fn merging_a_branch_carries_its_people_and_members_along() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let (_, before) = zzb.get_json("/api/v1/orgs/13").await;
        let people = before["people_in_subtree"].as_u64().unwrap();
        let (_, target_before) = zzb.get_json("/api/v1/orgs/16").await;
        let (status, err) = zzb.send_json(Method::POST, "/api/v1/orgs/13/dissolve", json!({"reason": "撤并"})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("reason")), "its party groups come first");
        for group in [14, 15] {
            let (status, _) =
                zzb.send_json(Method::POST, &format!("/api/v1/orgs/{group}/dissolve"), json!({"reason": "撤并"})).await;
            assert_eq!(status, 204);
        }
        let (status, err) = zzb.send_json(Method::POST, "/api/v1/orgs/13/dissolve", json!({"reason": "撤并"})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("merge_into")));
        let (status, _) = zzb
            .send_json(Method::POST, "/api/v1/orgs/13/dissolve", json!({"reason": "派出所撤并", "merge_into": 16}))
            .await;
        assert_eq!(status, 204);
        assert_eq!(zzb.get_json("/api/v1/orgs/13").await.0, 404);
        let (_, target) = zzb.get_json("/api/v1/orgs/16").await;
        assert_eq!(
            target["people_in_subtree"].as_u64().unwrap(),
            target_before["people_in_subtree"].as_u64().unwrap() + people
        );
        assert_eq!(
            target["governance"]["full_members"].as_u64().unwrap(),
            target_before["governance"]["full_members"].as_u64().unwrap()
                + before["governance"]["full_members"].as_u64().unwrap()
        );
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?action=org.merge").await;
        assert_eq!(log["total"], 1);
        // The secretary cannot restructure.
        let shuji = app.login("shuji").await;
        let (status, _) = shuji.send_json(Method::POST, "/api/v1/orgs/11/dissolve", json!({"reason": "x"})).await;
        assert_eq!(status, 403);
        app
    })
    .await;
}

#[tokio::test]
async fn moving_a_branch_keeps_its_members_in_reach() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let (_, before) = shuji.get_json("/api/v1/dues?org=10&month=2026-11").await;
        let members = before["members"].as_u64().unwrap();
        assert!(members > 0);
        let zzb = app.login("zzb").await;
        let (_, general) = zzb
            .send_json(
                Method::POST,
                "/api/v1/orgs",
                json!({"name": "中山路派出所党总支", "kind": "党总支", "parent_id": 6}),
            )
            .await;
        let (status, _) = zzb.send_json(Method::PATCH, "/api/v1/orgs/10", json!({"parent_id": general["id"]})).await;
        assert_eq!(status, 200);
        let (_, after) = shuji.get_json("/api/v1/dues?org=10&month=2026-11").await;
        assert_eq!(after["members"].as_u64().unwrap(), members, "memberships moved with the branch");
        let (_, branch) = zzb.get_json("/api/v1/orgs/10").await;
        assert_eq!(branch["governance"]["full_members"], before_full(&zzb).await);
        app
    })
    .await;
}

async fn before_full(zzb: &crate::support::Session) -> serde_json::Value {
    let (_, general) =
        zzb.get_json("/api/v1/orgs?kind=%E5%85%9A%E6%80%BB%E6%94%AF&q=%E4%B8%AD%E5%B1%B1%E8%B7%AF").await;
    let id = general["items"][0]["id"].as_i64().unwrap();
    let (_, g) = zzb.get_json(&format!("/api/v1/orgs/{id}")).await;
    g["governance"]["full_members"].clone()
}

#[tokio::test]
async fn a_branch_with_a_pending_transfer_cannot_be_dissolved() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let (_, members) =
            shuji.get_json("/api/v1/persons?political_status=%E4%B8%AD%E5%85%B1%E5%85%9A%E5%91%98").await;
        let pid = members["items"][0]["id"].as_i64().unwrap();
        let (status, _) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{pid}/transfers"),
                json!({"to_org_id": 19, "reason": "调动"}),
            )
            .await;
        assert_eq!(status, 201);
        let zzb = app.login("zzb").await;
        for group in [20, 21] {
            zzb.send_json(Method::POST, &format!("/api/v1/orgs/{group}/dissolve"), json!({"reason": "撤并"})).await;
        }
        let (status, err) =
            zzb.send_json(Method::POST, "/api/v1/orgs/19/dissolve", json!({"reason": "撤并", "merge_into": 16})).await;
        assert_eq!(status, 422);
        assert!(err["message"].as_str().unwrap().contains("待处理的组织关系转接"), "{err}");
        app
    })
    .await;
}

#[tokio::test]
async fn a_merge_is_in_each_persons_history_and_past_transfers_keep_the_dissolved_branch() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let name = |org: serde_json::Value| org["org"]["name"].as_str().unwrap().to_owned();
        let (from, into) =
            (name(zzb.get_json("/api/v1/orgs/13").await.1), name(zzb.get_json("/api/v1/orgs/16").await.1));
        // One member of 13 has left the bureau before the merge: the transfer is history.
        let (_, members) =
            zzb.get_json("/api/v1/persons?org=13&political_status=%E4%B8%AD%E5%85%B1%E5%85%9A%E5%91%98").await;
        let leaver = members["items"][0]["id"].as_i64().unwrap();
        let stayer = members["items"][1]["id"].as_i64().unwrap();
        let (status, out) = zzb
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{leaver}/transfers"),
                json!({"to_external": "中共某县委组织部", "reason": "调出公安机关"}),
            )
            .await;
        assert_eq!(status, 201, "{out}");
        for group in [14, 15] {
            zzb.send_json(Method::POST, &format!("/api/v1/orgs/{group}/dissolve"), json!({"reason": "撤并"})).await;
        }
        let (status, _) = zzb
            .send_json(Method::POST, "/api/v1/orgs/13/dissolve", json!({"reason": "派出所撤并", "merge_into": 16}))
            .await;
        assert_eq!(status, 204);

        // Each person placed in 13 has one history line saying where they went, and by whom.
        for pid in [leaver, stayer] {
            let (status, history) = zzb.get_json(&format!("/api/v1/persons/{pid}/history")).await;
            assert_eq!(status, 200, "{history}");
            let moves: Vec<&serde_json::Value> =
                history["items"].as_array().unwrap().iter().filter(|h| h["old_value"] == from.as_str()).collect();
            assert_eq!(moves.len(), 1, "{history}");
            assert_eq!(moves[0]["new_value"], into.as_str());
            assert_eq!(moves[0]["field"], "所在党组织");
            assert_eq!(moves[0]["actor"], "zzb");
        }
        let (_, stayer_now) = zzb.get_json(&format!("/api/v1/persons/{stayer}")).await;
        assert!(stayer_now.to_string().contains(&into), "{stayer_now}");
        // The transfer still says it came from the dissolved branch.
        let (_, transfers) = zzb.get_json("/api/v1/transfers").await;
        let row = transfers["outgoing"].as_array().unwrap().iter().find(|t| t["id"] == out["id"]).expect("listed");
        assert_eq!(row["from_name"], from.as_str());
        app
    })
    .await;
}
