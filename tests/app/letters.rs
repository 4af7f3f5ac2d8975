//! Introduction letters (中国共产党党员组织关系介绍信) and transfers in from outside the bureau:
//! a letter has its own number per issuing year, the same on every download, states the month
//! the dues were paid to (refused while unknown), has a 存根 and a 回执, is valid 30 days and
//! reminds the issuing side when no receipt came back; a transfer in records the incoming letter
//! and starts the member's ledgers in the month of arrival.

use reqwest::Method;
use serde_json::{Value, json};

use crate::party::{new_person, party_rows, secretary_of};
use crate::support::{Session, on_all_backends};

/// A full member of branch 10, transferred out of the bureau; returns (person, transfer).
async fn transferred_out(s: &Session, name: &str, id17: &str) -> (i64, i64) {
    let pid = full_member(s, name, id17).await;
    (pid, transfer_out(s, pid).await)
}

async fn full_member(s: &Session, name: &str, id17: &str) -> i64 {
    let pid = new_person(s, name, id17, "发展对象", 10).await;
    let (status, m) = s
        .send_json(
            Method::POST,
            &format!("/api/v1/persons/{pid}/membership"),
            json!({"joined_on": "2010-03-01", "full_on": "2011-03-01"}),
        )
        .await;
    assert_eq!(status, 201, "{m}");
    pid
}

async fn transfer_out(s: &Session, pid: i64) -> i64 {
    let (status, t) = s
        .send_json(
            Method::POST,
            &format!("/api/v1/persons/{pid}/transfers"),
            json!({"to_external": "中共某区委组织部", "reason": "调出公安机关"}),
        )
        .await;
    assert_eq!((status, t["status"].as_str()), (201, Some("已转出")), "{t}");
    t["id"].as_i64().unwrap()
}

async fn docx_text(s: &Session, transfer: i64) -> String {
    let res = s.get(&format!("/api/v1/transfers/{transfer}/docx")).await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    // The text of the runs, in order.
    let doc = docx_rs::read_docx(&bytes).unwrap();
    let json: Value = serde_json::from_str(&doc.json()).unwrap();
    let mut out = Vec::new();
    collect_text(&json, &mut out);
    out.join("")
}

fn collect_text(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("text")
                && let Some(t) = map.get("data").and_then(|d| d.get("text")).and_then(Value::as_str)
            {
                out.push(t.to_owned());
            }
            if map.get("type").and_then(Value::as_str) == Some("paragraph") {
                out.push("\n".into());
            }
            for value in map.values() {
                collect_text(value, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_text(i, out)),
        _ => {}
    }
}

async fn audit_total(auditor: &Session, query: &str) -> u64 {
    let (_, log) = auditor.get_json(&format!("/api/v1/audit?{query}")).await;
    log["total"].as_u64().unwrap_or_default()
}

