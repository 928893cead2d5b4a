//! Excel output (`--format xlsx` of `evaluate` and `summary`): the workbook built in memory
//! and returned as bytes, for `cmd/` to write atomically (or to a pipe).
//!
//! Owns the cell policy every sheet follows: a header row frozen and filtered, column widths
//! fitted to their content (bounded), counts as numbers, shares as numeric cells with a
//! percent format, exact decimals as numbers only when the `f64` shows the same decimal text
//! (else as text, never rounded), text from the input through `text::escape_controls` and a
//! quote prefix on a cell that starts like a formula (`=`, `+`, `-`, `@`: it is a string cell
//! anyway, and stays one when edited in Excel). Decides nothing: the figures come from
//! `report::summary`'s document and the records, the "what blocks" text from
//! `report::table::what_blocks`.

pub(crate) mod summary;

use indexmap::IndexMap;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet};

use super::summary::SummaryDoc;
use super::table::what_blocks;
use super::words::Words;
use crate::lang::Lang;
use crate::record::{CommuneRecord, Meta};
use crate::ruleset::Ruleset;
use crate::text::{clip, escape_controls};

/// Data rows a worksheet holds below its header row (Excel's 1,048,576 rows less one).
pub(crate) const MAX_DATA_ROWS: usize = 1_048_575;

/// Characters a cell holds (Excel's limit is 32,767): longer text is cut, with its length.
const MAX_CELL_CHARS: usize = 32_000;

/// Narrowest and widest a column is made, in characters.
const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 60;

/// The fills of level cells, from the lowest level (the palette repeats past its end); a
/// commune at no level has none.
const LEVEL_FILLS: [u32; 5] = [0xFFF2CC, 0xE2EFDA, 0xDDEBF7, 0xE4DFEC, 0xFCE4D6];

/// One commune's row of the results sheet: what the sink keeps per commune (a few strings,
/// not the whole record).
#[derive(Debug, Clone)]
pub(crate) struct ResultRow {
    /// 1-based position in the input.
    pub row: usize,
    /// Commune code.
    pub code: Option<String>,
    /// Commune name.
    pub name: Option<String>,
    /// District.
    pub district: Option<String>,
    /// Province.
    pub province: Option<String>,
    /// Zone id.
    pub zone: String,
    /// Level reached (index into the ruleset's levels).
    pub level: Option<usize>,
    /// Next level (index).
    pub next_level: Option<usize>,
    /// Criteria met of the next level (of the level at the top).
    pub criteria_met: usize,
    /// Criteria of that level.
    pub criteria_total: usize,
    /// What blocks the next level, one item a line ([`what_blocks`]).
    pub missing: Vec<String>,
    /// `--margin`: the indicators near their threshold, one a line.
    pub near: Option<Vec<String>>,
}

impl ResultRow {
    /// The row of `rec` in the language of `words`; `margin`: whether `--margin` was given.
    pub(crate) fn new(rs: &Ruleset, rec: &CommuneRecord, words: &Words<'_>, margin: bool) -> Self {
        ResultRow {
            row: rec.row,
            code: rec.code.clone(),
            name: rec.name.clone(),
            district: rec.district.clone(),
            province: rec.province.clone(),
            zone: words.zone(&rec.zone).to_owned(),
            level: rec.level.as_deref().and_then(|l| rs.level_index(l)),
            next_level: rec.next_level.as_deref().and_then(|l| rs.level_index(l)),
            criteria_met: rec.criteria_met,
            criteria_total: rec.criteria_total,
            missing: what_blocks(rec, words),
            near: margin.then(|| {
                rec.borderline
                    .iter()
                    .map(|b| words.borderline_text(b))
                    .collect()
            }),
        }
    }
}

/// The formats every sheet uses.
struct Styles {
    header: Format,
    wrap: Format,
    levels: Vec<Format>,
}

impl Styles {
    fn new() -> Self {
        Styles {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xD9D9D9))
                .set_border(FormatBorder::Thin),
            wrap: Format::new().set_text_wrap(),
            levels: LEVEL_FILLS
                .iter()
                .map(|&c| Format::new().set_background_color(Color::RGB(c)))
                .collect(),
        }
    }

    /// The fill of level `i`.
    fn level(&self, i: usize) -> &Format {
        &self.levels[i % self.levels.len()]
    }
}

