//! Pages across people: must-visit tasks, care items, coverage (with drill-down and export),
//! campaigns and the 十必访 dictionary.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::campaigns::{self, Campaign, CampaignDetail, CampaignInput};
use super::care::{self, CareFilter, CareItem, CloseCare};
use super::coverage::{self, Coverage, CoveragePerson, CoverageQuery, PeopleQuery};
use super::tasks::{self, MustVisit, Situation, SituationInput, TaskFilter};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::form::Form;
use crate::ui::params::{IdPath, Params};
use crate::ui::{FieldErrors, Flash, Layout, ListParams, PageParams, Pager, field_errors, render};

#[derive(Template)]
#[template(path = "visits/tasks.html")]
struct TasksPage {
    layout: Layout,
    rows: Vec<MustVisit>,
    pager: Pager,
    status: String,
}

pub async fn tasks_page(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    Params(p): Params<ListParams<TaskFilter>>,
) -> AppResult<Response> {
    let (rows, total) = tasks::list(&state, &actor, &p.filter, p.page).await?;
    let query = if p.filter.status.is_empty() { String::new() } else { format!("status={}", p.filter.status) };
    let page = TasksPage {
        layout: Layout::new(&actor, "必访任务", "/visits", flash),
        rows,
        pager: Pager::new(p.page, total, query),
        status: p.filter.status,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "visits/care_list.html")]
struct CareListPage {
    layout: Layout,
    rows: Vec<CareItem>,
    pager: Pager,
}

pub async fn care_list(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    Params(p): Params<ListParams<CareFilter>>,
) -> AppResult<Response> {
    let (rows, total) = care::list(&state, &actor, &p.filter, p.page).await?;
    let mut query = Vec::new();
    if let Some(x) = p.filter.person {
        query.push(format!("person={x}"));
    }
    let page = CareListPage {
        layout: Layout::new(&actor, "关怀事项", "/visits", flash),
        rows,
        pager: Pager::new(p.page, total, query.join("&")),
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "visits/care.html")]
struct CarePage {
    layout: Layout,
    c: CareItem,
    errors: FieldErrors,
    form: CloseCare,
}

async fn care_page(
    state: &AppState,
    actor: &Actor,
    id: i32,
    flash: Option<Flash>,
    form: CloseCare,
    errors: FieldErrors,
) -> AppResult<Response> {
    let c = care::get(state, actor, id).await?;
    let layout = Layout::new(actor, format!("关怀事项：{} {}", c.person_name, c.kind), "/visits", flash);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut res = (status, render(&CarePage { layout, c, errors, form })).into_response();
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(res)
}

pub async fn care_detail(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    care_page(&state, &actor, id, flash, CloseCare::default(), FieldErrors::new()).await
}

pub async fn care_close(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(form): Form<CloseCare>,
) -> AppResult<Response> {
    match care::close(&state, &actor, id, &form).await {
        Ok(_) => Ok(Flash::ok("已办结").redirect(&format!("/care-items/{id}"))),
        Err(err) => {
            let errors = field_errors(err)?;
            care_page(&state, &actor, id, None, form, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "visits/coverage.html")]
struct CoveragePage {
    layout: Layout,
    c: Coverage,
    people: Vec<CoveragePerson>,
    pager: Pager,
    status: String,
}

pub async fn coverage_page(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<PeopleQuery>,
) -> AppResult<Response> {
    let (c, people, total) = coverage::people(&state, &actor, &q).await?;
    let status = if q.status == "visited" { "visited".to_owned() } else { "unvisited".to_owned() };
    let query = format!("org={}&cycle={}&status={status}", c.org_id, c.cycle);
    let page = PageParams { page: q.page.max(1), page_size: coverage::PEOPLE_PAGE };
    let page = CoveragePage {
        layout: Layout::new(&actor, "家访覆盖情况", "/visits/coverage", None),
        pager: Pager::new(page, total, query),
        c,
        people,
        status,
    };
    Ok(render(&page))
}

/// The coverage lines as a sheet: exactly the table the page shows.
pub async fn coverage_export(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<CoverageQuery>,
) -> AppResult<Response> {
    let c = coverage::coverage(&state, &actor, &q).await?;
    let mut rows: Vec<Vec<String>> = c
        .lines
        .iter()
        .chain(std::iter::once(&c.total))
        .map(|l| {
            vec![
                l.org_name.clone(),
                l.people.to_string(),
                l.visited.to_string(),
                format!("{:.1}%", l.share),
                l.tasks_overdue.to_string(),
                l.follow_ups_open.to_string(),
            ]
        })
        .collect();
    if let Some(last) = rows.last_mut() {
        last[0] = format!("合计：{}", c.org_name);
    }
    let title = format!("{} 家访覆盖情况（周期 {}：{} 至 {}）", c.org_name, c.cycle, c.from, c.to);
    let headers = ["党组织", "人数", "已走访", "覆盖率", "必访逾期", "后续措施未完成"];
    let bytes = crate::io::xlsx::table("覆盖情况", &title, &headers, &rows)?;
    Ok(crate::io::xlsx::download(&format!("家访覆盖情况-{}-{}.xlsx", c.org_name, c.cycle), bytes))
}

#[derive(Template)]
#[template(path = "visits/campaigns.html")]
struct CampaignsPage {
    layout: Layout,
    rows: Vec<Campaign>,
    can_create: bool,
    occasions: &'static [&'static str],
    rules: &'static [(&'static str, &'static str)],
    form: CampaignInputForm,
    errors: FieldErrors,
}

#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub struct CampaignInputForm {
    name: String,
    occasion: String,
    starts_on: String,
    ends_on: String,
    org_id: String,
    rule: String,
}

