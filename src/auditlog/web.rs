//! The auditor's pages: filtered log, Excel export, chain verification.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::service::{self, AuditFilter, AuditRow};
use crate::auth::Actor;
use crate::error::AppResult;
use crate::io::xlsx;
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::params::Params;
use crate::ui::{FieldErrors, Layout, PageParams, Pager, field_errors, query_string, render};

pub struct ActionChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct ListPage {
    layout: Layout,
    filter: AuditFilter,
    org_value: String,
    actions: Vec<ActionChoice>,
    rows: Vec<AuditRow>,
    pager: Pager,
    export_href: String,
    errors: FieldErrors,
    verify: Option<VerifyView>,
}

pub struct VerifyView {
    pub checked: i64,
    pub checkpoints: usize,
    pub problems: Vec<String>,
    pub notes: Vec<String>,
}

type ListQuery = crate::ui::ListParams<AuditFilter>;

fn filter_qs(f: &AuditFilter) -> String {
    let org = f.org.map(|o| o.to_string()).unwrap_or_default();
    query_string(&[("who", &f.who), ("action", &f.action), ("from", &f.from), ("to", &f.to), ("org", &org)])
}

fn page(actor: &Actor, filter: AuditFilter, flash: Option<crate::ui::Flash>) -> ListPage {
    let qs = filter_qs(&filter);
    ListPage {
        layout: Layout::new(actor, "审计日志", "/audit", flash).crumb("审计日志", None),
        org_value: filter.org.map(|o| o.to_string()).unwrap_or_default(),
        actions: service::actions()
            .iter()
            .map(|(value, label)| ActionChoice { value, label, selected: filter.action == *value })
            .collect(),
        export_href: if qs.is_empty() { "/audit/export.xlsx".into() } else { format!("/audit/export.xlsx?{qs}") },
        pager: Pager::new(PageParams::default(), 0, qs),
        filter,
        rows: Vec::new(),
        errors: FieldErrors::new(),
        verify: None,
    }
}

pub async fn list(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    Params(q): Params<ListQuery>,
) -> AppResult<Response> {
    let params = q.page.normalized();
    let mut view = page(&actor, q.filter.clone(), flash);
    match service::query(&state, &actor, &q.filter, params).await {
        Ok((rows, total)) => {
            view.pager = Pager::new(params, total, view.pager.query.clone());
            view.rows = rows;
            Ok(render(&view))
        }
        Err(err) => {
            view.errors = field_errors(err)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
        }
    }
}

pub async fn export(State(state): State<AppState>, actor: Actor, Params(q): Params<ListQuery>) -> AppResult<Response> {
    let rows = service::export(&state, &actor, &q.filter).await?;
    let table: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| {
            vec![
                r.seq.to_string(),
                r.at,
                r.actor,
                r.action_label,
                r.object,
                r.org_path.unwrap_or_default(),
                r.ip,
                r.summary,
            ]
        })
        .collect();
    let title = format!("审计日志（共 {} 条）", table.len());
    let headers = ["序号", "时间", "操作人", "操作", "对象", "组织路径", "IP 地址", "摘要"];
    let bytes = xlsx::table("审计日志", &title, &headers, &table)?;
    Ok(xlsx::download("审计日志.xlsx", bytes))
}

pub async fn verify(State(state): State<AppState>, actor: Actor) -> AppResult<Response> {
    let report = service::verify(&state, &actor).await?;
    let mut view = page(&actor, AuditFilter::default(), None);
    view.verify = Some(VerifyView {
        checked: report.checked,
        checkpoints: report.checkpoints,
        problems: report.problems.iter().map(|p| p.display()).collect(),
        notes: report.notes,
    });
    let (rows, total) = service::query(&state, &actor, &AuditFilter::default(), PageParams::default()).await?;
    view.pager = Pager::new(PageParams::default(), total, String::new());
    view.rows = rows;
    Ok(render(&view))
}
