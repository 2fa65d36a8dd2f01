//! PostgreSQL's interval input, ported from its datetime.c (DecodeInterval,
//! DecodeISO8601Interval) and timestamp.c (interval_in): the verbose form
//! (`@ 1 day 2 hours ago`, `1.5 weeks`, `-1 days +02:03`), SQL standard forms (`1-2`,
//! `1 2:03:04`), ISO 8601 with designators (`P1Y2M3DT4H5M6S`) and the alternative form
//! (`P0001-02-03T04:05:06`), with PostgreSQL's overflow checks and errors.

use super::decode::{decode_clock, parse_fraction, split, Ft};
use super::{Dt, DtError, Interval, MICROS_PER_DAY};

const USECS_PER_HOUR: i64 = 3_600_000_000;
const USECS_PER_MINUTE: i64 = 60_000_000;
const USECS_PER_SEC: i64 = 1_000_000;
const DAYS_PER_MONTH: i64 = 30;

/// The fields of an interval type modifier (`INTERVAL DAY TO SECOND`...): which unit
/// a bare number at the right means, and how `a:b` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Range {
    #[default]
    Full,
    Year,
    Month,
    YearToMonth,
    Day,
    Hour,
    DayToHour,
    Minute,
    HourToMinute,
    DayToMinute,
    Second,
    MinuteToSecond,
    HourToSecond,
    DayToSecond,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Microsecond,
    Millisecond,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
    Decade,
    Century,
    Millennium,
}

/// An interval being read: years kept apart until the end, like PostgreSQL's pg_itm_in.
#[derive(Default)]
struct ItmIn {
    usec: i64,
    mday: i32,
    mon: i32,
    year: i32,
}

impl ItmIn {
    /// `frac × scale` microseconds, rounded half away from zero (AdjustFractMicroseconds).
    fn fract_micros(&mut self, frac: f64, scale: i64) -> Option<()> {
        if frac == 0.0 {
            return Some(());
        }
        let f = frac * scale as f64;
        let mut usec = f as i64;
        let rest = f - usec as f64;
        if rest > 0.5 {
            usec += 1;
        } else if rest < -0.5 {
            usec -= 1;
        }
        self.usec = self.usec.checked_add(usec)?;
        Some(())
    }

    fn fract_days(&mut self, frac: f64, scale: i64) -> Option<()> {
        if frac == 0.0 {
            return Some(());
        }
        let f = frac * scale as f64;
        let extra = f as i32;
        self.mday = self.mday.checked_add(extra)?;
        self.fract_micros(f - extra as f64, MICROS_PER_DAY)
    }

    fn fract_years(&mut self, frac: f64, scale: i64) -> Option<()> {
        let extra = (frac * scale as f64 * 12.0).round_ties_even() as i32;
        self.mon = self.mon.checked_add(extra)?;
        Some(())
    }

    fn micros(&mut self, val: i64, frac: f64, scale: i64) -> Option<()> {
        self.usec = val.checked_mul(scale)?.checked_add(self.usec)?;
        self.fract_micros(frac, scale)
    }

    fn days(&mut self, val: i64, scale: i32) -> Option<()> {
        let d = i32::try_from(val).ok()?.checked_mul(scale)?;
        self.mday = self.mday.checked_add(d)?;
        Some(())
    }

    fn months(&mut self, val: i64) -> Option<()> {
        self.mon = self.mon.checked_add(i32::try_from(val).ok()?)?;
        Some(())
    }

    fn years(&mut self, val: i64, scale: i32) -> Option<()> {
        let y = i32::try_from(val).ok()?.checked_mul(scale)?;
        self.year = self.year.checked_add(y)?;
        Some(())
    }

