//! Rulesets: the TOML format (`raw`), its validation (`validate`), the validated model
//! (`model`), loading from text (`load`) and the embedded official sets (`builtin`).

pub mod builtin;
pub mod load;
pub mod model;
mod raw;
pub mod validate;

pub use load::load_str;
pub use model::Ruleset;
