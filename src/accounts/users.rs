//! Accounts: the list, one account's detail, creating one (optionally linked at once to its
//! person record, command line only), disabling and enabling, lifting login locks.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use serde_json::json;

use super::links::{LinkedPerson, PersonRef, link_event, linked_of, person_to_link};
use super::{refuse_officer_target, require_account_admin};
use crate::audit::{self, Event};
use crate::auth::entity::user;
use crate::auth::sessions::normalize_username;
use crate::auth::{ActiveGrant, Actor, Permission, has_sensitive_access, lockout, lookup, password, session};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::ui::PageParams;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "账号：时间为北京时间 `YYYY-MM-DD HH:MM:SS`，没有时为 null。`locked_until`：该账号对某一地址的登录锁定中\
    最晚的结束时间（锁定只针对连续失败的那个地址）。`sensitive`：能查阅敏感信息（持有党务管理员、纪检监察、书记/支委等角色，\
    或关联了人员档案）。`password_by_owner`：当前密码是本人设置的；能查阅敏感信息的账号只能用本人设置的密码登录。\
    `password_reset_at`、`password_reset_by`：最近一次由他人重置密码的时间和操作人"
)]
pub struct UserSummary {
    pub id: i32,
    pub username: String,
    pub display_name: String,
    pub disabled: bool,
    #[serde(serialize_with = "crate::clock::serde_local::option")]
    #[schema(value_type = Option<String>, example = "2026-11-28 02:02:52")]
    pub locked_until: Option<NaiveDateTime>,
    pub must_change_password: bool,
    pub sensitive: bool,
    pub password_by_owner: bool,
    #[serde(serialize_with = "crate::clock::serde_local::option")]
    #[schema(value_type = Option<String>, example = "2026-11-28 02:02:52")]
    pub password_reset_at: Option<NaiveDateTime>,
    pub password_reset_by: Option<String>,
    #[serde(serialize_with = "crate::clock::serde_local::option")]
    #[schema(value_type = Option<String>, example = "2026-11-28 02:02:52")]
    pub last_login_at: Option<NaiveDateTime>,
    pub grants: Vec<ActiveGrant>,
}

impl UserSummary {
    fn new(u: user::Model, grants: Vec<ActiveGrant>) -> Self {
        Self {
            sensitive: has_sensitive_access(grants.iter().map(|g| g.role), u.person_id.is_some()),
            grants,
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            disabled: u.disabled,
            locked_until: u.locked_until,
            must_change_password: u.must_change_password,
            password_by_owner: u.password_by_owner,
            password_reset_at: u.password_reset_at,
            password_reset_by: u.password_reset_by,
            last_login_at: u.last_login_at,
        }
    }

    /// A sensitive account whose password someone else set: it cannot log in until its owner
    /// sets a password with a one-time code from the security administrator.
    pub fn needs_owner_password(&self) -> bool {
        self.sensitive && !self.password_by_owner
    }
}

/// Accounts matching `q` (user name or display name), one page at a time, or all of them
/// when `page` is `None` (the command line).
pub async fn list_users(
    state: &AppState,
    actor: &Actor,
    q: &str,
    page: Option<PageParams>,
) -> AppResult<(Vec<UserSummary>, u64)> {
    require_account_admin(actor)?;
    let mut query = user::Entity::find().order_by_asc(user::Column::Username);
    let q = q.trim();
    if !q.is_empty() {
        query = query.filter(
            sea_orm::Condition::any()
                .add(crate::db::scope::containing(state.db.get_database_backend(), user::Column::Username, q))
                .add(crate::db::scope::containing(state.db.get_database_backend(), user::Column::DisplayName, q)),
        );
    }
    let total = query.clone().count(&state.db).await?;
    let users = match page.map(PageParams::normalized) {
        Some(p) => query.offset(p.offset()).limit(p.page_size).all(&state.db).await?,
        None => query.all(&state.db).await?,
    };
    // Grants of all listed users in one query, not one per user.
    let ids: Vec<i32> = users.iter().map(|u| u.id).collect();
    let mut by_user: HashMap<i32, Vec<ActiveGrant>> = lookup::grants_of(&state.db, &ids).await?;
    let out = users
        .into_iter()
        .map(|u| {
            let grants = by_user.remove(&u.id).unwrap_or_default();
            UserSummary::new(u, grants)
        })
        .collect();
    Ok((out, total))
}

pub async fn get_user(state: &AppState, actor: &Actor, id: i32) -> AppResult<UserSummary> {
    require_account_admin(actor)?;
    let u = user::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let grants = lookup::grants(&state.db, u.id).await?;
    Ok(UserSummary::new(u, grants))
}

pub struct NewUser {
    pub username: String,
    pub display_name: String,
    /// Initial password; a random one is generated when absent.
    pub password: Option<String>,
    /// Demo accounts skip the first-login change and the policy check.
    pub demo: bool,
}

/// A random initial password that meets the policy (shown once, changed at first login).
pub fn generate_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    let body: String = (0..12).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    format!("{body}#{}", rng.gen_range(10..100))
}

fn validate_username(username: &str) -> AppResult<()> {
    let ok_chars = username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c));
    if !(3..=50).contains(&username.len()) || !ok_chars {
        return Err(AppError::validation("username", "用户名须为 3–50 位小写字母、数字或 _ . -"));
    }
    Ok(())
}

/// Creates an account; returns it and the initial password (to be shown once).
pub async fn create_user(state: &AppState, actor: &Actor, new: NewUser) -> AppResult<(user::Model, String)> {
    let (created, initial, _) = create_user_with_person(state, actor, new, None).await?;
    Ok((created, initial))
}

