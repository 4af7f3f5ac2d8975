//! `/people/{id}/family`: a person's family members, read in full (audited) and maintained.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::service::{self, Member};
use super::{FamilyInput, Kinship};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::people::POLITICAL_STATUSES;
use crate::state::AppState;
use crate::ui::blocks::Choice;
use crate::ui::flash::TakeFlash;
use crate::ui::form::Form;
use crate::ui::params::IdPath;
use crate::ui::{FieldErrors, Flash, Layout, field_errors, render};

#[derive(Template)]
#[template(path = "family/page.html")]
struct FamilyPage {
    layout: Layout,
    person_id: i32,
    name: String,
    members: Vec<Member>,
    can_write: bool,
    /// The form being filled in: a new member (`None`) or member `Some(id)`, as typed.
    editing: Option<i32>,
    form: FamilyInput,
    errors: FieldErrors,
    relations: Vec<&'static str>,
    politicals: &'static [&'static str],
}

impl FamilyPage {
    fn relation_choices(&self, selected: &str) -> Vec<Choice> {
        Choice::texts(&self.relations, selected)
    }

    fn political_choices(&self, selected: &str) -> Vec<Choice> {
        Choice::texts(self.politicals, selected)
    }

    /// The form's values for member `m`: as typed after a failed change, else as stored.
    fn values_of(&self, m: &Member) -> FamilyInput {
        if self.editing == Some(m.id) {
            return self.form.clone();
        }
        FamilyInput {
            relation: m.relation.clone(),
            name: m.name.clone(),
            birth_year: m.birth_year.map(|y| y.to_string()).unwrap_or_default(),
            work_unit: m.work_unit.clone().unwrap_or_default(),
            post: m.post.clone().unwrap_or_default(),
            political_status: m.political_status.clone().unwrap_or_default(),
            phone: m.phone.clone().unwrap_or_default(),
        }
    }

    /// Whether member `m`'s form is the one that failed.
    fn is_editing(&self, m: &Member) -> bool {
        self.editing == Some(m.id)
    }

    /// The errors to show beside member `m`'s form.
    fn errors_of(&self, m: &Member) -> FieldErrors {
        if self.is_editing(m) { self.errors.clone() } else { FieldErrors::new() }
    }

    /// The errors to show beside the new member's form.
    fn new_errors(&self) -> FieldErrors {
        if self.editing.is_none() { self.errors.clone() } else { FieldErrors::new() }
    }

    fn new_form(&self) -> FamilyInput {
        if self.editing.is_none() { self.form.clone() } else { FamilyInput::default() }
    }
}

async fn render_page(
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    flash: Option<Flash>,
    editing: Option<i32>,
    form: FamilyInput,
    errors: FieldErrors,
) -> AppResult<Response> {
    let (subject, members) = service::list(state, actor, person_id).await?;
    let can_write = service::may_change(actor, &subject);
    let mut layout = Layout::new(actor, format!("{}的家庭成员", subject.name), "/people", flash);
    if actor.can(Permission::PersonRead) {
        layout = layout.crumb("民辅警档案", Some("/people".into()));
    }
    let page = FamilyPage {
        layout: layout.crumb(subject.name.clone(), Some(format!("/people/{person_id}"))).crumb("家庭成员", None),
        person_id,
        name: subject.name,
        members,
        can_write,
        editing,
        form,
        errors,
        relations: Kinship::texts(),
        politicals: POLITICAL_STATUSES,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&page)).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    render_page(&state, &actor, id, flash, None, FamilyInput::default(), FieldErrors::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<FamilyInput>,
) -> AppResult<Response> {
    match service::create(&state, &actor, id, &input).await {
        Ok(m) => Ok(Flash::ok(format!("已登记{}：{}", m.relation, m.name)).redirect(&format!("/people/{id}/family"))),
        Err(err) => {
            let errors = field_errors(err)?;
            render_page(&state, &actor, id, None, None, input, errors).await
        }
    }
}

pub async fn update(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<FamilyInput>,
) -> AppResult<Response> {
    match service::update(&state, &actor, id, &input).await {
        Ok((person, _)) => Ok(Flash::ok("已保存").redirect(&format!("/people/{person}/family"))),
        Err(err) => {
            let errors = field_errors(err)?;
            let person = service::person_of(&state, &actor, id).await?;
            render_page(&state, &actor, person, None, Some(id), input, errors).await
        }
    }
}

pub async fn delete(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    let person = service::delete(&state, &actor, id).await?;
    Ok(Flash::ok("已删除该家庭成员").redirect(&format!("/people/{person}/family")))
}
