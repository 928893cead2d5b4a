//! The reader's row and column checks: duplicates, field counts, `--lenient`, fractions.

use super::fractions::fraction_as_percentage;
use super::*;
use crate::ruleset::load_str;
use rust_decimal::Decimal;

fn ruleset() -> Ruleset {
    let (rs, diags) = load_str(
        include_str!("../../../examples/ruleset.toml"),
        "examples/ruleset.toml",
    );
    rs.unwrap_or_else(|| panic!("example ruleset: {diags:?}"))
}

fn opts(lenient: bool) -> ReadOptions {
    ReadOptions {
        lenient,
        ..ReadOptions::default()
    }
}

const HEADER: &str = "code,name,province,year,income_per_capita,irrigated_area_pct,stunting_under5_pct,temporary_houses,general_plan_approved,smart_villages\n";

fn file(rows: &[&str]) -> String {
    let mut s = HEADER.to_string();
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

fn codes(diags: &[Diagnostic]) -> Vec<(&'static str, bool)> {
    diags.iter().map(|d| (d.code, d.is_error())).collect()
}

/// Read several files in order with one `Seen`, as `cmd::scan` does.
fn read_files(files: &[String], opts: &ReadOptions) -> (Vec<Row>, Vec<ReadEnd>) {
    let rs = ruleset();
    let mut seen = Seen::default();
    let mut rows = Vec::new();
    let mut ends = Vec::new();
    for (i, text) in files.iter().enumerate() {
        let path = format!("f{i}.csv");
        let mut rdr = RowReader::new(text.as_bytes(), &path, i, &rs, opts).with_seen(seen);
        while let Some(r) = rdr.next_row() {
            rows.push(r);
        }
        let mut end = rdr.finish();
        seen = std::mem::take(&mut end.seen);
        ends.push(end);
    }
    (rows, ends)
}

const A: &str = "10816,Xã Hồng Lạc,Hải Dương,2025,61,85,12,0,Đạt,0";
const A_2024: &str = "10816,Xã Hồng Lạc,Hải Dương,2024,58,85,12,0,Đạt,0";
const B: &str = "10825,Xã Tân Việt,Hải Dương,2025,70,95,12,0,Đạt,1";

#[test]
fn the_same_commune_in_two_years_is_panel_data() {
    let (rows, ends) = read_files(&[file(&[A, A_2024, B])], &opts(false));
    assert_eq!(rows.len(), 3);
    assert!(ends[0].diags.is_empty(), "{:?}", ends[0].diags);
}

#[test]
fn a_duplicate_in_another_file_is_an_error_naming_the_first() {
    let (rows, ends) = read_files(&[file(&[A]), file(&[B, A])], &opts(false));
    assert_eq!(rows.len(), 2);
    assert_eq!(codes(&ends[1].diags), [("duplicate-code", true)]);
    let d = &ends[1].diags[0];
    assert!(d.message.contains("f0.csv:2"), "{}", d.message);
    assert_eq!(d.location.as_ref().and_then(|l| l.line), Some(3));
    assert_eq!(ends[1].records, 2);
    assert_eq!(ends[1].rejected, 1);
}

#[test]
fn leading_zeros_do_not_hide_a_duplicate() {
    let one = "1,Phường Phúc Xá,Hà Nội,2025,61,85,12,0,Đạt,0";
    let padded = "00001,Phường Phúc Xá,Hà Nội,2025,61,85,12,0,Đạt,0";
    let (_, ends) = read_files(&[file(&[one, padded])], &opts(false));
    assert_eq!(codes(&ends[0].diags), [("duplicate-code", true)]);
}

#[test]
fn a_lenient_duplicate_is_kept_as_no_data_with_a_note() {
    let (rows, ends) = read_files(&[file(&[A, B, A])], &opts(true));
    assert_eq!(rows.len(), 3);
    assert_eq!(codes(&ends[0].diags), [("duplicate-code", false)]);
    assert!(rows[0].notes.is_empty());
    assert!(rows[2].values.iter().all(Option::is_none));
    assert_eq!(rows[2].notes.len(), 1);
    assert_eq!(rows[2].notes[0].code, "duplicate-code");
    assert_eq!(rows[2].notes[0].column.as_deref(), Some("code"));
    assert_eq!(ends[0].rejected, 0);
}

#[test]
fn a_row_with_the_wrong_field_count_is_rejected_or_kept_empty() {
    let short = "10828,Xã Cẩm Việt,Hải Dương,2025,61,85";
    let (rows, ends) = read_files(&[file(&[A, short, B])], &opts(false));
    assert_eq!(rows.len(), 2);
    assert_eq!(codes(&ends[0].diags), [("wrong-field-count", true)]);
    assert_eq!(ends[0].records, rows.len() + ends[0].rejected);

    let (rows, ends) = read_files(&[file(&[A, short, B])], &opts(true));
    assert_eq!(rows.len(), 3);
    assert_eq!(codes(&ends[0].diags), [("wrong-field-count", false)]);
    assert_eq!(rows[1].code.as_deref(), Some("10828"));
    assert!(rows[1].values.iter().all(Option::is_none));
    assert_eq!(rows[1].notes[0].column, None);
}

#[test]
fn lenient_cells_become_no_data_and_others_stay() {
    let bad = "10828,Xã Cẩm Việt,Hải Dương,2025,-5,130,12,0,Đạt,0";
    let (rows, ends) = read_files(&[file(&[bad])], &opts(true));
    assert_eq!(rows.len(), 1);
    assert_eq!(
        codes(&ends[0].diags),
        [("out-of-range", false), ("out-of-range", false)]
    );
    assert_eq!(rows[0].values[0], None);
    assert_eq!(rows[0].notes.len(), 2);
    assert_eq!(rows[0].notes[1].value, "130");
    // A year problem decides the thresholds: it stays an error.
    let bad_year = "10828,Xã Cẩm Việt,Hải Dương,20x5,61,85,12,0,Đạt,0";
    let (rows, ends) = read_files(&[file(&[bad_year])], &opts(true));
    assert!(rows.is_empty());
    assert_eq!(codes(&ends[0].diags), [("not-a-year", true)]);
}

fn fraction_diags(pcts: &[&str]) -> Vec<(&'static str, bool)> {
    let rows: Vec<String> = pcts
        .iter()
        .enumerate()
        .map(|(i, p)| format!("C{i},X,Hải Dương,2025,61,{p},12,0,Đạt,0"))
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let (_, ends) = read_files(&[file(&rows)], &opts(false));
    codes(&ends[0].diags)
        .into_iter()
        .filter(|(c, _)| *c != "unknown-commune-code")
        .collect()
}

#[test]
fn a_percent_column_of_fractions_is_rejected() {
    let flagged = [("percent-as-fraction", true)];
    assert_eq!(fraction_diags(&["0.85", "0.9", ""]), flagged);
    assert_eq!(fraction_diags(&["0.85"]), flagged);
    assert_eq!(fraction_diags(&["0", "1"]), flagged);
    assert_eq!(fraction_diags(&["0.12", "9%"]), flagged);
}

#[test]
fn a_percent_column_with_percentages_passes() {
    assert!(fraction_diags(&["0", "0", ""]).is_empty());
    assert!(fraction_diags(&["85"]).is_empty());
    assert!(fraction_diags(&["0.8%", "1%"]).is_empty());
    assert!(fraction_diags(&["", ""]).is_empty());
}

/// Trust issue, Excel percent cells: a column where one clerk typed `1` (Excel's `100%`) and
/// another `100` was read as 1 and 100: the first commune failed without a word. A column
/// mixing fractions (at most 1) and percentages is an error naming a row of each.
#[test]
fn a_percent_column_mixing_fractions_and_percentages_is_rejected() {
    let mixed = [("mixed-percent-scale", true)];
    assert_eq!(fraction_diags(&["1", "100"]), mixed);
    assert_eq!(fraction_diags(&["100", "0.855", "90"]), mixed);
    assert_eq!(fraction_diags(&["0.5", "12", "30"]), mixed);
    assert_eq!(fraction_diags(&["0", "\"0,85\"", "85"]), mixed);
    // Explicit cells and zeros count neither way.
    assert!(fraction_diags(&["1%", "100", "0"]).is_empty());
    assert!(fraction_diags(&["0.5%", "12", "30"]).is_empty());
    let rows: Vec<String> = ["100", "1", "0.9"]
        .iter()
        .enumerate()
        .map(|(i, p)| format!("C{i},X,Hải Dương,2025,61,{p},12,0,Đạt,0"))
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let (_, ends) = read_files(&[file(&rows)], &opts(false));
    let d = ends[0]
        .diags
        .iter()
        .find(|d| d.code == "mixed-percent-scale")
        .expect("mixed");
    // Located at the first fraction, naming the first percentage's line too.
    let loc = d.location.as_ref().expect("located");
    assert_eq!((loc.line, loc.column), (Some(3), Some(6)));
    assert!(d.message.contains("`1` on line 3"), "{}", d.message);
    assert!(d.message.contains("`100` on line 2"), "{}", d.message);
    assert!(
        d.help
            .as_deref()
            .is_some_and(|h| h.contains("`100` where `1` means 100 %")),
        "{d:?}"
    );
}

#[test]
fn a_fraction_is_shown_as_its_percentage() {
    for (f, p) in [
        ("1", "100"),
        ("0.855", "85.5"),
        ("0,85", "85"),
        ("0.5", "50"),
        (".5", "50"),
        ("0.0001", "0.01"),
    ] {
        assert_eq!(fraction_as_percentage(f), p, "{f}");
    }
}

#[test]
fn fraction_percent_scales_and_skips_the_check() {
    let rs = ruleset();
    let o = ReadOptions {
        fraction_percent: true,
        ..opts(false)
    };
    let read = read_csv(
        file(&[A.replace(",85,12,", ",0.85,12%,").as_str()]).as_bytes(),
        "f.csv",
        0,
        &rs,
        &o,
    );
    assert!(read.diags.is_empty(), "{:?}", read.diags);
    assert_eq!(read.rows[0].values[1], Some(Value::Num(Decimal::from(85))));
}

#[test]
fn unit_warnings_name_both_names() {
    let wrong = "10816,Xã Tân Việt,Hải Dương,2025,61,85,12,0,Đạt,0";
    let (rows, ends) = read_files(&[file(&[wrong])], &opts(false));
    assert_eq!(rows.len(), 1);
    assert_eq!(codes(&ends[0].diags), [("commune-name-mismatch", false)]);
    let msg = &ends[0].diags[0].message;
    assert!(
        msg.contains("Xã Tân Việt") && msg.contains("Xã Hồng Lạc"),
        "{msg}"
    );
}

#[test]
fn official_list_warnings_are_capped_per_file_and_counted() {
    let rows: Vec<String> = (0..UNIT_WARNING_LIMIT + 7)
        .map(|i| format!("X{i},Xã X,Hải Dương,2025,61,85,12,0,Đạt,0"))
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let (read, ends) = read_files(&[file(&rows)], &opts(false));
    assert_eq!(read.len(), UNIT_WARNING_LIMIT + 7);
    let unknown: Vec<&Diagnostic> = ends[0]
        .diags
        .iter()
        .filter(|d| d.code == "unknown-commune-code")
        .collect();
    assert_eq!(unknown.len(), UNIT_WARNING_LIMIT + 1);
    let last = unknown.last().expect("a summary");
    assert!(
        last.message.starts_with("7 more row(s)"),
        "{}",
        last.message
    );
    assert!(unknown.iter().all(|d| !d.is_error()));
}

/// A record is checked as a whole (issue #7): bytes that are UTF-8 only when the delimiter
/// between them is dropped (`\xC3,\xA9` joins into `é`) must still fail, at the first bad
/// field, as a field-by-field check would.
#[test]
fn a_character_cut_by_a_delimiter_is_invalid_utf8_at_its_field() {
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(b"10816,Xa \xC3,\xA9,2025,61,85,12,0,yes,0\n");
    bytes.extend_from_slice(format!("{B}\n").as_bytes());
    let read = read_csv(&bytes, "t.csv", 0, &ruleset(), &opts(false));
    assert!(read.rows.is_empty(), "the file stops at the bad record");
    assert_eq!((read.records, read.rejected), (1, 1));
    let d = &read.diags[0];
    assert_eq!(d.code, "invalid-utf8");
    assert!(
        d.message
            .contains("field 2 of the row starting at byte offset 135 is invalid from its byte 4"),
        "{}",
        d.message
    );
    assert!(
        d.to_string().starts_with("t.csv:2:2: error[invalid-utf8]"),
        "{d}"
    );
}

/// Valid multi-byte text in every position, including a field that starts with one (`Đạt`),
/// reads.
#[test]
fn multibyte_text_at_field_starts_is_read() {
    let text = file(&[A]);
    let read = read_csv(text.as_bytes(), "t.csv", 0, &ruleset(), &opts(false));
    assert_eq!(codes(&read.diags), vec![]);
    assert_eq!(read.rows[0].name.as_deref(), Some("Xã Hồng Lạc"));
    assert_eq!(
        read.rows[0].values.iter().filter(|v| v.is_some()).count(),
        6
    );
}

/// A row is blank when every cell trims to nothing, Unicode spaces included, and not when
/// any cell holds a character (issue #7 reads cells as bytes for this).
#[test]
fn blank_rows_are_skipped_whatever_their_spaces() {
    let blank = |row: &str| {
        let mut raw = csv::ByteRecord::new();
        for cell in row.split(',') {
            raw.push_field(cell.as_bytes());
        }
        let mut fields = crate::data::records::Fields::new();
        fields.fill_from(&raw);
        is_blank(&Record { raw: fields })
    };
    assert!(blank(",,,"));
    assert!(blank(" ,\t,\u{b}\u{c}\r,"));
    assert!(
        blank("\u{a0},\u{3000} ,\u{2003}"),
        "Unicode spaces are blank"
    );
    assert!(!blank(",,x,"));
    assert!(
        !blank(",, \u{a0}Đạt,"),
        "a letter beyond ASCII is not blank"
    );
    assert!(
        !blank(",,\u{feff},"),
        "a byte-order mark is not whitespace to str::trim"
    );
}

#[test]
fn last_text_composes_each_new_cell_and_reuses_a_repeated_one() {
    let mut last = super::memo::LastText::default();
    // `Hà Nội` decomposed (a + combining grave), then composed, then the same again.
    // Into one string, reused from call to call (a stale one at first).
    let mut out = Some("stale".to_string());
    let mut get = |cell: &str| {
        last.get_into(cell.as_bytes(), &mut out);
        out.clone()
    };
    assert_eq!(get("Ha\u{300} Nội").as_deref(), Some("Hà Nội"));
    assert_eq!(get("Ha\u{300} Nội").as_deref(), Some("Hà Nội"));
    assert_eq!(get("Huế").as_deref(), Some("Huế"));
    assert_eq!(
        get(" Huế\u{a0}").as_deref(),
        Some("Huế"),
        "trimmed as str::trim"
    );
    assert_eq!(get(" \u{3000}"), None, "empty once trimmed");
    assert_eq!(get(" \u{3000}"), None);
    assert_eq!(get("Ha\u{300} Nội").as_deref(), Some("Hà Nội"));
}

/// Every character `surely_nfc` lets through is its own NFC and starts no composition, so a
/// text of them is NFC: what `is_nfc_quick` would say, without looking each one up.
#[test]
fn surely_nfc_lets_through_only_characters_that_are_nfc() {
    use unicode_normalization::char::canonical_combining_class;
    use unicode_normalization::{IsNormalized, is_nfc_quick};
    let mut passed = 0;
    for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
        let mut buf = [0u8; 4];
        if !super::row::surely_nfc(c.encode_utf8(&mut buf).as_bytes()) {
            continue;
        }
        passed += 1;
        assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
        assert_eq!(canonical_combining_class(c), 0, "{c:?}");
    }
    // Below U+0300 and U+1E00–U+1EFF, nothing else.
    assert_eq!(passed, 0x300 + 0x100);
    for composed in [
        "Xã Bắc Sơn",
        "Huyện Sóc Sơn",
        "Thành phố Hà Nội",
        "ĐỨC",
        "x",
    ] {
        assert!(super::row::surely_nfc(composed.as_bytes()), "{composed}");
    }
    // Decomposed, or a letter outside the ranges: left to `is_nfc_quick`.
    for other in [
        "Ha\u{300}",
        "Hà Nội\u{301}",
        "\u{1f600}",
        "Ω",
        "ﬁ",
        "\u{2000}",
    ] {
        assert!(!super::row::surely_nfc(other.as_bytes()), "{other:?}");
    }
}

