//! Date/time functions with PostgreSQL's results: `extract`/`date_part`, `date_trunc`,
//! `age`, `make_date`/`make_time`/`make_timestamp`/`make_timestamptz`, the zones of
//! `AT TIME ZONE` and of the session (engine/datetime/tz.rs). Values arrive as litewire stores them (ISO text, see engine/datetime.rs); the
//! text tells the type: a date has no time, a timestamptz ends in its `+00:00` offset, a
//! time has no date, anything else must read as an interval.

use crate::engine::datetime::{
    self as dt, civil_from_days, days_from_civil, days_in_month, Interval, Zone, MICROS_PER_DAY,
    PG_EPOCH_DAYS,
};
use crate::protocol::{PgError, SqlState};

/// A date/time value read from its stored text.
#[derive(Debug, Clone, Copy)]
pub enum Temporal {
    /// Days since 2000-01-01.
    Date(i32),
    /// Microseconds since midnight.
    Time(i64),
    /// Microseconds since 2000-01-01 (UTC for a timestamptz).
    Timestamp(i64),
    TimestampTz(i64),
    Interval(Interval),
}

impl Temporal {
    fn type_name(&self) -> &'static str {
        match self {
            Temporal::Date(_) => "date",
            Temporal::Time(_) => "time without time zone",
            Temporal::Timestamp(_) => "timestamp without time zone",
            Temporal::TimestampTz(_) => "timestamp with time zone",
            Temporal::Interval(_) => "interval",
        }
    }
}

/// Reads a stored date/time value.
pub fn read(s: &str) -> Result<Temporal, PgError> {
    let s = s.trim();
    if s == "infinity" || s == "-infinity" {
        return Err(PgError::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            format!("this function on an infinite date or timestamp (\"{s}\") is not supported by litewire"),
        ));
    }
    // A stored BC date starts with `/` (engine/datetime.rs).
    let year_on = s.strip_prefix('/').unwrap_or(s);
    let bytes = year_on.as_bytes();
    let starts_as_date = bytes.first().is_some_and(u8::is_ascii_digit)
        && year_on
            .find('-')
            .is_some_and(|i| i >= 4 && bytes[..i].iter().all(u8::is_ascii_digit));
    if starts_as_date {
        let end = s.find([' ', 'T', 't']).unwrap_or(s.len());
        let rest = s[end..].trim();
        let zoned = rest.contains(['+', 'Z', 'z'])
            || rest.rfind('-').is_some_and(|i| rest[..i].contains(':'));
        let parsed = if rest.is_empty() {
            dt::parse_date(s).map(Temporal::Date)
        } else if zoned {
            dt::parse_timestamp(s).map(Temporal::TimestampTz)
        } else {
            dt::parse_timestamp_local(s).map(Temporal::Timestamp)
        };
        let name = match (rest.is_empty(), zoned) {
            (true, _) => "date",
            (false, true) => "timestamp with time zone",
            (false, false) => "timestamp",
        };
        return parsed.map_err(|e| e.to_pg(name, s));
    }
    if s.contains(':') && !s.contains(' ') && !s.starts_with(['-', '+']) {
        if let Ok(t) = dt::parse_time(s) {
            return Ok(Temporal::Time(t));
        }
    }
    dt::parse_interval(s)
        .map(Temporal::Interval)
        .map_err(|e| e.to_pg("interval", s))
}

/// The units `extract`, `date_part` and `date_trunc` know, by PostgreSQL's spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Microseconds,
    Milliseconds,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
    Decade,
    Century,
    Millennium,
    Epoch,
    Julian,
    IsoYear,
    Dow,
    IsoDow,
    Doy,
    Timezone,
    TimezoneHour,
    TimezoneMinute,
}

fn unit(name: &str) -> Option<Unit> {
    use Unit::*;
    Some(match name {
        "microsecond" | "microseconds" | "us" | "usec" | "usecs" | "useconds" => Microseconds,
        "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" | "mseconds" => Milliseconds,
        "second" | "seconds" | "s" | "sec" | "secs" => Second,
        "minute" | "minutes" | "m" | "min" | "mins" => Minute,
        "hour" | "hours" | "h" | "hr" | "hrs" => Hour,
        "day" | "days" | "d" => Day,
        "week" | "weeks" | "w" => Week,
        "month" | "months" | "mon" | "mons" => Month,
        "quarter" | "qtr" => Quarter,
        "year" | "years" | "y" | "yr" | "yrs" => Year,
        "decade" | "decades" | "dec" | "decs" => Decade,
        "century" | "centuries" | "c" | "cent" => Century,
        "millennium" | "millennia" | "mil" | "mils" | "millenium" => Millennium,
        "epoch" => Epoch,
        "julian" | "j" => Julian,
        "isoyear" => IsoYear,
        "dow" => Dow,
        "isodow" => IsoDow,
        "doy" => Doy,
        "timezone" => Timezone,
        "timezone_h" | "timezone_hour" => TimezoneHour,
        "timezone_m" | "timezone_minute" => TimezoneMinute,
        _ => return None,
    })
}

/// `Some(1)` for the stored `infinity`, `Some(-1)` for `-infinity`.
pub fn infinity_sign(s: &str) -> Option<i8> {
    match s.trim() {
        "infinity" => Some(1),
        "-infinity" => Some(-1),
        _ => None,
    }
}

/// `extract`/`date_part` of an infinite date or timestamp (`sign` ±1): ±Infinity for
/// the units that grow without bound, NULL for the others, as PostgreSQL answers.
pub fn infinite_part(unit_name: &str, sign: i8) -> Result<Option<Part>, PgError> {
    let name = unit_name.trim().to_ascii_lowercase();
    use Unit::*;
    match unit(&name) {
        Some(Year | Decade | Century | Millennium | Julian | IsoYear | Epoch) => Ok(Some(Part {
            numeric: if sign > 0 { "Infinity" } else { "-Infinity" }.into(),
            float: f64::INFINITY * f64::from(sign),
        })),
        Some(_) => Ok(None),
        None => Err(not_recognized(&name, "timestamp with time zone")),
    }
}

fn not_recognized(name: &str, type_name: &str) -> PgError {
    PgError::new(
        SqlState::INVALID_PARAMETER_VALUE,
        format!("unit \"{name}\" not recognized for type {type_name}"),
    )
}

