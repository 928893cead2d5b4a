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
use crate::data::coerce::{coerce_bytes, coerce_common, yes_no_at};
use crate::data::columns::{Columns, Ident};
use crate::ruleset::Ruleset;
use crate::ruleset::model::MeasureKind;
use crate::text::{echo, nfc};

/// [`nfc`] without the allocation-heavy pass when the text is already composed.
pub(super) fn nfc_fast(s: &str) -> String {
    if surely_nfc(s.as_bytes()) || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        s.to_string()
    } else {
        nfc(s)
    }
}

/// Whether the UTF-8 text `s` is NFC for certain, from its bytes: every character is below
/// U+0300 (ASCII, Latin-1, Latin Extended-A and -B) or in U+1E00–U+1EFF (Latin Extended
/// Additional: the precomposed Vietnamese letters). Each of those is its own NFC and starts
/// no composition (quick check `Yes`, combining class 0; a test checks every one), so such a
/// text is NFC. Names of Vietnamese places are such texts, and this test is a pass over bytes
/// without branches where `is_nfc_quick` looks each character up (issue #14). `false` says
/// nothing: the caller asks `is_nfc_quick`.
pub(super) fn surely_nfc(s: &[u8]) -> bool {
    // Lead bytes up to 0xCB start characters below U+0300; continuation bytes are below
    // 0xC0; 0xE1 starts U+1000–U+1FFF, narrowed below.
    if !s
        .iter()
        .fold(true, |ok, &b| ok & ((b < 0xCC) | (b == 0xE1)))
    {
        return false;
    }
    let mut rest = s;
    while let Some(at) = memchr::memchr(0xE1, rest) {
        // U+1E00–U+1EFF is E1 B8–BB and one continuation byte.
        if !matches!(rest.get(at + 1), Some(0xB8..=0xBB)) {
            return false;
        }
        rest = rest.get(at + 1..).unwrap_or_default();
    }
    true
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
    let (record, spans) = (rec.raw.bytes(), rec.raw.spans());
    for (mi, col) in cols.measures.iter().enumerate() {
        let Some(col) = col.filter(|_| !shifted) else {
            values.push(None);
            continue;
        };
        let kind = rs.measures[mi].kind;
        // Empty, `Đạt`, `Không đạt`: most cells of a yes/no column, read without a branch on
        // which (issue #14).
        if kind == MeasureKind::Bool
            && let Some(&(start, end)) = spans.get(col)
            && let Some(v) = yes_no_at(record, start, end)
        {
            values.push(v);
            continue;
        }
        let cell = rec.bytes(col).unwrap_or(b"");
        if cell.is_empty() {
            // No data, as `coerce` reads it, without the call.
            values.push(None);
            continue;
        }
        // The common spellings in place; the rest through the whole rule (issue #14).
        if let Some(v) = coerce_common(cell, kind, numbers) {
            if kind == MeasureKind::Percent && !opts.fraction_percent {
                track_fraction(&mut cx.fractions[mi], cx.line, cell, Some(v));
            }
            values.push(Some(v));
            continue;
        }
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
        c.and_then(|c| rec.bytes(c)).and_then(|cell| last.get(cell))
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
