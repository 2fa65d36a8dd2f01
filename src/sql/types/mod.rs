//! Result column names and types, and `$n` parameter types, read from a statement's
//! PostgreSQL tree (before translation): SQLite knows the declared types of plain result
//! columns only, and of parameters only how many there are.
//!
//! [`analyze`] walks the tree once, without a database: each result column gets the name
//! PostgreSQL gives it (its `FigureColname`) and a [`Ty`], a type *expression* over the
//! schema (a built-in type, "column c of the first of these tables that has one", or a
//! function of those: aggregates, CASE, arithmetic). FROM clauses are scoped as
//! PostgreSQL scopes them (aliases, joins, subqueries, CTEs, outer queries), so a derived
//! column's type is its defining expression's. [`resolve`] then reads a `Ty` against a
//! [`Schema`] the engine supplies. Anything not understood is [`Ty::Unknown`]: the caller
//! falls back (text, or the value's own type).

mod builtins;
mod resolve;
mod spec;

use std::sync::Arc;

use builtins::*;
pub use builtins::{canonical, type_name};
pub use resolve::{operator_type, resolve, resolve_columns};

use sqlparser::ast::{
    AssignmentTarget, BinaryOperator, CeilFloorKind, DataType, Expr, FromTable, Function,
    FunctionArg, FunctionArgExpr, FunctionArguments, Ident, LimitClause, ObjectName,
    OnConflictAction, OnInsert, Query, Select, SelectItem, SelectItemQualifiedWildcardKind,
    SetExpr, Statement, TableFactor, TableObject, TableWithJoins, TrimWhereField, UnaryOperator,
    Value,
};

/// A type expression, resolved against the schema by [`resolve`].
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// Not known: the caller's fallback.
    Unknown,
    /// A string literal or NULL: PostgreSQL's `unknown`, text unless context says otherwise.
    Literal,
    /// A built-in type, by its PostgreSQL name with modifiers (`int4`, `numeric(10,2)`).
    Named(String),
    /// Column `column` of the first of `tables` that has one (inner scopes first).
    Column { tables: Vec<String>, column: String },
    /// The `index`-th column of `table` (an INSERT without a column list).
    Nth { table: String, index: usize },
    /// The type of parameter `$n`.
    Param(usize),
    /// The first of these that resolves (an unqualified name in several scopes).
    First(Vec<Ty>),
    /// The common type of CASE branches, COALESCE arguments, UNION columns.
    Common(Vec<Ty>),
    /// An arithmetic or string operator applied to two operands.
    Op(Op, Box<Ty>, Box<Ty>),
    /// An aggregate or function whose type follows its argument's.
    Of(Follow, Box<Ty>),
    /// A function PostgreSQL does not have built in: a SQL function's declared return
    /// type, if the database has one of that name and argument count.
    Routine { name: String, nargs: usize },
    /// The declared type of argument `index` of that SQL function.
    RoutineArg {
        name: String,
        nargs: usize,
        index: usize,
    },
}

/// Operators whose result type depends on their operands'.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Plus,
    Minus,
    /// `*`, `/`, `%`: numeric promotion (interval × number is interval).
    Times,
    Concat,
}

/// Functions typed by their (first) argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Follow {
    /// `sum`: int2/int4 → int8, int8/numeric → numeric, floats and intervals keep theirs.
    Sum,
    /// `avg`: integers and numeric → numeric, floats → float8.
    Avg,
    /// `round`, `ceil`, `sqrt`...: numeric stays numeric, everything else is float8.
    Math,
    /// `ARRAY[…]`, `ARRAY(SELECT …)`: an array of the argument's type.
    ArrayOf,
    /// `array_agg`: an array of the argument's type; of an array, the same array type
    /// (one more dimension).
    Aggregated,
    /// `ARRAY[…]`: as `Aggregated` (its array elements nest: translate/operators.rs).
    Nested,
    /// `unnest`, a subscript: the element type of an array.
    ElementOf,
    /// `max`, `abs`...: the argument's type without its modifier.
    Bare,
    /// `date_trunc`: as Bare, but a date is truncated as the timestamptz PostgreSQL casts
    /// it to.
    Truncated,
    /// `string_agg`: bytea of bytea, else text.
    Joined,
}

/// One result column.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// An expression: its PostgreSQL name and type.
    Expr { name: String, ty: Ty },
    /// `*` / `t.*`: every column of a source, as the schema lists them.
    All(Source),
}

/// A relation in a FROM clause (or an INSERT/UPDATE/DELETE target).
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// The name it is referred to by: its alias, else the table's name.
    pub name: String,
    pub kind: SourceKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SourceKind {
    /// A table or view of the database.
    Table(String),
    /// A subquery, CTE or function: its own columns.
    Derived(Vec<Column>),
}

/// What one statement's tree tells about its types.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Typing {
    /// The result columns; None when the statement returns no rows.
    pub columns: Option<Vec<Column>>,
    /// Evidence for parameter types: (n, type), in order of appearance.
    pub params: Vec<(usize, Ty)>,
}

/// What resolution needs from the database.
pub trait Schema {
    /// (name, declared type) of each column of table or view `table`; None if none such.
    fn columns(&self, table: &str) -> Option<Vec<(String, String)>>;
    /// The declared type of `table.column` (empty when it has none); None if no such
    /// column. A schema that can answer one column more cheaply than a listing overrides it.
    fn column_type(&self, table: &str, column: &str) -> Option<String> {
        self.columns(table)?
            .into_iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(column))
            .map(|(_, decl)| decl)
    }
    /// The type name of parameter `$n`, where known.
    fn param(&self, n: usize) -> Option<String>;
    /// The return type of SQL function `name` taking `nargs` arguments, if there is one.
    fn routine(&self, _name: &str, _nargs: usize) -> Option<String> {
        None
    }
    /// The declared type of argument `index` of that function.
    fn routine_arg(&self, _name: &str, _nargs: usize, _index: usize) -> Option<String> {
        None
    }
}

/// Expressions nested deeper than this are left untyped: the walk recurses once per level
/// and a `Ty` is as deep as its expression, so both stay small on any thread.
const MAX_DEPTH: usize = 48;

/// Typings of recently seen statement texts (`sql::cache`).
pub static TYPINGS: super::cache::TextCache<Option<Arc<Typing>>> = super::cache::TextCache::new();

/// Parses `source` and types it, once per distinct text while it is cached. None when it
/// is not one statement the parser reads (the translator has already answered for such
/// text).
pub fn analyze_text(source: &str) -> Option<Arc<Typing>> {
    if let Some(known) = TYPINGS.get(source) {
        return known;
    }
    let typing = analyze_uncached(source).map(Arc::new);
    let size = typing.as_ref().map_or(0, |t| {
        std::mem::size_of_val(&**t) + t.columns.as_ref().map_or(0, |c| c.len()) * 64
    });
    TYPINGS.insert(source, typing.clone(), size);
    typing
}

