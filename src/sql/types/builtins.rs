//! What PostgreSQL's built-in types, literals, operators and functions give: the
//! canonical names of written types, the type of a number literal, of an operator's
//! result and of each function's result (the tables [`super::analyze`] consults).

use super::*;

/// An integer literal is int4 when it fits, int8 when that fits, else numeric; a
/// literal with a point or an exponent is numeric.
pub(super) fn number_type(n: &str) -> Ty {
    let t = if n.parse::<i32>().is_ok() {
        "int4"
    } else if n.parse::<i64>().is_ok() {
        "int8"
    } else {
        "numeric"
    };
    Ty::Named(t.into())
}

/// The PostgreSQL name of a written type, modifiers kept: `integer` is `int4`,
/// `character varying(10)` is `varchar(10)`, `int[]` is `int4[]`.
pub fn type_name(t: &DataType) -> String {
    canonical(&t.to_string())
}

/// [`type_name`] for a type as text (a column's declared type).
pub fn canonical(written: &str) -> String {
    let original = written.trim();
    let written = original.to_ascii_lowercase();
    let written = written.strip_prefix("pg_catalog.").unwrap_or(&written);
    let (body, array) = match written.find('[') {
        Some(i) => (&written[..i], "[]"),
        None => (written, ""),
    };
    // `timestamp(2) with time zone`: the modifier sits inside the name.
    let moved;
    let body = match (body.find('('), body.find(')')) {
        (Some(open), Some(close)) if open < close && !body[close + 1..].trim().is_empty() => {
            moved = format!(
                "{} {}{}",
                body[..open].trim(),
                body[close + 1..].trim(),
                &body[open..=close]
            );
            moved.as_str()
        }
        _ => body,
    };
    let (name, modifier) = match body.find('(') {
        Some(i) => (body[..i].trim(), &body[i..]),
        None => (body.trim(), ""),
    };
    let name = name.trim_matches('"');
    let canonical = match name {
        "int" | "integer" | "int4" => "int4",
        "bigint" | "int8" => "int8",
        "smallint" | "int2" => "int2",
        "real" | "float4" => "float4",
        "double precision" | "float8" | "double" => "float8",
        "float" => match modifier.trim_matches(['(', ')']).parse::<u32>() {
            Ok(p) if p <= 24 => "float4",
            _ => "float8",
        },
        "boolean" | "bool" => "bool",
        "decimal" | "numeric" | "dec" | "numeric_text" => "numeric",
        "character varying" | "varchar" | "char varying" => "varchar",
        "character" | "char" | "bpchar" => "bpchar",
        "timestamp with time zone" | "timestamptz" => "timestamptz",
        "timestamp without time zone" | "timestamp" => "timestamp",
        "time without time zone" | "time" => "time",
        "time with time zone" | "timetz" => "timetz",
        // A quoted name (an enum's, `"Mood"`) keeps its case.
        _ if original.ends_with('"') && array.is_empty() && modifier.is_empty() => {
            let start = original.len() - body.len();
            return original[start..].trim().trim_matches('"').to_string();
        }
        other => other,
    };
    let modifier = if name == "float" { "" } else { modifier };
    format!("{canonical}{}{array}", modifier.replace(' ', ""))
}

/// The built-in types litewire stores and describes (engine/types.rs); a cast to any
/// other type is left untyped here (its value decides).
pub(super) const BUILTIN: &[&str] = &[
    "bool",
    "int2",
    "int4",
    "int8",
    "float4",
    "float8",
    "numeric",
    "text",
    "varchar",
    "bpchar",
    "name",
    "oid",
    "bytea",
    "date",
    "time",
    "timestamp",
    "timestamptz",
    "interval",
    "uuid",
    "json",
    "jsonb",
];

/// A written type as a [`Ty`]: known when litewire has it.
pub(super) fn builtin(t: &DataType) -> Ty {
    // `"char"` is PostgreSQL's one-byte type, not char(1).
    if t.to_string().starts_with("\"char\"") {
        return Ty::Unknown;
    }
    let name = type_name(t);
    // A vector (`x::int2vector`), printed `1 2`; arrays of them are refused (arrays.rs).
    if matches!(name.as_str(), "int2vector" | "oidvector") {
        return Ty::Named(name);
    }
    if BUILTIN.contains(&base(name.trim_end_matches("[]"))) {
        Ty::Named(name)
    } else {
        Ty::Unknown
    }
}

