//! Writing sanctions: record one (开除党籍 ends the membership in the same transaction), and
//! 撤销 or 变更 one on appeal (the row stays, its effects are void; a change adds the record that
//! replaces it). Every problem with the input is reported at once, nothing is half-saved.

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::entity::{commitment, sanction};
use super::rules::{Category, Class, Ground, Kind, Source, Status, influence_until};
use super::service::{self, Sanction};
use crate::audit::{self, Event};
use crate::auth::guard::{self, Sensitivity, Target};
use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::module::{SanctionRecorded, sanction_listeners};
use crate::party::MemberStatus;
use crate::people::PersonKind;
use crate::state::AppState;
use crate::text::parse_date;

pub const MAX_FACTS: usize = 2000;
pub const MAX_DECIDED_BY: usize = 100;
pub const MAX_DOC_NO: usize = 50;
pub const MAX_REASON: usize = 500;

/// What a form or an API call gives for a new record. Text throughout (numbers may come as
/// numbers in JSON), so a bad value comes back as typed with a reason.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "新建执纪问责记录：`kind` 为种类的中文名（如 记大过、留党察看、诫勉、谈话提醒；三种“警告”用 党纪警告、政务警告、辅警警告，\
    或写“警告”并给出 `category`）；`decided_on` 决定日期不晚于今天，`effective_on` 生效日期不早于决定日期（省略时同决定日期）；\
    `probation_years` 仅留党察看填写，1 或 2；`facts` 事实（必填，不超过 2000 字）；`decided_by` 作出决定的机关（必填）；`doc_no` 文号；\
    `source` 线索来源；`ground` 问责情形；`commitment_id` 违反的承诺条目",
    example = json!({"person_id": 12, "kind": "记大过", "decided_on": "2025-03-01", "effective_on": "2025-03-01",
        "facts": "违规饮酒", "decided_by": "某市公安局", "doc_no": "某公纪〔2025〕3号", "probation_years": null})
)]
pub struct SanctionInput {
    #[serde(deserialize_with = "crate::ui::params::picked")]
    #[schema(value_type = Option<i32>, example = 12)]
    pub person_id: Option<i32>,
    #[schema(required = true, schema_with = schema::kind, example = "记大过")]
    pub kind: String,
    /// Only to tell the three 警告 apart.
    #[schema(schema_with = schema::category)]
    pub category: String,
    #[schema(required = true, schema_with = crate::openapi::schema::date, example = "2025-03-01")]
    pub decided_on: String,
    #[schema(schema_with = schema::optional_date, example = "2025-03-01")]
    pub effective_on: String,
    #[schema(required = true, schema_with = schema::facts)]
    pub facts: String,
    #[schema(required = true, schema_with = schema::decided_by)]
    pub decided_by: String,
    #[schema(schema_with = schema::doc_no)]
    pub doc_no: String,
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 2)]
    pub probation_years: Option<i32>,
    #[schema(schema_with = schema::source)]
    pub source: String,
    #[schema(schema_with = schema::ground)]
    pub ground: String,
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[schema(value_type = Option<i32>)]
    pub commitment_id: Option<i32>,
}

/// What the validation accepts, for the OpenAPI document.
pub(super) mod schema {
    use utoipa::openapi::{RefOr, Schema};

    use super::super::rules::{Category, Ground, Kind, Source};
    use crate::openapi::schema::{line, matching, multiline, one_of};

    fn kinds() -> Vec<&'static str> {
        let mut all: Vec<&'static str> = Kind::ALL.iter().flat_map(|k| [k.as_str(), k.short()]).collect();
        all.sort_unstable();
        all.dedup();
        all
    }
    pub fn kind() -> RefOr<Schema> {
        one_of(&kinds(), false)
    }
    pub fn optional_kind() -> RefOr<Schema> {
        one_of(&kinds(), true)
    }
    pub fn category() -> RefOr<Schema> {
        let all: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
        one_of(&all, true)
    }
    pub fn source() -> RefOr<Schema> {
        let all: Vec<&str> = Source::ALL.iter().map(|c| c.as_str()).collect();
        one_of(&all, true)
    }
    pub fn ground() -> RefOr<Schema> {
        let mut all: Vec<&str> = Ground::ALL.iter().map(|c| c.as_str()).collect();
        all.extend(["躺平摆烂", "不担当不作为"]);
        one_of(&all, true)
    }
    pub fn action() -> RefOr<Schema> {
        one_of(&["撤销", "变更"], false)
    }
    pub fn optional_date() -> RefOr<Schema> {
        matching(r"^(\d{4}-\d{1,2}-\d{1,2})?$")
    }
    pub fn facts() -> RefOr<Schema> {
        multiline(super::MAX_FACTS, true)
    }
    pub fn reason() -> RefOr<Schema> {
        multiline(super::MAX_REASON, true)
    }
    pub fn decided_by() -> RefOr<Schema> {
        line(super::MAX_DECIDED_BY, true)
    }
    pub fn doc_no() -> RefOr<Schema> {
        line(super::MAX_DOC_NO, false)
    }
}

