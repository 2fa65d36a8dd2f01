//! SQLite values as PostgreSQL types: the OID a column is described with, and the text
//! format each value is sent in. The table here is the one COMPAT.md documents.

use super::pgfuncs::decimal::Num;
use bytes::{BufMut, BytesMut};
use rusqlite::types::ValueRef;

/// PostgreSQL type OIDs used by litewire.
pub mod oid {
    pub const BOOL: u32 = 16;
    pub const BYTEA: u32 = 17;
    pub const CHAR: u32 = 18;
    pub const NAME: u32 = 19;
    pub const INT2VECTOR: u32 = 22;
    pub const OIDVECTOR: u32 = 30;
    pub const OID: u32 = 26;
    pub const UNKNOWN: u32 = 705;
    pub const INT8: u32 = 20;
    pub const INT2: u32 = 21;
    pub const INT4: u32 = 23;
    pub const TEXT: u32 = 25;
    pub const JSON: u32 = 114;
    pub const FLOAT4: u32 = 700;
    pub const FLOAT8: u32 = 701;
    pub const BPCHAR: u32 = 1042;
    pub const VARCHAR: u32 = 1043;
    pub const DATE: u32 = 1082;
    pub const TIME: u32 = 1083;
    pub const TIMESTAMP: u32 = 1114;
    pub const TIMESTAMPTZ: u32 = 1184;
    pub const INTERVAL: u32 = 1186;
    pub const NUMERIC: u32 = 1700;
    pub const UUID: u32 = 2950;
    pub const JSONB: u32 = 3802;
}

/// How values of a column are rendered in text format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Render {
    /// Integers 0/1 as `f`/`t`.
    Bool,
    /// `numeric(p, s)`: numbers with exactly `s` decimals, as PostgreSQL stores them.
    Numeric(i16),
    /// `char(n)`: text blank-padded to `n` characters.
    Bpchar(u16),
    /// An array of the element type with this OID and typmod: the JSON text SQLite
    /// holds printed in PostgreSQL's array form (engine/array.rs).
    Array(u32, i32),
    /// `int2vector` / `oidvector` (the catalog's `indkey`, `indclass`, ...) of elements of
    /// the type with this OID: JSON text like any array (so `unnest` and `= ANY` read
    /// it), printed as PostgreSQL prints them, space-separated (`1 2`), lower bound 0 in
    /// binary.
    Vector(u32),
    /// `timestamptz`: stored with a `+HH:MM` offset SQLite reads, printed as PostgreSQL
    /// prints it, without `:00` minutes (`+00`).
    TimestampTz,
    /// `date` / `timestamp`: ISO text printed as stored, except a BC value's stored form
    /// (`/9955-03-15`), printed as PostgreSQL prints it (`0044-03-15 BC`).
    DateTime,
    /// Everything else: integers in decimal, reals as PostgreSQL prints float8, text as
    /// is, blobs in bytea hex format.
    Plain,
}

/// The PostgreSQL type of a result column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PgType {
    pub oid: u32,
    /// `typlen`: the fixed size, or -1 for variable-length types.
    pub size: i16,
    /// `atttypmod`: e.g. `n + 4` for `varchar(n)`, else -1.
    pub modifier: i32,
    pub render: Render,
}

impl PgType {
    const fn new(oid: u32, size: i16) -> Self {
        PgType {
            oid,
            size,
            modifier: -1,
            render: Render::Plain,
        }
    }

    pub const TEXT: PgType = PgType::new(oid::TEXT, -1);
    pub const INT8: PgType = PgType::new(oid::INT8, 8);
    pub const FLOAT8: PgType = PgType::new(oid::FLOAT8, 8);
    pub const BYTEA: PgType = PgType::new(oid::BYTEA, -1);
}

