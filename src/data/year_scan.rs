//! The years of a plain CSV file's `year` column, counted without a CSV parser, for choosing
//! the built-in ruleset before the real pass (`cmd::choose`, issue #14).
//!
//! The choice needs every row's year, so the read ahead goes through the whole file: through
//! the csv parser it cost as much CPU as parsing the file once more. Here records and fields
//! are found with `memchr`, following the parser's rules as
//! [`crate::data::records::csv_records`] sets it up: a record ends at a `\n` outside quotes
//! (a `\r` stays in the last cell; empty lines are skipped); a `"` opens a quoted field only
//! at the start of a field, where `""` is a quote and the field runs to the closing quote,
//! newlines included; anywhere else a `"` is text. The year is taken only from a field that
//! ends before the record's first quote. Whenever the shortcut could read a record
//! differently from the parser (a quote in or before the year's field, a byte-order mark, a
//! record over [`LINE_LIMIT`], a quote left open at the end) or the parser's read would fail
//! (a record without the year's field, a year cell that is not UTF-8), the scan answers `None`
//! and the caller reads with the parser.

use std::collections::BTreeMap;
use std::io::Read;

/// Records longer than this end the shortcut (the parser's reader caps records at 1 MiB).
pub(crate) const LINE_LIMIT: usize = 64 << 10;

/// Read size of the scan (at most).
const CHUNK: usize = 1 << 20;

/// The years (1900–2100) of field `col` of every record after the first `skip` records of
/// `reader`, with a row count each, exactly as reading the records with the csv parser and
/// parsing each trimmed cell as an `i32` would count them; `None` when the shortcut does not
/// apply (see the module header) and the parser must be used. `len`, the reader's length
/// when known, sizes the reads of a short file to it: the buffer is zeroed, and a province's
/// file should not pay for a megabyte of it at start-up (issue #14). Any read size of
/// [`MIN_CHUNK`] bytes or more gives the same answer (a test reads with several).
pub(crate) fn scan_years<R: Read>(
    reader: R,
    delimiter: u8,
    skip: u64,
    col: usize,
    len: Option<u64>,
) -> std::io::Result<Option<BTreeMap<i32, usize>>> {
    let chunk = len.map_or(CHUNK, |n| {
        usize::try_from(n.saturating_add(1)).map_or(CHUNK, |n| n.clamp(MIN_CHUNK, CHUNK))
    });
    scan_chunks(reader, delimiter, skip, col, chunk)
}

/// The fewest bytes a read of [`scan_years`] asks for: the first read must see a byte-order
/// mark whole.
const MIN_CHUNK: usize = 3;

/// [`scan_years`] reading `chunk` bytes at a time.
fn scan_chunks<R: Read>(
    mut reader: R,
    delimiter: u8,
    skip: u64,
    col: usize,
    chunk: usize,
) -> std::io::Result<Option<BTreeMap<i32, usize>>> {
    let mut counter = Counter {
        years: BTreeMap::new(),
        records: 0,
        skip,
        col,
        delimiter,
    };
    // One more byte than a chunk and a carried record: the `\n` that ends the last record.
    let mut buf = vec![0u8; chunk + LINE_LIMIT + 1];
    // Bytes of an unfinished record carried to the front of `buf`.
    let mut kept = 0usize;
    let mut first = true;
    loop {
        let n = read_full(&mut reader, &mut buf[kept..kept + chunk])?;
        let mut end = kept + n;
        if first {
            first = false;
            if buf[..end].starts_with(b"\xEF\xBB\xBF") {
                return Ok(None);
            }
        }
        if n == 0 {
            if kept == 0 {
                return Ok(Some(counter.years));
            }
            // The end: the parser ends the last record as a `\n` would.
            buf[end] = b'\n';
            end += 1;
        }
        let data = &buf[..end];
        let mut at = 0usize;
        while at < end {
            if data[at] == b'\n' {
                at += 1;
                continue;
            }
            let Some((nl, quote)) = record_end(data, at, delimiter) else {
                break;
            };
            if nl - at > LINE_LIMIT || !counter.count(&data[at..nl], quote.map(|q| q - at)) {
                return Ok(None);
            }
            at = nl + 1;
        }
        let rest = end - at;
        if rest > LINE_LIMIT || (n == 0 && rest > 0) {
            // A record too long for the shortcut, or a quote still open at the end.
            return Ok(None);
        }
        if n == 0 {
            return Ok(Some(counter.years));
        }
        buf.copy_within(at..end, 0);
        kept = rest;
    }
}

/// Where the record starting at `start` (not a `\n`) ends, its `\n` outside quotes, and where
/// its first `"` is; `None` when `data` ends first.
fn record_end(data: &[u8], start: usize, delimiter: u8) -> Option<(usize, Option<usize>)> {
    let mut p = start;
    let mut first_quote = None;
    loop {
        let i = p + memchr::memchr2(b'"', b'\n', &data[p..])?;
        if data[i] == b'\n' {
            return Some((i, first_quote));
        }
        first_quote.get_or_insert(i);
        if i > start && data[i - 1] != delimiter {
            // A quote inside an unquoted field is text.
            p = i + 1;
            continue;
        }
        // A quoted field: to its closing quote, `""` being a quote inside it.
        let mut q = i + 1;
        loop {
            let r = q + memchr::memchr(b'"', &data[q..])?;
            match data.get(r + 1) {
                Some(b'"') => q = r + 2,
                Some(_) => {
                    p = r + 1;
                    break;
                }
                // The next byte decides: wait for it.
                None => return None,
            }
        }
    }
}

/// Counts the years of records in order.
struct Counter {
    years: BTreeMap<i32, usize>,
    records: u64,
    skip: u64,
    col: usize,
    delimiter: u8,
}

impl Counter {
    /// Counts the year of `record` (without its `\n`), whose first quote is at `quote`;
    /// false when the parser's read would fail on it or the shortcut cannot tell its year.
    fn count(&mut self, record: &[u8], quote: Option<usize>) -> bool {
        self.records += 1;
        if self.records <= self.skip {
            return true;
        }
        // Fields before the first quote are read as they are; the year's must end before it.
        let plain = &record[..quote.unwrap_or(record.len())];
        let mut fields = plain.split(|&b| b == self.delimiter);
        let Some(cell) = fields.nth(self.col) else {
            return false;
        };
        if quote.is_some() && fields.next().is_none() {
            return false;
        }
        let Ok(cell) = std::str::from_utf8(cell) else {
            return false;
        };
        if let Ok(y) = cell.trim().parse::<i32>()
            && (1900..=2100).contains(&y)
        {
            *self.years.entry(y).or_insert(0) += 1;
        }
        true
    }
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
