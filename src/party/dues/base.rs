//! A member's dues base (党费基数): from a month on, until a later month's base replaces it.
//!
//! What counts in the base of a civil servant (公务员, 参照公务员法管理的人员): 职务工资、级别工资
//! 和津贴补贴 of the month, less 个人所得税 and the member's own 养老、医疗、失业保险 and 住房公积金
//! contributions; not the year-end bonus (年终一次性奖金); some local rules also leave out
//! 公安值勤岗位津贴. It is not the take-home pay (other deductions, back pay, bonuses).

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::json;

use super::entity::{base, relief};
use super::{
    DuesCategory, MAX_AMOUNT_FEN, OTHER_MAX_FEN, OTHER_MIN_FEN, base_for, describe_relief, due_fen, first_of_month,
    parse_month, parse_yuan, relief_for, standard_fen, yuan,
};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::party::entity::member;
use crate::party::{MemberCategory, MemberStatus};
use crate::state::AppState;

/// What counts in the base, as the form and the API state it.
pub const BASE_RULE: &str = "公务员（含参照公务员法管理人员）的基数为每月职务工资、级别工资和津贴补贴之和，\
    减去个人所得税和个人缴纳的养老、医疗、失业保险和住房公积金；不含年终一次性奖金，\
    有的地方规定公安值勤岗位津贴也不计入。不是每月实发到手的工资。离退休党员按离退休费（养老金）计算。";

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "党费基数：`effective_month` 为从哪个月起适用（`YYYY-MM`，不早于入党当月）；`base` 为税后月工资基数（元），\
    字符串，最多两位小数，不超过 100 万——公务员为职务工资、级别工资、津贴补贴之和减去个人所得税和个人缴纳的社会保险、\
    住房公积金，不含年终一次性奖金（有的地方公安值勤岗位津贴也不计入），不是实发工资；离退休党员填离退休费；\
    `category` 为 normal 在职、retired 离退休、other 其他，不填时随党员类别（离退休党员为 retired，其他为 normal）；\
    离退休党员不能登记为 normal，在职党员登记为 retired 时党员类别随之改为离退休党员；other 时 `base` 可以不填，\
    `fixed_monthly` 必填（每月 0.2–1 元），其他类别不填 `fixed_monthly`；`note` 不超过 200 字，可不填。\
    经批准少交或免交另行登记（`POST /persons/{id}/dues-reliefs`）",
    example = json!({"effective_month": "2026-01", "base": "5400", "category": "normal", "note": ""})
)]
pub struct BaseInput {
    /// `YYYY-MM`: the month from which the new base applies (wages changed that month).
    #[schema(required = true, pattern = r"^\d{4}-(0[1-9]|1[0-2])$")]
    pub effective_month: String,
    /// After-tax monthly base in yuan (at most two decimals, at most 1,000,000); may be empty
    /// for `other`.
    #[schema(pattern = r"^(\d+(\.\d{0,2})?)?$")]
    pub base: String,
    /// Empty or absent: the membership's category decides.
    #[schema(schema_with = category_schema)]
    pub category: String,
    /// The fixed monthly amount in yuan of the category `other` (0.2–1).
    #[schema(pattern = r"^(\d+(\.\d{0,2})?)?$", example = "0.20")]
    pub fixed_monthly: String,
    #[schema(max_length = 200)]
    pub note: String,
}

fn category_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    let codes: Vec<&str> = DuesCategory::ALL.iter().map(|c| c.as_str()).collect();
    crate::openapi::schema::one_of(&codes, true)
}

/// The category a form shows first for a member: the one their membership implies.
pub fn default_category(member_category: MemberCategory) -> DuesCategory {
    DuesCategory::of_member(member_category)
}

