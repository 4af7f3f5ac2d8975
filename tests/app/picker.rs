//! The organization pickers: suggestions as one types (`GET /orgs/options`), with the same
//! candidates and scope as the forms they feed, and forms that take `123` or `名称（#123）`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::party::new_person;
use crate::support::{Session, on_all_backends};

async fn suggest(s: &Session, query: &str) -> (u16, Vec<Value>) {
    // The transfer and committee pickers are Party's.
    let base = if query.starts_with("purpose=transfer") || query.starts_with("purpose=committee") {
        "/party/options"
    } else {
        "/orgs/options"
    };
    let (status, body) = s.get_json(&format!("{base}?{query}")).await;
    (status, body.as_array().cloned().unwrap_or_default())
}

fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn a_picker_suggests_only_the_callers_candidates_matching_the_typed_text() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        // Nothing typed: the first candidates, at most 20 (the demo bureau has 21).
        let (status, all) = suggest(&zzb, "purpose=member_org").await;
        assert_eq!(status, 200);
        assert_eq!(all.len(), 20);
        for item in &all {
            let (id, value) = (item["id"].as_i64().unwrap(), item["value"].as_str().unwrap());
            assert!(value.ends_with(&format!("（#{id}）")), "{item}");
            assert!(!item["label"].as_str().unwrap().is_empty(), "{item}");
        }
        // Part of a name narrows; a number finds that one organization.
        let (_, zhongshan) = suggest(&zzb, &format!("purpose=member_org&q={}", urlencode("中山路"))).await;
        assert!(!zhongshan.is_empty() && zhongshan.len() < all.len(), "{zhongshan:?}");
        assert!(zhongshan.iter().all(|i| i["value"].as_str().unwrap().contains("中山路")), "{zhongshan:?}");
        assert!(ids(&zhongshan).contains(&10));
        // Pinyin initials, anywhere in the name, in either case: "zsl" is 中山路.
        let (_, by_initials) = suggest(&zzb, "purpose=member_org&q=ZSL").await;
        assert_eq!(ids(&by_initials), ids(&zhongshan), "{by_initials:?}");
        let (_, by_number) = suggest(&zzb, "purpose=member_org&q=13").await;
        assert_eq!(ids(&by_number), vec![13]);
        let (_, none) = suggest(&zzb, &format!("purpose=member_org&q={}", urlencode("没有这个组织"))).await;
        assert!(none.is_empty());

        // A new parent never lies inside the organization being moved; a merge never names itself.
        let (_, parents) = suggest(&zzb, "purpose=parent&for=6").await;
        assert!(!parents.is_empty() && !ids(&parents).contains(&6) && !ids(&parents).contains(&10), "{parents:?}");
        let (_, targets) = suggest(&zzb, "purpose=merge&for=13").await;
        assert!(!targets.is_empty() && !ids(&targets).contains(&13), "{targets:?}");
        let (status, _) = suggest(&zzb, "purpose=everything").await;
        assert_eq!(status, 400);

        // A branch secretary: only the own branch's subtree, and other organizations look missing.
        let shuji = app.login("shuji").await;
        let (_, own) = shuji.get_json("/api/v1/orgs").await;
        let own: Vec<i64> = own["items"].as_array().unwrap().iter().map(|o| o["id"].as_i64().unwrap()).collect();
        let (status, mine) = suggest(&shuji, "purpose=member_org").await;
        assert_eq!(status, 200);
        assert!(!mine.is_empty() && ids(&mine).iter().all(|id| own.contains(id)), "{mine:?} {own:?}");
        let (_, by_number) = suggest(&shuji, "purpose=member_org&q=13").await;
        assert!(by_number.is_empty(), "another branch is not a candidate");
        assert_eq!(suggest(&shuji, "purpose=merge&for=13").await.0, 404);
        assert_eq!(suggest(&shuji, "purpose=parent&for=13").await.0, 404);
        assert_eq!(suggest(&shuji, "purpose=parent&for=10").await.0, 404, "no restructuring rights");
        assert_eq!(suggest(&shuji, "purpose=parent").await.0, 403);

        // Transfer: the other branches of the bureau, for a member the caller may transfer.
        let pid = new_person(&shuji, "待转党员", "37020219850505004", "发展对象", 10).await;
        let (status, body) = shuji
            .send_json(
                Method::POST,
                &format!("/api/v1/persons/{pid}/membership"),
                json!({"joined_on": "2011-05-01", "full_on": "2012-05-01"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let (status, branches) = suggest(&shuji, &format!("purpose=transfer&for={pid}")).await;
        assert_eq!(status, 200);
        assert!(ids(&branches).contains(&13) && !ids(&branches).contains(&10), "{branches:?}");
        assert_eq!(suggest(&shuji, "purpose=transfer&for=99999").await.0, 404);

        // A committee's candidates are people: the members of the organization's tree.
        let (status, members) = suggest(&zzb, &format!("purpose=committee&for=10&q={}", urlencode("待转"))).await;
        assert_eq!(status, 200);
        assert_eq!(ids(&members), vec![pid]);
        assert_eq!(members[0]["value"], format!("待转党员（#{pid}）"));
        assert_eq!(suggest(&shuji, "purpose=committee&for=10").await.0, 404, "no restructuring rights");
        let res = zzb
            .post_form("/orgs/10/committee", &[("person_id", &format!("待转党员（#{pid}）")), ("post", "组织委员")])
            .await;
        assert_eq!(res.status(), 303);
        let (_, branch) = zzb.get_json("/api/v1/orgs/10").await;
        let committee = branch["governance"]["committee"].as_array().unwrap();
        assert!(committee.iter().any(|c| c["person_id"] == pid), "{branch}");
        app
    })
    .await;
}

