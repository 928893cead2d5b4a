//! Rulesets: the TOML format (`raw`), its validation (`validate`), the validated model
//! (`model`), loading from text (`load`: `parse`, `extend`, `validate`), opening one by id or
//! path (`open`, the commands' one entry) and the embedded official sets (`builtin`).

pub mod builtin;
pub mod extend;
pub mod fmt;
pub mod import;
pub mod lint;
pub mod load;
pub mod model;
pub mod open;
pub mod parse;
mod precise;
mod raw;
pub mod sheet;
pub mod source;
pub mod validate;

pub use load::load_str;
pub use model::Ruleset;
pub use open::{Files, Opened, Source, open};

/// Every diagnostic code about rulesets: reading, validation and lints, sorted. Each is
/// documented in docs/ruleset.md and has a golden case `tests/cmd/check-<code>.toml`.
pub fn codes() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = load::CODES
        .iter()
        .chain(&validate::CODES)
        .chain(&extend::CODES)
        .chain(&lint::CODES)
        .copied()
        .collect();
    all.sort_unstable();
    all
}
