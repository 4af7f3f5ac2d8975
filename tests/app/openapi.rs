//! `GET /api/openapi.json`: public, complete and truthful. The document is generated from the
//! route table, so these tests pin its contents to the known operations and check them against
//! the live server: every documented operation is a real route, every reference resolves.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Value, json};

use crate::support::{Backend, TestApp};

/// Every operation of `/api/v1`. A route added without documentation (or documented without a
/// route) makes `document_lists_exactly_the_operations_of_the_api` fail.
const OPERATIONS: &[(&str, &str)] = &[
    ("POST", "/api/v1/session"),
    ("DELETE", "/api/v1/session"),
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/me/password"),
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"),
    ("GET", "/api/v1/users/{id}"),
    ("GET", "/api/v1/users/{id}/person"),
    ("PUT", "/api/v1/users/{id}/person"),
    ("DELETE", "/api/v1/users/{id}/person"),
    ("POST", "/api/v1/users/{id}/unlock"),
    ("POST", "/api/v1/users/{id}/password-reset"),
    ("POST", "/api/v1/users/{id}/reset-requests"),
    ("POST", "/api/v1/users/{id}/one-time-code"),
    ("GET", "/api/v1/reset-requests"),
    ("POST", "/api/v1/reset-requests/{id}/approve"),
    ("POST", "/api/v1/reset-requests/{id}/reject"),
    ("POST", "/api/v1/users/{id}/grants"),
    ("DELETE", "/api/v1/grants/{id}"),
    ("POST", "/api/v1/users/{id}/tokens"),
    ("DELETE", "/api/v1/tokens/{id}"),
    ("GET", "/api/v1/orgs"),
    ("POST", "/api/v1/orgs"),
    ("GET", "/api/v1/orgs/{id}"),
    ("PATCH", "/api/v1/orgs/{id}"),
    ("PUT", "/api/v1/orgs/{id}/term"),
    ("POST", "/api/v1/orgs/{id}/committee"),
    ("DELETE", "/api/v1/orgs/{id}/committee/{member_id}"),
    ("GET", "/api/v1/orgs/{id}/group-members"),
    ("POST", "/api/v1/orgs/{id}/group-members"),
    ("DELETE", "/api/v1/orgs/{id}/group-members/{person_id}"),
    ("POST", "/api/v1/orgs/{id}/dissolve"),
    ("GET", "/api/v1/persons"),
    ("POST", "/api/v1/persons"),
    ("GET", "/api/v1/persons/{id}"),
    ("PUT", "/api/v1/persons/{id}"),
    ("DELETE", "/api/v1/persons/{id}"),
    ("GET", "/api/v1/persons/{id}/history"),
    ("POST", "/api/v1/persons/{id}/reveal"),
    ("GET", "/api/v1/persons/{id}/family"),
    ("POST", "/api/v1/persons/{id}/family"),
    ("PUT", "/api/v1/family-members/{id}"),
    ("DELETE", "/api/v1/family-members/{id}"),
    ("GET", "/api/v1/meetings"),
    ("POST", "/api/v1/meetings"),
    ("GET", "/api/v1/meetings/types"),
    ("PUT", "/api/v1/meetings/types/{id}"),
    ("GET", "/api/v1/meetings/expected"),
    ("GET", "/api/v1/meetings/compliance"),
    ("GET", "/api/v1/meetings/{id}"),
    ("PUT", "/api/v1/meetings/{id}"),
    ("POST", "/api/v1/meetings/{id}/submit"),
    ("POST", "/api/v1/meetings/{id}/review"),
    ("POST", "/api/v1/meetings/{id}/archive"),
    ("GET", "/api/v1/meetings/{id}/docx"),
    ("GET", "/api/v1/police"),
    ("GET", "/api/v1/persons/{id}/police"),
    ("PUT", "/api/v1/persons/{id}/police"),
    ("GET", "/api/v1/persons/{id}/awards"),
    ("POST", "/api/v1/persons/{id}/awards"),
    ("PUT", "/api/v1/awards/{id}"),
    ("DELETE", "/api/v1/awards/{id}"),
    ("GET", "/api/v1/persons/{id}/appraisals"),
    ("POST", "/api/v1/persons/{id}/appraisals"),
    ("PUT", "/api/v1/appraisals/{id}"),
    ("DELETE", "/api/v1/appraisals/{id}"),
    ("GET", "/api/v1/visits"),
    ("POST", "/api/v1/visits"),
    ("GET", "/api/v1/visits/{id}"),
    ("GET", "/api/v1/visits/coverage"),
    ("GET", "/api/v1/visits/settings"),
    ("PUT", "/api/v1/visits/settings"),
    ("GET", "/api/v1/visit-tasks"),
    ("POST", "/api/v1/visit-tasks"),
    ("GET", "/api/v1/care-items"),
    ("POST", "/api/v1/care-items"),
    ("GET", "/api/v1/care-items/{id}"),
    ("POST", "/api/v1/care-items/{id}/close"),
    ("GET", "/api/v1/visit-situations"),
    ("POST", "/api/v1/visit-situations"),
    ("PUT", "/api/v1/visit-situations/{id}"),
    ("POST", "/api/v1/visit-followups/{id}/done"),
    ("GET", "/api/v1/visit-campaigns"),
    ("POST", "/api/v1/visit-campaigns"),
    ("GET", "/api/v1/visit-campaigns/{id}"),
    ("GET", "/api/v1/risk-categories"),
    ("POST", "/api/v1/risk-categories"),
    ("PUT", "/api/v1/risk-categories/{id}"),
    ("DELETE", "/api/v1/risk-categories/{id}"),
    ("GET", "/api/v1/screenings"),
    ("POST", "/api/v1/screenings"),
    ("GET", "/api/v1/screenings/{id}"),
    ("POST", "/api/v1/screenings/{id}/branches/{org_id}/confirm"),
    ("GET", "/api/v1/risk-flags"),
    ("POST", "/api/v1/risk-flags"),
    ("GET", "/api/v1/risk-flags/{id}"),
    ("POST", "/api/v1/risk-flags/{id}/steps"),
    ("GET", "/api/v1/risk-flags/stats"),
    ("GET", "/api/v1/warnings"),
    ("POST", "/api/v1/warnings/decisions"),
    ("GET", "/api/v1/warnings/rules"),
    ("PUT", "/api/v1/warnings/rules/{id}"),
    ("POST", "/api/v1/imports/people"),
    ("POST", "/api/v1/imports/orgs"),
    ("POST", "/api/v1/persons/{id}/membership"),
    ("POST", "/api/v1/persons/{id}/membership/full"),
    ("POST", "/api/v1/persons/{id}/membership/extend"),
    ("POST", "/api/v1/persons/{id}/membership/end"),
    ("GET", "/api/v1/lapse"),
    ("GET", "/api/v1/memberships/incomplete"),
    ("GET", "/api/v1/units"),
    ("POST", "/api/v1/units"),
    ("PUT", "/api/v1/units/{id}"),
    ("GET", "/api/v1/units/{id}/placement"),
    ("POST", "/api/v1/persons/{id}/lapse-review"),
    ("POST", "/api/v1/persons/{id}/membership/transfer-in"),
    ("POST", "/api/v1/persons/{id}/transfers"),
    ("POST", "/api/v1/persons/{id}/dues-base"),
    ("POST", "/api/v1/persons/{id}/dues-reliefs"),
    ("GET", "/api/v1/persons/{id}/dues-reliefs"),
    ("POST", "/api/v1/dues-reliefs/{id}/cancel"),
    ("GET", "/api/v1/dues"),
    ("POST", "/api/v1/dues/payments"),
    ("POST", "/api/v1/dues/payments/cancel"),
    ("GET", "/api/v1/transfers"),
    ("POST", "/api/v1/transfers/{id}/accept"),
    ("GET", "/api/v1/transfers/{id}/docx"),
    ("POST", "/api/v1/transfers/{id}/letter"),
    ("POST", "/api/v1/transfers/{id}/receipt"),
    ("POST", "/api/v1/transfers/{id}/reject"),
    ("GET", "/api/v1/audit"),
    ("POST", "/api/v1/audit/verify"),
    ("GET", "/api/v1/sanctions"),
    ("POST", "/api/v1/sanctions"),
    ("GET", "/api/v1/sanctions/{id}"),
    ("POST", "/api/v1/sanctions/{id}/appeal"),
    ("POST", "/api/v1/sanctions/{id}/correct"),
    ("GET", "/api/v1/sanctions/stats"),
    ("GET", "/api/v1/exit-cases"),
    ("POST", "/api/v1/exit-cases"),
    ("GET", "/api/v1/exit-cases/{id}"),
    ("POST", "/api/v1/exit-cases/{id}/steps"),
    ("POST", "/api/v1/exit-cases/{id}/bars"),
    ("POST", "/api/v1/exit-cases/{id}/bars/{bar_id}/lift"),
    ("GET", "/api/v1/exit-cases/{id}/docx"),
    ("GET", "/api/v1/exit-cases/stats"),
    ("GET", "/api/v1/commitments"),
    ("POST", "/api/v1/commitments"),
    ("PUT", "/api/v1/commitments/{id}"),
    ("GET", "/api/v1/commitments/report"),
];

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options", "trace"];

