//! The 20类人员 dictionary: the bureau adds, renames, tunes and retires categories. A category in
//! use is never deleted (flags keep pointing at it); a retired one takes no new flags.

use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{category, flag};
use super::{APPLIES, EXIT_GROUNDS, LEVELS, check_line};
use crate::audit::{self, Event};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "风险人员类别（字典；随程序提供的是依据 domain.md §1.4 整理、标注为示例的候选清单）")]
pub struct Category {
    pub id: i32,
    #[schema(example = "c05")]
    pub code: String,
    #[schema(example = "涉及矛盾纠纷（本人/家庭）人员")]
    pub name: String,
    #[schema(example = "矛盾纠纷")]
    pub group: String,
    /// 全部, 民警 or 辅警.
    pub applies_to: String,
    /// 黄, 橙 or 红.
    pub default_level: String,
    /// Days between reviews of a flag in this category.
    pub review_days: i32,
    /// The 十必访 situation a new flag reports (a must-visit).
    pub visit_situation: Option<String>,
    /// Whether a flag of this category proposes an exit case: 排查发现 (when found by a
    /// screening, or escalated), 躺平摆烂 (always), empty (never).
    pub exit_ground: Option<String>,
    pub example: bool,
    pub retired: bool,
    /// Flags recorded in this category (a used category cannot be deleted).
    pub used: u64,
}

impl Category {
    fn of(c: category::Model, used: u64) -> Self {
        Self {
            id: c.id,
            code: c.code,
            name: c.name,
            group: c.group_name,
            applies_to: c.applies_to,
            default_level: c.default_level,
            review_days: c.review_days,
            visit_situation: c.visit_situation,
            exit_ground: c.exit_ground,
            example: c.example,
            retired: c.retired,
            used,
        }
    }
}

/// Add or change a category. On a change, empty fields keep their value.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "新增或修改风险人员类别：代码（新增时必填，字母数字，不超过 30 字）、名称（不超过 100 字）、分组、适用对象（全部/民警/辅警）、默认等级（黄/橙/红）、复查间隔天数（1–365）、出口机制（`exit_ground`：排查发现＝经排查发现或升级的提示拟议出口案件，躺平摆烂＝该类提示均拟议出口案件，空串＝不拟议；修改时省略则不变）、是否停用"
)]
pub struct CategoryInput {
    #[schema(max_length = 30)]
    pub code: String,
    #[schema(max_length = 100)]
    pub name: String,
    #[schema(max_length = 30)]
    pub group: String,
    #[schema(max_length = 10)]
    pub applies_to: String,
    #[schema(max_length = 10)]
    pub default_level: String,
    pub review_days: Option<i32>,
    #[schema(max_length = 30)]
    pub visit_situation: Option<String>,
    #[schema(max_length = 10)]
    pub exit_ground: Option<String>,
    pub retired: Option<bool>,
}

/// Who may read the dictionary: anyone who works with flags or their counts.
fn require_read(actor: &Actor) -> AppResult<()> {
    if actor.can(Permission::DisciplineRiskRead) { Ok(()) } else { actor.require(Permission::DashboardRead) }
}

pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<Category>> {
    require_read(actor)?;
    let rows = category::Entity::find().order_by_asc(category::Column::Sort).all(&state.db).await?;
    let used = usage(state).await?;
    Ok(rows
        .into_iter()
        .map(|c| {
            let n = used.get(&c.id).copied().unwrap_or(0);
            Category::of(c, n)
        })
        .collect())
}

/// Flags per category, one grouped query.
async fn usage(state: &AppState) -> AppResult<std::collections::HashMap<i32, u64>> {
    use sea_orm::QuerySelect;
    let rows: Vec<(i32, i64)> = flag::Entity::find()
        .select_only()
        .column(flag::Column::CategoryId)
        .column_as(Expr::from(Func::count(Expr::col(flag::Column::Id))), "n")
        .group_by(flag::Column::CategoryId)
        .into_tuple()
        .all(&state.db)
        .await?;
    Ok(rows.into_iter().map(|(c, n)| (c, u64::try_from(n).unwrap_or(0))).collect())
}

fn check(input: &CategoryInput, new: bool, errors: &mut Vec<(String, String)>) {
    let mut push = |f: &str, m: String| errors.push((f.to_owned(), m));
    let code = input.code.trim();
    if new {
        if code.is_empty() {
            push("code", "请填写类别代码".into());
        } else if code.len() > 30 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            push("code", "类别代码只能由字母、数字和下划线组成，不超过 30 个字符".into());
        }
    }
    let name = input.name.trim();
    if new && name.is_empty() {
        push("name", "请填写类别名称".into());
    } else if let Some(m) = check_line("类别名称", name, 100) {
        push("name", m);
    }
    if let Some(m) = check_line("分组", input.group.trim(), 30) {
        push("group", m);
    }
    let applies = input.applies_to.trim();
    if !applies.is_empty() && !APPLIES.contains(&applies) {
        push("applies_to", format!("适用对象“{applies}”应为 全部、民警 或 辅警"));
    }
    let level = input.default_level.trim();
    if !level.is_empty() && !LEVELS.contains(&level) {
        push("default_level", format!("默认等级“{level}”应为 黄、橙 或 红"));
    }
    if let Some(g) = input.exit_ground.as_deref().map(str::trim)
        && !g.is_empty()
        && !EXIT_GROUNDS.contains(&g)
    {
        push("exit_ground", format!("出口机制“{g}”应为 排查发现、躺平摆烂 或留空"));
    }
    if let Some(d) = input.review_days
        && !(1..=365).contains(&d)
    {
        push("review_days", "复查间隔应为 1 至 365 天".into());
    }
}

