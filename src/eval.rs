//! Pure evaluation of one commune against a ruleset: every indicator, criterion and level.
//!
//! Takes values, returns values; no I/O, no formatting. The reasons kept here (status,
//! threshold, verification) are what every report renders.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::data::coerce::Value;
use crate::exact::POW10;
use crate::ruleset::Ruleset;
use crate::ruleset::model::{Op, Resolved, Test};

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

/// How much of a level an [`Evaluator`] judged ([`LevelOutcome::judged`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judged {
    /// Nothing: a level out of reach under [`Scope::Reachable`]. Not reached, both counts
    /// zero, no criteria.
    Not,
    /// Its counts only: a level out of reach under [`Scope::Counts`]. Not reached,
    /// `criteria_met` and `indicators_met` what judging it in full gives, no criteria.
    Counts,
    /// Every criterion and indicator.
    Full,
}

/// One level's outcome.
///
/// A level out of reach (its required level not reached) is judged in full only under
/// [`Scope::Every`] (and by [`evaluate`]); under [`Scope::Counts`] it gets its counts and
/// under [`Scope::Reachable`] nothing ([`Judged`]). Either way `reached` is false and
/// `criteria` empty, so that nothing of an earlier commune's verdicts is left to be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelOutcome {
    /// How much of the level was judged (less than [`Judged::Full`] only for a level out of
    /// reach).
    pub judged: Judged,
    /// Every criterion met and the required level reached.
    pub reached: bool,
    /// Criteria met (zero when [`Judged::Not`]).
    pub criteria_met: usize,
    /// Indicators met (zero when [`Judged::Not`]).
    pub indicators_met: usize,
    /// Per criterion, in ruleset order (empty unless [`Judged::Full`]).
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
///
/// For many communes, an [`Evaluator`] gives the same outcomes without resolving thresholds
/// or allocating for every commune.
pub fn evaluate(rs: &Ruleset, zone: usize, year: i32, values: &[Option<Value>]) -> Outcome {
    Evaluator::new(rs).evaluate(zone, year, values)
}

/// At most this many (zone, year) threshold plans are kept by an [`Evaluator`].
const PLANS: usize = 32;

/// Every indicator's resolved threshold and verification for one zone and year, flat in
/// ruleset order (level, criterion, indicator): what judging a value needs, and the outcome
/// each indicator gets but for its status.
#[derive(Debug)]
struct Plan {
    zone: usize,
    year: i32,
    steps: Vec<Step>,
    /// Per level, what counting it takes when it is out of reach ([`Scope::Counts`]; empty
    /// otherwise).
    counts: Vec<Counting>,
}

/// One indicator of a [`Plan`], read without going back to the ruleset.
#[derive(Debug, Clone, Copy)]
struct Step {
    judge: Judge,
    /// Its outcome, status aside (`Status::NoData` here).
    outcome: IndicatorOutcome,
    /// Per status (`Status as usize`), what this indicator adds to its criterion's
    /// [`Tally`]: its verification is folded in once per plan, not tested per commune.
    add: [u64; 3],
}

/// A criterion's counts. While its indicators are judged they are kept each in a 16-bit lane
/// of one `u64`, so that an indicator adds one word (issue #14: the counting was a sixth of
/// the evaluation's instructions); at most [`LANE`] indicators are added before the word is
/// [read](Self::read).
#[derive(Debug, Default)]
struct Tally {
    met: usize,
    no_data: usize,
    fails_verified: usize,
    passed_unverified: bool,
}

impl Tally {
    /// Indicators met.
    const MET: u64 = 1;
    /// Indicators with no data.
    const NO_DATA: u64 = 1 << 16;
    /// Failed indicators judged against verified content.
    const FAILED_VERIFIED: u64 = 1 << 32;
    /// Indicators met on unverified content.
    const PASSED_UNVERIFIED: u64 = 1 << 48;

