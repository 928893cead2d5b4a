//! Human-readable output: comfy-table tables, laid out by `report::fit` (the width of
//! `COLUMNS` or the terminal, and no word cut); the commune table of `evaluate` goes through
//! `report::grid`, which draws the same table itself when no width applies.
//!
//! Every text from the input or the ruleset reaches a cell through [`esc`] (or
//! [`lines_cell`] for a cell of several lines, or [`escape_controls`] into a grid cell), so
//! a cell has exactly the lines the table means it to have and no control character reaches
//! the terminal.

use std::collections::BTreeMap;
use std::io::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

use super::cell::push_int;
use super::grid::{Grid, Rows, printable_ascii};
use super::words::Words;
use crate::data::read::YearFrom;
use crate::lang::Lang;
use crate::margin::Margin;
use crate::record::{CommuneRecord, Meta};
use crate::ruleset::Ruleset;
use crate::text::{echo, escape_controls};

/// What the commune table shows besides the usual columns.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TableOptions {
    /// `--margin`: a column of the indicators near their threshold.
    pub margin: Option<Margin>,
    /// `--closest [N]` and the number of communes evaluated: a column of what separates each
    /// commune from its next level, and a line saying how the rows are ordered.
    pub closest: Option<(Option<usize>, usize)>,
    /// Language of labels, names and numbers.
    pub lang: Lang,
}

/// `2 indicators, 1 without data; shortfall 18.13%` (`2 chỉ tiêu, 1 thiếu số liệu; thiếu
/// hụt 18,13%`).
pub(crate) fn to_next_text(t: &crate::record::ToNext, lang: Lang) -> String {
    let mut s = match lang {
        Lang::En => format!(
            "{} indicator{}",
            t.indicators,
            if t.indicators == 1 { "" } else { "s" }
        ),
        Lang::Vi => format!("{} chỉ tiêu", t.indicators),
    };
    if t.no_data > 0 {
        s.push_str(&format!(
            ", {} {}",
            t.no_data,
            lang.pick("without data", "thiếu số liệu")
        ));
    }
    if t.indicators > t.no_data {
        s.push_str(&format!(
            "; {} {}%",
            lang.pick("shortfall", "thiếu hụt"),
            super::num_text(t.shortfall_pct, lang)
        ));
    }
    s
}

/// `writeln!` of one line that may hold text from the input or a ruleset: the formatted text
/// with its control characters escaped ([`esc`]), so it stays one line.
macro_rules! writeln_esc {
    ($out:expr, $($arg:tt)*) => {
        writeln!($out, "{}", $crate::report::table::esc(&format!($($arg)*)))
    };
}
pub(crate) use writeln_esc;

/// A one-line cell: `s` with its control characters escaped ([`escape_controls`]).
pub(crate) fn esc(s: &str) -> String {
    escape_controls(s).into_owned()
}

/// A row of one-line cells, each escaped as by [`esc`].
pub(crate) fn esc_row<I, S>(cells: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    cells.into_iter().map(|c| esc(c.as_ref())).collect()
}

/// A cell of one line per item, each escaped: a newline inside an item cannot add a line.
pub(crate) fn lines_cell<S: AsRef<str>>(items: &[S]) -> String {
    let mut out = String::new();
    push_lines(&mut out, items);
    out
}

/// [`lines_cell`] appended to `out`.
fn push_lines<S: AsRef<str>>(out: &mut String, items: &[S]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&escape_controls(item.as_ref()));
    }
}

/// A table preset shared by every human-readable table.
pub(crate) fn new_table() -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    t
}

/// What blocks a commune's next level, one item a line (not escaped): each criterion not met
/// with its indicators, then the notes on the row (`--lenient`). The table's column and the
/// xlsx results sheet both show this text.
pub(crate) fn what_blocks(c: &CommuneRecord, words: &Words<'_>) -> Vec<String> {
    let mut blocks = Vec::with_capacity(c.missing.len() + c.notes.len());
    each_block(c, words, &mut String::new(), |item| {
        blocks.push(item.to_string())
    });
    blocks
}

/// Each item of [`what_blocks`], written into `item` (cleared first) and handed to `f`:
/// no string of its own.
fn each_block(c: &CommuneRecord, words: &Words<'_>, item: &mut String, mut f: impl FnMut(&str)) {
    let lang = words.lang();
    let tr = |en: &'static str, vi: &'static str| lang.pick(en, vi);
    for m in &c.missing {
        item.clear();
        if Some(&m.level) != c.next_level.as_ref() {
            item.push_str(words.level(&m.level));
            item.push_str(": ");
        }
        words.criterion_text_into(m, &c.zone, item);
        f(item);
    }
    for n in &c.notes {
        item.clear();
        item.push_str("! ");
        item.push_str(n.code);
        match &n.column {
            Some(col) => {
                for part in [" `", &echo(col), "` `", &echo(&n.value), "`: "] {
                    item.push_str(part);
                }
                item.push_str(tr("read as no data", "đọc là không có số liệu"));
            }
            None => {
                item.push_str(": ");
                item.push_str(tr(
                    "the row's measures read as no data",
                    "mọi chỉ số của dòng đọc là không có số liệu",
                ));
            }
        }
        f(item);
    }
}

