//! Issue 14 item 5, the gaps: a risk flag in a category that proposes exit cases (躺平摆烂; a
//! 排查 finding of 受党纪政务重处分) proposes one — with the flag as its source, never twice for
//! the same flag, changing nothing about the person — while an ordinary flag proposes none; a
//! statutory bar lifted with its date no longer blocks a dismissal; a 辅警's executed exit reads as
//! what it was in the roster; the deadlines are those domain.md §6.2 sources for 辞退 only.

use reqwest::Method;
use serde_json::{Value, json};

use crate::party::account_of;
use crate::support::{Session, TestApp, on_all_backends};

/// People of `org` matching `query` (and of `gender`, when given) who have no exit case yet.
async fn free_people(zzb: &Session, jijian: &Session, org: i32, query: &str) -> Vec<i64> {
    free_of(zzb, jijian, org, query, None).await
}

async fn free_of(zzb: &Session, jijian: &Session, org: i32, query: &str, gender: Option<&str>) -> Vec<i64> {
    let (_, list) = zzb.get_json(&format!("/api/v1/persons?org={org}&{query}&page_size=50")).await;
    let mut out = Vec::new();
    for p in list["items"].as_array().unwrap() {
        if gender.is_some_and(|g| p["gender"] != g) {
            continue;
        }
        let id = p["id"].as_i64().unwrap();
        let (_, cases) = jijian.get_json(&format!("/api/v1/exit-cases?person_id={id}")).await;
        if cases["total"] == 0 {
            out.push(id);
        }
    }
    out
}

async fn category(s: &Session, code: &str) -> i64 {
    let (_, list) = s.get_json("/api/v1/risk-categories").await;
    list["items"].as_array().unwrap().iter().find(|c| c["code"] == code).unwrap()["id"].as_i64().unwrap()
}

async fn flag(s: &Session, person: i64, category: i64, source: &str) -> i64 {
    let body = json!({"person_id": person, "category_id": category, "facts": "工作长期拖延，经提醒仍无改进",
        "source": source, "cadre": "王书记", "level": "橙"});
    let (status, f) = s.send_json(Method::POST, "/api/v1/risk-flags", body).await;
    assert_eq!(status, 201, "{f}");
    f["id"].as_i64().unwrap()
}

async fn cases_of(s: &Session, person: i64) -> Value {
    s.get_json(&format!("/api/v1/exit-cases?person_id={person}")).await.1
}

async fn step(s: &Session, id: i64, body: Value) -> (u16, Value) {
    s.send_json(Method::POST, &format!("/api/v1/exit-cases/{id}/steps"), body).await
}

fn field(err: &Value) -> String {
    err["errors"][0]["field"].as_str().or(err["field"].as_str()).unwrap_or_default().to_owned()
}

async fn roster(app: &TestApp, id: i64) -> String {
    dangjian::people::store::find(&app.state.db, i32::try_from(id).unwrap()).await.unwrap().unwrap().employment_status
}

