//! 警务信息 (issue 10, item 4): 职务, 职级, 警衔 with its date, 警种, 编制, 辅警 contracts, awards
//! and appraisals — kept by whoever may change the person, checked against the lists and the
//! person's kind, in the profile, the API, the roster's import and export, and the home page's
//! contract reminder; and the refusals: out of scope 404 with an `access.denied` row, wrong role
//! 403, bad input a Chinese message naming the field or the row and column.

use reqwest::Method;
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};

use crate::support::{Session, on_all_backends, valid_id};

/// The first person of `kind` in organization `org`.
async fn someone(s: &Session, org: i64, kind: &str) -> i64 {
    let (_, list) = s.get_json(&format!("/api/v1/persons?org={org}&kind={kind}&page_size=5")).await;
    list["items"][0]["id"].as_i64().unwrap_or_else(|| panic!("a {kind} in org {org}: {list}"))
}

fn fields(err: &Value) -> Vec<String> {
    match err["errors"].as_array() {
        Some(list) => list.iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect(),
        None => vec![err["field"].as_str().unwrap_or_default().to_owned()],
    }
}

async fn audit_total(auditor: &Session, query: &str) -> u64 {
    auditor.get_json(&format!("/api/v1/audit?{query}&page_size=50")).await.1["total"].as_u64().unwrap()
}