fn not_supported(name: &str, type_name: &str) -> PgError {
    PgError::new(
        SqlState::FEATURE_NOT_SUPPORTED,
        format!("unit \"{name}\" not supported for type {type_name}"),
    )
}

/// A decimal number as `mantissa / 10^scale`: `extract`'s numeric results.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decimal {
    pub mantissa: i128,
    pub scale: u32,
}

impl Decimal {
    fn int(i: i64) -> Self {
        Decimal {
            mantissa: i.into(),
            scale: 0,
        }
    }
    fn scaled(i: i64, scale: u32) -> Self {
        Decimal {
            mantissa: i.into(),
            scale,
        }
    }
    pub fn to_f64(self) -> f64 {
        self.mantissa as f64 / 10f64.powi(self.scale as i32)
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let digits = self.mantissa.unsigned_abs().to_string();
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{int}.{frac}")
    }
}

/// A field's value: numeric for `extract`; `date_part`'s double precision may be
/// computed differently (julian), as PostgreSQL does.
pub struct Part {
    pub numeric: String,
    pub float: f64,
}

impl From<Decimal> for Part {
    fn from(d: Decimal) -> Self {
        Part {
            numeric: d.to_string(),
            float: d.to_f64(),
        }
    }
}

/// Calendar fields of a timestamp (or a date at midnight).
struct Fields {
    days: i64,
    year: i64,
    month: i64,
    day: i64,
    /// Microseconds since midnight.
    time: i64,
}

fn fields(micros: i64) -> Fields {
    let days = micros.div_euclid(MICROS_PER_DAY);
    let time = micros.rem_euclid(MICROS_PER_DAY);
    let (year, month, day) = civil_from_days(days + PG_EPOCH_DAYS);
    Fields {
        days,
        year,
        month,
        day,
        time,
    }
}

/// Days since 1970-01-01 → (ISO year, ISO week).
fn iso_week(days_1970: i64) -> (i64, i64) {
    let isodow = (days_1970 + 3).rem_euclid(7) + 1;
    let thursday = days_1970 + (4 - isodow);
    let (y, _, _) = civil_from_days(thursday);
    let doy = thursday - days_from_civil(y, 1, 1);
    (y, doy / 7 + 1)
}

const JULIAN_OF_2000: i64 = 2_451_545;

/// `extract(unit FROM x)` / `date_part('unit', x)`. `as_timestamp`: date_part reads a
/// date as a timestamp at midnight (PostgreSQL's SQL definition of it).
pub fn part(unit_name: &str, v: Temporal, as_timestamp: bool, zone: &str) -> Result<Part, PgError> {
    let name = unit_name.trim().to_ascii_lowercase();
    let type_name = v.type_name();
    let u = unit(&name).ok_or_else(|| not_recognized(&name, type_name))?;
    let unsupported = || not_supported(&name, type_name);
    use Unit::*;
    let v = match v {
        Temporal::Date(d) if as_timestamp => Temporal::Timestamp(i64::from(d) * MICROS_PER_DAY),
        other => other,
    };
    Ok(match v {
        Temporal::Date(d) => {
            let f = fields(i64::from(d) * MICROS_PER_DAY);
            match u {
                Epoch => Decimal::int((f.days + PG_EPOCH_DAYS) * 86_400).into(),
                Julian => Decimal::int(f.days + JULIAN_OF_2000).into(),
                Microseconds | Milliseconds | Second | Minute | Hour | Timezone | TimezoneHour
                | TimezoneMinute => return Err(unsupported()),
                _ => Decimal::int(calendar(u, &f)).into(),
            }
        }
        Temporal::Timestamp(t) | Temporal::TimestampTz(t) => {
            let zoned = matches!(v, Temporal::TimestampTz(_));
            let offset = if zoned {
                i64::from(session_zone(zone)?.offset_at(t)) * 1_000_000
            } else {
                0
            };
            let f = fields(t + offset);
            let sec_micros = f.time % 60_000_000;
            match u {
                Microseconds => Decimal::int(sec_micros).into(),
                Milliseconds => Decimal::scaled(sec_micros, 3).into(),
                Second => Decimal::scaled(sec_micros, 6).into(),
                Minute => Decimal::int(f.time / 60_000_000 % 60).into(),
                Hour => Decimal::int(f.time / 3_600_000_000).into(),
                Epoch => Decimal {
                    mantissa: i128::from(t) + i128::from(dt::PG_EPOCH_OFFSET_MICROS),
                    scale: 6,
                }
                .into(),
                Julian => julian(f.days + JULIAN_OF_2000, f.time),
                Timezone if zoned => Decimal::int(offset / 1_000_000).into(),
                TimezoneHour if zoned => Decimal::int(offset / 3_600_000_000).into(),
                TimezoneMinute if zoned => Decimal::int(offset / 60_000_000 % 60).into(),
                Timezone | TimezoneHour | TimezoneMinute => return Err(unsupported()),
                _ => Decimal::int(calendar(u, &f)).into(),
            }
        }
        Temporal::Time(t) => match u {
            Microseconds => Decimal::int(t % 60_000_000).into(),
            Milliseconds => Decimal::scaled(t % 60_000_000, 3).into(),
            Second => Decimal::scaled(t % 60_000_000, 6).into(),
            Minute => Decimal::int(t / 60_000_000 % 60).into(),
            Hour => Decimal::int(t / 3_600_000_000).into(),
            Epoch => Decimal::scaled(t, 6).into(),
            _ => return Err(unsupported()),
        },
        Temporal::Interval(iv) => {
            let months = i64::from(iv.months);
            let sec_micros = iv.micros % 60_000_000;
            match u {
                Microseconds => Decimal::int(sec_micros).into(),
                Milliseconds => Decimal::scaled(sec_micros, 3).into(),
                Second => Decimal::scaled(sec_micros, 6).into(),
                Minute => Decimal::int(iv.micros / 60_000_000 % 60).into(),
                Hour => Decimal::int(iv.micros / 3_600_000_000).into(),
                Day => Decimal::int(iv.days.into()).into(),
                Month => Decimal::int(months % 12).into(),
                Quarter => Decimal::int(months % 12 / 3 + 1).into(),
                Year => Decimal::int(months / 12).into(),
                Decade => Decimal::int(months / 12 / 10).into(),
                Century => Decimal::int(months / 12 / 100).into(),
                Millennium => Decimal::int(months / 12 / 1000).into(),
                Epoch => {
                    // PostgreSQL's 365.25-day year and 30-day month, in quarter days.
                    let secs = (4 * 365 + 1) * (months / 12) * 86_400 / 4
                        + 30 * (months % 12) * 86_400
                        + i64::from(iv.days) * 86_400;
                    let d = Decimal {
                        mantissa: i128::from(secs) * 1_000_000 + i128::from(iv.micros),
                        scale: 6,
                    };
                    let float = iv.micros as f64 / 1e6
                        + 365.25 * 86_400.0 * (months / 12) as f64
                        + 30.0 * 86_400.0 * (months % 12) as f64
                        + 86_400.0 * f64::from(iv.days);
                    Part {
                        numeric: d.to_string(),
                        float,
                    }
                }
                _ => return Err(unsupported()),
            }
        }
    })
}

