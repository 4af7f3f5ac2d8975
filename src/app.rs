//! The router (read it as the index of every page and endpoint) and the server loop.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, get, post};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::AppError;
use crate::state::AppState;
use crate::{audit, auth, home, metrics, openapi, orgs, party, people, ui};

fn web_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::page))
        .route("/login", get(auth::web::login_form).post(auth::web::login_submit))
        .route("/logout", post(auth::web::logout))
        .route("/account/password", get(auth::web::password_form).post(auth::web::password_submit))
        // Organizations
        .route("/orgs", get(orgs::web::list).post(orgs::web::create))
        .route("/orgs/new", get(orgs::web::new_form))
        .route("/orgs/export.xlsx", get(orgs::web::export))
        .route("/orgs/{id}", get(orgs::web::view))
        .route("/orgs/{id}/rename", post(orgs::web::rename))
        .route("/orgs/{id}/move", post(orgs::web::move_to))
        .route("/orgs/{id}/term", post(orgs::web::term))
        .route("/orgs/{id}/committee", post(orgs::web::committee_add))
        .route("/orgs/{id}/committee/{member_id}/remove", post(orgs::web::committee_remove))
        .route("/orgs/{id}/dissolve", post(orgs::web::dissolve))
        // People
        .route("/people", get(people::web::list).post(people::web::create))
        .route("/people/new", get(people::web::new_form))
        .route("/people/me", get(people::web::me))
        .route("/people/export.xlsx", get(people::web::export))
        .route("/people/import", get(people::import_web::page).post(people::import_web::upload))
        .route("/people/import/template.xlsx", get(people::import_web::template))
        .route("/people/import/{id}/commit", post(people::import_web::confirm))
        .route("/people/{id}", get(people::web::profile).post(people::web::update))
        .route("/people/{id}/edit", get(people::web::edit_form))
        .route("/people/{id}/delete", post(people::web::delete))
        .route("/people/{id}/party/register", post(party::web::register))
        .route("/people/{id}/party/full", post(party::web::full))
        .route("/people/{id}/party/transfer", get(party::web::transfer_form).post(party::web::transfer))
        .route("/people/{id}/party/dues-base", post(party::web::dues_base))
        .route("/party/dues", get(party::web::dues))
        .route("/party/dues/export.xlsx", get(party::web::dues_export))
        .route("/party/dues/pay", post(party::web::dues_pay))
        .route("/party/dues/cancel", get(party::web::cancel_payment_form).post(party::web::cancel_payment))
        .route("/party/transfers", get(party::web::transfers))
        .route("/party/transfers/{id}/accept", post(party::web::accept))
        .route("/party/transfers/{id}/letter.docx", get(party::web::letter))
        .route("/party/transfers/{id}/reject", post(party::web::reject))
        // Accounts, grants, tokens, policy
        .route("/admin/users", get(auth::web::users).post(auth::web::create_user))
        .route("/admin/users/{id}", get(auth::web::user_detail))
        .route("/admin/users/{id}/reset-password", post(auth::web::reset_password))
        .route("/admin/users/{id}/reset-requests", post(auth::web::request_reset))
        .route("/admin/users/{id}/one-time-code", post(auth::web::issue_code))
        .route("/admin/reset-requests/{id}/approve", post(auth::web::approve_reset))
        .route("/admin/reset-requests/{id}/reject", post(auth::web::reject_reset))
        .route("/admin/users/{id}/unlock", post(auth::web::unlock))
        .route("/admin/users/{id}/disable", post(auth::web::disable))
        .route("/admin/users/{id}/enable", post(auth::web::enable))
        .route("/admin/users/{id}/person", post(auth::web::link_person))
        .route("/admin/users/{id}/person/unlink", post(auth::web::unlink_person))
        .route("/admin/users/{id}/grants", post(auth::web::add_grant))
        .route("/admin/users/{id}/grants/{grant_id}/revoke", post(auth::web::revoke_grant))
        .route("/admin/users/{id}/tokens", post(auth::web::create_token))
        .route("/admin/users/{id}/tokens/{token_id}/revoke", post(auth::web::revoke_token))
        .route("/admin/policy", get(auth::web::policy_form).post(auth::web::policy_submit))
        // Audit
        .route("/audit", get(audit::web::list))
        .route("/audit/export.xlsx", get(audit::web::export))
        .route("/audit/verify", post(audit::web::verify))
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn(ui::form::answer_rejections))
        .layer(middleware::from_fn(ui::flash::middleware))
        .layer(middleware::from_fn(ui::render_web_errors))
}

