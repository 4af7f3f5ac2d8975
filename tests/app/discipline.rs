//! 执纪问责 (issue 13): periods computed per research/domain.md §5.6, the one query other domains
//! use, 开除党籍 ending the membership, appeals keeping history, access by role with every refusal
//! audited, bad input refused with nothing saved, statistics that match the records, commitments.

use chrono::NaiveDate;
use reqwest::Method;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};

use crate::support::{Session, TestApp, on_all_backends};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The first person of `org` matching `query` (e.g. `kind=民警&political_status=中共党员`), skipping `skip`.
async fn person(zzb: &Session, org: i32, query: &str, skip: usize) -> i64 {
    let (_, list) = zzb.get_json(&format!("/api/v1/persons?org={org}&{query}&page_size=50")).await;
    list["items"].as_array().unwrap()[skip]["id"].as_i64().unwrap_or_else(|| panic!("no {query} in {org}: {list}"))
}

async fn record(s: &Session, body: Value) -> (u16, Value) {
    s.send_json(Method::POST, "/api/v1/sanctions", body).await
}

fn fields(err: &Value) -> Vec<String> {
    err["errors"].as_array().map_or_else(
        || vec![err["field"].as_str().unwrap_or_default().to_owned()],
        |a| a.iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect(),
    )
}

async fn count_of(zzb: &Session, person: i64) -> u64 {
    zzb.get_json(&format!("/api/v1/sanctions?person_id={person}")).await.1["total"].as_u64().unwrap()
}

/// An account holding `role` over organization `org` only (password set by its owner).
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
async fn periods_are_computed_and_other_domains_ask_one_query() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let jijian = app.login("jijian").await;
        let p = person(&zzb, 10, "kind=民警&political_status=中共党员", 2).await;

        // 记大过 decided and effective 2025-03-01: 18 months (政务处分法) → until 2026-09-01.
        let body = json!({"person_id": p, "kind": "记大过", "decided_on": "2025-03-01", "effective_on": "2025-03-01",
            "facts": "工作时间饮酒", "decided_by": "海滨市公安局", "doc_no": "海公纪〔2025〕3号", "probation_years": null,
            "source": "督察"});
        let (status, saved) = record(&jijian, body).await;
        assert_eq!(status, 201, "{saved}");
        let s = &saved["sanction"];
        assert_eq!((s["influence_until"].as_str(), s["form"].as_u64(), s["heavy"].as_bool()), (Some("2026-09-01"), Some(2), Some(false)));
        assert_eq!(s["category"], "政务处分");
        let demerit = s["id"].as_i64().unwrap();
        // Today (2026-11-27) the period is over; on 2026-06-01 it was in effect.
        let (_, got) = jijian.get_json(&format!("/api/v1/sanctions/{demerit}")).await;
        assert_eq!((got["in_effect"].as_bool(), got["bars"]["no_promotion"].as_bool()), (Some(false), Some(false)));
        let pid = i32::try_from(p).unwrap();
        let effects = dangjian::discipline::store::in_effect(&app.state.db, &[pid], d(2026, 6, 1)).await.unwrap();
        let e = &effects[&pid];
        assert_eq!(e.len(), 1);
        assert!(e[0].bars.no_excellent && e[0].bars.no_promotion && e[0].bars.no_commendation && !e[0].bars.no_vote);
        assert!(dangjian::discipline::store::in_effect(&app.state.db, &[pid], d(2026, 9, 1)).await.unwrap().is_empty());

        // 留党察看 two years from 2026-10-01: no vote until 2028-10-01.
        let body = json!({"person_id": p, "kind": "留党察看", "probation_years": 2, "decided_on": "2026-10-01",
            "facts": "违规查询公民个人信息", "decided_by": "中共海滨市公安局纪律检查委员会"});
        let (status, saved) = record(&jijian, body).await;
        assert_eq!(status, 201, "{saved}");
        assert_eq!(saved["sanction"]["influence_until"], "2028-10-01");
        assert_eq!((saved["sanction"]["in_effect"].as_bool(), saved["sanction"]["bars"]["no_vote"].as_bool()), (Some(true), Some(true)));
        assert_eq!((saved["sanction"]["form"].as_u64(), saved["sanction"]["heavy"].as_bool()), (Some(3), Some(true)));
        let bars = dangjian::discipline::store::bars_of(&app.state.db, pid, d(2026, 11, 27)).await.unwrap();
        assert!(bars.no_vote && bars.no_excellent, "a member under 留党察看 has no vote and cannot be graded 优秀");
        // After the probation: 2 more years without promotion, the vote restored (§5.6).
        let later = dangjian::discipline::store::bars_of(&app.state.db, pid, d(2029, 1, 1)).await.unwrap();
        assert!(later.no_promotion && !later.no_vote && !later.no_excellent);

        // The profile shows the section masked; the reveal lists what is in effect.
        let (_, profile) = jijian.get_json(&format!("/api/v1/persons/{p}")).await;
        let section = profile["sections"].as_array().unwrap().iter().find(|s| s["id"] == "discipline").unwrap();
        assert_eq!(section["sensitive"], true);
        assert!(!section.to_string().contains("留党察看"), "masked until revealed: {section}");
        let (status, shown) = jijian.reveal(p, &["sanctions"]).await;
        assert_eq!(status, 200, "{shown}");
        let text = shown["fields"][0]["value"].as_str().unwrap();
        assert!(text.contains("留党察看") && text.contains("2028-10-01") && text.contains("无表决权"), "{text}");
        assert!(!text.contains("记大过"), "an expired record is not in effect: {text}");
        app
    })
    .await;
}

