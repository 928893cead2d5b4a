//! Duplicate commune codes: each (code, assessment year) is kept with where it was first read,
//! across every input file of the run.

use crate::data::hash::FxHashMap;
use crate::data::units;

/// Commune codes already read, keyed by code and assessment year: the same commune in
/// several years is panel data, the same commune twice in one year is `duplicate-code`.
#[derive(Debug, Default)]
pub struct Seen {
    first: FxHashMap<(Box<str>, i32), (usize, u64)>,
    files: Vec<String>,
}

impl Seen {
    /// Record `code` in `year` at `line` of file `input`; where it was first seen, as
    /// `path:line`, if it was.
    pub(super) fn first(
        &mut self,
        code: &str,
        year: i32,
        input: usize,
        line: u64,
    ) -> Option<String> {
        let key = (units::code_key(code).into_owned().into_boxed_str(), year);
        match self.first.get(&key) {
            Some(&(i, l)) => Some(match self.files.get(i) {
                Some(path) => format!("{path}:{l}"),
                None => format!("line {l}"),
            }),
            None => {
                self.first.insert(key, (input, line));
                None
            }
        }
    }

    pub(super) fn file(&mut self, input: usize, path: &str) {
        if self.files.len() <= input {
            self.files.resize(input + 1, String::new());
        }
        self.files[input] = path.to_string();
    }
}
