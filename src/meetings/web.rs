//! Pages of 组织生活: the list, the form (attendance prefilled from membership on the day), a
//! record with its workflow actions, the printable view, versions and similar minutes side by
//! side, the compliance table with its Excel export, the calendar.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::api::{ComplianceQuery, ExpectedQuery};
use super::attendance::Expected;
use super::compliance::{self, Compliance};
use super::entity::kind;
use super::listing::{self, ListItem, ListQuery};
use super::outputs::{self, CalendarItem};
use super::service::{self, AttendInput, MeetingInput, MeetingView};
use super::workflow::{self, ReviewInput, SubmitInput};
use super::{ATTEND, GRADES, similar};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::form::Form;
use crate::ui::params::{IdPath, Params, picked_id};
use crate::ui::{FieldErrors, Flash, Layout, field_errors, render};

fn layout(actor: &Actor, title: impl Into<String>, flash: Option<Flash>) -> Layout {
    Layout::new(actor, title, "/meetings", flash).crumb("组织生活", Some("/meetings".into()))
}

#[derive(Template)]
#[template(path = "meetings/list.html")]
struct ListPage {
    layout: Layout,
    items: Vec<ListItem>,
    pager: crate::ui::Pager,
    statuses: Vec<super::Status>,
    q: ListQuery,
    types: Vec<kind::Model>,
    can_write: bool,
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    Params(q): Params<ListQuery>,
) -> AppResult<Response> {
    let (items, total) = listing::list(&state, &actor, &q).await?;
    let params = crate::ui::PageParams { page: q.page, page_size: listing::page_size(&q) };
    let page = ListPage {
        layout: layout(&actor, "组织生活", flash),
        items,
        pager: crate::ui::Pager::new(params, total, listing::query(&q)),
        statuses: super::Status::ALL.to_vec(),
        types: service::types(&state.db).await?,
        can_write: actor.can(Permission::PersonWrite),
        q,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "meetings/form.html")]
struct FormPage {
    layout: Layout,
    /// The record being changed, or none for a new one.
    id: Option<i32>,
    org_id: Option<i32>,
    org_text: String,
    input: MeetingInput,
    types: Vec<kind::Model>,
    expected: Vec<Expected>,
    statuses: &'static [&'static str],
    grades: &'static [&'static str],
    graded: bool,
    paired: bool,
    errors: FieldErrors,
}

impl FormPage {
    fn seat(&self, person: &i32) -> AttendInput {
        let person = *person;
        self.input
            .attendance
            .iter()
            .find(|a| a.person_id == Some(person))
            .cloned()
            .unwrap_or(AttendInput { status: "出席".into(), ..Default::default() })
    }

    /// The person typed for one side of a 谈心谈话, as the picker writes it back.
    fn talker(&self, role: &str) -> String {
        self.input
            .attendance
            .iter()
            .find(|a| a.role == role)
            .and_then(|a| a.person_id)
            .map(|id| id.to_string())
            .unwrap_or_default()
    }

