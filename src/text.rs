//! Text comparison rules shared by headers, zone names, provinces and yes/no cells.
//!
//! Vietnamese text arrives composed or decomposed, with old or new tone-mark placement
//! ("Hoà"/"Hòa"). `fold` is the one key used to compare such text against *declared* names;
//! nothing is ever matched by similarity or guessing.

pub mod suggest;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Case-, diacritic- and spacing-insensitive key: "  Thu nhập  BQ " → "thu nhap bq".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Key under which two spellings of the same name are one value, keeping every letter and
/// tone: NFC/NFD, case, spacing and old or new tone-mark placement ("Hoà"/"Hòa") are ignored,
/// but "Hà" and "Hạ" (different tones) or "Đông" and "Dông" stay apart. Used to group
/// free-text values (`summary --by`), where no list of declared names exists to fold against.
pub fn spelling_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut tones = String::new();
    let mut space = false;
    for c in s.nfd() {
        if c.is_whitespace() {
            space = !out.is_empty() || !tones.is_empty();
            continue;
        }
        if space {
            out.push_str(&tones);
            tones.clear();
            out.push(' ');
            space = false;
        }
        if is_tone_mark(c) {
            // A syllable has one tone: keep it, wherever it sat, at the end of the word.
            tones.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out.push_str(&tones);
    out
}

/// The five Vietnamese tone marks as combining characters (huyền, sắc, hỏi, ngã, nặng).
fn is_tone_mark(c: char) -> bool {
    matches!(c, '\u{300}' | '\u{301}' | '\u{309}' | '\u{303}' | '\u{323}')
}

/// NFC form, for output: composed and decomposed input print the same.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composed_and_decomposed_forms_fold_alike() {
        let composed = "Hải Dương";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(composed, decomposed);
        assert_eq!(fold(composed), fold(&decomposed));
        assert_eq!(fold(composed), "hai duong");
    }

    #[test]
    fn old_and_new_tone_placement_fold_alike() {
        assert_eq!(fold("Hoà Bình"), fold("Hòa Bình"));
    }

    #[test]
    fn case_d_bar_and_spacing_are_ignored() {
        assert_eq!(fold("  ĐẠT "), "dat");
        assert_eq!(fold("Thu  nhập\tBQ"), "thu nhap bq");
    }

    #[test]
    fn spelling_key_joins_spellings_not_names() {
        assert_eq!(
            spelling_key("Huyện Hoà Vang"),
            spelling_key("huyện  Hòa Vang ")
        );
        let decomposed: String = "Thanh Hà".nfd().collect();
        assert_eq!(spelling_key("Thanh Hà"), spelling_key(&decomposed));
        assert_ne!(spelling_key("Thanh Hà"), spelling_key("Thanh Hạ"));
        assert_ne!(spelling_key("Đông Anh"), spelling_key("Dông Anh"));
        assert_ne!(spelling_key("Hòa"), spelling_key("Hoa"));
        assert_eq!(spelling_key(""), "");
    }

    #[test]
    fn nfc_composes() {
        let decomposed: String = "Đạt".nfd().collect();
        assert_eq!(nfc(&decomposed), "Đạt");
    }
}