/// The type name of a built-in OID (as `from_decltype` reads it back).
pub fn name_of(type_oid: u32) -> Option<&'static str> {
    Some(match type_oid {
        oid::BOOL => "bool",
        oid::BYTEA => "bytea",
        oid::CHAR => "pg_char",
        oid::NAME => "name",
        oid::INT8 => "int8",
        oid::INT2 => "int2",
        oid::INT4 => "int4",
        oid::TEXT => "text",
        oid::OID => "oid",
        oid::JSON => "json",
        oid::FLOAT4 => "float4",
        oid::FLOAT8 => "float8",
        oid::BPCHAR => "bpchar",
        oid::VARCHAR => "varchar",
        oid::DATE => "date",
        oid::TIME => "time",
        oid::TIMESTAMP => "timestamp",
        oid::TIMESTAMPTZ => "timestamptz",
        oid::INTERVAL => "interval",
        oid::NUMERIC => "numeric",
        oid::UUID => "uuid",
        oid::JSONB => "jsonb",
        _ => return None,
    })
}

/// PostgreSQL's largest `varchar(n)` / `char(n)` length.
const MAX_LENGTH: i32 = 10_485_760;

/// The length in `name(n)`, if any and within PostgreSQL's limit (1 to 10485760).
fn type_length(decl: &str) -> Option<i32> {
    let open = decl.find('(')?;
    let inner = decl[open + 1..].split([',', ')']).next()?;
    inner
        .trim()
        .parse()
        .ok()
        .filter(|n| (1..=MAX_LENGTH).contains(n))
}

/// Maps a declared column type (as written in `CREATE TABLE`) to a PostgreSQL type.
///
/// Known PostgreSQL type names map to themselves; anything else falls back to SQLite's
/// column-affinity rules (section 3.1 of SQLite's datatype documentation).
pub fn from_decltype(decl: &str) -> PgType {
    let lower = decl.trim().to_ascii_lowercase();
    if let Some(at) = lower.find('[') {
        return array_type(&format!("{}{}", &lower[..at], after_brackets(&lower[at..])));
    }
    named_type(&lower).unwrap_or_else(|| by_affinity(&lower))
}

/// Whether `name` (as a client writes it, `int`, `text[]`, `character varying(3)`) is a
/// type litewire knows, rather than a word read by SQLite's affinity rules.
pub fn names_a_type(name: &str) -> bool {
    let lower = name.trim().to_ascii_lowercase();
    let base = lower.split('[').next().unwrap_or("");
    named_type(base.trim()).is_some()
}

/// Whether a value of type `from` may be given where `to` is expected: PostgreSQL's
/// assignment coercions among the built-in types (numbers to numbers, anything to a
/// string type, the date/time widenings), used for EXECUTE's arguments.
pub fn assignable(from: u32, to: u32) -> bool {
    const NUMBERS: &[u32] = &[
        oid::INT2,
        oid::INT4,
        oid::INT8,
        oid::FLOAT4,
        oid::FLOAT8,
        oid::NUMERIC,
        oid::OID,
    ];
    const STRINGS: &[u32] = &[oid::TEXT, oid::VARCHAR, oid::BPCHAR, oid::NAME];
    const TIMES: &[u32] = &[oid::DATE, oid::TIMESTAMP, oid::TIMESTAMPTZ];
    from == to
        || STRINGS.contains(&to)
        || (NUMBERS.contains(&from) && NUMBERS.contains(&to))
        || (TIMES.contains(&from) && TIMES.contains(&to))
        || (from == oid::TIME && to == oid::INTERVAL)
        || (from == oid::JSON && to == oid::JSONB)
        || (from == oid::JSONB && to == oid::JSON)
}

