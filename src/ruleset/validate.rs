//! Raw TOML structs → validated `Ruleset`, pushing every problem into a list of diagnostics.
//!
//! Every check reports and carries on, so `ntm check` shows all problems at once. A ruleset is
//! returned only when no error was found. Diagnostic codes are stable (see `CODES`).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use rust_decimal::Decimal;
use toml::Spanned;

use super::lint::ALLOWABLE;
use super::model::{
    Criterion, Indicator, IndicatorAt, Level, Measure, MeasureKind, Op, Override, Ruleset, Test,
    Threshold, Zone, Zoning,
};
use super::raw::{RawIndicator, RawRuleset};
use super::source::Sources;
use crate::diag::Diagnostic;
use crate::text::{echo, fold};
use threshold::{fixed, number, verified};

/// The region codes the built-in province table uses.
pub const REGION_CODES: [&str; 7] = ["NMM", "RRD", "NCC", "SCC", "CH", "SE", "MRD"];

/// Headers reserved for identity columns; no measure may use them.
pub const IDENTITY_HEADERS: [&str; 14] = [
    "code", "mã", "name", "tên xã", "district", "huyện", "province", "tỉnh", "region", "vùng",
    "group", "nhóm", "year", "năm",
];

/// Every code `validate` can emit.
pub const CODES: [&str; 25] = [
    "bad-allow",
    "bad-at-least",
    "bad-derived",
    "bad-id",
    "bad-period",
    "bad-threshold",
    "bad-verified",
    "bad-zoning",
    "duplicate-alias",
    "duplicate-id",
    "duplicate-year",
    "empty-criterion",
    "empty-level",
    "missing-note",
    "missing-threshold",
    "missing-zone-threshold",
    "op-kind-mismatch",
    "requires-order",
    "threshold-out-of-range",
    "unexpected-threshold",
    "unknown-level",
    "unknown-measure",
    "unknown-op",
    "unknown-zone",
    "year-outside-period",
];

struct Ctx<'a> {
    src: &'a Sources,
    diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn error(
        &mut self,
        code: &'static str,
        span: Range<usize>,
        message: String,
    ) -> &mut Diagnostic {
        let mut d = Diagnostic::error(code, message);
        d.location = Some(self.src.locate(span.start));
        self.diags.push(d);
        let last = self.diags.len() - 1;
        &mut self.diags[last]
    }

    pub(super) fn err(&mut self, code: &'static str, span: Range<usize>, message: String) {
        self.error(code, span, message);
    }

    pub(super) fn err_help(
        &mut self,
        code: &'static str,
        span: Range<usize>,
        message: String,
        help: &str,
    ) {
        self.error(code, span, message).help = Some(help.to_string());
    }
}