    /// What an indicator of this verification adds, per status.
    fn add(verified: bool) -> [u64; 3] {
        let mut add = [0; 3];
        add[Status::Pass as usize] = Self::MET + if verified { 0 } else { Self::PASSED_UNVERIFIED };
        add[Status::Fail as usize] = if verified { Self::FAILED_VERIFIED } else { 0 };
        add[Status::NoData as usize] = Self::NO_DATA;
        add
    }

    /// The lane of `packed` that `unit` counts in.
    fn lane(packed: u64, unit: u64) -> usize {
        ((packed / unit) & 0xFFFF) as usize
    }

    /// Adds the counts packed in `packed`.
    fn read(&mut self, packed: u64) {
        self.met += Self::lane(packed, Self::MET);
        self.no_data += Self::lane(packed, Self::NO_DATA);
        self.fails_verified += Self::lane(packed, Self::FAILED_VERIFIED);
        self.passed_unverified |= Self::lane(packed, Self::PASSED_UNVERIFIED) > 0;
    }
}

/// Judges at most [`LANE`] indicators: each outcome written in place, as the step has it
/// but for its status; their counts returned packed as a [`Tally`] keeps them.
#[inline(always)]
fn judge_run(ios: &mut [IndicatorOutcome], steps: &[Step], values: &[Option<Value>]) -> u64 {
    let mut packed = 0u64;
    for (io, step) in ios.iter_mut().zip(steps) {
        let judge = &step.judge;
        let status = judge.judge(values.get(judge.measure));
        // The whole outcome copied as it is (two 16-byte moves), then its status: cheaper
        // than building it field by field (issue #14).
        *io = step.outcome;
        io.status = status;
        packed += step.add[status as usize];
    }
    packed
}

/// What judging a level out of reach counts, made once per plan ([`Plan::counts`], issue
/// #14): for [`Scope::Counts`], which reads its `criteria_met` and `indicators_met` only.
/// Its indicators that can be met, flat in ruleset order, each judged by its kind with no
/// [`Judge`] to go through: a `yes` indicator by its measure's bool, a comparison with the
/// threshold kept at each scale of data ([`Threshold::at`]) and the orderings that pass as
/// bits; one whose threshold does not resolve (never met) left out. The last indicator of a
/// criterion closes it: no loop per criterion (with two indicators a criterion on average,
/// one cost as much as its indicators).
#[derive(Debug, Default)]
struct Counting {
    /// The indicators that can be met.
    counted: Vec<Counted>,
    /// Criteria with no indicator that can be met that need none met: met whatever the
    /// values.
    always_met: usize,
}

/// An indicator of a [`Counting`].
#[derive(Debug, Clone, Copy)]
struct Counted {
    measure: usize,
    /// `None` for a `yes` indicator, met on a true bool; otherwise met on a number whose
    /// ordering against `threshold` is one of these ([`pass_bits`]).
    pass: Option<u8>,
    threshold: Threshold,
    /// Whether it is the last of its criterion's indicators counted: the criterion is then
    /// met when at least `need` of them are.
    last: bool,
    need: usize,
}

impl Counted {
    /// 1 when met on `values`, 0 otherwise (an empty cell, a value of the other kind, or a
    /// measure past the end of the values).
    #[inline(always)]
    fn met(&self, values: &[Option<Value>]) -> usize {
        match (values.get(self.measure), self.pass) {
            (Some(Some(Value::Bool(b))), None) => usize::from(*b),
            (Some(Some(Value::Num(n))), Some(pass)) => {
                // `Less` is -1: bit 0.
                let ord = compare(*n, &self.threshold) as i8 + 1;
                usize::from((pass >> ord) & 1)
            }
            _ => 0,
        }
    }
}

