//! HTML pages of the roster: search list, profile, create and edit forms, Excel export.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::service::{self, PersonFilter, PersonRow};
use super::{EDUCATIONS, EMPLOYMENT_STATUSES, ETHNICITIES, KINDS, POLITICAL_STATUSES, PersonInput};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::io::{exports, xlsx};
use crate::orgs;
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::form::Form;
use crate::ui::params::{IdPath, Params, PickerForm};
use crate::ui::{FieldErrors, Flash, Layout, Pager, field_errors, query_string, render};

pub use crate::ui::blocks::Choice;

type ListQuery = crate::ui::ListParams<PersonFilter>;

fn filter_query(f: &PersonFilter) -> String {
    let org = f.org.map(|o| o.to_string()).unwrap_or_default();
    query_string(&[
        ("q", &f.q),
        ("kind", &f.kind),
        ("employment_status", &f.employment_status),
        ("political_status", &f.political_status),
        ("org", &org),
    ])
}

#[derive(Template)]
#[template(path = "people/list.html")]
struct ListPage {
    layout: Layout,
    filter: PersonFilter,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    politicals: Vec<Choice>,
    orgs: Vec<Choice>,
    rows: Vec<PersonRow>,
    pager: Pager,
    export_href: String,
    can_write: bool,
    /// Why a number was searched only as far as the list shows it.
    notice: Option<&'static str>,
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    Params(q): Params<ListQuery>,
) -> AppResult<Response> {
    let page = q.page.normalized();
    let service::RosterPage { rows, total, notice } = service::list(&state, &actor, &q.filter, page).await?;
    let qs = filter_query(&q.filter);
    let org_options = orgs::service::drill_options(&state, &actor, Permission::PersonRead, q.filter.org).await?;
    let view = ListPage {
        layout: Layout::new(&actor, "民辅警档案", "/people", flash).crumb("民辅警档案", None),
        kinds: Choice::texts(KINDS, &q.filter.kind),
        statuses: Choice::texts(EMPLOYMENT_STATUSES, &q.filter.employment_status),
        politicals: Choice::texts(POLITICAL_STATUSES, &q.filter.political_status),
        orgs: Choice::orgs(org_options, q.filter.org),
        rows,
        pager: Pager::new(page, total, qs.clone()),
        export_href: if qs.is_empty() { "/people/export.xlsx".into() } else { format!("/people/export.xlsx?{qs}") },
        can_write: actor.can(Permission::PersonWrite),
        notice,
        filter: q.filter,
    };
    Ok(render(&view))
}

