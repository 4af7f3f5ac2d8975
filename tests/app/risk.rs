//! 队伍隐患排查 (issue 14): a screening run by two branches — one flags a member, one confirms
//! "no finding" for everyone in one action — with completion derived; a flag raises a must-visit
//! and is followed up to its closure with full history; the early-warning list explains each
//! entry (a sanction in effect appears with that reason) and records people's decisions; flags
//! are need-to-know (an out-of-scope secretary and the system administrator are refused by id and
//! the auditor sees the attempts); bad input is refused with Chinese reasons and nothing saved.

use reqwest::Method;
use serde_json::{Value, json};

use crate::party::account_of;
use crate::support::{Session, on_all_backends};

/// The first person of `org` matching `query`, skipping `skip`.
async fn person(zzb: &Session, org: i32, query: &str, skip: usize) -> i64 {
    let (_, list) = zzb.get_json(&format!("/api/v1/persons?org={org}&{query}&page_size=50")).await;
    list["items"].as_array().unwrap()[skip]["id"].as_i64().unwrap_or_else(|| panic!("no {query} in {org}: {list}"))
}

/// The id of the category with `code`.
async fn category(s: &Session, code: &str) -> i64 {
    let (status, list) = s.get_json("/api/v1/risk-categories").await;
    assert_eq!(status, 200, "{list}");
    list["items"].as_array().unwrap().iter().find(|c| c["code"] == code).unwrap()["id"].as_i64().unwrap()
}

async fn flag(s: &Session, body: Value) -> (u16, Value) {
    s.send_json(Method::POST, "/api/v1/risk-flags", body).await
}

fn fields(err: &Value) -> Vec<String> {
    err["errors"].as_array().map_or_else(
        || vec![err["field"].as_str().unwrap_or_default().to_owned()],
        |a| a.iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect(),
    )
}

fn messages(err: &Value) -> String {
    err["errors"].as_array().map_or_else(
        || err["message"].as_str().unwrap_or_default().to_owned(),
        |a| a.iter().map(|e| e["message"].as_str().unwrap().to_owned()).collect::<Vec<_>>().join("；"),
    )
}

/// The number in the home page's "红色风险提示 N 条未结" item (0 without one).
async fn red_count(s: &Session) -> u64 {
    let home = s.get("/").await.text().await.unwrap();
    home.split("红色风险提示 ").nth(1).and_then(|rest| rest.split(' ').next()).map_or(0, |n| n.parse().unwrap())
}

async fn people_in(zzb: &Session, org: i32) -> i64 {
    zzb.get_json(&format!("/api/v1/persons?org={org}&page_size=1")).await.1["total"].as_i64().unwrap()
}

