//! Ruleset text → validated `Ruleset`: TOML parsing, then `validate`.
//!
//! Takes text, never a path on disk (reading files is the commands' job), so the built-in
//! rulesets and user files go through exactly the same checks.

use sha2::{Digest, Sha256};

use super::model::Ruleset;
use super::raw::RawRuleset;
use super::source::Sources;
use super::validate::validate;
use crate::diag::{Diagnostic, toml_error};

/// Codes of reading a ruleset: the file itself (`unreadable-file`, `invalid-utf8`, reported by
/// the commands that read files) and the TOML reader.
pub const CODES: [&str; 5] = [
    "invalid-toml",
    "invalid-utf8",
    "missing-key",
    "unknown-key",
    "unreadable-file",
];

/// Parse and validate ruleset `text`; `path` is only used in diagnostics.
pub fn load_str(text: &str, path: &str) -> (Option<Ruleset>, Vec<Diagnostic>) {
    let sha256 = sha256_hex(text.as_bytes());
    match toml::from_str::<RawRuleset>(text) {
        Ok(raw) => validate(raw, &Sources::single(path, text), sha256),
        Err(e) => {
            let codes = ["invalid-toml", "unknown-key", "missing-key"];
            (None, vec![toml_error(&e, text, path, codes)])
        }
    }
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
    fn unknown_key_is_located() {
        let text = "[ruleset]\nid = \"x\"\nnmae = \"typo\"\n";
        let (rs, diags) = load_str(text, "r.toml");
        assert!(rs.is_none());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "unknown-key");
        let loc = diags[0].location.as_ref().map(|l| l.line);
        assert_eq!(loc, Some(Some(3)));
    }

    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
