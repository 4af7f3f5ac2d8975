//! JSON API of sessions, accounts, grants and tokens.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ClientIp, PendingActor};
use super::service::{self, NewUser, UserSummary};
use super::{Actor, Role, reset, session};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::openapi::{Created, List};
use crate::state::AppState;
use crate::ui::PageParams;
use crate::ui::json::ApiJson;
use crate::ui::params::{IdPath, Params};

#[derive(Deserialize, ToSchema)]
#[schema(description = "登录：用户名和密码")]
pub struct LoginRequest {
    #[schema(example = "shuji")]
    username: String,
    #[schema(example = "Demo@2024")]
    password: String,
}

/// The caller as login and `GET /me` show it.
#[derive(Serialize, ToSchema)]
#[schema(description = "当前账号。`csrf_token` 是 Cookie 会话写请求须带的 `X-CSRF-Token`，用接口令牌调用时为 null。\
    `reset_session` 为 true：本会话由一次性设置码打开，只能修改密码（不需要 `current_password`）。\
    `password_reset`：最近一次由他人重置本人密码的时间和操作人，没有时为 null")]
pub struct Me {
    id: i32,
    username: String,
    display_name: String,
    must_change_password: bool,
    reset_session: bool,
    password_reset: Option<PasswordReset>,
    grants: Vec<MeGrant>,
    csrf_token: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(description = "密码被他人重置：时间（北京时间）和操作人")]
pub struct PasswordReset {
    #[serde(serialize_with = "crate::clock::serde_local::serialize")]
    #[schema(value_type = String, example = "2026-11-27 10:05:00")]
    at: chrono::NaiveDateTime,
    #[schema(example = "安全保密管理员 secadmin 批准（admin 申请）")]
    by: String,
}

#[derive(Serialize, ToSchema)]
#[schema(description = "当前账号的一项授权，`role_label` 为角色的中文名称")]
pub struct MeGrant {
    id: i32,
    #[schema(value_type = super::Role)]
    role: &'static str,
    #[schema(example = "书记/支委")]
    role_label: &'static str,
    org_id: i32,
    org_name: String,
}

async fn me_view(state: &AppState, actor: &Actor) -> AppResult<Me> {
    let password_reset = service::own_reset(state, actor).await?.map(|(at, by)| PasswordReset { at, by });
    Ok(Me {
        id: actor.user_id,
        username: actor.username.clone(),
        display_name: actor.display_name.clone(),
        must_change_password: actor.must_change_password,
        reset_session: actor.reset_only(),
        password_reset,
        grants: actor
            .grants
            .iter()
            .map(|g| MeGrant {
                id: g.id,
                role: g.role.as_str(),
                role_label: g.role.label(),
                org_id: g.org_id,
                org_name: g.org_name.clone(),
            })
            .collect(),
        csrf_token: actor.csrf_token().map(str::to_owned),
    })
}

/// `POST /api/v1/session`: logs in and sets the session cookie. Cookie-authenticated writes
/// must then send the returned `csrf_token` in the `X-CSRF-Token` header.
#[utoipa::path(
    post, path = "/session", tag = "session", operation_id = "login",
    summary = "登录",
    description = "无需登录，也无需 CSRF 令牌。成功后设置 Cookie `dj_session`（HttpOnly、SameSite=Lax）。\
        `must_change_password` 为 true 时应先修改密码。`password` 也可以是安全保密管理员签发的一次性设置码：\
        这样打开的会话只能修改密码（`reset_session` 为 true）。\n\n\
        一切被拒绝的登录——用户名不存在、密码错误、账号停用、该账号在本地址被锁定、本地址失败过多——都是同一个 401 \
        `bad_credentials`、同一句话，不透露账号是否存在或被锁定。同一用户名从同一地址在统计窗口内连续失败达到锁定次数，\
        就在这个地址上锁定 1 分钟，之后每次加倍，最长为安全策略的锁定时长；其他地址不受影响。",
    request_body = LoginRequest,
    security(()),
    responses(
        (status = 201, description = "已登录，设置 Cookie `dj_session`", body = Me),
        (status = 400, description = "请求体不是 JSON 或缺少字段", body = ErrorBody),
        (status = 401, description = "登录被拒绝（`bad_credentials`，message 为“用户名或密码错误，或尝试过于频繁，请稍后再试”）", body = ErrorBody),
        (status = 403, description = "密码正确，但账号能查阅敏感信息而这个密码是管理员设置的（`forbidden`）：须用一次性设置码由本人设置密码", body = ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<Response> {
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    let outcome = match service::login(&state, &req.username, &req.password, &ip, ua).await {
        Ok(outcome) => outcome,
        Err(AppError::BadCredentials) => return Ok(refused()),
        Err(err) => return Err(err),
    };
    let actor = service::actor_from_session(&state, &outcome.cookie, &ip).await?.ok_or(AppError::Unauthenticated)?;
    let cookie = Cookie::build((session::COOKIE_NAME, outcome.cookie))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.server.cookies_secure())
        .build();
    Ok((StatusCode::CREATED, jar.add(cookie), Json(me_view(&state, &actor).await?)).into_response())
}

/// The one answer to a refused login (see [`service::LOGIN_REFUSED`]).
fn refused() -> Response {
    let body = ErrorBody {
        code: AppError::BadCredentials.code(),
        message: service::LOGIN_REFUSED.into(),
        field: None,
        errors: Vec::new(),
    };
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

#[utoipa::path(
    delete, path = "/session", tag = "session", operation_id = "logout",
    summary = "退出",
    description = "删除当前会话并清除 Cookie。须改密的账号也可调用。",
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已退出"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少或带错 `X-CSRF-Token`", body = ErrorBody),
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    PendingActor(actor): PendingActor,
    jar: CookieJar,
) -> AppResult<Response> {
    service::logout(&state, &actor).await?;
    let jar = jar.remove(Cookie::build(session::COOKIE_NAME).path("/").build());
    Ok((StatusCode::NO_CONTENT, jar).into_response())
}

