//! One plug-in shape for every domain. A domain folder exports `pub fn module() -> Module`
//! with everything the application needs of it — pages, `/api/v1` operations with their
//! OpenAPI tags, navigation entries, audit action names, the permissions it checks, home-page
//! to-do and figure providers, its part of a person's profile, the columns that copy organization paths and the reactions to
//! changes of the tree, the rules the roster must follow for Party members — and [`crate::app::MODULES`] lists the modules, one line each.
//! Nothing else needs editing to add a domain (docs/ARCHITECTURE.md, "新增一个模块").

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

use axum::Router;
use axum::response::Response;
use chrono::NaiveDate;
use sea_orm::DatabaseTransaction;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::{Actor, Permission};
use crate::db::org_paths::{ChangeKind, OrgHook, OrgRef, PathColumn};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::ui::blocks::{Figure, Section, SensitiveField, Subject, Todo};
use crate::ui::{FieldErrors, NavEntry};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The to-do items a module has for the actor, within the actor's scope.
pub type TodoProvider = for<'a> fn(&'a AppState, &'a Actor) -> BoxFuture<'a, AppResult<Vec<Todo>>>;

/// The key figures a module shows the actor on the home page.
pub type FigureProvider = for<'a> fn(&'a AppState, &'a Actor) -> BoxFuture<'a, AppResult<Vec<Figure>>>;

/// A module's sections of a person's profile, sensitive values masked.
pub type SectionProvider = for<'a> fn(&'a AppState, &'a Actor, &'a Subject) -> BoxFuture<'a, AppResult<Vec<Section>>>;

/// The full values of some of the module's sensitive fields of a person. Called only by the
/// profile's reveal, after it has checked the class permission and scope, and before it audits.
pub type RevealProvider =
    for<'a> fn(&'a AppState, &'a Subject, &'a [&'static str]) -> BoxFuture<'a, AppResult<Vec<(&'static str, String)>>>;

/// The reveal of a module whose profile part shows nothing sensitive.
pub fn nothing_to_reveal<'a>(
    _: &'a AppState,
    _: &'a Subject,
    _: &'a [&'static str],
) -> BoxFuture<'a, AppResult<Vec<(&'static str, String)>>> {
    Box::pin(async { Ok(Vec::new()) })
}

/// What the page around a module's profile panel gives it.
pub struct PanelContext {
    pub csrf: String,
    /// Errors of the module's last failed form, by field.
    pub errors: FieldErrors,
}

/// HTML the module adds to a person's profile page below the sections: its actions on the person.
pub type PanelProvider =
    for<'a> fn(&'a AppState, &'a Actor, &'a Subject, &'a PanelContext) -> BoxFuture<'a, AppResult<Option<String>>>;

/// A module's part of 一人一档 (see `crate::profile`).
pub struct ProfilePart {
    pub sections: SectionProvider,
    /// The sensitive fields its sections show masked; a reveal names them by code.
    pub fields: &'static [SensitiveField],
    pub reveal: RevealProvider,
    pub panel: Option<PanelProvider>,
}

/// Re-renders a person's profile page with a module's form errors (status 422): the profile
/// assembler installs it, so a domain can show its failed form again without importing the
/// assembler.
pub type ProfilePage = for<'a> fn(&'a AppState, &'a Actor, i32, FieldErrors) -> BoxFuture<'a, AppResult<Response>>;

static PROFILE_PAGE: OnceLock<ProfilePage> = OnceLock::new();

pub fn install_profile_page(page: ProfilePage) {
    let _ = PROFILE_PAGE.set(page);
}

/// The profile page of person `id` with `errors` beside the forms that caused them.
pub async fn profile_page(state: &AppState, actor: &Actor, id: i32, errors: FieldErrors) -> AppResult<Response> {
    match PROFILE_PAGE.get() {
        Some(page) => page(state, actor, id, errors).await,
        None => Err(AppError::Internal(anyhow::anyhow!("the profile page is not installed"))),
    }
}

/// Re-renders an organization's page with a form's errors (status 422) and the text the form
/// sent back in the fields that show it (`name`, `unit_name`): the organization page assembler
/// installs it, so a domain whose form sits on that page (committees) need not import it.
pub type OrgPage = for<'a> fn(
    &'a AppState,
    &'a Actor,
    i32,
    FieldErrors,
    Vec<(&'static str, String)>,
) -> BoxFuture<'a, AppResult<Response>>;

