//! SQL functions PostgreSQL clients call that SQLite lacks, registered on every
//! connection: `version()`, `current_database()`, `current_schema()`, `current_user`,
//! `pg_backend_pid()`, `now()`, and the helpers the SQL rewriter uses for casts.

use std::sync::{Arc, Mutex};

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, Error};

use crate::protocol::{PgError, SqlState};

use super::datetime;
use super::error::raise;
use super::input;
use super::types::oid;

/// Who is running statements on a connection right now (set before each statement).
#[derive(Debug, Default)]
pub struct SessionInfo {
    pub pid: i32,
    pub user: Arc<str>,
    /// A handle on this connection whose statement cache keeps the statement nextval
    /// runs per row (engine/objects), compiled once; emptied before the connection
    /// closes (`Conn`'s Drop), as SQLite will not close with statements alive.
    pub nested: Option<Connection>,
    /// The running statement's session's prepared statements, as JSON, when the
    /// statement reads `pg_prepared_statements` (`Job::prepared`).
    pub prepared: Option<Arc<str>>,
    /// The running statement's session's parameters, as JSON (name, setting), when
    /// the statement reads `pg_settings`.
    pub settings: Option<Arc<str>>,
}

pub type SharedSession = Arc<Mutex<SessionInfo>>;

fn version() -> String {
    format!(
        "PostgreSQL {} (litewire {}, SQLite {}) on {}-linux, 64-bit",
        crate::server::server_version(),
        env!("CARGO_PKG_VERSION"),
        rusqlite::version(),
        std::env::consts::ARCH,
    )
}

/// `acldefault(kind, owner)`: the privileges PostgreSQL 15 gives an object of `kind`
/// before any GRANT (its owner's, and PUBLIC's where PostgreSQL grants some), as the
/// text of an aclitem[]; every object here is owned by the session's user.
fn acl_default(kind: &str, owner: &str) -> Option<String> {
    let (owner_privs, public) = match kind {
        "c" => return Some("[]".into()),
        "r" => ("arwdDxt", None),
        "s" => ("rwU", None),
        "d" => ("CTc", Some("Tc")),
        "f" => ("X", Some("X")),
        "l" => ("U", Some("U")),
        "L" => ("rw", None),
        "n" => ("UC", None),
        "t" => ("C", None),
        "F" | "S" => ("U", None),
        "T" => ("U", Some("U")),
        _ => return None,
    };
    use super::array::push_json_string;
    let mut out = String::from("[");
    if let Some(p) = public {
        push_json_string(&mut out, &format!("={p}/{owner}"));
        out.push(',');
    }
    push_json_string(&mut out, &format!("{owner}={owner_privs}/{owner}"));
    out.push(']');
    Some(out)
}

fn user_error(msg: &str) -> Error {
    Error::UserFunctionError(msg.into())
}

/// The collation of numeric columns (translate/mod.rs declares them with it).
pub const NUMERIC_COLLATION: &str = crate::sql::translate::NUMERIC_COLLATION;

/// Registers the functions; `session` tells them who the current session is.
pub fn register(conn: &Connection, database: &str, session: SharedSession) -> rusqlite::Result<()> {
    // Innocuous (no side effects): usable in a table's DEFAULT or CHECK, as in PostgreSQL.
    let pure = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    let volatile = FunctionFlags::SQLITE_UTF8;
    // numeric columns compare their stored text as numbers (pgfuncs/decimal.rs).
    conn.create_collation(NUMERIC_COLLATION, super::pgfuncs::decimal::collate)?;
    conn.create_scalar_function("version", 0, pure, |_| Ok(version()))?;
    let db = database.to_string();
    conn.create_scalar_function("current_database", 0, pure, move |_| Ok(db.clone()))?;
    // The last transaction a standby's follower applied; NULL on a primary.
    let replayed = database.to_string();
    let standby = super::standby::is_standby();
    conn.create_scalar_function("pg_last_xact_replay_timestamp", 0, volatile, move |_| {
        Ok(standby
            .then(|| super::standby::replay_micros(&replayed))
            .flatten()
            .map(|us| datetime::format_timestamp_micros(us, true)))
    })?;
    let db = database.to_string();
    conn.create_scalar_function("current_catalog", 0, pure, move |_| Ok(db.clone()))?;
    conn.create_scalar_function("current_schema", 0, pure, |_| Ok("public"))?;
    for name in ["current_user", "session_user", "current_role"] {
        let s = session.clone();
        conn.create_scalar_function(name, 0, volatile, move |_| {
            Ok(s.lock().map(|i| i.user.to_string()).unwrap_or_default())
        })?;
    }
    super::advisory::register(conn, database, session.clone())?;
    let s = session;
    conn.create_scalar_function("pg_backend_pid", 0, volatile, move |_| {
        Ok(s.lock().map(|i| i.pid).unwrap_or(0))
    })?;
    // `DEFAULT now()` is the most common default there is.
    let innocuous = volatile | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function("now", 0, innocuous, |_| Ok(chrono_free_now()))?;
    conn.create_scalar_function("pg_clock_timestamp", 0, innocuous, |_| {
        Ok(datetime::format_timestamp_micros(
            datetime::clock_micros(),
            true,
        ))
    })?;
    conn.create_scalar_function("pg_bool", 1, pure, pg_bool)?;
    // text || text as a function (strict): an index on textcat(a, b) keeps its name.
    conn.create_scalar_function("textcat", 2, pure, |ctx| {
        let text = |i: usize| -> rusqlite::Result<Option<String>> {
            Ok(match ctx.get_raw(i) {
                ValueRef::Null => None,
                ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Integer(n) => Some(n.to_string()),
                ValueRef::Real(f) => Some(f.to_string()),
                ValueRef::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
            })
        };
        Ok(text(0)?.zip(text(1)?).map(|(a, b)| a + &b))
    })?;
    conn.create_scalar_function("pg_char", 1, pure, pg_char)?;
    conn.create_scalar_function("pg_interval", 1, pure, |ctx| {
        datetime_cast(ctx, "interval", |s| {
            datetime::parse_interval(s).map(datetime::format_interval)
        })
    })?;
    // `interval '1 2:03' day to hour`, `x::interval(0)`: read with the type's fields,
    // then cut to them and to the seconds precision (-1: none).
    conn.create_scalar_function("pg_interval", 3, pure, |ctx| {
        let fields: String = ctx.get(1)?;
        let precision: i64 = ctx.get(2)?;
        let range = datetime::IntervalRange::from_fields(&fields)
            .ok_or_else(|| user_error(&format!("invalid interval fields: {fields}")))?;
        let precision = u32::try_from(precision).ok();
        datetime_cast(ctx, "interval", |s| {
            datetime::interval_in(s, range)
                .map(|iv| datetime::adjust_interval(iv, range, precision))
                .map(datetime::format_interval)
        })
    })?;
    conn.create_scalar_function("pg_timestamptz", 1, pure, |ctx| {
        datetime_cast(ctx, "timestamp with time zone", |s| {
            datetime::timestamp_in(s, true).map(|t| datetime::format_timestamp_micros(t, true))
        })
    })?;
    conn.create_scalar_function("pg_timestamp", 1, pure, |ctx| {
        datetime_cast(ctx, "timestamp", |s| {
            datetime::timestamp_in(s, false).map(|t| datetime::format_timestamp_micros(t, false))
        })
    })?;
    conn.create_scalar_function("pg_date", 1, pure, |ctx| {
        datetime_cast(ctx, "date", |s| {
            datetime::date_in(s).map(datetime::format_date)
        })
    })?;
    // A value cast to timestamp, date or time: a timestamptz becomes its local time in
    // the session's zone (datetime::session_local_of_stored); anything else is kept.
    conn.create_scalar_function("pg_local", 1, pure, |ctx| {
        let value = ctx.get_raw(0);
        if let ValueRef::Text(t) = value {
            let local = std::str::from_utf8(t)
                .ok()
                .and_then(datetime::session_local_of_stored);
            if let Some(local) = local {
                return Ok(SqlValue::Text(datetime::format_timestamp_micros(
                    local, false,
                )));
            }
        }
        Ok(owned(value))
    })?;
    conn.create_scalar_function("pg_cast", 2, pure, pg_cast)?;
    conn.create_scalar_function("pg_store", 3, pure, pg_store)?;
    conn.create_scalar_function("pg_store", 4, pure, pg_store)?;
    // A decimal literal written into a column (sql/translate/store.rs): its text for a
    // numeric column, which keeps the written scale (`7.00`, which the double 7 would
    // store as 7.0); the number for any other column.
    conn.create_scalar_function("pg_decimal_for", 3, pure, |ctx| {
        let (type_oid, _) = column_type(ctx, 1, 2)?;
        let text: String = ctx.get(0)?;
        use super::pgfuncs::decimal::Num;
        // Text columns too: numeric's output is what the assignment cast writes there.
        if matches!(
            type_oid,
            oid::NUMERIC | oid::TEXT | oid::VARCHAR | oid::BPCHAR
        ) {
            if let Some(n) = Num::parse(&text) {
                return Ok(SqlValue::Text(n.to_string()));
            }
        }
        // An integer column: numeric's cast rounds half away from zero (7.5 is 8); the
        // column's own check refuses what its type cannot hold.
        if matches!(type_oid, oid::INT2 | oid::INT4 | oid::INT8) {
            if let Some(Num::Fin(d)) = Num::parse(&text) {
                return d.to_i64().map(SqlValue::Integer).ok_or_else(|| {
                    raise(PgError::new(
                        SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
                        "bigint out of range",
                    ))
                });
            }
        }
        Ok(text
            .parse::<f64>()
            .map_or(SqlValue::Text(text), SqlValue::Real))
    })?;
    conn.create_scalar_function("pg_subscript_assign", -1, pure, super::subscript::assign)?;
    conn.create_scalar_function(
        "pg_subscript_assign_slice",
        -1,
        pure,
        super::subscript::assign_slice,
    )?;
    conn.create_scalar_function("pg_array_slice", -1, pure, |ctx| super::slice::read(ctx))?;
    conn.create_scalar_function("pg_array_get", -1, pure, |ctx| super::slice::element(ctx))?;
    conn.create_scalar_function("pg_bytea", 1, pure, pg_bytea)?;
    conn.create_scalar_function("pg_float", 1, pure, pg_float)?;
    super::jsonb::register(conn)?;
    super::dml::register(conn)?;
    super::subquery::register(conn)?;
    Ok(())
}

