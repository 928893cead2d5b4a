//! Tests of the threshold sheet model: exact values, located errors.

use rust_decimal::Decimal;

use super::{Cell, DECISION, RowCheck, Scope, VALUE, parse_decimal, read_filled, rows};
use crate::lang::Lang;
use crate::ruleset::model::MeasureKind;
use crate::ruleset::{builtin, load_str};

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

#[test]
fn typed_values_are_read_exactly() {
    assert_eq!(parse_decimal("95"), Some(d("95")));
    assert_eq!(parse_decimal("16,5"), Some(d("16.5")));
    assert_eq!(parse_decimal(" 16.5 % "), Some(d("16.5")));
    assert_eq!(parse_decimal("1.234,5"), None);
    assert_eq!(parse_decimal("Đạt"), None);
    assert_eq!(parse_decimal(""), None);
    // A number cell: the shortest spelling of the f64, not its binary expansion.
    assert_eq!(Cell::Number(16.5).text(), "16.5");
    assert_eq!(Cell::Number(0.1 + 0.2).text(), "0.30000000000000004");
    assert_eq!(Cell::Number(95.0).text(), "95");
}

fn rrd_rows() -> (Vec<super::RefRow>, Vec<(u64, Vec<Cell>)>) {
    let (path, text) = builtin::get("ntm-2021-2025").expect("built in");
    let rs = load_str(text, path).0.expect("loads");
    let scope = Scope {
        zone: rs.zone_index("RRD"),
        year: Some(2025),
    };
    let expected = rows(&rs, scope, Lang::Vi);
    let sheet: Vec<(u64, Vec<Cell>)> = expected
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let cells = super::full_cells(r)
                .into_iter()
                .map(|c| {
                    if c.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(c)
                    }
                })
                .collect();
            (i as u64 + 2, cells)
        })
        .collect();
    (expected, sheet)
}

#[test]
fn an_empty_sheet_enters_nothing() {
    let (expected, sheet) = rrd_rows();
    let (entered, diags) = read_filled(&expected, &sheet, Lang::Vi, "s.xlsx");
    assert!(entered.is_empty());
    assert!(diags.is_empty(), "{diags:?}");
}

#[test]
fn value_without_source_and_wrong_kind_are_located() {
    let (expected, mut sheet) = rrd_rows();
    let find = |check: RowCheck, skip: usize| {
        expected
            .iter()
            .enumerate()
            .filter(|(_, r)| r.check == check)
            .nth(skip)
            .map(|(i, _)| i)
            .expect("a row of that kind")
    };
    let pct = RowCheck::Number(MeasureKind::Percent);
    let (a, b, c, e) = (find(pct, 0), find(pct, 1), find(pct, 2), find(pct, 3));
    let (yes, yes2) = (find(RowCheck::Yes, 0), find(RowCheck::Yes, 1));
    sheet[a].1[VALUE] = Cell::Number(90.0);
    sheet[b].1[VALUE] = Cell::Text("Đạt".into());
    sheet[b].1[DECISION] = Cell::Text("QĐ 1".into());
    sheet[c].1[VALUE] = Cell::Number(101.0);
    sheet[c].1[DECISION] = Cell::Text("QĐ 1".into());
    sheet[e].1[2] = Cell::Text("edited".into());
    // A number in a yes/no row is the wrong kind; its requirement word is accepted.
    sheet[yes].1[VALUE] = Cell::Number(1.0);
    sheet[yes].1[DECISION] = Cell::Text("QĐ 1".into());
    sheet[yes2].1[VALUE] = Cell::Text("đạt".into());
    sheet[yes2].1[DECISION] = Cell::Text("QĐ 1".into());
    let (entered, diags) = read_filled(&expected, &sheet, Lang::Vi, "s.xlsx");
    assert_eq!(entered.len(), 1);
    assert_eq!(entered[0].value, None);
    let mut got: Vec<(&str, u64)> = diags
        .iter()
        .map(|d| {
            (
                d.code,
                d.location.as_ref().and_then(|l| l.line).expect("row"),
            )
        })
        .collect();
    got.sort_by_key(|g| g.1);
    let row = |i: usize| i as u64 + 2;
    let mut want = vec![
        ("missing-sheet-source", row(a)),
        ("bad-sheet-value", row(b)),
        ("bad-sheet-value", row(c)),
        ("edited-reference-column", row(e)),
        ("bad-sheet-value", row(yes)),
    ];
    want.sort_by_key(|g| g.1);
    assert_eq!(got, want);
}
