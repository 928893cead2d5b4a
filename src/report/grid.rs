//! A table's cells in buffers of rows, measured as they are written, and drawn without
//! comfy-table when no width applies (a file or a pipe without `COLUMNS`).
//!
//! Without a width, comfy-table's layout of a [`fit`](super::fit) table is fixed: every
//! column is as wide as its widest line (at least 1, and at least its longest word, which a
//! line is never narrower than), nothing wraps, and the lines are drawn in the
//! `UTF8_FULL_CONDENSED` preset with one space of padding each side. [`Grid::write_plain`]
//! draws exactly that, byte for byte (a property test compares both on random cells), from
//! widths measured once per line, with no allocation per cell. With a width (`COLUMNS`, or
//! a terminal), [`Grid::write`] hands the same cells to comfy-table and [`fit`].
//!
//! The rows come in [`Rows`], one per batch of communes, each filled on the thread that
//! rendered its batch; a [`Grid`] keeps them as they are (no copy) and draws them in order.
//!
//! Owns only the drawing; the cells' text (escaped) is the caller's.

use std::io::{IsTerminal, Write};

use unicode_width::UnicodeWidthStr;

use super::fit::{fit, width_set};
use super::table::new_table;

/// How much of the drawing is kept before it is written.
const PIECE: usize = 64 * 1024;

/// Widths at or past this are left to comfy-table, whose `u16` arithmetic this module
/// does not copy.
const MAX_PLAIN_WIDTH: usize = 60_000;

/// Rows of a table being filled, cell after cell, row after row.
#[derive(Debug)]
pub(crate) struct Rows {
    /// Columns of every row.
    columns: usize,
    /// Every cell's text, one after another.
    text: String,
    /// Each cell: the end of its lines in `lines` (its first line follows the previous cell's
    /// last).
    cells: Vec<u32>,
    /// Each line of each cell: where it starts and ends in `text`, and its display width.
    lines: Vec<(u32, u32, u32)>,
    /// The widest line of each column.
    widest: Vec<usize>,
    /// The longest word of each column (words are separated by spaces and line breaks),
    /// counted where it can be wider than its line ([`measure`]).
    longest: Vec<usize>,
    /// Where the open cell starts in `text`.
    open: usize,
    /// Whether any cell is too wide for [`Grid::write_plain`].
    huge: bool,
}

impl Rows {
    /// Rows of `columns` columns; room is made for `rows` rows of about `bytes` bytes and
    /// `lines` lines each.
    pub(crate) fn new(columns: usize, rows: usize, bytes: usize, lines: usize) -> Self {
        Rows {
            columns,
            text: String::with_capacity(rows.saturating_mul(bytes)),
            cells: Vec::with_capacity(rows.saturating_mul(columns)),
            lines: Vec::with_capacity(rows.saturating_mul(lines)),
            widest: vec![0; columns],
            longest: vec![0; columns],
            open: 0,
            huge: false,
        }
    }

    /// The rows written so far (the open one, if any, not counted).
    pub(crate) fn len(&self) -> usize {
        self.cells.len() / self.columns.max(1)
    }

    /// The open cell's text so far: write to it, then [`end_cell`](Self::end_cell).
    pub(crate) fn text(&mut self) -> &mut String {
        &mut self.text
    }

    /// A whole cell.
    pub(crate) fn cell(&mut self, s: &str) {
        self.text.push_str(s);
        self.end_cell();
    }

    /// Closes the open cell: its lines are measured.
    pub(crate) fn end_cell(&mut self) {
        let column = self.cells.len() % self.columns;
        let end = self.text.len();
        let mut start = self.open;
        let (mut widest, mut longest) = (0, 0);
        loop {
            let stop =
                memchr::memchr(b'\n', &self.text.as_bytes()[start..end]).map_or(end, |i| start + i);
            let (width, word) = measure(&self.text[start..stop]);
            widest = widest.max(width);
            longest = longest.max(word);
            // Past u32 the cell is huge and comfy-table draws it.
            self.lines.push((start as u32, stop as u32, width as u32));
            if stop == end {
                break;
            }
            start = stop + 1;
        }
        if end >= u32::MAX as usize || widest >= MAX_PLAIN_WIDTH || longest >= MAX_PLAIN_WIDTH {
            self.huge = true;
        }
        self.widest[column] = self.widest[column].max(widest);
        self.longest[column] = self.longest[column].max(longest);
        self.cells.push(self.lines.len() as u32);
        self.open = end;
    }