/// The PostgreSQL type a declared type names (lower case); None for other names.
fn named_type(lower: &str) -> Option<PgType> {
    // `timestamp(2) with time zone`: the precision sits inside the name.
    let unsized_name;
    let base = match (lower.find('('), lower.find(')')) {
        (Some(open), Some(close)) if open < close && !lower[close + 1..].trim().is_empty() => {
            unsized_name = format!("{}{}", &lower[..open], &lower[close + 1..]);
            unsized_name.trim()
        }
        _ => lower.split('(').next().unwrap_or("").trim(),
    };
    let t = |oid, size| PgType::new(oid, size);
    Some(match base {
        "bool" | "boolean" => PgType {
            render: Render::Bool,
            ..t(oid::BOOL, 1)
        },
        "smallint" | "int2" | "smallserial" | "serial2" => t(oid::INT2, 2),
        "integer" | "int" | "int4" | "serial" | "serial4" | "mediumint" => t(oid::INT4, 4),
        "bigint" | "int8" | "bigserial" | "serial8" => t(oid::INT8, 8),
        "real" | "float4" => t(oid::FLOAT4, 4),
        "double" | "double precision" | "float8" | "float" => t(oid::FLOAT8, 8),
        // `numeric_text`: a numeric column stored as its exact text (translate/mod.rs).
        "numeric" | "decimal" | "numeric_text" => {
            let modifier = numeric_typmod(lower);
            PgType {
                modifier,
                render: if modifier >= 4 {
                    Render::Numeric(
                        crate::engine::pgfuncs::decimal::typmod_parts(modifier).1 as i16,
                    )
                } else {
                    Render::Plain
                },
                ..t(oid::NUMERIC, -1)
            }
        }
        "text" | "clob" => t(oid::TEXT, -1),
        "name" => t(oid::NAME, 64),
        "oid" => t(oid::OID, 4),
        "varchar" | "character varying" | "nvarchar" | "varying character" => PgType {
            modifier: type_length(lower).map_or(-1, |n| n + 4),
            ..t(oid::VARCHAR, -1)
        },
        "char" | "character" | "bpchar" | "nchar" | "native character" => {
            // PostgreSQL's `char` without a length is char(1).
            let n = type_length(lower).unwrap_or(1);
            PgType {
                modifier: n + 4,
                render: Render::Bpchar(n.clamp(0, u16::MAX as i32) as u16),
                ..t(oid::BPCHAR, -1)
            }
        }
        "blob" | "bytea" => t(oid::BYTEA, -1),
        "date" => PgType {
            render: Render::DateTime,
            ..t(oid::DATE, 4)
        },
        // The typmod of `time(p)` / `timestamp(p)` is p (-1: none).
        "time" | "time without time zone" => PgType {
            modifier: type_length(lower).unwrap_or(-1),
            ..t(oid::TIME, 8)
        },
        "timestamp" | "datetime" | "timestamp without time zone" => PgType {
            render: Render::DateTime,
            modifier: type_length(lower).unwrap_or(-1),
            ..t(oid::TIMESTAMP, 8)
        },
        "timestamptz" | "timestamp with time zone" => PgType {
            render: Render::TimestampTz,
            modifier: type_length(lower).unwrap_or(-1),
            ..t(oid::TIMESTAMPTZ, 8)
        },
        "interval" => t(oid::INTERVAL, 16),
        "uuid" => t(oid::UUID, 16),
        "json" => t(oid::JSON, -1),
        "jsonb" => t(oid::JSONB, -1),
        // PostgreSQL's one-byte `"char"` (the catalog's `relkind`, `attgenerated`...), which
        // prints an empty value empty, not blank-padded as char(1) does; SQLite drops the
        // quotes of a declared `"char"`, so the catalog declares it by this name.
        "pg_char" => t(oid::CHAR, 1),
        "int2vector" => PgType {
            render: Render::Vector(oid::INT2),
            ..t(oid::INT2VECTOR, -1)
        },
        "oidvector" => PgType {
            render: Render::Vector(oid::OID),
            ..t(oid::OIDVECTOR, -1)
        },
        _ => return None,
    })
}

