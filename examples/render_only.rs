//! The evaluating and writing side of `ntm evaluate --format csv` alone (issue #14): reads
//! up to ROWS rows of a file into memory once, then evaluates them and writes their CSV rows
//! into memory PASSES times, as each rendering thread does for its batches, and prints the
//! time per million rows. Reading is not timed: `parse_only` and `scripts/bench.sh` time it.
//!
//!   cargo run --release --example render_only -- FILE.csv [ROWS [PASSES]]

use std::process::ExitCode;
use std::time::Instant;

use ntm::data::read::{ReadOptions, Row, read_csv};
use ntm::eval::Evaluator;
use ntm::record::{RunTally, borderline_records};
use ntm::report::csv::{CsvSink, Evaluated, Phrasebooks};
use ntm::ruleset::Ruleset;
use ntm::ruleset::{builtin, load_str};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: render_only FILE.csv [ROWS [PASSES]]");
        return ExitCode::from(2);
    };
    let limit: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let passes: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("render_only: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    // The first `limit` rows, cut at a line end.
    let mut end = bytes.len();
    let mut lines = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            lines += 1;
            if lines > limit {
                end = i + 1;
                break;
            }
        }
    }
    let Some((id, text)) = builtin::get(builtin::DEFAULT_ID) else {
        eprintln!("render_only: no default ruleset");
        return ExitCode::from(2);
    };
    let Some(rs) = load_str(text, id).0 else {
        eprintln!("render_only: the default ruleset does not load");
        return ExitCode::from(2);
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
    // One evaluator and one set of phrasebooks for the run, as each rendering thread keeps.
    let mut evaluator = Evaluator::new(&rs);
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
