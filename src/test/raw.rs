//! A test-case file exactly as written: serde structs with `deny_unknown_fields` and spans.
//!
//! Nothing here checks meaning: `test::validate` reads these against the ruleset (measures,
//! zones, levels) and says precisely what is wrong and where.

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

/// A whole case file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCaseFile {
    /// Built-in id or a path relative to the case file.
    pub(crate) ruleset: Spanned<String>,
    /// Zone of every case that names none.
    #[serde(default)]
    pub(crate) zone: Option<Spanned<String>>,
    /// Year of every case that names none.
    #[serde(default)]
    pub(crate) year: Option<Spanned<i64>>,
    /// Values every case starts from.
    #[serde(default)]
    pub(crate) values: IndexMap<String, Spanned<RawCell>>,
    /// The cases.
    #[serde(default)]
    pub(crate) cases: Vec<Spanned<RawCase>>,
}

/// `[[cases]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCase {
    pub(crate) name: Spanned<String>,
    #[serde(default)]
    pub(crate) zone: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) year: Option<Spanned<i64>>,
    #[serde(default)]
    pub(crate) row: Option<Spanned<RawRow>>,
    #[serde(default)]
    pub(crate) values: IndexMap<String, Spanned<RawCell>>,
    #[serde(default)]
    pub(crate) expect: Option<Spanned<RawExpect>>,
}

/// `row = { file, code | line }`: a commune row of a data file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRow {
    pub(crate) file: String,
    #[serde(default)]
    pub(crate) code: Option<String>,
    #[serde(default)]
    pub(crate) line: Option<u64>,
}

/// `[cases.expect]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawExpect {
    pub(crate) level: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) missing: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub(crate) missing_indicators: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub(crate) levels: IndexMap<String, Spanned<RawLevelExpect>>,
}

/// `[cases.expect.levels.<id>]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLevelExpect {
    #[serde(default)]
    pub(crate) reached: Option<bool>,
    #[serde(default)]
    pub(crate) missing: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub(crate) missing_indicators: Option<Spanned<Vec<Spanned<String>>>>,
}

/// A value as written: text exactly as a CSV cell would have it, or a TOML number or bool.
/// Anything else (an array, a table, a date) is reported by `validate`.
pub(crate) type RawCell = toml::Value;

/// The cell text a value stands for: numbers as written in TOML, bools as `yes`/`no`.
/// `None` for values no CSV cell could hold.
pub(crate) fn cell(v: &RawCell) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(true) => Some("yes".to_string()),
        toml::Value::Boolean(false) => Some("no".to_string()),
        toml::Value::Datetime(_) | toml::Value::Array(_) | toml::Value::Table(_) => None,
    }
}
