//! Use cases of membership and transfers, each checked against the actor's scope, recorded as
//! membership events, reflected on the roster (with history) and audited, in one transaction.

use chrono::{Datelike, NaiveDate};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{event, member, transfer};
use super::{CATEGORIES, political_status, probation_end, probation_latest};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::orgs::{OrgKind, entity as org, store};
use crate::people::entity::{self as person, history};
use crate::people::parse_date;
use crate::state::AppState;
use crate::ui::blocks::Todo;

pub async fn membership_of<C: ConnectionTrait>(db: &C, person_id: i32) -> AppResult<Option<member::Model>> {
    Ok(member::Entity::find().filter(member::Column::PersonId.eq(person_id)).one(db).await?)
}

pub async fn events_of<C: ConnectionTrait>(db: &C, person_id: i32) -> AppResult<Vec<event::Model>> {
    Ok(event::Entity::find()
        .filter(event::Column::PersonId.eq(person_id))
        .order_by_asc(event::Column::OnDate)
        .order_by_asc(event::Column::Id)
        .all(db)
        .await?)
}

/// What the roster may not change on its own for a member: the political status follows the
/// membership, and the branch changes only by a transfer.
pub async fn check_roster_change<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    new_political: &str,
    new_org_id: i32,
) -> AppResult<Vec<(&'static str, String)>> {
    let Some(m) = membership_of(db, person_id).await?.filter(|m| m.status == "正常") else { return Ok(Vec::new()) };
    let mut errors = Vec::new();
    let derived = political_status(&m);
    if new_political != derived {
        errors.push((
            "political_status",
            format!("党员的政治面貌由党员档案决定（现为{derived}），请在党员信息中办理入党、转正"),
        ));
    }
    if new_org_id != m.branch_id {
        errors.push(("org_id", "党员的所在党组织须通过组织关系转接变更".to_owned()));
    }
    Ok(errors)
}

async fn live_person(state: &AppState, id: i32) -> AppResult<person::Model> {
    person::Entity::find_by_id(id).one(&state.db).await?.filter(|p| p.deleted_at.is_none()).ok_or(AppError::NotFound)
}

async fn authorize_write(state: &AppState, actor: &Actor, kind: &'static str, id: i32, path: &str) -> AppResult<()> {
    actor.require(Permission::PersonWrite)?;
    let target = Target { kind, id: i64::from(id), org_path: path };
    guard::check(state, actor, Permission::PersonWrite, Sensitivity::Normal, target).await
}

fn is_branch(o: &org::Model) -> bool {
    matches!(OrgKind::parse(&o.kind), Some(OrgKind::Branch | OrgKind::JointBranch))
}

