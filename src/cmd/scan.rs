//! Opening commune data files and handing their rows on: the one place input files are read.
//! CSV is decoded as it streams (`data::decode`); a workbook is read whole (`data::sheet`);
//! both feed the one row reader (`data::read::RowReader`).
//!
//! `scan` streams rows in batches (evaluate); `read_all` collects every row of every file for
//! commands that need them all at once (explain, summary, report, diff, test).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, mpsc};

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};

use crate::data::decode::{self, Encoding, Utf8Watch};
use crate::data::diags::DataDiags;
use crate::data::read::{
    ReadEnd, ReadOptions, RecordSource, Row, RowReader, Seen, SourceInfo, csv_records,
};
use crate::data::records::{Chunks, CsvRecords, Fields, RECORD_LIMIT};
use crate::data::sheet::{self, is_workbook};
use crate::diag::Diagnostic;
use crate::record::InputMeta;
use crate::report::console;
use crate::report::progress::Progress;
use crate::report::write_data_diagnostics;
use crate::ruleset::Ruleset;
use crate::ruleset::parse::hex;

/// Rows are handed between threads in batches this long.
pub(crate) const BATCH: usize = 256;

/// Batches of rows in flight between the reading thread and the consumer: a batch of 256
/// rows of every 2021–2025 measure holds about 0.6 MB, so more would show in peak memory
/// whenever evaluating is slower than reading.
const ROW_BATCHES: usize = 2;

/// What [`scan`] saw of each file: the reader's end (its diagnostics taken out into
/// [`DataDiags`]) and, when asked, the file's SHA-256.
pub(crate) type FileEnds = Vec<(ReadEnd, Option<String>)>;

/// Receives every data diagnostic as it is found, in report order and in batches: how
/// `--errors-out` is written while the files are read.
pub(crate) type DiagSink<'a> = dyn FnMut(&[Diagnostic]) -> std::io::Result<()> + Send + 'a;

/// A file's diagnostics are passed on once this many are held, so memory stays bounded
/// however many cells are bad. A file with fewer has its own diagnostics (unknown columns,
/// replaced characters) before its rows' in the sink; a file with more has them after its
/// first rows'. The printed report keeps them first either way.
const SPILL: usize = 4096;

/// Where the reading thread puts diagnostics: the run's bounded record, and the sink.
struct DiagOut<'s, 'a> {
    diags: DataDiags,
    sink: Option<&'s mut DiagSink<'a>>,
    /// The progress line on a terminal, counted per batch sent.
    progress: Progress,
}

impl DiagOut<'_, '_> {
    fn pass(&mut self, batch: &[Diagnostic]) -> std::io::Result<()> {
        match self.sink.as_mut() {
            Some(sink) if !batch.is_empty() => sink(batch),
            _ => Ok(()),
        }
    }

    /// Diagnostics of rows in the middle of a file.
    fn rows(&mut self, batch: Vec<Diagnostic>) -> std::io::Result<()> {
        self.pass(&batch)?;
        batch.into_iter().for_each(|d| self.diags.push(d));
        Ok(())
    }

    /// At the end of a file: its own diagnostics (reported before those of its rows since
    /// `start`), then the rest of its rows'.
    fn end(
        &mut self,
        start: usize,
        own: Vec<Diagnostic>,
        rest: Vec<Diagnostic>,
    ) -> std::io::Result<()> {
        self.pass(&own)?;
        self.pass(&rest)?;
        self.diags.insert(start, own);
        rest.into_iter().for_each(|d| self.diags.push(d));
        Ok(())
    }
}

