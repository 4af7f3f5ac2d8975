//! 家访 (issue 12), the rest: a follow-up action marked done (web and API) leaves the open
//! count; the bureau's own 十必访 situations, kept by the system administrator; campaign targets
//! "officers under sanction" (the discipline domain's one query) and "families of officers who
//! died on duty" (在职状态 因公牺牲); a joint visit's visitors drawn from the campaign's subtree.

use reqwest::Method;
use serde_json::{Value, json};

use crate::party::{new_person, secretary_of};
use crate::support::{Session, TestApp, on_all_backends};

async fn own_id(s: &Session) -> i64 {
    let own = s.get("/people/me").await.headers()["location"].to_str().unwrap().to_owned();
    own.trim_start_matches("/people/").parse().unwrap()
}

fn visit(person: i64, visitors: &[i64], extra: Value) -> Value {
    let mut body = json!({
        "person_id": person, "kind": "全员访", "mode": "入户", "visited_on": "2026-11-20",
        "visitor_ids": visitors, "five_knowns": {"hobbies": "篮球"}
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

async fn open_follow_ups(s: &Session, org: i64) -> i64 {
    let (status, c) = s.get_json(&format!("/api/v1/visits/coverage?org={org}&cycle=2026")).await;
    assert_eq!(status, 200, "{c}");
    c["total"]["follow_ups_open"].as_i64().unwrap()
}

/// The top of the tree above organization `org`.
async fn root_of(s: &Session, org: i64) -> i64 {
    let (status, o) = s.get_json(&format!("/api/v1/orgs/{org}")).await;
    assert_eq!(status, 200, "{o}");
    o["ancestors"][0]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_follow_up_is_marked_done_on_the_visit_page_or_over_the_api_and_leaves_the_open_count() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let me = own_id(&shuji).await;
        let member = own_id(&app.login("dangyuan").await).await;
        let zzb = app.login("zzb").await;
        let body = visit(
            member,
            &[me],
            json!({"follow_ups": [
                {"action": "协调夜班", "owner_id": me, "due_on": "2026-12-10"},
                {"action": "联系社区医院", "owner_id": me}
            ]}),
        );
        let (status, v) = shuji.send_json(Method::POST, "/api/v1/visits", body).await;
        assert_eq!(status, 201, "{v}");
        let visit_id = v["id"].as_i64().unwrap();
        let open_before = open_follow_ups(&zzb, 10).await;
        let (_, d) = shuji.get_json(&format!("/api/v1/visits/{visit_id}")).await;
        let ids: Vec<i64> = d["follow_ups"].as_array().unwrap().iter().map(|f| f["id"].as_i64().unwrap()).collect();
        assert_eq!(ids.len(), 2, "{d}");

        // Over the API: a future day and a day before the visit are refused, naming the field.
        let done = format!("/api/v1/visit-followups/{}/done", ids[0]);
        let (status, err) = shuji.send_json(Method::POST, &done, json!({"done_on": "2026-12-01"})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("done_on")), "{err}");
        assert!(err["message"].as_str().unwrap().contains("不能晚于今天"), "{err}");
        let (status, err) = shuji.send_json(Method::POST, &done, json!({"done_on": "2026-11-19"})).await;
        assert_eq!(status, 422);
        assert!(err["message"].as_str().unwrap().contains("不能早于走访日期 2026-11-20"), "{err}");
        let (status, d) = shuji.send_json(Method::POST, &done, json!({})).await;
        assert_eq!(status, 200, "{d}");
        assert_eq!(d["follow_ups"][0]["done_on"], "2026-11-27", "no date given: today");
        assert!(d["follow_ups"][1]["done_on"].is_null());
        assert_eq!(open_follow_ups(&zzb, 10).await, open_before - 1);
        let (status, err) = shuji.send_json(Method::POST, &done, json!({})).await;
        assert_eq!(status, 409, "{err}");

        // On the visit page: the open one offers the action; done, it shows its day.
        let page = shuji.get(&format!("/visits/{visit_id}")).await.text().await.unwrap();
        assert_eq!(page.matches("标记完成").count(), 1, "{page}");
        let visit_text = visit_id.to_string();
        let res = shuji
            .post_form(
                &format!("/visits/followups/{}/done", ids[1]),
                &[("done_on", "2026-11-21"), ("visit", &visit_text)],
            )
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], format!("/visits/{visit_id}#follow-ups").as_str());
        let page = shuji.get(&format!("/visits/{visit_id}")).await.text().await.unwrap();
        assert!(page.contains("2026-11-21") && !page.contains("标记完成"), "{page}");
        assert_eq!(open_follow_ups(&zzb, 10).await, open_before - 2);

        // The person visited sees no action; another branch's secretary is refused with a 404 and
        // an audit row, in the API and on the page.
        let dangyuan = app.login("dangyuan").await;
        let own_page = dangyuan.get(&format!("/visits/{visit_id}")).await.text().await.unwrap();
        assert!(!own_page.contains("标记完成"));
        let other = secretary_of(&app, "shuji13", 13).await;
        assert_eq!(other.send_json(Method::POST, &done, json!({})).await.0, 404);
        let res = other.post_form(&format!("/visits/followups/{}/done", ids[1]), &[("visit", &visit_text)]).await;
        assert_eq!(res.status(), 404);
        let auditor = app.login("auditor").await;
        let (_, denied) = auditor.get_json("/api/v1/audit?who=shuji13&action=access.denied").await;
        assert_eq!(denied["total"], 2, "{denied}");
        let (_, writes) = auditor.get_json("/api/v1/audit?who=shuji&action=visit.followup_done").await;
        assert_eq!(writes["total"], 2, "{writes}");
        app
    })
    .await;
}

