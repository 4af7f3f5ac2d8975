//! Request-level authentication: a middleware resolves the caller (session cookie or bearer
//! token) once per request and enforces CSRF; extractors hand the result to handlers.

use std::net::SocketAddr;

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;

use super::{Actor, AuthMethod, csrf, session, sessions};
use crate::error::AppError;
use crate::state::AppState;

/// The resolved caller, or none; put on every request by [`resolve`].
#[derive(Clone, Debug)]
pub struct CurrentActor(pub Option<Actor>);

/// The client address (the socket peer, or `X-Forwarded-For` when so configured).
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

/// Largest form body read for the CSRF check; bigger uploads carry the token in the query.
const MAX_FORM_FOR_CSRF: usize = 2 * 1024 * 1024;

/// Requests that create a session and so cannot have one to check against.
fn is_login(method: &Method, path: &str) -> bool {
    method == Method::POST && (path == "/login" || path == "/api/v1/session")
}

/// Paths that serve everyone alike: the browser sends the session cookie with every stylesheet
/// and script, and looking the caller up for those would double the queries of a page view.
fn is_public_static(path: &str) -> bool {
    path.starts_with("/assets/") || path == "/healthz" || path == "/metrics" || path == "/api/openapi.json"
}

pub async fn resolve(State(state): State<AppState>, jar: CookieJar, mut req: Request, next: Next) -> Response {
    let ip = client_ip(&state, &req);
    if is_public_static(req.uri().path()) && matches!(*req.method(), Method::GET | Method::HEAD) {
        req.extensions_mut().insert(CurrentActor(None));
        req.extensions_mut().insert(ClientIp(ip));
        return next.run(req).await;
    }
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    let resolved = match (&bearer, jar.get(session::COOKIE_NAME)) {
        (Some(token), _) => sessions::actor_from_token(&state, token, &ip).await,
        (None, Some(cookie)) => sessions::actor_from_session(&state, cookie.value(), &ip).await,
        (None, None) => Ok(None),
    };
    let actor = match resolved {
        Ok(actor) => actor,
        Err(err) => return AppError::from(err).into_response(),
    };
    if bearer.is_some() && actor.is_none() {
        return AppError::Unauthenticated.into_response();
    }

    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method
        && !is_login(req.method(), req.uri().path())
        && let Some(Actor { method: AuthMethod::Session { csrf_token, .. }, .. }) = &actor
    {
        let (ok, rebuilt) = check_csrf(req, csrf_token).await;
        if !ok {
            return AppError::Csrf.into_response();
        }
        req = rebuilt;
    }
    req.extensions_mut().insert(CurrentActor(actor));
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

/// Looks for the token in the header, the query and an url-encoded body (which is read and
/// put back).
async fn check_csrf(req: Request, expected: &str) -> (bool, Request) {
    let header_token = req.headers().get(csrf::HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    if let Some(given) = header_token {
        return (csrf::tokens_match(expected, &given), req);
    }
    if let Some(given) = req.uri().query().and_then(|q| csrf::token_in_urlencoded(q.as_bytes())) {
        return (csrf::tokens_match(expected, &given), req);
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return (false, req);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_FORM_FOR_CSRF).await else {
        return (false, Request::from_parts(parts, Body::empty()));
    };
    let ok = csrf::token_in_urlencoded(&bytes).is_some_and(|given| csrf::tokens_match(expected, &given));
    (ok, Request::from_parts(parts, Body::from(bytes)))
}

fn client_ip(state: &AppState, req: &Request) -> String {
    if state.config.server.trust_forwarded_for {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            // The right-most entry is the one our own proxy added; the others are client-written.
            .and_then(|v| v.rsplit(',').next())
            .map(|v| v.trim().to_owned());
        if let Some(ip) = forwarded.filter(|ip| !ip.is_empty()) {
            return ip;
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let actor = PendingActor::from_request_parts(parts, _state).await?.0;
        if actor.must_change_password {
            return Err(AppError::PasswordChangeRequired);
        }
        Ok(actor)
    }
}

/// A logged-in caller who may still have to change the initial password: only the password
/// page, logout and "who am I" accept it.
pub struct PendingActor(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for PendingActor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<CurrentActor>() {
            Some(CurrentActor(Some(actor))) => Ok(PendingActor(actor.clone())),
            _ => Err(AppError::Unauthenticated),
        }
    }
}

/// The caller if logged in (login page, error pages).
pub struct MaybeActor(pub Option<Actor>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeActor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeActor(parts.extensions.get::<CurrentActor>().and_then(|c| c.0.clone())))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<ClientIp>().cloned().unwrap_or_else(|| ClientIp("unknown".into())))
    }
}
