//! Vietnamese alphabetical order of names, for lists people read (the groups of `summary`
//! and `report`): the key [`key`] that sorts "Đắk Lắk" after "Dương Minh Châu" and before
//! "Ea Kar", and "Thành phố Hà Nội" as "Hà Nội".
//!
//! The order of the Vietnamese alphabet, `a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư
//! v x y` (the Latin letters it lacks, `f j w z`, where Latin puts them), compared first
//! without tones and ignoring case; then the tones word by word, as dictionaries order them
//! (none, huyền, hỏi, ngã, sắc, nặng: `a à ả ã á ạ`). An administrative prefix at the start
//! ("Tỉnh", "Thành phố", "TP.", "Huyện", "Quận", "Thị xã", "Xã", "Phường", "Thị trấn") is
//! left out of the comparison. What is still equal is ordered by the whole name, so two
//! different names never compare equal. Composed (NFC) and decomposed (NFD) text give the
//! same key. Pure: sorting only; names are never matched or changed by it.

use unicode_normalization::UnicodeNormalization;

/// Administrative prefixes left out when sorting, lower case NFC. Each must be followed by a
/// space (or end with `.`), so "tp." is tried before "tp".
const PREFIXES: [&str; 10] = [
    "thành phố",
    "tp.",
    "tp",
    "tỉnh",
    "huyện",
    "quận",
    "thị xã",
    "thị trấn",
    "xã",
    "phường",
];

/// The sort key of a name: compare two keys to compare the names in Vietnamese order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    /// Letters without tones, in alphabet order, a word break before every letter.
    letters: Vec<u32>,
    /// The tone of each word, in order.
    tones: Vec<u8>,
    /// The whole name (prefix included), NFC and lower case, then as written: the last word
    /// when everything else is equal.
    whole: (String, String),
}

/// Word break: before every letter, so "An Bình" comes before "Anh".
const BREAK: u32 = 1;
/// Digits come after a break and before letters.
const DIGITS: u32 = 10;
/// Letters start here.
const LETTERS: u32 = 100;
/// Anything else: after the letters, by code point.
const OTHER: u32 = 1000;

/// The key of `name`.
pub fn key(name: &str) -> Key {
    let nfc: String = name.nfc().collect();
    let lower = nfc.to_lowercase();
    let body = strip_prefix(&lower);
    let mut letters = Vec::with_capacity(body.len());
    let mut tones = Vec::new();
    let mut tone = 0u8;
    let mut in_word = false;
    for c in body.nfd() {
        if c.is_whitespace() {
            if in_word {
                tones.push(tone);
                tone = 0;
                letters.push(BREAK);
                in_word = false;
            }
            continue;
        }
        in_word = true;
        match c {
            '\u{0300}' => tone = 1, // huyền
            '\u{0309}' => tone = 2, // hỏi
            '\u{0303}' => tone = 3, // ngã
            '\u{0301}' => tone = 4, // sắc
            '\u{0323}' => tone = 5, // nặng
            // Marks that make a letter of its own: ă, â ê ô, ơ ư.
            '\u{0306}' | '\u{0302}' | '\u{031B}' => {
                if let Some(last) = letters.last_mut() {
                    *last = modified(*last, c);
                }
            }
            c => letters.push(weight(c)),
        }
    }
    if in_word {
        tones.push(tone);
    }
    if letters.last() == Some(&BREAK) {
        letters.pop();
    }
    Key {
        letters,
        tones,
        whole: (lower, nfc),
    }
}

/// `lower` without an administrative prefix (and the spaces after it); as it is when the
/// prefix is all there is, or is the start of a longer word ("Xãi", "Tpx").
fn strip_prefix(lower: &str) -> &str {
    for p in PREFIXES {
        let Some(rest) = lower.strip_prefix(p) else {
            continue;
        };
        let spaced = rest.starts_with(char::is_whitespace);
        if !(spaced || p.ends_with('.')) {
            continue;
        }
        let rest = rest.trim_start();
        if !rest.is_empty() {
            return rest;
        }
    }
    lower
}