#[tokio::test]
async fn the_system_administrator_adds_renames_and_retires_the_bureaus_own_must_visit_situations() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let admin = app.login("admin").await;
        let new = json!({"label": "家属务工受伤", "deadline_days": 5});

        // Not the party office's: the dictionary is the system administrator's (DESIGN.md §2).
        assert_eq!(zzb.send_json(Method::POST, "/api/v1/visit-situations", new.clone()).await.0, 403);
        let (status, _) = zzb
            .send_json(Method::PUT, "/api/v1/visit-situations/1", json!({"label": "改名", "deadline_days": 3}))
            .await;
        assert_eq!(status, 403);
        assert!(!zzb.get("/visits/situations").await.text().await.unwrap().contains("新增情形"));

        let page = admin.get("/visits/situations").await.text().await.unwrap();
        assert!(page.contains("新增情形") && page.contains("直系亲属亡故"), "{page}");
        assert!(admin.get("/").await.text().await.unwrap().contains("href=\"/visits/situations\""));
        assert_eq!(admin.get("/visits").await.status(), 403, "the dictionary, not the people");
        let (status, s) = admin.send_json(Method::POST, "/api/v1/visit-situations", new.clone()).await;
        assert_eq!(status, 201, "{s}");
        let code = s["code"].as_str().unwrap().to_owned();
        assert!(code.starts_with("custom_") && s["active"] == true, "{s}");

        // Bad input: the same name again, no deadline, a deadline out of range.
        let (status, err) = admin.send_json(Method::POST, "/api/v1/visit-situations", new).await;
        assert_eq!(status, 422);
        assert!(err.to_string().contains("已有名为“家属务工受伤”的情形"), "{err}");
        let (status, err) =
            admin.send_json(Method::POST, "/api/v1/visit-situations", json!({"label": "其他诉求"})).await;
        assert_eq!(status, 422);
        assert!(err.to_string().contains("请填写走访期限天数"), "{err}");
        let res = admin.post_form("/visits/situations", &[("label", "其他诉求"), ("deadline_days", "120")]).await;
        assert_eq!(res.status(), 303);
        let (_, list) = admin.get_json("/api/v1/visit-situations").await;
        assert_eq!(list["total"], 11, "only the valid one was added: {list}");

        // The secretary raises it like any other: due in its own days.
        let shuji = app.login("shuji").await;
        let member = own_id(&app.login("dangyuan").await).await;
        let raise = json!({"person_id": member, "situation": code, "on": "2026-11-25"});
        let (status, t) = shuji.send_json(Method::POST, "/api/v1/visit-tasks", raise.clone()).await;
        assert_eq!(status, 201, "{t}");
        assert_eq!((t["situation_label"].as_str(), t["due_on"].as_str()), (Some("家属务工受伤"), Some("2026-11-30")));

        // Renamed and retired on the page: no longer raised; the task already raised stays.
        let id = s["id"].as_i64().unwrap();
        let res = admin
            .post_form(
                &format!("/visits/situations/{id}"),
                &[("label", "家属务工受伤（含辅警）"), ("deadline_days", "5")],
            )
            .await;
        assert_eq!(res.status(), 303);
        let (_, list) = admin.get_json("/api/v1/visit-situations").await;
        let saved = list["items"].as_array().unwrap().iter().find(|x| x["id"] == id).unwrap().clone();
        assert_eq!((saved["label"].as_str(), saved["active"].as_bool()), (Some("家属务工受伤（含辅警）"), Some(false)));
        let (status, err) = shuji.send_json(Method::POST, "/api/v1/visit-tasks", raise).await;
        assert_eq!((status, err["errors"][0]["field"].as_str()), (422, Some("situation")), "{err}");
        let (_, tasks) = shuji.get_json(&format!("/api/v1/visit-tasks?person={member}")).await;
        assert_eq!(tasks["total"], 1);

        let auditor = app.login("auditor").await;
        let (_, added) = auditor.get_json("/api/v1/audit?who=admin&action=visit.situation_add").await;
        assert_eq!(added["total"], 1, "{added}");
        let (_, changed) = auditor.get_json("/api/v1/audit?who=admin&action=visit.situation").await;
        assert_eq!(changed["total"], 1, "{changed}");
        app
    })
    .await;
}

