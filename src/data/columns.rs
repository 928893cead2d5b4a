//! Header row → which column holds which identity field or measure.
//!
//! Headers match a measure's id, English or Vietnamese label, or a declared alias, after `fold`
//! (case, diacritics, spacing). Identity columns have fixed English and Vietnamese names.

use std::collections::HashMap;

use crate::diag::Diagnostic;
use crate::ruleset::Ruleset;
use crate::ruleset::model::Measure;
use crate::text::{fold, suggest};

/// The identity fields a data row may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ident {
    /// Commune code.
    Code,
    /// Commune name.
    Name,
    /// District.
    District,
    /// Province.
    Province,
    /// Socio-economic region.
    Region,
    /// Commune group (2026–2030).
    Group,
    /// Assessment year.
    Year,
}

/// Identity fields and the headers that name them.
pub(crate) const IDENTITY: [(Ident, &[&str]); 7] = [
    (Ident::Code, &["code", "mã", "mã xã", "commune_code"]),
    (Ident::Name, &["name", "tên xã", "tên", "commune"]),
    (Ident::District, &["district", "huyện"]),
    (Ident::Province, &["province", "tỉnh", "tỉnh/thành phố"]),
    (Ident::Region, &["region", "vùng"]),
    (Ident::Group, &["group", "nhóm", "nhóm xã"]),
    (Ident::Year, &["year", "năm"]),
];

/// Where each field is in a file's records.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    /// Column index per identity field, in `IDENTITY` order.
    pub ident: [Option<usize>; 7],
    /// Column index per measure, in `Ruleset::measures` order.
    pub measures: Vec<Option<usize>>,
    /// Headers matching nothing, in file order.
    pub unknown: Vec<String>,
}

impl Columns {
    /// Column of an identity field.
    pub(crate) fn ident(&self, which: Ident) -> Option<usize> {
        let i = IDENTITY.iter().position(|(k, _)| *k == which)?;
        self.ident[i]
    }
}

/// Map `headers` to fields. Problems (a field named twice, missing measure columns, no measure
/// column at all) are returned as diagnostics located at `path` line `line`.
pub(crate) fn map_headers(
    headers: &[String],
    ruleset: &Ruleset,
    allow_missing: bool,
    path: &str,
    line: u64,
) -> (Columns, Vec<Diagnostic>) {
    let mut lookup: HashMap<String, Field> = HashMap::new();
    for (i, (_, names)) in IDENTITY.iter().enumerate() {
        for n in *names {
            lookup.insert(fold(n), Field::Ident(i));
        }
    }
    for (i, m) in ruleset.measures.iter().enumerate() {
        let names = [&m.id, &m.name, &m.name_vi].into_iter().chain(&m.aliases);
        for n in names {
            lookup.entry(fold(n)).or_insert(Field::Measure(i));
        }
    }
    let mut cols = Columns {
        ident: [None; 7],
        measures: vec![None; ruleset.measures.len()],
        unknown: Vec::new(),
    };
    let mut diags = Vec::new();
    let at = |d: Diagnostic| d.at(path, Some(line), None);
    for (ci, h) in headers.iter().enumerate() {
        let slot = match lookup.get(&fold(h)) {
            Some(Field::Ident(i)) => &mut cols.ident[*i],
            Some(Field::Measure(i)) => &mut cols.measures[*i],
            None => {
                if !h.trim().is_empty() {
                    cols.unknown.push(h.clone());
                }
                continue;
            }
        };
        match slot {
            Some(prev) => diags.push(at(Diagnostic::error(
                "duplicate-column",
                format!(
                    "column {} `{}` and column {} `{}` name the same field",
                    *prev + 1,
                    crate::text::echo(&headers[*prev]),
                    ci + 1,
                    crate::text::echo(h)
                ),
            ))),
            None => *slot = Some(ci),
        }
    }
    if cols.measures.iter().all(Option::is_none) {
        diags.push(at(Diagnostic::error(
            "no-measure-columns",
            format!("no column matches a measure of ruleset `{}`", ruleset.id),
        )
        .help(
            "headers must be measure ids, labels or aliases; `ntm rules show` lists them",
        )));
        return (cols, diags);
    }
    let missing_measures: Vec<&Measure> = ruleset
        .measures
        .iter()
        .zip(&cols.measures)
        .filter(|(m, c)| c.is_none() && !m.optional)
        .map(|(m, _)| m)
        .collect();
    let missing: Vec<&str> = missing_measures.iter().map(|m| m.id.as_str()).collect();
    if !missing.is_empty() {
        let msg = format!(
            "{} measure column(s) missing: `{}`",
            missing.len(),
            missing.join("`, `")
        );
        let accepted = accepted_headers(&missing_measures, &cols.unknown);
        diags.push(if allow_missing {
            at(Diagnostic::warning("missing-column", msg).help(format!(
                "{accepted}; --allow-missing: their indicators are `no data`"
            )))
        } else {
            at(Diagnostic::error("missing-column", msg).help(format!(
                "{accepted}; add the columns, or pass --allow-missing to read them as no data"
            )))
        });
    }
    (cols, diags)
}

