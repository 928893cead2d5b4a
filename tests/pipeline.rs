//! Properties of the whole pipeline (CSV text → rows → outcomes → records) on random data.

use ntm::data::coerce::DecimalMark;
use ntm::data::province::ProvinceSet;
use ntm::data::read::{ReadOptions, read_csv};
use ntm::eval::evaluate;
use ntm::record::CommuneRecord;
use ntm::ruleset::{Ruleset, load_str};
use proptest::prelude::*;

pub fn example() -> Ruleset {
    let (rs, diags) = load_str(
        include_str!("../examples/ruleset.toml"),
        "examples/ruleset.toml",
    );
    rs.unwrap_or_else(|| panic!("example ruleset must load: {diags:?}"))
}

pub const OPTS: ReadOptions = ReadOptions {
    year: None,
    allow_out_of_period: false,
    allow_missing: false,
    province_set: ProvinceSet::Y2024,
    keep: Vec::new(),
    header_row: None,
    encoding: None,
    delimiter: None,
    sheet: None,
    lenient: false,
    decimal: DecimalMark::Auto,
    fraction_percent: false,
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
        num(2, 100), // above 1: a column of values in [0, 1] is `percent-as-fraction`
        num(2, 40),
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

/// For one evaluated row: the long-format rows (parsed back), the explain JSON and the
/// evaluate record, all with the same margin.
fn long_and_explain(
    rs: &Ruleset,
    r: &ntm::data::read::Row,
    margin: ntm::margin::Margin,
) -> (Vec<csv::StringRecord>, serde_json::Value, CommuneRecord) {
    let o = evaluate(rs, r.zone, r.year, &r.values);
    let mut rec = CommuneRecord::new(rs, 1, "t.csv", r, &o, false);
    rec.borderline = ntm::record::borderline_records(rs, &o, &r.values, Some(margin));
    let mut bytes = Vec::new();
    {
        let mut sink = ntm::report::long::LongSink::body(&mut bytes);
        sink.write(rs, &rec, &r.values, &o, Some(margin))
            .expect("long rows");
        sink.finish().expect("flush");
    }
    let long: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice())
        .records()
        .map(|r| r.expect("long CSV parses"))
        .collect();
    let explained = ntm::report::explain::explain_commune(rs, 1, "t.csv", r, &o, Some(margin));
    let json = serde_json::to_value(&explained).expect("explain JSON");
    (long, json, rec)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn long_format_has_one_row_per_indicator_matching_explain_and_evaluate(
        rows in prop::collection::vec(row(), 1..12),
        pct in 0u32..30,
    ) {
        let rs = example();
        let margin = ntm::margin::Margin::Relative(rust_decimal::Decimal::new(i64::from(pct), 2));
        let read = read_csv(csv_text(&rows).as_bytes(), "t.csv", 0, &rs, &OPTS);
        let col = |name: &str| {
            ntm::report::long::LONG_HEADER.iter().position(|h| *h == name).expect("column")
        };
        for r in &read.rows {
            let (long, json, rec) = long_and_explain(&rs, r, margin);
            prop_assert_eq!(long.len(), rs.indicator_count());
            let mut k = 0;
            let mut borderline = Vec::new();
            for (li, level) in json["levels"].as_array().expect("levels").iter().enumerate() {
                for crit in level["criteria"].as_array().expect("criteria") {
                    for ind in crit["indicators"].as_array().expect("indicators") {
                        let row = &long[k];
                        k += 1;
                        prop_assert_eq!(&row[col("level")], rs.levels[li].id.as_str());
                        prop_assert_eq!(&row[col("level_reached")], if rec.levels[li].reached { "true" } else { "false" });
                        prop_assert_eq!(&row[col("criterion")], crit["criterion"].as_str().expect("id"));
                        prop_assert_eq!(&row[col("criterion_status")], crit["status"].as_str().expect("status"));
                        prop_assert_eq!(&row[col("indicator")], ind["id"].as_str().expect("id"));
                        prop_assert_eq!(&row[col("status")], ind["status"].as_str().expect("status"));
                        let verified = ind["verified"].to_string();
                        let near = ind["borderline"].to_string();
                        let gap = ind["gap"].as_number().map(|n| n.to_string()).unwrap_or_default();
                        prop_assert_eq!(&row[col("verified")], verified.as_str());
                        prop_assert_eq!(&row[col("borderline")], near.as_str());
                        prop_assert_eq!(&row[col("gap")], gap.as_str());
                        if ind["borderline"] == serde_json::Value::Bool(true) {
                            borderline.push(format!("{}:{}", rs.levels[li].id, &row[col("indicator")]));
                        }
                    }
                }
            }
            // evaluate's `borderline` lists exactly the indicators marked in long and explain.
            let listed: Vec<String> = rec.borderline.iter().map(|b| format!("{}:{}", b.level, b.indicator)).collect();
            prop_assert_eq!(listed, borderline);
            // And every indicator evaluate reports missing has that status in long.
            for m in &rec.missing {
                for i in &m.indicators {
                    let found = long.iter().find(|l| l[col("level")] == *m.level && l[col("indicator")] == *i.id).expect("row");
                    let status = serde_json::to_value(i.status).expect("status");
                    prop_assert_eq!(&found[col("status")], status.as_str().expect("text"));
                }
            }
        }
    }
}
