//! `to_char(timestamp|timestamptz|date, format)` with PostgreSQL's template patterns
//! (`YYYY`, `MM`, `DD`, `HH24`, `MI`, `SS`, `MS`, `US`, `FF1`–`FF6`, `Month`, `Dy`, `AM`,
//! `IYYY`, `IW`, `J`, `Q`, `RM`, `TZ`, `OF`…), the `FM` and `TH` modifiers and quoted text.
//! The session's time zone is UTC (litewire stores timestamptz in UTC).

use crate::engine::datetime::{
    civil_from_days, days_from_civil, Interval, MICROS_PER_DAY, PG_EPOCH_DAYS,
};
use crate::protocol::{PgError, SqlState};

pub(super) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const ROMAN: [&str; 12] = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
];

/// The template patterns, longest first where one is a prefix of another.
const PATTERNS: &[&str] = &[
    "A.D.", "A.M.", "AD", "AM", "B.C.", "BC", "CC", "DAY", "DDD", "DD", "DY", "Day", "Dy", "D",
    "FF1", "FF2", "FF3", "FF4", "FF5", "FF6", "HH24", "HH12", "HH", "IDDD", "ID", "IW", "IYYY",
    "IYY", "IY", "I", "J", "MI", "MM", "MONTH", "MON", "MS", "Month", "Mon", "OF", "P.M.", "PM",
    "Q", "RM", "SSSSS", "SSSS", "SS", "TZH", "TZM", "TZ", "US", "WW", "W", "Y,YYY", "YYYY", "YYY",
    "YY", "Y", "a.d.", "a.m.", "ad", "am", "b.c.", "bc", "cc", "day", "ddd", "dd", "dy", "d",
    "ff1", "ff2", "ff3", "ff4", "ff5", "ff6", "hh24", "hh12", "hh", "iddd", "id", "iw", "iyyy",
    "iyy", "iy", "i", "j", "mi", "mm", "month", "mon", "ms", "of", "p.m.", "pm", "q", "rm",
    "sssss", "ssss", "ss", "tzh", "tzm", "tz", "us", "ww", "w", "y,yyy", "yyyy", "yyy", "yy", "y",
];

/// Calendar and clock fields of one instant.
struct Tm {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    micros: i64,
    days_1970: i64,
}

fn tm(micros: i64) -> Tm {
    let days = micros.div_euclid(MICROS_PER_DAY);
    let time = micros.rem_euclid(MICROS_PER_DAY);
    let (year, month, day) = civil_from_days(days + PG_EPOCH_DAYS);
    Tm {
        year,
        month,
        day,
        hour: time / 3_600_000_000,
        minute: time / 60_000_000 % 60,
        second: time / 1_000_000 % 60,
        micros: time % 1_000_000,
        days_1970: days + PG_EPOCH_DAYS,
    }
}

fn ordinal(n: i64, upper: bool) -> &'static str {
    let s = match (n % 100, n % 10) {
        (11..=13, _) => "th",
        (_, 1) => "st",
        (_, 2) => "nd",
        (_, 3) => "rd",
        _ => "th",
    };
    match (upper, s) {
        (false, s) => s,
        (true, "st") => "ST",
        (true, "nd") => "ND",
        (true, "rd") => "RD",
        (true, _) => "TH",
    }
}

/// A name in the pattern's case: `MONTH` upper, `Month` capitalized, `month` lower.
fn cased(name: &str, pattern: &str) -> String {
    let letters: Vec<char> = pattern.chars().filter(|c| c.is_alphabetic()).collect();
    match letters.as_slice() {
        [first, rest @ ..]
            if first.is_uppercase()
                && !rest.is_empty()
                && rest.iter().all(|c| c.is_uppercase()) =>
        {
            name.to_uppercase()
        }
        [first, ..] if first.is_uppercase() => name.to_string(),
        _ => name.to_lowercase(),
    }
}

