//! Pages of membership actions (from a person's profile) and of transfers.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::service::{self, JoinInput, TransferInput, TransferRow};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::people::web::profile_page;
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::params::IdPath;
use crate::ui::{Flash, Layout, field_errors, render};

/// Re-shows the profile with the errors next to the membership form's fields.
async fn with_errors(state: &AppState, actor: &Actor, id: i32, err: crate::error::AppError) -> AppResult<Response> {
    let errors = field_errors(err)?;
    let page = profile_page(state, actor, id, None, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub async fn register(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<JoinInput>,
) -> AppResult<Response> {
    match service::register(&state, &actor, id, &input).await {
        Ok(_) => Ok(Flash::ok("已登记入党").redirect(&format!("/people/{id}#section-party"))),
        Err(err) => with_errors(&state, &actor, id, err).await,
    }
}

#[derive(Deserialize)]
pub struct FullForm {
    #[serde(default)]
    full_on: String,
}

pub async fn full(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(form): Form<FullForm>,
) -> AppResult<Response> {
    match service::confirm_full(&state, &actor, id, &form.full_on).await {
        Ok(_) => Ok(Flash::ok("已办理转正").redirect(&format!("/people/{id}#section-party"))),
        Err(err) => with_errors(&state, &actor, id, err).await,
    }
}

pub async fn transfer(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<TransferInput>,
) -> AppResult<Response> {
    match service::request_transfer(&state, &actor, id, &input).await {
        Ok(t) if t.status == "已转出" => Ok(Flash::ok("组织关系已转出本局").redirect(&format!("/people/{id}"))),
        Ok(_) => Ok(Flash::ok("已提交转接申请，等待接收党支部处理").redirect(&format!("/people/{id}"))),
        Err(err) => with_errors(&state, &actor, id, err).await,
    }
}

#[derive(Template)]
#[template(path = "party/transfers.html")]
struct TransfersPage {
    layout: Layout,
    incoming: Vec<TransferRow>,
    outgoing: Vec<TransferRow>,
}

pub async fn transfers(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
) -> AppResult<Response> {
    let (incoming, outgoing) = service::list_transfers(&state, &actor).await?;
    let page = TransfersPage {
        layout: Layout::new(&actor, "组织关系转接", "/party/transfers", flash).crumb("组织关系转接", None),
        incoming,
        outgoing,
    };
    Ok(render(&page))
}

pub async fn accept(State(state): State<AppState>, actor: Actor, IdPath(id): IdPath<i32>) -> AppResult<Response> {
    service::decide_transfer(&state, &actor, id, true, "").await?;
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
    match service::decide_transfer(&state, &actor, id, false, &form.reason).await {
        Ok(()) => Ok(Flash::ok("已退回").redirect("/party/transfers")),
        Err(crate::error::AppError::Validation { message, .. }) => {
            Ok(Flash::error(message).redirect("/party/transfers"))
        }
        Err(err) => Err(err),
    }
}
