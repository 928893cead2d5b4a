//! Bounded memos of per-cell work that repeats across rows (province and zone lookups).

use crate::data::hash::FxHashMap;
use crate::data::province::Lookup;
use crate::ruleset::model::ZoneMatch;

/// Memos of per-cell work that repeats across rows (issue #7): province or zone names take
/// few distinct values, and folding them for every row dominated reading. (Yes/no cells are
/// matched without folding by `coerce_bytes`.)
/// Each memo is bounded, so memory stays flat on any file.
#[derive(Default)]
pub(super) struct Memo {
    pub(super) provinces: FxHashMap<Box<str>, Lookup>,
    pub(super) zones: FxHashMap<Box<str>, ZoneMatch>,
    /// Official-list warnings of this file so far: unknown codes, name mismatches.
    pub(super) unit_warnings: [usize; 2],
}

/// Entries kept per memo; past this, cells are worked out afresh.
const MEMO_LIMIT: usize = 4096;

pub(super) fn memo<V: Clone>(
    map: &mut FxHashMap<Box<str>, V>,
    key: &str,
    f: impl FnOnce() -> V,
) -> V {
    if let Some(v) = map.get(key) {
        return v.clone();
    }
    let v = f();
    if map.len() < MEMO_LIMIT {
        map.insert(key.into(), v.clone());
    }
    v
}
