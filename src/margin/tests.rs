use super::*;
use crate::data::read::{ReadOptions, read_csv};
use crate::eval::evaluate;
use crate::ruleset::load_str;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

fn example() -> Ruleset {
    let (rs, diags) = load_str(
        include_str!("../../examples/ruleset.toml"),
        "examples/ruleset.toml",
    );
    rs.unwrap_or_else(|| panic!("example ruleset: {diags:?}"))
}

/// The outcome and values of one data row of examples/ruleset.toml (header as the example
/// data file's).
fn commune(rs: &Ruleset, cells: &str) -> (Outcome, Vec<Option<Value>>) {
    let text = format!(
        "code,name,province,year,income_per_capita,irrigated_area_pct,stunting_under5_pct,temporary_houses,general_plan_approved,smart_villages,field_tourism,field_production,extremely_difficult\n{cells}\n"
    );
    let opts = ReadOptions::default();
    let read = read_csv(text.as_bytes(), "t.csv", 0, rs, &opts);
    assert!(read.diags.iter().all(|d| !d.is_error()), "{:?}", read.diags);
    let row = &read.rows[0];
    (
        evaluate(rs, row.zone, row.year, &row.values),
        row.values.clone(),
    )
}

#[test]
fn gap_is_room_to_spare_whatever_the_operator() {
    // 61.2 against >= 70: 8.8 short.
    assert_eq!(gap(Op::Ge, d("61.2"), d("70")), d("-8.8"));
    // 12 against <= 16.5: 4.5 to spare.
    assert_eq!(gap(Op::Le, d("12"), d("16.5")), d("4.5"));
    // 20 against < 16.5: 3.5 over, so short.
    assert_eq!(gap(Op::Lt, d("20"), d("16.5")), d("-3.5"));
    // At the threshold the gap is zero, also for strict operators (which fail there).
    assert_eq!(gap(Op::Gt, d("90"), d("90")), Decimal::ZERO);
    // = is short by the distance on either side.
    assert_eq!(gap(Op::Eq, d("3"), d("5")), d("-2"));
    assert_eq!(gap(Op::Eq, d("7"), d("5")), d("-2"));
}

#[test]
fn relative_gap_is_a_share_of_the_threshold() {
    // -8.8 / 70 = -0.12571428…
    let r = relative(d("-8.8"), d("70")).expect("nonzero threshold");
    assert_eq!(r.round_dp(4), d("-0.1257"));
    // 4.5 / 16.5 = 0.2727…
    assert_eq!(
        relative(d("4.5"), d("16.5")).expect("nonzero").round_dp(3),
        d("0.273")
    );
    assert_eq!(relative(d("1"), Decimal::ZERO), None);
}

#[test]
fn margin_parses_shares_and_amounts() {
    assert_eq!("2%".parse::<Margin>(), Ok(Margin::Relative(d("0.02"))));
    assert_eq!("2,5 %".parse::<Margin>(), Ok(Margin::Relative(d("0.025"))));
    assert_eq!("0.5".parse::<Margin>(), Ok(Margin::Absolute(d("0.5"))));
    assert_eq!("0,5".parse::<Margin>(), Ok(Margin::Absolute(d("0.5"))));
    assert!("-1%".parse::<Margin>().is_err());
    assert!("two".parse::<Margin>().is_err());
    assert!("%".parse::<Margin>().is_err());
}

