//! The output seam of `ntm evaluate`: one [`Sink`] per run, built from `--format`, that
//! takes the evaluated communes batch by batch and writes the whole output at the end.
//!
//! What a format needs besides its records stays private here: the spool that holds a CSV
//! body until the run is known to be valid (and its `#` head, under `--csv-comments`, known;
//! none when the output is `-o`'s temporary file, thrown away if the run fails),
//! the byte segments that `--closest` reorders, the JSON array's commas, the table's cells
//! (rendered with each batch), the workbook's rows. Adding a format is one `Kind` variant,
//! its arms in this file, and its renderer's file.
//!
//! Batches are rendered on several threads with a [`Shape`] (shared, read-only) and appended
//! to the sink in input order on one; the bytes equal those of rendering the communes one
//! after the other.

use std::io::{BufWriter, Read, Seek, SeekFrom, Write};

use anyhow::{Context, bail};

use super::csv::{BOM, CsvSink, Evaluated, Phrasebooks, write_csv_head};
use super::json::{
    NDJSON_FAILED, write_json_commune, write_json_head, write_json_tail, write_ndjson_commune,
    write_ndjson_meta,
};
use super::json_evaluated::{Layout, push_evaluated};
use super::long::{LongSink, write_long_head};
use super::table::{TableCells, TableColumns, TableOptions, TableRows, draw_table};
use super::words::Words;
use super::xlsx::{MAX_DATA_ROWS, ResultRow, evaluate_workbook};
use crate::cli::Format;
use crate::data::coerce::Value;
use crate::eval::{Outcome, Scope};
use crate::lang::Lang;
use crate::margin::{Closeness, Margin, rank};
use crate::record::{CommuneRecord, Meta, RulesetSummary};
use crate::ruleset::Ruleset;
use crate::summary::Tally;

/// The most communes `--format table` renders: it lays the whole table out in memory
/// (its cells, about 0.5 KB a commune), so past this a run is refused, after reading every
/// row, with advice to use a streamed format (docs/performance.md, "Memory").
pub(crate) const TABLE_MAX_COMMUNES: usize = 100_000;

/// Where a sink keeps the body until its head is known: a private temporary file, opened by
/// the caller (only `src/cmd/` opens files).
pub(crate) trait Spool: Read + Write + Seek + Send {
    /// The file holding the spool, when it is one: copied out by the kernel.
    fn file(&mut self) -> Option<&mut std::fs::File> {
        None
    }
}

/// A spool in memory (tests).
impl Spool for std::io::Cursor<Vec<u8>> {}

/// How the output is laid out: what every batch is rendered with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape<'a> {
    kind: Kind,
    rs: &'a Ruleset,
    margin: Option<Margin>,
    /// `--closest`: each commune's bytes are placed apart so they can be reordered.
    closest: bool,
    /// `--pretty` JSON.
    pretty: bool,
    /// Language of the table and the workbook.
    lang: Lang,
}

/// What a run's options must agree with in its format, checked before anything is read:
/// `--csv-comments` only for the CSV formats; whether the output is bytes a terminal must not
/// get (a workbook).
pub(crate) struct FormatTraits {
    /// `--csv-comments` applies (csv, long).
    pub(crate) csv: bool,
    /// The output is a binary file (xlsx).
    pub(crate) binary: bool,
    /// The output shows each input's SHA-256 (the `meta` of JSON and NDJSON, the workbook's
    /// meta sheet); the CSV formats show it only in their `--csv-comments` lines (see
    /// [`FormatTraits::shows_input_digest`]). Hashing a large file costs about a twentieth
    /// of a `--format csv` run, so it is done only where it is shown.
    digest: bool,
}

impl FormatTraits {
    /// Whether the output shows the inputs' SHA-256, with `--csv-comments` as given.
    pub(crate) fn shows_input_digest(&self, csv_comments: bool) -> bool {
        self.digest || (self.csv && csv_comments)
    }
}

/// The [`FormatTraits`] of `format`.
pub(crate) fn traits(format: Format) -> FormatTraits {
    let kind = Kind::of(format);
    FormatTraits {
        csv: matches!(kind, Kind::Csv | Kind::Long),
        binary: kind == Kind::Xlsx,
        digest: matches!(kind, Kind::Json | Kind::Ndjson | Kind::Xlsx),
    }
}