    /// `val` and `frac` of `unit` added.
    fn add(&mut self, unit: Unit, val: i64, frac: f64) -> Option<()> {
        match unit {
            Unit::Microsecond => self.micros(val, frac, 1),
            Unit::Millisecond => self.micros(val, frac, 1000),
            Unit::Second => self.micros(val, frac, USECS_PER_SEC),
            Unit::Minute => self.micros(val, frac, USECS_PER_MINUTE),
            Unit::Hour => self.micros(val, frac, USECS_PER_HOUR),
            Unit::Day => {
                self.days(val, 1)?;
                self.fract_micros(frac, MICROS_PER_DAY)
            }
            Unit::Week => {
                self.days(val, 7)?;
                self.fract_days(frac, 7)
            }
            Unit::Month => {
                self.months(val)?;
                self.fract_days(frac, DAYS_PER_MONTH)
            }
            Unit::Year => {
                self.years(val, 1)?;
                self.fract_years(frac, 1)
            }
            Unit::Decade => {
                self.years(val, 10)?;
                self.fract_years(frac, 10)
            }
            Unit::Century => {
                self.years(val, 100)?;
                self.fract_years(frac, 100)
            }
            Unit::Millennium => {
                self.years(val, 1000)?;
                self.fract_years(frac, 1000)
            }
        }
    }
}

enum UnitWord {
    Unit(Unit),
    Ago,
    Ignore,
}

/// PostgreSQL's deltatktbl (compared on at most 10 characters, like its TOKMAXLEN).
fn unit_word(word: &str) -> Option<UnitWord> {
    use Unit::*;
    let w = word.get(..word.len().min(10)).unwrap_or(word);
    Some(UnitWord::Unit(match w {
        "@" => return Some(UnitWord::Ignore),
        "ago" => return Some(UnitWord::Ago),
        "c" | "cent" | "centuries" | "century" => Century,
        "d" | "day" | "days" => Day,
        "dec" | "decade" | "decades" | "decs" => Decade,
        "h" | "hour" | "hours" | "hr" | "hrs" => Hour,
        "m" | "min" | "mins" | "minute" | "minutes" => Minute,
        "microsecon" | "us" | "usec" | "usecond" | "useconds" | "usecs" => Microsecond,
        "mil" | "millennia" | "millennium" | "mils" => Millennium,
        "millisecon" | "ms" | "msec" | "msecond" | "mseconds" | "msecs" => Millisecond,
        "mon" | "mons" | "month" | "months" => Month,
        "s" | "sec" | "second" | "seconds" | "secs" => Second,
        "w" | "week" | "weeks" => Week,
        "y" | "year" | "years" | "yr" | "yrs" => Year,
        _ => return None,
    }))
}

/// The unit of a bare number at the right of the input, by the type modifier.
fn rightmost(range: Range) -> Unit {
    match range {
        Range::Year => Unit::Year,
        Range::Month | Range::YearToMonth => Unit::Month,
        Range::Day => Unit::Day,
        Range::Hour | Range::DayToHour => Unit::Hour,
        Range::Minute | Range::HourToMinute | Range::DayToMinute => Unit::Minute,
        _ => Unit::Second,
    }
}

/// A clock read as microseconds (DecodeTimeForInterval).
fn clock_micros(s: &str, range: Range) -> Dt<i64> {
    signed_clock_micros(s, range, false)
}

/// A clock read as microseconds, negated when `negative`: `-2562047788:00:54.775808`
/// is the least interval time, whose magnitude no i64 holds.
fn signed_clock_micros(s: &str, range: Range, negative: bool) -> Dt<i64> {
    let (h, m, sec, fsec) = decode_clock(s, range == Range::MinuteToSecond)?;
    let magnitude = i128::from(h) * i128::from(USECS_PER_HOUR)
        + i128::from(m * USECS_PER_MINUTE + sec * USECS_PER_SEC + fsec);
    i64::try_from(if negative { -magnitude } else { magnitude }).map_err(|_| DtError::FieldRange)
}

/// What a number read next (to the left) means: the modifier's rightmost unit, a
/// unit named after it, or nothing (a number right before `ago`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Next {
    Default,
    Unit(Unit),
    Invalid,
}

