//! Hostile input: recovering masked numbers through search, characters that break or disguise
//! text, numbers typed in other scripts, oversized lists and malformed requests. Every case gets
//! a Chinese 4xx (a JSON body on the API, the error page on the web), nothing is half-written,
//! and the server stays up.

use dangjian::people::entity as person;
use reqwest::Method;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::support::{Session, TestApp, on_all_backends, valid_id};

/// A person of branch 10 (中山路派出所党支部, the secretary's) and one of branch 13 (another
/// station of the same sub-bureau): both inside the leader's reach, only the first inside the
/// secretary's.
struct Known {
    a: i64,
    a_id: String,
    a_phone: &'static str,
    b: i64,
    b_id: String,
}

async fn create(zzb: &Session, name: &str, id: &str, police_no: &str, phone: &str, org: i32) -> i64 {
    let body = json!({
        "name": name, "kind": "民警", "police_no": police_no, "id_number": id, "org_id": org, "phone": phone,
        "political_status": "群众", "employment_status": "在职"
    });
    let (status, created) = zzb.send_json(Method::POST, "/api/v1/persons", body).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().unwrap()
}

async fn known(app: &TestApp) -> Known {
    let zzb = app.login("zzb").await;
    let a_id = valid_id("11010819610203753");
    let b_id = valid_id("11010819620304864");
    let a = create(&zzb, "甲测试", &a_id, "880001", "13957001234", 10).await;
    let b = create(&zzb, "乙测试", &b_id, "880002", "13957005678", 13).await;
    Known { a, a_id, a_phone: "13957001234", b, b_id }
}

