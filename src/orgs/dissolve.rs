//! Dissolving an organization, or merging it into another. What the higher domains must say
//! (pending transfers refuse it, the people a merge carries) and do (committee posts end) comes
//! through their [`crate::module::TreeRules`]; the copies of paths follow through
//! [`crate::db::org_paths`].

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::json;

use super::entity as org;
use super::{OrgKind, service, store};
use crate::audit::{self, Event};
use crate::auth::Actor;
use crate::db::org_paths::{ChangeKind, OrgChange, OrgRef};
use crate::error::{AppError, AppResult};
use crate::module::{TreeFacts, tree_rules};
use crate::state::AppState;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(description = "撤销或合并：`reason` 必填，不超过 200 字；给出 `merge_into` 时人员和党员档案并入该党组织，\
    省略时直接撤销（本组织须没有人员）")]
pub struct DissolveInput {
    #[schema(required = true, schema_with = reason_schema, example = "派出所撤并")]
    pub reason: String,
    /// Merge: people and memberships move to this organization first.
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[schema(value_type = Option<i32>, minimum = 1, example = 16)]
    pub merge_into: Option<i32>,
}

fn reason_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::multiline(200, true)
}

/// Runs every domain's reaction to a change of the tree in its transaction, before the path
/// columns are rewritten; returns their facts for the change's audit entry.
pub async fn react(
    txn: &sea_orm::DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    kind: &ChangeKind,
) -> AppResult<TreeFacts> {
    let mut facts = TreeFacts::new();
    for react in tree_rules()?.iter().filter_map(|r| r.react) {
        facts.extend(react(txn, state, actor, kind).await?);
    }
    Ok(facts)
}

/// Dissolves an organization without live sub-organizations. With `merge_into`, its people
/// and members move there first (with history); without, it must be empty. The record stays,
/// hidden, with the reason.
pub async fn dissolve(state: &AppState, actor: &Actor, id: i32, input: &DissolveInput) -> AppResult<()> {
    let o = service::writable(state, actor, id).await?;
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
            let t = service::writable(state, actor, tid)
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
    let this = OrgRef { id: o.id, path: o.path.clone(), name: o.name.clone() };
    let kind = match &target {
        Some(t) => {
            ChangeKind::Merged { from: this, into: OrgRef { id: t.id, path: t.path.clone(), name: t.name.clone() } }
        }
        None => ChangeKind::Dissolved { org: this },
    };
    // Higher domains first: records still in progress (a pending transfer) refuse the change
    // before the roster asks where its people should go.
    let mut facts = TreeFacts::new();
    for check in tree_rules()?.iter().rev().filter_map(|r| r.check) {
        facts.extend(check(state, &kind).await?);
    }
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    // Committee posts end (and the merged members' histories say so) while the memberships still
    // name the dissolved organization.
    facts.extend(react(&txn, state, actor, &kind).await?);
    // People, memberships and every other record placed in the organization move to the target
    // (and the people domain writes each person's history); a plain dissolve leaves them.
    let change = OrgChange {
        kind,
        at: now,
        actor_id: (actor.user_id > 0).then_some(actor.user_id),
        actor_name: actor.username.clone(),
    };
    crate::db::org_paths::apply(&txn, &change).await?;
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
    let mut summary = json!({
        "name": o.name, "reason": reason, "merged_into": target.as_ref().map(|t| t.name.clone()),
        "grants_ended": grants,
    });
    for (key, value) in facts {
        summary[key] = value;
    }
    let event = Event::by(actor, action).object("org", o.id).org(o.path.clone()).summary(summary);
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(())
}
