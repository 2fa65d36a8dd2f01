//! MERGE read with PostgreSQL 15's grammar, which sqlparser's lacks in part: `THEN DO
//! NOTHING` and `INSERT DEFAULT VALUES`. The tree is sqlparser's own `Statement::Merge`
//! (under a `Query` when a WITH comes first), with two forms its grammar cannot
//! produce standing for them: DO NOTHING is an UPDATE with no assignments, DEFAULT
//! VALUES an INSERT whose VALUES has no rows. `translate/merge.rs` reads them back.

use sqlparser::ast::{
    MergeAction, MergeClause, MergeClauseKind, MergeInsertExpr, MergeInsertKind, Query, SetExpr,
    Statement, Values, With,
};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{IsOptional, Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// Whether `clause` is `THEN DO NOTHING`.
pub fn does_nothing(clause: &MergeClause) -> bool {
    matches!(&clause.action, MergeAction::Update { assignments } if assignments.is_empty())
}

/// Whether `insert` is `INSERT DEFAULT VALUES`.
pub fn default_values(insert: &MergeInsertExpr) -> bool {
    matches!(&insert.kind, MergeInsertKind::Values(v) if v.rows.is_empty())
}

/// A MERGE statement next in `parser`'s input, `WITH … MERGE` included; None (nothing
/// consumed) for any other statement.
pub fn statement(parser: &mut Parser) -> Option<Result<Statement, ParserError>> {
    let word = |t: &TokenWithSpan| match &t.token {
        Token::Word(w) if w.quote_style.is_none() => Some(w.keyword),
        _ => None,
    };
    match word(parser.peek_token_ref()) {
        Some(Keyword::MERGE) => {
            parser.next_token();
            Some(merge(parser))
        }
        Some(Keyword::WITH) if with_merge(parser) => Some(with(parser)),
        _ => None,
    }
}

/// Whether the WITH next in the input leads to MERGE: a MERGE keyword outside every
/// parenthesis, before the statement ends. (A CTE named `merge` follows WITH or a comma.)
fn with_merge(parser: &Parser) -> bool {
    let mut depth = 0usize;
    let mut after_list = true;
    for n in 1.. {
        let t = parser.peek_nth_token_ref(n);
        match &t.token {
            Token::EOF | Token::SemiColon => return false,
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            Token::Comma if depth == 0 => {
                after_list = true;
                continue;
            }
            Token::Word(w)
                if depth == 0
                    && !after_list
                    && w.quote_style.is_none()
                    && w.keyword == Keyword::MERGE =>
            {
                return true;
            }
            Token::Word(w) if w.keyword == Keyword::RECURSIVE && after_list => continue,
            // The statement after the CTEs is another one.
            Token::Word(w)
                if depth == 0
                    && !after_list
                    && matches!(
                        w.keyword,
                        Keyword::SELECT
                            | Keyword::INSERT
                            | Keyword::UPDATE
                            | Keyword::DELETE
                            | Keyword::VALUES
                            | Keyword::TABLE
                    ) =>
            {
                return false;
            }
            _ => {}
        }
        after_list = false;
    }
    false
}

fn with(parser: &mut Parser) -> Result<Statement, ParserError> {
    let with_token = parser.next_token();
    let recursive = parser.parse_keyword(Keyword::RECURSIVE);
    let cte_tables = parser.parse_comma_separated(Parser::parse_cte)?;
    parser.expect_keyword_is(Keyword::MERGE)?;
    let merge = merge(parser)?;
    Ok(Statement::Query(Box::new(Query {
        with: Some(With {
            with_token: with_token.into(),
            recursive,
            cte_tables,
        }),
        body: Box::new(SetExpr::Merge(merge)),
        order_by: None,
        limit_clause: None,
        fetch: None,
        locks: vec![],
        for_clause: None,
        settings: None,
        format_clause: None,
        pipe_operators: vec![],
    })))
}

/// After the MERGE keyword: `[INTO] target [[AS] alias] USING source ON cond clauses`.
fn merge(parser: &mut Parser) -> Result<Statement, ParserError> {
    let into = parser.parse_keyword(Keyword::INTO);
    let table = parser.parse_table_factor()?;
    parser.expect_keyword_is(Keyword::USING)?;
    let source = parser.parse_table_factor()?;
    parser.expect_keyword_is(Keyword::ON)?;
    let on = parser.parse_expr()?;
    let mut clauses = Vec::new();
    while parser.parse_keyword(Keyword::WHEN) {
        clauses.push(clause(parser)?);
    }
    if clauses.is_empty() {
        return parser.expected("WHEN", parser.peek_token());
    }
    Ok(Statement::Merge {
        into,
        table,
        source,
        on: Box::new(on),
        clauses,
        output: None,
    })
}

/// After WHEN: `[NOT] MATCHED [AND cond] THEN action`.
fn clause(parser: &mut Parser) -> Result<MergeClause, ParserError> {
    let matched = !parser.parse_keyword(Keyword::NOT);
    parser.expect_keyword_is(Keyword::MATCHED)?;
    let predicate = if parser.parse_keyword(Keyword::AND) {
        Some(parser.parse_expr()?)
    } else {
        None
    };
    parser.expect_keyword_is(Keyword::THEN)?;
    let action = if parser.parse_keywords(&[Keyword::DO, Keyword::NOTHING]) {
        MergeAction::Update {
            assignments: Vec::new(),
        }
    } else if matched && parser.parse_keyword(Keyword::UPDATE) {
        parser.expect_keyword_is(Keyword::SET)?;
        MergeAction::Update {
            assignments: parser.parse_comma_separated(Parser::parse_assignment)?,
        }
    } else if matched && parser.parse_keyword(Keyword::DELETE) {
        MergeAction::Delete
    } else if !matched && parser.parse_keyword(Keyword::INSERT) {
        MergeAction::Insert(insert(parser)?)
    } else {
        let want = if matched {
            "UPDATE, DELETE or DO NOTHING"
        } else {
            "INSERT or DO NOTHING"
        };
        return parser.expected(want, parser.peek_token());
    };
    Ok(MergeClause {
        clause_kind: if matched {
            MergeClauseKind::Matched
        } else {
            MergeClauseKind::NotMatched
        },
        predicate,
        action,
    })
}

/// After INSERT: `DEFAULT VALUES` or `[(columns)] VALUES (row)`.
fn insert(parser: &mut Parser) -> Result<MergeInsertExpr, ParserError> {
    if parser.parse_keywords(&[Keyword::DEFAULT, Keyword::VALUES]) {
        return Ok(MergeInsertExpr {
            columns: Vec::new(),
            kind: MergeInsertKind::Values(Values {
                explicit_row: false,
                rows: Vec::new(),
            }),
        });
    }
    let columns = parser.parse_parenthesized_column_list(IsOptional::Optional, false)?;
    parser.expect_keyword_is(Keyword::VALUES)?;
    let values = parser.parse_values(false)?;
    if values.rows.len() != 1 {
        // PostgreSQL's grammar takes exactly one row.
        return parser.expected("end of MERGE clause", parser.peek_token());
    }
    Ok(MergeInsertExpr {
        columns,
        kind: MergeInsertKind::Values(values),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::parse::parse_one;

    fn merge_of(sql: &str) -> (Option<With>, Vec<MergeClause>) {
        match parse_one(sql, 64).unwrap() {
            Statement::Merge { clauses, .. } => (None, clauses),
            Statement::Query(q) => match *q.body {
                SetExpr::Merge(Statement::Merge { clauses, .. }) => (q.with, clauses),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn postgres_forms_are_read() {
        let (with, clauses) = merge_of(
            "MERGE INTO t USING s ON t.k = s.k WHEN MATCHED AND s.v > 1 THEN DO NOTHING \
             WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT DEFAULT VALUES \
             WHEN NOT MATCHED THEN DO NOTHING",
        );
        assert!(with.is_none());
        assert_eq!(clauses.len(), 4);
        assert!(does_nothing(&clauses[0]) && clauses[0].predicate.is_some());
        assert!(!does_nothing(&clauses[1]));
        assert!(matches!(&clauses[2].action, MergeAction::Insert(i) if default_values(i)));
        assert!(does_nothing(&clauses[3]));
        assert_eq!(clauses[3].clause_kind, MergeClauseKind::NotMatched);
    }

    #[test]
    fn with_leads_to_merge() {
        let (with, clauses) = merge_of(
            "WITH merge AS (SELECT 1 AS k), b AS MATERIALIZED (SELECT (1)) MERGE INTO t \
             USING merge m ON t.k = m.k WHEN NOT MATCHED THEN INSERT (k) VALUES (m.k)",
        );
        assert_eq!(with.unwrap().cte_tables.len(), 2);
        assert!(matches!(&clauses[0].action, MergeAction::Insert(i) if !default_values(i)));
        // Other WITH statements are sqlparser's.
        assert!(matches!(
            parse_one("WITH merge AS (SELECT 1) SELECT * FROM merge", 64).unwrap(),
            Statement::Query(q) if matches!(*q.body, SetExpr::Select(_))
        ));
    }

    #[test]
    fn what_postgres_rejects_is_a_syntax_error() {
        for sql in [
            "MERGE INTO t USING s ON true WHEN NOT MATCHED THEN DELETE",
            "MERGE INTO t USING s ON true WHEN MATCHED THEN INSERT VALUES (1)",
            "MERGE INTO t USING s ON true WHEN NOT MATCHED THEN INSERT VALUES (1), (2)",
            "MERGE INTO t USING s ON true",
            "MERGE INTO t USING s ON true WHEN MATCHED THEN UPDATE SET v = 1 RETURNING *",
        ] {
            let e = parse_one(sql, 64).unwrap_err();
            assert_eq!(e.code.0, "42601", "{sql}: {e:?}");
        }
    }
}
