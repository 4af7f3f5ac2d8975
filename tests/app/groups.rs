//! Committees and 党小组 (issue 9): a probationary member (预备党员) has no right to be elected
//! and is refused as a committee member; the size rules count full and probationary members
//! apart; a member belongs to at most one group of their own branch, a group has one leader
//! (组长), and a member's place ends when they leave the branch or the group moves away.
//!
//! Demo bureau: shuji's branch 中山路派出所党支部 is 10, with its groups 第一党小组 (11) and
//! 第二党小组 (12); 人民路派出所党支部 (13) is another branch of the same sub-bureau (6).

use reqwest::Method;
use serde_json::{Value, json};

use crate::party::{new_person, party_rows, secretary_of};
use crate::support::{Session, on_all_backends};

/// A new member of branch `org`: full when `full_on` is given, probationary otherwise.
async fn member(s: &Session, org: i64, name: &str, id17: &str, joined_on: &str, full_on: Option<&str>) -> i64 {
    let pid = new_person(s, name, id17, "发展对象", org).await;
    let mut body = json!({"joined_on": joined_on});
    if let Some(full) = full_on {
        body["full_on"] = json!(full);
    }
    let (status, created) = s.send_json(Method::POST, &format!("/api/v1/persons/{pid}/membership"), body).await;
    assert_eq!(status, 201, "{created}");
    pid
}

fn committee_people(org: &Value) -> Vec<i64> {
    org["governance"]["committee"].as_array().unwrap().iter().map(|c| c["person_id"].as_i64().unwrap()).collect()
}

