//! The membership lifecycle as the rules have it (党章第七条, 第九条; domain.md §4): 转正 on the day
//! the probation ends, one extension of six months to a year, the ways a membership ends, and
//! dues ledgers that keep each month as it was.

use reqwest::Method;
use serde_json::{Value, json};

use crate::party::{new_person, party_rows, secretary_of};
use crate::support::{Session, on_all_backends, valid_id};

async fn member(s: &Session, name: &str, id17: &str, joined: &str, full: Option<&str>) -> i64 {
    let pid = new_person(s, name, id17, "发展对象", 10).await;
    let mut body = json!({"joined_on": joined});
    if let Some(f) = full {
        body["full_on"] = json!(f);
    }
    let (status, m) = s.send_json(Method::POST, &format!("/api/v1/persons/{pid}/membership"), body).await;
    assert_eq!(status, 201, "{m}");
    pid
}

fn ids(ledger: &Value) -> Vec<i64> {
    ledger["rows"].as_array().unwrap().iter().map(|r| r["person_id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn probation_ends_a_year_after_admission_or_when_its_one_extension_ends() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        // Admitted 2025-01-10: 转正 2026-01-10, whatever day the branch meeting met.
        let a = member(&shuji, "转正甲", "37020219900101101", "2025-01-10", None).await;
        let (status, err) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{a}/membership/full"),
                json!({"meeting_on": "2026-01-05"}),
            )
            .await;
        assert_eq!(
            (status, err["field"].as_str()),
            (422, Some("meeting_on")),
            "a meeting before the probation ended: {err}"
        );
        let (status, full) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{a}/membership/full"),
                json!({"meeting_on": "2026-02-03", "approved_on": "2026-02-20"}),
            )
            .await;
        assert_eq!(status, 200, "{full}");
        assert_eq!(full["full_on"], "2026-01-10");

        // Registering an old member: the 转正 date must be one the rules allow.
        let b = new_person(&shuji, "老党员乙", "37020219800101102", "中共党员", 10).await;
        for wrong in ["2011-03-15", "2011-06-01", "2012-03-02"] {
            let (status, err) = shuji
                .send_json(
                    Method::POST,
                    &format!("/api/v1/persons/{b}/membership"),
                    json!({"joined_on": "2010-03-01", "full_on": wrong}),
                )
                .await;
            assert_eq!((status, err["field"].as_str()), (422, Some("full_on")), "{wrong}: {err}");
        }
        // A year and a half: the probation was extended by six months.
        let (status, m) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{b}/membership"),
                json!({"joined_on": "2010-03-01", "full_on": "2011-09-01"}),
            )
            .await;
        assert_eq!(status, 201, "{m}");
        assert_eq!((m["extended_months"].as_i64(), m["probation_end"].as_str()), (Some(6), Some("2011-09-01")));

        // 延长预备期: 6 to 12 months, once; the probation then ends later.
        let c = member(&shuji, "延长丙", "37020219920101103", "2025-10-01", None).await;
        let url = format!("/api/v1/persons/{c}/membership/extend");
        let (status, err) = shuji.send_json(Method::POST, &url, json!({"decided_on": "2026-10-08", "months": 3})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("months")), "shorter than six months: {err}");
        let (status, err) =
            shuji.send_json(Method::POST, &url, json!({"decided_on": "2026-10-08", "months": 13})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("months")), "longer than a year: {err}");
        let (status, err) = shuji.send_json(Method::POST, &url, json!({"months": 6})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("decided_on")), "{err}");
        let (status, m) = shuji.send_json(Method::POST, &url, json!({"decided_on": "2026-10-08", "months": 6})).await;
        assert_eq!(status, 200, "{m}");
        assert_eq!((m["probation_end"].as_str(), m["extended_on"].as_str()), (Some("2027-04-01"), Some("2026-10-08")));
        let (status, err) = shuji.send_json(Method::POST, &url, json!({"decided_on": "2026-10-20", "months": 6})).await;
        assert_eq!((status, err["field"].as_str()), (409, Some("months")), "a second extension: {err}");
        let (status, err) =
            shuji.send_json(Method::POST, &format!("/api/v1/persons/{c}/membership/full"), json!({})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("full_on")), "not due before the extension ends: {err}");
        assert!(err["message"].as_str().unwrap().contains("2027-04-01"));
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{c}")).await;
        let rows = party_rows(&profile);
        assert!(rows.contains(&"转正日期=预备期至 2027-04-01".to_owned()), "{rows:?}");
        assert!(rows.contains(&"延长预备期=2026-10-08 决定延长 6 个月".to_owned()), "{rows:?}");

        // The same forms in the browser.
        let page = shuji.get(&format!("/people/{c}")).await.text().await.unwrap();
        assert!(page.contains("预备期至 <strong>2027-04-01</strong>"), "no 转正 form before the end");
        assert!(!page.contains("id=\"party-extend\""), "extended once: no second extension offered");
        assert!(
            page.contains("/people/{c}/party/transfer".replace("{c}", &c.to_string()).as_str()),
            "预备党员 are transferred too"
        );
        let d = member(&shuji, "网页丁", "37020219930101104", "2025-06-01", None).await;
        let page = shuji.get(&format!("/people/{d}")).await.text().await.unwrap();
        let csrf = crate::support::csrf_in(&page);
        let resp = shuji
            .post_form(
                &format!("/people/{d}/party/extend"),
                &[("_csrf", &csrf), ("decided_on", "2026-06-05"), ("months", "5")],
            )
            .await;
        assert_eq!(resp.status(), 422);
        assert!(resp.text().await.unwrap().contains("延长月数应为 6–12"));
        let resp = shuji
            .post_form(&format!("/people/{d}/party/full"), &[("_csrf", &csrf), ("meeting_on", "2026-06-10")])
            .await;
        assert_eq!(resp.status(), 303, "redirected to the profile");
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{d}")).await;
        assert!(party_rows(&profile).contains(&"转正日期=2026-06-01".to_owned()));
        app
    })
    .await;
}

