//! Aggregate figures of evaluated communes: per group and in total, the communes at each
//! level, average criteria and indicators met, the distribution of criteria met, the most
//! often missed criteria, targets (met / short by N) and roll-ups of higher units.
//!
//! Pure: outcomes in, figures out. No I/O and no formatting beyond the numbers themselves
//! (`report::summary` renders them). Every commune added is counted exactly once in its group
//! and once in the total. Definitions are documented in docs/summary.md.

pub mod compare;
pub mod targets;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::eval::{Outcome, Status};
use crate::ruleset::Ruleset;
use crate::text::spelling_key;
pub use targets::{Goal, Scope, Target, TargetCheck};

/// What one commune contributes: its outcome, its zone (before overrides: the region or group
/// the commune lies in) and the values of the columns the summary was asked to look at.
pub struct Facts<'a> {
    /// The commune's outcome.
    pub outcome: &'a Outcome,
    /// Zone index from the data, before overrides.
    pub zone: usize,
    /// One value per key column (`Summariser::new`'s `by` and the targets' columns).
    pub values: &'a [Option<String>],
}

/// Lower bounds of the bands of "criteria met" for a level of `n` criteria (the first is 0,
/// the last is `n`).
///
/// Provinces report 2021–2025 communes (19 criteria) as under 10, 10–14, 15–18 and all 19;
/// the 2026–2030 reporting form (10 criteria) as under 5, 5–9 and all 10. Both follow one
/// rule: a cut at ⌈n/2⌉, and a cut at n − 4 (263/QĐ-TTg's "no commune under 15 criteria")
/// when that leaves at least two values in the band between. The last band is always "all n".
pub fn band_cuts(n: usize) -> Vec<usize> {
    let half = n.div_ceil(2);
    if n == 0 {
        return Vec::new();
    }
    let mut cuts = vec![0];
    if half > 0 && half < n {
        cuts.push(half);
    }
    if n >= 4 && n - 4 >= half + 2 {
        cuts.push(n - 4);
    }
    cuts.push(n);
    cuts
}

/// One band of criteria met: `from..=to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Band {
    /// Fewest criteria met in the band.
    pub from: usize,
    /// Most criteria met in the band.
    pub to: usize,
}

/// The bands of a level of `n` criteria, from the lowest: each starts at a cut of
/// [`band_cuts`] and ends before the next; the last is "all n".
pub fn bands(n: usize) -> Vec<Band> {
    let cuts = band_cuts(n);
    if cuts.is_empty() {
        return vec![Band { from: 0, to: 0 }];
    }
    cuts.iter()
        .enumerate()
        .map(|(i, &from)| Band {
            from,
            to: cuts.get(i + 1).map_or(n, |next| next - 1),
        })
        .collect()
}

/// Counts of one level within a set of communes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelTally {
    /// Level id.
    pub level: String,
    /// Communes that reached this level (they have reached every level it requires too).
    pub reached: usize,
    /// Communes whose highest level is this one.
    pub highest: usize,
    /// Communes that did not reach this level and have at least one criterion of it with no
    /// data (with the data, they might reach it).
    pub no_data: usize,
    /// Sum over communes of the criteria of this level met.
    pub criteria_met: usize,
    /// Sum over communes of the indicators of this level met.
    pub indicators_met: usize,
    /// Communes per band of criteria met (`bands(criteria)` order).
    pub bands: Vec<usize>,
    /// Communes whose next level is this one: the ones working towards it.
    pub candidates: usize,
    /// Per criterion, in ruleset order: among the candidates, how many failed it and how many
    /// had no data for it.
    pub missed: Vec<Missed>,
}

/// How often one criterion was not met by the candidates of its level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Missed {
    /// Failed.
    pub fail: usize,
    /// Not judged for lack of data.
    pub no_data: usize,
}

/// Counts of one set of communes (a group or the total).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Communes.
    pub communes: usize,
    /// Communes that reached no level.
    pub no_level: usize,
    /// Communes whose level verdict rests on unverified content.
    pub unverified: usize,
    /// Per level, in ruleset order.
    pub levels: Vec<LevelTally>,
}

impl Tally {
    /// An empty tally for `rs`.
    pub fn new(rs: &Ruleset) -> Self {
        Tally {
            communes: 0,
            no_level: 0,
            unverified: 0,
            levels: rs
                .levels
                .iter()
                .map(|l| LevelTally {
                    level: l.id.clone(),
                    reached: 0,
                    highest: 0,
                    no_data: 0,
                    criteria_met: 0,
                    indicators_met: 0,
                    bands: vec![0; bands(l.criteria.len()).len()],
                    candidates: 0,
                    missed: vec![Missed::default(); l.criteria.len()],
                })
                .collect(),
        }
    }