fn analyze_uncached(source: &str) -> Option<Typing> {
    let depth = super::lexer::shape(source).depth;
    let work = || {
        let limit = (depth + 1).saturating_mul(8).max(64);
        // An arbiter the grammar lacks stands aside, as when the statement is translated.
        let arbiter = super::translate::conflict::read(source);
        let text = arbiter.as_ref().map_or(source, |a| a.statement.as_str());
        let stmt = super::parse::parse_one(text, limit).ok()?;
        Some(analyze(&stmt))
    };
    super::parse::on_stack_for(depth, work)
}

/// Types one statement.
pub fn analyze(stmt: &Statement) -> Typing {
    let mut a = Analyzer::default();
    let columns = a.statement(stmt);
    Typing {
        columns,
        params: a.params,
    }
}

/// The operand types of one operator (or `pg_typeof` call) whose meaning depends on them,
/// found by [`operand_types`]; `at` is where it is written in the statement's text.
#[derive(Debug, Clone, PartialEq)]
pub struct Operands {
    pub at: sqlparser::tokenizer::Span,
    pub left: Ty,
    pub right: Ty,
}

/// The operands of every arithmetic operator (`+ - * / %`), every comparison, every unary
/// minus, every cast to an integer or string type and every `pg_typeof`, `sum` and `avg`
/// argument in
/// `stmt`, typed like result columns (scopes, aliases, CTEs): the translator chooses
/// PostgreSQL's meaning for each by them (sql::translate::operators). Only expressions
/// less than [`MAX_DEPTH`] deep are typed; deeper ones keep SQLite's meaning.
pub fn operand_types(stmt: &Statement) -> Vec<Operands> {
    let mut a = Analyzer {
        operands: Some(Vec::new()),
        ..Analyzer::default()
    };
    a.statement(stmt);
    a.operands.unwrap_or_default()
}

#[derive(Default)]
struct Analyzer {
    /// Where the operands of typed operators are collected, when asked for.
    operands: Option<Vec<Operands>>,
    params: Vec<(usize, Ty)>,
    /// Visible CTEs, innermost last.
    ctes: Vec<(String, Vec<Column>)>,
    /// FROM scopes, innermost last.
    scopes: Vec<Vec<Source>>,
    depth: usize,
}

impl Analyzer {
    fn statement(&mut self, stmt: &Statement) -> Option<Vec<Column>> {
        match stmt {
            Statement::Query(q) => Some(self.query(q)),
            // The explained statement's parameters are the EXPLAIN's; its columns are not.
            Statement::Explain { statement, .. } => {
                self.statement(statement);
                None
            }
            Statement::Insert(ins) => {
                let TableObject::TableName(name) = &ins.table else {
                    return None;
                };
                let table = object_name(name);
                if let Some(source) = &ins.source {
                    self.query(source);
                    self.insert_params(&table, &ins.columns, source);
                }
                let target = Source {
                    name: ins
                        .table_alias
                        .as_ref()
                        .map_or_else(|| table.clone(), ident),
                    kind: SourceKind::Table(table.clone()),
                };
                self.scopes.push(vec![target]);
                if let Some(OnInsert::OnConflict(c)) = &ins.on {
                    if let OnConflictAction::DoUpdate(u) = &c.action {
                        // EXCLUDED is the row proposed for insertion.
                        self.scopes.last_mut()?.push(Source {
                            name: "excluded".into(),
                            kind: SourceKind::Table(table.clone()),
                        });
                        for a in &u.assignments {
                            self.assignment(&table, &a.target, &a.value);
                        }
                        if let Some(w) = &u.selection {
                            self.ty(w);
                        }
                    }
                }
                let out = ins.returning.as_ref().map(|r| self.items(r));
                self.scopes.pop();
                out
            }
            Statement::Update {
                table,
                assignments,
                from,
                selection,
                returning,
                ..
            } => {
                let mut scope = self.sources_of(table);
                let target = match &table.relation {
                    TableFactor::Table { name, .. } => object_name(name),
                    _ => String::new(),
                };
                if let Some(from) = from {
                    let (sqlparser::ast::UpdateTableFromKind::BeforeSet(f)
                    | sqlparser::ast::UpdateTableFromKind::AfterSet(f)) = from;
                    for t in f {
                        scope.extend(self.sources_of(t));
                    }
                }
                self.scopes.push(scope);
                for a in assignments {
                    self.assignment(&target, &a.target, &a.value);
                }
                if let Some(w) = selection {
                    self.ty(w);
                }
                let out = returning.as_ref().map(|r| self.items(r));
                self.scopes.pop();
                out
            }
            Statement::Delete(d) => {
                let (FromTable::WithFromKeyword(f) | FromTable::WithoutKeyword(f)) = &d.from;
                let mut scope = Vec::new();
                for t in f.iter().chain(d.using.iter().flatten()) {
                    scope.extend(self.sources_of(t));
                }
                self.scopes.push(scope);
                if let Some(w) = &d.selection {
                    self.ty(w);
                }
                let out = d.returning.as_ref().map(|r| self.items(r));
                self.scopes.pop();
                out
            }
            _ => None,
        }
    }

    /// `SET col = $n` and `SET col = expr`.
    fn assignment(&mut self, table: &str, target: &AssignmentTarget, value: &Expr) {
        if let AssignmentTarget::ColumnName(c) = target {
            let column = last_part(c);
            let ty = Ty::Column {
                tables: vec![table.to_string()],
                column,
            };
            self.expect(value, &ty);
        }
        self.ty(value);
    }

    /// INSERT's values take the types of the columns they go to.
    fn insert_params(&mut self, table: &str, columns: &[Ident], source: &Query) {
        let rows: Vec<&[Expr]> = match source.body.as_ref() {
            SetExpr::Values(v) => v.rows.iter().map(Vec::as_slice).collect(),
            _ => return,
        };
        for row in rows {
            for (i, e) in row.iter().enumerate() {
                let ty = match columns.get(i) {
                    Some(c) => Ty::Column {
                        tables: vec![table.to_string()],
                        column: ident(c),
                    },
                    None if columns.is_empty() => Ty::Nth {
                        table: table.to_string(),
                        index: i,
                    },
                    None => continue,
                };
                self.expect(e, &ty);
            }
        }
    }

    /// Notes that `e`, if it is a parameter, takes type `ty`.
    fn expect(&mut self, e: &Expr, ty: &Ty) {
        if let Some(n) = param_of(e) {
            if !matches!(ty, Ty::Unknown | Ty::Literal | Ty::Param(_)) {
                self.params.push((n, ty.clone()));
            }
        }
    }

