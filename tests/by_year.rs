//! The built-in ruleset chosen by the assessment year when `--rules` is not given, for inputs
//! the light read ahead of a plain comma CSV does not take (a workbook, a `;` CSV): the full
//! reader reads their `year` column instead.

use std::path::PathBuf;

fn run(args: &[&str]) -> (i32, String, String) {
    use clap::Parser;
    let mut argv = vec!["ntm"];
    argv.extend_from_slice(args);
    let cli = ntm::cli::Cli::try_parse_from(argv).expect("arguments parse");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = match ntm::run(cli, &mut out, &mut err) {
        Ok(code) => code as i32,
        Err(e) => {
            err.extend_from_slice(format!("ntm: error: {e:#}").as_bytes());
            2
        }
    };
    let text = |b: Vec<u8>| String::from_utf8(b).expect("utf-8");
    (code, text(out), text(err))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ntm-by-year-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn chosen(path: &str) -> String {
    let (code, out, err) = run(&["evaluate", path, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    format!(
        "{} by {}",
        v["meta"]["ruleset_id"].as_str().expect("id"),
        v["meta"]["ruleset_chosen_by"].as_str().expect("chosen")
    )
}

#[test]
fn a_workbook_and_a_semicolon_csv_choose_by_their_year_column() {
    let csv =
        std::fs::read_to_string("tests/fixtures/by-year/communes-2026-year.csv").expect("fixture");
    let dir = scratch("formats");
    let semi = dir.join("communes.csv");
    std::fs::write(&semi, csv.replace(',', ";")).expect("write");
    assert_eq!(
        chosen(&semi.to_string_lossy()),
        "ntm-2026-2030 by year column 2026"
    );
    let book = dir.join("communes.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, line) in csv.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            ws.write_string(r as u32, c as u16, cell).expect("cell");
        }
    }
    wb.save(&book).expect("save");
    assert_eq!(
        chosen(&book.to_string_lossy()),
        "ntm-2026-2030 by year column 2026"
    );
}

/// The example data of the README: the light read takes its `year` column.
#[test]
fn the_example_data_chooses_2021_2025() {
    assert_eq!(
        chosen("examples/communes.csv"),
        "ntm-2021-2025 by year column 2025"
    );
}
