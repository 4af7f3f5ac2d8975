//! Reading a roster spreadsheet: the columns the import knows and the headers people give
//! them, finding the header row under titles, turning each row's cells into clean text on a
//! blocking thread, and the template to fill in. The planning and writing are in `import`.

use calamine::Data;
use tokio::sync::mpsc;

use super::field_label;
use super::import::CellError;
use crate::error::{AppError, AppResult};
use crate::io::cells::{self, LostPrecision};

/// Import columns: field, the template's header, and other headers people use for it.
pub const COLUMNS: &[(&str, &str, &[&str])] = &[
    ("name", "姓名", &[]),
    ("kind", "人员类别", &["人员类型", "类别", "身份类别"]),
    ("police_no", "警号", &["警员编号"]),
    ("id_number", "身份证号", &["身份证号码", "公民身份号码", "身份证", "证件号码"]),
    ("gender", "性别", &[]),
    ("birth_date", "出生日期", &["出生年月"]),
    ("ethnicity", "民族", &[]),
    ("education", "学历", &["文化程度", "最高学历"]),
    ("phone", "联系电话", &["手机号", "手机号码", "电话", "联系方式"]),
    ("org", "所在党组织", &["党组织", "所在支部", "党支部", "所属党组织"]),
    ("unit", "所在单位", &["单位", "工作单位", "部门", "工作部门"]),
    ("position", "职务", &[]),
    // 职级/警衔 are the police domain's columns now (`crate::module::roster_columns`).
    ("political_status", "政治面貌", &[]),
    ("employment_status", "在职状态", &["人员状态", "状态"]),
    ("status_since", "状态变动日期", &["变动日期"]),
    ("joined_police_on", "参加公安工作时间", &["参加工作时间", "入警时间", "入警日期"]),
    ("joined_party_on", "入党日期", &["入党时间"]),
    ("full_party_on", "转正日期", &["转正时间"]),
];

const DATE_FIELDS: [&str; 5] = ["birth_date", "status_since", "joined_police_on", "joined_party_on", "full_party_on"];

fn header_key(raw: &str) -> String {
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

/// The roster's own columns, then those higher domains keep (see `crate::module::RosterColumns`).
fn template_columns() -> impl Iterator<Item = &'static crate::module::RosterColumn> {
    COLUMNS.iter().chain(crate::module::roster_columns().iter().flat_map(|d| d.columns.iter()))
}

/// Every column the import reads: the template's and the older headers of higher domains.
fn all_columns() -> impl Iterator<Item = &'static crate::module::RosterColumn> {
    template_columns().chain(crate::module::roster_columns().iter().flat_map(|d| d.also_read.iter()))
}

fn field_of_header(raw: &str) -> Option<&'static str> {
    let key = header_key(raw);
    all_columns().find(|(_, main, aliases)| *main == key || aliases.contains(&key.as_str())).map(|(f, _, _)| *f)
}

pub(super) fn column_label(field: &str) -> &str {
    all_columns().find(|(f, _, _)| *f == field).map_or_else(|| field_label(field), |(_, label, _)| label)
}

/// The columns the header names, by position, and the headings nobody uses.
pub(super) struct Header {
    pub(super) row: usize,
    pub(super) columns: Vec<(usize, &'static str)>,
    pub(super) ignored: Vec<String>,
}

/// What the import keeps of one data row: the non-empty text of each mapped column.
#[derive(Default)]
pub(super) struct RowValues(Vec<(&'static str, String)>);

impl RowValues {
    pub(super) fn get(&self, field: &str) -> Option<&String> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, v)| v)
    }
}

/// What the reading thread hands to the planner, in order: the header, then every data row.
pub(super) enum Parsed {
    Header(Header),
    Row(usize, RowValues, Vec<CellError>),
}

/// Rows the reader may run ahead of the planner.
pub(super) const CHANNEL_ROWS: usize = 1_024;
/// The header is the row among the first this many that names the most known columns.
const HEADER_SEARCH_ROWS: u32 = 15;

