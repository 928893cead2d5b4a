//! Pure comparison of two sets of commune outcomes: which communes change level and which
//! criteria change status between OLD and NEW (two rulesets on the same data, or one ruleset on
//! two data snapshots).
//!
//! Takes values, returns values: `cmd::diff` reads and evaluates, `report::diff` renders.

use std::collections::HashMap;

use serde::Serialize;

use crate::data::read::Row;
use crate::eval::{Outcome, Status};
use crate::ruleset::Ruleset;

/// One commune's result on one side of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// What matches the commune across the sides (commune code, or file and line).
    pub key: Option<String>,
    /// Commune code.
    pub code: Option<String>,
    /// Commune name.
    pub name: Option<String>,
    /// Input file.
    pub file: String,
    /// Line in that file.
    pub line: u64,
    /// Level reached (id).
    pub level: Option<String>,
    /// 0 for no level, else 1 + the level's position from the lowest.
    pub rank: usize,
    /// Every criterion of every level: (level id, criterion id, status).
    #[serde(skip)]
    pub criteria: Vec<(String, String, Status)>,
}

impl Entry {
    /// The entry of an evaluated row; `key` says how it is matched with the other side.
    pub fn new(
        rs: &Ruleset,
        file: &str,
        row: &Row,
        outcome: &Outcome,
        key: Option<String>,
    ) -> Self {
        let criteria = rs
            .levels
            .iter()
            .zip(&outcome.levels)
            .flat_map(|(l, lo)| {
                l.criteria
                    .iter()
                    .zip(&lo.criteria)
                    .map(|(c, co)| (l.id.clone(), c.id.clone(), co.status))
            })
            .collect();
        Entry {
            key,
            code: row.code.clone(),
            name: row.name.clone(),
            file: file.to_string(),
            line: row.line,
            level: outcome.level.map(|l| rs.levels[l].id.clone()),
            rank: outcome.level.map_or(0, |l| l + 1),
            criteria,
        }
    }
}

/// Which way a commune's level moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A higher level in NEW.
    Up,
    /// A lower level in NEW.
    Down,
    /// The same level (some criterion changed).
    Same,
}

impl Direction {
    /// The opposite direction.
    pub fn reversed(self) -> Self {
        match self {
            Direction::Up => Direction::Down,
            Direction::Down => Direction::Up,
            Direction::Same => Direction::Same,
        }
    }
}

/// A criterion whose status changed. `None` means the criterion is not in that side's ruleset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flip {
    /// Level id.
    pub level: String,
    /// Criterion id.
    pub criterion: String,
    /// Status in OLD.
    pub from: Option<Status>,
    /// Status in NEW.
    pub to: Option<Status>,
}

/// A commune whose level or criteria changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The commune in OLD.
    pub old: Entry,
    /// The commune in NEW.
    pub new: Entry,
    /// Which way the level moved.
    pub direction: Direction,
    /// Criteria whose status changed, in NEW's ruleset order, then OLD-only criteria.
    pub flips: Vec<Flip>,
}

/// The comparison of OLD and NEW.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Communes whose level or criteria changed, in NEW's order.
    pub changes: Vec<Change>,
    /// Communes in both with nothing changed.
    pub unchanged: usize,
    /// Communes only in OLD, in its order.
    pub only_old: Vec<Entry>,
    /// Communes only in NEW, in its order.
    pub only_new: Vec<Entry>,
}

impl Diff {
    /// Communes whose level went up.
    pub fn up(&self) -> usize {
        self.count(Direction::Up)
    }

    /// Communes whose level went down.
    pub fn down(&self) -> usize {
        self.count(Direction::Down)
    }

    fn count(&self, d: Direction) -> usize {
        self.changes.iter().filter(|c| c.direction == d).count()
    }
}

/// Compare `old` and `new`. Entries are matched by `key`; an entry without a key, or whose key
/// has no partner, is listed as only in its side (never dropped). Keys must be unique per side
/// (the caller checks): a repeated key matches its first partner only and the rest are listed as
/// only in their side.
pub fn diff(old: &[Entry], new: &[Entry]) -> Diff {
    let mut by_key: HashMap<&str, usize> = HashMap::new();
    for (i, e) in old.iter().enumerate() {
        if let Some(k) = &e.key {
            by_key.entry(k.as_str()).or_insert(i);
        }
    }
    let mut matched = vec![false; old.len()];
    let mut out = Diff::default();
    for n in new {
        let partner = n
            .key
            .as_deref()
            .and_then(|k| by_key.get(k).copied())
            .filter(|&i| !matched[i]);
        let Some(i) = partner else {
            out.only_new.push(n.clone());
            continue;
        };
        matched[i] = true;
        let o = &old[i];
        let flips = flips(o, n);
        let direction = match n.rank.cmp(&o.rank) {
            std::cmp::Ordering::Greater => Direction::Up,
            std::cmp::Ordering::Less => Direction::Down,
            std::cmp::Ordering::Equal => Direction::Same,
        };
        if direction == Direction::Same && flips.is_empty() && o.level == n.level {
            out.unchanged += 1;
        } else {
            out.changes.push(Change {
                old: o.clone(),
                new: n.clone(),
                direction,
                flips,
            });
        }
    }
    out.only_old = old
        .iter()
        .zip(&matched)
        .filter(|(_, m)| !**m)
        .map(|(e, _)| e.clone())
        .collect();
    out
}

/// Criteria whose status differs. A criterion on one side only counts when it is not met
/// there: adding a criterion the commune meets (or removing one it met) changes nothing.
fn flips(old: &Entry, new: &Entry) -> Vec<Flip> {
    let find = |e: &Entry, l: &str, c: &str| {
        e.criteria
            .iter()
            .find(|(el, ec, _)| el == l && ec == c)
            .map(|(_, _, s)| *s)
    };
    let mut out = Vec::new();
    for (l, c, to) in &new.criteria {
        let from = find(old, l, c);
        if from != Some(*to) && !(from.is_none() && *to == Status::Pass) {
            out.push(Flip {
                level: l.clone(),
                criterion: c.clone(),
                from,
                to: Some(*to),
            });
        }
    }
    for (l, c, from) in &old.criteria {
        if find(new, l, c).is_none() && *from != Status::Pass {
            out.push(Flip {
                level: l.clone(),
                criterion: c.clone(),
                from: Some(*from),
                to: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
