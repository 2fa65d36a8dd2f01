//! Dates and times: litewire stores them as ISO 8601 text (which SQLite's date functions
//! and other tools read) and converts to and from PostgreSQL's binary forms — days or
//! microseconds counted from 2000-01-01.

/// Microseconds from 1970-01-01 to 2000-01-01.
pub const PG_EPOCH_OFFSET_MICROS: i64 = 946_684_800_000_000;
const MICROS_PER_DAY: i64 = 86_400_000_000;
/// Days from 1970-01-01 to 2000-01-01.
const PG_EPOCH_DAYS: i64 = 10_957;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `YYYY-MM-DD` → days since 2000-01-01.
pub fn parse_date(s: &str) -> Option<i32> {
    let s = s.trim();
    let mut it = s.splitn(3, '-');
    let (y, m, d) = (num(it.next()?)?, num(it.next()?)?, num(it.next()?)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    i32::try_from(days_from_civil(y, m, d) - PG_EPOCH_DAYS).ok()
}

/// `HH:MM[:SS[.ffffff]]` → microseconds since midnight.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let mut it = s.splitn(3, ':');
    let h = num(it.next()?)?;
    let m = num(it.next()?)?;
    let (sec, frac) = match it.next() {
        Some(rest) => match rest.split_once('.') {
            Some((s, f)) => (num(s)?, f),
            None => (num(rest)?, ""),
        },
        None => (0, ""),
    };
    if h > 24 || m > 59 || sec > 60 {
        return None;
    }
    let mut micros = 0i64;
    let mut scale = 100_000i64;
    for b in frac.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        micros += (b - b'0') as i64 * scale;
        scale /= 10;
    }
    Some(((h * 60 + m) * 60 + sec) * 1_000_000 + micros)
}

/// `YYYY-MM-DD[( |T)HH:MM[:SS[.f]]][Z|±HH[:MM]]` → microseconds since 2000-01-01 UTC.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    parse_timestamp_with(s, true)
}

/// Like [`parse_timestamp`], but a zone, if given, is ignored (PostgreSQL's input rule
/// for `timestamp without time zone`).
pub fn parse_timestamp_local(s: &str) -> Option<i64> {
    parse_timestamp_with(s, false)
}

fn parse_timestamp_with(s: &str, apply_zone: bool) -> Option<i64> {
    let s = s.trim();
    if s.len() < 10 {
        return None;
    }
    let days = parse_date(&s[..10])? as i64;
    let rest = s[10..].trim_start_matches([' ', 'T']);
    if rest.is_empty() {
        return Some(days * MICROS_PER_DAY);
    }
    let (time, offset) = split_offset(rest)?;
    let offset = if apply_zone { offset } else { 0 };
    Some(days * MICROS_PER_DAY + parse_time(time)? - offset)
}

/// Splits a trailing zone (`Z`, `+HH`, `+HH:MM`, `-HHMM`) off a time; the offset is in µs.
fn split_offset(t: &str) -> Option<(&str, i64)> {
    if let Some(time) = t.strip_suffix('Z').or_else(|| t.strip_suffix('z')) {
        return Some((time, 0));
    }
    match t.rfind(['+', '-']) {
        Some(i) => {
            let (time, zone) = t.split_at(i);
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
            let (h, m) = match digits.len() {
                2 => (num(&digits)?, 0),
                4 => (num(&digits[..2])?, num(&digits[2..])?),
                _ => return None,
            };
            Some((time, sign * (h * 3600 + m * 60) * 1_000_000))
        }
        None => Some((t, 0)),
    }
}

pub fn format_date(days: i32) -> String {
    let (y, m, d) = civil_from_days(days as i64 + PG_EPOCH_DAYS);
    format!("{y:04}-{m:02}-{d:02}")
}

pub fn format_time(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if frac == 0 {
        format!("{h:02}:{m:02}:{s:02}")
    } else {
        let f = format!("{frac:06}");
        format!("{h:02}:{m:02}:{s:02}.{}", f.trim_end_matches('0'))
    }
}

