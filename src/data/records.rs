//! CSV text → records, each with the line and byte offset it starts at, each at most
//! [`RECORD_LIMIT`] bytes long.
//!
//! Records are split here, not by the csv crate (issue #14: its byte-by-byte state machine
//! was the largest cost of reading). The rules are the csv crate's as the row reader had it
//! configured (no header handling, records of any length, `"` quoting with `""` for a quote,
//! records ending at `\n` alone, a UTF-8 byte-order mark at the stream's start dropped), and
//! a property test holds this reader to the csv crate's output, byte for byte: every field,
//! line, byte offset and error (`records/oracle.rs` keeps that reading). In short: a record
//! ends at a `\n` outside quotes, and empty lines before a record are skipped (a CRLF blank
//! line is a record of `\r`, skipped by the row reader; the `\r` left at the end of a line's
//! last cell is whitespace, which every cell is trimmed of); a `"` opens a quoted field only
//! at a field's start, where `""` is a quote and the field runs to the closing quote,
//! delimiters and newlines included, and what follows a closing quote up to the next
//! delimiter is read as it is; anywhere else a `"` is text; a quote left open runs to the
//! end of the stream.
//!
//! Positions are exact: a record's line is one plus the `\n` bytes before it (blank lines
//! and newlines inside quotes counted; the csv crate alone put every record after a blank
//! line one line too early) and its byte offset is where its first byte is (as the csv crate
//! counted it: for the first record of a stream with a byte-order mark, without the mark's
//! three bytes; and a first read holding nothing but the mark was taken for the end of the
//! stream). A record may span [`RECORD_LIMIT`] bytes, its line end included; a longer
//! one is a [`RecordTooLarge`] error, and no more than one byte past the limit is read from
//! its start (`/dev/zero` stops there).
//!
//! A record whose quotes are plain (each quoted field opens at its start and closes right
//! before its end, as `"71,4"`) is split 64 bytes at a time ([`split_plain`]: bit masks of a
//! block's delimiters and quotes, compared sixteen bytes at a time ([`block_masks`]), its line
//! end found by `memchr`, and the bytes inside quotes from a running parity of the quotes);
//! any other record one delimiter, quote or line end at a time ([`split_marks`]). A record is
//! copied once, whole, into [`Fields`] with each field's span; only a quoted field holding
//! `""` or text after its closing quote is copied on its own.
//!
//! Records are split in the chunks the stream hands on ([`Chunks`]), where they lie: a chunk
//! is taken whole, not copied, and only a record cut by a chunk's end is carried, its start
//! and the next chunk's bytes up to a line end copied together (issue #14). A reader
//! ([`ReadChunks`]) hands on one read per chunk.

use std::io::Read;

/// The most bytes one CSV record may span, its line end included: 1 MiB. A commune row is a
/// few kB; a longer one is a quote never closed, or a file that is not CSV (docs/data.md,
/// "Limits").
pub(crate) const RECORD_LIMIT: u64 = 1 << 20;

/// `record-too-large`: the record starting at `line` (byte offset `byte`) spans more than
/// `limit` bytes. Carried as the source of an `io::Error` (the csv reader's error type can
/// only wrap one); the row reader turns it into the diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordTooLarge {
    /// Line the record starts on.
    pub line: u64,
    /// Byte offset it starts at.
    pub byte: u64,
    /// The limit, in bytes.
    pub limit: u64,
}

impl std::fmt::Display for RecordTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the record starting at line {} is longer than {}",
            self.line,
            limit_text(self.limit)
        )
    }
}

/// A byte limit as people read it: `1 MiB (1048576 bytes)`, or `N bytes`.
pub(crate) fn limit_text(limit: u64) -> String {
    if limit >= 1 << 20 && limit.is_multiple_of(1 << 20) {
        format!("{} MiB ({limit} bytes)", limit >> 20)
    } else {
        format!("{limit} bytes")
    }
}

impl std::error::Error for RecordTooLarge {}

/// A UTF-8 byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Bytes asked of the stream per read.
const READ: usize = 1 << 17;

/// The least of a chunk carried after the start of a record cut by its end (then on to a
/// line end): a commune row is a few kB.
const PIECE: usize = 4096;