/// Formats `micros` (since 2000-01-01) by `fmt`; `offset`: a timestamptz's zone offset
/// east of UTC in microseconds (None for a timestamp), `abbrev` its zone's abbreviation.
pub fn format(micros: i64, offset: Option<i64>, abbrev: Option<&str>, fmt: &str) -> String {
    let zoned = offset.is_some();
    let offset = offset.unwrap_or(0);
    let t = tm(micros + offset);
    let sign = if offset < 0 { '-' } else { '+' };
    let (oh, om) = (offset.abs() / 3_600_000_000, offset.abs() / 60_000_000 % 60);
    let (iso_year, iso_week) = {
        let isodow = (t.days_1970 + 3).rem_euclid(7) + 1;
        let thursday = t.days_1970 + (4 - isodow);
        let (y, _, _) = civil_from_days(thursday);
        (y, (thursday - days_from_civil(y, 1, 1)) / 7 + 1)
    };
    // Years as PostgreSQL writes them (ADJUST_YEAR): a BC year by its number, 1 BC
    // (astronomical 0) as 1.
    let bc = t.year <= 0;
    let adjust = |y: i64| if y <= 0 { 1 - y } else { y };
    let (year, iso_year) = (adjust(t.year), adjust(iso_year));
    let dow = (t.days_1970 + 4).rem_euclid(7);
    let isodow = if dow == 0 { 7 } else { dow };
    let doy = t.days_1970 - days_from_civil(t.year, 1, 1) + 1;
    render(
        fmt,
        |p, fill| -> Result<(String, Option<i64>), std::convert::Infallible> {
            let num = |n: i64, width: usize| {
                if fill {
                    format!("{n:0width$}")
                } else {
                    n.to_string()
                }
            };
            let name = |s: String, width: usize| {
                if fill {
                    format!("{s:<width$}")
                } else {
                    s
                }
            };
            let hour12 = if t.hour % 12 == 0 { 12 } else { t.hour % 12 };
            Ok(match p.to_ascii_uppercase().as_str() {
                "YYYY" => (num(year, 4), Some(year)),
                "Y,YYY" => (format!("{},{:03}", year / 1000, year % 1000), Some(year)),
                "YYY" => (num(year % 1000, 3), Some(year % 1000)),
                "YY" => (num(year % 100, 2), Some(year % 100)),
                "Y" => (num(year % 10, 1), Some(year % 10)),
                "IYYY" => (num(iso_year, 4), Some(iso_year)),
                "IYY" => (num(iso_year % 1000, 3), Some(iso_year % 1000)),
                "IY" => (num(iso_year % 100, 2), Some(iso_year % 100)),
                "I" => (num(iso_year % 10, 1), Some(iso_year % 10)),
                // BC centuries count down from -1 (C's `%0*d`: a digit more for the
                // sign).
                "CC" => {
                    let cc = if t.year > 0 {
                        (t.year - 1) / 100 + 1
                    } else {
                        t.year / 100 - 1
                    };
                    let width = if cc >= 0 { 2 } else { 3 };
                    let text = if fill && (-99..=99).contains(&cc) {
                        format!("{cc:0width$}")
                    } else {
                        cc.to_string()
                    };
                    (text, Some(cc))
                }
                "Q" => {
                    let q = (t.month - 1) / 3 + 1;
                    (q.to_string(), Some(q))
                }
                "MM" => (num(t.month, 2), Some(t.month)),
                "DD" => (num(t.day, 2), Some(t.day)),
                "DDD" => (num(doy, 3), Some(doy)),
                "IDDD" => {
                    let d = (iso_week - 1) * 7 + isodow;
                    (num(d, 3), Some(d))
                }
                "D" => (format!("{}", dow + 1), Some(dow + 1)),
                "ID" => (isodow.to_string(), Some(isodow)),
                "WW" => {
                    let w = (doy - 1) / 7 + 1;
                    (num(w, 2), Some(w))
                }
                "IW" => (num(iso_week, 2), Some(iso_week)),
                "W" => {
                    let w = (t.day - 1) / 7 + 1;
                    (w.to_string(), Some(w))
                }
                "J" => {
                    let j = t.days_1970 + 2_440_588;
                    (j.to_string(), Some(j))
                }
                "HH" | "HH12" => (num(hour12, 2), Some(hour12)),
                "HH24" => (num(t.hour, 2), Some(t.hour)),
                "MI" => (num(t.minute, 2), Some(t.minute)),
                "SS" => (num(t.second, 2), Some(t.second)),
                "SSSS" | "SSSSS" => {
                    let s = t.hour * 3600 + t.minute * 60 + t.second;
                    (s.to_string(), Some(s))
                }
                "MS" => (format!("{:03}", t.micros / 1000), Some(t.micros / 1000)),
                "US" => (format!("{:06}", t.micros), Some(t.micros)),
                ff if ff.starts_with("FF") => {
                    let n = ff[2..].parse::<u32>().unwrap_or(6);
                    let v = t.micros / 10i64.pow(6 - n);
                    (format!("{v:0width$}", width = n as usize), Some(v))
                }
                "AM" | "PM" => (cased(if t.hour < 12 { "am" } else { "pm" }, p), None),
                "A.M." | "P.M." => (cased(if t.hour < 12 { "a.m." } else { "p.m." }, p), None),
                "AD" | "BC" => (cased(if bc { "bc" } else { "ad" }, p), None),
                "A.D." | "B.C." => (cased(if bc { "b.c." } else { "a.d." }, p), None),
                "MONTH" => (name(cased(MONTHS[t.month as usize - 1], p), 9), None),
                "MON" => (cased(&MONTHS[t.month as usize - 1][..3], p), None),
                "DAY" => (name(cased(DAYS[dow as usize], p), 9), None),
                "DY" => (cased(&DAYS[dow as usize][..3], p), None),
                "RM" => (name(cased(ROMAN[t.month as usize - 1], p), 4), None),
                // The zone's abbreviation then (a fixed offset has none: UTC, or the offset).
                "TZ" if zoned && abbrev.is_some() => (cased(abbrev.unwrap_or_default(), p), None),
                "TZ" if zoned && offset == 0 => (cased("UTC", p), None),
                "OF" | "TZ" if zoned && om != 0 => (format!("{sign}{oh:02}:{om:02}"), None),
                "OF" | "TZ" if zoned => (format!("{sign}{oh:02}"), None),
                "TZH" if zoned => (format!("{sign}{oh:02}"), None),
                "TZM" if zoned => (format!("{om:02}"), None),
                _ => (String::new(), None),
            })
        },
    )
    .unwrap_or_else(|never| match never {})
}

