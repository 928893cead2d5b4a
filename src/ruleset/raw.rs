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
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(title = "ntm ruleset"))]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRuleset {
    pub(crate) ruleset: RawHeader,
    #[serde(default)]
    pub(crate) zones: Vec<RawZone>,
    #[serde(default)]
    #[cfg_attr(
        test,
        schemars(with = "std::collections::BTreeMap<String, RawMeasure>")
    )]
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
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHeader {
    #[cfg_attr(test, schemars(with = "String"))]
    pub(crate) id: Spanned<String>,
    /// A built-in id or a path relative to this file.
    #[serde(default)]
    #[cfg_attr(test, schemars(with = "Option<String>"))]
    pub(crate) extends: Option<Spanned<String>>,
    pub(crate) name: String,
    pub(crate) name_vi: String,
    /// Required unless `extends` (then inherited).
    #[serde(default)]
    #[cfg_attr(test, schemars(schema_with = "schema::period"))]
    pub(crate) period: Option<Spanned<Vec<i64>>>,
    pub(crate) decision: String,
    /// Required unless `extends` (then inherited).
    #[serde(default)]
    #[cfg_attr(test, schemars(schema_with = "schema::zoning"))]
    pub(crate) zoning: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) notes: Option<String>,
}

/// `[[zones]]`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct RawZone {
    #[cfg_attr(test, schemars(with = "String"))]
    pub(crate) id: Spanned<String>,
    pub(crate) name: String,
    pub(crate) name_vi: String,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
}

/// `[measures.<id>]`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMeasure {
    pub(crate) name: String,
    pub(crate) name_vi: String,
    #[cfg_attr(test, schemars(schema_with = "schema::kind"))]
    pub(crate) kind: Spanned<String>,
    #[serde(default)]
    pub(crate) unit: Option<String>,
    #[serde(default)]
    pub(crate) unit_vi: Option<String>,
    #[serde(default)]
    #[cfg_attr(test, schemars(with = "Vec<String>"))]
    pub(crate) aliases: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) optional: bool,
}

/// `[[levels]]`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLevel {
    #[cfg_attr(test, schemars(with = "String"))]
    pub(crate) id: Spanned<String>,
    pub(crate) name: String,
    pub(crate) name_vi: String,
    #[serde(default)]
    #[cfg_attr(test, schemars(with = "Option<String>"))]
    pub(crate) requires: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) source: Option<String>,
}

/// `[[criteria]]`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCriterion {
    #[cfg_attr(test, schemars(with = "String"))]
    pub(crate) level: Spanned<String>,
    #[cfg_attr(test, schemars(with = "String"))]
    pub(crate) id: Spanned<String>,
    /// Required for a new criterion; absent when an extension adds indicators to an inherited one.
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) name_vi: Option<String>,
    #[serde(default)]
    #[cfg_attr(test, schemars(with = "Option<u32>"))]
    pub(crate) at_least: Option<Spanned<i64>>,
    #[serde(default)]
    pub(crate) indicators: Vec<RawIndicator>,
}

/// `[[criteria.indicators]]`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIndicator {
    #[cfg_attr(test, schemars(with = "String"))]
    pub(crate) id: Spanned<String>,
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) name_vi: Option<String>,
    #[cfg_attr(test, schemars(with = "String"))]
    pub(crate) measure: Spanned<String>,
    #[cfg_attr(test, schemars(schema_with = "schema::op"))]
    pub(crate) op: Spanned<String>,
    #[serde(default)]
    #[cfg_attr(test, schemars(schema_with = "schema::threshold"))]
    pub(crate) threshold: Option<Spanned<toml::Value>>,
    #[serde(default)]
    #[cfg_attr(test, schemars(with = "Option<RawDerived>"))]
    pub(crate) derived: Option<Spanned<RawDerived>>,
    pub(crate) source: String,
    #[cfg_attr(test, schemars(schema_with = "schema::verified"))]
    pub(crate) verified: Spanned<toml::Value>,
    #[serde(default)]
    pub(crate) note: Option<String>,
    #[serde(default)]
    #[cfg_attr(test, schemars(schema_with = "schema::allow"))]
    pub(crate) allow: Vec<Spanned<String>>,
    /// Set by `extend`, never read from the file.
    #[serde(skip)]
    #[cfg_attr(test, schemars(skip))]
    pub(crate) origin: Origin,
}

