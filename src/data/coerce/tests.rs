//! Cell coercion: every kind, the number rule of docs/data.md, fractions of percentages.

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
