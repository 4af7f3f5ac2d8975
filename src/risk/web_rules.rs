//! The early-warning rules in the browser (issue 14, item 4): the list of rules with, for each,
//! whether it is on, the level it gives and its threshold where it has one, edited in place with
//! the reasons beside the fields; the same permission as the API (`DisciplineWrite`). Also the
//! person picker of the new-flag form: people in the caller's risk scope by name.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::LEVELS;
use super::warnings::{self, RuleInput};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::orgs::picker::PickOption;
use crate::state::AppState;
use crate::ui::blocks::Choice;
use crate::ui::flash::TakeFlash;
use crate::ui::form::Form;
use crate::ui::params::IdPath;
use crate::ui::{FieldErrors, Flash, Layout, field_errors, render};

/// One rule as the page shows it: the values (as saved, or as typed when refused) and the errors.
pub struct RuleRow {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub enabled: bool,
    pub level: String,
    pub threshold: String,
    /// What the threshold counts and its range, when the rule has one.
    pub threshold_hint: Option<String>,
    pub levels: Vec<Choice>,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "risk/rules.html")]
struct RulesPage {
    layout: Layout,
    rows: Vec<RuleRow>,
    refused: bool,
}

async fn rules_page(
    state: &AppState,
    actor: &Actor,
    flash: Option<Flash>,
    typed: Option<(i32, RuleForm, FieldErrors)>,
) -> AppResult<Response> {
    let rules = warnings::rules(state, actor).await?;
    let mut refused = false;
    let rows = rules
        .into_iter()
        .map(|r| {
            let hint =
                warnings::threshold_of(&r.code).map(|t| format!("{}（{}–{} {}）", t.label, t.min, t.max, t.unit));
            let mut row = RuleRow {
                id: r.id,
                code: r.code,
                name: r.name,
                enabled: r.enabled,
                level: r.level,
                threshold: r.threshold.to_string(),
                threshold_hint: hint,
                levels: Vec::new(),
                errors: FieldErrors::new(),
            };
            if let Some((_, form, errors)) = typed.as_ref().filter(|(id, _, _)| *id == row.id) {
                refused = true;
                row.enabled = form.enabled == "1";
                row.level = form.level.trim().to_owned();
                row.threshold = form.threshold.trim().to_owned();
                row.errors = errors.clone();
            }
            row.levels = Choice::texts(&LEVELS, &row.level);
            row
        })
        .collect();
    let layout = Layout::new(actor, "预警规则", "/risk/warnings", flash)
        .crumb("预警审看", Some("/risk/warnings".into()))
        .crumb("预警规则", None);
    let status = if refused { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, render(&RulesPage { layout, rows, refused })).into_response())
}

pub async fn rules(State(state): State<AppState>, actor: Actor, TakeFlash(flash): TakeFlash) -> AppResult<Response> {
    rules_page(&state, &actor, flash, None).await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RuleForm {
    enabled: String,
    level: String,
    threshold: String,
}

pub async fn save_rule(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(form): Form<RuleForm>,
) -> AppResult<Response> {
    actor.require(Permission::DisciplineWrite)?;
    let text = form.threshold.trim();
    let threshold = match text.parse::<i32>() {
        _ if text.is_empty() => None,
        Ok(t) => Some(t),
        Err(_) => {
            let mut errors = FieldErrors::new();
            errors.insert("threshold".into(), format!("阈值“{text}”应为整数"));
            return rules_page(&state, &actor, None, Some((id, form, errors))).await;
        }
    };
    let input = RuleInput { enabled: Some(form.enabled == "1"), level: form.level.clone(), threshold };
    match warnings::update_rule(&state, &actor, id, &input).await {
        Ok(r) => Ok(Flash::ok(format!("已保存预警规则：{}", r.name)).redirect("/risk/warnings/rules")),
        Err(err) => {
            let errors = field_errors(err)?;
            rules_page(&state, &actor, None, Some((id, form, errors))).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OptionsQuery {
    q: String,
}

/// `GET /risk/options?q=`: people in the caller's risk scope (`DisciplineRiskRead`) whose name,
/// initials or police number the text finds, at most 20: the new-flag form's person picker.
pub async fn options(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<OptionsQuery>,
) -> AppResult<Response> {
    actor.require(Permission::DisciplineRiskRead)?;
    let scope = actor.scope(Permission::DisciplineRiskRead);
    let root = actor
        .grants
        .iter()
        .filter(|g| g.role.has(Permission::DisciplineRiskRead))
        .map(|g| g.org_path.clone())
        .min_by_key(String::len)
        .unwrap_or_else(|| "/".to_owned());
    let rows =
        crate::people::store::pick_among(&state.db, crate::people::store::everyone_in(&root), true, &q.q, 20).await?;
    let org_ids: Vec<i32> = rows.iter().filter_map(|p| p.org_id).collect();
    let orgs = crate::orgs::store::names(&state.db, &org_ids).await?;
    let items: Vec<PickOption> = rows
        .into_iter()
        .filter(|p| scope.contains(p.org_path.as_deref().unwrap_or("/")))
        .map(|p| {
            let org = p.org_id.and_then(|o| orgs.get(&o)).map(|o| format!(" · {o}")).unwrap_or_default();
            PickOption { id: p.id, value: format!("{}（#{}）", p.name, p.id), label: format!("{}{org}", p.kind) }
        })
        .collect();
    Ok(axum::Json(items).into_response())
}