proptest::proptest! {
    /// `nfc_fast` is `nfc`, whichever way it decides.
    #[test]
    fn nfc_fast_is_nfc(s in "(\\PC|[\u{300}-\u{36f}\u{1e00}-\u{1eff}ạắệ]){0,12}") {
        proptest::prop_assert_eq!(super::row::nfc_fast(&s), crate::text::nfc(&s));
    }

    /// `nfc_into` is `nfc`, whatever the string it refills held.
    #[test]
    fn nfc_into_is_nfc(
        s in "(\\PC|[\u{300}-\u{36f}\u{1e00}-\u{1eff}ạắệ]){0,12}",
        before in proptest::option::of("\\PC{0,20}"),
    ) {
        let mut out = before;
        super::row::nfc_into(&s, &mut out);
        proptest::prop_assert_eq!(out, Some(crate::text::nfc(&s)));
    }
}

proptest::proptest! {
    /// The fraction check's test of a value against 0 and 1 is `Decimal`'s comparison.
    #[test]
    fn above_zero_and_one_is_the_decimal_comparison(
        mantissa in proptest::prop_oneof![-2_000i64..2_000, proptest::num::i64::ANY],
        scale in 0u32..=28,
    ) {
        let n = rust_decimal::Decimal::new(mantissa, scale);
        proptest::prop_assert_eq!(
            super::fractions::above_zero_and_one(n),
            (n > rust_decimal::Decimal::ZERO, n > rust_decimal::Decimal::ONE)
        );
    }
}

