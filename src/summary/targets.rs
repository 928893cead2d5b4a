//! Targets: shares or counts of communes at a level, for all communes, a zone, or the
//! communes with a given value in a column; parsed from TOML (docs/targets.md) and checked
//! against counts ("met" / "short by N communes").
//!
//! Pure: text in, targets and diagnostics out; counts in, checks out. Column names are
//! resolved by the caller (`resolve`'s `column` closure), which knows the data.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;
use crate::ruleset::Ruleset;
use crate::text::spelling_key;

/// The diagnostic codes of targets files (documented in docs/targets.md).
pub const CODES: [&str; 4] = [
    "invalid-targets",
    "unknown-target-level",
    "unknown-target-zone",
    "invalid-target",
];

/// The targets file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    targets: RawHead,
    #[serde(default)]
    target: Vec<RawTarget>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHead {
    name: String,
    name_vi: Option<String>,
    source: String,
    year: Option<i32>,
    ruleset: Option<String>,
    notes: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    level: toml::Spanned<String>,
    #[serde(alias = "region", alias = "group")]
    zone: Option<toml::Spanned<String>>,
    column: Option<toml::Spanned<String>>,
    value: Option<String>,
    share: Option<toml::Spanned<Decimal>>,
    count: Option<usize>,
    source: Option<String>,
    #[serde(default = "yes")]
    verified: bool,
    note: Option<String>,
}

fn yes() -> bool {
    true
}

/// A targets file, validated against a ruleset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Targets {
    /// Title.
    pub name: String,
    /// Vietnamese title.
    pub name_vi: Option<String>,
    /// Legal or planning source of the file.
    pub source: String,
    /// Year the targets are for.
    pub year: Option<i32>,
    /// The ruleset the file was written for (informative: levels and zones are checked).
    pub ruleset: Option<String>,
    /// Free text.
    pub notes: Option<String>,
    /// Targets in file order.
    pub targets: Vec<Target>,
}

/// Which communes a target counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every commune of the input.
    All,
    /// Communes of this zone (region or group, before overrides).
    Zone(usize),
    /// Communes whose value in a column (index into `Facts::values`) is `value`, spelt alike
    /// (`text::spelling_key`: case, spacing, Unicode form and tone-mark placement aside).
    Value {
        /// Index into the summary's key columns.
        key: usize,
        /// The column as written in the file.
        column: String,
        /// The value.
        value: String,
    },
}

impl Scope {
    /// Whether a commune of `zone` with these key values is in scope.
    pub fn applies(&self, zone: usize, values: &[Option<String>]) -> bool {
        match self {
            Scope::All => true,
            Scope::Zone(z) => *z == zone,
            Scope::Value { key, value, .. } => values
                .get(*key)
                .and_then(Option::as_deref)
                .is_some_and(|v| spelling_key(v) == spelling_key(value)),
        }
    }
}

/// What a target asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Goal {
    /// At least this percentage of the communes in scope.
    Share(Decimal),
    /// At least this many communes.
    Count(usize),
}

impl Goal {
    /// The fewest communes of `total` that meet the goal: ⌈share × total / 100⌉, or the count.
    pub fn needed(self, total: usize) -> usize {
        match self {
            Goal::Count(n) => n,
            Goal::Share(s) => {
                let exact = s * Decimal::from(total) / Decimal::ONE_HUNDRED;
                exact.ceil().to_usize().unwrap_or(usize::MAX)
            }
        }
    }
}

/// One target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Level index.
    pub level: usize,
    /// Level id.
    pub level_id: String,
    /// Which communes.
    pub scope: Scope,
    /// Zone id when the scope is a zone.
    pub zone_id: Option<String>,
    /// What is asked.
    pub goal: Goal,
    /// Where it comes from.
    pub source: Option<String>,
    /// Whether the figure was confirmed in its source.
    pub verified: bool,
    /// Free text.
    pub note: Option<String>,
}

/// A target checked against the communes in its scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetCheck {
    /// The target.
    pub target: Target,
    /// Communes in scope.
    pub communes: usize,
    /// Of them, at the target's level.
    pub reached: usize,
    /// Communes at the level the goal needs.
    pub needed: usize,
    /// `reached >= needed` (and there are communes in scope).
    pub met: bool,
    /// `needed - reached` when not met: the fewest more communes that would meet it.
    pub short_by: usize,
}

