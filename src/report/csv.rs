//! CSV output of `evaluate`: one row per commune, the header on the first line.
//!
//! Plain CSV, read by Excel, pandas or Python's `csv.DictReader` with no option: the
//! provenance goes to `--meta FILE` (JSON). Under `--csv-comments` it also comes first as `#`
//! lines ([`write_provenance`]; skip them with `pandas.read_csv(..., comment="#")`). Text from
//! the input is neutralised for spreadsheets ([`excel_safe`]). A row is written from the
//! commune's record ([`CsvSink::write`]) or, the same bytes, straight from its row and outcome
//! ([`CsvSink::write_evaluated`], what `evaluate` does without `--closest`). Also the
//! `--errors-out` file ([`write_errors_csv`]).

use std::borrow::Cow;
use std::io::Write;

use super::cell;
use crate::data::coerce::Value;
use crate::data::read::{Note, Row, ZoneFrom};
use crate::diag::{Diagnostic, Severity};
use crate::eval::{Outcome, Status};
use crate::record::{BorderlineRecord, CommuneRecord, Meta, ToNext, required_into, value_out};
use crate::ruleset::Ruleset;
use crate::ruleset::model::Test;
use crate::text::escape_controls;

/// The UTF-8 byte-order mark `--bom` writes first, for Excel.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Text from the input or a ruleset as a CSV cell: the one function every CSV that ntm writes
/// (evaluate, long, summary, `--errors-out`, template) passes its text through.
///
/// Control characters are first written as visible escapes ([`escape_controls`]: `\u{1b}`,
/// `\n`), so a cell never carries an ESC sequence to a terminal that shows the file. Then a
/// cell starting with `=`, `+`, `-` or `@` (OWASP's CSV injection list; a leading tab or
/// carriage return is already an escape by then) is a formula to Excel, so it gets a
/// leading `'` (shown as text, not as part of the value). A number (`-5`, `+1,5`) is left as
/// it is.
pub fn excel_safe(s: &str) -> Cow<'_, str> {
    if plain_text(s.as_bytes()) {
        return Cow::Borrowed(s);
    }
    match escape_controls(s) {
        Cow::Borrowed(s) => neutralise(s),
        Cow::Owned(e) => Cow::Owned(neutralise(&e).into_owned()),
    }
}

/// Bytes that may start something [`excel_safe`] or a CSV field changes: the bytes that
/// start a character `escape_controls` escapes (a C0 control or DEL, `C2`, `D8`, `E2`, `EF`:
/// see `text::first_escaped`), the comma and the quote.
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = true;
        b += 1;
    }
    t[0x7f] = true;
    t[0xc2] = true;
    t[0xd8] = true;
    t[0xe2] = true;
    t[0xef] = true;
    t[b',' as usize] = true;
    t[b'"' as usize] = true;
    t
};

/// Whether `s` is written as it is both by [`excel_safe`] and as a CSV field: no byte of
/// [`SPECIAL`], and no formula-leading first byte. One pass over the bytes (issue #14); text
/// that fails it takes the general way, which decides exactly.
fn plain_text(s: &[u8]) -> bool {
    !matches!(s.first(), Some(b'=' | b'+' | b'-' | b'@')) && !s.iter().any(|&b| SPECIAL[b as usize])
}

/// Append `s` as a CSV field after [`excel_safe`]: what `push_csv_field(out,
/// excel_safe(s))` appends, in one pass over text that needs neither (the usual case).
pub(crate) fn push_text_field(out: &mut Vec<u8>, s: &str) {
    if plain_text(s.as_bytes()) {
        out.extend_from_slice(s.as_bytes());
    } else {
        cell::push_csv_field(out, excel_safe(s).as_bytes());
    }
}

/// A `'` before a formula-leading cell that is not a number.
fn neutralise(s: &str) -> Cow<'_, str> {
    if formula_leading(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Whether a spreadsheet would take `s` for a formula: it starts with `=`, `+`, `-`, `@`, a
/// tab or a carriage return, and is not a number (`-5`, `+1,5`). CSV cells then get a
/// leading `'` ([`excel_safe`]); xlsx cells a quote prefix (`report::xlsx`).
pub fn formula_leading(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r') {
        return false;
    }
    let rest = &s[first.len_utf8()..];
    let number = matches!(first, '+' | '-')
        && rest.bytes().any(|b| b.is_ascii_digit())
        && rest
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',');
    !number
}

/// The notes of a commune in one cell: `code column `value`: message; …`.
pub fn notes_cell(notes: &[Note]) -> String {
    let mut out = String::new();
    for n in notes {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(n.code);
        out.push_str(": ");
        out.push_str(&n.message);
    }
    out
}

/// What `MissingIndicator::describe_into` appends for one indicator but for the value found,
/// known from the ruleset, the zone and the year alone (the threshold and its verification):
/// written once per (zone, year) and copied for every commune (issue #14). Each is one
/// piece where it was several, so a row's detail is assembled in fewer copies.
#[derive(Debug)]
struct Phrases {
    /// `; level:indicator measure ` (the separator before it and the space after it).
    lead: String,
    /// What follows `lead` when there is no value: `no data (needs yes) (RRD, 2025)`.
    no_data: String,
    /// What follows the value: ` < 66 required (RRD, 2025)`, `, needs yes [unverified]`.
    after_value: String,
    /// `yes` and `no`, each followed by `after_value`: what follows `lead` for a yes/no
    /// value.
    after_yes: String,
    after_no: String,
    /// What each of `lead` (its `level:indicator measure`), `no_data` and `after_value`
    /// needs in a CSV field (`; `, a space, `yes` and `no` need nothing).
    head_q: cell::Quoting,
    no_data_q: cell::Quoting,
    after_value_q: cell::Quoting,
}

