//! `ntm diff`: evaluate OLD and NEW, compare them (`diff::diff`), report.
//!
//! Two forms: two rulesets on the same data (`--data`), rows matched by file and line; or one
//! ruleset on two data snapshots (`--rules`), rows matched by commune code. Exit codes: 0
//! compared; 1 with `--fail-on-change`/`--fail-on-down` when a commune changes/loses a level;
//! 2 unreadable or invalid input.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use crate::Exit;
use crate::cli::{DiffArgs, DiffFormat, InputArgs, RulesArg};
use crate::data::read::Row;
use crate::diag::Diagnostic;
use crate::diff::{Diff, Entry, diff};
use crate::eval::Evaluator;
use crate::record::{Meta, RunTally};
use crate::report::diff as render;
use crate::report::diff::{DiffMeta, Mode};
use crate::report::write_diagnostics;

/// Every code `diff` adds to those of rulesets and data (documented in docs/diff.md).
pub const CODES: [&str; 1] = [DUPLICATE_COMMUNE];

const DUPLICATE_COMMUNE: &str = "duplicate-commune";

/// Run `ntm diff`.
pub(crate) fn run(
    args: &DiffArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let [old, new] = match args.input.files.as_slice() {
        [old, new] => [old.display().to_string(), new.display().to_string()],
        _ => anyhow::bail!(
            "`ntm diff` compares two things: give OLD and NEW (two data files, or two rulesets with --data); got {}",
            args.input.files.len()
        ),
    };
    let result = if args.data.is_empty() {
        snapshots(args, &old, &new, err)?
    } else {
        rulesets(args, &old, &new, err)?
    };
    let Some((d, meta)) = result else {
        return Ok(Exit::Invalid);
    };
    match args.format {
        DiffFormat::Table => render::table(out, &d, &meta)?,
        DiffFormat::Json => render::json(out, &d, &meta)?,
        DiffFormat::Md => render::md(out, &d, &meta)?,
    }
    let changed = d.up() + d.down() > 0;
    Ok(
        if (args.fail_on_change && changed) || (args.fail_on_down && d.down() > 0) {
            Exit::Findings
        } else {
            Exit::Success
        },
    )
}

/// The reading options of `args` with the ruleset `rules`.
fn input(args: &DiffArgs, rules: &str) -> InputArgs {
    let mut input = args.input.clone();
    input.rules = RulesArg {
        rules: Some(rules.to_string()),
    };
    input
}

/// Evaluate `files` under the prepared ruleset; entries keyed by `key`, and the side's
/// provenance (built by `RunTally`, as for every command). `None` when the input is invalid
/// (diagnostics printed).
fn entries(
    p: &super::Prepared,
    files: &[PathBuf],
    err: &mut dyn Write,
    key: impl Fn(&Row) -> Option<String>,
) -> anyhow::Result<Option<(Vec<Entry>, Meta)>> {
    let Some(all) = super::scan::read_all(files, &p.rs, &p.opts, err)? else {
        return Ok(None);
    };
    let mut evaluator = Evaluator::new(&p.rs);
    let mut tally = RunTally::default();
    let entries = all
        .rows
        .iter()
        .map(|row| {
            let outcome = evaluator.evaluate(row.zone, row.year, &row.values);
            tally.row(row, outcome.unverified);
            Entry::new(&p.rs, &all.names[row.input], row, &outcome, key(row))
        })
        .collect();
    let meta = tally.meta(
        &p.rs,
        &p.src.label,
        p.chosen.as_ref().map(|c| c.by.as_str()),
        super::scan::input_meta(&all.names, &all.ends),
    );
    Ok(Some((entries, meta)))
}

/// Two rulesets, the same data: rows match by file and line.
fn rulesets(
    args: &DiffArgs,
    old: &str,
    new: &str,
    err: &mut dyn Write,
) -> anyhow::Result<Option<(Diff, DiffMeta)>> {
    let key = |r: &Row| Some(format!("{}:{}", r.input, r.line));
    let mut sides = Vec::with_capacity(2);
    let mut runs = Vec::with_capacity(2);
    for spec in [old, new] {
        let Some(p) = super::prepare(&input(args, spec), err)? else {
            return Ok(None);
        };
        let Some((e, meta)) = entries(&p, &args.data, err, key)? else {
            return Ok(None);
        };
        sides.push(e);
        runs.push(meta);
    }
    let [old_run, new_run] = <[Meta; 2]>::try_from(runs)
        .map_err(|_| anyhow::anyhow!("diff evaluates exactly two sides"))?;
    let meta = DiffMeta {
        mode: Mode::Rulesets,
        old: format!("{old} ({})", old_run.ruleset_id),
        new: format!("{new} ({})", new_run.ruleset_id),
        against: args
            .data
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        runs: Some([old_run, new_run]),
    };
    Ok(Some((diff(&sides[0], &sides[1]), meta)))
}

/// One ruleset, two snapshots: communes match by code, which must be unique in each.
fn snapshots(
    args: &DiffArgs,
    old: &str,
    new: &str,
    err: &mut dyn Write,
) -> anyhow::Result<Option<(Diff, DiffMeta)>> {
    // The key the reader uses for duplicates: `1` and `00001` are the same commune.
    let key = |r: &Row| {
        r.code
            .as_deref()
            .map(|c| crate::data::units::code_key(c).into_owned())
    };
    let Some(p) = super::prepare(&args.input, err)? else {
        return Ok(None);
    };
    let mut sides = Vec::with_capacity(2);
    let mut runs = Vec::with_capacity(2);
    for file in [old, new] {
        let Some((e, meta)) = entries(&p, &[PathBuf::from(file)], err, key)? else {
            return Ok(None);
        };
        runs.push(meta);
        let dups = duplicates(&e);
        if !dups.is_empty() {
            write_diagnostics(err, &dups)?;
            writeln!(
                err,
                "ntm: {} error(s) in the input; nothing was compared",
                dups.len()
            )?;
            return Ok(None);
        }
        sides.push(e);
    }
    let meta = DiffMeta {
        mode: Mode::Snapshots,
        old: old.to_string(),
        new: new.to_string(),
        against: match &args.input.rules.rules {
            Some(rules) => format!("{rules} ({})", p.rs.id),
            None => format!("{} ({})", p.src.label, p.rs.id),
        },
        runs: <[Meta; 2]>::try_from(runs).ok(),
    };
    Ok(Some((diff(&sides[0], &sides[1]), meta)))
}

/// A commune code given twice in one snapshot cannot be matched.
fn duplicates(entries: &[Entry]) -> Vec<Diagnostic> {
    let mut first: HashMap<&str, u64> = HashMap::new();
    let mut out = Vec::new();
    for e in entries {
        let Some(k) = e.key.as_deref() else { continue };
        if let Some(line) = first.get(k) {
            out.push(
                Diagnostic::error(
                    DUPLICATE_COMMUNE,
                    format!(
                        "commune code `{}` is also on line {line}",
                        crate::text::echo(k)
                    ),
                )
                .at(&e.file, Some(e.line), None)
                .help("a snapshot holds each commune once: compare one year's file with another's"),
            );
        } else {
            first.insert(k, e.line);
        }
    }
    out
}
