//! No panic on any input (issue #4): arbitrary bytes and near-CSV text through read, coerce
//! and evaluate, under every reading option. Every data record is accounted for: it is a row
//! handed on or a rejected record with an error, never neither.

use ntm::data::coerce::DecimalMark;
use ntm::data::read::{ReadOptions, read_csv};
use ntm::eval::evaluate;
use ntm::report::CommuneRecord;
use proptest::prelude::*;

use crate::pipeline::example;

fn options() -> impl Strategy<Value = ReadOptions> {
    (any::<bool>(), any::<bool>(), any::<bool>(), 0u8..3).prop_map(
        |(lenient, fraction_percent, allow_missing, mark)| ReadOptions {
            lenient,
            fraction_percent,
            allow_missing,
            decimal: match mark {
                1 => DecimalMark::Comma,
                2 => DecimalMark::Point,
                _ => DecimalMark::Auto,
            },
            ..ReadOptions::default()
        },
    )
}

/// Read `bytes`, evaluate and render every row; check the accounting.
fn run(bytes: &[u8], opts: &ReadOptions) -> Result<(), TestCaseError> {
    let rs = example();
    let read = read_csv(bytes, "f.csv", 0, &rs, opts);
    prop_assert_eq!(read.records, read.rows.len() + read.rejected);
    // A rejected record always comes with an error.
    if read.rejected > 0 {
        prop_assert!(read.diags.iter().any(|d| d.is_error()));
    }
    for (i, row) in read.rows.iter().enumerate() {
        let outcome = evaluate(&rs, row.zone, row.year, &row.values);
        let rec = CommuneRecord::new(&rs, i + 1, "f.csv", row, &outcome, true);
        prop_assert_eq!(rec.row, i + 1);
    }
    Ok(())
}

/// Cells that exercise the reader: numbers in both conventions, fractions, yes/no words,
/// formulas, quotes, delimiters and empty cells.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("Đạt".to_string()),
        Just("không".to_string()),
        Just("1,234".to_string()),
        Just("1.234,5".to_string()),
        Just("0.85".to_string()),
        Just("85%".to_string()),
        Just("-5".to_string()),
        Just("=1+2".to_string()),
        Just("\"a,b\"".to_string()),
        Just("Hải Dương".to_string()),
        Just("10816".to_string()),
        Just("2025".to_string()),
        "[0-9.,%-]{0,8}",
        ".{0,6}",
    ]
}

const HEADER: &str = "code,name,province,year,income_per_capita,irrigated_area_pct,stunting_under5_pct,temporary_houses,general_plan_approved,smart_villages";

fn near_csv() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::collection::vec(cell(), 0..13), 0..12).prop_map(|rows| {
        let mut s = String::from(HEADER);
        s.push('\n');
        for r in rows {
            s.push_str(&r.join(","));
            s.push('\n');
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512), opts in options()) {
        run(&bytes, &opts)?;
    }

    #[test]
    fn near_csv_text_never_panics_and_every_record_is_counted(text in near_csv(), opts in options()) {
        run(text.as_bytes(), &opts)?;
    }
}
