//! `ntm summary`: read commune files, evaluate every row, aggregate per group and in total,
//! check targets, render. Also the shared half of `ntm report`, which renders the same
//! figures (and the communes) as HTML.

use std::io::Write;

use anyhow::{Context, bail};

use crate::Exit;
use crate::cli::{SummaryArgs, SummaryFormat, SummaryOptions};
use crate::cmd::inputs::Inputs;
use crate::cmd::meta::MetaFile;
use crate::cmd::scan::{input_meta, report_diags, scan};
use crate::data::columns::{IDENTITY, Ident};
use crate::data::read::Row;
use crate::eval::Evaluator;
use crate::lang::Lang;
use crate::record::{CommuneRecord, Meta, RunTally};
use crate::report::summary::{
    CompareOut, SummaryDoc, write_summary_csv, write_summary_json, write_summary_table,
};
use crate::report::write_diagnostics;
use crate::report::xlsx::summary_workbook;
use crate::ruleset::Ruleset;
use crate::summary::compare;
use crate::summary::targets::{self, Targets};
use crate::summary::{Facts, RollupRule, Summariser};
use crate::text::fold;

/// Built-in targets files: (id, file name, text).
pub(crate) const BUILTIN_TARGETS: [(&str, &str, &str); 2] = [
    (
        "targets-2021-2025",
        "criteria/targets-2021-2025.toml",
        include_str!("../../criteria/targets-2021-2025.toml"),
    ),
    (
        "targets-2026-2030",
        "criteria/targets-2026-2030.toml",
        include_str!("../../criteria/targets-2026-2030.toml"),
    ),
];

/// Run `ntm summary`.
pub(crate) fn run(
    args: &SummaryArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let lang = Lang::resolve(args.options.lang);
    if args.provenance.csv_comments && args.format != SummaryFormat::Csv {
        bail!("--csv-comments applies to --format csv");
    }
    let to_file =
        super::output::output_file(args.output.as_deref(), args.format == SummaryFormat::Xlsx)?;
    // Started now, so a --meta folder that cannot be written stops the run before it reads.
    let meta_file = match args.provenance.meta.as_deref() {
        Some(path) => Some(MetaFile::begin(path)?),
        None => None,
    };
    let refuse = |inputs: &mut Inputs| -> anyhow::Result<()> {
        if let Some(path) = &args.compare {
            inputs.add(path, format!("reported figures {}", path.display()));
        }
        if let Some(path) = to_file {
            inputs.check("-o", path)?;
        }
        match &meta_file {
            Some(m) => m.check(inputs, to_file.map(|p| ("-o", p)).as_slice()),
            None => Ok(()),
        }
    };
    let Some(done) = collect(&args.input, &args.options, false, &refuse, err)? else {
        return Ok(Exit::Invalid);
    };
    let mut doc = done.doc();
    if let Some(path) = &args.compare {
        let name = path.display().to_string();
        let text = super::read_capped_text(path, super::SIDE_FILE_LIMIT, "reported figures")?;
        let (rows, diags) = compare::parse(&text, &name, &done.rs);
        write_diagnostics(err, &diags)?;
        let Some(rows) = rows else {
            return Ok(Exit::Invalid);
        };
        let rows = compare::compare(&done.rs, &done.summary, &rows);
        doc.compare = Some(CompareOut {
            source: name,
            differences: rows.iter().filter(|r| !r.same).count(),
            rows,
        });
    }
    // Rendered whole, then written to standard output or, atomically, to `-o`.
    let mut bytes = Vec::new();
    match args.format {
        SummaryFormat::Table => write_summary_table(&mut bytes, &done.rs, &doc, lang)?,
        SummaryFormat::Json => write_summary_json(&mut bytes, &doc)?,
        SummaryFormat::Csv => {
            write_summary_csv(&mut bytes, &doc, args.provenance.csv_comments)?;
        }
        SummaryFormat::Xlsx => {
            bytes = summary_workbook(&done.rs, &doc, lang).context("building the xlsx workbook")?;
        }
    }
    match to_file {
        None => out.write_all(&bytes)?,
        Some(path) => {
            super::output::write_file(path, &bytes)
                .with_context(|| format!("writing -o {}", path.display()))?;
            if !crate::report::console::get().quiet {
                writeln!(err, "ntm: wrote {}", path.display())?;
            }
        }
    }
    if let Some(m) = meta_file {
        m.commit(doc.meta)?;
    }
    if let Some(c) = doc.compare.as_ref().filter(|c| c.differences > 0) {
        writeln!(
            err,
            "ntm: {} of {} reported figure(s) differ from the computed ones (--compare)",
            c.differences,
            c.rows.len()
        )?;
        return Ok(Exit::Findings);
    }
    Ok(Exit::Success)
}

