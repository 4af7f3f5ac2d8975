//! Committees (委员会) of Party organizations: posts filled from the members of the
//! organization's tree, member counts derived from the membership records and the size warnings
//! that depend on them (domain.md §9.1), and ending posts a member can no longer hold — when they
//! leave, transfer, or their branch moves or merges (through [`crate::module::TreeRules`]).

use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::EventKind;
use super::MemberStatus;
use super::entity::{committee, member};
use super::membership::add_event;
use crate::audit::{self, Event};
use crate::auth::Actor;
use crate::db::org_paths::ChangeKind;
use crate::error::{AppError, AppResult};
use crate::module::{BoxFuture, TreeFacts};
use crate::orgs::{OrgKind, entity as org, service as orgs, store};
use crate::state::AppState;
use crate::text::parse_date;

pub const POSTS: &[&str] = &["书记", "副书记", "组织委员", "宣传委员", "纪检委员", "委员"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "委员：`id` 是委员记录的编号（免去委员时用它），`person_id` 是人员编号，`since` 为任职时间")]
pub struct CommitteeRow {
    pub id: i32,
    pub person_id: i32,
    pub name: String,
    pub post: String,
    pub since: Option<chrono::NaiveDate>,
}

/// What Party knows of an organization for its page: the committee, the member counts of its
/// tree and the size warnings.
#[derive(Debug, Clone)]
pub struct Committee {
    /// By post, 书记 first.
    pub members: Vec<CommitteeRow>,
    /// Counted from the membership records of the subtree, never typed.
    pub full_members: u64,
    pub probationary_members: u64,
    pub warnings: Vec<String>,
}

/// The size rules of domain.md §9.1, as warnings for people to weigh (never enforced).
pub fn size_warnings(kind: Option<OrgKind>, full: u64, probationary: u64, committee_size: usize) -> Vec<String> {
    let total = full + probationary;
    let mut out = Vec::new();
    match kind {
        Some(OrgKind::Branch | OrgKind::JointBranch) => {
            if total > 50 {
                out.push(format!("党员 {total} 人，超过 50 人，可考虑分设党支部或成立党总支"));
            }
            if full >= 7 && committee_size < 3 {
                out.push(format!(
                    "正式党员 {full} 人（7 人以上），应设立支部委员会（一般 3–5 人），现登记委员 {committee_size} 人"
                ));
            }
            if kind == Some(OrgKind::Branch) && full < 3 {
                out.push(format!("正式党员 {full} 人，不足 3 人，应与邻近单位成立联合支部"));
            }
        }
        Some(OrgKind::GeneralBranch) if total > 100 => {
            out.push(format!("党员 {total} 人，100 人以上，可成立党的基层委员会"));
        }
        _ => {}
    }
    out
}

/// The committee and member counts of organization `o` (the caller has checked it may be read).
pub async fn committee_of(state: &AppState, o: &org::Model) -> AppResult<Committee> {
    let members = member::Entity::find()
        .filter(store::subtree(member::Column::BranchPath, &o.path))
        .filter(member::Column::Status.eq(MemberStatus::Active));
    let full_members = members.clone().filter(member::Column::FullOn.is_not_null()).count(&state.db).await?;
    let probationary_members = members.filter(member::Column::FullOn.is_null()).count(&state.db).await?;
    let rows = committee::Entity::find()
        .filter(committee::Column::OrgId.eq(o.id))
        .order_by_asc(committee::Column::Id)
        .all(&state.db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|r| r.person_id).collect();
    let names = crate::people::store::names(&state.db, &ids).await?;
    let mut rows: Vec<CommitteeRow> = rows
        .into_iter()
        .map(|r| CommitteeRow {
            id: r.id,
            person_id: r.person_id,
            name: names.get(&r.person_id).cloned().unwrap_or_default(),
            post: r.post,
            since: r.since,
        })
        .collect();
    rows.sort_by_key(|c| POSTS.iter().position(|p| *p == c.post).unwrap_or(POSTS.len()));
    Ok(Committee {
        warnings: size_warnings(OrgKind::parse(&o.kind), full_members, probationary_members, rows.len()),
        members: rows,
        full_members,
        probationary_members,
    })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "增补委员：`person_id` 须是本组织（含下级）组织关系正常的党员；`post` 为书记、副书记、组织委员、\
        宣传委员、纪检委员、委员之一；`since` 为任职时间 `YYYY-MM-DD`，可省略"
)]
pub struct CommitteeInput {
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[schema(required = true, value_type = i32, minimum = 1, example = 231)]
    pub person_id: Option<i32>,
    #[schema(required = true, schema_with = post_schema, example = "组织委员")]
    pub post: String,
    #[schema(schema_with = crate::openapi::schema::date, example = "2026-06-30")]
    pub since: String,
}

