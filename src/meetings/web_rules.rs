//! The page where a party administrator of the whole bureau edits the meeting types and their
//! rules (issue 11 item 1; others who read organizations see the same table, read-only), and the
//! person picker of the 谈心谈话 form.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sea_orm::EntityTrait;
use serde::Deserialize;

use super::entity::kind;
use super::types::{self, QUORUMS, TypeInput};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::form::Form;
use crate::ui::params::IdPath;
use crate::ui::{FieldErrors, Flash, Layout, field_errors, render};

/// One row of the table as shown: the stored type, or what was typed when it was refused.
pub struct TypeRow {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub period: String,
    pub times: String,
    pub quorum: String,
    pub active: bool,
    pub applies_to: &'static str,
    pub errors: FieldErrors,
}

impl TypeRow {
    fn of(k: &kind::Model) -> Self {
        TypeRow {
            id: k.id,
            code: k.code.clone(),
            name: k.name.clone(),
            period: k.period.clone().unwrap_or_default(),
            times: k.times.to_string(),
            quorum: k.quorum.clone(),
            active: k.active,
            applies_to: super::attendance::held_by_text(k),
            errors: FieldErrors::new(),
        }
    }

    pub fn rule_text(&self) -> String {
        match super::rules::Span::parse(&self.period) {
            Some(s) => format!("{}至少 {} 次", s.label(), self.times),
            None => "无频次要求".into(),
        }
    }

    pub fn quorum_text(&self) -> &'static str {
        types::quorum_label(&self.quorum)
    }
}

#[derive(Template)]
#[template(path = "meetings/types.html")]
struct TypesPage {
    layout: Layout,
    rows: Vec<TypeRow>,
    can_edit: bool,
    periods: &'static [(&'static str, &'static str)],
    quorums: &'static [(&'static str, &'static str)],
}

const PERIODS: &[(&str, &str)] = &[("", "无频次要求"), ("month", "每月"), ("quarter", "每季度"), ("year", "每年")];

async fn page(state: &AppState, actor: &Actor, flash: Option<Flash>, refused: Option<TypeRow>) -> AppResult<Response> {
    let can_edit = types::can_edit(state, actor).await?;
    let mut rows: Vec<TypeRow> = super::service::types(&state.db).await?.iter().map(TypeRow::of).collect();
    let failed = refused.is_some();
    if let Some(r) = refused
        && let Some(slot) = rows.iter_mut().find(|x| x.id == r.id)
    {
        *slot = r;
    }
    let layout = Layout::new(actor, "会议类型与频次规则", "/meetings/types", flash)
        .crumb("组织生活", Some("/meetings".into()))
        .crumb("会议类型与频次规则", None);
    let page = TypesPage { layout, rows, can_edit, periods: PERIODS, quorums: QUORUMS };
    let status = if failed { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, render(&page)).into_response())
}

pub async fn types_page(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
) -> AppResult<Response> {
    actor.require(Permission::OrgRead)?;
    page(&state, &actor, flash, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TypeForm {
    name: String,
    period: String,
    times: String,
    quorum: String,
    active: String,
}

pub async fn type_update(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(f): Form<TypeForm>,
) -> AppResult<Response> {
    let times = f.times.trim();
    let parsed = if times.is_empty() { None } else { times.parse::<i32>().ok() };
    let input = TypeInput {
        name: Some(f.name.clone()),
        period: Some(f.period.clone()),
        // Not a number: 0 is refused with the field's message.
        times: Some(parsed.unwrap_or(0)),
        quorum: Some(f.quorum.clone()),
        active: Some(f.active == "1"),
    };
    match types::update(&state, &actor, id, &input).await {
        Ok(k) => Ok(Flash::ok(format!("已保存“{}”的规则", k.name)).redirect("/meetings/types")),
        Err(err) => {
            let errors = field_errors(err)?;
            let Some(k) = kind::Entity::find_by_id(id).one(&state.db).await? else {
                return Err(crate::error::AppError::NotFound);
            };
            let mut row = TypeRow::of(&k);
            row.name = f.name;
            row.period = f.period;
            row.times = f.times;
            row.quorum = f.quorum;
            row.active = f.active == "1";
            row.errors = errors;
            page(&state, &actor, Some(Flash::error("未保存：请按提示修改")), Some(row)).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TalkOptionsQuery {
    org: String,
    held_on: String,
    q: String,
}

/// The two people of a 谈心谈话: the members of the recording branch on the talk's day (committee
/// members first, with their posts), matching `q` by name, pinyin initials or number. Only for
/// those who may record the branch's meetings.
pub async fn talk_options(
    State(state): State<AppState>,
    actor: Actor,
    crate::ui::params::Params(q): crate::ui::params::Params<TalkOptionsQuery>,
) -> AppResult<axum::Json<Vec<crate::orgs::picker::PickOption>>> {
    let o = super::service::recording_org(&state, &actor, crate::ui::params::picked_id(&q.org)).await?;
    let on = crate::text::parse_date(&q.held_on).ok().flatten().unwrap_or_else(|| state.clock.today());
    let members = super::attendance::members_on(&state, &o, on).await?;
    let posts: std::collections::HashMap<i32, String> =
        crate::party::store::committee_people(&state.db, o.id).await?.into_iter().collect();
    let ids: Vec<i32> = members.keys().copied().collect();
    let names = crate::people::names(&state.db, &ids).await?;
    let mut all: Vec<(i32, String)> = ids.iter().map(|id| (*id, names.get(id).cloned().unwrap_or_default())).collect();
    all.sort_by(|a, b| posts.contains_key(&b.0).cmp(&posts.contains_key(&a.0)).then(a.0.cmp(&b.0)));
    let picked = crate::orgs::picker::matching(all, &q.q);
    Ok(axum::Json(
        picked
            .into_iter()
            .map(|id| {
                let name = names.get(&id).cloned().unwrap_or_default();
                let kind = if members.get(&id).copied().unwrap_or(false) { super::FULL } else { super::PROBATIONARY };
                let label = match posts.get(&id) {
                    Some(p) => format!("{kind} · {p}"),
                    None => kind.to_owned(),
                };
                crate::orgs::picker::PickOption { id, value: format!("{name}（#{id}）"), label }
            })
            .collect(),
    ))
}
