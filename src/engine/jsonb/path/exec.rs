//! Evaluating a jsonpath against a jsonb value, after PostgreSQL's jsonpath_exec.c: lax
//! mode unwraps arrays and ignores structural errors, strict mode reports them;
//! predicates are three-valued (an error inside one is "unknown"); errors that
//! PostgreSQL's `silent` suppresses are [`Fail::Soft`]. Items are borrowed from the
//! target where they can be, and every item produced counts against a budget
//! ([`max_items`]), so no path runs unbounded over a client's value.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::super::value::{self, Json};
use super::num::{self, Dec};
use super::parse::{Arith, Cmp, Expr, JsonPath, Method, Primary, Step};
use crate::protocol::{PgError, SqlState};

/// An error of the path's evaluation: `Soft` ones are what `silent` suppresses.
#[derive(Debug)]
pub enum Fail {
    Soft(PgError),
    Hard(PgError),
}

impl Fail {
    pub fn into_error(self) -> PgError {
        match self {
            Fail::Soft(e) | Fail::Hard(e) => e,
        }
    }
}

fn soft(code: &'static str, msg: impl Into<String>) -> Fail {
    Fail::Soft(PgError::new(SqlState(code), msg.into()))
}

type Item<'a> = Cow<'a, Json>;
type Seq<'a> = Vec<Item<'a>>;
type R<T> = Result<T, Fail>;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Tri {
    True,
    False,
    Unknown,
}

/// How many items one evaluation may produce (`--max-jsonpath-items`).
static MAX_ITEMS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1_000_000);

/// Sets `--max-jsonpath-items`.
pub fn set_max_items(n: usize) {
    MAX_ITEMS.store(n, std::sync::atomic::Ordering::Relaxed);
}

fn max_items() -> usize {
    MAX_ITEMS.load(std::sync::atomic::Ordering::Relaxed)
}

pub struct Exec<'a> {
    strict: bool,
    root: &'a Json,
    vars: &'a Json,
    /// The innermost array's size, while its subscripts are evaluated (`last`).
    last: Option<usize>,
    budget: usize,
}