/// Cells of every kind, good and bad, for rows whose columns mix kinds.
fn mixed_cell(bool_kind: bool) -> impl proptest::strategy::Strategy<Value = &'static str> {
    let cells: Vec<&'static str> = if bool_kind {
        vec![
            "",
            "Đạt",
            "Không đạt",
            "KHÔNG ĐẠT",
            "x",
            "X",
            "0",
            "1",
            "Có",
            "Không",
            "dat",
            " Đạt",
            "có lẽ",
            "chưa đạt",
            "no",
            "\u{a0}",
            "Ðạt",
            "2",
        ]
    } else {
        vec![
            "", "12", "71,4", "85.5%", "1,234", "nhiều", "-5", "0,5", "2", " 7 ", "Đạt",
        ]
    };
    proptest::sample::select(cells)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// A row reads as its cells read one by one in measure order, with `coerce`: the same
    /// values, and the same diagnostics in the same order (yes/no cells are read in a pass
    /// of their own first, issue #14).
    #[test]
    fn a_row_reads_as_its_cells_one_by_one(
        rows in proptest::collection::vec(
            (
                proptest::collection::vec(mixed_cell(true), 4),
                proptest::collection::vec(mixed_cell(false), 5),
            ),
            1..5,
        ),
        lenient: bool,
    ) {
        use crate::data::coerce::coerce;
        let rs = ruleset();
        // Yes/no and other measures in turn.
        let header = [
            "general_plan_approved", "income_per_capita", "field_tourism",
            "irrigated_area_pct", "field_production", "stunting_under5_pct",
            "extremely_difficult", "temporary_houses", "smart_villages",
        ];
        let mut text = format!("code,name,province,year,{}\n", header.join(","));
        let mut cells_of = Vec::new();
        for (yes_no, others) in &rows {
            let cells = [
                yes_no[0], others[0], yes_no[1], others[1], yes_no[2], others[2], yes_no[3],
                others[3], others[4],
            ];
            let quoted: Vec<String> = cells.iter().map(|c| format!("\"{c}\"")).collect();
            text.push_str(&format!(",,Hải Dương,2025,{}\n", quoted.join(",")));
            cells_of.push(cells);
        }
        let opts = opts(lenient);
        let mut rdr = RowReader::new(text.as_bytes(), "f.csv", 0, &rs, &opts);
        let mut got_rows = Vec::new();
        while let Some(r) = rdr.next_row() {
            got_rows.push(r);
        }
        let end = rdr.finish();
        let got_diags: Vec<(&str, u64, u64)> = end
            .diags
            .iter()
            .filter_map(|d| {
                let at = d.location.as_ref()?;
                Some((d.code, at.line?, at.column?))
            })
            .filter(|&(_, line, _)| line > 1)
            .collect();
        let mut want_diags = Vec::new();
        let mut want_values = Vec::new();
        for (r, cells) in cells_of.iter().enumerate() {
            let line = r as u64 + 2;
            let mut values = Vec::new();
            let mut bad = false;
            for m in &rs.measures {
                let Some(k) = header.iter().position(|h| *h == m.id) else {
                    values.push(None);
                    continue;
                };
                match coerce(cells[k], m.kind, opts.numbers()) {
                    Ok(v) => values.push(v),
                    Err(e) => {
                        bad = true;
                        want_diags.push((e.code, line, k as u64 + 5));
                        values.push(None);
                    }
                }
            }
            if lenient || !bad {
                want_values.push(values);
            }
        }
        let got_values: Vec<_> = got_rows.iter().map(|r| r.values.clone()).collect();
        proptest::prop_assert_eq!(got_values, want_values);
        // The scale checks of percent columns are judged at the end of the file.
        let cell_diags: Vec<_> = got_diags
            .into_iter()
            .filter(|(code, _, _)| !matches!(*code, "mixed-percent-scale" | "percent-as-fraction"))
            .collect();
        proptest::prop_assert_eq!(cell_diags, want_diags);
    }
}

