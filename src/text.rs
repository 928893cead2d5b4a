//! Text comparison rules shared by headers, zone names, provinces and yes/no cells.
//!
//! Vietnamese text arrives composed or decomposed, with old or new tone-mark placement
//! ("Hoà"/"Hòa"). `fold` is the one key used to compare such text against *declared* names;
//! nothing is ever matched by similarity or guessing.

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
    fn nfc_composes() {
        let decomposed: String = "Đạt".nfd().collect();
        assert_eq!(nfc(&decomposed), "Đạt");
    }
}
