//! Boundary coverage: for every numeric indicator × zone × threshold entry in force (the
//! `from` year), did some case fall on each side of the threshold (one passing, one failing)?
//!
//! The sides a case judged come from its `eval::Outcome`; the items to cover come from
//! `Ruleset::resolve` over the ruleset's period, so derived thresholds (model income = 110 % of
//! the advanced one) are covered per entry of their base like any other.

use std::collections::{BTreeSet, HashSet};

use serde::Serialize;

use crate::eval::{Outcome, Status};
use crate::ruleset::Ruleset;
use crate::ruleset::model::Test;

/// One numeric indicator judged against one threshold entry, on one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Side {
    /// Position of the indicator in `Ruleset::indicators()`.
    pub indicator: usize,
    /// Zone whose threshold applied (after overrides).
    pub zone: usize,
    /// `from` of the threshold entry in force.
    pub from: Option<i32>,
    /// Passed (else failed).
    pub passed: bool,
}

/// The sides an outcome judged: every numeric indicator that passed or failed (no data decides
/// nothing and covers nothing).
pub fn sides(rs: &Ruleset, outcome: &Outcome) -> Vec<Side> {
    rs.indicators()
        .enumerate()
        .filter_map(|(n, (r, _))| {
            let io = &outcome.levels[r.level].criteria[r.criterion].indicators[r.indicator];
            let t = io.threshold?;
            let passed = match io.status {
                Status::Pass => true,
                Status::Fail => false,
                Status::NoData => return None,
            };
            Some(Side {
                indicator: n,
                zone: outcome.zone,
                from: t.from,
                passed,
            })
        })
        .collect()
}

/// One boundary to cover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Level id.
    pub level: String,
    /// Criterion id.
    pub criterion: String,
    /// Indicator id.
    pub indicator: String,
    /// Zone id.
    pub zone: String,
    /// First year of the threshold entry (null when thresholds have no years).
    pub from: Option<i32>,
    /// The threshold, as `>= 50`.
    pub threshold: String,
    /// Some case passed it.
    pub pass: bool,
    /// Some case failed it.
    pub fail: bool,
}

/// Boundary coverage of one ruleset.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// Ruleset id.
    pub ruleset: String,
    /// Every boundary, in ruleset order (indicator, zone, entry).
    pub items: Vec<Item>,
    /// Sides covered (each item has two).
    pub sides_covered: usize,
    /// Sides in all (twice the items).
    pub sides_total: usize,
}

impl Coverage {
    /// Percentage of sides covered (100 when there is nothing to cover).
    pub fn percent(&self) -> f64 {
        if self.sides_total == 0 {
            100.0
        } else {
            self.sides_covered as f64 * 100.0 / self.sides_total as f64
        }
    }
}

/// The coverage of `rs` by the sides the cases judged.
pub fn coverage<'a>(rs: &Ruleset, judged: impl IntoIterator<Item = &'a Side>) -> Coverage {
    let seen: HashSet<Side> = judged.into_iter().copied().collect();
    let mut items = Vec::new();
    for (n, at) in rs.walk().enumerate() {
        let (r, ind) = (at.r, at.indicator);
        let Test::Compare(op, _) = &ind.test else {
            continue;
        };
        for (z, zone) in rs.zones.iter().enumerate() {
            let mut entries = BTreeSet::new();
            let mut list = Vec::new();
            for year in rs.period.0..=rs.period.1 {
                if let (Some(t), _) = rs.resolve(r, z, year)
                    && entries.insert(t.from)
                {
                    list.push(t);
                }
            }
            for t in list {
                let side = |passed| Side {
                    indicator: n,
                    zone: z,
                    from: t.from,
                    passed,
                };
                items.push(Item {
                    level: at.level.id.clone(),
                    criterion: at.criterion.id.clone(),
                    indicator: ind.id.clone(),
                    zone: zone.id.clone(),
                    from: t.from,
                    threshold: format!("{} {}", op.as_str(), t.value.normalize()),
                    pass: seen.contains(&side(true)),
                    fail: seen.contains(&side(false)),
                });
            }
        }
    }
    let sides_covered = items
        .iter()
        .map(|i| usize::from(i.pass) + usize::from(i.fail))
        .sum();
    Coverage {
        ruleset: rs.id.clone(),
        sides_total: items.len() * 2,
        items,
        sides_covered,
    }
}
