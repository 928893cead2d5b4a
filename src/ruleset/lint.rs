//! Lints of a valid ruleset: findings `ntm check` reports as warnings, which never stop
//! `evaluate` (docs/ruleset.md, "Lints").
//!
//! Pure: takes the validated `Ruleset` (whose indicators carry their locations) and returns
//! diagnostics. Errors that make a ruleset unusable belong to `validate`, not here.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::model::{IndicatorRef, Op, Origin, Ruleset, Test, Threshold};
use crate::diag::{Diagnostic, Location};

/// Every code `lint` can emit.
pub const CODES: [&str; 5] = [
    "laxer-than-required-level",
    "outside-period",
    "unverified",
    "year-gap",
    "zone-spelling-collision",
];

/// Lints a ruleset file may silence for one indicator with `allow = [...]`. `unverified` is not
/// one: it is the ruleset's honest state and is only silenced on the command line.
pub const ALLOWABLE: [&str; 2] = ["laxer-than-required-level", "year-gap"];

/// What the lints are run against besides the ruleset.
#[derive(Debug, Clone, Copy, Default)]
pub struct LintOptions {
    /// The assessment year the ruleset will be used for (`check --year`).
    pub year: Option<i32>,
    /// Today's date (year, month, day).
    pub today: Option<(i32, u32, u32)>,
}

/// Every lint finding of `rs`, in file order per lint.
pub fn lint(rs: &Ruleset, opts: &LintOptions) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    period(rs, opts, &mut out);
    unverified(rs, &mut out);
    year_gap(rs, &mut out);
    laxer_than_required(rs, &mut out);
    zone_spellings(rs, &mut out);
    out
}

/// Spellings of two zones that differ only by diacritics (`DBSH`, `ĐBSH`): a cell written
/// another way still (`Dbsh`, or `ĐBSH` typed without its stroke in a third spelling) matches
/// both once diacritics are folded, and is then an error (`ambiguous-zone`) instead of a zone.
/// Spellings equal ignoring case are `duplicate-alias` errors (validate).
fn zone_spellings(rs: &Ruleset, out: &mut Vec<Diagnostic>) {
    let mut owners: Vec<(String, usize, &str)> = Vec::new();
    for (zi, z) in rs.zones.iter().enumerate() {
        for spelling in z.spellings() {
            let key = crate::text::fold(spelling);
            let clash = owners
                .iter()
                .find(|(k, owner, _)| *k == key && *owner != zi)
                .map(|(_, owner, first)| (*owner, *first));
            if let Some((owner, first)) = clash {
                out.push(
                    warn_at(
                        "zone-spelling-collision",
                        format!(
                            "`{spelling}` of zone `{}` and `{first}` of zone `{}` differ only by diacritics: a cell matching neither exactly is refused as naming both",
                            z.id, rs.zones[owner].id
                        ),
                        &z.at,
                    )
                    .help("give each zone spellings that stay apart without diacritics, or accept that data must spell them exactly"),
                );
            } else if !owners.iter().any(|(k, o, _)| *k == key && *o == zi) {
                owners.push((key, zi, spelling));
            }
        }
    }
}

fn warn_at(code: &'static str, message: String, at: &Location) -> Diagnostic {
    let mut d = Diagnostic::warning(code, message);
    d.location = Some(at.clone());
    d
}

/// `level/indicator` as people read it.
fn name(rs: &Ruleset, r: IndicatorRef) -> String {
    format!(
        "indicator `{}` of level `{}`",
        rs.indicator(r).id,
        rs.levels[r.level].id
    )
}

fn period(rs: &Ruleset, opts: &LintOptions, out: &mut Vec<Diagnostic>) {
    let (first, last) = rs.period;
    if let Some(y) = opts.year
        && (y < first || y > last)
    {
        out.push(
            warn_at(
                "outside-period",
                format!(
                    "assessment year {y} is outside the period {first}–{last} of ruleset `{}`",
                    rs.id
                ),
                &rs.period_at,
            )
            .help("use the ruleset whose period covers the year (`ntm rules list`)"),
        );
    }
    if let Some((y, m, d)) = opts.today
        && y > last
    {
        out.push(
                warn_at(
                    "outside-period",
                    format!(
                        "today ({y:04}-{m:02}-{d:02}) is past the period {first}–{last} of ruleset `{}`",
                        rs.id
                    ),
                    &rs.period_at,
                )
                .help("fine for assessing past years; for current assessments use the ruleset in force (`ntm rules list`)"),
            );
    }
}

/// In a ruleset that extends another, findings about inherited indicators belong to the base's
/// file: only what this file declares or amends is linted.
fn own(ind: &super::model::Indicator) -> bool {
    ind.origin != Origin::Inherited
}

fn unverified(rs: &Ruleset, out: &mut Vec<Diagnostic>) {
    for (r, ind) in rs.indicators().filter(|(_, i)| own(i)) {
        if !rs.fully_verified(r) {
            out.push(
                warn_at(
                    "unverified",
                    format!("{} is not fully verified", name(rs, r)),
                    &ind.at.verified,
                )
                .help("its `note` gives the basis of the unverified values; `ntm rules show` lists them"),
            );
        }
    }
}

