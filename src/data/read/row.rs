//! One record → one [`Row`]: identity cells as text, measure cells coerced by their declared
//! kind (`coerce_bytes`), then the overrides, year, zone and official-list checks.

use unicode_normalization::{IsNormalized, is_nfc_quick};

use super::context::RowCtx;
use super::fractions::track_fraction;
use super::memo::LastText;
use super::record::Record;
use super::unit_list::check_unit;
use super::year::year;
use super::zone::{overrides, zone};
use super::{ReadOptions, Row};
use crate::data::coerce::coerce_bytes;
use crate::data::columns::{Columns, Ident};
use crate::ruleset::Ruleset;
use crate::ruleset::model::MeasureKind;
use crate::text::{echo, nfc};

/// [`nfc`] without the allocation-heavy pass when the text is already composed.
pub(super) fn nfc_fast(s: &str) -> String {
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        s.to_string()
    } else {
        nfc(s)
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn read_row(
    rec: &Record,
    cols: &Columns,
    zone_col: Option<usize>,
    rs: &Ruleset,
    opts: &ReadOptions,
    input: usize,
    shifted: bool,
    cx: &mut RowCtx<'_>,
) -> Row {
    let text = |c: Option<usize>| -> Option<String> {
        c.and_then(|c| rec.get(c))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(nfc_fast)
    };
    let numbers = opts.numbers();
    let mut values = Vec::with_capacity(cols.measures.len());
    for (mi, col) in cols.measures.iter().enumerate() {
        let Some(col) = col.filter(|_| !shifted) else {
            values.push(None);
            continue;
        };
        let cell = rec.bytes(col).unwrap_or(b"");
        if cell.is_empty() {
            // No data, as `coerce` reads it, without the call.
            values.push(None);
            continue;
        }
        let kind = rs.measures[mi].kind;
        match coerce_bytes(cell, kind, numbers) {
            Ok(v) => {
                if kind == MeasureKind::Percent && !opts.fraction_percent {
                    track_fraction(&mut cx.fractions[mi], cx.line, cell, v);
                }
                values.push(v);
            }
            Err(e) => {
                let value = std::str::from_utf8(cell).unwrap_or("").trim();
                let msg = if e.code == "ambiguous-number" {
                    format!("`{}` reads two ways", echo(value))
                } else {
                    format!("`{}` is not valid", echo(value))
                };
                cx.cell_problem(e.code, col, value, &msg, &e.expected);
                values.push(None);
            }
        }
    }
    overrides(rec, cols, rs, &values, cx);
    let (year, year_from) = year(rec, cols, rs, opts, cx);
    // Cells that repeat from row to row are worked out once per change.
    let repeated = |c: Option<usize>, last: &mut LastText| -> Option<String> {
        c.and_then(|c| rec.get(c))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| last.get(s))
    };
    let province = repeated(cols.ident(Ident::Province), &mut cx.memo.province);
    let (zone, zone_from) = zone(rec, zone_col, cols, province.as_deref(), rs, opts, cx);
    let code = text(cols.ident(Ident::Code));
    let name = text(cols.ident(Ident::Name));
    if let (Some(c), Some(col)) = (code.as_deref(), cols.ident(Ident::Code)) {
        check_unit(c, name.as_deref(), cols, opts.province_set, col, cx);
    }
    Row {
        input,
        line: cx.line,
        code,
        name,
        district: repeated(cols.ident(Ident::District), &mut cx.memo.district),
        province,
        zone,
        zone_from,
        year,
        year_from,
        values,
        kept: Vec::new(),
        notes: Vec::new(),
    }
}
