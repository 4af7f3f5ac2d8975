//! What the exit mechanism plugs into the application (see [`crate::module`]).

use axum::Router;
use axum::routing::{get, post};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::entity::case;
use super::steps::next_action;
use super::{Status, api, proposals, web};
use crate::auth::{Actor, Permission};
use crate::db::scope::in_scope;
use crate::error::AppResult;
use crate::module::{BoxFuture, Module, PanelContext, ProfilePart, nothing_to_reveal};
use crate::state::AppState;
use crate::ui::NavEntry;
use crate::ui::blocks::{Section, Subject, Todo};

fn works(actor: &Actor) -> bool {
    actor.can(Permission::DisciplineWrite)
}

fn counts(actor: &Actor) -> bool {
    actor.can(Permission::DashboardRead)
}

pub fn module() -> Module {
    Module {
        web: web_routes,
        api: api_routes,
        api_tags: &[("exit-cases", "出口机制：民辅警出口案件；属于纪律与风险类敏感信息，读取记审计")],
        nav: &[
            NavEntry { group: "队伍管理", label: "出口机制", href: "/exits", visible: works },
            NavEntry { group: "队伍管理", label: "出口案件统计", href: "/exits/stats", visible: counts },
        ],
        actions: &[
            ("exit_case.create", "出口案件立案（含系统拟议）"),
            ("exit_case.step", "办理出口案件步骤"),
            ("exit_case.bar", "登记不得辞退的法定情形"),
            ("exit_case.bar_lift", "登记法定情形解除"),
            ("exit_case.override", "不适用法定情形作出辞退类决定"),
            ("exit_case.notice", "生成出口案件处理决定书"),
            ("exit_case.export", "导出出口案件统计"),
        ],
        permissions: &[Permission::DisciplineWrite, Permission::DashboardRead],
        todos: &[todos],
        org_path_columns: super::ORG_PATH_COLUMNS,
        profile: Some(ProfilePart { sections, fields: &[], reveal: nothing_to_reveal, panel: Some(panel) }),
        sanction_listeners: &[proposals::on_sanction],
        appraisal_listeners: &[proposals::on_unfit_appraisal],
        flag_listeners: &[proposals::on_flag],
        ..Module::empty("exits")
    }
}

fn web_routes() -> Router<AppState> {
    Router::new()
        .route("/exits", get(web::list).post(web::create))
        .route("/exits/new", get(web::new))
        .route("/exits/stats", get(web::stats))
        .route("/exits/stats/export.xlsx", get(web::export))
        .route("/exits/{id}", get(web::detail))
        .route("/exits/{id}/steps", post(web::step))
        .route("/exits/{id}/bars", post(web::add_bar))
        .route("/exits/{id}/bars/{bar_id}/lift", post(web::lift_bar))
        .route("/exits/{id}/notice.docx", get(web::notice))
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::get_stats))
        .routes(routes!(api::get))
        .routes(routes!(api::step))
        .routes(routes!(api::add_bar))
        .routes(routes!(api::lift_bar))
        .routes(routes!(api::docx))
}

/// Whether a person has an exit case is itself sensitive: the profile shows nothing of it,
/// only the way to the cases for those who work them.
fn sections<'a>(_: &'a AppState, _: &'a Actor, _: &'a Subject) -> BoxFuture<'a, AppResult<Vec<Section>>> {
    Box::pin(async { Ok(Vec::new()) })
}

fn panel<'a>(
    _state: &'a AppState,
    actor: &'a Actor,
    s: &'a Subject,
    _context: &'a PanelContext,
) -> BoxFuture<'a, AppResult<Option<String>>> {
    Box::pin(async move {
        let works = actor.scope(Permission::DisciplineWrite).contains(&s.org_path);
        Ok(works.then(|| {
            format!(
                "<section class=\"card narrow\" id=\"exits-panel\"><h2>出口机制</h2>\
                 <p>出口案件属纪律与风险类信息，打开即查阅，记入审计日志。</p>\
                 <a class=\"button\" href=\"/exits?person_id={id}\">此人的出口案件</a> \
                 <a class=\"button primary\" href=\"/exits/new?person_id={id}\">手动立案</a></section>",
                id = s.id
            )
        }))
    })
}

/// Most cases listed one by one on a home page.
const TODO_MAX: u64 = 30;

/// Home page: proposals waiting to be weighed (everyone who works cases in scope), and the next
/// step of the cases the actor is responsible for, with the deadlines §6.2 sources for 辞退 (the
/// decision within 30 days, the 交接 within 15).
fn todos<'a>(state: &'a AppState, actor: &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>> {
    Box::pin(async move {
        if !actor.can(Permission::DisciplineWrite) {
            return Ok(Vec::new());
        }
        let open: Vec<&str> = Status::ALL.iter().filter(|s| s.open()).map(|s| s.as_str()).collect();
        let mine = sea_orm::Condition::any()
            .add(case::Column::Status.eq(Status::Proposed))
            .add(case::Column::ResponsibleUserId.eq(actor.user_id));
        let rows = case::Entity::find()
            .filter(in_scope(case::Column::OrgPath, &actor.scope(Permission::DisciplineWrite)))
            .filter(case::Column::Status.is_in(open))
            .filter(mine)
            .order_by_asc(case::Column::OpenedOn)
            .order_by_asc(case::Column::Id)
            .limit(TODO_MAX)
            .all(&state.db)
            .await?;
        let people: Vec<i32> = rows.iter().map(|c| c.person_id).collect();
        let names = crate::people::store::names_by_id(&state.db, &people).await?;
        let today = state.clock.today();
        Ok(rows
            .into_iter()
            .map(|c| {
                let name = names.get(&c.person_id).cloned().unwrap_or_default();
                let next = next_action(c.status, c.executed_on.is_some()).unwrap_or("");
                let (title, due) = match c.status {
                    Status::Proposed => (format!("拟议出口案件待研判：{name}（{}）", c.source_kind.as_str()), None),
                    Status::Executing if c.executed_on.is_none() => {
                        (format!("出口案件待执行与交接：{name}"), c.handover_due)
                    }
                    Status::Committee => {
                        match super::dismissal_decision_due(&c.person_kind, c.status, c.statement_on) {
                            Some(d) => (
                                format!("出口案件待党委集体研究：{name}（拟辞退的，审批机关应于 {d} 前决定）"),
                                Some(d),
                            ),
                            None => (format!("出口案件待{next}：{name}"), None),
                        }
                    }
                    _ => (format!("出口案件待{next}：{name}"), None),
                };
                Todo {
                    title,
                    href: format!("/exits/{}", c.id),
                    due: due.map(|d| d.to_string()),
                    urgency: if due.is_some_and(|d| d < today) { "high" } else { "normal" },
                }
            })
            .collect())
    })
}
