//! What account administration plugs into the application (see [`crate::module`]): pages,
//! endpoints, navigation, audit actions, and the home page's locked accounts and pending resets.

use axum::Router;
use axum::routing::{get, post};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{api, resets, web};
use crate::auth::entity::user;
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::module::{BoxFuture, Module};
use crate::state::AppState;
use crate::ui::NavEntry;
use crate::ui::blocks::{Figure, Todo};

pub fn module() -> Module {
    Module {
        web: web_routes,
        api: api_routes,
        api_tags: &[("users", "账号、授权、密码重置与接口令牌")],
        nav: &[
            NavEntry {
                group: "系统管理",
                label: "账号与授权",
                href: "/admin/users",
                visible: |a| a.can(Permission::UserManage) || a.can(Permission::GrantManage),
            },
            NavEntry {
                group: "系统管理",
                label: "安全策略",
                href: "/admin/policy",
                visible: |a| a.can(Permission::PolicyManage),
            },
        ],
        actions: &[
            ("user.create", "新建账号"),
            ("user.password_reset", "重置密码"),
            ("user.reset_request", "申请重置密码"),
            ("user.reset_approve", "批准重置密码并签发一次性设置码"),
            ("user.reset_reject", "驳回重置密码申请"),
            ("user.reset_code", "重置密码并签发一次性设置码"),
            ("user.unlock", "解锁账号"),
            ("user.disable", "停用账号"),
            ("user.enable", "启用账号"),
            ("user.link", "关联人员档案"),
            ("user.unlink", "解除人员档案关联"),
            ("grant.add", "授权"),
            ("grant.revoke", "撤销授权"),
            ("token.create", "创建接口令牌"),
            ("token.revoke", "吊销接口令牌"),
            ("policy.update", "修改安全策略"),
        ],
        permissions: &[Permission::UserManage, Permission::GrantManage, Permission::PolicyManage],
        todos: &[todos],
        figures: &[figures],
        ..Module::empty("accounts")
    }
}

fn web_routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(web::users::users).post(web::users::create_user))
        .route("/admin/users/{id}", get(web::users::user_detail))
        .route("/admin/users/{id}/reset-password", post(web::resets::reset_password))
        .route("/admin/users/{id}/reset-requests", post(web::resets::request_reset))
        .route("/admin/users/{id}/one-time-code", post(web::resets::issue_code))
        .route("/admin/reset-requests/{id}/approve", post(web::resets::approve_reset))
        .route("/admin/reset-requests/{id}/reject", post(web::resets::reject_reset))
        .route("/admin/users/{id}/unlock", post(web::users::unlock))
        .route("/admin/users/{id}/disable", post(web::users::disable))
        .route("/admin/users/{id}/enable", post(web::users::enable))
        .route("/admin/users/{id}/person", post(web::links::link_person))
        .route("/admin/users/{id}/person/unlink", post(web::links::unlink_person))
        .route("/admin/users/{id}/grants", post(web::grants::add_grant))
        .route("/admin/users/{id}/grants/{grant_id}/revoke", post(web::grants::revoke_grant))
        .route("/admin/users/{id}/tokens", post(web::tokens::create_token))
        .route("/admin/users/{id}/tokens/{token_id}/revoke", post(web::tokens::revoke_token))
        .route("/admin/policy", get(web::policy::policy_form).post(web::policy::policy_submit))
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::users::list_users, api::users::create_user))
        .routes(routes!(api::users::get_user))
        .routes(routes!(api::links::get_person, api::links::link_person, api::links::unlink_person))
        .routes(routes!(api::users::unlock_user))
        .routes(routes!(api::resets::reset_password))
        .routes(routes!(api::resets::request_reset))
        .routes(routes!(api::resets::issue_code))
        .routes(routes!(api::resets::list_resets))
        .routes(routes!(api::resets::approve_reset))
        .routes(routes!(api::resets::reject_reset))
        .routes(routes!(api::grants::add_grant))
        .routes(routes!(api::grants::revoke_grant))
        .routes(routes!(api::tokens::create_token))
        .routes(routes!(api::tokens::revoke_token))
}

/// Locked accounts (for both administrators) and reset requests waiting for the security
/// administrator's decision (三员分立): few, so one line each.
fn todos<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>> {
    Box::pin(async move {
        let mut out = Vec::new();
        if actor.can(Permission::GrantManage) {
            for r in resets::open_requests(state, actor)
                .await?
                .into_iter()
                .filter(|r| r.status == resets::ResetState::Pending)
            {
                out.push(Todo {
                    title: format!(
                        "{} 申请重置账号 {}（{}）的密码，待审批",
                        r.requested_by, r.username, r.display_name
                    ),
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
    })
}

fn figures<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Figure>>> {
    Box::pin(async move {
        if !(actor.can(Permission::UserManage) || actor.can(Permission::GrantManage)) {
            return Ok(Vec::new());
        }
        let accounts = user::Entity::find().filter(user::Column::Disabled.eq(false)).count(&state.db).await?;
        Ok(vec![Figure { label: "在用账号", value: accounts.to_string(), href: "/admin/users".into() }])
    })
}
