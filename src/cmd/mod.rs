//! One file per subcommand: load → validate → read → evaluate → report.
//!
//! The only place that opens files. Shared here: finding a ruleset by id or path.

pub mod app;
pub mod check;
pub mod diff;
pub mod evaluate;
pub mod explain;
pub mod fmt;
pub mod inputs;
pub mod output;
pub mod report;
pub mod rules;
pub mod scan;
pub mod summary;
pub mod template;
pub mod test;

use std::io::Write;

use anyhow::bail;

use crate::cli::InputArgs;
use crate::data::coerce::DecimalMark;
use crate::data::read::ReadOptions;
use crate::diag::Diagnostic;
use crate::report::write_diagnostics;
use crate::ruleset::load::load_with;
use crate::ruleset::{Ruleset, builtin};

/// A ruleset's text and how to name it.
pub struct Source {
    /// `builtin:<id>` or the path.
    pub label: String,
    /// Path used in diagnostics.
    pub path: String,
    /// The TOML text.
    pub text: String,
    /// The files read to load it: the ruleset file and every base it extends (none for a
    /// built-in). Filled in by [`load`]; outputs must not be one of them (`cmd::inputs`).
    pub files: Vec<String>,
}

/// Find a ruleset: a built-in id, else a file path. An unreadable file is an error.
pub fn source(spec: &str) -> anyhow::Result<Source> {
    try_source(spec).map_err(|d| match d.help {
        Some(help) => anyhow::anyhow!("{}; {help}", d.message),
        None => anyhow::anyhow!("{}", d.message),
    })
}

/// Find a ruleset: a built-in id, else a file path; an unreadable file is a diagnostic
/// (`unreadable-file`, or `invalid-utf8` for a file that is not UTF-8 text).
pub fn try_source(spec: &str) -> Result<Source, Box<Diagnostic>> {
    if let Some((path, text)) = builtin::get(spec) {
        return Ok(Source {
            label: format!("builtin:{spec}"),
            path: path.to_string(),
            text: text.to_string(),
            files: Vec::new(),
        });
    }
    let text = read_text(spec).map_err(|d| {
        if d.code != "unreadable-file" {
            return d;
        }
        let ids: Vec<&str> = builtin::BUILTIN.iter().map(|(id, _, _)| *id).collect();
        Box::new(d.help(format!(
            "give a ruleset file or a built-in id: `{}`",
            ids.join("`, `")
        )))
    })?;
    Ok(Source {
        label: spec.to_string(),
        path: spec.to_string(),
        text,
        files: vec![spec.to_string()],
    })
}

/// Read a ruleset file as UTF-8 text.
pub fn read_text(path: &str) -> Result<String, Box<Diagnostic>> {
    let bytes = std::fs::read(path).map_err(|e| {
        // The same words on every platform, for golden tests and CI logs.
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            std::io::ErrorKind::IsADirectory => "is a directory".to_string(),
            _ => e.to_string(),
        };
        Diagnostic::error("unreadable-file", format!("cannot read `{path}`: {why}"))
            .at(path, None, None)
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let (line, col) = crate::diag::line_col(
            &String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
            usize::MAX,
        );
        Box::new(
            Diagnostic::error(
                "invalid-utf8",
                format!(
                    "`{path}` is not UTF-8 text (at byte {})",
                    e.utf8_error().valid_up_to()
                ),
            )
            .at(path, Some(line), Some(col)),
        )
    })
}

/// Parse and validate a ruleset's text, following `extends` (a built-in id, else a path
/// relative to the extending file). Prints nothing.
pub fn load_source(src: &Source) -> (Option<Ruleset>, Vec<Diagnostic>) {
    let (rs, diags, _) = load_source_files(src);
    (rs, diags)
}

/// [`load_source`], and the files it read: the source's own and every base file.
pub fn load_source_files(src: &Source) -> (Option<Ruleset>, Vec<Diagnostic>, Vec<String>) {
    let files = std::cell::RefCell::new(src.files.clone());
    let resolve = |spec: &str, from: &str| {
        let base = resolve_base(spec, from);
        if let Ok((path, _)) = &base {
            if builtin::get(spec).is_none() {
                files.borrow_mut().push(path.clone());
            }
        }
        base
    };
    let (rs, diags) = load_with(&src.text, &src.path, &resolve);
    (rs, diags, files.into_inner())
}

/// The base named by `extends = SPEC` in the file FROM: a built-in id, else a file path relative
/// to FROM's folder.
fn resolve_base(spec: &str, from: &str) -> Result<(String, String), String> {
    if let Some((path, text)) = builtin::get(spec) {
        return Ok((path.to_string(), text.to_string()));
    }
    let dir = std::path::Path::new(from)
        .parent()
        .unwrap_or(std::path::Path::new(""));
    let path = dir.join(spec).to_string_lossy().replace('\\', "/");
    match read_text(&path) {
        Ok(text) => Ok((path, text)),
        Err(d) => Err(format!("{} (not a built-in id either)", d.message)),
    }
}

/// Load and validate; print its diagnostics. `None` when it has errors.
pub fn load(
    spec: &str,
    err: &mut dyn Write,
) -> anyhow::Result<(Option<Ruleset>, Source, Vec<Diagnostic>)> {
    let mut src = source(spec)?;
    let (rs, diags, files) = load_source_files(&src);
    src.files = files;
    write_diagnostics(err, &diags)?;
    Ok((rs, src, diags))
}

/// What a command that reads communes starts from: the valid ruleset, its source, and the
/// options rows are read with.
pub struct Prepared {
    /// The ruleset.
    pub rs: Ruleset,
    /// Where it came from.
    pub src: Source,
    /// How rows are read.
    pub opts: ReadOptions,
}

/// Load the ruleset of `input` (printing its diagnostics) and check `--year` against its
/// period. `None` when the ruleset has errors (exit 2).
pub fn prepare(input: &InputArgs, err: &mut dyn Write) -> anyhow::Result<Option<Prepared>> {
    let (rs, src, _) = load(&input.rules.rules, err)?;
    let Some(rs) = rs else {
        return Ok(None);
    };
    prepared(input, rs, src).map(Some)
}

/// Check `--year` against the period of ruleset `rs`, loaded from `src`, and build the
/// options rows are read with.
pub fn prepared(input: &InputArgs, rs: Ruleset, src: Source) -> anyhow::Result<Prepared> {
    if let Some(y) = input.year {
        if !input.allow_out_of_period && (y < rs.period.0 || y > rs.period.1) {
            bail!(
                "--year {y} is outside the period {}–{} of ruleset `{}` (pass --allow-out-of-period to assess it anyway)",
                rs.period.0,
                rs.period.1,
                rs.id
            );
        }
    }
    let opts = ReadOptions {
        year: input.year,
        allow_out_of_period: input.allow_out_of_period,
        allow_missing: input.allow_missing,
        province_set: input.province_set,
        keep: Vec::new(),
        header_row: input.header_row,
        encoding: input.encoding,
        delimiter: input.delimiter,
        sheet: input.sheet.clone(),
        lenient: input.lenient,
        decimal: match (input.decimal_comma, input.decimal_point) {
            (true, _) => DecimalMark::Comma,
            (false, true) => DecimalMark::Point,
            (false, false) => DecimalMark::Auto,
        },
        fraction_percent: input.fraction_percent,
    };
    Ok(Prepared { rs, src, opts })
}
