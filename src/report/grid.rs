//! A table's cells in one buffer, measured as they are written, and drawn without
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
//! Owns only the drawing; the cells' text (escaped) is the caller's.

use std::io::{IsTerminal, Write};
use std::ops::Range;

use unicode_width::UnicodeWidthStr;

use super::fit::{fit, width_set};
use super::table::new_table;

/// How much of the drawing is kept before it is written.
const PIECE: usize = 64 * 1024;

/// Widths at or past this are left to comfy-table, whose `u16` arithmetic this module
/// does not copy.
const MAX_PLAIN_WIDTH: usize = 60_000;

/// A table being filled, cell after cell, row after row; the first row is the header.
pub(crate) struct Grid {
    /// Columns of every row.
    columns: usize,
    /// Every cell's text, one after another.
    text: String,
    /// Each cell's lines, as a range of `lines`.
    cells: Vec<Range<u32>>,
    /// Each line of each cell: its bytes in `text` and its display width.
    lines: Vec<(u32, u32, u32)>,
    /// The widest line of each column.
    widest: Vec<usize>,
    /// The longest word of each column (words are separated by spaces and line breaks).
    longest: Vec<usize>,
    /// Where the open cell starts in `text`.
    open: usize,
    /// Whether any cell is too wide for [`write_plain`](Self::write_plain).
    huge: bool,
}

impl Grid {
    /// A table of `header.len()` columns with this header.
    /// Room is made for `rows` rows of about `bytes` bytes each.
    pub(crate) fn new<S: AsRef<str>>(header: &[S], rows: usize, bytes: usize) -> Self {
        let columns = header.len();
        let cells = (rows + 1) * columns;
        let mut g = Grid {
            columns,
            text: String::with_capacity(rows.saturating_mul(bytes)),
            cells: Vec::with_capacity(cells),
            lines: Vec::with_capacity(cells),
            widest: vec![0; columns],
            longest: vec![0; columns],
            open: 0,
            huge: false,
        };
        for h in header {
            g.cell(h.as_ref());
        }
        g
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
        let first = self.lines.len();
        let end = self.text.len();
        let mut start = self.open;
        let (mut widest, mut longest) = (0, 0);
        loop {
            let stop = self.text[start..end].find('\n').map_or(end, |i| start + i);
            let line = &self.text[start..stop];
            let width = display_width(line);
            widest = widest.max(width);
            longest = line.split(' ').map(display_width).fold(longest, usize::max);
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
        self.cells.push(first as u32..self.lines.len() as u32);
        self.open = end;
    }

    /// The table drawn to `out`, followed by a line break: by [`write_plain`](Self::write_plain)
    /// when comfy-table would get no width (none set by `COLUMNS` and stdout no terminal),
    /// else by comfy-table laid out by [`fit`].
    pub(crate) fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        if width_set().is_none() && !std::io::stdout().is_terminal() && !self.huge {
            self.write_plain(out)
        } else {
            let mut t = new_table();
            let mut rows = self.cells.chunks(self.columns).map(|row| {
                row.iter()
                    .map(|c| self.cell_text(c.clone()))
                    .collect::<Vec<String>>()
            });
            if let Some(header) = rows.next() {
                t.set_header(header);
            }
            for row in rows {
                t.add_row(row);
            }
            writeln!(out, "{}", fit(&mut t))
        }
    }

    /// A cell's text, its lines joined by line breaks.
    fn cell_text(&self, lines: Range<u32>) -> String {
        let (Some(&(start, _, _)), Some(&(_, end, _))) = (
            self.lines.get(lines.start as usize),
            self.lines.get(lines.end as usize - 1),
        ) else {
            return String::new();
        };
        self.text[start as usize..end as usize].to_string()
    }

    /// Each column's content width as comfy-table lays out a [`fit`] table with no width:
    /// the widest line (at least 1), or the longest word if that is wider.
    fn content_widths(&self) -> Vec<usize> {
        self.widest
            .iter()
            .zip(&self.longest)
            .map(|(&w, &l)| {
                let w = w.max(1);
                if l > 0 && w <= l { l } else { w }
            })
            .collect()
    }

    /// The table as comfy-table draws it with no width (see the module header), followed
    /// by a line break; written in pieces of about [`PIECE`] bytes.
    pub(crate) fn write_plain(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let widths = self.content_widths();
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
        let mut line_of: Vec<std::iter::Peekable<Range<u32>>> = Vec::new();
        for (r, row) in self.cells.chunks(self.columns).enumerate() {
            line_of.clear();
            line_of.extend(row.iter().map(|c| c.clone().peekable()));
            let height = row.iter().map(|c| c.len()).max().unwrap_or(0);
            for _ in 0..height {
                buf.extend_from_slice("│".as_bytes());
                for (i, (lines, &w)) in line_of.iter_mut().zip(&widths).enumerate() {
                    if i > 0 {
                        buf.extend_from_slice("┆".as_bytes());
                    }
                    match lines.next() {
                        Some(l) => {
                            let (start, end, width) = self.lines[l as usize];
                            buf.push(b' ');
                            buf.extend_from_slice(
                                &self.text.as_bytes()[start as usize..end as usize],
                            );
                            spaces(buf, w - width as usize + 1);
                        }
                        None => spaces(buf, w + 2),
                    }
                }
                buf.extend_from_slice("│\n".as_bytes());
            }
            if r == 0 {
                border(buf, ['╞', '═', '╪', '╡']);
            }
            if buf.len() >= PIECE {
                out.write_all(buf)?;
                buf.clear();
            }
        }
        border(buf, ['└', '─', '┴', '┘']);
        out.write_all(buf)
    }
}

/// The display width of `s` as comfy-table measures it (unicode-width), printable ASCII
/// counted without a lookup.
fn display_width(s: &str) -> usize {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        s.len()
    } else {
        s.width()
    }
}

fn push_char(buf: &mut Vec<u8>, c: char) {
    let mut b = [0; 4];
    buf.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
}

fn spaces(buf: &mut Vec<u8>, n: usize) {
    buf.resize(buf.len() + n, b' ');
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

    fn plain(rows: &[Vec<String>]) -> Vec<u8> {
        let mut g = Grid::new(&rows[0], rows.len(), 16);
        for r in &rows[1..] {
            for c in r {
                g.cell(c);
            }
        }
        assert!(!g.huge);
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
        ) {
            prop_assert_eq!(rows[0].len(), columns);
            let want = comfy(&rows);
            let got = plain(&rows);
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
                String::from_utf8_lossy(&plain(&rows)),
                String::from_utf8_lossy(&comfy(&rows))
            );
        }
    }

    #[test]
    fn a_cell_as_wide_as_comfy_tables_limits_is_left_to_comfy_table() {
        let mut g = Grid::new(&["a"], 1, 0);
        g.cell(&"x".repeat(MAX_PLAIN_WIDTH));
        assert!(g.huge);
        let mut g = Grid::new(&["a"], 1, 0);
        g.cell(&"x ".repeat(MAX_PLAIN_WIDTH / 4));
        assert!(!g.huge);
    }
}