#[tokio::test]
async fn campaigns_find_officers_under_sanction_and_families_of_officers_who_died_on_duty() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let jijian = app.login("jijian").await;
        let member = own_id(&app.login("dangyuan").await).await;
        let campaign = |rule: &str, org: i64| {
            json!({"name": format!("春节走访 {rule}"), "occasion": "春节", "starts_on": "2026-11-25",
                "ends_on": "2027-02-10", "org_id": org, "rule": rule})
        };
        let targets = |c: Value| {
            let zzb = &zzb;
            async move {
                let (status, d) = zzb.get_json(&format!("/api/v1/visit-campaigns/{}", c["id"])).await;
                assert_eq!(status, 200, "{d}");
                d["targets"].as_i64().unwrap()
            }
        };

        // Under sanction: who has a record in effect on the campaign's first day. A 记过 decided
        // the day after the campaign starts does not count; one decided before does.
        let (status, c) = zzb.send_json(Method::POST, "/api/v1/visit-campaigns", campaign("sanctioned", 10)).await;
        assert_eq!(status, 201, "{c}");
        let before = targets(c.clone()).await;
        let sanction = |on: &str| {
            json!({"person_id": member, "kind": "记过", "decided_on": on, "facts": "值班脱岗", "decided_by": "海滨市公安局"})
        };
        let (status, s) = jijian.send_json(Method::POST, "/api/v1/sanctions", sanction("2026-11-26")).await;
        assert_eq!(status, 201, "{s}");
        assert_eq!(targets(c.clone()).await, before);
        let (status, s) = jijian.send_json(Method::POST, "/api/v1/sanctions", sanction("2026-11-20")).await;
        assert_eq!(status, 201, "{s}");
        assert_eq!(targets(c.clone()).await, before + 1);

        // Died on duty: 因公牺牲 is an 在职状态 of its own (a death for every other rule).
        let (status, c) =
            zzb.send_json(Method::POST, "/api/v1/visit-campaigns", campaign("fallen_families", 10)).await;
        assert_eq!(status, 201, "{c}");
        assert_eq!(targets(c.clone()).await, 0, "the demo records nobody as 因公牺牲 in branch 10");
        let fallen = new_person(&zzb, "牺牲民警", "33020219800101303", "群众", 10).await;
        let (_, p) = zzb.get_json(&format!("/api/v1/persons/{fallen}")).await;
        let full_id = zzb.full_id(fallen).await;
        let update = json!({"name": "牺牲民警", "kind": "辅警", "id_number": full_id, "org_id": 10,
            "political_status": "群众", "employment_status": "因公牺牲", "status_since": "2026-08-01"});
        let (status, saved) = zzb.send_json(Method::PUT, &format!("/api/v1/persons/{fallen}"), update.clone()).await;
        assert_eq!(status, 200, "{saved} {p}");
        // 公安部政治部 names the families of 民警 who died on duty (domain.md §2.4): a 辅警 is not
        // one of them; the rule that takes in 辅警 as well counts him.
        assert_eq!(targets(c.clone()).await, 0, "fallen_families is 民警 only");
        let (status, all) =
            zzb.send_json(Method::POST, "/api/v1/visit-campaigns", campaign("fallen_families_all", 10)).await;
        assert_eq!(status, 201, "{all}");
        assert!(all["rule_label"].as_str().unwrap().contains("民辅警"), "{all}");
        assert!(c["rule_label"].as_str().unwrap().contains("民警家属"), "{c}");
        assert_eq!(targets(all.clone()).await, 1);
        let mut no_date = update;
        no_date["status_since"] = json!("");
        let (status, err) = zzb.send_json(Method::PUT, &format!("/api/v1/persons/{fallen}"), no_date).await;
        assert_eq!(status, 422, "leaving 在职 needs its date: {err}");

        // A joint visit brings 政工/纪检/工会 staff from outside the branch: within the campaign's
        // subtree they may be named as visitors; for an ordinary visit they may not.
        let root = root_of(&zzb, 10).await;
        let (status, joint) =
            zzb.send_json(Method::POST, "/api/v1/visit-campaigns", campaign("fallen_families", root)).await;
        assert_eq!(status, 201, "{joint}");
        let outside = new_person(&zzb, "工会干部", "33020219800101404", "群众", 13).await;
        let shuji = app.login("shuji").await;
        let me = own_id(&shuji).await;
        let ordinary = visit(fallen, &[me, outside], json!({"visited_on": "2026-11-26"}));
        let (status, err) = shuji.send_json(Method::POST, "/api/v1/visits", ordinary).await;
        assert_eq!(status, 422);
        assert!(err.to_string().contains(&format!("走访人（人员编号 {outside}）不存在或不在您的范围内")), "{err}");
        let picks = shuji.get("/visits/options?q=工会干部").await.text().await.unwrap();
        assert!(!picks.contains("工会干部"), "{picks}");
        let picks = shuji.get(&format!("/visits/options?q=工会干部&campaign_id={}", joint["id"])).await;
        let picks = picks.text().await.unwrap();
        assert!(picks.contains(&format!("工会干部（#{outside}）")), "{picks}");
        let body =
            visit(fallen, &[me, outside], json!({"kind": "联合访", "campaign_id": joint["id"], "visited_on": "2026-11-26"}));
        let (status, v) = shuji.send_json(Method::POST, "/api/v1/visits", body).await;
        assert_eq!(status, 201, "{v}");
        let (_, d) = shuji.get_json(&format!("/api/v1/visits/{}", v["id"])).await;
        assert_eq!(d["visitors"].as_array().unwrap().len(), 2, "{d}");
        assert!(d["visitors"].to_string().contains("工会干部"));
        app
    })
    .await;
}

