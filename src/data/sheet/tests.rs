//! Worksheet rows as records, and cell text.

use calamine::{CellErrorType, ExcelDateTime, ExcelDateTimeType};
use rust_xlsxwriter::Workbook;

use super::*;

#[test]
fn numbers_read_as_excel_shows_them() {
    assert_eq!(excel_number(0.85), "0.85");
    assert_eq!(excel_number(85.0), "85");
    assert_eq!(excel_number(0.1 + 0.2), "0.3");
    assert_eq!(excel_number(0.850_000_000_000_000_1), "0.85");
    assert_eq!(excel_number(-12.5), "-12.5");
    assert_eq!(excel_number(1_234_567.891), "1234567.891");
    assert_eq!(excel_number(1e-7), "0.0000001");
    assert_eq!(excel_number(1.5e20), "150000000000000000000");
    assert_eq!(excel_number(-0.0), "0");
    assert_eq!(excel_number(79.995), "79.995");
}

#[test]
fn cells_become_the_text_a_csv_export_would_hold() {
    assert_eq!(cell_text(&Data::Empty), "");
    assert_eq!(cell_text(&Data::Int(7)), "7");
    assert_eq!(cell_text(&Data::Float(61.2)), "61.2");
    assert_eq!(cell_text(&Data::Bool(true)), "yes");
    assert_eq!(cell_text(&Data::Bool(false)), "no");
    assert_eq!(cell_text(&Data::String("Đạt".into())), "Đạt");
    assert_eq!(cell_text(&Data::Error(CellErrorType::Div0)), "#DIV/0!");
    let date = ExcelDateTime::new(45839.0, ExcelDateTimeType::DateTime, false);
    assert_eq!(cell_text(&Data::DateTime(date)), "2025-07-01");
    let stamp = ExcelDateTime::new(45839.5, ExcelDateTimeType::DateTime, false);
    assert_eq!(cell_text(&Data::DateTime(stamp)), "2025-07-01 12:00:00");
}