/// Read `files` in order on a second thread, handing their good rows (in input order) to
/// `consume` on this one: parsing and coercing overlap evaluating and writing, so both
/// cores work. Memory holds a few batches at most (a workbook is loaded whole), and of the
/// diagnostics only those printed ([`DataDiags`]); every one goes to `sink` as it is found.
///
/// `-` is standard input, which can be read once.
pub(crate) fn scan<T>(
    files: &[PathBuf],
    names: &[String],
    rs: &Ruleset,
    opts: &ReadOptions,
    hash: bool,
    sink: Option<&mut DiagSink<'_>>,
    consume: impl FnOnce(&mut dyn Iterator<Item = Vec<Row>>, &Recycle) -> anyhow::Result<T>,
) -> anyhow::Result<(T, FileEnds, DataDiags)> {
    if files.iter().filter(|p| is_stdin(p)).count() > 1 {
        bail!("standard input (`-`) can be read only once");
    }
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<Vec<Row>>(ROW_BATCHES);
        let (give_back, spent) = mpsc::sync_channel::<Vec<Row>>(ROW_BATCHES);
        let tx = Rows { tx, spent };
        let reader = scope.spawn(move || -> anyhow::Result<(FileEnds, DataDiags)> {
            let mut ends = Vec::with_capacity(files.len());
            // Bytes of total: unknown when standard input is among the files.
            let total = files
                .iter()
                .map(|p| std::fs::metadata(p).ok().map(|m| m.len()))
                .sum();
            let mut out = DiagOut {
                diags: DataDiags::default(),
                sink,
                progress: Progress::new(console::get().progress, total),
            };
            // Commune codes seen in earlier files: duplicates are found across files.
            let mut seen = Seen::default();
            for (i, (path, name)) in files.iter().zip(names).enumerate() {
                let context = || format!("reading data file {name}");
                let mut inner: Box<dyn Read + Send> = if is_stdin(path) {
                    Box::new(std::io::stdin())
                } else {
                    Box::new(std::fs::File::open(path).with_context(context)?)
                };
                let mut head = Vec::with_capacity(8);
                (&mut inner)
                    .take(8)
                    .read_to_end(&mut head)
                    .with_context(context)?;
                let workbook = is_workbook(name, &head);
                // UTF-8 text stops at its first invalid byte: nothing after it is read.
                let utf8 = !workbook
                    && decode::sniff_bom(&head)
                        .or(opts.encoding)
                        .is_none_or(|e| e == Encoding::Utf8);
                let mut src =
                    Hashed::new(inner, &head, hash, utf8, Arc::clone(&out.progress.bytes));
                let start = out.diags.file_start();
                let errors_before = out.diags.errors();
                let read = if workbook {
                    let mut bytes = head;
                    (&mut src)
                        .take(WORKBOOK_LIMIT + 1)
                        .read_to_end(&mut bytes)
                        .with_context(context)?;
                    if bytes.len() as u64 > WORKBOOK_LIMIT {
                        Ok(Some((workbook_too_large(name), 1)))
                    } else {
                        read_workbook(&bytes, name, i, rs, opts, &mut seen, &tx, &mut out)
                    }
                } else {
                    let not_utf8 = Arc::clone(&src.not_utf8);
                    read_csv(
                        head, &mut src, not_utf8, name, i, rs, opts, &mut seen, &tx, &mut out,
                    )
                };
                let Some((mut end, own)) = read.with_context(context)? else {
                    return Ok((ends, out.diags));
                };
                // The file's own diagnostics are the first `own` of the rest.
                let mut rest = std::mem::take(&mut end.diags);
                let mut first: Vec<Diagnostic> =
                    unknown_columns(rs, name, &end).into_iter().collect();
                first.extend(rest.drain(..own));
                out.end(start, first, rest).with_context(context)?;
                if out.diags.errors() > errors_before {
                    // The run stops with exit 2 and names no digest; reading stopped early
                    // (a record over the limit, invalid UTF-8) and must not go on to the end
                    // of a stream that may have none (`/dev/zero`).
                    drop(src);
                    ends.push((end, None));
                    continue;
                }
                std::io::copy(&mut src, &mut std::io::sink()).with_context(context)?;
                let sha256 = src.finish().with_context(context)?;
                ends.push((end, sha256));
            }
            Ok((ends, out.diags))
        });
        let result = consume(&mut rx.into_iter(), &Recycle(give_back));
        let read = reader
            .join()
            .map_err(|_| anyhow::anyhow!("the reading thread panicked"))?;
        let t = result?;
        let (ends, diags) = read?;
        Ok((t, ends, diags))
    })
}

