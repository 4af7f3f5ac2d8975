//! How a membership ends (去世; 出党 by 除名, 开除党籍, 自行脱党 or 劝退后除名; 退党; 取消预备党员资格)
//! or is stopped (停止党籍). One write: the ending with its date, reason, deciding organization
//! and document number; the history; the committee posts the member held; the month from which
//! the member no longer counts in dues ledgers and reminders; the roster's political status
//! (群众 for those who left the Party); audited.

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, Set};
use serde::Deserialize;
use serde_json::json;

use super::entity::member;
use super::membership::{add_event, authorize_write, live_person};
use super::store::membership_of;
use super::{EndKind, EventKind, MemberStatus, political_status};
use crate::audit::{self, Event};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::people;
use crate::state::AppState;
use crate::text::parse_date;

pub const MAX_REASON: usize = 200;
pub const MAX_DECIDED_BY: usize = 100;
pub const MAX_DOC_NO: usize = 50;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "党籍终止或停止党籍：`kind` 为去世、除名、开除党籍、自行脱党、劝退除名、退党、取消预备党员资格、停止党籍之一\
    （取消预备党员资格只适用于预备党员）；`date` 为去世之日或决定（批准）之日，不早于入党、不晚于今天；`reason` 原因或事实（去世可省略，\
    不超过 200 字）；`decided_by` 作出决定（批准）的党组织（去世可省略，不超过 100 字）；`doc_no` 文号（不超过 50 字，可省略）",
    example = json!({"kind": "开除党籍", "date": "2026-11-20", "reason": "严重违纪", "decided_by": "中共某市公安局纪律检查委员会",
        "doc_no": "某公纪〔2026〕12号"})
)]
pub struct EndInput {
    #[schema(required = true, schema_with = kind_schema, example = "开除党籍")]
    pub kind: String,
    #[schema(required = true, schema_with = crate::openapi::schema::date, example = "2026-11-20")]
    pub date: String,
    #[schema(schema_with = reason_schema)]
    pub reason: String,
    #[schema(schema_with = decided_by_schema)]
    pub decided_by: String,
    #[schema(schema_with = doc_schema)]
    pub doc_no: String,
}

fn kind_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    let kinds: Vec<&str> = EndKind::ALL.iter().map(|k| k.as_str()).collect();
    crate::openapi::schema::one_of(&kinds, false)
}

fn reason_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::multiline(MAX_REASON, false)
}

fn decided_by_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::line(MAX_DECIDED_BY, false)
}

fn doc_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::line(MAX_DOC_NO, false)
}

/// "开除党籍（reason；deciding organization；document number）", with the parts present.
pub fn describe(kind: EndKind, parts: [&str; 3]) -> String {
    let parts: Vec<&str> = parts.into_iter().filter(|s| !s.is_empty()).collect();
    if parts.is_empty() { kind.label().to_owned() } else { format!("{}（{}）", kind.label(), parts.join("；")) }
}

/// The ending as validated.
struct Ending {
    kind: EndKind,
    date: NaiveDate,
    reason: String,
    decided_by: String,
    doc_no: String,
}

fn validate(input: &EndInput, m: &member::Model, today: NaiveDate) -> AppResult<Ending> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let kind = EndKind::from_input(&input.kind);
    match kind {
        None => {
            let all: Vec<&str> = EndKind::ALL.iter().map(|k| k.as_str()).collect();
            errors.push(("kind".into(), format!("终止方式应为：{}", all.join("、"))));
        }
        Some(EndKind::Cancelled) if super::is_full(m) => {
            errors.push(("kind".into(), "取消预备党员资格只适用于预备党员，此人已转为正式党员".into()));
        }
        Some(EndKind::Stopped) if m.status == MemberStatus::Suspended => {
            errors.push(("kind".into(), "此人已停止党籍".into()));
        }
        _ => {}
    }
    let date = match parse_date(&input.date) {
        Ok(Some(d)) if d > today => {
            errors.push(("date".into(), "日期不能晚于今天".into()));
            None
        }
        Ok(Some(d)) if d < m.joined_on => {
            errors.push(("date".into(), format!("日期不能早于入党日期 {}", m.joined_on)));
            None
        }
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errors.push(("date".into(), "请填写日期（去世之日或作出决定之日）".into()));
            None
        }
        Err(e) => {
            errors.push(("date".into(), e));
            None
        }
    };
    let needs_decision = kind.is_some_and(EndKind::needs_decision);
    let mut text = |field: &str, label: &str, value: &str, max: usize, required: bool| -> String {
        let value = value.trim();
        if required && value.is_empty() {
            errors.push((field.to_owned(), format!("请填写{label}")));
        } else if value.chars().count() > max {
            errors.push((field.to_owned(), format!("{label}不能超过 {max} 字")));
        } else {
            let checked = if field == "reason" {
                crate::text::check_multiline(label, value)
            } else {
                crate::text::check_line(label, value)
            };
            if let Err(message) = checked {
                errors.push((field.to_owned(), message));
            }
        }
        value.to_owned()
    };
    let reason = text("reason", "原因", &input.reason, MAX_REASON, needs_decision);
    let decided_by = text("decided_by", "作出决定的党组织", &input.decided_by, MAX_DECIDED_BY, needs_decision);
    let doc_no = text("doc_no", "文号", &input.doc_no, MAX_DOC_NO, false);
    match (kind, date) {
        (Some(kind), Some(date)) if errors.is_empty() => Ok(Ending { kind, date, reason, decided_by, doc_no }),
        _ => Err(AppError::Fields(errors)),
    }
}

