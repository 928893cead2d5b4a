//! `ntm evaluate`: read commune files, evaluate every row, render, decide the exit code.

use std::io::Write;

use anyhow::{Context, bail};

use crate::Exit;
use crate::cli::{EvaluateArgs, Format};
use crate::data::read::{ReadOptions, read_csv};
use crate::diag::{Diagnostic, has_errors};
use crate::eval::evaluate;
use crate::report::csv::write_csv;
use crate::report::json::{write_json, write_ndjson};
use crate::report::table::write_table;
use crate::report::{CommuneRecord, InputMeta, Meta, RulesetSummary, write_diagnostics};
use crate::ruleset::load::sha256_hex;

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

    let mut rows = Vec::new();
    let mut inputs = Vec::new();
    let mut diags: Vec<Diagnostic> = Vec::new();
    for (i, path) in args.files.iter().enumerate() {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).with_context(|| format!("reading data file {name}"))?;
        let read = read_csv(&bytes, &name, i, &rs, &opts);
        if !read.unknown_columns.is_empty() {
            diags.push(
                Diagnostic::warning(
                    "unknown-columns",
                    format!(
                        "{} column(s) not in ruleset `{}` are ignored: `{}`",
                        read.unknown_columns.len(),
                        rs.id,
                        read.unknown_columns.join("`, `")
                    ),
                )
                .at(&name, Some(1), None),
            );
        }
        diags.extend(read.diags);
        inputs.push(InputMeta {
            path: name,
            sha256: sha256_hex(&bytes),
            rows: read.records,
        });
        rows.extend(read.rows);
    }
    write_diagnostics(err, &diags)?;
    if has_errors(&diags) {
        let n = diags.iter().filter(|d| d.is_error()).count();
        writeln!(err, "ntm: {n} error(s) in the input; nothing was evaluated")?;
        return Ok(Exit::Invalid);
    }

    let records: Vec<CommuneRecord> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let outcome = evaluate(&rs, row.zone, row.year, &row.values);
            CommuneRecord::new(
                &rs,
                i + 1,
                &inputs[row.input].path,
                row,
                &outcome,
                args.all_levels,
            )
        })
        .collect();

    let first = rows.first();
    let same_year = first.is_some_and(|f| rows.iter().all(|r| r.year == f.year));
    let meta = Meta {
        ntm_version: env!("CARGO_PKG_VERSION"),
        ruleset_id: rs.id.clone(),
        ruleset_sha256: rs.sha256.clone(),
        ruleset_source: src.label.clone(),
        year: first.filter(|_| same_year).map(|f| f.year),
        year_source: first.map(|f| f.year_from),
        inputs,
        communes: records.len(),
        unverified_verdicts: records.iter().filter(|r| r.unverified).count(),
    };
    let summary = RulesetSummary::new(&rs);
    match args.format {
        Format::Table => write_table(out, &rs, &meta, &records)?,
        Format::Csv => write_csv(out, &meta, &records)?,
        Format::Json => write_json(out, &meta, &summary, &records)?,
        Format::Ndjson => write_ndjson(out, &meta, &summary, &records)?,
    }

    let mut exit = Exit::Success;
    if let Some(level) = fail_below {
        let below = records.iter().filter(|r| !r.levels[level].reached).count();
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
