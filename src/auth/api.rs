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
use super::{Actor, Role, session};
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
#[schema(description = "当前账号。`csrf_token` 是 Cookie 会话写请求须带的 `X-CSRF-Token`，用接口令牌调用时为 null")]
pub struct Me {
    id: i32,
    username: String,
    display_name: String,
    must_change_password: bool,
    grants: Vec<MeGrant>,
    csrf_token: Option<String>,
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

fn me_view(actor: &Actor) -> Me {
    Me {
        id: actor.user_id,
        username: actor.username.clone(),
        display_name: actor.display_name.clone(),
        must_change_password: actor.must_change_password,
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
    }
}

/// `POST /api/v1/session`: logs in and sets the session cookie. Cookie-authenticated writes
/// must then send the returned `csrf_token` in the `X-CSRF-Token` header.
#[utoipa::path(
    post, path = "/session", tag = "session", operation_id = "login",
    summary = "登录",
    description = "无需登录，也无需 CSRF 令牌。成功后设置 Cookie `dj_session`（HttpOnly、SameSite=Lax）。\
        `must_change_password` 为 true 时应先修改密码。",
    request_body = LoginRequest,
    security(()),
    responses(
        (status = 201, description = "已登录，设置 Cookie `dj_session`", body = Me),
        (status = 400, description = "请求体不是 JSON 或缺少字段", body = ErrorBody),
        (status = 401, description = "用户名或密码错误（`bad_credentials`）", body = ErrorBody),
        (status = 423, description = "连续登录失败，账号已锁定（`locked`）", body = ErrorBody),
        (status = 429, description = "同一地址登录失败过多（`too_many_requests`）", body = ErrorBody),
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
    let outcome = service::login(&state, &req.username, &req.password, &ip, ua).await?;
    let actor = service::actor_from_session(&state, &outcome.cookie, &ip).await?.ok_or(AppError::Unauthenticated)?;
    let cookie = Cookie::build((session::COOKIE_NAME, outcome.cookie))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.server.cookies_secure())
        .build();
    Ok((StatusCode::CREATED, jar.add(cookie), Json(me_view(&actor))).into_response())
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
    description = "返回与登录相同的结构，可用来重新取得 `csrf_token`。须改密的账号也可调用。",
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "当前账号", body = Me),
        (status = 401, description = "未登录", body = ErrorBody),
    )
)]
pub async fn me(PendingActor(actor): PendingActor) -> Json<Me> {
    Json(me_view(&actor))
}

#[derive(Deserialize, ToSchema)]
#[schema(description = "修改本人密码")]
pub struct PasswordRequest {
    current_password: String,
    #[schema(example = "Renmin#Road2026")]
    new_password: String,
}

#[utoipa::path(
    post, path = "/me/password", tag = "session", operation_id = "change_password",
    summary = "修改本人密码",
    description = "须改密的账号也可调用。成功后本人的其他会话全部结束。",
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
    description = "系统管理员或安全保密管理员。此前的登录失败次数一并清零。",
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
