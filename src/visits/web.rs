//! Pages of a person's visits: the visit list, recording a visit, a visit's detail (notes shown
//! on an audited reveal), raising a 十必访 situation from the profile, the 五知 history with the
//! comparison of two versions, and the visitor picker.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::service::{self, Compared, Version, VisitDetail, VisitFilter, VisitRow};
use super::tasks::{self, MustVisit, RaiseInput};
use super::{CARE_KINDS, CareInput, FiveKnowns, FollowUpInput, KINDS, MODES, VisitInput, record};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::family::service::Member;
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::form::Form;
use crate::ui::params::{IdPath, Params, picked_id};
use crate::ui::{FieldErrors, Flash, Layout, ListParams, Pager, field_errors, render};

#[derive(Template)]
#[template(path = "visits/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<VisitRow>,
    pager: Pager,
    kinds: &'static [&'static str],
    kind: String,
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    Params(p): Params<ListParams<VisitFilter>>,
) -> AppResult<Response> {
    let (rows, total) = service::list(&state, &actor, &p.filter, p.page).await?;
    let mut query = Vec::new();
    if let Some(x) = p.filter.person {
        query.push(format!("person={x}"));
    }
    if let Some(x) = p.filter.org {
        query.push(format!("org={x}"));
    }
    if !p.filter.kind.is_empty() {
        query.push(format!("kind={}", form_urlencoded::byte_serialize(p.filter.kind.as_bytes()).collect::<String>()));
    }
    let page = ListPage {
        layout: Layout::new(&actor, "家访记录", "/visits", flash),
        rows,
        pager: Pager::new(p.page, total, query.join("&")),
        kinds: KINDS,
        kind: p.filter.kind,
    };
    Ok(render(&page))
}

/// The visit form's fields as the browser sends them (repeated names for lists).
type Pairs = Vec<(String, String)>;

fn values<'a>(pairs: &'a Pairs, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    pairs.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn value(pairs: &Pairs, name: &str) -> String {
    values(pairs, name).next().unwrap_or_default().to_owned()
}

/// Rows of the form for follow-ups and care items.
const FORM_ROWS: usize = 3;

/// The form as a [`VisitInput`]: pickers give `名字（#id）` or a bare id; empty rows are skipped.
fn input_of(pairs: &Pairs) -> VisitInput {
    let id = |text: &str| picked_id(text).or_else(|| (!text.trim().is_empty()).then_some(0));
    let mut input = VisitInput {
        kind: value(pairs, "kind"),
        mode: value(pairs, "mode"),
        visited_on: value(pairs, "visited_on"),
        visitor_ids: values(pairs, "visitor").filter(|v| !v.trim().is_empty()).filter_map(id).collect(),
        family_met_ids: values(pairs, "family_met").filter_map(|v| v.parse().ok()).collect(),
        five_knowns: FiveKnowns {
            family_notes: Some(value(pairs, "family_notes")),
            friends: Some(value(pairs, "friends")),
            personality: Some(value(pairs, "personality")),
            hobbies: Some(value(pairs, "hobbies")),
            recent_changes: Some(value(pairs, "recent_changes")),
        },
        problems: value(pairs, "problems"),
        help_asked: value(pairs, "help_asked"),
        task_ids: values(pairs, "task").filter_map(|v| v.parse().ok()).collect(),
        campaign_id: value(pairs, "campaign_id").parse().ok(),
        ..Default::default()
    };
    let new_name = value(pairs, "new_name");
    if !new_name.trim().is_empty() || !value(pairs, "new_relation").is_empty() {
        input.new_family.push(crate::family::FamilyInput {
            relation: value(pairs, "new_relation"),
            name: new_name,
            work_unit: value(pairs, "new_work_unit"),
            post: value(pairs, "new_post"),
            ..Default::default()
        });
    }
    for n in 1..=FORM_ROWS {
        let (action, owner, due) = (
            value(pairs, &format!("fu_action_{n}")),
            value(pairs, &format!("fu_owner_{n}")),
            value(pairs, &format!("fu_due_{n}")),
        );
        if !(action.trim().is_empty() && owner.trim().is_empty() && due.trim().is_empty()) {
            input.follow_ups.push(FollowUpInput { action, owner_id: id(&owner), due_on: Some(due) });
        }
        let (kind, desc, owner) = (
            value(pairs, &format!("care_kind_{n}")),
            value(pairs, &format!("care_desc_{n}")),
            value(pairs, &format!("care_owner_{n}")),
        );
        if !(kind.is_empty() && desc.trim().is_empty() && owner.trim().is_empty()) {
            input.care.push(CareInput { kind, description: desc, owner_id: id(&owner) });
        }
    }
    input
}