/// The largest workbook read: 256 MiB. A workbook is loaded whole (and unpacked by the
/// workbook reader), so it is bounded before it is read (docs/data.md, "Limits"); a workbook
/// of every commune of the country is a few tens of MB.
pub(crate) const WORKBOOK_LIMIT: u64 = 256 << 20;

/// `workbook-too-large`: nothing of the file is read as rows.
fn workbook_too_large(name: &str) -> ReadEnd {
    ReadEnd {
        diags: vec![
            Diagnostic::error(
                "workbook-too-large",
                format!(
                    "the workbook is larger than {}, the most a workbook may hold; it was not read",
                    crate::data::records::limit_text(WORKBOOK_LIMIT)
                ),
            )
            .at(name, None, None)
            .help(
                "export the sheet as CSV (read as it streams, in any size), or split the workbook",
            ),
        ],
        source: SourceInfo {
            label: name.to_string(),
            ..SourceInfo::default()
        },
        ..ReadEnd::default()
    }
}

/// `-` names standard input.
fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How standard input is named in diagnostics and output.
pub(crate) const STDIN_NAME: &str = "<stdin>";

/// How each file is named in diagnostics and output: as given, standard input as `<stdin>`.
pub(crate) fn display_names(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .map(|p| {
            if is_stdin(p) {
                STDIN_NAME.to_string()
            } else {
                p.display().to_string()
            }
        })
        .collect()
}

/// Decode a CSV stream whose first bytes are `head` and send its rows, with how many of
/// the end's diagnostics are the file's own (they come first). `None` when the consumer
/// stopped listening. `seen` holds the commune codes of earlier files.
///
/// UTF-8 text is split in the chunks the file thread read ([`Handed`]), not copied out of
/// them first; transcoded text is read through the decoder.
#[allow(clippy::too_many_arguments)]
fn read_csv(
    head: Vec<u8>,
    src: &mut Hashed,
    not_utf8: Arc<AtomicBool>,
    name: &str,
    input: usize,
    rs: &Ruleset,
    opts: &ReadOptions,
    seen: &mut Seen,
    tx: &Rows,
    out: &mut DiagOut<'_, '_>,
) -> std::io::Result<Option<(ReadEnd, usize)>> {
    let utf8 = decode::sniff_bom(&head)
        .or(opts.encoding)
        .is_none_or(|e| e == Encoding::Utf8);
    let (encoding, delimiter, replaced, end) = if utf8 {
        let (delimiter, text) =
            decode::delimiter(std::io::Cursor::new(head).chain(&mut *src), opts.delimiter)?;
        // The bytes read to sniff the delimiter come first, as they were read; then what is
        // left of the first 8 bytes; then the file thread's chunks.
        let (sniffed, rest) = text.into_inner();
        let (head, src) = rest.into_inner();
        let left = usize::try_from(head.position()).unwrap_or(usize::MAX);
        let head = head.into_inner().get(left..).unwrap_or_default().to_vec();
        let chunks = Handed {
            ahead: vec![head, sniffed.into_inner()],
            src,
        };
        let records = Split {
            rdr: CsvRecords::from_chunks(chunks, delimiter, RECORD_LIMIT),
            not_utf8: Some(not_utf8),
        };
        let rows =
            RowReader::from_source(records, name, input, rs, opts).with_seen(std::mem::take(seen));
        let end = send(rows, tx, out)?;
        (Encoding::Utf8, delimiter, decode::Replaced::default(), end)
    } else {
        let (encoding, text, replaced) = decode::decode(head, src, opts.encoding);
        let (delimiter, text) = decode::delimiter(text, opts.delimiter)?;
        // Transcoded text is UTF-8 by construction.
        let records = Split {
            rdr: csv_records(text, delimiter),
            not_utf8: None,
        };
        let rows =
            RowReader::from_source(records, name, input, rs, opts).with_seen(std::mem::take(seen));
        let end = send(rows, tx, out)?;
        (encoding, delimiter, replaced, end)
    };
    Ok(end.map(|mut end| {
        let of_rows = end.diags.len();
        if replaced.count() > 0 {
            end.diags.insert(
                0,
                Diagnostic::warning(
                    "replaced-characters",
                    format!(
                        "{} character(s) could not be decoded as {} and read as `\u{FFFD}`",
                        replaced.count(),
                        encoding.name()
                    ),
                )
                .at(name, None, None)
                .help("the file is damaged or in another encoding: check names and values showing `\u{FFFD}`"),
            );
        }
        *seen = std::mem::take(&mut end.seen);
        if let Some(sheet) = &opts.sheet {
            end.diags.insert(
                0,
                ignored(
                    name,
                    &format!("--sheet `{sheet}`"),
                    "a CSV file",
                    "workbooks",
                ),
            );
        }
        end.source = SourceInfo {
            label: name.to_string(),
            format: "csv",
            encoding: Some(encoding.name()),
            delimiter: Some(char::from(delimiter)),
            sheet: None,
        };
        let own = end.diags.len() - of_rows;
        (end, own)
    }))
}

