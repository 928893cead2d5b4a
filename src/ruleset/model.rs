//! The validated ruleset: what every command after loading works with.
//!
//! Built only by `validate`, so every reference here (measure, level, zone, base indicator) is an
//! index that is known to exist. Levels are data, not a Rust enum: each ruleset declares its own.
//! This module owns threshold resolution (zone, year, derived); it does no I/O.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::diag::Location;

/// A validated ruleset.
#[derive(Debug, Clone)]
pub struct Ruleset {
    /// Stable id (`ntm-2021-2025`).
    pub id: String,
    /// English name.
    pub name: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// First and last year the ruleset applies to.
    pub period: (i32, i32),
    /// The legal instrument(s).
    pub decision: String,
    /// What thresholds vary by.
    pub zoning: Zoning,
    /// Free text.
    pub notes: Option<String>,
    /// Regions or groups, in display order.
    pub zones: Vec<Zone>,
    /// Data columns, in file order.
    pub measures: Vec<Measure>,
    /// Levels from the lowest; `requires` always points at an earlier level.
    pub levels: Vec<Level>,
    /// Zone overrides (318/QĐ-TTg Article 1).
    pub overrides: Vec<Override>,
    /// SHA-256 of the ruleset text, hex.
    pub sha256: String,
    /// Where `period` is written (for diagnostics about the period).
    pub period_at: Location,
    /// Id of the ruleset this one extends (`extends`), if any.
    pub extends: Option<String>,
}

/// What thresholds vary by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Zoning {
    /// The 7 socio-economic regions (1980/QĐ-TTg, 318/QĐ-TTg).
    Region,
    /// Commune groups 1/2/3 (51/2025/QĐ-TTg).
    Group,
}

impl Zoning {
    /// The data column that names a commune's zone.
    pub fn column(self) -> &'static str {
        match self {
            Zoning::Region => "region",
            Zoning::Group => "group",
        }
    }
}

/// A region or commune group.
#[derive(Debug, Clone)]
pub struct Zone {
    /// `RRD`, `1`, …
    pub id: String,
    /// English name.
    pub name: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// Other spellings accepted in data.
    pub aliases: Vec<String>,
    /// Where the zone's `id` is written.
    pub at: Location,
}

impl Zone {
    /// Every spelling that names the zone in data: id, names, aliases.
    pub fn spellings(&self) -> impl Iterator<Item = &str> {
        [&self.id, &self.name, &self.name_vi]
            .into_iter()
            .chain(&self.aliases)
            .map(String::as_str)
    }
}

/// What a zone cell names (see [`Ruleset::match_zone`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneMatch {
    /// One zone.
    Found(usize),
    /// Several zones at the first step that matched anything: never the first of them.
    Ambiguous(Vec<usize>),
    /// No zone.
    Unknown,
}

impl ZoneMatch {
    /// The zone, when exactly one matched.
    pub fn found(&self) -> Option<usize> {
        match self {
            ZoneMatch::Found(z) => Some(*z),
            _ => None,
        }
    }
}

/// Key of the second step of zone matching: NFC, lowercase, spacing collapsed; diacritics
/// kept (`ĐBSH` ≠ `DBSH`).
pub fn zone_case_key(s: &str) -> String {
    crate::text::nfc(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// How a measure's cells are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// A decimal ≥ 0 (no NTM measure is negative).
    Number,
    /// A decimal in 0–100; a trailing `%` is accepted.
    Percent,
    /// Yes/no ("Đạt"/"Không đạt").
    Bool,
    /// A whole number ≥ 0.
    Count,
}

impl MeasureKind {
    /// Whether a numeric value lies in this kind's range: 0–100 for percent, a whole number
    /// ≥ 0 for count, ≥ 0 for number (bool has no numeric values).
    pub fn admits(self, v: Decimal) -> bool {
        match self {
            MeasureKind::Percent => v >= Decimal::ZERO && v <= Decimal::ONE_HUNDRED,
            MeasureKind::Count => v >= Decimal::ZERO && v.fract().is_zero(),
            MeasureKind::Number => v >= Decimal::ZERO,
            MeasureKind::Bool => true,
        }
    }

    /// The spelling used in ruleset files.
    pub fn as_str(self) -> &'static str {
        match self {
            MeasureKind::Number => "number",
            MeasureKind::Percent => "percent",
            MeasureKind::Bool => "bool",
            MeasureKind::Count => "count",
        }
    }
}

