//! Reading one person: the profile's heading, the edit form's record, the change history. The
//! roster's search lives in `search`, its changes in `records`; both are re-exported here, so
//! callers name one module.

use chrono::NaiveDateTime;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use serde_json::json;

use super::entity::{self as person, history};
use super::{field_label, mask_id};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::orgs::store;
use crate::state::AppState;
use crate::ui::blocks::Subject;

pub use super::records::*;
pub use super::search::*;

pub(super) async fn find_live(state: &AppState, id: i32) -> AppResult<person::Model> {
    person::Entity::find_by_id(id).one(&state.db).await?.filter(|p| p.deleted_at.is_none()).ok_or(AppError::NotFound)
}

/// Read access to one person: the person themself, or `perm` in scope.
pub(super) async fn authorize_person(
    state: &AppState,
    actor: &Actor,
    perm: Permission,
    p: &person::Model,
) -> AppResult<()> {
    if perm == Permission::PersonRead && actor.person_id == Some(p.id) {
        return Ok(());
    }
    let target = Target { kind: "person", id: i64::from(p.id), org_path: p.org_path.as_deref().unwrap_or("/") };
    guard::check(state, actor, perm, Sensitivity::Normal, target).await
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一条变更记录：`at` 为北京时间，`field` 为字段的中文名称")]
pub struct HistoryRow {
    #[serde(serialize_with = "crate::clock::serde_local::serialize")]
    #[schema(value_type = String, example = "2026-11-28 02:43:12")]
    pub at: NaiveDateTime,
    pub actor: String,
    pub field: String,
    pub old_value: String,
    pub new_value: String,
}

impl HistoryRow {
    pub fn at_local(&self) -> String {
        crate::clock::display_local(self.at)
    }
}

/// What a profile's heading says about a person, with the person as every domain's part of
/// the profile needs them.
pub struct Heading {
    pub subject: Subject,
    pub kind: String,
    pub org_name: String,
    pub employment_status: String,
    pub political_status: String,
}

/// Opens a person's profile: read permission in scope, or the person themself. Reads nothing
/// sensitive and so writes nothing to the log; the sensitive fields are revealed on request.
pub async fn heading(state: &AppState, actor: &Actor, id: i32) -> AppResult<Heading> {
    let p = find_live(state, id).await?;
    authorize_person(state, actor, Permission::PersonRead, &p).await?;
    let org_name = match p.org_id {
        Some(o) => store::find(&state.db, o).await?.map(|o| o.name).unwrap_or_default(),
        None => String::new(),
    };
    let can_edit = p.org_path.as_deref().is_some_and(|path| actor.scope(Permission::PersonWrite).contains(path));
    let record: std::sync::Arc<dyn std::any::Any + Send + Sync> = std::sync::Arc::new(p.clone());
    Ok(Heading {
        subject: Subject {
            id: p.id,
            name: p.name,
            org_id: p.org_id,
            org_path: p.org_path.unwrap_or_else(|| "/".to_owned()),
            own: actor.person_id == Some(p.id),
            can_edit,
            org_name: org_name.clone(),
            record: Some(record),
        },
        kind: p.kind,
        org_name,
        employment_status: p.employment_status,
        political_status: p.political_status,
    })
}

/// Whether the history page shows old and new ID and phone numbers in full: to the person
/// themself and to a viewer with the identity permission in scope, and the read is audited.
async fn history_in_clear(state: &AppState, actor: &Actor, p: &person::Model) -> AppResult<bool> {
    let path = p.org_path.as_deref().unwrap_or("/");
    if actor.person_id == Some(p.id) {
        let event = Event::by(actor, "sensitive.read").object("person", p.id).org(path).summary(json!({"self": true}));
        audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
        return Ok(true);
    }
    if !actor.scope(Permission::IdentityRead).contains(path) {
        return Ok(false);
    }
    let target = Target { kind: "person", id: i64::from(p.id), org_path: path };
    guard::check(state, actor, Permission::IdentityRead, Sensitivity::Sensitive, target).await?;
    Ok(true)
}

/// The raw record for an edit form: write permission in scope, and the form shows the ID and
/// phone numbers in full, so it counts as a sensitive read.
pub async fn for_edit(state: &AppState, actor: &Actor, id: i32) -> AppResult<person::Model> {
    let p = find_live(state, id).await?;
    authorize_person(state, actor, Permission::PersonWrite, &p).await?;
    let target = Target { kind: "person", id: i64::from(p.id), org_path: p.org_path.as_deref().unwrap_or("/") };
    guard::check(state, actor, Permission::IdentityRead, Sensitivity::Sensitive, target).await?;
    Ok(p)
}

/// The change history of a record. Old and new ID and phone numbers are masked, unless
/// `in_clear` asks for them (the history request of the API) and the viewer may read them,
/// and that read is audited.
pub async fn history(state: &AppState, actor: &Actor, id: i32, in_clear: bool) -> AppResult<Vec<HistoryRow>> {
    let p = find_live(state, id).await?;
    authorize_person(state, actor, Permission::PersonWrite, &p).await?;
    let rows = history::Entity::find()
        .filter(history::Column::PersonId.eq(id))
        .order_by_desc(history::Column::Id)
        .all(&state.db)
        .await?;
    let has_sensitive = rows.iter().any(|h| matches!(h.field.as_str(), "id_number" | "phone"));
    let clear = in_clear && has_sensitive && history_in_clear(state, actor, &p).await?;
    let shown = |field: &str, value: Option<String>| {
        let value = value.unwrap_or_default();
        match field {
            "id_number" if !clear => mask_id(&value),
            "phone" if !clear && !value.is_empty() => "***".to_owned(),
            _ => value,
        }
    };
    Ok(rows
        .into_iter()
        .map(|h| HistoryRow {
            at: h.at,
            actor: h.actor_name,
            old_value: shown(&h.field, h.old_value),
            new_value: shown(&h.field, h.new_value),
            field: field_label(&h.field).to_owned(),
        })
        .collect())
}
