//! Recording a meeting: the input, its checks (all problems at once, by field), saving a draft
//! or plan, a new version of an approved record, reading one record and the list.

use std::collections::HashSet;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::attendance::{self, Expected};
use super::entity::{attendee, kind, meeting};
use super::rules::{self, Quorum, Seat};
use super::{ATTEND, FULL, GRADES, NON_MEMBER, PROBATIONARY, Status};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::orgs::{entity as org, store as orgs};
use crate::state::AppState;
use crate::text::parse_date;

pub const MAX_MINUTES: usize = 20_000;

/// One attendee as a form or the API gives it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(description = "出席情况：党员给 `person_id`（须是该组织在会议当天的党员），非党员列席者只给 `name`；\
    `status` 为出席、远程（值班备勤的远程参加）、请假（须写 `reason`）、缺席；民主评议党员时 `grade` 为优秀、合格、基本合格、不合格；\
    谈心谈话时 `role` 为谈话人或谈话对象")]
pub struct AttendInput {
    pub person_id: Option<i32>,
    #[serde(deserialize_with = "null_as_empty")]
    #[schema(schema_with = schema::name)]
    pub name: String,
    #[serde(deserialize_with = "null_as_empty")]
    #[schema(schema_with = schema::status, example = "出席")]
    pub status: String,
    #[serde(deserialize_with = "null_as_empty")]
    #[schema(schema_with = schema::reason)]
    pub reason: String,
    #[serde(deserialize_with = "null_as_empty")]
    #[schema(schema_with = schema::grade)]
    pub grade: String,
    #[serde(deserialize_with = "null_as_empty")]
    #[schema(schema_with = schema::role)]
    pub role: String,
}

/// What the checks accept, for the OpenAPI document.
pub(super) mod schema {
    use utoipa::openapi::{RefOr, Schema};

    use crate::openapi::schema::{line, matching_max, multiline, one_of};

    pub fn name() -> RefOr<Schema> {
        line(50, false)
    }
    pub fn status() -> RefOr<Schema> {
        one_of(super::ATTEND, true)
    }
    pub fn reason() -> RefOr<Schema> {
        line(100, false)
    }
    pub fn grade() -> RefOr<Schema> {
        one_of(super::GRADES, true)
    }
    pub fn role() -> RefOr<Schema> {
        one_of(&["谈话人", "谈话对象"], true)
    }
    pub fn code() -> RefOr<Schema> {
        matching_max("^[a-z_]*$", 20)
    }
    pub fn time() -> RefOr<Schema> {
        matching_max("^([01][0-9]|2[0-3]):[0-5][0-9]$|^$", 5)
    }
    pub fn line100() -> RefOr<Schema> {
        line(100, false)
    }
    pub fn line200() -> RefOr<Schema> {
        line(200, false)
    }
    pub fn long() -> RefOr<Schema> {
        multiline(super::MAX_MINUTES, false)
    }
    pub fn answer() -> RefOr<Schema> {
        multiline(500, false)
    }
    pub fn decision() -> RefOr<Schema> {
        one_of(&["approve", "return"], false)
    }
}

