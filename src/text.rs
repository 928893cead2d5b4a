//! Text rules shared by the whole program: how names are compared, and how text from the
//! input is made safe to show.
//!
//! Vietnamese text arrives composed or decomposed, with old or new tone-mark placement
//! ("Hoà"/"Hòa"). `fold` is the one key used to compare such text against *declared* names;
//! nothing is ever matched by similarity or guessing.
//!
//! Text from the input never reaches a reader raw: [`escape_controls`] writes control and
//! bidirectional-formatting characters as visible escapes (`\u{1b}`, `\n`) before any
//! table, diagnostic or explanation shows them, and [`echo`] also shortens a value quoted
//! in a message.

use std::borrow::Cow;
use std::fmt::Write as _;

pub mod collate;
pub mod suggest;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Case-, diacritic- and spacing-insensitive key: "  Thu nhập  BQ " → "thu nhap bq".
///
/// The text's NFD, each character decomposed on its own: NFD also puts the combining marks
/// that follow a character in a canonical order, but every character it reorders is a
/// combining mark (a test checks every character), which the key drops, so the order cannot
/// show. ASCII, which NFD leaves alone, is folded as it is. Start-up folds every column name
/// of a ruleset (issue #14); a property test compares this with folding the NFD iterator.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_ascii() {
            fold_char(&mut out, &mut space, c);
        } else {
            decompose_canonical(c, |d| fold_char(&mut out, &mut space, d));
        }
    }
    out
}

/// One character of the NFD of a text, folded onto `out` ([`fold`]); `space` says a space
/// is owed before the next character kept.
#[inline]
fn fold_char(out: &mut String, space: &mut bool, c: char) {
    if c.is_ascii() {
        if c.is_whitespace() {
            *space = !out.is_empty();
            return;
        }
        if *space {
            out.push(' ');
            *space = false;
        }
        out.push(c.to_ascii_lowercase());
        return;
    }
    if is_combining_mark(c) {
        return;
    }
    if c.is_whitespace() {
        *space = !out.is_empty();
        return;
    }
    if *space {
        out.push(' ');
        *space = false;
    }
    match c {
        'đ' | 'Đ' => out.push('d'),
        c => out.extend(c.to_lowercase()),
    }
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

/// Is `c` written as an escape by [`escape_controls`]? The C0 and C1 control characters and
/// DEL (ESC sequences, BEL, NUL, CR, LF, tab…), the bidirectional formatting characters that
/// reorder what a terminal shows (U+202E RIGHT-TO-LEFT OVERRIDE and the others), the line
/// and paragraph separators, and the noncharacters U+FFFE and U+FFFF (not allowed in XML).
pub fn is_escaped(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{61c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{fffe}'
                | '\u{ffff}'
        )
}

/// Append the escape of one character: `\n`, `\r`, `\t`, `\0` as Rust writes them, any
/// other as `\u{…}` in lower-case hex (`\u{1b}`, `\u{202e}`); characters that are not
/// escaped are appended as they are.
fn push_escaped(out: &mut String, c: char) {
    if !is_escaped(c) {
        out.push(c);
        return;
    }
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\0' => out.push_str("\\0"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// `s` with every control and bidirectional-formatting character written as a visible
/// escape (`\u{1b}`, `\n`, `\u{202e}`), in the style of Rust's `escape_debug` but for those
/// characters only: Vietnamese letters, other non-ASCII text, quotes and backslashes stay as
/// they are. What it returns holds no character it would escape, so escaping twice changes
/// nothing. Borrowed when there is nothing to escape (the usual case).
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    let Some(first) = first_escaped(s) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// Byte offset of the first character [`is_escaped`] holds, looking at bytes: what
/// `s.find(is_escaped)` returns, without decoding characters (it runs on every text cell of
/// the CSV output). The bytes that start such a character in UTF-8 are a C0 control or DEL,
/// `C2` (C1 controls `C2 80`–`C2 9F`), `D8` (`D8 9C`, U+061C), `E2` (U+200E/F `E2 80 8E/8F`,
/// U+2028–U+202E `E2 80 A8`–`AE`, U+2066–U+2069 `E2 81 A6`–`A9`) and `EF` (`EF BF BE/BF`).
fn first_escaped(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    b.iter().enumerate().find_map(|(i, &c)| {
        let hit = match c {
            0x00..=0x1f | 0x7f => true,
            0xc2 => (0x80..=0x9f).contains(&at(i + 1)),
            0xd8 => at(i + 1) == 0x9c,
            0xe2 => match at(i + 1) {
                0x80 => matches!(at(i + 2), 0x8e | 0x8f | 0xa8..=0xae),
                0x81 => (0xa6..=0xa9).contains(&at(i + 2)),
                _ => false,
            },
            0xef => at(i + 1) == 0xbf && matches!(at(i + 2), 0xbe | 0xbf),
            _ => false,
        };
        hit.then_some(i)
    })
}

/// Characters of a value [`echo`] shows before it cuts it short.
pub const ECHO_CHARS: usize = 60;

/// A value from the input as a message quotes it: escaped as by [`escape_controls`] and, when
/// longer than [`ECHO_CHARS`] characters (counting each escape as its characters), cut
/// there and followed by `… (N bytes)`, N being the length of the whole value in bytes with
/// thousands separated by commas: `aaaa… (104,857,600 bytes)`. It reads only the start of
/// the value, so a 100 MB cell costs what a short one does.
pub fn echo(s: &str) -> Cow<'_, str> {
    // Fast path: short text without anything to escape is shown as it is.
    if s.len() <= ECHO_CHARS && !s.contains(is_escaped) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(ECHO_CHARS.min(s.len()) + 24);
    let mut shown = 0;
    let mut piece = String::new();
    for c in s.chars() {
        piece.clear();
        push_escaped(&mut piece, c);
        let width = piece.chars().count();
        if shown + width > ECHO_CHARS {
            out.push_str("… (");
            push_thousands(&mut out, s.len());
            out.push_str(" bytes)");
            return Cow::Owned(out);
        }
        shown += width;
        out.push_str(&piece);
    }
    Cow::Owned(out)
}

/// Names from the input for a message, each [`echo`]ed in backticks and joined with `, `; at
/// most [`ECHO_ITEMS`] of them, then `… (N in all)`.
pub fn echo_list<S: AsRef<str>>(items: &[S]) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().take(ECHO_ITEMS).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('`');
        out.push_str(&echo(item.as_ref()));
        out.push('`');
    }
    if items.len() > ECHO_ITEMS {
        let _ = write!(out, ", … ({} in all)", items.len());
    }
    out
}