fn ids(list: &Value) -> Vec<i64> {
    list["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect()
}

async fn search(s: &Session, q: &str) -> Value {
    let (status, list) = s.get_json(&format!("/api/v1/persons?q={q}&page_size=200")).await;
    assert_eq!(status, 200, "{q}: {list}");
    list
}

async fn sensitive_reads(app: &TestApp, who: &str) -> Vec<Value> {
    let auditor = app.login("auditor").await;
    let (_, log) = auditor.get_json(&format!("/api/v1/audit?who={who}&action=sensitive.read&page_size=200")).await;
    log["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_leader_cannot_recover_an_id_number_or_phone_through_search() {
    on_all_backends(|app| async move {
        let k = known(&app).await;
        let lingdao = app.login("lingdao").await;
        let tail = &k.a_id[14..];
        let found = search(&lingdao, tail).await;
        assert!(ids(&found).contains(&k.a), "the last four digits, as the list shows them, find the person");
        assert!(
            found["items"].as_array().unwrap().iter().any(|p| p["id_number_masked"].as_str().unwrap().ends_with(tail))
        );

        // Typing one more digit at a time tells nothing: no longer suffix reaches the ID column.
        for len in 5..=18 {
            let suffix = &k.a_id[18 - len..];
            for q in [suffix.to_owned(), suffix.to_ascii_lowercase()] {
                let list = search(&lingdao, &q).await;
                assert!(!ids(&list).contains(&k.a), "{q} must not find the person through the ID number");
                assert!(
                    list["items"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|p| p["police_no"].as_str().unwrap_or("").starts_with(&q)),
                    "{q}: only police numbers (shown in full) may match: {list}"
                );
            }
        }
        // Neither does narrowing to the branch, nor the export of such a search.
        let (_, in_branch) = lingdao.get_json(&format!("/api/v1/persons?q={}&org=10", k.a_id)).await;
        assert_eq!(in_branch["total"], 0);
        let bytes = lingdao.get(&format!("/people/export.xlsx?q={}", k.a_id)).await.bytes().await.unwrap();
        let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        use calamine::Reader;
        assert_eq!(book.worksheet_range("民辅警").unwrap().rows().count(), 2, "title and header only");

        // The page says why.
        let html = lingdao.get(&format!("/people?q={}", &k.a_id[10..])).await.text().await.unwrap();
        assert!(html.contains("id=\"search-notice\"") && html.contains("只能按身份证号末 4 位查找"), "{html}");
        assert!(!html.contains(&format!("href=\"/people/{}\"", k.a)));
        let html = lingdao.get(&format!("/people?q={tail}")).await.text().await.unwrap();
        assert!(html.contains(&format!("href=\"/people/{}\"", k.a)) && !html.contains("search-notice"));

        // No phone search at all: the leader's list shows no phone.
        for q in [k.a_phone, &k.a_phone[..7], "139-5700-1234"] {
            assert!(!ids(&search(&lingdao, q).await).contains(&k.a), "{q}");
        }
        assert!(sensitive_reads(&app, "lingdao").await.is_empty(), "nothing was revealed, nothing to audit");
        app
    })
    .await;
}

#[tokio::test]
async fn a_secretary_searches_full_numbers_and_each_search_is_audited_masked() {
    on_all_backends(|app| async move {
        let k = known(&app).await;
        let shuji = app.login("shuji").await;
        assert_eq!(ids(&search(&shuji, &k.a_id).await), vec![k.a]);
        assert_eq!(ids(&search(&shuji, &k.a_id[8..]).await), vec![k.a]);
        assert_eq!(ids(&search(&shuji, k.a_phone).await), vec![k.a]);
        // Branch 13 is outside the secretary's reach altogether; finding nobody reveals nothing.
        assert_eq!(search(&shuji, &k.b_id).await["total"], 0);
        // Four digits are what the list shows, and a police number is no reveal: not audited.
        search(&shuji, &k.a_id[14..]).await;
        assert_eq!(ids(&search(&shuji, "880001").await), vec![k.a]);
        let html = shuji.get(&format!("/people?q={}", k.a_id)).await.text().await.unwrap();
        assert!(html.contains(&format!("href=\"/people/{}\"", k.a)) && !html.contains("search-notice"));
        shuji.get(&format!("/people/export.xlsx?q={}", k.a_id)).await.bytes().await.unwrap();

        let reads = sensitive_reads(&app, "shuji").await;
        assert_eq!(reads.len(), 5, "full ID, 10 digits, phone, the page and the export: {reads:?}");
        let masked = format!("{}{}", "*".repeat(14), &k.a_id[14..]);
        for r in &reads {
            let summary = r["summary"].as_str().unwrap();
            assert!(!summary.contains(&k.a_id) && !summary.contains(k.a_phone), "never in clear: {summary}");
            assert!(!summary.contains(&k.a_id[8..]) && !summary.contains(&k.b_id), "{summary}");
            assert_eq!(r["org_path"], "/1/6/10/", "where the search looked");
        }
        let full: Vec<Value> = reads
            .iter()
            .map(|r| serde_json::from_str::<Value>(r["summary"].as_str().unwrap()).unwrap())
            .filter(|s| s["q"] == masked)
            .collect();
        assert_eq!(full.len(), 3, "the API search, the page and the export: {full:?}");
        assert!(full.iter().any(|s| s["persons"] == json!([k.a]) && s["total"] == 1));
        let phone = reads
            .iter()
            .map(|r| serde_json::from_str::<Value>(r["summary"].as_str().unwrap()).unwrap())
            .find(|s| s["q"] == "*".repeat(11))
            .unwrap();
        assert_eq!(phone["persons"], json!([k.a]));

        // The export's own entry keeps the filter, with the number masked.
        let auditor = app.login("auditor").await;
        let (_, export) = auditor.get_json("/api/v1/audit?who=shuji&action=person.export").await;
        let summary = export["items"][0]["summary"].as_str().unwrap();
        assert!(summary.contains(&masked) && !summary.contains(&k.a_id), "{summary}");
        app
    })
    .await;
}

#[tokio::test]
async fn the_identity_permission_counts_only_where_it_is_held() {
    on_all_backends(|app| async move {
        let k = known(&app).await;
        // The leader of the sub-bureau becomes secretary of branch 10 as well: identity data for
        // branch 10, the list (last four digits) for the rest of the sub-bureau.
        let lingdao = app.login("lingdao").await;
        let secadmin = app.login("secadmin").await;
        let lingdao_id = lingdao.user_id();
        let (status, grant) = secadmin
            .send_json(
                Method::POST,
                &format!("/api/v1/users/{lingdao_id}/grants"),
                json!({"role": "secretary", "org_id": 10}),
            )
            .await;
        assert!(status == 201 || status == 200, "{grant}");

        assert_eq!(ids(&search(&lingdao, &k.a_id).await), vec![k.a], "branch 10: full number");
        assert_eq!(search(&lingdao, &k.b_id).await["total"], 0, "branch 13: no full number");
        assert_eq!(search(&lingdao, &k.b_id[10..]).await["total"], 0);
        assert!(ids(&search(&lingdao, &k.b_id[14..]).await).contains(&k.b), "branch 13: the last four digits");
        assert_eq!(search(&lingdao, "13957005678").await["total"], 0, "branch 13: no phone search");
        assert_eq!(ids(&search(&lingdao, k.a_phone).await), vec![k.a]);
        let (_, in_13) = lingdao.get_json(&format!("/api/v1/persons?q={}&org=13", k.b_id)).await;
        assert_eq!(in_13["total"], 0);

        let html = lingdao.get(&format!("/people?q={}", k.b_id)).await.text().await.unwrap();
        assert!(html.contains("只在部分党组织有身份信息查阅权限"), "{html}");
        let html = lingdao.get(&format!("/people?q={}&org=13", k.b_id)).await.text().await.unwrap();
        assert!(html.contains("您没有身份信息查阅权限"));
        let html = lingdao.get(&format!("/people?q={}&org=10", k.a_id)).await.text().await.unwrap();
        assert!(!html.contains("search-notice"));

        // Registering a number names its holder only where identity data may be seen; trying a
        // number held elsewhere is recorded.
        let body = |id: &str| {
            json!({
                "name": "丙测试", "kind": "辅警", "id_number": id, "org_id": 10,
                "political_status": "群众", "employment_status": "在职"
            })
        };
        let (status, err) = lingdao.send_json(Method::POST, "/api/v1/persons", body(&k.a_id)).await;
        assert_eq!((status, err["field"].as_str()), (409, Some("id_number")));
        assert!(err["message"].as_str().unwrap().contains("甲测试 的档案"), "{err}");
        let (status, err) = lingdao.send_json(Method::POST, "/api/v1/persons", body(&k.b_id)).await;
        assert_eq!((status, err["field"].as_str()), (409, Some("id_number")));
        let message = err["message"].as_str().unwrap();
        assert!(message.contains("本局其他单位的档案") && !message.contains("乙测试"), "{message}");
        let auditor = app.login("auditor").await;
        let (_, denied) = auditor.get_json("/api/v1/audit?who=lingdao&action=access.denied").await;
        assert_eq!(denied["total"], 1, "{denied}");
        assert_eq!(denied["items"][0]["object"], format!("person#{}", k.b));
        assert!(!denied["items"][0]["summary"].as_str().unwrap().contains(&k.b_id));

        // Audited where the permission is held, naming only people found through it.
        let reads = sensitive_reads(&app, "lingdao").await;
        assert!(!reads.is_empty());
        for r in &reads {
            assert_eq!(r["org_path"], "/1/6/10/");
            let s: Value = serde_json::from_str(r["summary"].as_str().unwrap()).unwrap();
            assert!(s["persons"].as_array().unwrap().iter().all(|p| p == &json!(k.a)), "{s}");
        }
        app
    })
    .await;
}

async fn person_count(app: &TestApp) -> u64 {
    person::Entity::find().count(&app.state.db).await.unwrap()
}

fn is_chinese_json(body: &Value) -> bool {
    body["code"].is_string() && body["message"].as_str().is_some_and(|m| !m.is_ascii())
}

async fn page(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let html_type = res.headers().get("content-type").is_some_and(|v| v.to_str().unwrap().starts_with("text/html"));
    let text = res.text().await.unwrap();
    assert!(html_type, "an HTML page, not axum's text: {text}");
    (status, text)
}

#[tokio::test]
async fn numbers_in_other_scripts_are_refused_not_panicked_on() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let before = person_count(&app).await;
        // 16 digits and "é" are 18 bytes, the 17th inside the letter: once a panic.
        let hostile =
            ["1101051949123100é", "１１０１０５１９４９１２３１００２X", "11010519491231002\u{202E}", "张三李四王五"];
        for id in hostile {
            let body = json!({
                "name": "王测试", "kind": "辅警", "id_number": id, "org_id": 10,
                "political_status": "群众", "employment_status": "在职"
            });
            let (status, err) = zzb.send_json(Method::POST, "/api/v1/persons", body.clone()).await;
            assert_eq!((status, err["field"].as_str()), (422, Some("id_number")), "{id}: {err}");
            assert!(is_chinese_json(&err), "{err}");
            let (_, list) = zzb.get_json("/api/v1/persons?org=10&page_size=1").await;
            let pid = list["items"][0]["id"].as_i64().unwrap();
            let (status, err) = zzb.send_json(Method::PUT, &format!("/api/v1/persons/{pid}"), body).await;
            assert_eq!((status, err["field"].as_str()), (422, Some("id_number")), "{id}: {err}");

            let res = zzb
                .post_form(
                    "/people",
                    &[
                        ("name", "王测试"),
                        ("kind", "辅警"),
                        ("id_number", id),
                        ("org_id", "10"),
                        ("political_status", "群众"),
                        ("employment_status", "在职"),
                    ],
                )
                .await;
            let (status, html) = page(res).await;
            assert_eq!(status, 422);
            assert!(html.contains("身份证号只能由数字和末位的 X 组成"), "{id}");

            let (status, _) = zzb.get_json(&format!("/api/v1/persons?q={}", urlencode(id))).await;
            assert_eq!(status, 200);
            assert_eq!(zzb.get(&format!("/people?q={}", urlencode(id))).await.status(), 200);
            let (status, err) = zzb.get_json(&format!("/api/v1/persons/{}", urlencode(id))).await;
            assert_eq!((status, err["code"].as_str()), (404, Some("not_found")));
            let (status, html) = page(zzb.get(&format!("/people/{}", urlencode(id))).await).await;
            assert!(status == 404 && html.contains("未找到"));
        }
        assert_eq!(person_count(&app).await, before, "nothing written");
        assert_eq!(app.client().get(app.url("/healthz")).send().await.unwrap().status(), 200, "still up");
        app
    })
    .await;
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn control_and_direction_characters_are_refused_in_names_and_free_text() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let before = person_count(&app).await;
        let person = |name: &str, unit: &str| {
            json!({
                "name": name, "kind": "辅警", "id_number": valid_id("11010819630405111"), "org_id": 10,
                "unit": unit, "political_status": "群众", "employment_status": "在职"
            })
        };
        for (name, unit, field, code) in [
            ("张三\u{202E}四", "", "name", "U+202E"),
            ("张\u{0}三", "", "name", "U+0000"),
            ("李\u{2066}四", "", "name", "U+2066"),
            ("张三", "中山路\u{1b}[31m派出所", "unit", "U+001B"),
            ("张三", "中山路\n派出所", "unit", "一行"),
            ("张三", "\u{200F}中山路派出所", "unit", "U+200F"),
        ] {
            let (status, err) = zzb.send_json(Method::POST, "/api/v1/persons", person(name, unit)).await;
            assert_eq!((status, err["field"].as_str()), (422, Some(field)), "{name:?} {unit:?}: {err}");
            let message = err["message"].as_str().unwrap();
            assert!(message.contains(code), "{message}");
        }
        let res = zzb
            .post_form(
                "/people",
                &[
                    ("name", "张三\u{202E}四"),
                    ("kind", "辅警"),
                    ("id_number", &valid_id("11010819630405111")),
                    ("org_id", "10"),
                    ("political_status", "群众"),
                    ("employment_status", "在职"),
                ],
            )
            .await;
        let (status, html) = page(res).await;
        assert!(status == 422 && html.contains("姓名含有改变文字显示方向的控制符（U+202E）"), "{html}");
        assert_eq!(person_count(&app).await, before, "nothing written");

        // Organizations: the name on creation and on renaming, the reason of a dissolution.
        let org = |name: &str| json!({"name": name, "kind": "党小组", "parent_id": 10, "unit_name": ""});
        let (status, err) = zzb.send_json(Method::POST, "/api/v1/orgs", org("第三\u{7}党小组")).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("name")), "{err}");
        assert!(err["message"].as_str().unwrap().contains("党组织名称含有不可见的控制字符（U+0007）"));
        let (status, err) =
            zzb.send_json(Method::PATCH, "/api/v1/orgs/11", json!({"name": "\u{202D}第一党小组"})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("name")), "{err}");
        let res = zzb.post_form("/orgs/11/rename", &[("name", "第一\u{2069}党小组"), ("unit_name", "")]).await;
        let (status, html) = page(res).await;
        assert!(status == 422 && html.contains("党组织名称含有改变文字显示方向的控制符（U+2069）"), "{html}");
        let (_, group) = zzb.get_json("/api/v1/orgs/11").await;
        assert_eq!(group["org"]["name"], "第一党小组", "not renamed: {group}");
        let (status, err) =
            zzb.send_json(Method::POST, "/api/v1/orgs/11/dissolve", json!({"reason": "合并\u{202E}整顿"})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("reason")), "{err}");
        let (status, _) = zzb.get_json("/api/v1/orgs/11").await;
        assert_eq!(status, 200, "still there");
        app
    })
    .await;
}