impl Counting {
    /// The program of a level whose criteria are `shape` ([`Evaluator::shape`]) and whose
    /// indicators are judged by `judges` (as many as its criteria hold, in order).
    fn new(shape: &[(usize, usize)], judges: &[(Judge, u8)]) -> Self {
        let mut counting = Counting::default();
        let mut judges = judges;
        for &(n, need) in shape {
            let (mine, rest) = judges.split_at(n.min(judges.len()));
            judges = rest;
            let first = counting.counted.len();
            for &(judge, pass) in mine {
                let pass = match judge.kind {
                    Kind::Yes => None,
                    Kind::Compare => Some(pass),
                    // Never met: no verdict.
                    Kind::Unresolved => continue,
                };
                counting.counted.push(Counted {
                    measure: judge.measure,
                    pass,
                    threshold: judge.threshold,
                    last: false,
                    need,
                });
            }
            match counting
                .counted
                .get_mut(first..)
                .and_then(<[Counted]>::last_mut)
            {
                Some(last) => last.last = true,
                None => counting.always_met += usize::from(need == 0),
            }
        }
        counting
    }

    /// The criteria met and the indicators met on `values`: what judging the level in full
    /// counts. Not inlined: in a function of its own its loop keeps the values in registers.
    #[inline(never)]
    fn count(&self, values: &[Option<Value>]) -> (usize, usize) {
        let (mut criteria_met, mut indicators_met) = (self.always_met, 0);
        let mut met = 0;
        for c in &self.counted {
            met += c.met(values);
            if c.last {
                criteria_met += usize::from(met >= c.need);
                indicators_met += met;
                met = 0;
            }
        }
        (criteria_met, indicators_met)
    }
}

/// Indicators judged between two reads of a [`Tally`]: a lane never overflows.
const LANE: usize = 0xFFFF;

/// How a [`Judge`] judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `yes`: the bool must be true.
    Yes,
    /// A number compared with a threshold (`none` is `= 0`).
    Compare,
    /// A comparison whose threshold does not resolve for this zone and year: no verdict.
    Unresolved,
}

/// One indicator of a [`Plan`]: its measure, and its test with the threshold resolved.
#[derive(Debug, Clone, Copy)]
struct Judge {
    measure: usize,
    /// The threshold, with its mantissa and scale when the mantissa fits an `i64`.
    threshold: Threshold,
    /// The verdict per ordering of value against threshold, at `ord + 1` (`Less` is -1):
    /// one load, no bit to test (issue #14).
    on: [Status; 3],
    kind: Kind,
}

/// Value scales (0 to `SCALES - 1`) a [`Threshold`] is kept at, ready to compare.
const SCALES: usize = 4;

/// A threshold and, when its mantissa fits in an `i64`, that mantissa and its scale: most
/// values and thresholds compare as two machine integers (see [`compare`]). For the scales
/// of data (0 to 3 decimals) it is also kept written at that scale, where it is exactly an
/// `i64` there: a value of that scale compares with it as it is (issue #14).
#[derive(Debug, Clone, Copy)]
struct Threshold {
    value: Decimal,
    small: Option<(i64, u32)>,
    /// `at[s]`: the threshold's mantissa at scale `s`, where bit `s` of `fits` is set.
    at: [i64; SCALES],
    fits: u8,
}

impl Threshold {
    fn new(value: Decimal) -> Self {
        let small = i64::try_from(value.mantissa())
            .ok()
            .map(|m| (m, value.scale()));
        let (mut at, mut fits) = ([0; SCALES], 0);
        if let Some((m, ts)) = small {
            for (s, slot) in at.iter_mut().enumerate() {
                let up = (s as u32)
                    .checked_sub(ts)
                    .and_then(|by| POW10.get(by as usize))
                    .and_then(|&p| i64::try_from(p).ok());
                if let Some(m) = up.and_then(|p| m.checked_mul(p)) {
                    *slot = m;
                    fits |= 1 << s;
                }
            }
        }
        Threshold {
            value,
            small,
            at,
            fits,
        }
    }
}

/// `value.cmp(&threshold)`: as two `i64`s when the threshold is kept at the value's scale
/// ([`Threshold::at`]) and the value's magnitude is below 2^63 (its high word zero, the top
/// bit of its middle word clear: read from its parts, without building the `i128` mantissa,
/// issue #14); otherwise as [`compare_general`].
#[inline]
fn compare(value: Decimal, threshold: &Threshold) -> Ordering {
    let u = value.unpack();
    let vs = u.scale as usize;
    if vs < SCALES && (threshold.fits >> vs) & 1 != 0 && u.hi == 0 && u.mid >> 31 == 0 {
        let magnitude = (i64::from(u.mid) << 32) | i64::from(u.lo);
        let v = if u.negative { -magnitude } else { magnitude };
        return v.cmp(&threshold.at[vs]);
    }
    compare_general(value, threshold)
}