/// Whether the sink of `format` writes communes to its output as they come, rather than
/// holding them to the end: JSON and NDJSON (not `--closest`, whose order is known at the
/// end), CSV and long only into `-o`'s temporary file (`private`; not `--csv-comments`, whose
/// head is known at the end).
pub(crate) fn streams(format: Format, closest: bool, csv_comments: bool, private: bool) -> bool {
    match Kind::of(format) {
        Kind::Json | Kind::Ndjson => !closest,
        Kind::Csv | Kind::Long => private && !closest && !csv_comments,
        Kind::Table | Kind::Xlsx => false,
    }
}

/// One variant per output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Table,
    Csv,
    Long,
    Json,
    Ndjson,
    Xlsx,
}

impl Kind {
    fn of(format: Format) -> Kind {
        match format {
            Format::Table => Kind::Table,
            Format::Csv => Kind::Csv,
            Format::Long => Kind::Long,
            Format::Json => Kind::Json,
            Format::Ndjson => Kind::Ndjson,
            Format::Xlsx => Kind::Xlsx,
        }
    }
}

/// What [`Sink::new`] needs to know besides the format.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SinkOptions {
    /// `--bom`: a UTF-8 byte order mark before the CSV formats.
    pub bom: bool,
    /// `--csv-comments`: the CSV formats start with `#` provenance lines.
    pub csv_comments: bool,
    /// `--margin`.
    pub margin: Option<Margin>,
    /// `--closest [N]`.
    pub closest: Option<Option<usize>>,
    /// Language of the table and its notes.
    pub lang: Lang,
    /// JSON indented for people rather than compact.
    pub pretty: bool,
    /// The most communes `--format table` takes ([`TABLE_MAX_COMMUNES`]).
    pub table_max: usize,
    /// What is written is seen only if the run succeeds (the temporary file of `-o`, renamed
    /// into place at the end): the CSV formats stream into it rather than through the spool.
    pub private: bool,
    /// `out` is this process's standard output behind a buffer ([`console::Console::stdout`]):
    /// a spool copied out whole goes to its descriptor, flushing `out` first.
    ///
    /// [`console::Console::stdout`]: super::console::Console::stdout
    pub stdout: bool,
}

/// The output of one run of `evaluate`.
///
/// JSON and NDJSON put their provenance last, so without `--closest` they stream: each batch
/// goes to the output as it is appended, and a sink dropped before [`Sink::finish`] (a failed
/// run) ends what it wrote so that no parser takes it for complete. The CSV formats stream
/// too, without `--closest` or `--csv-comments` (whose head is known only at the end), when
/// the output is [`SinkOptions::private`]: a failed run's file is thrown away whole. Every
/// other output is spooled and written by `finish` only, so a failed run writes nothing.
pub(crate) struct Sink<'a> {
    shape: Shape<'a>,
    opts: SinkOptions,
    out: &'a mut dyn Write,
    /// Streaming: the bytes go to `out` as they come.
    stream: bool,
    /// Something was written to `out`.
    started: bool,
    /// `finish` ran.
    done: bool,
    /// The body of the CSV formats, and of JSON and NDJSON under `--closest`, in input order.
    spool: Option<BufWriter<Box<dyn Spool + 'a>>>,
    /// With `--closest`, each commune's place in the spool and its ranking key: the only
    /// per-commune state kept (a few words each), so the output can be reordered at the end
    /// without holding it in memory.
    segments: Vec<Placed>,
    spooled: u64,
    /// The table's rows, batch after batch (none once there are more than `table_max`).
    table: Vec<TableRows>,
    /// Communes appended.
    communes: usize,
    /// The workbook's rows (none once there are more than a worksheet holds).
    xlsx_rows: Vec<ResultRow>,
    /// The workbook's figures of every commune.
    tally: Option<Tally>,
}

/// One commune's bytes in a batch, with what `--closest` ranks it by.
#[derive(Debug, Clone, Copy)]
struct Segment {
    key: Option<Closeness>,
    row: usize,
    len: u64,
    unverified: bool,
}

/// A segment and where it starts in the spool.
#[derive(Debug)]
struct Placed {
    seg: Segment,
    offset: u64,
}

