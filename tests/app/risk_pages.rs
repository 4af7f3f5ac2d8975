//! The risk module's browser pages added for issue 14: the early-warning rules edited in the
//! browser with the reasons beside the fields; "open a flag" from the review list (the new-flag
//! form prefilled with the person and the reasons, the decision recorded with the flag); the
//! person picker of the new-flag form within the caller's scope; a leader's view of a campaign's
//! completion (counts per unit, no names); the person's flags on 一人一档, masked and revealed
//! only to the roles the discipline-and-risk class allows, with the refusals audited.

use reqwest::Method;
use serde_json::{Value, json};

use crate::party::account_of;
use crate::support::{Session, TestApp, on_all_backends, valid_id};

async fn rule_id(s: &Session, code: &str) -> i64 {
    let (_, rules) = s.get_json("/api/v1/warnings/rules").await;
    rules["items"].as_array().unwrap().iter().find(|r| r["code"] == code).unwrap()["id"].as_i64().unwrap()
}

async fn rule(s: &Session, code: &str) -> Value {
    let (_, rules) = s.get_json("/api/v1/warnings/rules").await;
    rules["items"].as_array().unwrap().iter().find(|r| r["code"] == code).unwrap().clone()
}

/// A 民警 of branch 10 created for the test (no records of their own yet).
async fn officer(shuji: &Session, name: &str, id17: &str, no: &str) -> i64 {
    let body = json!({"name": name, "kind": "民警", "police_no": no, "org_id": 10,
        "id_number": valid_id(id17), "political_status": "群众", "employment_status": "在职"});
    let (status, created) = shuji.send_json(Method::POST, "/api/v1/persons", body).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().unwrap()
}

async fn category(s: &Session, code: &str) -> String {
    let (_, list) = s.get_json("/api/v1/risk-categories").await;
    list["items"].as_array().unwrap().iter().find(|c| c["code"] == code).unwrap()["id"].to_string()
}

async fn audit_total(app: &TestApp, query: &str) -> u64 {
    let auditor = app.login("auditor").await;
    auditor.get_json(&format!("/api/v1/audit?{query}&page_size=50")).await.1["total"].as_u64().unwrap()
}

#[tokio::test]
async fn warning_rules_are_edited_in_the_browser_with_the_reasons_beside_the_fields() {
    on_all_backends(|app| async move {
        let jijian = app.login("jijian").await;
        let page = jijian.get("/risk/warnings/rules").await;
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        for name in ["连续六个月未交纳党费", "辅警劳动合同临近到期且有未结风险提示", "处分仍在影响期内"]
        {
            assert!(html.contains(name), "{name}");
        }
        let id = rule_id(&jijian, "contract_flag").await;
        let url = format!("/risk/warnings/rules/{id}");

        // Refused: the reason beside the field, the value typed kept, nothing saved.
        let res = jijian.post_form(&url, &[("enabled", "1"), ("level", "橙"), ("threshold", "四十")]).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("<span class=\"field-error\">阈值“四十”应为整数</span>"), "{html}");
        assert!(html.contains("value=\"四十\""), "the typed value is kept");
        let res = jijian.post_form(&url, &[("enabled", "1"), ("level", "紫"), ("threshold", "400")]).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("<span class=\"field-error\">等级“紫”应为 黄、橙 或 红</span>"), "{html}");
        assert!(html.contains("<span class=\"field-error\">提前提示的天数应为 1 至 365</span>"), "{html}");
        let r = rule(&jijian, "contract_flag").await;
        assert_eq!((r["threshold"].as_i64(), r["level"].as_str()), (Some(60), Some("橙")), "nothing saved: {r}");

        // Saved: level, days and switched off (an unticked box).
        let res = jijian.post_form(&url, &[("level", "红"), ("threshold", "30")]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(res.headers()["location"], "/risk/warnings/rules");
        let r = rule(&jijian, "contract_flag").await;
        assert_eq!(
            (r["threshold"].as_i64(), r["level"].as_str(), r["enabled"].as_bool()),
            (Some(30), Some("红"), Some(false))
        );
        assert!(jijian.get("/risk/warnings/rules").await.text().await.unwrap().contains("已保存预警规则"));
        assert_eq!(audit_total(&app, "who=jijian&action=risk.rule").await, 1);

        // As the API: only discipline and party admins.
        for user in ["shuji", "lingdao", "admin", "auditor"] {
            let s = app.login(user).await;
            assert_eq!(s.get("/risk/warnings/rules").await.status(), 403, "{user}");
            assert_eq!(
                s.post_form(&url, &[("enabled", "1"), ("level", "黄"), ("threshold", "60")]).await.status(),
                403
            );
        }
        assert_eq!(rule(&jijian, "contract_flag").await["level"], "红", "unchanged by the refused");
        app
    })
    .await;
}

