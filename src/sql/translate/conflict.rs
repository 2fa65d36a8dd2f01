//! `INSERT … ON CONFLICT (lower(fruit), key) WHERE pred DO …`: an arbiter given by
//! expressions or with an index predicate, which the grammar lacks (it takes a column
//! list). SQLite's upsert takes both, matching them against a unique index's own
//! expressions and WHERE, so they must read exactly as that index's translation does:
//! they are translated as the index `CREATE UNIQUE INDEX … ON table (exprs) WHERE pred`
//! would be, while the statement is translated with a placeholder column in their place,
//! put back in the SQLite text.

use super::super::lexer::{significant, TokenKind};

/// The column that stands for the arbiter while the statement is translated.
const PLACEHOLDER: &str = "_litewire_conflict_target";

/// An INSERT whose conflict target the grammar cannot read.
#[derive(Debug, PartialEq, Eq)]
pub struct Arbiter {
    /// The statement with `(_litewire_conflict_target)` in place of the target.
    pub statement: String,
    /// The unique index whose translation gives the target's SQLite text.
    pub index: String,
}

/// The arbiter of an `INSERT … ON CONFLICT (…) [WHERE …] DO` whose target is more than
/// a column list, or has a WHERE; None for any other statement.
pub fn read(sql: &str) -> Option<Arbiter> {
    if !sql
        .as_bytes()
        .windows(8)
        .any(|w| w.eq_ignore_ascii_case(b"conflict"))
        || sql.contains(PLACEHOLDER)
    {
        return None;
    }
    let toks: Vec<_> = significant(sql).collect();
    let text = |i: usize| toks.get(i).map_or("", |t| &sql[t.start..t.end]);
    let word = |i: usize, w: &str| {
        toks.get(i)
            .is_some_and(|t| t.kind == TokenKind::Word && text(i).eq_ignore_ascii_case(w))
    };
    if !word(0, "insert") || !word(1, "into") {
        return None;
    }
    // The table: its name's tokens up to an alias, a column list or the rows.
    let mut i = 2;
    while toks
        .get(i)
        .is_some_and(|t| matches!(t.kind, TokenKind::Word | TokenKind::Quoted) || text(i) == ".")
        && !["as", "values", "select", "default", "overriding", "with"]
            .iter()
            .any(|w| word(i, w))
    {
        i += 1;
    }
    let table = sql[toks.get(2)?.start..toks.get(i - 1)?.end].to_string();
    // `ON CONFLICT (` outside parentheses.
    let mut depth = 0usize;
    let open = (i..toks.len())
        .find(|&j| {
            match toks[j].kind {
                TokenKind::Open => depth += 1,
                TokenKind::Close => depth = depth.saturating_sub(1),
                _ => {}
            }
            depth == 0 && word(j, "on") && word(j + 1, "conflict")
        })
        .map(|j| j + 2)
        .filter(|&o| toks.get(o).is_some_and(|t| t.kind == TokenKind::Open))?;
    let mut depth = 0usize;
    let close = (open..toks.len()).find(|&j| {
        match toks[j].kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth -= 1,
            _ => {}
        }
        depth == 0
    })?;
    let plain = toks[open + 1..close].iter().all(|t| {
        matches!(t.kind, TokenKind::Word | TokenKind::Quoted) || &sql[t.start..t.end] == ","
    });
    let has_where = word(close + 1, "where");
    if plain && !has_where {
        return None;
    }
    // The predicate runs to `DO` outside parentheses.
    let mut depth = 0usize;
    let end = (close + 1..toks.len()).find(|&j| {
        match toks[j].kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth = depth.saturating_sub(1),
            _ => {}
        }
        depth == 0 && word(j, "do")
    })?;
    // Each element once: PostgreSQL infers from the set, SQLite wants the index's list.
    let mut elements: Vec<&str> = Vec::new();
    let mut depth = 0usize;
    let mut from = toks[open].end;
    for t in &toks[open + 1..=close] {
        match t.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close if depth > 0 => depth -= 1,
            _ => {}
        }
        let text = &sql[t.start..t.end];
        if (depth == 0 && text == ",") || t.start == toks[close].start {
            let element = sql[from..t.start].trim();
            let same = |e: &&str| squeezed(e) == squeezed(element);
            if !elements.iter().any(same) {
                elements.push(element);
            }
            from = t.end;
        }
    }
    let target = elements.join(", ");
    let predicate = has_where.then(|| &sql[toks[close + 1].end..toks[end].start]);
    let statement = format!(
        "{}({PLACEHOLDER}) {}",
        &sql[..toks[open].start],
        &sql[toks[end].start..]
    );
    let index = format!(
        "CREATE UNIQUE INDEX {PLACEHOLDER} ON {table} ({target}){}",
        predicate.map_or(String::new(), |p| format!(" WHERE {p}"))
    );
    Some(Arbiter { statement, index })
}

