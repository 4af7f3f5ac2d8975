//! What importing a tree sheet would do: each row's parent resolved by name — a row of the sheet
//! (before or after it) or an organization of the importer's scope —, rows taken in dependency
//! order, and every rule checked: a cycle, an unknown parent, a kind the parent cannot contain, a
//! duplicate name under one parent are errors naming the row; incomplete data is a warning.

use std::collections::HashMap;

use axum::body::Bytes;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{OrgImportReport, OrgRowReport, TermCell, label, parse_kind, parse_term, unit_names};
use crate::auth::{Actor, Permission, Scope};
use crate::error::{AppError, AppResult};
use crate::io::table::{CellError, RowValues};
use crate::orgs::units::{UnitIndex, key};
use crate::orgs::{OrgKind, entity as org, store};
use crate::party::committees::{SecretaryMatch, secretary_match};
use crate::state::AppState;

/// Where a row's organization goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Parent {
    /// The top of a tree.
    Root,
    /// An organization that exists, by its index in [`Plan::orgs`].
    Org(usize),
    /// An organization a row of the sheet creates, by the row's index.
    New(usize),
}

/// What a valid row writes, in the order of [`Plan::ops`] (parents before children).
pub(super) struct Op {
    pub(super) row: usize,
    pub(super) target: Target,
    /// Founding date, term and last election, when they change.
    pub(super) term: Option<(Option<NaiveDate>, Option<i32>, Option<NaiveDate>)>,
    /// Names of the units to cover, when the coverage changes.
    pub(super) units: Vec<String>,
    /// The person to record as 书记.
    pub(super) secretary: Option<i32>,
}

pub(super) enum Target {
    Create { parent: Parent, name: String, kind: OrgKind, unit_name: Option<String> },
    Update(usize),
}

pub(super) struct Plan {
    pub(super) report: OrgImportReport,
    /// The organizations of the importer's write scope, and the ancestors of its top (read-only).
    pub(super) orgs: Vec<org::Model>,
    pub(super) ops: Vec<Op>,
}

/// One sheet row, cleaned.
struct Row {
    no: usize,
    name: String,
    kind: Option<OrgKind>,
    parent_text: String,
    founded: Option<NaiveDate>,
    term: TermCell,
    units: Vec<String>,
    secretary: String,
    errors: Vec<CellError>,
    warnings: Vec<CellError>,
    /// Set once processed: the existing organization it is, and its kind.
    existing: Option<usize>,
    node_kind: Option<OrgKind>,
}

impl Row {
    fn read(no: usize, v: &RowValues, errors: Vec<CellError>) -> Row {
        let mut row = Row {
            no,
            name: String::new(),
            kind: None,
            parent_text: key(&v.text("parent")),
            founded: v.get("founded_on").and_then(|d| d.parse().ok()),
            term: TermCell::default(),
            units: unit_names(&v.text("units")),
            secretary: v.text("secretary"),
            errors,
            warnings: Vec::new(),
            existing: None,
            node_kind: None,
        };
        match super::clean_name(&v.text("name")) {
            Ok(n) => row.name = n,
            Err(reason) => row.errors.push(CellError::new(label("name"), reason)),
        }
        let kind_text = v.text("kind");
        row.kind = parse_kind(&kind_text);
        if row.kind.is_none() && !kind_text.is_empty() {
            row.errors.push(CellError::new(
                label("kind"),
                format!("类型“{kind_text}”应为党委、党总支、党支部、联合支部或党小组"),
            ));
        }
        match parse_term(&v.text("term")) {
            Ok(t) => row.term = t,
            Err(reason) => row.errors.push(CellError::new(label("term"), reason)),
        }
        row
    }

    fn error(&mut self, field: &str, reason: impl Into<String>) {
        self.errors.push(CellError::new(label(field), reason));
    }

    fn warn(&mut self, field: &str, reason: impl Into<String>) {
        self.warnings.push(CellError::new(label(field), reason));
    }
}

