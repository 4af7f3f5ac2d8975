use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{on_all_backends, valid_id};

fn section<'a>(profile: &'a Value, id: &str) -> &'a Value {
    profile["sections"].as_array().unwrap().iter().find(|s| s["id"] == id).unwrap()
}

#[tokio::test]
async fn search_by_name_initials_police_number_and_id_digits_within_scope() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let (status, all) = shuji.get_json("/api/v1/persons?page_size=200").await;
        assert_eq!(status, 200);
        let total = all["total"].as_u64().unwrap();
        let (_, branch) = shuji.get_json("/api/v1/orgs/10").await;
        assert_eq!(total, branch["people_in_subtree"].as_u64().unwrap(), "the secretary sees the branch");
        assert!(all["items"].as_array().unwrap().iter().all(|p| p["org_name"] == "中山路派出所党支部"));

        let first = &all["items"][0];
        let name = first["name"].as_str().unwrap();
        let initials = dangjian::people::initials(name);
        let (_, by_initials) = shuji.get_json(&format!("/api/v1/persons?q={initials}")).await;
        assert!(by_initials["items"].as_array().unwrap().iter().any(|p| p["id"] == first["id"]), "{initials}");
        let masked = first["id_number_masked"].as_str().unwrap();
        assert!(masked.contains("********"));
        let tail = &masked[masked.len() - 4..];
        let (_, by_tail) = shuji.get_json(&format!("/api/v1/persons?q={tail}")).await;
        assert!(by_tail["items"].as_array().unwrap().iter().any(|p| p["id"] == first["id"]));
        assert!(
            by_tail["items"].as_array().unwrap().iter().all(|p| p["id_number_masked"]
                .as_str()
                .unwrap()
                .ends_with(tail)
                || p["police_no"].as_str().is_some_and(|n| n.starts_with(tail))),
            "only IDs ending in {tail} (or police numbers starting with it)"
        );
        let regular = all["items"].as_array().unwrap().iter().find(|p| p["kind"] == "民警").unwrap();
        let no = regular["police_no"].as_str().unwrap();
        let (_, by_no) = shuji.get_json(&format!("/api/v1/persons?q={no}")).await;
        assert_eq!(by_no["items"][0]["id"], regular["id"]);
        let (_, by_name) = shuji.get_json(&format!("/api/v1/persons?q={}", urlencode(name))).await;
        assert!(by_name["total"].as_u64().unwrap() >= 1);

        // Filters combine; the party office sees the whole bureau.
        let zzb = app.login("zzb").await;
        let (_, aux) = zzb.get_json("/api/v1/persons?kind=%E8%BE%85%E8%AD%A6&page_size=200").await;
        assert!(aux["items"].as_array().unwrap().iter().all(|p| p["kind"] == "辅警"));
        let (_, everyone) = zzb.get_json("/api/v1/persons").await;
        let (_, root) = zzb.get_json("/api/v1/orgs/1").await;
        assert_eq!(everyone["total"], root["people_in_subtree"]);
        assert!(everyone["total"].as_u64().unwrap() > total);
        let (_, in_branch) = zzb.get_json("/api/v1/persons?org=10").await;
        assert_eq!(in_branch["total"].as_u64().unwrap(), total);
        // A secretary cannot filter on someone else's branch.
        assert_eq!(shuji.get_json("/api/v1/persons?org=13").await.0, 404);
        app
    })
    .await;
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// The masked value a profile row shows, and the field code a reveal asks for.
fn masked<'a>(section: &'a Value, label: &str) -> (&'a str, &'a str) {
    let r = section["rows"].as_array().unwrap().iter().find(|r| r["label"] == label).unwrap();
    (r["value"].as_str().unwrap(), r["field"].as_str().unwrap_or_default())
}