/// A type name without modifiers: `numeric(10,2)` is `numeric`.
pub(super) fn base(t: &str) -> &str {
    t.split('(').next().unwrap_or(t).trim()
}

pub(super) fn binary_type(op: &BinaryOperator, l: Ty, r: Ty) -> Ty {
    use BinaryOperator as B;
    let bool_ty = Ty::Named("bool".into());
    match op {
        B::Plus => Ty::Op(Op::Plus, Box::new(l), Box::new(r)),
        B::Minus => Ty::Op(Op::Minus, Box::new(l), Box::new(r)),
        B::Multiply | B::Divide | B::Modulo => Ty::Op(Op::Times, Box::new(l), Box::new(r)),
        B::StringConcat => Ty::Op(Op::Concat, Box::new(l), Box::new(r)),
        B::BitwiseAnd
        | B::BitwiseOr
        | B::PGBitwiseXor
        | B::PGBitwiseShiftLeft
        | B::PGBitwiseShiftRight => Ty::Of(Follow::Bare, Box::new(l)),
        B::PGExp => Ty::Of(Follow::Math, Box::new(Ty::Common(vec![l, r]))),
        B::LongArrow | B::HashLongArrow => Ty::Named("text".into()),
        B::Arrow | B::HashArrow | B::HashMinus => Ty::Of(Follow::Bare, Box::new(l)),
        B::Gt
        | B::Lt
        | B::GtEq
        | B::LtEq
        | B::Eq
        | B::NotEq
        | B::And
        | B::Or
        | B::Xor
        | B::AtArrow
        | B::ArrowAt
        | B::Question
        | B::QuestionAnd
        | B::QuestionPipe
        | B::AtQuestion
        | B::AtAt
        | B::PGRegexMatch
        | B::PGRegexIMatch
        | B::PGRegexNotMatch
        | B::PGRegexNotIMatch
        | B::PGLikeMatch
        | B::PGILikeMatch
        | B::PGNotLikeMatch
        | B::PGNotILikeMatch
        | B::PGOverlap => bool_ty,
        B::PGCustomBinaryOperator(parts) => match parts.last().map(String::as_str) {
            Some("~" | "!~" | "~*" | "!~*" | "=" | "<>" | "<" | ">" | "<=" | ">=") => bool_ty,
            _ => Ty::Unknown,
        },
        _ => Ty::Unknown,
    }
}

/// Functions written without parentheses (`current_date`).
pub(super) fn bare_function_type(name: &str) -> Option<&'static str> {
    Some(match name {
        "current_timestamp" => "timestamptz",
        "localtimestamp" => "timestamp",
        "current_date" => "date",
        "localtime" => "time",
        "current_user" | "session_user" | "current_role" | "user" | "current_catalog"
        | "current_schema" => "name",
        _ => return None,
    })
}

