//! What the sessions use case plugs into the application (see [`crate::module`]): logging in
//! and out and one's own password. Account administration is `crate::accounts`.

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{api, web};
use crate::module::Module;
use crate::state::AppState;
use crate::ui::NavEntry;

pub fn module() -> Module {
    Module {
        web: web_routes,
        api: api_routes,
        api_tags: &[("session", "会话与本人：登录、退出、当前账号、修改本人密码")],
        nav: &[NavEntry { group: "个人", label: "修改密码", href: "/account/password", visible: |_| true }],
        actions: &[
            ("login.success", "登录成功"),
            ("login.failure", "登录失败（按地址和时段汇总）"),
            ("login.refused_admin_password", "用管理员设置的密码登录敏感账号被拒"),
            ("login.refused_locked", "锁定期间尝试登录"),
            ("login.throttled", "登录被限流"),
            ("account.locked", "账号被锁定"),
            ("logout", "退出登录"),
            ("password.change", "修改密码"),
        ],
        ..Module::empty("auth")
    }
}

fn web_routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(web::login_form).post(web::login_submit))
        .route("/logout", post(web::logout))
        .route("/account/password", get(web::password_form).post(web::password_submit))
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::login, api::logout))
        .routes(routes!(api::me))
        .routes(routes!(api::change_password))
}
