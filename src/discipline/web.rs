//! The discipline pages: the list, a record and its appeal, the new-record form, the statistics
//! with their export and bulletin, and the commitments.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::commitments::{self, Commitment, CommitmentInput, ReportRow};
use super::correction::{self, CorrectionInput};
use super::record::{self, AppealInput, SanctionInput};
use super::rules::{Category, Ground, Kind, Source, Status};
use super::service::{self, Filter, Sanction};
use super::stats::{self, Stats, StatsQuery};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::blocks::Choice;
use crate::ui::flash::TakeFlash;
use crate::ui::form::Form;
use crate::ui::params::{IdPath, Params};
use crate::ui::{FieldErrors, Flash, Layout, Pager, field_errors, render};

type ListQuery = crate::ui::ListParams<Filter>;

fn texts(values: &[&'static str], selected: &str) -> Vec<Choice> {
    Choice::texts(values, selected)
}

#[derive(Template)]
#[template(path = "discipline/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Sanction>,
    pager: Pager,
    filter: Filter,
    can_write: bool,
    categories: Vec<Choice>,
    statuses: Vec<Choice>,
    forms: Vec<Choice>,
    classes: Vec<Choice>,
    year: String,
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    Params(q): Params<ListQuery>,
) -> AppResult<Response> {
    let (rows, total) = service::list(&state, &actor, &q.filter, q.page).await?;
    let cats: Vec<&'static str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    let stats: Vec<&'static str> = Status::ALL.iter().map(|c| c.as_str()).collect();
    let form = q.filter.form.map(|f| f.to_string()).unwrap_or_default();
    let page = ListPage {
        layout: Layout::new(&actor, "执纪问责", "/discipline", flash),
        pager: Pager::new(q.page, total, q.filter.query()),
        rows,
        can_write: actor.can(Permission::DisciplineWrite),
        categories: texts(&cats, &q.filter.category),
        statuses: texts(&stats, &q.filter.status),
        forms: ["1", "2", "3", "4"]
            .iter()
            .map(|v| Choice { value: (*v).into(), label: format!("第{v}种形态"), selected: form == *v })
            .collect(),
        classes: texts(&["重处分", "轻处分"], &q.filter.class),
        year: q.filter.year.map(|y| y.to_string()).unwrap_or_default(),
        filter: q.filter,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "discipline/detail.html")]
struct DetailPage {
    layout: Layout,
    s: Sanction,
    can_write: bool,
    appeal: AppealInput,
    /// What a failed correction sent back (its errors are under `fix_<field>`).
    fix: Option<CorrectionInput>,
    errors: FieldErrors,
}

impl DetailPage {
    fn has(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }

    fn err(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }

    fn appeal_fields(&self) -> Vec<(&'static str, &'static str, String)> {
        let a = &self.appeal;
        vec![
            ("action", "复查结果（撤销 或 变更）", a.action.clone()),
            ("date", "复查决定日期", a.date.clone()),
            ("reason", "理由", a.reason.clone()),
            ("decided_by", "作出复查决定的机关", a.decided_by.clone()),
            ("doc_no", "文号", a.doc_no.clone()),
            ("kind", "变更后的种类（变更时填写）", a.kind.clone()),
            ("effective_on", "变更后的生效日期（不填沿用原生效日期）", a.effective_on.clone()),
        ]
    }

    /// The correction form's one-line fields: (name, label, value), filled with the record's
    /// values or with what a failed correction sent.
    fn fix_fields(&self) -> Vec<(&'static str, &'static str, String)> {
        let s = &self.s;
        let sent = |v: Option<&Option<String>>, current: String| match v {
            Some(Some(v)) => v.clone(),
            _ => current,
        };
        let f = self.fix.as_ref();
        vec![
            ("decided_by", "作出决定的机关", sent(f.map(|f| &f.decided_by), s.decided_by.clone())),
            ("doc_no", "文号", sent(f.map(|f| &f.doc_no), s.doc_no.clone().unwrap_or_default())),
            ("decided_on", "决定日期", sent(f.map(|f| &f.decided_on), s.decided_on.to_string())),
            ("effective_on", "生效日期", sent(f.map(|f| &f.effective_on), s.effective_on.to_string())),
        ]
    }

    fn fix_has(&self, field: &str) -> bool {
        self.errors.contains_key(&format!("fix_{field}"))
    }

    fn fix_err(&self, field: &str) -> Option<&String> {
        self.errors.get(&format!("fix_{field}"))
    }

    fn fix_facts(&self) -> String {
        match self.fix.as_ref().and_then(|f| f.facts.clone()) {
            Some(v) => v,
            None => self.s.facts.clone(),
        }
    }