fn find_header(head: &[(u32, Vec<Data>)]) -> AppResult<Header> {
    let mut best: Option<(usize, Vec<(usize, &'static str)>)> = None;
    for (i, (_, row)) in head.iter().enumerate() {
        let mut cols: Vec<(usize, &'static str)> = Vec::new();
        for (c, cell) in row.iter().enumerate() {
            if let Data::String(s) = cell
                && let Some(field) = field_of_header(s)
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
    for required in ["name", "id_number"] {
        if !columns.iter().any(|(_, f)| *f == required) {
            return Err(AppError::validation(
                "file",
                format!("找不到表头中的“{}”列：表头须含“姓名”和“身份证号”（可在前几行放标题）", column_label(required)),
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

/// Reads the first sheet within the upload limits on a blocking thread and sends the header
/// and then each row, as text, to the planner. Stops when the planner has gone.
pub(super) fn read_rows(
    bytes: &[u8],
    limits: &crate::config::UploadLimits,
    tx: &mpsc::Sender<AppResult<Parsed>>,
) -> AppResult<()> {
    let gone = || AppError::Internal(anyhow::anyhow!("导入已中止"));
    let mut head: Vec<(u32, Vec<Data>)> = Vec::new();
    let mut header: Option<Header> = None;
    let send_row = |header: &Header, r: u32, cells: &[Data]| {
        let (values, errors) = row_values(header, cells);
        tx.blocking_send(Ok(Parsed::Row(r as usize + 1, values, errors))).map_err(|_| gone())
    };
    let start_rows = |head: &mut Vec<(u32, Vec<Data>)>| -> AppResult<Header> {
        let found = find_header(head)?;
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
    crate::io::sheet::each_row(bytes, limits, |r, cells| {
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

/// The row's values by field, with precision losses noted per column.
fn row_values(header: &Header, row: &[Data]) -> (RowValues, Vec<CellError>) {
    let mut values = RowValues::default();
    let mut errors = Vec::new();
    for (c, field) in &header.columns {
        let mut text = match row.get(*c).map_or(Ok(String::new()), cells::text) {
            Ok(t) => t,
            Err(LostPrecision(shown)) => {
                errors.push(CellError {
                    column: column_label(field).to_owned(),
                    reason: format!("以数字格式保存，已丢失末几位精度（显示为 {shown}）；请把该列设为“文本”后重新填写"),
                });
                String::new()
            }
        };
        if DATE_FIELDS.contains(field) && !text.is_empty() {
            match cells::date(&text) {
                Ok(Some(d)) => text = d.to_string(),
                Ok(None) => {}
                Err(reason) => {
                    errors.push(CellError { column: column_label(field).to_owned(), reason });
                    text = String::new();
                }
            }
        }
        if matches!(*field, "name" | "id_number" | "police_no" | "phone") {
            text.retain(|c| !c.is_whitespace());
        }
        if *field == "id_number" && (text.contains('E') || text.contains('e')) && text.contains('+') {
            errors.push(CellError {
                column: column_label(field).to_owned(),
                reason: format!("身份证号写成了科学计数法（{text}），末几位已丢失；请把该列设为“文本”后重新填写"),
            });
        }
        if !text.is_empty() {
            values.0.push((*field, text));
        }
    }
    (values, errors)
}

/// The template: the columns in order, every cell formatted as text so that numbers keep
/// their digits.
pub fn template() -> AppResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let to_err = |e: rust_xlsxwriter::XlsxError| AppError::Internal(anyhow::Error::new(e));
    let mut book = Workbook::new();
    let text = Format::new().set_num_format("@");
    let bold = Format::new().set_bold().set_num_format("@");
    let sheet = book.add_worksheet();
    sheet.set_name("民辅警").map_err(to_err)?;
    sheet
        .write_string_with_format(
            0,
            0,
            "民辅警名册导入模板：姓名、身份证号、人员类别、所在党组织、政治面貌为必填；民警须填警号；日期可写 2019-05-01、2019/5/1、2019.05 或 2019年5月",
            &bold,
        )
        .map_err(to_err)?;
    for (c, (_, header, _)) in template_columns().enumerate() {
        sheet.write_string_with_format(1, c as u16, *header, &bold).map_err(to_err)?;
        sheet.set_column_width(c as u16, if *header == "身份证号" { 22 } else { 14 }).map_err(to_err)?;
        sheet.set_column_format(c as u16, &text).map_err(to_err)?;
    }
    sheet.set_freeze_panes(2, 0).map_err(to_err)?;
    book.save_to_buffer().map_err(to_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_recognised_in_their_usual_spellings() {
        assert_eq!(field_of_header("姓名"), Some("name"));
        assert_eq!(field_of_header(" 公民身份号码（18位） "), Some("id_number"));
        assert_eq!(field_of_header("*身份证号"), Some("id_number"));
        assert_eq!(field_of_header("入警时间"), Some("joined_police_on"));
        assert_eq!(field_of_header("备注"), None);
    }
}
