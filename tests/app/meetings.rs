//! 组织生活: a secretary records a 支委会 with attendance and submits; the sub-bureau's party
//! admin returns it with an opinion; the secretary answers and resubmits; it is approved and the
//! compliance table changes. The rules as §4.1–4.2 state them (quorum of a 党员大会, the third of
//! 优秀), attendance only for members on the day, copied minutes flagged, versions kept, and the
//! refusals: out of scope 404 (audited), wrong role 403, bad input named field by field.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Session, TestApp, on_all_backends};

const MINUTES: &str = "会议传达学习了市局党委关于开展从警初心大讨论的通知精神，支部书记结合派出所实际，\
    就如何做好社区警务、化解邻里纠纷提出了具体要求，与会委员逐一发言，查找了服务群众方面的差距，\
    研究确定了下月主题党日的内容和分工。";

/// The demo's party admin of the sub-bureau (`fenju`, organization 6, above branch 10 and 13).
async fn sub_bureau_admin(app: &TestApp) -> Session {
    app.login("fenju").await
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array().unwrap().iter().map(|e| e["person_id"].as_i64().unwrap()).collect()
}

fn attendance(people: &[i64], status: &str) -> Vec<Value> {
    people.iter().map(|p| json!({"person_id": p, "status": status})).collect()
}

