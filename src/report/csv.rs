//! CSV output of `evaluate`: one row per commune, provenance in leading `#` lines.
//!
//! The `#` lines carry the same provenance as JSON's `meta` (skip them with
//! `pandas.read_csv(..., comment="#")`); the header row follows them.

use std::io::Write;

use super::{CommuneRecord, Meta};

/// Column names, in order.
pub const HEADER: [&str; 23] = [
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
    "borderline",
    "to_next_indicators",
    "to_next_no_data",
    "to_next_shortfall_pct",
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
    write_provenance(out, meta)?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    w.flush()?;
    Ok(())
}

/// The `#` provenance lines every CSV output starts with (the `csv` and `long` formats).
pub fn write_provenance(out: &mut dyn Write, meta: &Meta) -> anyhow::Result<()> {
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
    Ok(())
}

impl CsvSink<'_> {
    /// Write one commune's row.
    pub fn write(&mut self, c: &CommuneRecord) -> anyhow::Result<()> {
        // Fields are written by reference: building a `String` per field was a visible share
        // of the time on large files (issue #7).
        let mut missing_criteria = String::new();
        for (i, m) in c.missing.iter().enumerate() {
            if i > 0 {
                missing_criteria.push(';');
            }
            missing_criteria.push_str(&m.level);
            missing_criteria.push(':');
            missing_criteria.push_str(&m.criterion);
        }
        let mut detail = String::new();
        for m in &c.missing {
            for i in &m.indicators {
                if !detail.is_empty() {
                    detail.push_str("; ");
                }
                detail.push_str(&m.level);
                detail.push(':');
                detail.push_str(&i.id);
                detail.push(' ');
                detail.push_str(&i.describe(&c.zone));
            }
        }
        let w = &mut self.w;
        w.write_field(c.row.to_string())?;
        w.write_field(&c.file)?;
        w.write_field(c.line.to_string())?;
        w.write_field(c.code.as_deref().unwrap_or(""))?;
        w.write_field(c.name.as_deref().unwrap_or(""))?;
        w.write_field(c.district.as_deref().unwrap_or(""))?;
        w.write_field(c.province.as_deref().unwrap_or(""))?;
        w.write_field(&c.zone)?;
        w.write_field(&c.zone_source)?;
        w.write_field(c.year.to_string())?;
        w.write_field(c.level.as_deref().unwrap_or(""))?;
        w.write_field(c.next_level.as_deref().unwrap_or(""))?;
        w.write_field(c.criteria_met.to_string())?;
        w.write_field(c.criteria_total.to_string())?;
        w.write_field(c.indicators_met.to_string())?;
        w.write_field(c.indicators_total.to_string())?;
        w.write_field(if c.unverified { "true" } else { "false" })?;
        w.write_field(&missing_criteria)?;
        w.write_field(&detail)?;
        let mut borderline = String::new();
        for (i, b) in c.borderline.iter().enumerate() {
            if i > 0 {
                borderline.push_str("; ");
            }
            borderline.push_str(&b.describe());
        }
        w.write_field(&borderline)?;
        match &c.to_next {
            Some(t) => {
                w.write_field(t.indicators.to_string())?;
                w.write_field(t.no_data.to_string())?;
                w.write_field(t.shortfall_pct.to_string())?;
            }
            None => {
                for _ in 0..3 {
                    w.write_field("")?;
                }
            }
        }
        w.write_record(None::<&[u8]>)?;
        Ok(())
    }

    /// Flush what is buffered.
    pub fn finish(mut self) -> anyhow::Result<()> {
        self.w.flush()?;
        Ok(())
    }
}
