//! 家访与人文关怀 (issue 12): a 十必访 situation becomes a must-visit task for the branch secretary
//! (escalated to the party office when overdue); the visit records the 五知 as a new version, care
//! items and follow-ups, closes the task and moves coverage; the notes are family-and-care data —
//! revealed only in scope (404 and an audit row outside, 403 without the class), every read
//! audited, never shown to the person visited; bad input is refused whole, naming each problem.

use reqwest::Method;
use serde_json::{Value, json};

use crate::party::{new_person, secretary_of};
use crate::support::{Session, TestApp, on_all_backends};

/// The person an account is linked to.
async fn own_id(s: &Session) -> i64 {
    let own = s.get("/people/me").await.headers()["location"].to_str().unwrap().to_owned();
    own.trim_start_matches("/people/").parse().unwrap()
}

/// The demo member's person id (the `dangyuan` account, in shuji's branch 10).
async fn member_id(app: &TestApp) -> i64 {
    own_id(&app.login("dangyuan").await).await
}

fn visit_body(person: i64, visitor: i64, extra: Value) -> Value {
    let mut body = json!({
        "person_id": person, "kind": "全员访", "mode": "入户", "visited_on": "2026-11-20",
        "visitor_ids": [visitor],
        "five_knowns": {"family_notes": "母亲腿脚不便", "friends": "警校同学三人", "personality": "内向稳重",
            "hobbies": "羽毛球", "recent_changes": "孩子上小学"},
        "problems": "接送孩子困难", "help_asked": "希望调整夜班"
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

async fn covered(s: &Session, org: i64) -> (i64, i64) {
    let (status, c) = s.get_json(&format!("/api/v1/visits/coverage?org={org}&cycle=2026")).await;
    assert_eq!(status, 200, "{c}");
    (c["total"]["visited"].as_i64().unwrap(), c["total"]["tasks_overdue"].as_i64().unwrap())
}

fn row<'a>(profile: &'a Value, label: &str) -> Option<&'a Value> {
    profile["sections"].as_array()?.iter().find(|s| s["id"] == "visits")?["rows"]
        .as_array()?
        .iter()
        .find(|r| r["label"] == label)
}

#[tokio::test]
async fn a_situation_leads_to_a_visit_with_the_five_knowns_and_care_and_the_notes_stay_private() {
    on_all_backends(|app| async move {
        let member = member_id(&app).await;
        let shuji = app.login("shuji").await;
        let visitor = own_id(&shuji).await;

        // 1. A situation raised on the member: a task due in the situation's days, on the home page.
        let (status, task) = shuji
            .send_json(
                Method::POST,
                "/api/v1/visit-tasks",
                json!({"person_id": member, "situation": "illness", "on": "2026-11-25", "note": "住院"}),
            )
            .await;
        assert_eq!(status, 201, "{task}");
        assert_eq!(
            (task["due_on"].as_str(), task["overdue"].as_bool()),
            (Some("2026-12-02"), Some(false)),
            "生重病 7 天"
        );
        let home = shuji.get("/").await.text().await.unwrap();
        assert!(home.contains(&format!("/people/{member}/visits/new?task={}", task["id"])), "{home}");
        let zzb = app.login("zzb").await;
        assert!(
            !zzb.get("/").await.text().await.unwrap().contains(&format!("task={}", task["id"])),
            "not escalated before its deadline"
        );

        // 2. Refusals, all at once and nothing saved: a future date, no visitor, an owner missing.
        let (before, _) = covered(&zzb, 10).await;
        let (_, family_before) = shuji.get_json(&format!("/api/v1/persons/{member}/family")).await;
        let bad = visit_body(
            member,
            visitor,
            json!({"visited_on": "2026-12-01", "visitor_ids": [],
            "follow_ups": [{"action": "协调夜班", "due_on": "2026-12-10"}],
            "new_family": [{"relation": "女儿", "name": "测试女儿"}]}),
        );
        let (status, err) = shuji.send_json(Method::POST, "/api/v1/visits", bad).await;
        assert_eq!(status, 422, "{err}");
        let fields: Vec<&str> =
            err["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert!(
            fields.contains(&"visited_on")
                && fields.contains(&"visitor_ids")
                && fields.contains(&"follow_ups[0].owner_id"),
            "{err}"
        );
        let text = err.to_string();
        assert!(
            text.contains("晚于今天") && text.contains("至少填写一名走访人") && text.contains("须指定负责人"),
            "{text}"
        );
        let (_, family_after) = shuji.get_json(&format!("/api/v1/persons/{member}/family")).await;
        assert_eq!(family_before["total"], family_after["total"], "the new family member was not half-saved");
        assert_eq!(covered(&zzb, 10).await.0, before);

        // 3. The visit: answers the task, meets a new family member, a care item and a follow-up.
        let body = visit_body(
            member,
            visitor,
            json!({"kind": "必访", "task_ids": [task["id"]],
            "new_family": [{"relation": "女儿", "name": "王小雨", "birth_year": "2018"}],
            "follow_ups": [{"action": "协调调整夜班", "owner_id": visitor, "due_on": "2026-12-10"}],
            "care": [{"kind": "慰问", "description": "住院慰问，送慰问金", "owner_id": visitor}]}),
        );
        let (status, visit) = shuji.send_json(Method::POST, "/api/v1/visits", body).await;
        assert_eq!(status, 201, "{visit}");
        assert!(
            visit.get("notes").is_none() && !visit.to_string().contains("羽毛球"),
            "no notes in the answer: {visit}"
        );
        assert_eq!(visit["tasks_closed"], json!([task["id"]]));
        assert_eq!(visit["care_items"][0]["description"], Value::Null);
        let visit_id = visit["id"].as_i64().unwrap();
        let (_, open) = shuji.get_json(&format!("/api/v1/visit-tasks?person={member}")).await;
        assert_eq!(open["total"], 0, "the task is done");
        let (_, family) = shuji.get_json(&format!("/api/v1/persons/{member}/family")).await;
        assert!(family["items"].as_array().unwrap().iter().any(|m| m["name"] == "王小雨"), "added to 家庭成员");
        assert_eq!(covered(&zzb, 10).await.0, before + 1, "coverage follows the record");

        // 4. The secretary reveals the 五知 (audited); a second visit is a new, comparable version.
        let (status, shown) = shuji.reveal(member, &["five_knowns", "visit_notes"]).await;
        assert_eq!(status, 200, "{shown}");
        let five = shown["fields"][0]["value"].as_str().unwrap();
        assert!(five.contains("兴趣爱好：羽毛球") && five.contains("女儿：王小雨"), "{five}");
        assert!(shown["fields"][1]["value"].as_str().unwrap().contains("接送孩子困难"));
        let second = json!({"person_id": member, "kind": "线上访", "mode": "线上", "visited_on": "2026-11-26",
            "visitor_ids": [visitor], "five_knowns": {"hobbies": "钓鱼"}});
        let (status, _) = shuji.send_json(Method::POST, "/api/v1/visits", second).await;
        assert_eq!(status, 201);
        let html = shuji.get(&format!("/people/{member}/five-knowns")).await.text().await.unwrap();
        assert!(html.contains("羽毛球") && html.contains("钓鱼") && html.contains("有变化"), "{html}");
        let changed = html.matches("有变化").count();
        assert_eq!(changed, 1, "only 兴趣爱好 changed; the rest carried over: {html}");

        // 5. The member sees that visits happened and the care given, never the notes.
        let dangyuan = app.login("dangyuan").await;
        let (_, profile) = dangyuan.get_json(&format!("/api/v1/persons/{member}")).await;
        assert!(row(&profile, "家访").unwrap()["value"].as_str().unwrap().starts_with("共 2 次"), "{profile}");
        assert_eq!(row(&profile, "关怀事项").unwrap()["value"], "慰问（进行中）");
        let text = profile.to_string();
        assert!(!text.contains("羽毛球") && !text.contains("接送孩子") && !text.contains("送慰问金"), "{text}");
        let (status, own) = dangyuan.reveal(member, &["five_knowns"]).await;
        assert_eq!(status, 200);
        assert_eq!(own["fields"][0]["value"], "走访人的记录不向本人显示");
        let (status, seen) = dangyuan.get_json(&format!("/api/v1/visits/{visit_id}")).await;
        assert_eq!(status, 200);
        assert!(!seen.to_string().contains("羽毛球"));
        assert_eq!(dangyuan.post_form(&format!("/visits/{visit_id}/reveal"), &[]).await.status(), 403);
        assert_eq!(dangyuan.get(&format!("/people/{member}/five-knowns")).await.status(), 403);

        // 6. The leader has no family-and-care permission: 403 naming it.
        let lingdao = app.login("lingdao").await;
        let (status, err) = lingdao.reveal(member, &["five_knowns"]).await;
        assert_eq!(status, 403, "{err}");
        assert!(err["message"].as_str().unwrap().contains("家庭与关爱"), "{err}");

        // 7. Every read of the notes is in the log, and no note is.
        let auditor = app.login("auditor").await;
        let (_, reads) = auditor.get_json("/api/v1/audit?who=shuji&action=sensitive.read&page_size=100").await;
        let summaries = reads.to_string();
        assert!(summaries.contains("five_knowns") && summaries.contains("five_knowns_history"), "{summaries}");
        let (_, writes) = auditor.get_json("/api/v1/audit?who=shuji&action=visit.create").await;
        assert_eq!(writes["total"], 2);
        assert!(!writes.to_string().contains("羽毛球"), "the log keeps no notes");
        app
    })
    .await;
}

#[tokio::test]
async fn out_of_scope_the_five_knowns_are_not_found_and_the_refusal_is_audited() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let other = new_person(&zzb, "外支部民警", "33020219900101101", "群众", 13).await;
        let visitor = new_person(&zzb, "政工干部", "33020219850101202", "群众", 13).await;
        let (status, visit) =
            zzb.send_json(Method::POST, "/api/v1/visits", visit_body(other, visitor, json!({}))).await;
        assert_eq!(status, 201, "{visit}");
        let visit_id = visit["id"].as_i64().unwrap();

        let shuji = app.login("shuji").await;
        assert_eq!(shuji.reveal(other, &["five_knowns"]).await.0, 404);
        assert_eq!(shuji.get_json(&format!("/api/v1/visits/{visit_id}")).await.0, 404);
        assert_eq!(shuji.get(&format!("/visits/{visit_id}")).await.status(), 404);
        assert_eq!(shuji.post_form(&format!("/visits/{visit_id}/reveal"), &[]).await.status(), 404);
        assert_eq!(shuji.get(&format!("/people/{other}/five-knowns")).await.status(), 404);
        let (status, _) = shuji.send_json(Method::POST, "/api/v1/visits", visit_body(other, visitor, json!({}))).await;
        assert_eq!(status, 404);
        let (status, _) = shuji
            .send_json(
                Method::POST,
                "/api/v1/visit-tasks",
                json!({"person_id": other, "situation": "mood", "on": "2026-11-26"}),
            )
            .await;
        assert_eq!(status, 404);
        let auditor = app.login("auditor").await;
        let (_, denied) = auditor.get_json("/api/v1/audit?who=shuji&action=access.denied&page_size=50").await;
        assert!(denied["total"].as_u64().unwrap() >= 7, "{denied}");
        let (_, reads) = auditor.get_json("/api/v1/audit?who=shuji&action=sensitive.read").await;
        assert_eq!(reads["total"], 0, "nothing was read");

        // The secretary of branch 13 reads it, audited; the other branch's coverage is untouched.
        let other_secretary = secretary_of(&app, "shuji13", 13).await;
        let res = other_secretary.post_form(&format!("/visits/{visit_id}/reveal"), &[]).await;
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("羽毛球"));
        let (_, reads) = auditor.get_json("/api/v1/audit?who=shuji13&action=sensitive.read").await;
        assert_eq!(reads["items"][0]["object"], format!("visit#{visit_id}"), "{reads}");
        app
    })
    .await;
}

