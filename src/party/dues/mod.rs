//! 党费: the monthly dues follow from the member's after-tax base with the tiers of the
//! Central Organization Department's rules (the rate applies to the whole base: 5400 元 → 81 元);
//! retired members pay by their own tiers, and a hardship exemption approved above sets 0. A
//! branch ledger shows who paid each month; six unpaid months in a row become a reminder for
//! the secretary, never a change of status.
//!
//! By use case: `base` (a member's base from a month on), `ledger` (a branch's month, and its
//! export), `payments` (record and cancel), `reminders` (six unpaid months); the rates and the
//! amounts are here.

pub mod base;
pub mod ledger;
pub mod payments;
pub mod reminders;

use crate::db::stored_text;
use chrono::NaiveDate;

pub use base::{BaseInput, current, set_base};
pub use ledger::{Ledger, LedgerRow, audit_export, ledger, ledger_of};
pub use payments::{MAX_PAYMENT_IDS, PaymentView, cancel_payment, payment, record_payments};
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
            pub paid_on: Date,
            pub recorded_by: String,
            pub recorded_at: DateTime,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entity::base as base_entity;

stored_text! {
    /// 党费类别 (`dues_bases.category`): the code is stored and sent, the label shown.
    #[schema(description = "党费类别：normal 在职、retired 离退休、exempt 困难党员经批准免交")]
    DuesCategory {
        Normal = "normal" => "在职",
        Retired = "retired" => "离退休",
        /// A hardship exemption approved above: nothing is due.
        Exempt = "exempt" => "困难免交（经批准）",
    }
}

impl DuesCategory {
    /// What a form or request that names no category means.
    pub const DEFAULT: DuesCategory = DuesCategory::Normal;
}

/// The rate in per mille for a base in fen.
pub fn rate_per_mille(base_fen: i64, category: DuesCategory) -> i64 {
    match category {
        DuesCategory::Exempt => 0,
        DuesCategory::Retired => {
            if base_fen <= 500_000 {
                5
            } else {
                10
            }
        }
        DuesCategory::Normal => match base_fen {
            ..=300_000 => 5,
            300_001..=500_000 => 10,
            500_001..=1_000_000 => 15,
            _ => 20,
        },
    }
}

/// Monthly dues in fen: the rate applies to the whole base, rounded half up to the fen.
pub fn monthly_fen(base_fen: i64, category: DuesCategory) -> i64 {
    (base_fen * rate_per_mille(base_fen, category) + 500) / 1000
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

    #[test]
    fn dues_follow_the_tiers_on_the_whole_base() {
        let cases = [
            (300_000, DuesCategory::Normal, 1500),
            (320_000, DuesCategory::Normal, 3200),
            (500_000, DuesCategory::Normal, 5000),
            (540_000, DuesCategory::Normal, 8100),
            (1_000_000, DuesCategory::Normal, 15000),
            (1_150_000, DuesCategory::Normal, 23000),
            (450_000, DuesCategory::Retired, 2250),
            (600_000, DuesCategory::Retired, 6000),
            (800_000, DuesCategory::Exempt, 0),
            (300_050, DuesCategory::Normal, 3001),
        ];
        for (base, cat, due) in cases {
            assert_eq!(monthly_fen(base, cat), due, "{base} {cat:?}");
        }
    }

    #[test]
    fn amounts_and_months_parse() {
        assert_eq!(parse_yuan("5400"), Some(540_000));
        assert_eq!(parse_yuan("5,400.5"), Some(540_050));
        assert_eq!(parse_yuan("５４００"), Some(540_000));
        assert_eq!(parse_yuan("54a"), None);
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(parse_month("2026-07"), NaiveDate::from_ymd_opt(2026, 7, 1));
        assert_eq!(yuan(8100), "81.00");
        assert_eq!(DuesCategory::parse("retired"), Some(DuesCategory::Retired));
        assert_eq!(DuesCategory::Exempt.label(), "困难免交（经批准）");
    }
}
