//! PostgreSQL 15's regular-expression functions over regex-lite (`regexp_replace` with
//! start and N, `regexp_count`, `regexp_instr`, `regexp_substr`, `regexp_like`), and
//! the pieces and matches of `regexp_split_to_array` / `regexp_matches` (pgfuncs/arrays.rs).
//! Positions count characters from 1; patterns regex-lite cannot read (back-references)
//! are refused with 2201B rather than matched differently.

use regex_lite::Regex;

use crate::engine::jsonb::value::Json;

use super::strings::{regex, regex_flags, replacement, RegexMode};
use crate::protocol::{PgError, SqlState};

fn invalid(parameter: &str, value: i64) -> PgError {
    PgError::new(
        SqlState::INVALID_PARAMETER_VALUE,
        format!("invalid value for parameter \"{parameter}\": {value}"),
    )
}

/// Flags without `g`, which the functions returning one match refuse.
pub fn single_flags(function: &str, flags: &str) -> Result<RegexMode, PgError> {
    let (global, insensitive) = regex_flags(flags)?;
    if global {
        return Err(PgError::new(
            SqlState::INVALID_PARAMETER_VALUE,
            format!("{function}() does not support the \"global\" option"),
        ));
    }
    Ok(insensitive)
}

/// The byte offset of character `start` (1-based, checked positive).
fn start_byte(s: &str, start: i64) -> Result<usize, PgError> {
    if start <= 0 {
        return Err(invalid("start", start));
    }
    let skip = usize::try_from(start - 1).unwrap_or(usize::MAX);
    Ok(s.char_indices().nth(skip).map_or(s.len(), |(i, _)| i))
}

fn char_pos(s: &str, byte: usize) -> i64 {
    s[..byte].chars().count() as i64 + 1
}

/// Every match of `re` in `s`, found as PostgreSQL finds them: the next search starts
/// where a match ended (one character later after an empty match), so an empty match
/// right after a nonempty one counts (`regexp_matches('ab', 'b?$', 'g')` is `{b}`, `{""}`;
/// regex-lite's own iterator skips it).
pub fn all_captures<'r, 'h: 'r>(
    re: &'r Regex,
    s: &'h str,
) -> impl Iterator<Item = regex_lite::Captures<'h>> + 'r {
    let mut at = Some(0);
    std::iter::from_fn(move || {
        let caps = re.captures_at(s, at?)?;
        let m = caps.get(0)?;
        at = if m.end() > m.start() {
            Some(m.end())
        } else {
            s[m.end()..].chars().next().map(|c| m.end() + c.len_utf8())
        };
        Some(caps)
    })
}

pub struct Search<'a> {
    pub subject: &'a str,
    pub re: Regex,
    pub start: i64,
}

impl<'a> Search<'a> {
    pub fn new(
        subject: &'a str,
        pattern: &str,
        start: i64,
        insensitive: RegexMode,
    ) -> Result<Self, PgError> {
        start_byte(subject, start)?;
        Ok(Search {
            subject,
            re: regex(pattern, insensitive)?,
            start,
        })
    }

    /// The matches at or after `start`.
    fn matches(&self) -> impl Iterator<Item = regex_lite::Captures<'a>> + '_ {
        all_captures(&self.re, &self.subject[self.offset()..])
    }

    fn offset(&self) -> usize {
        start_byte(self.subject, self.start).unwrap_or(0)
    }

    pub fn count(&self) -> i64 {
        self.matches().count() as i64
    }

    /// The `n`th match's group `sub` (0: the whole match) as a byte range of the subject.
    fn nth(&self, n: i64, sub: i64) -> Result<Option<(usize, usize)>, PgError> {
        if n <= 0 {
            return Err(invalid("n", n));
        }
        if sub < 0 {
            return Err(invalid("subexpr", sub));
        }
        let at = self.offset();
        let k = usize::try_from(n - 1).unwrap_or(usize::MAX);
        Ok(self.matches().nth(k).and_then(|c| {
            let g = usize::try_from(sub).ok()?;
            c.get(g).map(|m| (at + m.start(), at + m.end()))
        }))
    }

    pub fn instr(&self, n: i64, end: i64, sub: i64) -> Result<i64, PgError> {
        if !(0..=1).contains(&end) {
            return Err(invalid("endoption", end));
        }
        Ok(match self.nth(n, sub)? {
            Some((a, b)) => char_pos(self.subject, if end == 1 { b } else { a }),
            None => 0,
        })
    }

    pub fn substr(&self, n: i64, sub: i64) -> Result<Option<String>, PgError> {
        Ok(self
            .nth(n, sub)?
            .map(|(a, b)| self.subject[a..b].to_string()))
    }

