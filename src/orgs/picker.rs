//! Pickers (边输入边查): the candidates of the organization pickers (`GET /orgs/options`), and
//! the shared pieces other domains' pickers are built on — filtering by text, pinyin initials or
//! number, the labels of organizations, the text of a chosen one.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};

use super::entity as org;
use super::{OrgKind, service, store};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::ui::params::picked_id;

/// How many suggestions a picker shows at most.
pub const PICK_LIMIT: usize = 20;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct OptionsQuery {
    #[serde(default)]
    pub purpose: String,
    /// The record the form is about (an organization, or for a transfer the person).
    #[serde(default, rename = "for", deserialize_with = "crate::ui::params::opt_i32")]
    pub for_id: Option<i32>,
    /// `parent` without `for`: the kind of the organization being created.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub q: String,
}

/// One suggestion: `value` is what the picker's box receives (`名称（#id）`, read back by
/// [`picked_id`]); `label` tells records of the same name apart.
#[derive(Debug, Clone, Serialize)]
pub struct PickOption {
    pub id: i32,
    pub value: String,
    pub label: String,
}

/// The ids of up to [`PICK_LIMIT`] candidates, in order, whose label contains `q`, whose
/// label's pinyin initials contain it ("zsl" finds 中山路派出所), or whose number it is.
pub fn matching(all: Vec<(i32, String)>, q: &str) -> Vec<i32> {
    let q = q.trim().to_lowercase();
    let by_id = picked_id(&q);
    // Latin letters also match the pinyin initials anywhere in the name.
    let by_initials = !q.is_empty() && q.chars().all(|c| c.is_ascii_alphabetic());
    all.into_iter()
        .filter(|(id, label)| match by_id {
            Some(wanted) => *id == wanted,
            None => {
                let label = label.trim_start_matches('　').to_lowercase();
                label.contains(&q) || (by_initials && crate::text::initials(&label).contains(&q))
            }
        })
        .take(PICK_LIMIT)
        .map(|(id, _)| id)
        .collect()
}

/// Suggestions for organizations, in `chosen`'s order, each with its kind and parent.
pub async fn org_labels<C: ConnectionTrait>(db: &C, chosen: &[i32]) -> AppResult<Vec<PickOption>> {
    let rows = org::Entity::find().filter(org::Column::Id.is_in(chosen.to_vec())).all(db).await?;
    let parent_ids: Vec<i32> = rows.iter().filter_map(|o| o.parent_id).collect();
    let parents = store::names(db, &parent_ids).await?;
    let mut found: HashMap<i32, org::Model> = rows.into_iter().map(|o| (o.id, o)).collect();
    Ok(chosen
        .iter()
        .filter_map(|id| found.remove(id))
        .map(|o| {
            let under = o.parent_id.and_then(|p| parents.get(&p)).map(|p| format!(" · 上级：{p}")).unwrap_or_default();
            PickOption { id: o.id, value: format!("{}（#{}）", o.name, o.id), label: format!("{}{under}", o.kind) }
        })
        .collect())
}

/// The text a picker shows for a chosen organization: `名称（#id）`, or empty when there is
/// none or (with `perm`) it is outside the actor's scope.
pub async fn picked_text(
    state: &AppState,
    actor: &Actor,
    perm: Option<Permission>,
    id: Option<i32>,
) -> AppResult<String> {
    let Some(id) = id else { return Ok(String::new()) };
    let shown = store::find(&state.db, id)
        .await?
        .filter(|o| perm.is_none_or(|p| actor.scope(p).contains(&o.path)))
        .map(|o| format!("{}（#{}）", o.name, o.id));
    Ok(shown.unwrap_or_default())
}

/// The organization a picker's form is about, when the actor may change it: 404 otherwise,
/// like its page (without `OrgWrite` too, unlike [`service::writable`]: a picker never tells
/// what exists).
pub async fn form_target(state: &AppState, actor: &Actor, id: Option<i32>) -> AppResult<org::Model> {
    let o = service::overview(state, actor, id.ok_or(AppError::NotFound)?).await?;
    if !o.can_write {
        return Err(AppError::NotFound);
    }
    Ok(o.model)
}

/// The candidates of one organization picker: the same lists (and rules) the forms accept.
async fn candidates(state: &AppState, actor: &Actor, query: &OptionsQuery) -> AppResult<Vec<(i32, String)>> {
    Ok(match query.purpose.as_str() {
        "parent" if query.for_id.is_some() => {
            let o = form_target(state, actor, query.for_id).await?;
            service::parent_options(state, actor, OrgKind::parse(&o.kind), Some(&o.path)).await?
        }
        "parent" => {
            actor.require(Permission::OrgWrite)?;
            service::parent_options(state, actor, OrgKind::parse(&query.kind), None).await?
        }
        "merge" => {
            let o = form_target(state, actor, query.for_id).await?;
            let all = service::options_for(state, actor, Permission::OrgWrite).await?;
            all.into_iter().filter(|(id, _)| *id != o.id).collect()
        }
        "grant" => {
            // A grant may be scoped to any organization of the bureau.
            actor.require(Permission::GrantManage)?;
            service::all_for_select(state, actor).await?
        }
        "cover" => {
            // The organization covering a unit (单位名单).
            actor.require(Permission::OrgWrite)?;
            service::options_for(state, actor, Permission::OrgWrite).await?
        }
        "member_org" => {
            actor.require(Permission::PersonWrite)?;
            service::options_for(state, actor, Permission::PersonWrite).await?
        }
        _ => {
            return Err(AppError::bad_request(
                Some("purpose"),
                "purpose 须为 parent、merge、cover、member_org 或 grant",
            ));
        }
    })
}

/// Up to [`PICK_LIMIT`] candidates of an organization picker matching `q` (see [`matching`]).
pub async fn options(state: &AppState, actor: &Actor, query: &OptionsQuery) -> AppResult<Vec<PickOption>> {
    let all = candidates(state, actor, query).await?;
    org_labels(&state.db, &matching(all, &query.q)).await
}