#[tokio::test]
async fn reading_a_sanction_is_need_to_know_and_refusals_are_audited() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let jijian = app.login("jijian").await;
        let own = person(&zzb, 10, "kind=民警&political_status=中共党员", 3).await;
        let other = person(&zzb, 13, "kind=民警", 0).await;
        let mk = |p: i64, kind: &str, on: &str| {
            json!({"person_id": p, "kind": kind, "decided_on": on, "facts": "值班期间脱岗", "decided_by": "海滨市公安局"})
        };
        let in_effect = record(&jijian, mk(own, "记过", "2026-05-01")).await.1["sanction"]["id"].as_i64().unwrap();
        let expired = record(&jijian, mk(own, "政务警告", "2025-01-10")).await.1["sanction"]["id"].as_i64().unwrap();
        let outside = record(&jijian, mk(other, "记过", "2026-05-01")).await.1["sanction"]["id"].as_i64().unwrap();

        let shuji = app.login("shuji").await;
        let (status, got) = shuji.get_json(&format!("/api/v1/sanctions/{in_effect}")).await;
        assert_eq!((status, got["kind"].as_str()), (200, Some("记过")), "own member, in effect");
        let (_, list) = shuji.get_json(&format!("/api/v1/sanctions?person_id={own}")).await;
        assert_eq!(list["total"], 1, "only what is in effect: {list}");
        for id in [expired, outside] {
            assert_eq!(shuji.get_json(&format!("/api/v1/sanctions/{id}")).await.0, 404);
            assert_eq!(shuji.get(&format!("/discipline/{id}")).await.status(), 404);
        }
        // Writing is for discipline and party_admin only.
        assert_eq!(record(&shuji, mk(own, "记过", "2026-05-01")).await.0, 403);

        for user in ["admin", "auditor", "lingdao"] {
            let s = app.login(user).await;
            let (status, body) = s.get_json(&format!("/api/v1/sanctions/{in_effect}")).await;
            assert_eq!(status, 403, "{user}: {body}");
            assert_eq!(s.get_json("/api/v1/sanctions").await.0, 403, "{user}");
        }
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?action=access.denied&page_size=100").await;
        let seen = |who: &str, object: &str| {
            log["items"].as_array().unwrap().iter().any(|e| e["actor"] == who && e["object"] == object)
        };
        assert!(seen("shuji", &format!("sanction#{outside}")), "{log}");
        assert!(seen("shuji", &format!("sanction#{expired}")));
        assert!(seen("admin", &format!("sanction#{in_effect}")), "the system administrator's attempt");
        let (_, reads) = auditor.get_json("/api/v1/audit?action=sensitive.read&who=shuji&page_size=50").await;
        assert!(reads["items"].as_array().unwrap().iter().any(|e| e["object"] == format!("sanction#{in_effect}")));

        // Leaders see counts, never names.
        let lingdao = app.login("lingdao").await;
        let (status, stats) = lingdao.get_json("/api/v1/sanctions/stats?year=2026").await;
        assert_eq!((status, stats["names"].as_bool()), (200, Some(false)), "{stats}");
        assert!(!stats.to_string().contains("值班期间脱岗"));
        let (status, _) = lingdao.reveal(own, &["sanctions"]).await;
        assert_eq!(status, 403, "a leader reveals no discipline data");
        app
    })
    .await;
}

