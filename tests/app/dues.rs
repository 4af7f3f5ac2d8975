//! Party dues as 中组部《关于中国共产党党费收缴、使用和管理的规定》(2008) states them: the base and
//! its category, which follows the membership (在职, 离退休, 其他), reductions and exemptions
//! approved above the branch for a period, payments that differ from the amount due, the
//! ledger, its roll-up and the reminder; with refusals that save nothing and scope (404 + audit).
//!
//! The demo bureau carries a year of dues, so stories that need a clean slate register members
//! of their own in branch 10.

use reqwest::Method;
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};

use crate::party::{new_person, party_rows, secretary_of};
use crate::support::{Session, on_all_backends, valid_id};

fn row(ledger: &Value, person: i64) -> &Value {
    ledger["rows"].as_array().unwrap().iter().find(|r| r["person_id"] == person).unwrap()
}

/// A member of branch 10 registered today, full member since a year after `joined_on`, of the
/// membership category given (在职党员 when empty).
async fn member(s: &Session, name: &str, id17: &str, joined_on: &str, category: &str) -> i64 {
    let pid = new_person(s, name, id17, "发展对象", 10).await;
    let full_on = format!("{}{}", joined_on[..4].parse::<i32>().unwrap() + 1, &joined_on[4..]);
    let (status, body) = s
        .send_json(
            Method::POST,
            &format!("/api/v1/persons/{pid}/membership"),
            json!({"joined_on": joined_on, "full_on": full_on, "category": category}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    pid
}

async fn set_base(s: &Session, pid: i64, body: Value) -> (u16, Value) {
    s.send_json(Method::POST, &format!("/api/v1/persons/{pid}/dues-base"), body).await
}

async fn ledger(s: &Session, month: &str) -> Value {
    let (status, l) = s.get_json(&format!("/api/v1/dues?org=10&month={month}")).await;
    assert_eq!(status, 200, "{l}");
    l
}

async fn pay(s: &Session, body: Value) -> (u16, Value) {
    s.send_json(Method::POST, "/api/v1/dues/payments", body).await
}

async fn audit_rows(app: &crate::support::TestApp, action: &str) -> Vec<Value> {
    let auditor = app.login("auditor").await;
    let (status, log) = auditor.get_json(&format!("/api/v1/audit?action={action}")).await;
    assert_eq!(status, 200, "{log}");
    log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r["summary"] = serde_json::from_str(r["summary"].as_str().unwrap_or("null")).unwrap_or(Value::Null);
            r
        })
        .collect()
}