    /// Count one commune.
    pub fn add(&mut self, rs: &Ruleset, o: &Outcome) {
        self.communes += 1;
        self.no_level += usize::from(o.level.is_none());
        self.unverified += usize::from(o.unverified);
        for (li, (t, lo)) in self.levels.iter_mut().zip(&o.levels).enumerate() {
            t.reached += usize::from(lo.reached);
            t.highest += usize::from(o.level == Some(li));
            t.no_data +=
                usize::from(!lo.reached && lo.criteria.iter().any(|c| c.status == Status::NoData));
            t.criteria_met += lo.criteria_met;
            t.indicators_met += lo.indicators_met;
            let bs = bands(rs.levels[li].criteria.len());
            if let Some(b) = bs
                .iter()
                .position(|b| (b.from..=b.to).contains(&lo.criteria_met))
            {
                t.bands[b] += 1;
            }
            if o.next_level == Some(li) {
                t.candidates += 1;
                for (m, c) in t.missed.iter_mut().zip(&lo.criteria) {
                    match c.status {
                        Status::Pass => {}
                        Status::Fail => m.fail += 1,
                        Status::NoData => m.no_data += 1,
                    }
                }
            }
        }
    }
}

impl Tally {
    /// Add the counts of `other`, a tally of other communes under the same ruleset (the
    /// batches of a run, counted apart and merged in input order).
    pub fn merge(&mut self, other: &Tally) {
        self.communes += other.communes;
        self.no_level += other.no_level;
        self.unverified += other.unverified;
        for (t, o) in self.levels.iter_mut().zip(&other.levels) {
            t.reached += o.reached;
            t.highest += o.highest;
            t.no_data += o.no_data;
            t.criteria_met += o.criteria_met;
            t.indicators_met += o.indicators_met;
            for (b, n) in t.bands.iter_mut().zip(&o.bands) {
                *b += n;
            }
            t.candidates += o.candidates;
            for (m, n) in t.missed.iter_mut().zip(&o.missed) {
                m.fail += n.fail;
                m.no_data += n.no_data;
            }
        }
    }

    /// The summary of these communes alone: no groups, targets or roll-ups.
    pub fn into_summary(self) -> Summary {
        Summary {
            groups: Vec::new(),
            total: self,
            targets: Vec::new(),
            rollup_rule: None,
            rollups: Vec::new(),
        }
    }
}

/// `sum / n` rounded half away from zero to `places` decimals; zero when `n` is zero.
pub fn average(sum: usize, n: usize, places: u32) -> Decimal {
    if n == 0 {
        return Decimal::new(0, places);
    }
    let mut d = (Decimal::from(sum) / Decimal::from(n))
        .round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    d.rescale(places);
    d
}

/// `part / whole` in percent, cut (not rounded) to one decimal, as `Lang::percent` prints it.
pub fn share(part: usize, whole: usize) -> Decimal {
    if whole == 0 {
        return Decimal::new(0, 1);
    }
    let mut d = (Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole))
        .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::ToZero);
    d.rescale(1);
    d
}

/// Criteria of one level ranked by how many candidates failed them (most first; ties in
/// ruleset order); criteria nobody failed but some had no data for come last, in ruleset
/// order. Criteria every candidate met are left out. Returns criterion indices.
pub fn ranking(missed: &[Missed]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..missed.len())
        .filter(|&i| missed[i].fail > 0 || missed[i].no_data > 0)
        .collect();
    idx.sort_by_key(|&i| (std::cmp::Reverse(missed[i].fail), i));
    idx
}

/// One group of communes: those sharing a value of the `--by` column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// The value as first spelt in the input; `None` for communes with the cell empty. Cells
    /// that differ only in case, spacing, Unicode form or tone-mark placement are one group
    /// (`text::spelling_key`).
    pub key: Option<String>,
    /// Its counts.
    pub tally: Tally,
}

/// A roll-up rule of a higher unit that is a share of its communes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RollupRule {
    /// 320/QĐ-TTg Annex I: a district is NTM when 100 % of its communes are NTM and at least
    /// 10 % are advanced (with district criteria not in commune data).
    #[serde(rename = "district_ntm_2021")]
    DistrictNtm2021,
    /// 51/2025/QĐ-TTg Annex III: a province completes the NTM task when 100 % of its communes
    /// are NTM and at least 10 % meet the modern (pilot) framework (and other conditions).
    #[serde(rename = "province_completed_2026")]
    ProvinceCompleted2026,
}

impl RollupRule {
    /// The rule that applies to groups by `by` (`district` or `province`) under `rs`: needs
    /// the levels `standard` and `advanced` (320/QĐ-TTg) or `standard` and `modern` (51/2025).
    pub fn for_groups(rs: &Ruleset, by: &str) -> Option<(RollupRule, usize, usize)> {
        let standard = rs.level_index("standard")?;
        match by {
            "district" => rs
                .level_index("advanced")
                .map(|a| (RollupRule::DistrictNtm2021, standard, a)),
            "province" => rs
                .level_index("modern")
                .map(|m| (RollupRule::ProvinceCompleted2026, standard, m)),
            _ => None,
        }
    }

