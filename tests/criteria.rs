//! Tests of the built-in rulesets in `criteria/`: they load cleanly and document their sources,
//! `ntm rules show` is stable (snapshots), every numeric threshold behaves at its boundary, and
//! a few facts that are certain from the decisions hold.

use ntm::data::coerce::Value;
use ntm::diag::has_errors;
use ntm::eval::{Outcome, Status, evaluate};
use ntm::report::rules::RulesetJson;
use ntm::ruleset::builtin::BUILTIN;
use ntm::ruleset::load_str;
use ntm::ruleset::model::{IndicatorRef, Op, Ruleset, Test, Threshold, Zoning};
use rust_decimal::Decimal;

// --- helpers ---------------------------------------------------------------------------------

/// The built-in ruleset `id`, loaded and validated.
fn builtin(id: &str) -> Ruleset {
    let (_, path, text) = BUILTIN
        .iter()
        .find(|(i, _, _)| *i == id)
        .expect("a built-in ruleset with this id");
    let (rs, diags) = load_str(text, path);
    assert!(!has_errors(&diags), "{id}: {diags:#?}");
    rs.expect("a ruleset without errors loads")
}

fn all_builtins() -> Vec<Ruleset> {
    BUILTIN.iter().map(|(id, _, _)| builtin(id)).collect()
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("a decimal literal")
}

/// The indicator `indicator` of level `level`.
fn find(rs: &Ruleset, level: &str, indicator: &str) -> IndicatorRef {
    let l = rs.level_index(level).expect("level exists");
    rs.indicators()
        .find(|(r, ind)| r.level == l && ind.id == indicator)
        .map(|(r, _)| r)
        .unwrap_or_else(|| panic!("{}: no indicator {level}/{indicator}", rs.id))
}

fn zone(rs: &Ruleset, id: &str) -> usize {
    rs.zone_index(id).expect("zone exists")
}

fn measure(rs: &Ruleset, id: &str) -> usize {
    rs.measures
        .iter()
        .position(|m| m.id == id)
        .expect("measure exists")
}

fn op(rs: &Ruleset, r: IndicatorRef) -> Op {
    match &rs.indicator(r).test {
        Test::Compare(op, _) => *op,
        _ => panic!("{}: indicator {} is not numeric", rs.id, rs.indicator(r).id),
    }
}

/// The threshold of a numeric indicator for `zone` in `year`.
fn threshold(rs: &Ruleset, r: IndicatorRef, zone: usize, year: i32) -> Decimal {
    rs.resolve(r, zone, year)
        .0
        .expect("a numeric indicator has a threshold")
        .value
}

/// The years at which the threshold of `r` changes: every entry's `from` (the last year of the
/// period for an entry without one); a derived threshold changes with its base. Empty for
/// `yes`/`none`.
fn threshold_years(rs: &Ruleset, r: IndicatorRef) -> Vec<i32> {
    match &rs.indicator(r).test {
        Test::Yes | Test::None => Vec::new(),
        Test::Compare(_, Threshold::Fixed(entries)) => entries
            .iter()
            .map(|e| e.from.unwrap_or(rs.period.1))
            .collect(),
        Test::Compare(
            _,
            Threshold::Derived {
                level,
                criterion,
                indicator,
                ..
            },
        ) => threshold_years(
            rs,
            IndicatorRef {
                level: *level,
                criterion: *criterion,
                indicator: *indicator,
            },
        ),
    }
}

/// A value of measure `m` that passes every indicator on it, of every level, for `zone` in
/// `year` (the strictest of their thresholds). `none` counts as `= 0`.
fn passing_number(rs: &Ruleset, m: usize, zone: usize, year: i32) -> Decimal {
    let tests: Vec<(Op, Decimal)> = rs
        .indicators()
        .filter(|(_, ind)| ind.measure == m)
        .filter_map(|(r, ind)| match ind.test {
            Test::Compare(op, _) => Some((op, threshold(rs, r, zone, year))),
            Test::None => Some((Op::Eq, Decimal::ZERO)),
            Test::Yes => None,
        })
        .collect();
    let candidates = tests
        .iter()
        .flat_map(|(_, t)| [*t, *t + Decimal::ONE, *t - Decimal::ONE]);
    candidates
        .chain([Decimal::ZERO])
        .find(|v| tests.iter().all(|(op, t)| op.holds(*v, *t)))
        .unwrap_or_else(|| {
            panic!(
                "{}: no value passes every test of {}",
                rs.id, rs.measures[m].id
            )
        })
}