/// A data column.
#[derive(Debug, Clone)]
pub struct Measure {
    /// snake_case id and canonical header.
    pub id: String,
    /// English label.
    pub name: String,
    /// Vietnamese label.
    pub name_vi: String,
    /// How cells are read.
    pub kind: MeasureKind,
    /// Unit shown next to values.
    pub unit: Option<String>,
    /// The unit in Vietnamese (`unit_vi`), for Vietnamese output.
    pub unit_vi: Option<String>,
    /// Other headers meaning this column.
    pub aliases: Vec<String>,
    /// A missing column is not an error.
    pub optional: bool,
}

/// A level a commune can reach.
#[derive(Debug, Clone)]
pub struct Level {
    /// `standard`, `advanced`, …
    pub id: String,
    /// English name.
    pub name: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// Index of the level that must be reached first (always earlier).
    pub requires: Option<usize>,
    /// Legal basis.
    pub source: Option<String>,
    /// Criteria, in file order.
    pub criteria: Vec<Criterion>,
}

/// A criterion of a level.
#[derive(Debug, Clone)]
pub struct Criterion {
    /// Number as in the decision.
    pub id: String,
    /// English name.
    pub name: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// Met when at least this many indicators are met; `None` means all.
    pub at_least: Option<usize>,
    /// Indicators, in file order (never empty).
    pub indicators: Vec<Indicator>,
}

impl Criterion {
    /// How many indicators must be met.
    pub fn required(&self) -> usize {
        self.at_least.unwrap_or(self.indicators.len())
    }
}

/// An indicator: a test of one measure.
#[derive(Debug, Clone)]
pub struct Indicator {
    /// Number as in the decision.
    pub id: String,
    /// English label when it differs from the measure's.
    pub name: Option<String>,
    /// Vietnamese label when it differs from the measure's.
    pub name_vi: Option<String>,
    /// Index into `Ruleset::measures`.
    pub measure: usize,
    /// What the value is compared with.
    pub test: Test,
    /// Decision, annex and item.
    pub source: String,
    /// Per zone: was the indicator (for `yes`/`none`) or its derivation rule verified.
    pub verified: Vec<bool>,
    /// Basis of unverified values.
    pub note: Option<String>,
    /// Declared here, inherited from the base ruleset, or amended by this one.
    pub origin: Origin,
    /// Where it is written.
    pub at: IndicatorAt,
    /// Lint codes the file allows for this indicator (`allow = ["year-gap"]`).
    pub allow: Vec<String>,
}

/// Where an indicator is, for diagnostics about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorAt {
    /// Its `id`.
    pub id: Location,
    /// Its `verified`.
    pub verified: Location,
    /// Its `threshold` or `derived`, when it has one.
    pub threshold: Option<Location>,
}

/// Where an indicator of the validated ruleset comes from (`extends`, docs/ruleset.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Declared in the ruleset's own file (in an extending ruleset: added by it).
    #[default]
    Own,
    /// Taken unchanged from the base ruleset.
    Inherited,
    /// From the base ruleset, with a threshold replaced by the extending one.
    Amended,
}

/// The comparison of an indicator.
#[derive(Debug, Clone)]
pub enum Test {
    /// The bool measure must be true ("Đạt").
    Yes,
    /// The value must be zero ("Không").
    None,
    /// A numeric comparison with a threshold.
    Compare(Op, Threshold),
}

/// Numeric comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// ≥
    Ge,
    /// >
    Gt,
    /// ≤
    Le,
    /// <
    Lt,
    /// =
    Eq,
}

