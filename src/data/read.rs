//! Records → commune rows, each keeping its file and line, with every problem located.
//!
//! Records come from a CSV reader or a worksheet (`data::sheet`) through [`RecordSource`]; this
//! is the one place their cells get meaning (header row, columns, coercion, zone, year). The
//! reader reports every bad cell of the file, not only the first. It does not open or decode
//! files (the commands and `data::decode` do) and does not evaluate anything.
//!
//! The reader's jobs live in submodules: `record` (record sources, UTF-8, unreadable
//! records), `header` (finding and mapping the header), `row` (one record into a `Row`,
//! coercing measure cells), `year`, `zone`, `seen` (duplicate codes), `unit_list` (the
//! official list), `fractions` (percent scale checks), `memo` and `context` (a row's problems).

mod context;
mod fractions;
mod header;
mod memo;
mod record;
mod row;
mod seen;
mod unit_list;
mod year;
mod zone;

use serde::Serialize;

use crate::data::coerce::{DecimalMark, NumberRules, Value};
use crate::data::columns::{Columns, Ident};
use crate::data::decode::Encoding;
use crate::data::province::ProvinceSet;
use crate::diag::Diagnostic;
use crate::ruleset::Ruleset;
use crate::text::echo;
use context::RowCtx;
use fractions::Fractions;
use memo::Memo;
use record::{Record, csv_error, field_count_help, is_blank};
use row::{Plan, nfc_fast, read_row};

pub use header::HEADER_SCAN;
pub use record::RecordSource;
pub use seen::Seen;
pub use unit_list::UNIT_WARNING_LIMIT;

/// How rows are read.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// `--year`: the assessment year of every row.
    pub year: Option<i32>,
    /// Accept years outside the ruleset's period.
    pub allow_out_of_period: bool,
    /// Missing measure columns become no data.
    pub allow_missing: bool,
    /// Which province list `province` is read against (and which list of communal units
    /// commune codes are checked against).
    pub province_set: ProvinceSet,
    /// Further columns whose raw text each row keeps in `Row::kept`, named by header
    /// (compared with `fold`): `summary --by <column>`. A file without one is an error.
    pub keep: Vec<String>,
    /// `--header-row`: the line (CSV) or row (worksheet) of the header; else it is found
    /// (see [`HEADER_SCAN`]).
    pub header_row: Option<u64>,
    /// `--encoding` of CSV files (a byte-order mark decides over it); used by whoever opens
    /// the file (`data::decode`).
    pub encoding: Option<Encoding>,
    /// `--delimiter` of CSV files; else it is sniffed (`data::decode`).
    pub delimiter: Option<u8>,
    /// `--sheet` of workbooks; else the first worksheet (`data::sheet`).
    pub sheet: Option<String>,
    /// `--lenient`: bad measure cells, rows with the wrong number of fields and duplicate
    /// codes become no data plus a warning and a note on the row, instead of errors.
    pub lenient: bool,
    /// `--decimal-comma` / `--decimal-point`.
    pub decimal: DecimalMark,
    /// `--fraction-percent`: percent cells are fractions (0.85 is 85 %).
    pub fraction_percent: bool,
}

impl Default for ReadOptions {
    /// The defaults of the command line: strict reading, 2024 lists, header found.
    fn default() -> Self {
        ReadOptions {
            year: None,
            allow_out_of_period: false,
            allow_missing: false,
            province_set: ProvinceSet::Y2024,
            keep: Vec::new(),
            header_row: None,
            encoding: None,
            delimiter: None,
            sheet: None,
            lenient: false,
            decimal: DecimalMark::Auto,
            fraction_percent: false,
        }
    }
}

impl ReadOptions {
    pub(super) fn numbers(&self) -> NumberRules {
        NumberRules {
            decimal: self.decimal,
            fraction_percent: self.fraction_percent,
        }
    }
}

/// Something `--lenient` turned into no data, carried by the row into the output (`notes`
/// in JSON and CSV), so that nothing is dropped without a line saying so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// The diagnostic code (`out-of-range`, `wrong-field-count`, `duplicate-code`, …).
    pub code: &'static str,
    /// Header of the cell, or null for the whole row.
    pub column: Option<String>,
    /// The cell's text (empty for the whole row).
    pub value: String,
    /// What happened: `read as no data: expected …`.
    pub message: String,
}

