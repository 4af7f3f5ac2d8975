//! The demo's exit cases: one proposal for every fifth person with a heavy sanction (as the
//! sanction listener would have made), walked to different steps so that every stage of the
//! workflow and the home-page deadlines can be seen, plus a few cases opened by hand for
//! 躺平摆烂. Outcomes that end the service are left before their execution (the roster stays
//! as it is); executed and archived cases have outcomes that keep the person in service. A
//! statutory bar sits on some cases before their committee. Its own random stream, so the
//! rest of the demo stays as it was.

use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};

use super::*;
use crate::discipline::entity::sanction;
use crate::discipline::{Class, Kind};
use crate::exits::entity::{bar, case, step};
use crate::exits::{Bar, Outcome, SourceKind, Status};
use crate::risk::entity::{category, flag};

/// How far each case got, in turn.
const STAGES: [Status; 7] = [
    Status::Proposed,
    Status::Investigating,
    Status::Hearing,
    Status::Committee,
    Status::Executing,
    Status::Archived,
    Status::Declined,
];

fn days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(chrono::Days::new(n)).unwrap_or(d)
}

pub async fn seed(
    txn: &DatabaseTransaction,
    now: chrono::NaiveDateTime,
    today: NaiveDate,
    seed: u64,
) -> anyhow::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let heavy: Vec<&str> = Kind::ALL.iter().filter(|k| k.class() == Class::Heavy).map(|k| k.as_str()).collect();
    let sanctions = sanction::Entity::find()
        .filter(sanction::Column::Kind.is_in(heavy))
        .order_by_asc(sanction::Column::Id)
        .all(txn)
        .await?;
    let responsible = user::Entity::find().filter(user::Column::Username.eq("jijian")).one(txn).await?.map(|u| u.id);
    let mut seen = HashSet::new();
    let mut n = 0usize;
    for (i, s) in sanctions.iter().enumerate() {
        if i % 5 != 0 || !seen.insert(s.person_id) {
            continue;
        }
        let Some(p) = person::Entity::find_by_id(s.person_id).one(txn).await? else { continue };
        let kind = match PersonKind::parse(&p.kind) {
            Some(k @ (PersonKind::Police | PersonKind::Auxiliary)) => k,
            _ => continue,
        };
        if p.employment_status != EmploymentStatus::Serving.as_str() {
            continue;
        }
        let (Some(org_id), Some(path)) = (p.org_id, p.org_path.clone()) else { continue };
        let stage = STAGES[n % STAGES.len()];
        n += 1;
        let source = (
            SourceKind::Sanction,
            Some(s.id),
            format!("受{}（重处分，{} 生效）：由系统提出，是否立案须研判", s.kind.as_str(), s.effective_on),
        );
        let case = (&p, kind, org_id, path.as_str(), Some(s.effective_on));
        insert(txn, &mut rng, now, today, case, stage, source, responsible).await?;
    }
    // Flags in a category that proposes exit cases (as the flag listener would have done): a
    // proposal, with the flag as its source.
    let grounds: Vec<(i32, String)> = category::Entity::find()
        .filter(category::Column::ExitGround.is_not_null())
        .all(txn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let flags = flag::Entity::find()
        .filter(flag::Column::CategoryId.is_in(grounds.iter().map(|g| g.0)))
        .order_by_asc(flag::Column::Id)
        .all(txn)
        .await?;
    for f in flags.iter().take(3) {
        let Some(p) = person::Entity::find_by_id(f.person_id).one(txn).await? else { continue };
        let kind = match PersonKind::parse(&p.kind) {
            Some(k @ (PersonKind::Police | PersonKind::Auxiliary)) => k,
            _ => continue,
        };
        if p.employment_status != EmploymentStatus::Serving.as_str() || !seen.insert(p.id) {
            continue;
        }
        let (Some(org_id), Some(path)) = (p.org_id, p.org_path.clone()) else { continue };
        let name = grounds.iter().find(|g| g.0 == f.category_id).map(|g| g.1.clone()).unwrap_or_default();
        let source_kind = if name.contains("躺平") { SourceKind::Inaction } else { SourceKind::Screening };
        let source = (
            source_kind,
            Some(f.id),
            format!(
                "风险提示 #{}（{name}，{}色）登记：属“{}”的情形，由系统提出，是否立案须研判",
                f.id,
                f.level,
                source_kind.label()
            ),
        );
        let case = (&p, kind, org_id, path.as_str(), Some(f.opened_on));
        insert(txn, &mut rng, now, today, case, Status::Proposed, source, responsible).await?;
    }
    // A few opened by hand for 躺平摆烂 (the first serving 民警 of some units).
    let police = person::Entity::find()
        .filter(person::Column::Kind.eq(PersonKind::Police.as_str()))
        .filter(person::Column::EmploymentStatus.eq(EmploymentStatus::Serving.as_str()))
        .order_by_asc(person::Column::Id)
        .all(txn)
        .await?;
    let step_by = (police.len() / 3).max(1);
    for (j, p) in police.iter().step_by(step_by).take(3).enumerate() {
        if !seen.insert(p.id) {
            continue;
        }
        let (Some(org_id), Some(path)) = (p.org_id, p.org_path.clone()) else { continue };
        let stage = [Status::Investigating, Status::Committee, Status::Archived][j];
        let source = (
            SourceKind::Inaction,
            None,
            "经队伍隐患排查，长期消极怠工、安排的工作拖延不办，经谈话提醒、批评教育仍无转变（演示数据）".to_owned(),
        );
        let case = (p, PersonKind::Police, org_id, path.as_str(), None);
        insert(txn, &mut rng, now, today, case, stage, source, responsible).await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    txn: &DatabaseTransaction,
    rng: &mut ChaCha8Rng,
    now: chrono::NaiveDateTime,
    today: NaiveDate,
    (p, kind, org_id, path, after): (&person::Model, PersonKind, i32, &str, Option<NaiveDate>),
    stage: Status,
    (source_kind, source_ref, grounds): (SourceKind, Option<i32>, String),
    responsible: Option<i32>,
) -> anyhow::Result<()> {
    // After the sanction that proposed it, and early enough for every step to lie in the past.
    let random = today - chrono::Duration::days(rng.gen_range(40..400));
    let opened = match (stage, after) {
        // A proposal is made the day its record is (as the listeners do).
        (Status::Proposed, Some(a)) => a.min(today),
        _ => after.map_or(random, |a| random.max(days(a, 3))).min(today - chrono::Duration::days(36)),
    };
    let reached = |s: Status| STAGES.iter().position(|x| *x == stage) >= STAGES.iter().position(|x| *x == s);
    let worked = stage != Status::Proposed && stage != Status::Declined;
    let notified = (worked && reached(Status::Hearing)).then(|| days(opened, 7));
    let stated = (worked && reached(Status::Committee)).then(|| days(opened, 12));
    let decided = (worked && reached(Status::Executing)).then(|| days(opened, 20));
    let outcomes = Outcome::of(kind);
    // Executed cases keep the person in service; pending ones may end it (not yet executed).
    let outcome = decided.map(|_| {
        let staying: Vec<Outcome> = outcomes.iter().copied().filter(|o| o.ends_service().is_none()).collect();
        if stage == Status::Archived {
            staying[rng.gen_range(0..staying.len())]
        } else {
            outcomes[rng.gen_range(0..outcomes.len())]
        }
    });
    let executed = (stage == Status::Archived).then(|| days(opened, 30));
    let closed = match stage {
        Status::Archived => Some(days(opened, 35)),
        Status::Declined => Some(days(opened, 3)),
        _ => None,
    };
    let city = names::CITY;
    let row = case::ActiveModel {
        person_id: Set(p.id),
        person_kind: Set(kind.as_str().to_owned()),
        org_id: Set(org_id),
        org_path: Set(path.to_owned()),
        status: Set(stage),
        source_kind: Set(source_kind),
        source_ref: Set(source_ref),
        grounds: Set(grounds.clone()),
        opened_on: Set(opened),
        findings: Set(notified.map(|_| "经调查核实，事实清楚，本人对基本事实无异议（演示数据）".to_owned())),
        notified_on: Set(notified),
        statement: Set(stated.map(|_| "本人表示认识到错误，请求组织给予改正机会（演示数据）".to_owned())),
        statement_on: Set(stated),
        committee_on: Set(decided),
        committee_attendees: Set(decided.map(|_| "局党委书记、副书记及党委委员共 7 人".to_owned())),
        committee_decision: Set(decided.map(|_| "经集体研究，同意处理意见（演示数据）".to_owned())),
        outcome: Set(outcome),
        decided_on: Set(decided),
        decided_by: Set(decided.map(|_| format!("{city}公安局党委"))),
        doc_no: Set(decided.map(|d| format!("海公党〔{}〕{}号", d.year(), p.id % 97 + 1))),
        override_reason: Set(None),
        handover_due: Set(crate::exits::handover_due(outcome, decided)),
        executed_on: Set(executed),
        handover_note: Set(executed.map(|_| "已按决定调整，工作已交接（演示数据）".to_owned())),
        closed_on: Set(closed),
        closing_note: Set(match stage {
            Status::Declined => Some("经研判，此人已深刻检讨、表现好转，不予立案，继续教育帮扶（演示数据）".to_owned()),
            Status::Archived => Some("案件材料归档".to_owned()),
            _ => None,
        }),
        responsible_user_id: Set(if worked { responsible } else { None }),
        created_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mut history = vec![(if source_ref.is_some() { "拟议" } else { "立案" }, opened, grounds)];
    if source_ref.is_some() && worked {
        history.push(("立案", days(opened, 2), "经研判，立案调查核实".to_owned()));
    }
    if stage == Status::Declined {
        history.push(("不予立案", days(opened, 3), row.closing_note.clone().unwrap_or_default()));
    }
    if let Some(d) = notified {
        history.push(("调查核实并告知", d, "已告知本人拟处理的事实、依据及其陈述申辩的权利".to_owned()));
    }
    if let Some(d) = stated {
        history.push(("陈述申辩", d, row.statement.clone().unwrap_or_default()));
    }
    if stage == Status::Committee && p.gender == "女" {
        bar::ActiveModel {
            case_id: Set(row.id),
            kind: Set(Bar::Nursing),
            note: Set("哺乳期至次年（演示数据）".into()),
            noted_on: Set(days(opened, 14)),
            lifted_on: Set(None),
            recorded_by_name: Set("纪检监察室".into()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        history.push(("法定情形", days(opened, 14), "女性在哺乳期内：哺乳期至次年（演示数据）".to_owned()));
    }
    if let (Some(d), Some(o)) = (decided, outcome) {
        history.push(("党委集体研究", d, format!("处理结果：{}", o.as_str())));
    }
    if let Some(d) = executed {
        history.push(("执行与交接", d, row.handover_note.clone().unwrap_or_default()));
    }
    if let (Status::Archived, Some(d)) = (stage, closed) {
        history.push(("归档", d, "案件材料归档".to_owned()));
    }
    let rows: Vec<step::ActiveModel> = history
        .into_iter()
        .map(|(name, on, detail)| step::ActiveModel {
            case_id: Set(row.id),
            step: Set(name.to_owned()),
            on_date: Set(on.min(today)),
            detail: Set(detail),
            actor_id: Set(None),
            actor_name: Set("纪检监察室".into()),
            at: Set(now),
            ..Default::default()
        })
        .collect();
    step::Entity::insert_many(rows).exec_without_returning(txn).await?;
    Ok(())
}
