//! Set-returning functions (`generate_series`, `unnest`, `regexp_matches`,
//! `generate_subscripts`, `string_to_table`, `regexp_split_to_table`, any scalar function)
//! in FROM, with `WITH ORDINALITY` and column aliases, or alone in a select list (moved
//! into FROM; several run in lockstep through `pg_zip`), as the engine's table-valued
//! functions (engine/srf.rs): their columns are named so that they never collide with a
//! table's, and the statement's names for them are put where it uses them.

use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr, Ident, ObjectName, Query,
    SelectItem, SetExpr, Statement, TableAlias, TableFactor, TableFunctionArgs, TableWithJoins,
    Value, VisitMut, VisitorMut,
};

use super::arrays::is_catalog_vector;
use super::{call, raw, string, unsupported};
use crate::protocol::PgError;

/// Set-returning functions alone in a select list (`SELECT unnest(a) FROM t`) become a
/// source in FROM (`FROM t, unnest(a) AS _srf1`, rewritten by [`set_returning_sources`])
/// and the item its column, keeping the function's name. PostgreSQL runs several such
/// functions in lockstep and runs them after grouping: both are refused.
pub(super) fn select_list_sources(stmt: &mut Statement) -> Result<(), PgError> {
    struct Lift(usize);
    impl VisitorMut for Lift {
        type Break = PgError;
        fn pre_visit_query(&mut self, q: &mut Query) -> ControlFlow<PgError> {
            match lift(q, &mut self.0) {
                Ok(()) => ControlFlow::Continue(()),
                Err(e) => ControlFlow::Break(e),
            }
        }
    }
    match stmt.visit(&mut Lift(0)) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(e) => Err(e),
    }
}

/// Whether a select list calls an aggregate or window function (a query that is then
/// one row per group, which a source in FROM would multiply before grouping).
fn aggregates(items: &[SelectItem]) -> bool {
    const AGGREGATES: &[&str] = &[
        "count",
        "sum",
        "avg",
        "min",
        "max",
        "array_agg",
        "string_agg",
        "json_agg",
        "jsonb_agg",
        "json_object_agg",
        "jsonb_object_agg",
        "bool_and",
        "bool_or",
        "every",
        "bit_and",
        "bit_or",
        "stddev",
        "variance",
        "group_concat",
        "json_group_array",
    ];
    items.iter().any(|item| {
        sqlparser::ast::visit_expressions(item, |e| match e {
            Expr::Function(f)
                if f.over.is_some() || {
                    let name = f.name.to_string().to_ascii_lowercase();
                    AGGREGATES.contains(&name.as_str())
                        || super::TYPED_AGGREGATES.contains(&name.as_str())
                } =>
            {
                ControlFlow::Break(())
            }
            _ => ControlFlow::Continue(()),
        })
        .is_break()
    })
}

fn lift(q: &mut Query, counter: &mut usize) -> Result<(), PgError> {
    let SetExpr::Select(select) = q.body.as_mut() else {
        return Ok(());
    };
    let srf = |e: &Expr| match e {
        Expr::Function(f) if f.over.is_none() && f.filter.is_none() => {
            let name = f.name.to_string().to_ascii_lowercase();
            let name = name
                .strip_prefix("pg_catalog.")
                .unwrap_or(&name)
                .to_string();
            (SET_RETURNING.contains(&name.as_str())
                || super::json::SELECT_LIST_SOURCES.contains(&name.as_str()))
            .then_some(name)
        }
        _ => None,
    };
    let found: Vec<usize> = select
        .projection
        .iter_mut()
        .enumerate()
        .filter_map(|(k, item)| match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                srf_slot(e, &srf).map(|_| k)
            }
            _ => None,
        })
        .collect();
    if found.is_empty() {
        return Ok(());
    }
    let grouped = !matches!(&select.group_by, GroupByExpr::Expressions(g, _) if g.is_empty())
        || select.having.is_some()
        || aggregates(&select.projection);
    if grouped {
        return Err(unsupported(
            "a set-returning function in a grouped select list",
        ));
    }
    *counter += 1;
    let alias = format!("_srf{counter}");
    let [k] = found.as_slice() else {
        return lockstep(select, &found, alias, srf);
    };
    let Some((call, item)) = take_srf(
        &mut select.projection[*k],
        &srf,
        Expr::Identifier(Ident::new(alias.clone())),
    ) else {
        return Ok(());
    };
    let Expr::Function(f) = call else {
        return Ok(());
    };
    let FunctionArguments::List(list) = f.args else {
        return Err(unsupported("this set-returning function call"));
    };
    select.projection[*k] = item;
    let mut relation = table_function(f.name, list.args, alias.clone());
    if let TableFactor::Table {
        alias: Some(a),
        name,
        ..
    } = &mut relation
    {
        // The source's one column is named by its alias (json_array_elements' would be
        // `value`), as the select item refers to it.
        let f = name.to_string().to_ascii_lowercase();
        if super::json::SELECT_LIST_SOURCES.contains(&f.as_str()) {
            a.columns = vec![sqlparser::ast::TableAliasColumnDef::from_name(alias)];
        }
    }
    select.from.push(TableWithJoins {
        relation,
        joins: vec![],
    });
    Ok(())
}