/// The calendar fields a date and a timestamp share.
fn calendar(u: Unit, f: &Fields) -> i64 {
    let days_1970 = f.days + PG_EPOCH_DAYS;
    use Unit::*;
    match u {
        Day => f.day,
        Month => f.month,
        Quarter => (f.month - 1) / 3 + 1,
        // `f.year` is astronomical (1 BC is 0); PostgreSQL counts BC years negative
        // (1 BC is -1) and its decades, centuries and millennia back from there.
        Year | IsoYear => {
            let y = if u == Year {
                f.year
            } else {
                iso_week(days_1970).0
            };
            if y > 0 {
                y
            } else {
                y - 1
            }
        }
        Decade if f.year >= 0 => f.year / 10,
        Decade => -((8 - (f.year - 1)) / 10),
        Century if f.year > 0 => (f.year + 99) / 100,
        Century => -((99 - (f.year - 1)) / 100),
        Millennium if f.year > 0 => (f.year + 999) / 1000,
        Millennium => -((999 - (f.year - 1)) / 1000),
        Week => iso_week(days_1970).1,
        Dow => (days_1970 + 4).rem_euclid(7),
        IsoDow => (days_1970 + 3).rem_euclid(7) + 1,
        Doy => days_1970 - days_from_civil(f.year, 1, 1) + 1,
        _ => 0,
    }
}

/// The Julian day of a timestamp: numeric with the scale PostgreSQL's numeric division
/// gives, and the float date_part computes.
fn julian(day: i64, time: i64) -> Part {
    let scale = div_scale(time as u64, MICROS_PER_DAY as u64);
    // Long division of time / MICROS_PER_DAY, `scale` digits, truncated as numeric's
    // division rounds at one more digit: compute scale + 1 digits and round.
    let mut digits = String::with_capacity(scale as usize + 1);
    let mut rem = time as u128;
    for _ in 0..=scale {
        rem *= 10;
        digits.push(char::from(b'0' + (rem / MICROS_PER_DAY as u128) as u8));
        rem %= MICROS_PER_DAY as u128;
    }
    let mut frac: Vec<u8> = digits.into_bytes();
    let round_up = frac.pop().is_some_and(|d| d >= b'5');
    let mut int = day;
    if round_up {
        let mut i = frac.len();
        loop {
            if i == 0 {
                int += 1;
                break;
            }
            i -= 1;
            if frac[i] == b'9' {
                frac[i] = b'0';
            } else {
                frac[i] += 1;
                break;
            }
        }
    }
    let frac = String::from_utf8(frac).unwrap_or_default();
    let numeric = if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    };
    Part {
        numeric,
        float: day as f64 + (time as f64 / 1e6) / 86_400.0,
    }
}

/// PostgreSQL's `select_div_scale` for two non-negative integers (numeric.c): 16
/// significant digits, counted in base-10000 digits.
fn div_scale(a: u64, b: u64) -> u32 {
    fn weight_first(x: u64) -> (i64, u64) {
        if x == 0 {
            return (0, 0);
        }
        let mut w = 0;
        let mut v = x;
        while v >= 10_000 {
            v /= 10_000;
            w += 1;
        }
        (w, v)
    }
    let (w1, f1) = weight_first(a);
    let (w2, f2) = weight_first(b);
    let mut q = w1 - w2;
    if f1 <= f2 {
        q -= 1;
    }
    (16 - q * 4).clamp(0, 1000) as u32
}

