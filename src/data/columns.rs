//! Header row → which column holds which identity field or measure.
//!
//! Headers match a measure's id, English or Vietnamese label, or a declared alias, after `fold`
//! (case, diacritics, spacing). Identity columns have fixed English and Vietnamese names.

use std::collections::HashMap;

use crate::diag::Diagnostic;
use crate::ruleset::Ruleset;
use crate::text::fold;

/// The identity fields a data row may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ident {
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
pub const IDENTITY: [(Ident, &[&str]); 7] = [
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
pub struct Columns {
    /// Column index per identity field, in `IDENTITY` order.
    pub ident: [Option<usize>; 7],
    /// Column index per measure, in `Ruleset::measures` order.
    pub measures: Vec<Option<usize>>,
    /// Headers matching nothing, in file order.
    pub unknown: Vec<String>,
}

impl Columns {
    /// Column of an identity field.
    pub fn ident(&self, which: Ident) -> Option<usize> {
        let i = IDENTITY.iter().position(|(k, _)| *k == which)?;
        self.ident[i]
    }
}

/// Map `headers` to fields. Problems (a field named twice, missing measure columns, no measure
/// column at all) are returned as diagnostics located at `path` line `line`.
pub fn map_headers(
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
    let missing: Vec<&str> = ruleset
        .measures
        .iter()
        .zip(&cols.measures)
        .filter(|(m, c)| c.is_none() && !m.optional)
        .map(|(m, _)| m.id.as_str())
        .collect();
    if !missing.is_empty() {
        let msg = format!(
            "{} measure column(s) missing: `{}`",
            missing.len(),
            missing.join("`, `")
        );
        diags.push(if allow_missing {
            at(Diagnostic::warning("missing-column", msg)
                .help("--allow-missing: their indicators are `no data`"))
        } else {
            at(Diagnostic::error("missing-column", msg)
                .help("add the columns, or pass --allow-missing to read them as no data"))
        });
    }
    (cols, diags)
}

#[derive(Debug, Clone, Copy)]
enum Field {
    Ident(usize),
    Measure(usize),
}