    fn guests(&self) -> String {
        self.input
            .attendance
            .iter()
            .filter(|a| a.person_id.is_none())
            .map(|a| a.name.clone())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The form's fields: `att_{id}`, `reason_{id}`, `grade_{id}`, `role_{id}` per expected person,
/// `guests` (a name a line), `talk_a`/`talk_b` (谈心谈话).
fn input_from(form: &HashMap<String, String>) -> MeetingInput {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let mut attendance = Vec::new();
    for (k, status) in form {
        if let Some(id) = k.strip_prefix("att_").and_then(|s| s.parse::<i32>().ok()) {
            attendance.push(AttendInput {
                person_id: Some(id),
                status: status.clone(),
                reason: get(&format!("reason_{id}")),
                grade: get(&format!("grade_{id}")),
                ..Default::default()
            });
        }
    }
    attendance.sort_by_key(|a| a.person_id);
    for (field, role) in [("talk_a", "谈话人"), ("talk_b", "谈话对象")] {
        if let Some(id) = picked_id(&get(field)) {
            attendance.push(AttendInput {
                person_id: Some(id),
                status: "出席".into(),
                role: role.into(),
                ..Default::default()
            });
        }
    }
    for name in get("guests").lines().map(str::trim).filter(|n| !n.is_empty()) {
        attendance.push(AttendInput { name: name.to_owned(), status: "出席".into(), ..Default::default() });
    }
    MeetingInput {
        org_id: picked_id(&get("org")),
        kind: get("type"),
        held_on: get("held_on"),
        starts_at: get("starts_at"),
        place: get("place"),
        topic: get("topic"),
        presenter: get("presenter"),
        recorder: get("recorder"),
        minutes: get("minutes"),
        decisions: get("decisions"),
        planned: form.get("planned").is_some_and(|v| v == "1"),
        attendance,
    }
}

async fn form_page(
    state: &AppState,
    actor: &Actor,
    id: Option<i32>,
    input: MeetingInput,
    errors: FieldErrors,
) -> AppResult<Response> {
    let types = service::types(&state.db).await?;
    let day = crate::text::parse_date(&input.held_on).ok().flatten().unwrap_or_else(|| state.clock.today());
    let k = types.iter().find(|k| k.code == input.kind).cloned();
    let expected = match (input.org_id, &k) {
        (Some(_), Some(k)) => service::expected(state, actor, input.org_id, &k.code, day).await.unwrap_or_default(),
        _ => Vec::new(),
    };
    let org_text = match input.org_id {
        Some(o) => crate::orgs::store::names(&state.db, &[o])
            .await?
            .get(&o)
            .map(|n| format!("{n}（#{o}）"))
            .unwrap_or_default(),
        None => String::new(),
    };
    let title = if id.is_some() { "修改组织生活记录" } else { "登记组织生活" };
    let page = FormPage {
        layout: layout(actor, title, None).crumb(title, None),
        id,
        org_id: input.org_id,
        org_text,
        graded: k.as_ref().is_some_and(|k| k.graded),
        paired: k.as_ref().is_some_and(|k| k.paired),
        input,
        types,
        expected,
        statuses: &ATTEND[..4],
        grades: GRADES,
        errors,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&page)).into_response())
}

pub async fn new(State(state): State<AppState>, actor: Actor, Params(q): Params<ExpectedQuery>) -> AppResult<Response> {
    actor.require(Permission::PersonWrite)?;
    let org = q.org.or_else(|| actor.grants.iter().find(|g| g.role.has(Permission::PersonWrite)).map(|g| g.org_id));
    let input = MeetingInput {
        org_id: org,
        kind: if q.kind.is_empty() { "committee".into() } else { q.kind },
        held_on: if q.date.is_empty() { state.clock.today().to_string() } else { q.date },
        ..Default::default()
    };
    form_page(&state, &actor, None, input, FieldErrors::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let input = input_from(&form);
    if form.contains_key("prefill") {
        return form_page(&state, &actor, None, input, FieldErrors::new()).await;
    }
    match service::create(&state, &actor, &input).await {
        Ok(m) => Ok(Flash::ok("已保存").redirect(&format!("/meetings/{}", m.id))),
        Err(e) => form_page(&state, &actor, None, input, field_errors(e)?).await,
    }
}

pub async fn edit(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    let m = service::writable(&state, &actor, id).await?;
    let v = service::view(&state, &actor, m).await?;
    let input = MeetingInput {
        org_id: Some(v.org_id),
        kind: v.kind.clone(),
        held_on: v.held_on.to_string(),
        starts_at: v.starts_at.clone(),
        place: v.place.clone(),
        topic: v.topic.clone(),
        presenter: v.presenter.clone(),
        recorder: v.recorder.clone(),
        minutes: v.minutes.clone(),
        decisions: v.decisions.clone(),
        planned: v.status == super::Status::Planned,
        attendance: v
            .attendance
            .iter()
            .map(|a| AttendInput {
                person_id: a.person_id,
                name: a.name.clone(),
                status: a.status.clone(),
                reason: a.reason.clone().unwrap_or_default(),
                grade: a.grade.clone().unwrap_or_default(),
                role: a.role.clone().unwrap_or_default(),
            })
            .collect(),
    };
    form_page(&state, &actor, Some(id), input, FieldErrors::new()).await
}

pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let input = input_from(&form);
    match service::update(&state, &actor, id, &input).await {
        Ok(m) => Ok(Flash::ok(if m.id == id {
            "已保存"
        } else {
            "已保存为新版本，通过审阅后替代原记录"
        })
        .redirect(&format!("/meetings/{}", m.id))),
        Err(e) => form_page(&state, &actor, Some(id), input, field_errors(e)?).await,
    }
}

