//! 家访与人文关怀: 全员访 (every person once per cycle), 必访 (raised by one of the 十必访
//! situations, by hand or by another domain's event), 重要节点联合访 (campaigns) and 线上访; each
//! visit records the 五知 as a new version of the person's picture, follow-up actions and care
//! items. The notes are family-and-care sensitive data: masked until revealed, every read audited,
//! never shown to the person visited. Nothing requires check-ins, photos or screenshots.
//!
//! Depends on `people` (the roster), `family` (家庭成员, read and added through its functions) and
//! `orgs`; other domains report situations through [`crate::module::report_situation`], which
//! [`store::raise_must_visit`] answers, so none of them imports this one.

pub mod api;
pub mod campaigns;
pub mod care;
pub mod coverage;
pub mod entity;
pub mod followups;
pub mod module;
pub mod profile;
pub mod record;
pub mod service;
pub mod settings;
pub mod store;
pub mod tasks;
pub mod web;
pub mod web_more;
pub mod web_settings;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::db::org_paths::PathColumn;

pub const ORG_PATH_COLUMNS: &[PathColumn] = &[
    PathColumn::new("visits", "org_path").with_org_id("org_id"),
    PathColumn::new("visit_tasks", "org_path").with_org_id("org_id"),
    PathColumn::new("care_items", "org_path").with_org_id("org_id"),
    PathColumn::new("visit_followups", "org_path"),
    PathColumn::new("visit_campaigns", "org_path").with_org_id("org_id"),
];

/// The kinds of visit of the speech: 全员访, 必访, 重要节点联合访, 线上访.
pub const KINDS: &[&str] = &["全员访", "必访", "联合访", "线上访"];
/// How the visit took place.
pub const MODES: &[&str] = &["入户", "电话", "视频", "线上"];
/// Care (人文关怀) items.
pub const CARE_KINDS: &[&str] = &["困难帮扶", "慰问", "心理疏导", "待遇落实", "就医就学协调"];
pub const CARE_OPEN: &str = "进行中";
pub const CARE_CLOSED: &str = "已办结";

/// The longest 五知 or note text.
pub const MAX_NOTE: usize = 2000;

/// The five things to know (五知), as typed: `None` keeps the previous version's text (the API
/// may omit a field), an empty text clears it.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(description = "五知：家庭构成（补充说明；登记的家庭成员另行列出）、朋友圈子、性格特点、兴趣爱好、最近变化。\
    不给出的项沿用上一版本，给出空文字则清空；每项不超过 2000 字")]
pub struct FiveKnowns {
    pub family_notes: Option<String>,
    pub friends: Option<String>,
    pub personality: Option<String>,
    pub hobbies: Option<String>,
    pub recent_changes: Option<String>,
}

impl FiveKnowns {
    /// (field, label, value) of each item.
    pub fn items(&self) -> [(&'static str, &'static str, &Option<String>); 5] {
        [
            ("family_notes", "家庭构成", &self.family_notes),
            ("friends", "朋友圈子", &self.friends),
            ("personality", "性格特点", &self.personality),
            ("hobbies", "兴趣爱好", &self.hobbies),
            ("recent_changes", "最近变化", &self.recent_changes),
        ]
    }

    /// This version over the previous one: items not given keep the previous text; blank clears.
    pub fn over(&self, previous: &FiveKnowns) -> FiveKnowns {
        let pick = |mine: &Option<String>, before: &Option<String>| match mine {
            None => before.clone(),
            Some(t) if t.trim().is_empty() => None,
            Some(t) => Some(t.trim().to_owned()),
        };
        FiveKnowns {
            family_notes: pick(&self.family_notes, &previous.family_notes),
            friends: pick(&self.friends, &previous.friends),
            personality: pick(&self.personality, &previous.personality),
            hobbies: pick(&self.hobbies, &previous.hobbies),
            recent_changes: pick(&self.recent_changes, &previous.recent_changes),
        }
    }
}

/// A follow-up action as typed.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(description = "后续措施：内容、负责人（人员编号，须在范围内）、完成期限（YYYY-MM-DD，可空）")]
pub struct FollowUpInput {
    pub action: String,
    pub owner_id: Option<i32>,
    pub due_on: Option<String>,
}

/// A care item as typed (with a visit, or on its own).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(description = "关怀事项：类别（困难帮扶、慰问、心理疏导、待遇落实、就医就学协调）、内容、负责人（人员编号）")]
pub struct CareInput {
    pub kind: String,
    pub description: String,
    pub owner_id: Option<i32>,
}

/// A new family member met at the visit, added to the person's 家庭成员.
pub type NewFamilyMember = crate::family::FamilyInput;

/// A visit as typed.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(description = "一次家访。走访日期不能晚于今天；至少一名走访人；必访须对应至少一项未完成的必访任务；\
    后续措施须有负责人。照片、截图、打卡都不需要")]
pub struct VisitInput {
    #[schema(example = "全员访")]
    pub kind: String,
    #[schema(example = "入户")]
    pub mode: String,
    #[schema(example = "2026-11-20")]
    pub visited_on: String,
    /// Visitors: person ids from the roster.
    pub visitor_ids: Vec<i32>,
    /// Registered family members met.
    pub family_met_ids: Vec<i32>,
    /// Family members met who were not registered yet: added to 家庭成员.
    pub new_family: Vec<NewFamilyMember>,
    pub five_knowns: FiveKnowns,
    pub problems: String,
    pub help_asked: String,
    pub follow_ups: Vec<FollowUpInput>,
    pub care: Vec<CareInput>,
    /// The must-visit tasks this visit answers (closed by it).
    pub task_ids: Vec<i32>,
    pub campaign_id: Option<i32>,
}

