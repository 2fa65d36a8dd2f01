//! Time zones with rules: the session's TimeZone, `AT TIME ZONE`, zone names in input.
//! A zone is a fixed offset (UTC, `SET TIME ZONE -2`, `'+02:00'`, the Default set's fixed
//! abbreviations), an IANA zone or POSIX specification (`America/New_York`, `EST5EDT`,
//! `FOO8BAR`) read by jiff, or a date-dependent abbreviation (`MSK`) with its zone.
//!
//! jiff reads the system's zoneinfo (/usr/share/zoneinfo, as Debian's PostgreSQL does),
//! else its bundled copy; a zone is read on first use and kept in jiff's process-wide
//! database cache (one entry per zone name: bounded by the database). UTC and fixed
//! offsets never touch it.
//!
//! Instants here are PostgreSQL's: microseconds since 2000-01-01 UTC; offsets are
//! seconds east of UTC.

use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::zones::{self, Abbrev};
use super::PG_EPOCH_OFFSET_MICROS;

/// A time zone that can tell its offset at any instant.
#[derive(Clone, Debug, PartialEq)]
pub enum Zone {
    /// Seconds east of UTC, at every instant.
    Fixed(i32),
    Rules(TimeZone),
    /// A date-dependent abbreviation (upper case) and the zone that defines it.
    Abbrev(&'static str, TimeZone),
}

/// Seconds in 400 Gregorian years: the calendar (and so a POSIX rule) repeats after it.
const CYCLE_SECS: i64 = 146_097 * 86_400;
/// jiff's instants span years -9999 to 9999; PostgreSQL's timestamps go to 294276.
/// Instants past this (year 9000) are moved back by whole cycles, where the zone's
/// last rule gives the same offset.
const LAST_SECS: i64 = 221_845_392_000;

impl Zone {
    pub const UTC: Zone = Zone::Fixed(0);

    /// A zone by name as PostgreSQL's pg_tzset reads it: UTC's names, a numeric POSIX
    /// offset (`'+02'` is two hours west), an IANA name (any case) or a POSIX
    /// specification. None when there is no such zone.
    pub fn named(name: &str) -> Option<Zone> {
        let name = name.trim();
        if let Some(east) = numeric_posix(name) {
            return Some(Zone::Fixed(east));
        }
        // `<+05:30>-05:30`, as PostgreSQL names a zone set by an interval: the offset
        // after the name (hours west) is the zone's; the name must agree with it.
        if let Some((label, west)) = name.strip_prefix('<').and_then(|n| n.split_once('>')) {
            if let Some(east) = numeric_posix(west).filter(|e| numeric_posix(label) == Some(-e)) {
                return Some(Zone::Fixed(east));
            }
        }
        if name.is_empty() || name.len() > 255 {
            return None;
        }
        if let Ok(tz) = jiff::tz::db().get(name) {
            return Some(Zone::Rules(tz));
        }
        posix(name).map(Zone::Rules)
    }

    /// The zone `AT TIME ZONE`, `timezone()` and `make_timestamptz` take: an
    /// abbreviation of the Default set first, then a zone name (timestamp_zone).
    pub fn for_conversion(name: &str) -> Option<Zone> {
        let lower = name.trim().to_ascii_lowercase();
        match zones::lookup(&lower) {
            Some((_, Abbrev::Fixed(east, _))) => Some(Zone::Fixed(east)),
            Some((abbrev, Abbrev::Dynamic(zone))) => {
                let tz = jiff::tz::db().get(zone).ok()?;
                Some(Zone::Abbrev(abbrev, tz))
            }
            None => Zone::named(name),
        }
    }

    /// The name SHOW TimeZone gives for a zone set by `name`: the database's spelling.
    pub fn display_name(&self, name: &str) -> String {
        match self {
            Zone::Rules(tz) => tz.iana_name().unwrap_or(name).to_string(),
            _ => name.to_string(),
        }
    }

    /// The offset east of UTC (seconds) at the instant `utc`.
    pub fn offset_at(&self, utc: i64) -> i32 {
        match self {
            Zone::Fixed(east) => *east,
            Zone::Rules(tz) => tz.to_offset(timestamp(utc)).seconds(),
            Zone::Abbrev(abbrev, tz) => {
                let ts = timestamp(utc);
                abbrev_offset(abbrev, tz, ts).unwrap_or_else(|| tz.to_offset(ts).seconds())
            }
        }
    }

    /// The zone's abbreviation at `utc` (to_char's `TZ`); None for a fixed offset.
    pub fn abbreviation_at(&self, utc: i64) -> Option<String> {
        match self {
            Zone::Fixed(_) => None,
            Zone::Rules(tz) | Zone::Abbrev(_, tz) => {
                Some(tz.to_offset_info(timestamp(utc)).abbreviation().to_string())
            }
        }
    }