#[tokio::test]
async fn a_letter_is_numbered_once_states_the_dues_and_has_a_stub_and_a_receipt() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let auditor = app.login("auditor").await;
        let (a, ta) = transferred_out(&shuji, "转出甲", "37020219800101501").await;

        // Nothing recorded of the dues: the letter is refused, naming the field, and nothing
        // sensitive was read.
        let reads = audit_total(&auditor, "action=sensitive.read").await;
        let (status, err) = shuji.get_json(&format!("/api/v1/transfers/{ta}/docx")).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("dues_paid_to")), "{err}");
        let message = err["message"].as_str().unwrap();
        assert!(message.contains("党费交至月份") && message.contains("登记"), "{message}");
        assert_eq!(audit_total(&auditor, "action=sensitive.read").await, reads, "no letter, no read");
        let (_, lists) = shuji.get_json("/api/v1/transfers").await;
        let row = lists["outgoing"].as_array().unwrap().iter().find(|t| t["id"] == ta).unwrap().clone();
        assert_eq!((row["letter_no"].clone(), row["receipt_on"].clone()), (Value::Null, Value::Null), "{row}");

        // Stated when issuing: the first number of the year.
        let url = format!("/api/v1/transfers/{ta}/letter");
        let (status, err) = shuji.send_json(Method::POST, &url, json!({"dues_paid_to": "2009-12"})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("dues_paid_to")), "before admission: {err}");
        let (status, issued) = shuji.send_json(Method::POST, &url, json!({"dues_paid_to": "2026-10"})).await;
        assert_eq!(status, 200, "{issued}");
        assert_eq!(issued["letter_no"], "〔2026〕第 0001 号");
        assert_eq!(
            (issued["issued_on"].as_str(), issued["valid_until"].as_str()),
            (Some("2026-11-27"), Some("2026-12-27"))
        );
        let (_, again) = shuji.send_json(Method::POST, &url, json!({"dues_paid_to": "2026-11"})).await;
        assert_eq!(again, issued, "issued once");

        // The second letter, issued on its first download with the month from the payments.
        let b = full_member(&shuji, "转出乙", "37020219850101502").await;
        let (status, _) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{b}/dues-base"),
                json!({"effective_month": "2026-01", "base": "6000"}),
            )
            .await;
        assert_eq!(status, 201);
        let (status, paid) = shuji
            .send_json(
                Method::POST,
                "/api/v1/dues/payments",
                json!({"month": "2026-11", "person_ids": [b], "paid_on": "2026-11-20"}),
            )
            .await;
        assert_eq!(status, 200, "{paid}");
        let tb = transfer_out(&shuji, b).await;
        let text_b = docx_text(&shuji, tb).await;
        assert!(text_b.contains("〔2026〕第 0002 号"), "{text_b}");
        assert!(text_b.contains("该同志党费已交到二〇二六年十一月。"), "{text_b}");

        // The letter as the form has it: stub, letter, receipt, each with the number.
        let text = docx_text(&shuji, ta).await;
        assert_eq!(text.matches("〔2026〕第 0001 号").count(), 3, "{text}");
        assert!(text.contains("（存根）") && text.contains("中国共产党党员组织关系介绍信回执"), "{text}");
        assert!(
            text.contains("转出甲同志系中共正式党员，组织关系由中山路派出所党支部转到中共某区委组织部。"),
            "{text}"
        );
        assert!(text.contains("由中山路派出所党支部去中共某区委组织部，请接转组织关系。"), "{text}");
        assert!(text.contains("该同志党费已交到二〇二六年十月。") && text.contains("（有效期三十天）"), "{text}");
        assert!(text.contains("转出甲同志的党员组织关系已转达我处，特此回复。"), "{text}");
        // No 民族 on the roster: the sentence is built from the parts present.
        assert!(text.contains("转出甲同志（男），46岁，系中共正式党员，身份证号码"), "{text}");
        assert!(!text.contains("，，") && !text.contains("（）") && !text.contains("未登记"), "{text}");

        // The same letter on every download, whatever the day.
        app.clock.advance(chrono::Duration::days(3));
        let shuji = app.login("shuji").await;
        let later = docx_text(&shuji, ta).await;
        assert_eq!(later, text, "the same number, date and dues month");
        assert!(later.contains("2026年11月27日"));

        // A receipt: not before the letter, once.
        let receipt = format!("/api/v1/transfers/{ta}/receipt");
        let (status, err) = shuji
            .send_json(
                Method::POST,
                &receipt,
                json!({"received_on": "2026-11-26", "receiving_org": "中共某区委组织部"}),
            )
            .await;
        assert_eq!((status, err["field"].as_str()), (422, Some("received_on")), "{err}");
        assert!(err["message"].as_str().unwrap().contains("不能早于介绍信开具日期 2026-11-27"), "{err}");
        let (status, err) =
            shuji.send_json(Method::POST, &receipt, json!({"received_on": "2026-11-29", "receiving_org": " "})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("receiving_org")), "{err}");
        let (status, got) = shuji
            .send_json(
                Method::POST,
                &receipt,
                json!({"received_on": "2026-11-29", "receiving_org": "中共某区委组织部", "note": "回执已归档"}),
            )
            .await;
        assert_eq!(status, 200, "{got}");
        assert_eq!(
            (got["receipt_on"].as_str(), got["receipt_note"].as_str()),
            (Some("2026-11-29"), Some("回执已归档"))
        );
        let (status, _) =
            shuji.send_json(Method::POST, &receipt, json!({"received_on": "2026-11-30", "receiving_org": "x"})).await;
        assert_eq!(status, 409, "recorded once");
        let (_, lists) = shuji.get_json("/api/v1/transfers").await;
        let row = lists["outgoing"].as_array().unwrap().iter().find(|t| t["id"] == ta).unwrap().clone();
        assert_eq!(
            (row["letter_no"].as_str(), row["receipt_on"].as_str()),
            (Some("〔2026〕第 0001 号"), Some("2026-11-29"))
        );
        assert_eq!(row["receipt_org"], "中共某区委组织部");

        // 30 days without a receipt: the issuing side is reminded, not before.
        let home = shuji.get("/").await.text().await.unwrap();
        assert!(!home.contains("尚未登记回执"), "within the 30 days");
        app.clock.advance(chrono::Duration::days(28));
        let shuji = app.login("shuji").await;
        let home = shuji.get("/").await.text().await.unwrap();
        assert!(
            home.contains(
                "转出乙 的组织关系介绍信（〔2026〕第 0002 号，转往中共某区委组织部）已超过 30 天有效期，尚未登记回执"
            ),
            "reminder expected"
        );
        assert!(!home.contains("转出甲 的组织关系介绍信"), "its receipt came back");

        // A new year, a new sequence.
        let (_, tc) = transferred_out(&shuji, "转出丙", "37020219900101503").await;
        app.clock.advance(chrono::Duration::days(10));
        let shuji = app.login("shuji").await;
        let (status, issued) = shuji
            .send_json(Method::POST, &format!("/api/v1/transfers/{tc}/letter"), json!({"dues_paid_to": "2026-12"}))
            .await;
        assert_eq!(status, 200, "{issued}");
        assert_eq!(issued["letter_no"], "〔2027〕第 0001 号");

        // Out of scope: 404, audited; a transfer inside the bureau has no letter.
        let other = secretary_of(&app, "shuji13", 13).await;
        for (path, body) in [
            (format!("/api/v1/transfers/{tb}/receipt"), json!({"received_on": "2027-01-05", "receiving_org": "x"})),
            (format!("/api/v1/transfers/{tb}/letter"), json!({"dues_paid_to": "2026-11"})),
        ] {
            let (status, _) = other.send_json(Method::POST, &path, body).await;
            assert_eq!(status, 404, "{path}");
        }
        let auditor = app.login("auditor").await;
        assert!(audit_total(&auditor, "who=shuji13&action=access.denied").await >= 2);
        let d = new_person(&shuji, "局内丁", "37020219920101504", "发展对象", 10).await;
        shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{d}/membership"),
                json!({"joined_on": "2015-01-01", "full_on": "2016-01-01"}),
            )
            .await;
        let (_, inside) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{d}/transfers"),
                json!({"to_org_id": 13, "reason": "工作调动"}),
            )
            .await;
        let (status, _) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/transfers/{}/letter", inside["id"]),
                json!({"dues_paid_to": "2026-12"}),
            )
            .await;
        assert_eq!(status, 422, "no letter inside the bureau");

        // Audited: issues and the receipt.
        assert_eq!(audit_total(&auditor, "action=transfer.letter").await, 3);
        assert_eq!(audit_total(&auditor, "action=transfer.receipt").await, 1);
        let _ = a;
        app
    })
    .await;
}

