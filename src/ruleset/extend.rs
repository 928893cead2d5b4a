//! `extends`: a ruleset (a province's) built on another (the national one), merged into one
//! ruleset that is then validated like any other (docs/ruleset.md, "Extending a ruleset").
//!
//! Works on the raw TOML structs: the base's raw ruleset (itself merged when it extends
//! another) takes the extension's header, measures, criteria and `[[amendments]]`, and every
//! indicator records whether it was inherited, amended or added. An amended threshold may only
//! be stricter than the base's (`laxer-than-base`). Pure: bases are read through `Resolve`.

use std::collections::BTreeSet;

use super::model::{Origin, Ruleset, Test, Threshold};
use super::parse::{parse, sha256_hex};
use super::raw::{RawHeader, RawRuleset};
use super::source::Sources;
use super::validate::validate;
use crate::diag::{Diagnostic, has_errors};

/// Finds the base of `extends = SPEC` written in the file FROM: `(spec, from)` → the base,
/// or why it cannot be read.
pub type Resolve<'a> = &'a dyn Fn(&str, &str) -> Result<Base, String>;

/// A ruleset found for `extends`.
#[derive(Debug, Clone)]
pub struct Base {
    /// How diagnostics name it (the path as written from the extending file's folder, or the
    /// built-in file's path).
    pub path: String,
    /// Its TOML text.
    pub text: String,
    /// What it is, whatever the spelling of its path: `builtin:<id>`, or the canonical path of
    /// a file. Two bases are the same ruleset when their identities are equal (cycles).
    pub identity: String,
}

/// Codes of `extends`.
pub const CODES: [&str; 7] = [
    "bad-extension",
    "extends-cycle",
    "extends-too-deep",
    "laxer-than-base",
    "laxer-than-unverified-base",
    "unknown-base",
    "unknown-indicator",
];

/// How many rulesets a chain of `extends` may hold, the extending file included
/// (`extends-too-deep`; docs/data.md, "Limits"). Real chains hold two or three (national →
/// province → district trial); the limit bounds what is read, as every base is kept in memory.
pub const MAX_DEPTH: usize = 32;

struct Chain<'a> {
    sources: Sources,
    resolve: Resolve<'a>,
    /// The files being loaded, outermost first: how diagnostics name each, and its identity
    /// (`Base::identity`), which finds cycles however a path is spelled.
    stack: Vec<(String, String)>,
    diags: Vec<Diagnostic>,
}

/// A file's raw ruleset with its bases merged in, the validated base it extends, and the
/// digest of everything it was read from.
struct Merged {
    raw: RawRuleset,
    base: Option<Ruleset>,
    sha256: String,
}

