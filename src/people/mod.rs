//! People (民辅警): one record per person, the master data every other module hangs on.
//! Validation is a pure function over the input so that the forms, the API and the Excel
//! import report the same Chinese reasons for the same mistakes.

pub mod api;
pub mod entity;
pub mod idcard;
pub mod import;
pub mod import_sheet;
mod import_units;
pub mod import_web;
pub mod module;
pub mod profile;
pub mod records;
pub mod search;
pub mod service;
pub mod store;
pub mod web;

use chrono::{Datelike, NaiveDate};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Deserialize;

use crate::auth::{Actor, Permission};
use crate::error::AppResult;
use crate::state::AppState;

/// Where the roster keeps a copy of an organization's path: `crate::db::org_paths` rewrites it
/// when the tree changes (a person follows a merge, with `org_id`).
pub const ORG_PATH_COLUMNS: &[crate::db::org_paths::PathColumn] =
    &[crate::db::org_paths::PathColumn::new("persons", "org_path").with_org_id("org_id")];

/// [`service::on_org_change`] in the shape `crate::db::org_paths::hooks` lists.
pub fn on_org_change<'a>(
    txn: &'a sea_orm::DatabaseTransaction,
    change: &'a crate::db::org_paths::OrgChange,
) -> crate::db::org_paths::HookFuture<'a> {
    Box::pin(service::on_org_change(txn, change))
}

use crate::db::stored_text;

stored_text! {
    /// 人员类别.
    PersonKind {
        Police = "民警" => "民警",
        Auxiliary = "辅警" => "辅警",
        Worker = "工勤" => "工勤",
    }
}

stored_text! {
    /// 在职状态.
    EmploymentStatus {
        Serving = "在职" => "在职",
        TransferredAway = "调离" => "调离",
        Retired = "退休" => "退休",
        Dismissed = "辞退" => "辞退",
        Expelled = "开除" => "开除",
        Resigned = "离职" => "离职",
        /// A 辅警 whose labour contract the bureau ended (辅警管理办法, research/domain.md §6.3):
        /// not a resignation, nor a 民警's 辞退 (a civil-service term).
        ContractEnded = "解除劳动合同" => "解除劳动合同",
        /// A 辅警 returned to the labour-dispatch agency that employs them (§6.3).
        ReturnedToAgency = "退回派遣" => "退回派遣",
        Deceased = "去世" => "去世",
        /// Died on duty (因公牺牲): a death like 去世 for every rule, kept apart so that the
        /// bureau's care for the families (春节 and 警察节 visits) can find them.
        DiedOnDuty = "因公牺牲" => "因公牺牲",
    }
}

stored_text! {
    /// 政治面貌.
    PoliticalStatus {
        Member = "中共党员" => "中共党员",
        Probationary = "中共预备党员" => "中共预备党员",
        Candidate = "发展对象" => "发展对象",
        Activist = "入党积极分子" => "入党积极分子",
        League = "共青团员" => "共青团员",
        Masses = "群众" => "群众",
        Democratic = "民主党派" => "民主党派",
    }
}

/// The texts of [`PersonKind`], [`EmploymentStatus`] and [`PoliticalStatus`], for option
/// lists and messages (a unit test keeps them equal to the enums).
pub const KINDS: &[&str] = &["民警", "辅警", "工勤"];
pub const EMPLOYMENT_STATUSES: &[&str] =
    &["在职", "调离", "退休", "辞退", "开除", "离职", "解除劳动合同", "退回派遣", "去世", "因公牺牲"];
pub const POLITICAL_STATUSES: &[&str] =
    &["中共党员", "中共预备党员", "发展对象", "入党积极分子", "共青团员", "群众", "民主党派"];
pub const EDUCATIONS: &[&str] = &["研究生", "大学本科", "大学专科", "中等专科", "高中", "初中及以下"];
pub const ETHNICITIES: &[&str] = &[
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
];

pub use crate::text::initials;

/// `**************123X`: enough to tell people apart in a list. Region and birth date stay
/// hidden, because lists also show the birth date and the two together would give the number.
pub fn mask_id(id: &str) -> String {
    let n = id.chars().count();
    if n <= 4 {
        return "*".repeat(n);
    }
    let tail: String = id.chars().skip(n - 4).collect();
    format!("{}{tail}", "*".repeat(n - 4))
}