    /// The lines of cell `k`, as a range of `lines`.
    fn cell_lines(&self, k: usize) -> std::ops::Range<usize> {
        let first = if k == 0 {
            0
        } else {
            self.cells[k - 1] as usize
        };
        first..self.cells[k] as usize
    }

    /// The text of cell `k`, its lines joined by line breaks.
    fn cell_text(&self, k: usize) -> &str {
        let lines = self.cell_lines(k);
        match (
            self.lines.get(lines.start),
            self.lines.get(lines.end.wrapping_sub(1)),
        ) {
            (Some(&(start, _, _)), Some(&(_, end, _))) if !lines.is_empty() => {
                &self.text[start as usize..end as usize]
            }
            _ => "",
        }
    }

    /// Row `r` of `from` (of as many columns) appended as the next row, measured again.
    pub(crate) fn copy_row(&mut self, from: &Rows, r: usize) {
        for k in r * from.columns..(r + 1) * from.columns {
            self.cell(from.cell_text(k));
        }
    }
}

/// A line's display width, and the display width of its longest word (words separated by
/// spaces) when that can be wider than the line's own width: 0 for a line of printable
/// ASCII, whose words are never wider than it (the column's width counts the line, so the
/// word changes nothing). Measured as comfy-table measures; printable ASCII without a lookup.
fn measure(line: &str) -> (usize, usize) {
    if printable_ascii(line.as_bytes()) {
        return (line.len(), 0);
    }
    // unicode-width measures a text from its end, and a space (width 1) leaves nothing
    // pending for the characters before it: the line's width is its words' widths and its
    // spaces, so each word is measured once (a property test compares both).
    let (mut width, mut longest) = (0, 0);
    for (i, word) in line.split(' ').enumerate() {
        let w = display_width(word);
        width += w + usize::from(i > 0);
        longest = longest.max(w);
    }
    (width, longest)
}

/// Whether every byte is printable ASCII (`' '` to `'~'`); a branch-free fold the compiler
/// turns into vector compares.
pub(crate) fn printable_ascii(b: &[u8]) -> bool {
    b.iter()
        .fold(true, |ok, &c| ok & (c.wrapping_sub(0x20) < 0x5f))
}

/// A table: its header and its rows, batch after batch.
pub(crate) struct Grid {
    header: Rows,
    rows: Vec<Rows>,
}

impl Grid {
    /// A table with this header (its number of columns is every row's).
    pub(crate) fn new<S: AsRef<str>>(header: &[S]) -> Self {
        let mut h = Rows::new(header.len(), 1, 16, 1);
        for c in header {
            h.cell(c.as_ref());
        }
        Grid {
            header: h,
            rows: Vec::new(),
        }
    }

    /// The next rows, of as many columns as the header.
    pub(crate) fn push(&mut self, rows: Rows) {
        debug_assert_eq!(rows.columns, self.header.columns);
        self.rows.push(rows);
    }

    /// Every part, the header first.
    fn parts(&self) -> impl Iterator<Item = &Rows> {
        std::iter::once(&self.header).chain(&self.rows)
    }