/// A text field that may come back as `null` (a record's attendance sent back as read).
fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "会议记录：`org_id` 召开会议的党组织（新建时必填）；`type` 会议类型代码（见 `GET /meetings/types`）；\
    `held_on` 日期 YYYY-MM-DD（已召开的不能晚于今天，`planned` 为 true 时是计划）；`starts_at` 时间 HH:MM；\
    `topic` 议题必填；`minutes` 会议记录（提交时必填）；`attendance` 出席情况，未列出的应到人员记为“未登记”。\
    附件、照片从不要求。"
)]
pub struct MeetingInput {
    pub org_id: Option<i32>,
    #[serde(rename = "type")]
    #[schema(schema_with = schema::code, example = "committee")]
    pub kind: String,
    #[schema(schema_with = crate::openapi::schema::date, example = "2026-11-20")]
    pub held_on: String,
    #[schema(schema_with = schema::time, example = "14:30")]
    pub starts_at: String,
    #[schema(schema_with = schema::line100)]
    pub place: String,
    #[schema(schema_with = schema::line200)]
    pub topic: String,
    #[schema(schema_with = schema::name)]
    pub presenter: String,
    #[schema(schema_with = schema::name)]
    pub recorder: String,
    #[schema(schema_with = schema::long)]
    pub minutes: String,
    #[schema(schema_with = schema::long)]
    pub decisions: String,
    pub planned: bool,
    #[schema(max_items = 500)]
    pub attendance: Vec<AttendInput>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttendeeView {
    pub person_id: Option<i32>,
    pub name: String,
    pub member_kind: String,
    pub status: String,
    pub reason: Option<String>,
    pub voting: bool,
    pub grade: Option<String>,
    pub role: Option<String>,
}

/// A record as pages and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一条组织生活记录")]
pub struct MeetingView {
    pub id: i32,
    pub org_id: i32,
    pub org_name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub type_name: String,
    pub held_on: NaiveDate,
    pub starts_at: String,
    pub place: String,
    pub topic: String,
    pub presenter: String,
    pub recorder: String,
    pub minutes: String,
    pub decisions: String,
    pub status: Status,
    pub version: i32,
    /// The earlier version this one replaces.
    pub supersedes: Option<i32>,
    pub replaced_by: Option<i32>,
    pub opinion: Option<String>,
    pub answer: Option<String>,
    pub reviewed_by: Option<String>,
    pub review_org: Option<String>,
    /// The most similar other record (≥ 85 %) found when it was submitted, and how similar.
    pub similar_to: Option<i32>,
    pub similarity: Option<i32>,
    pub quorum: Option<Quorum>,
    pub attendance: Vec<AttendeeView>,
    /// Things still to finish (never errors): attendance not recorded, no minutes yet.
    pub warnings: Vec<String>,
    pub can_edit: bool,
    pub can_review: bool,
}

pub(super) fn invalid(errors: Vec<(&'static str, String)>) -> AppError {
    AppError::Fields(errors.into_iter().map(|(f, m)| (f.to_owned(), m)).collect())
}

pub(super) fn target(m: &meeting::Model) -> Target<'_> {
    Target { kind: "meeting", id: i64::from(m.id), org_path: &m.org_path }
}

/// The active types, in order.
pub async fn types<C: ConnectionTrait>(db: &C) -> AppResult<Vec<kind::Model>> {
    Ok(kind::Entity::find().order_by_asc(kind::Column::SortOrder).order_by_asc(kind::Column::Id).all(db).await?)
}

pub async fn type_named<C: ConnectionTrait>(db: &C, code: &str) -> AppResult<Option<kind::Model>> {
    Ok(kind::Entity::find().filter(kind::Column::Code.eq(code)).one(db).await?)
}

/// A record the actor may read (PersonRead over its organization), or 404 (audited out of scope).
pub async fn readable(state: &AppState, actor: &Actor, id: i32) -> AppResult<meeting::Model> {
    actor.require(Permission::PersonRead)?;
    let m = meeting::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    guard::check(state, actor, Permission::PersonRead, Sensitivity::Normal, target(&m)).await?;
    Ok(m)
}

/// A record the actor may change (PersonWrite over its organization).
pub async fn writable(state: &AppState, actor: &Actor, id: i32) -> AppResult<meeting::Model> {
    actor.require(Permission::PersonWrite)?;
    let m = meeting::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    guard::check(state, actor, Permission::PersonWrite, Sensitivity::Normal, target(&m)).await?;
    Ok(m)
}

/// The organization a record is being made for, when the actor may record its meetings.
pub async fn recording_org(state: &AppState, actor: &Actor, org_id: Option<i32>) -> AppResult<org::Model> {
    actor.require(Permission::PersonWrite)?;
    let Some(id) = org_id else {
        return Err(AppError::validation("org_id", "请选择召开会议的党组织"));
    };
    let o = orgs::find(&state.db, id).await?.filter(|o| o.dissolved_at.is_none()).ok_or(AppError::NotFound)?;
    let t = Target { kind: "org", id: i64::from(o.id), org_path: &o.path };
    guard::check(state, actor, Permission::PersonWrite, Sensitivity::Normal, t).await?;
    Ok(o)
}

fn text(field: &'static str, label: &str, value: &str, max: usize, errors: &mut Vec<(&'static str, String)>) -> String {
    let v = value.trim();
    if v.chars().count() > max {
        errors.push((field, format!("{label}不能超过 {max} 个字")));
    } else if let Err(e) = crate::text::check_line(label, v) {
        errors.push((field, e));
    }
    v.to_owned()
}

