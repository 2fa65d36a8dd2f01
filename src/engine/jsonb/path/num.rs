//! jsonpath's numbers are PostgreSQL numerics: compared by value, and added,
//! multiplied, divided with numeric's result scales (division: at least 16 significant
//! digits, as select_div_scale chooses). Values are decimal text; arithmetic runs on
//! 128-bit integers scaled by a power of ten, and a result beyond that is refused
//! (0A000) rather than rounded.

use std::cmp::Ordering;

use crate::protocol::{PgError, SqlState};

/// A decimal: `m × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dec {
    m: i128,
    scale: u32,
}

fn too_large() -> PgError {
    crate::sql::translate::unsupported("jsonpath arithmetic beyond 38 significant digits")
}

impl Dec {
    /// Numeric text (no exponent: jsonb's numbers are printed without one).
    pub fn parse(s: &str) -> Result<Dec, PgError> {
        let (neg, rest) = match s.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, s),
        };
        let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
        let digits = format!("{int}{frac}");
        let digits = digits.trim_start_matches('0');
        if digits.len() > 37 {
            return Err(too_large());
        }
        let m: i128 = if digits.is_empty() {
            0
        } else {
            digits.parse().map_err(|_| too_large())?
        };
        Ok(Dec {
            m: if neg { -m } else { m },
            scale: frac.len() as u32,
        })
    }

    pub fn to_text(self) -> String {
        let digits = self.m.unsigned_abs().to_string();
        let s = self.scale as usize;
        let mut out = String::new();
        if self.m < 0 {
            out.push('-');
        }
        if s == 0 {
            out.push_str(&digits);
        } else if digits.len() > s {
            out.push_str(&digits[..digits.len() - s]);
            out.push('.');
            out.push_str(&digits[digits.len() - s..]);
        } else {
            out.push_str("0.");
            out.push_str(&"0".repeat(s - digits.len()));
            out.push_str(&digits);
        }
        out
    }

    fn rescaled(self, scale: u32) -> Result<i128, PgError> {
        let k = scale.checked_sub(self.scale).ok_or_else(too_large)?;
        10i128
            .checked_pow(k)
            .and_then(|p| self.m.checked_mul(p))
            .ok_or_else(too_large)
    }

    pub fn add(self, o: Dec) -> Result<Dec, PgError> {
        let scale = self.scale.max(o.scale);
        let m = self
            .rescaled(scale)?
            .checked_add(o.rescaled(scale)?)
            .ok_or_else(too_large)?;
        Ok(Dec { m, scale })
    }

    pub fn neg(self) -> Dec {
        Dec {
            m: -self.m,
            scale: self.scale,
        }
    }

    pub fn mul(self, o: Dec) -> Result<Dec, PgError> {
        let m = self.m.checked_mul(o.m).ok_or_else(too_large)?;
        Ok(Dec {
            m,
            scale: self.scale + o.scale,
        })
    }

    /// numeric's weight (base-10000 digits before the point, less one) and first
    /// base-10000 digit, as select_div_scale reads them.
    fn weight(self) -> (i64, i128) {
        if self.m == 0 {
            return (0, 0);
        }
        let digits = self.m.unsigned_abs().to_string();
        let e10 = digits.len() as i64 - self.scale as i64 - 1;
        let w = e10.div_euclid(4);
        let take = (e10 - 4 * w + 1) as usize;
        let first: String = digits.chars().take(take).collect();
        let pad = take.saturating_sub(first.len());
        let first: i128 = first.parse().unwrap_or(0) * 10i128.pow(pad as u32);
        (w, first)
    }

    pub fn div(self, o: Dec) -> Result<Dec, PgError> {
        if o.m == 0 {
            return Err(PgError::new(SqlState::DIVISION_BY_ZERO, "division by zero"));
        }
        let ((w1, f1), (w2, f2)) = (self.weight(), o.weight());
        let mut qweight = w1 - w2;
        if f1 <= f2 {
            qweight -= 1;
        }
        let rscale = (16 - qweight * 4)
            .max(self.scale as i64)
            .max(o.scale as i64)
            .clamp(0, 1000) as u32;
        // m1 × 10^(rscale - s1 + s2) / m2, rounded half away from zero.
        let k = rscale as i64 - self.scale as i64 + o.scale as i64;
        let (num, den) = if k >= 0 {
            let p = 10i128.checked_pow(k as u32).ok_or_else(too_large)?;
            (self.m.checked_mul(p).ok_or_else(too_large)?, o.m)
        } else {
            let p = 10i128.checked_pow((-k) as u32).ok_or_else(too_large)?;
            (self.m, o.m.checked_mul(p).ok_or_else(too_large)?)
        };
        let (q, r) = (num / den, num % den);
        let round = (r.unsigned_abs() * 2 >= den.unsigned_abs()) as i128;
        let q = if (num < 0) != (den < 0) {
            q - round
        } else {
            q + round
        };
        Ok(Dec {
            m: q,
            scale: rscale,
        })
    }

    pub fn rem(self, o: Dec) -> Result<Dec, PgError> {
        if o.m == 0 {
            return Err(PgError::new(SqlState::DIVISION_BY_ZERO, "division by zero"));
        }
        let scale = self.scale.max(o.scale);
        let (a, b) = (self.rescaled(scale)?, o.rescaled(scale)?);
        Ok(Dec { m: a % b, scale })
    }

    /// floor / ceiling / abs, keeping numeric's scale rules (floor and ceil have none).
    pub fn floor(self) -> Dec {
        let m = match 10i128.checked_pow(self.scale) {
            Some(p) => self.m.div_euclid(p),
            // |m| < 10^38 ≤ 10^scale: a fraction of one.
            None if self.m < 0 => -1,
            None => 0,
        };
        Dec { m, scale: 0 }
    }

    pub fn ceiling(self) -> Dec {
        self.neg().floor().neg()
    }

    pub fn abs(self) -> Dec {
        Dec {
            m: self.m.abs(),
            scale: self.scale,
        }
    }

    /// The integer part (truncated), for subscripts.
    pub fn trunc(self) -> i128 {
        self.m / 10i128.pow(self.scale.min(38))
    }
}

