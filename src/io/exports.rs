//! Large Excel exports as jobs: the rows are read (and the export audited) by the request, then
//! the workbook is written on the blocking pool a batch at a time, so the async workers keep
//! answering other requests. How far it has got is kept in `export_jobs`, so any instance can
//! show it (the browser asks like the import page does); the finished file can be downloaded
//! only by the account that started the job, for a day.

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect, Set};
use serde::Serialize;

use super::parts::Owner;
use super::xlsx::TableWriter;
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "export_jobs")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub kind: String,
        pub filename: String,
        pub created_by: i32,
        pub created_at: DateTime,
        pub total_rows: i32,
        pub done_rows: i32,
        pub finished_at: Option<DateTime>,
        pub failure: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Rows written between two progress updates.
const BATCH: usize = 2_000;
/// A job not finished after this long was lost with its instance (a restart).
const LOST_AFTER_MINUTES: i64 = 30;

/// One sheet to write: what `xlsx::table` takes, owned so it can move to the blocking pool.
pub struct Sheet {
    pub sheet_name: &'static str,
    pub title: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

fn joined(e: tokio::task::JoinError) -> AppError {
    AppError::Internal(anyhow::Error::new(e))
}

/// A small export, answered at once but still written off the async workers.
pub async fn build(sheet: Sheet) -> AppResult<Vec<u8>> {
    tokio::task::spawn_blocking(move || super::xlsx::table(sheet.sheet_name, &sheet.title, &sheet.headers, &sheet.rows))
        .await
        .map_err(joined)?
}

/// Whether `rows` rows are exported as a job rather than at once (`[exports] job_from_rows`).
pub fn as_job(state: &AppState, rows: usize) -> bool {
    rows >= state.config.exports.job_from_rows as usize
}

/// Records a job of `kind` for this actor and starts writing `sheet` beside the requests;
/// answers the job's id.
pub async fn start(state: &AppState, actor: &Actor, kind: &str, filename: &str, sheet: Sheet) -> AppResult<i32> {
    purge_stale(state).await?;
    let row = entity::ActiveModel {
        kind: Set(kind.to_owned()),
        filename: Set(filename.chars().take(255).collect()),
        created_by: Set(actor.user_id),
        created_at: Set(state.clock.now_db()),
        total_rows: Set(i32::try_from(sheet.rows.len()).unwrap_or(i32::MAX)),
        done_rows: Set(0),
        ..Default::default()
    }
    .insert(&state.db)
    .await?;
    let id = row.id;
    let state = state.clone();
    tokio::spawn(async move {
        let saved = match write(&state, id, sheet).await {
            Ok(bytes) => save(&state, id, &bytes, None).await,
            Err(e) => {
                tracing::error!(job = id, "export failed: {e:#}");
                save(&state, id, &[], Some("生成文件失败，请重新导出")).await
            }
        };
        if let Err(e) = saved {
            tracing::error!(job = id, "export not saved: {e}");
        }
    });
    Ok(id)
}

/// Stores the file in pieces and marks the job finished, in one transaction: a download sees
/// the whole file or none of it.
async fn save(state: &AppState, id: i32, bytes: &[u8], failure: Option<&str>) -> Result<(), sea_orm::DbErr> {
    let txn = crate::db::begin_write(&state.db).await?;
    super::parts::store(&txn, Owner::Export, id, bytes).await?;
    entity::Entity::update_many()
        .col_expr(entity::Column::Failure, Expr::value(failure.map(str::to_owned)))
        .col_expr(entity::Column::FinishedAt, Expr::value(state.clock.now_db()))
        .filter(entity::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    txn.commit().await
}

async fn write(state: &AppState, id: i32, sheet: Sheet) -> AppResult<Vec<u8>> {
    write_in_batches(sheet, |done| {
        let db = state.db.clone();
        async move {
            entity::Entity::update_many()
                .col_expr(entity::Column::DoneRows, Expr::value(done))
                .filter(entity::Column::Id.eq(id))
                .exec(&db)
                .await?;
            Ok(())
        }
    })
    .await
}

/// Writes `sheet` on the blocking pool a batch at a time, telling `progress` how many rows are
/// written after each batch (the job's row, or the command line's progress line).
pub async fn write_in_batches<F, P>(sheet: Sheet, mut progress: P) -> AppResult<Vec<u8>>
where
    P: FnMut(i32) -> F,
    F: std::future::Future<Output = AppResult<()>>,
{
    let Sheet { sheet_name, title, headers, rows } = sheet;
    let mut writer =
        tokio::task::spawn_blocking(move || TableWriter::new(sheet_name, &title, &headers)).await.map_err(joined)??;
    let mut rows = rows.into_iter();
    let mut done = 0i32;
    loop {
        let batch: Vec<Vec<String>> = rows.by_ref().take(BATCH).collect();
        if batch.is_empty() {
            break;
        }
        done = done.saturating_add(i32::try_from(batch.len()).unwrap_or(i32::MAX));
        writer = tokio::task::spawn_blocking(move || writer.rows(&batch).map(|()| writer)).await.map_err(joined)??;
        progress(done).await?;
    }
    tokio::task::spawn_blocking(move || writer.finish()).await.map_err(joined)?
}

/// What the page and its script are shown; numbers only, nothing of the rows.
#[derive(Debug, Clone, Serialize, FromQueryResult)]
pub struct Status {
    #[serde(skip)]
    pub id: i32,
    #[serde(skip)]
    kind: String,
    #[serde(skip)]
    created_by: i32,
    #[serde(skip)]
    created_at: chrono::NaiveDateTime,
    #[serde(skip)]
    pub filename: String,
    #[serde(rename = "total")]
    pub total_rows: i32,
    #[serde(rename = "rows")]
    pub done_rows: i32,
    #[serde(skip)]
    finished_at: Option<chrono::NaiveDateTime>,
    pub failure: Option<String>,
    /// Finished and the file can be downloaded.
    #[sea_orm(skip)]
    pub ready: bool,
    /// While running: 写入 (rows going into the sheet) or 打包 (every row written, the file
    /// being compressed, which takes a while of its own).
    #[sea_orm(skip)]
    pub phase: &'static str,
}

/// The job `id` of `kind` if this actor started it; anyone else's (or none) is 404 with the
/// refusal audited, as for uploads.
pub async fn status(state: &AppState, actor: &Actor, kind: &str, id: i32) -> AppResult<Status> {
    use entity::Column as C;
    let found = entity::Entity::find_by_id(id)
        .select_only()
        .columns([C::Id, C::Kind, C::CreatedBy, C::CreatedAt, C::Filename, C::TotalRows, C::DoneRows])
        .columns([C::FinishedAt, C::Failure])
        .into_model::<Status>()
        .one(&state.db)
        .await?;
    let mut job = match found {
        Some(job) if job.created_by == actor.user_id && job.kind == kind => job,
        _ => {
            let event = crate::audit::Event::by(actor, "access.denied").object("export", id);
            crate::audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
            return Err(AppError::NotFound);
        }
    };
    let now = state.clock.now_db();
    if job.finished_at.is_none() && job.created_at < now - chrono::Duration::minutes(LOST_AFTER_MINUTES) {
        job.failure = Some("导出中断（服务重启），请重新导出".into());
    }
    job.ready = job.finished_at.is_some() && job.failure.is_none();
    job.phase = match (job.finished_at.is_some() || job.failure.is_some(), job.done_rows >= job.total_rows) {
        (true, _) => "",
        (false, false) => "写入",
        (false, true) => "打包",
    };
    Ok(job)
}

/// The finished file of this actor's job: (file name, bytes).
pub async fn file(state: &AppState, actor: &Actor, kind: &str, id: i32) -> AppResult<(String, Vec<u8>)> {
    let job = status(state, actor, kind, id).await?;
    if !job.ready {
        return Err(AppError::conflict("export", "文件还没有生成好，请稍候"));
    }
    Ok((job.filename, super::parts::read(&state.db, Owner::Export, id).await?))
}

/// Jobs older than a day are dropped with their files: they hold personal data.
pub async fn purge_stale(state: &AppState) -> AppResult<()> {
    let cutoff = state.clock.now_db() - chrono::Duration::days(1);
    let stale = entity::Entity::find().filter(entity::Column::CreatedAt.lt(cutoff));
    super::parts::drop_owners(&state.db, Owner::Export, stale, entity::Column::Id).await?;
    Ok(())
}
