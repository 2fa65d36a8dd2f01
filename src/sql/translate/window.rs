//! Window clauses: PostgreSQL's checks SQLite does not make, frame offsets in the form
//! SQLite takes, and the frame's `EXCLUDE` clause, which sqlparser does not parse.
//!
//! - `WINDOW w AS (…), w AS (…)` is 42P20; GROUPS without ORDER BY is 42P20 (SQLite
//!   would treat every row as a peer); `count()` is 42809 (SQLite counts rows).
//! - Frame offsets: a literal cast to a number type (`2::int8`) is the literal, which is
//!   the constant SQLite wants. A RANGE offset that is not a numeric constant (an
//!   interval, a string, a parameter) is 0A000: SQLite would compare it with the sort key
//!   as a number. The sort key of a RANGE frame with offsets must be a number
//!   (`pg_range_key`): SQLite would subtract the offset from a date's text.
//! - The engine's statistical and boolean aggregates called with OVER become their
//!   window forms (`pg_var_pop_over`…), which SQLite can run over a moving frame.
//! - `EXCLUDE CURRENT ROW | GROUP | TIES | NO OTHERS`, which SQLite has: [`strip_exclude`]
//!   takes it out of the text before parsing and records it in the window's name (a
//!   quoted name no window can have, so that a window left unmarked fails in SQLite
//!   rather than running without it); after the walk the window is printed with it.

use sqlparser::ast::{
    BinaryOperator, CastKind, DataType, ExactNumberInfo, Expr, Function, FunctionArg,
    FunctionArgExpr, FunctionArguments, Ident, NamedWindowExpr, ObjectName, Query, SetExpr,
    UnaryOperator, Value, WindowFrameBound, WindowFrameUnits, WindowSpec, WindowType,
};

use super::unsupported;
use crate::engine::datetime::Interval;
use crate::protocol::{PgError, SqlState};
use crate::sql::lexer::{Lexer, TokenKind};

/// Starts the name a window gets from [`strip_exclude`]: `"\u{1}EXCLUDE TIES\u{1}w"`.
const MARK: char = '\u{1}';