/// The birth date as a viewer may see it: in full with the identity permission (it is digits
/// 7–14 of the ID number), otherwise the year only — with the masked number's last four and the
/// gender, a full date would leave little of the number unknown.
pub fn birth_shown(date: NaiveDate, full: bool) -> String {
    if full { date.to_string() } else { format!("{}年", date.format("%Y")) }
}

/// What a form, an API call or an import row gives for one person. Text throughout, so that a
/// bad value comes back as typed with a reason, never as a parse failure.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(description = "人员档案（建档和修改相同，修改时是整条记录）。字段都是字符串（`org_id` 为整数或数字字符串），\
    未给的字段视为空，未知字段被忽略。规则：姓名不超过 50 字、不含数字；人员类别为民警、辅警、工勤；警号 4–12 位数字，民警必填；\
        身份证号 18 位、校验位正确；性别、出生日期可省略，给出时须与身份证号一致；民族为规范名称；学历为研究生、大学本科、大学专科、\
        中等专科、高中、初中及以下；电话 7–20 位数字（可含 -）；所在党组织须在调用者可写范围内；政治面貌为中共党员、中共预备党员、\
        发展对象、入党积极分子、共青团员、群众、民主党派；在职状态为在职、调离、退休、辞退、开除、离职、去世、因公牺牲，不是在职时须填状态变动日期；\
        日期为 `YYYY-MM-DD`，不晚于今天。")]
pub struct PersonInput {
    #[schema(required = true, schema_with = schema::name, example = "张三")]
    pub name: String,
    #[schema(required = true, schema_with = schema::kind, example = "民警")]
    pub kind: String,
    #[schema(schema_with = schema::police_no, example = "200001")]
    pub police_no: String,
    #[schema(required = true, schema_with = schema::id_number, example = "370202199001011237")]
    pub id_number: String,
    /// Optional: checked against the ID number when given.
    #[schema(schema_with = schema::gender)]
    pub gender: String,
    /// Optional: checked against the ID number when given.
    #[schema(schema_with = crate::openapi::schema::date)]
    pub birth_date: String,
    #[schema(schema_with = schema::ethnicity)]
    pub ethnicity: String,
    #[schema(schema_with = schema::education)]
    pub education: String,
    #[schema(schema_with = schema::phone)]
    pub phone: String,
    #[serde(deserialize_with = "crate::ui::params::opt_i32")]
    #[schema(required = true, value_type = i32, minimum = 1, example = 10)]
    pub org_id: Option<i32>,
    #[schema(schema_with = schema::unit)]
    pub unit: String,
    #[schema(schema_with = schema::position)]
    pub position: String,
    #[schema(required = true, schema_with = schema::political_status, example = "群众")]
    pub political_status: String,
    #[schema(required = true, schema_with = schema::employment_status, example = "在职")]
    pub employment_status: String,
    #[schema(schema_with = crate::openapi::schema::date)]
    pub status_since: String,
    #[schema(schema_with = crate::openapi::schema::date)]
    pub joined_police_on: String,
}

/// What [`validate`] accepts, field by field, for the OpenAPI document.
pub(crate) mod schema {
    use utoipa::openapi::{RefOr, Schema};

    use crate::openapi::schema::{line, matching, matching_max, one_of};

    pub fn name() -> RefOr<Schema> {
        // No digits, at most 50 characters, one line with something in it.
        let forbidden = r"0-9\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069";
        matching_max(&format!(r"^[^{forbidden}]*[^\s{forbidden}][^{forbidden}]*$"), 50)
    }
    pub fn kind() -> RefOr<Schema> {
        one_of(super::KINDS, false)
    }
    pub fn police_no() -> RefOr<Schema> {
        matching("^([0-9]{4,12})?$")
    }
    pub fn id_number() -> RefOr<Schema> {
        // The check digit (GB 11643) and the birth date inside are checked too.
        matching("^[0-9]{17}[0-9Xx]$")
    }
    pub fn gender() -> RefOr<Schema> {
        one_of(&["男", "女"], true)
    }
    pub fn ethnicity() -> RefOr<Schema> {
        one_of(super::ETHNICITIES, true)
    }
    pub fn education() -> RefOr<Schema> {
        one_of(super::EDUCATIONS, true)
    }
    pub fn phone() -> RefOr<Schema> {
        matching("^([0-9-]{7,20})?$")
    }
    pub fn unit() -> RefOr<Schema> {
        line(100, false)
    }
    pub fn position() -> RefOr<Schema> {
        line(50, false)
    }
    pub fn political_status() -> RefOr<Schema> {
        one_of(super::POLITICAL_STATUSES, false)
    }
    pub fn employment_status() -> RefOr<Schema> {
        one_of(super::EMPLOYMENT_STATUSES, false)
    }
}

