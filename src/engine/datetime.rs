//! Dates and times: litewire stores them as ISO 8601 text (which SQLite's date functions
//! and other tools read) and converts to and from PostgreSQL's binary forms — days or
//! microseconds counted from 2000-01-01. Input is checked against PostgreSQL's ranges
//! (dates to 5874897-12-31, timestamps to 294276-12-31), with checked arithmetic, so no
//! value a client sends can overflow; years before 1 (BC) are not supported.

use crate::protocol::{PgError, SqlState};

/// Microseconds from 1970-01-01 to 2000-01-01.
pub const PG_EPOCH_OFFSET_MICROS: i64 = 946_684_800_000_000;
pub(crate) const MICROS_PER_DAY: i64 = 86_400_000_000;
/// Days from 1970-01-01 to 2000-01-01.
pub(crate) const PG_EPOCH_DAYS: i64 = 10_957;
/// The last year PostgreSQL's `date` and `timestamp` accept.
const DATE_MAX_YEAR: i64 = 5_874_897;
const TIMESTAMP_MAX_YEAR: i64 = 294_276;

/// Why date/time input was refused; [`DtError::to_pg`] gives PostgreSQL's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtError {
    Syntax,
    /// A field beyond its range (month 13, February 30, 25:00).
    FieldRange,
    DateRange,
    TimestampRange,
    IntervalRange,
    ZoneRange,
    /// A year before 1 (BC), which litewire cannot store as ISO text.
    BeforeChrist,
}

impl DtError {
    /// PostgreSQL's error for `input` given as a value of type `type_name`.
    pub fn to_pg(self, type_name: &str, input: &str) -> PgError {
        let (code, message) = match self {
            DtError::Syntax => (
                SqlState::INVALID_DATETIME_FORMAT,
                format!("invalid input syntax for type {type_name}: \"{input}\""),
            ),
            DtError::FieldRange => (
                SqlState::DATETIME_FIELD_OVERFLOW,
                format!("date/time field value out of range: \"{input}\""),
            ),
            DtError::DateRange => (
                SqlState::DATETIME_FIELD_OVERFLOW,
                format!("date out of range: \"{input}\""),
            ),
            DtError::TimestampRange => (
                SqlState::DATETIME_FIELD_OVERFLOW,
                format!("timestamp out of range: \"{input}\""),
            ),
            DtError::IntervalRange => (
                SqlState::INTERVAL_FIELD_OVERFLOW,
                format!("interval field value out of range: \"{input}\""),
            ),
            DtError::ZoneRange => (
                SqlState::INVALID_TIME_ZONE_DISPLACEMENT_VALUE,
                format!("time zone displacement out of range: \"{input}\""),
            ),
            DtError::BeforeChrist => (
                SqlState::FEATURE_NOT_SUPPORTED,
                format!("{type_name} values before 0001-01-01 (BC) are not supported"),
            ),
        };
        PgError::new(code, message)
    }
}

type Dt<T> = Result<T, DtError>;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
/// Callers keep `y` within ±10^7, so nothing here overflows.
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
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

pub(crate) fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 2000-01-01 of the first day of `year` (a bound of the valid ranges).
fn first_day_of(year: i64) -> i64 {
    days_from_civil(year, 1, 1) - PG_EPOCH_DAYS
}

/// The days and microseconds a `date` and a `timestamp` may hold (end exclusive).
fn date_days_ok(days: i64) -> Dt<()> {
    if days < first_day_of(1) {
        Err(DtError::BeforeChrist)
    } else if days >= first_day_of(DATE_MAX_YEAR + 1) {
        Err(DtError::DateRange)
    } else {
        Ok(())
    }
}

fn timestamp_micros_ok(micros: i64) -> Dt<()> {
    if micros < first_day_of(1) * MICROS_PER_DAY {
        Err(DtError::BeforeChrist)
    } else if micros >= first_day_of(TIMESTAMP_MAX_YEAR + 1) * MICROS_PER_DAY {
        Err(DtError::TimestampRange)
    } else {
        Ok(())
    }
}

fn num(s: &str) -> Dt<i64> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DtError::Syntax);
    }
    s.parse().map_err(|_| DtError::Syntax)
}

