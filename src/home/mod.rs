//! 工作台: the first page after login. Key figures and todo items are computed from records
//! (never typed in); each module contributes its own providers (see [`crate::module::Module`]),
//! which [`figures`] and [`todos`] call in module order.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{Datelike, Timelike, Weekday};

use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::module::Module;
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::params::Params;
use crate::ui::{Layout, NavEntry, render};

pub use crate::ui::blocks::{Figure, Todo};

/// The home page's own part of the application: the page itself and its navigation entry.
pub fn module() -> Module {
    Module {
        web: || axum::Router::new().route("/", axum::routing::get(page)),
        nav: &[NavEntry { group: "", label: "工作台", href: "/", visible: |_| true }],
        ..Module::empty("home")
    }
}

/// Figures for the actor's scope, from every module.
pub async fn figures(state: &AppState, actor: &Actor) -> AppResult<Vec<Figure>> {
    let mut out = Vec::new();
    for module in crate::app::modules() {
        for provider in module.figures {
            let started = std::time::Instant::now();
            out.extend(provider(state, actor).await?);
            // Which module makes the home page slow, visible with RUST_LOG=dangjian::home=debug.
            tracing::debug!(module = module.name, took_ms = started.elapsed().as_secs_f64() * 1000.0, "figures");
        }
    }
    Ok(out)
}

/// Todo items for the actor, from every module.
pub async fn todos(state: &AppState, actor: &Actor) -> AppResult<Vec<Todo>> {
    let mut out = Vec::new();
    for module in crate::app::modules() {
        for provider in module.todos {
            let started = std::time::Instant::now();
            out.extend(provider(state, actor).await?);
            // Which module makes the home page slow, visible with RUST_LOG=dangjian::home=debug.
            tracing::debug!(module = module.name, took_ms = started.elapsed().as_secs_f64() * 1000.0, "todos");
        }
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    greeting: &'static str,
    today: String,
    figures: Vec<Figure>,
    todos: Vec<Todo>,
    /// The unit the to-do list is narrowed to (`?unit=ID`), by name.
    unit: Option<String>,
    scopes: Vec<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct HomeQuery {
    /// Narrow the to-do list to this organization's subtree (a drill-down from a count).
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    unit: Option<i32>,
}

fn weekday(w: Weekday) -> &'static str {
    ["一", "二", "三", "四", "五", "六", "日"][w.num_days_from_monday() as usize]
}

pub async fn page(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<HomeQuery>,
    TakeFlash(flash): TakeFlash,
) -> AppResult<Response> {
    // A drill-down: the same providers, answering for the unit as if it were the actor's scope.
    let (todo_actor, unit) = match q.unit {
        None => (actor.clone(), None),
        Some(id) => {
            let o = crate::orgs::store::find(&state.db, id).await?.ok_or(AppError::NotFound)?;
            let target = Target { kind: "org", id: i64::from(o.id), org_path: &o.path };
            guard::check(&state, &actor, Permission::OrgRead, Sensitivity::Normal, target).await?;
            (actor.narrowed_to(&o.path, o.id, &o.name), Some(o.name))
        }
    };
    let local = state.clock.now().with_timezone(&chrono_tz::Asia::Shanghai);
    let greeting = match local.hour() {
        5..=11 => "上午好",
        12..=17 => "下午好",
        _ => "晚上好",
    };
    let page = HomePage {
        layout: Layout::new(&actor, "工作台", "/", flash),
        greeting,
        today: format!(
            "今天是 {}年{}月{}日 星期{}",
            local.year(),
            local.month(),
            local.day(),
            weekday(local.weekday())
        ),
        figures: figures(&state, &actor).await?,
        todos: todos(&state, &todo_actor).await?,
        unit,
        scopes: actor
            .grants
            .iter()
            .map(|g| {
                if g.role.is_system_officer() {
                    g.role.label().to_owned()
                } else {
                    format!("{}：{}及下级", g.role.label(), g.org_name)
                }
            })
            .collect(),
    };
    Ok(render(&page))
}
