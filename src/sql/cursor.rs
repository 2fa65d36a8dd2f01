//! Parses the SQL cursor commands: `DECLARE`, `FETCH` / `MOVE` and `CLOSE`.
//!
//! Every direction PostgreSQL has is read; the session decides which a cursor can take
//! (server/cursor.rs: a SCROLL cursor any, others only forward).

use super::lexer::{fold_ident, significant, TokenKind};
use crate::protocol::{PgError, SqlState};

/// `DECLARE name [BINARY] [NO SCROLL] CURSOR [WITH[OUT] HOLD] FOR query`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declare {
    pub name: String,
    pub binary: bool,
    pub scroll: bool,
    pub hold: bool,
    /// The query's text, as written.
    pub query: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The next `n` rows (`NEXT`, `FORWARD`, `n`, `FORWARD n`).
    Forward(u64),
    /// Every remaining row (`ALL`, `FORWARD ALL`).
    All,
    /// The `n` rows before the current one, nearest first (`PRIOR`, `BACKWARD n`, a
    /// negative count).
    Backward(u64),
    /// Every row before the current one (`BACKWARD ALL`).
    BackwardAll,
    /// A count of 0 (`FETCH 0`, `RELATIVE 0`, `BACKWARD 0`): the current row again.
    Stay,
    /// `ABSOLUTE n` (negative: from the end; `FIRST` is 1, `LAST` is -1).
    Absolute(i64),
    /// `RELATIVE n`, n ≠ 0.
    Relative(i64),
}

/// `FETCH` or `MOVE` (which moves without returning rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetch {
    pub name: String,
    pub direction: Direction,
    pub is_move: bool,
}

/// The significant tokens of `sql` as (kind, text, end offset).
fn tokens(sql: &str) -> Vec<(TokenKind, &str, usize)> {
    significant(sql)
        .filter(|t| t.kind != TokenKind::Semi)
        .map(|t| (t.kind, &sql[t.start..t.end], t.end))
        .collect()
}

/// A cursor name: unquoted words fold to lower case, `"Quoted"` names keep theirs.
fn name(tok: Option<&(TokenKind, &str, usize)>) -> Result<String, PgError> {
    match tok {
        Some((TokenKind::Word, w, _)) => Ok(fold_ident(w)),
        Some((TokenKind::Quoted, q, _)) if q.starts_with('"') => {
            let name = fold_ident(q);
            // `""` would name the unnamed portal; PostgreSQL rejects it.
            if name.is_empty() {
                return Err(PgError::new(
                    SqlState::SYNTAX_ERROR,
                    "zero-length delimited identifier",
                ));
            }
            Ok(name)
        }
        Some((_, other, _)) => Err(PgError::syntax_near(other)),
        None => Err(PgError::syntax_near("")),
    }
}

fn is(tok: Option<&(TokenKind, &str, usize)>, word: &str) -> bool {
    matches!(tok, Some((TokenKind::Word, w, _)) if w.eq_ignore_ascii_case(word))
}

pub fn parse_declare(sql: &str) -> Result<Declare, PgError> {
    let t = tokens(sql);
    let name = name(t.get(1))?;
    let mut d = Declare {
        name,
        binary: false,
        scroll: false,
        hold: false,
        query: String::new(),
    };
    let mut i = 2;
    loop {
        let Some(tok) = t.get(i) else {
            return Err(PgError::syntax_near(""));
        };
        match tok.1.to_ascii_lowercase().as_str() {
            "binary" => d.binary = true,
            "insensitive" | "asensitive" => {}
            "scroll" => d.scroll = true,
            "no" if is(t.get(i + 1), "scroll") => i += 1,
            "cursor" => break,
            _ => return Err(PgError::syntax_near(tok.1)),
        }
        i += 1;
    }
    i += 1;
    if is(t.get(i), "with") && is(t.get(i + 1), "hold") {
        d.hold = true;
        i += 2;
    } else if is(t.get(i), "without") && is(t.get(i + 1), "hold") {
        i += 2;
    }
    if !is(t.get(i), "for") {
        return Err(PgError::syntax_near(t.get(i).map_or("", |t| t.1)));
    }
    let start = t[i].2;
    d.query = sql[start..].trim().trim_end_matches(';').trim().to_string();
    if d.query.is_empty() {
        return Err(PgError::syntax_near(""));
    }
    Ok(d)
}

