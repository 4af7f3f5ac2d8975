//! HTML pages of organizations.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::OrgKind;
use super::service::{self, OrgDetail, OrgFilter, OrgInput, OrgView};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::io::xlsx;
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::form::Form;
use crate::ui::params::{IdPath, Params};
use crate::ui::{FieldErrors, Flash, Layout, Pager, field_errors, query_string, render};

pub use crate::ui::blocks::Choice;

fn kind_choices(selected: &str) -> Vec<Choice> {
    OrgKind::ALL
        .iter()
        .map(|k| Choice { value: k.as_str().into(), label: k.as_str().into(), selected: k.as_str() == selected })
        .collect()
}

#[derive(Template)]
#[template(path = "orgs/list.html")]
struct ListPage {
    layout: Layout,
    q: String,
    kinds: Vec<Choice>,
    rows: Vec<OrgView>,
    pager: Pager,
    export_href: String,
    can_write: bool,
}

type ListQuery = crate::ui::ListParams<OrgFilter>;

fn filter_query(filter: &OrgFilter) -> String {
    let under = filter.under.map(|u| u.to_string()).unwrap_or_default();
    query_string(&[("q", &filter.q), ("kind", &filter.kind), ("under", &under)])
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    Params(query): Params<ListQuery>,
) -> AppResult<Response> {
    let page = query.page.normalized();
    let (rows, total) = service::list(&state, &actor, &query.filter, page).await?;
    let qs = filter_query(&query.filter);
    let page = ListPage {
        layout: Layout::new(&actor, "党组织", "/orgs", flash).crumb("党组织", None),
        q: query.filter.q.clone(),
        kinds: kind_choices(&query.filter.kind),
        rows,
        pager: Pager::new(page, total, qs.clone()),
        export_href: if qs.is_empty() { "/orgs/export.xlsx".into() } else { format!("/orgs/export.xlsx?{qs}") },
        can_write: actor.can(Permission::OrgWrite),
    };
    Ok(render(&page))
}

pub async fn export(
    State(state): State<AppState>,
    actor: Actor,
    Params(query): Params<ListQuery>,
) -> AppResult<Response> {
    let rows = service::list_all(&state, &actor, &query.filter).await?;
    let table: Vec<Vec<String>> = rows
        .into_iter()
        .map(|o| {
            vec![
                format!("{}{}", "  ".repeat(o.depth as usize), o.name),
                o.kind,
                o.unit_name.unwrap_or_default(),
                o.depth.to_string(),
            ]
        })
        .collect();
    let title = format!("党组织（共 {} 个）", table.len());
    let bytes = xlsx::table("党组织", &title, &["名称", "类型", "所在单位", "层级"], &table)?;
    Ok(xlsx::download("党组织.xlsx", bytes))
}

#[derive(Template)]
#[template(path = "orgs/view.html")]
struct ViewPage {
    layout: Layout,
    d: OrgDetail,
    parents: Vec<Choice>,
    child_kinds: Vec<Choice>,
    errors: FieldErrors,
    form_name: String,
    form_unit: String,
    candidates: Vec<Choice>,
    posts: Vec<Choice>,
    merge_targets: Vec<Choice>,
}

async fn view_page(state: &AppState, actor: &Actor, id: i32, flash: Option<Flash>) -> AppResult<ViewPage> {
    let d = service::get(state, actor, id).await?;
    let mut layout = Layout::new(actor, d.org.name.clone(), "/orgs", flash).crumb("党组织", Some("/orgs".into()));
    for a in &d.ancestors {
        let href = (a.id != 0).then(|| format!("/orgs/{}", a.id));
        layout = layout.crumb(a.name.clone(), href);
    }
    layout = layout.crumb(d.org.name.clone(), None);
    let parents = if d.can_write {
        let kind = OrgKind::parse(&d.org.kind);
        Choice::orgs(service::parent_options(state, actor, kind, Some(&d.org.path)).await?, d.org.parent_id)
    } else {
        Vec::new()
    };
    let child_kinds = OrgKind::ALL
        .iter()
        .filter(|k| k.may_be_under(OrgKind::parse(&d.org.kind)))
        .map(|k| Choice { value: k.as_str().into(), label: k.as_str().into(), selected: false })
        .collect();
    let (candidates, merge_targets) = if d.can_write {
        let model = super::store::find(&state.db, d.org.id).await?.ok_or(crate::error::AppError::NotFound)?;
        let candidates = super::governance::committee_candidates(state, &model)
            .await?
            .into_iter()
            .map(|(id, name)| Choice { value: id.to_string(), label: name, selected: false })
            .collect();
        let targets = service::options_for(state, actor, Permission::OrgWrite)
            .await?
            .into_iter()
            .filter(|(id, _)| *id != d.org.id)
            .map(|(id, label)| Choice { value: id.to_string(), label, selected: false })
            .collect();
        (candidates, targets)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(ViewPage {
        candidates,
        merge_targets,
        posts: super::governance::POSTS
            .iter()
            .map(|p| Choice { value: (*p).into(), label: (*p).into(), selected: false })
            .collect(),
        form_name: d.org.name.clone(),
        form_unit: d.org.unit_name.clone().unwrap_or_default(),
        layout,
        d,
        parents,
        child_kinds,
        errors: FieldErrors::new(),
    })
}

pub async fn view(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    Ok(render(&view_page(&state, &actor, id, flash).await?))
}

#[derive(Deserialize)]
pub struct RenameForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    unit_name: String,
}

