//! scripts/ruleset-ci.sh (docs/ci.md) run as a CI job would run it, on the project's own
//! criteria/ and their cases: check, test, and a diff against a changed base copy.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ntm-ci-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

fn script(args: &[&str], out: &Path) -> (i32, String) {
    let output = Command::new("bash")
        .arg("scripts/ruleset-ci.sh")
        .args(["-o", out.to_str().expect("UTF-8 path")])
        .args(args)
        .env("NTM", env!("CARGO_BIN_EXE_ntm"))
        .output()
        .expect("bash runs the script");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.code().unwrap_or(-1), text)
}

const CRITERIA: [&str; 3] = [
    "criteria/ntm-2016-2020.toml",
    "criteria/ntm-2021-2025.toml",
    "criteria/ntm-2026-2030.toml",
];

#[test]
fn the_ci_script_passes_on_the_projects_criteria_and_diffs_a_change() {
    let dir = scratch("ok");
    // The base branch had a stricter Red River Delta income threshold in the 2021–2025 set.
    let base = dir.join("base");
    std::fs::create_dir_all(base.join("criteria")).expect("base/criteria");
    let text = std::fs::read_to_string(CRITERIA[1]).expect("the 2021–2025 ruleset");
    let stricter = text.replace("RRD = 50,", "RRD = 60,");
    assert_ne!(stricter, text, "the fixture edit applies");
    std::fs::write(base.join(CRITERIA[1]), stricter).expect("write the base copy");
    for other in [CRITERIA[0], CRITERIA[2]] {
        std::fs::copy(other, base.join(other)).expect("copy an unchanged ruleset");
    }
    let out = dir.join("out");
    let mut args = vec![
        "-c",
        "criteria/tests",
        "-b",
        base.to_str().expect("UTF-8 path"),
    ];
    args.extend(["-d", "examples/communes.csv"]);
    args.extend(CRITERIA);
    let (code, log) = script(&args, &out);
    assert_eq!(code, 0, "{log}");
    let junit = std::fs::read_to_string(out.join("junit.xml")).expect("junit.xml");
    assert!(junit.contains(r#"<testsuites name="ntm test""#), "{junit}");
    assert!(junit.contains(r#"failures="0""#), "{junit}");
    let diff = std::fs::read_to_string(out.join("diff.md")).expect("diff.md");
    // Only the changed ruleset is diffed, with the PR-comment summary line.
    assert!(diff.contains("### `criteria/ntm-2021-2025.toml`"), "{diff}");
    assert!(!diff.contains("ntm-2016-2020"), "{diff}");
    assert!(diff.contains("change level:"), "{diff}");
    let check = std::fs::read_to_string(out.join("check.txt")).expect("check.txt");
    assert_eq!(
        check.lines().filter(|l| l.contains(": ok:")).count(),
        3,
        "{check}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_ci_script_fails_when_a_case_fails() {
    let dir = scratch("fail");
    let (code, log) = script(
        &[
            "-c",
            "tests/fixtures/cases/fail.toml",
            "examples/ruleset.toml",
        ],
        &dir,
    );
    assert_eq!(code, 1, "{log}");
    assert!(log.contains("FAIL tests/fixtures/cases/fail.toml"), "{log}");
    let junit = std::fs::read_to_string(dir.join("junit.xml")).expect("junit.xml");
    assert!(junit.contains(r#"failures="2""#), "{junit}");
    let _ = std::fs::remove_dir_all(&dir);
}
