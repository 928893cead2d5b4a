//! Evaluation of small rulesets written as TOML text: operators, threshold resolution (zone,
//! year, derived, overrides), level chaining, `at_least`, no data, `rests_on_unverified`, and
//! properties over random communes.

use std::str::FromStr;
use std::sync::LazyLock;

use proptest::prelude::*;

use super::*;
use crate::data::coerce::{NumberRules, coerce};
use crate::ruleset::model::IndicatorRef;

/// Header and three zones (`1`, `2`, `3`, indices 0, 1, 2) shared by every ruleset here.
const HEAD: &str = r#"
[ruleset]
id = "t"
name = "T"
name_vi = "T"
period = [2021, 2025]
decision = "d"
zoning = "group"

[[zones]]
id = "1"
name = "One"
name_vi = "Một"

[[zones]]
id = "2"
name = "Two"
name_vi = "Hai"

[[zones]]
id = "3"
name = "Three"
name_vi = "Ba"
"#;

/// `HEAD` + `body` as a ruleset; panics with every diagnostic if it does not load cleanly.
fn ruleset(body: &str) -> Ruleset {
    let text = format!("{HEAD}{body}");
    let (rs, diags) = crate::ruleset::load_str(&text, "t.toml");
    let shown: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert!(
        diags.is_empty(),
        "ruleset has diagnostics:\n{}",
        shown.join("\n")
    );
    rs.unwrap_or_else(|| panic!("ruleset does not load:\n{}", shown.join("\n")))
}

/// `[measures.<id>]` of `kind`.
fn measure(id: &str, kind: &str) -> String {
    format!("\n[measures.{id}]\nname = \"{id}\"\nname_vi = \"{id}\"\nkind = \"{kind}\"\n")
}

/// `[[levels]]`, optionally requiring another.
fn level(id: &str, requires: Option<&str>) -> String {
    let req = requires.map_or(String::new(), |r| format!("requires = \"{r}\"\n"));
    format!("\n[[levels]]\nid = \"{id}\"\nname = \"{id}\"\nname_vi = \"{id}\"\n{req}")
}

/// `[[criteria]]` of `level`, optionally with `at_least`.
fn criterion(level: &str, id: &str, at_least: Option<usize>) -> String {
    let al = at_least.map_or(String::new(), |n| format!("at_least = {n}\n"));
    format!(
        "\n[[criteria]]\nlevel = \"{level}\"\nid = \"{id}\"\nname = \"c\"\nname_vi = \"c\"\n{al}"
    )
}

/// `[[criteria.indicators]]`; `rest` holds `threshold`/`derived`/`verified`/`note` lines.
fn indicator(id: &str, measure: &str, op: &str, rest: &str) -> String {
    format!(
        "\n[[criteria.indicators]]\nid = \"{id}\"\nmeasure = \"{measure}\"\nop = \"{op}\"\nsource = \"s\"\n{rest}\n"
    )
}

/// One value per measure, read from text cells by each measure's kind (`""` is no data).
fn cells(rs: &Ruleset, cells: &[&str]) -> Vec<Option<Value>> {
    assert_eq!(cells.len(), rs.measures.len(), "one cell per measure");
    rs.measures
        .iter()
        .zip(cells)
        .map(|(m, c)| {
            coerce(c, m.kind, NumberRules::default())
                .unwrap_or_else(|e| panic!("cell `{c}`: {e:?}"))
        })
        .collect()
}