/// The records of a CSV stream, split as the rows are read.
struct Split<C> {
    rdr: CsvRecords<C>,
    /// For text read as it is (not transcoded): set once its bytes are not all UTF-8.
    not_utf8: Option<Arc<AtomicBool>>,
}

impl<C: Chunks> RecordSource for Split<C> {
    /// The file's bytes were checked as they were read: while all of them are UTF-8, so is
    /// every record split from them (cut only at ASCII delimiters, quotes and line ends).
    fn known_utf8(&self) -> bool {
        self.not_utf8
            .as_ref()
            .is_none_or(|bad| !bad.load(Ordering::Acquire))
    }

    fn read_record(&mut self, rec: &mut csv::ByteRecord) -> csv::Result<bool> {
        self.rdr.read_byte_record(rec)
    }

    fn read_fields(&mut self, rec: &mut Fields) -> csv::Result<bool> {
        self.rdr.read_fields(rec)
    }
}

/// A UTF-8 stream as the splitter takes it: the bytes read ahead on this thread (each a
/// chunk, in order; empty ones skipped), then the file thread's chunks, handed on whole.
struct Handed<'a> {
    /// Read ahead, the first last.
    ahead: Vec<Vec<u8>>,
    src: &'a mut Hashed,
}

impl Chunks for Handed<'_> {
    fn next_chunk(&mut self, _want: usize, spent: Vec<u8>) -> std::io::Result<Vec<u8>> {
        while let Some(chunk) = self.ahead.pop() {
            if !chunk.is_empty() {
                return Ok(chunk);
            }
        }
        self.src.next_chunk(spent)
    }
}