    fn fix_reason(&self) -> String {
        self.fix.as_ref().map(|f| f.reason.clone()).unwrap_or_default()
    }

    fn is_date(&self, field: &str) -> bool {
        field == "date" || field == "effective_on"
    }
}

async fn detail_page(
    state: &AppState,
    actor: &Actor,
    id: i32,
    flash: Option<Flash>,
    (appeal, fix): (AppealInput, Option<CorrectionInput>),
    errors: FieldErrors,
) -> AppResult<Response> {
    let s = service::detail(state, actor, id).await?;
    let can_write = actor.scope(Permission::DisciplineWrite).contains(&state_path(state, id).await?);
    let layout = Layout::new(actor, format!("{}：{}", s.person_name, s.kind_label), "/discipline", flash)
        .crumb("执纪问责", Some("/discipline".into()))
        .crumb(format!("{} {}", s.person_name, s.kind_label), None);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&DetailPage { layout, s, can_write, appeal, fix, errors })).into_response())
}

/// The record's organization path (already read once by the detail's check).
async fn state_path(state: &AppState, id: i32) -> AppResult<String> {
    use sea_orm::EntityTrait;
    Ok(super::entity::sanction::Entity::find_by_id(id).one(&state.db).await?.map(|s| s.org_path).unwrap_or_default())
}

pub async fn detail(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    detail_page(&state, &actor, id, flash, (AppealInput::default(), None), FieldErrors::new()).await
}

pub async fn appeal(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<AppealInput>,
) -> AppResult<Response> {
    match record::appeal(&state, &actor, id, &input).await {
        Ok(saved) => {
            let mut msg = format!("已{}", input.action.trim());
            for w in &saved.warnings {
                msg.push('。');
                msg.push_str(w);
            }
            Ok(Flash::ok(msg).redirect(&format!("/discipline/{}", saved.sanction.id)))
        }
        Err(err) => {
            let errors = field_errors(err)?;
            detail_page(&state, &actor, id, None, (input, None), errors).await
        }
    }
}

/// The correction form: every field comes filled, so an unchanged one is simply the same.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CorrectionForm {
    facts: String,
    decided_by: String,
    doc_no: String,
    decided_on: String,
    effective_on: String,
    reason: String,
}