/// `e` lower-cased without white space, to compare two spellings of one element.
fn squeezed(e: &str) -> String {
    e.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The SQLite statement with the arbiter put back: `translated` is the statement's
/// translation, `index` the index's. None if either is not as expected.
pub fn attach(translated: &str, index: &str) -> Option<String> {
    let toks: Vec<_> = significant(index).collect();
    let on = toks
        .iter()
        .position(|t| index[t.start..t.end].eq_ignore_ascii_case("on"))?;
    let open = (on..toks.len()).find(|&j| toks[j].kind == TokenKind::Open)?;
    // `(exprs) [WHERE pred]`: the rest of the index.
    let clause = &index[toks[open].start..];
    let placeholder = format!("({PLACEHOLDER})");
    let at = translated.find(&placeholder)?;
    Some(format!(
        "{}{clause}{}",
        &translated[..at],
        &translated[at + placeholder.len()..]
    ))
}

/// Whether a conflict target is the placeholder (the statement's own checks that read
/// the target's columns leave it alone).
pub fn is_placeholder(name: &str) -> bool {
    name == PLACEHOLDER
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expression_target_or_a_where_is_read_as_an_index() {
        let a = read(
            "insert into t as i values (1, 'x') on conflict (lower(fruit), key) \
             where fruit like '%berry' do update set fruit = excluded.fruit",
        )
        .unwrap();
        assert_eq!(
            a.statement,
            "insert into t as i values (1, 'x') on conflict (_litewire_conflict_target) \
             do update set fruit = excluded.fruit"
        );
        assert_eq!(
            a.index,
            "CREATE UNIQUE INDEX _litewire_conflict_target ON t (lower(fruit), key) \
             WHERE  fruit like '%berry' "
        );
        let a = read("INSERT INTO public.\"T\" VALUES (1) ON CONFLICT (b) WHERE a > 0 DO NOTHING")
            .unwrap();
        assert!(a
            .index
            .starts_with("CREATE UNIQUE INDEX _litewire_conflict_target ON public.\"T\" (b)"));
        let a = read("insert into t values (1) on conflict (lower(f), LOWER( f ), key) do nothing")
            .unwrap();
        assert!(a.index.ends_with("ON t (lower(f), key)"), "{}", a.index);
        // A column list alone is the grammar's.
        assert!(read("insert into t values (1) on conflict (a, \"B\") do nothing").is_none());
        assert!(read("insert into t values (1) on conflict do nothing").is_none());
        assert!(read("select 'on conflict (lower(x))'").is_none());
    }

    #[test]
    fn the_index_translation_replaces_the_placeholder() {
        let out = attach(
            "INSERT INTO t VALUES (1) ON CONFLICT(_litewire_conflict_target) DO NOTHING",
            "CREATE UNIQUE INDEX _litewire_conflict_target ON t(pg_lower(f)) WHERE f GLOB '*x'",
        )
        .unwrap();
        assert_eq!(
            out,
            "INSERT INTO t VALUES (1) ON CONFLICT(pg_lower(f)) WHERE f GLOB '*x' DO NOTHING"
        );
    }
}
