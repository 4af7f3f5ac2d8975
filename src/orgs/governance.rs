//! How an organization is run: founding date, term of office and the next election (换届),
//! committee posts filled from the roster, member counts derived from the membership records,
//! size warnings (domain.md §9.1), and dissolving or merging with everything carried along.

use chrono::{Months, NaiveDate};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity as org;
use super::{OrgKind, store};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::db::org_paths::{ChangeKind, OrgChange, OrgRef};
use crate::error::{AppError, AppResult};
use crate::party::entity::{committee, member};
use crate::people::entity as person;
use crate::people::parse_date;
use crate::state::AppState;
use crate::ui::blocks::Todo;

pub const POSTS: &[&str] = &["书记", "副书记", "组织委员", "宣传委员", "纪检委员", "委员"];

/// The usual term: five years for a committee (党委), three for the others.
pub fn default_term(kind: Option<OrgKind>) -> i32 {
    if kind == Some(OrgKind::Committee) { 5 } else { 3 }
}

pub fn next_election(o: &org::Model) -> Option<NaiveDate> {
    let term = o.term_years.unwrap_or_else(|| default_term(OrgKind::parse(&o.kind)));
    o.elected_on?.checked_add_months(Months::new(12 * term as u32))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "委员：`id` 是委员记录的编号（免去委员时用它），`person_id` 是人员编号，`since` 为任职时间")]
pub struct CommitteeRow {
    pub id: i32,
    pub person_id: i32,
    pub name: String,
    pub post: String,
    pub since: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "届期与委员会：`term_years` 未登记时为默认值（党委 5 年，其他 3 年），`next_election` = 上次换届 + 届期；\
        `full_members`、`probationary_members` 由党员档案统计；`warnings` 为只提示、不阻止的规模和届期提示"
)]
pub struct Governance {
    pub founded_on: Option<NaiveDate>,
    pub term_years: i32,
    pub elected_on: Option<NaiveDate>,
    pub next_election: Option<NaiveDate>,
    pub committee: Vec<CommitteeRow>,
    /// Counted from the membership records of the subtree, never typed.
    pub full_members: u64,
    pub probationary_members: u64,
    pub warnings: Vec<String>,
}

/// The size rules of domain.md §9.1, as warnings for people to weigh (never enforced).
pub fn warnings(
    kind: Option<OrgKind>,
    full: u64,
    probationary: u64,
    committee_size: usize,
    o: &org::Model,
    today: NaiveDate,
) -> Vec<String> {
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
    if kind != Some(OrgKind::Group) {
        match next_election(o) {
            None => out.push("尚未登记上次换届时间，无法提醒换届".into()),
            Some(due) if due < today => out.push(format!("届期已于 {due} 届满，尚未登记换届")),
            _ => {}
        }
    }
    out
}

pub async fn governance(state: &AppState, o: &org::Model) -> AppResult<Governance> {
    let kind = OrgKind::parse(&o.kind);
    let members = member::Entity::find()
        .filter(store::subtree(member::Column::BranchPath, &o.path))
        .filter(member::Column::Status.eq("正常"));
    let full_members = members.clone().filter(member::Column::FullOn.is_not_null()).count(&state.db).await?;
    let probationary_members = members.filter(member::Column::FullOn.is_null()).count(&state.db).await?;
    let rows = committee::Entity::find()
        .filter(committee::Column::OrgId.eq(o.id))
        .order_by_asc(committee::Column::Id)
        .all(&state.db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|r| r.person_id).collect();
    let names = crate::people::names(&state.db, &ids).await?;
    let mut committee: Vec<CommitteeRow> = rows
        .into_iter()
        .map(|r| CommitteeRow {
            id: r.id,
            person_id: r.person_id,
            name: names.get(&r.person_id).cloned().unwrap_or_default(),
            post: r.post,
            since: r.since,
        })
        .collect();
    committee.sort_by_key(|c| POSTS.iter().position(|p| *p == c.post).unwrap_or(POSTS.len()));
    Ok(Governance {
        founded_on: o.founded_on,
        term_years: o.term_years.unwrap_or_else(|| default_term(kind)),
        elected_on: o.elected_on,
        next_election: next_election(o),
        warnings: warnings(kind, full_members, probationary_members, committee.len(), o, state.clock.today()),
        committee,
        full_members,
        probationary_members,
    })
}

