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
    let mut counter = Counter::new(delimiter, skip, col);
    match scan_part(&mut reader, &mut counter, chunk, 0, true, None)? {
        Part::End(found) => Ok(found),
        // Not asked to stop: read to the end.
        Part::Stopped(_) => Ok(None),
    }
}

/// How a part of a file was scanned ([`scan_part`]).
#[derive(Debug, PartialEq)]
enum Part {
    /// To the end of the file: the years, or `None` where the shortcut steps aside.
    End(Option<BTreeMap<i32, usize>>),
    /// At a record start at or past the offset it was to stop at: that record start.
    Stopped(u64),
}

/// Scans `reader`, whose first byte is the file's byte `from` and starts a record, counting
/// into `counter`; stops before the first record that starts at or past `stop`.
fn scan_part<R: Read>(
    reader: &mut R,
    counter: &mut Counter,
    chunk: usize,
    from: u64,
    file_start: bool,
    stop: Option<u64>,
) -> std::io::Result<Part> {
    // One more byte than a chunk and a carried record: the `\n` that ends the last record.
    let mut buf = vec![0u8; chunk + LINE_LIMIT + 1];
    // Bytes of an unfinished record carried to the front of `buf`.
    let mut kept = 0usize;
    // The file's offset of `buf[0]`.
    let mut base = from;
    let mut first = file_start;
    loop {
        let n = read_full(reader, &mut buf[kept..kept + chunk])?;
        let mut end = kept + n;
        if first {
            first = false;
            if buf[..end].starts_with(b"\xEF\xBB\xBF") {
                return Ok(Part::End(None));
            }
        }
        if n == 0 {
            if kept == 0 {
                return Ok(Part::End(Some(std::mem::take(&mut counter.years))));
            }
            // The end: the parser ends the last record as a `\n` would.
            buf[end] = b'\n';
            end += 1;
        }
        let data = &buf[..end];
        let mut at = 0usize;
        while at < end {
            if let Some(stop) = stop
                && base + at as u64 >= stop
            {
                return Ok(Part::Stopped(base + at as u64));
            }
            if data[at] == b'\n' {
                at += 1;
                continue;
            }
            let Some((nl, quote)) = record_end(data, at, counter.delimiter) else {
                break;
            };
            if nl - at > LINE_LIMIT || !counter.count(&data[at..nl], quote.map(|q| q - at)) {
                return Ok(Part::End(None));
            }
            at = nl + 1;
        }
        let rest = end - at;
        if rest > LINE_LIMIT || (n == 0 && rest > 0) {
            // A record too long for the shortcut, or a quote still open at the end.
            return Ok(Part::End(None));
        }
        if n == 0 {
            return Ok(Part::End(Some(std::mem::take(&mut counter.years))));
        }
        buf.copy_within(at..end, 0);
        base += at as u64;
        kept = rest;
    }
}

/// Files from this size are scanned in two halves at once ([`scan_years_split`]).
pub(crate) const SPLIT_MIN: u64 = 8 << 20;

/// [`scan_years`] of a file of `len` bytes, its two halves on two threads when it is
/// [`SPLIT_MIN`] bytes or more: `open_at(offset)` gives a reader of the file from `offset`.
/// The second half starts after the first `\n` past the middle, taken to end a record; the
/// first half stops there, and if its last record ran over that `\n` (a quoted newline),
/// the file is scanned again whole. The answer is always [`scan_years`]' (a test holds the
/// two equal for every middle).
pub(crate) fn scan_years_split<R, F>(
    open_at: F,
    len: u64,
    delimiter: u8,
    skip: u64,
    col: usize,
) -> std::io::Result<Option<BTreeMap<i32, usize>>>
where
    R: Read + Send,
    F: Fn(u64) -> std::io::Result<R> + Sync,
{
    if len < SPLIT_MIN {
        return scan_years(open_at(0)?, delimiter, skip, col, Some(len));
    }
    split_at(&open_at, len, delimiter, skip, col, CHUNK, len / 2)
}

