use crate::support::{Backend, TestApp};

#[tokio::test]
async fn pages_carry_strict_security_headers_and_assets_are_embedded() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let c = app.client();
    let res = c.get(app.url("/login")).send().await.unwrap();
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self'") && csp.contains("style-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(res.headers().contains_key("x-request-id"));
    let html = res.text().await.unwrap();
    assert!(!html.contains("<script>") && !html.contains("style="), "no inline script or style");
    for (asset, kind) in [
        ("app.css", "text/css"),
        ("app.js", "text/javascript"),
        ("print.css", "text/css"),
        ("favicon.svg", "image/svg+xml"),
    ] {
        let res = c.get(app.url(&format!("/assets/{asset}"))).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with(kind));
    }
    assert_eq!(c.get(app.url("/assets/jquery.js")).send().await.unwrap().status(), 404);
    assert_eq!(c.get(app.url("/healthz")).send().await.unwrap().text().await.unwrap(), "ok");
    let metrics = c.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("dangjian_http_requests_total{method=\"GET\",route=\"/login\",status=\"2xx\"}"));
    app.finish().await;
}

#[tokio::test]
async fn navigation_shows_only_what_the_role_may_use() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let shuji = app.login("shuji").await;
    let home = shuji.get("/").await.text().await.unwrap();
    assert!(home.contains("href=\"/orgs\""));
    assert!(
        !home.contains("href=\"/audit\"")
            && !home.contains("href=\"/admin/users\"")
            && !home.contains("href=\"/admin/policy\"")
    );
    assert!(home.contains("书记/支委：中山路派出所党支部及下级"));
    let refused = shuji.get("/admin/users").await;
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("无权访问"));
    assert_eq!(shuji.get("/audit").await.status(), 403);

    let auditor = app.login("auditor").await;
    let home = auditor.get("/").await.text().await.unwrap();
    assert!(home.contains("href=\"/audit\"") && !home.contains("href=\"/orgs\""));
    assert_eq!(auditor.get("/orgs").await.status(), 403);

    let unknown = shuji.get("/no/such/page").await;
    assert_eq!(unknown.status(), 404);
    assert!(unknown.text().await.unwrap().contains("未找到"));
    let (status, body) = shuji.get_json("/api/v1/nothing").await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
    // Not logged in: pages redirect to the login, the API answers 401.
    let anon = app.client();
    let res = anon.get(app.url("/orgs?kind=x")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/login?next=%2Forgs%3Fkind%3Dx");
    assert_eq!(anon.get(app.url("/api/v1/orgs")).send().await.unwrap().status(), 401);
    app.finish().await;
}

#[tokio::test]
async fn secadmin_changes_the_policy_within_bounds() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let sec = app.login("secadmin").await;
    let mut fields = vec![
        ("session_idle_minutes", "30"),
        ("session_absolute_hours", "12"),
        ("login_max_failures", "3"),
        ("login_window_minutes", "15"),
        ("lockout_minutes", "15"),
        ("password_min_length", "300"),
    ];
    let res = sec.post_form("/admin/policy", &fields).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("密码最短长度须在 8 到 64 之间"));
    fields[5].1 = "12";
    assert_eq!(sec.post_form("/admin/policy", &fields).await.status(), 303);
    // Three failures now lock (for this address; every refusal is the same 401).
    for _ in 0..3 {
        let _ = app.login_with("lingdao", "Wrong@pass1").await;
    }
    assert_eq!(app.login_with("lingdao", crate::support::PASSWORD).await.unwrap_err()["status"], 401);
    // The locked account shows up as secadmin's todo item.
    let home = sec.get("/").await.text().await.unwrap();
    assert!(home.contains("账号 lingdao") && home.contains("被锁定"));
    app.finish().await;
}

#[tokio::test]
async fn graceful_shutdown_finishes_the_request_in_flight() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let zzb = app.login("zzb").await;
    let pending = tokio::spawn(async move { zzb.get("/orgs/export.xlsx").await.status() });
    tokio::task::yield_now().await;
    app.finish().await;
    let status = pending.await.unwrap();
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_first_start_of_a_real_install_creates_the_three_officers() {
    for backend in crate::support::backends() {
        let app = TestApp::spawn_empty(backend).await;
        let created = dangjian::cli::bootstrap(&app.state).await.unwrap();
        assert_eq!(created.len(), 3);
        assert!(dangjian::cli::bootstrap(&app.state).await.unwrap().is_empty(), "only once");
        let (admin, password) = &created[0];
        assert!(admin.starts_with("admin"));
        let s = app.login_with("admin", password).await.unwrap();
        assert_eq!(s.me["must_change_password"], true);
        assert_eq!(s.me["grants"][0]["role"], "sysadmin");
        assert_eq!(s.me["grants"][0]["org_name"], "市公安局党委");
        let auditor = app.login_with("auditor", &created[2].1).await.unwrap();
        assert_eq!(auditor.me["grants"][0]["role"], "auditor");
        app.finish().await;
    }
}

#[tokio::test]
async fn malformed_ids_and_logout_without_token_are_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let zzb = app.login("zzb").await;
    let (status, body) = zzb.get_json("/api/v1/orgs/abc").await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
    let (status, body) = zzb.get_json("/api/v1/orgs?page=x").await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("查询参数"));
    let res = zzb.client.delete(zzb.url("/api/v1/session")).send().await.unwrap();
    assert_eq!(res.status(), 403, "logout is a write: it needs the CSRF token");
    assert_eq!(zzb.get_json("/api/v1/me").await.0, 200);

    let admin = app.login("admin").await;
    let (_, page) = admin.get_json("/api/v1/users?page_size=3&page=2").await;
    assert_eq!(page["total"], 9);
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    // By username: admin, auditor, dangyuan | fenju, jijian, lingdao | …
    assert_eq!(page["items"][0]["username"], "fenju");
    app.finish().await;
}
