//! The threshold sheet of `ntm rules sheet` / `ntm rules import`, as data: one reference row
//! per level × criterion × indicator × zone × year entry of a ruleset's numeric thresholds,
//! the columns an office fills in (official value and its source), and the reading of a
//! filled sheet back into checked entries.
//!
//! Pure: cells in, rows and diagnostics out. Rendering is in `report::sheet`, files and
//! workbooks in `cmd::sheet`, the written ruleset in `ruleset::import`.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;

use super::model::{IndicatorRef, MeasureKind, Ruleset, Test, Threshold, in_force};
use crate::diag::Diagnostic;
use crate::lang::Lang;

/// Format tag of the sheet, stored with its identification.
pub const FORMAT: &str = "ntm-threshold-sheet-1";

/// Codes of `rules import`.
pub const CODES: [&str; 7] = [
    "bad-sheet-value",
    "duplicate-sheet-row",
    "edited-reference-column",
    "missing-sheet-source",
    "sheet-layout",
    "sheet-of-another-ruleset",
    "unknown-sheet-row",
];

/// Which rows a sheet holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    /// One zone only.
    pub zone: Option<usize>,
    /// Only the year entries in force in this year.
    pub year: Option<i32>,
}

/// One reference row: what `ntm` uses now for one zone and year entry of one indicator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefRow {
    /// Where the indicator is.
    pub at: IndicatorRef,
    /// Zone index.
    pub zone: usize,
    /// Index of the year entry in the indicator's threshold.
    pub entry: usize,
    /// The reference cells, in [`COLUMNS`] order up to [`VALUE`] (exclusive), then the
    /// verified mark, the legal source and the basis note.
    pub cells: Vec<String>,
    /// What an entered value must be.
    pub check: RowCheck,
}

/// What the official value of a row must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowCheck {
    /// A number of the measure's kind (`percent`, `count`, `number`).
    Number(MeasureKind),
    /// A `yes` indicator: the entry confirms the requirement, `Đạt`.
    Yes,
    /// A `none` indicator: the entry confirms the requirement, `Không`.
    None,
}

/// The requirement word of a yes/no row in `lang`.
pub fn requirement_word(check: RowCheck, lang: Lang) -> &'static str {
    match check {
        RowCheck::Yes => lang.pick("yes", "Đạt"),
        RowCheck::None => lang.pick("none", "Không"),
        RowCheck::Number(_) => "",
    }
}

/// Column headers (English, Vietnamese) in order.
pub const COLUMNS: [(&str, &str); 19] = [
    ("level", "Cấp độ"),
    ("criterion", "Tiêu chí"),
    ("criterion name", "Tên tiêu chí"),
    ("indicator", "Chỉ tiêu"),
    ("indicator name", "Tên chỉ tiêu"),
    ("measure", "Cột số liệu"),
    ("unit", "Đơn vị"),
    ("comparison", "So sánh"),
    ("zone", "Vùng / nhóm"),
    ("from year", "Từ năm"),
    ("value ntm uses now", "Giá trị ntm đang dùng"),
    ("OFFICIAL VALUE", "GIÁ TRỊ CHÍNH THỨC"),
    ("decision", "Quyết định"),
    ("annex", "Phụ lục"),
    ("item", "Mục"),
    ("page", "Trang"),
    ("verified", "Đã kiểm chứng"),
    ("legal source", "Căn cứ pháp lý"),
    ("basis note", "Ghi chú cơ sở"),
];

/// Index of the official value column; the entry columns are `VALUE..=PAGE`.
pub const VALUE: usize = 11;
/// Index of the decision column.
pub const DECISION: usize = 12;
/// Index of the page column (last entry column).
pub const PAGE: usize = 15;

/// The headers in `lang`.
pub fn headers(lang: Lang) -> Vec<&'static str> {
    COLUMNS.iter().map(|(en, vi)| lang.pick(en, vi)).collect()
}

