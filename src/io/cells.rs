//! Turning the cells of spreadsheets people really have into clean text: full-width digits
//! and spaces, dates in every common spelling or as Excel serials, and numbers that lost
//! digits because the column was not text.

use calamine::Data;
use chrono::{Datelike, NaiveDate};

/// Full-width ASCII (U+FF01–FF5E) and the ideographic space to their half-width forms.
pub fn half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// What a cell says, as text; `None` for a number too long to be exact (more than 15
/// significant digits, as with an 18-digit ID number stored as a number).
pub fn text(cell: &Data) -> Result<String, LostPrecision> {
    Ok(match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => half_width(s).trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else if f.abs() >= 1e15 {
                return Err(LostPrecision(format!("{f:.0}")));
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(d) => d.date().to_string(),
            None => dt.as_f64().to_string(),
        },
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
    })
}

/// A number that had more digits than a spreadsheet keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostPrecision(pub String);

/// Reads a date written as `2019-05-01`, `2019/5/1`, `2019.5.1`, `2019.05`, `2019-05`,
/// `2019年5月`, `2019年5月1日`, `20190501`, or an Excel serial (`43586`). A month without a
/// day means its first day.
pub fn date(text: &str) -> Result<Option<NaiveDate>, String> {
    let t = half_width(text).trim().to_owned();
    if t.is_empty() {
        return Ok(None);
    }
    let bad = || format!("日期“{t}”无法识别，可写作 2019-05-01、2019/5/1、2019.05 或 2019年5月");
    if t.chars().all(|c| c.is_ascii_digit()) {
        return match t.len() {
            8 => NaiveDate::parse_from_str(&t, "%Y%m%d").map(Some).map_err(|_| bad()),
            6 => {
                let (y, m) = t.split_at(4);
                ymd(y, m, "1").ok_or_else(bad).map(Some)
            }
            // An Excel serial day number (1900 date system), within a sane range.
            4 | 5 => {
                let serial: i64 = t.parse().map_err(|_| bad())?;
                let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).ok_or_else(bad)?;
                let d = epoch + chrono::Duration::days(serial);
                if (1900..=2100).contains(&d.year()) { Ok(Some(d)) } else { Err(bad()) }
            }
            _ => Err(bad()),
        };
    }
    let cleaned: String = t.replace('日', "").replace(['年', '月', '/', '.'], "-");
    let parts: Vec<&str> = cleaned.split('-').map(str::trim).filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [y, m] => ymd(y, m, "1").ok_or_else(bad).map(Some),
        [y, m, d] => ymd(y, m, d).ok_or_else(bad).map(Some),
        _ => Err(bad()),
    }
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    let year: i32 = y.parse().ok().filter(|y| (1900..=2100).contains(y))?;
    NaiveDate::from_ymd_opt(year, m.parse().ok()?, d.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn dates_in_every_spelling() {
        assert_eq!(date("2019-05-01"), Ok(d(2019, 5, 1)));
        assert_eq!(date("2019/5/1"), Ok(d(2019, 5, 1)));
        assert_eq!(date("2019.05"), Ok(d(2019, 5, 1)));
        assert_eq!(date("2019年5月"), Ok(d(2019, 5, 1)));
        assert_eq!(date("2019年5月3日"), Ok(d(2019, 5, 3)));
        assert_eq!(date("２０１９－０５－０１"), Ok(d(2019, 5, 1)));
        assert_eq!(date("20190501"), Ok(d(2019, 5, 1)));
        assert_eq!(date("43586"), Ok(d(2019, 5, 1)));
        assert_eq!(date(""), Ok(None));
        assert!(date("2019-02-30").is_err());
        assert!(date("五月").is_err());
    }

    #[test]
    fn cells_to_text() {
        assert_eq!(text(&Data::String("　１００１２３ ".into())), Ok("100123".into()));
        assert_eq!(text(&Data::Float(100123.0)), Ok("100123".into()));
        assert_eq!(text(&Data::Float(3.702021990010112e17)), Err(LostPrecision("370202199001011200".into())));
        assert_eq!(text(&Data::Empty), Ok(String::new()));
    }
}