async fn fetch_document(app: &TestApp) -> Value {
    // A client without any session: the document is public.
    let res = app.client().get(app.url("/api/openapi.json")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    res.json().await.unwrap()
}

/// (METHOD, path, operation) for every operation in the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(op) = item.get(*method) {
                out.push((method.to_uppercase(), path.clone(), op.clone()));
            }
        }
    }
    out
}

fn schema<'a>(doc: &'a Value, name: &str) -> &'a Value {
    let s = &doc["components"]["schemas"][name];
    assert!(s.is_object(), "schema {name} missing");
    s
}

fn names(value: &Value) -> BTreeSet<String> {
    value.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn document_lists_exactly_the_operations_of_the_api() {
    let app = TestApp::spawn_empty(Backend::Sqlite).await;
    let doc = fetch_document(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{}", doc["openapi"]);
    assert_eq!(doc["info"]["title"], "公安机关党建与队伍管理平台 接口");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    // Public like `/healthz`: not even a stale token stands in the way.
    let res = app.client().get(app.url("/api/openapi.json")).bearer_auth("djt_revoked").send().await.unwrap();
    assert_eq!(res.status(), 200);

    let documented: BTreeSet<(String, String)> =
        operations(&doc).into_iter().map(|(method, path, _)| (method, path)).collect();
    let expected: BTreeSet<(String, String)> =
        OPERATIONS.iter().map(|(method, path)| ((*method).to_owned(), (*path).to_owned())).collect();
    assert_eq!(expected.len(), OPERATIONS.len(), "duplicate in OPERATIONS");
    let missing: Vec<_> = expected.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&expected).collect();
    assert!(missing.is_empty() && extra.is_empty(), "not documented: {missing:?}; not in the list: {extra:?}");

    let declared_tags: HashSet<&str> =
        doc["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    let schemes: HashSet<&str> =
        doc["components"]["securitySchemes"].as_object().unwrap().keys().map(|k| k.as_str()).collect();
    assert_eq!(schemes, HashSet::from(["session", "csrf", "token"]));
    let mut operation_ids = HashSet::new();
    for (method, path, op) in operations(&doc) {
        let what = format!("{method} {path}");
        let responses = op["responses"].as_object().unwrap();
        assert!(!responses.is_empty(), "{what}: no responses");
        assert!(responses.keys().any(|s| s.starts_with('2')), "{what}: no success response");
        let tags = op["tags"].as_array().unwrap();
        assert!(!tags.is_empty(), "{what}: no tag");
        for tag in tags {
            assert!(declared_tags.contains(tag.as_str().unwrap()), "{what}: undeclared tag {tag}");
        }
        assert!(!op["summary"].as_str().unwrap_or_default().is_empty(), "{what}: no summary");
        assert!(operation_ids.insert(op["operationId"].as_str().unwrap().to_owned()), "{what}: duplicate operationId");
        // Every `{param}` of the path is declared, and nothing else is declared in the path.
        let in_template: BTreeSet<String> =
            path.split('/').filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}')).map(str::to_owned).collect();
        let declared: BTreeSet<String> = op["parameters"]
            .as_array()
            .map(|ps| ps.iter().filter(|p| p["in"] == "path").map(|p| p["name"].as_str().unwrap().to_owned()).collect())
            .unwrap_or_default();
        assert_eq!(in_template, declared, "{what}: path parameters");
        // Only login is open; writes with a cookie session need the CSRF header as well.
        let security = op["security"].as_array().unwrap();
        if what == "POST /api/v1/session" {
            assert_eq!(op["security"], json!([{}]), "{what}");
            continue;
        }
        assert!(security.iter().any(|s| s.get("token").is_some()), "{what}: bearer token not accepted");
        let session = security.iter().find(|s| s.get("session").is_some()).unwrap_or_else(|| panic!("{what}"));
        assert_eq!(session.get("csrf").is_some(), method != "GET", "{what}: CSRF requirement");
        assert!(responses.contains_key("401"), "{what}: 401 not documented");
        // 403: the CSRF check on writes, a role without the permission, or a password that must
        // be changed first; only "who am I" can answer none of these.
        assert_eq!(responses.contains_key("403"), what != "GET /api/v1/me", "{what}: 403");
        if path.contains('{') {
            assert!(responses.contains_key("404"), "{what}: 404 not documented");
        }
    }

    // Tags group the operations the way docs/API.md does.
    let tagged = |tag: &str| operations(&doc).into_iter().filter(|(_, _, op)| op["tags"][0] == tag).count();
    assert_eq!(tagged("session"), 4);
    assert_eq!(tagged("dues"), 7);
    app.finish().await;
}

#[tokio::test]
async fn every_documented_operation_is_a_real_route() {
    let app = TestApp::spawn_empty(Backend::Sqlite).await;
    let doc = fetch_document(&app).await;
    let anon = app.client();
    for (method, path, _) in operations(&doc) {
        let url = app.url(&path.replace("{id}", "1").replace("{member_id}", "1"));
        let req = anon.request(method.parse().unwrap(), &url);
        let req = if method == "GET" { req } else { req.json(&json!({})) };
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        if (method.as_str(), path.as_str()) == ("POST", "/api/v1/session") {
            // The one public operation: it reads the body, which lacks the user name.
            assert_eq!((status, body["field"].as_str()), (400, Some("username")), "{method} {path}");
        } else {
            assert_eq!((status, body["code"].as_str()), (401, Some("unauthenticated")), "{method} {path}: {body}");
        }
    }
    // The same requests to a path that is not in the document: the API's own 404.
    let (status, body) = {
        let res = anon.get(app.url("/api/v1/persons/1/nothing")).send().await.unwrap();
        (res.status().as_u16(), res.json::<Value>().await.unwrap())
    };
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
    app.finish().await;
}

/// Collects every `$ref` in the document.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn every_reference_resolves_to_a_component_schema() {
    let app = TestApp::spawn_empty(Backend::Sqlite).await;
    let doc = fetch_document(&app).await;
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 50, "suspiciously few references: {}", all.len());
    for r in &all {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("unexpected reference {r}"));
        schema(&doc, name);
    }
    // Errors are documented with the shape `AppError` renders.
    let error = schema(&doc, "ErrorBody");
    assert_eq!(names(&error["required"]), BTreeSet::from(["code".to_owned(), "message".to_owned()]));
    let props: BTreeSet<&str> = error["properties"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(props, BTreeSet::from(["code", "message", "field", "errors"]));
    // The import takes the spreadsheet itself; the letter is a Word file.
    let import = &doc["paths"]["/api/v1/imports/people"]["post"];
    assert!(
        import["requestBody"]["content"]["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
            .is_object()
    );
    let query: BTreeSet<&str> =
        import["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(query, BTreeSet::from(["dry_run", "filename", "org"]));
    let letter = &doc["paths"]["/api/v1/transfers/{id}/docx"]["get"]["responses"]["200"]["content"];
    assert!(letter["application/vnd.openxmlformats-officedocument.wordprocessingml.document"].is_object());
    // Lists document their filters and the page.
    let persons: BTreeSet<&str> = doc["paths"]["/api/v1/persons"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        persons,
        BTreeSet::from(["q", "kind", "employment_status", "political_status", "org", "page", "page_size"])
    );
    app.finish().await;
}

#[tokio::test]
async fn schemas_match_what_the_api_requires_and_returns() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc = fetch_document(&app).await;

    // The fields the person schema calls required are exactly those an empty record is refused for.
    let required = names(&schema(&doc, "PersonInput")["required"]);
    let zzb = app.login("zzb").await;
    let (status, body) = zzb.send_json(reqwest::Method::POST, "/api/v1/persons", json!({})).await;
    assert_eq!(status, 422, "{body}");
    let refused: BTreeSet<String> =
        body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect();
    assert_eq!(required, refused);
    assert_eq!(
        required,
        ["name", "kind", "id_number", "org_id", "political_status", "employment_status"]
            .into_iter()
            .map(str::to_owned)
            .collect()
    );

    // Answers carry the properties their schemas list, no more and no fewer.
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<BTreeSet<String>>();
    let props = |name: &str| keys(&schema(&doc, name)["properties"]);
    assert_eq!(keys(&zzb.me), props("Me"));
    assert_eq!(keys(&zzb.me["grants"][0]), props("MeGrant"));
    let (_, orgs) = zzb.get_json("/api/v1/orgs?page_size=1").await;
    assert_eq!(keys(&orgs), BTreeSet::from(["items".to_owned(), "total".to_owned()]));
    assert_eq!(keys(&orgs["items"][0]), props("OrgView"));
    let id = orgs["items"][0]["id"].as_i64().unwrap();
    let (_, org) = zzb.get_json(&format!("/api/v1/orgs/{id}")).await;
    assert_eq!(keys(&org), props("OrgDetail"));
    assert_eq!(keys(&org["governance"]), props("Governance"));
    let (_, group) = zzb.get_json("/api/v1/orgs/11/group-members").await;
    assert_eq!(keys(&group), props("GroupMembers"));
    let (_, persons) = zzb.get_json("/api/v1/persons?page_size=1").await;
    assert_eq!(keys(&persons["items"][0]), props("PersonRow"));
    let id = persons["items"][0]["id"].as_i64().unwrap();
    let (_, person) = zzb.get_json(&format!("/api/v1/persons/{id}")).await;
    assert_eq!(keys(&person), props("PersonProfile"));
    assert_eq!(keys(&person["sections"][0]), props("Section"));
    app.finish().await;
}

/// Posts `body` as a new person; the fields the API refused (none when it passed validation:
/// 201, or 409 for a number taken, which is checked after validation).
async fn refused_fields(s: &crate::support::Session, body: &Value) -> Vec<String> {
    let (status, answer) = s.send_json(reqwest::Method::POST, "/api/v1/persons", body.clone()).await;
    match status {
        201 | 409 => Vec::new(),
        422 => answer["errors"]
            .as_array()
            .map(|e| e.iter().map(|e| e["field"].as_str().unwrap_or_default().to_owned()).collect())
            .unwrap_or_else(|| vec![answer["field"].as_str().unwrap_or_default().to_owned()]),
        other => panic!("{other}: {answer}"),
    }
}

/// What a schema-driven tester does: values the document allows for a field pass the API's
/// validation of that field, and values outside it are refused naming the field.
#[tokio::test]
async fn the_person_schema_allows_exactly_what_the_api_accepts() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::{Config, TestRng, TestRunner};

    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc = fetch_document(&app).await;
    let props = schema(&doc, "PersonInput")["properties"].clone();
    let zzb = app.login("zzb").await;
    let base = json!({
        "name": "测试", "kind": "民警", "police_no": "200001", "id_number": crate::support::valid_id("37020219900101001"),
        "org_id": 10, "political_status": "群众", "employment_status": "在职", "status_since": "2020-01-01"
    });
    let with = |field: &str, value: &str| {
        let mut body = base.clone();
        body[field] = json!(value);
        if field == "police_no" || (field == "employment_status" && ["解除劳动合同", "退回派遣"].contains(&value))
        {
            // Optional for 辅警, and statuses only a 辅警 can have (the cross-field rules below).
            body["kind"] = json!("辅警");
        }
        body
    };

    // Enumerations: every listed value passes, a value not listed is refused.
    for field in ["kind", "political_status", "employment_status", "ethnicity", "education"] {
        let listed = props[field]["enum"].as_array().unwrap_or_else(|| panic!("{field} lists no values"));
        for v in listed {
            let refused = refused_fields(&zzb, &with(field, v.as_str().unwrap())).await;
            assert!(!refused.iter().any(|f| f == field), "{field}={v}: {refused:?}");
        }
        assert!(refused_fields(&zzb, &with(field, "其他")).await.contains(&field.to_owned()), "{field}");
    }
    assert!(refused_fields(&zzb, &with("gender", "未知")).await.contains(&"gender".to_owned()));

    // Patterns: strings generated from the documented pattern (and length) pass; a few that
    // break it are refused.
    let mut runner = TestRunner::new_with_rng(Config::default(), TestRng::deterministic_rng(Default::default()));
    for field in ["name", "police_no", "phone", "unit", "position"] {
        let pattern = props[field]["pattern"].as_str().unwrap_or_else(|| panic!("{field}: no pattern"));
        let max = props[field]["maxLength"].as_u64().map_or(usize::MAX, |m| m as usize);
        // Every pattern is anchored at both ends; the generator wants it bare.
        let bare = pattern.strip_prefix('^').and_then(|p| p.strip_suffix('$')).unwrap();
        let strategy = proptest::string::string_regex(bare).unwrap();
        for _ in 0..30 {
            let value = strategy.new_tree(&mut runner).unwrap().current();
            if value.chars().count() > max {
                continue;
            }
            let refused = refused_fields(&zzb, &with(field, &value)).await;
            assert!(!refused.iter().any(|f| f == field), "{field}={value:?} fits {pattern} but: {refused:?}");
        }
    }
    for (field, bad) in [
        ("name", "张3"),
        ("name", "   "),
        ("name", "张\u{202e}三"),
        ("police_no", "123"),
        ("phone", "12345"),
        ("unit", "单位\u{0007}"),
        ("id_number", "37020219900101001"),
    ] {
        let pattern = regex_lite(props[field]["pattern"].as_str().unwrap());
        assert!(!pattern.is_match(bad), "{field}: the document must refuse {bad:?}");
        assert!(refused_fields(&zzb, &with(field, bad)).await.contains(&field.to_owned()), "{field}={bad:?}");
    }
    let long = "长".repeat(51);
    assert_eq!(props["name"]["maxLength"], 50);
    assert!(refused_fields(&zzb, &with("name", &long)).await.contains(&"name".to_owned()));
    for field in ["birth_date", "status_since", "joined_police_on"] {
        assert_eq!(props[field]["format"], "date", "{field}");
    }
    assert_eq!(props["org_id"]["minimum"], 1);

    // The cross-field rules are stated too: a 民警 without a police number, or someone not in
    // service without the date, breaks the document and is refused by the API.
    let rules = schema(&doc, "PersonInput")["allOf"].to_string();
    assert!(rules.contains("police_no") && rules.contains("status_since"), "{rules}");
    let mut officer = with("kind", "民警");
    officer["police_no"] = json!("");
    assert!(refused_fields(&zzb, &officer).await.contains(&"police_no".to_owned()));
    let mut retired = with("employment_status", "退休");
    retired["status_since"] = json!("");
    assert!(refused_fields(&zzb, &retired).await.contains(&"status_since".to_owned()));
    // A 民警 cannot have had a 辅警's labour contract ended (the rule is in the document too).
    assert!(rules.contains("解除劳动合同"), "{rules}");
    let mut ended = with("employment_status", "解除劳动合同");
    ended["kind"] = json!("民警");
    assert!(refused_fields(&zzb, &ended).await.contains(&"employment_status".to_owned()));
    app.finish().await;
}

