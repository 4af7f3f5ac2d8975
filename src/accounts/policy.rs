//! The security policy: the security administrator changes the values in force (the values
//! and their ranges are `auth::policy`).

use std::collections::HashMap;

use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde_json::json;

use crate::audit::{self, Event};
use crate::auth::entity::setting;
use crate::auth::policy::{self, SecurityPolicy};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub async fn update_policy(
    state: &AppState,
    actor: &Actor,
    values: &HashMap<String, String>,
) -> AppResult<SecurityPolicy> {
    actor.require(Permission::PolicyManage)?;
    let before = state.policy().await?;
    let mut after = before;
    for (name, label, min, max) in SecurityPolicy::FIELDS {
        let raw = values.get(name).map(|v| v.trim()).unwrap_or("");
        let value: i64 = raw.parse().map_err(|_| AppError::validation(name, format!("{label}须为整数")))?;
        if !(min..=max).contains(&value) {
            return Err(AppError::validation(name, format!("{label}须在 {min} 到 {max} 之间")));
        }
        after.set(name, value);
    }
    let now = state.clock.now_db();
    let value = serde_json::to_string(&after).map_err(anyhow::Error::from)?;
    let txn = crate::db::begin_write(&state.db).await?;
    let row = setting::ActiveModel {
        key: Set(policy::SETTINGS_KEY.to_owned()),
        value: Set(value),
        updated_at: Set(now),
        updated_by: Set((actor.user_id > 0).then_some(actor.user_id)),
    };
    if setting::Entity::find_by_id(policy::SETTINGS_KEY.to_owned()).one(&txn).await?.is_some() {
        row.update(&txn).await?;
    } else {
        row.insert(&txn).await?;
    }
    let event = Event::by(actor, "policy.update").summary(json!({"before": before, "after": after}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    state.forget_policy();
    Ok(after)
}
