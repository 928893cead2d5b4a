//! The official lists of communal units (xã, phường, thị trấn, đặc khu) with their General
//! Statistics Office codes, before and after the July 2025 reorganisation: checking a row's
//! commune code and name against them.
//!
//! The lists are data/vn-admin-units-2024.csv and -2025.csv, embedded as text and parsed on
//! the first lookup only (a file without a code column never pays for them). A mismatch is a
//! warning for the caller to raise, never a change to the row.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::data::province::ProvinceSet;
use crate::text::fold;

const LIST_2024: &str = include_str!("../../data/vn-admin-units-2024.csv");
const LIST_2025: &str = include_str!("../../data/vn-admin-units-2025.csv");

/// Code → official name, borrowed from the embedded text.
type List = HashMap<&'static str, &'static str>;

/// Parse one embedded list: `code_col` and `name_col` are 0-based field indices. The files
/// have no quoted fields (checked by a test).
fn parse(text: &'static str, code_col: usize, name_col: usize) -> List {
    let mut list = HashMap::with_capacity(text.len() / 60);
    for line in text.lines().skip(1) {
        let mut fields = line.trim_end_matches('\r').split(',');
        let mut code = None;
        let mut name = None;
        for (i, f) in fields.by_ref().enumerate() {
            if i == code_col {
                code = Some(f);
            }
            if i == name_col {
                name = Some(f);
            }
        }
        if let (Some(code), Some(name)) = (code, name) {
            list.insert(code, name);
        }
    }
    list
}

fn list(set: ProvinceSet) -> &'static List {
    static Y2024: OnceLock<List> = OnceLock::new();
    static Y2025: OnceLock<List> = OnceLock::new();
    match set {
        ProvinceSet::Y2024 => Y2024.get_or_init(|| parse(LIST_2024, 4, 5)),
        ProvinceSet::Y2025 => Y2025.get_or_init(|| parse(LIST_2025, 2, 3)),
    }
}

/// The year a list is named by in messages.
pub fn label(set: ProvinceSet) -> &'static str {
    match set {
        ProvinceSet::Y2024 => "2024 list (before July 2025)",
        ProvinceSet::Y2025 => "2025 list (from July 2025)",
    }
}

/// The lookup key of a code: trimmed, and a code of digits only padded with leading zeros
/// to five digits (spreadsheets drop them: `1` is `00001`).
pub fn code_key(code: &str) -> Cow<'_, str> {
    let code = code.trim();
    if !code.is_empty() && code.len() < 5 && code.bytes().all(|b| b.is_ascii_digit()) {
        Cow::Owned(format!("{code:0>5}"))
    } else {
        Cow::Borrowed(code)
    }
}

/// What the lists say of a code and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
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
pub fn check(set: ProvinceSet, code: &str, name: Option<&str>) -> Check {
    let key = code_key(code);
    let Some(official) = list(set).get(key.as_ref()) else {
        let other = match set {
            ProvinceSet::Y2024 => ProvinceSet::Y2025,
            ProvinceSet::Y2025 => ProvinceSet::Y2024,
        };
        return Check::UnknownCode {
            other: list(other).get(key.as_ref()).copied(),
        };
    };
    match name {
        Some(name) if bare(name) != bare(official) => Check::NameMismatch { official },
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

    #[test]
    fn the_lists_have_every_unit_and_no_quoted_field() {
        assert!(!LIST_2024.contains('"') && !LIST_2025.contains('"'));
        // Counts from data/README (GSO): 10,051 units before July 2025, 3,321 after.
        assert_eq!(list(ProvinceSet::Y2024).len(), 10_051);
        assert_eq!(list(ProvinceSet::Y2025).len(), 3_321);
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
