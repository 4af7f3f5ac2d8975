//! Membership: admission (登记入党), full membership (转正), the member's history, what the
//! roster may not change on its own, and the reminders of ending probations. Each write is
//! checked against the actor's scope, recorded as a membership event, reflected on the roster
//! (with history) and audited, in one transaction.

use chrono::{Datelike, NaiveDate};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Deserialize;
use serde_json::json;

use super::entity::{event, member};
use super::store::membership_of;
use super::{
    EXTENSION_MONTHS, EventKind, MemberCategory, MemberStatus, extension_for, member_probation_end, political_status,
    probation_end,
};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::db::org_paths::OrgRef;
use crate::error::{AppError, AppResult};
use crate::orgs::store;
use crate::people::{self, parse_date};
use crate::state::AppState;
use crate::ui::blocks::Todo;

/// The person, unless deleted.
pub(super) async fn live_person(state: &AppState, id: i32) -> AppResult<crate::people::entity::Model> {
    people::store::find_live(&state.db, id).await?.ok_or(AppError::NotFound)
}

/// `PersonWrite` on the record at `path` (404 and audited outside the scope).
pub(super) async fn authorize_write(
    state: &AppState,
    actor: &Actor,
    kind: &'static str,
    id: i32,
    path: &str,
) -> AppResult<()> {
    actor.require(Permission::PersonWrite)?;
    let target = Target { kind, id: i64::from(id), org_path: path };
    guard::check(state, actor, Permission::PersonWrite, Sensitivity::Normal, target).await
}

/// Adds a step to a person's history. `kind` is an [`EventKind`], or its text for callers that
/// still name it so (refused when unknown).
pub async fn add_event<K: TryInto<EventKind>>(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    kind: K,
    on: NaiveDate,
    detail: String,
) -> AppResult<()> {
    let kind = kind
        .try_into()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("unknown membership event kind for person {person_id}")))?;
    event::ActiveModel {
        person_id: Set(person_id),
        kind: Set(kind),
        on_date: Set(on),
        detail: Set(detail.chars().take(255).collect()),
        actor_name: Set(actor.username.clone()),
        at: Set(state.clock.now_db()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// What the roster may not change on its own for a member: the political status follows the
/// membership, the branch changes only by a transfer, and a member in good standing is not
/// recorded as dead, expelled or dismissed while the membership goes on as if nothing happened.
pub async fn check_roster_change<C: sea_orm::ConnectionTrait>(
    db: &C,
    person_id: i32,
    change: crate::module::RosterChange<'_>,
) -> AppResult<Vec<(&'static str, String)>> {
    use crate::people::EmploymentStatus;
    let Some(m) = membership_of(db, person_id).await?.filter(|m| m.status == MemberStatus::Active) else {
        return Ok(Vec::new());
    };
    let mut errors = Vec::new();
    let derived = political_status(&m);
    if change.political_status != derived {
        errors.push((
            "political_status",
            format!("党员的政治面貌由党员档案决定（现为{derived}），请在党员信息中办理入党、转正"),
        ));
    }
    if change.org_id != m.branch_id {
        errors.push(("org_id", "党员的所在党组织须通过组织关系转接变更".to_owned()));
    }
    // Only a change is refused: an old record that already says so is for the secretary to settle.
    let before = people::store::find(db, person_id).await?.map(|p| p.employment_status).unwrap_or_default();
    let new_status = Some(change.employment_status).filter(|s| *s != before).and_then(EmploymentStatus::parse);
    match new_status {
        Some(EmploymentStatus::Deceased | EmploymentStatus::DiedOnDuty) => errors.push((
            "employment_status",
            "此人的党员档案仍为正常：去世的党员请在个人档案「党员信息」中登记党籍终止（去世），在职状态随之改为去世\
            （因公牺牲的，之后再把在职状态改为因公牺牲）"
                .to_owned(),
        )),
        Some(EmploymentStatus::Expelled | EmploymentStatus::Dismissed) => errors.push((
            "employment_status",
            "此人的党员档案仍为正常：开除、辞退的党员，请先在个人档案「党员信息」中办理组织关系转出本局，或登记党籍处理\
            （开除党籍、除名等），再改在职状态"
                .to_owned(),
        )),
        _ => {}
    }
    Ok(errors)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "登记入党：`joined_on` 入党日期（支部大会接收为预备党员之日），必填，不晚于今天，当时须年满 18 周岁；\
    `full_on` 转正日期，可省略，用于登记早已转正的老党员，须在入党满一年之后、满两年之内；`category` 为在职党员（默认）、\
    离退休党员、流动党员",
    example = json!({"joined_on": "2025-12-01", "category": "在职党员"})
)]
pub struct JoinInput {
    /// Admission as probationary member (支部大会通过之日), `YYYY-MM-DD`.
    #[schema(required = true, format = Date, example = "2025-12-01")]
    pub joined_on: String,
    /// Full membership, for members whose probation already ended; empty or absent otherwise.
    #[schema(format = Date)]
    pub full_on: String,
    /// Empty or absent for 在职党员.
    #[schema(value_type = MemberCategory, default = "在职党员")]
    pub category: String,
}

fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    day.year() - birth.year() - i32::from((day.month(), day.day()) < (birth.month(), birth.day()))
}

