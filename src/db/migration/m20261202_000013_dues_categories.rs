//! Dues as the 2008 rules have them (issue 9, item 6):
//!
//! - `dues_bases.fixed_fen`: the fixed monthly amount of a member of the category `other`
//!   (农民党员 0.2–1 元, 学生、下岗失业、低保等 0.2 元), which is set with the base record instead of
//!   following from a rate.
//! - `dues_reliefs`: a reduction (少交) or exemption (免交) of a member in hardship, approved by
//!   the committee above the branch (困难党员经支部研究、报上一级党委批准), for a period from a
//!   month to a month (both required), with the approving organization and, for a reduction,
//!   the reduced monthly amount. It replaces the category `exempt`, which had no period.
//! - `dues_payments.due_fen` and `note`: a payment may differ from the amount due (自愿多交, an
//!   adjustment); the amount due when it was recorded is kept beside it, and the note says why.
//!
//! Existing data: payments were always the amount due, so `due_fen` takes `amount_fen`. Each
//! `exempt` base becomes an exemption from its month to the month before the member's next base
//! or, when there is none, for twelve months (the old record had no end; the note says so and
//! asks for it to be checked), and the base takes the member's category (离退休党员 → retired,
//! else normal), which applies again when the exemption ends.

use chrono::{Months, NaiveDate};
use sea_orm::{ConnectionTrait, FromQueryResult};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::util::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(FromQueryResult)]
struct ExemptBase {
    id: i32,
    person_id: i32,
    effective_month: NaiveDate,
    note: String,
    recorded_by: String,
    recorded_at: chrono::NaiveDateTime,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("dues_bases").add_column(big_integer_null("fixed_fen")).take())
            .await?;
        // One column per statement: SQLite alters one thing at a time.
        manager
            .alter_table(Table::alter().table("dues_payments").add_column(big_integer("due_fen").default(0)).take())
            .await?;
        manager
            .alter_table(Table::alter().table("dues_payments").add_column(string_len("note", 200).default("")).take())
            .await?;
        manager
            .exec_stmt(Query::update().table("dues_payments").value("due_fen", Expr::col("amount_fen")).to_owned())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("dues_reliefs")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    // reduce (少交) or exempt (免交).
                    .col(string_len("kind", 10))
                    // First and last month of the period (first day of each month), both included.
                    .col(date("from_month"))
                    .col(date("to_month"))
                    // The committee that approved it (上一级党委), as written on the approval.
                    .col(string_len("approved_by", 100))
                    // A reduction's monthly amount; empty for an exemption.
                    .col(big_integer_null("reduced_fen"))
                    .col(string_len("note", 200))
                    .col(string_len("recorded_by", 50))
                    .col(date_time("recorded_at"))
                    .foreign_key(&mut fk("dues_reliefs", "person_id", "persons", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("dues_reliefs", &["person_id", "from_month"], false)).await?;

        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let exempt: Vec<ExemptBase> = ExemptBase::find_by_statement(
            backend.build(
                Query::select()
                    .columns(["id", "person_id", "effective_month", "note", "recorded_by", "recorded_at"])
                    .from("dues_bases")
                    .and_where(Expr::col("category").eq("exempt"))
                    .order_by("id", Order::Asc),
            ),
        )
        .all(db)
        .await?;
        for b in exempt {
            let next: Option<NaiveDate> = db
                .query_one(
                    Query::select()
                        .expr(Expr::col("effective_month").min())
                        .from("dues_bases")
                        .and_where(Expr::col("person_id").eq(b.person_id))
                        .and_where(Expr::col("effective_month").gt(b.effective_month)),
                )
                .await?
                .and_then(|row| row.try_get_by_index::<Option<NaiveDate>>(0).ok().flatten());
            let (to_month, note) = match next.and_then(|n| n.checked_sub_months(Months::new(1))) {
                Some(to) => (to, "由旧版“困难免交”基数转来，期限至下一次登记基数的前一个月"),
                None => (
                    b.effective_month.checked_add_months(Months::new(11)).unwrap_or(b.effective_month),
                    "由旧版“困难免交”基数转来：原登记未写期限，暂按一年计，请核实截止月份",
                ),
            };
            let approved_by: String = match b.note.trim() {
                "" => "（旧版登记未写明）".to_owned(),
                n => n.chars().take(100).collect(),
            };
            let insert = Query::insert()
                .into_table("dues_reliefs")
                .columns([
                    "person_id",
                    "kind",
                    "from_month",
                    "to_month",
                    "approved_by",
                    "note",
                    "recorded_by",
                    "recorded_at",
                ])
                .values([
                    b.person_id.into(),
                    "exempt".into(),
                    b.effective_month.into(),
                    to_month.into(),
                    approved_by.into(),
                    note.into(),
                    b.recorded_by.clone().into(),
                    b.recorded_at.into(),
                ])
                .map_err(|e| DbErr::Migration(e.to_string()))?
                .to_owned();
            db.execute(&insert).await?;
            let retired = db
                .query_one(
                    Query::select()
                        .expr(Expr::val(1))
                        .from("party_members")
                        .and_where(Expr::col("person_id").eq(b.person_id))
                        .and_where(Expr::col("category").eq("离退休党员")),
                )
                .await?
                .is_some();
            let category = if retired { "retired" } else { "normal" };
            let update = Query::update()
                .table("dues_bases")
                .value("category", category)
                .and_where(Expr::col("id").eq(b.id))
                .to_owned();
            db.execute(&update).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
    use sea_orm_migration::MigratorTrait;

    use crate::config::{Config, DatabaseUrl};
    use crate::db::migration::Migrator;

    #[derive(FromQueryResult, Debug, PartialEq)]
    struct Relief {
        person_id: i32,
        kind: String,
        from_month: chrono::NaiveDate,
        to_month: chrono::NaiveDate,
        approved_by: String,
    }

    /// A database written before this migration: `exempt` bases become exemptions with a period,
    /// their bases take the member's category, and payments keep what was due.
    #[tokio::test]
    async fn old_exempt_bases_become_exemptions_with_a_period() {
        let mut config = Config::default();
        config.database.url = DatabaseUrl("sqlite::memory:".into());
        config.database.max_connections = 1;
        let db = crate::db::connect(&config.database).await.unwrap();
        // Every migration before this one.
        let before =
            Migrator::migrations().iter().position(|m| m.name() == "m20261202_000013_dues_categories").unwrap();
        let before = u32::try_from(before).unwrap();
        Migrator::up(&db, Some(before)).await.unwrap();
        // Only the dues rows matter here, not the people they point to.
        db.execute_unprepared("PRAGMA foreign_keys = OFF").await.unwrap();
        db.execute_unprepared(
            "INSERT INTO party_members (person_id, branch_id, branch_path, joined_on, category, status, created_at, updated_at) VALUES \
             (1, 1, '/1/', '1980-01-01', '离退休党员', '正常', '2026-01-01 00:00:00', '2026-01-01 00:00:00'), \
             (2, 1, '/1/', '2000-01-01', '在职党员', '正常', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        )
        .await
        .unwrap();
        db.execute_unprepared(
            "INSERT INTO dues_bases (person_id, effective_month, base_fen, category, note, recorded_by, recorded_at) VALUES \
             (1, '2025-03-01', 600000, 'exempt', '东分党〔2025〕3号', 'zzb', '2025-03-02 00:00:00'), \
             (2, '2025-01-01', 540000, 'exempt', '', 'zzb', '2025-01-02 00:00:00'), \
             (2, '2025-07-01', 540000, 'normal', '', 'zzb', '2025-07-02 00:00:00')",
        )
        .await
        .unwrap();
        db.execute_unprepared(
            "INSERT INTO dues_payments (person_id, month, amount_fen, paid_on, recorded_by, recorded_at) VALUES \
             (2, '2025-08-01', 8100, '2025-08-10', 'zzb', '2025-08-10 00:00:00')",
        )
        .await
        .unwrap();
        Migrator::up(&db, None).await.unwrap();

        let backend = db.get_database_backend();
        let sql = "SELECT person_id, kind, from_month, to_month, approved_by FROM dues_reliefs ORDER BY person_id";
        let reliefs = Relief::find_by_statement(Statement::from_string(backend, sql)).all(&db).await.unwrap();
        let month = |y, m| chrono::NaiveDate::from_ymd_opt(y, m, 1).unwrap();
        assert_eq!(
            reliefs,
            vec![
                // No later base: a year, to be checked.
                Relief {
                    person_id: 1,
                    kind: "exempt".into(),
                    from_month: month(2025, 3),
                    to_month: month(2026, 2),
                    approved_by: "东分党〔2025〕3号".into(),
                },
                // Until the month before the next base.
                Relief {
                    person_id: 2,
                    kind: "exempt".into(),
                    from_month: month(2025, 1),
                    to_month: month(2025, 6),
                    approved_by: "（旧版登记未写明）".into(),
                },
            ]
        );
        let categories = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT category FROM dues_bases ORDER BY person_id, effective_month",
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get_by_index::<String>(0).unwrap())
            .collect::<Vec<_>>();
        assert_eq!(categories, ["retired", "normal", "normal"], "the member's category");
        let paid = db
            .query_one_raw(Statement::from_string(backend, "SELECT due_fen, note FROM dues_payments"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(paid.try_get_by_index::<i64>(0).unwrap(), 8100);
        assert_eq!(paid.try_get_by_index::<String>(1).unwrap(), "");
    }
}