/// The SQL name of type `oid`: a built-in type, an enum or a composite type
/// (engine/objects).
fn type_name(ctx: &Context<'_>, oid: i64, typmod: i64) -> rusqlite::Result<Option<String>> {
    if let Some(name) = super::catalog::format_type(oid as u32, typmod as i32) {
        return Ok(Some(name));
    }
    // SAFETY: the connection running this statement: one nested read.
    let conn = unsafe { ctx.get_connection()? };
    if let Some(name) = super::objects::enum_name(&conn, oid)? {
        return Ok(Some(name));
    }
    match super::objects::composite_name(&conn, oid)? {
        Some(name) => Ok(Some(name)),
        // A table's or view's row type, or its array type.
        None => super::catalog::row_types::name_of(&conn, oid),
    }
}

/// The OID of the type a client names: a built-in type, an enum or a composite type
/// (`public.` optional).
fn regtype_oid(ctx: &Context<'_>, name: &str) -> rusqlite::Result<Option<u32>> {
    if let Some(oid) = super::catalog::to_regtype(name) {
        return Ok(Some(oid));
    }
    // `"pg_catalog"."int4"`, as TypeORM builds it from udt_schema and udt_name.
    let bare = name.replace('"', "");
    let bare = bare.trim();
    let builtin = bare
        .strip_prefix("pg_catalog.")
        .and_then(super::catalog::to_regtype);
    if builtin.is_some() {
        return Ok(builtin);
    }
    let (base, array) = match name.trim().strip_suffix("[]") {
        Some(b) => (b.trim_end(), "[]"),
        None => (name, ""),
    };
    let Some(base) = super::objects::relation_name(base) else {
        return Ok(None);
    };
    // SAFETY: as in `type_name`.
    let conn = unsafe { ctx.get_connection()? };
    if array.is_empty() {
        if let Some(oid) = super::objects::enum_oid(&conn, &base)? {
            return Ok(Some(oid));
        }
        if let Some(oid) = super::objects::composite_oid(&conn, &base)? {
            return Ok(Some(oid));
        }
    }
    // A table's or view's row type, or its array type (`t[]`, `_t`).
    super::catalog::row_types::oid_of(&conn, &format!("{base}{array}"))
}

