//! A table's constraints as PostgreSQL names them, read from the CREATE TABLE text SQLite
//! keeps (`sqlite_schema.sql`): SQLite's pragmas list keys and foreign keys but neither
//! constraint names nor CHECK constraints. `pg_table_constraints(table, sql)` gives them
//! to the catalog's SELECTs (tables.rs) as a JSON array of `{"kind": "p"|"u"|"f"|"c",
//! "name", "cols": "a, b", "def": "CHECK ((…))", "attrs": [columns a CHECK reads]}`.
//! Litewire's own value checks (`_litewire_…`, translate/mod.rs) are not listed.

use std::ops::ControlFlow;

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;
use sqlparser::ast::{
    ColumnOption, ConstraintCharacteristics, CreateTable, DeferrableInitial, Expr, Ident,
    TableConstraint, Visit, Visitor,
};

/// The prefix of the CHECK constraints litewire adds for PostgreSQL's value checks.
const OWN_CHECK: &str = "_litewire_";

pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let pure = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("pg_table_constraints", 2, pure, |ctx| {
        let table: String = ctx.get::<Option<String>>(0)?.unwrap_or_default();
        let sql: String = ctx.get::<Option<String>>(1)?.unwrap_or_default();
        Ok(to_json(&of_table(&table, &sql)))
    })
}

/// One constraint: its kind letter, name, columns (`a, b`), and for a CHECK its
/// definition and the columns it reads.
struct Constraint {
    kind: &'static str,
    name: String,
    cols: String,
    check: Option<(String, Vec<String>)>,
    /// A foreign key's DEFERRABLE and INITIALLY DEFERRED.
    deferral: Option<(bool, bool)>,
}

/// DEFERRABLE, INITIALLY DEFERRED (which implies DEFERRABLE).
fn deferral(c: Option<&ConstraintCharacteristics>) -> (bool, bool) {
    let deferred = c.is_some_and(|c| c.initially == Some(DeferrableInitial::Deferred));
    let deferrable = c.and_then(|c| c.deferrable).unwrap_or(deferred);
    (deferrable, deferred)
}

fn to_json(found: &[Constraint]) -> String {
    use crate::engine::array::push_json_string as string;
    let mut out = String::from("[");
    for (k, c) in found.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push_str("{\"kind\":");
        string(&mut out, c.kind);
        out.push_str(",\"name\":");
        string(&mut out, &c.name);
        out.push_str(",\"cols\":");
        string(&mut out, &c.cols);
        if let Some((deferrable, deferred)) = c.deferral {
            out.push_str(&format!(
                ",\"deferrable\":{},\"deferred\":{}",
                u8::from(deferrable),
                u8::from(deferred)
            ));
        }
        if let Some((def, attrs)) = &c.check {
            out.push_str(",\"def\":");
            string(&mut out, def);
            out.push_str(",\"attrs\":[");
            for (i, a) in attrs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(&mut out, a);
            }
            out.push(']');
        }
        out.push('}');
    }
    out.push(']');
    out
}

/// The constraints of `table` defined by `sql`, in their order of definition.
fn of_table(table: &str, sql: &str) -> Vec<Constraint> {
    // The reader ALTER TABLE uses: PostgreSQL's grammar first (array types), SQLite's
    // after, and the array types with a modifier SQLite's spelling gives.
    let Some(ct) = crate::sql::alter::parse_definition(sql) else {
        return Vec::new();
    };
    // A user schema's table `s.t` names its constraints after `t`.
    let table =
        crate::sql::translate::schemas::schema_of(table).map_or(table, |s| &table[s.len() + 1..]);
    let mut found = Found {
        table,
        columns: ct.columns.iter().map(|c| c.name.value.clone()).collect(),
        names: Vec::new(),
        out: Vec::new(),
    };
    column_constraints(&ct, &mut found);
    for c in &ct.constraints {
        match c {
            TableConstraint::PrimaryKey { name, columns, .. } => {
                let cols: Vec<String> = columns.iter().map(|c| plain(&c.column.expr)).collect();
                found.key("p", name.as_ref(), &cols);
            }
            TableConstraint::Unique { name, columns, .. } => {
                let cols: Vec<String> = columns.iter().map(|c| plain(&c.column.expr)).collect();
                found.key("u", name.as_ref(), &cols);
            }
            TableConstraint::ForeignKey {
                name,
                columns,
                characteristics,
                ..
            } => {
                let cols: Vec<String> = columns.iter().map(|c| c.value.clone()).collect();
                found.key("f", name.as_ref(), &cols);
                found.set_deferral(deferral(characteristics.as_ref()));
            }
            TableConstraint::Check { name, expr, .. } => found.check(name.as_ref(), expr, None),
            _ => {}
        }
    }
    found.out
}

fn column_constraints(ct: &CreateTable, found: &mut Found) {
    for column in &ct.columns {
        let cols = [column.name.value.clone()];
        for option in &column.options {
            match &option.option {
                ColumnOption::Unique { is_primary, .. } => {
                    let kind = if *is_primary { "p" } else { "u" };
                    found.key(kind, option.name.as_ref(), &cols);
                }
                ColumnOption::ForeignKey {
                    characteristics, ..
                } => {
                    found.key("f", option.name.as_ref(), &cols);
                    found.set_deferral(deferral(characteristics.as_ref()));
                }
                ColumnOption::Check(expr) => {
                    found.check(option.name.as_ref(), expr, Some(&column.name.value))
                }
                _ => {}
            }
        }
    }
}