/// The separator `lead` starts with, left out before a row's first indicator.
const LEAD_SEPARATOR: usize = "; ".len();

/// The [`Phrases`] of every indicator of a ruleset for one zone and year, in ruleset order,
/// and the cells of a row that are known from the ruleset and the zone alone.
#[derive(Debug)]
struct Phrasebook {
    /// The ruleset's address: a book is never used with another ruleset.
    rs: usize,
    zone: usize,
    year: i32,
    phrases: Vec<Phrases>,
    /// Index in `phrases` of each level's first indicator.
    starts: Vec<usize>,
    /// `level:criterion` of every criterion, in ruleset order, and what it needs in a CSV
    /// field.
    criteria: Vec<(String, cell::Quoting)>,
    /// Index in `criteria` of each level's first criterion.
    criteria_starts: Vec<usize>,
    /// The `zone` and `zone_source` fields of a row, each followed by its comma: for a zone
    /// from the column, from the province, then from each override ([`Phrasebook::zone_cells`]).
    zone_cells: Vec<Vec<u8>>,
    /// The `level` and `next_level` fields, each followed by its comma, for every pair of
    /// levels (none, then each level; [`Phrasebook::level_cells`]).
    level_cells: Vec<Vec<u8>>,
}

/// At most this many phrasebooks are kept by a sink (as `eval::Evaluator` keeps its plans).
pub(crate) const BOOKS: usize = 32;

/// `f` as a CSV field (not [`excel_safe`]: ruleset ids, as `CsvSink::write` writes them)
/// followed by its comma.
fn field_cell(out: &mut Vec<u8>, f: &str) {
    cell::push_csv_field(out, f.as_bytes());
    out.push(b',');
}

impl Phrasebook {
    fn new(rs: &Ruleset, zone: usize, year: i32) -> Self {
        let zone_id = rs.zones[zone].id.as_str();
        let mut phrases = Vec::with_capacity(rs.indicator_count());
        let mut starts = Vec::with_capacity(rs.levels.len());
        let mut criteria = Vec::new();
        let mut criteria_starts = Vec::with_capacity(rs.levels.len());
        for (li, level) in rs.levels.iter().enumerate() {
            starts.push(phrases.len());
            criteria_starts.push(criteria.len());
            for crit in &level.criteria {
                let mut q = cell::Quoting::of(&level.id);
                q.add(cell::Quoting::of(&crit.id));
                criteria.push((format!("{}:{}", level.id, crit.id), q));
            }
            for at in rs.walk_level(li) {
                let ind = at.indicator;
                let (threshold, verified) = rs.resolve(at.r, zone, year);
                let value = threshold.map(|t| t.value);
                let mut tail = String::new();
                if let Some(t) = threshold {
                    tail.push_str(" (");
                    tail.push_str(zone_id);
                    if let Some(y) = t.from {
                        tail.push_str(", ");
                        cell::push_int(&mut tail, y);
                    }
                    tail.push(')');
                }
                if !verified {
                    tail.push_str(" [unverified]");
                }
                let mut head = String::new();
                head.push_str(&level.id);
                head.push(':');
                head.push_str(&ind.id);
                head.push(' ');
                head.push_str(&rs.measures[ind.measure].id);
                let mut no_data = String::from("no data (needs ");
                required_into(&ind.test, value, &mut no_data);
                no_data.push(')');
                no_data.push_str(&tail);
                let mut after_value = String::new();
                match (&ind.test, value) {
                    (Test::Compare(op, _), Some(t)) => {
                        after_value.push(' ');
                        after_value.push_str(op.negated_str());
                        after_value.push(' ');
                        cell::push_decimal(&mut after_value, t.normalize());
                        after_value.push_str(" required");
                    }
                    _ => {
                        after_value.push_str(", needs ");
                        required_into(&ind.test, value, &mut after_value);
                    }
                }
                after_value.push_str(&tail);
                phrases.push(Phrases {
                    lead: format!("; {head} "),
                    head_q: cell::Quoting::of(&head),
                    no_data_q: cell::Quoting::of(&no_data),
                    after_value_q: cell::Quoting::of(&after_value),
                    after_yes: format!("yes{after_value}"),
                    after_no: format!("no{after_value}"),
                    no_data,
                    after_value,
                });
            }
        }
        let mut zone_cells = Vec::with_capacity(2 + rs.overrides.len());
        let sources = ["column".to_string(), "province".to_string()]
            .into_iter()
            .chain(rs.overrides.iter().map(|o| format!("override:{}", o.id)));
        for source in sources {
            let mut cells = Vec::new();
            field_cell(&mut cells, zone_id);
            field_cell(&mut cells, &source);
            zone_cells.push(cells);
        }
        let ids = || std::iter::once("").chain(rs.levels.iter().map(|l| l.id.as_str()));
        let mut level_cells = Vec::with_capacity((rs.levels.len() + 1).pow(2));
        for level in ids() {
            for next in ids() {
                let mut cells = Vec::new();
                field_cell(&mut cells, level);
                field_cell(&mut cells, next);
                level_cells.push(cells);
            }
        }
        Phrasebook {
            rs: std::ptr::from_ref(rs) as usize,
            zone,
            year,
            phrases,
            starts,
            criteria,
            criteria_starts,
            zone_cells,
            level_cells,
        }
    }