/// Which columns the commune table has besides the usual ones, and their language.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TableColumns {
    /// `--margin`: the indicators near their threshold.
    pub margin: Option<Margin>,
    /// `--closest`: what separates each commune from its next level.
    pub closest: bool,
    /// Language of labels, names and numbers.
    pub lang: Lang,
}

impl TableColumns {
    fn of(opts: &TableOptions) -> Self {
        TableColumns {
            margin: opts.margin,
            closest: opts.closest.is_some(),
            lang: opts.lang,
        }
    }

    /// The header's cells.
    fn header(&self) -> Vec<String> {
        let lang = self.lang;
        let tr = |en: &'static str, vi: &'static str| lang.pick(en, vi);
        let mut header: Vec<String> = [
            "#",
            tr("Code", "Mã"),
            tr("Commune", "Xã"),
            tr("Zone", "Vùng/nhóm"),
            tr("Level", "Mức đạt"),
            tr("Next", "Mức tiếp theo"),
            tr("Criteria", "Tiêu chí"),
            tr("What blocks the next level", "Còn thiếu cho mức tiếp theo"),
        ]
        .map(String::from)
        .to_vec();
        if self.closest {
            header.push(tr("To the next level", "Khoảng cách đến mức tiếp theo").to_string());
        }
        if let Some(m) = self.margin {
            header.push(match lang {
                Lang::En => format!("Within {m} of the threshold"),
                Lang::Vi => format!("Sát ngưỡng (±{})", m.to_string().replace('.', ",")),
            });
        }
        header
    }

    fn count(&self) -> usize {
        8 + usize::from(self.closest) + usize::from(self.margin.is_some())
    }
}

/// The commune table's rows of some communes (a batch): their cells, measured, and what
/// the lines under the table count of each. Kept in place of the communes' records, which
/// are about ten times larger (issue #14).
#[derive(Debug)]
pub(crate) struct TableRows {
    rows: Rows,
    /// Per commune: its level's index in the ruleset (none below the first level) and
    /// whether an override set its zone.
    feet: Vec<(Option<usize>, bool)>,
}

impl TableRows {
    /// Communes in these rows.
    pub(crate) fn len(&self) -> usize {
        self.feet.len()
    }
}

/// Writes communes as rows of the table, one batch's rows at a time.
pub(crate) struct TableCells<'a> {
    rs: &'a Ruleset,
    words: Words<'a>,
    columns: TableColumns,
    /// One item of what blocks the next level, before it is escaped into its cell.
    item: String,
}

impl<'a> TableCells<'a> {
    pub(crate) fn new(rs: &'a Ruleset, columns: TableColumns) -> Self {
        TableCells {
            rs,
            words: Words::new(rs, columns.lang),
            columns,
            item: String::new(),
        }
    }

    /// Empty rows for about `communes` communes.
    pub(crate) fn rows(&self, communes: usize) -> TableRows {
        // About 400 bytes and 12 lines a commune without --margin; more when needed.
        TableRows {
            rows: Rows::new(self.columns.count(), communes, 400, 12),
            feet: Vec::with_capacity(communes),
        }
    }