#[tokio::test]
async fn dues_follow_the_base_from_its_month_and_payments_fill_the_ledger() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let a = member(&shuji, "交费甲", "37020219800101011", "2010-03-01", "").await;
        let b = member(&shuji, "交费乙", "37020219800101012", "2010-03-01", "").await;
        let c = member(&shuji, "交费丙", "37020219800101013", "2010-03-01", "").await;

        // Refused with the field named, nothing saved.
        let (status, err) = set_base(&shuji, a, json!({"effective_month": "2026-01", "base": "54元"})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("base")), "{err}");
        let (status, err) =
            set_base(&shuji, a, json!({"effective_month": "2026-01", "base": "5400", "category": "exempt"})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("category")), "an exemption is a period: {err}");
        let (status, err) = set_base(&shuji, a, json!({"effective_month": "", "base": "5400"})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("effective_month")));
        assert_eq!(row(&ledger(&shuji, "2026-11").await, a)["base"], Value::Null);

        // 第二条: 5400 元 is in the 5000–10000 tier, 1.5 % of the whole base; 11500 元 is 2 %.
        let (status, base) = set_base(&shuji, a, json!({"effective_month": "2026-01", "base": "5400"})).await;
        assert_eq!(status, 201, "{base}");
        assert_eq!((base["monthly"].as_str(), base["category"].as_str()), (Some("81.00"), Some("normal")));
        assert_eq!(base["member_category"], "在职党员");
        let (_, raise) = set_base(&shuji, a, json!({"effective_month": "2026-12", "base": "11500"})).await;
        assert_eq!(raise["monthly"], "230.00");
        let (_, low) = set_base(&shuji, b, json!({"effective_month": "2026-01", "base": "3000"})).await;
        assert_eq!(low["monthly"], "15.00", "3000 元 and below: 0.5 %");

        let nov = ledger(&shuji, "2026-11").await;
        assert_eq!((row(&nov, a)["due"].as_str(), row(&nov, a)["category"].as_str()), (Some("81.00"), Some("在职")));
        assert_eq!(row(&nov, a)["paid"], Value::Null);
        assert_eq!(row(&ledger(&shuji, "2026-12").await, a)["due"], "230.00", "the new base applies from its month");
        assert_eq!(row(&ledger(&shuji, "2025-12").await, a)["due"], Value::Null, "no base before its month");

        // Someone without a base cannot be marked paid; nothing is written then.
        let (status, err) =
            pay(&shuji, json!({"month": "2026-11", "person_ids": [a, c], "paid_on": "2026-11-20"})).await;
        assert_eq!(status, 422, "{err}");
        assert!(err["message"].as_str().unwrap().contains("交费丙 尚未登记 2026-11 适用的党费基数"), "{err}");
        assert_eq!(row(&ledger(&shuji, "2026-11").await, a)["paid"], Value::Null);
        let (status, paid) =
            pay(&shuji, json!({"month": "2026-11", "person_ids": [a, b], "paid_on": "2026-11-20"})).await;
        assert_eq!((status, paid["recorded"].as_u64()), (200, Some(2)), "{paid}");
        assert_eq!(paid["warnings"], json!([]));
        let (_, again) = pay(&shuji, json!({"month": "2026-11", "person_ids": [a], "paid_on": "2026-11-21"})).await;
        assert_eq!(again["recorded"], 0, "a month is paid once");
        let nov = ledger(&shuji, "2026-11").await;
        assert_eq!((row(&nov, a)["paid"].as_str(), row(&nov, b)["paid"].as_str()), (Some("81.00"), Some("15.00")));
        assert_eq!(row(&nov, a)["paid_note"], Value::Null);

        // Another branch's ledger is out of the secretary's reach.
        assert_eq!(shuji.get_json("/api/v1/dues?org=13&month=2026-11").await.0, 404);

        // Six months with dues due and nothing paid: a reminder, nothing else.
        let home = shuji.get("/").await.text().await.unwrap();
        assert!(home.contains("交费乙 已连续 6 个月未交纳党费"), "reminder expected");
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{b}")).await;
        assert_eq!(profile["political_status"], "中共党员", "no automatic consequence");

        // The web ledger: ticking members and submitting records payments of the amount due.
        let res = shuji
            .post_form(
                "/party/dues/pay",
                &[("month", "2026-10"), ("org", "10"), ("paid_on", "2026-11-01"), ("person_id", &a.to_string())],
            )
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(row(&ledger(&shuji, "2026-10").await, a)["paid"], "81.00");
        let page = shuji.get("/party/dues?org=10&month=2026-10").await.text().await.unwrap();
        assert!(
            page.contains("交费甲") && page.contains("一次多交 1000 元以上的党费全部上缴中央"),
            "the rule is stated"
        );
        app
    })
    .await;
}

