//! The one migration history for all three databases. Forward-only: never edit a migration that
//! has shipped; add a new one (see `migrations/README.md`).

mod m20261127_000001_foundation;
mod m20261127_000002_party;
mod m20261127_000003_dues;
mod m20261128_000004_search;
mod m20261128_000005_account_person;
mod m20261130_000006_account_security;
mod m20261130_000007_audit_keyed;
mod m20261130_000008_phone_search;
mod m20261201_000009_family;
mod m20261201_000010_person_initials;
mod m20261202_000011_membership_lifecycle;
mod m20261202_000012_party_groups;
mod m20261202_000013_dues_categories;
mod m20261202_000014_letters_transfer_in;
mod m20261202_000015_lapse_reviews;
mod m20261203_000016_units;
mod m20261203_000017_police;
mod m20261203_000018_discipline;
mod m20261203_000019_meetings;
mod m20261203_000020_visits;
mod m20261204_000021_risk;
mod m20261204_000022_exits;
mod m20261204_000023_name_grams;
mod m20261205_000024_warn_rules;
mod m20261205_000025_exit_links;
mod m20261205_000026_meeting_rules;
mod m20261205_000027_roster_fixes;
mod m20261206_000028_meet_speed;
mod m20261206_000029_list_speed;
mod m20261206_000030_export_jobs;
mod m20261207_000031_file_parts;
mod m20261208_000032_meeting_presence;
mod util;

use sea_orm_migration::prelude::*;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_foundation::Migration),
            Box::new(m20261127_000002_party::Migration),
            Box::new(m20261127_000003_dues::Migration),
            Box::new(m20261128_000004_search::Migration),
            Box::new(m20261128_000005_account_person::Migration),
            Box::new(m20261130_000006_account_security::Migration),
            Box::new(m20261130_000007_audit_keyed::Migration),
            Box::new(m20261130_000008_phone_search::Migration),
            Box::new(m20261201_000009_family::Migration),
            Box::new(m20261201_000010_person_initials::Migration),
            Box::new(m20261202_000011_membership_lifecycle::Migration),
            Box::new(m20261202_000012_party_groups::Migration),
            Box::new(m20261202_000013_dues_categories::Migration),
            Box::new(m20261202_000014_letters_transfer_in::Migration),
            Box::new(m20261202_000015_lapse_reviews::Migration),
            Box::new(m20261203_000016_units::Migration),
            Box::new(m20261203_000017_police::Migration),
            Box::new(m20261203_000018_discipline::Migration),
            Box::new(m20261203_000019_meetings::Migration),
            Box::new(m20261203_000020_visits::Migration),
            Box::new(m20261204_000021_risk::Migration),
            Box::new(m20261204_000022_exits::Migration),
            Box::new(m20261204_000023_name_grams::Migration),
            Box::new(m20261205_000025_exit_links::Migration),
            Box::new(m20261205_000027_roster_fixes::Migration),
            Box::new(m20261205_000024_warn_rules::Migration),
            Box::new(m20261205_000026_meeting_rules::Migration),
            Box::new(m20261206_000030_export_jobs::Migration),
            Box::new(m20261206_000029_list_speed::Migration),
            Box::new(m20261206_000028_meet_speed::Migration),
            Box::new(m20261207_000031_file_parts::Migration),
            Box::new(m20261208_000032_meeting_presence::Migration),
        ]
    }
}
