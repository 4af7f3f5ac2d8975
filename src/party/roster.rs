//! The roster (`people`) and Party membership. Party contributes, through
//! [`crate::module::RosterRules`], what the roster must respect for members (their political
//! status and branch follow the membership) and what the Party columns of a roster import mean;
//! `people` calls them without importing this domain. Party's own changes to the roster (a
//! new political status, a branch after a transfer) go through `people::store`.

use chrono::NaiveDate;
use sea_orm::DatabaseTransaction;

use super::membership::{check_dates, check_roster_change, insert_membership};
use super::store::membership_of;
use super::{MemberCategory, is_branch_kind, status_for};
use crate::auth::Actor;
use crate::db::org_paths::OrgRef;
use crate::error::AppResult;
use crate::io::cells;
use crate::module::{BoxFuture, MembershipDates, PartyCells, PartyColumns, RosterChange, RosterRules};
use crate::state::AppState;

/// What this domain gives the roster (see [`crate::module::Module::roster`]).
pub fn rules() -> RosterRules {
    RosterRules {
        check_change,
        import_columns,
        import_dates,
        write_membership,
        person_left,
        status_changed,
        status_choices,
        follow_unit: super::unit_move::follow_unit,
    }
}

/// A deleted person holds no committee post.
fn person_left<'a>(
    txn: &'a DatabaseTransaction,
    state: &'a AppState,
    actor: &'a Actor,
    person_id: i32,
    why: &'a str,
) -> BoxFuture<'a, AppResult<Vec<String>>> {
    Box::pin(super::committees::release_posts(txn, state, actor, person_id, None, why))
}

/// The ways to settle a live membership before the roster records a death, expulsion or
/// dismissal (see [`super::membership::check_roster_change`]).
fn status_choices(person_id: i32, employment_status: &str) -> Vec<(&'static str, String)> {
    use crate::people::EmploymentStatus;
    match EmploymentStatus::parse(employment_status) {
        Some(EmploymentStatus::Deceased | EmploymentStatus::DiedOnDuty) => {
            vec![("登记党籍终止（去世）", format!("/people/{person_id}/party/end?kind=去世"))]
        }
        Some(EmploymentStatus::Expelled | EmploymentStatus::Dismissed) => vec![
            ("办理组织关系转出", format!("/people/{person_id}/party/transfer")),
            ("登记党籍处理（开除党籍、除名等）", format!("/people/{person_id}/party/end")),
        ],
        _ => Vec::new(),
    }
}

/// A serving member who retires becomes a 离退休党员, whose dues follow the retirees' rates
/// (domain.md §4.4); the history says so.
fn status_changed<'a>(
    txn: &'a DatabaseTransaction,
    state: &'a AppState,
    actor: &'a Actor,
    person_id: i32,
    (_, after): (&'a str, &'a str),
) -> BoxFuture<'a, AppResult<()>> {
    Box::pin(async move {
        if crate::people::EmploymentStatus::parse(after) != Some(crate::people::EmploymentStatus::Retired) {
            return Ok(());
        }
        let Some(m) = membership_of(txn, person_id).await?.filter(|m| m.status == super::MemberStatus::Active) else {
            return Ok(());
        };
        if m.category != MemberCategory::Serving {
            return Ok(());
        }
        let mut active: super::entity::member::ActiveModel = m.into();
        active.category = sea_orm::Set(MemberCategory::Retired);
        active.updated_at = sea_orm::Set(state.clock.now_db());
        sea_orm::ActiveModelTrait::update(active, txn).await?;
        let detail = "退休，党员类别由在职党员改为离退休党员".to_owned();
        super::membership::add_event(
            txn,
            state,
            actor,
            person_id,
            super::EventKind::CategoryChanged,
            state.clock.today(),
            detail,
        )
        .await
    })
}

fn check_change<'a>(
    state: &'a AppState,
    person_id: i32,
    change: RosterChange<'a>,
) -> BoxFuture<'a, AppResult<Vec<(&'static str, String)>>> {
    Box::pin(check_roster_change(&state.db, person_id, change))
}