/// PostgreSQL's field bits (datetime.h's DTK_M) for the units: a unit given twice, or
/// hours beside a clock, is a syntax error.
const fn bit(t: u32) -> u32 {
    1 << t
}
const ALL_SECS_M: u32 = bit(12) | bit(13) | bit(14);
const TIME_M: u32 = bit(10) | bit(11) | ALL_SECS_M;

/// The verbose and SQL standard forms (DecodeInterval), read right to left so that a
/// unit comes before its number.
/// `stored`: litewire's own output read back, which may hold the least time
/// (`-2562047788:00:54.775808`, which PostgreSQL's input refuses).
fn decode_interval(fields: &[(Ft, String)], range: Range, stored: bool) -> Dt<ItmIn> {
    let mut itm = ItmIn::default();
    let mut next = Next::Default;
    let mut fmask: u32 = 0;
    let mut ago = false;
    let overflow = |_| DtError::FieldRange;
    // IntervalStyle sql_standard: a leading minus applies to every field when no other
    // field carries a sign (`-1 2:03:04` is minus one day, two hours…).
    let signed = |f: &String| f.starts_with(['-', '+']);
    let force_negative = super::interval_style() == super::IntervalStyle::SqlStandard
        && fields.first().is_some_and(|(_, f)| f.starts_with('-'))
        && !fields.iter().skip(1).any(|(_, f)| signed(f));
    for (ft, field) in fields.iter().rev() {
        let field = field.as_str();
        let mut number = matches!(ft, Ft::Date | Ft::Number);
        let mut tmask = 0;
        match ft {
            Ft::Time => {
                // PostgreSQL sets (does not add to) the microseconds here.
                itm.usec = clock_micros(field, range)?;
                if force_negative {
                    itm.usec = -itm.usec;
                }
                next = Next::Unit(Unit::Day);
                tmask = TIME_M;
            }
            Ft::Tz => {
                // A signed clock (`-1 +02:03`), else a signed number.
                let negative = field.starts_with('-');
                let clock = field[1..]
                    .contains(':')
                    .then(|| {
                        if stored {
                            signed_clock_micros(&field[1..], range, negative).ok()
                        } else {
                            let t = clock_micros(&field[1..], range).ok()?;
                            Some(if negative { -t } else { t })
                        }
                    })
                    .flatten();
                match clock {
                    Some(t) => {
                        itm.usec = t;
                        next = Next::Unit(Unit::Day);
                        tmask = TIME_M;
                    }
                    None => number = true,
                }
            }
            Ft::Number | Ft::Date => {}
            Ft::String | Ft::Special => match unit_word(field) {
                Some(UnitWord::Ignore) => continue,
                Some(UnitWord::Ago) => {
                    ago = true;
                    next = Next::Invalid;
                }
                Some(UnitWord::Unit(u)) => next = Next::Unit(u),
                None => return Err(DtError::Syntax),
            },
        }
        if number {
            let mut u = match next {
                Next::Default => rightmost(range),
                Next::Unit(u) => u,
                Next::Invalid => return Err(DtError::Syntax),
            };
            let (mut val, cp) = strtoi64(field)?;
            let frac;
            if let Some(rest) = cp.strip_prefix('-') {
                // SQL's years-months: `1-2`.
                let (months, cp) = strtoi64(rest)?;
                if !(0..12).contains(&months) {
                    return Err(DtError::FieldRange);
                }
                if !cp.is_empty() {
                    return Err(DtError::Syntax);
                }
                u = Unit::Month;
                let months = if field.starts_with('-') {
                    -months
                } else {
                    months
                };
                val = val
                    .checked_mul(12)
                    .and_then(|v| v.checked_add(months))
                    .ok_or(DtError::FieldRange)?;
                frac = 0.0;
            } else if cp.starts_with('.') {
                let f = parse_fraction(cp)?;
                frac = if field.starts_with('-') { -f } else { f };
            } else if cp.is_empty() {
                frac = 0.0;
            } else {
                return Err(DtError::Syntax);
            }
            let (val, frac) = if force_negative && (val > 0 || frac > 0.0) {
                (-val.max(0), -frac.max(0.0))
            } else {
                (val, frac)
            };
            itm.add(u, val, frac).ok_or(()).map_err(overflow)?;
            tmask = match u {
                Unit::Microsecond => bit(14),
                Unit::Millisecond => bit(13),
                Unit::Second if frac != 0.0 => ALL_SECS_M,
                Unit::Second => bit(12),
                Unit::Minute => bit(11),
                Unit::Hour => bit(10),
                Unit::Day => bit(3),
                Unit::Week => bit(24),
                Unit::Month => bit(1),
                Unit::Year => bit(2),
                Unit::Decade => bit(25),
                Unit::Century => bit(26),
                Unit::Millennium => bit(27),
            };
            // A bare number left of hours is days (`1 2:00` style `1 2 hours`).
            next = Next::Unit(if u == Unit::Hour { Unit::Day } else { u });
        }
        if tmask & fmask != 0 {
            return Err(DtError::Syntax);
        }
        fmask |= tmask;
    }
    if fmask == 0 {
        return Err(DtError::Syntax);
    }
    if ago {
        itm.usec = itm.usec.checked_neg().ok_or(DtError::FieldRange)?;
        itm.mday = itm.mday.checked_neg().ok_or(DtError::FieldRange)?;
        itm.mon = itm.mon.checked_neg().ok_or(DtError::FieldRange)?;
        itm.year = itm.year.checked_neg().ok_or(DtError::FieldRange)?;
    }
    Ok(itm)
}