use crate::data::records::{CsvRecords, ReadChunks};
pub use crate::data::records::{Fields, csv_records};

/// Where a row's zone came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneFrom {
    /// The `region`/`group` column.
    Column,
    /// The province table.
    Province,
}

/// Where a row's assessment year came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum YearFrom {
    /// `--year`.
    Flag,
    /// The `year` column.
    Column,
    /// The last year of the ruleset's period.
    PeriodEnd,
}

/// The most spent rows a [`RowReader`] keeps to refill: two batches of `evaluate`.
pub const SPENT_ROWS: usize = 512;

/// One commune, read.
#[derive(Debug, Clone)]
pub struct Row {
    /// Index of the input file.
    pub input: usize,
    /// Line in that file (the header is line 1 in a plain file).
    pub line: u64,
    /// Commune code.
    pub code: Option<String>,
    /// Commune name.
    pub name: Option<String>,
    /// District.
    pub district: Option<String>,
    /// Province.
    pub province: Option<String>,
    /// Zone index before overrides.
    pub zone: usize,
    /// Where the zone came from.
    pub zone_from: ZoneFrom,
    /// Assessment year.
    pub year: i32,
    /// Where the year came from.
    pub year_from: YearFrom,
    /// One value per measure; `None` is no data.
    pub values: Vec<Option<Value>>,
    /// The raw text of each `ReadOptions::keep` column (trimmed, NFC); `None` when empty.
    pub kept: Vec<Option<String>>,
    /// What `--lenient` turned into no data in this row.
    pub notes: Vec<Note>,
}

/// What was read from one file.
#[derive(Debug, Default)]
pub struct Read {
    /// Rows that were read without error.
    pub rows: Vec<Row>,
    /// Data rows seen (with or without error).
    pub records: usize,
    /// Data rows not returned because of an error: `records = rows.len() + rejected`.
    pub rejected: usize,
    /// Headers matching nothing.
    pub unknown_columns: Vec<String>,
    /// Every problem found.
    pub diags: Vec<Diagnostic>,
}

/// Read a comma-separated UTF-8 file's bytes. `path` names it in diagnostics; `input` indexes
/// it in rows.
pub fn read_csv(bytes: &[u8], path: &str, input: usize, rs: &Ruleset, opts: &ReadOptions) -> Read {
    let mut rows = Vec::new();
    let mut rdr = RowReader::new(bytes, path, input, rs, opts);
    while let Some(row) = rdr.next_row() {
        rows.push(row);
    }
    let end = rdr.finish();
    Read {
        rows,
        records: end.records,
        rejected: end.rejected,
        unknown_columns: end.unknown_columns,
        diags: end.diags,
    }
}

/// What a [`RowReader`] saw, once the file is read.
#[derive(Debug, Default)]
pub struct ReadEnd {
    /// Data rows seen (with or without error).
    pub records: usize,
    /// Data rows not returned because of an error.
    pub rejected: usize,
    /// Commune codes seen so far, to hand to the reader of the next file.
    pub seen: Seen,
    /// Headers matching nothing.
    pub unknown_columns: Vec<String>,
    /// Every problem found.
    pub diags: Vec<Diagnostic>,
    /// Line (CSV) or row (worksheet) of the header, when one was found.
    pub header_line: Option<u64>,
    /// How the file was decoded (filled in by whoever opened it).
    pub source: SourceInfo,
}

/// How a file's bytes became records: the provenance a reader needs to repeat the run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceInfo {
    /// How the file is named in diagnostics (`book.xlsx[Xã]` for a worksheet).
    pub label: String,
    /// `csv`, `xlsx`, `xls`, `xlsb` or `ods`.
    pub format: &'static str,
    /// Text encoding of a CSV file (`utf-8`, `utf-16le`, …).
    pub encoding: Option<&'static str>,
    /// Delimiter of a CSV file.
    pub delimiter: Option<char>,
    /// Worksheet read from a workbook.
    pub sheet: Option<String>,
}