/// The text with each window frame's `EXCLUDE …` blanked out and recorded in its
/// window's name; None when there is none.
pub(crate) fn strip_exclude(text: &str) -> Option<String> {
    if !text
        .as_bytes()
        .windows(7)
        .any(|w| w.eq_ignore_ascii_case(b"exclude"))
    {
        return None;
    }
    let tokens: Vec<_> = Lexer::new(text)
        .filter(|t| t.kind != TokenKind::Space)
        .collect();
    let word = |i: usize| -> Option<String> {
        let t = tokens.get(i)?;
        (t.kind == TokenKind::Word).then(|| text[t.start..t.end].to_ascii_lowercase())
    };
    // Replacements (start, end, text): each window's name (or a name put after its
    // opening parenthesis) and its EXCLUDE clause, blanked.
    let mut pieces: Vec<(usize, usize, String)> = Vec::new();
    let mut opens: Vec<usize> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            TokenKind::Open => opens.push(i),
            TokenKind::Close => {
                opens.pop();
            }
            _ => {}
        }
        if word(i).as_deref() != Some("exclude") || i == 0 {
            continue;
        }
        // Only after a frame bound, as the window's last clause.
        if !matches!(
            word(i - 1).as_deref(),
            Some("row" | "preceding" | "following")
        ) {
            continue;
        }
        let (kind, len) = match (word(i + 1).as_deref(), word(i + 2).as_deref()) {
            (Some("current"), Some("row")) => ("CURRENT ROW", 3),
            (Some("no"), Some("others")) => ("NO OTHERS", 3),
            (Some("group"), _) => ("GROUP", 2),
            (Some("ties"), _) => ("TIES", 2),
            _ => continue,
        };
        let Some(&open) = opens.last() else { continue };
        if tokens.get(i + len).map(|t| t.kind) != Some(TokenKind::Close) {
            continue;
        }
        let first = open + 1;
        let named = match tokens.get(first) {
            Some(n) if n.kind == TokenKind::Quoted && text[n.start..].starts_with('"') => Some(n),
            Some(n) if n.kind == TokenKind::Word => match word(first).as_deref() {
                Some("partition" | "order" | "rows" | "range" | "groups") => None,
                _ => Some(n),
            },
            _ => None,
        };
        match named {
            Some(n) => {
                let folded = crate::sql::lexer::fold_ident(&text[n.start..n.end]);
                let mark = quoted(&format!("{MARK}EXCLUDE {kind}{MARK}{folded}"));
                pieces.push((n.start, n.end, mark));
            }
            None => {
                let at = tokens[open].end;
                let mark = quoted(&format!("{MARK}EXCLUDE {kind}{MARK}"));
                pieces.push((at, at, format!(" {mark} ")));
            }
        }
        let end = tokens[i + len - 1].end;
        pieces.push((t.start, end, " ".repeat(end - t.start)));
    }
    if pieces.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 32 * pieces.len());
    let mut at = 0;
    pieces.sort_by_key(|p| (p.0, p.1));
    for (s, e, with) in pieces {
        out.push_str(&text[at..s]);
        out.push_str(&with);
        at = e;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// The text with `::interval` blanked after a string that is a window frame's offset
/// (`'1 year'::interval PRECEDING`): the grammar reads a string offset as an interval
/// already, and fails at the cast. None when there is none.
pub(crate) fn strip_offset_casts(text: &str) -> Option<String> {
    let has = |w: &[u8]| {
        text.as_bytes()
            .windows(w.len())
            .any(|x| x.eq_ignore_ascii_case(w))
    };
    if !has(b"::interval") || !(has(b"preceding") || has(b"following")) {
        return None;
    }
    let tokens: Vec<_> = Lexer::new(text)
        .filter(|t| t.kind != TokenKind::Space)
        .collect();
    let is = |i: usize, s: &str| {
        tokens
            .get(i)
            .is_some_and(|t| text[t.start..t.end].eq_ignore_ascii_case(s))
    };
    let mut out = text.to_string();
    let mut changed = false;
    for (i, t) in tokens.iter().enumerate() {
        let string = t.kind == TokenKind::Quoted && text[t.start..].starts_with('\'');
        if string
            && is(i + 1, ":")
            && is(i + 2, ":")
            && is(i + 3, "interval")
            && (is(i + 4, "preceding") || is(i + 4, "following"))
        {
            let (from, to) = (tokens[i + 1].start, tokens[i + 3].end);
            out.replace_range(from..to, &" ".repeat(to - from));
            changed = true;
        }
    }
    changed.then_some(out)
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The named windows of `q`'s SELECTs: no name twice, and each spec's frame checked;
/// `presorted`: its rows reach the windows in PostgreSQL's order (window_ties.rs).
pub(super) fn query(q: &mut Query, presorted: bool) -> Result<(), PgError> {
    let SetExpr::Select(s) = q.body.as_mut() else {
        return Ok(());
    };
    for (i, def) in s.named_window.iter().enumerate() {
        let name = folded(&def.0);
        if s.named_window[..i].iter().any(|d| folded(&d.0) == name) {
            return Err(PgError::new(
                SqlState::WINDOWING_ERROR,
                format!("window \"{name}\" is already defined"),
            ));
        }
    }
    if !presorted {
        peer_order(s)?;
    }
    for def in &mut s.named_window {
        if let NamedWindowExpr::WindowSpec(spec) = &mut def.1 {
            frame(spec)?;
        }
    }
    Ok(())
}

/// The window functions whose answer is a row of the frame picked by its place, which
/// among peers (rows with equal sort keys) is the sort's choice, and PostgreSQL's sort
/// orders peers otherwise than SQLite's (neither keeps them in any defined order).
const BY_PLACE: &[&str] = &["first_value", "last_value", "nth_value"];

/// Refuses a [`BY_PLACE`] function over a RANGE frame with interval offsets: such a
/// frame ends at a peer group's edge, so the function picks among peers. Not refused over
/// other frames, where litewire answered so before; this one is new, and refusing keeps
/// it from adding answers that differ by tie order. Not refused either where the rows
/// reach the window in PostgreSQL's order (window_ties.rs).
fn peer_order(s: &sqlparser::ast::Select) -> Result<(), PgError> {
    let named: Vec<String> = s
        .named_window
        .iter()
        .filter(|d| matches!(&d.1, NamedWindowExpr::WindowSpec(spec) if interval_frame(spec)))
        .map(|d| folded(&d.0))
        .collect();
    let found = sqlparser::ast::visit_expressions(&s.projection, |e| {
        let Expr::Function(f) = e else {
            return std::ops::ControlFlow::Continue(());
        };
        let name = f.name.to_string().to_ascii_lowercase();
        let over_interval = match &f.over {
            Some(WindowType::WindowSpec(spec)) => interval_frame(spec),
            Some(WindowType::NamedWindow(w)) => named.contains(&folded(w)),
            None => false,
        };
        if over_interval && BY_PLACE.contains(&name.as_str()) {
            std::ops::ControlFlow::Break(name)
        } else {
            std::ops::ControlFlow::Continue(())
        }
    });
    match found {
        std::ops::ControlFlow::Break(name) => Err(unsupported(format!(
            "{name}() over a RANGE frame with interval offsets (it picks among rows of equal sort keys, which PostgreSQL's sort orders otherwise)"
        ))),
        std::ops::ControlFlow::Continue(()) => Ok(()),
    }
}

/// Whether `spec` is a RANGE frame with an interval offset (before [`frame`] turns it
/// into a number).
fn interval_frame(spec: &WindowSpec) -> bool {
    let Some(frame) = &spec.window_frame else {
        return false;
    };
    frame.units == WindowFrameUnits::Range
        && std::iter::once(&frame.start_bound)
            .chain(frame.end_bound.as_ref())
            .any(|b| {
                matches!(b, WindowFrameBound::Preceding(Some(e)) | WindowFrameBound::Following(Some(e))
                    if matches!(interval_offset(e), Ok(Some(_))))
            })
}

/// After the walk: the named windows of `q`'s SELECT with their EXCLUDE clause.
pub(super) fn printed(q: &mut Query) {
    let SetExpr::Select(s) = q.body.as_mut() else {
        return;
    };
    for def in &mut s.named_window {
        if let NamedWindowExpr::WindowSpec(spec) = &mut def.1 {
            if let Some(raw) = with_exclude(spec) {
                def.1 = NamedWindowExpr::NamedWindow(raw);
            }
        }
    }
}

/// Before the walk: a window function's frame (see [`frame`]).
pub(super) fn before(f: &mut Function) -> Result<(), PgError> {
    if let Some(WindowType::WindowSpec(spec)) = &mut f.over {
        frame(spec)?;
    }
    Ok(())
}

/// `ntile(NULL) OVER w`: PostgreSQL's ntile is NULL for a NULL bucket count (SQLite's
/// is an error), so the call is `nth_value(NULL, 1) OVER w`, NULL in every frame; still
/// a window function, so that the rows come out of its sort as PostgreSQL's do.
pub(super) fn null_ntile(name: &str, f: &Function) -> Option<Expr> {
    let FunctionArguments::List(l) = &f.args else {
        return None;
    };
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] = l.args.as_slice() else {
        return None;
    };
    let null = matches!(arg, Expr::Value(v) if v.value == Value::Null);
    if name != "ntile" || f.over.is_none() || !null {
        return None;
    }
    let mut nth = super::call(
        "nth_value",
        vec![
            Expr::value(Value::Null),
            Expr::value(Value::Number("1".into(), false)),
        ],
    );
    if let Expr::Function(g) = &mut nth {
        g.over = f.over.clone();
    }
    Some(nth)
}

/// After the walk of its arguments and window: `count()`, and the EXCLUDE clause.
pub(super) fn function(name: &str, f: &mut Function) -> Result<(), PgError> {
    if name == "count" {
        if let FunctionArguments::List(l) = &f.args {
            if l.args.is_empty() {
                return Err(PgError::new(
                    SqlState::WRONG_OBJECT_TYPE,
                    "count(*) must be used to call a parameterless aggregate function",
                ));
            }
        }
    }
    if let Some(WindowType::WindowSpec(spec)) = &mut f.over {
        if let Some(raw) = with_exclude(spec) {
            f.over = Some(WindowType::NamedWindow(raw));
        }
    }
    Ok(())
}

/// The engine's aggregates that have a window form (engine/pgfuncs/window.rs), by the
/// name the translator gives them.
const WINDOWED: &[&str] = &[
    "pg_var_pop",
    "pg_var_samp",
    "pg_stddev_pop",
    "pg_stddev_samp",
    "pg_regr_count",
    "pg_regr_sxx",
    "pg_regr_syy",
    "pg_regr_sxy",
    "pg_regr_avgx",
    "pg_regr_avgy",
    "pg_regr_slope",
    "pg_regr_intercept",
    "pg_regr_r2",
    "pg_covar_pop",
    "pg_covar_samp",
    "pg_corr",
    "pg_bool_and",
    "pg_bool_or",
];

/// An aggregate called with OVER: its window form, where the engine has one.
pub(super) fn aggregate_over(f: &mut Function) {
    if f.over.is_none() || f.name.0.len() != 1 {
        return;
    }
    let name = f.name.to_string();
    if WINDOWED.contains(&name.as_str()) {
        f.name = ObjectName::from(vec![Ident::new(format!("{name}_over"))]);
    }
}

/// A frame's offsets in SQLite's form, and PostgreSQL's checks of its mode.
pub(super) fn frame(spec: &mut WindowSpec) -> Result<(), PgError> {
    let inherits = spec
        .window_name
        .as_ref()
        .is_some_and(|n| !n.value.starts_with(MARK) || !n.value.ends_with(MARK));
    let ordered = !spec.order_by.is_empty();
    let Some(frame) = &mut spec.window_frame else {
        return Ok(());
    };
    if frame.units == WindowFrameUnits::Groups && !ordered && !inherits {
        return Err(PgError::new(
            SqlState::WINDOWING_ERROR,
            "GROUPS mode requires an ORDER BY clause",
        ));
    }
    let range = frame.units == WindowFrameUnits::Range;
    let mut numbers = false;
    let mut intervals = Vec::new();
    for bound in std::iter::once(&mut frame.start_bound).chain(frame.end_bound.as_mut()) {
        let (WindowFrameBound::Preceding(Some(e)) | WindowFrameBound::Following(Some(e))) = bound
        else {
            continue;
        };
        unwrap_number_cast(e);
        if range {
            unwrap_float_cast(e);
        }
        if !range || numeric_constant(e) {
            // A float key's infinities are put at ±f64::MAX and NaN above them
            // (engine/pgfuncs/window.rs): offsets must not reach across.
            if range && constant_value(e).is_some_and(|v| v.abs() > RANGE_OFFSET_MAX) {
                return Err(unsupported("a RANGE frame offset above 1e290"));
            }
            numbers = true;
        } else if let Some(iv) = interval_offset(e)? {
            intervals.push((e, iv));
        } else {
            return Err(unsupported(
                "a RANGE frame offset that is not a numeric constant",
            ));
        }
    }
    if !range || (!numbers && intervals.is_empty()) {
        return Ok(());
    }
    if numbers && !intervals.is_empty() {
        return Err(PgError::new(
            SqlState::UNDEFINED_FUNCTION,
            "RANGE with offset PRECEDING/FOLLOWING is not supported for a number offset and an interval offset together",
        ));
    }
    // The key must be a number (engine/pgfuncs/window.rs) on the scale of the offsets;
    // SQLite checks that there is exactly one.
    let mode = interval_mode(intervals.iter().map(|(_, iv)| *iv))?;
    if let Some(m) = mode {
        for (e, iv) in intervals {
            **e = Expr::value(Value::Number(m.offset(iv)?.to_string(), false));
        }
    }
    if let [key] = spec.order_by.as_mut_slice() {
        let taken = std::mem::replace(&mut key.expr, Expr::Value(Value::Null.into()));
        key.expr = match mode {
            None => super::call("pg_range_key", vec![taken]),
            Some(m) => super::call(
                "pg_range_key",
                vec![
                    taken,
                    Expr::value(Value::SingleQuotedString(m.tag().into())),
                ],
            ),
        };
    }
    Ok(())
}

/// A RANGE offset that is an interval: `'1 year'` (the grammar reads a string offset
/// as an interval) or `interval '1 year'`. None for anything else.
fn interval_offset(e: &Expr) -> Result<Option<Interval>, PgError> {
    let Expr::Interval(i) = e else {
        return Ok(None);
    };
    if i.leading_field.is_some() || i.last_field.is_some() || i.leading_precision.is_some() {
        return Err(unsupported("a RANGE frame offset with interval fields"));
    }
    let Expr::Value(v) = i.value.as_ref() else {
        return Ok(None);
    };
    let Value::SingleQuotedString(text) = &v.value else {
        return Ok(None);
    };
    // Anything else ('inf' over a float key) is not an interval.
    let Ok(iv) = crate::engine::datetime::parse_interval(text) else {
        return Ok(None);
    };
    if iv.months < 0 || iv.days < 0 || iv.micros < 0 {
        return Err(PgError::new(
            SqlState::INVALID_PRECEDING_OR_FOLLOWING_SIZE,
            "invalid preceding or following size in window function",
        ));
    }
    Ok(Some(iv))
}

/// The scale both a RANGE frame's interval offsets and its key are put on
/// (engine/pgfuncs/window.rs says how each key type is read).
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum RangeScale {
    /// Offsets of microseconds only: every key in µs (time keys too).
    Micros,
    /// Offsets of days and µs: a time key ignores the days, as PostgreSQL's does, so
    /// it is refused.
    Days,
    /// Offsets of months only: a date's month is 32 day slots (so adding months is
    /// adding slots), an interval's 30 days, both in units of µs/15 and µs/16.
    Months,
}

impl RangeScale {
    pub(crate) fn tag(self) -> &'static str {
        match self {
            RangeScale::Micros => "us",
            RangeScale::Days => "days",
            RangeScale::Months => "months",
        }
    }

    pub(crate) fn from_tag(tag: &str) -> Option<RangeScale> {
        [RangeScale::Micros, RangeScale::Days, RangeScale::Months]
            .into_iter()
            .find(|m| m.tag() == tag)
    }

    fn offset(self, iv: Interval) -> Result<i64, PgError> {
        const DAY: i64 = 86_400_000_000;
        let micros = match self {
            RangeScale::Micros | RangeScale::Days => i64::from(iv.days)
                .checked_mul(DAY)
                .and_then(|d| d.checked_add(iv.micros)),
            RangeScale::Months => i64::from(iv.months).checked_mul(32 * DAY * 15),
        };
        micros.ok_or_else(|| unsupported("a RANGE frame offset this large"))
    }
}