/// Zero bytes after a record's bytes in [`Fields::bytes`], so that a word of eight bytes may
/// be read at any field's start (and five bytes on), even the last field's: the readers of
/// common cells in place (`coerce::yes_no_at`, `coerce::plain_at`) then never leave a cell
/// near the record's end to the general rule (issue #14). They mask off what lies past the
/// cell, so these bytes never change a value.
pub(crate) const PAD: usize = 16;

/// One record: the bytes it was cut from and the span of each field in them. Reused from
/// record to record, so reading allocates nothing once its buffers hold the longest record.
#[derive(Debug, Default, Clone)]
pub struct Fields {
    /// The record as written (quotes and delimiters included), then the content of each
    /// field that had to be unquoted on its own, then [`PAD`] zero bytes.
    bytes: Vec<u8>,
    /// Per field, where its content starts and ends in `bytes`.
    spans: Vec<(usize, usize)>,
    pos: Option<csv::Position>,
    /// A record of the csv crate's type, for sources that read those
    /// (`RecordSource::read_fields`); made on first use, so a new `Fields` allocates nothing.
    pub(crate) spare: Option<csv::ByteRecord>,
}

impl Fields {
    /// No fields.
    pub fn new() -> Self {
        Fields::default()
    }

    /// How many fields.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// No fields at all.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Field `i`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        let &(start, end) = self.spans.get(i)?;
        self.bytes.get(start..end)
    }

    /// Every field, in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.spans
            .iter()
            .map(|&(start, end)| self.bytes.get(start..end).unwrap_or_default())
    }

    /// Where the record starts.
    pub fn position(&self) -> Option<&csv::Position> {
        self.pos.as_ref()
    }

    /// Every byte the fields were cut from (a record whose bytes are all UTF-8 and whose
    /// fields start and end on character boundaries has UTF-8 fields), then `PAD` (16) zero
    /// bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Each field's start and end in [`Fields::bytes`].
    pub fn spans(&self) -> &[(usize, usize)] {
        &self.spans
    }

    /// Take the fields and position of `rec`.
    pub fn fill_from(&mut self, rec: &csv::ByteRecord) {
        self.bytes.clear();
        self.spans.clear();
        self.bytes.extend_from_slice(rec.as_slice());
        self.bytes.extend_from_slice(&[0; PAD]);
        let mut at = 0;
        for field in rec {
            self.spans.push((at, at + field.len()));
            at += field.len();
        }
        self.pos = rec.position().cloned();
    }

    /// Write the fields and position into `rec`.
    pub fn to_byte_record(&self, rec: &mut csv::ByteRecord) {
        rec.clear();
        for field in self.iter() {
            rec.push_field(field);
        }
        rec.set_position(self.pos.clone());
    }
}

/// A stream of bytes handed on in chunks, each one taken whole by the splitter.
pub trait Chunks {
    /// The next chunk of the stream, empty at its end; `want` is how many bytes the splitter
    /// needs at most (a source holding a larger chunk may hand it on whole). `spent` is a
    /// buffer done with (possibly empty), for the source to fill again.
    fn next_chunk(&mut self, want: usize, spent: Vec<u8>) -> std::io::Result<Vec<u8>>;
}

/// A reader as [`Chunks`]: one read of at most `want` bytes per chunk, into the spent buffer.
pub struct ReadChunks<R>(pub R);

impl<R: Read> Chunks for ReadChunks<R> {
    fn next_chunk(&mut self, want: usize, mut spent: Vec<u8>) -> std::io::Result<Vec<u8>> {
        // Read over what it holds: zeroed only where it grows.
        spent.resize(want, 0);
        let n = read_once(&mut self.0, &mut spent)?;
        spent.truncate(n);
        Ok(spent)
    }
}

/// A CSV reader as the row reader expects it: no header handling (the row reader finds the
/// header), records of any length (it checks them against the header), records ending at
/// `\n`, exact positions, records capped at `RECORD_LIMIT` (see the module's header).
pub fn csv_records<R: Read>(reader: R, delimiter: u8) -> CsvRecords<ReadChunks<R>> {
    CsvRecords::with_limit(reader, delimiter, RECORD_LIMIT)
}

