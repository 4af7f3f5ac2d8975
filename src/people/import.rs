//! Excel import of the roster (create or update, keyed by 身份证号): find the header row under
//! titles and merged headings, map columns by name in any order, clean each cell, validate
//! every row as the form does, preview, then commit all rows or none.

use std::collections::{HashMap, HashSet};

use axum::body::Bytes;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use serde_json::json;
use tokio::sync::mpsc;

use super::entity::{self as person, Column};
use super::import_sheet::{CHANNEL_ROWS, Parsed, RowValues, column_label, read_rows};
pub use super::import_sheet::{COLUMNS, template};
use super::import_units::{OrgIndex, place};
use super::service::{changed_fields, insert_many_in, update_in, write_search_keys};
use super::{PersonInput, field_label, mask_id, validate};
use crate::audit::{self, Event};
use crate::auth::{Actor, Permission};
use crate::db::org_paths::OrgRef;
use crate::error::{AppError, AppResult};
use crate::io::progress::Phase;
use crate::module::{PartyCells, PartyColumns, PlannedCells};
use crate::orgs::{entity as org, store};
use crate::state::AppState;

pub use crate::io::table::CellError;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一行的结果：`row` 为 Excel 中看到的行号；`action` 为新建、更新、无变化、拒绝；\
    `changes` 为更新会改变的字段；`errors` 为被拒绝的原因；`warnings` 为照常导入、但数据不完整或经推断的提示（列名和原因）")]
pub struct RowReport {
    /// Row number as the spreadsheet shows it.
    pub row: usize,
    pub name: String,
    pub id_number_masked: String,
    /// 新建, 更新, 无变化 or 拒绝.
    #[schema(value_type = String, example = "新建")]
    pub action: &'static str,
    /// Labels of the fields an update changes.
    pub changes: Vec<String>,
    pub errors: Vec<CellError>,
    /// Accepted with a note: incomplete data to finish later, or a value the import inferred.
    pub warnings: Vec<CellError>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "导入报告：`header_row` 为表头所在行，`ignored_columns` 为没有用上的列，`committed` 表示是否已写入；\
    `warned` 为带提示而照常导入的行数（提示不妨碍导入，被拒绝的行才妨碍）"
)]
pub struct ImportReport {
    pub header_row: usize,
    pub ignored_columns: Vec<String>,
    pub rows: Vec<RowReport>,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
    pub warned: usize,
    pub committed: bool,
}

/// Rows validated together, with their existing records looked up in one query.
const CHUNK_ROWS: usize = 500;
/// New people per INSERT: 25 columns each stays well under SQLite's 32,766 bound parameters.
const INSERT_ROWS: usize = 500;
type Membership = Option<crate::module::MembershipDates>;
/// A row to write: the existing record if any, the person, the organization's index in
/// [`Plan::orgs`], and the new membership's dates.
/// The existing record is boxed: most rows of a large import are new, and an inline `None`
/// would still take a whole record's room.
type Write = (Option<Box<person::Model>>, super::ValidPerson, usize, Membership);

/// What higher domains planned for rows (`crate::module::RosterColumns`), by ID number: the
/// domain's index among the installed ones and its plan.
type Extras = HashMap<String, Vec<(usize, PlannedCells)>>;

struct Plan {
    report: ImportReport,
    /// The organizations the actor may register people in.
    orgs: Vec<org::Model>,
    writes: Vec<Write>,
    extras: Extras,
}

/// What the planner carries from one chunk of rows to the next.
struct Progress {
    report: ImportReport,
    writes: Vec<Write>,
    extras: Extras,
    seen_ids: HashMap<String, usize>,
    seen_nos: HashMap<String, usize>,
    /// Rows whose ID number belongs to a record outside the uploader's reach (masked): saying so
    /// confirms the number exists, so each file that does is audited like a refused access.
    out_of_scope: Vec<String>,
}

/// One import at a time per instance; a second one is told to come back shortly.
fn import_permit(state: &AppState) -> AppResult<tokio::sync::OwnedSemaphorePermit> {
    state
        .imports
        .clone()
        .try_acquire_owned()
        .map_err(|_| AppError::Busy("另一项导入正在进行，请稍候一两分钟再试".into()))
}