/// A sheet being filled: a header row, then data rows, at most `max_rows` of them.
pub(crate) struct Sheet {
    ws: Worksheet,
    /// Widest content per column, in characters.
    widths: Vec<usize>,
    /// The row being written (0 is the header).
    row: u32,
    max_rows: usize,
    /// The first cell rust_xlsxwriter refused, returned by [`Sheet::finish`]: no cell is
    /// dropped unsaid.
    error: Option<rust_xlsxwriter::XlsxError>,
}

impl Sheet {
    /// A sheet named `name` with `headers`; at most `max_rows` data rows.
    pub(crate) fn new(name: &str, headers: &[String], max_rows: usize) -> anyhow::Result<Sheet> {
        let mut ws = Worksheet::new();
        ws.set_name(name)?;
        let styles = Styles::new();
        let mut sheet = Sheet {
            ws,
            widths: vec![0; headers.len()],
            row: 0,
            max_rows,
            error: None,
        };
        for (c, h) in headers.iter().enumerate() {
            sheet.put_text(c, h, Some(&styles.header));
        }
        Ok(sheet)
    }

    /// Start the next data row; refused past `max_rows`.
    pub(crate) fn next_row(&mut self) -> anyhow::Result<()> {
        if self.row as usize >= self.max_rows {
            anyhow::bail!(
                "--format xlsx: more than the {} rows a worksheet holds; use --format csv (or \
                 long, json, ndjson), which stream at any size",
                self.max_rows
            );
        }
        self.row += 1;
        Ok(())
    }

    fn fit(&mut self, col: usize, chars: usize) {
        if let Some(w) = self.widths.get_mut(col) {
            *w = (*w).max(chars);
        }
    }

    /// Text from the input or a ruleset: controls escaped, cut at the cell's limit, a quote
    /// prefix when it starts like a formula.
    fn put_text(&mut self, col: usize, s: &str, format: Option<&Format>) {
        let escaped = escape_controls(s);
        let text = clip(&escaped, MAX_CELL_CHARS);
        self.put_escaped(col, &text, format);
    }

    /// Text already escaped (lines joined by `\n`).
    fn put_escaped(&mut self, col: usize, text: &str, format: Option<&Format>) {
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        self.fit(col, widest);
        let quoted = super::csv::formula_leading(text);
        let (r, c) = (self.row, col as u16);
        let done = match (format, quoted) {
            (None, false) => self.ws.write_string(r, c, text).map(drop),
            (Some(f), false) => self.ws.write_string_with_format(r, c, text, f).map(drop),
            (f, true) => {
                let f = f.cloned().unwrap_or_else(Format::new).set_quote_prefix();
                self.ws.write_string_with_format(r, c, text, &f).map(drop)
            }
        };
        self.keep(done);
    }

    /// Keep the first error of a cell.
    fn keep(&mut self, done: Result<(), rust_xlsxwriter::XlsxError>) {
        if let Err(e) = done {
            self.error.get_or_insert(e);
        }
    }

    /// A text cell.
    pub(crate) fn text(&mut self, col: usize, s: &str) {
        self.put_text(col, s, None);
    }

    /// A text cell with `format`.
    fn text_with(&mut self, col: usize, s: &str, format: &Format) {
        self.put_text(col, s, Some(format));
    }

    /// An optional text cell (nothing for `None`).
    pub(crate) fn opt_text(&mut self, col: usize, s: Option<&str>) {
        if let Some(s) = s {
            self.text(col, s);
        }
    }

    /// One line per item, each escaped, in a wrapped cell.
    pub(crate) fn lines(&mut self, col: usize, items: &[String], wrap: &Format) {
        if items.is_empty() {
            return;
        }
        let joined = super::table::lines_cell(items);
        let text = clip(&joined, MAX_CELL_CHARS);
        self.put_escaped(col, &text, Some(wrap));
    }

    /// A count.
    pub(crate) fn count(&mut self, col: usize, n: usize) {
        let mut s = String::new();
        super::cell::push_int(&mut s, n);
        self.fit(col, s.len());
        // Counts are far below 2^53: exact as f64.
        let done = self
            .ws
            .write_number(self.row, col as u16, n as f64)
            .map(drop);
        self.keep(done);
    }

