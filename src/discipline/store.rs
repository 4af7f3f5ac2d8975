//! The queries other domains use. **The one query for effects:** [`in_effect`] answers, for a
//! set of people and a date, which standing records still bar something and what (no vote in
//! Party meetings during 留党察看; not 优秀 in 民主评议 or 年度考核; no promotion; no commendation).
//! Meetings, assessments and the exit and risk domains call it instead of reading `sanctions`.
//! It does no authorization: the caller has already checked its own.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use super::entity::sanction::{self, Column};
use super::rules::{Bars, Category, Kind, Status, bars_on};
use crate::error::AppResult;

/// A standing record that bars something on the date asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(description = "某日仍有效力的一条记录及其限制")]
pub struct Effect {
    pub sanction_id: i32,
    pub kind: Kind,
    pub category: Category,
    pub effective_on: NaiveDate,
    /// End of the influence period (the record no longer bars on that day); empty when it never
    /// ends (开除, 解除劳动合同).
    pub influence_until: Option<NaiveDate>,
    pub bars: Bars,
}

impl Effect {
    fn of(s: &sanction::Model, on: NaiveDate) -> Option<Effect> {
        if s.status != Status::Standing {
            return None;
        }
        let bars = bars_on(s.kind, s.effective_on, probation(s), on);
        bars.any().then_some(Effect {
            sanction_id: s.id,
            kind: s.kind,
            category: s.category,
            effective_on: s.effective_on,
            influence_until: s.influence_until,
            bars,
        })
    }
}

/// 留党察看's length as stored.
pub fn probation(s: &sanction::Model) -> Option<u8> {
    s.probation_years.and_then(|y| u8::try_from(y).ok())
}

/// Most ids in one `IN` list.
const CHUNK: usize = 500;

/// For each of `person_ids` with at least one, the standing records that bar something on `on`
/// (revoked and changed records never do; a replacement counts on its own). People without any
/// are absent from the map.
pub async fn in_effect<C: ConnectionTrait>(
    db: &C,
    person_ids: &[i32],
    on: NaiveDate,
) -> AppResult<HashMap<i32, Vec<Effect>>> {
    let mut out: HashMap<i32, Vec<Effect>> = HashMap::new();
    for chunk in person_ids.chunks(CHUNK) {
        let rows = sanction::Entity::find()
            .filter(Column::PersonId.is_in(chunk.iter().copied()))
            .filter(Column::Status.eq(Status::Standing))
            .filter(Column::EffectiveOn.lte(on))
            .order_by_asc(Column::EffectiveOn)
            .order_by_asc(Column::Id)
            .all(db)
            .await?;
        for s in &rows {
            if let Some(e) = Effect::of(s, on) {
                out.entry(s.person_id).or_default().push(e);
            }
        }
    }
    Ok(out)
}

/// The people with at least one standing record that bars something on `on` (the candidates
/// narrowed by [`in_effect`]'s own rule), for target lists such as the 联合访 "受处分人员".
pub async fn people_in_effect<C: ConnectionTrait>(db: &C, on: NaiveDate) -> AppResult<Vec<i32>> {
    use sea_orm::QuerySelect;
    // A loose pre-filter only (a bar can outlast the influence period by up to two years: 留党察看's
    // no-promotion tail); `in_effect` decides.
    let horizon = on.checked_sub_months(chrono::Months::new(24)).unwrap_or(on);
    let candidates: Vec<i32> = sanction::Entity::find()
        .filter(Column::Status.eq(Status::Standing))
        .filter(Column::EffectiveOn.lte(on))
        .filter(sea_orm::Condition::any().add(Column::InfluenceUntil.is_null()).add(Column::InfluenceUntil.gt(horizon)))
        .select_only()
        .column(Column::PersonId)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let mut ids: Vec<i32> = in_effect(db, &candidates, on).await?.into_keys().collect();
    ids.sort_unstable();
    Ok(ids)
}

/// The standing records in effect on `on` that were recorded in `scope` (by the organization
/// the person belonged to then), by person: one query, for lists over a whole unit (the risk
/// domain's early warning) where asking person by person would not scale.
pub async fn in_effect_in<C: ConnectionTrait>(
    db: &C,
    scope: &crate::auth::Scope,
    on: NaiveDate,
) -> AppResult<HashMap<i32, Vec<Effect>>> {
    let rows = sanction::Entity::find()
        .filter(crate::db::scope::in_scope(Column::OrgPath, scope))
        .filter(Column::Status.eq(Status::Standing))
        .filter(Column::EffectiveOn.lte(on))
        .filter(may_bar_on(on))
        .order_by_asc(Column::EffectiveOn)
        .order_by_asc(Column::Id)
        .all(db)
        .await?;
    let mut out: HashMap<i32, Vec<Effect>> = HashMap::new();
    for s in &rows {
        if let Some(e) = Effect::of(s, on) {
            out.entry(s.person_id).or_default().push(e);
        }
    }
    Ok(out)
}

/// The records that may still bar something on `on`, as SQL: most standing records of a whole
/// bureau bar nothing (a kind without a period, or a period long over), and reading them all
/// made the early-warning list slow. A superset; [`Effect::of`] decides.
fn may_bar_on(on: NaiveDate) -> Condition {
    use super::rules::{Period, period};
    // Kinds whose effect does not end with the stored influence end: never-ending ones, 留党察看
    // (two years without a post after it) and 政务警告 (the whole calendar year).
    let unbounded: Vec<Kind> = Kind::ALL
        .iter()
        .copied()
        .filter(|k| period(*k, None) == Period::Permanent || matches!(k, Kind::Probation | Kind::GovWarning))
        .collect();
    let dated: Vec<Kind> =
        Kind::ALL.iter().copied().filter(|k| matches!(period(*k, None), Period::Months(_))).collect();
    Condition::any()
        .add(Column::InfluenceUntil.gt(on))
        .add(Column::Kind.is_in(unbounded))
        // A dated record stored without its end is left for the rules to decide.
        .add(Condition::all().add(Column::InfluenceUntil.is_null()).add(Column::Kind.is_in(dated)))
}

/// The union of what a person's standing records bar on `on`.
pub async fn bars_of<C: ConnectionTrait>(db: &C, person_id: i32, on: NaiveDate) -> AppResult<Bars> {
    let effects = in_effect(db, &[person_id], on).await?;
    Ok(effects.get(&person_id).into_iter().flatten().fold(Bars::default(), |acc, e| Bars {
        no_vote: acc.no_vote || e.bars.no_vote,
        no_excellent: acc.no_excellent || e.bars.no_excellent,
        no_promotion: acc.no_promotion || e.bars.no_promotion,
        no_commendation: acc.no_commendation || e.bars.no_commendation,
    }))
}

/// A person's records, newest first (all statuses).
pub async fn of_person<C: ConnectionTrait>(db: &C, person_id: i32) -> AppResult<Vec<sanction::Model>> {
    Ok(sanction::Entity::find()
        .filter(Column::PersonId.eq(person_id))
        .order_by_desc(Column::DecidedOn)
        .order_by_desc(Column::Id)
        .all(db)
        .await?)
}

/// Whether `kind` on `effective_on` is in effect on `on` for a standing record (for lists).
pub fn effect_on(s: &sanction::Model, on: NaiveDate) -> Option<Bars> {
    Effect::of(s, on).map(|e| e.bars)
}

/// Kinds whose period never ends.
pub const PERMANENT: [Kind; 2] = [Kind::Discharge, Kind::ContractEnded];
