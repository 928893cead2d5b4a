//! `ntm check` output: per-file results as text, JSON or GitHub workflow annotations.
//!
//! Renders what `cmd::check` found; decides nothing. The JSON shape is a contract
//! (docs/ruleset.md, "ntm check output").

use std::io::Write;

use serde::Serialize;

use crate::diag::{Diagnostic, Severity};
use crate::text::escape_controls;

/// The result of checking one ruleset.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FileReport {
    /// The argument as given (a built-in id or a path).
    pub input: String,
    /// The file the diagnostics point into (`criteria/…` for a built-in).
    pub path: String,
    /// What was loaded, when the ruleset is valid.
    pub ruleset: Option<RulesetSummary>,
    /// For a targets file: what was loaded, when it is valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targets: Option<TargetsSummary>,
    /// Errors found.
    pub errors: usize,
    /// Warnings found.
    pub warnings: usize,
    /// Every finding, errors and warnings, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

/// A valid targets file in a check report.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TargetsSummary {
    /// The ruleset its levels and zones were checked against.
    pub ruleset: String,
    /// Number of targets.
    pub targets: usize,
}

/// A valid ruleset in a check report.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RulesetSummary {
    /// Ruleset id.
    pub id: String,
    /// The ruleset it extends, if any.
    pub extends: Option<String>,
    /// Number of indicators.
    pub indicators: usize,
    /// Number of fully verified indicators.
    pub verified: usize,
}

impl FileReport {
    /// A report counting the errors and warnings of `diagnostics`.
    pub(crate) fn new(
        input: &str,
        path: &str,
        ruleset: Option<RulesetSummary>,
        diagnostics: Vec<Diagnostic>,
    ) -> Self {
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        FileReport {
            input: input.to_string(),
            path: path.to_string(),
            ruleset,
            targets: None,
            errors,
            warnings: diagnostics.len() - errors,
            diagnostics,
        }
    }

    /// One line, whatever the path and the id hold (control characters escaped).
    fn summary(&self) -> String {
        // A built-in is named by its id, as given, and where its text comes from.
        let name = if self.input == self.path {
            escape_controls(&self.path).into_owned()
        } else {
            format!(
                "{} ({})",
                escape_controls(&self.input),
                escape_controls(&self.path)
            )
        };
        let mut s = match (&self.ruleset, &self.targets) {
            (Some(rs), _) if self.errors == 0 => format!(
                "{name}: ok: ruleset `{}`, {} indicators, {} verified",
                escape_controls(&rs.id),
                rs.indicators,
                rs.verified
            ),
            (_, Some(t)) if self.errors == 0 => format!(
                "{name}: ok: targets file, {} target(s) on ruleset `{}`",
                t.targets,
                escape_controls(&t.ruleset)
            ),
            _ => format!("{name}: {} error(s)", self.errors),
        };
        if self.warnings > 0 {
            s.push_str(&format!(", {} warning(s)", self.warnings));
        }
        s
    }
}

/// The whole JSON document.
#[derive(Serialize)]
struct Json<'a> {
    files: &'a [FileReport],
    errors: usize,
    warnings: usize,
}

/// Text: every diagnostic on `err` (`path:line:col: error[code]: …`), then one summary line per
/// file on `out`.
pub(crate) fn write_text(
    out: &mut dyn Write,
    err: &mut dyn Write,
    files: &[FileReport],
) -> std::io::Result<()> {
    for f in files {
        for d in f.diagnostics.iter().filter(|d| super::console::shows(d)) {
            writeln!(err, "{}", super::console::diagnostic(d))?;
        }
    }
    for f in files {
        writeln!(out, "{}", f.summary())?;
    }
    Ok(())
}

/// One JSON document: `{ files: [...], errors, warnings }`.
pub(crate) fn write_json(out: &mut dyn Write, files: &[FileReport]) -> anyhow::Result<()> {
    let doc = Json {
        files,
        errors: files.iter().map(|f| f.errors).sum(),
        warnings: files.iter().map(|f| f.warnings).sum(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)?;
    Ok(())
}

/// GitHub Actions workflow commands, one per diagnostic, then the summary lines.
pub(crate) fn write_github(out: &mut dyn Write, files: &[FileReport]) -> std::io::Result<()> {
    for f in files {
        for d in &f.diagnostics {
            writeln!(out, "{}", annotation(d))?;
        }
    }
    for f in files {
        writeln!(out, "{}", f.summary())?;
    }
    Ok(())
}

/// `::error file=…,line=…,col=…,title=…::message` (escaping as in @actions/core).
pub(crate) fn annotation(d: &Diagnostic) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut props = Vec::new();
    if let Some(loc) = &d.location {
        props.push(format!("file={}", escape_property(&loc.path)));
        if let Some(l) = loc.line {
            props.push(format!("line={l}"));
        }
        if let Some(c) = loc.column {
            props.push(format!("col={c}"));
        }
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("ntm {}", d.code))
    ));
    // Controls escaped first (the Actions log shows ESC sequences as colours); then the
    // one newline meant, before the help, is encoded as the workflow command wants.
    let mut message = escape_controls(&d.message).into_owned();
    if let Some(h) = &d.help {
        message.push_str("\n= help: ");
        message.push_str(&escape_controls(h));
    }
    format!("::{kind} {}::{}", props.join(","), escape_data(&message))
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_escapes_message_and_properties() {
        let d = Diagnostic::error("bad-id", "100% wrong, a:b\nnext")
            .at("dir,x/r:1.toml", Some(3), Some(7))
            .help("fix it");
        assert_eq!(
            annotation(&d),
            "::error file=dir%2Cx/r%3A1.toml,line=3,col=7,title=ntm bad-id::100%25 wrong, a:b\\nnext%0A= help: fix it"
        );
    }

    #[test]
    fn annotation_without_location_has_only_a_title() {
        let d = Diagnostic::warning("unverified", "x");
        assert_eq!(annotation(&d), "::warning title=ntm unverified::x");
    }

    #[test]
    fn summary_counts_errors_and_warnings() {
        let diags = vec![
            Diagnostic::error("bad-id", "a"),
            Diagnostic::warning("unverified", "b"),
            Diagnostic::warning("year-gap", "c"),
        ];
        let f = FileReport::new("x.toml", "x.toml", None, diags.clone());
        assert_eq!((f.errors, f.warnings), (1, 2));
        assert_eq!(f.summary(), "x.toml: 1 error(s), 2 warning(s)");
        // A built-in is named by the id the user gave, then where its text comes from.
        let b = FileReport::new("x", "criteria/x.toml", None, diags);
        assert_eq!(b.summary(), "x (criteria/x.toml): 1 error(s), 2 warning(s)");
    }
}