/// The one set-returning call of a select item's expression: the item itself, or an
/// operand of arithmetic (also once typed: `pg_int`, `pg_op`), a sign, parentheses or a
/// cast around it (`generate_subscripts(indkey, 1) + 1`, as drizzle-kit writes). None when there is
/// none, or more than one (arrays.rs refuses them where they stand).
fn srf_slot<'e>(e: &'e mut Expr, srf: &dyn Fn(&Expr) -> Option<String>) -> Option<&'e mut Expr> {
    if srf(e).is_some() {
        return Some(e);
    }
    inner_srf_slot(e, srf)
}

/// [`srf_slot`] below the item itself: only the array and series functions (a json
/// source's value in arithmetic would need jsonb's operators, which have none: 42883).
fn inner_srf_slot<'e>(
    e: &'e mut Expr,
    srf: &dyn Fn(&Expr) -> Option<String>,
) -> Option<&'e mut Expr> {
    if srf(e).is_some_and(|name| SET_RETURNING.contains(&name.as_str())) {
        return Some(e);
    }
    // Exactly one of the operands holds one.
    fn one<'e>(
        mut operands: Vec<&'e mut Expr>,
        srf: &dyn Fn(&Expr) -> Option<String>,
    ) -> Option<&'e mut Expr> {
        let holding: Vec<usize> = operands
            .iter_mut()
            .enumerate()
            .filter_map(|(k, o)| inner_srf_slot(o, srf).map(|_| k))
            .collect();
        let [k] = holding.as_slice() else {
            return None;
        };
        inner_srf_slot(operands.swap_remove(*k), srf)
    }
    match e {
        Expr::BinaryOp { left, right, .. } => one(vec![left, right], srf),
        // (numeric's results carry `COLLATE pg_numeric`.)
        Expr::UnaryOp { expr, .. }
        | Expr::Nested(expr)
        | Expr::Cast { expr, .. }
        | Expr::Collate { expr, .. } => inner_srf_slot(expr, srf),
        // The typed arithmetic's calls (operators.rs: `pg_int(a, b, code)`, `pg_op(…)`).
        Expr::Function(f)
            if f.over.is_none() && matches!(f.name.to_string().as_str(), "pg_int" | "pg_op") =>
        {
            let FunctionArguments::List(list) = &mut f.args else {
                return None;
            };
            let args = list
                .args
                .iter_mut()
                .filter_map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                    _ => None,
                })
                .collect();
            one(args, srf)
        }
        _ => None,
    }
}

/// Takes the set-returning call out of select item `item`, `column` (what stands for its
/// value) in its place: the call, and the item to put back. An item that is the call
/// alone keeps the function's name as PostgreSQL names the column.
fn take_srf(
    item: &mut SelectItem,
    srf: &dyn Fn(&Expr) -> Option<String>,
    column: Expr,
) -> Option<(Expr, SelectItem)> {
    let (expr, alias) = match item {
        SelectItem::UnnamedExpr(e) => (e, None),
        SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.clone())),
        _ => return None,
    };
    let whole = srf(expr).map(Ident::new);
    let slot = srf_slot(expr, srf)?;
    let call = std::mem::replace(slot, column);
    let expr = std::mem::replace(expr, Expr::value(Value::Null));
    let item = match alias.or(whole) {
        Some(alias) => SelectItem::ExprWithAlias { expr, alias },
        None => SelectItem::UnnamedExpr(expr),
    };
    Some((call, item))
}