static ORG_PAGE: OnceLock<OrgPage> = OnceLock::new();

pub fn install_org_page(page: OrgPage) {
    let _ = ORG_PAGE.set(page);
}

/// The page of organization `id` with `errors` beside the forms that caused them and `typed`
/// back in its fields.
pub async fn org_page(
    state: &AppState,
    actor: &Actor,
    id: i32,
    errors: FieldErrors,
    typed: Vec<(&'static str, String)>,
) -> AppResult<Response> {
    match ORG_PAGE.get() {
        Some(page) => page(state, actor, id, errors, typed).await,
        None => Err(AppError::Internal(anyhow::anyhow!("the organization page is not installed"))),
    }
}

/// A rule across the fields of a request schema that the derive attributes cannot state ("a
/// 民警 must have a police number"): JSON Schema subschemas that every valid body must also
/// match, added to the schema as `allOf` when the document is built.
pub struct SchemaRule {
    /// The component schema's name, e.g. `PersonInput`.
    pub schema: &'static str,
    /// A JSON array of subschemas.
    pub all_of: fn() -> serde_json::Value,
}

pub struct Module {
    /// Short English name, for logs and the docs.
    pub name: &'static str,
    /// HTML pages (rendered into the Chinese error page on failure).
    pub web: fn() -> Router<AppState>,
    /// `/api/v1` operations, registered with `routes!` so their OpenAPI entries come along.
    pub api: fn() -> OpenApiRouter<AppState>,
    /// OpenAPI tags the operations use: (name, Chinese description).
    pub api_tags: &'static [(&'static str, &'static str)],
    pub nav: &'static [NavEntry],
    /// Audit action codes the module writes, with their Chinese names.
    pub actions: &'static [(&'static str, &'static str)],
    /// Permissions the module checks (for the docs and the grants page).
    pub permissions: &'static [Permission],
    pub todos: &'static [TodoProvider],
    pub figures: &'static [FigureProvider],
    /// Columns of the module's tables that copy an organization's path: a move or merge of the
    /// tree rewrites them (see [`crate::db::org_paths`]).
    pub org_path_columns: &'static [PathColumn],
    /// The module's reactions to a move or merge, run in the same transaction.
    pub org_hooks: &'static [OrgHook],
    /// Its part of a person's profile.
    pub profile: Option<ProfilePart>,
    /// Cross-field rules of its request schemas.
    pub schema_rules: &'static [SchemaRule],
    /// What the roster (`people`) must respect and do for the module's records of a person
    /// (Party membership); installed by `app::install_modules`, see [`roster_rules`].
    pub roster: Option<RosterRules>,
    /// What the module must check and do when an organization is dissolved, merged or moved,
    /// beyond the path columns; installed by `app::install_modules`, see [`tree_rules`].
    pub tree: Option<TreeRules>,
    /// Its reactions to a sanction being recorded (discipline), see [`sanction_listeners`].
    pub sanction_listeners: &'static [SanctionListener],
    /// Its reactions to a 年度考核 graded unfit (police), see [`appraisal_listeners`].
    pub appraisal_listeners: &'static [AppraisalListener],
    /// Its reactions to a risk flag that may lead to an exit case (risk), see [`flag_listeners`].
    pub flag_listeners: &'static [FlagListener],
    /// Facts of organizational life for the membership review (党章第九条); installed by
    /// `app::install_modules`, see [`org_life`]. (meetings)
    pub org_life: Option<OrgLife>,
    /// Columns of the roster's import and export that the module keeps in its own tables
    /// (police: 警衔, 警种, 辅警合同 …); installed by `app::install_modules`, see [`roster_columns`].
    pub roster_columns: Option<RosterColumns>,
    /// What the module does when another domain reports a person's situation (十必访, see
    /// [`report_situation`]); installed by `app::install_modules`.
    pub situations: Option<SituationListener>,
}

impl Module {
    /// A module with nothing yet: fill in what it has with `..Module::empty("name")`.
    pub const fn empty(name: &'static str) -> Self {
        Self {
            name,
            web: Router::new,
            api: OpenApiRouter::new,
            api_tags: &[],
            nav: &[],
            actions: &[],
            permissions: &[],
            todos: &[],
            figures: &[],
            org_path_columns: &[],
            org_hooks: &[],
            profile: None,
            schema_rules: &[],
            roster: None,
            tree: None,
            sanction_listeners: &[],
            appraisal_listeners: &[],
            flag_listeners: &[],
            org_life: None,
            roster_columns: None,
            situations: None,
        }
    }
}

// ---- The roster and the rules of a higher domain ----------------------------------------
// `people` keeps the roster, but whether a member's political status or organization may
// change, and what the Party columns of a roster import mean, is Party's knowledge. Party
// contributes it here (`Module::roster`) so that `people` calls it without importing `party`.

/// An import row's Party columns (cleaned text, empty when not given) and the political
/// status the row names.
#[derive(Debug, Clone, Copy)]
pub struct PartyCells<'a> {
    pub joined: &'a str,
    pub full: &'a str,
    pub political_status: &'a str,
}

