//! Rendering outcomes: the public record types (JSON/CSV contract) and one renderer per format.
//!
//! `CommuneRecord` and `Meta` are the contract documented in README ("JSON output"): field
//! names are snake_case and change only with a CHANGELOG line. Renderers write to a
//! `&mut dyn Write` and never decide anything.

pub mod cases;
pub mod cell;
pub mod check;
pub mod console;
pub mod csv;
pub mod diff;
pub mod explain;
pub mod html;
pub mod json;
pub mod long;
pub mod md;
pub mod progress;
pub mod rules;
pub mod sheet;
pub mod sink;
pub mod summary;
pub mod table;
pub mod template;
pub mod words;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::data::coerce::Value;
use crate::data::read::{Note, Row, YearFrom, ZoneFrom};
use crate::eval::{Outcome, Status};
use crate::ruleset::Ruleset;
use crate::ruleset::model::{Op, Test};

/// Provenance of a run: carried by every machine output.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    /// `ntm` version.
    pub ntm_version: &'static str,
    /// Ruleset id.
    pub ruleset_id: String,
    /// SHA-256 of the ruleset text.
    pub ruleset_sha256: String,
    /// `builtin:<id>` or the file path.
    pub ruleset_source: String,
    /// Why this built-in set was chosen when `--rules` was not given (`year column 2025`,
    /// `--year 2026`, `today 2026-12-02`); absent when `--rules` named it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ruleset_chosen_by: Option<String>,
    /// Assessment year when all rows share one, else null.
    pub year: Option<i32>,
    /// Where the year came from: `flag`, `column`, `period_end` (the first row's when mixed).
    pub year_source: Option<YearFrom>,
    /// The input files.
    pub inputs: Vec<InputMeta>,
    /// Communes in the output.
    pub communes: usize,
    /// Communes whose level verdict rests on unverified content.
    pub unverified_verdicts: usize,
    /// Notes on communes: cells and rows `--lenient` read as no data.
    pub notes: usize,
}

/// What a command's [`Meta`] is built from, counted row by row (or batch by batch, in input
/// order, with [`RunTally::merge`]): the one place every command's meta comes from.
#[derive(Debug, Clone)]
pub struct RunTally {
    /// The first row's year and where it came from.
    first: Option<(i32, YearFrom)>,
    /// Every row has the first row's year.
    same_year: bool,
    /// Communes counted.
    pub communes: usize,
    /// Of which with a verdict resting on unverified content.
    pub unverified: usize,
    /// Notes on them (`--lenient`).
    pub notes: usize,
}

impl Default for RunTally {
    fn default() -> Self {
        RunTally {
            first: None,
            same_year: true,
            communes: 0,
            unverified: 0,
            notes: 0,
        }
    }
}

impl RunTally {
    /// Count one evaluated row.
    pub fn row(&mut self, row: &Row, unverified: bool) {
        match self.first {
            None => self.first = Some((row.year, row.year_from)),
            Some((y, _)) => self.same_year &= y == row.year,
        }
        self.communes += 1;
        self.unverified += usize::from(unverified);
        self.notes += row.notes.len();
    }

    /// Count `later`'s rows, which follow these.
    pub fn merge(&mut self, later: &RunTally) {
        if let Some((y, from)) = later.first {
            match self.first {
                None => self.first = Some((y, from)),
                Some((fy, _)) => self.same_year &= fy == y,
            }
        }
        self.same_year &= later.same_year;
        self.communes += later.communes;
        self.unverified += later.unverified;
        self.notes += later.notes;
    }

    /// The run's meta: `source` is the ruleset's label, `chosen_by` why a built-in set was
    /// chosen (without `--rules`).
    pub fn meta(
        &self,
        rs: &Ruleset,
        source: &str,
        chosen_by: Option<&str>,
        inputs: Vec<InputMeta>,
    ) -> Meta {
        Meta {
            ntm_version: env!("CARGO_PKG_VERSION"),
            ruleset_id: rs.id.clone(),
            ruleset_sha256: rs.sha256.clone(),
            ruleset_source: source.to_owned(),
            ruleset_chosen_by: chosen_by.map(str::to_owned),
            year: self.first.filter(|_| self.same_year).map(|f| f.0),
            year_source: self.first.map(|f| f.1),
            inputs,
            communes: self.communes,
            unverified_verdicts: self.unverified,
            notes: self.notes,
        }
    }
}

