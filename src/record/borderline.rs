//! Borderline indicators (`--margin`): those whose value lies within the margin of their
//! threshold, pass or fail, as records for output. The distance itself is `crate::margin`'s.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::data::coerce::Value;
use crate::eval::{Outcome, Status};
use crate::ruleset::Ruleset;
use crate::ruleset::model::Test;

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