/// The zone of the last province is reused only for the same province: a change of province,
/// an unknown one in between, and a return all read as each row alone reads.
#[test]
fn a_province_zone_is_reused_only_for_the_same_province() {
    let rs = ruleset();
    let rows = [
        ",,Hải Dương,2025,61,85,12,0,Đạt,0",
        ",,Hải Dương,2025,61,85,12,0,Đạt,0",
        ",,Atlantis,2025,61,85,12,0,Đạt,0",
        ",,Hải Dương,2025,61,85,12,0,Đạt,0",
        ",,Lào Cai,2025,61,85,12,0,Đạt,0",
        ",,Hải Dương,2025,61,85,12,0,Đạt,0",
    ];
    let text = file(&rows);
    let read = read_csv(text.as_bytes(), "f.csv", 0, &rs, &opts(false));
    let zone = |id: &str| rs.zone_index(id).unwrap_or(usize::MAX);
    let got: Vec<(u64, usize)> = read.rows.iter().map(|r| (r.line, r.zone)).collect();
    assert_eq!(
        got,
        [
            (2, zone("RRD")),
            (3, zone("RRD")),
            (5, zone("RRD")),
            (6, zone("NMM")),
            (7, zone("RRD"))
        ]
    );
    let unknown: Vec<_> = read
        .diags
        .iter()
        .filter(|d| d.code == "unknown-province")
        .filter_map(|d| d.location.as_ref()?.line)
        .collect();
    assert_eq!(unknown, [4]);
}

