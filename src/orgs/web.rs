//! HTML pages of organizations.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};

use super::OrgKind;
use super::service::{self, OrgDetail, OrgFilter, OrgInput, OrgView};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::io::xlsx;
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::form::Form;
use crate::ui::params::{IdPath, Params, PickerForm, picked_id};
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
    child_kinds: Vec<Choice>,
    errors: FieldErrors,
    form_name: String,
    form_unit: String,
    posts: Vec<Choice>,
}

async fn view_page(state: &AppState, actor: &Actor, id: i32, flash: Option<Flash>) -> AppResult<ViewPage> {
    let d = service::get(state, actor, id).await?;
    let mut layout = Layout::new(actor, d.org.name.clone(), "/orgs", flash).crumb("党组织", Some("/orgs".into()));
    for a in &d.ancestors {
        let href = (a.id != 0).then(|| format!("/orgs/{}", a.id));
        layout = layout.crumb(a.name.clone(), href);
    }
    layout = layout.crumb(d.org.name.clone(), None);
    let child_kinds = OrgKind::ALL
        .iter()
        .filter(|k| k.may_be_under(OrgKind::parse(&d.org.kind)))
        .map(|k| Choice { value: k.as_str().into(), label: k.as_str().into(), selected: false })
        .collect();
    Ok(ViewPage {
        posts: super::governance::POSTS
            .iter()
            .map(|p| Choice { value: (*p).into(), label: (*p).into(), selected: false })
            .collect(),
        form_name: d.org.name.clone(),
        form_unit: d.org.unit_name.clone().unwrap_or_default(),
        layout,
        d,
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
    let parent = picked_text(state, actor, Some(Permission::OrgWrite), form.parent_id).await?;
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
    PickerForm(input): PickerForm<super::governance::CommitteeInput>,
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
    PickerForm(input): PickerForm<super::governance::DissolveInput>,
) -> AppResult<Response> {
    match super::governance::dissolve(&state, &actor, id, &input).await {
        Ok(()) => Ok(Flash::ok("党组织已撤销（记录保留于审计日志）").redirect("/orgs")),
        Err(err) => view_with_errors(&state, &actor, id, err).await,
    }
}

// ---------------------------------------------------------------- pickers

/// How many suggestions a picker shows at most.
pub const PICK_LIMIT: usize = 20;

#[derive(Deserialize)]
pub struct OptionsQuery {
    #[serde(default)]
    purpose: String,
    /// The organization (or, for `transfer`, the person) the form is about.
    #[serde(default, rename = "for", deserialize_with = "crate::ui::params::opt_i32")]
    for_id: Option<i32>,
    /// `parent` without `for`: the kind of the organization being created.
    #[serde(default)]
    kind: String,
    #[serde(default)]
    q: String,
}

/// One suggestion: `value` is what the picker's box receives (`名称（#id）`, read back by
/// [`picked_id`]); `label` tells organizations of the same name apart.
#[derive(Serialize)]
pub struct PickOption {
    pub id: i32,
    pub value: String,
    pub label: String,
}

/// The text a picker shows for a chosen organization: `名称（#id）`, or empty when there is
/// none or (with `perm`) it is outside the actor's scope.
pub async fn picked_text(
    state: &AppState,
    actor: &Actor,
    perm: Option<Permission>,
    id: Option<i32>,
) -> AppResult<String> {
    let Some(id) = id else { return Ok(String::new()) };
    let shown = super::store::find(&state.db, id)
        .await?
        .filter(|o| perm.is_none_or(|p| actor.scope(p).contains(&o.path)))
        .map(|o| format!("{}（#{}）", o.name, o.id));
    Ok(shown.unwrap_or_default())
}

/// The organization a form is about, when the actor may change it (else 404, like its page).
async fn writable(state: &AppState, actor: &Actor, id: Option<i32>) -> AppResult<OrgDetail> {
    let d = service::get(state, actor, id.ok_or(AppError::NotFound)?).await?;
    if !d.can_write {
        return Err(AppError::NotFound);
    }
    Ok(d)
}

/// The candidates of one picker: the same lists (and rules) the forms accept.
async fn candidates(state: &AppState, actor: &Actor, query: &OptionsQuery) -> AppResult<Vec<(i32, String)>> {
    Ok(match query.purpose.as_str() {
        "parent" if query.for_id.is_some() => {
            let d = writable(state, actor, query.for_id).await?;
            service::parent_options(state, actor, OrgKind::parse(&d.org.kind), Some(&d.org.path)).await?
        }
        "parent" => {
            actor.require(Permission::OrgWrite)?;
            service::parent_options(state, actor, OrgKind::parse(&query.kind), None).await?
        }
        "merge" => {
            let d = writable(state, actor, query.for_id).await?;
            let all = service::options_for(state, actor, Permission::OrgWrite).await?;
            all.into_iter().filter(|(id, _)| *id != d.org.id).collect()
        }
        "grant" => {
            // A grant may be scoped to any organization of the bureau.
            actor.require(Permission::GrantManage)?;
            service::all_for_select(state, actor).await?
        }
        "member_org" => {
            actor.require(Permission::PersonWrite)?;
            service::options_for(state, actor, Permission::PersonWrite).await?
        }
        "transfer" => {
            let person = query.for_id.ok_or(AppError::NotFound)?;
            let (_, m) = crate::party::transfers::transferable(state, actor, person).await?;
            let all = crate::party::transfers::branch_options(state).await?;
            all.into_iter().filter(|(id, _)| *id != m.branch_id).collect()
        }
        "committee" => {
            let d = writable(state, actor, query.for_id).await?;
            let model = super::store::find(&state.db, d.org.id).await?.ok_or(AppError::NotFound)?;
            super::governance::committee_candidates(state, &model).await?
        }
        _ => {
            return Err(AppError::bad_request(
                Some("purpose"),
                "purpose 须为 parent、merge、member_org、grant、transfer 或 committee",
            ));
        }
    })
}

/// `GET /orgs/options`: up to [`PICK_LIMIT`] candidates of a picker whose name contains `q`
/// (or whose number `q` is), for the script that fills the picker's suggestions.
pub async fn options(
    State(state): State<AppState>,
    actor: Actor,
    Params(query): Params<OptionsQuery>,
) -> AppResult<Response> {
    let all = candidates(&state, &actor, &query).await?;
    let q = query.q.trim().to_lowercase();
    let by_id = picked_id(&q);
    // Latin letters also match the pinyin initials anywhere in the name ("zsl" finds 中山路派出所).
    let by_initials = !q.is_empty() && q.chars().all(|c| c.is_ascii_alphabetic());
    let chosen: Vec<i32> = all
        .into_iter()
        .filter(|(id, label)| match by_id {
            Some(wanted) => *id == wanted,
            None => {
                let label = label.trim_start_matches('　').to_lowercase();
                label.contains(&q) || (by_initials && crate::text::initials(&label).contains(&q))
            }
        })
        .take(PICK_LIMIT)
        .map(|(id, _)| id)
        .collect();
    let list = if query.purpose == "committee" {
        people_labels(&state, &chosen).await?
    } else {
        org_labels(&state, &chosen).await?
    };
    Ok(axum::Json(list).into_response())
}

/// Suggestions for organizations, in `chosen`'s order, each with its kind and parent.
async fn org_labels(state: &AppState, chosen: &[i32]) -> AppResult<Vec<PickOption>> {
    let rows =
        super::entity::Entity::find().filter(super::entity::Column::Id.is_in(chosen.to_vec())).all(&state.db).await?;
    let parent_ids: Vec<i32> = rows.iter().filter_map(|o| o.parent_id).collect();
    let parents: std::collections::HashMap<i32, String> = super::entity::Entity::find()
        .filter(super::entity::Column::Id.is_in(parent_ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let mut found: std::collections::HashMap<i32, super::entity::Model> = rows.into_iter().map(|o| (o.id, o)).collect();
    Ok(chosen
        .iter()
        .filter_map(|id| found.remove(id))
        .map(|o| {
            let under = o.parent_id.and_then(|p| parents.get(&p)).map(|p| format!(" · 上级：{p}")).unwrap_or_default();
            PickOption { id: o.id, value: format!("{}（#{}）", o.name, o.id), label: format!("{}{under}", o.kind) }
        })
        .collect())
}

/// Suggestions for people, in `chosen`'s order, each with its kind and organization.
async fn people_labels(state: &AppState, chosen: &[i32]) -> AppResult<Vec<PickOption>> {
    use crate::people::entity as person;
    let rows = person::Entity::find().filter(person::Column::Id.is_in(chosen.to_vec())).all(&state.db).await?;
    let org_ids: Vec<i32> = rows.iter().filter_map(|p| p.org_id).collect();
    let orgs: std::collections::HashMap<i32, String> = super::entity::Entity::find()
        .filter(super::entity::Column::Id.is_in(org_ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let mut found: std::collections::HashMap<i32, person::Model> = rows.into_iter().map(|p| (p.id, p)).collect();
    Ok(chosen
        .iter()
        .filter_map(|id| found.remove(id))
        .map(|p| {
            let org = p.org_id.and_then(|o| orgs.get(&o)).map(|o| format!(" · {o}")).unwrap_or_default();
            PickOption { id: p.id, value: format!("{}（#{}）", p.name, p.id), label: format!("{}{org}", p.kind) }
        })
        .collect())
}