/// `to_char(interval, fmt)` (a time is an interval here, as PostgreSQL casts it): the
/// fields as interval2tm gives them — years, months under 12, days, hours without
/// bound, minutes, seconds and microseconds, each with the interval's sign — and the
/// day of year as `(years * 12 + months) * 30 + days`. Patterns tied to the calendar
/// (`Month`, `Day`, `D`, `AD`, `TZ`…) are PostgreSQL's 22007; those whose interval
/// answer litewire does not reproduce (`J`, `IW`, `IYYY`, `IDDD`…) are 0A000.
pub fn format_interval(iv: Interval, fmt: &str) -> Result<String, PgError> {
    let months = i64::from(iv.months);
    let (year, mon, mday) = (months / 12, months % 12, i64::from(iv.days));
    let hour = iv.micros / 3_600_000_000;
    let min = iv.micros / 60_000_000 % 60;
    let sec = iv.micros / 1_000_000 % 60;
    let fsec = iv.micros % 1_000_000;
    let yday = (year * 12 + mon) * 30 + mday;
    render(fmt, |p, fill| {
        // C's `%0*d` with one more digit of width for a minus sign; FM: no padding.
        let num = |n: i64, width: usize| {
            let width = if !fill { 0 } else { width + usize::from(n < 0) };
            (format!("{n:0width$}"), Some(n.abs()))
        };
        let hour12 = if hour % 12 == 0 { 12 } else { hour % 12 };
        let upper = p.to_ascii_uppercase();
        Ok(match upper.as_str() {
            "YYYY" => num(year, 4),
            "Y,YYY" => (format!("{},{:03}", year / 1000, year % 1000), Some(year.abs())),
            "YYY" => num(year % 1000, 3),
            "YY" => num(year % 100, 2),
            "Y" => num(year % 10, 1),
            "CC" if (-99..=99).contains(&(year / 100)) => num(year / 100, 2),
            "CC" => ((year / 100).to_string(), Some((year / 100).abs())),
            "Q" if mon == 0 => (String::new(), None),
            "Q" => (((mon - 1) / 3 + 1).to_string(), Some(((mon - 1) / 3 + 1).abs())),
            "MM" => num(mon, 2),
            "DD" => num(mday, 2),
            "DDD" => num(yday, 3),
            "WW" => num((yday - 1) / 7 + 1, 2),
            "W" => (((mday - 1) / 7 + 1).to_string(), Some(((mday - 1) / 7 + 1).abs())),
            // The sign width follows the hour, not the 12-hour value.
            "HH" | "HH12" => {
                let width = if !fill { 0 } else if hour < 0 { 3 } else { 2 };
                (format!("{hour12:0width$}"), Some(hour12.abs()))
            }
            "HH24" => num(hour, 2),
            "MI" => num(min, 2),
            "SS" => num(sec, 2),
            "SSSS" | "SSSSS" => {
                let s = hour * 3600 + min * 60 + sec;
                (s.to_string(), Some(s.abs()))
            }
            "MS" => (format!("{:03}", fsec / 1000), Some((fsec / 1000).abs())),
            "US" => (format!("{fsec:06}"), Some(fsec.abs())),
            ff if ff.starts_with("FF") => {
                let n = ff[2..].parse::<u32>().unwrap_or(6);
                let v = fsec / 10i64.pow(6 - n);
                (format!("{v:0width$}", width = n as usize), Some(v.abs()))
            }
            "AM" | "PM" => (cased(if hour % 24 >= 12 { "pm" } else { "am" }, p), None),
            "A.M." | "P.M." => (cased(if hour % 24 >= 12 { "p.m." } else { "a.m." }, p), None),
            "RM" if mon == 0 && year == 0 => (String::new(), None),
            "RM" => {
                // Whole years are XII (I when negative); negative months count back
                // from December, as PostgreSQL's reversed numeral table does.
                let at = match mon {
                    0 if year >= 0 => 11,
                    0 => 0,
                    m if m < 0 => (12 + m) as usize,
                    m => (m - 1) as usize,
                };
                let roman = cased(ROMAN[at], p);
                (if fill { format!("{roman:<4}") } else { roman }, None)
            }
            "MONTH" | "MON" | "DAY" | "DY" | "D" | "ID" | "AD" | "BC" | "A.D." | "B.C."
            | "TZ" | "OF" | "TZH" | "TZM" => {
                return Err(PgError::new(
                    SqlState::INVALID_DATETIME_FORMAT,
                    "invalid format specification for an interval value",
                )
                .with_hint("Intervals are not tied to specific calendar dates."))
            }
            other => {
                return Err(PgError::new(
                    SqlState::FEATURE_NOT_SUPPORTED,
                    format!("to_char() of an interval with the pattern {other} is not supported by litewire"),
                ))
            }
        })
    })
}