    /// The table drawn to `out`, followed by a line break: by [`write_plain`](Self::write_plain)
    /// when comfy-table would get no width (none set by `COLUMNS` and stdout no terminal),
    /// else by comfy-table laid out by [`fit`].
    pub(crate) fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        if width_set().is_none()
            && !std::io::stdout().is_terminal()
            && !self.parts().any(|p| p.huge)
        {
            self.write_plain(out)
        } else {
            let mut t = new_table();
            let row = |p: &Rows, r: usize| -> Vec<String> {
                (r * p.columns..(r + 1) * p.columns)
                    .map(|k| p.cell_text(k).to_string())
                    .collect()
            };
            t.set_header(row(&self.header, 0));
            for p in &self.rows {
                for r in 0..p.len() {
                    t.add_row(row(p, r));
                }
            }
            writeln!(out, "{}", fit(&mut t))
        }
    }

    /// Each column's content width as comfy-table lays out a [`fit`] table with no width:
    /// the widest line (at least 1), or the longest word if that is wider.
    fn content_widths(&self) -> Vec<usize> {
        (0..self.header.columns)
            .map(|i| {
                let w = self.parts().map(|p| p.widest[i]).max().unwrap_or(0).max(1);
                let l = self.parts().map(|p| p.longest[i]).max().unwrap_or(0);
                if l > 0 && w <= l { l } else { w }
            })
            .collect()
    }

    /// The table as comfy-table draws it with no width (see the module header), followed
    /// by a line break; written in pieces of about [`PIECE`] bytes.
    pub(crate) fn write_plain(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let widths = self.content_widths();
        let widest = widths.iter().copied().max().unwrap_or(0);
        // Spaces enough for any padding, copied rather than pushed one by one.
        let blank = vec![b' '; widest + 2];
        let mut piece = Vec::with_capacity(PIECE + 4096);
        let buf = &mut piece;
        let border = |buf: &mut Vec<u8>, [left, fill, junction, right]: [char; 4]| {
            push_char(buf, left);
            for (i, &w) in widths.iter().enumerate() {
                if i > 0 {
                    push_char(buf, junction);
                }
                for _ in 0..w + 2 {
                    push_char(buf, fill);
                }
            }
            push_char(buf, right);
            buf.push(b'\n');
        };
        border(buf, ['┌', '─', '┬', '┐']);
        // The next line of each cell of the row being drawn, and the end of its lines.
        let mut next: Vec<(usize, usize)> = Vec::with_capacity(widths.len());
        for (n, p) in self.parts().enumerate() {
            let text = p.text.as_bytes();
            for r in 0..p.len() {
                next.clear();
                next.extend((r * p.columns..(r + 1) * p.columns).map(|k| {
                    let l = p.cell_lines(k);
                    (l.start, l.end)
                }));
                let height = next.iter().map(|(a, b)| b - a).max().unwrap_or(0);
                for _ in 0..height {
                    buf.extend_from_slice("│".as_bytes());
                    for (i, (line, &w)) in next.iter_mut().zip(&widths).enumerate() {
                        if i > 0 {
                            buf.extend_from_slice("┆".as_bytes());
                        }
                        if line.0 < line.1 {
                            let (start, end, width) = p.lines[line.0];
                            line.0 += 1;
                            buf.push(b' ');
                            buf.extend_from_slice(&text[start as usize..end as usize]);
                            buf.extend_from_slice(&blank[..w - width as usize + 1]);
                        } else {
                            buf.extend_from_slice(&blank[..w + 2]);
                        }
                    }
                    buf.extend_from_slice("│\n".as_bytes());
                }
                if buf.len() >= PIECE {
                    out.write_all(buf)?;
                    buf.clear();
                }
            }
            if n == 0 {
                border(buf, ['╞', '═', '╪', '╡']);
            }
        }
        border(buf, ['└', '─', '┴', '┘']);
        out.write_all(buf)
    }
}

/// The display width of `s` as comfy-table measures it (unicode-width), printable ASCII
/// counted without a lookup.
fn display_width(s: &str) -> usize {
    if printable_ascii(s.as_bytes()) {
        s.len()
    } else {
        s.width()
    }
}

