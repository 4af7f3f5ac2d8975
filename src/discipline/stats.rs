//! Statistics derived from the records (item 6): per unit and year, by kind, by 四种形态 and heavy
//! versus light; the Excel export of the same table; a 通报 draft (.docx) for 警示教育 with the
//! sanctioned people's names removed. Counts are for anyone with `DashboardRead` in scope
//! (leaders, secretaries, discipline, party_admin); names (the drill-down to the list) and the
//! bulletin, which carries the facts, only for `DisciplineWrite`.

use std::collections::BTreeMap;

use chrono::Datelike;
use docx_rs::{AlignmentType, Docx, Paragraph};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::sanction::{self, Column};
use super::rules::{Class, Form, Kind, Status};
use super::service::year_range;
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission, Scope};
use crate::db::scope::subtree;
use crate::error::{AppError, AppResult};
use crate::io::docx::{body, run};
use crate::state::AppState;

/// Which unit and year.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// The organization whose subtree is counted (default: the caller's scope).
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub org: Option<i32>,
    /// The year of the decisions (default: this year).
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[param(value_type = Option<i32>)]
    pub year: Option<i32>,
}

/// Counts of standing records (revoked and changed ones do not count; a replacement does).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub total: u64,
    /// 第一种 … 第四种形态.
    pub forms: [u64; 4],
    /// 督察 measures, outside the four forms.
    pub outside_forms: u64,
    pub heavy: u64,
    pub light: u64,
}

impl Counts {
    fn add(&mut self, kind: Kind) {
        self.total += 1;
        match kind.form() {
            Some(f) => self.forms[f as usize] += 1,
            None => self.outside_forms += 1,
        }
        match kind.class() {
            Class::Heavy => self.heavy += 1,
            Class::Light => self.light += 1,
            Class::NotSanction => {}
        }
    }