/// strtoi64 at the start of `s` (sign and digits); no digits is a syntax error.
fn strtoi64(s: &str) -> Dt<(i64, &str)> {
    let b = s.as_bytes();
    let sign = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let n = b[sign..].iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 {
        // strtol reads nothing: the caller sees the text it was given.
        return Ok((0, s));
    }
    let v: i64 = s[..sign + n].parse().map_err(|_| DtError::FieldRange)?;
    Ok((v, &s[sign + n..]))
}

/// A number in an ISO 8601 interval, split into its integral and fractional parts
/// (ParseISO8601Number: anything strtod reads, within ±1e15).
fn iso_number(s: &str) -> Dt<(i64, f64, &str)> {
    let b = s.as_bytes();
    if !matches!(b.first(), Some(c) if c.is_ascii_digit() || *c == b'-' || *c == b'.') {
        return Err(DtError::Syntax);
    }
    // The longest prefix that is a float as strtod reads it (sign, digits, point, exponent).
    let mut end = usize::from(b[0] == b'-');
    let digits = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let int_end = digits(end);
    let mut e = int_end;
    if b.get(e) == Some(&b'.') {
        e = digits(e + 1);
    }
    if e == end || (e == end + 1 && b.get(end) == Some(&b'.')) {
        return Err(DtError::Syntax);
    }
    end = e;
    if matches!(b.get(end), Some(b'e' | b'E')) {
        let mut x = end + 1;
        if matches!(b.get(x), Some(b'+' | b'-')) {
            x += 1;
        }
        let after = digits(x);
        if after > x {
            end = after;
        }
    }
    let val: f64 = s[..end].parse().map_err(|_| DtError::Syntax)?;
    if val.is_nan() || !(-1.0e15..=1.0e15).contains(&val) {
        return Err(DtError::FieldRange);
    }
    let ipart = val.trunc();
    Ok((ipart as i64, val - ipart, &s[end..]))
}

/// Digits before any point in an ISO 8601 number field.
fn integer_width(s: &str) -> usize {
    let s = s.strip_prefix('-').unwrap_or(s);
    s.bytes().take_while(u8::is_ascii_digit).count()
}

