//! Rendering `ntm diff`: a table for people, JSON, and markdown for a pull-request comment.
//! Decides nothing: `diff::diff` did the comparison.

use std::io::Write;

use comfy_table::Cell;
use serde::Serialize;

use super::table::{esc, esc_row, lines_cell, new_table, writeln_esc};
use crate::diff::{Change, Diff, Direction, Entry, Flip};
use crate::eval::Status;
use crate::record::Meta;

/// Which form of `diff` ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Mode {
    /// Two rulesets, the same data.
    Rulesets,
    /// One ruleset, two data snapshots.
    Snapshots,
}

/// What was compared.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DiffMeta {
    /// Which form.
    pub mode: Mode,
    /// OLD: a ruleset (with its id) or a data file.
    pub old: String,
    /// NEW: a ruleset (with its id) or a data file.
    pub new: String,
    /// The data files (rulesets form) or the ruleset (snapshots form).
    pub against: String,
    /// The provenance of the OLD and NEW runs (each built by `RunTally`, as for every
    /// command), written under `meta` in JSON.
    #[serde(skip)]
    pub runs: Option<[Meta; 2]>,
}

/// The provenance of both sides, in JSON.
#[derive(Serialize)]
struct Runs<'a> {
    old: &'a Meta,
    new: &'a Meta,
}

fn level(l: Option<&str>) -> &str {
    l.unwrap_or("none")
}

fn status(s: Option<Status>, absent: &'static str) -> &'static str {
    match s {
        Some(Status::Pass) => "pass",
        Some(Status::Fail) => "fail",
        Some(Status::NoData) => "no data",
        None => absent,
    }
}

/// `standard 10: pass → fail`.
pub(crate) fn flip_text(f: &Flip) -> String {
    format!(
        "{} {}: {} → {}",
        f.level,
        f.criterion,
        status(f.from, "(not in OLD)"),
        status(f.to, "(not in NEW)")
    )
}

fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Up => "up",
        Direction::Down => "down",
        Direction::Same => "same level",
    }
}

/// `3 communes change level: 1 up, 2 down; …`.
pub(crate) fn summary(d: &Diff) -> String {
    // Counts grouped as in every human output (`diff` speaks English only).
    let c = |n: usize| crate::lang::Lang::En.count(n as u64);
    let n = d.up() + d.down();
    let mut s = format!(
        "{} commune{} change{} level: {} up, {} down",
        c(n),
        if n == 1 { "" } else { "s" },
        if n == 1 { "s" } else { "" },
        c(d.up()),
        c(d.down())
    );
    let criteria_only = d.changes.len() - n;
    if criteria_only > 0 {
        s.push_str(&format!("; {} more change criteria only", c(criteria_only)));
    }
    s.push_str(&format!("; {} unchanged", c(d.unchanged)));
    if !d.only_old.is_empty() {
        s.push_str(&format!("; {} only in OLD", c(d.only_old.len())));
    }
    if !d.only_new.is_empty() {
        s.push_str(&format!("; {} only in NEW", c(d.only_new.len())));
    }
    s
}

fn commune(e: &Entry) -> String {
    match (&e.code, &e.name) {
        (Some(c), Some(n)) => format!("{c} {n}"),
        (Some(c), None) => c.clone(),
        (None, Some(n)) => n.clone(),
        (None, None) => format!("{}:{}", e.file, e.line),
    }
}

fn heading(m: &DiffMeta) -> String {
    match m.mode {
        Mode::Rulesets => format!("ruleset {} → {} on {}", m.old, m.new, m.against),
        Mode::Snapshots => format!("data {} → {} under {}", m.old, m.new, m.against),
    }
}

/// A summary line and one table row per changed commune; communes in one side only after.
pub(crate) fn table(out: &mut dyn Write, d: &Diff, m: &DiffMeta) -> std::io::Result<()> {
    writeln!(out, "{}", esc(&heading(m)))?;
    writeln!(out, "{}", esc(&summary(d)))?;
    if !d.changes.is_empty() {
        let mut t = new_table();
        t.set_header(esc_row([
            "Commune",
            "Before",
            "After",
            "Change",
            "Criteria that changed",
        ]));
        for c in &d.changes {
            let flips: Vec<String> = c.flips.iter().map(flip_text).collect();
            t.add_row([
                Cell::new(esc(&commune(&c.new))),
                Cell::new(esc(level(c.old.level.as_deref()))),
                Cell::new(esc(level(c.new.level.as_deref()))),
                Cell::new(direction(c.direction)),
                Cell::new(lines_cell(&flips)),
            ]);
        }
        writeln!(out, "{}", super::fit::fit(&mut t))?;
    }
    for (what, list) in [("OLD", &d.only_old), ("NEW", &d.only_new)] {
        for e in list {
            writeln_esc!(
                out,
                "only in {what}: {} ({}:{}), level {}",
                commune(e),
                e.file,
                e.line,
                level(e.level.as_deref())
            )?;
        }
    }
    Ok(())
}

