//! Reading a parsed case file against its ruleset: zones, years, values (through the CSV
//! cell coercion and header matching), rows taken from data files, and expectations. Every
//! problem is collected as a located diagnostic.

use std::collections::HashMap;
use std::ops::Range;

use indexmap::IndexMap;
use toml::Spanned;

use super::raw::{self, RawCell, RawExpect, RawLevelExpect};
use super::{Case, CaseFile, Expect, LevelExpect, NO_LEVEL, Parsed};
use crate::data::coerce::{NumberRules, Value, coerce};
use crate::data::columns::map_headers;
use crate::data::read::Row;
use crate::data::units::code_key;
use crate::diag::{Diagnostic, line_col};
use crate::ruleset::Ruleset;

/// Read `parsed` against `rs`. With `bless`, a case without `expect` is accepted (its
/// expectations are about to be written). Returns every problem found.
pub fn validate(
    parsed: Parsed,
    rs: &Ruleset,
    text: &str,
    path: &str,
    bless: bool,
) -> (CaseFile, Vec<Diagnostic>) {
    validate_with_rows(parsed, rs, text, path, bless, &HashMap::new())
}

/// [`validate`], with the rows of the data files that cases take a `row` from (keyed as
/// [`Parsed::row_files`] names them; a file missing here could not be read and its problems
/// were reported by the reader).
pub fn validate_with_rows(
    parsed: Parsed,
    rs: &Ruleset,
    text: &str,
    path: &str,
    bless: bool,
    rows: &HashMap<String, Vec<Row>>,
) -> (CaseFile, Vec<Diagnostic>) {
    let mut cx = Cx {
        text,
        path,
        rs,
        diags: Vec::new(),
        keys: HashMap::new(),
    };
    let raw = parsed.raw;
    let base = cx.values(&raw.values, &vec![None; rs.measures.len()]);
    let file_zone = raw.zone.as_ref().and_then(|z| cx.zone(z));
    let file_year = raw.year.as_ref().and_then(|y| cx.year(y));
    if raw.cases.is_empty() {
        cx.diags.push(
            Diagnostic::warning("case-no-cases", "the file has no `[[cases]]`").at(
                path,
                Some(1),
                Some(1),
            ),
        );
    }
    let mut names: HashMap<String, u64> = HashMap::new();
    let mut cases = Vec::with_capacity(raw.cases.len());
    for rc in &raw.cases {
        let rc = rc.get_ref();
        let (line, _) = line_col(text, rc.name.span().start);
        let name = rc.name.get_ref().trim().to_string();
        if name.is_empty() {
            cx.error(
                "case-empty-name",
                "a case needs a non-empty `name`".to_string(),
                rc.name.span(),
            );
        } else if let Some(first) = names.get(&name) {
            cx.error(
                "case-duplicate-name",
                format!("case name `{name}` is already used on line {first}"),
                rc.name.span(),
            );
        } else {
            names.insert(name.clone(), line);
        }
        let row = match &rc.row {
            Some(r) => match cx.row(r, rows) {
                Some(row) => Some(row),
                None => continue,
            },
            None => None,
        };
        let zone = match &rc.zone {
            Some(z) => cx.zone(z),
            None if row.is_some() => row.map(|r| r.zone),
            None if raw.zone.is_some() => file_zone,
            None => {
                cx.diags.push(
                    Diagnostic::error(
                        "case-missing-zone",
                        format!(
                            "case `{name}` names no {} and the file sets none",
                            rs.zoning.column()
                        ),
                    )
                    .at(path, Some(line), None)
                    .help("add `zone = \"…\"` to the case or at the top of the file"),
                );
                None
            }
        };
        let year = match (&rc.year, row) {
            (Some(y), _) => cx.year(y),
            (None, Some(r)) => Some(r.year),
            (None, None) => file_year.or(raw.year.is_none().then_some(rs.period.1)),
        };
        let values = cx.values(&rc.values, row.map_or(&base, |r| &r.values));
        let expect = match &rc.expect {
            Some(e) => Some(cx.expect(e)),
            None if bless => None,
            None => {
                cx.diags.push(
                    Diagnostic::error(
                        "case-no-expectation",
                        format!("case `{name}` has no `expect`"),
                    )
                    .at(path, Some(line), None)
                    .help("add `[cases.expect]` with at least `level`, or run `ntm test --bless` to write the actual result"),
                );
                None
            }
        };
        if let (Some(zone), Some(year)) = (zone, year) {
            cases.push(Case {
                name,
                line,
                code: None,
                zone,
                year,
                values,
                expect,
            });
        }
    }
    let file = CaseFile {
        path: path.to_string(),
        cases,
    };
    (file, cx.diags)
}

