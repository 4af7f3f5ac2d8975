//! Reading an uploaded spreadsheet within bounds. Every check happens while reading and before
//! anything is unpacked into memory: the file size, what the .xlsx (a zip) decompresses to —
//! counted on the actual bytes, since the sizes a zip declares can lie —, the dimension the
//! sheet declares, and the row and column of every cell. Rows are handed over one at a time, so
//! a caller keeps only what it needs of each.
//!
//! calamine's own `worksheet_range` allocates the sheet's whole bounding box (one cell at
//! XFD1048576 asks for 17 billion cells); this module reads the cells one by one instead.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};

use crate::config::UploadLimits;
use crate::error::{AppError, AppResult};

/// The field every upload error names.
pub const FIELD: &str = "file";

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
/// Parts of one workbook; real ones have a few dozen.
const MAX_ZIP_ENTRIES: usize = 2_000;

fn refuse(message: impl Into<String>) -> AppError {
    AppError::too_large(FIELD, message)
}

fn unreadable() -> AppError {
    AppError::validation(FIELD, "无法读取该文件，请上传 Excel 文件（.xlsx）")
}

fn megabytes(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 10.0 { format!("{mb:.0} MB") } else { format!("{mb:.1} MB") }
}

/// Column letters of a 0-based column index, as Excel shows them (0 → A, 16383 → XFD).
pub fn column_name(mut col: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// The file size alone, checked before a request body is even kept.
pub fn check_size(len: usize, limits: &UploadLimits) -> AppResult<()> {
    if len as u64 > limits.max_file_bytes {
        return Err(refuse(format!(
            "文件大小 {} 超过上限 {}；请删去无关的工作表、图片和空行后重新上传",
            megabytes(len as u64),
            megabytes(limits.max_file_bytes)
        )));
    }
    Ok(())
}

/// Decompresses every part of the zip once, into nothing, counting: a part that unpacks to
/// more than its share stops the reading at that point.
fn check_zip(bytes: &[u8], limits: &UploadLimits) -> AppResult<()> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(refuse(format!(
            "文件内部包含 {} 个部分，超过上限 {MAX_ZIP_ENTRIES}，不是正常的 Excel 文件",
            archive.len()
        )));
    }
    let too_big = || {
        refuse(format!(
            "文件解压后超过上限 {}（可能是异常或被构造的文件）；请把数据复制到新的工作簿后另存为 .xlsx 再上传",
            megabytes(limits.max_unpacked_bytes)
        ))
    };
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(|_| unreadable())?;
        // The declared size first: cheap, and enough for honest files.
        if total.saturating_add(entry.size()) > limits.max_unpacked_bytes {
            return Err(too_big());
        }
        let budget = limits.max_unpacked_bytes - total;
        let read = std::io::copy(&mut entry.take(budget + 1), &mut std::io::sink()).map_err(|_| unreadable())?;
        if read > budget {
            return Err(too_big());
        }
        total += read;
    }
    Ok(())
}

