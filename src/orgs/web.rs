//! HTML pages of organizations.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::service::{self, OrgFilter, OrgInput, OrgView};
use super::{OrgKind, picker};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::io::xlsx;
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::form::Form;
use crate::ui::params::{IdPath, Params, PickerForm};
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
            let typed = vec![("name", form.name), ("unit_name", form.unit_name)];
            crate::module::org_page(&state, &actor, id, field_errors(err)?, typed).await
        }
    }
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default, deserialize_with = "crate::ui::params::picked")]
    parent_id: Option<i32>,
}

pub async fn move_to(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(form): Form<MoveForm>,
) -> AppResult<Response> {
    let result = match form.parent_id {
        Some(parent) => service::move_to(&state, &actor, id, parent).await,
        None => Err(AppError::validation("parent_id", "请选择新的上级党组织")),
    };
    match result {
        Ok(o) => Ok(Flash::ok(format!("已移动：{}", o.name)).redirect(&format!("/orgs/{id}"))),
        Err(err) => view_with_errors(&state, &actor, id, err).await,
    }
}

#[derive(Template)]
#[template(path = "orgs/new.html")]
struct NewPage {
    layout: Layout,
    kinds: Vec<Choice>,
    /// The parent picker's text: the chosen organization only (see [`options`]).
    parent: String,
    form: OrgInput,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    parent: Option<i32>,
}

async fn new_page(state: &AppState, actor: &Actor, form: OrgInput, errors: FieldErrors) -> AppResult<NewPage> {
    actor.require(Permission::OrgWrite)?;
    let parent = picker::picked_text(state, actor, Some(Permission::OrgWrite), form.parent_id).await?;
    Ok(NewPage {
        layout: Layout::new(actor, "新建党组织", "/orgs", None)
            .crumb("党组织", Some("/orgs".into()))
            .crumb("新建", None),
        kinds: kind_choices(&form.kind),
        parent,
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
    #[serde(default, deserialize_with = "crate::ui::params::picked")]
    parent_id: Option<i32>,
    #[serde(default)]
    unit_name: String,
}

pub async fn create(State(state): State<AppState>, actor: Actor, Form(form): Form<CreateForm>) -> AppResult<Response> {
    let input = OrgInput { name: form.name, kind: form.kind, parent_id: form.parent_id, unit_name: form.unit_name };
    match service::create(&state, &actor, input.clone()).await {
        Ok(o) => Ok(Flash::ok(format!("已建立：{}", o.name)).redirect(&format!("/orgs/{}", o.id))),
        Err(err) => {
            let errors = field_errors(err)?;
            let page = new_page(&state, &actor, input, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

// ---------------------------------------------------------------- terms, dissolve

/// The organization's page again, with the failed form's errors (the page is assembled by
/// `orgpage`, installed as `crate::module::org_page`).
async fn view_with_errors(state: &AppState, actor: &Actor, id: i32, err: AppError) -> AppResult<Response> {
    crate::module::org_page(state, actor, id, field_errors(err)?, Vec::new()).await
}

pub async fn term(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<super::terms::TermInput>,
) -> AppResult<Response> {
    match super::terms::set_term(&state, &actor, id, &input).await {
        Ok(_) => Ok(Flash::ok("已保存届期与换届信息").redirect(&format!("/orgs/{id}"))),
        Err(err) => view_with_errors(&state, &actor, id, err).await,
    }
}

pub async fn dissolve(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    PickerForm(input): PickerForm<super::dissolve::DissolveInput>,
) -> AppResult<Response> {
    match super::dissolve::dissolve(&state, &actor, id, &input).await {
        Ok(()) => Ok(Flash::ok("党组织已撤销（记录保留于审计日志）").redirect("/orgs")),
        Err(err) => view_with_errors(&state, &actor, id, err).await,
    }
}

// ---------------------------------------------------------------- pickers

/// `GET /orgs/options`: up to [`picker::PICK_LIMIT`] candidates of an organization picker whose
/// name contains `q` (or whose number `q` is), for the script that fills the picker's suggestions.
pub async fn options(
    State(state): State<AppState>,
    actor: Actor,
    Params(query): Params<picker::OptionsQuery>,
) -> AppResult<Response> {
    Ok(axum::Json(picker::options(&state, &actor, &query).await?).into_response())
}