async fn committee_cell(s: &Session) -> Value {
    let (status, c) = s.get_json("/api/v1/meetings/compliance?org=10&period=2026-Q4").await;
    assert_eq!(status, 200, "{c}");
    c["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["type"] == "committee" && u["unit_code"] == "2026-11")
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_committee_meeting_is_recorded_returned_answered_approved_and_counted() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let fenju = sub_bureau_admin(&app).await;
        let zzb = app.login("zzb").await;
        // Two more committee members, so the 支委会 has three.
        let (_, members) = shuji.get_json("/api/v1/meetings/expected?org=10&type=party_day&date=2026-11-20").await;
        let full: Vec<i64> = members
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["member_kind"] == "正式党员")
            .map(|m| m["person_id"].as_i64().unwrap())
            .collect();
        assert!(full.len() >= 4, "{members}");
        for (p, post) in [(full[2], "组织委员"), (full[3], "宣传委员")] {
            let (status, body) =
                zzb.send_json(Method::POST, "/api/v1/orgs/10/committee", json!({"person_id": p, "post": post})).await;
            assert!(status == 200 || status == 201, "{body}");
        }
        let (status, expected) =
            shuji.get_json("/api/v1/meetings/expected?org=10&type=committee&date=2026-11-20").await;
        assert_eq!(status, 200, "{expected}");
        let committee = ids(&expected);
        assert_eq!(committee.len(), 3, "the committee as it stands: {expected}");
        assert_eq!(expected[0]["post"], "书记");

        let before = committee_cell(&shuji).await;
        let records_before = shuji.get_json("/api/v1/meetings?org=10").await.1["total"].clone();
        assert_eq!((before["held"].as_i64(), before["state"].as_str()), (Some(0), Some("未到期")));

        // Bad input, all at once, nothing saved: held in the future, no topic, someone of another branch.
        let (_, others) = zzb.get_json("/api/v1/persons?org=13&page_size=1").await;
        let outsider = others["items"][0]["id"].as_i64().unwrap();
        let (status, err) = shuji
            .send_json(
                Method::POST,
                "/api/v1/meetings",
                json!({
                    "org_id": 10, "type": "committee", "held_on": "2026-12-20", "topic": "",
                    "attendance": [{"person_id": outsider, "status": "出席"}]
                }),
            )
            .await;
        assert_eq!(status, 422, "{err}");
        let fields: Vec<&str> =
            err["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["held_on", "topic", "attendance"], "{err}");
        assert!(err["errors"][2]["message"].as_str().unwrap().contains("不是"), "{err}");
        let (status, err) = shuji
            .send_json(
                Method::POST,
                "/api/v1/meetings",
                json!({
                    "org_id": 10, "type": "committee", "held_on": "2026-11-20", "topic": "研究工作",
                    "attendance": [{"person_id": committee[1], "status": "请假"}]
                }),
            )
            .await;
        assert_eq!(status, 422);
        assert!(err["errors"][0]["message"].as_str().unwrap().contains("请假原因"), "{err}");
        assert_eq!(shuji.get_json("/api/v1/meetings?org=10").await.1["total"], records_before, "nothing half-saved");

        // The record: the committee present, one remotely on duty, one excused; a guest.
        let mut att = vec![json!({"person_id": committee[0], "status": "出席"})];
        att.push(json!({"person_id": committee[1], "status": "远程"}));
        att.push(json!({"person_id": committee[2], "status": "请假", "reason": "外出培训"}));
        att.push(json!({"name": "社区民警李四", "status": "出席"}));
        let (status, m) = shuji
            .send_json(Method::POST, "/api/v1/meetings", json!({
                "org_id": 10, "type": "committee", "held_on": "2026-11-20", "starts_at": "14:30", "place": "三楼会议室",
                "topic": "研究下月主题党日安排", "presenter": "书记", "recorder": "组织委员", "attendance": att
            }))
            .await;
        assert_eq!(status, 201, "{m}");
        let id = m["id"].as_i64().unwrap();
        assert_eq!((m["status"].as_str(), m["quorum"]["met"].as_bool()), (Some("草稿"), Some(true)));
        assert_eq!(m["quorum"]["present"], 2);
        assert!(m["warnings"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("会议记录")), "{m}");
        let guest = m["attendance"].as_array().unwrap().iter().find(|a| a["name"] == "社区民警李四").unwrap();
        assert_eq!((guest["member_kind"].as_str(), guest["voting"].as_bool()), (Some("非党员"), Some(false)));

        // No minutes: the submission is refused, naming the field.
        let submit = format!("/api/v1/meetings/{id}/submit");
        let (status, err) = shuji.send_json(Method::POST, &submit, json!({})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("minutes")), "{err}");
        let mut body = json!({"type": "committee", "held_on": "2026-11-20", "starts_at": "14:30", "place": "三楼会议室",
            "topic": "研究下月主题党日安排", "minutes": MINUTES, "attendance": m["attendance"].clone()});
        body["attendance"].as_array_mut().unwrap().retain(|a| a["status"] != "未登记");
        let (status, saved) = shuji.send_json(Method::PUT, &format!("/api/v1/meetings/{id}"), body.clone()).await;
        assert_eq!((status, saved["id"].as_i64()), (200, Some(id)), "{saved}");
        let (status, sent) = shuji.send_json(Method::POST, &submit, json!({})).await;
        assert_eq!((status, sent["status"].as_str()), (200, Some("已提交")), "{sent}");

        // The branch cannot review itself; the sub-bureau returns it with an opinion.
        let review = format!("/api/v1/meetings/{id}/review");
        let (status, err) = shuji.send_json(Method::POST, &review, json!({"decision": "approve"})).await;
        assert_eq!(status, 403, "{err}");
        assert!(err["message"].as_str().unwrap().contains("上级党组织"), "{err}");
        let (status, err) = fenju.send_json(Method::POST, &review, json!({"decision": "return"})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("opinion")));
        let (status, back) = fenju
            .send_json(Method::POST, &review, json!({"decision": "return", "opinion": "请写明主题党日的具体分工"}))
            .await;
        assert_eq!((status, back["status"].as_str()), (200, Some("已退回")), "{back}");
        let home = shuji.get("/").await.text().await.unwrap();
        assert!(home.contains("请写明主题党日的具体分工"), "the opinion is on the secretary's home page");
        assert_eq!(committee_cell(&shuji).await["held"], 0, "a returned record counts for nothing");

        // Corrected and resubmitted with an answer; approved.
        body["decisions"] = json!("组织委员负责主题党日签到以外的组织工作，宣传委员负责学习材料。");
        let (status, _) = shuji.send_json(Method::PUT, &format!("/api/v1/meetings/{id}"), body.clone()).await;
        assert_eq!(status, 200);
        let (status, sent) = shuji.send_json(Method::POST, &submit, json!({"answer": "已补充分工"})).await;
        assert_eq!((status, sent["answer"].as_str()), (200, Some("已补充分工")));
        let (status, ok) = fenju.send_json(Method::POST, &review, json!({"decision": "approve"})).await;
        assert_eq!(
            (status, ok["status"].as_str(), ok["review_org"].as_str()),
            (200, Some("已通过"), Some("中共东港分局委员会")),
            "{ok}"
        );
        let after = committee_cell(&shuji).await;
        assert_eq!((after["held"].as_i64(), after["state"].as_str()), (Some(1), Some("已开")));
        let (_, table) = fenju.get_json("/api/v1/meetings/compliance?org=6&period=2026-Q4").await;
        let row = table["rows"].as_array().unwrap().iter().find(|r| r["org_id"] == 10).unwrap();
        let col = table["rules"].as_array().unwrap().iter().position(|r| r["code"] == "committee").unwrap();
        assert_eq!((row["cells"][col]["due"].as_i64(), row["cells"][col]["held"].as_i64()), (Some(3), Some(1)));
        assert_eq!(row["cells"][col]["missing"], 1, "October ended without one: {row}");

        // A change after approval is a new version; the approved one counts until the new is approved.
        body["place"] = json!("派出所会议室");
        let (status, v2) = shuji.send_json(Method::PUT, &format!("/api/v1/meetings/{id}"), body.clone()).await;
        assert_eq!(status, 200, "{v2}");
        let v2id = v2["id"].as_i64().unwrap();
        assert_ne!(v2id, id);
        assert_eq!(
            (v2["version"].as_i64(), v2["supersedes"].as_i64(), v2["status"].as_str()),
            (Some(2), Some(id), Some("草稿"))
        );
        assert_eq!(committee_cell(&shuji).await["held"], 1);
        shuji.send_json(Method::POST, &format!("/api/v1/meetings/{v2id}/submit"), json!({})).await;
        let (_, v2) = shuji.get_json(&format!("/api/v1/meetings/{v2id}")).await;
        assert_eq!(v2["similar_to"], Value::Null, "its own earlier version is not a copy");
        fenju.send_json(Method::POST, &format!("/api/v1/meetings/{v2id}/review"), json!({"decision": "approve"})).await;
        let (_, old) = shuji.get_json(&format!("/api/v1/meetings/{id}")).await;
        assert_eq!(
            (old["status"].as_str(), old["replaced_by"].as_i64(), old["place"].as_str()),
            (Some("已替代"), Some(v2id), Some("三楼会议室"))
        );
        assert_eq!(committee_cell(&shuji).await["held"], 1, "one meeting, not two");
        let compare = shuji.get(&format!("/meetings/{v2id}/compare")).await.text().await.unwrap();
        assert!(compare.contains("三楼会议室") && compare.contains("派出所会议室"), "both versions side by side");

        // Another branch copies the minutes: flagged to the reviewer, not refused.
        let (_, theirs) = zzb.get_json("/api/v1/meetings/expected?org=13&type=party_day&date=2026-11-21").await;
        let (status, copy) = zzb
            .send_json(
                Method::POST,
                "/api/v1/meetings",
                json!({
                    "org_id": 13, "type": "party_day", "held_on": "2026-11-21", "topic": "主题党日",
                    "minutes": MINUTES.replace("委员", "党员"), "attendance": attendance(&ids(&theirs), "出席")
                }),
            )
            .await;
        assert_eq!(status, 201, "{copy}");
        let copy_id = copy["id"].as_i64().unwrap();
        let (status, flagged) =
            zzb.send_json(Method::POST, &format!("/api/v1/meetings/{copy_id}/submit"), json!({})).await;
        assert_eq!(status, 200, "{flagged}");
        assert!(flagged["similar_to"] == id || flagged["similar_to"] == v2id, "{flagged}");
        assert!(flagged["similarity"].as_i64().unwrap() >= 85, "{flagged}");
        let page = fenju.get(&format!("/meetings/{copy_id}/compare")).await.text().await.unwrap();
        assert!(page.contains("<mark>"), "shared passages highlighted");

        // Out of scope: 404 in the API and the page, audited.
        assert_eq!(shuji.get_json(&format!("/api/v1/meetings/{copy_id}")).await.0, 404);
        assert_eq!(shuji.get(&format!("/meetings/{copy_id}")).await.status(), 404);
        assert_eq!(
            shuji.send_json(Method::POST, &format!("/api/v1/meetings/{copy_id}/submit"), json!({})).await.0,
            404
        );
        let auditor = app.login("auditor").await;
        let (_, denied) = auditor.get_json("/api/v1/audit?who=shuji&action=access.denied&page_size=50").await;
        assert!(
            denied["items"].as_array().unwrap().iter().any(|e| e["object"] == format!("meeting#{copy_id}")),
            "{denied}"
        );
        // A member has no access to the records list; the docx is a Word file.
        let dangyuan = app.login("dangyuan").await;
        assert_eq!(dangyuan.get_json("/api/v1/meetings").await.0, 403);
        let doc = shuji.get(&format!("/api/v1/meetings/{v2id}/docx")).await;
        assert_eq!(doc.status(), 200);
        assert!(doc.headers()["content-type"].to_str().unwrap().contains("wordprocessingml"));
        app
    })
    .await;
}