/// Open the worksheet of a workbook and send its rows, with how many of the end's
/// diagnostics are the file's own (they come first). `None` when the consumer stopped
/// listening. `seen` holds the commune codes of earlier files.
#[allow(clippy::too_many_arguments)]
fn read_workbook(
    bytes: &[u8],
    name: &str,
    input: usize,
    rs: &Ruleset,
    opts: &ReadOptions,
    seen: &mut Seen,
    tx: &Rows,
    out: &mut DiagOut<'_, '_>,
) -> std::io::Result<Option<(ReadEnd, usize)>> {
    let records = match sheet::open(bytes, opts.sheet.as_deref(), name) {
        Ok(records) => records,
        Err(d) => {
            let end = ReadEnd {
                diags: vec![*d],
                source: SourceInfo {
                    label: name.to_string(),
                    ..SourceInfo::default()
                },
                ..ReadEnd::default()
            };
            return Ok(Some((end, 1)));
        }
    };
    let source = SourceInfo {
        label: format!("{name}[{}]", records.sheet),
        format: records.format,
        encoding: None,
        delimiter: None,
        sheet: Some(records.sheet.clone()),
    };
    let others: Vec<String> = records
        .sheets
        .iter()
        .filter(|s| **s != records.sheet)
        .cloned()
        .collect();
    let rows = RowReader::from_source(records, &source.label, input, rs, opts)
        .with_seen(std::mem::take(seen));
    let Some(mut end) = send(rows, tx, out)? else {
        return Ok(None);
    };
    let of_rows = end.diags.len();
    *seen = std::mem::take(&mut end.seen);
    for (given, flag) in [
        (opts.encoding.is_some(), "--encoding"),
        (opts.delimiter.is_some(), "--delimiter"),
    ] {
        if given {
            end.diags
                .insert(0, ignored(name, flag, "a workbook", "CSV files"));
        }
    }
    end.source = source;
    if !others.is_empty() {
        for d in &mut end.diags {
            if d.code == "header-not-found" {
                let help = d.help.take().unwrap_or_default();
                d.help = Some(format!(
                    "{help}; or read another sheet with --sheet: `{}`",
                    others.join("`, `")
                ));
            }
        }
    }
    let own = end.diags.len() - of_rows;
    Ok(Some((end, own)))
}

/// The warning for an option that does not apply to this kind of file.
fn ignored(name: &str, option: &str, this: &str, applies: &str) -> Diagnostic {
    Diagnostic::warning(
        "option-ignored",
        format!("{option} is ignored: the file is {this}, and it applies to {applies}"),
    )
    .at(name, None, None)
}

/// Where the reading thread sends its batches of rows, and gets back those done with.
struct Rows {
    tx: mpsc::SyncSender<Vec<Row>>,
    spent: mpsc::Receiver<Vec<Row>>,
}

/// Hands batches of rows done with back to the reading thread, which reads the next rows
/// into them ([`RowReader::recycle`]): rows are then neither allocated per row there nor
/// freed on the other threads.
pub(crate) struct Recycle(mpsc::SyncSender<Vec<Row>>);

impl Recycle {
    /// Give `rows` back; dropped when the reading thread holds enough.
    pub(crate) fn give(&self, rows: Vec<Row>) {
        let _ = self.0.try_send(rows);
    }
}

/// Send `rows` in batches (the last one at the end of the file), and their diagnostics to
/// `out` whenever [`SPILL`] are held. `None` when the consumer stopped listening.
fn send<S: RecordSource>(
    rows: RowReader<'_, S>,
    to: &Rows,
    out: &mut DiagOut<'_, '_>,
) -> std::io::Result<Option<ReadEnd>> {
    let tx = &to.tx;
    let mut rows = rows.pause_at(SPILL);
    // The batch being read: its first `filled` rows are read, the others are spent rows
    // (a batch handed back whole) to read into where they lie, so no row is moved
    // (issue #14).
    let mut batch: Vec<Row> = Vec::with_capacity(BATCH);
    let mut filled = 0;
    loop {
        if filled == 0 {
            while let Ok(spent) = to.spent.try_recv() {
                if batch.is_empty() {
                    batch = spent;
                } else {
                    rows.recycle(spent);
                }
            }
        }
        if filled == batch.len() {
            batch.push(rows.spare_row());
        }
        let Some(row) = batch.get_mut(filled) else {
            break;
        };
        if !rows.next_row_into(row) {
            if rows.paused() {
                out.rows(rows.take_diags())?;
                continue;
            }
            break;
        }
        filled += 1;
        if filled == BATCH {
            batch.truncate(BATCH);
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            filled = 0;
            if tx.send(full).is_err() {
                return Ok(None);
            }
            out.progress.rows(BATCH);
        }
    }
    batch.truncate(filled);
    if !batch.is_empty() && tx.send(batch).is_err() {
        return Ok(None);
    }
    Ok(Some(rows.finish()))
}

