//! A unit's people follow a new covering organization (issue 10 leftovers): the party office
//! changes which branch covers a unit and, when asked, the unit's people placed under the old
//! branch move with it in one transaction — members as internal transfers (a 已接收 transfer,
//! history) — or nothing moves at all; out-of-scope units and organizations are refused.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Session, on_all_backends};

fn enc(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

async fn unit_named(s: &Session, name: &str) -> Value {
    let (status, list) = s.get_json(&format!("/api/v1/units?q={}", enc(name))).await;
    assert_eq!(status, 200, "{list}");
    list["items"].as_array().unwrap().iter().find(|u| u["name"] == name).cloned().unwrap()
}

async fn org_id(s: &Session, query: &str, pick: impl Fn(&Value) -> bool) -> (i64, String) {
    let (_, orgs) = s.get_json(&format!("/api/v1/orgs?page_size=100&{query}")).await;
    let o = orgs["items"].as_array().unwrap().iter().find(|o| pick(o)).cloned().unwrap();
    (o["id"].as_i64().unwrap(), o["name"].as_str().unwrap().to_owned())
}

async fn placed_in(s: &Session, org: i64) -> i64 {
    let (status, list) = s.get_json(&format!("/api/v1/persons?org={org}&page_size=1")).await;
    assert_eq!(status, 200, "{list}");
    list["total"].as_i64().unwrap()
}

#[tokio::test]
async fn a_units_people_follow_a_new_covering_branch_with_their_memberships() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let unit = unit_named(&zzb, "中山路派出所").await;
        let id = unit["id"].as_i64().unwrap();
        let a = unit["org_id"].as_i64().unwrap();
        let a_name = unit["org_name"].as_str().unwrap().to_owned();
        let (b, b_name) = org_id(&zzb, &format!("kind={}", enc("党支部")), |o| {
            o["id"].as_i64() != Some(a) && o["name"].as_str().unwrap().contains("派出所")
        })
        .await;
        let (bureau, _) = org_id(&zzb, &format!("kind={}", enc("党委")), |o| {
            o["name"].as_str().unwrap().contains("东港分局")
        })
        .await;

        // The preview: how many people the old branch holds in this unit, how many are members.
        let (status, preview) = zzb.get_json(&format!("/api/v1/units/{id}/placement")).await;
        assert_eq!(status, 200, "{preview}");
        assert_eq!(preview["org_id"], a);
        let movable = preview["movable"].as_i64().unwrap();
        let members = preview["members"].as_i64().unwrap();
        assert!(movable > members && members > 0, "{preview}");
        let page = zzb.get(&format!("/orgs/units?edit={id}")).await.text().await.unwrap();
        assert!(page.contains(&format!("<strong>{movable}</strong> 人由“{a_name}”管理")), "{page}");
        let (in_a, in_b) = (placed_in(&zzb, a).await, placed_in(&zzb, b).await);
        let (_, list) = zzb.get_json(&format!("/api/v1/persons?org={a}&political_status={}", enc("中共党员"))).await;
        let member = list["items"][0]["id"].as_i64().unwrap();

        // Members go to a branch only: a committee as the new cover refuses the move, and
        // nothing is written (the unit keeps its cover, nobody moves).
        let aliases = unit["aliases"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect::<Vec<_>>();
        let body = |org: i64, move_people: bool| {
            json!({"name": "中山路派出所", "aliases": aliases.join("、"), "org_id": org, "move_people": move_people})
        };
        let (status, err) = zzb.send_json(Method::PUT, &format!("/api/v1/units/{id}"), body(bureau, true)).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("move_people")), "{err}");
        assert!(err["message"].as_str().unwrap().contains("党支部或联合支部"), "{err}");
        assert_eq!(unit_named(&zzb, "中山路派出所").await["org_id"], a);
        assert_eq!(placed_in(&zzb, a).await, in_a);
        // The form says why next to the choice, and keeps it ticked.
        let joined = aliases.join("、");
        let fields = [
            ("name", "中山路派出所"),
            ("aliases", joined.as_str()),
            ("org_id", &bureau.to_string()),
            ("move_people", "true"),
        ];
        let res = zzb.post_form(&format!("/orgs/units/{id}"), &fields).await;
        assert_eq!(res.status(), 422);
        let page = res.text().await.unwrap();
        assert!(page.contains("党支部或联合支部") && page.contains("name=\"move_people\" value=\"true\" checked"), "{page}");
        assert_eq!(placed_in(&zzb, a).await, in_a);

        // A secretary keeps no unit list; a sub-bureau's office cannot hand the unit to a branch
        // outside its sub-bureau (the refusal is audited).
        let shuji = app.login("shuji").await;
        assert_eq!(shuji.send_json(Method::PUT, &format!("/api/v1/units/{id}"), body(b, true)).await.0, 403);
        let fenju = app.login("fenju").await;
        let (hq, _) = org_id(&zzb, &format!("kind={}", enc("党支部")), |o| {
            !o["name"].as_str().unwrap().contains("东港")
        })
        .await;
        let (status, err) = fenju.send_json(Method::PUT, &format!("/api/v1/units/{id}"), body(hq, true)).await;
        assert_eq!((status, err["code"].as_str()), (404, Some("not_found")), "{err}");
        assert_eq!(placed_in(&zzb, a).await, in_a);
        assert_eq!(unit_named(&zzb, "中山路派出所").await["org_id"], a);

        // The move: every person of the unit under the old branch, members with their membership.
        let (status, saved) = zzb.send_json(Method::PUT, &format!("/api/v1/units/{id}"), body(b, true)).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!((saved["org_id"].as_i64(), saved["people_moved"].as_i64()), (Some(b), Some(movable)));
        assert_eq!(saved["members_moved"].as_i64(), Some(members));
        assert_eq!(placed_in(&zzb, a).await, in_a - movable);
        assert_eq!(placed_in(&zzb, b).await, in_b + movable);
        let (_, history) = zzb.get_json(&format!("/api/v1/persons/{member}/history")).await;
        let last = &history["items"][0];
        assert_eq!(last["field"], "所在党组织", "{history}");
        assert_eq!((last["old_value"].as_str(), last["new_value"].as_str()), (Some(&*a_name), Some(&*b_name)));
        // The member's organizational relationship moved as a transfer inside the bureau, decided.
        let (_, transfers) = zzb.get_json("/api/v1/transfers").await;
        let t = transfers["outgoing"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["person_id"] == member)
            .cloned()
            .unwrap_or_else(|| panic!("{transfers}"));
        assert_eq!((t["status"].as_str(), t["to_name"].as_str()), (Some("已接收"), Some(&*b_name)), "{t}");
        assert!(t["reason"].as_str().unwrap().contains("中山路派出所"), "{t}");
        // The member's roster record now agrees with the membership: the new branch's secretary
        // side of the rules accepts the person in the new branch (the party profile says so).
        let profile = zzb.get(&format!("/people/{member}")).await.text().await.unwrap();
        assert!(profile.contains(&b_name), "{profile}");

        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?who=zzb&action=unit.update").await;
        let summary: Value = serde_json::from_str(log["items"][0]["summary"].as_str().unwrap()).unwrap();
        assert_eq!((summary["people_moved"].as_i64(), summary["members_moved"].as_i64()), (Some(movable), Some(members)));

        // Without the choice, people stay where they are.
        let (status, saved) = zzb.send_json(Method::PUT, &format!("/api/v1/units/{id}"), body(a, false)).await;
        assert_eq!(status, 200, "{saved}");
        assert!(saved.get("people_moved").is_none(), "{saved}");
        assert_eq!(placed_in(&zzb, b).await, in_b + movable);
        app
    })
    .await;
}