#[tokio::test]
async fn an_inaction_flag_proposes_an_exit_case_once_and_an_ordinary_flag_none() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let jijian = app.login("jijian").await;
        let free = free_people(&zzb, &jijian, 10, "kind=民警").await;
        let (lazy, ordinary, heavy) = (free[0], free[1], free[2]);
        let (c07, c08, c01) =
            (category(&jijian, "c07").await, category(&jijian, "c08").await, category(&jijian, "c01").await);
        let (_, cats) = jijian.get_json("/api/v1/risk-categories").await;
        let ground = |code: &str| {
            cats["items"].as_array().unwrap().iter().find(|c| c["code"] == code).unwrap()["exit_ground"].clone()
        };
        assert_eq!((ground("c07"), ground("c01"), ground("c08")), (json!("躺平摆烂"), json!("排查发现"), Value::Null));

        // A 躺平摆烂 flag (whatever its source): a proposal with the flag as its source, nothing more.
        let f = flag(&jijian, lazy, c07, "本人报告").await;
        let list = cases_of(&jijian, lazy).await;
        assert_eq!(list["total"], 1, "{list}");
        let (row, id) = (&list["items"][0], list["items"][0]["id"].as_i64().unwrap());
        assert_eq!((row["status"].as_str(), row["source_kind"].as_str()), (Some("拟议"), Some("躺平摆烂")));
        let (_, case) = jijian.get_json(&format!("/api/v1/exit-cases/{id}")).await;
        assert_eq!(case["source_ref"].as_i64(), Some(f), "{case}");
        assert!(case["grounds"].as_str().unwrap().contains(&format!("风险提示 #{f}")), "{case}");
        let html = jijian.get(&format!("/exits/{id}")).await.text().await.unwrap();
        assert!(
            html.contains(&format!("<a href=\"/risk/flags/{f}\">风险提示 #{f}</a>")),
            "the source is shown and linked"
        );
        assert_eq!(roster(&app, lazy).await, "在职", "a proposal changes nothing for the person");
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?action=risk.flag_create&page_size=5").await;
        assert!(
            log.to_string().contains(&format!("拟议出口案件 #{id}")),
            "the flag's audit entry says what followed: {log}"
        );

        // An ordinary flag, even from a 排查: no case.
        flag(&jijian, ordinary, c08, "排查").await;
        assert_eq!(cases_of(&jijian, ordinary).await["total"], 0);
        // A 受党纪政务重处分 flag from a complaint: none; escalated, it proposes one (排查发现).
        let g = flag(&jijian, heavy, c01, "投诉").await;
        assert_eq!(cases_of(&jijian, heavy).await["total"], 0, "not a screening finding");
        let (status, got) = jijian
            .send_json(
                Method::POST,
                &format!("/api/v1/risk-flags/{g}/steps"),
                json!({"status": "已升级", "closure": "移交纪检监察室"}),
            )
            .await;
        assert_eq!(status, 200, "{got}");
        let list = cases_of(&jijian, heavy).await;
        assert_eq!(
            (list["total"].as_u64(), list["items"][0]["source_kind"].as_str()),
            (Some(1), Some("排查发现")),
            "{list}"
        );

        // Declined, the first proposal stays the only one for its flag: escalating the flag adds none.
        let (status, _) = step(&jijian, id, json!({"action": "不予立案", "note": "已谈话提醒，表现好转"})).await;
        assert_eq!(status, 200);
        let (status, _) = jijian
            .send_json(
                Method::POST,
                &format!("/api/v1/risk-flags/{f}/steps"),
                json!({"status": "已升级", "closure": "屡教不改"}),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(cases_of(&jijian, lazy).await["total"], 1, "never twice for the same flag");

        // The bureau decides which categories propose cases (data), and a wrong value is refused.
        let (status, err) = jijian
            .send_json(Method::PUT, &format!("/api/v1/risk-categories/{c08}"), json!({"exit_ground": "开除"}))
            .await;
        assert_eq!((status, field(&err)), (422, "exit_ground".to_owned()), "{err}");
        let (status, c) = jijian
            .send_json(Method::PUT, &format!("/api/v1/risk-categories/{c08}"), json!({"exit_ground": "躺平摆烂"}))
            .await;
        assert_eq!((status, c["exit_ground"].as_str()), (200, Some("躺平摆烂")), "{c}");
        flag(&jijian, free[3], c08, "家访").await;
        assert_eq!(cases_of(&jijian, free[3]).await["total"], 1, "the edited category now proposes");
        app
    })
    .await;
}

/// A case of `person` walked to 党委集体研究 with its 陈述申辩 on 2026-11-20.
async fn at_committee(jijian: &Session, person: i64) -> i64 {
    let (status, case) = jijian
        .send_json(
            Method::POST,
            "/api/v1/exit-cases",
            json!({"person_id": person, "grounds": "旷工累计超过 30 天",
            "opened_on": "2026-11-01"}),
        )
        .await;
    assert_eq!(status, 201, "{case}");
    let id = case["id"].as_i64().unwrap();
    assert_eq!(step(jijian, id, json!({"action": "告知", "findings": "旷工属实", "date": "2026-11-10"})).await.0, 200);
    assert_eq!(
        step(jijian, id, json!({"action": "陈述申辩", "statement": "无异议", "date": "2026-11-20"})).await.0,
        200
    );
    id
}

