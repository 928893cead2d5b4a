//! `ntm check`: validate ruleset files and lint them, report every problem in the chosen
//! format. Exit 0 clean, 1 findings (errors, or warnings under `--deny warnings`), 2 when an
//! input cannot be read.

use std::io::Write;

use anyhow::bail;

use crate::Exit;
use crate::cli::{CheckArgs, CheckFormat, Deny};
use crate::diag::Severity;
use crate::report::check::{
    FileReport, RulesetSummary, TargetsSummary, write_github, write_json, write_text,
};
use crate::ruleset::lint::{self, LintOptions};
use crate::summary::targets;

/// Run `ntm check`.
pub(crate) fn run(
    args: &CheckArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<Exit> {
    for a in &args.allow {
        if !lint::CODES.contains(&a.as_str()) {
            bail!(
                "--allow `{a}` is not a warning code: expected one of `{}` (errors cannot be allowed)",
                lint::CODES.join("`, `")
            );
        }
    }
    let today = match &args.today {
        Some(t) => parse_date(t).ok_or_else(|| {
            anyhow::anyhow!("--today (or NTM_TODAY) `{t}` is not a date YYYY-MM-DD")
        })?,
        None => system_today(),
    };
    let opts = LintOptions {
        year: args.year,
        today: Some(today),
    };
    let deny_warnings = args.deny.contains(&Deny::Warnings);
    let mut unreadable = false;
    let mut files = Vec::new();
    for spec in &args.rules {
        if let Some(report) = targets_file(spec) {
            files.push(report);
            continue;
        }
        let (rs, mut diags, src) = match crate::ruleset::open(spec, &super::Disk) {
            Ok(o) => (o.ruleset, o.diags, o.source),
            Err(d) => {
                unreadable = true;
                files.push(FileReport::new(spec, spec, None, vec![*d]));
                continue;
            }
        };
        let summary = rs.map(|rs| {
            diags.extend(lint::lint(&rs, &opts));
            RulesetSummary {
                id: rs.id.clone(),
                extends: rs.extends.clone(),
                indicators: rs.indicator_count(),
                verified: rs
                    .indicators()
                    .filter(|(r, _)| rs.fully_verified(*r))
                    .count(),
            }
        });
        diags.retain(|d| d.is_error() || !args.allow.iter().any(|a| a == d.code));
        if deny_warnings {
            for d in &mut diags {
                d.severity = Severity::Error;
            }
        }
        files.push(FileReport::new(spec, &src.path, summary, diags));
    }
    match args.format {
        CheckFormat::Text => write_text(out, err, &files)?,
        CheckFormat::Json => write_json(out, &files)?,
        CheckFormat::Github => write_github(out, &files)?,
    }
    Ok(if unreadable {
        Exit::Invalid
    } else if files.iter().any(|f| f.errors > 0) {
        Exit::Findings
    } else {
        Exit::Success
    })
}

/// When `spec` is a targets file (a TOML file with a `[targets]` table and no `[ruleset]`),
/// its report: validated against the ruleset it names (`ruleset = "…"`, a built-in id or a
/// file), else the default one; any `column` is accepted, as the data is not known here.
/// `None` for anything else, which is checked as a ruleset.
fn targets_file(spec: &str) -> Option<FileReport> {
    if crate::ruleset::builtin::get(spec).is_some() {
        return None;
    }
    let text = super::read_text(spec).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    let head = table.get("targets")?.as_table()?;
    if table.contains_key("ruleset") {
        return None;
    }
    let rules = head
        .get("ruleset")
        .and_then(toml::Value::as_str)
        .unwrap_or(crate::ruleset::builtin::DEFAULT_ID);
    let loaded = crate::ruleset::open(rules, &super::Disk).map(|o| o.ruleset);
    let Ok(Some(rs)) = loaded else {
        let d = crate::diag::Diagnostic::error(
            "invalid-targets",
            format!("targets file: its ruleset `{rules}` cannot be loaded"),
        )
        .at(spec, None, None)
        .help("check the ruleset with `ntm check`; name it with `ruleset = \"…\"` under [targets]");
        return Some(FileReport::new(spec, spec, None, vec![d]));
    };
    let (targets, diags) = targets::parse(&text, spec, &rs, &mut |_| Ok(0));
    let mut report = FileReport::new(spec, spec, None, diags);
    report.targets = targets.map(|t| TargetsSummary {
        ruleset: rs.id.clone(),
        targets: t.targets.len(),
    });
    Some(report)
}

/// `YYYY-MM-DD` → (year, month, day), checking the day exists.
pub(crate) fn parse_date(s: &str) -> Option<(i32, u32, u32)> {
    let mut it = s.trim().splitn(3, '-');
    let y: i32 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (d >= 1 && d <= days).then_some((y, m, d))
}

/// Today's UTC date from the system clock.
pub(crate) fn system_today() -> (i32, u32, u32) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_from_days((secs / 86_400) as i64)
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
/// (H. Hinnant, "chrono-compatible low-level date algorithms").
fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_from_day_numbers() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(59), (1970, 3, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_415), (2025, 11, 23));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn dates_parse_only_when_the_day_exists() {
        assert_eq!(parse_date("2026-01-15"), Some((2026, 1, 15)));
        assert_eq!(parse_date("2024-02-29"), Some((2024, 2, 29)));
        assert_eq!(parse_date("2025-02-29"), None);
        assert_eq!(parse_date("2025-13-01"), None);
        assert_eq!(parse_date("2025-1"), None);
        assert_eq!(parse_date("soon"), None);
    }
}
