//! `ntm evaluate`: read commune files, evaluate every row, render, decide the exit code.

use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::mpsc;

use anyhow::{Context, bail};

use crate::Exit;
use crate::cli::{EvaluateArgs, Format};
use crate::cmd::inputs::Inputs;
use crate::cmd::output::{AtomicFile, Scratch};
use crate::cmd::scan::{DiagSink, display_names, input_meta, scan};
use crate::data::read::{Row, YearFrom};
use crate::diag::Diagnostic;

use crate::eval::{Evaluator, Outcome};
use crate::margin::{Closeness, Margin, rank};
use crate::report::csv::{BOM, CsvSink, write_csv_head, write_errors_csv, write_errors_rows};
use crate::report::json::{
    write_json_around, write_json_commune, write_ndjson_commune, write_ndjson_meta,
};
use crate::report::long::{LongSink, write_long_head};
use crate::report::table::{TableOptions, write_table};
use crate::report::{
    CommuneRecord, Meta, RecordSlot, RulesetSummary, borderline_records, write_data_diagnostics,
};
use crate::ruleset::Ruleset;

/// Run `ntm evaluate`.
///
/// With `--errors-out`, the file is rewritten on every run, so that it always speaks of the
/// last one: a run that stops before reading data (a bad ruleset, `--year` outside its
/// period, an unreadable file) writes the diagnostics or the error that stopped it. Only a
/// file that is one of the run's inputs is left alone (the run is refused).
pub fn run(args: &EvaluateArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<Exit> {
    let Some(path) = args.errors_out.as_deref() else {
        return evaluate(args, None, out, err);
    };
    let mut errors = ErrorsOut {
        path,
        bom: args.bom,
        written: false,
        refused: false,
    };
    let result = evaluate(args, Some(&mut errors), out, err);
    if !errors.written && !errors.refused {
        let why = match &result {
            Ok(_) => Diagnostic::error("not-evaluated", "nothing was evaluated"),
            Err(e) => Diagnostic::error("not-evaluated", format!("nothing was evaluated: {e:#}")),
        };
        // The error that stopped the run says more than one writing the file again.
        let written = errors.write(&[why]);
        if result.is_ok() {
            written?;
        }
    }
    result
}

/// Where `--errors-out` goes, and whether this run has written it yet.
struct ErrorsOut<'a> {
    path: &'a std::path::Path,
    bom: bool,
    /// The file was replaced by this run (committed).
    written: bool,
    /// The file is one of the inputs: it is never written.
    refused: bool,
}

impl ErrorsOut<'_> {
    /// Refuse the file when it is one of `inputs`.
    fn check(&mut self, inputs: &Inputs) -> anyhow::Result<()> {
        let checked = inputs.check("--errors-out", self.path);
        self.refused = checked.is_err();
        checked
    }

    /// Replace the file (atomically) with `diags` as CSV.
    fn write(&mut self, diags: &[Diagnostic]) -> anyhow::Result<()> {
        let mut file = self.open()?;
        write_errors_rows(&mut file, diags).with_context(|| self.context())?;
        self.commit(file)
    }

    /// Start the replacement: its header is written, its rows follow as they are found.
    fn open(&self) -> anyhow::Result<AtomicFile> {
        let mut w = AtomicFile::create(self.path).with_context(|| self.context())?;
        if self.bom {
            w.write_all(BOM).with_context(|| self.context())?;
        }
        write_errors_csv(&mut w, &[]).with_context(|| self.context())?;
        Ok(w)
    }

    /// Put the replacement in place.
    fn commit(&mut self, file: AtomicFile) -> anyhow::Result<()> {
        file.commit().with_context(|| self.context())?;
        self.written = true;
        Ok(())
    }

    fn context(&self) -> String {
        format!("writing --errors-out {}", self.path.display())
    }
}

