//! 组织生活 rules as the bureau's data (issue 11 item 1): the party administrator of the whole
//! bureau edits a type's frequency, quorum and name in the browser or through
//! `PUT /api/v1/meetings/types/{id}`; the compliance table follows at once; the change is
//! audited; a sub-bureau's administrator and a secretary are refused; bad values are refused
//! field by field.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Session, on_all_backends};

/// Due units of `code` in the whole table of organization 10 for `period`.
async fn due(s: &Session, code: &str, period: &str) -> i64 {
    let (status, c) = s.get_json(&format!("/api/v1/meetings/compliance?org=10&period={period}")).await;
    assert_eq!(status, 200, "{c}");
    let col = c["rules"].as_array().unwrap().iter().position(|r| r["code"] == code).unwrap();
    c["total"]["cells"][col]["due"].as_i64().unwrap()
}

fn type_of(types: &Value, code: &str) -> Value {
    types.as_array().unwrap().iter().find(|t| t["code"] == code).unwrap().clone()
}

#[tokio::test]
async fn the_bureau_changes_the_committee_rule_to_quarterly_and_compliance_follows() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let fenju = app.login("fenju").await;
        let shuji = app.login("shuji").await;
        let (status, types) = zzb.get_json("/api/v1/meetings/types").await;
        assert_eq!(status, 200, "{types}");
        let committee = type_of(&types, "committee");
        // Seeded from §4.1: 支委会 一般每月1次.
        assert_eq!((committee["period"].as_str(), committee["times"].as_i64()), (Some("month"), Some(1)));
        let id = committee["id"].as_i64().unwrap();
        let path = format!("/api/v1/meetings/types/{id}");
        assert_eq!(due(&shuji, "committee", "2026-Q4").await, 3, "monthly: three months in a quarter");
        assert_eq!(due(&shuji, "committee", "2026").await, 12);

        // Bad values: every field named, in Chinese, nothing saved.
        let (status, err) = zzb
            .send_json(Method::PUT, &path, json!({"name": "", "period": "weekly", "times": 0, "quorum": "most"}))
            .await;
        assert_eq!(status, 422, "{err}");
        let fields: Vec<&str> =
            err["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["name", "period", "times", "quorum"], "{err}");
        assert!(err["errors"][1]["message"].as_str().unwrap().contains("weekly"), "{err}");
        let (status, err) = zzb.send_json(Method::PUT, &path, json!({"name": "党小组会"})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("name")), "another type's name: {err}");
        assert_eq!(due(&shuji, "committee", "2026-Q4").await, 3, "nothing half-saved");

        // Only the whole bureau's party administrator: a sub-bureau's and a secretary are refused.
        let (status, err) = fenju.send_json(Method::PUT, &path, json!({"period": "quarter"})).await;
        assert_eq!(status, 403, "{err}");
        assert!(err["message"].as_str().unwrap().contains("全局党务管理员"), "{err}");
        assert_eq!(shuji.send_json(Method::PUT, &path, json!({"period": "quarter"})).await.0, 403);

        // Monthly → quarterly: one due per quarter, four a year.
        let (status, saved) = zzb.send_json(Method::PUT, &path, json!({"period": "quarter"})).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(
            (saved["period"].as_str(), saved["times"].as_i64(), saved["quorum"].as_str(), saved["name"].as_str()),
            (Some("quarter"), Some(1), Some("committee_half"), Some("支部委员会")),
            "what was left out stays"
        );
        assert_eq!(due(&shuji, "committee", "2026-Q4").await, 1);
        assert_eq!(due(&shuji, "committee", "2026").await, 4);
        let (_, c) = shuji.get_json("/api/v1/meetings/compliance?org=10&period=2026-Q4").await;
        let rule = c["rules"].as_array().unwrap().iter().find(|r| r["code"] == "committee").unwrap().clone();
        assert_eq!(rule["rule"], "每季度1 次", "{rule}");

        // Retired: the type leaves the table.
        let (status, _) = zzb.send_json(Method::PUT, &path, json!({"active": false})).await;
        assert_eq!(status, 200);
        let (_, c) = shuji.get_json("/api/v1/meetings/compliance?org=10&period=2026-Q4").await;
        assert!(!c["rules"].as_array().unwrap().iter().any(|r| r["code"] == "committee"), "{c}");

        // Audited with the values before and after.
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?who=zzb&action=meeting.type&page_size=50").await;
        let items = log["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "two changes saved, refusals not: {log}");
        assert!(
            items.iter().any(|e| e["summary"].as_str().unwrap().contains("quarter")
                && e["summary"].as_str().unwrap().contains("month")),
            "{log}"
        );
        app
    })
    .await;
}

