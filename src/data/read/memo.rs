//! Bounded memos of per-cell work that repeats across rows (province and zone lookups).

use super::row::nfc_fast;
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
    /// The last district and province cells, as text.
    pub(super) district: LastText,
    pub(super) province: LastText,
    /// The last province whose region named a zone, and that zone (issue #14: the province
    /// memo hashed the name and copied its region's code for every row).
    pub(super) province_zone: Option<(String, usize)>,
    /// The row reader's yes/no cells left for the general rule, (measure, column): a
    /// buffer kept from row to row (`row::read_values`).
    pub(super) left: Vec<(usize, usize)>,
}

/// The text of the last cell read in a column, trimmed and NFC ([`nfc_fast`]): neighbouring
/// rows mostly share their district and province, and comparing a cell's bytes with the last
/// one's takes less than reading them as text, trimming and checking they are composed
/// (issue #14). One entry: memory stays flat.
#[derive(Default)]
pub(super) struct LastText {
    raw: Vec<u8>,
    text: Option<String>,
}

impl LastText {
    /// The cell's text, trimmed, NFC, `None` when empty, into `out`, whose string is reused
    /// (a recycled row's): worked out only when the cell's bytes differ from the last.
    pub(super) fn get_into(&mut self, cell: &[u8], out: &mut Option<String>) {
        if cell != self.raw.as_slice() {
            self.raw.clear();
            self.raw.extend_from_slice(cell);
            self.text = Some(std::str::from_utf8(cell).unwrap_or("").trim())
                .filter(|s| !s.is_empty())
                .map(nfc_fast);
        }
        match (&self.text, out.as_mut()) {
            (Some(text), Some(s)) => {
                s.clear();
                s.push_str(text);
            }
            (text, _) => *out = text.clone(),
        }
    }
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