/// Names of a list [`echo_list`] shows.
pub const ECHO_ITEMS: usize = 30;

/// `s` cut after `chars` characters and followed by `… (N bytes)` when longer, as is
/// otherwise; nothing is escaped (for formats that escape in their own way: CSV, JSON).
pub fn clip(s: &str, chars: usize) -> Cow<'_, str> {
    match s.char_indices().nth(chars) {
        None => Cow::Borrowed(s),
        Some((end, _)) => {
            let mut out = String::with_capacity(end + 24);
            out.push_str(&s[..end]);
            out.push_str("… (");
            push_thousands(&mut out, s.len());
            out.push_str(" bytes)");
            Cow::Owned(out)
        }
    }
}

/// Append `n` with its thousands separated by commas: `104,857,600`.
fn push_thousands(out: &mut String, n: usize) {
    let digits = n.to_string();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn controls_and_bidi_are_escaped_and_letters_are_not() {
        assert_eq!(escape_controls("Xã Hồng Lạc"), "Xã Hồng Lạc");
        assert!(matches!(escape_controls("Hà Nội"), Cow::Borrowed(_)));
        assert_eq!(
            escape_controls("a\u{1b}[31mb\u{7}c\0d\ne\rf\tg"),
            "a\\u{1b}[31mb\\u{7}c\\0d\\ne\\rf\\tg"
        );
        assert_eq!(
            escape_controls("x\u{202e}y\u{2066}"),
            "x\\u{202e}y\\u{2066}"
        );
        assert_eq!(
            escape_controls("\u{85}\u{9b}\u{7f}"),
            "\\u{85}\\u{9b}\\u{7f}"
        );
        assert_eq!(escape_controls("\u{2028}\u{fffe}"), "\\u{2028}\\u{fffe}");
        // Quotes, backslashes and combining marks (decomposed Vietnamese) stay.
        let decomposed: String = "Đạt".nfd().collect();
        assert_eq!(escape_controls(&decomposed), decomposed);
        assert_eq!(escape_controls("a\\n`\""), "a\\n`\"");
    }

    #[test]
    fn echo_shortens_long_values_and_says_how_long_they_were() {
        let big = "a".repeat(100 * 1024 * 1024);
        let e = echo(&big);
        assert_eq!(
            e,
            format!("{}… (104,857,600 bytes)", "a".repeat(ECHO_CHARS))
        );
        assert_eq!(echo("130"), "130");
        let exact = "đ".repeat(ECHO_CHARS);
        assert_eq!(echo(&exact), exact);
        assert_eq!(
            echo(&"đ".repeat(ECHO_CHARS + 1)),
            format!("{}… (122 bytes)", "đ".repeat(ECHO_CHARS))
        );
        assert_eq!(echo("x\ny"), "x\\ny");
        // An escape is never cut in the middle.
        let s = format!("{}\u{1b}tail", "b".repeat(ECHO_CHARS - 3));
        assert_eq!(
            echo(&s),
            format!("{}… (62 bytes)", "b".repeat(ECHO_CHARS - 3))
        );
    }

    #[test]
    fn echo_list_quotes_escapes_and_caps() {
        assert_eq!(echo_list(&["a", "b\nc"]), "`a`, `b\\nc`");
        let many: Vec<String> = (0..100).map(|i| i.to_string()).collect();
        let text = echo_list(&many);
        assert!(text.starts_with("`0`, `1`"));
        assert!(text.ends_with("`29`, … (100 in all)"), "{text}");
    }

    #[test]
    fn clip_cuts_without_escaping() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("ab\nc", 2), "ab… (4 bytes)");
        assert_eq!(clip("đạt", 1), "đ… (6 bytes)");
    }

    #[test]
    fn thousands_are_separated() {
        for (n, want) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (1234567, "1,234,567"),
        ] {
            let mut s = String::new();
            push_thousands(&mut s, n);
            assert_eq!(s, want);
        }
    }

    #[test]
    fn the_byte_scan_finds_every_escaped_character() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let s = format!("ab{c}");
            let want = is_escaped(c).then_some(2);
            assert_eq!(first_escaped(&s), want, "{:x}", u32::from(c));
        }
    }

    proptest! {
        #[test]
        fn the_byte_scan_is_find(s in "\\PC*|[\\x00-\\x{a0}\\x{202a}-\\x{202e}\\x{2066}a\\\\]*|.*") {
            prop_assert_eq!(first_escaped(&s), s.find(is_escaped));
        }

        #[test]
        fn escaped_text_holds_no_control_and_escaping_is_idempotent(s in "\\PC*|[\\x00-\\x{a0}\\x{202a}-\\x{202e}a\\\\]*") {
            let e = escape_controls(&s);
            prop_assert!(!e.contains(is_escaped));
            prop_assert_eq!(escape_controls(&e), e.clone());
            let short = echo(&s);
            prop_assert!(!short.contains(is_escaped));
            prop_assert!(short.chars().count() <= ECHO_CHARS + 40);
            if s.chars().count() <= ECHO_CHARS && !s.contains(is_escaped) {
                prop_assert_eq!(short, s.clone());
            }
        }
    }

    /// `fold` as it was written before its ASCII runs were folded byte by byte.
    fn fold_reference(s: &str) -> String {
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

    /// What lets `fold` decompose each character on its own: the characters NFD reorders
    /// (a canonical combining class other than 0) are all combining marks, which it drops.
    #[test]
    fn every_character_nfd_reorders_is_a_combining_mark() {
        use unicode_normalization::char::canonical_combining_class;
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            if canonical_combining_class(c) != 0 {
                assert!(is_combining_mark(c), "{:x}", u32::from(c));
            }
        }
    }

    #[test]
    fn every_ascii_character_folds_as_through_nfd() {
        for b in 0..=0x7fu8 {
            let s = format!("a{}b{}", char::from(b), char::from(b));
            assert_eq!(fold(&s), fold_reference(&s), "{b:#x}");
        }
    }

    proptest! {
        #[test]
        fn fold_is_the_nfd_fold(
            s in "\\PC*|[ \\t\\n\\x0b\\x0c\\raAzZ_%đĐạẠồỒHòoà\\x{300}\\x{301}\\x{303}\\x{309}\\x{323}\\x{31b}\\x{85}\\x{a0}\\x{2003}\\x{130}\\x{1e9e}ǅ한ỡ\\x{345}]*",
        ) {
            prop_assert_eq!(fold(&s), fold_reference(&s));
        }
    }

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