/// `YYYY-MM-DD` → days since 2000-01-01, within `date`'s range.
pub fn parse_date(s: &str) -> Dt<i32> {
    let s = s.trim();
    let mut it = s.splitn(3, '-');
    let mut field = || it.next().ok_or(DtError::Syntax).and_then(num);
    let (y, m, d) = (field()?, field()?, field()?);
    if y == 0 || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(DtError::FieldRange);
    }
    if y > DATE_MAX_YEAR {
        return Err(DtError::DateRange);
    }
    let days = days_from_civil(y, m, d) - PG_EPOCH_DAYS;
    date_days_ok(days)?;
    i32::try_from(days).map_err(|_| DtError::DateRange)
}

/// A `date` as written: `YYYY-MM-DD`, optionally followed by a time (and zone) that
/// PostgreSQL reads and drops.
pub fn parse_date_input(s: &str) -> Dt<i32> {
    let (date, rest) = split_date(s.trim());
    let days = parse_date(date)?;
    if !rest.is_empty() {
        parse_timestamp_local(s)?;
    }
    Ok(days)
}

/// Splits `YYYY-MM-DD[ T]rest` after the date (years may have more than four digits).
fn split_date(s: &str) -> (&str, &str) {
    let end = s.find([' ', 'T', 't']).unwrap_or(s.len());
    s.split_at(end)
}

/// `HH:MM[:SS[.ffffff]]` → microseconds since midnight (at most 24:00:00). Digits after
/// the sixth fractional one round, as in PostgreSQL.
pub fn parse_time(s: &str) -> Dt<i64> {
    let s = s.trim();
    let mut it = s.splitn(3, ':');
    let h = num(it.next().ok_or(DtError::Syntax)?)?;
    let m = num(it.next().ok_or(DtError::Syntax)?)?;
    let (sec, frac) = match it.next() {
        Some(rest) => match rest.split_once('.') {
            Some((s, f)) => (num(s)?, f),
            None => (num(rest)?, ""),
        },
        None => (0, ""),
    };
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DtError::Syntax);
    }
    let mut micros = 0i64;
    for (i, b) in frac.bytes().take(7).enumerate() {
        let digit = (b - b'0') as i64;
        if i == 6 {
            micros += (digit >= 5) as i64;
        } else {
            micros += digit * 10i64.pow(5 - i as u32);
        }
    }
    let total = ((h * 60 + m) * 60 + sec) * 1_000_000 + micros;
    if h > 24 || m > 59 || sec > 60 || total > MICROS_PER_DAY {
        return Err(DtError::FieldRange);
    }
    Ok(total)
}

/// `YYYY-MM-DD[( |T)HH:MM[:SS[.f]]][Z|±HH[:MM]]` → microseconds since 2000-01-01 UTC.
pub fn parse_timestamp(s: &str) -> Dt<i64> {
    parse_timestamp_with(s, true)
}

/// Like [`parse_timestamp`], but a zone, if given, is ignored (PostgreSQL's input rule
/// for `timestamp without time zone`).
pub fn parse_timestamp_local(s: &str) -> Dt<i64> {
    parse_timestamp_with(s, false)
}

fn parse_timestamp_with(s: &str, apply_zone: bool) -> Dt<i64> {
    let (date, rest) = split_date(s.trim());
    let days = match parse_date(date) {
        Err(DtError::DateRange) => return Err(DtError::TimestampRange),
        other => other? as i64,
    };
    let rest = rest.trim_start_matches([' ', 'T']);
    let (time, offset) = if rest.is_empty() {
        (0, 0)
    } else {
        let (time, offset) = split_offset(rest)?;
        (parse_time(time)?, offset)
    };
    let offset = if apply_zone { offset } else { 0 };
    // A date may be out of a timestamp's range by far (a seven-digit year): checked.
    let micros = days
        .checked_mul(MICROS_PER_DAY)
        .and_then(|m| m.checked_add(time))
        .and_then(|m| m.checked_sub(offset))
        .ok_or(DtError::TimestampRange)?;
    timestamp_micros_ok(micros)?;
    Ok(micros)
}

