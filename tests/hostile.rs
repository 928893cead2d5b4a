//! Output that cannot be turned against its reader, as a user runs the binary: a huge cell
//! is echoed short, a newline in a value cannot forge a diagnostic, a formula in a name
//! reaches no CSV as a formula. Hostile files are generated here, not committed.

use std::path::PathBuf;

use clap::Parser;

/// A directory of its own for `name`, with the example ruleset in it.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ntm-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Run `args` in process: exit code, stdout, stderr.
fn run(args: &[&str]) -> (i32, Vec<u8>, String) {
    let cli = ntm::cli::Cli::try_parse_from(std::iter::once("ntm").chain(args.iter().copied()))
        .expect("arguments");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = match ntm::run(cli, &mut out, &mut err) {
        Ok(exit) => exit as i32,
        Err(e) => {
            err.extend(format!("ntm: error: {e:#}\n").as_bytes());
            2
        }
    };
    (code, out, String::from_utf8(err).expect("UTF-8 stderr"))
}

const HEADER: &str = "code,name,district,province,year,income_per_capita,irrigated_area_pct,stunting_under5_pct,temporary_houses,general_plan_approved,smart_villages,field_tourism,field_production,extremely_difficult";

/// The example's first commune, with `income` in the income column.
fn row(code: &str, name: &str, income: &str) -> String {
    format!("{code},{name},Huyện Thanh Hà,Hải Dương,2025,{income},85,12,0,Đạt,0,,,\n")
}

fn no_control(s: &str) -> bool {
    !s.contains(|c: char| c != '\n' && ntm::text::is_escaped(c))
}

#[test]
fn a_huge_cell_is_echoed_short() {
    let dir = scratch("huge");
    let data = dir.join("data.csv");
    let errors = dir.join("errors.csv");
    let big = "9x".repeat(450 << 10); // 900 KiB in one cell, under the 1 MiB record limit
    std::fs::write(&data, format!("{HEADER}\n{}", row("10816", "Xã A", &big))).expect("write");
    let (code, _, err) = run(&[
        "evaluate",
        "--rules",
        "examples/ruleset.toml",
        "--errors-out",
        errors.to_str().expect("path"),
        data.to_str().expect("path"),
    ]);
    assert_eq!(code, 2, "{err}");
    // Was 900 KiB: the cell echoed whole.
    assert!(err.len() < 2_000, "{} bytes on stderr", err.len());
    assert!(
        err.contains("9x9x9x9x… (921,600 bytes)` is not valid"),
        "{err}"
    );
    let errors = std::fs::read_to_string(&errors).expect("errors.csv");
    assert!(
        errors.len() < 2_000,
        "{} bytes in --errors-out",
        errors.len()
    );
    assert!(errors.contains("… (921,600 bytes)"), "{errors}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_newline_in_a_value_cannot_forge_a_diagnostic() {
    let dir = scratch("forge");
    let data = dir.join("data.csv");
    let value = "\"1\nd.csv:9:1: error[forged]: \u{1b}[2Jgotcha\"";
    std::fs::write(
        &data,
        format!(
            "{HEADER}\n{}{}",
            row("10816", "Xã A", value),
            row("10825", "Xã\u{202e}B", "x\u{7}")
        ),
    )
    .expect("write");
    let (code, _, err) = run(&[
        "evaluate",
        "--rules",
        "examples/ruleset.toml",
        data.to_str().expect("path"),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(no_control(&err), "{err:?}");
    assert!(!err.lines().any(|l| l.starts_with("d.csv:9:1")), "{err}");
    // Two cell errors, each a line and its help, and the closing line.
    let errors = err.lines().filter(|l| l.contains(": error[")).count();
    assert_eq!(errors, 2, "{err}");
    assert!(
        err.contains("`1\\nd.csv:9:1: error[forged]: \\u{1b}[2Jgotcha`"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn formulas_and_controls_in_names_reach_no_csv_and_no_table_raw() {
    let dir = scratch("formula");
    let data = dir.join("data.csv");
    std::fs::write(
        &data,
        format!(
            "{HEADER}\n{}{}",
            row("10816", "=1+2", "61"),
            row("10825", "\"@SUM(A1)\u{1b}[31m\nX\"", "80")
        ),
    )
    .expect("write");
    let data = data.to_str().expect("path");
    let rules = "examples/ruleset.toml";
    for args in [
        vec!["evaluate", "--rules", rules, "--format", "csv", data],
        vec!["evaluate", "--rules", rules, "--format", "long", data],
        vec![
            "summary", "--rules", rules, "--by", "name", "--format", "csv", data,
        ],
    ] {
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{args:?}: {err}");
        let out = String::from_utf8(out).expect("UTF-8");
        assert!(no_control(&out), "{args:?}: {out:?}");
        let mut rdr = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .flexible(true)
            .from_reader(out.as_bytes());
        for rec in rdr.records() {
            for f in rec.expect("record").iter() {
                assert!(
                    !f.starts_with(['=', '@']),
                    "{args:?}: formula cell {f:?} in\n{out}"
                );
            }
        }
        assert!(out.contains("'=1+2"), "{args:?}: {out}");
        assert!(out.contains("'@SUM(A1)\\u{1b}[31m\\nX"), "{args:?}: {out}");
    }
    for args in [
        vec!["evaluate", "--rules", rules, data],
        vec!["summary", "--rules", rules, "--by", "name", data],
        vec!["explain", "--rules", rules, "--commune", "10825", data],
    ] {
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{args:?}: {err}");
        let out = String::from_utf8(out).expect("UTF-8");
        assert!(no_control(&out), "{args:?}: {out:?}");
        assert!(out.contains("@SUM(A1)\\u{1b}[31m\\nX"), "{args:?}: {out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