#[tokio::test]
async fn a_secretary_keeps_the_police_fields_of_an_officer_and_an_auxiliary() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let officer = someone(&shuji, 10, "民警").await;
        let aux = someone(&shuji, 10, "辅警").await;

        // The demo gives every 民警 a 警衔 from the 13 grades and a 职级 from the list.
        let (status, before) = shuji.get_json(&format!("/api/v1/persons/{officer}/police")).await;
        assert_eq!(status, 200, "{before}");
        assert_eq!(before["kind"], "民警");
        let rank = before["police_rank"].as_str().unwrap();
        assert!(dangjian::police::RANKS.contains(&rank), "{before}");
        assert!(dangjian::police::GRADES.contains(&before["grade"].as_str().unwrap()), "{before}");

        let path = format!("/api/v1/persons/{officer}/police");
        let good = json!({"leader_post": "副所长", "grade": "二级警长", "police_rank": "一级警督",
            "rank_on": "2024-10-01", "police_type": "刑事侦查", "establishment": "政法专项编制"});
        let (status, saved) = shuji.send_json(Method::PUT, &path, good.clone()).await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!((saved["police_rank"].as_str(), saved["rank_on"].as_str()), (Some("一级警督"), Some("2024-10-01")));
        assert_eq!(saved["warnings"], json!([]));

        // A 警衔 not in the list, a date in the future, a contract on a 民警: each field named, nothing saved.
        let bad = json!({"police_rank": "一级警长", "rank_on": "2030-01-01", "contract_end": "2027-01-01"});
        let (status, err) = shuji.send_json(Method::PUT, &path, bad).await;
        assert_eq!(status, 422, "{err}");
        assert_eq!(fields(&err), ["police_rank", "rank_on", "contract_end"]);
        assert!(err["errors"][0]["message"].as_str().unwrap().contains("二级警员"), "names the choices: {err}");
        assert_eq!(shuji.get_json(&path).await.1["police_rank"], "一级警督");

        // A 辅警 is not a 人民警察: no 警衔; a contract cannot end before it starts.
        let aux_path = format!("/api/v1/persons/{aux}/police");
        let (status, err) = shuji
            .send_json(
                Method::PUT,
                &aux_path,
                json!({"police_rank": "二级警员", "aux_kind": "勤务辅警", "contract_start": "2025-03-01",
                    "contract_end": "2025-02-01"}),
            )
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&err), ["police_rank", "contract_end"]);
        assert!(err["errors"][0]["message"].as_str().unwrap().contains("辅警不是人民警察"), "{err}");
        // Missing contract dates are a warning, not a refusal.
        let (status, saved) = shuji
            .send_json(Method::PUT, &aux_path, json!({"aux_kind": "文职辅警", "employer_kind": "公安机关"}))
            .await;
        assert_eq!(status, 200, "{saved}");
        assert_eq!(saved["warnings"], json!(["尚未登记劳动合同起止日期"]));

        // The profile shows the section.
        let (_, profile) = shuji.get_json(&format!("/api/v1/persons/{officer}")).await;
        let section = profile["sections"].as_array().unwrap().iter().find(|s| s["id"] == "police").unwrap();
        assert_eq!(section["sensitive"], false);
        let rank_row = section["rows"].as_array().unwrap().iter().find(|r| r["label"] == "警衔").unwrap();
        assert_eq!(rank_row["value"], "一级警督（2024-10-01 授衔/晋衔）");

        // Awards: added, listed, changed, removed; a 荣誉称号 needs its name.
        let awards = format!("/api/v1/persons/{officer}/awards");
        let (_, listed) = shuji.get_json(&awards).await;
        let had = listed["total"].as_u64().unwrap();
        let award = json!({"kind": "三等功", "awarded_on": "2026-01-15", "granted_by": "海滨市公安局", "doc_no": "海公政〔2026〕7号"});
        let (status, created) = shuji.send_json(Method::POST, &awards, award).await;
        assert_eq!(status, 201, "{created}");
        let award_id = created["id"].as_i64().unwrap();
        let (status, err) = shuji
            .send_json(Method::POST, &awards, json!({"kind": "荣誉称号", "awarded_on": "2026-01-15", "granted_by": ""}))
            .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&err), ["title", "granted_by"]);
        let (_, listed) = shuji.get_json(&awards).await;
        assert_eq!(listed["total"].as_u64().unwrap(), had + 1);
        let change = json!({"kind": "二等功", "awarded_on": "2026-01-15", "granted_by": "省公安厅"});
        let (status, changed) = shuji.send_json(Method::PUT, &format!("/api/v1/awards/{award_id}"), change).await;
        assert_eq!((status, changed["kind"].as_str()), (200, Some("二等功")));
        let (status, _) = shuji.send_json(Method::DELETE, &format!("/api/v1/awards/{award_id}"), json!({})).await;
        assert_eq!(status, 204);

        // Appraisals: one grade per year; the grades follow the kind of person.
        let appraisals = format!("/api/v1/persons/{officer}/appraisals");
        let (status, created) =
            shuji.send_json(Method::POST, &appraisals, json!({"year": "2026", "grade": "优秀"})).await;
        assert_eq!(status, 201, "{created}");
        let (status, err) = shuji.send_json(Method::POST, &appraisals, json!({"year": "2026", "grade": "称职"})).await;
        assert_eq!((status, fields(&err)), (422, vec!["year".to_owned()]));
        assert!(err["message"].as_str().unwrap().contains("2026 年已有考核结果"), "{err}");
        let aux_appraisals = format!("/api/v1/persons/{aux}/appraisals");
        let (status, err) =
            shuji.send_json(Method::POST, &aux_appraisals, json!({"year": "2026", "grade": "称职"})).await;
        assert_eq!(status, 422);
        assert!(err["errors"][0]["message"].as_str().unwrap().contains("合格"), "the 辅警 grades: {err}");
        // 基本合格 has no source for 辅警 (research/domain.md §6.3 knows 合格 and 不合格 only).
        let (status, err) =
            shuji.send_json(Method::POST, &aux_appraisals, json!({"year": "2026", "grade": "基本合格"})).await;
        assert_eq!((status, fields(&err)), (422, vec!["grade".to_owned()]), "{err}");
        assert!(err["errors"][0]["message"].as_str().unwrap().contains("优秀、合格、不合格"), "{err}");
        let (status, _) = shuji.send_json(Method::POST, &aux_appraisals, json!({"year": "2026", "grade": "合格"})).await;
        assert_eq!(status, 201);
        let (_, years) = shuji.get_json(&appraisals).await;
        assert_eq!(years["items"][0]["year"], 2026, "latest first: {years}");

        // Every change is in the log, with what changed.
        let auditor = app.login("auditor").await;
        for action in ["police.update", "police.award_add", "police.award_update", "police.award_delete", "police.appraisal_add"] {
            assert!(audit_total(&auditor, &format!("who=shuji&action={action}")).await >= 1, "{action}");
        }
        let (_, log) = auditor.get_json("/api/v1/audit?who=shuji&action=police.update&page_size=5").await;
        assert!(log.to_string().contains("警衔"), "{log}");
        app
    })
    .await;
}