/// Everything a summary or report is rendered from.
pub(crate) struct Collected {
    /// The ruleset.
    pub rs: Ruleset,
    /// Provenance.
    pub meta: Meta,
    /// The `--by` column as given.
    pub by: Option<String>,
    /// The targets file, when given.
    pub targets: Option<Targets>,
    /// The figures.
    pub summary: crate::summary::Summary,
    /// Every commune's record, in input order (only when asked for).
    pub communes: Vec<CommuneRecord>,
}

impl Collected {
    /// The document every renderer takes.
    pub(crate) fn doc(&self) -> SummaryDoc<'_> {
        SummaryDoc::new(
            &self.rs,
            &self.meta,
            self.by.as_deref(),
            self.targets.as_ref(),
            &self.summary,
        )
    }
}

/// Where a key column's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    Code,
    Name,
    District,
    Province,
    Zone,
    Year,
    /// Index into `ReadOptions::keep`.
    Kept(usize),
}

/// The columns the summary looks at (`--by` and the targets' columns), in first-asked order.
#[derive(Default)]
struct Keys {
    keys: Vec<Key>,
    keep: Vec<String>,
}

impl Keys {
    /// The key index of the column `name`: an identity field by any of its names, `zone`,
    /// or any other header of the file (kept raw).
    fn add(&mut self, name: &str) -> usize {
        let key = resolve(name).unwrap_or_else(|| {
            let f = fold(name);
            let i = match self.keep.iter().position(|k| fold(k) == f) {
                Some(i) => i,
                None => {
                    self.keep.push(name.trim().to_string());
                    self.keep.len() - 1
                }
            };
            Key::Kept(i)
        });
        match self.keys.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                self.keys.push(key);
                self.keys.len() - 1
            }
        }
    }

    fn values(&self, rs: &Ruleset, row: &Row) -> Vec<Option<String>> {
        self.keys
            .iter()
            .map(|k| match k {
                Key::Code => row.code.clone(),
                Key::Name => row.name.clone(),
                Key::District => row.district.clone(),
                Key::Province => row.province.clone(),
                Key::Zone => rs.zones.get(row.zone).map(|z| z.id.clone()),
                Key::Year => Some(row.year.to_string()),
                Key::Kept(i) => row.kept.get(*i).cloned().flatten(),
            })
            .collect()
    }
}

/// An identity field named by `name` (any of its English or Vietnamese headers), or `zone`.
fn resolve(name: &str) -> Option<Key> {
    let f = fold(name);
    if f == "zone" {
        return Some(Key::Zone);
    }
    let (ident, _) = IDENTITY
        .iter()
        .find(|(_, names)| names.iter().any(|n| fold(n) == f))?;
    Some(match ident {
        Ident::Code => Key::Code,
        Ident::Name => Key::Name,
        Ident::District => Key::District,
        Ident::Province => Key::Province,
        Ident::Region | Ident::Group => Key::Zone,
        Ident::Year => Key::Year,
    })
}

/// A targets file's (path, text): a built-in id or a file.
fn targets_source(spec: &str) -> anyhow::Result<(String, String)> {
    if let Some((_, path, text)) = BUILTIN_TARGETS.iter().find(|(id, _, _)| *id == spec) {
        return Ok((path.to_string(), text.to_string()));
    }
    let text = super::read_capped_text(
        std::path::Path::new(spec),
        super::SIDE_FILE_LIMIT,
        "targets file",
    )
    .with_context(|| {
        let ids: Vec<&str> = BUILTIN_TARGETS.iter().map(|(id, _, _)| *id).collect();
        format!(
            "reading targets `{spec}` (not a built-in id: expected `{}`, or a file path)",
            ids.join("`, `")
        )
    })?;
    Ok((spec.to_string(), text))
}