#[tokio::test]
async fn a_screening_run_by_two_branches_derives_completion_and_a_flag_is_followed_to_its_closure() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let shuji = app.login("shuji").await;
        let shuji13 = account_of(&app, "shuji13", "secretary", 13).await;
        let body = json!({"name": "2026年第四季度队伍隐患排查", "starts_on": "2026-11-20", "ends_on": "2026-12-20",
            "org_id": 6, "focus": ["执法办案", "矛盾纠纷"]});
        // A secretary cannot launch one.
        assert_eq!(shuji.send_json(Method::POST, "/api/v1/screenings", body.clone()).await.0, 403);
        let (status, s) = zzb.send_json(Method::POST, "/api/v1/screenings", body).await;
        assert_eq!(status, 201, "{s}");
        let id = s["id"].as_i64().unwrap();
        let branches = s["branches"].as_u64().unwrap();
        assert!(branches > 2, "the sub-bureau has more than the two branches that finish: {s}");
        assert_eq!((s["done"].as_u64(), s["focus"].clone()), (Some(0), json!(["执法办案", "矛盾纠纷"])));

        // The open campaign is a to-do item for the branches that have not finished.
        let home = shuji.get("/").await.text().await.unwrap();
        assert!(
            home.contains("排查活动“2026年第四季度队伍隐患排查”：中山路派出所党支部尚未完成排查"),
            "the secretary's to-do"
        );

        // Branch 10 flags one member in the campaign: the flag raises a must-visit.
        let p = person(&zzb, 10, "kind=民警", 2).await;
        let c05 = category(&shuji, "c05").await;
        let (status, f) = flag(
            &shuji,
            json!({"person_id": p, "category_id": c05, "facts": "与邻居因宅基地纠纷多次争吵",
            "source": "排查", "screening_id": id, "cadre": "支部书记"}),
        )
        .await;
        assert_eq!(status, 201, "{f}");
        assert_eq!(
            (f["level"].as_str(), f["status"].as_str()),
            (Some("橙"), Some("待跟进")),
            "the category's default level"
        );
        assert_eq!(f["next_review_on"], "2026-12-27", "opened today plus the category's 30 days");
        let fid = f["id"].as_i64().unwrap();
        let (_, tasks) = zzb.get_json(&format!("/api/v1/visit-tasks?person={p}")).await;
        let task = tasks["items"].as_array().unwrap().iter().find(|t| t["source"] == format!("risk_flag#{fid}"));
        assert_eq!(task.map(|t| t["situation"].as_str()), Some(Some("family_conflict")), "{tasks}");

        // Each branch finishes in one action; everyone not flagged is "no finding".
        let (status, done10) =
            shuji.send_json(Method::POST, &format!("/api/v1/screenings/{id}/branches/10/confirm"), json!({})).await;
        assert_eq!(status, 200, "{done10}");
        assert_eq!(
            (done10["flagged"].as_i64(), done10["no_finding"].as_i64()),
            (Some(1), Some(people_in(&zzb, 10).await - 1))
        );
        let (status, err) =
            shuji.send_json(Method::POST, &format!("/api/v1/screenings/{id}/branches/10/confirm"), json!({})).await;
        assert_eq!(status, 409, "{err}");
        assert!(messages(&err).contains("已于 2026-11-27 确认完成"), "{err}");
        assert_eq!(
            shuji.send_json(Method::POST, &format!("/api/v1/screenings/{id}/branches/13/confirm"), json!({})).await.0,
            404
        );
        let (status, done13) = shuji13
            .send_json(
                Method::POST,
                &format!("/api/v1/screenings/{id}/branches/13/confirm"),
                json!({"note": "逐人排查，未发现问题"}),
            )
            .await;
        assert_eq!(status, 200, "{done13}");
        assert_eq!(
            (done13["flagged"].as_i64(), done13["no_finding"].as_i64()),
            (Some(0), Some(people_in(&zzb, 13).await))
        );

        // Completion is derived from the confirmations, per unit.
        let (_, d) = zzb.get_json(&format!("/api/v1/screenings/{id}?page_size=100")).await;
        assert_eq!(
            (d["screening"]["done"].as_u64(), d["screening"]["branches"].as_u64()),
            (Some(2), Some(branches)),
            "{d}"
        );
        let unit = |org: i64| d["units"].as_array().unwrap().iter().find(|u| u["org_id"] == org).cloned().unwrap();
        assert_eq!((unit(10)["branches"].as_u64(), unit(10)["done"].as_u64()), (Some(1), Some(1)));
        assert_eq!(unit(7)["done"], 0);
        let listed = d["branch_list"].as_array().unwrap();
        assert_eq!(listed.iter().filter(|b| b["done"] == true).count(), 2);
        let home = zzb.get("/").await.text().await.unwrap();
        let todo = format!("排查活动“2026年第四季度队伍隐患排查”：{} 个支部尚未完成排查", branches - 2);
        assert!(home.contains(&todo), "the party office's to-do");
        let page = zzb.get(&format!("/risk/screenings/{id}")).await.text().await.unwrap();
        assert!(page.contains("screening-done") && page.contains("已完成"));

        // Follow-up: a dated measure moves it to 跟进中; closing needs a reason; then it is closed.
        let step = |body: Value| {
            let shuji = &shuji;
            async move { shuji.send_json(Method::POST, &format!("/api/v1/risk-flags/{fid}/steps"), body).await }
        };
        let (status, f) = step(json!({"measure": "谈心谈话", "on": "2026-11-27", "note": "本人情绪平稳"})).await;
        assert_eq!((status, f["status"].as_str()), (200, Some("跟进中")), "{f}");
        let (status, err) = step(json!({"status": "已化解"})).await;
        assert_eq!((status, fields(&err)), (422, vec!["closure".to_owned()]), "{err}");
        let (status, err) = step(json!({"status": "待跟进"})).await;
        assert_eq!(status, 422, "no way back: {err}");
        let (status, f) =
            step(json!({"measure": "帮教", "status": "已化解", "closure": "经社区调解，纠纷已化解"})).await;
        assert_eq!(
            (status, f["status"].as_str(), f["closed_on"].as_str()),
            (200, Some("已化解"), Some("2026-11-27")),
            "{f}"
        );
        let kinds: Vec<&str> = f["history"].as_array().unwrap().iter().map(|h| h["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["opened", "measure", "measure"]);
        assert_eq!(f["history"][2]["note"], "经社区调解，纠纷已化解");
        assert_eq!(step(json!({"measure": "谈心谈话"})).await.0, 409, "a closed flag takes no more steps");

        // A 红 flag shows on the home page of the sub-bureau's party admin and discipline staff.
        let jijian = app.login("jijian").await;
        let bureau_admin = account_of(&app, "zzb6", "party_admin", 6).await;
        let before = [red_count(&bureau_admin).await, red_count(&jijian).await];
        let q = person(&zzb, 13, "kind=民警", 0).await;
        let c12 = category(&jijian, "c12").await;
        let (status, red) = flag(
            &jijian,
            json!({"person_id": q, "category_id": c12, "facts": "参与赌博被举报",
            "source": "投诉", "cadre": "纪检监察室"}),
        )
        .await;
        assert_eq!((status, red["level"].as_str()), (201, Some("红")), "{red}");
        assert_eq!([red_count(&bureau_admin).await, red_count(&jijian).await], before.map(|n| n + 1));
        assert_eq!(red_count(&shuji).await, 0, "a secretary's home page has no such item");
        app
    })
    .await;
}

