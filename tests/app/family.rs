//! 家庭成员: the family-and-care class — who may read (audited) and change a person's family,
//! masked in the profile until revealed, and the refusals: 403 naming the permission, 404 and
//! an audit row out of scope.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Session, on_all_backends};

async fn audit(auditor: &Session, query: &str) -> Value {
    auditor.get_json(&format!("/api/v1/audit?{query}&page_size=50")).await.1
}

/// A person without registered family in the secretary's branch (10), and one in another
/// branch (13).
async fn people(app: &crate::support::TestApp) -> (i64, i64) {
    let zzb = app.login("zzb").await;
    let (_, own) = zzb.get_json("/api/v1/persons?org=10&page_size=50").await;
    let mut alone = None;
    for p in own["items"].as_array().unwrap().iter().skip(2) {
        let id = p["id"].as_i64().unwrap();
        if zzb.get_json(&format!("/api/v1/persons/{id}/family")).await.1["total"] == 0 {
            alone = Some(id);
            break;
        }
    }
    let (_, other) = zzb.get_json("/api/v1/persons?org=13&page_size=1").await;
    (alone.expect("someone in branch 10 without family in the demo"), other["items"][0]["id"].as_i64().unwrap())
}

#[tokio::test]
async fn a_secretary_keeps_a_members_family_and_every_read_is_audited() {
    on_all_backends(|app| async move {
        let (person, other) = people(&app).await;
        let shuji = app.login("shuji").await;
        let path = format!("/api/v1/persons/{person}/family");
        let (status, empty) = shuji.get_json(&path).await;
        assert_eq!((status, empty["total"].as_u64()), (200, Some(0)));

        let spouse = json!({"relation": "配偶", "name": "李梅", "birth_year": "1986", "work_unit": "市第一人民医院",
            "post": "护士", "political_status": "群众", "phone": "13800001111"});
        let (status, created) = shuji.send_json(Method::POST, &path, spouse).await;
        assert_eq!(status, 201, "{created}");
        let spouse_id = created["id"].as_i64().unwrap();
        let (status, _) = shuji.send_json(Method::POST, &path, json!({"relation": "母亲", "name": "王秀英"})).await;
        assert_eq!(status, 201);

        // Everything wrong at once: every field named, nothing saved.
        let bad = json!({"relation": "表哥", "name": "", "birth_year": "2999", "phone": "12"});
        let (status, err) = shuji.send_json(Method::POST, &path, bad).await;
        assert_eq!(status, 422);
        let fields: Vec<&str> =
            err["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["relation", "name", "birth_year", "phone"], "{err}");
        assert!(err["errors"][0]["message"].as_str().unwrap().contains("配偶"), "names the choices: {err}");
        let (_, list) = shuji.get_json(&path).await;
        assert_eq!(list["total"], 2);
        assert_eq!(list["items"][0]["phone"], "13800001111");

        // The profile shows how many, masked; the reveal gives one line each.
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{person}")).await;
        let family = profile["sections"].as_array().unwrap().iter().find(|s| s["id"] == "family").unwrap();
        assert_eq!(family["sensitive"], true);
        assert_eq!(family["rows"][0], json!({"label": "家庭成员", "value": "已登记 2 人", "field": "family_members"}));
        let (status, shown) = shuji.reveal(person, &["family_members"]).await;
        assert_eq!(status, 200, "{shown}");
        assert_eq!(shown["fields"][0]["class"], "family_care");
        let text = shown["fields"][0]["value"].as_str().unwrap();
        assert_eq!(text, "配偶：李梅，1986年生，市第一人民医院 护士，群众，13800001111\n母亲：王秀英");

        // Change and remove.
        let change = json!({"relation": "配偶", "name": "李梅", "phone": "13900002222"});
        let (status, changed) =
            shuji.send_json(Method::PUT, &format!("/api/v1/family-members/{spouse_id}"), change).await;
        assert_eq!((status, changed["phone"].as_str(), changed["post"].as_str()), (200, Some("13900002222"), None));
        let (status, _) =
            shuji.send_json(Method::DELETE, &format!("/api/v1/family-members/{spouse_id}"), json!({})).await;
        assert_eq!(status, 204);
        assert_eq!(shuji.get_json(&path).await.1["total"], 1);

        // The log: each read (three lists and one reveal) and each change, never a name or number.
        let auditor = app.login("auditor").await;
        let reads = audit(&auditor, "who=shuji&action=sensitive.read").await;
        assert_eq!(reads["total"], 4, "{reads}");
        let changes = audit(&auditor, "who=shuji&action=family.").await;
        let log = changes.to_string();
        assert!(!log.contains("李梅") && !log.contains("13800001111"), "{log}");
        for action in ["family.create", "family.update", "family.delete"] {
            assert!(audit(&auditor, &format!("who=shuji&action={action}")).await["total"].as_u64().unwrap() >= 1);
        }
        let _ = other;
        app
    })
    .await;
}

#[tokio::test]
async fn the_family_is_refused_to_roles_without_the_class_and_out_of_scope() {
    on_all_backends(|app| async move {
        let (person, other) = people(&app).await;
        let path = format!("/api/v1/persons/{person}/family");
        let body = json!({"relation": "父亲", "name": "张建国"});

        // The leader reads the sub-bureau's roster but not families: 403 naming the permission.
        let lingdao = app.login("lingdao").await;
        let (status, err) = lingdao.get_json(&path).await;
        assert_eq!(status, 403);
        assert!(err["message"].as_str().unwrap().contains("家庭与关爱信息查阅"), "{err}");
        assert_eq!(lingdao.reveal(person, &["family_members"]).await.0, 403);
        // Discipline reads identity and discipline, not families.
        let jijian = app.login("jijian").await;
        assert_eq!(jijian.get_json(&path).await.0, 403);
        assert_eq!(jijian.send_json(Method::POST, &path, body.clone()).await.0, 403);

        // The secretary of branch 10, another branch's person: 404, and the refusal audited.
        let shuji = app.login("shuji").await;
        assert_eq!(shuji.get_json(&format!("/api/v1/persons/{other}/family")).await.0, 404);
        assert_eq!(
            shuji.send_json(Method::POST, &format!("/api/v1/persons/{other}/family"), body.clone()).await.0,
            404
        );
        let zzb = app.login("zzb").await;
        let (status, theirs) =
            zzb.send_json(Method::POST, &format!("/api/v1/persons/{other}/family"), body.clone()).await;
        assert_eq!(status, 201);
        let theirs = theirs["id"].as_i64().unwrap();
        let change = format!("/api/v1/family-members/{theirs}");
        assert_eq!(shuji.send_json(Method::PUT, &change, body.clone()).await.0, 404);
        assert_eq!(shuji.send_json(Method::DELETE, &change, json!({})).await.0, 404);
        let auditor = app.login("auditor").await;
        let denied = audit(&auditor, "who=shuji&action=access.denied").await;
        assert_eq!(denied["total"], 4, "{denied}");
        let (_, still) = zzb.get_json(&format!("/api/v1/persons/{other}/family")).await;
        assert!(
            still["items"].as_array().unwrap().iter().any(|m| m["id"] == theirs && m["name"] == "张建国"),
            "unchanged"
        );

        // A member reads their own family (audited as their own) but does not change it.
        let dangyuan = app.login("dangyuan").await;
        let own = dangyuan.get("/people/me").await.headers()["location"].to_str().unwrap().to_owned();
        let own_id = own.trim_start_matches("/people/");
        let (status, _) = dangyuan.get_json(&format!("/api/v1/persons/{own_id}/family")).await;
        assert_eq!(status, 200);
        let (status, _) = dangyuan.send_json(Method::POST, &format!("/api/v1/persons/{own_id}/family"), body).await;
        assert_eq!(status, 403);
        let reads = audit(&auditor, "who=dangyuan&action=sensitive.read").await;
        assert!(reads["items"][0]["summary"].as_str().unwrap().contains("\"self\":true"), "{reads}");
        app
    })
    .await;
}

#[tokio::test]
async fn the_family_page_shows_the_members_and_keeps_what_was_typed_on_a_mistake() {
    on_all_backends(|app| async move {
        let (person, _) = people(&app).await;
        let shuji = app.login("shuji").await;
        let page = format!("/people/{person}/family");
        let res = shuji.post_form(&page, &[("relation", "女儿"), ("name", "张小雨"), ("birth_year", "2015")]).await;
        assert_eq!(res.status(), 303);
        let html = shuji.get(&page).await.text().await.unwrap();
        assert!(html.contains("张小雨") && html.contains("2015") && html.contains("已登记女儿：张小雨"), "{html}");

        let res = shuji.post_form(&page, &[("relation", "儿子"), ("name", "张小明"), ("birth_year", "明年")]).await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("class=\"has-error\"") && html.contains("出生年份“明年”"), "{html}");
        assert!(html.contains("value=\"张小明\""), "what was typed stays");

        // The profile offers the family page and the reveal to the secretary, not to the leader.
        let profile = shuji.get(&format!("/people/{person}")).await.text().await.unwrap();
        assert!(profile.contains(&format!("href=\"/people/{person}/family\"")));
        assert!(profile.contains("data-field=\"family_members\" data-state=\"revealable\""), "{profile}");
        let lingdao = app.login("lingdao").await;
        let seen = lingdao.get(&format!("/people/{person}")).await.text().await.unwrap();
        assert!(seen.contains("已登记 1 人") && !seen.contains("张小雨"));
        assert!(seen.contains("data-field=\"family_members\" data-state=\"masked\""));
        assert!(!seen.contains(&format!("/people/{person}/family")));
        assert_eq!(lingdao.get(&page).await.status(), 403);
        app
    })
    .await;
}