/// Several set-returning functions in one select list (`unnest(indkey) AS attnum,
/// generate_subscripts(indkey, 1) AS ord`, as SQLAlchemy's inspector writes): PostgreSQL
/// runs them in lockstep, one row per element of the longest. They become one source,
/// `pg_zip(…) AS alias` in FROM (rewritten to pg_rows), each item its own element of the row.
fn lockstep(
    select: &mut sqlparser::ast::Select,
    found: &[usize],
    alias: String,
    srf: impl Fn(&Expr) -> Option<String>,
) -> Result<(), PgError> {
    let mut arrays = Vec::new();
    for (position, &k) in found.iter().enumerate() {
        let element = call(
            "json_extract",
            vec![
                Expr::CompoundIdentifier(vec![Ident::new(alias.clone()), Ident::new(VALUE)]),
                string(&format!("$[{position}]")),
            ],
        );
        let Some((expr, item)) = take_srf(&mut select.projection[k], &srf, element) else {
            return Ok(());
        };
        let function = srf(&expr).unwrap_or_default();
        let Expr::Function(f) = expr else {
            return Ok(());
        };
        let args = match f.args {
            FunctionArguments::List(list)
                if !super::json::SELECT_LIST_SOURCES.contains(&function.as_str()) =>
            {
                list.args
                    .into_iter()
                    .map(|a| match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Ok(e),
                        _ => Err(unsupported(format!("this call of {function}"))),
                    })
                    .collect::<Result<Vec<_>, _>>()?
            }
            _ => {
                return Err(unsupported(format!(
                    "{function} beside another set-returning function in a select list"
                )))
            }
        };
        arrays.push(json_array_of(&function, args));
        select.projection[k] = item;
    }
    select.from.push(TableWithJoins {
        // Made `pg_rows(pg_zip(…))` with the other sources (rewrite_source).
        relation: table_function(
            ObjectName::from(vec![Ident::new("pg_zip")]),
            arrays
                .into_iter()
                .map(|a| FunctionArg::Unnamed(FunctionArgExpr::Expr(a)))
                .collect(),
            alias,
        ),
        joins: vec![],
    });
    Ok(())
}

/// Set-returning functions rewritten in FROM: per source, its alias and its columns'
/// names with the SQLite expression each stands for, and whether it sits in a query's
/// FROM (rather than an UPDATE's or DELETE's). While the main walk is inside queries,
/// `visible` holds the rewritten sources' aliases in each one's FROM, innermost last: a
/// query's source columns are not the columns of an enclosing query that selects from it
/// as a derived table (`SELECT key FROM (SELECT * FROM unnest(…) u(key)) d`).
#[derive(Default)]
pub(super) struct Sources {
    all: Vec<(Source, bool)>,
    visible: Vec<Vec<String>>,
}

impl Sources {
    /// The expression for column `column` (of `table`, when qualified), if a rewritten
    /// source in scope provides it.
    pub(super) fn column(&self, table: Option<&str>, column: &str) -> Option<Expr> {
        self.all
            .iter()
            .filter(|((alias, _), in_query)| {
                !in_query || self.visible.iter().flatten().any(|v| v == alias)
            })
            .map(|(source, _)| source)
            .filter(|(alias, _)| table.is_none_or(|t| t.eq_ignore_ascii_case(alias)))
            .flat_map(|(_, cols)| cols)
            .find(|(name, _)| name.eq_ignore_ascii_case(column))
            .map(|(_, with)| raw(with.clone()))
    }

    /// The rewritten source called `alias`.
    fn named(&self, alias: &str) -> Option<&Source> {
        self.all
            .iter()
            .map(|(source, _)| source)
            .find(|(s, _)| s == alias)
    }

    /// The walk enters query `q`: its FROM's rewritten sources come into scope.
    pub(super) fn enter(&mut self, q: &Query) {
        fn aliases(body: &SetExpr, out: &mut Vec<String>) {
            match body {
                SetExpr::Select(select) => {
                    for from in &select.from {
                        let relations = std::iter::once(&from.relation)
                            .chain(from.joins.iter().map(|j| &j.relation));
                        for r in relations {
                            if let TableFactor::Table {
                                alias: Some(a),
                                args: Some(_),
                                ..
                            } = r
                            {
                                out.push(a.name.value.clone());
                            }
                        }
                    }
                }
                SetExpr::SetOperation { left, right, .. } => {
                    aliases(left, out);
                    aliases(right, out);
                }
                _ => {}
            }
        }
        let mut found = Vec::new();
        aliases(&q.body, &mut found);
        self.visible.push(found);
    }

    /// The walk leaves the query it last entered.
    pub(super) fn leave(&mut self) {
        self.visible.pop();
    }
}

