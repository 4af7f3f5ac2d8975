//! Account maintenance beyond logging in: linking an account to its person record ("我的档案")
//! on the web and the command line, and disabling or enabling accounts from the command line.

use dangjian::auth::entity::user;
use dangjian::orgs::entity as org;
use dangjian::people::entity as person;
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::support::{PASSWORD, Session, TestApp, on_all_backends};

async fn user_id(admin: &Session, username: &str) -> i64 {
    let (_, users) = admin.get_json(&format!("/api/v1/users?q={username}")).await;
    users["items"].as_array().unwrap().iter().find(|u| u["username"] == username).unwrap()["id"].as_i64().unwrap()
}

/// Live people with a police number that no account is linked to, outside `avoid_path`.
async fn unlinked_people(app: &TestApp, avoid_path: &str) -> Vec<person::Model> {
    let linked: Vec<i32> =
        user::Entity::find().all(&app.state.db).await.unwrap().into_iter().filter_map(|u| u.person_id).collect();
    person::Entity::find()
        .filter(person::Column::DeletedAt.is_null())
        .filter(person::Column::PoliceNo.is_not_null())
        .order_by_asc(person::Column::Id)
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|p| !linked.contains(&p.id) && !p.org_path.as_deref().unwrap_or("/").starts_with(avoid_path))
        .collect()
}