fn zone(rs: &Ruleset, id: &str) -> usize {
    rs.zone_index(id).expect("declared zone")
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// Evaluate text cells for zone id `z` in `year`.
fn run(rs: &Ruleset, z: &str, year: i32, values: &[&str]) -> Outcome {
    evaluate(rs, zone(rs, z), year, &cells(rs, values))
}

/// Status of indicator `i` of criterion `c` of level `l`.
fn ind(out: &Outcome, l: usize, c: usize, i: usize) -> IndicatorOutcome {
    out.levels[l].criteria[c].indicators[i]
}

fn reached(out: &Outcome) -> Vec<bool> {
    out.levels.iter().map(|l| l.reached).collect()
}

// --- operators ---------------------------------------------------------------------------

/// One level, one criterion per op: `x >= 80`, `x > 80`, `x <= 80`, `x < 80`, `x = 80`,
/// `b yes`, `c none`, `p >= 80` (percent), `x <= 16.5`, `x >= 79.995`.
fn ops_ruleset() -> Ruleset {
    let mut body = measure("x", "number") + &measure("b", "bool") + &measure("c", "count");
    body += &measure("p", "percent");
    body += &level("standard", None);
    let specs = [
        ("ge", "x", ">=", "threshold = 80"),
        ("gt", "x", ">", "threshold = 80"),
        ("le", "x", "<=", "threshold = 80"),
        ("lt", "x", "<", "threshold = 80"),
        ("eq", "x", "=", "threshold = 80"),
        ("yes", "b", "yes", ""),
        ("none", "c", "none", ""),
        ("pct", "p", ">=", "threshold = 80"),
        ("half", "x", "<=", "threshold = 16.5"),
        ("odd", "x", ">=", "threshold = 79.995"),
    ];
    for (id, m, op, t) in specs {
        body += &criterion("standard", id, None);
        body += &indicator(id, m, op, &format!("{t}\nverified = true"));
    }
    ruleset(&body)
}

/// Statuses of the ops criteria, in `ops_ruleset` order.
fn op_statuses(rs: &Ruleset, x: &str, b: &str, c: &str, p: &str) -> Vec<Status> {
    let out = run(rs, "1", 2025, &[x, b, c, p]);
    for crit in &out.levels[0].criteria {
        // One indicator per criterion: the criterion has the indicator's verdict.
        assert_eq!(crit.status, crit.indicators[0].status);
        assert_eq!(crit.met, usize::from(crit.status == Status::Pass));
    }
    out.levels[0].criteria.iter().map(|c| c.status).collect()
}

#[test]
fn comparison_ops_at_and_around_the_threshold() {
    use Status::{Fail as F, Pass as P};
    let rs = ops_ruleset();
    // x → [>=, >, <=, <, =] against 80.
    let cases = [
        ("79.99", [F, F, P, P, F]),
        ("79.995", [F, F, P, P, F]),
        ("79,9999", [F, F, P, P, F]),
        ("80", [P, F, P, F, P]),
        ("80.0", [P, F, P, F, P]),
        ("80,00", [P, F, P, F, P]),
        ("80.001", [P, P, F, F, F]),
        ("80.01", [P, P, F, F, F]),
        ("0", [F, F, P, P, F]),
    ];
    for (x, want) in cases {
        let got = op_statuses(&rs, x, "đạt", "0", "100");
        assert_eq!(got[..5], want, "x = {x}");
    }
}

#[test]
fn exact_decimal_thresholds() {
    use Status::{Fail as F, Pass as P};
    let rs = ops_ruleset();
    // `x <= 16.5` and `x >= 79.995` (criteria 8 and 9): the literals, not float neighbours.
    for (x, half, odd) in [
        ("16.5", P, F),
        ("16.50", P, F),
        ("16.5000001", F, F),
        ("79.994", F, F),
        ("79.995", F, P),
        ("79.9950", F, P),
    ] {
        let got = op_statuses(&rs, x, "đạt", "0", "100");
        assert_eq!((got[8], got[9]), (half, odd), "x = {x}");
    }
    let out = run(&rs, "1", 2025, &["1", "yes", "0", "1"]);
    let t = ind(&out, 0, 9, 0).threshold.expect("numeric");
    assert_eq!(t.value, dec("79.995"));
    assert_eq!(t.value.to_string(), "79.995");
}

#[test]
fn percent_values_are_exact_too() {
    let rs = ops_ruleset();
    let pct = |p: &str| op_statuses(&rs, "0", "đạt", "0", p)[7];
    assert_eq!(pct("79.995"), Status::Fail);
    assert_eq!(pct("79,995 %"), Status::Fail);
    assert_eq!(pct("80%"), Status::Pass);
    assert_eq!(pct("80.00"), Status::Pass);
}

#[test]
fn yes_and_none_ops() {
    let rs = ops_ruleset();
    let st = |b: &str, c: &str| {
        let s = op_statuses(&rs, "0", b, c, "0");
        (s[5], s[6])
    };
    assert_eq!(st("Đạt", "0"), (Status::Pass, Status::Pass));
    assert_eq!(st("có", "0.0"), (Status::Pass, Status::Pass));
    assert_eq!(st("Không đạt", "1"), (Status::Fail, Status::Fail));
    assert_eq!(st("no", "3"), (Status::Fail, Status::Fail));
    // `none` on a non-count measure: 0 in any scale is zero.
    let mut body = measure("x", "number") + &level("standard", None);
    body += &criterion("standard", "1", None);
    body += &indicator("1", "x", "none", "verified = true");
    let rs = ruleset(&body);
    for (x, want) in [
        ("0", Status::Pass),
        ("0.00", Status::Pass),
        ("-0", Status::Pass),
        ("0.001", Status::Fail),
        ("1", Status::Fail), // negative cells are `out-of-range` since numbers are ≥ 0
    ] {
        assert_eq!(
            run(&rs, "1", 2025, &[x]).levels[0].criteria[0].status,
            want,
            "x = {x}"
        );
    }
}

#[test]
fn numeric_outcomes_carry_their_threshold_and_bool_ones_none() {
    let rs = ops_ruleset();
    let out = run(&rs, "2", 2023, &["85", "yes", "0", "90"]);
    assert_eq!(
        ind(&out, 0, 0, 0).threshold,
        Some(Resolved {
            value: Decimal::from(80),
            from: None,
            verified: true
        })
    );
    assert_eq!(ind(&out, 0, 5, 0).threshold, None);
    assert_eq!(ind(&out, 0, 6, 0).threshold, None);
    assert!(
        out.levels[0]
            .criteria
            .iter()
            .all(|c| c.indicators[0].verified)
    );
}

// --- threshold resolution ----------------------------------------------------------------

#[test]
fn per_zone_threshold_with_all() {
    let mut body = measure("x", "number") + &level("standard", None);
    body += &criterion("standard", "1", None);
    body += &indicator(
        "1",
        "x",
        ">=",
        "threshold = { all = 80, \"2\" = 70 }\nverified = true",
    );
    let rs = ruleset(&body);
    for (z, value, want) in [
        ("1", "75", Status::Fail),
        ("2", "75", Status::Pass),
        ("3", "75", Status::Fail),
        ("2", "69.99", Status::Fail),
        ("2", "70", Status::Pass),
        ("3", "80", Status::Pass),
    ] {
        let out = run(&rs, z, 2025, &[value]);
        let i = ind(&out, 0, 0, 0);
        assert_eq!(i.status, want, "zone {z}, x = {value}");
        let t = if z == "2" { 70 } else { 80 };
        assert_eq!(i.threshold.map(|t| t.value), Some(Decimal::from(t)));
        assert_eq!(out.zone, zone(&rs, z));
        assert_eq!(out.overridden_by, None);
    }
}

#[test]
fn year_entries_latest_from_not_after_the_year() {
    // Written out of order on purpose: validation sorts by `from`.
    let mut body = measure("x", "number") + &level("standard", None);
    body += &criterion("standard", "1", None);
    body += &indicator(
        "1",
        "x",
        ">=",
        "threshold = [\n  { from = 2025, value = { all = 45, \"1\" = 40 } },\n  { from = 2022, value = 39 },\n]\nverified = true",
    );
    let rs = ruleset(&body);
    let cases = [
        // (zone, year, threshold value, from)
        ("1", 2021, 39, 2022), // before every `from`: the earliest entry
        ("2", 2021, 39, 2022),
        ("2", 2022, 39, 2022),
        ("2", 2024, 39, 2022),
        ("1", 2025, 40, 2025),
        ("2", 2025, 45, 2025),
        ("3", 2030, 45, 2025),
        ("1", 1990, 39, 2022),
    ];
    for (z, year, value, from) in cases {
        let out = run(&rs, z, year, &["42"]);
        let t = ind(&out, 0, 0, 0).threshold.expect("numeric");
        assert_eq!(
            (t.value, t.from),
            (Decimal::from(value), Some(from)),
            "zone {z}, year {year}"
        );
        let want = if value <= 42 {
            Status::Pass
        } else {
            Status::Fail
        };
        assert_eq!(ind(&out, 0, 0, 0).status, want, "zone {z}, year {year}");
    }
}

/// `standard` with `x >= base`, `model` (requires standard) with `x >= 110 % of it`.
fn derived_ruleset(base: &str, base_verified: &str, model_verified: &str) -> Ruleset {
    let mut body = measure("x", "number");
    body += &level("standard", None);
    body += &level("model", Some("standard"));
    body += &criterion("standard", "10", None);
    body += &indicator(
        "10",
        "x",
        ">=",
        &format!("threshold = {base}\n{base_verified}"),
    );
    body += &criterion("model", "2", None);
    body += &indicator(
        "2",
        "x",
        ">=",
        &format!(
            "derived = {{ level = \"standard\", indicator = \"10\", factor = 1.10 }}\n{model_verified}"
        ),
    );
    ruleset(&body)
}

#[test]
fn derived_threshold_is_a_factor_of_the_base_for_the_same_zone() {
    let rs = derived_ruleset(
        "{ all = 70, \"2\" = 50, \"3\" = 45.5 }",
        "verified = true",
        "verified = true",
    );
    for (z, x, want_level, threshold) in [
        ("1", "76.99", Some(0), "77"),
        ("1", "76.999", Some(0), "77"),
        ("1", "77", Some(1), "77"),
        ("1", "77.0", Some(1), "77"),
        ("2", "54.99", Some(0), "55"),
        ("2", "55", Some(1), "55"),
        ("2", "49", None, "55"),
        // 45.5 × 1.10 = 50.05 exactly, not rounded.
        ("3", "50.04", Some(0), "50.05"),
        ("3", "50.049", Some(0), "50.05"),
        ("3", "50.05", Some(1), "50.05"),
    ] {
        let out = run(&rs, z, 2025, &[x]);
        assert_eq!(out.level, want_level, "zone {z}, x = {x}");
        let t = ind(&out, 1, 0, 0).threshold.expect("numeric");
        assert_eq!(t.value, dec(threshold), "zone {z}");
        assert_eq!(t.from, None);
        assert!(t.verified);
    }
}

#[test]
fn derived_threshold_follows_the_base_year() {
    let rs = derived_ruleset(
        "[{ from = 2021, value = 70 }, { from = 2024, value = { all = 80, \"3\" = 60 } }]",
        "verified = true",
        "verified = true",
    );
    for (z, year, value, from) in [
        ("1", 2021, "77", 2021),
        ("1", 2023, "77", 2021),
        ("1", 2024, "88", 2024),
        ("3", 2025, "66", 2024),
        ("2", 2020, "77", 2021),
    ] {
        let out = run(&rs, z, year, &["80"]);
        let t = ind(&out, 1, 0, 0).threshold.expect("numeric");
        assert_eq!(
            (t.value, t.from),
            (dec(value), Some(from)),
            "zone {z}, {year}"
        );
        let want = if dec("80") >= dec(value) {
            Status::Pass
        } else {
            Status::Fail
        };
        assert_eq!(ind(&out, 1, 0, 0).status, want, "zone {z}, {year}");
    }
}

/// `x >= { all = 80, "1" = 60 }` and an override moving `hard` communes to zone `1`.
fn override_ruleset() -> Ruleset {
    let mut body = measure("x", "number");
    body += "\n[measures.hard]\nname = \"h\"\nname_vi = \"h\"\nkind = \"bool\"\noptional = true\n";
    body += "\n[[overrides]]\nid = \"hard\"\nmeasure = \"hard\"\nzone = \"1\"\nsource = \"s\"\n";
    body += &level("standard", None);
    body += &criterion("standard", "1", None);
    body += &indicator(
        "1",
        "x",
        ">=",
        "threshold = { all = 80, \"1\" = 60 }\nverified = true",
    );
    ruleset(&body)
}

#[test]
fn override_flag_true_moves_the_commune_to_the_override_zone() {
    let rs = override_ruleset();
    let out = run(&rs, "3", 2025, &["70", "Đạt"]);
    assert_eq!(out.zone, zone(&rs, "1"));
    assert_eq!(out.overridden_by, Some(0));
    assert_eq!(ind(&out, 0, 0, 0).status, Status::Pass);
    assert_eq!(
        ind(&out, 0, 0, 0).threshold.map(|t| t.value),
        Some(Decimal::from(60))
    );
    assert_eq!(out.level, Some(0));
}

#[test]
fn override_flag_false_or_missing_keeps_the_zone() {
    let rs = override_ruleset();
    for flag in ["không", "no", "0", "", "  "] {
        let out = run(&rs, "3", 2025, &["70", flag]);
        assert_eq!(out.zone, zone(&rs, "3"), "flag `{flag}`");
        assert_eq!(out.overridden_by, None, "flag `{flag}`");
        assert_eq!(ind(&out, 0, 0, 0).status, Status::Fail, "flag `{flag}`");
        assert_eq!(
            ind(&out, 0, 0, 0).threshold.map(|t| t.value),
            Some(Decimal::from(80))
        );
        assert_eq!(out.level, None);
    }
    // A values slice without the flag at all is no data as well.
    let out = evaluate(&rs, zone(&rs, "2"), 2025, &[Some(Value::Num(dec("70")))]);
    assert_eq!((out.zone, out.overridden_by), (zone(&rs, "2"), None));
}

// --- levels ------------------------------------------------------------------------------

/// standard (`a >= 50`) → advanced (`b >= 50`, requires standard) → model (`c >= 50`,
/// requires advanced).
fn chain_ruleset() -> Ruleset {
    let mut body = measure("a", "number") + &measure("b", "number") + &measure("c", "number");
    body += &level("standard", None);
    body += &level("advanced", Some("standard"));
    body += &level("model", Some("advanced"));
    for (l, m) in [("standard", "a"), ("advanced", "b"), ("model", "c")] {
        body += &criterion(l, "1", None);
        body += &indicator("1", m, ">=", "threshold = 50\nverified = true");
    }
    ruleset(&body)
}

#[test]
fn meeting_advanced_criteria_without_standard_reaches_nothing() {
    let rs = chain_ruleset();
    let out = run(&rs, "1", 2025, &["40", "60", "60"]);
    assert_eq!(out.level, None);
    assert_eq!(out.next_level, Some(0));
    assert_eq!(reached(&out), [false, false, false]);
    // The advanced and model criteria are met, the levels are still not reached.
    assert_eq!(out.levels[1].criteria[0].status, Status::Pass);
    assert_eq!(out.levels[1].criteria_met, 1);
    assert_eq!(out.levels[1].indicators_met, 1);
    assert_eq!(out.levels[2].criteria_met, 1);
}

#[test]
fn requires_chains_standard_advanced_model() {
    let rs = chain_ruleset();
    let cases = [
        (["60", "40", "60"], [true, false, false], Some(0), Some(1)),
        (["60", "60", "40"], [true, true, false], Some(1), Some(2)),
        (["60", "40", "40"], [true, false, false], Some(0), Some(1)),
        (["40", "40", "40"], [false, false, false], None, Some(0)),
    ];
    for (values, want_reached, level, next) in cases {
        let out = run(&rs, "1", 2025, &values);
        assert_eq!(reached(&out), want_reached, "{values:?}");
        assert_eq!(out.level, level, "{values:?}");
        assert_eq!(out.next_level, next, "{values:?}");
    }
}

#[test]
fn top_level_reached_has_no_next_level() {
    let rs = chain_ruleset();
    let out = run(&rs, "1", 2025, &["50", "50", "50"]);
    assert_eq!(reached(&out), [true, true, true]);
    assert_eq!(out.level, Some(2));
    assert_eq!(out.next_level, None);
    assert!(!out.unverified);
}

#[test]
fn level_is_the_last_reached_in_file_order() {
    // Two levels without `requires`: the second can be reached alone.
    let mut body = measure("a", "number") + &measure("b", "number");
    body += &level("standard", None);
    body += &level("bonus", None);
    body += &criterion("standard", "1", None);
    body += &indicator("1", "a", ">=", "threshold = 50\nverified = true");
    body += &criterion("bonus", "1", None);
    body += &indicator("1", "b", ">=", "threshold = 50\nverified = true");
    let rs = ruleset(&body);
    let out = run(&rs, "1", 2025, &["40", "60"]);
    assert_eq!(reached(&out), [false, true]);
    assert_eq!(out.level, Some(1));
    assert_eq!(out.next_level, Some(0));
    let out = run(&rs, "1", 2025, &["60", "40"]);
    assert_eq!((out.level, out.next_level), (Some(0), Some(1)));
}

// --- at_least ----------------------------------------------------------------------------

#[test]
fn at_least_one_of_two() {
    let mut body = measure("p", "bool") + &measure("q", "bool");
    body += &level("standard", None);
    body += &criterion("standard", "4", Some(1));
    body += &indicator("4.a", "p", "yes", "verified = true");
    body += &indicator("4.b", "q", "yes", "verified = true");
    let rs = ruleset(&body);
    let cases = [
        (["yes", "no"], Status::Pass, 1),
        (["no", "yes"], Status::Pass, 1),
        (["yes", "yes"], Status::Pass, 2),
        (["no", "no"], Status::Fail, 0),
        (["", "no"], Status::NoData, 0),
        (["no", ""], Status::NoData, 0),
        (["", ""], Status::NoData, 0),
        (["", "yes"], Status::Pass, 1),
    ];
    for (values, status, met) in cases {
        let out = run(&rs, "1", 2025, &values);
        let c = &out.levels[0].criteria[0];
        assert_eq!((c.status, c.met), (status, met), "{values:?}");
        assert_eq!(out.levels[0].reached, status == Status::Pass, "{values:?}");
        assert_eq!(out.level.is_some(), status == Status::Pass, "{values:?}");
    }
}

#[test]
fn at_least_two_of_three() {
    let mut body = measure("p", "bool") + &measure("q", "bool") + &measure("r", "bool");
    body += &level("standard", None);
    body += &criterion("standard", "4", Some(2));
    body += &indicator("a", "p", "yes", "verified = true");
    body += &indicator("b", "q", "yes", "verified = true");
    body += &indicator("c", "r", "yes", "verified = true");
    let rs = ruleset(&body);
    for (values, status) in [
        (["yes", "yes", "no"], Status::Pass),
        (["yes", "no", "no"], Status::Fail),
        (["yes", "", "no"], Status::NoData),
        (["", "", "no"], Status::NoData),
        (["no", "", "no"], Status::Fail),
    ] {
        let out = run(&rs, "1", 2025, &values);
        assert_eq!(out.levels[0].criteria[0].status, status, "{values:?}");
    }
}

// --- no data -----------------------------------------------------------------------------

/// standard: criterion 1 `x >= 50`, criterion 2 `p >= 80` and `c none` (all of them).
fn no_data_ruleset() -> Ruleset {
    let mut body = measure("x", "number") + &measure("p", "percent") + &measure("c", "count");
    body += &level("standard", None);
    body += &level("advanced", Some("standard"));
    body += &criterion("standard", "1", None);
    body += &indicator("1", "x", ">=", "threshold = 50\nverified = true");
    body += &criterion("standard", "2", None);
    body += &indicator("2.1", "p", ">=", "threshold = 80\nverified = true");
    body += &indicator("2.2", "c", "none", "verified = true");
    body += &criterion("advanced", "1", None);
    body += &indicator("1", "x", ">=", "threshold = 60\nverified = true");
    ruleset(&body)
}

#[test]
fn empty_value_is_no_data_not_fail_and_blocks_the_level() {
    let rs = no_data_ruleset();
    for empty in ["", "   "] {
        let out = run(&rs, "1", 2025, &[empty, "90", "0"]);
        let i = ind(&out, 0, 0, 0);
        assert_eq!(i.status, Status::NoData);
        assert_eq!(out.levels[0].criteria[0].status, Status::NoData);
        assert_eq!(out.levels[0].criteria[0].met, 0);
        // The threshold is still resolved, for the report.
        assert_eq!(i.threshold.map(|t| t.value), Some(Decimal::from(50)));
        assert_eq!(out.levels[0].criteria[1].status, Status::Pass);
        assert_eq!(out.levels[0].criteria_met, 1);
        assert_eq!(reached(&out), [false, false]);
        assert_eq!(out.level, None);
        assert_eq!(out.next_level, Some(0));
        // The advanced criterion on the same measure is no data too.
        assert_eq!(out.levels[1].criteria[0].status, Status::NoData);
    }
}

#[test]
fn no_data_next_to_a_failure_is_a_failed_criterion() {
    let rs = no_data_ruleset();
    let out = run(&rs, "1", 2025, &["60", "", "2"]);
    let c = &out.levels[0].criteria[1];
    assert_eq!(c.indicators[0].status, Status::NoData);
    assert_eq!(c.indicators[1].status, Status::Fail);
    assert_eq!(c.status, Status::Fail);
    // No data next to a pass (all required) is still no data.
    let out = run(&rs, "1", 2025, &["60", "", "0"]);
    assert_eq!(out.levels[0].criteria[1].status, Status::NoData);
    assert_eq!(out.levels[0].criteria[1].met, 1);
    assert_eq!(out.levels[0].indicators_met, 2);
    assert_eq!(out.level, None);
}

#[test]
fn no_data_for_every_kind() {
    let rs = no_data_ruleset();
    let out = evaluate(&rs, 0, 2025, &[None, None, None]);
    for c in &out.levels[0].criteria {
        assert_eq!(c.status, Status::NoData);
        assert!(c.indicators.iter().all(|i| i.status == Status::NoData));
    }
    assert_eq!(out.level, None);
    assert!(!out.unverified, "no data decides nothing");
}

// --- rests_on_unverified -----------------------------------------------------------------

/// Measures a, a2, u, v, w.
/// standard: 1 = `a >= 50` (verified); 2 (at least 1) = `a2 >= 50` (verified) or `u >= 50`
/// (unverified). advanced (requires standard): 1 = `v >= 50` (unverified), 2 = `w >= 50`.
fn unverified_ruleset() -> Ruleset {
    let mut body = String::new();
    for m in ["a", "a2", "u", "v", "w"] {
        body += &measure(m, "number");
    }
    body += &level("standard", None);
    body += &level("advanced", Some("standard"));
    body += &criterion("standard", "1", None);
    body += &indicator("1", "a", ">=", "threshold = 50\nverified = true");
    body += &criterion("standard", "2", Some(1));
    body += &indicator("2.1", "a2", ">=", "threshold = 50\nverified = true");
    body += &indicator(
        "2.2",
        "u",
        ">=",
        "threshold = 50\nverified = false\nnote = \"guess\"",
    );
    body += &criterion("advanced", "1", None);
    body += &indicator(
        "1",
        "v",
        ">=",
        "threshold = 50\nverified = false\nnote = \"guess\"",
    );
    body += &criterion("advanced", "2", None);
    body += &indicator("2", "w", ">=", "threshold = 50\nverified = true");
    ruleset(&body)
}

#[test]
fn reached_level_that_passed_an_unverified_indicator() {
    let rs = unverified_ruleset();
    // Standard reached through `u` only: a correct threshold might fail it.
    let out = run(&rs, "1", 2025, &["60", "40", "60", "40", "40"]);
    assert_eq!(out.level, Some(0));
    assert!(!ind(&out, 0, 1, 1).verified);
    assert!(out.unverified);
    // Both standard alternatives pass, `u` among them: still rests on it.
    let out = run(&rs, "1", 2025, &["60", "60", "60", "40", "40"]);
    assert!(out.unverified);
    // Every level reached, `v` passed unverified.
    let out = run(&rs, "1", 2025, &["60", "60", "40", "60", "60"]);
    assert_eq!(out.level, Some(1));
    assert!(out.unverified);
}

#[test]
fn reached_level_on_verified_indicators_only() {
    let rs = unverified_ruleset();
    // `u` failed (its alternative passed); advanced fails on verified `w` (and unverified `v`).
    let out = run(&rs, "1", 2025, &["60", "60", "40", "40", "40"]);
    assert_eq!(out.level, Some(0));
    assert!(!out.unverified);
    // `u` has no data: it decided nothing.
    let out = run(&rs, "1", 2025, &["60", "60", "", "60", "40"]);
    assert_eq!(out.level, Some(0));
    assert_eq!(ind(&out, 0, 1, 1).status, Status::NoData);
    assert!(!out.unverified);
}

#[test]
fn next_level_failed_only_on_unverified_indicators() {
    let rs = unverified_ruleset();
    let out = run(&rs, "1", 2025, &["60", "60", "40", "40", "60"]);
    assert_eq!((out.level, out.next_level), (Some(0), Some(1)));
    assert!(out.unverified);
    assert!(rests_on_unverified(&out.levels, out.next_level));
}

#[test]
fn next_level_failed_also_on_a_verified_indicator() {
    let rs = unverified_ruleset();
    let out = run(&rs, "1", 2025, &["60", "60", "40", "40", "40"]);
    assert_eq!(out.next_level, Some(1));
    assert!(!out.unverified);
    assert!(!rests_on_unverified(&out.levels, out.next_level));
}

#[test]
fn no_data_in_the_next_level_never_counts() {
    let rs = unverified_ruleset();
    // Advanced: `v` (unverified) no data, `w` passes: nothing failed.
    let out = run(&rs, "1", 2025, &["60", "60", "40", "", "60"]);
    assert_eq!(out.next_level, Some(1));
    assert_eq!(out.levels[1].criteria[0].status, Status::NoData);
    assert!(!out.unverified);
    // `v` no data, `w` fails verified.
    let out = run(&rs, "1", 2025, &["60", "60", "40", "", "40"]);
    assert!(!out.unverified);
}

#[test]
fn no_data_beside_an_unverified_failure_does_not_hide_it() {
    // advanced criterion 1 needs both `v` (unverified) and `w` (verified).
    let mut body = measure("a", "number") + &measure("v", "number") + &measure("w", "number");
    body += &level("standard", None);
    body += &level("advanced", Some("standard"));
    body += &criterion("standard", "1", None);
    body += &indicator("1", "a", ">=", "threshold = 50\nverified = true");
    body += &criterion("advanced", "1", None);
    body += &indicator(
        "1.1",
        "v",
        ">=",
        "threshold = 50\nverified = false\nnote = \"n\"",
    );
    body += &indicator("1.2", "w", ">=", "threshold = 50\nverified = true");
    let rs = ruleset(&body);
    // `v` fails, `w` (verified) has no data: the criterion fails, on `v` alone.
    let out = run(&rs, "1", 2025, &["60", "40", ""]);
    assert_eq!(out.levels[1].criteria[0].status, Status::Fail);
    assert_eq!(out.next_level, Some(1));
    assert!(out.unverified);
    // `w` fails (verified), `v` (unverified) has no data: nothing rests on `v`.
    let out = run(&rs, "1", 2025, &["60", "", "40"]);
    assert_eq!(out.levels[1].criteria[0].status, Status::Fail);
    assert!(!out.unverified);
}

#[test]
fn unverified_pass_in_a_level_not_reached_does_not_count() {
    let rs = unverified_ruleset();
    // Standard not reached (`a` fails, verified); `u` passed but the level is not reached.
    let out = run(&rs, "1", 2025, &["40", "40", "60", "60", "60"]);
    assert_eq!((out.level, out.next_level), (None, Some(0)));
    assert_eq!(ind(&out, 0, 1, 1).status, Status::Pass);
    assert!(!out.unverified);
}

#[test]
fn verification_per_zone_and_per_year_entry() {
    let mut body = measure("x", "number") + &level("standard", None);
    body += &criterion("standard", "1", None);
    body += &indicator(
        "1",
        "x",
        ">=",
        "threshold = [\n  { from = 2021, value = 50 },\n  { from = 2024, value = 55, verified = false, note = \"draft\" },\n]\nverified = [\"1\", \"2\"]\nnote = \"zone 3 unread\"",
    );
    let rs = ruleset(&body);
    for (z, year, verified) in [
        ("1", 2023, true),
        ("2", 2023, true),
        ("3", 2023, false),
        ("1", 2024, false),
        ("2", 2025, false),
    ] {
        let out = run(&rs, z, year, &["60"]);
        let i = ind(&out, 0, 0, 0);
        assert_eq!(i.status, Status::Pass);
        assert_eq!(i.verified, verified, "zone {z}, {year}");
        assert_eq!(i.threshold.map(|t| t.verified), Some(verified));
        assert_eq!(out.unverified, !verified, "zone {z}, {year}");
    }
}

#[test]
fn derived_threshold_is_verified_only_with_its_base() {
    let rs = derived_ruleset(
        "70",
        "verified = false\nnote = \"guess\"",
        "verified = true",
    );
    let out = run(&rs, "1", 2025, &["80"]);
    assert_eq!(out.level, Some(1));
    assert!(!ind(&out, 1, 0, 0).verified);
    assert!(out.unverified);
    let rs = derived_ruleset("70", "verified = true", "verified = [\"2\"]\nnote = \"n\"");
    let out = run(&rs, "1", 2025, &["80"]);
    assert!(ind(&out, 0, 0, 0).verified);
    assert!(!ind(&out, 1, 0, 0).verified);
    assert!(out.unverified);
    let out = run(&rs, "2", 2025, &["80"]);
    assert!(ind(&out, 1, 0, 0).verified);
    assert!(!out.unverified);
    // Failing the model level on the derived indicator alone, unverified: rests on it.
    let out = run(&rs, "1", 2025, &["75"]);
    assert_eq!((out.level, out.next_level), (Some(0), Some(1)));
    assert!(out.unverified);
    let out = run(&rs, "2", 2025, &["75"]);
    assert!(!out.unverified);
}

// --- properties --------------------------------------------------------------------------

/// Three chained levels over every op, `at_least`, years, zones, a derived threshold and an
/// override. Measures: x (number), y (percent), z (bool), c (count), w (number), hard (bool).
static PROP_RULESET: LazyLock<Ruleset> = LazyLock::new(|| {
    let mut body = measure("x", "number") + &measure("y", "percent") + &measure("z", "bool");
    body += &measure("c", "count");
    body += &measure("w", "number");
    body += "\n[measures.hard]\nname = \"h\"\nname_vi = \"h\"\nkind = \"bool\"\noptional = true\n";
    body += "\n[[overrides]]\nid = \"hard\"\nmeasure = \"hard\"\nzone = \"1\"\nsource = \"s\"\n";
    body += &level("standard", None);
    body += &level("advanced", Some("standard"));
    body += &level("model", Some("advanced"));
    body += &criterion("standard", "1", None);
    body += &indicator(
        "1",
        "x",
        ">=",
        "threshold = [{ from = 2021, value = { all = 40, \"2\" = 30 } }, { from = 2024, value = 45 }]\nverified = true",
    );
    body += &criterion("standard", "2", None);
    body += &indicator("2", "z", "yes", "verified = false\nnote = \"n\"");
    body += &criterion("standard", "3", None);
    body += &indicator("3", "c", "none", "verified = true");
    body += &criterion("advanced", "1", None);
    body += &indicator("1", "y", ">", "threshold = 50\nverified = true");
    body += &criterion("advanced", "2", Some(1));
    body += &indicator(
        "2.1",
        "x",
        ">=",
        "threshold = { all = 60, \"3\" = 55 }\nverified = true",
    );
    body += &indicator(
        "2.2",
        "w",
        "<",
        "threshold = 5\nverified = [\"1\"]\nnote = \"n\"",
    );
    body += &criterion("model", "1", None);
    body += &indicator(
        "1",
        "x",
        ">=",
        "derived = { level = \"advanced\", indicator = \"2.1\", factor = 1.10 }\nverified = true",
    );
    body += &criterion("model", "2", None);
    body += &indicator("2", "w", "<=", "threshold = 2\nverified = true");
    body += &indicator("3", "y", "=", "threshold = 100\nverified = true");
    ruleset(&body)
});

/// A commune: zone index, year, one value per measure of `PROP_RULESET`.
type Commune = (usize, i32, Vec<Option<Value>>);

fn num(lo: i64, hi: i64, scale: u32) -> impl Strategy<Value = Option<Value>> {
    prop::option::of((lo..=hi).prop_map(move |n| Value::Num(Decimal::new(n, scale))))
}

fn boolean() -> impl Strategy<Value = Option<Value>> {
    prop::option::of(any::<bool>().prop_map(Value::Bool))
}

fn commune() -> impl Strategy<Value = Commune> {
    let values = (
        num(0, 1000, 1), // x: 0.0 – 100.0, thresholds 30 … 66 and 110 % of 55/60
        num(0, 100, 0),  // y: percent, so 100 (the `=` threshold) comes up
        boolean(),       // z
        num(0, 3, 0),    // c
        num(0, 8, 0),    // w
        boolean(),       // hard
    )
        .prop_map(|(x, y, z, c, w, h)| vec![x, y, z, c, w, h]);
    (0usize..3, 2019i32..2028, values)
}

proptest! {
    #[test]
    fn level_never_exceeds_a_level_whose_criteria_fail((z, year, values) in commune()) {
        let rs = &*PROP_RULESET;
        let out = evaluate(rs, z, year, &values);
        if let Some(l) = out.level {
            let mut k = Some(l);
            while let Some(i) = k {
                prop_assert!(i <= l);
                for c in &out.levels[i].criteria {
                    prop_assert_eq!(c.status, Status::Pass, "level {} of {:?}", i, out);
                }
                k = rs.levels[i].requires;
            }
        }
        // The level is the last one reached, and a level is reached exactly when its
        // criteria pass and its required level is reached.
        prop_assert_eq!(out.level, out.levels.iter().rposition(|l| l.reached));
        for (i, lo) in out.levels.iter().enumerate() {
            let all_pass = lo.criteria.iter().all(|c| c.status == Status::Pass);
            let req = rs.levels[i].requires.is_none_or(|r| out.levels[r].reached);
            prop_assert_eq!(lo.reached, all_pass && req, "level {}", i);
        }
    }

    #[test]
    fn reached_levels_are_closed_under_requires((z, year, values) in commune()) {
        let rs = &*PROP_RULESET;
        let out = evaluate(rs, z, year, &values);
        for (i, lo) in out.levels.iter().enumerate() {
            if lo.reached
                && let Some(r) = rs.levels[i].requires {
                    prop_assert!(out.levels[r].reached, "level {} reached without {}", i, r);
                }
        }
        match out.next_level {
            Some(n) => {
                prop_assert!(!out.levels[n].reached);
                prop_assert!(rs.levels[n].requires.is_none_or(|r| out.levels[r].reached));
            }
            None => prop_assert!(out.levels.iter().all(|l| l.reached)),
        }
        // The override decides the zone.
        let hard = values[5] == Some(Value::Bool(true));
        prop_assert_eq!(out.overridden_by, hard.then_some(0));
        prop_assert_eq!(out.zone, if hard { 0 } else { z });
    }

    #[test]
    fn a_reused_evaluator_and_outcome_give_what_a_fresh_one_gives(
        communes in prop::collection::vec(
            // Years well beyond the period: more (zone, year) plans than an evaluator keeps.
            commune().prop_flat_map(|(z, _, v)| (Just(z), 1990i32..2040, Just(v))),
            1..80,
        )
    ) {
        let rs = &*PROP_RULESET;
        let mut ev = Evaluator::new(rs);
        // Starts with the shape of another commune's outcome, then keeps being overwritten.
        let mut out = evaluate(rs, 2, 2030, &communes[0].2);
        for (z, year, values) in &communes {
            ev.evaluate_into(*z, *year, values, &mut out);
            prop_assert_eq!(&out, &Evaluator::new(rs).evaluate(*z, *year, values));
            // Every kept threshold is what the ruleset resolves for the commune's zone and year.
            for (li, lo) in out.levels.iter().enumerate() {
                for (ci, co) in lo.criteria.iter().enumerate() {
                    for (ii, io) in co.indicators.iter().enumerate() {
                        let r = IndicatorRef { level: li, criterion: ci, indicator: ii };
                        prop_assert_eq!((io.threshold, io.verified), rs.resolve(r, out.zone, *year));
                        // And its verdict is the test applied with `Decimal`'s own comparison.
                        let ind = rs.indicator(r);
                        let want = direct_status(values[ind.measure], &ind.test, io.threshold);
                        prop_assert_eq!(io.status, want, "{:?}", r);
                    }
                }
            }
        }
    }

    #[test]
    fn evaluation_does_not_depend_on_the_order_of_communes(
        (communes, order) in prop::collection::vec(commune(), 0..24).prop_flat_map(|cs| {
            let ids: Vec<usize> = (0..cs.len()).collect();
            (Just(cs), Just(ids).prop_shuffle())
        })
    ) {
        let rs = &*PROP_RULESET;
        let in_order: Vec<(usize, Outcome)> = communes
            .iter()
            .enumerate()
            .map(|(id, (z, year, values))| (id, evaluate(rs, *z, *year, values)))
            .collect();
        let mut shuffled: Vec<(usize, Outcome)> = order
            .iter()
            .map(|&id| {
                let (z, year, values) = &communes[id];
                (id, evaluate(rs, *z, *year, values))
            })
            .collect();
        shuffled.sort_by_key(|(id, _)| *id);
        prop_assert_eq!(in_order, shuffled);
    }
}

#[test]
fn property_ruleset_reaches_every_level() {
    // The property ruleset is not vacuous: each level is reachable and each can be missed.
    let rs = &*PROP_RULESET;
    let n = |s: &str| Some(Value::Num(dec(s)));
    let b = |v: bool| Some(Value::Bool(v));
    let top = [n("70"), n("100"), b(true), n("0"), n("1"), b(false)];
    let out = evaluate(rs, 0, 2025, &top);
    assert_eq!(reached(&out), [true, true, true]);
    let mid = [n("60"), n("60"), b(true), n("0"), n("6"), None];
    let out = evaluate(rs, 0, 2025, &mid);
    assert_eq!(reached(&out), [true, true, false]);
    let low = [n("45"), n("60"), b(true), n("0"), n("6"), None];
    let out = evaluate(rs, 0, 2025, &low);
    assert_eq!(reached(&out), [true, false, false]);
    assert!(out.unverified, "standard passed on unverified `z`");
}

/// An indicator's verdict straight from the test, `Op::holds` and the resolved threshold.
fn direct_status(value: Option<Value>, test: &Test, threshold: Option<Resolved>) -> Status {
    let pass = |b: bool| if b { Status::Pass } else { Status::Fail };
    match (value, test, threshold) {
        (Some(Value::Bool(b)), Test::Yes, _) => pass(b),
        (Some(Value::Num(n)), Test::None, _) => pass(n == Decimal::ZERO),
        (Some(Value::Num(n)), Test::Compare(op, _), Some(t)) => pass(op.holds(n, t.value)),
        _ => Status::NoData,
    }
}

/// Decimals of every scale and size, and the same numbers written at another scale.
fn decimal_pair() -> impl Strategy<Value = (Decimal, Decimal)> {
    prop_oneof![
        (crate::exact::any_decimal(), crate::exact::any_decimal()),
        (any::<i32>(), 0u32..10, 0u32..20).prop_map(|(m, s, k)| {
            let a = Decimal::new(i64::from(m), s);
            let b = Decimal::from_i128_with_scale(i128::from(m) * 10i128.pow(k), s + k);
            (a, b)
        }),
        (any::<i32>(), 0u32..10, 0u32..20).prop_map(|(m, s, k)| {
            let a = Decimal::new(i64::from(m), s);
            let b = Decimal::from_i128_with_scale(i128::from(m) * 10i128.pow(k) + 1, s + k);
            (b, a)
        }),
    ]
}

proptest! {
    #[test]
    fn fast_comparison_is_decimal_comparison((a, b) in decimal_pair()) {
        let t = Threshold::new(b);
        prop_assert_eq!(compare(a, &t), a.cmp(&b));
        for op in [Op::Ge, Op::Gt, Op::Le, Op::Lt, Op::Eq] {
            let judge = Judge { measure: 0, threshold: t, on: verdicts(pass_bits(op)), kind: Kind::Compare };
            let want = if op.holds(a, b) { Status::Pass } else { Status::Fail };
            prop_assert_eq!(judge.judge(Some(&Some(Value::Num(a)))), want, "{:?}", op);
        }
        // `none` is judged as `= 0`: passes exactly on zero, whatever its scale and sign.
        let none = Judge {
            measure: 0,
            threshold: Threshold::new(Decimal::ZERO),
            on: verdicts(pass_bits(Op::Eq)),
            kind: Kind::Compare,
        };
        for v in [a, b, Decimal::new(0, a.scale()), -Decimal::new(0, b.scale())] {
            let want = if v.is_zero() { Status::Pass } else { Status::Fail };
            prop_assert_eq!(none.judge(Some(&Some(Value::Num(v)))), want, "{:?}", v);
        }
    }

    #[test]
    fn unverified_counted_while_judging_is_rests_on_unverified(
        communes in prop::collection::vec(commune(), 1..40)
    ) {
        let rs = &*PROP_RULESET;
        let mut ev = Evaluator::new(rs);
        let mut out = evaluate(rs, 0, 2025, &communes[0].2);
        for (z, year, values) in &communes {
            ev.evaluate_into(*z, *year, values, &mut out);
            prop_assert_eq!(out.unverified, rests_on_unverified(&out.levels, out.next_level));
        }
    }
}

/// Values whose magnitude is at or near 2^63 and 2^64, at the scales kept ready to compare:
/// the fast comparison reads the value's parts, and must leave to the general one exactly
/// those that do not fit.
#[test]
fn fast_comparison_at_the_edges_of_i64() {
    let edges = [
        i128::from(i64::MAX),
        i128::from(i64::MAX) + 1,
        i128::from(i64::MIN),
        i128::from(i64::MIN) - 1,
        1 << 62,
        (1 << 63) - 1,
        1 << 64,
        -(1 << 64),
        (1 << 32) - 1,
        1 << 32,
        -(1 << 31),
    ];
    for m in edges {
        for s in 0..SCALES as u32 {
            let a = Decimal::from_i128_with_scale(m, s);
            for b in [
                Decimal::ZERO,
                Decimal::new(i64::MAX, s),
                Decimal::new(i64::MIN, s),
                Decimal::new(-1, 3),
                Decimal::new(70, 0),
                Decimal::from_i128_with_scale(m, s),
                Decimal::from_i128_with_scale(m - 1, s),
            ] {
                assert_eq!(compare(a, &Threshold::new(b)), a.cmp(&b), "{a} against {b}");
            }
        }
    }
}

/// Each status and verification added `LANE` times, each word read on its own: every lane
/// filled to its top without spilling into the next.
#[test]
fn tally_lanes_hold_lane_indicators() {
    let mut got = Tally::default();
    for status in [Status::Pass, Status::Fail, Status::NoData] {
        for verified in [true, false] {
            let add = Tally::add(verified)[status as usize];
            got.read((0..LANE).fold(0u64, |p, _| p + add));
        }
    }
    assert_eq!(
        (
            got.met,
            got.no_data,
            got.fails_verified,
            got.passed_unverified
        ),
        (2 * LANE, 2 * LANE, LANE, true)
    );
    let mut verified_only = Tally::default();
    verified_only.read((0..LANE).fold(0u64, |p, _| p + Tally::add(true)[Status::Pass as usize]));
    assert_eq!(
        (verified_only.met, verified_only.passed_unverified),
        (LANE, false)
    );
}

/// A criterion of more indicators than a [`Tally`] lane holds is counted in runs of [`LANE`]:
/// its counts, and the unverified verdict drawn from them, are those of every indicator,
/// across the runs' seam. The first 40,000 indicators read `x` against verified content,
/// the rest (across the seam at 65,535) read `y` against unverified content.
#[test]
fn a_criterion_longer_than_a_lane_is_counted_whole() {
    let n = LANE + 2;
    let on_x = 40_000;
    let mut body = measure("x", "number") + &measure("y", "number");
    body += &level("standard", None);
    body += &criterion("standard", "c1", None);
    for i in 0..n {
        let (m, verified) = if i < on_x { ("x", true) } else { ("y", false) };
        body += &indicator(
            &format!("i{i}"),
            m,
            ">=",
            &format!("threshold = 50\nverified = {verified}\nnote = \"n\""),
        );
    }
    let rs = ruleset(&body);
    let co = |x: &str, y: &str| {
        let out = run(&rs, "1", 2024, &[x, y]);
        let c = &out.levels[0].criteria[0];
        (
            c.status,
            c.met,
            c.indicators.len(),
            out.levels[0].indicators_met,
            out.unverified,
        )
    };
    // Failed only on unverified content, on both sides of the seam.
    assert_eq!(co("60", "40"), (Status::Fail, on_x, n, on_x, true));
    // Every indicator met, more than a lane holds; reached on unverified content.
    assert_eq!(co("60", "70"), (Status::Pass, n, n, n, true));
    // No data on both sides of the seam: neither met nor failed.
    assert_eq!(co("60", ""), (Status::NoData, on_x, n, on_x, false));
    // Met on both sides of the seam; failed on verified content.
    assert_eq!(co("40", "70"), (Status::Fail, n - on_x, n, n - on_x, false));
}

// --- levels out of reach (Scope::Reachable, Scope::Counts) -----------------------------

/// What an evaluator of `scope` gives, against what judging every level gives: the same
/// zone, level, next level and unverified verdict; every level within reach judged in full
/// and as judged in full; every level out of reach not reached, with no criteria (nothing of
/// an earlier commune left in it), and its counts as judged in full under `Scope::Counts`,
/// zero under `Scope::Reachable`.
fn check_scope(
    rs: &Ruleset,
    scope: Scope,
    got: &Outcome,
    full: &Outcome,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(got.zone, full.zone);
    prop_assert_eq!(got.overridden_by, full.overridden_by);
    prop_assert_eq!(got.level, full.level);
    prop_assert_eq!(got.next_level, full.next_level);
    prop_assert_eq!(got.unverified, full.unverified);
    prop_assert_eq!(got.levels.len(), full.levels.len());
    prop_assert!(
        full.levels.iter().all(|l| l.judged == Judged::Full),
        "evaluate judges every level"
    );
    for (li, (g, f)) in got.levels.iter().zip(&full.levels).enumerate() {
        let in_reach = rs.levels[li]
            .requires
            .is_none_or(|r| full.levels[r].reached);
        if in_reach || scope == Scope::Every {
            prop_assert_eq!(g, f, "level {} is within reach", li);
            continue;
        }
        prop_assert!(!f.reached, "level {} out of reach is not reached", li);
        let want = match scope {
            Scope::Counts => LevelOutcome {
                judged: Judged::Counts,
                reached: false,
                criteria_met: f.criteria_met,
                indicators_met: f.indicators_met,
                criteria: Vec::new(),
            },
            Scope::Reachable | Scope::Every => LevelOutcome {
                judged: Judged::Not,
                reached: false,
                criteria_met: 0,
                indicators_met: 0,
                criteria: Vec::new(),
            },
        };
        prop_assert_eq!(g, &want, "level {} is out of reach", li);
    }
    Ok(())
}

/// The scopes an evaluator may have.
const SCOPES: [Scope; 3] = [Scope::Every, Scope::Counts, Scope::Reachable];

proptest! {
    /// Each scope, its outcome reused from commune to commune after a start of another
    /// scope's outcome (every level judged, counted only, or left unjudged).
    #[test]
    fn judging_the_levels_within_reach_gives_what_judging_every_level_gives(
        communes in prop::collection::vec(
            commune().prop_flat_map(|(z, _, v)| (Just(z), 1990i32..2040, Just(v))),
            1..80,
        ),
        scope in prop::sample::select(SCOPES.to_vec()),
        start in prop::sample::select(SCOPES.to_vec()),
    ) {
        let rs = &*PROP_RULESET;
        let mut ev = Evaluator::new(rs).with_scope(scope);
        let mut full = Evaluator::new(rs);
        let mut out = Evaluator::new(rs)
            .with_scope(start)
            .evaluate(2, 2030, &communes[0].2);
        for (z, year, values) in &communes {
            ev.evaluate_into(*z, *year, values, &mut out);
            let want = full.evaluate(*z, *year, values);
            check_scope(rs, scope, &out, &want)?;
            check_scope(rs, scope, &ev.evaluate(*z, *year, values), &want)?;
        }
    }
}

/// A commune of `PROP_RULESET`: `x`, `y`, `z`, `c`, `w`, `hard` (`yes`, `no`, a number, or
/// empty for no data).
fn prop_values(cells: [&str; 6]) -> Vec<Option<Value>> {
    cells
        .iter()
        .map(|&c| match c {
            "" => None,
            "yes" => Some(Value::Bool(true)),
            "no" => Some(Value::Bool(false)),
            n => Some(Value::Num(dec(n))),
        })
        .collect()
}

/// A commune of `PROP_RULESET` at model.
const TOP: [&str; 6] = ["70", "100", "yes", "0", "1", "no"];

#[test]
fn levels_out_of_reach_are_left_unjudged_and_judged_again_once_within_reach() {
    let rs = &*PROP_RULESET;
    let top = prop_values(TOP);
    let low = prop_values(["45", "60", "yes", "0", "6", ""]);
    let none = prop_values(["10", "60", "no", "0", "6", ""]);
    let mut ev = Evaluator::new(rs).with_scope(Scope::Reachable);
    let mut out = ev.evaluate(0, 2025, &top);
    assert_eq!(out, evaluate(rs, 0, 2025, &top), "every level within reach");
    // Standard not reached: advanced and model out of reach, emptied.
    ev.evaluate_into(0, 2025, &none, &mut out);
    assert_eq!(out.level, None);
    assert_eq!(out.next_level, Some(0));
    let judged: Vec<Judged> = out.levels.iter().map(|l| l.judged).collect();
    assert_eq!(judged, [Judged::Full, Judged::Not, Judged::Not]);
    assert!(out.levels[1].criteria.is_empty() && out.levels[2].criteria.is_empty());
    assert_eq!(out.levels[0], evaluate(rs, 0, 2025, &none).levels[0]);
    // Within reach again: judged again, as in full.
    ev.evaluate_into(0, 2025, &low, &mut out);
    let full = evaluate(rs, 0, 2025, &low);
    assert_eq!(reached(&full), [true, false, false]);
    assert_eq!(out.levels[..2], full.levels[..2]);
    assert_eq!(
        out.levels[2].judged,
        Judged::Not,
        "model is out of reach of a commune at standard"
    );
    ev.evaluate_into(0, 2025, &top, &mut out);
    assert_eq!(out, evaluate(rs, 0, 2025, &top));
    // The default judges every level, reached or not.
    let mut every = Evaluator::new(rs);
    assert_eq!(every.evaluate(0, 2025, &none), evaluate(rs, 0, 2025, &none));
    assert!(
        every
            .evaluate(0, 2025, &none)
            .levels
            .iter()
            .all(|l| l.judged == Judged::Full)
    );
}

#[test]
fn levels_out_of_reach_are_counted_only_and_judged_in_full_again_once_within_reach() {
    let rs = &*PROP_RULESET;
    let top = prop_values(TOP);
    // Standard failed on `z` alone; advanced (out of reach) meets both its criteria, model
    // (out of reach) its second.
    let counted = prop_values(["45", "100", "no", "0", "1", ""]);
    let mut ev = Evaluator::new(rs).with_scope(Scope::Counts);
    let mut out = ev.evaluate(0, 2025, &top);
    assert_eq!(out, evaluate(rs, 0, 2025, &top), "every level within reach");
    ev.evaluate_into(0, 2025, &counted, &mut out);
    let full = evaluate(rs, 0, 2025, &counted);
    assert_eq!(reached(&full), [false, false, false]);
    let seen: Vec<(Judged, bool, usize, usize, usize)> = out
        .levels
        .iter()
        .map(|l| {
            let (j, r, c, i) = (l.judged, l.reached, l.criteria_met, l.indicators_met);
            (j, r, c, i, l.criteria.len())
        })
        .collect();
    assert_eq!(
        seen,
        [
            (Judged::Full, false, 2, 2, 3),
            (Judged::Counts, false, 2, 2, 0),
            (Judged::Counts, false, 1, 2, 0),
        ]
    );
    for (got, want) in out.levels.iter().zip(&full.levels) {
        assert_eq!(
            (got.criteria_met, got.indicators_met),
            (want.criteria_met, want.indicators_met)
        );
    }
    assert_eq!(out.levels[0], full.levels[0]);
    assert_eq!(
        (out.level, out.next_level, out.unverified),
        (full.level, full.next_level, full.unverified)
    );
    // Within reach again: judged in full again.
    ev.evaluate_into(0, 2025, &top, &mut out);
    assert_eq!(out, evaluate(rs, 0, 2025, &top));
}

// --- the counting program of a level out of reach (Counting) ---------------------------

/// What judging a level in full counts, criterion by criterion: its criteria met (at least
/// `need` of their indicators met) and its indicators met.
fn counted_in_full(
    shape: &[(usize, usize)],
    judges: &[(Judge, u8)],
    values: &[Option<Value>],
) -> (usize, usize) {
    let (mut criteria_met, mut indicators_met) = (0, 0);
    let mut judges = judges;
    for &(n, need) in shape {
        let (mine, rest) = judges.split_at(n.min(judges.len()));
        judges = rest;
        let met = mine
            .iter()
            .filter(|(j, _)| j.judge(values.get(j.measure)) == Status::Pass)
            .count();
        criteria_met += usize::from(met >= need);
        indicators_met += met;
    }
    (criteria_met, indicators_met)
}

/// A cell of any kind, or empty: numbers of every scale kept ready (and past them), and
/// mantissas past an `i64`.
fn any_cell() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        any::<bool>().prop_map(|b| Some(Value::Bool(b))),
        (-60i64..60, 0u32..6).prop_map(|(m, s)| Some(Value::Num(Decimal::new(m, s)))),
        (any::<i64>(), 0u32..6).prop_map(|(m, s)| {
            Some(Value::Num(Decimal::from_i128_with_scale(
                i128::from(m) * 7,
                s,
            )))
        }),
    ]
}

