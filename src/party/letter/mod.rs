//! 中国共产党党员组织关系介绍信 for a transfer out of the bureau, as a Word document in the
//! standard three-part layout (组通字〔2006〕45号): the 存根 the issuer keeps, the letter itself,
//! and the 回执 the receiving organization returns.
//!
//! A letter is issued once per transfer, with a number from its own sequence per issuing year
//! ("〔2026〕第 0012 号"); its date and the month the dues were paid to are frozen then, so every
//! download is the same letter. The dues month must be known: from the payments recorded, or
//! stated when the letter is issued. The letter is valid for 30 days; when no receipt has been
//! recorded by then, the issuing side's secretaries are reminded. The letter carries the member's
//! ID number, so producing it is an audited sensitive read.

use std::collections::HashMap;
use std::io::Cursor;

use chrono::{Datelike, Months, NaiveDate};
use sea_orm::sea_query::Query;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub mod document;

use super::TransferStatus;
use super::entity::transfer;
use super::membership::authorize_write;
use super::store::membership_of;
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::orgs::{OrgKind, store};
use crate::state::AppState;
use crate::text::{first_of_month, parse_date, parse_month};
use crate::ui::blocks::Todo;
pub use document::{Facts, document, download, month_in_words, number};

pub mod entity {
    use sea_orm::entity::prelude::*;

    /// An issued letter (`transfer_letters`): its number, what it stated, and its receipt.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "transfer_letters")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub transfer_id: i32,
        pub year: i32,
        pub seq: i32,
        pub issued_on: Date,
        /// 党费已交到, first of the month.
        pub dues_paid_to: Date,
        pub issued_by: String,
        pub issued_at: DateTime,
        pub receipt_on: Option<Date>,
        pub receipt_org: Option<String>,
        pub receipt_note: Option<String>,
        pub receipt_by: Option<String>,
        pub receipt_at: Option<DateTime>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl Model {
        /// "〔2026〕第 0012 号".
        pub fn number(&self) -> String {
            super::number(self.year, self.seq)
        }

        /// The last day the letter is valid.
        pub fn valid_until(&self) -> Date {
            self.issued_on + chrono::Duration::days(super::VALID_DAYS)
        }
    }
}

use entity as letter;

/// A letter is valid this many days from its date.
pub const VALID_DAYS: i64 = 30;
/// Longest receiving organization's name and receipt note, in characters.
pub const MAX_RECEIPT_ORG: usize = 200;
pub const MAX_NOTE: usize = 200;
/// How far ahead of the current month dues may have been paid (预交) for a letter to say so.
const MAX_PREPAID_MONTHS: u32 = 12;

/// The transfer a letter is for: a transfer out of the bureau, in the actor's scope for `perm`
/// (404 and audited outside it).
async fn outgoing(state: &AppState, actor: &Actor, transfer_id: i32) -> AppResult<(transfer::Model, String)> {
    let t = transfer::Entity::find_by_id(transfer_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    authorize_write(state, actor, "transfer", t.id, &t.from_path).await?;
    let receiver = external(&t)?;
    Ok((t, receiver))
}

fn external(t: &transfer::Model) -> AppResult<String> {
    match (&t.to_external, t.status) {
        (Some(to), TransferStatus::Out) => Ok(to.clone()),
        _ => Err(AppError::validation("transfer", "本局内部转接由接收党支部在系统中接收，无需介绍信")),
    }
}

/// The letter of a transfer, if issued.
pub async fn of_transfer<C: ConnectionTrait>(db: &C, transfer_id: i32) -> AppResult<Option<letter::Model>> {
    Ok(letter::Entity::find().filter(letter::Column::TransferId.eq(transfer_id)).one(db).await?)
}

/// The letters of these transfers, by transfer.
pub async fn of_transfers<C: ConnectionTrait>(db: &C, ids: &[i32]) -> AppResult<HashMap<i32, letter::Model>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        for l in letter::Entity::find().filter(letter::Column::TransferId.is_in(chunk.to_vec())).all(db).await? {
            out.insert(l.transfer_id, l);
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "开具介绍信：`dues_paid_to` 党费交至月份（YYYY-MM）。系统中已登记交纳记录的可省略，取最近交纳的月份；\
    没有交纳记录时必填。不早于入党当月，不早于已登记交纳的月份，不晚于本月之后 12 个月",
    example = json!({"dues_paid_to": "2026-10"})
)]
pub struct IssueInput {
    #[schema(schema_with = month_schema, example = "2026-10")]
    pub dues_paid_to: String,
}