async fn person_of(app: &TestApp, username: &str) -> person::Model {
    let u = user::Entity::find().filter(user::Column::Username.eq(username)).one(&app.state.db).await.unwrap().unwrap();
    person::Entity::find_by_id(u.person_id.unwrap()).one(&app.state.db).await.unwrap().unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

async fn audit(auditor: &Session, query: &str) -> Value {
    let (status, log) = auditor.get_json(&format!("/api/v1/audit?{query}")).await;
    assert_eq!(status, 200);
    log
}

#[tokio::test]
async fn the_account_administrator_links_an_account_to_its_person() {
    on_all_backends(|app| async move {
        let admin = app.login("admin").await;
        let secadmin = app.login("secadmin").await;
        let lingdao_id = user_id(&admin, "lingdao").await;
        let lingdao = app.login("lingdao").await;
        let scope_id = lingdao.me["grants"][0]["org_id"].as_i64().unwrap() as i32;
        let scope = org::Entity::find_by_id(scope_id).one(&app.state.db).await.unwrap().unwrap().path;
        assert_eq!(lingdao.get("/people/me").await.status(), 404, "not linked yet");

        // Someone outside the leader's scope: only the link can open this profile to them.
        let people = unlinked_people(&app, &scope).await;
        let (p, q) = (&people[0], &people[1]);
        let page = secadmin.get(&format!("/admin/users/{lingdao_id}")).await.text().await.unwrap();
        assert!(page.contains("关联人员档案") && page.contains("尚未关联人员档案"));

        // Typed with stray spaces and full-width digits, as people do.
        let typed = format!(" {} ", p.police_no.as_deref().unwrap().replace('1', "１"));
        let res = secadmin.post_form(&format!("/admin/users/{lingdao_id}/person"), &[("person_ref", &typed)]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), format!("/admin/users/{lingdao_id}"));
        let page = secadmin.get(&format!("/admin/users/{lingdao_id}")).await.text().await.unwrap();
        assert!(page.contains(&format!("已关联人员档案：{}", p.name)), "flash names the person");
        assert!(page.contains(&format!("<dd id=\"linked-name\">{}</dd>", p.name)));
        assert!(page.contains("解除关联") && page.contains("data-confirm"));
        assert!(!page.contains(&p.id_number), "the administrator never sees the ID number");

        // The account now opens its own profile, masked, and may reveal its own identity.
        let res = lingdao.get("/people/me").await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), format!("/people/{}", p.id));
        let profile = lingdao.get(&format!("/people/{}", p.id)).await;
        assert_eq!(profile.status(), 200);
        let profile = profile.text().await.unwrap();
        assert!(profile.contains(&p.name) && !profile.contains(&p.id_number));
        assert!(profile.contains(&format!("/people/{}/reveal", p.id)), "the own record offers 查看");
        let shown = lingdao.post_form(&format!("/people/{}/reveal", p.id), &[("fields", "id_number")]).await;
        assert_eq!(shown.status(), 200);
        assert!(shown.text().await.unwrap().contains(&p.id_number));
        assert!(lingdao.get("/").await.text().await.unwrap().contains("我的档案"));

        // Refusals keep what was typed and say why next to the field.
        let refused = |value: &'static str, expected: &'static str| {
            let secadmin = &secadmin;
            async move {
                let res =
                    secadmin.post_form(&format!("/admin/users/{lingdao_id}/person"), &[("person_ref", value)]).await;
                assert_eq!(res.status(), 422, "{value}");
                let html = res.text().await.unwrap();
                assert!(html.contains("class=\"has-error\"") && html.contains(expected), "{value}: {html}");
                assert!(html.contains(&format!("value=\"{value}\"")), "{value} is kept");
            }
        };
        refused("99999999", "没有找到警号 99999999 对应的在册人员档案").await;
        refused("abc", "请填写 4–12 位数字的警号或 18 位身份证号").await;
        refused("110105194912310021", "身份证号校验位不正确").await;
        // One person, one account: the other account is named.
        let shujis = person_of(&app, "shuji").await;
        let res = secadmin
            .post_form(&format!("/admin/users/{lingdao_id}/person"), &[("person_ref", &shujis.id_number)])
            .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains(&format!("{}的档案已关联账号 shuji", shujis.name)), "{html}");
        // A deleted record cannot be linked.
        let deleted = &people[2];
        app.sql(&format!("UPDATE persons SET deleted_at = '2026-11-01 00:00:00' WHERE id = {}", deleted.id)).await;
        let res = secadmin
            .post_form(&format!("/admin/users/{lingdao_id}/person"), &[("person_ref", &deleted.id_number)])
            .await;
        assert!(res.text().await.unwrap().contains("没有找到该身份证号对应的在册人员档案"));

        // Only the account administrator, and officer accounts only from the command line.
        for other in ["zzb", "admin"] {
            let s = app.login(other).await;
            let res = s.post_form(&format!("/admin/users/{lingdao_id}/person"), &[("person_ref", "99999999")]).await;
            assert_eq!(res.status(), 403, "{other}");
        }
        let auditor_id = user_id(&admin, "auditor").await;
        let page = secadmin.get(&format!("/admin/users/{auditor_id}")).await.text().await.unwrap();
        assert!(page.contains("三员账号的人员关联只能通过命令行维护") && !page.contains("name=\"person_ref\""));
        let res = secadmin
            .post_form(&format!("/admin/users/{auditor_id}/person"), &[("person_ref", q.police_no.as_deref().unwrap())])
            .await;
        assert_eq!(res.status(), 403);

        // Linking by ID number replaces the link; unlinking closes "我的档案".
        let res = secadmin
            .post_form(&format!("/admin/users/{lingdao_id}/person"), &[("person_ref", &q.id_number.to_lowercase())])
            .await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&lingdao.get("/people/me").await), format!("/people/{}", q.id));
        let res = secadmin.post_form(&format!("/admin/users/{lingdao_id}/person/unlink"), &[]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(lingdao.get("/people/me").await.status(), 404);
        let page = secadmin.get(&format!("/admin/users/{lingdao_id}")).await.text().await.unwrap();
        assert!(page.contains("已解除与人员档案的关联") && page.contains("尚未关联人员档案"));

        let auditor = app.login("auditor").await;
        let links = audit(&auditor, "who=secadmin&action=user.link").await;
        assert_eq!(links["total"], 2);
        let last = &links["items"][0];
        assert_eq!(last["action_label"], "关联人员档案");
        assert_eq!(last["object"], format!("user#{lingdao_id}"));
        let summary: Value = serde_json::from_str(last["summary"].as_str().unwrap()).unwrap();
        assert_eq!(summary["person_id"].as_i64(), Some(i64::from(q.id)));
        assert_eq!(summary["previous_person_id"].as_i64(), Some(i64::from(p.id)));
        assert!(!last["summary"].as_str().unwrap().contains(&q.id_number), "no ID number in the log");
        let unlinks = audit(&auditor, "who=secadmin&action=user.unlink").await;
        assert_eq!(
            (unlinks["total"].as_i64(), unlinks["items"][0]["action_label"].as_str()),
            (Some(1), Some("解除人员档案关联"))
        );
        app
    })
    .await;
}

