//! Records → commune rows, each keeping its file and line, with every problem located.
//!
//! Records come from a CSV reader or a worksheet (`data::sheet`) through [`RecordSource`]; this
//! is the one place their cells get meaning (header row, columns, coercion, zone, year). The
//! reader reports every bad cell of the file, not only the first. It does not open or decode
//! files (the commands and `data::decode` do) and does not evaluate anything.

use rust_decimal::Decimal;
use serde::Serialize;
use unicode_normalization::{IsNormalized, is_nfc_quick};

use crate::data::coerce::{DecimalMark, NumberRules, Value, coerce_bytes, is_space};
use crate::data::columns::{Columns, Ident, map_headers};
use crate::data::decode::Encoding;
use crate::data::hash::FxHashMap;
use crate::data::province::{Lookup, ProvinceSet, lookup};
use crate::data::units;
use crate::diag::Diagnostic;
use crate::ruleset::Ruleset;
use crate::ruleset::model::{MeasureKind, ZoneMatch};
use crate::text::{echo, nfc};

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
    fn numbers(&self) -> NumberRules {
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

/// Without `--header-row`, the header is the first of this many records in which a cell names
/// a measure of the ruleset (its id, label or a declared alias); records above it are a title
/// block and are not data.
pub const HEADER_SCAN: usize = 20;

/// Where records come from: a CSV reader, or the rows of a worksheet. Each record carries its
/// position; its line is the one shown to the user (the CSV line, the worksheet row).
///
/// Records are bytes: the reader checks each one is UTF-8 as a whole (see [`Record`]), which
/// costs a fraction of checking every field on its own (issue #7).
pub trait RecordSource {
    /// Read the next record into `rec`; `Ok(false)` at the end.
    fn read_record(&mut self, rec: &mut csv::ByteRecord) -> csv::Result<bool>;

    /// True when the records read so far are known to be UTF-8 (their source checked it),
    /// so the reader need not check each one.
    fn known_utf8(&self) -> bool {
        false
    }
}

/// A record whose bytes were checked to be UTF-8: text cells are read as `&str`, measure
/// cells as bytes (`coerce_bytes`), with no per-field check.
#[derive(Debug, Default)]
struct Record {
    raw: csv::ByteRecord,
}

impl Record {
    /// Field `i` as text. The record was checked ([`Record::check`]), so every field is
    /// UTF-8 and the empty fallback is never taken.
    fn get(&self, i: usize) -> Option<&str> {
        self.raw
            .get(i)
            .map(|b| std::str::from_utf8(b).unwrap_or(""))
    }

    /// Field `i` as bytes.
    fn bytes(&self, i: usize) -> Option<&[u8]> {
        self.raw.get(i)
    }

    fn len(&self) -> usize {
        self.raw.len()
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.raw.len()).filter_map(|i| self.get(i))
    }

    fn position(&self) -> Option<&csv::Position> {
        self.raw.position()
    }

    /// Check that every field is UTF-8, as a whole: the record's bytes are valid and every
    /// field starts on a character boundary (a valid text cut at character boundaries gives
    /// valid pieces). On failure, the `invalid-utf8` diagnostic for the first bad field.
    fn check(&self, path: &str) -> Result<(), Box<Diagnostic>> {
        let whole = simdutf8::basic::from_utf8(self.raw.as_slice()).is_ok();
        if whole
            && self
                .raw
                .iter()
                .all(|f| f.first().is_none_or(|&b| (b as i8) >= -0x40))
        {
            return Ok(());
        }
        // Some field fails on its own (the fallback is never taken).
        let (field, valid_up_to) = self
            .raw
            .iter()
            .enumerate()
            .find_map(|(i, f)| std::str::from_utf8(f).err().map(|e| (i, e.valid_up_to())))
            .unwrap_or((0, 0));
        Err(Box::new(invalid_utf8(
            path,
            self.position(),
            field,
            valid_up_to,
        )))
    }
}

pub use crate::data::records::csv_records;
use crate::data::records::{CsvRecords, RecordTooLarge};

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
}

