//! One indicator: its measure, operator and threshold (`threshold`), `verified` flags, notes and
//! allowed lints; derived thresholds are resolved once every indicator is known.

use std::collections::HashMap;
use std::ops::Range;

use rust_decimal::Decimal;
use toml::Spanned;

use super::Ctx;
use super::threshold::{fixed, number, verified};
use crate::ruleset::lint::ALLOWABLE;
use crate::ruleset::model::{
    Indicator, IndicatorAt, Level, Measure, MeasureKind, Op, Test, Threshold, Zone,
};
use crate::ruleset::raw::RawIndicator;
use crate::text::echo;

/// A derived threshold waiting for its base indicator: (level, criterion, indicator) of the
/// derived one, the raw reference and its span.
pub(super) struct PendingDerived {
    at: (usize, usize, usize),
    level: String,
    indicator: String,
    factor: Decimal,
    span: Range<usize>,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn indicator(
    cx: &mut Ctx<'_>,
    ri: &RawIndicator,
    zones: &[Zone],
    measures: &[Measure],
    measure_index: &HashMap<String, usize>,
    period: (i32, i32),
    at: (usize, usize, usize),
    pending: &mut Vec<PendingDerived>,
) -> Option<Indicator> {
    let iid = ri.id.get_ref();
    let Some(&mi) = measure_index.get(ri.measure.get_ref()) else {
        cx.err_help(
            "unknown-measure",
            ri.measure.span(),
            format!(
                "indicator `{iid}` uses unknown measure `{}`",
                ri.measure.get_ref()
            ),
            "declare it as `[measures.<id>]`",
        );
        return None;
    };
    let kind = measures[mi].kind;
    let verified = verified(cx, &ri.verified, zones)?;
    let fully = verified.iter().all(|v| *v);
    let op_text = ri.op.get_ref().as_str();
    let test = match op_text {
        "yes" | "none" => {
            let fits = if op_text == "yes" {
                kind == MeasureKind::Bool
            } else {
                kind != MeasureKind::Bool
            };
            if !fits {
                cx.err(
                    "op-kind-mismatch",
                    ri.op.span(),
                    format!(
                        "indicator `{iid}`: op `{op_text}` does not fit measure `{}` of kind `{}`",
                        measures[mi].id,
                        kind.as_str()
                    ),
                );
            }
            if let Some(t) = &ri.threshold {
                cx.err(
                    "unexpected-threshold",
                    t.span(),
                    format!("indicator `{iid}`: op `{op_text}` takes no threshold"),
                );
            }
            if let Some(d) = &ri.derived {
                cx.err(
                    "unexpected-threshold",
                    d.span(),
                    format!("indicator `{iid}`: op `{op_text}` takes no derived threshold"),
                );
            }
            if op_text == "yes" {
                Test::Yes
            } else {
                Test::None
            }
        }
        ">=" | ">" | "<=" | "<" | "=" => {
            let op = match op_text {
                ">=" => Op::Ge,
                ">" => Op::Gt,
                "<=" => Op::Le,
                "<" => Op::Lt,
                _ => Op::Eq,
            };
            if kind == MeasureKind::Bool {
                cx.err_help(
                    "op-kind-mismatch",
                    ri.op.span(),
                    format!(
                        "indicator `{iid}`: op `{op_text}` does not fit bool measure `{}`",
                        measures[mi].id
                    ),
                    "use `op = \"yes\"` for a bool measure",
                );
            }
            let threshold = match (&ri.threshold, &ri.derived) {
                (Some(t), None) => {
                    Threshold::Fixed(fixed(cx, iid, t, zones, &verified, kind, period)?)
                }
                (None, Some(d)) => {
                    let factor = number(&d.get_ref().factor).filter(|f| *f > Decimal::ZERO);
                    let Some(factor) = factor else {
                        cx.err(
                            "bad-derived",
                            d.span(),
                            format!("indicator `{iid}`: `factor` must be a positive number"),
                        );
                        return None;
                    };
                    pending.push(PendingDerived {
                        at,
                        level: d.get_ref().level.clone(),
                        indicator: d.get_ref().indicator.clone(),
                        factor,
                        span: d.span(),
                    });
                    // Placeholder until resolve_derived finds the base.
                    Threshold::Derived {
                        level: 0,
                        criterion: 0,
                        indicator: 0,
                        factor,
                    }
                }
                (Some(t), Some(_)) => {
                    cx.err(
                        "unexpected-threshold",
                        t.span(),
                        format!("indicator `{iid}` has both `threshold` and `derived`"),
                    );
                    return None;
                }
                (None, None) => {
                    cx.err_help(
                        "missing-threshold",
                        ri.op.span(),
                        format!(
                            "indicator `{iid}`: op `{op_text}` needs a `threshold` or `derived`"
                        ),
                        "e.g. `threshold = 80` or `threshold = { NMM = 36, all = 45 }`",
                    );
                    return None;
                }
            };
            Test::Compare(op, threshold)
        }
        other => {
            cx.err(
                "unknown-op",
                ri.op.span(),
                format!(
                    "indicator `{}`: unknown op `{}`, expected one of `>=`, `>`, `<=`, `<`, `=`, `yes`, `none`",
                    echo(iid),
                    echo(other)
                ),
            );
            return None;
        }
    };
    let entries_verified = match &test {
        Test::Compare(_, Threshold::Fixed(entries)) => {
            entries.iter().all(|e| e.verified.iter().all(|v| *v))
        }
        _ => fully,
    };
    let entries_noted = match &test {
        Test::Compare(_, Threshold::Fixed(entries)) => entries
            .iter()
            .all(|e| e.verified.iter().all(|v| *v) || e.note.is_some()),
        _ => false,
    };
    if !(fully && entries_verified) && ri.note.is_none() && !entries_noted {
        cx.err_help(
            "missing-note",
            ri.verified.span(),
            format!("indicator `{iid}` is not fully verified and has no `note`"),
            "say the basis of every unverified value (policy: criteria/README.md)",
        );
    }
    let mut allow = Vec::new();
    for a in &ri.allow {
        if ALLOWABLE.contains(&a.get_ref().as_str()) {
            allow.push(a.get_ref().clone());
        } else {
            cx.err_help(
                "bad-allow",
                a.span(),
                format!(
                    "indicator `{iid}`: `allow` names `{}`, which is not a lint that can be allowed",
                    a.get_ref()
                ),
                &format!("expected one of `{}`", ALLOWABLE.join("`, `")),
            );
        }
    }
    let threshold_span = ri
        .threshold
        .as_ref()
        .map(Spanned::span)
        .or_else(|| ri.derived.as_ref().map(Spanned::span));
    Some(Indicator {
        id: iid.clone(),
        name: ri.name.clone(),
        name_vi: ri.name_vi.clone(),
        measure: mi,
        test,
        source: ri.source.clone(),
        verified,
        note: ri.note.clone(),
        origin: ri.origin,
        at: IndicatorAt {
            id: cx.src.locate(ri.id.span().start),
            verified: cx.src.locate(ri.verified.span().start),
            threshold: threshold_span.map(|s| cx.src.locate(s.start)),
        },
        allow,
    })
}

pub(super) fn resolve_derived(
    cx: &mut Ctx<'_>,
    levels: &mut [Level],
    pending: Vec<PendingDerived>,
) {
    for p in pending {
        let Some(bl) = levels.iter().position(|l| l.id == p.level) else {
            cx.err(
                "bad-derived",
                p.span,
                format!("derived threshold refers to unknown level `{}`", p.level),
            );
            continue;
        };
        let found = levels[bl]
            .criteria
            .iter()
            .enumerate()
            .find_map(|(c, crit)| {
                crit.indicators
                    .iter()
                    .position(|i| i.id == p.indicator)
                    .map(|i| (c, i))
            });
        let Some((bc, bi)) = found else {
            cx.err(
                "bad-derived",
                p.span,
                format!(
                    "derived threshold refers to unknown indicator `{}` of level `{}`",
                    p.indicator, p.level
                ),
            );
            continue;
        };
        let base = &levels[bl].criteria[bc].indicators[bi];
        if !matches!(base.test, Test::Compare(_, Threshold::Fixed(_))) {
            cx.err(
                "bad-derived",
                p.span,
                format!("derived threshold refers to indicator `{}` of level `{}`, which has no fixed numeric threshold", p.indicator, p.level),
            );
            continue;
        }
        let (l, c, i) = p.at;
        if let Test::Compare(_, t) = &mut levels[l].criteria[c].indicators[i].test {
            *t = Threshold::Derived {
                level: bl,
                criterion: bc,
                indicator: bi,
                factor: p.factor,
            };
        }
    }
}