/// The functions catalog queries call (see `catalog/`), regexes, array helpers and
/// PostgreSQL's date/time and string functions (`pgfuncs/`).
/// Registered with the catalog tables, on a connection's first statement that needs
/// one of them: each registered function costs every connection memory. Objects here
/// are always visible, owned by the connecting user, and have no comments.
pub fn register_catalog(conn: &Connection, session: SharedSession) -> rusqlite::Result<()> {
    let pure = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    let session_user = session.clone();
    // Sequences, enums, comments (objects/).
    super::objects::register(conn, session.clone())?;
    let prepared = session.clone();
    conn.create_scalar_function(
        "litewire_prepared_statements",
        0,
        FunctionFlags::SQLITE_UTF8,
        move |_| {
            Ok(prepared
                .lock()
                .ok()
                .and_then(|i| i.prepared.as_deref().map(str::to_string))
                .unwrap_or_else(|| "[]".into()))
        },
    )?;
    let settings = session.clone();
    conn.create_scalar_function(
        "litewire_settings",
        0,
        FunctionFlags::SQLITE_UTF8,
        move |_| {
            Ok(settings
                .lock()
                .ok()
                .and_then(|i| i.settings.as_deref().map(str::to_string))
                .unwrap_or_else(|| "[]".into()))
        },
    )?;
    conn.create_scalar_function(
        "pg_get_userbyid",
        1,
        FunctionFlags::SQLITE_UTF8,
        move |ctx| {
            if ctx.get::<Option<i64>>(0).ok().flatten() == Some(super::catalog::DATABASE_OWNER) {
                return Ok("pg_database_owner".to_string());
            }
            Ok(session
                .lock()
                .map(|i| i.user.to_string())
                .unwrap_or_default())
        },
    )?;
    conn.create_scalar_function("regexp", 2, pure, regexp)?;
    super::pgfuncs::register(conn)?;
    super::jsonb::register_rare(conn)?;
    super::explain::register(conn)?;
    conn.create_scalar_function("pg_table_is_visible", 1, pure, table_is_visible)?;
    for name in [
        "pg_type_is_visible",
        "pg_function_is_visible",
        "pg_collation_is_visible",
    ] {
        conn.create_scalar_function(name, 1, pure, |_| Ok(1))?;
    }
    conn.create_scalar_function("has_schema_privilege", 2, pure, has_schema_privilege)?;
    conn.create_scalar_function("has_schema_privilege", 3, pure, has_schema_privilege)?;
    conn.create_scalar_function("shobj_description", 2, pure, |_| Ok(None::<String>))?;
    for (name, args) in [
        ("pg_get_statisticsobjdef_columns", 1),
        ("pg_get_triggerdef", 1),
        ("pg_get_triggerdef", 2),
    ] {
        conn.create_scalar_function(name, args, pure, |_| Ok(None::<String>))?;
    }
    // `x[i]` of a `name` (compare.rs): its byte i, from 0, as a "char"; NULL past the end.
    conn.create_scalar_function("pg_name_get", 3, pure, |ctx| {
        let name: Option<String> = ctx.get(0)?;
        let at: Option<i64> = ctx.get(2)?;
        Ok(match (name, at) {
            (Some(n), Some(i)) if i >= 0 => n
                .as_bytes()
                .get(i as usize)
                .map(|b| char::from(*b).to_string()),
            _ => None,
        })
    })?;
    // The names a view's query mentions (identifiers, unquoted), as a JSON array: the
    // tables and views among them are what its `_RETURN` rule depends on (pg_depend).
    conn.create_scalar_function("litewire_named_objects", 1, pure, |ctx| {
        use crate::sql::lexer::{significant, TokenKind};
        let sql: String = ctx.get::<Option<String>>(0)?.unwrap_or_default();
        let mut out = String::from("[");
        for t in significant(&sql) {
            let text = &sql[t.start..t.end];
            let name = match t.kind {
                TokenKind::Word => text.to_string(),
                TokenKind::Quoted if text.starts_with('"') => {
                    text.trim_matches('"').replace("\"\"", "\"")
                }
                _ => continue,
            };
            if out.len() > 1 {
                out.push(',');
            }
            super::array::push_json_string(&mut out, &name);
        }
        out.push(']');
        Ok(out)
    })?;
    // True on a hot standby (--replica-of), whose files Litestream followers write.
    let standby = super::standby::is_standby();
    conn.create_scalar_function("pg_is_in_recovery", 0, pure, move |_| Ok(standby))?;

    let acl_session = session_user.clone();
    conn.create_scalar_function("acldefault", 2, FunctionFlags::SQLITE_UTF8, move |ctx| {
        let kind: Option<String> = ctx.get(0)?;
        let owner = if ctx.get::<Option<i64>>(1)? == Some(super::catalog::DATABASE_OWNER) {
            "pg_database_owner".to_string()
        } else {
            acl_session
                .lock()
                .map(|i| i.user.to_string())
                .unwrap_or_default()
        };
        Ok(kind.and_then(|k| acl_default(&k, &owner)))
    })?;
    // set_config with a name or value known only when the statement runs: the
    // translator answers literal calls from the session (translate/mod.rs), which a
    // SQLite function cannot reach; refused when a row would call it.
    conn.create_scalar_function("set_config", 3, FunctionFlags::SQLITE_UTF8, |_| {
        Err::<String, _>(raise(PgError::new(
            SqlState::FEATURE_NOT_SUPPORTED,
            "set_config with a name or value taken from a query is not supported by litewire",
        )))
    })?;
    conn.create_scalar_function("pg_relation_is_publishable", 1, pure, |_| Ok(0))?;
    // No partitioning: a relation is its only ancestor (a JSON array, see sql/arrays.rs).
    conn.create_scalar_function("pg_partition_ancestors", 1, pure, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Integer(oid) => Some(format!("[{oid}]")),
            // psql passes the OID as a string literal.
            ValueRef::Text(t) => String::from_utf8_lossy(t)
                .trim()
                .parse::<i64>()
                .ok()
                .map(|oid| format!("[{oid}]")),
            _ => None,
        })
    })?;
    conn.create_scalar_function("current_schemas", 1, pure, |ctx| {
        Ok(if ctx.get::<bool>(0)? {
            r#"["pg_catalog","public"]"#
        } else {
            r#"["public"]"#
        })
    })?;
    super::srf::register(conn)?;
    // `x::regnamespace`: the schema's name.
    conn.create_scalar_function("pg_regnamespace", 1, pure, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Integer(11) => SqlValue::Text("pg_catalog".into()),
            ValueRef::Integer(2200) => SqlValue::Text("public".into()),
            ValueRef::Integer(13000) => SqlValue::Text("information_schema".into()),
            ValueRef::Integer(super::catalog::PG_TEMP) => {
                SqlValue::Text(super::catalog::PG_TEMP_NAME.into())
            }
            ValueRef::Integer(o) => SqlValue::Text(
                nested_value(
                    ctx,
                    &format!(
                        "SELECT name FROM main.{}schemas WHERE rowid = ?1",
                        super::objects::PREFIX
                    ),
                    [o - super::objects::schemas::SCHEMA_OID],
                )?
                .unwrap_or_else(|| o.to_string()),
            ),
            ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
            _ => SqlValue::Null,
        })
    })?;
    conn.create_scalar_function("pg_encoding_to_char", 1, pure, |_| Ok("UTF8"))?;
    super::database_functions::register(conn)?;
    // A column default is stored as its SQL text already.
    for args in [2, 3] {
        conn.create_scalar_function("pg_get_expr", args, pure, |ctx| {
            ctx.get::<Option<String>>(0)
        })?;
    }
    // pg_attrdef's text of a default: the stored text, with the casts PostgreSQL's
    // deparser shows in its commonest forms.
    conn.create_scalar_function("pg_default_text", 2, pure, |ctx| {
        let default: Option<String> = ctx.get(0)?;
        let decl: String = ctx.get::<Option<String>>(1)?.unwrap_or_default();
        Ok(default.map(|d| super::catalog::defaults::default_text(&d, &decl)))
    })?;
    conn.create_scalar_function("to_regtype", 1, pure, |ctx| {
        match ctx.get::<Option<String>>(0)? {
            Some(n) => regtype_oid(ctx, &n),
            None => Ok(None),
        }
    })?;
    conn.create_scalar_function("format_type", 2, pure, |ctx| {
        let oid: Option<i64> = ctx.get(0)?;
        let typmod: Option<i64> = ctx.get(1)?;
        Ok(match oid {
            Some(o) => {
                Some(type_name(ctx, o, typmod.unwrap_or(-1))?.unwrap_or_else(|| "???".into()))
            }
            None => None,
        })
    })?;
    // `x::regtype`: an OID shows as its name, a name (or digits) becomes the OID.
    conn.create_scalar_function("pg_regtype", 1, pure, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Integer(o) => SqlValue::Text(type_name(ctx, o, -1)?.unwrap_or(o.to_string())),
            ValueRef::Text(t) => {
                let s = String::from_utf8_lossy(t).into_owned();
                match s.trim().parse::<i64>() {
                    Ok(o) => SqlValue::Integer(o),
                    Err(_) => match regtype_oid(ctx, &s)? {
                        Some(o) => SqlValue::Integer(o.into()),
                        None => {
                            return Err(raise(PgError::new(
                                SqlState::UNDEFINED_OBJECT,
                                format!("type \"{}\" does not exist", s.trim()),
                            )))
                        }
                    },
                }
            }
            _ => SqlValue::Null,
        })
    })?;
    // `current_setting(x)` of a name no parameter has (translate/mod.rs): 42704, or NULL
    // with missing_ok.
    conn.create_scalar_function("pg_unknown_setting", 2, pure, |ctx| {
        let name: String = ctx.get::<Option<String>>(0)?.unwrap_or_default();
        let missing_ok: bool = ctx.get::<Option<bool>>(1)?.unwrap_or(false);
        if missing_ok {
            return Ok(None::<String>);
        }
        Err(super::error::raise(PgError::new(
            SqlState::UNDEFINED_PARAMETER,
            format!("unrecognized configuration parameter \"{name}\""),
        )))
    })?;
    // Definitions kept in the catalog tables' hidden columns (catalog/tables.rs).
    for args in [1, 2] {
        conn.create_scalar_function("pg_get_constraintdef", args, pure, |ctx| {
            catalog_lookup(ctx, "select condef from pg_constraint where oid = ?1")
        })?;
    }
    // A view's query as pg_views shows it (the text SQLite keeps, not PostgreSQL's
    // rendering); the second argument (pretty) changes nothing.
    for args in [1, 2] {
        conn.create_scalar_function("pg_get_viewdef", args, pure, |ctx| {
            catalog_lookup(
                ctx,
                "select v.definition from pg_views v join pg_class c on c.relname = v.viewname \
                 where c.oid = ?1 and c.relkind = 'v'",
            )
        })?;
    }
    for args in [1, 3] {
        conn.create_scalar_function("pg_get_indexdef", args, pure, |ctx| {
            let column: i64 = if ctx.len() == 3 { ctx.get(1)? } else { 0 };
            let def = catalog_lookup(ctx, "select indexdef from pg_index where indexrelid = ?1")?;
            // Column k > 0: that key column's name alone.
            Ok(match (column, def) {
                (0, def) => def,
                (k, Some(def)) => def
                    .rsplit_once('(')
                    .and_then(|(_, cols)| {
                        cols.trim_end_matches(')').split(", ").nth(k as usize - 1)
                    })
                    .map(str::to_string),
                (_, None) => None,
            })
        })?;
    }
    // `x::regclass`: an OID shows as the relation's name, a name becomes its OID.
    conn.create_scalar_function("pg_regclass", 1, pure, pg_regclass)?;
    // `x::regproc`: an OID shows as the function's name, a name becomes its OID.
    conn.create_scalar_function("pg_regproc", 1, pure, pg_regproc)?;
    // `x = ANY(e)`: arrays are JSON text; a text-format literal `{a,b}` is converted.
    conn.create_scalar_function("pg_array_json", 1, pure, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Null => None,
            ValueRef::Text(t) => {
                let s = String::from_utf8_lossy(t);
                // The elements only: bounds do not matter to ANY/ALL.
                let stored = if !super::array::is_json(&s) {
                    super::array::text_to_json(&s, 0).map_err(raise)?
                } else {
                    s.into_owned()
                };
                Some(super::array::json_part(&stored).to_string())
            }
            _ => {
                return Err(user_error(
                    "op ANY/ALL (array) requires array on right side",
                ))
            }
        })
    })?;
    // The type of a declared column type, as pg_attribute reports it.
    conn.create_scalar_function("pg_decltype", 2, pure, |ctx| {
        let decl: String = ctx.get::<Option<String>>(0)?.unwrap_or_default();
        let what: String = ctx.get(1)?;
        let t = super::types::from_decltype(&decl);
        Ok(match what.as_str() {
            "oid" => i64::from(t.oid),
            "len" => i64::from(t.size),
            _ => i64::from(t.modifier),
        })
    })?;
    Ok(())
}

