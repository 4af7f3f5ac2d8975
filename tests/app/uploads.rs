//! Hostile uploads (issue 安全加固 item 1): every spreadsheet is bounded before it is unpacked
//! into memory, through the web page and the API alike, and the server keeps answering.
use serde_json::Value;

use crate::support::xlsx::{header_row, sheet_xml, text_cell, workbook};
use crate::support::{Session, TestApp, backends};

async fn api_upload(s: &Session, bytes: Vec<u8>) -> (u16, Value) {
    let res = s
        .client
        .post(s.url("/api/v1/imports/people?dry_run=true"))
        .header("x-csrf-token", &s.csrf)
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn web_upload(s: &Session, bytes: Vec<u8>) -> (u16, String) {
    let form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name("名册.xlsx"));
    let res = s.client.post(s.url(&format!("/people/import?_csrf={}", s.csrf))).multipart(form).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// The server still answers other users after an attack.
async fn still_up(app: &TestApp) {
    let other = app.login("zzb").await;
    let (status, list) = other.get_json("/api/v1/persons?page_size=1").await;
    assert_eq!(status, 200, "other users keep working");
    assert!(list["total"].as_u64().unwrap() > 0);
}

fn refused_as_too_large(status: u16, body: &Value, words: &str) {
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["code"], "too_large", "{body}");
    assert_eq!(body["field"], "file", "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(words), "message names the limit: {message}");
}

async fn for_each_backend<F, Fut>(configure: fn(&mut dangjian::config::Config), scenario: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = TestApp>,
{
    for backend in backends() {
        let app = TestApp::spawn_with(backend, configure).await;
        scenario(app).await.finish().await;
    }
}

#[tokio::test]
async fn a_sheet_that_declares_or_holds_a_cell_at_xfd1048576_is_refused_before_reading() {
    for_each_backend(
        |_| {},
        |app| async move {
            let shuji = app.login("shuji").await;
            // One cell far away, with the dimension declared honestly: 1.6 KB on disk.
            let far = sheet_xml(Some("A1:XFD1048576"), &[header_row(), (1_048_576, text_cell("XFD1048576", "x"))]);
            let bomb = workbook(&far, 0);
            assert!(bomb.len() < 4_000, "a tiny file: {} bytes", bomb.len());
            let (status, body) = api_upload(&shuji, bomb.clone()).await;
            refused_as_too_large(status, &body, "XFD1048576");
            let (status, page) = web_upload(&shuji, bomb).await;
            assert_eq!(status, 413);
            assert!(page.contains("超过上限") && page.contains("XFD1048576"), "the page says why");

            // The same cell with no dimension declared is caught when it is reached.
            let silent = workbook(&sheet_xml(None, &[header_row(), (1_048_576, text_cell("XFD1048576", "x"))]), 0);
            let (status, body) = api_upload(&shuji, silent).await;
            refused_as_too_large(status, &body, "有内容的单元格");
            // A declared dimension alone, beyond the columns.
            let wide = workbook(&sheet_xml(Some("A1:ZZ3"), &[header_row()]), 0);
            let (status, body) = api_upload(&shuji, wide).await;
            refused_as_too_large(status, &body, "列");
            still_up(&app).await;
            app
        },
    )
    .await;
}

#[tokio::test]
async fn a_decompression_bomb_is_refused_while_it_is_counted() {
    fn small_unpacked(c: &mut dangjian::config::Config) {
        c.uploads.max_unpacked_bytes = 2 * 1024 * 1024;
    }
    for_each_backend(small_unpacked, |app| async move {
        let shuji = app.login("shuji").await;
        // 8 MB of whitespace inside the sheet part: a few kilobytes compressed.
        let bomb = workbook(&sheet_xml(None, &[header_row()]), 8 * 1024 * 1024);
        assert!(bomb.len() < 64 * 1024, "compressed to {} bytes", bomb.len());
        let (status, body) = api_upload(&shuji, bomb.clone()).await;
        refused_as_too_large(status, &body, "解压后超过上限");
        let (status, page) = web_upload(&shuji, bomb).await;
        assert_eq!(status, 413);
        assert!(page.contains("解压后超过上限"));
        still_up(&app).await;
        app
    })
    .await;
}

#[tokio::test]
async fn rows_beyond_the_limit_and_files_beyond_the_size_are_refused() {
    fn small(c: &mut dangjian::config::Config) {
        c.uploads.max_rows = 20;
        c.uploads.max_file_bytes = 64 * 1024;
    }
    for_each_backend(small, |app| async move {
        let shuji = app.login("shuji").await;
        let mut rows = vec![header_row()];
        for r in 2..=30u32 {
            rows.push((r, format!("{}{}", text_cell(&format!("A{r}"), "张三"), text_cell(&format!("B{r}"), "1"))));
        }
        let (status, body) = api_upload(&shuji, workbook(&sheet_xml(None, &rows), 0)).await;
        refused_as_too_large(status, &body, "20 行");
        assert!(body["message"].as_str().unwrap().contains("第 21 行"), "{body}");

        // 100 KB of random-looking bytes: refused by size before anything is read.
        let big: Vec<u8> = (0..100 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let (status, body) = api_upload(&shuji, big.clone()).await;
        refused_as_too_large(status, &body, "上限");
        let (status, page) = web_upload(&shuji, big).await;
        assert_eq!(status, 413);
        assert!(page.contains("超过上限"));
        still_up(&app).await;
        app
    })
    .await;
}

#[tokio::test]
async fn imports_run_one_at_a_time_and_old_xls_files_get_a_clear_answer() {
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let shuji = app.login("shuji").await;
        let file = workbook(&sheet_xml(None, &[header_row()]), 0);
        {
            // Another import holds the instance's one permit.
            let _running = app.state.imports.clone().try_acquire_owned().unwrap();
            let (status, body) = api_upload(&shuji, file.clone()).await;
            assert_eq!(status, 503, "{body}");
            assert_eq!(body["code"], "busy");
            assert!(body["message"].as_str().unwrap().contains("另一项导入正在进行"));
            let (status, page) = web_upload(&shuji, file.clone()).await;
            assert_eq!(status, 503);
            assert!(page.contains("另一项导入正在进行"));
        }
        // Free again: the header-only file reaches the importer, which finds no data rows.
        let (status, body) = api_upload(&shuji, file).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("file")), "{body}");
        assert!(body["message"].as_str().unwrap().contains("没有数据行"));

        // An Excel 97-2003 file starts with the compound-document signature.
        let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        xls.resize(4096, 0);
        let (status, body) = api_upload(&shuji, xls).await;
        assert_eq!(status, 422, "{body}");
        assert!(body["message"].as_str().unwrap().contains("另存为"), "{body}");
        still_up(&app).await;
        app.finish().await;
    }
}