async fn plan(state: &AppState, actor: &Actor, bytes: Bytes, target: Option<&str>) -> AppResult<Plan> {
    actor.require(Permission::PersonWrite)?;
    crate::io::sheet::check_size(bytes.len(), &state.config.uploads)?;
    let today = state.clock.today();

    let orgs = org::Entity::find()
        .filter(store::in_scope(org::Column::Path, &actor.scope(Permission::PersonWrite)))
        .filter(org::Column::DissolvedAt.is_null())
        .all(&state.db)
        .await?;
    let mut index = OrgIndex::new(orgs, crate::orgs::units::UnitIndex::load(&state.db).await?);
    index.choose_target(target)?;

    // The spreadsheet is read on a blocking thread, within the upload limits, and arrives here
    // row by row: only a chunk of raw rows is held at a time.
    let (tx, mut rx) = mpsc::channel(CHANNEL_ROWS);
    let limits = state.config.uploads.clone();
    let reader = tokio::task::spawn_blocking(move || {
        if let Err(e) = read_rows(&bytes, &limits, &tx) {
            let _ = tx.blocking_send(Err(e));
        }
    });
    let header = match rx.recv().await {
        Some(Ok(Parsed::Header(h))) => h,
        Some(Err(e)) => return Err(e),
        _ => return Err(AppError::Internal(anyhow::anyhow!("名册读取中断"))),
    };
    let mut progress = Progress {
        report: ImportReport {
            header_row: header.row,
            ignored_columns: header.ignored,
            rows: Vec::new(),
            created: 0,
            updated: 0,
            unchanged: 0,
            rejected: 0,
            warned: 0,
            committed: false,
        },
        writes: Vec::new(),
        extras: HashMap::new(),
        seen_ids: HashMap::new(),
        seen_nos: HashMap::new(),
        out_of_scope: Vec::new(),
    };
    let mut chunk = Vec::with_capacity(CHUNK_ROWS);
    while let Some(next) = rx.recv().await {
        match next? {
            Parsed::Row(row_no, values, errors) => chunk.push((row_no, values, errors)),
            Parsed::Header(_) => return Err(AppError::Internal(anyhow::anyhow!("名册表头重复"))),
        }
        if chunk.len() == CHUNK_ROWS {
            plan_chunk(state, actor, today, &index, &mut progress, std::mem::take(&mut chunk)).await?;
        }
    }
    reader.await.map_err(|e| AppError::Internal(anyhow::anyhow!("名册读取失败：{e}")))?;
    plan_chunk(state, actor, today, &index, &mut progress, chunk).await?;
    if progress.report.rows.is_empty() {
        return Err(AppError::validation("file", "表头下面没有数据行"));
    }
    if !progress.out_of_scope.is_empty() {
        let found = progress.out_of_scope.len();
        progress.out_of_scope.truncate(100);
        let event = Event::by(actor, "access.denied")
            .summary(json!({"reason": "import_out_of_scope_ids", "rows": found, "ids": progress.out_of_scope}));
        audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    }
    Ok(Plan { report: progress.report, orgs: index.orgs, writes: progress.writes, extras: progress.extras })
}

