//! The risk pages: flags (list, new, detail with follow-up), screening campaigns (list, launch,
//! completion, a branch's one-click confirmation), the review list of the early warning, the
//! category dictionary and the statistics with their export. A refused form comes back with the
//! reasons in the flash, nothing saved.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::categories::{self, Category, CategoryInput};
use super::flags::{self, Filter, Flag, FlagInput, StepInput};
use super::screenings::{self, ConfirmInput, Screening, ScreeningDetail, ScreeningInput};
use super::stats::{self, Stats, StatsQuery};
use super::warnings::{self, DecisionInput, Warning};
use super::{FOCUS, LEVELS, MEASURES, SOURCES, STATUSES};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::blocks::Choice;
use crate::ui::flash::TakeFlash;
use crate::ui::form::Form;
use crate::ui::params::{IdPath, Params, picked_id};
use crate::ui::{FieldErrors, Flash, Layout, PageParams, Pager, field_errors, render};

/// A refusal's reasons as one line for the flash; other errors pass through.
fn opt_i32(text: &str) -> Option<i32> {
    text.trim().parse().ok()
}

#[derive(Template)]
#[template(path = "risk/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Flag>,
    pager: Pager,
    filter: Filter,
    levels: Vec<Choice>,
    statuses: Vec<Choice>,
}

type ListQuery = crate::ui::ListParams<Filter>;

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    Params(q): Params<ListQuery>,
) -> AppResult<Response> {
    let (rows, total) = flags::list(&state, &actor, &q.filter, q.page).await?;
    let mut statuses = Choice::texts(&STATUSES, &q.filter.status);
    statuses.insert(
        0,
        Choice {
            value: "open".into(), label: "未结（待跟进、跟进中）".into(), selected: q.filter.status == "open"
        },
    );
    let page = ListPage {
        layout: Layout::new(&actor, "风险提示", "/risk", flash),
        pager: Pager::new(q.page, total, q.filter.query()),
        rows,
        levels: Choice::texts(&LEVELS, &q.filter.level),
        statuses,
        filter: q.filter,
    };
    Ok(render(&page))
}

/// The new-flag form as the browser sends it (numbers as text).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FlagForm {
    person_id: String,
    category_id: String,
    level: String,
    facts: String,
    source: String,
    screening_id: String,
    cadre: String,
    opened_on: String,
    next_review_on: String,
    /// `1`: opened from the review list of the early warning (records the decision "open a flag").
    warning: String,
    /// The reviewer's note on that decision.
    note: String,
}