    /// Each form's share of the four forms, in percent with one decimal.
    pub fn shares(&self) -> [String; 4] {
        let n: u64 = self.forms.iter().sum();
        self.forms.map(|f| if n == 0 { "—".into() } else { format!("{:.1}%", f as f64 * 100.0 / n as f64) })
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitRow {
    pub org_id: i32,
    pub name: String,
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KindRow {
    pub kind: Kind,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "某单位某年度的执纪问责统计（由记录汇总）")]
pub struct Stats {
    pub org_id: i32,
    pub org_name: String,
    pub year: i32,
    pub total: Counts,
    /// The organization itself (本级) and each direct subordinate with its subtree.
    pub units: Vec<UnitRow>,
    pub kinds: Vec<KindRow>,
    /// Whether the caller may drill down to names.
    pub names: bool,
}

/// The organization counted: `org` if given and in the caller's `DashboardRead` scope (404 and
/// audited otherwise), else the top of the caller's scope. 403 (audited) without the permission.
async fn root(state: &AppState, actor: &Actor, org: Option<i32>) -> AppResult<crate::orgs::entity::Model> {
    if !actor.can(Permission::DashboardRead) {
        let event = Event::by(actor, "access.denied").object("sanction", "stats");
        audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
        actor.require(Permission::DashboardRead)?;
    }
    let id = match org {
        Some(id) => id,
        None => match actor.scope(Permission::DashboardRead) {
            Scope::Subtrees(roots) => actor
                .grants
                .iter()
                .find(|g| roots.first().is_some_and(|r| *r == g.org_path))
                .map(|g| g.org_id)
                .ok_or(AppError::NotFound)?,
            _ => return Err(AppError::NotFound),
        },
    };
    let o = crate::orgs::store::find(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let target = Target { kind: "org", id: i64::from(o.id), org_path: &o.path };
    guard::check(state, actor, Permission::DashboardRead, Sensitivity::Normal, target).await?;
    Ok(o)
}

/// The statistics of an organization's subtree for a year.
pub async fn stats(state: &AppState, actor: &Actor, q: &StatsQuery) -> AppResult<Stats> {
    let o = root(state, actor, q.org).await?;
    let year = q.year.unwrap_or_else(|| state.clock.today().year());
    let (from, to) = year_range(year);
    let rows: Vec<(String, Kind)> = sanction::Entity::find()
        .select_only()
        .column(Column::OrgPath)
        .column(Column::Kind)
        .filter(subtree(Column::OrgPath, &o.path))
        .filter(Column::DecidedOn.gte(from))
        .filter(Column::DecidedOn.lt(to))
        .filter(Column::Status.eq(Status::Standing))
        .into_tuple()
        .all(&state.db)
        .await?;
    let children = crate::orgs::store::children(&state.db, o.id).await?;
    let mut units: Vec<UnitRow> =
        std::iter::once(UnitRow { org_id: o.id, name: format!("{}（本级）", o.name), counts: Counts::default() })
            .chain(children.iter().filter(|c| c.dissolved_at.is_none()).map(|c| UnitRow {
                org_id: c.id,
                name: c.name.clone(),
                counts: Counts::default(),
            }))
            .collect();
    let paths: Vec<String> = std::iter::once(o.path.clone())
        .chain(children.iter().filter(|c| c.dissolved_at.is_none()).map(|c| c.path.clone()))
        .collect();
    let mut total = Counts::default();
    let mut kinds: BTreeMap<&'static str, (Kind, u64)> = BTreeMap::new();
    for (path, kind) in &rows {
        total.add(*kind);
        kinds.entry(kind.as_str()).or_insert((*kind, 0)).1 += 1;
        // The deepest matching unit: a child's subtree, else the organization itself.
        let unit = paths.iter().enumerate().skip(1).find(|(_, p)| path.starts_with(p.as_str())).map_or(0, |(i, _)| i);
        units[unit].counts.add(*kind);
    }
    let mut kinds: Vec<KindRow> =
        kinds.into_values().map(|(kind, count)| KindRow { kind, label: kind.label().to_owned(), count }).collect();
    kinds.sort_by_key(|k| Kind::ALL.iter().position(|x| *x == k.kind));
    units.retain(|u| u.org_id == o.id || u.counts.total > 0 || children.len() <= 60);
    let names = actor.scope(Permission::DisciplineWrite).contains(&o.path);
    Ok(Stats { org_id: o.id, org_name: o.name, year, total, units, kinds, names })
}

/// The statistics as a spreadsheet (audited: `sanction.export`).
pub async fn export(state: &AppState, actor: &Actor, q: &StatsQuery) -> AppResult<(String, Vec<u8>)> {
    let s = stats(state, actor, q).await?;
    let headers =
        ["单位", "合计", "第一种形态", "第二种形态", "第三种形态", "第四种形态", "督察措施", "重处分", "轻处分"];
    let row = |name: &str, c: &Counts| -> Vec<String> {
        let mut r = vec![name.to_owned(), c.total.to_string()];
        r.extend(c.forms.iter().map(u64::to_string));
        r.extend([c.outside_forms.to_string(), c.heavy.to_string(), c.light.to_string()]);
        r
    };
    let mut rows: Vec<Vec<String>> = s.units.iter().map(|u| row(&u.name, &u.counts)).collect();
    rows.push(row("合计", &s.total));
    rows.push(vec![String::new()]);
    rows.push(vec!["种类".into(), "件数".into()]);
    rows.extend(s.kinds.iter().map(|k| vec![k.label.clone(), k.count.to_string()]));
    let title = format!("{} {} 年执纪问责统计", s.org_name, s.year);
    let bytes = crate::io::xlsx::table("执纪问责统计", &title, &headers, &rows)?;
    let event = Event::by(actor, "sanction.export")
        .object("org", s.org_id)
        .summary(json!({"year": s.year, "total": s.total.total}));
    audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    Ok((format!("{title}.xlsx"), bytes))
}

/// Most cases one bulletin lists.
const MAX_CASES: u64 = 100;

/// "张三" → "张某": the family name kept, the rest removed.
pub fn anonymize(name: &str) -> String {
    let family: String = name.chars().take(1).collect();
    format!("{family}某")
}

/// The facts with the person's name (and its given part) replaced.
pub fn scrub(facts: &str, name: &str) -> String {
    let mut out = facts.replace(name, &anonymize(name));
    let given: String = name.chars().skip(1).collect();
    if given.chars().count() >= 2 {
        out = out.replace(&given, "某");
    }
    out
}

/// A 通报 draft of the year's sanctions (second to fourth form) in the subtree, for 警示教育:
/// each case by unit, kind of person, anonymized name, facts (the name scrubbed), who decided
/// what. Only for `DisciplineWrite` in scope; audited (`sanction.bulletin`).
pub async fn bulletin(state: &AppState, actor: &Actor, q: &StatsQuery) -> AppResult<(String, Vec<u8>)> {
    let o = root(state, actor, q.org).await?;
    actor.require(Permission::DisciplineWrite)?;
    let target = Target { kind: "org", id: i64::from(o.id), org_path: &o.path };
    guard::check(state, actor, Permission::DisciplineWrite, Sensitivity::Normal, target).await?;
    let year = q.year.unwrap_or_else(|| state.clock.today().year());
    let (from, to) = year_range(year);
    let kinds: Vec<&str> =
        Kind::ALL.iter().filter(|k| k.form().is_some_and(|f| f >= Form::Second)).map(|k| k.as_str()).collect();
    let rows = sanction::Entity::find()
        .filter(subtree(Column::OrgPath, &o.path))
        .filter(Column::DecidedOn.gte(from))
        .filter(Column::DecidedOn.lt(to))
        .filter(Column::Status.eq(Status::Standing))
        .filter(Column::Kind.is_in(kinds))
        .order_by_asc(Column::DecidedOn)
        .order_by_asc(Column::Id)
        .limit(MAX_CASES)
        .all(&state.db)
        .await?;
    let mut org_ids: Vec<i32> = rows.iter().map(|s| s.org_id).collect();
    org_ids.sort_unstable();
    org_ids.dedup();
    let org_names = crate::orgs::store::names(&state.db, &org_ids).await?;
    let mut doc = Docx::new()
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(run(&format!("关于{year}年度违纪违规典型问题的通报"), 40).bold()),
        )
        .add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run("（警示教育用，草稿）", 28)))
        .add_paragraph(body(&format!(
            "为深入开展警示教育，做到以案为鉴、以案促改，现将{}{year}年度查处的部分违纪违规问题通报如下：",
            o.name
        )));
    for (i, s) in rows.iter().enumerate() {
        let p = crate::people::store::find(&state.db, s.person_id).await?;
        let (name, kind) = p.map(|p| (p.name, p.kind)).unwrap_or_default();
        let unit = org_names.get(&s.org_id).cloned().unwrap_or_default();
        let unit = unit.trim_end_matches("党支部").trim_end_matches("党总支");
        let facts = scrub(&s.facts, &name).trim_end_matches('。').to_owned();
        let what = match s.kind.category() {
            super::rules::Category::Party | super::rules::Category::Government => format!("{}处分", s.kind.short()),
            _ => s.kind.short().to_owned(),
        };
        doc = doc.add_paragraph(body(&format!(
            "{}、{}{}{}{}。{}给予其{}。",
            i + 1,
            unit,
            kind,
            anonymize(&name),
            if facts.is_empty() { String::new() } else { format!("，{facts}") },
            s.decided_by,
            what
        )));
    }
    if rows.is_empty() {
        doc = doc.add_paragraph(body("本年度暂无第二种形态以上的处分记录。"));
    }
    doc = doc
        .add_paragraph(body("各单位要以案为鉴、举一反三，切实做到以案促改。"))
        .add_paragraph(body("（注：本稿由系统根据记录生成，已隐去当事人姓名；事实中涉及的其他人员姓名、案件细节须由起草人逐条核对删改后方可印发。）"));
    let bytes = crate::io::docx::pack(doc)?;
    let event = Event::by(actor, "sanction.bulletin")
        .object("org", o.id)
        .org(o.path.clone())
        .summary(json!({"year": year, "cases": rows.len()}));
    audit::record_alone(&state.db, state.clock.as_ref(), event).await?;
    Ok((format!("{}{year}年度通报（草稿）.docx", o.name), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_removed_from_the_facts() {
        assert_eq!(anonymize("张伟"), "张某");
        assert_eq!(scrub("张伟在工作时间饮酒，张伟所在单位……", "张伟"), "张某在工作时间饮酒，张某所在单位……");
        assert_eq!(scrub("民警王小明违规，小明承认", "王小明"), "民警王某违规，某承认");
    }
}
