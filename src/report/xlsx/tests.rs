//! The cell policy of the workbooks, read back with calamine.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use rust_decimal::Decimal;

use super::*;

fn read(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    Xlsx::new(Cursor::new(bytes)).expect("an xlsx workbook")
}

#[test]
fn a_decimal_is_a_number_only_when_the_f64_shows_the_same_digits() {
    let d = |s: &str| s.parse::<Decimal>().expect("decimal");
    assert_eq!(exact_f64(d("0.622")), Some(0.622));
    assert_eq!(exact_f64(d("62.2") / Decimal::ONE_HUNDRED), Some(0.622));
    assert_eq!(exact_f64(d("1.10")), Some(1.1));
    assert_eq!(exact_f64(d("0")), Some(0.0));
    assert_eq!(exact_f64(d("-12.75")), Some(-12.75));
    // 21 significant digits: no f64 shows them.
    assert_eq!(exact_f64(d("0.123456789012345678901")), None);
    assert_eq!(exact_f64(d("12345678901234567890.5")), None);
}

#[test]
fn a_sheet_refuses_rows_past_its_limit() {
    let mut s = Sheet::new("x", &["a".to_string()], 2).expect("sheet");
    s.next_row().expect("row 1");
    s.next_row().expect("row 2");
    let e = s.next_row().expect_err("row 3 is refused").to_string();
    assert!(e.contains("more than the 2 rows"), "{e}");
    assert!(e.contains("--format csv"), "{e}");
}

fn rows(n: usize, name: &str) -> Vec<ResultRow> {
    (1..=n)
        .map(|i| ResultRow {
            row: i,
            code: Some(format!("{i:05}")),
            name: Some(name.to_string()),
            district: None,
            province: None,
            zone: "RRD".into(),
            level: None,
            next_level: None,
            criteria_met: 3,
            criteria_total: 19,
            missing: vec!["=1+1".into(), "second\u{1b}[31m".into()],
            near: None,
        })
        .collect()
}

fn ruleset() -> Ruleset {
    let (path, text) = crate::ruleset::builtin::get("ntm-2021-2025").expect("built-in");
    crate::ruleset::load_str(text, path).0.expect("loads")
}

#[test]
fn the_results_sheet_is_refused_past_its_limit_before_any_byte() {
    let rs = ruleset();
    assert!(results_sheet(&rs, rows(3, "a"), Lang::En, 3).is_ok());
    let Err(e) = results_sheet(&rs, rows(4, "a"), Lang::En, 3) else {
        panic!("4 rows in a sheet of 3");
    };
    let e = e.to_string();
    assert!(e.contains("more than the 3 rows"), "{e}");
}

#[test]
fn text_that_starts_like_a_formula_stays_text_and_controls_are_escaped() {
    let rs = ruleset();
    let hostile = "=cmd|' /C calc'!A0";
    let ws = results_sheet(&rs, rows(1, hostile), Lang::En, 10).expect("sheet");
    let bytes = workbook(vec![ws]).expect("bytes");
    let mut wb = read(bytes);
    let range = wb.worksheet_range("results").expect("results sheet");
    let cells: Vec<&Data> = range.rows().nth(1).expect("row").iter().collect();
    assert_eq!(cells[2], &Data::String(hostile.to_string()));
    // The code keeps its leading zeros: text.
    assert_eq!(cells[1], &Data::String("00001".to_string()));
    assert_eq!(cells[0], &Data::Float(1.0));
    assert_eq!(
        cells[8],
        &Data::String("=1+1\nsecond\\u{1b}[31m".to_string())
    );
    let formulas = wb.worksheet_formula("results").expect("formulas");
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula in the sheet"
    );
}

#[test]
fn a_cell_rust_xlsxwriter_refuses_fails_the_sheet() {
    // One column more than a worksheet has.
    let headers = vec!["h".to_string(); 16_385];
    let sheet = Sheet::new("x", &headers, 1).expect("sheet");
    assert!(sheet.finish().is_err());
}

#[test]
fn a_text_longer_than_a_cell_holds_is_cut_with_its_length() {
    let rs = ruleset();
    let long = "ạ".repeat(40_000);
    let ws = results_sheet(&rs, rows(1, &long), Lang::En, 10).expect("sheet");
    let mut wb = read(workbook(vec![ws]).expect("bytes"));
    let range = wb.worksheet_range("results").expect("results sheet");
    let Some(Data::String(name)) = range.get((1, 2)) else {
        panic!("the name is text");
    };
    assert!(name.chars().count() <= 32_767, "{}", name.chars().count());
    assert!(
        name.ends_with("… (120,000 bytes)"),
        "{}",
        &name[name.len() - 30..]
    );
}
