//! Pages of the Party domain, one file per use case as in the domain: `membership` (the
//! profile's register and full-membership forms), `transfers`, `transfer_in`, `dues`, `letter`,
//! `committees` (the committee forms of an organization's page, and Party's pickers), `groups`
//! (the 党小组 forms of a group's page).

pub mod committees;
pub mod dues;
pub mod groups;
pub mod incomplete;
pub mod lapse;
pub mod letter;
pub mod membership;
pub mod transfer_in;
pub mod transfers;

use axum::response::Response;

use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::ui::field_errors;

/// Re-shows the profile with the errors next to the failed form's fields (the profile panel's
/// membership and dues base forms).
async fn with_errors(state: &AppState, actor: &Actor, id: i32, err: AppError) -> AppResult<Response> {
    let errors = field_errors(err)?;
    crate::module::profile_page(state, actor, id, errors).await
}
