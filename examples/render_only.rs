//! The evaluating and writing side of `ntm evaluate --format csv` alone (issue #14): reads
//! up to ROWS rows of a file into memory once, then evaluates them and writes their CSV rows
//! into memory PASSES times, as each rendering thread does for its batches, and prints the
//! time per million rows. Reading is not timed: `parse_only` and `scripts/bench.sh` time it.
//!
//!   cargo run --release --example render_only -- FILE.csv [ROWS [PASSES]]

mod common;

use std::process::ExitCode;
use std::time::Instant;

use common::Setup;

use ntm::data::read::{ReadOptions, Row, read_csv};
use ntm::eval::Evaluator;
use ntm::record::{RunTally, borderline_records};
use ntm::report::csv::{CsvSink, Evaluated, Phrasebooks};
use ntm::ruleset::Ruleset;

fn main() -> ExitCode {
    let Setup {
        path,
        bytes,
        end,
        passes,
        rs,
    } = match common::setup("render_only", 20_000, 10) {
        Ok(s) => s,
        Err(exit) => return exit,
    };
    let opts = ReadOptions::default();
    let rows = read_csv(&bytes[..end], &path, 0, &rs, &opts).rows;
    if rows.is_empty() {
        eprintln!("render_only: no rows read");
        return ExitCode::from(2);
    }
    let names = [path.clone()];
    let mut out = Vec::with_capacity(1 << 20);
    let mut written = 0usize;
    // One evaluator and one set of phrasebooks for the run, as each rendering thread keeps;
    // levels out of reach are not judged, as for `--format csv`.
    let mut evaluator = Evaluator::new(&rs).with_scope(ntm::eval::Scope::Reachable);
    let mut books = Phrasebooks::default();
    let started = Instant::now();
    for _ in 0..passes {
        // Batches of 256 rows, as the reading side hands them over.
        for (b, batch) in rows.chunks(256).enumerate() {
            out.clear();
            render(
                &rs,
                &mut evaluator,
                &mut books,
                &names,
                b * 256,
                batch,
                &mut out,
            );
            written += out.len();
        }
    }
    let elapsed = started.elapsed();
    let n = rows.len() * passes;
    println!(
        "{n} rows, {written} bytes: {:.3} s per million rows",
        elapsed.as_secs_f64() * 1e6 / n as f64
    );
    ExitCode::SUCCESS
}

/// One batch as `ntm evaluate --format csv` renders it (`cmd::evaluate::render`): each
/// commune evaluated into one outcome and written from it.
fn render(
    rs: &Ruleset,
    evaluator: &mut Evaluator<'_>,
    books: &mut Phrasebooks,
    names: &[String],
    start: usize,
    rows: &[Row],
    out: &mut Vec<u8>,
) {
    let mut tally = RunTally::default();
    let mut outcome = evaluator.evaluate(rows[0].zone, rows[0].year, &rows[0].values);
    let mut sink = CsvSink::in_vec(out);
    for (i, row) in rows.iter().enumerate() {
        evaluator.evaluate_into(row.zone, row.year, &row.values, &mut outcome);
        tally.row(row, outcome.unverified);
        let borderline = borderline_records(rs, &outcome, &row.values, None);
        sink.write_evaluated(
            &Evaluated {
                rs,
                position: start + i + 1,
                file: &names[row.input],
                row,
                outcome: &outcome,
                all_levels: false,
                borderline: &borderline,
            },
            books,
        )
        .expect("writes to memory");
    }
    sink.finish().expect("writes to memory");
}
