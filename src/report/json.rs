//! JSON and NDJSON output of `evaluate` (the contract in README, "JSON output").

use std::io::Write;

use serde::Serialize;

use super::json_commune::{push_json_commune, push_ndjson_commune};
use crate::record::{CommuneRecord, Meta, RulesetSummary};

/// The whole document, as `serde_json` would write it: the test of the streamed form.
#[cfg(test)]
#[derive(Serialize)]
pub(crate) struct Document<'a> {
    pub ruleset: &'a RulesetSummary,
    pub communes: &'a [CommuneRecord],
    pub meta: &'a Meta,
}

/// One JSON document, `{"ruleset", "communes", "meta"}`: compact, or `pretty` (two spaces a
/// level, as `serde_json`'s pretty printer). The whole document at once: what the sink's
/// streamed JSON is tested against.
#[cfg(test)]
pub(crate) fn write_json(
    out: &mut dyn Write,
    meta: &Meta,
    ruleset: &RulesetSummary,
    communes: &[CommuneRecord],
    pretty: bool,
) -> anyhow::Result<()> {
    write_json_head(out, ruleset, pretty)?;
    for (i, c) in communes.iter().enumerate() {
        serde_json_commune(out, i == 0, c, pretty)?;
    }
    write_json_tail(out, meta, !communes.is_empty(), pretty)
}

/// The `--meta FILE` document: the [`Meta`] object alone, as JSON output puts it under
/// `"meta"`, indented two spaces a level, with a final newline.
pub(crate) fn write_meta_json(out: &mut dyn Write, meta: &Meta) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, meta)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// [`write_json`]'s document up to the opening of its `communes` array: what is known before
/// the first commune, so the communes can be written as they are evaluated.
pub(crate) fn write_json_head(
    out: &mut dyn Write,
    ruleset: &RulesetSummary,
    pretty: bool,
) -> anyhow::Result<()> {
    if pretty {
        out.write_all(b"{\n  \"ruleset\": ")?;
        ruleset.serialize(&mut serde_json::Serializer::with_formatter(
            &mut *out,
            Nested::new(2),
        ))?;
        out.write_all(b",\n  \"communes\": [")?;
    } else {
        out.write_all(b"{\"ruleset\":")?;
        serde_json::to_writer(&mut *out, ruleset)?;
        out.write_all(b",\"communes\":[")?;
    }
    Ok(())
}

/// One commune of [`write_json`]'s `communes` array: `first` says whether it opens the
/// array (every other one carries its leading comma). Written by hand
/// ([`json_commune`](super::json_commune)), byte for byte what [`serde_json_commune`]
/// writes (issue #14).
pub(crate) fn write_json_commune(
    out: &mut Vec<u8>,
    first: bool,
    c: &CommuneRecord,
    pretty: bool,
) -> anyhow::Result<()> {
    push_json_commune(out, first, c, pretty);
    Ok(())
}

/// [`write_json_commune`] through `serde_json`: what the hand-written JSON is tested against.
#[cfg(test)]
pub(crate) fn serde_json_commune<W: Write + ?Sized>(
    out: &mut W,
    first: bool,
    c: &CommuneRecord,
    pretty: bool,
) -> anyhow::Result<()> {
    if pretty {
        out.write_all(if first { b"\n    " } else { b",\n    " })?;
        let mut ser = serde_json::Serializer::with_formatter(out, Nested::new(4));
        c.serialize(&mut ser)?;
    } else {
        if !first {
            out.write_all(b",")?;
        }
        let mut ser = serde_json::Serializer::new(out);
        c.serialize(&mut ser)?;
    }
    Ok(())
}

/// The end of [`write_json`]'s document after its communes: the array closed, then `meta`,
/// known only once every commune was read. `any` says whether the array has a commune.
pub(crate) fn write_json_tail(
    out: &mut dyn Write,
    meta: &Meta,
    any: bool,
    pretty: bool,
) -> anyhow::Result<()> {
    if pretty {
        out.write_all(if any {
            b"\n  ],\n  \"meta\": "
        } else {
            b"],\n  \"meta\": "
        })?;
        meta.serialize(&mut serde_json::Serializer::with_formatter(
            &mut *out,
            Nested::new(2),
        ))?;
        out.write_all(b"\n}\n")?;
    } else {
        out.write_all(b"],\"meta\":")?;
        serde_json::to_writer(&mut *out, meta)?;
        out.write_all(b"}\n")?;
    }
    Ok(())
}

/// `serde_json`'s pretty formatter (two spaces a level) for a value nested in a pretty
/// document: every new line is indented `base` more spaces. Serialising a value with it
/// gives what serialising the whole document gives for that value, without serialising it
/// apart and indenting its lines afterwards.
struct Nested {
    base: usize,
    depth: usize,
    has_value: bool,
}

impl Nested {
    fn new(base: usize) -> Self {
        Nested {
            base,
            depth: 0,
            has_value: false,
        }
    }

    fn new_line<W: Write + ?Sized>(&self, out: &mut W, comma: bool) -> std::io::Result<()> {
        out.write_all(if comma { b",\n" } else { b"\n" })?;
        const SPACES: &[u8] = b"                                ";
        let mut n = self.base + 2 * self.depth;
        while n > 0 {
            let k = n.min(SPACES.len());
            out.write_all(&SPACES[..k])?;
            n -= k;
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

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Line<'a> {
    Meta {
        #[serde(flatten)]
        meta: &'a Meta,
        ruleset: &'a RulesetSummary,
    },
    #[cfg(test)]
    Commune(&'a CommuneRecord),
}

/// The `{"type":"meta",…}` line that ends NDJSON output (after one `{"type":"commune",…}`
/// line per commune): a stream without it is not complete.
pub(crate) fn write_ndjson_meta(
    out: &mut dyn Write,
    meta: &Meta,
    ruleset: &RulesetSummary,
) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, &Line::Meta { meta, ruleset })?;
    writeln!(out)?;
    Ok(())
}

/// One `{"type":"commune",…}` line of NDJSON output, written by hand as
/// [`write_json_commune`]: byte for byte what [`serde_ndjson_commune`] writes.
pub(crate) fn write_ndjson_commune(out: &mut Vec<u8>, c: &CommuneRecord) -> anyhow::Result<()> {
    push_ndjson_commune(out, c);
    Ok(())
}

/// [`write_ndjson_commune`] through `serde_json`: what the hand-written line is tested
/// against.
#[cfg(test)]
pub(crate) fn serde_ndjson_commune<W: Write + ?Sized>(
    out: &mut W,
    c: &CommuneRecord,
) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, &Line::Commune(c))?;
    out.write_all(b"\n")?;
    Ok(())
}

/// What ends a streamed NDJSON output whose run failed after communes were written: a line
/// that is not JSON, so no reader takes the stream for a complete one (README, "JSON
/// contract").
pub(crate) const NDJSON_FAILED: &[u8] = b"{\"type\":\"failed\"\n";