/// One input file.
#[derive(Debug, Clone, Serialize)]
pub struct InputMeta {
    /// As given on the command line.
    pub path: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Data rows read.
    pub rows: usize,
    /// `csv`, `xlsx`, `xlsb`, `xls` or `ods`.
    pub format: &'static str,
    /// Text encoding a CSV file was read in (`utf-8`, `utf-16le`, …); null for workbooks.
    pub encoding: Option<&'static str>,
    /// Delimiter of a CSV file; null for workbooks.
    pub delimiter: Option<String>,
    /// Worksheet read; null for CSV.
    pub sheet: Option<String>,
    /// Line (CSV) or row (worksheet) of the header.
    pub header_row: Option<u64>,
}

/// The ruleset as summarised in evaluation output.
#[derive(Debug, Clone, Serialize)]
pub struct RulesetSummary {
    /// Id.
    pub id: String,
    /// English name.
    pub name: String,
    /// `[first, last]`.
    pub period: [i32; 2],
    /// Legal instrument(s).
    pub decision: String,
    /// Levels from the lowest.
    pub levels: Vec<LevelSummary>,
}

/// A level as summarised in evaluation output.
#[derive(Debug, Clone, Serialize)]
pub struct LevelSummary {
    /// Id.
    pub id: String,
    /// English name.
    pub name: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// Required level id.
    pub requires: Option<String>,
    /// Number of criteria.
    pub criteria: usize,
    /// Number of indicators.
    pub indicators: usize,
}

impl RulesetSummary {
    /// Summarise `rs`.
    pub fn new(rs: &Ruleset) -> Self {
        RulesetSummary {
            id: rs.id.clone(),
            name: rs.name.clone(),
            period: [rs.period.0, rs.period.1],
            decision: rs.decision.clone(),
            levels: rs
                .levels
                .iter()
                .map(|l| LevelSummary {
                    id: l.id.clone(),
                    name: l.name.clone(),
                    name_vi: l.name_vi.clone(),
                    requires: l.requires.map(|r| rs.levels[r].id.clone()),
                    criteria: l.criteria.len(),
                    indicators: l.criteria.iter().map(|c| c.indicators.len()).sum(),
                })
                .collect(),
        }
    }
}

/// One commune's result: the JSON/CSV contract.
#[derive(Debug, Clone, Serialize)]
pub struct CommuneRecord {
    /// 1-based position in the output (input order).
    pub row: usize,
    /// Input file.
    pub file: String,
    /// Line in that file.
    pub line: u64,
    /// Commune code.
    pub code: Option<String>,
    /// Commune name.
    pub name: Option<String>,
    /// District.
    pub district: Option<String>,
    /// Province.
    pub province: Option<String>,
    /// Zone whose thresholds applied.
    pub zone: String,
    /// `column`, `province`, or `override:<id>`.
    pub zone_source: String,
    /// Assessment year.
    pub year: i32,
    /// Highest level reached, or null.
    pub level: Option<String>,
    /// The level to reach next, or null at the top.
    pub next_level: Option<String>,
    /// Criteria met of `next_level` (of `level` at the top).
    pub criteria_met: usize,
    /// Criteria of that level.
    pub criteria_total: usize,
    /// Indicators met of that level.
    pub indicators_met: usize,
    /// Indicators of that level.
    pub indicators_total: usize,
    /// The level verdict rests on unverified content.
    pub unverified: bool,
    /// Counts for every level.
    pub levels: Vec<LevelRecord>,
    /// Criteria not met of the next level (of every level not reached with --all-levels).
    pub missing: Vec<MissingCriterion>,
    /// Indicators of every level within `--margin` of their threshold (empty without it).
    pub borderline: Vec<BorderlineRecord>,
    /// What separates the commune from its next level (null at the top): `--closest`.
    pub to_next: Option<ToNext>,
    /// What `--lenient` read as no data in this row (empty otherwise).
    pub notes: Vec<Note>,
}

