//! Casts (`x::type`, `CAST(x AS type)`) and typed literals (`date '…'`) as SQLite
//! expressions. Types whose text input PostgreSQL validates go through
//! `pg_cast(x, 'type')` (engine/functions.rs), which refuses what PostgreSQL refuses.

use sqlparser::ast::{DataType, DateTimeField, Expr, Interval, IntervalFields, Value};

use super::{call, string, unsupported};
use crate::protocol::PgError;

/// The type's name as PostgreSQL spells it in lower case, without `pg_catalog.`:
/// `integer`, `character varying(10)`, `timestamp with time zone`, `int4[]`.
pub(super) fn type_name(t: &DataType) -> String {
    let name = t.to_string().to_ascii_lowercase();
    match name.strip_prefix("pg_catalog.") {
        Some(rest) => rest.to_string(),
        None => name,
    }
}

/// A type litewire has neither a stored form nor operators for, by the name it is refused
/// with: its values would pass as numbers (`'1.10'::money` was `1.10`, a timetz column
/// took values as numeric, a bit(4) column's `'0101'` was 101). Arrays of it too.
pub(super) fn unsupported_type(t: &DataType) -> Result<(), PgError> {
    let name = type_name(t);
    let base = name.trim_end_matches("[]");
    let timetz = base == "timetz"
        || base.starts_with("timetz(")
        || (base.starts_with("time")
            && !base.starts_with("timestamp")
            && base.ends_with("with time zone"));
    let bits = |prefix: &str| {
        base.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('('))
    };
    match (base, timetz) {
        (_, true) => Err(unsupported("the type time with time zone")),
        ("money", _) => Err(unsupported("the type money")),
        _ if bits("bit varying") || bits("varbit") => Err(unsupported("the type bit varying")),
        _ if bits("bit") => Err(unsupported("the type bit")),
        _ => Ok(()),
    }
}

/// `operand` read as an interval with type modifiers: `pg_interval(x, 'day to hour',
/// precision or -1)` (engine/functions.rs) reads it with those fields and cuts it to them.
fn typed_interval(operand: Expr, fields: &str, precision: Option<u64>) -> Expr {
    let precision = precision.map_or(-1, |p| p.min(i64::MAX as u64) as i64);
    call(
        "pg_interval",
        vec![
            operand,
            string(fields),
            Expr::Value(Value::Number(precision.to_string(), false).into()),
        ],
    )
}

/// `interval '1' day`, `interval '1 2:03' day to minute`, `interval '1.5' second(0)`.
pub(super) fn interval_literal(i: Interval) -> Result<Expr, PgError> {
    let field = |f: &DateTimeField| match f {
        DateTimeField::Year => Some("year"),
        DateTimeField::Month => Some("month"),
        DateTimeField::Day => Some("day"),
        DateTimeField::Hour => Some("hour"),
        DateTimeField::Minute => Some("minute"),
        DateTimeField::Second => Some("second"),
        _ => None,
    };
    let leading = i.leading_field.as_ref().map(field);
    let last = i.last_field.as_ref().map(field);
    let (fields, precision) = match (leading, last, i.leading_precision) {
        (None, None, None) => return Ok(call("pg_interval", vec![*i.value])),
        // SECOND(p): sqlparser reads p as the leading precision.
        (Some(Some("second")), None, p) => {
            ("second".to_string(), p.or(i.fractional_seconds_precision))
        }
        (Some(Some(a)), None, None) => (a.to_string(), None),
        (Some(Some(a)), Some(Some(b)), None) => {
            (format!("{a} to {b}"), i.fractional_seconds_precision)
        }
        _ => return Err(unsupported("this interval literal's fields")),
    };
    if crate::engine::datetime::IntervalRange::from_fields(&fields).is_none() {
        return Err(unsupported(format!(
            "interval fields {}",
            fields.to_uppercase()
        )));
    }
    Ok(typed_interval(*i.value, &fields, precision))
}

