//! The reading side of `ntm evaluate` alone (issue #14): splits and reads up to ROWS rows of a
//! file held in memory into `Row`s (records, coercion, every check of the row reader) PASSES
//! times on one thread, as the rows thread does, dropping each batch of 256 rows, and prints
//! the fastest pass per million rows. Opening, decoding and the other threads are not timed:
//! `scripts/bench.sh` times the whole run, `render_only` the evaluating side.
//!
//!   cargo run --release --example read_only -- FILE.csv [ROWS [PASSES]]

use std::process::ExitCode;
use std::time::Instant;

use ntm::data::read::{ReadOptions, RowReader};
use ntm::ruleset::{builtin, load_str};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: read_only FILE.csv [ROWS [PASSES]]");
        return ExitCode::from(2);
    };
    let limit: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let passes: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(5);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("read_only: {path}: {e}");
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
        eprintln!("read_only: no default ruleset");
        return ExitCode::from(2);
    };
    let Some(rs) = load_str(text, id).0 else {
        eprintln!("read_only: the default ruleset does not load");
        return ExitCode::from(2);
    };
    let opts = ReadOptions::default();
    let mut best = f64::INFINITY;
    let mut rows = 0usize;
    for _ in 0..passes {
        let started = Instant::now();
        let mut reader = RowReader::new(&bytes[..end], &path, 0, &rs, &opts);
        let mut batch = Vec::with_capacity(256);
        rows = 0;
        while let Some(row) = reader.next_row() {
            batch.push(row);
            if batch.len() == 256 {
                rows += batch.len();
                batch.clear();
            }
        }
        rows += batch.len();
        let errors = reader.finish().diags.len();
        best = best.min(started.elapsed().as_secs_f64());
        if errors > 0 {
            eprintln!("read_only: {errors} diagnostic(s)");
        }
    }
    if rows == 0 {
        eprintln!("read_only: no rows read");
        return ExitCode::from(2);
    }
    println!(
        "{rows} rows: {:.3} s per million rows (fastest of {passes})",
        best * 1e6 / rows as f64
    );
    ExitCode::SUCCESS
}