#[utoipa::path(
    get, path = "/me", tag = "session", operation_id = "get_me",
    summary = "当前账号",
    description = "返回与登录相同的结构，可用来重新取得 `csrf_token`。须改密的账号也可调用。\
        `password_reset` 告诉本人最近一次由谁、在何时重置了其密码。",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "当前账号", body = Me),
        (status = 401, description = "未登录", body = ErrorBody),
    )
)]
pub async fn me(State(state): State<AppState>, PendingActor(actor): PendingActor) -> AppResult<Json<Me>> {
    Ok(Json(me_view(&state, &actor).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(description = "修改本人密码。用一次性设置码打开的会话（`reset_session`）不需要 `current_password`")]
pub struct PasswordRequest {
    #[serde(default)]
    current_password: String,
    #[schema(example = "Renmin#Road2026")]
    new_password: String,
}

#[utoipa::path(
    post, path = "/me/password", tag = "session", operation_id = "change_password",
    summary = "修改本人密码",
    description = "须改密的账号也可调用。成功后本人的其他会话全部结束。用一次性设置码打开的会话设置的密码不能与设置码相同，\
        设置后会话成为普通会话。",
    request_body = PasswordRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已修改"),
        (status = 400, description = "请求体不是 JSON 或缺少字段", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "缺少或带错 `X-CSRF-Token`", body = ErrorBody),
        (status = 422, description = "当前密码不正确，或新密码不符合密码策略（`field` 指明）", body = ErrorBody),
    )
)]
pub async fn change_password(
    State(state): State<AppState>,
    PendingActor(actor): PendingActor,
    ApiJson(req): ApiJson<PasswordRequest>,
) -> AppResult<StatusCode> {
    service::change_password(&state, &actor, &req.current_password, &req.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(flatten)]
    #[param(ignore)]
    page: PageParams,
}

#[utoipa::path(
    get, path = "/users", tag = "users", operation_id = "list_users",
    summary = "账号列表",
    description = "系统管理员或安全保密管理员。`q` 为用户名或姓名的一部分；按用户名排列。",
    params(ListQuery, PageParams),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "账号列表", body = List<UserSummary>),
        (status = 400, description = "查询参数有误", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限，或须先修改初始密码", body = ErrorBody),
    )
)]
pub async fn list_users(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<ListQuery>,
) -> AppResult<Json<List<UserSummary>>> {
    let (users, total) = service::list_users(&state, &actor, &q.q, Some(q.page)).await?;
    Ok(Json(List { items: users, total }))
}

