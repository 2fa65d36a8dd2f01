//! Rewrites the PostgreSQL spellings clients send most into SQLite SQL, token by token:
//! `x::type` casts, `pg_catalog.` / `public.` qualifiers, and the parenthesis-less
//! functions `current_user`, `session_user`, `current_role`, `current_catalog`,
//! `current_schema`. Text that needs none of it is returned unchanged (borrowed).

use std::borrow::Cow;

use super::lexer::{Lexer, Token, TokenKind};

const BARE_FUNCTIONS: &[&str] = &[
    "current_user",
    "session_user",
    "current_role",
    "current_catalog",
    "current_schema",
];

/// Aggregates SQLite spells differently (`array_agg` gives a JSON array as text).
const AGGREGATES: &[(&str, &str)] = &[
    ("array_agg", "json_group_array"),
    ("string_agg", "group_concat"),
];

/// PostgreSQL's auto-increment column types.
const SERIALS: &[&str] = &[
    "serial",
    "serial4",
    "bigserial",
    "serial8",
    "smallserial",
    "serial2",
];

fn is_create_table(sql: &str) -> bool {
    let mut w = super::lexer::words(sql);
    w.next().is_some_and(|f| f.eq_ignore_ascii_case("create"))
        && w.take(3).any(|x| x.eq_ignore_ascii_case("table"))
}

/// `CREATE TABLE t (...) WITH (fillfactor = 100)` / `TABLESPACE x`: PostgreSQL storage
/// options after the column list (pgbench sends them), which SQLite has no use for.
fn table_storage_options(sql: &str) -> Option<String> {
    if !is_create_table(sql) {
        return None;
    }
    let tk = super::lexer::Toks::new(sql);
    // The `)` closing the column list.
    let open = (0..tk.t.len()).find(|&i| tk.kind(i) == Some(TokenKind::Open))?;
    let close = tk.close_of(open)?;
    let after = close + 1;
    let storage =
        tk.is_word(after, "with") && tk.text(after + 1) == "(" || tk.is_word(after, "tablespace");
    if !storage {
        return None;
    }
    // Up to a SQLite table option (`WITHOUT ROWID`, `STRICT`) or the end.
    let end = (after..tk.t.len())
        .find(|&i| tk.is_word(i, "without") || tk.is_word(i, "strict"))
        .map_or(sql.len(), |i| tk.t[i].start);
    let columns = &sql[..tk.t[close].end];
    Some(if end < sql.len() {
        format!("{columns} {}", &sql[end..])
    } else {
        columns.to_string()
    })
}

/// The SQLite spelling of a cast to `pg_type` (lower case, as written after `::`): the
/// text that goes before the operand and the text that goes after it. Types whose text
/// input PostgreSQL validates go through `pg_cast(x, 'type')` (engine/functions.rs),
/// which refuses what PostgreSQL refuses. `literal`: the operand is a string literal.
fn cast(pg_type: &str, literal: bool) -> (&'static str, Cow<'static, str>) {
    let base = pg_type.split(['(', '[']).next().unwrap_or("").trim();
    let checked = |name: &str| ("pg_cast(", Cow::Owned(format!(", '{name}')")));
    if pg_type.contains('[') {
        // A literal is checked as an array literal of the element type and kept as text;
        // anything else (a parameter, ARRAY[...]) is already an array.
        return if literal {
            checked(&format!("{base}[]"))
        } else {
            ("", Cow::Borrowed(""))
        };
    }
    let wrap = |before: &'static str, after: &'static str| (before, Cow::Borrowed(after));
    match base {
        "bool" | "boolean" => wrap("pg_bool(", ")"),
        "bytea" => wrap("pg_bytea(", ")"),
        "int2" | "smallint" => checked("int2"),
        "int" | "int4" | "integer" => checked("int4"),
        "int8" | "bigint" => checked("int8"),
        "oid" => checked("oid"),
        // PostgreSQL's float input (NaN, Infinity; garbage is an error, not 0).
        "float" | "float4" | "float8" | "real" | "double precision" => wrap("pg_float(", ")"),
        "numeric" | "decimal" => checked("numeric"),
        "uuid" | "json" | "jsonb" => checked(base),
        "time" | "time without time zone" => checked("time"),
        // Dates and times are stored as text, normalized the way PostgreSQL reads them.
        "interval" => wrap("pg_interval(", ")"),
        "timestamptz" | "timestamp with time zone" => wrap("pg_timestamptz(", ")"),
        "timestamp" | "timestamp without time zone" => wrap("pg_timestamp(", ")"),
        "date" => wrap("pg_date(", ")"),
        // OID aliases: an OID shows as the name, a name becomes the OID (engine/catalog).
        "regtype" => wrap("pg_regtype(", ")"),
        "regnamespace" => wrap("pg_regnamespace(", ")"),
        "regclass" => wrap("pg_regclass(", ")"),
        // Text-stored types keep their text (SQLite's NUMERIC cast would mangle dates).
        _ => wrap("CAST(", " AS TEXT)"),
    }
}