impl<'a, R: std::io::Read> RowReader<'a, CsvRecords<R>> {
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
            zone_col: None,
            keep_cols: Vec::new(),
            header_line: 1,
            end: ReadEnd::default(),
            done: true,
            memo: Memo::default(),
            fractions: vec![Fractions::default(); rs.measures.len()],
            pause_at: usize::MAX,
            paused: false,
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

    /// Read records up to the header: `--header-row`'s, else the first of [`HEADER_SCAN`]
    /// records that names a measure. Returns its mapped columns and their diagnostics.
    fn find_header(&mut self) -> Option<(Columns, Vec<Diagnostic>)> {
        let path = self.path;
        let mut seen = 0usize;
        // The first row with a cell close to a measure's name, for the error's help.
        let mut near: Option<String> = None;
        loop {
            match self.rdr.read_record(&mut self.rec.raw) {
                Ok(true) => {
                    if let Err(d) = self.check_utf8() {
                        self.end.diags.push(*d);
                        return None;
                    }
                }
                Ok(false) => {
                    let d = match (seen, self.opts.header_row) {
                        (0, _) => Diagnostic::error("empty-file", "the file has no header row")
                            .at(path, None, None),
                        (_, Some(n)) => Diagnostic::error(
                            "header-not-found",
                            format!("--header-row {n}: the file has no record at line {n}"),
                        )
                        .at(path, None, None)
                        .help("count lines (worksheet rows) from 1, as shown to the left of Excel's grid"),
                        (_, None) => header_not_found(path, self.rs, seen, near.as_deref()),
                    };
                    self.end.diags.push(d);
                    return None;
                }
                Err(e) => {
                    self.end.diags.push(csv_error(&e, path));
                    return None;
                }
            }
            if is_blank(&self.rec) {
                continue;
            }
            seen += 1;
            let line = self.rec.position().map_or(seen as u64, |p| p.line());
            let mut headers: Vec<String> = self.rec.iter().map(|h| nfc(h.trim())).collect();
            if seen == 1
                && let Some(first) = headers.first_mut()
                && let Some(rest) = first.strip_prefix('\u{feff}')
            {
                *first = rest.to_string();
            }
            match self.opts.header_row {
                Some(n) if line < n => continue,
                Some(n) if line > n => {
                    self.end.diags.push(
                        Diagnostic::error(
                            "header-not-found",
                            format!("--header-row {n}: line {n} is empty or inside a record"),
                        )
                        .at(path, Some(line), None)
                        .help(format!(
                            "the first record at or after it starts at line {line}"
                        )),
                    );
                    return None;
                }
                Some(_) => {}
                None => {}
            }
            let mapped = map_headers(&headers, self.rs, self.opts.allow_missing, path, line);
            let names_measure = mapped.0.measures.iter().any(Option::is_some);
            if self.opts.header_row.is_some() || names_measure {
                self.header_line = line;
                self.end.header_line = Some(line);
                self.headers = headers;
                return Some(mapped);
            }
            if near.is_none() && seen <= NEAR_ROWS {
                near = super::columns::near_measure(&headers, self.rs)
                    .map(|s| format!("line {line}: {s}"));
            }
            if seen == HEADER_SCAN {
                let d = header_not_found(path, self.rs, seen, near.as_deref());
                self.end.diags.push(d);
                return None;
            }
        }
    }

