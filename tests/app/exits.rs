//! 出口机制 (issue 14 item 5): a heavy sanction or an unfit appraisal proposes a case and nothing
//! else; the steps go in order and 陈述申辩 cannot be skipped; outcomes follow the kind of person;
//! a statutory bar blocks a dismissal until an override reason is written (audited); executing
//! 调离 ends the service in the roster with the date; access is need-to-know with every refusal
//! audited; statistics give leaders counts only.

use reqwest::Method;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};

use crate::support::{Session, TestApp, on_all_backends};

/// The first person of `org` matching `query`, skipping `skip`.
async fn person(zzb: &Session, org: i32, query: &str, skip: usize) -> i64 {
    let (_, list) = zzb.get_json(&format!("/api/v1/persons?org={org}&{query}&page_size=50")).await;
    list["items"].as_array().unwrap()[skip]["id"].as_i64().unwrap_or_else(|| panic!("no {query} in {org}: {list}"))
}

async fn step(s: &Session, id: i64, body: Value) -> (u16, Value) {
    s.send_json(Method::POST, &format!("/api/v1/exit-cases/{id}/steps"), body).await
}

async fn status_of(s: &Session, id: i64) -> String {
    s.get_json(&format!("/api/v1/exit-cases/{id}")).await.1["status"].as_str().unwrap().to_owned()
}

fn field(err: &Value) -> String {
    err["errors"][0]["field"].as_str().or(err["field"].as_str()).unwrap_or_default().to_owned()
}

async fn roster(app: &TestApp, id: i64) -> (String, Option<chrono::NaiveDate>) {
    let p = dangjian::people::store::find(&app.state.db, i32::try_from(id).unwrap()).await.unwrap().unwrap();
    (p.employment_status, p.status_since)
}

