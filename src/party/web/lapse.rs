//! The review page of the six months' rule (党章第九条): the members it flags with the facts of
//! each condition, and the secretary's conclusion for each.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::party::lapse::{self, Conclusion, LapseList, ReviewInput};
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::form::Form;
use crate::ui::params::{IdPath, Params};
use crate::ui::{Flash, Layout, render};

#[derive(Template)]
#[template(path = "party/lapse.html")]
struct LapsePage {
    layout: Layout,
    list: LapseList,
    conclusions: &'static [Conclusion],
    pages: usize,
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
    let list = lapse::list(&state, &actor, usize::try_from(query.page).unwrap_or(1)).await?;
    let page = LapsePage {
        layout: Layout::new(&actor, "党章第九条核查", "/party/lapse", flash).crumb("党章第九条核查", None),
        pages: list.total.div_ceil(lapse::PAGE_SIZE),
        list,
        conclusions: Conclusion::ALL,
    };
    Ok(render(&page))
}

pub async fn review(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<ReviewInput>,
) -> AppResult<Response> {
    match lapse::review(&state, &actor, id, &input).await {
        Ok(r) => Ok(Flash::ok(format!("已记录核查结论：{}", r.conclusion.label())).redirect("/party/lapse")),
        // The list is long: the message names the field and goes back to it.
        Err(AppError::Fields(list)) => {
            let text: Vec<String> = list.into_iter().map(|(_, m)| m).collect();
            Ok(Flash::error(text.join("；")).redirect("/party/lapse"))
        }
        Err(AppError::Validation { message, .. }) => Ok(Flash::error(message).redirect("/party/lapse")),
        Err(err) => Err(err),
    }
}