impl Op {
    /// Does `value op threshold` hold?
    pub fn holds(self, value: Decimal, threshold: Decimal) -> bool {
        match self {
            Op::Ge => value >= threshold,
            Op::Gt => value > threshold,
            Op::Le => value <= threshold,
            Op::Lt => value < threshold,
            Op::Eq => value == threshold,
        }
    }

    /// The spelling used in ruleset files.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Eq => "=",
        }
    }

    /// Whether `self threshold` admits a value that `other other_threshold` rejects: the
    /// test is laxer. Only tests of the same direction compare (`>=`/`>` with `>=`/`>`,
    /// `<=`/`<` with `<=`/`<`); `=` and mixed directions are never called laxer.
    pub fn laxer(self, threshold: Decimal, other: Op, other_threshold: Decimal) -> bool {
        let (a, b) = (threshold, other_threshold);
        match (self, other) {
            (Op::Ge | Op::Gt, Op::Ge | Op::Gt) => {
                a < b || (a == b && self == Op::Ge && other == Op::Gt)
            }
            (Op::Le | Op::Lt, Op::Le | Op::Lt) => {
                a > b || (a == b && self == Op::Le && other == Op::Lt)
            }
            _ => false,
        }
    }

    /// The operator that holds exactly when this one fails, for "61.2 < 66 required".
    pub fn negated_str(self) -> &'static str {
        match self {
            Op::Ge => "<",
            Op::Gt => "<=",
            Op::Le => ">",
            Op::Lt => ">=",
            Op::Eq => "≠",
        }
    }
}

/// Where a threshold comes from.
#[derive(Debug, Clone)]
pub enum Threshold {
    /// Values written in the ruleset, by year and zone.
    Fixed(Vec<YearEntry>),
    /// Another indicator's threshold for the same zone and year, times a factor.
    Derived {
        /// Level of the base indicator.
        level: usize,
        /// Criterion of the base indicator.
        criterion: usize,
        /// The base indicator.
        indicator: usize,
        /// Multiplier (1.10 for 319/QĐ-TTg).
        factor: Decimal,
    },
}

/// Threshold values in force from a year on.
#[derive(Debug, Clone)]
pub struct YearEntry {
    /// First year; `None` for a threshold without years.
    pub from: Option<i32>,
    /// One value per zone, in `Ruleset::zones` order.
    pub values: Vec<Decimal>,
    /// One flag per zone.
    pub verified: Vec<bool>,
    /// Basis of unverified values of this entry.
    pub note: Option<String>,
}

/// A threshold resolved for one zone and year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    /// The value to compare with.
    pub value: Decimal,
    /// The `from` year of the entry used.
    pub from: Option<i32>,
    /// Whether this value was verified.
    pub verified: bool,
}

/// A rule replacing a commune's zone.
#[derive(Debug, Clone)]
pub struct Override {
    /// kebab-case id.
    pub id: String,
    /// English description.
    pub name: Option<String>,
    /// A bool measure.
    pub measure: usize,
    /// Index of the zone to assess against.
    pub zone: usize,
    /// Legal basis.
    pub source: String,
}

/// Addresses one indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndicatorRef {
    /// Level index.
    pub level: usize,
    /// Criterion index within the level.
    pub criterion: usize,
    /// Indicator index within the criterion.
    pub indicator: usize,
}

/// One indicator met on [`Ruleset::walk`]: its address, and the level and criterion it sits in.
#[derive(Debug, Clone, Copy)]
pub struct Placed<'a> {
    /// Its address.
    pub r: IndicatorRef,
    /// The level it belongs to.
    pub level: &'a Level,
    /// The criterion it belongs to.
    pub criterion: &'a Criterion,
    /// The indicator.
    pub indicator: &'a Indicator,
}

impl Ruleset {
    /// The indicator at `r`.
    pub fn indicator(&self, r: IndicatorRef) -> &Indicator {
        &self.levels[r.level].criteria[r.criterion].indicators[r.indicator]
    }

