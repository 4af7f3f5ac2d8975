//! HTML pages of accounts: login, logout, own password, account and grant administration,
//! API tokens and the security policy.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

use super::extract::{ClientIp, MaybeActor, PendingActor};
use super::policy::SecurityPolicy;
use super::service::{self, LinkedPerson, NewUser, PersonRef, TokenSummary, UserSummary};
use super::{Actor, Permission, Role, csrf, reset, session};
use crate::clock::display_local;
use crate::error::{AppError, AppResult};
use crate::orgs;
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::params::{IdPath, Params};
use crate::ui::{FieldErrors, Flash, Layout, PageParams, Pager, field_errors, query_string, render};

/// A url-encoded form whose malformed body (wrong content type, bad encoding) is a Chinese 400
/// page like any other error, not axum's English text.
pub struct WebForm<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for WebForm<T> {
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        Form::<T>::from_request(req, state)
            .await
            .map(|Form(value)| WebForm(value))
            .map_err(|_| AppError::bad_request(None, "表单内容的格式不正确（请求体须为表单），请刷新页面后重试"))
    }
}

// ---------------------------------------------------------------- login / logout

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    flash: Option<Flash>,
    demo: bool,
}

#[derive(Deserialize, Default)]
pub struct NextParam {
    #[serde(default)]
    next: String,
}

/// Where to go after logging in: a path on this site, else `/`. Browsers drop tabs and line
/// breaks inside URLs and read `\\` as `/`, so `/\t/host`, `//host` and `/\\host` would all leave
/// the site: only printable ASCII without spaces or backslashes is kept, starting with exactly
/// one `/`. Never fails, whatever it is given.
pub fn safe_next(raw: &str) -> String {
    let same_site = raw.len() <= 2000
        && raw.starts_with('/')
        && !raw[1..].starts_with('/')
        && raw.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if same_site { raw.to_owned() } else { "/".to_owned() }
}

fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((session::COOKIE_NAME, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.server.cookies_secure())
        .build()
}

fn login_csrf_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build((csrf::LOGIN_COOKIE, value))
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.server.cookies_secure())
        .build()
}

fn login_page(state: &AppState, jar: CookieJar, status: StatusCode, page: LoginPage) -> Response {
    let jar = jar.add(login_csrf_cookie(state, page.csrf.clone()));
    (status, jar, render(&page)).into_response()
}

pub async fn login_form(
    State(state): State<AppState>,
    MaybeActor(actor): MaybeActor,
    TakeFlash(flash): TakeFlash,
    Params(q): Params<NextParam>,
    jar: CookieJar,
) -> Response {
    if actor.is_some() {
        return Redirect::to(&safe_next(&q.next)).into_response();
    }
    let page = LoginPage {
        csrf: session::random_token(),
        next: safe_next(&q.next),
        username: String::new(),
        error: None,
        flash,
        demo: state.demo,
    };
    login_page(&state, jar, StatusCode::OK, page)
}

