//! Reading real-world files: the row reader fed by any record source, and the property that a
//! table gives the same results whatever file it arrives in (CSV with any delimiter or
//! encoding, or XLSX).

use std::path::{Path, PathBuf};

use clap::Parser;
use ntm::data::decode::{self, Encoding};
use ntm::data::read::{ReadOptions, RecordSource, RowReader, csv_records};
use proptest::prelude::*;
use rust_xlsxwriter::Workbook;
use unicode_normalization::UnicodeNormalization;

use crate::pipeline::{OPTS, example};

const HEADER: &str = "code;province;year;income_per_capita;irrigated_area_pct;stunting_under5_pct;temporary_houses;general_plan_approved;smart_villages;field_tourism;field_production;extremely_difficult";

/// Lines and codes of the rows read from `text` (`;`-separated), and the diagnostics' codes.
fn read(text: &str, opts: &ReadOptions) -> (Vec<(u64, String)>, Vec<String>, Option<u64>) {
    let rs = example();
    let mut rdr = RowReader::from_source(csv_records(text.as_bytes(), b';'), "t.csv", 0, &rs, opts);
    let mut rows = Vec::new();
    while let Some(r) = rdr.next_row() {
        rows.push((r.line, r.code.unwrap_or_default()));
    }
    let end = rdr.finish();
    // Errors only: the made-up codes `A`, `B` are warned about (`unknown-commune-code`).
    let codes = end
        .diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code.to_string())
        .collect();
    (rows, codes, end.header_line)
}

const ROW: &str = "Hải Dương;2025;61,2;85;12;0;Đạt;0;;;";

#[test]
fn crlf_lines_are_counted_as_an_editor_shows_them() {
    let text = format!("{HEADER}\r\nA;{ROW}\r\nB;{ROW}\r\n\r\nC;{ROW}\r\n");
    let (rows, codes, header) = read(&text, &OPTS);
    assert_eq!(codes, Vec::<String>::new());
    assert_eq!(header, Some(1));
    assert_eq!(
        rows,
        vec![(2, "A".into()), (3, "B".into()), (5, "C".into())]
    );
}

#[test]
fn a_title_block_above_the_header_is_skipped_and_blank_rows_are_not_communes() {
    let text = format!(
        "\u{feff}BÁO CÁO KẾT QUẢ;;;;;;;;;;;\nTỉnh Hải Dương;;;;;;;;;;;\n;;;;;;;;;;;\n{HEADER}\nA;{ROW}\n;;;;;;;;;;;\nB;{ROW}\n"
    );
    let (rows, codes, header) = read(&text, &OPTS);
    assert_eq!(codes, Vec::<String>::new());
    assert_eq!(header, Some(4));
    assert_eq!(rows, vec![(5, "A".into()), (7, "B".into())]);
}

#[test]
fn header_row_flag_takes_that_line_whatever_it_holds() {
    let text = format!("{HEADER}\nA;{ROW}\n");
    let forced = ReadOptions {
        header_row: Some(2),
        ..OPTS
    };
    let (rows, codes, header) = read(&text, &forced);
    assert!(rows.is_empty());
    assert_eq!(header, Some(2));
    assert!(
        codes.contains(&"no-measure-columns".to_string()),
        "{codes:?}"
    );
}

#[test]
fn no_header_among_the_first_rows_is_an_error() {
    let text = "a;b\n".repeat(30);
    let (rows, codes, header) = read(&text, &OPTS);
    assert!(rows.is_empty());
    assert_eq!(header, None);
    assert_eq!(codes, vec!["header-not-found".to_string()]);
}

#[test]
fn a_short_row_is_located_and_the_header_bom_is_dropped() {
    let text = format!("\u{feff}{HEADER}\nA;{ROW}\nB;Hải Dương\n");
    let (rows, codes, _) = read(&text, &OPTS);
    assert_eq!(rows, vec![(2, "A".into())]);
    assert_eq!(codes, vec!["wrong-field-count".to_string()]);
}

// --- the same table in any file -------------------------------------------------------------

