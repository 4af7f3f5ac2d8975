//! Pages of dues: the profile's base and relief forms, the ledger and its export, recording and
//! cancelling payments.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::with_errors;
use crate::auth::Actor;
use crate::error::AppResult;
use crate::party::dues;
use crate::state::AppState;
use crate::ui::flash::TakeFlash;
use crate::ui::form::Form;
use crate::ui::params::IdPath;
use crate::ui::{Flash, Layout, field_errors, render};

pub async fn dues_base(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<dues::BaseInput>,
) -> AppResult<Response> {
    match dues::set_base(&state, &actor, id, &input).await {
        Ok(_) => Ok(Flash::ok("已登记党费基数").redirect(&format!("/people/{id}#section-party"))),
        Err(err) => with_errors(&state, &actor, id, err).await,
    }
}

/// The relief form sits beside the base form on the profile, so its errors are shown under its
/// own names (`relief_…`).
pub async fn add_relief(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(input): Form<dues::ReliefInput>,
) -> AppResult<Response> {
    match dues::add_relief(&state, &actor, id, &input).await {
        Ok(r) => {
            let message = format!("已登记{}：{}", r.kind.label(), dues::describe_relief(&r));
            Ok(Flash::ok(message).redirect(&format!("/people/{id}#section-party")))
        }
        Err(err) => {
            let errors = field_errors(err)?.into_iter().map(|(f, m)| (format!("relief_{f}"), m)).collect();
            crate::module::profile_page(&state, &actor, id, errors).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CancelReliefForm {
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    person_id: Option<i32>,
    reason: String,
}

pub async fn cancel_relief(
    State(state): State<AppState>,
    actor: Actor,
    IdPath(id): IdPath<i32>,
    Form(form): Form<CancelReliefForm>,
) -> AppResult<Response> {
    let back = |person: Option<i32>| format!("/people/{}#section-party", person.unwrap_or_default());
    match dues::cancel_relief(&state, &actor, id, &form.reason).await {
        Ok(r) => Ok(Flash::ok(format!("已撤销{}登记：{}", r.kind.label(), dues::describe_relief(&r)))
            .redirect(&back(Some(r.person_id)))),
        Err(err @ (crate::error::AppError::Validation { .. } | crate::error::AppError::Conflict { .. })) => {
            Ok(Flash::error(err.message()).redirect(&back(form.person_id)))
        }
        Err(err) => Err(err),
    }
}

#[derive(Deserialize, Default)]
pub struct LedgerQuery {
    #[serde(default, deserialize_with = "crate::ui::params::opt_i32")]
    org: Option<i32>,
    #[serde(default)]
    month: String,
    #[serde(flatten)]
    page: crate::ui::PageParams,
}

/// Members per page of a branch ledger: a large branch stays one screen at a time.
const LEDGER_PAGE: u64 = 100;

#[derive(Template)]
#[template(path = "party/dues.html")]
struct DuesPage {
    layout: Layout,
    orgs: Vec<crate::ui::blocks::Choice>,
    org_id: i32,
    month: String,
    today: String,
    ledger: dues::Ledger,
    /// The members of this page (a branch's ledger); empty above branch level, where the
    /// page shows `ledger.units` to drill into instead.
    rows: Vec<dues::LedgerRow>,
    pager: crate::ui::Pager,
    can_write: bool,
    export_href: String,
    /// The rule of voluntary payments, shown with the pay form.
    to_centre_rule: &'static str,
}

async fn ledger_for(
    state: &AppState,
    actor: &Actor,
    q: &LedgerQuery,
    named: bool,
) -> AppResult<(crate::orgs::entity::Model, chrono::NaiveDate, Vec<(i32, String)>, dues::Ledger)> {
    use crate::auth::Permission;
    let options = crate::orgs::service::drill_options(state, actor, Permission::PersonRead, q.org).await?;
    let org_id = q.org.or_else(|| options.first().map(|(id, _)| *id)).ok_or(crate::error::AppError::NotFound)?;
    let month = dues::parse_month(&q.month).unwrap_or_else(|| dues::first_of_month(state.clock.today()));
    let (org, ledger) = dues::ledger_of(state, actor, org_id, month, named).await?;
    Ok((org, month, options, ledger))
}

pub async fn dues(
    State(state): State<AppState>,
    actor: Actor,
    TakeFlash(flash): TakeFlash,
    crate::ui::params::Params(q): crate::ui::params::Params<LedgerQuery>,
) -> AppResult<Response> {
    let (org, month, options, ledger) = ledger_for(&state, &actor, &q, false).await?;
    let org_id = org.id;
    let month_text = month.format("%Y-%m").to_string();
    // Reading a wider tree than one may write in: the ledger is shown without pay or cancel.
    let can_write = actor.scope(crate::auth::Permission::PersonWrite).contains(&org.path);
    let params = crate::ui::PageParams { page: q.page.page, page_size: LEDGER_PAGE };
    let pager = crate::ui::Pager::new(
        params,
        if ledger.units.is_empty() { ledger.rows.len() as u64 } else { 0 },
        crate::ui::query_string(&[("org", &org_id.to_string()), ("month", &month_text)]),
    );
    let rows: Vec<dues::LedgerRow> = if ledger.units.is_empty() {
        let from = ((pager.page - 1) * LEDGER_PAGE) as usize;
        ledger.rows.iter().skip(from).take(LEDGER_PAGE as usize).cloned().collect()
    } else {
        Vec::new()
    };
    let page = DuesPage {
        layout: Layout::new(&actor, "党费", "/party/dues", flash).crumb("党费", None),
        rows,
        pager,
        orgs: options
            .into_iter()
            .map(|(id, label)| crate::ui::blocks::Choice { value: id.to_string(), label, selected: id == org_id })
            .collect(),
        org_id,
        export_href: format!("/party/dues/export.xlsx?org={org_id}&month={month_text}"),
        month: month_text,
        today: state.clock.today().to_string(),
        ledger,
        can_write,
        to_centre_rule: dues::TO_CENTRE_RULE,
    };
    Ok(render(&page))
}

pub async fn dues_export(
    State(state): State<AppState>,
    actor: Actor,
    crate::ui::params::Params(q): crate::ui::params::Params<LedgerQuery>,
) -> AppResult<Response> {
    let (org, month, _, ledger) = ledger_for(&state, &actor, &q, true).await?;
    let rows: Vec<Vec<String>> = ledger
        .rows
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.base.clone().unwrap_or_else(|| "未登记".into()),
                r.category.clone(),
                r.due.clone().unwrap_or_default(),
                match (&r.paid, &r.due) {
                    (Some(p), _) => p.clone(),
                    (None, Some(d)) if d == "0.00" => "免交".into(),
                    (None, _) => "未交".into(),
                },
                r.paid_on.map(|d| d.to_string()).unwrap_or_default(),
                [r.relief.clone(), r.paid_note.clone(), r.to_centre.then(|| dues::TO_CENTRE_RULE.to_owned())]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("；"),
            ]
        })
        .collect();
    let title = format!(
        "{} 党费交纳情况（应交 {} 元，已交 {} 元）",
        month.format("%Y年%m月"),
        ledger.due_total,
        ledger.paid_total
    );
    let bytes = crate::io::xlsx::table(
        "党费",
        &title,
        &["姓名", "基数（元）", "类别", "应交（元）", "已交（元）", "交纳日期", "说明"],
        &rows,
    )?;
    dues::audit_export(&state, &actor, &org, month, ledger.rows.len()).await?;
    Ok(crate::io::xlsx::download("党费交纳情况.xlsx", bytes))
}