    /// Replaces the `n`th match (0: every match) at or after `start`.
    pub fn replace(&self, with: &str, n: i64) -> Result<String, PgError> {
        if n < 0 {
            return Err(invalid("n", n));
        }
        let with = replacement(with);
        let at = self.offset();
        let (head, tail) = self.subject.split_at(at);
        let mut out = String::with_capacity(self.subject.len());
        out.push_str(head);
        let mut last = 0;
        for (i, c) in all_captures(&self.re, tail).enumerate() {
            if n != 0 && i as i64 + 1 != n {
                continue;
            }
            let Some(m) = c.get(0) else { continue };
            out.push_str(&tail[last..m.start()]);
            c.expand(&with, &mut out);
            last = m.end();
            if n != 0 {
                break;
            }
        }
        out.push_str(&tail[last..]);
        Ok(out)
    }
}

/// PostgreSQL's `regexp_split_to_array`: a zero-length match at the start of a piece or
/// at the end of the text does not split.
pub(super) fn regexp_split(s: &str, re: &regex_lite::Regex) -> Vec<Json> {
    let mut pieces = Vec::new();
    let (mut last, mut search) = (0, 0);
    let next_char = |i: usize| i + s[i..].chars().next().map_or(1, char::len_utf8);
    while search <= s.len() {
        let Some(m) = re.find_at(s, search) else {
            break;
        };
        if m.start() == m.end() && (m.start() == last || m.start() >= s.len()) {
            if m.start() >= s.len() {
                break;
            }
            search = next_char(m.start());
            continue;
        }
        pieces.push(Json::Str(s[last..m.start()].to_string()));
        last = m.end();
        search = if m.start() == m.end() {
            next_char(m.end())
        } else {
            m.end()
        };
    }
    pieces.push(Json::Str(s[last..].to_string()));
    pieces
}

/// `regexp_matches`: per match the captured groups (the whole match without groups).
pub(super) fn regexp_matches(s: &str, re: &regex_lite::Regex, global: bool) -> Vec<Json> {
    let mut rows = Vec::new();
    for caps in all_captures(re, s) {
        let groups: Vec<Json> = if caps.len() == 1 {
            vec![Json::Str(caps[0].to_string())]
        } else {
            (1..caps.len())
                .map(|g| {
                    caps.get(g)
                        .map_or(Json::Null, |m| Json::Str(m.as_str().to_string()))
                })
                .collect()
        };
        rows.push(Json::Array(groups));
        if !global {
            break;
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s<'a>(subject: &'a str, p: &str, start: i64) -> Search<'a> {
        Search::new(subject, p, start, RegexMode::default()).unwrap()
    }

    #[test]
    fn as_postgres_15() {
        let mode = RegexMode::default();
        assert_eq!(s("abcdefghi", "d.f", 1).instr(1, 0, 0).unwrap(), 4);
        assert_eq!(s("abcabc", "b", 1).instr(2, 0, 0).unwrap(), 5);
        assert_eq!(s("abcabc", "b", 1).instr(2, 1, 0).unwrap(), 6);
        assert_eq!(s("abcabc", "(b)(c)", 1).instr(1, 0, 2).unwrap(), 3);
        assert_eq!(s("abc", "z", 1).instr(1, 0, 0).unwrap(), 0);
        assert!(s("abc", "b", 1).instr(0, 0, 0).is_err());
        assert_eq!(
            s("abcabc", "b.", 1).substr(2, 0).unwrap().as_deref(),
            Some("bc")
        );
        assert_eq!(
            s("abcabc", "(b)(c)", 1).substr(1, 2).unwrap().as_deref(),
            Some("c")
        );
        assert_eq!(s("abcabc", "b", 1).count(), 2);
        assert_eq!(s("abcabc", "b", 3).replace("X", 1).unwrap(), "abcaXc");
        let (_, insensitive) = regex_flags("i").unwrap();
        let vowels = Search::new("A PostgreSQL function", "a|e|i|o|u", 1, insensitive).unwrap();
        assert_eq!(vowels.replace("X", 0).unwrap(), "X PXstgrXSQL fXnctXXn");
        assert_eq!(vowels.replace("X", 3).unwrap(), "A PostgrXSQL function");
        assert!(Search::new("abc", "b", 0, mode).is_err());
        // An empty match right after a nonempty one counts, as in PostgreSQL.
        assert_eq!(s("ab", "b?$", 1).count(), 2);
        assert_eq!(s("ab", "b?$", 1).replace("X", 0).unwrap(), "aXX");
    }
}