#[tokio::test]
async fn a_transfer_raises_a_must_visit_for_the_receiving_branch_and_an_overdue_one_reaches_the_party_office() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let pid = new_person(&shuji, "调入民警", "37020219880808115", "发展对象", 10).await;
        let (status, _) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{pid}/membership"),
                json!({"joined_on": "2015-06-01", "full_on": "2016-06-01"}),
            )
            .await;
        assert_eq!(status, 201);
        let (status, t) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{pid}/transfers"),
                json!({"to_org_id": 13, "reason": "工作调动"}),
            )
            .await;
        assert_eq!(status, 201, "{t}");
        let other = secretary_of(&app, "shuji13", 13).await;
        let (status, _) =
            other.send_json(Method::POST, &format!("/api/v1/transfers/{}/accept", t["id"]), json!({})).await;
        assert_eq!(status, 204);
        let (_, tasks) = other.get_json(&format!("/api/v1/visit-tasks?person={pid}")).await;
        assert_eq!(tasks["total"], 1, "{tasks}");
        assert_eq!(
            (tasks["items"][0]["situation"].as_str(), tasks["items"][0]["due_on"].as_str()),
            (Some("post_change"), Some("2026-12-12"))
        );
        assert!(other.get("/").await.text().await.unwrap().contains("须走访：岗位重大调整"));
        // The sending branch no longer sees the person's task.
        let (_, mine) = shuji.get_json(&format!("/api/v1/visit-tasks?person={pid}")).await;
        assert_eq!(mine["total"], 0);

        // Past the deadline: overdue, on the party office's home page and in coverage.
        let zzb = app.login("zzb").await;
        let (_, overdue_before) = covered(&zzb, 13).await;
        app.clock.advance(chrono::Duration::days(20));
        let zzb = app.login("zzb").await;
        let (_, overdue_after) = covered(&zzb, 13).await;
        assert!(overdue_after > overdue_before, "{overdue_before} → {overdue_after}");
        let (_, overdue) = zzb.get_json(&format!("/api/v1/visit-tasks?person={pid}&status=overdue")).await;
        assert_eq!((overdue["total"].as_u64(), overdue["items"][0]["overdue"].as_bool()), (Some(1), Some(true)));
        let home = zzb.get("/").await.text().await.unwrap();
        assert!(home.contains("调入民警 的必访（岗位重大调整）已逾期") || home.contains("项必访任务未完成"), "{home}");
        app
    })
    .await;
}