/// The pay form sends `person_id` once per ticked member, and `amount_{id}` / `note_{id}` for
/// a member who paid another amount than the one due.
pub async fn dues_pay(State(state): State<AppState>, actor: Actor, body: axum::body::Bytes) -> AppResult<Response> {
    let mut month = String::new();
    let mut paid_on = String::new();
    let mut org = String::new();
    let mut ids = Vec::new();
    let mut amounts: std::collections::HashMap<i32, String> = std::collections::HashMap::new();
    let mut notes: std::collections::HashMap<i32, String> = std::collections::HashMap::new();
    for (k, v) in form_urlencoded::parse(&body) {
        match k.as_ref() {
            "month" => month = v.into_owned(),
            "paid_on" => paid_on = v.into_owned(),
            "org" => org = v.into_owned(),
            "person_id" => ids.extend(v.parse::<i32>().ok()),
            key => {
                if let Some(id) = key.strip_prefix("amount_").and_then(|i| i.parse::<i32>().ok()) {
                    amounts.insert(id, v.into_owned());
                } else if let Some(id) = key.strip_prefix("note_").and_then(|i| i.parse::<i32>().ok()) {
                    notes.insert(id, v.into_owned());
                }
            }
        }
    }
    let back = format!("/party/dues?org={org}&month={month}");
    let Some(m) = dues::parse_month(&month) else {
        return Ok(Flash::error("月份无效").redirect(&back));
    };
    let paid = match crate::people::parse_date(&paid_on) {
        Ok(Some(d)) => d,
        _ => return Ok(Flash::error("请填写交纳日期").redirect(&back)),
    };
    // An amount typed for someone not ticked would silently be dropped: say so instead.
    if amounts.iter().any(|(id, a)| !a.trim().is_empty() && !ids.contains(id)) {
        return Ok(Flash::error("填写了交纳金额的党员须同时勾选").redirect(&back));
    }
    let mut lines = Vec::with_capacity(ids.len());
    for id in &ids {
        let amount = match dues::payments::parse_amount("amount", amounts.get(id).map_or("", String::as_str)) {
            Ok(a) => a,
            Err(err) => {
                let name = crate::people::names(&state.db, &[*id]).await?.remove(id).unwrap_or_default();
                return Ok(Flash::error(format!("{name}：{}", err.message())).redirect(&back));
            }
        };
        lines.push(dues::PaymentLine { person_id: *id, amount, note: notes.get(id).cloned().unwrap_or_default() });
    }
    match dues::record_payments(&state, &actor, m, &lines, paid).await {
        Ok(done) => {
            let mut message = format!("已登记 {} 人交纳 {month} 党费", done.recorded);
            for w in &done.warnings {
                message.push('。');
                message.push_str(w);
            }
            Ok(Flash::ok(message).redirect(&back))
        }
        Err(crate::error::AppError::Validation { message, .. }) => Ok(Flash::error(message).redirect(&back)),
        Err(err) => Err(err),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PaymentQuery {
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    person_id: Option<i32>,
    month: String,
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    org: Option<i32>,
    reason: String,
}

#[derive(Template)]
#[template(path = "party/cancel_payment.html")]
struct CancelPaymentPage {
    layout: Layout,
    payment: dues::PaymentView,
    org: String,
    back: String,
    reason: String,
    errors: crate::ui::FieldErrors,
}

async fn cancel_page(
    state: &AppState,
    actor: &Actor,
    q: &PaymentQuery,
    errors: crate::ui::FieldErrors,
) -> AppResult<Response> {
    let (Some(person_id), Some(month)) = (q.person_id, dues::parse_month(&q.month)) else {
        return Err(crate::error::AppError::NotFound);
    };
    let payment = dues::payment(state, actor, person_id, month).await?;
    let org = q.org.map(|o| o.to_string()).unwrap_or_default();
    let back = format!("/party/dues?org={org}&month={}", month.format("%Y-%m"));
    let page = CancelPaymentPage {
        layout: Layout::new(actor, "撤销党费交纳登记", "/party/dues", None)
            .crumb("党费", Some(back.clone()))
            .crumb("撤销交纳登记", None),
        payment,
        org,
        back,
        reason: q.reason.clone(),
        errors,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&page)).into_response())
}

/// Confirmation page: what will be undone, and the reason to give.
pub async fn cancel_payment_form(
    State(state): State<AppState>,
    actor: Actor,
    crate::ui::params::Params(q): crate::ui::params::Params<PaymentQuery>,
) -> AppResult<Response> {
    cancel_page(&state, &actor, &q, crate::ui::FieldErrors::new()).await
}

pub async fn cancel_payment(
    State(state): State<AppState>,
    actor: Actor,
    Form(q): Form<PaymentQuery>,
) -> AppResult<Response> {
    let month = dues::parse_month(&q.month).ok_or(crate::error::AppError::NotFound)?;
    let person_id = q.person_id.ok_or(crate::error::AppError::NotFound)?;
    match dues::cancel_payment(&state, &actor, person_id, month, &q.reason).await {
        Ok(()) => {
            let org = q.org.map(|o| o.to_string()).unwrap_or_default();
            Ok(Flash::ok(format!("已撤销 {} 的交纳登记", month.format("%Y-%m")))
                .redirect(&format!("/party/dues?org={org}&month={}", month.format("%Y-%m"))))
        }
        Err(err) => cancel_page(&state, &actor, &q, field_errors(err)?).await,
    }
}
