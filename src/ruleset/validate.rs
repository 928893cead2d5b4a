//! Raw TOML structs → validated `Ruleset`, pushing every problem into a list of diagnostics.
//!
//! Every check reports and carries on, so `ntm check` shows all problems at once. A ruleset is
//! returned only when no error was found. Diagnostic codes are stable (see `CODES`).
//!
//! Here: the `[ruleset]` header and the order of the checks. Each part of the file has its own
//! module: `measures` (zones and measures), `levels` (levels and criteria), `indicator` (one
//! indicator, derived thresholds), `threshold` (threshold values and `verified`) and `overrides`.

use std::ops::Range;

use toml::Spanned;

use super::model::{Ruleset, Zoning};
use super::raw::RawRuleset;
use super::source::Sources;
use crate::diag::Diagnostic;
use crate::text::echo;

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
    let zones = measures::zones(&mut cx, &raw, zoning, zoning_known, zoning_span);
    let (measures, measure_index) = measures::measures(&mut cx, &raw);
    let levels = levels::levels(&mut cx, &raw);
    let mut levels = levels;
    let pending = levels::criteria(
        &mut cx,
        &raw,
        &mut levels,
        &zones,
        &measures,
        &measure_index,
        period,
    );
    indicator::resolve_derived(&mut cx, &mut levels, pending);
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
    let overrides = overrides::overrides(&mut cx, &raw, &zones, &measures, &measure_index);

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

mod indicator;
mod levels;
mod measures;
mod overrides;
mod threshold;

#[cfg(test)]
mod tests;