/// A validated person, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPerson {
    pub name: String,
    pub kind: String,
    pub police_no: Option<String>,
    pub id_number: String,
    pub gender: String,
    pub birth_date: NaiveDate,
    pub ethnicity: Option<String>,
    pub education: Option<String>,
    pub phone: Option<String>,
    pub org_id: i32,
    pub unit: Option<String>,
    /// The listed unit `unit` names (set by the caller that resolved it; see `orgs::units`).
    pub unit_id: Option<i32>,
    pub position: Option<String>,
    pub political_status: String,
    pub employment_status: String,
    pub status_since: Option<NaiveDate>,
    pub joined_police_on: Option<NaiveDate>,
}

impl ValidPerson {
    /// What membership rules look at in this record (`crate::module::RosterRules::check_change`).
    pub fn roster_change(&self) -> crate::module::RosterChange<'_> {
        crate::module::RosterChange {
            political_status: &self.political_status,
            org_id: self.org_id,
            employment_status: &self.employment_status,
        }
    }
}

/// Field name → Chinese label (for messages and the import's column names).
pub const FIELD_LABELS: &[(&str, &str)] = &[
    ("name", "姓名"),
    ("kind", "人员类别"),
    ("police_no", "警号"),
    ("id_number", "身份证号"),
    ("gender", "性别"),
    ("birth_date", "出生日期"),
    ("ethnicity", "民族"),
    ("education", "学历"),
    ("phone", "联系电话"),
    ("org_id", "所在党组织"),
    ("unit", "工作单位"),
    ("position", "职务"),
    ("political_status", "政治面貌"),
    ("employment_status", "在职状态"),
    ("status_since", "状态变动日期"),
    ("joined_police_on", "参加公安工作时间"),
];

pub fn field_label(field: &str) -> &str {
    FIELD_LABELS.iter().find(|(f, _)| *f == field).map_or(field, |(_, l)| l)
}

fn opt(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

// Dates typed into forms follow one rule for every domain (`orgs` reads terms with it too).
pub use crate::text::parse_date;

fn one_of(
    field: &'static str,
    value: &str,
    allowed: &[&str],
    required: bool,
    errors: &mut Vec<(&'static str, String)>,
) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        if required {
            errors.push((field, format!("请填写{}", field_label(field))));
        }
        return None;
    }
    if allowed.contains(&v) {
        Some(v.to_owned())
    } else {
        errors.push((field, format!("{}“{v}”无效，可选：{}", field_label(field), allowed.join("、"))));
        None
    }
}

fn text(field: &'static str, value: &str, max: usize, errors: &mut Vec<(&'static str, String)>) -> Option<String> {
    let v = opt(value)?;
    if let Err(reason) = crate::text::check_line(field_label(field), &v) {
        errors.push((field, reason));
        return None;
    }
    if v.chars().count() > max {
        errors.push((field, format!("{}不能超过 {max} 个字", field_label(field))));
        return None;
    }
    Some(v)
}

/// A person's name (an officer's or a family member's), trimmed: one line, no digits, at most
/// 50 characters; `missing` says what to do when it is empty.
pub fn check_name(name: &str, missing: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(missing.to_owned());
    }
    crate::text::check_line("姓名", name)?;
    if name.chars().count() > 50 || name.chars().any(|c| c.is_ascii_digit()) {
        return Err("姓名不能含数字，且不超过 50 个字".to_owned());
    }
    Ok(())
}

/// A phone number: 7–20 digits, dashes allowed.
pub fn check_phone(phone: &str) -> Result<(), String> {
    if phone.chars().all(|c| c.is_ascii_digit() || c == '-') && (7..=20).contains(&phone.len()) {
        Ok(())
    } else {
        Err(format!("联系电话“{phone}”应为 7–20 位数字（可含 -）"))
    }
}