/// `elem[]` (`int4[]`, `char(5)[]`; SQLite keeps a modifier after the brackets, so
/// `char[](5)` is read as `char(5)[]` too): the array type of the element type, or text
/// when the element type has none.
fn array_type(elem: &str) -> PgType {
    // An element type PostgreSQL does not have (`mytype[]`) is read as text, not by
    // SQLite's affinity rules.
    let e = named_type(elem.trim()).unwrap_or(PgType::TEXT);
    match super::catalog::array_of(e.oid) {
        Some(array) => PgType {
            oid: array,
            size: -1,
            modifier: e.modifier,
            render: Render::Array(e.oid, e.modifier),
        },
        None => PgType::TEXT,
    }
}

/// What follows the `[]` pairs of a declared type (a modifier SQLite wants last).
fn after_brackets(s: &str) -> &str {
    s.trim_start_matches(|c: char| c == '[' || c == ']' || c.is_ascii_digit() || c == ' ')
}

/// PostgreSQL's typmod for `numeric(p, s)`: `((p << 16) | s) + 4`.
fn numeric_typmod(decl: &str) -> i32 {
    let Some(open) = decl.find('(') else {
        return -1;
    };
    let mut parts = decl[open + 1..].trim_end_matches(')').split(',');
    let p: i32 = match parts.next().and_then(|p| p.trim().parse().ok()) {
        Some(p) => p,
        None => return -1,
    };
    let s: i32 = parts
        .next()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    // PostgreSQL's limits (precision 1 to 1000, scale -1000 to 1000); a declared type
    // beyond them is described without a modifier, never overflowed.
    if !(1..=1000).contains(&p) || !(-1000..=1000).contains(&s) {
        return -1;
    }
    ((p << 16) | (s & 0x7ff)) + 4
}

/// SQLite's affinity rules, in SQLite's order.
fn by_affinity(decl: &str) -> PgType {
    if decl.contains("int") {
        PgType::INT8
    } else if decl.contains("char") || decl.contains("clob") || decl.contains("text") {
        PgType::TEXT
    } else if decl.contains("blob") || decl.is_empty() {
        PgType::BYTEA
    } else if decl.contains("real") || decl.contains("floa") || decl.contains("doub") {
        PgType::FLOAT8
    } else {
        PgType::new(oid::NUMERIC, -1)
    }
}

/// The type of an expression column (no declared type), from the value it holds.
pub fn from_value(v: ValueRef<'_>) -> PgType {
    match v {
        ValueRef::Integer(_) => PgType::INT8,
        ValueRef::Real(_) => PgType::FLOAT8,
        ValueRef::Blob(_) => PgType::BYTEA,
        ValueRef::Text(_) | ValueRef::Null => PgType::TEXT,
    }
}

/// The session settings that change how a result value prints in text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextStyle {
    /// extra_float_digits, clamped to -15..=3.
    pub extra_float_digits: i8,
    /// bytea_output is `escape` (not `hex`).
    pub bytea_escape: bool,
}

impl Default for TextStyle {
    fn default() -> Self {
        TextStyle {
            extra_float_digits: 1,
            bytea_escape: false,
        }
    }
}

/// Writes a result value of type `t` in PostgreSQL text format: floats under the
/// session's extra_float_digits, bytea under its bytea_output, intervals under its
/// IntervalStyle, a numeric held as a double positionally, the rest by [`write_text`].
/// NULL is handled by the caller.
pub fn write_result_text(t: &PgType, v: ValueRef<'_>, style: TextStyle, out: &mut BytesMut) {
    match (v, t.oid, t.render) {
        (ValueRef::Real(f), oid::FLOAT4 | oid::FLOAT8, _) => {
            write_float(f, t.oid == oid::FLOAT4, style.extra_float_digits, out)
        }
        (ValueRef::Blob(b), _, _) if style.bytea_escape => write_bytea_escape(b, out),
        // Stored in the postgres style; printed in the session's IntervalStyle.
        (ValueRef::Text(t), oid::INTERVAL, _) => {
            match std::str::from_utf8(t)
                .ok()
                .and_then(super::datetime::restyle_interval)
            {
                Some(s) => out.put_slice(s.as_bytes()),
                None => out.put_slice(t),
            }
        }
        (ValueRef::Real(f), oid::NUMERIC, Render::Plain) => write_numeric(f, out),
        // Stored as written (`1.50`, `1.0e+20` where SQLite made text of a double).
        (ValueRef::Text(t), oid::NUMERIC, Render::Plain) => {
            match std::str::from_utf8(t).ok().and_then(Num::stored) {
                Some(n) => out.put_slice(n.to_string().as_bytes()),
                None => out.put_slice(t),
            }
        }
        _ => write_text(t.render, v, out),
    }
}