/// Rewrites set-returning functions in FROM, `f(...) [WITH ORDINALITY] [AS] a [(c1
/// [, c2])]`, to the engine's table-valued functions (`pg_generate_series(...) AS a`, or
/// `pg_rows(...) AS a` over their elements as a JSON array); their columns (`c1`, or `a`
/// itself without a list; `c2` the ordinality) are `a._lw_value` and `a._lw_ord`, which
/// the main walk puts wherever the statement names them.
pub(super) fn set_returning_sources(stmt: &mut Statement) -> Result<Sources, PgError> {
    /// The sources found, and how many queries the walk is inside.
    struct Collect(Sources, usize);
    impl VisitorMut for Collect {
        type Break = PgError;
        fn pre_visit_query(&mut self, _: &mut Query) -> ControlFlow<PgError> {
            self.1 += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, q: &mut Query) -> ControlFlow<PgError> {
            self.1 -= 1;
            expand_wildcard(q, &self.0);
            ControlFlow::Continue(())
        }
        fn pre_visit_table_factor(&mut self, t: &mut TableFactor) -> ControlFlow<PgError> {
            match rewrite_source(t) {
                Ok(Some(source)) => self.0.all.push((source, self.1 > 0)),
                Ok(None) => {}
                Err(e) => return ControlFlow::Break(e),
            }
            ControlFlow::Continue(())
        }
    }
    let mut c = Collect(Sources::default(), 0);
    match stmt.visit(&mut c) {
        ControlFlow::Continue(()) => Ok(c.0),
        ControlFlow::Break(e) => Err(e),
    }
}

type Source = (String, Vec<(String, String)>);

const TABLE_FUNCTIONS: [&str; 3] = ["pg_rows", "pg_generate_series", "json_each"];

/// `SELECT * FROM unnest(…) AS u(x)`: where every source in FROM is a rewritten one, `*`
/// is their columns (SQLite's would be json_each's); in each SELECT of a set operation too.
fn expand_wildcard(q: &mut Query, sources: &Sources) {
    expand_in(q.body.as_mut(), sources);
}

fn expand_in(body: &mut SetExpr, sources: &Sources) {
    match body {
        SetExpr::Select(select) => expand_select(select, sources),
        SetExpr::SetOperation { left, right, .. } => {
            expand_in(left, sources);
            expand_in(right, sources);
        }
        _ => {}
    }
}

fn expand_select(select: &mut sqlparser::ast::Select, sources: &Sources) {
    if !matches!(select.projection.as_slice(), [SelectItem::Wildcard(_)]) {
        expand_qualified(select, sources);
        return;
    }
    let mut columns = Vec::new();
    for from in std::iter::once(&select.from).flatten() {
        // `a JOIN b USING (k)`: `*` lists k once; `a.*, b.*` would not.
        if from.joins.iter().any(|j| merges_columns(&j.join_operator)) {
            return;
        }
        let relations =
            std::iter::once(&from.relation).chain(from.joins.iter().map(|j| &j.relation));
        for r in relations {
            let (name, alias) = match r {
                TableFactor::Table {
                    name,
                    alias,
                    args: None,
                    ..
                } => (name, alias.as_ref().map(|a| &a.name)),
                TableFactor::Table {
                    name,
                    alias: Some(alias),
                    ..
                } => (name, Some(&alias.name)),
                TableFactor::Derived {
                    alias: Some(alias), ..
                } => {
                    columns.push(qualified_wildcard(ObjectName::from(vec![alias
                        .name
                        .clone()])));
                    continue;
                }
                _ => return,
            };
            let found = alias.and_then(|a| sources.named(&a.value));
            match found {
                Some((_, cols)) if TABLE_FUNCTIONS.contains(&name.to_string().as_str()) => {
                    columns.extend(named_columns(cols))
                }
                // Another table: its own columns.
                _ => columns.push(qualified_wildcard(match alias {
                    Some(a) => ObjectName::from(vec![a.clone()]),
                    None => name.clone(),
                })),
            }
        }
    }
    // Only where a function's hidden columns (json_each's key, type...) would show.
    if !columns
        .iter()
        .any(|c| matches!(c, SelectItem::ExprWithAlias { .. }))
    {
        return;
    }
    if !columns.is_empty() {
        select.projection = columns;
    }
}