/// (name, declared type) of each column of table `table` (a catalog table's from its
/// definition), read on the connection running the current statement; None if there is
/// no such table.
pub(super) fn live_columns(
    ctx: &Context<'_>,
    table: &str,
) -> rusqlite::Result<Option<Vec<(String, String)>>> {
    // SAFETY: as in `nested_value`: the connection running this very statement, one
    // nested read on this thread while the function runs.
    let conn = unsafe { ctx.get_connection()? };
    let mut q = conn.prepare("select name, type from pragma_table_info(?1)")?;
    let columns = q
        .query_map([table], |r| {
            Ok((
                r.get(0)?,
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            ))
        })?
        .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
    if columns.is_empty() {
        return Ok(super::catalog::columns(table));
    }
    Ok(Some(columns))
}

/// `pg_sleep(seconds)`: waits in short slices until the time is up or the statement is
/// interrupted (statement_timeout, a cancel request, shutdown: SQLite then fails the
/// statement with 57014), so a sleeping statement holds nothing past its limits.
/// Returns PostgreSQL's `void`, which prints as an empty string.
pub(super) fn pg_sleep(ctx: &Context<'_>) -> rusqlite::Result<SqlValue> {
    use std::time::{Duration, Instant};
    let seconds = ctx.get::<Option<f64>>(0)?.unwrap_or(0.0);
    let end = Instant::now() + Duration::from_secs_f64(seconds.clamp(0.0, 1e9));
    // SAFETY: as in `nested_value`: the connection running this very statement, only
    // asked whether it was interrupted.
    let conn = unsafe { ctx.get_connection()? };
    while !conn.is_interrupted() {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        std::thread::sleep(left.min(Duration::from_millis(10)));
    }
    Ok(SqlValue::Text(String::new()))
}

