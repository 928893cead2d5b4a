//! Levels and criteria: `[[levels]]` in order, and each `[[criteria]]` placed in its level with
//! unique ids and a sound `at_least`; its indicators are checked by `indicator`.

use std::collections::{HashMap, HashSet};

use super::indicator::{PendingDerived, indicator};
use super::{Ctx, check_id};
use crate::ruleset::model::{Criterion, Level, Measure, Zone};
use crate::ruleset::raw::RawRuleset;

pub(super) fn levels(cx: &mut Ctx<'_>, raw: &RawRuleset) -> Vec<Level> {
    let mut out: Vec<Level> = Vec::new();
    for l in &raw.levels {
        check_id(cx, &l.id, "level");
        let id = l.id.get_ref();
        if out.iter().any(|o| &o.id == id) {
            cx.err(
                "duplicate-id",
                l.id.span(),
                format!("level `{id}` is declared twice"),
            );
            continue;
        }
        let requires = match &l.requires {
            None => None,
            Some(r) => match out.iter().position(|o| &o.id == r.get_ref()) {
                Some(i) => Some(i),
                None => {
                    let later = raw.levels.iter().any(|x| x.id.get_ref() == r.get_ref());
                    if later {
                        cx.err_help(
                            "requires-order",
                            r.span(),
                            format!("level `{id}` requires `{}`, which is not declared before it", r.get_ref()),
                            "declare levels from the lowest; a level can only require an earlier one (this also rules out cycles)",
                        );
                    } else {
                        cx.err(
                            "unknown-level",
                            r.span(),
                            format!("level `{id}` requires unknown level `{}`", r.get_ref()),
                        );
                    }
                    None
                }
            },
        };
        out.push(Level {
            id: id.clone(),
            name: l.name.clone(),
            name_vi: l.name_vi.clone(),
            requires,
            source: l.source.clone(),
            criteria: Vec::new(),
        });
    }
    if out.is_empty() {
        cx.err(
            "empty-level",
            0..0,
            "the ruleset declares no `[[levels]]`".into(),
        );
    }
    out
}

pub(super) fn criteria(
    cx: &mut Ctx<'_>,
    raw: &RawRuleset,
    levels: &mut [Level],
    zones: &[Zone],
    measures: &[Measure],
    measure_index: &HashMap<String, usize>,
    period: (i32, i32),
) -> Vec<PendingDerived> {
    let mut pending = Vec::new();
    let mut crit_ids: HashSet<(usize, String)> = HashSet::new();
    let mut ind_ids: HashSet<(usize, String)> = HashSet::new();
    for c in &raw.criteria {
        let Some(li) = levels.iter().position(|l| &l.id == c.level.get_ref()) else {
            cx.err(
                "unknown-level",
                c.level.span(),
                format!(
                    "criterion `{}` belongs to unknown level `{}`",
                    c.id.get_ref(),
                    c.level.get_ref()
                ),
            );
            continue;
        };
        let cid = c.id.get_ref();
        if !crit_ids.insert((li, cid.clone())) {
            cx.err(
                "duplicate-id",
                c.id.span(),
                format!(
                    "criterion `{cid}` is declared twice in level `{}`",
                    levels[li].id
                ),
            );
        }
        if c.name.is_none() || c.name_vi.is_none() {
            let key = if c.name.is_none() { "name" } else { "name_vi" };
            cx.err(
                "missing-key",
                c.id.span(),
                format!(
                    "criterion `{cid}` of level `{}` has no `{key}`",
                    levels[li].id
                ),
            );
        }
        if c.indicators.is_empty() {
            cx.err(
                "empty-criterion",
                c.id.span(),
                format!(
                    "criterion `{cid}` of level `{}` has no indicators",
                    levels[li].id
                ),
            );
        }
        let at_least = match &c.at_least {
            None => None,
            Some(n) => {
                let v = *n.get_ref();
                if v < 1 || v as usize > c.indicators.len() {
                    cx.err(
                        "bad-at-least",
                        n.span(),
                        format!(
                            "`at_least = {v}` in criterion `{cid}` must be between 1 and its {} indicators",
                            c.indicators.len()
                        ),
                    );
                    None
                } else {
                    Some(v as usize)
                }
            }
        };
        let ci = levels[li].criteria.len();
        let mut indicators = Vec::new();
        for ri in &c.indicators {
            let iid = ri.id.get_ref();
            if !ind_ids.insert((li, iid.clone())) {
                cx.err(
                    "duplicate-id",
                    ri.id.span(),
                    format!(
                        "indicator `{iid}` is declared twice in level `{}`",
                        levels[li].id
                    ),
                );
            }
            let at = (li, ci, indicators.len());
            if let Some(ind) = indicator(
                cx,
                ri,
                zones,
                measures,
                measure_index,
                period,
                at,
                &mut pending,
            ) {
                indicators.push(ind);
            }
        }
        levels[li].criteria.push(Criterion {
            id: cid.clone(),
            name: c.name.clone().unwrap_or_default(),
            name_vi: c.name_vi.clone().unwrap_or_default(),
            at_least,
            indicators,
        });
    }
    pending
}