/// The JSON API. Each `routes!` group shares one path: `OpenApiRouter::routes` registers every
/// method of a group on every path in it, so paths must not be mixed within a group.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(auth::api::login, auth::api::logout))
        .routes(routes!(auth::api::me))
        .routes(routes!(auth::api::change_password))
        .routes(routes!(auth::api::list_users, auth::api::create_user))
        .routes(routes!(auth::api::get_user))
        .routes(routes!(auth::api::get_person, auth::api::link_person, auth::api::unlink_person))
        .routes(routes!(auth::api::unlock_user))
        .routes(routes!(auth::api::reset_password))
        .routes(routes!(auth::api::request_reset))
        .routes(routes!(auth::api::issue_code))
        .routes(routes!(auth::api::list_resets))
        .routes(routes!(auth::api::approve_reset))
        .routes(routes!(auth::api::reject_reset))
        .routes(routes!(auth::api::add_grant))
        .routes(routes!(auth::api::revoke_grant))
        .routes(routes!(auth::api::create_token))
        .routes(routes!(auth::api::revoke_token))
        .routes(routes!(orgs::api::list, orgs::api::create))
        .routes(routes!(orgs::api::get, orgs::api::patch))
        .routes(routes!(orgs::api::term))
        .routes(routes!(orgs::api::committee_add))
        .routes(routes!(orgs::api::committee_remove))
        .routes(routes!(orgs::api::dissolve))
        .routes(routes!(people::api::list, people::api::create))
        .routes(routes!(people::api::get, people::api::update, people::api::delete))
        .routes(routes!(people::api::history))
        .routes(routes!(people::import_web::api))
        .routes(routes!(party::api::register))
        .routes(routes!(party::api::full))
        .routes(routes!(party::api::request_transfer))
        .routes(routes!(party::api::dues_base))
        .routes(routes!(party::api::dues_ledger))
        .routes(routes!(party::api::dues_pay))
        .routes(routes!(party::api::dues_cancel))
        .routes(routes!(party::api::list))
        .routes(routes!(party::api::accept))
        .routes(routes!(party::api::letter))
        .routes(routes!(party::api::reject))
        .routes(routes!(audit::api::list))
        .routes(routes!(audit::api::verify))
        .fallback(|| async { AppError::NotFound })
}

/// The `/api/v1` router and its OpenAPI document, both from [`api_routes`].
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, paths) = api_routes().split_for_parts();
    let router = router.layer(middleware::from_fn(ui::form::answer_rejections));
    (router, openapi::ApiDoc::openapi().nest(API_PREFIX, paths))
}

const API_PREFIX: &str = "/api/v1";

/// `GET /api/openapi.json`: the document, serialized once when the router is built.
fn openapi_route(doc: &utoipa::openapi::OpenApi) -> MethodRouter<AppState> {
    let body = serde_json::to_vec(doc).map(Bytes::from).map_err(|e| e.to_string());
    get(move || {
        let body = body.clone();
        async move {
            match body {
                Ok(bytes) => ([(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
                Err(e) => AppError::Internal(anyhow::anyhow!("OpenAPI 文档无法序列化：{e}")).into_response(),
            }
        }
    })
}

/// The whole application. Layers run outside-in: request id, tracing, metrics, timeouts,
/// security headers, then the caller is resolved and CSRF checked before any handler.
pub fn build_router(state: AppState) -> Router {
    let timeout = Duration::from_secs(state.config.server.request_timeout_secs.max(1));
    let (api, doc) = api();
    Router::new()
        .merge(web_routes())
        .nest(API_PREFIX, api)
        .route("/api/openapi.json", openapi_route(&doc))
        .route("/assets/{name}", get(ui::assets::serve))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::endpoint))
        .layer(middleware::from_fn_with_state(state.clone(), auth::extract::resolve))
        .layer(middleware::from_fn_with_state(state.clone(), ui::security_headers))
        .layer(CompressionLayer::new())
        // Every extractor stops reading a body at the upload limit; the upload handlers say so
        // in Chinese (see `io::sheet::multipart_file`), before the file is unpacked.
        .layer(axum::extract::DefaultBodyLimit::max(crate::io::sheet::body_limit(&state.config.uploads)))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(TraceLayer::new_for_http())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Liveness and database reachability.
async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> (StatusCode, &'static str) {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}

/// Serves until `shutdown` resolves, then stops accepting and lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = build_router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// Resolves on Ctrl-C or SIGTERM. The SIGTERM handler is installed by this call, not when the
/// future is first polled, so a stop sent right after start-up (systemd, scripts) is graceful
/// too: in-flight requests finish and the audit chain gets its stop checkpoint.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let ctrl_c = async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        #[cfg(unix)]
        let terminate = async move {
            match terminate {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            _ = terminate => {},
        }
        tracing::info!("收到停止信号，等待进行中的请求完成");
    }
}
