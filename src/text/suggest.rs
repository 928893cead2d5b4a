//! "Did you mean": the closest of a few declared names to a name that matched none of them.
//!
//! Only ever a suggestion in a message: nothing is matched or accepted by closeness (a
//! header, a `--by` column or a sheet matches exactly, after `fold`, or not at all).

use super::fold;

/// A suggestion is made only at or above this closeness.
pub const ENOUGH: f64 = 0.7;

/// How close `given` is to `name`, from 0 to 1, on their folded spelling (case, diacritics
/// and spacing ignored): the better of the edit similarity of the two texts, and how many
/// of the name's words (two or more) the given text has, with a little off for its extra
/// words (`Thu nhập bình quân đầu người năm 2025` is close to `Thu nhập bình quân đầu người`).
pub fn closeness(given: &str, name: &str) -> f64 {
    let (g, n) = (fold(given), fold(name));
    if g.is_empty() || n.is_empty() {
        return 0.0;
    }
    let longest = g.chars().count().max(n.chars().count());
    let edit = 1.0 - edit_distance(&g, &n) as f64 / longest as f64;
    let words: Vec<&str> = n.split(' ').collect();
    let given_words: Vec<&str> = g.split(' ').collect();
    let shared = words.iter().filter(|w| given_words.contains(w)).count();
    let overlap = if words.len() >= 2 {
        let extra = given_words.len().saturating_sub(shared);
        shared as f64 / words.len() as f64 - 0.02 * extra as f64
    } else {
        0.0
    };
    edit.max(overlap)
}

/// The name closest to `given`, when close enough: the first of equally close ones.
pub fn closest<'a>(given: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for name in names {
        let c = closeness(given, name);
        if c >= ENOUGH && best.is_none_or(|(b, _)| c > b) {
            best = Some((c, name));
        }
    }
    best.map(|(_, name)| name)
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let swap = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = swap.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_characters() {
        assert_eq!(edit_distance("distrct", "district"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("xã", "xa"), 1);
    }

    #[test]
    fn typos_and_longer_headers_are_close() {
        assert_eq!(
            closest("distrct", ["province", "district", "region"]),
            Some("district")
        );
        assert_eq!(closest("cod", ["code", "name"]), Some("code"));
        assert_eq!(
            closest(
                "Thu nhập bình quân đầu người năm 2025",
                ["Tỷ lệ hộ nghèo", "Thu nhập bình quân đầu người"]
            ),
            Some("Thu nhập bình quân đầu người")
        );
        // Diacritics and case do not count against a name.
        assert_eq!(closest("THU NHAP", ["thu nhập"]), Some("thu nhập"));
    }

    #[test]
    fn unrelated_names_get_no_suggestion() {
        assert_eq!(closest("population", ["district", "province"]), None);
        assert_eq!(closest("", ["district"]), None);
        assert_eq!(closest("a", ["b"]), None);
        // One shared word of a long name is not enough.
        assert_eq!(
            closest("Tỷ lệ che phủ rừng", ["Tỷ lệ hộ nghèo đa chiều"]),
            None
        );
    }
}