/// Load the ruleset and targets, read and evaluate every row, aggregate. `None` when the
/// input is invalid (diagnostics were printed). With `records`, keeps every commune's record.
/// `refuse` is given the files the run reads (data, ruleset, targets) before any data is
/// read: it adds the caller's own and refuses an output that is one of them (`-o`, `--meta`).
pub(crate) fn collect(
    input: &crate::cli::InputArgs,
    options: &SummaryOptions,
    records: bool,
    refuse: &dyn Fn(&mut Inputs) -> anyhow::Result<()>,
    err: &mut dyn Write,
) -> anyhow::Result<Option<Collected>> {
    let Some(super::Prepared {
        rs,
        src,
        mut opts,
        chosen,
    }) = super::prepare(input, err)?
    else {
        return Ok(None);
    };
    let mut keys = Keys::default();
    let by = options.by.as_deref().map(|b| keys.add(b));
    let rollup = match options.by.as_deref().and_then(resolve) {
        Some(Key::District) => RollupRule::for_groups(&rs, "district"),
        Some(Key::Province) => RollupRule::for_groups(&rs, "province"),
        _ => None,
    };
    let targets = match &options.targets {
        None => None,
        Some(spec) => {
            let (path, text) = targets_source(spec)?;
            let (t, diags) = targets::parse(&text, &path, &rs, &mut |c| Ok(keys.add(c)));
            write_diagnostics(err, &diags)?;
            match t {
                Some(t) => Some(t),
                None => return Ok(None),
            }
        }
    };
    let mut inputs = Inputs::default();
    inputs.add_data(&input.files);
    inputs.add_ruleset(&src.files);
    if let Some(spec) = options.targets.as_deref()
        && !BUILTIN_TARGETS.iter().any(|(id, _, _)| *id == spec)
    {
        inputs.add(std::path::Path::new(spec), format!("targets file {spec}"));
    }
    refuse(&mut inputs)?;
    opts.keep = keys.keep.clone();
    let names = super::scan::display_names(&input.files);
    let list = targets
        .as_ref()
        .map(|t| t.targets.clone())
        .unwrap_or_default();
    let mut tally = RunTally::default();
    let ((summariser, communes), ends, diags) = scan(
        &input.files,
        &names,
        &rs,
        &opts,
        true,
        None,
        |batches, _| {
            let mut s = Summariser::new(&rs, by, list, rollup);
            // Thresholds resolved once per (zone, year), not per row (issue #7).
            let mut evaluator = Evaluator::new(&rs);
            let mut communes = Vec::new();
            let mut position = 0usize;
            for row in batches.flatten() {
                position += 1;
                let outcome = evaluator.evaluate(row.zone, row.year, &row.values);
                tally.row(&row, outcome.unverified);
                let values = keys.values(&rs, &row);
                s.add(&Facts {
                    outcome: &outcome,
                    zone: row.zone,
                    values: &values,
                });
                if records {
                    communes.push(CommuneRecord::new(
                        &rs,
                        position,
                        &names[row.input],
                        &row,
                        &outcome,
                        false,
                    ));
                }
            }
            Ok((s, communes))
        },
    )?;
    if !report_diags(&diags, err)? {
        return Ok(None);
    }
    let summary = summariser.finish();
    let meta = tally.meta(
        &rs,
        &src.label,
        chosen.as_ref().map(|c| c.by.as_str()),
        input_meta(&names, &ends),
    );
    Ok(Some(Collected {
        rs,
        meta,
        by: options.by.clone(),
        targets,
        summary,
        communes,
    }))
}

#[cfg(test)]
mod tests {
    use super::BUILTIN_TARGETS;
    use crate::ruleset::{builtin, load_str};

    /// Every built-in targets file names its ruleset and validates against it without a
    /// diagnostic (levels and zones exist), so `--targets ID` works on that ruleset's data.
    #[test]
    fn builtin_targets_fit_their_rulesets() {
        for (id, path, text) in BUILTIN_TARGETS {
            let value: toml::Value = toml::from_str(text).expect("toml");
            let rs_id = value["targets"]["ruleset"].as_str().expect("ruleset key");
            let (rs_path, rs_text) = builtin::get(rs_id).expect("built-in ruleset");
            let (rs, _) = load_str(rs_text, rs_path);
            let rs = rs.expect("ruleset loads");
            let (targets, diags) =
                crate::summary::targets::parse(text, path, &rs, &mut |_| Err(String::new()));
            assert!(diags.is_empty(), "{id}: {diags:?}");
            assert!(targets.is_some(), "{id}");
        }
    }
}
