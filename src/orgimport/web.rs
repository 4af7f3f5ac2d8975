//! The organization import's page and endpoint: template download, upload with preview,
//! confirmation; `POST /api/v1/imports/orgs`.

use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::commit::{commit, preview};
use super::{OrgImportReport, OrgRowReport};
use crate::auth::{Actor, Permission};
use crate::error::{AppResult, ErrorBody};
use crate::io::import_page::{self, CHANGED_SINCE_PREVIEW, for_page};
use crate::io::{uploads, xlsx};
use crate::state::AppState;
use crate::ui::params::{IdPath, Params};
use crate::ui::{Flash, Layout, render};

const KIND: &str = "orgs";

#[derive(Template)]
#[template(path = "orgimport/import.html")]
struct ImportPage {
    layout: Layout,
    error: Option<String>,
    report: Option<OrgImportReport>,
    upload_id: Option<i32>,
    filename: String,
    hidden_rows: usize,
}

import_page::sheet_report!(OrgImportReport, OrgRowReport);

fn page_of(actor: &Actor) -> ImportPage {
    ImportPage {
        layout: Layout::new(actor, "导入组织树", "/orgs", None)
            .crumb("党组织", Some("/orgs".into()))
            .crumb("导入组织树", None),
        error: None,
        report: None,
        upload_id: None,
        filename: String::new(),
        hidden_rows: 0,
    }
}

pub async fn page(actor: Actor) -> AppResult<Response> {
    actor.require(Permission::OrgWrite)?;
    Ok(render(&page_of(&actor)))
}

pub async fn template(actor: Actor) -> AppResult<Response> {
    actor.require(Permission::OrgWrite)?;
    Ok(xlsx::download("党组织导入模板.xlsx", super::template()?))
}

/// Upload: keep the file, show what importing it would do.
pub async fn upload(State(state): State<AppState>, actor: Actor, mut multipart: Multipart) -> AppResult<Response> {
    actor.require(Permission::OrgWrite)?;
    let shown =
        import_page::upload(&state, &actor, &mut multipart, KIND, &[], |bytes, _| preview(&state, &actor, bytes))
            .await?;
    let view = ImportPage {
        error: shown.error,
        report: shown.report,
        upload_id: shown.upload_id,
        filename: shown.filename,
        hidden_rows: shown.hidden_rows,
        ..page_of(&actor)
    };
    Ok((shown.status, render(&view)).into_response())
}

/// Confirmation of a previewed upload: all rows or none.
pub async fn confirm(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    actor.require(Permission::OrgWrite)?;
    let upload = uploads::load(&state, &actor, KIND, id).await?;
    let report = commit(&state, &actor, Bytes::from(upload.content), &upload.filename, Some(id)).await?;
    if !report.committed {
        let mut report = report;
        let hidden_rows = for_page(&mut report);
        let mut view = page_of(&actor);
        view.error = Some(CHANGED_SINCE_PREVIEW.into());
        view.report = Some(report);
        view.filename = upload.filename;
        view.hidden_rows = hidden_rows;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response());
    }
    let mut message = format!(
        "组织树导入完成：新建 {} 个党组织，更新 {} 个，无变化 {} 个，新建单位 {} 个",
        report.created, report.updated, report.unchanged, report.new_units
    );
    if report.warned > 0 {
        message.push_str(&format!("；{} 行带提示（如书记待补录），可以以后补录", report.warned));
    }
    Ok(Flash::ok(message).redirect("/orgs"))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApiQuery {
    #[serde(default)]
    #[param(example = "true")]
    dry_run: Option<String>,
    #[serde(default)]
    #[param(example = "组织树.xlsx")]
    filename: Option<String>,
}

/// The two bodies a 422 of the import can have (for the OpenAPI document).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[schema(description = "有被拒绝的行时为导入报告，文件无法识别时为错误")]
pub enum OrgImportRejected {
    Report(OrgImportReport),
    Error(ErrorBody),
}

/// `POST /api/v1/imports/orgs?dry_run=true`: the .xlsx file as the request body.
#[utoipa::path(
    post, path = "/imports/orgs", tag = "imports", operation_id = "import_orgs",
    summary = "导入组织树",
    description = "党务管理员。请求体是 .xlsx 文件的原始内容（名称、类型、上级党组织、成立日期、届期、覆盖单位、书记），\
        表头之上可以有标题行，列的顺序不限。上级党组织按名称（或编号）找：表中的另一行（可以在本行之后）或您管辖范围内已有的党组织。\
        同一上级下已有同名党组织时更新它（只改给出且不同的项），否则新建。循环、找不到的上级、上级不能容纳的类型、同一上级下重名\
        都是错误，指明行和列；覆盖单位中名单没有的单位会新建（提示）；书记在该组织的名册中恰有一名同名正式党员时登记为书记，否则提示待补录。\
        导入是“全部或全不”：有任何一行被拒绝时不写入任何一行。`dry_run` 为 `true`、`1` 或 `yes` 时只检查；另一项导入进行中时 503。",
    params(ApiQuery),
    request_body(
        content = crate::openapi::Binary,
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        description = "Excel 组织树文件本身",
    ),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "检查结果（`dry_run`），`committed` 为 false", body = OrgImportReport),
        (status = 201, description = "已导入，`committed` 为 true", body = OrgImportReport),
        (status = 400, description = "请求体为空（`field` 为 `file`）或查询参数有误", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有党组织维护权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 413, description = "文件、解压后的大小、行数或列数超过上限（`code` 为 `too_large`）", body = ErrorBody),
        (status = 422, description = "有被拒绝的行：正文是导入报告（`committed` 为 false，没有写入）；\
        或不是可读的 Excel 文件、找不到表头、没有数据行：正文是错误（`field` 为 `file`）", body = OrgImportRejected),
        (status = 503, description = "另一项导入正在进行（`code` 为 `busy`），稍后重试", body = ErrorBody),
    )
)]
pub async fn api(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<ApiQuery>,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Response> {
    actor.require(Permission::OrgWrite)?;
    let body = import_page::api_body(&state, body)?;
    if import_page::dry_run(q.dry_run.as_deref()) {
        return Ok(Json(preview(&state, &actor, body).await?).into_response());
    }
    let filename = q.filename.unwrap_or_else(|| "api.xlsx".into());
    Ok(import_page::committed(commit(&state, &actor, body, &filename, None).await?))
}
