//! Distances to thresholds, borderline values (`--margin`) and how close a commune is to its
//! next level (`--closest`).
//!
//! Pure: takes an `Outcome`, the `Ruleset` and the commune's values, returns numbers. It
//! decides nothing about levels (that is `eval`) and formats nothing (that is `report`).
//!
//! Sign convention of a gap (README, "Distances and margins"): positive is room to spare, negative
//! is how far the value is short, in the measure's unit, whatever the operator — `>= 70` with
//! 61.2 is −8.8, `<= 16.5` with 12 is +4.5. At the threshold the gap is 0 (a strict `>` or `<`
//! fails there). For `=` it is −|value − threshold|. A `none` test ("no temporary houses") is
//! `<= 0`. The relative gap is the gap divided by |threshold|, none for a zero threshold.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::data::coerce::Value;
use crate::eval::{CriterionOutcome, IndicatorOutcome, Outcome, Status};
use crate::exact::{POW10, POW10_WIDE};
use crate::ruleset::Ruleset;
use crate::ruleset::model::{Criterion, Indicator, IndicatorRef, Op, Test};

/// Signed distance from `value` to `threshold` under `op`: positive to spare, negative short.
pub fn gap(op: Op, value: Decimal, threshold: Decimal) -> Decimal {
    match op {
        Op::Ge | Op::Gt => value - threshold,
        Op::Le | Op::Lt => threshold - value,
        Op::Eq => -(value - threshold).abs(),
    }
}

/// `gap` as a share of |threshold| (0.1 is 10 %); none when the threshold is zero.
pub fn relative(gap: Decimal, threshold: Decimal) -> Option<Decimal> {
    if threshold.is_zero() {
        None
    } else {
        gap.checked_div(threshold.abs())
    }
}

/// The numeric comparison an indicator makes, when it makes one: `(op, threshold)`. A `none`
/// test is `<= 0`; a `yes` test has none.
pub fn comparison(test: &Test, threshold: Option<Decimal>) -> Option<(Op, Decimal)> {
    match test {
        Test::Yes => None,
        Test::None => Some((Op::Le, Decimal::ZERO)),
        Test::Compare(op, _) => threshold.map(|t| (*op, t)),
    }
}

/// How near a threshold a value must be to be worth a second look (`--margin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Margin {
    /// `--margin 2%`: |value − threshold| ≤ share × |threshold| (share 0.02).
    Relative(Decimal),
    /// `--margin 0.5`: |value − threshold| ≤ 0.5 in the measure's own unit (percentage points
    /// for percent measures).
    Absolute(Decimal),
}

impl Margin {
    /// Whether `value` lies within this margin of `threshold` (on either side). Only numeric
    /// thresholds have margins: `yes` and `none` tests are never borderline. A relative margin
    /// around a zero threshold is zero wide: only a value equal to it is borderline.
    pub fn borderline(self, test: &Test, value: Decimal, threshold: Decimal) -> bool {
        if !matches!(test, Test::Compare(..)) {
            return false;
        }
        let distance = (value - threshold).abs();
        match self {
            Margin::Relative(share) => distance <= share * threshold.abs(),
            Margin::Absolute(width) => distance <= width,
        }
    }
}

impl std::fmt::Display for Margin {
    /// As written on the command line, normalized: `2%`, `0.5`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Margin::Relative(share) => write!(f, "{}%", (share * Decimal::ONE_HUNDRED).normalize()),
            Margin::Absolute(width) => write!(f, "{}", width.normalize()),
        }
    }
}

impl FromStr for Margin {
    type Err = String;

    /// `2%`, `2 %`, `0,5%` (relative) or `0.5`, `0,5` (absolute); never negative.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let (number, relative) = match text.strip_suffix('%') {
            Some(n) => (n.trim_end(), true),
            None => (text, false),
        };
        let expected = || {
            format!(
                "`{s}` is not a margin: expected a share of the threshold like `2%` or an amount in the measure's unit like `0.5`"
            )
        };
        let v = Decimal::from_str(&number.replace(',', ".")).map_err(|_| expected())?;
        if v.is_sign_negative() {
            return Err(expected());
        }
        Ok(if relative {
            Margin::Relative(v / Decimal::ONE_HUNDRED)
        } else {
            Margin::Absolute(v)
        })
    }
}

