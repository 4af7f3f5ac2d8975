//! Demo 家访与关怀: about 55% of the bureau visited in this cycle (some also last year, so the 五知
//! have versions to compare), a few care items and follow-ups, must-visit tasks (closed ones and a
//! few open within their deadline, so no home page starts with an escalation), and one 警察节 joint
//! visit campaign in the first sub-bureau. Deterministic for a seed; the demo accounts' own people
//! are left unvisited so a new user sees the first visit happen.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::people::entity as person;
use crate::visits::entity::{campaign, care, followup, situation, task, visit, visitor};

const FRIENDS: &[&str] =
    &["警校同学，常聚会", "同所民警，周末一起打球", "老家发小两三人", "朋友不多，多为同事", "社区志愿者朋友"];
const PERSONALITY: &[&str] = &["内向稳重，做事细致", "开朗直爽，爱帮助人", "要强，压力大时少言", "沉稳，善于沟通"];
const HOBBIES: &[&str] = &["羽毛球", "跑步", "钓鱼", "书法", "篮球", "摄影", "读书"];
const CHANGES: &[&str] =
    &["孩子今年上小学", "父母身体渐差，需照顾", "新调整岗位，正在适应", "无明显变化", "家中新添一口人"];
const CARE: &[(&str, &str)] = &[
    ("慰问", "节日走访慰问"),
    ("困难帮扶", "家属生病，协调帮扶"),
    ("就医就学协调", "协调子女入学"),
    ("心理疏导", "工作压力大，安排谈心"),
    ("待遇落实", "落实加班补休"),
];