#[tokio::test]
async fn bad_input_is_refused_with_a_reason_and_nothing_is_saved() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let jijian = app.login("jijian").await;
        let police = person(&zzb, 10, "kind=民警&political_status=中共党员", 4).await;
        let aux = person(&zzb, 10, "kind=辅警&political_status=群众", 0).await;
        let masses = person(&zzb, 10, "kind=民警&political_status=群众", 0).await;
        let before = [count_of(&zzb, police).await, count_of(&zzb, aux).await, count_of(&zzb, masses).await];
        let base = |p: i64, kind: &str| json!({"person_id": p, "kind": kind, "decided_on": "2026-03-01", "facts": "违纪", "decided_by": "海滨市公安局"});

        let mut b = base(police, "记过");
        b["effective_on"] = json!("2026-02-01");
        let (status, err) = record(&jijian, b).await;
        assert_eq!((status, fields(&err)), (422, vec!["effective_on".to_owned()]), "{err}");
        assert!(err.to_string().contains("不能早于决定日期"));

        let (status, err) = record(&jijian, base(police, "留党察看")).await;
        assert_eq!((status, fields(&err)), (422, vec!["probation_years".to_owned()]), "{err}");
        assert!(err.to_string().contains("1 年或 2 年"));

        let (status, err) = record(&jijian, base(aux, "记大过")).await;
        assert_eq!((status, fields(&err)), (422, vec!["kind".to_owned()]), "{err}");
        assert!(err.to_string().contains("辅警"));

        let (status, err) = record(&jijian, base(masses, "开除党籍")).await;
        assert_eq!((status, fields(&err)), (422, vec!["kind".to_owned()]), "{err}");
        assert!(err.to_string().contains("不是党员"));

        // Everything at once, each field named.
        let (status, err) = record(&jijian, json!({"person_id": police, "kind": "警告", "decided_on": "2099-01-01", "facts": ""})).await;
        assert_eq!(status, 422);
        assert_eq!(fields(&err), ["kind", "decided_on", "facts", "decided_by"], "{err}");

        // A writer whose scope is another branch: 404 and an audit row.
        let narrow = account(&app, "jijian13", "discipline", 13).await;
        let (status, _) = record(&narrow, base(police, "记过")).await;
        assert_eq!(status, 404);
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?action=access.denied&who=jijian13").await;
        assert_eq!(log["items"][0]["object"], format!("person#{police}"), "{log}");

        let after = [count_of(&zzb, police).await, count_of(&zzb, aux).await, count_of(&zzb, masses).await];
        assert_eq!(before, after, "nothing half-saved");

        // The browser form keeps what was typed and names the field.
        let page = jijian.post_form("/discipline", &[("person_id", &police.to_string()), ("kind", "留党察看"),
            ("decided_on", "2026-03-01"), ("facts", "违纪事实"), ("decided_by", "海滨市公安局")]).await;
        assert_eq!(page.status(), 422);
        let html = page.text().await.unwrap();
        assert!(html.contains("留党察看须写明期限") && html.contains("违纪事实"), "{html}");
        app
    })
    .await;
}

