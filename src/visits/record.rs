//! Recording a visit: every field checked at once, then one transaction writes the visit (a new
//! version of the 五知), its visitors, the family members met (new ones added to 家庭成员 through
//! the family domain), follow-ups, care items, closes the must-visit tasks it answers, and audits.

use std::collections::HashSet;

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::entity::{campaign, care, family_met, followup, task, visit, visitor};
use super::{CARE_KINDS, CARE_OPEN, KINDS, MODES, VisitInput, check_note, parse_date, store};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::ui::blocks::Subject;

type Errors = Vec<(String, String)>;

fn push(errors: &mut Errors, field: impl Into<String>, message: impl Into<String>) {
    errors.push((field.into(), message.into()));
}

/// The person, when the actor may record visits to them: change their record and read their
/// family-and-care data, both in scope (404 and `access.denied` outside).
pub async fn recordable(state: &AppState, actor: &Actor, person_id: i32) -> AppResult<Subject> {
    let subject = crate::people::service::heading(state, actor, person_id).await?.subject;
    let target = Target { kind: "person", id: i64::from(subject.id), org_path: &subject.org_path };
    guard::check(state, actor, Permission::PersonWrite, Sensitivity::Normal, target).await?;
    guard::check(state, actor, Permission::FamilyCareRead, Sensitivity::Normal, target).await?;
    Ok(subject)
}

/// Whether the actor may record visits to this person (for pages offering the form).
pub fn may_record(actor: &Actor, s: &Subject) -> bool {
    crate::family::service::may_change(actor, s)
}

/// Checks that each id is a live person in the actor's read scope; `what(i)` names the row.
pub async fn check_people(
    state: &AppState,
    actor: &Actor,
    ids: &[(String, String, i32)],
    errors: &mut Errors,
) -> AppResult<()> {
    check_people_within(state, actor, ids, None, errors).await
}

/// As [`check_people`], also accepting anyone live under `also` (a joint visit's campaign).
async fn check_people_within(
    state: &AppState,
    actor: &Actor,
    ids: &[(String, String, i32)],
    also: Option<&str>,
    errors: &mut Errors,
) -> AppResult<()> {
    let scope = actor.scope(Permission::PersonRead);
    for (field, label, id) in ids {
        let ok = crate::people::store::find_live(&state.db, *id).await?.is_some_and(|p| {
            let path = p.org_path.as_deref().unwrap_or("/");
            scope.contains(path) || also.is_some_and(|root| path.starts_with(root))
        });
        if !ok {
            push(errors, field.clone(), format!("{label}（人员编号 {id}）不存在或不在您的范围内"));
        }
    }
    Ok(())
}

/// The subtree from which a 重要节点联合访 may draw its visitors: the whole campaign's, when the
/// actor may record visits somewhere in it. A joint visit brings the branch together with 政工,
/// 纪检 and 工会 staff, who sit in the sub-bureau's or bureau's offices, outside a branch
/// secretary's own scope; the party admin who defined the campaign over that subtree named them.
/// Owners of follow-ups and care stay within the recorder's scope: they are the recorder's to
/// chase.
pub async fn campaign_visitor_root(state: &AppState, actor: &Actor, campaign_id: i32) -> AppResult<Option<String>> {
    let Some(c) = campaign::Entity::find_by_id(campaign_id).one(&state.db).await? else {
        return Ok(None);
    };
    let records_inside = actor.scope(Permission::PersonWrite).contains(&c.org_path)
        || actor.grants.iter().any(|g| {
            g.role.has(Permission::PersonWrite)
                && g.role.has(Permission::FamilyCareRead)
                && g.org_path.starts_with(c.org_path.as_str())
        });
    Ok(records_inside.then_some(c.org_path))
}

/// What the checks found worth keeping for the write.
struct Checked {
    kind: String,
    mode: String,
    visited_on: NaiveDate,
    follow_due: Vec<Option<NaiveDate>>,
    family_new: Vec<crate::family::ValidMember>,
    family_met: Vec<(i32, String)>,
    campaign: Option<campaign::Model>,
}

