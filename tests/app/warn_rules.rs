//! The early-warning rules that read other domains' records (issue 14, item 4): six months without
//! Party dues (党章第九条, research/domain.md §4.2 and §4.4), the latest 年度考核 below the standard
//! (民警 基本称职/不称职, 辅警 不合格), and a 辅警 whose labour contract ends within the rule's
//! days while under an open risk flag. Each entry states the exact facts, and goes away when the
//! facts do (dues paid last month, a later good grade, a contract further off than the rule looks);
//! the rules stay editable data.

use reqwest::Method;
use serde_json::{Value, json};

use crate::party::new_person;
use crate::support::{Session, on_all_backends, valid_id};

/// The reasons of `rule` the review list gives person `p` (none when not listed).
async fn reasons(s: &Session, p: i64, rule: &str) -> Vec<String> {
    let (status, list) = s.get_json(&format!("/api/v1/warnings?person_id={p}")).await;
    assert_eq!(status, 200, "{list}");
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| w["reasons"].as_array().unwrap().clone())
        .filter(|r| r["rule"] == rule)
        .map(|r| r["text"].as_str().unwrap().to_owned())
        .collect()
}

async fn rule_id(s: &Session, code: &str) -> i64 {
    let (status, rules) = s.get_json("/api/v1/warnings/rules").await;
    assert_eq!(status, 200, "{rules}");
    rules["items"].as_array().unwrap().iter().find(|r| r["code"] == code).unwrap_or_else(|| panic!("{code}: {rules}"))
        ["id"]
        .as_i64()
        .unwrap()
}

fn field(err: &Value) -> String {
    err["errors"][0]["field"].as_str().or(err["field"].as_str()).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn six_months_without_dues_and_a_low_appraisal_are_explained_and_go_when_the_facts_do() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let jijian = app.login("jijian").await;

        // A member whose dues stopped after April: May to October are six months in a row.
        let a = new_person(&shuji, "欠费甲", "37020219880101771", "发展对象", 10).await;
        let (status, m) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{a}/membership"),
                json!({"joined_on": "2012-01-01", "full_on": "2013-01-01"}),
            )
            .await;
        assert_eq!(status, 201, "{m}");
        let (status, b) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{a}/dues-base"),
                json!({"effective_month": "2026-01", "base": "4000"}),
            )
            .await;
        assert_eq!(status, 201, "{b}");
        let pay = |month: &str| {
            let body = json!({"month": month, "person_ids": [a], "paid_on": format!("{month}-10")});
            let shuji = &shuji;
            async move { shuji.send_json(Method::POST, "/api/v1/dues/payments", body).await }
        };
        assert_eq!(pay("2026-04").await.0, 200);
        assert_eq!(
            reasons(&jijian, a, "dues_lapse").await,
            vec!["自 2026-05 起连续六个月未交纳党费（最后交纳 2026-04 的党费）".to_owned()]
        );
        let (_, list) = jijian.get_json(&format!("/api/v1/warnings?person_id={a}")).await;
        assert_eq!(list["items"][0]["level"], "黄", "the rule's level: {list}");

        // Dues paid last month: the fact is gone, and so is the reason.
        assert_eq!(pay("2026-10").await.0, 200);
        assert!(reasons(&jijian, a, "dues_lapse").await.is_empty());

        // 辅警: 不合格 in the latest year is the unfit grade.
        let appraise = |p: i64, year: &str, grade: &str| {
            let body = json!({"year": year, "grade": grade});
            let shuji = &shuji;
            async move { shuji.send_json(Method::POST, &format!("/api/v1/persons/{p}/appraisals"), body).await }
        };
        assert_eq!(appraise(a, "2025", "不合格").await.0, 201);
        assert_eq!(reasons(&jijian, a, "appraisal").await, vec!["2025 年度考核为不合格".to_owned()]);

        // 民警: 基本称职 last year is listed; a 称职 this year is the latest grade and clears it.
        let body = json!({"name": "考核乙", "kind": "民警", "police_no": "771201", "org_id": 10,
            "id_number": valid_id("37020219850101772"), "political_status": "群众", "employment_status": "在职"});
        let (status, created) = shuji.send_json(Method::POST, "/api/v1/persons", body).await;
        assert_eq!(status, 201, "{created}");
        let officer = created["id"].as_i64().unwrap();
        assert!(reasons(&jijian, officer, "appraisal").await.is_empty(), "no appraisal, no reason");
        assert_eq!(appraise(officer, "2024", "不称职").await.0, 201);
        assert!(reasons(&jijian, officer, "appraisal").await.is_empty(), "older than last year");
        assert_eq!(appraise(officer, "2025", "基本称职").await.0, 201);
        assert_eq!(reasons(&jijian, officer, "appraisal").await, vec!["2025 年度考核为基本称职".to_owned()]);
        let (_, list) = jijian.get_json(&format!("/api/v1/warnings?person_id={officer}")).await;
        assert_eq!(list["items"][0]["level"], "橙", "{list}");
        assert_eq!(appraise(officer, "2026", "称职").await.0, 201);
        assert!(reasons(&jijian, officer, "appraisal").await.is_empty(), "the latest year is 称职");

        // A rule switched off gives no reasons.
        let id = rule_id(&jijian, "appraisal").await;
        let (status, r) =
            jijian.send_json(Method::PUT, &format!("/api/v1/warnings/rules/{id}"), json!({"enabled": false})).await;
        assert_eq!((status, r["enabled"].as_bool()), (200, Some(false)), "{r}");
        assert!(reasons(&jijian, a, "appraisal").await.is_empty());
        app
    })
    .await;
}

