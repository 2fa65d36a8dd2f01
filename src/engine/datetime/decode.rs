//! PostgreSQL's date/time input rules, ported from its datetime.c (ParseDateTime,
//! DecodeDateTime, DecodeTimeOnly, DecodeDate, DecodeNumber, DecodeNumberField,
//! DecodeTime, DecodeTimezone, ValidateDate) so that every form PostgreSQL reads reads
//! the same here — month and day names, `1/8/1999` in DateStyle's order, two-digit
//! years, `19990108`, `1999.008`, Julian days, `epoch`, `infinity`, `today`, AM/PM,
//! BC, ISO `T` and labelled forms, zone abbreviations and offsets — and what it refuses
//! is refused with its error. Full time zone names and the Default set's abbreviations
//! whose offset depends on the date need a time zone database, which litewire lacks:
//! they are refused (0A000), never guessed.

use super::zones::{self, Abbrev};
use super::Zone;
use super::{
    civil_from_days, days_from_civil, days_in_month, input_style, DateOrder, Dt, DtError,
    MICROS_PER_DAY,
};

/// PostgreSQL's MAXDATEFIELDS and MAXDATELEN: longer input is a syntax error.
const MAX_FIELDS: usize = 25;
const MAX_LEN: usize = 128;
/// The largest zone displacement PostgreSQL accepts, in hours.
const MAX_TZDISP_HOUR: i64 = 15;
/// Julian day number of 1970-01-01.
const UNIX_EPOCH_JDATE: i64 = 2_440_588;

/// The kinds of field ParseDateTime splits input into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ft {
    /// Digits, perhaps with one `.` (a fraction, `yyyy.ddd`, run-together fields).
    Number,
    /// Letters: a month, day, keyword or zone abbreviation.
    String,
    /// Digits and two delimiters, or digits and text (`1999-01-08`, `08-jan-1999`).
    Date,
    /// Digits with `:` (and `.`).
    Time,
    /// A sign and digits: a zone offset (or, in an interval, a signed number or clock).
    Tz,
    /// A sign and letters (`-infinity`).
    Special,
}

/// Splits input into fields, letters lower-cased (PostgreSQL's ParseDateTime).
pub(super) fn split(s: &str) -> Dt<Vec<(Ft, String)>> {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut fields: Vec<(Ft, String)> = Vec::new();
    let mut used = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if fields.len() >= MAX_FIELDS {
            return Err(DtError::Syntax);
        }
        let start = i;
        let mut lower = false;
        let ft;
        if c.is_ascii_digit() {
            while at(i).is_ascii_digit() {
                i += 1;
            }
            let d = at(i);
            if d == b':' {
                ft = Ft::Time;
                i += 1;
                while at(i).is_ascii_digit() || at(i) == b':' || at(i) == b'.' {
                    i += 1;
                }
            } else if d == b'-' || d == b'/' || d == b'.' {
                i += 1;
                if at(i).is_ascii_digit() {
                    let mut t = if d == b'.' { Ft::Number } else { Ft::Date };
                    while at(i).is_ascii_digit() {
                        i += 1;
                    }
                    // A three-part date only when the delimiters match.
                    if at(i) == d {
                        t = Ft::Date;
                        i += 1;
                        while at(i).is_ascii_digit() || at(i) == d {
                            i += 1;
                        }
                    }
                    ft = t;
                } else {
                    ft = Ft::Date;
                    lower = true;
                    while at(i).is_ascii_alphanumeric() || at(i) == d {
                        i += 1;
                    }
                }
            } else {
                ft = Ft::Number;
            }
        } else if c == b'.' {
            i += 1;
            while at(i).is_ascii_digit() {
                i += 1;
            }
            ft = Ft::Number;
        } else if c.is_ascii_alphabetic() {
            lower = true;
            while at(i).is_ascii_alphabetic() {
                i += 1;
            }
            // Dates may have embedded separators, zone names `/`, `+`, `-`, `_`, `:`;
            // a keyword followed by a digit (`j2451187`) is a keyword.
            let word = s[start..i].to_ascii_lowercase();
            let d = at(i);
            let is_date = matches!(d, b'-' | b'/' | b'.')
                || ((d == b'+' || d.is_ascii_digit()) && keyword(&word).is_none());
            if is_date {
                ft = Ft::Date;
                i += 1;
                while matches!(at(i), b'+' | b'-' | b'/' | b'_' | b'.' | b':')
                    || at(i).is_ascii_alphanumeric()
                {
                    i += 1;
                }
            } else {
                ft = Ft::String;
            }
        } else if c == b'+' || c == b'-' {
            i += 1;
            // Spaces after the sign are dropped.
            let mut text = String::from(c as char);
            while at(i).is_ascii_whitespace() {
                i += 1;
            }
            let from = i;
            if at(i).is_ascii_digit() {
                ft = Ft::Tz;
                while at(i).is_ascii_digit() || matches!(at(i), b':' | b'.' | b'-') {
                    i += 1;
                }
                text.push_str(&s[from..i]);
            } else if at(i).is_ascii_alphabetic() {
                ft = Ft::Special;
                while at(i).is_ascii_alphabetic() {
                    i += 1;
                }
                text.push_str(&s[from..i].to_ascii_lowercase());
            } else {
                return Err(DtError::Syntax);
            }
            used += text.len() + 1;
            fields.push((ft, text));
            if used > MAX_LEN {
                return Err(DtError::Syntax);
            }
            continue;
        } else if c.is_ascii_punctuation() {
            i += 1;
            continue;
        } else {
            return Err(DtError::Syntax);
        }
        let text = &s[start..i];
        used += text.len() + 1;
        if used > MAX_LEN {
            return Err(DtError::Syntax);
        }
        fields.push((
            ft,
            if lower {
                text.to_ascii_lowercase()
            } else {
                text.to_string()
            },
        ));
    }
    Ok(fields)
}