/// Records a member's dues base from a month on (a later month's base replaces it from then).
/// The dues category follows the membership: a 离退休党员 is retired; a retired base of a serving
/// member makes the membership 离退休党员 in the same transaction, so the two always agree.
pub async fn set_base(state: &AppState, actor: &Actor, person_id: i32, input: &BaseInput) -> AppResult<base::Model> {
    let m = member::Entity::find()
        .filter(member::Column::PersonId.eq(person_id))
        .filter(member::Column::Status.eq(MemberStatus::Active))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.require(Permission::PersonWrite)?;
    let target = Target { kind: "person", id: i64::from(person_id), org_path: &m.branch_path };
    guard::check(state, actor, Permission::PersonWrite, Sensitivity::Normal, target).await?;
    let mut errors: Vec<(String, String)> = Vec::new();
    let month = parse_month(&input.effective_month);
    match month {
        None => errors.push(("effective_month".into(), "请填写起始月份，如 2026-07".into())),
        Some(mo) if mo < first_of_month(m.joined_on) => errors
            .push(("effective_month".into(), format!("起始月份不能早于入党当月（{}）", m.joined_on.format("%Y-%m")))),
        _ => {}
    }
    let category = match input.category.trim() {
        "" => Some(DuesCategory::of_member(m.category)),
        "exempt" | "困难免交（经批准）" => {
            errors.push((
                "category".into(),
                "免交不是党费类别：请按在职、离退休或其他登记基数，再在“少交或免交”中登记批准的起止月份和批准的党委"
                    .into(),
            ));
            None
        }
        t => {
            let c = DuesCategory::from_input(t);
            if c.is_none() {
                errors.push(("category".into(), "党费类别应为 normal 在职、retired 离退休或 other 其他".into()));
            }
            c
        }
    };
    if category == Some(DuesCategory::Normal) && m.category == MemberCategory::Retired {
        errors.push(("category".into(), "该党员的党员类别为离退休党员，党费按离退休费计算，类别应为“离退休”".into()));
    }
    let other = category == Some(DuesCategory::Other);
    let base_text = input.base.trim();
    let base_fen = if other && base_text.is_empty() { Some(0) } else { parse_yuan(base_text) };
    if base_fen.is_none_or(|b| b > MAX_AMOUNT_FEN) {
        let what = if category == Some(DuesCategory::Retired) { "离退休费" } else { "税后月工资基数" };
        errors.push(("base".into(), format!("请填写{what}（元），如 5400 或 5400.50")));
    }
    let fixed_text = input.fixed_monthly.trim();
    let fixed_fen = match (other, fixed_text.is_empty()) {
        (true, true) => {
            errors.push(("fixed_monthly".into(), "“其他”类别须填写每月交纳的固定数额（0.2 至 1 元）".into()));
            None
        }
        (true, false) => match parse_yuan(fixed_text) {
            Some(f) if (OTHER_MIN_FEN..=OTHER_MAX_FEN).contains(&f) => Some(f),
            Some(_) => {
                errors.push((
                    "fixed_monthly".into(),
                    "每月固定数额应在 0.2 至 1 元之间（农民党员 0.2–1 元；学生、下岗失业、依靠抚恤或救济生活、领取最低生活保障金的党员 0.2 元）"
                        .into(),
                ));
                None
            }
            None => {
                errors.push(("fixed_monthly".into(), "每月固定数额应为元，如 0.2 或 0.50".into()));
                None
            }
        },
        (false, true) => None,
        (false, false) => {
            errors.push((
                "fixed_monthly".into(),
                "只有“其他”类别按每月固定数额交纳，在职、离退休按基数和比例计算".into(),
            ));
            None
        }
    };
    let note = input.note.trim();
    if note.chars().count() > 200 {
        errors.push(("note".into(), "说明不能超过 200 个字".into()));
    }
    if let Err(reason) = crate::text::check_multiline("说明", note) {
        errors.push(("note".into(), reason));
    }
    let (Some(month), Some(base_fen), Some(category)) = (month, base_fen.filter(|_| errors.is_empty()), category)
    else {
        return Err(AppError::Fields(errors));
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let existing = base::Entity::find()
        .filter(base::Column::PersonId.eq(person_id))
        .filter(base::Column::EffectiveMonth.eq(month))
        .one(&txn)
        .await?;
    let mut row: base::ActiveModel = match existing {
        Some(e) => e.into(),
        None => base::ActiveModel { person_id: Set(person_id), effective_month: Set(month), ..Default::default() },
    };
    row.base_fen = Set(base_fen);
    row.category = Set(category);
    row.fixed_fen = Set(fixed_fen);
    row.note = Set(note.to_owned());
    row.recorded_by = Set(actor.username.clone());
    row.recorded_at = Set(state.clock.now_db());
    let saved = row.save(&txn).await?;
    let saved = sea_orm::TryIntoModel::try_into_model(saved)?;
    let mut summary = json!({
        "from": month.format("%Y-%m").to_string(), "category": category, "monthly": yuan(standard_fen(&saved)),
    });
    // The membership follows a retired base, so the two categories agree.
    if category == DuesCategory::Retired && m.category != MemberCategory::Retired {
        summary["member_category"] = json!({"from": m.category, "to": MemberCategory::Retired});
        let mut active: member::ActiveModel = m.clone().into();
        active.category = Set(MemberCategory::Retired);
        active.updated_at = Set(state.clock.now_db());
        active.update(&txn).await?;
    }
    let event = Event::by(actor, "dues.base").object("person", person_id).org(m.branch_path.clone()).summary(summary);
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(saved)
}

/// The base in force this month, for the profile: base, category and what is due this month
/// (after a relief, which the category text then names).
pub async fn current(state: &AppState, person_id: i32) -> AppResult<Option<(String, String, String)>> {
    let bases = base::Entity::find().filter(base::Column::PersonId.eq(person_id)).all(&state.db).await?;
    let reliefs = relief::Entity::find().filter(relief::Column::PersonId.eq(person_id)).all(&state.db).await?;
    let month = first_of_month(state.clock.today());
    Ok(base_for(&bases, month).map(|b| {
        let r = relief_for(&reliefs, month);
        let mut category = b.category.label().to_owned();
        if let Some(r) = r {
            category = format!("{category}；{}", describe_relief(r));
        }
        (yuan(b.base_fen), category, yuan(due_fen(b, r)))
    }))
}
