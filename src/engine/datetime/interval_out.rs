//! Interval output in IntervalStyle `sql_standard`, `iso_8601` and `postgres_verbose`
//! (EncodeInterval's other branches); `postgres` is `format_interval`.

use super::{Interval, IntervalStyle};

/// The fields EncodeInterval prints (interval2itm): years, months, days, hours,
/// minutes, seconds and microseconds, the time fields taking the microseconds' sign.
struct Fields {
    year: i64,
    mon: i64,
    mday: i64,
    hour: i64,
    min: i64,
    sec: i64,
    fsec: i64,
}

impl Fields {
    fn of(iv: Interval) -> Fields {
        let usec = iv.micros;
        Fields {
            year: i64::from(iv.months / 12),
            mon: i64::from(iv.months % 12),
            mday: i64::from(iv.days),
            hour: usec / 3_600_000_000,
            min: usec / 60_000_000 % 60,
            sec: usec / 1_000_000 % 60,
            fsec: usec % 1_000_000,
        }
    }
}

/// `iv` in `style` (not `postgres`).
pub(super) fn format(iv: Interval, style: IntervalStyle) -> String {
    let f = Fields::of(iv);
    match style {
        IntervalStyle::SqlStandard => sql_standard(f),
        IntervalStyle::Iso8601 => iso_8601(f),
        _ => verbose(f),
    }
}