/// One random but valid data row for examples/ruleset.toml, as cell text with `.` decimals.
/// Numbers are written without trailing zeros: a numeric worksheet cell has no `20.0`.
fn row() -> impl Strategy<Value = Vec<String>> {
    let num = |lo: u32, hi: u32| {
        (lo..hi, 0u32..10).prop_map(|(i, f)| match f {
            0 => i.to_string(),
            f => format!("{i}.{f}"),
        })
    };
    let yes_no = prop_oneof![Just("Đạt"), Just("Không đạt"), Just("")].prop_map(String::from);
    (
        prop_oneof![
            Just("Hải Dương"),
            Just("Cà Mau"),
            Just("Lào Cai"),
            Just("Đồng Nai")
        ],
        prop_oneof![num(20, 100), Just(String::new())],
        // Percentages above 1: a percent column of values in [0, 1] is `percent-as-fraction`.
        num(2, 100),
        num(2, 40),
        0u32..3,
        yes_no.clone(),
        0u32..3,
        (yes_no.clone(), yes_no),
    )
        .prop_map(|(prov, inc, irr, stunt, houses, plan, smart, (tour, ed))| {
            vec![
                prov.to_string(),
                "2025".to_string(),
                inc,
                irr,
                stunt,
                houses.to_string(),
                plan,
                smart.to_string(),
                tour,
                String::new(),
                ed,
            ]
        })
}

fn table(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    let header = HEADER.split(';').map(String::from).collect();
    std::iter::once(header)
        .chain(
            rows.iter()
                .enumerate()
                .map(|(i, r)| std::iter::once(format!("C{i}")).chain(r.clone()).collect()),
        )
        .collect()
}

#[derive(Debug, Clone, Copy)]
enum Enc {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1258,
}

fn csv_bytes(table: &[Vec<String>], delimiter: char, enc: Enc, nfd: bool, crlf: bool) -> Vec<u8> {
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut text = String::new();
    for r in table {
        let cells: Vec<String> = r
            .iter()
            .map(|c| {
                if c.contains(delimiter) {
                    format!("\"{c}\"")
                } else {
                    c.clone()
                }
            })
            .collect();
        text.push_str(&cells.join(&delimiter.to_string()));
        text.push_str(eol);
    }
    if nfd {
        text = text.nfd().collect();
    }
    match enc {
        Enc::Utf8 => text.into_bytes(),
        Enc::Utf8Bom => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        Enc::Utf16Le => crate::fixtures::to_utf16(&text, true),
        Enc::Utf16Be => crate::fixtures::to_utf16(&text, false),
        Enc::Windows1258 => crate::fixtures::to_windows_1258(&text),
    }
}

fn xlsx_bytes(table: &[Vec<String>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Xã").expect("name");
    for (r, row) in table.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            // Numbers as numeric cells, the commune code as text, as offices key them.
            match v.parse::<f64>() {
                Ok(n) if c > 0 => ws.write_number(r, c, n).map(|_| ()),
                _ if v.is_empty() => Ok(()),
                _ => ws.write_string(r, c, v).map(|_| ()),
            }
            .expect("write");
        }
    }
    wb.save_to_buffer().expect("save")
}

/// Run `args` in process; it must succeed.
fn run_ok(args: &[&str]) -> Vec<u8> {
    let cli = ntm::cli::Cli::try_parse_from(args).expect("arguments");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let exit = ntm::run(cli, &mut out, &mut err).expect("run");
    assert_eq!(
        exit,
        ntm::Exit::Success,
        "{}",
        String::from_utf8_lossy(&err)
    );
    out
}