/// One value read by a nested query on the connection running the current statement;
/// None when there is no row (or no catalog table yet: it is registered on first use).
pub(super) fn nested_value<T: rusqlite::types::FromSql>(
    ctx: &Context<'_>,
    query: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<Option<T>> {
    // SAFETY: the handle is the connection running this very statement, used on this
    // thread for one nested read while the function runs (litewire's only unsafe outside
    // stmt.rs besides the catalog scans).
    let conn = unsafe { ctx.get_connection()? };
    match conn.query_row(query, params, |r| r.get::<_, T>(0)) {
        Ok(v) => Ok(Some(v)),
        Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
        Err(e) if e.to_string().contains("no such table") => Ok(None),
        Err(e) => Err(e),
    }
}

/// The declared type of `table.column` as SQLite's loaded schema has it, read without
/// preparing a statement: pg_store and pg_op ask once per execution of every statement
/// that writes or computes on a column, and a nested `pragma_table_info` query there cost
/// pgbench's TPC-B a third of its throughput. `Some(None)`: the column has no declared
/// type. None: `table` is not a table of the connection (a view, a catalog) or has no such
/// column, so the caller asks a query.
pub(super) fn declared_type(
    ctx: &Context<'_>,
    table: &str,
    column: &str,
) -> Option<Option<String>> {
    use std::ffi::{c_char, CStr, CString};
    let (table, column) = (CString::new(table).ok()?, CString::new(column).ok()?);
    // SAFETY: as in `nested_value`: the connection running this very statement, on this
    // thread. sqlite3_table_column_metadata reads the schema already loaded; the type
    // string it returns lives until the next SQLite call and is copied before that.
    let conn = unsafe { ctx.get_connection() }.ok()?;
    let mut decl: *const c_char = std::ptr::null();
    let rc = unsafe {
        rusqlite::ffi::sqlite3_table_column_metadata(
            conn.handle(),
            std::ptr::null(),
            table.as_ptr(),
            column.as_ptr(),
            &mut decl,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    if rc != rusqlite::ffi::SQLITE_OK {
        return None;
    }
    let decl = (!decl.is_null())
        .then(|| {
            unsafe { CStr::from_ptr(decl) }
                .to_string_lossy()
                .into_owned()
        })
        .filter(|d| !d.is_empty());
    Some(decl)
}

/// The type (OID, typmod) of the column named by arguments `table` and `column` (a name,
/// or the 0-based position), looked up once per statement (SQLite keeps it with the
/// constant arguments).
pub(super) fn column_type(
    ctx: &Context<'_>,
    table: usize,
    column: usize,
) -> rusqlite::Result<(u32, i32)> {
    Ok(
        *ctx.get_or_create_aux(column as i32, |value| -> rusqlite::Result<(u32, i32)> {
            let table: String = ctx.get(table)?;
            let decl: Option<Option<String>> = match value {
                ValueRef::Integer(i) => nested_value(
                    ctx,
                    "select type from pragma_table_info(?1) order by cid limit 1 offset ?2",
                    (table, i),
                )?,
                _ => {
                    let name: String = ctx.get(column)?;
                    match declared_type(ctx, &table, &name) {
                        Some(decl) => Some(decl),
                        None => nested_value(
                            ctx,
                            "select type from pragma_table_info(?1) where name = ?2 collate nocase",
                            (table, name),
                        )?,
                    }
                }
            };
            // SAFETY: the connection running this statement: one nested read.
            let conn = unsafe { ctx.get_connection()? };
            Ok(decl.flatten().map_or((0, -1), |d| {
                let t = super::objects::declared_type(&conn, &d);
                (t.oid, t.modifier)
            }))
        })?,
    )
}

/// `pg_store(value, 'table', column)`: a string literal written into a column
/// (`INSERT … VALUES`, `UPDATE … SET`), read with the column's PostgreSQL input rules as a
/// Bind parameter of that type is, so that what PostgreSQL refuses is refused and what it
/// accepts is stored in the same form (`' 34 '` into an int2 is 34, `'1e2'` is 22P02).
/// `column` is a name, or the 0-based position when the INSERT names no columns. The
/// declared type is looked up once per statement (SQLite keeps it with the constant
/// arguments).
fn pg_store(ctx: &mut Context<'_>) -> rusqlite::Result<SqlValue> {
    let (type_oid, modifier) = column_type(ctx, 1, 2)?;
    if type_oid == oid::NUMERIC && modifier >= 4 {
        // A numeric(p,s) value is stored at its scale, as PostgreSQL stores it (22003
        // when it does not fit); text that is no number is the input's error below.
        use super::pgfuncs::decimal::{of_value, Num};
        let v = ctx.get_raw(0);
        let n = match v {
            ValueRef::Text(t) => std::str::from_utf8(t).ok().and_then(Num::parse),
            other => of_value(other),
        };
        if let Some(n) = n {
            let (precision, scale) = super::pgfuncs::decimal::typmod_parts(modifier);
            return n
                .with_typmod(precision, scale)
                .map(|n| SqlValue::Text(n.to_string()))
                .map_err(raise);
        }
    }
    if ctx.len() == 4 {
        // An assigned (computed) value: a stored timestamptz into a local date/time
        // column is read as its local time; anything else is kept as it is.
        return match ctx.get_raw(0) {
            ValueRef::Text(t)
                if matches!(type_oid, oid::TIMESTAMP | oid::DATE | oid::TIME)
                    && t.ends_with(b"+00:00") =>
            {
                let text = String::from_utf8_lossy(t);
                let local = match datetime::session_local_of_stored(&text) {
                    Some(local) => datetime::format_timestamp_micros(local, false),
                    None => text.trim_end_matches("+00:00").to_string(),
                };
                Ok(with_precision(
                    stored(input::decode(type_oid, false, Some(local.as_bytes())).map_err(raise)?),
                    type_oid,
                    modifier,
                ))
            }
            other => Ok(with_precision(owned(other), type_oid, modifier)),
        };
    }
    match ctx.get_raw(0) {
        ValueRef::Text(t) => store_literal(type_oid, modifier, t).map_err(raise),
        // A float8 stored into a float4 column is rounded to float4 (22003 past its range).
        ValueRef::Real(f) if type_oid == oid::FLOAT4 => {
            Ok(SqlValue::Real(input::to_float4(f).map_err(raise)?))
        }
        other => Ok(owned(other)),
    }
}

/// A string literal written into a column of type `type_oid` (typmod `modifier`), read
/// with the column's input rules into the form SQLite stores: pg_store's reading of an
/// INSERT's literal, and a string-literal DEFAULT's (sql/translate/defaults.rs), so that
/// both store the same value.
pub(crate) fn store_literal(type_oid: u32, modifier: i32, t: &[u8]) -> Result<SqlValue, PgError> {
    if type_oid == oid::NUMERIC && modifier >= 4 {
        use super::pgfuncs::decimal::Num;
        if let Some(n) = std::str::from_utf8(t).ok().and_then(Num::parse) {
            let (precision, scale) = super::pgfuncs::decimal::typmod_parts(modifier);
            return Ok(SqlValue::Text(n.with_typmod(precision, scale)?.to_string()));
        }
    }
    match t {
        // Blanks past a varchar(n)'s length are cut, as PostgreSQL does (anything else
        // past it is refused by the column's check); a char(n) keeps no trailing blanks
        // at all: they are padding, which its output adds back.
        t if type_oid == oid::BPCHAR => Ok(SqlValue::Text(
            String::from_utf8_lossy(t).trim_end_matches(' ').to_string(),
        )),
        t if type_oid == oid::VARCHAR && modifier > 4 => {
            let text = String::from_utf8_lossy(t);
            let length = usize::try_from(modifier - 4).unwrap_or(usize::MAX);
            match text.char_indices().nth(length) {
                Some((at, _)) if text[at..].bytes().all(|b| b == b' ') => {
                    Ok(SqlValue::Text(text[..at].to_string()))
                }
                _ => Ok(SqlValue::Text(text.into_owned())),
            }
        }
        t if modifier > 4 && super::catalog::element_of(type_oid).is_some() => {
            let stored = input::decode(type_oid, false, Some(t))?;
            if let (super::stmt::Value::Text(json), Some(elem)) =
                (&stored, super::catalog::element_of(type_oid))
            {
                super::array::check_lengths(json, elem, modifier)?;
            }
            Ok(self::stored(stored))
        }
        t if STORED_AS_PARAMETERS.contains(&type_oid)
            || super::catalog::element_of(type_oid).is_some() =>
        {
            Ok(with_precision(
                stored(input::decode(type_oid, false, Some(t))?),
                type_oid,
                modifier,
            ))
        }
        t => Ok(SqlValue::Text(String::from_utf8_lossy(t).into_owned())),
    }
}

/// A value stored into a `time(p)` / `timestamp(p)` / `timestamptz(p)` column, rounded
/// to its precision as PostgreSQL's typmod coercion rounds it.
fn with_precision(v: SqlValue, type_oid: u32, modifier: i32) -> SqlValue {
    match v {
        SqlValue::Text(t)
            if matches!(type_oid, oid::TIME | oid::TIMESTAMP | oid::TIMESTAMPTZ)
                && (0..6).contains(&modifier) =>
        {
            SqlValue::Text(super::pgfuncs::dates::with_precision(
                &t,
                i64::from(modifier),
            ))
        }
        other => other,
    }
}

/// The types whose literals `pg_store` reads: dates and times with PostgreSQL's input
/// rules (engine/datetime.rs), stored in their ISO form. Arrays (of any element type) are
/// read too: stored as JSON text (engine/array.rs), their elements read with the element
/// type's rules.
const STORED_AS_PARAMETERS: &[u32] = &[
    oid::BOOL,
    oid::INT2,
    oid::INT4,
    oid::INT8,
    oid::OID,
    oid::FLOAT4,
    oid::FLOAT8,
    oid::NUMERIC,
    oid::UUID,
    oid::JSON,
    oid::JSONB,
    oid::BYTEA,
    oid::DATE,
    oid::TIME,
    oid::TIMESTAMP,
    oid::TIMESTAMPTZ,
    oid::INTERVAL,
];

/// One text value from a catalog table, for the OID in argument 0.
fn catalog_lookup(ctx: &Context<'_>, query: &str) -> rusqlite::Result<Option<String>> {
    let Some(oid) = ctx.get::<Option<i64>>(0)? else {
        return Ok(None);
    };
    Ok(nested_value::<Option<String>>(ctx, query, [oid])?.flatten())
}

/// Whether `sql` holds a `'name'::regclass` literal ([`check_relation_literals`]).
pub(super) fn has_relation_literals(sql: &str) -> bool {
    sql.contains("pg_regclass('")
}

/// PostgreSQL reads `'name'::regclass` when it parses the statement, so a relation that
/// does not exist is 42P01 even where no row is ever read (`WHERE conrelid =
/// 'gone'::regclass` over no rows); SQLite calls pg_regclass at the first row it reads.
/// Each literal argument of pg_regclass in `sql` is looked up once here, before the
/// statement runs.
pub(super) fn check_relation_literals(conn: &Connection, sql: &str) -> Result<(), PgError> {
    use crate::sql::lexer::{significant, TokenKind};
    let tokens: Vec<_> = significant(sql).collect();
    for w in tokens.windows(4) {
        let [name, open, literal, close] = w else {
            continue;
        };
        if name.kind != TokenKind::Word
            || !sql[name.start..name.end].eq_ignore_ascii_case("pg_regclass")
            || open.kind != TokenKind::Open
            || literal.kind != TokenKind::Quoted
            || close.kind != TokenKind::Close
        {
            continue;
        }
        let quoted = &sql[literal.start..literal.end];
        let Some(inner) = quoted.strip_prefix('\'').and_then(|q| q.strip_suffix('\'')) else {
            continue;
        };
        let name = inner.replace("''", "'");
        conn.query_row("SELECT pg_regclass(?1)", [name], |_| Ok(()))
            .map_err(|e| super::error::to_pg(&e))?;
    }
    Ok(())
}

/// `pg_table_is_visible(oid)`: whether the relation is on the search_path — public's
/// are, a user schema's are not (sql/translate/schemas.rs).
fn table_is_visible(ctx: &mut Context<'_>) -> rusqlite::Result<bool> {
    let ValueRef::Integer(oid) = ctx.get_raw(0) else {
        return Ok(true);
    };
    let name: Option<String> = nested_value(
        ctx,
        &format!(
            "select name from {} where rowid = ?1",
            super::catalog::SCHEMA
        ),
        [oid - super::catalog::FIRST_USER_OID],
    )?;
    let name = match name {
        Some(n) => Some(n),
        None => {
            // SAFETY: as in `nested_value`.
            let conn = unsafe { ctx.get_connection()? };
            super::objects::sequence_name(&conn, oid)?
        }
    };
    Ok(name.is_none_or(|n| crate::sql::translate::schemas::schema_of(&n).is_none()))
}

/// `x::regclass`, looked up in this connection's schema (OIDs as catalog/tables.rs assigns):
/// an OID shows as the relation's name, a name (or digits) becomes its OID.
fn pg_regclass(ctx: &mut Context<'_>) -> rusqlite::Result<SqlValue> {
    let first = super::catalog::FIRST_USER_OID;
    match ctx.get_raw(0) {
        ValueRef::Integer(oid) => {
            let name: Option<String> = nested_value(
                ctx,
                &format!(
                    "select name from {} where rowid = ?1",
                    super::catalog::SCHEMA
                ),
                [oid - first],
            )?;
            // A key's index has the name pg_class gives it (`t_pkey`, the constraint's
            // name), not `sqlite_autoindex_t_1`; a rowid key's has no sqlite_schema row.
            let name = match name {
                Some(n) if !n.starts_with("sqlite_autoindex_") => Some(n),
                other => nested_value(ctx, "select relname from pg_class where oid = ?1", [oid])?
                    .or(other),
            };
            let name = match name {
                Some(n) => Some(n),
                None => {
                    // SAFETY: as in `nested_value`.
                    let conn = unsafe { ctx.get_connection()? };
                    super::objects::sequence_name(&conn, oid)?
                }
            };
            // A user schema's relation shows qualified (it is not on the search_path).
            let name = name.map(|n| match crate::sql::translate::schemas::schema_of(&n) {
                Some(_) => super::objects::schemas::shown(&n),
                None => n,
            });
            Ok(SqlValue::Text(name.unwrap_or_else(|| oid.to_string())))
        }
        ValueRef::Text(t) => {
            let s = String::from_utf8_lossy(t);
            let s = s.trim();
            if let Some(oid) = super::catalog::table_oid(s).or_else(|| s.parse().ok()) {
                return Ok(SqlValue::Integer(oid));
            }
            // A user schema's `s.t` is the relation `s.t`.
            let in_schema = super::objects::relation_name(s)
                .filter(|n| crate::sql::translate::schemas::schema_of(n).is_some());
            // Else without schema or quotes: `public."users"` is `users`.
            let name = match &in_schema {
                Some(n) => n.as_str(),
                None => s.rsplit('.').next().unwrap_or(s).trim_matches('"'),
            };
            let rowid: Option<i64> = nested_value(
                ctx,
                // pg_temp comes first on the search_path.
                &format!(
                    "select rowid from {} where name = ?1 order by db = 'temp' desc limit 1",
                    super::catalog::SCHEMA
                ),
                [name],
            )?;
            if let Some(r) = rowid {
                return Ok(SqlValue::Integer(first + r));
            }
            // A key's index by the name pg_class gives it (`t_pkey`).
            let key: Option<i64> = nested_value(
                ctx,
                "select oid from pg_class where relname = ?1 and relkind = 'i'",
                [name],
            )?;
            if let Some(oid) = key {
                return Ok(SqlValue::Integer(oid));
            }
            // SAFETY: as in `nested_value`.
            let conn = unsafe { ctx.get_connection()? };
            let sequence = super::objects::relation_name(s)
                .map(|n| super::objects::sequence_oid(&conn, &n))
                .transpose()?
                .flatten();
            sequence
                .map(SqlValue::Integer)
                .ok_or_else(|| user_error(&format!("relation \"{s}\" does not exist")))
        }
        _ => Ok(SqlValue::Null),
    }
}

/// `x::regproc` over pg_proc (litewire's SQL functions and the few built-in ones it
/// lists): an OID shows as the function's name (as an identifier), or as the number
/// when unknown, as PostgreSQL prints it; a name becomes its function's OID, or stays a
/// name when it is a built-in function pg_proc does not list.
fn pg_regproc(ctx: &mut Context<'_>) -> rusqlite::Result<SqlValue> {
    match ctx.get_raw(0) {
        ValueRef::Integer(oid) => {
            let name: Option<String> =
                nested_value(ctx, "select proname from pg_proc where oid = ?1", [oid])?;
            Ok(SqlValue::Text(name.map_or_else(
                || oid.to_string(),
                |n| crate::engine::pgfuncs::strings::quote_ident(&n),
            )))
        }
        ValueRef::Text(t) => {
            let s = String::from_utf8_lossy(t);
            let s = s.trim();
            if let Ok(oid) = s.parse::<i64>() {
                return Ok(SqlValue::Integer(oid));
            }
            let name = crate::engine::objects::relation_name(s).unwrap_or_else(|| s.to_string());
            // The OID of the one function of that name; 0 for none, -1 for several.
            let found: Option<i64> = nested_value(
                ctx,
                "select case count(*) when 0 then 0 when 1 then min(oid) else -1 end \
                 from pg_proc where proname = ?1",
                [&name],
            )?;
            match found.unwrap_or(0) {
                -1 => Err(raise(PgError::new(
                    SqlState::AMBIGUOUS_FUNCTION,
                    format!("more than one function named \"{s}\""),
                ))),
                0 => {
                    // A built-in function pg_proc does not list: one litewire runs, or
                    // one the catalogs name (`amhandler`, `typinput`), keeps its name.
                    let known: Option<i64> = nested_value(
                        ctx,
                        "select 1 from pragma_function_list where name = lower(?1) \
                         union all select 1 from pg_am where amhandler = ?1 \
                         union all select 1 from pg_type where ?1 in (typinput, typoutput, \
                         typreceive, typsend, typmodin, typmodout, typanalyze, typsubscript) \
                         limit 1",
                        [&name],
                    )?;
                    match known {
                        Some(_) => Ok(SqlValue::Text(name)),
                        None => Err(raise(PgError::new(
                            SqlState::UNDEFINED_FUNCTION,
                            format!("function \"{s}\" does not exist"),
                        ))),
                    }
                }
                oid => Ok(SqlValue::Integer(oid)),
            }
        }
        _ => Ok(SqlValue::Null),
    }
}

/// The current time as PostgreSQL prints a timestamptz in UTC.
fn chrono_free_now() -> String {
    datetime::format_timestamp_micros(datetime::now_micros(), true)
}

/// A cast to a date/time type: text in, normalized text out; NULL stays NULL.
fn datetime_cast(
    ctx: &mut Context<'_>,
    type_name: &str,
    convert: impl Fn(&str) -> Result<String, datetime::DtError>,
) -> rusqlite::Result<Option<String>> {
    match ctx.get_raw(0) {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => {
            let s = String::from_utf8_lossy(t);
            // A stored BC date or timestamp (its `/` first, never blank-led: a literal
            // of that shape comes with a blank before it, translate/casts.rs) is read
            // as the value it stands for.
            let input = match type_name {
                "interval" => std::borrow::Cow::Borrowed(s.trim()),
                _ if datetime::is_stored_bc(t) => datetime::stored_in(&s),
                _ => std::borrow::Cow::Borrowed(s.trim()),
            };
            convert(&input)
                .map(Some)
                .map_err(|e| raise(e.to_pg(type_name, &s)))
        }
        _ => Err(user_error(&format!("cannot cast a number to {type_name}"))),
    }
}

/// int2vector / oidvector input (`'1 2'`): blank-separated integers of the element type,
/// stored as a JSON array.
fn vector_in(s: &str, type_oid: u32) -> Result<String, PgError> {
    let (name, min, max) = if type_oid == oid::INT2VECTOR {
        input::int_type(oid::INT2)
    } else {
        ("oid", 0, i64::from(u32::MAX))
    };
    let mut out = Vec::new();
    for word in s.split_ascii_whitespace() {
        let n: i64 = word.parse().map_err(|_| {
            PgError::new(
                SqlState::INVALID_TEXT_REPRESENTATION,
                format!("invalid input syntax for type {name}: \"{word}\""),
            )
        })?;
        if !(min..=max).contains(&n) {
            return Err(PgError::new(
                SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
                format!("value \"{word}\" is out of range for type {name}"),
            ));
        }
        out.push(n.to_string());
    }
    Ok(format!("[{}]", out.join(",")))
}

/// `x::int2` (`int4`, `int8`, `oid`, `numeric`, `uuid`, `json`, `jsonb`, `int4[]`...):
/// the rewriter's `pg_cast(x, 'type')`. Text is read with PostgreSQL's input function
/// for the type (`engine/input.rs`), so what PostgreSQL refuses is refused with its
/// message; numbers are range-checked (and rounded, for integers). Array literals are
/// checked and kept as written.
fn pg_cast(ctx: &mut Context<'_>) -> rusqlite::Result<SqlValue> {
    let ty: String = ctx.get(1)?;
    let base = ty.split(['(', '[']).next().unwrap_or("").trim();
    let type_oid = super::catalog::to_regtype(base).unwrap_or(0);
    let value = ctx.get_raw(0);
    if ty.contains('[') {
        return Ok(match value {
            // A literal is read as the array type reads it and becomes the stored form
            // (JSON); JSON text already is one (ARRAY[…]::int[], a parameter).
            ValueRef::Text(t) => {
                let s = std::str::from_utf8(t)
                    .map_err(|_| user_error("invalid UTF-8 in array literal"))?;
                if super::array::is_json(s) {
                    SqlValue::Text(s.to_string())
                } else {
                    let json = super::array::text_to_json(s, type_oid).map_err(raise)?;
                    SqlValue::Text(match base {
                        "regtype" => regtype_oids(ctx, json)?,
                        _ => json,
                    })
                }
            }
            other => owned(other),
        });
    }
    if matches!(type_oid, oid::INT2VECTOR | oid::OIDVECTOR) {
        return match value {
            ValueRef::Text(t) => vector_in(&String::from_utf8_lossy(t), type_oid)
                .map(SqlValue::Text)
                .map_err(raise),
            other => Ok(owned(other)),
        };
    }
    // PostgreSQL's "smallint out of range" for a number that does not fit.
    let (name, min, max) = input::int_type(type_oid);
    let name = if type_oid == oid::OID { "OID" } else { name };
    let out_of_range = || {
        raise(PgError::new(
            SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
            format!("{name} out of range"),
        ))
    };
    let fits = |i: i64| {
        (min..=max)
            .contains(&i)
            .then_some(i)
            .ok_or_else(out_of_range)
    };
    Ok(match (type_oid, value) {
        (_, ValueRef::Null) => SqlValue::Null,
        (oid::INT2 | oid::INT4 | oid::INT8 | oid::OID, ValueRef::Integer(i)) => {
            SqlValue::Integer(fits(i)?)
        }
        (oid::INT2 | oid::INT4 | oid::INT8 | oid::OID, ValueRef::Real(f)) => {
            // PostgreSQL rounds a fraction (half away from zero, as numeric does).
            let r = f.round();
            // Also false for NaN; within it, `as` is exact.
            if !(i64::MIN as f64..-(i64::MIN as f64)).contains(&r) {
                return Err(out_of_range());
            }
            SqlValue::Integer(fits(r as i64)?)
        }
        (oid::NUMERIC, ValueRef::Integer(_) | ValueRef::Real(_)) => owned(value),
        (_, ValueRef::Text(t)) if type_oid != 0 => {
            // A stored BC date or timestamp (a comparison's promotion, engine/compare.rs;
            // literals of these types are pg_date's & co.) read as the value it is.
            let bc;
            let t = match type_oid {
                oid::DATE | oid::TIMESTAMP | oid::TIMESTAMPTZ if datetime::is_stored_bc(t) => {
                    bc = datetime::stored_in(&String::from_utf8_lossy(t)).into_owned();
                    bc.as_bytes()
                }
                _ => t,
            };
            let v = input::decode(type_oid, false, Some(t)).map_err(raise)?;
            match v {
                super::stmt::Value::Null => SqlValue::Null,
                super::stmt::Value::Integer(i) => SqlValue::Integer(i),
                super::stmt::Value::Real(f) => SqlValue::Real(f),
                super::stmt::Value::Text(s) => SqlValue::Text(s),
                super::stmt::Value::Blob(b) => SqlValue::Blob(b),
            }
        }
        (_, other) => owned(other),
    })
}

/// `'{int,int8}'::regtype[]`: the names become OIDs, as each one's `::regtype` does, so
/// `atttypid = ANY (…)` compares OIDs (drizzle-kit's column query). A nested array is
/// left as read.
fn regtype_oids(ctx: &Context<'_>, json: String) -> rusqlite::Result<String> {
    use super::jsonb::value::Json;
    let Some(mut array) = super::array::read(&json) else {
        return Ok(json);
    };
    let Json::Array(names) = &mut array.value else {
        return Ok(json);
    };
    for name in names.iter_mut() {
        match name {
            Json::Null => {}
            Json::Str(n) => {
                let oid = regtype_oid(ctx, n)?.ok_or_else(|| {
                    raise(PgError::new(
                        SqlState::UNDEFINED_OBJECT,
                        format!("type \"{n}\" does not exist"),
                    ))
                })?;
                *name = Json::Num(oid.to_string());
            }
            _ => return Ok(json),
        }
    }
    Ok(array.stored())
}

/// A decoded parameter value as the value SQLite stores.
pub(crate) fn stored(v: super::stmt::Value) -> SqlValue {
    use super::stmt::Value;
    match v {
        Value::Null => SqlValue::Null,
        Value::Integer(i) => SqlValue::Integer(i),
        Value::Real(f) => SqlValue::Real(f),
        Value::Text(s) => SqlValue::Text(s),
        Value::Blob(b) => SqlValue::Blob(b),
    }
}

pub(crate) fn owned(v: ValueRef<'_>) -> SqlValue {
    match v {
        ValueRef::Null => SqlValue::Null,
        ValueRef::Integer(i) => SqlValue::Integer(i),
        ValueRef::Real(f) => SqlValue::Real(f),
        ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => SqlValue::Blob(b.to_vec()),
    }
}

/// `x::boolean`: PostgreSQL's boolean input syntax, stored as SQLite's 0/1.
fn pg_bool(ctx: &mut Context<'_>) -> rusqlite::Result<Option<i64>> {
    match ctx.get_raw(0) {
        ValueRef::Null => Ok(None),
        ValueRef::Integer(i) => Ok(Some((i != 0) as i64)),
        ValueRef::Real(f) => Ok(Some((f != 0.0) as i64)),
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            let s = String::from_utf8_lossy(t);
            match input::parse_bool(&s) {
                Some(b) => Ok(Some(b as i64)),
                None => Err(raise(PgError::new(
                    SqlState::INVALID_TEXT_REPRESENTATION,
                    format!("invalid input syntax for type boolean: \"{s}\""),
                ))),
            }
        }
    }
}

/// `has_schema_privilege([user,] schema, privilege)` (Kysely's introspection filters
/// schemas by it): the session's user owns the database's schemas (public, pg_catalog,
/// information_schema), so any of USAGE / CREATE is held; another schema is 3F000 and
/// another privilege 22023, as in PostgreSQL. The user is not checked (one role).
fn has_schema_privilege(ctx: &mut Context<'_>) -> rusqlite::Result<Option<bool>> {
    let at = ctx.len() - 2;
    let (Some(schema), Some(privilege)) = (
        ctx.get::<Option<String>>(at)?,
        ctx.get::<Option<String>>(at + 1)?,
    ) else {
        return Ok(None);
    };
    if !["public", "pg_catalog", "information_schema"].contains(&schema.as_str()) {
        return Err(raise(PgError::new(
            SqlState::INVALID_SCHEMA_NAME,
            format!("schema \"{schema}\" does not exist"),
        )));
    }
    check_privileges(&privilege, &["usage", "create"])?;
    Ok(Some(true))
}

/// A has_*_privilege argument: privileges separated by commas, each optionally `WITH
/// GRANT OPTION`, any case; one not in `known` is 22023, as in PostgreSQL.
pub(super) fn check_privileges(privilege: &str, known: &[&str]) -> rusqlite::Result<()> {
    for written in privilege.split(',').map(str::trim) {
        let p = written.to_ascii_lowercase();
        let p = p
            .strip_suffix(" with grant option")
            .unwrap_or(&p)
            .trim_end();
        if !known.contains(&p) {
            return Err(raise(PgError::new(
                SqlState::INVALID_PARAMETER_VALUE,
                format!("unrecognized privilege type: \"{written}\""),
            )));
        }
    }
    Ok(())
}

/// `x::"char"`: PostgreSQL's one-byte type, kept as its text output. Input (charin)
/// is the first byte, or `\ooo` in octal; an integer is its byte (22003 outside
/// -128..127). Output (charout) is the byte, nothing for 0, `\ooo` from 128 on.
fn pg_char(ctx: &mut Context<'_>) -> rusqlite::Result<Option<String>> {
    let byte = match ctx.get_raw(0) {
        ValueRef::Null => return Ok(None),
        ValueRef::Integer(i) => i8::try_from(i).map_err(|_| {
            raise(PgError::new(
                SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
                "\"char\" out of range",
            ))
        })? as u8,
        ValueRef::Real(f) => f.to_string().bytes().next().unwrap_or(0),
        ValueRef::Text(t) | ValueRef::Blob(t) => match t {
            [b'\\', o @ ..] if o.len() == 3 && o.iter().all(|d| (b'0'..=b'7').contains(d)) => {
                o.iter().fold(0u8, |n, d| n.wrapping_shl(3) | (d - b'0'))
            }
            _ => t.first().copied().unwrap_or(0),
        },
    };
    Ok(Some(match byte {
        0 => String::new(),
        b if b >= 128 => format!("\\{b:03o}"),
        b => char::from(b).to_string(),
    }))
}

/// `x::float8`: numbers as REAL, text in PostgreSQL's float syntax (NaN kept as text,
/// see `input::float_value`).
fn pg_float(ctx: &mut Context<'_>) -> rusqlite::Result<SqlValue> {
    Ok(match ctx.get_raw(0) {
        ValueRef::Null => SqlValue::Null,
        ValueRef::Integer(i) => SqlValue::Real(i as f64),
        ValueRef::Real(f) => SqlValue::Real(f),
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            let s = String::from_utf8_lossy(t);
            match super::input::float_in(&s, false).map_err(raise)? {
                f if f.is_nan() => SqlValue::Text("NaN".into()),
                f => SqlValue::Real(f),
            }
        }
    })
}

/// `text REGEXP pattern` (the rewriter's spelling of `~`): PostgreSQL's POSIX regexes
/// mostly read the same in regex-lite's syntax. The compiled pattern is kept for the
/// statement's other rows.
fn regexp(ctx: &mut Context<'_>) -> rusqlite::Result<Option<bool>> {
    // `x ~ NULL` is NULL.
    if matches!(ctx.get_raw(0), ValueRef::Null) {
        return Ok(None);
    }
    let re = ctx.get_or_create_aux(0, |v| -> Result<regex_lite::Regex, Error> {
        let pattern = v
            .as_str()
            .map_err(|_| user_error("invalid regular expression"))?;
        // PostgreSQL's `.` matches a newline too (its default, non-newline-sensitive mode).
        regex_lite::RegexBuilder::new(pattern)
            .dot_matches_new_line(true)
            .build()
            .map_err(|e| user_error(&format!("invalid regular expression: {e}")))
    })?;
    Ok(match ctx.get_raw(1) {
        ValueRef::Null => None,
        ValueRef::Text(t) => Some(re.is_match(&String::from_utf8_lossy(t))),
        other => Some(re.is_match(&match other {
            ValueRef::Integer(i) => i.to_string(),
            ValueRef::Real(f) => f.to_string(),
            _ => String::new(),
        })),
    })
}

/// `x::bytea`: text in bytea hex (`\x0a0b`) or escape format becomes a blob.
fn pg_bytea(ctx: &mut Context<'_>) -> rusqlite::Result<SqlValue> {
    match ctx.get_raw(0) {
        ValueRef::Null => Ok(SqlValue::Null),
        ValueRef::Blob(b) => Ok(SqlValue::Blob(b.to_vec())),
        ValueRef::Text(t) => super::input::bytea_from_text(t)
            .map(SqlValue::Blob)
            .map_err(raise),
        _ => Err(user_error("cannot cast a number to bytea")),
    }
}
