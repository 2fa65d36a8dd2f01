//! Typed session parameters: how PostgreSQL reads and shows a boolean, integer (with
//! memory units), real or enumerated setting, with its range checks and error texts
//! (checked against PostgreSQL 15). `params.rs` says which parameter has which type.

use crate::protocol::{PgError, SqlState};

/// How a parameter's values are read.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Any text (the parameters `params.rs` checks by name).
    Text,
    Bool,
    /// An integer in `min ..= max` of `unit`s.
    Int {
        min: i32,
        max: i32,
        unit: Unit,
    },
    Real {
        min: f64,
        max: f64,
    },
    /// One of the names (case-insensitive), shown in lower case.
    Enum(&'static [&'static str]),
}

/// The unit an integer setting counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    None,
    /// Kilobytes (`work_mem`).
    Kb,
    /// 8 kB pages (`effective_cache_size`).
    Blocks,
}

impl Unit {
    /// Kilobytes per unit.
    fn kb(self) -> f64 {
        match self {
            Unit::None | Unit::Kb => 1.0,
            Unit::Blocks => 8.0,
        }
    }

    /// The unit's name in range errors.
    fn label(self) -> &'static str {
        match self {
            Unit::None => "",
            Unit::Kb => " kB",
            Unit::Blocks => " 8kB",
        }
    }
}

impl Kind {
    pub const fn int(min: i32, max: i32) -> Kind {
        Kind::Int {
            min,
            max,
            unit: Unit::None,
        }
    }
    pub const fn kb(min: i32, max: i32) -> Kind {
        Kind::Int {
            min,
            max,
            unit: Unit::Kb,
        }
    }
    pub const fn blocks(min: i32, max: i32) -> Kind {
        Kind::Int {
            min,
            max,
            unit: Unit::Blocks,
        }
    }
    pub const fn real(min: f64, max: f64) -> Kind {
        Kind::Real { min, max }
    }

    /// `value` checked and in the form SHOW gives it back (`default` is kept as is).
    pub fn normalize(self, name: &str, value: &str) -> Result<String, PgError> {
        if value.eq_ignore_ascii_case("default") {
            return Ok("default".into());
        }
        if matches!(self, Kind::Text) {
            return Ok(value.to_string());
        }
        if value.contains(',') {
            return Err(PgError::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!("SET {name} takes only one argument"),
            ));
        }
        // SET's tokens come joined by blanks (`-1.5` as `- 1 . 5`); a number has none.
        let v = match self {
            Kind::Int { .. } | Kind::Real { .. } => value.split_whitespace().collect(),
            _ => value.trim().to_string(),
        };
        match self {
            Kind::Text => Ok(v),
            Kind::Bool => parse_bool(&v).map(on_off).ok_or_else(|| {
                PgError::new(
                    SqlState::INVALID_PARAMETER_VALUE,
                    format!("parameter \"{name}\" requires a Boolean value"),
                )
            }),
            Kind::Enum(names) => {
                let lower = v.to_ascii_lowercase();
                if let Some(n) = names.iter().find(|n| **n == lower) {
                    return Ok(n.to_string());
                }
                // PostgreSQL's hidden spellings of on/off for on/off/... enums.
                match parse_bool(&v) {
                    Some(b) if names.contains(&"on") && lower != "o" => Ok(on_off(b)),
                    _ => Err(invalid(name, value)
                        .with_hint(format!("Available values: {}.", names.join(", ")))),
                }
            }
            Kind::Real { min, max } => {
                let x: f64 = v
                    .parse()
                    .ok()
                    .filter(|x: &f64| x.is_finite())
                    .ok_or_else(|| invalid(name, value))?;
                if x < min || x > max {
                    return Err(PgError::new(
                        SqlState::INVALID_PARAMETER_VALUE,
                        format!(
                            "{} is outside the valid range for parameter \"{name}\" ({} .. {})",
                            format_g(x),
                            format_g(min),
                            format_g(max)
                        ),
                    ));
                }
                Ok(format_g(x))
            }
            Kind::Int { min, max, unit } => {
                let n = parse_int(&v, unit).ok_or_else(|| {
                    let e = invalid(name, value);
                    if unit == Unit::None {
                        e
                    } else {
                        e.with_hint(
                            "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".",
                        )
                    }
                })?;
                if n.abs() > f64::from(i32::MAX) {
                    return Err(invalid(name, value).with_hint("Value exceeds integer range."));
                }
                let n = n as i64;
                if n < i64::from(min) || n > i64::from(max) {
                    return Err(PgError::new(
                        SqlState::INVALID_PARAMETER_VALUE,
                        format!(
                            "{n}{} is outside the valid range for parameter \"{name}\" ({min} .. {max})",
                            unit.label()
                        ),
                    ));
                }
                Ok(show_int(n, unit))
            }
        }
    }
}

fn invalid(name: &str, value: &str) -> PgError {
    PgError::new(
        SqlState::INVALID_PARAMETER_VALUE,
        format!("invalid value for parameter \"{name}\": \"{value}\""),
    )
}

fn on_off(b: bool) -> String {
    if b { "on" } else { "off" }.into()
}

/// PostgreSQL's `parse_bool` (the boolean type's input rules, engine/input.rs), without
/// the surrounding blanks the type's input ignores.
pub fn parse_bool(v: &str) -> Option<bool> {
    if v.trim() != v {
        return None;
    }
    crate::engine::input::parse_bool(v)
}