/// A file of `cells`: per row, whether it has a name, its district and province (each
/// possibly empty) and its income (possibly empty or not a number).
fn varied_file(cells: &[(usize, usize, usize, usize)]) -> String {
    let mut s = "code,name,district,province,year,income_per_capita,temporary_houses\n".to_string();
    for (i, &(name, district, province, income)) in cells.iter().enumerate() {
        let name = ["", "Xã A", "Xã Bình", "Xa\u{303} Bi\u{300}nh"][name];
        let district = ["", "Huyện Thanh Hà", "Huyện Gia Lộc"][district];
        let province = ["", "Hải Dương", "Tỉnh Hải Dương"][province];
        let income = ["", "55", "61,2", "x"][income];
        s.push_str(&format!(
            "{:05},{name},{district},{province},2025,{income},{}\n",
            20_000 + i,
            i % 3
        ));
    }
    s
}

/// How [`varied_file`] is read: its missing measure columns are no data.
fn varied_opts(lenient: bool) -> ReadOptions {
    ReadOptions {
        allow_missing: true,
        ..opts(lenient)
    }
}

/// Every row of `text`, each read into one of `spent` when given.
fn rows_of(text: &str, spent: Option<Vec<Row>>) -> Vec<Row> {
    let rs = ruleset();
    let opts = varied_opts(true);
    let mut r = RowReader::new(text.as_bytes(), "t.csv", 0, &rs, &opts);
    if let Some(spent) = spent {
        r.recycle(spent);
    }
    std::iter::from_fn(|| r.next_row()).collect()
}

