//! One rule for text that people type into names and free-text fields: no control characters
//! and no marks that change the direction of the text around them.
//!
//! A control character (a NUL, an escape, a C1 code) in a name ends up in exported workbooks,
//! Word letters and log lines, where it truncates or garbles what follows. A bidirectional
//! override (U+202E) makes text display in a different order from the one it is stored in, so
//! "张三" + U+202E + "4321" shows as "张三1234", another name or number than the one stored.
//! Line breaks and tabs are allowed only in multi-line free text (reasons, notes).

use pinyin::ToPinyin;

use crate::error::AppError;

/// Pinyin initials of a name, lower case ("张三" → "zs"); other characters are kept if ASCII
/// letters and dropped otherwise. How people type a name they do not want to switch input
/// methods for: the roster search and the pickers match them.
pub fn initials(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c.to_pinyin() {
            Some(p) => p.plain().chars().next(),
            None if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
            None => None,
        })
        .take(20)
        .collect()
}

/// Marks that reorder the display of the text around them: the embeddings and overrides
/// (U+202A–U+202E), the isolates (U+2066–U+2069), the left-to-right and right-to-left marks
/// (U+200E, U+200F) and the Arabic letter mark (U+061C).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// The first character the field may not hold. C0 and C1 controls and DEL are refused
/// everywhere except that multi-line text keeps its line breaks and tabs (browsers send a
/// textarea's line breaks as CR LF, so CR is a line break too).
pub fn forbidden_char(text: &str, multiline: bool) -> Option<char> {
    text.chars().find(|&c| {
        let allowed_space = multiline && matches!(c, '\n' | '\r' | '\t');
        (c.is_control() && !allowed_space) || is_bidi_control(c)
    })
}

/// The Chinese reason a field is refused, naming the field and the character.
pub fn reason(label: &str, c: char) -> String {
    let code = format!("U+{:04X}", u32::from(c));
    if is_bidi_control(c) {
        format!("{label}含有改变文字显示方向的控制符（{code}），可能使显示的内容与实际不符，请删除后重新填写")
    } else if matches!(c, '\n' | '\r' | '\t') {
        format!("{label}只能填写一行，不能含换行符或制表符")
    } else {
        format!("{label}含有不可见的控制字符（{code}），请删除后重新填写")
    }
}

/// Checks a one-line field (a name, a unit, a post); `Err` holds the Chinese reason.
pub fn check_line(label: &str, text: &str) -> Result<(), String> {
    forbidden_char(text, false).map_or(Ok(()), |c| Err(reason(label, c)))
}

/// Checks a multi-line free-text field (a reason, a note): line breaks and tabs are kept.
pub fn check_multiline(label: &str, text: &str) -> Result<(), String> {
    forbidden_char(text, true).map_or(Ok(()), |c| Err(reason(label, c)))
}

/// [`check_line`] as a 422 naming `field`.
pub fn line(field: &str, label: &str, text: &str) -> Result<(), AppError> {
    check_line(label, text).map_err(|m| AppError::validation(field, m))
}

/// [`check_multiline`] as a 422 naming `field`.
pub fn multiline(field: &str, label: &str, text: &str) -> Result<(), AppError> {
    check_multiline(label, text).map_err(|m| AppError::validation(field, m))
}

/// Parses `YYYY-MM-DD` (forms and API; the import normalizes other spellings first).
pub fn parse_date(text: &str) -> Result<Option<chrono::NaiveDate>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| format!("日期“{t}”无效，应为 YYYY-MM-DD，如 2019-05-01"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_passes() {
        for ok in ["张三", "阿依古丽·买买提", "SWAT 突击组", "O'Brien", "第一行", "全角　空格", "表情😀"]
        {
            assert_eq!(check_line("姓名", ok), Ok(()), "{ok}");
        }
        assert_eq!(check_multiline("原因", "第一行\r\n第二行\n\t缩进"), Ok(()));
    }

    #[test]
    fn control_characters_are_refused_with_the_field_and_code() {
        for (bad, code) in
            [("张\u{0}三", "U+0000"), ("a\u{1b}[31m", "U+001B"), ("x\u{7f}", "U+007F"), ("y\u{85}", "U+0085")]
        {
            let err = check_line("姓名", bad).unwrap_err();
            assert!(err.starts_with("姓名") && err.contains(code) && err.contains("控制字符"), "{err}");
            assert!(check_multiline("原因", bad).is_err(), "{bad:?} is refused in free text too");
        }
        let err = check_line("职务", "所长\n副所长").unwrap_err();
        assert!(err.contains("只能填写一行"), "{err}");
        assert!(check_line("职务", "a\tb").is_err());
        assert!(check_line("职务", "a\rb").is_err());
    }

    #[test]
    fn direction_marks_are_refused_everywhere() {
        for c in ['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}']
            .into_iter()
            .chain(['\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}'])
        {
            let text = format!("张三{c}1234");
            let err = check_line("姓名", &text).unwrap_err();
            assert!(err.contains(&format!("U+{:04X}", u32::from(c))) && err.contains("方向"), "{err}");
            assert!(check_multiline("原因", &text).is_err());
        }
        // Neighbours of the ranges are ordinary characters.
        for ok in ['\u{2029}', '\u{2065}', '\u{206A}', '\u{200D}', '\u{061B}'] {
            assert_eq!(forbidden_char(&format!("a{ok}b"), true), None, "{:04X}", u32::from(ok));
        }
    }

    #[test]
    fn errors_name_the_field() {
        let err = line("name", "姓名", "\u{202E}abc").unwrap_err();
        assert_eq!(err.field(), Some("name"));
        assert_eq!(err.status(), axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        assert!(multiline("reason", "原因", "ok\nok").is_ok());
    }
}