impl FlagForm {
    fn input(&self) -> FlagInput {
        FlagInput {
            person_id: picked_id(&self.person_id).unwrap_or(0),
            category_id: opt_i32(&self.category_id).unwrap_or(0),
            level: self.level.clone(),
            facts: self.facts.clone(),
            source: self.source.clone(),
            screening_id: opt_i32(&self.screening_id),
            cadre: self.cadre.clone(),
            opened_on: self.opened_on.clone(),
            next_review_on: self.next_review_on.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "risk/new.html")]
struct NewPage {
    layout: Layout,
    form: FlagForm,
    errors: FieldErrors,
    categories: Vec<Choice>,
    levels: Vec<Choice>,
    sources: Vec<Choice>,
}

async fn new_page(state: &AppState, actor: &Actor, mut form: FlagForm, errors: FieldErrors) -> AppResult<Response> {
    actor.require(Permission::DisciplineRiskRead)?;
    // The picker's box shows `姓名（#id）` for a person chosen (or given by id).
    if let Some(id) = picked_id(&form.person_id) {
        let names = crate::people::store::names_by_id(&state.db, &[id]).await?;
        if let Some(name) = names.get(&id) {
            form.person_id = format!("{name}（#{id}）");
        }
    }
    let categories = categories::list(state, actor)
        .await?
        .into_iter()
        .filter(|c| !c.retired)
        .map(|c| Choice {
            selected: form.category_id == c.id.to_string(),
            value: c.id.to_string(),
            label: format!("{}（{}，默认{}色）", c.name, c.applies_to, c.default_level),
        })
        .collect();
    let page = NewPage {
        layout: Layout::new(actor, "登记风险提示", "/risk", None)
            .crumb("风险提示", Some("/risk".into()))
            .crumb("登记", None),
        levels: Choice::texts(&LEVELS, &form.level),
        sources: Choice::texts(&SOURCES, &form.source),
        categories,
        form,
        errors,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&page)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    person_id: String,
    screening_id: String,
    /// `1`: from the review list; the facts are prefilled with the warning's reasons.
    warning: String,
}

pub async fn new(State(state): State<AppState>, actor: Actor, Params(q): Params<NewQuery>) -> AppResult<Response> {
    let mut form = FlagForm {
        person_id: q.person_id,
        screening_id: q.screening_id.clone(),
        source: if q.screening_id.is_empty() { String::new() } else { "排查".into() },
        cadre: actor.display_name.clone(),
        ..Default::default()
    };
    if q.warning == "1"
        && let Some(id) = picked_id(&form.person_id)
    {
        // The reasons the reviewer saw, as the facts to start from (the list checks the scope).
        let filter = warnings::Filter { person_id: Some(id), ..Default::default() };
        let (rows, _) = warnings::list(&state, &actor, &filter, PageParams::default()).await?;
        let lines: Vec<String> = rows.iter().flat_map(|w| w.reasons.iter().map(|r| r.text.clone())).collect();
        let facts = format!("预警事实：\n{}", lines.join("\n"));
        form.facts = facts.chars().take(super::MAX_FACTS).collect();
        form.level = rows.first().map(|w| w.level.clone()).unwrap_or_default();
        form.warning = "1".into();
    }
    new_page(&state, &actor, form, FieldErrors::new()).await
}

pub async fn create(State(state): State<AppState>, actor: Actor, Form(form): Form<FlagForm>) -> AppResult<Response> {
    if picked_id(&form.person_id).is_none() {
        let mut errors = FieldErrors::new();
        let message =
            if form.person_id.trim().is_empty() { "请选择人员" } else { "请从提示列表中选择人员" };
        errors.insert("person_id".into(), format!("{message}（输入姓名中的字或拼音首字母，或人员编号）"));
        return new_page(&state, &actor, form, errors).await;
    }
    if form.warning == "1" {
        // "Open a flag" on the review list: the flag and the decision in one transaction.
        let input = DecisionInput {
            person_id: picked_id(&form.person_id).unwrap_or(0),
            decision: "flag".into(),
            note: form.note.clone(),
            flag: Some(form.input()),
        };
        return match warnings::decide(&state, &actor, &input).await {
            Ok(d) => {
                let to = d.flag_id.map_or_else(|| "/risk/warnings".to_owned(), |id| format!("/risk/flags/{id}"));
                Ok(Flash::ok("已登记风险提示，并记录审看决定：登记风险提示").redirect(&to))
            }
            Err(err) => {
                let errors = field_errors(err)?;
                new_page(&state, &actor, form, errors).await
            }
        };
    }
    match flags::create(&state, &actor, &form.input()).await {
        Ok(f) => Ok(Flash::ok(format!("已登记风险提示：{}（{}色）", f.person_name, f.level))
            .redirect(&format!("/risk/flags/{}", f.id))),
        Err(err) => {
            let errors = field_errors(err)?;
            new_page(&state, &actor, form, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "risk/detail.html")]
struct DetailPage {
    layout: Layout,
    f: Flag,
    measures: Vec<Choice>,
    statuses: Vec<Choice>,
    /// The follow-up as typed, when refused.
    form: StepInput,
    errors: FieldErrors,
}

async fn detail_page(
    state: &AppState,
    actor: &Actor,
    id: i32,
    flash: Option<Flash>,
    form: StepInput,
    errors: FieldErrors,
) -> AppResult<Response> {
    let f = flags::detail(state, actor, id).await?;
    let layout = Layout::new(actor, format!("风险提示：{}", f.person_name), "/risk", flash)
        .crumb("风险提示", Some("/risk".into()))
        .crumb(f.person_name.clone(), None);
    let measures = Choice::texts(&MEASURES, form.measure.trim());
    let next: Vec<&str> = f.next.iter().map(String::as_str).collect();
    let statuses = Choice::texts(&next, form.status.trim());
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&DetailPage { layout, f, measures, statuses, form, errors })).into_response())
}

pub async fn detail(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    detail_page(&state, &actor, id, flash, StepInput::default(), FieldErrors::new()).await
}

