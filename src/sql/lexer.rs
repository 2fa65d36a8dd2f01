//! A byte-level SQL tokenizer that follows SQLite's own rules.
//!
//! The token classes and the statement-completion state machine are those of SQLite's
//! `sqlite3_complete()` (complete.c), so a statement ends exactly where SQLite says it
//! ends: a `;` inside a string, a quoted identifier, a comment or a `CREATE TRIGGER ...
//! END` body does not split. The unit tests check the splitter against the real
//! `sqlite3_complete()` on many inputs.

/// What a token is, as far as statement boundaries and classification care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// `;`
    Semi,
    /// White space or a comment.
    Space,
    /// An identifier or keyword (unquoted).
    Word,
    /// A quoted string or identifier (`'..'`, `".."`, `` `..` ``, `[..]`).
    Quoted,
    /// `(`
    Open,
    /// `)`
    Close,
    /// Any other punctuation or operator byte.
    Other,
}

/// One token: its kind and byte range in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
    /// False when a string, identifier or block comment runs to the end of input.
    pub terminated: bool,
}

/// SQLite's `IdChar()`: ASCII letters, digits, `_`, `$`, and every byte >= 0x80.
fn is_id_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Iterator over the tokens of a SQL text.
pub struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str) -> Self {
        Lexer {
            src: src.as_bytes(),
            pos: 0,
        }
    }

    /// The end of `close` (one or two bytes) at or after `from`. A byte search, not a
    /// comparison per window: string literals may be megabytes long.
    fn scan_until(&mut self, from: usize, close: &[u8]) -> (usize, bool) {
        let src = self.src;
        let mut at = from;
        while at < src.len() {
            if src[at] == close[0] && src[at..].starts_with(close) {
                return (at + close.len(), true);
            }
            at += 1;
        }
        (src.len(), false)
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let src = self.src;
        let start = self.pos;
        let b = *src.get(start)?;
        let next = src.get(start + 1).copied();
        let (kind, end, terminated) = match b {
            b';' => (TokenKind::Semi, start + 1, true),
            b' ' | b'\r' | b'\t' | b'\n' | 0x0c => (TokenKind::Space, start + 1, true),
            b'/' if next == Some(b'*') => {
                let (end, ok) = self.scan_until(start + 2, b"*/");
                (TokenKind::Space, end, ok)
            }
            b'-' if next == Some(b'-') => {
                // A line comment ends at the newline (which is left for the next token).
                let end = src[start..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(src.len(), |i| start + i);
                (TokenKind::Space, end, true)
            }
            b'[' => {
                let (end, ok) = self.scan_until(start + 1, b"]");
                (TokenKind::Quoted, end, ok)
            }
            b'`' | b'"' | b'\'' => {
                let (end, ok) = self.scan_until(start + 1, &[b]);
                (TokenKind::Quoted, end, ok)
            }
            b'(' => (TokenKind::Open, start + 1, true),
            b')' => (TokenKind::Close, start + 1, true),
            c if is_id_char(c) => {
                let len = src[start..].iter().take_while(|&&c| is_id_char(c)).count();
                (TokenKind::Word, start + len, true)
            }
            _ => (TokenKind::Other, start + 1, true),
        };
        self.pos = end;
        Some(Token {
            kind,
            start,
            end,
            terminated,
        })
    }
}

/// The token classes of `sqlite3_complete()`.
#[derive(Clone, Copy)]
enum Class {
    Semi = 0,
    Ws = 1,
    Other = 2,
    Explain = 3,
    Create = 4,
    Temp = 5,
    Trigger = 6,
    End = 7,
}

/// complete.c's transition table: `TRANS[state][class]`; state 1 is "between statements".
const TRANS: [[u8; 8]; 8] = [
    [1, 0, 2, 3, 4, 2, 2, 2], // 0 INVALID
    [1, 1, 2, 3, 4, 2, 2, 2], // 1 START
    [1, 2, 2, 2, 2, 2, 2, 2], // 2 NORMAL
    [1, 3, 3, 2, 4, 2, 2, 2], // 3 EXPLAIN
    [1, 4, 2, 2, 2, 4, 5, 2], // 4 CREATE
    [6, 5, 5, 5, 5, 5, 5, 5], // 5 TRIGGER
    [6, 6, 5, 5, 5, 5, 5, 7], // 6 SEMI
    [1, 7, 5, 5, 5, 5, 5, 5], // 7 END
];

