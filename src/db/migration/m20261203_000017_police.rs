//! 警务信息 (issue 10, item 4): police fields kept apart from the roster and checked against
//! lists, awards, and yearly appraisals. Scope comes from the person, so the rows keep no
//! organization path.
//!
//! - `police_profiles`: one row per person (unique `person_id`): 领导职务, 职级, 警衔 and its
//!   date, 警种, 编制, and for 辅警 their kind, employer and contract; `contract_end` is indexed
//!   for the contract reminder, `police_rank`, `police_type`, `aux_kind` for the search.
//! - `police_awards`: 嘉奖 … 一等功, 荣誉称号 with date, granting body and document number.
//! - `police_appraisals`: one grade per person per year (unique `(person_id, year)`).
//!
//! Existing data: the roster's free-text `persons.position` (职务) and `persons.rank` (职级/警衔)
//! held these facts. A `position` that is a listed 领导职务 is copied into `leader_post` (the
//! roster keeps its text: 职务 there also says 社区民警, 内勤 …). A 民警's `rank` that is one of the
//! 13 警衔 or a listed 职级 moves into `police_rank` or `grade` and is cleared on the roster, so
//! the fact has one home; any other `rank` text stays on the roster for someone to sort out.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::util::{fk, index};

// The lists as they stood when this migration was written (`crate::police::lists`), frozen here:
// the database layer uses no domain, and a migration must do the same thing whenever it runs.
const RANKS: &[&str] = &[
    "总警监",
    "副总警监",
    "一级警监",
    "二级警监",
    "三级警监",
    "一级警督",
    "二级警督",
    "三级警督",
    "一级警司",
    "二级警司",
    "三级警司",
    "一级警员",
    "二级警员",
];
const GRADES: &[&str] = &[
    "一级高级警长",
    "二级高级警长",
    "三级高级警长",
    "四级高级警长",
    "一级警长",
    "二级警长",
    "三级警长",
    "四级警长",
    "一级警员",
    "二级警员",
];
const LEADER_POSTS: &[&str] = &[
    "局长",
    "政委",
    "副局长",
    "政治部主任",
    "督察长",
    "支队长",
    "支队政委",
    "副支队长",
    "大队长",
    "大队教导员",
    "副大队长",
    "所长",
    "教导员",
    "副所长",
    "副教导员",
    "中队长",
    "中队指导员",
    "副中队长",
    "科长",
    "副科长",
    "主任",
    "副主任",
];

#[derive(DeriveMigrationName)]
pub struct Migration;

fn texts(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("police_profiles")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    .col(string_len_null("leader_post", 20))
                    .col(string_len_null("grade", 20))
                    .col(string_len_null("police_rank", 10))
                    .col(date_null("rank_on"))
                    .col(string_len_null("police_type", 20))
                    .col(string_len_null("establishment", 20))
                    .col(string_len_null("aux_kind", 10))
                    .col(string_len_null("employer_kind", 10))
                    .col(string_len_null("employer_name", 100))
                    .col(date_null("contract_start"))
                    .col(date_null("contract_end"))
                    .col(date_time("updated_at"))
                    .foreign_key(&mut fk("police_profiles", "person_id", "persons", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("police_profiles", &["person_id"], true)).await?;
        for col in ["contract_end", "police_rank", "police_type", "aux_kind"] {
            manager.create_index(index("police_profiles", &[col], false)).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("police_awards")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    .col(string_len("kind", 10))
                    .col(string_len_null("title", 100))
                    .col(date("awarded_on"))
                    .col(string_len("granted_by", 100))
                    .col(string_len_null("doc_no", 50))
                    .col(date_time("created_at"))
                    .col(date_time("updated_at"))
                    .foreign_key(&mut fk("police_awards", "person_id", "persons", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("police_awards", &["person_id", "awarded_on"], false)).await?;

        manager
            .create_table(
                Table::create()
                    .table("police_appraisals")
                    .col(pk_auto("id"))
                    .col(integer("person_id"))
                    .col(integer("year"))
                    .col(string_len("grade", 10))
                    .col(string_len_null("comment", 200))
                    .col(date_time("created_at"))
                    .col(date_time("updated_at"))
                    .foreign_key(&mut fk("police_appraisals", "person_id", "persons", false))
                    .take(),
            )
            .await?;
        manager.create_index(index("police_appraisals", &["person_id", "year"], true)).await?;
        manager.create_index(index("police_appraisals", &["year", "grade"], false)).await?;

        // Existing roster text that names a listed post, grade or rank.
        let police = Expr::col("kind").eq("民警");
        let post = Expr::col("position").is_in(texts(LEADER_POSTS));
        let rank = police.clone().and(Expr::col("rank").is_in(texts(RANKS)));
        let grade = police.clone().and(Expr::col("rank").is_in(texts(GRADES)));
        let null = || Expr::value(Option::<String>::None);
        let select = Query::select()
            .column("id")
            .expr(Expr::case(post.clone(), Expr::col("position")).finally(null()))
            .expr(Expr::case(grade.clone(), Expr::col("rank")).finally(null()))
            .expr(Expr::case(rank.clone(), Expr::col("rank")).finally(null()))
            .column("updated_at")
            .from("persons")
            .cond_where(Condition::any().add(post).add(rank.clone()).add(grade.clone()))
            .to_owned();
        let insert = Query::insert()
            .into_table("police_profiles")
            .columns(["person_id", "leader_post", "grade", "police_rank", "updated_at"])
            .select_from(select)
            .map_err(|e| DbErr::Migration(e.to_string()))?
            .to_owned();
        manager.exec_stmt(insert).await?;
        manager
            .exec_stmt(
                Query::update()
                    .table("persons")
                    .value("rank", null())
                    .cond_where(Condition::any().add(rank).add(grade))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["police_appraisals", "police_awards", "police_profiles"] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