    /// The `zone` and `zone_source` fields of a commune of this book's zone, as
    /// `zone_source_into` names its source.
    fn zone_cells(&self, outcome: &Outcome, row: &Row) -> Option<&[u8]> {
        let i = match (outcome.overridden_by, row.zone_from) {
            (Some(o), _) => 2 + o,
            (None, ZoneFrom::Column) => 0,
            (None, ZoneFrom::Province) => 1,
        };
        self.zone_cells.get(i).map(Vec::as_slice)
    }

    /// The `level` and `next_level` fields of `outcome`.
    fn level_cells(&self, outcome: &Outcome) -> Option<&[u8]> {
        let n = self.criteria_starts.len() + 1;
        let at = |l: Option<usize>| l.map_or(0, |l| l + 1);
        self.level_cells
            .get(at(outcome.level) * n + at(outcome.next_level))
            .map(Vec::as_slice)
    }
}

/// What describes missing indicators, per zone and year, for rows written from their
/// outcomes: the phrases of [`CsvSink::write_evaluated`] and the JSON fragments of
/// `json_evaluated`. Keep one per thread for the run (a book costs as much as writing a few
/// dozen rows).
#[derive(Debug, Default)]
pub struct Phrasebooks {
    books: Shelf<Phrasebook>,
    /// The JSON fragments (`--format json` and `ndjson`).
    pub(crate) json: super::json_evaluated::JsonBooks,
    /// The most bytes a commune took, on average over one of this thread's batches: what
    /// the next batch reserves for (`Shape::render`).
    pub(crate) row_bytes: usize,
}

impl Phrasebooks {
    /// The book of `rs` for (zone, year), written now if it is not kept.
    fn get(&mut self, rs: &Ruleset, zone: usize, year: i32) -> &Phrasebook {
        let key = std::ptr::from_ref(rs) as usize;
        self.books.get(
            |b| b.rs == key && b.zone == zone && b.year == year,
            || Phrasebook::new(rs, zone, year),
        )
    }
}

/// At most [`BOOKS`] books, kept from one commune to the next: the one used last is looked
/// at first (consecutive communes mostly share zone and year), and once full a new book
/// replaces the one after it, round robin.
#[derive(Debug)]
pub(crate) struct Shelf<B> {
    books: Vec<B>,
    last: usize,
}

impl<B> Default for Shelf<B> {
    fn default() -> Self {
        Shelf {
            books: Vec::new(),
            last: 0,
        }
    }
}

impl<B> Shelf<B> {
    /// The book `hit` finds, or the one `make` writes now.
    pub(crate) fn get(&mut self, hit: impl Fn(&B) -> bool, make: impl FnOnce() -> B) -> &B {
        if !self.books.get(self.last).is_some_and(&hit) {
            self.last = match self.books.iter().position(&hit) {
                Some(i) => i,
                None => {
                    let book = make();
                    if self.books.len() < BOOKS {
                        self.books.push(book);
                        self.books.len() - 1
                    } else {
                        let i = (self.last + 1) % BOOKS;
                        self.books[i] = book;
                        i
                    }
                }
            };
        }
        &self.books[self.last]
    }
}

/// Column names, in order.
pub const HEADER: [&str; 24] = [
    "row",
    "file",
    "line",
    "code",
    "name",
    "district",
    "province",
    "zone",
    "zone_source",
    "year",
    "level",
    "next_level",
    "criteria_met",
    "criteria_total",
    "indicators_met",
    "indicators_total",
    "unverified",
    "missing_criteria",
    "missing_detail",
    "borderline",
    "to_next_indicators",
    "to_next_no_data",
    "to_next_shortfall_pct",
    "notes",
];

/// CSV output, one commune at a time (issue #7): the header is written by [`write_csv_head`].
///
/// Rows are assembled in a buffer kept from row to row, field by field as the `csv` crate
/// would write them (`cell::push_csv_field`), and handed to the writer in blocks.
pub struct CsvSink<'w> {
    rows: cell::Blocks<'w>,
    scratch: Scratch,
}

/// The text of a row's composite cells, kept from row to row so writing allocates nothing.
#[derive(Default)]
struct Scratch {
    missing: String,
    detail: String,
    borderline: String,
    num: String,
    /// The zone source of a commune written from its outcome.
    zone_source: String,
    /// The input file last written, and its field (the same for a whole batch).
    file: String,
    file_field: Vec<u8>,
    /// The district and province last written, and their fields (each followed by its
    /// comma): they repeat for long runs of rows.
    place: [String; 2],
    place_fields: Vec<u8>,
}

/// One evaluated commune, for [`CsvSink::write_evaluated`] and `json_evaluated`: what its
/// [`CommuneRecord`] is built from.
pub struct Evaluated<'a> {
    /// The ruleset it was evaluated against.
    pub rs: &'a Ruleset,
    /// 1-based position in the output.
    pub position: usize,
    /// Input file, as shown.
    pub file: &'a str,
    /// The row read.
    pub row: &'a Row,
    /// Its outcome.
    pub outcome: &'a Outcome,
    /// `--all-levels`.
    pub all_levels: bool,
    /// Its borderline indicators (`--margin`).
    pub borderline: &'a [BorderlineRecord],
}

