use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{PASSWORD, Session, TestApp, csrf_in, on_all_backends};

const DEMO_ACCOUNTS: [&str; 9] =
    ["admin", "secadmin", "auditor", "zzb", "fenju", "jijian", "shuji", "lingdao", "dangyuan"];

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

/// The one answer to every refused login.
const REFUSED: &str = "用户名或密码错误，或尝试过于频繁，请稍后再试";

/// A client whose connections come from `ip` (any 127.x address is this machine), so that the
/// server sees different client addresses without trusting X-Forwarded-For.
fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .local_address(ip.parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap()
}

/// Logs in over the API from `ip`: the status and the body.
async fn login_from(app: &TestApp, ip: &str, username: &str, password: &str) -> (u16, Value) {
    let res = client_from(ip)
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

fn refused() -> Value {
    json!({"code": "bad_credentials", "message": REFUSED})
}

async fn user_id(s: &Session, username: &str) -> i64 {
    let (_, users) = s.get_json(&format!("/api/v1/users?q={username}")).await;
    users["items"].as_array().unwrap().iter().find(|u| u["username"] == username).unwrap()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn every_refusal_gets_the_same_answer() {
    on_all_backends(|app| async move {
        let wrong_password = app.login_with("shuji", "Nope@12345").await.unwrap_err();
        let no_such_user = app.login_with("nobody", "Nope@12345").await.unwrap_err();
        assert_eq!(wrong_password, json!({"status": 401, "body": refused()}));
        assert_eq!(no_such_user, wrong_password);

        // A disabled account, with its right password.
        let admin = app.login("admin").await;
        let lingdao = user_id(&admin, "lingdao").await;
        assert_eq!(admin.post_form(&format!("/admin/users/{lingdao}/disable"), &[]).await.status(), 303);
        assert_eq!(app.login_with("lingdao", PASSWORD).await.unwrap_err(), wrong_password);

        // A name locked for this address, with its right password, and an unknown name that
        // failed as often: the same again, so a lock tells nothing about the account either.
        for _ in 0..5 {
            let _ = app.login_with("zzb", "Nope@12345").await;
            let _ = app.login_with("ghost", "Nope@12345").await;
        }
        assert_eq!(app.login_with("zzb", PASSWORD).await.unwrap_err(), wrong_password);
        assert_eq!(app.login_with("ghost", PASSWORD).await.unwrap_err(), wrong_password);

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
        assert!(html.contains(&format!("id=\"login-error\">{REFUSED}</div>")), "{html}");
        assert!(html.contains("value=\"shuji\""));
        app
    })
    .await;
}

#[tokio::test]
async fn failures_from_one_address_lock_the_account_for_that_address_only() {
    on_all_backends(|app| async move {
        const ATTACKER: &str = "127.0.0.2";
        const OWNER: &str = "127.0.0.3";
        for i in 0..5 {
            assert_eq!(login_from(&app, ATTACKER, "jijian", "Wrong@pass1").await, (401, refused()), "attempt {i}");
        }
        // Locked for the attacker's address, even with the right password ...
        assert_eq!(login_from(&app, ATTACKER, "jijian", PASSWORD).await, (401, refused()));
        // ... but not for the owner's.
        assert_eq!(login_from(&app, OWNER, "jijian", PASSWORD).await.0, 201);

        // The first lock lasts a minute; the next one two, then four …
        app.clock.advance(Duration::seconds(61));
        for _ in 0..5 {
            assert_eq!(login_from(&app, ATTACKER, "jijian", "Wrong@pass1").await.0, 401);
        }
        app.clock.advance(Duration::seconds(61));
        assert_eq!(login_from(&app, ATTACKER, "jijian", PASSWORD).await.0, 401, "the second lock lasts 2 minutes");
        assert_eq!(login_from(&app, OWNER, "jijian", PASSWORD).await.0, 201, "the owner is never refused");
        app.clock.advance(Duration::seconds(60));
        assert_eq!(login_from(&app, ATTACKER, "jijian", PASSWORD).await.0, 201, "it opens by itself");

        // The account page lists the locked addresses; unlocking lifts all of them.
        for _ in 0..5 {
            let _ = login_from(&app, ATTACKER, "jijian", "Wrong@pass1").await;
        }
        let sec = app.login("secadmin").await;
        let id = user_id(&sec, "jijian").await;
        let (_, summary) = sec.get_json(&format!("/api/v1/users/{id}")).await;
        assert!(summary["locked_until"].is_string(), "{summary}");
        let page = sec.get(&format!("/admin/users/{id}")).await.text().await.unwrap();
        assert!(page.contains("id=\"address-locks\"") && page.contains(ATTACKER) && !page.contains(OWNER));
        let (status, _) = sec.send_json(Method::POST, &format!("/api/v1/users/{id}/unlock"), json!({})).await;
        assert_eq!(status, 204);
        assert_eq!(login_from(&app, ATTACKER, "jijian", PASSWORD).await.0, 201);
        let (_, summary) = sec.get_json(&format!("/api/v1/users/{id}")).await;
        assert_eq!(summary["locked_until"], Value::Null);

        // Each lock is audited once, naming the address; the refusals are not audited one by one.
        let auditor = app.login("auditor").await;
        let (_, locks) = auditor.get_json("/api/v1/audit?who=jijian&action=account.locked").await;
        assert_eq!(locks["total"], 3);
        let first: Value = serde_json::from_str(locks["items"][2]["summary"].as_str().unwrap()).unwrap();
        assert_eq!((first["address"].as_str(), first["minutes"].as_i64()), (Some(ATTACKER), Some(1)));
        let second: Value = serde_json::from_str(locks["items"][1]["summary"].as_str().unwrap()).unwrap();
        assert_eq!(second["minutes"], 2);
        assert_eq!(locks["items"][0]["ip"], ATTACKER);
        let (_, unlock) = auditor.get_json("/api/v1/audit?action=user.unlock").await;
        assert_eq!(unlock["total"], 1);
        app
    })
    .await;
}

#[tokio::test]
async fn an_address_cannot_lock_the_administrators_out() {
    on_all_backends(|app| async move {
        const ATTACKER: &str = "127.0.0.6";
        let officers = ["admin", "secadmin", "auditor"];
        // Every officer locked for the attacker's address, then the address throttled.
        for name in officers {
            for _ in 0..5 {
                let _ = login_from(&app, ATTACKER, name, "Wrong@pass1").await;
            }
        }
        for _ in 0..10 {
            let _ = login_from(&app, ATTACKER, "admin", "Wrong@pass1").await;
        }
        for name in officers {
            assert_eq!(login_from(&app, ATTACKER, name, PASSWORD).await, (401, refused()), "{name}");
            // From their own desks they log in, over the API and the web form.
            assert_eq!(login_from(&app, "127.0.0.1", name, PASSWORD).await.0, 201, "{name}");
            let web = app.client();
            let token = csrf_in(&web.get(app.url("/login")).send().await.unwrap().text().await.unwrap());
            let res = web
                .post(app.url("/login"))
                .form(&[("username", name), ("password", PASSWORD), ("_csrf", &token)])
                .send()
                .await
                .unwrap();
            assert_eq!((res.status().as_u16(), res.headers()["location"].to_str().unwrap()), (303, "/"), "{name}");
        }
        // The locks show on the administrators' home page, for them to look into.
        let home = app.login("secadmin").await.get("/").await.text().await.unwrap();
        assert!(home.contains("账号 admin") && home.contains("被锁定"), "{home}");
        app
    })
    .await;
}

#[tokio::test]
async fn an_address_that_fails_too_often_is_slowed_down_and_audited_once_per_window() {
    on_all_backends(|app| async move {
        const ATTACKER: &str = "127.0.0.4";
        // 4 × the lock-out limit over several names, none of them locked.
        for name in ["zzb", "shuji", "lingdao", "nobody", "jijian"] {
            for _ in 0..4 {
                assert_eq!(login_from(&app, ATTACKER, name, "Wrong@pass1").await, (401, refused()));
            }
        }
        // Now even a right password from that address is refused, with the same answer …
        for _ in 0..30 {
            assert_eq!(login_from(&app, ATTACKER, "shuji", PASSWORD).await, (401, refused()));
        }
        // … while everyone else logs in.
        assert_eq!(login_from(&app, "127.0.0.5", "shuji", PASSWORD).await.0, 201);
        app.login("zzb").await;

        // The refusals of one address and window make one audit row with the count, written
        // when the window has ended (the next login attempt writes it).
        let auditor = app.login("auditor").await;
        let (_, during) = auditor.get_json("/api/v1/audit?action=login.failure").await;
        assert_eq!(during["total"], 0, "the window is still open");
        app.clock.advance(Duration::minutes(16));
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?action=login.failure").await;
        assert_eq!(log["total"], 1, "{log}");
        let row = &log["items"][0];
        assert_eq!((row["ip"].as_str(), row["actor"].as_str()), (Some(ATTACKER), Some("（多个用户名）")));
        let summary: Value = serde_json::from_str(row["summary"].as_str().unwrap()).unwrap();
        assert_eq!(summary["refusals"], 50);
        assert_eq!(summary["reasons"], json!({"throttled": 30, "unknown_user": 4, "wrong_password": 16}));
        assert_eq!(summary["usernames"], json!(["zzb", "shuji", "lingdao", "nobody", "jijian"]));
        assert_eq!(
            (summary["from"].as_str(), summary["to"].as_str()),
            (Some("2026-11-27 10:00:00"), Some("2026-11-27 10:15:00"))
        );
        let (_, others) = auditor.get_json("/api/v1/audit?action=login.throttled").await;
        assert_eq!(others["total"], 0, "no row per refused request");
        // Successful logins are still audited one by one.
        let (_, ok) = auditor.get_json("/api/v1/audit?action=login.success&who=shuji").await;
        assert_eq!(ok["total"], 1);
        // After the window the address may try again.
        assert_eq!(login_from(&app, ATTACKER, "shuji", PASSWORD).await.0, 201);
        assert!(dangjian::audit::verify(&app.state.db).await.unwrap().problems.is_empty());
        app
    })
    .await;
}

fn urlencode(raw: &str) -> String {
    raw.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn the_login_redirect_stays_on_this_site() {
    on_all_backends(|app| async move {
        let hostile = [
            "//evil.example/",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\nSet-Cookie: a=b",
            "https://evil.example/",
            "javascript:alert(1)",
            "/\u{0}",
            "/党组织",
        ];
        for next in hostile {
            // The form never offers it back …
            let web = app.client();
            let url = format!("{}?next={}", app.url("/login"), urlencode(next));
            let res = web.get(&url).send().await.unwrap();
            assert_eq!(res.status(), 200, "{next:?}");
            let html = res.text().await.unwrap();
            assert!(html.contains("name=\"next\" value=\"/\""), "{next:?}");
            let token = csrf_in(&html);
            // … and a login with it goes home.
            let res = web
                .post(app.url("/login"))
                .form(&[("username", "zzb"), ("password", PASSWORD), ("_csrf", &token), ("next", next)])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 303, "{next:?}");
            assert_eq!(res.headers()["location"], "/", "{next:?}");
            // Logged in already: the login page sends home as well.
            let res = web.get(&url).send().await.unwrap();
            assert_eq!((res.status().as_u16(), res.headers()["location"].to_str().unwrap()), (303, "/"), "{next:?}");
        }
        let web = app.client();
        let token = csrf_in(&web.get(app.url("/login?next=/orgs/13")).send().await.unwrap().text().await.unwrap());
        let res = web
            .post(app.url("/login"))
            .form(&[("username", "zzb"), ("password", PASSWORD), ("_csrf", &token), ("next", "/orgs/13?tab=a%2Fb")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["location"], "/orgs/13?tab=a%2Fb");
        // Broken query strings and bodies get a 4xx, never a 500.
        let res = app.client().get(format!("{}?next=%zz%", app.url("/login"))).send().await.unwrap();
        assert!(res.status().as_u16() < 500, "{}", res.status());
        let res = app
            .client()
            .post(app.url("/login"))
            .header("content-type", "text/plain")
            .body("username=zzb")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("登录请求的格式不正确"));
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
        // The officers read no sensitive personal data themselves.
        for role in ["party_admin", "discipline", "secretary"] {
            let (status, body) = sec
                .send_json(
                    Method::POST,
                    &format!("/api/v1/users/{}/grants", id_of("admin")),
                    json!({"role": role, "org_id": 1}),
                )
                .await;
            assert_eq!((status, body["field"].as_str()), (422, Some("role")), "{role}");
        }
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