    fn header(&mut self) {
        let path = self.path;
        let rs = self.rs;
        let Some((cols, diags)) = self.find_header() else {
            return;
        };
        let header_line = self.header_line;
        let fatal = crate::diag::has_errors(&diags);
        self.end.diags.extend(diags);
        self.end.unknown_columns = cols.unknown.clone();
        if fatal {
            return;
        }
        if cols.ident(Ident::Code).is_none() {
            let misnamed = super::columns::misnamed_code(&cols.unknown);
            let at = |d: Diagnostic| d.at(path, Some(header_line), None);
            self.end.diags.extend(misnamed.map(at));
        }
        let zone_col = cols.ident(match rs.zoning {
            crate::ruleset::model::Zoning::Region => Ident::Region,
            crate::ruleset::model::Zoning::Group => Ident::Group,
        });
        if zone_col.is_none()
            && (rs.zoning == crate::ruleset::model::Zoning::Group
                || cols.ident(Ident::Province).is_none())
        {
            let need = if rs.zoning == crate::ruleset::model::Zoning::Group {
                "a `group` (`nhóm`) column"
            } else {
                "a `region` (`vùng`) or `province` (`tỉnh`) column"
            };
            self.end.diags.push(
                Diagnostic::error(
                    "missing-column",
                    format!("ruleset `{}` needs {need} to pick thresholds", rs.id),
                )
                .at(path, Some(header_line), None),
            );
            return;
        }
        for name in &self.opts.keep {
            let key = crate::text::fold(name);
            match self
                .headers
                .iter()
                .position(|h| crate::text::fold(h) == key)
            {
                Some(c) => {
                    self.keep_cols.push(c);
                    let header = &self.headers[c];
                    self.end.unknown_columns.retain(|u| u != header);
                }
                None => {
                    self.end.diags.push(
                        Diagnostic::error(
                            "missing-column",
                            format!(
                                "the file has no column `{}`, which the command needs",
                                echo(name)
                            ),
                        )
                        .at(path, Some(header_line), None)
                        .help(super::columns::keep_help(name, &self.headers)),
                    );
                    return;
                }
            }
        }
        self.zone_col = zone_col;
        self.cols = Some(cols);
        self.done = false;
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
        if self.done {
            return None;
        }
        let cols = self.cols.as_ref()?;
        loop {
            if self.end.diags.len() >= self.pause_at {
                self.paused = true;
                return None;
            }
            match self.rdr.read_record(&mut self.rec.raw) {
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
                    return None;
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
                        return None;
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
                        return None;
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
            let mut row = read_row(
                &self.rec,
                cols,
                self.zone_col,
                self.rs,
                self.opts,
                self.input,
                shifted,
                &mut ctx,
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
                return Some(row);
            }
            self.end.rejected += 1;
        }
    }

    /// At the end of the file: how many official-list warnings were not listed.
    fn unit_warning_counts(&mut self) {
        let kinds = [
            (
                "unknown-commune-code",
                "whose code is not in the official list",
            ),
            (
                "commune-name-mismatch",
                "whose name is not the official one of its code",
            ),
        ];
        for (n, (code, what)) in self.memo.unit_warnings.iter().zip(kinds) {
            if *n > UNIT_WARNING_LIMIT {
                self.end.diags.push(
                    Diagnostic::warning(
                        code,
                        format!(
                            "{} more row(s) {what} are not listed (the first {UNIT_WARNING_LIMIT} are)",
                            n - UNIT_WARNING_LIMIT
                        ),
                    )
                    .at(self.path, None, None),
                );
            }
        }
    }

    /// At the end of the file: a percent column whose values all look like fractions
    /// (`percent-as-fraction`), or that mixes fractions and percentages
    /// (`mixed-percent-scale`): either is a scale ntm would have to guess.
    fn fraction_columns(&mut self) {
        let Some(cols) = &self.cols else {
            return;
        };
        for (f, col) in self.fractions.iter().zip(&cols.measures) {
            let (Some(col), Some((line, sample))) = (*col, f.sample.as_ref()) else {
                continue;
            };
            let header = self.headers.get(col).map_or("", String::as_str);
            if let Some((pline, percentage)) = &f.percentage {
                self.end.diags.push(
                    Diagnostic::error(
                        "mixed-percent-scale",
                        format!(
                            "column {} `{header}` mixes fractions and percentages: `{sample}` on line {line} is at most 1 (a fraction, or {sample} %?), `{percentage}` on line {pline} is a percentage",
                            col + 1
                        ),
                    )
                    .at(self.path, Some(*line), Some(col as u64 + 1))
                    .cell(header, sample)
                    .help(format!(
                        "write every value of the column on one scale: as percentages (`{}` where `{sample}` means {} %), or `{sample}%` if {sample} % is meant",
                        fraction_as_percentage(sample),
                        fraction_as_percentage(sample)
                    )),
                );
                continue;
            }
            self.end.diags.push(
                Diagnostic::error(
                    "percent-as-fraction",
                    format!(
                        "column {} `{}`: every value without a `%` sign is between 0 and 1 (`{}` on line {line}): fractions, not percentages?",
                        col + 1,
                        echo(header),
                        echo(sample)
                    ),
                )
                .at(self.path, Some(self.header_line), Some(col as u64 + 1))
                .cell(header, sample)
                .help("percentages such as `85` or `85%`, or --fraction-percent to read `0.85` as 85 %"),
            );
        }
    }

    /// Take the diagnostics found so far, to pass them on while the file is read: memory
    /// stays bounded however many cells are bad. [`RowReader::finish`] returns the rest.
    pub fn take_diags(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.end.diags)
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

/// Commune codes already read, keyed by code and assessment year: the same commune in
/// several years is panel data, the same commune twice in one year is `duplicate-code`.
#[derive(Debug, Default)]
pub struct Seen {
    first: FxHashMap<(Box<str>, i32), (usize, u64)>,
    files: Vec<String>,
}

impl Seen {
    /// Record `code` in `year` at `line` of file `input`; where it was first seen, as
    /// `path:line`, if it was.
    fn first(&mut self, code: &str, year: i32, input: usize, line: u64) -> Option<String> {
        let key = (units::code_key(code).into_owned().into_boxed_str(), year);
        match self.first.get(&key) {
            Some(&(i, l)) => Some(match self.files.get(i) {
                Some(path) => format!("{path}:{l}"),
                None => format!("line {l}"),
            }),
            None => {
                self.first.insert(key, (input, line));
                None
            }
        }
    }

    fn file(&mut self, input: usize, path: &str) {
        if self.files.len() <= input {
            self.files.resize(input + 1, String::new());
        }
        self.files[input] = path.to_string();
    }
}

/// What a percent column held, for the scale checks (`percent-as-fraction`,
/// `mixed-percent-scale`): among the cells written without a `%` sign, the first value in
/// (0, 1] and the first above 1.
#[derive(Debug, Clone, Default)]
struct Fractions {
    /// Line and text of the first value in (0, 1].
    sample: Option<(u64, String)>,
    /// Line and text of the first value above 1: the column holds percentages.
    percentage: Option<(u64, String)>,
}

/// Memos of per-cell work that repeats across rows (issue #7): province or zone names take
/// few distinct values, and folding them for every row dominated reading. (Yes/no cells are
/// matched without folding by `coerce_bytes`.)
/// Each memo is bounded, so memory stays flat on any file.
#[derive(Default)]
struct Memo {
    provinces: FxHashMap<Box<str>, Lookup>,
    zones: FxHashMap<Box<str>, ZoneMatch>,
    /// Official-list warnings of this file so far: unknown codes, name mismatches.
    unit_warnings: [usize; 2],
}

/// Official-list warnings kept per file and kind; the rest are counted in one warning, so a
/// file of non-official codes does not hold a warning per row in memory (issue #7).
pub const UNIT_WARNING_LIMIT: usize = 100;

/// Entries kept per memo; past this, cells are worked out afresh.
const MEMO_LIMIT: usize = 4096;

fn memo<V: Clone>(map: &mut FxHashMap<Box<str>, V>, key: &str, f: impl FnOnce() -> V) -> V {
    if let Some(v) = map.get(key) {
        return v.clone();
    }
    let v = f();
    if map.len() < MEMO_LIMIT {
        map.insert(key.into(), v.clone());
    }
    v
}

/// [`nfc`] without the allocation-heavy pass when the text is already composed.
fn nfc_fast(s: &str) -> String {
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        s.to_string()
    } else {
        nfc(s)
    }
}

struct RowCtx<'a> {
    path: &'a str,
    line: u64,
    headers: &'a [String],
    diags: &'a mut Vec<Diagnostic>,
    ok: bool,
    lenient: bool,
    notes: Vec<Note>,
    memo: &'a mut Memo,
    fractions: &'a mut [Fractions],
}