/// What separates a commune from its next level (`margin::Closeness`, for output).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ToNext {
    /// Indicators that must change (what each criterion not met still needs; no data counts).
    pub indicators: usize,
    /// Of those, how many have no data.
    pub no_data: usize,
    /// Sum of the relative shortfalls of the failing ones, in percent of their thresholds,
    /// rounded to 2 decimals (a failing yes/no test counts 100).
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub shortfall_pct: Decimal,
    /// The exact key, for ranking.
    #[serde(skip)]
    pub key: crate::margin::Closeness,
}

impl ToNext {
    /// Wrap a closeness key.
    pub fn new(key: crate::margin::Closeness) -> Self {
        ToNext {
            indicators: key.short,
            no_data: key.no_data,
            shortfall_pct: long::pct(key.shortfall),
            key,
        }
    }
}

/// An indicator whose value lies within `--margin` of its threshold, pass or fail.
#[derive(Debug, Clone, Serialize)]
pub struct BorderlineRecord {
    /// Level id.
    pub level: String,
    /// Criterion id.
    pub criterion: String,
    /// Indicator id.
    pub indicator: String,
    /// Measure id (the data column).
    pub measure: String,
    /// The value found.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub value: Decimal,
    /// The comparison.
    pub op: &'static str,
    /// The threshold.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub threshold: Decimal,
    /// `pass` or `fail`.
    pub status: Status,
}

impl BorderlineRecord {
    /// `standard:10 income_per_capita 61.2 (>= 60, pass)`.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        self.describe_into(&mut s);
        s
    }

    /// [`describe`](Self::describe) appended to `s`, without `fmt`.
    pub fn describe_into(&self, s: &mut String) {
        let status = match self.status {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NoData => "no data",
        };
        for part in [&self.level, ":", &self.indicator, " ", &self.measure, " "] {
            s.push_str(part);
        }
        cell::push_decimal(s, self.value);
        for part in [" (", self.op, " "] {
            s.push_str(part);
        }
        cell::push_decimal(s, self.threshold);
        for part in [", ", status, ")"] {
            s.push_str(part);
        }
    }
}

/// The borderline indicators of a commune (`--margin`), in ruleset order.
pub fn borderline_records(
    rs: &Ruleset,
    outcome: &Outcome,
    values: &[Option<Value>],
    margin: Option<crate::margin::Margin>,
) -> Vec<BorderlineRecord> {
    let Some(margin) = margin else {
        return Vec::new();
    };
    crate::margin::borderlines(rs, outcome, values, margin)
        .into_iter()
        .map(|b| {
            let ind = rs.indicator(b.at);
            BorderlineRecord {
                level: rs.levels[b.at.level].id.clone(),
                criterion: rs.levels[b.at.level].criteria[b.at.criterion].id.clone(),
                indicator: ind.id.clone(),
                measure: rs.measures[ind.measure].id.clone(),
                value: b.value.normalize(),
                op: match &ind.test {
                    Test::Compare(op, _) => op.as_str(),
                    Test::Yes => "yes",
                    Test::None => "none",
                },
                threshold: b.threshold.normalize(),
                status: b.status,
            }
        })
        .collect()
}

/// Counts for one level.
#[derive(Debug, Clone, Serialize)]
pub struct LevelRecord {
    /// Level id.
    pub level: String,
    /// Reached.
    pub reached: bool,
    /// Criteria met.
    pub criteria_met: usize,
    /// Criteria.
    pub criteria_total: usize,
    /// Indicators met.
    pub indicators_met: usize,
    /// Indicators.
    pub indicators_total: usize,
}

/// A criterion not met.
#[derive(Debug, Clone, Serialize)]
pub struct MissingCriterion {
    /// Level id.
    pub level: String,
    /// Criterion id.
    pub criterion: String,
    /// English name.
    pub name: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// `fail` or `no_data`.
    pub status: Status,
    /// Indicators met.
    pub met: usize,
    /// Indicators needed.
    pub required: usize,
    /// The indicators not met.
    pub indicators: Vec<MissingIndicator>,
}

