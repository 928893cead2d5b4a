use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::data::coerce::Value;
use crate::eval::evaluate;
use crate::ruleset::load_str;

fn fixture() -> Ruleset {
    let (rs, diags) = load_str(
        include_str!("../../tests/fixtures/summary/ruleset.toml"),
        "ruleset.toml",
    );
    assert!(diags.is_empty(), "{diags:?}");
    rs.expect("fixture ruleset loads")
}

#[test]
fn bands_follow_the_reporting_vocabulary() {
    let b = |n| -> Vec<(usize, usize)> { bands(n).iter().map(|b| (b.from, b.to)).collect() };
    // 2021–2025, 19 criteria: under 10, 10–14, 15–18, all 19.
    assert_eq!(b(19), [(0, 9), (10, 14), (15, 18), (19, 19)]);
    // 2026–2030 reporting form, 10 criteria: under 5, 5–9, all 10 (n − 4 = 6 leaves one
    // value between the cuts, so it is not used).
    assert_eq!(b(10), [(0, 4), (5, 9), (10, 10)]);
    // 12: ⌈12/2⌉ = 6, 12 − 4 = 8 ≥ 6 + 2.
    assert_eq!(b(12), [(0, 5), (6, 7), (8, 11), (12, 12)]);
    assert_eq!(b(3), [(0, 1), (2, 2), (3, 3)]);
    assert_eq!(b(1), [(0, 0), (1, 1)]);
    assert_eq!(b(0), [(0, 0)]);
}

#[test]
fn short_by_is_the_fewest_more_communes_that_meet_the_share() {
    // 80 % of 151 communes = 120.8 → 121 needed; 94 reached → short by 121 − 94 = 27.
    // Check: 120/151 = 79.47 % misses, 121/151 = 80.13 % meets.
    let t = Target {
        level: 0,
        level_id: "standard".into(),
        scope: Scope::All,
        zone_id: None,
        goal: Goal::Share(Decimal::from(80)),
        source: None,
        verified: true,
        note: None,
    };
    let c = t.clone().check(151, 94);
    assert_eq!((c.needed, c.short_by, c.met), (121, 27, false));
    // Exactly on the share: 80 % of 15 = 12.
    let c = t.clone().check(15, 12);
    assert_eq!((c.needed, c.short_by, c.met), (12, 0, true));
    // 10 % of 15 = 1.5 → 2: one model commune is not enough.
    assert_eq!(Goal::Share(Decimal::from(10)).needed(15), 2);
    assert_eq!(Goal::Share(Decimal::from(10)).needed(10), 1);
    assert_eq!(Goal::Share(Decimal::new(875, 1)).needed(8), 7);
    assert_eq!(Goal::Share(Decimal::ZERO).needed(8), 0);
    // A count: "29 more advanced communes" written as the total to reach.
    let c = Target {
        goal: Goal::Count(29),
        ..t.clone()
    }
    .check(151, 20);
    assert_eq!((c.needed, c.short_by, c.met), (29, 9, false));
    // No commune in scope never meets a target, even a zero one.
    let c = Target {
        goal: Goal::Share(Decimal::ZERO),
        ..t
    }
    .check(0, 0);
    assert!(!c.met);
}

#[test]
fn ranking_puts_most_failed_first_then_ruleset_order_then_no_data_only() {
    let m = |fail, no_data| Missed { fail, no_data };
    let missed = [m(1, 0), m(0, 0), m(0, 2), m(3, 0), m(1, 1), m(3, 1)];
    assert_eq!(ranking(&missed), [3, 5, 0, 4, 2]);
}

#[test]
fn share_is_cut_and_average_rounded() {
    assert_eq!(share(1, 6), Decimal::new(166, 1));
    assert_eq!(share(94, 151), Decimal::new(622, 1));
    assert_eq!(share(0, 0), Decimal::ZERO);
    assert_eq!(average(161, 15, 2), Decimal::new(1073, 2));
    assert_eq!(average(39, 2, 1), Decimal::new(195, 1));
    assert_eq!(average(5, 0, 2), Decimal::ZERO);
}

#[test]
fn rollup_needs_every_commune_ntm_and_a_tenth_higher() {
    // 11 communes: 10 % is 1.1 → 2 needed.
    assert!(!rollup(None, 11, 11, 1).met);
    assert!(rollup(None, 11, 11, 2).met);
    assert_eq!(rollup(None, 11, 11, 1).higher_needed, 2);
    assert!(!rollup(None, 11, 10, 5).met);
    assert!(!rollup(None, 0, 0, 0).met);
}