/// An account holding `role` over organization `org` only.
async fn account(app: &TestApp, username: &str, role: &str, org: i32) -> Session {
    use dangjian::auth::entity::{grant, user};
    let now = app.state.clock.now_db();
    let hash = dangjian::auth::password::hash(dangjian::demo::DEMO_PASSWORD).unwrap();
    let u = user::ActiveModel {
        username: Set(username.into()),
        display_name: Set(username.into()),
        password_hash: Set(hash),
        must_change_password: Set(false),
        password_by_owner: Set(true),
        disabled: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    grant::ActiveModel {
        user_id: Set(u.id),
        role: Set(role.into()),
        org_id: Set(org),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
    app.login(username).await
}

#[tokio::test]
async fn a_heavy_sanction_proposes_a_case_walked_to_transfer_out_which_ends_the_service() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let jijian = app.login("jijian").await;
        let p = person(&zzb, 10, "kind=民警&political_status=群众", 0).await;
        let light = person(&zzb, 10, "kind=民警", 5).await;

        // 记过 is a light sanction (§5.5): no proposal. 撤职 is heavy: a proposal, nothing more.
        let sanction = |who: i64, kind: &str| {
            json!({"person_id": who, "kind": kind, "decided_on": "2026-10-20", "facts": "违规查询公民个人信息",
                "decided_by": "海滨市公安局"})
        };
        let (status, _) = jijian.send_json(Method::POST, "/api/v1/sanctions", sanction(light, "记过")).await;
        assert_eq!(status, 201);
        let (_, none) = jijian.get_json(&format!("/api/v1/exit-cases?person_id={light}")).await;
        assert_eq!(none["total"], 0, "a light sanction proposes nothing: {none}");
        let (status, saved) = jijian.send_json(Method::POST, "/api/v1/sanctions", sanction(p, "撤职")).await;
        assert_eq!(status, 201, "{saved}");
        let sanction_id = saved["sanction"]["id"].as_i64().unwrap();
        let (_, list) = jijian.get_json(&format!("/api/v1/exit-cases?person_id={p}")).await;
        assert_eq!(list["total"], 1, "{list}");
        let row = &list["items"][0];
        assert_eq!((row["status"].as_str(), row["source_kind"].as_str()), (Some("拟议"), Some("处分")));
        let id = row["id"].as_i64().unwrap();
        let (_, case) = jijian.get_json(&format!("/api/v1/exit-cases/{id}")).await;
        assert_eq!(case["source_ref"].as_i64(), Some(sanction_id));
        assert_eq!(roster(&app, p).await.0, "在职", "a proposal changes nothing for the person");
        let home = jijian.get("/").await.text().await.unwrap();
        assert!(home.contains("拟议出口案件待研判"), "the proposal is on the home page");

        // Accepted, then investigated and the person told.
        assert_eq!(step(&jijian, id, json!({"action": "立案"})).await.0, 200);
        let (status, got) = step(
            &jijian,
            id,
            json!({"action": "告知", "findings": "多次违规查询公民个人信息属实",
            "date": "2026-11-27"}),
        )
        .await;
        assert_eq!((status, got["status"].as_str()), (200, Some("告知与陈述申辩")), "{got}");

        // 陈述申辩 cannot be skipped, nor recorded empty.
        let decide = json!({"action": "党委集体研究", "date": "2026-11-27", "attendees": "党委委员 7 人",
            "decision": "不适宜继续从事公安工作", "outcome": "调离公安队伍", "decided_by": "海滨市公安局党委"});
        let (status, err) = step(&jijian, id, decide.clone()).await;
        assert_eq!((status, field(&err)), (422, "statement".to_owned()), "{err}");
        assert!(err.to_string().contains("不能跳过"), "{err}");
        let (status, err) =
            step(&jijian, id, json!({"action": "陈述申辩", "statement": "  ", "date": "2026-11-27"})).await;
        assert_eq!((status, field(&err)), (422, "statement".to_owned()), "{err}");
        assert_eq!(status_of(&jijian, id).await, "告知与陈述申辩", "nothing saved");
        let (status, _) = step(
            &jijian,
            id,
            json!({"action": "陈述申辩", "statement": "本人承认错误，请求留用", "date": "2026-11-27"}),
        )
        .await;
        assert_eq!(status, 200);

        // An outcome of the wrong kind of person is refused, nothing saved.
        let mut wrong = decide.clone();
        wrong["outcome"] = json!("解除劳动合同");
        let (status, err) = step(&jijian, id, wrong).await;
        assert_eq!((status, field(&err)), (422, "outcome".to_owned()), "{err}");
        assert!(err.to_string().contains("不适用于民警"), "{err}");
        assert_eq!(status_of(&jijian, id).await, "党委集体研究");
        let (status, got) = step(&jijian, id, decide).await;
        assert_eq!(status, 200, "{got}");
        // domain.md §6.2 sources the 15-day 交接 for 辞退 only: none is invented for 调离.
        assert_eq!((got["status"].as_str(), got["handover_due"].as_str()), (Some("执行与交接"), None));
        let home = jijian.get("/").await.text().await.unwrap();
        assert!(
            home.contains("出口案件待执行与交接") && !home.contains("2026-12-12"),
            "the execution is a to-do, without a deadline"
        );

        // The decision notice.
        let res = jijian.get(&format!("/api/v1/exit-cases/{id}/docx")).await;
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().contains("wordprocessingml"));
        assert!(res.bytes().await.unwrap().starts_with(b"PK"), "a .docx is a zip");

        // Archiving before the execution is out of order.
        let (status, err) = step(&jijian, id, json!({"action": "归档", "date": "2026-11-27"})).await;
        assert_eq!(status, 409, "{err}");
        let (status, got) =
            step(&jijian, id, json!({"action": "执行", "date": "2026-11-27", "note": "已办理工作交接，调往市司法局"}))
                .await;
        assert_eq!((status, got["executed_on"].as_str()), (200, Some("2026-11-27")), "{got}");
        assert_eq!(
            roster(&app, p).await,
            ("调离".to_owned(), chrono::NaiveDate::from_ymd_opt(2026, 11, 27)),
            "the service ends in the roster with the date"
        );
        let (status, got) = step(&jijian, id, json!({"action": "归档", "date": "2026-11-27"})).await;
        assert_eq!((status, got["status"].as_str()), (200, Some("已归档")));
        let steps: Vec<&str> = got["steps"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
        assert_eq!(steps, ["拟议", "立案", "调查核实并告知", "陈述申辩", "党委集体研究", "执行与交接", "归档"]);
        let (status, _) = step(&jijian, id, json!({"action": "执行", "date": "2026-11-26", "note": "再次"})).await;
        assert_eq!(status, 409, "a closed case takes no more steps");
        app
    })
    .await;
}

