//! Committees (委员会) of Party organizations: posts filled from the members of the
//! organization's tree, member counts derived from the membership records and the size warnings
//! that depend on them (domain.md §9.1), and ending posts a member can no longer hold — when they
//! leave, transfer, or their branch moves or merges (through [`crate::module::TreeRules`]).

use sea_orm::sea_query::{Query, SelectStatement};
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

/// Members of a branch above which it should split or become a general branch (支部一般不超过 50 人).
pub const BRANCH_MEMBERS_MAX: u64 = 50;
/// Full members from which a branch elects a committee (正式党员 7 人以上设支部委员会); below
/// it the branch has only a 书记, and a 副书记 if needed.
pub const COMMITTEE_FROM_FULL: u64 = 7;
/// Least and most members of a branch committee (一般 3–5 人，不超过 7 人).
pub const BRANCH_COMMITTEE_MIN: usize = 3;
pub const BRANCH_COMMITTEE_MAX: usize = 7;
/// Full members a 党支部 (also a 联合支部) needs (正式党员 3 人以上).
pub const BRANCH_FULL_MIN: u64 = 3;
/// Members from which a general branch should become a 基层党委 (党员 100 人以上, 100 included).
pub const COMMITTEE_ORG_FROM: u64 = 100;

/// The posts a branch without a committee has (fewer than 7 full members).
const POSTS_WITHOUT_COMMITTEE: &[&str] = &["书记", "副书记"];

