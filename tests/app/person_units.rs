//! The person form's 工作单位 (issue 10 leftovers): picked from the unit list the writer may see;
//! a unit not on the list is kept as typed with a warning naming the closest units — the same
//! in the form, the API and the import.

use reqwest::Method;
use serde_json::json;

use crate::support::on_all_backends;

fn enc(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn the_person_form_picks_units_from_the_list_and_warns_about_others() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        // The picker offers the units the secretary may see, by name or other name.
        let (status, options) = shuji.get_json(&format!("/orgs/units/options?q={}", enc("中山路所"))).await;
        assert_eq!(status, 200, "{options}");
        assert_eq!(options[0]["value"], "中山路派出所", "{options}");
        let (_, all) = shuji.get_json(&format!("/orgs/units/options?q={}", enc("派出所"))).await;
        let names: Vec<&str> = all.as_array().unwrap().iter().map(|o| o["value"].as_str().unwrap()).collect();
        let zzb = app.login("zzb").await;
        let (_, every) = zzb.get_json(&format!("/orgs/units/options?q={}", enc("派出所"))).await;
        assert!(names.contains(&"中山路派出所"), "{names:?}");
        assert!(every.as_array().unwrap().len() > names.len(), "other stations' units are not offered: {names:?}");
        let form = shuji.get("/people/new").await.text().await.unwrap();
        assert!(form.contains("data-picker=\"/orgs/units/options\""), "{form}");

        // A listed unit (by its short name) is linked and needs no warning.
        let person = |name: &str, id: &str, unit: &str| {
            json!({"name": name, "kind": "辅警", "id_number": crate::support::valid_id(id), "org_id": 10,
                "unit": unit, "political_status": "群众", "employment_status": "在职"})
        };
        let (status, made) =
            shuji.send_json(Method::POST, "/api/v1/persons", person("李一", "37020219950505001", "中山路所")).await;
        assert_eq!(status, 201, "{made}");
        assert_eq!(made["warnings"], json!([]), "{made}");
        // A unit not on the list is kept as typed, with a warning naming the closest units.
        let (status, made) =
            shuji.send_json(Method::POST, "/api/v1/persons", person("李二", "37020219950505002", "中山路派出")).await;
        assert_eq!(status, 201, "{made}");
        assert_eq!(made["warnings"][0]["field"], "unit", "{made}");
        let warning = made["warnings"][0]["message"].as_str().unwrap();
        assert!(warning.contains("单位名单中没有“中山路派出”") && warning.contains("中山路派出所"), "{warning}");
        let id = made["id"].as_i64().unwrap();
        let fixed = person("李二", "37020219950505002", "中山路派出所");
        let (status, saved) = shuji.send_json(Method::PUT, &format!("/api/v1/persons/{id}"), fixed).await;
        assert_eq!((status, &saved["warnings"]), (200, &json!([])), "{saved}");

        // The form says the same, as a warning: the record is saved.
        let res = shuji
            .post_form(
                "/people",
                &[
                    ("name", "李三"),
                    ("kind", "辅警"),
                    ("id_number", &crate::support::valid_id("37020219950505003")),
                    ("org_id", "10"),
                    ("unit", "中山路派出"),
                    ("political_status", "群众"),
                    ("employment_status", "在职"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        let to = res.headers()["location"].to_str().unwrap().to_owned();
        let page = shuji.get(&to).await.text().await.unwrap();
        assert!(page.contains("flash-warn") && page.contains("相近的有：中山路派出所"), "{page}");
        app
    })
    .await;
}