/// One indicator's value against its threshold: what explain, long and borderline show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Distance {
    /// The threshold compared with (0 for `none` tests).
    pub threshold: Decimal,
    /// Signed gap (see the module header).
    pub gap: Decimal,
    /// `gap` / |threshold|, none at a zero threshold.
    pub relative: Option<Decimal>,
}

/// The distance of `value` from the indicator's threshold, when both are numeric.
pub fn distance(test: &Test, threshold: Option<Decimal>, value: Option<Value>) -> Option<Distance> {
    let (op, t) = comparison(test, threshold)?;
    let Some(Value::Num(v)) = value else {
        return None;
    };
    let g = gap(op, v, t);
    Some(Distance {
        threshold: t,
        gap: g,
        relative: relative(g, t),
    })
}

/// An indicator within the margin of its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Borderline {
    /// Which indicator.
    pub at: IndicatorRef,
    /// The value found.
    pub value: Decimal,
    /// The threshold it was judged against.
    pub threshold: Decimal,
    /// Its verdict (pass or fail).
    pub status: Status,
}

/// Every indicator of every level whose value lies within `margin` of its threshold, in
/// ruleset order.
pub fn borderlines(
    rs: &Ruleset,
    outcome: &Outcome,
    values: &[Option<Value>],
    margin: Margin,
) -> Vec<Borderline> {
    let mut found = Vec::new();
    for (r, ind) in rs.indicators() {
        let io = &outcome.levels[r.level].criteria[r.criterion].indicators[r.indicator];
        let (Some(t), Some(Some(Value::Num(v)))) = (io.threshold, values.get(ind.measure)) else {
            continue;
        };
        if margin.borderline(&ind.test, *v, t.value) {
            found.push(Borderline {
                at: r,
                value: *v,
                threshold: t.value,
                status: io.status,
            });
        }
    }
    found
}

/// How much separates a commune from its next level (`--closest`): compared field by field,
/// smaller is closer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Closeness {
    /// Indicators that must change for the level to be reached: over its criteria not met,
    /// what each still needs (an "at least 1 of 2" criterion with both failing needs one).
    /// Indicators with no data count: the level cannot be recognised until they are known.
    pub short: usize,
    /// Of those, how many have no data (a known small gap ranks before an unknown one).
    pub no_data: usize,
    /// Sum of the relative shortfalls of the failing indicators counted in `short` (0.126
    /// for 61.2 against `>= 70`); a failing `yes`, `none` or zero-threshold test counts 1, a
    /// whole indicator. No-data indicators add nothing here.
    pub shortfall: Decimal,
}

/// How close the commune is to its next level; none when it is at the top.
///
/// Within a criterion not met, the indicators counted are the cheapest that would meet it:
/// failing ones before no-data ones, then by smallest shortfall.
pub fn closeness(rs: &Ruleset, outcome: &Outcome, values: &[Option<Value>]) -> Option<Closeness> {
    let li = outcome.next_level?;
    let level = &rs.levels[li];
    let mut key = Closeness {
        short: 0,
        no_data: 0,
        shortfall: Decimal::ZERO,
    };
    for (crit, co) in level.criteria.iter().zip(&outcome.levels[li].criteria) {
        if co.status == Status::Pass {
            continue;
        }
        let need = crit.required().saturating_sub(co.met);
        // Every indicator not met is needed (a criterion of all its indicators, or one whose
        // `at_least` leaves no choice): nothing to choose, so nothing to sort (issue #14).
        let all = need >= crit.indicators.len().saturating_sub(co.met);
        if !(all && add_all(&mut key, crit, co, values)) {
            add_cheapest(&mut key, crit, co, need, values);
        }
    }
    Some(key)
}

/// `Decimal`'s own addition, where [`add_exact`] does not apply: apart, so that the rare case
/// does not weigh on `closeness`'s loop.
#[cold]
#[inline(never)]
fn add_general(a: Decimal, b: Decimal) -> Decimal {
    a + b
}

