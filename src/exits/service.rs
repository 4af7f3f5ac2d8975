//! Reading exit cases: who may see which case, the list and the detail, each read audited.
//!
//! Access (issue 14 items 5 and 7): `DisciplineWrite` (discipline, party_admin) reads and works
//! the cases of its scope; leaders see counts only (`stats`); secretaries, the system officers
//! and everyone else nothing. A caller without the permission gets 403 and an `access.denied`
//! entry (the attempt is on the most sensitive data there is); a case out of scope is 404 and
//! `access.denied`; every list or detail read is a `sensitive.read`.

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{bar, case, step};
use super::{Bar, Outcome, SourceKind, Status};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::db::scope::in_scope;
use crate::error::{AppError, AppResult};
use crate::people::PersonKind;
use crate::state::AppState;
use crate::ui::PageParams;

/// A statutory bar as shown on a case.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BarView {
    pub id: i32,
    pub kind: Bar,
    #[schema(example = "患病或负伤，在规定的医疗期内")]
    pub label: String,
    pub note: String,
    pub noted_on: NaiveDate,
    /// Empty while the bar applies.
    pub lifted_on: Option<NaiveDate>,
    pub recorded_by: String,
}

/// One step of the history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StepView {
    pub step: String,
    pub on: NaiveDate,
    pub detail: String,
    pub by: String,
    /// When it was recorded (local time).
    pub at: String,
}

/// One case as a permitted reader sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一个出口案件（完整内容，读取记审计）")]
pub struct ExitCase {
    pub id: i32,
    pub person_id: i32,
    pub person_name: String,
    /// 民警 or 辅警 when the case was opened.
    pub person_kind: String,
    pub org_id: i32,
    pub org_name: String,
    pub status: Status,
    pub source_kind: SourceKind,
    pub source_ref: Option<i32>,
    pub grounds: String,
    pub opened_on: NaiveDate,
    pub findings: Option<String>,
    pub notified_on: Option<NaiveDate>,
    pub statement: Option<String>,
    pub statement_on: Option<NaiveDate>,
    pub committee_on: Option<NaiveDate>,
    pub committee_attendees: Option<String>,
    pub committee_decision: Option<String>,
    pub outcome: Option<Outcome>,
    pub decided_on: Option<NaiveDate>,
    pub decided_by: Option<String>,
    pub doc_no: Option<String>,
    /// Why a dismissal was decided despite a statutory bar.
    pub override_reason: Option<String>,
    /// The 交接 deadline: a 辞退 decision + 15 days (§6.2); none for other outcomes.
    pub handover_due: Option<NaiveDate>,
    /// While a 民警's case waits for the 党委集体研究: the day a 辞退 should be decided by
    /// (陈述申辩 + 30 days, §6.2 审批机关30日内决定).
    pub dismissal_decision_due: Option<NaiveDate>,
    pub executed_on: Option<NaiveDate>,
    pub handover_note: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub closing_note: Option<String>,
    /// The outcomes open to this person.
    pub outcomes: Vec<Outcome>,
    /// Statutory bars recorded on the case.
    pub bars: Vec<BarView>,
    /// Whether a bar applies: a dismissal then needs a written override reason.
    pub barred: bool,
    pub steps: Vec<StepView>,
}