/// An indicator not met.
#[derive(Debug, Clone, Serialize)]
pub struct MissingIndicator {
    /// Indicator id.
    pub id: String,
    /// Measure id (the data column).
    pub measure: String,
    /// The value found (null for no data; true/false for yes/no).
    pub value: Option<ValueOut>,
    /// What is required, readable: `>= 66`, `yes`, `none`.
    pub required: String,
    /// The numeric threshold, when there is one.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub threshold: Option<Decimal>,
    /// Year of the threshold entry used, when thresholds vary by year.
    pub threshold_year: Option<i32>,
    /// `fail` or `no_data`.
    pub status: Status,
    /// The threshold (or the indicator) is verified.
    pub verified: bool,
    /// The comparison, for rendering.
    #[serde(skip)]
    pub op: Option<Op>,
}

/// A cell value in output: an exact number or a bool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ValueOut {
    /// A number, printed exactly.
    Num(#[serde(with = "rust_decimal::serde::arbitrary_precision")] Decimal),
    /// yes/no.
    Bool(bool),
}

impl std::fmt::Display for ValueOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ValueOut::Num(n) => write!(f, "{}", n.normalize()),
            ValueOut::Bool(true) => f.write_str("yes"),
            ValueOut::Bool(false) => f.write_str("no"),
        }
    }
}

impl ValueOut {
    /// Its [`Display`](std::fmt::Display) text appended to `s`, without `fmt`.
    pub fn push_to(&self, s: &mut String) {
        match self {
            ValueOut::Num(n) => cell::push_decimal(s, n.normalize()),
            ValueOut::Bool(true) => s.push_str("yes"),
            ValueOut::Bool(false) => s.push_str("no"),
        }
    }
}

impl CommuneRecord {
    /// Build the record of one evaluated row.
    pub fn new(
        rs: &Ruleset,
        position: usize,
        file: &str,
        row: &Row,
        outcome: &Outcome,
        all_levels: bool,
    ) -> Self {
        let mut rec = CommuneRecord::empty(rs);
        rec.refill(
            rs,
            position,
            file,
            row,
            outcome,
            all_levels,
            &mut Spare::default(),
        );
        rec
    }

    /// A record with nothing in it yet, for [`refill`](Self::refill).
    fn empty(rs: &Ruleset) -> Self {
        CommuneRecord {
            row: 0,
            file: String::new(),
            line: 0,
            code: None,
            name: None,
            district: None,
            province: None,
            zone: String::new(),
            zone_source: String::new(),
            year: 0,
            level: None,
            next_level: None,
            criteria_met: 0,
            criteria_total: 0,
            indicators_met: 0,
            indicators_total: 0,
            unverified: false,
            levels: Vec::with_capacity(rs.levels.len()),
            missing: Vec::new(),
            borderline: Vec::new(),
            to_next: None,
            notes: Vec::new(),
        }
    }