#[test]
fn relative_margin_covers_both_sides_of_the_threshold() {
    let t = Test::Compare(Op::Ge, crate::ruleset::model::Threshold::Fixed(Vec::new()));
    let m = Margin::Relative(d("0.02"));
    // 2% of 70 is 1.4: 68.6 ..= 71.4 is borderline.
    assert!(m.borderline(&t, d("68.6"), d("70")));
    assert!(m.borderline(&t, d("71.4"), d("70")));
    assert!(!m.borderline(&t, d("68.59"), d("70")));
    assert!(!m.borderline(&t, d("71.41"), d("70")));
    // A zero threshold has a zero-wide relative margin.
    assert!(m.borderline(&t, Decimal::ZERO, Decimal::ZERO));
    assert!(!m.borderline(&t, d("0.01"), Decimal::ZERO));
    // An absolute margin is in the measure's unit.
    let a = Margin::Absolute(d("0.5"));
    assert!(a.borderline(&t, d("0.5"), Decimal::ZERO));
    assert!(a.borderline(&t, d("79.5"), d("80")));
    assert!(!a.borderline(&t, d("79.4"), d("80")));
    // yes and none tests have no margin.
    assert!(!a.borderline(&Test::None, Decimal::ZERO, Decimal::ZERO));
    assert!(!m.borderline(&Test::Yes, Decimal::ONE, Decimal::ONE));
}

#[test]
fn borderlines_lists_every_level_in_ruleset_order() {
    let rs = example();
    // Hải Dương → RRD, 2025. Income 71 against standard >= 60 (gap 11, 18%), advanced >= 70
    // (gap 1, 1.4%: borderline at 2%) and model >= 77 (110% of 70; gap -6, 7.8%). Irrigation
    // 90.5 against standard >= 80 (13%) and advanced > 90 (0.5/90 = 0.56%: borderline).
    // Stunting 16.3 against <= 16.5 (0.2/16.5 = 1.2%: borderline). One smart village against
    // model >= 1 is exactly at the threshold (borderline). No temporary houses is a `none`
    // test: no margin.
    let (o, v) = commune(&rs, "1,A,Hải Dương,2025,71,\"90,5\",\"16,3\",0,đạt,1,x,,");
    let found = borderlines(&rs, &o, &v, Margin::Relative(d("0.02")));
    let ids: Vec<(String, String, Decimal, Status)> = found
        .iter()
        .map(|b| {
            (
                rs.levels[b.at.level].id.clone(),
                rs.indicator(b.at).id.clone(),
                b.threshold,
                b.status,
            )
        })
        .collect();
    assert_eq!(
        ids,
        vec![
            ("standard".into(), "15.3".into(), d("16.5"), Status::Pass),
            ("advanced".into(), "10".into(), d("70"), Status::Pass),
            ("advanced".into(), "3.1".into(), d("90"), Status::Pass),
            ("model".into(), "3".into(), d("1"), Status::Pass),
        ]
    );
}

#[test]
fn closeness_counts_what_each_criterion_still_needs() {
    let rs = example();
    // RRD 2025, standard reached; next advanced: income 61.2 < 70 (shortfall 8.8/70 =
    // 0.12571…), irrigation 85 <= 90 (5/90 = 0.0555…). Two indicators short, none no data.
    let (o, v) = commune(&rs, "1,A,Hải Dương,2025,\"61,2\",85,12,0,đạt,0,,,");
    let c = closeness(&rs, &o, &v).expect("has a next level");
    assert_eq!((c.short, c.no_data), (2, 0));
    assert_eq!(c.shortfall.round_dp(4), d("0.1813"));

    // Model next (advanced reached with income 75 and irrigation 95): income 75 against 77
    // (2/77 = 0.02597…), smart villages 0 >= 1 (1/1 = 1), and criterion 4 needs one of two
    // fields, both with no data: one no-data indicator, not two.
    let (o, v) = commune(&rs, "1,A,Hải Dương,2025,75,95,12,0,đạt,0,,,");
    assert_eq!(o.next_level, Some(2));
    let c = closeness(&rs, &o, &v).expect("has a next level");
    assert_eq!((c.short, c.no_data), (3, 1));
    assert_eq!(c.shortfall.round_dp(4), d("1.0260"));
}

#[test]
fn closeness_orders_fewer_indicators_first_then_known_gaps_then_smaller_shortfall() {
    let key = |short, no_data, shortfall: &str| Closeness {
        short,
        no_data,
        shortfall: d(shortfall),
    };
    let mut keys = vec![
        key(2, 0, "0.01"),
        key(1, 1, "0"),
        key(1, 0, "0.5"),
        key(1, 0, "0.2"),
    ];
    keys.sort();
    assert_eq!(
        keys,
        vec![
            key(1, 0, "0.2"),
            key(1, 0, "0.5"),
            key(1, 1, "0"),
            key(2, 0, "0.01")
        ]
    );
}