#[tokio::test]
async fn a_lifted_bar_no_longer_blocks_a_dismissal_and_deadlines_are_those_of_dismissal() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let jijian = app.login("jijian").await;
        let women = free_of(&zzb, &jijian, 10, "kind=民警", Some("女")).await;
        let men = free_of(&zzb, &jijian, 10, "kind=民警", Some("男")).await;
        let id = at_committee(&jijian, women[0]).await;
        // The 30 days of §6.2 (审批机关30日内决定) for a 民警's case waiting for its decision.
        let (_, case) = jijian.get_json(&format!("/api/v1/exit-cases/{id}")).await;
        assert_eq!(case["dismissal_decision_due"], "2026-12-20", "{case}");
        let home = jijian.get("/").await.text().await.unwrap();
        assert!(home.contains("审批机关应于 2026-12-20 前决定"), "the decision deadline is a to-do");

        let (status, got) = jijian
            .send_json(
                Method::POST,
                &format!("/api/v1/exit-cases/{id}/bars"),
                json!({"kind": "哺乳期", "note": "婴儿 2025-12-01 出生", "noted_on": "2026-11-12"}),
            )
            .await;
        assert_eq!((status, got["barred"].as_bool()), (200, Some(true)), "{got}");
        let bar = got["bars"][0]["id"].as_i64().unwrap();
        let decide = json!({"action": "党委集体研究", "date": "2026-11-25", "attendees": "党委委员 7 人",
            "decision": "予以辞退", "outcome": "辞退", "decided_by": "海滨市公安局党委"});
        let (status, err) = step(&jijian, id, decide.clone()).await;
        assert_eq!((status, field(&err)), (422, "override_reason".to_owned()), "{err}");

        // Lifting: the date may not precede the bar nor lie ahead; the ground is required; out of scope 404.
        let lift = format!("/api/v1/exit-cases/{id}/bars/{bar}/lift");
        let (status, err) =
            jijian.send_json(Method::POST, &lift, json!({"lifted_on": "2026-11-01", "note": "哺乳期满"})).await;
        assert_eq!((status, field(&err)), (422, "lifted_on".to_owned()), "{err}");
        let (status, err) =
            jijian.send_json(Method::POST, &lift, json!({"lifted_on": "2026-12-01", "note": "哺乳期满"})).await;
        assert_eq!((status, field(&err)), (422, "lifted_on".to_owned()), "not in the future: {err}");
        let (status, err) = jijian.send_json(Method::POST, &lift, json!({"lifted_on": "2026-11-24", "note": ""})).await;
        assert_eq!((status, field(&err)), (422, "note".to_owned()), "{err}");
        let narrow = account_of(&app, "jijian13", "discipline", 13).await;
        assert_eq!(narrow.send_json(Method::POST, &lift, json!({"lifted_on": "2026-11-24", "note": "x"})).await.0, 404);
        let (_, case) = jijian.get_json(&format!("/api/v1/exit-cases/{id}")).await;
        assert!(case["barred"].as_bool().unwrap() && case["bars"][0]["lifted_on"].is_null(), "nothing saved: {case}");

        let (status, got) = jijian
            .send_json(
                Method::POST,
                &lift,
                json!({"lifted_on": "2026-11-24", "note": "另查明婴儿实为 2025-11-20 出生，哺乳期已满"}),
            )
            .await;
        assert_eq!(
            (status, got["barred"].as_bool(), got["bars"][0]["lifted_on"].as_str()),
            (200, Some(false), Some("2026-11-24")),
            "{got}"
        );
        let steps: Vec<&str> = got["steps"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
        assert!(steps.contains(&"法定情形解除"), "{steps:?}");
        assert_eq!(
            jijian.send_json(Method::POST, &lift, json!({"lifted_on": "2026-11-24", "note": "再次"})).await.0,
            409
        );
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?action=exit_case.bar_lift").await;
        assert_eq!(log["items"][0]["object"], format!("exit_case#{id}"), "{log}");
        let (_, denied) = auditor.get_json("/api/v1/audit?action=access.denied&who=jijian13").await;
        assert!(denied.to_string().contains(&format!("exit_case#{id}")), "{denied}");

        // Unblocked: 辞退 without an override; its 交接 deadline is 15 days (§6.2), no 30-day one any more.
        let (status, got) = step(&jijian, id, decide).await;
        assert_eq!(status, 200, "{got}");
        assert_eq!(
            (got["handover_due"].as_str(), got["override_reason"].as_str()),
            (Some("2026-12-10"), None),
            "{got}"
        );
        assert!(got["dismissal_decision_due"].is_null());

        // Other outcomes get no invented deadline.
        let other = at_committee(&jijian, men[0]).await;
        let (status, got) = step(
            &jijian,
            other,
            json!({"action": "党委集体研究", "date": "2026-11-25", "attendees": "党委委员 7 人",
            "decision": "交流到其他岗位", "outcome": "交流", "decided_by": "海滨市公安局党委"}),
        )
        .await;
        assert_eq!((status, got["handover_due"].clone()), (200, Value::Null), "{got}");
        app
    })
    .await;
}

#[tokio::test]
async fn an_auxiliary_s_executed_exit_reads_as_what_it_was_in_the_roster() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let jijian = app.login("jijian").await;
        let aux = free_people(&zzb, &jijian, 10, "kind=辅警").await;
        let mut ended = Vec::new();
        for (who, outcome) in [(aux[0], "解除劳动合同"), (aux[1], "退回派遣")] {
            let id = at_committee(&jijian, who).await;
            let (_, case) = jijian.get_json(&format!("/api/v1/exit-cases/{id}")).await;
            assert!(case["dismissal_decision_due"].is_null(), "辞退 is no 辅警 outcome: {case}");
            let (status, got) = step(
                &jijian,
                id,
                json!({"action": "党委集体研究", "date": "2026-11-25", "attendees": "党委委员 7 人",
                "decision": "不适宜继续从事警务辅助工作", "outcome": outcome, "decided_by": "海滨市公安局党委"}),
            )
            .await;
            assert_eq!(status, 200, "{got}");
            let (status, _) =
                step(&jijian, id, json!({"action": "执行", "date": "2026-11-26", "note": "已交接装备"})).await;
            assert_eq!(status, 200);
            ended.push(roster(&app, who).await);
        }
        assert_eq!(ended, ["解除劳动合同", "退回派遣"], "not 离职 (a resignation) nor a 民警's 辞退");
        let (_, p) = zzb.get_json(&format!("/api/v1/persons/{}", aux[0])).await;
        assert_eq!(p["employment_status"], "解除劳动合同", "{p}");
        app
    })
    .await;
}