/// Walks `fmt` as PostgreSQL's to_char does: quoted text and `\\x` copied, `FM` (no
/// padding: `fill` false) and `TM` prefixes, a `TH`/`th` suffix (the ordinal of the
/// pattern's number); each template pattern's text comes from `field`.
fn render<E>(
    fmt: &str,
    mut field: impl FnMut(&str, bool) -> Result<(String, Option<i64>), E>,
) -> Result<String, E> {
    let mut out = String::with_capacity(fmt.len() * 2);
    let mut rest = fmt;
    while !rest.is_empty() {
        // Quoted text is copied; `\"` inside it is a quote.
        if let Some(q) = rest.strip_prefix('"') {
            let mut chars = q.char_indices();
            let mut end = q.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            out.push(n);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => out.push(c),
                }
            }
            rest = &q[end.min(q.len())..];
            continue;
        }
        if let Some(r) = rest.strip_prefix('\\') {
            let mut chars = r.chars();
            if let Some(c) = chars.next() {
                out.push(c);
            }
            rest = chars.as_str();
            continue;
        }
        let mut fill = true;
        let mut r = rest;
        if let Some(x) = r.strip_prefix("FM").or_else(|| r.strip_prefix("fm")) {
            fill = false;
            r = x;
        }
        if let Some(x) = r.strip_prefix("TM").or_else(|| r.strip_prefix("tm")) {
            r = x;
        }
        let Some(p) = PATTERNS.iter().find(|p| r.starts_with(**p)) else {
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                out.push(c);
            }
            rest = chars.as_str();
            continue;
        };
        r = &r[p.len()..];
        let (text, value) = field(p, fill)?;
        out.push_str(&text);
        // `TH`/`th` after a number: its ordinal suffix.
        if let Some(x) = r.strip_prefix("TH").or_else(|| r.strip_prefix("th")) {
            if let Some(v) = value {
                out.push_str(ordinal(v, r.starts_with('T')));
            }
            r = x;
        }
        rest = r;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::datetime::parse_timestamp_local;

    #[test]
    fn as_postgres_formats() {
        let t = parse_timestamp_local("2020-05-07 13:04:05.123").unwrap();
        assert_eq!(
            format(
                t,
                None,
                None,
                "YYYY-MM-DD HH24:MI:SS.MS Day Mon DY dy HH12 AM am FMDD FMMonth Q WW IW J"
            ),
            "2020-05-07 13:04:05.123 Thursday  May THU thu 01 PM pm 7 May 2 19 19 2458977"
        );
        let d = parse_timestamp_local("2020-01-02").unwrap();
        assert_eq!(
            format(d, None, None, "YYYY DDD IDDD CC FMDDth Dth"),
            "2020 002 004 21 2nd 5th"
        );
        assert_eq!(
            format(t, None, None, "\"HH:MI:SS is\" HH:MI:SS \"\\\"text\\\"\""),
            "HH:MI:SS is 01:04:05 \"text\""
        );
        assert_eq!(format(t, Some(0), None, "TZ OF"), "UTC +00");
        assert_eq!(
            format(t, Some(7_200_000_000), Some("CEST"), "TZ tz OF"),
            "CEST cest +02"
        );
        assert_eq!(
            format(t, Some(-16_200_000_000), None, "OF TZH:TZM HH24"),
            "-04:30 -04:30 08"
        );
    }

    /// PostgreSQL 15's answers for intervals (and a time, formatted as one).
    #[test]
    fn intervals_as_postgres_formats_them() {
        let iv = crate::engine::datetime::parse_interval;
        let f = |s: &str, fmt: &str| format_interval(iv(s).unwrap(), fmt).unwrap();
        assert_eq!(
            f(
                "1 year 2 mons 3 days 04:05:06.7",
                "YYYY MM DD HH HH24 MI SS MS RM DDD CC Y,YYY"
            ),
            "0001 02 03 04 04 05 06 700 II   423 00 0,001"
        );
        assert_eq!(
            f("-40 hours", "HH HH12 HH24 MI SS AM"),
            "-04 -04 -40 00 00 AM"
        );
        assert_eq!(f("-13 mons", "RM MM YYYY rm"), "XII  -01 -0001 xii ");
        assert_eq!(f("-12 mons", "FMRM"), "I");
        let e = format_interval(iv("1 year").unwrap(), "Month").unwrap_err();
        assert_eq!(e.code, SqlState::INVALID_DATETIME_FORMAT);
        let e = format_interval(iv("1 year").unwrap(), "J").unwrap_err();
        assert_eq!(e.code, SqlState::FEATURE_NOT_SUPPORTED);
    }
}
