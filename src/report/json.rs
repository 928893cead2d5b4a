//! JSON and NDJSON output of `evaluate` (the contract in README, "JSON output").

use std::io::Write;

use serde::Serialize;

use super::{CommuneRecord, Meta, RulesetSummary};

#[derive(Serialize)]
struct Document<'a> {
    meta: &'a Meta,
    ruleset: &'a RulesetSummary,
    communes: &'a [CommuneRecord],
}

/// One JSON document: `{"meta", "ruleset", "communes"}`.
pub fn write_json(
    out: &mut dyn Write,
    meta: &Meta,
    ruleset: &RulesetSummary,
    communes: &[CommuneRecord],
) -> anyhow::Result<()> {
    let doc = Document {
        meta,
        ruleset,
        communes,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)?;
    Ok(())
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Line<'a> {
    Meta {
        #[serde(flatten)]
        meta: &'a Meta,
        ruleset: &'a RulesetSummary,
    },
    Commune(&'a CommuneRecord),
}

/// NDJSON: a `{"type":"meta",…}` line, then one `{"type":"commune",…}` line per commune.
pub fn write_ndjson(
    out: &mut dyn Write,
    meta: &Meta,
    ruleset: &RulesetSummary,
    communes: &[CommuneRecord],
) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, &Line::Meta { meta, ruleset })?;
    writeln!(out)?;
    for c in communes {
        serde_json::to_writer(&mut *out, &Line::Commune(c))?;
        writeln!(out)?;
    }
    Ok(())
}
