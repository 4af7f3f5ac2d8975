//! JSON API of the memberships to complete (转正日期待补录).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Actor;
use crate::error::{AppResult, ErrorBody};
use crate::party::incomplete::{self, IncompleteList};
use crate::state::AppState;
use crate::ui::params::Params;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncompleteQuery {
    /// 页码，从 1 开始，每页 100 名
    #[serde(default, deserialize_with = "crate::ui::params::page_num")]
    #[param(value_type = Option<u64>, minimum = 1)]
    page: u64,
}

#[utoipa::path(
    get, path = "/memberships/incomplete", tag = "membership", operation_id = "list_incomplete_memberships",
    summary = "转正日期待补录的党员",
    description = "党务管理员、书记/支委：其写范围内由名册导入、已是正式党员但没有转正日期（`full_on_unknown`）的党员。\
        用 `POST /persons/{id}/membership/full` 补录转正日期。",
    params(IncompleteQuery),
    security(("session" = []), ("token" = [])),
    responses(
        (status = 200, description = "待补录的党员", body = IncompleteList),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "没有写权限", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    Params(q): Params<IncompleteQuery>,
) -> AppResult<Json<IncompleteList>> {
    Ok(Json(incomplete::list(&state, &actor, q.page).await?))
}
