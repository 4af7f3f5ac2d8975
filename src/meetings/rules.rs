//! The pure rules of 组织生活, without a database: periods and their units, quorum, the
//! one-third cap on 优秀. Sources in domain.md §4.1–4.2:
//! - 党员大会: "有表决权的到会人数超过应到会有表决权党员人数的半数" — strictly more than half of the
//!   members with a vote; 预备党员 have no vote; under 留党察看 no vote.
//! - 支委会: "有半数以上成员出席" — half or more (以上 includes the number itself).
//! - 民主评议: grades 优秀、合格、基本合格、不合格; 优秀一般不超过党员总数的1/3.

use std::collections::HashSet;

use chrono::{Datelike, Months, NaiveDate};

use super::{FULL, present};

/// A length of time the rules count in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Span {
    Month,
    Quarter,
    Year,
}

impl Span {
    pub fn parse(s: &str) -> Option<Span> {
        match s {
            "month" => Some(Span::Month),
            "quarter" => Some(Span::Quarter),
            "year" => Some(Span::Year),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Span::Month => "month",
            Span::Quarter => "quarter",
            Span::Year => "year",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Span::Month => "每月",
            Span::Quarter => "每季度",
            Span::Year => "每年",
        }
    }

    fn months(self) -> u32 {
        match self {
            Span::Month => 1,
            Span::Quarter => 3,
            Span::Year => 12,
        }
    }

    /// The unit of this span that contains `d`.
    pub fn unit_of(self, d: NaiveDate) -> Period {
        let m0 = (d.month0() / self.months()) * self.months();
        let start = NaiveDate::from_ymd_opt(d.year(), m0 + 1, 1).unwrap_or(d);
        Period { span: self, start }
    }
}

/// A month, quarter or year: `2026-11`, `2026-Q4`, `2026`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub span: Span,
    /// Its first day.
    pub start: NaiveDate,
}

impl Period {
    pub fn parse(text: &str) -> Option<Period> {
        let t = text.trim();
        if let Some((y, q)) = t.split_once("-Q").or_else(|| t.split_once("-q")) {
            let (y, q): (i32, u32) = (y.parse().ok()?, q.parse().ok()?);
            if !(1..=4).contains(&q) {
                return None;
            }
            return Some(Period { span: Span::Quarter, start: NaiveDate::from_ymd_opt(y, (q - 1) * 3 + 1, 1)? });
        }
        if let Some((y, m)) = t.split_once('-') {
            let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
            return Some(Period { span: Span::Month, start: NaiveDate::from_ymd_opt(y, m, 1)? });
        }
        let y: i32 = t.parse().ok()?;
        if !(1900..=2999).contains(&y) {
            return None;
        }
        Some(Period { span: Span::Year, start: NaiveDate::from_ymd_opt(y, 1, 1)? })
    }

    /// The period's text as `parse` takes it.
    pub fn code(&self) -> String {
        match self.span {
            Span::Month => self.start.format("%Y-%m").to_string(),
            Span::Quarter => format!("{}-Q{}", self.start.year(), self.start.month0() / 3 + 1),
            Span::Year => self.start.year().to_string(),
        }
    }

    pub fn label(&self) -> String {
        match self.span {
            Span::Month => format!("{}年{}月", self.start.year(), self.start.month()),
            Span::Quarter => format!("{}年第{}季度", self.start.year(), self.start.month0() / 3 + 1),
            Span::Year => format!("{}年", self.start.year()),
        }
    }

    /// The first day after it.
    pub fn end(&self) -> NaiveDate {
        self.start.checked_add_months(Months::new(self.span.months())).unwrap_or(self.start)
    }

    /// Its last day.
    pub fn last_day(&self) -> NaiveDate {
        self.end().pred_opt().unwrap_or(self.start)
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        d >= self.start && d < self.end()
    }

    /// `yyyymm` of its first and last months.
    pub fn months(&self) -> (i32, i32) {
        (month_key(self.start), month_key(self.last_day()))
    }