impl<'a> Exec<'a> {
    pub fn new(path: &JsonPath, root: &'a Json, vars: &'a Json) -> Exec<'a> {
        Exec {
            strict: path.strict,
            root,
            vars,
            last: None,
            budget: max_items(),
        }
    }

    fn spend(&mut self, n: usize) -> R<()> {
        match self.budget.checked_sub(n) {
            Some(left) => {
                self.budget = left;
                Ok(())
            }
            None => Err(Fail::Hard(PgError::new(
                SqlState::PROGRAM_LIMIT_EXCEEDED,
                format!(
                    "jsonpath evaluation produced more than {} items (--max-jsonpath-items)",
                    max_items()
                ),
            ))),
        }
    }

    /// The items `e` yields with `@` = `current`.
    pub fn eval(&mut self, e: &Expr, current: &Item<'a>) -> R<Seq<'a>> {
        value::deep(|| self.eval_inner(e, current))
    }

    fn eval_inner(&mut self, e: &Expr, current: &Item<'a>) -> R<Seq<'a>> {
        match e {
            Expr::Path(primary, steps) => {
                let mut items = self.primary(primary, current)?;
                let mut lenient = false;
                for step in steps {
                    let mut next = Vec::new();
                    for item in items {
                        self.step(step, item, current, lenient, &mut next)?;
                    }
                    self.spend(next.len())?;
                    items = next;
                    if matches!(step, Step::Any(..)) {
                        // PostgreSQL evaluates what follows `.**` ignoring structural errors.
                        lenient = true;
                    }
                }
                Ok(items)
            }
            Expr::Arith(op, l, r) => {
                let a = self.single_number(l, current, || {
                    format!(
                        "left operand of jsonpath operator {} is not a single numeric value",
                        op.symbol()
                    )
                })?;
                let b = self.single_number(r, current, || {
                    format!(
                        "right operand of jsonpath operator {} is not a single numeric value",
                        op.symbol()
                    )
                })?;
                let (a, b) = (
                    Dec::parse(&a).map_err(Fail::Hard)?,
                    Dec::parse(&b).map_err(Fail::Hard)?,
                );
                let v = match op {
                    Arith::Add => a.add(b),
                    Arith::Sub => a.add(b.neg()),
                    Arith::Mul => a.mul(b),
                    Arith::Div => a.div(b),
                    Arith::Mod => a.rem(b),
                };
                let v = v.map_err(|e| {
                    if e.code == SqlState::DIVISION_BY_ZERO {
                        Fail::Soft(e)
                    } else {
                        Fail::Hard(e)
                    }
                })?;
                Ok(vec![Cow::Owned(Json::Num(v.to_text()))])
            }
            Expr::Unary(neg, inner) => {
                let items = self.unwrapped(inner, current)?;
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let Json::Num(n) = item.as_ref() else {
                        return Err(soft(
                            "2203B",
                            format!(
                                "operand of unary jsonpath operator {} is not a numeric value",
                                if *neg { "-" } else { "+" }
                            ),
                        ));
                    };
                    out.push(if *neg {
                        let d = Dec::parse(n).map_err(Fail::Hard)?.neg();
                        Cow::Owned(Json::Num(d.to_text()))
                    } else {
                        item
                    });
                }
                Ok(out)
            }
            _ => Ok(vec![Cow::Owned(match self.predicate(e, current)? {
                Tri::True => Json::Bool(true),
                Tri::False => Json::Bool(false),
                Tri::Unknown => Json::Null,
            })]),
        }
    }

    /// `e`'s items, arrays among them unwrapped in lax mode.
    fn unwrapped(&mut self, e: &Expr, current: &Item<'a>) -> R<Seq<'a>> {
        let items = self.eval(e, current)?;
        if self.strict {
            return Ok(items);
        }
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            if matches!(item.as_ref(), Json::Array(_)) {
                out.extend(elements(&item));
            } else {
                out.push(item);
            }
        }
        self.spend(out.len())?;
        Ok(out)
    }

    fn single_number(
        &mut self,
        e: &Expr,
        current: &Item<'a>,
        msg: impl Fn() -> String,
    ) -> R<String> {
        let items = self.unwrapped(e, current)?;
        match items.as_slice() {
            [one] => match one.as_ref() {
                Json::Num(n) => Ok(n.clone()),
                _ => Err(soft("22038", msg())),
            },
            _ => Err(soft("22038", msg())),
        }
    }

    fn primary(&mut self, p: &Primary, current: &Item<'a>) -> R<Seq<'a>> {
        Ok(match p {
            Primary::Root => vec![Cow::Borrowed(self.root)],
            Primary::Current => vec![current.clone()],
            Primary::Literal(v) => vec![Cow::Owned(v.clone())],
            Primary::Last => match self.last {
                Some(size) => vec![Cow::Owned(Json::Num((size as i64 - 1).to_string()))],
                None => {
                    return Err(Fail::Hard(PgError::new(
                        SqlState::SYNTAX_ERROR,
                        "evaluating jsonpath LAST outside of array subscript",
                    )))
                }
            },
            Primary::Var(name) => match value::step_key(self.vars, name) {
                Some(v) => vec![Cow::Borrowed(v)],
                None => {
                    return Err(Fail::Hard(PgError::new(
                        SqlState::UNDEFINED_OBJECT,
                        format!("could not find jsonpath variable \"{name}\""),
                    )))
                }
            },
            Primary::Paren(e) => self.eval(e, current)?,
        })
    }

    fn step(
        &mut self,
        step: &Step,
        item: Item<'a>,
        current: &Item<'a>,
        lenient: bool,
        out: &mut Seq<'a>,
    ) -> R<()> {
        let ignore = !self.strict || lenient;
        let unwrap = !self.strict;
        match step {
            Step::Key(k) => match item.as_ref() {
                Json::Object(_) => match child_key(&item, k) {
                    Some(v) => out.push(v),
                    None if !ignore => {
                        return Err(soft(
                            "2203A",
                            format!("JSON object does not contain key \"{k}\""),
                        ))
                    }
                    None => {}
                },
                Json::Array(_) if unwrap => {
                    for e in elements(&item) {
                        if matches!(e.as_ref(), Json::Object(_)) {
                            out.extend(child_key(&e, k));
                        }
                    }
                }
                _ if !ignore => {
                    return Err(soft(
                        "2203A",
                        "jsonpath member accessor can only be applied to an object",
                    ))
                }
                _ => {}
            },
            Step::AnyKey => match item.as_ref() {
                Json::Object(_) => out.extend(members(&item)),
                Json::Array(_) if unwrap => {
                    for e in elements(&item) {
                        if matches!(e.as_ref(), Json::Object(_)) {
                            out.extend(members(&e));
                        }
                    }
                }
                _ if !ignore => {
                    return Err(soft(
                        "2203C",
                        "jsonpath wildcard member accessor can only be applied to an object",
                    ))
                }
                _ => {}
            },
            Step::AnyArray => match item.as_ref() {
                Json::Array(_) => out.extend(elements(&item)),
                _ if !self.strict => out.push(item),
                _ => {
                    return Err(soft(
                        "22039",
                        "jsonpath wildcard array accessor can only be applied to an array",
                    ))
                }
            },
            Step::Subscripts(list) => {
                let is_array = matches!(item.as_ref(), Json::Array(_));
                if !is_array && self.strict {
                    if !ignore {
                        return Err(soft(
                            "22039",
                            "jsonpath array accessor can only be applied to an array",
                        ));
                    }
                    return Ok(());
                }
                let size = match item.as_ref() {
                    Json::Array(a) => a.len(),
                    _ => 1,
                };
                let saved = self.last.replace(size);
                let r = (|| {
                    let mut picked = Vec::new();
                    for (from, to) in list {
                        let a = self.index(from, current)?;
                        let b = match to {
                            Some(t) => self.index(t, current)?,
                            None => a,
                        };
                        if !ignore && (a < 0 || a > b || b >= size as i64) {
                            return Err(soft("22033", "jsonpath array subscript is out of bounds"));
                        }
                        let (a, b) = (a.max(0), b.min(size as i64 - 1));
                        let mut i = a;
                        while i <= b {
                            picked.push(i as usize);
                            i += 1;
                        }
                        self.spend(picked.len())?;
                    }
                    Ok(picked)
                })();
                self.last = saved;
                for i in r? {
                    match &item {
                        Cow::Borrowed(Json::Array(a)) => out.push(Cow::Borrowed(&a[i])),
                        Cow::Owned(Json::Array(a)) => out.push(Cow::Owned(a[i].clone())),
                        other => out.push(other.clone()),
                    }
                }
            }
            Step::Any(first, last) => {
                if *first == 0 {
                    out.push(item.clone());
                }
                self.descend(&item, 1, *first, *last, out)?;
            }
            Step::Filter(pred) => {
                let targets = match item.as_ref() {
                    Json::Array(_) if unwrap => elements(&item),
                    _ => vec![item],
                };
                for t in targets {
                    if self.predicate(pred, &t)? == Tri::True {
                        out.push(t);
                    }
                }
            }
            Step::Method(m) => self.method(*m, item, out)?,
        }
        Ok(())
    }

    /// `.**{first to last}` below `item`, pre-order.
    fn descend(
        &mut self,
        item: &Item<'a>,
        level: u32,
        first: u32,
        last: u32,
        out: &mut Seq<'a>,
    ) -> R<()> {
        let children = match item.as_ref() {
            Json::Array(_) => elements(item),
            Json::Object(_) => members(item),
            _ => return Ok(()),
        };
        self.spend(children.len())?;
        for c in children {
            if level >= first && level <= last {
                out.push(c.clone());
            }
            if level < last {
                value::deep(|| self.descend(&c, level + 1, first, last, out))?;
            }
        }
        Ok(())
    }

    /// A subscript's value: a single number, truncated.
    fn index(&mut self, e: &Expr, current: &Item<'a>) -> R<i64> {
        let items = self.eval(e, current)?;
        let msg = "jsonpath array subscript is not a single numeric value";
        let [one] = items.as_slice() else {
            return Err(soft("22033", msg));
        };
        let Json::Num(n) = one.as_ref() else {
            return Err(soft("22033", msg));
        };
        let d = Dec::parse(n)
            .map_err(|_| soft("22033", "jsonpath array subscript is out of integer range"))?;
        let i = d.trunc();
        if i < i32::MIN as i128 || i > i32::MAX as i128 {
            return Err(soft(
                "22033",
                "jsonpath array subscript is out of integer range",
            ));
        }
        Ok(i as i64)
    }

    fn method(&mut self, m: Method, item: Item<'a>, out: &mut Seq<'a>) -> R<()> {
        let unwrap = !self.strict;
        let numeric_method = matches!(
            m,
            Method::Abs | Method::Floor | Method::Ceiling | Method::Double | Method::KeyValue
        );
        if numeric_method && unwrap && matches!(item.as_ref(), Json::Array(_)) {
            for e in elements(&item) {
                self.method(m, e, out)?;
            }
            return Ok(());
        }
        let name = match m {
            Method::Abs => "abs",
            Method::Floor => "floor",
            Method::Ceiling => "ceiling",
            Method::Double => "double",
            Method::Size => "size",
            Method::Type => "type",
            Method::KeyValue => "keyvalue",
        };
        let v = match m {
            Method::Type => Json::Str(value::type_name(&item).to_string()),
            Method::Size => match item.as_ref() {
                Json::Array(a) => Json::Num(a.len().to_string()),
                _ if !self.strict => Json::Num("1".into()),
                _ => {
                    return Err(soft(
                        "22039",
                        "jsonpath item method .size() can only be applied to an array",
                    ))
                }
            },
            Method::Abs | Method::Floor | Method::Ceiling => {
                let Json::Num(n) = item.as_ref() else {
                    return Err(soft(
                        "22036",
                        format!(
                            "jsonpath item method .{name}() can only be applied to a numeric value"
                        ),
                    ));
                };
                let d = Dec::parse(n).map_err(Fail::Hard)?;
                Json::Num(
                    match m {
                        Method::Abs => d.abs(),
                        Method::Floor => d.floor(),
                        _ => d.ceiling(),
                    }
                    .to_text(),
                )
            }
            Method::Double => {
                let f = match item.as_ref() {
                    Json::Num(n) => n.parse::<f64>().ok().filter(|f| f.is_finite()).ok_or_else(|| {
                        soft(
                            "22036",
                            "numeric argument of jsonpath item method .double() is out of range for type double precision",
                        )
                    })?,
                    Json::Str(s) => {
                        let f = crate::engine::input::parse_float(s).ok_or_else(|| {
                            soft("22036", "string argument of jsonpath item method .double() is not a valid representation of a double precision number")
                        })?;
                        if !f.is_finite() {
                            return Err(soft(
                                "22036",
                                "string argument of jsonpath item method .double() is not a valid representation of a double precision number",
                            ));
                        }
                        f
                    }
                    _ => {
                        return Err(soft(
                            "22036",
                            "jsonpath item method .double() can only be applied to a string or numeric value",
                        ))
                    }
                };
                Json::Num(float_numeric(f))
            }
            Method::KeyValue => {
                let Json::Object(members) = item.as_ref() else {
                    return Err(soft(
                        "2203C",
                        "jsonpath item method .keyvalue() can only be applied to an object",
                    ));
                };
                if !std::ptr::eq(item.as_ref(), self.root) {
                    // PostgreSQL's id is the object's byte offset in its binary jsonb.
                    return Err(Fail::Hard(crate::sql::translate::unsupported(
                        "the jsonpath method .keyvalue() below the root",
                    )));
                }
                self.spend(members.len())?;
                for (k, v) in members {
                    out.push(Cow::Owned(Json::Object(vec![
                        ("id".into(), Json::Num("0".into())),
                        ("key".into(), Json::Str(k.clone())),
                        ("value".into(), v.clone()),
                    ])));
                }
                return Ok(());
            }
        };
        out.push(Cow::Owned(v));
        Ok(())
    }

    /// A predicate's truth with `@` = `current`.
    fn predicate(&mut self, e: &Expr, current: &Item<'a>) -> R<Tri> {
        value::deep(|| self.predicate_inner(e, current))
    }

    fn predicate_inner(&mut self, e: &Expr, current: &Item<'a>) -> R<Tri> {
        Ok(match e {
            Expr::And(l, r) => match self.predicate(l, current)? {
                Tri::False => Tri::False,
                lt => match self.predicate(r, current)? {
                    Tri::False => Tri::False,
                    Tri::True if lt == Tri::True => Tri::True,
                    _ => Tri::Unknown,
                },
            },
            Expr::Or(l, r) => match self.predicate(l, current)? {
                Tri::True => Tri::True,
                lt => match self.predicate(r, current)? {
                    Tri::True => Tri::True,
                    Tri::False if lt == Tri::False => Tri::False,
                    _ => Tri::Unknown,
                },
            },
            Expr::Not(inner) => match self.predicate(inner, current)? {
                Tri::True => Tri::False,
                Tri::False => Tri::True,
                Tri::Unknown => Tri::Unknown,
            },
            Expr::IsUnknown(inner) => {
                if self.predicate(inner, current)? == Tri::Unknown {
                    Tri::True
                } else {
                    Tri::False
                }
            }
            Expr::Exists(inner) => match self.quiet(|x| x.eval(inner, current))? {
                None => Tri::Unknown,
                Some(items) if items.is_empty() => Tri::False,
                Some(_) => Tri::True,
            },
            Expr::Cmp(op, l, r) => {
                self.compare_all(l, Some(r), current, |a, b| compare(*op, a, b.unwrap_or(a)))?
            }
            Expr::StartsWith(l, r) => {
                self.compare_all(l, Some(r), current, |a, b| match (a, b) {
                    (Json::Str(s), Some(Json::Str(p))) => tri(s.starts_with(p.as_str())),
                    _ => Tri::Unknown,
                })?
            }
            Expr::LikeRegex(l, pattern, flags) => {
                let re = regex(pattern, flags).map_err(Fail::Hard)?;
                self.compare_all(l, None, current, |a, _| match a {
                    Json::Str(s) => tri(re.is_match(s)),
                    _ => Tri::Unknown,
                })?
            }
            // A plain expression as a predicate: its single boolean (jsonb_path_match).
            other => match self.quiet(|x| x.eval(other, current))? {
                Some(items) => match items.as_slice() {
                    [one] => match one.as_ref() {
                        Json::Bool(true) => Tri::True,
                        Json::Bool(false) => Tri::False,
                        _ => Tri::Unknown,
                    },
                    _ => Tri::Unknown,
                },
                None => Tri::Unknown,
            },
        })
    }

    /// Runs `f` with soft errors as None.
    fn quiet<T>(&mut self, f: impl FnOnce(&mut Self) -> R<T>) -> R<Option<T>> {
        match f(self) {
            Ok(v) => Ok(Some(v)),
            Err(Fail::Soft(_)) => Ok(None),
            Err(hard) => Err(hard),
        }
    }

    /// PostgreSQL's executePredicate: every pair of the operands' items, true when one
    /// is (lax) or when one is and none is unknown (strict).
    fn compare_all(
        &mut self,
        l: &Expr,
        r: Option<&Expr>,
        current: &Item<'a>,
        f: impl Fn(&Json, Option<&Json>) -> Tri,
    ) -> R<Tri> {
        let Some(left) = self.quiet(|x| x.unwrapped(l, current))? else {
            return Ok(Tri::Unknown);
        };
        let right = match r {
            Some(r) => match self.quiet(|x| x.unwrapped(r, current))? {
                Some(items) => Some(items),
                None => return Ok(Tri::Unknown),
            },
            None => None,
        };
        let (mut found, mut error) = (false, false);
        for a in &left {
            let rights: Vec<Option<&Json>> = match &right {
                Some(items) => items.iter().map(|b| Some(b.as_ref())).collect(),
                None => vec![None],
            };
            self.spend(rights.len())?;
            for b in rights {
                match f(a, b) {
                    Tri::Unknown => {
                        if self.strict {
                            return Ok(Tri::Unknown);
                        }
                        error = true;
                    }
                    Tri::True => {
                        if !self.strict {
                            return Ok(Tri::True);
                        }
                        found = true;
                    }
                    Tri::False => {}
                }
            }
        }
        Ok(if found {
            Tri::True
        } else if error {
            Tri::Unknown
        } else {
            Tri::False
        })
    }
}

fn tri(b: bool) -> Tri {
    if b {
        Tri::True
    } else {
        Tri::False
    }
}

/// compareItems: scalars of one type compare; null equals only null; other mixes and
/// containers are unknown.
fn compare(op: Cmp, a: &Json, b: &Json) -> Tri {
    let ord = match (a, b) {
        (Json::Null, Json::Null) => Ordering::Equal,
        (Json::Null, _) | (_, Json::Null) => return tri(op == Cmp::Ne),
        (Json::Bool(x), Json::Bool(y)) => x.cmp(y),
        (Json::Num(x), Json::Num(y)) => num::compare(x, y),
        (Json::Str(x), Json::Str(y)) => x.as_str().cmp(y.as_str()),
        _ => return Tri::Unknown,
    };
    tri(match op {
        Cmp::Eq => ord == Ordering::Equal,
        Cmp::Ne => ord != Ordering::Equal,
        Cmp::Lt => ord == Ordering::Less,
        Cmp::Le => ord != Ordering::Greater,
        Cmp::Gt => ord == Ordering::Greater,
        Cmp::Ge => ord != Ordering::Less,
    })
}

/// like_regex's pattern with its flags (i, s, m, x, q).
fn regex(pattern: &str, flags: &str) -> Result<regex_lite::Regex, PgError> {
    let mut prefix = String::new();
    let mut quote = false;
    for c in flags.chars() {
        match c {
            'i' | 's' | 'm' | 'x' => prefix.push(c),
            'q' => quote = true,
            other => {
                return Err(PgError::new(
                    SqlState::SYNTAX_ERROR,
                    "invalid input syntax for type jsonpath",
                )
                .with_detail(format!(
                    "Unrecognized flag character \"{other}\" in LIKE_REGEX predicate."
                )))
            }
        }
    }
    let body = if quote {
        regex_lite::escape(pattern)
    } else {
        pattern.to_string()
    };
    let full = if prefix.is_empty() {
        body
    } else {
        format!("(?{prefix}){body}")
    };
    regex_lite::Regex::new(&full).map_err(|e| {
        PgError::new(
            SqlState("2201B"),
            format!("invalid regular expression: {e}"),
        )
    })
}

/// A float8 as numeric reads it (`%.15g`).
fn float_numeric(f: f64) -> String {
    let s = format!("{f:.14e}");
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let m = if m.contains('.') {
        m.trim_end_matches('0').trim_end_matches('.')
    } else {
        m
    };
    value::numeric(&format!("{m}e{e}")).unwrap_or_else(|_| f.to_string())
}

fn child_key<'a>(item: &Item<'a>, k: &str) -> Option<Item<'a>> {
    match item {
        Cow::Borrowed(v) => value::step_key(v, k).map(Cow::Borrowed),
        Cow::Owned(v) => value::step_key(v, k).cloned().map(Cow::Owned),
    }
}

fn elements<'a>(item: &Item<'a>) -> Seq<'a> {
    match item {
        Cow::Borrowed(Json::Array(a)) => a.iter().map(Cow::Borrowed).collect(),
        Cow::Owned(Json::Array(a)) => a.iter().cloned().map(Cow::Owned).collect(),
        _ => vec![],
    }
}

fn members<'a>(item: &Item<'a>) -> Seq<'a> {
    match item {
        Cow::Borrowed(Json::Object(m)) => m.iter().map(|(_, v)| Cow::Borrowed(v)).collect(),
        Cow::Owned(Json::Object(m)) => m.iter().map(|(_, v)| Cow::Owned(v.clone())).collect(),
        _ => vec![],
    }
}
