//! The accounts list and one account's page (which also shows its grants, tokens, link and
//! resets), creating, unlocking, disabling and enabling accounts.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::SecretPage;
use super::resets::ResetRow;
use super::tokens::TokenRow;
use crate::accounts::links::{LinkedPerson, PersonRef};
use crate::accounts::resets;
use crate::accounts::users::{self, NewUser, UserSummary};
use crate::auth::web::WebForm;
use crate::auth::{Actor, Permission, Role};
use crate::clock::display_local;
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::params::{IdPath, Params};
use crate::ui::{FieldErrors, Flash, Layout, PageParams, Pager, field_errors, query_string, render};

pub struct UserRow {
    pub id: i32,
    pub username: String,
    pub display_name: String,
    pub status: String,
    pub grants: String,
    pub last_login: String,
}

fn status_text(u: &UserSummary, now: chrono::NaiveDateTime) -> String {
    if u.disabled {
        "已停用".into()
    } else if u.locked_until.is_some_and(|t| t > now) {
        "已锁定".into()
    } else if u.must_change_password {
        "待首次改密".into()
    } else {
        "正常".into()
    }
}

fn grant_text(u: &UserSummary) -> String {
    u.grants.iter().map(|g| format!("{}（{}）", g.role.label(), g.org_name)).collect::<Vec<_>>().join("；")
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    layout: Layout,
    q: String,
    rows: Vec<UserRow>,
    pager: Pager,
    can_create: bool,
    form_username: String,
    form_display_name: String,
    pub(super) errors: FieldErrors,
    /// Pending reset requests and unused one-time codes.
    resets: Vec<ResetRow>,
}

#[derive(Deserialize, Default)]
pub struct UsersQuery {
    #[serde(default)]
    q: String,
    #[serde(flatten)]
    page: PageParams,
}

async fn users_page(
    state: &AppState,
    actor: &Actor,
    q: &str,
    page: PageParams,
    flash: Option<Flash>,
) -> AppResult<UsersPage> {
    let now = state.clock.now_db();
    let (users, total) = users::list_users(state, actor, q, Some(page)).await?;
    let rows = users
        .iter()
        .map(|u| UserRow {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            status: status_text(u, now),
            grants: grant_text(u),
            last_login: u.last_login_at.map(display_local).unwrap_or_default(),
        })
        .collect();
    Ok(UsersPage {
        layout: Layout::new(actor, "账号与授权", "/admin/users", flash).crumb("账号与授权", None),
        q: q.to_owned(),
        rows,
        pager: Pager::new(page, total, query_string(&[("q", q)])),
        can_create: actor.can(Permission::UserManage),
        form_username: String::new(),
        form_display_name: String::new(),
        errors: FieldErrors::new(),
        resets: resets::open_requests(state, actor).await?.into_iter().map(ResetRow::from).collect(),
    })
}

pub async fn users(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    Params(q): Params<UsersQuery>,
) -> AppResult<Response> {
    Ok(render(&users_page(&state, &actor, &q.q, q.page, flash).await?))
}

#[derive(Deserialize)]
pub struct CreateUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    /// Optional 警号 or 身份证号 of the person the account belongs to.
    #[serde(default)]
    person_ref: String,
}

