//! Percent columns written as fractions: the scale checks `percent-as-fraction` and
//! `mixed-percent-scale`, gathered cell by cell and judged at the end of the file.

use rust_decimal::Decimal;

use super::{RecordSource, RowReader};
use crate::data::coerce::Value;
use crate::diag::Diagnostic;
use crate::text::echo;

/// What a percent column held, for the scale checks (`percent-as-fraction`,
/// `mixed-percent-scale`): among the cells written without a `%` sign, the first value in
/// (0, 1] and the first above 1.
#[derive(Debug, Clone, Default)]
pub(super) struct Fractions {
    /// Line and text of the first value in (0, 1].
    pub(super) sample: Option<(u64, String)>,
    /// Line and text of the first value above 1: the column holds percentages.
    pub(super) percentage: Option<(u64, String)>,
}

impl<S: RecordSource> RowReader<'_, S> {
    /// At the end of the file: a percent column whose values all look like fractions
    /// (`percent-as-fraction`), or that mixes fractions and percentages
    /// (`mixed-percent-scale`): either is a scale ntm would have to guess.
    pub(super) fn fraction_columns(&mut self) {
        let Some(cols) = &self.cols else {
            return;
        };
        for (f, col) in self.fractions.iter().zip(&cols.measures) {
            let (Some(col), Some((line, sample))) = (*col, f.sample.as_ref()) else {
                continue;
            };
            let header = self.headers.get(col).map_or("", String::as_str);
            if let Some((pline, percentage)) = &f.percentage {
                self.end.diags.push(
                    Diagnostic::error(
                        "mixed-percent-scale",
                        format!(
                            "column {} `{header}` mixes fractions and percentages: `{sample}` on line {line} is at most 1 (a fraction, or {sample} %?), `{percentage}` on line {pline} is a percentage",
                            col + 1
                        ),
                    )
                    .at(self.path, Some(*line), Some(col as u64 + 1))
                    .cell(header, sample)
                    .help(format!(
                        "write every value of the column on one scale: as percentages (`{}` where `{sample}` means {} %), or `{sample}%` if {sample} % is meant",
                        fraction_as_percentage(sample),
                        fraction_as_percentage(sample)
                    )),
                );
                continue;
            }
            self.end.diags.push(
                Diagnostic::error(
                    "percent-as-fraction",
                    format!(
                        "column {} `{}`: every value without a `%` sign is between 0 and 1 (`{}` on line {line}): fractions, not percentages?",
                        col + 1,
                        echo(header),
                        echo(sample)
                    ),
                )
                .at(self.path, Some(self.header_line), Some(col as u64 + 1))
                .cell(header, sample)
                .help("percentages such as `85` or `85%`, or --fraction-percent to read `0.85` as 85 %"),
            );
        }
    }
}

/// Track a percent cell's value `v`, written `cell` on `line`, for the scale checks.
/// Inlined into the row reader's loop, which reads every percent cell of a file through
/// here (issue #14): the slot the value would fill is worked out in registers, and only a
/// cell that fills one, a few per column, leaves the loop.
#[inline(always)]
pub(super) fn track_fraction(f: &mut Fractions, line: u64, cell: &[u8], v: Option<Value>) {
    let Some(Value::Num(n)) = v else {
        return;
    };
    // Which slot the value would fill; once it is filled, the cell's text is not looked at
    // (most percent cells of a file, issue #14).
    let slot = match above_zero_and_one(n) {
        (_, true) => &mut f.percentage,
        (true, false) => &mut f.sample,
        (false, _) => return,
    };
    if slot.is_none() {
        fill(slot, line, cell);
    }
}

/// A slot of [`Fractions`] filled by the cell `cell` on `line`, unless it has a `%` sign,
/// which makes it explicit: it counts neither way.
#[cold]
#[inline(never)]
fn fill(slot: &mut Option<(u64, String)>, line: u64, cell: &[u8]) {
    let cell = std::str::from_utf8(cell).unwrap_or("").trim();
    if !cell.ends_with('%') {
        *slot = Some((line, cell.to_string()));
    }
}

/// Whether `n` is above 0 and whether it is above 1, from its mantissa and scale (`n` is
/// `mantissa / 10^scale`): what `n > Decimal::ZERO` and `n > Decimal::ONE` say, without the
/// rescaling of a general comparison (every percent cell of a file passes here, issue #14).
#[inline]
pub(super) fn above_zero_and_one(n: Decimal) -> (bool, bool) {
    let mantissa = n.mantissa();
    // A scale is at most 28, and 10^28 fits an i128.
    let unit = crate::exact::POW10_WIDE
        .get(n.scale() as usize)
        .and_then(|&p| i128::try_from(p).ok())
        .unwrap_or(i128::MAX);
    (mantissa > 0, mantissa > unit)
}

/// A fraction's text as the percentage it would be: `0.85` → `85`, `1` → `100`, moving the
/// decimal point (either mark) two places without rounding.
pub(super) fn fraction_as_percentage(text: &str) -> String {
    let mark = if text.contains(',') { ',' } else { '.' };
    let (int, frac) = text.split_once(mark).unwrap_or((text, ""));
    let frac = format!("{frac:0<2}");
    let (moved, rest) = frac.split_at(2);
    let int = format!("{int}{moved}");
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    match rest.trim_end_matches('0') {
        "" => int.to_string(),
        rest => format!("{int}{mark}{rest}"),
    }
}
