//! One cell of text → a typed value, by the measure's *declared* kind. Never guesses.
//!
//! Documented in docs/data.md ("Numbers", "Percentages"). Returns a [`CellError`] with a
//! stable code and what was expected, so the reader can build a located diagnostic; this
//! module knows nothing of files or rows.
//!
//! Cells are read as bytes ([`coerce_bytes`]; [`coerce`] is the same for a `&str`), every
//! row of every file passes here, so the spellings real files use are read without
//! allocating: digits with marks build the decimal from an integer mantissa and a scale,
//! and yes/no cells in ASCII or in the precomposed (NFC) letters of `đạt`, `có`, `không`,
//! `chưa` are matched byte by byte. Anything else beyond ASCII (other accents, decomposed
//! letters, Unicode spaces) goes through `str`: Unicode trimming and [`fold`].

use rust_decimal::Decimal;

use crate::exact;
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
    fn byte(self) -> Option<u8> {
        match self {
            DecimalMark::Auto => None,
            DecimalMark::Comma => Some(b','),
            DecimalMark::Point => Some(b'.'),
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
    coerce_bytes(cell.as_bytes(), kind, rules)
}

/// Read the UTF-8 bytes of `cell` as `kind`: the same values and errors as [`coerce`] on
/// the same text. Bytes that are not UTF-8 are `not-a-number` (`not-a-bool` for yes/no).
pub fn coerce_bytes(
    cell: &[u8],
    kind: MeasureKind,
    rules: NumberRules,
) -> Result<Option<Value>, CellError> {
    match coerce_common(cell, kind, rules) {
        Some(v) => Ok(Some(v)),
        None => coerce_rest(cell, kind, rules),
    }
}

/// The cells most files hold, read in place: the yes/no spellings of `common_yes_no` and
/// the numbers of `plain`, after trimming ASCII whitespace. `Some(v)` only where
/// [`coerce_bytes`] gives `Ok(Some(v))` (the same value and scale: a test holds this path to
/// the general rule); `None` leaves the cell to [`coerce_bytes`]. Inlined into the row
/// reader's loop (issue #14): the value stays in registers, where the `Result` of
/// [`coerce_bytes`] went through memory, and for a yes/no cell that store and its reload
/// cost more than reading the cell.
#[inline(always)]
pub fn coerce_common(cell: &[u8], kind: MeasureKind, rules: NumberRules) -> Option<Value> {
    let cell = trim_spaces(cell);
    if kind == MeasureKind::Bool {
        common_yes_no(cell).map(Value::Bool)
    } else {
        plain(cell, kind, rules).map(Value::Num)
    }
}

/// [`coerce_bytes`] without its common spellings: trimming, the empty cell, then the whole
/// rule (`general`). For a cell [`coerce_common`] left, so it is not tried twice.
#[inline(never)]
pub(crate) fn coerce_rest(
    cell: &[u8],
    kind: MeasureKind,
    rules: NumberRules,
) -> Result<Option<Value>, CellError> {
    let cell = trim_spaces(cell);
    if cell.is_empty() {
        return Ok(None);
    }
    general(cell, kind, rules)
}

/// A trimmed, non-empty cell that is not one of the common spellings: the whole rule.
/// Out of line, so that the common path stays small.
#[cold]
#[inline(never)]
fn general(cell: &[u8], kind: MeasureKind, rules: NumberRules) -> Result<Option<Value>, CellError> {
    match kind {
        MeasureKind::Bool => match yes_no_bytes(cell) {
            Some(b) => b.map(|b| Some(Value::Bool(b))),
            None => coerce_text(cell, kind, rules),
        },
        _ if !cell.is_ascii() => coerce_text(cell, kind, rules),
        MeasureKind::Percent => {
            let (text, sign) = match cell.split_last() {
                Some((b'%', text)) => (trim_spaces(text), true),
                _ => (cell, false),
            };
            percent(text, sign, rules).map(|n| Some(Value::Num(n)))
        }
        _ => measure(cell, kind, rules).map(|n| Some(Value::Num(n))),
    }
}

/// The cells [`coerce_bytes`] does not read byte by byte: text beyond ASCII, trimmed of
/// Unicode whitespace and, for yes/no, folded.
#[cold]
fn coerce_text(
    cell: &[u8],
    kind: MeasureKind,
    rules: NumberRules,
) -> Result<Option<Value>, CellError> {
    let Ok(text) = std::str::from_utf8(cell) else {
        return Err(match kind {
            MeasureKind::Bool => not_a_bool(),
            MeasureKind::Percent => err("not-a-number", percent_example(rules, false)),
            _ => err("not-a-number", rules.decimal.example()),
        });
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match kind {
        MeasureKind::Bool => yes_no(text).map(|b| Some(Value::Bool(b))),
        MeasureKind::Percent => {
            let (text, sign) = match text.strip_suffix('%') {
                Some(t) => (t.trim_end(), true),
                None => (text, false),
            };
            percent(text.as_bytes(), sign, rules).map(|n| Some(Value::Num(n)))
        }
        _ => measure(text.as_bytes(), kind, rules).map(|n| Some(Value::Num(n))),
    }
}

/// Whitespace as `str::trim` sees it, within ASCII: tab, line feed, vertical tab, form
/// feed, carriage return and space (`u8::is_ascii_whitespace` leaves out the vertical tab).
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// `cell` without leading and trailing ASCII whitespace ([`is_space`]).
#[inline]
fn trim_spaces(cell: &[u8]) -> &[u8] {
    match (cell.first(), cell.last()) {
        // Every space is at most b' ': the common case in two comparisons.
        (Some(&first), Some(&last)) if first > b' ' && last > b' ' => cell,
        _ => {
            let start = cell
                .iter()
                .position(|&b| !is_space(b))
                .unwrap_or(cell.len());
            let end = cell
                .iter()
                .rposition(|&b| !is_space(b))
                .map_or(start, |i| i + 1);
            cell.get(start..end).unwrap_or_default()
        }
    }
}

/// `10^i` for every scale [`plain`] builds.
const POWERS_OF_10: [u64; FAST_DIGITS + 1] = {
    let mut p = [1u64; FAST_DIGITS + 1];
    let mut i = 1;
    while i < p.len() {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// The cells most files hold, read in one pass without the general rule: up to
/// [`FAST_DIGITS`] digits with at most one mark that is the decimal mark (a `,` before
/// exactly three digits only in a percent cell, where it cannot group thousands), no sign,
/// and in a percent cell a `%` right after the digits. The value is built from the digits
/// as an integer and the number of decimals, and is returned only when it is in range: any
/// other cell (`-5`, `1.234,5`, `1,234`, `85 %`, `130`, `2.5` as a count) is left to
/// [`measure`] and [`percent`], which read it or say why not.
#[inline(always)]
fn plain(cell: &[u8], kind: MeasureKind, rules: NumberRules) -> Option<Decimal> {
    let (text, sign) = match (kind, cell.split_last()) {
        (MeasureKind::Percent, Some((b'%', text))) => (text, true),
        _ => (cell, false),
    };
    let mut mantissa: u64 = 0;
    let mut digits = 0;
    let mut mark = None;
    for (i, &b) in text.iter().enumerate() {
        match b {
            b'0'..=b'9' if digits < FAST_DIGITS => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                digits += 1;
            }
            b'.' | b',' if mark.is_none() => mark = Some((i, b)),
            _ => return None,
        }
    }
    let scale = match mark {
        None => 0,
        Some((at, b)) => {
            let decimals = text.len() - at - 1;
            if !is_decimal_mark(b, at, decimals, text.first() == Some(&b'0'), kind, rules)
                || decimals == 0
            {
                return None;
            }
            decimals
        }
    };
    if digits == 0 {
        return None;
    }
    in_range(mantissa, scale, sign, kind, rules)
}

/// Whether the lone mark `b` of a number cell, at `at` and before `decimals` digits, is
/// its decimal mark: the forced one, or under `DecimalMark::Auto` a `.`, or a `,` but the
/// `1,234` that reads two ways (only a percentage takes the decimal reading).
/// `zero_first` when the cell starts with `0`.
#[inline(always)]
fn is_decimal_mark(
    b: u8,
    at: usize,
    decimals: usize,
    zero_first: bool,
    kind: MeasureKind,
    rules: NumberRules,
) -> bool {
    match (rules.decimal, b) {
        (DecimalMark::Auto | DecimalMark::Point, b'.') | (DecimalMark::Comma, b',') => true,
        (DecimalMark::Auto, _) => {
            kind == MeasureKind::Percent || !(decimals == 3 && (1..=3).contains(&at) && !zero_first)
        }
        _ => false,
    }
}

/// The value `mantissa / 10^scale` of a number cell [`plain`] or [`plain_at`] read, when
/// it is in range for `kind`: a percentage at most 100 (with `--fraction-percent` and no
/// `%` sign, a fraction at most 1, times 100 without trailing zeros), a count whole and
/// without trailing zeros. `sign` when the cell had a `%` sign.
#[inline(always)]
fn in_range(
    mantissa: u64,
    scale: usize,
    sign: bool,
    kind: MeasureKind,
    rules: NumberRules,
) -> Option<Decimal> {
    let unit = u128::from(*POWERS_OF_10.get(scale)?);
    let scale = u32::try_from(scale).ok()?;
    let whole = |m: u64, scale| Decimal::try_from_i128_with_scale(i128::from(m), scale).ok();
    match kind {
        MeasureKind::Percent if rules.fraction_percent && !sign => {
            // A fraction between 0 and 1, times 100, without trailing zeros.
            let mut m = u128::from(mantissa);
            if m > unit {
                return None;
            }
            m *= 100;
            let mut scale = scale;
            while scale > 0 && m % 10 == 0 {
                m /= 10;
                scale -= 1;
            }
            Decimal::try_from_i128_with_scale(i128::try_from(m).ok()?, scale).ok()
        }
        MeasureKind::Percent => (u128::from(mantissa) <= 100 * unit)
            .then(|| whole(mantissa, scale))
            .flatten(),
        // A count is whole and written without trailing zeros.
        MeasureKind::Count if scale == 0 => whole(mantissa, 0),
        MeasureKind::Count => {
            let unit = u64::try_from(unit).ok()?;
            mantissa
                .is_multiple_of(unit)
                .then(|| whole(mantissa / unit, 0))
                .flatten()
        }
        _ => whole(mantissa, scale),
    }
}

/// `0x01` in every byte of a word.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte of a word.
const HIGH: u64 = 0x80 * ONES;
/// The low `k` bytes of a word, for `k` from 0 to 8.
const LOW_BYTES: [u64; 9] = {
    let mut m = [u64::MAX; 9];
    let mut k = 0;
    while k < 8 {
        m[k] = (1u64 << (8 * k)) - 1;
        k += 1;
    }
    m
};

/// The high bit of each byte of `word` that is not 0 (exact: no carry crosses a byte).
#[inline(always)]
fn nonzero_bytes(word: u64) -> u64 {
    (((word & !HIGH) + 0x7F * ONES) | word) & HIGH
}

/// A number, percent or count cell as the row reader finds it: `record[start..end]`, a
/// field of a record whose bytes go on after it. `Some(n)` for what `plain` reads in a
/// cell of one to eight bytes — digits with at most one mark, in a percent cell maybe a `%`
/// right after them — with the value and scale [`coerce_bytes`] gives (a test holds it to
/// that); `None` for any other cell, and for a cell within 8 bytes of the record's end:
/// [`coerce_bytes`] reads those.
///
/// Read from one 8-byte word at the cell's start (bytes of the next fields included) and
/// the cell's length: which bytes are digits, where the mark is and the digits' value are
/// worked out for the eight bytes at once (issue #14: the loop over the digits of a cell,
/// one to four of them and a decimal comma or not, is where the processor guessed wrong).
#[inline(always)]
pub fn plain_at(
    record: &[u8],
    start: usize,
    end: usize,
    kind: MeasureKind,
    rules: NumberRules,
) -> Option<Decimal> {
    let len = end.checked_sub(start)?;
    let word = u64::from_le_bytes(*record.get(start..)?.first_chunk::<8>()?);
    if len.wrapping_sub(1) >= 8 || kind == MeasureKind::Bool {
        return None;
    }
    // A `%` right after the digits of a percent cell.
    let sign = (kind == MeasureKind::Percent) & ((word >> (8 * (len - 1))) & 0xFF == 0x25);
    let len = len - usize::from(sign);
    let cell = *LOW_BYTES.get(len)?;
    // Digits are 0 to 9 here, `.` is 0x1E and `,` is 0x1C; bytes past the cell are 0.
    let d = (word ^ (0x30 * ONES)) & cell;
    let not_digit = (((d & !HIGH) + 0x76 * ONES) | d) & HIGH;
    let marks = !nonzero_bytes((d | (0x02 * ONES)) ^ (0x1E * ONES)) & HIGH & cell;
    if not_digit & !marks != 0 || marks.count_ones() > 1 {
        return None;
    }
    // Where the mark is (8 when there is none), and the digits without it.
    let at = (marks.trailing_zeros() / 8) as usize;
    let digits = len - usize::from(marks != 0);
    let before = *LOW_BYTES.get(at)?;
    let packed = ((d & before) | ((d >> 8) & !before)) & *LOW_BYTES.get(digits)?;
    if digits == 0 {
        return None;
    }
    // Eight digits, the first one most significant, to their value (the leading ones 0).
    let v = packed << (8 * (8 - digits));
    let v = (v.wrapping_mul(10) + (v >> 8)) & 0x00FF_00FF_00FF_00FF;
    let v = (v.wrapping_mul(100) + (v >> 16)) & 0x0000_FFFF_0000_FFFF;
    let mantissa = (v.wrapping_mul(10_000) + (v >> 32)) & 0xFFFF_FFFF;
    let decimals = (len - 1).saturating_sub(at);
    if marks != 0 {
        let point = (d >> (8 * at)) & 0xFF == 0x1E;
        if decimals == 0
            || !is_decimal_mark(
                if point { b'.' } else { b',' },
                at,
                decimals,
                d & 0xFF == 0,
                kind,
                rules,
            )
        {
            return None;
        }
    }
    in_range(mantissa, decimals, sign, kind, rules)
}

/// A number or count cell.
fn measure(text: &[u8], kind: MeasureKind, rules: NumberRules) -> Result<Decimal, CellError> {
    let n = resolve(text, number(text, rules.decimal), rules.decimal, None)?;
    if !kind.admits(n) {
        return Err(if kind == MeasureKind::Count {
            err("out-of-range", "a whole number of at least 0")
        } else {
            err(
                "out-of-range",
                "a number of at least 0 (no NTM measure is negative)",
            )
        });
    }
    Ok(if kind == MeasureKind::Count {
        n.normalize()
    } else {
        n
    })
}

/// What a percent cell should look like; `sign` when it was written with `%`.
fn percent_example(rules: NumberRules, sign: bool) -> &'static str {
    match (rules.fraction_percent && !sign, rules.decimal) {
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
    }
}

/// A percent cell: `85`, `85,5`, `85.5 %`; with `--fraction-percent`, `0.855` (a `%` sign
/// still means a percentage). `text` is the cell without its `%` sign, if it had one.
fn percent(text: &[u8], sign: bool, rules: NumberRules) -> Result<Decimal, CellError> {
    let example = percent_example(rules, sign);
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
        // The point moves two places: no digit is lost.
        return exact::times_100(n).ok_or_else(too_precise);
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
    /// A number a `Decimal` cannot hold exactly (more than 28 significant digits or
    /// decimal places): refused, never rounded.
    TooPrecise,
}

/// Turn a parse into a value or an error. `percent_example` is set for percent cells: their
/// ambiguous cells take the decimal reading (the grouped one is 1000 or more).
fn resolve(
    text: &[u8],
    parsed: Parsed,
    mark: DecimalMark,
    percent_example: Option<&str>,
) -> Result<Decimal, CellError> {
    match (parsed, percent_example) {
        (Parsed::Num(n), _) => Ok(n),
        (Parsed::Ambiguous { decimal, .. }, Some(_)) => Ok(decimal),
        (Parsed::Ambiguous { grouped, decimal }, None) => {
            let text = String::from_utf8_lossy(text);
            Err(err(
                "ambiguous-number",
                format!(
                    "one reading: `{}` is {grouped} with a thousands separator or {decimal} with a decimal mark; say which with --decimal-comma or --decimal-point",
                    crate::text::echo(&text)
                ),
            ))
        }
        (Parsed::TooPrecise, _) => Err(too_precise()),
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
fn number(text: &[u8], mark: DecimalMark) -> Parsed {
    let (neg, body) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    // One pass: only digits and marks, at least one digit; count the marks and keep where
    // the last one is.
    let (mut dots, mut commas, mut digits, mut last) = (0usize, 0usize, false, 0usize);
    for (i, &b) in body.iter().enumerate() {
        match b {
            b'0'..=b'9' => digits = true,
            b'.' => (dots, last) = (dots + 1, i),
            b',' => (commas, last) = (commas + 1, i),
            _ => return Parsed::Bad,
        }
    }
    if !digits {
        return Parsed::Bad;
    }
    // The text before and after the last mark.
    let (int, frac) = match (body.get(..last), body.get(last + 1..)) {
        (Some(int), Some(frac)) => (int, frac),
        _ => (body, &body[..0]),
    };
    let forced = mark.byte();
    match (dots, commas) {
        (0, 0) => whole(neg, body),
        (d, c) if d > 0 && c > 0 => {
            let (dec, group, decs) = match body.get(last) {
                Some(b'.') => (b'.', b',', dots),
                _ => (b',', b'.', commas),
            };
            if decs != 1 || forced.is_some_and(|f| f != dec) || !grouped(int, group) {
                return Parsed::Bad;
            }
            with_frac(neg, int, frac)
        }
        _ => {
            let ch = if dots > 0 { b'.' } else { b',' };
            if dots + commas > 1 || forced.is_some_and(|f| f != ch) {
                if forced == Some(ch) || !grouped(body, ch) {
                    return Parsed::Bad;
                }
                return whole(neg, body);
            }
            let as_decimal = with_frac(neg, int, frac);
            if forced.is_some() || ch == b'.' {
                return as_decimal;
            }
            match (as_decimal, grouped(body, ch)) {
                (Parsed::Num(decimal), true) => match whole(neg, body) {
                    Parsed::Num(grouped) => Parsed::Ambiguous { grouped, decimal },
                    _ => as_decimal,
                },
                _ => as_decimal,
            }
        }
    }
}

/// The whole number written by the digits of `int` (marks that group thousands skipped).
fn whole(neg: bool, int: &[u8]) -> Parsed {
    decimal(neg, int, &[])
}

/// `int.frac`, where a mark was written: `frac` must have digits (`5.` is not a number).
fn with_frac(neg: bool, int: &[u8], frac: &[u8]) -> Parsed {
    if frac.is_empty() {
        return Parsed::Bad;
    }
    decimal(neg, int, frac)
}

/// Most digits read into a `u64` mantissa: any 19 digits fit.
const FAST_DIGITS: usize = 19;

/// `int.frac` as a decimal with the scale `frac.len()` (`85.50` keeps its two places);
/// `int` may be empty (`.5`) and holds only digits and thousands marks, `frac` only digits.
/// Up to [`FAST_DIGITS`] digits, the mantissa is built in place; longer numbers are read
/// by [`long_decimal`], which refuses what a `Decimal` cannot hold exactly.
fn decimal(neg: bool, int: &[u8], frac: &[u8]) -> Parsed {
    if int.is_empty() && frac.is_empty() {
        return Parsed::Bad;
    }
    let mut mantissa: u64 = 0;
    let mut n = 0;
    for &b in int.iter().chain(frac) {
        if b.is_ascii_digit() {
            if n == FAST_DIGITS {
                return long_decimal(neg, int, frac);
            }
            mantissa = mantissa * 10 + u64::from(b - b'0');
            n += 1;
        }
    }
    let Some(n) = u32::try_from(frac.len())
        .ok()
        .and_then(|scale| Decimal::try_from_i128_with_scale(i128::from(mantissa), scale).ok())
    else {
        // More than 28 decimals: zeros at the end, or too precise.
        return long_decimal(neg, int, frac);
    };
    Parsed::Num(if neg && !n.is_zero() { -n } else { n })
}

/// [`decimal`] for more than [`FAST_DIGITS`] digits: exactly ([`crate::exact`]), or
/// [`Parsed::TooPrecise`] when the value cannot be held (never rounded).
#[cold]
fn long_decimal(neg: bool, int: &[u8], frac: &[u8]) -> Parsed {
    let digits: Vec<u8> = int
        .iter()
        .chain(frac)
        .copied()
        .filter(u8::is_ascii_digit)
        .collect();
    let Ok(scale) = i64::try_from(frac.len()) else {
        return Parsed::TooPrecise;
    };
    match exact::from_digits(neg, &digits, scale) {
        Some(n) if n.is_zero() => Parsed::Num(n.abs()),
        Some(n) => Parsed::Num(n),
        None => Parsed::TooPrecise,
    }
}

/// Whether `s` is a whole number grouped by `sep` in threes (`1.234.567`).
fn grouped(s: &[u8], sep: u8) -> bool {
    let mut parts = s.split(|&b| b == sep);
    let digits = |p: &[u8]| p.iter().all(u8::is_ascii_digit);
    let Some(first) = parts.next() else {
        return false;
    };
    if first.is_empty() || first.len() > 3 || first.starts_with(b"0") || !digits(first) {
        return false;
    }
    let mut groups = 0;
    for p in parts {
        if p.len() != 3 || !digits(p) {
            return false;
        }
        groups += 1;
    }
    groups > 0
}

/// A number with more digits than can be held exactly: refused rather than rounded into a
/// verdict (`59.9999999999999999999999999999` is not 60).
fn too_precise() -> CellError {
    err(
        "too-precise",
        "a number with at most 28 significant digits and 28 decimal places (zeros at the end do not count): ntm does not round a value into a verdict",
    )
}

fn not_a_bool() -> CellError {
    err(
        "not-a-bool",
        "yes or no: `đạt`/`không đạt`, `có`/`không`, `yes`/`no`, `true`/`false`, `1`/`0`, `x`",
    )
}

/// The folded yes/no words.
fn yes_no_word(folded: &[u8]) -> Result<bool, CellError> {
    match folded {
        b"dat" | b"co" | b"yes" | b"y" | b"true" | b"1" | b"x" => Ok(true),
        b"khong dat" | b"chua dat" | b"khong" | b"no" | b"n" | b"false" | b"0" => Ok(false),
        _ => Err(not_a_bool()),
    }
}

/// Yes/no words, compared case- and diacritic-insensitively.
fn yes_no(cell: &str) -> Result<bool, CellError> {
    yes_no_word(fold(cell).as_bytes())
}

/// `bytes` as a little-endian word, and the bits that tell its letters' cases apart.
const fn pattern<const N: usize>(bytes: [u8; N], case: [u8; N]) -> (u64, u64) {
    let (mut word, mut mask) = ([0u8; 8], [0u8; 8]);
    let mut i = 0;
    while i < N && i < 8 {
        word[i] = bytes[i];
        mask[i] = case[i];
        i += 1;
    }
    (u64::from_le_bytes(word), u64::from_le_bytes(mask))
}

/// Whether `word` is `pattern` in any case: a letter and its capital differ in one bit
/// (`0x20` in ASCII and in `ó Ó`, `ô Ô`; `0x01` in `đ Đ`, `ạ Ạ`), set in the pattern, so
/// setting it in `word` admits both and nothing else.
#[inline]
fn is(word: u64, (pattern, case): (u64, u64)) -> bool {
    word | case == pattern
}

/// `không`, 6 bytes.
const KHONG: (u64, u64) = pattern(*b"kh\xC3\xB4ng", [0x20, 0x20, 0, 0x20, 0x20, 0x20]);
/// `có`, 3 bytes.
const CO: (u64, u64) = pattern(*b"c\xC3\xB3", [0x20, 0, 0x20]);
/// `đạt`, 6 bytes.
const DAT: (u64, u64) = pattern(*b"\xC4\x91\xE1\xBA\xA1t", [0, 1, 0, 0, 1, 0x20]);
/// `không đạt` is 13 bytes: its first 8 and its last 8.
const KHONG_: (u64, u64) = pattern(
    *b"kh\xC3\xB4ng \xC4",
    [0x20, 0x20, 0, 0x20, 0x20, 0x20, 0, 0],
);
const _DAT: (u64, u64) = pattern(*b"g \xC4\x91\xE1\xBA\xA1t", [0x20, 0, 0, 1, 0, 0, 1, 0x20]);

/// A spelling [`yes_no_at`] reads: the cell's first 8 bytes, kept to its length, are
/// `pattern` in any case (see [`is`]), and its bytes 5 to 12 are `tail` in any case (a
/// spelling of 13 bytes; any other has a `tail` every word matches); `read` indexes what
/// it reads as. 64 bytes, so that its place in [`SPELLINGS`] is a shift of its index.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Spelling {
    keep: u64,
    case: u64,
    pattern: u64,
    tail_case: u64,
    tail: u64,
    read: usize,
}

impl Spelling {
    /// Matches no cell.
    const NEVER: Spelling = Spelling {
        keep: 0,
        case: 0,
        pattern: 1,
        tail_case: u64::MAX,
        tail: u64::MAX,
        read: 0,
    };

    const fn new(len: usize, (pattern, case): (u64, u64), read: usize) -> Self {
        Spelling {
            keep: LOW_BYTES[if len < 8 { len } else { 8 }],
            case,
            pattern,
            tail_case: u64::MAX,
            tail: u64::MAX,
            read,
        }
    }

    /// A spelling of 13 bytes: its first 8 are `head`, its last 8 `tail`.
    const fn long((pattern, case): (u64, u64), (tail, tail_case): (u64, u64), read: usize) -> Self {
        Spelling {
            keep: u64::MAX,
            case,
            pattern,
            tail_case,
            tail,
            read,
        }
    }
}

/// The spellings of [`yes_no_at`], at `len * 4 + sub` for a cell of `len` bytes (14 for
/// any longer) whose first byte has `sub` (bit 0, and bit 6 as bit 1): where the first
/// bytes of the spellings of one length differ (`0`, `1`, `x`; `đạt`, `không`), each is at
/// its own place, and a cell is compared with the one spelling it could be.
const SPELLINGS: [Spelling; 64] = {
    let mut t = [Spelling::NEVER; 64];
    let empty = Spelling::new(0, (0, 0), 1);
    (t[0], t[1], t[2], t[3]) = (empty, empty, empty, empty);
    // `0` is 0x30 (sub 0), `1` is 0x31 (sub 1), `x` and `X` are 0x78 and 0x58 (sub 2).
    t[4] = Spelling::new(1, pattern(*b"0", [0]), 3);
    t[4 + 1] = Spelling::new(1, pattern(*b"1", [0]), 2);
    t[4 + 2] = Spelling::new(1, pattern(*b"x", [0x20]), 2);
    // `c`, `k` (sub 3); `đ` is 0xC4 0x91 (sub 2).
    t[3 * 4 + 3] = Spelling::new(3, CO, 2);
    t[6 * 4 + 2] = Spelling::new(6, DAT, 2);
    t[6 * 4 + 3] = Spelling::new(6, KHONG, 3);
    // Its first 8 bytes and its last 8.
    t[13 * 4 + 3] = Spelling::long(KHONG_, _DAT, 3);
    t
};

/// A yes/no cell as the row reader finds it: `record[start..end]`, a field of a record
/// whose bytes go on after it. `Some` for the empty cell (`Some(None)`: no data) and for the
/// spellings of `common_yes_no` written exactly (`Đạt`, `Không đạt`, `Không`, `Có`
/// precomposed, in any case, `x`, `1`, `0`; nothing around them), with what
/// [`coerce_bytes`] reads them as; `None` for any other cell, and for a cell within 13 bytes
/// of the record's end: [`coerce_bytes`] reads those.
///
/// Decided from two 8-byte words at the cell's start (bytes of the next fields included)
/// and its length, without a branch on the text (issue #14): whether a cell of a yes/no
/// column is empty, `Đạt` or `Không đạt` follows no pattern a processor can predict, and
/// each branch it guessed wrong cost more than reading the cell. The one spelling the cell
/// could be is looked up by its length and first byte (`SPELLINGS`), then compared.
#[inline(always)]
pub fn yes_no_at(record: &[u8], start: usize, end: usize) -> Option<Option<Value>> {
    match yes_no_code(record, start, end) {
        1 => Some(None),
        2 => Some(Some(Value::Bool(true))),
        3 => Some(Some(Value::Bool(false))),
        _ => None,
    }
}

/// [`yes_no_at`] as a number: 0 for `None` (the general rule reads the cell), 1 for the
/// empty cell, 2 for yes, 3 for no; [`YES_NO`] holds the value of each. The row reader
/// writes `YES_NO[code]` without a branch on what the cell read as (issue #14).
#[inline(always)]
pub fn yes_no_code(record: &[u8], start: usize, end: usize) -> usize {
    // The 13 bytes at the cell's start, with one bounds check (issue #14: a check for each
    // of the two words was a fifth of the pass): its first 8 and its last 8.
    let (Some(len), Some(window)) = (
        end.checked_sub(start),
        record
            .get(start..start.wrapping_add(13))
            .and_then(|w| <&[u8; 13]>::try_from(w).ok()),
    ) else {
        return 0;
    };
    let (Some(head), Some(tail)) = (window.first_chunk::<8>(), window.last_chunk::<8>()) else {
        return 0;
    };
    let (head, tail) = (u64::from_le_bytes(*head), u64::from_le_bytes(*tail));
    // A cell that ends past the record is longer than 13 bytes (its tail word is within
    // the record), so its spelling is `NEVER`.
    let sub = ((head & 1) | ((head >> 5) & 2)) as usize;
    let Some(spelling) = SPELLINGS.get(((len.min(14) << 2) | sub) & 63) else {
        return 0;
    };
    let hit = is(head & spelling.keep, (spelling.pattern, spelling.case))
        & is(tail, (spelling.tail, spelling.tail_case));
    usize::from(hit) * spelling.read
}

/// What a yes/no cell reads as, by its [`yes_no_code`] (`None` for 0 and for the empty cell).
pub const YES_NO: [Option<Value>; 4] = [
    None,
    None,
    Some(Value::Bool(true)),
    Some(Value::Bool(false)),
];

/// The yes/no spellings of most files, precomposed (NFC) as keyboards and spreadsheets
/// write them, in any case, one space between words: `Đạt`, `Không đạt`, `Không`, `Có`,
/// `x`, `1`, `0`. Matched in a few word comparisons, without folding; `None` for anything
/// else.
#[inline]
fn common_yes_no(cell: &[u8]) -> Option<bool> {
    match *cell {
        [b'x' | b'X' | b'1'] => Some(true),
        [b'0'] => Some(false),
        [a, b, c] => is(u64::from_le_bytes([a, b, c, 0, 0, 0, 0, 0]), CO).then_some(true),
        [a, b, c, d, e, f] => {
            let word = u64::from_le_bytes([a, b, c, d, e, f, 0, 0]);
            if is(word, DAT) {
                Some(true)
            } else {
                is(word, KHONG).then_some(false)
            }
        }
        [_, _, _, _, _, _, _, _, _, _, _, _, _] => {
            let head = u64::from_le_bytes(*cell.first_chunk()?);
            let tail = u64::from_le_bytes(*cell.last_chunk()?);
            (is(head, KHONG_) && is(tail, _DAT)).then_some(false)
        }
        _ => None,
    }
}

/// [`yes_no`] without allocating, for a trimmed cell in ASCII or with the precomposed
/// letters of the Vietnamese words (`Đ đ`, `Ạ ạ`, `Ó ó`, `Ô ô`, `Ư ư`): what [`fold`] would
/// make of it, built in a small buffer. `None` for any other character (another accent, a
/// combining mark, a Unicode space) or a text too long to be a yes/no word: [`yes_no`]
/// decides those.
fn yes_no_bytes(cell: &[u8]) -> Option<Result<bool, CellError>> {
    let mut folded = [0u8; 9];
    let mut len = 0;
    let mut space = false;
    let mut i = 0;
    while let Some(&b) = cell.get(i) {
        let next = cell.get(i + 1).copied();
        let (letter, width) = match b {
            _ if is_space(b) => {
                space = len > 0;
                i += 1;
                continue;
            }
            0..=0x7F => (b.to_ascii_lowercase(), 1),
            // Đ đ
            0xC4 if matches!(next, Some(0x90 | 0x91)) => (b'd', 2),
            // Ó ó Ô ô
            0xC3 if matches!(next, Some(0x93 | 0xB3 | 0x94 | 0xB4)) => (b'o', 2),
            // Ư ư
            0xC6 if matches!(next, Some(0xAF | 0xB0)) => (b'u', 2),
            // Ạ ạ
            0xE1 if next == Some(0xBA) && matches!(cell.get(i + 2), Some(0xA0 | 0xA1)) => (b'a', 3),
            _ => return None,
        };
        if space {
            *folded.get_mut(len)? = b' ';
            len += 1;
            space = false;
        }
        *folded.get_mut(len)? = letter;
        len += 1;
        i += width;
    }
    Some(yes_no_word(folded.get(..len)?))
}

#[cfg(test)]
mod tests;