/// A judge of one of six measures (the values may be fewer), of any kind, and the
/// orderings its comparison passes on.
fn any_judge() -> impl Strategy<Value = (Judge, u8)> {
    let kind = prop::sample::select(vec![Kind::Yes, Kind::Compare, Kind::Unresolved]);
    let op = prop::sample::select(vec![Op::Ge, Op::Gt, Op::Le, Op::Lt, Op::Eq]);
    (0usize..6, kind, op, -60i64..60, 0u32..6).prop_map(|(measure, kind, op, m, s)| {
        let pass = pass_bits(op);
        let judge = Judge {
            measure,
            threshold: Threshold::new(Decimal::new(m, s)),
            on: verdicts(pass),
            kind,
        };
        (judge, pass)
    })
}

proptest! {
    /// The counting program gives what judging every indicator gives, whatever the kinds,
    /// unresolved thresholds, values of the other kind or missing, `need` (zero included)
    /// and criteria with no indicator.
    #[test]
    fn counting_a_level_gives_what_judging_it_in_full_counts(
        criteria in prop::collection::vec(
            prop::collection::vec(any_judge(), 0..5).prop_flat_map(|judges| {
                let n = judges.len();
                (Just(judges), 0..=n)
            }),
            0..7,
        ),
        values in prop::collection::vec(any_cell(), 0..7),
    ) {
        let shape: Vec<(usize, usize)> = criteria.iter().map(|(j, need)| (j.len(), *need)).collect();
        let judges: Vec<(Judge, u8)> = criteria.iter().flat_map(|(j, _)| j.iter().copied()).collect();
        prop_assert_eq!(
            Counting::new(&shape, &judges).count(&values),
            counted_in_full(&shape, &judges, &values)
        );
    }
}

