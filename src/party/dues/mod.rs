//! 党费, as 中组部《关于中国共产党党费收缴、使用和管理的规定》(2008) has it. The category
//! follows the membership: serving members (在职) pay a rate of their after-tax monthly base by
//! its tier (the rate applies to the whole base: 5400 元 → 81 元), retired members (离退休) by their
//! own two tiers, and the others (其他: 农民党员, students, the unemployed, those on 低保) a fixed
//! monthly amount of 0.2–1 元 set with the base record. A member in hardship may pay less (少交)
//! or nothing (免交) for a period approved by the committee above the branch. A payment may
//! differ from the amount due (自愿多交, an adjustment) with a note; one that pays 1000 元 or more
//! beyond it goes wholly to the Central Committee. A branch ledger shows who paid each month; six
//! unpaid months in a row become a reminder for the secretary, never a change of status.
//!
//! By use case: `base` (a member's base from a month on), `reliefs` (reductions and exemptions),
//! `ledger` (a branch's month, and its export), `payments` (record and cancel), `reminders` (six
//! unpaid months); the rates, the amounts and what is due in a month are here.

pub mod base;
pub mod ledger;
pub mod payments;
pub mod reliefs;
pub mod reminders;

use std::collections::HashMap;

use crate::db::stored_text;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

pub use base::{BaseInput, current, set_base};
pub use ledger::{Ledger, LedgerRow, audit_export, ledger, ledger_of};
pub use payments::{MAX_PAYMENT_IDS, PaymentLine, PaymentView, Recorded, cancel_payment, payment, record_payments};
pub use reliefs::{ReliefInput, add_relief, cancel_relief, reliefs_of};
pub use reminders::unpaid_six_months;

