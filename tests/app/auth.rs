use chrono::Duration;
use reqwest::Method;
use serde_json::json;

use crate::support::{PASSWORD, TestApp, csrf_in, on_all_backends};

const DEMO_ACCOUNTS: [&str; 8] = ["admin", "secadmin", "auditor", "zzb", "jijian", "shuji", "lingdao", "dangyuan"];

#[tokio::test]
async fn every_demo_account_logs_in_over_the_api_and_the_web_form() {
    on_all_backends(|app| async move {
        for user in DEMO_ACCOUNTS {
            let s = app.login(user).await;
            assert_eq!(s.me["username"], user);
            assert_eq!(s.me["must_change_password"], false, "{user}");
            let (status, me) = s.get_json("/api/v1/me").await;
            assert_eq!(status, 200);
            assert_eq!(me["username"], user);

            let web = app.client();
            let form = web.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
            let token = csrf_in(&form);
            assert_eq!(token.len(), 64);
            let res = web
                .post(app.url("/login"))
                .form(&[("username", user), ("password", PASSWORD), ("_csrf", &token), ("next", "/")])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 303, "{user}");
            assert_eq!(res.headers()["location"], "/");
            let home = web.get(app.url("/")).send().await.unwrap();
            assert_eq!(home.status(), 200);
            assert!(home.text().await.unwrap().contains("工作台"));
        }
        app
    })
    .await;
}