    /// Make this the record [`new`](Self::new) builds for another row, reusing its strings
    /// and vectors, and those `spare` keeps. `borderline` is emptied.
    #[allow(clippy::too_many_arguments)]
    fn refill(
        &mut self,
        rs: &Ruleset,
        position: usize,
        file: &str,
        row: &Row,
        outcome: &Outcome,
        all_levels: bool,
        spare: &mut Spare,
    ) {
        self.row = position;
        set(&mut self.file, file);
        self.line = row.line;
        set_opt(&mut self.code, row.code.as_deref());
        set_opt(&mut self.name, row.name.as_deref());
        set_opt(&mut self.district, row.district.as_deref());
        set_opt(&mut self.province, row.province.as_deref());
        set(&mut self.zone, &rs.zones[outcome.zone].id);
        self.zone_source.clear();
        zone_source_into(rs, outcome, row, &mut self.zone_source);
        self.year = row.year;
        set_opt(
            &mut self.level,
            outcome.level.map(|l| rs.levels[l].id.as_str()),
        );
        set_opt(
            &mut self.next_level,
            outcome.next_level.map(|l| rs.levels[l].id.as_str()),
        );

        self.levels
            .truncate(rs.levels.len().min(outcome.levels.len()));
        for (li, (lv, l)) in rs.levels.iter().zip(&outcome.levels).enumerate() {
            if self.levels.len() == li {
                self.levels.push(LevelRecord {
                    level: String::new(),
                    reached: false,
                    criteria_met: 0,
                    criteria_total: 0,
                    indicators_met: 0,
                    indicators_total: 0,
                });
            }
            let rec = &mut self.levels[li];
            set(&mut rec.level, &lv.id);
            rec.reached = l.reached;
            rec.criteria_met = l.criteria_met;
            rec.criteria_total = lv.criteria.len();
            rec.indicators_met = l.indicators_met;
            rec.indicators_total = lv.criteria.iter().map(|c| c.indicators.len()).sum();
        }
        let focus = outcome
            .next_level
            .or(outcome.level)
            .and_then(|f| self.levels.get(f));
        self.criteria_met = focus.map_or(0, |l| l.criteria_met);
        self.criteria_total = focus.map_or(0, |l| l.criteria_total);
        self.indicators_met = focus.map_or(0, |l| l.indicators_met);
        self.indicators_total = focus.map_or(0, |l| l.indicators_total);
        self.unverified = outcome.unverified;

        let mut n = 0;
        if all_levels {
            for li in (0..rs.levels.len()).filter(|&l| !outcome.levels[l].reached) {
                n = missing_criteria(rs, li, row, outcome, &mut self.missing, n, spare);
            }
        } else if let Some(li) = outcome.next_level {
            n = missing_criteria(rs, li, row, outcome, &mut self.missing, n, spare);
        }
        if self.missing.len() > n {
            spare.criteria.extend(self.missing.drain(n..));
        }
        self.borderline.clear();
        self.to_next = crate::margin::closeness(rs, outcome, &row.values).map(ToNext::new);
        self.notes.clone_from(&row.notes);
    }
}

/// One record refilled row after row, for renderers that write each commune at once: its
/// strings and vectors are copied into rather than allocated for every commune (issue #7).
/// Each [`fill`](Self::fill) gives the record [`CommuneRecord::new`] builds.
#[derive(Debug, Default)]
pub struct RecordSlot {
    record: Option<CommuneRecord>,
    spare: Spare,
}

/// Missing criteria and indicators a record no longer needs, with their strings, kept for
/// the next record that needs more.
#[derive(Debug, Default)]
struct Spare {
    criteria: Vec<MissingCriterion>,
    indicators: Vec<MissingIndicator>,
}

impl RecordSlot {
    /// The record of one evaluated row, in place of the previous one (`borderline` empty).
    pub fn fill(
        &mut self,
        rs: &Ruleset,
        position: usize,
        file: &str,
        row: &Row,
        outcome: &Outcome,
        all_levels: bool,
    ) -> &mut CommuneRecord {
        let rec = self.record.get_or_insert_with(|| CommuneRecord::empty(rs));
        rec.refill(
            rs,
            position,
            file,
            row,
            outcome,
            all_levels,
            &mut self.spare,
        );
        rec
    }

    /// The last record filled, to keep (the next `fill` starts a new one).
    pub fn take(&mut self) -> Option<CommuneRecord> {
        self.record.take()
    }
}

/// `to` = `from`, in `to`'s buffer when it has one.
fn set(to: &mut String, from: &str) {
    if to.capacity() == 0 {
        // A fresh record: one allocation of the right size, as a clone makes.
        *to = from.to_owned();
    } else {
        to.clear();
        to.push_str(from);
    }
}

/// `to` = `from`, in `to`'s buffer when it has one.
fn set_opt(to: &mut Option<String>, from: Option<&str>) {
    match (to.as_mut(), from) {
        (Some(t), Some(f)) => set(t, f),
        (None, Some(f)) => *to = Some(f.to_string()),
        (_, None) => *to = None,
    }
}