    /// Local time (µs, as if UTC) at the instant `utc`.
    pub fn to_local(&self, utc: i64) -> i64 {
        utc.saturating_add(i64::from(self.offset_at(utc)) * 1_000_000)
    }

    /// The offset east of UTC that local time `local` (µs, as if UTC) has in this
    /// zone, by PostgreSQL's DetermineTimeZoneOffset: a time in a spring-forward gap
    /// takes the offset before it, one in a fall-back overlap the offset after it.
    pub fn offset_of_local(&self, local: i64) -> i32 {
        match self {
            Zone::Fixed(east) => *east,
            Zone::Rules(tz) => local_offset(tz, local).0,
            Zone::Abbrev(abbrev, tz) => {
                // DetermineTimeZoneAbbrevOffset: the abbreviation's meaning at the
                // instant the zone gives, else the zone's offset.
                let (east, at) = local_offset(tz, local);
                abbrev_offset(abbrev, tz, at).unwrap_or(east)
            }
        }
    }

    /// The instant of local time `local` (µs, as if UTC) in this zone.
    pub fn to_utc(&self, local: i64) -> i64 {
        local.saturating_sub(i64::from(self.offset_of_local(local)) * 1_000_000)
    }
}

/// `utc` (µs since 2000) as a jiff instant, moved into jiff's range.
fn timestamp(utc: i64) -> Timestamp {
    let mut secs = (utc.div_euclid(1_000_000)).saturating_add(PG_EPOCH_OFFSET_MICROS / 1_000_000);
    if secs > LAST_SECS {
        secs -= (secs - LAST_SECS).div_euclid(CYCLE_SECS).saturating_add(1) * CYCLE_SECS;
    }
    Timestamp::from_second(secs).unwrap_or(if secs < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// DetermineTimeZoneOffsetInternal: the offset (seconds east) of local time `local`
/// and the instant it probes at.
fn local_offset(tz: &TimeZone, local: i64) -> (i32, Timestamp) {
    let secs = local.div_euclid(1_000_000) + PG_EPOCH_OFFSET_MICROS / 1_000_000;
    // Into jiff's range by whole cycles, so the shifted time has the same rules.
    let shift = if secs > LAST_SECS {
        ((secs - LAST_SECS).div_euclid(CYCLE_SECS) + 1) * CYCLE_SECS
    } else {
        0
    };
    let mytime = secs - shift;
    let at = |s: i64| Timestamp::from_second(s).unwrap_or(Timestamp::MIN);
    // The transition following a day before: zones are within 24 hours of UTC and
    // transitions at least two days apart.
    let prev = at(mytime - 86_400);
    let before = tz.to_offset(prev).seconds();
    let Some(next) = tz.following(prev).next() else {
        return (before, at(mytime - i64::from(before)));
    };
    let boundary = next.timestamp().as_second();
    let after = next.offset().seconds();
    let before_time = mytime - i64::from(before);
    let after_time = mytime - i64::from(after);
    let east = if before_time < boundary && after_time < boundary {
        before
    } else if before_time >= boundary && after_time >= boundary {
        after
    } else if before_time > after_time {
        // A spring-forward gap: the offset before it.
        before
    } else {
        // A fall-back overlap: the offset after it.
        after
    };
    (east, at(mytime - i64::from(east)))
}

/// pg_interpret_timezone_abbrev: the offset `abbrev` stood for in `tz` in the latest
/// period using it at or before `at`, else the first one after.
fn abbrev_offset(abbrev: &str, tz: &TimeZone, at: Timestamp) -> Option<i32> {
    // Bounded scans: a zone has a few hundred recorded transitions.
    const SCAN: usize = 2_000;
    let matches =
        |t: &jiff::tz::TimeZoneTransition<'_>| t.abbreviation().eq_ignore_ascii_case(abbrev);
    let after_at = at
        .checked_add(jiff::SignedDuration::from_secs(1))
        .unwrap_or(at);
    if let Some(t) = tz.preceding(after_at).take(SCAN).find(matches) {
        return Some(t.offset().seconds());
    }
    tz.following(at)
        .take(SCAN)
        .find(matches)
        .map(|t| t.offset().seconds())
}

/// A POSIX TZ specification; one with a daylight-saving name but no rule takes the
/// US rule, as PostgreSQL's (TZDEFRULESTRING).
fn posix(spec: &str) -> Option<TimeZone> {
    if !spec.bytes().next()?.is_ascii_alphabetic() && !spec.starts_with('<') {
        return None;
    }
    TimeZone::posix(spec)
        .ok()
        .or_else(|| TimeZone::posix(&format!("{spec},M3.2.0,M11.1.0")).ok())
}

/// A numeric POSIX zone (`'+02'`, `'-04:30'`, `'5'`): hours west, so the offset east
/// is the negation.
fn numeric_posix(zone: &str) -> Option<i32> {
    let lower = zone.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "utc" | "etc/utc" | "gmt" | "etc/gmt" | "z" | "zulu" | "uct" | "etc/uct" | "universal"
    ) {
        return Some(0);
    }
    let (sign, rest) = match zone.as_bytes().first()? {
        b'+' => (-1, &zone[1..]),
        b'-' => (1, &zone[1..]),
        b'0'..=b'9' => (-1, zone),
        _ => return None,
    };
    let mut parts = rest.split(':');
    let h: i32 = parts.next()?.parse().ok()?;
    let m: i32 = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    let s: i32 = parts.next().map_or(Some(0), |s| s.parse().ok())?;
    if parts.next().is_some() || h > 15 * 24 || m > 59 || s > 59 {
        return None;
    }
    Some(sign * ((h * 60 + m) * 60 + s))
}

/// A zone's offset as PostgreSQL prints it after a time: `+HH`, `+HH:MM`, `+HH:MM:SS`.
pub fn write_offset(east: i32, out: &mut String) {
    use std::fmt::Write;
    let sign = if east < 0 { '-' } else { '+' };
    let a = east.unsigned_abs();
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    let _ = write!(out, "{sign}{h:02}");
    if m != 0 || s != 0 {
        let _ = write!(out, ":{m:02}");
    }
    if s != 0 {
        let _ = write!(out, ":{s:02}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn micros(s: &str) -> i64 {
        crate::engine::datetime::parse_timestamp(s).unwrap()
    }

    #[test]
    fn offsets_as_postgres_15_gives_them() {
        let ny = Zone::named("america/new_york").unwrap();
        assert_eq!(ny.display_name("america/new_york"), "America/New_York");
        assert_eq!(ny.offset_at(micros("2024-07-01 12:00:00+00")), -4 * 3600);
        assert_eq!(ny.offset_at(micros("2024-01-01 12:00:00+00")), -5 * 3600);
        assert_eq!(ny.offset_at(micros("1880-01-01 12:00:00+00")), -17762);
        // 02:30 on 2024-03-10 does not exist: read with the offset before (EST).
        assert_eq!(ny.offset_of_local(micros("2024-03-10 02:30:00")), -5 * 3600);
        // 01:30 on 2024-11-03 happens twice: the second (EST).
        assert_eq!(ny.offset_of_local(micros("2024-11-03 01:30:00")), -5 * 3600);
        let foo = Zone::named("FOO8BAR").unwrap();
        assert_eq!(foo.offset_at(micros("2024-07-01 12:00:00+00")), -7 * 3600);
        assert_eq!(Zone::named("+02:00"), Some(Zone::Fixed(-7200)));
        assert_eq!(Zone::named("Nowhere/Land"), None);
        assert_eq!(Zone::named("foo"), None);
        let helsinki = Zone::named("Europe/Helsinki").unwrap();
        assert_eq!(
            helsinki.offset_of_local(micros("205000-07-10 17:32:01")),
            3 * 3600
        );
        assert_eq!(
            helsinki.offset_of_local(micros("205000-01-10 17:32:01")),
            2 * 3600
        );
    }

    #[test]
    fn date_dependent_abbreviations() {
        let msk = Zone::for_conversion("MSK").unwrap();
        // MSK was +03 until 2011-03-27, then +04 until 2014-10-26.
        assert_eq!(msk.offset_of_local(micros("2011-03-27 01:59:59")), 3 * 3600);
        assert_eq!(msk.offset_of_local(micros("2011-03-27 02:00:00")), 4 * 3600);
        assert_eq!(msk.offset_of_local(micros("2014-10-26 00:59:59")), 4 * 3600);
        assert_eq!(msk.offset_of_local(micros("2014-10-26 01:00:00")), 3 * 3600);
        assert_eq!(Zone::for_conversion("cest"), Some(Zone::Fixed(7200)));
    }

    #[test]
    fn offsets_print_as_postgres_prints_them() {
        let p = |e| {
            let mut s = String::new();
            write_offset(e, &mut s);
            s
        };
        assert_eq!(p(0), "+00");
        assert_eq!(p(-4 * 3600), "-04");
        assert_eq!(p(19800), "+05:30");
        assert_eq!(p(-17762), "-04:56:02");
    }
}