pub async fn rename(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(form): Form<RenameForm>,
) -> AppResult<Response> {
    match service::rename(&state, &actor, id, &form.name, &form.unit_name).await {
        Ok(o) => Ok(Flash::ok(format!("已保存：{}", o.name)).redirect(&format!("/orgs/{id}"))),
        Err(err) => {
            let errors = field_errors(err)?;
            let mut page = view_page(&state, &actor, id, None).await?;
            page.errors = errors;
            page.form_name = form.name;
            page.form_unit = form.unit_name;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    parent_id: String,
}

pub async fn move_to(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(form): Form<MoveForm>,
) -> AppResult<Response> {
    let result = match form.parent_id.parse::<i32>() {
        Ok(parent) => service::move_to(&state, &actor, id, parent).await,
        Err(_) => Err(crate::error::AppError::validation("parent_id", "请选择新的上级党组织")),
    };
    match result {
        Ok(o) => Ok(Flash::ok(format!("已移动：{}", o.name)).redirect(&format!("/orgs/{id}"))),
        Err(err) => {
            let errors = field_errors(err)?;
            let mut page = view_page(&state, &actor, id, None).await?;
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "orgs/new.html")]
struct NewPage {
    layout: Layout,
    kinds: Vec<Choice>,
    parents: Vec<Choice>,
    form: OrgInput,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    parent: Option<i32>,
}

async fn new_page(state: &AppState, actor: &Actor, form: OrgInput, errors: FieldErrors) -> AppResult<NewPage> {
    actor.require(Permission::OrgWrite)?;
    let parents = Choice::orgs(service::parent_options(state, actor, None, None).await?, form.parent_id);
    Ok(NewPage {
        layout: Layout::new(actor, "新建党组织", "/orgs", None)
            .crumb("党组织", Some("/orgs".into()))
            .crumb("新建", None),
        kinds: kind_choices(&form.kind),
        parents,
        form,
        errors,
    })
}

pub async fn new_form(State(state): State<AppState>, actor: Actor, Params(q): Params<NewQuery>) -> AppResult<Response> {
    let form = OrgInput { parent_id: q.parent, ..Default::default() };
    Ok(render(&new_page(&state, &actor, form, FieldErrors::new()).await?))
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    unit_name: String,
}

pub async fn create(State(state): State<AppState>, actor: Actor, Form(form): Form<CreateForm>) -> AppResult<Response> {
    let input = OrgInput {
        name: form.name,
        kind: form.kind,
        parent_id: form.parent_id.parse().ok(),
        unit_name: form.unit_name,
    };
    match service::create(&state, &actor, input.clone()).await {
        Ok(o) => Ok(Flash::ok(format!("已建立：{}", o.name)).redirect(&format!("/orgs/{}", o.id))),
        Err(err) => {
            let errors = field_errors(err)?;
            let page = new_page(&state, &actor, input, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

// ---------------------------------------------------------------- governance

async fn view_with_errors(
    state: &AppState,
    actor: &Actor,
    id: i32,
    err: crate::error::AppError,
) -> AppResult<Response> {
    let errors = field_errors(err)?;
    let mut page = view_page(state, actor, id, None).await?;
    page.errors = errors;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

pub async fn term(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<super::governance::TermInput>,
) -> AppResult<Response> {
    match super::governance::set_term(&state, &actor, id, &input).await {
        Ok(_) => Ok(Flash::ok("已保存届期与换届信息").redirect(&format!("/orgs/{id}"))),
        Err(err) => view_with_errors(&state, &actor, id, err).await,
    }
}

pub async fn committee_add(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<super::governance::CommitteeInput>,
) -> AppResult<Response> {
    match super::governance::add_committee(&state, &actor, id, &input).await {
        Ok(()) => Ok(Flash::ok("已增补委员").redirect(&format!("/orgs/{id}"))),
        Err(err) => view_with_errors(&state, &actor, id, err).await,
    }
}

pub async fn committee_remove(
    State(state): State<AppState>,
    actor: Actor,
    IdPath((id, member_id)): IdPath<(i32, i32)>,
) -> AppResult<Response> {
    super::governance::remove_committee(&state, &actor, id, member_id).await?;
    Ok(Flash::ok("已免去").redirect(&format!("/orgs/{id}")))
}

pub async fn dissolve(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<super::governance::DissolveInput>,
) -> AppResult<Response> {
    match super::governance::dissolve(&state, &actor, id, &input).await {
        Ok(()) => Ok(Flash::ok("党组织已撤销（记录保留于审计日志）").redirect("/orgs")),
        Err(err) => view_with_errors(&state, &actor, id, err).await,
    }
}
