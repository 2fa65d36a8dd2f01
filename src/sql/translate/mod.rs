//! PostgreSQL statement trees → SQLite SQL. One walk over the tree rewrites what SQLite
//! spells or means differently, then the tree is printed: casts and typed literals
//! (`casts.rs`), arrays and set-returning functions (`arrays.rs`), operators whose
//! precedence or meaning differs, catalog qualifiers and functions SQLite names
//! otherwise. Query forms SQLite lacks (set operations' grouping, alias column lists,
//! LATERAL, DISTINCT ON, WITHIN GROUP…) are rewritten first (`queries.rs`). What cannot
//! be honoured exactly is 0A000 naming the construct.

mod arrays;
pub(crate) mod assign;
mod casts;
mod constants;
pub(crate) mod create;
mod ctes;
mod domains;
mod enums;
pub(crate) use casts::char_length;
pub mod conflict;
pub(crate) mod defaults;
pub(crate) mod dml;
mod explain;
mod fold;
mod functions;
mod glob;
pub(crate) mod grouping;
mod having;
mod index;
pub(crate) mod join_alias;
mod json;
pub(crate) mod keywords;
pub(crate) mod like;
pub(crate) mod locking;
mod merge;
mod modifying;
pub(crate) use json::{record_columns, RecordColumns, RECORD_FUNCTIONS};
pub(crate) mod numeric_math;
mod objects;
pub(crate) use create::PSEUDO_TYPES;
pub(crate) use objects::without_type_checks;
pub(crate) use objects::{identity_sequence_names, is_serial};
pub use objects::{read_by_hand, unlogged_batch, without_unlogged, AddIdentity};
pub(crate) use operators::{json_mark, no_operator};
mod operators;
mod order;
mod outer_aggregates;
mod queries;
pub use no_columns::{bare_selects, NO_COLUMN};
mod no_columns;
mod recursive;
mod roles;
mod routines;
pub(crate) mod rules;
pub(crate) mod schemas;
pub(crate) use recursive::recursive_view;
pub(crate) use routines::shown_type;
mod scalar;
pub(crate) mod search_cycle;
mod setops;
mod srf;
mod store;
mod variadic;
mod views;
mod window;
mod window_ties;
pub(crate) use window::{strip_exclude, strip_offset_casts, RangeScale};

use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, ColumnDef, ColumnOption, ColumnOptionDef, DataType, Expr, Function,
    FunctionArg, FunctionArgExpr, FunctionArgumentList, FunctionArguments, Ident, ObjectName,
    ObjectNamePart, Statement, TableFactor, UnaryOperator, Value, VisitMut, VisitorMut,
};

use crate::protocol::{PgError, SqlState};

/// What a statement may ask of the session while it is translated:
/// `current_setting('x')` and `set_config('x', 'v', is_local)` with literal arguments are
/// answered from the session's parameters, which SQLite cannot see.
pub trait Settings {
    /// The value of `name`; None when it is not a parameter.
    fn get(&self, name: &str) -> Option<String>;
    /// Sets `name`, returning its new value.
    fn set(&mut self, name: &str, value: &str) -> Result<String, PgError>;
    /// Every parameter with its value (`current_setting($1)` picks among them).
    fn all(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

/// The SQLite text of `stmt`.
pub fn to_sqlite(mut stmt: Statement, settings: &mut dyn Settings) -> Result<String, PgError> {
    if matches!(stmt, Statement::Explain { .. }) {
        return explain::to_sqlite(stmt, settings);
    }
    // SQLite has no MERGE: a batch of statements, each translated here.
    if merge::applies(&stmt) {
        return merge::batch(stmt, settings);
    }
    // Data-modifying statements in WITH: a batch of statements, each translated here.
    if modifying::applies(&stmt) {
        // The batch takes the data-modifying CTEs out before the walk would check them.
        if let Statement::Query(q) = &stmt {
            recursive::check(q)?;
        }
        return modifying::batch(stmt, settings);
    }
    modifying::check_view(&stmt)?;
    // FOR UPDATE / FOR SHARE: the write lock instead (locking.rs).
    let locks = locking::take(&mut stmt)?;
    if let Statement::DropFunction {
        if_exists,
        func_desc,
        drop_behavior,
    } = &stmt
    {
        let cascade = *drop_behavior == Some(sqlparser::ast::DropBehavior::Cascade);
        return routines::drop(func_desc, *if_exists, cascade);
    }
    if let Some(batch) = roles::statement(&stmt)? {
        return Ok(batch);
    }
    match &stmt {
        Statement::CreateSchema {
            schema_name,
            if_not_exists,
            ..
        } => {
            let user = settings.get("session_authorization");
            return schemas::create(schema_name, *if_not_exists, user.as_deref());
        }
        Statement::Drop {
            object_type: sqlparser::ast::ObjectType::Schema,
            if_exists,
            names,
            cascade,
            ..
        } => return schemas::drop(names, *if_exists, *cascade),
        Statement::AlterSchema(_) => return Err(unsupported("ALTER SCHEMA")),
        _ => {}
    }
    variadic::spread(&mut stmt)?;
    order::using(&mut stmt)?;
    fold::ddl_names(&mut stmt);
    // Sequences, identity and serial columns, comments (objects.rs).
    let objects = objects::statement(&mut stmt)?;
    if let objects::Objects::Whole(batch) = objects {
        return Ok(batch);
    }
    same_database_names(&mut stmt);
    // Then, while the tree is as written: operators are found by their place in the text.
    dml::check(&stmt)?;
    dml::row_sources(&mut stmt)?;
    dml::conflict_columns_once(&mut stmt);
    dml::returning_own_wildcard(&mut stmt);
    constants::check(&stmt)?;
    // Columns outside GROUP BY and aggregates (42803): as written, before rewrites.
    grouping::check(&mut stmt);
    outer_aggregates::check(&stmt)?;
    distinct_orders(&stmt)?;
    create::check(&stmt)?;
    like::rewrite(&mut stmt);
    json::whole_rows(&mut stmt);
    operators::typed(&mut stmt)?;
    if let Statement::CreateIndex(ci) = &mut stmt {
        index::create(ci)?;
    }
    let literal_defaults = literal_defaults(&stmt, settings)?;
    let checks = ddl(&mut stmt);
    let replacing = views::take_or_replace(&mut stmt);
    queries::rewrite(&mut stmt)?;
    store::literals(&mut stmt);
    srf::select_list_sources(&mut stmt)?;
    let sources = srf::set_returning_sources(&mut stmt)?;
    let mut t = Translator { settings, sources };
    if let ControlFlow::Break(e) = stmt.visit(&mut t) {
        return Err(e);
    }
    keywords::quote_aliases(&mut stmt);
    casts::print_oid_names(&mut stmt);
    exact_numbers(&mut stmt);
    // Added after the walk: they are SQLite's own expressions already.
    dml::defaults(&mut stmt);
    dml::upsert_once(&mut stmt)?;
    dml::upsert_source_where(&mut stmt);
    match &mut stmt {
        Statement::CreateTable(ct) => {
            for (i, check) in checks {
                ct.columns[i].options.push(check);
            }
            for (i, default) in literal_defaults {
                defaults::replace(&mut ct.columns[i], default);
            }
            crate::sql::alter::postgres_primary_key(ct);
            crate::sql::alter::name_first_table_constraint(ct);
            ct.on_commit = None; // kept by objects.rs
        }
        Statement::AlterTable { operations, .. } => {
            for op in operations {
                if let sqlparser::ast::AlterTableOperation::AddColumn { column_def, .. } = op {
                    let name = column_def.data_type.to_string();
                    if let Some(check) = value_check(&column_def.name, &name) {
                        column_def.options.push(check);
                    }
                    enums::declare(&mut column_def.data_type);
                    byte_order_collation(column_def);
                    numeric_storage(column_def);
                }
            }
        }
        _ => {}
    }
    quotes_as_written(&mut stmt);
    if let Some(view) = replacing {
        return Ok(views::batch(&view, &stmt));
    }
    let sqlite = match objects {
        objects::Objects::After(parts) => objects::after(&stmt.to_string(), &parts),
        _ => stmt.to_string(),
    };
    Ok(match locks {
        Some(marker) => format!("{marker}{sqlite}"),
        None => sqlite,
    })
}

/// String literals holding a quote, printed with every quote doubled. sqlparser's own
/// printing leaves a quote after a backslash or before another quote as it is (it
/// cannot tell an escape it read from a character), so `'a''''b'` (`a''b`) reached
/// SQLite as `'a''b'` and `'ab\''cd'` as an unterminated string.
fn quotes_as_written(stmt: &mut Statement) {
    struct Quotes;
    impl VisitorMut for Quotes {
        type Break = ();
        fn post_visit_value(&mut self, v: &mut Value) -> ControlFlow<()> {
            if let Value::SingleQuotedString(s) = v {
                if s.contains('\'') {
                    *v = Value::Placeholder(dml::sql_string(s));
                }
            }
            ControlFlow::Continue(())
        }
    }
    let _ = stmt.visit(&mut Quotes);
}

/// A construct litewire cannot run with PostgreSQL's meaning.
pub(crate) fn unsupported(what: impl std::fmt::Display) -> PgError {
    PgError::new(
        SqlState::FEATURE_NOT_SUPPORTED,
        format!("{what} is not supported by litewire"),
    )
}

struct Translator<'s> {
    settings: &'s mut dyn Settings,
    /// Set-returning functions rewritten in FROM: their column names → SQLite expressions.
    sources: srf::Sources,
}

impl VisitorMut for Translator<'_> {
    type Break = PgError;