/// An optional text from the input, neutralised for spreadsheets.
fn text(s: &Option<String>) -> Cow<'_, str> {
    excel_safe(s.as_deref().unwrap_or(""))
}

impl<'w> CsvSink<'w> {
    /// Rows only: for a body written before its head is known (see [`write_csv_head`]).
    pub fn body(out: &'w mut dyn Write) -> Self {
        CsvSink {
            rows: cell::Blocks::new(out),
            scratch: Scratch::default(),
        }
    }

    /// [`body`](Self::body) appended to `out` in place, without a buffer of its own: `out`
    /// holds the rows once [`finish`](Self::finish) runs.
    pub fn in_vec(out: &'w mut Vec<u8>) -> Self {
        CsvSink {
            rows: cell::Blocks::in_vec(out),
            scratch: Scratch::default(),
        }
    }
}

/// The head of CSV output: the header row, after the `#` provenance lines of `comments`
/// (`--csv-comments`) when given.
pub fn write_csv_head(out: &mut dyn Write, comments: Option<&Meta>) -> anyhow::Result<()> {
    if let Some(meta) = comments {
        write_provenance(out, meta)?;
    }
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    w.flush()?;
    Ok(())
}

/// The `#` provenance lines a CSV output starts with under `--csv-comments` (the `csv` and
/// `long` formats, and `summary`'s CSV).
pub fn write_provenance(out: &mut dyn Write, meta: &Meta) -> anyhow::Result<()> {
    let chosen = match &meta.ruleset_chosen_by {
        Some(by) => format!(", chosen by {by}"),
        None => String::new(),
    };
    writeln!(
        out,
        "# ntm {} ruleset {} sha256 {} ({}{})",
        meta.ntm_version,
        escape_controls(&meta.ruleset_id),
        meta.ruleset_sha256,
        escape_controls(&meta.ruleset_source),
        escape_controls(&chosen)
    )?;
    for i in &meta.inputs {
        // A newline in a path would start a data row.
        writeln!(
            out,
            "# input {} sha256 {} rows {}",
            escape_controls(&i.path),
            i.sha256,
            i.rows
        )?;
    }
    writeln!(
        out,
        "# communes {} unverified_verdicts {} notes {}",
        meta.communes, meta.unverified_verdicts, meta.notes
    )?;
    Ok(())
}