/// The import's columns "入党日期" and "转正日期": only with an admission date; for a person
/// with a membership they must agree with it (admission and full membership are done in the
/// profile); otherwise the row creates a membership and its political status follows the dates.
///
/// Real rosters carry an admission date and hardly ever a 转正 date. A 中共党员 admitted more
/// than a year ago without one is a full member whose date is still to be completed (a warning,
/// 待补录); so is a member with no political status given whose longest possible probation
/// (one year, extended by at most one more) is over. Only what the dates prove wrong is an
/// error: a 中共党员 admitted less than a year ago, a 中共预备党员 admitted more than two years ago.
fn import_columns<'a>(
    state: &'a AppState,
    existing: Option<i32>,
    cells: PartyCells<'a>,
) -> BoxFuture<'a, AppResult<PartyColumns>> {
    Box::pin(async move {
        let membership = match existing {
            Some(id) => membership_of(&state.db, id).await?,
            None => None,
        };
        let mut out = PartyColumns::default();
        if !cells.full.is_empty() && cells.joined.is_empty() {
            out.errors.push(("入党日期", "填写转正日期时须填写入党日期".into()));
        } else if !cells.joined.is_empty() {
            match &membership {
                Some(m) => {
                    let same = m.joined_on.to_string() == cells.joined
                        && (cells.full.is_empty() || m.full_on.map(|d| d.to_string()).as_deref() == Some(cells.full));
                    if !same {
                        let reason = format!("已有党员档案（入党 {}），入党、转正请在党员信息中办理", m.joined_on);
                        out.errors.push(("入党日期", reason));
                    }
                }
                None => new_membership(&mut out, cells, state.clock.today()),
            }
        } else if membership.is_none() && is_member_status(cells.political_status) {
            out.warnings.push((
                "入党日期",
                format!("政治面貌为{}但未填入党日期：未建立党员档案，可在党员信息中登记入党", cells.political_status),
            ));
        }
        Ok(out)
    })
}

fn is_member_status(text: &str) -> bool {
    text == status_for(true) || text == status_for(false)
}

/// The membership a row without one creates, from its dates and the political status it gives.
fn new_membership(out: &mut PartyColumns, cells: PartyCells<'_>, today: NaiveDate) {
    let given = cells.political_status;
    if !cells.full.is_empty() {
        let derived = status_for(true);
        if !given.is_empty() && given != derived {
            out.errors.push(("政治面貌", format!("与入党、转正日期不符（应为{derived}）")));
        }
        out.joining = Some(derived);
        return;
    }
    // An unreadable date is reported where the cell is read.
    let Ok(Some(joined)) = cells::date(cells.joined) else {
        return;
    };
    let year_over = super::probation_end(joined, None) <= today;
    let longest = super::probation_end(joined, Some(*super::EXTENSION_MONTHS.end()));
    let full_unknown = |out: &mut PartyColumns, why: &str| {
        out.joining = Some(status_for(true));
        out.full_unknown = true;
        out.warnings
            .push(("转正日期", format!("{why}未填转正日期：按正式党员导入，转正日期待补录（在党员信息中补录）")));
    };
    match given {
        g if g == status_for(true) => {
            if year_over {
                full_unknown(out, "");
            } else {
                out.errors.push((
                    "政治面貌",
                    format!(
                        "入党日期 {joined} 距今不满一年，预备期未满，不能是中共党员（应为中共预备党员，或核对入党日期）"
                    ),
                ));
            }
        }
        g if g == status_for(false) => {
            if longest < today {
                out.errors.push((
                    "政治面貌",
                    format!(
                        "入党日期 {joined} 距今已超过两年，预备期（一年，至多延长一年）早已届满，不能仍是中共预备党员：\
                         请填写转正日期或核对入党日期"
                    ),
                ));
            } else {
                out.joining = Some(status_for(false));
            }
        }
        "" if longest < today => full_unknown(out, "入党已超过两年且未填政治面貌，"),
        "" => out.joining = Some(status_for(false)),
        other => {
            out.errors.push(("政治面貌", format!("填写了入党日期，政治面貌应为中共党员或中共预备党员，而不是{other}")))
        }
    }
}

/// The rules of admission for a row that creates a membership: a branch, and the dates of
/// [`check_dates`].
fn import_dates(
    birth: NaiveDate,
    org_kind: &str,
    cells: PartyCells<'_>,
    today: NaiveDate,
) -> (Vec<(&'static str, String)>, Option<MembershipDates>) {
    let mut errors = Vec::new();
    if !is_branch_kind(org_kind) {
        errors.push(("所在党组织", "党员须编入党支部或联合支部".to_owned()));
    }
    let mut dates = None;
    if let (Ok(Some(j)), Ok(f)) = (cells::date(cells.joined), cells::date(cells.full)) {
        for (field, reason) in check_dates(birth, j, f, today) {
            errors.push((if field == "full_on" { "转正日期" } else { "入党日期" }, reason));
        }
        dates = Some(MembershipDates { joined: j, full: f, full_unknown: false });
    }
    (errors, dates)
}

/// An imported member is a serving member (在职党员), or a retired one (离退休党员) when the row's
/// employment status is 退休, so that the dues category that follows the membership is retired
/// too; the import sets the political status.
fn write_membership<'a>(
    txn: &'a DatabaseTransaction,
    state: &'a AppState,
    actor: &'a Actor,
    person_id: i32,
    branch: &'a OrgRef,
    dates: MembershipDates,
) -> BoxFuture<'a, AppResult<()>> {
    Box::pin(async move {
        let retired = crate::people::store::find(txn, person_id).await?.is_some_and(|p| {
            crate::people::EmploymentStatus::parse(&p.employment_status)
                == Some(crate::people::EmploymentStatus::Retired)
        });
        let category = if retired { MemberCategory::Retired } else { MemberCategory::Serving };
        insert_membership(txn, state, actor, person_id, branch, dates, category).await?;
        Ok(())
    })
}