/// Write the criteria of level `li` not met into `missing` from index `n` on, overwriting
/// what is there (and reusing its strings); returns the index after the last one written.
fn missing_criteria(
    rs: &Ruleset,
    li: usize,
    row: &Row,
    outcome: &Outcome,
    missing: &mut Vec<MissingCriterion>,
    mut n: usize,
    spare: &mut Spare,
) -> usize {
    let level = &rs.levels[li];
    let lo = &outcome.levels[li];
    for (crit, co) in level.criteria.iter().zip(&lo.criteria) {
        if co.status == Status::Pass {
            continue;
        }
        if missing.len() == n {
            missing.push(spare.criteria.pop().unwrap_or_else(|| MissingCriterion {
                level: String::new(),
                criterion: String::new(),
                name: String::new(),
                name_vi: String::new(),
                status: co.status,
                met: 0,
                required: 0,
                indicators: Vec::with_capacity(crit.indicators.len()),
            }));
        }
        let m = &mut missing[n];
        n += 1;
        set(&mut m.level, &level.id);
        set(&mut m.criterion, &crit.id);
        set(&mut m.name, &crit.name);
        set(&mut m.name_vi, &crit.name_vi);
        m.status = co.status;
        m.met = co.met;
        m.required = crit.required();
        let mut k = 0;
        for (ind, io) in crit.indicators.iter().zip(&co.indicators) {
            if io.status == Status::Pass {
                continue;
            }
            if m.indicators.len() == k {
                m.indicators
                    .push(spare.indicators.pop().unwrap_or_else(|| MissingIndicator {
                        id: String::new(),
                        measure: String::new(),
                        value: None,
                        required: String::with_capacity(16),
                        threshold: None,
                        threshold_year: None,
                        status: io.status,
                        verified: false,
                        op: None,
                    }));
            }
            let mi = &mut m.indicators[k];
            k += 1;
            set(&mut mi.id, &ind.id);
            set(&mut mi.measure, &rs.measures[ind.measure].id);
            mi.value = row
                .values
                .get(ind.measure)
                .copied()
                .flatten()
                .map(value_out);
            mi.required.clear();
            required_into(&ind.test, io.threshold.map(|t| t.value), &mut mi.required);
            mi.threshold = io.threshold.map(|t| t.value.normalize());
            mi.threshold_year = io.threshold.and_then(|t| t.from);
            mi.status = io.status;
            mi.verified = io.verified;
            mi.op = match &ind.test {
                Test::Compare(op, _) => Some(*op),
                Test::Yes | Test::None => None,
            };
        }
        if m.indicators.len() > k {
            spare.indicators.extend(m.indicators.drain(k..));
        }
    }
    n
}

/// Where a commune's zone came from: `column`, `province`, or `override:<id>`.
pub fn zone_source(rs: &Ruleset, outcome: &Outcome, row: &Row) -> String {
    let mut s = String::new();
    zone_source_into(rs, outcome, row, &mut s);
    s
}

/// [`zone_source`] appended to `s`.
fn zone_source_into(rs: &Ruleset, outcome: &Outcome, row: &Row, s: &mut String) {
    match (outcome.overridden_by, row.zone_from) {
        (Some(o), _) => {
            s.push_str("override:");
            s.push_str(&rs.overrides[o].id);
        }
        (None, ZoneFrom::Column) => s.push_str("column"),
        (None, ZoneFrom::Province) => s.push_str("province"),
    }
}

/// A cell value as output.
pub fn value_out(v: Value) -> ValueOut {
    match v {
        Value::Num(n) => ValueOut::Num(n),
        Value::Bool(b) => ValueOut::Bool(b),
    }
}

/// What an indicator requires, readable and language-neutral: `>= 66`, `yes`, `none`.
pub fn required_text(test: &Test, threshold: Option<Decimal>) -> String {
    let mut s = String::new();
    required_into(test, threshold, &mut s);
    s
}

/// [`required_text`] appended to `s`.
fn required_into(test: &Test, threshold: Option<Decimal>, s: &mut String) {
    match (test, threshold) {
        (Test::Yes, _) => s.push_str("yes"),
        (Test::None, _) => s.push_str("none"),
        (Test::Compare(op, _), Some(t)) => {
            s.push_str(op.as_str());
            s.push(' ');
            cell::push_decimal(s, t.normalize());
        }
        (Test::Compare(op, _), None) => s.push_str(op.as_str()),
    }
}

