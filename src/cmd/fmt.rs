//! `ntm fmt`: rewrite ruleset files in canonical form (`ruleset::fmt`), or with `--check` /
//! `--diff` report which would change. Exit 0 done, 1 a file is not canonical under
//! `--check`/`--diff`, 2 a file cannot be read or is not valid TOML.

use std::io::Write;

use crate::Exit;
use crate::cli::FmtArgs;
use crate::diag::Diagnostic;
use crate::report::write_diagnostics;
use crate::ruleset::{builtin, fmt};

/// Run `ntm fmt`.
pub(crate) fn run(
    args: &FmtArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let report_only = args.check || args.diff;
    let mut invalid = false;
    let mut changed = false;
    for path in &args.files {
        let (text, formatted) = match read_and_format(path) {
            Ok(pair) => pair,
            Err(d) => {
                write_diagnostics(err, &[*d])?;
                invalid = true;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        changed = true;
        if args.diff {
            let diff = similar::TextDiff::from_lines(&text, &formatted);
            write!(out, "{}", diff.unified_diff().header(path, path))?;
        }
        if args.check {
            writeln!(err, "not in canonical form: {path}")?;
        }
        if !report_only {
            // Atomically: a failed or killed run leaves the old file as it was.
            super::output::write_file(std::path::Path::new(path), formatted.as_bytes())
                .map_err(|e| anyhow::anyhow!("cannot write `{path}`: {e}"))?;
        }
    }
    Ok(if invalid {
        Exit::Invalid
    } else if changed && report_only {
        Exit::Findings
    } else {
        Exit::Success
    })
}

/// The file's text and its canonical form.
fn read_and_format(path: &str) -> Result<(String, String), Box<Diagnostic>> {
    if builtin::get(path).is_some() && !std::path::Path::new(path).exists() {
        return Err(Box::new(
            Diagnostic::error(
                "unreadable-file",
                format!("`{path}` is a built-in ruleset id, not a file"),
            )
            .at(path, None, None)
            .help("built-in rulesets cannot be rewritten; give the path of a ruleset file"),
        ));
    }
    let text = super::read_text(path).map_err(|d| Box::new(not_toml_help(*d, path)))?;
    match fmt::format(&text) {
        Ok(formatted) => match not_a_ruleset(&text, path) {
            Some(d) => Err(Box::new(d)),
            None => Ok((text, formatted)),
        },
        Err(e) => {
            let (line, col) = match e.span() {
                Some(s) => {
                    let (l, c) = crate::diag::line_col(&text, s.start);
                    (Some(l), Some(c))
                }
                None => (None, None),
            };
            Err(Box::new(not_toml_help(
                Diagnostic::error("invalid-toml", e.message().trim_end().to_string())
                    .at(path, line, col),
                path,
            )))
        }
    }
}

/// A file that is valid TOML but has no `[ruleset]` table is not a ruleset: `fmt` would
/// rewrite it by rules that are not its own. A targets file is named as one.
fn not_a_ruleset(text: &str, path: &str) -> Option<Diagnostic> {
    let table: toml::Table = toml::from_str(text).ok()?;
    if table.contains_key("ruleset") {
        return None;
    }
    let (what, help) = if table.contains_key("targets") {
        (
            "a targets file",
            "`ntm fmt` formats ruleset files only; `ntm check` validates a targets file (docs/targets.md)",
        )
    } else {
        (
            "not a ruleset",
            "`ntm fmt` formats ruleset files, which start with a [ruleset] table (docs/ruleset.md)",
        )
    };
    Some(
        Diagnostic::error(
            "missing-key",
            format!("`{path}` is {what}: it has no [ruleset] table"),
        )
        .at(path, None, None)
        .help(help),
    )
}

/// A data file given to `fmt` (by its extension) is named as one.
fn not_toml_help(d: Diagnostic, path: &str) -> Diagnostic {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let data = matches!(
        ext.as_deref(),
        Some("csv" | "tsv" | "txt" | "xlsx" | "xlsm" | "xlsb" | "xls" | "ods")
    );
    if data && d.code != "unreadable-file" {
        d.help("this looks like commune data: `ntm fmt` formats ruleset TOML files")
    } else {
        d
    }
}