#[tokio::test]
async fn expulsion_ends_the_membership_and_an_appeal_keeps_history_without_restoring_it() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let jijian = app.login("jijian").await;
        let m = person(&zzb, 10, "kind=民警&political_status=中共党员", 5).await;
        let body = json!({"person_id": m, "kind": "开除党籍", "decided_on": "2026-11-20", "facts": "严重违纪",
            "decided_by": "中共海滨市公安局纪律检查委员会", "doc_no": "海公纪〔2026〕12号"});
        let (status, saved) = record(&jijian, body).await;
        assert_eq!(status, 201, "{saved}");
        let id = saved["sanction"]["id"].as_i64().unwrap();
        let mid = i32::try_from(m).unwrap();
        let membership = dangjian::party::store::membership_of(&app.state.db, mid).await.unwrap().unwrap();
        assert_eq!(membership.status, dangjian::party::MemberStatus::Ended);
        assert_eq!(membership.end_kind, Some(dangjian::party::EndKind::Expelled));
        let (_, p) = zzb.get_json(&format!("/api/v1/persons/{m}")).await;
        assert!(p.to_string().contains("群众"), "the roster follows: {p}");
        let (_, log) = app.login("auditor").await.get_json("/api/v1/audit?action=party.end&page_size=5").await;
        assert!(log["items"].as_array().unwrap().iter().any(|e| e["object"] == format!("person#{m}")));

        // 变更 to 留党察看 needs the membership first: refused with the reason, nothing changes.
        let change = json!({"action": "变更", "date": "2026-11-26", "reason": "复查认定情节较轻", "decided_by": "省公安厅纪委",
            "kind": "留党察看", "probation_years": 1});
        let (status, err) = jijian.send_json(Method::POST, &format!("/api/v1/sanctions/{id}/appeal"), change).await;
        assert_eq!(status, 422, "{err}");
        // 撤销: the record stays, marked; the membership is not silently restored.
        let revoke = json!({"action": "撤销", "date": "2026-11-26", "reason": "复查撤销", "decided_by": "省公安厅纪委"});
        let (status, done) = jijian.send_json(Method::POST, &format!("/api/v1/sanctions/{id}/appeal"), revoke.clone()).await;
        assert_eq!(status, 200, "{done}");
        assert_eq!(done["sanction"]["status"], "已撤销");
        assert!(done["warnings"][0].as_str().unwrap().contains("没有自动恢复党籍"), "{done}");
        let membership = dangjian::party::store::membership_of(&app.state.db, mid).await.unwrap().unwrap();
        assert_eq!(membership.status, dangjian::party::MemberStatus::Ended);
        let (status, _) = jijian.send_json(Method::POST, &format!("/api/v1/sanctions/{id}/appeal"), revoke).await;
        assert_eq!(status, 409);

        // A change keeps the original and recomputes from the new kind.
        let q = person(&zzb, 10, "kind=民警", 6).await;
        let body = json!({"person_id": q, "kind": "记大过", "decided_on": "2026-06-01", "facts": "违规", "decided_by": "海滨市公安局"});
        let first = record(&jijian, body).await.1["sanction"]["id"].as_i64().unwrap();
        let change = json!({"action": "变更", "date": "2026-11-01", "reason": "情节较轻", "decided_by": "海滨市公安局", "kind": "记过"});
        let (status, done) = jijian.send_json(Method::POST, &format!("/api/v1/sanctions/{first}/appeal"), change).await;
        assert_eq!(status, 200, "{done}");
        assert_eq!((done["sanction"]["kind"].as_str(), done["sanction"]["influence_until"].as_str()), (Some("记过"), Some("2027-06-01")));
        assert_eq!(done["sanction"]["replaces"], first);
        let (_, old) = jijian.get_json(&format!("/api/v1/sanctions/{first}")).await;
        assert_eq!((old["status"].as_str(), old["in_effect"].as_bool()), (Some("已变更"), Some(false)));
        let qid = i32::try_from(q).unwrap();
        let effects = dangjian::discipline::store::in_effect(&app.state.db, &[qid], d(2026, 11, 27)).await.unwrap();
        let kinds: Vec<&str> = effects[&qid].iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["记过"], "only the replacement counts");
        app
    })
    .await;
}

