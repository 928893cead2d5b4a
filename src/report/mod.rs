//! How outcomes are written: one renderer per output (evaluate's formats through
//! `sink`, and each command's own output), the text for people of a record, and the
//! diagnostics on standard error.
//!
//! What is written is computed in `crate::record` (records, what is missing, borderline
//! indicators, the run's provenance); renderers write it to a `&mut dyn Write` and never decide
//! anything.

pub(crate) mod cell;
pub(crate) mod check;
pub mod console;
pub mod csv;
pub(crate) mod diff;
pub mod explain;
pub mod fit;
pub(crate) mod grid;
pub(crate) mod html;
pub(crate) mod json;
pub(crate) mod json_commune;
pub(crate) mod json_evaluated;
pub mod long;
pub(crate) mod md;
pub(crate) mod message_vi;
pub(crate) mod progress;
pub mod rules;
pub(crate) mod sheet;
pub(crate) mod sink;
pub(crate) mod summary;
pub(crate) mod table;
pub(crate) mod template;
pub(crate) mod test;
pub(crate) mod words;
pub(crate) mod xlsx;

use rust_decimal::Decimal;

use crate::eval::Status;
use crate::record::{BorderlineRecord, MissingIndicator, ValueOut};

impl BorderlineRecord {
    /// `standard:10 income_per_capita 61.2 (>= 60, pass)`.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        self.describe_into(&mut s);
        s
    }

    /// [`describe`](Self::describe) appended to `s`, without `fmt`.
    pub fn describe_into(&self, s: &mut String) {
        let status = match self.status {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NoData => "no data",
        };
        for part in [&self.level, ":", &self.indicator, " ", &self.measure, " "] {
            s.push_str(part);
        }
        cell::push_decimal(s, self.value);
        for part in [" (", self.op, " "] {
            s.push_str(part);
        }
        cell::push_decimal(s, self.threshold);
        for part in [", ", status, ")"] {
            s.push_str(part);
        }
    }
}

impl std::fmt::Display for ValueOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ValueOut::Num(n) => write!(f, "{}", n.normalize()),
            ValueOut::Bool(true) => f.write_str("yes"),
            ValueOut::Bool(false) => f.write_str("no"),
        }
    }
}

impl ValueOut {
    /// Its [`Display`](std::fmt::Display) text appended to `s`, without `fmt`.
    pub fn push_to(&self, s: &mut String) {
        match self {
            ValueOut::Num(n) => cell::push_decimal(s, n.normalize()),
            ValueOut::Bool(true) => s.push_str("yes"),
            ValueOut::Bool(false) => s.push_str("no"),
        }
    }
}

/// An exact number for people: every significant decimal, in the language's style
/// (`1,234.5` / `1.234,5`).
pub fn num_text(n: Decimal, lang: crate::lang::Lang) -> String {
    let n = n.normalize();
    lang.decimal(n, n.scale())
}

impl MissingIndicator {
    /// One line for people: `income_per_capita 61.2 < 66 (RRD, 2025)`.
    pub fn describe(&self, zone: &str) -> String {
        let mut s = String::new();
        self.describe_into(zone, &mut s);
        s
    }

    /// [`describe`](Self::describe) appended to `s`: no string of its own, no `fmt`
    /// (issue #7).
    pub fn describe_into(&self, zone: &str, s: &mut String) {
        s.push_str(&self.measure);
        match &self.value {
            None => {
                s.push_str(" no data (needs ");
                s.push_str(&self.required);
                s.push(')');
            }
            Some(v) => {
                s.push(' ');
                v.push_to(s);
                match (self.required.as_str(), self.op, self.threshold) {
                    ("yes" | "none", _, _) | (_, None, _) | (_, _, None) => {
                        s.push_str(", needs ");
                        s.push_str(&self.required);
                    }
                    (_, Some(op), Some(t)) => {
                        s.push(' ');
                        s.push_str(op.negated_str());
                        s.push(' ');
                        cell::push_decimal(s, t.normalize());
                        s.push_str(" required");
                    }
                }
            }
        }
        if self.threshold.is_some() {
            s.push_str(" (");
            s.push_str(zone);
            if let Some(y) = self.threshold_year {
                s.push_str(", ");
                cell::push_int(s, y);
            }
            s.push(')');
        }
        if !self.verified {
            s.push_str(" [unverified]");
        }
    }
}

/// At most this many diagnostics are printed; the rest are counted.
pub const DIAGNOSTIC_LIMIT: usize = 100;

/// Print diagnostics, one per line (help lines indented), errors and warnings in input order.
pub fn write_diagnostics(
    err: &mut dyn std::io::Write,
    diags: &[crate::diag::Diagnostic],
) -> std::io::Result<()> {
    let shown = diags.iter().filter(|d| console::shows(d));
    for d in shown.clone().take(DIAGNOSTIC_LIMIT) {
        writeln!(err, "{}", console::diagnostic(d))?;
    }
    let n = shown.count();
    if n > DIAGNOSTIC_LIMIT {
        writeln!(err, "… and {} more", n - DIAGNOSTIC_LIMIT)?;
    }
    Ok(())
}

/// Print the data diagnostics of a run: the first [`DIAGNOSTIC_LIMIT`], then how many more
/// of each code (`… and 1351462 more: 1000000 error[not-a-number], 351462 error[out-of-range]`).
pub fn write_data_diagnostics(
    err: &mut dyn std::io::Write,
    diags: &crate::data::diags::DataDiags,
) -> std::io::Result<()> {
    // Under `-q` warnings are neither printed nor counted.
    let kept: Vec<&crate::diag::Diagnostic> =
        diags.kept().iter().filter(|d| console::shows(d)).collect();
    for d in kept.iter().take(DIAGNOSTIC_LIMIT) {
        writeln!(err, "{}", console::diagnostic(d))?;
    }
    let printed = kept.len().min(DIAGNOSTIC_LIMIT);
    let total = if console::get().quiet {
        diags.errors()
    } else {
        diags.total()
    };
    if total > printed {
        let mut counts: Vec<(bool, &str, usize)> = diags
            .more()
            .filter(|(error, _, _)| *error || !console::get().quiet)
            .collect();
        for d in &kept[printed..] {
            match counts
                .iter_mut()
                .find(|c| c.0 == d.is_error() && c.1 == d.code)
            {
                Some(c) => c.2 += 1,
                None => counts.push((d.is_error(), d.code, 1)),
            }
        }
        let by_code: Vec<String> = counts
            .iter()
            .map(|(error, code, n)| {
                let severity = if *error { "error" } else { "warning" };
                format!("{n} {severity}[{code}]")
            })
            .collect();
        writeln!(
            err,
            "… and {} more: {}",
            total - printed,
            by_code.join(", ")
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod escape_tests;
#[cfg(test)]
mod tests;