/// The one scale of a frame's interval offsets; 0A000 for months with days or time,
/// which no single number scale holds (a month is not a fixed number of days).
fn interval_mode(ivs: impl Iterator<Item = Interval>) -> Result<Option<RangeScale>, PgError> {
    let mut mode = None;
    for iv in ivs {
        let this = match (iv.months != 0, iv.days != 0, iv.micros != 0) {
            (true, false, false) => RangeScale::Months,
            (true, _, _) => {
                return Err(unsupported(
                    "a RANGE frame offset of months together with days or time",
                ))
            }
            (false, true, _) => RangeScale::Days,
            (false, false, _) => RangeScale::Micros,
        };
        mode = Some(match (mode, this) {
            (None, m) => m,
            (Some(a), b) if a == b => a,
            (Some(RangeScale::Months), _) | (_, RangeScale::Months) => {
                return Err(unsupported(
                    "RANGE frame offsets of months together with days or time",
                ))
            }
            _ => RangeScale::Days,
        });
    }
    Ok(mode)
}

/// `2::int8`, `CAST(1.5 AS numeric)`: the literal.
fn unwrap_number_cast(e: &mut Expr) {
    if let Expr::Cast {
        kind: CastKind::DoubleColon | CastKind::Cast,
        expr,
        data_type,
        format: None,
    } = e
    {
        let number_type = matches!(
            data_type,
            DataType::Int(_)
                | DataType::Integer(_)
                | DataType::SmallInt(_)
                | DataType::BigInt(_)
                | DataType::Int2(_)
                | DataType::Int4(_)
                | DataType::Int8(_)
                | DataType::Numeric(_)
                | DataType::Decimal(_)
        );
        if number_type
            && matches!(expr.as_ref(), Expr::Value(v) if matches!(v.value, Value::Number(..)))
        {
            *e = std::mem::replace(expr.as_mut(), Expr::Value(Value::Null.into()));
        }
    }
}

