//! Working a case: open it by hand, take the next step, record a statutory bar. Each write is
//! one transaction with its history row and audit entry; every problem with the input is
//! reported at once and nothing is half-saved.
//!
//! The order cannot be changed: 立案 (a proposal accepted) → 告知 (the facts established and the
//! person told) → 陈述申辩 (the statement recorded) → 党委集体研究 (date, attendees, decision and
//! outcome) → 执行与交接 → 归档. An outcome of the wrong kind of person is refused; a dismissal
//! while a statutory bar applies needs a written override reason, which is audited on its own
//! (`exit_case.override`). Executing an outcome that ends the service (调离, 辞退, 开除, 解除
//! 劳动合同, 退回派遣) changes the roster through its public function, with the date.

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::json;

use super::entity::{case, step};
use super::service::{self, ExitCase};
use super::{Outcome, SourceKind, Status, check_outcome};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::people::PersonKind;
use crate::state::AppState;
use crate::text::parse_date;

pub const MAX_TEXT: usize = 2000;
pub const MAX_LINE: usize = 100;
pub const MAX_ATTENDEES: usize = 500;

pub(super) type Errors = Vec<(String, String)>;

pub(super) fn push(errors: &mut Errors, field: &str, message: impl Into<String>) {
    errors.push((field.to_owned(), message.into()));
}

/// A text field: trimmed, bounded, without control characters.
pub(super) fn text(
    errors: &mut Errors,
    field: &str,
    label: &str,
    value: &str,
    max: usize,
    required: bool,
) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        if required {
            push(errors, field, format!("请填写{label}"));
        }
        return None;
    }
    if v.chars().count() > max {
        push(errors, field, format!("{label}不能超过 {max} 字"));
    }
    let checked =
        if max > MAX_LINE { crate::text::check_multiline(label, v) } else { crate::text::check_line(label, v) };
    if let Err(m) = checked {
        push(errors, field, m);
    }
    Some(v.to_owned())
}

/// A required date, not after today and not before `not_before` (the previous step's date).
pub(super) fn date(
    errors: &mut Errors,
    field: &str,
    label: &str,
    value: &str,
    today: NaiveDate,
    not_before: Option<(NaiveDate, &str)>,
) -> Option<NaiveDate> {
    match parse_date(value) {
        Ok(Some(d)) if d > today => push(errors, field, format!("{label}不能晚于今天")),
        Ok(Some(d)) => match not_before {
            Some((before, what)) if d < before => push(errors, field, format!("{label} {d} 不能早于{what} {before}")),
            _ => return Some(d),
        },
        Ok(None) => push(errors, field, format!("请填写{label}")),
        Err(e) => push(errors, field, format!("{label}：{e}")),
    }
    None
}

/// Opening a case by hand.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "手动立案：`person_id` 人员（须在范围内，民警或辅警）；`grounds` 立案事由（必填）；`source_kind` 来源（手动、处分、考核不称职、排查发现、躺平摆烂，省略为手动）；\
    `source_ref` 来源记录编号（可空）；`opened_on` 立案日期（省略为今天）",
    example = json!({"person_id": 12, "grounds": "经排查，长期消极怠工，经教育仍无转变", "source_kind": "躺平摆烂"})
)]
pub struct OpenInput {
    #[serde(deserialize_with = "crate::ui::params::picked")]
    #[schema(value_type = Option<i32>, example = 12)]
    pub person_id: Option<i32>,
    #[schema(required = true, schema_with = schema::grounds)]
    pub grounds: String,
    #[schema(schema_with = schema::source_kind)]
    pub source_kind: String,
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[schema(value_type = Option<i32>)]
    pub source_ref: Option<i32>,
    #[schema(schema_with = schema::optional_date)]
    pub opened_on: String,
}