#[test]
fn a_commune_at_the_top_has_no_closeness() {
    let rs = example();
    let (o, v) = commune(&rs, "1,A,Hải Dương,2025,80,95,12,0,đạt,2,x,,");
    assert_eq!(o.level, Some(2));
    assert_eq!(closeness(&rs, &o, &v), None);
}

#[test]
fn rank_puts_the_closest_first_and_the_top_level_last() {
    let key = |short, no_data, shortfall: &str| {
        Some(Closeness {
            short,
            no_data,
            shortfall: d(shortfall),
        })
    };
    let keys = [
        (None, 1),              // at the top: last
        (key(2, 0, "0.1"), 2),  // two short
        (key(1, 0, "0.3"), 3),  // one short, 30 %
        (key(1, 0, "0.05"), 4), // one short, 5 %: first
        (key(1, 0, "0.3"), 5),  // ties with row 3: after it
        (None, 6),
    ];
    assert_eq!(rank(&keys), vec![3, 2, 4, 1, 0, 5]);
}

/// `closeness` as it was before issue #14's shortcut: every indicator not met gets a cost
/// (no data: `(true, 0)`), all are sorted, the cheapest `need` are added up with `Decimal`'s
/// `+=`. The property below holds the shortcut to it. With `sum_no_data` false the zeros of
/// no-data indicators are counted but not added, as `closeness` has done since: adding a
/// zero leaves a sum as it is, but for a sum of zeros, whose sign and scale it takes; that
/// way, its sums are the very bits (digits, scale, sign) `closeness` must give.
fn closeness_reference(
    rs: &Ruleset,
    outcome: &Outcome,
    values: &[Option<Value>],
    sum_no_data: bool,
) -> Option<Closeness> {
    let li = outcome.next_level?;
    let level = &rs.levels[li];
    let mut key = Closeness {
        short: 0,
        no_data: 0,
        shortfall: Decimal::ZERO,
    };
    for (crit, co) in level.criteria.iter().zip(&outcome.levels[li].criteria) {
        if co.status == Status::Pass {
            continue;
        }
        let need = crit.required().saturating_sub(co.met);
        let mut costs: Vec<(bool, Decimal)> = crit
            .indicators
            .iter()
            .zip(&co.indicators)
            .filter_map(|(ind, io)| match io.status {
                Status::Pass => None,
                Status::NoData => Some((true, Decimal::ZERO)),
                Status::Fail => {
                    let value = values.get(ind.measure).copied().flatten();
                    let d = distance(&ind.test, io.threshold.map(|t| t.value), value);
                    let cost = d
                        .and_then(|d| d.relative)
                        .map_or(Decimal::ONE, |rel| (-rel).max(Decimal::ZERO));
                    Some((false, cost))
                }
            })
            .collect();
        costs.sort();
        for &(no_data, cost) in costs.iter().take(need) {
            key.short += 1;
            key.no_data += usize::from(no_data);
            if sum_no_data || !no_data {
                key.shortfall += cost;
            }
        }
    }
    Some(key)
}