/// `a + b` as `Decimal`'s addition gives it, for the shortfalls [`closeness`] adds, none
/// below zero (issue #14: `Decimal`'s `+=` was a tenth of `closeness`, which was a tenth of
/// rendering a commune's JSON). Where one is zero, the other as it is (its scale, and the sign
/// of a negative zero: what `Decimal` returns). Otherwise both mantissas at the larger scale,
/// added: where that sum fits in 96 bits `Decimal` adds exactly, at that scale. `None`
/// elsewhere (a negative operand, a mantissa too wide to scale up, a sum `Decimal` would
/// round), for `Decimal`'s own addition.
fn add_exact(a: Decimal, b: Decimal) -> Option<Decimal> {
    if a.is_zero() {
        return Some(b);
    }
    if b.is_zero() {
        return Some(a);
    }
    if a.is_sign_negative() || b.is_sign_negative() {
        return None;
    }
    let (sa, sb) = (a.scale(), b.scale());
    let (ma, mb) = (a.mantissa().unsigned_abs(), b.mantissa().unsigned_abs());
    // The one at the smaller scale is scaled up, where the product is sure to fit in 128
    // bits: below 2^64 times at most 10^19, or below 2^32 (a whole indicator's 1) times at
    // most 10^28.
    let up = |m: u128, by: u32| {
        let pow = *POW10_WIDE.get(by as usize)?;
        ((m >> 64 == 0 && by <= 19) || m >> 32 == 0).then(|| m * pow)
    };
    let (sum, scale) = match sa.cmp(&sb) {
        std::cmp::Ordering::Equal => (ma + mb, sa),
        std::cmp::Ordering::Less => (up(ma, sb - sa)?.checked_add(mb)?, sb),
        std::cmp::Ordering::Greater => (ma.checked_add(up(mb, sa - sb)?)?, sa),
    };
    from_mantissa(sum, scale)
}

/// The decimal of non-negative mantissa `m` and `scale` (at most 28); `None` past 96 bits.
fn from_mantissa(m: u128, scale: u32) -> Option<Decimal> {
    (m >> 96 == 0)
        .then(|| Decimal::from_parts(m as u32, (m >> 32) as u32, (m >> 64) as u32, false, scale))
}

/// Add to `key` every indicator of a criterion not met, each failing one's shortfall in
/// ruleset order rather than cheapest first: the same key where every sum is exact (an exact
/// sum of shortfalls, none below zero, is the same in any order, at the largest scale of
/// those not zero; a zero leaves a sum as it is, and a sum of zeros is the last one added,
/// the last in ruleset order either way, as sorting keeps equal ones in that order). Returns
/// `false`, `key` as it was, where a sum is not known exact ([`add_exact`]).
fn add_all(
    key: &mut Closeness,
    crit: &Criterion,
    co: &CriterionOutcome,
    values: &[Option<Value>],
) -> bool {
    let mut sum = key.shortfall;
    let added = not_met(crit, co, values, |cost| {
        add_exact(sum, cost).map(|s| sum = s).is_some()
    });
    let Some((fails, no_data)) = added else {
        return false;
    };
    key.shortfall = sum;
    key.short += fails + no_data;
    key.no_data += no_data;
    true
}

/// Add to `key` the `need` cheapest indicators of a criterion not met.
fn add_cheapest(
    key: &mut Closeness,
    crit: &Criterion,
    co: &CriterionOutcome,
    need: usize,
    values: &[Option<Value>],
) {
    // In one pass: the shortfall of each failing indicator, and how many have no data.
    // Failing indicators come first, cheapest first; a no-data indicator only counts
    // (it adds zero, which leaves a sum as it is): the same key as sorting every
    // indicator not met (`closeness_reference` in the tests), without sorting or
    // adding the no-data ones (issue #14). On the stack for up to 16 failing
    // indicators (all of NTM's criteria have fewer), so a commune allocates nothing.
    let mut small = [Decimal::ZERO; 16];
    let mut large = Vec::new();
    let mut kept = 0;
    let counts = not_met(crit, co, values, |cost| {
        match small.get_mut(kept) {
            Some(slot) if large.is_empty() => *slot = cost,
            _ => {
                if large.is_empty() {
                    large.extend_from_slice(&small);
                }
                large.push(cost);
            }
        }
        kept += 1;
        true
    });
    let (fails, no_data) = counts.unwrap_or_default();
    let costs: &mut [Decimal] = if large.is_empty() {
        &mut small[..fails]
    } else {
        &mut large
    };
    // Stable: equal shortfalls keep ruleset order, so they are added in the same order
    // as before.
    costs.sort();
    let from_fails = need.min(fails);
    for &cost in costs.iter().take(from_fails) {
        key.shortfall =
            add_exact(key.shortfall, cost).unwrap_or_else(|| add_general(key.shortfall, cost));
    }
    let from_no_data = (need - from_fails).min(no_data);
    key.short += from_fails + from_no_data;
    key.no_data += from_no_data;
}