/// The next step of a case. Which fields count depends on `action`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "办理下一步。`action`：立案（拟议转为立案，办理人为本人）；不予立案（`note` 写明理由）；告知（`findings` 调查核实的事实，`date` 告知日期）；\
    陈述申辩（`statement` 本人的陈述申辩内容，本人放弃的如实记录其意思表示，`date` 日期）；党委集体研究（`date` 会议日期，`attendees` 参加人员，`decision` 研究意见，\
    `outcome` 处理结果，`decided_by` 决定机关，`doc_no` 文号；辞退类结果遇不得辞退的法定情形时须填 `override_reason`）；执行（`date` 执行日期，`note` 交接情况）；\
    归档（`date` 归档日期，`note` 可空）。顺序不能跳过。",
    example = json!({"action": "陈述申辩", "date": "2026-05-10", "statement": "本人对事实无异议，请求从轻处理"})
)]
pub struct StepInput {
    #[schema(required = true, schema_with = schema::action, example = "陈述申辩")]
    pub action: String,
    #[schema(schema_with = schema::optional_date)]
    pub date: String,
    #[schema(schema_with = schema::text)]
    pub findings: String,
    #[schema(schema_with = schema::text)]
    pub statement: String,
    #[schema(schema_with = schema::attendees)]
    pub attendees: String,
    #[schema(schema_with = schema::text)]
    pub decision: String,
    #[schema(schema_with = schema::outcome)]
    pub outcome: String,
    #[schema(schema_with = schema::decided_by)]
    pub decided_by: String,
    #[schema(schema_with = schema::doc_no)]
    pub doc_no: String,
    #[schema(schema_with = schema::text)]
    pub override_reason: String,
    #[schema(schema_with = schema::text)]
    pub note: String,
}

/// What the validation accepts, for the OpenAPI document.
pub(super) mod schema {
    use utoipa::openapi::{RefOr, Schema};

    use crate::exits::{Bar, Outcome, SourceKind};
    use crate::openapi::schema::{line, matching, multiline, one_of};

    pub fn grounds() -> RefOr<Schema> {
        multiline(super::MAX_TEXT, true)
    }
    pub fn text() -> RefOr<Schema> {
        multiline(super::MAX_TEXT, false)
    }
    pub fn attendees() -> RefOr<Schema> {
        multiline(super::MAX_ATTENDEES, false)
    }
    pub fn decided_by() -> RefOr<Schema> {
        line(super::MAX_LINE, false)
    }
    pub fn doc_no() -> RefOr<Schema> {
        line(50, false)
    }
    pub fn bar_note() -> RefOr<Schema> {
        multiline(500, true)
    }
    pub fn optional_date() -> RefOr<Schema> {
        matching(r"^(\d{4}-\d{1,2}-\d{1,2})?$")
    }
    pub fn action() -> RefOr<Schema> {
        one_of(&super::ACTIONS, false)
    }
    pub fn source_kind() -> RefOr<Schema> {
        let all: Vec<&str> = SourceKind::ALL.iter().map(|x| x.as_str()).collect();
        one_of(&all, true)
    }
    pub fn outcome() -> RefOr<Schema> {
        let all: Vec<&str> = Outcome::ALL.iter().map(|x| x.as_str()).collect();
        one_of(&all, true)
    }
    pub fn bar() -> RefOr<Schema> {
        let all: Vec<&str> = Bar::ALL.iter().map(|x| x.as_str()).collect();
        one_of(&all, false)
    }
}

/// The actions a step may name.
pub const ACTIONS: [&str; 7] = ["立案", "不予立案", "告知", "陈述申辩", "党委集体研究", "执行", "归档"];

/// The step a status waits for, as the `action` that takes it.
pub fn next_action(status: Status, executed: bool) -> Option<&'static str> {
    match status {
        Status::Proposed => Some("立案"),
        Status::Investigating => Some("告知"),
        Status::Hearing => Some("陈述申辩"),
        Status::Committee => Some("党委集体研究"),
        Status::Executing if !executed => Some("执行"),
        Status::Executing => Some("归档"),
        Status::Archived | Status::Declined => None,
    }
}