/// An indicator of [`shortfall_ruleset`]: measure, op and threshold (empty for none).
type Test3 = (&'static str, &'static str, &'static str);

/// One level of `at_least` and plain criteria over every op, thresholds whose shortfalls
/// do not end (thirds, sevenths) and ties: measures a–f numbers, g yes/no, h a count.
fn shortfall_ruleset() -> Ruleset {
    let mut text = String::from(
        "[ruleset]\nid = \"t\"\nname = \"T\"\nname_vi = \"T\"\nperiod = [2021, 2025]\n\
         decision = \"d\"\nzoning = \"group\"\n\n[[zones]]\nid = \"1\"\nname = \"One\"\n\
         name_vi = \"Một\"\n",
    );
    for (m, kind) in [
        ("a", "number"),
        ("b", "number"),
        ("c", "number"),
        ("d", "number"),
        ("e", "number"),
        ("f", "number"),
        ("g", "bool"),
        ("h", "count"),
    ] {
        text +=
            &format!("\n[measures.{m}]\nname = \"{m}\"\nname_vi = \"{m}\"\nkind = \"{kind}\"\n");
    }
    text += "\n[[levels]]\nid = \"standard\"\nname = \"s\"\nname_vi = \"s\"\n";
    // Per criterion: id, `at_least`, and (measure, op, threshold) per indicator.
    let criteria: [(&str, Option<usize>, &[Test3]); 3] = [
        (
            "1",
            Some(2),
            &[
                ("a", ">=", "3"),
                ("b", ">=", "7"),
                ("c", "<=", "0.3"),
                ("d", ">", "7"),
                ("e", "=", "11"),
                ("f", ">=", "3"),
            ],
        ),
        (
            "2",
            None,
            &[
                ("a", ">=", "0.7"),
                ("f", ">=", "13"),
                ("g", "yes", ""),
                ("h", "none", ""),
                ("e", "<", "0"),
            ],
        ),
        ("3", Some(1), &[("b", ">=", "21"), ("c", "<", "9")]),
    ];
    for (id, at_least, indicators) in criteria {
        text += &format!(
            "\n[[criteria]]\nlevel = \"standard\"\nid = \"{id}\"\nname = \"c\"\nname_vi = \"c\"\n"
        );
        if let Some(n) = at_least {
            text += &format!("at_least = {n}\n");
        }
        for (i, (m, op, t)) in indicators.iter().enumerate() {
            text += &format!(
                "\n[[criteria.indicators]]\nid = \"{id}.{i}\"\nmeasure = \"{m}\"\nop = \"{op}\"\nsource = \"s\"\nverified = true\n"
            );
            if !t.is_empty() {
                text += &format!("threshold = {t}\n");
            }
        }
    }
    // More failing indicators than `closeness` keeps on the stack.
    text += "\n[[criteria]]\nlevel = \"standard\"\nid = \"4\"\nname = \"c\"\nname_vi = \"c\"\nat_least = 3\n";
    for i in 0..19 {
        let (m, op) = [("a", ">="), ("b", ">"), ("d", ">=")][i % 3];
        let t = 1 + i / 2;
        text += &format!(
            "\n[[criteria.indicators]]\nid = \"4.{i}\"\nmeasure = \"{m}\"\nop = \"{op}\"\nsource = \"s\"\nverified = true\nthreshold = {t}\n"
        );
    }
    let (rs, diags) = load_str(&text, "t.toml");
    rs.unwrap_or_else(|| panic!("shortfall ruleset: {diags:?}"))
}

use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn closeness_is_the_key_of_every_indicator_sorted(
        numbers in prop::collection::vec(
            prop::option::of(prop_oneof![
                (0i64..40, 0u32..3).prop_map(|(m, s)| Decimal::new(m, s)),
                (0i64..3000, 0u32..6).prop_map(|(m, s)| Decimal::new(m, s)),
                (any::<i64>(), 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
            ]),
            6,
        ),
        yes in prop::option::of(any::<bool>()),
        count in prop::option::of(0i64..3),
    ) {
        static RS: std::sync::LazyLock<Ruleset> = std::sync::LazyLock::new(shortfall_ruleset);
        let rs = &*RS;
        let mut values: Vec<Option<Value>> = numbers.into_iter().map(|n| n.map(Value::Num)).collect();
        values.push(yes.map(Value::Bool));
        values.push(count.map(|c| Value::Num(Decimal::from(c))));
        let outcome = evaluate(rs, 0, 2025, &values);
        let got = closeness(rs, &outcome, &values);
        let want = closeness_reference(rs, &outcome, &values, true);
        prop_assert_eq!(got, want);
        // The very decimal (digits, scale, sign) that `Decimal`'s own sums give.
        let bits = |k: Option<Closeness>| k.map(|k| (k.short, k.no_data, k.shortfall.serialize()));
        prop_assert_eq!(bits(got), bits(closeness_reference(rs, &outcome, &values, false)));
        // And the column written from it, byte for byte.
        let text = |k: Option<Closeness>| k.map(|k| crate::record::pct(k.shortfall).to_string());
        let general = |k: Option<Closeness>| {
            k.map(|k| {
                (k.shortfall * Decimal::ONE_HUNDRED)
                    .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
                    .normalize()
                    .to_string()
            })
        };
        prop_assert_eq!(text(got), general(want));
    }
}

/// Values and thresholds as rulesets and data have them (few decimals, near each other),
/// and any decimal.
fn number() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        (-2000i64..2000, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s)),
        (0i64..100_000_000, 0u32..13).prop_map(|(m, s)| Decimal::new(m, s)),
        (any::<i64>(), 0u32..14).prop_map(|(m, s)| Decimal::new(m, s)),
        (any::<u32>(), 0u32..13).prop_map(|(m, s)| Decimal::new(i64::from(m), s)),
        crate::exact::any_decimal(),
    ]
}

