//! Password resets: the system administrator's direct reset and request, the security
//! administrator's one-time code, approval and rejection.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::SecretPage;
use super::users::user_page;
use crate::accounts::{resets, users};
use crate::auth::Actor;
use crate::auth::web::WebForm;
use crate::clock::display_local;
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::params::IdPath;
use crate::ui::{Flash, Layout, field_errors, render};

pub struct ResetRow {
    pub id: i32,
    pub pending: bool,
    pub requested_by: String,
    pub requested_at: String,
    pub reason: String,
    pub status: &'static str,
    pub expires_at: String,
    pub username: String,
    pub display_name: String,
    pub user_id: i32,
}

impl From<resets::ResetView> for ResetRow {
    fn from(r: resets::ResetView) -> Self {
        Self {
            id: r.id,
            pending: r.status == resets::ResetState::Pending,
            requested_by: r.requested_by,
            requested_at: display_local(r.requested_at),
            reason: r.reason.unwrap_or_default(),
            status: r.status_label,
            expires_at: r.expires_at.map(display_local).unwrap_or_default(),
            username: r.username,
            display_name: r.display_name,
            user_id: r.user_id,
        }
    }
}

pub async fn reset_password(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    let new = resets::reset_password(&state, &actor, id, None).await?;
    let page = SecretPage {
        layout: Layout::new(&actor, "密码已重置", "/admin/users", None)
            .crumb("账号与授权", Some("/admin/users".into())),
        heading: "密码已重置".into(),
        explanation: "请将临时密码经安全渠道交给本人。此密码只显示这一次，登录后必须修改；该账号的所有会话已结束。"
            .into(),
        secret: new,
        back: format!("/admin/users/{id}"),
    };
    Ok(render(&page))
}

#[derive(Deserialize, Default)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// The system administrator asks for a reset of a sensitive account.
pub async fn request_reset(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    WebForm(form): WebForm<ReasonForm>,
) -> AppResult<Response> {
    match resets::request(&state, &actor, id, &form.reason).await {
        Ok(_) => Ok(Flash::ok("已提交重置申请，等待安全保密管理员批准").redirect(&format!("/admin/users/{id}"))),
        Err(err) => {
            let errors = field_errors(err)?;
            let mut page = user_page(&state, &actor, id, None).await?;
            page.form_reason = form.reason;
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

fn code_page(actor: &Actor, issued: resets::IssuedCode, display_name: &str) -> Response {
    let page = SecretPage {
        layout: Layout::new(actor, "一次性设置码已签发", "/admin/users", None)
            .crumb("账号与授权", Some("/admin/users".into()))
            .crumb(issued.username.clone(), Some(format!("/admin/users/{}", issued.user_id))),
        heading: format!("账号 {} 的一次性设置码", issued.username),
        explanation: format!(
            "请当面或经安全渠道交给{display_name}本人，不要交给他人（包括系统管理员）。本人在登录页填写用户名，在密码框中输入此设置码，\
             登录后只能设置自己的新密码。设置码 {} 前有效，只能使用一次；原密码已失效，该账号的会话已全部结束。此设置码只显示这一次。",
            display_local(issued.expires_at)
        ),
        secret: issued.one_time_code,
        back: format!("/admin/users/{}", issued.user_id),
    };
    render(&page)
}

/// The security administrator resets an account directly with a one-time code.
pub async fn issue_code(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    WebForm(form): WebForm<ReasonForm>,
) -> AppResult<Response> {
    let issued = resets::issue(&state, &actor, id, &form.reason).await?;
    let u = users::get_user(&state, &actor, id).await?;
    Ok(code_page(&actor, issued, &u.display_name))
}

/// The security administrator approves the system administrator's request.
pub async fn approve_reset(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    let issued = resets::approve(&state, &actor, id).await?;
    let u = users::get_user(&state, &actor, issued.user_id).await?;
    Ok(code_page(&actor, issued, &u.display_name))
}

pub async fn reject_reset(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    let user_id = resets::reject(&state, &actor, id).await?;
    Ok(Flash::ok("已驳回重置申请").redirect(&format!("/admin/users/{user_id}")))
}