#[test]
fn targets_file_errors_are_located_and_all_reported() {
    let rs = fixture();
    let text = "[targets]\nname = \"t\"\nsource = \"s\"\n\n[[target]]\nlevel = \"gold\"\nshare = 10\n\n[[target]]\nlevel = \"standard\"\nzone = \"XX\"\nshare = 10\n\n[[target]]\nlevel = \"standard\"\nshare = 120\n\n[[target]]\nlevel = \"standard\"\nshare = 10\ncount = 3\n";
    let (t, diags) = targets::parse(text, "t.toml", &rs, &mut |_| Ok(0));
    assert!(t.is_none());
    let got: Vec<(&str, Option<u64>)> = diags
        .iter()
        .map(|d| (d.code, d.location.as_ref().and_then(|l| l.line)))
        .collect();
    assert_eq!(
        got,
        [
            ("unknown-target-level", Some(6)),
            ("unknown-target-zone", Some(11)),
            ("invalid-target", Some(16)),
            ("invalid-target", Some(19)),
        ]
    );
    let (t, diags) = targets::parse("[targets]\nname = 1\n", "t.toml", &rs, &mut |_| Ok(0));
    assert!(t.is_none());
    assert_eq!(diags[0].code, "invalid-targets");
}

#[test]
fn targets_resolve_zones_by_alias_and_columns_through_the_caller() {
    let rs = fixture();
    let text = "[targets]\nname = \"t\"\nsource = \"s\"\n\n[[target]]\nlevel = \"advanced\"\nregion = \"Đồng bằng sông Hồng\"\nshare = 10\n\n[[target]]\nlevel = \"advanced\"\ncolumn = \"district\"\nvalue = \" Huyện Kinh Môn \"\ncount = 3\n";
    let mut asked = Vec::new();
    let (t, diags) = targets::parse(text, "t.toml", &rs, &mut |c| {
        asked.push(c.to_string());
        Ok(4)
    });
    assert!(diags.is_empty(), "{diags:?}");
    let t = t.expect("valid");
    assert_eq!(asked, ["district"]);
    assert_eq!(t.targets[0].scope, Scope::Zone(1));
    assert_eq!(
        t.targets[1].scope,
        Scope::Value {
            key: 4,
            column: "district".into(),
            value: "Huyện Kinh Môn".into()
        }
    );
}

proptest! {
    /// Every commune is counted once in its group and once in the total; bands, highest
    /// levels and "no level" each partition the communes; levels nest.
    #[test]
    fn every_commune_is_counted_exactly_once(
        communes in proptest::collection::vec(
            (proptest::collection::vec(proptest::option::of(any::<bool>()), 15), 40u32..90, 0usize..4),
            0..40,
        )
    ) {
        let rs = fixture();
        let mut s = Summariser::new(&rs, Some(0), Vec::new(), None);
        let groups = ["A", "B", "C"];
        for (flags, income, g) in &communes {
            let mut values: Vec<Option<Value>> = Vec::new();
            let mut flags = flags.iter();
            for m in &rs.measures {
                values.push(if m.id == "income" {
                    Some(Value::Num(Decimal::from(*income)))
                } else {
                    flags.next().copied().flatten().map(Value::Bool)
                });
            }
            let o = evaluate(&rs, 1, 2025, &values);
            let key = [groups.get(*g).map(|s| s.to_string())];
            s.add(&Facts { outcome: &o, zone: 1, values: &key });
        }
        let sum = s.finish();
        let n = communes.len();
        prop_assert_eq!(sum.total.communes, n);
        prop_assert_eq!(sum.groups.iter().map(|g| g.tally.communes).sum::<usize>(), n);
        for t in std::iter::once(&sum.total).chain(sum.groups.iter().map(|g| &g.tally)) {
            let highest: usize = t.levels.iter().map(|l| l.highest).sum();
            prop_assert_eq!(highest + t.no_level, t.communes);
            for (i, l) in t.levels.iter().enumerate() {
                prop_assert_eq!(l.bands.iter().sum::<usize>(), t.communes);
                if i > 0 {
                    prop_assert!(l.reached <= t.levels[i - 1].reached);
                }
            }
            let candidates: usize = t.levels.iter().map(|l| l.candidates).sum();
            prop_assert_eq!(candidates + t.levels.last().map_or(0, |l| l.reached), t.communes);
        }
    }

    /// Tallies of batches merged in order equal the tally of every commune counted at once
    /// (the xlsx output of `evaluate` counts its batches apart).
    #[test]
    fn merged_batch_tallies_equal_one_tally(
        communes in proptest::collection::vec(
            (proptest::collection::vec(proptest::option::of(any::<bool>()), 15), 40u32..90),
            0..30,
        ),
        cut in 0usize..30,
    ) {
        let rs = fixture();
        let (mut all, mut first, mut second) = (Tally::new(&rs), Tally::new(&rs), Tally::new(&rs));
        for (i, (flags, income)) in communes.iter().enumerate() {
            let mut values: Vec<Option<Value>> = Vec::new();
            let mut flags = flags.iter();
            for m in &rs.measures {
                values.push(if m.id == "income" {
                    Some(Value::Num(Decimal::from(*income)))
                } else {
                    flags.next().copied().flatten().map(Value::Bool)
                });
            }
            let o = evaluate(&rs, 1, 2025, &values);
            all.add(&rs, &o);
            if i < cut { first.add(&rs, &o) } else { second.add(&rs, &o) }
        }
        first.merge(&second);
        prop_assert_eq!(first, all);
    }
}