fn month_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::matching_max(r"^(\d{4}-\d{2})?$", 7)
}

/// Issues the letter of a transfer out of the bureau, once: the next number of the year, the
/// date, and the month the dues were paid to (stated, or from the payments). A letter already
/// issued is returned as it is.
pub async fn issue(state: &AppState, actor: &Actor, transfer_id: i32, input: &IssueInput) -> AppResult<letter::Model> {
    let (t, _) = outgoing(state, actor, transfer_id).await?;
    issue_for(state, actor, &t, &input.dues_paid_to).await
}

/// The month the letter states: the one given, checked against the membership, or the latest
/// month paid; refused naming the field when neither is known.
fn paid_to(given: &str, m: &super::entity::member::Model, today: NaiveDate) -> AppResult<NaiveDate> {
    let ym = |d: NaiveDate| d.format("%Y-%m").to_string();
    if given.trim().is_empty() {
        return m.dues_paid_to.map(first_of_month).ok_or_else(|| {
            AppError::validation(
                "dues_paid_to",
                "党费交至月份未登记：请先在党费台账登记此人的党费交纳，或填写党费交至月份，再开具介绍信",
            )
        });
    }
    let month = parse_month(given)
        .filter(|_| given.trim().len() == 7)
        .ok_or_else(|| AppError::validation("dues_paid_to", "党费交至月份应为 YYYY-MM，如 2026-10"))?;
    if month < first_of_month(m.joined_on) {
        return Err(AppError::validation(
            "dues_paid_to",
            format!("党费交至月份不能早于入党当月（{}）", ym(m.joined_on)),
        ));
    }
    if let Some(recorded) = m.dues_paid_to.filter(|r| month < first_of_month(*r)) {
        return Err(AppError::validation(
            "dues_paid_to",
            format!("系统中已登记交纳至 {}，党费交至月份不能早于它", ym(recorded)),
        ));
    }
    let latest = first_of_month(today).checked_add_months(Months::new(MAX_PREPAID_MONTHS)).unwrap_or(today);
    if month > latest {
        return Err(AppError::validation(
            "dues_paid_to",
            format!("党费交至月份不能晚于 {}（最多预交一年）", ym(latest)),
        ));
    }
    Ok(month)
}

