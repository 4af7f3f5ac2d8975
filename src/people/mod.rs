//! People (民辅警). The foundation keeps only the identity every module needs; the roster
//! (profiles, Party membership, dues, import) builds on it.

pub mod entity;
pub mod idcard;

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::orgs::store;
use crate::state::AppState;

/// How many people (not deleted) the actor's person-read scope holds.
pub async fn count_in_scope(state: &AppState, actor: &Actor) -> AppResult<u64> {
    let scope = actor.scope(Permission::PersonRead);
    Ok(entity::Entity::find()
        .filter(store::in_scope(entity::Column::OrgPath, &scope))
        .filter(entity::Column::DeletedAt.is_null())
        .count(&state.db)
        .await?)
}
