//! The reading side of `ntm evaluate` alone (issue #14): splits and reads up to ROWS rows of a
//! file held in memory into `Row`s (records, coercion, every check of the row reader) PASSES
//! times on one thread, as the rows thread does, dropping each batch of 256 rows, and prints
//! the fastest pass per million rows. Opening, decoding and the other threads are not timed:
//! `scripts/bench.sh` times the whole run, `render_only` the evaluating side.
//!
//!   cargo run --release --example read_only -- FILE.csv [ROWS [PASSES]]

mod common;

use std::process::ExitCode;
use std::time::Instant;

use common::Setup;

use ntm::data::read::{ReadOptions, RowReader};

fn main() -> ExitCode {
    let Setup {
        path,
        bytes,
        end,
        passes,
        rs,
    } = match common::setup("read_only", 100_000, 5) {
        Ok(s) => s,
        Err(exit) => return exit,
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