/// The rewritten statement as it is built: pieces of text, and for casts the text to
/// insert before a piece. A cast wraps its operand by recording a prefix at the
/// operand's first piece and pushing a suffix piece, so `x::a::b::c` costs the same per
/// cast however long the chain or operand (rebuilding the operand's text per cast was
/// quadratic: 50,000 casts took seconds).
struct Out<'a> {
    pieces: Vec<Cow<'a, str>>,
    /// For each piece, the first piece of the operand it ends: the matching `(` of a
    /// `)`, the operand's start for a cast's suffix, else the piece itself.
    start: Vec<usize>,
    /// `(` pieces not yet closed.
    open: Vec<usize>,
    /// (piece, text): prefixes in the order recorded; inner casts first.
    prefixes: Vec<(usize, &'static str)>,
}

impl<'a> Out<'a> {
    fn push(&mut self, piece: impl Into<Cow<'a, str>>) {
        let piece = piece.into();
        let i = self.pieces.len();
        let start = match piece.as_ref() {
            "(" => {
                self.open.push(i);
                i
            }
            ")" => self.open.pop().unwrap_or(i),
            _ => i,
        };
        self.pieces.push(piece);
        self.start.push(start);
    }

    fn last(&self) -> Option<&str> {
        self.pieces.last().map(|p| p.as_ref())
    }

    /// The first piece of the operand before `::`: the last piece, or a whole
    /// parenthesized group with the function name before it, or a chain like `a.b`.
    fn operand_start(&mut self) -> Option<usize> {
        while self.last().is_some_and(|p| p.trim().is_empty()) {
            self.pieces.pop();
            self.start.pop();
        }
        let last = self.pieces.len().checked_sub(1)?;
        let mut s = self.start[last];
        let name = |p: &str| {
            !p.is_empty()
                && p != "("
                && p.chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '(')
        };
        if self.pieces[last] == ")" && s > 0 && name(&self.pieces[s - 1]) {
            s -= 1;
        }
        // Qualified names: `t.col`.
        while s >= 2 && self.pieces[s - 1] == "." {
            s -= 2;
        }
        Some(s)
    }

    fn cast(&mut self, pg_type: &str) {
        let Some(s) = self.operand_start() else {
            // `::type` with no operand: SQLite reports the syntax error.
            let (before, after) = cast(pg_type, false);
            self.push(format!("{before}{after}"));
            return;
        };
        let literal = s + 1 == self.pieces.len() && self.pieces[s].starts_with('\'');
        let (before, after) = cast(pg_type, literal);
        if !before.is_empty() {
            self.prefixes.push((s, before));
        }
        self.pieces.push(after);
        self.start.push(s);
    }

    fn finish(self) -> String {
        let mut prefixes: Vec<(usize, usize, &str)> = self
            .prefixes
            .into_iter()
            .enumerate()
            .map(|(seq, (at, p))| (at, seq, p))
            .collect();
        // Outer casts (recorded later) go first.
        prefixes.sort_by_key(|&(at, seq, _)| (at, std::cmp::Reverse(seq)));
        let len: usize = self.pieces.iter().map(|p| p.len()).sum::<usize>()
            + prefixes.iter().map(|p| p.2.len()).sum::<usize>();
        let mut text = String::with_capacity(len);
        let mut next = prefixes.iter().peekable();
        for (i, piece) in self.pieces.iter().enumerate() {
            while let Some((_, _, p)) = next.next_if(|(at, _, _)| *at == i) {
                text.push_str(p);
            }
            text.push_str(piece);
        }
        text
    }
}

