//! What every spreadsheet import's page and endpoint share (the roster's and the organization
//! tree's): the upload read from the form and previewed, the file kept for the confirmation only
//! when no row is refused, the rows a preview page lists, and the API's body, dry run and answer.
//! Each import keeps its own rules, report and template; this is only the flow around them.

use std::future::Future;

use axum::Json;
use axum::body::Bytes;
use axum::extract::Multipart;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// An import's report as the shared flow reads it.
pub trait Report: Serialize {
    type Row: ReportRow;
    fn rows_mut(&mut self) -> &mut Vec<Self::Row>;
    fn rejected(&self) -> usize;
    fn committed(&self) -> bool;
}

/// One row of a report: its number in the sheet and what the import does with it.
pub trait ReportRow {
    fn row(&self) -> usize;
    /// 新建, 更新, 无变化 or 拒绝.
    fn action(&self) -> &str;
    fn warned(&self) -> bool;
}

/// Implements [`Report`] and [`ReportRow`] for an import's report and row types, which share
/// the fields `rows`, `rejected`, `committed` and `row`, `action`, `warnings`.
macro_rules! sheet_report {
    ($report:ty, $row:ty) => {
        impl $crate::io::import_page::Report for $report {
            type Row = $row;
            fn rows_mut(&mut self) -> &mut Vec<$row> {
                &mut self.rows
            }
            fn rejected(&self) -> usize {
                self.rejected
            }
            fn committed(&self) -> bool {
                self.committed
            }
        }

        impl $crate::io::import_page::ReportRow for $row {
            fn row(&self) -> usize {
                self.row
            }
            fn action(&self) -> &str {
                self.action
            }
            fn warned(&self) -> bool {
                !self.warnings.is_empty()
            }
        }
    };
}
pub(crate) use sheet_report;

/// Rows a preview page lists at most: refused ones first, then those with warnings, then what
/// changes. The counts above the table cover every row; the API answers with all of them.
pub const PAGE_ROWS: usize = 500;

/// The message when a confirmed file no longer imports whole.
pub const CHANGED_SINCE_PREVIEW: &str = "数据在预览之后发生了变化，有行不能导入，未写入任何数据。请修正后重新上传。";

/// Keeps the rows a preview page lists (unchanged rows without a note are left out); returns
/// how many rows the page does not show.
pub fn for_page<R: Report>(report: &mut R) -> usize {
    let rows = report.rows_mut();
    rows.retain(|r| r.action() != "无变化" || r.warned());
    let total = rows.len();
    rows.sort_by_key(|r| (r.action() != "拒绝", !r.warned(), r.row()));
    rows.truncate(PAGE_ROWS);
    total - rows.len()
}

/// What a preview page shows after an upload.
pub struct Previewed<R> {
    /// 200, or the status of the refusal in `error`.
    pub status: StatusCode,
    pub error: Option<String>,
    pub report: Option<R>,
    /// The kept upload to confirm (only when no row is refused).
    pub upload_id: Option<i32>,
    pub filename: String,
    pub hidden_rows: usize,
    /// The form's other fields asked for, as sent.
    pub texts: Vec<(String, String)>,
}

impl<R> Previewed<R> {
    fn refused(status: StatusCode, error: String, texts: Vec<(String, String)>) -> Self {
        Self {
            status,
            error: Some(error),
            report: None,
            upload_id: None,
            filename: String::new(),
            hidden_rows: 0,
            texts,
        }
    }

    /// The text of the form field `name` (empty when not sent).
    pub fn text(&self, name: &str) -> String {
        self.texts.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }
}

/// Reads the upload (`file`, and the form fields named in `texts`), previews it with `preview`
/// and keeps the file under `kind` for the confirmation when no row is refused. A file too
/// large, unreadable, missing, or one the import cannot read at all comes back as the page's
/// error with its status; other errors pass on.
pub async fn upload<R, F, Fut>(
    state: &AppState,
    actor: &Actor,
    multipart: &mut Multipart,
    kind: &str,
    texts: &[&str],
    preview: F,
) -> AppResult<Previewed<R>>
where
    R: Report,
    F: FnOnce(Bytes, Vec<(String, String)>) -> Fut,
    Fut: Future<Output = AppResult<R>>,
{
    let (file, given) = match super::sheet::multipart_file_with(multipart, "file", texts, &state.config.uploads).await {
        Ok(found) => found,
        Err(err @ (AppError::TooLarge { .. } | AppError::BadRequest { .. })) => {
            return Ok(Previewed::refused(err.status(), err.to_string(), Vec::new()));
        }
        Err(err) => return Err(err),
    };
    let Some((filename, bytes)) = file else {
        return Ok(Previewed::refused(StatusCode::UNPROCESSABLE_ENTITY, "请选择要导入的 Excel 文件".into(), given));
    };
    match preview(bytes.clone(), given.clone()).await {
        Ok(mut report) => {
            let upload_id = if report.rejected() == 0 {
                Some(super::uploads::save(state, actor, kind, &filename, &bytes).await?)
            } else {
                None
            };
            let hidden_rows = for_page(&mut report);
            Ok(Previewed {
                status: StatusCode::OK,
                error: None,
                report: Some(report),
                upload_id,
                filename,
                hidden_rows,
                texts: given,
            })
        }
        Err(err @ (AppError::Validation { .. } | AppError::TooLarge { .. } | AppError::Busy(_))) => {
            Ok(Previewed::refused(err.status(), err.to_string(), given))
        }
        Err(err) => Err(err),
    }
}

/// The API's request body: the file itself, not empty.
pub fn api_body(state: &AppState, body: Result<Bytes, BytesRejection>) -> AppResult<Bytes> {
    let body = body.map_err(|e| super::sheet::body_rejection(&e, &state.config.uploads))?;
    if body.is_empty() {
        return Err(AppError::bad_request(Some("file"), "请求体应为 Excel 文件内容"));
    }
    Ok(body)
}

/// Whether the API's `dry_run` asks only for the check.
pub fn dry_run(value: Option<&str>) -> bool {
    value.is_some_and(|v| matches!(v, "true" | "1" | "yes"))
}

/// The API's answer to a commit: 201 when written, 422 with the report when rows were refused.
pub fn committed<R: Report>(report: R) -> Response {
    let status = if report.committed() { StatusCode::CREATED } else { StatusCode::UNPROCESSABLE_ENTITY };
    (status, Json(report)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct R(Vec<(usize, &'static str, bool)>);
    impl ReportRow for (usize, &'static str, bool) {
        fn row(&self) -> usize {
            self.0
        }
        fn action(&self) -> &str {
            self.1
        }
        fn warned(&self) -> bool {
            self.2
        }
    }
    impl Report for R {
        type Row = (usize, &'static str, bool);
        fn rows_mut(&mut self) -> &mut Vec<Self::Row> {
            &mut self.0
        }
        fn rejected(&self) -> usize {
            self.0.iter().filter(|r| r.1 == "拒绝").count()
        }
        fn committed(&self) -> bool {
            false
        }
    }

    #[test]
    fn a_page_lists_refusals_then_notes_then_changes_and_leaves_quiet_rows_out() {
        let mut r = R(vec![(2, "新建", false), (3, "无变化", false), (4, "拒绝", false), (5, "无变化", true)]);
        assert_eq!(for_page(&mut r), 0);
        let rows: Vec<usize> = r.0.iter().map(|x| x.0).collect();
        assert_eq!(rows, [4, 5, 2]);
        let mut many = R((0..PAGE_ROWS + 7).map(|i| (i, "新建", false)).collect());
        assert_eq!(for_page(&mut many), 7);
    }
}