/// One batch of communes, rendered by [`Shape::render`], to append with [`Sink::append`].
#[derive(Debug, Default)]
pub(crate) struct Piece {
    /// CSV rows, JSON array elements or NDJSON lines.
    bytes: Vec<u8>,
    /// The table's rows of the batch, for the table only.
    table: Option<TableRows>,
    /// The workbook's rows and the batch's figures, for xlsx only.
    xlsx_rows: Vec<ResultRow>,
    tally: Option<Tally>,
    /// With `--closest`, one per commune, in input order.
    segments: Vec<Segment>,
    communes: usize,
}

impl Piece {
    /// The bytes the batch rendered to.
    pub(crate) fn byte_len(&self) -> usize {
        self.bytes.len()
    }
}

/// Renders the communes of one batch ([`Shape::render`]).
pub(crate) struct Writer<'w, 'a> {
    shape: &'w Shape<'a>,
    body: Body<'w>,
    /// The table's cells (table only) and the batch's rows.
    table: Option<(TableCells<'a>, TableRows)>,
    segments: Vec<Segment>,
    communes: usize,
    xlsx_rows: Vec<ResultRow>,
    tally: Option<Tally>,
    /// The words of the workbook's rows (xlsx only), made once a batch.
    words: Option<Words<'a>>,
}

/// Where a batch's bytes go.
enum Body<'w> {
    /// Rows written through one sink for the whole batch.
    Csv(CsvSink<'w>),
    Long(LongSink<'w>),
    /// Written commune by commune (JSON, NDJSON, and every format under `--closest`).
    Bytes(&'w mut Vec<u8>),
    /// Nothing: the table keeps its cells.
    None,
}

impl<'a> Sink<'a> {
    /// The sink of `format`, writing to `out`; `spool` opens its spool when the format needs
    /// one.
    pub(crate) fn new(
        format: Format,
        rs: &'a Ruleset,
        opts: SinkOptions,
        out: &'a mut dyn Write,
        spool: impl FnOnce() -> anyhow::Result<Box<dyn Spool + 'a>>,
    ) -> anyhow::Result<Self> {
        let kind = Kind::of(format);
        if kind == Kind::Xlsx && opts.closest.is_some() {
            bail!(
                "--closest lists communes by how close they are; --format xlsx lists every \
                 commune in input order (sort or filter the workbook, or use --format table)"
            );
        }
        let stream = streams(
            format,
            opts.closest.is_some(),
            opts.csv_comments,
            opts.private,
        );
        let spool = match kind {
            Kind::Table | Kind::Xlsx => None,
            _ if stream => None,
            Kind::Csv | Kind::Long | Kind::Json | Kind::Ndjson => {
                Some(BufWriter::with_capacity(1 << 16, spool()?))
            }
        };
        Ok(Sink {
            shape: Shape {
                kind,
                rs,
                margin: opts.margin,
                closest: opts.closest.is_some(),
                pretty: opts.pretty,
                lang: opts.lang,
            },
            opts,
            out,
            stream,
            started: false,
            done: false,
            spool,
            segments: Vec::new(),
            spooled: 0,
            table: Vec::new(),
            communes: 0,
            xlsx_rows: Vec::new(),
            tally: (kind == Kind::Xlsx).then(|| Tally::new(rs)),
        })
    }

    /// What batches are rendered with, on any thread.
    pub(crate) fn shape(&self) -> Shape<'a> {
        self.shape
    }

    /// Add a batch, the one after the last appended.
    pub(crate) fn append(&mut self, piece: Piece) -> anyhow::Result<()> {
        self.communes += piece.communes;
        if self.communes > self.opts.table_max {
            // The table is refused at the end: what it kept is let go at once.
            self.table = Vec::new();
        } else {
            self.table.extend(piece.table);
        }
        if self.communes > MAX_DATA_ROWS {
            // Refused at the end, as the table.
            self.xlsx_rows = Vec::new();
        } else {
            self.xlsx_rows.extend(piece.xlsx_rows);
        }
        if let (Some(all), Some(batch)) = (self.tally.as_mut(), piece.tally.as_ref()) {
            all.merge(batch);
        }
        for seg in piece.segments {
            self.segments.push(Placed {
                seg,
                offset: self.spooled,
            });
            self.spooled += seg.len;
        }
        if let Some(spool) = self.spool.as_mut() {
            spool.write_all(&piece.bytes)?;
        } else if self.stream && !piece.bytes.is_empty() {
            self.start()?;
            self.out.write_all(&piece.bytes)?;
        }
        Ok(())
    }

    /// Whether some of the output was written already (JSON and NDJSON stream; the CSV
    /// formats into a private output).
    pub(crate) fn streamed(&self) -> bool {
        self.started
    }

    /// Write what precedes the communes, once.
    fn start(&mut self) -> anyhow::Result<()> {
        if !self.started {
            self.started = true;
            match self.shape.kind {
                Kind::Json => write_json_head(
                    self.out,
                    &RulesetSummary::new(self.shape.rs),
                    self.opts.pretty,
                )?,
                // Streamed only without `--csv-comments`: a head with no `#` lines.
                Kind::Csv | Kind::Long => {
                    if self.opts.bom {
                        self.out.write_all(BOM)?;
                    }
                    if self.shape.kind == Kind::Csv {
                        write_csv_head(self.out, None)?;
                    } else {
                        write_long_head(self.out, None)?;
                    }
                }
                Kind::Ndjson | Kind::Table | Kind::Xlsx => {}
            }
        }
        Ok(())
    }

    /// Write the whole output to `out` (notes for people to `err`): `meta` speaks of every
    /// commune appended. Returns the meta as written, which with `--closest N` counts the
    /// communes listed.
    pub(crate) fn finish(mut self, err: &mut dyn Write, mut meta: Meta) -> anyhow::Result<Meta> {
        self.done = true;
        let (shape, opts, communes) = (self.shape, self.opts, self.communes);
        let segments = std::mem::take(&mut self.segments);
        let table_rows = std::mem::take(&mut self.table);
        let spool = self.spool.take();
        let summary = &RulesetSummary::new(shape.rs);
        if shape.kind == Kind::Table && communes > opts.table_max {
            bail!(
                "--format table: {communes} communes, more than the {} a table is laid out for \
                 in memory; use --format csv (or long, json, ndjson), which stream at any size",
                opts.table_max
            );
        }
        if shape.kind == Kind::Xlsx && communes > MAX_DATA_ROWS {
            bail!(
                "--format xlsx: {communes} communes, more than the {MAX_DATA_ROWS} rows a \
                 worksheet holds; use --format csv (or long, json, ndjson), which stream at any size"
            );
        }
        // --closest: the order to list communes in, and the count listed.
        let order: Option<Vec<usize>> = opts.closest.map(|n| {
            let keys: Vec<(Option<Closeness>, usize)> =
                segments.iter().map(|p| (p.seg.key, p.seg.row)).collect();
            let mut order = rank(&keys);
            if let Some(n) = n {
                order.truncate(n);
            }
            order
        });
        if let Some(o) = &order {
            meta.communes = o.len();
            meta.unverified_verdicts = o.iter().filter(|&&i| segments[i].seg.unverified).count();
        }
        let mut spool = match spool {
            Some(s) => Some(
                s.into_inner()
                    .map_err(|e| e.into_error())
                    .context("writing the output spool")?,
            ),
            None => None,
        };
        let json = shape.kind == Kind::Json;
        let any = meta.communes > 0;
        let pretty = opts.pretty;
        if shape.kind == Kind::Json || self.stream {
            self.start()?;
        }
        let stream = self.stream;
        let out = &mut *self.out;
        let mut copy_body = |out: &mut dyn Write| -> anyhow::Result<()> {
            let Some(spool) = spool.as_mut() else {
                return Ok(());
            };
            copy_spool(spool, &segments, order.as_deref(), json, opts.stdout, out)
        };
        match shape.kind {
            Kind::Table => {
                let table = TableOptions {
                    margin: opts.margin,
                    closest: opts.closest.map(|n| (n, communes)),
                    lang: opts.lang,
                };
                if let Some(by) = &meta.ruleset_chosen_by {
                    let note = match opts.lang {
                        Lang::En => format!(
                            "ruleset {} chosen by the assessment year ({by}); pass --rules to use another",
                            meta.ruleset_id
                        ),
                        Lang::Vi => format!(
                            "bộ tiêu chí {} được chọn theo năm đánh giá ({}); dùng --rules để chọn bộ khác",
                            meta.ruleset_id,
                            super::words::chosen_by_text(by, Lang::Vi)
                        ),
                    };
                    writeln!(err, "{note}")?;
                }
                draw_table(out, shape.rs, &meta, table_rows, order.as_deref(), table)?;
            }
            // Streamed: head and body are out already.
            Kind::Csv | Kind::Long if stream => {}
            Kind::Csv => {
                if opts.bom {
                    out.write_all(BOM)?;
                }
                write_csv_head(out, opts.csv_comments.then_some(&meta))?;
                copy_body(out)?;
            }
            Kind::Long => {
                if opts.bom {
                    out.write_all(BOM)?;
                }
                write_long_head(out, opts.csv_comments.then_some(&meta))?;
                copy_body(out)?;
            }
            Kind::Json => {
                copy_body(out)?;
                write_json_tail(out, &meta, any, pretty)?;
            }
            Kind::Ndjson => {
                copy_body(out)?;
                write_ndjson_meta(out, &meta, summary)?;
            }
            Kind::Xlsx => {
                let figures = self
                    .tally
                    .take()
                    .unwrap_or_else(|| Tally::new(shape.rs))
                    .into_summary();
                let doc = super::summary::SummaryDoc::new(shape.rs, &meta, None, None, &figures);
                let rows = std::mem::take(&mut self.xlsx_rows);
                let bytes = evaluate_workbook(shape.rs, rows, &doc, opts.lang, MAX_DATA_ROWS)
                    .context("building the xlsx workbook")?;
                out.write_all(&bytes)?;
            }
        }
        Ok(meta)
    }
}

impl Drop for Sink<'_> {
    /// A run that fails after streaming communes: JSON is left without its closing `]` and
    /// `meta` (no parser accepts it), NDJSON gets a last line that is not JSON
    /// ([`NDJSON_FAILED`]) in place of its `meta` line. A private CSV output is thrown away
    /// by its owner.
    fn drop(&mut self) {
        if self.started && !self.done {
            match self.shape.kind {
                Kind::Ndjson => {
                    let _ = self.out.write_all(NDJSON_FAILED);
                }
                Kind::Json => {
                    let _ = self.out.write_all(b"\n");
                }
                Kind::Csv | Kind::Long | Kind::Table | Kind::Xlsx => {}
            }
            let _ = self.out.flush();
        }
    }
}

/// Copy the spooled body to `out`, in input order or in `order` (`--closest`). `stdout`:
/// `out` is standard output behind a buffer ([`SinkOptions::stdout`]).
fn copy_spool(
    spool: &mut Box<dyn Spool + '_>,
    segments: &[Placed],
    order: Option<&[usize]>,
    json: bool,
    stdout: bool,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let Some(order) = order else {
        spool.seek(SeekFrom::Start(0))?;
        if stdout && let Some(file) = spool.file() {
            // What `out` holds goes first. Between a file and standard output std's
            // `io::copy` has the kernel move the bytes (`copy_file_range` to a regular file,
            // `sendfile` to a device such as /dev/null), with no copy through this process;
            // to a pipe it reads and writes through the buffer, as below.
            out.flush().context("writing the output")?;
            let mut body = std::io::BufReader::with_capacity(1 << 20, file);
            std::io::copy(&mut body, &mut std::io::stdout().lock())
                .context("copying the output spool")?;
            return Ok(());
        }
        // In 1 MiB reads rather than io::copy's 8 KiB: the spool can be gigabytes.
        let mut body = std::io::BufReader::with_capacity(1 << 20, spool);
        std::io::copy(&mut body, out).context("copying the output spool")?;
        return Ok(());
    };
    let mut buf = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        let p = &segments[i];
        spool.seek(SeekFrom::Start(p.offset))?;
        buf.clear();
        (&mut *spool)
            .take(p.seg.len)
            .read_to_end(&mut buf)
            .context("reading the output spool")?;
        // JSON array elements carry their separator: only the first commune of the input
        // has none, so re-punctuate for the new order.
        let mut bytes = buf.as_slice();
        if json {
            bytes = bytes.strip_prefix(b",").unwrap_or(bytes);
            if k > 0 {
                out.write_all(b",")?;
            }
        }
        out.write_all(bytes)?;
    }
    Ok(())
}