/// The open case of a person, if any (one at a time).
pub async fn open_case_of<C: ConnectionTrait>(db: &C, person_id: i32) -> AppResult<Option<case::Model>> {
    let open: Vec<&str> = Status::ALL.iter().filter(|s| s.open()).map(|s| s.as_str()).collect();
    Ok(case::Entity::find()
        .filter(case::Column::PersonId.eq(person_id))
        .filter(case::Column::Status.is_in(open))
        .one(db)
        .await?)
}

pub(super) async fn add_step(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    case_id: i32,
    (name, on): (&str, NaiveDate),
    detail: String,
) -> AppResult<()> {
    step::ActiveModel {
        case_id: Set(case_id),
        step: Set(name.to_owned()),
        on_date: Set(on),
        detail: Set(detail),
        actor_id: Set((actor.user_id > 0).then_some(actor.user_id)),
        actor_name: Set(actor.display_name.clone()),
        at: Set(state.clock.now_db()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// What a new case says, for [`insert`].
pub struct NewCase<'a> {
    pub person: &'a crate::people::entity::Model,
    pub kind: PersonKind,
    pub status: Status,
    pub source: (SourceKind, Option<i32>),
    pub grounds: String,
    pub opened_on: NaiveDate,
    pub responsible: Option<i32>,
}

/// Inserts a case with its first history row and audit entry, in `txn`.
pub async fn insert(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    n: NewCase<'_>,
) -> AppResult<case::Model> {
    let (org_id, org_path) = match (n.person.org_id, n.person.org_path.clone()) {
        (Some(id), Some(path)) => (id, path),
        _ => return Err(AppError::validation("person_id", "此人没有所在党组织，请先在名册中补充")),
    };
    let now = state.clock.now_db();
    let saved = case::ActiveModel {
        person_id: Set(n.person.id),
        person_kind: Set(n.kind.as_str().to_owned()),
        org_id: Set(org_id),
        org_path: Set(org_path.clone()),
        status: Set(n.status),
        source_kind: Set(n.source.0),
        source_ref: Set(n.source.1),
        grounds: Set(n.grounds.clone()),
        opened_on: Set(n.opened_on),
        responsible_user_id: Set(n.responsible),
        created_by: Set((actor.user_id > 0).then_some(actor.user_id)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let first = if n.status == Status::Proposed { "拟议" } else { "立案" };
    let detail = format!("{}：{}", n.source.0.label(), n.grounds);
    add_step(txn, state, actor, saved.id, (first, n.opened_on), detail).await?;
    let event = Event::by(actor, "exit_case.create").object("exit_case", saved.id).org(org_path).summary(json!({
        "person": n.person.id, "status": n.status, "source_kind": n.source.0, "source_ref": n.source.1,
    }));
    audit::record(txn, state.clock.as_ref(), event).await?;
    Ok(saved)
}

/// Opens a case by hand (status 调查核实, the opener responsible).
pub async fn open(state: &AppState, actor: &Actor, input: &OpenInput) -> AppResult<ExitCase> {
    service::require_class(state, actor, "new").await?;
    let id = input.person_id.ok_or_else(|| AppError::validation("person_id", "请选择人员"))?;
    let p = crate::people::store::find_live(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let path = p.org_path.clone().unwrap_or_else(|| "/".into());
    let target = Target { kind: "person", id: i64::from(p.id), org_path: &path };
    guard::check(state, actor, Permission::DisciplineWrite, Sensitivity::Normal, target).await?;
    let today = state.clock.today();
    let mut errors = Errors::new();
    let kind = match PersonKind::parse(&p.kind) {
        Some(k @ (PersonKind::Police | PersonKind::Auxiliary)) => Some(k),
        _ => {
            push(&mut errors, "person_id", format!("出口机制适用于民警和辅警，此人是{}", p.kind));
            None
        }
    };
    let grounds = text(&mut errors, "grounds", "立案事由", &input.grounds, MAX_TEXT, true);
    let source = match input.source_kind.trim() {
        "" => Some(SourceKind::Manual),
        s => SourceKind::parse(s).or_else(|| {
            let all: Vec<&str> = SourceKind::ALL.iter().map(|x| x.as_str()).collect();
            push(&mut errors, "source_kind", format!("来源“{s}”无效，可选：{}", all.join("、")));
            None
        }),
    };
    let opened_on = if input.opened_on.trim().is_empty() {
        Some(today)
    } else {
        date(&mut errors, "opened_on", "立案日期", &input.opened_on, today, None)
    };
    if let Some(c) = open_case_of(&state.db, p.id).await? {
        push(
            &mut errors,
            "person_id",
            format!("此人已有正在办理的出口案件（#{}，{}），请在原案件中办理", c.id, c.status.as_str()),
        );
    }
    let (Some(kind), Some(grounds), Some(source), Some(opened_on), true) =
        (kind, grounds, source, opened_on, errors.is_empty())
    else {
        return Err(AppError::Fields(errors));
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let n = NewCase {
        person: &p,
        kind,
        status: Status::Investigating,
        source: (source, input.source_ref),
        grounds,
        opened_on,
        responsible: Some(actor.user_id),
    };
    let saved = insert(&txn, state, actor, n).await?;
    txn.commit().await?;
    service::present(state, saved).await
}

fn wrong_order(c: &case::Model, action: &str) -> AppError {
    let next = next_action(c.status, c.executed_on.is_some());
    let message = match next {
        Some(next) => format!("案件当前处于“{}”，下一步是“{next}”，不能“{action}”（步骤不能跳过）", c.status.as_str()),
        None => format!("案件已{}，不能再办理", c.status.as_str()),
    };
    AppError::Conflict { message, field: Some("action".to_owned()) }
}

/// Takes the next step of case `id`.
pub async fn act(state: &AppState, actor: &Actor, id: i32, input: &StepInput) -> AppResult<ExitCase> {
    let c = service::reachable(state, actor, id, Sensitivity::Normal).await?;
    let today = state.clock.today();
    let mut errors = Errors::new();
    let action = input.action.trim();
    let mut active: case::ActiveModel = c.clone().into();
    let mut audit_extra = json!({});
    let mut override_used: Option<String> = None;
    let mut ends: Option<(crate::people::EmploymentStatus, NaiveDate, String)> = None;
    let (step_name, on, detail): (&str, Option<NaiveDate>, String) = match (action, c.status) {
        ("立案", Status::Proposed) => {
            let note = text(&mut errors, "note", "说明", &input.note, MAX_TEXT, false);
            active.status = Set(Status::Investigating);
            active.responsible_user_id = Set(Some(actor.user_id));
            ("立案", Some(today), note.unwrap_or_else(|| "经研判，立案调查核实".to_owned()))
        }
        ("不予立案", Status::Proposed | Status::Investigating) => {
            let note = text(&mut errors, "note", "不予立案的理由", &input.note, MAX_TEXT, true);
            active.status = Set(Status::Declined);
            active.closed_on = Set(Some(today));
            active.closing_note = Set(note.clone());
            ("不予立案", Some(today), note.unwrap_or_default())
        }
        ("告知", Status::Investigating) => {
            let findings = text(&mut errors, "findings", "调查核实的事实", &input.findings, MAX_TEXT, true);
            let on = date(&mut errors, "date", "告知日期", &input.date, today, Some((c.opened_on, "立案日期")));
            active.findings = Set(findings.clone());
            active.notified_on = Set(on);
            active.status = Set(Status::Hearing);
            (
                "调查核实并告知",
                on,
                format!("查明：{}；已告知本人拟处理的事实、依据及其陈述申辩的权利", findings.unwrap_or_default()),
            )
        }
        ("陈述申辩", Status::Hearing) => {
            let statement = text(&mut errors, "statement", "本人的陈述申辩", &input.statement, MAX_TEXT, false);
            if statement.is_none() {
                push(
                    &mut errors,
                    "statement",
                    "须记录本人的陈述申辩（本人放弃的，如实记录其放弃的意思表示）：陈述申辩是本人的权利，不能跳过",
                );
            }
            let on =
                date(&mut errors, "date", "陈述申辩日期", &input.date, today, c.notified_on.map(|d| (d, "告知日期")));
            active.statement = Set(statement.clone());
            active.statement_on = Set(on);
            active.status = Set(Status::Committee);
            ("陈述申辩", on, statement.unwrap_or_default())
        }
        ("党委集体研究", Status::Hearing) => {
            return Err(AppError::validation(
                "statement",
                "尚未记录本人的陈述申辩，不能提交党委集体研究：告知与陈述申辩不能跳过",
            ));
        }
        ("党委集体研究", Status::Committee) => {
            let on = date(
                &mut errors,
                "date",
                "党委会议日期",
                &input.date,
                today,
                c.statement_on.map(|d| (d, "陈述申辩日期")),
            );
            let attendees = text(&mut errors, "attendees", "参加人员", &input.attendees, MAX_ATTENDEES, true);
            let decision = text(&mut errors, "decision", "研究意见", &input.decision, MAX_TEXT, true);
            let decided_by = text(&mut errors, "decided_by", "决定机关", &input.decided_by, MAX_LINE, true);
            let doc_no = text(&mut errors, "doc_no", "文号", &input.doc_no, 50, false);
            let override_reason =
                text(&mut errors, "override_reason", "不适用法定情形的理由", &input.override_reason, MAX_TEXT, false);
            let kind = PersonKind::parse(&c.person_kind).unwrap_or(PersonKind::Worker);
            let outcome = match input.outcome.trim() {
                "" => {
                    push(&mut errors, "outcome", "请选择处理结果");
                    None
                }
                o => match Outcome::parse(o) {
                    Some(o) => match check_outcome(kind, o) {
                        Ok(()) => Some(o),
                        Err(m) => {
                            push(&mut errors, "outcome", m);
                            None
                        }
                    },
                    None => {
                        let all: Vec<&str> = Outcome::of(kind).iter().map(|x| x.as_str()).collect();
                        push(
                            &mut errors,
                            "outcome",
                            format!("处理结果“{o}”无效，{}可选：{}", c.person_kind, all.join("、")),
                        );
                        None
                    }
                },
            };
            let bars = super::bars::standing(state, c.id).await?;
            if let Some(o) = outcome.filter(|o| o.dismissal())
                && !bars.is_empty()
            {
                let names: Vec<&str> = bars.iter().map(|b| b.kind.label()).collect();
                if override_reason.is_none() {
                    push(
                        &mut errors,
                        "override_reason",
                        format!(
                            "此人有不得{}的法定情形（{}），不能作出该决定；确需作出的，须由有权人员书面说明理由（记入审计）",
                            o.as_str(),
                            names.join("、")
                        ),
                    );
                } else {
                    override_used = override_reason.clone();
                    audit_extra = json!({"bars": names});
                }
            } else if override_reason.is_some() {
                push(&mut errors, "override_reason", "只有辞退类结果遇有不得辞退的法定情形时才填写此项");
            }
            active.committee_on = Set(on);
            active.committee_attendees = Set(attendees.clone());
            active.committee_decision = Set(decision.clone());
            active.outcome = Set(outcome);
            active.decided_on = Set(on);
            active.decided_by = Set(decided_by.clone());
            active.doc_no = Set(doc_no);
            active.override_reason = Set(override_used.clone());
            active.handover_due = Set(super::handover_due(outcome, on));
            active.status = Set(Status::Executing);
            let detail = format!(
                "参加人员：{}；研究意见：{}；处理结果：{}（{}）{}",
                attendees.unwrap_or_default(),
                decision.unwrap_or_default(),
                outcome.map_or("", |o| o.as_str()),
                decided_by.unwrap_or_default(),
                override_used.as_deref().map(|r| format!("；不适用法定情形的理由：{r}")).unwrap_or_default()
            );
            ("党委集体研究", on, detail)
        }
        ("执行", Status::Executing) if c.executed_on.is_none() => {
            let on = date(&mut errors, "date", "执行日期", &input.date, today, c.decided_on.map(|d| (d, "决定日期")));
            let note = text(&mut errors, "note", "执行与交接情况", &input.note, MAX_TEXT, true);
            active.executed_on = Set(on);
            active.handover_note = Set(note.clone());
            if let (Some(o), Some(on)) = (c.outcome, on)
                && let Some(status) = o.ends_service()
            {
                ends = Some((status, on, format!("出口案件 #{}：{}", c.id, o.as_str())));
            }
            ("执行与交接", on, note.unwrap_or_default())
        }
        ("归档", Status::Executing) if c.executed_on.is_some() => {
            let on = date(&mut errors, "date", "归档日期", &input.date, today, c.executed_on.map(|d| (d, "执行日期")));
            let note = text(&mut errors, "note", "归档说明", &input.note, MAX_TEXT, false);
            active.closed_on = Set(on);
            active.closing_note = Set(note.clone());
            active.status = Set(Status::Archived);
            ("归档", on, note.unwrap_or_else(|| "案件材料归档".to_owned()))
        }
        ("", _) => return Err(AppError::validation("action", "请选择要办理的步骤")),
        (a, _) if !["立案", "不予立案", "告知", "陈述申辩", "党委集体研究", "执行", "归档"].contains(&a) =>
        {
            return Err(AppError::validation(
                "action",
                format!("步骤“{a}”无效，可选：立案、不予立案、告知、陈述申辩、党委集体研究、执行、归档"),
            ));
        }
        (a, _) => return Err(wrong_order(&c, a)),
    };
    let (Some(on), true) = (on, errors.is_empty()) else {
        return Err(AppError::Fields(errors));
    };
    active.updated_at = Set(state.clock.now_db());
    let txn = crate::db::begin_write(&state.db).await?;
    // Still the status this step was checked against (two people working the same case).
    let now = case::Entity::find_by_id(c.id).one(&txn).await?.ok_or(AppError::NotFound)?;
    if now.status != c.status || now.executed_on != c.executed_on {
        return Err(AppError::Conflict {
            message: "案件刚被他人办理，请刷新后重试".into(),
            field: Some("action".into()),
        });
    }
    if let Some((status, since, reason)) = &ends {
        crate::people::records::end_service(&txn, state, actor, c.person_id, (*status, *since), reason).await.map_err(
            |e| match e {
                AppError::Fields(problems) => AppError::Fields(
                    problems
                        .into_iter()
                        .map(|(_, m)| ("action".to_owned(), format!("名册拒绝结束此人的在职状态：{m}")))
                        .collect(),
                ),
                other => other,
            },
        )?;
    }
    let saved = active.update(&txn).await?;
    add_step(&txn, state, actor, c.id, (step_name, on), detail).await?;
    let event = Event::by(actor, "exit_case.step").object("exit_case", c.id).org(c.org_path.clone()).summary(json!({
        "person": c.person_id, "step": step_name, "on": on.to_string(), "status": saved.status,
        "outcome": saved.outcome, "ends_service": ends.as_ref().map(|e| e.0.as_str()),
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    if let Some(reason) = override_used {
        let event = Event::by(actor, "exit_case.override")
            .object("exit_case", c.id)
            .org(c.org_path.clone())
            .summary(json!({"person": c.person_id, "outcome": saved.outcome, "reason": reason, "bars": audit_extra["bars"].clone()}));
        audit::record(&txn, state.clock.as_ref(), event).await?;
    }
    txn.commit().await?;
    service::present(state, saved).await
}