/// Every row of every file, read without error, in input order.
pub(crate) struct AllRows {
    /// The rows.
    pub rows: Vec<Row>,
    /// Display names of the files, indexed by `Row::input`.
    pub names: Vec<String>,
    /// Per file: its reader's end and SHA-256.
    pub ends: FileEnds,
}

/// Read every row of `files`, printing every diagnostic (with the `unknown-columns` warning)
/// to `err`. `None` when any is an error: the caller exits 2 and prints nothing else.
pub(crate) fn read_all(
    files: &[PathBuf],
    rs: &Ruleset,
    opts: &ReadOptions,
    err: &mut dyn Write,
) -> anyhow::Result<Option<AllRows>> {
    let names = display_names(files);
    let (rows, ends, diags) = scan(files, &names, rs, opts, true, None, |batches, _| {
        Ok(batches.flatten().collect::<Vec<Row>>())
    })?;
    if !report_diags(&diags, err)? {
        return Ok(None);
    }
    Ok(Some(AllRows { rows, names, ends }))
}

/// Print the data diagnostics (the first ones, then counts by code); `false` when any is an
/// error, after saying that nothing was evaluated: the caller exits 2.
pub(crate) fn report_diags(diags: &DataDiags, err: &mut dyn Write) -> anyhow::Result<bool> {
    write_data_diagnostics(err, diags)?;
    if diags.errors() > 0 {
        writeln!(
            err,
            "ntm: {} error(s) in the input; nothing was evaluated",
            diags.errors()
        )?;
        return Ok(false);
    }
    Ok(true)
}

/// The warning for the columns of a file that the ruleset does not read.
fn unknown_columns(rs: &Ruleset, name: &str, end: &ReadEnd) -> Option<Diagnostic> {
    if end.unknown_columns.is_empty() {
        return None;
    }
    let label = if end.source.label.is_empty() {
        name
    } else {
        &end.source.label
    };
    Some(
        Diagnostic::warning(
            "unknown-columns",
            format!(
                "{} column(s) not in ruleset `{}` are ignored: {}",
                end.unknown_columns.len(),
                rs.id,
                crate::text::echo_list(&end.unknown_columns)
            ),
        )
        .at(label, Some(end.header_line.unwrap_or(1)), None),
    )
}

/// The `inputs` of a run's meta: each file's path, digest, rows seen and how it was read.
pub(crate) fn input_meta(names: &[String], ends: &FileEnds) -> Vec<InputMeta> {
    names
        .iter()
        .zip(ends)
        .map(|(name, (end, sha256))| InputMeta {
            path: name.clone(),
            sha256: sha256.clone().unwrap_or_default(),
            rows: end.records,
            format: end.source.format,
            encoding: end.source.encoding,
            delimiter: end.source.delimiter.map(String::from),
            sheet: end.source.sheet.clone(),
            header_row: end.header_line,
        })
        .collect()
}

/// Bytes read on their own thread, which also hashes them when asked: SHA-256 of a large
/// file costs as much as a third of parsing it, so it runs beside the rows thread, which
/// splits the records (issue #7). Buffers go back and forth, so nothing is allocated per
/// chunk and memory stays at a few chunks.
struct Hashed {
    /// Set once the bytes read are not UTF-8 (see [`Utf8Watch`]).
    not_utf8: Arc<AtomicBool>,
    chunks: mpsc::Receiver<std::io::Result<Vec<u8>>>,
    spent: mpsc::SyncSender<Vec<u8>>,
    current: Vec<u8>,
    at: usize,
    done: bool,
    digest: Option<std::thread::JoinHandle<Option<String>>>,
}

/// Bytes per chunk handed from the file thread to the rows thread.
pub const CHUNK: usize = 1 << 17;

/// Chunks in flight between the two threads.
const CHUNKS: usize = 2;

