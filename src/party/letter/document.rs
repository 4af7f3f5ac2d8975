//! The letter as a Word document: its number and dates written as the form wants them, the
//! sentences built from the facts present, and the three parts (存根, 介绍信, 回执) of the
//! standard layout (组通字〔2006〕45号). No database here: [`Facts`] is gathered by the caller.

use chrono::{Datelike, NaiveDate};
use docx_rs::{AlignmentType, Docx, Paragraph, Run, RunFonts, SpecialIndentType};

use super::VALID_DAYS;

/// A letter's number: "〔2026〕第 0012 号".
pub fn number(year: i32, seq: i32) -> String {
    format!("〔{year}〕第 {seq:04} 号")
}

const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// A number below 100 in Chinese numerals: 十, 十一, 二十, 三十.
fn chinese_number(n: u32) -> String {
    let digit = |d: u32| DIGITS[d as usize % 10];
    match n {
        0..=9 => digit(n).to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", digit(n - 10)),
        _ if n.is_multiple_of(10) => format!("{}十", digit(n / 10)),
        _ => format!("{}十{}", digit(n / 10 % 10), digit(n % 10)),
    }
}

/// A month as the form wants it written, in Chinese numerals so it cannot be altered:
/// "二〇二六年十月".
pub fn month_in_words(month: NaiveDate) -> String {
    let year: String =
        month.year().to_string().chars().filter_map(|c| c.to_digit(10)).map(|d| DIGITS[d as usize]).collect();
    format!("{year}年{}月", chinese_number(month.month()))
}

/// What a letter says, gathered once (the text is built from it without a database).
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub number: String,
    pub name: String,
    pub gender: String,
    pub age: Option<i32>,
    pub ethnicity: String,
    /// 正式党员 (`true`) or 预备党员.
    pub full: bool,
    pub id_number: String,
    pub phone: String,
    /// The branch it leaves, the organization it goes to, and the 基层党委 the receipt returns to.
    pub from: String,
    pub to: String,
    pub issuer: String,
    pub reason: String,
    pub issued_on: NaiveDate,
    pub dues_paid_to: NaiveDate,
}

impl Facts {
    fn kind(&self) -> &'static str {
        if self.full { "正式党员" } else { "预备党员" }
    }

    /// The letter's sentence, from the parts present: "张三同志（男），45岁，汉族，系中共正式党员，
    /// 身份证号码 …，由…去…，请接转组织关系。"
    pub fn introduction(&self) -> String {
        let mut parts = Vec::new();
        let gender = self.gender.trim();
        parts.push(if gender.is_empty() {
            format!("{}同志", self.name)
        } else {
            format!("{}同志（{gender}）", self.name)
        });
        if let Some(age) = self.age.filter(|a| *a > 0) {
            parts.push(format!("{age}岁"));
        }
        if !self.ethnicity.trim().is_empty() {
            parts.push(self.ethnicity.trim().to_owned());
        }
        parts.push(format!("系中共{}", self.kind()));
        if !self.id_number.trim().is_empty() {
            parts.push(format!("身份证号码{}", self.id_number.trim()));
        }
        parts.push(format!("由{}去{}", self.from, self.to));
        format!("{}，请接转组织关系。", parts.join("，"))
    }

    /// The stub's sentence: "张三同志系中共正式党员，组织关系由…转到…。"
    pub fn stub(&self) -> String {
        format!("{}同志系中共{}，组织关系由{}转到{}。", self.name, self.kind(), self.from, self.to)
    }

    /// The receipt's sentence, for the receiving organization to stamp and return.
    pub fn receipt(&self) -> String {
        format!("{}同志的党员组织关系已转达我处，特此回复。", self.name)
    }

    pub fn dues(&self) -> String {
        format!("该同志党费已交到{}。", month_in_words(self.dues_paid_to))
    }

    fn date(&self) -> String {
        let d = self.issued_on;
        format!("{}年{}月{}日", d.year(), d.month(), d.day())
    }
}

fn run(text: &str, size: usize) -> Run {
    Run::new().add_text(text).size(size).fonts(RunFonts::new().east_asia("仿宋_GB2312").ascii("Times New Roman"))
}

fn line(text: &str) -> Paragraph {
    Paragraph::new().add_run(run(text, 32))
}

fn body(text: &str) -> Paragraph {
    Paragraph::new().indent(None, Some(SpecialIndentType::FirstLine(640)), None, None).add_run(run(text, 32))
}

fn right(text: &str, size: usize) -> Paragraph {
    Paragraph::new().align(AlignmentType::Right).add_run(run(text, size))
}

fn title(text: &str) -> Paragraph {
    Paragraph::new().align(AlignmentType::Center).add_run(run(text, 40).bold())
}