#[tokio::test]
async fn a_contract_ending_under_an_open_flag_is_explained_within_the_rules_days() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let jijian = app.login("jijian").await;
        // The demo has someone this rule explains.
        let mut demo = Vec::new();
        for page in 1..=20 {
            let (_, list) = jijian.get_json(&format!("/api/v1/warnings?page={page}&page_size=100")).await;
            let items = list["items"].as_array().unwrap().clone();
            demo.extend(
                items
                    .iter()
                    .flat_map(|w| w["reasons"].as_array().unwrap().clone())
                    .filter(|r| r["rule"] == "contract_flag"),
            );
            if items.len() < 100 {
                break;
            }
        }
        assert!(!demo.is_empty(), "the demo shows a contract ending under a flag");

        let aux = new_person(&shuji, "合同丙", "37020219900101773", "群众", 10).await;
        let (status, saved) = shuji
            .send_json(
                Method::PUT,
                &format!("/api/v1/persons/{aux}/police"),
                json!({"aux_kind": "勤务辅警", "employer_kind": "公安机关", "contract_start": "2024-01-11",
                    "contract_end": "2027-01-10"}),
            )
            .await;
        assert_eq!(status, 200, "{saved}");
        assert!(reasons(&jijian, aux, "contract_flag").await.is_empty(), "a contract ending is no warning by itself");

        let (_, cats) = jijian.get_json("/api/v1/risk-categories").await;
        let c17 = cats["items"].as_array().unwrap().iter().find(|c| c["code"] == "c17").unwrap()["id"].clone();
        let (status, f) = jijian
            .send_json(
                Method::POST,
                "/api/v1/risk-flags",
                json!({"person_id": aux, "category_id": c17, "source": "排查", "cadre": "支部书记",
                    "facts": "多次出入娱乐场所"}),
            )
            .await;
        assert_eq!(status, 201, "{f}");
        // Today is 2026-11-27 in the tests: 44 days to 2027-01-10, within the default 60.
        let texts = reasons(&jijian, aux, "contract_flag").await;
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert!(
            texts[0]
                .starts_with("辅警劳动合同将于 2027-01-10 到期（44 天后，提前 60 天提示），且有未结的黄色风险提示："),
            "{texts:?}"
        );
        assert!(texts[0].contains("社会交往复杂"), "the flag's category: {texts:?}");

        // The rule's days are data: 30 days ahead no longer reaches the contract; out of range is refused.
        let id = rule_id(&jijian, "contract_flag").await;
        let url = format!("/api/v1/warnings/rules/{id}");
        let (status, err) = jijian.send_json(Method::PUT, &url, json!({"threshold": 400})).await;
        assert_eq!((status, field(&err)), (422, "threshold".to_owned()), "{err}");
        assert!(err.to_string().contains("1 至 365"), "{err}");
        let (status, r) = jijian.send_json(Method::PUT, &url, json!({"threshold": 30, "level": "红"})).await;
        assert_eq!((status, r["threshold"].as_i64(), r["level"].as_str()), (200, Some(30), Some("红")), "{r}");
        assert!(reasons(&jijian, aux, "contract_flag").await.is_empty());
        let (status, _) = jijian.send_json(Method::PUT, &url, json!({"threshold": 45})).await;
        assert_eq!(status, 200);
        let (_, list) = jijian.get_json(&format!("/api/v1/warnings?person_id={aux}")).await;
        assert_eq!(list["items"][0]["level"], "红", "the rule's level: {list}");

        // The flag closed: no flag, no reason.
        let (status, closed) = jijian
            .send_json(
                Method::POST,
                &format!("/api/v1/risk-flags/{}/steps", f["id"]),
                json!({"status": "已化解", "closure": "已谈心谈话，不再出入娱乐场所"}),
            )
            .await;
        assert_eq!(status, 200, "{closed}");
        assert!(reasons(&jijian, aux, "contract_flag").await.is_empty());
        app
    })
    .await;
}