async fn writable(state: &AppState, actor: &Actor, id: i32) -> AppResult<org::Model> {
    actor.require(Permission::OrgWrite)?;
    let o = store::find(&state.db, id).await?.filter(|o| o.dissolved_at.is_none()).ok_or(AppError::NotFound)?;
    let target = Target { kind: "org", id: i64::from(o.id), org_path: &o.path };
    guard::check(state, actor, Permission::OrgWrite, Sensitivity::Normal, target).await?;
    Ok(o)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "届期与换届（整条记录，未给或为空的项被清空）：`founded_on`、`elected_on` 为 `YYYY-MM-DD`，\
    不晚于今天；`term_years` 为字符串 \"3\" 或 \"5\"",
    example = json!({"founded_on": "2010-03-01", "term_years": "3", "elected_on": "2026-06-30"})
)]
pub struct TermInput {
    pub founded_on: String,
    pub term_years: String,
    pub elected_on: String,
}

/// Records founding date, term and the last election (the next one follows from them).
pub async fn set_term(state: &AppState, actor: &Actor, id: i32, input: &TermInput) -> AppResult<Governance> {
    let o = writable(state, actor, id).await?;
    let today = state.clock.today();
    let mut errors: Vec<(String, String)> = Vec::new();
    let founded = parse_date(&input.founded_on).unwrap_or_else(|e| {
        errors.push(("founded_on".into(), e));
        None
    });
    let elected = parse_date(&input.elected_on).unwrap_or_else(|e| {
        errors.push(("elected_on".into(), e));
        None
    });
    let term: Option<i32> = match input.term_years.trim() {
        "" => None,
        t => match t.parse() {
            Ok(3) => Some(3),
            Ok(5) => Some(5),
            _ => {
                errors.push(("term_years".into(), "届期为 3 年或 5 年".into()));
                None
            }
        },
    };
    if founded.is_some_and(|f| f > today) {
        errors.push(("founded_on".into(), "成立日期不能晚于今天".into()));
    }
    if elected.is_some_and(|e| e > today) {
        errors.push(("elected_on".into(), "换届日期不能晚于今天".into()));
    }
    if let (Some(f), Some(e)) = (founded, elected)
        && e < f
    {
        errors.push(("elected_on".into(), "换届日期不能早于成立日期".into()));
    }
    if !errors.is_empty() {
        return Err(AppError::Fields(errors));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let before = json!({"founded_on": o.founded_on, "term_years": o.term_years, "elected_on": o.elected_on});
    let mut active: org::ActiveModel = o.clone().into();
    active.founded_on = Set(founded);
    active.term_years = Set(term);
    active.elected_on = Set(elected);
    active.updated_at = Set(state.clock.now_db());
    let updated = active.update(&txn).await?;
    let event = Event::by(actor, "org.term").object("org", o.id).org(o.path.clone()).summary(json!({
        "before": before, "after": {"founded_on": founded, "term_years": term, "elected_on": elected},
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    governance(state, &updated).await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "增补委员：`person_id` 须是本组织（含下级）组织关系正常的党员；`post` 为书记、副书记、组织委员、\
        宣传委员、纪检委员、委员之一；`since` 为任职时间 `YYYY-MM-DD`，可省略"
)]
pub struct CommitteeInput {
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[schema(required = true, value_type = Option<i32>, example = 231)]
    pub person_id: Option<i32>,
    #[schema(required = true, example = "组织委员")]
    pub post: String,
    #[schema(example = "2026-06-30")]
    pub since: String,
}

/// Puts a member of the organization's tree on its committee.
pub async fn add_committee(state: &AppState, actor: &Actor, org_id: i32, input: &CommitteeInput) -> AppResult<()> {
    let o = writable(state, actor, org_id).await?;
    let post = input.post.trim();
    if !POSTS.contains(&post) {
        return Err(AppError::validation("post", format!("职务应为：{}", POSTS.join("、"))));
    }
    let person_id = input.person_id.ok_or_else(|| AppError::validation("person_id", "请选择委员"))?;
    let m = member::Entity::find()
        .filter(member::Column::PersonId.eq(person_id))
        .filter(member::Column::Status.eq("正常"))
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
    let o = writable(state, actor, org_id).await?;
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

/// Ends the committee posts a person can no longer hold: those of organizations whose tree no
/// longer contains their branch (`branch_path`), or all of them when they leave (`None`).
/// The member's history gets a "免去委员" entry saying `why`; returns "组织名职务" of each post,
/// for the audit entry of the change that caused it.
pub async fn release_posts(
    txn: &sea_orm::DatabaseTransaction,
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
    let orgs = org::Entity::find().filter(org::Column::Id.is_in(posts.iter().map(|c| c.org_id))).all(txn).await?;
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
        crate::party::membership::add_event(txn, state, actor, person_id, "免去委员", state.clock.today(), detail)
            .await?;
    }
    Ok(released)
}

/// The people holding a committee post whose membership matches `members` (one query, however
/// many members: committees are small, a moved subtree may hold thousands of members).
async fn post_holders(txn: &sea_orm::DatabaseTransaction, members: sea_orm::Condition) -> AppResult<Vec<i32>> {
    use sea_orm::sea_query::Query;
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
    Ok(ids)
}

/// [`release_posts`] for each of `holders` at the branch their membership names now; returns
/// `{"person_id", "post"}` of each post ended, for the audit entry of the change.
async fn release_posts_of(
    txn: &sea_orm::DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    holders: &[i32],
    why: &str,
) -> AppResult<Vec<serde_json::Value>> {
    let mut released = Vec::new();
    if holders.is_empty() {
        return Ok(released);
    }
    let members = member::Entity::find()
        .filter(member::Column::PersonId.is_in(holders.to_vec()))
        .order_by_asc(member::Column::PersonId)
        .all(txn)
        .await?;
    for m in members {
        for post in release_posts(txn, state, actor, m.person_id, Some(&m.branch_path), why).await? {
            released.push(json!({"person_id": m.person_id, "post": post}));
        }
    }
    Ok(released)
}

/// After the subtree now at `path` moved: ends the posts its members held on committees the new
/// place is not under (their own organizations' committees moved along and stay).
pub async fn release_posts_in(
    txn: &sea_orm::DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    path: &str,
    why: &str,
) -> AppResult<Vec<serde_json::Value>> {
    let holders = post_holders(txn, store::subtree(member::Column::BranchPath, path)).await?;
    release_posts_of(txn, state, actor, &holders, why).await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(description = "撤销或合并：`reason` 必填，不超过 200 字；给出 `merge_into` 时人员和党员档案并入该党组织，\
    省略时直接撤销（本组织须没有人员）")]
pub struct DissolveInput {
    #[schema(required = true, example = "派出所撤并")]
    pub reason: String,
    /// Merge: people and memberships move to this organization first.
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[schema(value_type = Option<i32>, example = 16)]
    pub merge_into: Option<i32>,
}

/// Dissolves an organization without live sub-organizations. With `merge_into`, its people
/// and members move there first (with history); without, it must be empty. The record stays,
/// hidden, with the reason.
pub async fn dissolve(state: &AppState, actor: &Actor, id: i32, input: &DissolveInput) -> AppResult<()> {
    let o = writable(state, actor, id).await?;
    if o.parent_id.is_none() {
        return Err(AppError::validation("reason", "最高一级党组织不能撤销"));
    }
    let reason = input.reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(AppError::validation("reason", "请填写撤销或合并的原因（200 字以内）"));
    }
    crate::text::multiline("reason", "撤销或合并的原因", reason)?;
    if !store::children(&state.db, o.id).await?.is_empty() {
        return Err(AppError::validation("reason", "请先撤销或移走下级组织"));
    }
    let target = match input.merge_into {
        Some(tid) => {
            let t = writable(state, actor, tid)
                .await
                .map_err(|_| AppError::validation("merge_into", "合并到的党组织不存在或不在您的管理范围"))?;
            if t.id == o.id {
                return Err(AppError::validation("merge_into", "不能合并到自身"));
            }
            if matches!(OrgKind::parse(&o.kind), Some(OrgKind::Branch | OrgKind::JointBranch))
                && !matches!(OrgKind::parse(&t.kind), Some(OrgKind::Branch | OrgKind::JointBranch))
            {
                return Err(AppError::validation("merge_into", "党支部只能合并到党支部或联合支部"));
            }
            Some(t)
        }
        None => None,
    };
    let pending = crate::party::entity::transfer::Entity::find()
        .filter(crate::party::entity::transfer::Column::Status.eq("待接收"))
        .filter(
            sea_orm::Condition::any()
                .add(crate::party::entity::transfer::Column::FromOrgId.eq(o.id))
                .add(crate::party::entity::transfer::Column::ToOrgId.eq(o.id)),
        )
        .count(&state.db)
        .await?;
    if pending > 0 {
        return Err(AppError::validation("reason", format!("本组织还有 {pending} 项待处理的组织关系转接，请先处理")));
    }
    let people = person::Entity::find()
        .filter(person::Column::OrgId.eq(o.id))
        .filter(person::Column::DeletedAt.is_null())
        .count(&state.db)
        .await?;
    if target.is_none() && people > 0 {
        return Err(AppError::validation("merge_into", format!("本组织还有 {people} 人，请选择合并到的党组织")));
    }
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    let mut released = Vec::new();
    let this = OrgRef { id: o.id, path: o.path.clone(), name: o.name.clone() };
    let kind = match &target {
        Some(t) => {
            ChangeKind::Merged { from: this, into: OrgRef { id: t.id, path: t.path.clone(), name: t.name.clone() } }
        }
        None => ChangeKind::Dissolved { org: this },
    };
    // Whoever of the merged branch's members sits on a committee, found before the memberships
    // move (afterwards they cannot be told from the target's own members).
    let holders = match &target {
        Some(_) => post_holders(&txn, sea_orm::Condition::all().add(member::Column::BranchId.eq(o.id))).await?,
        None => Vec::new(),
    };
    // People, memberships and every other record placed in the organization move to the target
    // (and the people domain writes each person's history); a plain dissolve leaves them.
    let change = OrgChange {
        kind,
        at: now,
        actor_id: (actor.user_id > 0).then_some(actor.user_id),
        actor_name: actor.username.clone(),
    };
    crate::db::org_paths::apply(&txn, &change).await?;
    if let Some(t) = &target {
        // Posts on committees the merged branch's members are no longer under end here.
        let why = format!("{}并入{}", o.name, t.name);
        released = release_posts_of(&txn, state, actor, &holders, &why).await?;
    }
    committee::Entity::delete_many().filter(committee::Column::OrgId.eq(o.id)).exec(&txn).await?;
    // Grants over a dissolved organization end with it.
    let grants = crate::auth::entity::grant::Entity::delete_many()
        .filter(crate::auth::entity::grant::Column::OrgId.eq(o.id))
        .exec(&txn)
        .await?
        .rows_affected;
    let mut active: org::ActiveModel = o.clone().into();
    active.dissolved_at = Set(Some(now));
    active.dissolved_reason = Set(Some(reason.to_owned()));
    active.merged_into = Set(target.as_ref().map(|t| t.id));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    let action = if target.is_some() { "org.merge" } else { "org.dissolve" };
    let event = Event::by(actor, action).object("org", o.id).org(o.path.clone()).summary(json!({
        "name": o.name, "reason": reason, "merged_into": target.as_ref().map(|t| t.name.clone()),
        "people_moved": people, "grants_ended": grants, "released_posts": released,
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(())
}

/// 换届提醒: organizations whose term ends within 90 days (or has ended).
pub async fn todos(state: &AppState, actor: &Actor) -> AppResult<Vec<Todo>> {
    let perm = if actor.can(Permission::OrgWrite) { Permission::OrgWrite } else { Permission::PersonWrite };
    if !actor.can(perm) {
        return Ok(Vec::new());
    }
    let today = state.clock.today();
    // Terms are at least 3 years: only organizations elected before this can be due in 90 days.
    let elected_before = (today + chrono::Duration::days(90)).checked_sub_months(Months::new(36)).unwrap_or(today);
    let orgs = org::Entity::find()
        .filter(store::in_scope(org::Column::Path, &actor.scope(perm)))
        .filter(org::Column::DissolvedAt.is_null())
        .filter(org::Column::ElectedOn.lte(elected_before))
        .all(&state.db)
        .await?;
    let mut out = Vec::new();
    for o in orgs {
        let Some(due) = next_election(&o) else { continue };
        if due - today <= chrono::Duration::days(90) {
            let title = if due < today {
                format!("{} 的届期已于 {due} 届满，请尽快换届", o.name)
            } else {
                format!("{} 将于 {due} 届满，请做好换届准备", o.name)
            };
            let todo = Todo {
                title,
                href: format!("/orgs/{}", o.id),
                due: Some(due.to_string()),
                urgency: if due < today { "high" } else { "normal" },
            };
            out.push(super::summary::Pending { path: o.path, todo });
        }
    }
    super::summary::by_unit(state, &actor.scope(perm), out, |n| format!("{n} 个党组织 90 天内届满或已届满，须换届"))
        .await
}

/// Party members of the organization's tree, as candidates for its committee.
pub async fn committee_candidates(state: &AppState, o: &org::Model) -> AppResult<Vec<(i32, String)>> {
    let members = member::Entity::find()
        .filter(store::subtree(member::Column::BranchPath, &o.path))
        .filter(member::Column::Status.eq("正常"))
        .all(&state.db)
        .await?;
    let ids: Vec<i32> = members.iter().map(|m| m.person_id).collect();
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let people = person::Entity::find()
            .filter(person::Column::Id.is_in(chunk.to_vec()))
            .order_by_asc(person::Column::Name)
            .all(&state.db)
            .await?;
        out.extend(people.into_iter().map(|p| (p.id, p.name)));
    }
    Ok(out)
}
