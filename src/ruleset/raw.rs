//! The ruleset TOML exactly as written: serde structs with `deny_unknown_fields` and spans.
//!
//! Nothing here checks meaning; `validate` turns these into the model and reports problems.
//! Thresholds and `verified` have several shapes, so they are kept as spanned TOML values and
//! read by `validate`, which can then say precisely what is wrong and where.

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

use super::model::Origin;

/// A whole ruleset file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRuleset {
    pub(crate) ruleset: RawHeader,
    #[serde(default)]
    pub(crate) zones: Vec<RawZone>,
    #[serde(default)]
    pub(crate) measures: IndexMap<String, Spanned<RawMeasure>>,
    #[serde(default)]
    pub(crate) levels: Vec<RawLevel>,
    #[serde(default)]
    pub(crate) criteria: Vec<RawCriterion>,
    #[serde(default)]
    pub(crate) overrides: Vec<RawOverride>,
    /// Only with `extends`: threshold replacements of inherited indicators.
    #[serde(default)]
    pub(crate) amendments: Vec<RawAmendment>,
}

/// `[ruleset]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHeader {
    pub(crate) id: Spanned<String>,
    /// A built-in id or a path relative to this file.
    #[serde(default)]
    pub(crate) extends: Option<Spanned<String>>,
    pub(crate) name: String,
    pub(crate) name_vi: String,
    /// Required unless `extends` (then inherited).
    #[serde(default)]
    pub(crate) period: Option<Spanned<Vec<i64>>>,
    pub(crate) decision: String,
    /// Required unless `extends` (then inherited).
    #[serde(default)]
    pub(crate) zoning: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) notes: Option<String>,
}

/// `[[zones]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawZone {
    pub(crate) id: Spanned<String>,
    pub(crate) name: String,
    pub(crate) name_vi: String,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
}

/// `[measures.<id>]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMeasure {
    pub(crate) name: String,
    pub(crate) name_vi: String,
    pub(crate) kind: Spanned<String>,
    #[serde(default)]
    pub(crate) unit: Option<String>,
    #[serde(default)]
    pub(crate) aliases: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) optional: bool,
}

/// `[[levels]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLevel {
    pub(crate) id: Spanned<String>,
    pub(crate) name: String,
    pub(crate) name_vi: String,
    #[serde(default)]
    pub(crate) requires: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) source: Option<String>,
}

/// `[[criteria]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCriterion {
    pub(crate) level: Spanned<String>,
    pub(crate) id: Spanned<String>,
    /// Required for a new criterion; absent when an extension adds indicators to an inherited one.
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) name_vi: Option<String>,
    #[serde(default)]
    pub(crate) at_least: Option<Spanned<i64>>,
    #[serde(default)]
    pub(crate) indicators: Vec<RawIndicator>,
}

/// `[[criteria.indicators]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIndicator {
    pub(crate) id: Spanned<String>,
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) name_vi: Option<String>,
    pub(crate) measure: Spanned<String>,
    pub(crate) op: Spanned<String>,
    #[serde(default)]
    pub(crate) threshold: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub(crate) derived: Option<Spanned<RawDerived>>,
    pub(crate) source: String,
    pub(crate) verified: Spanned<toml::Value>,
    #[serde(default)]
    pub(crate) note: Option<String>,
    #[serde(default)]
    pub(crate) allow: Vec<Spanned<String>>,
    /// Set by `extend`, never read from the file.
    #[serde(skip)]
    pub(crate) origin: Origin,
}

/// `derived = { level, indicator, factor }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDerived {
    pub(crate) level: String,
    pub(crate) indicator: String,
    pub(crate) factor: toml::Value,
}

/// `[[overrides]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOverride {
    pub(crate) id: Spanned<String>,
    #[serde(default)]
    pub(crate) name: Option<String>,
    pub(crate) measure: Spanned<String>,
    pub(crate) zone: Spanned<String>,
    pub(crate) source: String,
}

/// `[[amendments]]`: a new threshold for an inherited indicator.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAmendment {
    pub(crate) level: Spanned<String>,
    pub(crate) indicator: Spanned<String>,
    pub(crate) threshold: Spanned<toml::Value>,
    pub(crate) source: String,
    pub(crate) verified: Spanned<toml::Value>,
    #[serde(default)]
    pub(crate) note: Option<String>,
}