/// Opening a profile shows sensitive fields masked and writes nothing; a reveal checks the
/// field's class permission and scope and writes one audit row naming the fields.
#[tokio::test]
async fn a_profile_is_masked_and_a_reveal_is_checked_and_audited() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let (_, list) = shuji.get_json("/api/v1/persons").await;
        let id = list["items"][2]["id"].as_i64().unwrap();
        let (status, profile) = shuji.get_json(&format!("/api/v1/persons/{id}")).await;
        assert_eq!(status, 200);
        let identity = section(&profile, "identity");
        assert_eq!(identity["sensitive"], true);
        let (shown, field) = masked(identity, "身份证号");
        assert!(shown.starts_with("**************") && shown.len() == 18, "{shown}");
        assert_eq!(field, "id_number");
        let (birth, field) = masked(section(&profile, "basic"), "出生日期");
        assert!(birth.ends_with('年') && field == "birth_date", "{birth}");
        let revealable: Vec<&str> =
            profile["revealable"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
        assert_eq!(
            revealable,
            [
                "id_number",
                "birth_date",
                "phone",
                "family_members",
                "sanctions",
                "five_knowns",
                "visit_notes",
                "risk_flags"
            ]
        );
        let auditor = app.login("auditor").await;
        let reads = |who: &'static str| {
            let auditor = &auditor;
            async move { auditor.get_json(&format!("/api/v1/audit?who={who}&action=sensitive.read")).await.1 }
        };
        assert_eq!(reads("shuji").await["total"], 0, "opening a profile writes nothing");

        // The secretary reveals: full values, one audit row naming the fields.
        let (status, shown) = shuji.reveal(id, &["id_number", "phone", "id_number"]).await;
        assert_eq!(status, 200, "{shown}");
        let fields = shown["fields"].as_array().unwrap();
        assert_eq!(fields.len(), 2, "asked twice, revealed once: {shown}");
        assert_eq!(fields[0]["class"], "identity");
        let full = fields[0]["value"].as_str().unwrap();
        assert_eq!(full.len(), 18);
        assert!(!full.contains('*') && full.ends_with(&shown_tail(identity)), "{full}");
        let log = reads("shuji").await;
        assert_eq!(log["total"], 1);
        assert_eq!(log["items"][0]["object"], format!("person#{id}"));
        assert!(log["items"][0]["summary"].as_str().unwrap().contains("[\"id_number\",\"phone\"]"), "{log}");

        // Bad requests: nothing named, an unknown field, not a list.
        for body in [json!({"fields": []}), json!({"fields": ["salary"]})] {
            let (status, err) = shuji.send_json(Method::POST, &format!("/api/v1/persons/{id}/reveal"), body).await;
            assert_eq!((status, err["field"].as_str()), (422, Some("fields")), "{err}");
        }
        let (status, _) =
            shuji.send_json(Method::POST, &format!("/api/v1/persons/{id}/reveal"), json!({"fields": "phone"})).await;
        assert_eq!(status, 400);
        assert_eq!(reads("shuji").await["total"], 1, "a refused request reveals and records nothing");

        // The sub-bureau leader sees the same person masked and holds no class permission: 403
        // naming it, and nothing in the log.
        let lingdao = app.login("lingdao").await;
        let (status, seen) = lingdao.get_json(&format!("/api/v1/persons/{id}")).await;
        assert_eq!(status, 200);
        assert!(masked(section(&seen, "identity"), "身份证号").0.contains("********"));
        assert_eq!(seen["revealable"], json!([]));
        let (status, err) = lingdao.reveal(id, &["id_number"]).await;
        assert_eq!(status, 403);
        assert!(err["message"].as_str().unwrap().contains("身份与联系方式查阅"), "{err}");
        assert_eq!(reads("lingdao").await["total"], 0);

        // Another branch's person is out of the secretary's reach: 404 and the refusal audited.
        let (_, other) = app.login("zzb").await.get_json("/api/v1/persons?org=13").await;
        let other_id = other["items"][0]["id"].as_i64().unwrap();
        assert_eq!(shuji.get_json(&format!("/api/v1/persons/{other_id}")).await.0, 404);
        assert_eq!(shuji.reveal(other_id, &["id_number"]).await.0, 404);
        let (_, denied) = auditor.get_json("/api/v1/audit?who=shuji&action=access.denied").await;
        assert_eq!(denied["total"], 2);
        assert_eq!(denied["items"][0]["object"], format!("person#{other_id}"));

        // A member sees only themself, and may reveal their own identity.
        let dangyuan = app.login("dangyuan").await;
        let res = dangyuan.get("/people/me").await;
        let own = res.headers()["location"].to_str().unwrap().to_owned();
        let own_id: i64 = own.trim_start_matches("/people/").parse().unwrap();
        let (status, mine) = dangyuan.get_json(&format!("/api/v1/persons/{own_id}")).await;
        assert_eq!(status, 200);
        assert!(masked(section(&mine, "identity"), "身份证号").0.contains('*'), "masked until asked");
        assert_eq!(dangyuan.full_id(own_id).await.len(), 18);
        let (_, log) = auditor.get_json("/api/v1/audit?who=dangyuan&action=sensitive.read").await;
        assert!(log["items"][0]["summary"].as_str().unwrap().contains("\"self\":true"), "{log}");
        assert_eq!(dangyuan.get_json(&format!("/api/v1/persons/{id}")).await.0, 403);
        assert_eq!(dangyuan.reveal(id, &["id_number"]).await.0, 403);

        // The discipline inspector reads identity bureau-wide.
        assert_eq!(app.login("jijian").await.full_id(id).await, full);
        app
    })
    .await;
}