    fn post_visit_relation(&mut self, name: &mut ObjectName) -> ControlFlow<PgError> {
        unqualify(name);
        ControlFlow::Continue(())
    }

    fn pre_visit_query(&mut self, q: &mut sqlparser::ast::Query) -> ControlFlow<PgError> {
        if let Err(e) = recursive::check(q) {
            return ControlFlow::Break(e);
        }
        if let Err(e) = ctes::outer_aggregate_reads_cte(q) {
            return ControlFlow::Break(e);
        }
        ctes::materialize(q);
        setops::literals(q);
        let presorted = window_ties::presort(q);
        if let Err(e) = window::query(q, presorted) {
            return ControlFlow::Break(e);
        }
        order::query(q);
        self.sources.enter(q);
        // A set-returning function's column keeps its name in the result (SQLite would
        // call `s.value` "value"), in each SELECT of a set operation too.
        let mut selects = Vec::new();
        let mut bodies = vec![q.body.as_mut()];
        while let Some(body) = bodies.pop() {
            match body {
                sqlparser::ast::SetExpr::Select(select) => selects.push(select),
                sqlparser::ast::SetExpr::SetOperation { left, right, .. } => {
                    bodies.push(left.as_mut());
                    bodies.push(right.as_mut());
                }
                _ => {}
            }
        }
        for select in selects {
            for item in &mut select.projection {
                let sqlparser::ast::SelectItem::UnnamedExpr(e) = item else {
                    continue;
                };
                let name = match e {
                    Expr::Identifier(c) => {
                        (self.sources.column(None, &c.value).is_some()).then(|| c.clone())
                    }
                    Expr::CompoundIdentifier(p) if p.len() == 2 => (self
                        .sources
                        .column(Some(&p[0].value), &p[1].value)
                        .is_some())
                    .then(|| p[1].clone()),
                    _ => None,
                };
                if let Some(alias) = name {
                    let expr = std::mem::replace(e, Expr::Value(Value::Null.into()));
                    *item = sqlparser::ast::SelectItem::ExprWithAlias { expr, alias };
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_value(&mut self, value: &mut Value) -> ControlFlow<PgError> {
        // SQLite knows only '…' strings: E'…' (already unescaped by the parser) and
        // $$…$$ keep their value.
        let text = match value {
            Value::EscapedStringLiteral(s) | Value::UnicodeStringLiteral(s) => std::mem::take(s),
            Value::DollarQuotedString(d) => std::mem::take(&mut d.value),
            Value::NationalStringLiteral(s) => std::mem::take(s),
            _ => return ControlFlow::Continue(()),
        };
        *value = Value::SingleQuotedString(text);
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, q: &mut sqlparser::ast::Query) -> ControlFlow<PgError> {
        self.sources.leave();
        window::printed(q);
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<PgError> {
        if let Err(e) = json::populate_call(expr) {
            return ControlFlow::Break(e);
        }
        if let Expr::Function(f) = expr {
            if let Err(e) = window::before(f) {
                return ControlFlow::Break(e);
            }
            objects::sequence_by_name(f);
            enums::range_call(f);
        }
        arrays::vector_elements(expr);
        // `ARRAY[]::int[]`: the cast's type is the empty array's (alone it has none).
        if let Expr::Cast {
            expr: operand,
            data_type,
            ..
        } = expr
        {
            if let Err(e) = arrays::vector_of_array(operand, data_type) {
                return ControlFlow::Break(e);
            }
            if matches!(&**operand, Expr::Array(a) if a.elem.is_empty()) {
                **operand = string("{}");
            }
            arrays::cast_elements(operand, data_type);
        }
        // Before the operands are rewritten, so that `ARRAY[...]` is still itself.
        if matches!(
            expr,
            Expr::AnyOp { .. }
                | Expr::AllOp { .. }
                | Expr::Like { any: true, .. }
                | Expr::ILike { any: true, .. }
        ) || arrays::is_like_all(expr)
        {
            let taken = std::mem::replace(expr, Expr::Value(Value::Null.into()));
            match arrays::any_all(taken).and_then(arrays::like_any) {
                Ok(e) => *expr = e,
                Err(e) => return ControlFlow::Break(e),
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<PgError> {
        match self.expr(expr) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => ControlFlow::Break(e),
        }
    }

    fn pre_visit_table_factor(&mut self, t: &mut TableFactor) -> ControlFlow<PgError> {
        // `FROM information_schema.columns` is still `columns` to the statement
        // (`columns.*`, as TypeORM writes) once it is information_schema_columns;
        // `FROM s.t` of a user schema is still `t` once it is `"s.t"`.
        if let TableFactor::Table {
            name, alias: None, ..
        } = t
        {
            if let [ObjectNamePart::Identifier(s), ObjectNamePart::Identifier(table)] =
                name.0.as_slice()
            {
                let user_schema = schemas::alias_of(name).is_some();
                if s.value.eq_ignore_ascii_case("information_schema") || user_schema {
                    let name = table.clone();
                    if let TableFactor::Table { alias, .. } = t {
                        *alias = Some(sqlparser::ast::TableAlias {
                            name,
                            columns: vec![],
                        });
                    }
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_table_factor(&mut self, t: &mut TableFactor) -> ControlFlow<PgError> {
        if let TableFactor::Table { name, .. } = t {
            unqualify(name);
        }
        // After the walk, so the listing put in its place is not walked again.
        match objects::hide_reserved(t) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => ControlFlow::Break(e),
        }
    }
}

impl Translator<'_> {
    /// Rewrites one expression whose operands are already rewritten (post-order).
    fn expr(&mut self, expr: &mut Expr) -> Result<(), PgError> {
        let taken = std::mem::replace(expr, Expr::Value(Value::Null.into()));
        *expr = match taken {
            Expr::Cast {
                expr: operand,
                data_type,
                format: None,
                ..
            } => match casts::unsupported_type(&data_type)
                .and_then(|()| arrays::vector_cast(*operand, &data_type))?
            {
                Ok(e) => e,
                Err(operand) => match json::cast(operand, &data_type)? {
                    Ok(e) => e,
                    Err(operand) => casts::cast(operand, &data_type),
                },
            },
            Expr::TypedString(t) => {
                casts::unsupported_type(&t.data_type)?;
                casts::cast(Expr::Value(t.value), &t.data_type)
            }
            // SIMILAR TO: its pattern as the POSIX one PostgreSQL matches (similar_to_escape).
            Expr::SimilarTo {
                negated,
                expr,
                pattern,
                escape_char,
            } => {
                let mut args = vec![*pattern];
                args.extend(escape_char.map(Expr::value));
                Expr::RLike {
                    negated,
                    expr: nest(expr),
                    pattern: Box::new(call("similar_to_escape", args)),
                    regexp: true,
                }
            }
            // A boolean IS [NOT] UNKNOWN is IS [NOT] NULL (SQLite lacks the form).
            Expr::IsUnknown(e) => Expr::IsNull(nest(e)),
            Expr::IsNotUnknown(e) => Expr::IsNotNull(nest(e)),
            Expr::Interval(i) => casts::interval_literal(i)?,
            Expr::Collate { expr, collation } if is_default_collation(&collation) => *expr,
            Expr::BinaryOp { left, op, right } => binary(*left, op, *right)?,
            Expr::Like {
                negated,
                any: false,
                expr,
                pattern,
                escape_char,
            } => {
                // PostgreSQL's default escape is the backslash; SQLite has none.
                let escape_char = escape_char.or(Some(Value::SingleQuotedString("\\".into())));
                match glob::glob(&pattern, &escape_char) {
                    // A literal pattern as GLOB: case-sensitive and deterministic, so
                    // it may appear in a partial index or a CHECK (SQLite's LIKE under
                    // case_sensitive_like may not).
                    Some(glob) => {
                        let e = Expr::BinaryOp {
                            left: nest(expr),
                            op: BinaryOperator::Custom("GLOB".into()),
                            right: Box::new(string(&glob)),
                        };
                        if negated {
                            Expr::UnaryOp {
                                op: UnaryOperator::Not,
                                expr: Box::new(e),
                            }
                        } else {
                            e
                        }
                    }
                    None => Expr::Like {
                        negated,
                        any: false,
                        expr: nest(expr),
                        pattern: nest(pattern),
                        escape_char,
                    },
                }
            }
            Expr::ILike {
                negated,
                any: false,
                expr,
                pattern,
                escape_char,
            } => Expr::Like {
                negated,
                any: false,
                expr: Box::new(call("lower", vec![*expr])),
                pattern: Box::new(call("lower", vec![*pattern])),
                escape_char: escape_char.or(Some(Value::SingleQuotedString("\\".into()))),
            },
            Expr::Function(f) => self.function(f)?,
            e @ (Expr::Extract { .. }
            | Expr::AtTimeZone { .. }
            | Expr::Position { .. }
            | Expr::Substring { .. }
            | Expr::Trim { .. }
            | Expr::Overlay { .. }
            | Expr::Ceil { .. }
            | Expr::Floor { .. }
            | Expr::UnaryOp {
                op: UnaryOperator::PGSquareRoot | UnaryOperator::PGCubeRoot | UnaryOperator::PGAbs,
                ..
            }) => functions::special(e, &*self.settings)?,
            Expr::Array(a) if a.elem.is_empty() => {
                return Err(PgError::new(
                    SqlState::INDETERMINATE_DATATYPE,
                    "cannot determine type of empty array",
                )
                .with_hint("Explicitly cast to the desired type, for example ARRAY[]::integer[]."))
            }
            Expr::Array(a) => arrays::literal(a),
            Expr::Subquery(mut q) => match scalar::checked(&mut q) {
                Some(e) => e,
                None => Expr::Subquery(q),
            },
            Expr::CompoundFieldAccess { root, access_chain } => {
                match json::subscript(*root, access_chain)? {
                    Ok(e) => e,
                    Err((root, chain)) => arrays::subscript(root, chain)?,
                }
            }
            Expr::Identifier(ref i) => match self.sources.column(None, &i.value) {
                Some(e) => e,
                None => taken,
            },
            Expr::CompoundIdentifier(ref parts) => {
                let resolved = match parts.as_slice() {
                    [t, c] => self.sources.column(Some(&t.value), &c.value),
                    _ => None,
                };
                match resolved {
                    Some(e) => e,
                    None => compound(taken),
                }
            }
            other => other,
        };
        Ok(())
    }

    fn function(&mut self, mut f: Function) -> Result<Expr, PgError> {
        unqualify(&mut f.name);
        order::call(&mut f);
        let name = f.name.to_string().to_ascii_lowercase();
        window::function(&name, &mut f)?;
        if let Some(null) = window::null_ntile(&name, &f) {
            return Ok(null);
        }
        // The parenthesis-less functions (`current_user`): SQLite needs the call.
        if matches!(f.args, FunctionArguments::None) {
            if BARE_FUNCTIONS.contains(&name.as_str()) {
                f.args = FunctionArguments::List(FunctionArgumentList {
                    duplicate_treatment: None,
                    args: vec![],
                    clauses: vec![],
                });
            }
            if name == "current_timestamp" || name == "localtimestamp" {
                return Ok(call("now", vec![]));
            }
            return Ok(Expr::Function(f));
        }
        if let Some(answer) = self.session_call(&name, &f)? {
            return Ok(answer);
        }
        if let Some(e) = arrays::function(&name, &mut f)? {
            return Ok(e);
        }
        if let Some(e) = json::function(&name, &mut f)? {
            return Ok(e);
        }
        if let Some(e) = functions::function(&name, &mut f, &*self.settings)? {
            return Ok(e);
        }
        let distinct = name == "string_agg" && distinct_string_agg(&mut f)?;
        if let Some((_, sqlite)) = AGGREGATES
            .iter()
            .find(|(pg, _)| *pg == name)
            .filter(|_| !distinct)
        {
            f.name = ObjectName::from(vec![Ident::new(*sqlite)]);
        }
        window::aggregate_over(&mut f);
        Ok(Expr::Function(f))
    }

    /// `current_setting('x' [, missing_ok])` and `set_config('x', 'v', local)` with
    /// literal arguments, answered from the session.
    fn session_call(&mut self, name: &str, f: &Function) -> Result<Option<Expr>, PgError> {
        if name != "current_setting" && name != "set_config" {
            return Ok(None);
        }
        let Some(args) = literal_args(f) else {
            return Ok(self.current_setting_of(name, f));
        };
        match (name, args.as_slice()) {
            ("current_setting", [n, ..]) => match self.settings.get(n) {
                Some(v) => Ok(Some(string(&v))),
                None if args.get(1).is_some_and(|m| m.eq_ignore_ascii_case("true")) => {
                    Ok(Some(string("")))
                }
                None => Err(PgError::new(
                    SqlState::UNDEFINED_PARAMETER,
                    format!("unrecognized configuration parameter \"{n}\""),
                )),
            },
            ("set_config", [n, v, _]) => Ok(Some(string(&self.settings.set(n, v)?))),
            _ => Ok(None),
        }
    }

    /// `current_setting(x [, missing_ok])` of a name known only when the statement runs
    /// (a parameter: SQLAlchemy's `current_setting($1)`): the session's values now, picked
    /// by name; an unknown name fails as PostgreSQL's does (`pg_unknown_setting`).
    fn current_setting_of(&mut self, name: &str, f: &Function) -> Option<Expr> {
        if name != "current_setting" {
            return None;
        }
        let args = plain_args(f)?;
        let (setting, missing_ok) = match args.as_slice() {
            [n] => (n, "false".to_string()),
            [n, m] => (n, m.to_string()),
            _ => return None,
        };
        let mut sql = format!("(CASE lower({setting})");
        for (n, v) in self.settings.all() {
            sql.push_str(&format!(
                " WHEN {} THEN {}",
                string(&n.to_ascii_lowercase()),
                string(&v)
            ));
        }
        sql.push_str(&format!(
            " ELSE pg_unknown_setting({setting}, {missing_ok}) END)"
        ));
        Some(raw(sql))
    }
}

/// The parenthesis-less functions SQLite needs called.
const BARE_FUNCTIONS: &[&str] = &[
    "current_user",
    "session_user",
    "current_role",
    "current_catalog",
    "current_schema",
    "user",
];

/// Aggregates SQLite spells differently (`array_agg` gives a JSON array as text).
const AGGREGATES: &[(&str, &str)] = &[
    ("array_agg", "json_group_array"),
    ("string_agg", "group_concat"),
    // engine/pgfuncs/math.rs
    ("var_pop", "pg_var_pop"),
    ("var_samp", "pg_var_samp"),
    ("variance", "pg_var_samp"),
    ("stddev_pop", "pg_stddev_pop"),
    ("stddev_samp", "pg_stddev_samp"),
    ("stddev", "pg_stddev_samp"),
    ("regr_count", "pg_regr_count"),
    ("regr_sxx", "pg_regr_sxx"),
    ("regr_syy", "pg_regr_syy"),
    ("regr_sxy", "pg_regr_sxy"),
    ("regr_avgx", "pg_regr_avgx"),
    ("regr_avgy", "pg_regr_avgy"),
    ("regr_slope", "pg_regr_slope"),
    ("regr_intercept", "pg_regr_intercept"),
    ("regr_r2", "pg_regr_r2"),
    ("covar_pop", "pg_covar_pop"),
    ("covar_samp", "pg_covar_samp"),
    ("corr", "pg_corr"),
    ("bool_and", "pg_bool_and"),
    ("every", "pg_bool_and"),
    ("bool_or", "pg_bool_or"),
    ("bit_and", "pg_bit_and"),
    ("bit_or", "pg_bit_or"),
    ("bit_xor", "pg_bit_xor"),
];

/// The DISTINCT string_aggs of `stmt` as written (before the walk rewrites their
/// arguments): each orders only by its arguments.
fn distinct_orders(stmt: &Statement) -> Result<(), PgError> {
    let mut found = Ok(());
    let _ = sqlparser::ast::visit_expressions(stmt, |e| {
        if let Expr::Function(f) = e {
            let string_agg = f
                .name
                .0
                .last()
                .is_some_and(|p| p.to_string().eq_ignore_ascii_case("string_agg"));
            if let (true, FunctionArguments::List(list)) = (string_agg, &f.args) {
                if matches!(
                    list.duplicate_treatment,
                    Some(sqlparser::ast::DuplicateTreatment::Distinct)
                ) {
                    if let Err(e) = distinct_order(list) {
                        found = Err(e);
                        return ControlFlow::Break(());
                    }
                }
            }
        }
        ControlFlow::Continue(())
    });
    found
}

/// An aggregate with DISTINCT orders only by its arguments (PostgreSQL's 42P10;
/// `string_agg(DISTINCT a::text, ',' ORDER BY a)` would sort by what it does not show).
/// Compared as written: a cast PostgreSQL would find to be no cast (`text::text`) is
/// refused too.
fn distinct_order(list: &FunctionArgumentList) -> Result<(), PgError> {
    let args: Vec<String> = list.args.iter().map(ToString::to_string).collect();
    for clause in &list.clauses {
        if let sqlparser::ast::FunctionArgumentClause::OrderBy(order) = clause {
            if order.iter().any(|o| !args.contains(&o.expr.to_string())) {
                return Err(PgError::new(
                    crate::protocol::SqlState::INVALID_COLUMN_REFERENCE,
                    "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list",
                ));
            }
        }
    }
    Ok(())
}

/// `string_agg(DISTINCT x, sep …)`, which SQLite refuses (DISTINCT takes one argument):
/// `pg_string_agg_distinct(DISTINCT json_array(x, sep) …)`, whose pairs differ where
/// the values do (engine/pgfuncs/distinct_agg.rs). Only for a constant separator;
/// true when rewritten.
fn distinct_string_agg(f: &mut Function) -> Result<bool, PgError> {
    let FunctionArguments::List(list) = &mut f.args else {
        return Ok(false);
    };
    let constant = |a: &FunctionArg| {
        matches!(
            a,
            FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(_)))
        )
    };
    if !matches!(
        list.duplicate_treatment,
        Some(sqlparser::ast::DuplicateTreatment::Distinct)
    ) || list.args.len() != 2
        || !constant(&list.args[1])
    {
        return Ok(false);
    }
    let args: Vec<Expr> = list
        .args
        .drain(..)
        .filter_map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        })
        .collect();
    list.args = vec![FunctionArg::Unnamed(FunctionArgExpr::Expr(call(
        "json_array",
        args,
    )))];
    f.name = ObjectName::from(vec![Ident::new("pg_string_agg_distinct")]);
    Ok(true)
}

/// Table definitions (serial and identity columns: objects.rs): defaults SQLite wants
/// parenthesised, storage options it has no use for. Returns the checks of the
/// columns' types (by column index), to add once the walk is done.
/// CREATE TABLE's string-literal DEFAULTs read with their columns' types (defaults.rs),
/// by the session's DateStyle and TimeZone, while the types are as written. Without a
/// session (an ALTER TABLE's column, translated when the statement is read) none: the
/// table's rebuild reads them (sql/alter/rebuild.rs).
fn literal_defaults(
    stmt: &Statement,
    settings: &dyn Settings,
) -> Result<Vec<(usize, Expr)>, PgError> {
    let Statement::CreateTable(ct) = stmt else {
        return Ok(Vec::new());
    };
    let Some(zone) = settings.get("TimeZone") else {
        return Ok(Vec::new());
    };
    let style = crate::engine::datetime::InputStyle::from_settings(
        &settings.get("DateStyle").unwrap_or_default(),
        &zone,
        &settings.get("IntervalStyle").unwrap_or_default(),
    );
    let mut found = Vec::new();
    for (i, column) in ct.columns.iter().enumerate() {
        if let Some(e) = defaults::of_column(column, &style)? {
            found.push((i, e));
        }
    }
    Ok(found)
}

fn ddl(stmt: &mut Statement) -> Vec<(usize, ColumnOptionDef)> {
    let Statement::CreateTable(ct) = stmt else {
        return Vec::new();
    };
    let mut checks = Vec::new();
    for (i, column) in ct.columns.iter_mut().enumerate() {
        let name = column.data_type.to_string();
        if let Some(check) = value_check(&column.name, &name) {
            checks.push((i, check));
        }
        enums::declare(&mut column.data_type);
        if let Some(sqlite) = modifier_last(&column.data_type.to_string()) {
            column.data_type = DataType::Custom(ObjectName::from(vec![Ident::new(sqlite)]), vec![]);
        }
        byte_order_collation(column);
        numeric_storage(column);
        for option in &mut column.options {
            if let ColumnOption::Default(e) = &mut option.option {
                if !matches!(e, Expr::Value(_)) {
                    *e = Expr::Nested(Box::new(std::mem::replace(
                        e,
                        Expr::Value(Value::Null.into()),
                    )));
                }
            }
        }
    }
    ct.table_options = sqlparser::ast::CreateTableOptions::None;
    checks
}

/// PostgreSQL's aggregates besides those renamed (`AGGREGATES`).
const PG_AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "json_agg",
    "jsonb_agg",
    "json_object_agg",
    "jsonb_object_agg",
    "xmlagg",
    "percentile_cont",
    "percentile_disc",
    "mode",
];

/// Whether `name` (lower case) is one of PostgreSQL's aggregates litewire knows.
pub(super) fn is_pg_aggregate(name: &str) -> bool {
    PG_AGGREGATES.contains(&name) || AGGREGATES.iter().any(|(pg, _)| *pg == name)
}

/// litewire's aggregates written in place of PostgreSQL's by their argument's type
/// (operators.rs: sum/avg/min/max of intervals, min/max of arrays, a column's min/max).
pub(super) const TYPED_AGGREGATES: &[&str] = &[
    "pg_interval_sum",
    "pg_interval_avg",
    "pg_interval_min",
    "pg_interval_max",
    "pg_array_min",
    "pg_array_max",
    "pg_interval_min_w",
    "pg_interval_max_w",
    "pg_array_min_w",
    "pg_array_max_w",
    "pg_order_min",
    "pg_order_max",
];

/// The parser's mark of `x USING <` in an ORDER BY (order.rs).
pub const ORDER_USING_MARKER: &str = order::USING_MARKER;

/// The parser's mark of `VARIADIC arr` in a call (variadic.rs).
pub const VARIADIC_MARKER: &str = variadic::MARKER;

/// The call around a compared operand whose type only the schema knows
/// (operators.rs), replaced when the statement is prepared (engine/compare.rs).
pub const COMPARE_MARKER: &str = "pg_compare_key";
/// `pg_type_check(x, 'op', 'other type', 'type')` around a comparison or `IN (SELECT
/// …)` of two columns whose types only the schema knows: 42883 when PostgreSQL has no
/// such operator (`bigint = text`), else `(x)`, when the statement is prepared
/// (engine/compare.rs; elsewhere, as in an ALTER TABLE's row tests, x itself).
pub const TYPE_CHECK_MARKER: &str = "pg_type_check";
/// `pg_dt_promote(x, 'other type', 'type')` around each side of a comparison of a
/// date/timestamp with a column (operators.rs): x cast to the other side's type when
/// PostgreSQL promotes it (a date to timestamp, a timestamp to timestamptz), else
/// `(x)`, when the statement is prepared (engine/compare.rs; elsewhere x itself).
pub const DT_PROMOTE_MARKER: &str = "pg_dt_promote";
/// The same around an operand of `<`, `<=`, `>`, `>=` and an ORDER BY column: these
/// also order an enum by its labels' declaration order (equality keeps the label's
/// text, and an index on it).
pub const ORDER_KEY_MARKER: &str = "pg_order_key";

/// The call around `array_agg`'s argument when only the schema knows whether it is an
/// array (operators.rs): `json(x)` for an array, so that it nests (engine/compare.rs).
pub const ARRAY_VALUE_MARKER: &str = "pg_array_value";

/// The call around a json builder's argument when only the schema knows whether it is
/// an array, json or jsonb (operators.rs): `json(x)` then, so that it goes in as JSON
/// rather than as a string (engine/compare.rs).
pub const JSON_VALUE_MARKER: &str = "pg_json_value";

/// `x[k]…` of a column whose type only the schema knows (operators.rs):
/// `pg_subscript_pick(<as an array>, <as jsonb>, 'type')`, one of the two kept when the
/// statement is prepared (engine/compare.rs).
pub const SUBSCRIPT_MARKER: &str = "pg_subscript_pick";

/// `min(x)` / `max(x)` of a column whose type only the schema knows (operators.rs):
/// ordered by that type when it is an interval or an array (engine/compare.rs).
pub const ORDER_MIN_MARKER: &str = "pg_order_min";
pub const ORDER_MAX_MARKER: &str = "pg_order_max";

/// Prefix of the CHECK constraints that make SQLite refuse what a column's type refuses
/// in PostgreSQL (however the value arrives: literal, parameter, INSERT … SELECT,
/// UPDATE, COPY). The name carries the SQLSTATE and the type for the error
/// (engine/error.rs) and keeps them out of the catalogs' constraints.
pub const VALUE_CHECK: &str = "_litewire_";

/// The collation numeric columns are declared with: their stored text compared as
/// numbers (engine/pgfuncs/decimal.rs).
pub const NUMERIC_COLLATION: &str = "pg_numeric";

/// SQLite's declared type of a numeric column: the `text` in it gives it TEXT affinity (one word: SQLite and sqlparser read it back),
/// so a value is kept as the decimal text written (`1.50`, 20 digits) rather than
/// turned into a double; engine/types.rs reads it back as numeric (with the modifier).
pub const NUMERIC_DECL: &str = "numeric_text";

/// A column's `COLLATE "C"` / `"POSIX"` (byte order) as SQLite's BINARY, the order text
/// columns have here anyway; `COLLATE "default"` dropped.
fn byte_order_collation(column: &mut ColumnDef) {
    column.options.retain_mut(|o| {
        let ColumnOption::Collation(name) = &mut o.option else {
            return true;
        };
        if !is_default_collation(name) {
            return true;
        }
        let bare = name.to_string().trim_matches('"').to_ascii_lowercase();
        *name = ObjectName::from(vec![Ident::new("BINARY")]);
        bare != "default"
    });
}

/// A `numeric[(p,s)]` / `decimal` column stored exactly: declared [`NUMERIC_DECL`] with
/// the modifier, compared with [`NUMERIC_COLLATION`].
fn numeric_storage(column: &mut ColumnDef) {
    let written = column.data_type.to_string().to_ascii_lowercase();
    let name = written.strip_prefix("pg_catalog.").unwrap_or(&written);
    let (base, modifier) = match name.find('(') {
        Some(i) => (name[..i].trim(), name[i..].replace(' ', "")),
        None => (name.trim(), String::new()),
    };
    if !matches!(base, "numeric" | "decimal" | "dec") || name.contains('[') {
        return;
    }
    column.data_type = DataType::Custom(
        ObjectName::from(vec![Ident::new(format!("{NUMERIC_DECL}{modifier}"))]),
        vec![],
    );
    column
        .options
        .retain(|o| !matches!(o.option, ColumnOption::Collation(_)));
    column.options.push(ColumnOptionDef {
        name: None,
        option: ColumnOption::Collation(ObjectName::from(vec![Ident::new(NUMERIC_COLLATION)])),
    });
}

/// The CHECK for a column of type `written` (as the client wrote it): integers within
/// int2/int4's range (22003), `numeric(p,s)` within its precision (22003), `varchar(n)` /
/// `char(n)` at most n characters (22001), an enum's labels (22P02, enums.rs). None for
/// other types.
pub fn value_check(column: &Ident, written: &str) -> Option<ColumnOptionDef> {
    let lower = written.to_ascii_lowercase();
    let name = lower.strip_prefix("pg_catalog.").unwrap_or(&lower);
    let c = Expr::Identifier(column.clone());
    let number = |n: String| Expr::Value(Value::Number(n, false).into());
    let (code, pg, check) = if let Some((length, padded)) = casts::char_length(name) {
        let pg = format!(
            "{}({length})",
            if padded {
                "character"
            } else {
                "character varying"
            }
        );
        // Trailing blanks of a char(n) are padding (pg_store drops them from literals).
        let chars = if padded {
            call("rtrim", vec![c, string(" ")])
        } else {
            c
        };
        let check = Expr::BinaryOp {
            left: Box::new(call("length", vec![chars])),
            op: BinaryOperator::LtEq,
            right: Box::new(number(length.to_string())),
        };
        ("22001", pg, check)
    } else if let Some((precision, scale)) = numeric_typmod(name) {
        // PostgreSQL rounds to the scale, then refuses what has more integer digits
        // (and an infinity): checked exactly on the stored text (engine/functions.rs).
        let check = call(
            "pg_numeric_fits",
            vec![c, number(precision.to_string()), number(scale.to_string())],
        );
        ("22003", format!("numeric({precision},{scale})"), check)
    } else {
        let (pg, bits) = match name {
            "int2" | "smallint" => ("smallint", 15),
            "int" | "int4" | "integer" => ("integer", 31),
            _ => return enums::column_check(column, written),
        };
        let check = Expr::Between {
            expr: Box::new(c),
            negated: false,
            low: Box::new(number(format!("-{}", 1i64 << bits))),
            high: Box::new(number(((1i64 << bits) - 1).to_string())),
        };
        ("22003", pg.to_string(), check)
    };
    Some(ColumnOptionDef {
        name: Some(Ident::with_quote('"', format!("{VALUE_CHECK}{code} {pg}"))),
        option: ColumnOption::Check(check),
    })
}

/// A number with more digits than a double holds (`12345678901234567890.1`) becomes
/// numeric's exact text, which SQLite reads as a number in arithmetic and numeric
/// comparisons read exactly (operators.rs). After the walk: the translation sees the
/// literal as a number (a numeric function's refusal, a literal's type).
fn exact_numbers(stmt: &mut Statement) {
    let _ = sqlparser::ast::visit_expressions_mut(stmt, |e| {
        // `-12345678901234567890.1`: its operand (visited first) is the text already.
        if let Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr: operand,
        } = e
        {
            if let Expr::Value(v) = &**operand {
                if let Value::SingleQuotedString(t) = &v.value {
                    if exact_number(t).is_some() {
                        *e = Expr::Value(Value::SingleQuotedString(format!("-{t}")).into());
                    }
                }
            }
            return ControlFlow::Continue(());
        }
        if let Expr::Value(v) = e {
            if let Value::Number(n, _) = &v.value {
                if let Some(text) = exact_number(n) {
                    v.value = Value::SingleQuotedString(text);
                }
            }
        }
        ControlFlow::<()>::Continue(())
    });
}

/// The canonical text of a number literal a double cannot hold with all its digits;
/// None for one it can (and for integers of 64 bits: SQLite's own).
///
/// Only then: a literal held as text compares as text with SQLite's numbers (`1.50
/// BETWEEN 1 AND 2`, `r * 1.10 > 100.00`, `max` over a VALUES list would answer
/// wrongly), so a literal whose value a double holds stays a double even though its
/// written scale (`1.50`, `0.0`) is then not printed (COMPAT.md).
pub(super) fn exact_number(n: &str) -> Option<String> {
    use crate::engine::pgfuncs::decimal::Num;
    if n.parse::<i64>().is_ok() {
        return None;
    }
    let exact = Num::parse(n)?;
    let double = Num::from_f64(n.parse().ok()?);
    // A fraction of more than 13 digits too: a numeric column would store the double
    // as SQLite's text of it, which may have 17 (decimal.rs `to_value`).
    let long =
        matches!(&exact, Num::Fin(d) if d.scale > 0 && d.value.magnitude().to_string().len() > 13);
    (long || double.cmp(&exact) != std::cmp::Ordering::Equal).then(|| exact.to_string())
}

/// The (precision, scale) of `numeric(p[,s])` / `decimal(p[,s])` within PostgreSQL's
/// limits (precision 1 to 1000, scale -1000 to 1000).
pub(super) fn numeric_typmod(name: &str) -> Option<(i64, i64)> {
    let (base, rest) = name.split_once('(')?;
    if !matches!(base.trim(), "numeric" | "decimal") {
        return None;
    }
    let mut parts = rest.strip_suffix(')')?.split(',');
    let precision: i64 = parts.next()?.trim().parse().ok()?;
    let scale: i64 = match parts.next() {
        Some(s) => s.trim().parse().ok()?,
        None => 0,
    };
    // PostgreSQL 15's: a scale from -1000 (rounding to tens, hundreds…) to 1000.
    ((1..=1000).contains(&precision) && (-1000..=1000).contains(&scale))
        .then_some((precision, scale))
}

/// SQLite's spelling of a type whose modifier PostgreSQL writes mid-name:
/// `TIMESTAMP(2) WITH TIME ZONE` → `TIMESTAMP WITH TIME ZONE(2)` (SQLite's type names are
/// words, then the numbers), `char(5)[]` → `char [](5)`; the declared type still reads as
/// the PostgreSQL type (engine/types.rs). None when the name needs no change.
fn modifier_last(name: &str) -> Option<String> {
    let open = name.find('(')?;
    let close = open + name[open..].find(')')?;
    let rest = name[close + 1..].trim();
    if rest.is_empty() {
        return None;
    }
    Some(format!(
        "{} {rest}{}",
        name[..open].trim_end(),
        &name[open..=close]
    ))
}

/// `pg_catalog.x` → `x`; `public.x` → `main.x`; `pg_temp.x` → `temp.x`;
/// `information_schema.x` →
/// `information_schema_x` (the catalog tables, engine/catalog); `s.x` of a user schema →
/// `"s.x"` (schemas.rs).
fn unqualify(name: &mut ObjectName) {
    let first = match name.0.first() {
        Some(ObjectNamePart::Identifier(i)) if name.0.len() > 1 => i.value.to_ascii_lowercase(),
        _ => return,
    };
    match first.as_str() {
        "pg_catalog" => {
            name.0.remove(0);
        }
        "public" => name.0[0] = ObjectNamePart::Identifier(Ident::new("main")),
        // The session's temporary schema is SQLite's `temp`.
        "pg_temp" => name.0[0] = ObjectNamePart::Identifier(Ident::new("temp")),
        "information_schema" => {
            if let Some(ObjectNamePart::Identifier(t)) = name.0.get(1) {
                let joined = format!("information_schema_{}", t.value.to_ascii_lowercase());
                name.0 = vec![ObjectNamePart::Identifier(Ident::new(joined))];
            }
        }
        _ => schemas::join(name),
    }
}

/// Names the walk does not visit as relations, as pg_dump writes them: a view's own name
/// (`CREATE VIEW public.v`) and dropped objects' names are unqualified as any relation
/// is, and a foreign key's table
/// and an index's table lose `public.`/`main.` (SQLite's REFERENCES and `CREATE INDEX …
/// ON` name a table of the same file, bare).
fn same_database_names(stmt: &mut Statement) {
    use sqlparser::ast::{AlterTableOperation, ColumnOption, TableConstraint};
    fn bare(name: &mut ObjectName) {
        // `"public"` as well as `public` (drizzle-kit quotes every name); SQLite finds a
        // temporary table by its bare name first (and puts its index with it).
        let local = |p: &ObjectNamePart| {
            p.as_ident()
                .map(crate::sql::alter::ident)
                .is_some_and(|p| p == "public" || p == "main" || p == "pg_temp")
        };
        if name.0.len() == 2 && local(&name.0[0]) {
            name.0.remove(0);
        }
        schemas::join(name);
    }
    fn constraint(c: &mut TableConstraint) {
        if let TableConstraint::ForeignKey { foreign_table, .. } = c {
            bare(foreign_table);
        }
    }
    match stmt {
        Statement::CreateView { name, .. } => unqualify(name),
        Statement::CreateIndex(ci) => {
            // An index is in its table's schema (its name may not say one).
            if let (Some(schema), Some(name)) = (
                schemas::qualified(&ci.table_name)
                    .and_then(|t| schemas::schema_of(&t).map(str::to_string)),
                ci.name.as_mut().filter(|n| n.0.len() == 1),
            ) {
                let index = name.0[0].as_ident().map(crate::sql::alter::ident);
                if let Some(index) = index {
                    name.0 = vec![ObjectNamePart::Identifier(Ident::with_quote(
                        '"',
                        schemas::joined(&schema, &index),
                    ))];
                }
            }
            bare(&mut ci.table_name)
        }
        // SQLite's DROP … IF EXISTS of `public.t` (no such schema) would do nothing.
        Statement::Drop { names, .. } => names.iter_mut().for_each(unqualify),
        Statement::CreateTable(ct) => {
            for option in ct.columns.iter_mut().flat_map(|c| c.options.iter_mut()) {
                if let ColumnOption::ForeignKey { foreign_table, .. } = &mut option.option {
                    bare(foreign_table);
                }
            }
            ct.constraints.iter_mut().for_each(constraint);
        }
        Statement::AlterTable { operations, .. } => {
            for op in operations {
                if let AlterTableOperation::AddConstraint { constraint: c, .. } = op {
                    constraint(c);
                }
            }
        }
        _ => {}
    }
}

/// `pg_catalog.pg_class.relname` → `pg_class.relname`, `s.t.c` → `t.c`.
fn compound(e: Expr) -> Expr {
    match e {
        // `s.t.c` of a user schema's table is `t.c`: its FROM item keeps the name `t`.
        Expr::CompoundIdentifier(mut parts)
            if parts.len() > 2
                && (parts[0].value.eq_ignore_ascii_case("pg_catalog")
                    || schemas::is_user_schema(&crate::sql::alter::ident(&parts[0]))) =>
        {
            parts.remove(0);
            Expr::CompoundIdentifier(parts)
        }
        other => other,
    }
}

fn is_default_collation(c: &ObjectName) -> bool {
    let last =
        c.0.last()
            .map(|p| p.to_string().trim_matches('"').to_ascii_lowercase());
    matches!(last.as_deref(), Some("default" | "c" | "posix"))
}

/// A binary operation with PostgreSQL's grouping made explicit (SQLite binds `||`
/// tighter than arithmetic; PostgreSQL the other way round), regex operators as
/// SQLite's REGEXP.
fn binary(left: Expr, op: BinaryOperator, right: Expr) -> Result<Expr, PgError> {
    // `'x' || 't'::regclass` concatenates the name, as its text output is.
    let (left, right) = match op {
        BinaryOperator::StringConcat => (
            casts::oid_name(&left).unwrap_or(left),
            casts::oid_name(&right).unwrap_or(right),
        ),
        _ => (left, right),
    };
    let (left, op, right) = match arrays::operator(left, op, right) {
        Ok(e) => return Ok(e),
        Err(parts) => *parts,
    };
    let (left, op, right) = match json::operator(left, op, right)? {
        Ok(e) => return Ok(e),
        Err(parts) => parts,
    };
    if op == BinaryOperator::PGExp {
        // `a ^ b` is power(a, b).
        return functions::power_operator(left, right);
    }
    if op == BinaryOperator::PGBitwiseXor {
        // `a # b`: SQLite has no XOR; `~(a & b) & (a | b)` is it, bit by bit.
        let (a, b) = (nest(Box::new(left)), nest(Box::new(right)));
        let both = Expr::BinaryOp {
            left: a.clone(),
            op: BinaryOperator::BitwiseAnd,
            right: b.clone(),
        };
        let either = Expr::BinaryOp {
            left: a,
            op: BinaryOperator::BitwiseOr,
            right: b,
        };
        return Ok(Expr::Nested(Box::new(Expr::BinaryOp {
            left: Box::new(Expr::UnaryOp {
                op: sqlparser::ast::UnaryOperator::PGBitwiseNot,
                expr: Box::new(Expr::Nested(Box::new(both))),
            }),
            op: BinaryOperator::BitwiseAnd,
            right: Box::new(Expr::Nested(Box::new(either))),
        })));
    }
    let op_name = match &op {
        BinaryOperator::PGCustomBinaryOperator(parts) => {
            let parts: Vec<&str> = parts
                .iter()
                .map(String::as_str)
                .filter(|p| !p.eq_ignore_ascii_case("pg_catalog"))
                .collect();
            parts.join(".")
        }
        other => other.to_string(),
    };
    let regex = match op_name.as_str() {
        "~" => Some((false, false)),
        "!~" => Some((true, false)),
        "~*" => Some((false, true)),
        "!~*" => Some((true, true)),
        _ => None,
    };
    if let Some((negated, insensitive)) = regex {
        let pattern = if insensitive {
            Expr::BinaryOp {
                left: Box::new(string("(?i)")),
                op: BinaryOperator::StringConcat,
                right: nest(Box::new(right)),
            }
        } else {
            right
        };
        return Ok(Expr::RLike {
            negated,
            expr: nest(Box::new(left)),
            pattern: nest(Box::new(pattern)),
            regexp: true,
        });
    }
    if let BinaryOperator::PGCustomBinaryOperator(_) = op {
        return Err(unsupported(format!("operator {op_name}")));
    }
    // Date/time arithmetic needs the operands' types, which the walk does not use yet;
    // where the tree itself says an operand is a date, time or interval (a cast or a
    // typed literal), SQLite's arithmetic on its text would be a wrong answer
    // (`'2024-01-01'::date + 1` gave 2025), so it is refused instead.
    let arithmetic = matches!(
        op,
        BinaryOperator::Plus
            | BinaryOperator::Minus
            | BinaryOperator::Multiply
            | BinaryOperator::Divide
    );
    if arithmetic {
        if let Some(t) = temporal(&left).or_else(|| temporal(&right)) {
            return Err(unsupported(format!(
                "arithmetic on {t} values (operator {op})"
            )));
        }
    }
    Ok(Expr::BinaryOp {
        left: nest(Box::new(left)),
        op,
        right: nest(Box::new(right)),
    })
}

/// The date/time type an operand certainly has, from its cast or typed literal.
fn temporal(e: &Expr) -> Option<&'static str> {
    let Expr::Function(f) = e else { return None };
    Some(match f.name.to_string().as_str() {
        "pg_date" => "date",
        "pg_timestamp" => "timestamp",
        "pg_timestamptz" => "timestamptz",
        "pg_interval" => "interval",
        _ => return None,
    })
}

/// `e` in parentheses unless it is a single term.
fn nest(e: Box<Expr>) -> Box<Expr> {
    match *e {
        Expr::Identifier(_)
        | Expr::CompoundIdentifier(_)
        | Expr::Value(_)
        | Expr::Function(_)
        | Expr::Nested(_)
        | Expr::Subquery(_)
        | Expr::Cast { .. } => e,
        other => Box::new(Expr::Nested(Box::new(other))),
    }
}

/// A call of `name(args)`.
pub(crate) fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(Function {
        name: ObjectName::from(vec![Ident::new(name)]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args
                .into_iter()
                .map(|a| FunctionArg::Unnamed(FunctionArgExpr::Expr(a)))
                .collect(),
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}

/// A string literal.
pub(super) fn string(s: &str) -> Expr {
    Expr::Value(Value::SingleQuotedString(s.to_string()).into())
}

/// SQLite text for a piece of SQL the tree has no node for, printed as is.
pub(super) fn raw(sql: String) -> Expr {
    Expr::Identifier(Ident::new(sql))
}

/// The arguments of `f`, when all are plain expressions.
pub(crate) fn plain_args(f: &Function) -> Option<Vec<&Expr>> {
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    list.args
        .iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        })
        .collect()
}

/// A call's arguments by position then by name (`name => x`, `name := x`), in the
/// slots of `names`; None for an unknown or repeated name, a positional argument after
/// a named one, or too many arguments (PostgreSQL: no such function).
pub(super) fn named_args(args: &[FunctionArg], names: &[&str]) -> Option<Vec<Option<Expr>>> {
    let mut slots: Vec<Option<Expr>> = vec![None; names.len()];
    let mut named = false;
    for (i, a) in args.iter().enumerate() {
        let (at, e) = match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) if !named => (i, e),
            FunctionArg::Named {
                name,
                arg: FunctionArgExpr::Expr(e),
                ..
            } => {
                named = true;
                let at = names
                    .iter()
                    .position(|n| name.value.eq_ignore_ascii_case(n))?;
                (at, e)
            }
            _ => return None,
        };
        match slots.get_mut(at) {
            Some(slot @ None) => *slot = Some(e.clone()),
            _ => return None,
        }
    }
    Some(slots)
}

/// The arguments of `f` when all are literals, as text.
fn literal_args(f: &Function) -> Option<Vec<String>> {
    plain_args(f)?
        .into_iter()
        .map(|e| match e {
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(s) => Some(s.clone()),
                Value::Boolean(b) => Some(b.to_string()),
                Value::Number(n, _) => Some(n.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests;
