//! The model of `ntm test`, ruleset test cases: the case-file format, its validation against a
//! ruleset, running cases, boundary coverage and rewriting expectations (`--bless`).
//!
//! Pure: takes text and a validated `Ruleset`, returns values and diagnostics. Values go through
//! the same coercion as CSV cells (`data::coerce`) and header matching (`data::columns`), and
//! cases are evaluated by `eval::evaluate`: there is no second implementation of either. The
//! format is documented in docs/testing.md.

pub mod bless;
pub mod coverage;
mod raw;
pub mod run;
pub mod table;
mod validate;

use std::ops::Range;

use crate::data::coerce::Value;
use crate::diag::{Diagnostic, toml_error};
use raw::RawCaseFile;
pub(crate) use validate::known_id;
pub use validate::{validate, validate_with_rows};

/// Every code case-file reading can emit (besides the cell codes of `data::coerce`:
/// `not-a-number`, `not-a-bool`, `out-of-range`, which mean the same as in CSV files, and
/// `unreadable-file`, `invalid-utf8` for a file that cannot be read, as for rulesets).
pub const CODES: [&str; 24] = [
    "case-bad-row",
    "case-bad-value",
    "case-duplicate-measure",
    "case-duplicate-name",
    "case-empty-name",
    "case-expect-duplicate",
    "case-expect-missing-column",
    "case-expect-no-row",
    "case-expect-unmatched",
    "case-invalid-toml",
    "case-missing-key",
    "case-missing-zone",
    "case-no-cases",
    "case-no-expectation",
    "case-row-not-found",
    "case-ruleset-invalid",
    "case-unknown-criterion",
    "case-unknown-indicator",
    "case-unknown-key",
    "case-unknown-level",
    "case-unknown-measure",
    "case-unknown-ruleset",
    "case-unknown-zone",
    "case-year-outside-period",
];

/// The level a case expects when it reaches none.
pub const NO_LEVEL: &str = "none";

/// A case file that parsed as TOML, before it is read against its ruleset.
#[derive(Debug)]
pub struct Parsed {
    raw: RawCaseFile,
}

impl Parsed {
    /// The ruleset the file names, as written (a built-in id or a path relative to the file).
    pub fn ruleset(&self) -> &str {
        self.raw.ruleset.get_ref()
    }

    /// The data files that cases take a `row` from, as written (relative to the case file),
    /// each once, in order of first use.
    pub fn row_files(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in &self.raw.cases {
            if let Some(r) = &c.get_ref().row {
                let f = &r.get_ref().file;
                if !out.contains(f) {
                    out.push(f.clone());
                }
            }
        }
        out
    }

    /// Where the ruleset is named: byte range in the file.
    pub fn ruleset_span(&self) -> Range<usize> {
        self.raw.ruleset.span()
    }
}

/// Parse a case file's text; `path` is only used in diagnostics.
pub fn parse(text: &str, path: &str) -> Result<Parsed, Box<Diagnostic>> {
    match toml::from_str::<RawCaseFile>(text) {
        Ok(raw) => Ok(Parsed { raw }),
        Err(e) => {
            let codes = ["case-invalid-toml", "case-unknown-key", "case-missing-key"];
            Err(Box::new(toml_error(&e, text, path, codes).help(
                "the case-file format is described in docs/testing.md",
            )))
        }
    }
}

/// A validated case file.
#[derive(Debug, Clone)]
pub struct CaseFile {
    /// The file as the user named it.
    pub path: String,
    /// Its cases, in file order.
    pub cases: Vec<Case>,
}

/// One case: a commune's zone, year and values, and what it must reach.
#[derive(Debug, Clone)]
pub struct Case {
    /// Unique within the file.
    pub name: String,
    /// Line of the case's `name` (of the data row for table-driven cases).
    pub line: u64,
    /// Commune code (table-driven cases).
    pub code: Option<String>,
    /// Zone index (before overrides, as a `region`/`group` cell).
    pub zone: usize,
    /// Assessment year.
    pub year: i32,
    /// One value per measure (file values, then the case's); `None` is no data.
    pub values: Vec<Option<Value>>,
    /// What is expected; `None` only when the file is read for `--bless`.
    pub expect: Option<Expect>,
}

/// What a case expects. Fields left out are not checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expect {
    /// The level reached: `Some(None)` for none; `None` when not given.
    pub level: Option<Option<usize>>,
    /// Criteria ids of the next level that are not met.
    pub missing: Option<Vec<String>>,
    /// Indicator ids of the next level that are not met.
    pub missing_indicators: Option<Vec<String>>,
    /// Per level (index), in file order.
    pub levels: Vec<(usize, LevelExpect)>,
}

/// What a case expects of one level.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LevelExpect {
    /// Whether the level is reached.
    pub reached: Option<bool>,
    /// Criteria ids of this level not met.
    pub missing: Option<Vec<String>>,
    /// Indicator ids of this level not met.
    pub missing_indicators: Option<Vec<String>>,
}

#[cfg(test)]
mod tests;