/// Splits a trailing zone (`Z`, `+HH`, `+HH:MM`, `-HHMM`) off a time; the offset is in µs.
fn split_offset(t: &str) -> Dt<(&str, i64)> {
    if let Some(time) = t.strip_suffix('Z').or_else(|| t.strip_suffix('z')) {
        return Ok((time, 0));
    }
    match t.rfind(['+', '-']) {
        Some(i) => {
            let (time, zone) = t.split_at(i);
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let digits = zone[1..].replace(':', "");
            let (h, m) = match (digits.len(), digits.get(..2), digits.get(2..)) {
                (2, _, _) => (num(&digits)?, 0),
                (4, Some(h), Some(m)) => (num(h)?, num(m)?),
                _ => return Err(DtError::Syntax),
            };
            if h > 15 || m > 59 {
                return Err(DtError::ZoneRange);
            }
            Ok((time, sign * (h * 3600 + m * 60) * 1_000_000))
        }
        None => Ok((t, 0)),
    }
}

/// A binary `date` (days since 2000-01-01) within the range litewire stores.
pub fn check_date(days: i32) -> Dt<i32> {
    date_days_ok(days as i64).map(|()| days)
}

/// A binary `timestamp` (µs since 2000-01-01) within the range litewire stores.
pub fn check_timestamp(micros: i64) -> Dt<i64> {
    timestamp_micros_ok(micros).map(|()| micros)
}

