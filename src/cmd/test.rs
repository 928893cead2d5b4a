//! `ntm test`: read case files, load the rulesets they name, run the cases, report, and with
//! `--bless` write the actual results back into the files.
//!
//! Exit codes: 0 every case passed; 1 a case failed or coverage is below `--min-coverage`;
//! 2 an unreadable or invalid case file, or no case ran.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::Exit;
use crate::cli::TestArgs;
use crate::cmd::inputs::Inputs;
use crate::diag::{Diagnostic, has_errors, line_col};
use crate::report::test as render;
use crate::report::write_diagnostics;
use crate::ruleset::{Ruleset, builtin};
use crate::test::coverage::{Coverage, coverage};
use crate::test::run::CaseResult;
use crate::test::{self, CaseFile, table};

/// A case file read and validated against its ruleset.
struct Loaded {
    file: CaseFile,
    /// The TOML text; `None` for the table-driven cases of a `--data` file.
    text: Option<String>,
    /// Key into the ruleset cache.
    ruleset: String,
}

/// Table-driven cases: where their expectations are written back by `--bless`.
struct Table {
    expect: PathBuf,
    with_indicators: bool,
}

/// Run `ntm test`.
pub(crate) fn run(
    args: &TestArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let mut rulesets: HashMap<String, Option<Ruleset>> = HashMap::new();
    let mut loaded = Vec::new();
    let mut errors = 0;
    let files = expand(&args.cases)?;
    // What the run reads besides the case files and `--expect`, which `--bless` rewrites.
    let mut inputs = Inputs::default();
    for path in &files {
        let name = path.display().to_string();
        // An unreadable file is reported like any other bad case file (`unreadable-file`,
        // `invalid-utf8`, as for rulesets), so the other files are still checked.
        let text = match super::read_text(&name) {
            Ok(t) => t,
            Err(d) => {
                write_diagnostics(err, &[*d])?;
                errors += 1;
                continue;
            }
        };
        let (file, diags) = read(
            &text,
            &name,
            path,
            args.bless,
            &mut rulesets,
            &mut inputs,
            err,
        )?;
        write_diagnostics(err, &diags)?;
        errors += diags.iter().filter(|d| d.is_error()).count();
        if let Some(l) = file.filter(|_| !has_errors(&diags)) {
            loaded.push(Loaded {
                text: Some(text),
                ..l
            });
        }
    }
    let mut table = None;
    if let Some(expect) = &args.expect {
        match table_cases(args, expect, &mut rulesets, &mut loaded, &mut inputs, err)? {
            Ok(t) => table = Some(t),
            Err(n) => errors += n,
        }
    }
    if errors > 0 {
        writeln!(
            err,
            "ntm: {errors} error(s) in the case files; no case was run"
        )?;
        return Ok(Exit::Invalid);
    }
    let mut results: Vec<CaseResult> = Vec::new();
    let mut per_file = Vec::with_capacity(loaded.len());
    for l in &loaded {
        let r = match rulesets.get(&l.ruleset) {
            Some(Some(rs)) => test::run::run(rs, &l.file),
            _ => Vec::new(),
        };
        per_file.push(r.len());
        results.extend(r);
    }
    if results.is_empty() {
        writeln!(err, "ntm: no test cases ran")?;
        return Ok(Exit::Invalid);
    }
    let coverages = coverages(&loaded, &rulesets, &results);
    let report = render::Report {
        results: &results,
        coverage: &coverages,
        list_uncovered: args.coverage,
    };
    match args.format {
        crate::cli::TestFormat::Text => render::text(out, &report)?,
        crate::cli::TestFormat::Junit => render::junit(out, &report)?,
        crate::cli::TestFormat::Tap => render::tap(out, &report)?,
        crate::cli::TestFormat::Json => render::json(out, &report)?,
    }
    let failed = results.iter().filter(|r| !r.passed()).count();
    if args.bless {
        // No file written may be another file the run reads: a case file may be rewritten,
        // but not over a data file, a ruleset or another case file's `--expect`.
        for f in &files {
            inputs.check("a case file", f)?;
        }
        if let Some(t) = &table {
            for f in &files {
                inputs.add(f, format!("case file {}", f.display()));
            }
            inputs.check("--expect", &t.expect)?;
        }
        bless(&loaded, &per_file, &results, &files, table.as_ref(), err)?;
        return Ok(Exit::Success);
    }
    let mut exit = if failed > 0 {
        Exit::Findings
    } else {
        Exit::Success
    };
    if let Some(min) = args.min_coverage {
        for c in &coverages {
            if c.percent() < min {
                writeln!(
                    err,
                    "ntm: boundary coverage of ruleset `{}` is {:.1}%, below --min-coverage {min}%",
                    c.ruleset,
                    c.percent()
                )?;
                exit = Exit::Findings;
            }
        }
    }
    Ok(exit)
}