impl ExitCase {
    fn build(
        c: case::Model,
        person_name: String,
        org_name: String,
        bars: Vec<bar::Model>,
        steps: Vec<step::Model>,
    ) -> Self {
        let outcomes = PersonKind::parse(&c.person_kind).map(Outcome::of).unwrap_or(&[]).to_vec();
        let bars: Vec<BarView> = bars
            .into_iter()
            .map(|b| BarView {
                id: b.id,
                kind: b.kind,
                label: b.kind.label().to_owned(),
                note: b.note,
                noted_on: b.noted_on,
                lifted_on: b.lifted_on,
                recorded_by: b.recorded_by_name,
            })
            .collect();
        let barred = bars.iter().any(|b| b.lifted_on.is_none());
        let steps = steps
            .into_iter()
            .map(|s| StepView {
                step: s.step,
                on: s.on_date,
                detail: s.detail,
                by: s.actor_name,
                at: s.at.format("%Y-%m-%d %H:%M").to_string(),
            })
            .collect();
        let dismissal_decision_due = super::dismissal_decision_due(&c.person_kind, c.status, c.statement_on);
        ExitCase {
            id: c.id,
            person_id: c.person_id,
            person_name,
            person_kind: c.person_kind,
            org_id: c.org_id,
            org_name,
            status: c.status,
            source_kind: c.source_kind,
            source_ref: c.source_ref,
            grounds: c.grounds,
            opened_on: c.opened_on,
            findings: c.findings,
            notified_on: c.notified_on,
            statement: c.statement,
            statement_on: c.statement_on,
            committee_on: c.committee_on,
            committee_attendees: c.committee_attendees,
            committee_decision: c.committee_decision,
            outcome: c.outcome,
            decided_on: c.decided_on,
            decided_by: c.decided_by,
            doc_no: c.doc_no,
            override_reason: c.override_reason,
            handover_due: c.handover_due,
            dismissal_decision_due,
            executed_on: c.executed_on,
            handover_note: c.handover_note,
            closed_on: c.closed_on,
            closing_note: c.closing_note,
            outcomes,
            bars,
            barred,
            steps,
        }
    }
}

/// A row of the list (no facts or statement).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "出口案件列表中的一行（不含事实和陈述内容）")]
pub struct CaseRow {
    pub id: i32,
    pub person_id: i32,
    pub person_name: String,
    pub person_kind: String,
    pub org_name: String,
    pub status: Status,
    pub source_kind: SourceKind,
    pub opened_on: NaiveDate,
    pub outcome: Option<Outcome>,
    pub handover_due: Option<NaiveDate>,
    pub executed_on: Option<NaiveDate>,
}

/// Refuses (403, audited) a caller who may not work exit cases at all.
pub async fn require_class(state: &AppState, actor: &Actor, object: &str) -> AppResult<()> {
    if actor.can(Permission::DisciplineWrite) {
        return Ok(());
    }
    let event =
        Event::by(actor, "access.denied").object("exit_case", object).summary(json!({"missing": "DisciplineWrite"}));
    audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    actor.require(Permission::DisciplineWrite)
}

/// Case `id` if the actor may work it: 403 (audited) without the permission, 404 when it does
/// not exist, 404 and `access.denied` out of scope; a `sensitive.read` entry when `sensitivity`
/// says the caller shows it.
pub async fn reachable(state: &AppState, actor: &Actor, id: i32, sensitivity: Sensitivity) -> AppResult<case::Model> {
    require_class(state, actor, &id.to_string()).await?;
    let c = case::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let target = Target { kind: "exit_case", id: i64::from(id), org_path: &c.org_path };
    guard::check(state, actor, Permission::DisciplineWrite, sensitivity, target).await?;
    Ok(c)
}

/// The full view of a case already reached.
pub async fn present(state: &AppState, c: case::Model) -> AppResult<ExitCase> {
    let names = crate::people::store::names_by_id(&state.db, &[c.person_id]).await?;
    let orgs = crate::orgs::store::names(&state.db, &[c.org_id]).await?;
    let bars =
        bar::Entity::find().filter(bar::Column::CaseId.eq(c.id)).order_by_asc(bar::Column::Id).all(&state.db).await?;
    let steps = step::Entity::find()
        .filter(step::Column::CaseId.eq(c.id))
        .order_by_asc(step::Column::Id)
        .all(&state.db)
        .await?;
    let name = names.get(&c.person_id).cloned().unwrap_or_default();
    let org = orgs.get(&c.org_id).cloned().unwrap_or_default();
    Ok(ExitCase::build(c, name, org, bars, steps))
}

