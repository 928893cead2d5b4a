//! Commune data: decoding CSV bytes (`decode`), worksheets (`sheet`), header mapping
//! (`columns`), cell coercion (`coerce`), the province table (`province`), the official lists
//! of communal units (`units`), reading rows from either source (`read`), CSV records with exact positions and a size
//! cap (`records`), the fast hasher of the reader's maps (`hash`) and the years of a plain
//! CSV file counted without a parser (`year_scan`).
//!
//! Data diagnostic codes are stable and listed in [`CODES`] and docs/data.md.

pub mod coerce;
pub(crate) mod columns;
pub mod decode;
pub(crate) mod diags;
pub(crate) mod hash;
pub mod province;
pub mod read;
pub(crate) mod records;
pub mod sheet;
pub(crate) mod units;
pub(crate) mod year_scan;

/// Every diagnostic code of commune data (docs/data.md, "Diagnostic codes"), sorted. A test
/// keeps this list, the codes the reader uses and the docs in step.
pub const CODES: [&str; 35] = [
    "ambiguous-number",
    "ambiguous-province",
    "ambiguous-zone",
    "commune-name-mismatch",
    "conflicting-overrides",
    "duplicate-code",
    "duplicate-column",
    "empty-file",
    "header-not-found",
    "invalid-utf8",
    "missing-column",
    "missing-zone",
    "mixed-percent-scale",
    "no-code-column",
    "no-measure-columns",
    "no-rows",
    "not-a-bool",
    "not-a-number",
    "not-a-year",
    "option-ignored",
    "out-of-range",
    "percent-as-fraction",
    "record-too-large",
    "replaced-characters",
    "too-precise",
    "unknown-columns",
    "unknown-commune-code",
    "unknown-province",
    "unknown-sheet",
    "unknown-zone",
    "unreadable-csv",
    "unreadable-workbook",
    "workbook-too-large",
    "wrong-field-count",
    "year-outside-period",
];

#[cfg(test)]
mod tests {
    use super::CODES;

    /// The kebab-case literals given as a code to a diagnostic constructor in `src`.
    fn codes_in(src: &str) -> Vec<String> {
        const CALLS: [&str; 6] = [
            "error(",
            "warning(",
            "err(",
            "cell_error(",
            "cell_problem(",
            "row_problem(",
        ];
        let mut found = Vec::new();
        for (i, _) in src.match_indices('"') {
            let before = src[..i].trim_end();
            if !CALLS.iter().any(|c| before.ends_with(c)) {
                continue;
            }
            let rest = &src[i + 1..];
            let Some(end) = rest.find('"') else { continue };
            let lit = &rest[..end];
            let kebab = lit.contains('-')
                && lit
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if kebab {
                found.push(lit.to_string());
            }
        }
        found
    }

    #[test]
    fn codes_are_sorted_and_unique() {
        let mut sorted = CODES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, CODES.to_vec());
    }

    #[test]
    fn every_code_the_reader_raises_is_listed() {
        let sources = [
            include_str!("read.rs"),
            include_str!("records.rs"),
            include_str!("coerce.rs"),
            include_str!("columns.rs"),
            include_str!("decode.rs"),
            include_str!("sheet.rs"),
            include_str!("../cmd/scan.rs"),
        ];
        let mut used: Vec<String> = sources.iter().flat_map(|s| codes_in(s)).collect();
        used.sort();
        used.dedup();
        for code in &used {
            assert!(
                CODES.contains(&code.as_str()),
                "`{code}` is not in data::CODES"
            );
        }
        // Codes raised from a variable (`e.code`, the ruleset's own) are checked by the
        // golden cases; at least these are found here, so the scan itself works.
        for code in [
            "duplicate-code",
            "workbook-too-large",
            "wrong-field-count",
            "not-a-number",
            "unknown-columns",
        ] {
            assert!(used.iter().any(|u| u == code), "scan missed `{code}`");
        }
    }
}
