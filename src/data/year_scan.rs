//! The years of a plain CSV file's `year` column, counted without a CSV parser, for choosing
//! the built-in ruleset before the real pass (`cmd::choose`, issue #14).
//!
//! The choice needs every row's year, so the read ahead goes through the whole file: through
//! the csv parser it cost as much CPU as parsing the file once more. A file without a quote
//! `"` has records that are its non-empty lines (as [`crate::data::records::csv_records`]
//! reads them: records end at `\n`, a `\r` stays in the last cell) and fields split at the
//! delimiter, so lines and fields are found with `memchr`. Whenever the shortcut could read a
//! record differently from the parser (a quote, a byte-order mark, a line over
//! [`LINE_LIMIT`]) or the parser's read would fail (a record without the year's field, a year
//! cell that is not UTF-8), the scan answers `None` and the caller reads with the parser.

use std::collections::BTreeMap;
use std::io::Read;

/// Lines longer than this end the shortcut (the parser's reader caps records at 1 MiB).
pub const LINE_LIMIT: usize = 64 << 10;

/// Read size of the scan.
const CHUNK: usize = 1 << 20;

/// The years (1900–2100) of field `col` of every record after the first `skip` records of
/// `reader`, with a row count each, exactly as reading the records with the csv parser and
/// parsing each trimmed cell as an `i32` would count them; `None` when the shortcut does not
/// apply (see the module header) and the parser must be used.
pub fn scan_years<R: Read>(
    mut reader: R,
    delimiter: u8,
    skip: u64,
    col: usize,
) -> std::io::Result<Option<BTreeMap<i32, usize>>> {
    let mut years = BTreeMap::new();
    let mut buf = vec![0u8; CHUNK + LINE_LIMIT];
    // Bytes of an unfinished line carried to the front of `buf`.
    let mut kept = 0usize;
    let mut records = 0u64;
    let mut first = true;
    loop {
        let n = read_full(&mut reader, &mut buf[kept..kept + CHUNK])?;
        let end = kept + n;
        let data = &buf[..end];
        if first {
            first = false;
            if data.starts_with(b"\xEF\xBB\xBF") {
                return Ok(None);
            }
        }
        if memchr::memchr(b'"', &data[kept..]).is_some() {
            return Ok(None);
        }
        let mut at = 0usize;
        while let Some(nl) = memchr::memchr(b'\n', &data[at..]) {
            let line = &data[at..at + nl];
            at += nl + 1;
            if !line.is_empty() && !count(line, delimiter, &mut records, skip, col, &mut years) {
                return Ok(None);
            }
        }
        let rest = end - at;
        if n == 0 {
            // The end: a last line without `\n`.
            if rest > 0 && !count(&data[at..], delimiter, &mut records, skip, col, &mut years) {
                return Ok(None);
            }
            return Ok(Some(years));
        }
        if rest > LINE_LIMIT {
            return Ok(None);
        }
        buf.copy_within(at..end, 0);
        kept = rest;
    }
}

/// Counts the year of record `line`; false when the parser's read would fail on it.
fn count(
    line: &[u8],
    delimiter: u8,
    records: &mut u64,
    skip: u64,
    col: usize,
    years: &mut BTreeMap<i32, usize>,
) -> bool {
    if line.len() > LINE_LIMIT {
        return false;
    }
    *records += 1;
    if *records <= skip {
        return true;
    }
    let Some(cell) = line.split(|&b| b == delimiter).nth(col) else {
        return false;
    };
    let Ok(cell) = std::str::from_utf8(cell) else {
        return false;
    };
    if let Ok(y) = cell.trim().parse::<i32>()
        && (1900..=2100).contains(&y)
    {
        *years.entry(y).or_insert(0) += 1;
    }
    true
}

/// Fills `buf` unless the reader ends first; the bytes read.
fn read_full<R: Read>(reader: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests;
