//! Pages of transfers: the form from a member's profile, the list, accept and return.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::AppResult;
use crate::party::TransferStatus;
use crate::party::transfers::{self, TransferInput, TransferRow};
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::form::Form;
use crate::ui::params::IdPath;
use crate::ui::{Flash, Layout, field_errors, render};

#[derive(Template)]
#[template(path = "party/transfer.html")]
struct TransferPage {
    layout: Layout,
    id: i32,
    name: String,
    /// The branch picker's text: the chosen branch only.
    branch: String,
    input: TransferInput,
    errors: crate::ui::FieldErrors,
}

/// The transfer form has a page of its own: it lists every branch of the bureau, which the
/// profile page, opened far more often, should not have to carry.
async fn transfer_page(
    state: &AppState,
    actor: &Actor,
    id: i32,
    input: TransferInput,
    errors: crate::ui::FieldErrors,
) -> AppResult<Response> {
    let (name, _) = transfers::transferable(state, actor, id).await?;
    let branch = crate::orgs::picker::picked_text(state, actor, None, input.to_org_id).await?;
    let page = TransferPage {
        layout: Layout::new(actor, "转接组织关系", "/people", None)
            .crumb("民辅警档案", Some("/people".into()))
            .crumb(name.clone(), Some(format!("/people/{id}")))
            .crumb("转接组织关系", None),
        id,
        name,
        branch,
        input,
        errors,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&page)).into_response())
}

pub async fn transfer_form(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
) -> AppResult<Response> {
    transfer_page(&state, &actor, id, TransferInput::default(), crate::ui::FieldErrors::new()).await
}

pub async fn transfer(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    crate::ui::params::PickerForm(input): crate::ui::params::PickerForm<TransferInput>,
) -> AppResult<Response> {
    match transfers::request_transfer(&state, &actor, id, &input).await {
        Ok(t) if t.status == TransferStatus::Out => {
            Ok(Flash::ok("组织关系已转出本局").redirect(&format!("/people/{id}")))
        }
        Ok(_) => Ok(Flash::ok("已提交转接申请，等待接收党支部处理").redirect(&format!("/people/{id}"))),
        Err(err) => {
            let errors = field_errors(err)?;
            transfer_page(&state, &actor, id, input, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "party/transfers.html")]
struct TransfersPage {
    layout: Layout,
    incoming: Vec<TransferRow>,
    outgoing: Vec<TransferRow>,
    transfers_in: Vec<crate::party::transfer_in::TransferInRow>,
    today: chrono::NaiveDate,
}

pub async fn transfers(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
) -> AppResult<Response> {
    let (incoming, outgoing) = transfers::list_transfers(&state, &actor).await?;
    let transfers_in = crate::party::transfer_in::recent(&state, &actor).await?;
    let page = TransfersPage {
        layout: Layout::new(&actor, "组织关系转接", "/party/transfers", flash).crumb("组织关系转接", None),
        incoming,
        outgoing,
        transfers_in,
        today: state.clock.today(),
    };
    Ok(render(&page))
}

pub async fn accept(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    transfers::decide_transfer(&state, &actor, id, true, "").await?;
    Ok(Flash::ok("已接收").redirect("/party/transfers"))
}

#[derive(Deserialize)]
pub struct RejectForm {
    #[serde(default)]
    reason: String,
}

pub async fn reject(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(form): Form<RejectForm>,
) -> AppResult<Response> {
    match transfers::decide_transfer(&state, &actor, id, false, &form.reason).await {
        Ok(()) => Ok(Flash::ok("已退回").redirect("/party/transfers")),
        Err(crate::error::AppError::Validation { message, .. }) => {
            Ok(Flash::error(message).redirect("/party/transfers"))
        }
        Err(err) => Err(err),
    }
}