/// What the rules say of an import row's Party columns before the row is validated.
#[derive(Debug, Clone, Default)]
pub struct PartyColumns {
    /// Problems, by the import's column label.
    pub errors: Vec<(&'static str, String)>,
    /// Accepted with a note (incomplete data the user can finish later), by column label.
    pub warnings: Vec<(&'static str, String)>,
    /// The row creates a membership: the political status the roster takes from it.
    pub joining: Option<&'static str>,
    /// The membership is a full one whose 转正 date is not known (待补录).
    pub full_unknown: bool,
}

/// Admission and (for members whose probation already ended) full membership: its date, or
/// `full_unknown` for a full member whose date is still to be completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MembershipDates {
    pub joined: NaiveDate,
    pub full: Option<NaiveDate>,
    pub full_unknown: bool,
}

/// What a roster edit sets that membership rules may forbid.
#[derive(Debug, Clone, Copy)]
pub struct RosterChange<'a> {
    pub political_status: &'a str,
    pub org_id: i32,
    pub employment_status: &'a str,
}

/// Problems `(field, message)` with a roster edit of person `id`.
pub type ChangeCheck =
    for<'a> fn(&'a AppState, i32, RosterChange<'a>) -> BoxFuture<'a, AppResult<Vec<(&'static str, String)>>>;

/// The Party columns of an import row of an existing person (`Some(id)`) or a new one.
pub type ImportColumnsCheck =
    for<'a> fn(&'a AppState, Option<i32>, PartyCells<'a>) -> BoxFuture<'a, AppResult<PartyColumns>>;

/// The dates of a row that creates a membership, once the row is valid: its birth date, the kind
/// of its organization and today. Problems by column label, and the dates to write.
pub type ImportDatesCheck =
    fn(NaiveDate, &str, PartyCells<'_>, NaiveDate) -> (Vec<(&'static str, String)>, Option<MembershipDates>);

/// Writes the membership of an imported person in the import's transaction.
pub type MembershipWriter = for<'a> fn(
    &'a DatabaseTransaction,
    &'a AppState,
    &'a Actor,
    i32,
    &'a OrgRef,
    MembershipDates,
) -> BoxFuture<'a, AppResult<()>>;

/// A person leaves the roster (their record is deleted), in the deleting transaction: the domain
/// ends what they held there (committee posts), writing its own history with the reason, and
/// returns what ended, for the audit entry of the deletion.
pub type LeaveHandler =
    for<'a> fn(&'a DatabaseTransaction, &'a AppState, &'a Actor, i32, &'a str) -> BoxFuture<'a, AppResult<Vec<String>>>;

/// A person's employment status changed (`before`, after) in the writing transaction (profile
/// edit or import): the domain keeps what follows from it in step (a retired member becomes a
/// 离退休党员).
pub type StatusHandler = for<'a> fn(
    &'a DatabaseTransaction,
    &'a AppState,
    &'a Actor,
    i32,
    (&'a str, &'a str),
) -> BoxFuture<'a, AppResult<()>>;

/// A person who follows their unit to the unit's new covering organization (`orgs::units`).
#[derive(Debug, Clone, Copy)]
pub struct FollowUnit<'a> {
    pub person_id: i32,
    pub person_name: &'a str,
    pub unit: &'a str,
    pub from: &'a OrgRef,
    pub to: &'a OrgRef,
}