/// Streaming form of [`read_csv`]: one row at a time, so a file of any size is read in
/// constant memory (issue #7). Rows with errors are skipped and their diagnostics kept;
/// [`RowReader::finish`] returns them with the same content and order as `read_csv`.
///
/// A UTF-8 byte-order mark at the start of the first record is dropped.
pub struct RowReader<'a, S: RecordSource> {
    rdr: S,
    rec: Record,
    path: &'a str,
    input: usize,
    rs: &'a Ruleset,
    opts: &'a ReadOptions,
    headers: Vec<String>,
    cols: Option<Columns>,
    /// How the measure cells of each row are read (from `cols`).
    plan: Plan,
    zone_col: Option<usize>,
    keep_cols: Vec<usize>,
    header_line: u64,
    end: ReadEnd,
    done: bool,
    memo: Memo,
    fractions: Vec<Fractions>,
    /// See [`RowReader::pause_at`].
    pause_at: usize,
    paused: bool,
    /// Rows handed back ([`RowReader::recycle`]), refilled rather than allocated again.
    spent: Vec<Row>,
}

impl<'a, R: std::io::Read> RowReader<'a, CsvRecords<ReadChunks<R>>> {
    /// A reader of comma-separated UTF-8 text.
    pub fn new(
        reader: R,
        path: &'a str,
        input: usize,
        rs: &'a Ruleset,
        opts: &'a ReadOptions,
    ) -> Self {
        RowReader::from_source(csv_records(reader, b','), path, input, rs, opts)
    }
}

impl<'a, S: RecordSource> RowReader<'a, S> {
    /// Find the header and map its columns; header problems end the file at once.
    pub fn from_source(
        rdr: S,
        path: &'a str,
        input: usize,
        rs: &'a Ruleset,
        opts: &'a ReadOptions,
    ) -> Self {
        let mut this = RowReader {
            rdr,
            rec: Record::default(),
            path,
            input,
            rs,
            opts,
            headers: Vec::new(),
            cols: None,
            plan: Plan::default(),
            zone_col: None,
            keep_cols: Vec::new(),
            header_line: 1,
            end: ReadEnd::default(),
            done: true,
            memo: Memo::default(),
            fractions: vec![Fractions::default(); rs.measures.len()],
            pause_at: usize::MAX,
            paused: false,
            spent: Vec::new(),
        };
        this.end.seen.file(input, path);
        this.header();
        this
    }

    /// Check commune codes for duplicates against `seen`, the codes of the files read before
    /// (from their [`ReadEnd::seen`]), so the key holds across every input file.
    pub fn with_seen(mut self, seen: Seen) -> Self {
        self.end.seen = seen;
        self.end.seen.file(self.input, self.path);
        self
    }

    /// Check the record just read is UTF-8, unless its source knows it is.
    fn check_utf8(&self) -> Result<(), Box<Diagnostic>> {
        if self.rdr.known_utf8() {
            return Ok(());
        }
        self.rec.check(self.path)
    }

