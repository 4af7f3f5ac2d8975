//! 家庭成员: a person's family members, in the family-and-care sensitive class. Read only with
//! `FamilyCareRead` over the person (or by the person themself), every read audited; changed
//! only by someone who may also change the person's record. The home visits' 五知 build on it.

pub mod api;
pub mod entity;
pub mod module;
pub mod service;
pub mod web;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::people::POLITICAL_STATUSES;

/// How a family member is related to the officer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kinship {
    Spouse,
    Father,
    Mother,
    Son,
    Daughter,
    FatherInLaw,
    MotherInLaw,
    Brother,
    Sister,
    Grandparent,
    Grandchild,
    Other,
}

impl Kinship {
    pub const ALL: [Kinship; 12] = [
        Kinship::Spouse,
        Kinship::Father,
        Kinship::Mother,
        Kinship::Son,
        Kinship::Daughter,
        Kinship::FatherInLaw,
        Kinship::MotherInLaw,
        Kinship::Brother,
        Kinship::Sister,
        Kinship::Grandparent,
        Kinship::Grandchild,
        Kinship::Other,
    ];

    /// The stored text, also what forms and the API take.
    pub fn as_str(self) -> &'static str {
        match self {
            Kinship::Spouse => "配偶",
            Kinship::Father => "父亲",
            Kinship::Mother => "母亲",
            Kinship::Son => "儿子",
            Kinship::Daughter => "女儿",
            Kinship::FatherInLaw => "岳父/公公",
            Kinship::MotherInLaw => "岳母/婆婆",
            Kinship::Brother => "兄弟",
            Kinship::Sister => "姐妹",
            Kinship::Grandparent => "祖父母/外祖父母",
            Kinship::Grandchild => "孙辈",
            Kinship::Other => "其他",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn texts() -> Vec<&'static str> {
        Self::ALL.iter().map(|k| k.as_str()).collect()
    }
}

/// Most family members one person may have registered: a guard against a runaway script,
/// far above any real family.
pub const MAX_PER_PERSON: u64 = 30;

/// What a form or an API call gives for one family member. Text throughout, so that a bad
/// value comes back as typed with a reason.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(
    description = "家庭成员：关系和姓名必填，其余可空。姓名不超过 50 字、不含数字；出生年份为 1900 年至今年的四位数字；\
    工作单位不超过 100 字，职务不超过 50 字；政治面貌取人员档案的取值；电话 7–20 位数字（可含 -）"
)]
pub struct FamilyInput {
    #[schema(required = true, schema_with = schema::relation, example = "配偶")]
    pub relation: String,
    #[schema(required = true, schema_with = schema::name, example = "李梅")]
    pub name: String,
    #[schema(schema_with = schema::birth_year, example = "1986")]
    pub birth_year: String,
    #[schema(schema_with = schema::unit, example = "市第一人民医院")]
    pub work_unit: String,
    #[schema(schema_with = schema::post, example = "护士")]
    pub post: String,
    #[schema(schema_with = schema::political_status, example = "群众")]
    pub political_status: String,
    #[schema(schema_with = schema::phone, example = "13800001111")]
    pub phone: String,
}

/// What [`validate`] accepts, for the OpenAPI document.
mod schema {
    use utoipa::openapi::{RefOr, Schema};

    use crate::openapi::schema::{line, matching, one_of};

    pub fn relation() -> RefOr<Schema> {
        one_of(&super::Kinship::texts(), false)
    }
    pub fn name() -> RefOr<Schema> {
        crate::people::schema::name()
    }
    pub fn birth_year() -> RefOr<Schema> {
        // 1900 up to this year, which the pattern cannot know: the API refuses a year after it.
        matching("^((19|20)[0-9]{2})?$")
    }
    pub fn unit() -> RefOr<Schema> {
        line(100, false)
    }
    pub fn post() -> RefOr<Schema> {
        line(50, false)
    }
    pub fn political_status() -> RefOr<Schema> {
        one_of(crate::people::POLITICAL_STATUSES, true)
    }
    pub fn phone() -> RefOr<Schema> {
        crate::people::schema::phone()
    }
}