/// The organizations the importer may see as parents: the write scope, and above its top the
/// ancestors (only existing children of theirs in scope may be named under them).
struct Index {
    orgs: Vec<org::Model>,
    writable: Vec<bool>,
    by_key: HashMap<String, Vec<usize>>,
    by_id: HashMap<i32, usize>,
    /// Live writable organizations by (parent id, name key).
    child: HashMap<(Option<i32>, String), usize>,
    top_level: bool,
}

async fn index(state: &AppState, actor: &Actor) -> AppResult<Index> {
    let scope = actor.scope(Permission::OrgWrite);
    let mut orgs = org::Entity::find()
        .filter(store::in_scope(org::Column::Path, &scope))
        .filter(org::Column::DissolvedAt.is_null())
        .all(&state.db)
        .await?;
    let mut writable = vec![true; orgs.len()];
    if let Scope::Subtrees(tops) = &scope {
        let mut above: Vec<i32> =
            tops.iter().flat_map(|p| p.split('/').filter_map(|s| s.parse::<i32>().ok())).collect();
        above.sort_unstable();
        above.dedup();
        for o in store::find_many(&state.db, &above).await? {
            if !scope.contains(&o.path) && o.dissolved_at.is_none() {
                orgs.push(o);
                writable.push(false);
            }
        }
    }
    let mut ix = Index {
        by_key: HashMap::new(),
        by_id: HashMap::new(),
        child: HashMap::new(),
        top_level: scope.contains("/"),
        orgs: Vec::new(),
        writable,
    };
    for (i, o) in orgs.iter().enumerate() {
        ix.by_key.entry(key(&o.name)).or_default().push(i);
        ix.by_id.insert(o.id, i);
        if ix.writable[i] {
            ix.child.insert((o.parent_id, key(&o.name)), i);
        }
    }
    ix.orgs = orgs;
    Ok(ix)
}

/// Checks a sheet and says what importing it would do, changing nothing.
pub(super) async fn plan(state: &AppState, actor: &Actor, bytes: Bytes) -> AppResult<Plan> {
    actor.require(Permission::OrgWrite)?;
    crate::io::sheet::check_size(bytes.len(), &state.config.uploads)?;
    let (header, raw) = crate::io::table::read_all(&super::SPEC, bytes, state.config.uploads.clone()).await?;
    if raw.is_empty() {
        return Err(AppError::validation("file", "表头下面没有数据行"));
    }
    let ix = index(state, actor).await?;
    let units = UnitIndex::load(&state.db).await?;
    let mut rows: Vec<Row> = raw.iter().map(|(no, v, e)| Row::read(*no, v, e.clone())).collect();
    let parents: Vec<Option<Parent>> = (0..rows.len()).map(|i| resolve_parent(&ix, &mut rows, i)).collect();

    let mut p = Planner {
        state,
        ix: &ix,
        units: &units,
        today: state.clock.today(),
        seen: HashMap::new(),
        claimed: HashMap::new(),
        new_units: 0,
        ops: Vec::new(),
    };
    // Dependency order: a row is taken once its parent is known (an existing organization, the
    // top, or a row already taken).
    let mut done: Vec<Option<bool>> = vec![None; rows.len()];
    let mut progress = true;
    while progress {
        progress = false;
        for i in 0..rows.len() {
            if done[i].is_some() {
                continue;
            }
            let ok = match parents[i] {
                None => false,
                Some(Parent::New(j)) => match done[j] {
                    None => continue,
                    Some(false) => {
                        let reason =
                            format!("上级党组织“{}”（第 {} 行）有错误，本行无法导入", rows[j].name, rows[j].no);
                        rows[i].error("parent", reason);
                        false
                    }
                    Some(true) => {
                        let parent = rows[j].existing.map_or(Parent::New(j), Parent::Org);
                        p.take(&mut rows, i, parent).await?
                    }
                },
                Some(parent) => p.take(&mut rows, i, parent).await?,
            };
            done[i] = Some(ok && rows[i].errors.is_empty());
            progress = true;
        }
    }
    // What is left waits on itself: a cycle, or a row under one.
    for i in 0..rows.len() {
        if done[i].is_none() {
            let reason = cycle_reason(&rows, &parents, i);
            rows[i].error("parent", reason);
        }
    }

    let mut report = OrgImportReport {
        header_row: header.row,
        ignored_columns: header.ignored,
        rows: Vec::new(),
        created: 0,
        updated: 0,
        unchanged: 0,
        rejected: 0,
        warned: 0,
        new_units: p.new_units,
        committed: false,
    };
    let ops = std::mem::take(&mut p.ops);
    let ops: Vec<Op> = ops.into_iter().filter(|op| rows[op.row].errors.is_empty()).collect();
    for (i, row) in rows.into_iter().enumerate() {
        let op = ops.iter().find(|op| op.row == i);
        let action = match (&row.errors.is_empty(), op, row.existing) {
            (false, ..) => "拒绝",
            (true, Some(Op { target: Target::Create { .. }, .. }), _) => "新建",
            (true, Some(_), _) => "更新",
            (true, None, Some(_)) => "无变化",
            (true, None, None) => "拒绝",
        };
        match action {
            "新建" => report.created += 1,
            "更新" => report.updated += 1,
            "无变化" => report.unchanged += 1,
            _ => report.rejected += 1,
        }
        if action != "拒绝" && !row.warnings.is_empty() {
            report.warned += 1;
        }
        report.rows.push(OrgRowReport {
            row: row.no,
            name: row.name,
            kind: row.node_kind.or(row.kind).map(|k| k.as_str().to_owned()).unwrap_or_default(),
            parent: row.parent_text,
            action,
            changes: op.map(|op| changes(op, &ix.orgs)).unwrap_or_default(),
            errors: row.errors,
            warnings: if action == "拒绝" { Vec::new() } else { row.warnings },
        });
    }
    if report.rejected > 0 {
        report.new_units = 0;
    }
    Ok(Plan { report, orgs: ix.orgs, ops })
}