pub(crate) async fn add_event(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    kind: &str,
    on: NaiveDate,
    detail: String,
) -> AppResult<()> {
    event::ActiveModel {
        person_id: Set(person_id),
        kind: Set(kind.to_owned()),
        on_date: Set(on),
        detail: Set(detail.chars().take(255).collect()),
        actor_name: Set(actor.username.clone()),
        at: Set(state.clock.now_db()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Changes a roster field that follows from membership, keeping the person's history.
async fn set_roster(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    p: &person::Model,
    (field, old, new): (&'static str, String, String),
    apply: impl FnOnce(&mut person::ActiveModel),
) -> AppResult<()> {
    if old == new {
        return Ok(());
    }
    let now = state.clock.now_db();
    let mut active: person::ActiveModel = p.clone().into();
    apply(&mut active);
    active.updated_at = Set(now);
    active.update(txn).await?;
    history::ActiveModel {
        person_id: Set(p.id),
        at: Set(now),
        actor_id: Set((actor.user_id > 0).then_some(actor.user_id)),
        actor_name: Set(actor.username.clone()),
        field: Set(field.to_owned()),
        old_value: Set(Some(old)),
        new_value: Set(Some(new)),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "登记入党：`joined_on` 入党日期（支部大会接收为预备党员之日），必填，不晚于今天，当时须年满 18 周岁；\
    `full_on` 转正日期，可省略，用于登记早已转正的老党员，须在入党满一年之后、满两年之内；`category` 为在职党员（默认）、\
    离退休党员、流动党员",
    example = json!({"joined_on": "2025-12-01", "full_on": "", "category": "在职党员"})
)]
pub struct JoinInput {
    /// Admission as probationary member (支部大会通过之日), `YYYY-MM-DD`.
    #[schema(required = true)]
    pub joined_on: String,
    /// Full membership, for members whose probation already ended.
    pub full_on: String,
    pub category: String,
}

fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    day.year() - birth.year() - i32::from((day.month(), day.day()) < (birth.month(), birth.day()))
}

/// Records a person's admission to the Party (and, for existing members, full membership).
pub async fn register(state: &AppState, actor: &Actor, person_id: i32, input: &JoinInput) -> AppResult<member::Model> {
    let p = live_person(state, person_id).await?;
    let path = p.org_path.clone().unwrap_or_else(|| "/".into());
    authorize_write(state, actor, "person", p.id, &path).await?;
    if membership_of(&state.db, p.id).await?.is_some() {
        return Err(AppError::conflict("joined_on", "此人已有党员档案"));
    }
    let branch = match p.org_id {
        Some(id) => store::find(&state.db, id).await?.filter(|o| o.dissolved_at.is_none()),
        None => None,
    }
    .filter(is_branch)
    .ok_or_else(|| AppError::validation("branch", "党员须编入党支部：请先把此人的所在党组织改为一个党支部"))?;
    let today = state.clock.today();
    let mut errors: Vec<(String, String)> = Vec::new();
    let joined = match parse_date(&input.joined_on) {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errors.push(("joined_on".into(), "请填写入党日期（支部大会接收为预备党员之日）".into()));
            None
        }
        Err(e) => {
            errors.push(("joined_on".into(), e));
            None
        }
    };
    let full = parse_date(&input.full_on).unwrap_or_else(|e| {
        errors.push(("full_on".into(), e));
        None
    });
    if let Some(j) = joined {
        errors.extend(check_dates(p.birth_date, j, full, today).into_iter().map(|(f, m)| (f.to_owned(), m)));
    }
    let category =
        if input.category.trim().is_empty() { "在职党员".to_owned() } else { input.category.trim().to_owned() };
    if !CATEGORIES.contains(&category.as_str()) {
        errors.push(("category".into(), format!("党员类别应为：{}", CATEGORIES.join("、"))));
    }
    let Some(joined) = joined.filter(|_| errors.is_empty()) else {
        return Err(AppError::Fields(errors));
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let m = insert_membership(&txn, state, actor, p.id, &branch, (joined, full), &category).await?;
    let derived = political_status(&m).to_owned();
    set_roster(&txn, state, actor, &p, ("political_status", p.political_status.clone(), derived.clone()), |a| {
        a.political_status = Set(derived.clone())
    })
    .await?;
    let event = Event::by(actor, "party.register").object("person", p.id).org(branch.path.clone()).summary(json!({
        "joined_on": joined.to_string(), "full_on": full.map(|d| d.to_string()), "category": category,
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(m)
}

/// The dates' rules: admitted at 18 or older, not in the future; full membership after a
/// probation of one year, extended once by at most another year.
pub fn check_dates(
    birth: NaiveDate,
    joined: NaiveDate,
    full: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<(&'static str, String)> {
    let mut errors = Vec::new();
    if joined > today {
        errors.push(("joined_on", "入党日期不能晚于今天".to_owned()));
    }
    let age = age_on(birth, joined);
    if age < 18 {
        errors.push(("joined_on", format!("入党时仅 {age} 周岁，未满 18 周岁不能入党")));
    }
    if let Some(f) = full {
        if f < probation_end(joined) {
            errors.push(("full_on", format!("预备期一年，最早于 {} 转正", probation_end(joined))));
        } else if f > probation_latest(joined) {
            errors.push(("full_on", format!("预备期最长延长一年，转正不能晚于 {}", probation_latest(joined))));
        } else if f > today {
            errors.push(("full_on", "转正日期不能晚于今天".to_owned()));
        }
    }
    errors
}

/// Writes a membership and its admission (and full-membership) events; the caller keeps the
/// roster's political status in step.
pub async fn insert_membership(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    branch: &org::Model,
    (joined, full): (NaiveDate, Option<NaiveDate>),
    category: &str,
) -> AppResult<member::Model> {
    let now = state.clock.now_db();
    let m = member::ActiveModel {
        person_id: Set(person_id),
        branch_id: Set(branch.id),
        branch_path: Set(branch.path.clone()),
        joined_on: Set(joined),
        full_on: Set(full),
        category: Set(category.to_owned()),
        status: Set("正常".into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    add_event(txn, state, actor, person_id, "入党", joined, format!("经{}支部大会接收为预备党员", branch.name)).await?;
    if let Some(f) = full {
        add_event(txn, state, actor, person_id, "转正", f, "预备期满，转为正式党员".into()).await?;
    }
    Ok(m)
}

/// 转正: a probationary member becomes a full member.
pub async fn confirm_full(state: &AppState, actor: &Actor, person_id: i32, full_on: &str) -> AppResult<member::Model> {
    let p = live_person(state, person_id).await?;
    let m = membership_of(&state.db, p.id).await?.ok_or(AppError::NotFound)?;
    authorize_write(state, actor, "person", p.id, &m.branch_path).await?;
    if m.full_on.is_some() || m.status != "正常" {
        return Err(AppError::conflict("full_on", "此人不是预备党员"));
    }
    let full = parse_date(full_on)
        .map_err(|e| AppError::validation("full_on", e))?
        .ok_or_else(|| AppError::validation("full_on", "请填写转正日期（支部大会讨论通过之日）"))?;
    if full < probation_end(m.joined_on) {
        return Err(AppError::validation("full_on", format!("预备期一年，最早于 {} 转正", probation_end(m.joined_on))));
    }
    if full > probation_latest(m.joined_on) {
        return Err(AppError::validation(
            "full_on",
            format!("预备期最长延长一年，转正不能晚于 {}", probation_latest(m.joined_on)),
        ));
    }
    if full > state.clock.today() {
        return Err(AppError::validation("full_on", "转正日期不能晚于今天"));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: member::ActiveModel = m.clone().into();
    active.full_on = Set(Some(full));
    active.updated_at = Set(state.clock.now_db());
    let updated = active.update(&txn).await?;
    add_event(&txn, state, actor, p.id, "转正", full, "预备期满，经支部大会讨论转为正式党员".into()).await?;
    set_roster(&txn, state, actor, &p, ("political_status", p.political_status.clone(), "中共党员".into()), |a| {
        a.political_status = Set("中共党员".into())
    })
    .await?;
    let event = Event::by(actor, "party.full")
        .object("person", p.id)
        .org(m.branch_path.clone())
        .summary(json!({"full_on": full.to_string()}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(updated)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "发起组织关系转接：转往本局另一个党支部时给 `to_org_id`，转出本局时给 `to_external`\
    （局外接收单位名称，不超过 200 字，立即生效）；两者都给时按 `to_org_id` 处理；`reason` 1–200 字",
    example = json!({"to_org_id": 13, "reason": "工作调动"})
)]
pub struct TransferInput {
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[schema(value_type = Option<i32>)]
    pub to_org_id: Option<i32>,
    /// Out of the bureau: the receiving organization's name (then no `to_org_id`).
    pub to_external: String,
    #[schema(required = true)]
    pub reason: String,
}

/// Who a transfer form is for: the member's name and branch, when the actor may transfer them
/// (write access in scope and a membership in good standing).
pub async fn transferable(state: &AppState, actor: &Actor, person_id: i32) -> AppResult<(String, member::Model)> {
    let p = live_person(state, person_id).await?;
    let m = membership_of(&state.db, p.id).await?.ok_or(AppError::NotFound)?;
    // The same check as `request_transfer`: the branch the membership is in.
    authorize_write(state, actor, "person", p.id, &m.branch_path).await?;
    if m.status != "正常" {
        return Err(AppError::NotFound);
    }
    Ok((p.name, m))
}

/// Starts a transfer. Inside the bureau it waits for the receiving branch; out of the bureau
/// it is done at once.
pub async fn request_transfer(
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    input: &TransferInput,
) -> AppResult<transfer::Model> {
    let p = live_person(state, person_id).await?;
    let m = membership_of(&state.db, p.id)
        .await?
        .filter(|m| m.status == "正常")
        .ok_or_else(|| AppError::validation("to_org_id", "只有组织关系在本局的党员才能办理转接"))?;
    authorize_write(state, actor, "person", p.id, &m.branch_path).await?;
    let reason = input.reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(AppError::validation("reason", "请填写转接原因（200 字以内）"));
    }
    crate::text::multiline("reason", "转接原因", reason)?;
    crate::text::line("to_external", "局外接收单位", &input.to_external)?;
    let pending = transfer::Entity::find()
        .filter(transfer::Column::PersonId.eq(p.id))
        .filter(transfer::Column::Status.eq("待接收"))
        .one(&state.db)
        .await?;
    if pending.is_some() {
        return Err(AppError::conflict("to_org_id", "已有一项待接收的转接，请等待对方处理"));
    }
    let from = store::find(&state.db, m.branch_id).await?.ok_or(AppError::NotFound)?;
    let external = input.to_external.trim();
    let (to, status) = match input.to_org_id {
        Some(id) => {
            let to = store::find(&state.db, id)
                .await?
                .filter(|o| o.dissolved_at.is_none())
                .filter(is_branch)
                .ok_or_else(|| AppError::validation("to_org_id", "接收的党支部不存在"))?;
            if to.id == m.branch_id {
                return Err(AppError::validation("to_org_id", "接收党支部与现所在党支部相同"));
            }
            (Some(to), "待接收")
        }
        None if !external.is_empty() && external.chars().count() <= 200 => (None, "已转出"),
        None => return Err(AppError::validation("to_org_id", "请选择本局接收的党支部，或填写局外接收单位")),
    };
    let now = state.clock.now_db();
    let today = state.clock.today();
    let txn = crate::db::begin_write(&state.db).await?;
    let t = transfer::ActiveModel {
        person_id: Set(p.id),
        from_org_id: Set(from.id),
        from_path: Set(from.path.clone()),
        to_org_id: Set(to.as_ref().map(|o| o.id)),
        to_path: Set(to.as_ref().map(|o| o.path.clone())),
        to_external: Set(to.is_none().then(|| external.to_owned())),
        reason: Set(reason.to_owned()),
        status: Set(status.to_owned()),
        requested_by: Set((actor.user_id > 0).then_some(actor.user_id)),
        requested_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut released = Vec::new();
    match &to {
        Some(to) => {
            add_event(
                &txn,
                state,
                actor,
                p.id,
                "申请转接",
                today,
                format!("申请由{}转往{}：{reason}", from.name, to.name),
            )
            .await?;
        }
        None => {
            add_event(&txn, state, actor, p.id, "转出", today, format!("组织关系转往局外：{external}（{reason}）"))
                .await?;
            let mut active: member::ActiveModel = m.clone().into();
            active.status = Set("转出".into());
            active.status_on = Set(Some(today));
            active.updated_at = Set(now);
            active.update(&txn).await?;
            released =
                crate::orgs::governance::release_posts(&txn, state, actor, p.id, None, "组织关系转出本局").await?;
        }
    }
    let event = Event::by(actor, "transfer.request").object("transfer", t.id).org(from.path.clone()).summary(json!({
        "person_id": p.id, "from": from.name, "to": to.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| external.to_owned()), "reason": reason,
        "released_posts": released,
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(t)
}

/// The receiving branch accepts (the member moves, with the roster) or returns it with a reason.
pub async fn decide_transfer(
    state: &AppState,
    actor: &Actor,
    transfer_id: i32,
    accept: bool,
    reason: &str,
) -> AppResult<()> {
    actor.require(Permission::PersonWrite)?;
    let t = transfer::Entity::find_by_id(transfer_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let to_path = t.to_path.clone().ok_or(AppError::NotFound)?;
    authorize_write(state, actor, "transfer", t.id, &to_path).await?;
    if t.status != "待接收" {
        return Err(AppError::conflict("status", format!("该转接已处理（{}）", t.status)));
    }
    let reason = reason.trim();
    if !accept && reason.is_empty() {
        return Err(AppError::validation("reason", "退回时请写明原因"));
    }
    crate::text::multiline("reason", "退回原因", reason)?;
    let p = live_person(state, t.person_id).await?;
    let m = membership_of(&state.db, p.id).await?.ok_or(AppError::NotFound)?;
    let from = store::find(&state.db, t.from_org_id).await?.ok_or(AppError::NotFound)?;
    let to = store::find(&state.db, t.to_org_id.unwrap_or_default()).await?.ok_or(AppError::NotFound)?;
    if accept && to.dissolved_at.is_some() {
        return Err(AppError::conflict("status", "接收党支部已撤销，只能退回"));
    }
    let now = state.clock.now_db();
    let today = state.clock.today();
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: transfer::ActiveModel = t.clone().into();
    active.status = Set(if accept { "已接收" } else { "已退回" }.into());
    active.decided_by = Set((actor.user_id > 0).then_some(actor.user_id));
    active.decided_at = Set(Some(now));
    active.reject_reason = Set((!accept).then(|| reason.to_owned()));
    active.update(&txn).await?;
    let mut released = Vec::new();
    if accept {
        let mut mem: member::ActiveModel = m.into();
        mem.branch_id = Set(to.id);
        mem.branch_path = Set(to.path.clone());
        mem.updated_at = Set(now);
        mem.update(&txn).await?;
        let old_name = from.name.clone();
        let (to_id, to_path2) = (to.id, to.path.clone());
        set_roster(&txn, state, actor, &p, ("org_id", old_name, to.name.clone()), |a| {
            a.org_id = Set(Some(to_id));
            a.org_path = Set(Some(to_path2));
        })
        .await?;
        add_event(&txn, state, actor, p.id, "转入", today, format!("由{}转入{}", from.name, to.name)).await?;
        let why = format!("组织关系转入{}", to.name);
        released = crate::orgs::governance::release_posts(&txn, state, actor, p.id, Some(&to.path), &why).await?;
    } else {
        add_event(&txn, state, actor, p.id, "转接退回", today, format!("{}退回转接申请：{reason}", to.name)).await?;
    }
    let action = if accept { "transfer.accept" } else { "transfer.reject" };
    let event = Event::by(actor, action)
        .object("transfer", t.id)
        .org(to.path.clone())
        .summary(json!({"person_id": p.id, "reason": reason, "released_posts": released}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一项转接：`status` 为待接收、已接收、已退回、已转出；局外转接的 `to_name` 是局外单位名称；\
    `requested_at` 为北京时间；`can_decide` 表示调用者能否接收或退回")]
pub struct TransferRow {
    pub id: i32,
    pub person_id: i32,
    pub person_name: String,
    pub from_name: String,
    pub to_name: String,
    pub reason: String,
    pub status: String,
    #[serde(serialize_with = "crate::clock::serde_local::serialize")]
    #[schema(value_type = String, example = "2026-11-28 02:44:44")]
    pub requested_at: chrono::NaiveDateTime,
    pub reject_reason: Option<String>,
    /// The viewer may accept or return it.
    pub can_decide: bool,
}

impl TransferRow {
    pub fn requested_at_local(&self) -> String {
        crate::clock::display_local(self.requested_at)
    }
}

/// Transfers waiting for the actor's branches, and the latest ones the actor's branches sent.
pub async fn list_transfers(state: &AppState, actor: &Actor) -> AppResult<(Vec<TransferRow>, Vec<TransferRow>)> {
    actor.require(Permission::PersonWrite)?;
    let scope = actor.scope(Permission::PersonWrite);
    let incoming = transfer::Entity::find()
        .filter(transfer::Column::Status.eq("待接收"))
        .filter(store::in_scope(transfer::Column::ToPath, &scope))
        .order_by_asc(transfer::Column::Id)
        .all(&state.db)
        .await?;
    let outgoing = transfer::Entity::find()
        .filter(store::in_scope(transfer::Column::FromPath, &scope))
        .order_by_desc(transfer::Column::Id)
        .limit(100)
        .all(&state.db)
        .await?;
    let org_ids: Vec<i32> =
        incoming.iter().chain(&outgoing).flat_map(|t| [Some(t.from_org_id), t.to_org_id]).flatten().collect();
    let orgs = store::names(&state.db, &org_ids).await?;
    let person_ids: Vec<i32> = incoming.iter().chain(&outgoing).map(|t| t.person_id).collect();
    let people = crate::people::names(&state.db, &person_ids).await?;
    let row = |t: transfer::Model| TransferRow {
        id: t.id,
        person_id: t.person_id,
        person_name: people.get(&t.person_id).cloned().unwrap_or_default(),
        from_name: orgs.get(&t.from_org_id).cloned().unwrap_or_default(),
        to_name: t.to_org_id.and_then(|id| orgs.get(&id).cloned()).or(t.to_external.clone()).unwrap_or_default(),
        can_decide: t.status == "待接收" && t.to_path.as_deref().is_some_and(|p| scope.contains(p)),
        reason: t.reason,
        status: t.status,
        requested_at: t.requested_at,
        reject_reason: t.reject_reason,
    };
    Ok((incoming.into_iter().map(row).collect(), outgoing.into_iter().map(row).collect()))
}

/// Todo items for secretaries: probations ending within 30 days (or overdue), and transfers
/// waiting to be received. Reminders only: nothing changes by itself.
pub async fn todos(state: &AppState, actor: &Actor) -> AppResult<Vec<Todo>> {
    if !actor.can(Permission::PersonWrite) {
        return Ok(Vec::new());
    }
    let scope = actor.scope(Permission::PersonWrite);
    let today = state.clock.today();
    let horizon = today - chrono::Months::new(12) + chrono::Duration::days(30);
    let due = member::Entity::find()
        .filter(store::in_scope(member::Column::BranchPath, &scope))
        .filter(member::Column::Status.eq("正常"))
        .filter(member::Column::FullOn.is_null())
        .filter(member::Column::JoinedOn.lte(horizon))
        .order_by_asc(member::Column::JoinedOn)
        .all(&state.db)
        .await?;
    let ids: Vec<i32> = due.iter().map(|m| m.person_id).collect();
    let names = crate::people::names(&state.db, &ids).await?;
    let due: Vec<crate::orgs::summary::Pending> = due
        .into_iter()
        .map(|m| {
            let end = probation_end(m.joined_on);
            let name = names.get(&m.person_id).cloned().unwrap_or_default();
            let title = if end <= today {
                format!("{name} 的预备期已于 {end} 届满，请及时讨论转正")
            } else {
                format!("{name} 的预备期将于 {end} 届满，请准备讨论转正")
            };
            let todo = Todo {
                title,
                href: format!("/people/{}#section-party", m.person_id),
                due: Some(end.to_string()),
                urgency: if end <= today { "high" } else { "normal" },
            };
            crate::orgs::summary::Pending { path: m.branch_path, todo }
        })
        .collect();
    let mut out = crate::orgs::summary::by_unit(state, &scope, due, |n| {
        format!("{n} 名预备党员的预备期在 30 天内届满或已届满，须讨论转正")
    })
    .await?;
    let (incoming, _) = list_transfers(state, actor).await?;
    for t in incoming {
        out.push(Todo {
            title: format!("{} 的组织关系由{}转来，待接收", t.person_name, t.from_name),
            href: "/party/transfers".into(),
            due: None,
            urgency: "normal",
        });
    }
    Ok(out)
}

/// Every branch of the bureau (names only), as receivers of a transfer.
pub async fn branch_options(state: &AppState) -> AppResult<Vec<(i32, String)>> {
    let rows = org::Entity::find()
        .filter(org::Column::DissolvedAt.is_null())
        .filter(org::Column::Kind.is_in([OrgKind::Branch.as_str(), OrgKind::JointBranch.as_str()]))
        .order_by_asc(org::Column::Path)
        .all(&state.db)
        .await?;
    Ok(rows.into_iter().map(|o| (o.id, o.name)).collect())
}
