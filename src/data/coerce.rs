//! One cell of text → a typed value, by the measure's *declared* kind. Never guesses.
//!
//! Documented in docs/data.md ("Numbers", "Percentages"). Returns a [`CellError`] with a
//! stable code and what was expected, so the reader can build a located diagnostic; this
//! module knows nothing of files or rows.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::ruleset::model::MeasureKind;
use crate::text::fold;

/// A typed cell value. An empty cell is `None` at the call site ("no data").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// number, percent or count.
    Num(Decimal),
    /// yes/no.
    Bool(bool),
}

/// Why a cell could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// Stable diagnostic code.
    pub code: &'static str,
    /// What was expected.
    pub expected: String,
}

fn err(code: &'static str, expected: impl Into<String>) -> CellError {
    CellError {
        code,
        expected: expected.into(),
    }
}

/// Which character is the decimal mark: `--decimal-comma`, `--decimal-point`, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecimalMark {
    /// Decided per cell by the documented rule; a cell with two readings is an error.
    #[default]
    Auto,
    /// `,` is the decimal mark, `.` groups thousands (`1.234,5`).
    Comma,
    /// `.` is the decimal mark, `,` groups thousands (`1,234.5`).
    Point,
}

impl DecimalMark {
    fn char(self) -> Option<char> {
        match self {
            DecimalMark::Auto => None,
            DecimalMark::Comma => Some(','),
            DecimalMark::Point => Some('.'),
        }
    }

    fn example(self) -> &'static str {
        match self {
            DecimalMark::Auto => "a number such as `61.2`, `61,2`, `1.234,5` or `1,234.5`",
            DecimalMark::Comma => {
                "a number with a decimal comma (--decimal-comma) such as `61,2` or `1.234,5`"
            }
            DecimalMark::Point => {
                "a number with a decimal point (--decimal-point) such as `61.2` or `1,234.5`"
            }
        }
    }
}

/// How numeric cells are read: the run's `--decimal-*` and `--fraction-percent` options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NumberRules {
    /// The decimal mark.
    pub decimal: DecimalMark,
    /// Percent cells without a `%` sign are fractions (0.85 is 85 %) and are scaled by 100.
    pub fraction_percent: bool,
}

/// Read `cell` as `kind`. `Ok(None)` for an empty (whitespace-only) cell.
pub fn coerce(
    cell: &str,
    kind: MeasureKind,
    rules: NumberRules,
) -> Result<Option<Value>, CellError> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok(None);
    }
    match kind {
        MeasureKind::Bool => yes_no(cell).map(|b| Some(Value::Bool(b))),
        MeasureKind::Percent => percent(cell, rules).map(|n| Some(Value::Num(n))),
        MeasureKind::Count => {
            let n = resolve(cell, number(cell, rules.decimal), rules.decimal, None)?;
            if !kind.admits(n) {
                return Err(err("out-of-range", "a whole number of at least 0"));
            }
            Ok(Some(Value::Num(n.normalize())))
        }
        MeasureKind::Number => {
            let n = resolve(cell, number(cell, rules.decimal), rules.decimal, None)?;
            if !kind.admits(n) {
                return Err(err(
                    "out-of-range",
                    "a number of at least 0 (no NTM measure is negative)",
                ));
            }
            Ok(Some(Value::Num(n)))
        }
    }
}

/// A percent cell: `85`, `85,5`, `85.5 %`; with `--fraction-percent`, `0.855` (a `%` sign
/// still means a percentage).
fn percent(cell: &str, rules: NumberRules) -> Result<Decimal, CellError> {
    let (text, sign) = match cell.strip_suffix('%') {
        Some(t) => (t.trim_end(), true),
        None => (cell, false),
    };
    let example = match (rules.fraction_percent && !sign, rules.decimal) {
        (true, _) => {
            "a fraction between 0 and 1 such as `0.85` (--fraction-percent), or a percentage with a `%` sign"
        }
        (false, DecimalMark::Auto) => "a percentage such as `85`, `85,5` or `85.5%`",
        (false, DecimalMark::Comma) => {
            "a percentage with a decimal comma (--decimal-comma) such as `85` or `85,5%`"
        }
        (false, DecimalMark::Point) => {
            "a percentage with a decimal point (--decimal-point) such as `85` or `85.5%`"
        }
    };
    // A percentage cannot be 1000 or more, so a lone mark before three digits is the
    // decimal mark; a fraction cannot be either.
    let n = resolve(
        text,
        number(text, rules.decimal),
        rules.decimal,
        Some(example),
    )?;
    if rules.fraction_percent && !sign {
        if n < Decimal::ZERO || n > Decimal::ONE {
            return Err(err("out-of-range", example));
        }
        return Ok((n * Decimal::ONE_HUNDRED).normalize());
    }
    if !MeasureKind::Percent.admits(n) {
        return Err(err("out-of-range", "a percentage between 0 and 100"));
    }
    Ok(n)
}

/// A parsed numeric text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Parsed {
    /// One reading.
    Num(Decimal),
    /// A lone mark before exactly three digits: thousands or decimals.
    Ambiguous { grouped: Decimal, decimal: Decimal },
    /// Not a number.
    Bad,
}