/// Every reference row of `rs` in `scope`, in file order, then by year entry, then by zone:
/// numeric indicators with fixed thresholds, and yes/no indicators (whose official "value"
/// confirms the requirement). Derived thresholds have no value of their own to enter.
pub fn rows(rs: &Ruleset, scope: Scope, lang: Lang) -> Vec<RefRow> {
    let mut out = Vec::new();
    for at in rs.walk() {
        let (r, ind) = (at.r, at.indicator);
        let check = match &ind.test {
            Test::Yes => RowCheck::Yes,
            Test::None => RowCheck::None,
            Test::Compare(_, Threshold::Fixed(_)) => {
                RowCheck::Number(rs.measures[ind.measure].kind)
            }
            Test::Compare(_, Threshold::Derived { .. }) => continue,
        };
        if check != RowCheck::Number(rs.measures[ind.measure].kind) {
            yes_no_rows(rs, r, scope, lang, check, &mut out);
            continue;
        }
        let Test::Compare(op, Threshold::Fixed(entries)) = &ind.test else {
            continue;
        };
        let (level, crit) = (at.level, at.criterion);
        let m = &rs.measures[ind.measure];
        let kept: Vec<usize> = match scope.year {
            Some(y) => {
                let e = in_force(entries, y);
                entries
                    .iter()
                    .position(|x| std::ptr::eq(x, e))
                    .into_iter()
                    .collect()
            }
            None => (0..entries.len()).collect(),
        };
        for ei in kept {
            let e = &entries[ei];
            for (zi, zone) in rs.zones.iter().enumerate() {
                if scope.zone.is_some_and(|z| z != zi) {
                    continue;
                }
                let ind_name = match lang {
                    Lang::En => ind.name.as_deref().unwrap_or(&m.name),
                    Lang::Vi => ind.name_vi.as_deref().unwrap_or(&m.name_vi),
                };
                let verified = e.verified[zi];
                let note = if verified {
                    String::new()
                } else {
                    e.note
                        .clone()
                        .or_else(|| ind.note.clone())
                        .unwrap_or_default()
                };
                let cells = vec![
                    level.id.clone(),
                    crit.id.clone(),
                    lang.pick(&crit.name, &crit.name_vi).to_string(),
                    ind.id.clone(),
                    ind_name.to_string(),
                    m.id.clone(),
                    unit(
                        m.kind,
                        match lang {
                            Lang::Vi => m.unit_vi.as_deref().or(m.unit.as_deref()),
                            Lang::En => m.unit.as_deref(),
                        },
                        lang,
                    ),
                    op.as_str().to_string(),
                    zone.id.clone(),
                    e.from.map(|y| y.to_string()).unwrap_or_default(),
                    e.values[zi].normalize().to_string(),
                    verified_word(verified, lang),
                    ind.source.clone(),
                    note,
                ];
                out.push(RefRow {
                    at: r,
                    zone: zi,
                    entry: ei,
                    cells,
                    check,
                });
            }
        }
    }
    out
}

fn verified_word(verified: bool, lang: Lang) -> String {
    lang.pick(
        if verified { "yes" } else { "no" },
        if verified { "có" } else { "không" },
    )
    .to_string()
}

/// The rows of a yes/no indicator: one per zone.
fn yes_no_rows(
    rs: &Ruleset,
    r: IndicatorRef,
    scope: Scope,
    lang: Lang,
    check: RowCheck,
    out: &mut Vec<RefRow>,
) {
    let ind = rs.indicator(r);
    let level = &rs.levels[r.level];
    let crit = &level.criteria[r.criterion];
    let m = &rs.measures[ind.measure];
    for (zi, zone) in rs.zones.iter().enumerate() {
        if scope.zone.is_some_and(|z| z != zi) {
            continue;
        }
        let ind_name = match lang {
            Lang::En => ind.name.as_deref().unwrap_or(&m.name),
            Lang::Vi => ind.name_vi.as_deref().unwrap_or(&m.name_vi),
        };
        let verified = ind.verified[zi];
        let note = if verified {
            String::new()
        } else {
            ind.note.clone().unwrap_or_default()
        };
        let op = match check {
            RowCheck::None => "none",
            _ => "yes",
        };
        let cells = vec![
            level.id.clone(),
            crit.id.clone(),
            lang.pick(&crit.name, &crit.name_vi).to_string(),
            ind.id.clone(),
            ind_name.to_string(),
            m.id.clone(),
            lang.pick("yes/no", "đạt/không đạt").to_string(),
            op.to_string(),
            zone.id.clone(),
            String::new(),
            requirement_word(check, lang).to_string(),
            verified_word(verified, lang),
            ind.source.clone(),
            note,
        ];
        out.push(RefRow {
            at: r,
            zone: zi,
            entry: 0,
            cells,
            check,
        });
    }
}

