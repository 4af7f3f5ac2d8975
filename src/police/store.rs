//! What other domains may ask of the police records, without authorization (the caller has
//! checked its own and places the people in its scope): the latest 年度考核 grades that call for
//! attention, and the 辅警 labour contracts that end soon.

use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};

use super::entity::{appraisal, profile};
use crate::error::AppResult;

/// Grades below the standard: 民警 and 工勤 基本称职 and 不称职 (公务员法 第三十八条), 辅警 不合格
/// (the only low grade domain.md §6.3 sources, see [`super::AUX_APPRAISAL_GRADES`]).
pub const LOW_GRADES: [&str; 3] = ["基本称职", "不称职", "不合格"];

/// Each person's latest appraisal when it is of `since_year` or later and its grade is one of
/// [`LOW_GRADES`]: (person, year, grade), of the persons `among` selects (a query with their ids;
/// `None`: everyone). One query: an appraisal with a later one of the same person is not the
/// latest.
pub async fn low_latest_grades<C: ConnectionTrait>(
    db: &C,
    since_year: i32,
    among: Option<sea_orm::sea_query::SelectStatement>,
) -> AppResult<Vec<(i32, i32, String)>> {
    let later = Alias::new("later");
    let newer = Query::select()
        .expr(Expr::val(1))
        .from_as(appraisal::Entity, later.clone())
        .and_where(
            Expr::col((later.clone(), appraisal::Column::PersonId))
                .equals((appraisal::Entity, appraisal::Column::PersonId)),
        )
        .and_where(
            Expr::col((later, appraisal::Column::Year)).gt(Expr::col((appraisal::Entity, appraisal::Column::Year))),
        )
        .to_owned();
    Ok(appraisal::Entity::find()
        .select_only()
        .column(appraisal::Column::PersonId)
        .column(appraisal::Column::Year)
        .column(appraisal::Column::Grade)
        .filter(appraisal::Column::Year.gte(since_year))
        .filter(appraisal::Column::Grade.is_in(LOW_GRADES))
        .filter(Expr::exists(newer).not())
        .apply_if(among, |q, among| q.filter(appraisal::Column::PersonId.in_subquery(among)))
        .order_by_asc(appraisal::Column::PersonId)
        .into_tuple()
        .all(db)
        .await?)
}

/// Among `person_ids`, those whose labour contract (辅警) ends between `from` and `to`, both
/// included, with the end date.
pub async fn contracts_ending<C: ConnectionTrait>(
    db: &C,
    person_ids: &[i32],
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<(i32, NaiveDate)>> {
    let mut out = Vec::new();
    for chunk in person_ids.chunks(500) {
        let rows: Vec<(i32, NaiveDate)> = profile::Entity::find()
            .select_only()
            .column(profile::Column::PersonId)
            .column(profile::Column::ContractEnd)
            .filter(profile::Column::PersonId.is_in(chunk.iter().copied()))
            .filter(profile::Column::ContractEnd.gte(from))
            .filter(profile::Column::ContractEnd.lte(to))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows);
    }
    out.sort_unstable();
    Ok(out)
}
