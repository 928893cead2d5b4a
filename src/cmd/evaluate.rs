//! `ntm evaluate`: read commune files, evaluate every row, render, decide the exit code.

use std::io::{IsTerminal, Write};
use std::sync::mpsc;

use anyhow::{Context, bail};

use crate::Exit;
use crate::cli::EvaluateArgs;
use crate::cmd::choose::{self, YearCount};
use crate::cmd::inputs::Inputs;
use crate::cmd::meta::MetaFile;
use crate::cmd::output::{AtomicFile, Scratch};
use crate::cmd::scan::{DiagSink, display_names, input_meta, scan};
use crate::data::read::{Row, YearFrom};
use crate::diag::Diagnostic;
use crate::eval::{Evaluator, Outcome, Scope};
use crate::margin::Margin;
use crate::record::{RecordSlot, RunTally, borderline_records};
use crate::report::csv::{BOM, Evaluated, Phrasebooks, write_errors_csv, write_errors_rows};
use crate::report::sink::{Piece, Shape, Sink, SinkOptions};
use crate::report::write_data_diagnostics;
use crate::ruleset::Ruleset;

/// Run `ntm evaluate`.
///
/// With `--errors-out`, the file is rewritten on every run, so that it always speaks of the
/// last one: a run that stops before reading data (a bad ruleset, `--year` outside its
/// period, an unreadable file) writes the diagnostics or the error that stopped it. Only a
/// file that is one of the run's inputs is left alone (the run is refused).
pub(crate) fn run(
    args: &EvaluateArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<Exit> {
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
        let mut w = AtomicFile::begin(self.path).with_context(|| self.context())?;
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
///
/// Without `--rules` or `--year`, a large input is not read ahead for its years (issue
/// #14): the pass runs with the built-in set its first year guesses, counting every row's
/// year, and its end checks that reading ahead would have chosen the same set
/// ([`choose::Guess`]). Until then nothing is written anywhere but to temporary files and
/// memory; if the guess was wrong, or the pass stopped early, all of it is dropped and the
/// run starts again as it would have without the guess. Either way the output is the one
/// the choice made ahead gives.
///
/// JSON and NDJSON to standard output stream on the guess too (reading ahead cost them about
/// a twelfth of the run): their communes are out before the pass ends, so a guess the end
/// does not confirm cannot be taken back. The run then fails as reading ahead would have
/// failed (the years span two sets' periods, a year in no set's period, the chosen set's
/// columns missing), after the communes, which the sink ends as incomplete: every commune
/// written was evaluated with the set of its own year's period (under
/// `--allow-out-of-period` they read ahead, as before), and no output that ends with its
/// `meta` is ever one a read ahead would not have given.
fn evaluate(
    args: &EvaluateArgs,
    mut errors: Option<&mut ErrorsOut<'_>>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let mut pick = Pick::Choose;
    // JSON and NDJSON stream before the choice is confirmed: into -o's temporary file, or
    // to standard output, watched so that a guess not confirmed is not run again over it.
    // Not under --allow-out-of-period, where a row of another set's period would be printed
    // with the guessed set's verdict before the run is refused.
    let guess = (args.input.rules.rules.is_none()
        && (args.output.is_some() || !args.input.allow_out_of_period || !streams_out(args)))
    .then(|| choose::guess(&args.input))
    .flatten();
    if let Some(guess) = guess {
        let guessed = guess.id;
        // What the pass prints is held until the choice is confirmed.
        let mut held = Vec::new();
        let mut confirmed = false;
        let mut watched = Watched { out, wrote: false };
        let result = evaluate_with(
            args,
            errors.as_deref_mut(),
            &mut watched,
            &mut held,
            Pick::Guess(guess),
            &mut confirmed,
        );
        if watched.wrote && !confirmed {
            // Streamed on a guess the pass did not confirm: no second pass can take back
            // what is out.
            return unconfirmed_stream(args, guessed, result, &held, err).map(Run::exit);
        }
        match result {
            Ok(Run::Redo(choice)) => pick = choice.map_or(Pick::Choose, Pick::Chosen),
            // Stopped before the choice was confirmed: as if it had not been guessed.
            Err(_) if !confirmed => {}
            result => {
                err.write_all(&held)?;
                return result.map(Run::exit);
            }
        }
    }
    evaluate_with(args, errors, out, err, pick, &mut false).map(Run::exit)
}

/// The end of a run that streamed communes (JSON or NDJSON to standard output) with a
/// guessed set its pass did not confirm: `result` stands where reading ahead chooses the
/// guessed set too (the pass's own diagnostics, `held`, say what went wrong); otherwise the
/// run fails with what reading ahead says, the error a run that read ahead gives before
/// writing anything.
fn unconfirmed_stream(
    args: &EvaluateArgs,
    guessed: &str,
    result: anyhow::Result<Run>,
    held: &[u8],
    err: &mut dyn Write,
) -> anyhow::Result<Run> {
    let opts = super::read_options(&args.input);
    let why = match choose::choose(&args.input, &opts) {
        Ok(c) if c.id == guessed => {
            err.write_all(held)?;
            return result;
        }
        Ok(c) => anyhow::anyhow!(
            "the data chooses built-in ruleset `{}` ({}), not `{guessed}`; pass --rules {}",
            c.id,
            c.by,
            c.id
        ),
        Err(e) => e,
    };
    writeln!(
        err,
        "ntm: the output above is incomplete: it was evaluated with `{guessed}`, the built-in \
         ruleset of the input's first year, before the rest of the input was read"
    )?;
    Err(why)
}

/// Standard output, noting whether anything was written to it.
struct Watched<'a> {
    out: &'a mut dyn Write,
    wrote: bool,
}

impl Write for Watched<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.wrote |= !buf.is_empty();
        self.out.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.wrote |= !buf.is_empty();
        self.out.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// How [`evaluate_with`] comes by its ruleset.
enum Pick {
    /// `--rules`, or the built-in set chosen by reading ahead.
    Choose,
    /// The built-in set chosen already.
    Chosen(choose::Choice),
    /// The built-in set guessed, confirmed at the end of the pass.
    Guess(choose::Guess),
}

/// How [`evaluate_with`] ended.
enum Run {
    /// The run is over, with this exit.
    Exit(Exit),
    /// The guess was not confirmed: run again with this choice, or choosing as usual.
    Redo(Option<choose::Choice>),
}

impl Run {
    fn exit(self) -> Exit {
        match self {
            Run::Exit(e) => e,
            // Only a guessing run asks to be run again.
            Run::Redo(_) => Exit::Invalid,
        }
    }
}

/// [`evaluate`] with the ruleset of `pick`; `confirmed` is set once a guessed set is
/// confirmed, from which point the run writes its outputs.
fn evaluate_with(
    args: &EvaluateArgs,
    mut errors: Option<&mut ErrorsOut<'_>>,
    out: &mut dyn Write,
    err: &mut dyn Write,
    pick: Pick,
    confirmed: &mut bool,
) -> anyhow::Result<Run> {
    let traits = crate::report::sink::traits(args.format);
    if args.provenance.csv_comments && !traits.csv {
        bail!("--csv-comments applies to --format csv and long, which are CSV");
    }
    // Started now, so a --meta folder that cannot be written stops the run before it reads.
    let meta_file = match args.provenance.meta.as_deref() {
        Some(path) => Some(MetaFile::begin(path)?),
        None => None,
    };
    let to_file = super::output::output_file(args.output.as_deref(), traits.binary)?;
    if let (Some(path), Some(errors)) = (to_file, errors.as_deref_mut())
        && super::inputs::same_output(path, errors.path)
    {
        // Neither is written.
        errors.refused = true;
        bail!(
            "-o and --errors-out both name {}: one would overwrite the other",
            path.display()
        );
    }
    let mut inputs = Inputs::default();
    inputs.add_data(&args.input.files);
    if let Some(errors) = errors.as_deref_mut() {
        // A file that cannot be an input cannot be a ruleset either: checked before the
        // ruleset is read, and again with its files once they are known.
        errors.check(&inputs)?;
    }
    let opts = super::read_options(&args.input);
    let (spec, mut chosen, mut guess) = match pick {
        Pick::Choose => {
            let (spec, chosen) = super::ruleset_spec(&args.input, &opts, err)?;
            (spec, chosen, None)
        }
        Pick::Chosen(c) => (c.id.to_string(), Some(c), None),
        Pick::Guess(mut g) => {
            let chosen = choose::Choice {
                id: g.id,
                by: String::new(),
                unread: Vec::new(),
                opened: g.opened.take(),
            };
            (g.id.to_string(), Some(chosen), Some(g))
        }
    };
    let (rs, src, ruleset_diags) = super::load_chosen(&spec, &mut chosen, err)?;
    inputs.add_ruleset(&src.files);
    if let Some(errors) = errors.as_deref_mut() {
        errors.check(&inputs)?;
    }
    if let Some(path) = to_file {
        inputs.check("-o", path)?;
    }
    if let Some(m) = &meta_file {
        let mut others = Vec::with_capacity(2);
        if let Some(p) = args.errors_out.as_deref() {
            others.push(("--errors-out", p));
        }
        if let Some(p) = to_file {
            others.push(("-o", p));
        }
        m.check(&inputs, &others)?;
    }
    let Some(rs) = rs else {
        if guess.is_some() {
            // A built-in set always loads; were it not to, nothing is decided on a guess.
            return Ok(Run::Redo(None));
        }
        if let Some(errors) = errors.as_deref_mut() {
            errors.write(&ruleset_diags)?;
        }
        return Ok(Run::Exit(Exit::Invalid));
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
    // `-o`: the output goes to a temporary file beside it, put in place once complete.
    let mut file = match to_file {
        Some(path) => Some(
            AtomicFile::begin(path).with_context(|| format!("writing -o {}", path.display()))?,
        ),
        None => None,
    };
    let private = file.as_ref().is_some_and(AtomicFile::is_private);
    if guess.is_some() && streams_out(args) && file.is_some() && !private {
        // -o names a device or a pipe: JSON would stream into it before the choice is
        // confirmed, where the run could not tell what was written (standard output can).
        return Ok(Run::Redo(None));
    }
    let out: &mut dyn Write = match file.as_mut() {
        Some(f) => f,
        None => out,
    };

    // One pass reads, validates, evaluates and renders each row as it comes, into the sink:
    // it holds the body until the output's head (row counts, digests, the shared year,
    // unverified verdicts) is known at the end, since a file with a bad cell must print
    // nothing but its diagnostics. Memory stays flat however long the file (issue #7,
    // docs/performance.md).
    let mut output = Sink::new(
        args.format,
        &rs,
        SinkOptions {
            bom: args.bom,
            csv_comments: args.provenance.csv_comments,
            margin: args.margin,
            closest: args.closest,
            lang: crate::lang::Lang::resolve(args.lang),
            // Compact for programs; indented for people, or a terminal (not a file -o names).
            pretty: args.pretty || (to_file.is_none() && std::io::stdout().is_terminal()),
            table_max: crate::report::sink::TABLE_MAX_COMMUNES,
            // -o's temporary file: the CSV formats stream into it, no spool to copy.
            private,
            // Standard output: the spool is copied to it by the kernel where it can be.
            stdout: to_file.is_none() && crate::report::console::get().stdout,
        },
        out,
        // Private, and gone however the run ends (`Scratch`).
        || {
            let spool = Scratch::create("ntm-evaluate").context("creating the output spool")?;
            Ok(Box::new(spool))
        },
    )?;
    let mut tally = RunTally::default();
    let mut below = 0;
    let ctx = BatchCtx {
        rs: &rs,
        names: &names,
        shape: output.shape(),
        all_levels: args.all_levels,
        fail_below,
        margin: args.margin,
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
    let diag_sink = write_rows.as_mut().map(|w| w as &mut DiagSink<'_>);
    // The inputs' SHA-256 only where something shows it: the output or the --meta file.
    let digest =
        traits.shows_input_digest(args.provenance.csv_comments) || args.provenance.meta.is_some();
    let ends = scan(
        &args.input.files,
        &names,
        &rs,
        &opts,
        digest,
        diag_sink,
        |batches, recycle| {
            let mut years = YearCount::default();
            let mut merge = |r: Rendered| -> anyhow::Result<()> {
                tally.merge(&r.tally);
                years.merge(&r.years);
                below += r.below;
                // The rows go back to the reading thread, which reads the next ones into them.
                recycle.give(r.rows);
                output.append(r.piece)
            };
            // Batches alternate between a helper thread and this one, and are merged in input
            // order: with the reading thread, both cores stay busy.
            std::thread::scope(|scope| -> anyhow::Result<()> {
                let (to_helper, helper_in) = mpsc::sync_channel::<(usize, Vec<Row>)>(1);
                let (helper_out, from_helper) = mpsc::sync_channel::<anyhow::Result<Rendered>>(1);
                let ctx = &ctx;
                scope.spawn(move || {
                    // One evaluator per thread for the whole run: thresholds are resolved once
                    // per (zone, year), not once per batch.
                    let mut evaluator = Evaluator::new(ctx.rs).with_scope(ctx.scope());
                    let mut books = Phrasebooks::default();
                    for (start, rows) in helper_in {
                        if helper_out
                            .send(render(ctx, &mut evaluator, &mut books, start, rows))
                            .is_err()
                        {
                            break;
                        }
                    }
                });
                let mut evaluator = Evaluator::new(ctx.rs).with_scope(ctx.scope());
                let mut books = Phrasebooks::default();
                let mut communes = 0usize;
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
                        let mine = render(ctx, &mut evaluator, &mut books, start, rows);
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
            Ok(years)
        },
    )?;
    let (years, ends, diags) = ends;
    if let Some(g) = guess.take() {
        // The guess stands if reading ahead would have chosen the same set; else the run
        // starts again, with nothing written.
        let header_lines: Vec<Option<u64>> = ends.iter().map(|(e, _)| e.header_line).collect();
        let clean = diags.errors() == 0 && tally.notes == 0;
        let sure = clean
            .then(|| g.confirm(&args.input, &opts, &years.into_map(), &header_lines))
            .flatten();
        let choice = match sure {
            Some(c) => c,
            // Not known from the pass: the usual choice says.
            None => match choose::choose(&args.input, &opts) {
                Ok(c) if c.id == g.id => c,
                Ok(c) => return Ok(Run::Redo(Some(c))),
                Err(_) => return Ok(Run::Redo(None)),
            },
        };
        chosen = Some(choice);
        *confirmed = true;
    }
    let inputs = input_meta(&names, &ends);
    write_data_diagnostics(err, &diags)?;
    if let (Some(errors), Some(file)) = (errors, errors_file) {
        errors.commit(file)?;
    }
    if diags.errors() > 0 {
        let n = diags.errors();
        if output.streamed() && to_file.is_none() {
            // JSON and NDJSON stream: the communes read before the error are out, and the
            // sink, dropped, ends them so that no parser takes them for complete.
            writeln!(
                err,
                "ntm: {n} error(s) in the input; the output above is incomplete"
            )?;
        } else {
            writeln!(err, "ntm: {n} error(s) in the input; nothing was evaluated")?;
        }
        return Ok(Run::Exit(Exit::Invalid));
    }

    let meta = tally.meta(
        &rs,
        &src.label,
        chosen.as_ref().map(|c| c.by.as_str()),
        inputs,
    );
    let meta = output.finish(err, meta)?;
    if let (Some(file), Some(path)) = (file, to_file) {
        file.commit()
            .with_context(|| format!("writing -o {}", path.display()))?;
        if !crate::report::console::get().quiet {
            writeln!(
                err,
                "ntm: wrote {} ({} communes)",
                path.display(),
                meta.communes
            )?;
        }
    }
    if let Some(m) = meta_file {
        m.commit(&meta)?;
    }

    let mut exit = Exit::Success;
    if let Some(level) = fail_below
        && below > 0
    {
        writeln!(
            err,
            "ntm: {below} commune(s) below `{}` (--fail-below)",
            rs.levels[level].id
        )?;
        exit = Exit::Findings;
    }
    if args.strict_sources && meta.unverified_verdicts > 0 {
        writeln!(
            err,
            "ntm: {} verdict(s) rest on unverified thresholds (--strict-sources)",
            meta.unverified_verdicts
        )?;
        exit = Exit::Findings;
    }
    Ok(Run::Exit(exit))
}

/// Whether `args`' output gets communes as they are evaluated even when it is not -o's
/// temporary file (JSON and NDJSON stream).
fn streams_out(args: &EvaluateArgs) -> bool {
    crate::report::sink::streams(
        args.format,
        args.closest.is_some(),
        args.provenance.csv_comments,
        false,
    )
}

/// What every batch is evaluated and rendered with.
struct BatchCtx<'a> {
    rs: &'a Ruleset,
    names: &'a [String],
    shape: Shape<'a>,
    all_levels: bool,
    fail_below: Option<usize>,
    margin: Option<Margin>,
}

impl BatchCtx<'_> {
    /// What the output reads of the levels out of reach: every level not reached in full
    /// with `--all-levels`, else what its shape says (`Shape::scope`). `--fail-below` reads
    /// whether a level is reached, which a level out of reach is not; `RunTally`,
    /// `--closest` and the exit code read the outcome's level, next level and `unverified`,
    /// which are the same under every scope.
    fn scope(&self) -> Scope {
        if self.all_levels {
            Scope::Every
        } else {
            self.shape.scope()
        }
    }
}

/// One batch of communes, evaluated and rendered.
struct Rendered {
    piece: Piece,
    tally: RunTally,
    /// The years of the rows read from the `year` column.
    years: YearCount,
    /// Communes below `--fail-below`.
    below: usize,
    /// The batch's rows, done with.
    rows: Vec<Row>,
}

fn helper_result(rx: &mpsc::Receiver<anyhow::Result<Rendered>>) -> anyhow::Result<Rendered> {
    rx.recv()
        .map_err(|_| anyhow::anyhow!("the rendering thread stopped"))?
}

/// Evaluate and render `rows`, the first of which is commune `start + 1` of the output.
fn render(
    cx: &BatchCtx<'_>,
    evaluator: &mut Evaluator<'_>,
    books: &mut Phrasebooks,
    start: usize,
    rows: Vec<Row>,
) -> anyhow::Result<Rendered> {
    let mut tally = RunTally::default();
    let mut years = YearCount::default();
    let mut below = 0;
    let piece = cx.shape.render(rows.len(), books.row_bytes, |w| {
        // One outcome for the whole batch: its vectors are reused (issue #7).
        let mut slot = None;
        // One record too, refilled row by row, for the formats written from records.
        let mut record = RecordSlot::default();
        let direct = w.takes_evaluated();
        for (i, row) in rows.iter().enumerate() {
            let position = start + i + 1;
            let outcome: &Outcome = match slot.as_mut() {
                Some(o) => {
                    evaluator.evaluate_into(row.zone, row.year, &row.values, o);
                    o
                }
                None => slot.insert(evaluator.evaluate(row.zone, row.year, &row.values)),
            };
            tally.row(row, outcome.unverified);
            if row.year_from == YearFrom::Column {
                years.add(row.year);
            }
            if let Some(level) = cx.fail_below {
                below += usize::from(!outcome.levels[level].reached);
            }
            let file = &cx.names[row.input];
            let borderline = borderline_records(cx.rs, outcome, &row.values, cx.margin);
            if direct {
                // CSV and JSON are written from the row and outcome: no record is built
                // (issue #14).
                w.write_evaluated(
                    &Evaluated {
                        rs: cx.rs,
                        position,
                        file,
                        row,
                        outcome,
                        all_levels: cx.all_levels,
                        borderline: &borderline,
                    },
                    books,
                )?;
                continue;
            }
            let rec = record.fill(cx.rs, position, file, row, outcome, cx.all_levels);
            rec.borderline = borderline;
            w.write(rec, &row.values, outcome)?;
        }
        Ok(())
    })?;
    if !rows.is_empty() {
        let per_row = piece.byte_len().div_ceil(rows.len());
        books.row_bytes = books.row_bytes.max(per_row);
    }
    Ok(Rendered {
        piece,
        tally,
        years,
        below,
        rows,
    })
}

#[cfg(test)]
mod tests {
    //! The levels an output reads (`BatchCtx::scope`): every format, with and without each
    //! flag that reads more levels, writes the same bytes whether levels out of reach are
    //! judged or not.

    use clap::ValueEnum as _;
    use rust_decimal::Decimal;

    use super::*;
    use crate::cli::Format;
    use crate::data::coerce::Value;
    use crate::data::read::ZoneFrom;
    use crate::eval::Scope;
    use crate::report::sink::{SinkOptions, TABLE_MAX_COMMUNES};
    use crate::ruleset::model::{MeasureKind, Op, Test};

    /// A small deterministic generator (xorshift64).
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    /// `n` communes of `rs`: random values near usual thresholds, one in eight empty; a third
    /// of them lifted to pass every indicator of the first level, and a third of every level
    /// up to a random one, so that every level is reached by some and out of reach of others.
    fn rows(rs: &Ruleset, n: usize, rng: &mut Rng) -> Vec<Row> {
        let (from, to) = rs.period;
        (0..n)
            .map(|i| {
                let mut values: Vec<Option<Value>> = rs
                    .measures
                    .iter()
                    .map(|m| {
                        if rng.below(8) == 0 {
                            return None;
                        }
                        Some(match m.kind {
                            MeasureKind::Bool => Value::Bool(rng.below(2) == 0),
                            MeasureKind::Count => Value::Num(Decimal::from(rng.below(3))),
                            MeasureKind::Percent | MeasureKind::Number => {
                                Value::Num(Decimal::new(rng.below(1001) as i64, 1))
                            }
                        })
                    })
                    .collect();
                let zone = rng.below(rs.zones.len() as u64) as usize;
                let year = from + rng.below((to - from + 1) as u64) as i32;
                let top = match i % 3 {
                    0 => None,
                    1 => Some(0),
                    _ => Some(rng.below(rs.levels.len() as u64) as usize),
                };
                if let Some(top) = top {
                    let zone = crate::eval::evaluate(rs, zone, year, &values).zone;
                    for (r, ind) in rs.indicators().filter(|(r, _)| r.level <= top) {
                        let pass = match &ind.test {
                            Test::Yes => Some(Value::Bool(true)),
                            Test::None => Some(Value::Num(Decimal::ZERO)),
                            Test::Compare(op, _) => rs.resolve(r, zone, year).0.map(|t| {
                                Value::Num(match op {
                                    Op::Gt => t.value + Decimal::ONE,
                                    Op::Lt => t.value - Decimal::ONE,
                                    Op::Ge | Op::Le | Op::Eq => t.value,
                                })
                            }),
                        };
                        if pass.is_some() {
                            values[ind.measure] = pass;
                        }
                    }
                }
                Row {
                    input: 0,
                    line: i as u64 + 2,
                    code: Some(format!("{i:05}")),
                    name: Some("Xã".into()),
                    district: None,
                    province: None,
                    zone,
                    zone_from: ZoneFrom::Column,
                    year,
                    year_from: YearFrom::Column,
                    values,
                    kept: Vec::new(),
                    notes: Vec::new(),
                }
            })
            .collect()
    }

    /// What `evaluate` writes for `rows` in `format` with these flags, and the communes below
    /// the last level, evaluated under `scope` (the output's own when `None`); with the scope
    /// used.
    fn output(
        rs: &Ruleset,
        rows: &[Row],
        format: Format,
        (all_levels, margin, closest): (bool, Option<Margin>, Option<Option<usize>>),
        scope: Option<Scope>,
    ) -> (Scope, Vec<u8>, usize) {
        let mut out = Vec::new();
        let opts = SinkOptions {
            bom: false,
            csv_comments: false,
            margin,
            closest,
            lang: crate::lang::Lang::En,
            pretty: false,
            table_max: TABLE_MAX_COMMUNES,
            private: false,
            stdout: false,
        };
        let mut sink = Sink::new(format, rs, opts, &mut out, || {
            Ok(Box::new(std::io::Cursor::new(Vec::new())))
        })
        .expect("a sink");
        let names = vec!["d.csv".to_string()];
        let ctx = BatchCtx {
            rs,
            names: &names,
            shape: sink.shape(),
            all_levels,
            fail_below: rs.levels.len().checked_sub(1),
            margin,
        };
        let scope = scope.unwrap_or(ctx.scope());
        let mut evaluator = Evaluator::new(rs).with_scope(scope);
        let mut books = Phrasebooks::default();
        let (mut tally, mut below) = (RunTally::default(), 0);
        for (k, batch) in rows.chunks(7).enumerate() {
            let r =
                render(&ctx, &mut evaluator, &mut books, k * 7, batch.to_vec()).expect("renders");
            tally.merge(&r.tally);
            below += r.below;
            sink.append(r.piece).expect("appends");
        }
        let meta = tally.meta(rs, "builtin", None, Vec::new());
        sink.finish(&mut std::io::sink(), meta).expect("finishes");
        (scope, out, below)
    }

    /// Only `--format csv` without `--all-levels`, `--margin` or `--closest` leaves levels out
    /// of reach unjudged; `json`, `ndjson`, `table` and `csv --closest` without `--all-levels`
    /// or `--margin` judge them for their counts only; and every output is the same as with
    /// every level judged.
    #[test]
    fn levels_out_of_reach_are_judged_wherever_an_output_reads_them() {
        let mut rng = Rng(0x5eed_1e7e15);
        for (id, path, text) in crate::ruleset::builtin::BUILTIN {
            let (rs, diags) = crate::ruleset::load_str(text, path);
            let rs = rs.unwrap_or_else(|| panic!("{id} must load: {diags:?}"));
            let rows = rows(&rs, 60, &mut rng);
            // Not vacuous: some communes reach each level, and some have levels out of reach.
            let outcomes: Vec<Outcome> = rows
                .iter()
                .map(|r| crate::eval::evaluate(&rs, r.zone, r.year, &r.values))
                .collect();
            for li in 0..rs.levels.len() {
                assert!(outcomes.iter().any(|o| o.levels[li].reached), "{id} {li}");
            }
            let out_of_reach = |o: &Outcome| {
                rs.levels
                    .iter()
                    .any(|l| l.requires.is_some_and(|r| !o.levels[r].reached))
            };
            let chained = rs.levels.iter().any(|l| l.requires.is_some());
            assert_eq!(outcomes.iter().any(out_of_reach), chained, "{id}");
            let margin = Some(Margin::Relative(Decimal::new(5, 2)));
            for &format in Format::value_variants() {
                for all_levels in [false, true] {
                    for margin in [None, margin] {
                        for closest in [None, Some(None), Some(Some(3))] {
                            if format == Format::Xlsx && closest.is_some() {
                                continue;
                            }
                            let flags = (all_levels, margin, closest);
                            let (scope, got, got_below) = output(&rs, &rows, format, flags, None);
                            // What each output reads of a level out of reach.
                            let want_scope = match format {
                                _ if all_levels || margin.is_some() => Scope::Every,
                                Format::Csv if closest.is_none() => Scope::Reachable,
                                Format::Csv | Format::Json | Format::Ndjson | Format::Table => {
                                    Scope::Counts
                                }
                                Format::Long | Format::Xlsx => Scope::Every,
                            };
                            assert_eq!(scope, want_scope, "{id} {format:?} {flags:?}");
                            // A workbook's bytes hold the time it was written.
                            if format == Format::Xlsx {
                                continue;
                            }
                            let (_, want, want_below) =
                                output(&rs, &rows, format, flags, Some(Scope::Every));
                            assert!(
                                got == want,
                                "{id} {format:?} {flags:?}:\n{}\n---\n{}",
                                String::from_utf8_lossy(&got),
                                String::from_utf8_lossy(&want)
                            );
                            assert_eq!(got_below, want_below, "{id} {format:?} {flags:?}");
                        }
                    }
                }
            }
        }
    }

    /// The check above is not blind: an output that reads every level differs when levels
    /// out of reach are left unjudged, and one that reads more than their counts differs
    /// when they are only counted.
    #[test]
    fn outputs_that_read_every_level_differ_without_them() {
        let (id, path, text) = crate::ruleset::builtin::BUILTIN[1];
        assert_eq!(id, crate::ruleset::builtin::DEFAULT_ID);
        let (rs, diags) = crate::ruleset::load_str(text, path);
        let rs = rs.unwrap_or_else(|| panic!("{id} must load: {diags:?}"));
        let rows = rows(&rs, 60, &mut Rng(0x5eed_1e7e15));
        let plain = (false, None, None);
        let all = (true, None, None);
        let csv_all = (Format::Csv, all, Scope::Reachable);
        let json = (Format::Json, plain, Scope::Reachable);
        let ndjson = (Format::Ndjson, plain, Scope::Reachable);
        let json_all = (Format::Json, all, Scope::Counts);
        let csv_all_counted = (Format::Csv, all, Scope::Counts);
        for (format, flags, scope) in [csv_all, json, ndjson, json_all, csv_all_counted] {
            let (_, every, _) = output(&rs, &rows, format, flags, Some(Scope::Every));
            let (_, less, _) = output(&rs, &rows, format, flags, Some(scope));
            assert_ne!(every, less, "{format:?} {flags:?} {scope:?}");
        }
    }
}