/// PostgreSQL's text form; with `tz`, as UTC with the `+00:00` suffix SQLite understands.
pub fn format_timestamp_micros(micros: i64, tz: bool) -> String {
    let days = micros.div_euclid(MICROS_PER_DAY);
    let time = micros.rem_euclid(MICROS_PER_DAY);
    let mut s = format!("{} {}", format_date(days as i32), format_time(time));
    if tz {
        s.push_str("+00:00");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(parse_date("2000-01-01"), Some(0));
        assert_eq!(parse_date("1999-12-31"), Some(-1));
        assert_eq!(format_date(parse_date("2024-02-29").unwrap()), "2024-02-29");
        assert_eq!(parse_time("01:02:03.5"), Some(3_723_500_000));
        assert_eq!(format_time(3_723_500_000), "01:02:03.5");
        let t = parse_timestamp("2024-01-02 03:04:05.123456").unwrap();
        assert_eq!(
            format_timestamp_micros(t, false),
            "2024-01-02 03:04:05.123456"
        );
        assert_eq!(
            parse_timestamp("2024-01-02T05:04:05+02:00"),
            parse_timestamp("2024-01-02 03:04:05")
        );
        assert_eq!(parse_timestamp("2000-01-01 00:00:00Z"), Some(0));
        assert_eq!(parse_timestamp("2000-01-01"), Some(0));
        assert_eq!(parse_timestamp("garbage"), None);
        assert_eq!(
            format_timestamp_micros(0, true),
            "2000-01-01 00:00:00+00:00"
        );
    }
}

/// An interval as PostgreSQL keeps it: months, days and microseconds, separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Interval {
    pub months: i32,
    pub days: i32,
    pub micros: i64,
}

/// Parses PostgreSQL's interval input: `1 year 2 mons 3 days 04:05:06.5`, `3 seconds`,
/// `1 day 00:00:03`, `-1 days +02:00:00`, `2 weeks`, `1 day ago`, and the ISO 8601
/// form `P1Y2M3DT4H5M6.5S`.
pub fn parse_interval(s: &str) -> Option<Interval> {
    let s = s.trim();
    if let Some(iso) = s.strip_prefix('P').or_else(|| s.strip_prefix('p')) {
        return parse_iso_interval(iso);
    }
    let mut iv = Interval::default();
    let mut words: Vec<&str> = s.split_whitespace().collect();
    let ago = words.last().is_some_and(|w| w.eq_ignore_ascii_case("ago"));
    if ago {
        words.pop();
    }
    if words.is_empty() {
        return None;
    }
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if w.contains(':') {
            let (neg, t) = match w.strip_prefix('-') {
                Some(t) => (true, t),
                None => (false, w.strip_prefix('+').unwrap_or(w)),
            };
            let micros = parse_time(t)?;
            iv.micros += if neg { -micros } else { micros };
            i += 1;
            continue;
        }
        let value: f64 = w.parse().ok()?;
        let unit = words
            .get(i + 1)
            .map(|u| u.to_ascii_lowercase())
            .unwrap_or_default();
        let unit = unit.trim_end_matches(',');
        let whole = value.trunc();
        let frac = value - whole;
        match unit {
            "year" | "years" | "y" | "yr" | "yrs" => {
                iv.months += (value * 12.0).round() as i32;
            }
            "mon" | "mons" | "month" | "months" => {
                iv.months += whole as i32;
                iv.days += (frac * 30.0).round() as i32;
            }
            "week" | "weeks" | "w" => iv.days += (value * 7.0).round() as i32,
            "day" | "days" | "d" => {
                iv.days += whole as i32;
                iv.micros += (frac * MICROS_PER_DAY as f64).round() as i64;
            }
            "hour" | "hours" | "h" | "hr" | "hrs" => iv.micros += (value * 3.6e9).round() as i64,
            "minute" | "minutes" | "min" | "mins" | "m" => {
                iv.micros += (value * 6e7).round() as i64
            }
            "second" | "seconds" | "sec" | "secs" | "s" => {
                iv.micros += (value * 1e6).round() as i64
            }
            "millisecond" | "milliseconds" | "ms" => iv.micros += (value * 1e3).round() as i64,
            "microsecond" | "microseconds" | "us" => iv.micros += value.round() as i64,
            // A bare number is seconds.
            "" => {
                iv.micros += (value * 1e6).round() as i64;
                i += 1;
                continue;
            }
            _ => return None,
        }
        i += 2;
    }
    if ago {
        iv = Interval {
            months: -iv.months,
            days: -iv.days,
            micros: -iv.micros,
        };
    }
    Some(iv)
}

