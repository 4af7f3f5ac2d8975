//! One rule for text that people type into names and free-text fields: no control characters
//! and no marks that change the direction of the text around them.
//!
//! A control character (a NUL, an escape, a C1 code) in a name ends up in exported workbooks,
//! Word letters and log lines, where it truncates or garbles what follows. A bidirectional
//! override (U+202E) makes text display in a different order from the one it is stored in, so
//! "张三" + U+202E + "4321" shows as "张三1234", another name or number than the one stored.
//! Line breaks and tabs are allowed only in multi-line free text (reasons, notes).

use crate::error::AppError;

/// Family names read otherwise than their common reading, as surnames are read (曾 zēng,
/// 单 shàn, 解 xiè, 仇 qiú, 查 zhā, 区 ōu, 朴 piáo, 盖 gě, 覃 qín …), compound ones first. Their
/// initials come first when a name starts with one.
const SURNAMES: &[(&str, &str)] = &[
    ("尉迟", "yc"),
    ("万俟", "mq"),
    ("单于", "cy"),
    ("长孙", "zs"),
    ("欧阳", "oy"),
    ("曾", "z"),
    ("单", "s"),
    ("解", "x"),
    ("仇", "q"),
    ("查", "z"),
    ("区", "o"),
    ("朴", "p"),
    ("盖", "g"),
    ("覃", "q"),
    ("翟", "z"),
    ("缪", "m"),
    ("乐", "y"),
    ("召", "s"),
    ("秘", "b"),
    ("种", "c"),
    ("折", "s"),
    ("繁", "p"),
    ("员", "y"),
    ("阚", "k"),
    ("冼", "x"),
    ("蕃", "p"),
    ("隗", "w"),
    ("眭", "s"),
    ("逄", "p"),
    ("厍", "s"),
    ("褚", "c"),
    ("尉", "y"),
];

/// Most spellings kept for one name: a name of polyphonic characters could have dozens.
const MAX_VARIANTS: usize = 8;

/// The initials a character may be typed with: every reading's first letter, the common one first.
fn letters(c: char) -> Vec<char> {
    use pinyin::ToPinyinMulti;
    match c.to_pinyin_multi() {
        Some(readings) => {
            let mut out: Vec<char> = Vec::new();
            for p in readings {
                if let Some(l) = p.plain().chars().next()
                    && !out.contains(&l)
                {
                    out.push(l);
                }
            }
            out
        }
        None if c.is_ascii_alphabetic() => vec![c.to_ascii_lowercase()],
        None => Vec::new(),
    }
}

/// Every way a name's pinyin initials may be typed, the most likely first: a family name as
/// surnames are read ("曾伟" → "zw"), then every reading of the other polyphonic characters
/// ("长" chang/zhang), at most [`MAX_VARIANTS`]. ASCII letters are kept, other characters dropped.
pub fn initials_variants(name: &str) -> Vec<String> {
    let name: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    let (head, rest): (Vec<String>, &str) = match SURNAMES.iter().find(|(s, _)| name.starts_with(s)) {
        Some((surname, letters)) => (vec![(*letters).to_owned()], &name[surname.len()..]),
        None => (vec![String::new()], name.as_str()),
    };
    let mut variants = head;
    for c in rest.chars().take(20) {
        let options = letters(c);
        if options.is_empty() {
            continue;
        }
        let mut next = Vec::new();
        for v in &variants {
            for l in &options {
                if next.len() < MAX_VARIANTS {
                    next.push(format!("{v}{l}"));
                }
            }
        }
        variants = next;
    }
    // A surname's common reading is still how some will type it ("cw" for 曾伟).
    if let Some((surname, _)) = SURNAMES.iter().find(|(s, _)| name.starts_with(s)) {
        let common: String = surname.chars().filter_map(|c| letters(c).first().copied()).collect();
        let tail: String = variants[0].chars().skip(surname.chars().count()).collect();
        let plain = format!("{common}{tail}");
        if variants.len() < MAX_VARIANTS && !variants.contains(&plain) {
            variants.push(plain);
        }
    }
    variants.retain(|v| !v.is_empty());
    variants.dedup();
    variants
}

/// Pinyin initials of a name, lower case ("张三" → "zs", "曾伟" → "zw"): its most likely
/// spelling of [`initials_variants`]. How people type a name they do not want to switch input
/// methods for: the roster search and the pickers match them.
pub fn initials(name: &str) -> String {
    initials_variants(name).into_iter().next().unwrap_or_default()
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

/// `YYYY-MM` (or a full date) as the first day of that month: the one month parser of forms,
/// queries and the API.
pub fn parse_month(text: &str) -> Option<chrono::NaiveDate> {
    let t = text.trim();
    let (y, m) = t.get(..7).unwrap_or(t).split_once('-')?;
    chrono::NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)
}

/// The first day of `d`'s month.
pub fn first_of_month(d: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    chrono::NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d)
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

/// A text as the name search compares it: each character lower-cased (SQLite's `LIKE` and
/// PostgreSQL's `ILIKE` ignore latin case; Chinese has none).
pub fn search_chars(text: &str) -> Vec<char> {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// Every single character and every pair of neighbouring characters of a text, each once: a
/// text of one or two characters occurs in a name exactly when it is one of the name's grams,
/// and a longer one only where its first pair does. Kept per person (`people::store::set_grams`).
pub fn search_grams(text: &str) -> Vec<String> {
    let chars = search_chars(text);
    let mut grams: Vec<String> = chars.iter().map(char::to_string).collect();
    grams.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
    grams.sort_unstable();
    grams.dedup();
    grams
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_grams_are_every_character_and_pair_once() {
        assert_eq!(search_grams("王伟"), vec!["伟", "王", "王伟"]);
        assert_eq!(search_grams("王王"), vec!["王", "王王"]);
        assert_eq!(search_grams("SWAT 突"), vec![" ", " 突", "a", "at", "s", "sw", "t", "t ", "w", "wa", "突"]);
        assert!(search_grams("").is_empty());
        // A two-character text is found exactly when it is a pair of the name.
        let grams = search_grams("欧阳建国");
        for pair in ["欧阳", "阳建", "建国"] {
            assert!(grams.iter().any(|g| g == pair), "{pair}");
        }
        assert!(!grams.iter().any(|g| g == "欧建"));
    }

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

    #[test]
    fn family_names_take_their_surname_reading_and_others_every_reading() {
        assert_eq!(initials("张三"), "zs");
        assert_eq!(initials("欧阳明月"), "oymy");
        assert_eq!(initials("李A"), "la");
        for (name, surname_reading, common) in [
            ("曾伟", "zw", "cw"),
            ("单丽", "sl", "dl"),
            ("解明", "xm", "jm"),
            ("仇强", "qq", "cq"),
            ("查文", "zw", "cw"),
        ] {
            let all = initials_variants(name);
            assert_eq!(all[0], surname_reading, "{name}: {all:?}");
            assert!(all.contains(&common.to_owned()), "{name} is still found as typed before: {all:?}");
        }
        assert_eq!(initials("尉迟恭"), "ycg");
        // Other polyphonic characters match any reading: 长 chang / zhang.
        let all = initials_variants("王长");
        assert!(all.contains(&"wc".to_owned()) && all.contains(&"wz".to_owned()), "{all:?}");
        // However many polyphonic characters, a bounded number of spellings.
        assert!(initials_variants("长行重乐单调").len() <= MAX_VARIANTS);
    }
}
