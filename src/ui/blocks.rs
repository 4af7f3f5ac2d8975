//! Building blocks every domain may contribute with, and the assemblers (工作台, 一人一档)
//! put together: a to-do item, a key figure, a profile section and its rows. They live here,
//! below the domains, so that no domain imports the home page or the profile.

/// One line of the home page's to-do list.
pub struct Todo {
    pub title: String,
    pub href: String,
    pub due: Option<String>,
    /// `high`, `normal`: a CSS modifier.
    pub urgency: &'static str,
}

/// A key figure of the home page, computed from records.
pub struct Figure {
    pub label: &'static str,
    pub value: String,
    pub href: String,
}

/// One row of a profile section: a Chinese label and the value shown. A sensitive value is
/// shown masked and names its `field`, which a reveal request asks for.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(description = "档案中的一行：中文标签和显示的值。敏感字段默认遮蔽显示，`field` 给出其代码，\
    完整的值须经 `POST /persons/{id}/reveal` 查看（记审计）")]
pub struct Row {
    #[schema(value_type = String, example = "姓名")]
    pub label: &'static str,
    pub value: String,
    /// The sensitive field this (masked) value is, when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "id_number")]
    pub field: Option<&'static str>,
}

impl Row {
    pub fn new(label: &'static str, value: impl Into<String>) -> Self {
        Self { label, value: value.into(), field: None }
    }

    /// A sensitive value, shown masked until revealed.
    pub fn masked(field: &SensitiveField, masked: impl Into<String>) -> Self {
        Self { label: field.label, value: masked.into(), field: Some(field.code) }
    }
}

/// A part of a person's profile, contributed by one domain.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(
    description = "档案的一部分：basic 基本信息、work 工作情况、party 党员信息（有党员档案时）、identity 身份与联系方式。\
        `sensitive` 为 true 时该部分含敏感字段（默认遮蔽）"
)]
pub struct Section {
    #[schema(value_type = String, example = "basic")]
    pub id: &'static str,
    #[schema(value_type = String, example = "基本信息")]
    pub title: &'static str,
    /// Holds sensitive fields: shown with a "敏感" mark.
    pub sensitive: bool,
    pub rows: Vec<Row>,
}

/// A sensitive field of a person's record that a domain shows masked and reveals on request.
#[derive(Debug, Clone, Copy, serde::Serialize, utoipa::ToSchema)]
#[schema(description = "可查看的敏感字段：代码、中文名、类别")]
pub struct SensitiveField {
    #[schema(value_type = String, example = "id_number")]
    pub code: &'static str,
    #[schema(value_type = String, example = "身份证号")]
    pub label: &'static str,
    pub class: crate::auth::SensitiveClass,
}

/// The person a profile is about, as every domain's contribution needs them: authorized for
/// reading by the people domain before any contribution is asked.
#[derive(Debug, Clone)]
pub struct Subject {
    pub id: i32,
    pub name: String,
    pub org_id: Option<i32>,
    /// `/` for a person without an organization.
    pub org_path: String,
    /// The viewer is this person.
    pub own: bool,
    /// The viewer may change the record.
    pub can_edit: bool,
    /// The name of the person's organization, as the heading already read it.
    pub org_name: String,
    /// The record the subject was read from, for its own domain to reuse instead of reading it
    /// again (the people domain downcasts it); other domains ignore it.
    pub record: Option<std::sync::Arc<dyn std::any::Any + Send + Sync>>,
}

/// One option of a `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    /// Options whose value is also their label (kinds, statuses), `selected` marked.
    pub fn texts(values: &[&str], selected: &str) -> Vec<Choice> {
        values.iter().map(|v| Choice { value: (*v).into(), label: (*v).into(), selected: *v == selected }).collect()
    }

    /// Organizations (id, name) as options, `selected` marked.
    pub fn orgs(options: Vec<(i32, String)>, selected: Option<i32>) -> Vec<Choice> {
        options
            .into_iter()
            .map(|(id, label)| Choice { value: id.to_string(), label, selected: Some(id) == selected })
            .collect()
    }
}