/// The length of `varchar(n)` / `character varying(n)` (false) and `char(n)` /
/// `character(n)` / `bpchar(n)` / `char` (n = 1) (true: blank-padded).
pub(crate) fn char_length(name: &str) -> Option<(u64, bool)> {
    let (base, length) = match name.split_once('(') {
        Some((base, rest)) => (base.trim(), rest.strip_suffix(')')?.trim().parse().ok()?),
        None => (name.trim(), 1),
    };
    match base {
        "varchar" | "character varying" if name.contains('(') => Some((length, false)),
        "char" | "character" | "bpchar" if base != "bpchar" || name.contains('(') => {
            Some((length, true))
        }
        _ => None,
    }
}

/// An explicit cast to `varchar(n)` / `char(n)` cuts the text to n characters, as
/// PostgreSQL does; a char(n) value drops its trailing blanks in expressions (they are
/// padding, which its output adds back).
fn truncated(operand: Expr, length: u64, padded: bool) -> Expr {
    let text = Expr::Cast {
        kind: sqlparser::ast::CastKind::Cast,
        expr: Box::new(operand),
        data_type: DataType::Text,
        format: None,
    };
    let cut = call(
        "substr",
        vec![
            text,
            Expr::Value(Value::Number("1".into(), false).into()),
            Expr::Value(Value::Number(length.to_string(), false).into()),
        ],
    );
    if padded {
        call("rtrim", vec![cut, string(" ")])
    } else {
        cut
    }
}

/// Date/time types with a seconds precision (`timestamp(2)`, `time(0) with time zone`).
fn is_timed(base: &str) -> bool {
    matches!(
        base,
        "time"
            | "time without time zone"
            | "timestamp"
            | "timestamp without time zone"
            | "timestamptz"
            | "timestamp with time zone"
    )
}

/// The type named `base` (without its precision) as a tree.
fn without_precision(base: &str) -> DataType {
    match base {
        "time" | "time without time zone" => {
            DataType::Time(None, sqlparser::ast::TimezoneInfo::None)
        }
        "timestamp" | "timestamp without time zone" => {
            DataType::Timestamp(None, sqlparser::ast::TimezoneInfo::None)
        }
        _ => DataType::Timestamp(None, sqlparser::ast::TimezoneInfo::WithTimeZone),
    }
}

/// An array type by its catalog name (`_int2`) as `int2[]`; any other name as it is.
fn array_alias(name: String) -> String {
    match name.strip_prefix('_') {
        Some(elem)
            if !elem.contains(['[', '_']) && crate::engine::catalog::to_regtype(elem).is_some() =>
        {
            format!("{elem}[]")
        }
        _ => name,
    }
}

/// Whether a cast to `name` reads a date, timestamp or timestamptz.
fn is_dated(name: &str) -> bool {
    let base = name.split('(').next().unwrap_or(name).trim();
    matches!(
        base,
        "date"
            | "timestamp"
            | "timestamptz"
            | "timestamp with time zone"
            | "timestamp without time zone"
    ) || name.starts_with("timestamp")
}