fn classify(src: &str, t: &Token) -> Class {
    match t.kind {
        TokenKind::Semi => Class::Semi,
        TokenKind::Space => Class::Ws,
        TokenKind::Word => {
            let w = &src[t.start..t.end];
            if w.eq_ignore_ascii_case("create") {
                Class::Create
            } else if w.eq_ignore_ascii_case("trigger") {
                Class::Trigger
            } else if w.eq_ignore_ascii_case("temp") || w.eq_ignore_ascii_case("temporary") {
                Class::Temp
            } else if w.eq_ignore_ascii_case("end") {
                Class::End
            } else if w.eq_ignore_ascii_case("explain") {
                Class::Explain
            } else {
                Class::Other
            }
        }
        _ => Class::Other,
    }
}

/// Splits a query string into statements where SQLite would end them.
///
/// Each returned slice excludes the terminating `;`. Pieces holding only white space and
/// comments are dropped, as PostgreSQL drops empty statements. A trailing piece without
/// a `;` is returned as it is (SQLite reports it if it is incomplete).
pub fn split(sql: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut state = 1u8;
    let mut start = 0;
    let mut has_content = false;
    let mut lexer = Lexer::new(sql);
    // PostgreSQL's forms SQLite lacks, whose `;` end nothing: `$tag$…$tag$` strings and
    // a function's `BEGIN ATOMIC … END` (Some: CASE…END levels open inside it).
    let mut atomic: Option<usize> = None;
    let mut words: [&str; 2] = ["", ""];
    // Parentheses open in the statement: a rule's `DO (action; action)` is one statement.
    let mut depth = 0usize;
    while let Some(mut tok) = lexer.next() {
        if let Some(end) = dollar_quoted(sql, &tok) {
            tok = Token {
                kind: TokenKind::Quoted,
                start: tok.start,
                end,
                terminated: true,
            };
            lexer.pos = end;
        }
        if tok.kind == TokenKind::Word {
            let w = &sql[tok.start..tok.end];
            match atomic {
                None if w.eq_ignore_ascii_case("atomic")
                    && words[1].eq_ignore_ascii_case("begin")
                    && is_routine(&sql[start..]) =>
                {
                    atomic = Some(0)
                }
                Some(n) if w.eq_ignore_ascii_case("case") => atomic = Some(n + 1),
                Some(0) if w.eq_ignore_ascii_case("end") => atomic = None,
                Some(n) if w.eq_ignore_ascii_case("end") => atomic = Some(n - 1),
                _ => {}
            }
            words = [words[1], w];
        }
        if atomic.is_some() && tok.kind == TokenKind::Semi {
            continue;
        }
        match tok.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth = depth.saturating_sub(1),
            TokenKind::Semi if depth > 0 && is_rule(&sql[start..]) => continue,
            TokenKind::Semi => depth = 0,
            _ => {}
        }
        let class = classify(sql, &tok);
        if !matches!(class, Class::Ws | Class::Semi) {
            has_content = true;
        }
        state = TRANS[state as usize][class as usize];
        if matches!(class, Class::Semi) && state == 1 {
            if has_content {
                out.push(&sql[start..tok.start]);
            }
            start = tok.end;
            has_content = false;
        }
    }
    if has_content {
        out.push(&sql[start..]);
    }
    out
}

/// Where the `$tag$…$tag$` string starting at word `tok` ends (the end of the text when
/// it is not closed); None when `tok` starts none. A tag is empty or an identifier not
/// starting with a digit (`$1` is a parameter).
fn dollar_quoted(sql: &str, tok: &Token) -> Option<usize> {
    if tok.kind != TokenKind::Word {
        return None;
    }
    let text = &sql[tok.start..tok.end];
    let rest = text.strip_prefix('$')?;
    let close = rest.find('$')?;
    let tag = &rest[..close];
    if tag.starts_with(|c: char| c.is_ascii_digit())
        || !tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80)
    {
        return None;
    }
    let delimiter = &text[..close + 2];
    let body = tok.start + delimiter.len();
    Some(match sql[body..].find(delimiter) {
        Some(i) => body + i + delimiter.len(),
        None => sql.len(),
    })
}

