//! The csv crate's reading of records, as `data::records` did it before it split records
//! itself: the oracle its property tests compare with, byte for byte (positions, fields, the
//! size cap).

use std::io::Read;

use super::RecordTooLarge;

/// A CSV reader as the row reader expects it: no header handling (the row reader finds the
/// header), records of any length (it checks them against the header), records ending at `\n`,
/// exact positions, records capped at `RECORD_LIMIT`.
///
/// Ending records at `\n` alone keeps lines and byte offsets right for CRLF files (the csv
/// crate's own CRLF handling puts every record after the first one line too early); the `\r`
/// left at the end of a line's last cell is whitespace, which every cell is trimmed of.
pub(crate) fn csv_records<R: Read>(reader: R, delimiter: u8) -> CsvRecords<R> {
    CsvRecords::with_limit(reader, delimiter, super::RECORD_LIMIT)
}

/// See [`csv_records`].
pub(crate) struct CsvRecords<R> {
    rdr: csv::Reader<Tracked<R>>,
}

impl<R: Read> CsvRecords<R> {
    /// [`csv_records`] with another cap (tests use a small one).
    pub(crate) fn with_limit(reader: R, delimiter: u8, limit: u64) -> Self {
        let tracked = Tracked {
            inner: reader,
            last: Vec::new(),
            at: 0,
            read: 0,
            start: 0,
            lead: 0,
            counting: true,
            limit,
            refused: false,
        };
        let rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .terminator(csv::Terminator::Any(b'\n'))
            .delimiter(delimiter)
            .buffer_capacity(1 << 16)
            .from_reader(tracked);
        CsvRecords { rdr }
    }

    /// Read the next record into `rec`, its position the line and byte offset of its first
    /// byte; `Ok(false)` at the end. A record over the cap is an I/O error whose source is a
    /// [`RecordTooLarge`]; nothing is read after it.
    pub(crate) fn read_byte_record(&mut self, rec: &mut csv::ByteRecord) -> csv::Result<bool> {
        let before = self.rdr.position().clone();
        self.rdr.get_mut().begin(before.byte());
        let result = self.rdr.read_byte_record(rec);
        let t = self.rdr.get_ref();
        let (line, byte) = (before.line() + t.lead, before.byte() + t.lead);
        let too_large = RecordTooLarge {
            line,
            byte,
            limit: t.limit,
        };
        match result {
            Err(_) if t.refused => Err(std::io::Error::other(too_large).into()),
            Err(e) => Err(e),
            Ok(false) => Ok(false),
            Ok(true) => {
                if self.rdr.position().byte().saturating_sub(byte) > t.limit {
                    self.rdr.get_mut().refused = true;
                    return Err(std::io::Error::other(too_large).into());
                }
                let mut pos = before;
                pos.set_line(line).set_byte(byte);
                rec.set_position(Some(pos));
                Ok(true)
            }
        }
    }
}

/// The stream under the csv reader: keeps the chunk last handed on, counts the `\n` bytes
/// from the current record's start (the blank lines the parser skips), and hands on nothing
/// past `limit` bytes of a record.
struct Tracked<R> {
    inner: R,
    /// The chunk last handed on; it starts at offset `at` of the stream.
    last: Vec<u8>,
    at: u64,
    /// Bytes handed on: `at + last.len()`.
    read: u64,
    /// Where the parser is: the end of the previous record.
    start: u64,
    /// `\n` bytes from `start` on (blank lines skipped before the record).
    lead: u64,
    /// Every byte seen from `start` on is a `\n`: the count may grow with the next chunk.
    counting: bool,
    limit: u64,
    /// A read was refused: the record is over the limit.
    refused: bool,
}

impl<R> Tracked<R> {
    /// The parser starts a record at `start`, which is in the chunk last handed on or at its
    /// end (the parser's buffer holds a suffix of that chunk).
    fn begin(&mut self, start: u64) {
        self.start = start;
        self.lead = 0;
        self.counting = true;
        let from = usize::try_from(start.saturating_sub(self.at)).unwrap_or(usize::MAX);
        let rest = self.last.get(from..).unwrap_or_default();
        let (n, done) = leading_newlines(without_bom(rest, start == 0 && self.at == 0));
        self.lead = n;
        self.counting = !done;
    }
}

/// `bytes` without a UTF-8 byte-order mark at its start when `first` (the chunk starts the
/// stream): the parser drops it before the first record.
fn without_bom(bytes: &[u8], first: bool) -> &[u8] {
    if first {
        bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
    } else {
        bytes
    }
}

/// The `\n` bytes at the start of `bytes`, and whether another byte follows them.
fn leading_newlines(bytes: &[u8]) -> (u64, bool) {
    let n = bytes.iter().take_while(|&&b| b == b'\n').count();
    (n as u64, n < bytes.len())
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut want = buf.len();
        if !self.counting {
            // One byte over the limit may be read: a record of exactly the limit then ends
            // (or the stream does), and a longer one is caught when it is handed over.
            let allowed = (self.start + self.lead + self.limit + 1).saturating_sub(self.read);
            if allowed == 0 {
                self.refused = true;
                return Err(std::io::Error::other("record over the limit"));
            }
            want = want.min(usize::try_from(allowed).unwrap_or(usize::MAX));
        }
        let n = self.inner.read(&mut buf[..want])?;
        let chunk = &buf[..n];
        if self.counting {
            let (k, done) = leading_newlines(without_bom(chunk, self.read == 0));
            self.lead += k;
            self.counting = !done;
        }
        self.last.clear();
        self.last.extend_from_slice(chunk);
        self.at = self.read;
        self.read += n as u64;
        Ok(n)
    }
}