fn shown_tail(identity: &Value) -> String {
    let (masked, _) = masked(identity, "身份证号");
    masked[masked.len() - 4..].to_owned()
}

#[tokio::test]
async fn people_are_created_validated_changed_with_history_and_soft_deleted() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let bad = json!({
            "name": "王小明", "kind": "民警", "police_no": "", "id_number": "370202199001011234",
            "org_id": 10, "political_status": "中共党员", "employment_status": "退休",
            "joined_police_on": "2031-01-01"
        });
        let (status, err) = zzb.send_json(Method::POST, "/api/v1/persons", bad).await;
        assert_eq!(status, 422);
        let fields: Vec<&str> =
            err["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, vec!["police_no", "id_number", "status_since"], "{err}");

        let id_no = valid_id("37020219900101123");
        let good = json!({
            "name": "王小明", "kind": "民警", "police_no": "209901", "id_number": id_no, "org_id": 10,
            "political_status": "中共党员", "employment_status": "在职", "ethnicity": "汉族",
            "position": "民警", "joined_police_on": "2012-07-01", "phone": "13800001111"
        });
        let (status, created) = zzb.send_json(Method::POST, "/api/v1/persons", good.clone()).await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["birth_date"], "1990-01-01");
        let expected_gender = if (id_no.as_bytes()[16] - b'0') % 2 == 1 { "男" } else { "女" };
        assert_eq!(created["gender"], expected_gender);
        let pid = created["id"].as_i64().unwrap();
        let (status, dup) = zzb.send_json(Method::POST, "/api/v1/persons", good.clone()).await;
        assert_eq!((status, dup["field"].as_str()), (409, Some("id_number")));

        // Change the branch and the post: two history rows, one audit entry without the ID in clear.
        let mut changed = good.clone();
        changed["org_id"] = json!(13);
        changed["position"] = json!("副所长");
        let (status, _) = zzb.send_json(Method::PUT, &format!("/api/v1/persons/{pid}"), changed).await;
        assert_eq!(status, 200);
        let (_, history) = zzb.get_json(&format!("/api/v1/persons/{pid}/history")).await;
        assert_eq!(history["total"], 2);
        let items = history["items"].as_array().unwrap();
        assert!(items.iter().any(|h| h["field"] == "所在党组织"
            && h["old_value"] == "中山路派出所党支部"
            && h["new_value"] == "人民路派出所党支部"));
        assert!(items.iter().any(|h| h["field"] == "职务" && h["old_value"] == "民警" && h["new_value"] == "副所长"));
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?action=person.create").await;
        assert_eq!(log["total"], 1);
        let summary = log["items"][0]["summary"].as_str().unwrap();
        assert!(!summary.contains(&id_no) && !summary.contains("13800001111"), "{summary}");

        // Moved to branch 13: shuji (branch 10) no longer sees the person.
        let shuji = app.login("shuji").await;
        assert_eq!(shuji.get_json(&format!("/api/v1/persons/{pid}")).await.0, 404);

        // Soft delete: a reason is required; afterwards hidden, kept, and the ID stays taken.
        let (status, err) =
            zzb.send_json(Method::DELETE, &format!("/api/v1/persons/{pid}"), json!({"reason": " "})).await;
        assert_eq!((status, err["field"].as_str()), (422, Some("reason")));
        let (status, _) =
            zzb.send_json(Method::DELETE, &format!("/api/v1/persons/{pid}"), json!({"reason": "重复建档"})).await;
        assert_eq!(status, 204);
        assert_eq!(zzb.get_json(&format!("/api/v1/persons/{pid}")).await.0, 404);
        let (_, search) = zzb.get_json("/api/v1/persons?q=209901").await;
        assert_eq!(search["total"], 0);
        let (status, again) = zzb.send_json(Method::POST, "/api/v1/persons", good).await;
        assert_eq!(status, 409);
        assert!(again["message"].as_str().unwrap().contains("已删除"));
        app
    })
    .await;
}