/// A real roster as a writer makes it, for mutating.
fn real_roster() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "中山路派出所花名册").unwrap();
    for (c, h) in ["姓名", "身份证号", "人员类别", "所在党组织", "政治面貌", "入党时间", "警号"].iter().enumerate()
    {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    for r in 2..30u32 {
        sheet.write_string(r, 0, format!("李{r}")).unwrap();
        sheet.write_string(r, 1, format!("3302031990010{:05}", r * 7)).unwrap();
        sheet.write_string(r, 2, if r % 2 == 0 { "民警" } else { "辅警" }).unwrap();
        sheet.write_string(r, 3, "中山路派出所党支部").unwrap();
        sheet.write_number(r, 5, 40_000.0 + f64::from(r)).unwrap();
        sheet.write_number(r, 6, 100_000.0 + f64::from(r)).unwrap();
    }
    book.save_to_buffer().unwrap()
}

/// The importer itself under mutated files (the quick form of the fuzzing in tests/fuzz): every
/// answer is a report or a Chinese 4xx, never a 5xx, and nothing is written by a dry run.
#[tokio::test]
async fn mutated_rosters_get_a_report_or_a_chinese_refusal() {
    use rand::{Rng, SeedableRng};
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let shuji = app.login("shuji").await;
        let (_, before) = shuji.get_json("/api/v1/persons?page_size=1").await;
        let base = real_roster();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for case in 0..40 {
            let mut bytes = base.clone();
            for _ in 0..rng.gen_range(1..12) {
                let i = rng.gen_range(0..bytes.len());
                bytes[i] = rng.r#gen();
            }
            if case % 5 == 0 {
                bytes.truncate(rng.gen_range(0..bytes.len()));
            }
            let (status, body) = api_upload(&shuji, bytes).await;
            assert!((200..500).contains(&status), "case {case}: {status} {body}");
            if status != 200 {
                let message = body["message"].as_str().unwrap_or_default();
                assert!(message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "case {case}: {body}");
            }
        }
        let (_, after) = shuji.get_json("/api/v1/persons?page_size=1").await;
        assert_eq!(before["total"], after["total"], "dry runs write nothing");
        still_up(&app).await;
        app.finish().await;
    }
}

