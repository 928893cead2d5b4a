//! The provenance of a run (`Meta`): what every machine output carries, counted row by row
//! by the one [`RunTally`] that every command builds it from.

use serde::Serialize;

use crate::data::read::{Row, YearFrom};
use crate::ruleset::Ruleset;

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