/// What an update changes, for the report.
fn changes(op: &Op, orgs: &[org::Model]) -> Vec<String> {
    let Target::Update(x) = op.target else { return Vec::new() };
    let o = &orgs[x];
    let mut out = Vec::new();
    if let Some((founded, years, elected)) = op.term {
        if founded != o.founded_on {
            out.push("成立日期".to_owned());
        }
        if years != o.term_years || elected != o.elected_on {
            out.push("届期".to_owned());
        }
    }
    if !op.units.is_empty() {
        out.push("覆盖单位".to_owned());
    }
    if op.secretary.is_some() {
        out.push("书记".to_owned());
    }
    out
}

/// The parent a row names: none (the top), a row of the sheet with that name, or an organization
/// of the importer's scope (by name or number). `None` when it names nothing, or several.
fn resolve_parent(ix: &Index, rows: &mut [Row], i: usize) -> Option<Parent> {
    let text = rows[i].parent_text.clone();
    if text.is_empty() {
        return Some(Parent::Root);
    }
    if rows[i].name.is_empty() {
        return None;
    }
    let in_sheet: Vec<usize> = (0..rows.len()).filter(|&j| j != i && rows[j].name == text).collect();
    match in_sheet.as_slice() {
        [j] => return Some(Parent::New(*j)),
        [] => {}
        many => {
            let at: Vec<String> = many.iter().map(|j| rows[*j].no.to_string()).collect();
            rows[i].error(
                "parent",
                format!("表中有 {} 行名为“{text}”（第 {} 行），无法确定是哪一个", many.len(), at.join("、")),
            );
            return None;
        }
    }
    let by_number = crate::ui::params::picked_id(&text)
        .or_else(|| text.parse::<i32>().ok())
        .and_then(|id| ix.by_id.get(&id).copied());
    if let Some(o) = by_number {
        return Some(Parent::Org(o));
    }
    match ix.by_key.get(&text).map(Vec::as_slice) {
        Some([one]) => Some(Parent::Org(*one)),
        Some(many) => {
            rows[i].error("parent", format!("“{text}”有 {} 个同名党组织，请改填其编号", many.len()));
            None
        }
        None => {
            rows[i].error("parent", format!("找不到上级党组织“{text}”：表中没有这一行，您管辖范围内也没有这个党组织"));
            None
        }
    }
}