#[test]
fn reported_figures_need_the_three_columns_and_accept_vietnamese_headers() {
    let rs = fixture();
    let (rows, diags) = compare::parse("huyện,level\nA,standard\n", "r.csv", &rs);
    assert!(rows.is_none());
    assert_eq!(diags[0].code, "reported-missing-column");
    // Vietnamese headers, a BOM, the total spelled "Toàn tỉnh", a level by its name.
    let text = "\u{feff}Đơn vị,Mức,Số xã,Tổng số xã\nToàn tỉnh,Xã NTM kiểu mẫu,2,15\nHuyện A,standard,4,\n";
    let (rows, diags) = compare::parse(text, "r.csv", &rs);
    assert!(diags.is_empty(), "{diags:?}");
    let rows = rows.expect("valid");
    assert_eq!(
        rows,
        [
            compare::Reported {
                group: None,
                level: 2,
                count: 2,
                total: Some(15),
                line: 2
            },
            compare::Reported {
                group: Some("Huyện A".into()),
                level: 0,
                count: 4,
                total: None,
                line: 3
            },
        ]
    );
}

#[test]
fn rollup_rules_follow_the_levels_of_the_builtin_rulesets() {
    let builtin = |id: &str| {
        let (_, text) = crate::ruleset::builtin::get(id).expect("built in");
        load_str(text, id).0.expect("loads")
    };
    let rule = |rs: &Ruleset, by: &str| RollupRule::for_groups(rs, by).map(|r| r.0);
    let r2025 = builtin("ntm-2021-2025");
    assert_eq!(rule(&r2025, "district"), Some(RollupRule::DistrictNtm2021));
    assert_eq!(rule(&r2025, "province"), None);
    let r2030 = builtin("ntm-2026-2030");
    assert_eq!(
        rule(&r2030, "province"),
        Some(RollupRule::ProvinceCompleted2026)
    );
    assert_eq!(rule(&r2030, "district"), None);
    // 2016–2020 has one level: no share-of-communes rule to check.
    assert_eq!(rule(&builtin("ntm-2016-2020"), "district"), None);
}

/// Groups are listed in Vietnamese alphabetical order (issue #15): Đ after D and before E,
/// administrative prefixes left out, the empty value first; the old order put "Đắk Mil" after
/// "Ea Kar" (the byte order of `đ`) and "Thành phố Hà Nội" among the T's.
#[test]
fn groups_follow_vietnamese_alphabetical_order() {
    let rs = fixture();
    let mut s = Summariser::new(&rs, Some(0), Vec::new(), None);
    let values: Vec<Option<Value>> = rs.measures.iter().map(|_| None).collect();
    let o = evaluate(&rs, 1, 2025, &values);
    for g in [
        Some("Thị xã Ea Kar"),
        Some("Huyện Đắk Mil"),
        None,
        Some("Thành phố Hà Nội"),
        Some("Huyện Dương Minh Châu"),
        Some("Tân Uyên"),
    ] {
        let key = [g.map(str::to_string)];
        s.add(&Facts {
            outcome: &o,
            zone: 1,
            values: &key,
        });
    }
    let order: Vec<Option<String>> = s.finish().groups.into_iter().map(|g| g.key).collect();
    assert_eq!(
        order,
        [
            None,
            Some("Huyện Dương Minh Châu".to_string()),
            Some("Huyện Đắk Mil".to_string()),
            Some("Thị xã Ea Kar".to_string()),
            Some("Thành phố Hà Nội".to_string()),
            Some("Tân Uyên".to_string()),
        ]
    );
}