/// Field-type bits (datetime.h's DTK_M): which parts of a value a field gave.
const fn m(t: u32) -> u32 {
    1 << t
}
const RESERV: u32 = 0;
const MONTH: u32 = 1;
const YEAR: u32 = 2;
const DAY: u32 = 3;
const TZ: u32 = 5;
const DTZ: u32 = 6;
const AMPM: u32 = 9;
const HOUR: u32 = 10;
const MINUTE: u32 = 11;
const SECOND: u32 = 12;
const MILLISECOND: u32 = 13;
const MICROSECOND: u32 = 14;
const DOY: u32 = 15;
const DOW: u32 = 16;
const ADBC: u32 = 18;
const DTZMOD: u32 = 28;
const DATE_M: u32 = m(YEAR) | m(MONTH) | m(DAY);
const ALL_SECS_M: u32 = m(SECOND) | m(MILLISECOND) | m(MICROSECOND);
const TIME_M: u32 = m(HOUR) | m(MINUTE) | ALL_SECS_M;

/// Words that stand for a whole value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Special {
    Early,
    Late,
    Epoch,
    Now,
    Today,
    Tomorrow,
    Yesterday,
    Zulu,
}

/// What a label before a number says it is (`j2451187`, `y2001m02d04`, `t040506`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Julian,
    Time,
    /// A unit PostgreSQL knows but cannot use as a label here (dow, doy, isoyear...).
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    Reserved(Special),
    Month(i64),
    Dow,
    Am,
    Pm,
    Ad,
    Bc,
    Units(Label),
    IsoTime,
    Ignore,
    /// `DST` after a zone abbreviation: an hour more.
    DstMod,
}

/// PostgreSQL's datetktbl (compared on at most 10 characters, like its TOKMAXLEN).
fn keyword(word: &str) -> Option<Word> {
    use Word::*;
    let w = word.get(..word.len().min(10)).unwrap_or(word);
    Some(match w {
        "-infinity" => Reserved(Special::Early),
        "infinity" => Reserved(Special::Late),
        "epoch" => Reserved(Special::Epoch),
        "now" => Reserved(Special::Now),
        "today" => Reserved(Special::Today),
        "tomorrow" => Reserved(Special::Tomorrow),
        "yesterday" => Reserved(Special::Yesterday),
        "allballs" => Reserved(Special::Zulu),
        "ad" => Ad,
        "bc" => Bc,
        "am" => Am,
        "pm" => Pm,
        "at" | "on" => Ignore,
        "dst" => DstMod,
        "t" => IsoTime,
        "jan" | "january" => Month(1),
        "feb" | "february" => Month(2),
        "mar" | "march" => Month(3),
        "apr" | "april" => Month(4),
        "may" => Month(5),
        "jun" | "june" => Month(6),
        "jul" | "july" => Month(7),
        "aug" | "august" => Month(8),
        "sep" | "sept" | "september" => Month(9),
        "oct" | "october" => Month(10),
        "nov" | "november" => Month(11),
        "dec" | "december" => Month(12),
        "sun" | "sunday" | "mon" | "monday" | "tue" | "tues" | "tuesday" | "wed" | "weds"
        | "wednesday" | "thu" | "thur" | "thurs" | "thursday" | "fri" | "friday" | "sat"
        | "saturday" => Dow,
        "y" => Units(Label::Year),
        "m" => Units(Label::Month),
        "d" => Units(Label::Day),
        "h" => Units(Label::Hour),
        "mm" => Units(Label::Minute),
        "s" => Units(Label::Second),
        "j" | "jd" | "julian" => Units(Label::Julian),
        "dow" | "doy" | "isodow" | "isoyear" => Units(Label::Other),
        _ => return None,
    })
}

/// Broken-down fields as DecodeDateTime fills them (PostgreSQL's pg_tm and fsec).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Tm {
    pub year: i64,
    pub mon: i64,
    pub mday: i64,
    pub hour: i64,
    pub min: i64,
    pub sec: i64,
    /// Microseconds.
    pub fsec: i64,
    yday: i64,
}

