//! JSON API of the sessions use case: log in and out, the current account, one's own password.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::extract::{ClientIp, PendingActor};
use super::{Actor, session, sessions};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::state::AppState;
use crate::ui::json::ApiJson;

#[derive(Deserialize, ToSchema)]
#[schema(description = "登录：用户名和密码。用户名去掉首尾空白后不超过 50 个字，密码不超过 1024 字节；\
    超出或为空的登录与其他被拒绝的登录一样得到 401")]
pub struct LoginRequest {
    #[schema(example = "shuji", min_length = 1, max_length = 50)]
    username: String,
    #[schema(example = "Demo@2024", min_length = 1, max_length = 1024)]
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
    let password_reset = sessions::own_reset(state, actor).await?.map(|(at, by)| PasswordReset { at, by });
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
    let outcome = match sessions::login(&state, &req.username, &req.password, &ip, ua).await {
        Ok(outcome) => outcome,
        Err(AppError::BadCredentials) => return Ok(refused()),
        Err(err) => return Err(err),
    };
    let actor = sessions::actor_from_session(&state, &outcome.cookie, &ip).await?.ok_or(AppError::Unauthenticated)?;
    let cookie = Cookie::build((session::COOKIE_NAME, outcome.cookie))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.server.cookies_secure())
        .build();
    Ok((StatusCode::CREATED, jar.add(cookie), Json(me_view(&state, &actor).await?)).into_response())
}

/// The one answer to a refused login (see [`sessions::LOGIN_REFUSED`]).
fn refused() -> Response {
    let body = ErrorBody {
        code: AppError::BadCredentials.code(),
        message: sessions::LOGIN_REFUSED.into(),
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
    sessions::logout(&state, &actor).await?;
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
#[schema(description = "修改本人密码。用一次性设置码打开的会话（`reset_session`）不需要 `current_password`。\
    新密码的最短长度由安全策略规定（至少 8 位），须包含大写字母、小写字母、数字、符号中的至少三类，不能包含用户名")]
pub struct PasswordRequest {
    #[serde(default)]
    #[schema(max_length = 1024)]
    current_password: String,
    // At least the policy's minimum length (8 or more, set by the security administrator).
    #[schema(example = "Renmin#Road2026", min_length = 8, max_length = 128)]
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
    sessions::change_password(&state, &actor, &req.current_password, &req.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}