/// `value.cmp(&threshold)`: as two integers brought to one scale when both mantissas fit in
/// an `i64` and the scales differ by at most 19 (the product then fits in an `i128`), through
/// `Decimal`'s own comparison otherwise. Same result either way (issue #7: the general
/// comparison was a fifth of the evaluation's cost).
fn compare_general(value: Decimal, threshold: &Threshold) -> Ordering {
    if let (Ok(v), Some((t, ts))) = (i64::try_from(value.mantissa()), threshold.small) {
        let vs = value.scale();
        let (v, t) = (i128::from(v), i128::from(t));
        if vs == ts {
            return v.cmp(&t);
        }
        let up = |n: i128, by: u32| POW10.get(by as usize).map(|p| n * i128::from(*p));
        let aligned = if vs < ts {
            up(v, ts - vs).map(|v| (v, t))
        } else {
            up(t, vs - ts).map(|t| (v, t))
        };
        if let Some((v, t)) = aligned {
            return v.cmp(&t);
        }
    }
    value.cmp(&threshold.value)
}

/// [`Judge::on`] of the orderings in `pass` ([`pass_bits`]).
fn verdicts(pass: u8) -> [Status; 3] {
    std::array::from_fn(|i| pass_if((pass >> i) & 1 != 0))
}

/// The orderings of value against threshold under which `op` holds (what [`Judge::on`] is
/// made from): bit 0 `Less`, bit 1 `Equal`, bit 2 `Greater`.
fn pass_bits(op: Op) -> u8 {
    const LT: u8 = 1;
    const EQ: u8 = 2;
    const GT: u8 = 4;
    match op {
        Op::Ge => EQ | GT,
        Op::Gt => GT,
        Op::Le => LT | EQ,
        Op::Lt => LT,
        Op::Eq => EQ,
    }
}

/// Which levels an [`Evaluator`] judges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    /// Every level, as [`evaluate`] does.
    #[default]
    Every,
    /// Only the levels within reach: those that require no level, or whose required level is
    /// reached. A level out of reach can be neither reached nor the next level, and
    /// [`rests_on_unverified`] reads only the levels reached and the next level: `level`,
    /// `next_level`, `unverified`, `zone`, `overridden_by` and every judged level are what
    /// [`Scope::Every`] gives. A level out of reach is left unjudged ([`Judged::Not`]). For
    /// output that reads no more than the level reached and the next level (`ntm evaluate
    /// --format csv` without `--all-levels` or `--margin`, issue #14: most communes reach no
    /// level, and the levels above the first are then two fifths of the indicators).
    Reachable,
    /// As [`Scope::Reachable`], but a level out of reach is judged for its counts
    /// (`criteria_met`, `indicators_met`; [`Judged::Counts`]): its indicators are judged and
    /// counted, and no outcome of theirs is stored. For output that reads every level's
    /// counts and no more of a level out of reach (`ntm evaluate --format json`, `ndjson`,
    /// `table` and `csv --closest`, without `--all-levels` or `--margin`, issue #14).
    Counts,
}