/// Array passes rewrite the inside of `ARRAY[...]`, `ARRAY(...)` and their arguments by
/// calling [`to_sqlite`] again; deeper than this the text is left as it is (SQLite then
/// refuses what it cannot read; PostgreSQL arrays have at most 6 dimensions). This
/// bounds both the stack and the re-reading of the same text per level.
const MAX_REWRITE_DEPTH: usize = 16;

thread_local! {
    static REWRITE_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Rewrites one statement for SQLite.
pub fn to_sqlite(sql: &str) -> Cow<'_, str> {
    let depth = REWRITE_DEPTH.with(|d| d.get());
    if depth >= MAX_REWRITE_DEPTH {
        return Cow::Borrowed(sql);
    }
    // Restored on the way out, also if a pass panics.
    struct Level(usize);
    impl Drop for Level {
        fn drop(&mut self) {
            REWRITE_DEPTH.with(|d| d.set(self.0));
        }
    }
    let _level = Level(depth);
    REWRITE_DEPTH.with(|d| d.set(depth + 1));
    rewrite_passes(sql)
}

fn rewrite_passes(sql: &str) -> Cow<'_, str> {
    let mut out = to_sqlite_tokens(sql);
    for pass in [
        values_aliases,
        table_storage_options,
        super::arrays::any_of_array,
        super::arrays::array_subqueries,
        super::arrays::array_functions,
        // After subscripts, whose index may name a set-returning function's column.
        super::arrays::subscripts,
        super::arrays::set_returning_functions,
    ] {
        if let Some(rewritten) = pass(&out) {
            out = Cow::Owned(rewritten);
        }
    }
    out
}

/// `(VALUES (...), (...)) AS t(a, b)`: SQLite has no column aliases on a derived table,
/// so it becomes `(SELECT column1 AS a, column2 AS b FROM (VALUES ...)) AS t`
/// (SQLAlchemy's batched INSERT ... SELECT sends this).
fn values_aliases(sql: &str) -> Option<String> {
    if !contains_ignore_case(sql, "values") {
        return None;
    }
    let toks: Vec<Token> = super::lexer::significant(sql).collect();
    let text = |i: usize| toks.get(i).map_or("", |t| &sql[t.start..t.end]);
    let kind = |i: usize| toks.get(i).map(|t| t.kind);
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i + 1 < toks.len() {
        let starts = kind(i) == Some(TokenKind::Open) && text(i + 1).eq_ignore_ascii_case("values");
        if !starts {
            i += 1;
            continue;
        }
        // The parenthesis closing this derived table.
        let mut depth = 0;
        let mut close = None;
        for j in i..toks.len() {
            match kind(j) {
                Some(TokenKind::Open) => depth += 1,
                Some(TokenKind::Close) => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(j);
                        break;
                    }
                }
                _ => {}
            }
        }
        let close = close?;
        let mut a = close + 1;
        if text(a).eq_ignore_ascii_case("as") {
            a += 1;
        }
        if kind(a) != Some(TokenKind::Word) || kind(a + 1) != Some(TokenKind::Open) {
            i += 1;
            continue;
        }
        let mut cols = Vec::new();
        let mut j = a + 2;
        while kind(j) != Some(TokenKind::Close) {
            match kind(j) {
                Some(TokenKind::Word) | Some(TokenKind::Quoted) => cols.push(text(j).to_string()),
                Some(TokenKind::Other) if text(j) == "," => {}
                _ => return None,
            }
            j += 1;
        }
        let select: Vec<String> = cols
            .iter()
            .enumerate()
            .map(|(n, c)| format!("column{} AS {c}", n + 1))
            .collect();
        out.push_str(&sql[copied..toks[i].start]);
        out.push_str(&format!(
            "(SELECT {} FROM {}) AS {}",
            select.join(", "),
            &sql[toks[i].start..toks[close].end],
            text(a)
        ));
        copied = toks[j].end;
        i = j + 1;
    }
    (copied > 0).then(|| {
        out.push_str(&sql[copied..]);
        out
    })
}

