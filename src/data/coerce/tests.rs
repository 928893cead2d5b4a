//! Cell coercion: every kind, the number rule of docs/data.md, fractions of percentages.

use std::str::FromStr;

use super::*;
use proptest::prelude::*;

const AUTO: NumberRules = NumberRules {
    decimal: DecimalMark::Auto,
    fraction_percent: false,
};
const COMMA: NumberRules = NumberRules {
    decimal: DecimalMark::Comma,
    fraction_percent: false,
};
const POINT: NumberRules = NumberRules {
    decimal: DecimalMark::Point,
    fraction_percent: false,
};
const FRACTION: NumberRules = NumberRules {
    decimal: DecimalMark::Auto,
    fraction_percent: true,
};

fn num(s: &str) -> Option<Value> {
    Decimal::from_str(s).ok().map(Value::Num)
}

fn code(cell: &str, kind: MeasureKind, rules: NumberRules) -> &'static str {
    match coerce(cell, kind, rules) {
        Ok(v) => panic!("`{cell}` was read as {v:?}"),
        Err(e) => e.code,
    }
}

#[test]
fn decimal_point_and_decimal_comma() {
    assert_eq!(coerce("61.2", MeasureKind::Number, AUTO), Ok(num("61.2")));
    assert_eq!(coerce("61,2", MeasureKind::Number, AUTO), Ok(num("61.2")));
    assert_eq!(coerce(" 45 ", MeasureKind::Number, AUTO), Ok(num("45")));
    assert_eq!(coerce("0,125", MeasureKind::Number, AUTO), Ok(num("0.125")));
    assert_eq!(coerce(".5", MeasureKind::Number, AUTO), Ok(num("0.5")));
    assert_eq!(coerce("61,25", MeasureKind::Number, AUTO), Ok(num("61.25")));
    assert_eq!(
        coerce("1234,5678", MeasureKind::Number, AUTO),
        Ok(num("1234.5678"))
    );
}

#[test]
fn both_marks_the_last_is_the_decimal_mark() {
    assert_eq!(
        coerce("1.234,5", MeasureKind::Number, AUTO),
        Ok(num("1234.5"))
    );
    assert_eq!(
        coerce("1,234.5", MeasureKind::Number, AUTO),
        Ok(num("1234.5"))
    );
    assert_eq!(
        coerce("12.345.678,9", MeasureKind::Number, AUTO),
        Ok(num("12345678.9"))
    );
    // The grouping mark must group by three, and the decimal mark appear once.
    for bad in [
        "1.23,5",
        "1,2345.6",
        "1.234,5,6",
        "1,234.5.6",
        ".234,5",
        "1.234,",
    ] {
        assert_eq!(
            code(bad, MeasureKind::Number, AUTO),
            "not-a-number",
            "{bad}"
        );
    }
}

#[test]
fn a_repeated_mark_groups_thousands() {
    assert_eq!(
        coerce("1.234.567", MeasureKind::Number, AUTO),
        Ok(num("1234567"))
    );
    assert_eq!(
        coerce("1,234,567", MeasureKind::Number, AUTO),
        Ok(num("1234567"))
    );
    assert_eq!(code("1,234,5", MeasureKind::Number, AUTO), "not-a-number");
    assert_eq!(
        code("01.234.567", MeasureKind::Number, AUTO),
        "not-a-number"
    );
}

#[test]
fn a_lone_mark_before_three_digits_is_ambiguous() {
    for cell in ["1,234", "12,345", "999,000", "-1,234"] {
        let e = coerce(cell, MeasureKind::Number, AUTO).unwrap_err();
        assert_eq!(e.code, "ambiguous-number", "{cell}");
        assert!(e.expected.contains("--decimal-comma"), "{}", e.expected);
    }
    assert!(
        coerce("1,234", MeasureKind::Number, AUTO)
            .unwrap_err()
            .expected
            .contains("1234 with a thousands separator or 1.234 with a decimal mark")
    );
    assert_eq!(code("1,000", MeasureKind::Count, AUTO), "ambiguous-number");
    // A lone point is the decimal point.
    assert_eq!(coerce("1.234", MeasureKind::Number, AUTO), Ok(num("1.234")));
    assert_eq!(coerce("1.000", MeasureKind::Count, AUTO), Ok(num("1")));
    // Not ambiguous: a leading 0, four digits before, or not three after.
    assert_eq!(coerce("0,234", MeasureKind::Number, AUTO), Ok(num("0.234")));
    assert_eq!(
        coerce("1234,567", MeasureKind::Number, AUTO),
        Ok(num("1234.567"))
    );
    assert_eq!(
        coerce("1,2345", MeasureKind::Number, AUTO),
        Ok(num("1.2345"))
    );
}

#[test]
fn a_percentage_is_never_a_thousand() {
    assert_eq!(
        coerce("79,995", MeasureKind::Percent, AUTO),
        Ok(num("79.995"))
    );
    assert_eq!(
        coerce("79.995", MeasureKind::Percent, AUTO),
        Ok(num("79.995"))
    );
}

#[test]
fn decimal_comma_forces_comma_and_point_grouping() {
    assert_eq!(
        coerce("1,234", MeasureKind::Number, COMMA),
        Ok(num("1.234"))
    );
    assert_eq!(coerce("1.234", MeasureKind::Number, COMMA), Ok(num("1234")));
    assert_eq!(
        coerce("1.234,5", MeasureKind::Number, COMMA),
        Ok(num("1234.5"))
    );
    assert_eq!(coerce("61,2", MeasureKind::Number, COMMA), Ok(num("61.2")));
    for bad in ["61.2", "1,234.5", "1,234,567"] {
        assert_eq!(
            code(bad, MeasureKind::Number, COMMA),
            "not-a-number",
            "{bad}"
        );
    }
    let e = coerce("61.2", MeasureKind::Number, COMMA).unwrap_err();
    assert!(e.expected.contains("--decimal-comma"), "{}", e.expected);
}

#[test]
fn decimal_point_forces_point_and_comma_grouping() {
    assert_eq!(coerce("1,234", MeasureKind::Number, POINT), Ok(num("1234")));
    assert_eq!(
        coerce("1.234", MeasureKind::Number, POINT),
        Ok(num("1.234"))
    );
    assert_eq!(
        coerce("1,234.5", MeasureKind::Number, POINT),
        Ok(num("1234.5"))
    );
    for bad in ["61,2", "1.234,5", "1.234.567"] {
        assert_eq!(
            code(bad, MeasureKind::Number, POINT),
            "not-a-number",
            "{bad}"
        );
    }
}

