//! Reading sanctions: who may see which record, the list and the detail, each read audited.
//!
//! Access (issue 13 item 7, DESIGN.md's discipline-and-risk class): `DisciplineWrite`
//! (discipline, party_admin) reads every record in its scope; `DisciplineRiskRead` alone (a
//! secretary) reads only the records of its scope that are in effect today, and the 躺平摆烂
//! accountability records of its members; leaders have counts only (`stats`); the system officers
//! nothing. A caller without the class at all gets 403 and, because the attempt is on the most
//! sensitive data there is, an `access.denied` entry; a record out of reach is 404 and
//! `access.denied`, like any record; every list or detail read is a `sensitive.read`.

use chrono::{Datelike, NaiveDate};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::sanction::{self, Column};
use super::rules::{Bars, Category, Class, Form, Ground, Kind, Status, bars_on, period_text};
use super::store::{PERMANENT, probation};
use crate::audit::{self, Event};
use crate::auth::{Actor, Permission};
use crate::db::scope::in_scope;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::ui::PageParams;

/// One record as a permitted reader sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一条执纪问责记录（完整内容，读取记审计）")]
pub struct Sanction {
    pub id: i32,
    pub person_id: i32,
    pub person_name: String,
    pub org_id: i32,
    pub org_name: String,
    pub category: Category,
    pub kind: Kind,
    #[schema(example = "记大过")]
    pub kind_label: String,
    pub probation_years: Option<i16>,
    /// 四种形态 1–4; empty for 督察 measures.
    pub form: Option<u8>,
    #[schema(example = "第二种形态")]
    pub form_label: String,
    pub heavy: bool,
    #[schema(example = "轻处分")]
    pub class_label: String,
    pub decided_on: NaiveDate,
    pub effective_on: NaiveDate,
    /// End of the influence period per domain.md §5.6 (the record no longer counts from that
    /// day); empty when there is none or it never ends.
    pub influence_until: Option<NaiveDate>,
    #[schema(example = "至 2026-09-01（18 个月）")]
    pub period: String,
    /// Standing and within its influence period today.
    pub in_effect: bool,
    /// What it bars today (may outlast the period: 留党察看's 2 years without promotion, a
    /// 政务警告's calendar year without 优秀).
    pub bars: Bars,
    pub facts: String,
    pub decided_by: String,
    pub doc_no: Option<String>,
    pub source: Option<String>,
    pub ground: Option<Ground>,
    pub commitment_id: Option<i32>,
    pub status: Status,
    pub status_on: Option<NaiveDate>,
    pub status_reason: Option<String>,
    pub status_doc: Option<String>,
    pub replaced_by: Option<i32>,
    pub replaces: Option<i32>,
    /// Earlier versions of the record, kept when its typing errors were corrected (detail
    /// only; empty in lists).
    pub corrections: Vec<super::correction::Correction>,
}

impl Sanction {
    pub fn build(s: sanction::Model, person_name: String, org_name: String, today: NaiveDate) -> Self {
        let form = s.kind.form();
        let in_effect = within_period(&s, today);
        let bars = if s.status == Status::Standing {
            bars_on(s.kind, s.effective_on, probation(&s), today)
        } else {
            Bars::default()
        };
        Sanction {
            id: s.id,
            person_id: s.person_id,
            person_name,
            org_id: s.org_id,
            org_name,
            category: s.category,
            kind: s.kind,
            kind_label: s.kind.label().to_owned(),
            probation_years: s.probation_years,
            form: form.map(Form::number),
            form_label: form.map_or("不计入四种形态", Form::label).to_owned(),
            heavy: s.kind.class() == Class::Heavy,
            class_label: s.kind.class().label().to_owned(),
            decided_on: s.decided_on,
            effective_on: s.effective_on,
            influence_until: s.influence_until,
            period: period_text(s.kind, s.effective_on, probation(&s)),
            in_effect,
            bars,
            facts: s.facts,
            decided_by: s.decided_by,
            doc_no: s.doc_no,
            source: s.source.map(|x| x.as_str().to_owned()),
            ground: s.ground,
            commitment_id: s.commitment_id,
            status: s.status,
            status_on: s.status_on,
            status_reason: s.status_reason,
            status_doc: s.status_doc,
            replaced_by: s.replaced_by,
            replaces: s.replaces,
            corrections: Vec::new(),
        }
    }
}

/// Standing, already effective and within its influence period (or one that never ends) on `on`.
pub fn within_period(s: &sanction::Model, on: NaiveDate) -> bool {
    s.status == Status::Standing
        && s.effective_on <= on
        && (s.influence_until.is_some_and(|end| on < end) || PERMANENT.contains(&s.kind))
}

/// What a secretary may see of their members: records within their period today, and the
/// 躺平摆烂 accountability records (item 5).
fn visible_to_reader(s: &sanction::Model, today: NaiveDate) -> bool {
    within_period(s, today) || (s.status == Status::Standing && s.ground == Some(Ground::Inaction))
}

