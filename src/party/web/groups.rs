//! The 党小组 forms on a group's organization page (`crate::orgpage`): put a member in the
//! group, make them its leader or no longer, take them out.

use axum::extract::State;
use axum::response::Response;

use crate::auth::Actor;
use crate::error::AppResult;
use crate::party::groups::{self, GroupMemberInput, Placed};
use crate::state::AppState;
use crate::ui::Flash;
use crate::ui::field_errors;
use crate::ui::params::{IdPath, PickerForm};

pub async fn place(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    PickerForm(input): PickerForm<GroupMemberInput>,
) -> AppResult<Response> {
    match groups::place(&state, &actor, id, &input).await {
        Ok((placed, row)) => {
            let said = match placed {
                Placed::Added if row.leader => "已编入党小组并设为组长",
                Placed::Added => "已编入党小组",
                Placed::Changed if row.leader => "已设为组长",
                Placed::Changed => "已取消组长",
                Placed::Unchanged => "没有变化",
            };
            Ok(Flash::ok(said).redirect(&format!("/orgs/{id}")))
        }
        // The group's page again, with the errors beside the form.
        Err(err) => crate::module::org_page(&state, &actor, id, field_errors(err)?, Vec::new()).await,
    }
}

pub async fn remove(
    State(state): State<AppState>,
    actor: Actor,
    IdPath((id, person_id)): IdPath<(i32, i32)>,
) -> AppResult<Response> {
    groups::remove(&state, &actor, id, person_id).await?;
    Ok(Flash::ok("已移出党小组").redirect(&format!("/orgs/{id}")))
}