fn long(field: &'static str, label: &str, value: &str, errors: &mut Vec<(&'static str, String)>) -> String {
    let v = value.trim();
    if v.chars().count() > MAX_MINUTES {
        errors.push((field, format!("{label}不能超过 {MAX_MINUTES} 个字")));
    } else if let Err(e) = crate::text::check_multiline(label, v) {
        errors.push((field, e));
    }
    v.to_owned()
}

/// A checked record, ready to write.
pub(super) struct Valid {
    pub kind: kind::Model,
    pub held_on: NaiveDate,
    pub starts_at: String,
    pub place: String,
    pub topic: String,
    pub presenter: String,
    pub recorder: String,
    pub minutes: String,
    pub decisions: String,
    pub planned: bool,
    pub seats: Vec<AttendeeView>,
}

/// Checks a record of organization `o` against the rules and its membership on the day.
pub(super) async fn validate(state: &AppState, o: &org::Model, input: &MeetingInput) -> AppResult<Valid> {
    let today = state.clock.today();
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let k = match type_named(&state.db, input.kind.trim()).await?.filter(|k| k.active) {
        Some(k) if attendance::held_by(&k, o) => Some(k),
        Some(k) => {
            errors.push(("type", format!("{}由{}召开，{}不能登记", k.name, attendance::held_by_text(&k), o.name)));
            None
        }
        None => {
            let names: Vec<String> =
                types(&state.db).await?.into_iter().map(|k| format!("{}（{}）", k.code, k.name)).collect();
            errors.push(("type", format!("请选择会议类型：{}", names.join("、"))));
            None
        }
    };
    let held_on = match parse_date(&input.held_on) {
        Ok(Some(d)) if d > today && !input.planned => {
            errors.push(("held_on", "会议日期晚于今天，不能作为已召开的会议登记；尚未召开的请作为计划登记".to_owned()));
            // The attendance is still checked against that day, so every problem shows at once.
            Some(d)
        }
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errors.push(("held_on", "请填写会议日期".to_owned()));
            None
        }
        Err(e) => {
            errors.push(("held_on", e));
            None
        }
    };
    let starts_at = input.starts_at.trim().to_owned();
    if !starts_at.is_empty() && chrono::NaiveTime::parse_from_str(&starts_at, "%H:%M").is_err() {
        errors.push(("starts_at", format!("时间“{starts_at}”应写成 时:分，如 14:30")));
    }
    let place = text("place", "地点", &input.place, 100, &mut errors);
    let topic = text("topic", "议题", &input.topic, 200, &mut errors);
    if topic.is_empty() {
        errors.push(("topic", "请填写会议议题".to_owned()));
    }
    let presenter = text("presenter", "主持人", &input.presenter, 50, &mut errors);
    let recorder = text("recorder", "记录人", &input.recorder, 50, &mut errors);
    let minutes = long("minutes", "会议记录", &input.minutes, &mut errors);
    let decisions = long("decisions", "决定事项", &input.decisions, &mut errors);
    if input.attendance.len() > 500 {
        errors.push(("attendance", "出席情况一次最多 500 人".to_owned()));
    }
    let mut seats = Vec::new();
    if let (Some(k), Some(day)) = (&k, held_on) {
        seats = check_attendance(state, o, k, day, input, &mut errors).await?;
    }
    match (k, held_on) {
        (Some(kind), Some(held_on)) if errors.is_empty() => Ok(Valid {
            kind,
            held_on,
            starts_at,
            place,
            topic,
            presenter,
            recorder,
            minutes,
            decisions,
            planned: input.planned,
            seats,
        }),
        _ => Err(invalid(errors)),
    }
}

