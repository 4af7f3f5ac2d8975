//! Import pages and endpoints: template download, upload with preview, confirmation.

use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::import::{self, ImportReport, RowReport};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::io::import_page::{self, CHANGED_SINCE_PREVIEW, for_page};
use crate::io::{uploads, xlsx};
use crate::state::AppState;
use crate::ui::params::{IdPath, Params};
use crate::ui::{Flash, Layout, render};

const KIND: &str = "people";

#[derive(Template)]
#[template(path = "people/import.html")]
struct ImportPage {
    layout: Layout,
    error: Option<String>,
    report: Option<ImportReport>,
    upload_id: Option<i32>,
    filename: String,
    /// The organization chosen for rows whose own does not resolve (picker text), kept for the
    /// confirmation.
    target: String,
    /// Rows of the report left out of the page (see [`for_page`]).
    hidden_rows: usize,
}

import_page::sheet_report!(ImportReport, RowReport);

fn layout(actor: &Actor) -> Layout {
    Layout::new(actor, "导入民辅警名册", "/people", None)
        .crumb("民辅警档案", Some("/people".into()))
        .crumb("导入", None)
}

/// The page with nothing uploaded yet.
fn empty_page(actor: &Actor) -> ImportPage {
    ImportPage {
        layout: layout(actor),
        error: None,
        report: None,
        upload_id: None,
        filename: String::new(),
        target: String::new(),
        hidden_rows: 0,
    }
}

pub async fn page(actor: Actor) -> AppResult<Response> {
    actor.require(Permission::PersonWrite)?;
    Ok(render(&empty_page(&actor)))
}

/// `GET /people/import/progress`: how far the import running on this instance has got (the
/// page asks while its upload or confirmation is being answered). Numbers only.
pub async fn progress(State(state): State<AppState>, actor: Actor) -> AppResult<Json<crate::io::progress::Snapshot>> {
    if !actor.can(Permission::PersonWrite) && !actor.can(Permission::OrgWrite) {
        return Err(AppError::forbidden("没有导入权限"));
    }
    Ok(Json(state.progress.snapshot()))
}

pub async fn template(actor: Actor) -> AppResult<Response> {
    actor.require(Permission::PersonWrite)?;
    Ok(xlsx::download("民辅警导入模板.xlsx", import::template()?))
}

/// Upload: keep the file, show what importing it would do.
pub async fn upload(State(state): State<AppState>, actor: Actor, mut multipart: Multipart) -> AppResult<Response> {
    actor.require(Permission::PersonWrite)?;
    let shown = import_page::upload(&state, &actor, &mut multipart, KIND, &["org"], |bytes, texts| {
        let (state, actor) = (&state, &actor);
        async move {
            let target = texts.into_iter().find(|(k, _)| k == "org").map(|(_, v)| v).unwrap_or_default();
            import::preview(state, actor, bytes, Some(target.as_str())).await
        }
    })
    .await?;
    let view = ImportPage {
        layout: layout(&actor),
        target: shown.text("org"),
        error: shown.error,
        report: shown.report,
        upload_id: shown.upload_id,
        filename: shown.filename,
        hidden_rows: shown.hidden_rows,
    };
    Ok((shown.status, render(&view)).into_response())
}

#[derive(Deserialize, Default)]
pub struct ConfirmForm {
    #[serde(default)]
    org: String,
}

