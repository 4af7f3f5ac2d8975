//! Reading a table people keep in a spreadsheet, for every import (the roster, the organization
//! tree): the columns an import knows and the headers people give them, finding the header row
//! under titles and merged headings, and turning each row's cells into clean text on a blocking
//! thread, row by row, within the upload limits. The planning is each import's own.

use calamine::Data;
use serde::Serialize;
use tokio::sync::mpsc;

use super::cells::{self, LostPrecision};
use crate::error::{AppError, AppResult};

/// One cell's problem: the column as the user calls it, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[schema(description = "一处错误：列名和原因")]
pub struct CellError {
    pub column: String,
    pub reason: String,
}

impl CellError {
    pub fn new(column: &str, reason: impl Into<String>) -> Self {
        Self { column: column.to_owned(), reason: reason.into() }
    }
}

/// What an import reads: its columns — field, the template's header, other headers people use —,
/// the ones a header must name, the date columns (read in every spelling, given as
/// `YYYY-MM-DD`), the columns whose spaces mean nothing (names, numbers), and a check of its
/// own for a cleaned cell (`Some(reason)` refuses it).
/// A column: field, the template's header, other headers people use for it.
pub type Column = (&'static str, &'static str, &'static [&'static str]);

pub struct Spec {
    pub columns: &'static [Column],
    /// Columns known only once the modules are installed (higher domains' roster columns).
    pub more: fn() -> Vec<&'static Column>,
    pub required: &'static [&'static str],
    /// Says which headers are required, when one is missing: "表头须含“姓名”和“身份证号”".
    pub required_hint: &'static str,
    pub dates: &'static [&'static str],
    pub compact: &'static [&'static str],
    pub check: Option<fn(&str, &str) -> Option<String>>,
}

impl Spec {
    /// The header the template gives a field (or the field itself).
    pub fn label<'a>(&self, field: &'a str) -> &'a str
    where
        'static: 'a,
    {
        self.all().find(|(f, _, _)| *f == field).map_or(field, |(_, label, _)| label)
    }

    /// Every column the import reads.
    pub fn all(&self) -> impl Iterator<Item = &'static Column> {
        self.columns.iter().chain((self.more)())
    }

    fn field_of_header(&self, raw: &str) -> Option<&'static str> {
        let key = header_key(raw);
        self.all().find(|(_, main, aliases)| *main == key || aliases.contains(&key.as_str())).map(|(f, _, _)| *f)
    }

    /// No columns beyond [`Spec::columns`].
    pub fn nothing_more() -> Vec<&'static Column> {
        Vec::new()
    }
}

/// A header as compared: half-width, without spaces, asterisks and bracketed notes.
pub fn header_key(raw: &str) -> String {
    let text = cells::half_width(raw);
    let mut out = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth -= 1,
            _ if depth > 0 || c.is_whitespace() || c == '*' => {}
            _ => out.push(c),
        }
    }
    out
}

/// The columns the header names, by position, and the headings nobody uses.
pub struct Header {
    /// Row number as the spreadsheet shows it.
    pub row: usize,
    pub columns: Vec<(usize, &'static str)>,
    pub ignored: Vec<String>,
}

/// What an import keeps of one data row: the non-empty text of each mapped column.
#[derive(Default, Debug, Clone)]
pub struct RowValues(Vec<(&'static str, String)>);

impl RowValues {
    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, v)| v)
    }

    /// The field's text, empty when not given.
    pub fn text(&self, field: &str) -> String {
        self.get(field).cloned().unwrap_or_default()
    }
}

/// What the reading thread hands to the planner, in order: the header, then every data row
/// (its row number as the spreadsheet shows it, its values, the problems of its cells).
pub enum Parsed {
    Header(Header),
    Row(usize, RowValues, Vec<CellError>),
}

/// Rows the reader may run ahead of the planner.
pub const CHANNEL_ROWS: usize = 1_024;
/// The header is the row among the first this many that names the most known columns.
const HEADER_SEARCH_ROWS: u32 = 15;

