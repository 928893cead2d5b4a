//! Diagnostics: problems in user input (rulesets and data), each with a stable code and a place.
//!
//! Problems in input are values, not `Err`: loaders collect every one of them and the command
//! decides what to do. This module renders them; it never prints.

use std::fmt;

use serde::Serialize;

use crate::text::escape_controls;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Informational; never changes the exit code.
    Warning,
    /// Stops the command that found it.
    Error,
}

/// Where a problem is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// File as the user named it.
    pub path: String,
    /// 1-based line.
    pub line: Option<u64>,
    /// 1-based column (characters).
    pub column: Option<u64>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable kebab-case code (`unknown-measure`).
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, with user values in backticks.
    pub message: String,
    /// Where, when known.
    pub location: Option<Location>,
    /// How to fix it.
    pub help: Option<String>,
    /// For a data problem: the header and the text of the offending cell (what
    /// `--errors-out` writes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<Cell>,
}

/// Characters of a cell's header and text a diagnostic keeps (`--errors-out`, JSON): enough
/// for the office to recognise the cell it points to.
pub const CELL_CHARS: usize = 200;

/// The cell a data problem is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// Its column header, as in the file.
    pub header: String,
    /// Its text, trimmed.
    pub value: String,
}

impl Diagnostic {
    /// An error.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            location: None,
            help: None,
            cell: None,
        }
    }

    /// A warning.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Attach a place.
    pub fn at(mut self, path: &str, line: Option<u64>, column: Option<u64>) -> Self {
        self.location = Some(Location {
            path: path.to_string(),
            line,
            column,
        });
        self
    }

    /// Attach a hint.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attach the offending cell's header and text; a text longer than [`CELL_CHARS`]
    /// characters is kept cut short ([`crate::text::clip`]), so a huge cell is not copied
    /// into every report of it.
    pub fn cell(mut self, header: &str, value: &str) -> Self {
        self.cell = Some(Cell {
            header: crate::text::clip(header, CELL_CHARS).into_owned(),
            value: crate::text::clip(value, CELL_CHARS).into_owned(),
        });
        self
    }

    /// Is this an error?
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `path:line:col: error[code]: message` then `  = help: …`: one line for the message
    /// and one for the help, whatever they hold. Control characters in the path, message or
    /// help (a value quoted from the input) are written as escapes
    /// ([`escape_controls`]), so a newline in a value cannot forge another diagnostic line
    /// and an ESC sequence never reaches the terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{}", escape_controls(&loc.path))?;
            if let Some(line) = loc.line {
                write!(f, ":{line}")?;
                if let Some(col) = loc.column {
                    write!(f, ":{col}")?;
                }
            }
            write!(f, ": ")?;
        }
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{sev}[{}]: {}",
            self.code,
            escape_controls(&self.message)
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {}", escape_controls(help))?;
        }
        Ok(())
    }
}

/// Does any of these stop the command?
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(Diagnostic::is_error)
}

/// A TOML parse or shape error as a located diagnostic. `codes` are the codes of a syntax or
/// type error, an unknown key and a missing key, in that order.
pub fn toml_error(
    e: &toml::de::Error,
    text: &str,
    path: &str,
    codes: [&'static str; 3],
) -> Diagnostic {
    let (line, col) = e.span().map_or((None, None), |s| {
        let (l, c) = line_col(text, s.start);
        (Some(l), Some(c))
    });
    let message = e.message().trim_end().to_string();
    let code = if message.starts_with("unknown field") {
        codes[1]
    } else if message.starts_with("missing field") {
        codes[2]
    } else {
        codes[0]
    };
    Diagnostic::error(code, message).at(path, line, col)
}

/// 1-based line and column (in characters) of byte offset `pos` in `text`.
pub fn line_col(text: &str, pos: usize) -> (u64, u64) {
    let pos = pos.min(text.len());
    let before = text.get(..pos).unwrap_or(text);
    let line = before.matches('\n').count() as u64 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() as u64 + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_path_line_column_code_and_help() {
        let d = Diagnostic::error("unknown-measure", "indicator `10` uses measure `x`")
            .at("r.toml", Some(3), Some(11))
            .help("declare it under [measures.x]");
        assert_eq!(
            d.to_string(),
            "r.toml:3:11: error[unknown-measure]: indicator `10` uses measure `x`\n  = help: declare it under [measures.x]"
        );
    }

    #[test]
    fn a_value_with_controls_stays_on_the_diagnostic_line() {
        // A newline in a quoted value used to forge a second diagnostic on stderr, and an
        // ESC sequence reached the terminal raw.
        let d = Diagnostic::error(
            "not-a-number",
            "column 2 `x`: `1\nd.csv:9:1: error[forged]: \u{1b}[2J` is not valid",
        )
        .at("d\u{202e}.csv", Some(3), Some(2))
        .help("expected\ra number");
        let text = d.to_string();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(!text.contains(|c: char| c != '\n' && crate::text::is_escaped(c)));
        assert_eq!(
            text,
            "d\\u{202e}.csv:3:2: error[not-a-number]: column 2 `x`: `1\\nd.csv:9:1: error[forged]: \\u{1b}[2J` is not valid\n  = help: expected\\ra number"
        );
    }

    #[test]
    fn a_huge_cell_is_kept_cut_short() {
        let big = "9".repeat(1_000_000);
        let d = Diagnostic::error("x", "y").cell(&big, &big);
        let cell = d.cell.expect("a cell");
        assert_eq!(
            cell.value,
            format!("{}… (1,000,000 bytes)", "9".repeat(CELL_CHARS))
        );
        assert_eq!(cell.header, cell.value);
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "a = 1\nđạt = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        let pos = text
            .find('=')
            .map(|_| text.rfind('=').unwrap_or(0))
            .unwrap_or(0);
        assert_eq!(line_col(text, pos), (2, 5));
    }
}