#[tokio::test]
async fn a_membership_ends_with_its_reason_and_leaves_later_ledgers_only() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let a = member(&shuji, "去世甲", "37020219700101201", "2000-05-01", Some("2001-05-01")).await;
        let b = member(&shuji, "开除乙", "37020219750101202", "2005-05-01", Some("2006-05-01")).await;
        for pid in [a, b] {
            let (status, base) = shuji
                .send_json(Method::POST, &format!("/api/v1/persons/{pid}/dues-base"), json!({"effective_month": "2026-01", "base": "6000"}))
                .await;
            assert_eq!(status, 201, "{base}");
        }
        let (status, paid) = shuji
            .send_json(Method::POST, "/api/v1/dues/payments", json!({"month": "2026-10", "person_ids": [a, b], "paid_on": "2026-10-15"}))
            .await;
        assert_eq!(status, 200, "{paid}");
        let (_, oct_before) = shuji.get_json("/api/v1/dues?org=10&month=2026-10").await;

        // The roster may not record a death behind the membership's back (API: refused with the reason).
        let edit = json!({"name": "去世甲", "kind": "辅警", "id_number": valid_id("37020219700101201"), "org_id": 10,
                          "political_status": "中共党员", "employment_status": "去世", "status_since": "2026-11-20"});
        let (status, err) = shuji.send_json(Method::PUT, &format!("/api/v1/persons/{a}"), edit).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("employment_status")), "{err}");
        assert!(err["message"].as_str().unwrap().contains("党籍终止"), "{err}");

        // Bad endings are refused by field, nothing written.
        let url = |p: i64| format!("/api/v1/persons/{p}/membership/end");
        for (body, field) in [
            (json!({"kind": "开除", "date": "2026-11-20"}), "kind"),
            (json!({"kind": "开除党籍", "date": "2026-11-20", "reason": "严重违纪"}), "decided_by"),
            (json!({"kind": "开除党籍", "date": "2026-12-20", "reason": "严重违纪", "decided_by": "市局纪委"}), "date"),
            (json!({"kind": "取消预备党员资格", "date": "2026-11-20", "reason": "不履行义务", "decided_by": "某支部"}), "kind"),
        ] {
            let (status, err) = shuji.send_json(Method::POST, &url(b), body.clone()).await;
            assert_eq!((status, err["field"].as_str()), (422, Some(field)), "{body}: {err}");
        }
        let (_, still) = shuji.get_json(&format!("/api/v1/persons/{b}")).await;
        assert!(party_rows(&still).contains(&"组织关系=正常".to_owned()));

        // A committee member expelled leaves the committee.
        let zzb = app.login("zzb").await;
        let (status, _) =
            zzb.send_json(Method::POST, "/api/v1/orgs/10/committee", json!({"person_id": b, "post": "宣传委员"})).await;
        assert_eq!(status, 201);
        let (status, ended) = shuji
            .send_json(
                Method::POST,
                &url(b),
                json!({"kind": "开除党籍", "date": "2026-11-20", "reason": "严重违纪", "decided_by": "中共某市公安局纪律检查委员会", "doc_no": "某公纪〔2026〕12号"}),
            )
            .await;
        assert_eq!(status, 200, "{ended}");
        assert_eq!((ended["status"].as_str(), ended["end_kind"].as_str(), ended["ended_on"].as_str()), (Some("终止"), Some("开除党籍"), Some("2026-11-20")));
        let (status, _) = shuji.send_json(Method::POST, &url(b), json!({"kind": "退党", "date": "2026-11-21", "reason": "x", "decided_by": "y"})).await;
        assert_eq!(status, 409, "ended once");
        let (_, org) = zzb.get_json("/api/v1/orgs/10").await;
        assert!(!org["governance"]["committee"].as_array().unwrap().iter().any(|c| c["person_id"] == b), "post ended");
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{b}")).await;
        assert_eq!(profile["political_status"], "群众", "left the Party");
        let rows = party_rows(&profile);
        assert!(rows.iter().any(|r| r.starts_with("历程=2026-11-20 党籍终止：开除党籍（严重违纪；中共某市公安局纪律检查委员会；某公纪〔2026〕12号）")), "{rows:?}");
        assert!(rows.iter().any(|r| r.contains("免去委员")), "{rows:?}");

        // A death: the roster follows, the political status stays.
        let (status, died) = shuji.send_json(Method::POST, &url(a), json!({"kind": "去世", "date": "2026-11-25"})).await;
        assert_eq!(status, 200, "{died}");
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{a}")).await;
        assert_eq!((profile["political_status"].as_str(), profile["employment_status"].as_str()), (Some("中共党员"), Some("去世")));

        // Ledgers: November still lists them, December does not; October is unchanged.
        let (_, oct_after) = shuji.get_json("/api/v1/dues?org=10&month=2026-10").await;
        assert_eq!(oct_before, oct_after);
        let (_, nov) = shuji.get_json("/api/v1/dues?org=10&month=2026-11").await;
        assert!(ids(&nov).contains(&a) && ids(&nov).contains(&b));
        let (_, dec) = shuji.get_json("/api/v1/dues?org=10&month=2026-12").await;
        assert!(!ids(&dec).contains(&a) && !ids(&dec).contains(&b), "gone from the month after");
        assert_eq!(dec["members"].as_u64().unwrap() + 2, nov["members"].as_u64().unwrap());
        let (status, err) = shuji
            .send_json(Method::POST, "/api/v1/dues/payments", json!({"month": "2026-12", "person_ids": [a], "paid_on": "2026-11-27"}))
            .await;
        assert_eq!((status, err["field"].as_str()), (422, Some("person_ids")), "no dues after the membership ended: {err}");

        // Audited, and out of scope it does not exist.
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?who=shuji&action=party.end").await;
        assert_eq!(log["total"], 2, "{log}");
        let other = secretary_of(&app, "shuji13", 13).await;
        let c = member(&shuji, "范围丙", "37020219800101203", "2010-01-01", Some("2011-01-01")).await;
        let (status, _) = other.send_json(Method::POST, &url(c), json!({"kind": "去世", "date": "2026-11-20"})).await;
        assert_eq!(status, 404);
        let (status, _) = other
            .send_json(Method::POST, &format!("/api/v1/persons/{c}/membership/extend"), json!({"decided_on": "2026-11-20", "months": 6}))
            .await;
        assert_eq!(status, 404);
        assert_eq!(other.get(&format!("/people/{c}/party/end")).await.status(), 404);
        let (_, denied) = auditor.get_json("/api/v1/audit?who=shuji13&action=access.denied").await;
        assert!(denied["total"].as_u64().unwrap() >= 3, "{denied}");
        app
    })
    .await;
}