/// The documented pattern, compiled the way proptest reads it.
fn regex_lite(pattern: &str) -> regex::Regex {
    regex::Regex::new(pattern).unwrap()
}

/// The request schemas of accounts and sessions declare the limits their handlers enforce, and
/// one past each declared limit is refused with a 422 naming the field.
#[tokio::test]
async fn account_request_schemas_declare_what_the_api_refuses() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc = fetch_document(&app).await;
    let prop = |name: &str, field: &str| schema(&doc, name)["properties"][field].clone();

    let username = prop("CreateUserRequest", "username");
    assert_eq!((username["minLength"].as_u64(), username["maxLength"].as_u64()), (Some(3), Some(50)));
    assert_eq!(username["pattern"], "^[A-Za-z0-9_.-]+$");
    let display_name = prop("CreateUserRequest", "display_name");
    assert_eq!((display_name["minLength"].as_u64(), display_name["maxLength"].as_u64()), (Some(1), Some(50)));
    assert!(display_name["pattern"].as_str().unwrap().contains("\\u202A-\\u202E"), "{display_name}");
    assert_eq!(prop("TokenRequest", "name")["maxLength"], 100);
    assert_eq!(prop("ReasonRequest", "reason")["maxLength"], 200);
    assert_eq!(prop("LoginRequest", "username")["maxLength"], 50);
    assert_eq!(prop("PasswordRequest", "new_password")["minLength"], 8);
    assert_eq!(prop("LinkRequest", "person_ref")["pattern"], "^([0-9]{4,12}|[0-9]{17}[0-9Xx])$");
    // Roles and reset states are enums, not free text.
    assert_eq!(prop("GrantRequest", "role")["$ref"], "#/components/schemas/Role");
    assert_eq!(names(&schema(&doc, "Role")["enum"]).len(), 8);
    assert_eq!(prop("ResetView", "status")["$ref"], "#/components/schemas/ResetState");
    let states = names(&schema(&doc, "ResetState")["enum"]);
    assert_eq!(states, ["expired", "issued", "pending", "rejected", "superseded", "used"].map(str::to_owned).into());
    // The audit log's day filters are dates.
    let audit = doc["paths"]["/api/v1/audit"]["get"]["parameters"].as_array().unwrap();
    for day in ["from", "to"] {
        let p = audit.iter().find(|p| p["name"] == day).unwrap();
        assert_eq!(p["schema"]["format"], "date", "{p}");
    }

    // One past each limit is what the API refuses.
    let admin = app.login("admin").await;
    let create = |username: String, display_name: String| json!({"username": username, "display_name": display_name});
    for (body, field) in [
        (create("a".repeat(51), "张三".into()), "username"),
        (create("ab".into(), "张三".into()), "username"),
        (create("zhang san".into(), "张三".into()), "username"),
        (create("zhangsan".into(), "张".repeat(51)), "display_name"),
        (create("zhangsan".into(), "张\u{202E}三".into()), "display_name"),
    ] {
        let (status, answer) = admin.send_json(reqwest::Method::POST, "/api/v1/users", body.clone()).await;
        assert_eq!((status, answer["field"].as_str()), (422, Some(field)), "{body}: {answer}");
    }
    let (status, created) =
        admin.send_json(reqwest::Method::POST, "/api/v1/users", create("a".repeat(50), "张".repeat(50))).await;
    assert_eq!(status, 201, "the limits themselves are allowed: {created}");
    let id = created["id"].as_i64().unwrap();
    let tokens = format!("/api/v1/users/{id}/tokens");
    let (status, answer) = admin.send_json(reqwest::Method::POST, &tokens, json!({"name": "令".repeat(101)})).await;
    assert_eq!((status, answer["field"].as_str()), (422, Some("name")), "{answer}");
    let resets = format!("/api/v1/users/{id}/reset-requests");
    let (status, answer) = admin.send_json(reqwest::Method::POST, &resets, json!({"reason": "说".repeat(201)})).await;
    assert_eq!((status, answer["field"].as_str()), (422, Some("reason")), "{answer}");
    app.finish().await;
}

