//! The ruleset `ntm rules import` writes: it `extends` the ruleset a threshold sheet was made
//! from and amends exactly the indicators that have an official value in the sheet, each
//! such value `verified` with the source entered beside it.
//!
//! Pure: entries in, TOML text out (in canonical `ntm fmt` form). The same entries give the
//! same bytes.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use super::model::{IndicatorRef, Ruleset, Test, Threshold};
use super::sheet::Entered;

/// The header of the written ruleset.
#[derive(Debug, Clone)]
pub struct Header {
    /// `id` of the new ruleset.
    pub id: String,
    /// English name.
    pub name: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// `extends`: the base's built-in id or path.
    pub extends: String,
    /// How the sheet is named in the file's comment.
    pub sheet: String,
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn zones_list(zones: &[&str]) -> String {
    let q: Vec<String> = zones.iter().map(|z| quote(z)).collect();
    format!("[{}]", q.join(", "))
}

/// The TOML text of the ruleset that applies `entered` on top of `base`.
pub fn ruleset_toml(base: &Ruleset, header: &Header, entered: &[Entered]) -> String {
    let mut by_ind: BTreeMap<(usize, usize, usize), Vec<&Entered>> = BTreeMap::new();
    for e in entered {
        by_ind
            .entry((e.at.level, e.at.criterion, e.at.indicator))
            .or_default()
            .push(e);
    }
    let decisions: BTreeSet<&str> = entered.iter().map(|e| e.decision.as_str()).collect();
    let decision = decisions.into_iter().collect::<Vec<_>>().join("; ");
    let mut out = String::new();
    out.push_str(&format!(
        "# Official thresholds entered in {}, read by `ntm rules import` on top of `{}`\n# (sha256 {}). Regenerate with the same command rather than editing by hand.\n\n",
        header.sheet.replace('\n', " "),
        base.id,
        base.sha256
    ));
    out.push_str("[ruleset]\n");
    out.push_str(&format!("id = {}\n", quote(&header.id)));
    out.push_str(&format!("extends = {}\n", quote(&header.extends)));
    out.push_str(&format!("name = {}\n", quote(&header.name)));
    out.push_str(&format!("name_vi = {}\n", quote(&header.name_vi)));
    out.push_str(&format!("decision = {}\n", quote(&decision)));
    out.push_str(&format!(
        "notes = {}\n",
        quote(&format!(
            "Amends {} indicator(s) of `{}` with {} official value(s) entered in a threshold sheet; every other value is the base's.",
            by_ind.len(),
            base.id,
            entered.len()
        ))
    ));
    for ((l, c, i), list) in &by_ind {
        let r = IndicatorRef {
            level: *l,
            criterion: *c,
            indicator: *i,
        };
        out.push('\n');
        out.push_str(&amendment(base, r, list));
    }
    match super::fmt::format(&out) {
        Ok(formatted) => formatted,
        Err(_) => out,
    }
}

/// One `[[amendments]]` table.
fn amendment(base: &Ruleset, r: IndicatorRef, list: &[&Entered]) -> String {
    let ind = base.indicator(r);
    let zones: Vec<&str> = base.zones.iter().map(|z| z.id.as_str()).collect();
    let entries = match &ind.test {
        Test::Compare(_, Threshold::Fixed(entries)) => entries,
        Test::Yes | Test::None => return confirmation(base, r, list, &zones),
        // The sheet has no rows for derived thresholds.
        Test::Compare(_, Threshold::Derived { .. }) => return String::new(),
    };
    let mut values: Vec<Vec<Decimal>> = entries.iter().map(|e| e.values.clone()).collect();
    let mut verified: Vec<Vec<bool>> = entries.iter().map(|e| e.verified.clone()).collect();
    let mut entered_at: BTreeSet<(usize, usize)> = BTreeSet::new();
    for e in list {
        if let Some(v) = e.value {
            values[e.entry][e.zone] = v;
        }
        verified[e.entry][e.zone] = true;
        entered_at.insert((e.entry, e.zone));
    }
    let all_entered = entered_at.len() == entries.len() * zones.len();
    // Source: the entered sources (with their zones and years when they differ), then the
    // base's for the values left as they were.
    let mut sources: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for e in list {
        let at = match entries[e.entry].from {
            Some(y) => format!("{} from {y}", zones[e.zone]),
            None => zones[e.zone].to_string(),
        };
        sources.entry(e.source.as_str()).or_default().push(at);
    }
    let mut source = sources
        .iter()
        .map(|(s, at)| format!("{s} ({})", at.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    if !all_entered {
        source.push_str(&format!("; other values: {}", ind.source));
    }
    let table = |vals: &[Decimal]| -> String {
        let parts: Vec<String> = zones
            .iter()
            .zip(vals)
            .map(|(z, v)| format!("{z} = {}", v.normalize()))
            .collect();
        format!("{{ {} }}", parts.join(", "))
    };
    let verified_value = |flags: &[bool]| -> String {
        if flags.iter().all(|v| *v) {
            "true".to_string()
        } else if flags.iter().any(|v| *v) {
            let on: Vec<&str> = zones
                .iter()
                .zip(flags)
                .filter(|(_, v)| **v)
                .map(|(z, _)| *z)
                .collect();
            zones_list(&on)
        } else {
            "false".to_string()
        }
    };
    let entered_zones: BTreeSet<&str> = list.iter().map(|e| zones[e.zone]).collect();
    let base_note = |ei: usize| -> String {
        entries[ei]
            .note
            .clone()
            .or_else(|| ind.note.clone())
            .unwrap_or_default()
    };
    let note_for = |ei: usize| -> Option<String> {
        if verified[ei].iter().all(|v| *v) {
            return None;
        }
        Some(format!(
            "Official values entered for {}; the other values are those of `{}`, whose basis is: {}",
            entered_zones.iter().copied().collect::<Vec<_>>().join(", "),
            base.id,
            base_note(ei)
        ))
    };
    let level = &base.levels[r.level].id;
    let mut out = String::new();
    out.push_str("[[amendments]]\n");
    out.push_str(&format!("level = {}\n", quote(level)));
    out.push_str(&format!("indicator = {}\n", quote(&ind.id)));
    if entries.len() == 1 && entries[0].from.is_none() {
        out.push_str(&format!("threshold = {}\n", table(&values[0])));
        out.push_str(&format!("source = {}\n", quote(&source)));
        out.push_str(&format!("verified = {}\n", verified_value(&verified[0])));
        if let Some(n) = note_for(0) {
            out.push_str(&format!("note = {}\n", quote(&n)));
        }
    } else {
        out.push_str("threshold = [\n");
        for (ei, e) in entries.iter().enumerate() {
            let from = e.from.map(|y| format!("from = {y}, ")).unwrap_or_default();
            let note = note_for(ei)
                .map(|n| format!(", note = {}", quote(&n)))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {{ {from}value = {}, verified = {}{note} }},\n",
                table(&values[ei]),
                verified_value(&verified[ei])
            ));
        }
        out.push_str("]\n");
        out.push_str(&format!("source = {}\n", quote(&source)));
        let all = verified.iter().flatten().all(|v| *v);
        out.push_str(&format!("verified = {all}\n"));
        if !all {
            out.push_str(&format!(
                "note = {}\n",
                quote("Each year entry says which values are official and on what basis the others stand.")
            ));
        }
    }
    out
}

/// The amendment of a yes/no indicator: no threshold (the requirement stays), the entered
/// zones verified with the entered source.
fn confirmation(base: &Ruleset, r: IndicatorRef, list: &[&Entered], zones: &[&str]) -> String {
    let ind = base.indicator(r);
    let mut verified = ind.verified.clone();
    let mut sources: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in list {
        verified[e.zone] = true;
        sources
            .entry(e.source.as_str())
            .or_default()
            .push(zones[e.zone]);
    }
    let mut source = sources
        .iter()
        .map(|(s, at)| format!("{s} ({})", at.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    if list.len() < zones.len() {
        source.push_str(&format!("; other zones: {}", ind.source));
    }
    let flags = if verified.iter().all(|v| *v) {
        "true".to_string()
    } else {
        let on: Vec<&str> = zones
            .iter()
            .zip(&verified)
            .filter(|(_, v)| **v)
            .map(|(z, _)| *z)
            .collect();
        zones_list(&on)
    };
    let mut out = String::new();
    out.push_str("[[amendments]]\n");
    out.push_str(&format!("level = {}\n", quote(&base.levels[r.level].id)));
    out.push_str(&format!("indicator = {}\n", quote(&ind.id)));
    out.push_str(&format!("source = {}\n", quote(&source)));
    out.push_str(&format!("verified = {flags}\n"));
    if !verified.iter().all(|v| *v) {
        let entered: Vec<&str> = list.iter().map(|e| zones[e.zone]).collect();
        out.push_str(&format!(
            "note = {}\n",
            quote(&format!(
                "Requirement confirmed for {}; for the other zones the basis is that of `{}`: {}",
                entered.join(", "),
                base.id,
                ind.note.clone().unwrap_or_default()
            ))
        ));
    }
    out
}
