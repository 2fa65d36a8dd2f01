//! A [`Ty`] written as text, so that a type the translator cannot resolve without the
//! schema travels inside the SQLite statement (as a constant argument of the operator's
//! function) and is resolved where the schema is: on the connection running it.
//!
//! Grammar: `?` unknown, `'` literal, `N`str named, `C`str list column (tables),
//! `T`str num nth, `P`num param, `F`list first, `M`list common, `O`op ty ty, `W`follow ty;
//! str is `len:bytes`, num is digits then `;`, list is `[` items `]`.

use super::{Follow, Op, Ty, MAX_DEPTH};

impl Ty {
    /// The text form of this type expression.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        encode(self, &mut out);
        out
    }

    /// Reads [`Ty::encode`]'s text back; None if it is not one (or too deep).
    pub fn decode(text: &str) -> Option<Ty> {
        let mut r = Reader {
            rest: text,
            depth: 0,
        };
        let t = r.ty()?;
        r.rest.is_empty().then_some(t)
    }
}

fn encode(t: &Ty, out: &mut String) {
    let s = |v: &str, out: &mut String| {
        out.push_str(&v.len().to_string());
        out.push(':');
        out.push_str(v);
    };
    let list = |items: &[Ty], out: &mut String| {
        out.push('[');
        for i in items {
            encode(i, out);
        }
        out.push(']');
    };
    match t {
        // Only the result columns' typing reads SQL functions' types (the engine's).
        Ty::Unknown | Ty::Routine { .. } | Ty::RoutineArg { .. } => out.push('?'),
        Ty::Literal => out.push('\''),
        Ty::Named(n) => {
            out.push('N');
            s(n, out);
        }
        Ty::Column { tables, column } => {
            out.push('C');
            s(column, out);
            out.push('[');
            for t in tables {
                s(t, out);
            }
            out.push(']');
        }
        Ty::Nth { table, index } => {
            out.push('T');
            s(table, out);
            out.push_str(&format!("{index};"));
        }
        Ty::Param(n) => out.push_str(&format!("P{n};")),
        Ty::First(all) => {
            out.push('F');
            list(all, out);
        }
        Ty::Common(all) => {
            out.push('M');
            list(all, out);
        }
        Ty::Op(op, a, b) => {
            out.push('O');
            out.push(match op {
                Op::Plus => '+',
                Op::Minus => '-',
                Op::Times => '*',
                Op::Concat => '|',
            });
            encode(a, out);
            encode(b, out);
        }
        Ty::Of(f, a) => {
            out.push('W');
            out.push(match f {
                Follow::Sum => 's',
                Follow::Avg => 'a',
                Follow::Math => 'm',
                Follow::ArrayOf => '[',
                Follow::Aggregated => 'g',
                Follow::Nested => 'n',
                Follow::ElementOf => ']',
                Follow::Bare => 'b',
                Follow::Truncated => 't',
                Follow::Joined => 'j',
            });
            encode(a, out);
        }
    }
}

struct Reader<'a> {
    rest: &'a str,
    depth: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.rest.as_bytes().first()?;
        self.rest = &self.rest[1..];
        Some(b)
    }

    fn num(&mut self, end: u8) -> Option<usize> {
        let at = self.rest.find(end as char)?;
        let n = self.rest[..at].parse().ok()?;
        self.rest = &self.rest[at + 1..];
        Some(n)
    }

    fn str(&mut self) -> Option<String> {
        let len = self.num(b':')?;
        let s = self.rest.get(..len)?.to_string();
        self.rest = &self.rest[len..];
        Some(s)
    }

    fn list(&mut self) -> Option<Vec<Ty>> {
        (self.byte()? == b'[').then_some(())?;
        let mut out = Vec::new();
        while !self.rest.starts_with(']') {
            out.push(self.ty()?);
        }
        self.byte();
        Some(out)
    }

    fn ty(&mut self) -> Option<Ty> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let t = match self.byte()? {
            b'?' => Ty::Unknown,
            b'\'' => Ty::Literal,
            b'N' => Ty::Named(self.str()?),
            b'C' => {
                let column = self.str()?;
                (self.byte()? == b'[').then_some(())?;
                let mut tables = Vec::new();
                while !self.rest.starts_with(']') {
                    tables.push(self.str()?);
                }
                self.byte();
                Ty::Column { tables, column }
            }
            b'T' => {
                let table = self.str()?;
                Ty::Nth {
                    table,
                    index: self.num(b';')?,
                }
            }
            b'P' => Ty::Param(self.num(b';')?),
            b'F' => Ty::First(self.list()?),
            b'M' => Ty::Common(self.list()?),
            b'O' => {
                let op = match self.byte()? {
                    b'+' => Op::Plus,
                    b'-' => Op::Minus,
                    b'*' => Op::Times,
                    b'|' => Op::Concat,
                    _ => return None,
                };
                Ty::Op(op, Box::new(self.ty()?), Box::new(self.ty()?))
            }
            b'W' => {
                let f = match self.byte()? {
                    b's' => Follow::Sum,
                    b'a' => Follow::Avg,
                    b'm' => Follow::Math,
                    b'[' => Follow::ArrayOf,
                    b'g' => Follow::Aggregated,
                    b'n' => Follow::Nested,
                    b']' => Follow::ElementOf,
                    b'b' => Follow::Bare,
                    b't' => Follow::Truncated,
                    b'j' => Follow::Joined,
                    _ => return None,
                };
                Ty::Of(f, Box::new(self.ty()?))
            }
            _ => return None,
        };
        self.depth -= 1;
        Some(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let t = Ty::Op(
            Op::Times,
            Box::new(Ty::First(vec![
                Ty::Column {
                    tables: vec!["t".into(), "my:t[1]".into()],
                    column: "x".into(),
                },
                Ty::Nth {
                    table: "u".into(),
                    index: 3,
                },
            ])),
            Box::new(Ty::Of(
                Follow::Sum,
                Box::new(Ty::Common(vec![
                    Ty::Named("numeric(10,2)".into()),
                    Ty::Literal,
                    Ty::Param(2),
                    Ty::Unknown,
                ])),
            )),
        );
        let text = t.encode();
        assert_eq!(Ty::decode(&text), Some(t));
        assert_eq!(Ty::decode("N5:int4"), None);
        assert_eq!(Ty::decode("N4:int4x"), None);
        assert_eq!(Ty::decode(&"F[".repeat(100)), None);
    }
}