/// `u.*` of a rewritten source: its columns (the function's own would show otherwise).
fn expand_qualified(select: &mut sqlparser::ast::Select, sources: &Sources) {
    use sqlparser::ast::SelectItemQualifiedWildcardKind as Kind;
    let of_source = |item: &SelectItem| match item {
        SelectItem::QualifiedWildcard(Kind::ObjectName(n), _) => match n.0.as_slice() {
            [part] => part.as_ident().and_then(|i| sources.named(&i.value)),
            _ => None,
        },
        _ => None,
    };
    if !select.projection.iter().any(|i| of_source(i).is_some()) {
        return;
    }
    let mut projection = Vec::with_capacity(select.projection.len());
    for item in std::mem::take(&mut select.projection) {
        match of_source(&item) {
            Some((_, cols)) => projection.extend(named_columns(cols)),
            None => projection.push(item),
        }
    }
    select.projection = projection;
}

/// A source's columns as select items, each under its name.
fn named_columns(cols: &[(String, String)]) -> impl Iterator<Item = SelectItem> + '_ {
    cols.iter().map(|(c, with)| SelectItem::ExprWithAlias {
        expr: raw(with.clone()),
        alias: Ident::new(c.clone()),
    })
}

fn qualified_wildcard(name: ObjectName) -> SelectItem {
    SelectItem::QualifiedWildcard(
        sqlparser::ast::SelectItemQualifiedWildcardKind::ObjectName(name),
        Default::default(),
    )
}

/// Whether a join merges its equal columns (USING, NATURAL).
fn merges_columns(op: &sqlparser::ast::JoinOperator) -> bool {
    use sqlparser::ast::{JoinConstraint, JoinOperator as J};
    match op {
        J::Join(c)
        | J::Inner(c)
        | J::Left(c)
        | J::LeftOuter(c)
        | J::Right(c)
        | J::RightOuter(c)
        | J::FullOuter(c) => matches!(c, JoinConstraint::Using(_) | JoinConstraint::Natural),
        _ => false,
    }
}

fn rewrite_source(t: &mut TableFactor) -> Result<Option<Source>, PgError> {
    if let Some(source) = super::json::source(t)? {
        return Ok(Some(source));
    }
    let (function, args, ordinality, alias) = match t {
        TableFactor::Table {
            name,
            args: Some(args),
            with_ordinality,
            alias,
            ..
        } => {
            let f = name.to_string().to_ascii_lowercase();
            let f = f.strip_prefix("pg_catalog.").unwrap_or(&f).to_string();
            if !SET_RETURNING.contains(&f.as_str())
                && !matches!(
                    f.as_str(),
                    "pg_partition_ancestors" | "pg_zip" | "pg_options_to_table"
                )
                && sqlite_table_function(&f)
            {
                return Ok(None);
            }
            let args = args
                .args
                .iter()
                .map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Ok(e.clone()),
                    _ => Err(unsupported(format!("this call of {f}"))),
                })
                .collect::<Result<Vec<_>, _>>()?;
            (f, args, *with_ordinality, alias.take())
        }
        TableFactor::UNNEST {
            alias,
            array_exprs,
            with_ordinality,
            ..
        } => (
            "unnest".to_string(),
            std::mem::take(array_exprs),
            *with_ordinality,
            alias.take(),
        ),
        _ => return Ok(None),
    };
    let zipped = function == "unnest" && args.len() > 1;
    let width = args.len();
    // generate_series streams its rows; the others are the elements of a JSON array, a
    // function that is not set-returning its one value (`FROM current_schema()`).
    let scalar = !SET_RETURNING.contains(&function.as_str())
        && !matches!(
            function.as_str(),
            "pg_partition_ancestors" | "pg_zip" | "pg_options_to_table"
        );
    let (table, args) = if function == "generate_series" {
        ("pg_generate_series", args)
    } else if scalar {
        (
            "pg_rows",
            vec![call("json_array", vec![call(&function, args)])],
        )
    } else {
        ("pg_rows", vec![json_array_of(&function, args)])
    };
    let (alias, names) = match alias {
        Some(a) => {
            let names: Vec<String> = a.columns.iter().map(|c| c.name.value.clone()).collect();
            (a.name.value, names)
        }
        None => (function.clone(), vec![]),
    };
    let first = names.first().cloned().unwrap_or_else(|| alias.clone());
    let mut cols = if zipped {
        // `unnest(a, b) AS t(x, y)`: each row a JSON array of one element per argument.
        (0..width)
            .map(|k| {
                let name = names.get(k).cloned().unwrap_or_else(|| "unnest".into());
                (name, format!("json_extract({alias}.{VALUE}, '$[{k}]')"))
            })
            .collect()
    } else if function == "pg_options_to_table" {
        // An options array's `name=value` elements, split at the first `=` (a value
        // NULL without one), as PostgreSQL's pg_options_to_table.
        let v = format!("{alias}.{VALUE}");
        vec![
            (
                names.first().cloned().unwrap_or_else(|| "option_name".into()),
                format!("CASE WHEN instr({v}, '=') > 0 THEN substr({v}, 1, instr({v}, '=') - 1) ELSE {v} END"),
            ),
            (
                names.get(1).cloned().unwrap_or_else(|| "option_value".into()),
                format!("CASE WHEN instr({v}, '=') > 0 THEN substr({v}, instr({v}, '=') + 1) END"),
            ),
        ]
    } else if function == "regexp_matches" {
        // Each row is an array: json() marks it as JSON, as json_each's rows were, so that
        // array_agg nests it instead of quoting it.
        vec![(first, format!("json({alias}.{VALUE})"))]
    } else {
        vec![(first, format!("{alias}.{VALUE}"))]
    };
    let ordinal_at = if zipped {
        width
    } else if function == "pg_options_to_table" {
        2
    } else {
        1
    };
    if ordinality {
        let name = names.get(ordinal_at).map_or("ordinality", String::as_str);
        cols.push((name.to_string(), format!("{alias}.{ORDINAL}")));
    }
    *t = table_function(
        ObjectName::from(vec![Ident::new(table)]),
        args.into_iter()
            .map(|a| FunctionArg::Unnamed(FunctionArgExpr::Expr(a)))
            .collect(),
        alias.clone(),
    );
    Ok(Some((alias, cols)))
}

