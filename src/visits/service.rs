//! Reading visits: the list and a visit's detail show that visits happened (who, when, how, what
//! follows) to anyone who reads the roster in scope; the notes (五知, problems, requests, actions,
//! care descriptions) only to `FamilyCareRead` in scope on an explicit, audited reveal, and never
//! to the person visited.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{care, family_met, followup, visit, visitor};
use super::{FiveKnowns, store};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::ui::PageParams;
use crate::ui::blocks::Subject;

/// A visit as a list shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一次家访（不含走访记录的内容）")]
pub struct VisitRow {
    pub id: i32,
    pub person_id: i32,
    pub person_name: String,
    #[schema(example = "全员访")]
    pub kind: String,
    #[schema(example = "入户")]
    pub mode: String,
    pub visited_on: String,
    pub visitors: Vec<String>,
    pub campaign_id: Option<i32>,
}

/// Filter of the visit list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct VisitFilter {
    /// A person's visits.
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    pub person: Option<i32>,
    /// An organization's subtree (within the caller's scope).
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    pub org: Option<i32>,
    /// 全员访, 必访, 联合访 or 线上访.
    pub kind: String,
    /// A campaign's visits.
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    pub campaign: Option<i32>,
}

async fn visitors_of(state: &AppState, ids: &[i32]) -> AppResult<HashMap<i32, Vec<i32>>> {
    let mut out: HashMap<i32, Vec<i32>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows = visitor::Entity::find()
            .filter(visitor::Column::VisitId.is_in(chunk.to_vec()))
            .order_by_asc(visitor::Column::Id)
            .all(&state.db)
            .await?;
        for r in rows {
            out.entry(r.visit_id).or_default().push(r.person_id);
        }
    }
    Ok(out)
}

/// Rows for visits, with names.
pub async fn rows(state: &AppState, visits: Vec<visit::Model>) -> AppResult<Vec<VisitRow>> {
    let ids: Vec<i32> = visits.iter().map(|v| v.id).collect();
    let by_visit = visitors_of(state, &ids).await?;
    let mut people: Vec<i32> = visits.iter().map(|v| v.person_id).collect();
    people.extend(by_visit.values().flatten());
    let names = crate::people::names(&state.db, &people).await?;
    let name = |id: &i32| names.get(id).cloned().unwrap_or_default();
    Ok(visits
        .into_iter()
        .map(|v| VisitRow {
            id: v.id,
            person_name: name(&v.person_id),
            person_id: v.person_id,
            kind: v.kind,
            mode: v.mode,
            visited_on: v.visited_on.to_string(),
            visitors: by_visit.get(&v.id).map(|ps| ps.iter().map(name).collect()).unwrap_or_default(),
            campaign_id: v.campaign_id,
        })
        .collect())
}

/// Visits in the actor's read scope, newest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    f: &VisitFilter,
    page: PageParams,
) -> AppResult<(Vec<VisitRow>, u64)> {
    actor.require(Permission::PersonRead)?;
    let mut q = visit::Entity::find()
        .filter(crate::db::scope::in_scope(visit::Column::OrgPath, &actor.scope(Permission::PersonRead)));
    if let Some(org) = f.org {
        let o = crate::orgs::store::find(&state.db, org).await?.ok_or(AppError::NotFound)?;
        let target = Target { kind: "org", id: i64::from(o.id), org_path: &o.path };
        guard::check(state, actor, Permission::PersonRead, Sensitivity::Normal, target).await?;
        q = q.filter(crate::db::scope::subtree(visit::Column::OrgPath, &o.path));
    }
    if let Some(p) = f.person {
        q = q.filter(visit::Column::PersonId.eq(p));
    }
    if super::KINDS.contains(&f.kind.as_str()) {
        q = q.filter(visit::Column::Kind.eq(f.kind.clone()));
    }
    if let Some(c) = f.campaign {
        q = q.filter(visit::Column::CampaignId.eq(c));
    }
    let total = q.clone().count(&state.db).await?;
    let page = page.normalized();
    let found = q
        .order_by_desc(visit::Column::VisitedOn)
        .order_by_desc(visit::Column::Id)
        .offset(page.offset())
        .limit(page.page_size)
        .all(&state.db)
        .await?;
    Ok((rows(state, found).await?, total))
}

