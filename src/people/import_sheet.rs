//! Reading a roster spreadsheet: the columns the import knows and the headers people give
//! them, finding the header row under titles, turning each row's cells into clean text on a
//! blocking thread, and the template to fill in. The planning and writing are in `import`.

use tokio::sync::mpsc;

use super::field_label;
use crate::error::AppResult;
use crate::io::table::{self, Column, Spec};
pub(super) use crate::io::table::{CHANNEL_ROWS, Parsed, RowValues};

/// Import columns: field, the template's header, and other headers people use for it.
pub const COLUMNS: &[(&str, &str, &[&str])] = &[
    ("name", "姓名", &[]),
    ("kind", "人员类别", &["人员类型", "类别", "身份类别"]),
    ("police_no", "警号", &["警员编号"]),
    ("id_number", "身份证号", &["身份证号码", "公民身份号码", "身份证", "证件号码"]),
    ("gender", "性别", &[]),
    ("birth_date", "出生日期", &["出生年月"]),
    ("ethnicity", "民族", &[]),
    ("education", "学历", &["文化程度", "最高学历"]),
    ("phone", "联系电话", &["手机号", "手机号码", "电话", "联系方式"]),
    ("org", "所在党组织", &["党组织", "所在支部", "党支部", "所属党组织"]),
    ("unit", "所在单位", &["单位", "工作单位", "部门", "工作部门"]),
    ("position", "职务", &[]),
    // 职级/警衔 are the police domain's columns now (`crate::module::roster_columns`).
    ("political_status", "政治面貌", &[]),
    ("employment_status", "在职状态", &["人员状态", "状态"]),
    ("status_since", "状态变动日期", &["变动日期"]),
    ("joined_police_on", "参加公安工作时间", &["参加工作时间", "入警时间", "入警日期"]),
    ("joined_party_on", "入党日期", &["入党时间"]),
    ("full_party_on", "转正日期", &["转正时间"]),
];

/// How the roster import reads a sheet (see [`crate::io::table`]).
pub static SPEC: Spec = Spec {
    columns: COLUMNS,
    more: higher_columns,
    required: &["name", "id_number"],
    required_hint: "表头须含“姓名”和“身份证号”",
    dates: &["birth_date", "status_since", "joined_police_on", "joined_party_on", "full_party_on"],
    compact: &["name", "id_number", "police_no", "phone"],
    check: Some(check_cell),
};

/// The columns higher domains keep (see `crate::module::RosterColumns`): the template's and
/// the older headers the import still reads.
fn higher_columns() -> Vec<&'static Column> {
    crate::module::roster_columns().iter().flat_map(|d| d.columns.iter().chain(d.also_read.iter())).collect()
}

/// The roster's own columns, then those higher domains keep in the template.
fn template_columns() -> impl Iterator<Item = &'static Column> {
    COLUMNS.iter().chain(crate::module::roster_columns().iter().flat_map(|d| d.columns.iter()))
}

/// An ID number Excel turned into scientific notation has lost its last digits.
fn check_cell(field: &str, text: &str) -> Option<String> {
    (field == "id_number" && (text.contains('E') || text.contains('e')) && text.contains('+'))
        .then(|| format!("身份证号写成了科学计数法（{text}），末几位已丢失；请把该列设为“文本”后重新填写"))
}

pub(super) fn column_label(field: &str) -> &str {
    SPEC.all().find(|(f, _, _)| *f == field).map_or_else(|| field_label(field), |(_, label, _)| label)
}

/// Reads the first sheet within the upload limits and sends the header and then each row, as
/// text, to the planner (on a blocking thread).
pub(super) fn read_rows(
    bytes: &[u8],
    limits: &crate::config::UploadLimits,
    tx: &mpsc::Sender<AppResult<Parsed>>,
) -> AppResult<()> {
    table::read_rows(&SPEC, bytes, limits, tx)
}

/// The template: a note, the columns in order and one example row, every cell formatted as
/// text so that numbers keep their digits.
pub fn template() -> AppResult<Vec<u8>> {
    let example = |field: &str| match field {
        "name" => "张三",
        "kind" => "民警",
        "police_no" => "100001",
        "id_number" => "370202198503151235",
        "gender" => "男",
        "birth_date" => "1985-03-15",
        "ethnicity" => "汉族",
        "education" => "大学",
        "phone" => "13800000000",
        "org" => "中山路派出所党支部",
        "unit" => "中山路派出所",
        "position" => "社区民警",
        "political_status" => "中共党员",
        "employment_status" => "在职",
        "joined_police_on" => "2008-07-01",
        "joined_party_on" => "2010-06-01",
        "full_party_on" => "2011-06-01",
        _ => "",
    };
    let headers: Vec<&str> = template_columns().map(|(_, h, _)| *h).collect();
    let row: Vec<&str> = template_columns().map(|(f, _, _)| example(f)).collect();
    table::template(
        "民辅警",
        "民辅警名册导入模板（第 3 行为示例，导入前请删除）：姓名、身份证号、人员类别、政治面貌为必填，所在党组织为空时按所在单位取覆盖它的党组织；民警须填警号；日期可写 2019-05-01、2019/5/1、2019.05 或 2019年5月",
        &headers,
        &[&row],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_row_fills_every_column() {
        assert!(template().is_ok());
        assert_eq!(SPEC.label("joined_police_on"), "参加公安工作时间");
    }
}