/// Whether `FROM name(…)` is one of SQLite's table-valued functions (or litewire's), to
/// be left as it is; any other function in FROM gives one row of its value, as
/// PostgreSQL runs a scalar function there.
fn sqlite_table_function(name: &str) -> bool {
    // The LATERAL rewrite writes `"json_each"` (translate/queries.rs).
    let name = name.trim_matches('"');
    matches!(
        name,
        "json_each" | "json_tree" | "pg_rows" | "pg_generate_series" | "dbstat"
    ) || name.starts_with("pragma_")
        || name.contains('.')
}

/// The set-returning functions a statement may call, in FROM or alone in a select list.
pub(super) const SET_RETURNING: [&str; 6] = [
    "generate_series",
    "unnest",
    "regexp_matches",
    "generate_subscripts",
    "string_to_table",
    "regexp_split_to_table",
];

/// The columns of the engine's table-valued functions (engine/srf.rs): a row's value and
/// its 1-based position, named so that they never collide with a table's columns.
const VALUE: &str = "_lw_value";
const ORDINAL: &str = "_lw_ord";

/// `name(args) AS alias` in a FROM clause.
/// A set-returning function's rows as the JSON array the engine's function makes of them.
fn json_array_of(function: &str, args: Vec<Expr>) -> Expr {
    match function {
        "generate_series" => call("pg_series", args),
        // Every element of a multi-dimensional array; several arrays side by side.
        "unnest" | "pg_options_to_table" => call("pg_unnest", args),
        // The engine's function takes the lower bound after `reverse`.
        "generate_subscripts" if args.first().is_some_and(is_catalog_vector) => {
            let mut args = args;
            if args.len() == 2 {
                args.push(Expr::Value(Value::Boolean(false).into()));
            }
            args.push(Expr::Value(Value::Number("0".into(), false).into()));
            call("pg_generate_subscripts", args)
        }
        "regexp_matches" | "generate_subscripts" => call(&format!("pg_{function}"), args),
        // A string's parts: the array function's elements.
        "string_to_table" | "regexp_split_to_table" => call(
            "pg_array_json",
            vec![call(&function.replace("_table", "_array"), args)],
        ),
        "pg_zip" => call(function, args),
        _ => call("pg_array_json", vec![call(function, args)]),
    }
}

fn table_function(name: ObjectName, args: Vec<FunctionArg>, alias: String) -> TableFactor {
    TableFactor::Table {
        name,
        alias: Some(TableAlias {
            name: Ident::new(alias),
            columns: vec![],
        }),
        args: Some(TableFunctionArgs {
            args,
            settings: None,
        }),
        with_hints: vec![],
        version: None,
        with_ordinality: false,
        partitions: vec![],
        json_path: None,
        sample: None,
        index_hints: vec![],
    }
}
