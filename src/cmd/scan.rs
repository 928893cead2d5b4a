//! Opening commune data files and handing their rows on: the one place input files are read.
//!
//! `scan` streams rows in batches (evaluate); `read_all` collects every row of every file for
//! commands that need them all at once (explain, summary, report, diff, test).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::mpsc;

use anyhow::Context;
use sha2::{Digest, Sha256};

use crate::data::read::{ReadEnd, ReadOptions, Row, RowReader};
use crate::diag::{Diagnostic, has_errors};
use crate::report::{InputMeta, write_diagnostics};
use crate::ruleset::Ruleset;
use crate::ruleset::load::hex;

/// Rows are handed between threads in batches this long.
pub const BATCH: usize = 512;

/// What [`scan`] saw of each file: the reader's end and, when asked, the file's SHA-256.
pub type FileEnds = Vec<(ReadEnd, Option<String>)>;

/// Read `files` in order on a second thread, handing their good rows (in input order) to
/// `consume` on this one: parsing and coercing overlap evaluating and writing, so both
/// cores work. Memory holds a few batches at most.
pub fn scan<T>(
    files: &[PathBuf],
    names: &[String],
    rs: &Ruleset,
    opts: &ReadOptions,
    hash: bool,
    consume: impl FnOnce(&mut dyn Iterator<Item = Vec<Row>>) -> anyhow::Result<T>,
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
        let result = consume(&mut rx.into_iter());
        let ends = reader
            .join()
            .map_err(|_| anyhow::anyhow!("the reading thread panicked"))?;
        let t = result?;
        Ok((t, ends?))
    })
}

/// Every row of every file, read without error, in input order.
pub struct AllRows {
    /// The rows.
    pub rows: Vec<Row>,
    /// Display names of the files, indexed by `Row::input`.
    pub names: Vec<String>,
    /// Per file: its reader's end and SHA-256.
    pub ends: FileEnds,
}

/// Read every row of `files`, printing every diagnostic (with the `unknown-columns` warning)
/// to `err`. `None` when any is an error: the caller exits 2 and prints nothing else.
pub fn read_all(
    files: &[PathBuf],
    rs: &Ruleset,
    opts: &ReadOptions,
    err: &mut dyn Write,
) -> anyhow::Result<Option<AllRows>> {
    let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let (rows, mut ends) = scan(files, &names, rs, opts, true, |batches| {
        Ok(batches.flatten().collect::<Vec<Row>>())
    })?;
    if !report_ends(rs, &names, &mut ends, err)? {
        return Ok(None);
    }
    Ok(Some(AllRows { rows, names, ends }))
}

/// Print the diagnostics of every file (see [`end_diagnostics`]); `false` when any is an
/// error, after saying that nothing was evaluated: the caller exits 2.
pub fn report_ends(
    rs: &Ruleset,
    names: &[String],
    ends: &mut FileEnds,
    err: &mut dyn Write,
) -> anyhow::Result<bool> {
    let diags = end_diagnostics(rs, names, ends);
    write_diagnostics(err, &diags)?;
    if has_errors(&diags) {
        let n = diags.iter().filter(|d| d.is_error()).count();
        writeln!(err, "ntm: {n} error(s) in the input; nothing was evaluated")?;
        return Ok(false);
    }
    Ok(true)
}

/// The diagnostics of every file, in file order, each file's `unknown-columns` warning first.
/// Takes them out of `ends`.
pub fn end_diagnostics(rs: &Ruleset, names: &[String], ends: &mut FileEnds) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for (name, (end, _)) in names.iter().zip(ends.iter_mut()) {
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
        diags.append(&mut end.diags);
    }
    diags
}

/// The `inputs` of a run's meta: each file's path, digest and rows seen.
pub fn input_meta(names: &[String], ends: &FileEnds) -> Vec<InputMeta> {
    names
        .iter()
        .zip(ends)
        .map(|(name, (end, sha256))| InputMeta {
            path: name.clone(),
            sha256: sha256.clone().unwrap_or_default(),
            rows: end.records,
        })
        .collect()
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
