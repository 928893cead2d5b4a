//! Human-readable output: comfy-table tables, fitted to the terminal when stdout is one.

use std::collections::BTreeMap;
use std::io::Write;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

use super::{CommuneRecord, Meta};
use crate::data::read::YearFrom;
use crate::margin::Margin;
use crate::ruleset::Ruleset;

/// What the commune table shows besides the usual columns.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions {
    /// `--margin`: a column of the indicators near their threshold.
    pub margin: Option<Margin>,
    /// `--closest [N]` and the number of communes evaluated: a column of what separates each
    /// commune from its next level, and a line saying how the rows are ordered.
    pub closest: Option<(Option<usize>, usize)>,
}

/// `2 indicators, 1 without data; shortfall 18.13%`.
fn to_next_text(t: &crate::report::ToNext) -> String {
    let mut s = format!(
        "{} indicator{}",
        t.indicators,
        if t.indicators == 1 { "" } else { "s" }
    );
    if t.no_data > 0 {
        s.push_str(&format!(", {} without data", t.no_data));
    }
    if t.indicators > t.no_data {
        s.push_str(&format!("; shortfall {}%", t.shortfall_pct));
    }
    s
}

/// A table preset shared by every human-readable table.
pub fn new_table() -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    t
}

/// The commune table, then a summary of levels, the year used and unverified verdicts.
pub fn write_table(
    out: &mut dyn Write,
    rs: &Ruleset,
    meta: &Meta,
    communes: &[CommuneRecord],
    opts: TableOptions,
) -> anyhow::Result<()> {
    let margin = opts.margin;
    let mut t = new_table();
    let mut header = vec![
        "#".to_string(),
        "Code".to_string(),
        "Commune".to_string(),
        "Zone".to_string(),
        "Level".to_string(),
        "Next".to_string(),
        "Criteria".to_string(),
        "What blocks the next level".to_string(),
    ];
    if opts.closest.is_some() {
        header.push("To the next level".to_string());
    }
    if let Some(m) = margin {
        header.push(format!("Within {m} of the threshold"));
    }
    t.set_header(header);
    for c in communes {
        let blocks: Vec<String> = c
            .missing
            .iter()
            .map(|m| {
                let inds: Vec<String> = m.indicators.iter().map(|i| i.describe(&c.zone)).collect();
                let prefix = if m.level == c.next_level.clone().unwrap_or_default() {
                    String::new()
                } else {
                    format!("{}: ", m.level)
                };
                format!("{prefix}{} {}: {}", m.criterion, m.name, inds.join("; "))
            })
            .collect();
        let zone = if c.zone_source.starts_with("override:") {
            format!("{}*", c.zone)
        } else {
            c.zone.clone()
        };
        let mut cells = vec![
            c.row.to_string(),
            c.code.clone().unwrap_or_default(),
            c.name.clone().unwrap_or_default(),
            zone,
            c.level.clone().unwrap_or_else(|| "—".to_string()),
            c.next_level.clone().unwrap_or_else(|| "—".to_string()),
            format!("{}/{}", c.criteria_met, c.criteria_total),
            blocks.join("\n"),
        ];
        if opts.closest.is_some() {
            cells.push(match &c.to_next {
                Some(t) => to_next_text(t),
                None => "—".to_string(),
            });
        }
        if margin.is_some() {
            let near: Vec<String> = c.borderline.iter().map(|b| b.describe()).collect();
            cells.push(near.join("\n"));
        }
        t.add_row(cells);
    }
    writeln!(out, "{t}")?;

    let mut by_level: BTreeMap<usize, usize> = BTreeMap::new();
    let mut below = 0;
    for c in communes {
        match c.level.as_ref().and_then(|l| rs.level_index(l)) {
            Some(i) => *by_level.entry(i).or_default() += 1,
            None => below += 1,
        }
    }
    let mut parts: Vec<String> = by_level
        .iter()
        .rev()
        .map(|(i, n)| format!("{n} {}", rs.levels[*i].id))
        .collect();
    parts.push(format!(
        "{below} below {}",
        rs.levels.first().map_or("", |l| l.id.as_str())
    ));
    writeln!(
        out,
        "{} communes, ruleset {} ({}): {}",
        communes.len(),
        rs.id,
        rs.decision,
        parts.join(", ")
    )?;
    let year = match (meta.year, meta.year_source) {
        (Some(y), Some(YearFrom::Flag)) => format!("assessment year {y} (--year)"),
        (Some(y), Some(YearFrom::Column)) => format!("assessment year {y} (year column)"),
        (Some(y), Some(YearFrom::PeriodEnd)) => {
            format!("assessment year {y} (last year of the ruleset's period; set --year)")
        }
        _ => "assessment years from the year column (mixed)".to_string(),
    };
    writeln!(out, "{year}")?;
    if let Some((n, total)) = opts.closest {
        let shown = match n {
            Some(n) if n < total => format!("the {} closest of {total} communes", communes.len()),
            _ => "every commune".to_string(),
        };
        writeln!(
            out,
            "--closest: {shown}, ordered by indicators short of the next level, then known gaps before no data, then the sum of shortfalls (% of each threshold); communes at the top level last"
        )?;
    }
    if communes
        .iter()
        .any(|c| c.zone_source.starts_with("override:"))
    {
        writeln!(
            out,
            "* zone set by an override (318/QĐ-TTg Article 1 for extremely difficult communes)"
        )?;
    }
    if meta.unverified_verdicts > 0 {
        writeln!(
            out,
            "{} of {} verdicts rest on unverified thresholds (marked [unverified]; see `ntm rules show`; --strict-sources makes this an error)",
            meta.unverified_verdicts, meta.communes
        )?;
    } else {
        writeln!(out, "no verdict rests on an unverified threshold")?;
    }
    Ok(())
}