/// The indicators of a criterion not met: `each` takes each failing one's shortfall, in
/// ruleset order, and says whether to go on. Returns how many fail and how many have no
/// data, or `None` where `each` stopped.
fn not_met(
    crit: &Criterion,
    co: &CriterionOutcome,
    values: &[Option<Value>],
    mut each: impl FnMut(Decimal) -> bool,
) -> Option<(usize, usize)> {
    let (mut fails, mut no_data) = (0, 0);
    for (ind, io) in crit.indicators.iter().zip(&co.indicators) {
        match io.status {
            Status::Pass => {}
            Status::NoData => no_data += 1,
            Status::Fail => {
                if !each(cost(ind, io, values)) {
                    return None;
                }
                fails += 1;
            }
        }
    }
    Some((fails, no_data))
}

/// What failing indicator `ind` adds to [`Closeness::shortfall`].
fn cost(ind: &Indicator, io: &IndicatorOutcome, values: &[Option<Value>]) -> Decimal {
    let value = values.get(ind.measure).copied().flatten();
    let threshold = io.threshold.map(|t| t.value);
    shortfall_exact(&ind.test, threshold, value)
        .unwrap_or_else(|| shortfall(&ind.test, threshold, value))
}

/// What a failing indicator adds to [`Closeness::shortfall`]: its relative shortfall, 1 for
/// a test without one (`yes`, `none`, a zero threshold, no numeric value).
fn shortfall(test: &Test, threshold: Option<Decimal>, value: Option<Value>) -> Decimal {
    distance(test, threshold, value)
        .and_then(|d| d.relative)
        .map_or(Decimal::ONE, |rel| (-rel).max(Decimal::ZERO))
}

/// [`shortfall`] from the decimals' parts, the same digits and scale (issue #14: the
/// decimal subtraction and division were most of the cost of `closeness`). A test without
/// a relative shortfall counts 1 at once. Otherwise taken where the value and threshold have
/// at most 12 decimals and mantissas of 64 bits, and the shortfall is below 1, with a gap
/// of at most 64 bits and a threshold of at most 32: there `Decimal`'s subtraction is exact
/// and its division ([`div_below_one`]) takes the path that is copied here. `None`
/// elsewhere, for `Decimal`'s own arithmetic.
fn shortfall_exact(
    test: &Test,
    threshold: Option<Decimal>,
    value: Option<Value>,
) -> Option<Decimal> {
    const FIT: u128 = 1 << 95;
    let (op, t, v) = match (test, threshold, value) {
        (Test::Compare(op, _), Some(t), Some(Value::Num(v))) if !t.is_zero() => (*op, t, v),
        // `yes`, `none` (whose threshold is zero), no threshold, no number: as `shortfall`.
        _ => return Some(Decimal::ONE),
    };
    let (sv, st) = (v.scale(), t.scale());
    if sv > 12 || st > 12 {
        return None;
    }
    // Both at the larger scale, as `Decimal`'s subtraction aligns them (exact below 2^95).
    let sg = sv.max(st);
    let vv = i128::from(i64::try_from(v.mantissa()).ok()?) * i128::from(POW10[(sg - sv) as usize]);
    let tt = i128::from(i64::try_from(t.mantissa()).ok()?) * i128::from(POW10[(sg - st) as usize]);
    if vv.unsigned_abs() >= FIT || tt.unsigned_abs() >= FIT {
        return None;
    }
    let g = match op {
        Op::Ge | Op::Gt => vv - tt,
        Op::Le | Op::Lt => tt - vv,
        Op::Eq => -(vv - tt).abs(),
    };
    match g.cmp(&0) {
        // Zero divided is `Decimal::ZERO`, negated; `Decimal::max` keeps it (it is not
        // below zero).
        std::cmp::Ordering::Equal => return Some(-Decimal::ZERO),
        // Room to spare: not a failing indicator's case; the general way decides.
        std::cmp::Ordering::Greater => return None,
        std::cmp::Ordering::Less => {}
    }
    let n = u64::try_from(g.unsigned_abs()).ok()?;
    let d = u32::try_from(t.mantissa().unsigned_abs()).ok()?;
    let (q, scale) = div_below_one(n, sg, d, st)?;
    from_mantissa(q, scale)
}

