//! Linking an account to its person record.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::users::user_page;
use crate::accounts::links::{self, PersonRef};
use crate::accounts::users;
use crate::auth::Actor;
use crate::auth::web::WebForm;
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::params::IdPath;
use crate::ui::{Flash, field_errors, render};

#[derive(Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    person_ref: String,
}

pub async fn link_person(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    WebForm(form): WebForm<PersonForm>,
) -> AppResult<Response> {
    let result = async {
        let person = PersonRef::parse(&form.person_ref)?;
        links::link_person(&state, &actor, id, &person).await
    }
    .await;
    match result {
        Ok(p) => {
            let mut message = format!("已关联人员档案：{}（{}）", p.name, p.org_name);
            if users::get_user(&state, &actor, id).await?.needs_owner_password() {
                message
                    .push_str("。该账号现在能查阅本人的敏感信息，而它的密码不是本人设置的：请签发一次性设置码交给本人");
            }
            Ok(Flash::ok(message).redirect(&format!("/admin/users/{id}")))
        }
        Err(err) => {
            let errors = field_errors(err)?;
            let mut page = user_page(&state, &actor, id, None).await?;
            page.form_person_ref = form.person_ref;
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

pub async fn unlink_person(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    links::unlink_person(&state, &actor, id).await?;
    Ok(Flash::ok("已解除与人员档案的关联").redirect(&format!("/admin/users/{id}")))
}
