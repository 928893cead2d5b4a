//! Golden CLI cases: tests/cmd/*.toml (+ .stdout/.stderr), and the README's examples.
//! Bless changes with `TRYCMD=overwrite cargo test --test integration` and review the diff.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .case("tests/cmd/*.toml")
        .case("README.md");
}

#[test]
fn clap_definition_is_consistent() {
    use clap::CommandFactory;
    ntm::cli::Cli::command().debug_assert();
}

#[test]
fn every_ruleset_diagnostic_code_is_documented() {
    let doc = std::fs::read_to_string("docs/ruleset.md").expect("docs/ruleset.md");
    let load_codes = ["invalid-toml", "unknown-key", "missing-key"];
    for code in ntm::ruleset::validate::CODES.iter().chain(&load_codes) {
        assert!(
            doc.contains(&format!("| `{code}` |")),
            "`{code}` is not in docs/ruleset.md"
        );
    }
}
