//! Static typing from SQL text, for what SQLite cannot tell before running a statement:
//! the type of result expressions (SQLite knows declared types of plain columns only)
//! and of `$n` parameters (SQLite knows only how many there are).
//!
//! The rules are lexical and deliberately small; COMPAT.md lists them. Anything they do
//! not recognise is left to the caller's fallback (text).
//!
//! `params.rs` types `$n` parameters, `expr.rs` result expressions; this file holds the
//! token view both read.

mod expr;
mod names;
mod params;

pub use expr::{expr_type, expr_type_with, select_items, select_list};
pub use names::{column_names, names_of};
pub use params::{param_hints, ParamHint};

use super::lexer::TokenKind;
pub(super) use super::lexer::Toks;

/// Inference's own readings of the shared token view.
impl<'a> Toks<'a> {
    /// The parameter number of token i, if it is `$n`.
    pub(super) fn param(&self, i: usize) -> Option<usize> {
        let s = self.text(i);
        if self.kind(i) == Some(TokenKind::Word) {
            s.strip_prefix('$')?.parse().ok()
        } else {
            None
        }
    }
    /// A column reference ending at token i (`col` or `t.col`), as the column name.
    pub(super) fn column_at(&self, i: usize) -> Option<String> {
        match self.kind(i)? {
            TokenKind::Word if self.param(i).is_none() && !is_keyword(self.text(i)) => {
                if self
                    .text(i)
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'.')
                {
                    return None;
                }
                Some(self.text(i).to_string())
            }
            TokenKind::Quoted if self.text(i).starts_with('"') => {
                Some(self.text(i).trim_matches('"').to_string())
            }
            _ => None,
        }
    }
    /// The index of the first token of an operator ending at i (`=`, `<>`, `<=`, `!=`...).
    pub(super) fn operator_before(&self, i: usize) -> Option<usize> {
        let op =
            |j: usize| self.kind(j) == Some(TokenKind::Other) && "=<>!+-*/%".contains(self.text(j));
        if i == 0 || !op(i - 1) {
            if i >= 1 && (self.is_word(i - 1, "like") || self.is_word(i - 1, "ilike")) {
                return Some(i - 1);
            }
            return None;
        }
        let mut j = i - 1;
        while j > 0 && op(j - 1) && self.t[j - 1].end == self.t[j].start {
            j -= 1;
        }
        Some(j)
    }
    pub(super) fn operator_after(&self, i: usize) -> Option<usize> {
        let op =
            |j: usize| self.kind(j) == Some(TokenKind::Other) && "=<>!+-*/%".contains(self.text(j));
        if self.is_word(i, "like") || self.is_word(i, "ilike") {
            return Some(i + 1);
        }
        if !op(i) {
            return None;
        }
        let mut j = i;
        while op(j + 1) && self.t[j].end == self.t[j + 1].start {
            j += 1;
        }
        Some(j + 1)
    }
}

const KEYWORDS: &[&str] = &[
    "select",
    "from",
    "where",
    "and",
    "or",
    "not",
    "null",
    "is",
    "in",
    "like",
    "ilike",
    "set",
    "values",
    "limit",
    "offset",
    "on",
    "as",
    "by",
    "order",
    "group",
    "having",
    "case",
    "when",
    "then",
    "else",
    "end",
    "between",
    "exists",
    "true",
    "false",
    "insert",
    "update",
    "delete",
    "into",
    "returning",
    "join",
    "left",
    "right",
    "inner",
    "outer",
    "cross",
    "union",
    "all",
    "distinct",
    "with",
    "any",
    "some",
    "cast",
];

pub(super) fn is_keyword(w: &str) -> bool {
    KEYWORDS.iter().any(|k| w.eq_ignore_ascii_case(k))
}

/// A type name starting at token i (multi-word names joined, modifiers kept).
pub(super) fn type_after(tk: &Toks<'_>, i: usize) -> String {
    let mut words = Vec::new();
    let mut j = i;
    while tk.kind(j) == Some(TokenKind::Word) {
        let w = tk.text(j).to_ascii_lowercase();
        if !words.is_empty()
            && !["precision", "varying", "with", "without", "time", "zone"].contains(&w.as_str())
        {
            break;
        }
        words.push(w);
        j += 1;
        if tk.text(j) == "." {
            words.clear();
            j += 1;
        }
    }
    let mut ty = words.join(" ");
    if tk.kind(j) == Some(TokenKind::Open) {
        if let Some(close) = tk.close_of(j) {
            ty.push_str(&tk.sql[tk.t[j].start..tk.t[close].end]);
        }
    }
    ty
}