/// [`scan_years_split`] reading `chunk` bytes at a time, the second half starting after the
/// first `\n` from byte `mid`.
fn split_at<R, F>(
    open_at: &F,
    len: u64,
    delimiter: u8,
    skip: u64,
    col: usize,
    chunk: usize,
    mid: u64,
) -> std::io::Result<Option<BTreeMap<i32, usize>>>
where
    R: Read + Send,
    F: Fn(u64) -> std::io::Result<R> + Sync,
{
    let whole = || scan_chunks(open_at(0)?, delimiter, skip, col, chunk);
    // The first `\n` from the middle, within a record's length.
    let mut probe = vec![0u8; LINE_LIMIT];
    let n = read_full(&mut open_at(mid)?, &mut probe)?;
    let Some(i) = memchr::memchr(b'\n', &probe[..n]) else {
        return whole();
    };
    let second = mid + i as u64 + 1;
    if second >= len {
        return whole();
    }
    let (first, rest) = std::thread::scope(|scope| {
        let rest = scope.spawn(|| -> std::io::Result<Part> {
            let mut counter = Counter::new(delimiter, 0, col);
            scan_part(
                &mut open_at(second)?,
                &mut counter,
                chunk,
                second,
                false,
                None,
            )
        });
        let mut counter = Counter::new(delimiter, skip, col);
        let first = open_at(0)
            .and_then(|mut r| scan_part(&mut r, &mut counter, chunk, 0, true, Some(second)))
            .map(|part| (part, counter));
        // A panic in the scan is a bug: passed on as it is.
        let rest = rest.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        (first, rest)
    });
    match first? {
        // The first half's last record ran to the end: it read the whole file.
        (Part::End(found), _) => Ok(found),
        // Its records ended where the second half starts, and the header was behind it.
        (Part::Stopped(at), counter) if at == second && counter.records > skip => match rest? {
            Part::End(Some(more)) => {
                let mut years = counter.years;
                for (y, n) in more {
                    *years.entry(y).or_insert(0) += n;
                }
                Ok(Some(years))
            }
            Part::End(None) | Part::Stopped(_) => Ok(None),
        },
        // A quoted newline where the halves meet: the second half started mid-record.
        (Part::Stopped(_), _) => whole(),
    }
}

/// Where the record starting at `start` (not a `\n`) ends, its `\n` outside quotes, and where
/// its first `"` is; `None` when `data` ends first.
///
/// The line's end is found once and the quotes before it one needle at a time: a record is
/// one line unless a quoted field holds a newline (then its end is looked for again after
/// that field); a quoted field's closing quote, most often a few bytes on (`"71,4"`), is
/// looked for in one word first ([`next_quote`]). Looking for a quote or a newline at every
/// step, and for every closing quote with `memchr`, made the read ahead of JSON and NDJSON
/// (which stream, so are never guessed for) cost a fifth more instructions (issue #14). The
/// answer is the same: a property test holds it to a reading of one byte at a time.
fn record_end(data: &[u8], start: usize, delimiter: u8) -> Option<(usize, Option<usize>)> {
    // `nl`: the first `\n` at or after `p`.
    let mut nl = start + memchr::memchr(b'\n', data.get(start..)?)?;
    let mut p = start;
    let mut first_quote = None;
    loop {
        let Some(k) = memchr::memchr(b'"', &data[p..nl]) else {
            return Some((nl, first_quote));
        };
        let i = p + k;
        first_quote.get_or_insert(i);
        if i > start && data[i - 1] != delimiter {
            // A quote inside an unquoted field is text.
            p = i + 1;
            continue;
        }
        // A quoted field: to its closing quote, `""` being a quote inside it.
        let mut q = i + 1;
        loop {
            let r = next_quote(data, q)?;
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
        if p > nl {
            // The quoted field held the line's end: the record goes on to a later one.
            nl = p + memchr::memchr(b'\n', &data[p..])?;
        }
    }
}

/// The first `"` at or after `from`: the eight bytes there looked at as one word first (a
/// call of `memchr` costs more than a short cell such as `"71,4"`), then `memchr`.
#[inline]
fn next_quote(data: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let Some(word) = data
        .get(from..from + 8)
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
    else {
        return memchr::memchr(b'"', data.get(from..)?).map(|k| from + k);
    };
    // Zero where a byte is a quote; the lowest byte flagged is the first zero byte (a flag
    // above it may be false, borrowed from it).
    let x = u64::from_le_bytes(word) ^ (ONES * u64::from(b'"'));
    let zeros = x.wrapping_sub(ONES) & !x & HIGH;
    if zeros != 0 {
        return Some(from + zeros.trailing_zeros() as usize / 8);
    }
    memchr::memchr(b'"', &data[from + 8..]).map(|k| from + 8 + k)
}

/// Counts the years of records in order.
#[derive(Debug)]
struct Counter {
    years: BTreeMap<i32, usize>,
    records: u64,
    skip: u64,
    col: usize,
    delimiter: u8,
    /// The last year cell read (when at most [`LAST`] bytes long) and what it gave: a file's
    /// rows mostly share one year, written alike, whose text need not be checked and parsed
    /// again (issue #14).
    last: Option<([u8; LAST], usize, Option<i32>)>,
}

/// The longest year cell [`Counter`] remembers.
const LAST: usize = 16;

impl Counter {
    fn new(delimiter: u8, skip: u64, col: usize) -> Counter {
        Counter {
            years: BTreeMap::new(),
            records: 0,
            skip,
            col,
            delimiter,
            last: None,
        }
    }

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
        let year = match &self.last {
            Some((bytes, len, year)) if bytes.get(..*len) == Some(cell) => *year,
            _ => {
                let Ok(text) = std::str::from_utf8(cell) else {
                    return false;
                };
                let year = text
                    .trim()
                    .parse::<i32>()
                    .ok()
                    .filter(|y| (1900..=2100).contains(y));
                if cell.len() <= LAST {
                    let mut bytes = [0u8; LAST];
                    bytes[..cell.len()].copy_from_slice(cell);
                    self.last = Some((bytes, cell.len(), year));
                }
                year
            }
        };
        if let Some(y) = year {
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