fn year_gap(rs: &Ruleset, out: &mut Vec<Diagnostic>) {
    for (r, ind) in rs.indicators().filter(|(_, i)| own(i)) {
        if ind.allow.iter().any(|a| a == "year-gap") {
            continue;
        }
        let Test::Compare(_, Threshold::Fixed(entries)) = &ind.test else {
            continue;
        };
        let Some(from) = entries.first().and_then(|e| e.from) else {
            continue;
        };
        if from > rs.period.0 {
            let years = if from - 1 == rs.period.0 {
                format!("{}", rs.period.0)
            } else {
                format!("{}–{}", rs.period.0, from - 1)
            };
            let at = ind.at.threshold.as_ref().unwrap_or(&ind.at.id);
            out.push(
                warn_at(
                    "year-gap",
                    format!(
                        "{}: no year entry covers {years} (the first is `from = {from}`), so the {from} values are applied to years before they came into force",
                        name(rs, r)
                    ),
                    at,
                )
                .help(format!(
                    "add an entry `from = {}`, or write `allow = [\"year-gap\"]` on the indicator when the earliest values are meant to apply before {from}",
                    rs.period.0
                )),
            );
        }
    }
}

/// The levels `level` requires, directly or through others.
fn required_levels(rs: &Ruleset, level: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = rs.levels[level].requires;
    // `requires` always points at an earlier level, so this ends.
    while let Some(l) = at {
        out.push(l);
        at = rs.levels[l].requires;
    }
    out
}

/// The years at which any threshold can change: the period's first year and every `from`
/// inside the period.
fn years(rs: &Ruleset) -> Vec<i32> {
    let mut ys = BTreeSet::from([rs.period.0]);
    for (_, ind) in rs.indicators() {
        if let Test::Compare(_, Threshold::Fixed(entries)) = &ind.test {
            ys.extend(
                entries
                    .iter()
                    .filter_map(|e| e.from)
                    .filter(|f| *f >= rs.period.0 && *f <= rs.period.1),
            );
        }
    }
    ys.into_iter().collect()
}

/// Where one indicator's test is laxer than another's (see `Op::laxer`).
pub(crate) struct Laxer<'r> {
    /// Every zone where it is laxer in some year.
    pub(crate) zones: Vec<&'r str>,
    /// The first such zone…
    pub(crate) zone: &'r str,
    /// …and year…
    pub(crate) year: i32,
    /// …with the laxer threshold…
    pub(crate) value: Decimal,
    /// …and the other one.
    pub(crate) other: Decimal,
}

/// Compare indicator `ra` (op `op_a`) of `rs` with `rb` (op `op_b`) of `other` (the same
/// ruleset, or the base it extends: zones are the same) for every zone in each of `years`.
pub(crate) fn laxer<'r>(
    rs: &'r Ruleset,
    ra: IndicatorRef,
    op_a: Op,
    other: &Ruleset,
    rb: IndicatorRef,
    op_b: Op,
    years: &[i32],
) -> Option<Laxer<'r>> {
    let mut zones = Vec::new();
    let mut first = None;
    for (zi, z) in rs.zones.iter().enumerate() {
        for &y in years {
            let (Some(a), Some(b)) = (rs.resolve(ra, zi, y).0, other.resolve(rb, zi, y).0) else {
                continue;
            };
            if op_a.laxer(a.value, op_b, b.value) {
                zones.push(z.id.as_str());
                first.get_or_insert((z.id.as_str(), y, a.value, b.value));
                break;
            }
        }
    }
    let (zone, year, value, other) = first?;
    Some(Laxer {
        zones,
        zone,
        year,
        value,
        other,
    })
}

/// A level's indicator laxer than an indicator of the same measure in a level it requires:
/// harmless for the verdict (the required level must be met anyway) but almost always a typo.
fn laxer_than_required(rs: &Ruleset, out: &mut Vec<Diagnostic>) {
    let years = years(rs);
    for (ra, a) in rs.indicators() {
        if a.allow.iter().any(|x| x == "laxer-than-required-level") {
            continue;
        }
        let Test::Compare(op_a, _) = a.test else {
            continue;
        };
        let required = required_levels(rs, ra.level);
        for (rb, b) in rs.indicators() {
            if !required.contains(&rb.level) || b.measure != a.measure || !(own(a) || own(b)) {
                continue;
            }
            let Test::Compare(op_b, _) = b.test else {
                continue;
            };
            let Some(found) = laxer(rs, ra, op_a, rs, rb, op_b, &years) else {
                continue;
            };
            let Laxer {
                zones,
                zone,
                year,
                value: va,
                other: vb,
            } = found;
            out.push(
                warn_at(
                    "laxer-than-required-level",
                    format!(
                        "{} (`{} {va}` for zone `{zone}` in {year}) is laxer than {} (`{} {vb}`), which it requires; zones: `{}`",
                        name(rs, ra),
                        op_a.as_str(),
                        name(rs, rb),
                        op_b.as_str(),
                        zones.join("`, `")
                    ),
                    a.at.threshold.as_ref().unwrap_or(&a.at.id),
                )
                .help("a higher level is normally at least as strict; fix the value, or write `allow = [\"laxer-than-required-level\"]` on the indicator if the decision says so"),
            );
        }
    }
}

#[cfg(test)]
mod tests;