/// Why a row never became ready: it is on a cycle of parents, or under one.
fn cycle_reason(rows: &[Row], parents: &[Option<Parent>], i: usize) -> String {
    let mut chain = vec![i];
    let mut k = i;
    while let Some(Some(Parent::New(j))) = parents.get(k) {
        if *j == i {
            let names: Vec<String> =
                chain.iter().map(|c| format!("{}（第 {} 行）", rows[*c].name, rows[*c].no)).collect();
            return format!("上级党组织形成循环：{} → {}", names.join(" → "), rows[i].name);
        }
        if chain.contains(j) {
            break;
        }
        chain.push(*j);
        k = *j;
    }
    let j = match parents[i] {
        Some(Parent::New(j)) => j,
        _ => i,
    };
    format!("上级党组织“{}”（第 {} 行）处在循环之中，本行无法导入", rows[j].name, rows[j].no)
}

/// Where a name is taken under one parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Under {
    Root,
    Org(i32),
    Row(usize),
}

struct Planner<'a> {
    state: &'a AppState,
    ix: &'a Index,
    units: &'a UnitIndex,
    today: NaiveDate,
    /// (parent, name) → the row number that took it.
    seen: HashMap<(Under, String), usize>,
    /// Units already covered by a row: by unit id, or by name for new units.
    claimed: HashMap<Result<i32, String>, usize>,
    new_units: usize,
    ops: Vec<Op>,
}

