//! Byte-order marks, transcoding and delimiter sniffing.

use std::io::Read;

use super::*;

fn decoded(bytes: &[u8], asked: Option<Encoding>) -> (Encoding, Vec<u8>) {
    let head = bytes[..bytes.len().min(3)].to_vec();
    let (enc, mut r, _) = decode(head, &bytes[bytes.len().min(3)..], asked);
    let mut out = Vec::new();
    r.read_to_end(&mut out).expect("decode");
    (enc, out)
}

fn utf16(text: &str, le: bool) -> Vec<u8> {
    let mut out = if le {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for u in text.encode_utf16() {
        out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}

#[test]
fn utf8_passes_through_untouched_bom_included() {
    let bytes = "\u{feff}tên;mã\n".as_bytes();
    assert_eq!(decoded(bytes, None), (Encoding::Utf8, bytes.to_vec()));
    // Invalid bytes are not replaced: the reader reports them where they are.
    let bad = b"a,b\n\xF4,c\n";
    assert_eq!(decoded(bad, None), (Encoding::Utf8, bad.to_vec()));
}

#[test]
fn utf16_with_a_bom_is_transcoded_whatever_was_asked() {
    for le in [true, false] {
        let bytes = utf16("Tên xã\tĐạt\r\nx\ty\r\n", le);
        let want = if le {
            Encoding::Utf16Le
        } else {
            Encoding::Utf16Be
        };
        let (enc, text) = decoded(&bytes, Some(Encoding::Windows1258));
        assert_eq!(enc, want);
        let text = String::from_utf8(text).expect("utf-8");
        assert_eq!(
            text.trim_start_matches('\u{feff}'),
            "Tên xã\tĐạt\r\nx\ty\r\n"
        );
    }
}

#[test]
fn windows_1258_is_decoded_with_its_combining_tone_marks() {
    // "Hải" in windows-1258: H, a-breve (0xE3)... here plain `a` + combining hook (0xD2).
    let bytes = b"H\x61\xD2i;\xD0\xE3t\n";
    let (enc, text) = decoded(bytes, Some(Encoding::Windows1258));
    assert_eq!(enc, Encoding::Windows1258);
    let text = String::from_utf8(text).expect("utf-8");
    assert_eq!(text, "Ha\u{309}i;Đăt\n");
    assert_eq!(crate::text::nfc(&text), "Hải;Đăt\n");
}

#[test]
fn windows_1252_maps_its_high_bytes() {
    let (_, text) = decoded(b"caf\xE9;\x80\n", Some(Encoding::Windows1252));
    assert_eq!(String::from_utf8(text).expect("utf-8"), "café;€\n");
}

#[test]
fn delimiter_is_the_most_frequent_candidate_outside_quotes() {
    assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n"), b',');
    assert_eq!(sniff_delimiter(b"a;b;c\n1,5;2;3\n"), b';');
    assert_eq!(sniff_delimiter(b"a\tb\tc\n"), b'\t');
    // Commas inside quotes do not count.
    assert_eq!(sniff_delimiter(b"\"a,b,c\";d\n"), b';');
    // A title line without any candidate is passed over.
    assert_eq!(sniff_delimiter(b"Bao cao\r\na;b\r\n"), b';');
    // Excel's `sep=;` first line names the delimiter by using it.
    assert_eq!(sniff_delimiter(b"sep=;\r\na;b,c;d\r\n"), b';');
    assert_eq!(sniff_delimiter(b"sep=\t\na\tb;c\n"), b'\t');
    // A tie or nothing at all: comma.
    assert_eq!(sniff_delimiter(b"a;b,c\n"), b',');
    assert_eq!(sniff_delimiter(b"abc\n"), b',');
    assert_eq!(sniff_delimiter(b""), b',');
}

#[test]
fn delimiter_keeps_every_byte_of_the_stream() {
    let text = "x;y\n".repeat(5000);
    let (d, mut r) = delimiter(text.as_bytes(), None).expect("read");
    assert_eq!(d, b';');
    let mut out = String::new();
    r.read_to_string(&mut out).expect("read");
    assert_eq!(out, text);
    let (d, _) = delimiter(text.as_bytes(), Some(b'\t')).expect("read");
    assert_eq!(d, b'\t');
}

#[test]
fn delimiter_flag_values() {
    assert_eq!(parse_delimiter(";"), Ok(b';'));
    assert_eq!(parse_delimiter("tab"), Ok(b'\t'));
    assert_eq!(parse_delimiter("\\t"), Ok(b'\t'));
    assert!(parse_delimiter("ab").is_err());
}

#[test]
fn undecodable_units_are_counted_across_chunks() {
    // "A", an unpaired high surrogate, "B", then an odd last byte.
    let bytes = b"\xFF\xFEA\x00\x00\xD8B\x00\x00";
    let (_, mut r, replaced) = decode(bytes[..3].to_vec(), &bytes[3..], None);
    let mut out = Vec::new();
    // Chunks of 3 bytes split each U+FFFD (3 bytes) across two reads.
    let mut chunk = [0u8; 3];
    loop {
        let n = r.read(&mut chunk).expect("read");
        if n == 0 {
            break;
        }
        out.extend_from_slice(&chunk[..n]);
    }
    assert_eq!(String::from_utf8(out).expect("utf-8"), "A\u{FFFD}B\u{FFFD}");
    assert_eq!(replaced.count(), 2);
    let (_, mut r, replaced) = decode(b"a;b".to_vec(), &b"\n"[..], Some(Encoding::Utf16Le));
    std::io::copy(&mut r, &mut std::io::sink()).expect("read");
    assert_eq!(replaced.count(), 0);
}

/// Fed in any chunks, the watch says what one check of the whole stream says: characters
/// cut between chunks are completed, bad bytes anywhere are found, and a character cut by
/// the end of the stream is bad.
mod utf8_watch {
    use super::super::Utf8Watch;
    use proptest::prelude::*;

    fn pieces() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            "[a-z,;\"\\n]{0,4}".prop_map(String::into_bytes),
            "[ĐạtKhôngđạtCóƯ€😀]{0,3}".prop_map(String::into_bytes),
            prop::collection::vec(any::<u8>(), 0..3),
        ];
        prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn chunks_agree_with_one_check(
            bytes in pieces(),
            cuts in prop::collection::vec(0usize..64, 0..8),
        ) {
            let mut watch = Utf8Watch::default();
            let mut at = 0;
            for c in cuts {
                let end = (at + c).min(bytes.len());
                watch.feed(&bytes[at..end]);
                at = end;
            }
            watch.feed(&bytes[at..]);
            prop_assert_eq!(watch.valid(true), std::str::from_utf8(&bytes).is_ok());
        }
    }

    #[test]
    fn a_character_cut_one_byte_at_a_time_is_whole() {
        let text = "Không đạt 😀".as_bytes();
        let mut watch = Utf8Watch::default();
        for b in text {
            watch.feed(std::slice::from_ref(b));
        }
        assert!(watch.valid(true));
        let mut cut = Utf8Watch::default();
        cut.feed(&text[..text.len() - 1]);
        assert!(cut.valid(false), "cut, but the stream goes on");
        assert!(!cut.valid(true), "cut by the end of the stream");
    }
}