impl RowCtx<'_> {
    fn header(&self, col: usize) -> &str {
        self.headers.get(col).map_or("", String::as_str)
    }

    /// A bad cell that rules out the row (a year, a zone).
    fn cell_error(&mut self, code: &'static str, col: usize, value: &str, expected: &str) {
        let header = self.header(col).to_string();
        self.diags.push(
            Diagnostic::error(
                code,
                format!(
                    "column {} `{}`: `{}` is not valid",
                    col + 1,
                    echo(&header),
                    echo(value)
                ),
            )
            .at(self.path, Some(self.line), Some(col as u64 + 1))
            .cell(&header, value)
            .help(format!("expected {expected}")),
        );
        self.ok = false;
    }

    /// A problem `--lenient` turns into no data: an error, or a warning and a note. `msg`
    /// says what is wrong. True when lenient (the caller reads the data as none).
    fn cell_problem(
        &mut self,
        code: &'static str,
        col: usize,
        value: &str,
        msg: &str,
        expected: &str,
    ) -> bool {
        let header = self.header(col).to_string();
        let at = |d: Diagnostic| {
            d.at(self.path, Some(self.line), Some(col as u64 + 1))
                .cell(&header, value)
                .help(format!("expected {expected}"))
        };
        let msg = format!("column {} `{}`: {msg}", col + 1, echo(&header));
        if !self.lenient {
            self.diags.push(at(Diagnostic::error(code, msg)));
            self.ok = false;
            return false;
        }
        let what = if code == "duplicate-code" {
            "every measure of this row"
        } else {
            "the cell"
        };
        self.diags.push(at(Diagnostic::warning(
            code,
            format!("{msg}; {what} is read as no data (--lenient)"),
        )));
        self.notes.push(Note {
            code,
            column: Some(header.clone()),
            value: crate::text::clip(value, crate::diag::CELL_CHARS).into_owned(),
            message: format!("{msg}; {what} is read as no data: expected {expected}"),
        });
        true
    }

    /// A problem with the whole row: an error, or under `--lenient` a warning and a note.
    fn row_problem(&mut self, code: &'static str, msg: &str, help: &str) {
        if !self.lenient {
            self.diags.push(
                Diagnostic::error(code, msg)
                    .at(self.path, Some(self.line), None)
                    .help(help),
            );
            self.ok = false;
            return;
        }
        self.diags.push(
            Diagnostic::warning(
                code,
                format!("{msg}; every measure of this row is read as no data (--lenient)"),
            )
            .at(self.path, Some(self.line), None)
            .help(help),
        );
        self.notes.push(Note {
            code,
            column: None,
            value: String::new(),
            message: format!("{msg}; every measure of this row is read as no data"),
        });
    }
}

