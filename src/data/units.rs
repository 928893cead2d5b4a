//! The official lists of communal units (xã, phường, thị trấn, đặc khu) with their General
//! Statistics Office codes, before and after the July 2025 reorganisation: checking a row's
//! commune code and name against them.
//!
//! Embedded compactly: data/units-2024.csv and -2025.csv hold `code,name` lines sorted by
//! code, derived from data/vn-admin-units-*.csv (a test keeps them in step). A lookup is a
//! binary search over the embedded text itself, so nothing is parsed or allocated at start-up
//! (issue #7). A mismatch is a warning for the caller to raise, never a change to the row.

use std::borrow::Cow;
use std::sync::OnceLock;

use crate::data::province::ProvinceSet;
use crate::text::fold;

const LIST_2024: &str = include_str!("../../data/units-2024.csv");
const LIST_2025: &str = include_str!("../../data/units-2025.csv");

fn list(set: ProvinceSet) -> &'static str {
    match set {
        ProvinceSet::Y2024 => LIST_2024,
        ProvinceSet::Y2025 => LIST_2025,
    }
}

/// Digits of every code in the lists.
const CODE_LEN: usize = 5;

/// Where each line of `list` starts, worked out on first use: a lookup is then a binary
/// search over line starts (about 14 steps) instead of a scan for line ends at each step.
fn line_starts(set: ProvinceSet) -> &'static [u32] {
    static STARTS: [OnceLock<Vec<u32>>; 2] = [OnceLock::new(), OnceLock::new()];
    let list = list(set);
    let slot = match set {
        ProvinceSet::Y2024 => 0,
        ProvinceSet::Y2025 => 1,
    };
    STARTS[slot].get_or_init(|| {
        std::iter::once(0)
            .chain(list.match_indices('\n').map(|(i, _)| i + 1))
            .filter(|&i| i < list.len())
            .filter_map(|i| u32::try_from(i).ok())
            .collect()
    })
}

/// The official name of `code` in the list of `set` (`code,name` lines sorted by code).
fn find(set: ProvinceSet, code: &str) -> Option<&'static str> {
    let list = list(set);
    let starts = line_starts(set);
    let line = |k: usize| -> Option<(&'static str, &'static str)> {
        let rest = list.get(*starts.get(k)? as usize..)?;
        rest.split_once('\n')
            .map_or(rest, |(line, _)| line)
            .split_once(',')
    };
    // Every code of the lists has CODE_LEN digits (a test checks it).
    let k = starts
        .binary_search_by(|&start| {
            let start = start as usize;
            let c = list.get(start..start + CODE_LEN).unwrap_or("");
            c.cmp(code)
        })
        .ok()?;
    line(k).map(|(_, name)| name)
}

/// The year a list is named by in messages.
pub(crate) fn label(set: ProvinceSet) -> &'static str {
    match set {
        ProvinceSet::Y2024 => "2024 list (before July 2025)",
        ProvinceSet::Y2025 => "2025 list (from July 2025)",
    }
}

/// The lookup key of a code: trimmed, and a code of digits only padded with leading zeros
/// to five digits (spreadsheets drop them: `1` is `00001`).
pub(crate) fn code_key(code: &str) -> Cow<'_, str> {
    let code = code.trim();
    if !code.is_empty() && code.len() < 5 && code.bytes().all(|b| b.is_ascii_digit()) {
        Cow::Owned(format!("{code:0>5}"))
    } else {
        Cow::Borrowed(code)
    }
}

/// What the lists say of a code and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Check {
    /// The code is in the list and the name (if given) matches.
    Ok,
    /// The code is not in the list of `set`; `other` is its name in the other list, if any.
    UnknownCode {
        /// The official name in the other list.
        other: Option<&'static str>,
    },
    /// The code is in the list under another name.
    NameMismatch {
        /// The official name.
        official: &'static str,
    },
}

/// Check `code` (and `name`, when the row has one) against the list of `set`. Names are
/// compared with [`fold`] after dropping the unit-type word (`Xã`, `Phường`, `Thị trấn`,
/// `Đặc khu`), so `Hồng Lạc` matches `Xã Hồng Lạc`.
pub(crate) fn check(set: ProvinceSet, code: &str, name: Option<&str>) -> Check {
    let key = code_key(code);
    let Some(official) = find(set, &key) else {
        let other = match set {
            ProvinceSet::Y2024 => ProvinceSet::Y2025,
            ProvinceSet::Y2025 => ProvinceSet::Y2024,
        };
        return Check::UnknownCode {
            other: find(other, &key),
        };
    };
    match name {
        // The same text needs no folding (most rows: names copied from the list).
        Some(name) if name != official && bare(name) != bare(official) => {
            Check::NameMismatch { official }
        }
        _ => Check::Ok,
    }
}