#[tokio::test]
async fn a_unit_covered_outside_the_scope_is_missing_and_the_attempt_audited() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let (hq, _) =
            org_id(&zzb, &format!("kind={}", enc("党支部")), |o| !o["name"].as_str().unwrap().contains("东港")).await;
        let (status, unit) =
            zzb.send_json(Method::POST, "/api/v1/units", json!({"name": "市局值班室", "org_id": hq})).await;
        assert_eq!(status, 201, "{unit}");
        let id = unit["id"].as_i64().unwrap();
        let fenju = app.login("fenju").await;
        let (status, err) = fenju.get_json(&format!("/api/v1/units/{id}/placement")).await;
        assert_eq!((status, err["code"].as_str()), (404, Some("not_found")), "{err}");
        let body = json!({"name": "市局值班室", "org_id": hq, "move_people": true});
        assert_eq!(fenju.send_json(Method::PUT, &format!("/api/v1/units/{id}"), body).await.0, 404);
        assert_eq!(fenju.get(&format!("/orgs/units?edit={id}")).await.status(), 404);
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?who=fenju&action=access.denied").await;
        assert_eq!(log["total"], 3, "{log}");
        assert_eq!(log["items"][0]["object"], format!("unit#{id}"));
        app
    })
    .await;
}

#[tokio::test]
async fn a_covering_organization_outside_the_scope_is_missing_and_the_attempt_audited() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let unit = unit_named(&zzb, "中山路派出所").await;
        let (id, cover) = (unit["id"].as_i64().unwrap(), unit["org_id"].as_i64().unwrap());
        let (hq, _) =
            org_id(&zzb, &format!("kind={}", enc("党支部")), |o| !o["name"].as_str().unwrap().contains("东港")).await;
        let fenju = app.login("fenju").await;
        // The sub-bureau's own unit handed to a branch outside the sub-bureau: 404 in the API and
        // the page, as for a new unit, and nothing changes.
        let body = json!({"name": "中山路派出所", "org_id": hq});
        let (status, err) = fenju.send_json(Method::PUT, &format!("/api/v1/units/{id}"), body).await;
        assert_eq!((status, err["code"].as_str()), (404, Some("not_found")), "{err}");
        let (status, err) =
            fenju.send_json(Method::POST, "/api/v1/units", json!({"name": "某某警务室", "org_id": hq})).await;
        assert_eq!((status, err["code"].as_str()), (404, Some("not_found")), "{err}");
        let res = fenju
            .post_form(&format!("/orgs/units/{id}"), &[("name", "中山路派出所"), ("org_id", &hq.to_string())])
            .await;
        assert_eq!(res.status(), 404);
        assert!(res.text().await.unwrap().contains("记录不存在或无权访问"));
        assert_eq!(unit_named(&zzb, "中山路派出所").await["org_id"], cover);
        let (_, list) = zzb.get_json(&format!("/api/v1/units?q={}", enc("某某警务室"))).await;
        assert_eq!(list["total"], 0, "{list}");
        // A number that names no organization answers the same, or the difference would tell
        // which ids exist beyond the sub-bureau; for the whole-bureau admin it is a mistake in
        // the field.
        let body = json!({"name": "中山路派出所", "org_id": 424242});
        let (status, err) = fenju.send_json(Method::PUT, &format!("/api/v1/units/{id}"), body.clone()).await;
        assert_eq!((status, err["code"].as_str()), (404, Some("not_found")), "{err}");
        let (status, err) = zzb.send_json(Method::PUT, &format!("/api/v1/units/{id}"), body).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("org_id")), "{err}");
        assert_eq!(unit_named(&zzb, "中山路派出所").await["org_id"], cover);

        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?who=fenju&action=access.denied").await;
        assert_eq!(log["total"], 3, "{log}");
        assert!(log["items"].as_array().unwrap().iter().all(|e| e["object"] == format!("org#{hq}")), "{log}");
        app
    })
    .await;
}
