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
use crate::data::coerce::{Value, YES_NO, coerce_common, coerce_rest, plain_at, yes_no_code};
use crate::data::columns::{Columns, Ident};
use crate::ruleset::Ruleset;
use crate::ruleset::model::MeasureKind;
use crate::text::{echo, nfc};

/// [`nfc`] without the allocation-heavy pass when the text is already composed.
pub(super) fn nfc_fast(s: &str) -> String {
    if composed(s) { s.to_string() } else { nfc(s) }
}

/// Whether `s` is NFC as it is: [`surely_nfc`] from its bytes, else the quick check.
fn composed(s: &str) -> bool {
    surely_nfc(s.as_bytes()) || is_nfc_quick(s.chars()) == IsNormalized::Yes
}

/// [`nfc_fast`] into `out`, whose string is reused (a recycled row's): no allocation for a
/// text already composed.
pub(super) fn nfc_into(s: &str, out: &mut Option<String>) {
    if !composed(s) {
        *out = Some(nfc(s));
        return;
    }
    match out {
        Some(o) => {
            o.clear();
            o.push_str(s);
        }
        None => *out = Some(s.to_string()),
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

/// A file's measure cells, grouped by how they are read: the yes/no cells first, in one
/// loop with no branch on the kind of each column (issue #14: in a file whose columns mix
/// kinds, that branch was guessed wrong about as often as a yes/no cell was read), then the
/// others. Made once per file, from its columns.
#[derive(Debug, Default)]
pub(super) struct Plan {
    /// (measure, column) of each yes/no measure the file has.
    yes_no: Vec<(usize, usize)>,
    /// (measure, column, kind) of each other measure the file has, in measure order.
    others: Vec<(usize, usize, MeasureKind)>,
}

impl Plan {
    pub(super) fn new(cols: &Columns, rs: &Ruleset) -> Self {
        let mut plan = Plan::default();
        for (mi, (col, m)) in cols.measures.iter().zip(&rs.measures).enumerate() {
            let Some(col) = *col else {
                continue;
            };
            if m.kind == MeasureKind::Bool {
                plan.yes_no.push((mi, col));
            } else {
                plan.others.push((mi, col, m.kind));
            }
        }
        plan
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn read_row(
    rec: &Record,
    cols: &Columns,
    plan: &Plan,
    zone_col: Option<usize>,
    rs: &Ruleset,
    opts: &ReadOptions,
    input: usize,
    shifted: bool,
    cx: &mut RowCtx<'_>,
    row: &mut Row,
) {
    // The row's vectors and strings (a spent row's) are refilled rather than allocated
    // again; every field is written.
    let Row {
        values,
        district,
        province,
        code,
        name,
        ..
    } = row;
    let text = |c: Option<usize>, out: &mut Option<String>| match c
        .and_then(|c| rec.get(c))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => nfc_into(s, out),
        None => *out = None,
    };
    // A row with its cells shifted has no data.
    values.clear();
    values.resize(cols.measures.len(), None);
    if !shifted {
        read_values(rec, plan, rs, opts, cx, values);
    }
    overrides(rec, cols, rs, values, cx);
    let (year, year_from) = year(rec, cols, rs, opts, cx);
    // Cells that repeat from row to row are worked out once per change.
    let repeated = |c: Option<usize>, last: &mut LastText, out: &mut Option<String>| match c
        .and_then(|c| rec.bytes(c))
    {
        Some(cell) => last.get_into(cell, out),
        None => *out = None,
    };
    repeated(cols.ident(Ident::Province), &mut cx.memo.province, province);
    repeated(cols.ident(Ident::District), &mut cx.memo.district, district);
    let (zone, zone_from) = zone(rec, zone_col, cols, province.as_deref(), rs, opts, cx);
    text(cols.ident(Ident::Code), code);
    text(cols.ident(Ident::Name), name);
    if let (Some(c), Some(col)) = (code.as_deref(), cols.ident(Ident::Code)) {
        check_unit(c, name.as_deref(), cols, opts.province_set, col, cx);
    }
    row.input = input;
    row.line = cx.line;
    row.zone = zone;
    row.zone_from = zone_from;
    row.year = year;
    row.year_from = year_from;
    // `kept` and `notes` are the caller's (`RowReader::next_row_into`).
}

/// The measure cells of a row into `values` (all `None` on entry). What a row gives is what
/// reading its cells one by one in measure order gives, every diagnostic in that order: the
/// yes/no cells [`yes_no_code`] reads (empty, `Đạt`, `Không đạt`, `x`…) have no diagnostic
/// and take a first pass; the other cells follow in measure order, the yes/no cells spelled
/// otherwise among them at their place.
fn read_values(
    rec: &Record,
    plan: &Plan,
    rs: &Ruleset,
    opts: &ReadOptions,
    cx: &mut RowCtx<'_>,
    values: &mut [Option<Value>],
) {
    let (record, spans) = (rec.raw.bytes(), rec.raw.spans());
    // The yes/no measures left for the general rule, in measure order (a cell near the
    // record's end in many files), in a buffer kept from row to row.
    let mut left = std::mem::take(&mut cx.memo.left);
    left.clear();
    yes_no_pass(record, spans, &plan.yes_no, values, &mut left);
    let mut next = 0;
    let numbers = opts.numbers();
    for &(mi, col, kind) in &plan.others {
        while let Some(&(m, c)) = left.get(next).filter(|&&(m, _)| m < mi) {
            read_cell(rec, m, c, rs, opts, cx, values);
            next += 1;
        }
        // The common numbers from a word of the record; the others cell by cell.
        let &(start, end) = spans.get(col).unwrap_or(&(0, 0));
        match (
            plain_at(record, start, end, kind, numbers),
            values.get_mut(mi),
        ) {
            (Some(n), Some(_)) => {
                let cell = record.get(start..end).unwrap_or_default();
                store(mi, kind, cell, Some(Value::Num(n)), opts, cx, values);
            }
            _ => read_cell(rec, mi, col, rs, opts, cx, values),
        }
    }
    for &(m, c) in left.get(next..).unwrap_or_default() {
        read_cell(rec, m, c, rs, opts, cx, values);
    }
    cx.memo.left = left;
}

/// The first pass of [`read_values`]: each yes/no cell of `cells` (measure, column) that
/// [`yes_no_code`] reads into `values`, the others into `left`, in order. A function of its
/// own, not inlined into [`read_row`], so that its loop keeps the record, the spans and the
/// values in registers (issue #14: inlined, each cell loaded them from the stack again).
#[inline(never)]
fn yes_no_pass(
    record: &[u8],
    spans: &[(usize, usize)],
    cells: &[(usize, usize)],
    values: &mut [Option<Value>],
    left: &mut Vec<(usize, usize)>,
) {
    for &(mi, col) in cells {
        let code = spans
            .get(col)
            .map_or(0, |&(start, end)| yes_no_code(record, start, end));
        match values.get_mut(mi) {
            Some(slot) if code != 0 => *slot = YES_NO[code & 3],
            _ => left.push((mi, col)),
        }
    }
}

/// Measure `mi`'s cell, in column `col`, into `values[mi]`: coerced by its kind, a percent
/// cell tracked for the scale checks, a bad cell reported.
#[inline]
fn read_cell(
    rec: &Record,
    mi: usize,
    col: usize,
    rs: &Ruleset,
    opts: &ReadOptions,
    cx: &mut RowCtx<'_>,
    values: &mut [Option<Value>],
) {
    let cell = rec.bytes(col).unwrap_or(b"");
    if cell.is_empty() {
        // No data, as `coerce` reads it, without the call.
        return;
    }
    let kind = rs.measures[mi].kind;
    let numbers = opts.numbers();
    // The common spellings in place; the rest through the whole rule (issue #14).
    let value = match coerce_common(cell, kind, numbers) {
        Some(v) => Some(v),
        None => match coerce_rest(cell, kind, numbers) {
            Ok(v) => v,
            Err(e) => {
                let value = std::str::from_utf8(cell).unwrap_or("").trim();
                let msg = if e.code == "ambiguous-number" {
                    format!("`{}` reads two ways", echo(value))
                } else {
                    format!("`{}` is not valid", echo(value))
                };
                cx.cell_problem(e.code, col, value, &msg, &e.expected);
                return;
            }
        },
    };
    store(mi, kind, cell, value, opts, cx, values);
}

/// Measure `mi`'s `value`, read from `cell`, into `values[mi]`; a percent cell tracked for
/// the scale checks. Every cell read goes through here, whichever way it was read.
#[inline(always)]
fn store(
    mi: usize,
    kind: MeasureKind,
    cell: &[u8],
    value: Option<Value>,
    opts: &ReadOptions,
    cx: &mut RowCtx<'_>,
    values: &mut [Option<Value>],
) {
    if kind == MeasureKind::Percent && !opts.fraction_percent {
        track_fraction(&mut cx.fractions[mi], cx.line, cell, value);
    }
    if let Some(slot) = values.get_mut(mi) {
        *slot = value;
    }
}