fn or<'a>(text: &'a str, default: &'a str) -> String {
    let t = text.trim();
    if t.is_empty() { default.to_owned() } else { t.to_owned() }
}

/// Adds a category (`DisciplineWrite`): audited `risk.category`.
pub async fn create(state: &AppState, actor: &Actor, input: &CategoryInput) -> AppResult<Category> {
    actor.require(Permission::DisciplineWrite)?;
    let mut errors = Vec::new();
    check(input, true, &mut errors);
    let code = input.code.trim().to_owned();
    if errors.is_empty()
        && category::Entity::find().filter(category::Column::Code.eq(code.as_str())).one(&state.db).await?.is_some()
    {
        errors.push(("code".into(), format!("类别代码“{code}”已存在")));
    }
    if !errors.is_empty() {
        return Err(AppError::Fields(errors));
    }
    let sort = i32::try_from(category::Entity::find().count(&state.db).await?).unwrap_or(0) + 1;
    let txn = crate::db::begin_write(&state.db).await?;
    let saved = category::ActiveModel {
        code: Set(code),
        name: Set(input.name.trim().to_owned()),
        group_name: Set(or(&input.group, "其他")),
        applies_to: Set(or(&input.applies_to, "全部")),
        default_level: Set(or(&input.default_level, "黄")),
        review_days: Set(input.review_days.unwrap_or(90)),
        visit_situation: Set(input.visit_situation.clone().filter(|s| !s.trim().is_empty())),
        exit_ground: Set(input.exit_ground.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)),
        example: Set(false),
        retired: Set(input.retired.unwrap_or(false)),
        sort: Set(sort),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let event = Event::by(actor, "risk.category")
        .object("risk_category", saved.id)
        .summary(json!({"created": saved.code, "name": saved.name}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(Category::of(saved, 0))
}

/// Renames, tunes or retires a category (`DisciplineWrite`). The code stays.
pub async fn update(state: &AppState, actor: &Actor, id: i32, input: &CategoryInput) -> AppResult<Category> {
    actor.require(Permission::DisciplineWrite)?;
    let c = category::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let mut errors = Vec::new();
    check(input, false, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Fields(errors));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let mut a: category::ActiveModel = c.clone().into();
    a.name = Set(or(&input.name, &c.name));
    a.group_name = Set(or(&input.group, &c.group_name));
    a.applies_to = Set(or(&input.applies_to, &c.applies_to));
    a.default_level = Set(or(&input.default_level, &c.default_level));
    a.review_days = Set(input.review_days.unwrap_or(c.review_days));
    if let Some(s) = &input.visit_situation {
        a.visit_situation = Set(Some(s.trim().to_owned()).filter(|s| !s.is_empty()));
    }
    if let Some(g) = &input.exit_ground {
        a.exit_ground = Set(Some(g.trim().to_owned()).filter(|g| !g.is_empty()));
    }
    a.retired = Set(input.retired.unwrap_or(c.retired));
    a.example = Set(false);
    let saved = a.update(&txn).await?;
    let event = Event::by(actor, "risk.category").object("risk_category", saved.id).summary(json!({
        "code": saved.code, "name": saved.name, "retired": saved.retired, "before": c.name,
        "exit_ground": saved.exit_ground
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    let used = usage(state).await?.get(&saved.id).copied().unwrap_or(0);
    Ok(Category::of(saved, used))
}

/// Deletes a category nobody was ever flagged in; a used one is refused (retire it instead).
pub async fn delete(state: &AppState, actor: &Actor, id: i32) -> AppResult<()> {
    actor.require(Permission::DisciplineWrite)?;
    let c = category::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let txn = crate::db::begin_write(&state.db).await?;
    let used = flag::Entity::find().filter(flag::Column::CategoryId.eq(id)).count(&txn).await?;
    if used > 0 {
        return Err(AppError::conflict(
            "id",
            format!("类别“{}”已有 {used} 条风险提示使用，不能删除；如不再使用，请改为停用", c.name),
        ));
    }
    category::Entity::delete_by_id(id).exec(&txn).await?;
    let event = Event::by(actor, "risk.category").object("risk_category", id).summary(json!({"deleted": c.code}));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    Ok(())
}