/// An exact number for people: every significant decimal, in the language's style
/// (`1,234.5` / `1.234,5`).
pub fn num_text(n: Decimal, lang: crate::lang::Lang) -> String {
    let n = n.normalize();
    lang.decimal(n, n.scale())
}

impl MissingIndicator {
    /// One line for people: `income_per_capita 61.2 < 66 (RRD, 2025)`.
    pub fn describe(&self, zone: &str) -> String {
        let mut s = String::new();
        self.describe_into(zone, &mut s);
        s
    }

    /// [`describe`](Self::describe) appended to `s`: no string of its own, no `fmt`
    /// (issue #7).
    pub fn describe_into(&self, zone: &str, s: &mut String) {
        s.push_str(&self.measure);
        match &self.value {
            None => {
                s.push_str(" no data (needs ");
                s.push_str(&self.required);
                s.push(')');
            }
            Some(v) => {
                s.push(' ');
                v.push_to(s);
                match (self.required.as_str(), self.op, self.threshold) {
                    ("yes" | "none", _, _) | (_, None, _) | (_, _, None) => {
                        s.push_str(", needs ");
                        s.push_str(&self.required);
                    }
                    (_, Some(op), Some(t)) => {
                        s.push(' ');
                        s.push_str(op.negated_str());
                        s.push(' ');
                        cell::push_decimal(s, t.normalize());
                        s.push_str(" required");
                    }
                }
            }
        }
        if self.threshold.is_some() {
            s.push_str(" (");
            s.push_str(zone);
            if let Some(y) = self.threshold_year {
                s.push_str(", ");
                cell::push_int(s, y);
            }
            s.push(')');
        }
        if !self.verified {
            s.push_str(" [unverified]");
        }
    }
}

/// At most this many diagnostics are printed; the rest are counted.
pub const DIAGNOSTIC_LIMIT: usize = 100;

/// Print diagnostics, one per line (help lines indented), errors and warnings in input order.
pub fn write_diagnostics(
    err: &mut dyn std::io::Write,
    diags: &[crate::diag::Diagnostic],
) -> std::io::Result<()> {
    let shown = diags.iter().filter(|d| console::shows(d));
    for d in shown.clone().take(DIAGNOSTIC_LIMIT) {
        writeln!(err, "{}", console::diagnostic(d))?;
    }
    let n = shown.count();
    if n > DIAGNOSTIC_LIMIT {
        writeln!(err, "… and {} more", n - DIAGNOSTIC_LIMIT)?;
    }
    Ok(())
}

/// Print the data diagnostics of a run: the first [`DIAGNOSTIC_LIMIT`], then how many more
/// of each code (`… and 1351462 more: 1000000 error[not-a-number], 351462 error[out-of-range]`).
pub fn write_data_diagnostics(
    err: &mut dyn std::io::Write,
    diags: &crate::data::diags::DataDiags,
) -> std::io::Result<()> {
    // Under `-q` warnings are neither printed nor counted.
    let kept: Vec<&crate::diag::Diagnostic> =
        diags.kept().iter().filter(|d| console::shows(d)).collect();
    for d in kept.iter().take(DIAGNOSTIC_LIMIT) {
        writeln!(err, "{}", console::diagnostic(d))?;
    }
    let printed = kept.len().min(DIAGNOSTIC_LIMIT);
    let total = if console::get().quiet {
        diags.errors()
    } else {
        diags.total()
    };
    if total > printed {
        let mut counts: Vec<(bool, &str, usize)> = diags
            .more()
            .filter(|(error, _, _)| *error || !console::get().quiet)
            .collect();
        for d in &kept[printed..] {
            match counts
                .iter_mut()
                .find(|c| c.0 == d.is_error() && c.1 == d.code)
            {
                Some(c) => c.2 += 1,
                None => counts.push((d.is_error(), d.code, 1)),
            }
        }
        let by_code: Vec<String> = counts
            .iter()
            .map(|(error, code, n)| {
                let severity = if *error { "error" } else { "warning" };
                format!("{n} {severity}[{code}]")
            })
            .collect();
        writeln!(
            err,
            "… and {} more: {}",
            total - printed,
            by_code.join(", ")
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod escape_tests;
#[cfg(test)]
mod tests;