fn warnings(org: &Value) -> Vec<String> {
    org["governance"]["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap().to_owned()).collect()
}

async fn suggested(s: &Session, query: &str) -> (u16, Vec<i64>) {
    let (status, body) = s.get_json(&format!("/party/options?{query}")).await;
    let ids = body.as_array().map(|a| a.iter().map(|i| i["id"].as_i64().unwrap()).collect()).unwrap_or_default();
    (status, ids)
}

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

async fn group_members(s: &Session, group: i64) -> (u16, Value) {
    s.get_json(&format!("/api/v1/orgs/{group}/group-members")).await
}

fn in_group(members: &Value) -> Vec<i64> {
    members["items"].as_array().unwrap().iter().map(|m| m["person_id"].as_i64().unwrap()).collect()
}

async fn place(s: &Session, group: i64, person: i64, leader: bool) -> (u16, Value) {
    s.send_json(
        Method::POST,
        &format!("/api/v1/orgs/{group}/group-members"),
        json!({"person_id": person, "leader": leader}),
    )
    .await
}

/// Audit rows of `query`, their `summary` parsed.
async fn audit(auditor: &Session, query: &str) -> Vec<Value> {
    let (status, log) = auditor.get_json(&format!("/api/v1/audit?{query}")).await;
    assert_eq!(status, 200, "{log}");
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
async fn a_probationary_member_cannot_be_made_organization_committee_member() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let zzb = app.login("zzb").await;
        let probationary = member(&shuji, 10, "预备委员", "37020219960404003", "2026-03-01", None).await;
        let full = member(&shuji, 10, "正式委员", "37020219860404002", "2012-03-01", Some("2013-03-01")).await;
        let (_, before) = zzb.get_json("/api/v1/orgs/10").await;

        // 预备党员没有被选举权: refused over the API, naming the field.
        let (status, err) = zzb
            .send_json(
                Method::POST,
                "/api/v1/orgs/10/committee",
                json!({"person_id": probationary, "post": "组织委员", "since": "2026-11-01"}),
            )
            .await;
        assert_eq!((status, err["field"].as_str()), (422, Some("person_id")), "{err}");
        assert!(err["message"].as_str().unwrap().contains("预备党员"), "{err}");
        // And on the organization's page, the error beside the field.
        let res = zzb
            .post_form(
                "/orgs/10/committee",
                &[("person_id", &format!("预备委员（#{probationary}）")), ("post", "组织委员"), ("since", "")],
            )
            .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("预备党员没有被选举权，不能担任委员"), "{html}");
        // Nothing half-saved, nothing audited.
        let (_, after) = zzb.get_json("/api/v1/orgs/10").await;
        assert_eq!(committee_people(&after), committee_people(&before));
        let auditor = app.login("auditor").await;
        assert!(audit(&auditor, "action=org.committee_add").await.is_empty());

        // The picker does not offer probationary members, searched in the database by name or
        // pinyin initials, within the organization's tree, at most 20 at a time.
        let (status, found) = suggested(&zzb, &format!("purpose=committee&for=10&q={}", urlencode("委员"))).await;
        assert_eq!(status, 200);
        assert!(found.contains(&full) && !found.contains(&probationary), "{found:?}");
        let (_, by_initials) = suggested(&zzb, "purpose=committee&for=1&q=ZSWY").await;
        assert!(by_initials.contains(&full), "{by_initials:?}");
        let (_, by_id) = suggested(&zzb, &format!("purpose=committee&for=1&q={full}")).await;
        assert!(by_id.contains(&full), "{by_id:?}");
        let (_, by_id) = suggested(&zzb, &format!("purpose=committee&for=1&q={probationary}")).await;
        assert!(!by_id.contains(&probationary), "{by_id:?}");
        let (_, everyone) = suggested(&zzb, "purpose=committee&for=1").await;
        assert_eq!(everyone.len(), 20, "bounded by the picker's limit");
        let (_, elsewhere) = suggested(&zzb, &format!("purpose=committee&for=13&q={}", urlencode("正式委员"))).await;
        assert!(elsewhere.is_empty(), "another branch's tree: {elsewhere:?}");

        // However large the pool (a whole bureau's members are probed per person, a branch's read
        // first), the same people are suggested.
        let root = dangjian::orgs::store::find(&app.state.db, 1).await.unwrap().unwrap();
        for q in ["", "ZSWY", "委员", "王", &full.to_string()] {
            let (pool, _) = dangjian::party::committees::candidates(&app.state, &root).await.unwrap();
            let few = dangjian::people::store::pick_among(&app.state.db, pool.clone(), false, q, 20).await.unwrap();
            let many = dangjian::people::store::pick_among(&app.state.db, pool, true, q, 20).await.unwrap();
            let ids =
                |rows: &[dangjian::people::entity::Model]| rows.iter().map(|p| i64::from(p.id)).collect::<Vec<_>>();
            assert_eq!(ids(&few), ids(&many), "{q}");
            assert!(!ids(&many).contains(&probationary), "{q}");
        }

        // A full member may be.
        let (status, body) = zzb
            .send_json(Method::POST, "/api/v1/orgs/10/committee", json!({"person_id": full, "post": "组织委员"}))
            .await;
        assert_eq!(status, 201, "{body}");
        assert!(committee_people(&zzb.get_json("/api/v1/orgs/10").await.1).contains(&full));
        app
    })
    .await;
}

