//! Where an imported row goes: its 所在党组织 when given, else the organization covering its
//! 所在单位 (real rosters fill 所在党组织 only for Party members), else the target organization
//! the importer chose for such rows; otherwise the row is refused naming the unit that did not
//! match and the closest known units.

use std::collections::HashMap;

use super::import::CellError;
use crate::error::{AppError, AppResult};
use crate::orgs::entity as org;
use crate::orgs::units::UnitIndex;
use crate::orgs::units::entity::unit;

/// The organizations of the actor's write scope, looked up by name and by id.
pub(super) struct OrgIndex {
    pub(super) orgs: Vec<org::Model>,
    pub(super) by_name: HashMap<String, Vec<usize>>,
    pub(super) by_id: HashMap<i32, usize>,
    pub(super) units: UnitIndex,
    /// The organization chosen for rows whose own organization does not resolve.
    pub(super) target: Option<usize>,
}

impl OrgIndex {
    pub(super) fn new(orgs: Vec<org::Model>, units: UnitIndex) -> Self {
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_id = HashMap::new();
        for (i, o) in orgs.iter().enumerate() {
            by_name.entry(o.name.clone()).or_default().push(i);
            by_id.insert(o.id, i);
        }
        Self { orgs, by_name, by_id, units, target: None }
    }

    /// An organization of the scope by exact name or id.
    pub(super) fn named(&self, text: &str) -> Result<usize, String> {
        if let Some(&i) = text.parse::<i32>().ok().and_then(|id| self.by_id.get(&id)) {
            return Ok(i);
        }
        match self.by_name.get(text).map(Vec::as_slice) {
            Some([one]) => Ok(*one),
            Some(many) => Err(format!("“{text}”有 {} 个同名党组织，请改填其编号", many.len())),
            None => Err(format!("找不到您管辖范围内名为“{text}”的党组织")),
        }
    }

    /// Sets the target organization (`--org`, the preview page's field, the API's `org`).
    pub(super) fn choose_target(&mut self, text: Option<&str>) -> AppResult<()> {
        let text = text.map(str::trim).filter(|t| !t.is_empty());
        if let Some(t) = text {
            let t = crate::ui::params::picked_id(t).map_or_else(|| t.to_owned(), |id| id.to_string());
            self.target = Some(self.named(&t).map_err(|reason| AppError::validation("org", reason))?);
        }
        Ok(())
    }
}

/// What the row's organization and unit resolve to.
pub(super) struct Placement<'a> {
    pub(super) org: Option<&'a org::Model>,
    pub(super) unit: Option<&'a unit::Model>,
}

/// Resolves a row's organization: `org_text` (所在党组织), else `kept` (an existing record's), else
/// the unit's covering organization, else the target. Errors and warnings are pushed by column.
pub(super) fn place<'a>(
    index: &'a OrgIndex,
    org_text: &str,
    unit_text: &str,
    kept: Option<&'a org::Model>,
    errors: &mut Vec<CellError>,
    warnings: &mut Vec<CellError>,
) -> Placement<'a> {
    let cell = |column: &str, reason: String| CellError { column: column.to_owned(), reason };
    let unit = (!unit_text.is_empty()).then(|| index.units.find(unit_text)).flatten();
    let target = index.target.map(|i| &index.orgs[i]);
    let unknown_unit = || super::unknown_unit(unit_text, &index.units).unwrap_or_default();
    if !unit_text.is_empty() && unit.is_none() && (!org_text.is_empty() || kept.is_some()) {
        warnings.push(cell("所在单位", format!("{}，按原文保存；可在单位名单中添加后再导入", unknown_unit())));
    }
    if !org_text.is_empty() {
        return match index.named(org_text) {
            Ok(i) => Placement { org: Some(&index.orgs[i]), unit },
            Err(reason) => {
                errors.push(cell("所在党组织", reason));
                Placement { org: None, unit }
            }
        };
    }
    if let Some(k) = kept {
        return Placement { org: Some(k), unit };
    }
    let by_unit = match unit {
        Some(u) => match u.org_id {
            Some(id) => match index.by_id.get(&id) {
                Some(&i) => Ok(&index.orgs[i]),
                None => Err(format!("单位“{}”由您管辖范围以外的党组织覆盖", u.name)),
            },
            None => Err(format!("单位“{}”尚未指定覆盖的党组织（可在单位名单中指定）", u.name)),
        },
        None if unit_text.is_empty() => Err("请填写所在单位或所在党组织".to_owned()),
        None => Err(unknown_unit()),
    };
    match (by_unit, target) {
        (Ok(o), _) => Placement { org: Some(o), unit },
        (Err(reason), Some(t)) => {
            warnings.push(cell("所在党组织", format!("{reason}：按导入时选择的“{}”导入", t.name)));
            Placement { org: Some(t), unit }
        }
        (Err(reason), None) => {
            let column = if unit_text.is_empty() { "所在党组织" } else { "所在单位" };
            errors.push(cell(column, format!("{reason}：请改填所在单位或所在党组织，或在导入时选择这些行的党组织")));
            Placement { org: None, unit }
        }
    }
}
