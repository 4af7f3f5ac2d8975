//! Finding people: the roster's filter and search (by name, pinyin initials, police number,
//! ID digits and — where the actor may see identity data — full numbers), the page, the export.

use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{self as person, Column};
use super::mask_id;
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission, Scope};
use crate::error::{AppError, AppResult};
use crate::orgs::store;
use crate::state::AppState;
use crate::ui::PageParams;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PersonFilter {
    /// Name, pinyin initials (`zs`), police number, the last 4 characters of the ID number, or
    /// unit; with the identity permission also more of the ID number or the phone number.
    pub q: String,
    pub kind: String,
    pub employment_status: String,
    pub political_status: String,
    /// Only this organization's subtree.
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub org: Option<i32>,
}

/// A list row: no sensitive field, the ID number masked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "名册中的一行：身份证号只显示末四位，不含电话，出生日期只显示年份（如 `1985年`）；\
        完整的值须在一人一档中查看（`POST /persons/{id}/reveal`，记审计）")]
pub struct PersonRow {
    pub id: i32,
    pub name: String,
    pub kind: String,
    pub police_no: Option<String>,
    pub id_number_masked: String,
    pub gender: String,
    pub birth_date: String,
    pub org_id: Option<i32>,
    pub org_name: String,
    pub unit: Option<String>,
    pub position: Option<String>,
    pub political_status: String,
    pub employment_status: String,
}

async fn rows(state: &AppState, people: Vec<person::Model>) -> AppResult<Vec<PersonRow>> {
    let ids: Vec<i32> = people.iter().filter_map(|p| p.org_id).collect();
    let names = store::names(&state.db, &ids).await?;
    Ok(people
        .into_iter()
        .map(|p| PersonRow {
            id: p.id,
            org_name: p.org_id.and_then(|o| names.get(&o).cloned()).unwrap_or_default(),
            id_number_masked: mask_id(&p.id_number),
            // Masked for every viewer, like the ID number: the full date is revealed per person.
            birth_date: super::birth_shown(p.birth_date, false),
            name: p.name,
            kind: p.kind,
            police_no: p.police_no,
            gender: p.gender,
            org_id: p.org_id,
            unit: p.unit,
            position: p.position,
            political_status: p.political_status,
            employment_status: p.employment_status,
        })
        .collect())
}

/// How much of the people a search reaches may the actor see the identity of (full ID and
/// phone numbers)? Compared over the organizations actually searched.
#[derive(Debug, Clone, PartialEq, Eq)]
enum IdentityReach {
    /// Everyone searched: full numbers may be searched (and the search is audited).
    Full,
    /// Only the people inside this scope.
    Part(Scope),
    /// Nobody searched: the list shows the last four ID digits and no phone, and so does search.
    Nothing,
}

impl IdentityReach {
    fn of(searched: &Scope, identity: &Scope) -> Self {
        match (searched, identity) {
            (Scope::Nothing, _) | (_, Scope::Nothing) => Self::Nothing,
            (_, Scope::All) => Self::Full,
            (Scope::All, part) => Self::Part(part.clone()),
            (Scope::Subtrees(roots), _) if roots.iter().all(|r| identity.contains(r)) => Self::Full,
            (Scope::Subtrees(roots), Scope::Subtrees(held)) => {
                let nested = |a: &str, b: &str| a.starts_with(b) || b.starts_with(a);
                if roots.iter().any(|r| held.iter().any(|h| nested(r, h))) {
                    Self::Part(identity.clone())
                } else {
                    Self::Nothing
                }
            }
        }
    }

    /// Where in the tree the identity search looked (for the audit log): the deepest
    /// organization containing every overlap of the searched and the permitted subtrees.
    fn audit_path(searched: &Scope, identity: &Scope) -> Option<String> {
        let pairs: Vec<String> = match (searched, identity) {
            (Scope::Subtrees(roots), Scope::Subtrees(held)) => roots
                .iter()
                .flat_map(|r| {
                    held.iter().filter_map(move |h| {
                        if r.starts_with(h.as_str()) {
                            Some(r.clone())
                        } else if h.starts_with(r.as_str()) {
                            Some(h.clone())
                        } else {
                            None
                        }
                    })
                })
                .collect(),
            (Scope::Subtrees(roots), Scope::All) => roots.clone(),
            (Scope::All, Scope::Subtrees(held)) => held.clone(),
            _ => Vec::new(),
        };
        store::common_path(pairs.iter().map(String::as_str))
    }
}