/// `operand` cast to `t`.
pub(super) fn cast(operand: Expr, t: &DataType) -> Expr {
    if let DataType::Interval { fields, precision } = t {
        if fields.is_some() || precision.is_some() {
            let fields = fields.as_ref().map_or(String::new(), |f: &IntervalFields| {
                f.to_string().to_ascii_lowercase()
            });
            return typed_interval(operand, &fields, *precision);
        }
    }
    let name = array_alias(type_name(t));
    let literal =
        matches!(&operand, Expr::Value(v) if matches!(v.value, Value::SingleQuotedString(_)));
    // A literal starting with `/` is read as PostgreSQL reads it (`'/9955-03-15'::date`
    // is 9955 AD), not as the stored form of a BC date (engine/datetime.rs): a blank
    // before it, which date/time input skips, keeps the two apart.
    let operand = match operand {
        Expr::Value(v)
            if is_dated(&name)
                && matches!(&v.value, Value::SingleQuotedString(s) if s.starts_with('/')) =>
        {
            let Value::SingleQuotedString(s) = &v.value else {
                unreachable!()
            };
            string(&format!(" {s}"))
        }
        other => other,
    };
    // `timestamp(2) with time zone`: the precision sits inside the name.
    let (base, precision) = match (name.find('('), name.find(')')) {
        (Some(open), Some(close)) if open < close && !name.contains('[') => (
            format!("{} {}", name[..open].trim(), name[close + 1..].trim())
                .trim()
                .to_string(),
            name[open + 1..close].trim().parse::<u32>().ok(),
        ),
        _ => (
            name.split(['(', '['])
                .next()
                .unwrap_or("")
                .trim()
                .to_string(),
            None,
        ),
    };
    let operand = match precision {
        Some(p) if p < 6 && is_timed(&base) => {
            return call(
                "pg_precision",
                vec![
                    cast(operand, &without_precision(&base)),
                    Expr::Value(Value::Number(p.to_string(), false).into()),
                ],
            )
        }
        _ => operand,
    };
    // A value (not a literal, whose zone PostgreSQL ignores) that is a timestamptz
    // becomes its local time in the session's zone first (engine: `pg_local`).
    let operand = if !literal && matches!(base.as_str(), "time" | "timestamp" | "date") {
        call("pg_local", vec![operand])
    } else {
        operand
    };
    let checked = |pg: &str| call("pg_cast", vec![operand.clone(), string(pg)]);
    if name.contains('[') {
        // A literal is checked as an array literal of the element type and kept as text;
        // anything else (a parameter, ARRAY[...]) is already an array.
        return if literal {
            checked(&format!("{base}[]"))
        } else {
            operand
        };
    }
    let wrap = |f: &str| call(f, vec![operand.clone()]);
    // An OID alias's text is the name it stands for (`x::regtype::text` is `integer`).
    // Its function gives the OID of a name and the name of an OID, so an OID it gave
    // (an integer) goes through it once more.
    if matches!(
        base.as_str(),
        "text" | "varchar" | "character varying" | "name"
    ) {
        if let Some(name) = oid_name(&operand) {
            return name;
        }
    }
    // `"char"`: the one-byte type, not char(1).
    if name == "\"char\"" {
        return wrap("pg_char");
    }
    if let Some((length, padded)) = char_length(&name) {
        return truncated(operand, length, padded);
    }
    // A quoted type name is the same type (`::"regtype"`, as TypeORM writes it).
    match base.trim_matches('"') {
        "bool" | "boolean" => wrap("pg_bool"),
        "bytea" => wrap("pg_bytea"),
        "int2" | "smallint" => checked("int2"),
        "int" | "int4" | "integer" => checked("int4"),
        "int8" | "bigint" => checked("int8"),
        "oid" => checked("oid"),
        // A vector's text (`'1 2'`) becomes the stored form, a JSON array (engine).
        "int2vector" | "oidvector" if literal => checked(&base),
        // PostgreSQL's float input (NaN, Infinity; garbage is an error, not 0).
        "float" | "float8" | "double precision" => wrap("pg_float"),
        "float4" | "real" => wrap("pg_float4"),
        // A decimal literal goes in as its text: its written scale is kept
        // (`4232.820::numeric` is `4232.820`; a double would be 4232.82).
        "numeric" | "decimal" => {
            let value = match &operand {
                Expr::Value(v) if matches!(&v.value, Value::Number(n, _) if n.contains(['.', 'e', 'E'])) => {
                    call(
                        "pg_cast",
                        vec![string(&v.value.to_string()), string("numeric")],
                    )
                }
                _ => checked("numeric"),
            };
            // numeric(p,s): rounded to s decimals, 22003 past p digits.
            match super::numeric_typmod(&name) {
                Some((p, s)) => {
                    let number = |n: i64| Expr::Value(Value::Number(n.to_string(), false).into());
                    call("pg_numeric_typmod", vec![value, number(p), number(s)])
                }
                None => value,
            }
        }
        "uuid" => checked(&base),
        // Checked (jsonb: normalised) and marked as JSON for the json functions.
        "json" => wrap("pg_json"),
        "jsonb" => wrap("pg_jsonb"),
        "time" | "time without time zone" => checked("time"),
        // Dates and times are stored as text, normalized the way PostgreSQL reads them.
        "interval" => wrap("pg_interval"),
        "timestamptz" | "timestamp with time zone" => wrap("pg_timestamptz"),
        "timestamp" | "timestamp without time zone" => wrap("pg_timestamp"),
        "date" => wrap("pg_date"),
        // OID aliases: an OID shows as the name, a name becomes the OID (engine/catalog).
        "regtype" => wrap("pg_regtype"),
        "regnamespace" => wrap("pg_regnamespace"),
        "regclass" => wrap("pg_regclass"),
        "regproc" => wrap("pg_regproc"),
        // An enum's labels are checked (a type litewire does not know: kept as text).
        _ if super::enums::of_type(t).is_some() => {
            super::enums::cast(operand, t).unwrap_or(Expr::Value(Value::Null.into()))
        }
        // Text-stored types keep their text (SQLite's NUMERIC cast would mangle dates).
        _ => Expr::Cast {
            kind: sqlparser::ast::CastKind::Cast,
            expr: Box::new(operand),
            data_type: DataType::Text,
            format: None,
        },
    }
}