fn to_sqlite_tokens(sql: &str) -> Cow<'_, str> {
    let create_table = is_create_table(sql);
    let needs = sql.contains("::")
        || sql.contains('~')
        || contains_ignore_case(sql, "collate")
        || AGGREGATES
            .iter()
            .any(|(pg, _)| contains_ignore_case(sql, pg))
        || sql.contains("pg_catalog.")
        || contains_ignore_case(sql, "information_schema.")
        || sql.contains("public.")
        || (create_table && contains_ignore_case(sql, "serial"))
        || BARE_FUNCTIONS.iter().any(|f| contains_ignore_case(sql, f));
    if !needs {
        return Cow::Borrowed(sql);
    }
    let toks: Vec<Token> = Lexer::new(sql).collect();
    let text = |t: &Token| &sql[t.start..t.end];
    // For each token, the first `)` at or after it: `OPERATOR(...)` and a type's `(n)`
    // look for it, and a scan each time would be quadratic when it is far or missing.
    let mut next_close = vec![toks.len(); toks.len() + 1];
    for j in (0..toks.len()).rev() {
        next_close[j] = if toks[j].kind == TokenKind::Close {
            j
        } else {
            next_close[j + 1]
        };
    }
    let mut out = Out {
        pieces: Vec::with_capacity(toks.len()),
        start: Vec::with_capacity(toks.len()),
        open: Vec::new(),
        prefixes: Vec::new(),
    };
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let next_sig = |from: usize| (from..toks.len()).find(|&j| toks[j].kind != TokenKind::Space);
        if t.kind == TokenKind::Word {
            let w = text(t);
            // `pg_catalog.x` → `x`; `public.x` → `main.x`.
            if let Some(dot) = next_sig(i + 1) {
                if text(&toks[dot]) == "." {
                    if w.eq_ignore_ascii_case("pg_catalog") {
                        i = dot + 1;
                        continue;
                    }
                    // `information_schema.tables` is the catalog table
                    // `information_schema_tables` (engine/catalog).
                    if w.eq_ignore_ascii_case("information_schema") {
                        if let Some(name) = next_sig(dot + 1) {
                            out.push(format!(
                                "information_schema_{}",
                                text(&toks[name]).trim_matches('"').to_ascii_lowercase()
                            ));
                            i = name + 1;
                            continue;
                        }
                    }
                    if w.eq_ignore_ascii_case("public") {
                        out.push("main");
                        i += 1;
                        continue;
                    }
                }
            }
            // SERIAL columns: SQLite's INTEGER PRIMARY KEY is the auto-incrementing rowid.
            if create_table && SERIALS.iter().any(|s| w.eq_ignore_ascii_case(s)) {
                out.push("INTEGER");
                i += 1;
                continue;
            }
            // Aggregates SQLite spells differently (the result is a JSON array as text).
            let renamed = AGGREGATES
                .iter()
                .find(|(pg, _)| w.eq_ignore_ascii_case(pg))
                .filter(|_| next_sig(i + 1).is_some_and(|j| toks[j].kind == TokenKind::Open));
            if let Some((_, sqlite)) = renamed {
                out.push(*sqlite);
                i += 1;
                continue;
            }
            if BARE_FUNCTIONS.iter().any(|f| w.eq_ignore_ascii_case(f)) {
                let called = next_sig(i + 1).is_some_and(|j| toks[j].kind == TokenKind::Open);
                let qualified = out.last() == Some(".");
                if called || qualified {
                    out.push(w);
                } else {
                    out.push(format!("{w}()"));
                }
                i += 1;
                continue;
            }
        }
        // POSIX regex operators: `a ~ b`, `a !~ b`, `a ~* b`, `OPERATOR(pg_catalog.~)`
        // (psql's `\d` patterns) → SQLite's `REGEXP`, with `(?i)` for the `*` forms.
        if t.kind == TokenKind::Word
            && w_is(sql, t, "operator")
            && next_sig(i + 1).is_some_and(|j| toks[j].kind == TokenKind::Open)
        {
            let open = next_sig(i + 1).unwrap_or(i);
            // An operator name is a few tokens: `OPERATOR(pg_catalog.~)`.
            let close = next_close[open];
            if close < toks.len() && close - open <= 8 {
                let op: String = toks[open + 1..close]
                    .iter()
                    .filter(|t| t.kind != TokenKind::Space)
                    .map(text)
                    .collect();
                let op = op.strip_prefix("pg_catalog.").unwrap_or(&op);
                out.push(regex_operator(op).map_or_else(|| op.to_string(), String::from));
                i = close + 1;
                continue;
            }
        }
        if t.kind == TokenKind::Other && (text(t) == "~" || text(t) == "!") {
            let negated = text(t) == "!";
            let binary = out
                .pieces
                .iter()
                .rev()
                .find(|p| !p.trim().is_empty())
                .and_then(|p| p.chars().last())
                .is_some_and(|c| c.is_alphanumeric() || "_'\")]$".contains(c));
            let tilde = if negated { i + 1 } else { i };
            if binary && toks.get(tilde).is_some_and(|n| text(n) == "~") {
                let star = toks.get(tilde + 1).is_some_and(|n| text(n) == "*");
                let op = match (negated, star) {
                    (false, false) => "~",
                    (true, false) => "!~",
                    (false, true) => "~*",
                    (true, true) => "!~*",
                };
                out.push(regex_operator(op).unwrap_or(op));
                i = tilde + 1 + usize::from(star);
                continue;
            }
        }
        // `COLLATE pg_catalog.default` / `"C"` / `"POSIX"`: SQLite's default collation.
        if t.kind == TokenKind::Word && w_is(sql, t, "collate") {
            if let Some(j) = next_sig(i + 1) {
                let mut k = j;
                if text(&toks[j]).eq_ignore_ascii_case("pg_catalog") {
                    k = next_sig(j + 1).and_then(|d| next_sig(d + 1)).unwrap_or(j);
                }
                let name = text(&toks[k]).trim_matches('"');
                if ["default", "c", "posix"]
                    .iter()
                    .any(|n| name.eq_ignore_ascii_case(n))
                {
                    i = k + 1;
                    continue;
                }
            }
        }
        // `::type`: two ':' tokens in a row.
        if text(t) == ":" && toks.get(i + 1).is_some_and(|n| text(n) == ":") {
            let (ty, after) = read_type(sql, &toks, &next_close, i + 2);
            out.cast(&ty);
            i = after;
            continue;
        }
        out.push(text(t));
        i += 1;
    }
    Cow::Owned(out.finish())
}

