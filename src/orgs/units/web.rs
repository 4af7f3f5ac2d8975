//! The unit list page (单位名单): search, add, change name, aliases and covering organization.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::service::{self, UnitInput, UnitList, UnitPlacement};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::params::{IdPath, Params, PickerForm};
use crate::ui::{FieldErrors, Flash, Layout, field_errors, render};

#[derive(Template)]
#[template(path = "orgs/units.html")]
struct UnitsPage {
    layout: Layout,
    list: UnitList,
    pages: u64,
    q: String,
    can_write: bool,
    /// The form: the unit being changed (none for a new one), what was typed, and its errors.
    editing: Option<i32>,
    name: String,
    aliases: String,
    org: String,
    /// Editing: where the unit's people are, and whether to move them with a new cover.
    placement: Option<UnitPlacement>,
    move_people: bool,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default, deserialize_with = "crate::ui::params::page_num")]
    page: u64,
    #[serde(default, deserialize_with = "crate::ui::params::opt_i32")]
    edit: Option<i32>,
}

async fn page(
    state: &AppState,
    actor: &Actor,
    flash: Option<Flash>,
    query: ListQuery,
    form: Option<(UnitInput, FieldErrors)>,
) -> AppResult<UnitsPage> {
    let list = service::list(state, actor, &query.q, query.page).await?;
    let mut view = UnitsPage {
        layout: Layout::new(actor, "单位名单", "/orgs", flash)
            .crumb("党组织", Some("/orgs".into()))
            .crumb("单位名单", None),
        pages: list.total.div_ceil(service::PAGE_SIZE),
        list,
        q: query.q,
        can_write: actor.can(Permission::OrgWrite),
        editing: query.edit,
        name: String::new(),
        aliases: String::new(),
        org: String::new(),
        placement: None,
        move_people: false,
        errors: FieldErrors::new(),
    };
    if let Some(id) = query.edit {
        view.placement = Some(service::placement(state, actor, id).await?);
        let u = service::get(state, actor, id).await?;
        view.name = u.name;
        view.aliases = u.aliases.join("、");
        view.org = crate::orgs::picker::picked_text(state, actor, None, u.org_id).await?;
    }
    if let Some((input, errors)) = form {
        view.org = crate::orgs::picker::picked_text(state, actor, None, input.org_id).await?;
        view.name = input.name;
        view.aliases = input.aliases;
        view.move_people = input.move_people;
        view.errors = errors;
    }
    Ok(view)
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    Params(query): Params<ListQuery>,
) -> AppResult<Response> {
    Ok(render(&page(&state, &actor, flash, query, None).await?))
}

async fn answer(
    state: &AppState,
    actor: &Actor,
    edit: Option<i32>,
    input: UnitInput,
    result: AppResult<service::UnitView>,
) -> AppResult<Response> {
    let err = match result {
        Ok(u) => {
            let mut text = format!("已保存单位“{}”", u.name);
            if let Some(n) = u.people_moved {
                let to = u.org_name.clone().unwrap_or_default();
                text.push_str(&format!("，{n} 人随之转到“{to}”"));
                if let Some(m) = u.members_moved.filter(|m| *m > 0) {
                    text.push_str(&format!("（其中 {m} 名党员的组织关系一并转接）"));
                }
            }
            return Ok(Flash::ok(text).redirect("/orgs/units"));
        }
        Err(err) => err,
    };
    let status = err.status();
    let errors = field_errors(err)?;
    let query = ListQuery { edit, ..ListQuery::default() };
    let mut view = page(state, actor, None, query, Some((input, errors))).await?;
    view.editing = edit;
    Ok((status, render(&view)).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    PickerForm(input): PickerForm<UnitInput>,
) -> AppResult<Response> {
    let result = service::create(&state, &actor, &input).await;
    answer(&state, &actor, None, input, result).await
}

pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    PickerForm(input): PickerForm<UnitInput>,
) -> AppResult<Response> {
    let result = service::update(&state, &actor, id, &input).await;
    answer(&state, &actor, Some(id), input, result).await
}

#[derive(Deserialize)]
pub struct OptionsQuery {
    #[serde(default)]
    q: String,
}

/// One suggestion of the unit picker: the unit's name goes into the box.
#[derive(Serialize)]
pub struct UnitOption {
    value: String,
    label: String,
}

/// `GET /orgs/units/options?q=`: up to [`crate::orgs::picker::PICK_LIMIT`] units the actor may
/// see whose name or other name contains `q`, for the person form's 工作单位 box.
pub async fn options(
    State(state): State<AppState>,
    actor: Actor,
    Params(query): Params<OptionsQuery>,
) -> AppResult<Json<Vec<UnitOption>>> {
    let list = service::list(&state, &actor, &query.q, 1).await?;
    Ok(Json(
        list.items
            .into_iter()
            .take(crate::orgs::picker::PICK_LIMIT)
            .map(|u| {
                let cover = u.org_name.map_or_else(|| "尚未指定覆盖的党组织".to_owned(), |o| format!("覆盖：{o}"));
                let aliases =
                    if u.aliases.is_empty() { String::new() } else { format!(" · 又称{}", u.aliases.join("、")) };
                UnitOption { value: u.name, label: format!("{cover}{aliases}") }
            })
            .collect(),
    ))
}