/// `ntm evaluate`, writing `--errors-out` through `errors` once it knows what to write.
fn evaluate(
    args: &EvaluateArgs,
    mut errors: Option<&mut ErrorsOut<'_>>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let mut inputs = Inputs::default();
    inputs.add_data(&args.input.files);
    if let Some(errors) = errors.as_deref_mut() {
        // A file that cannot be an input cannot be a ruleset either: checked before the
        // ruleset is read, and again with its files once they are known.
        errors.check(&inputs)?;
    }
    let opts = super::read_options(&args.input);
    let (spec, chosen) = super::ruleset_spec(&args.input, &opts, err)?;
    let (rs, src, ruleset_diags) = super::load(&spec, err)?;
    inputs.add_ruleset(&src.files);
    if let Some(errors) = errors.as_deref_mut() {
        errors.check(&inputs)?;
    }
    let Some(rs) = rs else {
        if let Some(errors) = errors.as_deref_mut() {
            errors.write(&ruleset_diags)?;
        }
        return Ok(Exit::Invalid);
    };
    super::check_period(&args.input, &rs)?;
    let fail_below = match &args.fail_below {
        None => None,
        Some(id) => match rs.level_index(id) {
            Some(i) => Some(i),
            None => {
                let ids: Vec<&str> = rs.levels.iter().map(|l| l.id.as_str()).collect();
                bail!(
                    "--fail-below `{id}` is not a level of `{}`: expected one of `{}`",
                    rs.id,
                    ids.join("`, `")
                );
            }
        },
    };
    let names = display_names(&args.input.files);

    // One pass reads, validates, evaluates and renders each row as it comes, into a spool
    // file for every format but the table: the output's head (row counts, digests, the
    // shared year, unverified verdicts) is known only at the end, and a file with a bad
    // cell must print nothing but its diagnostics. Memory stays flat however long the file
    // (issue #7, docs/performance.md).
    let mut first: Option<(i32, YearFrom)> = None;
    let mut same_year = true;
    let mut communes = 0usize;
    let mut unverified = 0usize;
    let mut notes = 0usize;
    let mut below = 0usize;
    let mut table: Vec<CommuneRecord> = Vec::new();
    // With --closest, where each commune's bytes are in the spool and its ranking key: the
    // only per-commune state kept (a few words each), so the output can be reordered at the
    // end without holding it in memory.
    let mut segments: Vec<Placed> = Vec::new();
    let mut spooled = 0u64;
    let mut spool = match args.format {
        Format::Table => None,
        Format::Csv | Format::Json | Format::Ndjson | Format::Long => {
            // Private, and gone however the run ends (`Scratch`).
            Some(Scratch::create("ntm-evaluate").context("creating the output spool")?)
        }
    };
    let ctx = BatchCtx {
        rs: &rs,
        names: &names,
        format: args.format,
        all_levels: args.all_levels,
        fail_below,
        margin: args.margin,
        closest: args.closest.is_some(),
    };
    // --errors-out is written as the diagnostics are found, so none is held in memory.
    let mut errors_file = match errors.as_deref() {
        Some(e) => Some(e.open()?),
        None => None,
    };
    let errors_path = args
        .errors_out
        .as_deref()
        .unwrap_or(std::path::Path::new(""));
    let mut write_rows = errors_file.as_mut().map(|file| {
        move |batch: &[Diagnostic]| -> std::io::Result<()> {
            write_errors_rows(file, batch).map_err(|e| {
                std::io::Error::other(format!(
                    "writing --errors-out {}: {e:#}",
                    errors_path.display()
                ))
            })
        }
    });
    let sink = write_rows.as_mut().map(|w| w as &mut DiagSink<'_>);
    let ends = scan(
        &args.input.files,
        &names,
        &rs,
        &opts,
        true,
        sink,
        |batches| {
            let mut body = spool
                .as_mut()
                .map(|s| std::io::BufWriter::with_capacity(1 << 16, &mut s.file));
            let mut merge = |r: Rendered| -> anyhow::Result<()> {
                if let Some((y, from)) = r.first {
                    match first {
                        None => first = Some((y, from)),
                        Some((fy, _)) => same_year &= fy == y,
                    }
                }
                same_year &= r.same_year;
                unverified += r.unverified;
                notes += r.notes;
                below += r.below;
                table.extend(r.records);
                for seg in r.segments {
                    segments.push(Placed {
                        seg,
                        offset: spooled,
                    });
                    spooled += seg.len;
                }
                if let Some(body) = body.as_mut() {
                    body.write_all(&r.bytes)?;
                }
                Ok(())
            };
            // Batches alternate between a helper thread and this one, and are merged in input
            // order: with the reading thread, both cores stay busy.
            std::thread::scope(|scope| -> anyhow::Result<()> {
                let (to_helper, helper_in) = mpsc::sync_channel::<(usize, Vec<Row>)>(1);
                let (helper_out, from_helper) = mpsc::sync_channel::<anyhow::Result<Rendered>>(1);
                let ctx = &ctx;
                scope.spawn(move || {
                    for (start, rows) in helper_in {
                        if helper_out.send(render(ctx, start, rows)).is_err() {
                            break;
                        }
                    }
                });
                let mut pending = false;
                for (k, rows) in batches.enumerate() {
                    let start = communes;
                    communes += rows.len();
                    if k % 2 == 0 {
                        to_helper
                            .send((start, rows))
                            .map_err(|_| anyhow::anyhow!("the rendering thread stopped"))?;
                        pending = true;
                    } else {
                        let mine = render(ctx, start, rows);
                        if pending {
                            pending = false;
                            merge(helper_result(&from_helper)?)?;
                        }
                        merge(mine?)?;
                    }
                }
                if pending {
                    merge(helper_result(&from_helper)?)?;
                }
                Ok(())
            })?;
            if let Some(mut body) = body {
                body.flush()?;
            }
            Ok(())
        },
    )?;
    let (_, ends, diags) = ends;
    let inputs = input_meta(&names, &ends);
    write_data_diagnostics(err, &diags)?;
    if let (Some(errors), Some(file)) = (errors, errors_file) {
        errors.commit(file)?;
    }
    if diags.errors() > 0 {
        let n = diags.errors();
        writeln!(err, "ntm: {n} error(s) in the input; nothing was evaluated")?;
        return Ok(Exit::Invalid);
    }

    // --closest: the order to list communes in, and the count listed.
    let order: Option<Vec<usize>> = args.closest.map(|n| {
        let keys: Vec<(Option<Closeness>, usize)> =
            segments.iter().map(|p| (p.seg.key, p.seg.row)).collect();
        let mut order = rank(&keys);
        if let Some(n) = n {
            order.truncate(n);
        }
        order
    });
    let (listed, unverified) = match &order {
        Some(o) => (
            o.len(),
            o.iter().filter(|&&i| segments[i].seg.unverified).count(),
        ),
        None => (communes, unverified),
    };
    if let Some(o) = &order {
        let mut slots: Vec<Option<CommuneRecord>> = table.into_iter().map(Some).collect();
        table = o
            .iter()
            .filter_map(|&i| slots.get_mut(i).and_then(Option::take))
            .collect();
    }
    let meta = Meta {
        ntm_version: env!("CARGO_PKG_VERSION"),
        ruleset_id: rs.id.clone(),
        ruleset_sha256: rs.sha256.clone(),
        ruleset_source: src.label.clone(),
        ruleset_chosen_by: chosen.as_ref().map(|c| c.by.clone()),
        year: first.filter(|_| same_year).map(|f| f.0),
        year_source: first.map(|f| f.1),
        inputs,
        communes: listed,
        unverified_verdicts: unverified,
        notes,
    };
    let summary = RulesetSummary::new(&rs);

    let json = args.format == Format::Json;
    let mut copy_body = |out: &mut dyn Write| -> anyhow::Result<()> {
        let Some(spool) = spool.as_mut() else {
            return Ok(());
        };
        match &order {
            None => {
                spool.file.seek(SeekFrom::Start(0))?;
                // In 1 MiB reads rather than io::copy's 8 KiB: the spool can be gigabytes.
                let mut body = std::io::BufReader::with_capacity(1 << 20, &mut spool.file);
                std::io::copy(&mut body, out).context("copying the output spool")?;
            }
            Some(order) => {
                let mut buf = Vec::new();
                for (k, &i) in order.iter().enumerate() {
                    let p = &segments[i];
                    spool.file.seek(SeekFrom::Start(p.offset))?;
                    buf.clear();
                    (&mut spool.file)
                        .take(p.seg.len)
                        .read_to_end(&mut buf)
                        .context("reading the output spool")?;
                    // JSON array elements carry their separator: only the first commune of
                    // the input has none, so re-punctuate for the new order.
                    let mut bytes = buf.as_slice();
                    if json {
                        bytes = bytes.strip_prefix(b",").unwrap_or(bytes);
                        if k > 0 {
                            out.write_all(b",")?;
                        }
                    }
                    out.write_all(bytes)?;
                }
            }
        }
        Ok(())
    };
    match args.format {
        Format::Table => {
            let opts = TableOptions {
                margin: args.margin,
                closest: args.closest.map(|n| (n, communes)),
                lang: crate::lang::Lang::resolve(args.lang),
            };
            if let Some(by) = &meta.ruleset_chosen_by {
                let note = match opts.lang {
                    crate::lang::Lang::En => format!(
                        "ruleset {} chosen by the assessment year ({by}); pass --rules to use another",
                        meta.ruleset_id
                    ),
                    crate::lang::Lang::Vi => format!(
                        "bộ tiêu chí {} được chọn theo năm đánh giá ({by}); dùng --rules để chọn bộ khác",
                        meta.ruleset_id
                    ),
                };
                writeln!(err, "{note}")?;
            }
            write_table(out, &rs, &meta, &table, opts)?;
        }
        Format::Csv => {
            if args.bom {
                out.write_all(BOM)?;
            }
            write_csv_head(out, &meta)?;
            copy_body(out)?;
        }
        Format::Json => write_json_around(out, &meta, &summary, listed, copy_body)?,
        Format::Ndjson => {
            write_ndjson_meta(out, &meta, &summary)?;
            copy_body(out)?;
        }
        Format::Long => {
            if args.bom {
                out.write_all(BOM)?;
            }
            write_long_head(out, &meta)?;
            copy_body(out)?;
        }
    }

    let mut exit = Exit::Success;
    if let Some(level) = fail_below {
        if below > 0 {
            writeln!(
                err,
                "ntm: {below} commune(s) below `{}` (--fail-below)",
                rs.levels[level].id
            )?;
            exit = Exit::Findings;
        }
    }
    if args.strict_sources && meta.unverified_verdicts > 0 {
        writeln!(
            err,
            "ntm: {} verdict(s) rest on unverified thresholds (--strict-sources)",
            meta.unverified_verdicts
        )?;
        exit = Exit::Findings;
    }
    Ok(exit)
}

/// What every batch is rendered with.
struct BatchCtx<'a> {
    rs: &'a Ruleset,
    names: &'a [String],
    format: Format,
    all_levels: bool,
    fail_below: Option<usize>,
    margin: Option<Margin>,
    closest: bool,
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
struct Placed {
    seg: Segment,
    offset: u64,
}

/// One batch of communes, evaluated and rendered.
#[derive(Default)]
struct Rendered {
    /// CSV rows, JSON array elements or NDJSON lines.
    bytes: Vec<u8>,
    /// The records themselves, for the table only.
    records: Vec<CommuneRecord>,
    first: Option<(i32, YearFrom)>,
    same_year: bool,
    unverified: usize,
    notes: usize,
    below: usize,
    /// With --closest, one per commune, in input order.
    segments: Vec<Segment>,
}

fn helper_result(rx: &mpsc::Receiver<anyhow::Result<Rendered>>) -> anyhow::Result<Rendered> {
    rx.recv()
        .map_err(|_| anyhow::anyhow!("the rendering thread stopped"))?
}

/// Evaluate and render `rows`, the first of which is commune `start + 1` of the output.
fn render(cx: &BatchCtx<'_>, start: usize, rows: Vec<Row>) -> anyhow::Result<Rendered> {
    let mut r = Rendered {
        first: rows.first().map(|f| (f.year, f.year_from)),
        same_year: true,
        ..Rendered::default()
    };
    let mut bytes = Vec::with_capacity(rows.len() * 512);
    let mut csv_bytes = Vec::new();
    let mut long_bytes = Vec::new();
    {
        let mut csv = match cx.format {
            Format::Csv => Some(CsvSink::body(&mut csv_bytes)),
            Format::Table | Format::Json | Format::Ndjson | Format::Long => None,
        };
        let mut long = match cx.format {
            Format::Long => Some(LongSink::body(&mut long_bytes)),
            Format::Table | Format::Csv | Format::Json | Format::Ndjson => None,
        };
        // One evaluator and one outcome for the whole batch: thresholds are resolved once per
        // (zone, year) and the outcome's vectors are reused (issue #7).
        let mut evaluator = Evaluator::new(cx.rs);
        let mut slot = None;
        // One record too, refilled row by row, for every format that renders it at once
        // (the table keeps its records).
        let mut record = RecordSlot::default();
        for (i, row) in rows.iter().enumerate() {
            let position = start + i + 1;
            r.same_year &= r.first.is_none_or(|(y, _)| y == row.year);
            let outcome: &Outcome = match slot.as_mut() {
                Some(o) => {
                    evaluator.evaluate_into(row.zone, row.year, &row.values, o);
                    o
                }
                None => slot.insert(evaluator.evaluate(row.zone, row.year, &row.values)),
            };
            r.unverified += usize::from(outcome.unverified);
            r.notes += row.notes.len();
            let file = &cx.names[row.input];
            let rec = record.fill(cx.rs, position, file, row, outcome, cx.all_levels);
            rec.borderline = borderline_records(cx.rs, outcome, &row.values, cx.margin);
            if let Some(level) = cx.fail_below {
                r.below += usize::from(!rec.levels[level].reached);
            }
            if cx.closest {
                // One commune at a time, so each one's bytes can be placed on their own.
                let start = bytes.len();
                match cx.format {
                    Format::Csv => {
                        let mut one = CsvSink::body(&mut bytes);
                        one.write(rec)?;
                        one.finish()?;
                    }
                    Format::Long => {
                        let mut one = LongSink::body(&mut bytes);
                        one.write(cx.rs, rec, &row.values, outcome, cx.margin)?;
                        one.finish()?;
                    }
                    Format::Json => write_json_commune(&mut bytes, position == 1, rec)?,
                    Format::Ndjson => write_ndjson_commune(&mut bytes, rec)?,
                    Format::Table => {}
                }
                r.segments.push(Segment {
                    key: rec.to_next.map(|t| t.key),
                    row: position,
                    len: (bytes.len() - start) as u64,
                    unverified: outcome.unverified,
                });
                if cx.format == Format::Table {
                    r.records.extend(record.take());
                }
                continue;
            }
            match (cx.format, csv.as_mut(), long.as_mut()) {
                (Format::Csv, Some(csv), _) => csv.write(rec)?,
                (Format::Long, _, Some(long)) => {
                    long.write(cx.rs, rec, &row.values, outcome, cx.margin)?;
                }
                (Format::Json, _, _) => write_json_commune(&mut bytes, position == 1, rec)?,
                (Format::Ndjson, _, _) => write_ndjson_commune(&mut bytes, rec)?,
                (Format::Table | Format::Csv | Format::Long, _, _) => {
                    r.records.extend(record.take());
                }
            }
        }
        if let Some(csv) = csv {
            csv.finish()?;
        }
        if let Some(long) = long {
            long.finish()?;
        }
    }
    r.bytes = match cx.format {
        Format::Csv if !cx.closest => csv_bytes,
        Format::Long if !cx.closest => long_bytes,
        Format::Table | Format::Csv | Format::Json | Format::Ndjson | Format::Long => bytes,
    };
    Ok(r)
}
