//! Choosing a built-in ruleset parses only the sets it must compare with the data (issue #14).

use std::path::{Path, PathBuf};

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

/// A commune file of more than [`GUESS_MIN`] bytes in `dir`: every unit of
/// data/units-2024.csv with the cells of the example's first commune, twice, the year of
/// each row from `year_of(pass, unit)` (a unit's two rows need two years).
fn large(dir: &Path, year_of: impl Fn(usize, usize) -> i32) -> PathBuf {
    let example = std::fs::read_to_string("examples/communes.csv").expect("example");
    let mut lines = example.lines();
    let header = lines.next().expect("header");
    let row = lines.next().expect("a commune");
    // year,code,name,<the rest>
    let rest = row.splitn(4, ',').nth(3).expect("cells");
    let units = std::fs::read_to_string("data/units-2024.csv").expect("units");
    let mut text = format!("{header}\n");
    for pass in 0..2 {
        for (u, unit) in units.lines().enumerate() {
            text.push_str(&format!("{},{unit},{rest}\n", year_of(pass, u)));
        }
    }
    assert!(text.len() as u64 > GUESS_MIN, "{} bytes", text.len());
    std::fs::create_dir_all(dir).expect("dir");
    let path = dir.join("large.csv");
    std::fs::write(&path, text).expect("write");
    path
}

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("ntm-choose-{}-{name}", std::process::id()))
}

#[test]
fn only_large_regular_files_are_guessed_for() {
    assert!(guess(&input(&["examples/communes.csv"])).is_none());
    let dir = scratch("guessed");
    let path = large(&dir, |pass, _| 2024 + pass as i32);
    let path = path.to_str().expect("utf-8 path");
    let g = guess(&input(&[path])).expect("a guess");
    assert_eq!(g.id, "ntm-2021-2025");
    assert_eq!(g.lines, vec![1]);
    assert!(g.opened.is_some(), "the guessed set is handed on opened");
    assert!(guess(&input(&[path, "--year", "2025"])).is_none());
    assert!(guess(&input(&[path, "-"])).is_none());
    // A small file beside it: together large enough.
    assert!(guess(&input(&[path, "examples/communes.csv"])).is_some());
    std::fs::remove_dir_all(&dir).expect("clean");
}

#[test]
fn a_confirmed_guess_is_what_reading_ahead_chooses() {
    let dir = scratch("confirmed");
    let path = large(
        &dir,
        |pass, u| if u % 3 == 0 { 2023 } else { 2024 + pass as i32 },
    );
    let args = input(&[path.to_str().expect("utf-8 path")]);
    let opts = crate::cmd::read_options(&args);
    let ahead = choose(&args, &opts).expect("a choice");
    let g = guess(&args).expect("a guess");
    // The years the pass counts: one per row.
    let units = std::fs::read_to_string("data/units-2024.csv").expect("units");
    let mut years = BTreeMap::new();
    for pass in 0..2 {
        for u in 0..units.lines().count() {
            let y = if u % 3 == 0 { 2023 } else { 2024 + pass };
            *years.entry(y).or_insert(0) += 1;
        }
    }
    let sure = g
        .confirm(&args, &opts, &years, &[Some(1)])
        .expect("confirmed");
    assert_eq!((sure.id, sure.by.as_str()), (ahead.id, ahead.by.as_str()));
    assert_eq!(sure.by, "year column 2023, 2024, 2025");
    // Another header line, a year of another set, a year in no set: not confirmed.
    assert!(g.confirm(&args, &opts, &years, &[Some(2)]).is_none());
    assert!(g.confirm(&args, &opts, &years, &[None]).is_none());
    let mut other = years.clone();
    other.insert(2026, 1);
    assert!(g.confirm(&args, &opts, &other, &[Some(1)]).is_none());
    let only_2026 = BTreeMap::from([(2026, 5)]);
    assert!(g.confirm(&args, &opts, &only_2026, &[Some(1)]).is_none());
    let outside = BTreeMap::from([(2024, 5), (1999, 1)]);
    assert!(g.confirm(&args, &opts, &outside, &[Some(1)]).is_none());
    std::fs::remove_dir_all(&dir).expect("clean");
}

#[test]
fn year_counts_merge_in_any_grouping() {
    let years = [2025, 2025, 2024, 2025, 2026, 2024, 2025];
    let mut whole = YearCount::default();
    years.iter().for_each(|&y| whole.add(y));
    for cut in 0..=years.len() {
        let (a, b) = years.split_at(cut);
        let mut first = YearCount::default();
        a.iter().for_each(|&y| first.add(y));
        let mut second = YearCount::default();
        b.iter().for_each(|&y| second.add(y));
        first.merge(&second);
        assert_eq!(
            first.into_map(),
            BTreeMap::from([(2024, 2), (2025, 4), (2026, 1)])
        );
    }
    assert_eq!(
        whole.into_map(),
        BTreeMap::from([(2024, 2), (2025, 4), (2026, 1)])
    );
}
