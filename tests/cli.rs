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