    /// `c` as the next row of `t`.
    pub(crate) fn push(&mut self, t: &mut TableRows, c: &CommuneRecord) {
        let words = &self.words;
        let g = &mut t.rows;
        push_int(g.text(), c.row);
        g.end_cell();
        push_escaped(g.text(), c.code.as_deref().unwrap_or_default());
        g.end_cell();
        push_escaped(g.text(), c.name.as_deref().unwrap_or_default());
        g.end_cell();
        let overridden = c.zone_source.starts_with("override:");
        push_escaped(g.text(), words.zone(&c.zone));
        if overridden {
            g.text().push('*');
        }
        g.end_cell();
        push_escaped(g.text(), c.level.as_deref().map_or("—", |l| words.level(l)));
        g.end_cell();
        push_escaped(
            g.text(),
            c.next_level.as_deref().map_or("—", |l| words.level(l)),
        );
        g.end_cell();
        push_int(g.text(), c.criteria_met);
        g.text().push('/');
        push_int(g.text(), c.criteria_total);
        g.end_cell();
        let mut first = true;
        each_block(c, words, &mut self.item, |item| {
            let text = g.text();
            if !first {
                text.push('\n');
            }
            first = false;
            push_escaped(text, item);
        });
        g.end_cell();
        if self.columns.closest {
            match &c.to_next {
                Some(t) => g.cell(&to_next_text(t, self.columns.lang)),
                None => g.cell("—"),
            }
        }
        if self.columns.margin.is_some() {
            for (i, b) in c.borderline.iter().enumerate() {
                if i > 0 {
                    g.text().push('\n');
                }
                // In English without a string of its own.
                let item = &mut self.item;
                item.clear();
                match self.columns.lang {
                    Lang::En => b.describe_into(item),
                    Lang::Vi => item.push_str(&words.borderline_text(b)),
                }
                push_escaped(g.text(), item);
            }
            g.end_cell();
        }
        let level = c.level.as_ref().and_then(|l| self.rs.level_index(l));
        t.feet.push((level, overridden));
    }
}

/// `s` appended to `text` with its control characters escaped ([`escape_controls`]); text of
/// printable ASCII, which has none, is copied without a search.
fn push_escaped(text: &mut String, s: &str) {
    if printable_ascii(s.as_bytes()) {
        text.push_str(s);
    } else {
        text.push_str(&escape_controls(s));
    }
}

/// The commune table of `communes`, then the lines under it ([`draw_table`]): what
/// `evaluate` prints, for tests that hold records.
#[cfg(test)]
pub(crate) fn write_table(
    out: &mut dyn Write,
    rs: &Ruleset,
    meta: &Meta,
    communes: &[CommuneRecord],
    opts: TableOptions,
) -> anyhow::Result<()> {
    let mut cells = TableCells::new(rs, TableColumns::of(&opts));
    let mut rows = cells.rows(communes.len());
    for c in communes {
        cells.push(&mut rows, c);
    }
    draw_table(out, rs, meta, vec![rows], None, opts)
}