#[tokio::test]
async fn the_system_administrator_cannot_link_an_account_at_creation() {
    on_all_backends(|app| async move {
        let admin = app.login("admin").await;
        let form = admin.get("/admin/users").await.text().await.unwrap();
        assert!(!form.contains("name=\"person_ref\""), "linking is the security administrator's");
        let p = unlinked_people(&app, "/nowhere/").await.remove(0);
        let no = p.police_no.clone().unwrap();
        let res = admin
            .post_form("/admin/users", &[("username", "zhangwei"), ("display_name", "张伟"), ("person_ref", &no)])
            .await;
        assert_eq!(res.status(), 403, "a hand-made request is refused");
        let (_, found) = admin.get_json("/api/v1/users?q=zhangwei").await;
        assert_eq!(found["total"], 0, "and creates nothing");
        let res = admin.post_form("/admin/users", &[("username", "liqiang"), ("display_name", "李强")]).await;
        assert_eq!(res.status(), 200);
        let id = user_id(&admin, "liqiang").await;
        let page = admin.get(&format!("/admin/users/{id}")).await.text().await.unwrap();
        assert!(page.contains("尚未关联人员档案") && !page.contains("name=\"person_ref\""));
        app
    })
    .await;
}

#[tokio::test]
async fn linking_revokes_the_tokens_of_an_account() {
    on_all_backends(|app| async move {
        let admin = app.login("admin").await;
        let lingdao_id = user_id(&admin, "lingdao").await;
        let (status, token) =
            admin.send_json(Method::POST, &format!("/api/v1/users/{lingdao_id}/tokens"), json!({"name": "统计"})).await;
        assert_eq!(status, 201);
        let secret = token["token"].as_str().unwrap().to_owned();
        let bearer = reqwest::Client::new();
        assert_eq!(bearer.get(app.url("/api/v1/orgs")).bearer_auth(&secret).send().await.unwrap().status(), 200);

        let p = unlinked_people(&app, "/nowhere/").await.remove(0);
        let res = app
            .login("secadmin")
            .await
            .post_form(&format!("/admin/users/{lingdao_id}/person"), &[("person_ref", p.police_no.as_deref().unwrap())])
            .await;
        assert_eq!(res.status(), 303);
        // The profile holds the full ID and phone numbers, and tokens are for accounts without those.
        assert_eq!(bearer.get(app.url("/api/v1/orgs")).bearer_auth(&secret).send().await.unwrap().status(), 401);
        let (status, err) =
            admin.send_json(Method::POST, &format!("/api/v1/users/{lingdao_id}/tokens"), json!({"name": "x"})).await;
        assert_eq!(status, 422);
        assert!(err["message"].as_str().unwrap().contains("未关联人员档案"));
        app
    })
    .await;
}

/// Runs `dangjian ARGS` against the test's database, as the operator would on the server.
async fn cli(app: &TestApp, args: &[&str]) -> anyhow::Result<std::process::ExitCode> {
    use clap::Parser;
    // The command line installs the process's log subscriber: keep it quiet for the other tests.
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("dangjian.toml");
    std::fs::write(&config, "[log]\nfilter = \"error\"\n")?;
    let mut argv = vec!["dangjian".to_owned(), "--config".to_owned(), config.display().to_string()];
    argv.extend(["--db".to_owned(), app.db_url.clone()]);
    argv.extend(args.iter().map(|a| (*a).to_owned()));
    let parsed = dangjian::cli::Cli::try_parse_from(argv)?;
    // `run` starts its own runtime, so it runs off this one.
    tokio::task::spawn_blocking(move || dangjian::cli::run(parsed)).await?
}