#[tokio::test]
async fn the_warning_list_explains_each_entry_and_people_decide() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let jijian = app.login("jijian").await;
        let p = person(&zzb, 10, "kind=民警&political_status=中共党员", 3).await;
        let before = jijian.get_json(&format!("/api/v1/warnings?person_id={p}")).await.1;
        let had =
            before["items"].as_array().unwrap().first().map(|w| w["reasons"].as_array().unwrap().len()).unwrap_or(0);
        let (status, s) = jijian
            .send_json(
                Method::POST,
                "/api/v1/sanctions",
                json!({"person_id": p, "kind": "记过", "decided_on": "2026-05-01",
                "facts": "值班期间脱岗", "decided_by": "海滨市公安局"}),
            )
            .await;
        assert_eq!(status, 201, "{s}");

        // The entry says exactly why: the sanction, its period and what it bars.
        let (status, list) = jijian.get_json(&format!("/api/v1/warnings?person_id={p}")).await;
        assert_eq!((status, list["total"].as_u64()), (200, Some(1)), "{list}");
        let w = &list["items"][0];
        let reasons = w["reasons"].as_array().unwrap();
        assert_eq!(reasons.len(), had + 1, "{w}");
        let r = reasons.iter().find(|r| r["rule"] == "sanction").unwrap();
        assert!(r["text"].as_str().unwrap().contains("记过（政务处分），2026-05-01 生效"), "{r}");
        assert_eq!((w["reviewed"].as_bool(), w["org_id"].as_i64()), (Some(false), Some(10)));
        assert!(w.get("score").is_none(), "no score");

        // A decision needs a note; it holds while the reasons stay the same.
        let decide = |body: Value| {
            let jijian = &jijian;
            async move { jijian.send_json(Method::POST, "/api/v1/warnings/decisions", body).await }
        };
        let (status, err) = decide(json!({"person_id": p, "decision": "no_action"})).await;
        assert_eq!((status, fields(&err)), (422, vec!["note".to_owned()]), "{err}");
        let (status, d) =
            decide(json!({"person_id": p, "decision": "no_action", "note": "已谈话，处分正在执行"})).await;
        assert_eq!(status, 201, "{d}");
        assert!(d["reasons"].as_array().unwrap().iter().any(|r| r.as_str().unwrap().contains("记过")));
        let (_, list) = jijian.get_json(&format!("/api/v1/warnings?person_id={p}")).await;
        assert_eq!(
            (list["items"][0]["reviewed"].as_bool(), list["items"][0]["decision"]["decision"].as_str()),
            (Some(true), Some("no_action"))
        );
        assert_eq!(jijian.get_json(&format!("/api/v1/warnings?person_id={p}&pending=true")).await.1["total"], 0);

        // "Open a flag": the flag is opened in the same action; the new fact reopens the review.
        let c02 = category(&jijian, "c02").await;
        let (status, d) = decide(json!({"person_id": p, "decision": "flag", "note": "列为风险人员跟进",
            "flag": {"category_id": c02, "source": "处分", "cadre": "纪检监察室", "facts": "处分影响期内"}}))
        .await;
        assert_eq!(status, 201, "{d}");
        let fid = d["flag_id"].as_i64().unwrap();
        let (_, f) = jijian.get_json(&format!("/api/v1/risk-flags/{fid}")).await;
        assert_eq!((f["person_id"].as_i64(), f["level"].as_str()), (Some(p), Some("橙")));
        let (_, list) = jijian.get_json(&format!("/api/v1/warnings?person_id={p}&pending=true")).await;
        let w = &list["items"][0];
        assert_eq!(w["reviewed"], false, "{list}");
        assert!(
            w["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["rule"] == "open_flag" && r["text"].as_str().unwrap().contains("未结的橙色风险提示"))
        );
        assert_eq!(w["level"], "橙");

        // A rule switched off gives no reasons; someone not on the list needs no decision.
        let (_, rules) = jijian.get_json("/api/v1/warnings/rules").await;
        let rule = |code: &str| {
            rules["items"].as_array().unwrap().iter().find(|r| r["code"] == code).unwrap()["id"].as_i64().unwrap()
        };
        let (status, r) = jijian
            .send_json(Method::PUT, &format!("/api/v1/warnings/rules/{}", rule("sanction")), json!({"enabled": false}))
            .await;
        assert_eq!((status, r["enabled"].as_bool()), (200, Some(false)));
        let (_, list) = jijian.get_json(&format!("/api/v1/warnings?person_id={p}")).await;
        assert!(list["items"][0]["reasons"].as_array().unwrap().iter().all(|r| r["rule"] != "sanction"));
        let (status, err) = jijian
            .send_json(Method::PUT, &format!("/api/v1/warnings/rules/{}", rule("org_life")), json!({"threshold": 40}))
            .await;
        assert_eq!((status, fields(&err)), (422, vec!["threshold".to_owned()]));

        // Only discipline and party admins see the list; the page shows the reasons.
        for user in ["shuji", "lingdao", "admin", "auditor", "dangyuan"] {
            assert_eq!(app.login(user).await.get_json("/api/v1/warnings").await.0, 403, "{user}");
        }
        let page = zzb.get("/risk/warnings?pending=true").await.text().await.unwrap();
        assert!(page.contains("未结的橙色风险提示"), "the page lists the reasons");
        app
    })
    .await;
}

