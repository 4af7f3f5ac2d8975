//! `/people/{id}/police`: a person's police fields, awards and appraisals, and the forms that
//! change them (for whoever may change the person).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::records::{self, Appraisal, Award};
use super::search::{self, PoliceFilter, PoliceRow};
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

type ListQuery = crate::ui::ListParams<PoliceFilter>;

#[derive(Template)]
#[template(path = "police/list.html")]
struct ListPage {
    layout: Layout,
    filter: PoliceFilter,
    rows: Vec<PoliceRow>,
    pager: crate::ui::Pager,
    export_href: String,
}

impl ListPage {
    fn choices(&self, list: &str) -> Vec<Choice> {
        let (values, selected): (&[&str], &str) = match list {
            "police_rank" => (RANKS, &self.filter.police_rank),
            "grade" => (GRADES, &self.filter.grade),
            "police_type" => (POLICE_TYPES, &self.filter.police_type),
            _ => (AUX_KINDS, &self.filter.aux_kind),
        };
        Choice::texts(values, selected)
    }
}

/// `/police`: 警务信息查询.
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    crate::ui::params::Params(q): crate::ui::params::Params<ListQuery>,
) -> AppResult<Response> {
    let page = q.page.normalized();
    let (total, rows) = search::list(&state, &actor, &q.filter, page).await?;
    let qs = q.filter.query();
    let view = ListPage {
        layout: Layout::new(&actor, "警务信息查询", "/police", flash).crumb("警务信息查询", None),
        rows,
        pager: crate::ui::Pager::new(page, total, qs.clone()),
        export_href: if qs.is_empty() { "/police/export.xlsx".into() } else { format!("/police/export.xlsx?{qs}") },
        filter: q.filter,
    };
    Ok(render(&view))
}

pub const EXPORT_HEADERS: [&str; 12] = [
    "姓名",
    "人员类别",
    "警号",
    "工作单位",
    "领导职务",
    "职级",
    "警衔",
    "警种",
    "辅警类别",
    "用工单位",
    "合同结束",
    "人员编号",
];

/// `/police/export.xlsx`: exactly what the filter shows, every page.
pub async fn export(
    State(state): State<AppState>,
    actor: Actor,
    crate::ui::params::Params(q): crate::ui::params::Params<ListQuery>,
) -> AppResult<Response> {
    let rows = search::list_all(&state, &actor, &q.filter).await?;
    let t = |o: Option<String>| o.unwrap_or_default();
    let table: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| {
            vec![
                r.name,
                r.kind,
                t(r.police_no),
                t(r.unit),
                t(r.leader_post),
                t(r.grade),
                t(r.police_rank),
                t(r.police_type),
                t(r.aux_kind),
                t(r.employer_kind),
                r.contract_end.map(|d| d.to_string()).unwrap_or_default(),
                r.person_id.to_string(),
            ]
        })
        .collect();
    let title = format!("警务信息（共 {} 人）", table.len());
    let bytes = crate::io::xlsx::table("警务信息", &title, &EXPORT_HEADERS, &table)?;
    Ok(crate::io::xlsx::download("警务信息.xlsx", bytes))
}