impl Chain<'_> {
    fn err(&mut self, code: &'static str, span: std::ops::Range<usize>, message: String) {
        let mut d = Diagnostic::error(code, message);
        d.location = Some(self.sources.locate(span.start));
        self.diags.push(d);
    }

    fn help(&mut self, help: &str) {
        if let Some(d) = self.diags.last_mut() {
            d.help = Some(help.to_string());
        }
    }

    /// Parse `text` and, when it extends another ruleset, load that one and merge.
    fn merged(&mut self, text: &str, path: &str, identity: &str) -> Option<Merged> {
        let raw = match parse(text, path, &mut self.sources) {
            Ok(raw) => raw,
            Err(d) => {
                self.diags.push(*d);
                return None;
            }
        };
        let Some(ext) = raw.ruleset.extends.clone() else {
            if let Some(a) = raw.amendments.first() {
                self.err(
                    "bad-extension",
                    a.level.span(),
                    "`[[amendments]]` change an inherited ruleset: this file has no `extends`"
                        .into(),
                );
                return None;
            }
            return Some(Merged {
                raw,
                base: None,
                sha256: sha256_hex(text.as_bytes()),
            });
        };
        let Base {
            path: base_path,
            text: base_text,
            identity: base_identity,
        } = match (self.resolve)(ext.get_ref(), path) {
            Ok(found) => found,
            Err(why) => {
                self.err(
                    "unknown-base",
                    ext.span(),
                    format!("cannot extend `{}`: {why}", ext.get_ref()),
                );
                self.help("`extends` takes a built-in id (`ntm rules list`) or a path relative to this file");
                return None;
            }
        };
        self.stack.push((path.to_string(), identity.to_string()));
        let names = |stack: &[(String, String)]| {
            stack
                .iter()
                .map(|(p, _)| p.as_str())
                .collect::<Vec<_>>()
                .join("` → `")
        };
        if let Some(at) = self.stack.iter().position(|(_, id)| *id == base_identity) {
            let chain = names(&self.stack[at..]);
            self.err(
                "extends-cycle",
                ext.span(),
                format!("`extends` goes round in a cycle: `{chain}` → `{base_path}`"),
            );
            self.stack.pop();
            return None;
        }
        if self.stack.len() >= MAX_DEPTH {
            let (first, last) = (&self.stack[0].0, path);
            let between = self.stack.len() - 2;
            self.err(
                "extends-too-deep",
                ext.span(),
                format!(
                    "a chain of `extends` may hold at most {MAX_DEPTH} rulesets: `{first}` → {between} more → `{last}` → `{base_path}` holds {}",
                    self.stack.len() + 1
                ),
            );
            self.help("extend the ruleset the chain is built on directly");
            self.stack.pop();
            return None;
        }
        let base = self.merged(&base_text, &base_path, &base_identity);
        self.stack.pop();
        let base = base?;
        // The base must be a sound ruleset on its own: its errors are its file's.
        let base_sha = base.sha256.clone();
        let (base_rs, base_diags) = validate(base.raw.clone(), &self.sources, base_sha.clone());
        let Some(mut base_rs) = base_rs else {
            self.diags.extend(base_diags);
            return None;
        };
        base_rs.extends = base.base.map(|b| b.id);
        let raw = merge(self, base.raw, raw)?;
        Some(Merged {
            raw,
            base: Some(base_rs),
            sha256: sha256_hex(format!("{text}\u{0}{base_sha}").as_bytes()),
        })
    }
}