/// The bytes to reserve per commune of a batch: `usual`, or a quarter more than `seen` (the
/// most a commune took on average over an earlier batch) when that is more. Issue #14: a
/// batch larger than the usual commune (`--all-levels`, JSON's every missing criterion
/// listed) grew its buffer once or twice, each time copying what it held; after the first
/// such batch the others are reserved for their size.
fn row_room(usual: usize, seen: usize) -> usize {
    usual.max(seen.saturating_add(seen / 4))
}

impl<'a> Shape<'a> {
    /// What to evaluate with for what this output reads of a level out of reach (whose
    /// required level is not reached); `--all-levels`, which reads every level not reached
    /// in full, is the caller's to add. Issue #14: judging those levels was the main share
    /// of the evaluation that `csv` skips and `json` and `ndjson` did not.
    /// - Nothing ([`Scope::Reachable`]): `csv` written from the outcome
    ///   ([`Writer::write_evaluated`]) reads the level reached and the next level only.
    /// - Its counts and `reached` ([`Scope::Counts`]): `json` and `ndjson` write every
    ///   level's counts; `table` and `csv --closest` are written from records, which hold
    ///   every level's counts (and read of the levels only the next one's criteria).
    /// - More ([`Scope::Every`]): `long` (every indicator's outcome), `xlsx` (its summary
    ///   counts the levels not reached with a criterion of no data), and every format under
    ///   `--margin` (the borderline indicators of every level).
    pub(crate) fn scope(&self) -> Scope {
        if self.margin.is_some() {
            return Scope::Every;
        }
        match self.kind {
            Kind::Csv if !self.closest => Scope::Reachable,
            Kind::Csv | Kind::Json | Kind::Ndjson | Kind::Table => Scope::Counts,
            Kind::Long | Kind::Xlsx => Scope::Every,
        }
    }

