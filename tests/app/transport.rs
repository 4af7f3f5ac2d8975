//! Transport settings (issue 安全加固 item 6): an https public address makes cookies `Secure`
//! and sends HSTS; `/metrics` answers only with the configured token.
use crate::support::{Backend, PASSWORD, TestApp};

#[tokio::test]
async fn an_https_public_address_makes_cookies_secure_and_sends_hsts() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.server.public_url = "https://dangjian.gaj.local".into()).await;
    let c = app.client();
    let login = c.get(app.url("/login")).send().await.unwrap();
    assert_eq!(login.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains");
    let res = c
        .post(app.url("/api/v1/session"))
        .json(&serde_json::json!({"username": "shuji", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let cookies: Vec<String> =
        res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    assert!(!cookies.is_empty());
    for cookie in &cookies {
        assert!(cookie.contains("Secure"), "{cookie}");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
    }
    app.finish().await;

    // Plain http (the default): no HSTS, which browsers would ignore anyway, and no Secure flag.
    let app = TestApp::spawn(Backend::Sqlite).await;
    let c = app.client();
    let login = c.get(app.url("/login")).send().await.unwrap();
    assert!(!login.headers().contains_key("strict-transport-security"));
    let res = c
        .post(app.url("/api/v1/session"))
        .json(&serde_json::json!({"username": "shuji", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(res.headers().get_all("set-cookie").iter().all(|v| !v.to_str().unwrap().contains("Secure")));
    app.finish().await;
}

#[tokio::test]
async fn metrics_require_the_configured_token() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.metrics.token = "m3tr1cs-t0ken-for-prometheus".into()).await;
    let c = app.client();
    let res = c.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "unauthenticated");
    let wrong = c.get(app.url("/metrics")).bearer_auth("m3tr1cs-t0ken-for-prometheuz").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let ok = c.get(app.url("/metrics")).bearer_auth("m3tr1cs-t0ken-for-prometheus").send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert!(ok.text().await.unwrap().contains("dangjian_http_requests_total"));
    app.finish().await;
}