/// Checks every field and returns all problems at once (a form shows each next to its field,
/// an import lists them per row and column).
pub fn validate(input: &PersonInput, today: NaiveDate) -> Result<ValidPerson, Vec<(&'static str, String)>> {
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let name = input.name.trim().to_owned();
    if let Err(reason) = check_name(&name, "请填写姓名") {
        errors.push(("name", reason));
    }
    let kind = one_of("kind", &input.kind, KINDS, true, &mut errors);
    let police_no = opt(&input.police_no);
    if let Some(no) = &police_no
        && (!no.chars().all(|c| c.is_ascii_digit()) || !(4..=12).contains(&no.len()))
    {
        errors.push(("police_no", format!("警号“{no}”应为 4–12 位数字")));
    }
    if kind.as_deref().and_then(PersonKind::parse) == Some(PersonKind::Police) && police_no.is_none() {
        errors.push(("police_no", "民警须填写警号".into()));
    }
    let id_number = input.id_number.trim().to_ascii_uppercase();
    let id_info = if id_number.is_empty() {
        errors.push(("id_number", "请填写身份证号".into()));
        None
    } else {
        match idcard::parse(&id_number) {
            Ok(info) => Some(info),
            Err(reason) => {
                errors.push(("id_number", reason.to_owned()));
                None
            }
        }
    };
    if let Some(info) = &id_info {
        let derived_gender = if info.male { "男" } else { "女" };
        let given = input.gender.trim();
        if !given.is_empty() && given != derived_gender {
            errors.push(("gender", format!("性别“{given}”与身份证号不符（应为{derived_gender}）")));
        }
        match parse_date(&input.birth_date) {
            Ok(Some(d)) if d != info.birth_date => {
                errors.push(("birth_date", format!("出生日期 {d} 与身份证号不符（应为 {}）", info.birth_date)))
            }
            Err(e) => errors.push(("birth_date", e)),
            _ => {}
        }
        if info.birth_date > today {
            errors.push(("id_number", "身份证号中的出生日期晚于今天".into()));
        }
    }
    let ethnicity = one_of("ethnicity", &input.ethnicity, ETHNICITIES, false, &mut errors);
    let education = one_of("education", &input.education, EDUCATIONS, false, &mut errors);
    let phone = opt(&input.phone);
    if let Some(reason) = phone.as_deref().and_then(|p| check_phone(p).err()) {
        errors.push(("phone", reason));
    }
    if input.org_id.is_none() {
        errors.push(("org_id", "请选择所在党组织".into()));
    }
    let unit = text("unit", &input.unit, 100, &mut errors);
    let position = text("position", &input.position, 50, &mut errors);
    let political_status = one_of("political_status", &input.political_status, POLITICAL_STATUSES, true, &mut errors);
    let employment_status =
        one_of("employment_status", &input.employment_status, EMPLOYMENT_STATUSES, true, &mut errors);
    let status_since = parse_date(&input.status_since).unwrap_or_else(|e| {
        errors.push(("status_since", e));
        None
    });
    if status_since.is_some_and(|d| d > today) {
        errors.push(("status_since", "状态变动日期不能晚于今天".into()));
    }
    if let (Some(s @ (EmploymentStatus::ContractEnded | EmploymentStatus::ReturnedToAgency)), Some(k)) =
        (employment_status.as_deref().and_then(EmploymentStatus::parse), kind.as_deref())
        && k != PersonKind::Auxiliary.as_str()
    {
        errors.push(("employment_status", format!("在职状态“{}”只适用于辅警，此人是{k}", s.as_str())));
    }
    if employment_status.as_deref().and_then(EmploymentStatus::parse).is_some_and(|s| s != EmploymentStatus::Serving)
        && status_since.is_none()
    {
        errors.push(("status_since", "离开在职状态时须填写变动日期".into()));
    }
    let joined_police_on = parse_date(&input.joined_police_on).unwrap_or_else(|e| {
        errors.push(("joined_police_on", e));
        None
    });
    if let (Some(joined), Some(info)) = (joined_police_on, &id_info) {
        if joined > today {
            errors.push(("joined_police_on", "参加公安工作时间不能晚于今天".into()));
        }
        let age = joined.year() - info.birth_date.year() - i32::from(joined.ordinal() < info.birth_date.ordinal());
        if age < 16 {
            errors.push(("joined_police_on", format!("参加公安工作时仅 {age} 岁，请核对日期")));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(kind), Some(info), Some(political_status), Some(employment_status), Some(org_id)) =
        (kind, id_info, political_status, employment_status, input.org_id)
    else {
        return Err(vec![("name", "数据不完整".into())]);
    };
    Ok(ValidPerson {
        name,
        kind,
        police_no,
        id_number,
        gender: if info.male { "男" } else { "女" }.to_owned(),
        birth_date: info.birth_date,
        ethnicity,
        education,
        phone,
        org_id,
        unit,
        unit_id: None,
        position,
        political_status,
        employment_status,
        status_since,
        joined_police_on,
    })
}

/// The warning for a 所在单位 the unit list does not know by name or alias: the record keeps it
/// as typed, not linked to a unit — incomplete data, so a warning, not an error. The same words
/// in the form, the API and the import, with the closest listed units.
pub fn unknown_unit(typed: &str, units: &crate::orgs::units::UnitIndex) -> Option<String> {
    let typed = typed.trim();
    if typed.is_empty() || units.find(typed).is_some() {
        return None;
    }
    let near = units.closest(typed, 3);
    let near = if near.is_empty() { String::new() } else { format!("（相近的有：{}）", near.join("、")) };
    Some(format!("单位名单中没有“{typed}”{near}"))
}

/// Names of the given people by id, in a few queries however many ids.
pub async fn names<C: sea_orm::ConnectionTrait>(
    db: &C,
    ids: &[i32],
) -> AppResult<std::collections::HashMap<i32, String>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        for p in entity::Entity::find().filter(entity::Column::Id.is_in(chunk.to_vec())).all(db).await? {
            out.insert(p.id, p.name);
        }
    }
    Ok(out)
}