#[utoipa::path(
    get, path = "/users/{id}", tag = "users", operation_id = "get_user",
    summary = "账号详情",
    description = "系统管理员或安全保密管理员。",
    params(("id" = i32, Path, description = "账号编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "账号", body = UserSummary),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限，或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
    )
)]
pub async fn get_user(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Json<UserSummary>> {
    Ok(Json(service::get_user(&state, &actor, id).await?))
}

#[derive(Deserialize, ToSchema)]
#[schema(description = "新建账号：用户名转为小写，须为 3–50 位小写字母、数字或 `_ . -`；姓名 1–50 字")]
pub struct CreateUserRequest {
    #[schema(example = "zhangsan")]
    username: String,
    #[schema(example = "张三")]
    display_name: String,
}

/// The initial password appears in this answer only.
#[derive(Serialize, ToSchema)]
#[schema(description = "新账号；`initial_password` 是随机生成的初始密码，只在这次响应里出现一次，首次登录必须修改")]
pub struct CreatedUser {
    id: i32,
    username: String,
    initial_password: String,
}

#[utoipa::path(
    post, path = "/users", tag = "users", operation_id = "create_user",
    summary = "新建账号",
    description = "系统管理员。新账号没有任何授权，由安全保密管理员授权。",
    request_body = CreateUserRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已新建", body = CreatedUser),
        (status = 400, description = "请求体不是 JSON 或缺少字段", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 409, description = "用户名已存在", body = ErrorBody),
        (status = 422, description = "用户名或姓名不符合规则", body = ErrorBody),
    )
)]
pub async fn create_user(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> AppResult<Response> {
    let new = NewUser { username: req.username, display_name: req.display_name, password: None, demo: false };
    let (user, initial) = service::create_user(&state, &actor, new).await?;
    let body = CreatedUser { id: user.id, username: user.username, initial_password: initial };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Deserialize, ToSchema)]
#[schema(description = "授权：角色代码和党组织编号。三员角色只能授予在最高一级党组织上")]
pub struct GrantRequest {
    #[schema(example = "secretary")]
    role: String,
    org_id: i32,
}

#[utoipa::path(
    post, path = "/users/{id}/grants", tag = "users", operation_id = "add_grant",
    summary = "授权",
    description = "安全保密管理员。不能给自己授权；三员分立（三员角色互斥，审计员不兼任其他角色）。\
        授予三员角色或能查阅敏感信息的角色时，该账号的接口令牌一并吊销。",
    params(("id" = i32, Path, description = "账号编号")),
    request_body = GrantRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已授权，返回授权编号", body = Created),
        (status = 400, description = "请求体不是 JSON 或缺少字段", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、给自己授权、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
        (status = 409, description = "同一角色同一党组织已授予过", body = ErrorBody),
        (status = 422, description = "未知角色、党组织不存在或违反三员分立", body = ErrorBody),
    )
)]
pub async fn add_grant(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<GrantRequest>,
) -> AppResult<Response> {
    let role = Role::parse(&req.role).ok_or_else(|| AppError::validation("role", "未知角色"))?;
    let grant_id = service::add_grant(&state, &actor, id, role, req.org_id).await?;
    Ok((StatusCode::CREATED, Json(Created { id: grant_id })).into_response())
}

#[utoipa::path(
    delete, path = "/grants/{id}", tag = "users", operation_id = "revoke_grant",
    summary = "撤销授权",
    description = "安全保密管理员。不能撤销自己的授权。",
    params(("id" = i32, Path, description = "授权编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已撤销"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、撤销自己的授权、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "授权不存在", body = ErrorBody),
    )
)]
pub async fn revoke_grant(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<StatusCode> {
    service::revoke_grant(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[schema(description = "接口令牌的名称，1–100 字")]
pub struct TokenRequest {
    #[schema(example = "组织部对接系统")]
    name: String,
}

/// The token appears in this answer only; the database keeps its hash.
#[derive(Serialize, ToSchema)]
#[schema(description = "新令牌；`token` 只显示这一次")]
pub struct CreatedToken {
    id: i32,
    #[schema(example = "djt_377aae7128de90eeb60377f2a607b4c4e848f5938f709e20500468352a7f8278")]
    token: String,
}

#[utoipa::path(
    post, path = "/users/{id}/tokens", tag = "users", operation_id = "create_token",
    summary = "创建接口令牌",
    description = "系统管理员。令牌只能签发给接口专用账号：账号持有三员角色或可查阅敏感信息的角色\
        （party_admin、discipline、secretary），或关联了人员档案时，拒绝签发（422）。",
    params(("id" = i32, Path, description = "账号编号")),
    request_body = TokenRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已创建", body = CreatedToken),
        (status = 400, description = "请求体不是 JSON 或缺少字段", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
        (status = 422, description = "名称不符合规则，或该账号不能持有令牌", body = ErrorBody),
    )
)]
pub async fn create_token(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<TokenRequest>,
) -> AppResult<Response> {
    let (token_id, token) = service::create_token(&state, &actor, id, &req.name).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { id: token_id, token })).into_response())
}