/// Said on the roster page when a number was searched only as far as the list shows it.
pub const NOTICE_NO_IDENTITY: &str =
    "您没有身份信息查阅权限：只能按身份证号末 4 位查找（与列表显示的一致），不能按更多位数或电话号码查找。";
pub const NOTICE_PART_IDENTITY: &str = "您只在部分党组织有身份信息查阅权限：在其余党组织中只能按身份证号末 4 位查找，\
    不能按更多位数或电话号码查找。";

/// A search that looked into full ID or phone numbers: audited like a reveal.
#[derive(Debug, Clone)]
struct IdentitySearch {
    /// `id_number`, `phone` or both.
    columns: Vec<&'static str>,
    /// The text as searched (upper case), to tell which rows it found through those columns.
    text: String,
    /// Who may be matched through them.
    within: Option<Scope>,
    /// Where the search looked, for the audit log.
    org_path: Option<String>,
}

impl IdentitySearch {
    /// The text as the audit log keeps it: the last four characters of an ID search (what a
    /// list shows anyway), nothing of a text that may be a phone number, the length in both cases. The log is read
    /// by the security auditor, who may not see ID or phone numbers (三员分立), so the number
    /// searched is never stored in clear; the people it found are, by record id.
    fn masked(&self) -> String {
        if self.columns.contains(&"phone") { "*".repeat(self.text.chars().count()) } else { mask_id(&self.text) }
    }

    fn found_through_identity(&self, p: &person::Model) -> bool {
        let reachable = match &self.within {
            None => true,
            Some(scope) => p.org_path.as_deref().is_some_and(|path| scope.contains(path)),
        };
        reachable
            && ((self.columns.contains(&"id_number") && p.id_number.ends_with(&self.text))
                || (self.columns.contains(&"phone") && p.phone.as_deref().is_some_and(|ph| ph.starts_with(&self.text))))
    }

    /// Writes the `sensitive.read` entry when the rows returned include someone found through a
    /// full number (a reveal of that number): what was looked for (masked), how many rows the
    /// filter gives, and who was found that way. A search that found nobody that way revealed
    /// no one's number — a six-digit police number is also a six-digit ID suffix, and searching
    /// police numbers is not a reveal.
    async fn audit(&self, state: &AppState, actor: &Actor, total: u64, returned: &[person::Model]) -> AppResult<()> {
        self.record(state, actor, total, self.found(returned, AUDITED_PERSONS)).await
    }

    /// Who of `returned` was found through a full number, at most `up_to`.
    fn found(&self, returned: &[person::Model], up_to: usize) -> Vec<i32> {
        returned.iter().filter(|p| self.found_through_identity(p)).map(|p| p.id).take(up_to).collect()
    }

    async fn record(&self, state: &AppState, actor: &Actor, total: u64, found: Vec<i32>) -> AppResult<()> {
        if found.is_empty() {
            return Ok(());
        }
        let mut event = Event::by(actor, "sensitive.read").summary(json!({
            "search": self.columns,
            "q": self.masked(),
            "total": total,
            "persons": found,
        }));
        if let Some(path) = &self.org_path {
            event = event.org(path.clone());
        }
        audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
        Ok(())
    }
}

/// At most this many people found are named in one audit entry (an export can return many).
const AUDITED_PERSONS: usize = 500;

/// What a search text matches, for this actor.
#[derive(Debug, Default)]
struct Search {
    condition: Option<Condition>,
    identity: Option<IdentitySearch>,
    notice: Option<&'static str>,
}