#[tokio::test]
async fn the_rules_page_edits_for_the_bureau_and_shows_read_only_to_others() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let (_, types) = zzb.get_json("/api/v1/meetings/types").await;
        let party_day = type_of(&types, "party_day");
        let id = party_day["id"].as_i64().unwrap();
        let page = zzb.get("/meetings/types").await.text().await.unwrap();
        assert!(page.contains(&format!("action=\"/meetings/types/{id}\"")), "an edit form per type");

        // A refused change keeps what was typed and names the field next to it.
        let res = zzb
            .post_form(
                &format!("/meetings/types/{id}"),
                &[("name", "主题党日"), ("period", "month"), ("times", "40"), ("quorum", "none"), ("active", "1")],
            )
            .await;
        assert_eq!(res.status(), 422);
        let body = res.text().await.unwrap();
        assert!(body.contains("每期次数应为 1 至 31 次") && body.contains("value=\"40\""), "{body}");

        // Twice a month, saved from the page.
        let res = zzb
            .post_form(
                &format!("/meetings/types/{id}"),
                &[("name", "主题党日"), ("period", "month"), ("times", "2"), ("quorum", "none"), ("active", "1")],
            )
            .await;
        assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
        let (_, types) = zzb.get_json("/api/v1/meetings/types").await;
        assert_eq!(type_of(&types, "party_day")["times"], 2);

        // A secretary sees the rules, without a form; posting is refused.
        let shuji = app.login("shuji").await;
        let page = shuji.get("/meetings/types").await.text().await.unwrap();
        assert!(page.contains("每月至少 2 次") && !page.contains("action=\"/meetings/types/"), "read-only");
        let res = shuji.post_form(&format!("/meetings/types/{id}"), &[("period", "year"), ("times", "1")]).await;
        assert_eq!(res.status(), 403);
        app
    })
    .await;
}

/// Records a 谈心谈话 of `a` with `b` in branch 10 on `day`, submitted and approved by `zzb`.
async fn talk(shuji: &Session, zzb: &Session, a: i64, b: i64, day: &str) -> i64 {
    let (status, m) = shuji
        .send_json(
            Method::POST,
            "/api/v1/meetings",
            json!({
                "org_id": 10, "type": "talk", "held_on": day, "topic": "谈心谈话",
                "minutes": format!("{a} 与 {b} 就近期工作和思想状况谈心谈话，交流了家庭情况和对支部工作的意见建议，约定下次谈话时间 {day}。"),
                "attendance": [
                    {"person_id": a, "status": "出席", "role": "谈话人"},
                    {"person_id": b, "status": "出席", "role": "谈话对象"}
                ]
            }),
        )
        .await;
    assert_eq!(status, 201, "{m}");
    let id = m["id"].as_i64().unwrap();
    let (status, sent) = shuji.send_json(Method::POST, &format!("/api/v1/meetings/{id}/submit"), json!({})).await;
    assert_eq!(status, 200, "{sent}");
    let (status, ok) =
        zzb.send_json(Method::POST, &format!("/api/v1/meetings/{id}/review"), json!({"decision": "approve"})).await;
    assert_eq!((status, ok["status"].as_str()), (200, Some("已通过")), "{ok}");
    id
}