#[tokio::test]
async fn statistics_match_the_records_and_commitments_count_violations() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let jijian = app.login("jijian").await;
        // The demo keeps the national split of the four forms.
        let mut forms = [0u64; 4];
        let mut total = 0;
        for year in 2021..=2026 {
            let (_, s) = zzb.get_json(&format!("/api/v1/sanctions/stats?year={year}")).await;
            for (i, f) in forms.iter_mut().enumerate() {
                *f += s["total"]["forms"][i].as_u64().unwrap();
            }
            total += s["total"]["total"].as_u64().unwrap();
            // Statistics match the records: the same filter on the list gives the same count.
            let (_, list) = zzb.get_json(&format!("/api/v1/sanctions?year={year}&status=有效&page_size=1")).await;
            assert_eq!(s["total"]["total"], list["total"], "{year}");
            let units: u64 =
                s["units"].as_array().unwrap().iter().map(|u| u["counts"]["total"].as_u64().unwrap()).sum();
            assert_eq!(units, s["total"]["total"].as_u64().unwrap(), "units add up in {year}");
        }
        let share = |i: usize| forms[i] as f64 * 100.0 / forms.iter().sum::<u64>() as f64;
        assert!(total >= 40, "{total}");
        assert!((share(0) - 83.5).abs() < 3.0 && (share(1) - 13.0).abs() < 3.0, "{forms:?}");
        assert!(forms[2] >= 1 && forms[3] >= 1, "{forms:?}");

        // Commitments: edited wording is no longer an example; a violation counts per item.
        let (_, items) = zzb.get_json("/api/v1/commitments").await;
        let c = items["items"][0]["id"].as_i64().unwrap();
        assert_eq!(items["items"][0]["example"], true);
        let edit = json!({"group": "五个一律", "title": "工作时间饮酒的，一律先停止执行职务"});
        let (status, saved) = zzb.send_json(Method::PUT, &format!("/api/v1/commitments/{c}"), edit).await;
        assert_eq!((status, saved["example"].as_bool()), (200, Some(false)), "{saved}");
        let shuji = app.login("shuji").await;
        let (status, _) =
            shuji.send_json(Method::POST, "/api/v1/commitments", json!({"group": "五个一律", "title": "x"})).await;
        assert_eq!(status, 403);
        let (_, before) = zzb.get_json("/api/v1/commitments/report?year=2026").await;
        let count = |r: &Value| -> u64 {
            r["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|x| x["commitment_id"] == c)
                .map(|x| x["count"].as_u64().unwrap())
                .sum()
        };
        let p = person(&zzb, 10, "kind=民警", 7).await;
        let body = json!({"person_id": p, "kind": "诫勉", "decided_on": "2026-07-01", "facts": "工作时间饮酒",
            "decided_by": "海滨市公安局", "commitment_id": c, "ground": "躺平摆烂、不担当不作为"});
        let (status, saved) = record(&jijian, body).await;
        assert_eq!(status, 201, "{saved}");
        assert!(saved["warnings"].to_string().contains("谈话提醒"), "the first 躺平 case starts with a talk: {saved}");
        let (_, after) = zzb.get_json("/api/v1/commitments/report?year=2026").await;
        assert_eq!(count(&after), count(&before) + 1);
        // The secretary sees the 躺平摆烂 case of their member though 诫勉 has no period.
        let (_, list) = shuji.get_json(&format!("/api/v1/sanctions?person_id={p}&ground=躺平摆烂、不担当不作为")).await;
        assert_eq!(list["total"], 1, "{list}");

        // The pages: statistics, export and the bulletin without names.
        assert_eq!(zzb.get("/discipline/stats?year=2026").await.status(), 200);
        let export = zzb.get("/discipline/stats/export.xlsx?year=2026").await;
        assert_eq!(export.status(), 200);
        // The bulletin names the case but not the person, in the facts either.
        let (_, one) = zzb.get_json("/api/v1/persons?org=10&kind=民警&page_size=50").await;
        let (who, name) = (one["items"][8]["id"].as_i64().unwrap(), one["items"][8]["name"].as_str().unwrap().to_owned());
        let facts = format!("{name}在值班期间饮酒后驾驶警车");
        let body = json!({"person_id": who, "kind": "记大过", "decided_on": "2026-08-01", "facts": facts, "decided_by": "海滨市公安局"});
        assert_eq!(record(&jijian, body).await.0, 201);
        let bulletin = jijian.get("/discipline/stats/bulletin.docx?year=2026").await;
        assert_eq!(bulletin.status(), 200);
        let bytes = bulletin.bytes().await.unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
        assert!(xml.contains("在值班期间饮酒后驾驶警车") && xml.contains("记大过处分"), "the case is there");
        assert!(!xml.contains(&name), "{name} is removed");
        let family: String = name.chars().take(1).collect();
        assert!(xml.contains(&format!("{family}某")));
        assert_eq!(app.login("lingdao").await.get("/discipline/stats/bulletin.docx?year=2026").await.status(), 403);
        app
    })
    .await;
}

