//! One cell of text → a typed value, by the measure's *declared* kind. Never guesses.
//!
//! Documented in README ("Data contract"). Returns `Err(expected)` with what was expected, so the
//! reader can build a located diagnostic; this module knows nothing of files or rows.

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

fn err(code: &'static str, expected: &str) -> CellError {
    CellError {
        code,
        expected: expected.to_string(),
    }
}

/// Read `cell` as `kind`. `Ok(None)` for an empty (whitespace-only) cell.
pub fn coerce(cell: &str, kind: MeasureKind) -> Result<Option<Value>, CellError> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok(None);
    }
    match kind {
        MeasureKind::Bool => yes_no(cell).map(|b| Some(Value::Bool(b))),
        MeasureKind::Percent => {
            let text = cell.strip_suffix('%').unwrap_or(cell).trim_end();
            let n = decimal(text).ok_or_else(|| {
                err(
                    "not-a-number",
                    "a percentage such as `85`, `85,5` or `85.5%`",
                )
            })?;
            if !kind.admits(n) {
                return Err(err("out-of-range", "a percentage between 0 and 100"));
            }
            Ok(Some(Value::Num(n)))
        }
        MeasureKind::Count => {
            let n = decimal(cell)
                .ok_or_else(|| err("not-a-number", "a whole number such as `0` or `3`"))?;
            if !kind.admits(n) {
                return Err(err("out-of-range", "a whole number of at least 0"));
            }
            Ok(Some(Value::Num(n.normalize())))
        }
        MeasureKind::Number => decimal(cell)
            .map(|n| Some(Value::Num(n)))
            .ok_or_else(|| err("not-a-number", "a number such as `61.2` or `61,2`")),
    }
}

/// A decimal with `.` or `,` as the decimal mark (one mark at most, no grouping).
fn decimal(text: &str) -> Option<Decimal> {
    let has_dot = text.contains('.');
    let commas = text.matches(',').count();
    let normalized;
    let text = match (has_dot, commas) {
        (_, 0) => text,
        (false, 1) => {
            normalized = text.replace(',', ".");
            normalized.as_str()
        }
        _ => return None,
    };
    let valid = text
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && (c == '-' || c == '+')));
    if !valid || !text.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    Decimal::from_str(text).ok()
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
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn num(s: &str) -> Option<Value> {
        Decimal::from_str(s).ok().map(Value::Num)
    }

    #[test]
    fn decimal_point_and_decimal_comma() {
        assert_eq!(coerce("61.2", MeasureKind::Number), Ok(num("61.2")));
        assert_eq!(coerce("61,2", MeasureKind::Number), Ok(num("61.2")));
        assert_eq!(coerce(" 45 ", MeasureKind::Number), Ok(num("45")));
    }

    #[test]
    fn both_marks_are_rejected_not_guessed() {
        let e = coerce("1.234,5", MeasureKind::Number).unwrap_err();
        assert_eq!(e.code, "not-a-number");
        assert!(coerce("1,234,5", MeasureKind::Number).is_err());
    }

    #[test]
    fn percent_sign_and_range() {
        assert_eq!(coerce("85%", MeasureKind::Percent), Ok(num("85")));
        assert_eq!(coerce("79,995 %", MeasureKind::Percent), Ok(num("79.995")));
        assert_eq!(
            coerce("130", MeasureKind::Percent).unwrap_err().code,
            "out-of-range"
        );
        assert_eq!(
            coerce("-1", MeasureKind::Percent).unwrap_err().code,
            "out-of-range"
        );
        assert!(coerce("85%", MeasureKind::Number).is_err());
    }

    #[test]
    fn counts_are_whole_and_not_negative() {
        assert_eq!(coerce("3", MeasureKind::Count), Ok(num("3")));
        assert_eq!(
            coerce("2.5", MeasureKind::Count).unwrap_err().code,
            "out-of-range"
        );
        assert_eq!(
            coerce("-1", MeasureKind::Count).unwrap_err().code,
            "out-of-range"
        );
    }

    #[test]
    fn vietnamese_and_english_yes_no() {
        for yes in ["Đạt", "đạt", "ĐẠT", "có", "yes", "TRUE", "1", "x", "X"] {
            assert_eq!(
                coerce(yes, MeasureKind::Bool),
                Ok(Some(Value::Bool(true))),
                "{yes}"
            );
        }
        for no in ["Không đạt", "không", "Chưa đạt", "no", "false", "0"] {
            assert_eq!(
                coerce(no, MeasureKind::Bool),
                Ok(Some(Value::Bool(false))),
                "{no}"
            );
        }
        assert_eq!(
            coerce("maybe", MeasureKind::Bool).unwrap_err().code,
            "not-a-bool"
        );
    }

    #[test]
    fn empty_is_no_data_for_every_kind() {
        for kind in [
            MeasureKind::Number,
            MeasureKind::Percent,
            MeasureKind::Bool,
            MeasureKind::Count,
        ] {
            assert_eq!(coerce("  ", kind), Ok(None));
        }
    }

    #[test]
    fn garbage_is_not_a_number() {
        for bad in ["abc", "1e5", "--1", ".", "1 000", "12a"] {
            assert_eq!(
                coerce(bad, MeasureKind::Number).unwrap_err().code,
                "not-a-number",
                "{bad}"
            );
        }
    }

    proptest! {
        #[test]
        fn never_panics(cell in ".*") {
            for kind in [MeasureKind::Number, MeasureKind::Percent, MeasureKind::Bool, MeasureKind::Count] {
                let _ = coerce(&cell, kind);
            }
        }

        #[test]
        fn decimals_round_trip_with_either_mark(int in 0u32..1_000_000, frac in 0u32..1000) {
            let dot = format!("{int}.{frac:03}");
            let comma = format!("{int},{frac:03}");
            let want = Decimal::from_str(&dot).ok().map(Value::Num);
            prop_assert_eq!(coerce(&dot, MeasureKind::Number), Ok(want));
            prop_assert_eq!(coerce(&comma, MeasureKind::Number), Ok(want));
        }
    }
}
