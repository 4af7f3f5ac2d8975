//! 谈心谈话 compliance by pairing. The rule (research/domain.md §4.1, 《中国共产党支部工作条例
//! （试行）》2018, as quoted from http://bbs1.luoohu.com/thread-3848976-1-1.html):
//! "支委之间、支委与党员、党员之间 每年谈心谈话一般不少于1次". What is derived here, per branch and
//! per unit of the type's rule (a year as seeded):
//! - 支委之间: every pair of the branch's committee members has talked;
//! - 支委与党员: every member who is not on the committee has talked with at least one committee
//!   member (the rule names the two groups, not a talk of every 委员 with every 党员);
//! - 党员之间 is not counted pair by pair: every pair of members of a branch of thirty is 435
//!   talks a year, which no branch records and the rule's "一般" does not ask to track; it is an
//!   open question for the bureau (docs/USER-GUIDE.md).
//!
//! A branch with no committee recorded needs each member to have had one talk with anyone.
//! The members are those of the branch in the unit's last month (or this month while it runs);
//! the committee is as it stands (posts keep no history). A talk counts once approved.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::sea_query::JoinType;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;

use super::Status;
use super::entity::{attendee, kind, meeting};
use super::rules::Period;
use crate::error::AppResult;
use crate::state::AppState;

/// A talk the rule asks for that has not happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    /// Two committee members who have not talked.
    Pair(i32, i32),
    /// A member who has not talked with any committee member (with anyone, without a committee).
    Member(i32),
}

/// The talks the rule asks of one branch in one unit, and those not held: `committee` and
/// `members` as person ids (the committee among the members), `talks` the pairs recorded.
pub fn gaps(committee: &[i32], members: &[i32], talks: &[(i32, i32)]) -> (usize, Vec<Gap>) {
    let on_committee: HashSet<i32> = committee.iter().copied().filter(|c| members.contains(c)).collect();
    let mut board: Vec<i32> = on_committee.iter().copied().collect();
    board.sort_unstable();
    let talked: HashSet<(i32, i32)> = talks.iter().map(|&(a, b)| (a.min(b), a.max(b))).collect();
    let mut due = 0;
    let mut out = Vec::new();
    for (i, a) in board.iter().enumerate() {
        for b in &board[i + 1..] {
            due += 1;
            if !talked.contains(&(*a, *b)) {
                out.push(Gap::Pair(*a, *b));
            }
        }
    }
    let mut rest: Vec<i32> = members.iter().copied().filter(|m| !on_committee.contains(m)).collect();
    rest.sort_unstable();
    rest.dedup();
    for m in rest {
        due += 1;
        let ok = talks.iter().any(|&(a, b)| {
            let other = if a == m {
                b
            } else if b == m {
                a
            } else {
                return false;
            };
            board.is_empty() || on_committee.contains(&other)
        });
        if !ok {
            out.push(Gap::Member(m));
        }
    }
    (due, out)
}

/// Per (organization, paired type), the pairs talked, each with the month it was held.
type TalksByOrg = HashMap<(i32, String), Vec<(i32, (i32, i32))>>;

/// What the compliance table needs about talks in a subtree for the units of a period.
#[derive(Debug, Default)]
pub struct TalkData {
    /// Per unit start: members per branch.
    members: HashMap<NaiveDate, HashMap<i32, Vec<i32>>>,
    /// Committee members per organization.
    committees: HashMap<i32, Vec<i32>>,
    /// Per (organization, paired type), the pairs talked and the month they were held.
    talks: TalksByOrg,
}

/// Loads, in a handful of queries over the subtree at `path`, the members of each branch in each
/// unit, the committees, and the approved talks of the paired types among `kinds`.
pub async fn load(
    state: &AppState,
    path: &str,
    org_ids: &[i32],
    kinds: &[(&kind::Model, Vec<Period>)],
) -> AppResult<TalkData> {
    let mut data = TalkData::default();
    if kinds.is_empty() {
        return Ok(data);
    }
    let today = state.clock.today();
    let (mut from, mut to) = (i32::MAX, i32::MIN);
    for (_, units) in kinds {
        for u in units {
            let (a, b) = u.months();
            from = from.min(a);
            to = to.max(b);
            if data.members.contains_key(&u.start) {
                continue;
            }
            let month = crate::text::first_of_month(u.last_day().min(today));
            let mut by_branch: HashMap<i32, Vec<i32>> = HashMap::new();
            for (branch, person) in crate::party::stints::members_in_month(&state.db, path, month).await? {
                by_branch.entry(branch).or_default().push(person);
            }
            data.members.insert(u.start, by_branch);
        }
    }
    data.committees = crate::party::store::committee_people_of(&state.db, org_ids).await?;
    let codes: Vec<String> = kinds.iter().map(|(k, _)| k.code.clone()).collect();
    let rows: Vec<(i32, i32, String, i32, Option<i32>)> = attendee::Entity::find()
        .select_only()
        .column(meeting::Column::Id)
        .column(meeting::Column::OrgId)
        .column(meeting::Column::TypeCode)
        .column(meeting::Column::HeldMonth)
        .column(attendee::Column::PersonId)
        .join(JoinType::InnerJoin, attendee_to_meeting())
        .filter(crate::db::scope::subtree(meeting::Column::OrgPath, path))
        .filter(meeting::Column::TypeCode.is_in(codes))
        .filter(meeting::Column::HeldMonth.between(from, to))
        .filter(meeting::Column::Status.is_in([Status::Approved, Status::Archived]))
        .filter(attendee::Column::PersonId.is_not_null())
        .into_tuple()
        .all(&state.db)
        .await?;
    let mut people: HashMap<i32, (i32, String, i32, Vec<i32>)> = HashMap::new();
    for (id, org, code, month, person) in rows {
        let e = people.entry(id).or_insert_with(|| (org, code, month, Vec::new()));
        if let Some(p) = person {
            e.3.push(p);
        }
    }
    for (_, (org, code, month, ps)) in people {
        if let [a, b] = ps[..] {
            data.talks.entry((org, code)).or_default().push((month, (a, b)));
        }
    }
    Ok(data)
}

