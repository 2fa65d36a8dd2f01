//! PostgreSQL's binary `numeric`: sign, weight and base-10000 digits, to and from decimal
//! text.

const NUMERIC_POS: u16 = 0x0000;
const NUMERIC_NEG: u16 = 0x4000;
const NUMERIC_NAN: u16 = 0xC000;

/// Encodes decimal text (`-12.5`, `1e3`, `NaN`) in numeric binary format.
pub fn to_binary(text: &str, out: &mut Vec<u8>) -> Option<()> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("nan") {
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&NUMERIC_NAN.to_be_bytes());
        out.extend_from_slice(&[0, 0]);
        return Some(());
    }
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    // Expand an exponent into plain digits.
    let (mant, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], t[i + 1..].parse::<i32>().ok()?),
        None => (t, 0),
    };
    let (int_part, frac_part) = mant.split_once('.').unwrap_or((mant, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part
        .bytes()
        .chain(frac_part.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut digits: Vec<u8> = int_part
        .bytes()
        .chain(frac_part.bytes())
        .map(|b| b - b'0')
        .collect();
    let mut point = int_part.len() as i32 + exp; // digits before the decimal point
    let dscale = (frac_part.len() as i32 - exp).max(0) as u16;
    // Pad so the point falls on a base-10000 boundary on both sides.
    while point <= 0 {
        digits.insert(0, 0);
        point += 1;
    }
    while (digits.len() as i32) < point {
        digits.push(0);
    }
    let lead = (4 - point % 4) % 4;
    for _ in 0..lead {
        digits.insert(0, 0);
    }
    point += lead;
    while !digits.len().is_multiple_of(4) {
        digits.push(0);
    }
    let mut groups: Vec<u16> = digits
        .chunks(4)
        .map(|c| c.iter().fold(0u16, |a, &d| a * 10 + d as u16))
        .collect();
    let mut weight = point / 4 - 1;
    while groups.first() == Some(&0) {
        groups.remove(0);
        weight -= 1;
    }
    while groups.last() == Some(&0) {
        groups.pop();
    }
    if groups.is_empty() {
        weight = 0;
    }
    out.extend_from_slice(&(groups.len() as u16).to_be_bytes());
    out.extend_from_slice(&(weight as i16).to_be_bytes());
    let sign = if neg && !groups.is_empty() {
        NUMERIC_NEG
    } else {
        NUMERIC_POS
    };
    out.extend_from_slice(&sign.to_be_bytes());
    out.extend_from_slice(&dscale.to_be_bytes());
    for g in groups {
        out.extend_from_slice(&g.to_be_bytes());
    }
    Some(())
}

/// Decodes numeric binary format into decimal text.
pub fn from_binary(b: &[u8]) -> Option<String> {
    let word =
        |i: usize| -> Option<u16> { Some(u16::from_be_bytes(b.get(i..i + 2)?.try_into().ok()?)) };
    let ndigits = word(0)? as usize;
    let weight = word(2)? as i16 as i32;
    let sign = word(4)?;
    let dscale = word(6)? as usize;
    if sign == NUMERIC_NAN {
        return Some("NaN".into());
    }
    let groups: Vec<u16> = (0..ndigits)
        .map(|i| word(8 + 2 * i))
        .collect::<Option<_>>()?;
    let mut int = String::new();
    let mut frac = String::new();
    for (i, g) in groups.iter().enumerate() {
        let pos = weight - i as i32; // power of 10000 of this group
        let s = format!("{g:04}");
        if pos >= 0 {
            int.push_str(&s);
        } else {
            while (frac.len() as i32) < (-pos - 1) * 4 {
                frac.push_str("0000");
            }
            frac.push_str(&s);
        }
    }
    for _ in 0..(weight + 1 - groups.len() as i32).max(0) {
        int.push_str("0000");
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let mut frac: String = frac.chars().take(dscale).collect();
    while frac.len() < dscale {
        frac.push('0');
    }
    let neg = if sign == NUMERIC_NEG { "-" } else { "" };
    Some(if dscale > 0 {
        format!("{neg}{int}.{frac}")
    } else {
        format!("{neg}{int}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(s: &str) -> String {
        let mut b = Vec::new();
        to_binary(s, &mut b).unwrap();
        from_binary(&b).unwrap()
    }

    #[test]
    fn round_trip() {
        for s in [
            "0",
            "1",
            "-1",
            "12.5",
            "10000",
            "123456789.000123",
            "0.0001",
            "-0.5",
            "99999999",
        ] {
            assert_eq!(rt(s), s, "{s}");
        }
        assert_eq!(rt("1e3"), "1000");
        assert_eq!(rt("NaN"), "NaN");
    }

    #[test]
    fn matches_postgres_bytes() {
        // select 12.5::numeric in binary: ndigits 2, weight 0, sign 0, dscale 1, [12, 5000].
        let mut b = Vec::new();
        to_binary("12.5", &mut b).unwrap();
        assert_eq!(b, [0, 2, 0, 0, 0, 0, 0, 1, 0, 12, 0x13, 0x88]);
    }
}
