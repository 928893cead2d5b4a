//! Choosing a built-in ruleset parses only the sets it must compare with the data (issue #14).

use super::*;

fn input(args: &[&str]) -> InputArgs {
    use clap::Parser;
    let argv = ["ntm", "evaluate"].into_iter().chain(args.iter().copied());
    match crate::cli::Cli::try_parse_from(argv)
        .expect("arguments parse")
        .command
    {
        crate::cli::Command::Evaluate(e) => e.input,
        _ => unreachable!("evaluate"),
    }
}

/// Chooses for `args` and returns the chosen id and the sets that were parsed.
fn choose_parsing(args: &[&str]) -> (&'static str, Vec<&'static str>) {
    let input = input(args);
    let opts = crate::cmd::read_options(&input);
    let sets = Builtins::new();
    let choice = choose_from(&sets, &input, &opts).expect("a choice");
    (choice.id, sets.parsed())
}

#[test]
fn a_2025_file_parses_only_the_default_set() {
    assert_eq!(
        choose_parsing(&["examples/communes.csv"]),
        ("ntm-2021-2025", vec!["ntm-2021-2025"])
    );
}

#[test]
fn year_flag_parses_only_the_set_it_names() {
    assert_eq!(
        choose_parsing(&["tests/fixtures/by-year/communes-2026.csv", "--year", "2026"]),
        ("ntm-2026-2030", vec!["ntm-2026-2030"])
    );
}

#[test]
fn a_year_outside_every_period_is_refused_without_parsing() {
    let input = input(&["examples/communes.csv", "--year", "2040"]);
    let sets = Builtins::new();
    let err = choose_from(&sets, &input, &crate::cmd::read_options(&input))
        .expect_err("no set holds 2040");
    assert!(
        err.to_string().contains(
            "`ntm-2016-2020` 2016–2020, `ntm-2021-2025` 2021–2025, `ntm-2026-2030` 2026–2030"
        ),
        "{err}"
    );
    assert!(sets.parsed().is_empty());
}

#[test]
fn the_chosen_set_is_handed_on_as_opened() {
    let input = input(&["examples/communes.csv"]);
    let choice = choose(&input, &crate::cmd::read_options(&input)).expect("a choice");
    let opened = choice.opened.expect("opened while choosing");
    assert_eq!(opened.source.label, "builtin:ntm-2021-2025");
    let rs = opened.ruleset.expect("valid");
    let (again, _) = crate::ruleset::load_str(
        crate::ruleset::builtin::get("ntm-2021-2025")
            .expect("built in")
            .1,
        "criteria/ntm-2021-2025.toml",
    );
    assert_eq!(format!("{rs:?}"), format!("{:?}", again.expect("valid")));
}
