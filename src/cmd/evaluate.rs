//! `ntm evaluate`: read commune files, evaluate every row, render, decide the exit code.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::mpsc;

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};

use crate::Exit;
use crate::cli::{EvaluateArgs, Format};
use crate::data::read::{ReadEnd, ReadOptions, Row, RowReader, YearFrom};
use crate::diag::{Diagnostic, has_errors};
use crate::eval::evaluate;
use crate::report::csv::CsvSink;
use crate::report::json::{write_json_iter, write_ndjson_commune, write_ndjson_meta};
use crate::report::table::write_table;
use crate::report::{CommuneRecord, InputMeta, Meta, RulesetSummary, write_diagnostics};
use crate::ruleset::Ruleset;

/// Run `ntm evaluate`.
pub fn run(args: &EvaluateArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<Exit> {
    let (rs, src, _) = super::load(&args.rules.rules, err)?;
    let Some(rs) = rs else {
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
    if let Some(y) = args.year {
        if !args.allow_out_of_period && (y < rs.period.0 || y > rs.period.1) {
            bail!(
                "--year {y} is outside the period {}–{} of ruleset `{}` (pass --allow-out-of-period to assess it anyway)",
                rs.period.0,
                rs.period.1,
                rs.id
            );
        }
    }
    let opts = ReadOptions {
        year: args.year,
        allow_out_of_period: args.allow_out_of_period,
        allow_missing: args.allow_missing,
        province_set: args.province_set,
    };

    let names: Vec<String> = args.files.iter().map(|p| p.display().to_string()).collect();

    // Pass 1 validates every row and gathers what the output's header needs (row counts,
    // digests, the shared year, unverified verdicts) without keeping rows: memory stays flat
    // however long the file, and a file with a bad cell still prints nothing but its
    // diagnostics (issue #7, docs/performance.md).
    let mut first: Option<(i32, YearFrom)> = None;
    let mut same_year = true;
    let mut communes = 0usize;
    let mut unverified = 0usize;
    let ends = scan(&args.files, &names, &rs, &opts, true, |rows| {
        for row in rows {
            match first {
                None => first = Some((row.year, row.year_from)),
                Some((y, _)) => same_year &= y == row.year,
            }
            communes += 1;
            unverified += usize::from(evaluate(&rs, row.zone, row.year, &row.values).unverified);
        }
        Ok(())
    })?;
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut inputs = Vec::new();
    for (name, (end, sha256)) in names.iter().zip(ends.1) {
        if !end.unknown_columns.is_empty() {
            diags.push(
                Diagnostic::warning(
                    "unknown-columns",
                    format!(
                        "{} column(s) not in ruleset `{}` are ignored: `{}`",
                        end.unknown_columns.len(),
                        rs.id,
                        end.unknown_columns.join("`, `")
                    ),
                )
                .at(name, Some(1), None),
            );
        }
        diags.extend(end.diags);
        inputs.push(InputMeta {
            path: name.clone(),
            sha256: sha256.unwrap_or_default(),
            rows: end.records,
        });
    }
    write_diagnostics(err, &diags)?;
    if has_errors(&diags) {
        let n = diags.iter().filter(|d| d.is_error()).count();
        writeln!(err, "ntm: {n} error(s) in the input; nothing was evaluated")?;
        return Ok(Exit::Invalid);
    }

    let meta = Meta {
        ntm_version: env!("CARGO_PKG_VERSION"),
        ruleset_id: rs.id.clone(),
        ruleset_sha256: rs.sha256.clone(),
        ruleset_source: src.label.clone(),
        year: first.filter(|_| same_year).map(|f| f.0),
        year_source: first.map(|f| f.1),
        inputs,
        communes,
        unverified_verdicts: unverified,
    };
    let summary = RulesetSummary::new(&rs);

    // Pass 2 reads the files again and writes each commune as it is evaluated.
    let mut below = 0usize;
    let mut written = 0usize;
    let (_, ends2) = scan(&args.files, &names, &rs, &opts, false, |rows| {
        let mut records = rows.map(|row| {
            written += 1;
            let outcome = evaluate(&rs, row.zone, row.year, &row.values);
            let rec = CommuneRecord::new(
                &rs,
                written,
                &names[row.input],
                &row,
                &outcome,
                args.all_levels,
            );
            if let Some(level) = fail_below {
                below += usize::from(!rec.levels[level].reached);
            }
            rec
        });
        match args.format {
            Format::Table => {
                let records: Vec<CommuneRecord> = records.collect();
                write_table(out, &rs, &meta, &records)?;
            }
            Format::Csv => {
                let mut sink = CsvSink::start(out, &meta)?;
                for rec in &mut records {
                    sink.write(&rec)?;
                }
                sink.finish()?;
            }
            Format::Json => write_json_iter(out, &meta, &summary, &mut records)?,
            Format::Ndjson => {
                write_ndjson_meta(out, &meta, &summary)?;
                for rec in &mut records {
                    write_ndjson_commune(out, &rec)?;
                }
            }
        }
        Ok(())
    })?;
    let changed = written != communes
        || ends2
            .iter()
            .zip(&meta.inputs)
            .any(|((end, _), input)| end.records != input.rows || has_errors(&end.diags));
    if changed {
        bail!("a data file changed while it was being evaluated; run again");
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

/// Rows are handed between threads in batches this long.
const BATCH: usize = 512;

/// What [`scan`] saw of each file: the reader's end and, when asked, the file's SHA-256.
type FileEnds = Vec<(ReadEnd, Option<String>)>;

/// Read `files` in order on a second thread, handing their good rows (in input order) to
/// `consume` on this one: parsing and coercing overlap evaluating and writing, so both
/// cores work. Memory holds a few batches at most.
fn scan<T>(
    files: &[PathBuf],
    names: &[String],
    rs: &Ruleset,
    opts: &ReadOptions,
    hash: bool,
    consume: impl FnOnce(&mut dyn Iterator<Item = Row>) -> anyhow::Result<T>,
) -> anyhow::Result<(T, FileEnds)> {
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<Vec<Row>>(8);
        let reader = scope.spawn(move || -> anyhow::Result<FileEnds> {
            let mut ends = Vec::with_capacity(files.len());
            for (i, (path, name)) in files.iter().zip(names).enumerate() {
                let context = || format!("reading data file {name}");
                let file = std::fs::File::open(path).with_context(context)?;
                let mut src = Hashing {
                    inner: file,
                    hasher: hash.then(Sha256::new),
                };
                let bom = strip_bom(&mut src).with_context(context)?;
                let mut rows =
                    RowReader::new(std::io::Cursor::new(bom).chain(&mut src), name, i, rs, opts);
                let mut batch = Vec::with_capacity(BATCH);
                while let Some(row) = rows.next_row() {
                    batch.push(row);
                    if batch.len() == BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        if tx.send(full).is_err() {
                            return Ok(ends);
                        }
                    }
                }
                if !batch.is_empty() && tx.send(batch).is_err() {
                    return Ok(ends);
                }
                let end = rows.finish();
                std::io::copy(&mut src, &mut std::io::sink()).with_context(context)?;
                let sha256 = src.hasher.map(|h| hex(&h.finalize()));
                ends.push((end, sha256));
            }
            Ok(ends)
        });
        let result = consume(&mut rx.into_iter().flatten());
        let ends = reader
            .join()
            .map_err(|_| anyhow::anyhow!("the reading thread panicked"))?;
        let t = result?;
        Ok((t, ends?))
    })
}

/// Reads through to `inner`, hashing what passes.
struct Hashing<R> {
    inner: R,
    hasher: Option<Sha256>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = &mut self.hasher {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// Consume a leading UTF-8 byte-order mark; return the bytes read that are not one.
fn strip_bom(src: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(3);
    src.take(3).read_to_end(&mut head)?;
    if head == b"\xEF\xBB\xBF" {
        head.clear();
    }
    Ok(head)
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}
