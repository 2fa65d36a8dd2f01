//! Rules (CREATE RULE, sql/translate/rules.rs) as SQLite triggers named
//! `_litewire_rule.<table>.<rule>`: on a view an INSTEAD OF trigger running the actions;
//! on a table a BEFORE trigger running them then skipping the row (`RAISE(IGNORE)`) for
//! DO INSTEAD, or the actions alone for DO ALSO (AFTER the row for INSERT: PostgreSQL
//! runs an INSERT rule's actions after the original statement, an UPDATE or DELETE
//! rule's before it). A rule litewire cannot honour gets a trigger that refuses (0A000)
//! the statements firing it. Each trigger's text starts with a header comment holding
//! what PostgreSQL's checks of data-modifying WITH need ([`check_with`]). A trigger on a
//! temporary table is itself temporary (SQLite's rule), so it ends with the session.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::{Connection, OptionalExtension};

use crate::engine::authorizer::{Access, Write};
use crate::engine::error::{raise, to_pg};
use crate::protocol::{PgError, Severity, SqlState};
use crate::sql::lexer::quote_ident;
use crate::sql::translate::rules::{ACTION, FIELD};

/// Every rule's trigger name starts with this.
const TRIGGER_PREFIX: &str = "_litewire_rule.";
/// The header comment opening a rule trigger's text after its name.
const HEADER: &str = "/*litewire rule ";

fn trigger_name(table: &str, rule: &str) -> String {
    format!("{TRIGGER_PREFIX}{}.{rule}", table.to_lowercase())
}

/// Whether trigger `trigger` is a rule's on `table`: its reads of `table` are of the
/// NEW or OLD row (for the authorizer's notes, modifying.rs).
pub fn is_own_row(trigger: &str, table: &str) -> bool {
    trigger
        .strip_prefix(TRIGGER_PREFIX)
        .and_then(|rest| rest.strip_prefix(table.to_lowercase().as_str()))
        .is_some_and(|rest| rest.starts_with('.'))
}