#[tokio::test]
async fn police_fields_are_refused_out_of_scope_and_to_roles_that_may_not_change_them() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let other = someone(&zzb, 13, "民警").await;
        let own = someone(&zzb, 10, "民警").await;
        let shuji = app.login("shuji").await;
        let body = json!({"police_rank": "一级警司"});
        let award = json!({"kind": "嘉奖", "awarded_on": "2026-01-15", "granted_by": "海滨市公安局"});

        // Another branch's person: 404 on every route, in the API and in HTML, each refusal audited.
        for path in ["police", "awards", "appraisals"] {
            assert_eq!(shuji.get_json(&format!("/api/v1/persons/{other}/{path}")).await.0, 404, "{path}");
        }
        assert_eq!(shuji.send_json(Method::PUT, &format!("/api/v1/persons/{other}/police"), body.clone()).await.0, 404);
        assert_eq!(
            shuji.send_json(Method::POST, &format!("/api/v1/persons/{other}/awards"), award.clone()).await.0,
            404
        );
        assert_eq!(shuji.get(&format!("/people/{other}/police")).await.status(), 404);
        let res = shuji.post_form(&format!("/people/{other}/police"), &[("police_rank", "一级警司")]).await;
        assert_eq!(res.status(), 404);
        // An award of another branch's person, by its own id.
        let (_, theirs) = zzb.send_json(Method::POST, &format!("/api/v1/persons/{other}/awards"), award.clone()).await;
        let their_award = theirs["id"].as_i64().unwrap();
        assert_eq!(shuji.send_json(Method::DELETE, &format!("/api/v1/awards/{their_award}"), json!({})).await.0, 404);
        let auditor = app.login("auditor").await;
        let (_, denied) = auditor.get_json("/api/v1/audit?who=shuji&action=access.denied&page_size=50").await;
        let rows = denied["items"].as_array().unwrap();
        assert!(rows.len() >= 7, "{denied}");
        assert!(rows.iter().all(|r| r["org_path"].as_str().unwrap().starts_with("/1/")), "{denied}");

        // The leader reads the sub-bureau's people but changes nobody: 403 naming the permission.
        let lingdao = app.login("lingdao").await;
        assert_eq!(lingdao.get_json(&format!("/api/v1/persons/{own}/police")).await.0, 200);
        let (status, err) =
            lingdao.send_json(Method::PUT, &format!("/api/v1/persons/{own}/police"), body.clone()).await;
        assert_eq!(status, 403);
        assert!(err["message"].as_str().unwrap().contains("人员"), "{err}");
        assert_eq!(lingdao.send_json(Method::POST, &format!("/api/v1/persons/{own}/awards"), award).await.0, 403);
        // The security auditor sees no personnel data at all.
        assert_eq!(auditor.get_json(&format!("/api/v1/persons/{own}/police")).await.0, 403);
        // Nothing changed.
        assert_ne!(zzb.get_json(&format!("/api/v1/persons/{own}/police")).await.1["police_rank"], "一级警司");
        app
    })
    .await;
}

#[tokio::test]
async fn the_web_form_names_the_field_and_keeps_what_was_typed() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let aux = someone(&shuji, 10, "辅警").await;
        let page = shuji.get(&format!("/people/{aux}/police")).await.text().await.unwrap();
        assert!(page.contains("修改警务信息") && page.contains("登记奖励") && page.contains("登记考核"), "{page}");
        let res = shuji
            .post_form(
                &format!("/people/{aux}/police"),
                &[("aux_kind", "勤务辅警"), ("contract_start", "2026-03-01"), ("contract_end", "2026-01-31")],
            )
            .await;
        assert_eq!(res.status(), 422);
        let html = res.text().await.unwrap();
        assert!(html.contains("合同结束 2026-01-31 早于合同开始 2026-03-01"), "{html}");
        assert!(html.contains("value=\"2026-01-31\""), "keeps what was typed");
        let res = shuji.post_form(&format!("/people/{aux}/appraisals"), &[("year", "2025"), ("grade", "优秀")]).await;
        // The demo has 2025 already.
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap().contains("2025 年已有考核结果"));
        app
    })
    .await;
}