/// Writes `v` in PostgreSQL text format. NULL is handled by the caller.
pub fn write_text(render: Render, v: ValueRef<'_>, out: &mut BytesMut) {
    match v {
        ValueRef::Null => {}
        ValueRef::Integer(i) => match render {
            Render::Bool if i == 0 => out.put_u8(b'f'),
            Render::Bool if i == 1 => out.put_u8(b't'),
            Render::Numeric(scale) if scale < 0 => {
                let d = crate::engine::pgfuncs::decimal::Dec::from_i64(i);
                out.put_slice(d.round(i64::from(scale)).to_string().as_bytes());
            }
            Render::Numeric(scale) if scale > 0 => {
                write_int(i, out);
                out.put_u8(b'.');
                out.put_bytes(b'0', scale as usize);
            }
            _ => write_int(i, out),
        },
        ValueRef::Real(f) => match render {
            // A negative scale (numeric(3,-6)) rounds to tens, hundreds…, exactly.
            Render::Numeric(scale) if f.is_finite() && scale < 0 => {
                if let Num::Fin(d) = Num::from_f64(f) {
                    out.put_slice(d.round(i64::from(scale)).to_string().as_bytes());
                }
            }
            Render::Numeric(scale) if f.is_finite() => {
                use std::fmt::Write;
                let mut s = String::with_capacity(24);
                let _ = write!(s, "{f:.*}", scale as usize);
                // numeric has no minus zero (-0.001 at scale 2 is 0.00).
                let s = match s.strip_prefix('-') {
                    Some(abs) if abs.bytes().all(|b| b == b'0' || b == b'.') => abs,
                    _ => &s,
                };
                out.put_slice(s.as_bytes());
            }
            _ => write_float8(f, out),
        },
        ValueRef::Text(t) if matches!(render, Render::Numeric(_)) => {
            let Render::Numeric(scale) = render else {
                return;
            };
            match std::str::from_utf8(t).ok().and_then(Num::stored) {
                Some(Num::Fin(d)) => out.put_slice(d.round(scale as i64).to_string().as_bytes()),
                Some(n) => out.put_slice(n.to_string().as_bytes()),
                None => out.put_slice(t),
            }
        }
        ValueRef::Text(t) if matches!(render, Render::Array(..)) => {
            let Render::Array(oid, typmod) = render else {
                return;
            };
            match std::str::from_utf8(t).ok().and_then(super::array::read) {
                Some(v) => {
                    let mut s = String::with_capacity(t.len());
                    let elem = super::array::Elem { oid, typmod };
                    super::array::write_bounded_text(&v, elem, &mut s);
                    out.put_slice(s.as_bytes());
                }
                None => out.put_slice(t),
            }
        }
        ValueRef::Text(t) if matches!(render, Render::Vector(_)) => {
            match std::str::from_utf8(t)
                .ok()
                .and_then(super::array::vector_text)
            {
                Some(v) => out.put_slice(v.as_bytes()),
                None => out.put_slice(t),
            }
        }
        ValueRef::Text(t) if render == Render::DateTime && super::datetime::is_stored_bc(t) => {
            match std::str::from_utf8(t)
                .ok()
                .and_then(super::datetime::bc_out)
            {
                Some(s) => out.put_slice(s.as_bytes()),
                None => out.put_slice(t),
            }
        }
        ValueRef::Text(t) if render == Render::TimestampTz => {
            super::datetime::with_session(|zone| match zone {
                super::datetime::Zone::Fixed(0) if super::datetime::is_stored_bc(t) => {
                    match std::str::from_utf8(t)
                        .ok()
                        .and_then(super::datetime::bc_out)
                    {
                        Some(s) => out.put_slice(s.as_bytes()),
                        None => out.put_slice(t),
                    }
                }
                super::datetime::Zone::Fixed(0) => {
                    let n = t.len();
                    let whole_hours =
                        n >= 6 && matches!(t[n - 6], b'+' | b'-') && t.ends_with(b":00");
                    out.put_slice(if whole_hours { &t[..n - 3] } else { t });
                }
                // In the session's zone, with the offset it has then.
                zone => match std::str::from_utf8(t).ok().and_then(|s| {
                    super::datetime::format_timestamptz(
                        super::datetime::parse_timestamp(s).ok()?,
                        zone,
                    )
                }) {
                    Some(s) => out.put_slice(s.as_bytes()),
                    None => out.put_slice(t),
                },
            })
        }
        ValueRef::Text(t) => {
            out.put_slice(t);
            if let Render::Bpchar(n) = render {
                let chars = String::from_utf8_lossy(t).chars().count();
                out.put_bytes(b' ', (n as usize).saturating_sub(chars));
            }
        }
        ValueRef::Blob(b) => write_bytea_hex(b, out),
    }
}

