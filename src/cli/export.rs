//! `dangjian export …`: the same export as the web page, run as `cli` (the whole bureau) and
//! audited alike, with the rows written shown on stderr for a large roster.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{ExportCommand, app_err};
use crate::auth::sessions;
use crate::orgs::entity as org;
use crate::people::service::PersonFilter;
use crate::state::AppState;

/// Rows from which the command line shows how far the workbook has got.
const SHOW_PROGRESS_FROM: usize = 2_000;

pub async fn run(state: &AppState, cmd: ExportCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ExportCommand::People { file, org, q, kind, employment_status, political_status } => {
            let org = match org.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                Some(text) => Some(org_named(state, text).await?),
                None => None,
            };
            let filter = PersonFilter { q, kind, employment_status, political_status, org };
            let actor = sessions::cli_root_actor();
            let sheet = crate::people::service::export_sheet(state, &actor, &filter).await.map_err(app_err)?;
            let total = sheet.rows.len();
            let shown = total >= SHOW_PROGRESS_FROM;
            let bytes = crate::io::exports::write_in_batches(sheet, |done| {
                if shown {
                    eprint!("\r正在写入：已写 {done} / {total} 行    ");
                    // Progress only; a closed stderr must not stop the export.
                    let _ = std::io::stderr().flush();
                }
                std::future::ready(Ok(()))
            })
            .await
            .map_err(app_err)?;
            if shown {
                eprintln!();
            }
            save(&file, &bytes)?;
            println!("已导出 {total} 人到 {}", file.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A live organization by id or exact name; a name shared by several asks for the id.
async fn org_named(state: &AppState, text: &str) -> anyhow::Result<i32> {
    let id = crate::ui::params::picked_id(text);
    let live = org::Entity::find().filter(org::Column::DissolvedAt.is_null());
    if let Some(id) = id
        && let Some(o) = live.clone().filter(org::Column::Id.eq(id)).one(&state.db).await?
    {
        return Ok(o.id);
    }
    let named = live.filter(org::Column::Name.eq(text)).all(&state.db).await?;
    match named.as_slice() {
        [one] => Ok(one.id),
        [] => anyhow::bail!("找不到名为“{text}”的党组织"),
        many => {
            let ids: Vec<String> = many.iter().map(|o| o.id.to_string()).collect();
            anyhow::bail!("有 {} 个名为“{text}”的党组织（编号 {}），请改填编号", many.len(), ids.join("、"))
        }
    }
}

/// Writes the workbook beside its final name first, so an interrupted export leaves no
/// half-written file under that name.
fn save(file: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut part = file.as_os_str().to_owned();
    part.push(".part");
    let part = std::path::PathBuf::from(part);
    std::fs::write(&part, bytes).with_context(|| format!("无法写入 {}", part.display()))?;
    std::fs::rename(&part, file).with_context(|| format!("无法写入 {}", file.display()))?;
    Ok(())
}
