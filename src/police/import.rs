//! The police columns of the roster's import and export (see `crate::module::RosterColumns`):
//! 领导职务, 职级, 警衔, 授衔时间, 警种, 编制, 辅警类别, 用工单位, 派遣单位, 合同开始, 合同结束.
//! An existing person keeps what a row leaves blank; the row's values are checked as the form
//! checks them, against the person's kind after the row, and a bad one names its column.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::entity::profile as row;
use super::service::{changed, current, valid_of, write_in};
use super::{PoliceInput, ValidPolice, validate};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::module::{BoxFuture, CheckedCells, RosterColumn, RosterColumns};
use crate::state::AppState;

/// The columns, in the template's (and the export's) order.
pub const COLUMNS: &[RosterColumn] = &[
    ("leader_post", "领导职务", &["行政职务"]),
    ("grade", "职级", &["警员职级"]),
    ("police_rank", "警衔", &["警衔等级"]),
    ("rank_on", "授衔时间", &["晋衔时间", "授衔日期", "授衔（晋衔）时间"]),
    ("police_type", "警种", &[]),
    ("establishment", "编制", &["编制类型", "编制性质"]),
    ("aux_kind", "辅警类别", &["辅警类型"]),
    ("employer_kind", "用工单位", &["用工方式"]),
    ("employer_name", "派遣单位", &["派遣单位名称", "劳务派遣单位"]),
    ("contract_start", "合同开始", &["合同开始日期", "合同起始日期"]),
    ("contract_end", "合同结束", &["合同结束日期", "合同到期日期", "合同终止日期"]),
];

/// The roster's former combined column 职级/警衔, still read so that old files import: a 警衔
/// goes to 警衔, a 职级 to 职级.
pub const ALSO_READ: &[RosterColumn] = &[("rank_or_grade", "职级/警衔", &["警衔职级"])];

const DATES: [&str; 3] = ["rank_on", "contract_start", "contract_end"];

fn exported() -> impl Iterator<Item = &'static RosterColumn> {
    COLUMNS.iter()
}

pub fn columns() -> RosterColumns {
    RosterColumns { columns: COLUMNS, also_read: ALSO_READ, check, write, export }
}

/// Header names of the exported columns, in order.
pub fn export_headers() -> Vec<&'static str> {
    exported().map(|(_, h, _)| *h).collect()
}

fn header(key: &str) -> &'static str {
    COLUMNS.iter().chain(ALSO_READ).find(|(k, ..)| *k == key).map_or("警务信息", |(_, h, _)| h)
}

fn set(input: &mut PoliceInput, key: &str, value: String) {
    let slot = match key {
        "leader_post" => &mut input.leader_post,
        "grade" => &mut input.grade,
        "police_rank" => &mut input.police_rank,
        "rank_on" => &mut input.rank_on,
        "police_type" => &mut input.police_type,
        "establishment" => &mut input.establishment,
        "aux_kind" => &mut input.aux_kind,
        "employer_kind" => &mut input.employer_kind,
        "employer_name" => &mut input.employer_name,
        "contract_start" => &mut input.contract_start,
        "contract_end" => &mut input.contract_end,
        _ => return,
    };
    *slot = value;
}