#[tokio::test]
async fn the_web_form_keeps_input_and_the_export_matches_the_list() {
    use calamine::{Reader, Xlsx};
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let res = shuji
            .post_form(
                "/people",
                &[
                    ("name", "李四"),
                    ("kind", "辅警"),
                    ("id_number", "123"),
                    ("org_id", "10"),
                    ("unit", "中山路派出所"),
                    ("political_status", "群众"),
                    ("employment_status", "在职"),
                ],
            )
            .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("身份证号应为 18 位"));
        assert!(html.contains("value=\"中山路派出所\"") && html.contains("value=\"李四\""));
        // Registering into another branch is refused.
        let res = shuji
            .post_form(
                "/people",
                &[
                    ("name", "李四"),
                    ("kind", "辅警"),
                    ("id_number", &valid_id("37020219950505002")),
                    ("org_id", "13"),
                    ("political_status", "群众"),
                    ("employment_status", "在职"),
                ],
            )
            .await;
        // Another branch, outside what the secretary may read: missing, like any id out of scope,
        // the refusal audited; an id that names no organization answers alike.
        assert_eq!(res.status(), 404);
        assert!(res.text().await.unwrap().contains("记录不存在或无权访问"));
        let (_, denied) = app.login("auditor").await.get_json("/api/v1/audit?who=shuji&action=access.denied").await;
        assert_eq!((denied["total"].as_i64(), denied["items"][0]["object"].as_str()), (Some(1), Some("org#13")));
        let person = json!({"name": "李四", "kind": "辅警", "id_number": valid_id("37020219950505002"),
            "org_id": 424242, "political_status": "群众", "employment_status": "在职"});
        let (status, err) = shuji.send_json(Method::POST, "/api/v1/persons", person).await;
        assert_eq!((status, err["code"].as_str()), (404, Some("not_found")), "{err}");
        let parent = json!({"name": "某党小组", "kind": "党小组", "parent_id": 424242});
        let (status, err) = app.login("fenju").await.send_json(Method::POST, "/api/v1/orgs", parent).await;
        assert_eq!((status, err["code"].as_str()), (404, Some("not_found")), "{err}");
        let res = shuji
            .post_form(
                "/people",
                &[
                    ("name", "李四"),
                    ("kind", "辅警"),
                    ("id_number", &valid_id("37020219950505002")),
                    ("org_id", "10"),
                    ("political_status", "群众"),
                    ("employment_status", "在职"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);

        let (_, list) = shuji.get_json("/api/v1/persons?political_status=%E7%BE%A4%E4%BC%97").await;
        let bytes = shuji.get("/people/export.xlsx?political_status=%E7%BE%A4%E4%BC%97").await.bytes().await.unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let sheet = book.worksheet_range("民辅警").unwrap();
        assert_eq!((sheet.rows().count() - 2) as u64, list["total"].as_u64().unwrap());
        assert!(sheet.rows().skip(2).all(|r| r[3].to_string().contains("********")), "ID numbers masked in exports");
        app
    })
    .await;
}