/// The 谈心谈话 cell of branch 10 for 2026 and the people listed as not having talked.
async fn talks_2026(s: &Session) -> (Value, Vec<(i64, Option<i64>)>) {
    let (status, c) = s.get_json("/api/v1/meetings/compliance?org=10&period=2026").await;
    assert_eq!(status, 200, "{c}");
    let col = c["rules"].as_array().unwrap().iter().position(|r| r["code"] == "talk").unwrap();
    let gaps = c["talk_gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["person_id"].as_i64().unwrap(), g["with_id"].as_i64()))
        .collect();
    (c["total"]["cells"][col].clone(), gaps)
}

#[tokio::test]
async fn talks_are_counted_by_pairing_committee_pairwise_and_each_member_with_a_committee_member() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let zzb = app.login("zzb").await;
        let (_, members) = shuji.get_json("/api/v1/meetings/expected?org=10&type=party_day&date=2026-11-27").await;
        let people: Vec<i64> = members.as_array().unwrap().iter().map(|m| m["person_id"].as_i64().unwrap()).collect();
        let (_, board) = shuji.get_json("/api/v1/meetings/expected?org=10&type=committee&date=2026-11-27").await;
        let mut committee: Vec<i64> =
            board.as_array().unwrap().iter().map(|m| m["person_id"].as_i64().unwrap()).collect();
        assert!(!committee.is_empty(), "the demo branch has its secretary: {board}");
        // A second committee member, so there is a pair of 支委.
        let extra = *people.iter().find(|p| !committee.contains(p)).unwrap();
        let (status, body) = zzb
            .send_json(Method::POST, "/api/v1/orgs/10/committee", json!({"person_id": extra, "post": "组织委员"}))
            .await;
        assert!(status == 200 || status == 201, "{body}");
        committee.push(extra);
        let rest: Vec<i64> = people.iter().copied().filter(|p| !committee.contains(p)).collect();
        assert!(rest.len() >= 3, "{members}");
        let pairs = committee.len() * (committee.len() - 1) / 2;
        let due = (pairs + rest.len()) as i64;

        let (cell, gaps) = talks_2026(&shuji).await;
        assert_eq!((cell["due"].as_i64(), cell["held"].as_i64()), (Some(due), Some(0)), "{cell}");
        assert_eq!(cell["open"].as_i64(), Some(due), "2026 is still running: not yet missing");
        assert_eq!(gaps.len() as i64, due);

        // The secretary talks with a member; two ordinary members talk with each other.
        let secretary = committee[0];
        talk(&shuji, &zzb, secretary, rest[0], "2026-11-26").await;
        talk(&shuji, &zzb, rest[1], rest[2], "2026-11-26").await;
        let (cell, gaps) = talks_2026(&shuji).await;
        assert_eq!(cell["held"].as_i64(), Some(1), "only the talk with a 支委 covers a member: {cell}");
        assert!(!gaps.contains(&(rest[0], None)), "{gaps:?}");
        assert!(gaps.contains(&(rest[1], None)) && gaps.contains(&(rest[2], None)), "{gaps:?}");

        // The two committee members talk: the pair is covered.
        let mut pair = [committee[0], committee[1]];
        pair.sort_unstable();
        assert!(gaps.contains(&(pair[0], Some(pair[1]))), "{gaps:?}");
        talk(&shuji, &zzb, committee[1], committee[0], "2026-11-26").await;
        let (cell, gaps) = talks_2026(&shuji).await;
        assert_eq!(cell["held"].as_i64(), Some(2));
        assert!(!gaps.iter().any(|g| g.1.is_some()), "{gaps:?}");

        // A talk of last year does not count for this one; a closed year shows what is missing.
        let (_, c2025) = shuji.get_json("/api/v1/meetings/compliance?org=10&period=2025").await;
        let col = c2025["rules"].as_array().unwrap().iter().position(|r| r["code"] == "talk").unwrap();
        assert_eq!(c2025["total"]["cells"][col]["held"], 0);
        assert!(c2025["total"]["cells"][col]["missing"].as_i64().unwrap() > 0, "{c2025}");

        // The page lists who has not talked; the form has person pickers for the two people.
        let page = shuji.get("/meetings/compliance?org=10&period=2026").await.text().await.unwrap();
        assert!(page.contains("id=\"talk-gaps\"") && page.contains("尚未与支委谈心谈话"), "drill-down");
        let form = shuji.get("/meetings/new?org=10&type=talk").await.text().await.unwrap();
        assert!(form.contains("data-picker=\"/meetings/talk-options?org=10\""), "person pickers");
        let (status, options) = shuji.get_json(&format!("/meetings/talk-options?org=10&q={}", rest[0])).await;
        assert_eq!(status, 200, "{options}");
        assert_eq!(options[0]["id"].as_i64(), Some(rest[0]), "{options}");
        // Another branch's members are not offered to this secretary: 404, audited.
        assert_eq!(shuji.get_json("/meetings/talk-options?org=13").await.0, 404);
        app
    })
    .await;
}

/// The 谈心谈话 lines of the secretary's home page.
async fn talk_todos(shuji: &Session) -> Vec<String> {
    let home = shuji.get("/").await.text().await.unwrap();
    home.split('>')
        .filter(|t| t.contains("谈心谈话尚缺"))
        .map(|t| t.split('<').next().unwrap().trim().to_owned())
        .collect()
}