async fn check(state: &AppState, actor: &Actor, s: &Subject, input: &VisitInput) -> AppResult<Checked> {
    let mut errors: Errors = Vec::new();
    let today = state.clock.today();
    let kind = input.kind.trim().to_owned();
    if !KINDS.contains(&kind.as_str()) {
        push(&mut errors, "kind", format!("请选择走访类别：{}", KINDS.join("、")));
    }
    let mode = input.mode.trim().to_owned();
    if !MODES.contains(&mode.as_str()) {
        push(&mut errors, "mode", format!("请选择走访方式：{}", MODES.join("、")));
    }
    let visited_on = if input.visited_on.trim().is_empty() {
        push(&mut errors, "visited_on", "请填写走访日期");
        None
    } else {
        match parse_date(&input.visited_on, "走访日期") {
            Ok(d) if d > today => {
                push(&mut errors, "visited_on", format!("走访日期 {d} 晚于今天，不能登记尚未进行的走访"));
                None
            }
            Ok(d) => Some(d),
            Err(m) => {
                push(&mut errors, "visited_on", m);
                None
            }
        }
    };
    if input.visitor_ids.is_empty() {
        push(&mut errors, "visitor_ids", "请至少填写一名走访人");
    }
    if input.visitor_ids.len() > 20 {
        push(&mut errors, "visitor_ids", "走访人不能超过 20 名");
    }
    let visitors: Vec<(String, String, i32)> =
        input.visitor_ids.iter().take(20).map(|id| ("visitor_ids".to_owned(), "走访人".to_owned(), *id)).collect();
    let joint_root = match (kind.as_str(), input.campaign_id) {
        ("联合访", Some(c)) => campaign_visitor_root(state, actor, c).await?,
        _ => None,
    };
    check_people_within(state, actor, &visitors, joint_root.as_deref(), &mut errors).await?;
    let mut people: Vec<(String, String, i32)> = Vec::new();
    // The family: registered members met must be this person's.
    let family = crate::family::service::of(&state.db, s.id).await?;
    let mut family_met = Vec::new();
    for id in &input.family_met_ids {
        match family.iter().find(|m| m.id == *id) {
            Some(m) => family_met.push((m.id, format!("{} {}", m.relation, m.name))),
            None => push(&mut errors, "family_met_ids", format!("家庭成员编号 {id} 不是此人登记的家庭成员")),
        }
    }
    let mut family_new = Vec::new();
    for (i, m) in input.new_family.iter().enumerate() {
        match crate::family::validate(m, today) {
            Ok(v) => family_new.push(v),
            Err(list) => {
                for (f, msg) in list {
                    push(
                        &mut errors,
                        format!("new_family[{i}].{f}"),
                        format!("新登记的第 {} 名家庭成员：{msg}", i + 1),
                    );
                }
            }
        }
    }
    for (field, label, value) in input.five_knowns.items() {
        if let Some(m) = value.as_deref().and_then(|t| check_note(label, t)) {
            push(&mut errors, field, m);
        }
    }
    for (field, label, value) in
        [("problems", "发现的问题", &input.problems), ("help_asked", "提出的诉求", &input.help_asked)]
    {
        if let Some(m) = check_note(label, value) {
            push(&mut errors, field, m);
        }
    }
    let mut follow_due = Vec::new();
    for (i, f) in input.follow_ups.iter().enumerate() {
        let n = i + 1;
        let action = f.action.trim();
        if action.is_empty() {
            push(&mut errors, format!("follow_ups[{i}].action"), format!("第 {n} 条后续措施没有写内容"));
        } else if let Some(m) = crate::text::check_line("后续措施", action)
            .err()
            .or_else(|| (action.chars().count() > 200).then(|| "后续措施不能超过 200 个字".to_owned()))
        {
            push(&mut errors, format!("follow_ups[{i}].action"), format!("第 {n} 条：{m}"));
        }
        match f.owner_id {
            None => push(
                &mut errors,
                format!("follow_ups[{i}].owner_id"),
                format!("第 {n} 条后续措施“{action}”须指定负责人"),
            ),
            Some(id) => people.push((format!("follow_ups[{i}].owner_id"), format!("第 {n} 条后续措施的负责人"), id)),
        }
        let due = match f.due_on.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(d) => match parse_date(d, "完成期限") {
                Ok(d) => Some(d),
                Err(m) => {
                    push(&mut errors, format!("follow_ups[{i}].due_on"), format!("第 {n} 条：{m}"));
                    None
                }
            },
        };
        follow_due.push(due);
    }
    for (i, c) in input.care.iter().enumerate() {
        let n = i + 1;
        if !CARE_KINDS.contains(&c.kind.trim()) {
            push(&mut errors, format!("care[{i}].kind"), format!("第 {n} 项关怀的类别应为：{}", CARE_KINDS.join("、")));
        }
        if let Some(m) = care_description(&c.description) {
            push(&mut errors, format!("care[{i}].description"), format!("第 {n} 项关怀：{m}"));
        }
        match c.owner_id {
            None => push(&mut errors, format!("care[{i}].owner_id"), format!("第 {n} 项关怀须指定负责人")),
            Some(id) => people.push((format!("care[{i}].owner_id"), format!("第 {n} 项关怀的负责人"), id)),
        }
    }
    check_people(state, actor, &people, &mut errors).await?;
    // Tasks: open ones of this person.
    let open: HashSet<i32> = super::tasks::open_of(state, s.id).await?.into_iter().map(|t| t.id).collect();
    for id in &input.task_ids {
        if !open.contains(id) {
            push(&mut errors, "task_ids", format!("必访任务 {id} 不是此人未完成的必访任务"));
        }
    }
    if kind == "必访" && input.task_ids.is_empty() {
        push(&mut errors, "task_ids", "必访须对应此人的一项必访任务；没有时请先登记必访情形");
    }
    let campaign = match input.campaign_id {
        None => None,
        Some(id) => {
            let c = campaign::Entity::find_by_id(id).one(&state.db).await?;
            match c {
                Some(c) if s.org_path.starts_with(c.org_path.as_str()) => {
                    if let Some(d) = visited_on
                        && (d < c.starts_on || d > c.ends_on)
                    {
                        push(
                            &mut errors,
                            "campaign_id",
                            format!("走访日期不在“{}”的起止日期（{} 至 {}）内", c.name, c.starts_on, c.ends_on),
                        );
                    }
                    Some(c)
                }
                _ => {
                    push(&mut errors, "campaign_id", "联合访活动不存在，或此人不在该活动的范围内");
                    None
                }
            }
        }
    };
    match visited_on {
        Some(visited_on) if errors.is_empty() => {
            Ok(Checked { kind, mode, visited_on, follow_due, family_new, family_met, campaign })
        }
        _ => Err(AppError::Fields(errors)),
    }
}