/// The unit column: the measure's unit, else its kind.
fn unit(kind: MeasureKind, unit: Option<&str>, lang: Lang) -> String {
    match (kind, unit) {
        (MeasureKind::Percent, _) => "%".to_string(),
        (_, Some(u)) => crate::report::template::unit_text(u, lang),
        (MeasureKind::Count, None) => lang.pick("count", "số lượng").to_string(),
        (_, None) => lang.pick("number", "số").to_string(),
    }
}

/// The full row of cells of a reference row: reference cells with the entry columns empty.
pub fn full_cells(row: &RefRow) -> Vec<String> {
    let mut cells = row.cells[..VALUE].to_vec();
    cells.extend(std::iter::repeat_n(String::new(), PAGE - VALUE + 1));
    cells.extend(row.cells[VALUE..].iter().cloned());
    cells
}

/// A cell as read from a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text (trimmed by the reader is not assumed).
    Text(String),
    /// A number cell (workbooks).
    Number(f64),
}

impl Cell {
    /// The cell as text: numbers in their shortest round-trip form (`95`, `16.5`).
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(f) => number_text(*f),
        }
    }
}

/// `f64` → its shortest decimal spelling that reads back as the same `f64` (Rust's `Display`
/// is exactly that); `95.0` → `95`.
fn number_text(f: f64) -> String {
    let s = format!("{f}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// What identifies the ruleset a sheet was made from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ident {
    /// Ruleset id.
    pub ruleset: String,
    /// SHA-256 of the ruleset.
    pub sha256: String,
    /// Language of the names.
    pub lang: String,
    /// Zone filter, or empty.
    pub zone: String,
    /// Year filter, or empty.
    pub year: String,
}

impl Ident {
    /// The identification of a sheet of `rs`.
    pub fn new(rs: &Ruleset, scope: Scope, lang: Lang) -> Self {
        Ident {
            ruleset: rs.id.clone(),
            sha256: rs.sha256.clone(),
            lang: lang.pick("en", "vi").to_string(),
            zone: scope
                .zone
                .map(|z| rs.zones[z].id.clone())
                .unwrap_or_default(),
            year: scope.year.map(|y| y.to_string()).unwrap_or_default(),
        }
    }

    /// As `key=value` pairs, in a fixed order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("format", FORMAT.to_string()),
            ("ruleset", self.ruleset.clone()),
            ("sha256", self.sha256.clone()),
            ("lang", self.lang.clone()),
            ("zone", self.zone.clone()),
            ("year", self.year.clone()),
        ]
    }

    /// From `key=value` pairs; `Err` names what is missing or wrong.
    pub fn from_pairs(pairs: &BTreeMap<String, String>) -> Result<Self, String> {
        let get = |k: &str| pairs.get(k).cloned().unwrap_or_default();
        if get("format") != FORMAT {
            return Err(format!(
                "not a threshold sheet of `ntm rules sheet` (format `{}`, expected `{FORMAT}`)",
                short(&get("format"))
            ));
        }
        Ok(Ident {
            ruleset: get("ruleset"),
            sha256: get("sha256"),
            lang: get("lang"),
            zone: get("zone"),
            year: get("year"),
        })
    }

    /// The scope and language it names in `rs`.
    pub fn scope(&self, rs: &Ruleset) -> Result<(Scope, Lang), String> {
        let lang = match self.lang.as_str() {
            "en" => Lang::En,
            "vi" => Lang::Vi,
            other => return Err(format!("unknown sheet language `{}`", short(other))),
        };
        let zone =
            match self.zone.as_str() {
                "" => None,
                z => Some(rs.zone_index(z).ok_or_else(|| {
                    format!("the sheet's zone `{}` is not in `{}`", short(z), rs.id)
                })?),
            };
        let year = match self.year.as_str() {
            "" => None,
            y => Some(
                y.parse::<i32>()
                    .map_err(|_| format!("the sheet's year `{}` is not a year", short(y)))?,
            ),
        };
        Ok((Scope { zone, year }, lang))
    }
}