/// A function's result type from its name and its arguments' types.
pub(super) fn function_type(name: &str, args: &[Ty]) -> Ty {
    let first = || Box::new(args.first().cloned().unwrap_or(Ty::Unknown));
    let named = |s: &str| Ty::Named(s.to_string());
    match name {
        "sum" => Ty::Of(Follow::Sum, first()),
        // The variances are numeric for integers, as avg is.
        "avg" | "var_pop" | "var_samp" | "variance" | "stddev" | "stddev_pop" | "stddev_samp" => {
            Ty::Of(Follow::Avg, first())
        }
        "max" | "min" | "abs" | "lag" | "lead" | "first_value" | "last_value" | "nth_value"
        | "any_value" | "mod" | "sign" => Ty::Of(Follow::Bare, first()),
        "coalesce" | "greatest" | "least" => Ty::Common(args.to_vec()),
        "string_agg" => Ty::Of(Follow::Joined, first()),
        "nullif" => *first(),
        "round" | "trunc" | "ceil" | "ceiling" | "floor" | "sqrt" | "cbrt" | "exp" | "ln"
        | "log" | "log10" | "power" | "pow" => {
            if args.len() > 1 && matches!(name, "round" | "trunc") {
                named("numeric")
            } else {
                Ty::Of(Follow::Math, first())
            }
        }
        // timezone(zone, x): as `x AT TIME ZONE zone`.
        "timezone" if args.len() == 2 => match super::strip_params(args[1].clone()) {
            Ty::Named(n) if n == "timestamp" => named("timestamptz"),
            _ => named("timestamp"),
        },
        "date_trunc" => match args.get(1) {
            // A date is truncated as a timestamptz (PostgreSQL casts it).
            Some(t) if matches!(super::strip_params(t.clone()), Ty::Named(n) if n == "date") => {
                named("timestamptz")
            }
            Some(t) => Ty::Of(Follow::Truncated, Box::new(t.clone())),
            None => Ty::Unknown,
        },
        // date_bin(stride, x, origin): x's type.
        "date_bin" if args.len() == 3 => Ty::Of(Follow::Bare, Box::new(args[1].clone())),
        "array_agg" => Ty::Of(Follow::Aggregated, first()),
        "unnest" => Ty::Of(Follow::ElementOf, first()),
        "array_append" | "array_cat" | "array_remove" | "array_replace" | "trim_array" => *first(),
        "array_prepend" => args.get(1).cloned().unwrap_or(Ty::Unknown),
        "array_fill" => Ty::Of(Follow::ArrayOf, first()),
        "string_to_array" | "regexp_split_to_array" | "regexp_matches" => named("text[]"),
        "string_to_table" | "regexp_split_to_table" => named("text"),
        // An enum's labels, as text (sql/translate/enums.rs).
        "enum_range" => named("text[]"),
        // aclitem[] printed as text[] (litewire has no aclitem type).
        "acldefault" => named("text[]"),
        "current_schemas" => named("name[]"),
        "enum_first" | "enum_last" => named("text"),
        "array_positions" => named("int4[]"),
        "generate_series" => match args.first() {
            Some(t @ Ty::Named(n)) if n.starts_with("timestamp") => t.clone(),
            Some(Ty::Named(n)) if n == "date" => named("timestamptz"),
            Some(_) => Ty::Common(args.iter().take(2).cloned().collect()),
            None => Ty::Unknown,
        },
        _ => match fixed_function_type(name) {
            Some(t) => named(t),
            None => Ty::Routine {
                name: name.to_string(),
                nargs: args.len(),
            },
        },
    }
}

/// An ordered-set aggregate's result type (`percentile_disc(f) WITHIN GROUP (ORDER BY
/// x)`: x's type), from whether its fraction is an array and its sort keys' types.
pub(super) fn ordered_set_type(name: &str, array: bool, keys: &[Ty]) -> Option<Ty> {
    let key = || Box::new(keys.first().cloned().unwrap_or(Ty::Unknown));
    let of_array = |t: Ty| {
        if array {
            Ty::Of(Follow::ArrayOf, Box::new(t))
        } else {
            t
        }
    };
    Some(match name {
        "percentile_cont" => of_array(Ty::Named("float8".into())),
        "percentile_disc" => of_array(Ty::Of(Follow::Bare, key())),
        "mode" => Ty::Of(Follow::Bare, key()),
        _ => return None,
    })
}

