//! Creating and revoking API tokens.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::SecretPage;
use super::users::user_page;
use crate::accounts::tokens::{self, TokenSummary};
use crate::auth::Actor;
use crate::auth::web::WebForm;
use crate::clock::display_local;
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::params::IdPath;
use crate::ui::{Flash, Layout, field_errors, render};

pub struct TokenRow {
    pub id: i32,
    pub name: String,
    pub created_at: String,
    pub last_used_at: String,
    pub revoked: bool,
}

impl From<TokenSummary> for TokenRow {
    fn from(t: TokenSummary) -> Self {
        Self {
            id: t.id,
            name: t.name,
            created_at: display_local(t.created_at),
            last_used_at: t.last_used_at.map(display_local).unwrap_or_else(|| "未使用".into()),
            revoked: t.revoked_at.is_some(),
        }
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    WebForm(form): WebForm<TokenForm>,
) -> AppResult<Response> {
    match tokens::create_token(&state, &actor, id, &form.name).await {
        Ok((_, token)) => {
            let page = SecretPage {
                layout: Layout::new(&actor, "接口令牌已创建", "/admin/users", None)
                    .crumb("账号与授权", Some("/admin/users".into())),
                heading: format!("接口令牌“{}”已创建", form.name.trim()),
                explanation:
                    "请求时放在请求头 Authorization: Bearer <令牌> 中。令牌只显示这一次，权限与该账号相同，可随时吊销。"
                        .into(),
                secret: token,
                back: format!("/admin/users/{id}"),
            };
            Ok(render(&page))
        }
        Err(err) => {
            let errors = field_errors(err)?;
            let mut page = user_page(&state, &actor, id, None).await?;
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    actor: Actor,
    IdPath((id, token_id)): IdPath<(i32, i32)>,
) -> AppResult<Response> {
    tokens::revoke_token(&state, &actor, token_id).await?;
    Ok(Flash::ok("令牌已吊销").redirect(&format!("/admin/users/{id}")))
}