impl CsvSink<'_> {
    /// Write one commune's row straight from its row and outcome: the bytes [`write`] writes
    /// for the record `CommuneRecord::new` builds of it, without building it (issue #14: the
    /// record's strings, copied and then copied again into the row, were a third of the
    /// cost of writing). `phrasebooks` keeps what describes missing indicators from one
    /// call to the next.
    ///
    /// [`write`]: CsvSink::write
    pub fn write_evaluated(
        &mut self,
        e: &Evaluated<'_>,
        phrasebooks: &mut Phrasebooks,
    ) -> anyhow::Result<()> {
        let Evaluated {
            rs,
            position,
            file,
            row,
            outcome,
            all_levels,
            borderline: borderlines,
        } = *e;
        let Scratch {
            missing,
            detail,
            borderline,
            num,
            zone_source,
            file: last_file,
            file_field,
            place,
            place_fields,
        } = &mut self.scratch;
        missing.clear();
        detail.clear();
        let book = phrasebooks.get(rs, outcome.zone, row.year);
        // What the two fields need in CSV, from the needs of their pieces (issue #14);
        // `None` once a piece's needs are not known.
        let mut missing_q = Some(cell::Quoting::default());
        let mut detail_q = cell::Quoting::default();
        let mut write_level = |li: usize| {
            let level = &rs.levels[li];
            let mut at = book.starts.get(li).copied().unwrap_or(0);
            let crit_at = book.criteria_starts.get(li).copied().unwrap_or(0);
            for (ci, (crit, co)) in level
                .criteria
                .iter()
                .zip(&outcome.levels[li].criteria)
                .enumerate()
            {
                let first = at;
                at += crit.indicators.len();
                if co.status == Status::Pass {
                    continue;
                }
                if !missing.is_empty() {
                    missing.push(';');
                }
                match (book.criteria.get(crit_at + ci), missing_q.as_mut()) {
                    (Some((name, nq)), Some(q)) => {
                        missing.push_str(name);
                        q.add(*nq);
                    }
                    _ => {
                        missing.push_str(&level.id);
                        missing.push(':');
                        missing.push_str(&crit.id);
                        missing_q = None;
                    }
                }
                let phrases = book.phrases.get(first..at).unwrap_or_default();
                for ((ind, io), p) in crit.indicators.iter().zip(&co.indicators).zip(phrases) {
                    if io.status == Status::Pass {
                        continue;
                    }
                    // `; ` only between indicators.
                    let skip = if detail.is_empty() { LEAD_SEPARATOR } else { 0 };
                    detail.push_str(p.lead.get(skip..).unwrap_or_default());
                    detail_q.add(p.head_q);
                    // A value is digits, `-`, `.`, `yes` or `no`: nothing a CSV field quotes.
                    match row.values.get(ind.measure).copied().flatten() {
                        None => {
                            detail.push_str(&p.no_data);
                            detail_q.add(p.no_data_q);
                        }
                        Some(Value::Bool(yes)) => {
                            detail.push_str(if yes { &p.after_yes } else { &p.after_no });
                            detail_q.add(p.after_value_q);
                        }
                        Some(v) => {
                            value_out(v).push_to(detail);
                            detail.push_str(&p.after_value);
                            detail_q.add(p.after_value_q);
                        }
                    }
                }
            }
        };
        if all_levels {
            for (li, l) in outcome.levels.iter().enumerate().take(rs.levels.len()) {
                if !l.reached {
                    write_level(li);
                }
            }
        } else if let Some(li) = outcome.next_level {
            write_level(li);
        }
        borderline.clear();
        for (i, b) in borderlines.iter().enumerate() {
            if i > 0 {
                borderline.push_str("; ");
            }
            b.describe_into(borderline);
        }
        num.clear();
        match crate::margin::closeness(rs, outcome, &row.values).map(ToNext::new) {
            Some(t) => {
                cell::push_int(num, t.indicators);
                num.push(',');
                cell::push_int(num, t.no_data);
                num.push(',');
                cell::push_decimal(num, t.shortfall_pct);
            }
            None => num.push_str(",,"),
        }
        if last_file != file || file_field.is_empty() {
            last_file.clear();
            last_file.push_str(file);
            file_field.clear();
            push_text_field(file_field, file);
            file_field.push(b',');
        }
        let (district, province) = (
            row.district.as_deref().unwrap_or(""),
            row.province.as_deref().unwrap_or(""),
        );
        if place_fields.is_empty() || place[0] != district || place[1] != province {
            place[0].clear();
            place[0].push_str(district);
            place[1].clear();
            place[1].push_str(province);
            place_fields.clear();
            push_text_field(place_fields, district);
            place_fields.push(b',');
            push_text_field(place_fields, province);
            place_fields.push(b',');
        }

        let buf = &mut self.rows.buf;
        let mut int = itoa::Buffer::new();
        let field = |buf: &mut Vec<u8>, f: &str| {
            cell::push_csv_field(buf, f.as_bytes());
            buf.push(b',');
        };
        let text = |buf: &mut Vec<u8>, f: &Option<String>| {
            push_text_field(buf, f.as_deref().unwrap_or(""));
            buf.push(b',');
        };
        buf.extend_from_slice(int.format(position).as_bytes());
        buf.push(b',');
        buf.extend_from_slice(file_field);
        buf.extend_from_slice(int.format(row.line).as_bytes());
        buf.push(b',');
        text(buf, &row.code);
        text(buf, &row.name);
        buf.extend_from_slice(place_fields);
        match book.zone_cells(outcome, row) {
            Some(cells) => buf.extend_from_slice(cells),
            None => {
                field(buf, rs.zones[outcome.zone].id.as_str());
                zone_source.clear();
                crate::record::zone_source_into(rs, outcome, row, zone_source);
                field(buf, zone_source);
            }
        }
        buf.extend_from_slice(int.format(row.year).as_bytes());
        buf.push(b',');
        match book.level_cells(outcome) {
            Some(cells) => buf.extend_from_slice(cells),
            None => {
                field(buf, outcome.level.map_or("", |l| rs.levels[l].id.as_str()));
                field(
                    buf,
                    outcome.next_level.map_or("", |l| rs.levels[l].id.as_str()),
                );
            }
        }
        // The counts of the next level (of the level reached, at the top).
        let focus = outcome
            .next_level
            .or(outcome.level)
            .and_then(|f| Some((rs.levels.get(f)?, outcome.levels.get(f)?)));
        let (criteria_met, criteria_total, indicators_met, indicators_total) =
            focus.map_or((0, 0, 0, 0), |(lv, l)| {
                (
                    l.criteria_met,
                    lv.criteria.len(),
                    l.indicators_met,
                    lv.criteria.iter().map(|c| c.indicators.len()).sum(),
                )
            });
        for n in [
            criteria_met,
            criteria_total,
            indicators_met,
            indicators_total,
        ] {
            buf.extend_from_slice(int.format(n).as_bytes());
            buf.push(b',');
        }
        buf.extend_from_slice(if outcome.unverified {
            b"true,"
        } else {
            b"false,"
        });
        match missing_q {
            Some(q) => cell::push_csv_field_as(buf, missing.as_bytes(), q),
            None => cell::push_csv_field(buf, missing.as_bytes()),
        }
        buf.push(b',');
        cell::push_csv_field_as(buf, detail.as_bytes(), detail_q);
        buf.push(b',');
        field(buf, borderline);
        buf.extend_from_slice(num.as_bytes());
        buf.push(b',');
        if !row.notes.is_empty() {
            push_text_field(buf, &notes_cell(&row.notes));
        }
        buf.push(b'\n');
        self.rows.row_done()?;
        Ok(())
    }

    /// Write one commune's row.
    pub fn write(&mut self, c: &CommuneRecord) -> anyhow::Result<()> {
        // Fields are written from buffers kept across rows, without `fmt` and without the
        // `csv` crate's per-field state: they were a visible share of the time on large
        // files (issue #7).
        let Scratch {
            missing,
            detail,
            borderline,
            num,
            ..
        } = &mut self.scratch;
        missing.clear();
        for (i, m) in c.missing.iter().enumerate() {
            if i > 0 {
                missing.push(';');
            }
            missing.push_str(&m.level);
            missing.push(':');
            missing.push_str(&m.criterion);
        }
        detail.clear();
        for m in &c.missing {
            for i in &m.indicators {
                if !detail.is_empty() {
                    detail.push_str("; ");
                }
                detail.push_str(&m.level);
                detail.push(':');
                detail.push_str(&i.id);
                detail.push(' ');
                i.describe_into(&c.zone, detail);
            }
        }
        borderline.clear();
        for (i, b) in c.borderline.iter().enumerate() {
            if i > 0 {
                borderline.push_str("; ");
            }
            b.describe_into(borderline);
        }
        let notes = if c.notes.is_empty() {
            Cow::Borrowed("")
        } else {
            Cow::Owned(notes_cell(&c.notes))
        };
        num.clear();
        if let Some(t) = &c.to_next {
            cell::push_int(num, t.indicators);
            num.push(',');
            cell::push_int(num, t.no_data);
            num.push(',');
            cell::push_decimal(num, t.shortfall_pct);
        } else {
            num.push_str(",,");
        }
        let buf = &mut self.rows.buf;
        let mut int = itoa::Buffer::new();
        let field = |buf: &mut Vec<u8>, f: &str| {
            cell::push_csv_field(buf, f.as_bytes());
            buf.push(b',');
        };
        // Numbers and fixed words hold nothing that needs quoting.
        buf.extend_from_slice(int.format(c.row).as_bytes());
        buf.push(b',');
        field(buf, &excel_safe(&c.file));
        buf.extend_from_slice(int.format(c.line).as_bytes());
        buf.push(b',');
        field(buf, &text(&c.code));
        field(buf, &text(&c.name));
        field(buf, &text(&c.district));
        field(buf, &text(&c.province));
        field(buf, &c.zone);
        field(buf, &c.zone_source);
        buf.extend_from_slice(int.format(c.year).as_bytes());
        buf.push(b',');
        field(buf, c.level.as_deref().unwrap_or(""));
        field(buf, c.next_level.as_deref().unwrap_or(""));
        for n in [
            c.criteria_met,
            c.criteria_total,
            c.indicators_met,
            c.indicators_total,
        ] {
            buf.extend_from_slice(int.format(n).as_bytes());
            buf.push(b',');
        }
        buf.extend_from_slice(if c.unverified { b"true," } else { b"false," });
        field(buf, missing);
        field(buf, detail);
        field(buf, borderline);
        buf.extend_from_slice(num.as_bytes());
        buf.push(b',');
        cell::push_csv_field(buf, excel_safe(&notes).as_bytes());
        buf.push(b'\n');
        self.rows.row_done()?;
        Ok(())
    }

    /// Hand what is buffered to the writer and flush it.
    pub fn finish(mut self) -> anyhow::Result<()> {
        self.rows.finish()?;
        Ok(())
    }
}

