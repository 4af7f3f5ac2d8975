//! Correcting a record's typing errors — the facts as written, the deciding body, the decision
//! number, the decision and effective dates — when the record does not say what the decision
//! says. This is clerical, not legal: the decision itself is unchanged. Changing what was decided
//! (the kind, 留党察看's length) or undoing it is a 撤销/变更 on appeal ([`super::record::appeal`]),
//! a legal act with its own date, body and number. A correction keeps the previous version (the
//! record's page shows every one), recomputes what follows from the dates (the influence period,
//! hence `in_effect` and the bars), is audited `sanction.correct`, and is refused out of scope
//! (404 and `access.denied`), like every write of the domain.

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{correction, sanction};
use super::record::{Errors, MAX_DECIDED_BY, MAX_DOC_NO, MAX_FACTS, MAX_REASON, Saved, date, push, schema, text};
use super::rules::{Kind, influence_until};
use super::service;
use crate::audit::{self, Event};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A correction: the fields as they should read. An omitted (null) field keeps its value; in
/// the form every field comes filled with the current one.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "更正记录中的笔误（不是申诉复查的撤销/变更）：`facts` 事实、`decided_by` 作出决定的机关、`doc_no` 文号（空串为无文号）、\
    `decided_on` 决定日期、`effective_on` 生效日期，省略的字段不变；`reason` 更正理由（必填，如“文号录入错误，以决定书原件为准”）。\
    种类和留党察看期限不能更正：改变处理决定须走申诉复查的“变更”。更正前的版本保留可查，影响期按更正后的日期重新计算",
    example = json!({"doc_no": "某公纪〔2025〕13号", "reason": "文号录入错误，以处分决定书原件为准"})
)]
pub struct CorrectionInput {
    #[schema(schema_with = schema::facts)]
    pub facts: Option<String>,
    #[schema(schema_with = schema::decided_by)]
    pub decided_by: Option<String>,
    #[schema(schema_with = schema::doc_no)]
    pub doc_no: Option<String>,
    #[schema(schema_with = schema::optional_date)]
    pub decided_on: Option<String>,
    #[schema(schema_with = schema::optional_date)]
    pub effective_on: Option<String>,
    #[schema(required = true, schema_with = schema::reason)]
    pub reason: String,
}

/// A previous version of a record, kept when it was corrected.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "更正前的版本：更正时保留的原内容，以及更正人、时间和理由")]
pub struct Correction {
    pub facts: String,
    pub decided_by: String,
    pub doc_no: Option<String>,
    pub decided_on: NaiveDate,
    pub effective_on: NaiveDate,
    pub influence_until: Option<NaiveDate>,
    pub reason: String,
    pub corrected_by: String,
    /// When it was corrected (local time).
    pub corrected_at: String,
}

/// The previous versions of record `id`, oldest first.
pub async fn history<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<Vec<Correction>> {
    let rows = correction::Entity::find()
        .filter(correction::Column::SanctionId.eq(id))
        .order_by_asc(correction::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|c| Correction {
            facts: c.facts,
            decided_by: c.decided_by,
            doc_no: c.doc_no,
            decided_on: c.decided_on,
            effective_on: c.effective_on,
            influence_until: c.influence_until,
            reason: c.reason,
            corrected_by: c.corrected_by_name,
            corrected_at: c.corrected_at.format("%Y-%m-%d %H:%M").to_string(),
        })
        .collect())
}