/// The `<option value>`s of the roster page's organization filter.
fn org_options(html: &str) -> Vec<i64> {
    let start = html.find("<select name=\"org\"").unwrap();
    let select = &html[start..start + html[start..].find("</select>").unwrap()];
    select.split("<option value=\"").skip(1).filter_map(|o| o.split('"').next()?.parse().ok()).collect()
}

#[tokio::test]
async fn the_roster_filter_walks_down_the_tree_one_level_at_a_time() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let top = org_options(&zzb.get("/people").await.text().await.unwrap());
        let (_, root) = zzb.get_json("/api/v1/orgs/1").await;
        let children: Vec<i64> =
            root["children"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
        let mut expected = vec![1];
        expected.extend(&children);
        let mut sorted = top.clone();
        sorted.sort_unstable();
        expected.sort_unstable();
        assert_eq!(sorted, expected, "the top of the tree and its children only");
        assert!(!top.contains(&10), "a station branch is two levels down");

        // Choosing the sub-bureau lists the way up to it and the branches under it, selected.
        let html = zzb.get("/people?org=6").await.text().await.unwrap();
        let under_6 = org_options(&html);
        assert!(under_6.contains(&1) && under_6.contains(&6) && under_6.contains(&10) && under_6.contains(&13));
        assert!(!under_6.contains(&11), "groups of branch 10 appear only once 10 is chosen");
        assert!(!under_6.contains(&2), "siblings of the chosen organization are not repeated");
        assert!(html.contains("<option value=\"6\" selected"));

        // A secretary starts at the branch.
        let shuji = app.login("shuji").await;
        let mine = org_options(&shuji.get("/people").await.text().await.unwrap());
        assert_eq!(mine[0], 10);
        assert!(mine.iter().all(|id| [10, 11, 12].contains(id)), "{mine:?}");
        app
    })
    .await;
}

#[tokio::test]
async fn text_search_ignores_latin_case_and_takes_wildcards_literally() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let body = json!({
            "name": "王五", "kind": "辅警", "id_number": valid_id("37020219960606001"), "org_id": 10,
            "unit": "SWAT 突击组", "political_status": "群众", "employment_status": "在职"
        });
        let (status, created) = shuji.send_json(Method::POST, "/api/v1/persons", body).await;
        assert_eq!(status, 201, "{created}");
        let (_, found) = shuji.get_json("/api/v1/persons?q=swat%20%E7%AA%81").await;
        assert_eq!(found["total"], 1, "Latin letters match whatever their case: {found}");
        assert_eq!(found["items"][0]["id"], created["id"]);
        for wildcard in ["%25", "_", "%21", "%25%E7%AA%81"] {
            let (status, none) = shuji.get_json(&format!("/api/v1/persons?q={wildcard}")).await;
            assert_eq!((status, none["total"].as_u64()), (200, Some(0)), "{wildcard} is matched literally");
        }
        app
    })
    .await;
}