/// See [`csv_records`].
pub struct CsvRecords<C> {
    inner: C,
    delimiter: u8,
    limit: u64,
    /// Bytes at hand: `buf[at..end]` are not consumed yet (`end` is `buf.len()`). Either a
    /// chunk as it was handed on, or the carry: the start of a record cut by a chunk's end,
    /// then the first `pending_at` bytes of `pending`.
    buf: Vec<u8>,
    at: usize,
    end: usize,
    /// The chunk after the one `buf` was, while a record is carried; split where it lies
    /// again once the carried record is consumed.
    pending: Option<Vec<u8>>,
    pending_at: usize,
    /// `buf` is the carry.
    carrying: bool,
    /// The carry's buffer while `buf` is a chunk, kept from record to record.
    carry: Vec<u8>,
    /// A chunk done with, handed back to the source with the next request (whole: a source
    /// reading into it again need not clear it).
    spare: Vec<u8>,
    /// Offset in the stream of `buf[0]`.
    base: u64,
    /// The line `buf[at]` is on.
    line: u64,
    /// Records handed on.
    records: u64,
    /// The first read was made (it decides the byte-order mark).
    started: bool,
    /// The stream starts with a byte-order mark, dropped.
    bom: bool,
    /// A record was asked for already.
    asked: bool,
    /// The stream ended.
    eof: bool,
    /// The end, an error or a record over the limit: nothing more is read.
    stopped: bool,
    /// The fields whose content is built apart (see [`split`]).
    built: Vec<usize>,
    /// The record [`CsvRecords::read_byte_record`] reads before copying it out, kept so
    /// that reading allocates nothing per record.
    scratch: Fields,
}

impl<R: Read> CsvRecords<ReadChunks<R>> {
    /// [`csv_records`] with another cap (tests use a small one).
    pub fn with_limit(reader: R, delimiter: u8, limit: u64) -> Self {
        CsvRecords::from_chunks(ReadChunks(reader), delimiter, limit)
    }
}

impl<C: Chunks> CsvRecords<C> {
    /// [`csv_records`] of a stream handed on in chunks, capped at `limit` bytes a record.
    pub fn from_chunks(chunks: C, delimiter: u8, limit: u64) -> Self {
        CsvRecords {
            inner: chunks,
            delimiter,
            limit,
            buf: Vec::new(),
            at: 0,
            end: 0,
            pending: None,
            pending_at: 0,
            carrying: false,
            carry: Vec::new(),
            spare: Vec::new(),
            base: 0,
            line: 1,
            records: 0,
            started: false,
            bom: false,
            asked: false,
            eof: false,
            stopped: false,
            built: Vec::new(),
            scratch: Fields::new(),
        }
    }

    /// Read the next record into `rec`, its position the line and byte offset of its first
    /// byte; `Ok(false)` at the end. A record over the cap is an I/O error whose source is a
    /// [`RecordTooLarge`]; nothing is read after it.
    pub fn read_byte_record(&mut self, rec: &mut csv::ByteRecord) -> csv::Result<bool> {
        let mut fields = std::mem::take(&mut self.scratch);
        let read = self.read_fields(&mut fields);
        if let Ok(true) = read {
            fields.to_byte_record(rec);
        }
        self.scratch = fields;
        read
    }