/// The recording account must reach the campaign: a campaign over another branch's subtree
/// lends no visitors to a secretary who records nowhere in it.
#[tokio::test]
async fn a_campaign_elsewhere_lends_no_visitors() {
    on_all_backends(|app: TestApp| async move {
        let zzb = app.login("zzb").await;
        let body = json!({"name": "警察节走访", "occasion": "中国人民警察节", "starts_on": "2026-11-01",
            "ends_on": "2027-01-10", "org_id": 13, "rule": "all"});
        let (status, c) = zzb.send_json(Method::POST, "/api/v1/visit-campaigns", body).await;
        assert_eq!(status, 201, "{c}");
        let outside = new_person(&zzb, "纪检干部", "33020219800101505", "群众", 13).await;
        let shuji = app.login("shuji").await;
        let picks = shuji.get(&format!("/visits/options?q=纪检干部&campaign_id={}", c["id"])).await;
        assert!(!picks.text().await.unwrap().contains("纪检干部"));
        let me = own_id(&shuji).await;
        let member = own_id(&app.login("dangyuan").await).await;
        let body = visit(member, &[me, outside], json!({"kind": "联合访", "campaign_id": c["id"]}));
        let (status, err) = shuji.send_json(Method::POST, "/api/v1/visits", body).await;
        assert_eq!(status, 422, "{err}");
        let fields: Vec<&str> =
            err["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["visitor_ids", "campaign_id"], "{err}");
        app
    })
    .await;
}