/// Is `id` a criterion (or, with `indicators`, an indicator) of one of `levels`?
pub(crate) fn known_id(rs: &Ruleset, levels: &[usize], id: &str, indicators: bool) -> bool {
    levels.iter().any(|&l| {
        let level = &rs.levels[l];
        if indicators {
            level
                .criteria
                .iter()
                .flat_map(|c| &c.indicators)
                .any(|i| i.id == id)
        } else {
            level.criteria.iter().any(|c| c.id == id)
        }
    })
}

/// What a `values` key names.
#[derive(Debug, Clone, Copy)]
enum Key {
    Measure(usize),
    Identity,
    Unknown,
}

struct Cx<'a> {
    text: &'a str,
    path: &'a str,
    rs: &'a Ruleset,
    diags: Vec<Diagnostic>,
    keys: HashMap<String, Key>,
}

impl Cx<'_> {
    fn at(&self, d: Diagnostic, span: Range<usize>) -> Diagnostic {
        let (l, c) = line_col(self.text, span.start);
        d.at(self.path, Some(l), Some(c))
    }

    fn error(&mut self, code: &'static str, message: String, span: Range<usize>) {
        let d = self.at(Diagnostic::error(code, message), span);
        self.diags.push(d);
    }

    /// What `key` names, matched as a CSV header is (id, labels, aliases; `fold`).
    fn key(&mut self, key: &str) -> Key {
        if let Some(k) = self.keys.get(key) {
            return *k;
        }
        let (cols, _) = map_headers(&[key.to_string()], self.rs, true, self.path, 0);
        let k = if let Some(m) = cols.measures.iter().position(Option::is_some) {
            Key::Measure(m)
        } else if cols.ident.iter().any(Option::is_some) {
            Key::Identity
        } else {
            Key::Unknown
        };
        self.keys.insert(key.to_string(), k);
        k
    }

    fn values(
        &mut self,
        raw: &IndexMap<String, Spanned<RawCell>>,
        base: &[Option<Value>],
    ) -> Vec<Option<Value>> {
        let mut values = base.to_vec();
        let mut seen: HashMap<usize, &str> = HashMap::new();
        for (key, cell) in raw {
            let span = cell.span();
            let m = match self.key(key) {
                Key::Measure(m) => m,
                Key::Identity => {
                    let d = Diagnostic::error(
                        "case-unknown-measure",
                        format!("`{key}` is an identity column, not a measure"),
                    )
                    .help(
                        "give the commune's zone and year with the case's `zone` and `year` keys",
                    );
                    let d = self.at(d, span);
                    self.diags.push(d);
                    continue;
                }
                Key::Unknown => {
                    let d = Diagnostic::error(
                        "case-unknown-measure",
                        format!("`{key}` is not a measure of ruleset `{}`", self.rs.id),
                    )
                    .help("keys are measure ids, labels or aliases, as CSV headers; `ntm rules show` lists them");
                    let d = self.at(d, span);
                    self.diags.push(d);
                    continue;
                }
            };
            if let Some(first) = seen.insert(m, key) {
                self.error(
                    "case-duplicate-measure",
                    format!(
                        "`{key}` and `{first}` name the same measure `{}`",
                        self.rs.measures[m].id
                    ),
                    span,
                );
                continue;
            }
            let Some(text) = raw::cell(cell.get_ref()) else {
                let d = Diagnostic::error(
                    "case-bad-value",
                    format!(
                        "measure `{}`: {} is not a cell value",
                        self.rs.measures[m].id,
                        match cell.get_ref() {
                            toml::Value::Array(_) => "an array",
                            toml::Value::Table(_) => "a table",
                            _ => "a date or time",
                        }
                    ),
                )
                .help(
                    "write the value as the CSV cell would have it: text, a number, or true/false",
                );
                let d = self.at(d, span);
                self.diags.push(d);
                continue;
            };
            match coerce(&text, self.rs.measures[m].kind, NumberRules::default()) {
                Ok(v) => values[m] = v,
                Err(e) => {
                    let d = Diagnostic::error(
                        e.code,
                        format!(
                            "measure `{}`: `{}` is not valid",
                            self.rs.measures[m].id,
                            text.trim()
                        ),
                    )
                    .help(format!("expected {}", e.expected));
                    let d = self.at(d, span);
                    self.diags.push(d);
                }
            }
        }
        values
    }

    /// The data row a case names, by commune code or line.
    fn row<'r>(
        &mut self,
        raw: &Spanned<raw::RawRow>,
        rows: &'r HashMap<String, Vec<Row>>,
    ) -> Option<&'r Row> {
        let r = raw.get_ref();
        let Some(all) = rows.get(&r.file) else {
            let d = Diagnostic::error(
                "case-row-not-found",
                format!(
                    "data file `{}` could not be read: it is missing, or its problems are listed above",
                    r.file
                ),
            );
            let d = self.at(d, raw.span());
            self.diags.push(d);
            return None;
        };
        let found: Vec<&Row> = match (&r.code, r.line) {
            (Some(code), None) => {
                let key = code_key(code);
                all.iter()
                    .filter(|row| row.code.as_deref().map(code_key) == Some(key.clone()))
                    .collect()
            }
            (None, Some(line)) => all.iter().filter(|row| row.line == line).collect(),
            _ => {
                let d = Diagnostic::error(
                    "case-bad-row",
                    "`row` names its commune by `code` or by `line`, one of the two",
                )
                .help("row = { file = \"communes.csv\", code = \"10816\" }");
                let d = self.at(d, raw.span());
                self.diags.push(d);
                return None;
            }
        };
        let what = match (&r.code, r.line) {
            (Some(c), _) => format!("commune `{c}`"),
            (None, l) => format!("line {}", l.unwrap_or(0)),
        };
        match found.as_slice() {
            [one] => Some(*one),
            [] => {
                let d = Diagnostic::error(
                    "case-row-not-found",
                    format!("{what} is not a commune row of `{}`", r.file),
                );
                let d = self.at(d, raw.span());
                self.diags.push(d);
                None
            }
            _ => {
                let d = Diagnostic::error(
                    "case-bad-row",
                    format!("{what} is on {} rows of `{}`", found.len(), r.file),
                )
                .help("name the row by `line` instead");
                let d = self.at(d, raw.span());
                self.diags.push(d);
                None
            }
        }
    }

    fn zone(&mut self, z: &Spanned<String>) -> Option<usize> {
        let matched = self.rs.match_zone(z.get_ref());
        if let crate::ruleset::model::ZoneMatch::Ambiguous(zones) = &matched {
            // Never the first of two zones (docs/ruleset.md, `[[zones]]`).
            let ids: Vec<&str> = zones
                .iter()
                .map(|&i| self.rs.zones[i].id.as_str())
                .collect();
            let d = Diagnostic::error(
                "case-unknown-zone",
                format!(
                    "`{}` names zones `{}` of ruleset `{}` once diacritics are ignored",
                    z.get_ref(),
                    ids.join("` and `"),
                    self.rs.id
                ),
            )
            .help("spell the zone exactly as one of them declares it");
            let d = self.at(d, z.span());
            self.diags.push(d);
            return None;
        }
        let found = matched.found();
        if found.is_none() {
            let ids: Vec<&str> = self.rs.zones.iter().map(|z| z.id.as_str()).collect();
            let d = Diagnostic::error(
                "case-unknown-zone",
                format!(
                    "`{}` is not a {} of ruleset `{}`",
                    z.get_ref(),
                    self.rs.zoning.column(),
                    self.rs.id
                ),
            )
            .help(format!(
                "expected one of `{}` (or a zone name or alias)",
                ids.join("`, `")
            ));
            let d = self.at(d, z.span());
            self.diags.push(d);
        }
        found
    }

    fn year(&mut self, y: &Spanned<i64>) -> Option<i32> {
        let (first, last) = self.rs.period;
        match i32::try_from(*y.get_ref()) {
            Ok(v) if v >= first && v <= last => Some(v),
            _ => {
                let d = Diagnostic::error(
                    "case-year-outside-period",
                    format!(
                        "year {} is outside the period {first}–{last} of ruleset `{}`",
                        y.get_ref(),
                        self.rs.id
                    ),
                );
                let d = self.at(d, y.span());
                self.diags.push(d);
                None
            }
        }
    }

    fn level(&mut self, id: &str, span: Range<usize>) -> Option<usize> {
        let found = self.rs.level_index(id);
        if found.is_none() {
            let ids: Vec<&str> = self.rs.levels.iter().map(|l| l.id.as_str()).collect();
            let d = Diagnostic::error(
                "case-unknown-level",
                format!("`{id}` is not a level of ruleset `{}`", self.rs.id),
            )
            .help(format!("expected one of `{}`", ids.join("`, `")));
            let d = self.at(d, span);
            self.diags.push(d);
        }
        found
    }

    /// Check ids against the criteria (or indicators) of `levels`.
    fn ids(
        &mut self,
        raw: &Option<Spanned<Vec<Spanned<String>>>>,
        levels: &[usize],
        indicators: bool,
    ) -> Option<Vec<String>> {
        let raw = raw.as_ref()?;
        let known = |id: &str| known_id(self.rs, levels, id, indicators);
        let mut out = Vec::new();
        let mut bad = Vec::new();
        for id in raw.get_ref() {
            if known(id.get_ref()) {
                out.push(id.get_ref().clone());
            } else {
                bad.push(id);
            }
        }
        for id in bad {
            let (code, what) = if indicators {
                ("case-unknown-indicator", "an indicator")
            } else {
                ("case-unknown-criterion", "a criterion")
            };
            let names: Vec<&str> = levels
                .iter()
                .map(|&l| self.rs.levels[l].id.as_str())
                .collect();
            let d = Diagnostic::error(
                code,
                format!(
                    "`{}` is not {what} of level `{}` in ruleset `{}`",
                    id.get_ref(),
                    names.join("`/`"),
                    self.rs.id
                ),
            );
            let d = self.at(d, id.span());
            self.diags.push(d);
        }
        Some(out)
    }

    fn expect(&mut self, raw: &Spanned<RawExpect>) -> Expect {
        let e = raw.get_ref();
        let level = match &e.level {
            None => {
                let d = Diagnostic::error("case-missing-key", "`expect` needs a `level`").help(
                    format!("the level reached: a level id, or `{NO_LEVEL}` when none is reached"),
                );
                let d = self.at(d, raw.span());
                self.diags.push(d);
                None
            }
            Some(l) if l.get_ref() == NO_LEVEL => Some(None),
            Some(l) => self.level(l.get_ref(), l.span()).map(Some),
        };
        let all: Vec<usize> = (0..self.rs.levels.len()).collect();
        let missing = self.ids(&e.missing, &all, false);
        let missing_indicators = self.ids(&e.missing_indicators, &all, true);
        let mut levels = Vec::new();
        for (id, le) in &e.levels {
            let Some(li) = self.level(id, le.span()) else {
                continue;
            };
            let le: &RawLevelExpect = le.get_ref();
            levels.push((
                li,
                LevelExpect {
                    reached: le.reached,
                    missing: self.ids(&le.missing, &[li], false),
                    missing_indicators: self.ids(&le.missing_indicators, &[li], true),
                },
            ));
        }
        Expect {
            level,
            missing,
            missing_indicators,
            levels,
        }
    }
}