/// Columns of the `--errors-out` file.
pub const ERRORS_HEADER: [&str; 10] = [
    "file",
    "line",
    "column",
    "header",
    "value",
    "severity",
    "code",
    "message",
    "expected",
    "message_vi",
];

/// The `--errors-out` file: one row per data diagnostic (errors, and the warnings of cells
/// `--lenient` read as no data or codes not in the official lists), in input order, for
/// the office that sent the data. `expected` is the diagnostic's help without its leading
/// "expected ". `message_vi` says the same in Vietnamese
/// (`report::message_vi`), whatever `--lang` is: the columns are a contract.
pub fn write_errors_csv(out: &mut dyn Write, diags: &[Diagnostic]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(&mut *out);
    w.write_record(ERRORS_HEADER)?;
    w.flush()?;
    drop(w);
    write_errors_rows(out, diags)
}

/// The rows of [`write_errors_csv`] without its header: `--errors-out` is written in
/// batches as the diagnostics are found.
pub fn write_errors_rows(out: &mut dyn Write, diags: &[Diagnostic]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    for d in diags {
        let (file, line, column) = match &d.location {
            Some(l) => (
                l.path.as_str(),
                l.line.map(|n| n.to_string()).unwrap_or_default(),
                l.column.map(|n| n.to_string()).unwrap_or_default(),
            ),
            None => ("", String::new(), String::new()),
        };
        let (header, value) = match &d.cell {
            Some(c) => (c.header.as_str(), c.value.as_str()),
            None => ("", ""),
        };
        let help = d.help.as_deref().unwrap_or("");
        let expected = help.strip_prefix("expected ").unwrap_or(help);
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        w.write_record([
            excel_safe(file).as_ref(),
            &line,
            &column,
            excel_safe(header).as_ref(),
            excel_safe(value).as_ref(),
            severity,
            d.code,
            excel_safe(&d.message).as_ref(),
            excel_safe(expected).as_ref(),
            excel_safe(&super::message_vi::message_vi(d)).as_ref(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::coerce::Value;
    use crate::eval::Evaluator;
    use crate::margin::Margin;
    use crate::record::borderline_records;
    use crate::ruleset::model::MeasureKind;
    use proptest::prelude::*;
    use rust_decimal::Decimal;
    use std::sync::LazyLock;

    static RULESET: LazyLock<Ruleset> = LazyLock::new(|| {
        let (path, text) =
            crate::ruleset::builtin::get(crate::ruleset::builtin::DEFAULT_ID).expect("built in");
        crate::ruleset::load_str(text, path).0.expect("valid")
    });

    /// The example communes, read with the default ruleset.
    static ROWS: LazyLock<Vec<Row>> = LazyLock::new(|| {
        let text = include_str!("../../examples/communes.csv");
        let read = crate::data::read::read_csv(
            text.as_bytes(),
            "communes.csv",
            0,
            &RULESET,
            &crate::data::read::ReadOptions::default(),
        );
        assert!(read.rows.len() >= 10, "{:?}", read.diags);
        read.rows
    });

    /// The bytes of `rows` written through records ([`CsvSink::write`]) and from their
    /// outcomes ([`CsvSink::write_evaluated`]).
    fn both_ways(
        rows: &[Row],
        file: &str,
        all_levels: bool,
        margin: Option<Margin>,
    ) -> (String, String) {
        both_ways_in(&RULESET, rows, file, all_levels, margin)
    }

    /// [`both_ways`] with the ruleset `rs`.
    fn both_ways_in(
        rs: &Ruleset,
        rows: &[Row],
        file: &str,
        all_levels: bool,
        margin: Option<Margin>,
    ) -> (String, String) {
        let (mut by_record, mut evaluated) = (b"head\n".to_vec(), b"head\n".to_vec());
        let mut a = CsvSink::body(&mut by_record);
        // Assembled in the vector itself, after what it held, as a batch's rows are.
        let mut b = CsvSink::in_vec(&mut evaluated);
        let mut ev = Evaluator::new(rs);
        let mut books = Phrasebooks::default();
        for (i, row) in rows.iter().enumerate() {
            let outcome = ev.evaluate(row.zone, row.year, &row.values);
            let mut rec = CommuneRecord::new(rs, i + 1, file, row, &outcome, all_levels);
            rec.borderline = borderline_records(rs, &outcome, &row.values, margin);
            a.write(&rec).expect("writes");
            b.write_evaluated(
                &Evaluated {
                    rs,
                    position: i + 1,
                    file,
                    row,
                    outcome: &outcome,
                    all_levels,
                    borderline: &rec.borderline,
                },
                &mut books,
            )
            .expect("writes");
        }
        a.finish().expect("writes");
        b.finish().expect("writes");
        (
            String::from_utf8(by_record).expect("utf-8"),
            String::from_utf8(evaluated).expect("utf-8"),
        )
    }

    #[test]
    fn rows_from_outcomes_are_the_rows_of_their_records() {
        let margin = Some(Margin::Relative(Decimal::new(2, 2)));
        // Many times over, so that the rows written through a writer go in several blocks.
        let rows: Vec<Row> = (0..200).flat_map(|_| ROWS.iter().cloned()).collect();
        for (all_levels, margin) in [(false, None), (true, None), (false, margin), (true, margin)] {
            let (want, got) = both_ways(&rows, "data/xã.csv", all_levels, margin);
            assert!(want.len() > 4 * 65536, "{}", want.len());
            assert_eq!(got, want, "all_levels {all_levels}, margin {margin:?}");
        }
    }

    #[test]
    fn criteria_whose_ids_need_quoting_are_quoted_as_records_quote_them() {
        // The phrasebook keeps `level:criterion` with what it needs in CSV: a criterion id
        // with a comma and quotes (level ids cannot have them).
        let (path, text) =
            crate::ruleset::builtin::get(crate::ruleset::builtin::DEFAULT_ID).expect("built in");
        let from = "level = \"standard\"\nid = \"8\"\n";
        assert!(text.contains(from));
        let text = text.replacen(from, "level = \"standard\"\nid = \"8,\\\"x\\\"\"\n", 1);
        let (rs, diags) = crate::ruleset::load_str(&text, path);
        let rs = rs.unwrap_or_else(|| panic!("{diags:?}"));
        let rows: Vec<Row> = (0..20).flat_map(|_| ROWS.iter().cloned()).collect();
        for all_levels in [false, true] {
            let (want, got) = both_ways_in(&rs, &rows, "a.csv", all_levels, None);
            assert!(want.contains("standard:8,\"\"x\"\""), "{want}");
            assert_eq!(got, want, "all_levels {all_levels}");
        }
    }

    #[test]
    fn rows_of_more_zones_and_years_than_a_sink_keeps_phrases_for() {
        // Every zone and year of two rounds: more (zone, year) pairs than `BOOKS`, met again.
        let rs = &*RULESET;
        let mut rows = Vec::new();
        for round in 0..2 {
            for year in 2015..2031 {
                for zone in 0..rs.zones.len() {
                    let mut row = ROWS[(year as usize + zone + round) % ROWS.len()].clone();
                    (row.zone, row.year) = (zone, year);
                    rows.push(row);
                }
            }
        }
        assert!(rows.len() > 2 * BOOKS);
        let (want, got) = both_ways(&rows, "a.csv", true, None);
        assert_eq!(got, want);
    }

    /// Text that `excel_safe` or CSV quoting changes, and text they leave alone.
    fn text() -> impl Strategy<Value = Option<String>> {
        prop::option::of(prop_oneof![
            "[a-zA-Z đạơưĐ]{0,20}",
            "[=+\\-@\t\r\n,\"; a-z0-9.]{0,12}",
            "\\PC{0,16}",
            Just("\u{202e}x\u{1b}[2J\u{85}\u{61c}\u{fffe}".to_string()),
        ])
    }

    /// A value of `kind`, or none; numbers of every sign and scale.
    fn value(kind: MeasureKind) -> BoxedStrategy<Option<Value>> {
        match kind {
            MeasureKind::Bool => prop::option::of(any::<bool>().prop_map(Value::Bool)).boxed(),
            _ => prop::option::of(
                prop_oneof![
                    (0i64..1200, 0u32..3).prop_map(|(m, s)| Decimal::new(m, s)),
                    (any::<i64>(), 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
                ]
                .prop_map(Value::Num),
            )
            .boxed(),
        }
    }

    fn commune() -> impl Strategy<Value = Row> {
        let rs = &*RULESET;
        let values: Vec<_> = rs.measures.iter().map(|m| value(m.kind)).collect();
        (
            0..ROWS.len(),
            values,
            (text(), text(), text(), text()),
            prop::collection::vec(("[a-z ;,=\"]{0,10}", "\\PC{0,10}"), 0..3),
            0..rs.zones.len(),
            2021i32..2026,
        )
            .prop_map(
                |(i, values, (code, name, district, province), notes, zone, year)| {
                    let mut row = ROWS[i].clone();
                    row.values = values;
                    (row.code, row.name, row.district, row.province) =
                        (code, name, district, province);
                    row.notes = notes
                        .into_iter()
                        .map(|(value, message)| Note {
                            code: "out-of-range",
                            column: None,
                            value,
                            message,
                        })
                        .collect();
                    row.zone = zone;
                    row.year = year;
                    row
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_row_from_its_outcome_is_the_row_of_its_record(
            mut rows in prop::collection::vec(commune(), 1..8),
            file in "[a-z/=,\"\n ]{1,12}",
            all_levels in any::<bool>(),
            margin in prop::option::of((0i64..20).prop_map(|p| Margin::Relative(Decimal::new(p, 2)))),
            // A district and province that come back row after row (their fields are
            // kept from one row to the next), or one of them alone.
            place in prop::option::of((text(), text(), 0usize..3)),
        ) {
            if let Some((district, province, which)) = place {
                for (i, row) in rows.iter_mut().enumerate() {
                    if i % 3 != 2 && which != 1 {
                        row.district.clone_from(&district);
                    }
                    if i % 3 != 1 && which != 2 {
                        row.province.clone_from(&province);
                    }
                }
            }
            let (want, got) = both_ways(&rows, &file, all_levels, margin);
            prop_assert_eq!(got, want);
        }

        #[test]
        fn text_fields_in_one_pass_are_excel_safe_then_quoted(s in prop_oneof![
            "\\PC{0,24}",
            "[=+\\-@\t\r\n,\"; a-z0-9.đ]{0,12}",
            "\\PC{0,4}[\u{80}-\u{9f}\u{61c}\u{200e}\u{200f}\u{2028}-\u{202e}\u{2066}-\u{2069}\u{fffe}\u{ffff}]\\PC{0,4}",
        ]) {
            let mut want = Vec::new();
            cell::push_csv_field(&mut want, excel_safe_general(&s).as_bytes());
            let mut got = Vec::new();
            push_text_field(&mut got, &s);
            prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
            prop_assert_eq!(excel_safe(&s), excel_safe_general(&s));
        }
    }

    /// `excel_safe` without its one-pass shortcut.
    fn excel_safe_general(s: &str) -> Cow<'_, str> {
        match escape_controls(s) {
            Cow::Borrowed(s) => neutralise(s),
            Cow::Owned(e) => Cow::Owned(neutralise(&e).into_owned()),
        }
    }

    #[test]
    fn formulas_are_neutralised_and_numbers_are_not() {
        for (cell, want) in [
            ("=1+2", "'=1+2"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "\\tx"),
            ("\rx", "\\rx"),
            ("=\u{1b}[2J", "'=\\u{1b}[2J"),
            ("a\nb", "a\\nb"),
            ("-", "'-"),
            ("-5", "-5"),
            ("+1,5", "+1,5"),
            ("-1.234,5", "-1.234,5"),
            ("Xã Hồng Lạc", "Xã Hồng Lạc"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(excel_safe(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn errors_csv_has_one_row_per_diagnostic_with_cell_and_expectation() {
        let diags = vec![
            Diagnostic::error("out-of-range", "column 5 `pct`: `130` is not valid")
                .at("a.csv", Some(3), Some(5))
                .cell("pct", "130")
                .help("expected a percentage between 0 and 100"),
            Diagnostic::warning("wrong-field-count", "the row has 3 fields")
                .at("a.csv", Some(4), None)
                .help("12 fields"),
            Diagnostic::error("not-a-number", "column 2 `x`: `=1+1` is not valid")
                .at("b.csv", Some(2), Some(2))
                .cell("x", "=1+1"),
        ];
        let mut out = Vec::new();
        write_errors_csv(&mut out, &diags).expect("writes");
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(
            text,
            "file,line,column,header,value,severity,code,message,expected,message_vi\n\
             a.csv,3,5,pct,130,error,out-of-range,column 5 `pct`: `130` is not valid,a percentage between 0 and 100,\
             cột 5 `pct`: giá trị `130` nằm ngoài khoảng cho phép (tỷ lệ phần trăm từ 0 đến 100; không chỉ tiêu nào được âm; số đếm phải là số nguyên)\n\
             a.csv,4,,,,warning,wrong-field-count,the row has 3 fields,12 fields,\
             số ô của dòng này khác với số cột của dòng tiêu đề (ô có chứa dấu phân cách phải được đặt trong dấu ngoặc kép)\n\
             b.csv,2,2,x,'=1+1,error,not-a-number,column 2 `x`: `=1+1` is not valid,,\
             cột 2 `x`: giá trị `=1+1` không phải là một số hợp lệ\n"
        );
    }
}