#[tokio::test]
async fn the_transfers_page_issues_letters_and_records_receipts() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let (_, t) = transferred_out(&shuji, "网页转出", "37020219800101511").await;
        let page = shuji.get("/party/transfers").await.text().await.unwrap();
        assert!(page.contains(&format!("/party/transfers/{t}/letter\"")), "the issue form");
        let csrf = crate::support::csrf_in(&page);
        // Without a month and without payments: refused, said why.
        let res =
            shuji.post_form(&format!("/party/transfers/{t}/letter"), &[("_csrf", &csrf), ("dues_paid_to", "")]).await;
        assert_eq!(res.status(), 303);
        let page = shuji.get("/party/transfers").await.text().await.unwrap();
        assert!(page.contains("党费交至月份未登记"), "the refusal is shown");
        let res = shuji
            .post_form(&format!("/party/transfers/{t}/letter"), &[("_csrf", &csrf), ("dues_paid_to", "2026-11")])
            .await;
        assert_eq!(res.status(), 303);
        let page = shuji.get("/party/transfers").await.text().await.unwrap();
        assert!(page.contains("已开具介绍信 〔2026〕第 0001 号"), "flash");
        assert!(page.contains(&format!("/party/transfers/{t}/letter.docx\">介绍信 〔2026〕第 0001 号</a>")));
        assert!(page.contains(&format!("/party/transfers/{t}/receipt")), "the receipt form");
        let res = shuji
            .post_form(
                &format!("/party/transfers/{t}/receipt"),
                &[("_csrf", &csrf), ("received_on", "2026-11-27"), ("receiving_org", "中共某区委组织部"), ("note", "")],
            )
            .await;
        assert_eq!(res.status(), 303);
        let page = shuji.get("/party/transfers").await.text().await.unwrap();
        assert!(page.contains("回执：2026-11-27，中共某区委组织部"), "recorded");
        app
    })
    .await;
}

