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

use std::sync::Arc;

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
    /// `array_agg`: an array of the argument's type.
    ArrayOf,
    /// `unnest`, a subscript: the element type of an array.
    ElementOf,
    /// `max`, `abs`, `date_trunc`...: the argument's type without its modifier.
    Bare,
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
    /// The type name of parameter `$n`, where known.
    fn param(&self, n: usize) -> Option<String>;
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
        let stmt = super::parse::parse_one(source, limit).ok()?;
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

#[derive(Default)]
struct Analyzer {
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
                // A recursive CTE's own name is visible inside it, untyped.
                if with.recursive {
                    self.ctes.push((name.clone(), Vec::new()));
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
        let mut scope = Vec::new();
        for t in &s.from {
            scope.extend(self.sources_of(t));
        }
        self.scopes.push(scope);
        if let Some(w) = &s.selection {
            self.ty(w);
        }
        if let sqlparser::ast::GroupByExpr::Expressions(exprs, _) = &s.group_by {
            for e in exprs {
                self.ty(e);
            }
        }
        if let Some(h) = &s.having {
            self.ty(h);
        }
        let out = self.items(&s.projection);
        self.tail(outer);
        self.scopes.pop();
        out
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
        let mut out = self.factor(&t.relation);
        for j in &t.joins {
            out.extend(self.factor(&j.relation));
        }
        // Join conditions see the sources joined so far.
        self.scopes.push(out.clone());
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
        self.scopes.pop();
        out
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
                    None => SourceKind::Table(table.clone()),
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
                self.ty(expr);
                t
            }
            Expr::TypedString(t) => builtin(&t.data_type),
            Expr::Interval(_) => named("interval"),
            Expr::Collate { expr, .. } => self.ty(expr),
            Expr::UnaryOp { op, expr } => {
                let t = self.ty(expr);
                match op {
                    UnaryOperator::Not => bool_ty(),
                    UnaryOperator::Minus | UnaryOperator::Plus => t,
                    _ => Ty::Unknown,
                }
            }
            Expr::BinaryOp { left, op, right } => {
                let (l, r) = (self.ty(left), self.ty(right));
                self.expect(left, &r);
                self.expect(right, &l);
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
                for item in list {
                    let it = self.ty(item);
                    self.expect(item, &t);
                    self.expect(expr, &it);
                }
                bool_ty()
            }
            Expr::InSubquery { expr, subquery, .. } => {
                self.ty(expr);
                let cols = self.query(subquery);
                if let Some(Column::Expr { ty, .. }) = cols.first() {
                    self.expect(expr, &ty.clone());
                }
                bool_ty()
            }
            Expr::Between {
                expr, low, high, ..
            } => {
                let t = self.ty(expr);
                for bound in [low, high] {
                    let b = self.ty(bound);
                    self.expect(bound, &t);
                    self.expect(expr, &b);
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
                Ty::Of(Follow::ArrayOf, Box::new(Ty::Common(elems)))
            }
            Expr::CompoundFieldAccess { root, .. } => {
                let t = self.ty(root);
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
                args.push(match e {
                    FunctionArgExpr::Expr(e) => self.ty(e),
                    _ => Ty::Unknown,
                });
            }
        }
        if let FunctionArguments::Subquery(q) = &f.args {
            self.query(q);
        }
        if let Some(filter) = &f.filter {
            self.ty(filter);
        }
        if matches!(f.args, FunctionArguments::None) {
            if let Some(t) = bare_function_type(&name) {
                return Ty::Named(t.into());
            }
        }
        function_type(&name, &args)
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
                    Column::Expr { name, ty } if name == column => return Some(ty.clone()),
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

/// An integer literal is int4 when it fits, int8 when that fits, else numeric; a
/// literal with a point or an exponent is numeric.
fn number_type(n: &str) -> Ty {
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
    let written = written.trim().to_ascii_lowercase();
    let written = written.strip_prefix("pg_catalog.").unwrap_or(&written);
    let (body, array) = match written.find('[') {
        Some(i) => (&written[..i], "[]"),
        None => (written, ""),
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
        "decimal" | "numeric" | "dec" => "numeric",
        "character varying" | "varchar" | "char varying" => "varchar",
        "character" | "char" | "bpchar" => "bpchar",
        "timestamp with time zone" | "timestamptz" => "timestamptz",
        "timestamp without time zone" | "timestamp" => "timestamp",
        "time without time zone" | "time" => "time",
        "time with time zone" | "timetz" => "timetz",
        other => other,
    };
    let modifier = if name == "float" { "" } else { modifier };
    format!("{canonical}{}{array}", modifier.replace(' ', ""))
}

/// The built-in types litewire stores and describes (engine/types.rs); a cast to any
/// other type is left untyped here (its value decides).
const BUILTIN: &[&str] = &[
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
fn builtin(t: &DataType) -> Ty {
    // `"char"` is PostgreSQL's one-byte type, not char(1).
    if t.to_string().starts_with("\"char\"") {
        return Ty::Unknown;
    }
    let name = type_name(t);
    if BUILTIN.contains(&base(name.trim_end_matches("[]"))) {
        Ty::Named(name)
    } else {
        Ty::Unknown
    }
}

/// A type name without modifiers: `numeric(10,2)` is `numeric`.
fn base(t: &str) -> &str {
    t.split('(').next().unwrap_or(t).trim()
}

fn binary_type(op: &BinaryOperator, l: Ty, r: Ty) -> Ty {
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
fn bare_function_type(name: &str) -> Option<&'static str> {
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
fn function_type(name: &str, args: &[Ty]) -> Ty {
    let first = || Box::new(args.first().cloned().unwrap_or(Ty::Unknown));
    let named = |s: &str| Ty::Named(s.to_string());
    match name {
        "sum" => Ty::Of(Follow::Sum, first()),
        "avg" => Ty::Of(Follow::Avg, first()),
        "max" | "min" | "abs" | "lag" | "lead" | "first_value" | "last_value" | "nth_value"
        | "any_value" | "mod" | "sign" => Ty::Of(Follow::Bare, first()),
        "coalesce" | "greatest" | "least" => Ty::Common(args.to_vec()),
        "nullif" => *first(),
        "round" | "trunc" | "ceil" | "ceiling" | "floor" | "sqrt" | "cbrt" | "exp" | "ln"
        | "log" | "log10" | "power" | "pow" => {
            if args.len() > 1 && matches!(name, "round" | "trunc") {
                named("numeric")
            } else {
                Ty::Of(Follow::Math, first())
            }
        }
        "date_trunc" => match args.get(1) {
            Some(t) => Ty::Of(Follow::Bare, Box::new(t.clone())),
            None => Ty::Unknown,
        },
        "array_agg" => Ty::Of(Follow::ArrayOf, first()),
        "unnest" => Ty::Of(Follow::ElementOf, first()),
        "array_append" | "array_cat" | "array_remove" | "array_replace" => *first(),
        "array_prepend" => args.get(1).cloned().unwrap_or(Ty::Unknown),
        "generate_series" => match args.first() {
            Some(t @ Ty::Named(n)) if n.starts_with("timestamp") => t.clone(),
            Some(Ty::Named(n)) if n == "date" => named("timestamptz"),
            Some(_) => Ty::Common(args.iter().take(2).cloned().collect()),
            None => Ty::Unknown,
        },
        _ => match fixed_function_type(name) {
            Some(t) => named(t),
            None => Ty::Unknown,
        },
    }
}

fn fixed_function_type(name: &str) -> Option<&'static str> {
    Some(match name {
        "count"
        | "row_number"
        | "rank"
        | "dense_rank"
        | "pg_table_size"
        | "pg_relation_size"
        | "pg_total_relation_size"
        | "pg_database_size" => "int8",
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
        | "regexp_instr"
        | "scale" => "int4",
        "percent_rank" | "cume_dist" | "random" | "date_part" | "pi" | "degrees" | "radians"
        | "sin" | "cos" | "tan" | "asin" | "acos" | "atan" | "atan2" => "float8",
        "div" => "numeric",
        "lower"
        | "upper"
        | "btrim"
        | "ltrim"
        | "rtrim"
        | "substr"
        | "substring"
        | "replace"
        | "concat"
        | "concat_ws"
        | "format"
        | "repeat"
        | "lpad"
        | "rpad"
        | "md5"
        | "left"
        | "right"
        | "reverse"
        | "initcap"
        | "split_part"
        | "translate"
        | "to_char"
        | "quote_ident"
        | "quote_literal"
        | "quote_nullable"
        | "regexp_replace"
        | "regexp_substr"
        | "string_agg"
        | "chr"
        | "version"
        | "current_setting"
        | "set_config"
        | "array_to_string"
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
        | "make_timestamptz" => "timestamptz",
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
        | "has_database_privilege"
        | "pg_table_is_visible"
        | "pg_type_is_visible"
        | "starts_with"
        | "regexp_like"
        | "isfinite"
        | "jsonb_exists" => "bool",
        "gen_random_uuid" | "uuid_generate_v4" => "uuid",
        "json_agg" | "json_build_object" | "json_build_array" | "to_json" | "json_object_agg"
        | "array_to_json" | "row_to_json" | "json_object" | "json_extract_path" => "json",
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
        | "jsonb_path_query_first" => "jsonb",
        "decode" => "bytea",
        "to_number" => "numeric",
        _ => return None,
    })
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
        Expr::CompoundFieldAccess { root, .. } => figure(root, depth + 1),
        _ => unnamed(),
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

/// The columns a statement returns, each as (PostgreSQL name, type name), with `*`
/// expanded through the schema. None when the statement returns no rows or its columns
/// cannot be listed (an unknown table).
pub fn resolve_columns(
    typing: &Typing,
    schema: &dyn Schema,
) -> Option<Vec<(String, Option<String>)>> {
    let mut out = Vec::new();
    for c in typing.columns.as_ref()? {
        expand(c, schema, &mut out, 0)?;
    }
    Some(out)
}

fn expand(
    c: &Column,
    schema: &dyn Schema,
    out: &mut Vec<(String, Option<String>)>,
    depth: usize,
) -> Option<()> {
    if depth > MAX_DEPTH {
        return None;
    }
    match c {
        Column::Expr { name, ty } => out.push((name.clone(), resolve(ty, schema))),
        Column::All(Source {
            kind: SourceKind::Table(t),
            ..
        }) => {
            for (name, decl) in schema.columns(t)? {
                out.push((name, declared(&decl)));
            }
        }
        Column::All(Source {
            kind: SourceKind::Derived(cols),
            ..
        }) => {
            for c in cols {
                expand(c, schema, out, depth + 1)?;
            }
        }
    }
    Some(())
}

/// The PostgreSQL type name `ty` stands for in `schema`, modifiers kept where PostgreSQL
/// keeps them; None when unknown.
pub fn resolve(ty: &Ty, schema: &dyn Schema) -> Option<String> {
    resolve_at(ty, schema, 0)
}

fn resolve_at(ty: &Ty, schema: &dyn Schema, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let r = |t: &Ty| resolve_at(t, schema, depth + 1);
    match ty {
        Ty::Unknown => None,
        Ty::Literal => Some("text".into()),
        Ty::Named(n) => Some(n.clone()),
        Ty::Column { tables, column } => tables.iter().find_map(|t| {
            schema
                .columns(t)?
                .into_iter()
                .find(|(c, _)| c.eq_ignore_ascii_case(column))
                .and_then(|(_, decl)| declared(&decl))
        }),
        Ty::Nth { table, index } => schema
            .columns(table)?
            .into_iter()
            .nth(*index)
            .and_then(|(_, decl)| declared(&decl)),
        Ty::Param(n) => schema.param(*n),
        Ty::First(all) => all.iter().find_map(r),
        Ty::Common(all) => common(all.iter().filter(|t| **t != Ty::Literal).map(r))
            .or_else(|| all.contains(&Ty::Literal).then(|| "text".into())),
        Ty::Op(op, a, b) => operator(*op, a, b, &r),
        Ty::Of(f, a) => {
            let a = r(a)?;
            follow(*f, &a)
        }
    }
}

/// A declared column type in PostgreSQL's spelling; None when there is none.
fn declared(decl: &str) -> Option<String> {
    (!decl.trim().is_empty()).then(|| canonical(decl))
}

/// The common type of several (PostgreSQL's UNION/CASE resolution, simplified): numbers
/// promote, anything else is the first known type; modifiers survive only if all agree.
fn common(types: impl Iterator<Item = Option<String>>) -> Option<String> {
    let mut result: Option<String> = None;
    for t in types {
        let t = t?;
        result = Some(match result {
            None => t,
            Some(r) if r == t => r,
            Some(r) => match (rank(base(&r)), rank(base(&t))) {
                (Some(a), Some(b)) => promote(base(&r), base(&t), a, b).to_string(),
                _ => base(&r).to_string(),
            },
        });
    }
    result
}

/// Numeric types in PostgreSQL's promotion order.
fn rank(t: &str) -> Option<u8> {
    Some(match t {
        "int2" => 1,
        "int4" => 2,
        "int8" => 3,
        "numeric" => 4,
        "float4" => 5,
        "float8" => 6,
        _ => return None,
    })
}

/// The type two numeric operands meet at: float4 only with float4, float8 with any
/// other float, else the wider.
fn promote<'a>(a: &'a str, b: &'a str, ra: u8, rb: u8) -> &'a str {
    if (ra >= 5 || rb >= 5) && ra != rb {
        return "float8";
    }
    if ra >= rb {
        a
    } else {
        b
    }
}

fn operator(op: Op, a: &Ty, b: &Ty, r: &dyn Fn(&Ty) -> Option<String>) -> Option<String> {
    if op == Op::Concat {
        let (ta, tb) = (r(a), r(b));
        for t in [&ta, &tb].into_iter().flatten() {
            if t.ends_with("[]") || base(t) == "jsonb" {
                return Some(t.clone());
            }
        }
        return Some("text".into());
    }
    // An untyped literal takes the other operand's type (`n + '1'`).
    let (ta, tb) = match (a, b) {
        (Ty::Literal, b) => (r(b)?, r(b)?),
        (a, Ty::Literal) => (r(a)?, r(a)?),
        (a, b) => (r(a)?, r(b)?),
    };
    let (x, y) = (base(&ta), base(&tb));
    if let (Some(ra), Some(rb)) = (rank(x), rank(y)) {
        return Some(promote(x, y, ra, rb).to_string());
    }
    let time = |t: &str| matches!(t, "timestamp" | "timestamptz");
    let int = |t: &str| matches!(t, "int2" | "int4" | "int8");
    Some(
        match (op, x, y) {
            (Op::Minus, "date", "date") => "int4",
            (Op::Plus | Op::Minus, "date", i) | (Op::Plus, i, "date") if int(i) => "date",
            (Op::Plus | Op::Minus, "date", "interval") | (Op::Plus, "interval", "date") => {
                "timestamp"
            }
            (Op::Plus, "date", "time") | (Op::Plus, "time", "date") => "timestamp",
            (Op::Minus, t, u) if time(t) && time(u) => "interval",
            (Op::Plus | Op::Minus, t, "interval") if time(t) => t,
            (Op::Plus, "interval", t) if time(t) => t,
            (Op::Plus | Op::Minus, "time", "interval") => "time",
            (Op::Minus, "time", "time") => "interval",
            (_, "interval", "interval") => "interval",
            (Op::Times, "interval", n) | (Op::Times, n, "interval") if rank(n).is_some() => {
                "interval"
            }
            _ => return None,
        }
        .to_string(),
    )
}

fn follow(f: Follow, a: &str) -> Option<String> {
    let b = base(a);
    Some(match f {
        Follow::Sum => match b {
            "int2" | "int4" => "int8".into(),
            "int8" => "numeric".into(),
            // The sum keeps its inputs' scale, rendered from the modifier.
            "numeric" => a.into(),
            "float4" | "float8" | "interval" | "money" => b.into(),
            _ => return None,
        },
        Follow::Avg => match b {
            "int2" | "int4" | "int8" | "numeric" => "numeric".into(),
            "float4" | "float8" => "float8".into(),
            "interval" => "interval".into(),
            _ => return None,
        },
        Follow::Math => match b {
            "numeric" => "numeric".into(),
            "int2" | "int4" | "int8" | "float4" | "float8" => "float8".into(),
            _ => return None,
        },
        Follow::ArrayOf if !a.ends_with("[]") => format!("{b}[]"),
        Follow::ArrayOf => return None,
        Follow::ElementOf => base(a.strip_suffix("[]")?).to_string(),
        // PostgreSQL drops the modifier (max of a numeric(10,2) is numeric), but its
        // values keep their scale or padding, which litewire renders from the modifier.
        Follow::Bare if matches!(b, "bpchar" | "numeric") => a.into(),
        Follow::Bare => b.into(),
    })
}

#[cfg(test)]
mod tests;