/// The person and their membership, when the actor may end it and it can still end (a stopped
/// membership may still end, 除名 after 停止党籍; nothing else may).
pub async fn endable(
    state: &AppState,
    actor: &Actor,
    person_id: i32,
) -> AppResult<(people::entity::Model, member::Model)> {
    let p = live_person(state, person_id).await?;
    let m = membership_of(&state.db, p.id).await?.ok_or(AppError::NotFound)?;
    authorize_write(state, actor, "person", p.id, &m.branch_path).await?;
    if !matches!(m.status, MemberStatus::Active | MemberStatus::Suspended) {
        return Err(AppError::conflict("kind", format!("此人的党员档案已是「{}」，不能再终止", m.status.label())));
    }
    Ok((p, m))
}

/// Ends (or stops) a person's membership.
pub async fn end_membership(
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    input: &EndInput,
) -> AppResult<member::Model> {
    let (p, m) = endable(state, actor, person_id).await?;
    let e = validate(input, &m, state.clock.today())?;
    let txn = crate::db::begin_write(&state.db).await?;
    let updated = end_in(&txn, state, actor, &p, m, &e).await?;
    txn.commit().await?;
    Ok(updated)
}

/// 开除党籍 decided elsewhere (the discipline domain's sanction), in the caller's transaction:
/// the same ending as [`end_membership`] — status, history, dues, pending transfers, committee
/// posts, the roster's political status, a `party.end` entry. The caller has authorized the
/// decision; this refuses (422 on `field`) a person without a membership that can still end,
/// and a date before admission or after today.
pub async fn expel_in(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    date: NaiveDate,
    parts: [&str; 3],
) -> AppResult<member::Model> {
    let non_member =
        || AppError::validation("kind", "此人不是党员（没有组织关系正常或停止党籍的党员档案），不能给予开除党籍");
    let p = people::store::find_live(txn, person_id).await?.ok_or(AppError::NotFound)?;
    let m = membership_of(txn, person_id).await?.ok_or_else(non_member)?;
    if !matches!(m.status, MemberStatus::Active | MemberStatus::Suspended) {
        return Err(non_member());
    }
    if date < m.joined_on {
        return Err(AppError::validation("effective_on", format!("开除党籍的日期不能早于入党日期 {}", m.joined_on)));
    }
    if date > state.clock.today() {
        return Err(AppError::validation("effective_on", "开除党籍须在决定生效后登记，生效日期不能晚于今天"));
    }
    let [reason, decided_by, doc_no] = parts.map(str::to_owned);
    let e = Ending { kind: EndKind::Expelled, date, reason, decided_by, doc_no };
    end_in(txn, state, actor, &p, m, &e).await
}

async fn end_in(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    p: &people::entity::Model,
    m: member::Model,
    e: &Ending,
) -> AppResult<member::Model> {
    let mut active: member::ActiveModel = m.clone().into();
    active.status = Set(e.kind.status());
    active.status_on = Set(Some(e.date));
    active.end_kind = Set(Some(e.kind));
    active.end_reason = Set(Some(e.reason.clone()).filter(|s| !s.is_empty()));
    active.end_by = Set(Some(e.decided_by.clone()).filter(|s| !s.is_empty()));
    active.end_doc = Set(Some(e.doc_no.clone()).filter(|s| !s.is_empty()));
    active.updated_at = Set(state.clock.now_db());
    let updated = active.update(txn).await?;
    // Counted up to the month it happened in; a stopped membership already stopped counting.
    if m.status == MemberStatus::Active {
        super::stints::close(txn, p.id, e.date).await?;
    }
    let detail = describe(e.kind, [&e.reason, &e.decided_by, &e.doc_no].map(String::as_str));
    let event_kind = if e.kind == EndKind::Stopped { EventKind::Suspended } else { EventKind::Ended };
    add_event(txn, state, actor, p.id, event_kind, e.date, detail).await?;
    super::transfers::withdraw_pending(txn, state, p.id, &format!("党籍{}，转接撤回", e.kind.label())).await?;
    let released =
        super::committees::release_posts(txn, state, actor, p.id, None, &format!("党籍{}", e.kind.label())).await?;
    people::store::set_political_status(txn, state, actor, p, political_status(&updated)).await?;
    if e.kind == EndKind::Died {
        // The roster says so too (read again: the political status may have just changed).
        let p = people::store::find(txn, p.id).await?.ok_or(AppError::NotFound)?;
        let deceased = people::EmploymentStatus::Deceased.as_str();
        people::store::set_employment_status(txn, state, actor, &p, deceased, e.date).await?;
    }
    let event = Event::by(actor, "party.end").object("person", p.id).org(m.branch_path.clone()).summary(json!({
        "kind": e.kind, "date": e.date.to_string(), "reason": e.reason, "decided_by": e.decided_by,
        "doc_no": e.doc_no, "released_posts": released,
    }));
    audit::record(txn, state.clock.as_ref(), event).await?;
    Ok(updated)
}