    /// Index of the level with this id.
    pub fn level_index(&self, id: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.id == id)
    }

    /// Index of the zone with this id (exact).
    pub fn zone_index(&self, id: &str) -> Option<usize> {
        self.zones.iter().position(|z| z.id == id)
    }

    /// Index of the zone that `text` names, when exactly one does (see [`Self::match_zone`]).
    pub fn find_zone(&self, text: &str) -> Option<usize> {
        self.match_zone(text).found()
    }

    /// The zone(s) `text` names by its id, English or Vietnamese name, or an alias, in three
    /// steps, each taken only when the one before matched no zone: the same text after NFC
    /// (trimmed); then ignoring case and spacing ([`zone_case_key`]); then also ignoring
    /// diacritics (`text::fold`). Several zones at the step that matched are
    /// [`ZoneMatch::Ambiguous`]: a zone is never picked by declaration order.
    pub fn match_zone(&self, text: &str) -> ZoneMatch {
        let nfc = crate::text::nfc(text.trim());
        let case = zone_case_key(&nfc);
        let fold = crate::text::fold(&nfc);
        let steps: [&dyn Fn(&str) -> bool; 3] = [
            &|n| crate::text::nfc(n.trim()) == nfc,
            &|n| zone_case_key(n) == case,
            &|n| crate::text::fold(n) == fold,
        ];
        for same in steps {
            let zones: Vec<usize> = (0..self.zones.len())
                .filter(|&z| self.zones[z].spellings().any(same))
                .collect();
            match zones.len() {
                0 => continue,
                1 => return ZoneMatch::Found(zones[0]),
                _ => return ZoneMatch::Ambiguous(zones),
            }
        }
        ZoneMatch::Unknown
    }

    /// Number of indicators over all levels.
    pub fn indicator_count(&self) -> usize {
        self.indicators().count()
    }

    /// Every indicator with its address, level by level in file order.
    pub fn indicators(&self) -> impl Iterator<Item = (IndicatorRef, &Indicator)> {
        self.walk().map(|at| (at.r, at.indicator))
    }

    /// Every indicator with its address, level and criterion: the level → criterion →
    /// indicator walk, level by level in file order.
    pub fn walk(&self) -> impl Iterator<Item = Placed<'_>> {
        (0..self.levels.len()).flat_map(move |l| self.walk_level(l))
    }

    /// [`Ruleset::walk`] over level `l` only (nothing when there is no such level).
    pub fn walk_level(&self, l: usize) -> impl Iterator<Item = Placed<'_>> {
        self.levels.get(l).into_iter().flat_map(move |level| {
            level
                .criteria
                .iter()
                .enumerate()
                .flat_map(move |(c, criterion)| {
                    criterion
                        .indicators
                        .iter()
                        .enumerate()
                        .map(move |(i, indicator)| Placed {
                            r: IndicatorRef {
                                level: l,
                                criterion: c,
                                indicator: i,
                            },
                            level,
                            criterion,
                            indicator,
                        })
                })
        })
    }

    /// Whether every value of an indicator (all zones, all years, and its base) is verified.
    pub fn fully_verified(&self, r: IndicatorRef) -> bool {
        let ind = self.indicator(r);
        let own = ind.verified.iter().all(|v| *v);
        match &ind.test {
            Test::Yes | Test::None => own,
            Test::Compare(_, Threshold::Fixed(entries)) => {
                entries.iter().all(|e| e.verified.iter().all(|v| *v))
            }
            Test::Compare(
                _,
                Threshold::Derived {
                    level,
                    criterion,
                    indicator,
                    ..
                },
            ) => {
                own && self.fully_verified(IndicatorRef {
                    level: *level,
                    criterion: *criterion,
                    indicator: *indicator,
                })
            }
        }
    }

    /// The threshold of `r` for this zone and year when the indicator is numeric, and whether
    /// its verdict rests only on verified content.
    pub fn resolve(&self, r: IndicatorRef, zone: usize, year: i32) -> (Option<Resolved>, bool) {
        let ind = self.indicator(r);
        match &ind.test {
            Test::Yes | Test::None => (None, ind.verified[zone]),
            Test::Compare(_, threshold) => {
                let t = self.resolve_threshold(threshold, &ind.verified, zone, year);
                (t, t.is_some_and(|t| t.verified))
            }
        }
    }

    fn resolve_threshold(
        &self,
        threshold: &Threshold,
        own_verified: &[bool],
        zone: usize,
        year: i32,
    ) -> Option<Resolved> {
        match threshold {
            Threshold::Fixed(entries) => {
                let entry = in_force(entries, year);
                Some(Resolved {
                    value: entry.values[zone],
                    from: entry.from,
                    verified: entry.verified[zone],
                })
            }
            Threshold::Derived {
                level,
                criterion,
                indicator,
                factor,
            } => {
                let base = &self.levels[*level].criteria[*criterion].indicators[*indicator];
                // validate only accepts a numeric base; anything else resolves to nothing.
                let Test::Compare(_, base_threshold) = &base.test else {
                    return None;
                };
                let b = self.resolve_threshold(base_threshold, &base.verified, zone, year)?;
                Some(Resolved {
                    value: b.value * factor,
                    from: b.from,
                    verified: b.verified && own_verified[zone],
                })
            }
        }
    }
}