#[tokio::test]
async fn the_command_line_disables_enables_and_links_accounts() {
    on_all_backends(|app| async move {
        let lingdao = app.login("lingdao").await;
        cli(&app, &["user", "disable", "lingdao"]).await.unwrap();
        assert_eq!(lingdao.get_json("/api/v1/me").await.0, 401, "its sessions ended");
        let refused = app.login_with("lingdao", PASSWORD).await.unwrap_err();
        assert_eq!(refused["status"], 401);
        assert_eq!(refused["body"]["message"], REFUSED, "a disabled account says no more than a wrong password");
        cli(&app, &["user", "enable", "LingDao"]).await.unwrap();
        app.login("lingdao").await;

        // The break-glass path for officer accounts, which the web refuses to disable.
        let admin = app.login("admin").await;
        let secadmin_id = user_id(&admin, "secadmin").await;
        assert_eq!(admin.post_form(&format!("/admin/users/{secadmin_id}/disable"), &[]).await.status(), 403);
        cli(&app, &["user", "disable", "secadmin"]).await.unwrap();
        assert!(app.login_with("secadmin", PASSWORD).await.is_err());
        cli(&app, &["user", "enable", "secadmin"]).await.unwrap();
        app.login("secadmin").await;
        assert!(
            cli(&app, &["user", "disable", "nobody"]).await.unwrap_err().to_string().contains("账号 nobody 不存在")
        );

        // Linking, officers included; one of the two numbers is required.
        let p = unlinked_people(&app, "/nowhere/").await.remove(0);
        assert!(cli(&app, &["user", "link", "lingdao"]).await.is_err());
        let no = p.police_no.clone().unwrap();
        assert!(
            cli(&app, &["user", "link", "lingdao", "--police-no", &no, "--id-number", &p.id_number]).await.is_err()
        );
        cli(&app, &["user", "link", "auditor", "--police-no", &no]).await.unwrap();
        let taken = cli(&app, &["user", "link", "lingdao", "--id-number", &p.id_number]).await.unwrap_err();
        assert!(taken.to_string().contains("已关联账号 auditor"), "{taken}");
        let auditor = app.login("auditor").await;
        assert_eq!(location(&auditor.get("/people/me").await), format!("/people/{}", p.id));
        cli(&app, &["user", "unlink", "auditor"]).await.unwrap();
        assert_eq!(auditor.get("/people/me").await.status(), 404);
        assert!(cli(&app, &["user", "unlink", "auditor"]).await.unwrap_err().to_string().contains("没有关联人员档案"));

        let log = audit(&auditor, "who=cli").await;
        let actions: Vec<&str> =
            log["items"].as_array().unwrap().iter().map(|i| i["action"].as_str().unwrap()).collect();
        assert_eq!(
            actions,
            ["user.unlink", "user.link", "user.enable", "user.disable", "user.enable", "user.disable", "demo.seed"],
            "newest first"
        );
        assert!(dangjian::audit::verify(&app.state.db).await.unwrap().problems.is_empty());
        app
    })
    .await;
}

#[tokio::test]
async fn the_api_links_and_unlinks_an_account() {
    on_all_backends(|app| async move {
        let admin = app.login("admin").await;
        let secadmin = app.login("secadmin").await;
        let lingdao_id = user_id(&admin, "lingdao").await;
        let path = format!("/api/v1/users/{lingdao_id}/person");
        let (status, none) = admin.get_json(&path).await;
        assert_eq!((status, none["person"].clone()), (200, Value::Null));

        let (status, err) = secadmin.send_json(Method::PUT, &path, json!({"person_ref": "99999999"})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("person_ref")), "{err}");
        let shujis = person_of(&app, "shuji").await;
        let (status, err) = secadmin.send_json(Method::PUT, &path, json!({"person_ref": shujis.id_number})).await;
        assert_eq!(status, 409);
        assert!(err["message"].as_str().unwrap().contains("shuji"), "names the other account: {err}");

        let p = unlinked_people(&app, "/nowhere/").await.remove(0);
        let (status, linked) =
            secadmin.send_json(Method::PUT, &path, json!({"person_ref": p.police_no.clone().unwrap()})).await;
        assert_eq!(status, 200, "{linked}");
        assert_eq!(
            (linked["person_id"].as_i64(), linked["name"].as_str()),
            (Some(i64::from(p.id)), Some(p.name.as_str()))
        );
        assert!(linked.get("id_number").is_none(), "the administrator learns nothing sensitive");
        let (_, now) = admin.get_json(&path).await;
        assert_eq!(now["person"]["person_id"], p.id);
        // Opening one's own profile writes nothing; revealing one's own ID number is audited
        // like anyone else's.
        let lingdao = app.login("lingdao").await;
        assert_eq!(lingdao.get_json(&format!("/api/v1/persons/{}", p.id)).await.0, 200);
        let auditor = app.login("auditor").await;
        assert_eq!(audit(&auditor, "who=lingdao&action=sensitive.read").await["total"], 0);
        assert_eq!(lingdao.full_id(i64::from(p.id)).await, p.id_number);
        let reads = audit(&auditor, "who=lingdao&action=sensitive.read").await;
        assert_eq!(reads["total"], 1, "{reads}");
        assert!(reads["items"][0]["summary"].as_str().unwrap().contains("\"self\":true"));

        // Only the security administrator may link: not the system administrator, not zzb.
        let zzb = app.login("zzb").await;
        assert_eq!(zzb.send_json(Method::DELETE, &path, json!({})).await.0, 403);
        assert_eq!(admin.send_json(Method::DELETE, &path, json!({})).await.0, 403);
        let (status, _) = secadmin.send_json(Method::DELETE, &path, json!({})).await;
        assert_eq!(status, 204);
        assert_eq!(admin.get_json(&path).await.1["person"], Value::Null);
        app
    })
    .await;
}

