//! The page of memberships to complete (转正日期待补录).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::AppResult;
use crate::party::incomplete::{self, IncompleteList};
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::params::Params;
use crate::ui::{Layout, render};

#[derive(Template)]
#[template(path = "party/incomplete.html")]
struct IncompletePage {
    layout: Layout,
    list: IncompleteList,
    pages: u64,
}

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(default, deserialize_with = "crate::ui::params::page_num")]
    page: u64,
}

pub async fn page(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    Params(query): Params<PageQuery>,
) -> AppResult<Response> {
    let list = incomplete::list(&state, &actor, query.page).await?;
    let page = IncompletePage {
        layout: Layout::new(&actor, "转正日期待补录", "/party/incomplete", flash).crumb("转正日期待补录", None),
        pages: list.total.div_ceil(incomplete::PAGE_SIZE),
        list,
    };
    Ok(render(&page))
}