/// Surnames are found by their surname reading (曾 zeng, 单 shan, 解 xie, 仇 qiu) and by the
/// reading people typed before; other polyphonic characters by any reading; a rename respells.
#[tokio::test]
async fn pinyin_initials_know_surnames_and_every_reading() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let mut ids = Vec::new();
        for (i, name) in ["曾伟", "单丽", "解明", "仇强", "王长"].iter().enumerate() {
            let body = json!({"name": name, "kind": "辅警", "id_number": valid_id(&format!("3702021990010160{i}")),
                "org_id": 10, "political_status": "群众", "employment_status": "在职"});
            let (status, created) = zzb.send_json(Method::POST, "/api/v1/persons", body).await;
            assert_eq!(status, 201, "{created}");
            ids.push(created["id"].as_i64().unwrap());
        }
        let found = |q: &'static str| {
            let zzb = &zzb;
            async move {
                let (_, list) = zzb.get_json(&format!("/api/v1/persons?org=10&q={q}&page_size=200")).await;
                list["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect::<Vec<_>>()
            }
        };
        for (q, who) in [
            ("zw", 0),
            ("cw", 0),
            ("sl", 1),
            ("dl", 1),
            ("xm", 2),
            ("jm", 2),
            ("qq", 3),
            ("cq", 3),
            ("wc", 4),
            ("wz", 4),
        ] {
            assert!(found(q).await.contains(&ids[who]), "{q} finds #{who}");
        }
        assert!(found("ZW").await.contains(&ids[0]), "either case");
        // A search ending in 9 or z is a range to the next string with carry (MySQL's collation
        // sorts ':' and '{' before digits and letters).
        let (_, roster) = zzb.get_json("/api/v1/persons?org=10&page_size=200").await;
        let nine = roster["items"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|p| p["police_no"].as_str().filter(|n| n.ends_with('9')));
        let nine = nine.expect("a police number ending in 9 in the demo branch").to_owned();
        let (_, hit) = zzb.get_json(&format!("/api/v1/persons?q={nine}")).await;
        assert!(hit["items"].as_array().unwrap().iter().any(|p| p["police_no"] == nine.as_str()), "{nine}: {hit}");
        // A rename: the old spellings go, the new ones come.
        let (_, before) = zzb.get_json(&format!("/api/v1/persons/{}", ids[4])).await;
        assert_eq!(before["name"], "王长");
        let body = json!({"name": "李明", "kind": "辅警", "id_number": valid_id("37020219900101604"),
            "org_id": 10, "political_status": "群众", "employment_status": "在职"});
        let (status, _) = zzb.send_json(Method::PUT, &format!("/api/v1/persons/{}", ids[4]), body).await;
        assert_eq!(status, 200);
        assert!(!found("wz").await.contains(&ids[4]) && found("lm").await.contains(&ids[4]));
        app
    })
    .await;
}