#[tokio::test]
async fn coverage_drills_down_to_names_and_exports_what_it_shows() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let (status, c) = zzb.get_json("/api/v1/visits/coverage?cycle=2026").await;
        assert_eq!(status, 200, "{c}");
        let sum: i64 = c["lines"].as_array().unwrap().iter().map(|l| l["people"].as_i64().unwrap()).sum();
        assert_eq!(sum, c["total"]["people"].as_i64().unwrap(), "the lines add up to the total");
        assert_eq!(zzb.get_json("/api/v1/visits/coverage?cycle=明年").await.0, 422);
        let page = zzb.get("/visits/coverage?org=10&cycle=2026").await.text().await.unwrap();
        assert!(page.contains("本周期尚未走访的人员") && page.contains("id=\"coverage-people\""));
        let rows = page.matches("/visits/new\">记录家访").count();
        assert!(rows > 0 && rows <= 100, "a page of names: {rows}");
        let res = zzb.get("/visits/coverage/export.xlsx?org=10&cycle=2026").await;
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
        // Out of scope: 404 and an audit row.
        let shuji = app.login("shuji").await;
        assert_eq!(shuji.get_json("/api/v1/visits/coverage?org=13").await.0, 404);
        assert_eq!(shuji.get("/visits/coverage?org=13").await.status(), 404);
        let auditor = app.login("auditor").await;
        let (_, denied) = auditor.get_json("/api/v1/audit?who=shuji&action=access.denied").await;
        assert_eq!(denied["total"], 2);
        app
    })
    .await;
}

