//! Issue 13: correcting a sanction record's typing errors (facts, deciding body, number, dates)
//! is not an appeal. Discipline staff in scope correct a standing record; the previous version is
//! kept and shown on the record's page; the influence period is recomputed from the corrected
//! dates (so `in_effect` follows, per domain.md §5.6: 记大过 18 months); the kind cannot be
//! "corrected" (that is a 变更 on appeal); out of scope is 404 with an `access.denied` row.

use reqwest::Method;
use serde_json::{Value, json};

use crate::party::account_of;
use crate::support::{Session, on_all_backends};

fn fields(err: &Value) -> Vec<String> {
    err["errors"].as_array().map_or_else(
        || vec![err["field"].as_str().unwrap_or_default().to_owned()],
        |a| a.iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect(),
    )
}

async fn correct(s: &Session, id: i64, body: Value) -> (u16, Value) {
    s.send_json(Method::POST, &format!("/api/v1/sanctions/{id}/correct"), body).await
}

#[tokio::test]
async fn a_typing_error_is_corrected_with_the_previous_version_kept_and_the_period_recomputed() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let jijian = app.login("jijian").await;
        let (_, people) = zzb.get_json("/api/v1/persons?org=10&kind=民警&page_size=10").await;
        let p = people["items"][6]["id"].as_i64().unwrap();
        // Typed 2025-03-01 instead of 2025-06-01: 18 months end 2026-09-01, so not in effect on 2026-11-27.
        let (status, saved) = jijian
            .send_json(Method::POST, "/api/v1/sanctions", json!({"person_id": p, "kind": "记大过",
                "decided_on": "2025-03-01", "facts": "违规饮酒", "decided_by": "海滨市公安局", "doc_no": "海公纪〔2025〕3号"}))
            .await;
        assert_eq!(status, 201, "{saved}");
        let id = saved["sanction"]["id"].as_i64().unwrap();
        assert_eq!((saved["sanction"]["influence_until"].as_str(), saved["sanction"]["in_effect"].as_bool()), (Some("2026-09-01"), Some(false)));

        // Bad input: nothing saved, every problem named.
        let (status, err) = correct(&jijian, id, json!({"decided_on": "2025-06-01", "effective_on": "2025-05-01", "reason": ""})).await;
        assert_eq!(status, 422, "{err}");
        let f = fields(&err);
        assert!(f.contains(&"effective_on".to_owned()) && f.contains(&"reason".to_owned()), "{err}");
        let (status, err) = correct(&jijian, id, json!({"doc_no": "海公纪〔2025〕3号", "reason": "核对"})).await;
        assert_eq!((status, fields(&err)), (422, vec!["reason".to_owned()]), "nothing to correct: {err}");
        let (status, err) =
            correct(&jijian, id, json!({"decided_on": "2026-12-01", "effective_on": "2026-12-01", "reason": "x"})).await;
        assert_eq!((status, fields(&err)), (422, vec!["decided_on".to_owned()]), "not in the future: {err}");
        // Out of scope: 404 and audited; the system officers have no access at all.
        let narrow = account_of(&app, "jijian13", "discipline", 13).await;
        assert_eq!(correct(&narrow, id, json!({"doc_no": "x", "reason": "x"})).await.0, 404);
        assert_eq!(correct(&app.login("admin").await, id, json!({"doc_no": "x", "reason": "x"})).await.0, 403);
        let (_, unchanged) = jijian.get_json(&format!("/api/v1/sanctions/{id}")).await;
        assert_eq!((unchanged["decided_on"].as_str(), unchanged["corrections"].as_array().map(Vec::len)), (Some("2025-03-01"), Some(0)));

        let reason = "决定日期、生效日期和文号录入错误，以处分决定书原件为准";
        let (status, got) = correct(&jijian, id, json!({"decided_on": "2025-06-01", "effective_on": "2025-06-01",
            "doc_no": "海公纪〔2025〕13号", "reason": reason})).await;
        assert_eq!(status, 200, "{got}");
        let s = &got["sanction"];
        assert_eq!((s["kind"].as_str(), s["decided_on"].as_str(), s["doc_no"].as_str()), (Some("记大过"), Some("2025-06-01"), Some("海公纪〔2025〕13号")));
        assert_eq!((s["influence_until"].as_str(), s["in_effect"].as_bool()), (Some("2026-12-01"), Some(true)), "recomputed: {s}");
        assert_eq!(s["facts"], "违规饮酒", "an omitted field keeps its value");
        let old = &s["corrections"][0];
        assert_eq!((old["decided_on"].as_str(), old["doc_no"].as_str(), old["influence_until"].as_str()), (Some("2025-03-01"), Some("海公纪〔2025〕3号"), Some("2026-09-01")), "{s}");
        assert_eq!((old["reason"].as_str(), old["corrected_by"].as_str().is_some()), (Some(reason), true));
        // The one query other domains use sees the corrected period.
        let today = app.state.clock.today();
        let pid = i32::try_from(p).unwrap();
        let effects = dangjian::discipline::store::in_effect(&app.state.db, &[pid], today).await.unwrap();
        let ids: Vec<i32> = effects.get(&pid).map(|v| v.iter().map(|e| e.sanction_id).collect()).unwrap_or_default();
        assert!(ids.contains(&i32::try_from(id).unwrap()), "in effect after the correction: {ids:?}");

        // The record's page shows the history, and the correction apart from the appeal.
        let html = jijian.get(&format!("/discipline/{id}")).await.text().await.unwrap();
        assert!(html.contains("更正记录") && html.contains("海公纪〔2025〕3号") && html.contains(reason), "history on the page");
        assert!(html.contains("更正笔误") && html.contains("申诉复查：撤销或变更") && html.contains("不是法律行为"));
        // The web form: every field comes filled; an unchanged form with a reason is refused as no change.
        let res = jijian.post_form(&format!("/discipline/{id}/correct"), &[("facts", "违规饮酒"), ("decided_by", "海滨市公安局"),
            ("doc_no", "海公纪〔2025〕13号"), ("decided_on", "2025-06-01"), ("effective_on", "2025-06-01"), ("reason", "再核")]).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("没有需要更正的内容"));

        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?action=sanction.correct").await;
        assert_eq!(log["items"][0]["object"], format!("sanction#{id}"), "{log}");
        assert!(log.to_string().contains("海公纪〔2025〕3号"), "before and after in the entry: {log}");
        let (_, denied) = auditor.get_json("/api/v1/audit?action=access.denied&who=jijian13").await;
        assert!(denied.to_string().contains(&format!("sanction#{id}")), "{denied}");

        // A revoked record is closed by a legal act: no correction.
        let (status, _) = jijian.send_json(Method::POST, &format!("/api/v1/sanctions/{id}/appeal"),
            json!({"action": "撤销", "date": "2026-11-20", "reason": "复查认定事实不清", "decided_by": "海滨市公安局纪委"})).await;
        assert_eq!(status, 200);
        assert_eq!(correct(&jijian, id, json!({"doc_no": "x", "reason": "x"})).await.0, 409);
        app
    })
    .await;
}