/// The answer of a write: the record as saved and what the writer should know.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(description = "保存后的记录和提示（提示不阻止保存）")]
pub struct Saved {
    pub sanction: Sanction,
    pub warnings: Vec<String>,
}

pub(super) type Errors = Vec<(String, String)>;

pub(super) fn push(errors: &mut Errors, field: &str, message: impl Into<String>) {
    errors.push((field.to_owned(), message.into()));
}

/// A line or multi-line text field: trimmed, bounded, without control characters.
pub(super) fn text(errors: &mut Errors, field: &str, label: &str, value: &str, max: usize, required: bool) -> String {
    let v = value.trim();
    if v.is_empty() {
        if required {
            push(errors, field, format!("请填写{label}"));
        }
        return String::new();
    }
    if v.chars().count() > max {
        push(errors, field, format!("{label}不能超过 {max} 字"));
    }
    let checked =
        if max > MAX_DECIDED_BY { crate::text::check_multiline(label, v) } else { crate::text::check_line(label, v) };
    if let Err(m) = checked {
        push(errors, field, m);
    }
    v.to_owned()
}

pub(super) fn date(errors: &mut Errors, field: &str, label: &str, value: &str) -> Option<NaiveDate> {
    match parse_date(value) {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            push(errors, field, format!("请填写{label}"));
            None
        }
        Err(e) => {
            push(errors, field, format!("{label}：{e}"));
            None
        }
    }
}

/// The decision's kind and dates, checked against the person.
struct Decision {
    kind: Kind,
    probation_years: Option<i16>,
    decided_on: NaiveDate,
    effective_on: NaiveDate,
}

/// Kind, probation and dates (fields `kind`, `category`, `probation_years`, `decided_on`,
/// `effective_on`), checked against who the person is and whether they are a Party member.
#[allow(clippy::too_many_arguments)]
fn decision(
    errors: &mut Errors,
    kind: &str,
    category: &str,
    probation: Option<i32>,
    decided: &str,
    effective: &str,
    person_kind: Option<PersonKind>,
    member: Option<MemberStatus>,
    today: NaiveDate,
) -> Option<Decision> {
    let category = match category.trim() {
        "" => None,
        c => match Category::parse(c).or_else(|| Category::parse(&format!("{c}处分"))) {
            Some(c) => Some(c),
            None => {
                let all: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                push(errors, "category", format!("类别“{c}”无效，可选：{}", all.join("、")));
                None
            }
        },
    };
    let auxiliary = person_kind == Some(PersonKind::Auxiliary);
    let kind = match Kind::resolve(kind, category, auxiliary) {
        Ok(k) => Some(k),
        Err(m) => {
            push(errors, "kind", m);
            None
        }
    };
    if let Some(k) = kind {
        if auxiliary && k.police_only() {
            push(
                errors,
                "kind",
                format!(
                    "{}只适用于民警，此人是辅警（辅警按辅警管理规定处理，如辅警警告、辅警记过、解除劳动合同）",
                    k.category().label()
                ),
            );
        }
        if !auxiliary && k.auxiliary_only() {
            push(errors, "kind", format!("“{}”是辅警处理，此人不是辅警", k.label()));
        }
        let is_member = matches!(member, Some(MemberStatus::Active | MemberStatus::Suspended));
        if k.needs_membership() && !is_member {
            let m = if k == Kind::Expulsion {
                "此人不是党员（没有组织关系正常或停止党籍的党员档案），不能给予开除党籍".to_owned()
            } else {
                format!("此人不是党员，不能给予党纪处分“{}”", k.short())
            };
            push(errors, "kind", m);
        }
    }
    let probation_years = match (kind, probation) {
        (Some(Kind::Probation), None) => {
            push(errors, "probation_years", "留党察看须写明期限：1 年或 2 年");
            None
        }
        (Some(Kind::Probation), Some(y)) if y == 1 || y == 2 => Some(y as i16),
        (Some(Kind::Probation), Some(y)) => {
            push(errors, "probation_years", format!("留党察看的期限为 1 年或 2 年，不能是 {y} 年"));
            None
        }
        (_, Some(_)) => {
            push(errors, "probation_years", "只有留党察看填写期限");
            None
        }
        (_, None) => None,
    };
    let decided_on = date(errors, "decided_on", "决定日期", decided);
    if decided_on.is_some_and(|d| d > today) {
        push(errors, "decided_on", "决定日期不能晚于今天");
    }
    let effective_on =
        if effective.trim().is_empty() { decided_on } else { date(errors, "effective_on", "生效日期", effective) };
    if let (Some(d), Some(e)) = (decided_on, effective_on)
        && e < d
    {
        push(errors, "effective_on", format!("生效日期 {e} 不能早于决定日期 {d}"));
    }
    match (kind, decided_on, effective_on) {
        (Some(kind), Some(decided_on), Some(effective_on)) => {
            Some(Decision { kind, probation_years, decided_on, effective_on })
        }
        _ => None,
    }
}