#[tokio::test]
async fn a_statutory_bar_blocks_a_dismissal_until_an_override_reason_is_written() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let jijian = app.login("jijian").await;
        let aux = person(&zzb, 10, "kind=辅警", 0).await;
        let (status, case) = jijian
            .send_json(Method::POST, "/api/v1/exit-cases", json!({"person_id": aux, "source_kind": "躺平摆烂",
                "grounds": "长期消极怠工，经教育仍无转变", "opened_on": "2026-10-25"}))
            .await;
        assert_eq!((status, case["status"].as_str()), (201, Some("调查核实")), "{case}");
        let id = case["id"].as_i64().unwrap();
        // One open case per person.
        let (status, err) = jijian
            .send_json(Method::POST, "/api/v1/exit-cases", json!({"person_id": aux, "grounds": "再次"}))
            .await;
        assert_eq!((status, field(&err)), (422, "person_id".to_owned()), "{err}");
        step(&jijian, id, json!({"action": "告知", "findings": "旷工累计 9 天", "date": "2026-11-01"})).await;
        step(&jijian, id, json!({"action": "陈述申辩", "statement": "因病未能请假", "date": "2026-11-03"})).await;
        let (status, got) = jijian
            .send_json(Method::POST, &format!("/api/v1/exit-cases/{id}/bars"),
                json!({"kind": "医疗期内", "note": "2026-10-20 起病休，医疗期三个月"}))
            .await;
        assert_eq!((status, got["barred"].as_bool()), (200, Some(true)), "{got}");

        let decide = |outcome: &str, reason: &str| {
            json!({"action": "党委集体研究", "date": "2026-11-10", "attendees": "党委委员 5 人", "decision": "解除劳动合同",
                "outcome": outcome, "decided_by": "海滨市公安局党委", "override_reason": reason})
        };
        // 辞退 is a 民警 outcome; 解除劳动合同 is blocked by the bar without a reason.
        let (status, err) = step(&jijian, id, decide("辞退", "")).await;
        assert_eq!((status, field(&err)), (422, "outcome".to_owned()), "{err}");
        let (status, err) = step(&jijian, id, decide("解除劳动合同", "")).await;
        assert_eq!((status, field(&err)), (422, "override_reason".to_owned()), "{err}");
        assert!(err.to_string().contains("医疗期"), "{err}");
        assert_eq!(status_of(&jijian, id).await, "党委集体研究", "nothing saved");
        // A bar does not block an outcome that is no dismissal; a reason there is refused.
        let (status, err) = step(&jijian, id, decide("调岗", "无需")).await;
        assert_eq!((status, field(&err)), (422, "override_reason".to_owned()), "{err}");

        let reason = "经核实，医疗期证明系伪造，不属于法定情形";
        let (status, got) = step(&jijian, id, decide("解除劳动合同", reason)).await;
        assert_eq!((status, got["override_reason"].as_str()), (200, Some(reason)), "{got}");
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?action=exit_case.override").await;
        assert_eq!(log["items"][0]["object"], format!("exit_case#{id}"), "{log}");
        assert!(log.to_string().contains("医疗期证明系伪造"), "{log}");
        let (status, _) =
            step(&jijian, id, json!({"action": "执行", "date": "2026-11-21", "note": "已解除劳动合同并交接装备"})).await;
        assert_eq!(status, 200);
        assert_eq!(roster(&app, aux).await.0, "解除劳动合同", "the roster says what happened, not 离职");
        app
    })
    .await;
}

#[tokio::test]
async fn exit_cases_are_need_to_know_and_refusals_are_audited() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let jijian = app.login("jijian").await;
        let p = person(&zzb, 10, "kind=民警", 3).await;
        let (status, case) = jijian
            .send_json(
                Method::POST,
                "/api/v1/exit-cases",
                json!({"person_id": p, "grounds": "排查发现不适宜从事执法工作",
                "source_kind": "排查发现"}),
            )
            .await;
        assert_eq!(status, 201, "{case}");
        let id = case["id"].as_i64().unwrap();
        // The party office works it too; the read is audited.
        assert_eq!(zzb.get_json(&format!("/api/v1/exit-cases/{id}")).await.0, 200);
        assert_eq!(zzb.get(&format!("/exits/{id}")).await.status(), 200);

        for user in ["admin", "auditor", "lingdao", "shuji"] {
            let s = app.login(user).await;
            let (status, body) = s.get_json(&format!("/api/v1/exit-cases/{id}")).await;
            assert_eq!(status, 403, "{user}: {body}");
            assert_eq!(s.get_json("/api/v1/exit-cases").await.0, 403, "{user}");
        }
        // A discipline officer of another branch: 404 by id, in the API and the page, steps refused alike.
        let narrow = account(&app, "jijian13", "discipline", 13).await;
        assert_eq!(narrow.get_json(&format!("/api/v1/exit-cases/{id}")).await.0, 404);
        assert_eq!(narrow.get(&format!("/exits/{id}")).await.status(), 404);
        assert_eq!(step(&narrow, id, json!({"action": "告知", "findings": "x", "date": "2026-11-20"})).await.0, 404);
        assert_eq!(narrow.get(&format!("/api/v1/exit-cases/{id}/docx")).await.status(), 404);
        let (_, list) = narrow.get_json("/api/v1/exit-cases").await;
        assert!(list["items"].as_array().unwrap().iter().all(|c| c["id"] != json!(id)), "{list}");
        assert_eq!(status_of(&jijian, id).await, "调查核实", "the refused step saved nothing");

        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?action=access.denied&page_size=100").await;
        let seen = |who: &str| {
            log["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["actor"] == who && e["object"] == format!("exit_case#{id}"))
        };
        assert!(seen("admin") && seen("jijian13") && seen("shuji"), "{log}");
        let (_, reads) = auditor.get_json("/api/v1/audit?action=sensitive.read&who=zzb&page_size=50").await;
        assert!(reads["items"].as_array().unwrap().iter().any(|e| e["object"] == format!("exit_case#{id}")), "{reads}");

        // Leaders: counts, no names.
        let lingdao = app.login("lingdao").await;
        let (status, stats) = lingdao.get_json("/api/v1/exit-cases/stats").await;
        assert_eq!((status, stats["names"].as_bool()), (200, Some(false)), "{stats}");
        let investigating = stats["statuses"].as_array().unwrap().iter().find(|s| s["status"] == "调查核实").unwrap();
        assert!(investigating["count"].as_u64().unwrap() >= 1, "{stats}");
        let name = case["person_name"].as_str().unwrap();
        assert!(!stats.to_string().contains(name), "no names for leaders");
        let html = lingdao.get("/exits/stats").await.text().await.unwrap();
        assert!(!html.contains("/exits?org="), "no drill-down to names for leaders");
        let (_, mine) = jijian.get_json("/api/v1/exit-cases/stats").await;
        assert_eq!(mine["names"], true);
        let res = jijian.get("/exits/stats/export.xlsx").await;
        assert_eq!(res.status(), 200);
        let (_, exported) = auditor.get_json("/api/v1/audit?action=exit_case.export").await;
        assert_eq!(exported["items"][0]["actor"], "jijian", "{exported}");
        app
    })
    .await;
}

