//! What the police domain plugs into the application (see [`crate::module`]).

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{api, records, reminders, service, web};
use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::module::{BoxFuture, Module, PanelContext, ProfilePart, nothing_to_reveal};
use crate::state::AppState;
use crate::ui::NavEntry;
use crate::ui::blocks::{Row, Section, Subject};

pub fn module() -> Module {
    Module {
        web: web_routes,
        api: api_routes,
        api_tags: &[("police", "警务信息：职务、职级、警衔、警种、编制、辅警合同、奖励、年度考核")],
        nav: &[NavEntry {
            group: "组织建设",
            label: "警务信息查询",
            href: "/police",
            visible: |a| a.can(Permission::PersonRead),
        }],
        actions: &[
            ("police.export", "导出警务信息"),
            ("police.update", "修改警务信息"),
            ("police.award_add", "登记奖励"),
            ("police.award_update", "修改奖励"),
            ("police.award_delete", "删除奖励"),
            ("police.appraisal_add", "登记年度考核"),
            ("police.appraisal_update", "修改年度考核"),
            ("police.appraisal_delete", "删除年度考核"),
        ],
        permissions: &[Permission::PersonRead, Permission::PersonWrite],
        todos: &[reminders::todos],
        profile: Some(ProfilePart { sections, fields: &[], reveal: nothing_to_reveal, panel: Some(panel) }),
        roster_columns: Some(super::import::columns()),
        ..Module::empty("police")
    }
}

fn web_routes() -> Router<AppState> {
    Router::new()
        .route("/police", get(web::list))
        .route("/police/export.xlsx", get(web::export))
        .route("/people/{id}/police", get(web::page).post(web::save))
        .route("/people/{id}/awards", post(web::add_award))
        .route("/people/{id}/appraisals", post(web::add_appraisal))
        .route("/police/awards/{id}/delete", post(web::delete_award))
        .route("/police/appraisals/{id}/delete", post(web::delete_appraisal))
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list))
        .routes(routes!(api::get, api::put))
        .routes(routes!(api::list_awards, api::create_award))
        .routes(routes!(api::update_award, api::delete_award))
        .routes(routes!(api::list_appraisals, api::create_appraisal))
        .routes(routes!(api::update_appraisal, api::delete_appraisal))
}

/// Appraisals the profile lists (the page has them all).
const PROFILE_YEARS: usize = 5;
/// Awards the profile lists.
const PROFILE_AWARDS: usize = 5;

fn sections<'a>(state: &'a AppState, _actor: &'a Actor, s: &'a Subject) -> BoxFuture<'a, AppResult<Vec<Section>>> {
    Box::pin(async move {
        let v = service::current(&state.db, s.id).await?;
        let t = |o: &Option<String>| o.clone().unwrap_or_default();
        let mut rows = vec![Row::new("领导职务", t(&v.leader_post)), Row::new("职级", t(&v.grade))];
        let rank = match (&v.police_rank, v.rank_on) {
            (Some(r), Some(d)) => format!("{r}（{d} 授衔/晋衔）"),
            (Some(r), None) => r.clone(),
            _ => String::new(),
        };
        rows.push(Row::new("警衔", rank));
        rows.push(Row::new("警种", t(&v.police_type)));
        rows.push(Row::new("编制", t(&v.establishment)));
        if v.aux_kind.is_some() || v.employer_kind.is_some() || v.contract_end.is_some() {
            rows.push(Row::new("辅警类别", t(&v.aux_kind)));
            let employer = match (&v.employer_kind, &v.employer_name) {
                (Some(k), Some(n)) => format!("{k}（{n}）"),
                (k, _) => t(k),
            };
            rows.push(Row::new("用工单位", employer));
            let contract = match (v.contract_start, v.contract_end) {
                (None, None) => String::new(),
                (a, b) => format!(
                    "{} 至 {}",
                    a.map(|d| d.to_string()).unwrap_or_default(),
                    b.map(|d| d.to_string()).unwrap_or_default()
                ),
            };
            rows.push(Row::new("劳动合同", contract));
        }
        let awards = records::awards_of(&state.db, s.id).await?;
        let award_text = if awards.is_empty() {
            String::new()
        } else {
            let mut lines: Vec<String> = awards.iter().take(PROFILE_AWARDS).map(|a| a.line()).collect();
            if awards.len() > PROFILE_AWARDS {
                lines.push(format!("共 {} 项", awards.len()));
            }
            lines.join("；")
        };
        rows.push(Row::new("奖励", award_text));
        let appraisals = records::appraisals_of(&state.db, s.id).await?;
        let years: Vec<String> =
            appraisals.iter().take(PROFILE_YEARS).map(|a| format!("{} 年 {}", a.year, a.grade)).collect();
        rows.push(Row::new("年度考核", years.join("；")));
        Ok(vec![Section { id: "police", title: "警务信息", sensitive: false, rows }])
    })
}

/// A link to the police page, for whoever may change the person.
fn panel<'a>(
    _state: &'a AppState,
    _actor: &'a Actor,
    s: &'a Subject,
    _context: &'a PanelContext,
) -> BoxFuture<'a, AppResult<Option<String>>> {
    Box::pin(async move {
        Ok(s.can_edit.then(|| {
            format!(
                "<section class=\"card narrow\" id=\"police-panel\"><h2>警务信息</h2>\
                 <p>维护职务、职级、警衔、警种、编制、辅警合同、奖励和年度考核。</p>\
                 <a class=\"button\" href=\"/people/{}/police\">维护警务信息</a></section>",
                s.id
            )
        }))
    })
}