    /// An exact decimal: a number when the `f64` shows the same decimal text ([`exact_f64`]),
    /// else its text; `format` for the number.
    pub(crate) fn decimal(&mut self, col: usize, d: Decimal, format: Option<&Format>) {
        let text = d.to_string();
        self.fit(col, text.len());
        let (r, c) = (self.row, col as u16);
        let done = match (exact_f64(d), format) {
            (Some(f), None) => self.ws.write_number(r, c, f).map(drop),
            (Some(f), Some(fmt)) => self.ws.write_number_with_format(r, c, f, fmt).map(drop),
            (None, _) => {
                self.put_escaped(col, &text, None);
                Ok(())
            }
        };
        self.keep(done);
    }

    /// A share in percent (`62.2`) as the numeric fraction it is (`0.622`), shown with a
    /// percent format with as many decimals as the share has.
    pub(crate) fn percent(&mut self, col: usize, pct: Decimal) {
        let fraction = pct / Decimal::ONE_HUNDRED;
        let places = pct.scale() as usize;
        let mut pattern = String::from("0");
        if places > 0 {
            pattern.push('.');
            pattern.push_str(&"0".repeat(places));
        }
        pattern.push('%');
        let format = Format::new().set_num_format(pattern);
        self.decimal(col, fraction, Some(&format));
        self.fit(col, pct.to_string().len() + 1);
    }

    /// A yes/no cell.
    pub(crate) fn boolean(&mut self, col: usize, b: bool) {
        self.fit(col, 5);
        let done = self.ws.write_boolean(self.row, col as u16, b).map(drop);
        self.keep(done);
    }

    /// The finished worksheet: header frozen and filtered, widths fitted.
    pub(crate) fn finish(mut self) -> anyhow::Result<Worksheet> {
        if let Some(e) = self.error.take() {
            return Err(e.into());
        }
        let last = self.widths.len().saturating_sub(1) as u16;
        for (c, w) in self.widths.iter().enumerate() {
            let w = (*w).clamp(MIN_WIDTH, MAX_WIDTH);
            self.ws.set_column_width(c as u16, w as f64 + 2.0)?;
        }
        self.ws.set_freeze_panes(1, 0)?;
        self.ws.autofilter(0, 0, self.row, last)?;
        Ok(self.ws)
    }
}

/// `d` as an `f64` when that `f64`'s shortest text is `d`'s own (`0.622`, `12.5`): a number
/// in the cell is then the value shown. `None` when the binary value would differ from the
/// decimal one in the digits shown (`0.1234567890123456789`).
pub(crate) fn exact_f64(d: Decimal) -> Option<f64> {
    let text = d.normalize().to_string();
    let f: f64 = text.parse().ok()?;
    let back = f.to_string();
    (back == text || (f == 0.0 && d.is_zero())).then_some(f)
}

/// A level's name in `lang`.
fn level_name(rs: &Ruleset, i: usize, lang: Lang) -> &str {
    let l = &rs.levels[i];
    lang.pick(&l.name, &l.name_vi)
}

/// The results sheet of `evaluate`: one row per commune, in input order. District and
/// province columns only when some commune has one.
pub(crate) fn results_sheet(
    rs: &Ruleset,
    rows: Vec<ResultRow>,
    lang: Lang,
    max_rows: usize,
) -> anyhow::Result<Worksheet> {
    let t = |en: &str, vi: &str| lang.pick(en, vi).to_string();
    let district = rows.iter().any(|r| r.district.is_some());
    let province = rows.iter().any(|r| r.province.is_some());
    let near = rows.iter().any(|r| r.near.is_some());
    let mut headers = vec![t("#", "STT"), t("Code", "Mã xã"), t("Commune", "Tên xã")];
    if district {
        headers.push(t("District", "Huyện"));
    }
    if province {
        headers.push(t("Province", "Tỉnh"));
    }
    headers.extend([
        t("Zone", "Vùng/nhóm"),
        t("Level", "Mức đạt"),
        t("Next level", "Mức tiếp theo"),
        t("Criteria met", "Số tiêu chí đạt"),
        t("Criteria", "Tổng số tiêu chí"),
        t("What blocks the next level", "Còn thiếu cho mức tiếp theo"),
    ]);
    if near {
        headers.push(t("Near the threshold", "Sát ngưỡng"));
    }
    let styles = Styles::new();
    let mut sheet = Sheet::new(&t("results", "kết quả"), &headers, max_rows)?;
    let no_level = t("No level", "Chưa đạt mức nào");
    for r in rows {
        sheet.next_row()?;
        let mut c = 0;
        let mut col = || {
            c += 1;
            c - 1
        };
        sheet.count(col(), r.row);
        sheet.opt_text(col(), r.code.as_deref());
        sheet.opt_text(col(), r.name.as_deref());
        if district {
            sheet.opt_text(col(), r.district.as_deref());
        }
        if province {
            sheet.opt_text(col(), r.province.as_deref());
        }
        sheet.text(col(), &r.zone);
        match r.level {
            Some(i) => sheet.text_with(col(), level_name(rs, i, lang), styles.level(i)),
            None => sheet.text(col(), &no_level),
        }
        let next = col();
        if let Some(i) = r.next_level {
            sheet.text(next, level_name(rs, i, lang));
        }
        sheet.count(col(), r.criteria_met);
        sheet.count(col(), r.criteria_total);
        sheet.lines(col(), &r.missing, &styles.wrap);
        if near {
            let c = col();
            if let Some(items) = &r.near {
                sheet.lines(c, items, &styles.wrap);
            }
        }
    }
    sheet.finish()
}