    fn query(&mut self, q: &Query) -> Vec<Column> {
        let ctes = self.ctes.len();
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                let name = ident(&cte.alias.name);
                // A recursive CTE's own name is visible inside it, with the columns of
                // its non-recursive term.
                if with.recursive {
                    let mut seed = match cte.query.body.as_ref() {
                        SetExpr::SetOperation { left, .. } => self.set_expr(left, None),
                        _ => Vec::new(),
                    };
                    rename(&mut seed, &cte.alias.columns);
                    self.ctes.push((name.clone(), seed));
                }
                let mut cols = self.query(&cte.query);
                if with.recursive {
                    self.ctes.pop();
                }
                rename(&mut cols, &cte.alias.columns);
                self.ctes.push((name, cols));
            }
        }
        let out = self.set_expr(&q.body, Some(q));
        self.ctes.truncate(ctes);
        out
    }

    /// A query body. `outer` is the query whose ORDER BY / LIMIT apply to it.
    fn set_expr(&mut self, body: &SetExpr, outer: Option<&Query>) -> Vec<Column> {
        match body {
            SetExpr::Select(s) => self.select(s, outer),
            SetExpr::Query(q) => self.query(q),
            SetExpr::SetOperation { left, right, .. } => {
                let l = self.set_expr(left, None);
                let r = self.set_expr(right, None);
                self.tail(outer);
                if l.len() != r.len() || l.iter().chain(&r).any(|c| matches!(c, Column::All(_))) {
                    return l;
                }
                l.into_iter()
                    .zip(r)
                    .map(|(a, b)| match (a, b) {
                        (Column::Expr { name, ty: a }, Column::Expr { ty: b, .. }) => {
                            Column::Expr {
                                name,
                                ty: Ty::Common(vec![a, b]),
                            }
                        }
                        (a, _) => a,
                    })
                    .collect()
            }
            SetExpr::Values(v) => {
                let mut types: Vec<Vec<Ty>> = Vec::new();
                for row in &v.rows {
                    for (i, e) in row.iter().enumerate() {
                        let t = self.ty(e);
                        match types.get_mut(i) {
                            Some(col) => col.push(t),
                            None => types.push(vec![t]),
                        }
                    }
                }
                self.tail(outer);
                types
                    .into_iter()
                    .enumerate()
                    .map(|(i, t)| Column::Expr {
                        name: format!("column{}", i + 1),
                        ty: Ty::Common(t),
                    })
                    .collect()
            }
            SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s) => {
                self.statement(s).unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }

    fn select(&mut self, s: &Select, outer: Option<&Query>) -> Vec<Column> {
        // Each FROM item sees the ones before it (LATERAL; a function's arguments).
        self.scopes.push(Vec::new());
        for t in &s.from {
            let found = self.sources_of(t);
            if let Some(scope) = self.scopes.last_mut() {
                scope.extend(found);
            }
        }
        if let Some(w) = &s.selection {
            self.ty(w);
        }
        if let sqlparser::ast::GroupByExpr::Expressions(exprs, _) = &s.group_by {
            for e in exprs {
                // A column groups as its type compares (jsonb `25` with `25.0`).
                if matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) {
                    self.keyed_column(e);
                } else {
                    self.ty(e);
                }
            }
        }
        if let Some(h) = &s.having {
            self.ty(h);
        }
        let out = self.items(&s.projection);
        self.tail(outer);
        // DISTINCT ON's check compares its expressions with ORDER BY's as written.
        if !matches!(s.distinct, Some(sqlparser::ast::Distinct::On(_))) {
            self.order_columns(outer);
        }
        self.scopes.pop();
        out
    }

    /// A plain SELECT's ORDER BY columns: an interval or array column sorts by its type
    /// (translate/operators.rs), not by its text.
    fn order_columns(&mut self, q: Option<&Query>) {
        let Some(sqlparser::ast::OrderByKind::Expressions(exprs)) =
            q.and_then(|q| q.order_by.as_ref()).map(|o| &o.kind)
        else {
            return;
        };
        for e in exprs {
            if matches!(e.expr, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) {
                self.keyed_column(&e.expr);
            }
        }
    }

    /// A column ordered, grouped or made DISTINCT by its type's key
    /// (translate/operators.rs: `pg_order_key`, engine/compare.rs).
    fn keyed_column(&mut self, e: &Expr) {
        let ty = self.ty(e);
        if let Some(found) = self.operands.as_mut() {
            found.push(Operands {
                at: sqlparser::ast::Spanned::span(e),
                left: ty,
                right: Ty::Unknown,
            });
        }
    }

    /// ORDER BY, LIMIT and OFFSET of the query around a body.
    fn tail(&mut self, q: Option<&Query>) {
        let Some(q) = q else { return };
        if let Some(order) = &q.order_by {
            if let sqlparser::ast::OrderByKind::Expressions(exprs) = &order.kind {
                for e in exprs {
                    self.ty(&e.expr);
                }
            }
        }
        let int8 = Ty::Named("int8".into());
        match &q.limit_clause {
            Some(LimitClause::LimitOffset { limit, offset, .. }) => {
                if let Some(l) = limit {
                    self.expect(l, &int8);
                    self.ty(l);
                }
                if let Some(o) = offset {
                    self.expect(&o.value, &int8);
                    self.ty(&o.value);
                }
            }
            Some(LimitClause::OffsetCommaLimit { offset, limit }) => {
                self.expect(offset, &int8);
                self.expect(limit, &int8);
            }
            None => {}
        }
    }

    fn items(&mut self, items: &[SelectItem]) -> Vec<Column> {
        let mut out = Vec::new();
        for item in items {
            match item {
                SelectItem::UnnamedExpr(e) => {
                    let ty = self.ty(e);
                    out.push(Column::Expr {
                        name: figure(e, 0).0,
                        ty,
                    });
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let ty = self.ty(expr);
                    out.push(Column::Expr {
                        name: ident(alias),
                        ty,
                    });
                }
                SelectItem::Wildcard(_) => {
                    for s in self.scopes.last().into_iter().flatten() {
                        out.push(Column::All(s.clone()));
                    }
                }
                SelectItem::QualifiedWildcard(
                    SelectItemQualifiedWildcardKind::ObjectName(n),
                    _,
                ) => {
                    let name = last_part(n);
                    match self.source(&name) {
                        Some(s) => out.push(Column::All(s)),
                        None => out.push(Column::Expr {
                            name: "?column?".into(),
                            ty: Ty::Unknown,
                        }),
                    }
                }
                SelectItem::QualifiedWildcard(..) => out.push(Column::Expr {
                    name: "?column?".into(),
                    ty: Ty::Unknown,
                }),
            }
        }
        out
    }

    /// The sources a FROM item brings into scope (a join brings each side's).
    fn sources_of(&mut self, t: &TableWithJoins) -> Vec<Source> {
        // Each joined item and the join conditions see the sources joined so far.
        let first = self.factor(&t.relation);
        self.scopes.push(first);
        for j in &t.joins {
            let found = self.factor(&j.relation);
            if let Some(scope) = self.scopes.last_mut() {
                scope.extend(found);
            }
        }
        for j in &t.joins {
            use sqlparser::ast::{JoinConstraint, JoinOperator as J};
            let c = match &j.join_operator {
                J::Join(c)
                | J::Inner(c)
                | J::Left(c)
                | J::LeftOuter(c)
                | J::Right(c)
                | J::RightOuter(c)
                | J::FullOuter(c) => Some(c),
                _ => None,
            };
            if let Some(JoinConstraint::On(e)) = c {
                self.ty(e);
            }
        }
        self.scopes.pop().unwrap_or_default()
    }

    fn factor(&mut self, f: &TableFactor) -> Vec<Source> {
        match f {
            TableFactor::Table {
                name, alias, args, ..
            } => {
                let table = object_name(name);
                let alias_name = alias.as_ref().map(|a| ident(&a.name));
                if let Some(args) = args {
                    // A function in FROM: one column named by the alias (or the function).
                    let call_args: Vec<&Expr> = args
                        .args
                        .iter()
                        .filter_map(|a| match a {
                            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                            _ => None,
                        })
                        .collect();
                    let arg_types: Vec<Ty> = call_args.iter().map(|e| self.ty(e)).collect();
                    if let Some(source) = record_source(&table, &call_args, alias.as_ref()) {
                        return vec![source];
                    }
                    let ty = function_type(&table, &arg_types);
                    let source_name = alias_name.unwrap_or_else(|| table.clone());
                    let mut cols = vec![Column::Expr {
                        name: source_name.clone(),
                        ty,
                    }];
                    if let Some(a) = alias {
                        rename(&mut cols, &a.columns);
                    }
                    return vec![Source {
                        name: source_name,
                        kind: SourceKind::Derived(cols),
                    }];
                }
                let cte = (name.0.len() == 1)
                    .then(|| self.ctes.iter().rev().find(|(n, _)| *n == table))
                    .flatten()
                    .map(|(_, cols)| cols.clone());
                let kind = match cte {
                    Some(mut cols) => {
                        if let Some(a) = alias {
                            rename(&mut cols, &a.columns);
                        }
                        SourceKind::Derived(cols)
                    }
                    // `t AS a(x, y)`: t's columns in order, renamed.
                    None => match alias {
                        Some(a) if !a.columns.is_empty() => SourceKind::Derived(
                            a.columns
                                .iter()
                                .enumerate()
                                .map(|(index, c)| Column::Expr {
                                    name: ident(&c.name),
                                    ty: Ty::Nth {
                                        table: table.clone(),
                                        index,
                                    },
                                })
                                .collect(),
                        ),
                        _ => SourceKind::Table(table.clone()),
                    },
                };
                vec![Source {
                    name: alias_name.unwrap_or(table),
                    kind,
                }]
            }
            TableFactor::Derived {
                lateral,
                subquery,
                alias,
            } => {
                // Only a LATERAL subquery sees the FROM items before it; none are in scope
                // yet here, so an ordinary subquery is typed without the current scope.
                let hidden = (!lateral).then(|| std::mem::take(&mut self.scopes));
                let mut cols = self.query(subquery);
                if let Some(s) = hidden {
                    self.scopes = s;
                }
                let name = match alias {
                    Some(a) => {
                        rename(&mut cols, &a.columns);
                        ident(&a.name)
                    }
                    None => String::new(),
                };
                vec![Source {
                    name,
                    kind: SourceKind::Derived(cols),
                }]
            }
            TableFactor::UNNEST {
                alias, array_exprs, ..
            } => {
                let mut cols: Vec<Column> = array_exprs
                    .iter()
                    .map(|e| {
                        let t = self.ty(e);
                        Column::Expr {
                            name: "unnest".into(),
                            ty: Ty::Of(Follow::ElementOf, Box::new(t)),
                        }
                    })
                    .collect();
                let name = alias
                    .as_ref()
                    .map_or_else(|| "unnest".into(), |a| ident(&a.name));
                if let Some(a) = alias {
                    if a.columns.is_empty() && cols.len() == 1 {
                        rename_one(&mut cols[0], &name);
                    }
                    rename(&mut cols, &a.columns);
                }
                vec![Source {
                    name,
                    kind: SourceKind::Derived(cols),
                }]
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias,
            } => {
                let mut inner = self.sources_of(table_with_joins);
                if let Some(a) = alias {
                    // `(a JOIN b) AS j`: one source named j with all their columns.
                    let cols = inner.drain(..).map(Column::All).collect();
                    return vec![Source {
                        name: ident(&a.name),
                        kind: SourceKind::Derived(cols),
                    }];
                }
                inner
            }
            _ => Vec::new(),
        }
    }

    /// The innermost source named `name`.
    fn source(&self, name: &str) -> Option<Source> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter())
            .find(|s| s.name == name)
            .cloned()
    }

    /// The type of column `column`, of source `qualifier` if given.
    fn column(&self, qualifier: Option<&str>, column: &str) -> Ty {
        let mut found = Vec::new();
        for scope in self.scopes.iter().rev() {
            for s in scope {
                if qualifier.is_some_and(|q| q != s.name) {
                    continue;
                }
                if let Some(definite) = column_of(s, column, &mut found) {
                    if found.is_empty() {
                        return definite;
                    }
                    found.push(definite);
                    return Ty::First(found);
                }
            }
            if qualifier.is_some() && !found.is_empty() {
                break;
            }
        }
        match found.len() {
            0 => Ty::Unknown,
            1 => found.remove(0),
            _ => Ty::First(found),
        }
    }

    /// The type of `e`, noting parameter evidence on the way.
    fn ty(&mut self, e: &Expr) -> Ty {
        if self.depth >= MAX_DEPTH {
            return Ty::Unknown;
        }
        self.depth += 1;
        let t = self.ty_inner(e);
        self.depth -= 1;
        t
    }

    fn ty_inner(&mut self, e: &Expr) -> Ty {
        let named = |s: &str| Ty::Named(s.to_string());
        let bool_ty = || Ty::Named("bool".into());
        match e {
            Expr::Identifier(i) => self.column(None, &ident(i)),
            Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [.., t, c] => self.column(Some(&ident(t)), &ident(c)),
                _ => Ty::Unknown,
            },
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) => number_type(n),
                Value::Boolean(_) => bool_ty(),
                Value::Placeholder(p) => p
                    .strip_prefix('$')
                    .and_then(|d| d.parse().ok())
                    .map_or(Ty::Unknown, Ty::Param),
                _ => Ty::Literal,
            },
            Expr::Nested(inner) => self.ty(inner),
            Expr::Cast {
                expr, data_type, ..
            } => {
                let t = builtin(data_type);
                self.expect(expr, &t);
                let operand = self.ty(expr);
                // A cast to an integer rounds as its operand's type does; a cast to text
                // spells a boolean as its type does (`true`, not SQLite's `1`).
                let typed = matches!(&t, Ty::Named(n) if matches!(
                    base(n),
                    "int2" | "int4" | "int8" | "text" | "varchar" | "bpchar" | "name"
                )) || (matches!(&t, Ty::Named(n) if base(n) == "numeric")
                    // A float4 column's digits. (A cast has its operand's place in the
                    // text: an operator under it would lose its own typing.)
                    && matches!(**expr, Expr::Identifier(_) | Expr::CompoundIdentifier(_)));
                if let Some(found) = self.operands.as_mut().filter(|_| typed) {
                    found.push(Operands {
                        at: sqlparser::ast::Spanned::span(e),
                        left: operand,
                        right: Ty::Unknown,
                    });
                }
                t
            }
            Expr::TypedString(t) => builtin(&t.data_type),
            Expr::Interval(_) => named("interval"),
            Expr::Collate { expr, .. } => self.ty(expr),
            Expr::UnaryOp { op, expr } => {
                let t = self.ty(expr);
                // `-x` negates as x's type does (an interval's fields, not its text).
                if let Some(found) = self
                    .operands
                    .as_mut()
                    .filter(|_| *op == UnaryOperator::Minus)
                {
                    found.push(Operands {
                        at: sqlparser::ast::Spanned::span(e),
                        left: t.clone(),
                        right: Ty::Unknown,
                    });
                }
                match op {
                    UnaryOperator::Not => bool_ty(),
                    // `@x` and `~x` keep x's type (`@` of a float4 prints as a float4).
                    UnaryOperator::Minus
                    | UnaryOperator::Plus
                    | UnaryOperator::PGAbs
                    | UnaryOperator::PGBitwiseNot => t,
                    _ => Ty::Unknown,
                }
            }
            Expr::BinaryOp { left, op, right } => {
                let (l, r) = (self.ty(left), self.ty(right));
                self.expect(left, &r);
                self.expect(right, &l);
                let typed = arithmetic(op)
                    || comparison(op)
                    || containment(op)
                    || *op == BinaryOperator::StringConcat
                    || *op == BinaryOperator::PGExp;
                if let Some(found) = self.operands.as_mut().filter(|_| typed) {
                    found.push(Operands {
                        at: sqlparser::ast::Spanned::span(e),
                        left: l.clone(),
                        right: r.clone(),
                    });
                }
                binary_type(op, l, r)
            }
            Expr::IsNull(x)
            | Expr::IsNotNull(x)
            | Expr::IsTrue(x)
            | Expr::IsNotTrue(x)
            | Expr::IsFalse(x)
            | Expr::IsNotFalse(x)
            | Expr::IsUnknown(x)
            | Expr::IsNotUnknown(x) => {
                self.ty(x);
                bool_ty()
            }
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
                self.compare(a, b);
                bool_ty()
            }
            Expr::InList { expr, list, .. } => {
                let t = self.ty(expr);
                let mut items = Vec::with_capacity(list.len());
                for item in list {
                    let it = self.ty(item);
                    self.expect(item, &t);
                    self.expect(expr, &it);
                    items.push(it);
                }
                // Literals read as x's type, dates promoted, as in `=` (operators.rs).
                if let Some(found) = self.operands.as_mut() {
                    found.push(Operands {
                        at: sqlparser::ast::Spanned::span(e),
                        left: t,
                        right: Ty::Common(items),
                    });
                }
                bool_ty()
            }
            Expr::InSubquery { expr, subquery, .. } => {
                let t = self.ty(expr);
                let cols = self.query(subquery);
                if let Some(Column::Expr { ty, .. }) = cols.first() {
                    self.expect(expr, &ty.clone());
                    // Compared with `=`: a column of another kind is 42883 (operators.rs).
                    if let Some(found) = self.operands.as_mut() {
                        found.push(Operands {
                            at: sqlparser::ast::Spanned::span(e),
                            left: t,
                            right: ty.clone(),
                        });
                    }
                }
                bool_ty()
            }
            Expr::Between {
                expr, low, high, ..
            } => {
                let t = self.ty(expr);
                let mut bounds = Vec::with_capacity(2);
                for bound in [low, high] {
                    let b = self.ty(bound);
                    self.expect(bound, &t);
                    self.expect(expr, &b);
                    bounds.push(b);
                }
                // A date between timestamps is promoted as in a comparison (operators.rs).
                if let Some(found) = self.operands.as_mut() {
                    found.push(Operands {
                        at: sqlparser::ast::Spanned::span(e),
                        left: t,
                        right: Ty::Common(bounds),
                    });
                }
                bool_ty()
            }
            Expr::Like { expr, pattern, .. }
            | Expr::ILike { expr, pattern, .. }
            | Expr::SimilarTo { expr, pattern, .. }
            | Expr::RLike { expr, pattern, .. } => {
                self.compare(expr, pattern);
                bool_ty()
            }
            Expr::AnyOp { left, right, .. } | Expr::AllOp { left, right, .. } => {
                let l = self.ty(left);
                self.ty(right);
                if !matches!(l, Ty::Unknown | Ty::Literal | Ty::Param(_)) {
                    self.expect(right, &Ty::Of(Follow::ArrayOf, Box::new(l)));
                }
                bool_ty()
            }
            Expr::Exists { subquery, .. } => {
                self.query(subquery);
                bool_ty()
            }
            Expr::Subquery(q) => match self.query(q).into_iter().next() {
                Some(Column::Expr { ty, .. }) => ty,
                _ => Ty::Unknown,
            },
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                let op = operand.as_ref().map(|o| self.ty(o));
                let mut results = Vec::new();
                for w in conditions {
                    let c = self.ty(&w.condition);
                    if let (Some(o), Some(operand)) = (&op, operand) {
                        self.expect(&w.condition, o);
                        self.expect(operand, &c);
                    }
                    results.push(self.ty(&w.result));
                }
                if let Some(e) = else_result {
                    results.push(self.ty(e));
                }
                Ty::Common(results)
            }
            Expr::Function(f) => self.function(f),
            Expr::Extract { expr, .. } => {
                self.ty(expr);
                named("numeric")
            }
            Expr::Ceil { expr, field } | Expr::Floor { expr, field } => {
                let t = self.ty(expr);
                match field {
                    CeilFloorKind::DateTimeField(_) => Ty::Of(Follow::Math, Box::new(t)),
                    CeilFloorKind::Scale(_) => named("numeric"),
                }
            }
            Expr::Position { expr, r#in } => {
                self.ty(expr);
                self.ty(r#in);
                named("int4")
            }
            Expr::Substring { expr, .. } | Expr::Trim { expr, .. } => {
                self.ty(expr);
                named("text")
            }
            Expr::Overlay { expr, .. } => {
                self.ty(expr);
                named("text")
            }
            Expr::AtTimeZone { timestamp, .. } => match strip_params(self.ty(timestamp)) {
                // timestamptz AT TIME ZONE is a timestamp, and the other way round.
                Ty::Named(n) if n == "timestamp" => named("timestamptz"),
                _ => named("timestamp"),
            },
            Expr::Array(a) => {
                let elems: Vec<Ty> = a.elem.iter().map(|e| self.ty(e)).collect();
                // Its elements' types: arrays among them nest (translate/operators.rs).
                if !elems.is_empty() {
                    if let Some(found) = self.operands.as_mut() {
                        found.push(Operands {
                            at: subscript_at(e),
                            left: Ty::Common(elems.clone()),
                            right: Ty::Unknown,
                        });
                    }
                }
                // ARRAY[ARRAY[…], …], ARRAY['{…}'::int[], …]: one more dimension of the
                // same array type.
                let array =
                    |t: &Ty| matches!(strip_params(t.clone()), Ty::Named(n) if n.ends_with("[]"));
                if matches!(a.elem.first(), Some(Expr::Array(_)))
                    || elems.first().is_some_and(array)
                {
                    return Ty::Common(elems);
                }
                Ty::Of(Follow::Nested, Box::new(Ty::Common(elems)))
            }
            Expr::CompoundFieldAccess { root, access_chain } => {
                let t = self.ty(&accessed(root, access_chain));
                // What is subscripted: an array or jsonb (translate/operators.rs).
                let subscripted = access_chain
                    .iter()
                    .any(|a| matches!(a, sqlparser::ast::AccessExpr::Subscript(_)));
                // The subscripts' own parameters and operators (`j[$1::int]`).
                for a in access_chain {
                    if let sqlparser::ast::AccessExpr::Subscript(
                        sqlparser::ast::Subscript::Index { index },
                    ) = a
                    {
                        self.ty(index);
                    }
                }
                if let Some(found) = self.operands.as_mut().filter(|_| subscripted) {
                    found.push(Operands {
                        at: subscript_at(e),
                        left: t.clone(),
                        right: Ty::Unknown,
                    });
                }
                // A slice (`a[1:2]`, `a[1:2][3]`) is an array of the same type.
                let sliced = access_chain.iter().any(|a| {
                    matches!(
                        a,
                        sqlparser::ast::AccessExpr::Subscript(
                            sqlparser::ast::Subscript::Slice { .. }
                        )
                    )
                });
                if sliced {
                    return t;
                }
                Ty::Of(Follow::ElementOf, Box::new(t))
            }
            _ => Ty::Unknown,
        }
    }

    /// Two operands compared: a parameter takes the other side's type.
    fn compare(&mut self, a: &Expr, b: &Expr) {
        let (ta, tb) = (self.ty(a), self.ty(b));
        self.expect(a, &tb);
        self.expect(b, &ta);
    }

    fn function(&mut self, f: &Function) -> Ty {
        let name = last_part(&f.name);
        let mut args = Vec::new();
        if let FunctionArguments::List(list) = &f.args {
            for a in &list.args {
                let e = match a {
                    FunctionArg::Unnamed(a)
                    | FunctionArg::Named { arg: a, .. }
                    | FunctionArg::ExprNamed { arg: a, .. } => a,
                };
                // (Only count's: any other aggregate needs the values themselves.)
                let distinct = name == "count"
                    && matches!(
                        list.duplicate_treatment,
                        Some(sqlparser::ast::DuplicateTreatment::Distinct)
                    )
                    && list.args.len() == 1;
                args.push(match e {
                    // `count(DISTINCT j)`: a column's values told apart by its type's key.
                    FunctionArgExpr::Expr(
                        e @ (Expr::Identifier(_) | Expr::CompoundIdentifier(_)),
                    ) if distinct => {
                        self.keyed_column(e);
                        self.ty(e)
                    }
                    FunctionArgExpr::Expr(e) => self.ty(e),
                    _ => Ty::Unknown,
                });
            }
        }
        if let FunctionArguments::Subquery(q) = &f.args {
            let first = self.query(q).into_iter().next();
            // `ARRAY(SELECT x …)`: an array of x's type.
            if name == "array" {
                if let Some(Column::Expr { ty, .. }) = first {
                    // Its element type: of arrays, ARRAY(…) nests them (operators.rs).
                    if let Some(found) = self.operands.as_mut() {
                        found.push(Operands {
                            at: sqlparser::ast::Spanned::span(f),
                            left: ty.clone(),
                            right: Ty::Unknown,
                        });
                    }
                    // Of arrays: one more dimension of the same array type.
                    let array = |t: &Ty| matches!(t, Ty::Of(Follow::ArrayOf | Follow::Nested, _));
                    if array(&ty)
                        || matches!(&ty, Ty::Common(all) if all.first().is_some_and(array))
                    {
                        return ty;
                    }
                    return Ty::Of(Follow::ArrayOf, Box::new(ty));
                }
            }
        }
        if let Some(filter) = &f.filter {
            self.ty(filter);
        }
        // pg_typeof names its argument's type; sum and avg of intervals add intervals;
        // array_agg of arrays nests them; min and max of intervals and arrays order
        // by their type.
        let typed = name == "pg_typeof"
            || matches!(name.as_str(), "sum" | "avg" | "array_agg" | "min" | "max");
        // string_agg of bytea is bytea (translate/operators.rs).
        if (typed && args.len() == 1) || (name == "string_agg" && args.len() == 2) {
            if let Some(found) = self.operands.as_mut() {
                found.push(Operands {
                    at: sqlparser::ast::Spanned::span(f),
                    left: args[0].clone(),
                    right: Ty::Unknown,
                });
            }
        }
        // numeric's or float8's sqrt, exp, ln, log, power and the variances, chosen by
        // their arguments' types (translate/numeric_math.rs), carried as one list.
        if crate::sql::translate::numeric_math::TYPED.contains(&name.as_str()) && !args.is_empty() {
            if let Some(found) = self.operands.as_mut() {
                found.push(Operands {
                    at: sqlparser::ast::Spanned::span(f),
                    left: Ty::Common(args.clone()),
                    right: Ty::Unknown,
                });
            }
        }
        // A json builder's arguments, each typed (translate/operators.rs puts arrays
        // and json values in as JSON), carried as one list.
        if JSON_BUILDERS.contains(&name.as_str()) && !args.is_empty() {
            if let Some(found) = self.operands.as_mut() {
                found.push(Operands {
                    at: sqlparser::ast::Spanned::span(f),
                    left: Ty::Common(args.clone()),
                    right: Ty::Unknown,
                });
            }
        }
        if matches!(f.args, FunctionArguments::None) {
            if let Some(t) = bare_function_type(&name) {
                return Ty::Named(t.into());
            }
        }
        // array_agg of an array the statement builds (ARRAY[…], an array function): its
        // values are known to be arrays (SQLite's JSON subtype), so the result is the
        // same array type with one more dimension.
        if name == "array_agg" && builds_array(f) {
            return args.swap_remove(0);
        }
        if !f.within_group.is_empty() {
            let keys: Vec<Ty> = f.within_group.iter().map(|o| self.ty(&o.expr)).collect();
            if let Some(t) = ordered_set_type(&name, builds_array(f), &keys) {
                return t;
            }
        }
        let ty = function_type(&name, &args);
        // A SQL function's parameters take its declared argument types.
        if let (Ty::Routine { nargs, .. }, FunctionArguments::List(list)) = (&ty, &f.args) {
            for (index, a) in list.args.iter().enumerate() {
                if let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = a {
                    let arg = Ty::RoutineArg {
                        name: name.clone(),
                        nargs: *nargs,
                        index,
                    };
                    self.expect(e, &arg);
                }
            }
        }
        ty
    }
}

