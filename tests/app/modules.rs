//! The application is assembled from its modules (issue 模块骨架 item 1): every navigation entry
//! a role sees leads to a page it may open, action names and OpenAPI tags come from the modules
//! without clashes.
use std::collections::HashSet;

use crate::support::{Backend, TestApp};

#[test]
fn action_codes_and_api_tags_are_declared_once() {
    let modules = dangjian::app::modules();
    let mut codes = HashSet::new();
    for m in &modules {
        for (code, label) in m.actions {
            assert!(codes.insert(*code), "action {code} is declared by two modules");
            assert!(!label.is_empty() && !label.is_ascii(), "{code} has a Chinese name");
        }
    }
    let (_, doc) = dangjian::app::api();
    let declared: Vec<String> = doc.tags.clone().unwrap_or_default().into_iter().map(|t| t.name).collect();
    let unique: HashSet<&String> = declared.iter().collect();
    assert_eq!(unique.len(), declared.len(), "a tag is declared twice: {declared:?}");
    let json = serde_json::to_value(&doc).unwrap();
    for (path, item) in json["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for tag in op["tags"].as_array().into_iter().flatten() {
                assert!(
                    declared.iter().any(|d| tag == d.as_str()),
                    "{method} {path}: tag {tag} is declared by no module"
                );
            }
        }
    }
    let names: Vec<&str> = modules.iter().map(|m| m.name).collect();
    assert_eq!(names, ["home", "orgs", "people", "party", "family", "profile", "orgpage", "auth", "accounts", "audit"]);
}

fn nav_links(html: &str) -> Vec<String> {
    let nav = html.split("<nav class=\"sidenav\"").nth(1).unwrap().split("</nav>").next().unwrap();
    nav.split("href=\"").skip(1).map(|s| s.split('"').next().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn every_navigation_entry_opens_for_the_roles_that_see_it() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for user in ["admin", "secadmin", "auditor", "zzb", "jijian", "shuji", "lingdao", "dangyuan"] {
        let s = app.login(user).await;
        let home = s.get("/").await.text().await.unwrap();
        let links = nav_links(&home);
        assert!(
            links.contains(&"/".to_owned()) && links.contains(&"/account/password".to_owned()),
            "{user}: {links:?}"
        );
        for href in &links {
            let res = s.get(href).await;
            let mut status = res.status().as_u16();
            // 我的档案 redirects to the person's own page.
            if status == 303 {
                let to = res.headers()["location"].to_str().unwrap().to_owned();
                status = s.get(&to).await.status().as_u16();
            }
            assert_eq!(status, 200, "{user} sees {href} in the navigation but gets {status}");
        }
        let seen: HashSet<&str> = links.iter().map(String::as_str).collect();
        match user {
            "auditor" => assert!(seen.contains("/audit") && !seen.contains("/people")),
            "admin" => assert!(seen.contains("/admin/users") && !seen.contains("/audit") && !seen.contains("/people")),
            "shuji" => {
                assert!(seen.contains("/people") && seen.contains("/party/transfers") && !seen.contains("/admin/users"))
            }
            "dangyuan" => assert!(seen.contains("/people/me") && !seen.contains("/orgs")),
            _ => {}
        }
    }
    app.finish().await;
}