#[tokio::test]
async fn a_flag_opened_from_the_warning_list_records_the_decision_and_the_picker_keeps_to_the_scope() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let jijian = app.login("jijian").await;
        let p = officer(&shuji, "预警丁", "37020219860101781", "771301").await;
        let (status, s) = jijian
            .send_json(
                Method::POST,
                "/api/v1/sanctions",
                json!({"person_id": p, "kind": "记过", "decided_on": "2026-05-01", "facts": "值班期间脱岗",
                    "decided_by": "海滨市公安局"}),
            )
            .await;
        assert_eq!(status, 201, "{s}");

        // The list's button opens the form with the person and the reasons as facts.
        let list = jijian.get(&format!("/risk/warnings?person_id={p}")).await.text().await.unwrap();
        let link = format!("/risk/new?person_id={p}&amp;warning=1");
        assert!(list.contains(&link), "{list}");
        let form = jijian.get(&format!("/risk/new?person_id={p}&warning=1")).await.text().await.unwrap();
        assert!(form.contains(&format!("value=\"预警丁（#{p}）\"")), "the picker shows the person");
        assert!(form.contains("data-picker=\"/risk/options\""));
        assert!(form.contains("name=\"warning\" value=\"1\""));
        assert!(form.contains("预警事实：\n处分仍在影响期内：记过（政务处分），2026-05-01 生效"), "{form}");

        // Refused beside the field (no category), nothing saved; then saved with the decision.
        let person = format!("预警丁（#{p}）");
        let facts = "预警事实：处分仍在影响期内";
        let mut fields = vec![
            ("person_id", person.as_str()),
            ("source", "处分"),
            ("cadre", "纪检监察室"),
            ("facts", facts),
            ("warning", "1"),
            ("note", "列为风险人员跟进"),
        ];
        let res = jijian.post_form("/risk", &fields).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("<p class=\"field-error\">请选择风险人员类别</p>"), "{html}");
        let (_, w) = jijian.get_json(&format!("/api/v1/warnings?person_id={p}")).await;
        assert!(w["items"][0]["decision"].is_null(), "no decision yet: {w}");
        let c02 = category(&jijian, "c02").await;
        fields.push(("category_id", &c02));
        let res = jijian.post_form("/risk", &fields).await;
        assert_eq!(res.status(), 303);
        let to = res.headers()["location"].to_str().unwrap().to_owned();
        let fid: i64 = to.strip_prefix("/risk/flags/").unwrap().parse().unwrap();
        let (_, w) = jijian.get_json(&format!("/api/v1/warnings?person_id={p}")).await;
        let d = &w["items"][0]["decision"];
        assert_eq!((d["decision"].as_str(), d["flag_id"].as_i64()), (Some("flag"), Some(fid)), "{w}");
        assert!(d["reasons"].to_string().contains("记过"), "{d}");
        let (_, f) = jijian.get_json(&format!("/api/v1/risk-flags/{fid}")).await;
        assert_eq!((f["person_id"].as_i64(), f["facts"].as_str()), (Some(p), Some(facts)));
        assert_eq!(audit_total(&app, "who=jijian&action=risk.warning_decide").await, 1);

        // The other risk forms keep what was typed and say what is wrong beside the field.
        let res = jijian
            .post_form(
                &format!("/risk/flags/{fid}/steps"),
                &[("measure", "谈心谈话"), ("note", "谈话后情绪平稳"), ("status", "已化解"), ("closure", "")],
            )
            .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("<p class=\"field-error\">改为“已化解”须写明理由</p>"), "{html}");
        assert!(html.contains(">谈话后情绪平稳</textarea>"), "the note typed is kept");
        let (_, f) = jijian.get_json(&format!("/api/v1/risk-flags/{fid}")).await;
        assert_eq!(f["status"], "待跟进", "nothing saved: {f}");
        let res = jijian.post_form("/risk/warnings/decide", &[("person_id", &p.to_string()), ("note", " ")]).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("<span class=\"field-error\">“已审看，暂不处置”请写明审看意见</span>"), "{html}");

        // The picker: by name, within the caller's scope only; text naming nobody is refused beside the field.
        let (status, found) = jijian.get_json("/risk/options?q=预警丁").await;
        assert_eq!(status, 200);
        assert!(found.to_string().contains(&format!("预警丁（#{p}）")), "{found}");
        let shuji13 = account_of(&app, "shuji13", "secretary", 13).await;
        let (status, found) = shuji13.get_json("/risk/options?q=预警丁").await;
        assert_eq!(status, 200);
        assert!(!found.to_string().contains("预警丁"), "out of scope: {found}");
        assert_eq!(app.login("admin").await.get("/risk/options?q=预警丁").await.status(), 403);
        let res = jijian.post_form("/risk", &[("person_id", "查无此人"), ("source", "排查"), ("cadre", "x")]).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("<p class=\"field-error\">请从提示列表中选择人员"));
        let res = shuji13
            .post_form("/risk", &[("person_id", &person), ("category_id", &c02), ("source", "排查"), ("cadre", "x")])
            .await;
        assert_eq!(res.status(), 404, "out of scope");
        assert!(audit_total(&app, "who=shuji13&action=access.denied").await >= 1);
        app
    })
    .await;
}

