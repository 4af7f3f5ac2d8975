//! The committee forms on an organization's page (`crate::orgpage`), and Party's pickers.

use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::auth::Actor;
use crate::error::AppResult;
use crate::orgs::picker::OptionsQuery;
use crate::party::committees::{self, CommitteeInput};
use crate::state::AppState;
use crate::ui::Flash;
use crate::ui::field_errors;
use crate::ui::params::{IdPath, Params, PickerForm};

pub async fn committee_add(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    PickerForm(input): PickerForm<CommitteeInput>,
) -> AppResult<Response> {
    match committees::add_committee(&state, &actor, id, &input).await {
        Ok(()) => Ok(Flash::ok("已增补委员").redirect(&format!("/orgs/{id}"))),
        // The organization's page again, with the errors beside the committee form.
        Err(err) => crate::module::org_page(&state, &actor, id, field_errors(err)?, Vec::new()).await,
    }
}

pub async fn committee_remove(
    State(state): State<AppState>,
    actor: Actor,
    IdPath((id, member_id)): IdPath<(i32, i32)>,
) -> AppResult<Response> {
    committees::remove_committee(&state, &actor, id, member_id).await?;
    Ok(Flash::ok("已免去").redirect(&format!("/orgs/{id}")))
}

/// `GET /party/options`: suggestions of the transfer and committee pickers (see
/// [`crate::party::options`]).
pub async fn options(
    State(state): State<AppState>,
    actor: Actor,
    Params(query): Params<OptionsQuery>,
) -> AppResult<Response> {
    Ok(axum::Json(crate::party::options::options(&state, &actor, &query).await?).into_response())
}