/// The one answer to every refused login.
const REFUSED: &str = "用户名或密码错误，或尝试过于频繁，请稍后再试";

async fn refused_login(app: &TestApp, username: &str, password: &str) {
    let err = app.login_with(username, password).await.unwrap_err();
    assert_eq!((err["status"].as_u64(), err["body"]["message"].as_str()), (Some(401), Some(REFUSED)), "{err}");
}

/// Logs in with a one-time code and sets `new` as the password; returns the session.
async fn set_password_with_code(app: &TestApp, username: &str, code: &str, new: &str) -> Session {
    let s = app.login_with(username, code).await.unwrap();
    assert_eq!((s.me["must_change_password"].as_bool(), s.me["reset_session"].as_bool()), (Some(true), Some(true)));
    let (status, body) = s.send_json(Method::POST, "/api/v1/me/password", json!({"new_password": new})).await;
    assert_eq!(status, 204, "{body}");
    s
}

#[tokio::test]
async fn the_system_administrator_cannot_take_over_a_sensitive_account() {
    on_all_backends(|app| async move {
        let admin = app.login("admin").await;
        let secadmin = app.login("secadmin").await;
        let jijian_id = user_id(&admin, "jijian").await;
        let jijian = app.login("jijian").await;

        // No direct reset, on the API or the page, and the page offers none.
        let (status, err) =
            admin.send_json(Method::POST, &format!("/api/v1/users/{jijian_id}/password-reset"), json!({})).await;
        assert_eq!(status, 403, "{err}");
        assert!(err["message"].as_str().unwrap().contains("安全保密管理员"));
        assert_eq!(admin.post_form(&format!("/admin/users/{jijian_id}/reset-password"), &[]).await.status(), 403);
        let page = admin.get(&format!("/admin/users/{jijian_id}")).await.text().await.unwrap();
        assert!(!page.contains("/reset-password\"") && page.contains("申请重置密码"));
        assert!(!page.contains("one-time-code"), "issuing codes is not the system administrator's");

        // A request changes nothing until it is approved; the requester cannot approve it.
        let (status, request) = admin
            .send_json(
                Method::POST,
                &format!("/api/v1/users/{jijian_id}/reset-requests"),
                json!({"reason": "本人来电"}),
            )
            .await;
        assert_eq!(status, 201, "{request}");
        assert_eq!((request["status"].as_str(), request["requested_by"].as_str()), (Some("pending"), Some("admin")));
        let rid = request["id"].as_i64().unwrap();
        let (status, _) =
            admin.send_json(Method::POST, &format!("/api/v1/users/{jijian_id}/reset-requests"), json!({})).await;
        assert_eq!(status, 409, "one pending request at a time");
        // The security administrator finds it on the home page.
        let home = secadmin.get("/").await.text().await.unwrap();
        assert!(home.contains("申请重置账号 jijian"), "the request is a to-do of the security administrator");
        assert!(!admin.get("/").await.text().await.unwrap().contains("申请重置账号 jijian"));
        assert_eq!(jijian.get_json("/api/v1/me").await.0, 200);
        app.login("jijian").await;
        assert_eq!(
            admin.send_json(Method::POST, &format!("/api/v1/reset-requests/{rid}/approve"), json!({})).await.0,
            403
        );
        assert_eq!(
            admin.send_json(Method::POST, &format!("/api/v1/users/{jijian_id}/one-time-code"), json!({})).await.0,
            403
        );

        // The security administrator sees it and approves: the code is shown to them only.
        let (_, open) = secadmin.get_json("/api/v1/reset-requests").await;
        assert_eq!(open["total"], 1);
        assert_eq!(open["items"][0]["username"], "jijian");
        let list = secadmin.get("/admin/users").await.text().await.unwrap();
        assert!(list.contains("id=\"reset-requests\"") && list.contains("本人来电"));
        let res = secadmin.post_form(&format!("/admin/reset-requests/{rid}/approve"), &[]).await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        let marker = "<p class=\"token-once\" id=\"secret\">";
        let start = html.find(marker).unwrap() + marker.len();
        let code = html[start..start + html[start..].find('<').unwrap()].to_owned();
        assert_eq!(code.len(), 24, "{code}");
        let (status, _) =
            secadmin.send_json(Method::POST, &format!("/api/v1/reset-requests/{rid}/approve"), json!({})).await;
        assert_eq!(status, 409, "approved once");

        // The old password and sessions are gone; the system administrator learns no password.
        assert_eq!(jijian.get_json("/api/v1/me").await.0, 401);
        refused_login(&app, "jijian", PASSWORD).await;
        let (_, open) = admin.get_json("/api/v1/reset-requests").await;
        assert_eq!(open["items"][0]["status"], "issued");
        assert!(!open.to_string().contains(&code));
        let page = admin.get(&format!("/admin/users/{jijian_id}")).await.text().await.unwrap();
        assert!(!page.contains(&code) && page.contains("已签发一次性设置码"));

        // The code, typed loosely, opens a session that can only set a password.
        let loose = code.to_lowercase().replace('-', " ");
        let owner = app.login_with("jijian", &loose).await.unwrap();
        assert_eq!(
            (owner.me["must_change_password"].as_bool(), owner.me["reset_session"].as_bool()),
            (Some(true), Some(true))
        );
        let by = owner.me["password_reset"]["by"].as_str().unwrap();
        assert!(by.contains("安全保密管理员 secadmin") && by.contains("admin 申请"), "{by}");
        let (status, body) = owner.get_json("/api/v1/persons").await;
        assert_eq!((status, body["code"].as_str()), (403, Some("password_change_required")));
        let page = owner.get("/account/password").await.text().await.unwrap();
        assert!(page.contains("id=\"reset-only\"") && !page.contains("name=\"current_password\""));
        assert!(page.contains("id=\"reset-notice\"") && page.contains("secadmin"));
        // Once only.
        refused_login(&app, "jijian", &code).await;
        // The owner must not keep the code as the password.
        let (status, err) = owner.send_json(Method::POST, "/api/v1/me/password", json!({"new_password": code})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("new_password")), "{err}");
        let (status, _) =
            owner.send_json(Method::POST, "/api/v1/me/password", json!({"new_password": "Inspect#Own2026"})).await;
        assert_eq!(status, 204);
        assert_eq!(owner.get_json("/api/v1/persons").await.0, 200, "an ordinary session now");
        assert_eq!(owner.get_json("/api/v1/me").await.1["reset_session"], false);
        let again = app.login_with("jijian", "Inspect#Own2026").await.unwrap();
        assert_eq!(again.get_json("/api/v1/persons").await.0, 200);
        let (_, summary) = admin.get_json(&format!("/api/v1/users/{jijian_id}")).await;
        assert_eq!((summary["password_by_owner"].as_bool(), summary["sensitive"].as_bool()), (Some(true), Some(true)));

        let auditor = app.login("auditor").await;
        for (action, who) in
            [("user.reset_request", "admin"), ("user.reset_approve", "secadmin"), ("password.change", "jijian")]
        {
            let log = audit(&auditor, &format!("action={action}&who={who}")).await;
            assert_eq!(log["total"], 1, "{action}");
        }
        let logins = audit(&auditor, "action=login.success&who=jijian").await;
        assert!(logins["items"][1]["summary"].as_str().unwrap().contains("one_time_code"), "{logins}");
        assert!(dangjian::audit::verify(&app.state.db).await.unwrap().problems.is_empty());
        app
    })
    .await;
}