#[tokio::test]
async fn a_campaign_lists_its_targets_per_branch_and_counts_the_visits_made_for_it() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let body = json!({"name": "2027年春节联合走访", "occasion": "春节", "starts_on": "2026-11-01", "ends_on": "2027-02-10",
            "org_id": 10, "rule": "all"});
        let (status, c) = zzb.send_json(Method::POST, "/api/v1/visit-campaigns", body.clone()).await;
        assert_eq!(status, 201, "{c}");
        let mut bad = body.clone();
        bad["rule"] = json!("under_sanction");
        bad["ends_on"] = json!("2026-10-01");
        let (status, err) = zzb.send_json(Method::POST, "/api/v1/visit-campaigns", bad).await;
        assert_eq!(status, 422);
        let fields: Vec<&str> = err["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["ends_on", "rule"], "{err}");
        let shuji = app.login("shuji").await;
        assert_eq!(shuji.send_json(Method::POST, "/api/v1/visit-campaigns", body).await.0, 403, "party admins define campaigns");

        let (_, d) = shuji.get_json(&format!("/api/v1/visit-campaigns/{}", c["id"])).await;
        let targets = d["targets"].as_i64().unwrap();
        assert!(targets > 0 && d["visited"] == 0, "{d}");
        let member = member_id(&app).await;
        let visitor = own_id(&shuji).await;
        let visit = visit_body(member, visitor, json!({"kind": "联合访", "campaign_id": c["id"]}));
        let (status, v) = shuji.send_json(Method::POST, "/api/v1/visits", visit).await;
        assert_eq!(status, 201, "{v}");
        let (_, d) = shuji.get_json(&format!("/api/v1/visit-campaigns/{}", c["id"])).await;
        assert_eq!((d["targets"].as_i64(), d["visited"].as_i64()), (Some(targets), Some(1)));
        app
    })
    .await;
}

