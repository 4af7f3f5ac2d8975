//! Deterministic synthetic bureau for demonstrations, tests and benchmarks. The same scale and
//! seed always give the same organizations, people and accounts. Everything is fictional: a
//! made-up city, generated names, ID numbers that are valid only by their check digit.

mod discipline;
mod exits;
mod meetings;
mod names;
mod party;
mod police;
mod risk;
mod visits;

use std::collections::HashSet;

use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, Set};
use serde_json::json;

use crate::audit::{self, Event};
use crate::auth::entity::{grant, user};
use crate::auth::{Role, password};
use crate::orgs::OrgKind;
use crate::orgs::entity as org;
use crate::people::{EmploymentStatus, PersonKind, PoliticalStatus, entity as person, idcard};
use crate::state::AppState;

pub const DEMO_PASSWORD: &str = "Demo@2024";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// One sub-bureau and three headquarters branches (≈ 400 people, 21 organizations).
    Small,
    /// A city bureau: 16 sub-bureaus, ≈ 1,000 branches, ≈ 30,000 people.
    City,
    /// Ten times a city (≈ 300,000 people).
    Province,
}

impl Scale {
    fn sub_bureaus(self) -> usize {
        match self {
            Scale::Small => 1,
            Scale::City => 16,
            Scale::Province => 160,
        }
    }

    fn stations_per_bureau(self) -> usize {
        match self {
            Scale::Small => 4,
            _ => 28,
        }
    }

    /// Every bureau carries dues bases and a year of payments, so a new user sees a working
    /// ledger and the larger ones give ledgers, reminders and benchmarks real volume.
    fn with_dues_history(self) -> bool {
        true
    }
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub orgs: usize,
    pub people: usize,
    pub accounts: usize,
}

struct Gen<'a> {
    txn: &'a DatabaseTransaction,
    rng: ChaCha8Rng,
    now: chrono::NaiveDateTime,
    today: NaiveDate,
    ids: HashSet<String>,
    next_police_no: u32,
    orgs: usize,
    people: Vec<person::ActiveModel>,
    people_total: usize,
}

