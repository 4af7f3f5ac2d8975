//! One plug-in shape for every domain. A domain folder exports `pub fn module() -> Module`
//! with everything the application needs of it — pages, `/api/v1` operations with their
//! OpenAPI tags, navigation entries, audit action names, the permissions it checks, home-page
//! to-do and figure providers, the columns that copy organization paths and the reactions to
//! changes of the tree — and [`crate::app::MODULES`] lists the modules, one line each.
//! Nothing else needs editing to add a domain (docs/ARCHITECTURE.md, "新增一个模块").

use std::future::Future;
use std::pin::Pin;

use axum::Router;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::{Actor, Permission};
use crate::db::org_paths::{OrgHook, PathColumn};
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::NavEntry;
use crate::ui::blocks::{Figure, Todo};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The to-do items a module has for the actor, within the actor's scope.
pub type TodoProvider = for<'a> fn(&'a AppState, &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>>;

/// The key figures a module shows the actor on the home page.
pub type FigureProvider = for<'a> fn(&'a AppState, &'a Actor) -> BoxFuture<'a, AppResult<Vec<Figure>>>;

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
        }
    }
}