/// How many people (not deleted) the actor's person-read scope holds.
pub async fn count_in_scope(state: &AppState, actor: &Actor) -> AppResult<u64> {
    let scope = actor.scope(Permission::PersonRead);
    Ok(entity::Entity::find()
        .filter(crate::db::scope::in_scope(entity::Column::OrgPath, &scope))
        .filter(entity::Column::DeletedAt.is_null())
        .count(&state.db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_lists_are_the_enums() {
        let texts = |all: Vec<&'static str>| all;
        assert_eq!(texts(PersonKind::ALL.iter().map(|k| k.as_str()).collect()), KINDS);
        assert_eq!(texts(EmploymentStatus::ALL.iter().map(|k| k.as_str()).collect()), EMPLOYMENT_STATUSES);
        assert_eq!(texts(PoliticalStatus::ALL.iter().map(|k| k.as_str()).collect()), POLITICAL_STATUSES);
    }

    fn good() -> PersonInput {
        PersonInput {
            name: "张三".into(),
            kind: "民警".into(),
            police_no: "100123".into(),
            id_number: "11010519491231002x".into(),
            org_id: Some(3),
            political_status: "中共党员".into(),
            employment_status: "在职".into(),
            ..Default::default()
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    #[test]
    fn derives_gender_and_birth_from_the_id_number() {
        let v = validate(&good(), today()).unwrap();
        assert_eq!(v.gender, "女");
        assert_eq!(v.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(v.id_number, "11010519491231002X");
    }

    #[test]
    fn reports_every_problem_with_its_field() {
        let mut bad = good();
        bad.id_number = "110105194912310021".into();
        bad.police_no = String::new();
        bad.kind = "协警".into();
        bad.employment_status = "退休".into();
        let errors = validate(&bad, today()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec!["kind", "id_number", "status_since"]);
        assert!(errors[1].1.contains("校验位"));

        let mut wrong = good();
        wrong.gender = "男".into();
        wrong.birth_date = "1950-01-01".into();
        wrong.joined_police_on = "1960-07-01".into();
        let errors = validate(&wrong, today()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec!["gender", "birth_date", "joined_police_on"]);
    }

    #[test]
    fn control_and_direction_characters_are_refused_in_names_and_text() {
        let mut bad = good();
        bad.name = "张\u{202E}三".into();
        bad.unit = "中山路\n派出所".into();
        bad.position = "所长\u{0}".into();
        let errors = validate(&bad, today()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, vec!["name", "unit", "position"]);
        assert!(errors[0].1.contains("U+202E") && errors[2].1.contains("U+0000"), "{errors:?}");
        let mut bad = good();
        bad.id_number = "1101051949123100é".into();
        let errors = validate(&bad, today()).unwrap_err();
        assert_eq!(errors[0].0, "id_number");
    }

    #[test]
    fn initials_and_masking() {
        assert_eq!(initials("张三"), "zs");
        assert_eq!(initials("欧阳明月"), "oymy");
        assert_eq!(initials("李A"), "la");
        assert_eq!(mask_id("11010519491231002X"), "**************002X");
    }
}
