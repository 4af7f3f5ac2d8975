//! JSON API of sessions, accounts, grants and tokens.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;
use serde_json::{Value, json};

use super::extract::{ClientIp, PendingActor};
use super::service::{self, NewUser};
use super::{Actor, Role, session};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::ui::PageParams;
use crate::ui::json::ApiJson;
use crate::ui::params::{IdPath, Params};

#[derive(Deserialize)]
pub struct LoginRequest {
    username: String,
    password: String,
}

fn me_json(actor: &Actor) -> Value {
    json!({
        "id": actor.user_id,
        "username": actor.username,
        "display_name": actor.display_name,
        "must_change_password": actor.must_change_password,
        "grants": actor.grants.iter().map(|g| json!({
            "id": g.id, "role": g.role.as_str(), "role_label": g.role.label(),
            "org_id": g.org_id, "org_name": g.org_name,
        })).collect::<Vec<_>>(),
        "csrf_token": actor.csrf_token(),
    })
}

/// `POST /api/v1/session`: logs in and sets the session cookie. Cookie-authenticated writes
/// must then send the returned `csrf_token` in the `X-CSRF-Token` header.
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
        .secure(state.config.server.secure_cookies)
        .build();
    Ok((StatusCode::CREATED, jar.add(cookie), Json(me_json(&actor))).into_response())
}

pub async fn logout(
    State(state): State<AppState>,
    PendingActor(actor): PendingActor,
    jar: CookieJar,
) -> AppResult<Response> {
    service::logout(&state, &actor).await?;
    let jar = jar.remove(Cookie::build(session::COOKIE_NAME).path("/").build());
    Ok((StatusCode::NO_CONTENT, jar).into_response())
}

pub async fn me(PendingActor(actor): PendingActor) -> Json<Value> {
    Json(me_json(&actor))
}

#[derive(Deserialize)]
pub struct PasswordRequest {
    current_password: String,
    new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    PendingActor(actor): PendingActor,
    ApiJson(req): ApiJson<PasswordRequest>,
) -> AppResult<StatusCode> {
    service::change_password(&state, &actor, &req.current_password, &req.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(flatten)]
    page: PageParams,
}

pub async fn list_users(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<ListQuery>,
) -> AppResult<Json<Value>> {
    let (users, total) = service::list_users(&state, &actor, &q.q, Some(q.page)).await?;
    Ok(Json(json!({"items": users, "total": total})))
}

pub async fn get_user(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Json<Value>> {
    Ok(Json(json!(service::get_user(&state, &actor, id).await?)))
}

#[derive(Deserialize)]
pub struct CreateUserRequest {
    username: String,
    display_name: String,
}

pub async fn create_user(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> AppResult<Response> {
    let new = NewUser { username: req.username, display_name: req.display_name, password: None, demo: false };
    let (user, initial) = service::create_user(&state, &actor, new).await?;
    let body = json!({"id": user.id, "username": user.username, "initial_password": initial});
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Deserialize)]
pub struct GrantRequest {
    role: String,
    org_id: i32,
}

pub async fn add_grant(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<GrantRequest>,
) -> AppResult<Response> {
    let role = Role::parse(&req.role).ok_or_else(|| AppError::validation("role", "未知角色"))?;
    let grant_id = service::add_grant(&state, &actor, id, role, req.org_id).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": grant_id}))).into_response())
}

pub async fn revoke_grant(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<StatusCode> {
    service::revoke_grant(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct TokenRequest {
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    ApiJson(req): ApiJson<TokenRequest>,
) -> AppResult<Response> {
    let (token_id, token) = service::create_token(&state, &actor, id, &req.name).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": token_id, "token": token}))).into_response())
}

pub async fn revoke_token(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<StatusCode> {
    service::revoke_token(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn unlock_user(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<StatusCode> {
    service::unlock(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
