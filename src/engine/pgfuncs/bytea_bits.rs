//! bytea's bit and byte access: `get_bit`, `set_bit`, `get_byte`, `set_byte`,
//! `bit_count`. Bits are numbered from the low-order bit of the first byte, as in
//! PostgreSQL; an index outside the value is its 2202E.

use crate::protocol::{PgError, SqlState};

/// Index `n` of a value of `len` bytes or bits, checked.
fn index(n: i64, len: usize) -> Result<usize, PgError> {
    usize::try_from(n).ok().filter(|&i| i < len).ok_or_else(|| {
        PgError::new(
            SqlState("2202E"),
            format!("index {n} out of valid range, 0..{}", len as i64 - 1),
        )
    })
}

pub fn get_byte(b: &[u8], n: i64) -> Result<i64, PgError> {
    Ok(i64::from(b[index(n, b.len())?]))
}

pub fn set_byte(b: &[u8], n: i64, value: i64) -> Result<Vec<u8>, PgError> {
    let mut out = b.to_vec();
    out[index(n, b.len())?] = value as u8;
    Ok(out)
}

pub fn get_bit(b: &[u8], n: i64) -> Result<i64, PgError> {
    let i = index(n, b.len() * 8)?;
    Ok(i64::from((b[i / 8] >> (i % 8)) & 1))
}

pub fn set_bit(b: &[u8], n: i64, value: i64) -> Result<Vec<u8>, PgError> {
    let i = index(n, b.len() * 8)?;
    if value != 0 && value != 1 {
        return Err(PgError::new(
            SqlState::INVALID_PARAMETER_VALUE,
            "new bit must be 0 or 1",
        ));
    }
    let mut out = b.to_vec();
    let mask = 1u8 << (i % 8);
    if value == 1 {
        out[i / 8] |= mask;
    } else {
        out[i / 8] &= !mask;
    }
    Ok(out)
}

pub fn bit_count(b: &[u8]) -> i64 {
    b.iter().map(|x| i64::from(x.count_ones())).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_postgres_15() {
        let b = [0x12, 0x34, 0x56, 0x78, 0x90, 0xab, 0xcd, 0xef, 0x00];
        assert_eq!(get_bit(&b, 43).unwrap(), 1);
        assert_eq!(
            set_bit(&b, 43, 0).unwrap(),
            [0x12, 0x34, 0x56, 0x78, 0x90, 0xa3, 0xcd, 0xef, 0x00]
        );
        assert_eq!(get_byte(&b, 3).unwrap(), 120);
        assert_eq!(
            set_byte(&b, 7, 11).unwrap(),
            [0x12, 0x34, 0x56, 0x78, 0x90, 0xab, 0xcd, 0x0b, 0x00]
        );
        assert_eq!(bit_count(&[0x12, 0x34, 0x56, 0x78, 0x90]), 15);
        let e = get_byte(&b, 9).unwrap_err();
        assert_eq!(
            (e.code.0, e.message.as_str()),
            ("2202E", "index 9 out of valid range, 0..8")
        );
        assert!(get_bit(&b, -1).is_err());
    }
}
