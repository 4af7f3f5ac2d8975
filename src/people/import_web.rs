//! Import pages and endpoints: template download, upload with preview, confirmation.

use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::import::{self, ImportReport};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
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
}

fn layout(actor: &Actor) -> Layout {
    Layout::new(actor, "导入民辅警名册", "/people", None)
        .crumb("民辅警档案", Some("/people".into()))
        .crumb("导入", None)
}

pub async fn page(actor: Actor) -> AppResult<Response> {
    actor.require(Permission::PersonWrite)?;
    let view =
        ImportPage { layout: layout(&actor), error: None, report: None, upload_id: None, filename: String::new() };
    Ok(render(&view))
}

pub async fn template(actor: Actor) -> AppResult<Response> {
    actor.require(Permission::PersonWrite)?;
    Ok(xlsx::download("民辅警导入模板.xlsx", import::template()?))
}

/// Upload: keep the file, show what importing it would do.
pub async fn upload(State(state): State<AppState>, actor: Actor, mut multipart: Multipart) -> AppResult<Response> {
    actor.require(Permission::PersonWrite)?;
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) =
        multipart.next_field().await.map_err(|_| AppError::bad_request(Some("file"), "上传内容无法读取"))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("名册.xlsx").to_owned();
            let data = field.bytes().await.map_err(|_| AppError::bad_request(Some("file"), "上传内容无法读取"))?;
            file = Some((name, data.to_vec()));
        }
    }
    let mut view =
        ImportPage { layout: layout(&actor), error: None, report: None, upload_id: None, filename: String::new() };
    let Some((filename, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        view.error = Some("请选择要导入的 Excel 文件".into());
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response());
    };
    match import::preview(&state, &actor, &bytes).await {
        Ok(report) => {
            if report.rejected == 0 {
                view.upload_id = Some(uploads::save(&state, &actor, KIND, &filename, bytes).await?);
            }
            view.filename = filename;
            view.report = Some(report);
            Ok(render(&view))
        }
        Err(AppError::Validation { message, .. }) => {
            view.error = Some(message);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
        }
        Err(err) => Err(err),
    }
}

/// Confirmation of a previewed upload: all rows or none.
pub async fn confirm(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    let upload = uploads::load(&state, &actor, KIND, id).await?;
    let report = import::commit(&state, &actor, &upload.content, &upload.filename, Some(id)).await?;
    if !report.committed {
        let view = ImportPage {
            layout: layout(&actor),
            error: Some("数据在预览之后发生了变化，有行不能导入，未写入任何数据。请修正后重新上传。".into()),
            report: Some(report),
            upload_id: None,
            filename: upload.filename,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response());
    }
    let message =
        format!("导入完成：新建 {} 人，更新 {} 人，无变化 {} 人", report.created, report.updated, report.unchanged);
    Ok(Flash::ok(message).redirect("/people"))
}

#[derive(Deserialize, Default)]
pub struct ApiQuery {
    #[serde(default)]
    dry_run: Option<String>,
    #[serde(default)]
    filename: Option<String>,
}

/// `POST /api/v1/imports/people?dry_run=true`: the .xlsx file as the request body. A dry run
/// answers 200 with the report; a commit 201, or 422 with the report when rows were rejected
/// (then nothing was written).
pub async fn api(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<ApiQuery>,
    body: Bytes,
) -> AppResult<Response> {
    let dry_run = q.dry_run.as_deref().is_some_and(|v| matches!(v, "true" | "1" | "yes"));
    if body.is_empty() {
        return Err(AppError::bad_request(Some("file"), "请求体应为 Excel 文件内容"));
    }
    if dry_run {
        let report = import::preview(&state, &actor, &body).await?;
        return Ok(Json(report).into_response());
    }
    let filename = q.filename.unwrap_or_else(|| "api.xlsx".into());
    let report = import::commit(&state, &actor, &body, &filename, None).await?;
    let status = if report.committed { StatusCode::CREATED } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, Json(report)).into_response())
}