/// One case, read in full: one `sensitive.read` entry.
pub async fn detail(state: &AppState, actor: &Actor, id: i32) -> AppResult<ExitCase> {
    let c = reachable(state, actor, id, Sensitivity::Sensitive).await?;
    present(state, c).await
}

/// A list's filter (all optional).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct Filter {
    /// One person's cases.
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub person_id: Option<i32>,
    /// Cases of this organization's subtree (as opened).
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub org: Option<i32>,
    /// 状态 as stored (拟议, 调查核实 …); `open` for every case still being worked.
    pub status: String,
    /// 处理结果 as stored.
    pub outcome: String,
}

impl Filter {
    pub fn query(&self) -> String {
        let n = |v: Option<i32>| v.map(|x| x.to_string()).unwrap_or_default();
        let (person, org) = (n(self.person_id), n(self.org));
        crate::ui::query_string(&[
            ("person_id", &person),
            ("org", &org),
            ("status", &self.status),
            ("outcome", &self.outcome),
        ])
    }

    /// The filter as conditions; a value that names nothing matches nothing.
    async fn condition(&self, state: &AppState) -> AppResult<Condition> {
        let mut c = Condition::all();
        if let Some(p) = self.person_id {
            c = c.add(case::Column::PersonId.eq(p));
        }
        if let Some(org) = self.org {
            let path = crate::orgs::store::find(&state.db, org).await?.map(|o| o.path);
            c = match path {
                Some(path) => c.add(crate::db::scope::subtree(case::Column::OrgPath, &path)),
                None => c.add(case::Column::Id.eq(-1)),
            };
        }
        match self.status.trim() {
            "" => {}
            "open" => {
                let open: Vec<&str> = Status::ALL.iter().filter(|s| s.open()).map(|s| s.as_str()).collect();
                c = c.add(case::Column::Status.is_in(open));
            }
            s => c = c.add(case::Column::Status.eq(s)),
        }
        if !self.outcome.trim().is_empty() {
            c = c.add(case::Column::Outcome.eq(self.outcome.trim()));
        }
        Ok(c)
    }
}

/// A page of the cases in the actor's scope, newest first; one `sensitive.read` entry.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &Filter,
    page: PageParams,
) -> AppResult<(Vec<CaseRow>, u64)> {
    require_class(state, actor, "list").await?;
    let page = page.normalized();
    let query = case::Entity::find()
        .filter(in_scope(case::Column::OrgPath, &actor.scope(Permission::DisciplineWrite)))
        .filter(filter.condition(state).await?);
    let total = query.clone().count(&state.db).await?;
    let rows = query
        .order_by_desc(case::Column::OpenedOn)
        .order_by_desc(case::Column::Id)
        .offset(page.offset())
        .limit(page.page_size)
        .all(&state.db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|c| c.id).collect();
    let event = Event::by(actor, "sensitive.read")
        .object("exit_case", "list")
        .summary(json!({"filter": filter.query(), "total": total, "shown": ids}));
    audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    let people: Vec<i32> = rows.iter().map(|c| c.person_id).collect();
    let orgs: Vec<i32> = rows.iter().map(|c| c.org_id).collect();
    let names = crate::people::store::names_by_id(&state.db, &people).await?;
    let org_names = crate::orgs::store::names(&state.db, &orgs).await?;
    let rows = rows
        .into_iter()
        .map(|c| CaseRow {
            id: c.id,
            person_id: c.person_id,
            person_name: names.get(&c.person_id).cloned().unwrap_or_default(),
            person_kind: c.person_kind,
            org_name: org_names.get(&c.org_id).cloned().unwrap_or_default(),
            status: c.status,
            source_kind: c.source_kind,
            opened_on: c.opened_on,
            outcome: c.outcome,
            handover_due: c.handover_due,
            executed_on: c.executed_on,
        })
        .collect();
    Ok((rows, total))
}

/// The view of a case the caller has already reached (and audited) in this request.
pub async fn detail_unaudited(state: &AppState, id: i32) -> AppResult<ExitCase> {
    let c = case::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    present(state, c).await
}