#[tokio::test]
async fn a_password_an_administrator_set_never_opens_a_sensitive_account() {
    on_all_backends(|app| async move {
        let admin = app.login("admin").await;
        let secadmin = app.login("secadmin").await;

        // Create, log in first, set a password of one's own, keep the session, have it granted.
        let (_, created) =
            admin.send_json(Method::POST, "/api/v1/users", json!({"username": "wangwu", "display_name": "王五"})).await;
        let id = created["id"].as_i64().unwrap();
        let initial = created["initial_password"].as_str().unwrap().to_owned();
        let squatter = app.login_with("wangwu", &initial).await.unwrap();
        let (status, _) = squatter
            .send_json(
                Method::POST,
                "/api/v1/me/password",
                json!({"current_password": initial, "new_password": "Admin#Knows2026"}),
            )
            .await;
        assert_eq!(status, 204);
        assert_eq!(squatter.get_json("/api/v1/me").await.0, 200);
        let res =
            secadmin.post_form(&format!("/admin/users/{id}/grants"), &[("role", "discipline"), ("org_id", "1")]).await;
        assert_eq!(res.status(), 303);
        let page = secadmin.get(&format!("/admin/users/{id}")).await.text().await.unwrap();
        assert!(
            page.contains("在本人用一次性设置码设置密码之前不能登录") && page.contains("id=\"needs-owner-password\"")
        );
        // The session dies at once, and the password opens nothing.
        assert_eq!(squatter.get_json("/api/v1/me").await.0, 401);
        assert_eq!(squatter.get_json("/api/v1/persons").await.0, 401);
        let err = app.login_with("wangwu", "Admin#Knows2026").await.unwrap_err();
        assert_eq!((err["status"].as_u64(), err["body"]["code"].as_str()), (Some(403), Some("forbidden")));
        assert!(err["body"]["message"].as_str().unwrap().contains("一次性设置码"));
        // Nor can the system administrator reset it now.
        assert_eq!(
            admin.send_json(Method::POST, &format!("/api/v1/users/{id}/password-reset"), json!({})).await.0,
            403
        );

        // Reset an ordinary account first, grant later: the same.
        let lingdao_id = user_id(&admin, "lingdao").await;
        let (status, temp) =
            admin.send_json(Method::POST, &format!("/api/v1/users/{lingdao_id}/password-reset"), json!({})).await;
        assert_eq!(status, 201, "{temp}");
        let temp = temp["temporary_password"].as_str().unwrap().to_owned();
        let s = app.login_with("lingdao", &temp).await.unwrap();
        assert!(s.me["password_reset"]["by"].as_str().unwrap().contains("系统管理员 admin"));
        let (status, _) = s
            .send_json(
                Method::POST,
                "/api/v1/me/password",
                json!({"current_password": temp, "new_password": "Leader#Mine2026"}),
            )
            .await;
        assert_eq!(status, 204);
        let (status, _) = secadmin
            .send_json(
                Method::POST,
                &format!("/api/v1/users/{lingdao_id}/grants"),
                json!({"role": "party_admin", "org_id": 1}),
            )
            .await;
        assert_eq!(status, 201);
        assert_eq!(app.login_with("lingdao", "Leader#Mine2026").await.unwrap_err()["status"], 403);
        // Linking a person record makes an account sensitive too.
        let (_, created) = admin
            .send_json(Method::POST, "/api/v1/users", json!({"username": "zhaoliu", "display_name": "赵六"}))
            .await;
        let zhaoliu = created["id"].as_i64().unwrap();
        let initial = created["initial_password"].as_str().unwrap().to_owned();
        let p = unlinked_people(&app, "/nowhere/").await.remove(0);
        let (status, _) = secadmin
            .send_json(Method::PUT, &format!("/api/v1/users/{zhaoliu}/person"), json!({"person_ref": p.police_no}))
            .await;
        assert_eq!(status, 200);
        assert_eq!(app.login_with("zhaoliu", &initial).await.unwrap_err()["status"], 403);

        // The owner's way in: a one-time code from the security administrator.
        let (status, issued) =
            secadmin.send_json(Method::POST, &format!("/api/v1/users/{id}/one-time-code"), json!({})).await;
        assert_eq!(status, 201, "{issued}");
        let owner =
            set_password_with_code(&app, "wangwu", issued["one_time_code"].as_str().unwrap(), "Fifth#Own2026").await;
        assert_eq!(owner.get_json("/api/v1/persons").await.0, 200);
        refused_login(&app, "wangwu", "Admin#Knows2026").await;
        // Codes are good for 24 hours.
        let (_, issued) =
            secadmin.send_json(Method::POST, &format!("/api/v1/users/{lingdao_id}/one-time-code"), json!({})).await;
        app.clock.advance(chrono::Duration::hours(25));
        refused_login(&app, "lingdao", issued["one_time_code"].as_str().unwrap()).await;

        // An ordinary account reset by the system administrator shows the notice on the web.
        let admin = app.login("admin").await;
        let (_, created) =
            admin.send_json(Method::POST, "/api/v1/users", json!({"username": "sunqi", "display_name": "孙七"})).await;
        let sunqi = created["id"].as_i64().unwrap();
        let (_, temp) =
            admin.send_json(Method::POST, &format!("/api/v1/users/{sunqi}/password-reset"), json!({})).await;
        let web = app.client();
        let token = crate::support::csrf_in(&web.get(app.url("/login")).send().await.unwrap().text().await.unwrap());
        let res = web
            .post(app.url("/login"))
            .form(&[
                ("username", "sunqi"),
                ("password", temp["temporary_password"].as_str().unwrap()),
                ("_csrf", &token),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&res), "/account/password");
        let page = web.get(app.url("/account/password")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("由 系统管理员 admin 重置") && page.contains("name=\"current_password\""), "{page}");
        app
    })
    .await;
}

