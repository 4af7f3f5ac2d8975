//! 党小组 (Party groups): which members of a branch belong to which of its groups — a group is a
//! child organization (`OrgKind::Group`) of a branch — and who leads each group (组长).
//!
//! A member belongs to at most one group, and only to a live group of their own branch (the
//! group's parent is the membership's `branch_id`); a group has at most one leader, and a
//! probationary member (预备党员, no right to be elected) cannot lead it. The database keeps the
//! first two (unique `person_id` and `leader_of`). Changes are made by whoever may change the
//! group's organization ([`orgs::writable`], like its committee) and audited. A membership that
//! leaves the branch — a transfer, leaving the bureau, a deleted record, a moved or dissolved
//! group — leaves the group in the same transaction ([`leave`], through
//! [`super::committees::release_posts`] and [`on_tree_change`]).

use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::entity::{group_member as gm, member};
use super::membership::add_event;
use super::{EventKind, MemberStatus};
use crate::audit::{self, Event};
use crate::auth::Actor;
use crate::db::org_paths::ChangeKind;
use crate::error::{AppError, AppResult};
use crate::orgs::{OrgKind, entity as org, service as orgs, store};
use crate::state::AppState;
use crate::text::parse_date;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "党小组成员：`person_id` 为人员编号，`leader` 表示是否为组长，`probationary` 表示是否为预备党员，\
    `since` 为编入党小组的日期"
)]
pub struct GroupMemberRow {
    pub person_id: i32,
    pub name: String,
    pub leader: bool,
    pub probationary: bool,
    pub since: Option<chrono::NaiveDate>,
}

/// A group's members for its page: the leader first, then by name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "党小组的成员名单（组长在前，其余按姓名）及人数：`total` 人，其中正式党员 `full`、预备党员 `probationary`"
)]
pub struct GroupMembers {
    pub items: Vec<GroupMemberRow>,
    pub total: usize,
    pub full: usize,
    pub probationary: usize,
}

impl GroupMembers {
    pub fn leader(&self) -> Option<&GroupMemberRow> {
        self.items.iter().find(|r| r.leader)
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "编入党小组或设定组长：`person_id` 须是该党小组所在党支部组织关系正常的党员，且不在其他党小组；\
    `leader` 为 `true` 时设为组长（预备党员不能担任，每个党小组一名），为 `false` 时取消其组长；\
    已在本党小组的人只改变组长；`since` 为编入日期 `YYYY-MM-DD`，可省略"
)]
pub struct GroupMemberInput {
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[schema(required = true, value_type = i32, minimum = 1, example = 231)]
    pub person_id: Option<i32>,
    #[schema(example = false)]
    pub leader: bool,
    #[schema(schema_with = crate::openapi::schema::date, example = "2026-06-30")]
    pub since: String,
}

/// What placing a member did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    /// Newly in the group.
    Added,
    /// Already in it; the leader changed.
    Changed,
    /// Already in it as asked.
    Unchanged,
}

fn is_group(o: &org::Model) -> bool {
    OrgKind::parse(&o.kind) == Some(OrgKind::Group)
}

/// The group the actor may read (404 for any other organization, audited outside the scope).
async fn readable_group(state: &AppState, actor: &Actor, id: i32) -> AppResult<org::Model> {
    Some(orgs::readable(state, actor, id).await?).filter(is_group).ok_or(AppError::NotFound)
}

/// The group the actor may change (as [`orgs::writable`]; 404 for any other organization).
async fn writable_group(state: &AppState, actor: &Actor, id: i32) -> AppResult<org::Model> {
    Some(orgs::writable(state, actor, id).await?).filter(is_group).ok_or(AppError::NotFound)
}

/// `GET /api/v1/orgs/{id}/group-members`: the members of group `id`, as the actor may read it.
pub async fn list(state: &AppState, actor: &Actor, id: i32) -> AppResult<GroupMembers> {
    let g = readable_group(state, actor, id).await?;
    members_of(&state.db, &g).await
}

