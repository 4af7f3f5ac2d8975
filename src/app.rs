//! The router (read it as the index of every page and endpoint) and the server loop.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, get};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::error::AppError;
use crate::module::Module;
use crate::state::AppState;
use crate::{
    accounts, auditlog, auth, discipline, exits, family, home, meetings, metrics, openapi, orgimport, orgpage, orgs,
    party, people, police, profile, risk, ui, visits,
};

/// Every part of the application, one line each: a domain adds itself here and nowhere else
/// in this file (see [`Module`] and docs/ARCHITECTURE.md, "新增一个模块").
pub const MODULES: &[fn() -> Module] = &[
    home::module,
    orgs::module::module,
    people::module::module,
    party::module::module,
    family::module::module,
    police::module::module,
    discipline::module::module,
    meetings::module::module,
    visits::module::module,
    risk::module::module,
    exits::module::module,
    orgimport::module::module,
    profile::module,
    orgpage::module,
    auth::module::module,
    accounts::module::module,
    auditlog::module::module,
];

/// The modules, built.
pub fn modules() -> Vec<Module> {
    MODULES.iter().map(|m| m()).collect()
}

/// What the modules register with the layers below them — navigation, audit action names,
/// organization path columns and tree hooks, the roster and tree rules, the profile and
/// organization pages — installed once per process. Called when the
/// router is built and by every command that opens the database.
pub fn install_modules(modules: &[Module]) {
    ui::install_nav(modules.iter().flat_map(|m| m.nav.iter()));
    auditlog::service::install_actions(modules.iter().flat_map(|m| m.actions.iter().copied()));
    crate::module::install_profile_page(profile::web::page_with_errors);
    auth::lookup::install_org_join(orgs::store::join_grant_orgs);
    crate::module::install_unit_people(people::store::unit_people());
    crate::module::install_org_page(orgpage::web::page_with_errors);
    crate::module::install_roster_rules(modules.iter().filter_map(|m| m.roster));
    crate::module::install_tree_rules(modules.iter().filter_map(|m| m.tree));
    crate::module::install_sanction_listeners(modules.iter().flat_map(|m| m.sanction_listeners.iter().copied()));
    crate::module::install_appraisal_listeners(modules.iter().flat_map(|m| m.appraisal_listeners.iter().copied()));
    crate::module::install_flag_listeners(modules.iter().flat_map(|m| m.flag_listeners.iter().copied()));
    crate::module::install_org_life(modules.iter().filter_map(|m| m.org_life));
    crate::module::install_roster_columns(modules.iter().filter_map(|m| m.roster_columns));
    crate::module::install_situation_listeners(modules.iter().filter_map(|m| m.situations));
    crate::db::org_paths::install(
        modules.iter().flat_map(|m| m.org_path_columns.iter()),
        modules.iter().flat_map(|m| m.org_hooks.iter().copied()),
    );
}

fn web_routes(modules: &[Module]) -> Router<AppState> {
    modules
        .iter()
        .fold(Router::new(), |router, m| router.merge((m.web)()))
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn(ui::form::answer_rejections))
        .layer(middleware::from_fn(ui::flash::middleware))
        .layer(middleware::from_fn(ui::render_web_errors))
}

/// The JSON API. Each `routes!` group (in the modules) shares one path: `OpenApiRouter::routes`
/// registers every method of a group on every path in it, so paths must not be mixed within a group.
fn api_routes(modules: &[Module]) -> OpenApiRouter<AppState> {
    modules
        .iter()
        .fold(OpenApiRouter::default(), |router, m| router.merge((m.api)()))
        .fallback(|| async { AppError::NotFound })
}

/// The `/api/v1` router and its OpenAPI document, both from [`api_routes`].
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let modules = modules();
    let (router, paths) = api_routes(&modules).split_for_parts();
    let router = router.layer(middleware::from_fn(ui::form::answer_rejections));
    let mut doc = openapi::ApiDoc::openapi().nest(API_PREFIX, paths);
    doc.tags = Some(
        modules
            .iter()
            .flat_map(|m| m.api_tags.iter())
            .map(|(name, description)| {
                utoipa::openapi::tag::TagBuilder::new().name(*name).description(Some(*description)).build()
            })
            .collect(),
    );
    add_schema_rules(&mut doc, modules.iter().flat_map(|m| m.schema_rules.iter()));
    (router, doc)
}

/// Adds each module's cross-field rules to its request schemas as `allOf` (OpenAPI 3.1 schemas
/// are JSON Schema 2020-12, where `allOf` may stand beside `properties`).
fn add_schema_rules<'a>(
    doc: &mut utoipa::openapi::OpenApi,
    rules: impl Iterator<Item = &'a crate::module::SchemaRule>,
) {
    use utoipa::openapi::{RefOr, Schema};
    let Some(components) = doc.components.as_mut() else { return };
    for rule in rules {
        match components.schemas.get_mut(rule.schema) {
            Some(RefOr::T(Schema::Object(object))) => {
                object.extensions.get_or_insert_with(Default::default).insert("allOf".to_owned(), (rule.all_of)());
            }
            _ => tracing::error!(schema = rule.schema, "OpenAPI: no such object schema for a cross-field rule"),
        }
    }
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
    let modules = modules();
    install_modules(&modules);
    let (api, doc) = api();
    Router::new()
        .merge(web_routes(&modules))
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
