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

/// Above branch level the ledger is a roll-up, one row per unit below with drill-down, whose
/// sums are the ledger's totals; a branch lists its members; the export keeps every member.
#[tokio::test]
async fn a_ledger_above_branch_level_rolls_up_by_unit_and_drills_down() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let shuji = app.login("shuji").await;
        let (_, list) = shuji.get_json("/api/v1/persons?political_status=%E4%B8%AD%E5%85%B1%E5%85%9A%E5%91%98").await;
        let member = list["items"][0]["id"].as_i64().unwrap();
        let (status, _) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{member}/dues-base"),
                json!({"effective_month": "2026-01", "base": "5400"}),
            )
            .await;
        assert_eq!(status, 201);
        let (status, _) = shuji
            .send_json(
                Method::POST,
                "/api/v1/dues/payments",
                json!({"month": "2026-11", "paid_on": "2026-11-20", "person_ids": [member]}),
            )
            .await;
        assert_eq!(status, 200);

        let (status, bureau) = zzb.get_json("/api/v1/dues?org=1&month=2026-11").await;
        assert_eq!(status, 200);
        let units = bureau["units"].as_array().unwrap();
        assert!(units.len() >= 2, "{units:?}");
        let sum = |key: &str| units.iter().map(|u| u[key].as_u64().unwrap()).sum::<u64>();
        assert_eq!(sum("members"), bureau["members"].as_u64().unwrap());
        assert_eq!(sum("paid_count"), 1);
        assert_eq!(sum("members") - sum("paid_count"), sum("unpaid"));
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