/// Every row of `text` read with `next_row_into` into the rows of `batch` where they lie,
/// more taken from `spare_row` when it runs out, as `evaluate`'s rows thread reads them;
/// then every diagnostic.
fn rows_into(text: &str, lenient: bool, mut batch: Vec<Row>) -> (Vec<Row>, String) {
    let rs = ruleset();
    let opts = varied_opts(lenient);
    let mut r = RowReader::new(text.as_bytes(), "t.csv", 0, &rs, &opts);
    let mut filled = 0;
    loop {
        if filled == batch.len() {
            batch.push(r.spare_row());
        }
        if !r.next_row_into(&mut batch[filled]) {
            break;
        }
        filled += 1;
    }
    batch.truncate(filled);
    let diags = format!("{:?}", r.finish().diags);
    (batch, diags)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Rows read in place into another file's spent rows (a rejected row's slot read into
    /// again, strict or lenient) are the rows `next_row` reads fresh, with the same
    /// diagnostics.
    #[test]
    fn rows_read_in_place_are_rows_read_fresh(
        cells in proptest::collection::vec((0usize..4, 0usize..3, 0usize..3, 0usize..4), 1..40),
        others in proptest::collection::vec((0usize..4, 0usize..3, 0usize..3, 0usize..4), 1..40),
        lenient in proptest::bool::ANY,
    ) {
        let text = varied_file(&cells);
        let (fresh, fresh_diags) = rows_into(&text, lenient, Vec::new());
        let rs = ruleset();
        let opts = varied_opts(lenient);
        let mut r = RowReader::new(text.as_bytes(), "t.csv", 0, &rs, &opts);
        let by_next: Vec<Row> = std::iter::from_fn(|| r.next_row()).collect();
        // A row with a province and an income of `55` or none is read.
        let read = cells.iter().any(|c| c.2 != 0 && c.3 <= 1);
        proptest::prop_assert!(!read || !fresh.is_empty());
        proptest::prop_assert_eq!(format!("{fresh:?}"), format!("{by_next:?}"));
        let mut spent = rows_of(&varied_file(&others), None);
        // Spent rows with something else in every field, the first of them.
        for (i, row) in spent.iter_mut().enumerate().filter(|(i, _)| i % 2 == 0) {
            *row = Row {
                input: 7,
                line: 99 + i as u64,
                code: Some("99999".into()),
                name: Some("Xã Cũ".into()),
                district: Some("Huyện Cũ".into()),
                province: Some("Tỉnh Cũ".into()),
                zone: 2,
                zone_from: ZoneFrom::Province,
                year: 1999,
                year_from: YearFrom::PeriodEnd,
                values: vec![Some(Value::Bool(true)); 3],
                kept: vec![Some("k".into())],
                notes: vec![Note {
                    code: "old",
                    column: None,
                    value: String::new(),
                    message: String::new(),
                }],
            };
        }
        let (in_place, diags) = rows_into(&text, lenient, spent);
        proptest::prop_assert_eq!(format!("{fresh:?}"), format!("{in_place:?}"));
        proptest::prop_assert_eq!(fresh_diags, diags);
    }

    /// Rows read into recycled ones (another file's, with other names, districts, provinces
    /// and values) are the rows read fresh: nothing of a spent row is left over.
    #[test]
    fn rows_read_into_spent_rows_are_rows_read_fresh(
        cells in proptest::collection::vec((0usize..4, 0usize..3, 0usize..3, 0usize..4), 1..40),
        others in proptest::collection::vec((0usize..4, 0usize..3, 0usize..3, 0usize..4), 1..40),
    ) {
        let text = varied_file(&cells);
        let fresh = rows_of(&text, None);
        // A row with a province and an income of `55` or none is read.
        let read = cells.iter().any(|c| c.2 != 0 && c.3 <= 1);
        proptest::prop_assert!(!read || !fresh.is_empty());
        let spent = rows_of(&varied_file(&others), None);
        let recycled = rows_of(&text, Some(spent));
        proptest::prop_assert_eq!(format!("{fresh:?}"), format!("{recycled:?}"));
    }
}