fn push_char(buf: &mut Vec<u8>, c: char) {
    let mut b = [0; 4];
    buf.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// What comfy-table prints for these rows (the first is the header) laid out by `fit`,
    /// with no width: the table `write_table` printed before [`Grid`].
    fn comfy(rows: &[Vec<String>]) -> Vec<u8> {
        let mut t = new_table();
        t.force_no_tty();
        t.set_header(rows[0].clone());
        for r in &rows[1..] {
            t.add_row(r.clone());
        }
        format!("{}\n", fit(&mut t)).into_bytes()
    }

    /// The plain drawing of these rows (the first is the header), the others in parts of
    /// `split` rows.
    fn plain(rows: &[Vec<String>], split: usize) -> Vec<u8> {
        let mut g = Grid::new(&rows[0]);
        for part in rows[1..].chunks(split) {
            let mut p = Rows::new(rows[0].len(), part.len(), 16, 1);
            for r in part {
                for c in r {
                    p.cell(c);
                }
            }
            assert_eq!(p.len(), part.len());
            g.push(p);
        }
        assert!(!g.parts().any(|p| p.huge));
        let mut buf = Vec::new();
        g.write_plain(&mut buf).expect("writes to memory");
        buf
    }

    /// Text of 0 to 8 words of ASCII, Vietnamese, wide (CJK, emoji), combining and
    /// zero-width characters, joined by one or more spaces or line breaks (empty lines and
    /// lines of spaces included).
    fn cell() -> impl Strategy<Value = String> {
        let word = prop::collection::vec(
            prop::sample::select(vec![
                'a', 'x', '1', '%', '—', 'ạ', 'ồ', 'Đ', 'ư', 'ữ', '漢', '字', '😀', '\u{301}',
                '\u{200b}', '\u{fe0f}', '·', 'ｗ',
            ]),
            0..10,
        )
        .prop_map(|c| c.into_iter().collect::<String>());
        let sep = prop::sample::select(vec![" ", "  ", "\n", " \n", "\n\n"]);
        prop::collection::vec((word, sep), 0..8).prop_map(|parts| {
            let mut s = String::new();
            for (i, (w, sep)) in parts.iter().enumerate() {
                if i > 0 {
                    s.push_str(sep);
                }
                s.push_str(w);
            }
            s
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The plain drawing is comfy-table's, byte for byte: any number of columns and
        /// rows (none included), empty cells, cells of several lines, wide characters.
        #[test]
        fn plain_drawing_is_comfy_tables(
            (columns, rows) in (1usize..6).prop_flat_map(|n| {
                (Just(n), prop::collection::vec(prop::collection::vec(cell(), n), 1..6))
            }),
            split in 1usize..4,
        ) {
            prop_assert_eq!(rows[0].len(), columns);
            let want = comfy(&rows);
            let got = plain(&rows, split);
            prop_assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&want)
            );
        }
    }

    #[test]
    fn a_header_alone_and_empty_cells_draw_as_comfy_table_draws_them() {
        for rows in [
            vec![vec!["#".to_string(), String::new()]],
            vec![
                vec![String::new(), String::new()],
                vec![String::new(), "a\n\nb".to_string()],
            ],
            vec![vec!["Xã".to_string()], vec!["Hồng Lạc\n漢字 x".to_string()]],
        ] {
            assert_eq!(
                String::from_utf8_lossy(&plain(&rows, 1)),
                String::from_utf8_lossy(&comfy(&rows))
            );
        }
    }

    #[test]
    fn a_cell_as_wide_as_comfy_tables_limits_is_left_to_comfy_table() {
        let mut p = Rows::new(1, 1, 0, 1);
        p.cell(&"x".repeat(MAX_PLAIN_WIDTH));
        assert!(p.huge);
        let mut p = Rows::new(1, 1, 0, 1);
        p.cell(&"x ".repeat(MAX_PLAIN_WIDTH / 4));
        assert!(!p.huge);
    }

    /// Text of characters whose width depends on their neighbours for unicode-width
    /// (emoji and text presentation selectors, joiners, regional indicators, `\r`, combining
    /// marks, CJK, Vietnamese), spaces among them.
    fn tricky_line() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec![
                ' ',
                ' ',
                'a',
                'ạ',
                'ồ',
                '—',
                '漢',
                '😀',
                '❤',
                '☺',
                '#',
                '1',
                '\u{fe0f}',
                '\u{fe0e}',
                '\u{fe01}',
                '\u{200d}',
                '\u{200b}',
                '\u{301}',
                '\u{338}',
                '🇻',
                '🇳',
                '\r',
                'ｗ',
                '\u{1f3fb}',
                'ل',
                'ا',
                '\u{a4f8}',
            ]),
            0..16,
        )
        .prop_map(|c| c.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// `measure` gives the line's width as unicode-width measures it, and the width of
        /// its longest word where that can matter (not printable ASCII).
        #[test]
        fn measure_is_the_width_of_the_line_and_of_its_longest_word(line in tricky_line()) {
            let (width, longest) = measure(&line);
            prop_assert_eq!(width, line.width(), "{:?}", line);
            let words = line.split(' ').map(UnicodeWidthStr::width).max().unwrap_or(0);
            if printable_ascii(line.as_bytes()) {
                prop_assert_eq!(longest, 0);
                prop_assert!(words <= width);
            } else {
                prop_assert_eq!(longest, words, "{:?}", line);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// A row copied into other rows keeps its cells and their measures: a table of
        /// copied rows (some of them, in another order, as `--closest` lists them) draws as
        /// comfy-table draws those rows.
        #[test]
        fn copied_rows_draw_as_the_rows_they_copy(
            rows in prop::collection::vec(prop::collection::vec(cell(), 3), 2..7),
            pick in prop::collection::vec(0usize..6, 0..6),
        ) {
            let mut from = Rows::new(3, rows.len(), 16, 1);
            for r in &rows[1..] {
                for c in r {
                    from.cell(c);
                }
            }
            let pick: Vec<usize> = pick.into_iter().filter(|&i| i < from.len()).collect();
            let mut copy = Rows::new(3, pick.len(), 16, 1);
            for &i in &pick {
                copy.copy_row(&from, i);
            }
            let mut g = Grid::new(&rows[0]);
            g.push(copy);
            let mut got = Vec::new();
            g.write_plain(&mut got).expect("writes to memory");
            let mut want_rows = vec![rows[0].clone()];
            want_rows.extend(pick.iter().map(|&i| rows[i + 1].clone()));
            let want = comfy(&want_rows);
            prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
        }
    }
}
