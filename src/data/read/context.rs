//! One row's located problems: errors that reject the row, and those `--lenient` turns into
//! no data with a warning and a note on the row.

use super::Note;
use super::fractions::Fractions;
use super::memo::Memo;
use crate::diag::Diagnostic;
use crate::text::echo;

pub(super) struct RowCtx<'a> {
    pub(super) path: &'a str,
    pub(super) line: u64,
    pub(super) headers: &'a [String],
    pub(super) diags: &'a mut Vec<Diagnostic>,
    pub(super) ok: bool,
    pub(super) lenient: bool,
    pub(super) notes: Vec<Note>,
    pub(super) memo: &'a mut Memo,
    pub(super) fractions: &'a mut [Fractions],
}

impl RowCtx<'_> {
    pub(super) fn header(&self, col: usize) -> &str {
        self.headers.get(col).map_or("", String::as_str)
    }

    /// A bad cell that rules out the row (a year, a zone).
    pub(super) fn cell_error(
        &mut self,
        code: &'static str,
        col: usize,
        value: &str,
        expected: &str,
    ) {
        let header = self.header(col).to_string();
        self.diags.push(
            Diagnostic::error(
                code,
                format!(
                    "column {} `{}`: `{}` is not valid",
                    col + 1,
                    echo(&header),
                    echo(value)
                ),
            )
            .at(self.path, Some(self.line), Some(col as u64 + 1))
            .cell(&header, value)
            .help(format!("expected {expected}")),
        );
        self.ok = false;
    }

    /// A problem `--lenient` turns into no data: an error, or a warning and a note. `msg`
    /// says what is wrong. True when lenient (the caller reads the data as none).
    pub(super) fn cell_problem(
        &mut self,
        code: &'static str,
        col: usize,
        value: &str,
        msg: &str,
        expected: &str,
    ) -> bool {
        let header = self.header(col).to_string();
        let at = |d: Diagnostic| {
            d.at(self.path, Some(self.line), Some(col as u64 + 1))
                .cell(&header, value)
                .help(format!("expected {expected}"))
        };
        let msg = format!("column {} `{}`: {msg}", col + 1, echo(&header));
        if !self.lenient {
            self.diags.push(at(Diagnostic::error(code, msg)));
            self.ok = false;
            return false;
        }
        let what = if code == "duplicate-code" {
            "every measure of this row"
        } else {
            "the cell"
        };
        self.diags.push(at(Diagnostic::warning(
            code,
            format!("{msg}; {what} is read as no data (--lenient)"),
        )));
        self.notes.push(Note {
            code,
            column: Some(header.clone()),
            value: crate::text::clip(value, crate::diag::CELL_CHARS).into_owned(),
            message: format!("{msg}; {what} is read as no data: expected {expected}"),
        });
        true
    }

    /// A problem with the whole row: an error, or under `--lenient` a warning and a note.
    pub(super) fn row_problem(&mut self, code: &'static str, msg: &str, help: &str) {
        if !self.lenient {
            self.diags.push(
                Diagnostic::error(code, msg)
                    .at(self.path, Some(self.line), None)
                    .help(help),
            );
            self.ok = false;
            return;
        }
        self.diags.push(
            Diagnostic::warning(
                code,
                format!("{msg}; every measure of this row is read as no data (--lenient)"),
            )
            .at(self.path, Some(self.line), None)
            .help(help),
        );
        self.notes.push(Note {
            code,
            column: None,
            value: String::new(),
            message: format!("{msg}; every measure of this row is read as no data"),
        });
    }
}