/// The members of group `g` (the caller has checked it may be read); empty for an organization
/// that is not a group.
pub async fn members_of<C: ConnectionTrait>(db: &C, g: &org::Model) -> AppResult<GroupMembers> {
    let rows =
        if is_group(g) { gm::Entity::find().filter(gm::Column::GroupId.eq(g.id)).all(db).await? } else { vec![] };
    let ids: Vec<i32> = rows.iter().map(|r| r.person_id).collect();
    let names = crate::people::store::names(db, &ids).await?;
    let probationary: Vec<i32> = if ids.is_empty() {
        Vec::new()
    } else {
        member::Entity::find()
            .filter(member::Column::PersonId.is_in(ids))
            .filter(super::probationary_condition())
            .all(db)
            .await?
            .into_iter()
            .map(|m| m.person_id)
            .collect()
    };
    let mut items: Vec<GroupMemberRow> = rows
        .into_iter()
        .map(|r| GroupMemberRow {
            person_id: r.person_id,
            name: names.get(&r.person_id).cloned().unwrap_or_default(),
            leader: r.is_leader(),
            probationary: probationary.contains(&r.person_id),
            since: r.since,
        })
        .collect();
    items.sort_by(|a, b| b.leader.cmp(&a.leader).then_with(|| a.name.cmp(&b.name)).then(a.person_id.cmp(&b.person_id)));
    let probationary = items.iter().filter(|r| r.probationary).count();
    Ok(GroupMembers { total: items.len(), full: items.len() - probationary, probationary, items })
}

/// The group a person belongs to, by name, and whether they lead it (for the profile).
pub async fn group_of_person<C: ConnectionTrait>(db: &C, person_id: i32) -> AppResult<Option<(String, bool)>> {
    let Some(row) = gm::Entity::find().filter(gm::Column::PersonId.eq(person_id)).one(db).await? else {
        return Ok(None);
    };
    let name = store::find(db, row.group_id).await?.map(|g| g.name).unwrap_or_default();
    Ok(Some((name, row.is_leader())))
}