/// The relation `name` names (a temporary one first, as PostgreSQL's search path):
/// its name as stored and whether it is a view.
fn relation(conn: &Connection, name: &str) -> Result<Option<(String, bool)>, PgError> {
    conn.query_row(
        "SELECT name, type = 'view' FROM (SELECT name, type, 0 AS o FROM sqlite_temp_schema \
         UNION ALL SELECT name, type, 1 FROM sqlite_schema) \
         WHERE name = ?1 COLLATE NOCASE AND type IN ('table', 'view') ORDER BY o LIMIT 1",
        [name],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
    .map_err(|e| to_pg(&e))
}

/// The trigger of rule `rule` on `table`, if there is one: found by the table SQLite
/// records for it (a renamed table keeps its rules) and the rule's name.
fn find_trigger(conn: &Connection, table: &str, rule: &str) -> Result<Option<String>, PgError> {
    conn.query_row(
        "SELECT name FROM (SELECT name, type, tbl_name FROM sqlite_temp_schema \
         UNION ALL SELECT name, type, tbl_name FROM sqlite_schema) \
         WHERE type = 'trigger' AND tbl_name = ?1 COLLATE NOCASE \
         AND substr(name, 1, 15) = '_litewire_rule.' \
         AND substr(name, -length(?2) - 1) = '.' || ?2 LIMIT 1",
        [table, rule],
        |r| r.get(0),
    )
    .optional()
    .map_err(|e| to_pg(&e))
}

/// Whether `table` has rules on INSERT (COPY FROM, which PostgreSQL runs without
/// rules, refuses them: their triggers would fire).
pub fn on_insert(conn: &Connection, table: &str) -> Result<bool, PgError> {
    Ok(!rules_on(conn, table, "INSERT")?.is_empty())
}

fn no_relation(table: &str) -> PgError {
    PgError::new(
        SqlState::UNDEFINED_TABLE,
        format!("relation \"{table}\" does not exist"),
    )
}

/// A quoted SQL string.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The `@rule` part of an internal batch: the rule's trigger.
pub fn create(conn: &Connection, spec: &str) -> Result<(), PgError> {
    let f: Vec<&str> = spec.split(FIELD).collect();
    let [or_replace, name, table, event, instead, conditional, qual, kinds, refused, actions] =
        f[..]
    else {
        return Err(PgError::new(SqlState::INTERNAL_ERROR, "malformed rule"));
    };
    let (instead, conditional) = (instead == "1", conditional == "1");
    let Some((stored, is_view)) = relation(conn, table)? else {
        return Err(no_relation(table));
    };
    let trigger = trigger_name(table, name);
    if let Some(existing) = find_trigger(conn, &stored, name)? {
        if or_replace != "1" {
            return Err(PgError::new(
                SqlState::DUPLICATE_OBJECT,
                format!("rule \"{name}\" for relation \"{table}\" already exists"),
            ));
        }
        conn.execute_batch(&format!("DROP TRIGGER {}", quote_ident(&existing)))
            .map_err(|e| to_pg(&e))?;
    }
    let mut refused = Some(refused).filter(|r| !r.is_empty()).map(str::to_string);
    if is_view && !instead {
        refused.get_or_insert_with(|| "a DO ALSO rule on a view".into());
    }
    if is_view && conditional {
        refused.get_or_insert_with(|| "a conditional rule on a view".into());
    }
    let actions: Vec<&str> = actions.split(ACTION).filter(|a| !a.is_empty()).collect();
    if actions.iter().any(|a| needs_schema(a)) {
        refused.get_or_insert_with(|| "this rule action".into());
    }
    let timing = match (is_view, instead, event) {
        (true, _, _) => "INSTEAD OF",
        (false, false, "INSERT") => "AFTER",
        _ => "BEFORE",
    };
    let header = format!(
        "{HEADER}{event} {} {} {}*/",
        if instead { "instead" } else { "also" },
        if conditional { "qual" } else { "-" },
        if kinds.is_empty() { "-" } else { kinds }
    );
    let when = if qual.is_empty() {
        String::new()
    } else {
        format!(" WHEN EXISTS ({qual})")
    };
    let head = format!(
        "CREATE TRIGGER {} {header} {timing} {event} ON {} FOR EACH ROW{when} BEGIN ",
        quote_ident(&trigger),
        quote_ident(&stored)
    );
    let refusal = |what: &str| {
        format!(
            "{head}SELECT litewire_rule_refused({}, {}); END",
            literal(&format!("{what} is not supported by litewire")),
            literal(&format!("Rule \"{name}\" of relation \"{table}\".")),
        )
    };
    if let Some(what) = refused {
        return conn.execute_batch(&refusal(&what)).map_err(|e| to_pg(&e));
    }
    let mut body = String::new();
    for a in &actions {
        body.push_str(&expand_row_stars(conn, &stored, a)?);
        body.push_str("; ");
    }
    if instead && (!is_view || actions.is_empty()) {
        // The row is not written: DO INSTEAD (on a view, INSTEAD OF writes nothing).
        body.push_str("SELECT RAISE(IGNORE); ");
    } else if actions.is_empty() {
        body.push_str("SELECT 1 WHERE 0; ");
    }
    if conn.execute_batch(&format!("{head}{body}END")).is_err() {
        // An action SQLite takes in no trigger (a CTE, a qualified name...).
        return conn
            .execute_batch(&refusal("this rule action"))
            .map_err(|e| to_pg(&e));
    }
    Ok(())
}

/// `new.*` / `old.*` in an action, which SQLite's triggers do not take, as the rule's
/// relation's columns in order (what PostgreSQL expands them to).
fn expand_row_stars(conn: &Connection, table: &str, sql: &str) -> Result<String, PgError> {
    use crate::sql::lexer::{fold_ident, significant, TokenKind};
    let tokens: Vec<_> = significant(sql).collect();
    let text = |i: usize| &sql[tokens[i].start..tokens[i].end];
    let mut out = String::new();
    let mut copied = 0;
    let mut columns: Option<Vec<String>> = None;
    for i in 0..tokens.len().saturating_sub(2) {
        let row = matches!(tokens[i].kind, TokenKind::Word | TokenKind::Quoted)
            && matches!(fold_ident(text(i)).to_lowercase().as_str(), "new" | "old")
            && text(i + 1) == "."
            && text(i + 2) == "*"
            && (i == 0 || text(i - 1) != ".");
        if !row || tokens[i].start < copied {
            continue;
        }
        let columns = match &mut columns {
            Some(c) => c,
            None => columns.insert(table_columns(conn, table)?),
        };
        let row = text(i);
        let list: Vec<String> = columns
            .iter()
            .map(|c| format!("{row}.{}", quote_ident(c)))
            .collect();
        out.push_str(&sql[copied..tokens[i].start]);
        out.push_str(&list.join(", "));
        copied = tokens[i + 2].end;
    }
    out.push_str(&sql[copied..]);
    Ok(out)
}

/// The columns of table or view `table`, in order.
fn table_columns(conn: &Connection, table: &str) -> Result<Vec<String>, PgError> {
    let mut stmt = conn
        .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")
        .map_err(|e| to_pg(&e))?;
    let rows = stmt
        .query_map([table], |r| r.get(0))
        .and_then(|rows| rows.collect());
    rows.map_err(|e| to_pg(&e))
}

/// Whether a translated action holds markers the engine replaces when a statement is
/// prepared (column defaults, types only the schema knows): a trigger's text is not.
fn needs_schema(sql: &str) -> bool {
    use crate::sql::translate::dml::{COLUMNS_MARKER, DEFAULT_MARKER};
    crate::engine::compare::has_markers(sql)
        || [
            DEFAULT_MARKER,
            COLUMNS_MARKER,
            crate::sql::translate::like::LIKE_MARKER,
        ]
        .iter()
        .any(|m| sql.contains(m))
}

/// The `@droprule` part: DROP RULE [IF EXISTS].
pub fn drop(conn: &Connection, spec: &str, notices: &mut Vec<PgError>) -> Result<(), PgError> {
    let f: Vec<&str> = spec.split(FIELD).collect();
    let [if_exists, name, table] = f[..] else {
        return Err(PgError::new(SqlState::INTERNAL_ERROR, "malformed rule"));
    };
    let skip = |e: PgError, notices: &mut Vec<PgError>| {
        if if_exists == "1" {
            notices.push(PgError {
                severity: Severity::Notice,
                ..PgError::new(
                    SqlState::SUCCESSFUL_COMPLETION,
                    format!("{}, skipping", e.message),
                )
            });
            Ok(())
        } else {
            Err(e)
        }
    };
    let Some((stored, _)) = relation(conn, table)? else {
        return skip(no_relation(table), notices);
    };
    let Some(trigger) = find_trigger(conn, &stored, name)? else {
        let e = PgError::new(
            SqlState::UNDEFINED_OBJECT,
            format!("rule \"{name}\" for relation \"{table}\" does not exist"),
        );
        return skip(e, notices);
    };
    conn.execute_batch(&format!("DROP TRIGGER {}", quote_ident(&trigger)))
        .map_err(|e| to_pg(&e))
}

/// A rule as its trigger's header tells it.
#[derive(Debug)]
struct Header {
    instead: bool,
    conditional: bool,
    /// One letter per action (translate/rules.rs): `N` NOTIFY, `S` INSERT … SELECT.
    kinds: String,
}

/// The rules on `table` for `event`, by name (PostgreSQL fires them in that order).
fn rules_on(conn: &Connection, table: &str, event: &str) -> Result<Vec<Header>, PgError> {
    let mut q = conn
        .prepare_cached(
            "SELECT name, sql FROM (SELECT name, sql, tbl_name, type FROM sqlite_temp_schema \
             UNION ALL SELECT name, sql, tbl_name, type FROM sqlite_schema) \
             WHERE type = 'trigger' AND tbl_name = ?1 COLLATE NOCASE \
             AND substr(name, 1, 15) = '_litewire_rule.' ORDER BY name",
        )
        .map_err(|e| to_pg(&e))?;
    let rows = q
        .query_map([table], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(|e| to_pg(&e))?;
    let mut out = Vec::new();
    for row in rows {
        let (_, sql) = row.map_err(|e| to_pg(&e))?;
        let Some(header) = sql
            .split_once(HEADER)
            .and_then(|(_, rest)| rest.split_once("*/"))
            .map(|(h, _)| h)
        else {
            continue;
        };
        let w: Vec<&str> = header.split_whitespace().collect();
        let [e, instead, qual, kinds] = w[..] else {
            continue;
        };
        if !e.eq_ignore_ascii_case(event) {
            continue;
        }
        out.push(Header {
            instead: instead == "instead",
            conditional: qual == "qual",
            kinds: kinds.trim_matches('-').to_string(),
        });
    }
    Ok(out)
}

fn event_of(w: Write) -> &'static str {
    match w {
        Write::Insert => "INSERT",
        Write::Update => "UPDATE",
        Write::Delete => "DELETE",
    }
}

/// The tables a statement writes, each with its event, once.
fn written(accesses: &[Access]) -> Vec<(&str, Write)> {
    let mut out: Vec<(&str, Write)> = Vec::new();
    for a in accesses {
        if let Some(w) = a.write {
            if !out
                .iter()
                .any(|(t, x)| t.eq_ignore_ascii_case(&a.table) && *x == w)
            {
                out.push((&a.table, w));
            }
        }
    }
    out
}

fn refuse(message: &str) -> PgError {
    PgError::new(SqlState::FEATURE_NOT_SUPPORTED, message)
}

/// PostgreSQL's refusals of rules in a statement with data-modifying WITH (its
/// RewriteQuery and rewriteRuleAction): a data-modifying part may fire only an
/// unconditional DO INSTEAD rule of one action that is not NOTIFY; the statement itself
/// no rule with an INSERT … SELECT action.
pub fn check_with(
    conn: &Connection,
    parts: &[Vec<Access>],
    main: &[Access],
) -> Result<(), PgError> {
    for part in parts {
        for (table, w) in written(part) {
            let rules = rules_on(conn, table, event_of(w))?;
            if rules.is_empty() {
                continue;
            }
            // The queries the rewrite makes: the actions, and the statement itself unless
            // an unconditional DO INSTEAD rule replaces it.
            let replaced = rules.iter().any(|r| r.instead && !r.conditional);
            let actions: usize = rules.iter().map(|r| r.kinds.len()).sum();
            let total = actions + usize::from(!replaced);
            if total == 1 {
                if rules.iter().any(|r| r.kinds.contains('N')) {
                    return Err(refuse(
                        "DO INSTEAD NOTIFY rules are not supported for data-modifying statements in WITH",
                    ));
                }
                continue;
            }
            if total == 0 {
                return Err(refuse(
                    "DO INSTEAD NOTHING rules are not supported for data-modifying statements in WITH",
                ));
            }
            if let Some(r) = rules
                .iter()
                .find(|r| !r.kinds.is_empty() && (r.conditional || !r.instead))
            {
                return Err(refuse(if r.instead {
                    "conditional DO INSTEAD rules are not supported for data-modifying statements in WITH"
                } else {
                    "DO ALSO rules are not supported for data-modifying statements in WITH"
                }));
            }
            return Err(refuse(
                "multi-statement DO INSTEAD rules are not supported for data-modifying statements in WITH",
            ));
        }
    }
    for (table, w) in written(main) {
        if rules_on(conn, table, event_of(w))?
            .iter()
            .any(|r| r.kinds.contains('S'))
        {
            return Err(refuse(
                "INSERT...SELECT rule actions are not supported for queries having data-modifying statements in WITH",
            ));
        }
    }
    Ok(())
}

/// `litewire_rule_refused(message, detail)`: a rule trigger's refusal (0A000).
fn refused(ctx: &Context<'_>) -> rusqlite::Result<i64> {
    let message: String = ctx.get(0)?;
    let detail: String = ctx.get(1)?;
    Err(raise(
        PgError::new(SqlState::FEATURE_NOT_SUPPORTED, message).with_detail(detail),
    ))
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    // Called from triggers of the file's schema, which is untrusted: INNOCUOUS (it only
    // fails), not DIRECTONLY.
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function("litewire_rule_refused", 2, flags, |ctx| refused(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_names_carry_table_and_rule() {
        assert_eq!(trigger_name("Y", "y_rule"), "_litewire_rule.y.y_rule");
        assert!(is_own_row("_litewire_rule.y.y_rule", "Y"));
        assert!(!is_own_row("_litewire_rule.yy.r", "y"));
        assert!(!is_own_row("other", "y"));
    }
}