/// The same as a query condition.
fn reader_condition(today: NaiveDate) -> Condition {
    let period = Condition::any()
        .add(Column::InfluenceUntil.gt(today))
        .add(Column::Kind.is_in(PERMANENT.iter().map(|k| k.as_str())));
    Condition::all().add(Column::Status.eq(Status::Standing)).add(
        Condition::any()
            .add(Condition::all().add(Column::EffectiveOn.lte(today)).add(period))
            .add(Column::Ground.eq(Ground::Inaction)),
    )
}

/// Refuses (403, audited) a caller without the discipline-and-risk class at all.
pub async fn require_class(state: &AppState, actor: &Actor, object: &str) -> AppResult<()> {
    if actor.can(Permission::DisciplineRiskRead) {
        return Ok(());
    }
    let event =
        Event::by(actor, "access.denied").object("sanction", object).summary(json!({"missing": "DisciplineRiskRead"}));
    audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    actor.require(Permission::DisciplineRiskRead)
}

/// Whether the actor may read this record (without auditing).
pub fn may_read(actor: &Actor, s: &sanction::Model, today: NaiveDate) -> bool {
    actor.scope(Permission::DisciplineWrite).contains(&s.org_path)
        || (actor.scope(Permission::DisciplineRiskRead).contains(&s.org_path) && visible_to_reader(s, today))
}

/// Record `id` if the actor may read it: 403 (audited) without the class, 404 when it does not
/// exist, 404 and `access.denied` when out of reach. Not audited as a read (the caller does).
pub async fn readable(state: &AppState, actor: &Actor, id: i32) -> AppResult<sanction::Model> {
    require_class(state, actor, &id.to_string()).await?;
    let s = sanction::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    if !may_read(actor, &s, state.clock.today()) {
        let event = Event::by(actor, "access.denied").object("sanction", id).org(s.org_path.clone());
        audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
        return Err(AppError::NotFound);
    }
    Ok(s)
}

/// Builds the readers' view of rows: names of people and organizations in two queries.
pub async fn present(state: &AppState, rows: Vec<sanction::Model>) -> AppResult<Vec<Sanction>> {
    let mut people: Vec<i32> = rows.iter().map(|s| s.person_id).collect();
    people.sort_unstable();
    people.dedup();
    let mut orgs: Vec<i32> = rows.iter().map(|s| s.org_id).collect();
    orgs.sort_unstable();
    orgs.dedup();
    let names = crate::people::store::names_by_id(&state.db, &people).await?;
    let org_names = crate::orgs::store::names(&state.db, &orgs).await?;
    let today = state.clock.today();
    Ok(rows
        .into_iter()
        .map(|s| {
            let name = names.get(&s.person_id).cloned().unwrap_or_default();
            let org = org_names.get(&s.org_id).cloned().unwrap_or_default();
            Sanction::build(s, name, org, today)
        })
        .collect())
}

/// One record, read in full: one `sensitive.read` entry.
pub async fn detail(state: &AppState, actor: &Actor, id: i32) -> AppResult<Sanction> {
    let s = readable(state, actor, id).await?;
    let event = Event::by(actor, "sensitive.read").object("sanction", id).org(s.org_path.clone());
    audit::record_alone(&state.db, state.clock.as_ref(), event.summary(json!({"person": s.person_id}))).await?;
    let mut out = present(state, vec![s]).await?.remove(0);
    out.corrections = super::correction::history(&state.db, id).await?;
    Ok(out)
}

/// A list's filter (all optional).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct Filter {
    /// The person's name, pinyin initials or police number.
    pub q: String,
    /// One person's records.
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub person_id: Option<i32>,
    /// Records of this organization's subtree (as recorded).
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub org: Option<i32>,
    /// Decided in this year.
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub year: Option<i32>,
    /// 类别 (党纪处分, 政务处分 …).
    pub category: String,
    /// 种类 as stored (记大过, 党纪警告 …).
    pub kind: String,
    /// 四种形态 1–4.
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub form: Option<i32>,
    /// `重处分` or `轻处分`.
    pub class: String,
    /// 有效, 已撤销, 已变更.
    pub status: String,
    /// `true`: only records within their influence period today.
    pub in_effect: String,
    /// 问责情形, e.g. 躺平摆烂、不担当不作为.
    pub ground: String,
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub commitment_id: Option<i32>,
}

impl Filter {
    pub fn query(&self) -> String {
        let n = |v: Option<i32>| v.map(|x| x.to_string()).unwrap_or_default();
        let (person, org, year, form, commitment) =
            (n(self.person_id), n(self.org), n(self.year), n(self.form), n(self.commitment_id));
        crate::ui::query_string(&[
            ("q", &self.q),
            ("person_id", &person),
            ("org", &org),
            ("year", &year),
            ("category", &self.category),
            ("kind", &self.kind),
            ("form", &form),
            ("class", &self.class),
            ("status", &self.status),
            ("in_effect", &self.in_effect),
            ("ground", &self.ground),
            ("commitment_id", &commitment),
        ])
    }