/// A follow-up step; refused, the page comes back with the reasons beside the fields.
pub async fn step(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<StepInput>,
) -> AppResult<Response> {
    let back = format!("/risk/flags/{id}");
    match flags::step(&state, &actor, id, &input).await {
        Ok(f) => Ok(Flash::ok(format!("已记录，当前状态：{}", f.status)).redirect(&back)),
        Err(err) => {
            let errors = field_errors(err)?;
            detail_page(&state, &actor, id, None, input, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "risk/screenings.html")]
struct ScreeningsPage {
    layout: Layout,
    rows: Vec<Screening>,
    can_launch: bool,
    focus: Vec<Choice>,
    /// The launch form as typed (the scope defaults to the caller's organization).
    form: LaunchForm,
    errors: FieldErrors,
}

async fn screenings_page(
    state: &AppState,
    actor: &Actor,
    flash: Option<Flash>,
    form: LaunchForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let rows = screenings::list(state, actor).await?;
    let focus = FOCUS
        .iter()
        .map(|f| Choice { value: (*f).into(), label: (*f).into(), selected: form.focus.iter().any(|x| x == f) })
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = ScreeningsPage {
        layout: Layout::new(actor, "隐患排查活动", "/risk/screenings", flash),
        rows,
        can_launch: actor.can(Permission::DisciplineWrite),
        focus,
        form,
        errors,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn screenings(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
) -> AppResult<Response> {
    let scope_id = actor.grants.iter().find(|g| g.role.has(Permission::DisciplineWrite)).map_or(0, |g| g.org_id);
    let form = LaunchForm { org_id: scope_id.to_string(), ..Default::default() };
    screenings_page(&state, &actor, flash, form, FieldErrors::new()).await
}

#[derive(Debug, Clone, Default)]
pub struct LaunchForm {
    name: String,
    starts_on: String,
    ends_on: String,
    org_id: String,
    focus: Vec<String>,
}

impl LaunchForm {
    /// The form as sent: `focus` once per ticked box (which a plain form extractor cannot read).
    fn parse(body: &[u8]) -> Self {
        let mut form = Self::default();
        for (k, v) in form_urlencoded::parse(body) {
            match k.as_ref() {
                "name" => form.name = v.into_owned(),
                "starts_on" => form.starts_on = v.into_owned(),
                "ends_on" => form.ends_on = v.into_owned(),
                "org_id" => form.org_id = v.into_owned(),
                "focus" => form.focus.push(v.into_owned()),
                _ => {}
            }
        }
        form
    }
}

/// Launches a campaign; refused, the form comes back with the reasons beside the fields.
pub async fn launch(State(state): State<AppState>, actor: Actor, body: axum::body::Bytes) -> AppResult<Response> {
    let form = LaunchForm::parse(&body);
    let Some(org_id) = picked_id(&form.org_id) else {
        let mut errors = FieldErrors::new();
        errors.insert("org_id".into(), format!("范围“{}”应为党组织编号", form.org_id.trim()));
        return screenings_page(&state, &actor, None, form, errors).await;
    };
    let input = ScreeningInput {
        name: form.name.clone(),
        starts_on: form.starts_on.clone(),
        ends_on: form.ends_on.clone(),
        org_id,
        focus: form.focus.clone(),
    };
    match screenings::create(&state, &actor, &input).await {
        Ok(s) => Ok(Flash::ok(format!("已发起排查活动：{}", s.name)).redirect(&format!("/risk/screenings/{}", s.id))),
        Err(err) => {
            let errors = field_errors(err)?;
            screenings_page(&state, &actor, None, form, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "risk/screening.html")]
struct ScreeningPage {
    layout: Layout,
    d: ScreeningDetail,
    pager: Pager,
    /// A refused "no finding" confirmation: the branch, the note as typed and why.
    refused_org: Option<i32>,
    refused_note: String,
    errors: FieldErrors,
    /// The refused branch is not on this page: the reasons go above the table instead.
    refused_elsewhere: bool,
}

pub async fn screening(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    IdPath(id): IdPath<i32>,
    Params(page): Params<PageParams>,
) -> AppResult<Response> {
    screening_page(&state, &actor, flash, id, page, None).await
}

async fn screening_page(
    state: &AppState,
    actor: &Actor,
    flash: Option<Flash>,
    id: i32,
    page: PageParams,
    refused: Option<(i32, String, FieldErrors)>,
) -> AppResult<Response> {
    let d = screenings::detail(state, actor, id, page).await?;
    let layout = Layout::new(actor, d.screening.name.clone(), "/risk/screenings", flash)
        .crumb("隐患排查活动", Some("/risk/screenings".into()))
        .crumb(d.screening.name.clone(), None);
    let pager = Pager::new(page, d.branch_total, String::new());
    let status = if refused.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (refused_org, refused_note, errors) = match refused {
        Some((org, note, errors)) => (Some(org), note, errors),
        None => (None, String::new(), FieldErrors::new()),
    };
    let refused_elsewhere = refused_org.is_some_and(|o| !d.branch_list.iter().any(|b| b.org_id == o));
    let view = ScreeningPage { layout, d, pager, refused_org, refused_note, errors, refused_elsewhere };
    Ok((status, render(&view)).into_response())
}

impl ScreeningPage {
    /// Whether this branch's confirmation was the one refused.
    fn refused(&self, b: &screenings::BranchStatus) -> bool {
        self.refused_org == Some(b.org_id)
    }
}

/// The branch's "no finding" form: the note, and the page of the branch list it was sent from.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    note: String,
    #[serde(deserialize_with = "crate::ui::params::page_num")]
    page: u64,
}

/// Confirms "no finding" for the rest of a branch; refused, the reasons are shown beside that
/// branch's row with the note kept.
pub async fn confirm(
    State(state): State<AppState>,
    actor: Actor,
    IdPath((id, org_id)): IdPath<(i32, i32)>,
    Form(form): Form<ConfirmForm>,
) -> AppResult<Response> {
    let input = ConfirmInput { note: form.note.clone() };
    match screenings::confirm(&state, &actor, id, org_id, &input).await {
        Ok(b) => Ok(Flash::ok(format!(
            "{}已确认完成排查：登记风险提示 {} 人，其余 {} 人未发现问题",
            b.name, b.flagged, b.no_finding
        ))
        .redirect(&format!("/risk/screenings/{id}"))),
        Err(err) => {
            let errors = field_errors(err)?;
            let page = PageParams { page: form.page, page_size: 0 };
            screening_page(&state, &actor, None, id, page, Some((org_id, form.note, errors))).await
        }
    }
}

#[derive(Template)]
#[template(path = "risk/warnings.html")]
struct WarningsPage {
    layout: Layout,
    rows: Vec<Warning>,
    pager: Pager,
    filter: warnings::Filter,
    levels: Vec<Choice>,
    /// A refused decision: the person, the note as typed and the reasons by field.
    refused_person: i32,
    refused_note: String,
    errors: FieldErrors,
}

type WarningQuery = crate::ui::ListParams<warnings::Filter>;

async fn warnings_page(
    state: &AppState,
    actor: &Actor,
    q: WarningQuery,
    flash: Option<Flash>,
    refused: Option<(i32, String, FieldErrors)>,
) -> AppResult<Response> {
    let (rows, total) = warnings::list(state, actor, &q.filter, q.page).await?;
    let (refused_person, refused_note, errors) = refused.unwrap_or_default();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = WarningsPage {
        layout: Layout::new(actor, "预警审看", "/risk/warnings", flash),
        pager: Pager::new(q.page, total, q.filter.query()),
        rows,
        levels: Choice::texts(&LEVELS, &q.filter.level),
        filter: q.filter,
        refused_person,
        refused_note,
        errors,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn warnings(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    Params(q): Params<WarningQuery>,
) -> AppResult<Response> {
    warnings_page(&state, &actor, q, flash, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecideForm {
    person_id: String,
    note: String,
}

/// "Reviewed, no action" from the list; "open a flag" goes through the new-flag form. Refused,
/// the list comes back at the person's entry with the reason beside the note.
pub async fn decide(State(state): State<AppState>, actor: Actor, Form(form): Form<DecideForm>) -> AppResult<Response> {
    let person_id = opt_i32(&form.person_id).unwrap_or(0);
    let input = DecisionInput { person_id, decision: "no_action".into(), note: form.note.clone(), flag: None };
    match warnings::decide(&state, &actor, &input).await {
        Ok(_) => Ok(Flash::ok("已记录审看决定：已审看，暂不处置").redirect("/risk/warnings")),
        Err(err) => {
            let errors = field_errors(err)?;
            let mut q = WarningQuery::default();
            q.filter.person_id = Some(person_id);
            warnings_page(&state, &actor, q, None, Some((person_id, form.note, errors))).await
        }
    }
}

#[derive(Template)]
#[template(path = "risk/categories.html")]
struct CategoriesPage {
    layout: Layout,
    rows: Vec<CategoryRow>,
    can_edit: bool,
    /// A refused new category: what was typed, and why beside each field.
    new_form: CategoryForm,
    new_errors: FieldErrors,
    refused: bool,
}

/// One category as its edit row shows it: the stored values, or after a refused save what was
/// typed, with the reasons beside the fields.
struct CategoryRow {
    c: Category,
    form: CategoryForm,
    errors: FieldErrors,
}

/// A refused save, shown again on the page: the row (`None` for a new category), what was typed
/// and why.
type Refused = (Option<i32>, CategoryForm, FieldErrors);

pub async fn categories(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
) -> AppResult<Response> {
    categories_page(&state, &actor, flash, None).await
}

async fn categories_page(
    state: &AppState,
    actor: &Actor,
    flash: Option<Flash>,
    refused: Option<Refused>,
) -> AppResult<Response> {
    let (refused_row, mut refused_form, mut refused_errors) = match refused {
        Some((row, form, errors)) => (Some(row), Some(form), errors),
        None => (None, None, FieldErrors::new()),
    };
    let rows = categories::list(state, actor)
        .await?
        .into_iter()
        .map(|c| {
            if refused_row == Some(Some(c.id))
                && let Some(form) = refused_form.take()
            {
                let errors = std::mem::take(&mut refused_errors);
                return CategoryRow { c, form, errors };
            }
            CategoryRow { form: CategoryForm::of(&c), c, errors: FieldErrors::new() }
        })
        .collect();
    let new_form =
        if refused_row == Some(None) { refused_form.take().unwrap_or_default() } else { CategoryForm::fresh() };
    let page = CategoriesPage {
        layout: Layout::new(actor, "风险人员类别", "/risk", flash)
            .crumb("风险提示", Some("/risk".into()))
            .crumb("类别", None),
        rows,
        can_edit: actor.can(Permission::DisciplineWrite),
        new_form,
        new_errors: if refused_row == Some(None) { refused_errors } else { FieldErrors::new() },
        refused: refused_row.is_some(),
    };
    let status = if page.refused { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, render(&page)).into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CategoryForm {
    code: String,
    name: String,
    group: String,
    applies_to: String,
    default_level: String,
    review_days: String,
    exit_ground: String,
    retired: String,
}

impl CategoryForm {
    fn input(&self) -> CategoryInput {
        CategoryInput {
            code: self.code.clone(),
            name: self.name.clone(),
            group: self.group.clone(),
            applies_to: self.applies_to.clone(),
            default_level: self.default_level.clone(),
            review_days: opt_i32(&self.review_days),
            visit_situation: None,
            exit_ground: Some(self.exit_ground.clone()),
            retired: Some(self.retired == "1"),
        }
    }

    /// A stored category as its edit row shows it.
    fn of(c: &Category) -> Self {
        Self {
            code: c.code.clone(),
            name: c.name.clone(),
            group: c.group.clone(),
            applies_to: c.applies_to.clone(),
            default_level: c.default_level.clone(),
            review_days: c.review_days.to_string(),
            exit_ground: c.exit_ground.clone().unwrap_or_default(),
            retired: if c.retired { "1".into() } else { String::new() },
        }
    }

    /// The new-category form's defaults.
    fn fresh() -> Self {
        Self { applies_to: "全部".into(), default_level: "黄".into(), review_days: "90".into(), ..Self::default() }
    }
}

pub async fn add_category(
    State(state): State<AppState>,
    actor: Actor,
    Form(form): Form<CategoryForm>,
) -> AppResult<Response> {
    match categories::create(&state, &actor, &form.input()).await {
        Ok(c) => Ok(Flash::ok(format!("已新增类别：{}", c.name)).redirect("/risk/categories")),
        Err(err) => {
            let errors = field_errors(err)?;
            categories_page(&state, &actor, None, Some((None, form, errors))).await
        }
    }
}

pub async fn change_category(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(form): Form<CategoryForm>,
) -> AppResult<Response> {
    match categories::update(&state, &actor, id, &form.input()).await {
        Ok(c) => Ok(Flash::ok(format!("已保存类别：{}", c.name)).redirect("/risk/categories")),
        Err(err) => {
            let errors = field_errors(err)?;
            categories_page(&state, &actor, None, Some((Some(id), form, errors))).await
        }
    }
}

#[derive(Template)]
#[template(path = "risk/stats.html")]
struct StatsPage {
    layout: Layout,
    s: Stats,
}

pub async fn stats(State(state): State<AppState>, actor: Actor, Params(q): Params<StatsQuery>) -> AppResult<Response> {
    let s = stats::stats(&state, &actor, &q).await?;
    Ok(render(&StatsPage { layout: Layout::new(&actor, "隐患排查统计", "/risk/stats", None), s }))
}

pub async fn export(State(state): State<AppState>, actor: Actor, Params(q): Params<StatsQuery>) -> AppResult<Response> {
    let (name, bytes) = stats::export(&state, &actor, &q).await?;
    Ok(crate::io::xlsx::download(&name, bytes))
}
