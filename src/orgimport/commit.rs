//! Writing a planned tree: every organization, term, covered unit and 书记 in one transaction, in
//! dependency order, with the import's audit entry — or nothing when any row is refused.

use std::collections::HashMap;

use axum::body::Bytes;
use serde_json::json;

use super::OrgImportReport;
use super::plan::{Op, Parent, Plan, Target, plan};
use crate::audit::{self, Event};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::io::progress::Phase;
use crate::orgs::entity as org;
use crate::state::AppState;

/// One import at a time per instance (shared with the roster import).
fn permit(state: &AppState) -> AppResult<tokio::sync::OwnedSemaphorePermit> {
    state
        .imports
        .clone()
        .try_acquire_owned()
        .map_err(|_| AppError::Busy("另一项导入正在进行，请稍候一两分钟再试".into()))
}

/// Checks a file and says what an import would do, changing nothing.
pub async fn preview(state: &AppState, actor: &Actor, bytes: Bytes) -> AppResult<OrgImportReport> {
    let _permit = permit(state)?;
    let _running = state.progress.start(Phase::Checking);
    Ok(plan(state, actor, bytes).await?.report)
}

/// Imports every row in one transaction, or nothing when any row is refused. `upload` is the
/// stored upload being confirmed (web), marked in the same transaction.
pub async fn commit(
    state: &AppState,
    actor: &Actor,
    bytes: Bytes,
    filename: &str,
    upload: Option<i32>,
) -> AppResult<OrgImportReport> {
    let _permit = permit(state)?;
    let _running = state.progress.start(Phase::Checking);
    let Plan { mut report, orgs, ops } = plan(state, actor, bytes).await?;
    if report.rejected > 0 {
        return Ok(report);
    }
    state.progress.phase(Phase::Writing);
    let txn = crate::db::begin_write(&state.db).await?;
    if let Some(id) = upload {
        crate::io::uploads::mark_committed(&txn, id, state.clock.now_db()).await?;
    }
    // Organizations created by rows, by row index: later rows hang under them.
    let mut created: HashMap<usize, org::Model> = HashMap::new();
    let mut touched: Vec<String> = Vec::new();
    let mut secretaries = 0usize;
    for Op { row, target, term, units, secretary } in ops {
        let o = match target {
            Target::Create { parent, name, kind, unit_name } => {
                let parent =
                    match parent {
                        Parent::Root => None,
                        Parent::Org(x) => Some(&orgs[x]),
                        Parent::New(j) => Some(created.get(&j).ok_or_else(|| {
                            AppError::Internal(anyhow::anyhow!("组织树导入：第 {j} 项的上级尚未建立"))
                        })?),
                    };
                let o = crate::orgs::service::create_in(&txn, state, parent, &name, kind, unit_name).await?;
                created.insert(row, o.clone());
                o
            }
            Target::Update(x) => orgs[x].clone(),
        };
        let o = match term {
            Some((founded, years, elected)) => {
                crate::orgs::terms::write_in(&txn, state, &o, founded, years, elected).await?
            }
            None => o,
        };
        if !units.is_empty() {
            crate::orgs::units::service::cover_in(&txn, &o, &units).await?;
        }
        if let Some(person_id) = secretary {
            crate::party::committees::appoint_secretary_in(&txn, state, actor, &o, person_id).await?;
            secretaries += 1;
        }
        touched.push(o.path.clone());
        state.progress.add(1);
    }
    let mut event = Event::by(actor, "org.import");
    if let Some(path) = crate::orgs::store::common_path(touched.iter().map(String::as_str)) {
        event = event.org(path);
    }
    let created_ids: Vec<i32> = created.values().map(|o| o.id).take(200).collect();
    let event = event.summary(json!({
        "file": filename, "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
        "new_units": report.new_units, "secretaries": secretaries, "created_ids": created_ids,
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    report.committed = true;
    Ok(report)
}
