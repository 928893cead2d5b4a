//! How the run speaks on standard error: colour of `error`/`warning`, whether warnings are
//! shown (`-q`), and whether a progress line is drawn (`report::progress`).
//!
//! Set once by the binary from the global flags and what standard error is; a library caller
//! (and every test in-process) gets the default: no colour, warnings shown, no progress.

use std::sync::OnceLock;

pub use crate::cli::ColorWhen;
use crate::diag::{Diagnostic, Severity};

/// The run's console settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Console {
    /// Colour `error` and `warning` (ANSI escapes).
    pub color: bool,
    /// `-q`: no warnings, no progress, no "wrote …" notes; errors and results stay.
    pub quiet: bool,
    /// Draw a progress line while data files are read (standard error is a terminal).
    pub progress: bool,
    /// The `out` a command writes its results to is this process's standard output behind a
    /// buffer (the binary's): once that buffer is flushed, a spooled output may be copied to
    /// the standard output's descriptor directly, by the kernel where it can.
    pub stdout: bool,
}

impl Console {
    /// The settings for flags `color` and `quiet`, standard error being a terminal or not and
    /// `NO_COLOR` as found in the environment.
    pub fn new(color: ColorWhen, quiet: bool, stderr_terminal: bool, no_color: bool) -> Self {
        Console {
            color: match color {
                ColorWhen::Always => true,
                ColorWhen::Never => false,
                ColorWhen::Auto => stderr_terminal && !no_color,
            },
            quiet,
            progress: stderr_terminal && !quiet,
            stdout: false,
        }
    }
}

static CONSOLE: OnceLock<Console> = OnceLock::new();

/// Set the run's settings; the first call wins.
pub fn init(console: Console) {
    let _ = CONSOLE.set(console);
}

/// The run's settings (the default when [`init`] was never called).
pub fn get() -> Console {
    CONSOLE.get().copied().unwrap_or_default()
}

/// Is this diagnostic printed? Under `-q` only errors are.
pub fn shows(d: &Diagnostic) -> bool {
    d.is_error() || !get().quiet
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const RESET: &str = "\x1b[0m";

/// `d` as one line (help lines indented), its `error[code]`/`warning[code]` coloured when
/// colour is on.
pub fn diagnostic(d: &Diagnostic) -> String {
    paint(d, get().color)
}

/// [`diagnostic`] with colour on or off.
pub fn paint(d: &Diagnostic, color: bool) -> String {
    let text = d.to_string();
    if !color {
        return text;
    }
    let (word, colour) = match d.severity {
        Severity::Error => ("error", RED),
        Severity::Warning => ("warning", YELLOW),
    };
    let tag = format!("{word}[{}]", d.code);
    // The tag follows the location (`path:line:col: `), or starts the line.
    let at = if text.starts_with(&tag) {
        Some(0)
    } else {
        text.find(&format!(": {tag}: ")).map(|i| i + 2)
    };
    match at {
        Some(i) => format!(
            "{}{colour}{tag}{RESET}{}",
            &text[..i],
            &text[i + tag.len()..]
        ),
        None => text,
    }
}

/// `ntm: error: ` with `error` coloured when colour is on.
pub fn error_prefix() -> String {
    if get().color {
        format!("ntm: {RED}error{RESET}: ")
    } else {
        "ntm: error: ".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_follows_the_flag_the_terminal_and_no_color() {
        let c = |w, tty, no| Console::new(w, false, tty, no).color;
        assert!(c(ColorWhen::Auto, true, false));
        assert!(!c(ColorWhen::Auto, true, true));
        assert!(!c(ColorWhen::Auto, false, false));
        assert!(c(ColorWhen::Always, false, true));
        assert!(!c(ColorWhen::Never, true, false));
    }

    #[test]
    fn progress_only_on_a_terminal_and_not_quiet() {
        assert!(Console::new(ColorWhen::Auto, false, true, false).progress);
        assert!(!Console::new(ColorWhen::Auto, true, true, false).progress);
        assert!(!Console::new(ColorWhen::Auto, false, false, false).progress);
    }

    #[test]
    fn paint_colours_the_severity_after_the_location() {
        let d = Diagnostic::warning("unknown-columns", "x: warning[unknown-columns]: y").at(
            "a.csv",
            Some(1),
            None,
        );
        assert_eq!(
            paint(&d, true),
            "a.csv:1: \x1b[1;33mwarning[unknown-columns]\x1b[0m: x: warning[unknown-columns]: y"
        );
        let e = Diagnostic::error("bad", "m");
        assert_eq!(paint(&e, true), "\x1b[1;31merror[bad]\x1b[0m: m");
        assert_eq!(paint(&e, false), "error[bad]: m");
    }
}