/// The sub-bureau's year-end screening, started by the whole-bureau party office: its id.
async fn year_end_screening(zzb: &Session) -> i64 {
    let body = json!({"name": "年底队伍隐患排查", "starts_on": "2026-11-25", "ends_on": "2026-12-15",
        "org_id": 6, "focus": ["执法办案"]});
    let (status, s) = zzb.send_json(Method::POST, "/api/v1/screenings", body).await;
    assert_eq!(status, 201, "{s}");
    s["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_leader_sees_a_campaigns_completion_per_unit_and_no_names() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let shuji = app.login("shuji").await;
        let before = zzb.get_json("/api/v1/screenings").await.1["items"].as_array().unwrap().len();
        let id = year_end_screening(&zzb).await;
        let (status, c) = shuji
            .send_json(Method::POST, &format!("/api/v1/screenings/{id}/branches/10/confirm"), json!({"note": ""}))
            .await;
        assert_eq!(status, 200, "{c}");

        let (_, full) = zzb.get_json(&format!("/api/v1/screenings/{id}?page_size=100")).await;
        let mine = full["branch_list"].as_array().unwrap().iter().find(|b| b["org_id"] == 10).cloned().unwrap();
        let confirmer = mine["confirmed_by"].as_str().unwrap().to_owned();
        assert!(!confirmer.is_empty());
        let lingdao = app.login("lingdao").await;
        let (status, d) = lingdao.get_json(&format!("/api/v1/screenings/{id}")).await;
        assert_eq!(status, 200, "{d}");
        assert_eq!(d["counts_only"], true);
        assert_eq!(d["branch_list"], json!([]), "no branch list, no confirmer");
        let done: u64 = d["units"].as_array().unwrap().iter().map(|u| u["done"].as_u64().unwrap()).sum();
        assert_eq!(done, 1, "{d}");
        let html = lingdao.get(&format!("/risk/screenings/{id}")).await.text().await.unwrap();
        assert!(html.contains("各单位完成情况") && html.contains("screening-counts-only"), "{html}");
        assert!(!html.contains("screening-branches") && !html.contains(&confirmer), "no names: {html}");
        let list = lingdao.get("/risk/screenings").await.text().await.unwrap();
        assert!(list.contains("年底队伍隐患排查"));
        // Counts only: the flags themselves stay closed to a leader.
        assert_eq!(lingdao.get("/risk").await.status(), 403);
        assert_eq!(lingdao.get("/risk/new").await.status(), 403);
        // The launch form says what is wrong beside each field and keeps what was typed.
        let res = zzb
            .post_form(
                "/risk/screenings",
                &[("name", ""), ("org_id", "6"), ("starts_on", "2026-12-10"), ("ends_on", "2026-12-01")],
            )
            .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        for e in ["请填写排查活动名称", "结束日期不能早于开始日期", "请至少选择一项排查重点"]
        {
            assert!(html.contains(&format!("<p class=\"field-error\">{e}</p>")), "{e}: {html}");
        }
        assert!(html.contains("value=\"2026-12-10\""), "the dates typed are kept");
        let res = zzb.post_form("/risk/screenings", &[("name", "x"), ("org_id", "分局"), ("focus", "执法办案")]).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("<p class=\"field-error\">范围“分局”应为党组织编号</p>"));
        assert_eq!(
            zzb.get_json("/api/v1/screenings").await.1["items"].as_array().unwrap().len(),
            before + 1,
            "nothing saved"
        );
        // Launched in the browser with two focus areas ticked.
        let fields = [
            ("name", "春节前隐患排查"),
            ("org_id", "6"),
            ("starts_on", "2026-11-27"),
            ("ends_on", "2026-12-20"),
            ("focus", "执法办案"),
            ("focus", "矛盾纠纷"),
        ];
        let res = zzb.post_form("/risk/screenings", &fields).await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
        let (_, list) = zzb.get_json("/api/v1/screenings").await;
        let launched =
            list["items"].as_array().unwrap().iter().find(|s| s["name"] == "春节前隐患排查").cloned().unwrap();
        assert_eq!(launched["focus"], json!(["执法办案", "矛盾纠纷"]));

        // Those who work flags still see the branches.
        let (_, d) = zzb.get_json(&format!("/api/v1/screenings/{id}")).await;
        assert_eq!((d["counts_only"].as_bool(), d["branch_total"].as_u64().map(|n| n > 0)), (Some(false), Some(true)));
        app
    })
    .await;
}

