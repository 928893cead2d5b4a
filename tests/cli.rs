//! Golden CLI cases: tests/cmd/*.toml (+ .stdout/.stderr), and the README's examples.
//! Bless changes with `TRYCMD=overwrite cargo test --test integration` and review the diff.

#[test]
fn cli_cases() {
    // The goldens do not depend on the shell they run from: a table's width (`COLUMNS`) and
    // the language of people's output (`LANG`, `LC_ALL`, `LC_MESSAGES`) are fixed for every
    // case, except those a case sets or removes itself. trycmd's defaults override a case's
    // own, so cases are run in groups by the variables they name.
    const SHELL: [(&str, &str); 4] = [
        ("COLUMNS", ""),
        ("LANG", "C.UTF-8"),
        ("LC_ALL", ""),
        ("LC_MESSAGES", ""),
    ];
    let mut cases: Vec<_> = std::fs::read_dir("tests/cmd")
        .expect("tests/cmd")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    cases.sort();
    let mut groups: std::collections::BTreeMap<Vec<&str>, Vec<std::path::PathBuf>> =
        std::collections::BTreeMap::new();
    for case in cases {
        let text = std::fs::read_to_string(&case).expect("a case file");
        let named: Vec<&str> = SHELL
            .iter()
            .map(|(var, _)| *var)
            .filter(|var| {
                text.contains(&format!("\"{var}\"")) || text.contains(&format!("{var} ="))
            })
            .collect();
        groups.entry(named).or_default().push(case);
    }
    for (named, cases) in &groups {
        let run = trycmd::TestCases::new();
        for (var, value) in SHELL.iter().filter(|(var, _)| !named.contains(var)) {
            run.env(*var, *value);
        }
        for case in cases {
            run.case(case);
        }
        if named.is_empty() {
            run.case("README.md");
        }
    }
}

#[test]
fn clap_definition_is_consistent() {
    use clap::CommandFactory;
    ntm::cli::Cli::command().debug_assert();
}

#[test]
fn every_ruleset_diagnostic_code_is_documented() {
    let doc = std::fs::read_to_string("docs/ruleset.md").expect("docs/ruleset.md");
    for code in ntm::ruleset::codes() {
        assert!(
            doc.contains(&format!("| `{code}` |")),
            "`{code}` is not in docs/ruleset.md"
        );
    }
}

/// docs/criteria-2021-2025.md is `ntm rules show ntm-2021-2025 --format md --lang en`.
/// Regenerate it with `NTM_BLESS_DOCS=1 cargo test --test integration criteria_book`.
#[test]
fn criteria_book_in_docs_is_up_to_date() {
    use clap::Parser;
    let path = "docs/criteria-2021-2025.md";
    let cli = ntm::cli::Cli::try_parse_from([
        "ntm",
        "rules",
        "show",
        "ntm-2021-2025",
        "--format",
        "md",
        "--lang",
        "en",
    ])
    .expect("arguments parse");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let exit = ntm::run(cli, &mut out, &mut err).expect("rules show runs");
    assert_eq!(
        exit,
        ntm::Exit::Success,
        "{}",
        String::from_utf8_lossy(&err)
    );
    let book = String::from_utf8(out).expect("UTF-8");
    if std::env::var_os("NTM_BLESS_DOCS").is_some() {
        std::fs::write(path, &book).expect("write the criteria book");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == book,
        "{path} is out of date: run `NTM_BLESS_DOCS=1 cargo test --test integration criteria_book`"
    );
}

#[test]
fn every_targets_diagnostic_code_is_documented() {
    let doc = std::fs::read_to_string("docs/targets.md").expect("docs/targets.md");
    for code in ntm::summary::targets::CODES {
        assert!(
            doc.contains(&format!("| `{code}` |")),
            "`{code}` is not in docs/targets.md"
        );
    }
}

#[test]
fn every_case_file_diagnostic_code_is_documented() {
    let doc = std::fs::read_to_string("docs/testing.md").expect("docs/testing.md");
    for code in ntm::test::CODES {
        assert!(
            doc.contains(&format!("| `{code}` |")),
            "`{code}` is not in docs/testing.md"
        );
    }
}

#[test]
fn every_data_diagnostic_code_is_documented() {
    let doc = std::fs::read_to_string("docs/data.md").expect("docs/data.md");
    let table = doc
        .split("## Diagnostic codes")
        .nth(1)
        .expect("docs/data.md has a Diagnostic codes section");
    let documented: Vec<&str> = table
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .collect();
    assert_eq!(documented, ntm::data::CODES.to_vec());
}