#[tokio::test]
async fn care_items_are_closed_with_a_closure_and_their_text_is_an_audited_read() {
    on_all_backends(|app| async move {
        let member = member_id(&app).await;
        let shuji = app.login("shuji").await;
        let owner = own_id(&shuji).await;
        let (status, err) = shuji
            .send_json(
                Method::POST,
                "/api/v1/care-items",
                json!({"person_id": member, "kind": "发红包", "description": ""}),
            )
            .await;
        assert_eq!(status, 422);
        let fields: Vec<&str> =
            err["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["kind", "description", "owner_id"]);
        let (status, item) = shuji
            .send_json(
                Method::POST,
                "/api/v1/care-items",
                json!({"person_id": member, "kind": "困难帮扶", "description": "子女入学协调", "owner_id": owner}),
            )
            .await;
        assert_eq!(status, 201, "{item}");
        let id = item["id"].as_i64().unwrap();
        let (_, list) = shuji.get_json(&format!("/api/v1/care-items?person={member}")).await;
        assert!(!list.to_string().contains("子女入学"), "lists keep no text");
        let close = format!("/api/v1/care-items/{id}/close");
        assert_eq!(shuji.send_json(Method::POST, &close, json!({"closure": ""})).await.0, 422);
        let (status, closed) = shuji.send_json(Method::POST, &close, json!({"closure": "已协调入学"})).await;
        assert_eq!((status, closed["status"].as_str()), (200, Some("已办结")));
        assert_eq!(shuji.send_json(Method::POST, &close, json!({"closure": "再次"})).await.0, 409);
        let lingdao = app.login("lingdao").await;
        assert_eq!(lingdao.get_json(&format!("/api/v1/care-items/{id}")).await.0, 403);
        app
    })
    .await;
}

#[tokio::test]
async fn a_sanction_recorded_by_discipline_raises_a_must_visit_for_the_branch() {
    on_all_backends(|app| async move {
        let member = member_id(&app).await;
        let jijian = app.login("jijian").await;
        let body = json!({"person_id": member, "kind": "记过", "decided_on": "2026-11-20", "facts": "值班期间脱岗", "decided_by": "海滨市公安局"});
        let (status, saved) = jijian.send_json(Method::POST, "/api/v1/sanctions", body).await;
        assert_eq!(status, 201, "{saved}");
        let shuji = app.login("shuji").await;
        let (_, tasks) = shuji.get_json(&format!("/api/v1/visit-tasks?person={member}")).await;
        assert_eq!(tasks["total"], 1, "{tasks}");
        let t = &tasks["items"][0];
        assert_eq!((t["situation"].as_str(), t["due_on"].as_str()), (Some("sanction"), Some("2026-12-04")), "7 days from the day it was recorded");
        assert!(shuji.get("/").await.text().await.unwrap().contains("须走访：受到处分、问责、组织处理"));
        app
    })
    .await;
}
