use reqwest::Method;
use serde_json::json;

use crate::support::on_all_backends;

#[tokio::test]
async fn a_secretary_sees_only_the_own_branch_and_out_of_scope_ids_look_missing() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let (status, list) = shuji.get_json("/api/v1/orgs").await;
        assert_eq!(status, 200);
        assert_eq!(list["total"], 3);
        let branch_id = list["items"][0]["id"].as_i64().unwrap();
        assert_eq!(list["items"][0]["kind"], "党支部");
        assert_eq!(shuji.get_json(&format!("/api/v1/orgs/{branch_id}")).await.0, 200);

        // Another station's branch and the bureau above: 404 in the API and in the web page,
        // exactly like an id that does not exist.
        let (status, body) = shuji.get_json("/api/v1/orgs/13").await;
        assert_eq!(status, 404);
        assert_eq!(body["code"], "not_found");
        assert_eq!(shuji.get_json("/api/v1/orgs/6").await.0, 404);
        assert_eq!(shuji.get_json("/api/v1/orgs/99999").await, (404, body.clone()));
        let res = shuji.get("/orgs/13").await;
        assert_eq!(res.status(), 404);
        assert!(res.text().await.unwrap().contains("记录不存在或无权访问"));
        // A secretary cannot restructure.
        let (status, _) =
            shuji.send_json(Method::PATCH, &format!("/api/v1/orgs/{branch_id}"), json!({"name": "改名"})).await;
        assert_eq!(status, 403);

        // The refused attempts are audited with the organization they aimed at.
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?who=shuji&action=access.denied").await;
        assert_eq!(log["total"], 3, "{log}");
        assert_eq!(log["items"][0]["object"], "org#13");

        // A leader of the sub-bureau sees its whole subtree; the party office everything.
        let (_, lingdao) = app.login("lingdao").await.get_json("/api/v1/orgs?page_size=100").await;
        assert_eq!(lingdao["total"], 16);
        let (_, zzb) = app.login("zzb").await.get_json("/api/v1/orgs?page_size=5").await;
        assert_eq!(zzb["total"], 21);
        assert_eq!(zzb["items"].as_array().unwrap().len(), 5);
        app
    })
    .await;
}

#[tokio::test]
async fn the_party_office_creates_renames_and_moves_organizations() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        // Bad input is refused with the field named, and nothing is written.
        for (body, field) in [
            (json!({"name": "", "kind": "党支部", "parent_id": 6}), "name"),
            (json!({"name": "第三党小组", "kind": "党小组", "parent_id": 6}), "kind"),
            (json!({"name": "某党支部", "kind": "支部", "parent_id": 6}), "kind"),
            (json!({"name": "某党支部", "kind": "党支部", "parent_id": 424242}), "parent_id"),
        ] {
            let (status, err) = zzb.send_json(Method::POST, "/api/v1/orgs", body.clone()).await;
            assert_eq!(status, 422, "{body} -> {err}");
            assert_eq!(err["field"], field);
        }
        let (status, dup) = zzb
            .send_json(Method::POST, "/api/v1/orgs", json!({"name": "第一党小组", "kind": "党小组", "parent_id": 10}))
            .await;
        assert_eq!(status, 409);
        assert_eq!(dup["field"], "name");

        let (status, general) = zzb
            .send_json(
                Method::POST,
                "/api/v1/orgs",
                json!({"name": "中山路派出所党总支", "kind": "党总支", "parent_id": 6, "unit_name": "中山路派出所"}),
            )
            .await;
        assert_eq!(status, 201, "{general}");
        let general_id = general["id"].as_i64().unwrap();
        assert_eq!(general["path"], format!("/1/6/{general_id}/"));

        // Move a station branch (with its groups and people) under the new general branch.
        let (_, before) = zzb.get_json("/api/v1/orgs/13").await;
        let people = before["people_in_subtree"].as_u64().unwrap();
        assert!(people > 0);
        let (status, moved) = zzb.send_json(Method::PATCH, "/api/v1/orgs/13", json!({"parent_id": general_id})).await;
        assert_eq!(status, 200, "{moved}");
        assert_eq!(moved["org"]["path"], format!("/1/6/{general_id}/13/"));
        assert_eq!(moved["org"]["depth"], 3);
        let (_, group) = zzb.get_json("/api/v1/orgs/14").await;
        assert_eq!(group["org"]["path"], format!("/1/6/{general_id}/13/14/"));
        assert_eq!(group["org"]["depth"], 4);
        let (_, g) = zzb.get_json(&format!("/api/v1/orgs/{general_id}")).await;
        assert_eq!(g["people_in_subtree"].as_u64().unwrap(), people, "people moved along");

        // Not under itself; and a rename that comes with an impossible move changes nothing.
        let (status, err) =
            zzb.send_json(Method::PATCH, &format!("/api/v1/orgs/{general_id}"), json!({"parent_id": 13})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("parent_id")));
        let (status, _) =
            zzb.send_json(Method::PATCH, "/api/v1/orgs/13", json!({"name": "新名称", "parent_id": 14})).await;
        assert_eq!(status, 422);
        let (_, still) = zzb.get_json("/api/v1/orgs/13").await;
        assert_eq!(still["org"]["name"], before["org"]["name"]);

        // Rename over the web form: redirect with a message, then the new name shows.
        let res = zzb
            .post_form("/orgs/13/rename", &[("name", "中山路派出所社区警务党支部"), ("unit_name", "中山路派出所")])
            .await;
        assert_eq!(res.status(), 303);
        let page = zzb.get("/orgs/13").await.text().await.unwrap();
        assert!(page.contains("已保存：中山路派出所社区警务党支部"));
        let res = zzb.post_form("/orgs/13/rename", &[("name", "  ")]).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("请填写党组织名称"));

        // Every change is in the audit log.
        let auditor = app.login("auditor").await;
        for action in ["org.create", "org.move", "org.rename"] {
            let (_, log) = auditor.get_json(&format!("/api/v1/audit?who=zzb&action={action}")).await;
            assert_eq!(log["total"], 1, "{action}");
        }
        app
    })
    .await;
}

#[tokio::test]
async fn the_excel_export_holds_exactly_what_the_list_shows() {
    use calamine::{Reader, Xlsx};
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let (_, list) = zzb.get_json("/api/v1/orgs?kind=党支部").await;
        let res = zzb.get("/orgs/export.xlsx?kind=%E5%85%9A%E6%94%AF%E9%83%A8").await;
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
        let bytes = res.bytes().await.unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let sheet = book.worksheet_range("党组织").unwrap();
        let data_rows = sheet.rows().count() - 2;
        assert_eq!(data_rows as u64, list["total"].as_u64().unwrap());
        assert!(sheet.rows().skip(2).all(|r| r[1] == "党支部"));
        // The secretary's export covers the secretary's scope only.
        let shuji = app.login("shuji").await;
        let bytes = shuji.get("/orgs/export.xlsx").await.bytes().await.unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        assert_eq!(book.worksheet_range("党组织").unwrap().rows().count() - 2, 3);
        app
    })
    .await;
}
