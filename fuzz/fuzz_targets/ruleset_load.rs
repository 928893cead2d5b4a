//! Any text as a ruleset: loading (TOML, validation, model) must return diagnostics, never
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let (rs, diags) = ntm::ruleset::load_str(text, "fuzz.toml");
        // A ruleset comes back only when no error was found.
        assert!(rs.is_none() || diags.iter().all(|d| !d.is_error()));
    }
});