#[tokio::test]
async fn the_list_finds_records_by_name_initials_or_police_number_within_its_reach() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let body = json!({"name": "覃志远", "kind": "民警", "police_no": "760321", "id_number": crate::support::valid_id("33020219800101606"),
            "org_id": 10, "political_status": "群众", "employment_status": "在职"});
        let (status, p) = zzb.send_json(Method::POST, "/api/v1/persons", body).await;
        assert_eq!(status, 201, "{p}");
        let pid = p["id"].as_i64().unwrap();
        let (status, s) = record(
            &zzb,
            json!({"person_id": pid, "kind": "记过", "decided_on": "2026-10-08", "facts": "接处警迟到", "decided_by": "海滨市公安局"}),
        )
        .await;
        assert_eq!(status, 201, "{s}");
        // By name, by the surname's reading (覃 qin), by police number: exactly this person's record.
        for q in ["覃志远", "qzy", "760321"] {
            let (status, list) = zzb.get_json(&format!("/api/v1/sanctions?q={q}")).await;
            assert_eq!(status, 200, "{list}");
            assert_eq!(list["total"], 1, "{q}: {list}");
            assert_eq!(list["items"][0]["person_id"].as_i64(), Some(pid), "{q}");
        }
        let (_, none) = zzb.get_json("/api/v1/sanctions?q=无此人").await;
        assert_eq!(none["total"], 0);
        let html = zzb.get("/discipline?q=覃志远").await.text().await.unwrap();
        assert!(html.contains("共 1 条") && html.contains(&format!("href=\"/discipline/{}\"", s["sanction"]["id"])), "{html}");
        assert!(html.contains("value=\"覃志远\""), "the search box keeps the text");
        // The reach does not widen: the branch secretary finds it only while it is in effect, and
        // the leader, who sees counts only, is refused.
        let shuji = app.login("shuji").await;
        let (_, found) = shuji.get_json("/api/v1/sanctions?q=覃志远").await;
        assert_eq!(found["total"], 1, "{found}");
        let lingdao = app.login("lingdao").await;
        assert_eq!(lingdao.get_json("/api/v1/sanctions?q=覃志远").await.0, 403);
        let auditor = app.login("auditor").await;
        let (_, reads) = auditor.get_json("/api/v1/audit?who=zzb&action=sensitive.read&page_size=100").await;
        assert!(reads.to_string().contains("q=%E8%A6%83%E5%BF%97%E8%BF%9C"), "the search is in the log: {reads}");
        app
    })
    .await;
}
