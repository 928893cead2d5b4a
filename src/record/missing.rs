//! What blocks a commune's next level: the criteria not met and, in each, the indicators not
//! met with the value found and what is required. The decision of what a report lists as
//! "still missing" is taken here, once, for every format.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{Spare, ValueOut, required_into, set, value_out};
use crate::data::read::Row;
use crate::eval::{Outcome, Status};
use crate::ruleset::Ruleset;
use crate::ruleset::model::{Op, Test};

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

/// Write the criteria of level `li` not met into `missing` from index `n` on, overwriting
/// what is there (and reusing its strings); returns the index after the last one written.
pub(super) fn missing_criteria(
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