impl Target {
    /// Check against `communes` in scope of which `reached` are at the level.
    pub fn check(self, communes: usize, reached: usize) -> TargetCheck {
        let needed = self.goal.needed(communes);
        TargetCheck {
            target: self,
            communes,
            reached,
            needed,
            met: communes > 0 && reached >= needed,
            short_by: needed.saturating_sub(reached),
        }
    }
}

/// Parse and validate a targets file against `rs`. `column` resolves a `column = "…"` name to
/// a key index, or says why it cannot (`Err(expected)`). `None` when there are errors; every
/// problem is in the diagnostics.
pub fn parse(
    text: &str,
    path: &str,
    rs: &Ruleset,
    column: &mut dyn FnMut(&str) -> Result<usize, String>,
) -> (Option<Targets>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start));
            let msg = e.message().to_string();
            diags.push(Diagnostic::error("invalid-targets", msg).at(path, line, None));
            return (None, diags);
        }
    };
    let mut targets = Vec::new();
    for t in raw.target {
        let at = |start: usize| Some(line_of(text, start));
        let level_line = at(t.level.span().start);
        let Some(level) = rs.level_index(t.level.get_ref()) else {
            let ids: Vec<&str> = rs.levels.iter().map(|l| l.id.as_str()).collect();
            diags.push(
                Diagnostic::error(
                    "unknown-target-level",
                    format!(
                        "`{}` is not a level of ruleset `{}`",
                        t.level.get_ref(),
                        rs.id
                    ),
                )
                .at(path, level_line, None)
                .help(format!("expected one of `{}`", ids.join("`, `"))),
            );
            continue;
        };
        let goal = match (t.share, t.count) {
            (Some(s), None) => {
                let v = *s.get_ref();
                if v < Decimal::ZERO || v > Decimal::ONE_HUNDRED {
                    diags.push(
                        Diagnostic::error("invalid-target", format!("share `{v}` is not valid"))
                            .at(path, at(s.span().start), None)
                            .help("expected a percentage from 0 to 100"),
                    );
                    continue;
                }
                Goal::Share(v)
            }
            (None, Some(c)) => Goal::Count(c),
            _ => {
                diags.push(
                    Diagnostic::error(
                        "invalid-target",
                        "a target needs exactly one of `share` and `count`",
                    )
                    .at(path, level_line, None),
                );
                continue;
            }
        };
        let (scope, zone_id) = match (t.zone, t.column, t.value) {
            (None, None, None) => (Scope::All, None),
            (Some(z), None, None) => match rs.find_zone(z.get_ref()) {
                Some(i) => (Scope::Zone(i), Some(rs.zones[i].id.clone())),
                None => {
                    let ids: Vec<&str> = rs.zones.iter().map(|z| z.id.as_str()).collect();
                    diags.push(
                        Diagnostic::error(
                            "unknown-target-zone",
                            format!("`{}` is not a zone of ruleset `{}`", z.get_ref(), rs.id),
                        )
                        .at(path, at(z.span().start), None)
                        .help(format!("expected one of `{}`", ids.join("`, `"))),
                    );
                    continue;
                }
            },
            (None, Some(c), Some(value)) => match column(c.get_ref()) {
                Ok(key) => (
                    Scope::Value {
                        key,
                        column: c.get_ref().clone(),
                        value: crate::text::nfc(value.trim()),
                    },
                    None,
                ),
                Err(expected) => {
                    diags.push(
                        Diagnostic::error(
                            "invalid-target",
                            format!("column `{}` cannot scope a target", c.get_ref()),
                        )
                        .at(path, at(c.span().start), None)
                        .help(expected),
                    );
                    continue;
                }
            },
            _ => {
                diags.push(
                    Diagnostic::error(
                        "invalid-target",
                        "a target is for all communes, one `zone`, or one `column` with a `value`",
                    )
                    .at(path, level_line, None),
                );
                continue;
            }
        };
        targets.push(Target {
            level,
            level_id: rs.levels[level].id.clone(),
            scope,
            zone_id,
            goal,
            source: t.source,
            verified: t.verified,
            note: t.note,
        });
    }
    if crate::diag::has_errors(&diags) {
        return (None, diags);
    }
    (
        Some(Targets {
            name: raw.targets.name,
            name_vi: raw.targets.name_vi,
            source: raw.targets.source,
            year: raw.targets.year,
            ruleset: raw.targets.ruleset,
            notes: raw.targets.notes,
            targets,
        }),
        diags,
    )
}

fn line_of(text: &str, byte: usize) -> u64 {
    crate::diag::line_col(text, byte).0
}