/// The size rules of domain.md §9.1, as warnings for people to weigh (never enforced). Full
/// (正式) and probationary (预备) members count apart: only full members decide whether a branch
/// may exist and whether it elects a committee. `posts` are the committee's posts as registered.
pub fn size_warnings(kind: Option<OrgKind>, full: u64, probationary: u64, posts: &[&str]) -> Vec<String> {
    let total = full + probationary;
    let committee = posts.len();
    let mut out = Vec::new();
    match kind {
        Some(OrgKind::Branch | OrgKind::JointBranch) => {
            if total > BRANCH_MEMBERS_MAX {
                out.push(format!("党员 {total} 人，超过 50 人，可考虑分设党支部或成立党总支"));
            }
            if full >= COMMITTEE_FROM_FULL && committee < BRANCH_COMMITTEE_MIN {
                out.push(format!(
                    "正式党员 {full} 人（7 人以上），应设立支部委员会（一般 3–5 人），现登记委员 {committee} 人"
                ));
            }
            if committee > BRANCH_COMMITTEE_MAX {
                out.push(format!("支部委员会登记委员 {committee} 人，超过 7 人（一般 3–5 人）"));
            }
            let beyond: Vec<&str> = posts.iter().copied().filter(|p| !POSTS_WITHOUT_COMMITTEE.contains(p)).collect();
            if full < COMMITTEE_FROM_FULL && !beyond.is_empty() {
                out.push(format!(
                    "正式党员 {full} 人（不足 7 人），不设支部委员会，只设书记（必要时设副书记），现登记有{}",
                    beyond.join("、")
                ));
            }
            if full < BRANCH_FULL_MIN {
                out.push(if kind == Some(OrgKind::Branch) {
                    format!("正式党员 {full} 人，不足 3 人，应与邻近单位成立联合支部")
                } else {
                    format!("正式党员 {full} 人，不足 3 人，联合支部也须有 3 名以上正式党员")
                });
            }
        }
        Some(OrgKind::GeneralBranch) if total >= COMMITTEE_ORG_FROM => {
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
    let full_members = members.clone().filter(super::full_condition()).count(&state.db).await?;
    let probationary_members = members.filter(super::probationary_condition()).count(&state.db).await?;
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
    let posts: Vec<&str> = rows.iter().map(|c| c.post.as_str()).collect();
    Ok(Committee {
        warnings: size_warnings(OrgKind::parse(&o.kind), full_members, probationary_members, &posts),
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

/// Puts a full member of the organization's tree on its committee. A probationary member (预备党员)
/// has no right to be elected (《中国共产党章程》第七条) and is refused, naming `person_id`.
pub async fn add_committee(state: &AppState, actor: &Actor, org_id: i32, input: &CommitteeInput) -> AppResult<()> {
    let o = orgs::writable(state, actor, org_id).await?;
    if OrgKind::parse(&o.kind) == Some(OrgKind::Group) {
        return Err(AppError::validation("post", "党小组不设委员会；组长在党小组成员中设定"));
    }
    let post = input.post.trim();
    if !POSTS.contains(&post) {
        return Err(AppError::validation("post", format!("职务应为：{}", POSTS.join("、"))));
    }
    let person_id = input.person_id.ok_or_else(|| AppError::validation("person_id", "请选择委员"))?;
    let live = crate::people::store::find_live(&state.db, person_id).await?.is_some();
    let m = member::Entity::find()
        .filter(member::Column::PersonId.eq(person_id))
        .filter(member::Column::Status.eq(MemberStatus::Active))
        .one(&state.db)
        .await?
        .filter(|m| live && m.branch_path.starts_with(&o.path))
        .ok_or_else(|| AppError::validation("person_id", "委员须是本组织（含下级）组织关系在册的党员"))?;
    if !super::is_full(&m) {
        return Err(AppError::validation("person_id", "预备党员没有被选举权，不能担任委员"));
    }
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

/// What the organization import can do with the 书记 a row names for an existing organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretaryMatch {
    /// The named person already is its 书记.
    Already,
    /// Exactly one full member in good standing of its tree has the name: appoint them.
    Appoint(i32),
    /// Nothing to do, and why (for the row's warning).
    Not(String),
}

/// Whom `name` names as 书记 of organization `o` (the caller checked it may change `o`): exactly
/// one person of its tree with that name who may hold the post (a full member in good standing,
/// as [`add_committee`] requires), or why not.
pub async fn secretary_match(state: &AppState, o: &org::Model, name: &str) -> AppResult<SecretaryMatch> {
    if OrgKind::parse(&o.kind) == Some(OrgKind::Group) {
        return Ok(SecretaryMatch::Not("党小组不设书记（组长在党小组页设定），未登记".into()));
    }
    let current = committee::Entity::find()
        .filter(committee::Column::OrgId.eq(o.id))
        .filter(committee::Column::Post.eq("书记"))
        .one(&state.db)
        .await?;
    if let Some(c) = current {
        let names = crate::people::store::names(&state.db, &[c.person_id]).await?;
        let holder = names.get(&c.person_id).cloned().unwrap_or_default();
        if holder == name {
            return Ok(SecretaryMatch::Already);
        }
        return Ok(SecretaryMatch::Not(format!("本组织已登记书记{holder}，未更改；如需更换请在班子页先免去原书记")));
    }
    let people = crate::people::store::live_named_under(&state.db, name, &o.path, 10).await?;
    if people.is_empty() {
        return Ok(SecretaryMatch::Not(format!("书记{name}未在名册中，导入名册后在班子页补录")));
    }
    let ids: Vec<i32> = people.iter().map(|p| p.id).collect();
    let members: Vec<member::Model> = member::Entity::find()
        .filter(member::Column::PersonId.is_in(ids))
        .filter(member::Column::Status.eq(MemberStatus::Active))
        .filter(store::subtree(member::Column::BranchPath, &o.path))
        .all(&state.db)
        .await?
        .into_iter()
        .filter(super::is_full)
        .collect();
    Ok(match members.as_slice() {
        [one] => SecretaryMatch::Appoint(one.person_id),
        [] => SecretaryMatch::Not(format!(
            "{name}不是本组织组织关系在册的正式党员，未登记为书记；党员档案建好后在班子页补录"
        )),
        many => SecretaryMatch::Not(format!("本组织有 {} 名党员名叫{name}，请在班子页选定书记", many.len())),
    })
}

/// Records `person_id` as 书记 of `o` in the import's transaction (matched by
/// [`secretary_match`]), with its own audit entry as [`add_committee`] writes.
pub async fn appoint_secretary_in(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    o: &org::Model,
    person_id: i32,
) -> AppResult<()> {
    let taken = committee::Entity::find()
        .filter(committee::Column::OrgId.eq(o.id))
        .filter(Condition::any().add(committee::Column::Post.eq("书记")).add(committee::Column::PersonId.eq(person_id)))
        .one(txn)
        .await?;
    if taken.is_some() {
        return Err(AppError::conflict("书记", format!("{}的班子在预览之后发生了变化，请重新上传", o.name)));
    }
    committee::ActiveModel {
        org_id: Set(o.id),
        person_id: Set(person_id),
        post: Set("书记".to_owned()),
        since: Set(None),
        created_at: Set(state.clock.now_db()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let event = Event::by(actor, "org.committee_add")
        .object("org", o.id)
        .org(o.path.clone())
        .summary(json!({"person_id": person_id, "post": "书记", "by": "org.import"}));
    audit::record(txn, state.clock.as_ref(), event).await?;
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

/// Who may join the organization's committee: the full members in good standing of its tree
/// (probationary members have no right to be elected), as a query of person ids for the picker
/// (`people::store::pick_among` bounds and searches it), and whether they are many (see
/// `people::store::MANY_PEOPLE`; counted once for a few seconds of typing).
pub async fn candidates(state: &AppState, o: &org::Model) -> AppResult<(SelectStatement, bool)> {
    let pool = Condition::all()
        .add(store::subtree(member::Column::BranchPath, &o.path))
        .add(member::Column::Status.eq(MemberStatus::Active))
        .add(super::full_condition());
    let count = member::Entity::find().filter(pool.clone()).count(&state.db);
    let size = state.cached_count(format!("committee-candidates:{}", o.path), count).await?;
    let query = Query::select().column(member::Column::PersonId).from(member::Entity).cond_where(pool).to_owned();
    Ok((query, size > crate::people::store::MANY_PEOPLE))
}

/// Ends the committee posts a person can no longer hold: those of organizations whose tree no
/// longer contains their branch (`branch_path`), or all of them when they leave (`None`) — and,
/// with them, their place in a 党小组 that is not one of that branch's groups (see
/// [`super::groups::leave`]). The member's history gets a "免去委员" entry saying `why` when a
/// post (a committee's, or a group's 组长) ended; returns "组织名职务" of each post, and
/// "党小组名成员" when they only left a group, for the audit entry of the change that caused it.
pub async fn release_posts(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    branch_path: Option<&str>,
    why: &str,
) -> AppResult<Vec<String>> {
    let posts = committee::Entity::find().filter(committee::Column::PersonId.eq(person_id)).all(txn).await?;
    let org_ids: Vec<i32> = posts.iter().map(|c| c.org_id).collect();
    let orgs = if org_ids.is_empty() { Vec::new() } else { store::find_many(txn, &org_ids).await? };
    let mut released = Vec::new();
    for c in posts {
        let Some(o) = orgs.iter().find(|o| o.id == c.org_id) else { continue };
        if branch_path.is_some_and(|b| b.starts_with(o.path.as_str())) {
            continue;
        }
        committee::Entity::delete_by_id(c.id).exec(txn).await?;
        released.push(format!("{}{}", o.name, c.post));
    }
    let branch_id = branch_path.and_then(super::groups::org_of_path);
    let group = super::groups::leave(txn, person_id, branch_id).await?;
    if let Some((group, true)) = &group {
        released.push(format!("{group}组长"));
    }
    if !released.is_empty() {
        let detail = format!("{why}，不再担任{}", released.join("、"));
        add_event(txn, state, actor, person_id, EventKind::PostReleased, state.clock.today(), detail).await?;
    }
    if let Some((group, false)) = group {
        released.push(format!("{group}成员"));
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
        let mut facts = vec![("released_posts", json!(released))];
        let left = super::groups::on_tree_change(txn, state, actor, kind).await?;
        if !left.is_empty() {
            facts.push(("left_groups", json!(left)));
        }
        Ok(facts)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn says(warnings: &[String], text: &str) -> bool {
        warnings.iter().any(|w| w.contains(text))
    }

    #[test]
    fn a_branch_needs_three_full_members_counted_apart_from_probationary_ones() {
        let branch = Some(OrgKind::Branch);
        // Two full and five probationary members: seven in all, still too few full members.
        let w = size_warnings(branch, 2, 5, &["书记"]);
        assert!(says(&w, "正式党员 2 人，不足 3 人"), "{w:?}");
        assert!(size_warnings(branch, 3, 0, &["书记"]).is_empty(), "3 正式党员 are enough");
        let joint = size_warnings(Some(OrgKind::JointBranch), 2, 0, &["书记"]);
        assert!(says(&joint, "不足 3 人"), "{joint:?}");
    }

    #[test]
    fn a_committee_from_seven_full_members_of_three_to_seven() {
        let branch = Some(OrgKind::Branch);
        // Seven full members: a committee is due; six full and many probationary: not.
        assert!(says(&size_warnings(branch, 7, 0, &["书记"]), "应设立支部委员会"));
        assert!(!says(&size_warnings(branch, 6, 10, &["书记"]), "应设立支部委员会"));
        assert!(!says(&size_warnings(branch, 7, 0, &["书记", "组织委员", "宣传委员"]), "应设立支部委员会"));
        let seven = ["书记", "副书记", "组织委员", "宣传委员", "纪检委员", "委员", "委员"];
        assert!(!says(&size_warnings(branch, 30, 0, &seven), "超过 7 人"), "7 is the most");
        let eight = ["书记", "副书记", "组织委员", "宣传委员", "纪检委员", "委员", "委员", "委员"];
        let w = size_warnings(branch, 30, 0, &eight);
        assert!(says(&w, "支部委员会登记委员 8 人，超过 7 人"), "{w:?}");
        assert!(says(&size_warnings(Some(OrgKind::JointBranch), 30, 0, &eight), "超过 7 人"));
    }

    #[test]
    fn below_seven_full_members_only_a_secretary_and_a_deputy() {
        let branch = Some(OrgKind::Branch);
        assert!(size_warnings(branch, 6, 3, &["书记", "副书记"]).is_empty());
        let w = size_warnings(branch, 6, 3, &["书记", "组织委员", "宣传委员"]);
        assert!(says(&w, "不设支部委员会，只设书记（必要时设副书记），现登记有组织委员、宣传委员"), "{w:?}");
        assert!(!says(&size_warnings(branch, 7, 0, &["书记", "组织委员", "宣传委员"]), "不设支部委员会"));
    }

    #[test]
    fn fifty_members_is_a_branch_and_a_hundred_a_committee() {
        let branch = Some(OrgKind::Branch);
        let committee = ["书记", "组织委员", "宣传委员"];
        assert!(!says(&size_warnings(branch, 40, 10, &committee), "超过 50 人"), "50 is allowed");
        assert!(says(&size_warnings(branch, 40, 11, &committee), "党员 51 人，超过 50 人"));
        let general = Some(OrgKind::GeneralBranch);
        assert!(size_warnings(general, 90, 9, &[]).is_empty(), "99: a general branch");
        // "100 人以上" includes 100, probationary members counted.
        let w = size_warnings(general, 95, 5, &[]);
        assert!(says(&w, "党员 100 人，100 人以上，可成立党的基层委员会"), "{w:?}");
        assert!(size_warnings(Some(OrgKind::Committee), 500, 0, &[]).is_empty());
        assert!(size_warnings(Some(OrgKind::Group), 0, 0, &[]).is_empty());
    }
}