#[tokio::test]
async fn the_security_administrator_can_turn_a_request_down() {
    on_all_backends(|app| async move {
        let admin = app.login("admin").await;
        let secadmin = app.login("secadmin").await;
        let shuji_id = user_id(&admin, "shuji").await;
        let res = admin.post_form(&format!("/admin/users/{shuji_id}/reset-requests"), &[("reason", "x\u{7}")]).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("说明不能含控制字符"));
        let res = admin.post_form(&format!("/admin/users/{shuji_id}/reset-requests"), &[("reason", "换岗")]).await;
        assert_eq!(res.status(), 303);
        let page = secadmin.get(&format!("/admin/users/{shuji_id}")).await.text().await.unwrap();
        assert!(page.contains("admin 于") && page.contains("批准并签发一次性设置码") && page.contains("驳回"));
        let (_, open) = secadmin.get_json("/api/v1/reset-requests").await;
        let rid = open["items"][0]["id"].as_i64().unwrap();
        let res = secadmin.post_form(&format!("/admin/reset-requests/{rid}/reject"), &[]).await;
        assert_eq!((res.status().as_u16(), location(&res)), (303, format!("/admin/users/{shuji_id}")));
        assert_eq!(secadmin.get_json("/api/v1/reset-requests").await.1["total"], 0);
        app.login("shuji").await;
        // Officer accounts and one's own stay out of reach on the web.
        let secadmin_id = user_id(&admin, "secadmin").await;
        let admin_id = user_id(&admin, "admin").await;
        assert_eq!(
            admin.send_json(Method::POST, &format!("/api/v1/users/{secadmin_id}/reset-requests"), json!({})).await.0,
            403
        );
        assert_eq!(
            secadmin.send_json(Method::POST, &format!("/api/v1/users/{admin_id}/one-time-code"), json!({})).await.0,
            403
        );
        assert_eq!(
            secadmin.send_json(Method::POST, &format!("/api/v1/users/{secadmin_id}/one-time-code"), json!({})).await.0,
            403
        );
        assert_eq!(secadmin.send_json(Method::POST, "/api/v1/reset-requests/9999/approve", json!({})).await.0, 404);
        let auditor = app.login("auditor").await;
        assert_eq!(audit(&auditor, "action=user.reset_reject&who=secadmin").await["total"], 1);
        app
    })
    .await;
}