/// Validate a parsed ruleset. `src` holds the text(s) its spans point into, for locations;
/// `sha256` is the digest of its text.
pub(crate) fn validate(
    raw: RawRuleset,
    src: &Sources,
    sha256: String,
) -> (Option<Ruleset>, Vec<Diagnostic>) {
    let mut cx = Ctx {
        src,
        diags: Vec::new(),
    };
    let h = &raw.ruleset;
    check_id(&mut cx, &h.id, "ruleset");
    let period_span = h.period.as_ref().map_or(h.id.span(), Spanned::span);
    let period = match h.period.as_ref().map(|p| p.get_ref().as_slice()) {
        Some([a, b]) if a <= b && *a >= 1900 && *b <= 2100 => (*a as i32, *b as i32),
        Some(_) => {
            cx.err(
                "bad-period",
                period_span.clone(),
                "`period` must be `[first, last]` with first <= last".into(),
            );
            (0, 0)
        }
        None => {
            cx.err(
                "missing-key",
                period_span.clone(),
                "`[ruleset]` needs `period = [first, last]` (or `extends`)".into(),
            );
            (0, 0)
        }
    };
    let zoning_text = h.zoning.as_ref().map(|z| z.get_ref().as_str());
    let zoning_span = h.zoning.as_ref().map_or(h.id.span(), Spanned::span);
    let zoning = match zoning_text {
        Some("region") => Zoning::Region,
        Some("group") => Zoning::Group,
        Some(other) => {
            cx.err(
                "bad-zoning",
                zoning_span.clone(),
                format!(
                    "unknown zoning `{}`, expected one of `region`, `group`",
                    echo(other)
                ),
            );
            Zoning::Region
        }
        None => {
            cx.err(
                "missing-key",
                zoning_span.clone(),
                "`[ruleset]` needs `zoning = \"region\"` or `\"group\"` (or `extends`)".into(),
            );
            Zoning::Region
        }
    };

    let zoning_known = matches!(zoning_text, Some("region" | "group"));
    let zones = zones(&mut cx, &raw, zoning, zoning_known, zoning_span);
    let (measures, measure_index) = measures(&mut cx, &raw);
    let levels = levels(&mut cx, &raw);
    let mut levels = levels;
    let pending = criteria(
        &mut cx,
        &raw,
        &mut levels,
        &zones,
        &measures,
        &measure_index,
        period,
    );
    resolve_derived(&mut cx, &mut levels, pending);
    for level in &levels {
        if level.criteria.is_empty() {
            let span = raw
                .levels
                .iter()
                .find(|l| l.id.get_ref() == &level.id)
                .map_or(0..0, |l| l.id.span());
            cx.err(
                "empty-level",
                span,
                format!("level `{}` has no criteria", level.id),
            );
        }
    }
    let overrides = overrides(&mut cx, &raw, &zones, &measures, &measure_index);

    let ruleset = Ruleset {
        id: h.id.get_ref().clone(),
        name: h.name.clone(),
        name_vi: h.name_vi.clone(),
        period,
        decision: h.decision.clone(),
        zoning,
        notes: h.notes.clone(),
        zones,
        measures,
        levels,
        overrides,
        sha256,
        period_at: cx.src.locate(period_span.start),
        extends: None,
    };
    let ok = !crate::diag::has_errors(&cx.diags);
    (ok.then_some(ruleset), cx.diags)
}

fn check_id(cx: &mut Ctx<'_>, id: &Spanned<String>, what: &str) {
    let s = id.get_ref();
    let ok = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !ok {
        cx.err_help(
            "bad-id",
            id.span(),
            format!("{what} id `{}` is not a lowercase ascii id", echo(s)),
            "use lowercase letters, digits, `-` and `_`, e.g. `ntm-2021-2025`",
        );
    }
}

/// `zoning_known` is false when `zoning` was misspelt: the region-code check would then only
/// add noise to the `bad-zoning` error.
fn zones(
    cx: &mut Ctx<'_>,
    raw: &RawRuleset,
    zoning: Zoning,
    zoning_known: bool,
    zoning_span: Range<usize>,
) -> Vec<Zone> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for z in &raw.zones {
        let id = z.id.get_ref();
        if !seen.insert(id.clone()) {
            cx.err(
                "duplicate-id",
                z.id.span(),
                format!("zone `{id}` is declared twice"),
            );
            continue;
        }
        if zoning_known && zoning == Zoning::Region && !REGION_CODES.contains(&id.as_str()) {
            cx.err_help(
                "unknown-zone",
                z.id.span(),
                format!("region `{id}` is not one of the seven region codes"),
                "expected one of `NMM`, `RRD`, `NCC`, `SCC`, `CH`, `SE`, `MRD`",
            );
        }
        out.push(Zone {
            id: id.clone(),
            name: z.name.clone(),
            name_vi: z.name_vi.clone(),
            aliases: z.aliases.clone(),
            at: cx.src.locate(z.id.span().start),
        });
    }
    if out.is_empty() {
        cx.err(
            "unknown-zone",
            zoning_span,
            "the ruleset declares no `[[zones]]`".into(),
        );
    }
    // Data names a zone by any of its spellings, compared after NFC ignoring case (then
    // diacritics, which `lint` warns about): two zones must not share one.
    let mut owners: HashMap<String, (usize, String)> = HashMap::new();
    for (zi, z) in out.iter().enumerate() {
        for spelling in z.spellings() {
            let key = super::model::zone_case_key(spelling);
            match owners.get(&key) {
                Some((owner, first)) if *owner != zi => {
                    let msg = format!(
                        "`{spelling}` of zone `{}` is already a spelling of zone `{}` (`{first}`): a cell could name either",
                        z.id, out[*owner].id
                    );
                    let mut d = Diagnostic::error("duplicate-alias", msg);
                    d.location = Some(z.at.clone());
                    cx.diags.push(d);
                }
                Some(_) => {}
                None => {
                    owners.insert(key, (zi, spelling.to_string()));
                }
            }
        }
    }
    out
}

