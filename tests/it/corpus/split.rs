//! Splitting a regression file into statements the way psql does when it runs a file:
//! statements end at `;` outside quotes, comments and parentheses (and outside a
//! `CREATE FUNCTION … BEGIN ATOMIC … END` body); psql variables (`\set`, `\getenv`) are
//! substituted as `:name` / `:'name'`; other meta-commands are not run. The data lines of
//! `COPY … FROM stdin` are taken by the caller ([`Splitter::copy_data`]) only when the
//! server entered COPY mode, as psql does.

use std::collections::HashMap;

/// One unit of work for the runner.
#[derive(Debug, PartialEq, Eq)]
pub enum Item {
    /// A statement, as psql would send it (from its first token to its `;`).
    Sql(String),
    /// A statement psql would hand to `\gset`, `\gexec`, `\crosstabview`…: not run.
    Skipped(String),
}

/// Meta-commands that end the query buffer and send it somewhere other than the
/// screen; the statement they end is skipped. (`\g` alone sends it like `;`.)
const SKIPPING_META: &[&str] = &["gset", "gexec", "gx", "gdesc", "crosstabview"];

pub struct Splitter {
    /// The input; variable values are spliced into it where they are substituted.
    text: String,
    pos: usize,
    /// Substitution is off up to here: the text of a value just spliced in (psql does not
    /// expand a variable inside its own value).
    spliced_end: usize,
    vars: HashMap<String, String>,
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn is_var_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Splitter {
    pub fn new(text: &str) -> Splitter {
        Splitter {
            text: text.to_string(),
            pos: 0,
            spliced_end: 0,
            vars: HashMap::new(),
        }
    }

    fn peek(&self, offset: usize) -> Option<u8> {
        self.text.as_bytes().get(self.pos + offset).copied()
    }

    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    /// The data lines of a `COPY … FROM stdin` just returned: the lines after it up to a
    /// line that is exactly `\.` (or the end of the file), each with its newline.
    pub fn copy_data(&mut self) -> String {
        // psql starts reading data on the line after the statement.
        match self.rest().find('\n') {
            Some(nl) => self.pos += nl + 1,
            None => self.pos = self.text.len(),
        }
        let mut data = String::new();
        while self.pos < self.text.len() {
            let line_end = self
                .rest()
                .find('\n')
                .map_or(self.text.len(), |i| self.pos + i + 1);
            let line = &self.text[self.pos..line_end];
            self.pos = line_end;
            if line.trim_end_matches(['\n', '\r']) == "\\." {
                break;
            }
            data.push_str(line);
        }
        data
    }

    /// The next statement, or None at the end of the file. An unterminated last statement
    /// is sent at the end of the file, as psql does when it runs a file.
    pub fn next_item(&mut self) -> Option<Item> {
        let mut start: Option<usize> = None;
        let mut parens = 0usize;
        // psql's heuristic for SQL-standard function bodies: the words that open the
        // statement (CREATE [OR REPLACE] FUNCTION|PROCEDURE) arm the BEGIN … END count.
        let mut words: Vec<String> = Vec::new();
        let mut begin_depth = 0usize;
        while let Some(b) = self.peek(0) {
            if start.is_none() {
                if b.is_ascii_whitespace() {
                    self.pos += 1;
                    continue;
                }
                if self.rest().starts_with("--") {
                    self.skip_line_comment();
                    continue;
                }
            }
            match b {
                b'\\' => {
                    let text = start.map(|s| self.text[s..self.pos].trim_end().to_string());
                    if let Some(end) = self.meta_command() {
                        match end {
                            MetaEnd::Send if text.is_some() => return text.map(Item::Sql),
                            MetaEnd::Skip if text.is_some() => return text.map(Item::Skipped),
                            _ => {}
                        }
                    }
                    continue;
                }
                _ if start.is_none() => start = Some(self.pos),
                _ => {}
            }
            match b {
                b'\'' => self.skip_string(),
                b'"' => self.skip_quoted(b'"'),
                b'$' => self.skip_dollar(),
                b'-' if self.peek(1) == Some(b'-') => self.skip_line_comment(),
                b'/' if self.peek(1) == Some(b'*') => self.skip_block_comment(),
                b'(' => {
                    parens += 1;
                    self.pos += 1;
                }
                b')' => {
                    parens = parens.saturating_sub(1);
                    self.pos += 1;
                }
                b':' => self.colon(),
                b';' if parens == 0 && begin_depth == 0 => {
                    self.pos += 1;
                    let s = start.expect("statement started");
                    return Some(Item::Sql(self.text[s..self.pos].to_string()));
                }
                _ if is_ident_byte(b) => {
                    let word = self.word();
                    track_begin(&mut words, &mut begin_depth, &word, parens);
                }
                _ => self.pos += 1,
            }
        }
        start
            .map(|s| self.text[s..].trim_end().to_string())
            .filter(|s| !s.is_empty())
            .map(Item::Sql)
    }

    /// A word (identifier or keyword; `$` may continue one), with `E'…'` noticed.
    fn word(&mut self) -> String {
        let begin = self.pos;
        while let Some(b) = self.peek(0) {
            if is_ident_byte(b) || b == b'$' {
                self.pos += 1;
            } else {
                break;
            }
        }
        let word = self.text[begin..self.pos].to_string();
        if word.eq_ignore_ascii_case("e") && self.peek(0) == Some(b'\'') {
            self.skip_escape_string();
        }
        word
    }

    fn skip_line_comment(&mut self) {
        match self.rest().find('\n') {
            Some(nl) => self.pos += nl + 1,
            None => self.pos = self.text.len(),
        }
    }

    /// `/* … */`, nested as PostgreSQL nests them.
    fn skip_block_comment(&mut self) {
        let mut depth = 0usize;
        while self.pos < self.text.len() {
            if self.rest().starts_with("/*") {
                depth += 1;
                self.pos += 2;
            } else if self.rest().starts_with("*/") {
                depth -= 1;
                self.pos += 2;
                if depth == 0 {
                    return;
                }
            } else {
                self.pos += 1;
            }
        }
    }

    /// A standard-conforming string: `''` is a quote, a backslash is just a character.
    fn skip_string(&mut self) {
        self.skip_quoted(b'\'');
    }

    /// `"ident"` or `'string'`: the quote doubled stands for itself.
    fn skip_quoted(&mut self, quote: u8) {
        self.pos += 1;
        while let Some(b) = self.peek(0) {
            self.pos += 1;
            if b == quote {
                if self.peek(0) == Some(quote) {
                    self.pos += 1;
                } else {
                    return;
                }
            }
        }
    }

    /// `E'…'`: a backslash escapes the next character, `''` is a quote.
    fn skip_escape_string(&mut self) {
        self.pos += 1;
        while let Some(b) = self.peek(0) {
            self.pos += 1;
            match b {
                b'\\' => self.pos = (self.pos + 1).min(self.text.len()),
                b'\'' if self.peek(0) == Some(b'\'') => self.pos += 1,
                b'\'' => return,
                _ => {}
            }
        }
    }

    /// `$tag$ … $tag$` (a tag is empty or an identifier not starting with a digit);
    /// `$1` and a lone `$` are ordinary characters.
    fn skip_dollar(&mut self) {
        let rest = &self.text.as_bytes()[self.pos + 1..];
        let tag_len = rest.iter().take_while(|b| is_ident_byte(**b)).count();
        let opens =
            rest.get(tag_len) == Some(&b'$') && !rest.first().is_some_and(u8::is_ascii_digit);
        if !opens {
            self.pos += 1;
            return;
        }
        let delimiter = self.text[self.pos..self.pos + tag_len + 2].to_string();
        self.pos += delimiter.len();
        match self.rest().find(&delimiter) {
            Some(end) => self.pos += end + delimiter.len(),
            None => self.pos = self.text.len(),
        }
    }

    /// `::` is a cast; `:name`, `:'name'` and `:"name"` are psql variables when set
    /// (an unset one stays as written, as in psql).
    fn colon(&mut self) {
        if self.peek(1) == Some(b':') {
            self.pos += 2;
            return;
        }
        if self.pos < self.spliced_end {
            self.pos += 1;
            return;
        }
        let after = &self.text[self.pos + 1..];
        let quote = after.bytes().next().filter(|b| *b == b'\'' || *b == b'"');
        let name_start = usize::from(quote.is_some());
        let name_len = after.as_bytes()[name_start..]
            .iter()
            .take_while(|b| is_var_byte(**b))
            .count();
        let name = &after[name_start..name_start + name_len];
        let closed = match quote {
            Some(q) => after.as_bytes().get(name_start + name_len) == Some(&q),
            None => true,
        };
        let Some(value) = self.vars.get(name).filter(|_| name_len > 0 && closed) else {
            self.pos += 1;
            return;
        };
        let replacement = match quote {
            Some(b'\'') => format!("'{}'", value.replace('\'', "''")),
            Some(_) => format!("\"{}\"", value.replace('"', "\"\"")),
            None => value.clone(),
        };
        let written = 1 + name_len + 2 * name_start;
        self.text
            .replace_range(self.pos..self.pos + written, &replacement);
        // A quoted value is one token; a bare one is read again as SQL (it may hold
        // several statements, as update.sql's `:init_range_parted` does).
        self.spliced_end = self.pos + replacement.len();
        if quote.is_some() {
            self.pos += replacement.len();
        }
    }

    /// Reads a meta-command (from `\` to the end of the line or a `\\`), applies the
    /// variable commands, and says what happens to the query buffer.
    fn meta_command(&mut self) -> Option<MetaEnd> {
        self.pos += 1;
        let line_end = self
            .rest()
            .find('\n')
            .map_or(self.text.len(), |i| self.pos + i);
        let line = self.text[self.pos..line_end].to_string();
        let line = line.split("\\\\").next().unwrap_or("");
        self.pos = line_end;
        let mut parts = line.splitn(2, char::is_whitespace);
        let command = parts.next().unwrap_or("");
        let args = parts.next().unwrap_or("");
        match command {
            "set" => {
                let mut args = meta_args(args, &self.vars).into_iter();
                if let Some(name) = args.next() {
                    let value: String = args.collect();
                    self.vars.insert(name, value);
                }
                None
            }
            "unset" => {
                if let Some(name) = meta_args(args, &self.vars).first() {
                    self.vars.remove(name);
                }
                None
            }
            // The corpus has no environment: the runner finds files relative to it.
            "getenv" => {
                if let Some(name) = meta_args(args, &self.vars).first() {
                    self.vars.insert(name.clone(), String::new());
                }
                None
            }
            "g" => Some(MetaEnd::Send),
            c if SKIPPING_META.contains(&c) => Some(MetaEnd::Skip),
            _ => None,
        }
    }
}

/// What a meta-command does to a pending statement.
enum MetaEnd {
    Send,
    Skip,
}

/// psql's argument words: `'quoted'` (with `''`), `:var`, `:'var'`, or bare; adjacent
/// pieces join into one argument.
fn meta_args(line: &str, vars: &HashMap<String, String>) -> Vec<String> {
    let mut args = Vec::new();
    let mut chars = line.trim().chars().peekable();
    while chars.peek().is_some() {
        let mut arg = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            match c {
                '\'' => {
                    while let Some(c) = chars.next() {
                        if c == '\'' {
                            if chars.peek() == Some(&'\'') {
                                chars.next();
                            } else {
                                break;
                            }
                        }
                        arg.push(c);
                    }
                }
                ':' => {
                    let quoted = chars.peek() == Some(&'\'');
                    if quoted {
                        chars.next();
                    }
                    let mut name = String::new();
                    while let Some(&c) = chars
                        .peek()
                        .filter(|c| c.is_ascii_alphanumeric() || **c == '_')
                    {
                        name.push(c);
                        chars.next();
                    }
                    if quoted && chars.peek() == Some(&'\'') {
                        chars.next();
                    }
                    match vars.get(&name) {
                        Some(v) if quoted => arg.push_str(&format!("'{}'", v.replace('\'', "''"))),
                        Some(v) => arg.push_str(v),
                        None => arg.push_str(&format!(":{name}")),
                    }
                }
                c => arg.push(c),
            }
        }
        args.push(arg);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
    }
    args
}