#[tokio::test]
async fn the_web_asks_what_happens_to_the_membership_and_ends_it_on_its_own_page() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let a = member(&shuji, "网页戊", "37020219650101301", "1990-07-01", Some("1991-07-01")).await;
        let page = shuji.get(&format!("/people/{a}/edit")).await.text().await.unwrap();
        let csrf = crate::support::csrf_in(&page);
        let id_number = valid_id("37020219650101301");
        let resp = shuji
            .post_form(
                &format!("/people/{a}"),
                &[
                    ("_csrf", &csrf),
                    ("name", "网页戊"),
                    ("kind", "辅警"),
                    ("id_number", &id_number),
                    ("org_id", "10"),
                    ("political_status", "中共党员"),
                    ("employment_status", "去世"),
                    ("status_since", "2026-11-20"),
                ],
            )
            .await;
        assert_eq!(resp.status(), 422);
        let html = resp.text().await.unwrap();
        assert!(html.contains("登记党籍终止（去世）"), "the form says what to do with the membership");
        assert!(html.contains(&format!("href=\"/people/{a}/party/end?kind=去世\"")), "and offers the way: {html}");

        let form = shuji.get(&format!("/people/{a}/party/end?kind=%E5%8E%BB%E4%B8%96")).await;
        assert_eq!(form.status(), 200);
        let html = form.text().await.unwrap();
        assert!(html.contains("<option value=\"去世\" selected>"), "the kind asked for is chosen");
        assert!(!html.contains("value=\"取消预备党员资格\""), "not for a full member");
        let resp = shuji
            .post_form(&format!("/people/{a}/party/end"), &[("_csrf", &csrf), ("kind", "去世"), ("date", "")])
            .await;
        assert_eq!(resp.status(), 422);
        assert!(resp.text().await.unwrap().contains("请填写日期"));
        let resp = shuji
            .post_form(&format!("/people/{a}/party/end"), &[("_csrf", &csrf), ("kind", "去世"), ("date", "2026-11-20")])
            .await;
        assert_eq!(resp.status(), 303);
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{a}")).await;
        assert_eq!(profile["employment_status"], "去世");
        assert!(party_rows(&profile).contains(&"党籍终止=2026-11-20 去世".to_owned()), "{:?}", party_rows(&profile));
        app
    })
    .await;
}