#[derive(Template)]
#[template(path = "visits/new.html")]
struct NewPage {
    layout: Layout,
    person_id: i32,
    name: String,
    family: Vec<Member>,
    tasks: Vec<MustVisit>,
    kinds: &'static [&'static str],
    modes: &'static [&'static str],
    care_kinds: &'static [&'static str],
    pairs: Pairs,
    errors: FieldErrors,
    rows: Vec<usize>,
    today: String,
}

impl NewPage {
    fn v(&self, name: &str) -> String {
        value(&self.pairs, name)
    }
    fn row(&self, prefix: &str, n: &usize) -> String {
        value(&self.pairs, &format!("{prefix}_{n}"))
    }
    fn has(&self, name: &str, v: &str) -> bool {
        values(&self.pairs, name).any(|x| x == v)
    }
    fn checked_task(&self, id: &i32) -> bool {
        self.has("task", &id.to_string())
    }
    fn checked_family(&self, id: &i32) -> bool {
        self.has("family_met", &id.to_string())
    }
    fn visitor(&self, i: &usize) -> String {
        values(&self.pairs, "visitor").nth(*i).unwrap_or_default().to_owned()
    }
    fn has_error(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }
    fn error_of(&self, field: &str) -> String {
        self.errors.get(field).cloned().unwrap_or_default()
    }
    /// Errors of a field and of its rows (`follow_ups[0].owner_id` under `follow_ups`).
    fn errors_under(&self, prefix: &str) -> Vec<String> {
        self.errors.iter().filter(|(k, _)| k.starts_with(prefix)).map(|(_, v)| v.clone()).collect()
    }
}

async fn new_page(
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    pairs: Pairs,
    errors: FieldErrors,
) -> AppResult<Response> {
    let s = record::recordable(state, actor, person_id).await?;
    // The form shows the family (as the family page does): the read is audited.
    let (_, family) = crate::family::service::list(state, actor, person_id).await?;
    let tasks = tasks::open_of(state, person_id).await?;
    let layout = Layout::new(actor, format!("记录家访：{}", s.name), "/visits", None)
        .crumb(s.name.clone(), Some(format!("/people/{person_id}")))
        .crumb("记录家访", None);
    let page = NewPage {
        layout,
        person_id,
        name: s.name,
        family,
        tasks,
        kinds: KINDS,
        modes: MODES,
        care_kinds: CARE_KINDS,
        pairs,
        rows: (1..=FORM_ROWS).collect(),
        today: state.clock.today().to_string(),
        errors,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&page)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    task: Option<i32>,
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    campaign: Option<i32>,
}

