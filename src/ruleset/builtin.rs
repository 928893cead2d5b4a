//! The official rulesets shipped in `criteria/`, embedded in the binary.
//!
//! Only the text is embedded; a ruleset is parsed when a command asks for it, so start-up does
//! not pay for the ones it does not use.

/// Id of the ruleset used when `--rules` is not given.
pub const DEFAULT_ID: &str = "ntm-2021-2025";

/// (id, file name, text) of every built-in ruleset, oldest first.
pub const BUILTIN: [(&str, &str, &str); 3] = [
    (
        "ntm-2016-2020",
        "criteria/ntm-2016-2020.toml",
        include_str!("../../criteria/ntm-2016-2020.toml"),
    ),
    (
        "ntm-2021-2025",
        "criteria/ntm-2021-2025.toml",
        include_str!("../../criteria/ntm-2021-2025.toml"),
    ),
    (
        "ntm-2026-2030",
        "criteria/ntm-2026-2030.toml",
        include_str!("../../criteria/ntm-2026-2030.toml"),
    ),
];

/// The (file name, text) of a built-in ruleset.
pub fn get(id: &str) -> Option<(&'static str, &'static str)> {
    BUILTIN
        .iter()
        .find(|(i, _, _)| *i == id)
        .map(|(_, path, text)| (*path, *text))
}

/// (id, period) of every built-in ruleset, in the order of [`BUILTIN`]: what choosing a set by
/// the assessment year needs, known without parsing one (start-up, issue #14). A test checks
/// it against each set's `[ruleset] period`, so the two cannot drift apart.
pub const PERIODS: [(&str, (i32, i32)); 3] = [
    ("ntm-2016-2020", (2016, 2020)),
    ("ntm-2021-2025", (2021, 2025)),
    ("ntm-2026-2030", (2026, 2030)),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_agree_with_the_parsed_rulesets() {
        assert_eq!(PERIODS.len(), BUILTIN.len());
        for ((id, path, text), (pid, period)) in BUILTIN.iter().zip(PERIODS) {
            let (rs, diags) = crate::ruleset::load_str(text, path);
            let rs = rs.unwrap_or_else(|| panic!("{id}: {diags:?}"));
            assert_eq!((rs.id.as_str(), rs.period), (*id, period), "{path}");
            assert_eq!(pid, *id);
        }
    }
}