/// The functions that turn SQL values into JSON: an array, json or jsonb argument goes
/// in as JSON (its elements, its object), any other as a scalar.
pub const JSON_BUILDERS: &[&str] = &[
    "json_build_array",
    "jsonb_build_array",
    "json_build_object",
    "jsonb_build_object",
    "to_json",
    "to_jsonb",
    "json_agg",
    "jsonb_agg",
    "json_object_agg",
    "jsonb_object_agg",
    "pg_row_to_json",
];

/// The operators whose meaning depends on their operands' types.
pub fn arithmetic(op: &BinaryOperator) -> bool {
    use BinaryOperator as B;
    matches!(op, B::Plus | B::Minus | B::Multiply | B::Divide | B::Modulo)
}

/// The comparison operators: a string literal compared with a typed value is read as a
/// value of that type.
pub fn comparison(op: &BinaryOperator) -> bool {
    use BinaryOperator as B;
    matches!(op, B::Eq | B::NotEq | B::Lt | B::LtEq | B::Gt | B::GtEq)
}

/// `@>` and `<@`: containment of arrays or of jsonb, by the operands' types.
pub fn containment(op: &BinaryOperator) -> bool {
    matches!(op, BinaryOperator::AtArrow | BinaryOperator::ArrowAt)
}

/// A string literal (PostgreSQL's `unknown`-typed constant).
pub fn string_literal(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if matches!(
        v.value,
        Value::SingleQuotedString(_) | Value::EscapedStringLiteral(_) | Value::DollarQuotedString(_)
    ))
}