pub async fn correct(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(form): Form<CorrectionForm>,
) -> AppResult<Response> {
    let input = CorrectionInput {
        facts: Some(form.facts),
        decided_by: Some(form.decided_by),
        doc_no: Some(form.doc_no),
        decided_on: Some(form.decided_on),
        effective_on: Some(form.effective_on),
        reason: form.reason,
    };
    match correction::correct(&state, &actor, id, &input).await {
        Ok(saved) => {
            let mut msg = "已更正记录，原内容已保留".to_owned();
            for w in &saved.warnings {
                msg.push('。');
                msg.push_str(w);
            }
            Ok(Flash::ok(msg).redirect(&format!("/discipline/{id}")))
        }
        Err(err) => {
            let errors = field_errors(err)?;
            let errors = errors.into_iter().map(|(f, m)| (format!("fix_{f}"), m)).collect();
            detail_page(&state, &actor, id, None, (AppealInput::default(), Some(input)), errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "discipline/new.html")]
struct NewPage {
    layout: Layout,
    form: SanctionInput,
    person_text: String,
    errors: FieldErrors,
    kinds: Vec<(&'static str, Vec<Choice>)>,
    sources: Vec<Choice>,
    grounds: Vec<Choice>,
    commitments: Vec<Choice>,
}

async fn new_page(state: &AppState, actor: &Actor, form: SanctionInput, errors: FieldErrors) -> AppResult<Response> {
    actor.require(Permission::DisciplineWrite)?;
    let person_text = match form.person_id {
        Some(id) => crate::people::store::names_by_id(&state.db, &[id])
            .await?
            .get(&id)
            .map_or(id.to_string(), |n| format!("{n}（#{id}）")),
        None => String::new(),
    };
    let kinds = Category::ALL
        .iter()
        .map(|c| {
            let options = Kind::ALL
                .iter()
                .filter(|k| k.category() == *c)
                .map(|k| Choice {
                    value: k.as_str().into(),
                    label: k.label().into(),
                    selected: form.kind == k.as_str(),
                })
                .collect();
            (c.label(), options)
        })
        .collect();
    let sources: Vec<&'static str> = Source::ALL.iter().map(|s| s.as_str()).collect();
    let grounds: Vec<&'static str> = Ground::ALL.iter().map(|s| s.as_str()).collect();
    let chosen = form.commitment_id.map(|c| c.to_string()).unwrap_or_default();
    let commitments = commitments::list(state, actor)
        .await?
        .into_iter()
        .filter(|c| !c.retired)
        .map(|c| Choice {
            value: c.id.to_string(),
            selected: chosen == c.id.to_string(),
            label: format!("{}：{}", c.group, c.title),
        })
        .collect();
    let page = NewPage {
        layout: Layout::new(actor, "登记执纪问责记录", "/discipline", None)
            .crumb("执纪问责", Some("/discipline".into()))
            .crumb("登记", None),
        sources: texts(&sources, &form.source),
        grounds: texts(&grounds, &form.ground),
        person_text,
        form,
        errors,
        kinds,
        commitments,
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
    let form = SanctionInput { person_id: q.person_id, ..Default::default() };
    new_page(&state, &actor, form, FieldErrors::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    Form(input): Form<SanctionInput>,
) -> AppResult<Response> {
    match record::create(&state, &actor, &input).await {
        Ok(saved) => {
            let mut msg = format!("已登记：{} {}", saved.sanction.person_name, saved.sanction.kind_label);
            for w in &saved.warnings {
                msg.push('。');
                msg.push_str(w);
            }
            Ok(Flash::ok(msg).redirect(&format!("/discipline/{}", saved.sanction.id)))
        }
        Err(err) => {
            let errors = field_errors(err)?;
            new_page(&state, &actor, input, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "discipline/stats.html")]
struct StatsPage {
    layout: Layout,
    s: Stats,
    shares: [String; 4],
    query: String,
    can_bulletin: bool,
}

pub async fn stats(State(state): State<AppState>, actor: Actor, Params(q): Params<StatsQuery>) -> AppResult<Response> {
    let s = stats::stats(&state, &actor, &q).await?;
    let query = crate::ui::query_string(&[("org", &s.org_id.to_string()), ("year", &s.year.to_string())]);
    let page = StatsPage {
        layout: Layout::new(&actor, "执纪问责统计", "/discipline/stats", None),
        shares: s.total.shares(),
        can_bulletin: s.names,
        query,
        s,
    };
    Ok(render(&page))
}

pub async fn export(State(state): State<AppState>, actor: Actor, Params(q): Params<StatsQuery>) -> AppResult<Response> {
    let (name, bytes) = stats::export(&state, &actor, &q).await?;
    Ok(crate::io::xlsx::download(&name, bytes))
}

pub async fn bulletin(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<StatsQuery>,
) -> AppResult<Response> {
    let (name, bytes) = stats::bulletin(&state, &actor, &q).await?;
    Ok(crate::party::letter::document::download(&name, bytes))
}

#[derive(Template)]
#[template(path = "discipline/commitments.html")]
struct CommitmentsPage {
    layout: Layout,
    items: Vec<Commitment>,
    report: Vec<ReportRow>,
    year: i32,
    can_edit: bool,
    form: CommitmentInput,
    errors: FieldErrors,
    groups: Vec<Choice>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct YearQuery {
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    year: Option<i32>,
}

async fn commitments_page(
    state: &AppState,
    actor: &Actor,
    year: Option<i32>,
    flash: Option<Flash>,
    form: CommitmentInput,
    errors: FieldErrors,
) -> AppResult<Response> {
    let year = year.unwrap_or_else(|| service::this_year(state));
    let items = commitments::list(state, actor).await?;
    let report = commitments::report(state, actor, year).await?;
    let page = CommitmentsPage {
        layout: Layout::new(actor, "五个一律、五个零容忍", "/discipline/commitments", flash),
        groups: texts(&commitments::GROUPS, &form.group),
        items,
        report,
        year,
        can_edit: commitments::may_edit(actor),
        form,
        errors,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&page)).into_response())
}

pub async fn commitments(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    Params(q): Params<YearQuery>,
) -> AppResult<Response> {
    commitments_page(&state, &actor, q.year, flash, CommitmentInput::default(), FieldErrors::new()).await
}

pub async fn create_commitment(
    State(state): State<AppState>,
    actor: Actor,
    Form(input): Form<CommitmentInput>,
) -> AppResult<Response> {
    match commitments::create(&state, &actor, &input).await {
        Ok(c) => Ok(Flash::ok(format!("已新增：{}", c.title)).redirect("/discipline/commitments")),
        Err(err) => {
            let errors = field_errors(err)?;
            commitments_page(&state, &actor, None, None, input, errors).await
        }
    }
}

pub async fn update_commitment(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<CommitmentInput>,
) -> AppResult<Response> {
    match commitments::update(&state, &actor, id, &input).await {
        Ok(c) => Ok(Flash::ok(format!("已保存：{}", c.title)).redirect("/discipline/commitments")),
        Err(err) => {
            let errors = field_errors(err)?;
            commitments_page(&state, &actor, None, None, input, errors).await
        }
    }
}