#[test]
fn every_reported_figures_diagnostic_code_is_documented() {
    let doc = std::fs::read_to_string("docs/summary.md").expect("docs/summary.md");
    for code in ntm::summary::compare::CODES {
        assert!(
            doc.contains(&format!("| `{code}` |")),
            "`{code}` is not in docs/summary.md"
        );
    }
}

#[test]
fn every_diff_diagnostic_code_is_documented() {
    let doc = std::fs::read_to_string("docs/diff.md").expect("docs/diff.md");
    for code in ntm::cmd::DIFF_CODES {
        assert!(
            doc.contains(&format!("| `{code}` |")),
            "`{code}` is not in docs/diff.md"
        );
    }
}

/// Each case-file code has a golden case that shows it, and no code of another family is
/// reused with another meaning.
#[test]
fn every_case_file_code_has_a_golden_case_and_is_its_own() {
    let mut stderr = String::new();
    for entry in std::fs::read_dir("tests/cmd").expect("tests/cmd") {
        let path = entry.expect("an entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("test-") && name.ends_with(".stderr") {
            stderr.push_str(&std::fs::read_to_string(&path).expect("a golden file"));
        }
    }
    let others: Vec<&str> = ntm::ruleset::codes()
        .into_iter()
        .chain(ntm::data::CODES)
        .chain(ntm::cmd::DIFF_CODES)
        .collect();
    for code in ntm::test::CODES {
        assert!(
            stderr.contains(&format!("[{code}]")),
            "no tests/cmd/test-*.stderr shows `{code}`"
        );
        assert!(
            !others.contains(&code),
            "`{code}` is also another family's code"
        );
    }
    for code in ntm::cmd::DIFF_CODES {
        assert!(!ntm::ruleset::codes().contains(&code) && !ntm::data::CODES.contains(&code));
    }
}

/// Each `rules import` code is documented in docs/provinces.md, shown by a golden case where
/// the sheet is hand-made, and is no other family's code.
#[test]
fn every_sheet_import_code_is_documented_and_its_own() {
    let doc = std::fs::read_to_string("docs/provinces.md").expect("docs/provinces.md");
    let mut stderr = String::new();
    for entry in std::fs::read_dir("tests/cmd").expect("tests/cmd") {
        let path = entry.expect("an entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("rules-import-") && name.ends_with(".stderr") {
            stderr.push_str(&std::fs::read_to_string(&path).expect("a golden file"));
        }
    }
    let others: Vec<&str> = ntm::ruleset::codes()
        .into_iter()
        .chain(ntm::data::CODES)
        .chain(ntm::cmd::DIFF_CODES)
        .chain(ntm::test::CODES)
        .collect();
    for code in ntm::ruleset::sheet::CODES {
        assert!(
            doc.contains(&format!("| `{code}` |")),
            "`{code}` is not in docs/provinces.md"
        );
        assert!(!others.contains(&code), "`{code}` is another family's code");
    }
    for code in [
        "missing-sheet-source",
        "bad-sheet-value",
        "edited-reference-column",
        "sheet-of-another-ruleset",
    ] {
        assert!(
            stderr.contains(&format!("[{code}]")),
            "no tests/cmd/rules-import-*.stderr shows `{code}`"
        );
    }
}

/// The progress line is drawn only when standard error is a terminal: a run long enough to
/// draw it (well past the first 250 ms in a debug build) prints nothing on a piped stderr.
#[test]
fn no_progress_line_when_stderr_is_not_a_terminal() {
    let dir = std::env::temp_dir().join(format!("ntm-progress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let data = dir.join("many.csv");
    let mut csv = String::from(
        "code,province,income_per_capita,irrigated_area_pct,stunting_under5_pct,temporary_houses,general_plan_approved,smart_villages\n",
    );
    for i in 0..60_000 {
        csv.push_str(&format!("{},Hải Dương,61,85,12,0,yes,0\n", 100_000 + i));
    }
    std::fs::write(&data, csv).expect("data");
    let started = std::time::Instant::now();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_ntm"))
        .args([
            "evaluate",
            "--rules",
            "examples/ruleset.toml",
            "--format",
            "csv",
        ])
        .arg(&data)
        .output()
        .expect("runs");
    let took = started.elapsed();
    let _ = std::fs::remove_dir_all(&dir);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("rows read"), "{err}");
    assert!(!err.contains('\r'), "{err:?}");
    // Long enough that a terminal would have seen the line (a debug build reads about
    // 30,000 rows a second; a release build may be done before the first 250 ms).
    if cfg!(debug_assertions) {
        assert!(took > std::time::Duration::from_millis(250), "{took:?}");
    }
}