/// Evaluates many communes against one ruleset (issue #7): thresholds are resolved once per
/// (zone, year) and kept, and [`evaluate_into`](Self::evaluate_into) reuses the outcome's
/// buffers, so a commune costs no allocation. Same outcomes as [`evaluate`] under
/// [`Scope::Every`] (the default; see [`with_scope`](Self::with_scope)).
#[derive(Debug)]
pub struct Evaluator<'r> {
    rs: &'r Ruleset,
    scope: Scope,
    plans: Vec<Plan>,
    /// The plan used last: consecutive communes mostly share zone and year.
    last: usize,
    /// Per level, what [`rests_on_unverified`] asks, gathered while judging.
    verdicts: Vec<Unverified>,
    /// Per level, per criterion: its indicators and how many it needs met, read without
    /// going back to the ruleset.
    shape: Vec<Vec<(usize, usize)>>,
    /// Per level, its indicators: the steps a level out of reach passes over.
    level_steps: Vec<usize>,
    /// Per level, the criteria taken out of an outcome's level out of reach (not judged in
    /// full), with their buffers, given back when a level is judged in full again (no
    /// allocation either way).
    parked: Vec<Vec<CriterionOutcome>>,
}

/// What decides [`rests_on_unverified`] for one level, counted while its indicators are
/// judged.
#[derive(Debug, Clone, Copy, Default)]
struct Unverified {
    /// Some indicator passed on unverified content.
    passed: bool,
    /// Failed indicators of failed criteria.
    fails: usize,
    /// Of those, the verified ones.
    fails_verified: usize,
}

impl<'r> Evaluator<'r> {
    /// An evaluator of `rs` with no plan yet.
    pub fn new(rs: &'r Ruleset) -> Self {
        Evaluator {
            rs,
            scope: Scope::Every,
            plans: Vec::new(),
            last: 0,
            verdicts: Vec::with_capacity(rs.levels.len()),
            shape: rs
                .levels
                .iter()
                .map(|l| {
                    l.criteria
                        .iter()
                        .map(|c| (c.indicators.len(), c.required()))
                        .collect()
                })
                .collect(),
            level_steps: rs
                .levels
                .iter()
                .map(|l| l.criteria.iter().map(|c| c.indicators.len()).sum())
                .collect(),
            parked: rs.levels.iter().map(|_| Vec::new()).collect(),
        }
    }

    /// This evaluator, judging the levels of `scope`.
    pub fn with_scope(mut self, scope: Scope) -> Self {
        if scope != self.scope {
            // Plans made for another scope may lack what this one counts with.
            self.plans.clear();
            self.last = 0;
        }
        self.scope = scope;
        self
    }

    /// [`evaluate`] into a fresh outcome.
    pub fn evaluate(&mut self, zone: usize, year: i32, values: &[Option<Value>]) -> Outcome {
        let mut out = Outcome {
            zone,
            overridden_by: None,
            levels: Vec::with_capacity(self.rs.levels.len()),
            level: None,
            next_level: None,
            unverified: false,
        };
        self.evaluate_into(zone, year, values, &mut out);
        out
    }