/// `derived = { level, indicator, factor }`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDerived {
    pub(crate) level: String,
    pub(crate) indicator: String,
    #[cfg_attr(test, schemars(with = "f64"))]
    pub(crate) factor: toml::Value,
}

/// `[[overrides]]`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOverride {
    #[cfg_attr(test, schemars(with = "String"))]
    pub(crate) id: Spanned<String>,
    #[serde(default)]
    pub(crate) name: Option<String>,
    #[cfg_attr(test, schemars(with = "String"))]
    pub(crate) measure: Spanned<String>,
    #[cfg_attr(test, schemars(with = "String"))]
    pub(crate) zone: Spanned<String>,
    pub(crate) source: String,
}

/// `[[amendments]]`: a new threshold (or, without `threshold`, a new source and verified
/// mark) for an inherited indicator.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAmendment {
    #[cfg_attr(test, schemars(with = "String"))]
    pub(crate) level: Spanned<String>,
    #[cfg_attr(test, schemars(with = "String"))]
    pub(crate) indicator: Spanned<String>,
    /// Absent: the base's threshold (or `yes`/`none` test) is kept and only `source`,
    /// `verified` and `note` change, e.g. to record that a province's decision confirms it.
    #[serde(default)]
    #[cfg_attr(test, schemars(schema_with = "schema::threshold"))]
    pub(crate) threshold: Option<Spanned<toml::Value>>,
    pub(crate) source: String,
    #[cfg_attr(test, schemars(schema_with = "schema::verified"))]
    pub(crate) verified: Spanned<toml::Value>,
    #[serde(default)]
    pub(crate) note: Option<String>,
}

/// JSON Schema fragments for the values `validate` reads by hand (docs/ruleset.schema.json).
#[cfg(test)]
mod schema {
    use schemars::{Schema, SchemaGenerator, json_schema};

    pub(super) fn period(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "[first, last] years the ruleset applies to",
            "type": "array", "items": { "type": "integer" }, "minItems": 2, "maxItems": 2
        })
    }

    pub(super) fn zoning(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "description": "what thresholds vary by", "enum": ["region", "group"] })
    }

    pub(super) fn kind(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "description": "how cells are read", "enum": ["number", "percent", "bool", "count"] })
    }

    pub(super) fn op(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "enum": [">=", ">", "<=", "<", "=", "yes", "none"] })
    }

    pub(super) fn allow(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "lints this indicator breaks on purpose",
            "type": "array",
            "items": { "enum": crate::ruleset::lint::ALLOWABLE }
        })
    }

    pub(super) fn verified(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "true, false, or the ids of the zones whose values were verified",
            "anyOf": [
                { "type": "boolean" },
                { "type": "array", "items": { "type": "string" } }
            ]
        })
    }

    pub(super) fn threshold(g: &mut SchemaGenerator) -> Schema {
        let per_zone = json_schema!({
            "anyOf": [
                { "type": "number" },
                {
                    "description": "one value per zone id; `all` covers the zones not named",
                    "type": "object",
                    "additionalProperties": { "type": "number" }
                }
            ]
        });
        json_schema!({
            "description": "a number, a table of zones, or a list of year entries",
            "anyOf": [
                per_zone.clone(),
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["from", "value"],
                        "properties": {
                            "from": { "type": "integer" },
                            "value": per_zone,
                            "verified": verified(g),
                            "note": { "type": "string" }
                        }
                    }
                }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    /// docs/ruleset.schema.json is generated from these types; regenerate with
    /// `NTM_BLESS_SCHEMA=1 cargo test --lib ruleset_schema`.
    #[test]
    fn ruleset_schema_is_up_to_date() {
        let schema = schemars::generate::SchemaSettings::draft07()
            .into_generator()
            .into_root_schema_for::<super::RawRuleset>();
        let text = serde_json::to_string_pretty(&schema).expect("a schema serializes") + "\n";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ruleset.schema.json");
        if std::env::var_os("NTM_BLESS_SCHEMA").is_some() {
            crate::cmd::output::write_file(std::path::Path::new(path), text.as_bytes())
                .expect("write the schema");
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == text,
            "docs/ruleset.schema.json is out of date: run `NTM_BLESS_SCHEMA=1 cargo test --lib ruleset_schema`"
        );
    }
}
