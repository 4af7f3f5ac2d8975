//! What accounts, grants and the security policy plug into the application (see
//! [`crate::module`]).

use axum::Router;
use axum::routing::{get, post};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::entity::user;
use super::{Actor, Permission, api, web};
use crate::error::AppResult;
use crate::module::{BoxFuture, Module};
use crate::state::AppState;
use crate::ui::NavEntry;
use crate::ui::blocks::{Figure, Todo};

pub fn module() -> Module {
    Module {
        web: web_routes,
        api: api_routes,
        api_tags: &[
            ("session", "会话与本人：登录、退出、当前账号、修改本人密码"),
            ("users", "账号、授权、密码重置与接口令牌"),
        ],
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
            NavEntry { group: "个人", label: "修改密码", href: "/account/password", visible: |_| true },
        ],
        actions: &[
            ("login.success", "登录成功"),
            ("login.failure", "登录失败（按地址和时段汇总）"),
            ("login.refused_admin_password", "用管理员设置的密码登录敏感账号被拒"),
            ("login.refused_locked", "锁定期间尝试登录"),
            ("login.throttled", "登录被限流"),
            ("account.locked", "账号被锁定"),
            ("logout", "退出登录"),
            ("password.change", "修改密码"),
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
        ..Module::empty("auth")
    }
}

fn web_routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(web::login_form).post(web::login_submit))
        .route("/logout", post(web::logout))
        .route("/account/password", get(web::password_form).post(web::password_submit))
        .route("/admin/users", get(web::users).post(web::create_user))
        .route("/admin/users/{id}", get(web::user_detail))
        .route("/admin/users/{id}/reset-password", post(web::reset_password))
        .route("/admin/users/{id}/reset-requests", post(web::request_reset))
        .route("/admin/users/{id}/one-time-code", post(web::issue_code))
        .route("/admin/reset-requests/{id}/approve", post(web::approve_reset))
        .route("/admin/reset-requests/{id}/reject", post(web::reject_reset))
        .route("/admin/users/{id}/unlock", post(web::unlock))
        .route("/admin/users/{id}/disable", post(web::disable))
        .route("/admin/users/{id}/enable", post(web::enable))
        .route("/admin/users/{id}/person", post(web::link_person))
        .route("/admin/users/{id}/person/unlink", post(web::unlink_person))
        .route("/admin/users/{id}/grants", post(web::add_grant))
        .route("/admin/users/{id}/grants/{grant_id}/revoke", post(web::revoke_grant))
        .route("/admin/users/{id}/tokens", post(web::create_token))
        .route("/admin/users/{id}/tokens/{token_id}/revoke", post(web::revoke_token))
        .route("/admin/policy", get(web::policy_form).post(web::policy_submit))
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::login, api::logout))
        .routes(routes!(api::me))
        .routes(routes!(api::change_password))
        .routes(routes!(api::list_users, api::create_user))
        .routes(routes!(api::get_user))
        .routes(routes!(api::get_person, api::link_person, api::unlink_person))
        .routes(routes!(api::unlock_user))
        .routes(routes!(api::reset_password))
        .routes(routes!(api::request_reset))
        .routes(routes!(api::issue_code))
        .routes(routes!(api::list_resets))
        .routes(routes!(api::approve_reset))
        .routes(routes!(api::reject_reset))
        .routes(routes!(api::add_grant))
        .routes(routes!(api::revoke_grant))
        .routes(routes!(api::create_token))
        .routes(routes!(api::revoke_token))
}

/// Locked accounts (for both administrators) and reset requests waiting for the security
/// administrator's decision (三员分立): few, so one line each.
fn todos<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>> {
    Box::pin(async move {
        let mut out = Vec::new();
        if actor.can(Permission::GrantManage) {
            for r in super::reset::open_requests(state, actor).await?.into_iter().filter(|r| r.status == "pending") {
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