/// Confirmation of a previewed upload: all rows or none.
pub async fn confirm(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    crate::ui::form::Form(form): crate::ui::form::Form<ConfirmForm>,
) -> AppResult<Response> {
    let upload = uploads::load(&state, &actor, KIND, id).await?;
    let content = Bytes::from(upload.content);
    let report = import::commit(&state, &actor, content, &upload.filename, Some(id), Some(form.org.as_str())).await?;
    if !report.committed {
        let mut report = report;
        let hidden_rows = for_page(&mut report);
        let view = ImportPage {
            layout: layout(&actor),
            error: Some(CHANGED_SINCE_PREVIEW.into()),
            report: Some(report),
            upload_id: None,
            filename: upload.filename,
            target: form.org,
            hidden_rows,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response());
    }
    let mut message =
        format!("导入完成：新建 {} 人，更新 {} 人，无变化 {} 人", report.created, report.updated, report.unchanged);
    if report.warned > 0 {
        message.push_str(&format!("；{} 行带提示（数据不完整，可以以后补录）", report.warned));
    }
    Ok(Flash::ok(message).redirect("/people"))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApiQuery {
    #[serde(default)]
    #[param(example = "true")]
    dry_run: Option<String>,
    #[serde(default)]
    #[param(example = "花名册.xlsx")]
    filename: Option<String>,
    /// 所在党组织为空、按所在单位也找不到党组织的行放到这个党组织（名称或编号）；不给时这些行被拒绝
    #[serde(default)]
    #[param(example = "中山路派出所党支部")]
    org: Option<String>,
}

/// The two bodies a 422 of the import can have; it only describes them in the OpenAPI document.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[schema(description = "有被拒绝的行时为导入报告，文件无法识别时为错误")]
pub enum ImportRejected {
    Report(ImportReport),
    Error(ErrorBody),
}

/// `POST /api/v1/imports/people?dry_run=true`: the .xlsx file as the request body. A dry run
/// answers 200 with the report; a commit 201, or 422 with the report when rows were rejected
/// (then nothing was written).
#[utoipa::path(
    post, path = "/imports/people", tag = "imports", operation_id = "import_people",
    summary = "导入民辅警名册",
    description = "党务管理员、书记/支委。请求体是 .xlsx 文件的原始内容，不是 JSON 也不是 multipart 表单，\
        `Content-Type` 不检查。文件、解压后大小、行数、列数超过配置的上限（默认 20 MB、100 MB、100000 行、200 列）时 413；\
        另一项导入正在进行时 503，稍后重试。`dry_run` 为 `true`、`1` 或 `yes` 时只检查、不写入；`filename` 为记入审计日志的文件名。\
        导入是“全部或全不”：有任何一行被拒绝时不写入任何一行。按身份证号逐行判断新建还是更新；填了入党日期的行同时建立党员档案。\
        所在党组织为空时按所在单位（名称或其他叫法）取覆盖它的党组织，仍找不到时放到 `org` 指定的党组织，否则该行被拒绝并列出相近的单位。\
        每行的 `errors` 是拒绝的原因，`warnings` 是照常导入的提示（如中共党员没有转正日期：按正式党员导入、转正日期待补录）。",
    params(ApiQuery),
    request_body(
        content = crate::openapi::Binary,
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        description = "Excel 名册文件本身",
    ),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "检查结果（`dry_run`），`committed` 为 false", body = ImportReport),
        (status = 201, description = "已导入，`committed` 为 true", body = ImportReport),
        (status = 400, description = "请求体为空（`field` 为 `file`）或查询参数有误", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 422, description = "有被拒绝的行：正文是导入报告（`committed` 为 false，没有写入）；\
        或不是可读的 Excel 文件、找不到表头、没有数据行：正文是错误（`field` 为 `file`）",
            body = ImportRejected),
        (status = 413, description = "文件、解压后的大小、行数或列数超过上限（`code` 为 `too_large`，`field` 为 `file`）", body = ErrorBody),
        (status = 503, description = "另一项导入正在进行（`code` 为 `busy`），稍后重试", body = ErrorBody),
    )
)]
pub async fn api(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<ApiQuery>,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Response> {
    let body = import_page::api_body(&state, body)?;
    if import_page::dry_run(q.dry_run.as_deref()) {
        let report = import::preview(&state, &actor, body, q.org.as_deref()).await?;
        return Ok(Json(report).into_response());
    }
    let filename = q.filename.unwrap_or_else(|| "api.xlsx".into());
    Ok(import_page::committed(import::commit(&state, &actor, body, &filename, None, q.org.as_deref()).await?))
}
