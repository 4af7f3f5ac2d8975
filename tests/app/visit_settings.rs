//! Issue 12 leftovers: the 全员访 cycle is the bureau's data (edited by the party administrator
//! of the whole bureau, audited, used by coverage); the demo has an officer who died on duty,
//! with his family, so the 因公牺牲民警家属 campaign shows someone.

use reqwest::Method;
use serde_json::json;

use crate::support::on_all_backends;

#[tokio::test]
async fn the_bureau_sets_the_full_visit_cycle_and_coverage_follows() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let fenju = app.login("fenju").await;
        let shuji = app.login("shuji").await;
        let (status, s) = zzb.get_json("/api/v1/visits/settings").await;
        assert_eq!(status, 200, "{s}");
        assert_eq!((s["cycle_months"].as_i64(), s["can_edit"].as_bool()), (Some(12), Some(true)), "default one year");
        let (_, cov) = shuji.get_json("/api/v1/visits/coverage?org=10").await;
        assert_eq!(cov["cycle"], "2026", "{cov}");

        // Only the whole bureau's party administrator; bad values refused on the field.
        let (status, err) = fenju.send_json(Method::PUT, "/api/v1/visits/settings", json!({"cycle_months": 6})).await;
        assert_eq!(status, 403, "{err}");
        assert!(err["message"].as_str().unwrap().contains("全局党务管理员"), "{err}");
        assert_eq!(shuji.send_json(Method::PUT, "/api/v1/visits/settings", json!({"cycle_months": 6})).await.0, 403);
        let (status, err) = zzb.send_json(Method::PUT, "/api/v1/visits/settings", json!({"cycle_months": 5})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("cycle_months")), "{err}");
        assert!(err["message"].as_str().unwrap().contains("12、6、4 或 3"), "{err}");
        assert_eq!(shuji.get_json("/api/v1/visits/coverage?org=10").await.1["cycle"], "2026", "nothing changed");

        // Half-yearly: the current cycle is the second half of 2026; there is no third.
        let (status, saved) = zzb.send_json(Method::PUT, "/api/v1/visits/settings", json!({"cycle_months": 6})).await;
        assert_eq!((status, saved["cycle_months"].as_i64()), (200, Some(6)), "{saved}");
        let (_, cov) = shuji.get_json("/api/v1/visits/coverage?org=10").await;
        assert_eq!((cov["cycle"].as_str(), cov["from"].as_str()), (Some("2026-2"), Some("2026-07-01")), "{cov}");
        assert_eq!(shuji.get_json("/api/v1/visits/coverage?org=10&cycle=2026-1").await.0, 200);
        let (status, err) = shuji.get_json("/api/v1/visits/coverage?org=10&cycle=2026-3").await;
        assert_eq!((status, err["field"].as_str()), (422, Some("cycle")), "a year has two halves: {err}");
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?who=zzb&action=visit.settings").await;
        assert_eq!(log["total"], 1, "one change, refusals not: {log}");

        // The page: a form for the bureau's administrator that names a bad value; read-only for others.
        let page = zzb.get("/visits/settings").await.text().await.unwrap();
        assert!(page.contains("id=\"visit-settings\""), "a form");
        let res = zzb.post_form("/visits/settings", &[("cycle_months", "7")]).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("不能是 7"));
        let res = zzb.post_form("/visits/settings", &[("cycle_months", "12")]).await;
        assert!(res.status().is_success() || res.status().is_redirection());
        let page = shuji.get("/visits/settings").await.text().await.unwrap();
        assert!(page.contains("每年一次") && !page.contains("id=\"visit-settings\""), "read-only");
        assert_eq!(shuji.get_json("/api/v1/visits/coverage?org=10").await.1["cycle"], "2026");
        app
    })
    .await;
}

#[tokio::test]
async fn the_demo_has_an_officer_who_died_on_duty_with_family_and_a_campaign_for_them() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let (status, people) = zzb.get_json("/api/v1/persons?employment_status=因公牺牲").await;
        assert_eq!(status, 200, "{people}");
        assert_eq!(people["total"], 1, "{people}");
        let fallen = &people["items"][0];
        assert_eq!(fallen["kind"], "民警", "{fallen}");
        let (status, family) = zzb.get_json(&format!("/api/v1/persons/{}/family", fallen["id"])).await;
        assert_eq!(status, 200, "{family}");
        assert_eq!(family["total"], 3, "spouse, son, mother: {family}");
        let (_, campaigns) = zzb.get_json("/api/v1/visit-campaigns").await;
        let c = campaigns["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["rule"] == "fallen_families")
            .unwrap_or_else(|| panic!("{campaigns}"))
            .clone();
        let (status, d) = zzb.get_json(&format!("/api/v1/visit-campaigns/{}", c["id"])).await;
        assert_eq!(status, 200, "{d}");
        assert_eq!((d["targets"].as_i64(), d["visited"].as_i64()), (Some(1), Some(0)), "{d}");
        app
    })
    .await;
}
