//! Follow-up actions of a visit: the secretary (whoever may record visits to the person) marks
//! one done with the day it was done; coverage stops counting it as open from then on.

use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde::Deserialize;
use serde_json::json;

use super::entity::{followup, visit};
use crate::audit::{self, Event};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The completion of a follow-up action.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(description = "后续措施完成：完成日期（不早于走访日期、不晚于今天；不填为今天）")]
pub struct CompleteFollowUp {
    #[schema(schema_with = crate::visits::schema::date_or_empty)]
    pub done_on: String,
}

/// Marks a follow-up done; returns the visit it belongs to. Who may record visits to the person
/// (out of scope: 404 and `access.denied`); one already done is a conflict.
pub async fn complete(state: &AppState, actor: &Actor, id: i32, input: &CompleteFollowUp) -> AppResult<i32> {
    let f = followup::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let v = visit::Entity::find_by_id(f.visit_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    super::record::recordable(state, actor, v.person_id).await?;
    if let Some(d) = f.done_on {
        return Err(AppError::conflict("done_on", format!("该后续措施已于 {d} 完成")));
    }
    let today = state.clock.today();
    let done_on = if input.done_on.trim().is_empty() {
        today
    } else {
        super::parse_date(&input.done_on, "完成日期").map_err(|m| AppError::validation("done_on", m))?
    };
    if done_on > today {
        return Err(AppError::validation("done_on", "完成日期不能晚于今天"));
    }
    if done_on < v.visited_on {
        return Err(AppError::validation("done_on", format!("完成日期不能早于走访日期 {}", v.visited_on)));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let path = f.org_path.clone();
    let mut active: followup::ActiveModel = f.into();
    active.done_on = Set(Some(done_on));
    let saved = active.update(&txn).await?;
    let event = Event::by(actor, "visit.followup_done")
        .object("visit_followup", saved.id)
        .org(path)
        .summary(json!({"visit": v.id, "done_on": done_on.to_string()}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(v.id)
}
