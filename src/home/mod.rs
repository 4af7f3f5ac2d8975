//! 工作台: the first page after login. Key figures and todo items are computed from records
//! (never typed in); each module contributes its own in [`figures`] and [`todos`].

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::{Datelike, Timelike, Weekday};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::auth::entity::user;
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::orgs::{entity as org, store};
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::{Layout, render};

pub struct Figure {
    pub label: &'static str,
    pub value: String,
    pub href: String,
}

pub struct Todo {
    pub title: String,
    pub href: String,
    pub due: Option<String>,
    /// `high`, `normal`: a CSS modifier.
    pub urgency: &'static str,
}

/// Figures for the actor's scope.
pub async fn figures(state: &AppState, actor: &Actor) -> AppResult<Vec<Figure>> {
    let mut out = Vec::new();
    if actor.can(Permission::OrgRead) {
        let orgs = org::Entity::find()
            .filter(store::in_scope(org::Column::Path, &actor.scope(Permission::OrgRead)))
            .filter(org::Column::DissolvedAt.is_null())
            .count(&state.db)
            .await?;
        out.push(Figure { label: "党组织", value: orgs.to_string(), href: "/orgs".into() });
    }
    if actor.can(Permission::PersonRead) {
        let people = crate::people::count_in_scope(state, actor).await?;
        out.push(Figure { label: "民辅警", value: people.to_string(), href: "/people".into() });
    }
    if actor.can(Permission::UserManage) || actor.can(Permission::GrantManage) {
        let accounts = user::Entity::find().filter(user::Column::Disabled.eq(false)).count(&state.db).await?;
        out.push(Figure { label: "在用账号", value: accounts.to_string(), href: "/admin/users".into() });
    }
    Ok(out)
}

/// Todo items for the actor.
pub async fn todos(state: &AppState, actor: &Actor) -> AppResult<Vec<Todo>> {
    let mut out = crate::party::service::todos(state, actor).await?;
    out.extend(crate::party::dues::todos(state, actor).await?);
    out.extend(crate::orgs::governance::todos(state, actor).await?);
    // Requests for a reset of an account with sensitive access wait for the security
    // administrator's decision (三员分立): one line per request, there are few.
    if actor.can(Permission::GrantManage) {
        for r in crate::auth::reset::open_requests(state, actor).await?.into_iter().filter(|r| r.status == "pending") {
            out.push(Todo {
                title: format!("{} 申请重置账号 {}（{}）的密码，待审批", r.requested_by, r.username, r.display_name),
                href: format!("/admin/users/{}", r.user_id),
                due: Some(format!("申请于 {}", crate::clock::display_local(r.requested_at))),
                urgency: "high",
            });
        }
    }
    if actor.can(Permission::PolicyManage) || actor.can(Permission::UserManage) {
        let now = state.clock.now_db();
        let locked = user::Entity::find().filter(user::Column::LockedUntil.gt(now)).all(&state.db).await?;
        for u in locked {
            out.push(Todo {
                title: format!("账号 {}（{}）因登录失败次数过多被锁定", u.username, u.display_name),
                href: format!("/admin/users/{}", u.id),
                due: u.locked_until.map(|t| format!("至 {}", crate::clock::display_local(t))),
                urgency: "high",
            });
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
    scopes: Vec<String>,
}

fn weekday(w: Weekday) -> &'static str {
    ["一", "二", "三", "四", "五", "六", "日"][w.num_days_from_monday() as usize]
}

pub async fn page(State(state): State<AppState>, actor: Actor, TakeFlash(flash): TakeFlash) -> AppResult<Response> {
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
        todos: todos(&state, &actor).await?,
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