/// AppendSeconds: |sec| (two digits when `fill`), then the fraction without trailing
/// zeros.
fn seconds(out: &mut String, sec: i64, fsec: i64, fill: bool) {
    if fill {
        out.push_str(&format!("{:02}", sec.unsigned_abs()));
    } else {
        out.push_str(&sec.unsigned_abs().to_string());
    }
    if fsec != 0 {
        let digits = format!("{:06}", fsec.unsigned_abs());
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
}

fn sql_standard(mut f: Fields) -> String {
    let time = [f.hour, f.min, f.sec, f.fsec];
    let negative = f.year < 0 || f.mon < 0 || f.mday < 0 || time.iter().any(|&v| v < 0);
    let positive = f.year > 0 || f.mon > 0 || f.mday > 0 || time.iter().any(|&v| v > 0);
    let year_month = f.year != 0 || f.mon != 0;
    let day_time = f.mday != 0 || time.iter().any(|&v| v != 0);
    let standard = !((negative && positive) || (year_month && day_time));
    let mut out = String::new();
    if negative && standard {
        out.push('-');
        for v in [
            &mut f.year,
            &mut f.mon,
            &mut f.mday,
            &mut f.hour,
            &mut f.min,
            &mut f.sec,
            &mut f.fsec,
        ] {
            *v = -*v;
        }
    }
    if !negative && !positive {
        out.push('0');
    } else if !standard {
        // Mixed signs: every part signed, so that it reads back the same.
        let sign = |neg: bool| if neg { '-' } else { '+' };
        let time_negative = [f.hour, f.min, f.sec, f.fsec].iter().any(|&v| v < 0);
        out.push_str(&format!(
            "{}{}-{} {}{} {}{}:{:02}:",
            sign(f.year < 0 || f.mon < 0),
            f.year.abs(),
            f.mon.abs(),
            sign(f.mday < 0),
            f.mday.abs(),
            sign(time_negative),
            f.hour.abs(),
            f.min.abs()
        ));
        seconds(&mut out, f.sec, f.fsec, true);
    } else if year_month {
        out.push_str(&format!("{}-{}", f.year, f.mon));
    } else if f.mday != 0 {
        out.push_str(&format!("{} {}:{:02}:", f.mday, f.hour, f.min));
        seconds(&mut out, f.sec, f.fsec, true);
    } else {
        out.push_str(&format!("{}:{:02}:", f.hour, f.min));
        seconds(&mut out, f.sec, f.fsec, true);
    }
    out
}

fn iso_8601(f: Fields) -> String {
    if [f.year, f.mon, f.mday, f.hour, f.min, f.sec, f.fsec]
        .iter()
        .all(|&v| v == 0)
    {
        return "PT0S".into();
    }
    let mut out = String::from("P");
    let part = |out: &mut String, v: i64, unit: char| {
        if v != 0 {
            out.push_str(&format!("{v}{unit}"));
        }
    };
    part(&mut out, f.year, 'Y');
    part(&mut out, f.mon, 'M');
    part(&mut out, f.mday, 'D');
    if f.hour != 0 || f.min != 0 || f.sec != 0 || f.fsec != 0 {
        out.push('T');
    }
    part(&mut out, f.hour, 'H');
    part(&mut out, f.min, 'M');
    if f.sec != 0 || f.fsec != 0 {
        if f.sec < 0 || f.fsec < 0 {
            out.push('-');
        }
        seconds(&mut out, f.sec, f.fsec, false);
        out.push('S');
    }
    out
}

fn verbose(f: Fields) -> String {
    let mut out = String::from("@");
    let (mut zero, mut before) = (true, false);
    // AddVerboseIntPart: the first nonzero field sets "ago"; later ones print
    // relative to it.
    let mut part = |out: &mut String, v: i64, unit: &str| {
        if v == 0 {
            return;
        }
        let v = if zero {
            before = v < 0;
            v.abs()
        } else if before {
            -v
        } else {
            v
        };
        out.push_str(&format!(" {v} {unit}{}", if v == 1 { "" } else { "s" }));
        zero = false;
    };
    part(&mut out, f.year, "year");
    part(&mut out, f.mon, "mon");
    part(&mut out, f.mday, "day");
    part(&mut out, f.hour, "hour");
    part(&mut out, f.min, "min");
    if f.sec != 0 || f.fsec != 0 {
        out.push(' ');
        if f.sec < 0 || (f.sec == 0 && f.fsec < 0) {
            if zero {
                before = true;
            } else if !before {
                out.push('-');
            }
        } else if before {
            out.push('-');
        }
        seconds(&mut out, f.sec, f.fsec, false);
        let plural = f.sec.abs() != 1 || f.fsec != 0;
        out.push_str(if plural { " secs" } else { " sec" });
        zero = false;
    }
    if zero {
        out.push_str(" 0");
    }
    if before {
        out.push_str(" ago");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::datetime::parse_interval;

    fn out(s: &str, style: IntervalStyle) -> String {
        format(parse_interval(s).unwrap(), style)
    }

    /// Each expectation is PostgreSQL 15's output for the same interval.
    #[test]
    fn styles_print_as_postgres() {
        use IntervalStyle::*;
        assert_eq!(out("0", SqlStandard), "0");
        assert_eq!(out("1 year 2 mons", SqlStandard), "1-2");
        assert_eq!(out("1 day 02:03:04", SqlStandard), "1 2:03:04");
        assert_eq!(out("-1 days -02:03:04", SqlStandard), "-1 2:03:04");
        assert_eq!(out("1 day -01:00:00", SqlStandard), "+0-0 +1 -1:00:00");
        assert_eq!(
            out("1 year 2 mons -3 days +04:05:06.789", SqlStandard),
            "+1-2 -3 +4:05:06.789"
        );
        assert_eq!(out("-23:45:12.34", SqlStandard), "-23:45:12.34");
        assert_eq!(out("0", Iso8601), "PT0S");
        assert_eq!(
            out("1 year 2 mons -3 days -04:05:06.7", Iso8601),
            "P1Y2M-3DT-4H-5M-6.7S"
        );
        assert_eq!(out("-00:00:00.1", Iso8601), "PT-0.1S");
        assert_eq!(
            out("1 day 02:03:04", PostgresVerbose),
            "@ 1 day 2 hours 3 mins 4 secs"
        );
        assert_eq!(out("0", PostgresVerbose), "@ 0");
        assert_eq!(
            out("-10 mons -3 days +03:55:06.70", PostgresVerbose),
            "@ 10 mons 3 days -3 hours -55 mins -6.7 secs ago"
        );
        assert_eq!(out("00:00:01", PostgresVerbose), "@ 1 sec");
        assert_eq!(out("-00:00:00.7", PostgresVerbose), "@ 0.7 secs ago");
    }

    /// The least interval time is stored as `-2562047788:00:54.775808`, which
    /// PostgreSQL's input refuses but litewire reads back to print it in another style.
    #[test]
    fn the_least_time_reads_back() {
        let least = "-2562047788:00:54.775808";
        assert!(parse_interval(least).is_err());
        let iv = crate::engine::datetime::stored_interval(least).unwrap();
        assert_eq!(iv.micros, i64::MIN);
        assert_eq!(
            format(iv, IntervalStyle::Iso8601),
            "PT-2562047788H-54.775808S"
        );
    }
}