    /// [`CsvRecords::read_byte_record`] into [`Fields`], without copying each field.
    pub fn read_fields(&mut self, rec: &mut Fields) -> csv::Result<bool> {
        if self.stopped {
            return Ok(false);
        }
        let first = !self.asked;
        self.asked = true;
        if !self.started {
            self.started = true;
            // One read, as the csv reader made it: the mark is dropped when that read
            // holds it whole.
            self.fill(u64::MAX)?;
            if self.buf[..self.end].starts_with(BOM) {
                self.bom = true;
                self.at = BOM.len();
                if self.end == BOM.len() {
                    // The csv crate took the read left empty for the end of the stream.
                    self.stopped = true;
                    return Ok(false);
                }
            }
        }
        // Empty lines before the record.
        loop {
            let blank = self.buf[self.at..self.end]
                .iter()
                .take_while(|&&b| b == b'\n')
                .count();
            self.at += blank;
            self.line += blank as u64;
            self.settle();
            if self.at < self.end {
                break;
            }
            if self.eof {
                self.stopped = true;
                return Ok(false);
            }
            self.fill(u64::MAX)?;
        }
        let start = self.base + self.at as u64;
        // As the csv reader counted: the first record's offset leaves out the mark.
        let byte = if first && self.bom {
            start - BOM.len() as u64
        } else {
            start
        };
        let line = self.line;
        loop {
            let data = &self.buf[self.at..self.end];
            let Some((len, newlines)) = split(
                data,
                self.eof,
                self.delimiter,
                &mut rec.spans,
                &mut self.built,
            ) else {
                // One byte past the limit is read: a longer record is refused unread.
                let bound = byte.saturating_add(self.limit).saturating_add(1);
                if self.base + self.end as u64 >= bound {
                    return Err(self.too_large(line, byte));
                }
                self.fill(bound)?;
                continue;
            };
            if (start + len as u64).saturating_sub(byte) > self.limit {
                return Err(self.too_large(line, byte));
            }
            let raw = &data[..len];
            rec.bytes.clear();
            rec.bytes.extend_from_slice(raw);
            for &i in &self.built {
                let (from, to) = rec.spans[i];
                let at = rec.bytes.len();
                unquote(raw.get(from..to).unwrap_or_default(), &mut rec.bytes);
                rec.spans[i] = (at, rec.bytes.len());
            }
            rec.bytes.extend_from_slice(&[0; PAD]);
            let mut pos = csv::Position::new();
            pos.set_line(line).set_byte(byte).set_record(self.records);
            rec.pos = Some(pos);
            self.records += 1;
            self.at += len;
            self.line += newlines;
            self.settle();
            return Ok(true);
        }
    }

    /// Stop, with the error for the record at `line` and `byte`.
    fn too_large(&mut self, line: u64, byte: u64) -> csv::Error {
        self.stopped = true;
        std::io::Error::other(RecordTooLarge {
            line,
            byte,
            limit: self.limit,
        })
        .into()
    }

    /// Make more bytes of the stream available, keeping those not consumed, reading no
    /// further than the stream offset `bound` (a chunk handed on whole may hold more); at the
    /// end, `eof`. A new chunk is taken as it is when every byte at hand is consumed; else
    /// the bytes not consumed (the start of a record) are carried, and a piece of the chunk
    /// copied after them: up to a line end, and at least as long as what is carried, so a
    /// long record is copied a bounded number of times.
    fn fill(&mut self, bound: u64) -> csv::Result<()> {
        if self.settle() {
            return Ok(());
        }
        let room = bound.saturating_sub(self.base + self.end as u64);
        if self.pending.is_none() {
            let want = usize::try_from(room).unwrap_or(usize::MAX).min(READ);
            let spent = std::mem::take(&mut self.spare);
            let chunk = match self.inner.next_chunk(want, spent) {
                Ok(chunk) => chunk,
                Err(e) => {
                    self.stopped = true;
                    return Err(e.into());
                }
            };
            if chunk.is_empty() {
                self.eof = true;
                self.spare = chunk;
                return Ok(());
            }
            if self.at == self.end {
                self.base += self.end as u64;
                let done = std::mem::replace(&mut self.buf, chunk);
                self.release(done);
                self.at = 0;
                self.end = self.buf.len();
                return Ok(());
            }
            self.pending = Some(chunk);
            self.pending_at = 0;
        }
        let Some(pending) = &self.pending else {
            return Ok(());
        };
        if !self.carrying {
            // The start of the record cut by the chunk's end, into the carry.
            let mut carry = std::mem::take(&mut self.carry);
            carry.clear();
            carry.extend_from_slice(&self.buf[self.at..self.end]);
            self.spare = std::mem::replace(&mut self.buf, carry);
            self.carrying = true;
            self.base += self.at as u64;
            self.end -= self.at;
            self.at = 0;
        } else if self.at > 0 {
            self.buf.copy_within(self.at..self.end, 0);
            self.base += self.at as u64;
            self.end -= self.at;
            self.at = 0;
        }
        self.buf.truncate(self.end);
        let rest = &pending[self.pending_at..];
        let mut take = rest.len().min(self.end.max(PIECE));
        take = memchr::memchr(b'\n', &rest[take..]).map_or(rest.len(), |i| take + i + 1);
        take = take.min(usize::try_from(room).unwrap_or(usize::MAX));
        self.buf.extend_from_slice(&rest[..take]);
        self.end += take;
        self.pending_at += take;
        if self.pending_at == pending.len() {
            // The chunk is all carried: the bytes at hand are every byte handed on.
            self.spare = self.pending.take().unwrap_or_default();
            self.pending_at = 0;
        }
        Ok(())
    }

