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
    assert_eq!(
        names,
        [
            "home",
            "orgs",
            "people",
            "party",
            "family",
            "police",
            "discipline",
            "meetings",
            "visits",
            "risk",
            "exits",
            "orgimport",
            "profile",
            "orgpage",
            "auth",
            "accounts",
            "audit"
        ]
    );
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

/// The top-level modules of `src/` each file refers to through `crate::…` (test code excluded).
fn source_dependencies() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let tops: std::collections::BTreeSet<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let mut deps: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> = Default::default();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        let code: String = code.lines().map(|l| l.split("//").next().unwrap()).collect::<Vec<_>>().join("\n");
        let entry = deps.entry(top.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let rest = &code[i + "crate::".len()..];
            let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                group
                    .split('}')
                    .next()
                    .unwrap()
                    .split(',')
                    .map(|n| n.trim().split("::").next().unwrap().trim())
                    .collect()
            } else {
                vec![rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap()]
            };
            for name in names {
                if name != top && tops.contains(name) {
                    entry.insert(name.to_owned());
                }
            }
        }
    }
    deps
}

/// Dependencies point down: the building blocks use no domain; a domain uses the blocks and
/// lower domains, never an assembler, and no two domains use each other, however indirectly.
#[test]
fn dependencies_point_down_and_domains_form_no_loop() {
    const BLOCKS: &[&str] = &[
        "error", "clock", "config", "db", "text", "io", "ui", "module", "audit", "auth", "metrics", "state", "openapi",
    ];
    const ASSEMBLERS: &[&str] = &["home", "profile", "orgpage", "app", "cli", "demo", "lib", "main"];
    let deps = source_dependencies();
    let domains: Vec<&String> =
        deps.keys().filter(|m| !BLOCKS.contains(&m.as_str()) && !ASSEMBLERS.contains(&m.as_str())).collect();
    assert!(domains.iter().any(|d| *d == "orgs") && domains.iter().any(|d| *d == "party"), "{domains:?}");
    for block in BLOCKS {
        let up: Vec<&String> =
            deps.get(*block).into_iter().flatten().filter(|d| !BLOCKS.contains(&d.as_str())).collect();
        assert!(up.is_empty(), "the building block {block} uses {up:?}");
    }
    for domain in &domains {
        let up: Vec<&String> = deps[*domain].iter().filter(|d| ASSEMBLERS.contains(&d.as_str())).collect();
        assert!(up.is_empty(), "the domain {domain} uses the assembler(s) {up:?}");
    }
    // No loop among the domains: follow every path from each domain.
    for start in &domains {
        let mut stack: Vec<Vec<&str>> = vec![vec![start.as_str()]];
        while let Some(path) = stack.pop() {
            let last = *path.last().unwrap();
            for next in deps.get(last).into_iter().flatten().filter(|d| domains.contains(d)) {
                assert!(next != *start, "domains in a loop: {} → {next}", path.join(" → "));
                if !path.contains(&next.as_str()) {
                    let mut longer = path.clone();
                    longer.push(next);
                    stack.push(longer);
                }
            }
        }
    }
}