/// Validates a chunk of rows as the form would, with the chunk's existing records (by ID and
/// police number) read in two queries.
async fn plan_chunk(
    state: &AppState,
    actor: &Actor,
    today: chrono::NaiveDate,
    index: &OrgIndex,
    p: &mut Progress,
    rows: Vec<(usize, RowValues, Vec<CellError>)>,
) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    state.progress.add(rows.len());
    let (orgs, by_id) = (&index.orgs, &index.by_id);
    let ids: Vec<String> = rows
        .iter()
        .filter_map(|(_, v, _)| v.get("id_number").map(|s| s.to_ascii_uppercase()))
        .filter(|s| !s.is_empty())
        .collect();
    let nos: Vec<String> = rows.iter().filter_map(|(_, v, _)| v.get("police_no").cloned()).collect();
    let mut existing: HashMap<String, person::Model> = HashMap::new();
    if !ids.is_empty() {
        for found in person::Entity::find().filter(Column::IdNumber.is_in(ids)).all(&state.db).await? {
            existing.insert(found.id_number.clone(), found);
        }
    }
    let mut police_owner: HashMap<String, person::Model> = HashMap::new();
    if !nos.is_empty() {
        let found = person::Entity::find()
            .filter(Column::PoliceNo.is_in(nos))
            .filter(Column::DeletedAt.is_null())
            .all(&state.db)
            .await?;
        for owner in found {
            if let Some(no) = owner.police_no.clone() {
                police_owner.insert(no, owner);
            }
        }
    }
    let write_scope = actor.scope(Permission::PersonWrite);
    let rules = crate::module::roster_rules()?;

    for (row_no, values, mut errors) in rows {
        let get = |f: &str| values.get(f).cloned().unwrap_or_default();
        let id_number = get("id_number").to_ascii_uppercase();

        // Organization by exact name (or id), else through the unit, else the chosen target.
        let org_text = get("org");
        let kept_org = existing
            .get(&id_number)
            .filter(|b| b.deleted_at.is_none())
            .and_then(|b| b.org_id)
            .and_then(|id| by_id.get(&id).map(|&i| &orgs[i]));
        let mut warnings: Vec<CellError> = Vec::new();
        let placed = place(index, &org_text, &get("unit"), kept_org, &mut errors, &mut warnings);
        let org = placed.org;
        let mut push = |column: &str, reason: String| errors.push(CellError { column: column.to_owned(), reason });
        // An existing record keeps what the file leaves out or blank; only given values change.
        // A record outside the actor's scope is never read into the row.
        let before = existing.get(&id_number).cloned();
        let out_of_scope = before
            .as_ref()
            .is_some_and(|b| b.deleted_at.is_some() || !b.org_path.as_deref().is_some_and(|p| write_scope.contains(p)));
        let before = if out_of_scope { None } else { before };
        let mut input = before
            .as_ref()
            .map(super::service::input_of)
            .unwrap_or_else(|| PersonInput { employment_status: "在职".into(), ..Default::default() });
        let overlay = |target: &mut String, field: &str| {
            let v = get(field);
            if !v.is_empty() {
                *target = v;
            }
        };
        overlay(&mut input.name, "name");
        overlay(&mut input.kind, "kind");
        overlay(&mut input.police_no, "police_no");
        input.id_number = id_number.clone();
        overlay(&mut input.gender, "gender");
        overlay(&mut input.birth_date, "birth_date");
        overlay(&mut input.ethnicity, "ethnicity");
        overlay(&mut input.education, "education");
        overlay(&mut input.phone, "phone");
        overlay(&mut input.unit, "unit");
        if let Some(u) = placed.unit {
            input.unit = u.name.clone();
        }
        overlay(&mut input.position, "position");
        overlay(&mut input.political_status, "political_status");
        overlay(&mut input.employment_status, "employment_status");
        overlay(&mut input.status_since, "status_since");
        overlay(&mut input.joined_police_on, "joined_police_on");
        input.org_id = match org {
            Some(o) => Some(o.id),
            // Flagged above already; keep validation from reporting it twice.
            None => Some(0),
        };
        // The Party columns are judged by the Party rules (`Module::roster`): a row that creates
        // a membership takes the political status it implies.
        let (joined_party, full_party, given_political) =
            (get("joined_party_on"), get("full_party_on"), get("political_status"));
        let cells = PartyCells { joined: &joined_party, full: &full_party, political_status: &given_political };
        let party = match &rules {
            Some(r) => (r.import_columns)(state, before.as_ref().map(|b| b.id), cells).await?,
            None => PartyColumns::default(),
        };
        for (column, reason) in party.errors.iter().cloned() {
            push(column, reason);
        }
        warnings.extend(party.warnings.iter().map(|(c, r)| CellError { column: (*c).to_owned(), reason: r.clone() }));
        if let Some(status) = party.joining {
            input.political_status = status.to_owned();
        }
        let already_flagged: HashSet<String> = errors.iter().map(|e| e.column.clone()).collect();
        let valid = match validate(&input, today) {
            Ok(v) => Some(super::ValidPerson { unit_id: placed.unit.map(|u| u.id), ..v }),
            Err(list) => {
                for (field, reason) in list {
                    let column = column_label(field).to_owned();
                    if !already_flagged.contains(&column) {
                        errors.push(CellError { column, reason });
                    }
                }
                None
            }
        };
        // Columns higher domains keep (警衔, 辅警合同 …), judged by their rules against the kind
        // the person has after the row.
        let kind = valid.as_ref().map_or(input.kind.as_str(), |v| v.kind.as_str());
        let mut extra_changes: Vec<&'static str> = Vec::new();
        let mut planned: Vec<(usize, PlannedCells)> = Vec::new();
        for (i, domain) in crate::module::roster_columns().iter().enumerate() {
            let cells: Vec<(&'static str, String)> = domain
                .columns
                .iter()
                .chain(domain.also_read)
                .filter_map(|(key, ..)| values.get(key).map(|text| (*key, text.clone())))
                .collect();
            let checked = (domain.check)(state, before.as_ref().map(|b| b.id), kind, &cells).await?;
            errors.extend(checked.errors.into_iter().map(|(column, reason)| CellError { column, reason }));
            extra_changes.extend(checked.changes);
            planned.extend(checked.planned.map(|plan| (i, plan)));
        }
        if !id_number.is_empty() {
            if let Some(first) = p.seen_ids.get(&id_number) {
                errors.push(CellError {
                    column: "身份证号".into(), reason: format!("与第 {first} 行的身份证号重复")
                });
            } else {
                p.seen_ids.insert(id_number.clone(), row_no);
            }
        }
        let police_no = get("police_no");
        if !police_no.is_empty() {
            if let Some(first) = p.seen_nos.get(&police_no) {
                errors
                    .push(CellError { column: "警号".into(), reason: format!("与第 {first} 行的警号重复") });
            } else {
                p.seen_nos.insert(police_no.clone(), row_no);
            }
            if let Some(owner) = police_owner.get(&police_no)
                && owner.id_number != id_number
            {
                let reason = format!("警号 {police_no} 已用于{}", super::service::holder(actor, owner));
                errors.push(CellError { column: "警号".into(), reason });
            }
        }
        if let Some(other) = existing.get(&id_number).filter(|_| out_of_scope) {
            p.out_of_scope.push(mask_id(&id_number));
            let reason = format!("身份证号已登记在{}，不能通过本次导入修改", super::service::holder(actor, other));
            errors.push(CellError { column: "身份证号".into(), reason });
        }
        let mut row = RowReport {
            row: row_no,
            name: input.name.clone(),
            id_number_masked: mask_id(&id_number),
            action: "拒绝",
            changes: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        if let (Some(v), Some(b), Some(r)) = (&valid, &before, &rules) {
            for (field, reason) in (r.check_change)(state, b.id, v.roster_change()).await? {
                errors.push(CellError { column: column_label(field).to_owned(), reason });
            }
        }
        let mut membership: Membership = None;
        if party.joining.is_some()
            && let (Some(v), Some(o), Some(r)) = (&valid, org, &rules)
        {
            let (problems, dates) = (r.import_dates)(v.birth_date, &o.kind, cells, today);
            for (column, reason) in problems {
                errors.push(CellError { column: column.into(), reason });
            }
            membership = dates.map(|d| crate::module::MembershipDates { full_unknown: party.full_unknown, ..d });
        }
        match (valid, org) {
            (Some(v), Some(o)) if errors.is_empty() => {
                match &before {
                    None => {
                        row.action = "新建";
                        p.report.created += 1;
                    }
                    Some(b) => {
                        let mut changes: Vec<String> =
                            changed_fields(b, &v, o).iter().map(|f| field_label(f).to_owned()).collect();
                        if membership.is_some() {
                            changes.push("党员档案".into());
                        }
                        changes.extend(extra_changes.iter().map(|c| (*c).to_owned()));
                        if changes.is_empty() {
                            row.action = "无变化";
                            p.report.unchanged += 1;
                        } else {
                            row.action = "更新";
                            row.changes = changes;
                            p.report.updated += 1;
                        }
                    }
                }
                if row.action != "无变化" {
                    if !planned.is_empty() {
                        p.extras.insert(v.id_number.clone(), planned);
                    }
                    p.writes.push((before.map(Box::new), v, by_id[&o.id], membership));
                }
                if !warnings.is_empty() {
                    p.report.warned += 1;
                    row.warnings = std::mem::take(&mut warnings);
                }
            }
            _ => {
                p.report.rejected += 1;
                row.errors = errors;
            }
        }
        p.report.rows.push(row);
    }
    Ok(())
}

/// Checks a file and says what an import would do, changing nothing.
/// `target` names the organization (name, id or picker text) for rows whose own organization
/// does not resolve through 所在党组织 or 所在单位.
pub async fn preview(state: &AppState, actor: &Actor, bytes: Bytes, target: Option<&str>) -> AppResult<ImportReport> {
    let _permit = import_permit(state)?;
    let _running = state.progress.start(Phase::Checking);
    Ok(plan(state, actor, bytes, target).await?.report)
}

/// Imports every row in one transaction, or nothing when any row is rejected.
/// `upload` is the stored upload being confirmed (web), marked in the same transaction.
pub async fn commit(
    state: &AppState,
    actor: &Actor,
    bytes: Bytes,
    filename: &str,
    upload: Option<i32>,
    target: Option<&str>,
) -> AppResult<ImportReport> {
    let _permit = import_permit(state)?;
    let _running = state.progress.start(Phase::Checking);
    let started = std::time::Instant::now();
    let Plan { mut report, orgs, writes, extras } = plan(state, actor, bytes, target).await?;
    tracing::debug!(took_ms = ms(started), rows = writes.len(), "import: checked");
    if report.rejected > 0 {
        return Ok(report);
    }
    state.progress.phase(Phase::Writing);
    // A row plans a membership only under the Party rules, which write it.
    let write_membership = crate::module::roster_rules()?.map(|r| r.write_membership);
    let domains = crate::module::roster_columns();
    let write_extras = async |txn: &sea_orm::DatabaseTransaction, id_number: &str, person_id: i32| -> AppResult<()> {
        for (i, plan) in extras.get(id_number).into_iter().flatten() {
            if let Some(domain) = domains.get(*i) {
                (domain.write)(txn, state, actor, person_id, plan.as_ref()).await?;
            }
        }
        Ok(())
    };
    let branch = |o: &org::Model| OrgRef { id: o.id, path: o.path.clone(), name: o.name.clone() };
    let txn = crate::db::begin_write(&state.db).await?;
    if let Some(id) = upload {
        crate::io::uploads::mark_committed(&txn, id, state.clock.now_db()).await?;
    }
    let mut members = 0usize;
    // New people in multi-row statements, then their memberships by the ids they got; changed
    // people one by one, since each change writes its history.
    let (creates, changes): (Vec<&Write>, Vec<&Write>) = writes.iter().partition(|(before, ..)| before.is_none());
    for chunk in creates.chunks(INSERT_ROWS) {
        let rows: Vec<_> = chunk.iter().map(|(_, v, o, _)| (v, &orgs[*o])).collect();
        let inserted = insert_many_in(&txn, state, &rows).await?;
        write_search_keys(&txn, &inserted).await?;
        state.progress.add(chunk.len());
        let joining: Vec<String> = chunk
            .iter()
            .filter(|(_, v, _, m)| m.is_some() || extras.contains_key(&v.id_number))
            .map(|(_, v, ..)| v.id_number.clone())
            .collect();
        if joining.is_empty() {
            continue;
        }
        let ids: HashMap<String, i32> = person::Entity::find()
            .filter(Column::IdNumber.is_in(joining))
            .filter(Column::DeletedAt.is_null())
            .all(&txn)
            .await?
            .into_iter()
            .map(|p| (p.id_number, p.id))
            .collect();
        for (_, v, o, membership) in chunk {
            if let (Some(dates), Some(id), Some(write)) = (membership, ids.get(&v.id_number), write_membership) {
                write(&txn, state, actor, *id, &branch(&orgs[*o]), *dates).await?;
                members += 1;
            }
            if let Some(id) = ids.get(&v.id_number) {
                write_extras(&txn, &v.id_number, *id).await?;
            }
        }
    }
    tracing::debug!(took_ms = ms(started), "import: new people written");
    for (before, v, o, membership) in changes {
        state.progress.add(1);
        let o = &orgs[*o];
        let Some(b) = before else { continue };
        let after = update_in(&txn, state, actor, b, v, o).await?.0;
        super::records::status_followers(&txn, state, actor, b, &after).await?;
        let person_id = after.id;
        write_extras(&txn, &v.id_number, person_id).await?;
        if let (Some(dates), Some(write)) = (membership, write_membership) {
            write(&txn, state, actor, person_id, &branch(o), *dates).await?;
            members += 1;
        }
    }
    let mut event = Event::by(actor, "person.import");
    if let Some(path) = crate::orgs::store::common_path(writes.iter().map(|(_, _, o, _)| orgs[*o].path.as_str())) {
        event = event.org(path);
    }
    let event = event.summary(json!({
        "file": filename, "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
        "memberships": members,
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    tracing::debug!(took_ms = ms(started), "import: committed");
    // The planner's statistics are refreshed beside the answer, not before it (~0.7 s at city
    // scale). A sampled ANALYZE (`analysis_limit`) would be quick but misjudges "deleted_at IS
    // NULL" and "replaced_by IS NULL" as selective and picks a 10× slower plan for lists.
    let db = state.db.clone();
    tokio::spawn(async move {
        if let Err(e) = crate::db::analyze_after_bulk(&db).await {
            tracing::warn!("statistics not refreshed after the import: {e}");
        }
    });
    report.committed = true;
    Ok(report)
}

fn ms(since: std::time::Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}