/// Creates an account, linked at once to its person record when `person` is given (see
/// [`super::links::link_person`]); nothing is created when the link is refused.
pub async fn create_user_with_person(
    state: &AppState,
    actor: &Actor,
    new: NewUser,
    person: Option<&PersonRef>,
) -> AppResult<(user::Model, String, Option<LinkedPerson>)> {
    actor.require(Permission::UserManage)?;
    // Creating and linking in one step needs both roles: only the command line holds them.
    if person.is_some() {
        actor.require(Permission::GrantManage)?;
    }
    let username = normalize_username(&new.username);
    validate_username(&username)?;
    let display_name = new.display_name.trim().to_owned();
    if display_name.is_empty() || display_name.chars().count() > 50 {
        return Err(AppError::validation("display_name", "姓名不能为空，且不超过 50 个字"));
    }
    crate::text::line("display_name", "姓名", &display_name)?;
    let initial = match new.password {
        Some(p) => {
            if !new.demo {
                let policy = state.policy().await?;
                password::check_policy(&p, policy.password_min_length as usize, &username)
                    .map_err(|_| AppError::validation("password", "初始密码不符合密码策略"))?;
            }
            p
        }
        None => generate_password(),
    };
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    let exists = user::Entity::find().filter(user::Column::Username.eq(&username)).one(&txn).await?;
    if exists.is_some() {
        return Err(AppError::conflict("username", format!("用户名 {username} 已存在")));
    }
    let person = match person {
        Some(r) => Some(person_to_link(&txn, r, None).await?),
        None => None,
    };
    let created = user::ActiveModel {
        username: Set(username.clone()),
        display_name: Set(display_name.clone()),
        password_hash: Set(password::hash_off(&initial).await?),
        must_change_password: Set(!new.demo),
        // Whoever created it knows the initial password (demo passwords are public anyway).
        password_by_owner: Set(new.demo),
        disabled: Set(false),
        person_id: Set(person.as_ref().map(|p| p.id)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let event = Event::by(actor, "user.create")
        .object("user", created.id)
        .summary(json!({"username": username, "display_name": display_name}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    let linked = match &person {
        Some(p) => {
            let summary = json!({"username": username, "person_id": p.id, "name": p.name});
            audit::record(&txn, state.clock.as_ref(), link_event(actor, "user.link", created.id, summary, p)).await?;
            Some(linked_of(&txn, p).await?)
        }
        None => None,
    };
    txn.commit().await?;
    Ok((created, initial, linked))
}

/// Lifts the account's login locks for every address.
pub async fn unlock(state: &AppState, actor: &Actor, user_id: i32) -> AppResult<()> {
    if !(actor.can(Permission::UserManage) || actor.can(Permission::PolicyManage)) {
        return Err(AppError::forbidden("只有系统管理员或安全保密管理员可以解锁账号"));
    }
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    crate::db::serialize_writes(&txn).await?;
    let addresses = lockout::clear_all(&txn, &u.username).await?;
    let mut active: user::ActiveModel = u.into();
    active.locked_until = Set(None);
    active.updated_at = Set(now);
    active.update(&txn).await?;
    let event = Event::by(actor, "user.unlock").object("user", user_id).summary(json!({"addresses": addresses}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(())
}

/// The addresses an account is locked for now, for its page.
pub async fn address_locks(state: &AppState, actor: &Actor, user_id: i32) -> AppResult<Vec<lockout::AddressLock>> {
    require_account_admin(actor)?;
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    Ok(lockout::locks_of(&state.db, &u.username, state.clock.now_db()).await?)
}

pub async fn set_disabled(state: &AppState, actor: &Actor, user_id: i32, disabled: bool) -> AppResult<()> {
    actor.require(Permission::UserManage)?;
    if user_id == actor.user_id {
        return Err(AppError::forbidden("不能停用自己的账号"));
    }
    refuse_officer_target(state, actor, user_id).await?;
    let u = user::Entity::find_by_id(user_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: user::ActiveModel = u.into();
    active.disabled = Set(disabled);
    active.updated_at = Set(now);
    active.update(&txn).await?;
    if disabled {
        session::delete_all_for_user(&txn, user_id, None).await?;
    }
    let action = if disabled { "user.disable" } else { "user.enable" };
    audit::record(&txn, state.clock.as_ref(), Event::by(actor, action).object("user", user_id)).await?;
    txn.commit().await?;
    Ok(())
}

/// Everything the account page shows, gathered under the same checks as each part alone.
pub struct AccountView {
    pub user: UserSummary,
    /// The account's API tokens, for an account administrator (none otherwise).
    pub tokens: Vec<super::tokens::TokenSummary>,
    pub person: Option<super::links::LinkedPerson>,
    pub locks: Vec<lockout::AddressLock>,
    pub open_reset: Option<super::resets::ResetView>,
}

/// The account page's data: one call for the handler.
pub async fn account(state: &AppState, actor: &Actor, id: i32) -> AppResult<AccountView> {
    let user = get_user(state, actor, id).await?;
    let tokens = if actor.can(Permission::UserManage) {
        super::tokens::list_tokens(state, actor, id).await?
    } else {
        Vec::new()
    };
    Ok(AccountView {
        user,
        tokens,
        person: super::links::linked_person(state, actor, id).await?,
        locks: address_locks(state, actor, id).await?,
        open_reset: super::resets::open_for(state, actor, id).await?,
    })
}