/// Moves what the domain keeps of a person placed in `from` to `to` (a member's membership: an
/// internal transfer, decided at once), in the moving transaction, before the roster moves the
/// person; or refuses with a Chinese reason naming the person (the whole move rolls back).
/// Returns whether it moved anything of its own (the person is a member).
pub type UnitFollower =
    for<'a> fn(&'a DatabaseTransaction, &'a AppState, &'a Actor, FollowUnit<'a>) -> BoxFuture<'a, AppResult<bool>>;

/// A domain's rules for the roster (one module, `party`, has them).
#[derive(Clone, Copy)]
pub struct RosterRules {
    pub check_change: ChangeCheck,
    pub import_columns: ImportColumnsCheck,
    pub import_dates: ImportDatesCheck,
    pub write_membership: MembershipWriter,
    pub person_left: LeaveHandler,
    pub status_changed: StatusHandler,
    /// What the person's membership needs before the roster may say `employment_status` (the
    /// choices a refused edit offers in the browser): (label, link) pairs.
    pub status_choices: fn(i32, &str) -> Vec<(&'static str, String)>,
    pub follow_unit: UnitFollower,
}

static ROSTER_RULES: OnceLock<Option<RosterRules>> = OnceLock::new();

/// Installs the roster rules of the modules, once per process (later calls keep the first).
pub fn install_roster_rules(mut rules: impl Iterator<Item = RosterRules>) {
    let _ = ROSTER_RULES.set(rules.next());
}

/// The installed roster rules: `None` when no module has any. Never edit the roster before they
/// are installed: members' records would change without their rules.
pub fn roster_rules() -> AppResult<Option<RosterRules>> {
    ROSTER_RULES
        .get()
        .copied()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("名册规则尚未装入（程序启动时由各模块登记），不能修改名册")))
}

// ---- Changes of the tree that a higher domain weighs in on ----------------------------------
// `orgs` dissolves, merges and moves organizations, but whether pending transfers forbid it, how
// many people a merge carries and which committee posts end with it are the higher domains'
// knowledge. They contribute it here (`Module::tree`) so that `orgs` calls it without importing
// them. (The path columns and their history follow through `crate::db::org_paths`.)

/// Facts a domain adds to the audit entry of a change of the tree, by key (`people_moved`,
/// `released_posts`).
pub type TreeFacts = Vec<(&'static str, serde_json::Value)>;

/// Before an organization is dissolved or merged, outside the transaction: `Err` refuses the
/// change with the domain's own (Chinese, field-bound) message; `Ok` gives facts for its audit entry.
pub type TreeCheck = for<'a> fn(&'a AppState, &'a ChangeKind) -> BoxFuture<'a, AppResult<TreeFacts>>;

/// In the transaction of a dissolve, merge or move, after the `orgs` rows changed and before
/// the path columns are rewritten (`ChangeKind` still tells old from new): the domain's own
/// reaction (ending committee posts), with facts for the change's audit entry.
pub type TreeReaction =
    for<'a> fn(&'a DatabaseTransaction, &'a AppState, &'a Actor, &'a ChangeKind) -> BoxFuture<'a, AppResult<TreeFacts>>;

/// A domain's part in changes of the tree.
#[derive(Clone, Copy)]
pub struct TreeRules {
    pub check: Option<TreeCheck>,
    pub react: Option<TreeReaction>,
}

static TREE_RULES: OnceLock<Vec<TreeRules>> = OnceLock::new();

/// Installs the modules' tree rules, in module order, once per process (later calls keep the first).
pub fn install_tree_rules(rules: impl Iterator<Item = TreeRules>) {
    let _ = TREE_RULES.set(rules.collect());
}

/// The installed tree rules. Never change the tree before they are installed: posts and
/// transfers would be left behind.
pub fn tree_rules() -> AppResult<&'static [TreeRules]> {
    TREE_RULES.get().map(Vec::as_slice).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!(
            "党组织变动规则尚未装入（程序启动时由各模块登记），不能撤销、合并或调整党组织"
        ))
    })
}

// ---- A sanction recorded (discipline) ---------------------------------------------------------
// The exit mechanism (a heavy sanction proposes an exit case) and the home visits (a sanction
// raises a must-visit) react to records the discipline domain makes. They contribute a listener
// here (`Module::sanction_listeners`); discipline calls them in the recording transaction without
// importing them. The visits listen (`visits::store::on_sanction`: a 受到处分 must-visit).

