//! Baseline for `scripts/bench.sh` (issue #7): read a CSV file's records as `ByteRecord`s with
//! the csv crate and nothing else, printing the count, so `ntm evaluate` can be compared with
//! the cost of merely parsing the same file.

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: parse_only FILE.csv");
        return ExitCode::from(2);
    };
    let mut rdr = match csv::ReaderBuilder::new().has_headers(true).from_path(&path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("parse_only: {e}");
            return ExitCode::from(2);
        }
    };
    let mut rec = csv::ByteRecord::new();
    let mut rows = 0u64;
    let mut fields = 0u64;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {
                rows += 1;
                fields += rec.len() as u64;
            }
            Ok(false) => break,
            Err(e) => {
                eprintln!("parse_only: {e}");
                return ExitCode::from(2);
            }
        }
    }
    println!("{rows} rows {fields} fields");
    ExitCode::SUCCESS
}