impl Hashed {
    /// Read `inner`, whose first bytes `head` were read already (they are hashed and
    /// checked here, not handed on). `stop_at_invalid_utf8`: the stream is read as UTF-8, so
    /// nothing is read after the chunk holding its first invalid byte (the row reader stops
    /// at that record). `read` counts the bytes read, for the progress line.
    fn new(
        mut inner: Box<dyn Read + Send>,
        head: &[u8],
        hash: bool,
        stop_at_invalid_utf8: bool,
        read: Arc<AtomicU64>,
    ) -> Self {
        let (to_parser, chunks) = mpsc::sync_channel(CHUNKS);
        let (spent, recycled) = mpsc::sync_channel::<Vec<u8>>(CHUNKS + 1);
        let not_utf8 = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&not_utf8);
        let mut hasher = hash.then(Sha256::new);
        if let Some(h) = &mut hasher {
            h.update(head);
        }
        let mut watch = Utf8Watch::default();
        watch.feed(head);
        read.fetch_add(head.len() as u64, Ordering::Relaxed);
        let digest = std::thread::spawn(move || {
            loop {
                let mut buf = recycled.try_recv().unwrap_or_default();
                buf.resize(CHUNK, 0);
                let n = match read_full(&mut inner, &mut buf) {
                    Ok(n) => n,
                    Err(e) => {
                        let _ = to_parser.send(Err(e));
                        return None;
                    }
                };
                buf.truncate(n);
                read.fetch_add(n as u64, Ordering::Relaxed);
                if let Some(h) = &mut hasher {
                    h.update(&buf);
                }
                // Before the chunk is handed on, so the flag covers every byte parsed.
                watch.feed(&buf);
                if !watch.valid(n == 0) {
                    flag.store(true, Ordering::Release);
                }
                if n == 0 || to_parser.send(Ok(buf)).is_err() {
                    break;
                }
                if stop_at_invalid_utf8 && !watch.valid(false) {
                    return None;
                }
            }
            hasher.map(|h| hex(&h.finalize()))
        });
        Hashed {
            not_utf8,
            chunks,
            spent,
            current: Vec::new(),
            at: 0,
            done: false,
            digest: Some(digest),
        }
    }

    /// The SHA-256 of everything read, once the stream is read to its end (`None` when not
    /// asked for).
    fn finish(mut self) -> std::io::Result<Option<String>> {
        match self.digest.take().map(std::thread::JoinHandle::join) {
            Some(Ok(digest)) => Ok(digest),
            Some(Err(_)) => Err(std::io::Error::other("the file reading thread stopped")),
            None => Ok(None),
        }
    }
}

impl Hashed {
    /// The next chunk read, whole (empty at the end): what is left of the chunk being read
    /// first. `spent` goes back to the file thread, to be filled again.
    fn next_chunk(&mut self, spent: Vec<u8>) -> std::io::Result<Vec<u8>> {
        if spent.capacity() > 0 {
            let _ = self.spent.try_send(spent);
        }
        if self.at < self.current.len() {
            let mut rest = std::mem::take(&mut self.current);
            // Once per file, after the delimiter was sniffed.
            rest.drain(..self.at);
            self.at = 0;
            return Ok(rest);
        }
        if self.done {
            return Ok(Vec::new());
        }
        match self.chunks.recv() {
            Ok(chunk) => {
                let chunk = chunk?;
                self.done = chunk.is_empty();
                Ok(chunk)
            }
            Err(_) => {
                self.done = true;
                Ok(Vec::new())
            }
        }
    }
}

/// Fill `buf` as far as the stream allows; fewer bytes only at its end.
fn read_full(inner: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match inner.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

impl Read for Hashed {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.current.len() {
            if self.done {
                return Ok(0);
            }
            let next = match self.chunks.recv() {
                Ok(chunk) => chunk?,
                Err(_) => {
                    self.done = true;
                    return Ok(0);
                }
            };
            let spent = std::mem::replace(&mut self.current, next);
            let _ = self.spent.try_send(spent);
            self.at = 0;
            if self.current.is_empty() {
                self.done = true;
            }
        }
        let n = buf.len().min(self.current.len() - self.at);
        buf[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