#[tokio::test]
async fn wrong_user_and_wrong_password_get_the_same_generic_answer() {
    on_all_backends(|app| async move {
        let wrong_password = app.login_with("shuji", "Nope@12345").await.unwrap_err();
        let no_such_user = app.login_with("nobody", "Nope@12345").await.unwrap_err();
        assert_eq!(wrong_password["status"], 401);
        assert_eq!(no_such_user["status"], 401);
        assert_eq!(wrong_password["body"], no_such_user["body"]);
        assert_eq!(wrong_password["body"]["message"], "用户名或密码错误");

        // The web form shows the same message and keeps the typed user name.
        let web = app.client();
        let token = csrf_in(&web.get(app.url("/login")).send().await.unwrap().text().await.unwrap());
        let res = web
            .post(app.url("/login"))
            .form(&[("username", "shuji"), ("password", "bad"), ("_csrf", &token)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        let html = res.text().await.unwrap();
        assert!(html.contains("用户名或密码错误"));
        assert!(html.contains("value=\"shuji\""));
        app
    })
    .await;
}

#[tokio::test]
async fn five_failures_lock_the_account_until_unlocked_or_expired() {
    on_all_backends(|app| async move {
        for i in 0..4 {
            let e = app.login_with("jijian", "Wrong@pass1").await.unwrap_err();
            assert_eq!(e["status"], 401, "attempt {i}");
        }
        let fifth = app.login_with("jijian", "Wrong@pass1").await.unwrap_err();
        assert_eq!(fifth["status"], 423);
        // Even the right password is refused while locked, with the unlock time.
        let locked = app.login_with("jijian", PASSWORD).await.unwrap_err();
        assert_eq!(locked["status"], 423);
        let message = locked["body"]["message"].as_str().unwrap();
        assert!(message.contains("已锁定") && message.contains("2026-11-27 10:15:00"), "{message}");

        // The security administrator unlocks; the account works again.
        let sec = app.login("secadmin").await;
        let (_, users) = sec.get_json("/api/v1/users?q=jijian").await;
        let id = users["items"][0]["id"].as_i64().unwrap();
        let (status, _) = sec.send_json(Method::POST, &format!("/api/v1/users/{id}/unlock"), json!({})).await;
        assert_eq!(status, 204);
        app.login("jijian").await;

        // Locked again; after the lock-out period it opens by itself.
        for _ in 0..5 {
            let _ = app.login_with("jijian", "Wrong@pass1").await;
        }
        assert_eq!(app.login_with("jijian", PASSWORD).await.unwrap_err()["status"], 423);
        app.clock.advance(Duration::minutes(16));
        app.login("jijian").await;

        // Logins, failures and the lock are audited.
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?who=jijian&action=account.locked").await;
        assert_eq!(log["total"], 2);
        let (_, failures) = auditor.get_json("/api/v1/audit?who=jijian&action=login.failure").await;
        assert_eq!(failures["total"], 10);
        assert!(failures["items"][0]["ip"].as_str().unwrap().starts_with("127.0.0.1"));
        app
    })
    .await;
}

#[tokio::test]
async fn sessions_end_after_idle_time_and_at_logout() {
    on_all_backends(|app| async move {
        let s = app.login("zzb").await;
        app.clock.advance(Duration::minutes(29));
        assert_eq!(s.get_json("/api/v1/me").await.0, 200);
        // Activity refreshed the session: another 29 minutes is still fine.
        app.clock.advance(Duration::minutes(29));
        assert_eq!(s.get_json("/api/v1/me").await.0, 200);
        app.clock.advance(Duration::minutes(31));
        let (status, body) = s.get_json("/api/v1/me").await;
        assert_eq!(status, 401);
        assert_eq!(body["code"], "unauthenticated");

        let s = app.login("zzb").await;
        let res = s.client.delete(s.url("/api/v1/session")).header("x-csrf-token", &s.csrf).send().await.unwrap();
        assert_eq!(res.status(), 204);
        assert_eq!(s.get_json("/api/v1/me").await.0, 401);

        // Absolute lifetime: 12 hours even when active.
        let s = app.login("zzb").await;
        for _ in 0..25 {
            app.clock.advance(Duration::minutes(29));
            let _ = s.get_json("/api/v1/me").await;
        }
        assert_eq!(s.get_json("/api/v1/me").await.0, 401);
        app
    })
    .await;
}

#[tokio::test]
async fn state_changes_without_the_csrf_token_are_refused() {
    on_all_backends(|app| async move {
        let s = app.login("zzb").await;
        let body = json!({"name": "无令牌党支部", "kind": "党支部", "parent_id": 2});
        let res = s.client.post(s.url("/api/v1/orgs")).json(&body).send().await.unwrap();
        assert_eq!(res.status(), 403);
        assert_eq!(res.json::<serde_json::Value>().await.unwrap()["code"], "csrf");
        let res = s
            .client
            .post(s.url("/orgs"))
            .form(&[("name", "无令牌党支部"), ("kind", "党支部"), ("parent_id", "2")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        let res = s
            .client
            .post(s.url("/orgs"))
            .form(&[("name", "无令牌党支部"), ("kind", "党支部"), ("parent_id", "2"), ("_csrf", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        // Nothing was written.
        let (_, list) = s.get_json("/api/v1/orgs?q=无令牌").await;
        assert_eq!(list["total"], 0);
        // With the token it works.
        let (status, created) = s.send_json(Method::POST, "/api/v1/orgs", body).await;
        assert_eq!(status, 201, "{created}");
        // The login form itself needs its own token.
        let res = app
            .client()
            .post(app.url("/login"))
            .form(&[("username", "zzb"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
        app
    })
    .await;
}

#[tokio::test]
async fn new_accounts_must_change_the_initial_password_first() {
    on_all_backends(|app| async move {
        let admin = app.login("admin").await;
        let (status, created) =
            admin.send_json(Method::POST, "/api/v1/users", json!({"username": "Wangwu", "display_name": "王五"})).await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["username"], "wangwu");
        let initial = created["initial_password"].as_str().unwrap().to_owned();
        let (status, dup) =
            admin.send_json(Method::POST, "/api/v1/users", json!({"username": "wangwu", "display_name": "王五"})).await;
        assert_eq!(status, 409);
        assert_eq!(dup["field"], "username");

        let s = app.login_with("wangwu", &initial).await.unwrap();
        assert_eq!(s.me["must_change_password"], true);
        let (status, body) = s.get_json("/api/v1/orgs").await;
        assert_eq!(status, 403);
        assert_eq!(body["code"], "password_change_required");
        // The web pages send the user to the password page.
        let res = s.get("/").await;
        assert_eq!(res.headers()["location"], "/account/password");

        let (status, weak) = s
            .send_json(
                Method::POST,
                "/api/v1/me/password",
                json!({"current_password": initial, "new_password": "short"}),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(weak["field"], "new_password");
        let (status, wrong) = s
            .send_json(
                Method::POST,
                "/api/v1/me/password",
                json!({"current_password": "x", "new_password": "Strong#Pass2026"}),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(wrong["field"], "current_password");
        let (status, _) = s
            .send_json(
                Method::POST,
                "/api/v1/me/password",
                json!({"current_password": initial, "new_password": "Strong#Pass2026"}),
            )
            .await;
        assert_eq!(status, 204);
        // Without any grant the account may see only its own things.
        let (status, body) = s.get_json("/api/v1/orgs").await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(s.get_json("/api/v1/me").await.0, 200);
        app.login_with("wangwu", "Strong#Pass2026").await.unwrap();
        app
    })
    .await;
}

#[tokio::test]
async fn api_tokens_act_as_their_user_until_revoked() {
    on_all_backends(|app| async move {
        let admin = app.login("admin").await;
        // No token for an account that reads sensitive data or is a system officer.
        for refused in ["shuji", "secadmin"] {
            let (_, users) = admin.get_json(&format!("/api/v1/users?q={refused}")).await;
            let id = users["items"][0]["id"].as_i64().unwrap();
            let (status, _) =
                admin.send_json(Method::POST, &format!("/api/v1/users/{id}/tokens"), json!({"name": "x"})).await;
            assert_eq!(status, 422, "{refused}");
        }
        let (_, users) = admin.get_json("/api/v1/users?q=lingdao").await;
        let lingdao_id = users["items"][0]["id"].as_i64().unwrap();
        let (status, token) = admin
            .send_json(Method::POST, &format!("/api/v1/users/{lingdao_id}/tokens"), json!({"name": "统计接口"}))
            .await;
        assert_eq!(status, 201);
        let secret = token["token"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("djt_"));

        let bearer = reqwest::Client::new();
        let res = bearer.get(app.url("/api/v1/orgs")).bearer_auth(&secret).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["total"], 16, "scoped like lingdao: the sub-bureau's tree");
        // A bearer write needs no CSRF token (no cookie is involved) but still the permission.
        let res = bearer
            .post(app.url("/api/v1/orgs"))
            .bearer_auth(&secret)
            .json(&json!({"name": "x", "kind": "党小组", "parent_id": 1}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);

        let (status, _) = admin.send_json(Method::DELETE, &format!("/api/v1/tokens/{}", token["id"]), json!({})).await;
        assert_eq!(status, 204);
        let res = bearer.get(app.url("/api/v1/orgs")).bearer_auth(&secret).send().await.unwrap();
        assert_eq!(res.status(), 401);
        let res = bearer.get(app.url("/api/v1/orgs")).bearer_auth("djt_not_a_token").send().await.unwrap();
        assert_eq!(res.status(), 401);
        app
    })
    .await;
}

#[tokio::test]
async fn the_three_system_officers_stay_separate() {
    on_all_backends(|app| async move {
        let sec = app.login("secadmin").await;
        let (_, users) = sec.get_json("/api/v1/users").await;
        let id_of = |name: &str| {
            users["items"].as_array().unwrap().iter().find(|u| u["username"] == name).unwrap()["id"].as_i64().unwrap()
        };
        let (status, body) = sec
            .send_json(
                Method::POST,
                &format!("/api/v1/users/{}/grants", id_of("admin")),
                json!({"role": "auditor", "org_id": 1}),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(body["field"], "role");
        let (status, _) = sec
            .send_json(
                Method::POST,
                &format!("/api/v1/users/{}/grants", id_of("secadmin")),
                json!({"role": "party_admin", "org_id": 1}),
            )
            .await;
        assert_eq!(status, 403, "no grants to oneself");
        let (status, _) = sec
            .send_json(
                Method::POST,
                &format!("/api/v1/users/{}/grants", id_of("dangyuan")),
                json!({"role": "leader", "org_id": 9999}),
            )
            .await;
        assert_eq!(status, 422);

        // sysadmin: accounts yes, people and audit no.
        let admin = app.login("admin").await;
        assert_eq!(admin.get_json("/api/v1/audit").await.0, 403);
        assert_eq!(admin.get_json("/api/v1/users").await.0, 200);
        let (status, _) = admin
            .send_json(
                Method::POST,
                &format!("/api/v1/users/{}/grants", id_of("dangyuan")),
                json!({"role": "leader", "org_id": 1}),
            )
            .await;
        assert_eq!(status, 403, "sysadmin cannot grant");
        // auditor: the audit log and nothing else.
        let auditor = app.login("auditor").await;
        assert_eq!(auditor.get_json("/api/v1/audit").await.0, 200);
        assert_eq!(auditor.get_json("/api/v1/orgs").await.0, 403);
        assert_eq!(auditor.get_json("/api/v1/users").await.0, 403);
        // Only the auditor reads the audit log.
        for user in ["zzb", "shuji", "secadmin", "lingdao", "jijian", "dangyuan"] {
            assert_eq!(app.login(user).await.get_json("/api/v1/audit").await.0, 403, "{user}");
        }
        // A grant given by secadmin takes effect at once and is audited.
        let (status, _) = sec
            .send_json(
                Method::POST,
                &format!("/api/v1/users/{}/grants", id_of("dangyuan")),
                json!({"role": "leader", "org_id": 2}),
            )
            .await;
        assert_eq!(status, 201);
        let d = app.login("dangyuan").await;
        assert_eq!(d.get_json("/api/v1/orgs/2").await.0, 200);
        let (_, log) = auditor.get_json("/api/v1/audit?action=grant.add").await;
        assert_eq!(log["total"], 1);
        app
    })
    .await;
}

#[tokio::test]
async fn malformed_json_names_the_field() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let c = app.client();
    let res = c
        .post(app.url("/api/v1/session"))
        .header("content-type", "application/json")
        .body("{\"username\":")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "bad_request");
    let res = c.post(app.url("/api/v1/session")).json(&json!({"username": 5, "password": "x"})).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["field"], "username");
    app.finish().await;
}
