//! Pure evaluation of one commune against a ruleset: every indicator, criterion and level.
//!
//! Takes values, returns values; no I/O, no formatting. The reasons kept here (status,
//! threshold, verification) are what every report renders.

use rust_decimal::Decimal;

use crate::data::coerce::Value;
use crate::ruleset::Ruleset;
use crate::ruleset::model::{IndicatorRef, Resolved, Test};

/// The verdict on one indicator or criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Met.
    Pass,
    /// Not met.
    Fail,
    /// Cannot be judged: the cell is empty (for a criterion: no failure, but some no data).
    NoData,
}

/// One indicator's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndicatorOutcome {
    /// Verdict.
    pub status: Status,
    /// The threshold it was judged against (numeric indicators).
    pub threshold: Option<Resolved>,
    /// Whether that content is verified.
    pub verified: bool,
}

/// One criterion's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionOutcome {
    /// Verdict.
    pub status: Status,
    /// Indicators met.
    pub met: usize,
    /// Per indicator, in ruleset order.
    pub indicators: Vec<IndicatorOutcome>,
}

/// One level's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelOutcome {
    /// Every criterion met and the required level reached.
    pub reached: bool,
    /// Criteria met.
    pub criteria_met: usize,
    /// Indicators met.
    pub indicators_met: usize,
    /// Per criterion, in ruleset order.
    pub criteria: Vec<CriterionOutcome>,
}

/// A commune's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Zone the thresholds were taken from (after overrides).
    pub zone: usize,
    /// Index of the override that set the zone, if any.
    pub overridden_by: Option<usize>,
    /// Per level, in ruleset order.
    pub levels: Vec<LevelOutcome>,
    /// Highest level reached (the last in file order).
    pub level: Option<usize>,
    /// The first level not reached whose required level is reached.
    pub next_level: Option<usize>,
    /// The level verdict rests on unverified content (see `rests_on_unverified`).
    pub unverified: bool,
}

/// Evaluate one commune: `zone` from its data (before overrides), `year` of assessment,
/// `values` one per measure.
pub fn evaluate(rs: &Ruleset, zone: usize, year: i32, values: &[Option<Value>]) -> Outcome {
    let overridden_by = rs
        .overrides
        .iter()
        .position(|o| values.get(o.measure) == Some(&Some(Value::Bool(true))));
    let zone = overridden_by.map_or(zone, |o| rs.overrides[o].zone);

    let mut levels: Vec<LevelOutcome> = Vec::with_capacity(rs.levels.len());
    for (li, level) in rs.levels.iter().enumerate() {
        let mut criteria = Vec::with_capacity(level.criteria.len());
        for (ci, crit) in level.criteria.iter().enumerate() {
            let indicators: Vec<IndicatorOutcome> = (0..crit.indicators.len())
                .map(|ii| {
                    let r = IndicatorRef {
                        level: li,
                        criterion: ci,
                        indicator: ii,
                    };
                    indicator(rs, r, zone, year, values)
                })
                .collect();
            let met = count(&indicators, Status::Pass);
            let no_data = count(&indicators, Status::NoData);
            let need = crit.required();
            let status = if met >= need {
                Status::Pass
            } else if met + no_data < need {
                Status::Fail
            } else {
                Status::NoData
            };
            criteria.push(CriterionOutcome {
                status,
                met,
                indicators,
            });
        }
        let all_met = criteria.iter().all(|c| c.status == Status::Pass);
        let required_reached = level.requires.is_none_or(|r| levels[r].reached);
        levels.push(LevelOutcome {
            reached: all_met && required_reached,
            criteria_met: criteria.iter().filter(|c| c.status == Status::Pass).count(),
            indicators_met: criteria.iter().map(|c| c.met).sum(),
            criteria,
        });
    }
    let level = levels.iter().rposition(|l| l.reached);
    let next_level = rs
        .levels
        .iter()
        .enumerate()
        .position(|(i, l)| !levels[i].reached && l.requires.is_none_or(|r| levels[r].reached));
    let unverified = rests_on_unverified(&levels, next_level);
    Outcome {
        zone,
        overridden_by,
        levels,
        level,
        next_level,
        unverified,
    }
}

fn count(indicators: &[IndicatorOutcome], status: Status) -> usize {
    indicators.iter().filter(|i| i.status == status).count()
}

fn indicator(
    rs: &Ruleset,
    r: IndicatorRef,
    zone: usize,
    year: i32,
    values: &[Option<Value>],
) -> IndicatorOutcome {
    let ind = rs.indicator(r);
    let (threshold, verified) = rs.resolve(r, zone, year);
    let value = values.get(ind.measure).copied().flatten();
    let status = match (value, &ind.test) {
        (None, _) => Status::NoData,
        (Some(Value::Bool(b)), Test::Yes) => pass_if(b),
        (Some(Value::Num(n)), Test::None) => pass_if(n == Decimal::ZERO),
        (Some(Value::Num(n)), Test::Compare(op, _)) => match threshold {
            Some(t) => pass_if(op.holds(n, t.value)),
            None => Status::NoData,
        },
        // Validation ties ops to measure kinds and coercion to kinds, so these cannot occur;
        // if they did, "no data" is the verdict that claims nothing.
        (Some(Value::Bool(_)), Test::None | Test::Compare(..))
        | (Some(Value::Num(_)), Test::Yes) => Status::NoData,
    };
    IndicatorOutcome {
        status,
        threshold,
        verified,
    }
}

fn pass_if(b: bool) -> Status {
    if b { Status::Pass } else { Status::Fail }
}

/// A level verdict rests on unverified content when
/// - a level the commune reached passed an indicator judged against unverified content
///   (a correct value might fail it), or
/// - the next level failed only on unverified indicators (correct values might pass it).
///
/// Indicators with no data never count: they decide nothing.
pub fn rests_on_unverified(levels: &[LevelOutcome], next_level: Option<usize>) -> bool {
    let reached_on_unverified = levels.iter().filter(|l| l.reached).any(|l| {
        l.criteria
            .iter()
            .flat_map(|c| &c.indicators)
            .any(|i| i.status == Status::Pass && !i.verified)
    });
    let failed_only_on_unverified = next_level.is_some_and(|n| {
        let fails: Vec<&IndicatorOutcome> = levels[n]
            .criteria
            .iter()
            .filter(|c| c.status == Status::Fail)
            .flat_map(|c| &c.indicators)
            .filter(|i| i.status == Status::Fail)
            .collect();
        !fails.is_empty() && fails.iter().all(|i| !i.verified)
    });
    reached_on_unverified || failed_only_on_unverified
}

#[cfg(test)]
mod tests;