impl Tm {
    /// Microseconds since midnight (hours may be 24, seconds 60; labelled fields may be
    /// far out of range, so the sum saturates for the range checks to refuse).
    pub fn time_micros(&self) -> i64 {
        self.hour
            .saturating_mul(60)
            .saturating_add(self.min)
            .saturating_mul(60)
            .saturating_add(self.sec)
            .saturating_mul(1_000_000)
            .saturating_add(self.fsec)
    }

    /// The fields as local microseconds since 2000-01-01 (saturating: range checks come
    /// later).
    pub fn local_micros(&self) -> i64 {
        let days = days_from_civil(
            self.year.clamp(-10_000_000, 10_000_000),
            self.mon,
            self.mday,
        ) - super::PG_EPOCH_DAYS;
        days.saturating_mul(super::MICROS_PER_DAY)
            .saturating_add(self.time_micros())
    }

    fn set_julian(&mut self, jd: i64) {
        let (y, m, d) = civil_from_days(jd - UNIX_EPOCH_JDATE);
        (self.year, self.mon, self.mday) = (y, m, d);
    }
}

/// A decoded value: fields, or a word for a whole value (`epoch`, `infinity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Decoded {
    /// With the zone's offset in seconds west of UTC (PostgreSQL's sign), if one was given.
    Fields(Tm, Option<i64>),
    Special(Special),
}

/// The current time: microseconds since 1970 (UTC, the session time zone litewire
/// uses for input).
fn now_pg_micros() -> i64 {
    super::now_micros()
}

/// The current time in the session's time zone (UTC when it is a name without rules).
fn now_tm() -> Tm {
    let now = input_style().zone.to_local(now_pg_micros()) + super::PG_EPOCH_OFFSET_MICROS;
    let (year, mon, mday) = civil_from_days(now.div_euclid(MICROS_PER_DAY));
    let t = now.rem_euclid(MICROS_PER_DAY);
    Tm {
        year,
        mon,
        mday,
        hour: t / 3_600_000_000,
        min: t / 60_000_000 % 60,
        sec: t / 1_000_000 % 60,
        fsec: t % 1_000_000,
        yday: 0,
    }
}

/// C's strtol on the start of `s`: optional spaces and sign, then digits; with no digits,
/// 0 and `s` unchanged. Values beyond `limit` are `overflow`.
fn strtol(s: &str, limit: i64, overflow: DtError) -> Dt<(i64, &str)> {
    let t = s.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let n = digits.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return Ok((0, s));
    }
    let mut v: i64 = 0;
    for b in digits[..n].bytes() {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add((b - b'0') as i64))
            .ok_or(overflow)?;
    }
    if v > limit {
        return Err(overflow);
    }
    Ok((if neg { -v } else { v }, &digits[n..]))
}

/// `strtoint`: an `int`'s range.
fn strtoint(s: &str) -> Dt<(i64, &str)> {
    strtol(s, i32::MAX as i64, DtError::FieldRange)
}

/// C's atoi on digits (saturating: the range checks come later).
fn atoi(s: &str) -> i64 {
    s.bytes().take_while(u8::is_ascii_digit).fold(0i64, |v, b| {
        v.saturating_mul(10).saturating_add((b - b'0') as i64)
    })
}

/// `.ddd` as a fraction (ParseFraction): nothing may follow.
pub(super) fn parse_fraction(s: &str) -> Dt<f64> {
    if s == "." {
        return Ok(0.0);
    }
    if !s.starts_with('.') || !s[1..].bytes().all(|b| b.is_ascii_digit()) {
        return Err(DtError::Syntax);
    }
    s.parse().map_err(|_| DtError::Syntax)
}

/// `.ddd` as microseconds, rounded half to even like C's rint.
fn parse_fractional_second(s: &str) -> Dt<i64> {
    Ok((parse_fraction(s)? * 1e6).round_ties_even() as i64)
}

/// A numeric zone (`+08`, `-0530`, `+05:30`, `-08:00:30`) as seconds west of UTC.
fn decode_timezone(s: &str) -> Dt<i64> {
    let neg = match s.as_bytes().first() {
        Some(b'+') => false,
        Some(b'-') => true,
        _ => return Err(DtError::Syntax),
    };
    let limit = i32::MAX as i64;
    let (mut hr, mut cp) = strtol(&s[1..], limit, DtError::ZoneRange)?;
    let (mut min, mut sec) = (0, 0);
    if let Some(rest) = cp.strip_prefix(':') {
        (min, cp) = strtol(rest, limit, DtError::ZoneRange)?;
        if let Some(rest) = cp.strip_prefix(':') {
            (sec, cp) = strtol(rest, limit, DtError::ZoneRange)?;
        }
    } else if cp.is_empty() && s.len() > 3 {
        min = hr % 100;
        hr /= 100;
    }
    if !(0..=MAX_TZDISP_HOUR).contains(&hr) || !(0..60).contains(&min) || !(0..60).contains(&sec) {
        return Err(DtError::ZoneRange);
    }
    if !cp.is_empty() {
        return Err(DtError::Syntax);
    }
    let tz = (hr * 60 + min) * 60 + sec;
    Ok(if neg { tz } else { -tz })
}