/// `/people/export.xlsx`: exactly what the filter shows. From `[exports] job_from_rows` rows the
/// workbook is written as a job and a browser goes to its progress page; a script that does not
/// ask for HTML still gets the file itself (written off the async workers all the same).
pub async fn export(
    State(state): State<AppState>,
    actor: Actor,
    headers: axum::http::HeaderMap,
    Params(q): Params<ListQuery>,
) -> AppResult<Response> {
    let browser =
        headers.get(axum::http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    let sheet = service::export_sheet(&state, &actor, &q.filter).await?;
    let job = browser && exports::as_job(&state, sheet.rows.len());
    if job {
        let id = exports::start(&state, &actor, EXPORT_KIND, EXPORT_FILENAME, sheet).await?;
        return Ok(Redirect::to(&format!("/people/export/{id}")).into_response());
    }
    Ok(xlsx::download(EXPORT_FILENAME, exports::build(sheet).await?))
}

const EXPORT_KIND: &str = "people";
const EXPORT_FILENAME: &str = "民辅警名册.xlsx";

#[derive(Template)]
#[template(path = "people/export.html")]
struct ExportPage {
    layout: Layout,
    id: i32,
    job: exports::Status,
}

/// `/people/export/{id}`: how far the actor's export job has got, then its download.
pub async fn export_job(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    let job = exports::status(&state, &actor, EXPORT_KIND, id).await?;
    let layout = Layout::new(&actor, "导出民辅警名册", "/people", None)
        .crumb("民辅警档案", Some("/people".into()))
        .crumb("导出", None);
    Ok(render(&ExportPage { layout, id, job }))
}

/// `/people/export/{id}/progress`: the same as numbers, for the page's script.
pub async fn export_progress(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<axum::Json<exports::Status>> {
    Ok(axum::Json(exports::status(&state, &actor, EXPORT_KIND, id).await?))
}

/// `/people/export/{id}/file`: the finished workbook, for the actor who started the export only.
pub async fn export_file(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    let (filename, bytes) = exports::file(&state, &actor, EXPORT_KIND, id).await?;
    Ok(xlsx::download(&filename, bytes))
}

/// `/people/me`: the member's own profile.
pub async fn me(actor: Actor) -> AppResult<Response> {
    match actor.person_id {
        Some(id) => Ok(Redirect::to(&format!("/people/{id}")).into_response()),
        None => Err(AppError::NotFound),
    }
}

#[derive(Template)]
#[template(path = "people/form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    heading: String,
    form: PersonInput,
    errors: FieldErrors,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    politicals: Vec<Choice>,
    educations: Vec<Choice>,
    ethnicities: Vec<Choice>,
    /// The organization picker's text: the chosen organization only.
    org: String,
    cancel: String,
    /// A refused change of the employment status of a Party member: what to do first.
    status_choices: Vec<(&'static str, String)>,
}

async fn form_page(
    state: &AppState,
    actor: &Actor,
    id: Option<i32>,
    form: PersonInput,
    errors: FieldErrors,
) -> AppResult<FormPage> {
    actor.require(Permission::PersonWrite)?;
    let org = orgs::picker::picked_text(state, actor, Some(Permission::PersonWrite), form.org_id).await?;
    let (action, heading, cancel) = match id {
        Some(id) => (format!("/people/{id}"), format!("修改档案：{}", form.name), format!("/people/{id}")),
        None => ("/people".to_owned(), "新建人员档案".to_owned(), "/people".to_owned()),
    };
    let mut layout = Layout::new(actor, heading.clone(), "/people", None).crumb("民辅警档案", Some("/people".into()));
    layout = layout.crumb(heading.clone(), None);
    Ok(FormPage {
        layout,
        action,
        heading,
        kinds: Choice::texts(KINDS, &form.kind),
        statuses: Choice::texts(EMPLOYMENT_STATUSES, &form.employment_status),
        politicals: Choice::texts(POLITICAL_STATUSES, &form.political_status),
        educations: Choice::texts(EDUCATIONS, &form.education),
        ethnicities: Choice::texts(ETHNICITIES, &form.ethnicity),
        org,
        form,
        errors,
        cancel,
        status_choices: Vec::new(),
    })
}

pub async fn new_form(State(state): State<AppState>, actor: Actor) -> AppResult<Response> {
    let form = PersonInput {
        employment_status: super::EmploymentStatus::Serving.as_str().into(),
        ethnicity: "汉族".into(),
        ..Default::default()
    };
    Ok(render(&form_page(&state, &actor, None, form, FieldErrors::new()).await?))
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    PickerForm(input): PickerForm<PersonInput>,
) -> AppResult<Response> {
    match service::create(&state, &actor, &input).await {
        Ok(p) => {
            let done = format!("已建立 {} 的档案", p.name);
            Ok(saved_flash(&state, &p, done).await?.redirect(&format!("/people/{}", p.id)))
        }
        Err(err) => {
            let errors = field_errors(err)?;
            let page = form_page(&state, &actor, None, input, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

/// "Saved", or "saved, but" with the warning about a unit not on the list.
async fn saved_flash(state: &AppState, p: &crate::people::entity::Model, done: String) -> AppResult<Flash> {
    Ok(match service::unit_warning(state, p).await? {
        Some(w) => Flash::warn(format!("{done}。所在单位：{w}")),
        None => Flash::ok(done),
    })
}

pub async fn edit_form(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    let p = service::for_edit(&state, &actor, id).await?;
    Ok(render(&form_page(&state, &actor, Some(id), service::input_of(&p), FieldErrors::new()).await?))
}

pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    PickerForm(input): PickerForm<PersonInput>,
) -> AppResult<Response> {
    match service::update(&state, &actor, id, &input).await {
        Ok(p) => {
            let done = format!("已保存 {} 的档案", p.name);
            Ok(saved_flash(&state, &p, done).await?.redirect(&format!("/people/{id}")))
        }
        Err(err) => {
            let errors = field_errors(err)?;
            let refused_status = errors.contains_key("employment_status");
            let mut page = form_page(&state, &actor, Some(id), input, errors).await?;
            // The membership rules say what must happen to the membership first; the page asks.
            if refused_status && let Some(rules) = crate::module::roster_rules()? {
                page.status_choices = (rules.status_choices)(id, &page.form.employment_status);
            }
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    reason: String,
}

pub async fn delete(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(form): Form<DeleteForm>,
) -> AppResult<Response> {
    match service::delete(&state, &actor, id, &form.reason).await {
        Ok(()) => Ok(Flash::ok("档案已删除（保留于历史与审计记录中）").redirect("/people")),
        Err(AppError::Validation { message, .. }) => Ok(Flash::error(message).redirect(&format!("/people/{id}"))),
        Err(err) => Err(err),
    }
}