pub async fn seed(
    txn: &DatabaseTransaction,
    now: NaiveDateTime,
    today: NaiveDate,
    seed: u64,
    skip: &[i32],
    first_bureau: (i32, &str),
) -> anyhow::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let people: Vec<(i32, Option<i32>, Option<String>)> = person::Entity::find()
        .filter(person::Column::DeletedAt.is_null())
        .select_only()
        .column(person::Column::Id)
        .column(person::Column::OrgId)
        .column(person::Column::OrgPath)
        .order_by_asc(person::Column::Id)
        .into_tuple()
        .all(txn)
        .await?;
    // A visitor for each organization: its first person (the secretary's stand-in).
    let mut first_of: HashMap<i32, i32> = HashMap::new();
    for (id, org, _) in &people {
        if let Some(o) = org {
            first_of.entry(*o).or_insert(*id);
        }
    }
    let situations: HashMap<String, situation::Model> =
        situation::Entity::find().all(txn).await?.into_iter().map(|s| (s.code.clone(), s)).collect();
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let days_this_year = (today - year_start).num_days().max(1);

    let c = campaign::Entity::insert(campaign::ActiveModel {
        name: Set(format!("{}年中国人民警察节走访慰问", today.year())),
        occasion: Set("中国人民警察节".into()),
        starts_on: Set(NaiveDate::from_ymd_opt(today.year(), 1, 5).unwrap_or(year_start)),
        ends_on: Set(NaiveDate::from_ymd_opt(today.year(), 1, 15).unwrap_or(year_start)),
        rule: Set("all".into()),
        org_id: Set(first_bureau.0),
        org_path: Set(first_bureau.1.to_owned()),
        created_by_name: Set("政治部组织科".into()),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(txn)
    .await?
    .last_insert_id;

    struct Planned {
        person: i32,
        visitor: i32,
        care: Option<usize>,
        follow_up: bool,
        task: Option<&'static str>,
    }
    let mut visits: Vec<visit::ActiveModel> = Vec::new();
    let mut planned: Vec<Planned> = Vec::new();
    let mut open_tasks: Vec<task::ActiveModel> = Vec::new();
    let mut open_per_org: HashMap<i32, usize> = HashMap::new();
    // The first sub-bureau shows every kind of record at least once (a new user, and the tests
    // of the tree's path columns, find them there).
    let mut forced = false;
    for (id, org, path) in &people {
        let (Some(org), Some(path)) = (org, path) else { continue };
        if skip.contains(id) {
            continue;
        }
        let force = !forced && path.starts_with(first_bureau.1);
        forced |= force;
        let visitor_id = first_of.get(org).copied().filter(|v| v != id).unwrap_or(*id);
        let roll: f64 = rng.gen_range(0.0..1.0);
        let mut dates = Vec::new();
        if roll < 0.15 {
            dates.push((today - chrono::Duration::days(rng.gen_range(370..700)), "全员访"));
        }
        if roll < 0.55 {
            let d = year_start + chrono::Duration::days(rng.gen_range(0..days_this_year));
            let in_campaign = path.starts_with(first_bureau.1) && rng.gen_bool(0.2);
            dates.push(if in_campaign {
                (NaiveDate::from_ymd_opt(today.year(), 1, 10).unwrap_or(d), "联合访")
            } else {
                (d, if rng.gen_bool(0.1) { "线上访" } else { "全员访" })
            });
        }
        let bereaved = force || (0.55..0.56).contains(&roll);
        if bereaved {
            dates.push((today - chrono::Duration::days(rng.gen_range(20..200)), "必访"));
        }
        for (d, kind) in dates {
            let mode = match kind {
                "线上访" => "线上",
                _ if rng.gen_bool(0.2) => "电话",
                _ => "入户",
            };
            let pick = |rng: &mut ChaCha8Rng, list: &[&str]| list[rng.gen_range(0..list.len())].to_owned();
            visits.push(visit::ActiveModel {
                person_id: Set(*id),
                org_id: Set(Some(*org)),
                org_path: Set(path.clone()),
                kind: Set(kind.into()),
                mode: Set(mode.into()),
                visited_on: Set(d),
                campaign_id: Set((kind == "联合访").then_some(c)),
                family_snapshot: Set(None),
                family_notes: Set(None),
                friends: Set(Some(pick(&mut rng, FRIENDS))),
                personality: Set(Some(pick(&mut rng, PERSONALITY))),
                hobbies: Set(Some(pick(&mut rng, HOBBIES))),
                recent_changes: Set(Some(pick(&mut rng, CHANGES))),
                problems: Set(None),
                help_asked: Set(None),
                recorded_by: Set(None),
                recorded_by_name: Set("演示数据".into()),
                created_at: Set(now),
                ..Default::default()
            });
            planned.push(Planned {
                person: *id,
                visitor: visitor_id,
                care: (force || rng.gen_bool(0.04)).then(|| rng.gen_range(0..CARE.len())),
                follow_up: force || rng.gen_bool(0.05),
                task: (kind == "必访").then_some("bereavement"),
            });
        }
        // A few situations raised in the last days, within their deadline.
        let open = open_per_org.entry(*org).or_default();
        if *open < 2 && rng.gen_bool(0.006) {
            *open += 1;
            let (code, ago) = if rng.gen_bool(0.5) { ("illness", 2) } else { ("post_change", 5) };
            if let Some(s) = situations.get(code) {
                let on = today - chrono::Duration::days(ago);
                open_tasks.push(task::ActiveModel {
                    person_id: Set(*id),
                    org_id: Set(Some(*org)),
                    org_path: Set(path.clone()),
                    situation_id: Set(s.id),
                    source: Set(format!("demo#{id}")),
                    raised_on: Set(on),
                    due_on: Set(on + chrono::Duration::days(i64::from(s.deadline_days))),
                    note: Set(None),
                    raised_by_name: Set("演示数据".into()),
                    visit_id: Set(None),
                    closed_on: Set(None),
                    created_at: Set(now),
                    ..Default::default()
                });
            }
        }
    }
    for chunk in visits.chunks(500) {
        visit::Entity::insert_many(chunk.to_vec()).exec_without_returning(txn).await?;
    }
    let saved = visit::Entity::find().order_by_asc(visit::Column::Id).all(txn).await?;
    let (mut visitors, mut cares, mut follows, mut tasks) = (Vec::new(), Vec::new(), Vec::new(), open_tasks);
    for (v, p) in saved.iter().zip(&planned) {
        visitors.push(visitor::ActiveModel { visit_id: Set(v.id), person_id: Set(p.visitor), ..Default::default() });
        if let Some(k) = p.care {
            let closed = v.visited_on + chrono::Duration::days(10) < today;
            cares.push(care::ActiveModel {
                person_id: Set(p.person),
                org_id: Set(v.org_id),
                org_path: Set(v.org_path.clone()),
                visit_id: Set(Some(v.id)),
                kind: Set(CARE[k].0.into()),
                description: Set(CARE[k].1.into()),
                owner_id: Set(p.visitor),
                status: Set(if closed { crate::visits::CARE_CLOSED } else { crate::visits::CARE_OPEN }.into()),
                closed_on: Set(closed.then(|| v.visited_on + chrono::Duration::days(10))),
                closure: Set(closed.then(|| "已办结".to_owned())),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
        }
        if p.follow_up {
            let due = v.visited_on + chrono::Duration::days(30);
            follows.push(followup::ActiveModel {
                visit_id: Set(v.id),
                org_path: Set(v.org_path.clone()),
                action: Set("再次电话回访".into()),
                owner_id: Set(p.visitor),
                due_on: Set(Some(due)),
                done_on: Set((due < today).then_some(due)),
                ..Default::default()
            });
        }
        if let Some(s) = p.task.and_then(|code| situations.get(code)) {
            let on = v.visited_on - chrono::Duration::days(1);
            tasks.push(task::ActiveModel {
                person_id: Set(p.person),
                org_id: Set(v.org_id),
                org_path: Set(v.org_path.clone()),
                situation_id: Set(s.id),
                source: Set(format!("demo#{}", v.id)),
                raised_on: Set(on),
                due_on: Set(on + chrono::Duration::days(i64::from(s.deadline_days))),
                note: Set(None),
                raised_by_name: Set("演示数据".into()),
                visit_id: Set(Some(v.id)),
                closed_on: Set(Some(v.visited_on)),
                created_at: Set(now),
                ..Default::default()
            });
        }
    }
    for chunk in visitors.chunks(500) {
        visitor::Entity::insert_many(chunk.to_vec()).exec_without_returning(txn).await?;
    }
    for chunk in cares.chunks(500) {
        care::Entity::insert_many(chunk.to_vec()).exec_without_returning(txn).await?;
    }
    for chunk in follows.chunks(500) {
        followup::Entity::insert_many(chunk.to_vec()).exec_without_returning(txn).await?;
    }
    for chunk in tasks.chunks(500) {
        task::Entity::insert_many(chunk.to_vec()).exec_without_returning(txn).await?;
    }
    Ok(())
}

/// One 民警 of the first sub-bureau who died on duty last year (在职状态 因公牺牲), with his family,
/// and the 春节 campaign that visits the families of officers who died on duty (rule
/// `fallen_families`), so that rule has someone to show. Chosen among those nobody visited and
/// outside `avoid_org` (the demo secretary's branch, whose numbers the tests know), with no
/// family recorded yet.
pub async fn fallen(
    txn: &DatabaseTransaction,
    now: NaiveDateTime,
    today: NaiveDate,
    first_bureau: (i32, &str),
    avoid_org: i32,
) -> anyhow::Result<()> {
    use crate::family::entity as family;
    use crate::people::{EmploymentStatus, PersonKind, PoliticalStatus};
    let visited: std::collections::HashSet<i32> = visit::Entity::find()
        .select_only()
        .column(visit::Column::PersonId)
        .into_tuple::<i32>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let candidates = person::Entity::find()
        .filter(crate::db::scope::subtree(person::Column::OrgPath, first_bureau.1))
        .filter(person::Column::Kind.eq(PersonKind::Police.as_str()))
        // Not a Party member (nor probationary): no membership to end, no meetings attended.
        .filter(
            person::Column::PoliticalStatus.is_in([PoliticalStatus::Masses.as_str(), PoliticalStatus::League.as_str()]),
        )
        .filter(person::Column::OrgId.ne(avoid_org))
        .filter(person::Column::DeletedAt.is_null())
        .order_by_asc(person::Column::Id)
        .all(txn)
        .await?;
    // Someone with no family recorded yet: the three relatives below are his whole family.
    let with_family: std::collections::HashSet<i32> = family::Entity::find()
        .select_only()
        .column(family::Column::PersonId)
        .into_tuple::<i32>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let Some(p) = candidates.into_iter().find(|p| !visited.contains(&p.id) && !with_family.contains(&p.id)) else {
        return Ok(());
    };
    let died = NaiveDate::from_ymd_opt(today.year() - 1, 7, 16).unwrap_or(today);
    let mut fallen: person::ActiveModel = p.clone().into();
    fallen.employment_status = Set(EmploymentStatus::DiedOnDuty.as_str().to_owned());
    fallen.status_since = Set(Some(died));
    fallen.updated_at = Set(now);
    sea_orm::ActiveModelTrait::update(fallen, txn).await?;
    let surname: String = p.name.chars().take(1).collect();
    let born = p.birth_date.year();
    let relatives: [(&str, String, i32, Option<&str>, &str); 3] = [
        ("配偶", "林晓红".to_owned(), born + 1, Some("市第一人民医院"), "护士"),
        ("儿子", format!("{surname}思远"), (born + 28).min(today.year() - 6), Some("区实验小学"), "学生"),
        ("母亲", "王秀兰".to_owned(), born - 27, None, "退休"),
    ];
    let rows: Vec<family::ActiveModel> = relatives
        .into_iter()
        .map(|(relation, name, year, unit, post)| family::ActiveModel {
            person_id: Set(p.id),
            relation: Set(relation.to_owned()),
            name: Set(name),
            birth_year: Set(i16::try_from(year).ok()),
            work_unit: Set(unit.map(str::to_owned)),
            post: Set(Some(post.to_owned())),
            political_status: Set(Some("群众".to_owned())),
            phone: Set(Some(format!("139{:08}", p.id % 100_000_000))),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    family::Entity::insert_many(rows).exec_without_returning(txn).await?;
    let next = today.year() + 1;
    campaign::Entity::insert(campaign::ActiveModel {
        name: Set(format!("{next}年春节走访慰问因公牺牲民警家属")),
        occasion: Set("春节".into()),
        starts_on: Set(NaiveDate::from_ymd_opt(next, 1, 10).unwrap_or(today)),
        ends_on: Set(NaiveDate::from_ymd_opt(next, 2, 10).unwrap_or(today)),
        rule: Set("fallen_families".into()),
        org_id: Set(first_bureau.0),
        org_path: Set(first_bureau.1.to_owned()),
        created_by_name: Set("政治部组织科".into()),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    Ok(())
}