/// `date_trunc('unit', x)`: the stored text of the result. A date is truncated as a
/// timestamptz, as PostgreSQL casts it.
pub fn trunc(unit_name: &str, v: Temporal, zone: &Zone) -> Result<String, PgError> {
    let name = unit_name.trim().to_ascii_lowercase();
    let v = match v {
        // A date is midnight of the session's zone.
        Temporal::Date(d) => Temporal::TimestampTz(zone.to_utc(i64::from(d) * MICROS_PER_DAY)),
        other => other,
    };
    let type_name = v.type_name();
    let u = unit(&name);
    use Unit::*;
    match v {
        Temporal::Timestamp(t) | Temporal::TimestampTz(t) => {
            let zoned = matches!(v, Temporal::TimestampTz(_));
            let offset = if zoned {
                i64::from(zone.offset_at(t)) * 1_000_000
            } else {
                0
            };
            let f = fields(t + offset);
            let day_of = |y: i64, m: i64, d: i64| days_from_civil(y, m, d) - PG_EPOCH_DAYS;
            let (days, time) = match u {
                Some(Microseconds) => (f.days, f.time),
                Some(Milliseconds) => (f.days, f.time - f.time % 1000),
                Some(Second) => (f.days, f.time - f.time % 1_000_000),
                Some(Minute) => (f.days, f.time - f.time % 60_000_000),
                Some(Hour) => (f.days, f.time - f.time % 3_600_000_000),
                Some(Day) => (f.days, 0),
                Some(Week) => (f.days - (f.days + PG_EPOCH_DAYS + 3).rem_euclid(7), 0),
                Some(Month) => (day_of(f.year, f.month, 1), 0),
                Some(Quarter) => (day_of(f.year, (f.month - 1) / 3 * 3 + 1, 1), 0),
                Some(Year) => (day_of(f.year, 1, 1), 0),
                // BC (astronomical years ≤ 0) as PostgreSQL's timestamp_trunc counts.
                Some(Decade) if f.year > 0 => (day_of(f.year - f.year % 10, 1, 1), 0),
                Some(Decade) => (day_of(-((8 - (f.year - 1)) / 10) * 10, 1, 1), 0),
                Some(Century) if f.year > 0 => (day_of((f.year + 99) / 100 * 100 - 99, 1, 1), 0),
                Some(Century) => (day_of(-((99 - (f.year - 1)) / 100) * 100 + 1, 1, 1), 0),
                Some(Millennium) if f.year > 0 => {
                    (day_of((f.year + 999) / 1000 * 1000 - 999, 1, 1), 0)
                }
                Some(Millennium) => (day_of(-((999 - (f.year - 1)) / 1000) * 1000 + 1, 1, 1), 0),
                _ => return Err(not_recognized(&name, type_name)),
            };
            // From a day up the zone's offset is the one of the truncated local time
            // (timestamptz_trunc's redotz); below, the instant's.
            let local = days * MICROS_PER_DAY + time;
            let micros = match u {
                Some(Microseconds | Milliseconds | Second | Minute | Hour) => local - offset,
                _ if zoned => zone.to_utc(local),
                _ => local,
            };
            let micros = dt::check_timestamp(micros).map_err(|_| {
                PgError::new(SqlState::DATETIME_FIELD_OVERFLOW, "timestamp out of range")
            })?;
            Ok(dt::format_timestamp_micros(micros, zoned))
        }
        Temporal::Interval(mut iv) => {
            let hour = 3_600_000_000;
            match u {
                Some(Microseconds) => {}
                Some(Milliseconds) => iv.micros -= iv.micros % 1000,
                Some(Second) => iv.micros -= iv.micros % 1_000_000,
                Some(Minute) => iv.micros -= iv.micros % 60_000_000,
                Some(Hour) => iv.micros -= iv.micros % hour,
                Some(Day) => iv.micros = 0,
                Some(Month | Quarter | Year | Decade | Century | Millennium) => {
                    let (years, months) = (iv.months / 12, iv.months % 12);
                    iv.months = match u {
                        Some(Month) => iv.months,
                        Some(Quarter) => years * 12 + months / 3 * 3,
                        Some(Year) => years * 12,
                        Some(Decade) => years / 10 * 120,
                        Some(Century) => years / 100 * 1200,
                        _ => years / 1000 * 12_000,
                    };
                    iv.days = 0;
                    iv.micros = 0;
                }
                Some(Week) => {
                    return Err(not_supported(&name, type_name)
                        .with_detail("Months usually have fractional weeks."))
                }
                Some(_) => return Err(not_supported(&name, type_name)),
                None => return Err(not_recognized(&name, type_name)),
            }
            Ok(dt::format_interval(iv))
        }
        Temporal::Time(_) | Temporal::Date(_) => Err(PgError::new(
            SqlState::UNDEFINED_FUNCTION,
            "function date_trunc(unknown, time without time zone) does not exist",
        )),
    }
}

/// `age(a, b)`: the difference in years, months and days, as PostgreSQL counts it
/// (fields subtracted, borrowing from the next larger one).
pub fn age(a: i64, b: i64) -> Result<String, PgError> {
    let (fa, fb) = (fields(a), fields(b));
    let neg = a < b;
    let sign = if neg { -1 } else { 1 };
    let mut us = sign * (fa.time - fb.time);
    let mut mday = sign * (fa.day - fb.day);
    let mut mon = sign * (fa.month - fb.month);
    let mut year = sign * (fa.year - fb.year);
    // Whole days borrow through the time fields as PostgreSQL's field-wise loop does.
    if us < 0 {
        us += MICROS_PER_DAY;
        mday -= 1;
    }
    while mday < 0 {
        let (y, m) = if neg {
            (fa.year, fa.month)
        } else {
            (fb.year, fb.month)
        };
        mday += days_in_month(y, m);
        mon -= 1;
    }
    while mon < 0 {
        mon += 12;
        year -= 1;
    }
    let months = sign * (year * 12 + mon);
    let iv = Interval {
        months: i32::try_from(months).map_err(|_| interval_out_of_range())?,
        days: (sign * mday) as i32,
        micros: sign * us,
    };
    Ok(dt::format_interval(iv))
}

/// `justify_days` (`days`), `justify_hours` (`hours`) or both: whole 30-day months out
/// of the days, whole days out of the time, then the signs of the fields made to agree.
pub fn justify(mut iv: Interval, days: bool, hours: bool) -> Result<Interval, PgError> {
    let range = interval_out_of_range;
    if days && hours && ((iv.days > 0 && iv.micros > 0) || (iv.days < 0 && iv.micros < 0)) {
        // justify_interval first moves whole months out of days of the time's sign, so
        // that the days the time adds cannot overflow (PostgreSQL 15 does so).
        let whole = iv.days / 30;
        iv.days -= whole * 30;
        iv.months = iv.months.checked_add(whole).ok_or_else(range)?;
    }
    if hours {
        let whole = iv.micros / MICROS_PER_DAY;
        iv.micros -= whole * MICROS_PER_DAY;
        iv.days = i32::try_from(i64::from(iv.days) + whole).map_err(|_| range())?;
    }
    if days {
        let whole = iv.days / 30;
        iv.days -= whole * 30;
        iv.months = iv.months.checked_add(whole).ok_or_else(range)?;
    }
    if days && hours {
        if iv.months > 0 && (iv.days < 0 || (iv.days == 0 && iv.micros < 0)) {
            iv.days += 30;
            iv.months -= 1;
        } else if iv.months < 0 && (iv.days > 0 || (iv.days == 0 && iv.micros > 0)) {
            iv.days -= 30;
            iv.months += 1;
        }
    }
    if hours {
        if iv.days > 0 && iv.micros < 0 {
            iv.micros += MICROS_PER_DAY;
            iv.days -= 1;
        } else if iv.days < 0 && iv.micros > 0 {
            iv.micros -= MICROS_PER_DAY;
            iv.days += 1;
        }
    }
    if days && !hours {
        if iv.months > 0 && iv.days < 0 {
            iv.days += 30;
            iv.months -= 1;
        } else if iv.months < 0 && iv.days > 0 {
            iv.days -= 30;
            iv.months += 1;
        }
    }
    Ok(iv)
}

