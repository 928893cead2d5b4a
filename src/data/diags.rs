//! The data diagnostics of a run, kept in bounded memory: the first [`KEPT`] in report order
//! (those printed), the others only counted by severity and code. A file of a million bad
//! cells costs a few counters, not a million diagnostics (every one still reaches
//! `--errors-out`, which is written as they arrive). Pure: no I/O.

use std::collections::BTreeMap;

use crate::diag::Diagnostic;
use crate::report::DIAGNOSTIC_LIMIT;

/// Diagnostics kept in memory: as many as are printed.
pub(crate) const KEPT: usize = DIAGNOSTIC_LIMIT;

/// Every diagnostic of a run's data files: the first [`KEPT`] of them, in the order they
/// are reported (file by file: the file's own first, then its rows'), and counts of all.
#[derive(Debug, Default)]
pub struct DataDiags {
    kept: Vec<Diagnostic>,
    /// Diagnostics not kept, by (is a warning, code): errors first.
    more: BTreeMap<(bool, &'static str), usize>,
    errors: usize,
    total: usize,
}

impl DataDiags {
    /// Where the next file's diagnostics start among the kept ones.
    pub fn file_start(&self) -> usize {
        self.kept.len()
    }

    /// Add a diagnostic after those added so far.
    pub fn push(&mut self, d: Diagnostic) {
        self.count(&d);
        if self.kept.len() < KEPT {
            self.kept.push(d);
        } else {
            self.forget(&d);
        }
    }

    /// Add a file's own diagnostics (about the file as a whole) before those of its rows
    /// added since `start` ([`DataDiags::file_start`]), as they are reported.
    pub fn insert(&mut self, start: usize, front: Vec<Diagnostic>) {
        for d in &front {
            self.count(d);
        }
        let at = start.min(self.kept.len());
        self.kept.splice(at..at, front);
        while self.kept.len() > KEPT {
            if let Some(d) = self.kept.pop() {
                self.forget(&d);
            }
        }
    }

    fn count(&mut self, d: &Diagnostic) {
        self.total += 1;
        self.errors += usize::from(d.is_error());
    }

    fn forget(&mut self, d: &Diagnostic) {
        *self.more.entry((!d.is_error(), d.code)).or_default() += 1;
    }

    /// The diagnostics kept, in report order.
    pub fn kept(&self) -> &[Diagnostic] {
        &self.kept
    }

    /// Those not kept: (is an error, code, how many), errors first, then by code.
    pub fn more(&self) -> impl Iterator<Item = (bool, &'static str, usize)> + '_ {
        self.more
            .iter()
            .map(|(&(warning, code), &n)| (!warning, code, n))
    }

    /// Errors among all the diagnostics.
    pub fn errors(&self) -> usize {
        self.errors
    }

    /// All the diagnostics, kept or not.
    pub fn total(&self) -> usize {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(code: &'static str, line: u64) -> Diagnostic {
        Diagnostic::error(code, "bad").at("a.csv", Some(line), Some(1))
    }

    #[test]
    fn memory_holds_the_printed_diagnostics_and_counts_the_rest() {
        let mut d = DataDiags::default();
        for line in 0..1_000_000 {
            d.push(cell(
                if line % 4 == 0 {
                    "out-of-range"
                } else {
                    "not-a-number"
                },
                line,
            ));
        }
        assert_eq!(d.kept().len(), KEPT);
        assert_eq!((d.total(), d.errors()), (1_000_000, 1_000_000));
        let more: Vec<_> = d.more().collect();
        assert_eq!(
            more,
            [
                (true, "not-a-number", 750_000 - 75),
                (true, "out-of-range", 250_000 - 25)
            ]
        );
        assert_eq!(
            d.kept()[99].location.as_ref().and_then(|l| l.line),
            Some(99)
        );
    }

    #[test]
    fn a_files_own_diagnostics_come_before_its_rows() {
        let mut d = DataDiags::default();
        d.push(cell("not-a-number", 1));
        let start = d.file_start();
        for line in 2..200 {
            d.push(cell("not-a-number", line));
        }
        d.insert(
            start,
            vec![Diagnostic::warning("replaced-characters", "x").at("b.csv", None, None)],
        );
        let codes: Vec<&str> = d.kept().iter().take(3).map(|x| x.code).collect();
        assert_eq!(
            codes,
            ["not-a-number", "replaced-characters", "not-a-number"]
        );
        assert_eq!(d.kept().len(), KEPT);
        assert_eq!((d.total(), d.errors()), (200, 199));
        assert_eq!(d.more().map(|m| m.2).sum::<usize>(), 100);
    }
}