    /// Put away `done`, which `buf` was: the carry is kept, a chunk goes back to the source.
    fn release(&mut self, done: Vec<u8>) {
        if std::mem::take(&mut self.carrying) {
            self.carry = done;
        } else {
            self.spare = done;
        }
    }

    /// Once the carried bytes are consumed, split the pending chunk where it lies: `true`
    /// when it was taken up.
    fn settle(&mut self) -> bool {
        let join = self.end - self.pending_at;
        if self.pending.is_none() || self.at < join {
            return false;
        }
        let Some(chunk) = self.pending.take() else {
            return false;
        };
        self.base += join as u64;
        self.at -= join;
        self.end = chunk.len();
        self.pending_at = 0;
        let done = std::mem::replace(&mut self.buf, chunk);
        self.release(done);
        true
    }
}

/// One read of `buf`, as the csv crate's buffered reader makes it (an interrupted read is
/// an error there too).
fn read_once<R: Read>(inner: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    inner.read(buf)
}

impl<C: Chunks> crate::data::read::RecordSource for CsvRecords<C> {
    fn read_record(&mut self, rec: &mut csv::ByteRecord) -> csv::Result<bool> {
        self.read_byte_record(rec)
    }

    fn read_fields(&mut self, rec: &mut Fields) -> csv::Result<bool> {
        CsvRecords::read_fields(self, rec)
    }
}

/// Split the record at the start of `data` (whose first byte is not a `\n`): the bytes it
/// spans, its `\n` included, and the `\n` bytes among them, with each field's span in
/// `spans`. A field whose content is not one run of its bytes (a quoted field holding `""`,
/// or with text after its closing quote) gets the span of its bytes as written, from its
/// opening quote, and its index in `built`: [`unquote`] makes its content. `None` when
/// `data` ends inside the record and more may come (`!eof`); at the end of the stream the
/// record ends there, whatever is open.
fn split(
    data: &[u8],
    eof: bool,
    delimiter: u8,
    spans: &mut Vec<(usize, usize)>,
    built: &mut Vec<usize>,
) -> Option<(usize, u64)> {
    built.clear();
    if let Some(split) = split_plain(data, delimiter, spans) {
        return Some(split);
    }
    split_marks(data, eof, delimiter, spans, built)
}

/// [`split`] one mark at a time: any record.
fn split_marks(
    data: &[u8],
    eof: bool,
    delimiter: u8,
    spans: &mut Vec<(usize, usize)>,
    built: &mut Vec<usize>,
) -> Option<(usize, u64)> {
    spans.clear();
    built.clear();
    let mut marks = Marks::new(data, delimiter);
    let mut newlines = 0u64;
    // The field being read: where it starts, whether it is inside its quotes, whether it
    // is built (`""` inside, or text after the closing quote).
    let mut from = 0usize;
    let mut quoted = data.first() == Some(&b'"');
    let mut build = false;
    if quoted {
        marks.skip_to(1);
    }
    while let Some(i) = marks.next() {
        let b = data[i];
        if quoted {
            if b == b'\n' {
                newlines += 1;
            }
            if b != b'"' {
                // A delimiter or a line end inside quotes.
                continue;
            }
            let Some(&next) = data.get(i + 1) else {
                if !eof {
                    // `""` or a closing quote: the next byte decides.
                    return None;
                }
                push(spans, built, build, (from, i + 1), (from + 1, i));
                return Some((data.len(), newlines));
            };
            if next == b'"' {
                build = true;
                marks.skip_to(i + 2);
                continue;
            }
            if next == delimiter || next == b'\n' {
                push(spans, built, build, (from, i + 1), (from + 1, i));
                if next == b'\n' {
                    return Some((i + 2, newlines + 1));
                }
                from = i + 2;
                quoted = data.get(from) == Some(&b'"');
                build = false;
                marks.skip_to(if quoted { from + 1 } else { from });
                continue;
            }
            // Text after the closing quote, read as it is up to the field's end.
            quoted = false;
            build = true;
            continue;
        }
        if b == b'"' {
            // A quote inside an unquoted field is text.
            continue;
        }
        push(spans, built, build, (from, i), (from, i));
        if b == b'\n' {
            return Some((i + 1, newlines + 1));
        }
        from = i + 1;
        quoted = data.get(from) == Some(&b'"');
        build = false;
        if quoted {
            marks.skip_to(from + 1);
        }
    }
    if !eof {
        return None;
    }
    let end = data.len();
    // A quote left open runs to the end.
    let content = if quoted { (from + 1, end) } else { (from, end) };
    push(spans, built, build, (from, end), content);
    Some((end, newlines))
}