/// Records 不称职 for `year`, changing the year's grade when there is one.
async fn grade_unfit(zzb: &Session, p: i64, year: &str) {
    let (_, existing) = zzb.get_json(&format!("/api/v1/persons/{p}/appraisals")).await;
    let items = existing["items"].as_array().or(existing.as_array()).cloned().unwrap_or_default();
    let found = items.iter().find(|a| a["year"].to_string().trim_matches('"') == year).and_then(|a| a["id"].as_i64());
    let body = json!({"year": year, "grade": "不称职"});
    let (status, saved) = match found {
        Some(id) => zzb.send_json(Method::PUT, &format!("/api/v1/appraisals/{id}"), body).await,
        None => zzb.send_json(Method::POST, &format!("/api/v1/persons/{p}/appraisals"), body).await,
    };
    assert!(status == 200 || status == 201, "{status} {saved}");
}

#[tokio::test]
async fn an_unfit_appraisal_proposes_a_case_and_a_worker_gets_none() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let jijian = app.login("jijian").await;
        let p = person(&zzb, 10, "kind=民警", 4).await;
        // Recorded or changed to 不称职 (the demo may hold a grade for the year already): both propose.
        grade_unfit(&zzb, p, "2024").await;
        grade_unfit(&zzb, p, "2025").await;
        let (_, list) = jijian.get_json(&format!("/api/v1/exit-cases?person_id={p}")).await;
        assert_eq!(list["total"], 1, "one open case per person: {list}");
        let id = list["items"][0]["id"].as_i64().unwrap();
        let (_, case) = jijian.get_json(&format!("/api/v1/exit-cases/{id}")).await;
        assert_eq!(case["source_kind"], "考核不称职");
        // Declining a proposal closes it with the reason; nothing happens to the person.
        let (status, err) = step(&jijian, id, json!({"action": "不予立案"})).await;
        assert_eq!((status, field(&err)), (422, "note".to_owned()), "{err}");
        let (status, got) = step(&jijian, id, json!({"action": "不予立案", "note": "已调整岗位，继续观察"})).await;
        assert_eq!((status, got["status"].as_str()), (200, Some("不予立案")));
        // The third unfit year names the statutory ground of two consecutive years.
        grade_unfit(&zzb, p, "2026").await;
        let (_, list) = jijian.get_json(&format!("/api/v1/exit-cases?person_id={p}&status=拟议")).await;
        let id = list["items"][0]["id"].as_i64().unwrap();
        let (_, case) = jijian.get_json(&format!("/api/v1/exit-cases/{id}")).await;
        assert!(case["grounds"].as_str().unwrap().contains("连续两年不称职"), "{case}");

        // A 工勤 is no 民辅警: no case by hand either.
        let (_, workers) = zzb.get_json("/api/v1/persons?kind=工勤&page_size=1").await;
        if let Some(w) = workers["items"][0]["id"].as_i64() {
            let (status, err) =
                jijian.send_json(Method::POST, "/api/v1/exit-cases", json!({"person_id": w, "grounds": "x"})).await;
            assert_eq!((status, field(&err)), (422, "person_id".to_owned()), "{err}");
        }
        app
    })
    .await;
}