/// `FETCH` / `MOVE [direction] [FROM | IN] name`.
pub fn parse_fetch(sql: &str) -> Result<Fetch, PgError> {
    let t = tokens(sql);
    let is_move = is(t.first(), "move");
    let mut i = 1;
    let count = |s: &str, sign: i64| -> Result<Direction, PgError> {
        let n: i64 = s.parse().map_err(|_| PgError::syntax_near(s))?;
        Ok(match n * sign {
            n if n > 0 => Direction::Forward(n as u64),
            0 => Direction::Stay,
            n => Direction::Backward(n.unsigned_abs()),
        })
    };
    // A count: digits, or `-` / `+` then digits (the lexer splits the sign off).
    let number_at = |i: usize| -> Option<(i64, &str, usize)> {
        match (t.get(i), t.get(i + 1)) {
            (Some((_, s, _)), Some((_, d, _))) if (*s == "-" || *s == "+") && is_digits(d) => {
                Some((if *s == "-" { -1 } else { 1 }, d, 2))
            }
            (Some((_, d, _)), _) if is_digits(d) => Some((1, d, 1)),
            _ => None,
        }
    };
    let word = t
        .get(i)
        .map(|w| w.1.to_ascii_lowercase())
        .unwrap_or_default();
    let direction = match word.as_str() {
        "next" => {
            i += 1;
            Direction::Forward(1)
        }
        "prior" => {
            i += 1;
            Direction::Backward(1)
        }
        "first" => {
            i += 1;
            Direction::Absolute(1)
        }
        "last" => {
            i += 1;
            Direction::Absolute(-1)
        }
        "absolute" | "relative" => {
            i += 1;
            let (sign, n, used) =
                number_at(i).ok_or_else(|| PgError::syntax_near(t.get(i).map_or("", |t| t.1)))?;
            i += used;
            let n: i64 = n.parse::<i64>().map_err(|_| PgError::syntax_near(n))? * sign;
            match (word.as_str(), n) {
                ("relative", 0) => Direction::Stay,
                ("relative", n) => Direction::Relative(n),
                (_, n) => Direction::Absolute(n),
            }
        }
        "all" => {
            i += 1;
            Direction::All
        }
        "forward" | "backward" => {
            i += 1;
            let back = word == "backward";
            let d = if is(t.get(i), "all") {
                i += 1;
                Direction::All
            } else if let Some((sign, d, used)) = number_at(i) {
                i += used;
                count(d, sign)?
            } else {
                Direction::Forward(1)
            };
            match (back, d) {
                (false, d) => d,
                (true, Direction::All) => Direction::BackwardAll,
                (true, Direction::Forward(n)) => Direction::Backward(n),
                (true, Direction::Backward(n)) => Direction::Forward(n),
                (true, d) => d,
            }
        }
        _ => match number_at(i) {
            Some((sign, d, used)) => {
                i += used;
                count(d, sign)?
            }
            None => Direction::Forward(1),
        },
    };
    if is(t.get(i), "from") || is(t.get(i), "in") {
        i += 1;
    }
    let name = name(t.get(i))?;
    if let Some(extra) = t.get(i + 1) {
        return Err(PgError::syntax_near(extra.1));
    }
    Ok(Fetch {
        name,
        direction,
        is_move,
    })
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `CLOSE name`; None for `CLOSE ALL`.
pub fn parse_close(sql: &str) -> Result<Option<String>, PgError> {
    let t = tokens(sql);
    if is(t.get(1), "all") && t.len() == 2 {
        return Ok(None);
    }
    let n = name(t.get(1))?;
    if let Some(extra) = t.get(2) {
        return Err(PgError::syntax_near(extra.1));
    }
    Ok(Some(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declare() {
        let d = parse_declare("DECLARE \"C\" NO SCROLL CURSOR WITHOUT HOLD FOR select 1;").unwrap();
        assert_eq!(d.name, "C");
        assert_eq!(d.query, "select 1");
        assert!(!d.scroll && !d.hold && !d.binary);
        let d = parse_declare("declare c binary cursor with hold for values (1)").unwrap();
        assert!(d.binary && d.hold);
        assert!(
            parse_declare("declare c scroll cursor for select 1")
                .unwrap()
                .scroll
        );
        assert!(parse_declare("declare c cursor select 1").is_err());
        assert!(parse_declare("declare c cursor for").is_err());
    }

    #[test]
    fn fetch() {
        let f = |s: &str| parse_fetch(s).unwrap();
        assert_eq!(
            f("FETCH FORWARD 5 FROM \"c\"").direction,
            Direction::Forward(5)
        );
        assert_eq!(f("FETCH FORWARD 5 FROM \"c\"").name, "c");
        assert_eq!(f("fetch c").direction, Direction::Forward(1));
        assert_eq!(f("fetch next in c").direction, Direction::Forward(1));
        assert_eq!(f("fetch all c").direction, Direction::All);
        assert_eq!(f("fetch forward all from c").direction, Direction::All);
        assert_eq!(f("fetch 3 c").direction, Direction::Forward(3));
        assert_eq!(f("fetch -1 c").direction, Direction::Backward(1));
        assert_eq!(f("fetch backward 2 c").direction, Direction::Backward(2));
        assert_eq!(f("fetch backward -2 c").direction, Direction::Forward(2));
        assert_eq!(f("fetch backward all c").direction, Direction::BackwardAll);
        assert_eq!(f("fetch prior c").direction, Direction::Backward(1));
        assert_eq!(f("fetch absolute 2 c").direction, Direction::Absolute(2));
        assert_eq!(f("fetch absolute -1 c").direction, Direction::Absolute(-1));
        assert_eq!(f("fetch first c").direction, Direction::Absolute(1));
        assert_eq!(f("fetch last c").direction, Direction::Absolute(-1));
        assert_eq!(f("fetch 0 c").direction, Direction::Stay);
        assert_eq!(f("move relative 0 c").direction, Direction::Stay);
        assert_eq!(f("move relative -2 c").direction, Direction::Relative(-2));
        let m = f("MOVE 2 IN cur");
        assert!(m.is_move);
        assert_eq!(m.direction, Direction::Forward(2));
        assert!(parse_fetch("fetch 2 from").is_err());
        assert!(parse_fetch("fetch 2 from a b").is_err());
    }

    #[test]
    fn close() {
        assert_eq!(parse_close("CLOSE ALL").unwrap(), None);
        assert_eq!(parse_close("close \"All\"").unwrap(), Some("All".into()));
        assert_eq!(parse_close("close c").unwrap(), Some("c".into()));
        assert!(parse_close("close").is_err());
        assert!(parse_close("close \"").is_err());
        assert!(parse_close("close \"\"").is_err());
        assert!(parse_declare("declare \"é").is_err());
        assert!(parse_fetch("fetch \"").is_err());
    }
}