/// Whether statement `sql` is a CREATE [OR REPLACE] RULE (whose `DO (…)` holds
/// statements).
fn is_rule(sql: &str) -> bool {
    let w: Vec<&str> = words(sql).take(4).collect();
    let is = |x: &str, k: &str| x.eq_ignore_ascii_case(k);
    match w.as_slice() {
        [c, r, ..] if is(c, "create") && is(r, "rule") => true,
        [c, o, r, u] => is(c, "create") && is(o, "or") && is(r, "replace") && is(u, "rule"),
        _ => false,
    }
}

/// Whether statement `sql` is a CREATE FUNCTION or PROCEDURE (whose `BEGIN ATOMIC`
/// holds statements).
fn is_routine(sql: &str) -> bool {
    let w: Vec<&str> = words(sql).take(4).collect();
    let routine =
        |x: &str| x.eq_ignore_ascii_case("function") || x.eq_ignore_ascii_case("procedure");
    match w.as_slice() {
        [c, f, ..] if c.eq_ignore_ascii_case("create") && routine(f) => true,
        [c, o, r, f]
            if c.eq_ignore_ascii_case("create")
                && o.eq_ignore_ascii_case("or")
                && r.eq_ignore_ascii_case("replace")
                && routine(f) =>
        {
            true
        }
        _ => false,
    }
}

/// What must be checked of a message's text before anything else reads it, found in one
/// pass without recursion.
pub struct Shape {
    /// The deepest nesting of parentheses and brackets, so that a limit can be checked
    /// before anything recursive reads the text. SQLite's lexer reads `[...` up to the
    /// first `]` as one token, so the `[`s inside such a token (`ARRAY[ARRAY[1`,
    /// `a[(1)`) count as levels too. Chains of operators and casts (`a + b + …`,
    /// `x::a::b…`) count as one level per operator: a parser builds them as nested
    /// nodes, so they deepen the tree as much as parentheses do.
    pub depth: usize,
    /// The text ends inside a `/* comment` (PostgreSQL: 42601 "unterminated /* comment").
    pub unterminated_comment: bool,
    /// The most tokens of one statement (between `;`s).
    pub tokens: usize,
}

/// The [`Shape`] of `sql`.
pub fn shape(sql: &str) -> Shape {
    let (mut depth, mut deepest) = (0usize, 0usize);
    // Operators since the last separator, per open level.
    let mut chain: Vec<usize> = vec![0];
    let mut last = None;
    let (mut tokens, mut most) = (0usize, 0usize);
    for t in Lexer::new(sql) {
        last = Some(t);
        let text = &sql[t.start..t.end];
        if !matches!(t.kind, TokenKind::Space) {
            tokens += 1;
            most = most.max(tokens);
        }
        if text == ";" {
            tokens = 0;
        }
        match t.kind {
            TokenKind::Open => {
                depth += 1;
                chain.push(0);
            }
            TokenKind::Close => {
                depth = depth.saturating_sub(1);
                if chain.len() > 1 {
                    chain.pop();
                }
            }
            TokenKind::Other if text == "," || text == ";" => {
                *chain.last_mut().unwrap_or(&mut 0) = 0
            }
            TokenKind::Other if text == "]" => depth = depth.saturating_sub(1),
            TokenKind::Other => {
                if let Some(c) = chain.last_mut() {
                    *c += 1;
                    deepest = deepest.max(depth + *c);
                }
            }
            TokenKind::Word if CHAINING.iter().any(|w| text.eq_ignore_ascii_case(w)) => {
                if let Some(c) = chain.last_mut() {
                    *c += 1;
                    deepest = deepest.max(depth + *c);
                }
            }
            TokenKind::Word if SEPARATING.iter().any(|w| text.eq_ignore_ascii_case(w)) => {
                *chain.last_mut().unwrap_or(&mut 0) = 0
            }
            TokenKind::Quoted if sql.as_bytes()[t.start] == b'[' => {
                // Read byte by byte (the rewriters re-read the inside as SQL).
                let mut inner = 0usize;
                for &b in &sql.as_bytes()[t.start..t.end] {
                    match b {
                        b'[' | b'(' => inner += 1,
                        b')' => inner = inner.saturating_sub(1),
                        _ => {}
                    }
                    deepest = deepest.max(depth + inner);
                }
                depth += inner.saturating_sub(usize::from(t.terminated));
            }
            _ => {}
        }
        deepest = deepest.max(depth);
    }
    Shape {
        tokens: most,
        depth: deepest,
        unterminated_comment: last
            .is_some_and(|t| !t.terminated && sql[t.start..].starts_with("/*")),
    }
}