/// psql's BEGIN … END tracking for `CREATE [OR REPLACE] FUNCTION|PROCEDURE … BEGIN ATOMIC`:
/// inside such a body, `;` does not end the statement.
fn track_begin(words: &mut Vec<String>, begin_depth: &mut usize, word: &str, parens: usize) {
    let lower = word.to_ascii_lowercase();
    if words.len() < 4 {
        words.push(lower.clone());
    }
    let opening: Vec<&str> = words.iter().map(String::as_str).collect();
    let armed = matches!(
        opening.as_slice(),
        ["create", "function" | "procedure", ..]
            | ["create", "or", "replace", "function" | "procedure", ..]
    );
    if !armed || parens > 0 {
        return;
    }
    match lower.as_str() {
        "begin" => *begin_depth += 1,
        "case" if *begin_depth >= 1 => *begin_depth += 1,
        "end" => *begin_depth = begin_depth.saturating_sub(1),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{Item, Splitter};

    fn split(text: &str) -> Vec<Item> {
        let mut s = Splitter::new(text);
        std::iter::from_fn(|| s.next_item()).collect()
    }

    fn sql(texts: &[&str]) -> Vec<Item> {
        texts.iter().map(|t| Item::Sql(t.to_string())).collect()
    }

    #[test]
    fn statements_end_at_semicolons_outside_quotes_and_comments() {
        let text = "-- leading comment\nSELECT 'a;''b'; SELECT \"x;\"\"y\" FROM t;\n\
                    SELECT 1 -- c;\n + 1; /* a /* nested; */ still; */ SELECT 2;";
        assert_eq!(
            split(text),
            sql(&[
                "SELECT 'a;''b';",
                "SELECT \"x;\"\"y\" FROM t;",
                "SELECT 1 -- c;\n + 1;",
                "/* a /* nested; */ still; */ SELECT 2;",
            ])
        );
    }

    #[test]
    fn escape_strings_and_dollar_quotes() {
        let text = "SELECT E'it\\'s;', 'back\\'; SELECT $$a;b$$, $fn$ $$; $fn$, $1, a$b;";
        assert_eq!(
            split(text),
            sql(&[
                "SELECT E'it\\'s;', 'back\\';",
                "SELECT $$a;b$$, $fn$ $$; $fn$, $1, a$b;"
            ])
        );
    }

    #[test]
    fn parentheses_and_begin_atomic_bodies_hold_semicolons() {
        let text = "CREATE RULE r AS ON INSERT TO t DO (INSERT INTO u VALUES (1); DELETE FROM v);\n\
                    CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END;\n\
                    BEGIN; END;";
        assert_eq!(
            split(text),
            sql(&[
                "CREATE RULE r AS ON INSERT TO t DO (INSERT INTO u VALUES (1); DELETE FROM v);",
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END;",
                "BEGIN;",
                "END;",
            ])
        );
    }

    #[test]
    fn variables_are_substituted_and_meta_commands_skipped() {
        let text = "\\getenv abs_srcdir PG_ABS_SRCDIR\n\
                    \\set filename :abs_srcdir '/data/onek.data'\n\
                    COPY onek FROM :'filename';\n\
                    \\pset null '(null)'\n\
                    SELECT a::text, b[1:2], :undefined FROM t;\n\
                    \\set two 'SELECT 1; SELECT 2'\n\
                    :two;\n\
                    SELECT 3 \\gset\n\
                    SELECT 'x'\n\\gexec\n\
                    SELECT 4";
        let mut expected = sql(&[
            "COPY onek FROM '/data/onek.data';",
            "SELECT a::text, b[1:2], :undefined FROM t;",
            "SELECT 1;",
            "SELECT 2;",
        ]);
        expected.push(Item::Skipped("SELECT 3".into()));
        expected.push(Item::Skipped("SELECT 'x'".into()));
        expected.push(Item::Sql("SELECT 4".into()));
        assert_eq!(split(text), expected);
    }

    #[test]
    fn copy_data_runs_to_the_end_marker() {
        let mut s = Splitter::new("COPY x FROM stdin;\n1\t2\n\\.b\n\\.\nSELECT 1;");
        assert_eq!(s.next_item(), Some(Item::Sql("COPY x FROM stdin;".into())));
        assert_eq!(s.copy_data(), "1\t2\n\\.b\n");
        assert_eq!(s.next_item(), Some(Item::Sql("SELECT 1;".into())));
        assert_eq!(s.next_item(), None);
    }

    #[test]
    fn a_refused_copy_leaves_its_lines_to_the_splitter() {
        let mut s = Splitter::new("COPY x FROM stdin;\nCOPY y FROM stdin;\n\n\\.\n");
        assert_eq!(s.next_item(), Some(Item::Sql("COPY x FROM stdin;".into())));
        assert_eq!(s.next_item(), Some(Item::Sql("COPY y FROM stdin;".into())));
        assert_eq!(s.copy_data(), "\n");
        assert_eq!(s.next_item(), None);
    }
}
