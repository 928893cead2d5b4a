//! No panic on any input (issue #4): arbitrary bytes and near-CSV text through read, coerce
//! and evaluate, under every reading option. Every data record is accounted for: it is a row
//! handed on or a rejected record with an error, never neither.

use ntm::data::coerce::DecimalMark;
use ntm::data::read::{ReadOptions, read_csv};
use ntm::eval::evaluate;
use ntm::record::CommuneRecord;
use proptest::prelude::*;

use crate::pipeline::example;

fn options() -> impl Strategy<Value = ReadOptions> {
    (any::<bool>(), any::<bool>(), any::<bool>(), 0u8..3).prop_map(
        |(lenient, fraction_percent, allow_missing, mark)| ReadOptions {
            lenient,
            fraction_percent,
            allow_missing,
            decimal: match mark {
                1 => DecimalMark::Comma,
                2 => DecimalMark::Point,
                _ => DecimalMark::Auto,
            },
            ..ReadOptions::default()
        },
    )
}

/// Read `bytes`, evaluate and render every row; check the accounting.
fn run(bytes: &[u8], opts: &ReadOptions) -> Result<(), TestCaseError> {
    let rs = example();
    let read = read_csv(bytes, "f.csv", 0, &rs, opts);
    prop_assert_eq!(read.records, read.rows.len() + read.rejected);
    // A rejected record always comes with an error.
    if read.rejected > 0 {
        prop_assert!(read.diags.iter().any(|d| d.is_error()));
    }
    for (i, row) in read.rows.iter().enumerate() {
        let outcome = evaluate(&rs, row.zone, row.year, &row.values);
        let rec = CommuneRecord::new(&rs, i + 1, "f.csv", row, &outcome, true);
        prop_assert_eq!(rec.row, i + 1);
    }
    Ok(())
}

/// Cells that exercise the reader: numbers in both conventions, fractions, yes/no words,
/// formulas, quotes, delimiters and empty cells.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("Đạt".to_string()),
        Just("không".to_string()),
        Just("1,234".to_string()),
        Just("1.234,5".to_string()),
        Just("0.85".to_string()),
        Just("85%".to_string()),
        Just("-5".to_string()),
        Just("=1+2".to_string()),
        Just("\"a,b\"".to_string()),
        Just("Hải Dương".to_string()),
        Just("10816".to_string()),
        Just("2025".to_string()),
        "[0-9.,%-]{0,8}",
        ".{0,6}",
    ]
}

const HEADER: &str = "code,name,province,year,income_per_capita,irrigated_area_pct,stunting_under5_pct,temporary_houses,general_plan_approved,smart_villages";

fn near_csv() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::collection::vec(cell(), 0..13), 0..12).prop_map(|rows| {
        let mut s = String::from(HEADER);
        s.push('\n');
        for r in rows {
            s.push_str(&r.join(","));
            s.push('\n');
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512), opts in options()) {
        run(&bytes, &opts)?;
    }

    #[test]
    fn near_csv_text_never_panics_and_every_record_is_counted(text in near_csv(), opts in options()) {
        run(text.as_bytes(), &opts)?;
    }
}