    /// The units of `rule` that overlap this period: for a monthly rule in a quarter, its three
    /// months; for a yearly rule in a month, the year around it.
    pub fn units(&self, rule: Span) -> Vec<Period> {
        let mut out = Vec::new();
        let mut unit = rule.unit_of(self.start);
        while unit.start < self.end() {
            out.push(unit);
            unit = Period { span: rule, start: unit.end() };
        }
        out
    }

    /// The period before.
    pub fn previous(&self) -> Period {
        Period {
            span: self.span,
            start: self.start.checked_sub_months(Months::new(self.span.months())).unwrap_or(self.start),
        }
    }

    pub fn next(&self) -> Period {
        Period { span: self.span, start: self.end() }
    }
}

/// `yyyymm`, the month key stored with each record.
pub fn month_key(d: NaiveDate) -> i32 {
    d.year() * 100 + d.month() as i32
}

/// Who is expected at a meeting and how they attended, as the quorum needs it.
#[derive(Debug, Clone)]
pub struct Seat<'a> {
    pub person_id: Option<i32>,
    pub member_kind: &'a str,
    pub status: &'a str,
}

/// A meeting's quorum: how many were expected with a vote (or as members of the committee),
/// how many of them were there, and whether that is enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(description = "法定人数：`expected` 应到有表决权人数（支委会为委员人数），`present` 实到，`met` 是否达到")]
pub struct Quorum {
    pub expected: usize,
    pub present: usize,
    pub met: bool,
}