/// Run-together digits (DecodeNumberField): `yyyymmdd`, `yymmdd`, `hhmmss[.f]`, `hhmm`.
fn decode_number_field(s: &str, fmask: u32, tm: &mut Tm, is2digits: &mut bool) -> Dt<u32> {
    let mut s = s;
    if let Some(dot) = s.find('.') {
        let frac = &s[dot..];
        // strtod reads what it can; the tokenizer left digits only.
        let digits = frac[1..].bytes().take_while(u8::is_ascii_digit).count();
        let f: f64 = if digits == 0 {
            0.0
        } else {
            frac[..=digits].parse().map_err(|_| DtError::Syntax)?
        };
        tm.fsec = (f * 1e6).round_ties_even() as i64;
        s = &s[..dot];
    } else if fmask & DATE_M != DATE_M && s.len() >= 6 {
        let n = s.len();
        tm.mday = atoi(&s[n - 2..]);
        tm.mon = atoi(&s[n - 4..n - 2]);
        tm.year = atoi(&s[..n - 4]);
        if n - 4 == 2 {
            *is2digits = true;
        }
        return Ok(DATE_M);
    }
    if fmask & TIME_M != TIME_M {
        if s.len() == 6 {
            tm.sec = atoi(&s[4..]);
            tm.min = atoi(&s[2..4]);
            tm.hour = atoi(&s[..2]);
            return Ok(TIME_M);
        } else if s.len() == 4 {
            tm.sec = 0;
            tm.min = atoi(&s[2..]);
            tm.hour = atoi(&s[..2]);
            return Ok(TIME_M);
        }
    }
    Err(DtError::Syntax)
}

/// One number read in context (DecodeNumber): year, month or day by what came before
/// and the MDY order, a day of the year, or run-together fields.
fn decode_number(
    s: &str,
    have_text_month: bool,
    fmask: u32,
    tm: &mut Tm,
    is2digits: &mut bool,
) -> Dt<u32> {
    let flen = s.len();
    let (val, rest) = strtoint(s)?;
    if rest.len() == s.len() {
        return Err(DtError::Syntax);
    }
    if rest.starts_with('.') {
        // More than two digits before the point: a date or run-together time.
        if flen - rest.len() > 2 {
            return decode_number_field(s, fmask | DATE_M, tm, is2digits);
        }
        tm.fsec = parse_fractional_second(rest)?;
    } else if !rest.is_empty() {
        return Err(DtError::Syntax);
    }
    if flen == 3 && fmask & DATE_M == m(YEAR) && (1..=366).contains(&val) {
        tm.yday = val;
        return Ok(m(DOY) | m(MONTH) | m(DAY));
    }
    let order = input_style().order;
    let tmask = match fmask & DATE_M {
        // Nothing yet: a year if it has three or more digits, else by DateStyle's order.
        0 if flen >= 3 || order == DateOrder::Ymd => {
            tm.year = val;
            m(YEAR)
        }
        0 if order == DateOrder::Dmy => {
            tm.mday = val;
            m(DAY)
        }
        0 => {
            tm.mon = val;
            m(MONTH)
        }
        x if x == m(YEAR) => {
            tm.mon = val;
            m(MONTH)
        }
        x if x == m(MONTH) && have_text_month && (flen >= 3 || order == DateOrder::Ymd) => {
            tm.year = val;
            m(YEAR)
        }
        x if x == m(MONTH) => {
            tm.mday = val;
            m(DAY)
        }
        x if x == m(YEAR) | m(MONTH) => {
            if have_text_month && flen >= 3 && *is2digits {
                // DD-MON-YYYY: the first number was the day after all.
                tm.mday = tm.year;
                tm.year = val;
                *is2digits = false;
            } else {
                tm.mday = val;
            }
            m(DAY)
        }
        x if x == m(DAY) => {
            tm.mon = val;
            m(MONTH)
        }
        x if x == m(MONTH) | m(DAY) => {
            tm.year = val;
            m(YEAR)
        }
        DATE_M => return decode_number_field(s, fmask, tm, is2digits),
        _ => return Err(DtError::Syntax),
    };
    if tmask == m(YEAR) {
        *is2digits = flen <= 2;
    }
    Ok(tmask)
}