/// The smallest `.xlsx` around `sheet` (the worksheet XML between `<worksheet>` tags) and
/// `styles`: what the `workbook` fuzz target builds (fuzz/fuzz_targets/workbook.rs).
fn zipped_sheet(sheet: &str, styles: &str) -> Vec<u8> {
    use std::io::Write;
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in [
        (
            "xl/workbook.xml",
            r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="X" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/styles.xml",
            format!(r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{styles}</styleSheet>"#),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{sheet}</worksheet>"#),
        ),
    ] {
        z.start_file(name, opts).expect("zip");
        z.write_all(text.as_bytes()).expect("zip");
    }
    z.finish().expect("zip").into_inner()
}

/// Open `bytes` as a workbook and read every row: no panic, every record counted, and what is
/// kept within ntm's limits.
fn run_workbook(bytes: &[u8]) -> Result<(), TestCaseError> {
    use ntm::data::read::{RecordSource as _, RowReader};
    use ntm::data::sheet;
    let rs = example();
    let opts = ReadOptions::default();
    let Ok(records) = sheet::open(bytes, None, "f.xlsx") else {
        return Ok(());
    };
    // Every record within Excel's grid and the field cap.
    let mut probe = sheet::open(bytes, None, "f.xlsx").expect("opens twice alike");
    let mut rec = csv::ByteRecord::new();
    let mut fields = 0u64;
    while probe.read_record(&mut rec).expect("read") {
        prop_assert!(rec.len() <= sheet::MAX_COLUMNS as usize);
        let line = rec.position().map_or(0, csv::Position::line);
        prop_assert!((1..=u64::from(sheet::MAX_ROWS)).contains(&line));
        fields += rec.len() as u64;
    }
    prop_assert!(fields <= sheet::MAX_FIELDS);
    let mut rows = RowReader::from_source(records, "f.xlsx", 0, &rs, &opts);
    let mut read = 0;
    while rows.next_row().is_some() {
        read += 1;
    }
    let end = rows.finish();
    prop_assert_eq!(end.records, read + end.rejected);
    Ok(())
}

/// References: in the grid, at its edges, past them, past any integer, malformed.
fn cell_ref() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u32..40, 1u32..40).prop_map(|(c, r)| format!("{}{r}", (b'A' + (c % 26) as u8) as char)),
        Just("XFD1048576".to_string()),
        Just("XFE1".to_string()),
        Just("A1048577".to_string()),
        Just("ZZZZZZ99999999".to_string()),
        Just("ZZZZZZZZZZZZZZZZ99999999999999999999".to_string()),
        Just("A0".to_string()),
        Just("1A".to_string()),
        "[A-Za-z]{0,4}[0-9]{0,9}",
    ]
}

/// Pieces of worksheet XML, well formed or not.
fn sheet_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        // Found by the fuzz target: a dimension whose end is before its start.
        (cell_ref(), cell_ref()).prop_map(|(a, b)| format!(r#"<dimension ref="{a}:{b}"/>"#)),
        Just("<sheetData>".to_string()),
        Just("</sheetData>".to_string()),
        prop_oneof![
            Just(1u64),
            Just(1_048_576),
            Just(1_048_577),
            Just(99_999_999_999),
            1u64..50
        ]
        .prop_map(|r| format!(r#"<row r="{r}">"#)),
        Just("<row>".to_string()),
        Just("</row>".to_string()),
        (
            cell_ref(),
            0u8..4,
            prop_oneof![
                Just(""),
                Just(" t=\"s\""),
                Just(" t=\"inlineStr\""),
                Just(" t=\"b\""),
                Just(" t=\"e\"")
            ]
        )
            .prop_map(|(r, s, t)| format!(r#"<c r="{r}" s="{s}"{t}>"#)),
        Just("<c>".to_string()),
        Just("</c>".to_string()),
        Just(r#"<c r="A1"/>"#.to_string()),
        prop_oneof![
            Just("0.855"),
            Just("1"),
            Just("1e308"),
            Just("-0"),
            Just("NaN"),
            Just("0"),
            Just("x")
        ]
        .prop_map(|v| format!("<v>{v}</v>")),
        Just("<is><t>code</t></is>".to_string()),
        Just("<is><t>irrigated_area_pct</t></is>".to_string()),
        "[ -~]{0,8}",
    ]
}

/// A styles part with percent, date and plain formats, or nothing.
fn styles() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(r#"<numFmts><numFmt numFmtId="164" formatCode="0.0%"/><numFmt numFmtId="165" formatCode="&quot;%&quot;0"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="9"/><xf numFmtId="164"/><xf numFmtId="14"/></cellXfs>"#.to_string()),
        "[ -~]{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The `workbook` fuzz target's property, for a bounded time under `cargo test`: any
    /// bytes as a workbook.
    #[test]
    fn arbitrary_bytes_as_a_workbook_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let mut zipped = b"PK\x03\x04".to_vec();
        zipped.extend(&bytes);
        run_workbook(&bytes)?;
        run_workbook(&zipped)?;
    }

    /// Any worksheet XML (and styles) zipped into an otherwise valid .xlsx: no panic, and
    /// every reference outside the grid refused rather than allocated.
    #[test]
    fn arbitrary_sheet_xml_never_panics_and_stays_bounded(
        pieces in prop::collection::vec(sheet_piece(), 0..24),
        styles in styles(),
    ) {
        run_workbook(&zipped_sheet(&pieces.concat(), &styles))?;
    }
}