/// Values that pass every indicator of every level for `zone` in `year`, with every override
/// flag false.
fn all_pass(rs: &Ruleset, zone: usize, year: i32) -> Vec<Option<Value>> {
    (0..rs.measures.len())
        .map(|m| {
            let tests: Vec<&Test> = rs
                .indicators()
                .filter(|(_, ind)| ind.measure == m)
                .map(|(_, ind)| &ind.test)
                .collect();
            if rs.overrides.iter().any(|o| o.measure == m) {
                Some(Value::Bool(false))
            } else if tests.iter().any(|t| matches!(t, Test::Yes)) {
                Some(Value::Bool(true))
            } else if tests.is_empty() {
                None
            } else {
                Some(Value::Num(passing_number(rs, m, zone, year)))
            }
        })
        .collect()
}

fn status(outcome: &Outcome, r: IndicatorRef) -> Status {
    outcome.levels[r.level].criteria[r.criterion].indicators[r.indicator].status
}

/// Values around the threshold `t` and the verdict each must get under `op`.
fn probes(op: Op, t: Decimal) -> Vec<(Decimal, Status)> {
    let step = Decimal::new(1, 2); // 0.01
    let (below, above) = (t - step, t + step);
    match op {
        Op::Ge => vec![(t, Status::Pass), (below, Status::Fail)],
        Op::Gt => vec![
            (t, Status::Fail),
            (below, Status::Fail),
            (above, Status::Pass),
        ],
        Op::Le => vec![(t, Status::Pass), (above, Status::Fail)],
        Op::Lt => vec![
            (t, Status::Fail),
            (above, Status::Fail),
            (below, Status::Pass),
        ],
        Op::Eq => vec![
            (t, Status::Pass),
            (below, Status::Fail),
            (above, Status::Fail),
        ],
    }
}