#[tokio::test]
async fn the_home_page_reminds_of_auxiliary_contracts_ending_within_sixty_days() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        // A 辅警 other than the demo's example of an ended contract.
        let (_, list) = shuji.get_json("/api/v1/persons?org=10&kind=辅警&page_size=50").await;
        let mut aux = 0;
        for p in list["items"].as_array().unwrap() {
            let id = p["id"].as_i64().unwrap();
            if shuji.get_json(&format!("/api/v1/persons/{id}/police")).await.1["contract_end"] != "2026-11-17" {
                aux = id;
                break;
            }
        }
        let (_, who) = shuji.get_json(&format!("/api/v1/persons/{aux}")).await;
        let name = who["name"].as_str().unwrap().to_owned();
        // Ends in 30 days (the clock is at 2026-11-27): on the list. In 90 days: not yet.
        let put = |end: &'static str| {
            json!({"aux_kind": "勤务辅警", "employer_kind": "公安机关", "contract_start": "2024-01-01", "contract_end": end})
        };
        let path = format!("/api/v1/persons/{aux}/police");
        assert_eq!(shuji.send_json(Method::PUT, &path, put("2027-02-25")).await.0, 200);
        let home = shuji.get("/").await.text().await.unwrap();
        assert!(!home.contains(&format!("辅警{name}的劳动合同将于")), "90 days out is not due yet");
        assert_eq!(shuji.send_json(Method::PUT, &path, put("2026-12-27")).await.0, 200);
        let home = shuji.get("/").await.text().await.unwrap();
        assert!(home.contains(&format!("辅警{name}的劳动合同将于 2026-12-27 到期")), "{home}");
        assert!(home.contains(&format!("/people/{aux}/police")));
        // The demo has one contract in this branch that ended ten days ago: urgent.
        assert!(home.contains("的劳动合同已于 2026-11-17 到期，尚未登记续签"), "{home}");

        // The leader changes nobody and is not reminded; the whole bureau sees counts per unit.
        let lingdao = app.login("lingdao").await;
        assert!(!lingdao.get("/").await.text().await.unwrap().contains("劳动合同"));
        // More than ten across the bureau: counted per unit.
        let zzb = app.login("zzb").await;
        let (_, others) = zzb.get_json("/api/v1/persons?org=13&kind=辅警&page_size=11").await;
        for p in others["items"].as_array().unwrap() {
            let id = p["id"].as_i64().unwrap();
            let (status, _) = zzb.send_json(Method::PUT, &format!("/api/v1/persons/{id}/police"), put("2026-12-20")).await;
            assert_eq!(status, 200);
        }
        let bureau = zzb.get("/").await.text().await.unwrap();
        assert!(bureau.contains("名辅警的劳动合同在 60 天内到期或已到期"), "{bureau}");
        assert!(!bureau.contains(&format!("辅警{name}的劳动合同")), "no single items at the bureau's scope");
        app
    })
    .await;
}

