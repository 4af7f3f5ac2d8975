//! The profile panel's membership forms: register (登记入党), confirm full membership (转正),
//! extend the probation; and the page that ends a membership.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::with_errors;
use crate::auth::Actor;
use crate::error::AppResult;
use crate::party::ending::{self, EndInput};
use crate::party::membership::{self, ExtendInput, FullInput, JoinInput};
use crate::party::{EndKind, MemberStatus};
use crate::state::AppState;
use crate::ui::blocks::Choice;
use crate::ui::form::Form;
use crate::ui::params::{IdPath, Params};
use crate::ui::{Flash, Layout, field_errors, render};

pub async fn register(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<JoinInput>,
) -> AppResult<Response> {
    match membership::register(&state, &actor, id, &input).await {
        Ok(_) => Ok(Flash::ok("已登记入党").redirect(&format!("/people/{id}#section-party"))),
        Err(err) => with_errors(&state, &actor, id, err).await,
    }
}

pub async fn full(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<FullInput>,
) -> AppResult<Response> {
    match membership::confirm_full(&state, &actor, id, &input).await {
        Ok(_) => Ok(Flash::ok("已办理转正").redirect(&format!("/people/{id}#section-party"))),
        Err(err) => with_errors(&state, &actor, id, err).await,
    }
}

pub async fn extend(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<ExtendInput>,
) -> AppResult<Response> {
    match membership::extend(&state, &actor, id, &input).await {
        Ok(_) => Ok(Flash::ok("已延长预备期").redirect(&format!("/people/{id}#section-party"))),
        Err(err) => with_errors(&state, &actor, id, err).await,
    }
}

#[derive(Template)]
#[template(path = "party/end.html")]
struct EndPage {
    layout: Layout,
    id: i32,
    name: String,
    probationary: bool,
    kinds: Vec<Choice>,
    input: EndInput,
    errors: crate::ui::FieldErrors,
}

/// The ending has a page of its own: a serious step, with its consequences spelled out before
/// it is taken, reached from the profile (or from a roster edit that marked the person dead).
async fn end_page(
    state: &AppState,
    actor: &Actor,
    id: i32,
    input: EndInput,
    errors: crate::ui::FieldErrors,
) -> AppResult<Response> {
    let (p, m) = ending::endable(state, actor, id).await?;
    let name = p.name;
    let chosen = EndKind::from_input(&input.kind);
    let kinds = EndKind::ALL
        .iter()
        .filter(|k| **k != EndKind::Cancelled || !crate::party::is_full(&m))
        .filter(|k| **k != EndKind::Stopped || m.status != MemberStatus::Suspended)
        .map(|k| Choice { value: k.as_str().into(), label: k.label().into(), selected: chosen == Some(*k) })
        .collect();
    let page = EndPage {
        layout: Layout::new(actor, "党籍终止", "/people", None)
            .crumb("民辅警档案", Some("/people".into()))
            .crumb(name.clone(), Some(format!("/people/{id}")))
            .crumb("党籍终止", None),
        id,
        name,
        probationary: !crate::party::is_full(&m),
        kinds,
        input,
        errors,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&page)).into_response())
}

#[derive(Deserialize)]
pub struct EndQuery {
    #[serde(default)]
    kind: String,
}

pub async fn end_form(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Params(query): Params<EndQuery>,
) -> AppResult<Response> {
    let input = EndInput { kind: query.kind, ..Default::default() };
    end_page(&state, &actor, id, input, Default::default()).await
}

pub async fn end(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<EndInput>,
) -> AppResult<Response> {
    match ending::end_membership(&state, &actor, id, &input).await {
        Ok(m) => {
            let kind = m.end_kind.map(|k| k.label()).unwrap_or_default();
            Ok(Flash::ok(format!("已登记：{kind}")).redirect(&format!("/people/{id}#section-party")))
        }
        Err(err) => {
            let errors = field_errors(err)?;
            end_page(&state, &actor, id, input, errors).await
        }
    }
}
