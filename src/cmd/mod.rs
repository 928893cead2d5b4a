//! One file per subcommand: load → validate → read → evaluate → report.
//!
//! The only place that opens files. Shared here: finding a ruleset by id or path.

pub mod check;
pub mod evaluate;
pub mod explain;
pub mod report;
pub mod rules;
pub mod scan;
pub mod summary;
pub mod test;

use std::io::Write;

use anyhow::{Context, bail};

use crate::cli::InputArgs;
use crate::data::read::ReadOptions;
use crate::diag::Diagnostic;
use crate::report::write_diagnostics;
use crate::ruleset::{Ruleset, builtin, load_str};

/// A ruleset's text and how to name it.
pub struct Source {
    /// `builtin:<id>` or the path.
    pub label: String,
    /// Path used in diagnostics.
    pub path: String,
    /// The TOML text.
    pub text: String,
}

/// Find a ruleset: a built-in id, else a file path.
pub fn source(spec: &str) -> anyhow::Result<Source> {
    if let Some((path, text)) = builtin::get(spec) {
        return Ok(Source {
            label: format!("builtin:{spec}"),
            path: path.to_string(),
            text: text.to_string(),
        });
    }
    let text = std::fs::read_to_string(spec).with_context(|| {
        let ids: Vec<&str> = builtin::BUILTIN.iter().map(|(id, _, _)| *id).collect();
        format!(
            "reading ruleset `{spec}` (not a built-in id: expected one of `{}`, or a file path)",
            ids.join("`, `")
        )
    })?;
    Ok(Source {
        label: spec.to_string(),
        path: spec.to_string(),
        text,
    })
}

/// Load and validate; print its diagnostics. `None` when it has errors.
pub fn load(
    spec: &str,
    err: &mut dyn Write,
) -> anyhow::Result<(Option<Ruleset>, Source, Vec<Diagnostic>)> {
    let src = source(spec)?;
    let (rs, diags) = load_str(&src.text, &src.path);
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
    };
    Ok(Some(Prepared { rs, src, opts }))
}