/// What a listener learns of a new record.
#[derive(Debug, Clone)]
pub struct SanctionRecorded {
    pub sanction_id: i32,
    pub person_id: i32,
    /// The stored kind (记大过, 开除党籍, …).
    pub kind: &'static str,
    /// 党纪政务重处分 (and the 辅警 equivalents).
    pub heavy: bool,
    /// 四种形态 1–4, none for 督察 measures.
    pub form: Option<u8>,
    pub effective_on: NaiveDate,
    pub org_path: String,
}

/// Reacts to a new record in its transaction; returns what it did, for the audit entry.
pub type SanctionListener = for<'a> fn(
    &'a DatabaseTransaction,
    &'a AppState,
    &'a Actor,
    &'a SanctionRecorded,
) -> BoxFuture<'a, AppResult<Vec<String>>>;

static SANCTION_LISTENERS: OnceLock<Vec<SanctionListener>> = OnceLock::new();

/// Installs the modules' sanction listeners, once per process.
pub fn install_sanction_listeners(listeners: impl Iterator<Item = SanctionListener>) {
    let _ = SANCTION_LISTENERS.set(listeners.collect());
}

/// The installed listeners (none before installation).
pub fn sanction_listeners() -> &'static [SanctionListener] {
    SANCTION_LISTENERS.get().map(Vec::as_slice).unwrap_or(&[])
}

// ---- A 年度考核 graded unfit (police) ------------------------------------------------------------
// An unfit annual appraisal (民警 不称职, 辅警 不合格) may lead to an exit case (research/domain.md
// §6.2: 连续两年不称职→辞退; §6.3: 辅警年度考核不合格→解聘). The police domain records appraisals
// and calls the listeners here in its transaction, without importing the exit domain above it.

/// An appraisal recorded or changed to an unfit grade.
#[derive(Debug, Clone)]
pub struct AppraisalRecorded {
    pub appraisal_id: i32,
    pub person_id: i32,
    pub year: i32,
    /// 不称职 or 不合格.
    pub grade: String,
}

/// Reacts to an unfit appraisal in its transaction; returns what it did, for the audit entry.
pub type AppraisalListener = for<'a> fn(
    &'a DatabaseTransaction,
    &'a AppState,
    &'a Actor,
    &'a AppraisalRecorded,
) -> BoxFuture<'a, AppResult<Vec<String>>>;

static APPRAISAL_LISTENERS: OnceLock<Vec<AppraisalListener>> = OnceLock::new();

/// Installs the modules' appraisal listeners, once per process.
pub fn install_appraisal_listeners(listeners: impl Iterator<Item = AppraisalListener>) {
    let _ = APPRAISAL_LISTENERS.set(listeners.collect());
}

/// The installed listeners (none before installation).
pub fn appraisal_listeners() -> &'static [AppraisalListener] {
    APPRAISAL_LISTENERS.get().map(Vec::as_slice).unwrap_or(&[])
}

// ---- A risk flag that may lead to an exit case (risk) -------------------------------------------
// research/domain.md §6.1 (the seed): the exit mechanism's triggers include the 20类人员 screening
// (排查) and 躺平摆烂 / 不担当不作为. The risk domain knows which of its categories are exit-relevant
// (data in its dictionary, editable) and calls the listeners here in the transaction that opens or
// escalates such a flag, without importing the exit domain above it.

/// Why a flag may lead to an exit case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagGround {
    /// A finding of a screening (排查) in a category the bureau marks as exit-relevant.
    Screening,
    /// A flag in a 躺平摆烂 / 不担当不作为 category.
    Inaction,
}

/// A flag opened or escalated on an exit-relevant ground.
#[derive(Debug, Clone)]
pub struct FlagRaised {
    pub flag_id: i32,
    pub person_id: i32,
    /// The category's name.
    pub category: String,
    /// 黄, 橙 or 红.
    pub level: String,
    pub ground: FlagGround,
    /// The flag was escalated (已升级), not just opened.
    pub escalated: bool,
    pub on: NaiveDate,
}

/// Reacts to such a flag in its transaction; returns what it did, for the audit entry.
pub type FlagListener = for<'a> fn(
    &'a DatabaseTransaction,
    &'a AppState,
    &'a Actor,
    &'a FlagRaised,
) -> BoxFuture<'a, AppResult<Vec<String>>>;

