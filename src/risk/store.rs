//! What other domains may ask of the risk domain, without authorization (the caller has checked
//! its own): a flag by id (the exit cases link to flags by id, and ids never change), and the open
//! flags of a set of people.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use super::entity::{category, flag};
use super::{FOLLOWING, OPEN};
use crate::error::AppResult;

/// A flag's facts as another domain needs them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(description = "一条风险提示的要素（供出口机制等引用）")]
pub struct FlagFacts {
    pub id: i32,
    pub person_id: i32,
    pub org_id: i32,
    pub org_path: String,
    pub category_code: String,
    pub category: String,
    pub level: String,
    pub source: String,
    pub facts: String,
    pub status: String,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
}

/// Flag `id`, or `None` when there is none.
pub async fn flag_of<C: ConnectionTrait>(db: &C, id: i32) -> AppResult<Option<FlagFacts>> {
    let Some(f) = flag::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let c = category::Entity::find_by_id(f.category_id).one(db).await?;
    Ok(Some(FlagFacts {
        id: f.id,
        person_id: f.person_id,
        org_id: f.org_id,
        org_path: f.org_path,
        category_code: c.as_ref().map(|c| c.code.clone()).unwrap_or_default(),
        category: c.map(|c| c.name).unwrap_or_default(),
        level: f.level,
        source: f.source,
        facts: f.facts,
        status: f.status,
        opened_on: f.opened_on,
        closed_on: f.closed_on,
    }))
}

/// Most ids in one `IN` list.
const CHUNK: usize = 500;

/// The open flags (待跟进, 跟进中) of each of `person_ids` that has any, oldest first.
pub async fn open_flags_of<C: ConnectionTrait>(db: &C, person_ids: &[i32]) -> AppResult<HashMap<i32, Vec<i32>>> {
    let mut out: HashMap<i32, Vec<i32>> = HashMap::new();
    for chunk in person_ids.chunks(CHUNK) {
        let rows = flag::Entity::find()
            .filter(flag::Column::PersonId.is_in(chunk.iter().copied()))
            .filter(flag::Column::Status.is_in([OPEN, FOLLOWING]))
            .order_by_asc(flag::Column::Id)
            .all(db)
            .await?;
        for f in rows {
            out.entry(f.person_id).or_default().push(f.id);
        }
    }
    Ok(out)
}

/// Every flag of `person_id` (open and closed), newest first, as one line each for the profile:
/// category, level, status, source and dates.
pub async fn flag_lines<C: ConnectionTrait>(db: &C, person_id: i32) -> AppResult<Vec<String>> {
    let rows = flag::Entity::find()
        .filter(flag::Column::PersonId.eq(person_id))
        .order_by_desc(flag::Column::OpenedOn)
        .order_by_desc(flag::Column::Id)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let cats: HashMap<i32, String> =
        category::Entity::find().all(db).await?.into_iter().map(|c| (c.id, c.name)).collect();
    Ok(rows
        .into_iter()
        .map(|f| {
            let cat = cats.get(&f.category_id).map_or("", String::as_str);
            let closed = f.closed_on.map(|d| format!("，{d} 结案")).unwrap_or_default();
            format!("{}色 · {cat}（{}，来源：{}，{} 登记{closed}）", f.level, f.status, f.source, f.opened_on)
        })
        .collect())
}