/// 第三条: 离退休 members pay 0.5 % of a pension of 5000 元 or less and 1 % above; their dues
/// category follows the membership 离退休党员. 第四条、第五条: 其他 pay a fixed 0.2–1 元.
#[tokio::test]
async fn a_retiree_with_a_6000_base_owes_60_a_month_and_the_category_follows_the_membership() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let retiree = member(&shuji, "退休党员", "37020219580101021", "1985-07-01", "离退休党员").await;

        // No category given: the membership decides.
        let (status, base) = set_base(&shuji, retiree, json!({"effective_month": "2026-01", "base": "6000"})).await;
        assert_eq!(status, 201, "{base}");
        assert_eq!((base["category"].as_str(), base["monthly"].as_str()), (Some("retired"), Some("60.00")));
        let nov = ledger(&shuji, "2026-11").await;
        let r = row(&nov, retiree);
        assert_eq!(
            (r["due"].as_str(), r["category"].as_str(), r["base"].as_str()),
            (Some("60.00"), Some("离退休"), Some("6000.00"))
        );
        let (_, five) = set_base(&shuji, retiree, json!({"effective_month": "2026-02", "base": "5000"})).await;
        assert_eq!(five["monthly"], "25.00", "5000 元 and below: 0.5 %");
        // A retiree's dues are never counted as serving.
        let (status, err) =
            set_base(&shuji, retiree, json!({"effective_month": "2026-03", "base": "6000", "category": "normal"}))
                .await;
        assert_eq!((status, err["errors"][0]["field"].as_str()), (422, Some("category")), "{err}");
        assert!(err["errors"][0]["message"].as_str().unwrap().contains("离退休党员"));

        // A serving member given a retired base becomes 离退休党员: the two categories agree.
        let serving = member(&shuji, "刚退休", "37020219660101022", "1995-07-01", "").await;
        let (status, base) =
            set_base(&shuji, serving, json!({"effective_month": "2026-06", "base": "6000", "category": "retired"}))
                .await;
        assert_eq!(status, 201, "{base}");
        assert_eq!((base["monthly"].as_str(), base["member_category"].as_str()), (Some("60.00"), Some("离退休党员")));
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{serving}")).await;
        let rows = party_rows(&profile);
        assert!(rows.contains(&"党员类别=离退休党员".to_owned()), "{rows:?}");
        assert!(rows.contains(&"党费=每月 60.00 元（基数 6000.00 元，离退休）".to_owned()), "{rows:?}");
        let bases = audit_rows(&app, "dues.base").await;
        let changed = bases.iter().find(|e| e["summary"]["member_category"].is_object()).expect("audited");
        assert_eq!(changed["summary"]["member_category"], json!({"from": "在职党员", "to": "离退休党员"}));

        // 其他: a fixed monthly amount set with the record, 0.2–1 元, no rate.
        let farmer = member(&shuji, "其他党员", "37020219700101023", "2000-07-01", "").await;
        let (status, err) = set_base(&shuji, farmer, json!({"effective_month": "2026-01", "category": "other"})).await;
        assert_eq!((status, err["errors"][0]["field"].as_str()), (422, Some("fixed_monthly")), "{err}");
        let (status, err) =
            set_base(&shuji, farmer, json!({"effective_month": "2026-01", "category": "other", "fixed_monthly": "2"}))
                .await;
        assert_eq!((status, err["errors"][0]["field"].as_str()), (422, Some("fixed_monthly")), "above 1 元: {err}");
        let (status, err) =
            set_base(&shuji, farmer, json!({"effective_month": "2026-01", "base": "5400", "fixed_monthly": "0.5"}))
                .await;
        assert_eq!(
            (status, err["errors"][0]["field"].as_str()),
            (422, Some("fixed_monthly")),
            "no fixed amount for 在职"
        );
        let (status, base) = set_base(
            &shuji,
            farmer,
            json!({"effective_month": "2026-01", "category": "other", "fixed_monthly": "0.2"}),
        )
        .await;
        assert_eq!(status, 201, "{base}");
        assert_eq!((base["monthly"].as_str(), base["fixed_monthly"].as_str()), (Some("0.20"), Some("0.20")));
        assert_eq!(row(&ledger(&shuji, "2026-11").await, farmer)["due"], "0.20");

        // The base form says what counts in the base, and preselects the membership's category.
        let page = shuji.get(&format!("/people/{retiree}")).await.text().await.unwrap();
        for part in [
            "职务工资、级别工资和津贴补贴",
            "个人所得税",
            "年终一次性奖金",
            "公安值勤岗位津贴",
            "不是每月实发到手的工资",
        ] {
            assert!(page.contains(part), "{part}");
        }
        assert!(page.contains(r#"<option value="retired" selected>离退休</option>"#), "retired preselected");
        // The web form: a retiree's 6000 元 is 60 元 a month.
        let res = shuji
            .post_form(
                &format!("/people/{retiree}/party/dues-base"),
                &[
                    ("effective_month", "2026-11"),
                    ("base", "6000"),
                    ("category", "retired"),
                    ("fixed_monthly", ""),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{retiree}")).await;
        assert!(party_rows(&profile).contains(&"党费=每月 60.00 元（基数 6000.00 元，离退休）".to_owned()));
        let res = shuji
            .post_form(
                &format!("/people/{retiree}/party/dues-base"),
                &[("effective_month", "2026-11"), ("base", "六千"), ("category", "retired")],
            )
            .await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("请填写离退休费（元）"), "the message is next to the field");

        // Out of scope: 404 and an audited refusal.
        let other = secretary_of(&app, "shuji13d", 13).await;
        let (status, _) = set_base(&other, retiree, json!({"effective_month": "2026-01", "base": "1"})).await;
        assert_eq!(status, 404);
        let denied = audit_rows(&app, "access.denied").await;
        assert!(denied.iter().any(|e| e["object"] == format!("person#{retiree}")), "{denied:?}");
        app
    })
    .await;
}