/// An identifier's name (a key column), or the expression's text.
fn plain(e: &Expr) -> String {
    match e {
        Expr::Identifier(i) => i.value.clone(),
        other => other.to_string(),
    }
}

struct Found<'a> {
    table: &'a str,
    columns: Vec<String>,
    /// Names given so far, for PostgreSQL's numbered fallbacks (`t_check1`).
    names: Vec<String>,
    out: Vec<Constraint>,
}

impl Found<'_> {
    fn key(&mut self, kind: &'static str, name: Option<&Ident>, cols: &[String]) {
        let suffix = match kind {
            "p" => "pkey",
            "u" => "key",
            _ => "fkey",
        };
        let name = match (name, kind) {
            (Some(n), _) => n.value.clone(),
            (None, "p") => format!("{}_pkey", self.table),
            (None, _) => self.choose(&format!("{}_{}", self.table, cols.join("_")), suffix),
        };
        self.names.push(name.clone());
        self.out.push(Constraint {
            kind,
            name,
            cols: cols.join(", "),
            check: None,
            deferral: None,
        });
    }

    /// The deferral of the foreign key just found.
    fn set_deferral(&mut self, d: (bool, bool)) {
        if let Some(last) = self.out.last_mut() {
            last.deferral = Some(d);
        }
    }

    /// A CHECK: unnamed ones are `t_col_check` when they read one column (or were written
    /// on it), else `t_check`, as PostgreSQL names them.
    fn check(&mut self, name: Option<&Ident>, expr: &Expr, on_column: Option<&str>) {
        if name.is_some_and(|n| n.value.starts_with(OWN_CHECK)) {
            return;
        }
        let attrs = self.columns_read(expr);
        let name = match (name, on_column, attrs.as_slice()) {
            (Some(n), _, _) => n.value.clone(),
            (None, Some(c), _) => self.choose(&format!("{}_{c}", self.table), "check"),
            (None, None, [c]) => self.choose(&format!("{}_{c}", self.table), "check"),
            (None, None, _) => self.choose(self.table, "check"),
        };
        self.names.push(name.clone());
        self.out.push(Constraint {
            kind: "c",
            name,
            cols: attrs.join(", "),
            check: Some((format!("CHECK (({expr}))"), attrs)),
            deferral: None,
        });
    }

    /// The table's columns `expr` reads, in their order of appearance.
    fn columns_read(&self, expr: &Expr) -> Vec<String> {
        struct Read<'a>(&'a [String], Vec<String>);
        impl Visitor for Read<'_> {
            type Break = ();
            fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
                let name = match e {
                    Expr::Identifier(i) => Some(&i.value),
                    Expr::CompoundIdentifier(parts) => parts.last().map(|i| &i.value),
                    _ => None,
                };
                if let Some(n) = name.filter(|n| self.0.contains(n) && !self.1.contains(n)) {
                    self.1.push(n.clone());
                }
                ControlFlow::Continue(())
            }
        }
        let mut read = Read(&self.columns, Vec::new());
        let _ = expr.visit(&mut read);
        read.1
    }

    /// `base_suffix`, or `base_suffix1`, `2`… when taken (PostgreSQL's ChooseConstraintName).
    fn choose(&self, base: &str, suffix: &str) -> String {
        let first = format!("{base}_{suffix}");
        (0..)
            .map(|n| {
                if n == 0 {
                    first.clone()
                } else {
                    format!("{first}{n}")
                }
            })
            .find(|n| !self.names.contains(n))
            .unwrap_or(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_checks_as_postgresql_gives_them() {
        let got = to_json(&of_table(
            "ck",
            "CREATE TABLE ck (a INT CONSTRAINT \"_litewire_22003 integer\" CHECK (a BETWEEN 0 \
             AND 9) CHECK (a > 0), b INT, c NUMERIC(5,2) CONSTRAINT named_c CHECK (c >= 0), \
             CHECK (b > a), CHECK (b < 100), CHECK (b < 200), CONSTRAINT uq UNIQUE (a, b), \
             UNIQUE (b))",
        ));
        assert_eq!(
            got,
            concat!(
                r#"[{"kind":"c","name":"ck_a_check","cols":"a","def":"CHECK ((a > 0))","attrs":["a"]},"#,
                r#"{"kind":"c","name":"named_c","cols":"c","def":"CHECK ((c >= 0))","attrs":["c"]},"#,
                r#"{"kind":"c","name":"ck_check","cols":"b, a","def":"CHECK ((b > a))","attrs":["b","a"]},"#,
                r#"{"kind":"c","name":"ck_b_check","cols":"b","def":"CHECK ((b < 100))","attrs":["b"]},"#,
                r#"{"kind":"c","name":"ck_b_check1","cols":"b","def":"CHECK ((b < 200))","attrs":["b"]},"#,
                r#"{"kind":"u","name":"uq","cols":"a, b"},{"kind":"u","name":"ck_b_key","cols":"b"}]"#
            )
        );
    }
}
