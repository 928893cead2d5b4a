//! `ntm evaluate`: read commune files, evaluate every row, render, decide the exit code.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::mpsc;

use anyhow::{Context, bail};

use crate::Exit;
use crate::cli::{EvaluateArgs, Format};
use crate::cmd::scan::{display_names, end_diagnostics, input_meta, scan};
use crate::data::read::{Row, YearFrom};
use crate::diag::Diagnostic;
use crate::diag::has_errors;
use crate::eval::{Evaluator, Outcome};
use crate::margin::{Closeness, Margin, rank};
use crate::report::csv::{BOM, CsvSink, write_csv_head, write_errors_csv};
use crate::report::json::{
    write_json_around, write_json_commune, write_ndjson_commune, write_ndjson_meta,
};
use crate::report::long::{LongSink, write_long_head};
use crate::report::table::{TableOptions, write_table};
use crate::report::{
    CommuneRecord, Meta, RecordSlot, RulesetSummary, borderline_records, write_diagnostics,
};
use crate::ruleset::Ruleset;

/// Run `ntm evaluate`.
pub fn run(args: &EvaluateArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<Exit> {
    let Some(super::Prepared {
        rs,
        src,
        opts,
        chosen,
    }) = super::prepare(&args.input, err)?
    else {
        return Ok(Exit::Invalid);
    };
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
    if let Some(path) = &args.errors_out {
        refuse_input_as_output(path, &args.input.files)?;
    }
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
        Format::Csv | Format::Json | Format::Ndjson | Format::Long => Some(Spool::create()?),
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
    let ends = scan(&args.input.files, &names, &rs, &opts, true, |batches| {
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
    })?;
    let (_, mut ends) = ends;
    let diags = end_diagnostics(&rs, &names, &mut ends);
    let inputs = input_meta(&names, &ends);
    write_diagnostics(err, &diags)?;
    if let Some(path) = &args.errors_out {
        write_errors_out(path, &diags, args.bom)?;
    }
    if has_errors(&diags) {
        let n = diags.iter().filter(|d| d.is_error()).count();
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

/// `--errors-out` must not name an input file: it is written after the inputs are read, and
/// would replace the office's data with its errors.
fn refuse_input_as_output(out: &std::path::Path, inputs: &[PathBuf]) -> anyhow::Result<()> {
    let Ok(out_abs) = std::fs::canonicalize(out) else {
        return Ok(()); // Not there yet: it cannot be an input.
    };
    for input in inputs {
        if std::fs::canonicalize(input).is_ok_and(|i| i == out_abs) {
            bail!(
                "--errors-out {} is also an input file: it would be overwritten; name another file",
                out.display()
            );
        }
    }
    Ok(())
}

/// `--errors-out`: every data diagnostic as CSV, written whatever the exit code.
fn write_errors_out(path: &std::path::Path, diags: &[Diagnostic], bom: bool) -> anyhow::Result<()> {
    let context = || format!("writing --errors-out {}", path.display());
    let file = std::fs::File::create(path).with_context(context)?;
    let mut w = std::io::BufWriter::new(file);
    if bom {
        w.write_all(BOM).with_context(context)?;
    }
    write_errors_csv(&mut w, diags).with_context(context)?;
    w.flush().with_context(context)?;
    Ok(())
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

/// A temporary file holding the rendered communes until the output's head is known; removed
/// when dropped. It grows with the output, memory does not.
struct Spool {
    path: PathBuf,
    file: std::fs::File,
}

impl Spool {
    fn create() -> anyhow::Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path =
            std::env::temp_dir().join(format!("ntm-evaluate-{}-{nanos}.spool", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .with_context(|| format!("creating the output spool {}", path.display()))?;
        Ok(Spool { path, file })
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