/// 对经济确有困难的党员，经党支部研究，报上一级党委批准后，可以少交或免交党费: a period with an
/// end, the approving committee, and for 少交 the amount; the ledger and payments use it inside
/// the period only.
#[tokio::test]
async fn reductions_and_exemptions_hold_for_their_approved_months_only() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let m = member(&shuji, "困难党员", "37020219820101031", "2008-07-01", "").await;
        let (status, _) = set_base(&shuji, m, json!({"effective_month": "2026-01", "base": "5400"})).await;
        assert_eq!(status, 201);
        let path = format!("/api/v1/persons/{m}/dues-reliefs");
        let good = json!({"kind": "reduce", "from_month": "2026-03", "to_month": "2026-08",
            "approved_by": "中共东港分局委员会", "amount": "5", "note": "东分党〔2026〕3号"});
        let with = |field: &str, value: &str| {
            let mut b = good.clone();
            b[field] = json!(value);
            b
        };
        let refused = |body: Value| {
            let shuji = &shuji;
            let path = path.clone();
            async move {
                let (status, err) = shuji.send_json(Method::POST, &path, body).await;
                assert_eq!(status, 422, "{err}");
                err["errors"].as_array().map_or_else(
                    || vec![err["field"].as_str().unwrap().to_owned()],
                    |e| e.iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect::<Vec<_>>(),
                )
            }
        };
        assert_eq!(refused(with("to_month", "")).await, ["to_month"], "the end month is required");
        assert_eq!(refused(with("to_month", "2026-02")).await, ["to_month"], "an end before the start");
        assert_eq!(refused(with("amount", "五元")).await, ["amount"], "an amount that does not parse");
        assert_eq!(refused(with("amount", "")).await, ["amount"], "少交 names its amount");
        assert_eq!(refused(with("amount", "81")).await, ["amount"], "less than the 81 元 due");
        assert_eq!(refused(with("approved_by", " ")).await, ["approved_by"], "approved above the branch");
        let mut exempt_with_amount = with("kind", "exempt");
        exempt_with_amount["amount"] = json!("5");
        assert_eq!(refused(exempt_with_amount).await, ["amount"]);
        let (_, list) = shuji.get_json(&path).await;
        assert_eq!(list["total"], 0, "nothing half-saved");

        let (status, reduce) = shuji.send_json(Method::POST, &path, good.clone()).await;
        assert_eq!(status, 201, "{reduce}");
        assert_eq!((reduce["kind"].as_str(), reduce["monthly"].as_str()), (Some("reduce"), Some("5.00")));
        assert_eq!(row(&ledger(&shuji, "2026-02").await, m)["due"], "81.00", "before the period");
        for month in ["2026-03", "2026-08"] {
            let r = ledger(&shuji, month).await;
            assert_eq!(row(&r, m)["due"], "5.00", "{month}: inside the period, both ends included");
            assert!(row(&r, m)["relief"].as_str().unwrap().contains("经中共东港分局委员会批准少交"));
        }
        assert_eq!(row(&ledger(&shuji, "2026-09").await, m)["due"], "81.00", "after the period");
        let (status, paid) = pay(&shuji, json!({"month": "2026-05", "person_ids": [m], "paid_on": "2026-05-10"})).await;
        assert_eq!(status, 200, "{paid}");
        assert_eq!(row(&ledger(&shuji, "2026-05").await, m)["paid"], "5.00", "the payment is the reduced amount");

        // Periods never overlap; an exemption then follows the reduction.
        let overlap = json!({"kind": "exempt", "from_month": "2026-08", "to_month": "2026-12", "approved_by": "中共东港分局委员会"});
        let (status, err) = shuji.send_json(Method::POST, &path, overlap).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("from_month")), "{err}");
        let exempt = json!({"kind": "exempt", "from_month": "2026-09", "to_month": "2026-12", "approved_by": "中共东港分局委员会"});
        let (status, exemption) = shuji.send_json(Method::POST, &path, exempt).await;
        assert_eq!(status, 201, "{exemption}");
        let oct = ledger(&shuji, "2026-10").await;
        assert_eq!((row(&oct, m)["due"].as_str(), row(&oct, m)["paid"].as_str()), (Some("0.00"), None));
        assert!(oct["exempt_count"].as_u64().unwrap() >= 1);
        let page = shuji.get("/party/dues?org=10&month=2026-10").await.text().await.unwrap();
        assert!(page.contains("经中共东港分局委员会批准免交"), "the page names the exemption");
        // Nothing to record in an exempt month, unless given of the member's own will.
        let (status, err) = pay(&shuji, json!({"month": "2026-10", "person_ids": [m], "paid_on": "2026-10-10"})).await;
        assert_eq!(status, 422, "{err}");
        assert!(err["message"].as_str().unwrap().contains("经批准免交"));
        let (status, _) = pay(
            &shuji,
            json!({"month": "2026-10", "person_ids": [m], "paid_on": "2026-10-10", "amount": "10", "note": "本人坚持交纳"}),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(row(&ledger(&shuji, "2026-10").await, m)["paid"], "10.00");

        // Out of scope: another branch's secretary neither sees nor changes it (404, audited).
        let other = secretary_of(&app, "shuji13r", 13).await;
        assert_eq!(other.get_json(&path).await.0, 404);
        assert_eq!(other.send_json(Method::POST, &path, good.clone()).await.0, 404);
        let cancel = format!("/api/v1/dues-reliefs/{}/cancel", exemption["id"]);
        assert_eq!(other.send_json(Method::POST, &cancel, json!({"reason": "误登记"})).await.0, 404);
        let denied = audit_rows(&app, "access.denied").await;
        assert!(denied.iter().filter(|e| e["object"] == format!("person#{m}")).count() >= 3, "{denied:?}");
        // A cancellation needs a reason; then the months are due in full again.
        let (status, err) = shuji.send_json(Method::POST, &cancel, json!({"reason": ""})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("reason")));
        let (status, _) = shuji.send_json(Method::POST, &cancel, json!({"reason": "批准期限登记错误"})).await;
        assert_eq!(status, 204);
        assert_eq!(row(&ledger(&shuji, "2026-11").await, m)["due"], "81.00");
        let (_, list) = shuji.get_json(&path).await;
        assert_eq!(list["total"], 1);
        let relief = audit_rows(&app, "dues.relief").await;
        assert_eq!(relief.len(), 2);
        let cancelled = audit_rows(&app, "dues.relief_cancel").await;
        assert_eq!(cancelled[0]["summary"]["reason"], "批准期限登记错误");
        assert_eq!(cancelled[0]["summary"]["kind"], "exempt");

        // The profile form: errors next to its own fields, nothing saved.
        let res = shuji
            .post_form(
                &format!("/people/{m}/party/dues-relief"),
                &[("kind", "reduce"), ("from_month", "2027-01"), ("to_month", ""), ("approved_by", "中共东港分局委员会"), ("amount", "5"), ("note", "")],
            )
            .await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("请填写截止月份"));
        let res = shuji
            .post_form(
                &format!("/people/{m}/party/dues-relief"),
                &[("kind", "exempt"), ("from_month", "2027-01"), ("to_month", "2027-06"), ("approved_by", "中共东港分局委员会"), ("amount", ""), ("note", "")],
            )
            .await;
        assert_eq!(res.status(), 303);
        let (_, list) = shuji.get_json(&path).await;
        assert_eq!(list["total"], 2);
        app
    })
    .await;
}