/// `n` (at scale `sn`) divided by `d` (at scale `sd`), both positive, as `Decimal`'s
/// division gives it (rust_decimal's `div_impl` with a 32-bit divisor): the quotient's
/// mantissa and scale. Taken only where the quotient is below 1 and the scales at most 12,
/// where each step of that division is known: whole digits 9 at a time up to scale 19,
/// then to scale 28; the last digit rounded half to even; trailing zeros dropped as its
/// `unscale` drops them. `None` otherwise.
fn div_below_one(n: u64, sn: u32, d: u32, sd: u32) -> Option<(u128, u32)> {
    const MAX_SCALE: i32 = 28;
    if d == 0 || n == 0 || sn > 12 || sd > 12 {
        return None;
    }
    // Below 1: n × 10^sd < d × 10^sn.
    if u128::from(n) * u128::from(POW10[sd as usize])
        >= u128::from(d) * u128::from(POW10[sn as usize])
    {
        return None;
    }
    let d64 = u64::from(d);
    let mut scale = sn as i32 - sd as i32;
    let mut q = u128::from(n / d64);
    // Below `d`, so 32 bits.
    let mut r = n % d64;
    if r == 0 && scale >= 0 {
        return Some((q, scale as u32));
    }
    let mut unscale = false;
    loop {
        let power;
        if r == 0 {
            if scale >= 0 {
                break;
            }
            power = (-scale).min(9);
        } else {
            unscale = true;
            if scale == MAX_SCALE {
                // Half to even, on the remainder doubled as a 32-bit word.
                let r32 = r as u32;
                let twice = r32 << 1;
                let up = if twice < r32 {
                    true
                } else if twice >= d {
                    twice > d || q & 1 == 1
                } else {
                    false
                };
                q += u128::from(up);
                break;
            }
            // The quotient is below 10^scale: it takes 9 digits up to scale 19, then the
            // digits left to 28.
            power = if scale > MAX_SCALE - 9 {
                MAX_SCALE - scale
            } else {
                9
            };
        }
        let p = POW10[power as usize];
        scale += power;
        q *= u128::from(p);
        let scaled = r * p;
        q += u128::from(scaled / d64);
        r = scaled % d64;
    }
    if unscale {
        scale = drop_zeros(&mut q, scale);
    }
    if q == 0 || q >> 96 != 0 || scale < 0 {
        return None;
    }
    Some((q, scale as u32))
}

/// rust_decimal's `unscale`: trailing zeros dropped 8 at a time while the low 32 bits are
/// zero, then 4, 2 and 1 once each, never below scale 0. Returns the new scale.
fn drop_zeros(q: &mut u128, mut scale: i32) -> i32 {
    // `q` below 2^96, divided by `pow` in three 32-bit steps (as rust_decimal does, and
    // without a 128-bit division); the quotient kept when nothing remains.
    let divide = |q: &mut u128, pow: u64| {
        let high = (*q >> 64) as u64;
        let (q2, r) = (high / pow, high % pow);
        let mid = (r << 32) | (*q >> 32) as u32 as u64;
        let (q1, r) = (mid / pow, mid % pow);
        let low = (r << 32) | *q as u32 as u64;
        let (q0, r) = (low / pow, low % pow);
        if r == 0 {
            *q = (u128::from(q2) << 64) | (u128::from(q1) << 32) | u128::from(q0);
        }
        r == 0
    };
    while *q as u32 == 0 && scale >= 8 && divide(q, 100_000_000) {
        scale -= 8;
    }
    if *q as u32 & 0xF == 0 && scale >= 4 && divide(q, 10_000) {
        scale -= 4;
    }
    if *q as u32 & 0x3 == 0 && scale >= 2 && divide(q, 100) {
        scale -= 2;
    }
    if *q as u32 & 0x1 == 0 && scale >= 1 && divide(q, 10) {
        scale -= 1;
    }
    scale
}

/// The order `--closest` lists communes in, as indexes into `keys` (each a commune's
/// closeness, `None` at the top level, and its input position): communes with a next level
/// first, closest first, ties in input order; then communes at the top, in input order.
pub fn rank(keys: &[(Option<Closeness>, usize)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| {
        let (ka, ra) = &keys[a];
        let (kb, rb) = &keys[b];
        (ka.is_none(), ka, ra).cmp(&(kb.is_none(), kb, rb))
    });
    order
}

#[cfg(test)]
mod tests;