fn w_is(sql: &str, t: &Token, word: &str) -> bool {
    sql[t.start..t.end].eq_ignore_ascii_case(word)
}

/// SQLite's spelling of a PostgreSQL regex operator (REGEXP calls `regexp()`).
fn regex_operator(op: &str) -> Option<&'static str> {
    Some(match op {
        "~" => " REGEXP ",
        "!~" => " NOT REGEXP ",
        "~*" => " REGEXP '(?i)' || ",
        "!~*" => " NOT REGEXP '(?i)' || ",
        _ => return None,
    })
}

/// Whether `needle` (ASCII) occurs in `hay`, ignoring ASCII case. Looks for the first
/// byte before comparing, since the passes ask this of whole (possibly huge) statements.
pub(super) fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    let Some(&first) = needle.first() else {
        return true;
    };
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    let last_start = match hay.len().checked_sub(needle.len()) {
        Some(n) => n,
        None => return false,
    };
    // A plain loop: it is also what the debug builds of the tests run.
    let mut i = 0;
    while i <= last_start {
        let b = hay[i];
        if (b == lower || b == upper) && hay[i..i + needle.len()].eq_ignore_ascii_case(needle) {
            return true;
        }
        i += 1;
    }
    false
}

/// Reads a type name after `::`: words (e.g. `double precision`, `character varying`,
/// `timestamp with time zone`), an optional `(n[,m])` and `[]`. Returns it in lower case
/// and the index of the first token after it.
fn read_type(sql: &str, toks: &[Token], next_close: &[usize], mut i: usize) -> (String, usize) {
    let mut ty = String::new();
    let text = |t: &Token| &sql[t.start..t.end];
    while i < toks.len() && toks[i].kind == TokenKind::Space {
        i += 1;
    }
    // Multi-word names: keep taking words that continue a known type name.
    const CONTINUES: &[&str] = &["precision", "varying", "with", "without", "time", "zone"];
    let mut first = true;
    while i < toks.len() {
        let t = &toks[i];
        match t.kind {
            TokenKind::Word | TokenKind::Quoted
                if first || CONTINUES.iter().any(|c| text(t).eq_ignore_ascii_case(c)) =>
            {
                if !first {
                    ty.push(' ');
                }
                ty.push_str(&text(t).trim_matches('"').to_ascii_lowercase());
                first = false;
                i += 1;
                // Allow a space before a continuation word.
                let mut j = i;
                while j < toks.len() && toks[j].kind == TokenKind::Space {
                    j += 1;
                }
                if j < toks.len()
                    && toks[j].kind == TokenKind::Word
                    && CONTINUES
                        .iter()
                        .any(|c| text(&toks[j]).eq_ignore_ascii_case(c))
                {
                    i = j;
                }
            }
            TokenKind::Other if text(t) == "." && !first => {
                // `pg_catalog.int4`: keep only the last part.
                ty.clear();
                first = true;
                i += 1;
            }
            TokenKind::Open if !first => {
                let end = (next_close[i] + 1).min(toks.len());
                ty.push_str(&sql[toks[i].start..toks[end - 1].end]);
                i = end;
            }
            // SQLite's lexer reads `[]` (or `[3]`) as one quoted identifier.
            TokenKind::Quoted if text(t).starts_with('[') && !first => {
                ty.push_str("[]");
                i += 1;
            }
            _ => break,
        }
    }
    (ty, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts() {
        assert_eq!(to_sqlite("select $1::int4"), "select pg_cast($1, 'int4')");
        assert_eq!(
            to_sqlite("select '1'::boolean, 'x'::text"),
            "select pg_bool('1'), CAST('x' AS TEXT)"
        );
        assert_eq!(
            to_sqlite("select (a + 1)::bigint from t"),
            "select pg_cast((a + 1), 'int8') from t"
        );
        assert_eq!(
            to_sqlite("select t.a::text from t"),
            "select CAST(t.a AS TEXT) from t"
        );
        assert_eq!(
            to_sqlite("select '2024-01-01'::timestamp with time zone"),
            "select pg_timestamptz('2024-01-01')"
        );
        assert_eq!(
            to_sqlite("select '1 day'::interval"),
            "select pg_interval('1 day')"
        );
        assert_eq!(
            to_sqlite("select 1.5::double precision"),
            "select pg_float(1.5)"
        );
        assert_eq!(
            to_sqlite("select $1::VARCHAR(20)"),
            "select CAST($1 AS TEXT)"
        );
        assert_eq!(
            to_sqlite("select '\\x00'::bytea"),
            "select pg_bytea('\\x00')"
        );
        assert_eq!(
            to_sqlite("select x::pg_catalog.int4"),
            "select pg_cast(x, 'int4')"
        );
        assert_eq!(to_sqlite("select $1::int4[]"), "select $1");
        assert_eq!(
            to_sqlite("select '{1,2}'::int4[], '{}'::text[]"),
            "select pg_cast('{1,2}', 'int4[]'), pg_cast('{}', 'text[]')"
        );
        assert_eq!(
            to_sqlite("select 'x'::uuid, '{}'::jsonb, 1.5::numeric, '1'::smallint"),
            "select pg_cast('x', 'uuid'), pg_cast('{}', 'jsonb'), pg_cast(1.5, 'numeric'), pg_cast('1', 'int2')"
        );
        assert_eq!(
            to_sqlite("select lower(x)::text"),
            "select CAST(lower(x) AS TEXT)"
        );
    }

    #[test]
    fn values_with_column_aliases() {
        assert_eq!(
            to_sqlite("SELECT p0 FROM (VALUES ($1, 0), ($2, 1)) AS imp_sen(p0, sen_counter) ORDER BY sen_counter"),
            "SELECT p0 FROM (SELECT column1 AS p0, column2 AS sen_counter FROM (VALUES ($1, 0), ($2, 1))) AS imp_sen ORDER BY sen_counter"
        );
        assert!(matches!(
            to_sqlite("insert into t values (1)"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn regex_operators_and_collations() {
        assert_eq!(
            to_sqlite("select 1 where n !~ '^pg_toast' and c.relname OPERATOR(pg_catalog.~) '^(users)$' COLLATE pg_catalog.default"),
            "select 1 where n  NOT REGEXP  '^pg_toast' and c.relname  REGEXP  '^(users)$' "
        );
        assert_eq!(
            to_sqlite("select a ~* $1, ~5, b COLLATE nocase"),
            "select a  REGEXP '(?i)' ||  $1, ~5, b COLLATE nocase"
        );
    }

    #[test]
    fn table_storage_options_are_dropped() {
        assert_eq!(
            to_sqlite(
                "create table t(tid int not null,bid int,filler char(84)) with (fillfactor=100)"
            ),
            "create table t(tid int not null,bid int,filler char(84))"
        );
        assert_eq!(
            to_sqlite("create table t (a int) with (fillfactor=100) strict"),
            "create table t (a int) strict"
        );
        assert!(matches!(
            to_sqlite("create table t (a int)"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn serial_columns_become_rowid_aliases() {
        assert_eq!(
            to_sqlite("CREATE TABLE n (id SERIAL NOT NULL, body text, PRIMARY KEY (id))"),
            "CREATE TABLE n (id INTEGER NOT NULL, body text, PRIMARY KEY (id))"
        );
        assert_eq!(
            to_sqlite("create table m (id bigserial primary key)"),
            "create table m (id INTEGER primary key)"
        );
        assert!(matches!(
            to_sqlite("select serial from t"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn large_generated_statements_translate() {
        // Each completes in linear time (no timing asserted: the suite would hang if not).
        let casts = format!("SELECT 1{}", "::int".repeat(50_000));
        let out = to_sqlite(&casts);
        assert!(out.starts_with("SELECT pg_cast(pg_cast("));
        assert!(out.ends_with(", 'int4'), 'int4')"));
        assert_eq!(out.matches("pg_cast(").count(), 50_000);
        let list: Vec<String> = (0..200_000).map(|i| i.to_string()).collect();
        let any = format!("select 1 where k = ANY (ARRAY[{}])", list.join(","));
        assert!(to_sqlite(&any).contains("k IN (0,1,2,"));
        let literal = format!("select '{}'::text", "x".repeat(4 << 20));
        assert_eq!(to_sqlite(&literal).len(), literal.len() - 6 + 14);
        let arrays = format!("select {}1{}", "ARRAY[".repeat(500), "]".repeat(500));
        let _ = to_sqlite(&arrays);
        let parens = format!("select {}1{}::int", "(".repeat(500), ")".repeat(500));
        assert!(to_sqlite(&parens).starts_with("select pg_cast(((("));
        let names = crate::sql::infer::column_names(&casts).unwrap();
        assert_eq!(names, vec![Some("int4".to_string())]);
        let deep = format!("select {}1{}", "coalesce(".repeat(999), ")".repeat(999));
        let _ = crate::sql::infer::column_names(&deep);
        let items = crate::sql::infer::select_items(&deep).unwrap();
        assert_eq!(crate::sql::infer::expr_type(&items[0]), None);
    }

    #[test]
    fn qualifiers_and_bare_functions() {
        assert_eq!(to_sqlite("select pg_catalog.version()"), "select version()");
        assert_eq!(to_sqlite("select * from public.t"), "select * from main.t");
        assert_eq!(
            to_sqlite("select current_user, current_schema()"),
            "select current_user(), current_schema()"
        );
        assert!(matches!(to_sqlite("select 1"), Cow::Borrowed(_)));
        // Inside strings nothing changes.
        assert_eq!(to_sqlite("select 'a::b'"), "select 'a::b'");
    }
}