impl CampaignsPage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }
    fn error_of(&self, field: &str) -> String {
        self.errors.get(field).cloned().unwrap_or_default()
    }
}

async fn campaigns_render(
    state: &AppState,
    actor: &Actor,
    flash: Option<Flash>,
    form: CampaignInputForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let rows = campaigns::list(state, actor).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = CampaignsPage {
        layout: Layout::new(actor, "重要节点联合访", "/visits", flash),
        rows,
        can_create: actor.can(Permission::OrgWrite),
        occasions: campaigns::OCCASIONS,
        rules: campaigns::RULES,
        form,
        errors,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn campaigns_page(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
) -> AppResult<Response> {
    campaigns_render(&state, &actor, flash, CampaignInputForm::default(), FieldErrors::new()).await
}

pub async fn campaign_create(
    State(state): State<AppState>,
    actor: Actor,
    Form(f): Form<CampaignInputForm>,
) -> AppResult<Response> {
    let input = CampaignInput {
        name: f.name.clone(),
        occasion: f.occasion.clone(),
        starts_on: f.starts_on.clone(),
        ends_on: f.ends_on.clone(),
        org_id: crate::ui::params::picked_id(&f.org_id),
        rule: f.rule.clone(),
    };
    match campaigns::create(&state, &actor, &input).await {
        Ok(c) => Ok(Flash::ok("已建立联合访活动").redirect(&format!("/visits/campaigns/{}", c.id))),
        Err(err) => {
            let errors = field_errors(err)?;
            campaigns_render(&state, &actor, None, f, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "visits/campaign.html")]
struct CampaignPage {
    layout: Layout,
    d: CampaignDetail,
}

pub async fn campaign_detail(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    let d = campaigns::detail(&state, &actor, id).await?;
    let layout = Layout::new(&actor, d.campaign.name.clone(), "/visits", flash);
    Ok(render(&CampaignPage { layout, d }))
}

#[derive(Template)]
#[template(path = "visits/situations.html")]
struct SituationsPage {
    layout: Layout,
    rows: Vec<Situation>,
    can_edit: bool,
}

pub async fn situations_page(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
) -> AppResult<Response> {
    if !actor.can(Permission::DictionaryManage) {
        actor.require(Permission::PersonRead)?;
    }
    let rows = tasks::situations(&state).await?;
    let can_edit = actor.can(Permission::DictionaryManage);
    let active = if can_edit { "/visits/situations" } else { "/visits" };
    let page = SituationsPage { layout: Layout::new(&actor, "十必访情形", active, flash), rows, can_edit };
    Ok(render(&page))
}

/// Adds a situation from the dictionary page.
pub async fn situation_create(
    State(state): State<AppState>,
    actor: Actor,
    Form(f): Form<SituationForm>,
) -> AppResult<Response> {
    let input = SituationInput {
        label: f.label,
        deadline_days: f.deadline_days.trim().parse().ok().or(Some(0)),
        active: Some(true),
    };
    match tasks::create_situation(&state, &actor, &input).await {
        Ok(s) => Ok(Flash::ok(format!("已新增“{}”", s.label)).redirect("/visits/situations")),
        Err(err) => Flash::refused(err, "/visits/situations"),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct SituationForm {
    label: String,
    deadline_days: String,
    active: String,
}

pub async fn situation_update(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(f): Form<SituationForm>,
) -> AppResult<Response> {
    let input = SituationInput {
        label: f.label,
        deadline_days: f.deadline_days.trim().parse().ok().or(Some(0)),
        active: Some(f.active == "1"),
    };
    match tasks::update_situation(&state, &actor, id, &input).await {
        Ok(_) => Ok(Flash::ok("已保存").redirect("/visits/situations")),
        Err(err) => Flash::refused(err, "/visits/situations"),
    }
}