#[allow(clippy::too_many_arguments)]
fn read_row(
    rec: &Record,
    cols: &Columns,
    zone_col: Option<usize>,
    rs: &Ruleset,
    opts: &ReadOptions,
    input: usize,
    shifted: bool,
    cx: &mut RowCtx<'_>,
) -> Row {
    let text = |c: Option<usize>| -> Option<String> {
        c.and_then(|c| rec.get(c))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(nfc_fast)
    };
    let numbers = opts.numbers();
    let mut values = Vec::with_capacity(cols.measures.len());
    for (mi, col) in cols.measures.iter().enumerate() {
        let Some(col) = col.filter(|_| !shifted) else {
            values.push(None);
            continue;
        };
        let cell = rec.bytes(col).unwrap_or(b"");
        if cell.is_empty() {
            // No data, as `coerce` reads it, without the call.
            values.push(None);
            continue;
        }
        let kind = rs.measures[mi].kind;
        match coerce_bytes(cell, kind, numbers) {
            Ok(v) => {
                if kind == MeasureKind::Percent && !opts.fraction_percent {
                    track_fraction(&mut cx.fractions[mi], cx.line, cell, v);
                }
                values.push(v);
            }
            Err(e) => {
                let value = std::str::from_utf8(cell).unwrap_or("").trim();
                let msg = if e.code == "ambiguous-number" {
                    format!("`{}` reads two ways", echo(value))
                } else {
                    format!("`{}` is not valid", echo(value))
                };
                cx.cell_problem(e.code, col, value, &msg, &e.expected);
                values.push(None);
            }
        }
    }
    overrides(rec, cols, rs, &values, cx);
    let (year, year_from) = year(rec, cols, rs, opts, cx);
    let province = text(cols.ident(Ident::Province));
    let (zone, zone_from) = zone(rec, zone_col, cols, province.as_deref(), rs, opts, cx);
    let code = text(cols.ident(Ident::Code));
    let name = text(cols.ident(Ident::Name));
    if let (Some(c), Some(col)) = (code.as_deref(), cols.ident(Ident::Code)) {
        check_unit(c, name.as_deref(), cols, opts.province_set, col, cx);
    }
    Row {
        input,
        line: cx.line,
        code,
        name,
        district: text(cols.ident(Ident::District)),
        province,
        zone,
        zone_from,
        year,
        year_from,
        values,
        kept: Vec::new(),
        notes: Vec::new(),
    }
}