/// A validated family member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidMember {
    pub relation: Kinship,
    pub name: String,
    pub birth_year: Option<i16>,
    pub work_unit: Option<String>,
    pub post: Option<String>,
    pub political_status: Option<String>,
    pub phone: Option<String>,
}

fn opt(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn line(
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
    errors: &mut Vec<(&'static str, String)>,
) -> Option<String> {
    let v = opt(value)?;
    if let Err(reason) = crate::text::check_line(label, &v) {
        errors.push((field, reason));
        return None;
    }
    if v.chars().count() > max {
        errors.push((field, format!("{label}不能超过 {max} 个字")));
        return None;
    }
    Some(v)
}

/// Checks every field and returns all problems at once.
pub fn validate(input: &FamilyInput, today: NaiveDate) -> Result<ValidMember, Vec<(&'static str, String)>> {
    use chrono::Datelike;
    let mut errors = Vec::new();
    let relation = match opt(&input.relation) {
        None => {
            errors.push(("relation", "请选择与本人的关系".to_owned()));
            None
        }
        Some(r) => Kinship::parse(&r).or_else(|| {
            errors.push(("relation", format!("关系“{r}”无效，可选：{}", Kinship::texts().join("、"))));
            None
        }),
    };
    let name = input.name.trim().to_owned();
    if let Err(reason) = crate::people::check_name(&name, "请填写家庭成员的姓名") {
        errors.push(("name", reason));
    }
    let birth_year = match opt(&input.birth_year) {
        None => None,
        Some(y) => match y.parse::<i16>() {
            Ok(year) if (1900..=today.year()).contains(&i32::from(year)) && y.len() == 4 => Some(year),
            _ => {
                errors.push(("birth_year", format!("出生年份“{y}”应为 1900 年至 {} 年之间的四位数字", today.year())));
                None
            }
        },
    };
    let work_unit = line("work_unit", "工作单位", &input.work_unit, 100, &mut errors);
    let post = line("post", "职务", &input.post, 50, &mut errors);
    let political_status = opt(&input.political_status);
    if let Some(p) = &political_status
        && !POLITICAL_STATUSES.contains(&p.as_str())
    {
        errors.push(("political_status", format!("政治面貌“{p}”无效，可选：{}", POLITICAL_STATUSES.join("、"))));
    }
    let phone = opt(&input.phone);
    if let Some(reason) = phone.as_deref().and_then(|p| crate::people::check_phone(p).err()) {
        errors.push(("phone", reason));
    }
    match relation {
        Some(relation) if errors.is_empty() => {
            Ok(ValidMember { relation, name, birth_year, work_unit, post, political_status, phone })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    #[test]
    fn a_family_member_needs_a_relation_and_a_name_and_nothing_else() {
        let ok =
            validate(&FamilyInput { relation: "配偶".into(), name: " 李梅 ".into(), ..Default::default() }, today());
        let ok = ok.unwrap();
        assert_eq!((ok.relation, ok.name.as_str(), ok.birth_year), (Kinship::Spouse, "李梅", None));
        let fields = |input: FamilyInput| -> Vec<&'static str> {
            validate(&input, today()).unwrap_err().into_iter().map(|(f, _)| f).collect()
        };
        assert_eq!(fields(FamilyInput::default()), ["relation", "name"]);
        let bad = FamilyInput {
            relation: "表哥".into(),
            name: "李3".into(),
            birth_year: "2027".into(),
            political_status: "党员".into(),
            phone: "12".into(),
            work_unit: "单位\u{202e}".into(),
            ..Default::default()
        };
        assert_eq!(fields(bad), ["relation", "name", "birth_year", "work_unit", "political_status", "phone"]);
        assert_eq!(
            fields(FamilyInput {
                relation: "父亲".into(),
                name: "李强".into(),
                birth_year: "0195".into(),
                ..Default::default()
            }),
            ["birth_year"]
        );
    }
}
