//! The exit-case pages: the list, a case with the form of its next step and of the statutory
//! bars, opening a case by hand, the decision notice, and the statistics with their export.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::bars::{self, BarInput, LiftInput};
use super::service::{self, CaseRow, ExitCase, Filter};
use super::stats::{self, Stats, StatsQuery};
use super::steps::{self, OpenInput, StepInput, next_action};
use super::{Bar, Outcome, SourceKind, Status};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::blocks::Choice;
use crate::ui::flash::TakeFlash;
use crate::ui::form::Form;
use crate::ui::params::{IdPath, Params};
use crate::ui::{FieldErrors, Flash, Layout, Pager, field_errors, render};

type ListQuery = crate::ui::ListParams<Filter>;

#[derive(Template)]
#[template(path = "exits/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<CaseRow>,
    pager: Pager,
    filter: Filter,
    statuses: Vec<Choice>,
    outcomes: Vec<Choice>,
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    Params(q): Params<ListQuery>,
) -> AppResult<Response> {
    let (rows, total) = service::list(&state, &actor, &q.filter, q.page).await?;
    let mut statuses =
        vec![Choice {
            value: "open".into(), label: "办理中（全部）".into(), selected: q.filter.status == "open"
        }];
    statuses.extend(Status::ALL.iter().map(|s| Choice {
        value: s.as_str().into(),
        label: s.label().into(),
        selected: q.filter.status == s.as_str(),
    }));
    let outcomes = Outcome::ALL
        .iter()
        .map(|o| Choice { value: o.as_str().into(), label: o.label().into(), selected: q.filter.outcome == o.as_str() })
        .collect();
    let page = ListPage {
        layout: Layout::new(&actor, "出口机制", "/exits", flash),
        pager: Pager::new(q.page, total, q.filter.query()),
        rows,
        statuses,
        outcomes,
        filter: q.filter,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "exits/detail.html")]
struct DetailPage {
    layout: Layout,
    c: ExitCase,
    /// The action the form takes next; empty when the case is closed.
    next: &'static str,
    step: StepInput,
    bar: BarInput,
    errors: FieldErrors,
    outcomes: Vec<Choice>,
    bars: Vec<Choice>,
    can_bar: bool,
}

impl DetailPage {
    fn err(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }

    fn has(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }
}

async fn detail_page(
    state: &AppState,
    actor: &Actor,
    id: i32,
    flash: Option<Flash>,
    (step, bar): (StepInput, BarInput),
    errors: FieldErrors,
) -> AppResult<Response> {
    let c = service::detail(state, actor, id).await?;
    let next = next_action(c.status, c.executed_on.is_some()).unwrap_or("");
    let outcomes = c
        .outcomes
        .iter()
        .map(|o| Choice { value: o.as_str().into(), label: o.label().into(), selected: step.outcome == o.as_str() })
        .collect();
    let bars = Bar::ALL
        .iter()
        .map(|b| Choice { value: b.as_str().into(), label: b.label().into(), selected: bar.kind == b.as_str() })
        .collect();
    let can_bar = matches!(c.status, Status::Proposed | Status::Investigating | Status::Hearing | Status::Committee);
    let layout = Layout::new(actor, format!("出口案件：{}", c.person_name), "/exits", flash)
        .crumb("出口机制", Some("/exits".into()))
        .crumb(format!("{}（#{}）", c.person_name, c.id), None);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = DetailPage { layout, c, next, step, bar, errors, outcomes, bars, can_bar };
    Ok((status, render(&page)).into_response())
}

pub async fn detail(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    detail_page(&state, &actor, id, flash, Default::default(), FieldErrors::new()).await
}

pub async fn step(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<StepInput>,
) -> AppResult<Response> {
    match steps::act(&state, &actor, id, &input).await {
        Ok(c) => Ok(Flash::ok(format!("已办理：{}，案件现为“{}”", input.action.trim(), c.status.as_str()))
            .redirect(&format!("/exits/{id}"))),
        Err(err) => {
            let errors = field_errors(err)?;
            detail_page(&state, &actor, id, None, (input, BarInput::default()), errors).await
        }
    }
}