/// `make_interval(years, months, weeks, days, hours, mins, secs)`; seconds to the
/// nearest microsecond (half to even, as PostgreSQL's rint). Where PostgreSQL 15's
/// arithmetic would wrap around, 22008.
pub fn make_interval(fields: [i64; 6], secs: f64) -> Result<Interval, PgError> {
    let range = interval_out_of_range;
    for f in fields {
        if i32::try_from(f).is_err() {
            return Err(PgError::new(
                SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
                "integer out of range",
            ));
        }
    }
    let [years, months, weeks, days, hours, mins] = fields;
    let micros = (secs * 1e6).round_ties_even();
    if !micros.is_finite() || micros.abs() >= 9.2e18 {
        return Err(range());
    }
    Ok(Interval {
        months: i32::try_from(years * 12 + months).map_err(|_| range())?,
        days: i32::try_from(weeks * 7 + days).map_err(|_| range())?,
        micros: (hours * 3_600_000_000 + mins * 60_000_000)
            .checked_add(micros as i64)
            .ok_or_else(range)?,
    })
}

/// `date_bin(stride, source, origin)`: the start of the stride-long bin, counted from
/// `origin`, that holds `source` (PostgreSQL 15.18's arithmetic: an origin after the
/// source steps back one stride unless the source is on a bin's start).
pub fn bin(stride: Interval, source: i64, origin: i64) -> Result<i64, PgError> {
    if stride.months != 0 {
        return Err(PgError::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            "timestamps cannot be binned into intervals containing months or years",
        ));
    }
    let out_of_range = || PgError::new(SqlState::DATETIME_FIELD_OVERFLOW, "timestamp out of range");
    let stride = i64::from(stride.days)
        .checked_mul(MICROS_PER_DAY)
        .and_then(|d| d.checked_add(stride.micros))
        .ok_or_else(out_of_range)?;
    if stride <= 0 {
        return Err(PgError::new(
            SqlState::DATETIME_FIELD_OVERFLOW,
            "stride must be greater than zero",
        ));
    }
    let diff = source.checked_sub(origin).ok_or_else(out_of_range)?;
    let modulo = diff % stride;
    let mut delta = diff - modulo;
    if origin > source && modulo != 0 {
        delta -= stride;
    }
    let result = origin.checked_add(delta).ok_or_else(out_of_range)?;
    dt::check_timestamp(result).map_err(|_| out_of_range())
}

fn interval_out_of_range() -> PgError {
    PgError::new(SqlState::DATETIME_FIELD_OVERFLOW, "interval out of range")
}

/// `make_date(y, m, d)` as days since 2000-01-01; a negative year is BC (PostgreSQL's
/// messages then show the astronomical year: `-1-02-29` for 2 BC).
pub fn make_date(y: i64, m: i64, d: i64) -> Result<i32, PgError> {
    let year = if y < 0 { y + 1 } else { y };
    let message = |what: &str| {
        PgError::new(
            SqlState::DATETIME_FIELD_OVERFLOW,
            format!("{what} out of range: {year}-{m:02}-{d:02}"),
        )
    };
    if y == 0 || !(1..=12).contains(&m) || d < 1 || d > days_in_month(year, m) || y > 5_874_897 {
        return Err(message("date field value"));
    }
    // PostgreSQL's IS_VALID_JULIAN looks at the year and month only.
    if year < -4713 || (year == -4713 && m < 11) {
        return Err(message("date field value"));
    }
    let days = days_from_civil(year, m, d) - PG_EPOCH_DAYS;
    dt::check_date(days as i32).map_err(|_| message("date"))
}

/// `make_time(h, m, s)` as microseconds since midnight.
pub fn make_time(h: i64, m: i64, s: f64) -> Result<i64, PgError> {
    let bad = || {
        PgError::new(
            SqlState::DATETIME_FIELD_OVERFLOW,
            format!(
                "time field value out of range: {h}:{m:02}:{}",
                float_text(s)
            ),
        )
    };
    if !(0..=24).contains(&h) || !(0..=59).contains(&m) || !(0.0..=60.0).contains(&s) {
        return Err(bad());
    }
    let micros = (h * 3600 + m * 60) * 1_000_000 + (s * 1e6).round() as i64;
    if micros > MICROS_PER_DAY {
        return Err(bad());
    }
    Ok(micros)
}

fn float_text(f: f64) -> String {
    let mut b = bytes::BytesMut::new();
    crate::engine::types::write_float8(f, &mut b);
    let digits = String::from_utf8_lossy(&b).into_owned();
    if (0.0..10.0).contains(&f) {
        format!("0{digits}")
    } else {
        digits
    }
}

/// The zone of the session's TimeZone, which the translator passes to the functions
/// that read a timestamptz's local fields (SET has checked it).
pub fn session_zone(zone: &str) -> Result<Zone, PgError> {
    dt::session_zone(zone).ok_or_else(|| not_a_zone(zone))
}

/// The zone `AT TIME ZONE`, `timezone()`, `make_timestamptz` and `date_trunc` name: an
/// abbreviation, a zone name, a POSIX specification.
pub fn conversion_zone(zone: &str) -> Result<Zone, PgError> {
    Zone::for_conversion(zone).ok_or_else(|| not_a_zone(zone))
}

fn not_a_zone(zone: &str) -> PgError {
    PgError::new(
        SqlState::INVALID_PARAMETER_VALUE,
        format!("time zone \"{zone}\" not recognized"),
    )
}

/// The zone `make_timestamptz` names (parse_sane_timezone): a numeric zone is ISO
/// 8601's, hours east (`+2`, `-02:30`, `+0230`), not POSIX's west as for `AT TIME
/// ZONE`; one without its sign is 22023, past 15 hours 22023 too; anything else is
/// read as `AT TIME ZONE` reads it.
pub fn sane_zone(zone: &str) -> Result<Zone, PgError> {
    let invalid = |message: String| PgError::new(SqlState::INVALID_PARAMETER_VALUE, message);
    if zone.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(invalid(format!(
            "invalid input syntax for type numeric time zone: \"{zone}\""
        ))
        .with_hint("Numeric time zones must have \"-\" or \"+\" as first character."));
    }
    match numeric_zone(zone) {
        Some(Ok(east)) => Ok(Zone::Fixed(east)),
        Some(Err(())) => Err(invalid(format!(
            "numeric time zone \"{zone}\" out of range"
        ))),
        None => conversion_zone(zone),
    }
}