/// A level whose counts depend on each part of the program: a criterion closed by its last
/// indicator, one made empty by an unresolved threshold (met only when it needs none), and
/// `at_least` below the indicators.
#[test]
fn counting_closes_each_criterion_on_its_last_indicator() {
    let judge = |measure, kind, op, t: &str| {
        let pass = pass_bits(op);
        let judge = Judge {
            measure,
            threshold: Threshold::new(dec(t)),
            on: verdicts(pass),
            kind,
        };
        (judge, pass)
    };
    let judges = [
        // Criterion 0, needs 2 of 2: met.
        judge(0, Kind::Yes, Op::Eq, "0"),
        judge(1, Kind::Compare, Op::Ge, "1.5"),
        // Criterion 1, needs 1 of 1, unresolved: never met.
        judge(1, Kind::Unresolved, Op::Ge, "0"),
        // Criterion 2, needs 0 of 1, unresolved: met.
        judge(1, Kind::Unresolved, Op::Ge, "0"),
        // Criterion 3, needs 1 of 2: one met.
        judge(2, Kind::Compare, Op::Lt, "3"),
        judge(0, Kind::Compare, Op::Lt, "3"),
        // Criterion 4, needs 2 of 2: one met (the other past the end of the values).
        judge(2, Kind::Compare, Op::Le, "2.000"),
        judge(9, Kind::Yes, Op::Eq, "0"),
    ];
    let shape = [(2, 2), (1, 1), (1, 0), (2, 1), (2, 2)];
    let values = [
        Some(Value::Bool(true)),
        Some(Value::Num(dec("1.50"))),
        Some(Value::Num(dec("2"))),
    ];
    let counting = Counting::new(&shape, &judges);
    assert_eq!(counting.count(&values), (3, 4));
    assert_eq!(counted_in_full(&shape, &judges, &values), (3, 4));
}