fn write_int(i: i64, out: &mut BytesMut) {
    let mut buf = [0u8; 20];
    let mut n = i.unsigned_abs();
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if i < 0 {
        out.put_u8(b'-');
    }
    out.put_slice(&buf[at..]);
}

/// bytea in PostgreSQL's default `hex` output format: `\x` then two hex digits a byte.
fn write_bytea_hex(b: &[u8], out: &mut BytesMut) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(2 + b.len() * 2);
    out.put_slice(b"\\x");
    for &byte in b {
        out.put_u8(HEX[(byte >> 4) as usize]);
        out.put_u8(HEX[(byte & 15) as usize]);
    }
}

/// bytea in the `escape` output format (byteaout): a backslash doubled, a byte outside
/// printable ASCII as `\ooo` octal, the rest as itself.
fn write_bytea_escape(b: &[u8], out: &mut BytesMut) {
    for &byte in b {
        match byte {
            b'\\' => out.put_slice(b"\\\\"),
            0x20..=0x7e => out.put_u8(byte),
            _ => {
                out.put_u8(b'\\');
                for shift in [6, 3, 0] {
                    out.put_u8(b'0' + ((byte >> shift) & 7));
                }
            }
        }
    }
}

/// A numeric held as a double, as numeric prints: the double's shortest digits in
/// positional notation (`0.000001`, `100000000000000000000`; numeric never uses an
/// exponent, nor a minus zero).
pub fn write_numeric(f: f64, out: &mut BytesMut) {
    use std::fmt::Write;
    if !f.is_finite() {
        return write_float8(f, out);
    }
    if f == 0.0 {
        return out.put_u8(b'0');
    }
    let mut sci = String::with_capacity(32);
    let _ = write!(sci, "{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    if f < 0.0 {
        out.put_u8(b'-');
    }
    if exp < 0 {
        out.put_slice(b"0.");
        out.put_bytes(b'0', (-exp - 1) as usize);
        out.put_slice(&digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.put_slice(&digits);
            out.put_bytes(b'0', int_len - digits.len());
        } else {
            out.put_slice(&digits[..int_len]);
            out.put_u8(b'.');
            out.put_slice(&digits[int_len..]);
        }
    }
}

/// float8 as PostgreSQL 12+ prints it (extra_float_digits = 1): the shortest text that
/// reads back to the same value, in fixed notation for decimal exponents from -4 to 14
/// and as `d.ddde+XX` otherwise; `NaN`, `Infinity`, `-Infinity`.
pub fn write_float8(f: f64, out: &mut BytesMut) {
    write_float(f, false, 1, out)
}

