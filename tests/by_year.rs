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

/// A commune file of more than 8 MiB, the size from which `evaluate` guesses the set from
/// the first year and confirms it at the end instead of reading the file ahead
/// (`cmd::choose::GUESS_MIN`): every unit of data/units-2024.csv with the cells of the
/// example's first commune, twice, the year of each row from `year_of(pass, unit)`.
fn large(dir: &std::path::Path, year_of: impl Fn(usize, usize) -> i32) -> PathBuf {
    let example = std::fs::read_to_string("examples/communes.csv").expect("example");
    let mut lines = example.lines();
    let header = lines.next().expect("header");
    let rest = lines
        .next()
        .and_then(|row| row.splitn(4, ',').nth(3))
        .expect("cells");
    let units = std::fs::read_to_string("data/units-2024.csv").expect("units");
    let mut text = format!("{header}\n");
    for pass in 0..2 {
        for (u, unit) in units.lines().enumerate() {
            text.push_str(&format!("{},{unit},{rest}\n", year_of(pass, u)));
        }
    }
    assert!(text.len() > 8 << 20, "{} bytes", text.len());
    let path = dir.join("large.csv");
    std::fs::write(&path, text).expect("write");
    path
}

/// A large file is evaluated with the set its first year guesses, and its years confirm it:
/// the set, the reason given and the output are those of the choice made by reading ahead,
/// here the same as with the set named.
#[test]
fn a_large_file_is_chosen_for_as_reading_ahead_chooses() {
    let dir = scratch("large");
    let path = large(&dir, |pass, u| {
        if u % 7 == 0 {
            2022 + pass as i32
        } else {
            2024 + pass as i32
        }
    });
    let path = path.to_string_lossy().to_string();
    let meta = dir.join("meta.json");
    let meta_s = meta.to_string_lossy().to_string();
    let (code, guessed, err) = run(&["evaluate", &path, "--format", "csv", "--meta", &meta_s]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta).expect("meta")).expect("json");
    assert_eq!(v["ruleset_id"], "ntm-2021-2025", "{v}");
    assert_eq!(
        v["ruleset_chosen_by"], "year column 2022, 2023, 2024, 2025",
        "{v}"
    );
    let (code, named, _) = run(&[
        "evaluate",
        &path,
        "--format",
        "csv",
        "--rules",
        "ntm-2021-2025",
    ]);
    assert_eq!(code, 0);
    assert_eq!(guessed, named);
    assert_eq!(guessed.lines().count(), 1 + 2 * 10051);
    std::fs::remove_dir_all(&dir).expect("clean");
}

/// The guess of the first year (2025) is not confirmed by the rest (2026 too): the run is
/// refused as reading ahead refuses it, with nothing written, even where every row would
/// have been read without error (`--allow-out-of-period`).
#[test]
fn a_large_file_whose_years_span_two_sets_is_refused_as_ahead() {
    let dir = scratch("span");
    let path = large(&dir, |pass, u| {
        if pass == 1 && u % 1000 == 999 {
            2026
        } else {
            2025 - pass as i32
        }
    });
    let path = path.to_string_lossy().to_string();
    let out = dir.join("out.csv");
    let out_s = out.to_string_lossy().to_string();
    for extra in [
        &[][..],
        &["--allow-out-of-period"][..],
        &["--allow-out-of-period", "--lenient"][..],
    ] {
        let mut args = vec!["evaluate", &path, "--format", "csv", "-o", &out_s];
        args.extend_from_slice(extra);
        let (code, stdout, err) = run(&args);
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(stdout.is_empty());
        assert!(
            err.contains("the `year` column spans the periods of two rulesets: 2024, 2025 (20092 row(s), `ntm-2021-2025`) and 2026 (10 row(s), `ntm-2026-2030`)"),
            "{extra:?}: {err}"
        );
        assert!(!out.exists(), "{extra:?}: nothing written");
    }
    std::fs::remove_dir_all(&dir).expect("clean");
}