type Cells<'a> = &'a [(u32, u16, &'a str)];

fn book(sheets: &[(&str, Cells<'_>)]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let first_shown = sheets.iter().position(|(n, _)| !n.starts_with('~'));
    for (i, (name, cells)) in sheets.iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(name.trim_start_matches('~')).expect("name");
        // `~name`: a hidden sheet (Excel hides none but the active one).
        ws.set_active(Some(i) == first_shown);
        ws.set_hidden(name.starts_with('~'));
        for (r, c, v) in *cells {
            if let Ok(n) = v.parse::<f64>() {
                ws.write_number(*r, *c, n).expect("write");
            } else {
                ws.write_string(*r, *c, *v).expect("write");
            }
        }
    }
    wb.save_to_buffer().expect("save")
}

fn all(mut s: SheetRecords) -> Vec<(u64, Vec<String>)> {
    let mut rec = csv::ByteRecord::new();
    let mut out = Vec::new();
    while s.read_record(&mut rec).expect("read") {
        let line = rec.position().map_or(0, csv::Position::line);
        out.push((
            line,
            rec.iter()
                .map(|f| String::from_utf8(f.to_vec()).expect("utf-8"))
                .collect(),
        ));
    }
    out
}

#[test]
fn rows_keep_their_spreadsheet_numbers_and_columns() {
    let bytes = book(&[
        ("Other", &[(0, 0, "x")]),
        (
            "Xã",
            &[
                (2, 1, "code"),
                (2, 2, "income"),
                (3, 1, "C1"),
                (3, 2, "0.85"),
            ],
        ),
    ]);
    let s = open(&bytes, Some("Xã"), "b.xlsx").expect("open");
    assert_eq!((s.sheet.as_str(), s.format), ("Xã", "xlsx"));
    assert_eq!(
        all(s),
        vec![
            (3, vec!["".into(), "code".into(), "income".into()]),
            (4, vec!["".into(), "C1".into(), "0.85".into()]),
        ]
    );
}

#[test]
fn the_first_worksheet_is_the_default_and_names_match_after_nfc() {
    let bytes = book(&[("Một", &[(0, 0, "a")]), ("Xã", &[(0, 0, "b")])]);
    let s = open(&bytes, None, "b.xlsx").expect("open");
    assert_eq!(s.sheet, "Một");
    let decomposed: String = unicode_normalization::UnicodeNormalization::nfd("Xã").collect();
    let s = open(&bytes, Some(&decomposed), "b.xlsx").expect("open");
    assert_eq!(all(s), vec![(1, vec!["b".to_string()])]);
}

#[test]
fn a_hidden_first_sheet_is_not_the_default() {
    let bytes = book(&[("~Danh mục", &[(0, 0, "a")]), ("Xã", &[(0, 0, "b")])]);
    let s = open(&bytes, None, "b.xlsx").expect("open");
    assert_eq!(s.sheet, "Xã");
    let s = open(&bytes, Some("Danh mục"), "b.xlsx").expect("open by name");
    assert_eq!(s.sheet, "Danh mục");
}

#[test]
fn an_unknown_sheet_lists_the_sheets() {
    let bytes = book(&[("Một", &[]), ("Xã", &[])]);
    let err = open(&bytes, Some("Huyện"), "b.xlsx").expect_err("unknown");
    assert_eq!(err.code, "unknown-sheet");
    assert_eq!(err.help.as_deref(), Some("its sheets are `Một`, `Xã`"));
}

#[test]
fn sheet_names_match_ignoring_case_as_in_excel() {
    let bytes = book(&[("Một", &[(0, 0, "a")]), ("Xã", &[(0, 0, "b")])]);
    let s = open(&bytes, Some("XÃ"), "b.xlsx").expect("open");
    assert_eq!(s.sheet, "Xã");
}

#[test]
fn bytes_that_are_no_workbook_are_a_diagnostic_that_says_what_they_are() {
    let err = open(b"PK\x03\x04 not really", None, "b.xlsx").expect_err("bad");
    assert_eq!(err.code, "unreadable-workbook");
    assert!(err.help.as_deref().is_some_and(|h| h.contains("damaged")));
    let html =
        open(b"\n<html><table><tr><td>1</td></tr></table>", None, "b.xls").expect_err("html");
    assert!(
        html.help.as_deref().is_some_and(|h| h.contains("HTML")),
        "{html:?}"
    );
    let text = open(b"code,name\n1,a\n", None, "b.xlsx").expect_err("text");
    assert!(
        text.help.as_deref().is_some_and(|h| h.contains(".csv")),
        "{text:?}"
    );
    assert!(is_workbook("a.XLSX", b""));
    assert!(is_workbook("data.csv", b"PK\x03\x04"));
    assert!(!is_workbook("data.csv", b"code,name"));
}

#[test]
fn an_empty_sheet_has_no_records() {
    let bytes = book(&[("Xã", &[])]);
    let s = open(&bytes, None, "b.xlsx").expect("open");
    assert!(all(s).is_empty());
}

#[test]
fn sheet_names_match_without_diacritics_only_when_one_sheet_does() {
    let bytes = book(&[("Một", &[(0, 0, "a")]), ("Xã", &[(0, 0, "b")])]);
    let s = open(&bytes, Some("xa"), "b.xlsx").expect("open");
    assert_eq!(s.sheet, "Xã");
    // Two sheets fold alike ("Xã", "Xà"): neither is picked; both are named.
    let bytes = book(&[("Xã", &[(0, 0, "a")]), ("Xà", &[(0, 0, "b")])]);
    let err = open(&bytes, Some("xa"), "b.xlsx").expect_err("ambiguous");
    assert_eq!(err.code, "unknown-sheet");
    assert_eq!(
        err.help.as_deref(),
        Some(
            "`xa` could be `Xã` or `Xà` (ignoring case and diacritics): name one exactly; its sheets are `Xã`, `Xà`"
        )
    );
}