async fn issue_for(state: &AppState, actor: &Actor, t: &transfer::Model, given: &str) -> AppResult<letter::Model> {
    authorize_write(state, actor, "transfer", t.id, &t.from_path).await?;
    if let Some(l) = of_transfer(&state.db, t.id).await? {
        return Ok(l);
    }
    let m = membership_of(&state.db, t.person_id).await?.ok_or(AppError::NotFound)?;
    let today = state.clock.today();
    let dues_paid_to = paid_to(given, &m, today)?;
    let year = today.year();
    let txn = crate::db::begin_write(&state.db).await?;
    // One issuer at a time takes the next number of the year.
    crate::db::serialize_writes(&txn).await?;
    if let Some(l) = of_transfer(&txn, t.id).await? {
        return Ok(l);
    }
    let last = letter::Entity::find()
        .filter(letter::Column::Year.eq(year))
        .order_by_desc(letter::Column::Seq)
        .one(&txn)
        .await?
        .map_or(0, |l| l.seq);
    let l = letter::ActiveModel {
        transfer_id: Set(t.id),
        year: Set(year),
        seq: Set(last + 1),
        issued_on: Set(today),
        dues_paid_to: Set(dues_paid_to),
        issued_by: Set(actor.username.clone()),
        issued_at: Set(state.clock.now_db()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let event = Event::by(actor, "transfer.letter").object("transfer", t.id).org(t.from_path.clone()).summary(json!({
        "person_id": t.person_id, "letter_no": l.number(), "issued_on": today.to_string(),
        "dues_paid_to": dues_paid_to.format("%Y-%m").to_string(),
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(l)
}

/// The letter for an out-of-bureau transfer ([`TransferStatus::Out`]) as a .docx: issued on
/// the first download when the dues month is known and the actor may issue it.
pub async fn letter(state: &AppState, actor: &Actor, transfer_id: i32) -> AppResult<(String, Vec<u8>)> {
    let t = transfer::Entity::find_by_id(transfer_id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let target = Target { kind: "transfer", id: i64::from(t.id), org_path: &t.from_path };
    // Scope first; the read of the ID number is audited only once a letter will be produced.
    guard::check(state, actor, Permission::IdentityRead, Sensitivity::Normal, target).await?;
    let receiver = external(&t)?;
    let issued = match of_transfer(&state.db, t.id).await? {
        Some(l) => l,
        None if actor.can(Permission::PersonWrite) => issue_for(state, actor, &t, "").await?,
        None => return Err(AppError::conflict("transfer", "介绍信尚未开具，须由转出党支部先开具")),
    };
    guard::check(state, actor, Permission::IdentityRead, Sensitivity::Sensitive, target).await?;
    let p = crate::people::store::find(&state.db, t.person_id).await?.ok_or(AppError::NotFound)?;
    let m = membership_of(&state.db, p.id).await?.ok_or(AppError::NotFound)?;
    let from = store::find(&state.db, t.from_org_id).await?.map(|o| o.name).unwrap_or_default();
    let ancestors = store::ancestors(&state.db, &t.from_path).await?;
    let issuer = ancestors
        .iter()
        .rev()
        .find(|o| OrgKind::parse(&o.kind) == Some(OrgKind::Committee))
        .map_or_else(|| from.clone(), |o| o.name.clone());
    let on = issued.issued_on;
    let age = on.year()
        - p.birth_date.year()
        - i32::from((on.month(), on.day()) < (p.birth_date.month(), p.birth_date.day()));
    // As the member was when the relationship left.
    let full = m.full_on.is_some_and(|f| f <= on) || m.full_on_unknown;
    let facts = Facts {
        number: issued.number(),
        name: p.name.clone(),
        gender: p.gender.clone(),
        age: Some(age),
        ethnicity: p.ethnicity.clone().unwrap_or_default(),
        full,
        id_number: p.id_number.clone(),
        phone: p.phone.clone().unwrap_or_default(),
        from,
        to: receiver,
        issuer,
        reason: t.reason.clone(),
        issued_on: on,
        dues_paid_to: issued.dues_paid_to,
    };
    let mut out = Cursor::new(Vec::new());
    document(&facts).pack(&mut out).map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    Ok((format!("组织关系介绍信-{}.docx", p.name), out.into_inner()))
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "登记介绍信回执：`received_on` 回执上的日期（接收方收到组织关系之日），不早于介绍信开具日期、不晚于今天；\
    `receiving_org` 接收党员组织关系的党组织名称（1–200 字）；`note` 备注（不超过 200 字，可省略）",
    example = json!({"received_on": "2026-12-05", "receiving_org": "中共某区委组织部", "note": "回执已归档"})
)]
pub struct ReceiptInput {
    #[schema(required = true, schema_with = crate::openapi::schema::date, example = "2026-12-05")]
    pub received_on: String,
    #[schema(required = true, schema_with = receiving_org_schema, example = "中共某区委组织部")]
    pub receiving_org: String,
    #[schema(schema_with = note_schema)]
    pub note: String,
}

fn receiving_org_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::line(MAX_RECEIPT_ORG, true)
}

fn note_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    crate::openapi::schema::multiline(MAX_NOTE, false)
}

/// Records the receipt (回执) the receiving organization returned: once, not before the letter.
pub async fn record_receipt(
    state: &AppState,
    actor: &Actor,
    transfer_id: i32,
    input: &ReceiptInput,
) -> AppResult<letter::Model> {
    let (t, _) = outgoing(state, actor, transfer_id).await?;
    let l = of_transfer(&state.db, t.id)
        .await?
        .ok_or_else(|| AppError::conflict("received_on", "尚未开具介绍信，不能登记回执"))?;
    if let Some(on) = l.receipt_on {
        return Err(AppError::conflict("received_on", format!("回执已于 {on} 登记")));
    }
    let today = state.clock.today();
    let mut errors: Vec<(String, String)> = Vec::new();
    let received = match parse_date(&input.received_on) {
        Ok(Some(d)) if d < l.issued_on => {
            errors.push(("received_on".into(), format!("回执日期不能早于介绍信开具日期 {}", l.issued_on)));
            None
        }
        Ok(Some(d)) if d > today => {
            errors.push(("received_on".into(), "回执日期不能晚于今天".into()));
            None
        }
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errors.push(("received_on".into(), "请填写回执日期（接收方收到组织关系之日）".into()));
            None
        }
        Err(e) => {
            errors.push(("received_on".into(), e));
            None
        }
    };
    let org = input.receiving_org.trim();
    if org.is_empty() {
        errors.push(("receiving_org".into(), "请填写接收党员组织关系的党组织".into()));
    } else if org.chars().count() > MAX_RECEIPT_ORG {
        errors.push(("receiving_org".into(), format!("接收党组织名称不能超过 {MAX_RECEIPT_ORG} 字")));
    } else if let Err(m) = crate::text::check_line("接收党组织", org) {
        errors.push(("receiving_org".into(), m));
    }
    let note = input.note.trim();
    if note.chars().count() > MAX_NOTE {
        errors.push(("note".into(), format!("备注不能超过 {MAX_NOTE} 字")));
    } else if let Err(m) = crate::text::check_multiline("备注", note) {
        errors.push(("note".into(), m));
    }
    let (Some(received), true) = (received, errors.is_empty()) else {
        return Err(AppError::Fields(errors));
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: letter::ActiveModel = l.into();
    active.receipt_on = Set(Some(received));
    active.receipt_org = Set(Some(org.to_owned()));
    active.receipt_note = Set(Some(note.to_owned()).filter(|n| !n.is_empty()));
    active.receipt_by = Set(Some(actor.username.clone()));
    active.receipt_at = Set(Some(state.clock.now_db()));
    let updated = active.update(&txn).await?;
    let event = Event::by(actor, "transfer.receipt").object("transfer", t.id).org(t.from_path.clone()).summary(json!({
        "person_id": t.person_id, "letter_no": updated.number(), "received_on": received.to_string(),
        "receiving_org": org, "note": note,
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(updated)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(
    description = "介绍信：`letter_no` 编号（按开具年度顺序编号），`issued_on` 开具日期，`valid_until` 有效期（30 天）\
    的最后一天，`dues_paid_to` 介绍信载明的党费交至月份（YYYY-MM）；`receipt_on`、`receipt_org`、`receipt_note` 为登记的回执，\
    未收到回执时为 null"
)]
pub struct LetterView {
    pub transfer_id: i32,
    #[schema(example = "〔2026〕第 0012 号")]
    pub letter_no: String,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    #[schema(example = "2026-10")]
    pub dues_paid_to: String,
    pub receipt_on: Option<NaiveDate>,
    pub receipt_org: Option<String>,
    pub receipt_note: Option<String>,
}

impl From<letter::Model> for LetterView {
    fn from(l: letter::Model) -> Self {
        LetterView {
            transfer_id: l.transfer_id,
            letter_no: l.number(),
            issued_on: l.issued_on,
            valid_until: l.valid_until(),
            dues_paid_to: l.dues_paid_to.format("%Y-%m").to_string(),
            receipt_on: l.receipt_on,
            receipt_org: l.receipt_org,
            receipt_note: l.receipt_note,
        }
    }
}

/// Reminders for the issuing side: letters past their 30 days without a receipt recorded.
pub async fn todos(state: &AppState, actor: &Actor) -> AppResult<Vec<Todo>> {
    if !actor.can(Permission::PersonWrite) {
        return Ok(Vec::new());
    }
    let scope = actor.scope(Permission::PersonWrite);
    let today = state.clock.today();
    let sent_here = Query::select()
        .column(transfer::Column::Id)
        .from(transfer::Entity)
        .cond_where(store::in_scope(transfer::Column::FromPath, &scope))
        .to_owned();
    let overdue = letter::Entity::find()
        .filter(letter::Column::ReceiptOn.is_null())
        .filter(letter::Column::IssuedOn.lt(today - chrono::Duration::days(VALID_DAYS)))
        .filter(letter::Column::TransferId.in_subquery(sent_here))
        .order_by_asc(letter::Column::IssuedOn)
        .all(&state.db)
        .await?;
    let ids: Vec<i32> = overdue.iter().map(|l| l.transfer_id).collect();
    let mut transfers: HashMap<i32, transfer::Model> = HashMap::new();
    for chunk in ids.chunks(500) {
        for t in transfer::Entity::find().filter(transfer::Column::Id.is_in(chunk.to_vec())).all(&state.db).await? {
            transfers.insert(t.id, t);
        }
    }
    let person_ids: Vec<i32> = transfers.values().map(|t| t.person_id).collect();
    let names = crate::people::names(&state.db, &person_ids).await?;
    let pending = overdue
        .into_iter()
        .filter_map(|l| {
            let t = transfers.get(&l.transfer_id)?;
            let name = names.get(&t.person_id).cloned().unwrap_or_default();
            let to = t.to_external.clone().unwrap_or_default();
            let todo = Todo {
                title: format!(
                    "{name} 的组织关系介绍信（{}，转往{to}）已超过 30 天有效期，尚未登记回执，请与接收单位核实",
                    l.number()
                ),
                href: format!("/party/transfers#transfer-{}", t.id),
                due: Some(l.valid_until().to_string()),
                urgency: "high",
            };
            Some(crate::orgs::summary::Pending { path: t.from_path.clone(), todo })
        })
        .collect();
    crate::orgs::summary::by_unit(state, &scope, pending, |n| format!("{n} 份组织关系介绍信超过 30 天未收到回执")).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stated_dues_month_fits_the_membership() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let now = chrono::NaiveDateTime::default();
        let m = super::super::entity::member::Model {
            id: 1,
            person_id: 1,
            branch_id: 1,
            branch_path: "/1/".into(),
            joined_on: d(2020, 5, 10),
            full_on: Some(d(2021, 5, 10)),
            full_on_unknown: false,
            category: super::super::MemberCategory::Serving,
            status: super::super::MemberStatus::TransferredOut,
            status_on: Some(d(2026, 11, 20)),
            dues_paid_to: None,
            meeting_on: None,
            approved_on: None,
            extended_on: None,
            extended_months: None,
            end_kind: None,
            end_reason: None,
            end_by: None,
            end_doc: None,
            created_at: now,
            updated_at: now,
        };
        let today = d(2026, 11, 27);
        let field = |r: AppResult<NaiveDate>| r.err().and_then(|e| e.field().map(str::to_owned));
        assert_eq!(field(paid_to("", &m, today)), Some("dues_paid_to".into()), "unknown: refused");
        assert_eq!(paid_to("2026-10", &m, today).ok(), Some(d(2026, 10, 1)));
        assert!(paid_to("2020-04", &m, today).is_err(), "before admission");
        assert!(paid_to("2027-12", &m, today).is_err(), "more than a year ahead");
        assert!(paid_to("2026-13", &m, today).is_err());
        assert!(paid_to("2026-10-05", &m, today).is_err());
        let paid = super::super::entity::member::Model { dues_paid_to: Some(d(2026, 9, 1)), ..m };
        assert_eq!(paid_to("", &paid, today).ok(), Some(d(2026, 9, 1)), "from the payments");
        assert!(paid_to("2026-08", &paid, today).is_err(), "earlier than recorded");
    }
}