fn post_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::one_of(POSTS, false)
}

/// Puts a member of the organization's tree on its committee.
pub async fn add_committee(state: &AppState, actor: &Actor, org_id: i32, input: &CommitteeInput) -> AppResult<()> {
    let o = orgs::writable(state, actor, org_id).await?;
    let post = input.post.trim();
    if !POSTS.contains(&post) {
        return Err(AppError::validation("post", format!("职务应为：{}", POSTS.join("、"))));
    }
    let person_id = input.person_id.ok_or_else(|| AppError::validation("person_id", "请选择委员"))?;
    let m = member::Entity::find()
        .filter(member::Column::PersonId.eq(person_id))
        .filter(member::Column::Status.eq(MemberStatus::Active))
        .one(&state.db)
        .await?
        .filter(|m| m.branch_path.starts_with(&o.path))
        .ok_or_else(|| AppError::validation("person_id", "委员须是本组织（含下级）组织关系在册的党员"))?;
    let since = parse_date(&input.since).map_err(|e| AppError::validation("since", e))?;
    let txn = crate::db::begin_write(&state.db).await?;
    let existing = committee::Entity::find().filter(committee::Column::OrgId.eq(o.id)).all(&txn).await?;
    if existing.iter().any(|c| c.person_id == person_id) {
        return Err(AppError::conflict("person_id", "此人已是本组织委员"));
    }
    if post == "书记" && existing.iter().any(|c| c.post == "书记") {
        return Err(AppError::conflict("post", "本组织已有书记；请先免去原书记"));
    }
    committee::ActiveModel {
        org_id: Set(o.id),
        person_id: Set(m.person_id),
        post: Set(post.to_owned()),
        since: Set(since),
        created_at: Set(state.clock.now_db()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let event = Event::by(actor, "org.committee_add")
        .object("org", o.id)
        .org(o.path.clone())
        .summary(json!({"person_id": person_id, "post": post}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn remove_committee(state: &AppState, actor: &Actor, org_id: i32, member_id: i32) -> AppResult<()> {
    let o = orgs::writable(state, actor, org_id).await?;
    let row = committee::Entity::find_by_id(member_id)
        .one(&state.db)
        .await?
        .filter(|c| c.org_id == o.id)
        .ok_or(AppError::NotFound)?;
    let txn = crate::db::begin_write(&state.db).await?;
    committee::Entity::delete_by_id(row.id).exec(&txn).await?;
    let event = Event::by(actor, "org.committee_remove")
        .object("org", o.id)
        .org(o.path.clone())
        .summary(json!({"person_id": row.person_id, "post": row.post}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(())
}

/// Party members of the organization's tree, as candidates for its committee.
pub async fn candidates(state: &AppState, o: &org::Model) -> AppResult<Vec<(i32, String)>> {
    let members = member::Entity::find()
        .filter(store::subtree(member::Column::BranchPath, &o.path))
        .filter(member::Column::Status.eq(MemberStatus::Active))
        .all(&state.db)
        .await?;
    let ids: Vec<i32> = members.iter().map(|m| m.person_id).collect();
    let people = crate::people::store::many_by_name(&state.db, &ids).await?;
    Ok(people.into_iter().map(|p| (p.id, p.name)).collect())
}

/// Ends the committee posts a person can no longer hold: those of organizations whose tree no
/// longer contains their branch (`branch_path`), or all of them when they leave (`None`).
/// The member's history gets a "免去委员" entry saying `why`; returns "组织名职务" of each post,
/// for the audit entry of the change that caused it.
pub async fn release_posts(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    branch_path: Option<&str>,
    why: &str,
) -> AppResult<Vec<String>> {
    let posts = committee::Entity::find().filter(committee::Column::PersonId.eq(person_id)).all(txn).await?;
    if posts.is_empty() {
        return Ok(Vec::new());
    }
    let org_ids: Vec<i32> = posts.iter().map(|c| c.org_id).collect();
    let orgs = store::find_many(txn, &org_ids).await?;
    let mut released = Vec::new();
    for c in posts {
        let Some(o) = orgs.iter().find(|o| o.id == c.org_id) else { continue };
        if branch_path.is_some_and(|b| b.starts_with(o.path.as_str())) {
            continue;
        }
        committee::Entity::delete_by_id(c.id).exec(txn).await?;
        released.push(format!("{}{}", o.name, c.post));
    }
    if !released.is_empty() {
        let detail = format!("{why}，不再担任{}", released.join("、"));
        add_event(txn, state, actor, person_id, EventKind::PostReleased, state.clock.today(), detail).await?;
    }
    Ok(released)
}

/// The memberships, by person, of people holding a committee post whose membership matches
/// `members` (one query for the holders, however many members: committees are small, a moved
/// subtree may hold thousands of members).
async fn post_holders(txn: &DatabaseTransaction, members: Condition) -> AppResult<Vec<member::Model>> {
    let of_members =
        Query::select().column(member::Column::PersonId).from(member::Entity).cond_where(members).to_owned();
    let mut ids: Vec<i32> = committee::Entity::find()
        .filter(committee::Column::PersonId.in_subquery(of_members))
        .all(txn)
        .await?
        .into_iter()
        .map(|c| c.person_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(member::Entity::find()
        .filter(member::Column::PersonId.is_in(ids))
        .order_by_asc(member::Column::PersonId)
        .all(txn)
        .await?)
}

/// Party's reaction to a dissolve, merge or move (see [`crate::module::TreeReaction`]), run
/// before the membership paths are rewritten: members whose branch ends up outside a committee's
/// tree leave its posts (their own organizations' committees move along and stay), and a
/// dissolved organization's committee ends. `released_posts` for the audit entry.
pub fn on_tree_change<'a>(
    txn: &'a DatabaseTransaction,
    state: &'a AppState,
    actor: &'a Actor,
    kind: &'a ChangeKind,
) -> BoxFuture<'a, AppResult<TreeFacts>> {
    Box::pin(async move {
        let mut released = Vec::new();
        // Each holder with the branch path their membership will have once the change is done.
        let (holders, why, gone) = match kind {
            ChangeKind::Moved { org, new_path } => {
                let parent_id = new_path.split('/').filter_map(|s| s.parse::<i32>().ok()).rev().nth(1);
                let parent = match parent_id {
                    Some(id) => store::find(txn, id).await?.map(|p| p.name).unwrap_or_default(),
                    None => String::new(),
                };
                let holders =
                    post_holders(txn, Condition::all().add(store::subtree(member::Column::BranchPath, &org.path)))
                        .await?
                        .into_iter()
                        .map(|m| {
                            let rest = m.branch_path.strip_prefix(org.path.as_str()).unwrap_or_default();
                            (m.person_id, format!("{new_path}{rest}"))
                        })
                        .collect::<Vec<_>>();
                (holders, format!("{}调整隶属至{parent}", org.name), None)
            }
            ChangeKind::Merged { from, into } => {
                let holders = post_holders(txn, Condition::all().add(member::Column::BranchId.eq(from.id)))
                    .await?
                    .into_iter()
                    .map(|m| (m.person_id, into.path.clone()))
                    .collect();
                (holders, format!("{}并入{}", from.name, into.name), Some(from.id))
            }
            ChangeKind::Dissolved { org } => (Vec::new(), String::new(), Some(org.id)),
        };
        for (person_id, branch) in holders {
            for post in release_posts(txn, state, actor, person_id, Some(&branch), &why).await? {
                released.push(json!({"person_id": person_id, "post": post}));
            }
        }
        if let Some(id) = gone {
            committee::Entity::delete_many().filter(committee::Column::OrgId.eq(id)).exec(txn).await?;
        }
        Ok(vec![("released_posts", json!(released))])
    })
}