#[utoipa::path(
    delete, path = "/tokens/{id}", tag = "users", operation_id = "revoke_token",
    summary = "吊销接口令牌",
    description = "系统管理员。之后使用该令牌得到 401。",
    params(("id" = i32, Path, description = "令牌编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已吊销"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "令牌不存在", body = ErrorBody),
    )
)]
pub async fn revoke_token(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<StatusCode> {
    service::revoke_token(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/users/{id}/unlock", tag = "users", operation_id = "unlock_user",
    summary = "解锁账号",
    description = "系统管理员或安全保密管理员。解除该账号对所有地址的登录锁定，各地址此前的失败次数一并清零（按地址的限流不受影响）。",
    params(("id" = i32, Path, description = "账号编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已解锁"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
    )
)]
pub async fn unlock_user(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<StatusCode> {
    service::unlock(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[schema(
    description = "关联人员档案：`person_ref` 为此人的警号或 18 位身份证号（安全保密管理员不浏览名册，只按号码查找）"
)]
pub struct LinkRequest {
    #[schema(example = "100123")]
    person_ref: String,
}

#[derive(Serialize, ToSchema)]
#[schema(description = "账号关联的人员；未关联时 `person` 为 null")]
pub struct AccountPerson {
    person: Option<service::LinkedPerson>,
}

#[utoipa::path(
    get, path = "/users/{id}/person", tag = "users", operation_id = "get_account_person",
    summary = "查看账号关联的人员档案",
    description = "系统管理员或安全保密管理员。只给出姓名和所在党组织。",
    params(("id" = i32, Path, description = "账号编号")),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "关联情况", body = AccountPerson),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
    )
)]
pub async fn get_person(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Json<AccountPerson>> {
    Ok(Json(AccountPerson { person: service::linked_person(&state, &actor, id).await? }))
}

#[utoipa::path(
    put, path = "/users/{id}/person", tag = "users", operation_id = "link_account_person",
    summary = "关联人员档案",
    description = "安全保密管理员。关联后该账号的“我的档案”显示此人的档案；一人只能关联一个账号；\
三员账号只能在命令行关联（`dangjian user link`）。关联时吊销该账号的全部接口令牌。写入审计日志（`user.link`）。",
    params(("id" = i32, Path, description = "账号编号")),
    request_body = LinkRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 200, description = "已关联", body = service::LinkedPerson),
        (status = 400, description = "请求体不是 JSON 或缺少字段", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、三员账号、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
        (status = 409, description = "此人已关联其他账号（`message` 指明账号）", body = ErrorBody),
        (status = 422, description = "号码格式不对、校验位错误或查无此人（`field` 为 `person_ref`）", body = ErrorBody),
    )
)]
pub async fn link_person(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<LinkRequest>,
) -> AppResult<Json<service::LinkedPerson>> {
    let person = service::PersonRef::parse(&req.person_ref)?;
    Ok(Json(service::link_person(&state, &actor, id, &person).await?))
}