fn track_fraction(f: &mut Fractions, line: u64, cell: &[u8], v: Option<Value>) {
    let Some(Value::Num(n)) = v else {
        return;
    };
    if f.percentage.is_some() && f.sample.is_some() {
        return;
    }
    // A `%` sign makes a cell explicit: it counts neither way.
    let cell = std::str::from_utf8(cell).unwrap_or("").trim();
    if cell.ends_with('%') {
        return;
    }
    if n > Decimal::ONE {
        if f.percentage.is_none() {
            f.percentage = Some((line, cell.to_string()));
        }
    } else if n > Decimal::ZERO && f.sample.is_none() {
        f.sample = Some((line, cell.to_string()));
    }
}

/// A fraction's text as the percentage it would be: `0.85` → `85`, `1` → `100`, moving the
/// decimal point (either mark) two places without rounding.
fn fraction_as_percentage(text: &str) -> String {
    let mark = if text.contains(',') { ',' } else { '.' };
    let (int, frac) = text.split_once(mark).unwrap_or((text, ""));
    let frac = format!("{frac:0<2}");
    let (moved, rest) = frac.split_at(2);
    let int = format!("{int}{moved}");
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    match rest.trim_end_matches('0') {
        "" => int.to_string(),
        rest => format!("{int}{mark}{rest}"),
    }
}

/// Warn when a commune code is not in the official list, or names another commune.
fn check_unit(
    code: &str,
    name: Option<&str>,
    cols: &Columns,
    set: ProvinceSet,
    col: usize,
    cx: &mut RowCtx<'_>,
) {
    let list = units::label(set);
    let check = units::check(set, code, name);
    let kind = match check {
        units::Check::Ok => return,
        units::Check::UnknownCode { .. } => 0,
        units::Check::NameMismatch { .. } => 1,
    };
    cx.memo.unit_warnings[kind] += 1;
    if cx.memo.unit_warnings[kind] > UNIT_WARNING_LIMIT {
        return;
    }
    let warning = match check {
        units::Check::Ok => return,
        units::Check::UnknownCode { other } => {
            let mut d = Diagnostic::warning(
                "unknown-commune-code",
                format!(
                    "column {} `{}`: `{}` is not a commune code of the official {list}",
                    col + 1,
                    echo(cx.header(col)),
                    echo(code)
                ),
            )
            .at(cx.path, Some(cx.line), Some(col as u64 + 1))
            .cell(cx.header(col), code);
            if let Some(other) = other {
                d = d.help(format!(
                    "it is `{other}` in the other list: see --province-set"
                ));
            }
            d
        }
        units::Check::NameMismatch { official } => {
            let ncol = cols.ident(Ident::Name).unwrap_or(col);
            let name = name.unwrap_or("");
            Diagnostic::warning(
                "commune-name-mismatch",
                format!(
                    "column {} `{}`: `{}` is not the name of commune `{}`, which is `{official}` in the official {list}",
                    ncol + 1,
                    echo(cx.header(ncol)),
                    echo(name),
                    echo(code)
                ),
            )
            .at(cx.path, Some(cx.line), Some(ncol as u64 + 1))
            .cell(cx.header(ncol), name)
            .help("check the code and the name; codes are the General Statistics Office's")
        }
    };
    cx.diags.push(warning);
}

