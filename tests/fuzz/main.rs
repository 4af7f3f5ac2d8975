//! Random and mutated input for the parsers that take what users upload or type: spreadsheets
//! (through the bounded reader), ID numbers, dates, months and JSON bodies. Each must answer
//! with a value or an error — never a panic — and reading a spreadsheet must stay within a
//! memory bound whatever the file claims. The quick form runs in CI (`PROPTEST_CASES`, 64 by
//! default); raise it locally for a longer hunt.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/xlsx.rs"]
mod xlsx;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use dangjian::config::UploadLimits;
use dangjian::error::AppError;
use proptest::prelude::*;

/// Counts live heap bytes and their high-water mark, so a test can see what a parse took.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// The peak is process-wide: tests that measure it take turns.
static MEASURE: Mutex<()> = Mutex::new(());

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                let now = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Heap bytes `f` needed above what was live when it started.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let _turn = MEASURE.lock().unwrap_or_else(|e| e.into_inner());
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let out = f();
    (out, PEAK.load(Ordering::SeqCst).saturating_sub(base))
}

#[test]
fn the_counter_sees_what_a_parse_allocates() {
    let (v, peak) = peak_of(|| vec![1u8; 8 * 1024 * 1024]);
    assert_eq!(v.len(), 8 * 1024 * 1024);
    assert!(peak >= 8 * 1024 * 1024, "peak {peak}");
}

/// Limits as small as a test likes, far below what the attacks claim.
fn limits() -> UploadLimits {
    UploadLimits {
        max_file_bytes: 2 * 1024 * 1024,
        max_unpacked_bytes: 4 * 1024 * 1024,
        max_rows: 5_000,
        max_columns: 60,
    }
}

/// Reads every row, keeping nothing: what the reader itself needs.
fn read_all(bytes: &[u8], limits: &UploadLimits) -> Result<usize, AppError> {
    let mut rows = 0usize;
    dangjian::io::sheet::each_row(bytes, limits, |_, cells| {
        assert!(cells.len() <= limits.max_columns as usize, "a row wider than the column limit was handed over");
        rows += 1;
        Ok(())
    })?;
    assert!(rows <= limits.max_rows as usize);
    Ok(rows)
}

/// A refusal is one of the errors a user can read: never an internal error.
fn is_user_error(e: &AppError) -> bool {
    matches!(e, AppError::Validation { .. } | AppError::TooLarge { .. })
}

/// A well-formed roster made by a real writer, as the base for mutations.
fn real_roster() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["姓名", "身份证号", "人员类别", "所在党组织", "政治面貌", "入党时间"].iter().enumerate()
    {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    for r in 2..40u32 {
        sheet.write_string(r, 0, format!("张{r}")).unwrap();
        sheet.write_string(r, 1, format!("11010119900101{:04}", r)).unwrap();
        sheet.write_number(r, 5, 40_000.0 + f64::from(r)).unwrap();
    }
    book.save_to_buffer().unwrap()
}

/// The memory a read may take: the limits' worth of rows plus the library's own buffers.
const READ_BOUND: usize = 24 * 1024 * 1024;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096), zip_head in any::<bool>()) {
        let mut bytes = bytes;
        if zip_head {
            // Past the signature check, into the zip reader.
            bytes.splice(0..0, *b"PK\x03\x04");
        }
        let (result, peak) = peak_of(|| read_all(&bytes, &limits()));
        if let Err(e) = &result {
            prop_assert!(is_user_error(e), "{e:?}");
        }
        prop_assert!(peak < READ_BOUND, "peak {peak}");
    }

    #[test]
    fn mutated_real_workbooks_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        cut in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let mut bytes = real_roster();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if let Some(at) = cut {
            bytes.truncate(at.index(bytes.len()));
        }
        let (result, peak) = peak_of(|| read_all(&bytes, &limits()));
        if let Err(e) = &result {
            prop_assert!(is_user_error(e), "{e:?}");
        }
        prop_assert!(peak < READ_BOUND, "peak {peak}");
    }

    #[test]
    fn hostile_sheets_are_bounded(
        end_row in 1u32..=1_048_576,
        end_col in 0u32..16_384,
        far_cell in any::<bool>(),
        padding in prop_oneof![0usize..4096, 0usize..(6 * 1024 * 1024)],
        rows in 0u32..200,
    ) {
        let col = dangjian::io::sheet::column_name(end_col);
        let mut content = vec![xlsx::header_row()];
        for r in 2..rows + 2 {
            content.push((r, xlsx::text_cell(&format!("A{r}"), "张三")));
        }
        if far_cell {
            content.push((end_row.max(rows + 2), xlsx::text_cell(&format!("{col}{}", end_row.max(rows + 2)), "x")));
        }
        let declared = format!("A1:{col}{end_row}");
        let bytes = xlsx::workbook(&xlsx::sheet_xml(Some(&declared), &content), padding);
        let (result, peak) = peak_of(|| read_all(&bytes, &limits()));
        match &result {
            Ok(n) => prop_assert!(*n as u32 <= rows + 2),
            Err(e) => prop_assert!(is_user_error(e), "{e:?}"),
        }
        let beyond = end_row > 5_000 || end_col >= 60 || padding > 4 * 1024 * 1024;
        if beyond {
            prop_assert!(result.is_err(), "beyond the limits must be refused");
        }
        prop_assert!(peak < READ_BOUND, "peak {peak}");
    }

    #[test]
    fn id_numbers_of_any_text_never_panic(raw in ".{0,40}", digits in "[0-9Xx]{0,20}") {
        for text in [raw.as_str(), digits.as_str()] {
            let _ = dangjian::people::idcard::parse(text);
            let _ = dangjian::people::mask_id(text);
            if text.len() >= 17 && text.is_char_boundary(17) {
                let _ = dangjian::people::idcard::check_char(&text[..17]);
            }
        }
    }

    #[test]
    fn dates_and_months_of_any_text_never_panic(raw in ".{0,24}", numeric in "[0-9./年月日 -]{0,16}") {
        for text in [raw.as_str(), numeric.as_str()] {
            if let Ok(Some(d)) = dangjian::io::cells::date(text) {
                prop_assert!((1800..=9999).contains(&chrono::Datelike::year(&d)));
            }
            let _ = dangjian::people::parse_date(text);
            let _ = dangjian::party::dues::parse_month(text);
            let _ = dangjian::io::cells::half_width(text);
        }
    }

    #[test]
    fn json_person_bodies_never_panic(body in json_value(3)) {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        if let Ok(input) = serde_json::from_value::<dangjian::people::PersonInput>(body) {
            let _ = dangjian::people::validate(&input, today);
        }
    }
}

/// Any JSON value, objects biased towards the person fields.
fn json_value(depth: u32) -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<f64>().prop_map(|n| serde_json::json!(n)),
        ".{0,30}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(depth, 64, 8, |inner| {
        let key = prop_oneof![
            Just("name".to_owned()),
            Just("id_number".to_owned()),
            Just("birth_date".to_owned()),
            Just("org_id".to_owned()),
            Just("phone".to_owned()),
            Just("kind".to_owned()),
            ".{0,8}",
        ];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map(key, inner, 0..8)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