#[tokio::test]
async fn the_profile_shows_a_persons_flags_masked_and_reveals_them_only_to_those_allowed() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let jijian = app.login("jijian").await;
        let p = officer(&shuji, "档案戊", "37020219870101791", "771401").await;
        let c17 = category(&jijian, "c17").await;
        let (status, f) = jijian
            .send_json(
                Method::POST,
                "/api/v1/risk-flags",
                json!({"person_id": p, "category_id": c17.parse::<i64>().unwrap(), "source": "排查",
                    "cadre": "支部书记", "facts": "多次出入娱乐场所"}),
            )
            .await;
        assert_eq!(status, 201, "{f}");

        // Masked for everyone who opens the profile; revealed (audited) for the roles allowed.
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{p}")).await;
        let section = profile["sections"].as_array().unwrap().iter().find(|s| s["id"] == "risk").unwrap();
        assert_eq!(section["sensitive"], true);
        assert!(!section.to_string().contains("娱乐场所"), "masked: {section}");
        for s in [&jijian, &shuji] {
            let (status, shown) = s.reveal(p, &["risk_flags"]).await;
            assert_eq!(status, 200, "{shown}");
            let text = shown["fields"][0]["value"].as_str().unwrap();
            assert!(
                text.starts_with("黄色 · 社会交往复杂、出入娱乐场所人员（待跟进，来源：排查，2026-11-27 登记）"),
                "{text}"
            );
        }
        assert!(audit_total(&app, "action=sensitive.read&who=shuji").await >= 1);
        let html = jijian.get(&format!("/people/{p}")).await.text().await.unwrap();
        assert!(html.contains("id=\"risk-panel\""), "the panel for who works flags");

        // Refused: a leader (counts only), the system officers, a secretary of another branch.
        for user in ["lingdao", "admin", "auditor"] {
            let (status, body) = app.login(user).await.reveal(p, &["risk_flags"]).await;
            assert!(status == 403 || status == 404, "{user}: {status} {body}");
            assert!(!body.to_string().contains("娱乐场所"));
        }
        let shuji13 = account_of(&app, "shuji13", "secretary", 13).await;
        let (status, _) = shuji13.reveal(p, &["risk_flags"]).await;
        assert_eq!(status, 404);
        assert!(audit_total(&app, "who=shuji13&action=access.denied").await >= 1, "the auditor sees the attempt");
        app
    })
    .await;
}

