//! An organization's page (`GET /orgs/{id}`, `GET /api/v1/orgs/{id}`): a top-level assembler
//! like `crate::profile`. The tree and the terms of office come from `orgs`, the people count
//! from `people::store`, the committee and member counts from `party`, and for a 党小组 its
//! members and leader from `party::groups`. No domain imports it; the
//! forms of the domains on the page re-render it through `crate::module::org_page`.

pub mod api;
pub mod web;

use chrono::NaiveDate;
use serde::Serialize;

use crate::auth::Actor;
use crate::error::AppResult;
use crate::module::Module;
use crate::orgs::OrgKind;
use crate::orgs::entity as org;
use crate::orgs::service::{self as orgs, OrgPatch, OrgView};
use crate::orgs::terms::{self, TermInput};
use crate::party::committees::{self, CommitteeRow};
use crate::party::groups::{self, GroupMembers};
use crate::state::AppState;

pub fn module() -> Module {
    Module { web: web::routes, api: api::routes, ..Module::empty("orgpage") }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "届期与委员会：`term_years` 未登记时为默认值（党委 5 年，其他 3 年），`next_election` = 上次换届 + 届期；\
        `full_members`、`probationary_members` 由党员档案统计；`warnings` 为只提示、不阻止的规模和届期提示"
)]
pub struct Governance {
    pub founded_on: Option<NaiveDate>,
    pub term_years: i32,
    pub elected_on: Option<NaiveDate>,
    pub next_election: Option<NaiveDate>,
    pub committee: Vec<CommitteeRow>,
    /// Counted from the membership records of the subtree, never typed.
    pub full_members: u64,
    pub probationary_members: u64,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "党组织详情：`ancestors` 从最高一级排起，不在可读范围内的上级 `id` 为 0；`children` 为直接下级；\
        `people_in_subtree` 为该党组织及其下级的民辅警人数；`can_write` 表示调用者能否修改它；\
        `group` 只对党小组给出（其他为 `null`）：其成员和组长（与 `GET /orgs/{id}/group-members` 相同）"
)]
pub struct OrgDetail {
    pub org: OrgView,
    pub ancestors: Vec<OrgView>,
    pub children: Vec<OrgView>,
    /// People whose organization is in this subtree (derived, never typed).
    pub people_in_subtree: u64,
    pub can_write: bool,
    pub governance: Governance,
    /// A 党小组's members (`null` for other kinds).
    pub group: Option<GroupMembers>,
}

/// Terms from `orgs`, the committee from `party`; the size warnings before the term's.
pub async fn governance(state: &AppState, o: &org::Model) -> AppResult<Governance> {
    let term = terms::term(o);
    let committee = committees::committee_of(state, o).await?;
    let mut warnings = committee.warnings;
    warnings.extend(terms::warnings(o, state.clock.today()));
    Ok(Governance {
        founded_on: term.founded_on,
        term_years: term.term_years,
        elected_on: term.elected_on,
        next_election: term.next_election,
        committee: committee.members,
        full_members: committee.full_members,
        probationary_members: committee.probationary_members,
        warnings,
    })
}

/// Organization `id` as the actor may read it (404, audited, outside the scope).
pub async fn detail(state: &AppState, actor: &Actor, id: i32) -> AppResult<OrgDetail> {
    let o = orgs::overview(state, actor, id).await?;
    let people_in_subtree = crate::people::store::count_in_subtree(&state.db, &o.model.path).await?;
    let governance = governance(state, &o.model).await?;
    let group = match OrgKind::parse(&o.model.kind) {
        Some(OrgKind::Group) => Some(groups::members_of(&state.db, &o.model).await?),
        _ => None,
    };
    Ok(OrgDetail {
        org: o.org,
        ancestors: o.ancestors,
        children: o.children,
        people_in_subtree,
        can_write: o.can_write,
        governance,
        group,
    })
}

/// Renames or moves organization `id` (see `orgs::service::update`) and answers with its detail.
pub async fn update(state: &AppState, actor: &Actor, id: i32, patch: OrgPatch) -> AppResult<OrgDetail> {
    orgs::update(state, actor, id, patch).await?;
    detail(state, actor, id).await
}

/// Records the term of office (see `orgs::terms::set_term`) and answers with the governance part.
pub async fn set_term(state: &AppState, actor: &Actor, id: i32, input: &TermInput) -> AppResult<Governance> {
    let updated = terms::set_term(state, actor, id, input).await?;
    governance(state, &updated).await
}