fn measures(cx: &mut Ctx<'_>, raw: &RawRuleset) -> (Vec<Measure>, HashMap<String, usize>) {
    let mut out = Vec::new();
    let mut index = HashMap::new();
    // Folded header → measure id, to catch two columns claiming one header.
    let mut headers: HashMap<String, String> = IDENTITY_HEADERS
        .iter()
        .map(|h| (fold(h), format!("identity column `{h}`")))
        .collect();
    for (id, m) in &raw.measures {
        let span = m.span();
        let m = m.get_ref();
        let id_ok = id.starts_with(|c: char| c.is_ascii_lowercase())
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !id_ok {
            cx.err_help(
                "bad-id",
                span.clone(),
                format!("measure id `{}` is not snake_case", echo(id)),
                "use lowercase letters, digits and `_`, starting with a letter",
            );
        }
        let kind = match m.kind.get_ref().as_str() {
            "number" => MeasureKind::Number,
            "percent" => MeasureKind::Percent,
            "bool" => MeasureKind::Bool,
            "count" => MeasureKind::Count,
            other => {
                cx.err(
                    "unknown-op",
                    m.kind.span(),
                    format!(
                        "unknown measure kind `{}`, expected one of `number`, `percent`, `bool`, `count`",
                        echo(other)
                    ),
                );
                MeasureKind::Number
            }
        };
        let names = std::iter::once((id.as_str(), span.clone()))
            .chain(m.aliases.iter().map(|a| (a.get_ref().as_str(), a.span())));
        for (header, span) in names {
            let key = fold(header);
            if let Some(owner) = headers.get(&key) {
                let msg = format!(
                    "header `{}` of measure `{}` is already used by {owner}",
                    echo(header),
                    echo(id)
                );
                cx.err("duplicate-alias", span, msg);
            } else {
                headers.insert(key, format!("measure `{id}`"));
            }
        }
        index.insert(id.clone(), out.len());
        out.push(Measure {
            id: id.clone(),
            name: m.name.clone(),
            name_vi: m.name_vi.clone(),
            kind,
            unit: m.unit.clone(),
            aliases: m.aliases.iter().map(|a| a.get_ref().clone()).collect(),
            optional: m.optional,
        });
    }
    (out, index)
}

fn levels(cx: &mut Ctx<'_>, raw: &RawRuleset) -> Vec<Level> {
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

/// A derived threshold waiting for its base indicator: (level, criterion, indicator) of the
/// derived one, the raw reference and its span.
struct PendingDerived {
    at: (usize, usize, usize),
    level: String,
    indicator: String,
    factor: Decimal,
    span: Range<usize>,
}

fn criteria(
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

#[allow(clippy::too_many_arguments)]
fn indicator(
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

fn resolve_derived(cx: &mut Ctx<'_>, levels: &mut [Level], pending: Vec<PendingDerived>) {
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

fn overrides(
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

mod threshold;

#[cfg(test)]
mod tests;
