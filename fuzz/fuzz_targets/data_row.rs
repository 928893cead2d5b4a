//! Any bytes as a commune file: reading, coercing and evaluating every row must never panic,
//! and every data record is either a row or a rejected record.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ntm::data::coerce::DecimalMark;
use ntm::data::read::{ReadOptions, read_csv};
use ntm::eval::evaluate;
use ntm::ruleset::{Ruleset, builtin, load_str};

fn ruleset() -> &'static Ruleset {
    static RS: OnceLock<Ruleset> = OnceLock::new();
    RS.get_or_init(|| {
        let (path, text) =
            builtin::get(builtin::DEFAULT_ID).expect("the default ruleset is built in");
        load_str(text, path)
            .0
            .expect("the default ruleset is valid")
    })
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks the reading options, the rest is the file.
    let Some((&flags, bytes)) = data.split_first() else {
        return;
    };
    let opts = ReadOptions {
        lenient: flags & 1 != 0,
        fraction_percent: flags & 2 != 0,
        decimal: match (flags >> 2) & 3 {
            1 => DecimalMark::Comma,
            2 => DecimalMark::Point,
            _ => DecimalMark::Auto,
        },
        allow_missing: flags & 16 != 0,
        ..ReadOptions::default()
    };
    let rs = ruleset();
    let read = read_csv(bytes, "fuzz.csv", 0, rs, &opts);
    assert_eq!(read.records, read.rows.len() + read.rejected);
    for row in &read.rows {
        let _ = evaluate(rs, row.zone, row.year, &row.values);
    }
});