/// The largest RANGE offset litewire takes: below half the double's spacing at f64::MAX,
/// where a float key's infinities are put (engine/pgfuncs/window.rs), so that they stay
/// themselves plus or minus an offset, as PostgreSQL's do.
const RANGE_OFFSET_MAX: f64 = 1e290;

/// `1.1::float4`, `2::float8` in a RANGE offset: the literal, as the double PostgreSQL
/// adds to a float key (in_range_float4_float8 takes a float4 offset as its float8).
fn unwrap_float_cast(e: &mut Expr) {
    let Expr::Cast {
        kind: CastKind::DoubleColon | CastKind::Cast,
        expr,
        data_type,
        format: None,
    } = e
    else {
        return;
    };
    let float4 = match data_type {
        DataType::Real | DataType::Float4 => true,
        DataType::Float8 | DataType::DoublePrecision | DataType::Double(_) | DataType::Float64 => {
            false
        }
        DataType::Float(ExactNumberInfo::None) => false,
        DataType::Float(
            ExactNumberInfo::Precision(p) | ExactNumberInfo::PrecisionAndScale(p, _),
        ) => *p <= 24,
        _ => return,
    };
    let Expr::Value(v) = expr.as_ref() else {
        return;
    };
    let Value::Number(text, _) = &v.value else {
        return;
    };
    let Ok(x) = text.parse::<f64>() else {
        return;
    };
    let x = if float4 { f64::from(x as f32) } else { x };
    if x.is_finite() {
        *e = Expr::value(Value::Number(format!("{x:?}"), false));
    }
}