/// A binary `time` (µs since midnight): PostgreSQL accepts 0 to 24:00:00.
pub fn check_time(micros: i64) -> Dt<i64> {
    if (0..=MICROS_PER_DAY).contains(&micros) {
        Ok(micros)
    } else {
        Err(DtError::FieldRange)
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

/// An interval as PostgreSQL keeps it: months, days and microseconds, separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Interval {
    pub months: i32,
    pub days: i32,
    pub micros: i64,
}

impl Interval {
    /// Adds `value` units of months, days or microseconds (rounded), refusing what does
    /// not fit the field (PostgreSQL's 22015).
    fn add(&mut self, field: Field, value: f64) -> Dt<()> {
        let v = value.round();
        // Within ±2^63 (false for NaN) `as` is exact; the field checks see to the rest.
        if !(i64::MIN as f64..-(i64::MIN as f64)).contains(&v) {
            return Err(DtError::IntervalRange);
        }
        let v = v as i64;
        let small = |x: i32| x.checked_add(i32::try_from(v).ok()?);
        match field {
            Field::Months => self.months = small(self.months).ok_or(DtError::IntervalRange)?,
            Field::Days => self.days = small(self.days).ok_or(DtError::IntervalRange)?,
            Field::Micros => {
                self.micros = self.micros.checked_add(v).ok_or(DtError::IntervalRange)?
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum Field {
    Months,
    Days,
    Micros,
}

/// Parses PostgreSQL's interval input: `1 year 2 mons 3 days 04:05:06.5`, `3 seconds`,
/// `1 day 00:00:03`, `-1 days +02:00:00`, `2 weeks`, `1 day ago`, and the ISO 8601
/// form `P1Y2M3DT4H5M6.5S`.
pub fn parse_interval(s: &str) -> Dt<Interval> {
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
        return Err(DtError::Syntax);
    }
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if w.contains(':') {
            let (neg, t) = match w.strip_prefix('-') {
                Some(t) => (true, t),
                None => (false, w.strip_prefix('+').unwrap_or(w)),
            };
            let micros = parse_clock(t)?;
            iv.micros = iv
                .micros
                .checked_add(if neg { -micros } else { micros })
                .ok_or(DtError::IntervalRange)?;
            i += 1;
            continue;
        }
        let value: f64 = w.parse().map_err(|_| DtError::Syntax)?;
        if !value.is_finite() {
            return Err(DtError::Syntax);
        }
        let unit = words
            .get(i + 1)
            .map(|u| u.to_ascii_lowercase())
            .unwrap_or_default();
        let unit = unit.trim_end_matches(',');
        let whole = value.trunc();
        let frac = value - whole;
        match unit {
            "year" | "years" | "y" | "yr" | "yrs" => iv.add(Field::Months, value * 12.0)?,
            "mon" | "mons" | "month" | "months" => {
                iv.add(Field::Months, whole)?;
                iv.add(Field::Days, frac * 30.0)?;
            }
            "week" | "weeks" | "w" => iv.add(Field::Days, value * 7.0)?,
            "day" | "days" | "d" => {
                iv.add(Field::Days, whole)?;
                iv.add(Field::Micros, frac * MICROS_PER_DAY as f64)?;
            }
            "hour" | "hours" | "h" | "hr" | "hrs" => iv.add(Field::Micros, value * 3.6e9)?,
            "minute" | "minutes" | "min" | "mins" | "m" => iv.add(Field::Micros, value * 6e7)?,
            "second" | "seconds" | "sec" | "secs" | "s" => iv.add(Field::Micros, value * 1e6)?,
            "millisecond" | "milliseconds" | "ms" => iv.add(Field::Micros, value * 1e3)?,
            "microsecond" | "microseconds" | "us" => iv.add(Field::Micros, value)?,
            // A bare number is seconds.
            "" => {
                iv.add(Field::Micros, value * 1e6)?;
                i += 1;
                continue;
            }
            _ => return Err(DtError::Syntax),
        }
        i += 2;
    }
    if ago {
        iv = Interval {
            months: iv.months.checked_neg().ok_or(DtError::IntervalRange)?,
            days: iv.days.checked_neg().ok_or(DtError::IntervalRange)?,
            micros: iv.micros.checked_neg().ok_or(DtError::IntervalRange)?,
        };
    }
    Ok(iv)
}

/// An interval's clock part, `H:MM[:SS[.f]]`, as exact microseconds; hours are not
/// limited to a day.
fn parse_clock(t: &str) -> Dt<i64> {
    let (h, rest) = t.split_once(':').ok_or(DtError::Syntax)?;
    // Up to 2562047788 hours fit the microseconds.
    if h.is_empty() || h.len() > 12 || !h.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DtError::Syntax);
    }
    let hours: i64 = h.parse().map_err(|_| DtError::Syntax)?;
    let rest = parse_time(&format!("00:{rest}"))?;
    hours
        .checked_mul(3_600_000_000)
        .and_then(|m| m.checked_add(rest))
        .ok_or(DtError::IntervalRange)
}

fn parse_iso_interval(s: &str) -> Dt<Interval> {
    let mut iv = Interval::default();
    let mut in_time = false;
    let mut num = String::new();
    for c in s.chars() {
        match c {
            'T' | 't' => in_time = true,
            '0'..='9' | '.' | '-' => num.push(c),
            _ => {
                let v: f64 = num.parse().map_err(|_| DtError::Syntax)?;
                num.clear();
                match (in_time, c.to_ascii_uppercase()) {
                    (false, 'Y') => iv.add(Field::Months, v * 12.0)?,
                    (false, 'M') => iv.add(Field::Months, v.trunc())?,
                    (false, 'W') => iv.add(Field::Days, (v * 7.0).trunc())?,
                    (false, 'D') => iv.add(Field::Days, v.trunc())?,
                    (true, 'H') => iv.add(Field::Micros, v * 3.6e9)?,
                    (true, 'M') => iv.add(Field::Micros, v * 6e7)?,
                    (true, 'S') => iv.add(Field::Micros, v * 1e6)?,
                    _ => return Err(DtError::Syntax),
                }
            }
        }
    }
    if num.is_empty() {
        Ok(iv)
    } else {
        Err(DtError::Syntax)
    }
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
        let t = iv.micros.unsigned_abs();
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
mod tests {
    use super::*;

    /// Found by the bind_values fuzz target: a seven-digit year is a valid date but no
    /// timestamp, and its microseconds overflowed.
    #[test]
    fn far_dates_are_out_of_timestamp_range() {
        assert!(matches!(
            parse_timestamp("2440022-01-11"),
            Err(DtError::TimestampRange)
        ));
        assert!(matches!(
            parse_timestamp_local("2440022-01-11 10:00+05"),
            Err(DtError::TimestampRange)
        ));
    }

    #[test]
    fn round_trips() {
        assert_eq!(parse_date("2000-01-01"), Ok(0));
        assert_eq!(parse_date("1999-12-31"), Ok(-1));
        assert_eq!(format_date(parse_date("2024-02-29").unwrap()), "2024-02-29");
        assert_eq!(parse_time("01:02:03.5"), Ok(3_723_500_000));
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
        assert_eq!(parse_timestamp("2000-01-01 00:00:00Z"), Ok(0));
        assert_eq!(parse_timestamp("2000-01-01"), Ok(0));
        assert_eq!(parse_timestamp("garbage"), Err(DtError::Syntax));
        assert_eq!(
            format_timestamp_micros(0, true),
            "2000-01-01 00:00:00+00:00"
        );
    }

    #[test]
    fn fields_and_ranges_as_postgres_checks_them() {
        assert_eq!(parse_date("2024-02-30"), Err(DtError::FieldRange));
        assert_eq!(parse_date("2023-02-29"), Err(DtError::FieldRange));
        assert_eq!(parse_date("2024-13-01"), Err(DtError::FieldRange));
        assert_eq!(parse_date("0000-01-01"), Err(DtError::FieldRange));
        assert_eq!(parse_date("5874897-12-31").map(|_| ()), Ok(()));
        assert_eq!(parse_date("99999999-01-01"), Err(DtError::DateRange));
        assert_eq!(parse_date("9999999999-01-01"), Err(DtError::Syntax));
        assert_eq!(
            parse_date_input("2024-01-01 25:00"),
            Err(DtError::FieldRange)
        );
        assert_eq!(parse_date_input("2024-01-01garbage"), Err(DtError::Syntax));
        assert_eq!(parse_date_input("2024-01-01 12:00").map(|_| ()), Ok(()));
        assert_eq!(parse_time("24:00:00"), Ok(MICROS_PER_DAY));
        assert_eq!(parse_time("24:00:01"), Err(DtError::FieldRange));
        assert_eq!(parse_time("12:60:00"), Err(DtError::FieldRange));
        assert_eq!(parse_time("12:00:00.9999999"), parse_time("12:00:01"));
        assert!(parse_timestamp("294276-12-31 23:59:59.999999").is_ok());
        assert_eq!(
            parse_timestamp("294277-01-01"),
            Err(DtError::TimestampRange)
        );
        assert_eq!(
            parse_timestamp("2024-01-01 12:00+25"),
            Err(DtError::ZoneRange)
        );
        assert_eq!(check_date(i32::MAX), Err(DtError::DateRange));
        assert_eq!(check_date(i32::MIN), Err(DtError::BeforeChrist));
        assert_eq!(check_timestamp(i64::MAX), Err(DtError::TimestampRange));
        assert_eq!(check_time(-1), Err(DtError::FieldRange));
    }

    #[test]
    fn no_panic_on_multibyte_text() {
        // Byte 10 inside a character, a zone with a multibyte character.
        assert_eq!(parse_timestamp("2024-01-0é 12:00"), Err(DtError::Syntax));
        assert_eq!(
            parse_timestamp("2024-01-01 12:00+1é2"),
            Err(DtError::Syntax)
        );
        assert_eq!(parse_date_input("2024-01-0é"), Err(DtError::Syntax));
    }
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
        assert_eq!(p("2562047788 hours"), "2562047788:00:00");
        assert_eq!(p("1:30"), "01:30:00");
        assert_eq!(parse_interval("soon"), Err(DtError::Syntax));
        // Found by the datetime fuzz target: a clock with ten-digit hours, as printed
        // for a large number of seconds, reads back.
        let iv = parse_interval("-5555555277777").unwrap();
        assert_eq!(parse_interval(&format_interval(iv)), Ok(iv));
        assert_eq!(
            parse_interval("1543209799:22:57").map(format_interval),
            Ok("1543209799:22:57".into())
        );
        assert_eq!(
            parse_interval("999999999999:00:00"),
            Err(DtError::IntervalRange)
        );
    }

    #[test]
    fn interval_fields_overflow_as_errors() {
        for s in [
            "178000000000 years",
            "2147483648 days",
            "99999999999999 seconds",
            "2562047789 hours",
            "2147483647 days 1 day",
            "1e300 seconds",
            "P99999999999Y",
        ] {
            assert_eq!(parse_interval(s), Err(DtError::IntervalRange), "{s}");
        }
        assert_eq!(parse_interval("nan seconds"), Err(DtError::Syntax));
        let min = Interval {
            months: i32::MIN,
            days: i32::MIN,
            micros: i64::MIN,
        };
        assert!(format_interval(min).starts_with("-178956970 years"));
    }
}
