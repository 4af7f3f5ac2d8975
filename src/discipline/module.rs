//! What the discipline domain plugs into the application (see [`crate::module`]).

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{api, store, web};
use crate::auth::{Actor, Permission, SensitiveClass};
use crate::error::AppResult;
use crate::module::{BoxFuture, Module, PanelContext, ProfilePart};
use crate::state::AppState;
use crate::ui::NavEntry;
use crate::ui::blocks::{Row, Section, SensitiveField, Subject};

pub const SANCTIONS: SensitiveField =
    SensitiveField { code: "sanctions", label: "影响期内的处分", class: SensitiveClass::DisciplineRisk };

fn reads(actor: &Actor) -> bool {
    actor.can(Permission::DisciplineRiskRead)
}

fn counts(actor: &Actor) -> bool {
    actor.can(Permission::DashboardRead)
}

pub fn module() -> Module {
    Module {
        web: web_routes,
        api: api_routes,
        api_tags: &[("sanctions", "执纪问责：处分、组织处理、问责及承诺条目；属于纪律与风险类敏感信息，读取记审计")],
        nav: &[
            NavEntry { group: "队伍管理", label: "执纪问责", href: "/discipline", visible: reads },
            NavEntry { group: "队伍管理", label: "执纪问责统计", href: "/discipline/stats", visible: counts },
            NavEntry {
                group: "队伍管理",
                label: "五个一律、五个零容忍",
                href: "/discipline/commitments",
                visible: counts,
            },
        ],
        actions: &[
            ("sanction.create", "登记执纪问责记录"),
            ("sanction.revoke", "撤销执纪问责记录"),
            ("sanction.change", "变更执纪问责记录"),
            ("sanction.correct", "更正执纪问责记录的笔误"),
            ("sanction.export", "导出执纪问责统计"),
            ("sanction.bulletin", "生成通报草稿"),
            ("commitment.create", "新增承诺条目"),
            ("commitment.update", "修改承诺条目"),
        ],
        permissions: &[Permission::DisciplineRiskRead, Permission::DisciplineWrite, Permission::DashboardRead],
        org_path_columns: super::ORG_PATH_COLUMNS,
        profile: Some(ProfilePart { sections, fields: &[SANCTIONS], reveal, panel: Some(panel) }),
        ..Module::empty("discipline")
    }
}

fn web_routes() -> Router<AppState> {
    Router::new()
        .route("/discipline", get(web::list).post(web::create))
        .route("/discipline/new", get(web::new))
        .route("/discipline/stats", get(web::stats))
        .route("/discipline/stats/export.xlsx", get(web::export))
        .route("/discipline/stats/bulletin.docx", get(web::bulletin))
        .route("/discipline/commitments", get(web::commitments).post(web::create_commitment))
        .route("/discipline/commitments/{id}", post(web::update_commitment))
        .route("/discipline/{id}", get(web::detail))
        .route("/discipline/{id}/appeal", post(web::appeal))
        .route("/discipline/{id}/correct", post(web::correct))
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::get))
        .routes(routes!(api::appeal))
        .routes(routes!(api::correct))
        .routes(routes!(api::get_stats))
        .routes(routes!(api::list_commitments, api::create_commitment))
        .routes(routes!(api::update_commitment))
        .routes(routes!(api::commitment_report))
}

/// The profile shows that the section exists, the same masked text for everyone (whether a
/// person has records is itself sensitive); the records in effect are revealed on request.
fn sections<'a>(_state: &'a AppState, _actor: &'a Actor, _s: &'a Subject) -> BoxFuture<'a, AppResult<Vec<Section>>> {
    Box::pin(async move {
        Ok(vec![Section {
            id: "discipline",
            title: "执纪问责",
            sensitive: true,
            rows: vec![Row::masked(&SANCTIONS, "（纪律与风险类信息，查看后显示）")],
        }])
    })
}

/// The records in effect today, one line each, with what they bar. The full history is on the
/// discipline pages, for `DisciplineWrite` only.
fn reveal<'a>(
    state: &'a AppState,
    s: &'a Subject,
    fields: &'a [&'static str],
) -> BoxFuture<'a, AppResult<Vec<(&'static str, String)>>> {
    Box::pin(async move {
        if !fields.contains(&SANCTIONS.code) {
            return Ok(Vec::new());
        }
        let today = state.clock.today();
        let effects = store::in_effect(&state.db, &[s.id], today).await?;
        let lines: Vec<String> = effects.get(&s.id).into_iter().flatten().map(|e| effect_line(e, today)).collect();
        Ok(vec![(SANCTIONS.code, if lines.is_empty() { "无影响期内的处分".to_owned() } else { lines.join("\n") })])
    })
}

/// "记大过（政务处分），2025-03-01 生效，影响期至 2026-09-01：不得评为优秀、晋升、表彰".
pub fn effect_line(e: &store::Effect, _today: chrono::NaiveDate) -> String {
    let mut bars = Vec::new();
    if e.bars.no_vote {
        bars.push("无表决权、选举权和被选举权");
    }
    if e.bars.no_excellent {
        bars.push("不得评为优秀");
    }
    if e.bars.no_promotion {
        bars.push("不得晋升");
    }
    if e.bars.no_commendation {
        bars.push("不得表彰");
    }
    let until = e.influence_until.map_or("长期".to_owned(), |d| format!("影响期至 {d}"));
    format!("{}（{}），{} 生效，{}：{}", e.kind.label(), e.category.label(), e.effective_on, until, bars.join("、"))
}

fn panel<'a>(
    _state: &'a AppState,
    actor: &'a Actor,
    s: &'a Subject,
    _context: &'a PanelContext,
) -> BoxFuture<'a, AppResult<Option<String>>> {
    Box::pin(async move {
        let writes = actor.scope(Permission::DisciplineWrite).contains(&s.org_path);
        Ok(writes.then(|| {
            format!(
                "<section class=\"card narrow\" id=\"discipline-panel\"><h2>执纪问责</h2>\
                 <p>全部记录（含已期满、已撤销的）在执纪问责页面，打开即查阅，记入审计日志。</p>\
                 <a class=\"button\" href=\"/discipline?person_id={id}\">此人的全部记录</a> \
                 <a class=\"button primary\" href=\"/discipline/new?person_id={id}\">登记执纪问责记录</a></section>",
                id = s.id
            )
        }))
    })
}
