//! Indexes for the early-warning list at city scale: the appraisal rule looks for the few low
//! grades of the last two years (`(grade, year)`: an `IN` on the grade, then the years, instead
//! of every appraisal since last year), and the organizational-life rule starts from the few
//! absences since a date (`(status, held_on)`) instead of every attendance of the bureau.

use sea_orm_migration::prelude::*;

use super::util::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index("police_appraisals", &["grade", "year"], false)).await?;
        manager.create_index(index("meeting_attendees", &["status", "held_on"], false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop().name("idx_meeting_attendees_status_held_on").table("meeting_attendees").to_owned(),
            )
            .await?;
        manager
            .drop_index(Index::drop().name("idx_police_appraisals_grade_year").table("police_appraisals").to_owned())
            .await
    }
}
