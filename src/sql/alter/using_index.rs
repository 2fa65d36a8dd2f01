//! `ADD [CONSTRAINT c] {PRIMARY KEY | UNIQUE} USING INDEX i`, which the parser lacks:
//! the text is rewritten into the constraint over one marker column naming the index
//! (`PRIMARY KEY ("_litewire_using_index_i")`), named `c` or, as PostgreSQL names it,
//! `i`. The engine (engine/using_index.rs) puts the index's columns in the marker's
//! place, after PostgreSQL's checks, and drops the index the constraint replaces.

use super::super::lexer::{fold_ident, significant, TokenKind};

/// The marker column's prefix; the rest is the index's name.
pub const MARKER: &str = "_litewire_using_index_";

/// `sql` with each `USING INDEX i` of a key constraint rewritten; None without one.
pub fn rewrite(sql: &str) -> Option<String> {
    let toks: Vec<_> = significant(sql).collect();
    let word = |i: usize, w: &str| {
        toks.get(i)
            .is_some_and(|t| sql[t.start..t.end].eq_ignore_ascii_case(w))
    };
    let mut out = String::with_capacity(sql.len() + 64);
    let mut copied = 0;
    let mut found = false;
    for i in 0..toks.len() {
        if !(word(i, "using") && word(i + 1, "index")) {
            continue;
        }
        let key = word(i.wrapping_sub(1), "unique")
            || (word(i.wrapping_sub(1), "key") && word(i.wrapping_sub(2), "primary"));
        let Some(name) = toks.get(i + 2) else {
            continue;
        };
        if !key || !matches!(name.kind, TokenKind::Word | TokenKind::Quoted) {
            continue;
        }
        let index = fold_ident(&sql[name.start..name.end]);
        let quoted = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        // Without CONSTRAINT c the constraint takes the index's name.
        let start = if word(i.wrapping_sub(1), "unique") {
            i - 1
        } else {
            i - 2
        };
        if !word(start.wrapping_sub(2), "constraint") {
            out.push_str(&sql[copied..toks[start].start]);
            out.push_str(&format!("CONSTRAINT {} ", quoted(&index)));
            copied = toks[start].start;
        }
        out.push_str(&sql[copied..toks[i].start]);
        out.push_str(&format!("({})", quoted(&format!("{MARKER}{index}"))));
        copied = name.end;
        found = true;
    }
    if !found {
        return None;
    }
    out.push_str(&sql[copied..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    #[test]
    fn key_constraints_name_their_index() {
        assert_eq!(
            rewrite("ALTER TABLE t ADD primary key USING INDEX I1").as_deref(),
            Some("ALTER TABLE t ADD CONSTRAINT \"i1\" primary key (\"_litewire_using_index_i1\")")
        );
        assert_eq!(
            rewrite("ALTER TABLE t DROP CONSTRAINT x, ADD CONSTRAINT c UNIQUE USING INDEX \"I\"")
                .as_deref(),
            Some("ALTER TABLE t DROP CONSTRAINT x, ADD CONSTRAINT c UNIQUE (\"_litewire_using_index_I\")")
        );
        assert_eq!(
            rewrite("ALTER TABLE t REPLICA IDENTITY USING INDEX i"),
            None
        );
    }
}
