//! `ntm check` beyond the golden cases: every ruleset diagnostic code is unique, documented and
//! has its golden case, and every file in criteria/ passes `check --deny warnings` except the
//! documented warning classes.

use clap::Parser;

/// Run `ntm` in-process; (exit code, stdout, stderr).
fn ntm(args: &[&str]) -> (i32, String, String) {
    let cli = ntm::cli::Cli::try_parse_from(std::iter::once("ntm").chain(args.iter().copied()))
        .expect("arguments parse");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = ntm::run(cli, &mut out, &mut err).expect("runs") as i32;
    (
        code,
        String::from_utf8(out).expect("utf-8"),
        String::from_utf8(err).expect("utf-8"),
    )
}

#[test]
fn ruleset_codes_are_unique() {
    let codes = ntm::ruleset::codes();
    let mut unique = codes.clone();
    unique.dedup();
    assert_eq!(codes, unique, "a code is listed twice");
    for c in &codes {
        assert!(
            !c.is_empty()
                && c.chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'),
            "`{c}` is not kebab-case"
        );
    }
    insta::assert_snapshot!(codes.join("\n"));
}

#[test]
fn every_ruleset_code_has_a_golden_check_case() {
    for code in ntm::ruleset::codes() {
        let case = format!("tests/cmd/check-{code}.toml");
        assert!(
            std::path::Path::new(&case).exists(),
            "no golden case {case}"
        );
        let stderr =
            std::fs::read_to_string(format!("tests/cmd/check-{code}.stderr")).unwrap_or_default();
        let stdout =
            std::fs::read_to_string(format!("tests/cmd/check-{code}.stdout")).unwrap_or_default();
        assert!(
            stderr.contains(&format!("[{code}]")) || stdout.contains(&format!("[{code}]")),
            "{case} does not show `{code}`"
        );
    }
}

/// The documented exceptions: `unverified` (the honest state of the values) and
/// `outside-period` (about today's date, not the file: older sets are past their period).
#[test]
fn every_criteria_file_passes_check_deny_warnings() {
    // criteria/ also holds targets files (`targets-*.toml`, a different format, see
    // docs/targets.md); every other file there must be a built-in ruleset.
    let builtin: Vec<&str> = ntm::ruleset::builtin::BUILTIN
        .iter()
        .map(|(_, path, _)| *path)
        .collect();
    let mut files: Vec<String> = std::fs::read_dir("criteria")
        .expect("criteria/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("targets-"))
        })
        .map(|p| p.display().to_string().replace('\\', "/"))
        .collect();
    files.sort();
    let mut want: Vec<String> = builtin.iter().map(|p| p.to_string()).collect();
    want.sort();
    assert_eq!(files, want, "every ruleset in criteria/ is built in");
    for f in &files {
        let args = [
            "check",
            "--deny",
            "warnings",
            "--allow",
            "unverified",
            "--allow",
            "outside-period",
            f.as_str(),
        ];
        let (code, out, err) = ntm(&args);
        assert_eq!(code, 0, "{f}:\n{out}{err}");
        assert!(err.is_empty(), "{f}: {err}");
        // Without the exceptions the only warnings are of those two classes.
        let (_, _, err) = ntm(&["check", "--today", "2030-01-01", f.as_str()]);
        for line in err.lines().filter(|l| l.contains(": warning[")) {
            assert!(
                line.contains("warning[unverified]") || line.contains("warning[outside-period]"),
                "{f}: {line}"
            );
        }
    }
}
