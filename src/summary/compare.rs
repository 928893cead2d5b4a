//! Reconciliation: computed counts beside the figures a province published
//! (`ntm summary --compare reported.csv`, format in docs/summary.md).
//!
//! Pure: the reported file's text in, rows and diagnostics out; rows and a summary in,
//! comparisons out. The command reads the file.

use serde::Serialize;

use super::Summary;
use crate::diag::Diagnostic;
use crate::ruleset::Ruleset;
use crate::text::{fold, nfc, spelling_key};

/// The diagnostic codes of reported-figures files (documented in docs/summary.md).
pub const CODES: [&str; 4] = [
    "reported-missing-column",
    "reported-bad-count",
    "reported-unknown-level",
    "reported-duplicate",
];

/// One published figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    /// The group (`None`: the total).
    pub group: Option<String>,
    /// Level index.
    pub level: usize,
    /// Communes reported at the level.
    pub count: usize,
    /// Communes of the group, when reported.
    pub total: Option<usize>,
    /// Line in the file.
    pub line: u64,
}

/// A published figure beside the computed one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// The group (null: the total).
    pub group: Option<String>,
    /// Level id.
    pub level: String,
    /// Line in the reported file.
    pub line: u64,
    /// Communes at the level, computed; null when the group is not in the computed figures.
    pub computed: Option<usize>,
    /// Communes at the level, reported.
    pub reported: usize,
    /// Communes of the group, computed (null when the group is not in the data).
    pub computed_total: Option<usize>,
    /// Communes of the group, reported (null when not given).
    pub reported_total: Option<usize>,
    /// The count (and the total, when reported) agree.
    pub same: bool,
}

/// Is this group cell the total? Empty, `total`, `tổng`, `tổng cộng`, `toàn tỉnh`.
fn is_total(cell: &str) -> bool {
    matches!(
        fold(cell).as_str(),
        "" | "total" | "tong" | "tong cong" | "toan tinh"
    )
}

/// Parse a reported-figures CSV: header with `group`, `level`, `reported` and optionally
/// `total` (English or Vietnamese names, any order). `None` when it has errors; every problem
/// is in the diagnostics.
pub fn parse(text: &str, path: &str, rs: &Ruleset) -> (Option<Vec<Reported>>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rec = csv::StringRecord::new();
    let header = match rdr.read_record(&mut rec) {
        Ok(true) => rec.iter().map(fold).collect::<Vec<String>>(),
        _ => Vec::new(),
    };
    let col = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let group_col = col(&["group", "nhom", "don vi", "unit"]);
    let level_col = col(&["level", "muc"]);
    let count_col = col(&["reported", "count", "so xa", "so luong"]);
    let total_col = col(&["total", "tong so xa", "tong"]);
    let (Some(gc), Some(lc), Some(cc)) = (group_col, level_col, count_col) else {
        diags.push(
            Diagnostic::error(
                "reported-missing-column",
                "the header needs the columns `group`, `level` and `reported`",
            )
            .at(path, Some(1), None)
            .help("optional: `total` (communes of the group); leave `group` empty for the total"),
        );
        return (None, diags);
    };
    let mut rows: Vec<Reported> = Vec::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map(|p| p.line());
                diags.push(
                    Diagnostic::error("reported-bad-count", e.to_string()).at(path, line, None),
                );
                break;
            }
        }
        let line = rec.position().map_or(0, |p| p.line());
        let cell = |c: usize| rec.get(c).unwrap_or("").trim();
        let group_cell = cell(gc);
        let group = (!is_total(group_cell)).then(|| nfc(group_cell));
        let level_cell = cell(lc);
        let level = rs.levels.iter().position(|l| {
            [&l.id, &l.name, &l.name_vi]
                .iter()
                .any(|n| fold(n) == fold(level_cell))
        });
        let Some(level) = level else {
            let ids: Vec<&str> = rs.levels.iter().map(|l| l.id.as_str()).collect();
            diags.push(
                Diagnostic::error(
                    "reported-unknown-level",
                    format!(
                        "column {} `level`: `{}` is not a level of ruleset `{}`",
                        lc + 1,
                        crate::text::echo(level_cell),
                        rs.id
                    ),
                )
                .at(path, Some(line), Some(lc as u64 + 1))
                .help(format!(
                    "expected one of `{}` (or a level name)",
                    ids.join("`, `")
                )),
            );
            continue;
        };
        let number = |c: usize, what: &str, diags: &mut Vec<Diagnostic>| -> Option<usize> {
            let v = cell(c);
            match v.parse::<usize>() {
                Ok(n) => Some(n),
                Err(_) => {
                    diags.push(
                        Diagnostic::error(
                            "reported-bad-count",
                            format!(
                                "column {} `{what}`: `{}` is not valid",
                                c + 1,
                                crate::text::echo(v)
                            ),
                        )
                        .at(path, Some(line), Some(c as u64 + 1))
                        .help("expected a whole number of communes, such as `94`"),
                    );
                    None
                }
            }
        };
        let Some(count) = number(cc, "reported", &mut diags) else {
            continue;
        };
        let total = match total_col {
            Some(tc) if !cell(tc).is_empty() => match number(tc, "total", &mut diags) {
                Some(t) => Some(t),
                None => continue,
            },
            _ => None,
        };
        if let Some(prev) = rows.iter().find(|r| r.group == group && r.level == level) {
            diags.push(
                Diagnostic::error(
                    "reported-duplicate",
                    format!(
                        "group `{}` level `{}` was already reported on line {}",
                        crate::text::echo(group.as_deref().unwrap_or("total")),
                        rs.levels[level].id,
                        prev.line
                    ),
                )
                .at(path, Some(line), None),
            );
            continue;
        }
        rows.push(Reported {
            group,
            level,
            count,
            total,
            line,
        });
    }
    if crate::diag::has_errors(&diags) {
        return (None, diags);
    }
    (Some(rows), diags)
}

/// Set each reported figure beside the computed one, in the reported file's order.
pub fn compare(rs: &Ruleset, s: &Summary, reported: &[Reported]) -> Vec<Comparison> {
    reported
        .iter()
        .map(|r| {
            let tally = match &r.group {
                None => Some(&s.total),
                Some(g) => s
                    .groups
                    .iter()
                    .find(|x| x.key.as_deref().map(spelling_key) == Some(spelling_key(g)))
                    .map(|x| &x.tally),
            };
            let computed = tally.map(|t| t.levels[r.level].reached);
            let computed_total = tally.map(|t| t.communes);
            let same =
                computed == Some(r.count) && r.total.is_none_or(|t| computed_total == Some(t));
            Comparison {
                group: r.group.clone(),
                level: rs.levels[r.level].id.clone(),
                line: r.line,
                computed,
                reported: r.count,
                computed_total,
                reported_total: r.total,
                same,
            }
        })
        .collect()
}