pub async fn new_form(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Params(q): Params<NewQuery>,
) -> AppResult<Response> {
    let mut pairs: Pairs = vec![("visited_on".into(), state.clock.today().to_string()), ("mode".into(), "入户".into())];
    let latest = super::store::visits_of(&state.db, id).await?.first().map(super::store::five_of).unwrap_or_default();
    for (field, _, v) in latest.items() {
        pairs.push((field.into(), v.clone().unwrap_or_default()));
    }
    if let Some(t) = q.task {
        pairs.push(("task".into(), t.to_string()));
        pairs.push(("kind".into(), "必访".into()));
    }
    if let Some(c) = q.campaign {
        pairs.push(("campaign_id".into(), c.to_string()));
        pairs.push(("kind".into(), "联合访".into()));
    }
    if let Some(me) = actor.person_id {
        pairs.push(("visitor".into(), me.to_string()));
    }
    new_page(&state, &actor, id, pairs, FieldErrors::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let input = input_of(&pairs);
    match record::create(&state, &actor, id, &input).await {
        Ok(visit) => Ok(Flash::ok("家访已记录").redirect(&format!("/visits/{visit}"))),
        Err(err) => {
            let errors = field_errors(err)?;
            new_page(&state, &actor, id, pairs, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "visits/detail.html")]
struct DetailPage {
    layout: Layout,
    d: VisitDetail,
    can_reveal: bool,
    /// Whether the actor may mark follow-ups done (who may record visits to the person).
    can_complete: bool,
}

async fn detail_page(
    state: &AppState,
    actor: &Actor,
    id: i32,
    reveal: bool,
    flash: Option<Flash>,
) -> AppResult<Response> {
    let (s, d) = service::detail(state, actor, id, reveal).await?;
    let can_reveal = !s.own && actor.scope(crate::auth::Permission::FamilyCareRead).contains(&s.org_path);
    let can_complete = !s.own && record::may_record(actor, &s);
    let layout = Layout::new(actor, format!("家访：{} {}", d.row.person_name, d.row.visited_on), "/visits", flash)
        .crumb(s.name.clone(), Some(format!("/people/{}", s.id)))
        .crumb("家访", None);
    Ok(render(&DetailPage { layout, d, can_reveal, can_complete }))
}

pub async fn detail(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    detail_page(&state, &actor, id, false, flash).await
}

pub async fn reveal(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    let mut res = detail_page(&state, &actor, id, true, None).await?;
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(res)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneForm {
    done_on: String,
    /// The visit page to return to (the follow-up's own visit; used only for the redirect).
    visit: String,
}

/// Marks a follow-up done from the visit's page.
pub async fn followup_done(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(f): Form<DoneForm>,
) -> AppResult<Response> {
    let input = super::followups::CompleteFollowUp { done_on: f.done_on };
    match super::followups::complete(&state, &actor, id, &input).await {
        Ok(visit) => Ok(Flash::ok("后续措施已完成").redirect(&format!("/visits/{visit}#follow-ups"))),
        Err(err) => {
            let back =
                f.visit.trim().parse::<i32>().map_or("/visits".to_owned(), |v| format!("/visits/{v}#follow-ups"));
            Flash::refused(err, &back)
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RaiseForm {
    situation: String,
    on: String,
    note: String,
}

pub async fn raise(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(f): Form<RaiseForm>,
) -> AppResult<Response> {
    let input = RaiseInput { person_id: id, situation: f.situation, on: f.on, note: f.note };
    match tasks::raise(&state, &actor, &input).await {
        Ok(t) => Ok(Flash::ok(format!("已登记“{}”，请于 {} 前走访", t.situation_label, t.due_on))
            .redirect(&format!("/people/{id}#section-visits"))),
        Err(err) => {
            let errors = field_errors(err)?;
            crate::module::profile_page(&state, &actor, id, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "visits/five.html")]
struct FivePage {
    layout: Layout,
    person_id: i32,
    versions: Vec<Version>,
    compared: Vec<Compared>,
    a: i32,
    b: i32,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CompareQuery {
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    a: Option<i32>,
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    b: Option<i32>,
}

/// The 五知 history: every version (audited read), two of them compared (default: the last two).
pub async fn five(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Params(q): Params<CompareQuery>,
) -> AppResult<Response> {
    let (s, versions) = service::versions(&state, &actor, id).await?;
    let pick = |want: Option<i32>, default: usize| {
        want.and_then(|w| versions.iter().find(|v| v.visit_id == w)).or_else(|| versions.get(default))
    };
    let newer = pick(q.b, 0);
    let older = pick(q.a, 1);
    let compared = match (older, newer) {
        (Some(o), Some(n)) if o.visit_id != n.visit_id => service::compare(o, n),
        _ => Vec::new(),
    };
    let (a, b) = (older.map_or(0, |v| v.visit_id), newer.map_or(0, |v| v.visit_id));
    let layout = Layout::new(&actor, format!("{}的五知", s.name), "/visits", None)
        .crumb(s.name.clone(), Some(format!("/people/{id}")))
        .crumb("五知", None);
    let mut res = render(&FivePage { layout, person_id: id, versions, compared, a, b });
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(res)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OptionsQuery {
    q: String,
    /// A joint visit's campaign: its visitors may come from the campaign's whole subtree.
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    campaign_id: Option<i32>,
}

/// `GET /visits/options?q=`: visitors and owners among the people the actor reads.
pub async fn options(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<OptionsQuery>,
) -> AppResult<Response> {
    Ok(axum::Json(super::api::pick(&state, &actor, &q.q, q.campaign_id).await?).into_response())
}