/// Phone numbers are searched from their start, with as many digits as a phone number has
/// (a local number to a mobile or an area code and number); 18 characters are an ID number.
const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 7..=13;

/// The search text decides what it matches: latin letters are pinyin initials; digits (an ID
/// number may end in X) a police number from its start, the last four digits of an ID number,
/// and — only where the actor may see identity data — the end of an ID number of any length
/// from 4 digits and the start of a phone number; anything else the name or the unit.
///
/// Searching must not reveal more than the list shows: a list without the identity permission
/// shows the last four ID digits and no phone, so the ID column is searched with exactly four
/// characters there, and the phone column not at all. Otherwise a leader could type "1234",
/// "01234", "901234" … and read the whole number from which searches still match.
fn search_condition(
    backend: sea_orm::DatabaseBackend,
    q: &str,
    reach: &IdentityReach,
    org_path: Option<String>,
) -> Search {
    let q = q.trim();
    if q.is_empty() {
        return Search::default();
    }
    if q.chars().all(|c| c.is_ascii_alphabetic()) {
        return Search { condition: Some(by_initials(&q.to_ascii_lowercase())), ..Default::default() };
    }
    let upper = q.to_ascii_uppercase();
    let digits = upper.strip_suffix('X').unwrap_or(&upper);
    let id_like = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && upper.len() <= 18;
    let phone_like = upper.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        && PHONE_DIGITS.contains(&upper.bytes().filter(u8::is_ascii_digit).count())
        && upper.len() <= 20;
    if !id_like && !phone_like {
        return Search { condition: Some(by_text(backend, q)), ..Default::default() };
    }
    let mut cond = Condition::any();
    if upper.bytes().all(|b| b.is_ascii_digit()) {
        // Police numbers are shown in full in the list.
        cond = cond.add(store::prefix(Column::PoliceNo, &upper));
    }
    if !id_like {
        // Digits with dashes: a phone number, or text in a unit's name.
        cond = cond.add(by_text(backend, q));
    }
    let reversed = person::reversed_id(&upper);
    if id_like && upper.len() == 4 {
        // Exactly what the list shows of every ID number.
        cond = cond.add(store::prefix(Column::IdNumberRev, &reversed));
    }
    let mut identity_columns: Vec<(&'static str, Condition)> = Vec::new();
    if id_like && upper.len() > 4 {
        identity_columns.push(("id_number", store::prefix(Column::IdNumberRev, &reversed)));
    }
    if phone_like {
        identity_columns.push(("phone", store::prefix(Column::Phone, &upper)));
    }
    let mut search = Search::default();
    if !identity_columns.is_empty() {
        let within = match reach {
            IdentityReach::Full => Some(None),
            IdentityReach::Part(scope) => Some(Some(scope.clone())),
            IdentityReach::Nothing => None,
        };
        search.notice = match reach {
            IdentityReach::Full => None,
            IdentityReach::Part(_) => Some(NOTICE_PART_IDENTITY),
            IdentityReach::Nothing => Some(NOTICE_NO_IDENTITY),
        };
        if let Some(within) = within {
            let columns: Vec<&'static str> = identity_columns.iter().map(|(c, _)| *c).collect();
            for (_, column_cond) in identity_columns {
                cond = cond.add(match &within {
                    None => column_cond,
                    // A plain filter, so that the number's own index finds the rows.
                    Some(scope) => {
                        Condition::all().add(store::in_scope_filter(Column::OrgPath, scope)).add(column_cond)
                    }
                });
            }
            search.identity = Some(IdentitySearch { columns, text: upper.clone(), within, org_path });
        }
    }
    if cond.is_empty() {
        // Nothing the actor may search matches such a text (an empty `any` would match all).
        cond = cond.add(sea_orm::sea_query::Expr::cust("1 = 0"));
    }
    search.condition = Some(cond);
    search
}

/// Persons one of whose pinyin spellings starts with `q` (see `text::initials_variants`), found
/// through the spellings' index.
fn by_initials(q: &str) -> Condition {
    use sea_orm::sea_query::Query;

    use super::entity::initials;
    let spelt = Query::select()
        .column(initials::Column::PersonId)
        .from(initials::Entity)
        .cond_where(store::prefix(initials::Column::Initials, q))
        .to_owned();
    Condition::all().add(Column::Id.in_subquery(spelt))
}

/// Persons whose name or unit contains `q` (latin letters in either case), found through the
/// search grams' index (`text::search_grams`): one or two characters are a gram exactly, a
/// longer text is looked up by its first pair and then compared whole. A `LIKE '%…%'` alone reads
/// every person, however few match (a rare full name took as long as a full scan).
fn by_text(backend: sea_orm::DatabaseBackend, q: &str) -> Condition {
    use sea_orm::sea_query::Query;

    use super::entity::grams;
    let chars = crate::text::search_chars(q);
    let first: String = chars.iter().take(2).collect();
    let posted = Query::select()
        .column(grams::Column::PersonId)
        .from(grams::Entity)
        .and_where(grams::Column::Gram.eq(first))
        .to_owned();
    let mut cond = Condition::all().add(Column::Id.in_subquery(posted));
    if chars.len() > 2 {
        cond = cond.add(Condition::any().add(store::containing(backend, Column::Name, q)).add(store::containing(
            backend,
            Column::Unit,
            q,
        )));
    }
    cond
}

/// What a picker's text finds among people (see `store::pick_among`), read as the roster search
/// reads it: latin letters are pinyin initials (through the spellings' index), a number is a
/// record's id (also as a chosen suggestion `姓名（#id）`) or the start of a police number,
/// anything else part of the name. `None` for empty text: every candidate.
pub(super) fn picker_condition(backend: sea_orm::DatabaseBackend, q: &str) -> Option<Condition> {
    let q = q.trim();
    if q.is_empty() {
        return None;
    }
    if q.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some(by_initials(&q.to_ascii_lowercase()));
    }
    if let Some(id) = crate::ui::params::picked_id(q) {
        let mut cond = Condition::any().add(Column::Id.eq(id));
        if q.bytes().all(|b| b.is_ascii_digit()) {
            cond = cond.add(store::prefix(Column::PoliceNo, q));
        }
        return Some(cond);
    }
    Some(Condition::all().add(store::containing(backend, Column::Name, q)))
}