/// DecodeTimezone: `±hh[:mm[:ss]]` or `±hhmm` as seconds east; Some(Err) out of range,
/// None when it is not such a zone.
fn numeric_zone(zone: &str) -> Option<Result<i32, ()>> {
    let sign = match zone.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    // strtoint: leading digits, none is 0; too many is out of range.
    let number = |s: &str| -> (Option<i64>, usize) {
        let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        (
            if end == 0 {
                Some(0)
            } else {
                s[..end].parse().ok()
            },
            end,
        )
    };
    let rest = &zone[1..];
    let (hours, at) = number(rest);
    let mut rest = &rest[at..];
    let (mut hours, mut minutes, mut seconds) = (hours, Some(0), Some(0));
    if let Some(after) = rest.strip_prefix(':') {
        let (m, at) = number(after);
        minutes = m;
        rest = &after[at..];
        if let Some(after) = rest.strip_prefix(':') {
            let (s, at) = number(after);
            seconds = s;
            rest = &after[at..];
        }
    } else if rest.is_empty() && zone.len() > 3 {
        minutes = hours.map(|h| h % 100);
        hours = hours.map(|h| h / 100);
    }
    let (Some(h), Some(m), Some(s)) = (hours, minutes, seconds) else {
        return Some(Err(()));
    };
    if h > 15 || m >= 60 || s >= 60 {
        return Some(Err(()));
    }
    rest.is_empty()
        .then(|| Ok(sign * ((h * 60 + m) * 60 + s) as i32))
}

/// A stored time, timestamp or timestamptz rounded to `precision` fractional digits
/// (AdjustTimestampForTypmod / AdjustTimeForTypmod: half away from zero); anything
/// else (a date, infinity) as it is.
pub fn with_precision(stored: &str, precision: i64) -> String {
    let Ok(p) = u32::try_from(precision) else {
        return stored.to_string();
    };
    if p >= 6 {
        return stored.to_string();
    }
    let scale = 10i64.pow(6 - p);
    let round = |t: i64| {
        let half = scale / 2;
        if t >= 0 {
            (t + half) / scale * scale
        } else {
            -((-t + half) / scale * scale)
        }
    };
    match read(stored) {
        Ok(Temporal::Time(t)) => dt::format_time(round(t)),
        Ok(Temporal::Timestamp(t)) => dt::format_timestamp_micros(round(t), false),
        Ok(Temporal::TimestampTz(t)) => dt::format_timestamp_micros(round(t), true),
        _ => stored.to_string(),
    }
}

