//! The built-in ruleset to use when `--rules` is not given: the one whose period holds the
//! assessment year (`--year`, else the data's `year` column, else today's year).
//!
//! Reads the data once ahead of the real pass (standard input excepted) for the years and to
//! check that the data has the chosen set's columns; prints nothing: the caller reports.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::bail;

use crate::cli::InputArgs;
use crate::data::read::{ReadOptions, YearFrom};
use crate::ruleset::{Ruleset, builtin, load_str};

/// Which built-in ruleset was chosen and why.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The built-in id.
    pub id: &'static str,
    /// Why, for `meta` and stderr: `--year 2026`, `year column 2025`, `today 2026-12-02`.
    pub by: String,
}

/// The built-in rulesets with their periods, oldest first.
fn builtins() -> Vec<(&'static str, Ruleset)> {
    builtin::BUILTIN
        .iter()
        .filter_map(|(id, path, text)| load_str(text, path).0.map(|rs| (*id, rs)))
        .collect()
}

fn holding(sets: &[(&'static str, Ruleset)], year: i32) -> Option<&'static str> {
    sets.iter()
        .find(|(_, rs)| rs.period.0 <= year && year <= rs.period.1)
        .map(|(id, _)| *id)
}

fn periods(sets: &[(&'static str, Ruleset)]) -> String {
    sets.iter()
        .map(|(id, rs)| format!("`{id}` {}–{}", rs.period.0, rs.period.1))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Today's date: `NTM_TODAY` (YYYY-MM-DD, for tests) or the system clock.
fn today() -> anyhow::Result<(i32, u32, u32)> {
    match std::env::var("NTM_TODAY") {
        Ok(t) => super::check::parse_date(&t)
            .ok_or_else(|| anyhow::anyhow!("NTM_TODAY `{t}` is not a date YYYY-MM-DD")),
        Err(_) => Ok(super::check::system_today()),
    }
}

/// What a read ahead saw: the years of the `year` column (with a row count each) and
/// whether a measure column of the ruleset is missing.
struct Seen {
    years: BTreeMap<i32, usize>,
    missing_columns: bool,
}

fn read_ahead(files: &[PathBuf], rs: &Ruleset, opts: &ReadOptions) -> anyhow::Result<Seen> {
    let names = super::scan::display_names(files);
    let mut ahead = opts.clone();
    ahead.year = None;
    ahead.allow_missing = true;
    ahead.allow_out_of_period = true;
    ahead.lenient = true;
    let (years, ends) = super::scan::scan(files, &names, rs, &ahead, false, |batches| {
        let mut years = BTreeMap::new();
        for row in batches.flatten() {
            if row.year_from == YearFrom::Column {
                *years.entry(row.year).or_insert(0) += 1;
            }
        }
        Ok(years)
    })?;
    let missing_columns = ends
        .iter()
        .any(|(end, _)| end.diags.iter().any(|d| d.code == "missing-column"));
    Ok(Seen {
        years,
        missing_columns,
    })
}

/// Choose the built-in ruleset for `input` (whose `--rules` is not given).
pub fn choose(input: &InputArgs, opts: &ReadOptions) -> anyhow::Result<Choice> {
    let sets = builtins();
    let files: Vec<PathBuf> = input
        .files
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    // Whether the chosen set's columns are missing, when the read ahead already tells.
    let mut probed: Option<bool> = None;
    let (id, by) = if let Some(y) = input.year {
        let Some(id) = holding(&sets, y) else {
            bail!(
                "no built-in ruleset covers --year {y} (built in: {}); pass --rules ID|FILE, with --allow-out-of-period to assess {y} against another period's set",
                periods(&sets)
            );
        };
        (id, format!("--year {y}"))
    } else {
        // The `year` column does not depend on the ruleset it is read with.
        let probe = &sets
            .iter()
            .find(|(id, _)| *id == builtin::DEFAULT_ID)
            .ok_or_else(|| anyhow::anyhow!("the default ruleset does not load"))?
            .1;
        let seen = if files.is_empty() {
            None
        } else {
            Some(read_ahead(&files, probe, opts)?)
        };
        let years = seen.as_ref().map(|s| s.years.clone()).unwrap_or_default();
        let mut by_set: BTreeMap<&str, Vec<(i32, usize)>> = BTreeMap::new();
        for (&y, &n) in &years {
            let Some(id) = holding(&sets, y) else {
                bail!(
                    "year {y} of the `year` column is in no built-in ruleset's period (built in: {}); pass --rules ID|FILE",
                    periods(&sets)
                );
            };
            by_set.entry(id).or_default().push((y, n));
        }
        match by_set.len() {
            0 => {
                let (y, m, d) = today()?;
                let Some(id) = holding(&sets, y).or_else(|| sets.last().map(|(id, _)| *id)) else {
                    bail!("no built-in ruleset");
                };
                (id, format!("today {y:04}-{m:02}-{d:02}"))
            }
            1 => {
                let (id, ys) = by_set.iter().next().expect("one set");
                let list: Vec<String> = ys.iter().map(|(y, _)| y.to_string()).collect();
                if *id == builtin::DEFAULT_ID {
                    // The read ahead was with this very set: its columns are known.
                    probed = seen.map(|s| s.missing_columns);
                }
                (*id, format!("year column {}", list.join(", ")))
            }
            _ => {
                let parts: Vec<String> = by_set
                    .iter()
                    .map(|(id, ys)| {
                        let rows: usize = ys.iter().map(|(_, n)| n).sum();
                        let list: Vec<String> = ys.iter().map(|(y, _)| y.to_string()).collect();
                        format!("{} ({rows} row(s), `{id}`)", list.join(", "))
                    })
                    .collect();
                bail!(
                    "the `year` column spans the periods of two rulesets: {}; split the file by period and evaluate each part (its rows of one period, with --rules of that period), or pass --rules ID|FILE with --allow-out-of-period to assess every row against one set",
                    parts.join(" and ")
                );
            }
        }
    };
    // The data must have the chosen set's columns; if it has another set's, say which.
    if !files.is_empty() && !input.allow_missing {
        let chosen = &sets
            .iter()
            .find(|(i, _)| *i == id)
            .expect("chosen is built in")
            .1;
        let missing = match probed {
            Some(m) => m,
            None => read_ahead(&files, chosen, opts)?.missing_columns,
        };
        if missing {
            for (other, rs) in sets.iter().rev() {
                if *other == id || read_ahead(&files, rs, opts)?.missing_columns {
                    continue;
                }
                bail!(
                    "the data lacks measure columns of `{id}` (chosen by {by}) but has every column of built-in ruleset `{other}` ({}–{}); pass --year {} or --rules {other}",
                    rs.period.0,
                    rs.period.1,
                    rs.period.1
                );
            }
        }
    }
    Ok(Choice { id, by })
}