/// The `meta` sheet: the provenance as key/value rows, keys as in JSON's `meta` and in its
/// order (an input's fields as `inputs[1].path`), numbers as numbers.
pub(crate) fn meta_sheet(meta: &Meta, lang: Lang) -> anyhow::Result<Worksheet> {
    let headers = [
        lang.pick("key", "khóa").to_string(),
        lang.pick("value", "giá trị").to_string(),
    ];
    let mut sheet = Sheet::new("meta", &headers, MAX_DATA_ROWS)?;
    // Through `IndexMap`s, so the keys keep the order of the JSON `meta`.
    let top: IndexMap<String, serde_json::Value> =
        serde_json::from_str(&serde_json::to_string(meta)?)?;
    let mut pairs = Vec::new();
    for (key, value) in top {
        if key == "inputs" {
            for (i, input) in meta.inputs.iter().enumerate() {
                let fields: IndexMap<String, serde_json::Value> =
                    serde_json::from_str(&serde_json::to_string(input)?)?;
                for (k, v) in fields {
                    pairs.push((format!("inputs[{}].{k}", i + 1), v));
                }
            }
        } else {
            pairs.push((key, value));
        }
    }
    for (key, v) in pairs {
        sheet.next_row()?;
        sheet.text(0, &key);
        match v {
            serde_json::Value::Null => {}
            serde_json::Value::Bool(b) => sheet.boolean(1, b),
            serde_json::Value::Number(n) => match n.as_u64() {
                Some(u) => sheet.count(1, u as usize),
                None => sheet.text(1, &n.to_string()),
            },
            serde_json::Value::String(s) => sheet.text(1, &s),
            other => sheet.text(1, &other.to_string()),
        }
    }
    sheet.finish()
}

/// The workbook of `evaluate`: the results (at most `max_rows`), the summary tables of every
/// commune (`doc`), the provenance.
pub(crate) fn evaluate_workbook(
    rs: &Ruleset,
    rows: Vec<ResultRow>,
    doc: &SummaryDoc<'_>,
    lang: Lang,
    max_rows: usize,
) -> anyhow::Result<Vec<u8>> {
    let mut sheets = vec![results_sheet(rs, rows, lang, max_rows)?];
    sheets.extend(summary::summary_sheets(rs, doc, lang)?);
    sheets.push(meta_sheet(doc.meta, lang)?);
    workbook(sheets)
}

/// The workbook of `summary`: its tables, then the provenance.
pub(crate) fn summary_workbook(
    rs: &Ruleset,
    doc: &SummaryDoc<'_>,
    lang: Lang,
) -> anyhow::Result<Vec<u8>> {
    let mut sheets = summary::summary_sheets(rs, doc, lang)?;
    sheets.push(meta_sheet(doc.meta, lang)?);
    workbook(sheets)
}

/// A workbook of `sheets`, in order, as bytes.
pub(crate) fn workbook(sheets: Vec<Worksheet>) -> anyhow::Result<Vec<u8>> {
    let mut wb = Workbook::new();
    for ws in sheets {
        wb.push_worksheet(ws);
    }
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests;
