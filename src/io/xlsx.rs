//! Excel export of exactly what a list shows: a title row, a bold frozen header, text cells.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};

use crate::error::{AppError, AppResult};

/// Writes one sheet. Every cell is text so that ID and police numbers keep their digits.
pub fn table(sheet_name: &str, title: &str, headers: &[&str], rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    let mut sheet = TableWriter::new(sheet_name, title, headers)?;
    sheet.rows(rows)?;
    sheet.finish()
}

fn to_err(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::Internal(anyhow::Error::new(e))
}

/// The same sheet as [`table`], written a batch of rows at a time so that a long export can
/// say how far it has got between batches.
pub struct TableWriter {
    book: Workbook,
    next_row: u32,
}

impl TableWriter {
    pub fn new(sheet_name: &str, title: &str, headers: &[&str]) -> AppResult<Self> {
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        // Rows go to an unnamed temporary file as they are written (shared strings stay, so
        // the file is as small as before): the cells of a 30,000-row roster held in memory
        // until the end took about 100 MB.
        let sheet = book.add_worksheet_with_low_memory().map_err(to_err)?;
        sheet.set_name(sheet_name).map_err(to_err)?;
        sheet.write_string_with_format(0, 0, title, &bold).map_err(to_err)?;
        for (col, h) in headers.iter().enumerate() {
            sheet.write_string_with_format(1, col as u16, *h, &bold).map_err(to_err)?;
            sheet.set_column_width(col as u16, 16).map_err(to_err)?;
        }
        sheet.set_freeze_panes(2, 0).map_err(to_err)?;
        Ok(Self { book, next_row: 2 })
    }

    /// Appends rows below those already written.
    pub fn rows(&mut self, rows: &[Vec<String>]) -> AppResult<()> {
        let sheet = self.book.worksheet_from_index(0).map_err(to_err)?;
        for row in rows {
            for (c, value) in row.iter().enumerate() {
                sheet.write_string(self.next_row, c as u16, value).map_err(to_err)?;
            }
            self.next_row += 1;
        }
        Ok(())
    }

    /// The .xlsx file.
    pub fn finish(mut self) -> AppResult<Vec<u8>> {
        self.book.save_to_buffer().map_err(to_err)
    }
}

/// An .xlsx download named `filename` (UTF-8, RFC 5987 encoded for Chinese names).
pub fn download(filename: &str, bytes: Vec<u8>) -> Response {
    let encoded: String = form_urlencoded::byte_serialize(filename.as_bytes()).collect::<String>().replace('+', "%20");
    (
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"export.xlsx\"; filename*=UTF-8''{encoded}")),
        ],
        bytes,
    )
        .into_response()
}
