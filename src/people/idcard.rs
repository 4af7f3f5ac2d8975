//! 公民身份号码 (GB 11643-1999): 17 digits and a check character.

use chrono::NaiveDate;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character for the first 17 digits.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    Some(CHECK[(sum % 11) as usize])
}

/// What a valid number tells: birth date and gender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdInfo {
    pub birth_date: NaiveDate,
    pub male: bool,
}

/// Validates an 18-character number (check character and birth date).
pub fn parse(raw: &str) -> Result<IdInfo, &'static str> {
    let id = raw.trim().to_ascii_uppercase();
    // Checked before any length in bytes or slicing: a character of several bytes must be
    // refused with a reason, not cut in half.
    if !id.chars().all(|c| c.is_ascii_digit() || c == 'X') {
        return Err("身份证号只能由数字和末位的 X 组成，请使用半角字符");
    }
    if id.len() != 18 {
        return Err("身份证号应为 18 位");
    }
    let (body, last) = id.split_at(17);
    let expected = check_char(body).ok_or("身份证号前 17 位应为数字")?;
    if !last.starts_with(expected) {
        return Err("身份证号校验位不正确");
    }
    let birth_date = NaiveDate::parse_from_str(&body[6..14], "%Y%m%d").map_err(|_| "身份证号中的出生日期不存在")?;
    let male = (body.as_bytes()[16] - b'0') % 2 == 1;
    Ok(IdInfo { birth_date, male })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_numbers() {
        // The GB 11643 example number.
        assert_eq!(check_char("11010519491231002"), Some('X'));
        let info = parse("11010519491231002X").unwrap();
        assert_eq!(info.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert!(!info.male);
        assert_eq!(parse("110105194912310021"), Err("身份证号校验位不正确"));
        assert!(parse("11010519490231002X").is_err());
        assert!(parse("123").is_err());
    }

    #[test]
    fn characters_of_several_bytes_are_refused_not_sliced() {
        // 16 digits and one two-byte letter are 18 bytes, and byte 17 falls inside the letter.
        for bad in ["1101051949123100é", "11010519491231002\u{202E}", "１１０１０５１９４９１２３１００２X", "张三"]
        {
            assert_eq!(parse(bad), Err("身份证号只能由数字和末位的 X 组成，请使用半角字符"), "{bad}");
        }
        assert_eq!(parse("1101051949123100X2"), Err("身份证号前 17 位应为数字"));
        assert_eq!(check_char("1101051949123100é"), None);
    }
}
