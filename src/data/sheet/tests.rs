//! Worksheet rows as records, and cell text.

use calamine::{CellErrorType, ExcelDateTime, ExcelDateTimeType};
use rust_xlsxwriter::Workbook;

use super::*;
use crate::diag::Diagnostic;

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

/// Trust issue, Excel percent cells: a cell Excel shows as `100%` is stored as `1` and was
/// read as 1 (then failed `health_insurance_pct >= 85`). Cells with a percent number format
/// read as the percentage Excel shows, scaled exactly.
#[test]
fn percent_formatted_cells_read_as_excel_shows_them() {
    use rust_xlsxwriter::Format;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let whole = Format::new().set_num_format("0%");
    let one = Format::new().set_num_format("0.0%");
    let custom = Format::new().set_num_format("#,##0.00%;[Red]-0%");
    let number = Format::new().set_num_format("0.00");
    ws.write_string(0, 0, "health_insurance_pct")
        .expect("write");
    ws.write_number_with_format(1, 0, 1.0, &whole)
        .expect("write");
    ws.write_number(2, 0, 100.0).expect("write");
    ws.write_number_with_format(3, 0, 0.855, &one)
        .expect("write");
    // `0%` shows 86 %: the format's digits do not round the value.
    ws.write_number_with_format(4, 0, 0.855, &whole)
        .expect("write");
    ws.write_number_with_format(5, 0, 0.1 + 0.2, &custom)
        .expect("write");
    ws.write_number_with_format(6, 0, 0.85, &number)
        .expect("write");
    ws.write_number_with_format(7, 0, 0.0, &whole)
        .expect("write");
    ws.write_string_with_format(8, 0, "85", &whole)
        .expect("write");
    ws.write_number_with_format(9, 0, 0.123_456_789_012_345, &one)
        .expect("write");
    let bytes = wb.save_to_buffer().expect("save");
    let s = open(&bytes, None, "b.xlsx").expect("open");
    let cells: Vec<String> = all(s).into_iter().map(|(_, r)| r[0].clone()).collect();
    assert_eq!(
        cells,
        [
            "health_insurance_pct",
            "100%",
            "100",
            "85.5%",
            "85.5%",
            "30%",
            "0.85",
            "0%",
            "85",
            "12.3456789012345%",
        ]
    );
}

#[test]
fn moving_the_point_is_exact() {
    for (text, want) in [
        ("1", "100"),
        ("0.855", "85.5"),
        ("0.5", "50"),
        ("0", "0"),
        ("-0.25", "-25"),
        ("12.3456", "1234.56"),
        ("0.0001", "0.01"),
        ("0.123456789012345", "12.3456789012345"),
    ] {
        assert_eq!(times_100(text), want, "{text}");
    }
}

/// A worksheet XML part and the parts around it: the smallest .xlsx calamine opens, written
/// raw so that a test can put any reference in it.
fn raw_xlsx(dimension: Option<&str>, sheet_data: &str) -> Vec<u8> {
    use std::io::Write;
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let dim = dimension.map_or(String::new(), |d| format!("<dimension ref=\"{d}\"/>"));
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Xã" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dim}<sheetData>{sheet_data}</sheetData></worksheet>"#
            ),
        ),
    ];
    for (name, text) in parts {
        z.start_file(name, opts).expect("zip");
        z.write_all(text.as_bytes()).expect("zip");
    }
    z.finish().expect("zip").into_inner()
}

fn too_large(bytes: &[u8]) -> Box<Diagnostic> {
    let err = open(bytes, None, "b.xlsx").expect_err("refused");
    assert_eq!(err.code, "workbook-too-large", "{err:?}");
    err
}

