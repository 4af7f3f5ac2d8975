//! The letter of a transfer out of the bureau: the Word download (also the API's handler), and
//! the forms on the transfers page that issue it and record its receipt.

use axum::extract::State;
use axum::response::Response;

use crate::auth::Actor;
use crate::error::AppResult;
use crate::party::letter::{self, IssueInput, ReceiptInput};
use crate::state::AppState;
use crate::ui::form::Form;
use crate::ui::params::IdPath;
use crate::ui::{Flash, field_errors};

pub async fn letter(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    let (name, bytes) = letter::letter(&state, &actor, id).await?;
    Ok(letter::download(&name, bytes))
}

/// Back to the transfer's row, with what was refused (every field's reason) as the message.
fn refused(id: i32, err: crate::error::AppError) -> AppResult<Response> {
    let errors = field_errors(err)?;
    let message = errors.values().cloned().collect::<Vec<_>>().join("；");
    Ok(Flash::error(message).redirect(&format!("/party/transfers#transfer-{id}")))
}

pub async fn issue(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<IssueInput>,
) -> AppResult<Response> {
    match letter::issue(&state, &actor, id, &input).await {
        Ok(l) => {
            Ok(Flash::ok(format!("已开具介绍信 {}", l.number())).redirect(&format!("/party/transfers#transfer-{id}")))
        }
        Err(err) => refused(id, err),
    }
}

pub async fn receipt(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<ReceiptInput>,
) -> AppResult<Response> {
    match letter::record_receipt(&state, &actor, id, &input).await {
        Ok(l) => Ok(Flash::ok(format!("已登记介绍信 {} 的回执", l.number()))
            .redirect(&format!("/party/transfers#transfer-{id}"))),
        Err(err) => refused(id, err),
    }
}
