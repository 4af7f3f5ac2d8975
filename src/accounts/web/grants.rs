//! Giving and taking grants.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::users::user_page;
use crate::accounts::{grants, users};
use crate::auth::web::WebForm;
use crate::auth::{Actor, Role};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::ui::params::IdPath;
use crate::ui::{Flash, field_errors, render};

#[derive(Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    org_id: String,
}

pub async fn add_grant(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    WebForm(form): WebForm<GrantForm>,
) -> AppResult<Response> {
    let result = async {
        let role = Role::parse(&form.role).ok_or_else(|| AppError::validation("role", "请选择角色"))?;
        let org_id = crate::ui::params::picked_id(&form.org_id)
            .ok_or_else(|| AppError::validation("org_id", "请选择授权范围（输入名称中的字后点选，或填党组织编号）"))?;
        grants::add_grant(&state, &actor, id, role, org_id).await
    }
    .await;
    match result {
        Ok(_) => {
            let u = users::get_user(&state, &actor, id).await?;
            let message = if u.needs_owner_password() {
                "已授权。该账号现在可以查阅敏感信息，而它的密码不是本人设置的：在本人用一次性设置码设置密码之前不能登录，\
                 请签发一次性设置码交给本人"
            } else {
                "已授权"
            };
            Ok(Flash::ok(message).redirect(&format!("/admin/users/{id}")))
        }
        Err(err) => {
            let errors = field_errors(err)?;
            let mut page = user_page(&state, &actor, id, None).await?;
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

pub async fn revoke_grant(
    State(state): State<AppState>,
    actor: Actor,
    IdPath((id, grant_id)): IdPath<(i32, i32)>,
) -> AppResult<Response> {
    grants::revoke_grant(&state, &actor, grant_id).await?;
    Ok(Flash::ok("授权已撤销").redirect(&format!("/admin/users/{id}")))
}
