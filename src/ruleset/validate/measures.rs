//! Zones and measures: what a ruleset assesses communes against (`[[zones]]`, with the region
//! codes of the province table) and the data columns it reads (`[measures.*]`).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use super::{Ctx, IDENTITY_HEADERS, REGION_CODES};
use crate::diag::Diagnostic;
use crate::ruleset::model::{Measure, MeasureKind, Zone, Zoning};
use crate::ruleset::raw::RawRuleset;
use crate::text::{echo, fold};

/// `zoning_known` is false when `zoning` was misspelt: the region-code check would then only
/// add noise to the `bad-zoning` error.
pub(super) fn zones(
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
            let key = crate::ruleset::model::zone_case_key(spelling);
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

pub(super) fn measures(
    cx: &mut Ctx<'_>,
    raw: &RawRuleset,
) -> (Vec<Measure>, HashMap<String, usize>) {
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
            unit_vi: m.unit_vi.clone(),
            aliases: m.aliases.iter().map(|a| a.get_ref().clone()).collect(),
            optional: m.optional,
        });
    }
    (out, index)
}