#[utoipa::path(
    delete, path = "/users/{id}/person", tag = "users", operation_id = "unlink_account_person",
    summary = "解除人员档案关联",
    description = "安全保密管理员。写入审计日志（`user.unlink`）。",
    params(("id" = i32, Path, description = "账号编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已解除"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、三员账号、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
    )
)]
pub async fn unlink_person(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<StatusCode> {
    service::unlink_person(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
#[schema(description = "临时密码：只在这次响应里出现一次，登录后必须修改")]
pub struct TemporaryPassword {
    #[schema(example = "Xk7mPq2RtW9z#42")]
    temporary_password: String,
}

#[utoipa::path(
    post, path = "/users/{id}/password-reset", tag = "users", operation_id = "reset_password",
    summary = "重置密码（不能查阅敏感信息的账号）",
    description = "系统管理员。生成随机临时密码，结束该账号的全部会话，下次登录须修改；本人登录时会看到重置的时间和操作人。\
        能查阅敏感信息的账号（持有党务管理员、纪检监察、书记/支委等角色，或关联了人员档案）不能这样重置（403），\
        请改用 `POST /users/{id}/reset-requests` 申请；三员账号和自己的账号也不行（403）。写入审计日志（`user.password_reset`）。",
    params(("id" = i32, Path, description = "账号编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已重置", body = TemporaryPassword),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、能查阅敏感信息的账号、三员账号、自己的账号、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
    )
)]
pub async fn reset_password(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    let temporary_password = service::reset_password(&state, &actor, id, None).await?;
    Ok((StatusCode::CREATED, Json(TemporaryPassword { temporary_password })).into_response())
}

#[derive(Deserialize, Default, ToSchema)]
#[schema(description = "说明（可选，不超过 200 字）")]
pub struct ReasonRequest {
    #[serde(default)]
    #[schema(example = "本人来电称忘记密码")]
    reason: String,
}

#[utoipa::path(
    post, path = "/users/{id}/reset-requests", tag = "users", operation_id = "request_password_reset",
    summary = "申请重置密码",
    description = "系统管理员。为账号（主要是能查阅敏感信息的账号）提交重置申请，由安全保密管理员批准；批准前账号不受任何影响。\
        写入审计日志（`user.reset_request`）。",
    params(("id" = i32, Path, description = "账号编号")),
    request_body = ReasonRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已提交", body = reset::ResetView),
        (status = 400, description = "请求体不是 JSON", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、三员账号、自己的账号、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
        (status = 409, description = "该账号已有待批准的申请", body = ErrorBody),
        (status = 422, description = "说明过长或含控制字符（`field` 为 `reason`）", body = ErrorBody),
    )
)]
pub async fn request_reset(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> AppResult<Response> {
    let created = reset::request(&state, &actor, id, &req.reason).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

#[utoipa::path(
    get, path = "/reset-requests", tag = "users", operation_id = "list_password_resets",
    summary = "待处理的密码重置",
    description = "系统管理员或安全保密管理员。待批准的申请和已签发、尚未使用也未过期的一次性设置码，按申请先后排列。",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "列表", body = List<reset::ResetView>),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限或须先修改初始密码", body = ErrorBody),
    )
)]
pub async fn list_resets(State(state): State<AppState>, actor: Actor) -> AppResult<Json<List<reset::ResetView>>> {
    let items = reset::open_requests(&state, &actor).await?;
    Ok(Json(List { total: items.len() as u64, items }))
}

#[utoipa::path(
    post, path = "/reset-requests/{id}/approve", tag = "users", operation_id = "approve_password_reset",
    summary = "批准重置并签发一次性设置码",
    description = "安全保密管理员（不能是申请人本人）。原密码立即失效，该账号的会话全部结束；响应中的一次性设置码只出现这一次，\
        由安全保密管理员交给本人。设置码 24 小时内有效，只能使用一次，只能用来设置新密码。写入审计日志（`user.reset_approve`）。",
    params(("id" = i32, Path, description = "申请编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已批准", body = reset::IssuedCode),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、三员账号、自己的申请、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "申请不存在", body = ErrorBody),
        (status = 409, description = "申请已处理过", body = ErrorBody),
    )
)]
pub async fn approve_reset(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    let issued = reset::approve(&state, &actor, id).await?;
    Ok((StatusCode::CREATED, Json(issued)).into_response())
}

#[utoipa::path(
    post, path = "/reset-requests/{id}/reject", tag = "users", operation_id = "reject_password_reset",
    summary = "驳回重置申请",
    description = "安全保密管理员。账号不受影响。写入审计日志（`user.reset_reject`）。",
    params(("id" = i32, Path, description = "申请编号")),
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 204, description = "已驳回"),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、三员账号、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "申请不存在", body = ErrorBody),
        (status = 409, description = "申请已处理过", body = ErrorBody),
    )
)]
pub async fn reject_reset(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<StatusCode> {
    reset::reject(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/users/{id}/one-time-code", tag = "users", operation_id = "issue_one_time_code",
    summary = "重置密码并签发一次性设置码",
    description = "安全保密管理员直接重置（不需要申请）：原密码立即失效，会话全部结束，该账号的其他申请和设置码作废；\
        响应中的一次性设置码只出现这一次，由安全保密管理员交给本人。三员账号和自己的账号不行（403）。\
        写入审计日志（`user.reset_code`）。",
    params(("id" = i32, Path, description = "账号编号")),
    request_body = ReasonRequest,
    security(("session" = [], "csrf" = []), ("token" = [])),
    responses(
        (status = 201, description = "已签发", body = reset::IssuedCode),
        (status = 400, description = "请求体不是 JSON", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有权限、三员账号、自己的账号、缺少 `X-CSRF-Token` 或须先修改初始密码", body = ErrorBody),
        (status = 404, description = "账号不存在", body = ErrorBody),
        (status = 422, description = "说明过长或含控制字符（`field` 为 `reason`）", body = ErrorBody),
    )
)]
pub async fn issue_code(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> AppResult<Response> {
    let issued = reset::issue(&state, &actor, id, &req.reason).await?;
    Ok((StatusCode::CREATED, Json(issued)).into_response())
}