fn letter_in(to: i64) -> Value {
    json!({
        "letter_no": "〔2026〕第 0035 号", "issuer": "中共东海警官职业学院委员会", "joined_on": "2024-05-20",
        "full_on": "2025-05-20", "dues_paid_to": "2026-08", "arrived_on": "2026-09-10", "to_org_id": to
    })
}

/// A request body with one more field changed.
trait Tap {
    fn tap(self, field: &str, value: Value) -> Value;
}

impl Tap for Value {
    fn tap(mut self, field: &str, value: Value) -> Value {
        self[field] = value;
        self
    }
}

fn ids(ledger: &Value) -> Vec<i64> {
    ledger["rows"].as_array().unwrap().iter().map(|r| r["person_id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn a_transfer_in_from_outside_starts_the_ledgers_in_the_month_of_arrival() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let auditor = app.login("auditor").await;
        let other = secretary_of(&app, "shuji13", 13).await;
        let x = new_person(&shuji, "警院毕业生", "37020220020303601", "群众", 10).await;
        let url = format!("/api/v1/persons/{x}/membership/transfer-in");

        // Bad input: refused naming the field, nothing written.
        let with = |field: &str, value: Value| {
            let mut body = letter_in(10);
            body[field] = value;
            body
        };
        for (body, field) in [
            (with("arrived_on", json!("2024-05-01")), "arrived_on"),
            (with("arrived_on", json!("2026-11-28")), "arrived_on"),
            (with("dues_paid_to", json!("")), "dues_paid_to"),
            (with("full_on", json!("2025-11-20")).tap("arrived_on", json!("2025-10-01")), "full_on"),
            (with("joined_on", json!("2030-01-01")), "joined_on"),
            (with("letter_no", json!("")), "letter_no"),
            (with("to_org_id", json!(null)), "to_org_id"),
        ] {
            let (status, err) = shuji.send_json(Method::POST, &url, body.clone()).await;
            assert_eq!(status, 422, "{body}: {err}");
            let fields: Vec<&str> = match err["errors"].as_array() {
                Some(list) => list.iter().filter_map(|e| e["field"].as_str()).collect(),
                None => vec![err["field"].as_str().unwrap()],
            };
            assert!(fields.contains(&field), "{field}: {err}");
        }
        // A receiving branch outside the actor's scope does not exist for them; audited.
        let denied = audit_total(&auditor, "who=shuji&action=access.denied").await;
        let (status, _) = shuji.send_json(Method::POST, &url, letter_in(13)).await;
        assert_eq!(status, 404);
        assert_eq!(audit_total(&auditor, "who=shuji&action=access.denied").await, denied + 1);
        // Nor does the person for a secretary of another branch.
        let (status, _) = other.send_json(Method::POST, &url, letter_in(13)).await;
        assert_eq!(status, 404);
        assert_eq!(other.get(&format!("/people/{x}/party/transfer-in")).await.status(), 404);
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{x}")).await;
        assert!(party_rows(&profile).is_empty(), "nothing half-saved");
        assert_eq!(profile["political_status"], "群众");

        // The transfer in.
        let (status, m) = shuji.send_json(Method::POST, &url, letter_in(10)).await;
        assert_eq!(status, 201, "{m}");
        assert_eq!(
            (m["status"].as_str(), m["joined_on"].as_str(), m["full_on"].as_str()),
            (Some("正常"), Some("2024-05-20"), Some("2025-05-20"))
        );
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{x}")).await;
        assert_eq!(profile["political_status"], "中共党员", "the roster follows");
        let rows = party_rows(&profile);
        assert!(
            rows.contains(
                &"历程=2026-09-10 转入：由中共东海警官职业学院委员会转入中山路派出所党支部，介绍信〔2026〕第 0035 号"
                    .to_owned()
            ),
            "{rows:?}"
        );
        assert!(rows.iter().any(|r| r.starts_with("历程=2024-05-20 入党")), "{rows:?}");
        let (status, err) = shuji.send_json(Method::POST, &url, letter_in(10)).await;
        assert_eq!((status, err["field"].as_str()), (409, Some("membership")), "a live membership: {err}");
        let (_, lists) = shuji.get_json("/api/v1/transfers").await;
        assert_eq!(lists["transfers_in"][0]["person_id"], x);
        assert_eq!(lists["transfers_in"][0]["dues_paid_to"], "2026-08");
        assert_eq!(audit_total(&auditor, "action=transfer.in").await, 1);

        // This bureau's ledgers count the member from the month of arrival only.
        let (_, aug) = shuji.get_json("/api/v1/dues?org=10&month=2026-08").await;
        let (_, sep) = shuji.get_json("/api/v1/dues?org=10&month=2026-09").await;
        assert!(!ids(&aug).contains(&x) && ids(&sep).contains(&x), "from September");
        let (status, _) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{x}/dues-base"),
                json!({"effective_month": "2026-08", "base": "4000"}),
            )
            .await;
        assert_eq!(status, 201);
        let pay = |month: &str| json!({"month": month, "person_ids": [x], "paid_on": "2026-11-20"});
        let (status, err) = shuji.send_json(Method::POST, "/api/v1/dues/payments", pay("2026-08")).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("person_ids")), "owed to the sending side: {err}");
        let (status, _) = shuji.send_json(Method::POST, "/api/v1/dues/payments", pay("2026-09")).await;
        assert_eq!(status, 200);

        // Transferred out again and back: the membership is taken up again, no month twice.
        let (status, out) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{x}/transfers"),
                json!({"to_external": "中共某县委组织部", "reason": "借调"}),
            )
            .await;
        assert_eq!(status, 201, "{out}");
        let page = shuji.get(&format!("/people/{x}")).await.text().await.unwrap();
        assert!(page.contains(&format!("/people/{x}/party/transfer-in")), "offered again");
        let mut back = letter_in(10);
        back["letter_no"] = json!("某县委组〔2026〕8号");
        back["issuer"] = json!("中共某县委组织部");
        back["arrived_on"] = json!("2026-11-26");
        let (status, err) = shuji.send_json(Method::POST, &url, back.clone()).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("arrived_on")), "before it left: {err}");
        back["arrived_on"] = json!("2026-11-27");
        let (status, m) = shuji.send_json(Method::POST, &url, back).await;
        assert_eq!((status, m["status"].as_str()), (201, Some("正常")), "{m}");
        let (_, nov) = shuji.get_json("/api/v1/dues?org=10&month=2026-11").await;
        assert_eq!(ids(&nov).iter().filter(|id| **id == x).count(), 1, "November counted once");
        let (_, dec) = shuji.get_json("/api/v1/dues?org=10&month=2026-12").await;
        assert!(ids(&dec).contains(&x));
        app
    })
    .await;
}

