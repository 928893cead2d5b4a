//! Properties of the whole pipeline (CSV text → rows → outcomes → records) on random data.

use ntm::data::province::ProvinceSet;
use ntm::data::read::{ReadOptions, read_csv};
use ntm::eval::evaluate;
use ntm::report::CommuneRecord;
use ntm::ruleset::{Ruleset, load_str};
use proptest::prelude::*;

fn example() -> Ruleset {
    let (rs, diags) = load_str(
        include_str!("../examples/ruleset.toml"),
        "examples/ruleset.toml",
    );
    rs.unwrap_or_else(|| panic!("example ruleset must load: {diags:?}"))
}

const OPTS: ReadOptions = ReadOptions {
    year: None,
    allow_out_of_period: false,
    allow_missing: false,
    province_set: ProvinceSet::Y2024,
};

/// One random but valid data row for examples/ruleset.toml (`code` is its index).
fn row() -> impl Strategy<Value = Vec<String>> {
    let num = |lo: u32, hi: u32| (lo..hi, 0u32..10).prop_map(|(i, f)| format!("{i},{f}"));
    let yes_no =
        prop_oneof![Just("Đạt"), Just("không đạt"), Just("x"), Just("")].prop_map(String::from);
    (
        prop_oneof![
            Just("Hải Dương"),
            Just("Cà Mau"),
            Just("Lào Cai"),
            Just("Đồng Nai")
        ],
        2021..=2025i32,
        prop_oneof![num(20, 100), Just(String::new())],
        num(0, 100),
        num(0, 40),
        0u32..3,
        yes_no.clone(),
        0u32..3,
        (yes_no.clone(), yes_no.clone(), yes_no),
    )
        .prop_map(
            |(prov, year, inc, irr, stunt, houses, plan, smart, (tour, prod, ed))| {
                vec![
                    prov.to_string(),
                    year.to_string(),
                    inc,
                    irr,
                    stunt,
                    houses.to_string(),
                    plan,
                    smart.to_string(),
                    tour,
                    prod,
                    ed,
                ]
            },
        )
}

fn csv_text(rows: &[Vec<String>]) -> String {
    let mut s = String::from(
        "code,province,year,income_per_capita,irrigated_area_pct,stunting_under5_pct,temporary_houses,general_plan_approved,smart_villages,field_tourism,field_production,extremely_difficult\n",
    );
    for (i, r) in rows.iter().enumerate() {
        let cells: Vec<String> = r.iter().map(|c| format!("\"{c}\"")).collect();
        s.push_str(&format!("C{i},{}\n", cells.join(",")));
    }
    s
}

fn records(rs: &Ruleset, text: &str) -> Vec<CommuneRecord> {
    let read = read_csv(text.as_bytes(), "t.csv", 0, rs, &OPTS);
    assert!(read.diags.iter().all(|d| !d.is_error()), "{:?}", read.diags);
    read.rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let o = evaluate(rs, r.zone, r.year, &r.values);
            CommuneRecord::new(rs, i + 1, "t.csv", r, &o, false)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_row_appears_once_in_input_order(rows in prop::collection::vec(row(), 1..40)) {
        let rs = example();
        let out = records(&rs, &csv_text(&rows));
        prop_assert_eq!(out.len(), rows.len());
        for (i, r) in out.iter().enumerate() {
            prop_assert_eq!(r.row, i + 1);
            prop_assert_eq!(r.code.clone(), Some(format!("C{i}")));
            prop_assert_eq!(r.line, i as u64 + 2);
        }
    }

    #[test]
    fn a_commune_never_reaches_a_level_whose_criteria_it_misses(rows in prop::collection::vec(row(), 1..20)) {
        let rs = example();
        for r in records(&rs, &csv_text(&rows)) {
            if let Some(level) = &r.level {
                let li = rs.level_index(level).expect("known level");
                let mut chain = Some(li);
                while let Some(l) = chain {
                    prop_assert!(r.levels[l].reached);
                    prop_assert_eq!(r.levels[l].criteria_met, r.levels[l].criteria_total);
                    chain = rs.levels[l].requires;
                }
            }
            for m in &r.missing {
                prop_assert!(!r.levels[rs.level_index(&m.level).expect("known")].reached);
            }
        }
    }

    #[test]
    fn results_do_not_depend_on_row_order(rows in prop::collection::vec(row(), 2..20), seed in any::<u64>()) {
        let rs = example();
        let forward = records(&rs, &csv_text(&rows));
        let mut order: Vec<usize> = (0..rows.len()).collect();
        // A seeded Fisher–Yates shuffle.
        let mut x = seed | 1;
        for i in (1..order.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            order.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let shuffled: Vec<Vec<String>> = order.iter().map(|&i| rows[i].clone()).collect();
        let back = records(&rs, &csv_text(&shuffled));
        for (pos, &orig) in order.iter().enumerate() {
            let (a, b) = (&forward[orig], &back[pos]);
            prop_assert_eq!(&a.level, &b.level);
            prop_assert_eq!(&a.next_level, &b.next_level);
            prop_assert_eq!(a.criteria_met, b.criteria_met);
            prop_assert_eq!(a.unverified, b.unverified);
            prop_assert_eq!(a.missing.len(), b.missing.len());
        }
    }
}
