//! A row's assessment year: `--year`, the `year` column (checked against the ruleset's
//! period), or the period's last year.

use super::context::RowCtx;
use super::record::Record;
use super::{ReadOptions, YearFrom};
use crate::data::columns::{Columns, Ident};
use crate::ruleset::Ruleset;

/// The row's year and where it came from; a bad cell is an error on the row.
pub(super) fn year(
    rec: &Record,
    cols: &Columns,
    rs: &Ruleset,
    opts: &ReadOptions,
    cx: &mut RowCtx<'_>,
) -> (i32, YearFrom) {
    if let Some(y) = opts.year {
        return (y, YearFrom::Flag);
    }
    let Some(col) = cols.ident(Ident::Year) else {
        return (rs.period.1, YearFrom::PeriodEnd);
    };
    // Four digits, as files write a year, are read from the bytes (issue #14: every row
    // passes here); any other cell as text.
    let text = || rec.get(col).unwrap_or("").trim();
    let read = match rec.bytes(col).unwrap_or_default() {
        &[a, b, c, d] if [a, b, c, d].iter().all(u8::is_ascii_digit) => Ok([a, b, c, d]
            .iter()
            .fold(0, |y, &b| y * 10 + i32::from(b - b'0'))),
        _ => {
            let cell = text();
            if cell.is_empty() {
                return (rs.period.1, YearFrom::PeriodEnd);
            }
            cell.parse::<i32>()
        }
    };
    match read {
        Ok(y) if (1900..=2100).contains(&y) => {
            if !opts.allow_out_of_period && (y < rs.period.0 || y > rs.period.1) {
                let expected = format!(
                    "a year of the ruleset's period {}–{} (or --allow-out-of-period)",
                    rs.period.0, rs.period.1
                );
                cx.cell_error("year-outside-period", col, text(), &expected);
            }
            (y, YearFrom::Column)
        }
        _ => {
            cx.cell_error("not-a-year", col, text(), "a year such as `2025`");
            (rs.period.1, YearFrom::Column)
        }
    }
}