/// Whether `f`'s first argument is an array constructor or array function call.
fn builds_array(f: &Function) -> bool {
    let FunctionArguments::List(list) = &f.args else {
        return false;
    };
    match list.args.first() {
        Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(e))) => match e {
            Expr::Array(_) => true,
            Expr::Function(g) => matches!(
                last_part(&g.name).as_str(),
                "array_cat"
                    | "array_append"
                    | "array_prepend"
                    | "array_remove"
                    | "array_replace"
                    | "array_fill"
                    | "trim_array"
                    | "string_to_array"
                    | "regexp_split_to_array"
            ),
            _ => false,
        },
        _ => false,
    }
}

/// A column of source `s` named `column`: Some(type) when the source certainly has it;
/// a table's column goes into `maybe` (whether it has one is the schema's to say).
fn column_of(s: &Source, column: &str, maybe: &mut Vec<Ty>) -> Option<Ty> {
    match &s.kind {
        SourceKind::Table(t) => {
            maybe.push(Ty::Column {
                tables: vec![t.clone()],
                column: column.to_string(),
            });
            None
        }
        SourceKind::Derived(cols) => {
            for c in cols {
                match c {
                    // A subquery's untyped literal column is text to the query around it.
                    Column::Expr { name, ty } if name == column => {
                        return Some(match ty {
                            Ty::Literal => Ty::Named("text".into()),
                            other => other.clone(),
                        })
                    }
                    Column::All(inner) => {
                        if let Some(t) = column_of(inner, column, maybe) {
                            return Some(t);
                        }
                    }
                    _ => {}
                }
            }
            None
        }
    }
}