/// The person a record is about, when the actor may record for them: 403 without the
/// permission, 404 (audited when it exists) out of scope.
async fn person(state: &AppState, actor: &Actor, id: Option<i32>) -> AppResult<crate::people::entity::Model> {
    actor.require(Permission::DisciplineWrite)?;
    let id = id.ok_or_else(|| AppError::validation("person_id", "请选择人员"))?;
    let p = crate::people::store::find_live(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let path = p.org_path.clone().unwrap_or_else(|| "/".into());
    let target = Target { kind: "person", id: i64::from(p.id), org_path: &path };
    guard::check(state, actor, Permission::DisciplineWrite, Sensitivity::Normal, target).await?;
    Ok(p)
}

async fn membership(state: &AppState, person_id: i32) -> AppResult<Option<MemberStatus>> {
    Ok(crate::party::store::membership_of(&state.db, person_id).await?.map(|m| m.status))
}

/// Inserts a record and does what follows from it in `txn`: 开除党籍 ends the membership, the
/// listeners (exit, visits) react. Returns the row and what the listeners did.
async fn insert(
    txn: &DatabaseTransaction,
    state: &AppState,
    actor: &Actor,
    mut row: sanction::ActiveModel,
    d: &Decision,
    p: &crate::people::entity::Model,
) -> AppResult<(sanction::Model, Vec<String>)> {
    let now = state.clock.now_db();
    row.category = Set(d.kind.category());
    row.kind = Set(d.kind);
    row.probation_years = Set(d.probation_years);
    row.decided_on = Set(d.decided_on);
    row.effective_on = Set(d.effective_on);
    row.influence_until =
        Set(influence_until(d.kind, d.effective_on, d.probation_years.and_then(|y| u8::try_from(y).ok())));
    row.status = Set(Status::Standing);
    row.created_by = Set(Some(actor.user_id));
    row.created_at = Set(now);
    row.updated_at = Set(now);
    let saved = row.insert(txn).await?;
    if d.kind == Kind::Expulsion {
        let parts = [saved.facts.as_str(), saved.decided_by.as_str(), saved.doc_no.as_deref().unwrap_or("")];
        let short: String = parts[0].chars().take(crate::party::ending::MAX_REASON).collect();
        crate::party::ending::expel_in(txn, state, actor, p.id, d.effective_on, [&short, parts[1], parts[2]]).await?;
    }
    let event = SanctionRecorded {
        sanction_id: saved.id,
        person_id: p.id,
        kind: d.kind.as_str(),
        heavy: d.kind.class() == Class::Heavy,
        form: d.kind.form().map(|f| f.number()),
        effective_on: d.effective_on,
        org_path: saved.org_path.clone(),
    };
    let mut done = Vec::new();
    for listener in sanction_listeners() {
        done.extend(listener(txn, state, actor, &event).await?);
    }
    Ok((saved, done))
}

/// Records a sanction or other disposition.
pub async fn create(state: &AppState, actor: &Actor, input: &SanctionInput) -> AppResult<Saved> {
    let p = person(state, actor, input.person_id).await?;
    let today = state.clock.today();
    let member = membership(state, p.id).await?;
    let mut errors = Errors::new();
    let person_kind = PersonKind::parse(&p.kind);
    let d = decision(
        &mut errors,
        &input.kind,
        &input.category,
        input.probation_years,
        &input.decided_on,
        &input.effective_on,
        person_kind,
        member,
        today,
    );
    let facts = text(&mut errors, "facts", "事实", &input.facts, MAX_FACTS, true);
    let decided_by = text(&mut errors, "decided_by", "作出决定的机关", &input.decided_by, MAX_DECIDED_BY, true);
    let doc_no = text(&mut errors, "doc_no", "文号", &input.doc_no, MAX_DOC_NO, false);
    let source = match input.source.trim() {
        "" => None,
        s => Source::parse(s).or_else(|| {
            let all: Vec<&str> = Source::ALL.iter().map(|x| x.as_str()).collect();
            push(&mut errors, "source", format!("线索来源“{s}”无效，可选：{}", all.join("、")));
            None
        }),
    };
    let ground = match input.ground.trim() {
        "" => None,
        "躺平摆烂" | "不担当不作为" => Some(Ground::Inaction),
        g => Ground::parse(g).or_else(|| {
            let all: Vec<&str> = Ground::ALL.iter().map(|x| x.as_str()).collect();
            push(&mut errors, "ground", format!("问责情形“{g}”无效，可选：{}", all.join("、")));
            None
        }),
    };
    if let Some(c) = input.commitment_id {
        let found = commitment::Entity::find_by_id(c).one(&state.db).await?;
        if found.is_none_or(|c| c.retired) {
            push(&mut errors, "commitment_id", "所选承诺条目不存在或已停用");
        }
    }
    let Some(org_id) = p.org_id else {
        return Err(AppError::validation("person_id", "此人没有所在党组织，请先在名册中补充"));
    };
    let (Some(d), true) = (d, errors.is_empty()) else {
        return Err(AppError::Fields(errors));
    };
    let mut warnings = Vec::new();
    if source.is_none() {
        warnings.push("未填写线索来源，可在统计前补充".to_owned());
    }
    let standing = super::store::of_person(&state.db, p.id).await?;
    let standing: Vec<&sanction::Model> = standing.iter().filter(|s| s.status == Status::Standing).collect();
    if ground == Some(Ground::Inaction) {
        let before = standing.iter().filter(|s| s.ground == Some(Ground::Inaction)).count();
        let first_form = d.kind.category() == Category::Reminder;
        if before == 0 && !first_form {
            warnings.push(
                "此人此前没有“躺平摆烂、不担当不作为”的记录：一般先予谈话提醒、批评教育，请确认处理适当".to_owned(),
            );
        }
        if before > 0 && first_form {
            warnings.push(format!(
                "此人已有 {before} 次“躺平摆烂、不担当不作为”的记录，屡教不改的可予组织处理（诫勉、调整职务、免职等），由组织研究决定"
            ));
        }
    }
    if standing.iter().any(|s| s.kind == Kind::Probation && service::within_period(s, d.effective_on))
        && d.kind != Kind::Expulsion
    {
        warnings.push("此人在留党察看期间又受处分：按党章规定，留党察看期间坚持不改或又发现其他应当受到党纪处分的违纪行为的，应当开除党籍".to_owned());
    }
    let row = sanction::ActiveModel {
        person_id: Set(p.id),
        org_id: Set(org_id),
        org_path: Set(p.org_path.clone().unwrap_or_else(|| "/".into())),
        facts: Set(facts),
        decided_by: Set(decided_by),
        doc_no: Set(Some(doc_no).filter(|s| !s.is_empty())),
        source: Set(source),
        ground: Set(ground),
        commitment_id: Set(input.commitment_id),
        ..Default::default()
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let (saved, reactions) = insert(&txn, state, actor, row, &d, &p).await?;
    let event =
        Event::by(actor, "sanction.create").object("sanction", saved.id).org(saved.org_path.clone()).summary(json!({
            "person": p.id, "kind": d.kind.as_str(), "decided_on": d.decided_on.to_string(),
            "effective_on": d.effective_on.to_string(), "influence_until": saved.influence_until.map(|x| x.to_string()),
            "membership_ended": d.kind == Kind::Expulsion, "reactions": reactions,
        }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    let sanction = service::present(state, vec![saved]).await?.remove(0);
    Ok(Saved { sanction, warnings })
}

/// 撤销 or 变更 on appeal (申诉、复查、复核).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "申诉复查后撤销或变更：`action` 为 撤销 或 变更；`date` 复查决定日期；`reason` 理由（必填）；`decided_by` 作出复查决定的机关（必填）；\
    `doc_no` 文号；变更时 `kind`（及 `category`、`probation_years`）为变更后的种类，`effective_on` 为其生效日期（省略时沿用原生效日期）",
    example = json!({"action": "变更", "date": "2026-11-20", "reason": "复查认定情节较轻", "decided_by": "某市公安局纪委", "kind": "记过"})
)]
pub struct AppealInput {
    #[schema(required = true, schema_with = schema::action, example = "撤销")]
    pub action: String,
    #[schema(required = true, schema_with = crate::openapi::schema::date)]
    pub date: String,
    #[schema(required = true, schema_with = schema::reason)]
    pub reason: String,
    #[schema(required = true, schema_with = schema::decided_by)]
    pub decided_by: String,
    #[schema(schema_with = schema::doc_no)]
    pub doc_no: String,
    #[schema(schema_with = schema::optional_kind)]
    pub kind: String,
    #[schema(schema_with = schema::category)]
    pub category: String,
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 2)]
    pub probation_years: Option<i32>,
    #[schema(schema_with = schema::optional_date)]
    pub effective_on: String,
}