/// The base's raw ruleset with the extension applied. `None` when the extension breaks a rule
/// of extending (diagnostics pushed).
fn merge(cx: &mut Chain<'_>, mut base: RawRuleset, ext: RawRuleset) -> Option<RawRuleset> {
    let before = cx.diags.len();
    let what = [
        ("[[zones]]", ext.zones.first().map(|z| z.id.span())),
        ("[[levels]]", ext.levels.first().map(|l| l.id.span())),
        ("[[overrides]]", ext.overrides.first().map(|o| o.id.span())),
    ];
    for (table, span) in what {
        if let Some(span) = span {
            cx.err(
                "bad-extension",
                span,
                format!(
                    "an extending ruleset takes its {table} from its base and cannot declare them"
                ),
            );
        }
    }
    let h = &ext.ruleset;
    let inherited = [
        (
            "period",
            h.period
                .as_ref()
                .map(|p| (p.span(), format!("{:?}", p.get_ref()))),
            base.ruleset
                .period
                .as_ref()
                .map(|p| format!("{:?}", p.get_ref())),
        ),
        (
            "zoning",
            h.zoning.as_ref().map(|z| (z.span(), z.get_ref().clone())),
            base.ruleset.zoning.as_ref().map(|z| z.get_ref().clone()),
        ),
    ];
    for (key, own, theirs) in inherited {
        if let Some((span, value)) = own
            && Some(&value) != theirs.as_ref()
        {
            cx.err(
                "bad-extension",
                span,
                format!(
                    "`{key}` differs from the base's `{}`: an extending ruleset inherits it",
                    theirs.unwrap_or_default()
                ),
            );
        }
    }
    for c in &mut base.criteria {
        for i in &mut c.indicators {
            i.origin = Origin::Inherited;
        }
    }
    for (id, m) in ext.measures {
        if base.measures.contains_key(&id) {
            cx.err(
                "duplicate-id",
                m.span(),
                format!("measure `{id}` is already declared by the base ruleset"),
            );
        } else {
            base.measures.insert(id, m);
        }
    }
    let mut amended = BTreeSet::new();
    for a in ext.amendments {
        let key = (a.level.get_ref().clone(), a.indicator.get_ref().clone());
        if !amended.insert(key) {
            cx.err(
                "duplicate-id",
                a.indicator.span(),
                format!(
                    "indicator `{}` of level `{}` is amended twice",
                    a.indicator.get_ref(),
                    a.level.get_ref()
                ),
            );
            continue;
        }
        let found = base
            .criteria
            .iter_mut()
            .filter(|c| c.level.get_ref() == a.level.get_ref())
            .flat_map(|c| c.indicators.iter_mut())
            .find(|i| i.id.get_ref() == a.indicator.get_ref());
        let Some(ind) = found else {
            cx.err(
                "unknown-indicator",
                a.indicator.span(),
                format!(
                    "the base ruleset has no indicator `{}` in level `{}` to amend",
                    a.indicator.get_ref(),
                    a.level.get_ref()
                ),
            );
            cx.help("add a new indicator under `[[criteria]]` instead");
            continue;
        };
        if let Some(t) = a.threshold {
            ind.threshold = Some(t);
            ind.derived = None;
        }
        ind.source = a.source;
        ind.verified = a.verified;
        ind.note = a.note;
        ind.origin = Origin::Amended;
    }
    for mut c in ext.criteria {
        for i in &mut c.indicators {
            i.origin = Origin::Own;
        }
        let existing = base
            .criteria
            .iter_mut()
            .find(|b| b.level.get_ref() == c.level.get_ref() && b.id.get_ref() == c.id.get_ref());
        match existing {
            Some(b) => {
                if c.name.is_some() || c.name_vi.is_some() || c.at_least.is_some() {
                    cx.err(
                        "bad-extension",
                        c.id.span(),
                        format!(
                            "criterion `{}` of level `{}` is inherited: an extension may only add `indicators` to it",
                            c.id.get_ref(),
                            c.level.get_ref()
                        ),
                    );
                    cx.help("remove `name`, `name_vi` and `at_least`, or give the new criterion an id of its own");
                }
                b.indicators.extend(c.indicators);
            }
            None => base.criteria.push(c),
        }
    }
    // The extension's identity, the base's period and zoning.
    base.ruleset = RawHeader {
        period: base.ruleset.period,
        zoning: base.ruleset.zoning,
        ..ext.ruleset
    };
    (cx.diags.len() == before).then_some(base)
}

/// Load `text` (following `extends`), validate the result and check that amendments are only
/// stricter than the base.
pub(crate) fn load(
    text: &str,
    path: &str,
    identity: &str,
    resolve: Resolve<'_>,
) -> (Option<Ruleset>, Vec<Diagnostic>) {
    let mut cx = Chain {
        sources: Sources::default(),
        resolve,
        stack: Vec::new(),
        diags: Vec::new(),
    };
    let Some(m) = cx.merged(text, path, identity) else {
        return (None, cx.diags);
    };
    let (rs, diags) = validate(m.raw, &cx.sources, m.sha256);
    cx.diags.extend(diags);
    let Some(mut rs) = rs else {
        return (None, cx.diags);
    };
    if let Some(base) = &m.base {
        rs.extends = Some(base.id.clone());
        cx.diags.extend(laxer_than_base(&rs, base));
    }
    let ok = !has_errors(&cx.diags);
    (ok.then_some(rs), cx.diags)
}