/// The value of a [`numeric_constant`], as a double.
fn constant_value(e: &Expr) -> Option<f64> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        Expr::Nested(e) => constant_value(e),
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => constant_value(expr).map(|v| -v),
        Expr::UnaryOp {
            op: UnaryOperator::Plus,
            expr,
        } => constant_value(expr),
        Expr::BinaryOp { left, op, right } => {
            let (a, b) = (constant_value(left)?, constant_value(right)?);
            match op {
                BinaryOperator::Plus => Some(a + b),
                BinaryOperator::Minus => Some(a - b),
                BinaryOperator::Multiply => Some(a * b),
                BinaryOperator::Divide => Some(a / b),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Numbers and arithmetic on them only.
fn numeric_constant(e: &Expr) -> bool {
    match e {
        Expr::Value(v) => matches!(v.value, Value::Number(..)),
        Expr::Nested(e) => numeric_constant(e),
        Expr::UnaryOp {
            op: UnaryOperator::Minus | UnaryOperator::Plus,
            expr,
        } => numeric_constant(expr),
        Expr::BinaryOp { left, op, right } => {
            matches!(
                op,
                BinaryOperator::Plus
                    | BinaryOperator::Minus
                    | BinaryOperator::Multiply
                    | BinaryOperator::Divide
            ) && numeric_constant(left)
                && numeric_constant(right)
        }
        _ => false,
    }
}

/// A window marked by [`strip_exclude`], printed with its EXCLUDE clause (the raw text
/// of an unquoted identifier prints as it is).
fn with_exclude(spec: &mut WindowSpec) -> Option<Ident> {
    let mark = spec.window_name.as_ref()?.value.strip_prefix(MARK)?;
    let (kind, name) = mark.split_once(MARK)?;
    let kind = kind.to_string();
    // SQLite finds a window named in another only by its bare name.
    let bare = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    spec.window_name = match name {
        "" => None,
        _ if bare => Some(Ident::new(name)),
        _ => Some(Ident::with_quote('"', name)),
    };
    Some(Ident::new(format!("({spec} {kind})")))
}

fn folded(i: &Ident) -> String {
    match i.quote_style {
        Some(_) => i.value.clone(),
        None => i.value.to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use crate::protocol::PgError;
    use crate::sql::parse::parse_one;
    use crate::sql::translate::{to_sqlite, Settings};

    struct NoSettings;
    impl Settings for NoSettings {
        fn get(&self, _: &str) -> Option<String> {
            None
        }
        fn set(&mut self, _: &str, v: &str) -> Result<String, PgError> {
            Ok(v.to_string())
        }
    }

    fn sqlite(pg: &str) -> String {
        to_sqlite(parse_one(pg, 100).unwrap(), &mut NoSettings).unwrap()
    }

    // The rows reach each window in PostgreSQL's order of tied rows (window_ties.rs).
    #[test]
    fn exclusion_is_printed_back() {
        assert_eq!(
            sqlite("select sum(a) over (order by b rows between 1 preceding and 1 following exclude current row) from t"),
            "SELECT CASE WHEN pg_is_interval('C1:a[1:t]') THEN pg_interval_sum(a) OVER (ORDER BY b NULLS LAST ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW) WHEN pg_is_numeric('C1:a[1:t]', 0) THEN pg_numeric_sum(a, 'C1:a[1:t]') OVER (ORDER BY b NULLS LAST ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW) ELSE sum(a) OVER (ORDER BY b NULLS LAST ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW) END FROM (SELECT * FROM t ORDER BY pg_sort_place('al', b) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) NULLS LAST) AS t"
        );
        assert_eq!(
            sqlite("select sum(a) over (W rows unbounded preceding Exclude Ties) from t window w as (order by b), \"X\" as (rows 2 preceding exclude group)"),
            "SELECT CASE WHEN pg_is_interval('C1:a[1:t]') THEN pg_interval_sum(a) OVER (w ROWS UNBOUNDED PRECEDING EXCLUDE TIES) WHEN pg_is_numeric('C1:a[1:t]', 0) THEN pg_numeric_sum(a, 'C1:a[1:t]') OVER (w ROWS UNBOUNDED PRECEDING EXCLUDE TIES) ELSE sum(a) OVER (w ROWS UNBOUNDED PRECEDING EXCLUDE TIES) END FROM (SELECT * FROM t ORDER BY pg_sort_place('al', b) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) NULLS LAST) AS t WINDOW w AS (ORDER BY b NULLS LAST), \"X\" AS (ROWS 2 PRECEDING EXCLUDE GROUP)"
        );
        // Elsewhere the word is left alone.
        assert_eq!(super::strip_exclude("select exclude from t"), None);
        assert_eq!(super::strip_exclude("select 1 -- exclude ties\n"), None);
    }

    #[test]
    fn float_offsets_are_their_doubles() {
        let got = sqlite(
            "select count(*) over (order by b range between 1.1::float4 preceding and 1.1::float8 following) from t",
        );
        // More digits than 15: numeric's text (mod.rs), which SQLite's check of the
        // offset reads as a number.
        assert!(
            got.contains("RANGE BETWEEN '1.100000023841858' PRECEDING AND 1.1 FOLLOWING"),
            "{got}"
        );
        let e = to_sqlite(
            parse_one(
                "select count(*) over (order by b range 1e291 preceding) from t",
                100,
            )
            .unwrap(),
            &mut NoSettings,
        )
        .unwrap_err();
        assert_eq!(e.code.0, "0A000");
    }

    #[test]
    fn frame_offsets() {
        assert_eq!(
            sqlite("select sum(a) over (order by b range between 2::int8 preceding and 1::int2 following) from t"),
            "SELECT CASE WHEN pg_is_interval('C1:a[1:t]') THEN pg_interval_sum(a) OVER (ORDER BY pg_range_key(b) NULLS LAST RANGE BETWEEN 2 PRECEDING AND 1 FOLLOWING) WHEN pg_is_numeric('C1:a[1:t]', 0) THEN pg_numeric_sum(a, 'C1:a[1:t]') OVER (ORDER BY pg_range_key(b) NULLS LAST RANGE BETWEEN 2 PRECEDING AND 1 FOLLOWING) ELSE sum(a) OVER (ORDER BY pg_range_key(b) NULLS LAST RANGE BETWEEN 2 PRECEDING AND 1 FOLLOWING) END FROM (SELECT * FROM t ORDER BY pg_sort_place('al', pg_range_key(b)) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) NULLS LAST) AS t"
        );
        assert_eq!(
            sqlite("select sum(a) over (order by b rows between 2::int8 preceding and current row) from t"),
            "SELECT CASE WHEN pg_is_interval('C1:a[1:t]') THEN pg_interval_sum(a) OVER (ORDER BY b NULLS LAST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) WHEN pg_is_numeric('C1:a[1:t]', 0) THEN pg_numeric_sum(a, 'C1:a[1:t]') OVER (ORDER BY b NULLS LAST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) ELSE sum(a) OVER (ORDER BY b NULLS LAST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) END FROM (SELECT * FROM t ORDER BY pg_sort_place('al', b) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) NULLS LAST) AS t"
        );
        let e = to_sqlite(
            parse_one("select sum(a) over (order by b range between 'inf' preceding and current row) from t", 100).unwrap(),
            &mut NoSettings,
        )
        .unwrap_err();
        assert_eq!(e.code.0, "0A000");
    }

    #[test]
    fn interval_offsets_take_the_key_s_scale() {
        assert_eq!(
            super::strip_offset_casts("select 1 over (range '1 year'::interval preceding) -- x"),
            Some("select 1 over (range '1 year'           preceding) -- x".to_string())
        );
        assert_eq!(super::strip_offset_casts("select '1 day'::interval"), None);
        let over = |pg: &str| {
            let s = sqlite(&format!("select count(*) over (order by b {pg}) from t"));
            s[s.find("OVER").unwrap()..s.find(" FROM").unwrap()].to_string()
        };
        // µs for days and time; months as 32 day slots of µs×15.
        assert_eq!(
            over("range between '1 day' preceding and '2 hours' following"),
            "OVER (ORDER BY pg_range_key(b, 'days') NULLS LAST RANGE BETWEEN 86400000000 PRECEDING AND 7200000000 FOLLOWING)"
        );
        assert_eq!(
            over("range '2 min'::interval preceding"),
            "OVER (ORDER BY pg_range_key(b, 'us') NULLS LAST RANGE 120000000 PRECEDING)"
        );
        assert_eq!(
            over("range between '1 year' preceding and current row"),
            "OVER (ORDER BY pg_range_key(b, 'months') NULLS LAST RANGE BETWEEN 497664000000000 PRECEDING AND CURRENT ROW)"
        );
    }
}