/// A care item's description problem, if any.
pub fn care_description(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return Some("请写明关怀的内容".to_owned());
    }
    crate::text::check_multiline("关怀内容", t)
        .err()
        .or_else(|| (t.chars().count() > 500).then(|| "关怀内容不能超过 500 个字".to_owned()))
}

fn note(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// Records a visit to person `person_id`; returns the visit's id.
pub async fn create(state: &AppState, actor: &Actor, person_id: i32, input: &VisitInput) -> AppResult<i32> {
    let s = recordable(state, actor, person_id).await?;
    let c = check(state, actor, &s, input).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    let mut met = c.family_met.clone();
    for v in c.family_new {
        let m = crate::family::service::insert_in(&txn, state, actor, &s, v).await?;
        met.push((m.id, format!("{} {}", m.relation, m.name)));
    }
    let family_lines: Vec<String> =
        crate::family::service::of(&txn, s.id).await?.iter().map(crate::family::service::Member::line).collect();
    let previous = store::visits_of(&txn, s.id)
        .await?
        .into_iter()
        .find(|v| v.visited_on <= c.visited_on)
        .map(|v| store::five_of(&v))
        .unwrap_or_default();
    let five = input.five_knowns.over(&previous);
    let now = state.clock.now_db();
    let saved = visit::ActiveModel {
        person_id: Set(s.id),
        org_id: Set(s.org_id),
        org_path: Set(s.org_path.clone()),
        kind: Set(c.kind.clone()),
        mode: Set(c.mode.clone()),
        visited_on: Set(c.visited_on),
        campaign_id: Set(c.campaign.as_ref().map(|c| c.id)),
        family_snapshot: Set((!family_lines.is_empty()).then(|| family_lines.join("\n"))),
        family_notes: Set(five.family_notes),
        friends: Set(five.friends),
        personality: Set(five.personality),
        hobbies: Set(five.hobbies),
        recent_changes: Set(five.recent_changes),
        problems: Set(note(&input.problems)),
        help_asked: Set(note(&input.help_asked)),
        recorded_by: Set((actor.user_id > 0).then_some(actor.user_id)),
        recorded_by_name: Set(actor.display_name.chars().take(50).collect()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut seen = HashSet::new();
    for id in input.visitor_ids.iter().filter(|id| seen.insert(**id)) {
        visitor::ActiveModel { visit_id: Set(saved.id), person_id: Set(*id), ..Default::default() }
            .insert(&txn)
            .await?;
    }
    for (id, label) in &met {
        family_met::ActiveModel {
            visit_id: Set(saved.id),
            family_member_id: Set(*id),
            label: Set(label.chars().take(80).collect()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    for (f, due) in input.follow_ups.iter().zip(&c.follow_due) {
        followup::ActiveModel {
            visit_id: Set(saved.id),
            org_path: Set(s.org_path.clone()),
            action: Set(f.action.trim().to_owned()),
            owner_id: Set(f.owner_id.unwrap_or_default()),
            due_on: Set(*due),
            done_on: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    for item in &input.care {
        care::ActiveModel {
            person_id: Set(s.id),
            org_id: Set(s.org_id),
            org_path: Set(s.org_path.clone()),
            visit_id: Set(Some(saved.id)),
            kind: Set(item.kind.trim().to_owned()),
            description: Set(item.description.trim().to_owned()),
            owner_id: Set(item.owner_id.unwrap_or_default()),
            status: Set(CARE_OPEN.to_owned()),
            closed_on: Set(None),
            closure: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    if !input.task_ids.is_empty() {
        task::Entity::update_many()
            .col_expr(task::Column::VisitId, Expr::value(saved.id))
            .col_expr(task::Column::ClosedOn, Expr::value(c.visited_on))
            .filter(task::Column::Id.is_in(input.task_ids.clone()))
            .filter(task::Column::PersonId.eq(s.id))
            .filter(task::Column::ClosedOn.is_null())
            .exec(&txn)
            .await?;
    }
    // Who, when and how — never the notes (the auditor may not read family data).
    let event = Event::by(actor, "visit.create").object("visit", saved.id).org(s.org_path.clone()).summary(json!({
        "person": s.id, "kind": c.kind, "mode": c.mode, "visited_on": c.visited_on.to_string(),
        "visitors": seen.len(), "follow_ups": input.follow_ups.len(), "care": input.care.len(),
        "tasks_closed": input.task_ids, "campaign": c.campaign.map(|c| c.id),
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(saved.id)
}