#[tokio::test]
async fn oversized_lists_of_ids_are_refused_naming_the_field() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        for n in [1_001, 70_000] {
            let ids: Vec<i64> = (1..=n).collect();
            let (status, err) = zzb
                .send_json(
                    Method::POST,
                    "/api/v1/dues/payments",
                    json!({"month": "2026-11", "person_ids": ids, "paid_on": "2026-11-20"}),
                )
                .await;
            assert_eq!((status, err["field"].as_str()), (422, Some("person_ids")), "{n}: {err}");
            assert!(err["message"].as_str().unwrap().contains("一次最多登记 1000 名"), "{err}");
        }
        // The web form sends one `person_id` per ticked member.
        let mut fields: Vec<(&str, String)> =
            vec![("month", "2026-11".into()), ("paid_on", "2026-11-20".into()), ("org", "10".into())];
        fields.extend((1..=1_001).map(|i| ("person_id", i.to_string())));
        fields.push(("_csrf", zzb.csrf.clone()));
        let res = zzb.client.post(zzb.url("/party/dues/pay")).form(&fields).send().await.unwrap();
        assert_eq!(res.status(), 303);
        let back = res.headers()["location"].to_str().unwrap().to_owned();
        let html = zzb.get(&back).await.text().await.unwrap();
        assert!(html.contains("一次最多登记 1000 名党员的交纳"), "the flash says why");
        let (_, ledger) = zzb.get_json("/api/v1/dues?org=10&month=2026-11").await;
        assert!(ledger["rows"].as_array().unwrap().iter().all(|r| r["paid_on"].is_null()), "nothing paid");
        app
    })
    .await;
}