/// A follow-up action as a detail shows it; its text is a note.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FollowUp {
    pub id: i32,
    /// The action (only in a revealed visit; `null` otherwise).
    pub action: Option<String>,
    pub owner_id: i32,
    pub owner: String,
    pub due_on: Option<String>,
    pub done_on: Option<String>,
}

/// A visit's detail. `notes` is present only when revealed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "家访详情。走访记录的内容（五知、发现的问题、诉求、后续措施的内容、关怀内容）不在其中：\
    经 `POST /persons/{id}/reveal` 的 `five_knowns`、`visit_notes` 查看（记审计）")]
pub struct VisitDetail {
    #[serde(flatten)]
    pub row: VisitRow,
    pub org_path: String,
    pub recorded_by: String,
    pub family_met: usize,
    pub follow_ups: Vec<FollowUp>,
    pub care_items: Vec<super::care::CareItem>,
    pub tasks_closed: Vec<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<VisitNotes>,
}

/// A visit's notes, once revealed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VisitNotes {
    pub family_snapshot: Option<String>,
    pub family_met: Vec<String>,
    pub five_knowns: FiveKnowns,
    pub problems: Option<String>,
    pub help_asked: Option<String>,
}

async fn find(state: &AppState, id: i32) -> AppResult<visit::Model> {
    visit::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)
}

/// The visit's detail, to a reader of the roster in scope (or the person visited); with the notes
/// when `reveal` (family-and-care permission in scope, audited, never to the person visited).
pub async fn detail(state: &AppState, actor: &Actor, id: i32, reveal: bool) -> AppResult<(Subject, VisitDetail)> {
    let v = find(state, id).await?;
    let subject = crate::people::service::heading(state, actor, v.person_id).await?.subject;
    let target = Target { kind: "visit", id: i64::from(v.id), org_path: &v.org_path };
    if !subject.own {
        guard::check(state, actor, Permission::PersonRead, Sensitivity::Normal, target).await?;
    }
    let notes = if reveal {
        if subject.own {
            return Err(AppError::Forbidden("走访人的记录不向被走访的本人显示".into()));
        }
        guard::check(state, actor, Permission::FamilyCareRead, Sensitivity::Sensitive, target).await?;
        let met = family_met::Entity::find().filter(family_met::Column::VisitId.eq(v.id)).all(&state.db).await?;
        Some(VisitNotes {
            family_snapshot: v.family_snapshot.clone(),
            family_met: met.into_iter().map(|m| m.label).collect(),
            five_knowns: store::five_of(&v),
            problems: v.problems.clone(),
            help_asked: v.help_asked.clone(),
        })
    } else {
        None
    };
    let met = family_met::Entity::find().filter(family_met::Column::VisitId.eq(v.id)).count(&state.db).await?;
    let follow = followup::Entity::find()
        .filter(followup::Column::VisitId.eq(v.id))
        .order_by_asc(followup::Column::Id)
        .all(&state.db)
        .await?;
    let cares = care::Entity::find()
        .filter(care::Column::VisitId.eq(v.id))
        .order_by_asc(care::Column::Id)
        .all(&state.db)
        .await?;
    let tasks = super::entity::task::Entity::find()
        .filter(super::entity::task::Column::VisitId.eq(v.id))
        .all(&state.db)
        .await?;
    let owners: Vec<i32> = follow.iter().map(|f| f.owner_id).chain(cares.iter().map(|c| c.owner_id)).collect();
    let names = crate::people::names(&state.db, &owners).await?;
    let shown = notes.is_some();
    let follow_ups = follow
        .into_iter()
        .map(|f| FollowUp {
            id: f.id,
            action: shown.then_some(f.action),
            owner: names.get(&f.owner_id).cloned().unwrap_or_default(),
            owner_id: f.owner_id,
            due_on: f.due_on.map(|d| d.to_string()),
            done_on: f.done_on.map(|d| d.to_string()),
        })
        .collect();
    let care_items = cares.into_iter().map(|c| super::care::CareItem::of(c, &names, String::new(), shown)).collect();
    let recorded_by = v.recorded_by_name.clone();
    let org_path = v.org_path.clone();
    let row = rows(state, vec![v]).await?.pop().ok_or(AppError::NotFound)?;
    Ok((
        subject,
        VisitDetail {
            row,
            org_path,
            recorded_by,
            family_met: met as usize,
            follow_ups,
            care_items,
            tasks_closed: tasks.into_iter().map(|t| t.id).collect(),
            notes,
        },
    ))
}

