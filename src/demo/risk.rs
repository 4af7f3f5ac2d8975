//! Demo 队伍隐患排查: about one person in a hundred flagged (most still followed up, some resolved
//! with their measures and closure), a screening campaign in the first sub-bureau with half of its
//! branches finished (the demo secretary's branch not yet, so its to-do shows), and a few recorded
//! review decisions. Deterministic for a seed, its own random stream. No flag is due for review
//! and none sits in the demo secretary's branch, so a new user starts from a clean home page and
//! sees the first flag happen.

use chrono::{NaiveDate, NaiveDateTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::orgs::OrgKind;
use crate::people::entity as person;
use crate::risk::entity::{branch, category, decision, event, flag, screening};
use crate::risk::{FOLLOWING, OPEN, RESOLVED};

const FACTS: &[&str] = &[
    "家访中了解到与亲属因房产分割发生争执",
    "近期工作积极性明显下降，多次迟到",
    "群众投诉执法态度生硬",
    "本人反映家中老人重病，压力较大",
    "负债较多，有网络借贷记录",
    "与同事发生口角，情绪波动",
    "下班后频繁出入娱乐场所",
];
const MEASURES: &[&str] = &["谈心谈话", "帮教", "心理疏导", "家访", "警示教育"];
const CLOSURES: &[&str] = &["经谈心谈话和家访，问题已化解", "纠纷经调解解决", "债务已结清，情况稳定"];

pub async fn seed(
    txn: &DatabaseTransaction,
    now: NaiveDateTime,
    today: NaiveDate,
    seed: u64,
    skip_org: i32,
    first_bureau: (i32, &str),
) -> anyhow::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let people = person::Entity::find()
        .filter(person::Column::DeletedAt.is_null())
        .order_by_asc(person::Column::Id)
        .all(txn)
        .await?;
    let cats = category::Entity::find().order_by_asc(category::Column::Sort).all(txn).await?;
    if people.is_empty() || cats.is_empty() {
        return Ok(());
    }
    let by = "政治部组织科".to_owned();
    let wanted = (people.len() / 100).max(3);
    let mut flagged: Vec<(i32, String, String)> = Vec::new();
    // The first flag is a 躺平摆烂 one, so that the exit case it proposes can be seen at every scale.
    let mut inaction_shown = false;
    for i in 0..wanted {
        let p = &people[rng.gen_range(0..people.len())];
        let (Some(org_id), Some(path)) = (p.org_id, p.org_path.clone()) else { continue };
        if org_id == skip_org || flagged.iter().any(|(id, _, _)| *id == p.id) {
            continue;
        }
        let fitting: Vec<&category::Model> =
            cats.iter().filter(|c| c.applies_to == "全部" || c.applies_to == p.kind).collect();
        let mut c = fitting[rng.gen_range(0..fitting.len())];
        if !inaction_shown {
            inaction_shown = true;
            if let Some(inaction) = fitting.iter().find(|c| c.exit_ground.as_deref() == Some("躺平摆烂")) {
                c = inaction;
            }
        }
        let opened_on = today - chrono::Duration::days(rng.gen_range(10..200));
        let resolved = i % 3 == 0;
        let status = if resolved {
            RESOLVED
        } else if i % 3 == 1 {
            FOLLOWING
        } else {
            OPEN
        };
        let measure_on = opened_on + chrono::Duration::days(rng.gen_range(1..10));
        let saved = flag::ActiveModel {
            person_id: Set(p.id),
            org_id: Set(org_id),
            org_path: Set(path.clone()),
            category_id: Set(c.id),
            level: Set(c.default_level.clone()),
            facts: Set(FACTS[rng.gen_range(0..FACTS.len())].to_owned()),
            source: Set(crate::risk::SOURCES[rng.gen_range(0..crate::risk::SOURCES.len())].to_owned()),
            screening_id: Set(None),
            cadre: Set(format!("{}书记", p.unit.clone().unwrap_or_default())),
            status: Set(status.to_owned()),
            opened_on: Set(opened_on),
            // Never due yet: the demo's home pages start without overdue reviews.
            next_review_on: Set((!resolved).then(|| today + chrono::Duration::days(rng.gen_range(5..60)))),
            closed_on: Set(resolved.then_some(measure_on)),
            closure: Set(resolved.then(|| CLOSURES[rng.gen_range(0..CLOSURES.len())].to_owned())),
            created_by_name: Set(by.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let mut lines = vec![("opened", opened_on, None, Some(OPEN), None)];
        if status != OPEN {
            let m = MEASURES[rng.gen_range(0..MEASURES.len())];
            let (st, note) = if resolved {
                (Some(RESOLVED), saved.closure.clone())
            } else {
                (Some(FOLLOWING), Some("已谈话，持续关注".to_owned()))
            };
            lines.push(("measure", measure_on, Some(m), st, note));
        }
        for (kind, on, measure, st, note) in lines {
            event::ActiveModel {
                flag_id: Set(saved.id),
                kind: Set(kind.to_owned()),
                on_date: Set(on),
                measure: Set(measure.map(str::to_owned)),
                status: Set(st.map(str::to_owned)),
                note: Set(note),
                by_name: Set(by.clone()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
        if !resolved {
            let reason = format!("未结的{}色风险提示：{}（{}，{} 登记）", saved.level, c.name, saved.status, opened_on);
            flagged.push((p.id, path, reason));
        }
    }
    // A few reviewed entries of the early warning, with the reason they were reviewed for.
    for (person_id, path, reason) in flagged.iter().take(3) {
        decision::ActiveModel {
            person_id: Set(*person_id),
            org_path: Set(path.clone()),
            decision: Set("no_action".to_owned()),
            flag_id: Set(None),
            reasons: Set(reason.clone()),
            note: Set(Some("已列入风险提示跟进，暂不另行处置".to_owned())),
            decided_by_name: Set("纪检监察室".to_owned()),
            decided_on: Set(today),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }

    // A campaign in the first sub-bureau, half of its branches finished.
    let (bureau_id, bureau_path) = first_bureau;
    let s = screening::ActiveModel {
        name: Set("第四季度队伍隐患排查".to_owned()),
        starts_on: Set(today - chrono::Duration::days(20)),
        ends_on: Set(today + chrono::Duration::days(20)),
        focus: Set("执法办案、矛盾纠纷".to_owned()),
        org_id: Set(bureau_id),
        org_path: Set(bureau_path.to_owned()),
        created_by_name: Set(by.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let kinds = [OrgKind::Branch.as_str(), OrgKind::JointBranch.as_str()];
    let branches = crate::orgs::store::live_in_subtree(txn, bureau_path).await?;
    for (i, b) in branches.iter().filter(|b| kinds.contains(&b.kind.as_str()) && b.id != skip_org).enumerate() {
        if i % 2 == 1 {
            continue;
        }
        let members = crate::people::store::count_in_org(txn, b.id).await?;
        branch::ActiveModel {
            screening_id: Set(s.id),
            org_id: Set(b.id),
            org_path: Set(b.path.clone()),
            flagged: Set(0),
            no_finding: Set(i32::try_from(members).unwrap_or(0)),
            note: Set(None),
            confirmed_by_name: Set(format!("{}书记", b.name)),
            confirmed_on: Set(today - chrono::Duration::days(rng.gen_range(1..15))),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }

    // A 辅警 whose labour contract ends within the warning rule's 60 days, under an open flag:
    // the `contract_flag` warning has someone to explain at every scale.
    let candidates: Vec<i32> = people
        .iter()
        .filter(|p| p.kind == "辅警" && p.org_id.is_some_and(|o| o != skip_org) && p.org_path.is_some())
        .filter(|p| !flagged.iter().any(|(id, _, _)| *id == p.id))
        .map(|p| p.id)
        .collect();
    let ending =
        crate::police::store::contracts_ending(txn, &candidates, today, today + chrono::Duration::days(60)).await?;
    let chosen = ending.first().and_then(|(id, _)| people.iter().find(|p| p.id == *id));
    if let (Some(p), Some(c)) = (chosen, cats.iter().find(|c| c.code == "c10")) {
        let opened_on = today - chrono::Duration::days(30);
        let saved = flag::ActiveModel {
            person_id: Set(p.id),
            org_id: Set(p.org_id.unwrap_or_default()),
            org_path: Set(p.org_path.clone().unwrap_or_default()),
            category_id: Set(c.id),
            level: Set(c.default_level.clone()),
            facts: Set("本人反映家中老人重病，压力较大".to_owned()),
            source: Set("本人报告".to_owned()),
            screening_id: Set(None),
            cadre: Set(format!("{}书记", p.unit.clone().unwrap_or_default())),
            status: Set(OPEN.to_owned()),
            opened_on: Set(opened_on),
            next_review_on: Set(Some(today + chrono::Duration::days(20))),
            created_by_name: Set(by.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        event::ActiveModel {
            flag_id: Set(saved.id),
            kind: Set("opened".to_owned()),
            on_date: Set(opened_on),
            status: Set(Some(OPEN.to_owned())),
            by_name: Set(by),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}
