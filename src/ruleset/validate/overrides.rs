//! `[[overrides]]`: a measure's thresholds replaced for one zone, with the legal basis.

use std::collections::HashMap;

use super::{Ctx, check_id};
use crate::ruleset::model::{Measure, MeasureKind, Override, Zone};
use crate::ruleset::raw::RawRuleset;

pub(super) fn overrides(
    cx: &mut Ctx<'_>,
    raw: &RawRuleset,
    zones: &[Zone],
    measures: &[Measure],
    measure_index: &HashMap<String, usize>,
) -> Vec<Override> {
    let mut out: Vec<Override> = Vec::new();
    for o in &raw.overrides {
        check_id(cx, &o.id, "override");
        if out.iter().any(|x| &x.id == o.id.get_ref()) {
            cx.err(
                "duplicate-id",
                o.id.span(),
                format!("override `{}` is declared twice", o.id.get_ref()),
            );
        }
        let measure = match measure_index.get(o.measure.get_ref()) {
            Some(&m) if measures[m].kind == MeasureKind::Bool => Some(m),
            Some(_) => {
                cx.err(
                    "op-kind-mismatch",
                    o.measure.span(),
                    format!(
                        "override `{}` needs a bool measure, `{}` is not",
                        o.id.get_ref(),
                        o.measure.get_ref()
                    ),
                );
                None
            }
            None => {
                cx.err(
                    "unknown-measure",
                    o.measure.span(),
                    format!(
                        "override `{}` uses unknown measure `{}`",
                        o.id.get_ref(),
                        o.measure.get_ref()
                    ),
                );
                None
            }
        };
        let zone = zones.iter().position(|z| &z.id == o.zone.get_ref());
        if zone.is_none() {
            cx.err(
                "unknown-zone",
                o.zone.span(),
                format!(
                    "override `{}` names unknown zone `{}`",
                    o.id.get_ref(),
                    o.zone.get_ref()
                ),
            );
        }
        if let (Some(measure), Some(zone)) = (measure, zone) {
            out.push(Override {
                id: o.id.get_ref().clone(),
                name: o.name.clone(),
                measure,
                zone,
                source: o.source.clone(),
            });
        }
    }
    out
}