/// One version of a person's 五知 (one visit).
#[derive(Debug, Clone)]
pub struct Version {
    pub visit_id: i32,
    pub visited_on: String,
    pub kind: String,
    pub family_snapshot: Option<String>,
    pub five: FiveKnowns,
}

/// Every version of a person's 五知, newest first: family-and-care permission in scope, never the
/// person themself; one `sensitive.read` entry per read.
pub async fn versions(state: &AppState, actor: &Actor, person_id: i32) -> AppResult<(Subject, Vec<Version>)> {
    let subject = crate::people::service::heading(state, actor, person_id).await?.subject;
    if subject.own {
        return Err(AppError::Forbidden("走访人的记录不向被走访的本人显示".into()));
    }
    let target = Target { kind: "person", id: i64::from(subject.id), org_path: &subject.org_path };
    guard::check(state, actor, Permission::FamilyCareRead, Sensitivity::Normal, target).await?;
    let all = store::visits_of(&state.db, person_id).await?;
    let event = Event::by(actor, "sensitive.read")
        .object("person", subject.id)
        .org(subject.org_path.clone())
        .summary(json!({"fields": ["five_knowns_history"], "versions": all.len()}));
    audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    let out = all
        .into_iter()
        .map(|v| Version {
            visit_id: v.id,
            visited_on: v.visited_on.to_string(),
            kind: v.kind.clone(),
            family_snapshot: v.family_snapshot.clone(),
            five: store::five_of(&v),
        })
        .collect();
    Ok((subject, out))
}

/// One line of a comparison of two versions.
#[derive(Debug, Clone)]
pub struct Compared {
    pub label: &'static str,
    pub older: String,
    pub newer: String,
    pub changed: bool,
}

/// Two versions side by side, item by item, changes marked.
pub fn compare(older: &Version, newer: &Version) -> Vec<Compared> {
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    let mut out = vec![Compared {
        label: "登记的家庭成员",
        older: text(&older.family_snapshot),
        newer: text(&newer.family_snapshot),
        changed: older.family_snapshot != newer.family_snapshot,
    }];
    for ((_, label, a), (_, _, b)) in older.five.items().into_iter().zip(newer.five.items()) {
        out.push(Compared { label, older: text(a), newer: text(b), changed: a != b });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comparison_marks_exactly_the_items_that_changed() {
        let v = |hobbies: &str, family: Option<&str>| Version {
            visit_id: 1,
            visited_on: "2026-01-01".into(),
            kind: "全员访".into(),
            family_snapshot: family.map(str::to_owned),
            five: FiveKnowns { hobbies: Some(hobbies.into()), friends: Some("同学".into()), ..Default::default() },
        };
        let lines = compare(&v("钓鱼", Some("配偶：李梅")), &v("羽毛球", Some("配偶：李梅")));
        let changed: Vec<&str> = lines.iter().filter(|l| l.changed).map(|l| l.label).collect();
        assert_eq!(changed, ["兴趣爱好"]);
        assert_eq!((lines[4].older.as_str(), lines[4].newer.as_str()), ("钓鱼", "羽毛球"));
    }
}
