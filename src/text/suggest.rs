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
    folded_closeness(&fold(given), &fold(name))
}

/// [`closeness`] of two folded texts. The edit distance, the costly part, is computed only
/// when the lengths allow a similarity of [`ENOUGH`]: a file's hundreds of headers are
/// compared with a ruleset's hundreds of names.
fn folded_closeness(g: &str, n: &str) -> f64 {
    if g.is_empty() || n.is_empty() {
        return 0.0;
    }
    let words: Vec<&str> = n.split(' ').collect();
    let given_words: Vec<&str> = g.split(' ').collect();
    let shared = words.iter().filter(|w| given_words.contains(w)).count();
    let overlap = if words.len() >= 2 {
        let extra = given_words.len().saturating_sub(shared);
        shared as f64 / words.len() as f64 - 0.02 * extra as f64
    } else {
        0.0
    };
    let (lg, ln) = (g.chars().count(), n.chars().count());
    let longest = lg.max(ln);
    // The distance is at least the difference of the lengths.
    let best_edit = 1.0 - lg.abs_diff(ln) as f64 / longest as f64;
    if best_edit < ENOUGH || best_edit <= overlap {
        return overlap;
    }
    let edit = 1.0 - edit_distance(g, n) as f64 / longest as f64;
    edit.max(overlap)
}

/// At most this many characters of a given text are compared: a longer cell is no name.
const LONGEST: usize = 200;

/// The name closest to `given`, when close enough: the first of equally close ones.
pub fn closest<'a>(given: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    Names::new(names).closest(given)
}

/// Names folded once, to be compared with many given texts.
#[derive(Debug, Clone)]
pub struct Names<'a> {
    folded: Vec<(&'a str, String)>,
}

impl<'a> Names<'a> {
    /// Fold `names`.
    pub fn new(names: impl IntoIterator<Item = &'a str>) -> Self {
        Names {
            folded: names.into_iter().map(|n| (n, fold(n))).collect(),
        }
    }

    /// The name closest to `given` and how close, when close enough: the first of equally
    /// close ones.
    pub fn closest_with(&self, given: &str) -> Option<(&'a str, f64)> {
        self.closest_at(given).map(|(i, c)| (self.folded[i].0, c))
    }

    /// Like [`Names::closest_with`], with the name's position in the order given to
    /// [`Names::new`].
    pub fn closest_at(&self, given: &str) -> Option<(usize, f64)> {
        if given.len() > LONGEST {
            return None;
        }
        let g = fold(given);
        let mut best: Option<(usize, f64)> = None;
        for (i, (_, folded)) in self.folded.iter().enumerate() {
            let c = folded_closeness(&g, folded);
            if c >= ENOUGH && best.is_none_or(|(_, b)| c > b) {
                best = Some((i, c));
            }
        }
        best
    }

    /// The name at position `i`.
    pub fn name(&self, i: usize) -> &'a str {
        self.folded[i].0
    }

    /// The name closest to `given`, when close enough.
    pub fn closest(&self, given: &str) -> Option<&'a str> {
        self.closest_with(given).map(|(name, _)| name)
    }
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    // Folded text is mostly ASCII, where bytes are characters.
    if a.is_ascii() && b.is_ascii() {
        return levenshtein(a.as_bytes(), b.as_bytes());
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    levenshtein(&a, &b)
}

fn levenshtein<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let swap = prev[j] + usize::from(ca != cb);
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
    fn a_long_cell_is_no_name() {
        let long = "district ".repeat(40);
        assert_eq!(closest(&long, ["district"]), None);
        let names = Names::new(["code", "district"]);
        assert_eq!(names.closest_at("distric"), Some((1, 1.0 - 1.0 / 8.0)));
        assert_eq!(names.name(0), "code");
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
