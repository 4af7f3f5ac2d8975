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

pub async fn run(state: &AppState, cmd: ImportCommand) -> anyhow::Result<ExitCode> {
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