fn parse_iso_interval(s: &str) -> Option<Interval> {
    let mut iv = Interval::default();
    let mut in_time = false;
    let mut num = String::new();
    for c in s.chars() {
        match c {
            'T' | 't' => in_time = true,
            '0'..='9' | '.' | '-' => num.push(c),
            _ => {
                let v: f64 = num.parse().ok()?;
                num.clear();
                match (in_time, c.to_ascii_uppercase()) {
                    (false, 'Y') => iv.months += (v * 12.0).round() as i32,
                    (false, 'M') => iv.months += v as i32,
                    (false, 'W') => iv.days += (v * 7.0) as i32,
                    (false, 'D') => iv.days += v as i32,
                    (true, 'H') => iv.micros += (v * 3.6e9).round() as i64,
                    (true, 'M') => iv.micros += (v * 6e7).round() as i64,
                    (true, 'S') => iv.micros += (v * 1e6).round() as i64,
                    _ => return None,
                }
            }
        }
    }
    num.is_empty().then_some(iv)
}

/// PostgreSQL's output for an interval (IntervalStyle `postgres`).
pub fn format_interval(iv: Interval) -> String {
    let mut parts: Vec<String> = Vec::new();
    let (years, mons) = (iv.months / 12, iv.months % 12);
    let unit = |n: i32, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if years != 0 {
        parts.push(unit(years, "year", "years"));
    }
    if mons != 0 {
        parts.push(unit(mons, "mon", "mons"));
    }
    if iv.days != 0 {
        parts.push(unit(iv.days, "day", "days"));
    }
    if iv.micros != 0 || parts.is_empty() {
        let sign = if iv.micros < 0 { "-" } else { "" };
        let t = iv.micros.unsigned_abs() as i64;
        let secs = t / 1_000_000;
        let frac = t % 1_000_000;
        let mut clock = format!(
            "{sign}{:02}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );
        if frac != 0 {
            let f = format!("{frac:06}");
            clock.push('.');
            clock.push_str(f.trim_end_matches('0'));
        }
        parts.push(clock);
    }
    parts.join(" ")
}

#[cfg(test)]
mod interval_tests {
    use super::*;

    #[test]
    fn intervals_read_and_print_like_postgres() {
        let p = |s: &str| format_interval(parse_interval(s).unwrap());
        assert_eq!(p("1 days 3.000000 seconds"), "1 day 00:00:03");
        assert_eq!(
            p("1 year 2 mons 3 days 04:05:06.5"),
            "1 year 2 mons 3 days 04:05:06.5"
        );
        assert_eq!(p("14 months"), "1 year 2 mons");
        assert_eq!(p("2 weeks"), "14 days");
        assert_eq!(p("-1 days +02:00:00"), "-1 days 02:00:00");
        assert_eq!(p("1 day ago"), "-1 days");
        assert_eq!(p("P1DT2H"), "1 day 02:00:00");
        assert_eq!(p("0"), "00:00:00");
        assert_eq!(p("90 minutes"), "01:30:00");
        assert!(parse_interval("soon").is_none());
    }
}