fn any_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Ge),
        Just(Op::Gt),
        Just(Op::Le),
        Just(Op::Lt),
        Just(Op::Eq)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]
    #[test]
    fn a_shortfall_from_parts_is_the_decimal_one(
        op in any_op(),
        value in number(),
        threshold in number(),
        // A value a few units of its last decimal from the threshold.
        near in prop::option::of((-50i64..50, 0u32..3)),
    ) {
        let value = match near {
            Some((m, s)) => threshold + Decimal::new(m, s),
            None => value,
        };
        let test = Test::Compare(op, crate::ruleset::model::Threshold::Fixed(Vec::new()));
        let v = Some(Value::Num(value));
        if let Some(got) = shortfall_exact(&test, Some(threshold), v) {
            let want = shortfall(&test, Some(threshold), v);
            prop_assert_eq!(
                got.serialize(),
                want.serialize(),
                "{:?} {} against {}: {} not {}", op, value, threshold, got, want
            );
        }
    }
}

#[test]
fn shortfalls_as_data_has_them_are_taken_from_parts() {
    let test = |op| Test::Compare(op, crate::ruleset::model::Threshold::Fixed(Vec::new()));
    for (op, value, threshold) in [
        (Op::Ge, "61.2", "70"),
        (Op::Ge, "41", "50"),
        (Op::Ge, "25.5", "40"),
        (Op::Le, "18", "16.5"),
        (Op::Lt, "0.6", "0.5"),
        (Op::Gt, "90", "90"),
        (Op::Eq, "3", "5"),
        (Op::Ge, "0.001", "0.25"),
    ] {
        let v = Some(Value::Num(d(value)));
        let got = shortfall_exact(&test(op), Some(d(threshold)), v);
        let want = shortfall(&test(op), Some(d(threshold)), v);
        assert_eq!(
            got.map(|g| g.serialize()),
            Some(want.serialize()),
            "{value} {op:?} {threshold}"
        );
    }
}

#[test]
fn shortfalls_on_a_grid_of_values_are_the_decimal_ones() {
    // Every value from -100 to 100 by 0.01 against thresholds as rulesets write them, and
    // halves at the 28th decimal (1 / 2^29 has 29 decimals): rounded to even there.
    let test = |op| Test::Compare(op, crate::ruleset::model::Threshold::Fixed(Vec::new()));
    let thresholds = [
        "50",
        "16.5",
        "70",
        "0.25",
        "90",
        "65",
        "3",
        "1.5",
        "536870912",
    ];
    let mut taken = 0;
    for op in [Op::Ge, Op::Gt, Op::Le, Op::Lt, Op::Eq] {
        for t in thresholds.map(d) {
            let values = (-10_000..=10_000)
                .map(|m| Decimal::new(m, 2))
                .chain((1..40).map(|n| t - Decimal::from(n)));
            for value in values {
                let v = Some(Value::Num(value));
                let Some(got) = shortfall_exact(&test(op), Some(t), v) else {
                    continue;
                };
                taken += 1;
                let want = shortfall(&test(op), Some(t), v);
                assert_eq!(
                    got.serialize(),
                    want.serialize(),
                    "{value} {op:?} {t}: {got} not {want}"
                );
            }
        }
    }
    assert!(taken > 150_000, "{taken}");
}