/// A category as a form or request gives it: empty means the default; `None` when unknown.
pub fn parse_category(text: &str) -> Option<MemberCategory> {
    match text.trim() {
        "" => Some(MemberCategory::DEFAULT),
        t => MemberCategory::parse(t),
    }
}

/// Records a person's admission to the Party (and, for existing members, full membership).
pub async fn register(state: &AppState, actor: &Actor, person_id: i32, input: &JoinInput) -> AppResult<member::Model> {
    let p = live_person(state, person_id).await?;
    let path = p.org_path.clone().unwrap_or_else(|| "/".into());
    authorize_write(state, actor, "person", p.id, &path).await?;
    if membership_of(&state.db, p.id).await?.is_some() {
        return Err(AppError::conflict("joined_on", "此人已有党员档案"));
    }
    let branch = match p.org_id {
        Some(id) => store::find(&state.db, id).await?.filter(|o| o.dissolved_at.is_none()),
        None => None,
    }
    .filter(|o| super::is_branch_kind(&o.kind))
    .ok_or_else(|| AppError::validation("branch", "党员须编入党支部：请先把此人的所在党组织改为一个党支部"))?;
    let today = state.clock.today();
    let mut errors: Vec<(String, String)> = Vec::new();
    let joined = match parse_date(&input.joined_on) {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errors.push(("joined_on".into(), "请填写入党日期（支部大会接收为预备党员之日）".into()));
            None
        }
        Err(e) => {
            errors.push(("joined_on".into(), e));
            None
        }
    };
    let full = parse_date(&input.full_on).unwrap_or_else(|e| {
        errors.push(("full_on".into(), e));
        None
    });
    if let Some(j) = joined {
        errors.extend(check_dates(p.birth_date, j, full, today).into_iter().map(|(f, m)| (f.to_owned(), m)));
    }
    let category = parse_category(&input.category);
    if category.is_none() {
        let all: Vec<&str> = MemberCategory::ALL.iter().map(|c| c.as_str()).collect();
        errors.push(("category".into(), format!("党员类别应为：{}", all.join("、"))));
    }
    let (Some(joined), Some(category)) = (joined.filter(|_| errors.is_empty()), category) else {
        return Err(AppError::Fields(errors));
    };
    let branch = OrgRef { id: branch.id, path: branch.path, name: branch.name };
    let txn = crate::db::begin_write(&state.db).await?;
    let dates = crate::module::MembershipDates { joined, full, full_unknown: false };
    let m = insert_membership(&txn, state, actor, p.id, &branch, dates, category).await?;
    people::store::set_political_status(&txn, state, actor, &p, political_status(&m)).await?;
    let event = Event::by(actor, "party.register").object("person", p.id).org(branch.path.clone()).summary(json!({
        "joined_on": joined.to_string(), "full_on": full.map(|d| d.to_string()), "category": category,
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(m)
}

/// The dates' rules: admitted at 18 or older, not in the future; full membership on the day the
/// probation of one year ended, or the day its one extension (6–12 months) ended.
pub fn check_dates(
    birth: NaiveDate,
    joined: NaiveDate,
    full: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<(&'static str, String)> {
    let mut errors = Vec::new();
    if joined > today {
        errors.push(("joined_on", "入党日期不能晚于今天".to_owned()));
    }
    let age = age_on(birth, joined);
    if age < 18 {
        errors.push(("joined_on", format!("入党时仅 {age} 周岁，未满 18 周岁不能入党")));
    }
    if let Some(f) = full {
        if let Err(reason) = extension_for(joined, f) {
            errors.push(("full_on", reason));
        } else if f > today {
            errors.push(("full_on", "转正日期不能晚于今天".to_owned()));
        }
    }
    errors
}

/// Writes a membership and its admission (and full-membership) events; the caller keeps the
/// roster's political status in step.
pub async fn insert_membership(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    branch: &OrgRef,
    dates: crate::module::MembershipDates,
    category: MemberCategory,
) -> AppResult<member::Model> {
    let crate::module::MembershipDates { joined, full, full_unknown } = dates;
    let new = NewMembership { person_id, branch, joined, full, full_unknown, category, joining: Joining::Admitted };
    insert_new(txn, state, actor, new).await
}

/// How a new membership comes to the bureau.
#[derive(Debug, Clone, Copy)]
pub enum Joining<'a> {
    /// Admitted by the branch (登记入党, or registered after the fact): dues are owed from the
    /// month of admission (domain.md §4.4).
    Admitted,
    /// Transferred in from outside the bureau with the letter of `issuer`, received on `arrived`:
    /// admitted elsewhere, and counted in this bureau's dues ledgers only from the month of
    /// arrival (what was owed before is the sending organization's, and the letter says how far
    /// it was paid).
    Arrived { issuer: &'a str, arrived: NaiveDate },
}

/// A membership to write: who, where, the dates, and how it came.
#[derive(Debug, Clone, Copy)]
pub struct NewMembership<'a> {
    pub person_id: i32,
    pub branch: &'a OrgRef,
    pub joined: NaiveDate,
    pub full: Option<NaiveDate>,
    /// A full member whose 转正 date is still to be completed (`full` is `None`).
    pub full_unknown: bool,
    pub category: MemberCategory,
    pub joining: Joining<'a>,
}

/// Writes a membership, its first stint in the dues ledgers and its admission (extension,
/// full-membership) events; the caller keeps the roster's political status in step.
pub async fn insert_new(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    new: NewMembership<'_>,
) -> AppResult<member::Model> {
    let NewMembership { person_id, branch, joined, full, full_unknown, category, joining } = new;
    let now = state.clock.now_db();
    // A member registered after the fact whose 转正 came at the end of an extension.
    let extended = full.and_then(|f| extension_for(joined, f).ok().flatten());
    let m = member::ActiveModel {
        person_id: Set(person_id),
        branch_id: Set(branch.id),
        branch_path: Set(branch.path.clone()),
        joined_on: Set(joined),
        full_on: Set(full),
        full_on_unknown: Set(full_unknown && full.is_none()),
        extended_months: Set(extended.and_then(|n| i32::try_from(n).ok())),
        category: Set(category),
        status: Set(MemberStatus::Active),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let (counts_from, detail) = match joining {
        Joining::Admitted => (joined, format!("经{}支部大会接收为预备党员", branch.name)),
        Joining::Arrived { issuer, arrived } => (arrived, format!("经支部大会接收为预备党员（据{issuer}介绍信）")),
    };
    super::stints::open(txn, person_id, branch, counts_from).await?;
    add_event(txn, state, actor, person_id, EventKind::Joined, joined, detail).await?;
    if let Some(months) = extended {
        let detail = format!("预备期延长 {months} 个月");
        add_event(txn, state, actor, person_id, EventKind::Extended, probation_end(joined, None), detail).await?;
    }
    if let Some(f) = full {
        add_event(txn, state, actor, person_id, EventKind::Confirmed, f, "预备期满，转为正式党员".into()).await?;
    }
    Ok(m)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "转正：转正日期是预备期满之日（入党满一年之日，延长预备期的为延长期满之日），不论支部大会哪天讨论，\
    由系统按规定确定；`full_on` 可省略，给了则须等于该日。`meeting_on` 为支部大会讨论通过之日（不早于预备期满之日），\
    `approved_on` 为上级党委审批之日（不早于支部大会），都不晚于今天，可省略后补",
    example = json!({"meeting_on": "2026-01-15", "approved_on": "2026-01-28"})
)]
pub struct FullInput {
    #[schema(schema_with = crate::openapi::schema::date, example = "2026-01-10")]
    pub full_on: String,
    #[schema(schema_with = crate::openapi::schema::date, example = "2026-01-15")]
    pub meeting_on: String,
    #[schema(schema_with = crate::openapi::schema::date, example = "2026-01-28")]
    pub approved_on: String,
}

/// A probationary member in good standing, the person and the actor's right to change them.
async fn probationer(
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    field: &'static str,
) -> AppResult<(people::entity::Model, member::Model)> {
    let p = live_person(state, person_id).await?;
    let m = membership_of(&state.db, p.id).await?.ok_or(AppError::NotFound)?;
    authorize_write(state, actor, "person", p.id, &m.branch_path).await?;
    if super::is_full(&m) || m.status != MemberStatus::Active {
        return Err(AppError::conflict(field, "此人不是预备党员"));
    }
    Ok((p, m))
}

fn date_field(errors: &mut Vec<(String, String)>, field: &str, text: &str) -> Option<NaiveDate> {
    parse_date(text).unwrap_or_else(|e| {
        errors.push((field.to_owned(), e));
        None
    })
}

/// 转正: a probationary member becomes a full member on the day the probation ended.
pub async fn confirm_full(
    state: &AppState,
    actor: &Actor,
    person_id: i32,
    input: &FullInput,
) -> AppResult<member::Model> {
    let p = live_person(state, person_id).await?;
    if let Some(m) = membership_of(&state.db, p.id).await?.filter(|m| m.full_on_unknown) {
        return complete_full(state, actor, p, m, input).await;
    }
    let (p, m) = probationer(state, actor, person_id, "full_on").await?;
    let end = member_probation_end(&m);
    let today = state.clock.today();
    let mut errors = Vec::new();
    let given = date_field(&mut errors, "full_on", &input.full_on);
    let meeting = date_field(&mut errors, "meeting_on", &input.meeting_on);
    let approved = date_field(&mut errors, "approved_on", &input.approved_on);
    if end > today {
        errors.push(("full_on".into(), format!("预备期至 {end} 届满，届满后才能讨论转正")));
    } else if given.is_some_and(|g| g != end) {
        errors.push(("full_on".into(), format!("转正日期为预备期满之日 {end}，不论支部大会哪天讨论")));
    }
    if let Some(d) = meeting {
        if d < end {
            errors.push(("meeting_on".into(), format!("支部大会讨论转正应在预备期满（{end}）之后")));
        } else if d > today {
            errors.push(("meeting_on".into(), "支部大会日期不能晚于今天".into()));
        }
    }
    if let Some(d) = approved {
        if meeting.is_some_and(|m| d < m) || d < end {
            errors.push(("approved_on".into(), "上级党委审批日期不能早于支部大会讨论之日".into()));
        } else if d > today {
            errors.push(("approved_on".into(), "审批日期不能晚于今天".into()));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Fields(errors));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: member::ActiveModel = m.clone().into();
    active.full_on = Set(Some(end));
    active.meeting_on = Set(meeting);
    active.approved_on = Set(approved);
    active.updated_at = Set(state.clock.now_db());
    let updated = active.update(&txn).await?;
    let mut detail = "预备期满，转为正式党员".to_owned();
    if let Some(d) = meeting {
        detail.push_str(&format!("（{d} 支部大会讨论通过"));
        detail.push_str(&approved.map(|a| format!("，{a} 上级党委批准）")).unwrap_or_else(|| "）".into()));
    }
    add_event(&txn, state, actor, p.id, EventKind::Confirmed, end, detail).await?;
    people::store::set_political_status(&txn, state, actor, &p, political_status(&updated)).await?;
    let event = Event::by(actor, "party.full").object("person", p.id).org(m.branch_path.clone()).summary(json!({
        "full_on": end.to_string(), "meeting_on": meeting.map(|d| d.to_string()),
        "approved_on": approved.map(|d| d.to_string()),
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(updated)
}

/// 补录转正日期: a full member imported without the date (待补录) gets the day the probation
/// ended, as the records show it; nothing else about the membership changes.
async fn complete_full(
    state: &AppState,
    actor: &Actor,
    p: people::entity::Model,
    m: member::Model,
    input: &FullInput,
) -> AppResult<member::Model> {
    authorize_write(state, actor, "person", p.id, &m.branch_path).await?;
    if m.status != MemberStatus::Active {
        return Err(AppError::conflict("full_on", "此人的组织关系不在本局，不能补录"));
    }
    let mut errors = Vec::new();
    let given = date_field(&mut errors, "full_on", &input.full_on);
    let meeting = date_field(&mut errors, "meeting_on", &input.meeting_on);
    let approved = date_field(&mut errors, "approved_on", &input.approved_on);
    let today = state.clock.today();
    let mut extended = None;
    match given {
        None if errors.is_empty() => errors.push(("full_on".into(), "请填写转正日期（预备期满之日）".into())),
        Some(f) => match super::extension_for(m.joined_on, f) {
            Err(reason) => errors.push(("full_on".into(), reason)),
            Ok(_) if f > today => errors.push(("full_on".into(), "转正日期不能晚于今天".into())),
            Ok(months) => extended = months,
        },
        None => {}
    }
    if let (Some(f), Some(d)) = (given, meeting)
        && (d < f || d > today)
    {
        errors.push(("meeting_on".into(), format!("支部大会讨论转正应在预备期满（{f}）之后、今天之前")));
    }
    if let (Some(f), Some(d)) = (given, approved)
        && (d < f || meeting.is_some_and(|m| d < m) || d > today)
    {
        errors.push(("approved_on".into(), "上级党委审批日期不能早于支部大会讨论之日，也不能晚于今天".into()));
    }
    let (Some(full), true) = (given, errors.is_empty()) else {
        return Err(AppError::Fields(errors));
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: member::ActiveModel = m.clone().into();
    active.full_on = Set(Some(full));
    active.full_on_unknown = Set(false);
    active.extended_months = Set(extended.and_then(|n| i32::try_from(n).ok()));
    active.meeting_on = Set(meeting);
    active.approved_on = Set(approved);
    active.updated_at = Set(state.clock.now_db());
    let updated = active.update(&txn).await?;
    add_event(&txn, state, actor, p.id, EventKind::Confirmed, full, "补录转正日期：预备期满，转为正式党员".into())
        .await?;
    let event = Event::by(actor, "party.full").object("person", p.id).org(m.branch_path.clone()).summary(json!({
        "full_on": full.to_string(), "completed": true, "extended_months": extended,
        "meeting_on": meeting.map(|d| d.to_string()), "approved_on": approved.map(|d| d.to_string()),
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(updated)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "延长预备期（党章第七条）：`decided_on` 支部大会决定之日，不早于入党、不晚于今天；`months` 延长月数，\
    6–12（至少半年、最长一年），只能延长一次。转正日期随之改为延长期满之日",
    example = json!({"decided_on": "2026-01-10", "months": 6})
)]
pub struct ExtendInput {
    #[schema(required = true, schema_with = crate::openapi::schema::date, example = "2026-01-10")]
    pub decided_on: String,
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[schema(required = true, value_type = i32, minimum = 6, maximum = 12, example = 6)]
    pub months: Option<i32>,
}

/// 延长预备期: once, by six months to a year; the probation then ends that much later.
pub async fn extend(state: &AppState, actor: &Actor, person_id: i32, input: &ExtendInput) -> AppResult<member::Model> {
    let (_, m) = probationer(state, actor, person_id, "months").await?;
    if m.extended_months.is_some() {
        return Err(AppError::conflict("months", "预备期只能延长一次，此人的预备期已经延长过"));
    }
    let mut errors = Vec::new();
    let decided = date_field(&mut errors, "decided_on", &input.decided_on);
    match decided {
        None if errors.is_empty() => errors.push(("decided_on".into(), "请填写支部大会决定延长预备期的日期".into())),
        Some(d) if d < m.joined_on => errors.push(("decided_on".into(), "决定日期不能早于入党日期".into())),
        Some(d) if d > state.clock.today() => errors.push(("decided_on".into(), "决定日期不能晚于今天".into())),
        _ => {}
    }
    let months = input.months.and_then(|n| u32::try_from(n).ok()).filter(|n| EXTENSION_MONTHS.contains(n));
    if months.is_none() {
        errors.push(("months".into(), "延长预备期至少半年、最长一年：延长月数应为 6–12".into()));
    }
    let (Some(decided), Some(months), true) = (decided, months, errors.is_empty()) else {
        return Err(AppError::Fields(errors));
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: member::ActiveModel = m.clone().into();
    active.extended_on = Set(Some(decided));
    active.extended_months = Set(i32::try_from(months).ok());
    active.updated_at = Set(state.clock.now_db());
    let updated = active.update(&txn).await?;
    let end = member_probation_end(&updated);
    let detail = format!("经支部大会决定，预备期延长 {months} 个月，至 {end} 届满");
    add_event(&txn, state, actor, person_id, EventKind::Extended, decided, detail).await?;
    let event = Event::by(actor, "party.extend")
        .object("person", person_id)
        .org(m.branch_path.clone())
        .summary(json!({"decided_on": decided.to_string(), "months": months, "probation_end": end.to_string()}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Reminders for secretaries: probations ending within 30 days (or overdue). Reminders only:
/// nothing changes by itself.
pub async fn todos(state: &AppState, actor: &Actor) -> AppResult<Vec<Todo>> {
    if !actor.can(Permission::PersonWrite) {
        return Ok(Vec::new());
    }
    let scope = actor.scope(Permission::PersonWrite);
    let today = state.clock.today();
    let soon = today + chrono::Duration::days(30);
    let horizon = today - chrono::Months::new(12) + chrono::Duration::days(30);
    let due = member::Entity::find()
        .filter(store::in_scope(member::Column::BranchPath, &scope))
        .filter(member::Column::Status.eq(MemberStatus::Active))
        .filter(super::probationary_condition())
        .filter(member::Column::JoinedOn.lte(horizon))
        .order_by_asc(member::Column::JoinedOn)
        .all(&state.db)
        .await?
        .into_iter()
        // An extended probation ends later than the year the query looks at.
        .filter(|m| member_probation_end(m) <= soon)
        .collect::<Vec<_>>();
    let ids: Vec<i32> = due.iter().map(|m| m.person_id).collect();
    let names = crate::people::names(&state.db, &ids).await?;
    let due: Vec<crate::orgs::summary::Pending> = due
        .into_iter()
        .map(|m| {
            let end = member_probation_end(&m);
            let name = names.get(&m.person_id).cloned().unwrap_or_default();
            let title = if end <= today {
                format!("{name} 的预备期已于 {end} 届满，请及时讨论转正")
            } else {
                format!("{name} 的预备期将于 {end} 届满，请准备讨论转正")
            };
            let todo = Todo {
                title,
                href: format!("/people/{}#section-party", m.person_id),
                due: Some(end.to_string()),
                urgency: if end <= today { "high" } else { "normal" },
            };
            crate::orgs::summary::Pending { path: m.branch_path, todo }
        })
        .collect();
    crate::orgs::summary::by_unit(state, &scope, due, |n| {
        format!("{n} 名预备党员的预备期在 30 天内届满或已届满，须讨论转正")
    })
    .await
}