fn roster(rows: &[[&str; 9]]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let headers = ["姓名", "身份证号", "人员类别", "所在党组织", "政治面貌", "警号", "警衔", "合同开始", "合同结束"];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

async fn import(s: &Session, bytes: Vec<u8>) -> (u16, Value) {
    let res = s
        .client
        .post(s.url("/api/v1/imports/people"))
        .header("x-csrf-token", &s.csrf)
        .header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_roster_import_takes_the_police_columns_all_or_nothing_and_the_export_gives_them() {
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let (_, branch) = zzb.get_json("/api/v1/orgs/10").await;
        let org = branch["org"]["name"].as_str().unwrap().to_owned();
        let (officer, aux) = (valid_id("33020319900101771"), valid_id("33020319950202772"));
        let bad = [
            ["周警官", officer.as_str(), "民警", org.as_str(), "群众", "778801", "一级警长", "", ""],
            ["吴辅警", aux.as_str(), "辅警", org.as_str(), "群众", "", "", "2026-03-01", "2025-03-01"],
        ];
        let (status, report) = import(&zzb, roster(&bad)).await;
        assert_eq!((status, report["committed"].as_bool()), (422, Some(false)), "{report}");
        let errors: Vec<String> = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| {
                let row = r["row"].as_u64().unwrap();
                r["errors"].as_array().unwrap().iter().map(move |e| format!("{row}:{}:{}", e["column"], e["reason"]))
            })
            .collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].starts_with("2:\"警衔\":\"警衔“一级警长”无效"), "{errors:?}");
        assert!(errors[1].starts_with("3:\"合同结束\":\"合同结束 2025-03-01 早于合同开始 2026-03-01"), "{errors:?}");
        let (_, found) = zzb.get_json("/api/v1/persons?q=778801").await;
        assert_eq!(found["total"], 0, "nothing half-imported");

        let good = [
            ["周警官", officer.as_str(), "民警", org.as_str(), "群众", "778801", "一级警司", "", ""],
            ["吴辅警", aux.as_str(), "辅警", org.as_str(), "群众", "", "", "2026.3.1", "2029/2/28"],
        ];
        let (status, report) = import(&zzb, roster(&good)).await;
        assert_eq!((status, report["created"].as_u64()), (201, Some(2)), "{report}");
        let (_, found) = zzb.get_json("/api/v1/persons?q=778801").await;
        let officer_id = found["items"][0]["id"].as_i64().unwrap();
        assert_eq!(zzb.get_json(&format!("/api/v1/persons/{officer_id}/police")).await.1["police_rank"], "一级警司");

        // A second file changes only the 警衔 of an existing person: an update naming it.
        let again = [["周警官", officer.as_str(), "民警", org.as_str(), "群众", "778801", "三级警督", "", ""]];
        let (status, report) = import(&zzb, roster(&again)).await;
        assert_eq!(status, 201, "{report}");
        assert_eq!(report["rows"][0]["action"], "更新");
        assert_eq!(report["rows"][0]["changes"], json!(["警衔"]));

        // The export has the police columns.
        let res = zzb.get("/people/export.xlsx?q=778801").await;
        assert_eq!(res.status(), 200);
        let bytes = res.bytes().await.unwrap();
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        let text: Vec<String> = range.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
        assert!(text.iter().any(|c| c == "警衔") && text.iter().any(|c| c == "合同结束"), "{text:?}");
        assert!(text.iter().any(|c| c == "三级警督"), "{text:?}");
        app
    })
    .await;
}

#[tokio::test]
async fn the_police_list_filters_by_rank_type_and_kind_within_scope() {
    on_all_backends(|app| async move {
        let shuji = app.login("shuji").await;
        let zzb = app.login("zzb").await;
        let (_, branch) = shuji.get_json("/api/v1/police?police_rank=一级警司&page_size=200").await;
        let (_, bureau) = zzb.get_json("/api/v1/police?police_rank=一级警司&page_size=200").await;
        let items = branch["items"].as_array().unwrap();
        assert!(!items.is_empty(), "the demo has 一级警司 in branch 10: {branch}");
        assert!(items.iter().all(|r| r["police_rank"] == "一级警司" && r["kind"] == "民警"), "{branch}");
        assert!(bureau["total"].as_u64().unwrap() > branch["total"].as_u64().unwrap(), "the bureau sees more");
        // Only the branch's people: each of them opens for the secretary.
        for r in items.iter().take(3) {
            let id = r["person_id"].as_i64().unwrap();
            assert_eq!(shuji.get_json(&format!("/api/v1/persons/{id}/police")).await.0, 200);
        }
        let (_, clerks) = shuji.get_json("/api/v1/police?aux_kind=文职辅警&page_size=200").await;
        assert!(clerks["items"].as_array().unwrap().iter().all(|r| r["aux_kind"] == "文职辅警" && r["kind"] == "辅警"));
        let (_, due) = shuji.get_json("/api/v1/police?contract_due=1&page_size=200").await;
        let ends: Vec<&str> =
            due["items"].as_array().unwrap().iter().map(|r| r["contract_end"].as_str().unwrap()).collect();
        assert!(ends.contains(&"2026-11-17"), "the ended contract: {ends:?}");
        assert!(ends.iter().all(|e| *e <= "2027-01-26"), "within 60 days of 2026-11-27: {ends:?}");

        // The page and its export, which is audited.
        let html = shuji.get("/police?police_type=治安管理").await.text().await.unwrap();
        assert!(html.contains("警务信息查询") && html.contains("治安管理"), "{html}");
        assert_eq!(shuji.get("/police/export.xlsx?police_rank=一级警司").await.status(), 200);
        let auditor = app.login("auditor").await;
        assert_eq!(audit_total(&auditor, "who=shuji&action=police.export").await, 1);
        // Roles without the roster: refused.
        assert_eq!(auditor.get_json("/api/v1/police").await.0, 403);
        assert_eq!(app.login("dangyuan").await.get_json("/api/v1/police").await.0, 403);
        app
    })
    .await;
}