#[tokio::test]
async fn a_transfer_leaves_the_previous_months_of_both_branches_as_they_were() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let other = secretary_of(&app, "shuji13", 13).await;
        let a = member(&shuji, "调动己", "37020219850101401", "2010-01-01", Some("2011-01-01")).await;
        let (_, oct10) = shuji.get_json("/api/v1/dues?org=10&month=2026-10").await;
        let (_, oct13) = other.get_json("/api/v1/dues?org=13&month=2026-10").await;
        assert!(ids(&oct10).contains(&a) && !ids(&oct13).contains(&a));
        let (status, t) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{a}/transfers"),
                json!({"to_org_id": 13, "reason": "工作调动"}),
            )
            .await;
        assert_eq!(status, 201, "{t}");
        let (status, _) =
            other.send_json(Method::POST, &format!("/api/v1/transfers/{}/accept", t["id"]), json!({})).await;
        assert_eq!(status, 204);
        let zzb = app.login("zzb").await;
        let (_, oct10_after) = zzb.get_json("/api/v1/dues?org=10&month=2026-10").await;
        let (_, oct13_after) = zzb.get_json("/api/v1/dues?org=13&month=2026-10").await;
        assert_eq!(
            (oct10_after["members"].clone(), oct10_after["due_total"].clone()),
            (oct10["members"].clone(), oct10["due_total"].clone())
        );
        assert_eq!(ids(&oct10_after), ids(&oct10), "the old branch keeps October");
        assert_eq!(ids(&oct13_after), ids(&oct13), "the new branch's October is unchanged");
        let (_, nov10) = zzb.get_json("/api/v1/dues?org=10&month=2026-11").await;
        let (_, nov13) = zzb.get_json("/api/v1/dues?org=13&month=2026-11").await;
        assert!(
            !ids(&nov10).contains(&a) && ids(&nov13).contains(&a),
            "the month of arrival belongs to the new branch"
        );

        // A member counts only from the month of admission.
        let b = member(&shuji, "新党员庚", "37020219960101402", "2026-11-03", None).await;
        let (_, oct) = shuji.get_json("/api/v1/dues?org=10&month=2026-10").await;
        let (_, nov) = shuji.get_json("/api/v1/dues?org=10&month=2026-11").await;
        assert!(!ids(&oct).contains(&b) && ids(&nov).contains(&b));
        app
    })
    .await;
}