/// `ntm evaluate --format json` of one file, without what names the file.
fn evaluate_json(path: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "ntm",
        "evaluate",
        "--rules",
        "examples/ruleset.toml",
        "--format",
        "json",
    ];
    args.extend(extra);
    let path_text = path.display().to_string();
    args.push(&path_text);
    let out = run_ok(&args);
    let mut v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    v["meta"].as_object_mut().expect("meta").remove("inputs");
    for c in v["communes"].as_array_mut().expect("communes") {
        c.as_object_mut().expect("commune").remove("file");
    }
    v
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ntm-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn csv_in_any_form_and_xlsx_give_the_same_json(
        rows in prop::collection::vec(row(), 1..12),
        delimiter in prop_oneof![Just(','), Just(';'), Just('\t')],
        enc in prop_oneof![
            Just(Enc::Utf8), Just(Enc::Utf8Bom), Just(Enc::Utf16Le), Just(Enc::Utf16Be),
            Just(Enc::Windows1258)
        ],
        nfd in any::<bool>(),
        crlf in any::<bool>(),
        decimal_comma in any::<bool>(),
    ) {
        let t = table(&rows);
        // A Vietnamese-locale export writes `61,2`; the XLSX holds the number 61.2.
        let written: Vec<Vec<String>> = if decimal_comma {
            t.iter()
                .map(|r| r.iter().map(|c| if c.parse::<f64>().is_ok() { c.replace('.', ",") } else { c.clone() }).collect())
                .collect()
        } else {
            t.clone()
        };
        let csv = temp_file("t.csv", &csv_bytes(&written, delimiter, enc, nfd, crlf));
        let xlsx = temp_file("t.xlsx", &xlsx_bytes(&t));
        let extra: &[&str] = match enc {
            Enc::Windows1258 => &["--encoding", "windows-1258"],
            _ => &[],
        };
        let from_csv = evaluate_json(&csv, extra);
        let from_xlsx = evaluate_json(&xlsx, &[]);
        prop_assert_eq!(from_csv["communes"].as_array().map(Vec::len), Some(rows.len()));
        prop_assert_eq!(from_csv, from_xlsx);
    }
}

// --- templates read back ----------------------------------------------------------------------

/// One commune under the template's columns (examples/ruleset.toml, region zoning): code,
/// name, district, province, region, year, then the measures in ruleset order.
const FILLED: [&str; 15] = [
    "10816",
    "Xã Hồng Lạc",
    "Huyện Thanh Hà",
    "Hải Dương",
    "",
    "2025",
    "61.2",
    "85",
    "12",
    "0",
    "Đạt",
    "0",
    "",
    "",
    "",
];

#[test]
fn a_filled_csv_template_reads_back() {
    let mut bytes = run_ok(&[
        "ntm",
        "template",
        "--rules",
        "examples/ruleset.toml",
        "--format",
        "csv",
    ]);
    bytes.extend(FILLED.join(",").as_bytes());
    bytes.push(b'\n');
    let path = temp_file("template.csv", &bytes);
    let json = evaluate_json(&path, &[]);
    let c = &json["communes"][0];
    assert_eq!(c["code"], "10816");
    assert_eq!(c["line"], 4);
    assert_eq!(c["level"], "standard");
    assert_eq!(json["meta"]["communes"], 1);
}

