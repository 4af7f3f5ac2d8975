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

/// One row of a profile section: a Chinese label and the value shown.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(description = "档案中的一行：中文标签和显示的值")]
pub struct Row {
    #[schema(value_type = String, example = "姓名")]
    pub label: &'static str,
    pub value: String,
}

/// A part of a person's profile, contributed by one domain.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(
    description = "档案的一部分：basic 基本信息、work 工作情况、party 党员信息（有党员档案时）、identity 身份与联系方式。\
        `sensitive` 为 true 时含完整身份证号和电话（查阅记审计）"
)]
pub struct Section {
    #[schema(value_type = String, example = "basic")]
    pub id: &'static str,
    #[schema(value_type = String, example = "基本信息")]
    pub title: &'static str,
    /// Shown with a "敏感" mark: its reading was audited.
    pub sensitive: bool,
    pub rows: Vec<Row>,
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