#[test]
fn tests_without_a_relative_shortfall_count_one_whole_indicator() {
    let compare = Test::Compare(Op::Ge, crate::ruleset::model::Threshold::Fixed(Vec::new()));
    let values = [
        None,
        Some(Value::Bool(false)),
        Some(Value::Num(d("2"))),
        Some(Value::Num(d("-0.5"))),
        Some(Value::Num(Decimal::ZERO)),
    ];
    for test in [Test::Yes, Test::None, compare.clone()] {
        for threshold in [None, Some(Decimal::ZERO), Some(d("0.00")), Some(d("5"))] {
            for value in values {
                if matches!(test, Test::Compare(..))
                    && threshold.is_some_and(|t| !t.is_zero())
                    && matches!(value, Some(Value::Num(_)))
                {
                    continue;
                }
                let got = shortfall_exact(&test, threshold, value);
                let want = shortfall(&test, threshold, value);
                assert_eq!(got.map(|g| g.serialize()), Some(want.serialize()));
                assert_eq!(want, Decimal::ONE, "{test:?} {threshold:?} {value:?}");
            }
        }
    }
}

/// Shortfalls as `closeness` adds them: zeros of any scale and sign, whole indicators (1),
/// quotients of up to 28 decimals, any decimal (negative ones too, which `add_exact` leaves
/// to `Decimal`).
fn addend() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        (any::<bool>(), 0u32..=28).prop_map(|(neg, s)| Decimal::from_parts(0, 0, 0, neg, s)),
        Just(Decimal::ONE),
        (1u64..1_000_000_000, 0u32..=28)
            .prop_map(|(m, s)| Decimal::from_i128_with_scale(i128::from(m), s)),
        // Near 2^96 at 28 decimals: sums that `Decimal` rounds.
        (1u128 << 90..1u128 << 96, 20u32..=28).prop_map(|(m, s)| {
            Decimal::from_i128_with_scale(i128::try_from(m).expect("96 bits"), s)
        }),
        crate::exact::any_decimal(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]
    #[test]
    fn a_sum_on_the_mantissas_is_the_decimal_one(a in addend(), b in addend()) {
        if let Some(got) = add_exact(a, b) {
            let want = a.checked_add(b);
            prop_assert_eq!(
                Some(got.serialize()),
                want.map(|w| w.serialize()),
                "{} + {}: {} not {:?}", a, b, got, want
            );
        }
    }
}

#[test]
fn shortfalls_as_closeness_adds_them_are_added_on_the_mantissas() {
    for (a, b, sum) in [
        ("0", "1", "1"),
        ("1", "1", "2"),
        ("1", "0.126", "1.126"),
        (
            "0.1234567890123456789012345678",
            "1",
            "1.1234567890123456789012345678",
        ),
        (
            "1",
            "0.1428571428571428571428571429",
            "1.1428571428571428571428571429",
        ),
        (
            "0.3333333333333333333",
            "0.1428571428571428571428571429",
            "0.4761904761904761904428571429",
        ),
    ] {
        let got = add_exact(d(a), d(b));
        assert_eq!(
            got.map(|g| g.serialize()),
            Some((d(a) + d(b)).serialize()),
            "{a} + {b}"
        );
        assert_eq!(
            got.map(|g| g.to_string()),
            Some(sum.to_string()),
            "{a} + {b}"
        );
    }
    // -0 added to zero is -0, as `Decimal` gives it.
    let neg_zero = -Decimal::ZERO;
    assert_eq!(
        add_exact(Decimal::ZERO, neg_zero).map(|g| g.serialize()),
        Some((Decimal::ZERO + neg_zero).serialize())
    );
}