#[tokio::test]
async fn the_migration_moves_listed_ranks_and_posts_off_the_roster_and_keeps_the_rest() {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    use sea_orm_migration::MigratorTrait;
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        let officer = someone(&zzb, 10, "民警").await;
        let (_, list) = zzb.get_json("/api/v1/persons?org=10&kind=民警&page_size=5").await;
        let second = list["items"][1]["id"].as_i64().unwrap();
        let aux = someone(&zzb, 10, "辅警").await;
        // Back to the roster as it was before the police fields had their own tables.
        // Undo the police migration and those after it (their tables come back empty on `up`).
        let after = dangjian::db::migration::Migrator::migrations()
            .iter()
            .filter(|m| m.name() >= "m20261203_000017_police")
            .count();
        dangjian::db::migration::Migrator::down(&app.state.db, Some(u32::try_from(after).unwrap())).await.unwrap();
        let q = if app.db_backend() == DatabaseBackend::MySql { "`" } else { "\"" };
        app.sql(&format!("UPDATE persons SET position = '所长', {q}rank{q} = '一级警督' WHERE id = {officer}")).await;
        app.sql(&format!("UPDATE persons SET position = '社区民警', {q}rank{q} = '三级警长' WHERE id = {second}"))
            .await;
        app.sql(&format!("UPDATE persons SET position = '辅警', {q}rank{q} = '一级警督' WHERE id = {aux}")).await;
        dangjian::db::migration::Migrator::up(&app.state.db, None).await.unwrap();

        let police = |id: i64| {
            let zzb = &zzb;
            async move { zzb.get_json(&format!("/api/v1/persons/{id}/police")).await.1 }
        };
        let moved = police(officer).await;
        assert_eq!((moved["leader_post"].as_str(), moved["police_rank"].as_str()), (Some("所长"), Some("一级警督")));
        let graded = police(second).await;
        assert_eq!((graded["leader_post"].as_str(), graded["grade"].as_str()), (None, Some("三级警长")));
        // A 辅警 cannot hold a 警衔: nothing moved, the text stays on the roster for someone to sort out.
        assert_eq!(police(aux).await["police_rank"], Value::Null);
        let rank_of = |id: i64| format!("SELECT {q}rank{q} AS r, position AS p FROM persons WHERE id = {id}");
        let backend = app.db_backend();
        let read = |sql: String| {
            let db = app.state.db.clone();
            async move {
                let row = db.query_one_raw(Statement::from_string(backend, sql)).await.unwrap().unwrap();
                (row.try_get::<Option<String>>("", "r").unwrap(), row.try_get::<Option<String>>("", "p").unwrap())
            }
        };
        assert_eq!(
            read(rank_of(officer)).await,
            (None, Some("所长".to_owned())),
            "the rank moved, the post's text stays"
        );
        assert_eq!(read(rank_of(aux)).await, (Some("一级警督".to_owned()), Some("辅警".to_owned())));
        app
    })
    .await;
}