#[tokio::test]
async fn the_talk_reminder_counts_missing_talks_by_pairing_and_goes_when_all_are_approved() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let zzb = app.login("zzb").await;
        // Only the talk rule stays active, so the secretary's list stays short enough to show
        // each item (a December day also closes a month and a quarter).
        let (_, types) = zzb.get_json("/api/v1/meetings/types").await;
        for t in types.as_array().unwrap().iter().filter(|t| t["code"] != "talk") {
            let (status, body) = zzb
                .send_json(Method::PUT, &format!("/api/v1/meetings/types/{}", t["id"]), json!({"active": false}))
                .await;
            assert_eq!(status, 200, "{body}");
        }
        // 27 November: the year closes in more than 15 days, no reminder yet.
        assert_eq!(talk_todos(&shuji).await, Vec::<String>::new());
        app.clock.advance(chrono::Duration::days(23));
        // Sessions lapse over three weeks: log in again on 20 December.
        let (shuji, zzb) = (app.login("shuji").await, app.login("zzb").await);
        let (cell, gaps) = talks_2026(&shuji).await;
        let due = cell["due"].as_i64().unwrap();
        assert!(due >= 3 && gaps.len() as i64 == due, "{cell} {gaps:?}");
        let todos = talk_todos(&shuji).await;
        assert_eq!(todos.len(), 1, "{todos:?}");
        assert!(todos[0].contains(&format!("2026年谈心谈话尚缺 {due} 次")), "{todos:?}");

        // One talk of the secretary with a member: one fewer. Counting records (one record is the
        // rule's "1 次") would have cleared the reminder here.
        let (_, board) = shuji.get_json("/api/v1/meetings/expected?org=10&type=committee&date=2026-12-20").await;
        let secretary = board[0]["person_id"].as_i64().unwrap();
        let members: Vec<i64> = gaps.iter().filter(|(_, with)| with.is_none()).map(|(p, _)| *p).collect();
        assert!(!members.is_empty(), "{gaps:?}");
        talk(&shuji, &zzb, secretary, members[0], "2026-12-18").await;
        let todos = talk_todos(&shuji).await;
        assert!(todos.len() == 1 && todos[0].contains(&format!("尚缺 {} 次", due - 1)), "{todos:?}");

        // Every member has talked with the secretary, every two committee members with each
        // other: no reminder.
        for m in &members[1..] {
            talk(&shuji, &zzb, secretary, *m, "2026-12-18").await;
        }
        for (a, b) in gaps.iter().filter_map(|(a, with)| with.map(|b| (*a, b))) {
            talk(&shuji, &zzb, a, b, "2026-12-18").await;
        }
        assert_eq!(talks_2026(&shuji).await.0["held"].as_i64(), Some(due));
        assert_eq!(talk_todos(&shuji).await, Vec::<String>::new());
        app
    })
    .await;
}

#[tokio::test]
async fn the_list_pages_with_numbers_and_keeps_its_filters() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let (status, all) = zzb.get_json("/api/v1/meetings?type=committee&page_size=10").await;
        assert_eq!(status, 200, "{all}");
        let total = all["total"].as_i64().unwrap();
        assert!(total > 100, "five years of 支委会 in the demo: {total}");
        let (_, second) = zzb.get_json("/api/v1/meetings?type=committee&page_size=10&page=2").await;
        assert_eq!(second["total"].as_i64(), Some(total), "the same count on every page");
        let first_ids: Vec<i64> = all["items"].as_array().unwrap().iter().map(|m| m["id"].as_i64().unwrap()).collect();
        let second_ids: Vec<i64> =
            second["items"].as_array().unwrap().iter().map(|m| m["id"].as_i64().unwrap()).collect();
        assert_eq!(second_ids.len(), 10);
        assert!(second_ids.iter().all(|id| !first_ids.contains(id)), "page two continues page one");
        assert!(second["items"].as_array().unwrap().iter().all(|m| m["type"] == "committee"));

        // The page: count, page numbers, previous and next, each link keeping the filter.
        let pages = (total + 49) / 50;
        let html = zzb.get("/meetings?type=committee&page=2").await.text().await.unwrap();
        let nav = &html[html.find("class=\"pager\"").unwrap_or(0)..];
        assert!(html.contains(&format!("共 {total} 条，第 2/{pages} 页")), "count and position");
        assert!(html.contains("href=\"?type=committee&#38;page=1\">上一页"), "previous keeps the filter: {nav}");
        assert!(html.contains("href=\"?type=committee&#38;page=3\">下一页") || pages == 2, "next keeps the filter");
        assert!(html.contains(&format!("href=\"?type=committee&#38;page={pages}\">{pages}</a>")), "the last page");
        assert!(html.contains("<span class=\"current\">2</span>"));
        // Past the end: the last page, not an error.
        let far = zzb.get("/meetings?type=committee&page=99999").await;
        assert_eq!(far.status(), 200);
        assert!(far.text().await.unwrap().contains(&format!("<span class=\"current\">{pages}</span>")));
        let (_, last) = zzb.get_json("/api/v1/meetings?type=committee&page_size=10&page=99999").await;
        assert!(!last["items"].as_array().unwrap().is_empty(), "{last}");
        app
    })
    .await;
}
