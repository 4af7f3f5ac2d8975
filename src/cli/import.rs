//! `dangjian import …`: the same import as the web page and the API, run as `cli` (the whole
//! bureau), printing errors (rows refused) apart from warnings (rows accepted with a note),
//! each with its row, column and reason.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use super::{ImportCommand, app_err};
use crate::auth::sessions;
use crate::state::AppState;

fn read(state: &AppState, file: &Path) -> anyhow::Result<axum::body::Bytes> {
    let size = std::fs::metadata(file).with_context(|| format!("无法读取 {}", file.display()))?.len();
    crate::io::sheet::check_size(usize::try_from(size).unwrap_or(usize::MAX), &state.config.uploads)
        .map_err(app_err)?;
    Ok(axum::body::Bytes::from(std::fs::read(file).with_context(|| format!("无法读取 {}", file.display()))?))
}

/// Rows from which the command line shows how far an import has got.
const SHOW_PROGRESS_FROM: u64 = 2_000;

/// Writes "正在检查：已处理 N 行" to stderr, over itself, every quarter second while the import runs
/// (once it has passed a few thousand rows); the returned guard ends the line.
fn show_progress(state: &AppState) -> ProgressLine {
    let progress = state.progress.clone();
    let shown_flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = shown_flag.clone();
    let task = tokio::spawn(async move {
        let mut shown = false;
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            let now = progress.snapshot();
            if !now.phase.is_empty() && (shown || now.rows >= SHOW_PROGRESS_FROM) {
                eprint!("\r正在{}：已处理 {} 行    ", now.phase, now.rows);
                shown = true;
                flag.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
    });
    ProgressLine(task, shown_flag)
}

struct ProgressLine(tokio::task::JoinHandle<()>, std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Drop for ProgressLine {
    fn drop(&mut self) {
        self.0.abort();
        if self.1.load(std::sync::atomic::Ordering::Relaxed) {
            eprintln!();
        }
    }
}

pub async fn run(state: &AppState, cmd: ImportCommand) -> anyhow::Result<ExitCode> {
    let line = show_progress(state);
    let result = run_command(state, cmd).await;
    drop(line);
    result
}

async fn run_command(state: &AppState, cmd: ImportCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ImportCommand::People { file, dry_run, org } => {
            let bytes = read(state, &file)?;
            let actor = sessions::cli_root_actor();
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let report = if dry_run {
                crate::people::import::preview(state, &actor, bytes, org.as_deref()).await
            } else {
                crate::people::import::commit(state, &actor, bytes, &name, None, org.as_deref()).await
            }
            .map_err(app_err)?;
            if report.committed {
                // The server refreshes the statistics beside its answer; this process ends now.
                crate::db::analyze_after_bulk(&state.db).await?;
            }
            println!("表头在第 {} 行", report.header_row);
            if !report.ignored_columns.is_empty() {
                println!("未使用的列：{}", report.ignored_columns.join("、"));
            }
            for row in &report.rows {
                for e in &row.errors {
                    println!("错误 第 {} 行「{}」：{}", row.row, e.column, e.reason);
                }
            }
            for row in &report.rows {
                for w in &row.warnings {
                    println!("提示 第 {} 行「{}」：{}", row.row, w.column, w.reason);
                }
            }
            let summary = format!(
                "新建 {} 人，更新 {} 人，无变化 {} 人，拒绝 {} 行，带提示 {} 行",
                report.created, report.updated, report.unchanged, report.rejected, report.warned
            );
            finish(report.rejected > 0, dry_run, &summary)
        }
        ImportCommand::Orgs { file, dry_run } => {
            let bytes = read(state, &file)?;
            let actor = sessions::cli_root_actor();
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let report = if dry_run {
                crate::orgimport::commit::preview(state, &actor, bytes).await
            } else {
                crate::orgimport::commit::commit(state, &actor, bytes, &name, None).await
            }
            .map_err(app_err)?;
            println!("表头在第 {} 行", report.header_row);
            if !report.ignored_columns.is_empty() {
                println!("未使用的列：{}", report.ignored_columns.join("、"));
            }
            let notes = |key: &str| {
                for row in &report.rows {
                    let list = if key == "错误" { &row.errors } else { &row.warnings };
                    for n in list {
                        println!("{key} 第 {} 行「{}」：{}", row.row, n.column, n.reason);
                    }
                }
            };
            notes("错误");
            notes("提示");
            let summary = format!(
                "新建 {} 个党组织，更新 {} 个，无变化 {} 个，新建单位 {} 个，拒绝 {} 行，带提示 {} 行",
                report.created, report.updated, report.unchanged, report.new_units, report.rejected, report.warned
            );
            finish(report.rejected > 0, dry_run, &summary)
        }
    }
}

fn finish(rejected: bool, dry_run: bool, summary: &str) -> anyhow::Result<ExitCode> {
    if rejected {
        println!("{summary}；有被拒绝的行，未导入任何数据");
        return Ok(ExitCode::FAILURE);
    }
    if dry_run {
        println!("检查完成（未写入）：{summary}");
    } else {
        println!("导入完成：{summary}");
    }
    Ok(ExitCode::SUCCESS)
}