impl Gen<'_> {
    async fn org(
        &mut self,
        parent: Option<&org::Model>,
        kind: OrgKind,
        name: &str,
        unit: &str,
    ) -> anyhow::Result<org::Model> {
        let inserted = org::ActiveModel {
            parent_id: Set(parent.map(|p| p.id)),
            path: Set(format!("/tmp-{}/", self.orgs)),
            depth: Set(parent.map_or(0, |p| p.depth + 1)),
            name: Set(name.to_owned()),
            kind: Set(kind.as_str().to_owned()),
            unit_name: Set((!unit.is_empty()).then(|| unit.to_owned())),
            sort_order: Set(self.orgs as i32),
            created_at: Set(self.now),
            updated_at: Set(self.now),
            ..Default::default()
        }
        .insert(self.txn)
        .await?;
        let path = format!("{}{}/", parent.map_or("/", |p| p.path.as_str()), inserted.id);
        let mut active: org::ActiveModel = inserted.into();
        active.path = Set(path);
        self.orgs += 1;
        Ok(active.update(self.txn).await?)
    }

    fn id_number(&mut self, region: &str, birth: NaiveDate, male: bool) -> String {
        loop {
            let seq: u32 = self.rng.gen_range(0..500) * 2 + u32::from(male);
            let body = format!("{region}{}{:03}", birth.format("%Y%m%d"), seq);
            let Some(check) = idcard::check_char(&body) else {
                continue;
            };
            let id = format!("{body}{check}");
            if self.ids.insert(id.clone()) {
                return id;
            }
        }
    }

    /// People of one branch: about as many auxiliary as regular police, Party shares by type.
    async fn staff(&mut self, branch: &org::Model, count: usize) -> anyhow::Result<()> {
        for i in 0..count {
            let regular = i % 2 == 0 || self.rng.gen_bool(0.1);
            let male = self.rng.gen_bool(if regular { 0.82 } else { 0.7 });
            let (min_age, max_age) = if regular { (23, 59) } else { (20, 50) };
            let age = self.rng.gen_range(min_age..=max_age);
            let birth = NaiveDate::from_ymd_opt(
                self.today.year() - age,
                self.rng.gen_range(1..=12),
                self.rng.gen_range(1..=28),
            )
            .unwrap_or(self.today);
            let region_code = names::REGIONS[self.rng.gen_range(0..names::REGIONS.len())];
            let id_number = self.id_number(region_code, birth, male);
            let political = names::pick_political(&mut self.rng, regular, age);
            let joined_police =
                NaiveDate::from_ymd_opt(birth.year() + self.rng.gen_range(21..=age.clamp(22, 30)), 7, 1)
                    .filter(|d| *d <= self.today);
            let police_no = regular.then(|| {
                self.next_police_no += 1;
                format!("{:06}", self.next_police_no)
            });
            let name = names::person_name(&mut self.rng, male);
            // The rank is the police module's (警衔, demo/police.rs); drawn here all the same, so the
            // random stream and everything after it stay as they were.
            let (position, _rank) = names::post(&mut self.rng, regular, age);
            self.people.push(person::ActiveModel {
                name_initials: Set(crate::people::initials(&name)),
                name: Set(name),
                ethnicity: Set(Some(names::ethnicity(&mut self.rng).to_owned())),
                education: Set(Some(names::education(&mut self.rng, regular).to_owned())),
                unit: Set(branch.unit_name.clone()),
                position: Set(Some(position.to_owned())),
                kind: Set(if regular { PersonKind::Police } else { PersonKind::Auxiliary }.as_str().to_owned()),
                police_no: Set(police_no),
                // insert_many skips `before_save`, which keeps this column elsewhere.
                id_number_rev: Set(person::reversed_id(&id_number)),
                id_number: Set(id_number),
                gender: Set(if male { "男" } else { "女" }.to_owned()),
                birth_date: Set(birth),
                phone: Set(Some(format!(
                    "1{}0{:08}",
                    [3, 5, 7, 8, 9][self.rng.gen_range(0..5)],
                    self.rng.gen_range(0..100_000_000)
                ))),
                org_id: Set(Some(branch.id)),
                org_path: Set(Some(branch.path.clone())),
                political_status: Set(political.to_owned()),
                employment_status: Set(EmploymentStatus::Serving.as_str().to_owned()),
                joined_police_on: Set(joined_police),
                created_at: Set(self.now),
                updated_at: Set(self.now),
                ..Default::default()
            });
        }
        self.people_total += count;
        if self.people.len() >= 400 {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> anyhow::Result<()> {
        if self.people.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.people);
        person::Entity::insert_many(batch).exec_without_returning(self.txn).await?;
        Ok(())
    }

    /// Founding dates and the last elections; the demo secretary's branch is due for one within
    /// two months, so its reminder shows.
    async fn terms(&mut self, due_soon: Option<i32>) -> anyhow::Result<()> {
        use sea_orm::{ColumnTrait, QueryFilter};
        let orgs = org::Entity::find().filter(org::Column::Kind.ne(OrgKind::Group.as_str())).all(self.txn).await?;
        for o in orgs {
            let term = crate::orgs::terms::default_term(OrgKind::parse(&o.kind));
            let founded = self.today - chrono::Duration::days(self.rng.gen_range(2000..9000));
            let elected = if Some(o.id) == due_soon {
                self.today - chrono::Duration::days(365 * i64::from(term) - 50)
            } else {
                self.today - chrono::Duration::days(self.rng.gen_range(30..(365 * i64::from(term) - 120)))
            };
            let mut active: org::ActiveModel = o.into();
            active.founded_on = Set(Some(founded));
            active.term_years = Set(Some(term));
            active.elected_on = Set(Some(elected.max(founded)));
            active.update(self.txn).await?;
        }
        Ok(())
    }

    /// Families for about four people in five: a spouse for most over 26, children for those
    /// over 28, parents for those under 50 — what the profile's 家庭成员 and later the home
    /// visits' 五知 start from. Its own random stream, so the rest of the demo stays as it was.
    async fn families(&mut self, seed: u64) -> anyhow::Result<()> {
        use crate::family::entity as family;
        use sea_orm::QueryOrder;
        const WORK: &[(&str, &str)] = &[
            ("市第一人民医院", "护士"),
            ("区实验小学", "教师"),
            ("海滨市供电公司", "职员"),
            ("个体经营", ""),
            ("海滨港务集团", "工程师"),
            ("区税务局", "科员"),
            ("", "退休"),
            ("海滨大学", "学生"),
        ];
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let people = person::Entity::find().order_by_asc(person::Column::Id).all(self.txn).await?;
        let mut batch: Vec<family::ActiveModel> = Vec::new();
        let phone = |rng: &mut ChaCha8Rng| format!("13{}{:08}", rng.gen_range(0..10), rng.gen_range(0..100_000_000));
        for p in people.iter().filter(|p| p.id % 5 != 0) {
            let age = self.today.year() - p.birth_date.year();
            let born = p.birth_date.year();
            let male = p.gender == "男";
            let mut add = |relation: &str, name: String, year: i32, work: (&str, &str), phone: Option<String>| {
                batch.push(family::ActiveModel {
                    person_id: Set(p.id),
                    relation: Set(relation.to_owned()),
                    name: Set(name),
                    birth_year: Set(i16::try_from(year).ok()),
                    work_unit: Set(Some(work.0).filter(|w| !w.is_empty()).map(str::to_owned)),
                    post: Set(Some(work.1).filter(|w| !w.is_empty()).map(str::to_owned)),
                    political_status: Set(Some("群众".to_owned())),
                    phone: Set(phone),
                    created_at: Set(self.now),
                    updated_at: Set(self.now),
                    ..Default::default()
                });
            };
            if age >= 26 && rng.gen_bool(0.75) {
                let work = WORK[rng.gen_range(0..WORK.len() - 2)];
                let name = names::person_name(&mut rng, !male);
                let year = born + rng.gen_range(-3..=3);
                let ph = phone(&mut rng);
                add("配偶", name, year, work, Some(ph));
            }
            if age >= 28 {
                for _ in 0..rng.gen_range(0..=2) {
                    let son = rng.gen_bool(0.5);
                    let year = (born + rng.gen_range(25..=35)).min(self.today.year());
                    let mut name = names::person_name(&mut rng, son);
                    if male {
                        // Children take the father's family name.
                        let family_name: String = p.name.chars().take(1).collect();
                        name = format!("{family_name}{}", name.chars().skip(1).collect::<String>());
                    }
                    let work = if self.today.year() - year >= 22 { WORK[rng.gen_range(0..6)] } else { ("", "学生") };
                    add(if son { "儿子" } else { "女儿" }, name, year, work, None);
                }
            }
            if age <= 50 {
                for (relation, is_male) in [("父亲", true), ("母亲", false)] {
                    if rng.gen_bool(0.6) {
                        let mut name = names::person_name(&mut rng, is_male);
                        if is_male {
                            // The father shares the family name.
                            let family_name: String = p.name.chars().take(1).collect();
                            name = format!("{family_name}{}", name.chars().skip(1).collect::<String>());
                        }
                        let year = born - rng.gen_range(24..=32);
                        let ph = phone(&mut rng);
                        add(relation, name, year, ("", "退休"), Some(ph));
                    }
                }
            }
            if batch.len() >= 500 {
                family::Entity::insert_many(std::mem::take(&mut batch)).exec_without_returning(self.txn).await?;
            }
        }
        if !batch.is_empty() {
            family::Entity::insert_many(batch).exec_without_returning(self.txn).await?;
        }
        Ok(())
    }

    fn branch_size(&mut self) -> usize {
        self.rng.gen_range(12..=48)
    }
}