/// Corrects the typing errors of standing record `id` (`DisciplineWrite` in scope).
pub async fn correct(state: &AppState, actor: &Actor, id: i32, input: &CorrectionInput) -> AppResult<Saved> {
    let old = super::record::standing_for_write(state, actor, id, "reason", "不能更正；请更正变更后的记录").await?;
    let today = state.clock.today();
    let mut errors = Errors::new();
    let facts = match &input.facts {
        Some(v) => text(&mut errors, "facts", "事实", v, MAX_FACTS, true),
        None => old.facts.clone(),
    };
    let decided_by = match &input.decided_by {
        Some(v) => text(&mut errors, "decided_by", "作出决定的机关", v, MAX_DECIDED_BY, true),
        None => old.decided_by.clone(),
    };
    let doc_no = match &input.doc_no {
        Some(v) => Some(text(&mut errors, "doc_no", "文号", v, MAX_DOC_NO, false)).filter(|s| !s.is_empty()),
        None => old.doc_no.clone(),
    };
    let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let decided_on = match given(&input.decided_on) {
        Some(v) => date(&mut errors, "decided_on", "决定日期", &v),
        None => Some(old.decided_on),
    };
    let effective_on = match given(&input.effective_on) {
        Some(v) => date(&mut errors, "effective_on", "生效日期", &v),
        None => Some(old.effective_on),
    };
    if decided_on.is_some_and(|d| d > today) {
        push(&mut errors, "decided_on", "决定日期不能晚于今天");
    }
    if let (Some(d), Some(e)) = (decided_on, effective_on)
        && e < d
    {
        push(&mut errors, "effective_on", format!("生效日期 {e} 不能早于决定日期 {d}"));
    }
    let reason = text(&mut errors, "reason", "更正理由", &input.reason, MAX_REASON, true);
    let (Some(decided_on), Some(effective_on), true) = (decided_on, effective_on, errors.is_empty()) else {
        return Err(AppError::Fields(errors));
    };
    let mut changed: Vec<(&str, String, String)> = Vec::new();
    let mut note = |field: &'static str, before: String, after: String| {
        if before != after {
            changed.push((field, before, after));
        }
    };
    note("facts", old.facts.clone(), facts.clone());
    note("decided_by", old.decided_by.clone(), decided_by.clone());
    note("doc_no", old.doc_no.clone().unwrap_or_default(), doc_no.clone().unwrap_or_default());
    note("decided_on", old.decided_on.to_string(), decided_on.to_string());
    note("effective_on", old.effective_on.to_string(), effective_on.to_string());
    if changed.is_empty() {
        return Err(AppError::validation("reason", "更正后的内容与原记录相同，没有需要更正的内容"));
    }
    let years = old.probation_years.and_then(|y| u8::try_from(y).ok());
    let until = influence_until(old.kind, effective_on, years);
    let mut warnings = Vec::new();
    if old.kind == Kind::Expulsion && effective_on != old.effective_on {
        warnings.push("原记录为开除党籍：党籍终止的日期没有随之更正，请在“党员信息”中核对党籍终止日期".to_owned());
    }
    let txn = crate::db::begin_write(&state.db).await?;
    // Still the version this correction was checked against (two people correcting at once).
    let now = sanction::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
    if now != old {
        return Err(AppError::conflict("reason", "该记录刚被他人修改，请刷新后重试"));
    }
    correction::ActiveModel {
        sanction_id: Set(old.id),
        facts: Set(old.facts.clone()),
        decided_by: Set(old.decided_by.clone()),
        doc_no: Set(old.doc_no.clone()),
        decided_on: Set(old.decided_on),
        effective_on: Set(old.effective_on),
        influence_until: Set(old.influence_until),
        reason: Set(reason.clone()),
        corrected_by_name: Set(actor.display_name.chars().take(50).collect()),
        corrected_at: Set(state.clock.now_db()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut active: sanction::ActiveModel = old.clone().into();
    active.facts = Set(facts);
    active.decided_by = Set(decided_by);
    active.doc_no = Set(doc_no);
    active.decided_on = Set(decided_on);
    active.effective_on = Set(effective_on);
    active.influence_until = Set(until);
    active.updated_at = Set(state.clock.now_db());
    let saved = active.update(&txn).await?;
    let fields: serde_json::Map<String, serde_json::Value> =
        changed.iter().map(|(f, b, a)| ((*f).to_owned(), json!([b, a]))).collect();
    let event =
        Event::by(actor, "sanction.correct").object("sanction", old.id).org(old.org_path.clone()).summary(json!({
            "person": old.person_id, "reason": reason, "changes": fields,
            "influence_until": [old.influence_until.map(|d| d.to_string()), until.map(|d| d.to_string())],
        }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    let mut sanction = service::present(state, vec![saved]).await?.remove(0);
    sanction.corrections = history(&state.db, id).await?;
    Ok(Saved { sanction, warnings })
}