/// The quorum of a meeting under `rule` (`voting_half`, `committee_half`; `None` for others).
/// `no_vote`: members under 留党察看 on the day.
pub fn quorum(rule: &str, seats: &[Seat<'_>], no_vote: &HashSet<i32>) -> Option<Quorum> {
    match rule {
        "voting_half" => {
            let voting: Vec<&Seat<'_>> = seats
                .iter()
                .filter(|s| s.member_kind == FULL && s.person_id.is_some_and(|id| !no_vote.contains(&id)))
                .collect();
            let present = voting.iter().filter(|s| present(s.status)).count();
            Some(Quorum { expected: voting.len(), present, met: !voting.is_empty() && present * 2 > voting.len() })
        }
        "committee_half" => {
            let members: Vec<&Seat<'_>> = seats.iter().filter(|s| s.person_id.is_some()).collect();
            let present = members.iter().filter(|s| present(s.status)).count();
            Some(Quorum { expected: members.len(), present, met: !members.is_empty() && present * 2 >= members.len() })
        }
        _ => None,
    }
}

/// Whether `person` may vote at a meeting on the day: a full member not under 留党察看.
pub fn votes(member_kind: &str, person: Option<i32>, no_vote: &HashSet<i32>) -> bool {
    member_kind == FULL && person.is_some_and(|id| !no_vote.contains(&id))
}

/// Checks 民主评议 grades: `(person_id, name, grade)` of the members assessed. At most one third
/// of them 优秀 (rounded down); nobody under a sanction's influence period 优秀. Each problem is
/// a sentence naming who or how many.
pub fn check_grades(grades: &[(i32, String, String)], not_excellent: &HashSet<i32>) -> Vec<String> {
    let mut problems = Vec::new();
    let assessed = grades.len();
    let excellent = grades.iter().filter(|(_, _, g)| g == "优秀").count();
    if excellent * 3 > assessed {
        problems.push(format!(
            "评为优秀的有 {excellent} 人，超过参加评议党员 {assessed} 人的三分之一（至多 {} 人）：\
             优秀一般不超过党员总数的 1/3",
            assessed / 3
        ));
    }
    for (id, name, g) in grades {
        if g == "优秀" && not_excellent.contains(id) {
            problems.push(format!("{name}正处于处分影响期内，不能评为优秀"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_parse_and_split_into_rule_units() {
        let q = Period::parse("2026-Q4").unwrap();
        assert_eq!((q.start, q.end(), q.code()), (d(2026, 10, 1), d(2027, 1, 1), "2026-Q4".to_owned()));
        assert_eq!(q.label(), "2026年第4季度");
        let months: Vec<String> = q.units(Span::Month).iter().map(Period::code).collect();
        assert_eq!(months, ["2026-10", "2026-11", "2026-12"]);
        assert_eq!(q.units(Span::Quarter), vec![q]);
        assert_eq!(q.units(Span::Year).iter().map(Period::code).collect::<Vec<_>>(), ["2026"]);
        let m = Period::parse("2026-02").unwrap();
        assert_eq!(m.last_day(), d(2026, 2, 28));
        assert_eq!(m.units(Span::Quarter)[0].code(), "2026-Q1");
        assert_eq!(Period::parse("2026").unwrap().units(Span::Quarter).len(), 4);
        assert_eq!(Period::parse("2026").unwrap().months(), (202601, 202612));
        assert!(Period::parse("2026-Q5").is_none() && Period::parse("2026-13").is_none());
        assert!(Period::parse("abc").is_none());
        assert_eq!(q.previous().code(), "2026-Q3");
        assert_eq!(Period::parse("2026-12").unwrap().next().code(), "2027-01");
    }

    fn seat(id: i32, kind: &'static str, status: &'static str) -> Seat<'static> {
        Seat { person_id: Some(id), member_kind: kind, status }
    }

    #[test]
    fn a_general_meeting_needs_more_than_half_of_the_members_with_a_vote() {
        let none = HashSet::new();
        // Four full members, two present: half is not more than half.
        let mut seats = vec![
            seat(1, FULL, "出席"),
            seat(2, FULL, "远程"),
            seat(3, FULL, "请假"),
            seat(4, FULL, "缺席"),
            // Probationary members have no vote, present or not.
            seat(5, "预备党员", "出席"),
            seat(6, "预备党员", "出席"),
            Seat { person_id: None, member_kind: "非党员", status: "出席" },
        ];
        assert_eq!(quorum("voting_half", &seats, &none), Some(Quorum { expected: 4, present: 2, met: false }));
        seats[2].status = "出席";
        assert_eq!(quorum("voting_half", &seats, &none), Some(Quorum { expected: 4, present: 3, met: true }));
        // A member under 留党察看 has no vote: he is neither expected nor counted.
        let barred: HashSet<i32> = [4].into();
        assert_eq!(quorum("voting_half", &seats, &barred), Some(Quorum { expected: 3, present: 3, met: true }));
        let barred: HashSet<i32> = [1, 2].into();
        assert_eq!(quorum("voting_half", &seats, &barred), Some(Quorum { expected: 2, present: 1, met: false }));
        assert!(!votes(FULL, Some(1), &barred) && votes(FULL, Some(3), &barred) && !votes("预备党员", Some(5), &none));
    }

    #[test]
    fn a_committee_meeting_needs_half_or_more_and_other_kinds_have_no_quorum() {
        let none = HashSet::new();
        let seats = vec![seat(1, FULL, "出席"), seat(2, FULL, "缺席"), seat(3, FULL, "出席"), seat(4, FULL, "请假")];
        assert_eq!(quorum("committee_half", &seats, &none), Some(Quorum { expected: 4, present: 2, met: true }));
        assert_eq!(quorum("committee_half", &seats[1..], &none), Some(Quorum { expected: 3, present: 1, met: false }));
        assert_eq!(quorum("none", &seats, &none), None);
    }

    #[test]
    fn no_more_than_a_third_excellent_and_none_under_a_sanction() {
        let g = |n: usize, excellent: usize| -> Vec<(i32, String, String)> {
            (0..n)
                .map(|i| (i as i32, format!("党员{i}"), if i < excellent { "优秀" } else { "合格" }.to_owned()))
                .collect()
        };
        let none = HashSet::new();
        assert!(check_grades(&g(9, 3), &none).is_empty());
        let problems = check_grades(&g(9, 4), &none);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("4 人") && problems[0].contains("至多 3 人"), "{problems:?}");
        // Ten members: 3 is a third rounded down; 4 is too many.
        assert!(check_grades(&g(10, 3), &none).is_empty());
        assert_eq!(check_grades(&g(10, 4), &none).len(), 1);
        let sanctioned: HashSet<i32> = [1].into();
        let problems = check_grades(&g(9, 2), &sanctioned);
        assert_eq!(problems, ["党员1正处于处分影响期内，不能评为优秀"]);
        // Under a sanction and 合格 is fine.
        assert!(check_grades(&g(9, 1), &sanctioned).is_empty());
    }
}
