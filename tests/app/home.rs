//! The home page's to-do list answers for the caller's scope (issue 模块骨架 item 2): a branch
//! secretary sees each item, the whole-bureau party admin sees each kind counted per unit and
//! drills down to the items; a drill-down never widens a scope.
use reqwest::Method;
use serde_json::json;

use crate::party::new_person;
use crate::support::{Session, on_all_backends};

const KIND: &str = "名预备党员的预备期在 30 天内届满";

/// `n` new probationary members of `org`, admitted so that their probation ends within 30 days.
async fn due_members(zzb: &Session, org: i64, n: usize, prefix: &str, id_seed: u32) -> Vec<String> {
    let mut names = Vec::new();
    for i in 0..n {
        let name = format!("{prefix}{}", ["甲", "乙", "丙", "丁", "戊", "己", "庚"][i]);
        let id17 = format!("3302031990{:02}{:02}{:03}", 1 + i, 10 + (id_seed % 10), id_seed + i as u32);
        let pid = new_person(zzb, &name, &id17, "群众", org).await;
        let (status, m) = zzb
            .send_json(Method::POST, &format!("/api/v1/persons/{pid}/membership"), json!({"joined_on": "2025-12-10"}))
            .await;
        assert_eq!(status, 201, "{m}");
        names.push(name);
    }
    names
}

fn unit_links(html: &str) -> Vec<String> {
    html.split("href=\"/?unit=").skip(1).map(|s| format!("/?unit={}", s.split('"').next().unwrap())).collect()
}

#[tokio::test]
async fn counts_per_unit_for_wide_scopes_and_single_items_for_a_branch() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let mut all = due_members(&zzb, 10, 4, "近转甲", 100).await;
        all.extend(due_members(&zzb, 13, 6, "近转乙", 200).await);
        all.extend(due_members(&zzb, 3, 5, "近转丙", 300).await);

        // The whole bureau: counts per unit, no single names.
        let home = zzb.get("/").await.text().await.unwrap();
        assert!(home.contains(KIND), "a count line of the kind");
        assert!(all.iter().all(|n| !home.contains(n.as_str())), "no single items at the bureau's scope");
        let links = unit_links(&home);
        assert!(links.len() >= 2, "one line per unit: {links:?}");

        // Drilling down reaches every item, within the unit only.
        let mut seen = Vec::new();
        let mut queue = links;
        let mut steps = 0;
        while let Some(link) = queue.pop() {
            steps += 1;
            assert!(steps < 30, "the drill-down ends");
            let res = zzb.get(&link).await;
            assert_eq!(res.status(), 200, "{link}");
            let page = res.text().await.unwrap();
            assert!(page.contains("返回全部待办"));
            seen.extend(all.iter().filter(|n| page.contains(n.as_str())).cloned());
            queue.extend(unit_links(&page).into_iter().filter(|l| *l != link));
        }
        seen.sort();
        seen.dedup();
        let mut expected = all.clone();
        expected.sort();
        assert_eq!(seen, expected, "every item is reached by drilling down");

        // The branch secretary sees their own four one by one, and no one else's.
        let shuji = app.login("shuji").await;
        let own = shuji.get("/").await.text().await.unwrap();
        for n in &all {
            assert_eq!(own.contains(n.as_str()), n.starts_with("近转甲"), "{n}");
        }
        // A drill-down outside one's scope is the same 404 as an unknown unit, and audited.
        let res = shuji.get("/?unit=13").await;
        assert_eq!(res.status(), 404);
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?who=shuji&action=access.denied").await;
        assert!(log["total"].as_u64().unwrap() >= 1, "{log}");
        app
    })
    .await;
}
