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

        // The account now opens its own profile, sensitive part included.
        let res = lingdao.get("/people/me").await;
        assert_eq!(res.status(), 303);
        assert_eq!(location(&res), format!("/people/{}", p.id));
        let profile = lingdao.get(&format!("/people/{}", p.id)).await;
        assert_eq!(profile.status(), 200);
        let profile = profile.text().await.unwrap();
        assert!(profile.contains(&p.name) && profile.contains(&p.id_number));
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
        assert_eq!(
            refused["body"]["message"], "用户名或密码错误",
            "a disabled account says no more than a wrong password"
        );
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
        // Reading one's own full ID number is audited like anyone else's.
        let lingdao = app.login("lingdao").await;
        assert_eq!(lingdao.get_json(&format!("/api/v1/persons/{}", p.id)).await.0, 200);
        let auditor = app.login("auditor").await;
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