/// The rows of a record function (`json_to_record(j) AS x(a int)`,
/// `json_populate_record(null::t, j) q`): the listed columns, or the table's.
fn record_source(
    function: &str,
    args: &[&Expr],
    alias: Option<&sqlparser::ast::TableAlias>,
) -> Option<Source> {
    use crate::sql::translate::{record_columns, RecordColumns, RECORD_FUNCTIONS};
    let f = function.strip_prefix("pg_catalog.").unwrap_or(function);
    if !RECORD_FUNCTIONS.contains(&f) {
        return None;
    }
    let name = alias.map_or_else(|| f.to_string(), |a| ident(&a.name));
    let kind = match record_columns(f, args, alias).ok()? {
        RecordColumns::Listed(cols) => SourceKind::Derived(
            cols.into_iter()
                .map(|(n, t)| Column::Expr {
                    name: n,
                    ty: match builtin(t) {
                        Ty::Unknown => array_type(&type_name(t)),
                        known => known,
                    },
                })
                .collect(),
        ),
        RecordColumns::OfType(t) => SourceKind::Table(t),
    };
    Some(Source { name, kind })
}

/// `_int4` and `int4[][]` as `int4[]`.
fn array_type(name: &str) -> Ty {
    let element = match name.split_once('[') {
        Some((b, _)) => b,
        None => match name.strip_prefix('_') {
            Some(b) => b,
            None => return Ty::Unknown,
        },
    };
    if BUILTIN.contains(&base(element)) {
        Ty::Named(format!("{element}[]"))
    } else {
        Ty::Unknown
    }
}

