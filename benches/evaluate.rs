//! Micro-benchmarks of the evaluator core (issue #7): parsing the embedded default ruleset,
//! reading and coercing rows, and evaluating one commune. Run with `cargo bench`; the
//! whole-program figures come from `scripts/bench.sh`.

use ntm::data::coerce::DecimalMark;
use ntm::data::province::ProvinceSet;
use ntm::data::read::{ReadOptions, read_csv};
use ntm::eval::evaluate;
use ntm::ruleset::{Ruleset, builtin, load_str};

const EXAMPLE: &str = include_str!("../examples/communes.csv");

fn main() {
    divan::main();
}

fn opts() -> ReadOptions {
    ReadOptions {
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
    }
}

fn default_ruleset() -> Ruleset {
    let (path, text) = builtin::get(builtin::DEFAULT_ID).expect("the default ruleset is built in");
    load_str(text, path)
        .0
        .expect("the default ruleset is valid")
}

/// TOML → validated model of the embedded default ruleset: paid once per run.
#[divan::bench]
fn load_default_ruleset() -> Option<Ruleset> {
    let (path, text) = builtin::get(builtin::DEFAULT_ID).expect("the default ruleset is built in");
    load_str(divan::black_box(text), path).0
}

/// CSV bytes → rows for the 12 example communes (every 2021–2025 measure as columns).
#[divan::bench]
fn read_example(bencher: divan::Bencher<'_, '_>) {
    let rs = default_ruleset();
    let opts = opts();
    bencher
        .counter(divan::counter::BytesCount::of_str(EXAMPLE))
        .bench(|| read_csv(divan::black_box(EXAMPLE.as_bytes()), "b.csv", 0, &rs, &opts));
}

/// One commune through every level, criterion and indicator.
#[divan::bench]
fn evaluate_one(bencher: divan::Bencher<'_, '_>) {
    let rs = default_ruleset();
    let read = read_csv(EXAMPLE.as_bytes(), "b.csv", 0, &rs, &opts());
    let rows = read.rows;
    let mut i = 0;
    bencher.bench_local(|| {
        let row = &rows[i % rows.len()];
        i += 1;
        evaluate(&rs, row.zone, row.year, divan::black_box(&row.values))
    });
}

/// The example communes evaluated and rendered as CSV records.
#[divan::bench]
fn evaluate_and_record_example(bencher: divan::Bencher<'_, '_>) {
    let rs = default_ruleset();
    let rows = read_csv(EXAMPLE.as_bytes(), "b.csv", 0, &rs, &opts()).rows;
    bencher.bench(|| {
        rows.iter()
            .enumerate()
            .map(|(i, row)| {
                let o = evaluate(&rs, row.zone, row.year, &row.values);
                ntm::report::CommuneRecord::new(&rs, i + 1, "b.csv", row, &o, false)
            })
            .collect::<Vec<_>>()
    });
}