/// A unit name folded, without its unit-type word.
fn bare(name: &str) -> String {
    let folded = fold(name);
    for kind in ["xa ", "phuong ", "thi tran ", "dac khu "] {
        if let Some(rest) = folded.strip_prefix(kind) {
            return rest.to_string();
        }
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    /// `code,name` lines sorted by code, from one of data/vn-admin-units-*.csv.
    fn compact(source: &str, code_col: usize, name_col: usize) -> String {
        let mut rows: Vec<(&str, &str)> = source
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.trim_end_matches('\r').split(',').collect();
                (f[code_col], f[name_col])
            })
            .collect();
        rows.sort_unstable();
        rows.iter().map(|(c, n)| format!("{c},{n}\n")).collect()
    }

    /// data/units-*.csv are data/vn-admin-units-*.csv reduced to code and name, sorted.
    /// Regenerate them with `NTM_WRITE_UNITS=1 cargo test --lib units`.
    #[test]
    fn the_compact_lists_match_the_official_files() {
        let full_2024 = include_str!("../../data/vn-admin-units-2024.csv");
        let full_2025 = include_str!("../../data/vn-admin-units-2025.csv");
        assert!(!full_2024.contains('"') && !full_2025.contains('"'));
        for (full, code_col, name_col, compact_text, path) in [
            (full_2024, 4, 5, LIST_2024, "data/units-2024.csv"),
            (full_2025, 2, 3, LIST_2025, "data/units-2025.csv"),
        ] {
            let want = compact(full, code_col, name_col);
            if std::env::var_os("NTM_WRITE_UNITS").is_some() {
                crate::cmd::output::write_file(std::path::Path::new(path), want.as_bytes())
                    .expect("write the compact list");
            }
            assert!(
                compact_text == want,
                "{path} is out of date: run `NTM_WRITE_UNITS=1 cargo test --lib units`"
            );
        }
        // Counts from data/README (GSO): 10,051 units before July 2025, 3,321 after.
        assert_eq!(LIST_2024.lines().count(), 10_051);
        assert_eq!(LIST_2025.lines().count(), 3_321);
    }

    #[test]
    fn every_code_of_the_lists_has_five_digits() {
        for set in [ProvinceSet::Y2024, ProvinceSet::Y2025] {
            for line in list(set).lines() {
                let (code, _) = line.split_once(',').expect("code,name");
                assert!(
                    code.len() == CODE_LEN && code.bytes().all(|b| b.is_ascii_digit()),
                    "{code}"
                );
            }
        }
    }

    #[test]
    fn every_code_of_the_lists_is_found_and_others_are_not() {
        for set in [ProvinceSet::Y2024, ProvinceSet::Y2025] {
            for line in list(set).lines() {
                let (code, name) = line.split_once(',').expect("code,name");
                assert_eq!(find(set, code), Some(name), "{code}");
            }
        }
        for absent in [
            "", "0", "00000", "99999", "00001x", "003790", "0037", "ZZZZZ",
        ] {
            assert_eq!(find(ProvinceSet::Y2024, absent), None, "{absent:?}");
        }
    }

    #[test]
    fn a_known_code_and_name_pass_with_or_without_the_unit_word() {
        assert_eq!(
            check(ProvinceSet::Y2024, "10816", Some("Xã Hồng Lạc")),
            Check::Ok
        );
        assert_eq!(
            check(ProvinceSet::Y2024, "10816", Some("hồng lạc")),
            Check::Ok
        );
        let decomposed: String = "Xã Hồng Lạc".nfd().collect();
        assert_eq!(
            check(ProvinceSet::Y2024, "10816", Some(&decomposed)),
            Check::Ok
        );
        assert_eq!(check(ProvinceSet::Y2024, "10816", None), Check::Ok);
    }

    #[test]
    fn leading_zeros_dropped_by_a_spreadsheet_are_restored() {
        assert_eq!(code_key("1"), "00001");
        assert_eq!(code_key(" 10816 "), "10816");
        assert_eq!(code_key("X1"), "X1");
        assert_eq!(
            check(ProvinceSet::Y2024, "1", Some("Phường Phúc Xá")),
            Check::Ok
        );
    }

    #[test]
    fn a_wrong_name_names_the_official_one() {
        assert_eq!(
            check(ProvinceSet::Y2024, "10816", Some("Xã Tân Việt")),
            Check::NameMismatch {
                official: "Xã Hồng Lạc"
            }
        );
    }

    #[test]
    fn an_unknown_code_says_whether_the_other_list_has_it() {
        assert_eq!(
            check(ProvinceSet::Y2024, "99999", None),
            Check::UnknownCode { other: None }
        );
        // 10816 is Xã Hồng Lạc before July 2025 and Xã Hà Bắc after.
        assert_eq!(
            check(ProvinceSet::Y2025, "10816", Some("Hồng Lạc")),
            Check::NameMismatch {
                official: "Xã Hà Bắc"
            }
        );
        // 03980 is a code of the 2025 list only.
        assert!(matches!(
            check(ProvinceSet::Y2024, "03980", None),
            Check::UnknownCode { other: Some(_) }
        ));
    }
}