/// What the request schemas accept, for the OpenAPI document.
pub mod schema {
    use utoipa::openapi::{RefOr, Schema};

    use crate::openapi::schema::{line, matching, multiline, one_of};

    pub fn name() -> RefOr<Schema> {
        line(100, true)
    }
    pub fn label() -> RefOr<Schema> {
        line(50, true)
    }
    pub fn code() -> RefOr<Schema> {
        line(30, true)
    }
    pub fn note() -> RefOr<Schema> {
        line(200, false)
    }
    pub fn closure() -> RefOr<Schema> {
        multiline(500, true)
    }
    pub fn date() -> RefOr<Schema> {
        crate::openapi::schema::date()
    }
    pub fn date_or_empty() -> RefOr<Schema> {
        matching("^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")
    }
    pub fn occasion() -> RefOr<Schema> {
        one_of(super::campaigns::OCCASIONS, false)
    }
    pub fn rule() -> RefOr<Schema> {
        let codes: Vec<&str> = super::campaigns::RULES.iter().map(|(c, _)| *c).collect();
        one_of(&codes, false)
    }
}

/// Parses a `YYYY-MM-DD` date, naming the field in the message.
pub fn parse_date(text: &str, label: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{label}“{}”应为 YYYY-MM-DD 格式的日期", text.trim()))
}

/// A note's problem, if any: forbidden characters or too long.
pub fn check_note(label: &str, text: &str) -> Option<String> {
    if let Err(reason) = crate::text::check_multiline(label, text) {
        return Some(reason);
    }
    (text.chars().count() > MAX_NOTE).then(|| format!("{label}不能超过 {MAX_NOTE} 个字"))
}

/// The 全员访 cycle containing a day: (name, first day, last day). Cycles split the calendar year
/// into `months`-month parts: `2026` for a year, `2026-2` for the second half or third of it.
pub fn cycle_of(day: NaiveDate, months: u32) -> (String, NaiveDate, NaiveDate) {
    let months = normalized_months(months);
    let n = (day.month0() / months) + 1;
    bounds(day.year(), n, months).unwrap_or((day.year().to_string(), day, day))
}

fn normalized_months(months: u32) -> u32 {
    if [12, 6, 4, 3].contains(&months) { months } else { 12 }
}

fn bounds(year: i32, n: u32, months: u32) -> Option<(String, NaiveDate, NaiveDate)> {
    let first = NaiveDate::from_ymd_opt(year, (n - 1) * months + 1, 1)?;
    let last = first.checked_add_months(chrono::Months::new(months))?.pred_opt()?;
    let name = if months == 12 { year.to_string() } else { format!("{year}-{n}") };
    Some((name, first, last))
}

/// A cycle by name (`2026`, `2026-2`), for the configured cycle length.
pub fn parse_cycle(name: &str, months: u32) -> Option<(String, NaiveDate, NaiveDate)> {
    let months = normalized_months(months);
    let (year, n) = match name.trim().split_once('-') {
        None => (name.trim().parse::<i32>().ok()?, 1),
        Some((y, n)) => (y.parse::<i32>().ok()?, n.parse::<u32>().ok()?),
    };
    if !(2000..=2100).contains(&year) || n == 0 || n > 12 / months || (months == 12 && name.contains('-')) {
        return None;
    }
    bounds(year, n, months)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn cycles_split_the_year_and_parse_back() {
        assert_eq!(cycle_of(d("2026-11-27"), 12), ("2026".into(), d("2026-01-01"), d("2026-12-31")));
        assert_eq!(cycle_of(d("2026-11-27"), 6), ("2026-2".into(), d("2026-07-01"), d("2026-12-31")));
        assert_eq!(cycle_of(d("2026-02-28"), 3), ("2026-1".into(), d("2026-01-01"), d("2026-03-31")));
        assert_eq!(cycle_of(d("2026-05-01"), 5).0, "2026", "an unknown length counts as a year");
        assert_eq!(parse_cycle("2025", 12), Some(("2025".into(), d("2025-01-01"), d("2025-12-31"))));
        assert_eq!(parse_cycle("2026-3", 4).map(|c| c.1), Some(d("2026-09-01")));
        assert_eq!(parse_cycle("2026-3", 6), None, "a year has two halves");
        assert_eq!(parse_cycle("2026-1", 12), None);
        assert_eq!(parse_cycle("明年", 12), None);
    }

    #[test]
    fn a_version_keeps_what_it_does_not_say_and_clears_what_it_blanks() {
        let before =
            FiveKnowns {
                friends: Some("警校同学".into()), hobbies: Some("羽毛球".into()), ..Default::default()
            };
        let now =
            FiveKnowns {
                hobbies: Some(" ".into()), recent_changes: Some(" 孩子上小学 ".into()), ..Default::default()
            };
        let v = now.over(&before);
        assert_eq!(v.friends.as_deref(), Some("警校同学"));
        assert_eq!(v.hobbies, None);
        assert_eq!(v.recent_changes.as_deref(), Some("孩子上小学"));
    }
}