/// Year cells of four digits are read from their bytes, the others as text: each gives the
/// year, where it came from and the diagnostic (with the cell as written, trimmed) that
/// reading the text gives.
#[test]
fn year_cells_read_as_their_text() {
    /// A cell, the row's year and where it came from (none: the row is refused), and the
    /// diagnostics' codes and cells.
    type Case<'a> = (&'a str, Option<(i32, YearFrom)>, &'a [(&'a str, &'a str)]);
    let cases: [Case<'_>; 10] = [
        ("2025", Some((2025, YearFrom::Column)), &[]),
        ("2021", Some((2021, YearFrom::Column)), &[]),
        (" 2024 ", Some((2024, YearFrom::Column)), &[]),
        ("+2024", Some((2024, YearFrom::Column)), &[]),
        ("", Some((2025, YearFrom::PeriodEnd)), &[]),
        ("2020", None, &[("year-outside-period", "2020")]),
        ("2101", None, &[("not-a-year", "2101")]),
        ("0999", None, &[("not-a-year", "0999")]),
        ("20x5", None, &[("not-a-year", "20x5")]),
        ("２０２５", None, &[("not-a-year", "２０２５")]),
    ];
    for (cell, year, diags) in cases {
        let row = format!("10816,Xã Hồng Lạc,Hải Dương,{cell},61,85,12,0,Đạt,0");
        let (rows, ends) = read_files(&[file(&[&row])], &opts(false));
        let read: Vec<(&str, &str)> = ends[0]
            .diags
            .iter()
            .map(|d| (d.code, d.cell.as_ref().map_or("", |c| c.value.as_str())))
            .collect();
        assert_eq!(read, diags, "{cell:?}");
        assert_eq!(
            rows.first().map(|r| (r.year, r.year_from)),
            year,
            "{cell:?}"
        );
    }
}