/// The entry in force in `year`: the latest `from` ≤ year, else the earliest entry.
///
/// `entries` is never empty and is sorted by `from` (validate guarantees both).
pub fn in_force(entries: &[YearEntry], year: i32) -> &YearEntry {
    entries
        .iter()
        .rev()
        .find(|e| e.from.is_none_or(|f| f <= year))
        .unwrap_or(&entries[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zones(spellings: &[(&str, &[&str])]) -> Ruleset {
        let mut rs = crate::ruleset::load_str(
            crate::ruleset::builtin::get("ntm-2021-2025")
                .map(|(_, t)| t)
                .unwrap_or_default(),
            "t.toml",
        )
        .0
        .expect("built-in ruleset");
        rs.zones = spellings
            .iter()
            .map(|(id, aliases)| Zone {
                id: (*id).to_string(),
                name: format!("{id} name"),
                name_vi: format!("Vùng {id}"),
                aliases: aliases.iter().map(|a| (*a).to_string()).collect(),
                at: rs.period_at.clone(),
            })
            .collect();
        rs
    }

    #[test]
    fn the_walk_meets_every_indicator_once_in_file_order_with_its_level_and_criterion() {
        let rs = zones(&[]);
        let mut n = 0;
        for (k, at) in rs.walk().enumerate() {
            assert!(std::ptr::eq(at.indicator, rs.indicator(at.r)));
            assert!(std::ptr::eq(at.level, &rs.levels[at.r.level]));
            assert!(std::ptr::eq(
                at.criterion,
                &rs.levels[at.r.level].criteria[at.r.criterion]
            ));
            assert_eq!(rs.indicators().nth(k).map(|(r, _)| r), Some(at.r));
            n += 1;
        }
        assert_eq!(n, rs.indicator_count());
        assert!(n > 0 && rs.levels.len() > 1);
        let by_level: usize = (0..rs.levels.len())
            .map(|l| {
                assert!(rs.walk_level(l).all(|at| at.r.level == l));
                rs.walk_level(l).count()
            })
            .sum();
        assert_eq!(by_level, n);
        assert_eq!(rs.walk_level(rs.levels.len()).count(), 0);
    }

    #[test]
    fn a_zone_is_matched_exactly_then_ignoring_case_then_ignoring_diacritics() {
        // `DBSH` of the second zone was read as the first zone's `ĐBSH` (first fold match).
        let rs = zones(&[("RRD", &["ĐBSH"]), ("NMM", &["DBSH"])]);
        assert_eq!(rs.match_zone("DBSH"), ZoneMatch::Found(1));
        assert_eq!(rs.match_zone(" ĐBSH "), ZoneMatch::Found(0));
        // Decomposed Đ does not exist, but a decomposed tone mark does: NFC first.
        assert_eq!(rs.match_zone("vu\u{300}ng RRD"), ZoneMatch::Found(0));
        assert_eq!(rs.match_zone("dbsh"), ZoneMatch::Found(1));
        assert_eq!(rs.match_zone("đbsh"), ZoneMatch::Found(0));
        // Only the fold matches, and it matches both: refused, both named.
        assert_eq!(rs.match_zone("ḌBSH"), ZoneMatch::Ambiguous(vec![0, 1]));
        assert_eq!(rs.find_zone("ḌBSH"), None);
        // An unambiguous fold is still accepted.
        assert_eq!(rs.match_zone("Vung NMM"), ZoneMatch::Found(1));
        assert_eq!(rs.match_zone("MRD"), ZoneMatch::Unknown);
    }

    fn entry(from: i32, v: i64) -> YearEntry {
        YearEntry {
            from: Some(from),
            values: vec![Decimal::from(v)],
            verified: vec![true],
            note: None,
        }
    }

    #[test]
    fn latest_entry_not_after_the_year_is_in_force() {
        let e = vec![entry(2022, 39), entry(2025, 45)];
        assert_eq!(in_force(&e, 2022).values[0], Decimal::from(39));
        assert_eq!(in_force(&e, 2024).values[0], Decimal::from(39));
        assert_eq!(in_force(&e, 2025).values[0], Decimal::from(45));
        assert_eq!(in_force(&e, 2030).values[0], Decimal::from(45));
    }

    #[test]
    fn earliest_entry_applies_before_every_from() {
        let e = vec![entry(2022, 39), entry(2025, 45)];
        let got = in_force(&e, 2021);
        assert_eq!(got.values[0], Decimal::from(39));
        assert_eq!(got.from, Some(2022));
    }

    #[test]
    fn every_operator_at_and_around_the_threshold() {
        let t = Decimal::from(80);
        let below = Decimal::new(7999, 2);
        let above = Decimal::new(8001, 2);
        let cases = [
            (Op::Ge, [false, true, true]),
            (Op::Gt, [false, false, true]),
            (Op::Le, [true, true, false]),
            (Op::Lt, [true, false, false]),
            (Op::Eq, [false, true, false]),
        ];
        for (op, want) in cases {
            let got = [op.holds(below, t), op.holds(t, t), op.holds(above, t)];
            assert_eq!(got, want, "{}", op.as_str());
        }
    }

    #[test]
    fn laxer_follows_the_direction_of_the_op() {
        let d = Decimal::from;
        // >=: lower is laxer; > is stricter than >= at the same value.
        assert!(Op::Ge.laxer(d(39), Op::Ge, d(40)));
        assert!(!Op::Ge.laxer(d(40), Op::Ge, d(40)));
        assert!(!Op::Ge.laxer(d(41), Op::Ge, d(40)));
        assert!(Op::Ge.laxer(d(40), Op::Gt, d(40)));
        assert!(!Op::Gt.laxer(d(40), Op::Ge, d(40)));
        // <=: higher is laxer; < is stricter than <= at the same value.
        assert!(Op::Le.laxer(d(6), Op::Le, d(5)));
        assert!(!Op::Le.laxer(d(4), Op::Lt, d(5)));
        assert!(Op::Le.laxer(d(5), Op::Lt, d(5)));
        assert!(!Op::Lt.laxer(d(5), Op::Le, d(5)));
        // = and mixed directions do not compare.
        assert!(!Op::Eq.laxer(d(1), Op::Eq, d(2)));
        assert!(!Op::Ge.laxer(d(1), Op::Le, d(2)));
    }

    #[test]
    fn exact_decimals_do_not_round_up_to_the_threshold() {
        // 79.995 % is not 80 % in a verdict.
        assert!(!Op::Ge.holds(Decimal::new(79995, 3), Decimal::from(80)));
    }
}