/// Every text field a JSON request body takes says what the API accepts of it — a list of
/// values, a format, a pattern or a length — so that no document leaves a field open that the
/// API then refuses. (Free search and filter parameters are not request bodies.)
#[tokio::test]
async fn every_text_field_of_a_request_body_declares_its_limits() {
    let app = TestApp::spawn_empty(Backend::Sqlite).await;
    let doc = fetch_document(&app).await;
    let mut bodies = BTreeSet::new();
    for (method, path, op) in operations(&doc) {
        if let Some(r) = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str() {
            bodies.insert((r.trim_start_matches("#/components/schemas/").to_owned(), format!("{method} {path}")));
        }
    }
    assert!(bodies.len() >= 20, "{bodies:?}");
    let mut open = Vec::new();
    for (name, used_by) in &bodies {
        let s = schema(&doc, name);
        for (field, prop) in s["properties"].as_object().into_iter().flatten() {
            let prop = match prop["$ref"].as_str() {
                Some(r) => schema(&doc, r.trim_start_matches("#/components/schemas/")),
                None => prop,
            };
            let types = prop["type"].to_string();
            let is_text = types.contains("string");
            let said = ["enum", "format", "pattern", "maxLength", "const"].iter().any(|k| !prop[*k].is_null())
                || prop["oneOf"].is_array();
            if is_text && !said {
                open.push(format!("{name}.{field} ({used_by})"));
            }
            if prop["type"] == "array" && prop["maxItems"].is_null() {
                open.push(format!("{name}.{field}: a list without maxItems ({used_by})"));
            }
        }
    }
    assert!(open.is_empty(), "request fields that declare no limit: {open:#?}");
    app.finish().await;
}