static FLAG_LISTENERS: OnceLock<Vec<FlagListener>> = OnceLock::new();

/// Installs the modules' flag listeners, once per process.
pub fn install_flag_listeners(listeners: impl Iterator<Item = FlagListener>) {
    let _ = FLAG_LISTENERS.set(listeners.collect());
}

/// The installed listeners (none before installation).
pub fn flag_listeners() -> &'static [FlagListener] {
    FLAG_LISTENERS.get().map(Vec::as_slice).unwrap_or(&[])
}

// ---- Organizational life, for the membership review (meetings) ------------------------------
// `party` asks whether a member took part in organizational life in the last six months
// (党章第九条), but the records are the meetings domain's, which sits above it. Meetings
// contributes the facts here (`Module::org_life`) so that `party` calls them without importing it.

/// The latest day each of `person_ids` attended (present or remote) an approved record.
pub type LastAttended =
    for<'a> fn(&'a AppState, &'a [i32]) -> BoxFuture<'a, AppResult<std::collections::HashMap<i32, NaiveDate>>>;

/// Members in `scope` who since `since` were expected at approved records, were marked absent
/// (缺席, not excused) at least once and attended none.
pub type AbsentSince =
    for<'a> fn(&'a AppState, &'a crate::auth::Scope, NaiveDate) -> BoxFuture<'a, AppResult<Vec<i32>>>;

#[derive(Clone, Copy)]
pub struct OrgLife {
    pub last_attended: LastAttended,
    pub absent_since: AbsentSince,
}

static ORG_LIFE: OnceLock<Option<OrgLife>> = OnceLock::new();

/// Installs the provider of organizational-life facts, once per process.
pub fn install_org_life(mut providers: impl Iterator<Item = OrgLife>) {
    let _ = ORG_LIFE.set(providers.next());
}

/// The installed provider; `None` when no module records organizational life.
pub fn org_life() -> Option<OrgLife> {
    ORG_LIFE.get().copied().flatten()
}

// ---- Roster columns a higher domain keeps -------------------------------------------------------
// The roster import and export (`people`) read and write whole rows, but some columns belong to a
// higher domain's tables (police: 警衔, 辅警合同 …). The domain declares them here (`Module::
// roster_columns`); `people` recognises their headers, hands a row's cells to `check` before the
// commit, lets `write` store them in the import's transaction, and asks `export` for the values.

/// A roster column a domain keeps: key, the template's header, other headers people use for it.
pub type RosterColumn = (&'static str, &'static str, &'static [&'static str]);

/// What a domain planned for an import row, handed back to its `write` in the commit.
pub type PlannedCells = std::sync::Arc<dyn std::any::Any + Send + Sync>;

/// What `check` says of a row's cells.
#[derive(Default)]
pub struct CheckedCells {
    /// Problems, by the column's header.
    pub errors: Vec<(String, String)>,
    /// Labels of what the row changes in the domain's records (an existing person's row with only
    /// these changes is an update).
    pub changes: Vec<&'static str>,
    /// What to write, when anything.
    pub planned: Option<PlannedCells>,
}

/// Checks an import row's cells of the domain's columns (`(key, text)`, only those given) for
/// the person `Some(id)` (existing, in the importer's scope) or a new one, whose 人员类别 after the
/// row is `kind`. Reads only; the import commits all rows or none.
pub type CellsCheck = for<'a> fn(
    &'a AppState,
    Option<i32>,
    &'a str,
    &'a [(&'static str, String)],
) -> BoxFuture<'a, AppResult<CheckedCells>>;

/// Writes what `check` planned for person `id`, in the import's transaction.
pub type CellsWriter = for<'a> fn(
    &'a DatabaseTransaction,
    &'a AppState,
    &'a Actor,
    i32,
    &'a (dyn std::any::Any + Send + Sync),
) -> BoxFuture<'a, AppResult<()>>;

/// The export's headers of the domain's columns and their values for these persons (in the
/// headers' order); a person without any is left out.
pub type CellsExport =
    for<'a> fn(
        &'a AppState,
        &'a [i32],
    ) -> BoxFuture<'a, AppResult<(Vec<&'static str>, std::collections::HashMap<i32, Vec<String>>)>>;

