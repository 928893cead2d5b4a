//! Records as the reader takes them: where they come from ([`RecordSource`]), their UTF-8
//! check, blank records, and the diagnostics of records that cannot be read at all.

use crate::data::coerce::is_space;
use crate::data::records::{Fields, RecordTooLarge};
use crate::diag::Diagnostic;

/// Where records come from: a CSV reader, or the rows of a worksheet. Each record carries its
/// position; its line is the one shown to the user (the CSV line, the worksheet row).
///
/// Records are bytes: the reader checks each one is UTF-8 as a whole (see `Record`), which
/// costs a fraction of checking every field on its own (issue #7).
pub trait RecordSource {
    /// Read the next record into `rec`; `Ok(false)` at the end.
    fn read_record(&mut self, rec: &mut csv::ByteRecord) -> csv::Result<bool>;

    /// [`RecordSource::read_record`] into [`Fields`], which the row reader reads: a source
    /// that splits records itself fills them without a copy per field.
    fn read_fields(&mut self, rec: &mut Fields) -> csv::Result<bool> {
        let mut spare = rec.spare.take().unwrap_or_default();
        let read = self.read_record(&mut spare);
        if let Ok(true) = read {
            rec.fill_from(&spare);
        }
        rec.spare = Some(spare);
        read
    }

    /// True when the records read so far are known to be UTF-8 (their source checked it),
    /// so the reader need not check each one.
    fn known_utf8(&self) -> bool {
        false
    }
}

/// A record whose bytes were checked to be UTF-8: text cells are read as `&str`, measure
/// cells as bytes (`coerce_bytes`), with no per-field check.
#[derive(Debug, Default)]
pub(super) struct Record {
    pub(super) raw: Fields,
}

impl Record {
    /// Field `i` as text. The record was checked ([`Record::check`]), so every field is
    /// UTF-8 and the empty fallback is never taken.
    pub(super) fn get(&self, i: usize) -> Option<&str> {
        self.raw
            .get(i)
            .map(|b| std::str::from_utf8(b).unwrap_or(""))
    }

    /// Field `i` as bytes.
    pub(super) fn bytes(&self, i: usize) -> Option<&[u8]> {
        self.raw.get(i)
    }

    pub(super) fn len(&self) -> usize {
        self.raw.len()
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.raw.len()).filter_map(|i| self.get(i))
    }

    pub(super) fn position(&self) -> Option<&csv::Position> {
        self.raw.position()
    }

    /// Check that every field is UTF-8, as a whole: the record's bytes are valid and every
    /// field starts and ends on a character boundary (a valid text cut at character
    /// boundaries gives valid pieces); else field by field. On failure, the `invalid-utf8`
    /// diagnostic for the first bad field.
    pub(super) fn check(&self, path: &str) -> Result<(), Box<Diagnostic>> {
        let bytes = self.raw.bytes();
        let boundary = |at: usize| bytes.get(at).is_none_or(|&b| (b as i8) >= -0x40);
        if simdutf8::basic::from_utf8(bytes).is_ok()
            && self
                .raw
                .spans()
                .iter()
                .all(|&(start, end)| boundary(start) && boundary(end))
        {
            return Ok(());
        }
        match self
            .raw
            .iter()
            .enumerate()
            .find_map(|(i, f)| std::str::from_utf8(f).err().map(|e| (i, e.valid_up_to())))
        {
            Some((field, valid_up_to)) => Err(Box::new(invalid_utf8(
                path,
                self.position(),
                field,
                valid_up_to,
            ))),
            // Bytes between the fields (a quote) were what broke a character.
            None => Ok(()),
        }
    }
}

/// Every cell of the record is empty or whitespace (as `str::trim` sees it). Cells are looked
/// at as bytes: an ASCII letter or digit settles it at once, and only a cell of nothing but
/// whitespace and non-ASCII bytes is read as text.
pub(super) fn is_blank(rec: &Record) -> bool {
    (0..rec.len()).all(|i| {
        let cell = rec.bytes(i).unwrap_or_default();
        if cell.iter().any(|&b| b.is_ascii() && !is_space(b)) {
            return false;
        }
        cell.iter().all(|&b| is_space(b)) || rec.get(i).is_none_or(|c| c.trim().is_empty())
    })
}

fn wrong_field_count(path: &str, line: u64, len: usize, expected: usize) -> Diagnostic {
    Diagnostic::error(
        "wrong-field-count",
        format!("the row has {len} fields, the header has {expected}"),
    )
    .at(path, Some(line), None)
    .help(field_count_help(expected))
}

pub(super) fn field_count_help(expected: usize) -> String {
    format!(
        "expected {expected} fields, as in the header (a cell containing the delimiter must be quoted)"
    )
}

/// `invalid-utf8`: field `field` (from 0) of the record at `pos` is invalid from its byte
/// `valid_up_to` (from 0) on.
pub(super) fn invalid_utf8(
    path: &str,
    pos: Option<&csv::Position>,
    field: usize,
    valid_up_to: usize,
) -> Diagnostic {
    let byte = pos.map_or(0, csv::Position::byte);
    Diagnostic::error(
        "invalid-utf8",
        format!(
            "the file is not UTF-8: field {} of the row starting at byte offset {byte} is invalid from its byte {} on; the rest of the file was not read",
            field + 1,
            valid_up_to + 1
        ),
    )
    .at(path, pos.map(csv::Position::line), Some(field as u64 + 1))
    .help(
        "name its encoding: --encoding windows-1258 (Vietnamese Windows), \
         --encoding windows-1252 (Western European), or save it as CSV UTF-8",
    )
}

pub(super) fn csv_error(e: &csv::Error, path: &str) -> Diagnostic {
    let line = e.position().map(|p| p.line());
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => wrong_field_count(
            path,
            line.unwrap_or(0),
            *len as usize,
            *expected_len as usize,
        ),
        csv::ErrorKind::Utf8 { pos, err } => {
            invalid_utf8(path, pos.as_ref(), err.field(), err.valid_up_to())
        }
        csv::ErrorKind::Io(io) => match io
            .get_ref()
            .and_then(|e| e.downcast_ref::<RecordTooLarge>())
        {
            Some(big) => record_too_large(path, big),
            None => Diagnostic::error("unreadable-csv", e.to_string()).at(path, line, None),
        },
        _ => Diagnostic::error("unreadable-csv", e.to_string()).at(path, line, None),
    }
}

/// `record-too-large`: a record over [`crate::data::records::RECORD_LIMIT`]; nothing after it
/// is read.
fn record_too_large(path: &str, big: &RecordTooLarge) -> Diagnostic {
    Diagnostic::error(
        "record-too-large",
        format!(
            "the record starting at line {} (byte offset {}) is longer than {}, the most a record may hold; the rest of the file was not read",
            big.line,
            big.byte,
            crate::data::records::limit_text(big.limit)
        ),
    )
    .at(path, Some(big.line), None)
    .help("a commune row is a few kB: look for a quote `\"` that is never closed on that line, or a file that is not CSV text")
}