/// Column aliases (`AS s(a, b)`) rename a derived source's columns in order.
fn rename(cols: &mut [Column], names: &[sqlparser::ast::TableAliasColumnDef]) {
    for (c, n) in cols.iter_mut().zip(names) {
        rename_one(c, &ident(&n.name));
    }
}

fn rename_one(c: &mut Column, new: &str) {
    if let Column::Expr { name, .. } = c {
        *name = new.to_string();
    }
}

/// A `Ty` with parameters' modifiers and wrappers left as they are; only unwraps a
/// parameter-free named type for quick checks.
fn strip_params(t: Ty) -> Ty {
    match t {
        Ty::Named(n) => Ty::Named(base(&n).to_string()),
        other => other,
    }
}

/// `$n` itself (possibly in parentheses).
fn param_of(e: &Expr) -> Option<usize> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Placeholder(p) => p.strip_prefix('$')?.parse().ok(),
            _ => None,
        },
        Expr::Nested(inner) => param_of(inner),
        _ => None,
    }
}

/// An identifier as PostgreSQL folds it: unquoted to lower case, quoted as written.
fn ident(i: &Ident) -> String {
    match i.quote_style {
        Some(_) => i.value.clone(),
        None => i.value.to_lowercase(),
    }
}

fn last_part(n: &ObjectName) -> String {
    match n.0.last() {
        Some(sqlparser::ast::ObjectNamePart::Identifier(i)) => ident(i),
        Some(other) => other.to_string().to_lowercase(),
        None => String::new(),
    }
}

