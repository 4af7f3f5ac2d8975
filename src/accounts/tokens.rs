//! API tokens: only for integration accounts, stored as a hash and shown once.

use chrono::NaiveDateTime;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Event};
use crate::auth::entity::{api_token, user};
use crate::auth::sessions::TOKEN_PREFIX;
use crate::auth::{Actor, Permission, has_sensitive_access, lookup, session};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[derive(Debug, Clone, Serialize)]
pub struct TokenSummary {
    pub id: i32,
    pub name: String,
    #[serde(serialize_with = "crate::clock::serde_local::serialize")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::clock::serde_local::option")]
    pub last_used_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "crate::clock::serde_local::option")]
    pub revoked_at: Option<NaiveDateTime>,
}

pub async fn list_tokens(state: &AppState, actor: &Actor, user_id: i32) -> AppResult<Vec<TokenSummary>> {
    actor.require(Permission::UserManage)?;
    let rows = api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_desc(api_token::Column::Id)
        .all(&state.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|t| TokenSummary {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        })
        .collect())
}

/// Creates a bearer token that acts as `user_id` with that user's grants. Returns the token,
/// which is stored only as a hash and shown this once.
pub async fn create_token(state: &AppState, actor: &Actor, user_id: i32, name: &str) -> AppResult<(i32, String)> {
    actor.require(Permission::UserManage)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::validation("name", "令牌名称不能为空，且不超过 100 个字"));
    }
    crate::text::line("name", "令牌名称", name)?;
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    // A token acts without its account's owner noticing, so it is only for integration
    // accounts: none for system officers, none for access to sensitive personal data, which
    // includes a linked person's own profile.
    let grants = lookup::grants(&state.db, user_id).await?;
    let officer = grants.iter().any(|g| g.role.is_system_officer());
    if officer || has_sensitive_access(grants.iter().map(|g| g.role), u.person_id.is_some()) {
        return Err(AppError::validation(
            "name",
            "接口令牌只能签发给不具有三员角色和敏感数据权限、未关联人员档案的接口账号；请为对接系统单独建立账号并授予所需角色",
        ));
    }
    let token = format!("{TOKEN_PREFIX}{}", session::random_token());
    let txn = crate::db::begin_write(&state.db).await?;
    let created = api_token::ActiveModel {
        user_id: Set(user_id),
        name: Set(name.to_owned()),
        token_hash: Set(session::token_hash(&token)),
        created_at: Set(state.clock.now_db()),
        created_by: Set((actor.user_id > 0).then_some(actor.user_id)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let event = Event::by(actor, "token.create")
        .object("api_token", created.id)
        .summary(json!({"user_id": user_id, "name": name}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok((created.id, token))
}

pub async fn revoke_token(state: &AppState, actor: &Actor, token_id: i32) -> AppResult<i32> {
    actor.require(Permission::UserManage)?;
    let t = api_token::Entity::find_by_id(token_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let user_id = t.user_id;
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: api_token::ActiveModel = t.into();
    active.revoked_at = Set(Some(state.clock.now_db()));
    active.update(&txn).await?;
    audit::record(&txn, state.clock.as_ref(), Event::by(actor, "token.revoke").object("api_token", token_id)).await?;
    txn.commit().await?;
    Ok(user_id)
}