/// The alphabet: a ă â b c d đ e ê (f) g h i (j) k l m n o ô ơ p q r s t u ư v (w) x y (z).
const ALPHABET: [char; 33] = [
    'a', 'ă', 'â', 'b', 'c', 'd', 'đ', 'e', 'ê', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
    'ô', 'ơ', 'p', 'q', 'r', 's', 't', 'u', 'ư', 'v', 'w', 'x', 'y', 'z',
];

/// The weight of one lower-case character (a base letter, after NFD).
fn weight(c: char) -> u32 {
    if let Some(d) = c.to_digit(10) {
        return DIGITS + d;
    }
    match ALPHABET.iter().position(|&a| a == c) {
        Some(i) => LETTERS + i as u32,
        None => OTHER + c as u32,
    }
}

/// The letter `base` becomes with `mark` (breve, circumflex, horn), or `base` unchanged when
/// the pair is not a Vietnamese letter.
fn modified(base: u32, mark: char) -> u32 {
    let letter = |c: char| weight(c);
    let pairs: [(char, char, char); 6] = [
        ('a', '\u{0306}', 'ă'),
        ('a', '\u{0302}', 'â'),
        ('e', '\u{0302}', 'ê'),
        ('o', '\u{0302}', 'ô'),
        ('o', '\u{031B}', 'ơ'),
        ('u', '\u{031B}', 'ư'),
    ];
    pairs
        .iter()
        .find(|(b, m, _)| letter(*b) == base && *m == mark)
        .map_or(base, |(_, _, to)| letter(*to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        v.sort_by_cached_key(|s| key(s));
        v
    }

    #[test]
    fn d_bar_comes_after_d_and_before_e() {
        assert_eq!(
            sorted(&[
                "Ea Kar",
                "Đắk Lắk",
                "Dương Minh Châu",
                "Điện Biên",
                "Cà Mau"
            ]),
            [
                "Cà Mau",
                "Dương Minh Châu",
                "Đắk Lắk",
                "Điện Biên",
                "Ea Kar"
            ]
        );
        assert!(key("Dương") < key("Đắk Lắk"));
        assert!(key("Đắk Lắk") < key("Ea Súp"));
        assert!(key("Zô") > key("Yên Bái"));
    }

    #[test]
    fn letters_with_marks_follow_their_base_letter() {
        assert_eq!(
            sorted(&[
                "Ân Thi", "Ăn", "An Lão", "Bình", "Ô Môn", "Ơ", "Ong", "Ư", "Uông"
            ]),
            [
                "An Lão", "Ăn", "Ân Thi", "Bình", "Ong", "Ô Môn", "Ơ", "Uông", "Ư"
            ]
        );
        // A word ends before any letter: "An Lão" before "Anh Sơn".
        assert!(key("An Lão") < key("Anh Sơn"));
    }

    #[test]
    fn tones_count_only_after_the_letters() {
        // Dictionary order of tones: a à ả ã á ạ.
        assert_eq!(
            sorted(&["Bạ", "Bá", "Bã", "Bả", "Bà", "Ba"]),
            ["Ba", "Bà", "Bả", "Bã", "Bá", "Bạ"]
        );
        // Letters first, tones after: "ha long" < "ha nam", whatever the tones.
        assert!(key("Hạ Long") < key("Hà Nam"));
        assert!(key("Hà Giang") < key("Hạ Long"));
    }

    #[test]
    fn case_is_ignored() {
        assert!(key("an giang") < key("Bắc Giang"));
        assert!(key("BẮC NINH") < key("cà mau"));
        assert_eq!(key("HÀ NỘI").letters, key("hà nội").letters);
        assert_eq!(key("HÀ NỘI").tones, key("hà nội").tones);
    }

    #[test]
    fn administrative_prefixes_are_left_out() {
        assert_eq!(key("Thành phố Hà Nội").letters, key("Hà Nội").letters);
        assert_eq!(key("TP. Hồ Chí Minh").letters, key("Hồ Chí Minh").letters);
        assert_eq!(key("TP.Hồ Chí Minh").letters, key("Hồ Chí Minh").letters);
        assert_eq!(
            sorted(&[
                "Thị xã Sơn Tây",
                "Huyện Ba Vì",
                "Quận Đống Đa",
                "Thị trấn Yên Viên",
                "Xã An Khánh",
                "Phường Cầu Dền",
                "Tỉnh Thái Bình",
                "Thành phố Hà Nội",
            ]),
            [
                "Xã An Khánh",
                "Huyện Ba Vì",
                "Phường Cầu Dền",
                "Quận Đống Đa",
                "Thành phố Hà Nội",
                "Thị xã Sơn Tây",
                "Tỉnh Thái Bình",
                "Thị trấn Yên Viên",
            ]
        );
        // Not a prefix: a name starting with the same letters, or the prefix alone.
        assert_eq!(key("Xãi").letters, key("xãi").letters);
        assert!(key("Xã").letters.len() == 2);
        // "Tịnh Biên" is a name, not "Tỉnh" (another tone).
        assert!(key("Thị xã Tịnh Biên") > key("Huyện Thoại Sơn"));
    }

    #[test]
    fn decomposed_text_has_the_key_of_composed_text() {
        for s in ["Đắk Lắk", "Thành phố Hà Nội", "Quảng Ngãi", "Ừ ợ ẵ"] {
            let nfd: String = s.nfd().collect();
            assert_ne!(nfd, s);
            assert_eq!(key(&nfd), key(s), "{s}");
        }
    }

    #[test]
    fn different_names_never_compare_equal() {
        assert_ne!(key("Hoà").cmp(&key("Hòa")), Ordering::Equal);
        assert_ne!(key("Huyện Ba Vì").cmp(&key("Ba Vì")), Ordering::Equal);
        assert_ne!(key("ba vì").cmp(&key("Ba Vì")), Ordering::Equal);
        assert_eq!(key("Ba Vì").cmp(&key("Ba Vì")), Ordering::Equal);
    }

    /// Vietnamese-looking names: letters with and without marks, spaces, prefixes.
    fn name() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::string::string_regex(
            "((Huyện|Thị xã|TP\\.|Xã) )?[aăâbcdđeêghiklmnoôơpqrstuưvxyAĐÂàảãáạằẳẵắặầẩẫấậ 0-9zZ.\u{0301}\u{0300}]{0,8}",
        )
        .expect("regex")
    }

    proptest::proptest! {
        /// The order is total and consistent: antisymmetric, transitive, and equal only for
        /// the same text (up to NFC).
        #[test]
        fn the_order_is_total(a in name(), b in name(), c in name()) {
            let (ka, kb, kc) = (key(&a), key(&b), key(&c));
            proptest::prop_assert_eq!(ka.cmp(&kb), kb.cmp(&ka).reverse());
            if ka <= kb && kb <= kc {
                proptest::prop_assert!(ka <= kc);
            }
            let same = a.nfc().collect::<String>() == b.nfc().collect::<String>();
            proptest::prop_assert_eq!(ka == kb, same);
        }

        /// Sorting by the key gives the same order whatever order the names came in.
        #[test]
        fn sorting_does_not_depend_on_input_order(mut names in proptest::collection::vec(name(), 0..12)) {
            let first = { let mut v = names.clone(); v.sort_by_cached_key(|s| key(s)); v };
            names.reverse();
            names.sort_by_cached_key(|s| key(s));
            proptest::prop_assert_eq!(first, names);
        }

        /// NFD input has the key of its NFC form.
        #[test]
        fn nfd_equals_nfc(a in name()) {
            let nfd: String = a.nfd().collect();
            let nfc: String = a.nfc().collect();
            proptest::prop_assert_eq!(key(&nfd), key(&nfc));
        }
    }
}