/// Above this many people in reach, a search lets its own index find the rows and only filters
/// them by organization; below it, the organization's range is the narrower way in.
const SEARCH_DRIVES_ABOVE: u64 = 3_000;

/// The roster query for a filter, and what its search text did.
struct Filtered {
    query: sea_orm::Select<person::Entity>,
    search: Search,
}

async fn filtered(state: &AppState, actor: &Actor, filter: &PersonFilter) -> AppResult<Filtered> {
    actor.require(Permission::PersonRead)?;
    let scope = actor.scope(Permission::PersonRead);
    let within = match filter.org {
        Some(org_id) => {
            let o = store::find(&state.db, org_id).await?.ok_or(AppError::NotFound)?;
            let target = Target { kind: "org", id: i64::from(o.id), org_path: &o.path };
            guard::check(state, actor, Permission::PersonRead, Sensitivity::Normal, target).await?;
            Some(o.path)
        }
        None => None,
    };
    let searched = match &within {
        Some(path) => Scope::Subtrees(vec![path.clone()]),
        None => scope.clone(),
    };
    let identity = actor.scope(Permission::IdentityRead);
    let reach = IdentityReach::of(&searched, &identity);
    let audit_path = IdentityReach::audit_path(&searched, &identity);
    let search = search_condition(state.db.get_database_backend(), &filter.q, &reach, audit_path);
    // Which condition should reach the rows through its index: the planners cannot tell how
    // many people a subtree holds, the (cached) count can.
    let search_drives = match &search.condition {
        Some(_) => {
            let reach = person::Entity::find()
                .filter(match &within {
                    Some(path) => store::subtree(Column::OrgPath, path),
                    None => store::in_scope(Column::OrgPath, &scope),
                })
                .filter(Column::DeletedAt.is_null());
            let key = format!("persons-reach:{scope:?}:{within:?}");
            state.cached_count(key, reach.count(&state.db)).await? > SEARCH_DRIVES_ABOVE
        }
        None => false,
    };
    let (in_scope, subtree): (Condition, Option<Condition>) = if search_drives {
        (store::in_scope_filter(Column::OrgPath, &scope), within.map(|p| store::subtree_filter(Column::OrgPath, &p)))
    } else {
        (store::in_scope(Column::OrgPath, &scope), within.map(|p| store::subtree(Column::OrgPath, &p)))
    };
    let mut q = person::Entity::find().filter(in_scope).filter(Column::DeletedAt.is_null());
    if let Some(cond) = subtree {
        q = q.filter(cond);
    }
    if let Some(cond) = search.condition.clone() {
        q = q.filter(cond);
    }
    for (column, value) in [
        (Column::Kind, &filter.kind),
        (Column::EmploymentStatus, &filter.employment_status),
        (Column::PoliticalStatus, &filter.political_status),
    ] {
        if !value.trim().is_empty() {
            q = q.filter(column.eq(value.trim()));
        }
    }
    Ok(Filtered { query: q.order_by_asc(Column::OrgPath).order_by_asc(Column::Id), search })
}