impl Planner<'_> {
    /// Checks row `i` under `parent`, records its operation; false when it cannot be imported.
    async fn take(&mut self, rows: &mut [Row], i: usize, parent: Parent) -> AppResult<bool> {
        if !rows[i].errors.is_empty() && rows[i].name.is_empty() {
            return Ok(false);
        }
        let ix = self.ix;
        let (parent_kind, under, existing, parent_name) = match parent {
            Parent::Root => (None, Under::Root, ix.child.get(&(None, rows[i].name.clone())).copied(), String::new()),
            Parent::Org(o) => {
                let p = &ix.orgs[o];
                let existing = ix.child.get(&(Some(p.id), rows[i].name.clone())).copied();
                (OrgKind::parse(&p.kind), Under::Org(p.id), existing, p.name.clone())
            }
            Parent::New(j) => (rows[j].node_kind, Under::Row(j), None, rows[j].name.clone()),
        };
        let row = &mut rows[i];
        if let Some(first) = self.seen.get(&(under, row.name.clone())) {
            row.error("name", format!("与第 {first} 行重复：同一上级党组织下不能有两个同名党组织"));
            return Ok(false);
        }
        self.seen.insert((under, row.name.clone()), row.no);

        let mut op = Op { row: i, target: Target::Update(0), term: None, units: Vec::new(), secretary: None };
        let before = existing.map(|x| &ix.orgs[x]);
        match before {
            Some(o) => {
                let kind = OrgKind::parse(&o.kind);
                if let Some(k) = row.kind.filter(|k| Some(*k) != kind) {
                    row.error(
                        "kind",
                        format!(
                            "现有党组织“{}”的类型为{}，与本行的{}不同；类型不能通过导入更改",
                            o.name,
                            o.kind,
                            k.as_str()
                        ),
                    );
                }
                row.existing = existing;
                row.node_kind = kind;
                op.target = Target::Update(existing.unwrap_or_default());
            }
            None => {
                match row.kind {
                    None if row.errors.iter().any(|e| e.column == label("kind")) => {}
                    None => row.error("kind", "请填写类型：党委、党总支、党支部、联合支部或党小组"),
                    Some(k) if !k.may_be_under(parent_kind) => {
                        let place = match parent_kind {
                            None => "最高一级".to_owned(),
                            Some(pk) => format!("{}“{parent_name}”之下", pk.as_str()),
                        };
                        row.error("kind", format!("{}不能设在{place}", k.as_str()));
                    }
                    Some(_) => {}
                }
                match parent {
                    Parent::Org(o) if !ix.writable[o] => {
                        row.error("parent", format!("您无权在“{parent_name}”之下建立党组织"));
                    }
                    Parent::Root if !ix.top_level => {
                        row.error("parent", "请填写上级党组织（只有管辖全局的党务管理员可以建立最高一级党组织）");
                    }
                    _ => {}
                }
                row.node_kind = row.kind;
                if let Some(kind) = row.kind {
                    let unit_name = row.units.first().map(|u| self.units.find(u).map_or(u.clone(), |m| m.name.clone()));
                    op.target = Target::Create { parent, name: row.name.clone(), kind, unit_name };
                }
            }
        }
        self.term(row, before, &mut op);
        self.cover(row, before, &mut op);
        self.secretary(row, before, &mut op).await?;
        let ok = row.errors.is_empty();
        let changed = matches!(op.target, Target::Create { .. })
            || op.term.is_some()
            || !op.units.is_empty()
            || op.secretary.is_some();
        if ok && changed {
            self.ops.push(op);
        }
        Ok(ok)
    }

    fn term(&self, row: &mut Row, before: Option<&org::Model>, op: &mut Op) {
        let mut term = row.term;
        if row.node_kind == Some(OrgKind::Group) && term != TermCell::default() {
            row.warn("term", "党小组不换届，届期未登记");
            term = TermCell::default();
        }
        let founded = row.founded.or(before.and_then(|o| o.founded_on));
        let years = term.years.or(before.and_then(|o| o.term_years));
        let elected = term.elected_on.or(before.and_then(|o| o.elected_on));
        if row.founded.is_some_and(|f| f > self.today) {
            row.error("founded_on", "成立日期不能晚于今天");
        }
        if term.elected_on.is_some_and(|e| e > self.today) {
            row.error("term", "本届开始日期不能晚于今天");
        }
        if let (Some(f), Some(e)) = (founded, elected)
            && e < f
        {
            row.error("term", format!("本届开始（{e}）早于成立日期（{f}）"));
        }
        let same = before.is_some_and(|o| o.founded_on == founded && o.term_years == years && o.elected_on == elected);
        let nothing = before.is_none() && founded.is_none() && years.is_none() && elected.is_none();
        if !same && !nothing {
            op.term = Some((founded, years, elected));
        }
    }

    fn cover(&mut self, row: &mut Row, before: Option<&org::Model>, op: &mut Op) {
        let ix = self.ix;
        let mut changed = false;
        for name in row.units.clone() {
            let found = self.units.find(&name);
            let claim = found.map_or_else(|| Err(name.clone()), |u| Ok(u.id));
            if let Some(first) = self.claimed.get(&claim) {
                row.error("units", format!("单位“{name}”已由第 {first} 行的党组织覆盖，一个单位只能由一个党组织覆盖"));
                continue;
            }
            self.claimed.insert(claim, row.no);
            let Some(u) = found else {
                row.warn("units", format!("单位名单中没有“{name}”，将新建这个单位"));
                self.new_units += 1;
                changed = true;
                continue;
            };
            match u.org_id {
                Some(id) if before.is_some_and(|o| o.id == id) => {}
                Some(id) => match ix.by_id.get(&id).filter(|&&o| ix.writable[o]) {
                    Some(&o) => {
                        row.warn(
                            "units",
                            format!("单位“{}”原由“{}”覆盖，导入后改由本组织覆盖", u.name, ix.orgs[o].name),
                        );
                        changed = true;
                    }
                    None => row.error("units", format!("单位“{}”由您管辖范围以外的党组织覆盖", u.name)),
                },
                None => changed = true,
            }
        }
        if changed {
            op.units = row.units.clone();
        }
    }

    async fn secretary(&self, row: &mut Row, before: Option<&org::Model>, op: &mut Op) -> AppResult<()> {
        if row.secretary.is_empty() || !row.errors.is_empty() {
            return Ok(());
        }
        let name = row.secretary.clone();
        match before {
            None if row.node_kind == Some(OrgKind::Group) => {
                row.warn("secretary", "党小组不设书记（组长在党小组页设定），未登记");
            }
            None => row.warn("secretary", format!("书记{name}未在名册中，导入名册后在班子页补录")),
            Some(o) => match secretary_match(self.state, o, &name).await? {
                SecretaryMatch::Already => {}
                SecretaryMatch::Appoint(id) => op.secretary = Some(id),
                SecretaryMatch::Not(reason) => row.warn("secretary", reason),
            },
        }
        Ok(())
    }
}