#[tokio::test]
async fn committee_size_warnings_follow_the_rules() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        // A new branch with three full members and one probationary member.
        let (status, branch) = zzb
            .send_json(Method::POST, "/api/v1/orgs", json!({"name": "规模党支部", "kind": "党支部", "parent_id": 6}))
            .await;
        assert_eq!(status, 201, "{branch}");
        let id = branch["id"].as_i64().unwrap();
        let mut full = Vec::new();
        for (name, id17) in
            [("规模甲", "37020219800101005"), ("规模乙", "37020219800202004"), ("规模丙", "37020219800303003")]
        {
            full.push(member(&zzb, id, name, id17, "2010-01-01", Some("2011-01-01")).await);
        }
        member(&zzb, id, "规模丁", "37020219990404002", "2026-06-01", None).await;
        let (_, org) = zzb.get_json(&format!("/api/v1/orgs/{id}")).await;
        assert_eq!(
            (org["governance"]["full_members"].as_u64(), org["governance"]["probationary_members"].as_u64()),
            (Some(3), Some(1))
        );
        assert!(!warnings(&org).iter().any(|w| w.contains("不足 3 人")), "three full members are enough: {org}");

        // Fewer than seven full members: a 书记 (and a 副书记), no committee.
        for (person, post) in [(full[0], "书记"), (full[1], "副书记")] {
            let (status, _) = zzb
                .send_json(
                    Method::POST,
                    &format!("/api/v1/orgs/{id}/committee"),
                    json!({"person_id": person, "post": post}),
                )
                .await;
            assert_eq!(status, 201);
        }
        let (_, org) = zzb.get_json(&format!("/api/v1/orgs/{id}")).await;
        assert!(!warnings(&org).iter().any(|w| w.contains("不设支部委员会")), "{org}");
        let (status, _) = zzb
            .send_json(
                Method::POST,
                &format!("/api/v1/orgs/{id}/committee"),
                json!({"person_id": full[2], "post": "组织委员"}),
            )
            .await;
        assert_eq!(status, 201, "a warning, never a refusal");
        let (_, org) = zzb.get_json(&format!("/api/v1/orgs/{id}")).await;
        assert!(
            warnings(&org).iter().any(|w| w.contains("不设支部委员会，只设书记（必要时设副书记），现登记有组织委员")),
            "{org}"
        );
        let html = zzb.get(&format!("/orgs/{id}")).await.text().await.unwrap();
        assert!(html.contains("现登记有组织委员"), "shown on the page");

        // Branch 10 has seven or more full members: a committee of more than seven is too large.
        let (_, branch10) = zzb.get_json("/api/v1/orgs/10").await;
        let (_, members) = zzb
            .get_json("/api/v1/persons?org=10&political_status=%E4%B8%AD%E5%85%B1%E5%85%9A%E5%91%98&page_size=200")
            .await;
        let mut seated = committee_people(&branch10);
        for p in members["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()) {
            if seated.len() == 8 {
                break;
            }
            if seated.contains(&p) {
                continue;
            }
            let (_, org) = zzb.get_json("/api/v1/orgs/10").await;
            assert!(!warnings(&org).iter().any(|w| w.contains("超过 7 人")), "{} members: {org}", seated.len());
            let (status, body) =
                zzb.send_json(Method::POST, "/api/v1/orgs/10/committee", json!({"person_id": p, "post": "委员"})).await;
            assert_eq!(status, 201, "{body}");
            seated.push(p);
        }
        assert_eq!(seated.len(), 8);
        let (_, org) = zzb.get_json("/api/v1/orgs/10").await;
        assert!(warnings(&org).iter().any(|w| w.contains("支部委员会登记委员 8 人，超过 7 人")), "{org}");
        app
    })
    .await;
}