#[tokio::test]
async fn the_command_line_resets_a_sensitive_account_only_with_a_code() {
    on_all_backends(|app| async move {
        // A password the operator chooses is refused for a sensitive account …
        let err = cli(&app, &["user", "passwd", "zzb", "--password", "Operator#Knows1"]).await.unwrap_err();
        assert!(err.to_string().contains("不能指定密码"), "{err}");
        app.login("zzb").await;
        // … without one it issues a one-time code: the old password is void.
        cli(&app, &["user", "passwd", "zzb"]).await.unwrap();
        refused_login(&app, "zzb", PASSWORD).await;
        let admin = app.login("admin").await;
        let zzb_id = user_id(&admin, "zzb").await;
        let (_, summary) = admin.get_json(&format!("/api/v1/users/{zzb_id}")).await;
        assert_eq!(summary["password_reset_by"], "运维人员（命令行）");
        // An ordinary account still gets a password.
        cli(&app, &["user", "passwd", "lingdao", "--password", "Leader#Temp2026"]).await.unwrap();
        let s = app.login_with("lingdao", "Leader#Temp2026").await.unwrap();
        assert_eq!(s.me["must_change_password"], true);
        let auditor = app.login("auditor").await;
        assert_eq!(audit(&auditor, "who=cli&action=user.reset_code").await["total"], 1);
        assert_eq!(audit(&auditor, "who=cli&action=user.password_reset").await["total"], 1);
        app
    })
    .await;
}