fn find_header(spec: &Spec, head: &[(u32, Vec<Data>)]) -> AppResult<Header> {
    let mut best: Option<(usize, Vec<(usize, &'static str)>)> = None;
    for (i, (_, row)) in head.iter().enumerate() {
        let mut cols: Vec<(usize, &'static str)> = Vec::new();
        for (c, cell) in row.iter().enumerate() {
            if let Data::String(s) = cell
                && let Some(field) = spec.field_of_header(s)
                && !cols.iter().any(|(_, f)| *f == field)
            {
                cols.push((c, field));
            }
        }
        if best.as_ref().is_none_or(|(_, b)| cols.len() > b.len()) {
            best = Some((i, cols));
        }
    }
    let (idx, columns) = best.unwrap_or((0, Vec::new()));
    for required in spec.required {
        if !columns.iter().any(|(_, f)| f == required) {
            return Err(AppError::validation(
                "file",
                format!("找不到表头中的“{}”列：{}（可在前几行放标题）", spec.label(required), spec.required_hint),
            ));
        }
    }
    let (row, cells) = head.get(idx).map(|(r, cells)| (*r, cells.as_slice())).unwrap_or((0, &[]));
    let ignored = cells
        .iter()
        .enumerate()
        .filter(|(c, cell)| !columns.iter().any(|(mc, _)| mc == c) && !matches!(cell, Data::Empty))
        .map(|(_, cell)| cells::text(cell).unwrap_or_default())
        .filter(|t| !t.is_empty())
        .collect();
    Ok(Header { row: row as usize + 1, columns, ignored })
}

/// Reads the first sheet within the upload limits (call it on a blocking thread) and sends the
/// header and then each row, as text, to the planner. Stops when the planner has gone.
pub fn read_rows(
    spec: &Spec,
    bytes: &[u8],
    limits: &crate::config::UploadLimits,
    tx: &mpsc::Sender<AppResult<Parsed>>,
) -> AppResult<()> {
    let gone = || AppError::Internal(anyhow::anyhow!("导入已中止"));
    let mut head: Vec<(u32, Vec<Data>)> = Vec::new();
    let mut header: Option<Header> = None;
    let send_row = |header: &Header, r: u32, cells: &[Data]| {
        let (values, errors) = row_values(spec, header, cells);
        tx.blocking_send(Ok(Parsed::Row(r as usize + 1, values, errors))).map_err(|_| gone())
    };
    let start_rows = |head: &mut Vec<(u32, Vec<Data>)>| -> AppResult<Header> {
        let found = find_header(spec, head)?;
        tx.blocking_send(Ok(Parsed::Header(Header {
            row: found.row,
            columns: found.columns.clone(),
            ignored: found.ignored.clone(),
        })))
        .map_err(|_| gone())?;
        for (r, cells) in head.drain(..).filter(|(r, _)| *r as usize + 1 > found.row) {
            send_row(&found, r, &cells)?;
        }
        Ok(found)
    };
    super::sheet::each_row(bytes, limits, |r, cells| {
        if let Some(h) = &header {
            return send_row(h, r, &cells);
        }
        let first = head.first().map_or(r, |(f, _)| *f);
        if r < first.saturating_add(HEADER_SEARCH_ROWS) {
            head.push((r, cells));
            return Ok(());
        }
        let h = start_rows(&mut head)?;
        send_row(&h, r, &cells)?;
        header = Some(h);
        Ok(())
    })?;
    if header.is_none() {
        if head.is_empty() {
            return Err(AppError::validation("file", "工作表是空的"));
        }
        start_rows(&mut head)?;
    }
    Ok(())
}

/// Reads the whole sheet on a blocking thread: the header and every row. For imports whose files
/// are small (an organization tree has a few thousand rows at most); the roster streams instead.
pub async fn read_all(
    spec: &'static Spec,
    bytes: axum::body::Bytes,
    limits: crate::config::UploadLimits,
) -> AppResult<(Header, Vec<(usize, RowValues, Vec<CellError>)>)> {
    let (tx, mut rx) = mpsc::channel(CHANNEL_ROWS);
    let reader = tokio::task::spawn_blocking(move || {
        if let Err(e) = read_rows(spec, &bytes, &limits, &tx) {
            let _ = tx.blocking_send(Err(e));
        }
    });
    let header = match rx.recv().await {
        Some(Ok(Parsed::Header(h))) => h,
        Some(Err(e)) => return Err(e),
        _ => return Err(AppError::Internal(anyhow::anyhow!("表格读取中断"))),
    };
    let mut rows = Vec::new();
    while let Some(next) = rx.recv().await {
        match next? {
            Parsed::Row(n, values, errors) => rows.push((n, values, errors)),
            Parsed::Header(_) => return Err(AppError::Internal(anyhow::anyhow!("表头重复"))),
        }
    }
    reader.await.map_err(|e| AppError::Internal(anyhow::anyhow!("表格读取失败：{e}")))?;
    Ok((header, rows))
}

/// The row's values by field, with precision losses and unreadable dates noted per column.
fn row_values(spec: &Spec, header: &Header, row: &[Data]) -> (RowValues, Vec<CellError>) {
    let mut values = RowValues::default();
    let mut errors = Vec::new();
    for (c, field) in &header.columns {
        let label = || spec.label(field);
        let mut text = match row.get(*c).map_or(Ok(String::new()), cells::text) {
            Ok(t) => t,
            Err(LostPrecision(shown)) => {
                errors.push(CellError::new(
                    label(),
                    format!("以数字格式保存，已丢失末几位精度（显示为 {shown}）；请把该列设为“文本”后重新填写"),
                ));
                String::new()
            }
        };
        if spec.dates.contains(field) && !text.is_empty() {
            match cells::date(&text) {
                Ok(Some(d)) => text = d.to_string(),
                Ok(None) => {}
                Err(reason) => {
                    errors.push(CellError::new(label(), reason));
                    text = String::new();
                }
            }
        }
        if spec.compact.contains(field) {
            text.retain(|c| !c.is_whitespace());
        }
        if let Some(reason) = spec.check.and_then(|check| check(field, &text)) {
            errors.push(CellError::new(label(), reason));
        }
        if !text.is_empty() {
            values.0.push((*field, text));
        }
    }
    (values, errors)
}

/// A template: a note in the first row, the headers in the second, `example` rows below, every
/// cell formatted as text so that numbers keep their digits.
pub fn template(sheet_name: &str, note: &str, headers: &[&str], example: &[&[&str]]) -> AppResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let to_err = |e: rust_xlsxwriter::XlsxError| AppError::Internal(anyhow::Error::new(e));
    let mut book = Workbook::new();
    let text = Format::new().set_num_format("@");
    let bold = Format::new().set_bold().set_num_format("@");
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name).map_err(to_err)?;
    sheet.write_string_with_format(0, 0, note, &bold).map_err(to_err)?;
    for (c, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(1, c as u16, *header, &bold).map_err(to_err)?;
        let wide = matches!(*header, "身份证号" | "名称" | "上级党组织" | "覆盖单位");
        sheet.set_column_width(c as u16, if wide { 24 } else { 14 }).map_err(to_err)?;
        sheet.set_column_format(c as u16, &text).map_err(to_err)?;
    }
    for (r, row) in example.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            sheet.write_string_with_format(2 + r as u32, c as u16, *value, &text).map_err(to_err)?;
        }
    }
    sheet.set_freeze_panes(2, 0).map_err(to_err)?;
    book.save_to_buffer().map_err(to_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    static SPEC: Spec = Spec {
        columns: &[("name", "姓名", &[]), ("id_number", "身份证号", &["身份证号码", "公民身份号码"])],
        more: Spec::nothing_more,
        required: &["name"],
        required_hint: "表头须含“姓名”",
        dates: &[],
        compact: &[],
        check: None,
    };

    #[test]
    fn headers_are_recognised_in_their_usual_spellings() {
        assert_eq!(SPEC.field_of_header("姓名"), Some("name"));
        assert_eq!(SPEC.field_of_header(" 公民身份号码（18位） "), Some("id_number"));
        assert_eq!(SPEC.field_of_header("*身份证号"), Some("id_number"));
        assert_eq!(SPEC.field_of_header("备注"), None);
    }
}