pub mod entity {
    pub mod base {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "dues_bases")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub person_id: i32,
            pub effective_month: Date,
            pub base_fen: i64,
            pub category: crate::party::dues::DuesCategory,
            /// The fixed monthly amount of the category `other`; empty for the others.
            pub fixed_fen: Option<i64>,
            pub note: String,
            pub recorded_by: String,
            pub recorded_at: DateTime,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod payment {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "dues_payments")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub person_id: i32,
            pub month: Date,
            pub amount_fen: i64,
            /// What was due that month when the payment was recorded.
            pub due_fen: i64,
            /// Why the amount differs from what was due (empty when it does not).
            pub note: String,
            pub paid_on: Date,
            pub recorded_by: String,
            pub recorded_at: DateTime,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod relief {
        use sea_orm::entity::prelude::*;

        /// A reduction (少交) or exemption (免交) for the months `from_month` to `to_month`.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "dues_reliefs")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub person_id: i32,
            pub kind: crate::party::dues::ReliefKind,
            pub from_month: Date,
            pub to_month: Date,
            pub approved_by: String,
            pub reduced_fen: Option<i64>,
            pub note: String,
            pub recorded_by: String,
            pub recorded_at: DateTime,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entity::base as base_entity;
use entity::relief as relief_entity;

stored_text! {
    /// 党费类别 (`dues_bases.category`): the code is stored and sent, the label shown. It follows
    /// the membership: a 离退休党员 pays as retired.
    #[schema(description = "党费类别：normal 在职（按税后工资的档次和比例）、retired 离退休（按离退休费，5000 元及以下 0.5%、以上 1%）、\
        other 其他（农民党员、学生、下岗失业、低保等，每月固定数额 0.2–1 元）")]
    DuesCategory {
        Normal = "normal" => "在职",
        Retired = "retired" => "离退休",
        /// A fixed monthly amount set with the base record rather than a rate.
        Other = "other" => "其他",
    }
}

stored_text! {
    /// A hardship relief (`dues_reliefs.kind`): 困难党员经支部研究、报上一级党委批准，可以少交或免交.
    #[schema(description = "少交或免交：reduce 少交（每月交纳批准的数额）、exempt 免交")]
    ReliefKind {
        Reduce = "reduce" => "少交",
        Exempt = "exempt" => "免交",
    }
}

impl DuesCategory {
    /// The category that follows a membership's: retired for 离退休党员, else serving.
    pub fn of_member(category: crate::party::MemberCategory) -> DuesCategory {
        if category == crate::party::MemberCategory::Retired { DuesCategory::Retired } else { DuesCategory::Normal }
    }

    /// A category as a form or request gives it: the code or the label.
    pub fn from_input(text: &str) -> Option<DuesCategory> {
        let t = text.trim();
        DuesCategory::parse(t).or_else(|| DuesCategory::ALL.iter().copied().find(|c| c.label() == t))
    }
}

/// Most a base or a payment may be, in fen (1,000,000 元): beyond any wage, a typing error.
pub const MAX_AMOUNT_FEN: i64 = 100_000_000;

/// The fixed monthly amount of the category `other`: 农民党员 0.2–1 元, students, the unemployed,
/// those living on relief or 低保 0.2 元 (第四条、第五条).
pub const OTHER_MIN_FEN: i64 = 20;
pub const OTHER_MAX_FEN: i64 = 100;

/// One payment that goes this far beyond the amount due goes wholly to the Central Committee
/// (一次多交纳党费 1000 元以上的，全部上缴中央).
pub const TO_CENTRE_FEN: i64 = 100_000;

/// The rule shown beside such a payment.
pub const TO_CENTRE_RULE: &str = "一次多交 1000 元以上的党费全部上缴中央";

/// The rates of a rate category in per mille, by the highest base in fen (inclusive) each
/// applies to; the last covers everything above. One table for the rule in Rust and the
/// ledger's roll-up in SQL.
pub(crate) fn tiers(category: DuesCategory) -> &'static [(i64, i64)] {
    const NORMAL: [(i64, i64); 4] = [(300_000, 5), (500_000, 10), (1_000_000, 15), (i64::MAX, 20)];
    const RETIRED: [(i64, i64); 2] = [(500_000, 5), (i64::MAX, 10)];
    match category {
        DuesCategory::Normal => &NORMAL,
        DuesCategory::Retired => &RETIRED,
        DuesCategory::Other => &[],
    }
}

/// The rate in per mille for a base in fen (the category `other` has no rate: see
/// [`standard_fen`]).
pub fn rate_per_mille(base_fen: i64, category: DuesCategory) -> i64 {
    tiers(category).iter().find(|(upto, _)| base_fen <= *upto).map_or(0, |(_, rate)| *rate)
}

/// Monthly dues in fen by a rate: the rate applies to the whole base, rounded half up to the fen.
pub fn monthly_fen(base_fen: i64, category: DuesCategory) -> i64 {
    (base_fen * rate_per_mille(base_fen, category) + 500) / 1000
}

/// What a base record asks each month before any relief: the rate of its category, or the
/// fixed amount of `other`.
pub fn standard_fen(b: &base_entity::Model) -> i64 {
    match b.category {
        DuesCategory::Other => b.fixed_fen.unwrap_or(0),
        c => monthly_fen(b.base_fen, c),
    }
}

/// The relief in force in a month, if any (a member's periods do not overlap).
pub fn relief_for(reliefs: &[relief_entity::Model], month: NaiveDate) -> Option<&relief_entity::Model> {
    reliefs.iter().find(|r| r.from_month <= month && month <= r.to_month)
}

/// What is due in a month from the base in force and the relief covering it: nothing when
/// exempt, the approved amount when reduced (never more than the standard), else the standard.
pub fn due_fen(b: &base_entity::Model, relief: Option<&relief_entity::Model>) -> i64 {
    let standard = standard_fen(b);
    match relief {
        Some(r) if r.kind == ReliefKind::Exempt => 0,
        Some(r) => r.reduced_fen.unwrap_or(standard).min(standard),
        None => standard,
    }
}

/// Whether a payment goes 1000 元 or more beyond what was due ([`TO_CENTRE_RULE`]).
pub fn to_centre(amount_fen: i64, due_fen: i64) -> bool {
    amount_fen - due_fen >= TO_CENTRE_FEN
}

/// The reliefs covering `month` of the people listed, by person: what a ledger needs beside the
/// bases. Reliefs are few (hardship cases), so the month's reliefs of the whole bureau are read
/// and kept for those listed, whoever the ledger lists.
pub async fn reliefs_in_month<C: ConnectionTrait>(
    db: &C,
    month: NaiveDate,
    listed: &std::collections::HashSet<i32>,
) -> Result<HashMap<i32, relief_entity::Model>, sea_orm::DbErr> {
    let found = relief_entity::Entity::find()
        .filter(relief_entity::Column::FromMonth.lte(month))
        .filter(relief_entity::Column::ToMonth.gte(month))
        .all(db)
        .await?;
    Ok(found.into_iter().filter(|r| listed.contains(&r.person_id)).map(|r| (r.person_id, r)).collect())
}

/// How a relief reads on a page: "2026-01 至 2026-12 经某某党委批准少交（每月 5.00 元）".
pub fn describe_relief(r: &relief_entity::Model) -> String {
    let amount = match (r.kind, r.reduced_fen) {
        (ReliefKind::Reduce, Some(f)) => format!("（每月 {} 元）", yuan(f)),
        _ => String::new(),
    };
    format!(
        "{} 至 {} 经{}批准{}{amount}",
        r.from_month.format("%Y-%m"),
        r.to_month.format("%Y-%m"),
        r.approved_by,
        r.kind.label()
    )
}

pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// Parses an amount in yuan ("5400", "5400.5", "5,400.50") into fen.
pub fn parse_yuan(text: &str) -> Option<i64> {
    let t: String = crate::io::cells::half_width(text).chars().filter(|c| *c != ',' && !c.is_whitespace()).collect();
    let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
    if int.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let frac_fen: i64 = format!("{frac:0<2}").parse().ok()?;
    int.parse::<i64>().ok()?.checked_mul(100)?.checked_add(frac_fen)
}

pub use crate::text::{first_of_month, parse_month};

/// The base in force for a month: the latest one that starts on or before it.
pub(crate) fn base_for(bases: &[base_entity::Model], month: NaiveDate) -> Option<&base_entity::Model> {
    bases.iter().filter(|b| b.effective_month <= month).max_by_key(|b| b.effective_month)
}

/// Sets every member's latest month paid from the payments, after payments were written in bulk.
pub async fn refresh_paid_to<C: sea_orm::ConnectionTrait>(db: &C) -> Result<(), sea_orm::DbErr> {
    db.execute_unprepared(
        "UPDATE party_members SET dues_paid_to = \
         (SELECT MAX(p.month) FROM dues_payments p WHERE p.person_id = party_members.person_id)",
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(y: i32, m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, 1).unwrap()
    }

    fn base(base_fen: i64, category: DuesCategory, fixed_fen: Option<i64>) -> base_entity::Model {
        base_entity::Model {
            id: 1,
            person_id: 1,
            effective_month: month(2026, 1),
            base_fen,
            category,
            fixed_fen,
            note: String::new(),
            recorded_by: "t".into(),
            recorded_at: month(2026, 1).and_hms_opt(0, 0, 0).unwrap(),
        }
    }

    fn relief(kind: ReliefKind, from: NaiveDate, to: NaiveDate, reduced_fen: Option<i64>) -> relief_entity::Model {
        relief_entity::Model {
            id: 1,
            person_id: 1,
            kind,
            from_month: from,
            to_month: to,
            approved_by: "中共某分局委员会".into(),
            reduced_fen,
            note: String::new(),
            recorded_by: "t".into(),
            recorded_at: from.and_hms_opt(0, 0, 0).unwrap(),
        }
    }

    /// 第二条: 在职党员 with an after-tax monthly income of 3000 元 or less pay 0.5 %, over 3000 to
    /// 5000 元 1 %, over 5000 to 10000 元 1.5 %, over 10000 元 2 %, of the whole income.
    #[test]
    fn serving_members_pay_the_tier_rate_on_the_whole_base() {
        let cases = [
            (300_000, 1500),
            (320_000, 3200),
            (500_000, 5000),
            (540_000, 8100),
            (1_000_000, 15000),
            (1_150_000, 23000),
            (300_050, 3001),
        ];
        for (base_fen, due) in cases {
            assert_eq!(monthly_fen(base_fen, DuesCategory::Normal), due, "{base_fen}");
        }
    }

    /// 第三条: 离退休 members pay 0.5 % of a pension of 5000 元 or less and 1 % above: a retiree
    /// with a 6000 元 base owes 60 元 a month, one with 5000 元 owes 25 元.
    #[test]
    fn retired_members_pay_their_own_two_tiers() {
        assert_eq!(monthly_fen(600_000, DuesCategory::Retired), 6000);
        assert_eq!(monthly_fen(500_000, DuesCategory::Retired), 2500);
        assert_eq!(monthly_fen(450_000, DuesCategory::Retired), 2250);
        assert_eq!(monthly_fen(500_001, DuesCategory::Retired), 5000);
        // The same 6000 元 while serving is 1.5 %.
        assert_eq!(monthly_fen(600_000, DuesCategory::Normal), 9000);
    }

    /// 第四条、第五条: 农民党员 0.2–1 元, students and others 0.2 元 a month, a fixed amount
    /// rather than a rate of any base.
    #[test]
    fn other_members_pay_the_fixed_amount_of_their_record() {
        let farmer = base(0, DuesCategory::Other, Some(50));
        assert_eq!(standard_fen(&farmer), 50);
        assert_eq!(standard_fen(&base(800_000, DuesCategory::Other, Some(20))), 20, "no rate applies");
        assert_eq!(rate_per_mille(800_000, DuesCategory::Other), 0);
        assert!((OTHER_MIN_FEN, OTHER_MAX_FEN) == (20, 100));
    }

    /// 困难党员经支部研究、报上一级党委批准，可以少交或免交: inside the approved period the
    /// reduced amount (or nothing) is due; outside it the standard amount again.
    #[test]
    fn reliefs_apply_only_inside_their_period() {
        let b = base(540_000, DuesCategory::Normal, None);
        let reduce = vec![relief(ReliefKind::Reduce, month(2026, 3), month(2026, 8), Some(500))];
        assert_eq!(relief_for(&reduce, month(2026, 2)), None);
        assert_eq!(due_fen(&b, relief_for(&reduce, month(2026, 2))), 8100);
        assert_eq!(due_fen(&b, relief_for(&reduce, month(2026, 3))), 500, "first month included");
        assert_eq!(due_fen(&b, relief_for(&reduce, month(2026, 8))), 500, "last month included");
        assert_eq!(due_fen(&b, relief_for(&reduce, month(2026, 9))), 8100);
        let exempt = vec![relief(ReliefKind::Exempt, month(2026, 1), month(2026, 12), None)];
        assert_eq!(due_fen(&b, relief_for(&exempt, month(2026, 6))), 0);
        // A reduction never asks more than the standard (a lower base later in the period).
        let low = base(200_000, DuesCategory::Normal, None);
        assert_eq!(due_fen(&low, relief_for(&reduce, month(2026, 4))), 500);
        let tiny = base(50_000, DuesCategory::Normal, None);
        assert_eq!(due_fen(&tiny, relief_for(&reduce, month(2026, 4))), 250);
        let text = describe_relief(&reduce[0]);
        assert_eq!(text, "2026-03 至 2026-08 经中共某分局委员会批准少交（每月 5.00 元）");
    }

    /// 自愿多交党费不限；一次多交纳党费 1000 元以上的，全部上缴中央.
    #[test]
    fn a_voluntary_payment_of_1000_yuan_or_more_goes_to_the_centre() {
        assert!(!to_centre(8100, 8100));
        assert!(!to_centre(8100 + 99_999, 8100));
        assert!(to_centre(8100 + 100_000, 8100), "1000 元 exactly is 1000 元以上");
        assert!(to_centre(100_000, 0), "an exempt member giving 1000 元");
        assert!(!to_centre(5000, 8100), "paying less is no voluntary payment");
    }

    #[test]
    fn amounts_months_and_categories_parse() {
        assert_eq!(parse_yuan("5400"), Some(540_000));
        assert_eq!(parse_yuan("5,400.5"), Some(540_050));
        assert_eq!(parse_yuan("５４００"), Some(540_000));
        assert_eq!(parse_yuan("0.2"), Some(20));
        assert_eq!(parse_yuan("54a"), None);
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(parse_yuan("-5"), None);
        assert_eq!(parse_month("2026-07"), NaiveDate::from_ymd_opt(2026, 7, 1));
        assert_eq!(yuan(8100), "81.00");
        assert_eq!(DuesCategory::parse("retired"), Some(DuesCategory::Retired));
        assert_eq!(DuesCategory::from_input("离退休"), Some(DuesCategory::Retired));
        assert_eq!(DuesCategory::from_input("exempt"), None, "an exemption is a period, not a category");
        assert_eq!(DuesCategory::of_member(crate::party::MemberCategory::Retired), DuesCategory::Retired);
        assert_eq!(DuesCategory::of_member(crate::party::MemberCategory::Mobile), DuesCategory::Normal);
        assert_eq!(ReliefKind::Reduce.label(), "少交");
    }
}
