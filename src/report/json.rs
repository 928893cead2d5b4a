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

/// One commune of [`write_json`]'s `communes` array, for a body written before its head is
/// known: `first` says whether it opens the array. [`write_json_around`] puts head and tail
/// around such a body; the bytes equal [`write_json`]'s.
pub fn write_json_commune(
    out: &mut dyn Write,
    first: bool,
    c: &CommuneRecord,
) -> anyhow::Result<()> {
    let mut buf = Vec::with_capacity(4096);
    serde_json::to_writer_pretty(&mut buf, c)?;
    out.write_all(if first { b"\n    " } else { b",\n    " })?;
    // Pretty JSON has newlines only between tokens (strings escape theirs), so indenting
    // after every newline nests the commune two levels deep, as in the whole document.
    for (i, line) in buf.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.write_all(b"\n    ")?;
        }
        out.write_all(line)?;
    }
    Ok(())
}

/// Write [`write_json`]'s document around a body of `communes` communes that `body` writes
/// with [`write_json_commune`].
pub fn write_json_around(
    out: &mut dyn Write,
    meta: &Meta,
    ruleset: &RulesetSummary,
    communes: usize,
    body: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let doc = Document {
        meta,
        ruleset,
        communes: &[],
    };
    let head = serde_json::to_vec_pretty(&doc)?;
    match head.strip_suffix(b"[]\n}") {
        Some(open) if communes > 0 => {
            out.write_all(open)?;
            out.write_all(b"[")?;
            body(out)?;
            out.write_all(b"\n  ]\n}\n")?;
        }
        _ => {
            out.write_all(&head)?;
            writeln!(out)?;
        }
    }
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
    write_ndjson_meta(out, meta, ruleset)?;
    for c in communes {
        write_ndjson_commune(out, c)?;
    }
    Ok(())
}

/// The `{"type":"meta",…}` line of [`write_ndjson`].
pub fn write_ndjson_meta(
    out: &mut dyn Write,
    meta: &Meta,
    ruleset: &RulesetSummary,
) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, &Line::Meta { meta, ruleset })?;
    writeln!(out)?;
    Ok(())
}

/// One `{"type":"commune",…}` line of [`write_ndjson`].
pub fn write_ndjson_commune(out: &mut dyn Write, c: &CommuneRecord) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, &Line::Commune(c))?;
    writeln!(out)?;
    Ok(())
}
