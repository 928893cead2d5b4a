//! How wide the tables for people are, and the one rule of their layout: no word is cut.
//!
//! The width is `COLUMNS` when the binary found it set to a number (on a terminal or not: a
//! user who sets it means it), else the terminal's (comfy-table asks the terminal when stdout
//! is one), else none: a file or pipe gets every table at its natural width, one line per
//! row, as before (`grep` and `less -S` want whole rows). comfy-table's dynamic layout cuts a
//! word that is longer than its column; [`fit`] makes every column at least as wide as its
//! longest word, so cells wrap between words only. A table whose longest words do not fit
//! side by side is then wider than asked: a word stays whole.
//!
//! Owns only the layout; the cells' text is each renderer's.

use std::sync::OnceLock;

use comfy_table::{ColumnConstraint, Table, Width};
use unicode_width::UnicodeWidthStr;

/// The width set by the binary (`None`: not set, or `COLUMNS` is not a number).
static WIDTH: OnceLock<Option<u16>> = OnceLock::new();

/// Set the width of every table from the value of `COLUMNS`; the first call wins. A library
/// caller (and every test in-process) that never calls it gets the terminal's width.
pub fn init(columns: Option<&str>) {
    let _ = WIDTH.set(parse_columns(columns));
}

/// The width `COLUMNS` set ([`init`]), if any.
pub(crate) fn width_set() -> Option<u16> {
    WIDTH.get().copied().flatten()
}

/// `COLUMNS` as a width: a positive whole number (spaces around it aside), else nothing.
pub fn parse_columns(value: Option<&str>) -> Option<u16> {
    value?.trim().parse::<u16>().ok().filter(|&w| w > 0)
}

/// The display width of the widest word of `text`: words are separated by spaces and line
/// breaks, as comfy-table separates them, and measured as it measures them.
pub fn longest_word(text: &str) -> usize {
    text.split([' ', '\n']).map(str::width).max().unwrap_or(0)
}