/// An import that names an ID number registered outside the uploader's reach is told so (the row
/// is refused), and because that confirms the number exists, the file is audited as a refused
/// access with the numbers masked.
#[tokio::test]
async fn ids_outside_the_uploaders_reach_are_refused_and_audited() {
    use crate::support::on_all_backends;
    on_all_backends(|app| async move {
        let zzb = app.login("zzb").await;
        // Someone outside the secretary's branch, with the full number (zzb holds the permission).
        let (_, list) = zzb.get_json("/api/v1/persons?org=13&page_size=1").await;
        let other = list["items"][0]["id"].as_i64().unwrap();
        let id = zzb.full_id(other).await;
        let shuji = app.login("shuji").await;
        let sheet =
            sheet_xml(None, &[header_row(), (2, format!("{}{}", text_cell("A2", "试探"), text_cell("B2", &id)))]);
        let (status, report) = api_upload(&shuji, workbook(&sheet, 0)).await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["rejected"], 1);
        let auditor = app.login("auditor").await;
        let (_, log) = auditor.get_json("/api/v1/audit?who=shuji&action=access.denied&page_size=50").await;
        let rows = log["items"].as_array().unwrap();
        let hit = rows.iter().find(|r| r["summary"].to_string().contains("import_out_of_scope_ids"));
        let hit = hit.unwrap_or_else(|| panic!("no audit row of the probe: {log}"));
        let summary = hit["summary"].to_string();
        assert!(summary.contains(&id[14..]) && !summary.contains(&id), "masked: {summary}");
        app
    })
    .await;
}

#[tokio::test]
async fn a_file_of_several_pieces_is_read_back_whole_and_removed_with_its_owner() {
    use dangjian::io::parts::{self, Owner, PART_BYTES};
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        // Bytes that no piece boundary can hide: each position tells where it came from.
        let file: Vec<u8> = (0..PART_BYTES * 2 + 12_345).map(|i| (i % 251) as u8).collect();
        parts::store(&app.state.db, Owner::Export, 7, &file).await.unwrap();
        parts::store(&app.state.db, Owner::Upload, 7, b"another owner's file").await.unwrap();
        let back = parts::read(&app.state.db, Owner::Export, 7).await.unwrap();
        assert_eq!(back.len(), file.len(), "three pieces, none lost");
        assert!(back == file, "in order");
        assert_eq!(parts::read(&app.state.db, Owner::Upload, 7).await.unwrap(), b"another owner's file");
        parts::remove(&app.state.db, Owner::Export, vec![7]).await.unwrap();
        assert!(parts::read(&app.state.db, Owner::Export, 7).await.unwrap().is_empty());
        assert_eq!(parts::read(&app.state.db, Owner::Upload, 7).await.unwrap().len(), 20, "the upload stays");
        app.finish().await;
    }
}

#[tokio::test]
async fn a_kept_upload_is_dropped_when_imported_or_a_day_old() {
    use crate::import::previewed;
    use dangjian::io::parts::{self, Owner};
    for backend in backends() {
        let app = TestApp::spawn(backend).await;
        let zzb = app.login("zzb").await;
        let kept = |id: &str| {
            let (db, id) = (app.state.db.clone(), id.parse::<i32>().unwrap());
            async move { parts::read(&db, Owner::Upload, id).await.unwrap().len() }
        };
        // Confirmed: the file (ID numbers) goes with the import, the record of it stays.
        let (first, _) = previewed(&zzb, "孙八", "37020219870303007").await;
        assert!(kept(&first).await > 0, "the previewed file is kept for its confirmation");
        assert_eq!(zzb.post_form(&format!("/people/import/{first}/commit"), &[]).await.status(), 303);
        assert_eq!(kept(&first).await, 0, "the imported file is dropped");

        // Never confirmed: after a day it can no longer be, and the next upload drops it.
        let (second, _) = previewed(&zzb, "周九", "37020219880404008").await;
        app.clock.advance(chrono::Duration::hours(25));
        // (The session ended meanwhile.)
        let zzb = app.login("zzb").await;
        let res = zzb.post_form(&format!("/people/import/{second}/commit"), &[]).await;
        assert_eq!(res.status(), 409);
        assert!(res.text().await.unwrap().contains("上传已超过一天"));
        assert!(kept(&second).await > 0, "still there until someone uploads");
        let (third, _) = previewed(&zzb, "吴十", "37020219890505009").await;
        assert_eq!(kept(&second).await, 0, "the day-old file is gone");
        assert!(kept(&third).await > 0, "the new one is kept");
        app.finish().await;
    }
}