/// An integer setting in its own units: a number (fractions are rounded, as PostgreSQL
/// does), and for memory settings an optional unit (B, kB, MB, GB, TB; case matters).
fn parse_int(v: &str, unit: Unit) -> Option<f64> {
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+')))
        .unwrap_or(v.len());
    let (num, suffix) = v.split_at(split);
    let n: f64 = num.parse().ok().filter(|n: &f64| n.is_finite())?;
    let suffix = suffix.trim();
    let kb = match (suffix, unit) {
        ("", _) => return Some(n.round()),
        (_, Unit::None) => return None,
        ("B", _) => 1.0 / 1024.0,
        ("kB", _) => 1.0,
        ("MB", _) => 1024.0,
        ("GB", _) => 1024.0 * 1024.0,
        ("TB", _) => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some((n * kb / unit.kb()).round())
}

/// An integer setting as SHOW prints it: memory in the largest unit that divides it.
fn show_int(n: i64, unit: Unit) -> String {
    if unit == Unit::None || n == 0 {
        return n.to_string();
    }
    let kb = n * unit.kb() as i64;
    const UNITS: [(i64, &str); 3] = [(1 << 30, "TB"), (1 << 20, "GB"), (1 << 10, "MB")];
    match UNITS.iter().find(|(size, _)| kb % size == 0) {
        Some((size, name)) => format!("{}{name}", kb / size),
        None => format!("{kb}kB"),
    }
}

/// C's `%g`: six significant digits, exponent form outside 1e-4 ..= 1e6, no trailing
/// zeros (how PostgreSQL prints real settings).
pub fn format_g(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let sci = format!("{x:.5e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let m = mantissa.trim_end_matches('0').trim_end_matches('.');
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{m}e{sign}{:02}", exp.abs());
    }
    let decimals = (5 - exp).max(0) as usize;
    let fixed = format!("{x:.decimals$}");
    if fixed.contains('.') {
        fixed
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    } else {
        fixed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Figures from PostgreSQL 15 (`SET x = v; SHOW x`).
    #[test]
    fn values_are_read_and_shown_as_postgresql_does() {
        let ok = |k: Kind, v: &str| k.normalize("p", v).unwrap();
        assert_eq!(ok(Kind::Bool, "0"), "off");
        assert_eq!(ok(Kind::Bool, "of"), "off");
        assert_eq!(ok(Kind::Bool, "TRUE"), "on");
        let mem = Kind::kb(64, i32::MAX);
        assert_eq!(ok(mem, "64kB"), "64kB");
        assert_eq!(ok(mem, "65536"), "64MB");
        assert_eq!(ok(mem, "1.5MB"), "1536kB");
        assert_eq!(ok(mem, "100 MB"), "100MB");
        assert_eq!(ok(mem, "1GB"), "1GB");
        let blocks = Kind::blocks(0, i32::MAX / 3);
        assert_eq!(ok(blocks, "7"), "56kB");
        assert_eq!(ok(blocks, "1000kB"), "1000kB");
        assert_eq!(ok(blocks, "0"), "0");
        let real = Kind::real(0.0, f64::MAX);
        assert_eq!(ok(real, "1.50"), "1.5");
        assert_eq!(ok(real, "1e3"), "1000");
        assert_eq!(ok(real, "0.000001"), "1e-06");
        assert_eq!(ok(real, "12345678"), "1.23457e+07");
        assert_eq!(ok(Kind::int(0, 1024), "2.4"), "2");
        assert_eq!(ok(Kind::real(-1.0, f64::MAX), "- 1"), "-1");
        assert_eq!(ok(Kind::real(-2.0, f64::MAX), "- 1 . 50"), "-1.5");
        let excl = Kind::Enum(&["partition", "on", "off"]);
        assert_eq!(ok(excl, "ON"), "on");
        assert_eq!(ok(excl, "true"), "on");
    }

    #[test]
    fn invalid_values_get_postgresql_errors() {
        let err = |k: Kind, name: &str, v: &str| k.normalize(name, v).unwrap_err();
        let e = err(Kind::Bool, "enable_seqscan", "foo");
        assert_eq!(e.code, SqlState::INVALID_PARAMETER_VALUE);
        assert_eq!(
            e.message,
            "parameter \"enable_seqscan\" requires a Boolean value"
        );
        let mem = Kind::kb(64, i32::MAX);
        assert_eq!(
            err(mem, "work_mem", "10").message,
            "10 kB is outside the valid range for parameter \"work_mem\" (64 .. 2147483647)"
        );
        assert_eq!(
            err(mem, "work_mem", "1000B").message,
            "1 kB is outside the valid range for parameter \"work_mem\" (64 .. 2147483647)"
        );
        let e = err(mem, "work_mem", "1 mb");
        assert_eq!(
            e.message,
            "invalid value for parameter \"work_mem\": \"1 mb\""
        );
        assert!(e.hint.is_some());
        assert_eq!(
            err(mem, "work_mem", "99999999999").hint.as_deref(),
            Some("Value exceeds integer range.")
        );
        assert_eq!(
            err(Kind::blocks(0, i32::MAX / 3), "m", "-1").message,
            "-1 8kB is outside the valid range for parameter \"m\" (0 .. 715827882)"
        );
        assert_eq!(
            err(Kind::real(0.0, f64::MAX), "random_page_cost", "-1").message,
            "-1 is outside the valid range for parameter \"random_page_cost\" (0 .. 1.79769e+308)"
        );
        assert_eq!(
            err(Kind::int(0, 1024), "w", "2kB").message,
            "invalid value for parameter \"w\": \"2kB\""
        );
        assert_eq!(
            err(Kind::Bool, "enable_seqscan", "on, off").message,
            "SET enable_seqscan takes only one argument"
        );
        assert_eq!(
            err(Kind::Enum(&["partition", "on", "off"]), "c", "bogus")
                .hint
                .as_deref(),
            Some("Available values: partition, on, off.")
        );
    }
}