/// Compares two numeric texts by value.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (ka, kb) = (key(a), key(b));
    let sign = |k: &(i8, String, i64)| k.0;
    match sign(&ka).cmp(&sign(&kb)) {
        Ordering::Equal => {}
        other => return other,
    }
    let mag = ka.2.cmp(&kb.2).then_with(|| ka.1.cmp(&kb.1));
    match ka.0 {
        0 => Ordering::Equal,
        1 => mag,
        _ => mag.reverse(),
    }
}

/// (sign, significant digits, exponent of the first).
fn key(s: &str) -> (i8, String, i64) {
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    let digits = format!("{int}{frac}");
    let lead = digits.len() - digits.trim_start_matches('0').len();
    let significant = digits.trim_matches('0').to_string();
    if significant.is_empty() {
        return (0, String::new(), 0);
    }
    (
        if neg { -1 } else { 1 },
        significant,
        int.len() as i64 - lead as i64,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Dec {
        Dec::parse(s).unwrap()
    }

    #[test]
    fn arithmetic_has_numerics_scales() {
        assert_eq!(
            d("1").div(d("3")).unwrap().to_text(),
            "0.33333333333333333333"
        );
        assert_eq!(d("10").div(d("4")).unwrap().to_text(), "2.5000000000000000");
        assert_eq!(d("0.1").add(d("0.2")).unwrap().to_text(), "0.3");
        assert_eq!(d("2.5").mul(d("2")).unwrap().to_text(), "5.0");
        assert_eq!(d("7").rem(d("3")).unwrap().to_text(), "1");
        assert_eq!(d("-7.5").rem(d("2")).unwrap().to_text(), "-1.5");
        assert_eq!(d("-1.5").floor().to_text(), "-2");
        assert_eq!(d("1.5").ceiling().to_text(), "2");
        assert_eq!(
            d("1").div(d("0")).unwrap_err().code,
            SqlState::DIVISION_BY_ZERO
        );
    }

    #[test]
    fn numbers_compare_by_value() {
        assert_eq!(compare("25", "25.0"), Ordering::Equal);
        assert_eq!(compare("-1", "0.5"), Ordering::Less);
        assert_eq!(compare("100", "99.9"), Ordering::Greater);
        assert_eq!(compare("-100", "-99.9"), Ordering::Less);
        assert_eq!(compare("0", "-0.0"), Ordering::Equal);
    }
}