#[derive(Clone, Copy)]
pub struct RosterColumns {
    /// The columns, in the template's order.
    pub columns: &'static [RosterColumn],
    /// Headers older files use that the import still reads (not in the template).
    pub also_read: &'static [RosterColumn],
    pub check: CellsCheck,
    pub write: CellsWriter,
    pub export: CellsExport,
}

static ROSTER_COLUMNS: OnceLock<Vec<RosterColumns>> = OnceLock::new();

/// Installs the modules' roster columns, in module order, once per process.
pub fn install_roster_columns(columns: impl Iterator<Item = RosterColumns>) {
    let _ = ROSTER_COLUMNS.set(columns.collect());
}

/// The installed roster columns of the higher domains (none before installation: an import then
/// ignores such headers, and says so in its list of unused columns).
pub fn roster_columns() -> &'static [RosterColumns] {
    ROSTER_COLUMNS.get().map_or(&[], Vec::as_slice)
}

// ---- Situations of a person that call for a visit (十必访) ----------------------------------
// A domain records what happened (a transfer accepted, a sanction, a risk flag) and reports it
// here inside its own transaction; the visits domain, above it, listens and raises a must-visit
// task. The reporting domain never imports `visits`, and `visits` never imports it.

/// Something that happened to a person that one of the 十必访 situations names.
#[derive(Debug, Clone)]
pub struct PersonSituation {
    pub person_id: i32,
    /// The situation's code in the 十必访 dictionary (`post_change`, `sanction`, `illness`,
    /// `bereavement`, `injury`, `mood` …).
    pub situation: &'static str,
    /// The record that reports it (`transfer#12`): telling the same source twice raises one task.
    pub source: String,
    /// When it happened; the task's deadline counts from it.
    pub on: NaiveDate,
}

/// A listener, run in the reporting transaction.
pub type SituationListener =
    for<'a> fn(&'a DatabaseTransaction, &'a AppState, &'a PersonSituation) -> BoxFuture<'a, AppResult<()>>;

static SITUATION_LISTENERS: OnceLock<Vec<SituationListener>> = OnceLock::new();

/// Installs the modules' situation listeners, once per process.
pub fn install_situation_listeners(listeners: impl Iterator<Item = SituationListener>) {
    let _ = SITUATION_LISTENERS.set(listeners.collect());
}

/// Reports a person's situation inside the caller's transaction (see [`PersonSituation`]).
pub async fn report_situation(
    txn: &DatabaseTransaction,
    state: &AppState,
    situation: PersonSituation,
) -> AppResult<()> {
    let listeners = SITUATION_LISTENERS
        .get()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("十必访的接收方尚未装入（程序启动时由各模块登记）")))?;
    for listener in listeners {
        listener(txn, state, &situation).await?;
    }
    Ok(())
}

// ---- The people of a unit (people, for the units kept by orgs) ---------------------------------
// Units belong to the organization domain, people sit above it. When a unit's covering organization
// changes, its people may follow: the units page asks the people domain through this hook, installed
// at assembly, instead of importing it.

/// Where a unit's people are placed: (organization, people, Party members) per organization.
pub type Placement = Vec<(Option<i32>, u64, u64)>;

/// Reads [`Placement`] of a unit.
pub type UnitPlacement = for<'a> fn(&'a sea_orm::DatabaseConnection, i32) -> BoxFuture<'a, AppResult<Placement>>;

/// Moves the people of unit (id, name) placed under `from` to `to` in the transaction; returns
/// (people, members) moved.
pub type UnitFollow = for<'a> fn(
    &'a DatabaseTransaction,
    &'a AppState,
    &'a Actor,
    (i32, &'a str),
    &'a OrgRef,
    &'a OrgRef,
) -> BoxFuture<'a, AppResult<(u64, u64)>>;

/// What the people domain answers about a unit's people.
#[derive(Clone, Copy)]
pub struct UnitPeople {
    pub placement: UnitPlacement,
    pub follow: UnitFollow,
}

static UNIT_PEOPLE: OnceLock<UnitPeople> = OnceLock::new();

/// Installs the people domain's answers, once per process.
pub fn install_unit_people(people: UnitPeople) {
    let _ = UNIT_PEOPLE.set(people);
}

/// The installed answers (an internal error before installation).
pub fn unit_people() -> AppResult<UnitPeople> {
    UNIT_PEOPLE.get().copied().ok_or_else(|| AppError::Internal(anyhow::anyhow!("单位人员接口未安装")))
}