#[tokio::test]
async fn malformed_requests_get_chinese_answers_on_the_api_and_the_web() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let before = person_count(&app).await;
        let raw = |method: Method, path: &str, content_type: &str, body: &'static str| {
            zzb.client
                .request(method, zzb.url(path))
                .header("x-csrf-token", &zzb.csrf)
                .header("content-type", content_type)
                .body(body)
                .send()
        };

        // API: broken JSON, the wrong content type, a wrong value, a method the path lacks.
        for (content_type, body) in [
            ("application/json", "{\"name\": "),
            ("text/plain", "{}"),
            ("application/x-www-form-urlencoded", "name=a"),
            ("application/json", "{\"name\": \"a\"} trailing"),
            ("application/json", "{\"org_id\": \"abc\"}"),
        ] {
            let res = raw(Method::POST, "/api/v1/persons", content_type, body).await.unwrap();
            let status = res.status().as_u16();
            let err: Value = res.json().await.unwrap();
            assert_eq!(status, 400, "{content_type} {body}: {err}");
            assert!(is_chinese_json(&err), "{err}");
        }
        let res = raw(Method::POST, "/api/v1/persons", "application/json", "{\"org_id\": \"abc\"}").await.unwrap();
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["field"], "org_id");
        let res = raw(Method::PATCH, "/api/v1/persons", "application/json", "{}").await.unwrap();
        assert_eq!(res.status(), 405);
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["code"], "method_not_allowed");
        assert!(is_chinese_json(&err));
        let (status, err) = zzb.get_json("/api/v1/persons?org=abc").await;
        assert!(status == 400 && is_chinese_json(&err), "{err}");

        // Web: the Chinese error page for a body that is not a form, a field that does not
        // parse, an upload that is not multipart, a method the page lacks.
        let (status, html) = page(raw(Method::POST, "/people", "application/json", "{}").await.unwrap()).await;
        assert!(status == 400 && html.contains("请求体须为表单"), "{html}");
        let (status, html) = page(
            raw(Method::POST, "/party/dues/cancel", "application/x-www-form-urlencoded", "person_id=abc")
                .await
                .unwrap(),
        )
        .await;
        assert!(status == 400 && html.contains("person_id") && html.contains("“abc”不是整数"), "{html}");
        // An organization picker's text that names no organization: the form again, the field marked.
        let (status, html) =
            page(raw(Method::POST, "/people", "application/x-www-form-urlencoded", "name=a&org_id=abc").await.unwrap())
                .await;
        assert!(status == 422 && html.contains("field-error"), "{html}");
        let (status, html) =
            page(raw(Method::POST, "/people/import", "multipart/form-data", "--x--").await.unwrap()).await;
        assert!(status == 400 && html.contains("multipart/form-data"), "{html}");
        let (status, html) = page(
            raw(Method::POST, "/people/import", "multipart/form-data; boundary=XYZ", "--XYZ\r\nbroken").await.unwrap(),
        )
        .await;
        assert!((400..500).contains(&status) && !html.is_ascii(), "{status} {html}");
        let (status, html) =
            page(raw(Method::PUT, "/people", "application/x-www-form-urlencoded", "").await.unwrap()).await;
        assert!(status == 405 && html.contains("不支持此请求方法"), "{html}");
        let (status, html) = page(zzb.get("/people?org=abc").await).await;
        assert!(status == 400 && html.contains("请求有误"), "{html}");
        // A form that another module reads with axum's own extractor (the login page).
        let anon = app.client();
        let res =
            anon.post(app.url("/login")).header("content-type", "application/json").body("{}").send().await.unwrap();
        let (status, html) = page(res).await;
        assert!(status == 400 && html.contains("请求体须为表单"), "{html}");

        assert_eq!(person_count(&app).await, before, "nothing written");
        assert_eq!(app.client().get(app.url("/healthz")).send().await.unwrap().status(), 200, "still up");
        app
    })
    .await;
}