#[tokio::test]
async fn a_party_group_has_members_of_its_branch_and_one_leader_changed_only_in_scope() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let zzb = app.login("zzb").await;
        let a = member(&shuji, 10, "小组甲", "37020219810101001", "2010-05-01", Some("2011-05-01")).await;
        let b = member(&shuji, 10, "小组乙", "37020219820202000", "2010-05-01", Some("2011-05-01")).await;
        let c = member(&shuji, 10, "小组丙", "37020219830303008", "2010-05-01", Some("2011-05-01")).await;
        let p = member(&shuji, 10, "小组预备", "37020219970707006", "2026-04-01", None).await;
        let (_, outsiders) =
            zzb.get_json("/api/v1/persons?org=13&political_status=%E4%B8%AD%E5%85%B1%E5%85%9A%E5%91%98").await;
        let outsider = outsiders["items"][0]["id"].as_i64().unwrap();

        let (status, empty) = group_members(&zzb, 11).await;
        assert_eq!((status, empty["total"].as_u64()), (200, Some(0)), "{empty}");

        // A leader, then nobody else may lead until the leader steps down.
        let (status, row) = place(&zzb, 11, a, true).await;
        assert_eq!((status, row["leader"].as_bool()), (201, Some(true)), "{row}");
        let (status, err) = place(&zzb, 11, b, true).await;
        assert_eq!((status, err["field"].as_str()), (409, Some("leader")), "{err}");
        assert!(err["message"].as_str().unwrap().contains("小组甲"), "{err}");
        assert_eq!(in_group(&group_members(&zzb, 11).await.1), vec![a], "nothing half-saved");
        let (status, _) = place(&zzb, 11, b, false).await;
        assert_eq!(status, 201);
        // A probationary member belongs to the group but cannot lead it.
        let (status, err) = place(&zzb, 11, p, true).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("leader")), "{err}");
        assert!(err["message"].as_str().unwrap().contains("预备党员"), "{err}");
        let (status, _) = place(&zzb, 11, p, false).await;
        assert_eq!(status, 201);
        // One group per member, and only the members of the group's own branch.
        let (status, err) = place(&zzb, 12, a, false).await;
        assert_eq!((status, err["field"].as_str()), (409, Some("person_id")), "{err}");
        assert!(err["message"].as_str().unwrap().contains("第一党小组"), "{err}");
        let (status, err) = place(&zzb, 11, outsider, false).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("person_id")), "{err}");
        assert_eq!(place(&zzb, 10, c, false).await.0, 404, "a branch is not a group");
        // The leader changes hands.
        let (status, row) = place(&zzb, 11, a, false).await;
        assert_eq!((status, row["leader"].as_bool()), (200, Some(false)), "{row}");
        let (status, row) = place(&zzb, 11, b, true).await;
        assert_eq!((status, row["leader"].as_bool()), (200, Some(true)), "{row}");

        let (_, members) = group_members(&zzb, 11).await;
        assert_eq!(members["items"][0]["person_id"], b, "the leader first: {members}");
        assert_eq!(
            (members["total"].as_u64(), members["full"].as_u64(), members["probationary"].as_u64()),
            (Some(3), Some(2), Some(1))
        );
        let (_, detail) = zzb.get_json("/api/v1/orgs/11").await;
        assert_eq!(detail["group"]["total"], 3, "{detail}");
        assert!(zzb.get_json("/api/v1/orgs/10").await.1["group"].is_null(), "only a group has members");
        // The profile's 党员信息 shows the group and the leader.
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{b}")).await;
        assert!(party_rows(&profile).contains(&"党小组=第一党小组（组长）".to_owned()), "{:?}", party_rows(&profile));
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{a}")).await;
        assert!(party_rows(&profile).contains(&"党小组=第一党小组".to_owned()), "{:?}", party_rows(&profile));

        // The picker offers the branch's members in no group yet.
        let (status, found) = suggested(&zzb, &format!("purpose=group&for=11&q={}", urlencode("小组"))).await;
        assert_eq!(status, 200);
        assert!(found.contains(&c) && ![a, b, p].iter().any(|x| found.contains(x)), "{found:?}");
        let (_, by_initials) = suggested(&zzb, "purpose=group&for=12&q=xzb").await;
        assert!(by_initials.contains(&c) && !by_initials.contains(&b), "{by_initials:?}");
        let (_, by_name) = suggested(&zzb, &format!("purpose=group&for=11&q={}", urlencode("预备"))).await;
        assert!(!by_name.contains(&p), "already in a group: {by_name:?}");
        assert_eq!(suggested(&zzb, "purpose=group&for=10").await.0, 404, "a branch is not a group");
        assert_eq!(suggested(&shuji, "purpose=group&for=11").await.0, 404, "no restructuring rights");

        // The group's page: its members and the forms; the form takes the suggestion's text.
        let html = zzb.get("/orgs/11").await.text().await.unwrap();
        assert!(html.contains("党小组成员") && html.contains("小组乙") && html.contains("purpose=group"), "{html}");
        let res = zzb.post_form("/orgs/11/group-members", &[("person_id", &format!("小组丙（#{c}）"))]).await;
        assert_eq!(res.status(), 303);
        let res = zzb.post_form("/orgs/11/group-members", &[("person_id", &p.to_string()), ("leader", "true")]).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("预备党员没有被选举权"));
        let res = zzb.post_form(&format!("/orgs/11/group-members/{c}/remove"), &[]).await;
        assert_eq!(res.status(), 303);
        assert!(!in_group(&group_members(&zzb, 11).await.1).contains(&c));

        // Out of scope: a party office account of branch 13 finds nothing, and is audited.
        let other = crate::party::account_of(&app, "zzb13", "party_admin", 13).await;
        assert_eq!(place(&other, 11, a, true).await.0, 404);
        assert_eq!(
            other.send_json(Method::DELETE, &format!("/api/v1/orgs/11/group-members/{a}"), json!({})).await.0,
            404
        );
        assert_eq!(group_members(&other, 11).await.0, 404);
        assert_eq!(other.post_form("/orgs/11/group-members", &[("person_id", &a.to_string())]).await.status(), 404);
        // The branch's secretary sees the group but cannot change it.
        assert_eq!(group_members(&shuji, 11).await.0, 200);
        assert_eq!(place(&shuji, 11, c, false).await.0, 403);

        let (status, _) = zzb.send_json(Method::DELETE, &format!("/api/v1/orgs/11/group-members/{a}"), json!({})).await;
        assert_eq!(status, 204);
        let (status, _) = zzb.send_json(Method::DELETE, &format!("/api/v1/orgs/11/group-members/{a}"), json!({})).await;
        assert_eq!(status, 404, "no longer in it");
        assert_eq!(in_group(&group_members(&zzb, 11).await.1), vec![b, p]);

        let auditor = app.login("auditor").await;
        let denied = audit(&auditor, "who=zzb13&action=access.denied").await;
        assert_eq!(denied.len(), 4, "{denied:?}");
        assert!(denied.iter().all(|r| r["object"] == "org#11"), "{denied:?}");
        let added = audit(&auditor, "who=zzb&action=org.group_add").await;
        assert_eq!(added.len(), 4, "a, b, p and c: {added:?}");
        assert!(added.iter().all(|r| r["object"] == "org#11"));
        let leaders = audit(&auditor, "action=org.group_leader").await;
        assert_eq!(leaders.len(), 2, "{leaders:?}");
        assert_eq!(leaders[0]["summary"], json!({"person_id": b, "leader": true}), "newest first");
        assert_eq!(audit(&auditor, "action=org.group_remove").await.len(), 2);
        app
    })
    .await;
}