#[derive(Deserialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => Ok(form),
        Err(_) => Err(LoginForm::default()),
    };
    let malformed = form.is_err();
    let form = form.unwrap_or_else(|empty| empty);
    let next = safe_next(&form.next);
    let expected = jar.get(csrf::LOGIN_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default();
    let retry = |error: String, status: StatusCode, jar: CookieJar| {
        let page = LoginPage {
            csrf: session::random_token(),
            next: next.clone(),
            username: form.username.clone(),
            error: Some(error),
            flash: None,
            demo: state.demo,
        };
        login_page(&state, jar, status, page)
    };
    if malformed {
        return retry("登录请求的格式不正确（请求体须为表单），请刷新页面后重试".into(), StatusCode::BAD_REQUEST, jar);
    }
    if !csrf::tokens_match(&expected, &form.csrf) {
        return retry(AppError::Csrf.message(), StatusCode::FORBIDDEN, jar);
    }
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    match service::login(&state, &form.username, &form.password, &ip, ua).await {
        Ok(outcome) => {
            let jar = jar.add(session_cookie(&state, outcome.cookie)).remove(Cookie::from(csrf::LOGIN_COOKIE));
            let to = if outcome.must_change_password { "/account/password" } else { next.as_str() };
            // The password page shows the notice itself; elsewhere it comes as a message.
            match outcome.reset_notice.filter(|_| !outcome.must_change_password) {
                Some(notice) => (jar, Flash::error(notice).redirect(to)).into_response(),
                None => (jar, Redirect::to(to)).into_response(),
            }
        }
        Err(AppError::Internal(e)) => AppError::Internal(e).into_response(),
        Err(AppError::BadCredentials) => retry(service::LOGIN_REFUSED.into(), StatusCode::UNAUTHORIZED, jar),
        Err(err) => retry(err.message(), err.status(), jar),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    PendingActor(actor): PendingActor,
    jar: CookieJar,
) -> AppResult<Response> {
    service::logout(&state, &actor).await?;
    let jar = jar.remove(Cookie::build(session::COOKIE_NAME).path("/").build());
    Ok((jar, Flash::ok("您已安全退出").redirect("/login")).into_response())
}

// ---------------------------------------------------------------- own password

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage {
    layout: Layout,
    forced: bool,
    /// Opened with a one-time code: no current password to give.
    reset_only: bool,
    /// When and by whom the password was last reset by someone else (shown while forced).
    notice: Option<String>,
    min_len: i64,
    errors: FieldErrors,
}

async fn password_page(
    state: &AppState,
    actor: &Actor,
    flash: Option<Flash>,
    errors: FieldErrors,
) -> AppResult<PasswordPage> {
    let policy = state.policy().await?;
    let notice = if actor.must_change_password {
        service::own_reset(state, actor).await?.map(|(at, by)| service::reset_notice(at, &by))
    } else {
        None
    };
    Ok(PasswordPage {
        layout: Layout::new(actor, "修改密码", "/account/password", flash).crumb("修改密码", None),
        forced: actor.must_change_password,
        reset_only: actor.reset_only(),
        notice,
        min_len: policy.password_min_length,
        errors,
    })
}

pub async fn password_form(
    State(state): State<AppState>,
    PendingActor(actor): PendingActor,
    TakeFlash(flash): TakeFlash,
) -> AppResult<Response> {
    Ok(render(&password_page(&state, &actor, flash, FieldErrors::new()).await?))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    PendingActor(actor): PendingActor,
    WebForm(form): WebForm<PasswordForm>,
) -> AppResult<Response> {
    let result = if form.new_password != form.confirm_password {
        Err(AppError::validation("confirm_password", "两次输入的新密码不一致"))
    } else {
        service::change_password(&state, &actor, &form.current_password, &form.new_password).await
    };
    match result {
        Ok(()) => Ok(Flash::ok("密码已修改").redirect("/")),
        Err(err) => {
            let errors = field_errors(err)?;
            let page = password_page(&state, &actor, None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

// ---------------------------------------------------------------- account administration

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
    errors: FieldErrors,
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
    let (users, total) = service::list_users(state, actor, q, Some(page)).await?;
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
        resets: reset::open_requests(state, actor).await?.into_iter().map(ResetRow::from).collect(),
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

#[derive(Template)]
#[template(path = "admin/secret.html")]
struct SecretPage {
    layout: Layout,
    heading: String,
    explanation: String,
    secret: String,
    back: String,
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
        service::create_user_with_person(&state, &actor, new, person.as_ref()).await
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

pub struct OrgOption {
    pub id: i32,
    pub label: String,
}

pub struct RoleOption {
    pub value: &'static str,
    pub label: &'static str,
}

pub struct TokenRow {
    pub id: i32,
    pub name: String,
    pub created_at: String,
    pub last_used_at: String,
    pub revoked: bool,
}

impl From<TokenSummary> for TokenRow {
    fn from(t: TokenSummary) -> Self {
        Self {
            id: t.id,
            name: t.name,
            created_at: display_local(t.created_at),
            last_used_at: t.last_used_at.map(display_local).unwrap_or_else(|| "未使用".into()),
            revoked: t.revoked_at.is_some(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage {
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
    orgs: Vec<OrgOption>,
    tokens: Vec<TokenRow>,
    /// The person record the account is linked to ("我的档案").
    person: Option<LinkedPerson>,
    /// May link or unlink here: the account administrator, for accounts other than the officers'.
    can_link: bool,
    /// A system officer's account, whose link is maintained from the command line.
    officer: bool,
    form_person_ref: String,
    errors: FieldErrors,
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
    form_reason: String,
}

pub struct LockRow {
    pub ip: String,
    pub until: String,
}

pub struct ResetRow {
    pub id: i32,
    pub pending: bool,
    pub requested_by: String,
    pub requested_at: String,
    pub reason: String,
    pub status: &'static str,
    pub expires_at: String,
    pub username: String,
    pub display_name: String,
    pub user_id: i32,
}

impl From<reset::ResetView> for ResetRow {
    fn from(r: reset::ResetView) -> Self {
        Self {
            id: r.id,
            pending: r.status == reset::PENDING,
            requested_by: r.requested_by,
            requested_at: display_local(r.requested_at),
            reason: r.reason.unwrap_or_default(),
            status: r.status_label,
            expires_at: r.expires_at.map(display_local).unwrap_or_default(),
            username: r.username,
            display_name: r.display_name,
            user_id: r.user_id,
        }
    }
}

async fn user_page(state: &AppState, actor: &Actor, id: i32, flash: Option<Flash>) -> AppResult<UserPage> {
    let u = service::get_user(state, actor, id).await?;
    let now = state.clock.now_db();
    let can_grant = actor.can(Permission::GrantManage);
    let can_manage_users = actor.can(Permission::UserManage);
    let orgs = if can_grant {
        orgs::service::all_for_select(state, actor)
            .await?
            .into_iter()
            .map(|(id, label)| OrgOption { id, label })
            .collect()
    } else {
        Vec::new()
    };
    let tokens = if can_manage_users {
        service::list_tokens(state, actor, id).await?.into_iter().map(TokenRow::from).collect()
    } else {
        Vec::new()
    };
    let person = service::linked_person(state, actor, id).await?;
    let officer = u.grants.iter().any(|g| g.role.is_system_officer());
    let locks = service::address_locks(state, actor, id)
        .await?
        .into_iter()
        .map(|l| LockRow { ip: l.ip, until: display_local(l.until) })
        .collect();
    let open_reset = reset::open_for(state, actor, id).await?.map(ResetRow::from);
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
        orgs,
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

pub async fn reset_password(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    let new = service::reset_password(&state, &actor, id, None).await?;
    let page = SecretPage {
        layout: Layout::new(&actor, "密码已重置", "/admin/users", None)
            .crumb("账号与授权", Some("/admin/users".into())),
        heading: "密码已重置".into(),
        explanation: "请将临时密码经安全渠道交给本人。此密码只显示这一次，登录后必须修改；该账号的所有会话已结束。"
            .into(),
        secret: new,
        back: format!("/admin/users/{id}"),
    };
    Ok(render(&page))
}

#[derive(Deserialize, Default)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// The system administrator asks for a reset of a sensitive account.
pub async fn request_reset(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    WebForm(form): WebForm<ReasonForm>,
) -> AppResult<Response> {
    match reset::request(&state, &actor, id, &form.reason).await {
        Ok(_) => Ok(Flash::ok("已提交重置申请，等待安全保密管理员批准").redirect(&format!("/admin/users/{id}"))),
        Err(err) => {
            let errors = field_errors(err)?;
            let mut page = user_page(&state, &actor, id, None).await?;
            page.form_reason = form.reason;
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

fn code_page(actor: &Actor, issued: reset::IssuedCode, display_name: &str) -> Response {
    let page = SecretPage {
        layout: Layout::new(actor, "一次性设置码已签发", "/admin/users", None)
            .crumb("账号与授权", Some("/admin/users".into()))
            .crumb(issued.username.clone(), Some(format!("/admin/users/{}", issued.user_id))),
        heading: format!("账号 {} 的一次性设置码", issued.username),
        explanation: format!(
            "请当面或经安全渠道交给{display_name}本人，不要交给他人（包括系统管理员）。本人在登录页填写用户名，在密码框中输入此设置码，\
             登录后只能设置自己的新密码。设置码 {} 前有效，只能使用一次；原密码已失效，该账号的会话已全部结束。此设置码只显示这一次。",
            display_local(issued.expires_at)
        ),
        secret: issued.one_time_code,
        back: format!("/admin/users/{}", issued.user_id),
    };
    render(&page)
}

/// The security administrator resets an account directly with a one-time code.
pub async fn issue_code(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    WebForm(form): WebForm<ReasonForm>,
) -> AppResult<Response> {
    let issued = reset::issue(&state, &actor, id, &form.reason).await?;
    let u = service::get_user(&state, &actor, id).await?;
    Ok(code_page(&actor, issued, &u.display_name))
}

/// The security administrator approves the system administrator's request.
pub async fn approve_reset(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    let issued = reset::approve(&state, &actor, id).await?;
    let u = service::get_user(&state, &actor, issued.user_id).await?;
    Ok(code_page(&actor, issued, &u.display_name))
}

pub async fn reject_reset(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    let user_id = reset::reject(&state, &actor, id).await?;
    Ok(Flash::ok("已驳回重置申请").redirect(&format!("/admin/users/{user_id}")))
}

pub async fn unlock(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    service::unlock(&state, &actor, id).await?;
    Ok(Flash::ok("账号已解锁").redirect(&format!("/admin/users/{id}")))
}

pub async fn disable(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    service::set_disabled(&state, &actor, id, true).await?;
    Ok(Flash::ok("账号已停用").redirect(&format!("/admin/users/{id}")))
}

pub async fn enable(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    service::set_disabled(&state, &actor, id, false).await?;
    Ok(Flash::ok("账号已启用").redirect(&format!("/admin/users/{id}")))
}

#[derive(Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    person_ref: String,
}

pub async fn link_person(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    WebForm(form): WebForm<PersonForm>,
) -> AppResult<Response> {
    let result = async {
        let person = PersonRef::parse(&form.person_ref)?;
        service::link_person(&state, &actor, id, &person).await
    }
    .await;
    match result {
        Ok(p) => {
            let mut message = format!("已关联人员档案：{}（{}）", p.name, p.org_name);
            if service::get_user(&state, &actor, id).await?.needs_owner_password() {
                message
                    .push_str("。该账号现在能查阅本人的敏感信息，而它的密码不是本人设置的：请签发一次性设置码交给本人");
            }
            Ok(Flash::ok(message).redirect(&format!("/admin/users/{id}")))
        }
        Err(err) => {
            let errors = field_errors(err)?;
            let mut page = user_page(&state, &actor, id, None).await?;
            page.form_person_ref = form.person_ref;
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

pub async fn unlink_person(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    service::unlink_person(&state, &actor, id).await?;
    Ok(Flash::ok("已解除与人员档案的关联").redirect(&format!("/admin/users/{id}")))
}

#[derive(Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    org_id: String,
}

pub async fn add_grant(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    WebForm(form): WebForm<GrantForm>,
) -> AppResult<Response> {
    let result = async {
        let role = Role::parse(&form.role).ok_or_else(|| AppError::validation("role", "请选择角色"))?;
        let org_id: i32 = form.org_id.parse().map_err(|_| AppError::validation("org_id", "请选择授权范围"))?;
        service::add_grant(&state, &actor, id, role, org_id).await
    }
    .await;
    match result {
        Ok(_) => {
            let u = service::get_user(&state, &actor, id).await?;
            let message = if u.needs_owner_password() {
                "已授权。该账号现在可以查阅敏感信息，而它的密码不是本人设置的：在本人用一次性设置码设置密码之前不能登录，\
                 请签发一次性设置码交给本人"
            } else {
                "已授权"
            };
            Ok(Flash::ok(message).redirect(&format!("/admin/users/{id}")))
        }
        Err(err) => {
            let errors = field_errors(err)?;
            let mut page = user_page(&state, &actor, id, None).await?;
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

pub async fn revoke_grant(
    State(state): State<AppState>,
    actor: Actor,
    IdPath((id, grant_id)): IdPath<(i32, i32)>,
) -> AppResult<Response> {
    service::revoke_grant(&state, &actor, grant_id).await?;
    Ok(Flash::ok("授权已撤销").redirect(&format!("/admin/users/{id}")))
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    WebForm(form): WebForm<TokenForm>,
) -> AppResult<Response> {
    match service::create_token(&state, &actor, id, &form.name).await {
        Ok((_, token)) => {
            let page = SecretPage {
                layout: Layout::new(&actor, "接口令牌已创建", "/admin/users", None)
                    .crumb("账号与授权", Some("/admin/users".into())),
                heading: format!("接口令牌“{}”已创建", form.name.trim()),
                explanation:
                    "请求时放在请求头 Authorization: Bearer <令牌> 中。令牌只显示这一次，权限与该账号相同，可随时吊销。"
                        .into(),
                secret: token,
                back: format!("/admin/users/{id}"),
            };
            Ok(render(&page))
        }
        Err(err) => {
            let errors = field_errors(err)?;
            let mut page = user_page(&state, &actor, id, None).await?;
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    actor: Actor,
    IdPath((id, token_id)): IdPath<(i32, i32)>,
) -> AppResult<Response> {
    service::revoke_token(&state, &actor, token_id).await?;
    Ok(Flash::ok("令牌已吊销").redirect(&format!("/admin/users/{id}")))
}

// ---------------------------------------------------------------- security policy

pub struct PolicyField {
    pub name: String,
    pub label: &'static str,
    pub value: String,
    pub min: i64,
    pub max: i64,
}

#[derive(Template)]
#[template(path = "admin/policy.html")]
struct PolicyPage {
    layout: Layout,
    fields: Vec<PolicyField>,
    errors: FieldErrors,
}

fn policy_fields(policy: &SecurityPolicy, typed: Option<&HashMap<String, String>>) -> Vec<PolicyField> {
    SecurityPolicy::FIELDS
        .iter()
        .map(|(name, label, min, max)| PolicyField {
            name: (*name).to_owned(),
            label,
            value: typed.and_then(|t| t.get(*name).cloned()).unwrap_or_else(|| policy.get(name).to_string()),
            min: *min,
            max: *max,
        })
        .collect()
}

pub async fn policy_form(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
) -> AppResult<Response> {
    actor.require(Permission::PolicyManage)?;
    let policy = state.policy().await?;
    let page = PolicyPage {
        layout: Layout::new(&actor, "安全策略", "/admin/policy", flash).crumb("安全策略", None),
        fields: policy_fields(&policy, None),
        errors: FieldErrors::new(),
    };
    Ok(render(&page))
}

pub async fn policy_submit(
    State(state): State<AppState>,
    actor: Actor,
    WebForm(form): WebForm<HashMap<String, String>>,
) -> AppResult<Response> {
    match service::update_policy(&state, &actor, &form).await {
        Ok(_) => Ok(Flash::ok("安全策略已保存").redirect("/admin/policy")),
        Err(err) => {
            let errors = field_errors(err)?;
            let policy = state.policy().await?;
            let page = PolicyPage {
                layout: Layout::new(&actor, "安全策略", "/admin/policy", None).crumb("安全策略", None),
                fields: policy_fields(&policy, Some(&form)),
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_keeps_same_site_paths() {
        for kept in ["/", "/people?q=%E5%BC%A0&page=2", "/orgs/13#section-party", "/admin/users/4", "/a/./b"] {
            assert_eq!(safe_next(kept), kept);
        }
    }

    #[test]
    fn next_refuses_everything_else() {
        let hostile = [
            "",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "/\\\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/ /evil.example",
            "/%0d%0aSet-Cookie: x=1",
            "/ok\r\nSet-Cookie: x=1",
            "/ok\u{0}",
            "/ok\u{7f}",
            "/\u{3000}/evil.example",
            "/党组织",
            "https://evil.example/",
            "http:/evil.example",
            "javascript:alert(1)",
            "evil.example",
            ".//evil.example",
        ];
        for raw in hostile {
            assert_eq!(safe_next(raw), "/", "{raw:?}");
        }
        assert_eq!(safe_next(&format!("/{}", "a".repeat(5000))), "/", "very long");
        // Percent-encoded characters stay a path on this site and a valid Location header.
        for kept in ["/%0d%0aSet-Cookie:x=1", "/%2F%2Fevil.example", "/%5Cevil.example", "/%09/evil.example"] {
            assert_eq!(safe_next(kept), kept);
            assert!(axum::http::HeaderValue::from_str(&safe_next(kept)).is_ok());
        }
    }
}