/// Puts a member of the group's branch in group `id`, or (already in it) makes them its leader
/// or no longer its leader. Refusals name the field: `person_id` (not a member of the branch in
/// good standing, or already in another group), `leader` (a probationary member, or the group
/// has another leader), `since`.
pub async fn place(
    state: &AppState,
    actor: &Actor,
    id: i32,
    input: &GroupMemberInput,
) -> AppResult<(Placed, GroupMemberRow)> {
    let g = writable_group(state, actor, id).await?;
    let person_id = input.person_id.ok_or_else(|| AppError::validation("person_id", "请选择党员"))?;
    let since = parse_date(&input.since).map_err(|e| AppError::validation("since", e))?;
    let branch = g.parent_id.unwrap_or_default();
    let txn = crate::db::begin_write(&state.db).await?;
    // The checks below must see every placement committed before them (one leader, one group).
    crate::db::serialize_writes(&txn).await?;
    let person = crate::people::store::find_live(&txn, person_id).await?;
    let m = member::Entity::find()
        .filter(member::Column::PersonId.eq(person_id))
        .filter(member::Column::Status.eq(MemberStatus::Active))
        .filter(member::Column::BranchId.eq(branch))
        .one(&txn)
        .await?
        .filter(|_| person.is_some())
        .ok_or_else(|| AppError::validation("person_id", "党小组成员须是本党支部组织关系在册的党员"))?;
    let rows = gm::Entity::find()
        .filter(Condition::any().add(gm::Column::PersonId.eq(person_id)).add(gm::Column::GroupId.eq(g.id)))
        .all(&txn)
        .await?;
    let existing = rows.iter().find(|r| r.person_id == person_id);
    if let Some(other) = existing.filter(|r| r.group_id != g.id) {
        let name = store::find(&txn, other.group_id).await?.map(|o| o.name).unwrap_or_default();
        return Err(AppError::conflict("person_id", format!("此人已在{name}，请先从该党小组移出")));
    }
    if input.leader {
        if !super::is_full(&m) {
            return Err(AppError::validation("leader", "预备党员没有被选举权，不能担任党小组组长"));
        }
        if let Some(leader) = rows.iter().find(|r| r.is_leader() && r.person_id != person_id) {
            let names = crate::people::store::names(&txn, &[leader.person_id]).await?;
            let name = names.get(&leader.person_id).cloned().unwrap_or_default();
            return Err(AppError::conflict("leader", format!("本党小组已有组长（{name}）；请先取消其组长")));
        }
    }
    let leader_of = input.leader.then_some(g.id);
    let (placed, saved) = match existing {
        None => {
            let row = gm::ActiveModel {
                group_id: Set(g.id),
                person_id: Set(person_id),
                leader_of: Set(leader_of),
                since: Set(since),
                created_at: Set(state.clock.now_db()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            (Placed::Added, row)
        }
        Some(row) if row.leader_of == leader_of && since.is_none_or(|s| row.since == Some(s)) => {
            (Placed::Unchanged, row.clone())
        }
        Some(row) => {
            let mut active: gm::ActiveModel = row.clone().into();
            active.leader_of = Set(leader_of);
            if since.is_some() {
                active.since = Set(since);
            }
            (Placed::Changed, active.update(&txn).await?)
        }
    };
    let action = match placed {
        Placed::Added => Some("org.group_add"),
        Placed::Changed => Some("org.group_leader"),
        Placed::Unchanged => None,
    };
    if let Some(action) = action {
        let event = Event::by(actor, action)
            .object("org", g.id)
            .org(g.path.clone())
            .summary(json!({"person_id": person_id, "leader": input.leader}));
        audit::record(&txn, state.clock.as_ref(), event).await?;
    }
    txn.commit().await?;
    let name = person.map(|p| p.name).unwrap_or_default();
    let row = GroupMemberRow {
        person_id,
        name,
        leader: saved.is_leader(),
        probationary: !super::is_full(&m),
        since: saved.since,
    };
    Ok((placed, row))
}

/// Takes person `person_id` out of group `id` (404 when they are not in it).
pub async fn remove(state: &AppState, actor: &Actor, id: i32, person_id: i32) -> AppResult<()> {
    let g = writable_group(state, actor, id).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    let row = gm::Entity::find()
        .filter(gm::Column::GroupId.eq(g.id))
        .filter(gm::Column::PersonId.eq(person_id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    gm::Entity::delete_by_id(row.id).exec(&txn).await?;
    let event = Event::by(actor, "org.group_remove")
        .object("org", g.id)
        .org(g.path.clone())
        .summary(json!({"person_id": person_id, "leader": row.is_leader()}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(())
}

/// Who may join group `g` (the caller has checked it may change it): the members in good
/// standing of its branch who are in no group yet, as a query of person ids for the picker
/// (`people::store::pick_among` bounds and searches it).
pub fn candidates(g: &org::Model) -> SelectStatement {
    let grouped = Query::select().column(gm::Column::PersonId).from(gm::Entity).to_owned();
    // The branch's path (the group's without its last step) reaches its members by index.
    let branch_path = g.path.trim_end_matches('/').rsplit_once('/').map(|(head, _)| format!("{head}/"));
    Query::select()
        .column(member::Column::PersonId)
        .from(member::Entity)
        .cond_where(
            Condition::all()
                .add(member::Column::BranchPath.eq(branch_path.unwrap_or_default()))
                .add(member::Column::BranchId.eq(g.parent_id.unwrap_or_default()))
                .add(member::Column::Status.eq(MemberStatus::Active))
                .add(member::Column::PersonId.not_in_subquery(grouped)),
        )
        .to_owned()
}

/// Ends person `person_id`'s place in a group unless the group belongs to branch `branch_id`
/// (`None`: they left the bureau's branches altogether). Returns the group's name and whether
/// they led it. Called by [`super::committees::release_posts`], so a group ends with the posts.
pub(super) async fn leave(
    txn: &DatabaseTransaction,
    person_id: i32,
    branch_id: Option<i32>,
) -> AppResult<Option<(String, bool)>> {
    let Some(row) = gm::Entity::find().filter(gm::Column::PersonId.eq(person_id)).one(txn).await? else {
        return Ok(None);
    };
    let group = store::find(txn, row.group_id).await?;
    if let (Some(g), Some(b)) = (&group, branch_id)
        && g.parent_id == Some(b)
        && g.dissolved_at.is_none()
    {
        return Ok(None);
    }
    gm::Entity::delete_by_id(row.id).exec(txn).await?;
    Ok(Some((group.map(|g| g.name).unwrap_or_default(), row.is_leader())))
}

/// The organization id a path ends with (`/1/6/10/` → 10).
pub(super) fn org_of_path(path: &str) -> Option<i32> {
    path.trim_end_matches('/').rsplit('/').next().and_then(|s| s.parse().ok())
}

/// What a change of the tree ends: the rows, the group's name and why (for the leader's history).
struct Ending<'a> {
    rows: Vec<gm::Model>,
    group: &'a str,
    why: String,
}

/// Deletes the rows; the leader's history says the post ended, like a committee post's.
/// Returns `{person_id, group}` of each, for the audit entry of the change.
async fn end_rows(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    ending: Ending<'_>,
) -> AppResult<Vec<Value>> {
    let Ending { rows, group, why } = ending;
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    if !ids.is_empty() {
        gm::Entity::delete_many().filter(gm::Column::Id.is_in(ids)).exec(txn).await?;
    }
    for r in rows.iter().filter(|r| r.is_leader()) {
        let detail = format!("{why}，不再担任{group}组长");
        add_event(txn, state, actor, r.person_id, EventKind::PostReleased, state.clock.today(), detail).await?;
    }
    Ok(rows.iter().map(|r| json!({"person_id": r.person_id, "group": group})).collect())
}

/// Groups' part of Party's reaction to a change of the tree (run from
/// [`super::committees::on_tree_change`], before the membership paths are rewritten): a group
/// moved under another branch, or dissolved, loses its members (merged into a sibling group of
/// the same branch, they join it, its leader staying the leader unless that group has one). A
/// branch is dissolved or merged only without groups. Returns who left which group.
pub(super) async fn on_tree_change(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    kind: &ChangeKind,
) -> AppResult<Vec<Value>> {
    match kind {
        ChangeKind::Moved { org, new_path } => {
            let Some(g) = store::find(txn, org.id).await?.filter(is_group) else { return Ok(Vec::new()) };
            let parent = new_path.trim_end_matches('/').rsplit('/').nth(1).and_then(|s| s.parse::<i32>().ok());
            let parent_name = match parent {
                Some(id) => store::find(txn, id).await?.map(|p| p.name).unwrap_or_default(),
                None => String::new(),
            };
            let rows = gm::Entity::find().filter(gm::Column::GroupId.eq(g.id)).all(txn).await?;
            let ids: Vec<i32> = rows.iter().map(|r| r.person_id).collect();
            let staying: Vec<i32> = member::Entity::find()
                .filter(member::Column::PersonId.is_in(ids))
                .filter(member::Column::BranchId.eq(parent.unwrap_or_default()))
                .all(txn)
                .await?
                .into_iter()
                .map(|m| m.person_id)
                .collect();
            let gone = rows.into_iter().filter(|r| !staying.contains(&r.person_id)).collect();
            let why = format!("{}调整隶属至{parent_name}", g.name);
            end_rows(txn, state, actor, Ending { rows: gone, group: &g.name, why }).await
        }
        ChangeKind::Merged { from, into } => {
            let Some(f) = store::find(txn, from.id).await?.filter(is_group) else {
                // A branch merges only once its groups are gone (dissolved or moved away), and
                // their members left them then.
                return Ok(Vec::new());
            };
            let why = format!("{}并入{}", from.name, into.name);
            let rows = gm::Entity::find().filter(gm::Column::GroupId.eq(f.id)).all(txn).await?;
            let target = store::find(txn, into.id).await?.filter(|t| is_group(t) && t.parent_id == f.parent_id);
            let Some(t) = target else {
                return end_rows(txn, state, actor, Ending { rows, group: &f.name, why }).await;
            };
            let led = gm::Entity::find().filter(gm::Column::LeaderOf.eq(t.id)).one(txn).await?.is_some();
            for r in rows {
                if r.is_leader() && led {
                    let detail = format!("{why}，不再担任{}组长", f.name);
                    add_event(txn, state, actor, r.person_id, EventKind::PostReleased, state.clock.today(), detail)
                        .await?;
                }
                let mut active: gm::ActiveModel = r.clone().into();
                active.group_id = Set(t.id);
                active.leader_of = Set((r.is_leader() && !led).then_some(t.id));
                active.update(txn).await?;
            }
            Ok(Vec::new())
        }
        ChangeKind::Dissolved { org } => {
            let rows = gm::Entity::find().filter(gm::Column::GroupId.eq(org.id)).all(txn).await?;
            let why = format!("{}撤销", org.name);
            end_rows(txn, state, actor, Ending { rows, group: &org.name, why }).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_organization_a_path_ends_with() {
        assert_eq!(org_of_path("/1/6/10/"), Some(10));
        assert_eq!(org_of_path("/1/"), Some(1));
        assert_eq!(org_of_path(""), None);
    }
}