fn cut() -> Paragraph {
    Paragraph::new().align(AlignmentType::Center).add_run(run("┄┄┄┄┄┄┄┄┄┄（此处加盖骑缝章）┄┄┄┄┄┄┄┄┄┄", 21))
}

/// The three parts on one sheet, as the printed form has them.
pub fn document(f: &Facts) -> Docx {
    Docx::new()
        // 第一联：存根, kept by the issuer.
        .add_paragraph(title("中国共产党党员组织关系介绍信"))
        .add_paragraph(Paragraph::new().align(AlignmentType::Center).add_run(run("（存根）", 28)))
        .add_paragraph(right(&f.number, 28))
        .add_paragraph(body(&f.stub()))
        .add_paragraph(body(&format!("转接原因：{}。", f.reason.trim_end_matches('。'))))
        .add_paragraph(right(&f.date(), 32))
        .add_paragraph(cut())
        // 第二联：the letter the member carries.
        .add_paragraph(title("中国共产党党员组织关系介绍信"))
        .add_paragraph(right(&f.number, 28))
        .add_paragraph(line(&format!("{}：", f.to)))
        .add_paragraph(body(&f.introduction()))
        .add_paragraph(body(&f.dues()))
        .add_paragraph(body(&format!("（有效期{}天）", chinese_number(VALID_DAYS as u32))))
        .add_paragraph(right("（盖章）", 32))
        .add_paragraph(right(&f.date(), 32))
        .add_paragraph(line(&format!("党员联系电话或其他联系方式：{}", f.phone)))
        .add_paragraph(line("党员原所在基层党委通讯地址："))
        .add_paragraph(line("联系电话：              传真：              邮编："))
        .add_paragraph(cut())
        // 第三联：回执, returned by the receiving organization.
        .add_paragraph(title("中国共产党党员组织关系介绍信回执"))
        .add_paragraph(right(&f.number, 28))
        .add_paragraph(line(&format!("{}：", f.issuer)))
        .add_paragraph(body(&f.receipt()))
        .add_paragraph(right("（盖章）", 32))
        .add_paragraph(right("年    月    日", 32))
        .add_paragraph(line("经办人：              联系电话："))
        .add_paragraph(Paragraph::new().add_run(run(
            "注：回执由接收党员组织关系的基层党委在接收党员后一个月内邮寄或传真至党员原所在基层党委。",
            21,
        )))
}

/// A .docx download.
pub fn download(filename: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let encoded: String = form_urlencoded::byte_serialize(filename.as_bytes()).collect::<String>().replace('+', "%20");
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"letter.docx\"; filename*=UTF-8''{encoded}")),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            number: number(2026, 12),
            name: "张三".into(),
            gender: "男".into(),
            age: Some(45),
            ethnicity: "汉族".into(),
            full: true,
            id_number: "370202198101010011".into(),
            from: "中山路派出所党支部".into(),
            to: "中共某区委组织部".into(),
            issued_on: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            dues_paid_to: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            ..Default::default()
        }
    }

    #[test]
    fn numbers_and_months_are_written_as_the_form_wants() {
        assert_eq!(number(2026, 12), "〔2026〕第 0012 号");
        assert_eq!(number(2027, 1), "〔2027〕第 0001 号");
        let m = |y, mo| NaiveDate::from_ymd_opt(y, mo, 1).unwrap();
        assert_eq!(month_in_words(m(2026, 10)), "二〇二六年十月");
        assert_eq!(month_in_words(m(2030, 11)), "二〇三〇年十一月");
        assert_eq!(month_in_words(m(2026, 1)), "二〇二六年一月");
        assert_eq!(chinese_number(30), "三十");
        assert_eq!(chinese_number(25), "二十五");
    }

    #[test]
    fn the_sentence_is_built_from_the_parts_present() {
        let f = facts();
        assert_eq!(
            f.introduction(),
            "张三同志（男），45岁，汉族，系中共正式党员，身份证号码370202198101010011，由中山路派出所党支部去中共某区委组织部，\
             请接转组织关系。"
        );
        let f = Facts { ethnicity: String::new(), gender: " ".into(), full: false, ..facts() };
        let text = f.introduction();
        assert!(text.starts_with("张三同志，45岁，系中共预备党员，"), "{text}");
        assert!(!text.contains("，，") && !text.contains("（）"), "{text}");
        assert_eq!(f.stub(), "张三同志系中共预备党员，组织关系由中山路派出所党支部转到中共某区委组织部。");
        assert_eq!(f.dues(), "该同志党费已交到二〇二六年十月。");
        assert_eq!(f.receipt(), "张三同志的党员组织关系已转达我处，特此回复。");
    }
}
