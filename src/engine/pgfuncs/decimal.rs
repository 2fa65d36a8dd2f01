//! numeric's `+`, `-` and `*` done in decimal. litewire keeps numeric values as doubles
//! (SQLite has no decimal type), and a double's binary arithmetic shows its error in
//! the printed digits (`0.1 + 0.2` = 0.30000000000000004, `1.1 * 1.1` =
//! 1.2100000000000002). Each operand is taken as the decimal its shortest digits write
//! (what litewire prints for it, and what was written for it), the operation is exact
//! on those decimals, and the result is the double nearest to it, so a result of up to
//! 15 significant digits prints as PostgreSQL prints it.

/// `mantissa × 10^exponent`, from a double's shortest digits (at most 17 of them).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Decimal {
    mantissa: i128,
    exponent: i32,
}

impl Decimal {
    fn of(x: f64) -> Option<Decimal> {
        if !x.is_finite() {
            return None;
        }
        // `{:e}` writes the shortest digits that read back as `x`: `-3.25e-1`.
        let text = format!("{x:e}");
        let (digits, exponent) = text.split_once('e')?;
        let exponent: i32 = exponent.parse().ok()?;
        let fraction = digits.split_once('.').map_or(0, |(_, f)| f.len()) as i32;
        let mantissa: i128 = digits.replace('.', "").parse().ok()?;
        Some(Decimal {
            mantissa,
            exponent: exponent - fraction,
        })
    }

    /// The double nearest to the decimal (Rust's parser rounds correctly).
    fn to_f64(self) -> f64 {
        format!("{}e{}", self.mantissa, self.exponent)
            .parse()
            .unwrap_or(f64::NAN)
    }

    /// Both at the smaller exponent; None when a mantissa would not fit.
    fn aligned(a: Decimal, b: Decimal) -> Option<(i128, i128, i32)> {
        let exponent = a.exponent.min(b.exponent);
        let scale = |d: Decimal| {
            let shift = u32::try_from(d.exponent - exponent).ok()?;
            10i128.checked_pow(shift)?.checked_mul(d.mantissa)
        };
        Some((scale(a)?, scale(b)?, exponent))
    }
}

/// `x op y` for `+`, `-`, `*` on the decimals `x` and `y` print as; None where it is not
/// exact here (another operator, an infinity, mantissas too far apart), for the
/// caller's double arithmetic.
pub(super) fn exact(op: &str, x: f64, y: f64) -> Option<f64> {
    let (a, b) = (Decimal::of(x)?, Decimal::of(y)?);
    let result = match op {
        "+" | "-" => {
            let (m, n, exponent) = Decimal::aligned(a, b)?;
            let mantissa = if op == "+" {
                m.checked_add(n)?
            } else {
                m.checked_sub(n)?
            };
            Decimal { mantissa, exponent }
        }
        "*" => Decimal {
            mantissa: a.mantissa.checked_mul(b.mantissa)?,
            exponent: a.exponent.checked_add(b.exponent)?,
        },
        _ => return None,
    };
    Some(result.to_f64())
}

#[cfg(test)]
mod tests {
    use super::exact;

    #[test]
    fn sums_and_products_of_the_printed_digits() {
        assert_eq!(exact("+", 0.1, 0.2), Some(0.3));
        assert_eq!(exact("*", 1.1, 1.1), Some(1.21));
        assert_eq!(exact("-", 0.3, 0.1), Some(0.2));
        assert_eq!(exact("-", 1.0, 0.9), Some(0.1));
        assert_eq!(exact("*", -2.5, 4.0), Some(-10.0));
        assert_eq!(exact("+", 1e300, 1e-300), None);
        assert_eq!(exact("+", f64::INFINITY, 1.0), None);
        assert_eq!(exact("/", 1.0, 3.0), None);
        // Beyond a double's digits the nearest double, as its own sum gives.
        assert_eq!(exact("+", 1e17, 1.0), Some(1e17 + 1.0));
    }
}