#[tokio::test]
async fn six_months_without_dues_lead_to_the_secretarys_review_never_to_a_change() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let a = member(&shuji, "失联辛", "37020219880101501", "2012-01-01", Some("2013-01-01")).await;
        let (status, _) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{a}/dues-base"),
                json!({"effective_month": "2026-01", "base": "4000"}),
            )
            .await;
        assert_eq!(status, 201);
        // Paid for April, nothing since: May to October are six months in a row.
        let (status, _) = shuji
            .send_json(
                Method::POST,
                "/api/v1/dues/payments",
                json!({"month": "2026-04", "person_ids": [a], "paid_on": "2026-04-10"}),
            )
            .await;
        assert_eq!(status, 200);
        let (status, list) = shuji.get_json("/api/v1/lapse").await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(list["window_start"], "2026-05");
        let row = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["person_id"] == a)
            .cloned()
            .unwrap_or_else(|| panic!("{list}"));
        assert_eq!(row["last_paid"], "2026-04");
        assert!(row["dues"].as_str().unwrap().contains("此后连续 6 个月未交"), "{row}");
        assert!(
            row["org_life"].as_str().unwrap().contains("无组织生活参加记录"),
            "the facts not in the system are said so: {row}"
        );
        assert!(row["assigned_work"].as_str().unwrap().contains("无党组织分配工作的记录"));
        let home = shuji.get("/").await.text().await.unwrap();
        assert!(home.contains("失联辛 已连续 6 个月未交纳党费，请按党章第九条了解情况"));
        let page = shuji.get("/party/lapse").await.text().await.unwrap();
        assert!(page.contains(&format!("/people/{a}/party/lapse-review")), "a review form for the member");

        let url = format!("/api/v1/persons/{a}/lapse-review");
        let (status, err) = shuji.send_json(Method::POST, &url, json!({"conclusion": "除名", "note": "x"})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("conclusion")), "{err}");
        let (status, err) = shuji.send_json(Method::POST, &url, json!({"conclusion": "有正当理由", "note": " "})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("note")), "{err}");
        let other = secretary_of(&app, "shuji13", 13).await;
        let (status, _) =
            other.send_json(Method::POST, &url, json!({"conclusion": "有正当理由", "note": "援疆"})).await;
        assert_eq!(status, 404, "out of scope");
        let (status, r) = shuji
            .send_json(
                Method::POST,
                &url,
                json!({"conclusion": "有正当理由", "note": "援疆工作，党费委托当地党组织收取"}),
            )
            .await;
        assert_eq!(status, 201, "{r}");

        // Reviewed: no longer listed nor reminded; the membership is as it was.
        let (_, list) = shuji.get_json("/api/v1/lapse").await;
        assert!(!list["items"].as_array().unwrap().iter().any(|r| r["person_id"] == a));
        assert!(
            list["reviewed"].as_array().unwrap().iter().any(|r| r["person_id"] == a && r["conclusion"] == "有正当理由")
        );
        let home = shuji.get("/").await.text().await.unwrap();
        assert!(!home.contains("失联辛 已连续 6 个月未交纳党费"));
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{a}")).await;
        let rows = party_rows(&profile);
        assert!(rows.contains(&"组织关系=正常".to_owned()), "{rows:?}");
        assert!(rows.iter().any(|r| r.contains("脱党核查：有正当理由（援疆工作")), "{rows:?}");
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?who=shuji&action=party.lapse_review").await;
        assert_eq!(log["total"], 1);
        let (_, denied) = auditor.get_json("/api/v1/audit?who=shuji13&action=access.denied").await;
        assert!(denied["total"].as_u64().unwrap() >= 1);
        app
    })
    .await;
}