    /// Render one batch of `rows` communes: `f` writes each through the [`Writer`]. `seen`
    /// is the most bytes a commune took, on average over a batch, in the batches the caller
    /// rendered before (0 for none; see [`row_room`]).
    pub(crate) fn render(
        &self,
        rows: usize,
        seen: usize,
        f: impl FnOnce(&mut Writer<'_, 'a>) -> anyhow::Result<()>,
    ) -> anyhow::Result<Piece> {
        // The table and the workbook keep no bytes.
        let bytes_per_row = match self.kind {
            Kind::Table | Kind::Xlsx => 0,
            Kind::Csv | Kind::Long => row_room(512, seen),
            // A commune's JSON is about four times its CSV row.
            Kind::Json | Kind::Ndjson => row_room(2048, seen),
        };
        let mut bytes = Vec::with_capacity(rows.saturating_mul(bytes_per_row));
        let (table, segments, communes, xlsx_rows, tally) = {
            let body = match (self.kind, self.closest) {
                (Kind::Csv, false) => Body::Csv(CsvSink::in_vec(&mut bytes)),
                (Kind::Long, false) => Body::Long(LongSink::body(&mut bytes)),
                (Kind::Table | Kind::Xlsx, _) => Body::None,
                (Kind::Csv | Kind::Long, true) | (Kind::Json | Kind::Ndjson, _) => {
                    Body::Bytes(&mut bytes)
                }
            };
            let table = (self.kind == Kind::Table).then(|| {
                let cells = TableCells::new(
                    self.rs,
                    TableColumns {
                        margin: self.margin,
                        closest: self.closest,
                        lang: self.lang,
                    },
                );
                let rows = cells.rows(rows);
                (cells, rows)
            });
            let mut w = Writer {
                shape: self,
                body,
                table,
                segments: Vec::new(),
                communes: 0,
                xlsx_rows: Vec::new(),
                tally: (self.kind == Kind::Xlsx).then(|| Tally::new(self.rs)),
                words: (self.kind == Kind::Xlsx).then(|| Words::new(self.rs, self.lang)),
            };
            f(&mut w)?;
            match w.body {
                Body::Csv(csv) => csv.finish()?,
                Body::Long(long) => long.finish()?,
                Body::Bytes(_) | Body::None => {}
            }
            (
                w.table.map(|(_, rows)| rows),
                w.segments,
                w.communes,
                w.xlsx_rows,
                w.tally,
            )
        };
        Ok(Piece {
            bytes,
            table,
            segments,
            communes,
            xlsx_rows,
            tally,
        })
    }
}

