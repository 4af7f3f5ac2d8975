//! Units (单位: 分局, 派出所, 大队, 中队, 警务室) where people work, as a maintained list with the
//! other names people give them (aliases: 中山路所 = 中山路派出所). Each unit is covered by at most
//! one Party organization (a 联合支部 covers several units); a person is placed under the
//! organization covering their unit, Party member or not (DESIGN.md §5).
//!
//! Names are compared by [`key`]: half-width, without spaces, so "中山路 派出所" and "中山路派出所"
//! are one unit. The list is small (≈1,000 units at city scale) and the import reads it whole
//! ([`UnitIndex`]); pages page it.

pub mod api;
pub mod entity;
pub mod service;
pub mod web;

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::db::org_paths::PathColumn;
use entity::{alias, unit};

/// The covering organization's path, copied onto the unit (follows moves and merges).
pub const ORG_PATH_COLUMNS: &[PathColumn] = &[PathColumn::new("units", "org_path").with_org_id("org_id")];

/// A unit name as compared: half-width, no whitespace.
pub fn key(text: &str) -> String {
    crate::io::cells::half_width(text).chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every unit by name and alias, for resolving many rows at once.
pub struct UnitIndex {
    pub units: HashMap<i32, unit::Model>,
    by_key: HashMap<String, i32>,
}

impl UnitIndex {
    pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Self, sea_orm::DbErr> {
        let units: HashMap<i32, unit::Model> =
            unit::Entity::find().all(db).await?.into_iter().map(|u| (u.id, u)).collect();
        let mut by_key: HashMap<String, i32> = units.values().map(|u| (key(&u.name), u.id)).collect();
        for a in alias::Entity::find().all(db).await? {
            by_key.entry(key(&a.alias)).or_insert(a.unit_id);
        }
        Ok(Self { units, by_key })
    }

    /// The unit a name or alias names.
    pub fn find(&self, text: &str) -> Option<&unit::Model> {
        self.by_key.get(&key(text)).and_then(|id| self.units.get(id))
    }

    /// Up to `n` known names closest to `text` (shared characters and pairs of characters), for
    /// "did you mean" when a name matches nothing.
    pub fn closest(&self, text: &str, n: usize) -> Vec<String> {
        let wanted = key(text);
        let mut scored: Vec<(u32, &str)> = self
            .by_key
            .iter()
            .filter_map(|(k, id)| {
                let score = similarity(&wanted, k);
                (score > 0).then(|| (score, self.units.get(id).map_or("", |u| u.name.as_str())))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        let mut out: Vec<String> = Vec::new();
        for (_, name) in scored {
            if !out.iter().any(|o| o == name) {
                out.push(name.to_owned());
            }
            if out.len() == n {
                break;
            }
        }
        out
    }
}

/// Shared characters plus twice the shared adjacent pairs: "中山所" is nearer to "中山路派出所"
/// than to "东山路派出所".
fn similarity(a: &str, b: &str) -> u32 {
    let chars_b: Vec<char> = b.chars().collect();
    let pairs = |s: &[char]| s.windows(2).map(|w| (w[0], w[1])).collect::<Vec<_>>();
    let chars_a: Vec<char> = a.chars().collect();
    let single = chars_a.iter().filter(|c| chars_b.contains(c)).count();
    let pb = pairs(&chars_b);
    let double = pairs(&chars_a).iter().filter(|p| pb.contains(p)).count();
    u32::try_from(single + 2 * double).unwrap_or(u32::MAX)
}

/// Builds the list from the names already recorded: each organization's 所在单位 becomes a unit
/// it covers (the first organization created with the name, when several share it), other names
/// on people's records become uncovered units, and people point at their unit (the demo bureau;
/// the units migration did the same for existing data).
pub async fn list_from_names<C: ConnectionTrait>(db: &C) -> Result<(), sea_orm::DbErr> {
    for sql in [
        "INSERT INTO units (name, org_id) SELECT o.unit_name, MIN(o.id) FROM orgs o \
         WHERE o.unit_name IS NOT NULL AND o.unit_name <> '' AND o.dissolved_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM units u WHERE u.name = o.unit_name) GROUP BY o.unit_name",
        "INSERT INTO units (name) SELECT DISTINCT p.unit FROM persons p WHERE p.unit IS NOT NULL AND p.unit <> '' \
         AND NOT EXISTS (SELECT 1 FROM units u WHERE u.name = p.unit)",
        "UPDATE units SET org_path = (SELECT o.path FROM orgs o WHERE o.id = units.org_id) WHERE org_id IS NOT NULL",
        "UPDATE persons SET unit_id = (SELECT u.id FROM units u WHERE u.name = persons.unit) \
         WHERE unit IS NOT NULL AND unit <> '' AND unit_id IS NULL",
    ] {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

/// The unit a person's 所在单位 names, if the list knows it (by name or alias).
pub async fn find<C: ConnectionTrait>(db: &C, text: &str) -> Result<Option<unit::Model>, sea_orm::DbErr> {
    let k = key(text);
    if k.is_empty() {
        return Ok(None);
    }
    if let Some(u) = unit::Entity::find().filter(unit::Column::Name.eq(k.as_str())).one(db).await? {
        return Ok(Some(u));
    }
    match alias::Entity::find().filter(alias::Column::Alias.eq(k.as_str())).one(db).await? {
        Some(a) => unit::Entity::find_by_id(a.unit_id).one(db).await,
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_width_and_spaces() {
        assert_eq!(key(" 中山路　派出所 "), "中山路派出所");
        assert_eq!(key("第１中队"), "第1中队");
    }

    #[test]
    fn the_closest_name_shares_the_most() {
        assert!(similarity("中山所", "中山路派出所") > similarity("中山所", "东山路派出所"));
        assert_eq!(similarity("甲", "乙"), 0);
    }
}