pub async fn create_user(
    State(state): State<AppState>,
    actor: Actor,
    WebForm(form): WebForm<CreateUserForm>,
) -> AppResult<Response> {
    let new = NewUser {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        password: None,
        demo: false,
    };
    let result = async {
        let person = match form.person_ref.trim() {
            "" => None,
            typed => Some(PersonRef::parse(typed)?),
        };
        users::create_user_with_person(&state, &actor, new, person.as_ref()).await
    }
    .await;
    match result {
        // The web form has no link field: linking is the security administrator's (see the
        // service), so an account made here is never linked yet.
        Ok((user, initial, _)) => {
            let page = SecretPage {
                layout: Layout::new(&actor, "账号已创建", "/admin/users", None)
                    .crumb("账号与授权", Some("/admin/users".into()))
                    .crumb(user.username.clone(), None),
                heading: format!("账号 {} 已创建", user.username),
                explanation: "请将初始密码当面或经安全渠道交给本人。此密码只显示这一次，首次登录时必须修改。".into(),
                secret: initial,
                back: format!("/admin/users/{}", user.id),
            };
            Ok(render(&page))
        }
        Err(err) => {
            let errors = field_errors(err)?;
            let mut page = users_page(&state, &actor, "", PageParams::default(), None).await?;
            page.form_username = form.username;
            page.form_display_name = form.display_name;
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

pub struct GrantRow {
    pub id: i32,
    pub role: &'static str,
    pub org_name: String,
}

pub struct RoleOption {
    pub value: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "admin/user.html")]
pub(super) struct UserPage {
    layout: Layout,
    user_id: i32,
    username: String,
    display_name: String,
    status: String,
    locked: bool,
    disabled: bool,
    last_login: String,
    grants: Vec<GrantRow>,
    can_manage_users: bool,
    can_grant: bool,
    can_unlock: bool,
    is_self: bool,
    roles: Vec<RoleOption>,
    tokens: Vec<TokenRow>,
    /// The person record the account is linked to ("我的档案").
    person: Option<LinkedPerson>,
    /// May link or unlink here: the account administrator, for accounts other than the officers'.
    can_link: bool,
    /// A system officer's account, whose link is maintained from the command line.
    officer: bool,
    pub(super) form_person_ref: String,
    pub(super) errors: FieldErrors,
    /// Can read sensitive data: reset only through the security administrator.
    sensitive: bool,
    password_by_owner: bool,
    /// Sensitive, but the password is not the owner's: it cannot log in yet.
    needs_owner_password: bool,
    /// "2026-11-27 10:00:00 由 系统管理员 admin 重置", when someone else reset it.
    last_reset: Option<String>,
    /// The addresses the account is locked for now.
    locks: Vec<LockRow>,
    /// A pending request or an unused code.
    open_reset: Option<ResetRow>,
    /// The system administrator's direct reset (accounts without sensitive access).
    can_reset: bool,
    /// The system administrator's request for a reset (sensitive accounts).
    can_request_reset: bool,
    /// The security administrator's approval or direct one-time code.
    can_issue_code: bool,
    pub(super) form_reason: String,
}

pub struct LockRow {
    pub ip: String,
    pub until: String,
}

pub(super) async fn user_page(state: &AppState, actor: &Actor, id: i32, flash: Option<Flash>) -> AppResult<UserPage> {
    let view = users::account(state, actor, id).await?;
    let u = view.user;
    let now = state.clock.now_db();
    let can_grant = actor.can(Permission::GrantManage);
    let can_manage_users = actor.can(Permission::UserManage);
    let tokens = view.tokens.into_iter().map(TokenRow::from).collect();
    let person = view.person;
    let officer = u.grants.iter().any(|g| g.role.is_system_officer());
    let locks = view.locks.into_iter().map(|l| LockRow { ip: l.ip, until: display_local(l.until) }).collect();
    let open_reset = view.open_reset.map(ResetRow::from);
    let is_self = id == actor.user_id;
    let maintainable = !officer && !is_self;
    let last_reset = u
        .password_reset_at
        .map(|at| format!("{} 由 {} 重置", display_local(at), u.password_reset_by.clone().unwrap_or_default()));
    Ok(UserPage {
        sensitive: u.sensitive,
        password_by_owner: u.password_by_owner,
        needs_owner_password: u.needs_owner_password(),
        last_reset,
        locks,
        can_reset: can_manage_users && maintainable && !u.sensitive,
        can_request_reset: can_manage_users && maintainable && u.sensitive,
        can_issue_code: can_grant && maintainable,
        open_reset,
        form_reason: String::new(),
        layout: Layout::new(actor, format!("账号 {}", u.username), "/admin/users", flash)
            .crumb("账号与授权", Some("/admin/users".into()))
            .crumb(u.username.clone(), None),
        user_id: u.id,
        status: status_text(&u, now),
        locked: u.locked_until.is_some_and(|t| t > now),
        disabled: u.disabled,
        last_login: u.last_login_at.map(display_local).unwrap_or_else(|| "从未登录".into()),
        grants: u
            .grants
            .iter()
            .map(|g| GrantRow { id: g.id, role: g.role.label(), org_name: g.org_name.clone() })
            .collect(),
        username: u.username,
        display_name: u.display_name,
        can_manage_users,
        can_grant,
        can_unlock: can_manage_users || actor.can(Permission::PolicyManage),
        is_self,
        roles: Role::ALL.iter().map(|r| RoleOption { value: r.as_str(), label: r.label() }).collect(),
        tokens,
        person,
        can_link: actor.can(Permission::GrantManage) && maintainable,
        officer,
        form_person_ref: String::new(),
        errors: FieldErrors::new(),
    })
}

pub async fn user_detail(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    Ok(render(&user_page(&state, &actor, id, flash).await?))
}

pub async fn unlock(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    users::unlock(&state, &actor, id).await?;
    Ok(Flash::ok("账号已解锁").redirect(&format!("/admin/users/{id}")))
}

pub async fn disable(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    users::set_disabled(&state, &actor, id, true).await?;
    Ok(Flash::ok("账号已停用").redirect(&format!("/admin/users/{id}")))
}

pub async fn enable(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    users::set_disabled(&state, &actor, id, false).await?;
    Ok(Flash::ok("账号已启用").redirect(&format!("/admin/users/{id}")))
}