impl Writer<'_, '_> {
    /// Whether communes are written from their row and outcome alone, with
    /// [`write_evaluated`](Self::write_evaluated) (`--format csv` without `--closest`, `json`
    /// and `ndjson`): their record is not needed then.
    pub(crate) fn takes_evaluated(&self) -> bool {
        match self.body {
            Body::Csv(_) => true,
            Body::Bytes(_) => matches!(self.shape.kind, Kind::Json | Kind::Ndjson),
            Body::Long(_) | Body::None => false,
        }
    }

    /// Render one commune from its row and outcome, as [`write`](Self::write) renders its
    /// record; only when [`takes_evaluated`](Self::takes_evaluated).
    pub(crate) fn write_evaluated(
        &mut self,
        e: &Evaluated<'_>,
        phrasebooks: &mut Phrasebooks,
    ) -> anyhow::Result<()> {
        let layout = match self.shape.kind {
            _ if !self.takes_evaluated() => None,
            Kind::Json => Some(Layout::Element {
                first: e.position == 1,
                pretty: self.shape.pretty,
            }),
            Kind::Ndjson => Some(Layout::Line),
            Kind::Table | Kind::Csv | Kind::Long | Kind::Xlsx => None,
        };
        match &mut self.body {
            Body::Csv(csv) => {
                self.communes += 1;
                csv.write_evaluated(e, phrasebooks)
            }
            Body::Bytes(bytes) if let Some(layout) = layout => {
                self.communes += 1;
                let start = bytes.len();
                let to_next = push_evaluated(bytes, layout, e, &mut phrasebooks.json);
                if self.shape.closest {
                    // What `segment` takes from the record.
                    self.segments.push(Segment {
                        key: to_next.map(|t| t.key),
                        row: e.position,
                        len: (bytes.len() - start) as u64,
                        unverified: e.outcome.unverified,
                    });
                }
                Ok(())
            }
            Body::Long(_) | Body::Bytes(_) | Body::None => {
                bail!("this output is written from records")
            }
        }
    }