/// 自愿多交党费不限；一次多交纳党费 1000 元以上的，全部上缴中央. A payment that differs from the
/// amount due needs a note.
#[tokio::test]
async fn a_payment_may_differ_from_the_amount_due_with_a_note() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let m = member(&shuji, "多交党员", "37020219830101041", "2009-07-01", "").await;
        let (status, _) = set_base(&shuji, m, json!({"effective_month": "2026-01", "base": "5400"})).await;
        assert_eq!(status, 201);
        let body = |month: &str, amount: &str, note: &str| {
            json!({"month": month, "person_ids": [m], "paid_on": "2026-11-20", "amount": amount, "note": note})
        };
        let (status, err) = pay(&shuji, body("2026-09", "100", "")).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("note")), "{err}");
        assert!(err["message"].as_str().unwrap().contains("与 2026-09 应交的 81.00 元不同"));
        let (status, err) = pay(&shuji, body("2026-09", "一百", "")).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("amount")), "{err}");
        assert_eq!(row(&ledger(&shuji, "2026-09").await, m)["paid"], Value::Null, "nothing half-saved");
        // The amount due needs no note, typed or not.
        let (status, _) = pay(&shuji, body("2026-08", "81", "")).await;
        assert_eq!(status, 200);

        let (status, done) = pay(&shuji, body("2026-09", "100", "自愿多交")).await;
        assert_eq!((status, done["warnings"].clone()), (200, json!([])), "{done}");
        let sep = ledger(&shuji, "2026-09").await;
        let r = row(&sep, m);
        assert_eq!((r["paid"].as_str(), r["due"].as_str(), r["paid_note"].as_str()), (Some("100.00"), Some("81.00"), Some("自愿多交")));
        assert_eq!(r["to_centre"], false);

        // 1000 元 or more beyond what is due goes wholly to the centre: said, and shown.
        let (status, done) = pay(&shuji, body("2026-10", "1081", "自愿多交 1000 元")).await;
        assert_eq!(status, 200, "{done}");
        let warning = done["warnings"][0].as_str().unwrap();
        assert!(warning.contains("多交党员 多交 1000.00 元") && warning.contains("全部上缴中央"), "{warning}");
        assert_eq!(row(&ledger(&shuji, "2026-10").await, m)["to_centre"], true);
        let page = shuji.get("/party/dues?org=10&month=2026-10").await.text().await.unwrap();
        assert!(page.contains("上缴中央") && page.contains("自愿多交 1000 元"));
        let pays = audit_rows(&app, "dues.pay").await;
        assert!(pays.iter().any(|p| p["summary"]["to_centre"] == "1000.00"), "{pays:?}");

        // The web form: an amount and note per member, refused with the member named.
        let id = m.to_string();
        let amount_key = format!("amount_{m}");
        let note_key = format!("note_{m}");
        let flash_of = |res: reqwest::Response| {
            let shuji = &shuji;
            async move {
                assert_eq!(res.status(), 303);
                let back = res.headers()["location"].to_str().unwrap().to_owned();
                shuji.get(&back).await.text().await.unwrap()
            }
        };
        let form = |amount: &'static str, note: &'static str, ticked: bool| {
            let mut f: Vec<(String, String)> = vec![
                ("month".into(), "2026-11".into()),
                ("org".into(), "10".into()),
                ("paid_on".into(), "2026-11-20".into()),
                (amount_key.clone(), amount.into()),
                (note_key.clone(), note.into()),
            ];
            if ticked {
                f.push(("person_id".into(), id.clone()));
            }
            f
        };
        let post = |fields: Vec<(String, String)>| {
            let shuji = &shuji;
            async move {
                let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                shuji.post_form("/party/dues/pay", &refs).await
            }
        };
        let html = flash_of(post(form("abc", "", true)).await).await;
        assert!(html.contains("多交党员：交纳金额“abc”无效"), "the member and the field are named");
        let html = flash_of(post(form("90", "", true)).await).await;
        assert!(html.contains("请在说明中写明原因"));
        let html = flash_of(post(form("90", "补交差额", false)).await).await;
        assert!(html.contains("填写了交纳金额的党员须同时勾选"));
        assert_eq!(row(&ledger(&shuji, "2026-11").await, m)["paid"], Value::Null);
        let html = flash_of(post(form("90", "补交差额", true)).await).await;
        assert!(html.contains("已登记 1 人交纳 2026-11 党费"), "{html}");
        assert_eq!(row(&ledger(&shuji, "2026-11").await, m)["paid"], "90.00");
        app
    })
    .await;
}