/// A float4 or float8 as PostgreSQL prints it under `extra_float_digits`: above 0 the
/// shortest text that reads back to the same float4/float8 (fixed notation below 1e6
/// resp. 1e15), else printf's `%.Ng` with N = 6 resp. 15 plus extra_float_digits.
pub fn write_float(f: f64, float4: bool, extra_float_digits: i8, out: &mut BytesMut) {
    use std::fmt::Write;
    if f.is_nan() {
        return out.put_slice(b"NaN");
    }
    if f.is_infinite() {
        return out.put_slice(if f > 0.0 { b"Infinity" } else { b"-Infinity" });
    }
    let mut sci = String::with_capacity(32);
    let fixed_below = if extra_float_digits > 0 {
        // `{:e}` gives the shortest round-trip digits, e.g. "1.5e0", "-1.2345e-7".
        // A double beyond float4's range (stored by SQLite itself) shows as a double.
        if float4 && (f as f32).is_finite() {
            let _ = write!(sci, "{:e}", f as f32);
            6
        } else {
            let _ = write!(sci, "{f:e}");
            15
        }
    } else {
        let base: i32 = if float4 { 6 } else { 15 };
        let precision = (base + i32::from(extra_float_digits)).max(1);
        let value = if float4 && (f as f32).is_finite() {
            f64::from(f as f32)
        } else {
            f
        };
        let _ = write!(sci, "{:.*e}", (precision - 1) as usize, value);
        // %g drops trailing zeros.
        if let Some((m, e)) = sci.split_once('e') {
            let m = if m.contains('.') {
                m.trim_end_matches('0').trim_end_matches('.')
            } else {
                m
            };
            sci = format!("{m}e{e}");
        }
        precision
    };
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if neg {
        out.put_u8(b'-');
    }
    if (-4..fixed_below).contains(&exp) {
        if exp < 0 {
            out.put_slice(b"0.");
            for _ in 0..(-exp - 1) {
                out.put_u8(b'0');
            }
            out.put_slice(digits.as_bytes());
        } else {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.put_slice(digits.as_bytes());
                for _ in digits.len()..int_len {
                    out.put_u8(b'0');
                }
            } else {
                out.put_slice(&digits.as_bytes()[..int_len]);
                out.put_u8(b'.');
                out.put_slice(&digits.as_bytes()[int_len..]);
            }
        }
    } else {
        out.put_slice(&digits.as_bytes()[..1]);
        if digits.len() > 1 {
            out.put_u8(b'.');
            out.put_slice(&digits.as_bytes()[1..]);
        }
        out.put_u8(b'e');
        out.put_u8(if exp < 0 { b'-' } else { b'+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.put_u8(b'0');
        }
        write_int(e as i64, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f8(f: f64) -> String {
        let mut b = BytesMut::new();
        write_float8(f, &mut b);
        String::from_utf8(b.to_vec()).unwrap()
    }

    #[test]
    fn float8_matches_postgres() {
        // Expected strings are PostgreSQL 15's output for `select <value>::float8`.
        assert_eq!(f8(1.5), "1.5");
        assert_eq!(f8(0.1), "0.1");
        assert_eq!(f8(-2.0), "-2");
        assert_eq!(f8(100.0), "100");
        assert_eq!(f8(1e15), "1e+15");
        assert_eq!(f8(1e14), "100000000000000");
        assert_eq!(f8(123456789012345.6), "123456789012345.6");
        assert_eq!(f8(0.0001), "0.0001");
        assert_eq!(f8(0.00001), "1e-05");
        assert_eq!(f8(1.2345e-7), "1.2345e-07");
        assert_eq!(f8(1e100), "1e+100");
        assert_eq!(f8(f64::NAN), "NaN");
        assert_eq!(f8(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(f8(0.0), "0");
        assert_eq!(f8(1.0 / 3.0), "0.3333333333333333");
    }

    #[test]
    fn decltypes() {
        assert_eq!(from_decltype("INTEGER").oid, oid::INT4);
        assert_eq!(from_decltype("BIGINT").oid, oid::INT8);
        assert_eq!(from_decltype("VARCHAR(20)").modifier, 24);
        assert_eq!(from_decltype("numeric(10,2)").modifier, (10 << 16 | 2) + 4);
        assert_eq!(from_decltype("BOOLEAN").render, Render::Bool);
        assert_eq!(from_decltype("UNSIGNED BIG INT").oid, oid::INT8);
        assert_eq!(from_decltype("NATIVE CHARACTER(70)").oid, oid::BPCHAR);
        assert_eq!(from_decltype("STRING").oid, oid::NUMERIC);
        // Sizes from a client's CREATE TABLE cannot overflow the modifier.
        assert_eq!(from_decltype("varchar(2147483647)").modifier, -1);
        assert_eq!(from_decltype("char(2147483647)").modifier, 5);
        assert_eq!(from_decltype("numeric(32767, 65535)").modifier, -1);
        assert_eq!(
            from_decltype("numeric(2147483647, 2147483647)").modifier,
            -1
        );
        assert_eq!(
            from_decltype("timestamp with time zone").oid,
            oid::TIMESTAMPTZ
        );
        // Arrays: the element type's array type, its modifier kept.
        assert_eq!(from_decltype("int4[]").oid, 1007);
        assert_eq!(
            from_decltype("INT[][]").render,
            Render::Array(oid::INT4, -1)
        );
        assert_eq!(
            from_decltype("char [](5)").render,
            Render::Array(oid::BPCHAR, 9)
        );
        assert_eq!(from_decltype("varchar(5)[]").oid, 1015);
        assert_eq!(from_decltype("mytype[]").oid, 1009);
        assert_eq!(
            from_decltype("timestamp(2) with time zone").oid,
            oid::TIMESTAMPTZ
        );
        assert_eq!(from_decltype("timestamp(2)").oid, oid::TIMESTAMP);
    }

    #[test]
    fn text_values() {
        let mut b = BytesMut::new();
        write_text(Render::Bool, ValueRef::Integer(1), &mut b);
        write_text(Render::Plain, ValueRef::Integer(i64::MIN), &mut b);
        write_text(Render::Plain, ValueRef::Blob(&[0xde, 0xad]), &mut b);
        assert_eq!(&b[..], b"t-9223372036854775808\\xdead");
        // bytea_output = escape: byteaout's escape format.
        let escape = TextStyle {
            bytea_escape: true,
            ..TextStyle::default()
        };
        let mut b = BytesMut::new();
        let bytea = from_decltype("bytea");
        write_result_text(&bytea, ValueRef::Blob(b"a\\\x00~\x7f\xff "), escape, &mut b);
        assert_eq!(&b[..], b"a\\\\\\000~\\177\\377 ");
        let text = |decl: &str, v: ValueRef<'_>| {
            let mut b = BytesMut::new();
            write_text(from_decltype(decl).render, v, &mut b);
            String::from_utf8(b.to_vec()).unwrap()
        };
        assert_eq!(text("numeric(10,2)", ValueRef::Integer(3)), "3.00");
        assert_eq!(text("numeric(10,2)", ValueRef::Real(-0.5)), "-0.50");
        assert_eq!(text("char(3)", ValueRef::Text(b"ab")), "ab ");
        let tz = |v: &[u8]| text("timestamp(2) with time zone", ValueRef::Text(v));
        assert_eq!(tz(b"2020-02-01 00:57:30+00:00"), "2020-02-01 00:57:30+00");
        assert_eq!(
            tz(b"2020-02-01 00:57:30-05:30"),
            "2020-02-01 00:57:30-05:30"
        );
        assert_eq!(tz(b"infinity"), "infinity");
    }
}