pub async fn add_bar(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<BarInput>,
) -> AppResult<Response> {
    match bars::add(&state, &actor, id, &input).await {
        Ok(_) => Ok(Flash::ok("已登记法定情形").redirect(&format!("/exits/{id}"))),
        Err(err) => {
            let errors = field_errors(err)?;
            let errors = errors.into_iter().map(|(f, m)| (format!("bar_{f}"), m)).collect();
            detail_page(&state, &actor, id, None, (StepInput::default(), input), errors).await
        }
    }
}

pub async fn lift_bar(
    State(state): State<AppState>,
    actor: Actor,
    IdPath((id, bar_id)): IdPath<(i32, i32)>,
    Form(input): Form<LiftInput>,
) -> AppResult<Response> {
    match bars::lift(&state, &actor, id, bar_id, &input).await {
        Ok(_) => Ok(Flash::ok("已登记法定情形解除").redirect(&format!("/exits/{id}"))),
        Err(err) => {
            let errors = field_errors(err)?;
            let errors = errors.into_iter().map(|(f, m)| (format!("lift_{f}"), m)).collect();
            detail_page(&state, &actor, id, None, Default::default(), errors).await
        }
    }
}

pub async fn notice(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    let (name, bytes) = super::notice::docx(&state, &actor, id).await?;
    Ok(crate::party::letter::document::download(&name, bytes))
}

#[derive(Template)]
#[template(path = "exits/new.html")]
struct NewPage {
    layout: Layout,
    form: OpenInput,
    person_text: String,
    errors: FieldErrors,
    sources: Vec<Choice>,
}

async fn new_page(state: &AppState, actor: &Actor, form: OpenInput, errors: FieldErrors) -> AppResult<Response> {
    service::require_class(state, actor, "new").await?;
    let person_text = match form.person_id {
        Some(id) => crate::people::store::names_by_id(&state.db, &[id])
            .await?
            .get(&id)
            .map_or(id.to_string(), |n| format!("{n}（#{id}）")),
        None => String::new(),
    };
    let sources = SourceKind::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().into(),
            label: s.label().into(),
            selected: form.source_kind == s.as_str() || (form.source_kind.is_empty() && *s == SourceKind::Manual),
        })
        .collect();
    let page = NewPage {
        layout: Layout::new(actor, "出口案件立案", "/exits", None)
            .crumb("出口机制", Some("/exits".into()))
            .crumb("立案", None),
        person_text,
        form,
        errors,
        sources,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&page)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    person_id: Option<i32>,
}

pub async fn new(State(state): State<AppState>, actor: Actor, Params(q): Params<NewQuery>) -> AppResult<Response> {
    let form = OpenInput { person_id: q.person_id, ..Default::default() };
    new_page(&state, &actor, form, FieldErrors::new()).await
}

pub async fn create(State(state): State<AppState>, actor: Actor, Form(input): Form<OpenInput>) -> AppResult<Response> {
    match steps::open(&state, &actor, &input).await {
        Ok(c) => Ok(Flash::ok(format!("已立案：{}", c.person_name)).redirect(&format!("/exits/{}", c.id))),
        Err(err) => {
            let errors = field_errors(err)?;
            new_page(&state, &actor, input, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "exits/stats.html")]
struct StatsPage {
    layout: Layout,
    s: Stats,
    query: String,
    year: String,
}

pub async fn stats(State(state): State<AppState>, actor: Actor, Params(q): Params<StatsQuery>) -> AppResult<Response> {
    let s = stats::stats(&state, &actor, &q).await?;
    let year = s.year.map(|y| y.to_string()).unwrap_or_default();
    let query = crate::ui::query_string(&[("org", &s.org_id.to_string()), ("year", &year)]);
    let page = StatsPage { layout: Layout::new(&actor, "出口案件统计", "/exits/stats", None), query, year, s };
    Ok(render(&page))
}

pub async fn export(State(state): State<AppState>, actor: Actor, Params(q): Params<StatsQuery>) -> AppResult<Response> {
    let (name, bytes) = stats::export(&state, &actor, &q).await?;
    Ok(crate::io::xlsx::download(&name, bytes))
}
