//! Micro-benchmarks of the evaluator core (issue #7): parsing the embedded default ruleset,
//! reading and coercing rows, coercing the cells of one row, and evaluating one commune
//! (afresh, or reusing an evaluator), and a batch of communes evaluated and written as CSV
//! (through records, and straight from their outcomes).
//! Run with `cargo bench`; the whole-program figures come from `scripts/bench.sh`.

use ntm::data::coerce::{DecimalMark, NumberRules, coerce, coerce_bytes};
use ntm::data::province::ProvinceSet;
use ntm::data::read::{ReadOptions, read_csv};
use ntm::eval::{Evaluator, evaluate};
use ntm::ruleset::model::MeasureKind;
use ntm::ruleset::{Ruleset, builtin, load_str};

const EXAMPLE: &str = include_str!("../examples/communes.csv");

/// One row of `scripts/gen_communes.py 10` (the bench data), under the header of `EXAMPLE`.
const BENCH_ROW: &str = "2025,00388,Xã Nam Sơn,Huyện Sóc Sơn,Thành phố Hà Nội,,,Đạt,Đạt,100,84,51,\"73,5\",88,Đạt,Đạt,Đạt,Đạt,Đạt,Đạt,Đạt,Đạt,Đạt,Đạt,Đạt,Đạt,2,Đạt,55,Đạt,\"27,5\",Đạt,Đạt,Đạt,Đạt,Đạt,Đạt,Đạt,99,Đạt,\"96,1\",Đạt,\"15,7\",55,\"73,5\",51,Đạt,Đạt,Đạt,Đạt,Đạt,Đạt,Đạt,100,Đạt,Đạt,Đạt,Đạt,Không đạt,Đạt,Đạt,Đạt,Đạt,Không đạt,Không đạt,Không đạt,,Đạt,,Không đạt,,,Đạt,Không đạt,,,\"92,3\",\"45,8\",Đạt,Không đạt,,Không đạt,,Không đạt,,,Đạt,Đạt,,,,Đạt";

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

/// The measure cells of `BENCH_ROW` with their declared kinds, as the reader meets them.
fn bench_cells() -> Vec<(String, MeasureKind)> {
    let rs = default_ruleset();
    let header = EXAMPLE.lines().next().expect("the example has a header");
    let split = |line: &str| {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes())
            .records()
            .next()
            .expect("one record")
            .expect("valid CSV")
    };
    let (names, cells) = (split(header), split(BENCH_ROW));
    assert_eq!(
        cells.len(),
        names.len(),
        "BENCH_ROW has a cell for every column"
    );
    names
        .iter()
        .zip(cells.iter())
        .filter_map(|(name, cell)| {
            let m = rs.measures.iter().find(|m| m.id == name)?;
            Some((cell.to_string(), m.kind))
        })
        .collect()
}

/// Every measure cell of one bench-data row (87 of its 92 columns) → typed values.
#[divan::bench]
fn coerce_row(bencher: divan::Bencher<'_, '_>) {
    let cells = bench_cells();
    assert_eq!(cells.len(), 87);
    bencher.bench_local(|| {
        let mut read = 0;
        for (cell, kind) in divan::black_box(&cells) {
            if let Ok(Some(_)) = coerce(cell, *kind, NumberRules::default()) {
                read += 1;
            }
        }
        read
    });
}

/// The same cells as bytes, as the reader hands them over (`coerce_bytes`).
#[divan::bench]
fn coerce_row_bytes(bencher: divan::Bencher<'_, '_>) {
    let cells = bench_cells();
    bencher.bench_local(|| {
        let mut read = 0;
        for (cell, kind) in divan::black_box(&cells) {
            if let Ok(Some(_)) = coerce_bytes(cell.as_bytes(), *kind, NumberRules::default()) {
                read += 1;
            }
        }
        read
    });
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

/// One commune at a time through one `Evaluator` writing into one outcome, as `ntm evaluate`
/// does for each batch: thresholds resolved once per (zone, year), no allocation.
#[divan::bench]
fn evaluate_one_reused(bencher: divan::Bencher<'_, '_>) {
    let rs = default_ruleset();
    let rows = read_csv(EXAMPLE.as_bytes(), "b.csv", 0, &rs, &opts()).rows;
    let mut ev = Evaluator::new(&rs);
    let mut out = ev.evaluate(rows[0].zone, rows[0].year, &rows[0].values);
    let mut i = 0;
    bencher.bench_local(|| {
        let row = &rows[i % rows.len()];
        i += 1;
        ev.evaluate_into(row.zone, row.year, divan::black_box(&row.values), &mut out);
        out.level
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
                ntm::record::CommuneRecord::new(&rs, i + 1, "b.csv", row, &o, false)
            })
            .collect::<Vec<_>>()
    });
}

/// The example communes as `ntm evaluate --format csv` renders a batch: one `Evaluator`, one
/// outcome, one `RecordSlot` and one CSV sink for all of them.
#[divan::bench]
fn evaluate_and_write_csv_example(bencher: divan::Bencher<'_, '_>) {
    let rs = default_ruleset();
    let rows = read_csv(EXAMPLE.as_bytes(), "b.csv", 0, &rs, &opts()).rows;
    let mut bytes = Vec::with_capacity(1 << 16);
    bencher.bench_local(|| {
        bytes.clear();
        let mut ev = Evaluator::new(&rs);
        let mut out = ev.evaluate(rows[0].zone, rows[0].year, &rows[0].values);
        let mut slot = ntm::record::RecordSlot::default();
        let mut sink = ntm::report::csv::CsvSink::body(&mut bytes);
        for (i, row) in rows.iter().enumerate() {
            ev.evaluate_into(row.zone, row.year, divan::black_box(&row.values), &mut out);
            let rec = slot.fill(&rs, i + 1, "b.csv", row, &out, false);
            sink.write(rec).expect("writes to memory");
        }
        sink.finish().expect("writes to memory");
    });
}

/// The example communes as `ntm evaluate --format csv` writes a batch today: one
/// `Evaluator`, one outcome and one set of phrasebooks, each row written from its outcome
/// without a record (`CsvSink::write_evaluated`).
#[divan::bench]
fn evaluate_and_write_csv_from_outcomes(bencher: divan::Bencher<'_, '_>) {
    let rs = default_ruleset();
    let rows = read_csv(EXAMPLE.as_bytes(), "b.csv", 0, &rs, &opts()).rows;
    let mut bytes = Vec::with_capacity(1 << 16);
    // The CSV reads no level out of reach: as `evaluate` does, they are not judged.
    let mut ev = Evaluator::new(&rs).with_scope(ntm::eval::Scope::Reachable);
    let mut out = ev.evaluate(rows[0].zone, rows[0].year, &rows[0].values);
    let mut books = ntm::report::csv::Phrasebooks::default();
    bencher.bench_local(|| {
        bytes.clear();
        let mut sink = ntm::report::csv::CsvSink::in_vec(&mut bytes);
        for (i, row) in rows.iter().enumerate() {
            ev.evaluate_into(row.zone, row.year, divan::black_box(&row.values), &mut out);
            let e = ntm::report::csv::Evaluated {
                rs: &rs,
                position: i + 1,
                file: "b.csv",
                row,
                outcome: &out,
                all_levels: false,
                borderline: &[],
            };
            sink.write_evaluated(&e, &mut books)
                .expect("writes to memory");
        }
        sink.finish().expect("writes to memory");
    });
}
