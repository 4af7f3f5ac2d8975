//! `/people/{id}/police`: a person's police fields, awards and appraisals, and the forms that
//! change them (for whoever may change the person).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::records::{self, Appraisal, Award};
use super::service::{self, Police};
use super::{
    AUX_KINDS, AWARD_KINDS, AppraisalInput, AwardInput, EMPLOYER_KINDS, ESTABLISHMENTS, GRADES, LEADER_POSTS,
    POLICE_TYPES, PoliceInput, RANKS, appraisal_grades,
};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::blocks::Choice;
use crate::ui::flash::TakeFlash;
use crate::ui::form::Form;
use crate::ui::params::IdPath;
use crate::ui::{FieldErrors, Flash, Layout, field_errors, render};

/// Which of the page's forms failed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Failed {
    None,
    Police,
    Award,
    Appraisal,
}

#[derive(Template)]
#[template(path = "police/page.html")]
struct PolicePage {
    layout: Layout,
    person_id: i32,
    name: String,
    police: Police,
    awards: Vec<Award>,
    appraisals: Vec<Appraisal>,
    can_write: bool,
    form: PoliceInput,
    award: AwardInput,
    appraisal: AppraisalInput,
    failed: Failed,
    errors: FieldErrors,
    grades_for_kind: &'static [&'static str],
}

impl PolicePage {
    fn choices(&self, list: &str, selected: &str) -> Vec<Choice> {
        let values: &[&str] = match list {
            "leader_post" => LEADER_POSTS,
            "grade" => GRADES,
            "police_rank" => RANKS,
            "police_type" => POLICE_TYPES,
            "establishment" => ESTABLISHMENTS,
            "aux_kind" => AUX_KINDS,
            "employer_kind" => EMPLOYER_KINDS,
            "award_kind" => AWARD_KINDS,
            _ => self.grades_for_kind,
        };
        Choice::texts(values, selected)
    }

    /// The errors beside one form.
    fn errors_of(&self, form: &str) -> FieldErrors {
        let mine = match form {
            "police" => Failed::Police,
            "award" => Failed::Award,
            _ => Failed::Appraisal,
        };
        if self.failed == mine { self.errors.clone() } else { FieldErrors::new() }
    }

    fn is_police(&self) -> bool {
        self.police.kind == "民警"
    }

    fn is_auxiliary(&self) -> bool {
        self.police.kind == "辅警"
    }

    fn date(value: &Option<chrono::NaiveDate>) -> String {
        value.map(|d| d.to_string()).unwrap_or_default()
    }
}

struct Typed {
    form: Option<PoliceInput>,
    award: AwardInput,
    appraisal: AppraisalInput,
    failed: Failed,
    errors: FieldErrors,
}

impl Typed {
    fn nothing() -> Self {
        Self {
            form: None,
            award: AwardInput::default(),
            appraisal: AppraisalInput::default(),
            failed: Failed::None,
            errors: FieldErrors::new(),
        }
    }
}

async fn render_page(
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    flash: Option<Flash>,
    typed: Typed,
) -> AppResult<Response> {
    let (person, police) = service::get(state, actor, person_id).await?;
    let awards = records::awards_of(&state.db, person_id).await?;
    let appraisals = records::appraisals_of(&state.db, person_id).await?;
    let subject = person.subject;
    let mut layout = Layout::new(actor, format!("{}的警务信息", subject.name), "/people", flash);
    if actor.can(Permission::PersonRead) {
        layout = layout.crumb("民辅警档案", Some("/people".into()));
    }
    let page = PolicePage {
        layout: layout.crumb(subject.name.clone(), Some(format!("/people/{person_id}"))).crumb("警务信息", None),
        person_id,
        name: subject.name,
        can_write: subject.can_edit,
        form: typed.form.unwrap_or_else(|| police.input()),
        grades_for_kind: appraisal_grades(&police.kind),
        police,
        awards,
        appraisals,
        award: typed.award,
        appraisal: typed.appraisal,
        failed: typed.failed,
        errors: typed.errors,
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
    render_page(&state, &actor, id, flash, Typed::nothing()).await
}

fn back(id: i32) -> String {
    format!("/people/{id}/police")
}

pub async fn save(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<PoliceInput>,
) -> AppResult<Response> {
    match service::put(&state, &actor, id, &input).await {
        Ok(_) => Ok(Flash::ok("警务信息已保存").redirect(&back(id))),
        Err(err) => {
            let errors = field_errors(err)?;
            let typed = Typed { form: Some(input), failed: Failed::Police, errors, ..Typed::nothing() };
            render_page(&state, &actor, id, None, typed).await
        }
    }
}

pub async fn add_award(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<AwardInput>,
) -> AppResult<Response> {
    match records::add_award(&state, &actor, id, &input).await {
        Ok(a) => Ok(Flash::ok(format!("已登记奖励：{}", a.kind)).redirect(&back(id))),
        Err(err) => {
            let errors = field_errors(err)?;
            let typed = Typed { award: input, failed: Failed::Award, errors, ..Typed::nothing() };
            render_page(&state, &actor, id, None, typed).await
        }
    }
}

pub async fn delete_award(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    let person = records::delete_award(&state, &actor, id).await?;
    Ok(Flash::ok("已删除该项奖励").redirect(&back(person)))
}

pub async fn add_appraisal(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<AppraisalInput>,
) -> AppResult<Response> {
    match records::add_appraisal(&state, &actor, id, &input).await {
        Ok(a) => Ok(Flash::ok(format!("已登记 {} 年度考核：{}", a.year, a.grade)).redirect(&back(id))),
        Err(err) => {
            let errors = field_errors(err)?;
            let typed = Typed { appraisal: input, failed: Failed::Appraisal, errors, ..Typed::nothing() };
            render_page(&state, &actor, id, None, typed).await
        }
    }
}

pub async fn delete_appraisal(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    let person = records::delete_appraisal(&state, &actor, id).await?;
    Ok(Flash::ok("已删除该年度考核").redirect(&back(person)))
}