/// The roster import: a row whose 人员状态 is 退休 comes in as 离退休党员, and the dues follow.
#[tokio::test]
async fn the_roster_import_makes_retired_rows_retired_members() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let headers =
            ["姓名", "身份证号", "人员类别", "所在党组织", "入党时间", "转正时间", "人员状态", "状态变动日期"];
        for (c, h) in headers.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        let (old, young) = (valid_id("37020219590303051"), valid_id("37020219880303052"));
        let rows = [
            ["老干部", old.as_str(), "辅警", "中山路派出所党支部", "1983-07-01", "1984-07-01", "退休", "2019-03-01"],
            ["在职者", young.as_str(), "辅警", "中山路派出所党支部", "2012-07-01", "2013-07-01", "在职", ""],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string((r + 1) as u32, c as u16, *v).unwrap();
            }
        }
        let res = zzb
            .client
            .post(zzb.url("/api/v1/imports/people"))
            .header("x-csrf-token", &zzb.csrf)
            .header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .body(book.save_to_buffer().unwrap())
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let report: Value = res.json().await.unwrap();
        assert_eq!(status, 201, "{report}");
        let find = |q: &'static str| {
            let zzb = &zzb;
            async move {
                let (_, found) = zzb.get_json(&format!("/api/v1/persons?q={q}")).await;
                found["items"][0]["id"].as_i64().unwrap()
            }
        };
        let (retired, serving) = (find("%E8%80%81%E5%B9%B2%E9%83%A8").await, find("%E5%9C%A8%E8%81%8C%E8%80%85").await);
        let (_, profile) = zzb.get_json(&format!("/api/v1/persons/{retired}")).await;
        assert!(party_rows(&profile).contains(&"党员类别=离退休党员".to_owned()), "{:?}", party_rows(&profile));
        let (_, profile) = zzb.get_json(&format!("/api/v1/persons/{serving}")).await;
        assert!(party_rows(&profile).contains(&"党员类别=在职党员".to_owned()));
        let (status, base) = set_base(&zzb, retired, json!({"effective_month": "2026-01", "base": "6000"})).await;
        assert_eq!(status, 201, "{base}");
        assert_eq!((base["category"].as_str(), base["monthly"].as_str()), (Some("retired"), Some("60.00")));
        app
    })
    .await;
}

