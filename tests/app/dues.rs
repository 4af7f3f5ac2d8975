use reqwest::Method;
use serde_json::{Value, json};

use crate::support::on_all_backends;

fn row(ledger: &Value, person: i64) -> &Value {
    ledger["rows"].as_array().unwrap().iter().find(|r| r["person_id"] == person).unwrap()
}

#[tokio::test]
async fn dues_follow_the_base_from_its_month_and_payments_fill_the_ledger() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let (_, members) =
            shuji.get_json("/api/v1/persons?political_status=%E4%B8%AD%E5%85%B1%E5%85%9A%E5%91%98&page_size=100").await;
        let ids: Vec<i64> = members["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
        let (a, b, c) = (ids[0], ids[1], ids[2]);

        let (status, err) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{a}/dues-base"),
                json!({"effective_month": "2026-01", "base": "5400", "category": "exempt"}),
            )
            .await;
        assert_eq!((status, err["field"].as_str()), (422, Some("note")));
        let (status, err) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{a}/dues-base"),
                json!({"effective_month": "2026-01", "base": "54元"}),
            )
            .await;
        assert_eq!((status, err["field"].as_str()), (422, Some("base")));
        let (status, base) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{a}/dues-base"),
                json!({"effective_month": "2026-01", "base": "5400"}),
            )
            .await;
        assert_eq!(status, 201, "{base}");
        assert_eq!(base["monthly"], "81.00");
        let (_, raise) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{a}/dues-base"),
                json!({"effective_month": "2026-12", "base": "11500"}),
            )
            .await;
        assert_eq!(raise["monthly"], "230.00");
        let (_, retired) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{b}/dues-base"),
                json!({"effective_month": "2026-01", "base": "6000", "category": "retired"}),
            )
            .await;
        assert_eq!(retired["monthly"], "60.00");

        let (status, nov) = shuji.get_json("/api/v1/dues?org=10&month=2026-11").await;
        assert_eq!(status, 200, "{nov}");
        assert_eq!(row(&nov, a)["due"], "81.00");
        assert_eq!(row(&nov, a)["paid"], Value::Null);
        let (_, dec) = shuji.get_json("/api/v1/dues?org=10&month=2026-12").await;
        assert_eq!(row(&dec, a)["due"], "230.00", "the new base applies from its month");

        // Someone without a base cannot be marked paid; nothing is written then.
        let (status, err) = shuji
            .send_json(
                Method::POST,
                "/api/v1/dues/payments",
                json!({"month": "2026-11", "person_ids": [a, c], "paid_on": "2026-11-20"}),
            )
            .await;
        assert_eq!(status, 422, "{err}");
        assert!(err["message"].as_str().unwrap().contains("尚未登记 2026-11 适用的党费基数"));
        let (_, still) = shuji.get_json("/api/v1/dues?org=10&month=2026-11").await;
        assert_eq!(still["paid_count"], 0);
        let (status, paid) = shuji
            .send_json(
                Method::POST,
                "/api/v1/dues/payments",
                json!({"month": "2026-11", "person_ids": [a, b], "paid_on": "2026-11-20"}),
            )
            .await;
        assert_eq!((status, paid["recorded"].as_u64()), (200, Some(2)));
        let (_, again) = shuji
            .send_json(
                Method::POST,
                "/api/v1/dues/payments",
                json!({"month": "2026-11", "person_ids": [a], "paid_on": "2026-11-21"}),
            )
            .await;
        assert_eq!(again["recorded"], 0, "a month is paid once");
        let (_, nov) = shuji.get_json("/api/v1/dues?org=10&month=2026-11").await;
        assert_eq!(row(&nov, a)["paid"], "81.00");
        assert_eq!(nov["paid_total"], "141.00");

        // Another branch's ledger is out of the secretary's reach.
        assert_eq!(shuji.get_json("/api/v1/dues?org=13&month=2026-11").await.0, 404);

        // Six months with dues due and nothing paid: a reminder, nothing else.
        let home = shuji.get("/").await.text().await.unwrap();
        let name_b = members["items"][1]["name"].as_str().unwrap();
        assert!(home.contains(&format!("{name_b} 已连续 6 个月未交纳党费")), "reminder expected");
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{b}")).await;
        assert_eq!(profile["political_status"], "中共党员", "no automatic consequence");

        // The web ledger: ticking members and submitting records payments.
        let res = shuji
            .client
            .post(shuji.url("/party/dues/pay"))
            .form(&[
                ("_csrf", shuji.csrf.as_str()),
                ("month", "2026-10"),
                ("org", "10"),
                ("paid_on", "2026-11-01"),
                ("person_id", &a.to_string()),
                ("person_id", &b.to_string()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let page = shuji.get("/party/dues?org=10&month=2026-10").await.text().await.unwrap();
        assert!(page.contains("已交 2 人"), "ledger page shows the payments");
        app
    })
    .await;
}
