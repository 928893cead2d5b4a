//! CSV output of `evaluate`: one row per commune, provenance in leading `#` lines.
//!
//! The `#` lines carry the same provenance as JSON's `meta` (skip them with
//! `pandas.read_csv(..., comment="#")`); the header row follows them.

use std::io::Write;

use super::{CommuneRecord, Meta};

/// Column names, in order.
pub const HEADER: [&str; 19] = [
    "row",
    "file",
    "line",
    "code",
    "name",
    "district",
    "province",
    "zone",
    "zone_source",
    "year",
    "level",
    "next_level",
    "criteria_met",
    "criteria_total",
    "indicators_met",
    "indicators_total",
    "unverified",
    "missing_criteria",
    "missing_detail",
];

/// Write the provenance lines, the header and one row per commune.
pub fn write_csv(
    out: &mut dyn Write,
    meta: &Meta,
    communes: &[CommuneRecord],
) -> anyhow::Result<()> {
    let mut w = CsvSink::start(out, meta)?;
    for c in communes {
        w.write(c)?;
    }
    w.finish()
}

/// Streaming form of [`write_csv`]: the same bytes, one commune at a time (issue #7).
pub struct CsvSink<'w> {
    w: csv::Writer<&'w mut dyn Write>,
}

impl<'w> CsvSink<'w> {
    /// Write the provenance lines and the header.
    pub fn start(out: &'w mut dyn Write, meta: &Meta) -> anyhow::Result<Self> {
        write_csv_head(out, meta)?;
        Ok(Self::body(out))
    }

    /// Rows only: for a body written before its head is known (see [`write_csv_head`]).
    pub fn body(out: &'w mut dyn Write) -> Self {
        CsvSink {
            w: csv::Writer::from_writer(out),
        }
    }
}

/// The provenance lines and the header row of [`write_csv`].
pub fn write_csv_head(out: &mut dyn Write, meta: &Meta) -> anyhow::Result<()> {
    writeln!(
        out,
        "# ntm {} ruleset {} sha256 {} ({})",
        meta.ntm_version, meta.ruleset_id, meta.ruleset_sha256, meta.ruleset_source
    )?;
    for i in &meta.inputs {
        writeln!(
            out,
            "# input {} sha256 {} rows {}",
            i.path, i.sha256, i.rows
        )?;
    }
    writeln!(
        out,
        "# communes {} unverified_verdicts {}",
        meta.communes, meta.unverified_verdicts
    )?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    w.flush()?;
    Ok(())
}

impl CsvSink<'_> {
    /// Write one commune's row.
    pub fn write(&mut self, c: &CommuneRecord) -> anyhow::Result<()> {
        let opt = |s: &Option<String>| s.clone().unwrap_or_default();
        let missing_criteria: Vec<String> = c
            .missing
            .iter()
            .map(|m| format!("{}:{}", m.level, m.criterion))
            .collect();
        let detail: Vec<String> = c
            .missing
            .iter()
            .flat_map(|m| {
                m.indicators
                    .iter()
                    .map(|i| format!("{}:{} {}", m.level, i.id, i.describe(&c.zone)))
            })
            .collect();
        self.w.write_record([
            c.row.to_string(),
            c.file.clone(),
            c.line.to_string(),
            opt(&c.code),
            opt(&c.name),
            opt(&c.district),
            opt(&c.province),
            c.zone.clone(),
            c.zone_source.clone(),
            c.year.to_string(),
            opt(&c.level),
            opt(&c.next_level),
            c.criteria_met.to_string(),
            c.criteria_total.to_string(),
            c.indicators_met.to_string(),
            c.indicators_total.to_string(),
            c.unverified.to_string(),
            missing_criteria.join(";"),
            detail.join("; "),
        ])?;
        Ok(())
    }

    /// Flush what is buffered.
    pub fn finish(mut self) -> anyhow::Result<()> {
        self.w.flush()?;
        Ok(())
    }
}
