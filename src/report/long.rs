//! `evaluate --format long`: CSV with one row per commune × indicator, for pivot tables.
//!
//! Every indicator of every level, in ruleset order, for every commune, in input order. The
//! same provenance `#` lines as the `csv` format, then the header. Streams like `csv`.

use std::io::Write;

use rust_decimal::Decimal;

use super::csv::{excel_safe, notes_cell, write_provenance};
use super::{CommuneRecord, Meta};
use crate::data::coerce::Value;
use crate::eval::{Outcome, Status};
use crate::margin::{Margin, distance};
use crate::ruleset::Ruleset;
use crate::ruleset::model::Test;

/// Column names, in order (README, "Output").
pub const LONG_HEADER: [&str; 27] = [
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
    "commune_level",
    "level",
    "level_reached",
    "criterion",
    "criterion_status",
    "indicator",
    "measure",
    "value",
    "op",
    "threshold",
    "threshold_year",
    "status",
    "verified",
    "gap",
    "gap_pct",
    "borderline",
    "notes",
];

/// The provenance lines and the header row.
pub fn write_long_head(out: &mut dyn Write, meta: &Meta) -> anyhow::Result<()> {
    write_provenance(out, meta)?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(LONG_HEADER)?;
    w.flush()?;
    Ok(())
}

/// Rows of the long format, one commune at a time.
pub struct LongSink<'w> {
    w: csv::Writer<&'w mut dyn Write>,
}

impl<'w> LongSink<'w> {
    /// Rows only (the head is written with [`write_long_head`] once it is known).
    pub fn body(out: &'w mut dyn Write) -> Self {
        LongSink {
            w: csv::Writer::from_writer(out),
        }
    }

    /// Every indicator row of one commune: `rec` is its record, `values` and `outcome` what
    /// it was evaluated from.
    pub fn write(
        &mut self,
        rs: &Ruleset,
        rec: &CommuneRecord,
        values: &[Option<Value>],
        outcome: &Outcome,
        margin: Option<Margin>,
    ) -> anyhow::Result<()> {
        let row = rec.row.to_string();
        let line = rec.line.to_string();
        let year = rec.year.to_string();
        // Input text is neutralised for spreadsheets as in the `csv` format.
        let text = |s: &Option<String>| excel_safe(s.as_deref().unwrap_or("")).into_owned();
        let (file, code, name) = (excel_safe(&rec.file), text(&rec.code), text(&rec.name));
        let (district, province) = (text(&rec.district), text(&rec.province));
        let notes = excel_safe(&notes_cell(&rec.notes)).into_owned();
        for (r, ind) in rs.indicators() {
            let lo = &outcome.levels[r.level];
            let co = &lo.criteria[r.criterion];
            let io = &co.indicators[r.indicator];
            let value = values.get(ind.measure).copied().flatten();
            let threshold = io.threshold.map(|t| t.value.normalize());
            let dist = distance(&ind.test, threshold, value);
            let borderline = match (margin, value, threshold) {
                (Some(m), Some(Value::Num(v)), Some(t)) => m.borderline(&ind.test, v, t),
                _ => false,
            };
            let w = &mut self.w;
            w.write_field(&row)?;
            w.write_field(file.as_ref())?;
            w.write_field(&line)?;
            w.write_field(&code)?;
            w.write_field(&name)?;
            w.write_field(&district)?;
            w.write_field(&province)?;
            w.write_field(&rec.zone)?;
            w.write_field(&rec.zone_source)?;
            w.write_field(&year)?;
            w.write_field(rec.level.as_deref().unwrap_or(""))?;
            w.write_field(&rs.levels[r.level].id)?;
            w.write_field(bool_text(lo.reached))?;
            w.write_field(&rs.levels[r.level].criteria[r.criterion].id)?;
            w.write_field(status_text(co.status))?;
            w.write_field(&ind.id)?;
            w.write_field(&rs.measures[ind.measure].id)?;
            w.write_field(match value {
                None => String::new(),
                Some(Value::Num(n)) => n.normalize().to_string(),
                Some(Value::Bool(b)) => bool_text(b).to_string(),
            })?;
            w.write_field(match &ind.test {
                Test::Yes => "yes",
                Test::None => "none",
                Test::Compare(op, _) => op.as_str(),
            })?;
            w.write_field(threshold.map(|t| t.to_string()).unwrap_or_default())?;
            w.write_field(
                io.threshold
                    .and_then(|t| t.from)
                    .map(|y| y.to_string())
                    .unwrap_or_default(),
            )?;
            w.write_field(status_text(io.status))?;
            w.write_field(bool_text(io.verified))?;
            w.write_field(
                dist.map(|d| d.gap.normalize().to_string())
                    .unwrap_or_default(),
            )?;
            w.write_field(
                dist.and_then(|d| d.relative)
                    .map(|r| pct(r).to_string())
                    .unwrap_or_default(),
            )?;
            w.write_field(bool_text(borderline))?;
            w.write_field(&notes)?;
            w.write_record(None::<&[u8]>)?;
        }
        Ok(())
    }

    /// Flush what is buffered.
    pub fn finish(mut self) -> anyhow::Result<()> {
        self.w.flush()?;
        Ok(())
    }
}

/// A relative gap as a percentage rounded to 2 decimals, as in explain's `gap_pct`.
pub fn pct(relative: Decimal) -> Decimal {
    (relative * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

fn status_text(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::NoData => "no_data",
    }
}
