//! The text a ruleset was read from: one file, or a chain of files joined by `extends`.
//!
//! Spans of a merged ruleset are offsets into one virtual text: each file occupies its own range
//! (`start .. start + len`), so every raw value keeps a single `Range<usize>` whatever file it
//! came from, and `locate` turns an offset back into `path:line:col`.

use crate::diag::{Location, line_col};

/// One file of a ruleset.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// First offset of this file in the virtual text.
    pub start: usize,
    /// Path used in diagnostics.
    pub path: String,
    /// The text.
    pub text: String,
    /// Offset of the start of each line after the first: `locate` is called for every
    /// indicator while validating, and counting lines from the start each time was most of
    /// the cost of loading a ruleset (issue #7).
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// [`line_col`] of `pos`, from the line index.
    fn line_col(&self, pos: usize) -> (u64, u64) {
        let pos = pos.min(self.text.len());
        // Lines wholly before `pos`: those whose following line starts at or before it.
        let before = self.line_starts.partition_point(|&s| s <= pos);
        let line_start = match before {
            0 => 0,
            n => self.line_starts[n - 1],
        };
        match self.text.get(line_start..pos) {
            Some(col) => (before as u64 + 1, col.chars().count() as u64 + 1),
            // `pos` inside a character: count as the slow path does.
            None => line_col(&self.text, pos),
        }
    }
}

/// Every file a ruleset was read from, in the order they were added.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// Add a file; returns the offset its spans must be shifted by.
    pub fn add(&mut self, path: &str, text: &str) -> usize {
        // One byte of separation, so an empty file still owns its start offset.
        let start = self.files.last().map_or(0, |f| f.start + f.text.len() + 1);
        self.files.push(SourceFile {
            start,
            path: path.to_string(),
            text: text.to_string(),
            line_starts: text.match_indices('\n').map(|(i, _)| i + 1).collect(),
        });
        start
    }

    /// The file holding `offset`.
    fn file(&self, offset: usize) -> Option<&SourceFile> {
        self.files.iter().rev().find(|f| f.start <= offset)
    }

    /// `path:line:col` of a virtual offset.
    pub fn locate(&self, offset: usize) -> Location {
        match self.file(offset) {
            Some(f) => {
                let (line, col) = f.line_col(offset - f.start);
                Location {
                    path: f.path.clone(),
                    line: Some(line),
                    column: Some(col),
                }
            }
            None => Location {
                path: String::new(),
                line: None,
                column: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_back_to_their_file_line_and_column() {
        let mut s = Sources::default();
        assert_eq!(s.add("a.toml", "x = 1\ny = 2\n"), 0);
        let b = s.add("b.toml", "z = 3\n");
        assert_eq!(b, 13);
        let at = |o| {
            let l = s.locate(o);
            (l.path, l.line, l.column)
        };
        assert_eq!(at(6), ("a.toml".into(), Some(2), Some(1)));
        assert_eq!(at(b + 4), ("b.toml".into(), Some(1), Some(5)));
    }

    #[test]
    fn the_line_index_agrees_with_counting_from_the_start() {
        let text = "a = 1\n\nđạt = \"x\"\r\n  b = 2\nlast";
        let mut s = Sources::default();
        s.add("a.toml", text);
        for pos in 0..=text.len() + 2 {
            let l = s.locate(pos);
            let (line, col) = line_col(text, pos);
            assert_eq!((l.line, l.column), (Some(line), Some(col)), "offset {pos}");
        }
    }
}