/// Words that join two operands into one node (see [`Shape::depth`]).
const CHAINING: &[&str] = &["and", "or", "like", "ilike", "is", "collate", "operator"];

/// Words after which a new expression starts.
const SEPARATING: &[&str] = &[
    "select",
    "from",
    "where",
    "set",
    "on",
    "when",
    "then",
    "else",
    "end",
    "having",
    "by",
    "limit",
    "offset",
    "values",
    "returning",
    "as",
];

/// The unquoted words of a statement, outside comments, in order (for classification).
pub fn words(sql: &str) -> impl Iterator<Item = &str> + '_ {
    Lexer::new(sql)
        .filter(|t| t.kind == TokenKind::Word)
        .map(move |t| &sql[t.start..t.end])
}

/// The tokens of a statement that carry meaning (no white space or comments).
pub fn significant(sql: &str) -> impl Iterator<Item = Token> + '_ {
    Lexer::new(sql).filter(|t| t.kind != TokenKind::Space)
}

/// Quotes an identifier for SQLite (`"a""b"`).
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// An identifier as PostgreSQL folds it: `"Foo"` keeps its case (with `""` as a quote),
/// an unquoted `Foo` is `foo`. An unterminated quote (rejected later) gives what is there.
pub(crate) fn fold_ident(raw: &str) -> String {
    match raw.as_bytes().first() {
        Some(b'"') => {
            let inner = &raw[1..];
            inner
                .strip_suffix('"')
                .unwrap_or(inner)
                .replace("\"\"", "\"")
        }
        // SQLite's other identifier quotes (the text after an ASCII quote starts on a
        // char boundary; its end may be unterminated).
        Some(b'`') => {
            let inner = &raw[1..];
            inner.strip_suffix('`').unwrap_or(inner).replace("``", "`")
        }
        Some(b'[') => {
            let inner = &raw[1..];
            inner.strip_suffix(']').unwrap_or(inner).to_string()
        }
        _ => raw.to_ascii_lowercase(),
    }
}

/// The tokens of `sql`, a `$tag$…$tag$` string as one quoted token.
pub fn with_dollar_strings(sql: &str) -> impl Iterator<Item = Token> + '_ {
    let mut lexer = Lexer::new(sql);
    std::iter::from_fn(move || {
        let tok = lexer.next()?;
        Some(match dollar_quoted(sql, &tok) {
            Some(end) => {
                lexer.pos = end;
                Token {
                    kind: TokenKind::Quoted,
                    start: tok.start,
                    end,
                    terminated: true,
                }
            }
            None => tok,
        })
    })
}