/// One page of the roster.
#[derive(Debug)]
pub struct RosterPage {
    pub rows: Vec<PersonRow>,
    pub total: u64,
    /// Why a number was searched only as far as the list shows it.
    pub notice: Option<&'static str>,
}

pub async fn list(state: &AppState, actor: &Actor, filter: &PersonFilter, page: PageParams) -> AppResult<RosterPage> {
    let page = page.normalized();
    let Filtered { query: q, search } = filtered(state, actor, filter).await?;
    // The filter and both scopes decide the rows (the identity scope decides what a number
    // matches), so together they name the count.
    let key = format!(
        "persons:{:?}:{:?}:{}",
        actor.scope(Permission::PersonRead),
        actor.scope(Permission::IdentityRead),
        serde_json::to_string(filter).unwrap_or_default()
    );
    let total = state.cached_count(key, q.clone().count(&state.db)).await?;
    let people = q.offset(page.offset()).limit(page.page_size).all(&state.db).await?;
    if let Some(identity) = &search.identity {
        identity.audit(state, actor, total, &people).await?;
    }
    Ok(RosterPage { rows: rows(state, people).await?, total, notice: search.notice })
}

/// Largest export in one file.
pub const EXPORT_LIMIT: u64 = 200_000;

/// The roster export's own columns; higher domains' columns follow (see [`extra_columns`]).
pub const EXPORT_HEADERS: [&str; 11] = [
    "姓名",
    "人员类别",
    "警号",
    "身份证号",
    "性别",
    "出生日期",
    "所在党组织",
    "工作单位",
    "职务",
    "政治面貌",
    "在职状态",
];

/// People read at a time for an export: their records, rows and higher domains' columns are
/// dropped batch by batch, so only the sheet's own strings grow with the export.
const EXPORT_BATCH: usize = 2_000;

