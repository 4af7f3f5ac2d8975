//! The Party domain's part of 一人一档: the membership section, and the membership actions
//! (register, confirm full membership, transfer, dues base) as a panel of the profile page.

use askama::Template;

use super::dues::DuesCategory;
use super::store::{events_of, membership_of};
use super::{MemberCategory, MemberStatus};
use crate::auth::Actor;
use crate::error::{AppError, AppResult};
use crate::module::{BoxFuture, PanelContext, ProfilePart};
use crate::orgs::store;
use crate::state::AppState;
use crate::ui::FieldErrors;
use crate::ui::blocks::{Choice, Row, Section, Subject};

pub fn part() -> ProfilePart {
    ProfilePart { sections, fields: &[], reveal: crate::module::nothing_to_reveal, panel: Some(panel) }
}

/// Membership facts and the whole membership history.
fn sections<'a>(state: &'a AppState, _actor: &'a Actor, s: &'a Subject) -> BoxFuture<'a, AppResult<Vec<Section>>> {
    Box::pin(async move {
        let Some(m) = membership_of(&state.db, s.id).await? else { return Ok(Vec::new()) };
        let branch = store::find(&state.db, m.branch_id).await?.map(|o| o.name).unwrap_or_default();
        let mut rows = vec![
            Row::new("所在党支部", branch),
            Row::new("党员类别", m.category.label()),
            Row::new("入党日期", m.joined_on.to_string()),
            Row::new(
                "转正日期",
                match m.full_on {
                    Some(d) => d.to_string(),
                    None if m.full_on_unknown => "待补录（正式党员，转正日期未知）".to_owned(),
                    None => format!("预备期至 {}", super::member_probation_end(&m)),
                },
            ),
        ];
        if let (Some(on), Some(months)) = (m.extended_on, m.extended_months) {
            rows.push(Row::new("延长预备期", format!("{on} 决定延长 {months} 个月")));
        }
        if m.full_on.is_some() && (m.meeting_on.is_some() || m.approved_on.is_some()) {
            let day = |d: Option<chrono::NaiveDate>| d.map_or_else(|| "未登记".to_owned(), |d| d.to_string());
            rows.push(Row::new(
                "转正讨论和审批",
                format!("支部大会 {}，上级党委审批 {}", day(m.meeting_on), day(m.approved_on)),
            ));
        }
        rows.push(Row::new("组织关系", m.status.label()));
        if let Some(kind) = m.end_kind {
            let parts = [&m.end_reason, &m.end_by, &m.end_doc].map(|p| p.as_deref().unwrap_or_default());
            let day = m.status_on.map(|d| d.to_string()).unwrap_or_default();
            let text = format!("{day} {}", super::ending::describe(kind, parts));
            let title = if kind == super::EndKind::Stopped { "停止党籍" } else { "党籍终止" };
            rows.push(Row::new(title, text));
        }
        if let Some((group, leader)) = super::groups::group_of_person(&state.db, s.id).await? {
            let shown = if leader { format!("{group}（组长）") } else { group };
            rows.insert(1, Row::new("党小组", shown));
        }
        match super::dues::current(state, s.id).await? {
            Some((base, category, monthly)) => {
                rows.push(Row::new("党费", format!("每月 {monthly} 元（基数 {base} 元，{category}）")))
            }
            None => rows.push(Row::new("党费", "未登记党费基数")),
        }
        for e in events_of(&state.db, s.id).await? {
            rows.push(Row::new("历程", format!("{} {}：{}", e.on_date, e.kind.label(), e.detail)));
        }
        Ok(vec![Section { id: "party", title: "党员信息", sensitive: false, rows }])
    })
}

#[derive(Template)]
#[template(path = "party/profile_panel.html")]
struct Panel<'a> {
    id: i32,
    csrf: &'a str,
    errors: &'a FieldErrors,
    /// Which membership actions the page offers: `register` (or a transfer in from outside);
    /// `full` for a probationary member (转正, 延长, transfer, end); `transfer` for a full member
    /// (transfer, end); `stopped` for a stopped membership (end only); `returning` for a member
    /// who transferred out (a transfer in again).
    party_action: &'static str,
    probation_end: String,
    /// The probation has ended: 转正 may be recorded.
    probation_due: bool,
    /// Not extended yet.
    extendable: bool,
    categories: Vec<Choice>,
    /// The dues base form's categories: code and label, the membership's preselected.
    dues_categories: Vec<Choice>,
    /// What counts in the base, stated beside the form.
    dues_base_rule: &'static str,
    /// The member's reductions and exemptions, each with its id for cancelling.
    dues_reliefs: Vec<(i32, String)>,
    relief_kinds: Vec<Choice>,
}

fn panel<'a>(
    state: &'a AppState,
    _actor: &'a Actor,
    s: &'a Subject,
    context: &'a PanelContext,
) -> BoxFuture<'a, AppResult<Option<String>>> {
    Box::pin(async move {
        if !s.can_edit {
            return Ok(None);
        }
        let m = membership_of(&state.db, s.id).await?;
        let party_action = match &m {
            None => "register",
            Some(m) if m.status == MemberStatus::Active && m.full_on_unknown => "complete",
            Some(m) if m.status == MemberStatus::Active && m.full_on.is_none() => "full",
            Some(m) if m.status == MemberStatus::Active => "transfer",
            Some(m) if m.status == MemberStatus::Suspended => "stopped",
            Some(m) if m.status == MemberStatus::TransferredOut => "returning",
            Some(_) => return Ok(None),
        };
        let end = m.as_ref().map(super::member_probation_end);
        let dues_default = DuesCategory::of_member(m.as_ref().map_or(MemberCategory::DEFAULT, |m| m.category));
        let dues_reliefs = if !matches!(party_action, "full" | "complete" | "transfer") {
            Vec::new()
        } else {
            super::dues::reliefs::list(state, s.id)
                .await?
                .iter()
                .map(|r| (r.id, super::dues::describe_relief(r)))
                .collect()
        };
        let panel = Panel {
            probation_end: end.map(|d| d.to_string()).unwrap_or_default(),
            probation_due: end.is_some_and(|d| d <= state.clock.today()),
            extendable: m.as_ref().is_some_and(|m| m.extended_months.is_none()),
            id: s.id,
            csrf: &context.csrf,
            errors: &context.errors,
            party_action,
            categories: MemberCategory::ALL
                .iter()
                .map(|c| Choice {
                    value: c.as_str().into(),
                    label: c.label().into(),
                    selected: *c == MemberCategory::DEFAULT,
                })
                .collect(),
            dues_categories: DuesCategory::ALL
                .iter()
                .map(|c| Choice { value: c.as_str().into(), label: c.label().into(), selected: *c == dues_default })
                .collect(),
            dues_base_rule: super::dues::base::BASE_RULE,
            dues_reliefs,
            relief_kinds: super::dues::ReliefKind::ALL
                .iter()
                .map(|k| Choice { value: k.as_str().into(), label: k.label().into(), selected: false })
                .collect(),
        };
        panel.render().map(Some).map_err(|e| AppError::Internal(anyhow::Error::new(e)))
    })
}
