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
pub fn run(args: &FmtArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<Exit> {
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
    let text = super::read_text(path)?;
    match fmt::format(&text) {
        Ok(formatted) => Ok((text, formatted)),
        Err(e) => {
            let (line, col) = match e.span() {
                Some(s) => {
                    let (l, c) = crate::diag::line_col(&text, s.start);
                    (Some(l), Some(c))
                }
                None => (None, None),
            };
            Err(Box::new(
                Diagnostic::error("invalid-toml", e.message().trim_end().to_string())
                    .at(path, line, col),
            ))
        }
    }
}