/// The commune table of the communes in `parts` (in their order, or the communes at these
/// positions of it, `--closest`), then a summary of levels, the year used and unverified
/// verdicts.
pub(crate) fn draw_table(
    out: &mut dyn Write,
    rs: &Ruleset,
    meta: &Meta,
    mut parts: Vec<TableRows>,
    order: Option<&[usize]>,
    opts: TableOptions,
) -> anyhow::Result<()> {
    let lang = opts.lang;
    let tr = |en: &'static str, vi: &'static str| lang.pick(en, vi);
    let columns = TableColumns::of(&opts);
    if let Some(order) = order {
        // The rows listed, in their order, measured again: the columns are as wide as the
        // rows shown.
        let mut from = Vec::with_capacity(parts.len() + 1);
        let mut n = 0;
        for p in &parts {
            from.push(n);
            n += p.len();
        }
        from.push(n);
        let mut listed = TableRows {
            rows: Rows::new(columns.count(), order.len(), 400, 12),
            feet: Vec::with_capacity(order.len()),
        };
        for &i in order {
            let k = from.partition_point(|&start| start <= i) - 1;
            if let Some(p) = parts.get(k) {
                listed.rows.copy_row(&p.rows, i - from[k]);
                listed.feet.push(p.feet[i - from[k]]);
            }
        }
        parts = vec![listed];
    }
    let mut grid = Grid::new(&columns.header());
    let mut by_level: BTreeMap<usize, usize> = BTreeMap::new();
    let mut below = 0;
    let mut communes = 0;
    let mut overridden = false;
    for p in parts {
        for &(level, o) in &p.feet {
            match level {
                Some(i) => *by_level.entry(i).or_default() += 1,
                None => below += 1,
            }
            overridden |= o;
        }
        communes += p.len();
        grid.push(p.rows);
    }
    grid.write(out)?;
    let words = Words::new(rs, lang);

    let mut parts: Vec<String> = by_level
        .iter()
        .rev()
        .map(|(i, n)| {
            format!(
                "{} {}",
                lang.count(*n as u64),
                esc(words.level(&rs.levels[*i].id))
            )
        })
        .collect();
    let first = esc(rs.levels.first().map_or("", |l| words.level(&l.id)));
    parts.push(match lang {
        Lang::En => format!("{} below {first}", lang.count(below as u64)),
        Lang::Vi => format!("{} chưa đạt {first}", lang.count(below as u64)),
    });
    let n = lang.count(communes as u64);
    match lang {
        Lang::En => writeln!(
            out,
            "{n} communes, ruleset {} ({}): {}",
            esc(&rs.id),
            esc(&rs.decision),
            parts.join(", ")
        )?,
        Lang::Vi => writeln!(
            out,
            "{n} xã, bộ tiêu chí {} ({}): {}",
            esc(&rs.id),
            esc(&rs.decision),
            parts.join(", ")
        )?,
    }
    let year = match (lang, meta.year, meta.year_source) {
        (Lang::En, Some(y), Some(YearFrom::Flag)) => format!("assessment year {y} (--year)"),
        (Lang::En, Some(y), Some(YearFrom::Column)) => {
            format!("assessment year {y} (year column)")
        }
        (Lang::En, Some(y), Some(YearFrom::PeriodEnd)) => {
            format!("assessment year {y} (last year of the ruleset's period; set --year)")
        }
        (Lang::En, _, _) => "assessment years from the year column (mixed)".to_string(),
        (Lang::Vi, Some(y), Some(YearFrom::Flag)) => format!("năm đánh giá {y} (--year)"),
        (Lang::Vi, Some(y), Some(YearFrom::Column)) => format!("năm đánh giá {y} (cột năm)"),
        (Lang::Vi, Some(y), Some(YearFrom::PeriodEnd)) => {
            format!("năm đánh giá {y} (năm cuối của giai đoạn áp dụng bộ tiêu chí)")
        }
        (Lang::Vi, _, _) => "năm đánh giá theo cột năm (nhiều năm)".to_string(),
    };
    writeln!(out, "{year}")?;
    if let Some((limit, total)) = opts.closest {
        let all = lang.count(total as u64);
        let text = match (lang, limit) {
            (Lang::En, Some(k)) if k < total => format!("the {n} closest of {all} communes"),
            (Lang::En, _) => "every commune".to_string(),
            (Lang::Vi, Some(k)) if k < total => format!("{n} xã gần nhất trong {all} xã"),
            (Lang::Vi, _) => "mọi xã".to_string(),
        };
        match lang {
            Lang::En => writeln!(
                out,
                "--closest: {text}, ordered by indicators short of the next level, then known gaps before no data, then the sum of shortfalls (% of each threshold); communes at the top level last"
            )?,
            Lang::Vi => writeln!(
                out,
                "Thứ tự xếp: {text}, xếp theo số chỉ tiêu còn thiếu cho mức tiếp theo, rồi khoảng cách đã biết trước chỉ tiêu thiếu số liệu, rồi tổng mức thiếu hụt (% của từng ngưỡng); xã đã ở mức cao nhất xếp cuối"
            )?,
        }
    }
    if overridden {
        writeln!(
            out,
            "{}",
            tr(
                "* zone set by an override (318/QĐ-TTg Article 1 for extremely difficult communes)",
                "* vùng theo ngoại lệ (Điều 1 Quyết định 318/QĐ-TTg đối với xã đặc biệt khó khăn)"
            )
        )?;
    }
    if meta.notes > 0 {
        match lang {
            Lang::En => writeln!(
                out,
                "! {} cell(s) or row(s) read as no data under --lenient (see the warnings)",
                lang.count(meta.notes as u64)
            )?,
            Lang::Vi => writeln!(
                out,
                "! {} ô hoặc dòng được đọc là không có số liệu (chế độ đọc nới lỏng; xem các cảnh báo)",
                lang.count(meta.notes as u64)
            )?,
        }
    }
    match (lang, meta.unverified_verdicts) {
        (Lang::En, 0) => writeln!(out, "no verdict rests on an unverified threshold")?,
        (Lang::Vi, 0) => writeln!(out, "không kết quả nào dựa trên ngưỡng chưa được đối chiếu")?,
        (Lang::En, u) => writeln!(
            out,
            "{} of {} verdicts rest on unverified thresholds (marked [unverified]; see `ntm rules show`; --strict-sources makes this an error)",
            lang.count(u as u64),
            lang.count(meta.communes as u64)
        )?,
        (Lang::Vi, u) => writeln!(
            out,
            "{}/{} kết quả dựa trên ngưỡng chưa được đối chiếu với văn bản pháp lý (đánh dấu \"chưa được đối chiếu\")",
            lang.count(u as u64),
            lang.count(meta.communes as u64)
        )?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The table's shortcut for printable ASCII escapes as `escape_controls` does.
        #[test]
        fn push_escaped_is_escape_controls(
            s in "\\PC*|[\\x00-\\x7f]*|[ -~\\x{85}\\x{200f}\\x{202e}\\x{2066}ạ]*",
        ) {
            let mut text = String::from("x");
            push_escaped(&mut text, &s);
            let want = escape_controls(&s);
            prop_assert_eq!(&text[1..], want.as_ref());
        }
    }
}