/// Trust issue, workbooks bounded: a 2 KB .xlsx with the cell reference `ZZZZZZ99999999`
/// aborted ntm with a 10^18-byte allocation.
#[test]
fn a_cell_outside_excels_grid_is_workbook_too_large_at_that_cell() {
    let err = too_large(&raw_xlsx(
        None,
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c></row><row><c r="ZZZZZZ99999999"><v>1</v></c></row>"#,
    ));
    assert!(
        err.message.contains("ZZZZZZ99999999") || err.message.contains("99999999"),
        "{err:?}"
    );
    let loc = err.location.as_ref().expect("located");
    assert_eq!(loc.path, "b.xlsx[Xã]");
    assert_eq!(
        (loc.line, loc.column),
        (Some(99_999_999), Some(321_272_406))
    );
    // One past the grid, by column and by row; and a reference too long for any integer.
    for r in [
        "XFE1",
        "A1048577",
        "ZZZZZZZZZZZZZZZZZZZZZZZZZZ99999999999999999999999",
    ] {
        let xml = format!(r#"<row><c r="{r}"><v>1</v></c></row>"#);
        let err = too_large(&raw_xlsx(None, &xml));
        assert!(err.message.contains(&r[..r.len().min(30)]), "{err:?}");
    }
    let err = too_large(&raw_xlsx(None, r#"<row r="1048577"><c><v>1</v></c></row>"#));
    assert!(err.message.contains("1048577"), "{err:?}");
    // A declared dimension outside the grid.
    let err = too_large(&raw_xlsx(
        Some("A1:ZZZZZZ99999999"),
        r#"<row r="1"><c r="A1"><v>1</v></c></row>"#,
    ));
    assert!(err.message.contains("dimension"), "{err:?}");
    // Counted past the last row without a reference.
    let err = too_large(&raw_xlsx(
        None,
        r#"<row r="1048576"><c r="A1048576"><v>1</v></c></row><row><c><v>2</v></c></row>"#,
    ));
    assert!(err.message.contains("1048577"), "{err:?}");
}

/// Trust issue, workbooks bounded: `A1` and `XFD1048576` filled in a sheet declaring
/// `A1:XFD1048576` grew past 3 GB (17 billion cells). Only the cells present are kept.
#[test]
fn a_huge_used_range_with_two_cells_is_read_sparsely() {
    let bytes = raw_xlsx(
        Some("A1:XFD1048576"),
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>7</v></c></row>"#,
    );
    let s = open(&bytes, None, "b.xlsx").expect("open");
    assert_eq!(s.cells.len(), 2);
    assert_eq!(s.width, 16_384);
    let rows = all(s);
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].0, rows[1].0), (1, 1_048_576));
    assert_eq!(rows[1].1.last().map(String::as_str), Some("7"));
    assert_eq!(rows[0].1.len(), 16_384);
}