#[tokio::test]
async fn flags_are_need_to_know_and_bad_input_is_refused_whole() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let shuji = app.login("shuji").await;
        let p = person(&zzb, 10, "kind=民警", 4).await;
        let c06 = category(&zzb, "c06").await;
        let (status, f) =
            flag(&shuji, json!({"person_id": p, "category_id": c06, "source": "家访", "cadre": "支部书记"})).await;
        assert_eq!((status, f["level"].as_str()), (201, Some("黄")), "黄 without facts is allowed: {f}");
        let fid = f["id"].as_i64().unwrap();

        // An out-of-scope secretary: 404; the system administrator and the auditor: 403.
        let shuji13 = account_of(&app, "shuji13", "secretary", 13).await;
        assert_eq!(shuji13.get_json(&format!("/api/v1/risk-flags/{fid}")).await.0, 404);
        assert_eq!(shuji13.get(&format!("/risk/flags/{fid}")).await.status(), 404);
        assert_eq!(
            shuji13
                .send_json(Method::POST, &format!("/api/v1/risk-flags/{fid}/steps"), json!({"measure": "帮教"}))
                .await
                .0,
            404
        );
        assert_eq!(
            flag(&shuji13, json!({"person_id": p, "category_id": c06, "source": "家访", "cadre": "x"})).await.0,
            404
        );
        for user in ["admin", "auditor", "lingdao", "dangyuan"] {
            let s = app.login(user).await;
            assert_eq!(s.get_json(&format!("/api/v1/risk-flags/{fid}")).await.0, 403, "{user}");
            assert_eq!(s.get_json("/api/v1/risk-flags").await.0, 403, "{user}");
        }
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?action=access.denied&page_size=100").await;
        let seen = |who: &str, object: &str| {
            log["items"].as_array().unwrap().iter().any(|e| e["actor"] == who && e["object"] == object)
        };
        assert!(seen("shuji13", &format!("risk_flag#{fid}")), "{log}");
        assert!(seen("admin", &format!("risk_flag#{fid}")), "the system administrator's attempt");
        assert!(seen("shuji13", &format!("person#{p}")), "the refused flag on an out-of-scope person");
        // The own secretary reads it, and the read is audited.
        assert_eq!(shuji.get_json(&format!("/api/v1/risk-flags/{fid}")).await.0, 200);
        let (_, reads) = auditor.get_json("/api/v1/audit?action=sensitive.read&who=shuji&page_size=50").await;
        assert!(reads["items"].as_array().unwrap().iter().any(|e| e["object"] == format!("risk_flag#{fid}")));

        // Leaders see counts, never names or facts.
        let lingdao = app.login("lingdao").await;
        let (status, stats) = lingdao.get_json("/api/v1/risk-flags/stats").await;
        assert_eq!((status, stats["names"].as_bool()), (200, Some(false)), "{stats}");
        assert!(stats["total"].as_u64().unwrap() >= 1);
        let level = |l: &str| {
            stats["by_level"].as_array().unwrap().iter().find(|c| c["label"] == l).unwrap()["count"].as_u64().unwrap()
        };
        assert!(level("黄") >= 1);
        assert!(!stats.to_string().contains(&f["person_name"].as_str().unwrap().to_owned()));
        let res = zzb.get("/risk/stats/export.xlsx").await;
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));

        // Bad input: a retired category and 红 without facts, both named, nothing saved.
        let c13 = category(&zzb, "c13").await;
        let (status, c) =
            zzb.send_json(Method::PUT, &format!("/api/v1/risk-categories/{c13}"), json!({"retired": true})).await;
        assert_eq!((status, c["retired"].as_bool()), (200, Some(true)), "{c}");
        assert_eq!(
            shuji.send_json(Method::PUT, &format!("/api/v1/risk-categories/{c13}"), json!({"retired": false})).await.0,
            403
        );
        let q = person(&zzb, 10, "kind=民警", 5).await;
        let (status, err) = flag(
            &shuji,
            json!({"person_id": q, "category_id": c13, "level": "红", "facts": "  ",
            "source": "排查", "cadre": "支部书记"}),
        )
        .await;
        assert_eq!(status, 422, "{err}");
        assert_eq!(fields(&err), ["category_id", "facts"], "{err}");
        let text = messages(&err);
        assert!(text.contains("已停用") && text.contains("红色风险提示必须写明事实依据"), "{text}");
        let (status, err) =
            flag(&shuji, json!({"person_id": q, "category_id": c06, "level": "紫", "source": "传闻", "cadre": ""}))
                .await;
        assert_eq!(
            (status, fields(&err)),
            (422, vec!["level".to_owned(), "source".to_owned(), "cadre".to_owned()]),
            "{err}"
        );
        assert_eq!(shuji.get_json(&format!("/api/v1/risk-flags?person_id={q}")).await.1["total"], 0, "nothing saved");
        let (_, tasks) = zzb.get_json(&format!("/api/v1/visit-tasks?person={q}&status=all")).await;
        assert!(
            tasks["items"].as_array().unwrap().iter().all(|t| !t["source"].as_str().unwrap().starts_with("risk_flag"))
        );

        // The dictionary: rename, add, a used category is never deleted, an unused one may be.
        let (status, c) = zzb
            .send_json(Method::PUT, &format!("/api/v1/risk-categories/{c06}"), json!({"name": "思想波动人员"}))
            .await;
        assert_eq!(
            (status, c["name"].as_str(), c["example"].as_bool(), c["used"].as_u64()),
            (200, Some("思想波动人员"), Some(false), Some(1))
        );
        let (status, err) = zzb.send_json(Method::DELETE, &format!("/api/v1/risk-categories/{c06}"), json!({})).await;
        assert_eq!(status, 409, "{err}");
        assert!(messages(&err).contains("请改为停用"));
        let (status, added) = zzb
            .send_json(
                Method::POST,
                "/api/v1/risk-categories",
                json!({"code": "x21", "name": "网络借贷人员",
            "group": "经济状况", "applies_to": "辅警", "default_level": "橙", "review_days": 45}),
            )
            .await;
        assert_eq!(status, 201, "{added}");
        let (status, err) =
            zzb.send_json(Method::POST, "/api/v1/risk-categories", json!({"code": "x21", "name": "重复"})).await;
        assert_eq!((status, fields(&err)), (422, vec!["code".to_owned()]));
        // It applies to 辅警 only.
        let (status, err) =
            flag(&shuji, json!({"person_id": q, "category_id": added["id"], "source": "排查", "cadre": "支部书记"}))
                .await;
        assert_eq!((status, fields(&err)), (422, vec!["category_id".to_owned()]), "{err}");
        assert_eq!(
            zzb.send_json(Method::DELETE, &format!("/api/v1/risk-categories/{}", added["id"]), json!({})).await.0,
            204
        );

        // The pages open for the roles that work with them.
        for path in
            ["/risk", &format!("/risk/flags/{fid}"), "/risk/screenings", "/risk/categories", "/risk/stats", "/risk/new"]
        {
            assert_eq!(shuji.get(path).await.status(), 200, "{path}");
        }
        assert!(shuji.get(&format!("/risk/flags/{fid}")).await.text().await.unwrap().contains("思想波动人员"));
        app
    })
    .await;
}
