//! Thresholds and `verified` flags: the several TOML shapes of docs/ruleset.md
//! ("Thresholds") → one exact value and one flag per zone, by year entry.

use std::ops::Range;
use std::str::FromStr;

use rust_decimal::Decimal;
use toml::Spanned;

use super::Ctx;
use crate::ruleset::model::{MeasureKind, YearEntry, Zone};

/// `verified = true | false | ["NMM", …]` → one flag per zone.
pub(super) fn verified(
    cx: &mut Ctx<'_>,
    v: &Spanned<toml::Value>,
    zones: &[Zone],
) -> Option<Vec<bool>> {
    match v.get_ref() {
        toml::Value::Boolean(b) => Some(vec![*b; zones.len()]),
        toml::Value::Array(items) => {
            let mut out = vec![false; zones.len()];
            for item in items {
                let zi = item
                    .as_str()
                    .and_then(|s| zones.iter().position(|z| z.id == s));
                match zi {
                    Some(zi) => out[zi] = true,
                    None => {
                        cx.err(
                            "unknown-zone",
                            v.span(),
                            format!("`verified` names `{item}`, which is not a declared zone"),
                        );
                        return None;
                    }
                }
            }
            Some(out)
        }
        other => {
            cx.err(
                "bad-verified",
                v.span(),
                format!("`verified` must be true, false or a list of zone ids, not `{other}`"),
            );
            None
        }
    }
}

/// A TOML number (or a string holding one) as an exact decimal.
pub(crate) fn number(v: &toml::Value) -> Option<Decimal> {
    match v {
        toml::Value::Integer(i) => Some(Decimal::from(*i)),
        // `{f}` prints the shortest text that reads back as the same float: the literal as written.
        toml::Value::Float(f) if f.is_finite() => Decimal::from_str(&format!("{f}")).ok(),
        // Exactly, or not at all (too-precise is reported at the literal by `load`).
        toml::Value::String(s) => {
            crate::exact::parse(s.trim()).filter(|_| !s.contains(['e', 'E', '_']))
        }
        _ => None,
    }
}

pub(super) fn fixed(
    cx: &mut Ctx<'_>,
    iid: &str,
    t: &Spanned<toml::Value>,
    zones: &[Zone],
    verified: &[bool],
    kind: MeasureKind,
    period: (i32, i32),
) -> Option<Vec<YearEntry>> {
    let span = t.span();
    let mut entries = match t.get_ref() {
        toml::Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                let Some(tbl) = item.as_table() else {
                    cx.err("bad-threshold", span.clone(), format!("indicator `{iid}`: each year entry must be a table `{{ from = YEAR, value = … }}`"));
                    return None;
                };
                if let Some(k) = tbl
                    .keys()
                    .find(|k| !["from", "value", "verified", "note"].contains(&k.as_str()))
                {
                    cx.err("bad-threshold", span.clone(), format!("indicator `{iid}`: unknown key `{k}` in a year entry, expected `from`, `value`, `verified`, `note`"));
                    return None;
                }
                let from = tbl.get("from").and_then(toml::Value::as_integer);
                let (Some(from), Some(value)) = (from, tbl.get("value")) else {
                    cx.err(
                        "bad-threshold",
                        span.clone(),
                        format!("indicator `{iid}`: a year entry needs `from = YEAR` and `value`"),
                    );
                    return None;
                };
                let from = i32::try_from(from).unwrap_or(i32::MAX);
                if from < period.0 || from > period.1 {
                    cx.err(
                        "year-outside-period",
                        span.clone(),
                        format!("indicator `{iid}`: year entry `from = {from}` is outside the period {}–{}", period.0, period.1),
                    );
                }
                let entry_verified = match tbl.get("verified") {
                    None => verified.to_vec(),
                    Some(v) => verified_value(cx, v, span.clone(), zones)?,
                };
                let values = zone_values(cx, iid, value, span.clone(), zones)?;
                let note = tbl.get("note").and_then(|n| n.as_str()).map(str::to_string);
                out.push(YearEntry {
                    from: Some(from),
                    values,
                    verified: entry_verified,
                    note,
                });
            }
            if out.is_empty() {
                cx.err(
                    "bad-threshold",
                    span.clone(),
                    format!("indicator `{iid}`: the year list is empty"),
                );
                return None;
            }
            out
        }
        value => {
            let values = zone_values(cx, iid, value, span.clone(), zones)?;
            vec![YearEntry {
                from: None,
                values,
                verified: verified.to_vec(),
                note: None,
            }]
        }
    };
    entries.sort_by_key(|e| e.from);
    for w in entries.windows(2) {
        if w[0].from == w[1].from {
            cx.err(
                "duplicate-year",
                span.clone(),
                format!(
                    "indicator `{iid}`: two entries for year {}",
                    w[0].from.unwrap_or_default()
                ),
            );
        }
    }
    for e in &entries {
        // One error per entry: a scalar is copied to every zone and must not repeat.
        let bad = e.values.iter().find(|v| !kind.admits(**v));
        if let Some(v) = bad {
            cx.err(
                "threshold-out-of-range",
                span.clone(),
                format!(
                    "indicator `{iid}`: threshold `{v}` is outside the range of a {} measure",
                    kind.as_str()
                ),
            );
        }
    }
    Some(entries)
}

fn verified_value(
    cx: &mut Ctx<'_>,
    v: &toml::Value,
    span: Range<usize>,
    zones: &[Zone],
) -> Option<Vec<bool>> {
    verified(cx, &Spanned::new(span, v.clone()), zones)
}

/// A scalar or a `{ ZONE = value, all = value }` table → one value per zone.
fn zone_values(
    cx: &mut Ctx<'_>,
    iid: &str,
    v: &toml::Value,
    span: Range<usize>,
    zones: &[Zone],
) -> Option<Vec<Decimal>> {
    if let Some(n) = number(v) {
        return Some(vec![n; zones.len()]);
    }
    let Some(tbl) = v.as_table() else {
        cx.err_help(
            "bad-threshold",
            span,
            format!("indicator `{iid}`: threshold `{v}` is not a number or a table of zones"),
            "write `80`, `{ NMM = 36, RRD = 50, … }` or `{ all = 80, MRD = 70 }`",
        );
        return None;
    };
    let all = match tbl.get("all") {
        None => None,
        Some(a) => match number(a) {
            Some(n) => Some(n),
            None => {
                cx.err(
                    "bad-threshold",
                    span,
                    format!("indicator `{iid}`: `all = {a}` is not a number"),
                );
                return None;
            }
        },
    };
    for (k, val) in tbl {
        if k != "all" && !zones.iter().any(|z| &z.id == k) {
            cx.err(
                "unknown-zone",
                span.clone(),
                format!("indicator `{iid}`: threshold names unknown zone `{k}`"),
            );
        } else if number(val).is_none() {
            cx.err(
                "bad-threshold",
                span.clone(),
                format!("indicator `{iid}`: value `{val}` for `{k}` is not a number"),
            );
        }
    }
    let mut out = Vec::with_capacity(zones.len());
    let mut missing = Vec::new();
    for z in zones {
        match tbl.get(&z.id).and_then(number).or(all) {
            Some(n) => out.push(n),
            None => missing.push(z.id.as_str()),
        }
    }
    if !missing.is_empty() {
        cx.err_help(
            "missing-zone-threshold",
            span,
            format!(
                "indicator `{iid}`: no threshold for zone(s) `{}`",
                missing.join("`, `")
            ),
            "give every zone a value, or add `all = …` for the zones not named",
        );
        return None;
    }
    Some(out)
}