/// The yes/no cells the first pass leaves (a spelling with a space, a cell too near the
/// record's end) are read among the other cells, in column order, once per row: the
/// buffer that holds them from row to row keeps nothing of the row before.
#[test]
fn yes_no_cells_left_to_the_general_rule_are_read_in_column_order_once() {
    let rows = [
        "10816,Xã Hồng Lạc,Hải Dương,2025,x,85,12,0,nope,y",
        "10825,Xã Tân Việt,Hải Dương,2025,61,85,12,0,Đạt ,0",
        "10828,Xã Cẩm Việt,Hải Dương,2025,70,z,12,0,maybe,0",
        "10831,Xã Cẩm Hưng,Hải Dương,2025,70,85,12,0,Không,0",
    ];
    let (read, ends) = read_files(&[file(&rows)], &opts(true));
    let at: Vec<(&str, Option<u64>, Option<u64>)> = ends[0]
        .diags
        .iter()
        .map(|d| {
            let loc = d.location.as_ref();
            (d.code, loc.and_then(|l| l.line), loc.and_then(|l| l.column))
        })
        .collect();
    assert_eq!(
        at,
        [
            ("not-a-number", Some(2), Some(5)),
            ("not-a-bool", Some(2), Some(9)),
            ("not-a-number", Some(2), Some(10)),
            ("not-a-number", Some(4), Some(6)),
            ("not-a-bool", Some(4), Some(9)),
            ("commune-name-mismatch", Some(5), Some(2)),
        ]
    );
    let rs = ruleset();
    let m = rs
        .measures
        .iter()
        .position(|m| m.id == "general_plan_approved")
        .unwrap_or(usize::MAX);
    let approved: Vec<_> = read
        .iter()
        .map(|r| r.values.get(m).copied().flatten())
        .collect();
    assert_eq!(
        approved,
        [
            None,
            Some(Value::Bool(true)),
            None,
            Some(Value::Bool(false))
        ]
    );
}
