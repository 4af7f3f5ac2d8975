//! The security policy page.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::accounts::policy;
use crate::auth::policy::SecurityPolicy;
use crate::auth::web::WebForm;
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::{FieldErrors, Flash, Layout, field_errors, render};

pub struct PolicyField {
    pub name: String,
    pub label: &'static str,
    pub value: String,
    pub min: i64,
    pub max: i64,
}

#[derive(Template)]
#[template(path = "admin/policy.html")]
struct PolicyPage {
    layout: Layout,
    fields: Vec<PolicyField>,
    errors: FieldErrors,
}

fn policy_fields(policy: &SecurityPolicy, typed: Option<&HashMap<String, String>>) -> Vec<PolicyField> {
    SecurityPolicy::FIELDS
        .iter()
        .map(|(name, label, min, max)| PolicyField {
            name: (*name).to_owned(),
            label,
            value: typed.and_then(|t| t.get(*name).cloned()).unwrap_or_else(|| policy.get(name).to_string()),
            min: *min,
            max: *max,
        })
        .collect()
}

pub async fn policy_form(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
) -> AppResult<Response> {
    actor.require(Permission::PolicyManage)?;
    let policy = state.policy().await?;
    let page = PolicyPage {
        layout: Layout::new(&actor, "安全策略", "/admin/policy", flash).crumb("安全策略", None),
        fields: policy_fields(&policy, None),
        errors: FieldErrors::new(),
    };
    Ok(render(&page))
}

pub async fn policy_submit(
    State(state): State<AppState>,
    actor: Actor,
    WebForm(form): WebForm<HashMap<String, String>>,
) -> AppResult<Response> {
    match policy::update_policy(&state, &actor, &form).await {
        Ok(_) => Ok(Flash::ok("安全策略已保存").redirect("/admin/policy")),
        Err(err) => {
            let errors = field_errors(err)?;
            let policy = state.policy().await?;
            let page = PolicyPage {
                layout: Layout::new(&actor, "安全策略", "/admin/policy", None).crumb("安全策略", None),
                fields: policy_fields(&policy, Some(&form)),
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}