/// [`split`] for a record whose quotes are all of the plain kind (a quoted field opens at its
/// start and closes right before its end: no `""`, no text after the closing quote, no
/// quote inside an unquoted field) and that ends inside `data`, 64 bytes at a time: the
/// delimiters, quotes and line ends of a block as bit masks, the bytes inside quotes from a
/// running parity of the quotes. `None` for any other record, which [`split`] reads one mark
/// at a time.
fn split_plain(
    data: &[u8],
    delimiter: u8,
    spans: &mut Vec<(usize, usize)>,
) -> Option<(usize, u64)> {
    spans.clear();
    // The record ends at the first line end, unless that one is inside quotes.
    let line_end = memchr::memchr(b'\n', data)?;
    // All ones when the block starts inside quotes.
    let mut inside = 0u64;
    // Bit 0: the block's first byte starts a field (the record's start, or after a delimiter).
    let mut starts_next = 1u64;
    // The last block's last byte is a closing quote: the next byte must end the field.
    let mut close_pending = false;
    let mut from = 0usize;
    let mut base = 0usize;
    loop {
        let (d, q) = block_masks(data, base, delimiter);
        // The record's bytes in this block, and its line end when the block holds it.
        let (record, newline) = match line_end - base {
            at @ 0..64 => (u64::MAX >> (63 - at), 1u64 << at),
            _ => (u64::MAX, 0),
        };
        let p = prefix_xor(q) ^ inside;
        if newline & p != 0 {
            return None;
        }
        let sd = d & !p;
        let ends = (sd | newline) & record;
        if close_pending && ends & 1 == 0 {
            return None;
        }
        let opening = q & p & record;
        let closing = q & !p & record;
        if opening & !((sd << 1) | starts_next) != 0 || closing & !(ends >> 1) & !(1 << 63) != 0 {
            return None;
        }
        // Bit `k`: byte `base + k - 1` is a closing quote (bit 0, the last block's last byte).
        // By the checks above a quote opens only at a field's start and closes only right
        // before its end, so a field is quoted exactly when a closing quote is right before
        // its end: read from this mask, not from the field's first byte (issue #14).
        let closes = (closing << 1) | u64::from(close_pending);
        let mut fields = ends;
        while fields != 0 {
            let at = fields.trailing_zeros();
            let end = base + at as usize;
            fields &= fields - 1;
            // A quoted field's content is inside its quotes.
            let quoted = ((closes >> at) & 1) as usize;
            spans.push((from + quoted, end - quoted));
            from = end + 1;
        }
        if newline != 0 {
            return Some((line_end + 1, 1));
        }
        inside = if p >> 63 == 1 { u64::MAX } else { 0 };
        starts_next = sd >> 63;
        close_pending = closing >> 63 == 1;
        base += 64;
    }
}

/// The delimiters and quotes among the 64 bytes of `data` at `base` (fewer at its end), bit
/// `k` standing for byte `base + k`.
#[inline]
fn block_masks(data: &[u8], base: usize, delimiter: u8) -> (u64, u64) {
    let mut padded = [0u8; 64];
    let (block, valid): (&[u8; 64], u64) = match data
        .get(base..base + 64)
        .and_then(|b| <&[u8; 64]>::try_from(b).ok())
    {
        Some(block) => (block, u64::MAX),
        None => {
            let tail = data.get(base..).unwrap_or_default();
            padded[..tail.len()].copy_from_slice(tail);
            (&padded, (1u64 << tail.len()) - 1)
        }
    };
    // One byte per byte, 1 where it is a delimiter (a quote): a loop the compiler turns into
    // byte compares sixteen bytes at a time.
    let mut is_delimiter = [0u8; 64];
    let mut is_quote = [0u8; 64];
    for ((&b, d), q) in block.iter().zip(&mut is_delimiter).zip(&mut is_quote) {
        *d = u8::from(b == delimiter);
        *q = u8::from(b == b'"');
    }
    (gather(&is_delimiter) & valid, gather(&is_quote) & valid)
}