/// A table's name without its schema (`public.t` is `t`); catalog tables keep the name
/// SQLite knows them by (`information_schema.columns` is `information_schema_columns`).
fn object_name(n: &ObjectName) -> String {
    let parts: Vec<String> =
        n.0.iter()
            .map(|p| match p {
                sqlparser::ast::ObjectNamePart::Identifier(i) => ident(i),
                other => other.to_string(),
            })
            .collect();
    match parts.as_slice() {
        [schema, t] if schema.eq_ignore_ascii_case("information_schema") => {
            format!("information_schema_{t}")
        }
        [.., t] => t.clone(),
        [] => String::new(),
    }
}

/// PostgreSQL's name for an unaliased result expression (`FigureColname`), with its
/// strength: 2 a real name, 1 a fallback (`case`, a cast's type), 0 `?column?`.
fn figure(e: &Expr, depth: usize) -> (String, u8) {
    let unnamed = || ("?column?".to_string(), 0);
    if depth > MAX_DEPTH {
        return unnamed();
    }
    let strong = |s: &str| (s.to_string(), 2);
    match e {
        Expr::Identifier(i) => (ident(i), 2),
        Expr::CompoundIdentifier(parts) => parts.last().map_or_else(unnamed, |i| (ident(i), 2)),
        Expr::Nested(inner) | Expr::Collate { expr: inner, .. } => figure(inner, depth + 1),
        Expr::Cast {
            expr, data_type, ..
        } => {
            let inner = figure(expr, depth + 1);
            if inner.1 > 1 {
                return inner;
            }
            (cast_name(data_type), 1)
        }
        Expr::TypedString(t) => (cast_name(&t.data_type), 1),
        Expr::Interval(_) => ("interval".into(), 1),
        Expr::Function(f) => match last_part(&f.name).as_str() {
            // PostgreSQL's grammar turns these into functions of other names.
            "substr" => strong("substr"),
            name => strong(name),
        },
        Expr::Case { else_result, .. } => {
            let inner = else_result
                .as_ref()
                .map_or_else(unnamed, |e| figure(e, depth + 1));
            if inner.1 > 1 {
                return inner;
            }
            ("case".into(), 1)
        }
        Expr::Exists { .. } => strong("exists"),
        Expr::Array(_) => strong("array"),
        Expr::Tuple(_) => strong("row"),
        Expr::Subquery(q) => match q.body.as_ref() {
            SetExpr::Select(s) => match s.projection.first() {
                Some(SelectItem::UnnamedExpr(e)) => (figure(e, depth + 1).0, 2),
                Some(SelectItem::ExprWithAlias { alias, .. }) => (ident(alias), 2),
                _ => unnamed(),
            },
            _ => unnamed(),
        },
        Expr::Extract { .. } => strong("extract"),
        Expr::Substring { .. } => strong("substring"),
        Expr::Position { .. } => strong("position"),
        Expr::Overlay { .. } => strong("overlay"),
        Expr::Ceil { .. } => strong("ceil"),
        Expr::Floor { .. } => strong("floor"),
        Expr::AtTimeZone { .. } => strong("timezone"),
        Expr::Trim { trim_where, .. } => match trim_where {
            Some(TrimWhereField::Leading) => strong("ltrim"),
            Some(TrimWhereField::Trailing) => strong("rtrim"),
            _ => strong("btrim"),
        },
        // `(f(…)).a`: a composite's field is named by the field.
        Expr::CompoundFieldAccess { root, access_chain }
            if !matches!(**root, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) =>
        {
            match access_chain.last() {
                Some(sqlparser::ast::AccessExpr::Dot(Expr::Identifier(field))) => (ident(field), 2),
                _ => figure(&accessed(root, access_chain), depth + 1),
            }
        }
        Expr::CompoundFieldAccess { root, access_chain } => {
            figure(&accessed(root, access_chain), depth + 1)
        }
        _ => unnamed(),
    }
}

/// Where a subscript's operand is recorded: its root's span, as a cast around it
/// (`j[1]::text`) has the subscript's own span.
pub fn subscript_at(e: &Expr) -> sqlparser::tokenizer::Span {
    use sqlparser::ast::Spanned;
    match e {
        Expr::CompoundFieldAccess { root, .. } => root.span(),
        // Empty at its start: apart from a subscript of it (`(ARRAY[…])[1]`), whose
        // root it is.
        Expr::Array(_) => {
            let start = e.span().start;
            sqlparser::tokenizer::Span::new(start, start)
        }
        other => other.span(),
    }
}

/// What a subscript applies to: `t.a[1]` parses as `t` then `.a` then `[1]`, and
/// subscripts the column `t.a`.
fn accessed(root: &Expr, chain: &[sqlparser::ast::AccessExpr]) -> Expr {
    let mut parts = match root {
        Expr::Identifier(i) => vec![i.clone()],
        Expr::CompoundIdentifier(p) => p.clone(),
        other => return other.clone(),
    };
    for access in chain {
        match access {
            sqlparser::ast::AccessExpr::Dot(Expr::Identifier(field)) => parts.push(field.clone()),
            _ => break,
        }
    }
    match parts.len() {
        1 => Expr::Identifier(parts.remove(0)),
        _ => Expr::CompoundIdentifier(parts),
    }
}

/// The name a cast gives its column: the type's internal name without modifiers.
fn cast_name(t: &DataType) -> String {
    let n = type_name(t);
    let n = n.split('[').next().unwrap_or(&n);
    let b = base(n);
    match b {
        // `x::"char"` is the one-byte "char" type, named char.
        "bpchar" if t.to_string().starts_with('"') => "char".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests;