#[test]
fn percent_sign_and_range() {
    assert_eq!(coerce("85%", MeasureKind::Percent, AUTO), Ok(num("85")));
    assert_eq!(
        coerce("79,995 %", MeasureKind::Percent, AUTO),
        Ok(num("79.995"))
    );
    assert_eq!(code("130", MeasureKind::Percent, AUTO), "out-of-range");
    assert_eq!(code("-1", MeasureKind::Percent, AUTO), "out-of-range");
    assert_eq!(code("85%", MeasureKind::Number, AUTO), "not-a-number");
}

#[test]
fn fraction_percent_scales_fractions_not_percentages() {
    assert_eq!(
        coerce("0.85", MeasureKind::Percent, FRACTION),
        Ok(num("85"))
    );
    assert_eq!(
        coerce("0,855", MeasureKind::Percent, FRACTION),
        Ok(num("85.5"))
    );
    assert_eq!(coerce("1", MeasureKind::Percent, FRACTION), Ok(num("100")));
    assert_eq!(coerce("0", MeasureKind::Percent, FRACTION), Ok(num("0")));
    // A `%` sign says percentage whatever the flag.
    assert_eq!(coerce("85%", MeasureKind::Percent, FRACTION), Ok(num("85")));
    let e = coerce("85", MeasureKind::Percent, FRACTION).unwrap_err();
    assert_eq!(e.code, "out-of-range");
    assert!(e.expected.contains("--fraction-percent"), "{}", e.expected);
    // Other kinds are not scaled.
    assert_eq!(
        coerce("0.85", MeasureKind::Number, FRACTION),
        Ok(num("0.85"))
    );
}

#[test]
fn numbers_and_counts_are_not_negative() {
    assert_eq!(code("-5", MeasureKind::Number, AUTO), "out-of-range");
    assert_eq!(coerce("-0", MeasureKind::Number, AUTO), Ok(num("0")));
    assert_eq!(coerce("+5", MeasureKind::Number, AUTO), Ok(num("5")));
}

#[test]
fn counts_are_whole_and_not_negative() {
    assert_eq!(coerce("3", MeasureKind::Count, AUTO), Ok(num("3")));
    assert_eq!(code("2.5", MeasureKind::Count, AUTO), "out-of-range");
    assert_eq!(code("-1", MeasureKind::Count, AUTO), "out-of-range");
}

#[test]
fn vietnamese_and_english_yes_no() {
    for yes in ["Đạt", "đạt", "ĐẠT", "có", "yes", "TRUE", "1", "x", "X"] {
        assert_eq!(
            coerce(yes, MeasureKind::Bool, AUTO),
            Ok(Some(Value::Bool(true))),
            "{yes}"
        );
    }
    for no in ["Không đạt", "không", "Chưa đạt", "no", "false", "0"] {
        assert_eq!(
            coerce(no, MeasureKind::Bool, AUTO),
            Ok(Some(Value::Bool(false))),
            "{no}"
        );
    }
    assert_eq!(code("maybe", MeasureKind::Bool, AUTO), "not-a-bool");
}

#[test]
fn empty_is_no_data_for_every_kind() {
    for kind in [
        MeasureKind::Number,
        MeasureKind::Percent,
        MeasureKind::Bool,
        MeasureKind::Count,
    ] {
        assert_eq!(coerce("  ", kind, AUTO), Ok(None));
    }
}

#[test]
fn garbage_is_not_a_number() {
    for bad in [
        "abc", "1e5", "--1", ".", ",", "1 000", "12a", "5.", "+", "-", "1..2",
    ] {
        assert_eq!(
            code(bad, MeasureKind::Number, AUTO),
            "not-a-number",
            "{bad}"
        );
    }
}

proptest! {
    #[test]
    fn never_panics(cell in ".*", comma in any::<bool>(), fraction in any::<bool>()) {
        let rules = NumberRules {
            decimal: if comma { DecimalMark::Comma } else { DecimalMark::Auto },
            fraction_percent: fraction,
        };
        for kind in [MeasureKind::Number, MeasureKind::Percent, MeasureKind::Bool, MeasureKind::Count] {
            let _ = coerce(&cell, kind, rules);
        }
    }

    #[test]
    fn decimals_round_trip_with_either_mark(int in 0u32..1_000_000, frac in 0u32..100) {
        let dot = format!("{int}.{frac:02}");
        let comma = format!("{int},{frac:02}");
        let want = Decimal::from_str(&dot).ok().map(Value::Num);
        prop_assert_eq!(coerce(&dot, MeasureKind::Number, AUTO), Ok(want));
        prop_assert_eq!(coerce(&comma, MeasureKind::Number, AUTO), Ok(want));
    }

    #[test]
    fn grouped_numbers_read_the_same_in_both_conventions(n in 1000u64..1_000_000_000, frac in 0u32..10) {
        let digits = n.to_string();
        let mut groups = Vec::new();
        let mut end = digits.len();
        while end > 3 {
            groups.push(&digits[end - 3..end]);
            end -= 3;
        }
        groups.push(&digits[..end]);
        groups.reverse();
        let vi = format!("{},{frac}", groups.join("."));
        let en = format!("{}.{frac}", groups.join(","));
        let want = Decimal::from_str(&format!("{n}.{frac}")).ok().map(Value::Num);
        prop_assert_eq!(coerce(&vi, MeasureKind::Number, AUTO), Ok(want));
        prop_assert_eq!(coerce(&en, MeasureKind::Number, AUTO), Ok(want));
        prop_assert_eq!(coerce(&vi, MeasureKind::Number, COMMA), Ok(want));
        prop_assert_eq!(coerce(&en, MeasureKind::Number, POINT), Ok(want));
    }
}

/// The implementation before `coerce_bytes`, kept as it was (the `str` reading with
/// `format!`), but for one change: numbers are built by `crate::exact`, which refuses what
/// `Decimal::from_str` used to round (`too-precise`). The byte reader must agree with it on
/// every cell.
mod reference {
    use rust_decimal::Decimal;

    use super::super::{CellError, DecimalMark, NumberRules, Value, err, too_precise};
    use crate::ruleset::model::MeasureKind;
    use crate::text::fold;