/// Every amended threshold laxer than its base's for some zone and year: provinces may only
/// be stricter than the national set.
fn laxer_than_base(rs: &Ruleset, base: &Ruleset) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for at in rs
        .walk()
        .filter(|at| at.indicator.origin == Origin::Amended)
    {
        let (r, ind, level) = (at.r, at.indicator, &at.level.id);
        let found = base
            .walk()
            .find(|b| &b.level.id == level && b.indicator.id == ind.id);
        let Some((rb, bi)) = found.map(|b| (b.r, b.indicator)) else {
            continue;
        };
        let (Test::Compare(op, _), Test::Compare(op_b, _)) = (&ind.test, &bi.test) else {
            continue;
        };
        let mut years = BTreeSet::from([rs.period.0]);
        for t in [&ind.test, &bi.test] {
            if let Test::Compare(_, Threshold::Fixed(entries)) = t {
                years.extend(entries.iter().filter_map(|e| e.from));
            }
        }
        let years: Vec<i32> = years.into_iter().collect();
        // Laxer than a verified base value: an error. Laxer than an unverified one (a floor
        // the project inferred): a warning naming that value's basis, since the province's
        // decision may well be the better source.
        type Hit<'a> = (&'a str, i32, rust_decimal::Decimal, rust_decimal::Decimal);
        let mut verified: Vec<Hit<'_>> = Vec::new();
        let mut unverified: Vec<Hit<'_>> = Vec::new();
        for (zi, z) in rs.zones.iter().enumerate() {
            for &y in &years {
                let (Some(a), Some(b)) = (rs.resolve(r, zi, y).0, base.resolve(rb, zi, y).0) else {
                    continue;
                };
                if op.laxer(a.value, *op_b, b.value) {
                    let list = if b.verified {
                        &mut verified
                    } else {
                        &mut unverified
                    };
                    if !list.iter().any(|h| h.0 == z.id) {
                        list.push((z.id.as_str(), y, a.value, b.value));
                    }
                }
            }
        }
        if let Some((zone, year, value, other)) = unverified.first() {
            let zones: Vec<&str> = unverified.iter().map(|u| u.0).collect();
            let basis = match &bi.test {
                Test::Compare(_, Threshold::Fixed(entries)) => {
                    crate::ruleset::model::in_force(entries, *year).note.clone()
                }
                _ => None,
            }
            .or_else(|| bi.note.clone())
            .unwrap_or_else(|| "no basis given".to_string());
            let mut d = Diagnostic::warning(
                "laxer-than-unverified-base",
                format!(
                    "indicator `{}` of level `{level}`: `{} {value}` for zone `{zone}` in {year} is laxer than `{} {other}` of the base ruleset `{}`, an unverified value; zones: `{}`; its basis: {}",
                    ind.id,
                    op.as_str(),
                    op_b.as_str(),
                    base.id,
                    zones.join("`, `"),
                    basis
                ),
            )
            .help("if this value is read in the decision, the base's value is wrong: report it so the national value is corrected");
            d.location = Some(
                ind.at
                    .threshold
                    .clone()
                    .unwrap_or_else(|| ind.at.id.clone()),
            );
            out.push(d);
        }
        let Some((zone, year, value, other)) = verified.first() else {
            continue;
        };
        let zones: Vec<&str> = verified.iter().map(|h| h.0).collect();
        let mut d = Diagnostic::error(
            "laxer-than-base",
            format!(
                "indicator `{}` of level `{level}`: `{} {value}` for zone `{zone}` in {year} is laxer than `{} {other}` of the base ruleset `{}`, a verified value; zones: `{}`",
                ind.id,
                op.as_str(),
                op_b.as_str(),
                base.id,
                zones.join("`, `")
            ),
        )
        .help("a ruleset that extends another may only make a verified threshold stricter");
        d.location = Some(
            ind.at
                .threshold
                .clone()
                .unwrap_or_else(|| ind.at.id.clone()),
        );
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests;