/// ISO 8601 with designators or in the alternative format (DecodeISO8601Interval).
fn decode_iso_interval(s: &str) -> Dt<ItmIn> {
    let mut itm = ItmIn::default();
    let overflow = |_| DtError::FieldRange;
    if s.len() < 2 || !s.starts_with('P') {
        return Err(DtError::Syntax);
    }
    let mut str = &s[1..];
    let mut datepart = true;
    let mut havefield = false;
    while !str.is_empty() {
        if let Some(rest) = str.strip_prefix('T') {
            datepart = false;
            havefield = false;
            str = rest;
            continue;
        }
        let fieldstart = str;
        let (val, fval, rest) = iso_number(str)?;
        let mut chars = rest.chars();
        let unit = chars.next();
        str = chars.as_str();
        if datepart {
            match unit {
                Some('Y') => itm.add(Unit::Year, val, fval),
                Some('M') => itm.add(Unit::Month, val, fval),
                Some('W') => itm.add(Unit::Week, val, fval),
                Some('D') => itm.add(Unit::Day, val, fval),
                Some('T') | None if integer_width(fieldstart) == 8 && !havefield => {
                    itm.years(val / 10000, 1)
                        .and_then(|_| itm.months((val / 100) % 100))
                        .and_then(|_| itm.days(val % 100, 1))
                        .and_then(|_| itm.fract_micros(fval, MICROS_PER_DAY))
                        .ok_or(())
                        .map_err(overflow)?;
                    if unit.is_none() {
                        return Ok(itm);
                    }
                    datepart = false;
                    havefield = false;
                    continue;
                }
                Some('T' | '-') | None => {
                    // The alternative format, extended: YYYY-MM-DD.
                    if havefield {
                        return Err(DtError::Syntax);
                    }
                    itm.add(Unit::Year, val, fval).ok_or(()).map_err(overflow)?;
                    match unit {
                        None => return Ok(itm),
                        Some('T') => {
                            datepart = false;
                            havefield = false;
                            continue;
                        }
                        _ => {}
                    }
                    let (val, fval, rest) = iso_number(str)?;
                    itm.add(Unit::Month, val, fval)
                        .ok_or(())
                        .map_err(overflow)?;
                    if rest.is_empty() {
                        return Ok(itm);
                    }
                    if let Some(rest) = rest.strip_prefix('T') {
                        str = rest;
                        datepart = false;
                        havefield = false;
                        continue;
                    }
                    let rest = rest.strip_prefix('-').ok_or(DtError::Syntax)?;
                    let (val, fval, rest) = iso_number(rest)?;
                    itm.add(Unit::Day, val, fval).ok_or(()).map_err(overflow)?;
                    if rest.is_empty() {
                        return Ok(itm);
                    }
                    let rest = rest.strip_prefix('T').ok_or(DtError::Syntax)?;
                    str = rest;
                    datepart = false;
                    havefield = false;
                    continue;
                }
                _ => return Err(DtError::Syntax),
            }
            .ok_or(())
            .map_err(overflow)?;
        } else {
            match unit {
                Some('H') => itm.add(Unit::Hour, val, fval),
                Some('M') => itm.add(Unit::Minute, val, fval),
                Some('S') => itm.add(Unit::Second, val, fval),
                None if integer_width(fieldstart) == 6 && !havefield => {
                    itm.micros(val / 10000, 0.0, USECS_PER_HOUR)
                        .and_then(|_| itm.micros((val / 100) % 100, 0.0, USECS_PER_MINUTE))
                        .and_then(|_| itm.micros(val % 100, 0.0, USECS_PER_SEC))
                        .and_then(|_| itm.fract_micros(fval, 1))
                        .ok_or(())
                        .map_err(overflow)?;
                    return Ok(itm);
                }
                None | Some(':') => {
                    // The alternative format, extended: HH:MM:SS.
                    if havefield {
                        return Err(DtError::Syntax);
                    }
                    itm.add(Unit::Hour, val, fval).ok_or(()).map_err(overflow)?;
                    if unit.is_none() {
                        return Ok(itm);
                    }
                    let (val, fval, rest) = iso_number(str)?;
                    itm.add(Unit::Minute, val, fval)
                        .ok_or(())
                        .map_err(overflow)?;
                    if rest.is_empty() {
                        return Ok(itm);
                    }
                    let rest = rest.strip_prefix(':').ok_or(DtError::Syntax)?;
                    let (val, fval, rest) = iso_number(rest)?;
                    itm.add(Unit::Second, val, fval)
                        .ok_or(())
                        .map_err(overflow)?;
                    return if rest.is_empty() {
                        Ok(itm)
                    } else {
                        Err(DtError::Syntax)
                    };
                }
                _ => return Err(DtError::Syntax),
            }
            .ok_or(())
            .map_err(overflow)?;
        }
        havefield = true;
    }
    Ok(itm)
}