#[tokio::test]
async fn the_profile_offers_a_transfer_in_next_to_admission() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let y = new_person(&shuji, "网页转入", "37020220010101611", "中共党员", 10).await;
        let page = shuji.get(&format!("/people/{y}")).await.text().await.unwrap();
        assert!(page.contains("id=\"party-register\"") && page.contains(&format!("/people/{y}/party/transfer-in")));
        let form = shuji.get(&format!("/people/{y}/party/transfer-in")).await;
        assert_eq!(form.status(), 200);
        let html = form.text().await.unwrap();
        assert!(html.contains("中山路派出所党支部（#10）"), "the person's branch is chosen");
        let csrf = crate::support::csrf_in(&html);
        let fields = |arrived: &'static str| {
            vec![
                ("_csrf", csrf.clone()),
                ("letter_no", "〔2026〕第 0101 号".to_owned()),
                ("issuer", "中共东海警官职业学院委员会".to_owned()),
                ("joined_on", "2026-03-01".to_owned()),
                ("full_on", "".to_owned()),
                ("dues_paid_to", "2026-10".to_owned()),
                ("arrived_on", arrived.to_owned()),
                ("to_org_id", "中山路派出所党支部（#10）".to_owned()),
                ("category", "在职党员".to_owned()),
            ]
        };
        let path = format!("/people/{y}/party/transfer-in");
        let first = fields("2026-02-01");
        let refs: Vec<(&str, &str)> = first.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = shuji.post_form(&path, &refs).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("转入日期不能早于入党日期 2026-03-01"), "said next to the field");
        assert!(html.contains("value=\"〔2026〕第 0101 号\""), "what was typed is kept");
        let second = fields("2026-11-02");
        let refs: Vec<(&str, &str)> = second.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = shuji.post_form(&path, &refs).await;
        assert_eq!(res.status(), 303);
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{y}")).await;
        let rows = party_rows(&profile);
        assert!(rows.contains(&"转正日期=预备期至 2027-03-01".to_owned()), "{rows:?}");
        assert_eq!(profile["political_status"], "中共预备党员", "no 转正 date in the letter: probationary");
        let page = shuji.get("/party/transfers").await.text().await.unwrap();
        assert!(page.contains("〔2026〕第 0101 号") && page.contains("中共东海警官职业学院委员会"));
        app
    })
    .await;
}
