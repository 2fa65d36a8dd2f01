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
    Some(days * MICROS_PER_DAY + parse_time(time)? - offset)
}

/// Like [`parse_timestamp`], but a zone, if given, is ignored (PostgreSQL's input rule
/// for `timestamp without time zone`).
pub fn parse_timestamp_local(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() < 10 {
        return None;
    }
    let days = parse_date(&s[..10])? as i64;
    let rest = s[10..].trim_start_matches([' ', 'T']);
    if rest.is_empty() {
        return Some(days * MICROS_PER_DAY);
    }
    let (time, _) = split_offset(rest)?;
    Some(days * MICROS_PER_DAY + parse_time(time)?)
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