/// A date field with delimiters or a month name (DecodeDate).
fn decode_date(s: &str, mut fmask: u32, is2digits: &mut bool, tm: &mut Tm) -> Dt<u32> {
    let b = s.as_bytes();
    let mut parts: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < b.len() && parts.len() < MAX_FIELDS {
        while i < b.len() && !b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i == b.len() {
            return Err(DtError::Syntax);
        }
        let start = i;
        if b[i].is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        } else {
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
        }
        parts.push(&s[start..i]);
        // PostgreSQL overwrites the character after a field, whatever it is.
        i += 1;
    }
    let mut tmask = 0;
    let mut have_text_month = false;
    let mut numbers = Vec::new();
    for p in parts {
        if p.as_bytes()[0].is_ascii_alphabetic() {
            match keyword(p) {
                Some(Word::Ignore) => continue,
                Some(Word::Month(mon)) => {
                    if fmask & m(MONTH) != 0 {
                        return Err(DtError::Syntax);
                    }
                    tm.mon = mon;
                    have_text_month = true;
                    fmask |= m(MONTH);
                    tmask |= m(MONTH);
                }
                _ => return Err(DtError::Syntax),
            }
        } else {
            numbers.push(p);
        }
    }
    for p in numbers {
        let dmask = decode_number(p, have_text_month, fmask, tm, is2digits)?;
        if fmask & dmask != 0 {
            return Err(DtError::Syntax);
        }
        fmask |= dmask;
        tmask |= dmask;
    }
    if fmask & !(m(DOY) | m(TZ)) != DATE_M {
        return Err(DtError::Syntax);
    }
    Ok(tmask)
}

/// Year, month and day checked and adjusted: BC, two-digit years, day of year
/// (ValidateDate).
fn validate_date(fmask: u32, isjulian: bool, is2digits: bool, bc: bool, tm: &mut Tm) -> Dt<()> {
    if fmask & m(YEAR) != 0 {
        if isjulian {
        } else if bc {
            if tm.year <= 0 {
                return Err(DtError::FieldRange);
            }
            tm.year = -(tm.year - 1);
        } else if is2digits {
            if tm.year < 0 {
                return Err(DtError::FieldRange);
            }
            if tm.year < 70 {
                tm.year += 2000;
            } else if tm.year < 100 {
                tm.year += 1900;
            }
        } else if tm.year <= 0 {
            return Err(DtError::FieldRange);
        }
    }
    // Far years would overflow the day arithmetic; they are out of every range.
    if tm.year.abs() > 100_000_000 {
        return Err(DtError::DateRange);
    }
    if fmask & m(DOY) != 0 {
        let jan1 = days_from_civil(tm.year, 1, 1);
        let (y, mo, d) = civil_from_days(jan1 + tm.yday - 1);
        (tm.year, tm.mon, tm.mday) = (y, mo, d);
    }
    if fmask & m(MONTH) != 0 && !(1..=12).contains(&tm.mon) {
        return Err(DtError::MdFieldRange);
    }
    if fmask & m(DAY) != 0 && !(1..=31).contains(&tm.mday) {
        return Err(DtError::MdFieldRange);
    }
    if fmask & DATE_M == DATE_M && tm.mday > days_in_month(tm.year, tm.mon) {
        return Err(DtError::FieldRange);
    }
    Ok(())
}

/// `hh:mm[:ss[.f]]` or `mm:ss.f` (DecodeTimeCommon / DecodeTime for timestamps).
fn decode_time(s: &str, tm: &mut Tm) -> Dt<u32> {
    let (hour, min, sec, fsec) = decode_clock(s, false)?;
    if hour > i32::MAX as i64 {
        return Err(DtError::FieldRange);
    }
    (tm.hour, tm.min, tm.sec, tm.fsec) = (hour, min, sec, fsec);
    Ok(TIME_M)
}

/// A clock's hours, minutes, seconds and microseconds (DecodeTimeCommon); with
/// `minute_to_second`, `a:b` is minutes and seconds (an interval `MINUTE TO SECOND`).
pub(super) fn decode_clock(s: &str, minute_to_second: bool) -> Dt<(i64, i64, i64, i64)> {
    let (mut hour, cp) = strtol(s, i64::MAX, DtError::FieldRange)?;
    let cp = cp.strip_prefix(':').ok_or(DtError::Syntax)?;
    let (mut min, cp) = strtoint(cp)?;
    let (mut sec, mut fsec) = (0, 0);
    if cp.is_empty() {
        if minute_to_second {
            if hour > i32::MAX as i64 {
                return Err(DtError::FieldRange);
            }
            (sec, min, hour) = (min, hour, 0);
        }
    } else if cp.starts_with('.') {
        // mm:ss.sss is always minutes and seconds.
        fsec = parse_fractional_second(cp)?;
        if hour > i32::MAX as i64 {
            return Err(DtError::FieldRange);
        }
        (sec, min, hour) = (min, hour, 0);
    } else if let Some(rest) = cp.strip_prefix(':') {
        let (s2, cp) = strtoint(rest)?;
        sec = s2;
        if cp.starts_with('.') {
            fsec = parse_fractional_second(cp)?;
        } else if !cp.is_empty() {
            return Err(DtError::Syntax);
        }
    } else {
        return Err(DtError::Syntax);
    }
    if hour < 0
        || !(0..60).contains(&min)
        || !(0..=60).contains(&sec)
        || !(0..=1_000_000).contains(&fsec)
    {
        return Err(DtError::FieldRange);
    }
    Ok((hour, min, sec, fsec))
}