/// The files named, with each directory replaced by its `*.toml` files in name order.
fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("reading directory {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == "toml"))
                .collect();
            inside.sort();
            out.extend(inside);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Read the `--data` rows and the expected CSV into one case file per data file (pushed to
/// `loaded`); `Err(n)` with the number of errors printed.
fn table_cases(
    args: &TestArgs,
    expect: &Path,
    rulesets: &mut HashMap<String, Option<Ruleset>>,
    loaded: &mut Vec<Loaded>,
    inputs: &mut Inputs,
    err: &mut dyn Write,
) -> anyhow::Result<Result<Table, usize>> {
    inputs.add_data(&args.input.files);
    let Some(p) = super::prepare(&args.input, err)? else {
        return Ok(Err(1));
    };
    inputs.add_ruleset(&p.src.files);
    let Some(all) = super::scan::read_all(&args.input.files, &p.rs, &p.opts, err)? else {
        return Ok(Err(1));
    };
    let name = expect.display().to_string();
    let csv = read_expected(expect, &name, args.bless)?;
    let (expected, layout, mut diags) = table::expectations(&csv, &p.rs, &name);
    // Without a code or level column nothing can match: say that, not once per row.
    let usable = layout.has(0) && layout.has(2);
    let (files, more) = if usable {
        table::cases(&all.rows, &all.names, &expected, &name, args.bless)
    } else {
        (Vec::new(), Vec::new())
    };
    diags.extend(more);
    write_diagnostics(err, &diags)?;
    let n = diags.iter().filter(|d| d.is_error()).count();
    if n > 0 {
        return Ok(Err(n));
    }
    let key = format!("--rules {}", p.src.label.trim_start_matches("builtin:"));
    rulesets.insert(key.clone(), Some(p.rs));
    loaded.extend(files.into_iter().map(|file| Loaded {
        file,
        text: None,
        ruleset: key.clone(),
    }));
    Ok(Ok(Table {
        expect: expect.to_path_buf(),
        with_indicators: layout.has(4),
    }))
}

/// The expected-results CSV. With `bless`, a file that does not exist yet reads as empty.
fn read_expected(path: &Path, name: &str, bless: bool) -> anyhow::Result<table::ExpectedCsv> {
    if bless && !path.exists() {
        return Ok(table::ExpectedCsv {
            header: table::COLUMNS.iter().map(|c| c.to_string()).collect(),
            records: Vec::new(),
        });
    }
    let bytes = super::read_capped(path, super::SIDE_FILE_LIMIT, "expected results")?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut out = table::ExpectedCsv::default();
    for rec in rdr.records() {
        let rec = rec.with_context(|| format!("reading expected results {name}"))?;
        let line = rec.position().map_or(0, |p| p.line());
        let cells: Vec<String> = rec.iter().map(str::to_string).collect();
        if out.header.is_empty() {
            out.header = cells;
        } else if cells.iter().any(|c| !c.trim().is_empty()) {
            out.records.push((line, cells));
        }
    }
    Ok(out)
}

/// Parse, load the ruleset, validate. `None` (with diagnostics) when the file cannot be run.
fn read(
    text: &str,
    name: &str,
    path: &Path,
    bless: bool,
    rulesets: &mut HashMap<String, Option<Ruleset>>,
    inputs: &mut Inputs,
    err: &mut dyn Write,
) -> anyhow::Result<(Option<Loaded>, Vec<Diagnostic>)> {
    let parsed = match test::parse(text, name) {
        Ok(p) => p,
        Err(d) => return Ok((None, vec![*d])),
    };
    let spec = resolve(parsed.ruleset(), path);
    if !rulesets.contains_key(&spec) {
        let rs = match super::load(&spec, err) {
            Ok((rs, src, _)) => {
                inputs.add_ruleset(&src.files);
                rs
            }
            Err(e) => {
                let (l, c) = line_col(text, parsed.ruleset_span().start);
                let d = Diagnostic::error("case-unknown-ruleset", format!("{e:#}"))
                    .at(name, Some(l), Some(c))
                    .help("a built-in id (`ntm rules list`) or a path relative to the case file");
                return Ok((None, vec![d]));
            }
        };
        rulesets.insert(spec.clone(), rs);
    }
    let Some(Some(rs)) = rulesets.get(&spec) else {
        let (l, c) = line_col(text, parsed.ruleset_span().start);
        let d = Diagnostic::error(
            "case-ruleset-invalid",
            format!("ruleset `{spec}` has errors (printed above)"),
        )
        .at(name, Some(l), Some(c));
        return Ok((None, vec![d]));
    };
    // Rows that cases take from data files, read as `evaluate` reads them.
    let mut rows = HashMap::new();
    for f in parsed.row_files() {
        let data = relative(&f, path);
        inputs.add(&data, format!("data file {}", data.display()));
        if data.is_file() {
            let opts = crate::data::read::ReadOptions::default();
            if let Some(all) = super::scan::read_all(std::slice::from_ref(&data), rs, &opts, err)? {
                rows.insert(f, all.rows);
            }
        }
    }
    let (file, diags) = test::validate_with_rows(parsed, rs, text, name, bless, &rows);
    let loaded = Loaded {
        file,
        text: None,
        ruleset: spec,
    };
    Ok((Some(loaded), diags))
}

/// A built-in id as is; anything else is a path relative to the case file's directory.
fn resolve(spec: &str, case_file: &Path) -> String {
    if builtin::get(spec).is_some() {
        return spec.to_string();
    }
    relative(spec, case_file).display().to_string()
}

/// `path` relative to the case file's directory (absolute paths as they are).
fn relative(path: &str, case_file: &Path) -> PathBuf {
    match case_file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && Path::new(path).is_relative() => dir.join(path),
        _ => PathBuf::from(path),
    }
}

/// Boundary coverage per ruleset (the same text loaded twice is one ruleset), in the order
/// rulesets were first used.
fn coverages(
    loaded: &[Loaded],
    rulesets: &HashMap<String, Option<Ruleset>>,
    results: &[CaseResult],
) -> Vec<Coverage> {
    // (ruleset, the result ranges of its files)
    let mut groups: Vec<(&Ruleset, Vec<std::ops::Range<usize>>)> = Vec::new();
    let mut start = 0;
    for l in loaded {
        let range = start..start + l.file.cases.len();
        start = range.end;
        let Some(Some(rs)) = rulesets.get(&l.ruleset) else {
            continue;
        };
        match groups.iter_mut().find(|(g, _)| g.sha256 == rs.sha256) {
            Some((_, ranges)) => ranges.push(range),
            None => groups.push((rs, vec![range])),
        }
    }
    groups
        .into_iter()
        .map(|(rs, ranges)| {
            let judged = ranges
                .into_iter()
                .flat_map(|r| results.get(r).unwrap_or_default())
                .flat_map(|r| &r.judged);
            coverage(rs, judged)
        })
        .collect()
}

/// Write the actual results into every file that has a failing or missing expectation.
fn bless(
    loaded: &[Loaded],
    per_file: &[usize],
    results: &[CaseResult],
    paths: &[PathBuf],
    table: Option<&Table>,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut start = 0;
    let mut rows = Vec::new();
    for (l, n) in loaded.iter().zip(per_file) {
        let mine = &results[start..start + n];
        start += n;
        let Some(text) = &l.text else {
            rows.extend(l.file.cases.iter().zip(mine));
            continue;
        };
        let stale = l
            .file
            .cases
            .iter()
            .zip(mine)
            .filter(|(c, r)| c.expect.is_none() || !r.passed())
            .count();
        if stale == 0 {
            continue;
        }
        let new = test::bless::bless(text, mine)
            .map_err(|e| anyhow::anyhow!("blessing {}: {e}", l.file.path))?;
        let path = paths
            .iter()
            .find(|p| p.display().to_string() == l.file.path)
            .context("a case file path")?;
        super::output::write_file(path, new.as_bytes())
            .with_context(|| format!("writing case file {}", l.file.path))?;
        writeln!(err, "ntm: blessed {stale} case(s) in {}", l.file.path)?;
    }
    if let Some(t) = table {
        let bytes = table::bless_csv(&rows, t.with_indicators)
            .with_context(|| format!("writing expected results {}", t.expect.display()))?;
        super::output::write_file(&t.expect, &bytes)
            .with_context(|| format!("writing expected results {}", t.expect.display()))?;
        writeln!(
            err,
            "ntm: wrote the expected results of {} case(s) to {}",
            rows.len(),
            t.expect.display()
        )?;
    }
    Ok(())
}