    /// Render one commune: `rec` is its record, `values` and `outcome` what it was evaluated
    /// from (the long format lists every indicator).
    pub(crate) fn write(
        &mut self,
        rec: &CommuneRecord,
        values: &[Option<Value>],
        outcome: &Outcome,
    ) -> anyhow::Result<()> {
        self.communes += 1;
        let shape = self.shape;
        let bytes = match &mut self.body {
            Body::Csv(csv) => return csv.write(rec),
            Body::Long(long) => return long.write(shape.rs, rec, values, outcome, shape.margin),
            Body::None if let Some(words) = &self.words => {
                self.xlsx_rows
                    .push(ResultRow::new(shape.rs, rec, words, shape.margin.is_some()));
                if let Some(t) = self.tally.as_mut() {
                    t.add(shape.rs, outcome);
                }
                return Ok(());
            }
            Body::None => {
                if shape.closest {
                    self.segments.push(segment(rec, outcome, 0));
                }
                if let Some((cells, rows)) = self.table.as_mut() {
                    cells.push(rows, rec);
                }
                return Ok(());
            }
            Body::Bytes(bytes) => &mut **bytes,
        };
        let start = bytes.len();
        match shape.kind {
            Kind::Csv => {
                let mut one = CsvSink::body(bytes);
                one.write(rec)?;
                one.finish()?;
            }
            Kind::Long => {
                let mut one = LongSink::body(bytes);
                one.write(shape.rs, rec, values, outcome, shape.margin)?;
                one.finish()?;
            }
            Kind::Json => write_json_commune(bytes, rec.row == 1, rec, shape.pretty)?,
            Kind::Ndjson => write_ndjson_commune(bytes, rec)?,
            Kind::Table | Kind::Xlsx => {}
        }
        if shape.closest {
            let len = (bytes.len() - start) as u64;
            self.segments.push(segment(rec, outcome, len));
        }
        Ok(())
    }
}

/// `rec`'s segment of `len` bytes.
fn segment(rec: &CommuneRecord, outcome: &Outcome, len: u64) -> Segment {
    Segment {
        key: rec.to_next.map(|t| t.key),
        row: rec.row,
        len,
        unverified: outcome.unverified,
    }
}

#[cfg(test)]
mod tests {
    use super::row_room;

    /// A batch reserves the usual room until an earlier one took more, then a quarter more
    /// than that; never overflowing.
    #[test]
    fn room_follows_the_largest_batch_seen() {
        assert_eq!(row_room(2048, 0), 2048);
        assert_eq!(row_room(2048, 1600), 2048);
        assert_eq!(row_room(2048, 1639), 2048);
        assert_eq!(row_room(2048, 1640), 2050);
        assert_eq!(row_room(2048, 6849), 8561);
        assert_eq!(row_room(512, usize::MAX), usize::MAX);
    }
}