/// 职级 and 警衔 belong to 警务信息 now: the person's form and API no longer take the old free
/// text, and a text the police migration could not place stays readable, unchanged by edits.
#[tokio::test]
async fn the_old_rank_text_is_no_longer_taken_and_what_is_left_of_it_stays_readable() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let form = zzb.get("/people/new").await.text().await.unwrap();
        assert!(form.contains("name=\"position\"") && !form.contains("name=\"rank\""), "{form}");
        let body = json!({
            "name": "赵警官", "kind": "民警", "police_no": "209902", "id_number": valid_id("37020219850101123"),
            "org_id": 10, "political_status": "群众", "employment_status": "在职", "rank": "三级警督"
        });
        let (status, created) = zzb.send_json(Method::POST, "/api/v1/persons", body.clone()).await;
        assert_eq!(status, 201, "{created}");
        let pid = created["id"].as_i64().unwrap();
        let labels = |p: &Value| -> Vec<String> {
            section(p, "work")["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["label"].as_str().unwrap().to_owned())
                .collect()
        };
        let (_, profile) = zzb.get_json(&format!("/api/v1/persons/{pid}")).await;
        assert!(!labels(&profile).iter().any(|l| l.contains("警衔")), "the given rank was not kept: {profile}");
        let (_, police) = zzb.get_json(&format!("/api/v1/persons/{pid}/police")).await;
        assert!(police["police_rank"].is_null(), "nor moved: 警衔 is entered in 警务信息 with its date: {police}");

        // A leftover text from before (the police migration moved only listed values).
        let q = if app.db_backend() == sea_orm::DatabaseBackend::MySql { "`" } else { "\"" };
        app.sql(&format!("UPDATE persons SET {q}rank{q} = '见习警员' WHERE id = {pid}")).await;
        let mut changed = body;
        changed["position"] = json!("社区民警");
        let (status, _) = zzb.send_json(Method::PUT, &format!("/api/v1/persons/{pid}"), changed).await;
        assert_eq!(status, 200);
        let (_, profile) = zzb.get_json(&format!("/api/v1/persons/{pid}")).await;
        let row = section(&profile, "work")["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["label"] == "原登记职级/警衔（请在警务信息中录入）")
            .cloned();
        assert_eq!(row.map(|r| r["value"].clone()), Some(json!("见习警员")), "{profile}");
        let (_, history) = zzb.get_json(&format!("/api/v1/persons/{pid}/history")).await;
        let fields: Vec<&str> =
            history["items"].as_array().unwrap().iter().map(|h| h["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["职务"], "{history}");
        app
    })
    .await;
}

/// Every live person the whole bureau holds: (id, name, unit).
async fn everyone(zzb: &crate::support::Session) -> Vec<(i64, String, String)> {
    let mut all = Vec::new();
    for page in 1.. {
        let (_, list) = zzb.get_json(&format!("/api/v1/persons?page_size=200&page={page}")).await;
        let items = list["items"].as_array().unwrap();
        if items.is_empty() {
            break;
        }
        all.extend(items.iter().map(|p| {
            (
                p["id"].as_i64().unwrap(),
                p["name"].as_str().unwrap().to_owned(),
                p["unit"].as_str().unwrap_or_default().to_owned(),
            )
        }));
    }
    all
}

/// The ids a whole-bureau search returns, every page, and the total it reports.
async fn searched(zzb: &crate::support::Session, q: &str) -> (Vec<i64>, u64) {
    let mut ids = Vec::new();
    let mut total = 0;
    for page in 1.. {
        let (status, list) =
            zzb.get_json(&format!("/api/v1/persons?q={}&page_size=200&page={page}", urlencode(q))).await;
        assert_eq!(status, 200, "{q}: {list}");
        total = list["total"].as_u64().unwrap();
        let items = list["items"].as_array().unwrap();
        if items.is_empty() {
            break;
        }
        ids.extend(items.iter().map(|p| p["id"].as_i64().unwrap()));
    }
    ids.sort_unstable();
    (ids, total)
}

/// The people whose name or unit contains `q`, latin letters in either case: what a search must return.
fn containing(all: &[(i64, String, String)], q: &str) -> Vec<i64> {
    let q = q.to_lowercase();
    let mut ids: Vec<i64> = all
        .iter()
        .filter(|(_, name, unit)| name.to_lowercase().contains(&q) || unit.to_lowercase().contains(&q))
        .map(|(id, _, _)| *id)
        .collect();
    ids.sort_unstable();
    ids
}

/// A name search goes through the search grams' index (`person_grams`), so it must return exactly
/// the people whose name or unit contains the text — a rare full name, a common surname, one
/// character, three characters, part of a unit — and follow a rename, a new unit and an import;
/// initials and ID digits keep their own ways.
#[tokio::test]
async fn name_search_finds_exactly_who_contains_the_text_at_any_selectivity() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let body = |name: &str, id: &str, unit: &str| {
            json!({"name": name, "kind": "辅警", "id_number": valid_id(id), "org_id": 10, "unit": unit,
                "political_status": "群众", "employment_status": "在职"})
        };
        let mut created = Vec::new();
        for (i, (name, unit)) in
            [("欧阳明月", "SWAT 突击组"), ("欧阳克", ""), ("明欧阳", "巡特警"), ("月明", "")].iter().enumerate()
        {
            let (status, p) =
                zzb.send_json(Method::POST, "/api/v1/persons", body(name, &format!("3702021990020270{i}"), unit)).await;
            assert_eq!(status, 201, "{p}");
            created.push(p["id"].as_i64().unwrap());
        }
        let all = everyone(&zzb).await;
        let mut surnames: std::collections::HashMap<char, usize> = std::collections::HashMap::new();
        for (_, name, _) in &all {
            *surnames.entry(name.chars().next().unwrap()).or_default() += 1;
        }
        let common = surnames.iter().max_by_key(|(c, n)| (**n, **c)).map(|(c, _)| c.to_string()).unwrap();
        let full_name = all.iter().find(|(_, n, _)| n.chars().count() == 3).unwrap().1.clone();
        let given = full_name.chars().nth(2).unwrap().to_string();
        let unit_part: String =
            all.iter().find(|(_, _, u)| u.chars().count() >= 4).unwrap().2.chars().skip(1).take(2).collect();
        for q in [
            full_name.as_str(),
            common.as_str(),
            given.as_str(),
            unit_part.as_str(),
            "欧阳",
            "欧阳明",
            "明月",
            "阳明",
            "swat 突",
            "SWAT 突击",
            "突击组",
            "欧月",
            "无此人名",
        ] {
            let expected = containing(&all, q);
            let (ids, total) = searched(&zzb, q).await;
            assert_eq!(ids, expected, "{q}");
            assert_eq!(total, expected.len() as u64, "{q}");
        }
        let many = containing(&all, &common).len();
        assert!(many > 10, "a common surname reaches many: {common} {many}");
        assert_eq!(searched(&zzb, "欧阳").await.0, vec![created[0], created[1], created[2]]);
        assert!(searched(&zzb, "欧月").await.0.is_empty(), "both characters, but not next to each other");
        // Initials and ID digits are not name text.
        assert!(searched(&zzb, "oymy").await.0.contains(&created[0]));
        let (_, rows) = zzb.get_json(&format!("/api/v1/persons?q={}", urlencode("月明"))).await;
        let row = rows["items"].as_array().unwrap().iter().find(|p| p["id"] == created[3]).unwrap();
        let masked = row["id_number_masked"].as_str().unwrap();
        assert!(searched(&zzb, &masked[masked.len() - 4..]).await.0.contains(&created[3]));

        // A rename and a new unit: the old text no longer finds the person, the new one does.
        let (status, _) = zzb
            .send_json(
                Method::PUT,
                &format!("/api/v1/persons/{}", created[0]),
                body("司马明月", "37020219900202700", "治安大队"),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(searched(&zzb, "欧阳").await.0, vec![created[1], created[2]]);
        assert!(searched(&zzb, "司马").await.0.contains(&created[0]));
        assert!(searched(&zzb, "马明月").await.0.contains(&created[0]));
        assert!(!searched(&zzb, "swat 突").await.0.contains(&created[0]));
        assert!(searched(&zzb, "治安大").await.0.contains(&created[0]));

        // An import: the new people are found by any part of their names at once.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["姓名", "身份证号码", "人员类别", "政治面貌", "所在单位"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        for (r, (name, id)) in [("诸葛明亮", "37020219900303800"), ("诸葛青", "37020219900303801")].iter().enumerate()
        {
            let r = (r + 1) as u32;
            for (c, v) in [*name, &valid_id(id), "辅警", "群众", "中山路派出所"].iter().enumerate() {
                sheet.write_string(r, c as u16, *v).unwrap();
            }
        }
        let res = zzb
            .client
            .post(zzb.url("/api/v1/imports/people?filename=grams.xlsx"))
            .header("x-csrf-token", &zzb.csrf)
            .header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .body(book.save_to_buffer().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let all = everyone(&zzb).await;
        for q in ["诸葛", "葛明亮", "青", "明"] {
            let (ids, total) = searched(&zzb, q).await;
            assert_eq!(ids, containing(&all, q), "{q}");
            assert_eq!(total, ids.len() as u64);
        }
        assert_eq!(searched(&zzb, "诸葛").await.0.len(), 2);
        app
    })
    .await;
}