/// The limits the document states for reasons and passwords are the API's: one past them is a
/// 422 on the field, and nothing changes.
#[tokio::test]
async fn stated_limits_on_reasons_and_passwords_are_enforced() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let doc = fetch_document(&app).await;
    assert_eq!(schema(&doc, "DeleteRequest")["properties"]["reason"]["maxLength"], 200);
    assert_eq!(schema(&doc, "PasswordRequest")["properties"]["new_password"]["maxLength"], 128);
    let zzb = app.login("zzb").await;
    let (_, list) = zzb.get_json("/api/v1/persons?page_size=1").await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    let long = "删".repeat(201);
    let (status, err) =
        zzb.send_json(reqwest::Method::DELETE, &format!("/api/v1/persons/{id}"), json!({"reason": long})).await;
    assert_eq!((status, err["field"].as_str()), (422, Some("reason")), "{err}");
    assert_eq!(zzb.get_json(&format!("/api/v1/persons/{id}")).await.0, 200, "not deleted");
    let new = format!("Aa1!{}", "x".repeat(125));
    let (status, err) = zzb
        .send_json(
            reqwest::Method::POST,
            "/api/v1/me/password",
            json!({"current_password": crate::support::PASSWORD, "new_password": new}),
        )
        .await;
    assert_eq!((status, err["field"].as_str()), (422, Some("new_password")), "{err}");
    app.finish().await;
}