#[test]
fn rows_times_width_past_the_cap_is_workbook_too_large() {
    // 4,000 rows with a cell in column XFD: 65.5 million fields.
    let mut xml = String::new();
    for r in 1..=4000 {
        xml.push_str(&format!(r#"<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>"#));
    }
    let err = too_large(&raw_xlsx(None, &xml));
    assert!(err.message.contains("fields"), "{err:?}");
}

/// Rewrite the uncompressed size a zip declares for the part `name` (local header and
/// central directory), as a hostile file would.
fn declare_size(mut zip: Vec<u8>, name: &str, size: u32) -> Vec<u8> {
    let name = name.as_bytes();
    let mut i = 0;
    while i + 46 <= zip.len() {
        let sig = &zip[i..i + 4];
        let (size_at, name_len_at, name_at) = match sig {
            b"PK\x03\x04" => (22, 26, 30),
            b"PK\x01\x02" => (24, 28, 46),
            _ => {
                i += 1;
                continue;
            }
        };
        let n = u16::from_le_bytes([zip[i + name_len_at], zip[i + name_len_at + 1]]) as usize;
        if zip.get(i + name_at..i + name_at + n) == Some(name) {
            zip[i + size_at..i + size_at + 4].copy_from_slice(&size.to_le_bytes());
        }
        i += 4;
    }
    zip
}

/// Trust issue, workbooks bounded: a 1 MB zip bomb took 2 GB. The sizes a zip declares are
/// checked before anything is unpacked, and a part that unpacks to more than it declares is
/// refused.
#[test]
fn zip_bombs_are_refused_before_calamine_unpacks_them() {
    let bytes = raw_xlsx(None, r#"<row r="1"><c r="A1"><v>1</v></c></row>"#);
    let declared = declare_size(bytes.clone(), "xl/worksheets/sheet1.xml", 2_000_000_000);
    let err = too_large(&declared);
    assert!(err.message.contains("MB"), "{err:?}");
    // A part that declares less than it holds: 3 MB of spaces declared as 100 bytes.
    let padding = " ".repeat(3 * 1024 * 1024);
    let big = raw_xlsx(
        None,
        &format!(r#"{padding}<row r="1"><c r="A1"><v>1</v></c></row>"#),
    );
    assert!(big.len() < 64 * 1024, "the bomb is small: {}", big.len());
    let lying = declare_size(big, "xl/worksheets/sheet1.xml", 100);
    let err = too_large(&lying);
    assert!(err.message.contains("declares"), "{err:?}");
    // The honest file reads.
    assert!(open(&bytes, None, "b.xlsx").is_ok());
}

#[test]
fn a_raw_workbook_reads() {
    let bytes = raw_xlsx(
        Some("A1:B2"),
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c><c r="B1" t="inlineStr"><is><t>pct</t></is></c></row><row r="2"><c r="A2"><v>5</v></c><c><v>0.5</v></c></row>"#,
    );
    let s = open(&bytes, None, "b.xlsx").expect("open");
    assert_eq!(
        all(s),
        vec![
            (1, vec!["code".to_string(), "pct".to_string()]),
            (2, vec!["5".to_string(), "0.5".to_string()]),
        ]
    );
}

/// Trust issue, precision: a workbook number cell is read at Excel's 15 significant digits,
/// and one that even then cannot be held exactly is `too-precise`, not rounded to 0.
#[test]
fn workbook_numbers_past_the_decimal_limit_are_too_precise() {
    use crate::data::coerce::{NumberRules, coerce};
    use crate::ruleset::model::MeasureKind;
    for x in [1e-30, 1e30, 5e-29] {
        let text = cell_text(&Data::Float(x));
        assert_eq!(
            coerce(&text, MeasureKind::Number, NumberRules::default()).map_err(|e| e.code),
            Err("too-precise"),
            "{x} as {text}"
        );
    }
    // And the percent scaling of such a cell keeps every digit or is refused.
    let text = percent_text(&Data::Float(1e-31)).expect("a number");
    assert_eq!(
        coerce(&text, MeasureKind::Percent, NumberRules::default()).map_err(|e| e.code),
        Err("too-precise"),
        "{text}"
    );
    assert_eq!(percent_text(&Data::Float(0.855)).as_deref(), Some("85.5%"));
    assert_eq!(percent_text(&Data::Int(1)).as_deref(), Some("100%"));
    assert_eq!(percent_text(&Data::String("x".into())), None);
}

/// An OpenDocument spreadsheet whose one table holds `rows` (table-row XML).
fn ods(rows: &str) -> Vec<u8> {
    use std::io::Write;
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Xã">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", content.as_str()),
    ] {
        z.start_file(name, stored).expect("zip");
        z.write_all(text.as_bytes()).expect("zip");
    }
    z.finish().expect("zip").into_inner()
}

/// Trust issue, workbooks bounded, .ods: repeated rows and columns expand into a grid that
/// calamine builds when it opens the file; a table asking for Excel's whole grid is refused
/// before that.
#[test]
fn an_ods_whose_repeats_span_a_huge_grid_is_workbook_too_large() {
    let cell = r#"<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>"#;
    let huge = r#"<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>"#;
    let err = open(&ods(huge), None, "b.ods").expect_err("refused");
    assert_eq!(err.code, "workbook-too-large", "{err:?}");
    assert!(
        err.message.contains("1048576 rows × 16384 columns"),
        "{err:?}"
    );
    // Empty rows and columns repeated to the end of the grid, as LibreOffice writes them,
    // make no grid; a small table reads.
    let small = format!(
        r#"<table:table-row>{cell}<table:table-cell table:number-columns-repeated="16383"/></table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>"#
    );
    let s = open(&ods(&small), None, "b.ods").expect("open");
    assert_eq!(s.format, "ods");
    assert_eq!(all(s), vec![(1, vec!["1".to_string()])]);
}

/// Found by the `workbook` fuzz target: a declared dimension whose end is before its start
/// (`A9:B2`) made calamine subtract past zero (a panic with overflow checks, a wrapped row
/// count without). It is refused before calamine reads it.
#[test]
fn a_dimension_that_ends_before_it_starts_is_unreadable_not_a_panic() {
    for d in ["A9:B2", "C1:B2", "XFD1048576:A1"] {
        let bytes = raw_xlsx(Some(d), r#"<row r="1"><c r="A1"><v>1</v></c></row>"#);
        let err = open(&bytes, None, "b.xlsx").expect_err("refused");
        assert_eq!(err.code, "unreadable-workbook", "{err:?}");
        assert!(err.message.contains(d), "{err:?}");
    }
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