fn attendee_to_meeting() -> sea_orm::RelationDef {
    attendee::Entity::belongs_to(meeting::Entity).from(attendee::Column::MeetingId).to(meeting::Column::Id).into()
}

impl TalkData {
    /// Due pairings and the gaps of organization `org` (a branch) for type `k` in unit `u`.
    pub fn unit(&self, org: i32, k: &kind::Model, u: &Period) -> (usize, Vec<Gap>) {
        let members = self.members.get(&u.start).and_then(|m| m.get(&org)).map_or(&[][..], Vec::as_slice);
        let committee = self.committees.get(&org).map_or(&[][..], Vec::as_slice);
        let (a, b) = u.months();
        let talks: Vec<(i32, i32)> = self
            .talks
            .get(&(org, k.code.clone()))
            .map(|t| t.iter().filter(|(m, _)| (a..=b).contains(m)).map(|(_, p)| *p).collect())
            .unwrap_or_default();
        gaps(committee, members, &talks)
    }
}

/// One line of the drill-down: who has not talked, with whom.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "谈心谈话缺少的一项：`person_id`/`name` 党员，`with_id`/`with_name` 须与之谈话的支委（空表示尚未与任何支委谈话）"
)]
pub struct TalkGap {
    pub unit: String,
    pub person_id: i32,
    pub name: String,
    pub with_id: Option<i32>,
    pub with_name: Option<String>,
    pub text: String,
}

/// The gaps of each unit as lines with names, the names read in one query.
pub async fn lines(state: &AppState, units: &[(Period, Vec<Gap>)]) -> AppResult<Vec<TalkGap>> {
    let ids: Vec<i32> = units
        .iter()
        .flat_map(|(_, gaps)| gaps)
        .flat_map(|g| match g {
            Gap::Pair(a, b) => vec![*a, *b],
            Gap::Member(m) => vec![*m],
        })
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let names = crate::people::names(&state.db, &ids).await?;
    let name = |id: &i32| names.get(id).cloned().unwrap_or_else(|| format!("编号 {id}"));
    Ok(units
        .iter()
        .flat_map(|(unit, gaps)| gaps.iter().map(move |g| (unit, g)))
        .map(|(unit, g)| match g {
            Gap::Pair(a, b) => TalkGap {
                unit: unit.label(),
                person_id: *a,
                name: name(a),
                with_id: Some(*b),
                with_name: Some(name(b)),
                text: format!("支委{}与支委{}之间尚未谈心谈话", name(a), name(b)),
            },
            Gap::Member(m) => TalkGap {
                unit: unit.label(),
                person_id: *m,
                name: name(m),
                with_id: None,
                with_name: None,
                text: format!("{}尚未与支委谈心谈话", name(m)),
            },
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committee_members_talk_pairwise_and_every_member_with_one_of_them() {
        // Committee 1, 2, 3; members 4, 5, 6.
        let committee = [1, 2, 3];
        let members = [1, 2, 3, 4, 5, 6];
        let (due, g) = gaps(&committee, &members, &[]);
        assert_eq!(due, 3 + 3, "three committee pairs, three members");
        assert_eq!(g.len(), 6);
        // 1–2 and 2–3 talked; 4 with 1 (a committee member); 5 with 6 (two members: no use).
        let talks = [(2, 1), (2, 3), (4, 1), (5, 6)];
        let (due, g) = gaps(&committee, &members, &talks);
        assert_eq!(due, 6);
        assert_eq!(g, vec![Gap::Pair(1, 3), Gap::Member(5), Gap::Member(6)]);
    }

    #[test]
    fn only_members_of_the_branch_count_and_without_a_committee_any_talk_does() {
        // 9 is on the committee but no longer a member: not owed a talk, not a partner.
        let (due, g) = gaps(&[1, 9], &[1, 4], &[(4, 9)]);
        assert_eq!((due, g), (1, vec![Gap::Member(4)]));
        let (due, g) = gaps(&[], &[4, 5, 6], &[(4, 5)]);
        assert_eq!((due, g), (3, vec![Gap::Member(6)]));
    }
}