/// The birth date is digits 7–14 of the ID number: next to the masked number's last four and the
/// gender it would leave only the region unknown, so without the identity permission the list,
/// the export and the profile show the year only.
#[tokio::test]
async fn without_the_identity_permission_the_birth_date_shows_only_its_year() {
    on_all_backends(|app| async move {
        let k = known(&app).await;
        let lingdao = app.login("lingdao").await;
        let list = search(&lingdao, "甲测试").await;
        let row = list["items"].as_array().unwrap().iter().find(|p| p["id"] == k.a).unwrap().clone();
        assert_eq!(row["birth_date"], "1961年", "{row}");
        let (_, profile) = lingdao.get_json(&format!("/api/v1/persons/{}", k.a)).await;
        let basic = profile["sections"].as_array().unwrap().iter().find(|s| s["id"] == "basic").unwrap().clone();
        let birth = basic["rows"].as_array().unwrap().iter().find(|r| r["label"] == "出生日期").unwrap().clone();
        assert_eq!(birth["value"], "1961年");
        let page = lingdao.get("/people?q=%E7%94%B2%E6%B5%8B%E8%AF%95").await.text().await.unwrap();
        assert!(page.contains("1961年") && !page.contains("1961-02-03"), "the roster page shows the year only");
        let xlsx = lingdao.get("/people/export.xlsx?q=%E7%94%B2%E6%B5%8B%E8%AF%95").await.bytes().await.unwrap();
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.to_vec())).unwrap();
        let sheet = calamine::Reader::worksheet_range_at(&mut book, 0).unwrap().unwrap();
        let cells: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
        assert!(cells.iter().any(|c| c == "1961年") && !cells.iter().any(|c| c.contains("1961-02-03")), "{cells:?}");

        // The secretary holds the identity permission over branch 10: the list shows the year
        // too (masked by default), and the full date is revealed on request.
        let shuji = app.login("shuji").await;
        let list = search(&shuji, "甲测试").await;
        assert_eq!(list["items"][0]["birth_date"], "1961年");
        let (status, shown) = shuji.reveal(k.a, &["birth_date"]).await;
        assert_eq!((status, shown["fields"][0]["value"].as_str()), (200, Some("1961-02-03")), "{shown}");
        assert_eq!(lingdao.reveal(k.a, &["birth_date"]).await.0, 403, "the leader holds no identity permission");
        let _ = k.b;
        app
    })
    .await;
}

/// Account names and token names follow the same text rule as people and organizations.
#[tokio::test]
async fn account_and_token_names_refuse_direction_characters() {
    on_all_backends(|app| async move {
        let admin = app.login("admin").await;
        let body = json!({"username": "probe1", "display_name": "张\u{202e}三"});
        let (status, err) = admin.send_json(Method::POST, "/api/v1/users", body).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("display_name")), "{err}");
        let (status, created) =
            admin.send_json(Method::POST, "/api/v1/users", json!({"username": "probe2", "display_name": "接口"})).await;
        assert_eq!(status, 201, "{created}");
        let id = created["id"].as_i64().unwrap();
        let (status, err) =
            admin.send_json(Method::POST, &format!("/api/v1/users/{id}/tokens"), json!({"name": "同步\u{0007}"})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("name")), "{err}");
        app
    })
    .await;
}