/// Text in a Markdown table cell or list item: escaped as the criteria book escapes ruleset
/// texts (no HTML, link or table structure from a commune name), lines joined by `<br>`.
fn md_cell(s: &str) -> String {
    md_lines(&[s])
}

/// Several lines in one Markdown cell, each escaped, joined by `<br>`.
fn md_lines<S: AsRef<str>>(lines: &[S]) -> String {
    lines
        .iter()
        .map(|l| super::md::esc(l.as_ref()))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// Markdown for a pull-request comment: a summary line, then a table.
pub(crate) fn md(out: &mut dyn Write, d: &Diff, m: &DiffMeta) -> std::io::Result<()> {
    writeln!(out, "**{}**", summary(d))?;
    writeln!(out)?;
    writeln!(out, "{}", md_cell(&heading(m)))?;
    if !d.changes.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "| Commune | Before | After | Change | Criteria that changed |"
        )?;
        writeln!(out, "|---|---|---|---|---|")?;
        for c in &d.changes {
            let flips: Vec<String> = c.flips.iter().map(flip_text).collect();
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                md_cell(&commune(&c.new)),
                level(c.old.level.as_deref()),
                level(c.new.level.as_deref()),
                direction(c.direction),
                md_lines(&flips)
            )?;
        }
    }
    for (what, list) in [("OLD", &d.only_old), ("NEW", &d.only_new)] {
        if list.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "Only in {what}:")?;
        writeln!(out)?;
        for e in list {
            writeln!(
                out,
                "- {} (`{}:{}`), level {}",
                md_cell(&commune(e)),
                e.file,
                e.line,
                level(e.level.as_deref())
            )?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct Summary {
    level_changes: usize,
    up: usize,
    down: usize,
    criteria_only: usize,
    unchanged: usize,
    only_old: usize,
    only_new: usize,
}

#[derive(Serialize)]
struct ChangeOut<'a> {
    code: &'a Option<String>,
    name: &'a Option<String>,
    old_file: &'a str,
    old_line: u64,
    new_file: &'a str,
    new_line: u64,
    old_level: &'a Option<String>,
    new_level: &'a Option<String>,
    direction: Direction,
    flips: &'a [Flip],
}

impl<'a> ChangeOut<'a> {
    fn new(c: &'a Change) -> Self {
        ChangeOut {
            code: &c.new.code,
            name: &c.new.name,
            old_file: &c.old.file,
            old_line: c.old.line,
            new_file: &c.new.file,
            new_line: c.new.line,
            old_level: &c.old.level,
            new_level: &c.new.level,
            direction: c.direction,
            flips: &c.flips,
        }
    }
}

#[derive(Serialize)]
struct OneSide<'a> {
    code: &'a Option<String>,
    name: &'a Option<String>,
    file: &'a str,
    line: u64,
    level: &'a Option<String>,
}

#[derive(Serialize)]
struct DiffJson<'a> {
    ntm_version: &'static str,
    #[serde(flatten)]
    compared: &'a DiffMeta,
    summary: Summary,
    changes: Vec<ChangeOut<'a>>,
    only_old: Vec<OneSide<'a>>,
    only_new: Vec<OneSide<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<Runs<'a>>,
}

fn one_side(list: &[Entry]) -> Vec<OneSide<'_>> {
    list.iter()
        .map(|e| OneSide {
            code: &e.code,
            name: &e.name,
            file: &e.file,
            line: e.line,
            level: &e.level,
        })
        .collect()
}

/// One JSON document: what was compared, the summary, every change and one-sided commune.
pub(crate) fn json(out: &mut dyn Write, d: &Diff, m: &DiffMeta) -> std::io::Result<()> {
    let doc = DiffJson {
        ntm_version: env!("CARGO_PKG_VERSION"),
        compared: m,
        summary: Summary {
            level_changes: d.up() + d.down(),
            up: d.up(),
            down: d.down(),
            criteria_only: d.changes.len() - d.up() - d.down(),
            unchanged: d.unchanged,
            only_old: d.only_old.len(),
            only_new: d.only_new.len(),
        },
        changes: d.changes.iter().map(ChangeOut::new).collect(),
        only_old: one_side(&d.only_old),
        only_new: one_side(&d.only_new),
        meta: m.runs.as_ref().map(|[old, new]| Runs { old, new }),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    /// Issue #15: the diff's summary line groups its counts as every human output does.
    #[test]
    fn the_summary_line_groups_thousands() {
        let d = crate::diff::Diff {
            unchanged: 20_000,
            ..Default::default()
        };
        assert_eq!(
            super::summary(&d),
            "0 communes change level: 0 up, 0 down; 20,000 unchanged"
        );
    }
}
