//! The workflow: draft → submitted → reviewed by a higher organization → approved, or returned
//! with an opinion the secretary answers → archived. A record approved in a new version replaces
//! the old one, which is kept (`Superseded`). A 不合格 grade in an approved 民主评议 opens a
//! follow-up for the branch (组织处置, §4.2).

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Deserialize;
use serde_json::json;

use super::Status;
use super::entity::{followup, meeting};
use super::service::{self, MeetingView, writable};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity};
use crate::auth::{ActiveGrant, Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::orgs::summary::Pending;
use crate::state::AppState;
use crate::ui::blocks::Todo;

/// The grant through which the actor reviews records of the organization at `path`: one with
/// `PersonWrite` over an organization strictly above it (the closest).
pub fn reviewing_grant<'a>(actor: &'a Actor, path: &str) -> Option<&'a ActiveGrant> {
    actor
        .grants
        .iter()
        .filter(|g| g.role.has(Permission::PersonWrite) && path.starts_with(&g.org_path) && path != g.org_path)
        .max_by_key(|g| g.org_path.len())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(description = "提交：`answer` 对退回意见的答复（再次提交时填写，可空）")]
pub struct SubmitInput {
    #[schema(schema_with = super::service::schema::answer)]
    pub answer: String,
}

/// Submits a draft or a returned record for review. Minutes are required; near-duplicate
/// minutes are flagged for the reviewer, never refused.
pub async fn submit(state: &AppState, actor: &Actor, id: i32, input: &SubmitInput) -> AppResult<MeetingView> {
    let m = writable(state, actor, id).await?;
    match m.status {
        Status::Draft | Status::Returned => {}
        Status::Planned => return Err(AppError::conflict("status", "计划尚未召开；召开后把它改为已召开的记录再提交")),
        _ => return Err(AppError::conflict("status", format!("记录{}，不能再次提交", m.status.label()))),
    }
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    if m.held_on > state.clock.today() {
        errors.push(("held_on", "会议日期晚于今天，不能提交".to_owned()));
    }
    let minutes = m.minutes.clone().unwrap_or_default();
    if minutes.trim().is_empty() {
        errors.push(("minutes", "请先填写会议记录再提交".to_owned()));
    }
    let answer = input.answer.trim();
    if answer.chars().count() > 500 {
        errors.push(("answer", "答复不能超过 500 字".to_owned()));
    } else if let Err(e) = crate::text::check_multiline("答复", answer) {
        errors.push(("answer", e));
    }
    if !errors.is_empty() {
        return Err(service::invalid(errors));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    super::similar::index(&txn, m.id, &minutes).await?;
    let similar = super::similar::most_similar(&txn, m.id, m.root_id.unwrap_or(m.id), &minutes).await?;
    let mut a: meeting::ActiveModel = m.clone().into();
    a.status = Set(Status::Submitted);
    a.submitted_at = Set(Some(state.clock.now_db()));
    if !answer.is_empty() {
        a.answer = Set(Some(answer.to_owned()));
    }
    a.similar_to = Set(similar.map(|s| s.0));
    a.similarity = Set(similar.map(|s| s.1));
    let saved = a.update(&txn).await?;
    let event = Event::by(actor, "meeting.submit").object("meeting", m.id).org(m.org_path.clone()).summary(json!({
        "similar_to": similar.map(|s| s.0), "similarity": similar.map(|s| s.1)
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    service::view(state, actor, saved).await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(description = "审阅：`decision` 为 approve（通过）或 return（退回，须写 `opinion` 意见）")]
pub struct ReviewInput {
    #[schema(schema_with = super::service::schema::decision, example = "return")]
    pub decision: String,
    #[schema(schema_with = super::service::schema::answer)]
    pub opinion: String,
}

/// A higher organization approves a submitted record or returns it with an opinion.
pub async fn review(state: &AppState, actor: &Actor, id: i32, input: &ReviewInput) -> AppResult<MeetingView> {
    let m = writable(state, actor, id).await?;
    let Some(grant) = reviewing_grant(actor, &m.org_path) else {
        return Err(AppError::forbidden(
            "审阅须由上级党组织进行：您的授权不在这个党组织之上，不能审阅本组织自己的记录",
        ));
    };
    if m.status != Status::Submitted {
        return Err(AppError::conflict("decision", format!("记录{}，只有已提交的记录才能审阅", m.status.label())));
    }
    let opinion = input.opinion.trim();
    let approve = match input.decision.trim() {
        "approve" | "通过" => true,
        "return" | "退回" => false,
        other => {
            return Err(AppError::validation(
                "decision",
                format!("审阅结论“{other}”应为通过（approve）或退回（return）"),
            ));
        }
    };
    if !approve && opinion.is_empty() {
        return Err(AppError::validation("opinion", "退回时请写明意见，书记会在工作台看到"));
    }
    if opinion.chars().count() > 500 {
        return Err(AppError::validation("opinion", "意见不能超过 500 字"));
    }
    crate::text::multiline("opinion", "意见", opinion)?;
    let now = state.clock.now_db();
    let txn = crate::db::begin_write(&state.db).await?;
    let mut a: meeting::ActiveModel = m.clone().into();
    a.status = Set(if approve { Status::Approved } else { Status::Returned });
    a.opinion = Set((!opinion.is_empty()).then(|| opinion.to_owned()));
    a.review_org_id = Set(Some(grant.org_id));
    a.reviewed_by = Set(Some(actor.display_name.clone()));
    a.reviewed_at = Set(Some(now));
    let saved = a.update(&txn).await?;
    let mut followups = 0;
    if approve {
        // Whose latest presence or absence may change: the seats of this record and of the
        // version it replaces (someone may have been dropped from the new one).
        let mut seated = Vec::new();
        if let Some(old) = m.supersedes
            && let Some(o) = meeting::Entity::find_by_id(old).one(&txn).await?
        {
            seated.extend(service::seats_of(&txn, o.id).await?.into_iter().filter_map(|s| s.person_id));
            let mut old: meeting::ActiveModel = o.into();
            old.status = Set(Status::Superseded);
            old.replaced_by = Set(Some(m.id));
            old.update(&txn).await?;
        }
        let seats = service::seats_of(&txn, m.id).await?;
        seated.extend(seats.iter().filter_map(|s| s.person_id));
        super::presence::refresh(&txn, &seated).await?;
        for s in seats {
            if let (Some(person), Some("不合格")) = (s.person_id, s.grade.as_deref()) {
                followup::ActiveModel {
                    meeting_id: Set(m.id),
                    person_id: Set(person),
                    org_id: Set(m.org_id),
                    org_path: Set(m.org_path.clone()),
                    opened_on: Set(state.clock.today()),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                followups += 1;
            }
        }
    }
    let event = Event::by(actor, "meeting.review").object("meeting", m.id).org(m.org_path.clone()).summary(json!({
        "decision": if approve { "approve" } else { "return" }, "opinion": opinion, "by_org": grant.org_id,
        "followups": followups,
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    service::view(state, actor, saved).await
}

/// Files an approved record away (归档).
pub async fn archive(state: &AppState, actor: &Actor, id: i32) -> AppResult<MeetingView> {
    let m = writable(state, actor, id).await?;
    if m.status != Status::Approved {
        return Err(AppError::conflict("status", "只有已通过的记录才能归档"));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let mut a: meeting::ActiveModel = m.clone().into();
    a.status = Set(Status::Archived);
    let saved = a.update(&txn).await?;
    audit::record(
        &txn,
        state.clock.as_ref(),
        Event::by(actor, "meeting.archive").object("meeting", m.id).org(m.org_path),
    )
    .await?;
    txn.commit().await?;
    service::view(state, actor, saved).await
}

/// Closes a follow-up of a 不合格 grade with what was done.
pub async fn close_followup(state: &AppState, actor: &Actor, id: i32, note: &str) -> AppResult<i32> {
    actor.require(Permission::PersonWrite)?;
    let f = followup::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let t = guard::Target { kind: "meeting_followup", id: i64::from(f.id), org_path: &f.org_path };
    guard::check(state, actor, Permission::PersonWrite, Sensitivity::Normal, t).await?;
    let note = note.trim();
    if note.is_empty() || note.chars().count() > 200 {
        return Err(AppError::validation("note", "请写明组织处置的情况（1–200 字）"));
    }
    crate::text::line("note", "处置情况", note)?;
    let txn = crate::db::begin_write(&state.db).await?;
    let meeting_id = f.meeting_id;
    let path = f.org_path.clone();
    let mut a: followup::ActiveModel = f.into();
    a.closed_on = Set(Some(state.clock.today()));
    a.note = Set(Some(note.to_owned()));
    a.update(&txn).await?;
    let event =
        Event::by(actor, "meeting.followup").object("meeting_followup", id).org(path).summary(json!({"note": note}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(meeting_id)
}

/// Returned records to answer, records waiting for the actor's review, open follow-ups.
pub async fn todos(state: &AppState, actor: &Actor) -> AppResult<Vec<Todo>> {
    if !actor.can(Permission::PersonWrite) {
        return Ok(Vec::new());
    }
    let scope = actor.scope(Permission::PersonWrite);
    let in_scope = crate::db::scope::in_scope(meeting::Column::OrgPath, &scope);
    let mut out = Vec::new();
    let returned = meeting::Entity::find()
        .filter(in_scope.clone())
        .filter(meeting::Column::Status.eq(Status::Returned))
        .order_by_asc(meeting::Column::HeldOn)
        .limit(500)
        .all(&state.db)
        .await?;
    let returned: Vec<Pending> = returned
        .into_iter()
        .map(|m| Pending {
            todo: Todo {
                title: format!("“{}”被上级退回：{}", m.topic, m.opinion.clone().unwrap_or_default()),
                href: format!("/meetings/{}", m.id),
                due: None,
                urgency: "high",
            },
            path: m.org_path,
        })
        .collect();
    out.extend(
        crate::orgs::summary::by_unit(state, &scope, returned, |n| {
            format!("{n} 条组织生活记录被上级退回，请修改后再提交")
        })
        .await?,
    );
    let submitted = meeting::Entity::find()
        .filter(in_scope.clone())
        .filter(meeting::Column::Status.eq(Status::Submitted))
        .order_by_asc(meeting::Column::SubmittedAt)
        .limit(500)
        .all(&state.db)
        .await?;
    let waiting: Vec<Pending> = submitted
        .into_iter()
        .filter(|m| reviewing_grant(actor, &m.org_path).is_some())
        .map(|m| Pending {
            todo: Todo {
                title: match m.similarity {
                    Some(s) => format!("待审阅：“{}”（会议记录与另一条记录相似 {s}%）", m.topic),
                    None => format!("待审阅：“{}”", m.topic),
                },
                href: format!("/meetings/{}", m.id),
                due: None,
                urgency: "normal",
            },
            path: m.org_path,
        })
        .collect();
    out.extend(crate::orgs::summary::by_unit(state, &scope, waiting, |n| format!("{n} 条组织生活记录待审阅")).await?);
    let open = followup::Entity::find()
        .filter(crate::db::scope::in_scope(followup::Column::OrgPath, &scope))
        .filter(followup::Column::ClosedOn.is_null())
        .limit(500)
        .all(&state.db)
        .await?;
    let ids: Vec<i32> = open.iter().map(|f| f.person_id).collect();
    let names = crate::people::names(&state.db, &ids).await?;
    let open: Vec<Pending> = open
        .into_iter()
        .map(|f| Pending {
            todo: Todo {
                title: format!(
                    "{} 在民主评议中被评为不合格，请按规定进行组织处置",
                    names.get(&f.person_id).cloned().unwrap_or_default()
                ),
                href: format!("/meetings/{}", f.meeting_id),
                due: None,
                urgency: "high",
            },
            path: f.org_path,
        })
        .collect();
    out.extend(
        crate::orgs::summary::by_unit(state, &scope, open, |n| format!("{n} 名民主评议不合格的党员待组织处置")).await?,
    );
    Ok(out)
}