    /// [`evaluate`] into `out`, overwriting whatever it held and reusing its vectors (levels
    /// out of reach judged as the evaluator's [`Scope`] says).
    pub fn evaluate_into(
        &mut self,
        zone: usize,
        year: i32,
        values: &[Option<Value>],
        out: &mut Outcome,
    ) {
        let rs = self.rs;
        let overridden_by = rs
            .overrides
            .iter()
            .position(|o| values.get(o.measure) == Some(&Some(Value::Bool(true))));
        let zone = overridden_by.map_or(zone, |o| rs.overrides[o].zone);
        let p = self.plan(zone, year);
        let plan = &self.plans[p];
        let shape = &self.shape;
        let scope = self.scope;
        let verdicts = &mut self.verdicts;
        verdicts.clear();

        let levels = &mut out.levels;
        levels.truncate(rs.levels.len());
        let mut steps = plan.steps.as_slice();
        for (li, level) in rs.levels.iter().enumerate() {
            if levels.len() == li {
                levels.push(LevelOutcome {
                    judged: Judged::Not,
                    reached: false,
                    criteria_met: 0,
                    indicators_met: 0,
                    criteria: Vec::with_capacity(level.criteria.len()),
                });
            }
            let (before, rest) = levels.split_at_mut(li);
            let lo = &mut rest[0];
            let required_reached = level.requires.is_none_or(|r| before[r].reached);
            let parked = &mut self.parked[li];
            if scope != Scope::Every && !required_reached {
                // Out of reach: neither reached nor the next level, and no verdict read; its
                // counts are, where the output writes every level's (`Scope::Counts`).
                let n = self.level_steps.get(li).copied().unwrap_or(0);
                steps = &steps[n.min(steps.len())..];
                if parked.is_empty() {
                    std::mem::swap(&mut lo.criteria, parked);
                }
                lo.criteria.clear();
                lo.reached = false;
                (lo.judged, lo.criteria_met, lo.indicators_met) = match scope {
                    Scope::Counts => {
                        let (c, i) = plan.counts.get(li).map_or((0, 0), |c| c.count(values));
                        (Judged::Counts, c, i)
                    }
                    Scope::Reachable | Scope::Every => (Judged::Not, 0, 0),
                };
                verdicts.push(Unverified::default());
                continue;
            }
            if lo.criteria.is_empty() {
                // Its criteria (whatever they held: every field is written below), if they
                // were parked when it was out of reach.
                std::mem::swap(&mut lo.criteria, parked);
            }
            let shape = shape.get(li).map_or(&[][..], Vec::as_slice);
            if lo.criteria.len() != shape.len() {
                lo.criteria.truncate(shape.len());
                while lo.criteria.len() < shape.len() {
                    lo.criteria.push(CriterionOutcome {
                        status: Status::NoData,
                        met: 0,
                        indicators: Vec::new(),
                    });
                }
            }
            let (mut criteria_met, mut indicators_met) = (0, 0);
            let mut verdict = Unverified::default();
            for (co, &(n, need)) in lo.criteria.iter_mut().zip(shape) {
                // The plan holds one step per indicator, in this order. Each outcome is
                // written in place, as the step has it but for its status (issue #14: no
                // copy of the outcomes in a block, then again for the status).
                let (mine, rest) = steps.split_at(n.min(steps.len()));
                steps = rest;
                if co.indicators.len() != mine.len() {
                    co.indicators.clear();
                    co.indicators.extend(mine.iter().map(|s| s.outcome));
                }
                // Indicators by status, counted without a branch: one word added per
                // indicator (`Tally`), read once per `LANE` indicators.
                let mut tally = Tally::default();
                if mine.len() <= LANE {
                    tally.read(judge_run(&mut co.indicators, mine, values));
                } else {
                    for (ios, mine) in co.indicators.chunks_mut(LANE).zip(mine.chunks(LANE)) {
                        tally.read(judge_run(ios, mine, values));
                    }
                }
                let Tally {
                    met,
                    no_data,
                    fails_verified,
                    passed_unverified,
                } = tally;
                let fails = mine.len() - met - no_data;
                verdict.passed |= passed_unverified;
                co.status = if met >= need {
                    Status::Pass
                } else if met + no_data < need {
                    Status::Fail
                } else {
                    Status::NoData
                };
                co.met = met;
                if co.status == Status::Fail {
                    verdict.fails += fails;
                    verdict.fails_verified += fails_verified;
                }
                criteria_met += usize::from(co.status == Status::Pass);
                indicators_met += met;
            }
            let all_met = criteria_met == lo.criteria.len();
            lo.judged = Judged::Full;
            lo.reached = all_met && required_reached;
            lo.criteria_met = criteria_met;
            lo.indicators_met = indicators_met;
            verdicts.push(verdict);
        }
        let level = levels.iter().rposition(|l| l.reached);
        let next_level =
            rs.levels.iter().enumerate().position(|(i, l)| {
                !levels[i].reached && l.requires.is_none_or(|r| levels[r].reached)
            });
        // What `rests_on_unverified(levels, next_level)` says, from the counts kept above.
        let reached_on_unverified = levels
            .iter()
            .zip(verdicts.iter())
            .any(|(l, v)| l.reached && v.passed);
        let failed_only_on_unverified = next_level
            .and_then(|n| verdicts.get(n))
            .is_some_and(|v| v.fails > 0 && v.fails_verified == 0);
        out.unverified = reached_on_unverified || failed_only_on_unverified;
        out.zone = zone;
        out.overridden_by = overridden_by;
        out.level = level;
        out.next_level = next_level;
    }

