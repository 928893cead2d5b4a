//! Running cases: evaluate each one (`eval::evaluate`), describe the result as the JSON output
//! does (`report::CommuneRecord`), and compare it with the expectations.

use serde::Serialize;

use super::{Case, CaseFile, Expect, NO_LEVEL};
use crate::data::read::{Row, YearFrom, ZoneFrom};
use crate::eval::{Outcome, evaluate};
use crate::record::CommuneRecord;
use crate::ruleset::Ruleset;

/// What a case actually reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actual {
    /// Highest level reached.
    pub level: Option<String>,
    /// The level to reach next.
    pub next_level: Option<String>,
    /// Every level, in ruleset order.
    pub levels: Vec<LevelActual>,
}

/// What a case reached of one level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelActual {
    /// Level id.
    pub level: String,
    /// Reached.
    pub reached: bool,
    /// Criteria ids not met, in ruleset order.
    pub missing: Vec<String>,
    /// Indicator ids not met, in ruleset order.
    pub missing_indicators: Vec<String>,
}

impl Actual {
    /// The level `id`'s result.
    pub fn level(&self, id: &str) -> Option<&LevelActual> {
        self.levels.iter().find(|l| l.level == id)
    }

    /// Criteria and indicators not met of the next level (empty at the top).
    pub fn next_missing(&self) -> (Vec<String>, Vec<String>) {
        self.next_level
            .as_deref()
            .and_then(|n| self.level(n))
            .map_or((Vec::new(), Vec::new()), |l| {
                (l.missing.clone(), l.missing_indicators.clone())
            })
    }

    /// Build from a commune record made with every level's missing criteria.
    pub fn from_record(rec: &CommuneRecord) -> Self {
        let levels = rec
            .levels
            .iter()
            .map(|l| {
                let missing: Vec<_> = rec.missing.iter().filter(|m| m.level == l.level).collect();
                LevelActual {
                    level: l.level.clone(),
                    reached: l.reached,
                    missing: missing.iter().map(|m| m.criterion.clone()).collect(),
                    missing_indicators: missing
                        .iter()
                        .flat_map(|m| &m.indicators)
                        .map(|i| i.id.clone())
                        .collect(),
                }
            })
            .collect();
        Actual {
            level: rec.level.clone(),
            next_level: rec.next_level.clone(),
            levels,
        }
    }
}

/// A value compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Shown {
    /// A level id, or null for none.
    Level(Option<String>),
    /// reached or not.
    Bool(bool),
    /// A set of criterion or indicator ids.
    Ids(Vec<String>),
}

/// One expectation not met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// `level`, `missing`, `missing_indicators`, `levels.<id>.reached`, …
    pub field: String,
    /// The level `missing`/`missing_indicators` refer to (the actual next level).
    pub of_level: Option<String>,
    /// As written in the case.
    pub expected: Shown,
    /// As evaluated.
    pub actual: Shown,
}

/// One case's result.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// The case file.
    pub file: String,
    /// The case.
    pub name: String,
    /// Line of the case in its file.
    pub line: u64,
    /// Empty when the case passed.
    pub mismatches: Vec<Mismatch>,
    /// What was evaluated.
    pub actual: Actual,
    /// Per numeric indicator judged: (indicator index in `Ruleset::indicators` order, zone,
    /// `from` of the threshold entry, passed). Input to boundary coverage.
    #[serde(skip)]
    pub judged: Vec<super::coverage::Side>,
}

impl CaseResult {
    /// Did every expectation hold?
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// Evaluate one commune's values and describe it as the JSON output does.
pub fn outcome(rs: &Ruleset, case: &Case, file: &str) -> (Outcome, Actual) {
    let outcome = evaluate(rs, case.zone, case.year, &case.values);
    let row = Row {
        input: 0,
        line: case.line,
        code: None,
        name: Some(case.name.clone()),
        district: None,
        province: None,
        zone: case.zone,
        zone_from: ZoneFrom::Column,
        year: case.year,
        year_from: YearFrom::Flag,
        values: case.values.clone(),
        kept: Vec::new(),
        notes: Vec::new(),
    };
    let rec = CommuneRecord::new(rs, 1, file, &row, &outcome, true);
    (outcome, Actual::from_record(&rec))
}

/// Run every case of `file`.
pub fn run(rs: &Ruleset, file: &CaseFile) -> Vec<CaseResult> {
    file.cases
        .iter()
        .map(|case| {
            let (outcome, actual) = outcome(rs, case, &file.path);
            let mismatches = case
                .expect
                .as_ref()
                .map(|e| compare(rs, e, &actual))
                .unwrap_or_default();
            CaseResult {
                file: file.path.clone(),
                name: case.name.clone(),
                line: case.line,
                mismatches,
                judged: super::coverage::sides(rs, &outcome),
                actual,
            }
        })
        .collect()
}

/// Same ids, ignoring order and repeats.
fn same_set(a: &[String], b: &[String]) -> bool {
    a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x))
}

/// Every expectation of `e` that `actual` does not meet.
pub fn compare(rs: &Ruleset, e: &Expect, actual: &Actual) -> Vec<Mismatch> {
    let mut out = Vec::new();
    if let Some(level) = e.level {
        let want = level.map(|l| rs.levels[l].id.clone());
        if want != actual.level {
            out.push(Mismatch {
                field: "level".to_string(),
                of_level: None,
                expected: Shown::Level(want),
                actual: Shown::Level(actual.level.clone()),
            });
        }
    }
    let (missing, missing_ind) = actual.next_missing();
    let mut ids =
        |field: String, of: Option<String>, want: &Option<Vec<String>>, got: &[String]| {
            if let Some(want) = want
                && !same_set(want, got)
            {
                out.push(Mismatch {
                    field,
                    of_level: of,
                    expected: Shown::Ids(want.clone()),
                    actual: Shown::Ids(got.to_vec()),
                });
            }
        };
    let next = actual.next_level.clone();
    ids("missing".to_string(), next.clone(), &e.missing, &missing);
    ids(
        "missing_indicators".to_string(),
        next,
        &e.missing_indicators,
        &missing_ind,
    );
    for (li, le) in &e.levels {
        let id = &rs.levels[*li].id;
        let Some(got) = actual.level(id) else {
            continue;
        };
        if let Some(r) = le.reached
            && r != got.reached
        {
            out.push(Mismatch {
                field: format!("levels.{id}.reached"),
                of_level: Some(id.clone()),
                expected: Shown::Bool(r),
                actual: Shown::Bool(got.reached),
            });
        }
        let mut ids = |field: String, want: &Option<Vec<String>>, got: &[String]| {
            if let Some(want) = want
                && !same_set(want, got)
            {
                out.push(Mismatch {
                    field,
                    of_level: Some(id.clone()),
                    expected: Shown::Ids(want.clone()),
                    actual: Shown::Ids(got.to_vec()),
                });
            }
        };
        ids(format!("levels.{id}.missing"), &le.missing, &got.missing);
        ids(
            format!("levels.{id}.missing_indicators"),
            &le.missing_indicators,
            &got.missing_indicators,
        );
    }
    out
}

/// A level for people: its id or `none`.
pub fn level_text(level: Option<&str>) -> &str {
    level.unwrap_or(NO_LEVEL)
}
