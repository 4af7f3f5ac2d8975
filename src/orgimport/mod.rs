//! Importing the organization tree from one spreadsheet (issue 10, item 3): 名称, 类型, 上级党组织,
//! 成立日期, 届期, 覆盖单位, 书记 create or update the tree with the roster import's
//! preview-then-commit flow, errors and warnings by row and column, all rows or none.
//!
//! It sits above the domains it fills: the tree and its units (`orgs`, through its service and
//! `units::service::cover_in`) and the committees' 书记 (`party::committees`). Rows name their
//! parent by name; a parent may come later in the sheet or exist already, so rows are resolved in
//! dependency order (`plan`), then written in that order in one transaction (`commit`).
//!
//! Together with the roster import this is how a bureau goes live from the spreadsheets it has
//! (docs/USER-GUIDE.md, "从现有表格上线"): tree → units → roster → 待补录.

pub mod commit;
pub mod module;
pub mod plan;
pub mod web;

use chrono::NaiveDate;
use serde::Serialize;

use crate::io::cells;
use crate::io::table::{CellError, Spec};
use crate::orgs::OrgKind;

/// Import columns: field, the template's header, other headers people use for it.
pub const COLUMNS: &[(&str, &str, &[&str])] = &[
    ("name", "名称", &["党组织名称", "组织名称", "党组织"]),
    ("kind", "类型", &["组织类型", "党组织类型", "组织类别"]),
    ("parent", "上级党组织", &["上级", "上级组织", "上级党委", "隶属党组织", "所属党组织"]),
    ("founded_on", "成立日期", &["成立时间"]),
    ("term", "届期", &["任期", "本届任期", "换届时间", "本届届期"]),
    ("units", "覆盖单位", &["单位", "所在单位", "涵盖单位", "包含单位"]),
    ("secretary", "书记", &["党组织书记", "支部书记", "书记姓名"]),
];

pub static SPEC: Spec = Spec {
    columns: COLUMNS,
    more: Spec::nothing_more,
    required: &["name", "parent"],
    required_hint: "表头须含“名称”和“上级党组织”",
    dates: &["founded_on"],
    compact: &["secretary"],
    check: None,
};

/// The column label of a field.
pub fn label(field: &str) -> &str {
    SPEC.label(field)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "一行的结果：`row` 为 Excel 中看到的行号；`action` 为新建、更新、无变化、拒绝；\
    `changes` 为更新会改变的项；`errors` 为被拒绝的原因；`warnings` 为照常导入的提示（列名和原因）")]
pub struct OrgRowReport {
    pub row: usize,
    pub name: String,
    pub kind: String,
    pub parent: String,
    #[schema(value_type = String, example = "新建")]
    pub action: &'static str,
    pub changes: Vec<String>,
    pub errors: Vec<CellError>,
    pub warnings: Vec<CellError>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "组织树导入报告：`header_row` 为表头所在行，`ignored_columns` 为没有用上的列，\
    `committed` 表示是否已写入；`new_units` 为将新建（或已新建）的单位数；`warned` 为带提示而照常导入的行数")]
pub struct OrgImportReport {
    pub header_row: usize,
    pub ignored_columns: Vec<String>,
    pub rows: Vec<OrgRowReport>,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
    pub warned: usize,
    pub new_units: usize,
    pub committed: bool,
}

/// The kind a cell names, in the spellings people use (党总支部, 联合党支部, 机关党委 …).
pub fn parse_kind(text: &str) -> Option<OrgKind> {
    let t: String = cells::half_width(text).chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(k) = OrgKind::parse(&t) {
        return Some(k);
    }
    let kind = match t.as_str() {
        "党的委员会" | "委员会" | "基层党委" | "机关党委" | "党委员会" => OrgKind::Committee,
        "党总支部" | "总支" | "总支部" | "党总支部委员会" => OrgKind::GeneralBranch,
        "支部" | "党支部委员会" | "独立党支部" => OrgKind::Branch,
        "联合党支部" | "联合支部委员会" => OrgKind::JointBranch,
        "小组" | "党小组组" => OrgKind::Group,
        _ => return None,
    };
    Some(kind)
}

/// A 届期 cell: a term in years ("3年", "5", "五年") and/or the current term's start (and end):
/// "2021.06-2024.06", "2021年6月至2026年6月", "2021-06-30~2024-06-29", or only its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TermCell {
    pub years: Option<i32>,
    pub elected_on: Option<NaiveDate>,
}