#[tokio::test]
async fn category_rows_and_a_branchs_confirmation_show_refusals_beside_the_row() {
    on_all_backends(|app| async move {
        // A category row: the reason beside that row, what was typed kept, nothing saved.
        let zzb = app.login("zzb").await;
        let id = category(&zzb, "c06").await;
        let (_, before) = zzb.get_json("/api/v1/risk-categories").await;
        let res = zzb
            .post_form(
                &format!("/risk/categories/{id}"),
                &[("name", "思想波动人员"), ("applies_to", "全部"), ("default_level", "黄"), ("review_days", "999")],
            )
            .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        let row_start = html.find(&format!("<tr id=\"category-{id}\" class=\"has-error\">")).expect(&html);
        let row = &html[row_start..row_start + html[row_start..].find("</tr>").unwrap()];
        assert!(row.contains("复查间隔应为 1 至 365 天") && row.contains("value=\"思想波动人员\""), "{row}");
        assert!(row.contains("name=\"review_days\" value=\"999\""), "{row}");
        assert_eq!(html.matches("class=\"field-error\"").count(), 1, "only that row: {html}");
        assert_eq!(zzb.get_json("/api/v1/risk-categories").await.1, before, "nothing saved");
        // The new-category form: the reason beside the code, the name kept.
        let res = zzb.post_form("/risk/categories", &[("code", "c06"), ("name", "重复的类别")]).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        let form = &html[html.find("id=\"category-new\"").unwrap()..];
        assert!(form.contains("类别代码“c06”已存在") && form.contains("value=\"重复的类别\""), "{form}");

        // A branch's "no finding": refused, the reason in that branch's row with the note kept.
        let sid = year_end_screening(&zzb).await;
        let shuji = app.login("shuji").await;
        let url = format!("/risk/screenings/{sid}/branches/10/confirm");
        let long = "说".repeat(501);
        let res = shuji.post_form(&url, &[("note", &long), ("page", "1")]).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        let row_start = html.find("<tr id=\"branch-10\" class=\"has-error\">").expect(&html);
        let row = &html[row_start..row_start + html[row_start..].find("</tr>").unwrap()];
        assert!(row.contains("class=\"field-error\"") && row.contains("500"), "{row}");
        assert!(row.contains(&format!("value=\"{long}\"")), "the note is kept");
        let (_, d) = zzb.get_json(&format!("/api/v1/screenings/{sid}?page_size=100")).await;
        assert_eq!(d["screening"]["done"], 0, "nothing confirmed: {d}");
        // Confirmed once; a second confirmation is refused beside the (now finished) row.
        let res = shuji.post_form(&url, &[("note", ""), ("page", "1")]).await;
        assert_eq!(res.status(), 303);
        let res = shuji.post_form(&url, &[("note", ""), ("page", "1")]).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        let row_start = html.find("<tr id=\"branch-10\" class=\"has-error\">").expect(&html);
        let row = &html[row_start..row_start + html[row_start..].find("</tr>").unwrap()];
        assert!(row.contains("已于") && row.contains("确认完成本次排查"), "{row}");
        app
    })
    .await;
}