#[derive(Template)]
#[template(path = "meetings/view.html")]
struct ViewPage {
    layout: Layout,
    m: MeetingView,
    can_archive: bool,
    errors: FieldErrors,
}

async fn view_page(
    state: &AppState,
    actor: &Actor,
    id: i32,
    flash: Option<Flash>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let m = service::detail(state, actor, id).await?;
    let title = format!("{} {}", m.type_name, m.held_on);
    let page = ViewPage {
        layout: layout(actor, title.clone(), flash).crumb(title, None),
        can_archive: m.can_edit && m.status == super::Status::Approved,
        m,
        errors,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&page)).into_response())
}

pub async fn view(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    view_page(&state, &actor, id, flash, FieldErrors::new()).await
}

pub async fn submit(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<SubmitInput>,
) -> AppResult<Response> {
    match workflow::submit(&state, &actor, id, &input).await {
        Ok(_) => Ok(Flash::ok("已提交上级审阅").redirect(&format!("/meetings/{id}"))),
        Err(e) => view_page(&state, &actor, id, None, field_errors(e)?).await,
    }
}

pub async fn review(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<ReviewInput>,
) -> AppResult<Response> {
    match workflow::review(&state, &actor, id, &input).await {
        Ok(m) => Ok(Flash::ok(format!("审阅完成：{}", m.status.label())).redirect(&format!("/meetings/{id}"))),
        Err(e) => view_page(&state, &actor, id, None, field_errors(e)?).await,
    }
}

pub async fn archive(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    workflow::archive(&state, &actor, id).await?;
    Ok(Flash::ok("已归档").redirect(&format!("/meetings/{id}")))
}

#[derive(Deserialize)]
pub struct CloseInput {
    #[serde(default)]
    note: String,
}

pub async fn close_followup(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<CloseInput>,
) -> AppResult<Response> {
    let meeting = workflow::close_followup(&state, &actor, id, &input.note).await?;
    Ok(Flash::ok("已记录组织处置情况").redirect(&format!("/meetings/{meeting}")))
}

pub async fn docx(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    let (name, bytes) = outputs::docx(&state, &actor, id).await?;
    Ok(crate::party::letter::document::download(&name, bytes))
}

#[derive(Template)]
#[template(path = "meetings/print.html")]
struct PrintPage {
    layout: Layout,
    m: MeetingView,
}

pub async fn print(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    let m = service::detail(&state, &actor, id).await?;
    Ok(render(&PrintPage { layout: layout(&actor, format!("{} 会议记录", m.type_name), None), m }))
}

