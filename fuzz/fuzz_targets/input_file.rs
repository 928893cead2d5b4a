//! Any bytes as an input file, opened as the commands open one: a byte-order mark or an
//! encoding, delimiter sniffing, or a workbook; then the header search and every row. Nothing
//! may panic, and every data record is either a row or a rejected record.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ntm::data::decode::{self, Encoding};
use ntm::data::read::{ReadOptions, RecordSource, RowReader, csv_records};
use ntm::data::sheet;
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

/// Read every row; check the count.
fn drain<S: RecordSource>(mut rows: RowReader<'_, S>) {
    let rs = ruleset();
    let mut read = 0;
    while let Some(row) = rows.next_row() {
        read += 1;
        let _ = evaluate(rs, row.zone, row.year, &row.values);
    }
    let end = rows.finish();
    assert_eq!(end.records, read + end.rejected);
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks the encoding and `--header-row`, the rest is the file.
    let Some((&flags, bytes)) = data.split_first() else {
        return;
    };
    let encoding = match flags & 7 {
        1 => Some(Encoding::Utf16Le),
        2 => Some(Encoding::Utf16Be),
        3 => Some(Encoding::Windows1258),
        4 => Some(Encoding::Windows1252),
        _ => None,
    };
    let opts = ReadOptions {
        header_row: (flags & 8 != 0).then_some(u64::from(flags >> 4) + 1),
        ..ReadOptions::default()
    };
    let rs = ruleset();
    if sheet::is_workbook("fuzz", bytes) {
        if let Ok(records) = sheet::open(bytes, None, "fuzz.xlsx") {
            drain(RowReader::from_source(records, "fuzz.xlsx", 0, rs, &opts));
        }
        return;
    }
    let split = bytes.len().min(8);
    let (_, text, _) = decode::decode(bytes[..split].to_vec(), &bytes[split..], encoding);
    let Ok((delimiter, text)) = decode::delimiter(text, None) else {
        return;
    };
    drain(RowReader::from_source(
        csv_records(text, delimiter),
        "fuzz.csv",
        0,
        rs,
        &opts,
    ));
});