#[tokio::test]
async fn a_group_place_ends_when_the_member_leaves_the_branch_or_the_group_moves() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let zzb = app.login("zzb").await;
        let leader = member(&shuji, 10, "离支组长", "37020219840404007", "2010-05-01", Some("2011-05-01")).await;
        let plain = member(&shuji, 10, "离局组员", "37020219850505006", "2010-05-01", Some("2011-05-01")).await;
        let second = member(&shuji, 10, "二组组员", "37020219860606005", "2010-05-01", Some("2011-05-01")).await;
        assert_eq!(place(&zzb, 11, leader, true).await.0, 201);
        assert_eq!(place(&zzb, 11, plain, false).await.0, 201);
        assert_eq!(place(&zzb, 12, second, false).await.0, 201);

        // The leader's membership moves to branch 13: the place and the post end with it.
        let (status, t) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{leader}/transfers"),
                json!({"to_org_id": 13, "reason": "工作调动"}),
            )
            .await;
        assert_eq!(status, 201, "{t}");
        assert!(in_group(&group_members(&zzb, 11).await.1).contains(&leader), "a request moves nothing");
        let receiving = secretary_of(&app, "shuji13g", 13).await;
        let (status, _) =
            receiving.send_json(Method::POST, &format!("/api/v1/transfers/{}/accept", t["id"]), json!({})).await;
        assert_eq!(status, 204);
        assert_eq!(in_group(&group_members(&zzb, 11).await.1), vec![plain]);
        let (_, profile) = receiving.get_json(&format!("/api/v1/persons/{leader}")).await;
        let rows = party_rows(&profile);
        assert!(!rows.iter().any(|r| r.starts_with("党小组=")), "{rows:?}");
        assert!(rows.iter().any(|r| r.contains("免去委员") && r.contains("第一党小组组长")), "{rows:?}");

        // Leaving the bureau ends a plain member's place too.
        let (status, _) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{plain}/transfers"),
                json!({"to_external": "中共某县委组织部", "reason": "调出公安机关"}),
            )
            .await;
        assert_eq!(status, 201);
        assert_eq!(group_members(&zzb, 11).await.1["total"], 0);
        // So does a deleted record.
        let deleted = member(&shuji, 10, "删档组员", "37020219870707004", "2010-05-01", Some("2011-05-01")).await;
        assert_eq!(place(&zzb, 11, deleted, false).await.0, 201);
        let (status, _) =
            shuji.send_json(Method::DELETE, &format!("/api/v1/persons/{deleted}"), json!({"reason": "重复建档"})).await;
        assert_eq!(status, 204);
        assert_eq!(group_members(&zzb, 11).await.1["total"], 0);
        // And a membership that ends.
        let ending = member(&shuji, 10, "退党组员", "37020219880808003", "2010-05-01", Some("2011-05-01")).await;
        assert_eq!(place(&zzb, 11, ending, true).await.0, 201);
        let (status, body) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{ending}/membership/end"),
                json!({"kind": "退党", "date": "2026-11-20", "reason": "本人申请", "decided_by": "中山路派出所党支部"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(group_members(&zzb, 11).await.1["total"], 0);

        let auditor = app.login("auditor").await;
        let accepted = audit(&auditor, "action=transfer.accept").await;
        assert_eq!(accepted[0]["summary"]["released_posts"], json!(["第一党小组组长"]));
        let out = audit(&auditor, "action=transfer.request").await;
        let out = out.iter().find(|r| r["summary"]["person_id"] == plain).expect("audited");
        assert_eq!(out["summary"]["released_posts"], json!(["第一党小组成员"]));

        // A group moved under another branch (the sub-bureau's office branch, 7) leaves its
        // members behind.
        assert_eq!(zzb.get_json("/api/v1/orgs/7").await.1["org"]["kind"], "党支部");
        let (status, body) = zzb.send_json(Method::PATCH, "/api/v1/orgs/12", json!({"parent_id": 7})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(group_members(&zzb, 12).await.1["total"], 0);
        let moved = audit(&auditor, "action=org.move").await;
        assert_eq!(moved[0]["summary"]["left_groups"], json!([{"person_id": second, "group": "第二党小组"}]));

        // Merged into a sibling group, its members join it; dissolved, they leave.
        let (status, third) = zzb
            .send_json(Method::POST, "/api/v1/orgs", json!({"name": "第三党小组", "kind": "党小组", "parent_id": 10}))
            .await;
        assert_eq!(status, 201, "{third}");
        let third = third["id"].as_i64().unwrap();
        assert_eq!(place(&zzb, third, second, true).await.0, 201);
        let (status, _) = zzb
            .send_json(
                Method::POST,
                &format!("/api/v1/orgs/{third}/dissolve"),
                json!({"reason": "合并党小组", "merge_into": 11}),
            )
            .await;
        assert_eq!(status, 204);
        let (_, first) = group_members(&zzb, 11).await;
        assert_eq!(in_group(&first), vec![second]);
        assert_eq!(first["items"][0]["leader"], true, "the first group had no leader");
        let (status, _) =
            zzb.send_json(Method::POST, "/api/v1/orgs/11/dissolve", json!({"reason": "撤销党小组"})).await;
        assert_eq!(status, 204);
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{second}")).await;
        assert!(!party_rows(&profile).iter().any(|r| r.starts_with("党小组=")), "{:?}", party_rows(&profile));
        assert!(
            party_rows(&profile)
                .iter()
                .any(|r| r.contains("免去委员") && r.contains("第一党小组撤销，不再担任第一党小组组长")),
            "{:?}",
            party_rows(&profile)
        );
        let dissolved = audit(&auditor, "action=org.dissolve").await;
        assert_eq!(dissolved[0]["summary"]["left_groups"], json!([{"person_id": second, "group": "第一党小组"}]));
        app
    })
    .await;
}
