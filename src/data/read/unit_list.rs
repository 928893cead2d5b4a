//! Commune codes and names checked against the official list of communal units: a warning
//! per row up to [`UNIT_WARNING_LIMIT`] per kind, then one count at the end of the file.

use super::context::RowCtx;
use super::{RecordSource, RowReader};
use crate::data::columns::{Columns, Ident};
use crate::data::province::ProvinceSet;
use crate::data::units;
use crate::diag::Diagnostic;
use crate::text::echo;

/// Official-list warnings kept per file and kind; the rest are counted in one warning, so a
/// file of non-official codes does not hold a warning per row in memory (issue #7).
pub const UNIT_WARNING_LIMIT: usize = 100;

impl<S: RecordSource> RowReader<'_, S> {
    /// At the end of the file: how many official-list warnings were not listed.
    pub(super) fn unit_warning_counts(&mut self) {
        let kinds = [
            (
                "unknown-commune-code",
                "whose code is not in the official list",
            ),
            (
                "commune-name-mismatch",
                "whose name is not the official one of its code",
            ),
        ];
        for (n, (code, what)) in self.memo.unit_warnings.iter().zip(kinds) {
            if *n > UNIT_WARNING_LIMIT {
                self.end.diags.push(
                    Diagnostic::warning(
                        code,
                        format!(
                            "{} more row(s) {what} are not listed (the first {UNIT_WARNING_LIMIT} are)",
                            n - UNIT_WARNING_LIMIT
                        ),
                    )
                    .at(self.path, None, None),
                );
            }
        }
    }
}

/// Warn when a commune code is not in the official list, or names another commune.
pub(super) fn check_unit(
    code: &str,
    name: Option<&str>,
    cols: &Columns,
    set: ProvinceSet,
    col: usize,
    cx: &mut RowCtx<'_>,
) {
    let list = units::label(set);
    let check = units::check(set, code, name);
    let kind = match check {
        units::Check::Ok => return,
        units::Check::UnknownCode { .. } => 0,
        units::Check::NameMismatch { .. } => 1,
    };
    cx.memo.unit_warnings[kind] += 1;
    if cx.memo.unit_warnings[kind] > UNIT_WARNING_LIMIT {
        return;
    }
    let warning = match check {
        units::Check::Ok => return,
        units::Check::UnknownCode { other } => {
            let mut d = Diagnostic::warning(
                "unknown-commune-code",
                format!(
                    "column {} `{}`: `{}` is not a commune code of the official {list}",
                    col + 1,
                    echo(cx.header(col)),
                    echo(code)
                ),
            )
            .at(cx.path, Some(cx.line), Some(col as u64 + 1))
            .cell(cx.header(col), code);
            if let Some(other) = other {
                d = d.help(format!(
                    "it is `{other}` in the other list: see --province-set"
                ));
            }
            d
        }
        units::Check::NameMismatch { official } => {
            let ncol = cols.ident(Ident::Name).unwrap_or(col);
            let name = name.unwrap_or("");
            Diagnostic::warning(
                "commune-name-mismatch",
                format!(
                    "column {} `{}`: `{}` is not the name of commune `{}`, which is `{official}` in the official {list}",
                    ncol + 1,
                    echo(cx.header(ncol)),
                    echo(name),
                    echo(code)
                ),
            )
            .at(cx.path, Some(cx.line), Some(ncol as u64 + 1))
            .cell(cx.header(ncol), name)
            .help("check the code and the name; codes are the General Statistics Office's")
        }
    };
    cx.diags.push(warning);
}