/// `make_timestamptz(...)`: the local time `local` in `zone`, as an instant.
pub fn make_timestamptz(local: i64, zone: &Zone) -> Result<i64, PgError> {
    let utc = zone.to_utc(local);
    dt::check_timestamp(utc)
        .map_err(|_| PgError::new(SqlState::DATETIME_FIELD_OVERFLOW, "timestamp out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Temporal {
        read(s).unwrap()
    }

    fn instant_of(t: Temporal) -> i64 {
        match t {
            Temporal::Timestamp(x) | Temporal::TimestampTz(x) => x,
            other => panic!("not a timestamp: {other:?}"),
        }
    }

    #[test]
    fn precision_rounds_half_away_from_zero() {
        assert_eq!(
            with_precision("2020-01-01 10:00:00.125", 2),
            "2020-01-01 10:00:00.13"
        );
        // Away from zero counts from 2000-01-01, as PostgreSQL's does.
        assert_eq!(
            with_precision("1999-12-31 23:59:59.5+00:00", 0),
            "1999-12-31 23:59:59+00:00"
        );
        assert_eq!(with_precision("10:00:00.55", 1), "10:00:00.6");
        assert_eq!(
            with_precision("1960-01-01 00:00:00.125", 2),
            "1960-01-01 00:00:00.12"
        );
        assert_eq!(with_precision("infinity", 0), "infinity");
        assert_eq!(with_precision("2020-01-01", 0), "2020-01-01");
    }

    #[test]
    fn numeric_zones_of_make_timestamptz_are_east() {
        assert_eq!(sane_zone("+2").unwrap(), Zone::Fixed(7200));
        assert_eq!(sane_zone("-02:30").unwrap(), Zone::Fixed(-9000));
        assert_eq!(sane_zone("+0230").unwrap(), Zone::Fixed(9000));
        assert_eq!(sane_zone("+15:59:59").unwrap(), Zone::Fixed(57599));
        assert_eq!(sane_zone("+").unwrap(), Zone::Fixed(0));
        for bad in ["2", "+16", "+1:60", "+99999999999"] {
            assert_eq!(
                sane_zone(bad).unwrap_err().code,
                SqlState::INVALID_PARAMETER_VALUE
            );
        }
        // Not numeric: a zone name, as AT TIME ZONE reads it.
        assert!(sane_zone("UTC+2").is_ok());
    }

    #[test]
    fn stored_text_tells_the_type() {
        assert!(matches!(ts("2020-01-02"), Temporal::Date(_)));
        assert!(matches!(ts("2020-01-02 10:00:00"), Temporal::Timestamp(_)));
        assert!(matches!(
            ts("2020-01-02 10:00:00+00:00"),
            Temporal::TimestampTz(_)
        ));
        assert!(matches!(ts("10:00:01.5"), Temporal::Time(_)));
        assert!(matches!(ts("1 year 2 mons"), Temporal::Interval(_)));
        assert!(matches!(ts("-02:30:00"), Temporal::Interval(_)));
        assert_eq!(
            read("garbage").unwrap_err().code,
            SqlState::INVALID_DATETIME_FORMAT
        );
    }

    #[test]
    fn parts_as_postgres_gives_them() {
        let p = |u: &str, s: &str| part(u, ts(s), false, "UTC").map(|p| p.numeric);
        assert_eq!(
            p("epoch", "2000-01-01 00:00:00").unwrap(),
            "946684800.000000"
        );
        assert_eq!(p("second", "2000-01-01 00:00:01.5").unwrap(), "1.500000");
        assert_eq!(
            p("millisecond", "2020-01-01 12:00:01.5").unwrap(),
            "1500.000"
        );
        assert_eq!(p("epoch", "2020-02-03").unwrap(), "1580688000");
        assert_eq!(
            p("julian", "2020-01-01 12:00:00").unwrap(),
            "2458850.50000000000000000000"
        );
        assert_eq!(
            p("julian", "2020-01-01 00:00:01").unwrap(),
            "2458850.000011574074074074074074"
        );
        assert_eq!(p("week", "2021-01-01 00:00:00").unwrap(), "53");
        assert_eq!(p("isoyear", "2021-01-01").unwrap(), "2020");
        assert_eq!(p("century", "2000-12-31").unwrap(), "20");
        assert_eq!(p("millennium", "2001-01-01").unwrap(), "3");
        assert_eq!(p("doy", "2019-05-01").unwrap(), "121");
        assert_eq!(p("isodow", "2019-05-05").unwrap(), "7");
        assert_eq!(p("dow", "2020-01-01").unwrap(), "3");
        assert_eq!(
            p("epoch", "1 year 1 mon 1 day 1 hour").unwrap(),
            "34239600.000000"
        );
        assert_eq!(p("year", "14 mons").unwrap(), "1");
        assert_eq!(p("second", "10:00:01.25").unwrap(), "1.250000");
        assert_eq!(
            p("hour", "2020-01-01").unwrap_err().code,
            SqlState::FEATURE_NOT_SUPPORTED
        );
        assert_eq!(
            p("foo", "2020-01-01").unwrap_err().code,
            SqlState::INVALID_PARAMETER_VALUE
        );
        assert_eq!(
            part("hour", ts("2020-01-05"), true, "UTC").unwrap().float,
            0.0
        );
        let tz = |u: &str| {
            part(u, ts("2020-01-01 00:00:00+00:00"), false, "+02:00")
                .unwrap()
                .numeric
        };
        assert_eq!(tz("hour"), "22");
        assert_eq!(tz("day"), "31");
        assert_eq!(tz("timezone"), "-7200");
        let paris = |u: &str| {
            part(u, ts("2020-07-01 00:00:00+00:00"), false, "Europe/Paris")
                .unwrap()
                .numeric
        };
        assert_eq!(
            (paris("hour"), paris("timezone")),
            ("2".into(), "7200".into())
        );
        assert!(part("hour", ts("2020-01-01 00:00:00+00:00"), false, "Nowhere/x").is_err());
    }

    #[test]
    fn truncation_and_age() {
        let t = |u: &str, s: &str| trunc(u, ts(s), &Zone::UTC).unwrap();
        assert_eq!(t("week", "2020-05-17 12:34:56"), "2020-05-11 00:00:00");
        assert_eq!(t("quarter", "2020-05-17"), "2020-04-01 00:00:00+00:00");
        assert_eq!(t("century", "2021-05-17 00:00:00"), "2001-01-01 00:00:00");
        assert_eq!(
            t("milliseconds", "2020-05-17 12:34:56.789123"),
            "2020-05-17 12:34:56.789"
        );
        assert_eq!(t("day", "1 year 2 days 03:04:05"), "1 year 2 days");
        assert_eq!(
            trunc("day", ts("2020-01-01 01:00:00+00:00"), &Zone::Fixed(-7200)).unwrap(),
            "2019-12-31 02:00:00+00:00"
        );
        let micros = |s: &str| instant_of(ts(s));
        let a = |x: &str, y: &str| age(micros(x), micros(y)).unwrap();
        assert_eq!(
            a("2020-03-01 00:00:00", "2019-01-31 00:00:00"),
            "1 year 1 mon 1 day"
        );
        assert_eq!(
            a("2001-04-10 00:00:00", "1957-06-13 00:00:00"),
            "43 years 9 mons 27 days"
        );
        assert_eq!(
            a("2020-01-01 00:00:00", "2021-03-05 00:00:00"),
            "-1 years -2 mons -4 days"
        );
        assert_eq!(
            a("2020-01-01 10:00:00", "2020-01-01 12:30:00.5"),
            "-02:30:00.5"
        );
    }

    #[test]
    fn bins_as_postgres_15() {
        let iv = |s: &str| dt::parse_interval(s).unwrap();
        let t = |s: &str| instant_of(ts(s));
        let fmt = |m: i64| dt::format_timestamp_micros(m, false);
        let origin = t("2020-02-01 00:02:30");
        assert_eq!(
            fmt(bin(iv("5 min"), t("2020-02-01 01:01:01"), origin).unwrap()),
            "2020-02-01 00:57:30"
        );
        assert_eq!(
            fmt(bin(iv("15 min"), t("2020-02-01 00:00:00"), origin).unwrap()),
            "2020-01-31 23:47:30"
        );
        assert_eq!(
            bin(iv("1 month"), 0, 0).unwrap_err().code,
            SqlState::FEATURE_NOT_SUPPORTED
        );
        assert_eq!(
            bin(iv("-5 min"), 0, 0).unwrap_err().code,
            SqlState::DATETIME_FIELD_OVERFLOW
        );
    }

    #[test]
    fn zones_by_name_or_abbreviation() {
        assert_eq!(conversion_zone("UTC").unwrap(), Zone::UTC);
        assert_eq!(conversion_zone("+02").unwrap(), Zone::Fixed(-7200));
        assert_eq!(conversion_zone("EST").unwrap(), Zone::Fixed(-5 * 3600));
        assert_eq!(
            conversion_zone("x").unwrap_err().code,
            SqlState::INVALID_PARAMETER_VALUE
        );
    }
}

/// A `to_date` template's part: a field (its name as written, the kind) or a separator.
enum DateNode<'f> {
    Field(&'f str, DateField),
    Separator,
}

#[derive(Clone, Copy, PartialEq)]
enum DateField {
    Year4,
    Year2,
    Month,
    Day,
    MonthName,
    MonthAbbrev,
    /// `BC`/`AD` (`B.C.`/`A.D.` with dots): the era, a BC year counted back.
    Era,
}

/// `to_date(text, template)` as days since 2000-01-01, with the template patterns
/// `YYYY` (a minus for BC), `YY`, `MM`, `DD`, `MON`, `MONTH`, `BC`/`AD` (any case) and separators (PostgreSQL's rules
/// without FX: a separator matches one non-alphanumeric character or none, blanks before
/// a field are skipped, a numeric field followed by another field takes its width). Any
/// other pattern, and a template with no year, is 0A000.
pub fn to_date(input: &str, template: &str) -> Result<i32, PgError> {
    const PATTERNS: &[(&str, Option<DateField>)] = &[
        ("MONTH", Some(DateField::MonthName)),
        ("MON", Some(DateField::MonthAbbrev)),
        ("MM", Some(DateField::Month)),
        ("YYYY", Some(DateField::Year4)),
        ("YYY", None),
        ("YY", Some(DateField::Year2)),
        ("DDD", None),
        ("DD", Some(DateField::Day)),
        ("A.D.", Some(DateField::Era)),
        ("B.C.", Some(DateField::Era)),
        ("AD", Some(DateField::Era)),
        ("BC", Some(DateField::Era)),
    ];
    let unsupported = |what: &str| {
        crate::sql::translate::unsupported(format!(
            "to_date() with the template pattern \"{what}\""
        ))
    };
    let mut nodes = Vec::new();
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_alphabetic() {
            let found = PATTERNS
                .iter()
                .find(|(p, _)| rest.len() >= p.len() && rest[..p.len()].eq_ignore_ascii_case(p));
            match found {
                Some((p, Some(kind))) => {
                    nodes.push(DateNode::Field(&rest[..p.len()], *kind));
                    rest = &rest[p.len()..];
                }
                _ => {
                    let end = rest
                        .find(|c: char| !c.is_ascii_alphabetic())
                        .unwrap_or(rest.len());
                    return Err(unsupported(&rest[..end]));
                }
            }
        } else if c == '"' || c == '\\' {
            return Err(unsupported(&c.to_string()));
        } else {
            nodes.push(DateNode::Separator);
            rest = &rest[c.len_utf8()..];
        }
    }
    if !nodes
        .iter()
        .any(|n| matches!(n, DateNode::Field(_, DateField::Year4 | DateField::Year2)))
    {
        return Err(unsupported("a template without a year"));
    }
    let invalid = |value: &str, field: &str, detail: &str| {
        PgError::new(
            SqlState::INVALID_DATETIME_FORMAT,
            format!("invalid value \"{value}\" for \"{field}\""),
        )
        .with_detail(detail.to_string())
    };
    let (mut year, mut month, mut day, mut bc) = (None, 1i64, 1i64, false);
    let mut s = input;
    for (i, node) in nodes.iter().enumerate() {
        let DateNode::Field(name, kind) = node else {
            if s.starts_with(|c: char| !c.is_alphanumeric()) {
                let c = s.chars().next().map_or(0, char::len_utf8);
                s = &s[c..];
            }
            continue;
        };
        s = s.trim_start_matches(' ');
        if s.is_empty() {
            break;
        }
        let value = match kind {
            // PostgreSQL's adbc strings: `ad`/`bc` in any case, dotted for a dotted
            // pattern.
            DateField::Era => {
                let (ad, bc_word) = if name.contains('.') {
                    ("a.d.", "b.c.")
                } else {
                    ("ad", "bc")
                };
                let word = s.get(..ad.len()).unwrap_or("");
                let is_bc = word.eq_ignore_ascii_case(bc_word);
                if !is_bc && !word.eq_ignore_ascii_case(ad) {
                    let shown: String = s.chars().take(ad.len()).collect();
                    return Err(invalid(
                        &shown,
                        name,
                        "The given value did not match any of the allowed values for this field.",
                    ));
                }
                s = &s[ad.len()..];
                i64::from(is_bc)
            }
            DateField::MonthName | DateField::MonthAbbrev => {
                let end = s.find(|c: char| !c.is_alphabetic()).unwrap_or(s.len());
                let word = &s[..end];
                let found = super::to_char::MONTHS.iter().position(|m| {
                    if *kind == DateField::MonthName {
                        m.eq_ignore_ascii_case(word)
                    } else {
                        word.len() == 3 && m[..3].eq_ignore_ascii_case(word)
                    }
                });
                let Some(m) = found else {
                    let shown = if *kind == DateField::MonthAbbrev {
                        s.chars().take(3).collect::<String>()
                    } else {
                        word.to_string()
                    };
                    return Err(invalid(
                        &shown,
                        name,
                        "The given value did not match any of the allowed values for this field.",
                    ));
                };
                s = &s[end..];
                m as i64 + 1
            }
            _ => {
                let width = if matches!(kind, DateField::Year4) {
                    4
                } else {
                    2
                };
                let fixed = matches!(nodes.get(i + 1), Some(DateNode::Field(..)));
                let digits = if fixed {
                    if s.chars().count() < width {
                        let remain = s.chars().count();
                        return Err(PgError::new(
                            SqlState::INVALID_DATETIME_FORMAT,
                            format!("source string too short for \"{name}\" formatting field"),
                        )
                        .with_detail(format!(
                            "Field requires {width} characters, but only {remain} remain."
                        ))
                        .with_hint(
                            "If your source string is not fixed-width, try using the \"FM\" modifier.",
                        ));
                    }
                    let end = s.char_indices().nth(width).map_or(s.len(), |(at, _)| at);
                    &s[..end]
                } else {
                    // A year may carry a minus: a BC year (`-44` is 44 BC).
                    let sign = usize::from(*kind == DateField::Year4 && s.starts_with('-'));
                    let end = s[sign..]
                        .find(|c: char| !c.is_ascii_digit())
                        .map_or(s.len(), |e| e + sign);
                    &s[..end]
                };
                let shown = if digits.is_empty() {
                    s.chars().take(width).collect::<String>()
                } else {
                    digits.to_string()
                };
                let n: i64 = digits
                    .parse()
                    .map_err(|_| invalid(&shown, name, "Value must be an integer."))?;
                s = &s[digits.len()..];
                n
            }
        };
        match kind {
            DateField::Year4 => year = Some(value),
            // Two digits: the year nearest 2020 (PostgreSQL's adjust_partial_year_to_2020).
            DateField::Year2 => {
                year = Some(if value < 70 {
                    value + 2000
                } else {
                    value + 1900
                })
            }
            DateField::Month | DateField::MonthName | DateField::MonthAbbrev => month = value,
            DateField::Day => day = value,
            DateField::Era => bc = value == 1,
        }
    }
    let Some(year) = year else {
        return Err(unsupported("an input without a year"));
    };
    // make_date's negative years are BC.
    let year = if bc && year > 0 { -year } else { year };
    make_date(year, month, day).map_err(|e| {
        // Before 4714-11-24 BC is out of date's range; anything else a bad field.
        let what = if e.message.starts_with("date out of range") {
            "date"
        } else {
            "date/time field value"
        };
        PgError::new(
            SqlState::DATETIME_FIELD_OVERFLOW,
            format!("{what} out of range: \"{input}\""),
        )
    })
}
