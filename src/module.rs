//! One plug-in shape for every domain. A domain folder exports `pub fn module() -> Module`
//! with everything the application needs of it — pages, `/api/v1` operations with their
//! OpenAPI tags, navigation entries, audit action names, the permissions it checks, home-page
//! to-do and figure providers, its part of a person's profile, the columns that copy organization paths and the reactions to
//! changes of the tree — and [`crate::app::MODULES`] lists the modules, one line each.
//! Nothing else needs editing to add a domain (docs/ARCHITECTURE.md, "新增一个模块").

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

use axum::Router;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::{Actor, Permission};
use crate::db::org_paths::{OrgHook, PathColumn};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::ui::blocks::{Figure, Section, SensitiveField, Subject, Todo};
use crate::ui::{FieldErrors, NavEntry};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The to-do items a module has for the actor, within the actor's scope.
pub type TodoProvider = for<'a> fn(&'a AppState, &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>>;

/// The key figures a module shows the actor on the home page.
pub type FigureProvider = for<'a> fn(&'a AppState, &'a Actor) -> BoxFuture<'a, AppResult<Vec<Figure>>>;

/// A module's sections of a person's profile, sensitive values masked.
pub type SectionProvider = for<'a> fn(&'a AppState, &'a Actor, &'a Subject) -> BoxFuture<'a, AppResult<Vec<Section>>>;

/// The full values of some of the module's sensitive fields of a person. Called only by the
/// profile's reveal, after it has checked the class permission and scope, and before it audits.
pub type RevealProvider =
    for<'a> fn(&'a AppState, &'a Subject, &'a [&'static str]) -> BoxFuture<'a, AppResult<Vec<(&'static str, String)>>>;

/// The reveal of a module whose profile part shows nothing sensitive.
pub fn nothing_to_reveal<'a>(
    _: &'a AppState,
    _: &'a Subject,
    _: &'a [&'static str],
) -> BoxFuture<'a, AppResult<Vec<(&'static str, String)>>> {
    Box::pin(async { Ok(Vec::new()) })
}

/// What the page around a module's profile panel gives it.
pub struct PanelContext {
    pub csrf: String,
    /// Errors of the module's last failed form, by field.
    pub errors: FieldErrors,
}

/// HTML the module adds to a person's profile page below the sections: its actions on the person.
pub type PanelProvider =
    for<'a> fn(&'a AppState, &'a Actor, &'a Subject, &'a PanelContext) -> BoxFuture<'a, AppResult<Option<String>>>;

/// A module's part of 一人一档 (see `crate::profile`).
pub struct ProfilePart {
    pub sections: SectionProvider,
    /// The sensitive fields its sections show masked; a reveal names them by code.
    pub fields: &'static [SensitiveField],
    pub reveal: RevealProvider,
    pub panel: Option<PanelProvider>,
}

/// Re-renders a person's profile page with a module's form errors (status 422): the profile
/// assembler installs it, so a domain can show its failed form again without importing the
/// assembler.
pub type ProfilePage = for<'a> fn(&'a AppState, &'a Actor, i32, FieldErrors) -> BoxFuture<'a, AppResult<Response>>;

static PROFILE_PAGE: OnceLock<ProfilePage> = OnceLock::new();

pub fn install_profile_page(page: ProfilePage) {
    let _ = PROFILE_PAGE.set(page);
}

/// The profile page of person `id` with `errors` beside the forms that caused them.
pub async fn profile_page(state: &AppState, actor: &Actor, id: i32, errors: FieldErrors) -> AppResult<Response> {
    match PROFILE_PAGE.get() {
        Some(page) => page(state, actor, id, errors).await,
        None => Err(AppError::Internal(anyhow::anyhow!("the profile page is not installed"))),
    }
}

/// A rule across the fields of a request schema that the derive attributes cannot state ("a
/// 民警 must have a police number"): JSON Schema subschemas that every valid body must also
/// match, added to the schema as `allOf` when the document is built.
pub struct SchemaRule {
    /// The component schema's name, e.g. `PersonInput`.
    pub schema: &'static str,
    /// A JSON array of subschemas.
    pub all_of: fn() -> serde_json::Value,
}

pub struct Module {
    /// Short English name, for logs and the docs.
    pub name: &'static str,
    /// HTML pages (rendered into the Chinese error page on failure).
    pub web: fn() -> Router<AppState>,
    /// `/api/v1` operations, registered with `routes!` so their OpenAPI entries come along.
    pub api: fn() -> OpenApiRouter<AppState>,
    /// OpenAPI tags the operations use: (name, Chinese description).
    pub api_tags: &'static [(&'static str, &'static str)],
    pub nav: &'static [NavEntry],
    /// Audit action codes the module writes, with their Chinese names.
    pub actions: &'static [(&'static str, &'static str)],
    /// Permissions the module checks (for the docs and the grants page).
    pub permissions: &'static [Permission],
    pub todos: &'static [TodoProvider],
    pub figures: &'static [FigureProvider],
    /// Columns of the module's tables that copy an organization's path: a move or merge of the
    /// tree rewrites them (see [`crate::db::org_paths`]).
    pub org_path_columns: &'static [PathColumn],
    /// The module's reactions to a move or merge, run in the same transaction.
    pub org_hooks: &'static [OrgHook],
    /// Its part of a person's profile.
    pub profile: Option<ProfilePart>,
    /// Cross-field rules of its request schemas.
    pub schema_rules: &'static [SchemaRule],
}

impl Module {
    /// A module with nothing yet: fill in what it has with `..Module::empty("name")`.
    pub const fn empty(name: &'static str) -> Self {
        Self {
            name,
            web: Router::new,
            api: OpenApiRouter::new,
            api_tags: &[],
            nav: &[],
            actions: &[],
            permissions: &[],
            todos: &[],
            figures: &[],
            org_path_columns: &[],
            org_hooks: &[],
            profile: None,
            schema_rules: &[],
        }
    }
}
