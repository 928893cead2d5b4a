//! Table-driven cases (`ntm test --data communes.csv --expect expected.csv`): every commune row
//! read by the data reader is a case, and its expectation is the row of the expected-results
//! CSV with the same commune code (and year, when that column is given).
//!
//! Pure: takes the rows (already read by `cmd::scan`) and the expected CSV's cells, returns
//! cases and located diagnostics. The CSV format is documented in docs/testing.md.

use std::collections::HashMap;

use super::{Case, CaseFile, Expect, NO_LEVEL, known_id};
use crate::data::read::Row;
use crate::data::units::code_key;
use crate::diag::Diagnostic;
use crate::ruleset::Ruleset;
use crate::text::{echo, fold};

/// The expected-results CSV as read: its header and data records with their lines.
#[derive(Debug, Clone, Default)]
pub struct ExpectedCsv {
    /// The header cells.
    pub header: Vec<String>,
    /// (line, cells) of every data record.
    pub records: Vec<(u64, Vec<String>)>,
}

/// The columns of an expected-results CSV.
pub const COLUMNS: [&str; 5] = ["code", "year", "level", "missing", "missing_indicators"];

/// One expected row, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// Commune code (`data::units::code_key`).
    pub code: String,
    /// Assessment year, when the CSV gives it.
    pub year: Option<i32>,
    /// Line in the expected CSV.
    pub line: u64,
    /// The expectation.
    pub expect: Expect,
}

/// Where each column is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Layout {
    /// Column of each of [`COLUMNS`].
    pub cols: [Option<usize>; 5],
}

impl Layout {
    /// Does the file have column `column` of [`COLUMNS`]?
    pub fn has(&self, column: usize) -> bool {
        self.cols[column].is_some()
    }
}