/// The demo bureau comes with a working ledger: bases for its members and a year of payments.
#[tokio::test]
async fn the_demo_ledger_carries_bases_and_a_year_of_payments() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let oct = ledger(&shuji, "2026-10").await;
        let members = oct["members"].as_u64().unwrap();
        assert!(members > 5);
        assert_eq!(oct["without_base"], 0, "every member has a base");
        assert!(oct["paid_count"].as_u64().unwrap() * 10 >= members * 8, "most paid last month: {oct}");
        let nov = ledger(&shuji, "2026-11").await;
        assert_eq!(nov["paid_count"], 0, "this month is still to collect");
        let year_ago = ledger(&shuji, "2025-11").await;
        assert!(year_ago["paid_count"].as_u64().unwrap() > 0, "a year of payments");
        // Every demo payment lies in a month its member belonged here (the member who arrived
        // from outside, the one who died): none the ledger could not show.
        use sea_orm::ConnectionTrait;
        let db = &app.state.db;
        let outside = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) FROM dues_payments p WHERE NOT EXISTS (SELECT 1 FROM member_stints s \
                 WHERE s.person_id = p.person_id AND s.from_month <= p.month \
                 AND (s.to_month IS NULL OR s.to_month >= p.month))",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get_by_index::<i64>(0)
            .unwrap();
        assert_eq!(outside, 0);
        app
    })
    .await;
}

/// Above branch level the ledger is a roll-up, one row per unit below with drill-down, whose
/// sums are the ledger's totals; a branch lists its members; the export keeps every member.
#[tokio::test]
async fn a_ledger_above_branch_level_rolls_up_by_unit_and_drills_down() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let shuji = app.login("shuji").await;
        let member = member(&shuji, "汇总党员", "37020219840101061", "2010-07-01", "").await;
        let (status, _) = set_base(&shuji, member, json!({"effective_month": "2026-01", "base": "5400"})).await;
        assert_eq!(status, 201);
        let (status, _) =
            pay(&shuji, json!({"month": "2026-11", "paid_on": "2026-11-20", "person_ids": [member]})).await;
        assert_eq!(status, 200);

        let (status, bureau) = zzb.get_json("/api/v1/dues?org=1&month=2026-11").await;
        assert_eq!(status, 200);
        let units = bureau["units"].as_array().unwrap();
        assert!(units.len() >= 2, "{units:?}");
        let sum = |key: &str| units.iter().map(|u| u[key].as_u64().unwrap()).sum::<u64>();
        assert_eq!(sum("members"), bureau["members"].as_u64().unwrap());
        assert_eq!(sum("paid_count"), 1);
        assert_eq!(sum("exempt"), bureau["exempt_count"].as_u64().unwrap());
        assert_eq!(sum("members") - sum("paid_count") - sum("exempt"), sum("unpaid"), "the exempt are not unpaid");
        assert_eq!(bureau["rows"].as_array().unwrap().len() as u64, sum("members"), "the API keeps the detail");
        let paid: Vec<&Value> = units.iter().filter(|u| u["paid_count"] == 1).collect();
        assert_eq!(paid.len(), 1);
        assert_eq!(paid[0]["paid_total"], "81.00");

        // The page shows the units, no member rows and no pay form, and links one level down.
        let page = zzb.get("/party/dues?org=1&month=2026-11").await.text().await.unwrap();
        assert!(page.contains("id=\"dues-units\"") && !page.contains("id=\"dues\"") && !page.contains("dues-pay"));
        let child = paid[0]["org_id"].as_i64().unwrap();
        assert!(page.contains(&format!("/party/dues?org={child}&amp;month=2026-11")), "drill-down link");
        assert!(page.matches("<tr>").count() <= units.len() + 1, "one row per unit");

        // At the secretary's branch: one row per member, as before.
        let (_, branch) = shuji.get_json("/api/v1/dues?org=10&month=2026-11").await;
        assert_eq!(branch["units"], json!([]));
        let page = shuji.get("/party/dues?org=10&month=2026-11").await.text().await.unwrap();
        assert!(page.contains("id=\"dues\"") && page.contains("dues-pay") && !page.contains("dues-units"));

        // The bureau's export: every member, one row each (the title and header rows first).
        let xlsx = zzb.get("/party/dues/export.xlsx?org=1&month=2026-11").await.bytes().await.unwrap();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.to_vec())).unwrap();
        let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).unwrap().unwrap();
        assert_eq!(sheet.rows().count() as u64, sum("members") + 2);
        app
    })
    .await;
}