/// An official value read from a sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entered {
    /// Where the indicator is.
    pub at: IndicatorRef,
    /// Zone index.
    pub zone: usize,
    /// Year entry index.
    pub entry: usize,
    /// The value, exact; `None` for a yes/no row (the entry confirms the requirement).
    pub value: Option<Decimal>,
    /// Decision, annex, item, page joined.
    pub source: String,
    /// The decision alone.
    pub decision: String,
    /// Row of the sheet it was read from (1-based).
    pub row: u64,
}

/// Read the data rows of a filled sheet (`rows`: 1-based sheet row and cells, header
/// excluded) against the expected reference rows. Every problem is a diagnostic located at
/// `path`, row and column.
pub fn read_filled(
    expected: &[RefRow],
    rows: &[(u64, Vec<Cell>)],
    lang: Lang,
    path: &str,
) -> (Vec<Entered>, Vec<Diagnostic>) {
    let heads = headers(lang);
    let key = |cells: &[String]| -> (String, String, String, String) {
        (
            cells[0].clone(),
            cells[3].clone(),
            cells[8].clone(),
            cells[9].clone(),
        )
    };
    let mut by_key: BTreeMap<(String, String, String, String), &RefRow> = BTreeMap::new();
    for r in expected {
        by_key.insert(key(&r.cells), r);
    }
    let mut seen: BTreeMap<(String, String, String, String), u64> = BTreeMap::new();
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for (row, cells) in rows {
        let text: Vec<String> = (0..COLUMNS.len())
            .map(|i| cells.get(i).map(Cell::text).unwrap_or_default())
            .collect();
        if text.iter().all(String::is_empty) {
            continue;
        }
        let at = |col: usize| Some(col as u64 + 1);
        let k = key(&text);
        let Some(exp) = by_key.get(&k) else {
            diags.push(
                Diagnostic::error(
                    "unknown-sheet-row",
                    format!(
                        "row {row}: no threshold `{}` / `{}` / zone `{}` / from `{}` in the ruleset the sheet was made from",
                        short(&k.0),
                        short(&k.1),
                        short(&k.2),
                        short(&k.3)
                    ),
                )
                .at(path, Some(*row), at(0))
                .help("the level, indicator, zone and from-year columns identify a row: restore them"),
            );
            continue;
        };
        if let Some(first) = seen.insert(k.clone(), *row) {
            diags.push(
                Diagnostic::error(
                    "duplicate-sheet-row",
                    format!("row {row} repeats the threshold of row {first}"),
                )
                .at(path, Some(*row), at(0)),
            );
            continue;
        }
        let mut edited = false;
        let reference = (0..VALUE).chain(PAGE + 1..COLUMNS.len());
        for (ci, want) in reference.zip(exp.cells.iter()) {
            // A spreadsheet program may re-spell a number (`16,5` for `16.5` in a Vietnamese
            // locale) when it saves a CSV: the same number is the same cell.
            let same_number = || matches!((parse_decimal(&text[ci]), parse_decimal(want)), (Some(a), Some(b)) if a == b);
            if text[ci] != want.trim() && !same_number() {
                edited = true;
                diags.push(
                    Diagnostic::error(
                        "edited-reference-column",
                        format!(
                            "row {row}, column `{}`: `{}` differs from `{}`, the ruleset's",
                            heads[ci],
                            short(&text[ci]),
                            short(want)
                        ),
                    )
                    .at(path, Some(*row), at(ci))
                    .help("only the official value and its source (decision, annex, item, page) are entered; make a new sheet with `ntm rules sheet` if the ruleset changed"),
                );
                break;
            }
        }
        if edited {
            continue;
        }
        let value = &text[VALUE];
        let source_parts: Vec<&str> = (DECISION..=PAGE).map(|i| text[i].as_str()).collect();
        let has_source = source_parts.iter().any(|s| !s.is_empty());
        if value.is_empty() {
            if has_source {
                diags.push(
                    Diagnostic::error(
                        "missing-sheet-source",
                        format!("row {row}: a source is given but no official value"),
                    )
                    .at(path, Some(*row), at(VALUE))
                    .help("enter the value the decision gives, or clear the source cells"),
                );
            }
            continue;
        }
        if text[DECISION].is_empty() {
            diags.push(
                Diagnostic::error(
                    "missing-sheet-source",
                    format!(
                        "row {row}: official value `{}` has no source: the `{}` column is empty",
                        short(value),
                        heads[DECISION]
                    ),
                )
                .at(path, Some(*row), at(DECISION))
                .help("name the decision (and annex, item, page) the value is read from"),
            );
            continue;
        }
        let parsed = match exp.check {
            RowCheck::Number(kind) => match cells.get(VALUE) {
                Some(Cell::Number(f)) => Decimal::from_str(&number_text(*f)).ok(),
                _ => parse_decimal(value),
            }
            .filter(|v| kind.admits(*v))
            .map(Some),
            RowCheck::Yes | RowCheck::None => {
                let words: &[&str] = if exp.check == RowCheck::Yes {
                    &["dat", "yes", "co"]
                } else {
                    &["khong", "none", "no"]
                };
                let is_text = !matches!(cells.get(VALUE), Some(Cell::Number(_)));
                (is_text && words.contains(&crate::text::fold(value).as_str())).then_some(None)
            }
        };
        let Some(v) = parsed else {
            let word = requirement_word(exp.check, lang);
            let expected = match exp.check {
                RowCheck::Number(MeasureKind::Percent) => {
                    "a percentage 0–100 in percent (`95` for 95 %)".to_string()
                }
                RowCheck::Number(MeasureKind::Count) => "a whole number ≥ 0".to_string(),
                RowCheck::Number(MeasureKind::Number | MeasureKind::Bool) => {
                    "a number ≥ 0".to_string()
                }
                RowCheck::Yes | RowCheck::None => format!(
                    "`{word}`, the requirement a yes/no row confirms (a number or another answer is not)"
                ),
            };
            diags.push(
                Diagnostic::error(
                    "bad-sheet-value",
                    format!(
                        "row {row}: official value `{}` is not {expected} (measure `{}`)",
                        short(value),
                        exp.cells[5]
                    ),
                )
                .at(path, Some(*row), at(VALUE)),
            );
            continue;
        };
        let labels = ["", "annex ", "item ", "p. "];
        let source = source_parts
            .iter()
            .zip(labels)
            .filter(|(s, _)| !s.is_empty())
            .map(|(s, l)| format!("{l}{s}"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(Entered {
            at: exp.at,
            zone: exp.zone,
            entry: exp.entry,
            value: v.map(|v| v.normalize()),
            source,
            decision: text[DECISION].clone(),
            row: *row,
        });
    }
    (out, diags)
}

/// A decimal typed by a person: `95`, `16.5`, `16,5` (decimal comma), an optional trailing
/// `%`. Thousands separators are refused (no NTM threshold needs them).
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let s = s.trim();
    let s = s.strip_suffix('%').map(str::trim_end).unwrap_or(s);
    let s = if !s.contains('.') && s.matches(',').count() == 1 {
        s.replace(',', ".")
    } else {
        s.to_string()
    };
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
    {
        return None;
    }
    Decimal::from_str(&s).ok()
}

/// A cell's text for a message: at most 60 characters, control characters escaped (a sheet
/// is hostile input).
pub fn short(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == 60 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
