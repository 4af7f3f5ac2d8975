//! The page of a transfer in from outside the bureau (从局外转入), reached from the profile.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::party::MemberCategory;
use crate::party::membership::parse_category;
use crate::party::transfer_in::{self, TransferInInput};
use crate::state::AppState;
use crate::ui::blocks::Choice;
use crate::ui::params::{IdPath, PickerForm};
use crate::ui::{Flash, Layout, field_errors, render};

#[derive(Template)]
#[template(path = "party/transfer_in.html")]
struct TransferInPage {
    layout: Layout,
    id: i32,
    name: String,
    /// A member who once transferred out and comes back.
    returning: bool,
    /// The branch picker's text: the chosen branch only.
    branch: String,
    categories: Vec<Choice>,
    input: TransferInInput,
    errors: crate::ui::FieldErrors,
}

/// A page of its own, like the transfer out: the receiving branch's picker and the letter's
/// details are more than the profile should carry.
async fn page(
    state: &AppState,
    actor: &Actor,
    id: i32,
    mut input: TransferInInput,
    errors: crate::ui::FieldErrors,
) -> AppResult<Response> {
    let (p, before) = transfer_in::receivable(state, actor, id).await?;
    if input.to_org_id.is_none() && errors.is_empty() {
        // The branch the person is placed in, when it is one.
        let here = match p.org_id {
            Some(org) => crate::orgs::store::find(&state.db, org).await?,
            None => None,
        };
        input.to_org_id = here.filter(|o| crate::party::is_branch_kind(&o.kind)).map(|o| o.id);
    }
    let branch = crate::orgs::picker::picked_text(state, actor, Some(Permission::PersonWrite), input.to_org_id).await?;
    let chosen = parse_category(&input.category);
    let categories = MemberCategory::ALL
        .iter()
        .map(|c| Choice { value: c.as_str().into(), label: c.label().into(), selected: chosen == Some(*c) })
        .collect();
    let page = TransferInPage {
        layout: Layout::new(actor, "从局外转入", "/people", None)
            .crumb("民辅警档案", Some("/people".into()))
            .crumb(p.name.clone(), Some(format!("/people/{id}")))
            .crumb("从局外转入", None),
        id,
        name: p.name,
        returning: before.is_some(),
        branch,
        categories,
        input,
        errors,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&page)).into_response())
}

pub async fn form(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    page(&state, &actor, id, TransferInInput::default(), crate::ui::FieldErrors::new()).await
}

pub async fn submit(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    PickerForm(input): PickerForm<TransferInInput>,
) -> AppResult<Response> {
    match transfer_in::transfer_in(&state, &actor, id, &input).await {
        Ok(_) => Ok(Flash::ok("已办理转入，党员档案已建立").redirect(&format!("/people/{id}#section-party"))),
        Err(err) => {
            let errors = field_errors(err)?;
            page(&state, &actor, id, input, errors).await
        }
    }
}