    /// The next row read without error, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Option<Row> {
        let mut row = self.spare_row();
        if self.next_row_into(&mut row) {
            return Some(row);
        }
        if self.spent.len() < SPENT_ROWS {
            self.spent.push(row);
        }
        None
    }

    /// A row to read into: a spent one ([`RowReader::recycle`]), else a new one (which
    /// allocates nothing until it is read into).
    pub fn spare_row(&mut self) -> Row {
        self.spent.pop().unwrap_or_else(|| Row {
            input: self.input,
            line: 0,
            code: None,
            name: None,
            district: None,
            province: None,
            zone: 0,
            zone_from: ZoneFrom::Column,
            year: 0,
            year_from: YearFrom::Flag,
            values: Vec::new(),
            kept: Vec::new(),
            notes: Vec::new(),
        })
    }

    /// [`RowReader::next_row`] into `row`, every field of which is written (its vectors and
    /// strings refilled, not allocated again): `true` when a row was read, `false` at the
    /// end of the file or a pause ([`RowReader::paused`]), `row` then holding nothing to
    /// use. The rows thread of `evaluate` reads into the rows of a batch where they lie, so a
    /// row is not moved out of the spent ones and into its batch (issue #14).
    pub fn next_row_into(&mut self, row: &mut Row) -> bool {
        if self.done {
            return false;
        }
        let Some(cols) = self.cols.as_ref() else {
            return false;
        };
        loop {
            if self.end.diags.len() >= self.pause_at {
                self.paused = true;
                return false;
            }
            match self.rdr.read_fields(&mut self.rec.raw) {
                Ok(false) => {
                    self.done = true;
                    if self.end.records == 0 {
                        self.end.diags.push(
                            Diagnostic::error("no-rows", "the file has a header but no data rows")
                                .at(self.path, Some(self.header_line), None),
                        );
                    }
                    self.fraction_columns();
                    self.unit_warning_counts();
                    return false;
                }
                Err(e) => {
                    self.end.records += 1;
                    self.end.rejected += 1;
                    self.end.diags.push(csv_error(&e, self.path));
                    if matches!(
                        e.kind(),
                        csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::Io(_)
                    ) {
                        // The file is in another encoding, or cannot be read on: every later
                        // row would fail too.
                        self.done = true;
                        return false;
                    }
                    continue;
                }
                Ok(true) => {
                    if let Err(d) = self.check_utf8() {
                        // The file is in another encoding: every later row would fail too.
                        self.end.records += 1;
                        self.end.rejected += 1;
                        self.end.diags.push(*d);
                        self.done = true;
                        return false;
                    }
                }
            }
            if is_blank(&self.rec) {
                // A row of empty cells (Excel exports them as `;;;;`) is not a commune.
                continue;
            }
            self.end.records += 1;
            let line = self.rec.position().map_or(0, |p| p.line());
            let mut ctx = RowCtx {
                path: self.path,
                line,
                headers: &self.headers,
                diags: &mut self.end.diags,
                ok: true,
                lenient: self.opts.lenient,
                notes: Vec::new(),
                memo: &mut self.memo,
                fractions: &mut self.fractions,
            };
            // A row with the wrong number of fields has its cells shifted: none is read.
            let shifted = self.rec.len() != self.headers.len();
            if shifted {
                let msg = format!(
                    "the row has {} fields, the header has {}",
                    self.rec.len(),
                    self.headers.len()
                );
                ctx.row_problem(
                    "wrong-field-count",
                    &msg,
                    &field_count_help(self.headers.len()),
                );
                if !ctx.ok {
                    self.end.rejected += 1;
                    continue;
                }
            }
            read_row(
                &self.rec,
                cols,
                &self.plan,
                self.zone_col,
                self.rs,
                self.opts,
                self.input,
                shifted,
                &mut ctx,
                row,
            );
            if let Some(code) = row.code.as_deref()
                && let Some(first) = self.end.seen.first(code, row.year, self.input, line)
            {
                let col = cols.ident(Ident::Code).unwrap_or(0);
                let msg = format!(
                    "commune `{}` is already in {} for year {}",
                    echo(code),
                    // `path:line`: escaped, never cut (the line is at its end).
                    crate::text::escape_controls(&first),
                    row.year
                );
                if ctx.cell_problem(
                    "duplicate-code",
                    col,
                    code,
                    &msg,
                    "one row per commune and assessment year, across all input files",
                ) {
                    row.values.iter_mut().for_each(|v| *v = None);
                }
            }
            row.notes = std::mem::take(&mut ctx.notes);
            if ctx.ok {
                row.kept = self
                    .keep_cols
                    .iter()
                    .map(|&c| {
                        Some(self.rec.get(c).unwrap_or("").trim())
                            .filter(|s| !s.is_empty())
                            .map(nfc_fast)
                    })
                    .collect();
                return true;
            }
            self.end.rejected += 1;
        }
    }

    /// Take the diagnostics found so far, to pass them on while the file is read: memory
    /// stays bounded however many cells are bad. [`RowReader::finish`] returns the rest.
    pub fn take_diags(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.end.diags)
    }

    /// Take back rows done with, whose vectors and strings the next rows are read into (so
    /// the reading thread allocates little per row, and frees nothing the others made). At
    /// most [`SPENT_ROWS`] are kept.
    pub fn recycle(&mut self, rows: Vec<Row>) {
        let room = SPENT_ROWS.saturating_sub(self.spent.len());
        self.spent.extend(rows.into_iter().take(room));
    }

    /// Have [`RowReader::next_row`] stop early whenever `n` diagnostics are held, so the
    /// caller can take them even in a file where every row is rejected: it then returns
    /// `None` with [`RowReader::paused`] true, and reading goes on at the next call.
    pub fn pause_at(mut self, n: usize) -> Self {
        self.pause_at = n.max(1);
        self
    }

    /// Whether the last `None` of [`RowReader::next_row`] was a pause, not the end.
    pub fn paused(&mut self) -> bool {
        std::mem::take(&mut self.paused)
    }

    /// Rows seen, unknown columns and every diagnostic (not taken before).
    pub fn finish(self) -> ReadEnd {
        self.end
    }
}

#[cfg(test)]
mod tests;
