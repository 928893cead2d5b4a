//! One ruleset file's TOML text → its raw structs, located in the virtual text of its chain
//! (`source`), refusing numbers that cannot be held exactly (`precise`); and the digests a
//! ruleset is identified by.

use sha2::{Digest, Sha256};

use super::precise;
use super::raw::RawRuleset;
use super::source::Sources;
use crate::diag::Diagnostic;

/// Parse one file of a ruleset into `sources`. Its spans are offsets in the sources' virtual
/// text: the TOML reader is given the text behind as many spaces as the file's start offset
/// (leading spaces are insignificant in TOML), so every span comes out already shifted.
pub(crate) fn parse(
    text: &str,
    path: &str,
    sources: &mut Sources,
) -> Result<RawRuleset, Box<Diagnostic>> {
    let start = sources.add(path, text);
    let shifted;
    let input = if start == 0 {
        text
    } else {
        shifted = format!("{}{text}", " ".repeat(start));
        &shifted
    };
    let raw = toml::from_str::<RawRuleset>(input).map_err(|e| {
        let message = e.message().trim_end().to_string();
        let code = if message.starts_with("unknown field") {
            "unknown-key"
        } else if message.starts_with("missing field") {
            "missing-key"
        } else {
            "invalid-toml"
        };
        let mut d = Diagnostic::error(code, message);
        d.location = Some(match e.span() {
            Some(s) => sources.locate(s.start.max(start)),
            None => crate::diag::Location {
                path: path.to_string(),
                line: None,
                column: None,
            },
        });
        Box::new(d)
    })?;
    // A built-in set's text is known exact (a test reads every number of each): its second
    // reading of the whole TOML is spared at start-up (issue #14).
    if !is_builtin_text(text)
        && let Some((span, text)) = precise::first_inexact(input)
    {
        let mut d = Diagnostic::error(
            "too-precise",
            format!(
                "the number `{text}` cannot be held exactly (it would be read as a nearby value)"
            ),
        );
        d.location = Some(sources.locate(span.start.max(start)));
        d.help = Some(
            "write at most 15 significant digits in a TOML number, or at most 28 in a quoted \
             number (\"79.99999999999999999\"); zeros at the end do not count"
                .to_string(),
        );
        return Err(Box::new(d));
    }
    Ok(raw)
}

/// Whether `text` is, byte for byte, the text of a built-in ruleset.
fn is_builtin_text(text: &str) -> bool {
    super::builtin::BUILTIN
        .iter()
        .any(|(_, _, t)| t.len() == text.len() && *t == text)
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_of_a_second_file_point_into_it() {
        let mut sources = Sources::default();
        let first = "[ruleset]\nid = \"a\"\n";
        assert!(parse(first, "a.toml", &mut sources).is_err());
        let second = "[ruleset]\nid = \"b\"\nnmae = 1\n";
        let d = parse(second, "b.toml", &mut sources).expect_err("unknown key");
        let loc = d.location.expect("located");
        assert_eq!(
            (loc.path.as_str(), loc.line, loc.column),
            ("b.toml", Some(3), Some(1))
        );
    }

    /// What lets `parse` skip `precise::first_inexact` on a built-in text: none holds an
    /// inexact number, read alone or shifted as a second file of a chain is.
    #[test]
    fn built_in_texts_hold_only_exact_numbers() {
        for (id, _, text) in super::super::builtin::BUILTIN {
            assert!(is_builtin_text(text), "{id}");
            assert_eq!(precise::first_inexact(text), None, "{id}");
            let shifted = format!("{}{text}", " ".repeat(100));
            assert_eq!(precise::first_inexact(&shifted), None, "{id}");
        }
    }

    #[test]
    fn a_copy_of_a_built_in_text_with_an_inexact_number_is_refused() {
        let (_, _, text) = super::super::builtin::BUILTIN[1];
        let edited = text.replacen("threshold = 80\n", "threshold = 79.99999999999999999\n", 1);
        assert_ne!(edited, text);
        assert!(!is_builtin_text(&edited));
        let mut sources = Sources::default();
        let d = parse(&edited, "copy.toml", &mut sources).expect_err("refused");
        assert_eq!(d.code, "too-precise", "{d:?}");
    }

    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