    fn mark_char(mark: DecimalMark) -> Option<char> {
        match mark {
            DecimalMark::Auto => None,
            DecimalMark::Comma => Some(','),
            DecimalMark::Point => Some('.'),
        }
    }

    /// Read `cell` as `kind`. `Ok(None)` for an empty (whitespace-only) cell.
    pub(super) fn coerce(
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
            return crate::exact::times_100(n).ok_or_else(too_precise);
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
        /// More digits than a `Decimal` holds exactly.
        TooPrecise,
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
        let forced = mark_char(mark);
        let num = |int: &str, frac: &str| decimal(neg, int, frac);
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
    fn decimal(neg: bool, int: &str, frac: &str) -> Parsed {
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || !digits(frac) || (int.is_empty() && frac.is_empty()) {
            return Parsed::Bad;
        }
        let int = if int.is_empty() { "0" } else { int };
        let n = if frac.is_empty() {
            crate::exact::parse(int)
        } else {
            crate::exact::parse(&format!("{int}.{frac}"))
        };
        match n {
            Some(n) => Parsed::Num(if neg && !n.is_zero() { -n } else { n }),
            None => Parsed::TooPrecise,
        }
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
}

#[test]
fn scale_is_kept_as_written() {
    let scale = |cell: &str, kind, rules| match coerce_bytes(cell.as_bytes(), kind, rules) {
        Ok(Some(Value::Num(n))) => (n.to_string(), n.scale()),
        other => panic!("`{cell}` was read as {other:?}"),
    };
    assert_eq!(
        scale("85.50", MeasureKind::Number, AUTO),
        ("85.50".into(), 2)
    );
    assert_eq!(
        scale("0085,50", MeasureKind::Number, AUTO),
        ("85.50".into(), 2)
    );
    assert_eq!(
        scale(".050", MeasureKind::Percent, AUTO),
        ("0.050".into(), 3)
    );
    assert_eq!(
        scale("1.234,500", MeasureKind::Number, AUTO),
        ("1234.500".into(), 3)
    );
    // Counts and fractions of percentages are normalized.
    assert_eq!(scale("3.00", MeasureKind::Count, AUTO), ("3".into(), 0));
    assert_eq!(
        scale("0.850", MeasureKind::Percent, FRACTION),
        ("85".into(), 0)
    );
    // `-0` is 0, not a negative zero.
    let zero = coerce_bytes(b"-0.0", MeasureKind::Number, AUTO);
    assert_eq!(zero, Ok(num("0.0")));
    if let Ok(Some(Value::Num(n))) = zero {
        assert!(!n.is_sign_negative());
    }
}

#[test]
fn numbers_longer_than_the_fast_path_read_as_before() {
    // 19 digits are built in place, 20 and more go through `crate::exact`.
    for cell in [
        "9999999999999999999",
        "99999999999999999999",
        "1234567890.123456789",
        "1234567890.1234567890",
        "0.00000000000000000000000000001",
        "79228162514264337593543950336",
        "1.234.567.890.123.456.789.012",
    ] {
        assert_eq!(
            coerce_bytes(cell.as_bytes(), MeasureKind::Number, AUTO),
            reference::coerce(cell, MeasureKind::Number, AUTO),
            "{cell}"
        );
    }
    assert_eq!(
        coerce("99999999999999999999", MeasureKind::Number, AUTO),
        Ok(num("99999999999999999999"))
    );
}

/// Trust issue, precision: `59.9999999999999999999999999999` (30 significant digits) was
/// rounded to 60 by `Decimal::from_str` and passed `>= 60`.
#[test]
fn numbers_past_the_decimal_limit_are_too_precise_not_rounded() {
    let rules = [AUTO, COMMA, POINT, FRACTION];
    for (cell, kind) in [
        ("59.9999999999999999999999999999", MeasureKind::Number),
        ("59.9999999999999999999999999999", MeasureKind::Percent),
        ("59.9999999999999999999999999999%", MeasureKind::Percent),
        ("0.00000000000000000000000000001", MeasureKind::Number),
        ("79228162514264337593543950336", MeasureKind::Number),
        ("99.99999999999999999999999999999", MeasureKind::Percent),
    ] {
        for r in rules {
            let cell = if r.decimal == DecimalMark::Comma {
                cell.replace('.', ",")
            } else {
                cell.to_string()
            };
            if r.fraction_percent && kind == MeasureKind::Percent && !cell.ends_with('%') {
                continue;
            }
            assert_eq!(code(&cell, kind, r), "too-precise", "{cell} {r:?}");
            assert_eq!(
                coerce_bytes(cell.as_bytes(), kind, r).map_err(|e| e.code),
                Err("too-precise"),
                "{cell} {r:?}"
            );
        }
    }
    // With --decimal-comma and thousands points.
    assert_eq!(
        code(
            "1.000,99999999999999999999999999999",
            MeasureKind::Number,
            COMMA
        ),
        "too-precise"
    );
    // A fraction with 29 digits scaled by 100 keeps every digit, or is refused: never
    // rounded. 28 decimals fit, and so does their ×100.
    assert_eq!(
        coerce(
            "0.5999999999999999999999999999",
            MeasureKind::Percent,
            FRACTION
        ),
        Ok(num("59.99999999999999999999999999"))
    );
    assert_eq!(
        code(
            "0.59999999999999999999999999999",
            MeasureKind::Percent,
            FRACTION
        ),
        "too-precise"
    );
    // Zeros at the end are exact: the value is held without them.
    assert_eq!(
        coerce(
            "60.000000000000000000000000000000",
            MeasureKind::Number,
            AUTO
        ),
        Ok(num("60"))
    );
    assert_eq!(
        coerce(
            "60,000000000000000000000000000000",
            MeasureKind::Number,
            COMMA
        ),
        Ok(num("60"))
    );
    assert_eq!(
        coerce(
            "0.600000000000000000000000000000000",
            MeasureKind::Percent,
            FRACTION
        ),
        Ok(num("60"))
    );
    // At the limit: 28 decimals are held as written.
    assert_eq!(
        coerce("59.9999999999999999999999999", MeasureKind::Number, AUTO),
        Ok(num("59.9999999999999999999999999"))
    );
}

#[test]
fn whitespace_is_what_str_trim_calls_whitespace() {
    // The vertical tab is trimmed (`u8::is_ascii_whitespace` would keep it).
    assert_eq!(
        coerce("\u{b}45\u{c}", MeasureKind::Number, AUTO),
        Ok(num("45"))
    );
    assert_eq!(
        coerce("\r\n x \t", MeasureKind::Bool, AUTO),
        Ok(Some(Value::Bool(true)))
    );
    // Unicode spaces take the `str` path.
    assert_eq!(
        coerce("\u{a0}85\u{a0}%\u{3000}", MeasureKind::Percent, AUTO),
        Ok(num("85"))
    );
    assert_eq!(
        coerce("\u{a0}\u{3000}", MeasureKind::Number, AUTO),
        Ok(None)
    );
    assert_eq!(coerce("\u{a0}", MeasureKind::Bool, AUTO), Ok(None));
    assert_eq!(
        coerce("Không\u{a0}đạt", MeasureKind::Bool, AUTO),
        Ok(Some(Value::Bool(false)))
    );
    // Not whitespace for `str::trim` either.
    assert_eq!(code("\u{1c}5", MeasureKind::Number, AUTO), "not-a-number");
}

#[test]
fn yes_no_in_any_case_spacing_and_normal_form() {
    let read = |cell: &str| coerce(cell, MeasureKind::Bool, AUTO);
    for yes in [
        "Đạt", "đạt", "ĐẠT", "đẠt", "DAT", "Có", "CÓ", "co", "Y", "True", "1",
    ] {
        assert_eq!(read(yes), Ok(Some(Value::Bool(true))), "{yes}");
    }
    for no in [
        "Không đạt",
        "KHÔNG   ĐẠT",
        "không\tđạt",
        "Chưa đạt",
        "CHƯA ĐẠT",
        "khong dat",
        "Không",
        "N",
        "FALSE",
    ] {
        assert_eq!(read(no), Ok(Some(Value::Bool(false))), "{no}");
    }
    // Decomposed (NFD) letters and other accents are folded.
    assert_eq!(read("D\u{323}a\u{323}t"), Ok(Some(Value::Bool(true))));
    assert_eq!(read("đa\u{323}t"), Ok(Some(Value::Bool(true))));
    assert_eq!(read("co\u{301}"), Ok(Some(Value::Bool(true))));
    assert_eq!(read("dát"), Ok(Some(Value::Bool(true))));
    // Too long or not a word.
    for bad in [
        "không đạt đạt",
        "khôngđạt",
        "đạ",
        "xx",
        "ư",
        "yes no",
        "0 0",
    ] {
        assert_eq!(code(bad, MeasureKind::Bool, AUTO), "not-a-bool", "{bad}");
    }
}

#[test]
fn common_spellings_are_read_without_folding() {
    for (cell, yes) in [
        ("Đạt", true),
        ("đạt", true),
        ("ĐẠT", true),
        ("Có", true),
        ("có", true),
        ("x", true),
        ("X", true),
        ("1", true),
        ("Không đạt", false),
        ("không đạt", false),
        ("Không", false),
        ("không", false),
        ("0", false),
        ("ĐạT", true),
        ("cÓ", true),
        ("KHÔNG ĐẠT", false),
        ("kHÔNG", false),
    ] {
        assert_eq!(common_yes_no(cell.as_bytes()), Some(yes), "{cell}");
        assert_eq!(
            reference::coerce(cell, MeasureKind::Bool, AUTO),
            Ok(Some(Value::Bool(yes)))
        );
    }
    // Other spellings (the Icelandic `Ð`, two spaces, a tab) are left to the general rule.
    for other in [
        "Dat",
        "Không  đạt",
        "không\tđạt",
        "Ðạt",
        "yes",
        "chưa đạt",
        "khôngxđạt",
        "\u{11}",
    ] {
        assert_eq!(common_yes_no(other.as_bytes()), None, "{other}");
    }
    // Only the case bit may differ: a byte that differs elsewhere is another text.
    for other in [
        &b"c\xE3\xB3"[..],
        b"c\xC3\xB2",
        b"\xC4\x93\xE1\xBA\xA1t",
        b"\xC4\x91\xE1\xBA\xA1\x14",
        b"Kh\xC3\xB4ng \xC4\x91\xE1\xBA\xA1\xF4",
    ] {
        assert_eq!(common_yes_no(other), None, "{other:?}");
    }
}

#[test]
fn bytes_that_are_not_utf8_are_not_values() {
    for cell in [&b"\xff"[..], b"85\xff", b"\xc4", b"\xe1\xba", b" 1\x80 "] {
        for kind in [
            MeasureKind::Number,
            MeasureKind::Percent,
            MeasureKind::Count,
        ] {
            assert_eq!(
                coerce_bytes(cell, kind, AUTO).map_err(|e| e.code),
                Err("not-a-number"),
                "{cell:?}"
            );
        }
        assert_eq!(
            coerce_bytes(cell, MeasureKind::Bool, AUTO).map_err(|e| e.code),
            Err("not-a-bool"),
            "{cell:?}"
        );
    }
    assert_eq!(coerce_bytes(b" \t ", MeasureKind::Bool, AUTO), Ok(None));
}

const KINDS: [MeasureKind; 4] = [
    MeasureKind::Number,
    MeasureKind::Percent,
    MeasureKind::Bool,
    MeasureKind::Count,
];

/// `coerce_bytes` and `coerce` give what the reference gives for `cell` under every kind,
/// decimal mark and `--fraction-percent`: equal values with equal scale and sign, equal
/// errors.
fn agrees(cell: &str) -> Result<(), TestCaseError> {
    for kind in KINDS {
        for decimal in [DecimalMark::Auto, DecimalMark::Comma, DecimalMark::Point] {
            for fraction_percent in [false, true] {
                let rules = NumberRules {
                    decimal,
                    fraction_percent,
                };
                let want = reference::coerce(cell, kind, rules);
                let got = coerce_bytes(cell.as_bytes(), kind, rules);
                let case = format!("{cell:?} as {kind:?} with {rules:?}");
                match (&got, &want) {
                    (Ok(Some(Value::Num(g))), Ok(Some(Value::Num(w)))) => {
                        prop_assert_eq!(g, w, "{}", case);
                        prop_assert_eq!(g.scale(), w.scale(), "{}", case);
                        prop_assert_eq!(g.serialize(), w.serialize(), "{}", case);
                    }
                    _ => prop_assert_eq!(&got, &want, "{}", case),
                }
                prop_assert_eq!(&coerce(cell, kind, rules), &got, "{}", case);
                in_place_is_the_whole_rule(cell.as_bytes(), kind, rules)?;
            }
        }
    }
    Ok(())
}

/// The row reader's in-place path ([`coerce_common`]) reads `cell` as the whole rule
/// ([`coerce_rest`], which never takes that path) reads it, value and scale, or leaves it.
fn in_place_is_the_whole_rule(
    cell: &[u8],
    kind: MeasureKind,
    rules: NumberRules,
) -> Result<(), TestCaseError> {
    let Some(fast) = coerce_common(cell, kind, rules) else {
        return Ok(());
    };
    let whole = coerce_rest(cell, kind, rules);
    let case = format!("{cell:?} as {kind:?} with {rules:?}");
    match (&whole, fast) {
        (Ok(Some(Value::Num(w))), Value::Num(f)) => {
            prop_assert_eq!(*w, f, "{}", case);
            prop_assert_eq!(w.scale(), f.scale(), "{}", case);
            prop_assert_eq!(w.serialize(), f.serialize(), "{}", case);
        }
        _ => prop_assert_eq!(whole, Ok(Some(fast)), "{}", case),
    }
    Ok(())
}

/// The cells of real files take the in-place path: yes/no in the spellings of keyboards and
/// spreadsheets, plain numbers, a percentage with a decimal comma; anything else is left.
#[test]
fn common_cells_are_read_in_place() {
    let yes_no = [
        ("Đạt", true),
        ("Không đạt", false),
        ("KHÔNG ĐẠT", false),
        ("Không", false),
        ("Có", true),
        ("x", true),
        ("1", true),
        ("0", false),
        (" Đạt\r", true),
    ];
    for (cell, b) in yes_no {
        assert_eq!(
            coerce_common(cell.as_bytes(), MeasureKind::Bool, AUTO),
            Some(Value::Bool(b)),
            "{cell:?}"
        );
    }
    for (cell, kind, want) in [
        ("71,4", MeasureKind::Percent, "71.4"),
        ("100", MeasureKind::Percent, "100"),
        ("85.50%", MeasureKind::Percent, "85.50"),
        ("41", MeasureKind::Number, "41"),
        ("2", MeasureKind::Count, "2"),
        ("12,5", MeasureKind::Number, "12.5"),
    ] {
        assert_eq!(
            coerce_common(cell.as_bytes(), kind, AUTO),
            num(want),
            "{cell:?}"
        );
    }
    for (cell, kind) in [
        ("Dat", MeasureKind::Bool),
        ("Không  đạt", MeasureKind::Bool),
        ("", MeasureKind::Bool),
        ("  ", MeasureKind::Number),
        ("1,234", MeasureKind::Number),
        ("-5", MeasureKind::Number),
        ("130", MeasureKind::Percent),
        ("2.5", MeasureKind::Count),
        ("85 %", MeasureKind::Percent),
    ] {
        assert_eq!(coerce_common(cell.as_bytes(), kind, AUTO), None, "{cell:?}");
    }
}

/// Pieces of cells: digits, marks, signs, spaces (ASCII and Unicode), letters, and yes/no
/// words with and without accents, precomposed and decomposed.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "0",
        "1",
        "2",
        "5",
        "9",
        "00",
        "12",
        "123",
        "999",
        "1000",
        ".",
        ",",
        "+",
        "-",
        "%",
        " ",
        "  ",
        "\t",
        "\u{b}",
        "\u{c}",
        "\r\n",
        "\u{a0}",
        "\u{3000}",
        "\u{85}",
        "\u{1c}",
        "a",
        "e",
        "E",
        "x",
        "X",
        "y",
        "N",
        "t",
        "dat",
        "DAT",
        "co",
        "khong",
        "KHONG",
        "chua",
        "Đạt",
        "đạt",
        "ĐẠT",
        "Không",
        "không đạt",
        "Chưa",
        "chưa đạt",
        "có",
        "CÓ",
        "ô",
        "Ư",
        "ư",
        "ạ",
        "á",
        "yes",
        "No",
        "TRUE",
        "false",
        "D\u{323}",
        "a\u{323}",
        "o\u{302}",
        "\u{301}",
        "٣",
        "８",
        "ǅ",
        "ơ",
        "Ơ",
        "ẹ",
        "Ẹ",
        "ă",
        "â",
        "Ð",
        "o\u{31b}",
        "e\u{323}",
        "chơa",
        "đẹt",
        "đát",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn bytes_agree_with_the_reference_on_pieces(
        pieces in prop::collection::vec(piece(), 0..7)
    ) {
        agrees(&pieces.concat())?;
    }

    #[test]
    fn bytes_agree_with_the_reference_on_numbers(
        cell in "[ \t]?[+-]?[0-9]{0,5}([.,][0-9]{0,4}){0,4}[ ]?%?[ ]?"
    ) {
        agrees(&cell)?;
    }

    #[test]
    fn bytes_agree_with_the_reference_on_long_numbers(
        cell in "[+-]?0{0,3}[0-9]{12,32}([.,][0-9]{0,32})?%?"
    ) {
        agrees(&cell)?;
    }

    /// At the decimal type's limit (28–29 significant digits, 28 places), with either mark:
    /// a long number reads as exactly its written value, or is `too-precise`; never a
    /// neighbour.
    #[test]
    fn long_numbers_are_exact_or_too_precise(
        int in "[1-9][0-9]{0,30}",
        frac in "[0-9]{1,34}",
        comma: bool,
    ) {
        let (rules, mark) = if comma { (COMMA, ',') } else { (AUTO, '.') };
        let cell = format!("{int}{mark}{frac}");
        let written = format!("{int}.{frac}");
        let written = written.trim_end_matches('0').trim_end_matches('.');
        match coerce_bytes(cell.as_bytes(), MeasureKind::Number, rules) {
            Ok(Some(Value::Num(n))) => prop_assert_eq!(n.normalize().to_string(), written),
            Err(e) => {
                prop_assert_eq!(e.code, "too-precise", "{}", cell);
                let sig = written.replace('.', "");
                let places = written.split_once('.').map_or(0, |(_, f)| f.len());
                prop_assert!(sig.len() > 28 || places > 28, "{} refused", cell);
            }
            other => prop_assert!(false, "{} read as {:?}", cell, other),
        }
        prop_assert_eq!(
            coerce(&cell, MeasureKind::Number, rules),
            coerce_bytes(cell.as_bytes(), MeasureKind::Number, rules)
        );
    }

    /// `--fraction-percent` moves the point two places: every digit of the fraction is kept,
    /// or the cell is `too-precise`.
    #[test]
    fn fractions_scale_without_losing_digits(frac in "[0-9]{1,34}", comma: bool) {
        let rules = NumberRules {
            decimal: if comma { DecimalMark::Comma } else { DecimalMark::Point },
            fraction_percent: true,
        };
        let cell = format!("0{}{frac}", if comma { ',' } else { '.' });
        let padded = format!("{frac:0<2}");
        let (whole, rest) = padded.split_at(2);
        let written = format!("{}.{rest}", whole.trim_start_matches('0'));
        let written = written.trim_end_matches('0').trim_end_matches('.');
        let written = if written.is_empty() || written.starts_with('.') {
            format!("0{written}")
        } else {
            written.to_string()
        };
        let written = if written == "0." { "0".to_string() } else { written };
        match coerce_bytes(cell.as_bytes(), MeasureKind::Percent, rules) {
            Ok(Some(Value::Num(n))) => prop_assert_eq!(n.normalize().to_string(), written),
            Err(e) => {
                prop_assert_eq!(e.code, "too-precise", "{}", cell);
                prop_assert!(frac.trim_end_matches('0').len() > 28, "{} refused", cell);
            }
            other => prop_assert!(false, "{} read as {:?}", cell, other),
        }
    }

    #[test]
    fn bytes_agree_with_the_reference_on_any_text(cell in ".{0,12}") {
        agrees(&cell)?;
    }

    #[test]
    fn bytes_agree_with_the_reference_on_yes_no_words(
        words in prop::collection::vec(
            prop::sample::select(vec![
                "đạt", "dat", "có", "co", "không", "khong", "chưa", "chua", "yes", "y", "no",
                "n", "true", "false", "x", "1", "0", "ok",
            ]),
            1..4,
        ),
        upper in prop::collection::vec(any::<bool>(), 32),
        spaces in prop::collection::vec(prop::sample::select(vec![" ", "  ", "\t", " \t", "\u{a0}"]), 4),
    ) {
        let mut cell = String::new();
        for (i, word) in words.iter().enumerate() {
            if i > 0 {
                cell.push_str(spaces[i]);
            }
            for (j, c) in word.chars().enumerate() {
                if upper[(i * 7 + j) % upper.len()] {
                    cell.extend(c.to_uppercase());
                } else {
                    cell.push(c);
                }
            }
        }
        agrees(&format!("{}{cell}{}", spaces[0], spaces[3]))?;
    }

    #[test]
    fn bytes_read_as_their_text_or_not_at_all(
        cell in prop::collection::vec(
            prop_oneof![any::<u8>(), prop::sample::select(b"0123456789.,% \xc4\x91".to_vec())],
            0..10,
        )
    ) {
        match std::str::from_utf8(&cell) {
            Ok(text) => agrees(text)?,
            Err(_) => {
                for kind in KINDS {
                    in_place_is_the_whole_rule(&cell, kind, AUTO)?;
                    let want = if kind == MeasureKind::Bool { "not-a-bool" } else { "not-a-number" };
                    prop_assert_eq!(coerce_bytes(&cell, kind, AUTO).map_err(|e| e.code), Err(want));
                }
            }
        }
    }
}

/// The yes/no spellings `coerce_bytes` reads byte by byte, with and without accents.
const YES_NO_SPELLINGS: [&str; 19] = [
    "đạt",
    "không đạt",
    "chưa đạt",
    "có",
    "không",
    "dat",
    "khong dat",
    "chua dat",
    "co",
    "khong",
    "yes",
    "no",
    "true",
    "false",
    "x",
    "y",
    "n",
    "1",
    "0",
];

/// Letters next to the ones of the yes/no words: other vowels with and without marks
/// (ơ/ư, ẹ/ạ, ô/o, ă/a/â, tone marks), other d's (đ, Icelandic Ð, African Ɖ), consonants and
/// spaces, precomposed and decomposed.
const NEIGHBOURS: [&str; 62] = [
    "a", "ă", "â", "á", "à", "ả", "ã", "ạ", "ắ", "ặ", "ấ", "ậ", "e", "ê", "ẹ", "ệ", "é", "o", "ô",
    "ơ", "ó", "ò", "ọ", "ố", "ộ", "ớ", "ợ", "u", "ư", "ú", "ụ", "ứ", "ự", "d", "đ", "Ð", "ɖ", "i",
    "ị", "y", "c", "k", "h", "g", "n", "t", "s", "x", " ", "  ", "\t", "\u{a0}", "e\u{323}",
    "o\u{31b}", "u\u{31b}", "a\u{306}", "a\u{302}", "a\u{323}", "d\u{335}", "\u{323}", "\u{301}",
    "\u{309}",
];

/// Every spelling one edit away from an accepted one: each letter replaced by a neighbour
/// (in either case), dropped, doubled, or a neighbour put before it; the whole word in upper
/// case and decomposed.
fn near_spellings() -> Vec<String> {
    use unicode_normalization::UnicodeNormalization;
    let mut out = Vec::new();
    for word in YES_NO_SPELLINGS {
        let chars: Vec<char> = word.chars().collect();
        out.push(word.to_uppercase());
        out.push(word.nfd().collect());
        out.push(word.to_uppercase().nfd().collect());
        for i in 0..=chars.len() {
            let (before, after) = chars.split_at(i);
            let before: String = before.iter().collect();
            if let Some((c, rest)) = after.split_first() {
                let rest: String = rest.iter().collect();
                out.push(format!("{before}{rest}"));
                out.push(format!("{before}{c}{c}{rest}"));
                for n in NEIGHBOURS {
                    out.push(format!("{before}{n}{rest}"));
                    out.push(format!("{before}{}{rest}", n.to_uppercase()));
                }
            }
            let after: String = after.iter().collect();
            for n in NEIGHBOURS {
                out.push(format!("{before}{n}{after}"));
            }
        }
    }
    out
}

/// Trust issue, yes/no near-spellings: no test noticed when the byte-level reader was widened
/// to read `chơa đạt` as no or `đẹt` as yes. Every spelling one edit away from an accepted
/// one reads as the reference reads it (folding: tone marks and ô/ơ/ă/â on a letter aside,
/// every letter counts).
#[test]
fn near_spellings_of_yes_no_read_as_the_reference_reads_them() {
    let spellings = near_spellings();
    assert!(spellings.len() > 10_000, "{}", spellings.len());
    for cell in &spellings {
        let want = reference::coerce(cell, MeasureKind::Bool, AUTO);
        assert_eq!(
            coerce_bytes(cell.as_bytes(), MeasureKind::Bool, AUTO),
            want,
            "{cell:?}"
        );
        assert_eq!(coerce(cell, MeasureKind::Bool, AUTO), want, "{cell:?}");
        if let Err(e) = in_place_is_the_whole_rule(cell.as_bytes(), MeasureKind::Bool, AUTO) {
            panic!("{e}");
        }
    }
}

/// Near-misses of the yes/no words that must be rejected: a letter changed for another
/// (`ơ` is not `ư`, `ẹ` is not `ạ`, Icelandic `Ð` is not `Đ`), dropped or doubled.
#[test]
fn near_misses_of_yes_no_are_not_a_bool() {
    for cell in [
        "chơa đạt",
        "CHƠA ĐẠT",
        "cho\u{31b}a đạt",
        "đẹt",
        "ĐẸT",
        "đe\u{323}t",
        "đet",
        "đệt",
        "chưa đẹt",
        "không đẹt",
        "khong det",
        "chua det",
        "chưa đọt",
        "khưng",
        "kông",
        "khôg",
        "khônng",
        "khôngg",
        "hông",
        "ko",
        "k",
        "đạtt",
        "đđạt",
        "đạ",
        "ạt",
        "đt",
        "khôn đạt",
        "chư đạt",
        "chưa đạ",
        "không đạ",
        "không đạt x",
        "đạt đạt",
        "cư",
        "cóo",
        "c",
        "ó",
        "ɖạt",
        "dạtt",
        "yess",
        "ye",
        "tru",
        "fals",
        "xx",
        "00",
        "11",
        "10",
    ] {
        assert_eq!(
            coerce_bytes(cell.as_bytes(), MeasureKind::Bool, AUTO).map_err(|e| e.code),
            Err("not-a-bool"),
            "{cell:?}"
        );
        assert_eq!(
            reference::coerce(cell, MeasureKind::Bool, AUTO).map_err(|e| e.code),
            Err("not-a-bool"),
            "{cell:?}"
        );
    }
}

/// `yes_no_at` reads the empty cell and the spellings of `common_yes_no` in place, as
/// `coerce_bytes` reads them, and leaves every other cell and a cell near the record's end.
#[test]
fn yes_no_at_reads_the_common_cells_of_a_record() {
    let record = "Đạt,Không đạt,,KHÔNG ĐẠT,đẠt,x,X,1,0,Có,cÓ,KHÔNG,Dat, Đạt,Không  đạt,Ðạt,chưa đạt,y,2,co,12345678901234\n";
    let cells: Vec<(usize, usize)> = {
        let mut at = 0;
        record
            .trim_end()
            .split(',')
            .map(|c| {
                let span = (at, at + c.len());
                at += c.len() + 1;
                span
            })
            .collect()
    };
    let got: Vec<_> = cells
        .iter()
        .map(|&(s, e)| yes_no_at(record.as_bytes(), s, e))
        .collect();
    let yes = Some(Some(Value::Bool(true)));
    let no = Some(Some(Value::Bool(false)));
    assert_eq!(
        got,
        [
            yes,
            no,
            Some(None),
            no,
            yes,
            yes,
            yes,
            yes,
            no,
            yes,
            yes,
            no,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None
        ]
    );
    // Within 13 bytes of the end: left to `coerce_bytes`.
    let end = "1,Đạt\n";
    assert_eq!(yes_no_at(end.as_bytes(), 2, 7), None);
    assert_eq!(yes_no_at(end.as_bytes(), 2, 99), None);
    assert_eq!(yes_no_at(end.as_bytes(), 5, 2), None);
}

/// A cell of 13 bytes whose first 8 are those of `Không đạt` is read in place by its last
/// 8 bytes too: `Không đạt` in any case is no, as `coerce_bytes` reads it; any other such
/// cell goes to the general rule (`Không đật` is no there too, by folding).
#[test]
fn a_thirteen_byte_cell_is_read_by_its_last_bytes_too() {
    for (cell, read) in [
        ("Không đạt", Some(Some(Value::Bool(false)))),
        ("KHÔNG ĐẠT", Some(Some(Value::Bool(false)))),
        ("không Đạt", Some(Some(Value::Bool(false)))),
        ("Không đẹt", None),
        ("Không đật", None),
        ("Không đạx", None),
        ("Không đạ ", None),
    ] {
        assert_eq!(cell.len(), 13, "{cell}");
        let mut record = format!("x,{cell},y").into_bytes();
        record.extend_from_slice(&[0; 16]);
        assert_eq!(yes_no_at(&record, 2, 15), read, "{cell}");
        if let Some(v) = read {
            assert_eq!(
                coerce_bytes(cell.as_bytes(), MeasureKind::Bool, AUTO),
                Ok(v)
            );
        }
    }
}

/// Cells of yes/no columns, and bytes next to them.
fn yes_no_piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::sample::select(vec![
            "Đạt",
            "đạt",
            "ĐẠT",
            "đẠt",
            "Không đạt",
            "KHÔNG ĐẠT",
            "không Đạt",
            "Không",
            "Có",
            "x",
            "1",
            "0",
            "",
            " ",
            ",",
            "\n",
            "\r",
            "Dat",
            "Ðạt",
            "Đạt ",
            "Không  đạt",
            "Khong đạt",
            "đẹt",
            "chưa đạt",
            "a\u{323}",
            "t",
            "g",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        prop::collection::vec(any::<u8>(), 0..3),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// Wherever a cell starts and ends in a record, `yes_no_at` reads it as `coerce_bytes`
    /// reads it, or leaves it.
    #[test]
    fn yes_no_at_is_coerce_bytes(
        pieces in prop::collection::vec(yes_no_piece(), 1..8),
        cut in (0usize..64, 0usize..20),
    ) {
        let record = pieces.concat();
        let mut spans = vec![(cut.0, cut.0 + cut.1)];
        let mut at = 0;
        for p in &pieces {
            spans.push((at, at + p.len()));
            at += p.len();
        }
        for (start, end) in spans {
            if let Some(v) = yes_no_at(&record, start, end) {
                let cell = record.get(start..end);
                prop_assert!(cell.is_some());
                prop_assert_eq!(
                    coerce_bytes(cell.unwrap_or_default(), MeasureKind::Bool, AUTO),
                    Ok(v),
                    "{:?}",
                    String::from_utf8_lossy(&record)
                );
            }
        }
    }
}

/// Cells of number columns, and bytes next to them.
fn number_piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::sample::select(vec![
            "0",
            "1",
            "7",
            "00",
            "05",
            "10",
            "77",
            "100",
            "101",
            "130",
            "999",
            "1000",
            "2025",
            "71,4",
            "71.4",
            "0,5",
            "0.5",
            ",5",
            ".5",
            "5,",
            "5.",
            "0,85",
            "1,0",
            "1.00",
            "100,0",
            "100.01",
            "1,234",
            "1.234",
            "0,234",
            "12,345",
            "123,456",
            "1234,567",
            "1,2,3",
            "1.2,3",
            "85%",
            "85,5%",
            "100%",
            "101%",
            "%",
            "%5",
            "5%%",
            "0,5%",
            "12345678",
            "1234567,8",
            "99999999",
            "123456789",
            "-5",
            "+5",
            " 5",
            "5 ",
            "",
            " ",
            ",",
            ".",
            "\"",
            "\n",
            "\r",
            "Đạt",
            "x",
            "a",
            "/",
            ":",
            "5e3",
            "٣",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        "[0-9.,%]{1,9}".prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..4),
    ]
}

/// Every number kind under every combination of the number options.
fn number_kinds_and_rules() -> impl Strategy<Value = (MeasureKind, NumberRules)> {
    (
        prop::sample::select(vec![
            MeasureKind::Number,
            MeasureKind::Percent,
            MeasureKind::Count,
            MeasureKind::Bool,
        ]),
        prop::sample::select(vec![
            DecimalMark::Auto,
            DecimalMark::Comma,
            DecimalMark::Point,
        ]),
        any::<bool>(),
    )
        .prop_map(|(kind, decimal, fraction_percent)| {
            (
                kind,
                NumberRules {
                    decimal,
                    fraction_percent,
                },
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// Wherever a cell starts and ends in a record, `plain_at` reads it as `coerce_bytes`
    /// and the whole rule read it, value and scale, or leaves it; and it leaves no cell of
    /// eight bytes or fewer with eight bytes of the record from its start that the
    /// in-place path (`coerce_common`) reads without trimming.
    #[test]
    fn plain_at_is_coerce_bytes(
        pieces in prop::collection::vec(number_piece(), 1..8),
        cut in (0usize..64, 0usize..12),
        (kind, rules) in number_kinds_and_rules(),
    ) {
        let record = pieces.concat();
        let mut spans = vec![(cut.0, cut.0 + cut.1), (cut.0 + cut.1, cut.0)];
        let mut at = 0;
        for p in &pieces {
            spans.push((at, at + p.len()));
            at += p.len();
        }
        for (start, end) in spans {
            let cell = record.get(start..end);
            let read = plain_at(&record, start, end, kind, rules);
            let case = format!("{:?} as {kind:?} with {rules:?}", cell.map(String::from_utf8_lossy));
            if let Some(n) = read {
                prop_assert!(cell.is_some(), "{}", case);
                let cell = cell.unwrap_or_default();
                for whole in [coerce_bytes(cell, kind, rules), coerce_rest(cell, kind, rules)] {
                    let Ok(Some(Value::Num(w))) = whole else {
                        return Err(TestCaseError::fail(format!("{case}: {whole:?}, not {n}")));
                    };
                    prop_assert_eq!(w, n, "{}", case);
                    prop_assert_eq!(w.serialize(), n.serialize(), "{}", case);
                }
            }
            let fits = cell.is_some_and(|c| c.len() <= 8 && record.len() - start >= 8);
            if let Some(cell) = cell.filter(|_| fits)
                && kind != MeasureKind::Bool
                && cell.first().is_some_and(|&b| !is_space(b))
                && cell.last().is_some_and(|&b| !is_space(b))
                && let Some(Value::Num(n)) = coerce_common(cell, kind, rules)
            {
                prop_assert_eq!(read.map(|r| r.serialize()), Some(n.serialize()), "{}", case);
            }
        }
    }
}

/// The numbers of the generated data read from a word, with their scale; the cells that
/// are not plain numbers, or that end within 8 bytes of the record's end, left.
#[test]
fn plain_at_reads_the_numbers_of_a_record() {
    let record = "0,7,42,100,9999,\"71,4\",0.5,1,234,85%,101,12345678,123456789,-1,1.50,2,5\n";
    // Each cell's text, found in the record after the last.
    let cells = [
        "0",
        "7",
        "42",
        "100",
        "9999",
        "71,4",
        "0.5",
        "1,234",
        "85%",
        "101",
        "12345678",
        "123456789",
        "-1",
        "1.50",
        "2,5",
    ];
    let mut spans = Vec::new();
    let mut from = 0;
    for cell in cells {
        let start = from + record[from..].find(cell).unwrap_or_default();
        spans.push((start, start + cell.len()));
        from = start + cell.len();
    }
    let read = |kind, rules| -> Vec<Option<String>> {
        spans
            .iter()
            .map(|&(s, e)| plain_at(record.as_bytes(), s, e, kind, rules).map(|n| n.to_string()))
            .collect()
    };
    let n = |s: &str| Some(s.to_string());
    assert_eq!(
        read(MeasureKind::Number, AUTO),
        [
            n("0"),
            n("7"),
            n("42"),
            n("100"),
            n("9999"),
            n("71.4"),
            n("0.5"),
            None,
            None,
            n("101"),
            n("12345678"),
            None,
            None,
            n("1.50"),
            None
        ]
    );
    assert_eq!(
        read(MeasureKind::Percent, AUTO),
        [
            n("0"),
            n("7"),
            n("42"),
            n("100"),
            None,
            n("71.4"),
            n("0.5"),
            n("1.234"),
            n("85"),
            None,
            None,
            None,
            None,
            n("1.50"),
            None
        ]
    );
    assert!(read(MeasureKind::Bool, AUTO).iter().all(Option::is_none));
    assert_eq!(
        read(MeasureKind::Count, COMMA)[..8],
        [
            n("0"),
            n("7"),
            n("42"),
            n("100"),
            n("9999"),
            None,
            None,
            None
        ]
    );
    assert_eq!(
        read(MeasureKind::Percent, FRACTION)[..9],
        [n("0"), None, None, None, None, None, n("50"), None, n("85")]
    );
}