/// `t` ready to print: its width set ([`init`]), every column at least as wide as its
/// longest word (header included), so no word is cut.
pub fn fit(t: &mut Table) -> &Table {
    if let Some(w) = width_set() {
        t.set_width(w);
    }
    let mut longest: Vec<usize> = Vec::new();
    for row in t.header().into_iter().chain(t.row_iter()) {
        for (i, cell) in row.cell_iter().enumerate() {
            if longest.len() <= i {
                longest.resize(i + 1, 0);
            }
            longest[i] = longest[i].max(longest_word(&cell.content()));
        }
    }
    for (column, &n) in t.column_iter_mut().zip(&longest) {
        if n > 0 {
            // The bound counts the padding, as comfy-table's widths do.
            let n = u16::try_from(n)
                .unwrap_or(u16::MAX)
                .saturating_add(column.padding_width());
            column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(n)));
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::report::table::new_table;

    #[test]
    fn columns_is_a_positive_number_or_nothing() {
        assert_eq!(parse_columns(Some("60")), Some(60));
        assert_eq!(parse_columns(Some(" 80\n")), Some(80));
        for v in ["", "0", "-5", "wide", "60x", "99999"] {
            assert_eq!(parse_columns(Some(v)), None, "{v:?}");
        }
        assert_eq!(parse_columns(None), None);
    }

    #[test]
    fn the_longest_word_is_measured_in_display_columns() {
        assert_eq!(longest_word(""), 0);
        assert_eq!(longest_word("a bb\nccc d"), 3);
        assert_eq!(longest_word("Xã Hồng Lạc"), 4);
        // A wide character takes two columns, as comfy-table counts it.
        assert_eq!(longest_word("漢字 x"), 4);
    }

    /// The words of `text`, in order.
    fn words(text: &str) -> Vec<&str> {
        text.split_whitespace().collect()
    }

    /// `t` rendered at `width`, and the text of each cell of column `col` as printed (its
    /// lines joined by spaces), row by row.
    fn render(t: &mut Table, width: u16) -> (String, Vec<Vec<String>>) {
        t.set_width(width);
        // With a line between rows (the condensed preset has none), as wide as the preset.
        t.load_style(comfy_table::presets::UTF8_FULL);
        let text = fit(t).to_string();
        // Cells between the borders `│`; each printed line has every column's slice.
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut current: Vec<String> = Vec::new();
        for line in text.lines() {
            if line.starts_with('│') {
                let parts: Vec<String> = line
                    .trim_matches('│')
                    .split('┆')
                    .map(|s| s.trim().to_string())
                    .collect();
                if current.is_empty() {
                    current = parts;
                } else {
                    for (c, p) in current.iter_mut().zip(parts) {
                        if !p.is_empty() {
                            c.push(' ');
                            c.push_str(&p);
                        }
                    }
                }
            } else if !current.is_empty() {
                rows.push(std::mem::take(&mut current));
            }
        }
        (text, rows)
    }

    #[test]
    fn a_narrow_table_wraps_between_words_never_inside_one() {
        let long = "Income at least 110% of the advanced threshold: income_per_capita 70 < 77 required (RRD, 2025) [unverified]";
        let cells = [
            "1",
            "10816",
            "Xã Hồng Lạc",
            "standard",
            "Thủy lợi và phòng, chống thiên tai; irrigated_area_pct",
            long,
        ];
        for width in [40u16, 50, 60, 80, 100] {
            let mut t = new_table();
            t.set_header(["#", "Code", "Commune", "Level", "Criterion", "What blocks"]);
            t.add_row(cells);
            let (text, rows) = render(&mut t, width);
            assert_eq!(rows.len(), 2, "{text}");
            // Every cell, read back line after line, has its words whole and in order.
            for (got, want) in rows[1].iter().zip(cells) {
                assert_eq!(words(got), words(want), "width {width}:\n{text}");
            }
        }
    }

    #[test]
    fn without_fit_comfy_table_cuts_words_in_a_narrow_table() {
        // What `fit` is for: the same table laid out by comfy-table alone cuts a word.
        let mut t = new_table();
        t.set_header(["Commune", "What blocks"]);
        t.add_row(["Xã Hồng Lạc", "irrigated_area_pct income_per_capita"]);
        t.set_width(24);
        let text = t.to_string();
        assert!(!text.contains("irrigated_area_pct"), "{text}");
        let mut t = new_table();
        t.set_header(["Commune", "What blocks"]);
        t.add_row(["Xã Hồng Lạc", "irrigated_area_pct income_per_capita"]);
        let (text, rows) = render(&mut t, 24);
        assert_eq!(
            words(&rows[1][1]),
            ["irrigated_area_pct", "income_per_capita"]
        );
        assert!(text.contains("irrigated_area_pct"), "{text}");
    }

    /// A cell of 0 to 12 words of 1 to 14 letters, Vietnamese ones among them.
    fn cell() -> impl Strategy<Value = String> {
        let word = prop::collection::vec(
            prop::sample::select(vec!['a', 'x', 'ạ', 'ồ', 'Đ', 'ư', '_', '1', '%']),
            1..14,
        )
        .prop_map(|c| c.into_iter().collect::<String>());
        prop::collection::vec(word, 0..12).prop_map(|w| w.join(" "))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// No line ends inside a word, whatever the width; and when every column's longest
        /// word fits side by side, the table is no wider than asked.
        #[test]
        fn cells_wrap_between_words_at_any_width(
            rows in prop::collection::vec(prop::collection::vec(cell(), 3), 1..4),
            width in 10u16..120,
        ) {
            let mut t = new_table();
            t.set_header(["A", "Bb", "Ccc"]);
            for r in &rows {
                t.add_row(r.clone());
            }
            let (text, got) = render(&mut t, width);
            prop_assert_eq!(got.len(), rows.len() + 1, "{}", text);
            for (g, want) in got[1..].iter().zip(&rows) {
                for (cell, w) in g.iter().zip(want) {
                    prop_assert_eq!(words(cell), words(w), "width {}:\n{}", width, text);
                }
            }
            let needed: usize = (0..3)
                .map(|i| {
                    let head = ["A", "Bb", "Ccc"][i].len();
                    rows.iter().map(|r| longest_word(&r[i])).max().unwrap_or(0).max(head) + 2
                })
                .sum::<usize>()
                + 4;
            if needed <= usize::from(width) {
                for line in text.lines() {
                    prop_assert!(line.width() <= usize::from(width), "{}", text);
                }
            }
        }
    }

    #[test]
    fn a_word_longer_than_the_width_stays_whole() {
        let word = "x".repeat(70);
        let mut t = new_table();
        t.set_header(["A", "B"]);
        t.add_row(["short words here", word.as_str()]);
        let (text, rows) = render(&mut t, 40);
        assert_eq!(rows[1][1], word, "{text}");
        assert_eq!(words(&rows[1][0]), ["short", "words", "here"]);
    }
}