/// `conflicting-overrides`: the row sets the flags of overrides that move it to different
/// zones. Which zone applies is not guessed from their order; overrides that agree on the
/// zone (318/QĐ-TTg's two both name NMM) are fine.
fn overrides(
    rec: &Record,
    cols: &Columns,
    rs: &Ruleset,
    values: &[Option<Value>],
    cx: &mut RowCtx<'_>,
) {
    let mut set = rs
        .overrides
        .iter()
        .filter(|o| values.get(o.measure) == Some(&Some(Value::Bool(true))));
    let Some(first) = set.next() else {
        return;
    };
    let Some(other) = set.find(|o| o.zone != first.zone) else {
        return;
    };
    let Some(col) = cols.measures.get(other.measure).copied().flatten() else {
        return;
    };
    let cell = rec.get(col).unwrap_or("").trim().to_string();
    let flag = |o: &crate::ruleset::model::Override| {
        let header = cols.measures[o.measure]
            .map_or("", |c| cx.header(c))
            .to_string();
        format!(
            "`{header}` (override `{}`, zone `{}`)",
            o.id, rs.zones[o.zone].id
        )
    };
    let expected = format!(
        "at most one zone override per row: {} and {} are both set and name different zones",
        flag(first),
        flag(other)
    );
    cx.cell_error("conflicting-overrides", col, &cell, &expected);
}

fn year(
    rec: &Record,
    cols: &Columns,
    rs: &Ruleset,
    opts: &ReadOptions,
    cx: &mut RowCtx<'_>,
) -> (i32, YearFrom) {
    if let Some(y) = opts.year {
        return (y, YearFrom::Flag);
    }
    let Some(col) = cols.ident(Ident::Year) else {
        return (rs.period.1, YearFrom::PeriodEnd);
    };
    let cell = rec.get(col).unwrap_or("").trim();
    if cell.is_empty() {
        return (rs.period.1, YearFrom::PeriodEnd);
    }
    match cell.parse::<i32>() {
        Ok(y) if (1900..=2100).contains(&y) => {
            if !opts.allow_out_of_period && (y < rs.period.0 || y > rs.period.1) {
                let expected = format!(
                    "a year of the ruleset's period {}–{} (or --allow-out-of-period)",
                    rs.period.0, rs.period.1
                );
                cx.cell_error("year-outside-period", col, cell, &expected);
            }
            (y, YearFrom::Column)
        }
        _ => {
            cx.cell_error("not-a-year", col, cell, "a year such as `2025`");
            (rs.period.1, YearFrom::Column)
        }
    }
}