#[test]
fn a_filled_xlsx_template_reads_back_like_the_csv_one() {
    let dir = std::env::temp_dir().join(format!("ntm-template-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let out = dir.join("mau.xlsx");
    let out_text = out.display().to_string();
    run_ok(&[
        "ntm",
        "template",
        "--rules",
        "examples/ruleset.toml",
        "-o",
        &out_text,
    ]);
    let bytes = std::fs::read(&out).expect("template written");
    // Copy what the template holds into a new workbook, as an office saving it would, and
    // fill one commune below the header.
    let mut sheet = ntm::data::sheet::open(&bytes, None, "mau.xlsx").expect("workbook");
    assert_eq!(sheet.sheet, "Xã");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let mut rec = csv::ByteRecord::new();
    let mut rows = 0u32;
    while ntm::data::read::RecordSource::read_record(&mut sheet, &mut rec).expect("row") {
        for (c, v) in rec.iter().enumerate() {
            let v = std::str::from_utf8(v).expect("utf-8");
            ws.write_string(rows, c as u16, v).expect("write");
        }
        rows += 1;
    }
    assert_eq!(rows, 3, "title, hint and header rows");
    for (c, v) in FILLED.iter().enumerate() {
        match v.parse::<f64>() {
            Ok(n) if c > 0 => ws.write_number(rows, c as u16, n).map(|_| ()),
            _ => ws.write_string(rows, c as u16, *v).map(|_| ()),
        }
        .expect("write");
    }
    let filled = temp_file("filled.xlsx", &wb.save_to_buffer().expect("save"));
    let from_xlsx = evaluate_json(&filled, &[]);
    let mut csv_bytes = run_ok(&["ntm", "template", "--rules", "examples/ruleset.toml"]);
    csv_bytes.extend(FILLED.join(",").as_bytes());
    let from_csv = evaluate_json(&temp_file("filled.csv", &csv_bytes), &[]);
    assert_eq!(from_xlsx, from_csv);
    assert_eq!(from_xlsx["communes"][0]["level"], "standard");
}

#[test]
fn a_workbook_on_standard_input_is_known_by_its_bytes() {
    let book = std::fs::File::open("tests/fixtures/input/title-block.xlsx").expect("fixture");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ntm"))
        .args([
            "evaluate",
            "--rules",
            "examples/ruleset.toml",
            "--sheet",
            "Xã",
            "--format",
            "json",
            "-",
        ])
        .stdin(book)
        .output()
        .expect("run ntm");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let input = &json["meta"]["inputs"][0];
    assert_eq!(input["path"], "<stdin>");
    assert_eq!(input["format"], "xlsx");
    assert_eq!(input["header_row"], 4);
    assert_eq!(json["communes"][2]["line"], 7);
    assert_eq!(json["communes"][2]["file"], "<stdin>");
}

// --- any bytes --------------------------------------------------------------------------------

/// Open `bytes` as the commands do (fuzz/fuzz_targets/input_file.rs does the same under
/// cargo-fuzz) and read every row; returns (records, rows, rejected).
fn open_any(
    bytes: &[u8],
    encoding: Option<Encoding>,
    header_row: Option<u64>,
) -> (usize, usize, usize) {
    fn drain<S: RecordSource>(mut rows: RowReader<'_, S>) -> (usize, usize, usize) {
        let mut read = 0;
        while rows.next_row().is_some() {
            read += 1;
        }
        let end = rows.finish();
        (end.records, read, end.rejected)
    }
    let rs = example();
    let opts = ReadOptions { header_row, ..OPTS };
    if ntm::data::sheet::is_workbook("any", bytes) {
        return match ntm::data::sheet::open(bytes, None, "any.xlsx") {
            Ok(records) => drain(RowReader::from_source(records, "any.xlsx", 0, &rs, &opts)),
            Err(_) => (0, 0, 0),
        };
    }
    let split = bytes.len().min(8);
    let (_, text, _) = decode::decode(bytes[..split].to_vec(), &bytes[split..], encoding);
    let (delimiter, text) = decode::delimiter(text, None).expect("in-memory read");
    drain(RowReader::from_source(
        csv_records(text, delimiter),
        "any.csv",
        0,
        &rs,
        &opts,
    ))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_in_any_encoding_read_without_panic_and_account_for_every_record(
        body in prop::collection::vec(any::<u8>(), 0..600),
        lead in prop_oneof![
            Just(Vec::new()), Just(b"\xEF\xBB\xBF".to_vec()), Just(b"\xFF\xFE".to_vec()),
            Just(b"\xFE\xFF".to_vec()), Just(b"PK\x03\x04".to_vec()),
            Just(format!("{HEADER}\n").into_bytes())
        ],
        encoding in prop_oneof![
            Just(None), Just(Some(Encoding::Utf16Le)), Just(Some(Encoding::Windows1258)),
            Just(Some(Encoding::Windows1252))
        ],
        header_row in prop_oneof![Just(None), (1u64..4).prop_map(Some)],
    ) {
        let bytes = [lead, body].concat();
        let (records, rows, rejected) = open_any(&bytes, encoding, header_row);
        prop_assert_eq!(records, rows + rejected);
    }
}

/// `ntm evaluate` of `bytes` (`;`-separated, the example ruleset): exit code, stdout, stderr.
fn evaluate_bytes(name: &str, bytes: &[u8]) -> (ntm::Exit, String, String) {
    let dir = std::env::temp_dir().join(format!("ntm-utf8-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join("x.csv");
    std::fs::write(&path, bytes).expect("write");
    let path = path.to_string_lossy().to_string();
    let args = [
        "ntm",
        "evaluate",
        "--rules",
        "examples/ruleset.toml",
        "--format",
        "csv",
        // The `# input … rows N` line says how many rows were read.
        "--csv-comments",
        &path,
    ];
    let cli = ntm::cli::Cli::try_parse_from(args).expect("arguments");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let exit = ntm::run(cli, &mut out, &mut err).expect("run");
    let _ = std::fs::remove_dir_all(&dir);
    (
        exit,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

/// A file longer than one read chunk whose `Đ` at line `cut_line` starts one byte before a
/// chunk boundary, so the character is cut between two chunks; then lines up to `lines`.
fn straddling_file(lines: usize) -> (Vec<u8>, usize) {
    let chunk = ntm::cmd::CHUNK;
    let mut bytes = format!("{HEADER}\n").into_bytes();
    let mut cut_line = 0;
    for i in 0..lines {
        let line = i + 2;
        // No code: made-up codes would each be warned about.
        let row = format!(";{ROW}\n");
        // The offset of `Đạt` in this row, and how far it would start from the boundary.
        let at = bytes.len() + row.find('Đ').unwrap_or(0);
        if cut_line == 0 && at + row.len() >= chunk {
            // Pad the cell before `Đạt` (cells are trimmed) so `Đ` starts at chunk - 1.
            let pad = (chunk - 1).saturating_sub(at);
            let row = row.replacen(";Đạt", &format!(";{}Đạt", " ".repeat(pad)), 1);
            assert_eq!(bytes.len() + row.find('Đ').unwrap_or(0), chunk - 1);
            bytes.extend_from_slice(row.as_bytes());
            cut_line = line;
            continue;
        }
        bytes.extend_from_slice(row.as_bytes());
    }
    assert!(cut_line > 0, "the file passes the first chunk");
    (bytes, cut_line)
}

/// The file is checked for UTF-8 chunk by chunk as it is read (issue #7): a character cut
/// between two chunks is whole, every row is read.
#[test]
fn a_character_cut_between_read_chunks_is_read_whole() {
    let (bytes, _) = straddling_file(3_000);
    let (exit, out, err) = evaluate_bytes("straddle", &bytes);
    assert_eq!(exit, ntm::Exit::Success, "{err}");
    assert!(out.contains("rows 3000"), "{}", &out[..300.min(out.len())]);
}

/// A bad byte after the first chunks stops the file at its own line and field, with every
/// row before it read, as a check of each record would.
#[test]
fn a_bad_byte_past_the_first_chunks_is_found_at_its_line() {
    let (mut bytes, cut_line) = straddling_file(3_000);
    bytes.extend_from_slice(b";H\xE1i D\xFF;2025;61;85;12;0;yes;0;;;\n");
    let bad_line = 3_000 + 2;
    assert!(bad_line > cut_line);
    let (exit, _, err) = evaluate_bytes("late", &bytes);
    assert_eq!(exit, ntm::Exit::Invalid);
    assert!(
        err.contains(&format!(
            ":{bad_line}:2: error[invalid-utf8]: the file is not UTF-8: field 2 of the row starting at byte offset {} is invalid from its byte 2 on",
            bytes.len() - 33
        )),
        "{err}"
    );
}

/// Bytes that are UTF-8 only once the delimiter between them is dropped (`\xC3;\xA9`) are
/// found too, at the field that holds the cut character.
#[test]
fn a_character_cut_by_a_delimiter_stops_the_file() {
    let mut bytes = format!("{HEADER}\nA;{ROW}\n").into_bytes();
    bytes.extend_from_slice(b"B;H\xC3;\xA9;2025;61;85;12;0;yes;0;;\n");
    let (exit, _, err) = evaluate_bytes("delim", &bytes);
    assert_eq!(exit, ntm::Exit::Invalid);
    assert!(err.contains(":3:2: error[invalid-utf8]"), "{err}");
}