/// True when the database holds no organization yet.
pub async fn is_empty(state: &AppState) -> anyhow::Result<bool> {
    Ok(org::Entity::find().count(&state.db).await? == 0)
}

/// Generates the bureau and the demo accounts of DESIGN.md §5 into an empty database.
/// The name of the first sub-bureau's district (its office's unit is `{district}分局机关`).
pub fn first_district() -> String {
    names::district(0)
}

pub async fn seed(state: &AppState, scale: Scale, seed: u64) -> anyhow::Result<Summary> {
    if !is_empty(state).await? {
        anyhow::bail!("数据库中已有党组织数据；演示数据只能生成到空数据库");
    }
    let mut progress = Progress::new();
    let txn = crate::db::begin_write(&state.db).await?;
    let mut g = Gen {
        txn: &txn,
        rng: ChaCha8Rng::seed_from_u64(seed),
        now: state.clock.now_db(),
        today: state.clock.today(),
        ids: HashSet::new(),
        next_police_no: 100_000,
        orgs: 0,
        people: Vec::new(),
        people_total: 0,
    };
    let city = names::CITY;
    let root = g.org(None, OrgKind::Committee, &format!("中共{city}公安局委员会"), &format!("{city}公安局")).await?;
    let hq = g.org(Some(&root), OrgKind::Committee, &format!("中共{city}公安局机关委员会"), "市局机关").await?;
    let departments: &[&str] = if scale == Scale::Small { &names::DEPARTMENTS[..3] } else { names::DEPARTMENTS };
    for dept in departments {
        let size = g.branch_size() + 10;
        if size > 45 && scale != Scale::Small {
            let general = g.org(Some(&hq), OrgKind::GeneralBranch, &format!("{dept}党总支"), dept).await?;
            for part in ["第一", "第二"] {
                let b = g.org(Some(&general), OrgKind::Branch, &format!("{dept}{part}党支部"), dept).await?;
                let n = g.branch_size();
                g.staff(&b, n).await?;
            }
        } else {
            let b = g.org(Some(&hq), OrgKind::Branch, &format!("{dept}党支部"), dept).await?;
            g.staff(&b, size).await?;
        }
    }

    let mut shuji_branch = None;
    let mut first_bureau = None;
    for i in 0..scale.sub_bureaus() {
        let district = names::district(i);
        let unit = format!("{district}分局");
        let bureau = g.org(Some(&root), OrgKind::Committee, &format!("中共{unit}委员会"), &unit).await?;
        first_bureau.get_or_insert_with(|| bureau.clone());
        let office =
            g.org(Some(&bureau), OrgKind::Branch, &format!("{unit}机关党支部"), &format!("{unit}机关")).await?;
        let n = g.branch_size();
        g.staff(&office, n).await?;
        let brigades: &[&str] = if scale == Scale::Small { &names::BRIGADES[..2] } else { names::BRIGADES };
        for brigade in brigades {
            let b = g
                .org(Some(&bureau), OrgKind::Branch, &format!("{unit}{brigade}党支部"), &format!("{unit}{brigade}"))
                .await?;
            let n = g.branch_size();
            g.staff(&b, n).await?;
        }
        for s in 0..scale.stations_per_bureau() {
            let station = format!("{}派出所", names::station(i, s));
            if scale == Scale::Small || s % 3 != 0 {
                let b = g.org(Some(&bureau), OrgKind::Branch, &format!("{station}党支部"), &station).await?;
                let n = g.branch_size();
                g.staff(&b, n).await?;
                for grp in ["第一党小组", "第二党小组"] {
                    g.org(Some(&b), OrgKind::Group, grp, "").await?;
                }
                shuji_branch.get_or_insert_with(|| b.clone());
            } else {
                // Large stations: a general branch with a branch per policing area.
                let general =
                    g.org(Some(&bureau), OrgKind::GeneralBranch, &format!("{station}党总支"), &station).await?;
                for area in ["社区警务", "案件办理", "综合指挥"] {
                    let b = g.org(Some(&general), OrgKind::Branch, &format!("{station}{area}党支部"), &station).await?;
                    let n = g.branch_size();
                    g.staff(&b, n).await?;
                }
            }
        }
    }
    g.flush().await?;
    progress.step("党组织与人员", format!("{} 个党组织，{} 人", g.orgs, g.people_total));
    crate::people::store::fill_missing_initials(&txn).await?;
    crate::people::store::fill_missing_grams(&txn).await?;
    progress.step("姓名检索索引", String::new());
    g.memberships(scale.with_dues_history().then_some(seed ^ 0xD0E5)).await?;
    g.terms(shuji_branch.as_ref().map(|b| b.id)).await?;
    g.lifecycle_examples(shuji_branch.as_ref().map(|b| b.id)).await?;
    progress.step("党员档案、党费、换届", String::new());
    g.families(seed ^ 0xFA11).await?;
    progress.step("家庭成员", String::new());
    g.sanctions(seed ^ 0xD15C).await?;
    progress.step("处分（五年）", String::new());
    g.meetings(seed ^ 0x3EE7, shuji_branch.as_ref().map(|b| b.id)).await?;
    progress.step("组织生活与出勤（五年）", String::new());
    g.police(seed ^ 0x9011, shuji_branch.as_ref().map(|b| b.id)).await?;
    progress.step("警务信息", String::new());
    let summary_orgs = g.orgs;
    let summary_people = g.people_total;

    let shuji_branch = shuji_branch.context("演示数据中没有派出所党支部")?;
    let first_bureau = first_bureau.context("演示数据中没有分局")?;
    if scale == Scale::Small {
        g.transfer_in_example(&shuji_branch).await?;
    }
    // Two real members of shuji's branch become the secretary and the member accounts.
    let branch_people = {
        use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
        person::Entity::find()
            .filter(person::Column::OrgId.eq(shuji_branch.id))
            .filter(person::Column::PoliticalStatus.eq(PoliticalStatus::Member.as_str()))
            .order_by_asc(person::Column::Id)
            .all(&txn)
            .await?
    };
    let secretary = branch_people.first().cloned();
    let member = branch_people.get(1).cloned();
    let accounts: Vec<(&str, String, Role, &org::Model, Option<i32>)> = vec![
        ("admin", "系统管理员".into(), Role::Sysadmin, &root, None),
        ("secadmin", "安全保密管理员".into(), Role::Secadmin, &root, None),
        ("auditor", "安全审计员".into(), Role::Auditor, &root, None),
        ("zzb", "政治部组织科".into(), Role::PartyAdmin, &root, None),
        ("jijian", "纪检监察室".into(), Role::Discipline, &root, None),
        (
            "shuji",
            secretary.as_ref().map_or("支部书记".into(), |p| p.name.clone()),
            Role::Secretary,
            &shuji_branch,
            secretary.as_ref().map(|p| p.id),
        ),
        (
            "lingdao",
            format!("{}领导", first_bureau.unit_name.clone().unwrap_or_default()),
            Role::Leader,
            &first_bureau,
            None,
        ),
        (
            "fenju",
            format!("{}党务管理员", first_bureau.unit_name.clone().unwrap_or_default()),
            Role::PartyAdmin,
            &first_bureau,
            None,
        ),
        (
            "dangyuan",
            member.as_ref().map_or("党员".into(), |p| p.name.clone()),
            Role::Member,
            &shuji_branch,
            member.as_ref().map(|p| p.id),
        ),
    ];
    let hash = password::hash(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!(e.message()))?;
    for (username, display, role, scope, person_id) in &accounts {
        let u = user::ActiveModel {
            username: Set((*username).to_owned()),
            display_name: Set(display.clone()),
            password_hash: Set(hash.clone()),
            must_change_password: Set(false),
            // Demo passwords are public; they count as the owners' so the accounts work.
            password_by_owner: Set(true),
            disabled: Set(false),
            person_id: Set(*person_id),
            created_at: Set(g.now),
            updated_at: Set(g.now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        grant::ActiveModel {
            user_id: Set(u.id),
            role: Set(role.as_str().to_owned()),
            org_id: Set(scope.id),
            created_at: Set(g.now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    // The demo secretary is the branch's 书记 on its committee.
    if let Some(p) = &secretary {
        crate::party::entity::committee::ActiveModel {
            org_id: Set(shuji_branch.id),
            person_id: Set(p.id),
            post: Set("书记".into()),
            since: Set(None),
            created_at: Set(g.now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    crate::orgs::units::list_from_names(&txn).await?;
    // The short names rosters use for police stations: 中山路所 = 中山路派出所.
    let aliases: Vec<crate::orgs::units::entity::alias::ActiveModel> = crate::orgs::units::entity::unit::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .filter_map(|u| {
            let short = u.name.strip_suffix("派出所").map(|s| format!("{s}所"))?;
            Some(crate::orgs::units::entity::alias::ActiveModel {
                unit_id: Set(u.id),
                alias: Set(short),
                ..Default::default()
            })
        })
        .collect();
    for chunk in aliases.chunks(500) {
        crate::orgs::units::entity::alias::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
    }
    let own: Vec<i32> = [&secretary, &member].into_iter().flatten().map(|p| p.id).collect();
    visits::seed(&txn, g.now, g.today, seed ^ 0x715, &own, (first_bureau.id, &first_bureau.path)).await?;
    visits::fallen(&txn, g.now, g.today, (first_bureau.id, &first_bureau.path), shuji_branch.id).await?;
    risk::seed(&txn, g.now, g.today, seed ^ 0x815C, shuji_branch.id, (first_bureau.id, &first_bureau.path)).await?;
    exits::seed(&txn, g.now, g.today, seed ^ 0xE417).await?;
    progress.step("家访、关爱事项、走访活动", String::new());
    let summary = Summary { orgs: summary_orgs, people: summary_people, accounts: accounts.len() };
    let event = Event::anonymous("cli", None, "demo.seed").summary(json!({
        "scale": format!("{scale:?}").to_lowercase(), "seed": seed,
        "orgs": summary.orgs, "people": summary.people, "accounts": summary.accounts,
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    progress.step("提交", String::new());
    crate::db::analyze_after_bulk(&state.db).await?;
    progress.step("统计信息（ANALYZE）", String::new());
    Ok(summary)
}

/// Says how far generation got and how long each stage took (large scales take minutes).
struct Progress {
    started: std::time::Instant,
    last: std::time::Instant,
}

impl Progress {
    fn new() -> Self {
        let now = std::time::Instant::now();
        Self { started: now, last: now }
    }

    fn step(&mut self, stage: &str, detail: String) {
        let now = std::time::Instant::now();
        tracing::info!(
            "演示数据：{stage}{}{detail} 用时 {:.1} s（累计 {:.1} s）",
            if detail.is_empty() { "" } else { "，" },
            (now - self.last).as_secs_f64(),
            (now - self.started).as_secs_f64()
        );
        self.last = now;
    }
}