/// Turn a parse into a value or an error. `percent_example` is set for percent cells: their
/// ambiguous cells take the decimal reading (the grouped one is 1000 or more).
fn resolve(
    text: &str,
    parsed: Parsed,
    mark: DecimalMark,
    percent_example: Option<&str>,
) -> Result<Decimal, CellError> {
    match (parsed, percent_example) {
        (Parsed::Num(n), _) => Ok(n),
        (Parsed::Ambiguous { decimal, .. }, Some(_)) => Ok(decimal),
        (Parsed::Ambiguous { grouped, decimal }, None) => Err(err(
            "ambiguous-number",
            format!(
                "one reading: `{text}` is {grouped} with a thousands separator or {decimal} with a decimal mark; say which with --decimal-comma or --decimal-point"
            ),
        )),
        (Parsed::Bad, Some(example)) => Err(err("not-a-number", example)),
        (Parsed::Bad, None) => Err(err("not-a-number", mark.example())),
    }
}

/// The documented number rule (docs/data.md, "Numbers"):
/// - an optional sign, then digits with `.` and `,`;
/// - both marks: the last one is the decimal mark (once), the other groups thousands;
/// - one mark repeated: thousands separators (`1.234.567`);
/// - one mark once: the decimal mark, except `1,234` (one to three digits, the first not 0,
///   a comma, then exactly three digits) which reads two ways and is [`Parsed::Ambiguous`]
///   (a lone `.` is always the decimal point: `.` groups thousands only with
///   `--decimal-comma`, when repeated, or before a decimal comma);
/// - with a forced mark, the other character only groups thousands.
///
/// Grouped parts must be whole groups of three digits after a first group of one to three.
fn number(text: &str, mark: DecimalMark) -> Parsed {
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let valid = body
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b',');
    if !valid || !body.bytes().any(|b| b.is_ascii_digit()) {
        return Parsed::Bad;
    }
    let dots = body.matches('.').count();
    let commas = body.matches(',').count();
    let forced = mark.char();
    let num = |int: &str, frac: &str| decimal(neg, int, frac).map_or(Parsed::Bad, Parsed::Num);
    // A written mark needs digits after it: `5.` and `1.234,` are not numbers.
    let with_frac = |int: &str, frac: &str| {
        if frac.is_empty() {
            Parsed::Bad
        } else {
            num(int, frac)
        }
    };
    match (dots, commas) {
        (0, 0) => num(body, ""),
        (d, c) if d > 0 && c > 0 => {
            let Some(at) = body.rfind(['.', ',']) else {
                return Parsed::Bad;
            };
            let dec = if body[at..].starts_with('.') {
                '.'
            } else {
                ','
            };
            let group = if dec == '.' { ',' } else { '.' };
            if body.matches(dec).count() != 1 || forced.is_some_and(|f| f != dec) {
                return Parsed::Bad;
            }
            match grouped(&body[..at], group) {
                Some(int) => with_frac(&int, &body[at + 1..]),
                None => Parsed::Bad,
            }
        }
        _ => {
            let n = dots + commas;
            let ch = if dots > 0 { '.' } else { ',' };
            let as_grouped = || grouped(body, ch).map_or(Parsed::Bad, |int| num(&int, ""));
            if n > 1 || forced.is_some_and(|f| f != ch) {
                if forced == Some(ch) {
                    return Parsed::Bad;
                }
                return as_grouped();
            }
            let Some((int, frac)) = body.split_once(ch) else {
                return Parsed::Bad;
            };
            let as_decimal = with_frac(int, frac);
            if forced.is_some() || ch == '.' {
                return as_decimal;
            }
            match (as_grouped(), as_decimal) {
                (Parsed::Num(grouped), Parsed::Num(decimal)) => {
                    Parsed::Ambiguous { grouped, decimal }
                }
                (_, d) => d,
            }
        }
    }
}

/// `int.frac` as a decimal; `int` may be empty (`.5`), `frac` not when a mark was written.
fn decimal(neg: bool, int: &str, frac: &str) -> Option<Decimal> {
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !digits(frac) || (int.is_empty() && frac.is_empty()) {
        return None;
    }
    let int = if int.is_empty() { "0" } else { int };
    let n = if frac.is_empty() {
        Decimal::from_str(int).ok()?
    } else {
        Decimal::from_str(&format!("{int}.{frac}")).ok()?
    };
    Some(if neg && !n.is_zero() { -n } else { n })
}

/// The digits of `s` if it is a whole number grouped by `sep` in threes (`1.234.567`).
fn grouped(s: &str, sep: char) -> Option<String> {
    let mut parts = s.split(sep);
    let first = parts.next()?;
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if first.is_empty() || first.len() > 3 || first.starts_with('0') || !digits(first) {
        return None;
    }
    let mut out = first.to_string();
    let mut groups = 0;
    for p in parts {
        if p.len() != 3 || !digits(p) {
            return None;
        }
        out.push_str(p);
        groups += 1;
    }
    (groups > 0).then_some(out)
}

/// Yes/no words, compared case- and diacritic-insensitively.
fn yes_no(cell: &str) -> Result<bool, CellError> {
    match fold(cell).as_str() {
        "dat" | "co" | "yes" | "y" | "true" | "1" | "x" => Ok(true),
        "khong dat" | "chua dat" | "khong" | "no" | "n" | "false" | "0" => Ok(false),
        _ => Err(err(
            "not-a-bool",
            "yes or no: `đạt`/`không đạt`, `có`/`không`, `yes`/`no`, `true`/`false`, `1`/`0`, `x`",
        )),
    }
}

#[cfg(test)]
mod tests;
