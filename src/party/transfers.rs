//! Transfers of the organizational relationship (组织关系转接): start one (inside the bureau it
//! waits for the receiving branch; out of the bureau it is done at once), accept or return it,
//! list them, and remind the receiving branches.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{member, transfer};
use super::membership::{add_event, authorize_write, live_person};
use super::store::membership_of;
use super::{EventKind, MemberStatus, TransferStatus};
use crate::audit::{self, Event};
use crate::auth::{Actor, Permission};
use crate::db::org_paths::OrgRef;
use crate::error::{AppError, AppResult};
use crate::orgs::store;
use crate::state::AppState;
use crate::ui::blocks::Todo;

/// Longest reason, and longest name of a receiver outside the bureau, in characters.
pub const MAX_TEXT: usize = 200;

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
    #[schema(max_length = 200)]
    pub to_external: String,
    #[schema(required = true, min_length = 1, max_length = 200)]
    pub reason: String,
}

/// Who a transfer form is for: the member's name and branch, when the actor may transfer them
/// (write access in scope and a membership in good standing).
pub async fn transferable(state: &AppState, actor: &Actor, person_id: i32) -> AppResult<(String, member::Model)> {
    let p = live_person(state, person_id).await?;
    let m = membership_of(&state.db, p.id).await?.ok_or(AppError::NotFound)?;
    // The same check as `request_transfer`: the branch the membership is in.
    authorize_write(state, actor, "person", p.id, &m.branch_path).await?;
    if m.status != MemberStatus::Active {
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
        .filter(|m| m.status == MemberStatus::Active)
        .ok_or_else(|| AppError::validation("to_org_id", "只有组织关系在本局的党员才能办理转接"))?;
    authorize_write(state, actor, "person", p.id, &m.branch_path).await?;
    let reason = input.reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_TEXT {
        return Err(AppError::validation("reason", "请填写转接原因（200 字以内）"));
    }
    crate::text::multiline("reason", "转接原因", reason)?;
    crate::text::line("to_external", "局外接收单位", &input.to_external)?;
    let pending = transfer::Entity::find()
        .filter(transfer::Column::PersonId.eq(p.id))
        .filter(transfer::Column::Status.eq(TransferStatus::Pending))
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
                .filter(|o| super::is_branch_kind(&o.kind))
                .ok_or_else(|| AppError::validation("to_org_id", "接收的党支部不存在"))?;
            if to.id == m.branch_id {
                return Err(AppError::validation("to_org_id", "接收党支部与现所在党支部相同"));
            }
            (Some(to), TransferStatus::Pending)
        }
        None if !external.is_empty() && external.chars().count() <= MAX_TEXT => (None, TransferStatus::Out),
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
        status: Set(status),
        requested_by: Set((actor.user_id > 0).then_some(actor.user_id)),
        requested_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut released = Vec::new();
    match &to {
        Some(to) => {
            let detail = format!("申请由{}转往{}：{reason}", from.name, to.name);
            add_event(&txn, state, actor, p.id, EventKind::TransferRequested, today, detail).await?;
        }
        None => {
            let detail = format!("组织关系转往局外：{external}（{reason}）");
            add_event(&txn, state, actor, p.id, EventKind::TransferredOut, today, detail).await?;
            let mut active: member::ActiveModel = m.clone().into();
            active.status = Set(MemberStatus::TransferredOut);
            active.status_on = Set(Some(today));
            active.updated_at = Set(now);
            active.update(&txn).await?;
            // The letter states dues paid to this month: it stays on the branch's ledger.
            super::stints::close(&txn, p.id, today).await?;
            released = super::committees::release_posts(&txn, state, actor, p.id, None, "组织关系转出本局").await?;
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
    if t.status != TransferStatus::Pending {
        return Err(AppError::conflict("status", format!("该转接已处理（{}）", t.status.as_str())));
    }
    let reason = reason.trim();
    if !accept && reason.is_empty() {
        return Err(AppError::validation("reason", "退回时请写明原因"));
    }
    if reason.chars().count() > MAX_TEXT {
        return Err(AppError::validation("reason", "退回原因不能超过 200 字"));
    }
    crate::text::multiline("reason", "退回原因", reason)?;
    let p = live_person(state, t.person_id).await?;
    let m = membership_of(&state.db, p.id).await?.ok_or(AppError::NotFound)?;
    let from = store::find(&state.db, t.from_org_id).await?.ok_or(AppError::NotFound)?;
    let to = store::find(&state.db, t.to_org_id.unwrap_or_default()).await?.ok_or(AppError::NotFound)?;
    if accept && m.status != MemberStatus::Active {
        return Err(AppError::conflict("status", format!("此人的党员档案已是「{}」，只能退回", m.status.label())));
    }
    if accept && to.dissolved_at.is_some() {
        return Err(AppError::conflict("status", "接收党支部已撤销，只能退回"));
    }
    let now = state.clock.now_db();
    let today = state.clock.today();
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: transfer::ActiveModel = t.clone().into();
    active.status = Set(if accept { TransferStatus::Accepted } else { TransferStatus::Returned });
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
        let branch = OrgRef { id: to.id, path: to.path.clone(), name: to.name.clone() };
        crate::people::store::move_to_org(&txn, state, actor, &p, &from.name, &branch).await?;
        // Past months stay with the branch the member belonged to then.
        super::stints::move_to(&txn, p.id, &branch, today).await?;
        let detail = format!("由{}转入{}", from.name, to.name);
        add_event(&txn, state, actor, p.id, EventKind::TransferredIn, today, detail).await?;
        let why = format!("组织关系转入{}", to.name);
        released = super::committees::release_posts(&txn, state, actor, p.id, Some(&to.path), &why).await?;
        // Moving to another branch is a change of post (十必访: 岗位重大调整): whoever listens (the
        // visits) raises a must-visit for the receiving branch, in this transaction.
        let situation = crate::module::PersonSituation {
            person_id: p.id,
            situation: "post_change",
            source: format!("transfer#{}", t.id),
            on: today,
        };
        crate::module::report_situation(&txn, state, situation).await?;
    } else {
        let detail = format!("{}退回转接申请：{reason}", to.name);
        add_event(&txn, state, actor, p.id, EventKind::TransferReturned, today, detail).await?;
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
    `requested_at` 为北京时间；`can_decide` 表示调用者能否接收或退回；转出本局的，`letter_no`、`letter_on` 为介绍信的编号和开具日期\
    （尚未开具时为 null），`receipt_on`、`receipt_org` 为登记的回执日期和接收党组织（未收到时为 null）")]
pub struct TransferRow {
    pub id: i32,
    pub person_id: i32,
    pub person_name: String,
    pub from_name: String,
    pub to_name: String,
    pub reason: String,
    pub status: TransferStatus,
    #[serde(serialize_with = "crate::clock::serde_local::serialize")]
    #[schema(value_type = String, example = "2026-11-28 02:44:44")]
    pub requested_at: chrono::NaiveDateTime,
    pub reject_reason: Option<String>,
    /// The viewer may accept or return it.
    pub can_decide: bool,
    /// Out of the bureau: the letter's number and date, once issued, and its receipt.
    #[schema(example = "〔2026〕第 0012 号")]
    pub letter_no: Option<String>,
    pub letter_on: Option<chrono::NaiveDate>,
    pub receipt_on: Option<chrono::NaiveDate>,
    pub receipt_org: Option<String>,
}

impl TransferRow {
    pub fn requested_at_local(&self) -> String {
        crate::clock::display_local(self.requested_at)
    }

    /// A transfer out of the bureau, which has a letter.
    pub fn has_letter(&self) -> bool {
        self.status == TransferStatus::Out
    }

    /// The last day the letter is valid, once issued.
    pub fn letter_valid_until(&self) -> String {
        self.letter_on.map(|d| (d + chrono::Duration::days(super::letter::VALID_DAYS)).to_string()).unwrap_or_default()
    }

    /// The letter's 30 days are over and no receipt was recorded.
    pub fn receipt_overdue(&self, today: &chrono::NaiveDate) -> bool {
        self.receipt_on.is_none()
            && self.letter_on.is_some_and(|d| d + chrono::Duration::days(super::letter::VALID_DAYS) < *today)
    }
}

/// Transfers waiting for the actor's branches, and the latest ones the actor's branches sent.
pub async fn list_transfers(state: &AppState, actor: &Actor) -> AppResult<(Vec<TransferRow>, Vec<TransferRow>)> {
    actor.require(Permission::PersonWrite)?;
    let scope = actor.scope(Permission::PersonWrite);
    let incoming = transfer::Entity::find()
        .filter(transfer::Column::Status.eq(TransferStatus::Pending))
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
    let out_ids: Vec<i32> = outgoing.iter().filter(|t| t.status == TransferStatus::Out).map(|t| t.id).collect();
    let letters = super::letter::of_transfers(&state.db, &out_ids).await?;
    let row = |t: transfer::Model| TransferRow {
        letter_no: letters.get(&t.id).map(|l| l.number()),
        letter_on: letters.get(&t.id).map(|l| l.issued_on),
        receipt_on: letters.get(&t.id).and_then(|l| l.receipt_on),
        receipt_org: letters.get(&t.id).and_then(|l| l.receipt_org.clone()),
        id: t.id,
        person_id: t.person_id,
        person_name: people.get(&t.person_id).cloned().unwrap_or_default(),
        from_name: orgs.get(&t.from_org_id).cloned().unwrap_or_default(),
        to_name: t.to_org_id.and_then(|id| orgs.get(&id).cloned()).or(t.to_external.clone()).unwrap_or_default(),
        can_decide: t.status == TransferStatus::Pending && t.to_path.as_deref().is_some_and(|p| scope.contains(p)),
        reason: t.reason,
        status: t.status,
        requested_at: t.requested_at,
        reject_reason: t.reject_reason,
    };
    Ok((incoming.into_iter().map(row).collect(), outgoing.into_iter().map(row).collect()))
}

/// Reminders for the receiving branches: transfers waiting to be received.
pub async fn todos(state: &AppState, actor: &Actor) -> AppResult<Vec<Todo>> {
    if !actor.can(Permission::PersonWrite) {
        return Ok(Vec::new());
    }
    let (incoming, _) = list_transfers(state, actor).await?;
    Ok(incoming
        .into_iter()
        .map(|t| Todo {
            title: format!("{} 的组织关系由{}转来，待接收", t.person_name, t.from_name),
            href: "/party/transfers".into(),
            due: None,
            urgency: "normal",
        })
        .collect())
}

/// Every branch of the bureau (names only), as receivers of a transfer.
/// Closes a person's pending transfer when the membership ends while it waits: the receiving
/// branch has nothing left to accept.
pub async fn withdraw_pending(
    txn: &sea_orm::DatabaseTransaction,
    state: &AppState,
    person_id: i32,
    why: &str,
) -> AppResult<()> {
    let pending = transfer::Entity::find()
        .filter(transfer::Column::PersonId.eq(person_id))
        .filter(transfer::Column::Status.eq(TransferStatus::Pending))
        .all(txn)
        .await?;
    for t in pending {
        let mut active: transfer::ActiveModel = t.into();
        active.status = Set(TransferStatus::Returned);
        active.decided_at = Set(Some(state.clock.now_db()));
        active.reject_reason = Set(Some(why.to_owned()));
        active.update(txn).await?;
    }
    Ok(())
}

pub async fn branch_options(state: &AppState) -> AppResult<Vec<(i32, String)>> {
    Ok(store::branches(&state.db).await?)
}

/// Before an organization is dissolved or merged: refused while a transfer from or to it waits
/// (a transfer names the organizations it was between, and a merge would leave it pointing at
/// a dissolved one).
pub fn tree_check<'a>(
    state: &'a AppState,
    kind: &'a crate::db::org_paths::ChangeKind,
) -> crate::module::BoxFuture<'a, AppResult<crate::module::TreeFacts>> {
    use crate::db::org_paths::ChangeKind;
    Box::pin(async move {
        let org = match kind {
            ChangeKind::Merged { from, .. } => from,
            ChangeKind::Dissolved { org } => org,
            ChangeKind::Moved { .. } => return Ok(Vec::new()),
        };
        let pending = transfer::Entity::find()
            .filter(transfer::Column::Status.eq(TransferStatus::Pending))
            .filter(
                sea_orm::Condition::any()
                    .add(transfer::Column::FromOrgId.eq(org.id))
                    .add(transfer::Column::ToOrgId.eq(org.id)),
            )
            .count(&state.db)
            .await?;
        if pending > 0 {
            return Err(AppError::validation(
                "reason",
                format!("本组织还有 {pending} 项待处理的组织关系转接，请先处理"),
            ));
        }
        Ok(Vec::new())
    })
}
