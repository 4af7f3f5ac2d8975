//! To-do lists that stay readable at any scope. A branch secretary sees each item; someone whose
//! scope holds hundreds of them (a sub-bureau or the whole bureau) sees each kind counted per
//! unit one level below their scope — "东港分局：57 名预备党员的预备期在 30 天内届满" — and the
//! count links to the home page narrowed to that unit (`/?unit=ID`), down to single items.

use std::collections::BTreeMap;

use super::store;
use crate::auth::Scope;
use crate::error::AppResult;
use crate::state::AppState;
use crate::ui::blocks::Todo;

/// Up to this many items of a kind are listed one by one.
pub const LIST_MAX: usize = 10;

/// A to-do item and the organization path it belongs to.
pub struct Pending {
    pub path: String,
    pub todo: Todo,
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// The unit an item at `path` is counted under: the organization `extra` levels below the
/// scope root that holds it (or the item's own organization when it is not that deep).
fn unit_of(path: &str, roots: &[String], extra: usize) -> String {
    let root_depth =
        roots.iter().filter(|r| path.starts_with(r.as_str())).map(|r| segments(r).len()).max().unwrap_or(0);
    let segs = segments(path);
    let keep = (root_depth + extra).min(segs.len());
    if keep == 0 { "/".to_owned() } else { format!("/{}/", segs[..keep].join("/")) }
}

/// The items themselves when there are few, else one line per unit: `what(n)` names n items of
/// this kind ("57 名预备党员的预备期在 30 天内届满").
pub async fn by_unit(
    state: &AppState,
    scope: &Scope,
    items: Vec<Pending>,
    what: impl Fn(usize) -> String,
) -> AppResult<Vec<Todo>> {
    if items.len() <= LIST_MAX {
        return Ok(items.into_iter().map(|p| p.todo).collect());
    }
    let roots: Vec<String> = match scope {
        Scope::All => vec!["/".into()],
        Scope::Subtrees(roots) => roots.clone(),
        Scope::Nothing => return Ok(Vec::new()),
    };
    // One level below the scope; deeper while everything falls into one unit.
    let mut extra = 1;
    let units: Vec<String> = loop {
        let units: Vec<String> = items.iter().map(|p| unit_of(&p.path, &roots, extra)).collect();
        let first = units.first().cloned().unwrap_or_default();
        let one_unit = units.iter().all(|u| *u == first);
        let deeper_possible = items.iter().any(|p| segments(&p.path).len() > segments(&first).len());
        if !one_unit || !deeper_possible || extra >= 8 {
            break units;
        }
        extra += 1;
    };
    let mut groups: BTreeMap<String, Vec<Todo>> = BTreeMap::new();
    for (unit, p) in units.into_iter().zip(items) {
        groups.entry(unit).or_default().push(p.todo);
    }
    let ids: Vec<i32> = groups.keys().filter_map(|u| segments(u).last().and_then(|s| s.parse().ok())).collect();
    let names = store::names(&state.db, &ids).await?;
    let mut out: Vec<(usize, Todo)> = groups
        .into_iter()
        .map(|(unit, todos)| {
            let id: Option<i32> = segments(&unit).last().and_then(|s| s.parse().ok());
            let name = id.and_then(|i| names.get(&i).cloned()).unwrap_or_else(|| "本局".into());
            let due = todos.iter().filter_map(|t| t.due.clone()).min();
            let urgency = if todos.iter().any(|t| t.urgency == "high") { "high" } else { "normal" };
            let href = id.map_or_else(|| "/#todos".to_owned(), |i| format!("/?unit={i}#todos"));
            let title = format!("{name}：{}", what(todos.len()));
            (todos.len(), Todo { title, href, due: due.map(|d| format!("最早 {d}")), urgency })
        })
        .collect();
    out.sort_by_key(|(count, _)| std::cmp::Reverse(*count));
    Ok(out.into_iter().map(|(_, t)| t).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_counted_one_level_below_the_scope() {
        let roots = vec!["/1/4/".to_owned()];
        assert_eq!(unit_of("/1/4/9/31/", &roots, 1), "/1/4/9/");
        assert_eq!(unit_of("/1/4/", &roots, 1), "/1/4/");
        assert_eq!(unit_of("/1/4/9/31/", &roots, 2), "/1/4/9/31/");
        assert_eq!(unit_of("/1/7/8/", &["/".to_owned()], 1), "/1/");
        assert_eq!(unit_of("/1/7/8/", &["/".to_owned()], 2), "/1/7/");
    }
}