/// PostgreSQL's string continuation: `'a'` and `'b'` separated only by white space that
/// holds a newline are one literal `'ab'` (SQL's E021-03); the grammar lacks it. The
/// closing quote, the gap and the opening quote are cut and made up for by spaces after
/// the literal, so the text's offsets after it stay. Only after a plain `'…'` literal
/// (an `E'…'` string may hold `\'`, which this lexer would misread). None when there
/// is none.
pub fn continued_strings(sql: &str) -> Option<String> {
    if !sql.contains('\n') || !sql.contains('\'') {
        return None;
    }
    let bytes = sql.as_bytes();
    // Byte ranges cut out, and where (the end of each continued literal) how many
    // spaces go back, in text order.
    let mut edits: Vec<(usize, usize, usize)> = Vec::new();
    // The end of the last plain literal, while only white space has followed it.
    let mut open: Option<usize> = None;
    let mut newline = false;
    let mut last_end = usize::MAX;
    // Bytes cut from the literal being continued.
    let mut cut = 0;
    for tok in with_dollar_strings(sql) {
        if tok.kind == TokenKind::Space {
            match bytes[tok.start] {
                b'\n' => newline = true,
                b' ' | b'\t' | b'\r' | 0x0c => {}
                // A comment breaks the continuation.
                _ => open = None,
            }
            continue;
        }
        let string = tok.kind == TokenKind::Quoted && bytes[tok.start] == b'\'' && tok.terminated;
        let adjacent = tok.start == last_end;
        match open {
            // `'a''b'`: one literal, a quote inside it.
            Some(_) if string && adjacent => open = Some(tok.end),
            Some(close) if string && newline => {
                edits.push((close - 1, tok.start + 1, 0));
                cut += tok.start + 1 - (close - 1);
                open = Some(tok.end);
            }
            _ => {
                if let Some(close) = open.take().filter(|_| cut > 0) {
                    edits.push((close, close, cut));
                }
                cut = 0;
                let plain = string
                    && !adjacent
                    && (tok.start == 0
                        || !(is_id_char(bytes[tok.start - 1]) || bytes[tok.start - 1] == b'&'));
                open = plain.then_some(tok.end);
            }
        }
        newline = false;
        last_end = tok.end;
    }
    if let Some(close) = open.filter(|_| cut > 0) {
        edits.push((close, close, cut));
    }
    if edits.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(sql.len());
    let mut at = 0;
    for (from, to, spaces) in edits {
        out.push_str(&sql[at..from]);
        out.push_str(&" ".repeat(spaces));
        at = to;
    }
    out.push_str(&sql[at..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn continued_strings_join_across_newlines_only() {
        use super::continued_strings;
        let joined = continued_strings("SELECT 'first'\n' - next'\n\t' - third'\n AS x").unwrap();
        assert_eq!(
            joined.trim_end(),
            "SELECT 'first - next - third'       \n AS x".trim_end()
        );
        assert_eq!(
            joined.len(),
            "SELECT 'first'\n' - next'\n\t' - third'\n AS x".len()
        );
        assert!(joined.ends_with("\n AS x"));
        // A quote inside the first literal stays.
        assert_eq!(
            continued_strings("SELECT 'a''b'\n'c'").unwrap(),
            "SELECT 'a''bc'   "
        );
        // Same line, a comment between, an E'' string, a dollar string: no continuation.
        assert_eq!(continued_strings("SELECT 'a' 'b'"), None);
        assert_eq!(continued_strings("SELECT 'a'\n/* c */\n'b'"), None);
        assert_eq!(continued_strings("SELECT E'a'\n'b'"), None);
        assert_eq!(continued_strings("SELECT $$ 'a'\n'b' $$"), None);
    }

    use super::*;

    #[test]
    fn a_rules_list_of_actions_is_one_statement() {
        let text = "CREATE OR REPLACE RULE r AS ON INSERT TO y\n  DO INSTEAD (NOTIFY foo; NOTIFY bar); select (1;";
        assert_eq!(
            split(text),
            vec![
                "CREATE OR REPLACE RULE r AS ON INSERT TO y\n  DO INSTEAD (NOTIFY foo; NOTIFY bar)",
                " select (1"
            ]
        );
        // Elsewhere a `;` inside parentheses ends the statement, as SQLite says.
        assert_eq!(split("select (1; select 2)").len(), 2);
    }

    fn complete(sql: &str) -> bool {
        let c = std::ffi::CString::new(sql).unwrap();
        unsafe { rusqlite::ffi::sqlite3_complete(c.as_ptr()) != 0 }
    }

    /// Our state machine says "statement complete" exactly when sqlite3_complete does.
    fn our_complete(sql: &str) -> bool {
        let mut state = 1u8;
        for tok in Lexer::new(sql) {
            if !tok.terminated {
                return false;
            }
            state = TRANS[state as usize][classify(sql, &tok) as usize];
        }
        state == 1
    }

    #[test]
    fn agrees_with_sqlite3_complete() {
        let cases = [
            "select 1;",
            "select 1",
            "select ';';",
            "select ';'",
            "select \";\"",
            "select [a;b];",
            "select `a;`;",
            "select 1 -- ;",
            "select 1 -- x\n;",
            "select 1 /* ; */;",
            "select 1 /* ; ",
            "create trigger t after insert on x begin select 1; end;",
            "create trigger t after insert on x begin select 1; end",
            "create temp trigger t after insert on x begin select 1; select 2; end;",
            "create table end(x);",
            "explain select 1;",
            "explain create trigger t after insert on x begin select 1; end;",
            ";",
            "  ;  ",
            "select 'it''s';",
            "select 'it''s",
            "create trigger t before delete on x begin delete from y where a='end;'; end;",
        ];
        for c in cases {
            assert_eq!(our_complete(c), complete(c), "case {c:?}");
        }
    }

    #[test]
    fn splits_like_sqlite() {
        assert_eq!(split("select 1; select 2"), vec!["select 1", " select 2"]);
        assert_eq!(
            split("select ';'; select 2;"),
            vec!["select ';'", " select 2"]
        );
        assert_eq!(split(";; ;"), Vec::<&str>::new());
        assert_eq!(split("-- only a comment"), Vec::<&str>::new());
        assert_eq!(
            split("/* c */ select 1 -- x"),
            vec!["/* c */ select 1 -- x"]
        );
        let trig = "create trigger t after insert on x begin select 1; select 2; end";
        assert_eq!(
            split(&format!("{trig}; select 3;")),
            vec![trig, " select 3"]
        );
        assert_eq!(
            split("select 'unterminated;"),
            vec!["select 'unterminated;"]
        );
    }

    #[test]
    fn postgresqls_dollar_strings_and_atomic_bodies_hold_semicolons() {
        let f = "create function f() returns int as $$ select 1; $$ language sql";
        assert_eq!(split(&format!("{f}; select 2")), vec![f, " select 2"]);
        let tagged = "select $x$ a;$$ b $x$, $1";
        assert_eq!(
            split(&format!("{tagged}; select 2")),
            vec![tagged, " select 2"]
        );
        // `$1` is a parameter, `$2$` no tag: both end at the `;`.
        assert_eq!(
            split("select $1; select $2$;"),
            vec!["select $1", " select $2$"]
        );
        let atomic = "CREATE OR REPLACE FUNCTION f(x int) RETURNS int LANGUAGE sql \
                      BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN 1 END; SELECT 2; END";
        assert_eq!(
            split(&format!("{atomic}; select 3")),
            vec![atomic, " select 3"]
        );
        // BEGIN ATOMIC elsewhere is no body.
        assert_eq!(split("select begin atomic; select 2").len(), 2);
        assert_eq!(split("select 'unclosed $$; x'; select $$a;").len(), 2);
    }

    #[test]
    fn nesting_depths() {
        assert_eq!(shape("select 1").depth, 0);
        assert!(shape("select 1 /* open").unterminated_comment);
        assert!(!shape("select 1 /* closed */").unterminated_comment);
        assert!(!shape("select '/* in a string'").unterminated_comment);
        assert_eq!(shape("select f((1), (2))").depth, 2);
        assert_eq!(shape("select '((((' , \"((\" -- (((").depth, 0);
        assert_eq!(shape("select ARRAY[ARRAY[1, 2]]").depth, 2);
        assert_eq!(shape("select a[1] + (b[(2)])").depth, 3);
        assert_eq!(shape(")))(((").depth, 3);
        let deep = format!("select {}1{}", "coalesce(".repeat(5000), ")".repeat(5000));
        assert_eq!(shape(&deep).depth, 5000);
        let arrays = format!("select {}1{}", "ARRAY[".repeat(5000), "]".repeat(5000));
        assert_eq!(shape(&arrays).depth, 5000);
        // Chained operators deepen a parsed tree as parentheses do; lists do not.
        let chain = format!("select 1{}", " + 1".repeat(3000));
        assert_eq!(shape(&chain).depth, 3000);
        let casts = format!("select 1{}", "::int".repeat(100));
        assert!(shape(&casts).depth >= 100);
        let list = format!("select 1 in (1{})", ", 1".repeat(3000));
        assert!(shape(&list).depth < 5);
        assert!(shape("select a and b from t where c or d").depth < 3);
    }

    #[test]
    fn identifiers_fold_like_postgres() {
        assert_eq!(fold_ident("Foo"), "foo");
        assert_eq!(fold_ident("\"Foo\"\"s\""), "Foo\"s");
        assert_eq!(fold_ident("\"unterminated"), "unterminated");
        assert_eq!(fold_ident("\""), "");
        assert_eq!(fold_ident("[a b]"), "a b");
    }

    #[test]
    fn words_skip_comments_and_strings() {
        let w: Vec<_> = words("/* begin */ BEGIN -- x\n 'commit' transaction").collect();
        assert_eq!(w, vec!["BEGIN", "transaction"]);
    }
}
