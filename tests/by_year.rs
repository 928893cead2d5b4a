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

/// A [`large`] file whose first year (2025) is not the period of all: ten rows of its second
/// half are of 2026; reading ahead refuses it with [`SPAN`].
fn spanning(dir: &std::path::Path) -> String {
    let path = large(dir, |pass, u| {
        if pass == 1 && u % 1000 == 999 {
            2026
        } else {
            2025 - pass as i32
        }
    });
    path.to_string_lossy().to_string()
}

/// What reading ahead says of a [`spanning`] file.
const SPAN: &str = "the `year` column spans the periods of two rulesets: 2024, 2025 (20092 row(s), `ntm-2021-2025`) and 2026 (10 row(s), `ntm-2026-2030`)";

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
    let path = spanning(&dir);
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
        assert!(err.contains(SPAN), "{extra:?}: {err}");
        assert!(!out.exists(), "{extra:?}: nothing written");
    }
    std::fs::remove_dir_all(&dir).expect("clean");
}

/// JSON and NDJSON to standard output stream on the guess too: where the rest of a large
/// file confirms it, what they print is what they write into a file (`-o`, whose temporary
/// file the guess has always streamed into), with the same `meta` a read ahead gives.
#[test]
fn json_to_standard_output_streams_on_a_confirmed_guess() {
    let dir = scratch("stream");
    let path = large(&dir, |pass, u| {
        if u % 5 == 0 {
            2022 + pass as i32
        } else {
            2024 + pass as i32
        }
    });
    let path = path.to_string_lossy().to_string();
    for format in ["json", "ndjson"] {
        let out = dir.join(format!("out.{format}"));
        let out_s = out.to_string_lossy().to_string();
        let (code, streamed, err) = run(&["evaluate", &path, "--format", format]);
        assert_eq!(code, 0, "{format}: {err}");
        let (code, _, err) = run(&["evaluate", &path, "--format", format, "-o", &out_s]);
        assert_eq!(code, 0, "{format}: {err}");
        assert_eq!(
            streamed,
            std::fs::read_to_string(&out).expect("output"),
            "{format}"
        );
        let meta: serde_json::Value = if format == "json" {
            let v: serde_json::Value = serde_json::from_str(&streamed).expect("json");
            assert_eq!(v["communes"].as_array().map(Vec::len), Some(2 * 10051));
            v["meta"].clone()
        } else {
            assert_eq!(streamed.lines().count(), 2 * 10051 + 1);
            serde_json::from_str(streamed.lines().last().expect("meta")).expect("meta line")
        };
        assert_eq!(meta["ruleset_id"], "ntm-2021-2025", "{format}");
        assert_eq!(
            meta["ruleset_chosen_by"], "year column 2022, 2023, 2024, 2025",
            "{format}"
        );
    }
    std::fs::remove_dir_all(&dir).expect("clean");
}

/// A guess that the rest of the file does not confirm, after JSON or NDJSON streamed to
/// standard output: the run fails with the error reading ahead gives (exit 2), says the
/// output is incomplete, and ends it so that no parser takes it for whole. Every commune
/// printed is one of the guessed set's period; none of 2026 is. Under
/// `--allow-out-of-period` (where a 2026 row would be printed with the guessed set's
/// verdict) they read ahead, and print nothing.
#[test]
fn json_streamed_on_a_guess_the_rest_refutes_ends_incomplete_with_the_error_of_reading_ahead() {
    let dir = scratch("refuted");
    let path = spanning(&dir);
    for format in ["json", "ndjson"] {
        let (code, out, err) = run(&[
            "evaluate",
            &path,
            "--format",
            format,
            "--allow-out-of-period",
        ]);
        assert_eq!(code, 2, "{format}: {err}");
        assert!(err.contains(SPAN), "{format}: {err}");
        assert!(out.is_empty(), "{format}: read ahead, nothing printed");
    }
    for extra in [&[][..], &["--lenient"][..]] {
        for format in ["json", "ndjson"] {
            let mut args = vec!["evaluate", &path, "--format", format];
            args.extend_from_slice(extra);
            let (code, out, err) = run(&args);
            assert_eq!(code, 2, "{format} {extra:?}: {err}");
            assert!(err.contains(SPAN), "{format} {extra:?}: {err}");
            assert!(
                err.contains(
                    "the output above is incomplete: it was evaluated with `ntm-2021-2025`"
                ),
                "{format} {extra:?}: {err}"
            );
            assert!(!out.is_empty(), "{format} {extra:?}: streamed");
            assert!(!out.contains("\"year\":2026"), "{format} {extra:?}");
            if format == "json" {
                assert!(serde_json::from_str::<serde_json::Value>(&out).is_err());
                assert!(!out.contains("\"meta\""), "{extra:?}");
            } else {
                let lines: Vec<&str> = out.lines().collect();
                assert_eq!(lines.last(), Some(&"{\"type\":\"failed\""), "{extra:?}");
                assert!(!out.contains("\"type\":\"meta\""), "{extra:?}");
                for line in &lines[..lines.len() - 1] {
                    let v: serde_json::Value = serde_json::from_str(line).expect("commune");
                    assert_eq!(v["type"], "commune");
                }
            }
        }
    }
    std::fs::remove_dir_all(&dir).expect("clean");
}