/// Standing record `id` that the actor may change (`DisciplineWrite` in scope): 404 (audited) out
/// of scope; once revoked or changed, a 409 on `field` saying it was and that it `cannot`.
pub(super) async fn standing_for_write(
    state: &AppState,
    actor: &Actor,
    id: i32,
    field: &'static str,
    cannot: &str,
) -> AppResult<sanction::Model> {
    actor.require(Permission::DisciplineWrite)?;
    let old = sanction::Entity::find_by_id(id).one(&state.db).await?.ok_or(AppError::NotFound)?;
    let target = Target { kind: "sanction", id: i64::from(id), org_path: &old.org_path };
    guard::check(state, actor, Permission::DisciplineWrite, Sensitivity::Normal, target).await?;
    if old.status != Status::Standing {
        return Err(AppError::conflict(
            field,
            format!("该记录已{}，{cannot}", old.status.label().trim_start_matches('已')),
        ));
    }
    Ok(old)
}

/// Revokes or changes a standing record. The original keeps its row with the appeal's date,
/// reason and number; its effects are void from then on (it no longer counts anywhere). A
/// change adds the replacing record, whose period is computed anew. A membership ended by a
/// revoked or changed 开除党籍 is NOT restored here: restoring a membership is the Party
/// organization's decision, registered in the membership; the answer says so.
pub async fn appeal(state: &AppState, actor: &Actor, id: i32, input: &AppealInput) -> AppResult<Saved> {
    let old = standing_for_write(state, actor, id, "action", "不能再撤销或变更").await?;
    let today = state.clock.today();
    let mut errors = Errors::new();
    let change = match input.action.trim() {
        "撤销" => false,
        "变更" => true,
        other => {
            push(&mut errors, "action", format!("复查结果“{other}”无效，应为“撤销”或“变更”"));
            false
        }
    };
    let date_v = date(&mut errors, "date", "复查决定日期", &input.date);
    if date_v.is_some_and(|d| d > today) {
        push(&mut errors, "date", "复查决定日期不能晚于今天");
    }
    if date_v.is_some_and(|d| d < old.decided_on) {
        push(&mut errors, "date", format!("复查决定日期不能早于原决定日期 {}", old.decided_on));
    }
    let reason = text(&mut errors, "reason", "理由", &input.reason, MAX_REASON, true);
    let decided_by = text(&mut errors, "decided_by", "作出复查决定的机关", &input.decided_by, MAX_DECIDED_BY, true);
    let doc_no = text(&mut errors, "doc_no", "文号", &input.doc_no, MAX_DOC_NO, false);
    let p = crate::people::store::find(&state.db, old.person_id).await?.ok_or(AppError::NotFound)?;
    let new = if change {
        // The replacement is judged as a new record on the original's person; a membership the
        // original ended no longer counts as one.
        let member = if old.kind == Kind::Expulsion { None } else { membership(state, p.id).await? };
        let decided = date_v.map(|d| d.to_string()).unwrap_or_default();
        let effective = if input.effective_on.trim().is_empty() {
            old.effective_on.to_string()
        } else {
            input.effective_on.clone()
        };
        let before = errors.len();
        let d = decision(
            &mut errors,
            &input.kind,
            &input.category,
            input.probation_years,
            &decided,
            &effective,
            PersonKind::parse(&p.kind),
            member,
            today,
        );
        if errors.len() == before
            && d.as_ref().is_some_and(|d| d.kind == old.kind && d.probation_years == old.probation_years)
        {
            push(&mut errors, "kind", "变更后的种类与原记录相同；若只是更正日期，请撤销后重新登记");
        }
        // A change keeps the original effective date unless told; it may then precede the appeal.
        errors.retain(|(f, m)| {
            !(f == "effective_on" && m.contains("不能早于决定日期") && input.effective_on.trim().is_empty())
        });
        d
    } else {
        None
    };
    let Some(on) = date_v.filter(|_| errors.is_empty() && (!change || new.is_some())) else {
        return Err(AppError::Fields(errors));
    };
    let mut warnings = Vec::new();
    if old.kind == Kind::Expulsion {
        warnings.push(
            "原处分为开除党籍：系统没有自动恢复党籍。恢复党籍须由党组织按规定作出决定，并在“党员信息”中办理".to_owned(),
        );
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let mut replacement = None;
    let mut reactions = Vec::new();
    if let Some(d) = &new {
        let row = sanction::ActiveModel {
            person_id: Set(old.person_id),
            org_id: Set(old.org_id),
            org_path: Set(old.org_path.clone()),
            facts: Set(old.facts.clone()),
            decided_by: Set(decided_by.clone()),
            doc_no: Set(Some(doc_no.clone()).filter(|s| !s.is_empty())),
            source: Set(old.source),
            ground: Set(old.ground),
            commitment_id: Set(old.commitment_id),
            replaces: Set(Some(old.id)),
            ..Default::default()
        };
        let (saved, done) = insert(&txn, state, actor, row, d, &p).await?;
        reactions = done;
        replacement = Some(saved);
    }
    let mut active: sanction::ActiveModel = old.clone().into();
    active.status = Set(if change { Status::Changed } else { Status::Revoked });
    active.status_on = Set(Some(on));
    active.status_reason = Set(Some(format!("{reason}（{decided_by}）")));
    active.status_doc = Set(Some(doc_no.clone()).filter(|s| !s.is_empty()));
    active.replaced_by = Set(replacement.as_ref().map(|r| r.id));
    active.updated_at = Set(state.clock.now_db());
    let updated = active.update(&txn).await?;
    let action = if change { "sanction.change" } else { "sanction.revoke" };
    let event = Event::by(actor, action).object("sanction", old.id).org(old.org_path.clone()).summary(json!({
        "person": old.person_id, "from": old.kind.as_str(), "to": new.as_ref().map(|d| d.kind.as_str()),
        "replaced_by": replacement.as_ref().map(|r| r.id), "date": on.to_string(), "doc_no": doc_no,
        "membership_restored": false, "reactions": reactions,
    }));
    audit::record(&txn, state.clock.as_ref(), event).await?;
    txn.commit().await?;
    let shown = replacement.unwrap_or(updated);
    let sanction = service::present(state, vec![shown]).await?.remove(0);
    Ok(Saved { sanction, warnings })
}

/// How many standing records cite a commitment (for the commitments page).
pub async fn count_for_commitment(state: &AppState, commitment_id: i32) -> AppResult<u64> {
    Ok(sanction::Entity::find()
        .filter(sanction::Column::CommitmentId.eq(commitment_id))
        .filter(sanction::Column::Status.eq(Status::Standing))
        .count(&state.db)
        .await?)
}