    /// The filter as conditions; a value that names nothing matches nothing.
    async fn condition(&self, state: &AppState, today: NaiveDate) -> AppResult<Condition> {
        let mut c = Condition::all();
        if let Some(found) = crate::people::store::ids_matching(state.db.get_database_backend(), &self.q) {
            c = c.add(Column::PersonId.in_subquery(found));
        }
        if let Some(p) = self.person_id {
            c = c.add(Column::PersonId.eq(p));
        }
        if let Some(org) = self.org {
            let path = crate::orgs::store::find(&state.db, org).await?.map(|o| o.path);
            c = match path {
                Some(path) => c.add(crate::db::scope::subtree(Column::OrgPath, &path)),
                None => c.add(Column::Id.eq(-1)),
            };
        }
        if let Some(y) = self.year {
            let (from, to) = year_range(y);
            c = c.add(Column::DecidedOn.gte(from)).add(Column::DecidedOn.lt(to));
        }
        let text = |s: &str| s.trim().to_owned();
        if !text(&self.category).is_empty() {
            c = c.add(Column::Category.eq(text(&self.category)));
        }
        if !text(&self.kind).is_empty() {
            c = c.add(Column::Kind.eq(text(&self.kind)));
        }
        if let Some(f) = self.form {
            let kinds: Vec<&str> = Kind::ALL
                .iter()
                .filter(|k| k.form().map(|x| i32::from(x.number())) == Some(f))
                .map(|k| k.as_str())
                .collect();
            c = c.add(Column::Kind.is_in(kinds));
        }
        let class = match text(&self.class).as_str() {
            "重处分" | "heavy" => Some(Class::Heavy),
            "轻处分" | "light" => Some(Class::Light),
            _ => None,
        };
        if let Some(class) = class {
            let kinds: Vec<&str> = Kind::ALL.iter().filter(|k| k.class() == class).map(|k| k.as_str()).collect();
            c = c.add(Column::Kind.is_in(kinds));
        }
        if !text(&self.status).is_empty() {
            c = c.add(Column::Status.eq(text(&self.status)));
        }
        if matches!(text(&self.in_effect).as_str(), "true" | "1" | "on") {
            let period = Condition::any()
                .add(Column::InfluenceUntil.gt(today))
                .add(Column::Kind.is_in(PERMANENT.iter().map(|k| k.as_str())));
            c = c.add(Column::Status.eq(Status::Standing)).add(Column::EffectiveOn.lte(today)).add(period);
        }
        if !text(&self.ground).is_empty() {
            c = c.add(Column::Ground.eq(text(&self.ground)));
        }
        if let Some(id) = self.commitment_id {
            c = c.add(Column::CommitmentId.eq(id));
        }
        Ok(c)
    }
}

/// `[1 January, next 1 January)` of a year (clamped to a sane range).
pub fn year_range(year: i32) -> (NaiveDate, NaiveDate) {
    let y = year.clamp(1949, 2200);
    let from = NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(NaiveDate::MIN);
    let to = NaiveDate::from_ymd_opt(y + 1, 1, 1).unwrap_or(NaiveDate::MAX);
    (from, to)
}

/// Which rows the actor may list: everything in the write scope, the reader's share elsewhere.
pub fn reach_condition(actor: &Actor, today: NaiveDate) -> Condition {
    Condition::any().add(in_scope(Column::OrgPath, &actor.scope(Permission::DisciplineWrite))).add(
        Condition::all()
            .add(in_scope(Column::OrgPath, &actor.scope(Permission::DisciplineRiskRead)))
            .add(reader_condition(today)),
    )
}

/// A page of records the actor may read, newest decision first; one `sensitive.read` entry.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &Filter,
    page: PageParams,
) -> AppResult<(Vec<Sanction>, u64)> {
    require_class(state, actor, "list").await?;
    let today = state.clock.today();
    let page = page.normalized();
    let query =
        sanction::Entity::find().filter(reach_condition(actor, today)).filter(filter.condition(state, today).await?);
    let total = query.clone().count(&state.db).await?;
    let rows = query
        .order_by_desc(Column::DecidedOn)
        .order_by_desc(Column::Id)
        .offset(page.offset())
        .limit(page.page_size)
        .all(&state.db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|s| s.id).collect();
    let event = Event::by(actor, "sensitive.read")
        .object("sanction", "list")
        .summary(json!({"filter": filter.query(), "total": total, "shown": ids}));
    audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    Ok((present(state, rows).await?, total))
}

/// The current year, for defaults.
pub fn this_year(state: &AppState) -> i32 {
    state.clock.today().year()
}
