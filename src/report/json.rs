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
///
/// Generic over the writer so that a `Vec<u8>` is written to without a call through a
/// vtable for every token (issue #7).
pub fn write_json_commune<W: Write + ?Sized>(
    out: &mut W,
    first: bool,
    c: &CommuneRecord,
) -> anyhow::Result<()> {
    out.write_all(if first { b"\n    " } else { b",\n    " })?;
    let mut ser = serde_json::Serializer::with_formatter(out, Nested::default());
    c.serialize(&mut ser)?;
    Ok(())
}

/// `serde_json`'s pretty formatter (two spaces a level) for a value nested two levels deep in
/// a pretty document: every new line is indented four more spaces. Serialising a commune
/// with it gives what serialising the whole document gives for that commune, without
/// serialising it apart and indenting its lines afterwards.
#[derive(Default)]
struct Nested {
    depth: usize,
    has_value: bool,
}

impl Nested {
    fn new_line<W: Write + ?Sized>(&self, out: &mut W, comma: bool) -> std::io::Result<()> {
        out.write_all(if comma { b",\n    " } else { b"\n    " })?;
        for _ in 0..self.depth {
            out.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: Write + ?Sized>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(b"[")
    }

    fn end_array<W: Write + ?Sized>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.new_line(out, false)?;
        }
        out.write_all(b"]")
    }

    fn begin_array_value<W: Write + ?Sized>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.new_line(out, !first)
    }

    fn end_array_value<W: Write + ?Sized>(&mut self, _out: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: Write + ?Sized>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(b"{")
    }

    fn end_object<W: Write + ?Sized>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.new_line(out, false)?;
        }
        out.write_all(b"}")
    }

    fn begin_object_key<W: Write + ?Sized>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.new_line(out, !first)
    }

    fn begin_object_value<W: Write + ?Sized>(&mut self, out: &mut W) -> std::io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: Write + ?Sized>(&mut self, _out: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
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

/// One `{"type":"commune",…}` line of [`write_ndjson`] (generic over the writer, as
/// [`write_json_commune`]).
pub fn write_ndjson_commune<W: Write + ?Sized>(
    out: &mut W,
    c: &CommuneRecord,
) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, &Line::Commune(c))?;
    out.write_all(b"\n")?;
    Ok(())
}