/// The attendance as given, completed with every expected attendee not listed ("未登记"),
/// checked: members must belong to the organization that day.
async fn check_attendance(
    state: &AppState,
    o: &org::Model,
    k: &kind::Model,
    day: NaiveDate,
    input: &MeetingInput,
    errors: &mut Vec<(&'static str, String)>,
) -> AppResult<Vec<AttendeeView>> {
    let expected: Vec<Expected> = attendance::expected(state, o, k, day).await?;
    let members = attendance::members_on(state, o, day).await?;
    let bars = super::bars(state, &members.keys().copied().collect::<Vec<_>>(), day).await?;
    let given_ids: Vec<i32> = input.attendance.iter().filter_map(|a| a.person_id).collect();
    let names = crate::people::names(&state.db, &given_ids).await?;
    let mut seats: Vec<AttendeeView> = Vec::new();
    let mut seen = HashSet::new();
    for a in &input.attendance {
        let status = a.status.trim();
        let status = if status.is_empty() { "未登记" } else { status };
        let who = match a.person_id {
            Some(id) => names.get(&id).cloned().unwrap_or_else(|| format!("编号 {id}")),
            None => a.name.trim().to_owned(),
        };
        if !ATTEND.contains(&status) {
            errors.push(("attendance", format!("{who}的出席情况“{status}”无效，可选：{}", ATTEND.join("、"))));
            continue;
        }
        let reason = a.reason.trim();
        if status == "请假" && reason.is_empty() {
            errors.push(("attendance", format!("{who}请假，请写明请假原因")));
        }
        if reason.chars().count() > 100 {
            errors.push(("attendance", format!("{who}的请假原因不能超过 100 字")));
        }
        let grade = a.grade.trim();
        if !grade.is_empty() && (!k.graded || !GRADES.contains(&grade)) {
            errors.push(("attendance", format!("{who}的评议等次“{grade}”无效，可选：{}", GRADES.join("、"))));
        }
        let role = a.role.trim();
        let (member_kind, person_id) = match a.person_id {
            Some(id) => {
                let Some(full) = members.get(&id) else {
                    errors.push((
                        "attendance",
                        format!("{who}在 {day} 不是{}的党员，不能登记其出席；非党员列席请只填姓名", o.name),
                    ));
                    continue;
                };
                if !k.paired && !expected.iter().any(|e| e.person_id == id) {
                    errors.push(("attendance", format!("{who}不是本次{}的应到人员", k.name)));
                    continue;
                }
                if !seen.insert(id) {
                    errors.push(("attendance", format!("{who}重复登记")));
                    continue;
                }
                (if *full { FULL } else { PROBATIONARY }, Some(id))
            }
            None if who.is_empty() => {
                errors.push(("attendance", "列席人员请填写姓名".to_owned()));
                continue;
            }
            None => {
                if let Err(e) = crate::text::check_line("列席人员姓名", &who) {
                    errors.push(("attendance", e));
                }
                (NON_MEMBER, None)
            }
        };
        seats.push(AttendeeView {
            person_id,
            name: who,
            member_kind: member_kind.to_owned(),
            status: status.to_owned(),
            reason: (!reason.is_empty()).then(|| reason.to_owned()),
            voting: rules::votes(member_kind, person_id, &bars.no_vote),
            grade: (!grade.is_empty()).then(|| grade.to_owned()),
            role: (!role.is_empty()).then(|| role.to_owned()),
        });
    }
    for e in &expected {
        if !seen.contains(&e.person_id) {
            seats.push(AttendeeView {
                person_id: Some(e.person_id),
                name: e.name.clone(),
                member_kind: e.member_kind.to_owned(),
                status: "未登记".to_owned(),
                reason: None,
                voting: rules::votes(e.member_kind, Some(e.person_id), &bars.no_vote),
                grade: None,
                role: None,
            });
        }
    }
    if k.paired {
        let people = seats.iter().filter(|s| s.person_id.is_some()).count();
        if people != 2 {
            errors.push(("attendance", "谈心谈话须登记谈话双方两名党员".to_owned()));
        }
    }
    if k.graded {
        let graded: Vec<(i32, String, String)> =
            seats.iter().filter_map(|s| Some((s.person_id?, s.name.clone(), s.grade.clone()?))).collect();
        let all: Vec<(i32, String, String)> = seats
            .iter()
            .filter_map(|s| Some((s.person_id?, s.name.clone(), s.grade.clone().unwrap_or_default())))
            .collect();
        if !graded.is_empty() {
            for p in rules::check_grades(&all, &bars.not_excellent) {
                errors.push(("attendance", p));
            }
        }
    }
    Ok(seats)
}

/// The quorum of a record's attendance under its type's rule.
pub fn quorum_of(k: &kind::Model, seats: &[AttendeeView]) -> Option<Quorum> {
    let s: Vec<Seat<'_>> = seats
        .iter()
        .map(|a| Seat {
            person_id: a.person_id,
            member_kind: if a.voting || k.quorum != "voting_half" { &a.member_kind } else { NON_MEMBER },
            status: &a.status,
        })
        .collect();
    rules::quorum(&k.quorum, &s, &HashSet::new())
}

async fn write_seats<C: ConnectionTrait>(db: &C, id: i32, held_on: NaiveDate, seats: &[AttendeeView]) -> AppResult<()> {
    attendee::Entity::delete_many().filter(attendee::Column::MeetingId.eq(id)).exec(db).await?;
    let rows: Vec<attendee::ActiveModel> = seats
        .iter()
        .map(|s| attendee::ActiveModel {
            meeting_id: Set(id),
            person_id: Set(s.person_id),
            name: Set(s.name.clone()),
            member_kind: Set(s.member_kind.clone()),
            status: Set(s.status.clone()),
            reason: Set(s.reason.clone()),
            voting: Set(s.voting),
            grade: Set(s.grade.clone()),
            role: Set(s.role.clone()),
            held_on: Set(held_on),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(200) {
        attendee::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await?;
    }
    Ok(())
}

fn apply(a: &mut meeting::ActiveModel, v: &Valid) {
    a.type_code = Set(v.kind.code.clone());
    a.held_on = Set(v.held_on);
    a.held_month = Set(rules::month_key(v.held_on));
    a.starts_at = Set(v.starts_at.clone());
    a.place = Set(v.place.clone());
    a.topic = Set(v.topic.clone());
    a.presenter = Set(v.presenter.clone());
    a.recorder = Set(v.recorder.clone());
    a.minutes = Set(Some(v.minutes.clone()).filter(|m| !m.is_empty()));
    a.decisions = Set(Some(v.decisions.clone()).filter(|m| !m.is_empty()));
}

/// Records a meeting (a draft, or a plan) of organization `input.org_id`.
pub async fn create(state: &AppState, actor: &Actor, input: &MeetingInput) -> AppResult<MeetingView> {
    let o = recording_org(state, actor, input.org_id).await?;
    let v = validate(state, &o, input).await?;
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    let mut a = meeting::ActiveModel {
        org_id: Set(o.id),
        org_path: Set(o.path.clone()),
        status: Set(if v.planned { Status::Planned } else { Status::Draft }),
        version: Set(1),
        created_by: Set(actor.username.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(&mut a, &v);
    let saved = a.insert(&txn).await?;
    let mut root: meeting::ActiveModel = saved.clone().into();
    root.root_id = Set(Some(saved.id));
    let saved = root.update(&txn).await?;
    write_seats(&txn, saved.id, v.held_on, &v.seats).await?;
    let event = Event::by(actor, "meeting.create")
        .object("meeting", saved.id)
        .org(o.path.clone())
        .summary(json!({"type": v.kind.code, "held_on": v.held_on.to_string(), "planned": v.planned}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    view(state, actor, saved).await
}

/// Changes a record: in place while it is a plan, draft or returned; after approval, as a new
/// version (a draft that replaces the approved one when it is approved in turn).
pub async fn update(state: &AppState, actor: &Actor, id: i32, input: &MeetingInput) -> AppResult<MeetingView> {
    let m = writable(state, actor, id).await?;
    if m.replaced_by.is_some() || m.status == Status::Superseded {
        return Err(AppError::conflict("status", "这是被替代的旧版本，请修改最新版本"));
    }
    if m.status == Status::Submitted {
        return Err(AppError::conflict("status", "记录已提交、正待上级审阅，审阅前不能修改"));
    }
    let o = orgs::find(&state.db, m.org_id).await?.ok_or(AppError::NotFound)?;
    let mut input = input.clone();
    input.kind = if input.kind.trim().is_empty() { m.type_code.clone() } else { input.kind };
    let v = validate(state, &o, &input).await?;
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    let (saved, action) = if m.status.editable() {
        let mut a: meeting::ActiveModel = m.clone().into();
        apply(&mut a, &v);
        if m.status == Status::Planned && !v.planned {
            a.status = Set(Status::Draft);
        }
        a.updated_at = Set(now);
        (a.update(&txn).await?, "meeting.update")
    } else {
        // Approved or archived: a new version; the approved one stays as it is until the new one is approved.
        let pending = meeting::Entity::find()
            .filter(meeting::Column::Supersedes.eq(m.id))
            .filter(meeting::Column::Status.ne(Status::Superseded))
            .count(&txn)
            .await?;
        if pending > 0 {
            return Err(AppError::conflict("status", "这条记录已有一个尚未通过的新版本，请修改那个版本"));
        }
        let mut a = meeting::ActiveModel {
            org_id: Set(m.org_id),
            org_path: Set(m.org_path.clone()),
            status: Set(Status::Draft),
            version: Set(m.version + 1),
            root_id: Set(Some(m.root_id.unwrap_or(m.id))),
            supersedes: Set(Some(m.id)),
            created_by: Set(actor.username.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        apply(&mut a, &v);
        (a.insert(&txn).await?, "meeting.version")
    };
    write_seats(&txn, saved.id, v.held_on, &v.seats).await?;
    let event = Event::by(actor, action)
        .object("meeting", saved.id)
        .org(m.org_path.clone())
        .summary(json!({"version": saved.version, "of": m.id}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    view(state, actor, saved).await
}

pub async fn seats_of<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<Vec<AttendeeView>> {
    Ok(attendee::Entity::find()
        .filter(attendee::Column::MeetingId.eq(id))
        .order_by_asc(attendee::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| AttendeeView {
            person_id: a.person_id,
            name: a.name,
            member_kind: a.member_kind,
            status: a.status,
            reason: a.reason,
            voting: a.voting,
            grade: a.grade,
            role: a.role,
        })
        .collect())
}

/// The record as shown, with what the actor may do with it.
pub async fn view(state: &AppState, actor: &Actor, m: meeting::Model) -> AppResult<MeetingView> {
    let k = type_named(&state.db, &m.type_code).await?;
    let seats = seats_of(&state.db, m.id).await?;
    let mut ids = vec![m.org_id];
    ids.extend(m.review_org_id);
    let org_names = orgs::names(&state.db, &ids).await?;
    let mut warnings = Vec::new();
    let unknown = seats.iter().filter(|s| s.status == "未登记").count();
    if unknown > 0 && m.status != Status::Planned {
        warnings.push(format!("还有 {unknown} 名应到人员未登记出席情况"));
    }
    if m.minutes.as_deref().unwrap_or("").is_empty() && m.status != Status::Planned {
        warnings.push("尚未填写会议记录，提交前须填写".to_owned());
    }
    let quorum = k.as_ref().and_then(|k| quorum_of(k, &seats));
    if let Some(q) = quorum.filter(|q| !q.met && m.status != Status::Planned) {
        warnings.push(format!("未达到法定人数：应到 {} 人，实到 {} 人", q.expected, q.present));
    }
    let can_edit = actor.scope(Permission::PersonWrite).contains(&m.org_path)
        && m.replaced_by.is_none()
        && m.status != Status::Submitted
        && m.status != Status::Superseded;
    let can_review = m.status == Status::Submitted && super::workflow::reviewing_grant(actor, &m.org_path).is_some();
    Ok(MeetingView {
        id: m.id,
        org_id: m.org_id,
        org_name: org_names.get(&m.org_id).cloned().unwrap_or_default(),
        kind: m.type_code.clone(),
        type_name: k.map(|k| k.name).unwrap_or_else(|| m.type_code.clone()),
        held_on: m.held_on,
        starts_at: m.starts_at,
        place: m.place,
        topic: m.topic,
        presenter: m.presenter,
        recorder: m.recorder,
        minutes: m.minutes.unwrap_or_default(),
        decisions: m.decisions.unwrap_or_default(),
        status: m.status,
        version: m.version,
        supersedes: m.supersedes,
        replaced_by: m.replaced_by,
        opinion: m.opinion,
        answer: m.answer,
        reviewed_by: m.reviewed_by,
        review_org: m.review_org_id.and_then(|id| org_names.get(&id).cloned()),
        similar_to: m.similar_to,
        similarity: m.similarity,
        quorum,
        attendance: seats,
        warnings,
        can_edit,
        can_review,
    })
}

pub async fn detail(state: &AppState, actor: &Actor, id: i32) -> AppResult<MeetingView> {
    let m = readable(state, actor, id).await?;
    view(state, actor, m).await
}

/// The expected attendees of a new record, for the form and `GET /meetings/expected`.
pub async fn expected(
    state: &AppState,
    actor: &Actor,
    org_id: Option<i32>,
    kind: &str,
    on: NaiveDate,
) -> AppResult<Vec<Expected>> {
    let o = recording_org(state, actor, org_id).await?;
    let k = type_named(&state.db, kind).await?.ok_or_else(|| AppError::validation("type", "请选择会议类型"))?;
    attendance::expected(state, &o, &k, on).await
}