/// Checks every numeric indicator of `rs` at and just past its threshold, in every zone and at
/// every year its threshold changes, the other measures passing. Returns the number of
/// (indicator, zone, year) cases; panics with every failure found.
fn check_boundaries(rs: &Ruleset) -> usize {
    let mut cases = 0;
    let mut failures = Vec::new();
    for (r, ind) in rs.indicators() {
        let Test::Compare(op, _) = ind.test else {
            continue;
        };
        for year in threshold_years(rs, r) {
            for z in 0..rs.zones.len() {
                cases += 1;
                let t = threshold(rs, r, z, year);
                let mut values = all_pass(rs, z, year);
                for (value, want) in probes(op, t) {
                    values[ind.measure] = Some(Value::Num(value));
                    let got = status(&evaluate(rs, z, year, &values), r);
                    if got != want {
                        failures.push(format!(
                            "{} {}/{} zone {} year {year}: {} {} {t} gave {got:?}, want {want:?}",
                            rs.id,
                            rs.levels[r.level].id,
                            ind.id,
                            rs.zones[z].id,
                            value,
                            op.as_str(),
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    cases
}

/// With every measure passing, the commune reaches the top level in every zone, in every year
/// at which some threshold changes (and the last year of the period).
fn check_all_pass_reaches_top(rs: &Ruleset) {
    let top = rs.levels.len() - 1;
    let mut years: Vec<i32> = rs
        .indicators()
        .flat_map(|(r, _)| threshold_years(rs, r))
        .chain([rs.period.1])
        .collect();
    years.sort_unstable();
    years.dedup();
    for year in years {
        for z in 0..rs.zones.len() {
            let outcome = evaluate(rs, z, year, &all_pass(rs, z, year));
            assert_eq!(
                outcome.level,
                Some(top),
                "{} zone {} year {year}: {outcome:#?}",
                rs.id,
                rs.zones[z].id
            );
            assert_eq!(outcome.overridden_by, None);
        }
    }
}

fn has_numeric_indicators(rs: &Ruleset) -> bool {
    rs.indicators()
        .any(|(_, ind)| matches!(ind.test, Test::Compare(..)))
}

// --- 1. every built-in loads and documents itself ---------------------------------------------

#[test]
fn every_builtin_loads_without_errors_under_its_id() {
    for (id, path, text) in BUILTIN {
        let (rs, diags) = load_str(text, path);
        assert!(!has_errors(&diags), "{id}: {diags:#?}");
        let rs = rs.expect("a ruleset without errors loads");
        assert_eq!(rs.id, id, "{path}");
        assert!(rs.indicator_count() > 0, "{id}");
    }
}

#[test]
fn every_indicator_names_its_source() {
    for rs in all_builtins() {
        for (r, ind) in rs.indicators() {
            assert!(
                !ind.source.trim().is_empty(),
                "{} {}/{}: empty source",
                rs.id,
                rs.levels[r.level].id,
                ind.id
            );
        }
    }
}

#[test]
fn every_unverified_indicator_has_a_note() {
    let present = |n: &Option<String>| n.as_ref().is_some_and(|n| !n.trim().is_empty());
    for rs in all_builtins() {
        for (r, ind) in rs.indicators().filter(|(r, _)| !rs.fully_verified(*r)) {
            let entries_noted = match &ind.test {
                Test::Compare(_, Threshold::Fixed(entries)) => entries
                    .iter()
                    .filter(|e| e.verified.contains(&false))
                    .all(|e| present(&e.note)),
                _ => false,
            };
            assert!(
                present(&ind.note) || entries_noted,
                "{} {}/{}: not fully verified and no note",
                rs.id,
                rs.levels[r.level].id,
                ind.id
            );
        }
    }
}

// --- 2. `ntm rules show <id> --format json` ---------------------------------------------------

#[test]
fn rules_show_json_snapshots() {
    for rs in all_builtins() {
        let json = serde_json::to_string_pretty(&RulesetJson::new(&rs, None, None))
            .expect("ruleset JSON serializes");
        insta::assert_snapshot!(format!("rules_show_{}", rs.id), json);
    }
}

// --- 3. boundaries generated from the rulesets ------------------------------------------------

#[test]
fn boundaries_ntm_2016_2020() {
    let rs = builtin("ntm-2016-2020");
    check_all_pass_reaches_top(&rs);
    let cases = check_boundaries(&rs);
    println!("{}: {cases} boundary cases", rs.id);
    assert!(cases > 0);
}

#[test]
fn boundaries_ntm_2021_2025() {
    let rs = builtin("ntm-2021-2025");
    check_all_pass_reaches_top(&rs);
    let cases = check_boundaries(&rs);
    println!("{}: {cases} boundary cases", rs.id);
    assert!(cases > 0);
}

#[test]
fn boundaries_ntm_2026_2030() {
    let rs = builtin("ntm-2026-2030");
    check_all_pass_reaches_top(&rs);
    // Every indicator of 51/2025 is an assessment (no group threshold is known): no boundaries.
    assert!(!has_numeric_indicators(&rs));
    assert_eq!(check_boundaries(&rs), 0);
}

// --- 4. facts certain from the decisions -----------------------------------------------------

#[test]
fn income_2016_2020_by_region() {
    // 1980/QĐ-TTg, criterion 10: million VND/person/year by 2020.
    let rs = builtin("ntm-2016-2020");
    let income = find(&rs, "standard", "10");
    assert_eq!(op(&rs, income), Op::Ge);
    for (region, want) in [("RRD", 50), ("NMM", 36), ("SE", 59)] {
        let got = threshold(&rs, income, zone(&rs, region), 2020);
        assert_eq!(got, Decimal::from(want), "{region}");
    }
}

#[test]
fn irrigation_and_commune_roads_2021_2025_in_every_region() {
    // 318/QĐ-TTg Annex I: 3.1 ≥ 80 % and 2.1 = 100 % in every region.
    let rs = builtin("ntm-2021-2025");
    for (indicator, want) in [("3.1", 80), ("2.1", 100)] {
        let r = find(&rs, "standard", indicator);
        assert_eq!(op(&rs, r), Op::Ge, "{indicator}");
        for z in 0..rs.zones.len() {
            for year in rs.period.0..=rs.period.1 {
                let got = threshold(&rs, r, z, year);
                assert_eq!(
                    got,
                    Decimal::from(want),
                    "{indicator} {} {year}",
                    rs.zones[z].id
                );
            }
        }
    }
}

#[test]
fn levels_2021_2025_chain_standard_advanced_model() {
    let rs = builtin("ntm-2021-2025");
    let [standard, advanced, model] =
        ["standard", "advanced", "model"].map(|id| rs.level_index(id).expect("level exists"));
    assert_eq!(rs.levels[standard].requires, None);
    assert_eq!(rs.levels[advanced].requires, Some(standard));
    assert_eq!(rs.levels[model].requires, Some(advanced));
}

#[test]
fn meeting_model_criteria_without_advanced_is_not_model() {
    let rs = builtin("ntm-2021-2025");
    let [standard, advanced, model] =
        ["standard", "advanced", "model"].map(|id| rs.level_index(id).expect("level exists"));
    let z = zone(&rs, "RRD");
    let mut values = all_pass(&rs, z, 2025);
    // Advanced criterion 1 (planning), an assessment used by no other level.
    let planning = find(&rs, "advanced", "1");
    let m = rs.indicator(planning).measure;
    assert_eq!(rs.indicators().filter(|(_, i)| i.measure == m).count(), 1);
    values[m] = Some(Value::Bool(false));

    let outcome = evaluate(&rs, z, 2025, &values);
    let model_outcome = &outcome.levels[model];
    assert_eq!(model_outcome.criteria_met, rs.levels[model].criteria.len());
    assert!(!model_outcome.reached);
    assert!(!outcome.levels[advanced].reached);
    assert_eq!(outcome.level, Some(standard));
    assert_eq!(outcome.next_level, Some(advanced));
}

#[test]
fn model_income_is_110_percent_of_advanced_income() {
    // 319/QĐ-TTg condition 2: ≥ 110 % of the advanced threshold at the same time, same region.
    let rs = builtin("ntm-2021-2025");
    let model = find(&rs, "model", "2");
    let advanced = find(&rs, "advanced", "10");
    assert_eq!(op(&rs, model), Op::Ge);
    for z in 0..rs.zones.len() {
        for year in [2022, 2025] {
            let want = threshold(&rs, advanced, z, year) * dec("1.10");
            let got = threshold(&rs, model, z, year);
            assert_eq!(got, want, "{} {year}", rs.zones[z].id);
        }
    }
}

#[test]
fn extremely_difficult_commune_in_mrd_is_held_to_nmm_thresholds() {
    // 318/QĐ-TTg Article 1.
    let rs = builtin("ntm-2021-2025");
    let (nmm, mrd) = (zone(&rs, "NMM"), zone(&rs, "MRD"));
    let year = 2025;
    let income = find(&rs, "standard", "10");
    let flag = measure(&rs, "extremely_difficult");
    let override_index = rs
        .overrides
        .iter()
        .position(|o| o.measure == flag)
        .expect("an override on extremely_difficult");
    assert_eq!(rs.overrides[override_index].zone, nmm);

    let (low, high) = (
        threshold(&rs, income, nmm, year),
        threshold(&rs, income, mrd, year),
    );
    assert!(low < high, "NMM income {low} should be below MRD {high}");
    let mut values = all_pass(&rs, mrd, year);
    values[rs.indicator(income).measure] = Some(Value::Num((low + high) / Decimal::TWO));

    values[flag] = Some(Value::Bool(true));
    let outcome = evaluate(&rs, mrd, year, &values);
    assert_eq!(outcome.zone, nmm);
    assert_eq!(outcome.overridden_by, Some(override_index));
    assert_eq!(status(&outcome, income), Status::Pass);

    values[flag] = Some(Value::Bool(false));
    let outcome = evaluate(&rs, mrd, year, &values);
    assert_eq!(outcome.zone, mrd);
    assert_eq!(outcome.overridden_by, None);
    assert_eq!(status(&outcome, income), Status::Fail);
    assert_eq!(outcome.level, None);
}

#[test]
fn ntm_2026_2030_zones_are_commune_groups() {
    let rs = builtin("ntm-2026-2030");
    assert_eq!(rs.zoning, Zoning::Group);
    let ids: Vec<&str> = rs.zones.iter().map(|z| z.id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3"]);
}