pub fn parse_term(text: &str) -> Result<TermCell, String> {
    let t = cells::half_width(text).trim().to_owned();
    if t.is_empty() {
        return Ok(TermCell::default());
    }
    let bad_years = || format!("届期“{t}”应为 3 年或 5 年（党委 5 年，党总支、党支部 3 年）");
    let years_text = t.trim_end_matches('年').trim();
    let years = match years_text {
        "三" => Some(3),
        "五" => Some(5),
        y if !y.is_empty() && y.len() <= 2 && y.chars().all(|c| c.is_ascii_digit()) => y.parse::<i32>().ok(),
        _ => None,
    };
    if let Some(y) = years {
        return if y == 3 || y == 5 { Ok(TermCell { years: Some(y), elected_on: None }) } else { Err(bad_years()) };
    }
    let unreadable = || format!("届期“{t}”无法识别：可写 3年、5年，或本届起止如 2021.06-2024.06、2021年6月至2024年6月");
    // One date alone: the current term's start ("2021-06" has one hyphen, yet is no range).
    if let Ok(Some(d)) = cells::date(&t) {
        return Ok(TermCell { years: None, elected_on: Some(d) });
    }
    let mut marked = t.clone();
    for sep in ["至", "到", "~", "～", "—", "–", "－"] {
        marked = marked.replace(sep, "|");
    }
    if !marked.contains('|') {
        // Hyphens also separate the parts of a date: the middle one of an odd count separates the
        // two dates ("2021-06-2024-06"), a single date has none or an even count.
        let hyphens: Vec<usize> = marked.match_indices('-').map(|(i, _)| i).collect();
        if hyphens.len() % 2 == 1 {
            let at = hyphens[hyphens.len() / 2];
            marked.replace_range(at..at + 1, "|");
        }
    }
    let parts: Vec<&str> = marked.split('|').map(str::trim).collect();
    let date = |s: &str| cells::date(s).ok().flatten().ok_or_else(unreadable);
    match parts.as_slice() {
        [one] => Ok(TermCell { years: None, elected_on: Some(date(one)?) }),
        [start, end] => {
            let (start, end) = (date(start)?, date(end)?);
            if end <= start {
                return Err(format!("届期“{t}”的结束早于开始"));
            }
            let days = (end - start).num_days() as f64;
            let years = (days / 365.25).round() as i32;
            if years == 3 || years == 5 {
                Ok(TermCell { years: Some(years), elected_on: Some(start) })
            } else {
                Err(bad_years())
            }
        }
        _ => Err(unreadable()),
    }
}

/// The names of a 覆盖单位 cell: separated by 、，,;； or line breaks, each compared as the unit list
/// does (half-width, no spaces), each once.
pub fn unit_names(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in text.split(['、', ',', '，', ';', '；', '\n']).map(crate::orgs::units::key) {
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The template: a note, the headers and one example row of each level.
pub fn template() -> crate::error::AppResult<Vec<u8>> {
    let headers: Vec<&str> = COLUMNS.iter().map(|(_, h, _)| *h).collect();
    crate::io::table::template(
        "党组织",
        "党组织导入模板（第 3–5 行为示例，导入前请删除）：名称、类型、上级党组织为必填（最高一级的上级留空）；上级可以写在本行之后；\
         类型为党委、党总支、党支部、联合支部、党小组；届期写 3年、5年 或本届起止如 2024.06-2027.06；覆盖单位用顿号分隔；书记填姓名",
        &headers,
        &[
            &["中共东港分局委员会", "党委", "中共海滨市公安局委员会", "2001-06-01", "2023.06-2028.06", "东港分局", ""],
            &[
                "东港分局中山路派出所党支部",
                "党支部",
                "中共东港分局委员会",
                "2005-03-01",
                "3年",
                "中山路派出所、中山路警务室",
                "王明",
            ],
            &["第一党小组", "党小组", "东港分局中山路派出所党支部", "", "", "", ""],
        ],
    )
}

/// A clean organization name, or the reason it is not one.
fn clean_name(text: &str) -> Result<String, String> {
    let name = crate::orgs::units::key(text);
    if name.is_empty() {
        return Err("请填写党组织名称".into());
    }
    if name.chars().count() > 100 {
        return Err("党组织名称不能超过 100 个字".into());
    }
    crate::text::check_line("党组织名称", &name)?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn terms_in_the_spellings_people_use() {
        assert_eq!(parse_term("3年"), Ok(TermCell { years: Some(3), elected_on: None }));
        assert_eq!(parse_term("５"), Ok(TermCell { years: Some(5), elected_on: None }));
        assert_eq!(parse_term("五年"), Ok(TermCell { years: Some(5), elected_on: None }));
        assert_eq!(parse_term("2021.06-2024.06"), Ok(TermCell { years: Some(3), elected_on: d(2021, 6, 1) }));
        assert_eq!(parse_term("2021年6月至2026年6月"), Ok(TermCell { years: Some(5), elected_on: d(2021, 6, 1) }));
        assert_eq!(parse_term("2021-06-30-2024-06-29"), Ok(TermCell { years: Some(3), elected_on: d(2021, 6, 30) }));
        assert_eq!(parse_term("2021-06"), Ok(TermCell { years: None, elected_on: d(2021, 6, 1) }));
        assert_eq!(parse_term(""), Ok(TermCell::default()));
        assert!(parse_term("4年").unwrap_err().contains("3 年或 5 年"));
        assert!(parse_term("2021.06-2025.06").unwrap_err().contains("3 年或 5 年"));
        assert!(parse_term("2024.06-2021.06").unwrap_err().contains("结束早于开始"));
        assert!(parse_term("明年").unwrap_err().contains("无法识别"));
    }

    #[test]
    fn kinds_and_unit_lists() {
        assert_eq!(parse_kind("党总支部"), Some(OrgKind::GeneralBranch));
        assert_eq!(parse_kind(" 联合党支部 "), Some(OrgKind::JointBranch));
        assert_eq!(parse_kind("党支部"), Some(OrgKind::Branch));
        assert_eq!(parse_kind("科室"), None);
        assert_eq!(unit_names("中山路所、 中山路 警务室，中山路所;"), ["中山路所", "中山路警务室"]);
        assert!(template().is_ok());
    }
}