/// The row's cells over what is recorded; problems by column header.
pub fn plan(
    before: &ValidPolice,
    kind: &str,
    cells: &[(&'static str, String)],
    today: chrono::NaiveDate,
) -> CheckedCells {
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut input = super::service::input_of(before);
    for (key, text) in cells {
        let mut value = text.trim().to_owned();
        if value.is_empty() {
            continue;
        }
        if DATES.contains(key) {
            match crate::io::cells::date(&value) {
                Ok(Some(d)) => value = d.to_string(),
                Ok(None) => continue,
                Err(reason) => {
                    errors.push((header(key).to_owned(), reason));
                    continue;
                }
            }
        }
        if *key == "rank_or_grade" {
            if super::RANKS.contains(&value.as_str()) {
                input.police_rank = value;
            } else if super::GRADES.contains(&value.as_str()) {
                input.grade = value;
            } else {
                errors.push((
                    header(key).to_owned(),
                    format!("“{value}”既不是警衔也不是职级；警衔可选：{}", super::RANKS.join("、")),
                ));
            }
            continue;
        }
        set(&mut input, key, value);
    }
    let after = match validate(&input, kind, today) {
        Ok(v) => v,
        Err(problems) => {
            let label = |field: &str| -> String {
                match field {
                    // The cell that gave the value: 职级/警衔 when the file uses the former column.
                    "grade" | "police_rank" if !cells.iter().any(|(k, _)| *k == field) => {
                        if cells.iter().any(|(k, _)| *k == "rank_or_grade") {
                            header("rank_or_grade").to_owned()
                        } else {
                            header(field).to_owned()
                        }
                    }
                    _ => header(field).to_owned(),
                }
            };
            errors.extend(problems.into_iter().map(|(f, m)| (label(f), m)));
            return CheckedCells { errors, ..Default::default() };
        }
    };
    if !errors.is_empty() {
        return CheckedCells { errors, ..Default::default() };
    }
    let changes = changed(before, &after);
    let planned = (!changes.is_empty()).then(|| Arc::new(after) as crate::module::PlannedCells);
    CheckedCells { errors, changes, planned }
}

fn check<'a>(
    state: &'a AppState,
    person: Option<i32>,
    kind: &'a str,
    cells: &'a [(&'static str, String)],
) -> BoxFuture<'a, AppResult<CheckedCells>> {
    Box::pin(async move {
        // A new person has nothing recorded; an existing one keeps what the row leaves blank, and
        // a row that names no police column leaves their record alone (no read at all).
        if cells.is_empty() {
            return Ok(CheckedCells::default());
        }
        let before = match person {
            Some(id) => current(&state.db, id).await?,
            None => ValidPolice::default(),
        };
        Ok(plan(&before, kind, cells, state.clock.today()))
    })
}

fn write<'a>(
    txn: &'a sea_orm::DatabaseTransaction,
    state: &'a AppState,
    _actor: &'a Actor,
    person_id: i32,
    planned: &'a (dyn std::any::Any + Send + Sync),
) -> BoxFuture<'a, AppResult<()>> {
    Box::pin(async move {
        let v = planned
            .downcast_ref::<ValidPolice>()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("警务信息的导入计划类型不对")))?;
        write_in(txn, state.clock.now_db(), person_id, v).await?;
        Ok(())
    })
}

/// The export's police columns for these persons, a few queries however many.
type Exported = (Vec<&'static str>, HashMap<i32, Vec<String>>);

fn export<'a>(state: &'a AppState, ids: &'a [i32]) -> BoxFuture<'a, AppResult<Exported>> {
    Box::pin(async move {
        let mut out = HashMap::new();
        for chunk in ids.chunks(500) {
            for m in row::Entity::find().filter(row::Column::PersonId.is_in(chunk.to_vec())).all(&state.db).await? {
                let input = super::service::input_of(&valid_of(&m));
                let values = exported()
                    .map(|(key, ..)| match *key {
                        "leader_post" => input.leader_post.clone(),
                        "grade" => input.grade.clone(),
                        "police_rank" => input.police_rank.clone(),
                        "rank_on" => input.rank_on.clone(),
                        "police_type" => input.police_type.clone(),
                        "establishment" => input.establishment.clone(),
                        "aux_kind" => input.aux_kind.clone(),
                        "employer_kind" => input.employer_kind.clone(),
                        "employer_name" => input.employer_name.clone(),
                        "contract_start" => input.contract_start.clone(),
                        "contract_end" => input.contract_end.clone(),
                        _ => String::new(),
                    })
                    .collect();
                out.insert(m.person_id, values);
            }
        }
        Ok((export_headers(), out))
    })
}
