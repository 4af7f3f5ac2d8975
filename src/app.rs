//! The router (read it as the index of every page and endpoint) and the server loop.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::AppError;
use crate::state::AppState;
use crate::{audit, auth, home, metrics, orgs, party, people, ui};

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
        .route("/people/{id}/party/transfer", post(party::web::transfer))
        .route("/people/{id}/party/dues-base", post(party::web::dues_base))
        .route("/party/dues", get(party::web::dues))
        .route("/party/dues/export.xlsx", get(party::web::dues_export))
        .route("/party/dues/pay", post(party::web::dues_pay))
        .route("/party/transfers", get(party::web::transfers))
        .route("/party/transfers/{id}/accept", post(party::web::accept))
        .route("/party/transfers/{id}/letter.docx", get(party::web::letter))
        .route("/party/transfers/{id}/reject", post(party::web::reject))
        // Accounts, grants, tokens, policy
        .route("/admin/users", get(auth::web::users).post(auth::web::create_user))
        .route("/admin/users/{id}", get(auth::web::user_detail))
        .route("/admin/users/{id}/reset-password", post(auth::web::reset_password))
        .route("/admin/users/{id}/unlock", post(auth::web::unlock))
        .route("/admin/users/{id}/disable", post(auth::web::disable))
        .route("/admin/users/{id}/enable", post(auth::web::enable))
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
        .layer(middleware::from_fn(ui::flash::middleware))
        .layer(middleware::from_fn(ui::render_web_errors))
}

fn api_routes() -> Router<AppState> {
    use axum::routing::delete;
    Router::new()
        .route("/session", post(auth::api::login).delete(auth::api::logout))
        .route("/me", get(auth::api::me))
        .route("/me/password", post(auth::api::change_password))
        .route("/users", get(auth::api::list_users).post(auth::api::create_user))
        .route("/users/{id}", get(auth::api::get_user))
        .route("/users/{id}/unlock", post(auth::api::unlock_user))
        .route("/users/{id}/grants", post(auth::api::add_grant))
        .route("/grants/{id}", delete(auth::api::revoke_grant))
        .route("/users/{id}/tokens", post(auth::api::create_token))
        .route("/tokens/{id}", delete(auth::api::revoke_token))
        .route("/orgs", get(orgs::api::list).post(orgs::api::create))
        .route("/orgs/{id}", get(orgs::api::get).patch(orgs::api::patch))
        .route("/orgs/{id}/term", axum::routing::put(orgs::api::term))
        .route("/orgs/{id}/committee", post(orgs::api::committee_add))
        .route("/orgs/{id}/committee/{member_id}", delete(orgs::api::committee_remove))
        .route("/orgs/{id}/dissolve", post(orgs::api::dissolve))
        .route("/persons", get(people::api::list).post(people::api::create))
        .route("/persons/{id}", get(people::api::get).put(people::api::update).delete(people::api::delete))
        .route("/persons/{id}/history", get(people::api::history))
        .route("/imports/people", post(people::import_web::api))
        .route("/persons/{id}/membership", post(party::api::register))
        .route("/persons/{id}/membership/full", post(party::api::full))
        .route("/persons/{id}/transfers", post(party::api::request_transfer))
        .route("/persons/{id}/dues-base", post(party::api::dues_base))
        .route("/dues", get(party::api::dues_ledger))
        .route("/dues/payments", post(party::api::dues_pay))
        .route("/transfers", get(party::api::list))
        .route("/transfers/{id}/accept", post(party::api::accept))
        .route("/transfers/{id}/docx", get(party::web::letter))
        .route("/transfers/{id}/reject", post(party::api::reject))
        .route("/audit", get(audit::api::list))
        .route("/audit/verify", post(audit::api::verify))
        .fallback(|| async { AppError::NotFound })
}

/// The whole application. Layers run outside-in: request id, tracing, metrics, timeouts,
/// security headers, then the caller is resolved and CSRF checked before any handler.
pub fn build_router(state: AppState) -> Router {
    let timeout = Duration::from_secs(state.config.server.request_timeout_secs.max(1));
    Router::new()
        .merge(web_routes())
        .nest("/api/v1", api_routes())
        .route("/assets/{name}", get(ui::assets::serve))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::endpoint))
        .layer(middleware::from_fn_with_state(state.clone(), auth::extract::resolve))
        .layer(middleware::from_fn(ui::security_headers))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(32 * 1024 * 1024))
        // Roster files of a whole bureau are larger than axum's 2 MB default for bodies.
        .layer(axum::extract::DefaultBodyLimit::max(32 * 1024 * 1024))
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

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
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