/// Ids listed in a cell: separated by `;`, `,` or spaces.
fn ids(cell: &str) -> Vec<String> {
    cell.split([';', ',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Validate the expected CSV against `rs`.
pub fn expectations(
    csv: &ExpectedCsv,
    rs: &Ruleset,
    path: &str,
) -> (Vec<Expected>, Layout, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut layout = Layout::default();
    for (ci, h) in csv.header.iter().enumerate() {
        if let Some(k) = COLUMNS.iter().position(|c| fold(c) == fold(h)) {
            layout.cols[k].get_or_insert(ci);
        }
    }
    let (Some(code_col), Some(level_col)) = (layout.cols[0], layout.cols[2]) else {
        diags.push(
            Diagnostic::error(
                "case-expect-missing-column",
                "the expected-results file needs a `code` and a `level` column",
            )
            .at(path, Some(1), None)
            .help("columns: code, level, and optionally year, missing, missing_indicators"),
        );
        return (Vec::new(), layout, diags);
    };
    let all: Vec<usize> = (0..rs.levels.len()).collect();
    let mut out = Vec::new();
    let mut seen: HashMap<(String, Option<i32>), u64> = HashMap::new();
    for (line, cells) in &csv.records {
        let line = *line;
        let cell = |c: Option<usize>| c.and_then(|c| cells.get(c)).map(|s| s.trim());
        let at = |d: Diagnostic, c: usize| d.at(path, Some(line), Some(c as u64 + 1));
        let code = cell(Some(code_col)).unwrap_or("");
        if code.is_empty() {
            diags.push(at(
                Diagnostic::error("case-expect-missing-column", "the row has no commune code"),
                code_col,
            ));
            continue;
        }
        let code = code_key(code).into_owned();
        let year = match cell(layout.cols[1]).filter(|y| !y.is_empty()) {
            None => None,
            Some(y) => match y.parse::<i32>() {
                Ok(y) => Some(y),
                Err(_) => {
                    diags.push(at(
                        Diagnostic::error("not-a-year", format!("`{}` is not a year", echo(y))),
                        layout.cols[1].unwrap_or(0),
                    ));
                    continue;
                }
            },
        };
        let level_text = cell(Some(level_col)).unwrap_or("");
        let level = if level_text == NO_LEVEL {
            Some(None)
        } else if let Some(l) = rs.level_index(level_text) {
            Some(Some(l))
        } else {
            let names: Vec<&str> = rs.levels.iter().map(|l| l.id.as_str()).collect();
            diags.push(
                at(
                    Diagnostic::error(
                        "case-unknown-level",
                        format!(
                            "`{}` is not a level of ruleset `{}`",
                            echo(level_text),
                            rs.id
                        ),
                    ),
                    level_col,
                )
                .help(format!(
                    "expected one of `{}`, or `{NO_LEVEL}`",
                    names.join("`, `")
                )),
            );
            None
        };
        let mut list = |k: usize, indicators: bool| -> Option<Vec<String>> {
            let col = layout.cols[k]?;
            let v = ids(cell(Some(col)).unwrap_or(""));
            for id in &v {
                if !known_id(rs, &all, id, indicators) {
                    let (code, what) = if indicators {
                        ("case-unknown-indicator", "an indicator")
                    } else {
                        ("case-unknown-criterion", "a criterion")
                    };
                    diags.push(at(
                        Diagnostic::error(
                            code,
                            format!("`{}` is not {what} of ruleset `{}`", echo(id), rs.id),
                        ),
                        col,
                    ));
                }
            }
            Some(v)
        };
        let missing = list(3, false);
        let missing_indicators = list(4, true);
        if let Some(first) = seen.insert((code.clone(), year), line) {
            diags.push(at(
                Diagnostic::error(
                    "case-expect-duplicate",
                    format!(
                        "commune `{}` is already expected on line {first}",
                        echo(&code)
                    ),
                ),
                code_col,
            ));
            continue;
        }
        out.push(Expected {
            code,
            year,
            line,
            expect: Expect {
                level,
                missing,
                missing_indicators,
                levels: Vec::new(),
            },
        });
    }
    (out, layout, diags)
}

/// One case per data row, with the expectation matched by code (and year when given). Every
/// data row without an expectation and every expectation without a data row is reported;
/// with `bless`, rows without an expectation are cases without one.
pub fn cases(
    rows: &[Row],
    names: &[String],
    expected: &[Expected],
    expect_path: &str,
    bless: bool,
) -> (Vec<CaseFile>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut used = vec![false; expected.len()];
    let mut files: Vec<CaseFile> = names
        .iter()
        .map(|n| CaseFile {
            path: n.clone(),
            cases: Vec::new(),
        })
        .collect();
    for row in rows {
        let file = &names[row.input];
        let key = row.code.as_deref().map(code_key);
        let found = key.as_deref().and_then(|k| {
            expected
                .iter()
                .position(|e| e.code == k && e.year.is_none_or(|y| y == row.year))
        });
        if let Some(i) = found {
            used[i] = true;
        } else if !bless {
            let what = match &row.code {
                Some(c) => format!(
                    "commune `{}` (year {}) has no expected row",
                    echo(c),
                    row.year
                ),
                None => "the row has no commune code to match an expected row".to_string(),
            };
            diags.push(
                Diagnostic::error("case-expect-no-row", what)
                    .at(file, Some(row.line), None)
                    .help(format!(
                        "add its row to {expect_path}, or run `ntm test --bless` to write it"
                    )),
            );
        }
        let name = match (&row.code, &row.name) {
            (Some(c), Some(n)) => format!("{c} {n}"),
            (Some(c), None) => c.clone(),
            (None, Some(n)) => n.clone(),
            (None, None) => format!("line {}", row.line),
        };
        files[row.input].cases.push(Case {
            name,
            line: row.line,
            code: row.code.clone(),
            zone: row.zone,
            year: row.year,
            values: row.values.clone(),
            expect: found.map(|i| expected[i].expect.clone()),
        });
    }
    if !bless {
        for (e, u) in expected.iter().zip(&used) {
            if !u {
                let year = e.year.map_or(String::new(), |y| format!(" (year {y})"));
                diags.push(
                    Diagnostic::error(
                        "case-expect-unmatched",
                        format!("no data row for commune `{}`{year}", echo(&e.code)),
                    )
                    .at(expect_path, Some(e.line), None),
                );
            }
        }
    }
    (files, diags)
}

/// The expected-results CSV that `results` would pass, one row per case in order: columns
/// `code`, `year`, `level`, `missing`, and `missing_indicators` when asked.
pub fn bless_csv(
    cases: &[(&Case, &super::run::CaseResult)],
    with_indicators: bool,
) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["code", "year", "level", "missing"];
    if with_indicators {
        header.push("missing_indicators");
    }
    w.write_record(&header)?;
    for (case, r) in cases {
        let (missing, missing_ind) = r.actual.next_missing();
        let mut rec = vec![
            case.code.clone().unwrap_or_default(),
            case.year.to_string(),
            r.actual
                .level
                .clone()
                .unwrap_or_else(|| NO_LEVEL.to_string()),
            missing.join(";"),
        ];
        if with_indicators {
            rec.push(missing_ind.join(";"));
        }
        w.write_record(&rec)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::read::{YearFrom, ZoneFrom};
    use crate::ruleset::load_str;

    fn example() -> Ruleset {
        let (rs, _) = load_str(include_str!("../../examples/ruleset.toml"), "r.toml");
        rs.expect("the example ruleset loads")
    }

    fn csv(text: &str) -> ExpectedCsv {
        let mut lines = text
            .lines()
            .map(|l| l.split(',').map(str::to_string).collect());
        ExpectedCsv {
            header: lines.next().unwrap_or_default(),
            records: lines.enumerate().map(|(i, c)| (i as u64 + 2, c)).collect(),
        }
    }

    fn row(code: &str, year: i32, line: u64) -> Row {
        Row {
            input: 0,
            line,
            code: Some(code.to_string()),
            name: None,
            district: None,
            province: None,
            zone: 1,
            zone_from: ZoneFrom::Column,
            year,
            year_from: YearFrom::Column,
            values: vec![None; example().measures.len()],
            kept: Vec::new(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn codes_match_as_the_reader_pads_them_and_years_narrow_the_match() {
        let rs = example();
        let (exp, layout, diags) = expectations(
            &csv("code,year,level,missing\n1,2024,none,10\n1,2025,standard,\n"),
            &rs,
            "e.csv",
        );
        assert!(diags.is_empty(), "{diags:#?}");
        assert!(!layout.has(4));
        assert_eq!(exp[0].code, "00001");
        let rows = [row("00001", 2025, 2), row("1", 2024, 3)];
        let (files, diags) = cases(&rows, &["d.csv".to_string()], &exp, "e.csv", false);
        assert!(diags.is_empty(), "{diags:#?}");
        let c = &files[0].cases;
        assert_eq!(c[0].expect.as_ref().and_then(|e| e.level), Some(Some(0)));
        assert_eq!(c[1].expect.as_ref().and_then(|e| e.level), Some(None));
        assert_eq!(
            c[1].expect.as_ref().and_then(|e| e.missing.clone()),
            Some(vec!["10".to_string()])
        );
    }

    #[test]
    fn nothing_is_dropped_silently() {
        let rs = example();
        let (exp, _, diags) =
            expectations(&csv("code,level\n10816,none\n99999,none\n"), &rs, "e.csv");
        assert!(diags.is_empty(), "{diags:#?}");
        let rows = [row("10816", 2025, 2), row("10825", 2025, 3)];
        let (files, diags) = cases(&rows, &["d.csv".to_string()], &exp, "e.csv", false);
        let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["case-expect-no-row", "case-expect-unmatched"]);
        // Every data row is still a case.
        assert_eq!(files[0].cases.len(), 2);
        // Blessing accepts both: the file is about to be written anew.
        let (_, diags) = cases(&rows, &["d.csv".to_string()], &exp, "e.csv", true);
        assert!(diags.is_empty());
    }

    #[test]
    fn a_file_without_code_or_level_is_refused() {
        let (_, _, diags) = expectations(&csv("commune,level\n1,none\n"), &example(), "e.csv");
        assert_eq!(diags[0].code, "case-expect-missing-column");
    }

    #[test]
    fn ids_split_on_semicolons_commas_and_spaces() {
        assert_eq!(ids("10; 3,3.1  9"), ["10", "3", "3.1", "9"]);
        assert!(ids("  ").is_empty());
    }
}