#[tokio::test]
async fn a_member_who_retires_becomes_a_retired_member_and_pays_the_retirees_rate() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let a = member(&shuji, "退休壬", "37020219660101601", "1995-07-01", Some("1996-07-01")).await;
        let edit = json!({"name": "退休壬", "kind": "辅警", "id_number": valid_id("37020219660101601"), "org_id": 10,
                          "political_status": "中共党员", "employment_status": "退休", "status_since": "2026-11-01"});
        let (status, body) = shuji.send_json(Method::PUT, &format!("/api/v1/persons/{a}"), edit).await;
        assert_eq!(status, 200, "{body}");
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{a}")).await;
        let rows = party_rows(&profile);
        assert!(rows.contains(&"党员类别=离退休党员".to_owned()), "{rows:?}");
        assert!(rows.iter().any(|r| r.contains("党员类别变更：退休")), "{rows:?}");
        // A retiree with a 6,000 base owes 60 a month (≤ 5000 0.5 %, above 1 %).
        let (status, base) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{a}/dues-base"),
                json!({"effective_month": "2026-11", "base": "6000"}),
            )
            .await;
        assert_eq!(status, 201, "{base}");
        assert_eq!(base["monthly"], "60.00");
        app
    })
    .await;
}

/// A 主题党日 of branch 10 recorded by its secretary, submitted and approved by `reviewer`.
async fn approved_party_day(
    shuji: &Session,
    reviewer: &Session,
    held_on: &str,
    topic: &str,
    minutes: &str,
    attendance: Vec<Value>,
) -> i64 {
    let body = json!({"org_id": 10, "type": "party_day", "held_on": held_on, "topic": topic, "minutes": minutes,
        "attendance": attendance});
    let (status, m) = shuji.send_json(Method::POST, "/api/v1/meetings", body).await;
    assert_eq!(status, 201, "{m}");
    let id = m["id"].as_i64().unwrap();
    approve(shuji, reviewer, id).await;
    id
}

/// Submits record `id` and has `reviewer` approve it.
async fn approve(shuji: &Session, reviewer: &Session, id: i64) {
    let (status, sent) = shuji.send_json(Method::POST, &format!("/api/v1/meetings/{id}/submit"), json!({})).await;
    assert_eq!(status, 200, "{sent}");
    let (status, ok) = reviewer
        .send_json(Method::POST, &format!("/api/v1/meetings/{id}/review"), json!({"decision": "approve"}))
        .await;
    assert_eq!(status, 200, "{ok}");
}

/// A record corrected after approval is a new version, and only its approval changes who is
/// behind: a member marked absent by mistake stays on the list while the correction is a draft,
/// and leaves it when the correction (请假 with a reason) is approved — on the branch's list and
/// on the sub-bureau's, which are found different ways.
#[tokio::test]
async fn an_absence_corrected_in_an_approved_new_version_takes_the_member_off_the_lapse_list() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let fenju = app.login("fenju").await;
        let a = member(&shuji, "更正癸", "37020219870101628", "2012-01-01", Some("2013-01-01")).await;
        let (status, expected) =
            shuji.get_json("/api/v1/meetings/expected?org=10&type=party_day&date=2026-11-20").await;
        assert_eq!(status, 200, "{expected}");
        let seats = |absent: Value| -> Vec<Value> {
            expected
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    let p = m["person_id"].as_i64().unwrap();
                    if p == a { absent.clone() } else { json!({"person_id": p, "status": "出席"}) }
                })
                .collect()
        };
        let topic = "更正用的主题党日";
        let minutes =
            "本次主题党日组织党员学习新修订的纪律处分条例，结合近期队伍管理中的问题开展了讨论，明确了整改措施。";
        let id = approved_party_day(
            &shuji,
            &fenju,
            "2026-11-20",
            topic,
            minutes,
            seats(json!({"person_id": a, "status": "缺席"})),
        )
        .await;
        // Whether the member is on the branch's list and on the sub-bureau's.
        async fn lists(shuji: &Session, fenju: &Session, a: i64) -> (bool, bool) {
            let listed = |list: &Value| list["items"].as_array().unwrap().iter().any(|r| r["person_id"] == a);
            let (_, branch) = shuji.get_json("/api/v1/lapse").await;
            let (_, sub_bureau) = fenju.get_json("/api/v1/lapse").await;
            (listed(&branch), listed(&sub_bureau))
        }
        assert_eq!(lists(&shuji, &fenju, a).await, (true, true));

        let excused = seats(json!({"person_id": a, "status": "请假", "reason": "在外地参加专项培训"}));
        let body = json!({"org_id": 10, "type": "party_day", "held_on": "2026-11-20", "topic": topic,
            "minutes": minutes, "attendance": excused});
        let (status, v2) = shuji.send_json(Method::PUT, &format!("/api/v1/meetings/{id}"), body).await;
        assert_eq!(status, 200, "{v2}");
        let v2 = v2["id"].as_i64().unwrap();
        assert_ne!(v2, id, "an approved record is corrected as a new version");
        assert_eq!(lists(&shuji, &fenju, a).await, (true, true), "the draft correction does not count yet");
        approve(&shuji, &fenju, v2).await;
        assert_eq!(lists(&shuji, &fenju, a).await, (false, false), "the approved correction replaces the absence");
        app
    })
    .await;
}