fn zone(
    rec: &Record,
    zone_col: Option<usize>,
    cols: &Columns,
    province: Option<&str>,
    rs: &Ruleset,
    opts: &ReadOptions,
    cx: &mut RowCtx<'_>,
) -> (usize, ZoneFrom) {
    if let Some(col) = zone_col {
        let cell = rec.get(col).unwrap_or("").trim();
        if !cell.is_empty() {
            let found = memo(&mut cx.memo.zones, cell, || rs.match_zone(cell));
            match found {
                ZoneMatch::Found(z) => return (z, ZoneFrom::Column),
                ZoneMatch::Ambiguous(zones) => {
                    let names: Vec<String> = zones
                        .iter()
                        .map(|&z| {
                            let zone = &rs.zones[z];
                            let close: Vec<&str> = zone
                                .spellings()
                                .filter(|s| crate::text::fold(s) == crate::text::fold(cell))
                                .collect();
                            format!("`{}` (`{}`)", zone.id, close.join("`, `"))
                        })
                        .collect();
                    let expected = format!(
                        "one zone, spelled exactly: `{cell}` matches {} once diacritics are ignored",
                        names.join(" and ")
                    );
                    cx.cell_error("ambiguous-zone", col, cell, &expected);
                    return (0, ZoneFrom::Column);
                }
                ZoneMatch::Unknown => {}
            }
            let ids: Vec<&str> = rs.zones.iter().map(|z| z.id.as_str()).collect();
            let expected = format!("one of `{}` (or a zone name or alias)", ids.join("`, `"));
            cx.cell_error("unknown-zone", col, cell, &expected);
            return (0, ZoneFrom::Column);
        }
    }
    let pcol = cols.ident(Ident::Province);
    match (rs.zoning, province, pcol) {
        (crate::ruleset::model::Zoning::Region, Some(p), Some(pcol)) => {
            match memo(&mut cx.memo.provinces, p, || lookup(opts.province_set, p)) {
                Lookup::Region(code) => match rs.zone_index(&code) {
                    Some(z) => (z, ZoneFrom::Province),
                    None => {
                        cx.cell_error(
                            "unknown-zone",
                            pcol,
                            p,
                            &format!(
                                "a province of a region the ruleset declares (`{code}` is not)"
                            ),
                        );
                        (0, ZoneFrom::Province)
                    }
                },
                Lookup::Ambiguous(why) => {
                    cx.cell_error(
                        "ambiguous-province",
                        pcol,
                        p,
                        &format!("a `region` column for this row: {why}"),
                    );
                    (0, ZoneFrom::Province)
                }
                Lookup::Unknown => {
                    let set = match opts.province_set {
                        ProvinceSet::Y2024 => {
                            "the 63 provinces before July 2025 (see --province-set)"
                        }
                        ProvinceSet::Y2025 => {
                            "the 34 provinces from July 2025 (see --province-set)"
                        }
                    };
                    cx.cell_error(
                        "unknown-province",
                        pcol,
                        p,
                        &format!("a province name or code of {set}"),
                    );
                    (0, ZoneFrom::Province)
                }
            }
        }
        _ => {
            let col = zone_col.or(pcol).unwrap_or(0);
            let what = rs.zoning.column();
            cx.cell_error(
                "missing-zone",
                col,
                "",
                &format!("the commune's {what} (the cell is empty)"),
            );
            (0, ZoneFrom::Column)
        }
    }
}

/// Every cell of the record is empty or whitespace (as `str::trim` sees it). Cells are looked
/// at as bytes: an ASCII letter or digit settles it at once, and only a cell of nothing but
/// whitespace and non-ASCII bytes is read as text.
fn is_blank(rec: &Record) -> bool {
    (0..rec.len()).all(|i| {
        let cell = rec.bytes(i).unwrap_or_default();
        if cell.iter().any(|&b| b.is_ascii() && !is_space(b)) {
            return false;
        }
        cell.iter().all(|&b| is_space(b)) || rec.get(i).is_none_or(|c| c.trim().is_empty())
    })
}

/// Rows searched for a header close to a measure's name (a header sits near the top).
const NEAR_ROWS: usize = 3;

fn header_not_found(path: &str, rs: &Ruleset, seen: usize, near: Option<&str>) -> Diagnostic {
    Diagnostic::error(
        "header-not-found",
        format!(
            "no header: none of the first {seen} non-empty row(s) names a measure of ruleset `{}`",
            rs.id
        ),
    )
    .at(path, None, None)
    .help(format!(
        "{}headers must be measure ids, labels or aliases (`ntm rules show` lists them); \
         if the header is further down, pass --header-row N",
        near.map(|n| format!("{n}; ")).unwrap_or_default()
    ))
}

fn wrong_field_count(path: &str, line: u64, len: usize, expected: usize) -> Diagnostic {
    Diagnostic::error(
        "wrong-field-count",
        format!("the row has {len} fields, the header has {expected}"),
    )
    .at(path, Some(line), None)
    .help(field_count_help(expected))
}

fn field_count_help(expected: usize) -> String {
    format!(
        "expected {expected} fields, as in the header (a cell containing the delimiter must be quoted)"
    )
}

/// `invalid-utf8`: field `field` (from 0) of the record at `pos` is invalid from its byte
/// `valid_up_to` (from 0) on.
fn invalid_utf8(
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

fn csv_error(e: &csv::Error, path: &str) -> Diagnostic {
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

#[cfg(test)]
mod tests;