    /// The legal source.
    pub fn source(self) -> &'static str {
        match self {
            RollupRule::DistrictNtm2021 => "320/QĐ-TTg (08/03/2022) Annex I",
            RollupRule::ProvinceCompleted2026 => "51/2025/QĐ-TTg Annex III",
        }
    }
}

/// The commune conditions of a roll-up rule checked for one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rollup {
    /// The group.
    pub group: Option<String>,
    /// Communes in it.
    pub communes: usize,
    /// Of them, NTM (the `standard` level).
    pub standard: usize,
    /// Of them, at the higher level the rule names (`advanced` or `modern`).
    pub higher: usize,
    /// Communes at the higher level needed for 10 %: ⌈communes / 10⌉.
    pub higher_needed: usize,
    /// Both commune conditions hold (100 % NTM, ≥ 10 % higher).
    pub met: bool,
}

/// Check a roll-up's commune conditions: all `communes` NTM and ≥ 10 % at the higher level.
pub fn rollup(group: Option<String>, communes: usize, standard: usize, higher: usize) -> Rollup {
    let higher_needed = communes.div_ceil(10);
    Rollup {
        group,
        communes,
        standard,
        higher,
        higher_needed,
        met: communes > 0 && standard == communes && higher >= higher_needed,
    }
}

/// Every figure of a summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Groups in Vietnamese alphabetical order of their value (`text::collate`: đ after d,
    /// "Huyện"/"Thành phố"… left out), the empty value first; empty without `--by`.
    pub groups: Vec<Group>,
    /// Every commune.
    pub total: Tally,
    /// Each target with its check, in file order.
    pub targets: Vec<TargetCheck>,
    /// The roll-up rule that applies to the groups, with its level indices.
    pub rollup_rule: Option<RollupRule>,
    /// Per group, when a roll-up rule applies.
    pub rollups: Vec<Rollup>,
}

/// Builds a [`Summary`] one commune at a time: memory grows with the groups, not the rows.
pub struct Summariser<'a> {
    rs: &'a Ruleset,
    by: Option<usize>,
    /// By `text::spelling_key` of the value: the first spelling seen and the tally.
    groups: BTreeMap<Option<String>, (Option<String>, Tally)>,
    total: Tally,
    targets: Vec<(Target, usize, usize)>,
    rollup: Option<(RollupRule, usize, usize)>,
}

impl<'a> Summariser<'a> {
    /// `by`: index into `Facts::values` of the grouping column, if any; `targets` to check;
    /// `rollup`: the roll-up rule for the groups (`RollupRule::for_groups`).
    pub fn new(
        rs: &'a Ruleset,
        by: Option<usize>,
        targets: Vec<Target>,
        rollup: Option<(RollupRule, usize, usize)>,
    ) -> Self {
        Summariser {
            rs,
            by,
            groups: BTreeMap::new(),
            total: Tally::new(rs),
            targets: targets.into_iter().map(|t| (t, 0, 0)).collect(),
            rollup: rollup.filter(|_| by.is_some()),
        }
    }

    /// Count one commune.
    pub fn add(&mut self, f: &Facts<'_>) {
        self.total.add(self.rs, f.outcome);
        if let Some(by) = self.by {
            let value = f.values.get(by).and_then(Option::as_deref);
            self.groups
                .entry(value.map(spelling_key))
                .or_insert_with(|| (value.map(str::to_string), Tally::new(self.rs)))
                .1
                .add(self.rs, f.outcome);
        }
        for (t, total, reached) in &mut self.targets {
            if t.scope.applies(f.zone, f.values) {
                *total += 1;
                *reached += usize::from(f.outcome.levels[t.level].reached);
            }
        }
    }

    /// The figures.
    pub fn finish(self) -> Summary {
        let mut groups: Vec<Group> = self
            .groups
            .into_iter()
            .map(|(_, (key, tally))| Group { key, tally })
            .collect();
        // Vietnamese alphabetical order, the empty value first: one order for every format.
        groups.sort_by_cached_key(|g| g.key.as_deref().map(crate::text::collate::key));
        let rollups = match self.rollup {
            Some((_, s, h)) => groups
                .iter()
                .map(|g| {
                    rollup(
                        g.key.clone(),
                        g.tally.communes,
                        g.tally.levels[s].reached,
                        g.tally.levels[h].reached,
                    )
                })
                .collect(),
            None => Vec::new(),
        };
        Summary {
            groups,
            total: self.total,
            targets: self
                .targets
                .into_iter()
                .map(|(t, total, reached)| t.check(total, reached))
                .collect(),
            rollup_rule: self.rollup.map(|r| r.0),
            rollups,
        }
    }
}

#[cfg(test)]
mod tests;