/// The 64 bytes of `ones`, each 0 or 1, as the bits of a word, byte `k` to bit `k`: eight
/// bytes at a time, multiplied so that their bits meet in the top byte.
#[inline]
fn gather(ones: &[u8; 64]) -> u64 {
    ones.chunks_exact(8).enumerate().fold(0, |mask, (k, word)| {
        let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
        mask | (word.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k)
    })
}

/// Bit `k` is the parity of the bits `0..=k` of `x`: set from an opening quote up to its
/// closing quote.
#[inline]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// Push a field: `raw` when it is to be built (its bytes as written), else its content.
#[inline]
fn push(
    spans: &mut Vec<(usize, usize)>,
    built: &mut Vec<usize>,
    build: bool,
    raw: (usize, usize),
    content: (usize, usize),
) {
    if build {
        built.push(spans.len());
        spans.push(raw);
    } else {
        spans.push(content);
    }
}

/// The content of a field written as `raw`, from its opening quote to its end: `""` inside
/// the quotes is a quote, the closing quote is dropped, and what follows it is kept as it is.
fn unquote(raw: &[u8], out: &mut Vec<u8>) {
    let mut inside = true;
    let mut after_quote = false;
    for &b in raw.get(1..).unwrap_or_default() {
        if inside {
            if b == b'"' {
                inside = false;
                after_quote = true;
            } else {
                out.push(b);
            }
        } else if after_quote && b == b'"' {
            // `""`: a quote, and still inside.
            out.push(b);
            inside = true;
            after_quote = false;
        } else {
            after_quote = false;
            out.push(b);
        }
    }
}

/// The delimiters, quotes and line ends of a record, in order, found eight bytes at a time.
struct Marks<'a> {
    data: &'a [u8],
    /// The offset of the word in `mask`.
    base: usize,
    /// The high bit of each byte of the word at `base` that is a mark and not yet passed.
    mask: u64,
    delimiter: u64,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
const HIGH: u64 = 0x8080_8080_8080_8080;

impl<'a> Marks<'a> {
    fn new(data: &'a [u8], delimiter: u8) -> Self {
        let mut marks = Marks {
            data,
            base: 0,
            mask: 0,
            delimiter: ONES * u64::from(delimiter),
        };
        marks.mask = marks.word(0);
        marks
    }

    /// The marks of the eight bytes at `at` (those past the end are none).
    #[inline]
    fn word(&self, at: usize) -> u64 {
        let (word, valid) = match self.data.get(at..at + 8) {
            Some(bytes) => (
                u64::from_le_bytes(bytes.try_into().unwrap_or_default()),
                u64::MAX,
            ),
            None => {
                let tail = self.data.get(at..).unwrap_or_default();
                let mut bytes = [0u8; 8];
                bytes[..tail.len()].copy_from_slice(tail);
                let valid = if tail.is_empty() {
                    0
                } else {
                    u64::MAX >> (64 - 8 * tail.len())
                };
                (u64::from_le_bytes(bytes), valid)
            }
        };
        // A byte's high bit is set where it is not zero, for each of the three xors.
        let nonzero = |x: u64| ((x & LOW) + LOW) | x;
        let none = nonzero(word ^ self.delimiter)
            & nonzero(word ^ (ONES * u64::from(b'"')))
            & nonzero(word ^ (ONES * u64::from(b'\n')));
        !none & HIGH & valid
    }

    /// The next mark.
    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            self.base += 8;
            if self.base >= self.data.len() {
                return None;
            }
            self.mask = self.word(self.base);
        }
        let bit = self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(self.base + bit / 8)
    }

    /// Pass over the marks before `at` (at or after the last mark returned).
    #[inline]
    fn skip_to(&mut self, at: usize) {
        let ahead = at - self.base;
        if ahead >= 8 {
            self.base = at;
            self.mask = self.word(at);
        } else {
            self.mask &= u64::MAX << (8 * ahead);
        }
    }
}

#[cfg(test)]
pub(crate) mod oracle;
#[cfg(test)]
mod tests;