/// A member absent without leave from the window's approved meetings, and present at none, is on
/// the secretary's list (党章第九条) — found from the branch's own meetings on the branch's pages and
/// from the absences over the sub-bureau, the same member both ways.
#[tokio::test]
async fn a_member_absent_from_every_approved_meeting_is_on_the_lapse_list_at_every_level() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let fenju = app.login("fenju").await;
        // No dues base: the dues rule cannot flag this member, only the absence can.
        let a = member(&shuji, "缺席壬", "37020219870101601", "2012-01-01", Some("2013-01-01")).await;
        let (status, expected) =
            shuji.get_json("/api/v1/meetings/expected?org=10&type=party_day&date=2026-11-20").await;
        assert_eq!(status, 200, "{expected}");
        let attendance: Vec<Value> = expected
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let p = m["person_id"].as_i64().unwrap();
                json!({"person_id": p, "status": if p == a { "缺席" } else { "出席" }})
            })
            .collect();
        assert!(attendance.iter().any(|e| e["person_id"] == a && e["status"] == "缺席"), "{expected}");
        let minutes =
            "本次主题党日组织党员到社区开展矛盾纠纷排查，逐户走访了解群众诉求，并就下一步的巡逻防控分工作了安排。";
        approved_party_day(&shuji, &fenju, "2026-11-20", "缺席核查用的主题党日", minutes, attendance).await;

        let listed = |list: &Value| list["items"].as_array().unwrap().iter().any(|r| r["person_id"] == a);
        let (_, branch) = shuji.get_json("/api/v1/lapse").await;
        assert!(listed(&branch), "the secretary's list: {branch}");
        let (_, sub_bureau) = fenju.get_json("/api/v1/lapse").await;
        assert!(listed(&sub_bureau), "the sub-bureau's list: {sub_bureau}");
        let home = shuji.get("/").await.text().await.unwrap();
        assert!(home.contains("缺席壬 已连续 6 个月未参加组织生活（缺席且未请假）"), "the secretary's home page");
        // Present at one approved meeting of the window: no longer listed.
        let present: Vec<Value> = expected
            .as_array()
            .unwrap()
            .iter()
            .map(|m| json!({"person_id": m["person_id"], "status": "出席"}))
            .collect();
        let minutes =
            "组织未参加上次活动的党员集中补学，书记讲解了党章关于党员义务的规定，与会党员逐一谈了体会和打算。";
        approved_party_day(&shuji, &fenju, "2026-11-25", "补学习", minutes, present).await;
        let (_, branch) = shuji.get_json("/api/v1/lapse").await;
        assert!(!listed(&branch), "{branch}");
        let (_, sub_bureau) = fenju.get_json("/api/v1/lapse").await;
        assert!(!listed(&sub_bureau), "{sub_bureau}");
        app
    })
    .await;
}