/// The roster as the export writes it, for the web page, the API and `dangjian export people`:
/// exactly what the filter shows, with higher domains' columns. The export is audited
/// (`person.export`, with the filter and the row count), and so is a search through full
/// numbers behind it.
pub async fn export_sheet(
    state: &AppState,
    actor: &Actor,
    filter: &PersonFilter,
) -> AppResult<crate::io::exports::Sheet> {
    let Filtered { query, search } = filtered(state, actor, filter).await?;
    // The rows' order and where they sit first; the records a batch at a time below.
    let listed: Vec<(i32, Option<String>)> = query
        .select_only()
        .columns([Column::Id, Column::OrgPath])
        .limit(EXPORT_LIMIT)
        .into_tuple()
        .all(&state.db)
        .await?;
    let ids: Vec<i32> = listed.iter().map(|(id, _)| *id).collect();
    let common = store::common_path(listed.iter().filter_map(|(_, path)| path.as_deref()));
    drop(listed);

    let mut headers: Vec<&'static str> = EXPORT_HEADERS.to_vec();
    let mut table: Vec<Vec<String>> = Vec::with_capacity(ids.len());
    let mut found = Vec::new();
    if ids.is_empty() {
        // Nobody: the sheet still has every column.
        headers.extend(extra_columns(state, &[]).await?.0);
    }
    for batch in ids.chunks(EXPORT_BATCH) {
        let mut people = person::Entity::find().filter(Column::Id.is_in(batch.to_vec())).all(&state.db).await?;
        let position: std::collections::HashMap<i32, usize> =
            batch.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        people.sort_by_key(|p| position.get(&p.id).copied().unwrap_or(usize::MAX));
        if let Some(identity) = &search.identity {
            found.extend(identity.found(&people, AUDITED_PERSONS.saturating_sub(found.len())));
        }
        // Columns higher domains keep (警衔, 辅警合同 …), after the roster's own.
        let (extra_headers, mut extra) = extra_columns(state, batch).await?;
        if headers.len() == EXPORT_HEADERS.len() {
            headers.extend(extra_headers.iter().copied());
        }
        for r in rows(state, people).await? {
            let more = extra.remove(&r.id).unwrap_or_else(|| vec![String::new(); extra_headers.len()]);
            let mut row = vec![
                r.name,
                r.kind,
                r.police_no.unwrap_or_default(),
                r.id_number_masked,
                r.gender,
                r.birth_date,
                r.org_name,
                r.unit.unwrap_or_default(),
                r.position.unwrap_or_default(),
                r.political_status,
                r.employment_status,
            ];
            row.extend(more);
            table.push(row);
        }
    }
    if let Some(identity) = &search.identity {
        identity.record(state, actor, table.len() as u64, found).await?;
    }
    let mut event = Event::by(actor, "person.export");
    if let Some(path) = common {
        event = event.org(path);
    }
    // The audit log never holds a searched ID or phone number in clear.
    let mut shown = filter.clone();
    if let Some(identity) = &search.identity {
        shown.q = identity.masked();
    }
    let event = event.summary(json!({"filter": shown, "rows": table.len()}));
    audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    let title = format!("民辅警名册（共 {} 人）", table.len());
    Ok(crate::io::exports::Sheet { sheet_name: "民辅警", title, headers, rows: table })
}