/// PostgreSQL's time_overflows: beyond 24:00:00 or a field out of its range.
fn time_overflows(tm: &Tm) -> bool {
    !(0..=24).contains(&tm.hour)
        || !(0..60).contains(&tm.min)
        || !(0..=60).contains(&tm.sec)
        || !(0..=1_000_000).contains(&tm.fsec)
        || tm.time_micros() > MICROS_PER_DAY
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Meridian {
    H24,
    Am,
    Pm,
}

/// Decodes the fields of a date, timestamp or timestamptz (DecodeDateTime), or of a
/// time (DecodeTimeOnly, `time_only`). A value without a zone has none (`None`): the
/// caller applies the session's.
pub(super) fn decode(fields: &[(Ft, String)], time_only: bool) -> Dt<Decoded> {
    let nf = fields.len();
    let mut fmask: u32 = 0;
    let mut ptype: Option<Label> = None;
    let mut tm = Tm::default();
    let mut tz: i64 = 0;
    // A zone with rules (a name, a date-dependent abbreviation): its offset depends on
    // the date and time, so it is applied once all fields are read.
    let mut named: Option<Zone> = None;
    let mut special: Option<Special> = None;
    let mut mer = Meridian::H24;
    let (mut have_text_month, mut isjulian, mut is2digits, mut bc) = (false, false, false, false);
    for (i, (ft, field)) in fields.iter().enumerate() {
        let field = field.as_str();
        let tmask: u32 = match ft {
            Ft::Date if !time_only && ptype == Some(Label::Julian) => {
                // A Julian day with a zone attached (`J2451187-08`).
                let (val, rest) = strtoint(field)?;
                if val < 0 {
                    return Err(DtError::FieldRange);
                }
                tm.set_julian(val);
                isjulian = true;
                tz = decode_timezone(rest)?;
                ptype = None;
                DATE_M | TIME_M | m(TZ)
            }
            Ft::Date
                if time_only
                    && i == 0
                    && nf >= 2
                    && (fields[nf - 1].0 == Ft::Date || fields[1].0 == Ft::Time) =>
            {
                decode_date(field, fmask, &mut is2digits, &mut tm)?
            }
            Ft::Date
                if time_only
                    || ptype.is_some()
                    || fmask & (m(MONTH) | m(DAY)) == m(MONTH) | m(DAY) =>
            {
                // A zone name with punctuation, or a run-together time with a zone.
                if !field.as_bytes()[0].is_ascii_digit() && ptype.is_none() {
                    match fixed_zone(field) {
                        Some(west) => tz = west,
                        None => named = Some(Zone::named(field).ok_or(DtError::ZoneName)?),
                    }
                    m(TZ)
                } else {
                    if let Some(p) = ptype.take() {
                        if p != Label::Time {
                            return Err(DtError::Syntax);
                        }
                    }
                    if fmask & TIME_M == TIME_M {
                        return Err(DtError::Syntax);
                    }
                    let cut = field.find('-').ok_or(DtError::Syntax)?;
                    tz = decode_timezone(&field[cut..])?;
                    let mask = if time_only { fmask | DATE_M } else { fmask };
                    decode_number_field(&field[..cut], mask, &mut tm, &mut is2digits)? | m(TZ)
                }
            }
            Ft::Date => decode_date(field, fmask, &mut is2digits, &mut tm)?,
            Ft::Time => {
                if let Some(p) = ptype.take() {
                    if p != Label::Time {
                        return Err(DtError::Syntax);
                    }
                }
                let mask = decode_time(field, &mut tm)?;
                if !time_only && time_overflows(&tm) {
                    return Err(DtError::FieldRange);
                }
                mask
            }
            Ft::Tz => {
                tz = decode_timezone(field)?;
                m(TZ)
            }
            Ft::Number if ptype.is_some() => {
                let label = ptype.take().unwrap_or(Label::Other);
                let (val, cp) = strtoint(field)?;
                if cp.starts_with('.') {
                    if !matches!(label, Label::Julian | Label::Time | Label::Second) {
                        return Err(DtError::Syntax);
                    }
                } else if !cp.is_empty() {
                    return Err(DtError::Syntax);
                }
                match label {
                    Label::Year => {
                        tm.year = val;
                        m(YEAR)
                    }
                    // With a month and an hour already, `m` is minutes.
                    Label::Month if fmask & m(MONTH) != 0 && fmask & m(HOUR) != 0 => {
                        tm.min = val;
                        m(MINUTE)
                    }
                    Label::Month => {
                        tm.mon = val;
                        m(MONTH)
                    }
                    Label::Day => {
                        tm.mday = val;
                        m(DAY)
                    }
                    Label::Hour => {
                        tm.hour = val;
                        m(HOUR)
                    }
                    Label::Minute => {
                        tm.min = val;
                        m(MINUTE)
                    }
                    Label::Second => {
                        tm.sec = val;
                        if cp.starts_with('.') {
                            tm.fsec = parse_fractional_second(cp)?;
                            ALL_SECS_M
                        } else {
                            m(SECOND)
                        }
                    }
                    Label::Julian => {
                        if val < 0 {
                            return Err(DtError::FieldRange);
                        }
                        tm.set_julian(val);
                        isjulian = true;
                        if cp.starts_with('.') {
                            let day = parse_fraction(cp)? * MICROS_PER_DAY as f64;
                            let t = day as i64;
                            tm.hour = t / 3_600_000_000;
                            tm.min = t / 60_000_000 % 60;
                            tm.sec = t / 1_000_000 % 60;
                            tm.fsec = t % 1_000_000;
                            DATE_M | TIME_M
                        } else {
                            DATE_M
                        }
                    }
                    Label::Time => {
                        let mask =
                            decode_number_field(field, fmask | DATE_M, &mut tm, &mut is2digits)?;
                        if mask != TIME_M {
                            return Err(DtError::Syntax);
                        }
                        mask
                    }
                    Label::Other => return Err(DtError::Syntax),
                }
            }
            Ft::Number => {
                let flen = field.len();
                let dot = field.find('.');
                if time_only {
                    if let Some(dot) = dot {
                        if i == 0 && nf >= 2 && fields[nf - 1].0 == Ft::Date {
                            decode_date(field, fmask, &mut is2digits, &mut tm)?
                        } else if dot > 2 {
                            decode_number_field(field, fmask | DATE_M, &mut tm, &mut is2digits)?
                        } else {
                            return Err(DtError::Syntax);
                        }
                    } else if flen > 4 {
                        decode_number_field(field, fmask | DATE_M, &mut tm, &mut is2digits)?
                    } else {
                        decode_number(field, false, fmask | DATE_M, &mut tm, &mut is2digits)?
                    }
                } else if dot.is_some() && fmask & DATE_M == 0 {
                    decode_date(field, fmask, &mut is2digits, &mut tm)?
                } else if dot.is_some_and(|d| d > 2) {
                    decode_number_field(field, fmask, &mut tm, &mut is2digits)?
                } else if flen >= 6 && (fmask & DATE_M == 0 || fmask & TIME_M == 0) {
                    // Six digits or more: YMD or HMS, unless both are known.
                    decode_number_field(field, fmask, &mut tm, &mut is2digits)?
                } else {
                    decode_number(field, have_text_month, fmask, &mut tm, &mut is2digits)?
                }
            }
            Ft::String | Ft::Special => {
                // Zone abbreviations come before the built-in words.
                let w = field.get(..field.len().min(10)).unwrap_or(field);
                if let Some((name, abbrev)) = zones::lookup(w) {
                    match abbrev {
                        Abbrev::Dynamic(zone) => {
                            let rules = Zone::named(zone).ok_or(DtError::ZoneAbbrev(name))?;
                            named = Some(match rules {
                                Zone::Rules(tz) => Zone::Abbrev(name, tz),
                                other => other,
                            });
                            m(TZ)
                        }
                        Abbrev::Fixed(offset, dst) => {
                            tz = -(offset as i64);
                            if dst {
                                m(DTZ) | m(TZ)
                            } else {
                                m(TZ)
                            }
                        }
                    }
                } else {
                    match keyword(field) {
                        Some(Word::Ignore) => continue,
                        Some(Word::Reserved(sp)) => match sp {
                            Special::Now if time_only => {
                                let now = now_tm();
                                (tm.hour, tm.min, tm.sec, tm.fsec) =
                                    (now.hour, now.min, now.sec, now.fsec);
                                TIME_M
                            }
                            Special::Now => {
                                tm = now_tm();
                                tz = -i64::from(input_style().zone.offset_at(now_pg_micros()));
                                DATE_M | TIME_M | m(TZ)
                            }
                            Special::Zulu => {
                                (tm.hour, tm.min, tm.sec) = (0, 0, 0);
                                tz = 0;
                                TIME_M | m(TZ)
                            }
                            _ if time_only => return Err(DtError::Syntax),
                            Special::Today | Special::Tomorrow | Special::Yesterday => {
                                let now = now_tm();
                                let shift = match sp {
                                    Special::Tomorrow => 1,
                                    Special::Yesterday => -1,
                                    _ => 0,
                                };
                                let day = days_from_civil(now.year, now.mon, now.mday) + shift;
                                (tm.year, tm.mon, tm.mday) = civil_from_days(day);
                                DATE_M
                            }
                            _ => {
                                special = Some(sp);
                                m(RESERV)
                            }
                        },
                        Some(Word::Month(mon)) if !time_only => {
                            // A numeric month already? Then it was the day.
                            let mut mask = m(MONTH);
                            if fmask & m(MONTH) != 0
                                && !have_text_month
                                && fmask & m(DAY) == 0
                                && (1..=31).contains(&tm.mon)
                            {
                                tm.mday = tm.mon;
                                mask = m(DAY);
                            }
                            have_text_month = true;
                            tm.mon = mon;
                            mask
                        }
                        Some(Word::DstMod) => {
                            tz -= 3600;
                            m(DTZMOD) | m(DTZ)
                        }
                        Some(Word::Am) => {
                            mer = Meridian::Am;
                            m(AMPM)
                        }
                        Some(Word::Pm) => {
                            mer = Meridian::Pm;
                            m(AMPM)
                        }
                        Some(Word::Ad) => {
                            bc = false;
                            m(ADBC)
                        }
                        Some(Word::Bc) => {
                            bc = true;
                            m(ADBC)
                        }
                        Some(Word::Dow) if !time_only => m(DOW),
                        Some(Word::Units(label)) => {
                            ptype = Some(label);
                            0
                        }
                        Some(Word::IsoTime) => {
                            // `t` must follow a date (for a timestamp) and precede a time.
                            if !time_only && fmask & DATE_M != DATE_M {
                                return Err(DtError::Syntax);
                            }
                            match fields.get(i + 1) {
                                Some((Ft::Number | Ft::Time | Ft::Date, _)) => {}
                                _ => return Err(DtError::Syntax),
                            }
                            ptype = Some(Label::Time);
                            0
                        }
                        Some(_) => return Err(DtError::Syntax),
                        None => {
                            match fixed_zone(field) {
                                Some(west) => tz = west,
                                None => named = Some(Zone::named(field).ok_or(DtError::Syntax)?),
                            }
                            m(TZ)
                        }
                    }
                }
            }
        };
        if tmask & fmask != 0 {
            return Err(DtError::Syntax);
        }
        fmask |= tmask;
    }
    validate_date(fmask, isjulian, is2digits, bc, &mut tm)?;
    if mer != Meridian::H24 && tm.hour > 12 {
        return Err(DtError::FieldRange);
    }
    if mer == Meridian::Am && tm.hour == 12 {
        tm.hour = 0;
    } else if mer == Meridian::Pm && tm.hour != 12 {
        tm.hour += 12;
    }
    if time_only {
        if time_overflows(&tm) {
            return Err(DtError::FieldRange);
        }
        if fmask & TIME_M != TIME_M {
            return Err(DtError::Syntax);
        }
    } else if let Some(sp) = special {
        return Ok(Decoded::Special(sp));
    } else if fmask & DATE_M != DATE_M {
        return Err(DtError::Syntax);
    }
    if fmask & m(TZ) == 0 {
        // `DST` needs a zone to modify.
        if fmask & m(DTZMOD) != 0 {
            return Err(DtError::Syntax);
        }
        return Ok(Decoded::Fields(tm, None));
    }
    if let Some(zone) = named {
        if time_only && fmask & DATE_M != DATE_M {
            return Err(DtError::Syntax);
        }
        tz = -i64::from(zone.offset_of_local(tm.local_micros()));
    }
    Ok(Decoded::Fields(tm, Some(tz)))
}

/// A time zone name whose offset never changes, in seconds west: UTC's names and POSIX
/// specifications without a daylight-saving rule (`GMT+8`, `PST+8`, `Etc/GMT-2`, whose
/// offsets count positive west). Other names need a time zone database.
fn fixed_zone(name: &str) -> Option<i64> {
    let name = name.strip_prefix("etc/").unwrap_or(name);
    if matches!(
        name,
        "utc" | "uct" | "gmt" | "universal" | "greenwich" | "zulu" | "gmt0" | "gmt+0" | "gmt-0"
    ) {
        return Some(0);
    }
    let letters = name.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters < 3 {
        return None;
    }
    let rest = &name[letters..];
    let (sign, offset) = match rest.as_bytes().first() {
        Some(b'+') => (1, &rest[1..]),
        Some(b'-') => (-1, &rest[1..]),
        Some(b) if b.is_ascii_digit() => (1, rest),
        _ => return None,
    };
    let mut secs = 0;
    for (i, part) in offset.split(':').enumerate() {
        let limit = if i == 0 { 24 } else { 59 };
        let ok = !part.is_empty() && part.len() <= 2 && part.bytes().all(|b| b.is_ascii_digit());
        let v: i64 = part.parse().ok().filter(|v| ok && *v <= limit)?;
        if i > 2 {
            return None;
        }
        secs += v * [3600, 60, 1][i];
    }
    Some(sign * secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(s: &str) -> Vec<(Ft, String)> {
        split(s).unwrap()
    }

    #[test]
    fn splits_like_parse_date_time() {
        use Ft::*;
        let f = fields;
        assert_eq!(
            f("Wed Jan 08 17:32:01 1997 PST"),
            vec![
                (String, "wed".into()),
                (String, "jan".into()),
                (Number, "08".into()),
                (Time, "17:32:01".into()),
                (Number, "1997".into()),
                (String, "pst".into())
            ]
        );
        assert_eq!(f("1999-Jan-08"), vec![(Date, "1999-jan-08".into())]);
        assert_eq!(f("1999.008"), vec![(Number, "1999.008".into())]);
        assert_eq!(
            f("J2451187 -08:00"),
            vec![
                (String, "j".into()),
                (Number, "2451187".into()),
                (Tz, "-08:00".into())
            ]
        );
        assert_eq!(
            f("America/New_York"),
            vec![(Date, "america/new_york".into())]
        );
        assert_eq!(f("-infinity"), vec![(Special, "-infinity".into())]);
        assert!(split(&"1".repeat(200)).is_err());
    }
}