/// The page above branch level sums in the database what the API (and the export) sum member
/// by member: the same units and totals, with a retiree, the category 其他, a reduction, an
/// exemption, a member without a base, a payment above the amount due and the whole demo
/// bureau around them.
#[tokio::test]
async fn the_rolled_up_page_agrees_with_the_member_by_member_ledger() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let shuji = app.login("shuji").await;
        let retiree = member(&shuji, "汇总退休", "37020219580101071", "1985-07-01", "离退休党员").await;
        assert_eq!(set_base(&shuji, retiree, json!({"effective_month": "2026-01", "base": "6000"})).await.0, 201);
        let farmer = member(&shuji, "汇总其他", "37020219700101072", "2000-07-01", "").await;
        let other = json!({"effective_month": "2026-01", "category": "other", "fixed_monthly": "0.5"});
        assert_eq!(set_base(&shuji, farmer, other).await.0, 201);
        let reduced = member(&shuji, "汇总少交", "37020219820101073", "2008-07-01", "").await;
        let exempt = member(&shuji, "汇总免交", "37020219820101074", "2008-07-01", "").await;
        for (pid, base) in [(reduced, "5400"), (exempt, "12000")] {
            assert_eq!(set_base(&shuji, pid, json!({"effective_month": "2026-01", "base": base})).await.0, 201);
        }
        let relief = |kind: &str, amount: &str| {
            json!({"kind": kind, "from_month": "2026-10", "to_month": "2026-12",
                "approved_by": "中共东港分局委员会", "amount": amount, "note": "汇总"})
        };
        for (pid, body) in [(reduced, relief("reduce", "5")), (exempt, relief("exempt", ""))] {
            let (status, err) =
                shuji.send_json(Method::POST, &format!("/api/v1/persons/{pid}/dues-reliefs"), body).await;
            assert_eq!(status, 201, "{err}");
        }
        member(&shuji, "汇总无基数", "37020219900101075", "2015-07-01", "").await;
        let (status, err) = pay(
            &shuji,
            json!({"month": "2026-11", "paid_on": "2026-11-20", "person_ids": [retiree], "amount": "100", "note": "自愿多交"}),
        )
        .await;
        assert_eq!(status, 200, "{err}");

        let (status, api) = zzb.get_json("/api/v1/dues?org=1&month=2026-11").await;
        assert_eq!(status, 200, "{api}");
        let page = zzb.get("/party/dues?org=1&month=2026-11").await.text().await.unwrap();
        let n = |key: &str| api[key].as_u64().unwrap();
        let s = |key: &str| api[key].as_str().unwrap().to_owned();
        let mut summary = format!(
            "2026-11：党员 {} 人，已交 {} 人；应交 {} 元，已交 {} 元",
            n("members"),
            n("paid_count"),
            s("due_total"),
            s("paid_total")
        );
        assert!(n("exempt_count") > 0 && n("without_base") > 0, "{api}");
        summary.push_str(&format!("；经批准免交 {} 人", n("exempt_count")));
        summary.push_str(&format!("；<span class=\"badge badge-warn\">{} 人未登记基数</span>", n("without_base")));
        assert!(page.contains(&summary), "{summary}\n{page}");
        let units = api["units"].as_array().unwrap();
        assert!(units.len() >= 2, "{units:?}");
        for u in units {
            let unpaid = match u["unpaid"].as_u64().unwrap() {
                0 => "0".to_owned(),
                k => format!("<span class=\"badge badge-warn\">{k}</span>"),
            };
            let cells = format!(
                "<td class=\"num\">{}</td><td class=\"num\">{}</td>\n      <td class=\"num\">{unpaid}</td>\n      \
                 <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                u["members"], u["paid_count"], u["exempt"], u["without_base"], u["due_total"].as_str().unwrap(),
                u["paid_total"].as_str().unwrap()
            );
            assert!(page.contains(&cells), "unit {}: {cells}\n{page}", u["name"]);
        }
        app
    })
    .await;
}