/// The export's columns that higher domains keep (`crate::module::RosterColumns`): their
/// headers, and by person the values (empty where a domain has nothing on someone).
pub async fn extra_columns(
    state: &AppState,
    ids: &[i32],
) -> AppResult<(Vec<&'static str>, std::collections::HashMap<i32, Vec<String>>)> {
    let mut headers = Vec::new();
    let mut values: std::collections::HashMap<i32, Vec<String>> = std::collections::HashMap::new();
    for domain in crate::module::roster_columns() {
        let (names, found) = (domain.export)(state, ids).await?;
        let width = names.len();
        headers.extend(names);
        for id in ids {
            let cells = found.get(id).cloned().unwrap_or_else(|| vec![String::new(); width]);
            values.entry(*id).or_default().extend(cells);
        }
    }
    Ok((headers, values))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subtrees(paths: &[&str]) -> Scope {
        Scope::Subtrees(paths.iter().map(|p| (*p).to_owned()).collect())
    }

    #[test]
    fn identity_reach_compares_the_searched_and_the_permitted_subtrees() {
        let branch = subtrees(&["/1/6/10/"]);
        let bureau = subtrees(&["/1/6/"]);
        assert_eq!(IdentityReach::of(&branch, &branch), IdentityReach::Full);
        assert_eq!(IdentityReach::of(&subtrees(&["/1/6/10/11/"]), &branch), IdentityReach::Full);
        assert_eq!(IdentityReach::of(&bureau, &Scope::Nothing), IdentityReach::Nothing);
        assert_eq!(IdentityReach::of(&bureau, &branch), IdentityReach::Part(branch.clone()));
        assert_eq!(IdentityReach::of(&subtrees(&["/1/6/13/"]), &branch), IdentityReach::Nothing);
        // `/1/6/1/` is a sibling of `/1/6/10/`, not its parent: the text prefix is not a subtree.
        assert_eq!(IdentityReach::of(&subtrees(&["/1/6/1/"]), &branch), IdentityReach::Nothing);
        assert_eq!(IdentityReach::of(&subtrees(&["/1/6/10/", "/1/7/"]), &branch), IdentityReach::Part(branch.clone()));
        assert_eq!(IdentityReach::of(&bureau, &Scope::All), IdentityReach::Full);

        assert_eq!(IdentityReach::audit_path(&bureau, &branch).as_deref(), Some("/1/6/10/"));
        assert_eq!(IdentityReach::audit_path(&branch, &bureau).as_deref(), Some("/1/6/10/"));
        assert_eq!(IdentityReach::audit_path(&bureau, &subtrees(&["/1/6/10/", "/1/6/13/"])).as_deref(), Some("/1/6/"));
        assert_eq!(IdentityReach::audit_path(&subtrees(&["/1/6/13/"]), &branch), None);
    }

    fn identity_columns(q: &str, reach: &IdentityReach) -> Option<Vec<&'static str>> {
        search_condition(sea_orm::DatabaseBackend::Sqlite, q, reach, None).identity.map(|i| i.columns)
    }

    #[test]
    fn only_four_id_characters_are_searched_without_the_identity_permission() {
        use sea_orm::QueryTrait;
        let sql = |q: &str, reach: &IdentityReach| {
            let cond = search_condition(sea_orm::DatabaseBackend::Sqlite, q, reach, None).condition.unwrap();
            let sql = person::Entity::find().filter(cond).build(sea_orm::DatabaseBackend::Sqlite).to_string();
            sql.split_once(" WHERE ").map(|(_, w)| w.to_owned()).unwrap_or_default()
        };
        let none = IdentityReach::Nothing;
        assert!(sql("123X", &none).contains("id_number_rev"), "the last four, as the list shows them");
        assert!(sql("1234", &none).contains("id_number_rev") && sql("1234", &none).contains("police_no"));
        for longer in ["01234", "901234", "1990010112345", "11010519491231002X"] {
            let text = sql(longer, &none);
            assert!(!text.contains("id_number_rev") && !text.contains("phone"), "{longer}: {text}");
            assert_eq!(identity_columns(longer, &none), None, "nothing revealed, nothing audited");
            assert!(search_condition(sea_orm::DatabaseBackend::Sqlite, longer, &none, None).notice.is_some());
        }
        assert!(!sql("13800001111", &none).contains("phone"));
        // Text that nothing may match matches nothing (not everything).
        assert!(sql("01234X", &none).contains("1 = 0"));

        let full = IdentityReach::Full;
        assert_eq!(identity_columns("901234", &full), Some(vec!["id_number"]));
        assert_eq!(identity_columns("13800001111", &full), Some(vec!["id_number", "phone"]));
        assert_eq!(identity_columns("0532-8888888", &full), Some(vec!["phone"]));
        assert_eq!(identity_columns("11010519491231002X", &full), Some(vec!["id_number"]));
        assert_eq!(identity_columns("1234", &full), None, "four characters are what the list shows");
        assert_eq!(identity_columns("zs", &full), None);
        let part = IdentityReach::Part(subtrees(&["/1/6/10/"]));
        let text = sql("901234", &part);
        assert!(text.contains("id_number_rev") && text.contains("SUBSTR"), "{text}");
    }

    #[test]
    fn searched_numbers_are_masked_for_the_audit_log() {
        let search = |q: &str| {
            search_condition(sea_orm::DatabaseBackend::Sqlite, q, &IdentityReach::Full, None).identity.unwrap()
        };
        assert_eq!(search("11010519491231002X").masked(), "**************002X");
        assert_eq!(search("13800001111").masked(), "***********", "nothing of what may be a phone number");
        assert_eq!(search("231002X").masked(), "***002X");
    }
}