#[tokio::test]
async fn forms_take_a_picked_number_or_the_suggestion_text() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let (_, bureau) = zzb.get_json("/api/v1/orgs/6").await;
        let picked = format!("{}（#6）", bureau["org"]["name"].as_str().unwrap());
        for (name, parent) in [("选中党支部", picked.as_str()), ("编号党支部", "6")] {
            let res = zzb
                .post_form("/orgs", &[("name", name), ("kind", "党支部"), ("parent_id", parent), ("unit_name", "")])
                .await;
            assert_eq!(res.status(), 303, "{name}");
            let (_, list) = zzb.get_json(&format!("/api/v1/orgs?q={}", urlencode(name))).await;
            assert_eq!(list["items"][0]["parent_id"], 6, "{name}: {list}");
        }
        // Text naming no organization: the form again, with the field's own error.
        let res = zzb
            .post_form(
                "/orgs",
                &[("name", "某党支部"), ("kind", "党支部"), ("parent_id", "东港分局"), ("unit_name", "")],
            )
            .await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("上级党组织不存在"));

        // A person's organization, typed as a suggestion's text; the edit form shows it back.
        let (_, branch) = zzb.get_json("/api/v1/orgs/13").await;
        let branch_text = format!("{}（#13）", branch["org"]["name"].as_str().unwrap());
        let id_number = crate::support::valid_id("37020219900101003");
        let res = zzb
            .post_form(
                "/people",
                &[
                    ("name", "选组织"),
                    ("kind", "辅警"),
                    ("id_number", &id_number),
                    ("org_id", &branch_text),
                    ("political_status", "群众"),
                    ("employment_status", "在职"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        let edit = zzb.get(&format!("{location}/edit")).await.text().await.unwrap();
        assert!(edit.contains(&format!("value=\"{branch_text}\"")), "the chosen organization is shown");

        // Moving an organization: the suggestion text too.
        let (_, list) = zzb.get_json(&format!("/api/v1/orgs?q={}", urlencode("编号党支部"))).await;
        let moved = list["items"][0]["id"].as_i64().unwrap();
        let (_, target) = zzb.get_json("/api/v1/orgs/2").await;
        let target_text = format!("{}（#2）", target["org"]["name"].as_str().unwrap());
        let res = zzb.post_form(&format!("/orgs/{moved}/move"), &[("parent_id", &target_text)]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(zzb.get_json(&format!("/api/v1/orgs/{moved}")).await.1["org"]["parent_id"], 2);

        // A grant's scope: the security administrator picks among every organization; nobody
        // else gets the list; the form takes the suggestion's text.
        let secadmin = app.login("secadmin").await;
        let (status, found) = suggest(&secadmin, "purpose=grant&q=zsl").await;
        assert_eq!(status, 200);
        assert!(ids(&found).contains(&10), "{found:?}");
        assert_eq!(suggest(&zzb, "purpose=grant").await.0, 403);
        let admin = app.login("admin").await;
        let (_, created) = admin
            .send_json(Method::POST, "/api/v1/users", json!({"username": "pick1", "display_name": "选范围"}))
            .await;
        let user = created["id"].as_i64().unwrap();
        let res = secadmin
            .post_form(&format!("/admin/users/{user}/grants"), &[("role", "leader"), ("org_id", &branch_text)])
            .await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap_or_default());
        let (_, account) = secadmin.get_json(&format!("/api/v1/users/{user}")).await;
        assert_eq!(account["grants"][0]["org_id"], 13, "{account}");
        app
    })
    .await;
}

#[tokio::test]
async fn the_large_forms_ship_no_long_lists() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let secadmin = app.login("secadmin").await;
        let lingdao = secadmin.get("/admin/users").await.text().await.unwrap();
        let account = lingdao.split("/admin/users/").nth(1).unwrap().split('"').next().unwrap().to_owned();
        for (who, path) in [
            (&zzb, "/orgs/1".to_owned()),
            (&zzb, "/orgs/6".to_owned()),
            (&zzb, "/orgs/new".to_owned()),
            (&zzb, "/people/new".to_owned()),
            (&secadmin, format!("/admin/users/{account}")),
        ] {
            let path = path.as_str();
            let res = who.get(path).await;
            assert_eq!(res.status(), 200, "{path}");
            let html = res.text().await.unwrap();
            assert!(
                html.contains("data-picker=\"/orgs/options?purpose="),
                "{path} has a picker: {}",
                &html[html.find("<main").unwrap_or(0)..]
            );
            assert!(html.matches("<option").count() < 100, "{path}: {}", html.matches("<option").count());
        }
        app
    })
    .await;
}
