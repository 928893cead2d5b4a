//! What a run computes for output, before any format: one [`CommuneRecord`] per evaluated
//! row (the JSON/CSV contract), what blocks its next level ([`missing`]), its borderline
//! indicators ([`borderline`]) and the run's provenance ([`meta`]).
//!
//! Pure: ruleset, row and outcome in, records out. Field names are snake_case and change
//! only with a CHANGELOG line (README, "JSON output"). How a record is written (CSV, JSON,
//! tables, HTML) is `crate::report`'s job.

pub mod borderline;
pub mod meta;
pub mod missing;

use rust_decimal::Decimal;
use serde::Serialize;

pub use borderline::{BorderlineRecord, borderline_records};
pub use meta::{InputMeta, LevelSummary, Meta, RulesetSummary, RunTally};
pub use missing::{MissingCriterion, MissingIndicator};

use crate::data::coerce::Value;
use crate::data::read::{Note, Row, ZoneFrom};
use crate::eval::Outcome;
use crate::report::cell;
use crate::ruleset::Ruleset;
use crate::ruleset::model::Test;
use missing::missing_criteria;

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
            shortfall_pct: pct(key.shortfall),
            key,
        }
    }
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

/// A cell value in output: an exact number or a bool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ValueOut {
    /// A number, printed exactly.
    Num(#[serde(with = "rust_decimal::serde::arbitrary_precision")] Decimal),
    /// yes/no.
    Bool(bool),
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

/// Where a commune's zone came from: `column`, `province`, or `override:<id>`.
pub fn zone_source(rs: &Ruleset, outcome: &Outcome, row: &Row) -> String {
    let mut s = String::new();
    zone_source_into(rs, outcome, row, &mut s);
    s
}

/// [`zone_source`] appended to `s`.
pub(crate) fn zone_source_into(rs: &Ruleset, outcome: &Outcome, row: &Row, s: &mut String) {
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
pub(crate) fn required_into(test: &Test, threshold: Option<Decimal>, s: &mut String) {
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

/// A relative gap as a percentage rounded to 2 decimals, as in `to_next.shortfall_pct` and
/// explain's `gap_pct` (a distance shown to people, never a verdict).
pub fn pct(relative: Decimal) -> Decimal {
    pct_exact(relative).unwrap_or_else(|| {
        (relative * Decimal::ONE_HUNDRED)
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .normalize()
    })
}

/// [`pct`] on the mantissa: the product by 100, rounded once to 2 decimals, half away from
/// zero (issue #14: the multiplication and rounding were a visible share of writing a CSV
/// row). `Decimal`'s product is exact here too: where `m × 100` does not fit in 96 bits it
/// drops one or two digits of scale, and those digits are zeros (`m × 100 / 10` and
/// `m × 100 / 100` are whole), so rounding the exact product gives its digits. `None` where
/// the result would not fit in 96 bits, for the general way.
fn pct_exact(relative: Decimal) -> Option<Decimal> {
    let hundredfold = relative.mantissa().unsigned_abs().checked_mul(100)?;
    let scale = relative.scale();
    let (rounded, scale) = match scale.checked_sub(2) {
        None | Some(0) => (hundredfold, scale),
        Some(drop) => {
            let unit = 10u128.pow(drop);
            let (q, r) = (hundredfold / unit, hundredfold % unit);
            // Half away from zero on the magnitude: up when the rest is at least half a unit.
            (q + u128::from(r >= unit - r), 2)
        }
    };
    if rounded >> 96 != 0 {
        return None;
    }
    let signed = i128::try_from(rounded).ok()?;
    let signed = if relative.is_sign_negative() {
        -signed
    } else {
        signed
    };
    Some(Decimal::from_i128_with_scale(signed, scale).normalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// [`pct`] as `Decimal`'s own product and rounding give it.
    fn pct_general(relative: Decimal) -> Decimal {
        (relative * Decimal::ONE_HUNDRED)
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .normalize()
    }

    proptest! {
        #[test]
        fn pct_on_the_mantissa_is_the_product_rounded(d in prop_oneof![
            crate::exact::any_decimal(),
            // Halves at the second decimal of the percentage, of both signs.
            (-100_000i64..100_000, 3u32..8).prop_map(|(m, s)| Decimal::new(m * 10 + 5, s)),
            // A sum of quotients of 28 decimals: `m × 100` needs more than 96 bits.
            (1u128 << 90..1u128 << 96, 0u32..=28, any::<bool>(), 0u32..3).prop_map(
                |(m, s, neg, tail)| {
                    // Some end in 5 (halves) or in zeros.
                    let m = match tail {
                        0 => m,
                        1 => m / 10 * 10 + 5,
                        _ => m / 1000 * 1000,
                    };
                    let m = i128::try_from(m).expect("96 bits");
                    Decimal::from_i128_with_scale(if neg { -m } else { m }, s)
                }
            ),
        ]) {
            prop_assume!(d.checked_mul(Decimal::ONE_HUNDRED).is_some());
            let (got, want) = (pct(d), pct_general(d));
            prop_assert_eq!(got.serialize(), want.serialize(), "{} gives {} not {}", d, got, want);
        }
    }

    #[test]
    fn pct_rounds_halves_away_from_zero() {
        for (d, want) in [
            ("0.000125", "0.01"),
            ("0.00125", "0.13"),
            ("-0.00125", "-0.13"),
            ("0.126", "12.6"),
            ("-0.00004", "0"),
            ("3", "300"),
            ("0.1234567890123456789012345678", "12.35"),
        ] {
            let d: Decimal = d.parse().expect("decimal");
            assert_eq!(pct(d).to_string(), want, "{d}");
            assert_eq!(pct(d).serialize(), pct_general(d).serialize(), "{d}");
        }
    }
}