#[tokio::test]
async fn a_general_meeting_without_quorum_and_a_review_with_too_many_excellent() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let (_, expected) = shuji.get_json("/api/v1/meetings/expected?org=10&type=general&date=2026-11-10").await;
        let rows = expected.as_array().unwrap();
        let full: Vec<i64> =
            rows.iter().filter(|m| m["member_kind"] == "正式党员").map(|m| m["person_id"].as_i64().unwrap()).collect();
        let probationary: Vec<i64> =
            rows.iter().filter(|m| m["member_kind"] == "预备党员").map(|m| m["person_id"].as_i64().unwrap()).collect();
        // Exactly half of the full members present, every probationary member too: no quorum.
        let half = full.len() / 2;
        let mut att = attendance(&full[..half], "出席");
        att.extend(attendance(&full[half..], "缺席"));
        att.extend(attendance(&probationary, "出席"));
        let (status, m) = shuji
            .send_json(Method::POST, "/api/v1/meetings", json!({
                "org_id": 10, "type": "general", "held_on": "2026-11-10", "topic": "讨论发展党员", "minutes": MINUTES,
                "attendance": att
            }))
            .await;
        assert_eq!(status, 201, "{m}");
        assert_eq!(m["quorum"], json!({"expected": full.len(), "present": half, "met": false}));
        let page = shuji.get(&format!("/meetings/{}", m["id"])).await.text().await.unwrap();
        assert!(page.contains("未达到法定人数"), "shown as such");

        // 民主评议: more than a third 优秀 is refused with the reason, nothing saved.
        let members: Vec<i64> = full.iter().chain(&probationary).copied().collect();
        let too_many = members.len() / 3 + 1;
        let att: Vec<Value> = members
            .iter()
            .enumerate()
            .map(|(i, p)| json!({"person_id": p, "status": "出席", "grade": if i < too_many { "优秀" } else { "合格" }}))
            .collect();
        let review = json!({"org_id": 10, "type": "review", "held_on": "2026-11-12", "topic": "民主评议党员", "attendance": att});
        let (_, before) = shuji.get_json("/api/v1/meetings?org=10&type=review").await;
        let (status, err) = shuji.send_json(Method::POST, "/api/v1/meetings", review.clone()).await;
        assert_eq!(status, 422, "{err}");
        assert!(err["errors"][0]["message"].as_str().unwrap().contains("三分之一"), "{err}");
        let (_, list) = shuji.get_json("/api/v1/meetings?org=10&type=review").await;
        assert_eq!(list["total"], before["total"], "nothing saved");
        // One third is allowed; a 不合格 opens a follow-up once approved.
        let mut ok = review.clone();
        for (i, a) in ok["attendance"].as_array_mut().unwrap().iter_mut().enumerate() {
            a["grade"] = json!(if i < members.len() / 3 { "优秀" } else if i == members.len() - 1 { "不合格" } else { "合格" });
        }
        ok["minutes"] = json!("个人自评、党员互评、民主测评后，支委会结合日常表现提出评定意见，经党员大会确定等次。");
        let (status, r) = shuji.send_json(Method::POST, "/api/v1/meetings", ok).await;
        assert_eq!(status, 201, "{r}");
        let rid = r["id"].as_i64().unwrap();
        shuji.send_json(Method::POST, &format!("/api/v1/meetings/{rid}/submit"), json!({})).await;
        let zzb = app.login("zzb").await;
        let (status, _) = zzb.send_json(Method::POST, &format!("/api/v1/meetings/{rid}/review"), json!({"decision": "approve"})).await;
        assert_eq!(status, 200);
        let home = shuji.get("/").await.text().await.unwrap();
        assert!(home.contains("在民主评议中被评为不合格"), "follow-up for the branch");
        app
    })
    .await;
}