#[derive(Template)]
#[template(path = "meetings/compare.html")]
struct ComparePage {
    layout: Layout,
    heading: String,
    left: MeetingView,
    right: MeetingView,
    left_minutes: Vec<(String, bool)>,
    right_minutes: Vec<(String, bool)>,
    similarity: i32,
    fields: Vec<(&'static str, String, String)>,
}

#[derive(Deserialize)]
pub struct CompareQuery {
    with: Option<i32>,
}

/// This record beside the one it replaces (versions) or the similar one (`?with=`), the shared
/// passages of the minutes highlighted.
pub async fn compare(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Params(q): Params<CompareQuery>,
) -> AppResult<Response> {
    let left = service::detail(&state, &actor, id).await?;
    let other = q.with.or(left.supersedes).or(left.similar_to).ok_or(AppError::NotFound)?;
    let right = service::detail(&state, &actor, other).await?;
    let heading = if Some(other) == left.supersedes { "与上一版本比较" } else { "相似的会议记录" };
    let fields = vec![
        ("日期", left.held_on.to_string(), right.held_on.to_string()),
        ("党组织", left.org_name.clone(), right.org_name.clone()),
        ("议题", left.topic.clone(), right.topic.clone()),
        ("地点", left.place.clone(), right.place.clone()),
        ("主持人", left.presenter.clone(), right.presenter.clone()),
        ("决定事项", left.decisions.clone(), right.decisions.clone()),
        (
            "出席",
            left.attendance.iter().filter(|a| super::present(&a.status)).count().to_string(),
            right.attendance.iter().filter(|a| super::present(&a.status)).count().to_string(),
        ),
    ];
    let page = ComparePage {
        layout: layout(&actor, heading, None).crumb(heading, None),
        heading: heading.to_owned(),
        left_minutes: similar::highlight(&left.minutes, &right.minutes),
        right_minutes: similar::highlight(&right.minutes, &left.minutes),
        similarity: similar::similarity(&left.minutes, &right.minutes),
        fields,
        left,
        right,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "meetings/compliance.html")]
struct CompliancePage {
    layout: Layout,
    c: Compliance,
    previous: String,
    next: String,
}

pub async fn compliance_page(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<ComplianceQuery>,
) -> AppResult<Response> {
    let c = compliance::compute(&state, &actor, q.org, q.period.as_deref()).await?;
    let p = super::rules::Period::parse(&c.period).ok_or(AppError::NotFound)?;
    let page = CompliancePage {
        layout: layout(&actor, "组织生活落实情况", None).crumb("落实情况", None),
        previous: p.previous().code(),
        next: p.next().code(),
        c,
    };
    Ok(render(&page))
}

pub async fn compliance_xlsx(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<ComplianceQuery>,
) -> AppResult<Response> {
    let c = compliance::compute(&state, &actor, q.org, q.period.as_deref()).await?;
    let bytes = compliance::workbook(&c)?;
    Ok(crate::io::xlsx::download(&format!("{}组织生活落实情况{}.xlsx", c.org_name, c.period), bytes))
}

#[derive(Template)]
#[template(path = "meetings/calendar.html")]
struct CalendarPage {
    layout: Layout,
    org_id: i32,
    org_name: String,
    month: String,
    previous: String,
    next: String,
    weeks: Vec<Vec<Option<NaiveDate>>>,
    items: Vec<CalendarItem>,
}

impl CalendarPage {
    fn on(&self, d: &NaiveDate) -> Vec<&CalendarItem> {
        self.items.iter().filter(|i| i.held_on == *d).collect()
    }
}

#[derive(Deserialize)]
pub struct CalendarQuery {
    org: Option<i32>,
    month: Option<String>,
}

pub async fn calendar(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<CalendarQuery>,
) -> AppResult<Response> {
    let org = q
        .org
        .or_else(|| actor.grants.iter().find(|g| g.role.has(Permission::PersonRead)).map(|g| g.org_id))
        .ok_or(AppError::NotFound)?;
    let month = q
        .month
        .as_deref()
        .and_then(crate::text::parse_month)
        .unwrap_or_else(|| crate::text::first_of_month(state.clock.today()));
    let (org_name, items) = outputs::calendar(&state, &actor, org, month).await?;
    let shift = |m: NaiveDate, n: i32| {
        let total = m.year() * 12 + m.month0() as i32 + n;
        format!("{:04}-{:02}", total.div_euclid(12), total.rem_euclid(12) + 1)
    };
    let page = CalendarPage {
        layout: layout(&actor, format!("{org_name} 组织生活日历"), None).crumb("日历", None),
        org_id: org,
        org_name,
        month: format!("{}年{}月", month.year(), month.month()),
        previous: shift(month, -1),
        next: shift(month, 1),
        weeks: outputs::weeks(month),
        items,
    };
    Ok(render(&page))
}