pub(super) fn fixed_function_type(name: &str) -> Option<&'static str> {
    Some(match name {
        "count"
        | "row_number"
        | "rank"
        | "dense_rank"
        | "pg_table_size"
        | "pg_relation_size"
        | "pg_total_relation_size"
        | "pg_database_size"
        | "nextval"
        | "currval"
        | "lastval"
        | "setval"
        | "bit_count" => "int8",
        "ntile"
        | "length"
        | "char_length"
        | "character_length"
        | "octet_length"
        | "bit_length"
        | "strpos"
        | "ascii"
        | "array_length"
        | "array_upper"
        | "array_lower"
        | "array_ndims"
        | "cardinality"
        | "array_position"
        | "pg_backend_pid"
        | "generate_subscripts"
        | "jsonb_array_length"
        | "json_array_length"
        | "width_bucket"
        | "regexp_count"
        | "num_nulls"
        | "num_nonnulls"
        | "regexp_instr"
        | "get_bit"
        | "get_byte"
        | "hashint4"
        | "hashint8"
        | "interval_hash"
        | "scale"
        | "min_scale" => "int4",
        "percent_rank" | "cume_dist" | "random" | "date_part" | "pi" | "degrees" | "radians"
        | "sin" | "cos" | "tan" | "asin" | "acos" | "atan" | "atan2" | "cot" | "sind" | "cosd"
        | "tand" | "cotd" | "asind" | "acosd" | "atand" | "atan2d" | "sinh" | "cosh" | "tanh"
        | "asinh" | "acosh" | "atanh" => "float8",
        "div" | "trim_scale" => "numeric",
        "lower"
        | "upper"
        | "btrim"
        | "ltrim"
        | "rtrim"
        | "substr"
        | "substring"
        | "pg_substring_similar"
        | "replace"
        | "concat"
        | "concat_ws"
        | "format"
        | "repeat"
        | "lpad"
        | "rpad"
        | "md5"
        | "similar_to_escape"
        | "left"
        | "right"
        | "reverse"
        | "initcap"
        | "unistr"
        | "split_part"
        | "translate"
        | "to_char"
        | "quote_ident"
        | "textcat"
        | "quote_literal"
        | "quote_nullable"
        | "regexp_replace"
        | "regexp_substr"
        | "chr"
        | "version"
        | "current_setting"
        | "set_config"
        | "array_to_string"
        | "array_dims"
        | "encode"
        | "to_hex"
        | "format_type"
        | "pg_get_expr"
        | "pg_get_indexdef"
        | "pg_get_constraintdef"
        | "pg_get_viewdef"
        | "obj_description"
        | "col_description"
        | "jsonb_typeof"
        | "json_typeof"
        | "jsonb_pretty"
        | "json_extract_path_text"
        | "jsonb_extract_path_text"
        | "pg_size_pretty"
        | "sqlite_version"
        | "typeof"
        | "group_concat"
        | "inet_client_addr" => "text",
        "current_database" | "current_schema" | "current_user" | "session_user"
        | "current_catalog" | "current_role" => "name",
        "now"
        | "statement_timestamp"
        | "transaction_timestamp"
        | "clock_timestamp"
        | "to_timestamp"
        | "make_timestamptz"
        | "pg_last_xact_replay_timestamp" => "timestamptz",
        "make_timestamp" => "timestamp",
        "to_date" | "make_date" => "date",
        "make_time" => "time",
        "age" | "make_interval" | "justify_days" | "justify_hours" | "justify_interval" => {
            "interval"
        }
        "bool_and"
        | "bool_or"
        | "every"
        | "has_table_privilege"
        | "has_schema_privilege"
        | "pg_try_advisory_lock"
        | "pg_advisory_unlock"
        | "has_database_privilege"
        | "pg_table_is_visible"
        | "pg_type_is_visible"
        | "starts_with"
        | "regexp_like"
        | "isfinite"
        | "booleq"
        | "boolne"
        | "jsonb_exists"
        | "jsonb_exists_any"
        | "jsonb_exists_all"
        | "jsonb_contains"
        | "jsonb_contained"
        | "jsonb_path_exists"
        | "jsonb_path_match"
        | "jsonb_path_exists_tz"
        | "jsonb_path_match_tz"
        | "pg_is_in_recovery" => "bool",
        "gen_random_uuid" | "uuid_generate_v4" => "uuid",
        "json_agg" | "json_build_object" | "json_build_array" | "to_json" | "json_object_agg"
        | "array_to_json" | "row_to_json" | "json_object" | "json_extract_path"
        // row_to_json(r) of a whole row, as json.rs rewrites it first.
        | "pg_row_to_json" => "json",
        "jsonb_agg"
        | "jsonb_build_object"
        | "jsonb_build_array"
        | "to_jsonb"
        | "jsonb_object_agg"
        | "jsonb_set"
        | "jsonb_insert"
        | "jsonb_strip_nulls"
        | "jsonb_extract_path"
        | "jsonb_object"
        | "jsonb_path_query_first"
        | "jsonb_path_query_array"
        | "jsonb_path_query"
        | "jsonb_path_query_tz"
        | "jsonb_path_query_array_tz"
        | "jsonb_path_query_first_tz"
        | "jsonb_delete"
        | "jsonb_delete_path"
        | "jsonb_concat"
        | "jsonb_set_lax" => "jsonb",
        "decode" | "sha224" | "sha256" | "sha384" | "sha512" | "set_bit" | "set_byte" => "bytea",
        "to_number" => "numeric",
        _ => return None,
    })
}