    /// The index of the plan of (zone, year), resolved now if it is not kept.
    fn plan(&mut self, zone: usize, year: i32) -> usize {
        let hit = |p: &Plan| p.zone == zone && p.year == year;
        if !self.plans.get(self.last).is_some_and(hit) {
            self.last = match self.plans.iter().position(hit) {
                Some(i) => i,
                None => {
                    let plan = self.resolve(zone, year);
                    if self.plans.len() < PLANS {
                        self.plans.push(plan);
                        self.plans.len() - 1
                    } else {
                        // Full: replace the plan after the last one used, round robin.
                        let i = (self.last + 1) % PLANS;
                        self.plans[i] = plan;
                        i
                    }
                }
            };
        }
        self.last
    }

    fn resolve(&self, zone: usize, year: i32) -> Plan {
        let rs = self.rs;
        let mut steps = Vec::with_capacity(rs.indicator_count());
        let mut passes = Vec::with_capacity(rs.indicator_count());
        for (r, ind) in rs.indicators() {
            let (threshold, verified) = rs.resolve(r, zone, year);
            let (kind, pass, value) = match (&ind.test, threshold) {
                (Test::Yes, _) => (Kind::Yes, 0, Decimal::ZERO),
                // `none`: the number must be zero, that is equal to 0.
                (Test::None, _) => (Kind::Compare, pass_bits(Op::Eq), Decimal::ZERO),
                (Test::Compare(op, _), Some(t)) => (Kind::Compare, pass_bits(*op), t.value),
                (Test::Compare(..), None) => (Kind::Unresolved, 0, Decimal::ZERO),
            };
            steps.push(Step {
                judge: Judge {
                    measure: ind.measure,
                    threshold: Threshold::new(value),
                    on: verdicts(pass),
                    kind,
                },
                outcome: IndicatorOutcome {
                    status: Status::NoData,
                    threshold,
                    verified,
                },
                add: Tally::add(verified),
            });
            passes.push(pass);
        }
        let counts = if self.scope == Scope::Counts {
            let judges: Vec<(Judge, u8)> = steps.iter().map(|s| s.judge).zip(passes).collect();
            let mut judges = judges.as_slice();
            self.shape
                .iter()
                .zip(&self.level_steps)
                .map(|(shape, &n)| {
                    let (mine, rest) = judges.split_at(n.min(judges.len()));
                    judges = rest;
                    Counting::new(shape, mine)
                })
                .collect()
        } else {
            Vec::new()
        };
        Plan {
            zone,
            year,
            steps,
            counts,
        }
    }
}

impl Judge {
    /// This indicator's verdict on `value` (none past the end of the values: no data).
    #[inline]
    fn judge(&self, value: Option<&Option<Value>>) -> Status {
        match (value, self.kind) {
            (Some(Some(Value::Num(n))), Kind::Compare) => {
                // `Less` is -1: `on[0]`.
                let ord = compare(*n, &self.threshold) as i8 + 1;
                self.on[ord as usize]
            }
            (Some(Some(Value::Bool(b))), Kind::Yes) => pass_if(*b),
            // An empty cell, or a comparison whose threshold does not resolve. Validation
            // ties ops to measure kinds and coercion to kinds, so a bool compared or a number
            // tested `yes` cannot occur; if it did, "no data" is the verdict that claims
            // nothing.
            (None | Some(None), _)
            | (Some(Some(Value::Num(_))), Kind::Unresolved | Kind::Yes)
            | (Some(Some(Value::Bool(_))), Kind::Compare | Kind::Unresolved) => Status::NoData,
        }
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
        let mut fails = levels[n]
            .criteria
            .iter()
            .filter(|c| c.status == Status::Fail)
            .flat_map(|c| &c.indicators)
            .filter(|i| i.status == Status::Fail)
            .peekable();
        fails.peek().is_some() && fails.all(|i| !i.verified)
    });
    reached_on_unverified || failed_only_on_unverified
}

#[cfg(test)]
mod tests;