/// The warning for a file without a commune-code column one of whose headers is close to
/// a code header (`cod`, `ma xa`): its rows have no code, so duplicates are not found and
/// `diff` cannot match them. `None` when no header looks like a misnamed code column.
pub(crate) fn misnamed_code(unknown: &[String]) -> Option<Diagnostic> {
    let (_, names) = IDENTITY[0];
    let (header, name) = unknown
        .iter()
        .find_map(|u| Some((u, suggest::closest(u, names.iter().copied())?)))?;
    Some(
        Diagnostic::warning(
            "no-code-column",
            format!(
                "no commune code column was found: `{header}` is not a known header; did you mean `{name}`?"
            ),
        )
        .help(format!(
            "accepted headers: `{}`; without codes, duplicate communes are not found and `diff` cannot match rows",
            names.join("`, `")
        )),
    )
}

/// The help of a column a command needs (`--by NAME`) that the file lacks: the closest
/// header first when one is close (`distrct` → `district`), then every header.
pub(crate) fn keep_help(name: &str, headers: &[String]) -> String {
    let all = format!("expected one of {}", crate::text::echo_list(headers));
    match suggest::closest(name, headers.iter().map(String::as_str)) {
        Some(h) => format!("did you mean `{}`? {all}", crate::text::echo(h)),
        None => all,
    }
}

/// For a row that names no measure: its first cell close to a measure's name, as "`X` is not
/// a known header; did you mean `Y`, column `id`?". Only a suggestion.
pub(crate) fn near_measure(headers: &[String], ruleset: &Ruleset) -> Option<String> {
    let (owners, all): (Vec<&Measure>, Vec<&str>) = ruleset
        .measures
        .iter()
        .flat_map(|m| measure_names(m).into_iter().map(move |n| (m, n)))
        .unzip();
    let names = suggest::Names::new(all);
    headers.iter().find_map(|h| {
        let (i, _) = names.closest_at(h)?;
        Some(format!(
            "`{}` is not a known header; did you mean `{}`, column `{}`?",
            crate::text::echo(h),
            names.name(i),
            owners[i].id
        ))
    })
}

/// The help of a missing measure column speaks of at most this many measures.
const SHOWN: usize = 5;

/// The help of a missing measure column: for each measure, the closest of the file's unknown
/// headers when one is close ("`X` is not a known header; did you mean `Y`, column `id`?"),
/// then the headers each measure is accepted under (Vietnamese label, English label, aliases).
/// Only a suggestion: the header is never read as the measure.
fn accepted_headers(missing: &[&Measure], unknown: &[String]) -> String {
    let mut parts = Vec::new();
    for m in missing.iter().take(SHOWN) {
        let names = suggest::Names::new(measure_names(m));
        let best = unknown
            .iter()
            .filter_map(|u| {
                let (name, closeness) = names.closest_with(u)?;
                Some((closeness, u, name))
            })
            .fold(None, |best: Option<(f64, &String, &str)>, c| match best {
                Some(b) if b.0 >= c.0 => Some(b),
                _ => Some(c),
            });
        if let Some((_, header, name)) = best {
            parts.push(format!(
                "`{header}` is not a known header; did you mean `{name}`, column `{}`?",
                m.id
            ));
        }
    }
    let mut accepted: Vec<String> = missing
        .iter()
        .take(SHOWN)
        .map(|m| format!("`{}` as `{}`", m.id, measure_names(m)[1..].join("` or `")))
        .collect();
    if missing.len() > SHOWN {
        accepted.push(format!(
            "… {} more (`ntm rules show` lists every measure)",
            missing.len() - SHOWN
        ));
    }
    parts.push(format!("accepted headers: {}", accepted.join(", ")));
    parts.join("; ")
}

/// The headers a measure is read from: its id, Vietnamese label, English label and aliases,
/// without repeats.
fn measure_names(m: &Measure) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for n in [&m.id, &m.name_vi, &m.name].into_iter().chain(&m.aliases) {
        if !n.is_empty() && !names.iter().any(|k| fold(k) == fold(n)) {
            names.push(n);
        }
    }
    names
}

#[derive(Debug, Clone, Copy)]
enum Field {
    Ident(usize),
    Measure(usize),
}
