//! Who is expected at a meeting: the members of the organization (or 党小组, or committee) on the
//! meeting's day, from the membership history in `party::store` — never from party tables here.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::entity::kind;
use super::{FULL, PROBATIONARY};
use crate::error::{AppError, AppResult};
use crate::orgs::{OrgKind, entity as org};
use crate::party::store as party;
use crate::state::AppState;

/// One expected attendee.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "应到人员：`member_kind` 为正式党员或预备党员（预备党员没有表决权）；`post` 为委员会中的职务")]
pub struct Expected {
    pub person_id: i32,
    pub name: String,
    pub member_kind: &'static str,
    pub post: Option<String>,
}

/// Whether meetings of type `k` are held by organizations of `o`'s kind.
pub fn held_by(k: &kind::Model, o: &org::Model) -> bool {
    held_by_kind(k, &o.kind)
}

/// [`held_by`] for an organization of kind `org_kind` (its stored text).
pub fn held_by_kind(k: &kind::Model, org_kind: &str) -> bool {
    let kind = OrgKind::parse(org_kind);
    match k.applies_to.as_str() {
        "group" => kind == Some(OrgKind::Group),
        "committee" => matches!(kind, Some(OrgKind::Committee | OrgKind::GeneralBranch)),
        _ => matches!(kind, Some(OrgKind::Branch | OrgKind::JointBranch)),
    }
}

/// What an organization of each kind may record, for the refusal's sentence.
pub fn held_by_text(k: &kind::Model) -> &'static str {
    match k.applies_to.as_str() {
        "group" => "党小组",
        "committee" => "党委、党总支",
        _ => "党支部、联合支部",
    }
}

/// The branch whose members are `o`'s members: the group's parent, or the branch itself.
fn branch_of(o: &org::Model) -> i32 {
    if OrgKind::parse(&o.kind) == Some(OrgKind::Group) { o.parent_id.unwrap_or(o.id) } else { o.id }
}

/// The members of `o`'s branch on `on`, by person: whether each was a full member that day.
pub async fn members_on(state: &AppState, o: &org::Model, on: NaiveDate) -> AppResult<HashMap<i32, bool>> {
    Ok(party::members_on(&state.db, branch_of(o), on).await?.into_iter().collect())
}

/// The expected attendees of a meeting of type `k` held by `o` on `on`, by name.
pub async fn expected(state: &AppState, o: &org::Model, k: &kind::Model, on: NaiveDate) -> AppResult<Vec<Expected>> {
    if !held_by(k, o) {
        return Err(AppError::validation("type", format!("{}由{}召开", k.name, held_by_text(k))));
    }
    let mut rows: Vec<(i32, bool, Option<String>)> = Vec::new();
    if k.paired {
        // 谈心谈话: the two people are named on the record.
    } else if k.applies_to == "committee" || k.quorum == "committee_half" {
        // The committee as it stands (posts keep no history); members of it are full members.
        let members = if k.applies_to == "committee" { None } else { Some(members_on(state, o, on).await?) };
        for (person, post) in party::committee_people(&state.db, o.id).await? {
            match &members {
                Some(m) if !m.contains_key(&person) => {}
                _ => rows.push((person, true, Some(post))),
            }
        }
    } else {
        let members = members_on(state, o, on).await?;
        if OrgKind::parse(&o.kind) == Some(OrgKind::Group) {
            for person in party::group_people(&state.db, o.id).await? {
                if let Some(full) = members.get(&person) {
                    rows.push((person, *full, None));
                }
            }
        } else {
            rows.extend(members.into_iter().map(|(p, full)| (p, full, None)));
        }
    }
    let ids: Vec<i32> = rows.iter().map(|r| r.0).collect();
    let names = crate::people::names(&state.db, &ids).await?;
    let mut out: Vec<Expected> = rows
        .into_iter()
        .map(|(person_id, full, post)| Expected {
            person_id,
            name: names.get(&person_id).cloned().unwrap_or_default(),
            member_kind: if full { FULL } else { PROBATIONARY },
            post,
        })
        .collect();
    out.sort_by(|a, b| b.post.is_some().cmp(&a.post.is_some()).then(a.person_id.cmp(&b.person_id)));
    Ok(out)
}
