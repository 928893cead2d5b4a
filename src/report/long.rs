//! `evaluate --format long`: CSV with one row per commune × indicator, for pivot tables.
//!
//! Every indicator of every level, in ruleset order, for every commune, in input order. The
//! header first, as the `csv` format (with its `#` provenance lines before it under
//! `--csv-comments`). Streams like `csv`.

use std::io::Write;

use rust_decimal::Decimal;

use super::cell;
use super::csv::{excel_safe, notes_cell, write_provenance};
use crate::data::coerce::Value;
use crate::eval::{Outcome, Status};
use crate::margin::{Margin, distance};
use crate::record::{CommuneRecord, Meta};
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

/// The header row, after the `#` provenance lines of `comments` (`--csv-comments`) when
/// given.
pub fn write_long_head(out: &mut dyn Write, comments: Option<&Meta>) -> anyhow::Result<()> {
    if let Some(meta) = comments {
        write_provenance(out, meta)?;
    }
    let mut w = csv::Writer::from_writer(out);
    w.write_record(LONG_HEADER)?;
    w.flush()?;
    Ok(())
}

/// Rows of the long format, one commune at a time.
///
/// As [`CsvSink`](super::csv::CsvSink), rows are assembled in a buffer kept from commune to
/// commune and handed to the writer in blocks; the commune's own columns (the first eleven,
/// and its notes) are written once and copied into each of its rows, and the ids of each
/// indicator once per ruleset (issue #7).
pub struct LongSink<'w> {
    rows: cell::Blocks<'w>,
    /// The commune's leading columns, each followed by a comma.
    head: Vec<u8>,
    /// Its notes cell, as written.
    notes: Vec<u8>,
    num: String,
    /// The ids of every indicator of the ruleset named, as written.
    ids: Option<(RulesetKey, Vec<Ids>)>,
}

/// Which ruleset [`Ids`] were written for: rulesets with the same text, id and indicators
/// write the same ids.
struct RulesetKey {
    sha256: String,
    id: String,
    indicators: usize,
}

impl RulesetKey {
    fn of(rs: &Ruleset) -> Self {
        RulesetKey {
            sha256: rs.sha256.clone(),
            id: rs.id.clone(),
            indicators: rs.indicator_count(),
        }
    }

    fn is(&self, rs: &Ruleset) -> bool {
        self.sha256 == rs.sha256 && self.id == rs.id && self.indicators == rs.indicator_count()
    }
}

/// One indicator's constant columns, each as written and followed by a comma.
struct Ids {
    /// `level`.
    level: Vec<u8>,
    /// `criterion`.
    criterion: Vec<u8>,
    /// `indicator` and `measure`.
    indicator: Vec<u8>,
}

impl Ids {
    fn every(rs: &Ruleset) -> Vec<Ids> {
        let field = |parts: &[&str]| {
            let mut out = Vec::new();
            for p in parts {
                cell::push_csv_field(&mut out, excel_safe(p).as_bytes());
                out.push(b',');
            }
            out
        };
        rs.indicators()
            .map(|(r, ind)| Ids {
                level: field(&[&rs.levels[r.level].id]),
                criterion: field(&[&rs.levels[r.level].criteria[r.criterion].id]),
                indicator: field(&[&ind.id, &rs.measures[ind.measure].id]),
            })
            .collect()
    }
}

impl<'w> LongSink<'w> {
    /// Rows only (the head is written with [`write_long_head`] once it is known).
    pub fn body(out: &'w mut dyn Write) -> Self {
        LongSink {
            rows: cell::Blocks::new(out),
            head: Vec::new(),
            notes: Vec::new(),
            num: String::new(),
            ids: None,
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
        // Input text is neutralised for spreadsheets as in the `csv` format.
        fn text(s: &Option<String>) -> std::borrow::Cow<'_, str> {
            excel_safe(s.as_deref().unwrap_or(""))
        }
        let head = &mut self.head;
        head.clear();
        // Numbers need no quoting.
        let number = |head: &mut Vec<u8>, n: &str| {
            head.extend_from_slice(n.as_bytes());
            head.push(b',');
        };
        let field = |head: &mut Vec<u8>, f: &str| {
            cell::push_csv_field(head, f.as_bytes());
            head.push(b',');
        };
        let mut n = itoa::Buffer::new();
        number(head, n.format(rec.row));
        field(head, &excel_safe(&rec.file));
        number(head, n.format(rec.line));
        for t in [&rec.code, &rec.name, &rec.district, &rec.province] {
            field(head, &text(t));
        }
        field(head, &rec.zone);
        field(head, &rec.zone_source);
        number(head, n.format(rec.year));
        field(head, rec.level.as_deref().unwrap_or(""));
        self.notes.clear();
        if !rec.notes.is_empty() {
            cell::push_csv_field(
                &mut self.notes,
                excel_safe(&notes_cell(&rec.notes)).as_bytes(),
            );
        }

        if !self.ids.as_ref().is_some_and(|(key, _)| key.is(rs)) {
            self.ids = Some((RulesetKey::of(rs), Ids::every(rs)));
        }
        let ids = self.ids.as_ref().map_or(&[][..], |(_, ids)| ids.as_slice());

        let buf = &mut self.rows.buf;
        for ((r, ind), ids) in rs.indicators().zip(ids) {
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
            // Numbers and fixed words need no quoting.
            let word = |buf: &mut Vec<u8>, w: &str| {
                buf.extend_from_slice(w.as_bytes());
                buf.push(b',');
            };
            let num = &mut self.num;
            let mut decimal = |buf: &mut Vec<u8>, d: Option<Decimal>| {
                if let Some(d) = d {
                    num.clear();
                    cell::push_decimal(num, d);
                    buf.extend_from_slice(num.as_bytes());
                }
                buf.push(b',');
            };
            buf.extend_from_slice(&self.head);
            buf.extend_from_slice(&ids.level);
            word(buf, bool_text(lo.reached));
            buf.extend_from_slice(&ids.criterion);
            word(buf, status_text(co.status));
            buf.extend_from_slice(&ids.indicator);
            match value {
                None => buf.push(b','),
                Some(Value::Num(n)) => decimal(buf, Some(n.normalize())),
                Some(Value::Bool(b)) => word(buf, bool_text(b)),
            }
            word(
                buf,
                match &ind.test {
                    Test::Yes => "yes",
                    Test::None => "none",
                    Test::Compare(op, _) => op.as_str(),
                },
            );
            decimal(buf, threshold);
            match io.threshold.and_then(|t| t.from) {
                Some(y) => word(buf, itoa::Buffer::new().format(y)),
                None => buf.push(b','),
            }
            word(buf, status_text(io.status));
            word(buf, bool_text(io.verified));
            decimal(buf, dist.map(|d| d.gap.normalize()));
            decimal(buf, dist.and_then(|d| d.relative).map(crate::record::pct));
            word(buf, bool_text(borderline));
            buf.extend_from_slice(&self.notes);
            buf.push(b'\n');
        }
        self.rows.row_done()?;
        Ok(())
    }

    /// Hand what is buffered to the writer and flush it.
    pub fn finish(mut self) -> anyhow::Result<()> {
        self.rows.finish()?;
        Ok(())
    }
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