/// An OID alias (`x::regclass`, `::regtype`, `::regnamespace`) where PostgreSQL prints
/// it: the name. Its function gives the OID of a name and the name of an OID, so an OID
/// it gave (an integer) goes through it once more. None for any other expression.
pub(super) fn oid_name(operand: &Expr) -> Option<Expr> {
    let Expr::Function(f) = operand else {
        return None;
    };
    let alias = f.name.to_string();
    matches!(
        alias.as_str(),
        "pg_regtype" | "pg_regclass" | "pg_regnamespace" | "pg_regproc"
    )
    .then(|| {
        super::raw(format!(
            "(CASE WHEN typeof({operand}) = 'integer' THEN {alias}({operand}) \
             ELSE {operand} END)"
        ))
    })
}

/// A query's own result columns that are OID aliases print their names, as
/// PostgreSQL's output function does (`SELECT 'users'::regclass` is `users`; litewire
/// describes them as text), and sort by their OIDs, as PostgreSQL sorts them: an ORDER BY
/// naming such a column by its position, its alias or its expression sorts by the OID.
pub(super) fn print_oid_names(stmt: &mut sqlparser::ast::Statement) {
    use sqlparser::ast::{OrderByKind, SelectItem, SetExpr, Statement};
    let Statement::Query(q) = stmt else {
        return;
    };
    let order = match q.order_by.as_mut().map(|o| &mut o.kind) {
        Some(OrderByKind::Expressions(e)) => Some(e),
        Some(OrderByKind::All(_)) => return,
        None => None,
    };
    let SetExpr::Select(select) = q.body.as_mut() else {
        return;
    };
    let mut order = order;
    for (i, item) in select.projection.iter_mut().enumerate() {
        let (expr, alias) = match item {
            SelectItem::UnnamedExpr(e) => (e, None),
            SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.value.as_str())),
            _ => continue,
        };
        let Some(name) = oid_name(expr) else {
            continue;
        };
        // The ORDER BY is translated already: the column is named by its position, its
        // alias, or its own expression.
        let position = (i + 1).to_string();
        let written = expr.to_string();
        for o in order.iter_mut().flat_map(|o| o.iter_mut()) {
            // A text column's key is `pg_order_key(c, …)` (operators.rs): its first
            // argument names the column.
            let named = match &o.expr {
                Expr::Function(f) if f.name.to_string() == "pg_order_key" => match &f.args {
                    sqlparser::ast::FunctionArguments::List(l) => {
                        l.args.first().map(|a| a.to_string())
                    }
                    _ => None,
                },
                e => Some(e.to_string()),
            };
            let names = |n: &str| n == position || alias == Some(n) || n == written;
            if named.as_deref().is_some_and(names) {
                o.expr = oid_key(expr);
            }
        }
        *expr = name;
    }
}

/// The OID an OID alias's function call (`pg_regclass(x)`) stands for: its argument
/// when that is an OID already (the call gives the name), else the call's result.
fn oid_key(call: &Expr) -> Expr {
    let Expr::Function(f) = call else {
        return call.clone();
    };
    let sqlparser::ast::FunctionArguments::List(list) = &f.args else {
        return call.clone();
    };
    let [sqlparser::ast::FunctionArg::Unnamed(sqlparser::ast::FunctionArgExpr::Expr(arg))] =
        list.args.as_slice()
    else {
        return call.clone();
    };
    super::raw(format!(
        "(CASE WHEN typeof({arg}) = 'integer' THEN {arg} ELSE {call} END)"
    ))
}