/// PostgreSQL's interval_in for a value of an interval type with `range` fields.
pub fn interval_in(s: &str, range: Range) -> Dt<Interval> {
    read_interval(s, range, false)
}

/// An interval litewire stored (its postgres-style output), read back.
pub fn stored_interval(s: &str) -> Dt<Interval> {
    read_interval(s, Range::Full, true)
}

fn read_interval(s: &str, range: Range, stored: bool) -> Dt<Interval> {
    let parsed = split(s).and_then(|fields| decode_interval(&fields, range, stored));
    let itm = match parsed {
        Err(DtError::Syntax) => decode_iso_interval(s),
        other => other,
    }
    .map_err(|e| match e {
        DtError::FieldRange => DtError::IntervalRange,
        e => e,
    })?;
    let months = i64::from(itm.year) * 12 + i64::from(itm.mon);
    let months = i32::try_from(months).map_err(|_| DtError::IntervalOutOfRange)?;
    Ok(Interval {
        months,
        days: itm.mday,
        micros: itm.usec,
    })
}

impl Range {
    /// The fields of an interval type as SQL spells them (`day to second`), if valid.
    pub fn from_fields(fields: &str) -> Option<Range> {
        let f = fields.trim().to_ascii_lowercase();
        let words: Vec<&str> = f.split_whitespace().collect();
        Some(match words.as_slice() {
            [] => Range::Full,
            ["year"] => Range::Year,
            ["month"] => Range::Month,
            ["year", "to", "month"] => Range::YearToMonth,
            ["day"] => Range::Day,
            ["hour"] => Range::Hour,
            ["day", "to", "hour"] => Range::DayToHour,
            ["minute"] => Range::Minute,
            ["hour", "to", "minute"] => Range::HourToMinute,
            ["day", "to", "minute"] => Range::DayToMinute,
            ["second"] => Range::Second,
            ["minute", "to", "second"] => Range::MinuteToSecond,
            ["hour", "to", "second"] => Range::HourToSecond,
            ["day", "to", "second"] => Range::DayToSecond,
            _ => return None,
        })
    }
}

/// An interval cut to a type's fields and seconds precision (AdjustIntervalForTypmod):
/// `interval '1 2:03:04' day to hour` is `1 day 02:00:00`.
pub fn adjust_interval(mut iv: Interval, range: Range, precision: Option<u32>) -> Interval {
    let trunc = |t: i64, unit: i64| t / unit * unit;
    match range {
        Range::Year => {
            iv.months = iv.months / 12 * 12;
            (iv.days, iv.micros) = (0, 0);
        }
        Range::Month | Range::YearToMonth => (iv.days, iv.micros) = (0, 0),
        Range::Day => iv.micros = 0,
        Range::Hour | Range::DayToHour => iv.micros = trunc(iv.micros, USECS_PER_HOUR),
        Range::Minute | Range::DayToMinute | Range::HourToMinute => {
            iv.micros = trunc(iv.micros, USECS_PER_MINUTE)
        }
        _ => {}
    }
    if let Some(p) = precision {
        // PostgreSQL reduces a precision above 6 to 6 (with a warning).
        // In i128: rounding the extremes must not overflow.
        let scale = 10i128.pow(6 - p.min(6));
        let round = |t: i128| (t + scale / 2) / scale * scale;
        let t = i128::from(iv.micros);
        let rounded = if t >= 0 { round(t) } else { -round(-t) };
        iv.micros = i64::try_from(rounded).unwrap_or(iv.micros);
    }
    iv
}