/// Calls `each_row` with the 0-based row index and the cells of every row of the first sheet
/// that has a cell, in order. Stops at the first error, `each_row`'s included.
pub fn each_row(
    bytes: &[u8],
    limits: &UploadLimits,
    mut each_row: impl FnMut(u32, Vec<Data>) -> AppResult<()>,
) -> AppResult<()> {
    check_size(bytes.len(), limits)?;
    if bytes.starts_with(CFB_MAGIC) {
        return Err(AppError::validation(
            FIELD,
            "暂不接受旧版 Excel 97-2003（.xls）文件：请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx）后上传",
        ));
    }
    if !bytes.starts_with(ZIP_MAGIC) {
        return Err(unreadable());
    }
    check_zip(bytes, limits)?;
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let first = book.sheet_names().first().cloned().ok_or_else(unreadable)?;
    let mut cells = book.worksheet_cells_reader(&first).map_err(|_| unreadable())?;
    let (max_rows, max_cols) = (limits.max_rows.max(1), limits.max_columns.max(1));
    let over = |row: u32, col: u32, what: &str| {
        refuse(format!(
            "工作表{what}到第 {} 行、第 {} 列（{}{}），超过上限 {max_rows} 行、{max_cols} 列；请删除多余的行列（或把数据复制到新工作表）后重新上传",
            row as u64 + 1,
            col as u64 + 1,
            column_name(col),
            row as u64 + 1
        ))
    };
    let declared = cells.dimensions();
    if declared.end.0 >= max_rows || declared.end.1 >= max_cols {
        return Err(over(declared.end.0, declared.end.1, "声明的范围"));
    }
    let mut current: Option<(u32, Vec<Data>)> = None;
    while let Some(cell) = cells.next_cell().map_err(|_| unreadable())? {
        let (row, col) = cell.get_position();
        if row >= max_rows || col >= max_cols {
            return Err(over(row, col, "有内容的单元格"));
        }
        let value: Data = cell.get_value().clone().into();
        if matches!(value, Data::Empty) {
            continue;
        }
        match &mut current {
            Some((r, values)) if *r == row => put(values, col, value),
            _ => {
                if let Some((r, values)) = current.take() {
                    if row < r {
                        return Err(AppError::validation(
                            FIELD,
                            "工作表中的行顺序异常，请在 Excel 中另存为 .xlsx 后重新上传",
                        ));
                    }
                    each_row(r, values)?;
                }
                let mut values = Vec::new();
                put(&mut values, col, value);
                current = Some((row, values));
            }
        }
    }
    if let Some((r, values)) = current {
        each_row(r, values)?;
    }
    Ok(())
}

/// The file sent as multipart field `name`, read chunk by chunk and refused as soon as it
/// passes the size limit. `Ok(None)` when no file, or an empty one, was sent.
pub async fn multipart_file(
    multipart: &mut axum::extract::Multipart,
    name: &str,
    limits: &UploadLimits,
) -> AppResult<Option<(String, axum::body::Bytes)>> {
    Ok(multipart_file_with(multipart, name, &[], limits).await?.0)
}

/// [`multipart_file`], and the text of the form's other fields named in `texts` (at most 1,000
/// characters each).
pub async fn multipart_file_with(
    multipart: &mut axum::extract::Multipart,
    name: &str,
    texts: &[&str],
    limits: &UploadLimits,
) -> AppResult<(Option<(String, axum::body::Bytes)>, Vec<(String, String)>)> {
    let mut fields = Vec::new();
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            too_big_body(limits)
        } else {
            AppError::bad_request(Some(FIELD), "上传内容无法读取，请重新选择文件上传")
        }
    };
    let mut file = None;
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        if let Some(text_name) = field.name().filter(|n| texts.contains(n)).map(str::to_owned) {
            let text = field.text().await.map_err(unreadable)?;
            fields.push((text_name, text.chars().take(1_000).collect()));
            continue;
        }
        if field.name() != Some(name) {
            continue;
        }
        let filename = field.file_name().unwrap_or("名册.xlsx").chars().take(255).collect::<String>();
        let mut data = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            check_size(data.len() + chunk.len(), limits)?;
            data.extend_from_slice(&chunk);
        }
        file = Some((filename, axum::body::Bytes::from(data)));
    }
    Ok((file.filter(|(_, b)| !b.is_empty()), fields))
}

fn too_big_body(limits: &UploadLimits) -> AppError {
    refuse(format!("上传的文件超过上限 {}；请删去无关的工作表、图片和空行后重新上传", megabytes(limits.max_file_bytes)))
}

/// A raw request body that could not be taken: too large, or cut off.
pub fn body_rejection(rejection: &axum::extract::rejection::BytesRejection, limits: &UploadLimits) -> AppError {
    if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        too_big_body(limits)
    } else {
        AppError::bad_request(Some(FIELD), "请求体无法读取，请重新发送文件")
    }
}

/// The request-body limit of routes that take an upload: the file plus room for the form.
pub fn body_limit(limits: &UploadLimits) -> usize {
    usize::try_from(limits.max_file_bytes).unwrap_or(usize::MAX).saturating_add(64 * 1024)
}

fn put(values: &mut Vec<Data>, col: u32, value: Data) {
    let col = col as usize;
    if values.len() <= col {
        values.resize(col + 1, Data::Empty);
    }
    values[col] = value;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_as_excel_shows_them() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
        assert_eq!(column_name(16383), "XFD");
    }
}
