//! Each lint from a small ruleset: it fires on the faulty case, stays quiet on the sound one,
//! and `allow` silences the lints that may be allowed.

use super::*;
use crate::ruleset::load_str;

const BASE: &str = r#"[ruleset]
id = "t"
name = "T"
name_vi = "T"
period = [2021, 2025]
decision = "d"
zoning = "group"

[[zones]]
id = "1"
name = "One"
name_vi = "Một"

[[zones]]
id = "2"
name = "Two"
name_vi = "Hai"

[measures.m]
name = "M"
name_vi = "M"
kind = "number"

[[levels]]
id = "standard"
name = "S"
name_vi = "S"

[[levels]]
id = "advanced"
name = "A"
name_vi = "A"
requires = "standard"

[[criteria]]
level = "standard"
id = "1"
name = "C"
name_vi = "C"

[[criteria.indicators]]
id = "1.1"
measure = "m"
op = "OP_S"
threshold = THRESHOLD_S
source = "s"
verified = true
ALLOW_S

[[criteria]]
level = "advanced"
id = "1"
name = "C"
name_vi = "C"

[[criteria.indicators]]
id = "1.1"
measure = "m"
op = "OP_A"
threshold = THRESHOLD_A
source = "s"
verified = VERIFIED_A
note = "n"
ALLOW_A
"#;

struct Case<'a> {
    op_s: &'a str,
    ts: &'a str,
    op_a: &'a str,
    ta: &'a str,
    verified_a: &'a str,
    allow_a: &'a str,
}

const SOUND: Case<'static> = Case {
    op_s: ">=",
    ts: "{ 1 = 40, 2 = 50 }",
    op_a: ">=",
    ta: "{ 1 = 40, 2 = 60 }",
    verified_a: "true",
    allow_a: "",
};

fn lints(c: &Case<'_>, opts: &LintOptions) -> Vec<Diagnostic> {
    let text = BASE
        .replace("OP_S", c.op_s)
        .replace("THRESHOLD_S", c.ts)
        .replace("ALLOW_S", "")
        .replace("OP_A", c.op_a)
        .replace("THRESHOLD_A", c.ta)
        .replace("VERIFIED_A", c.verified_a)
        .replace("ALLOW_A", c.allow_a);
    let (rs, diags) = load_str(&text, "t.toml");
    assert!(diags.is_empty(), "{diags:#?}");
    lint(&rs.expect("valid"), opts)
}

fn codes(ds: &[Diagnostic]) -> Vec<&'static str> {
    ds.iter().map(|d| d.code).collect()
}

#[test]
fn sound_ruleset_has_no_lints() {
    assert_eq!(
        codes(&lints(&SOUND, &LintOptions::default())),
        Vec::<&str>::new()
    );
}

#[test]
fn laxer_higher_level_is_reported_with_its_zones() {
    let c = Case {
        ta: "{ 1 = 39, 2 = 60 }",
        ..SOUND
    };
    let ds = lints(&c, &LintOptions::default());
    assert_eq!(codes(&ds), ["laxer-than-required-level"]);
    assert!(
        ds[0].message.contains("`>= 39` for zone `1` in 2021"),
        "{}",
        ds[0]
    );
    assert!(ds[0].message.ends_with("zones: `1`"), "{}", ds[0]);
    assert!(!ds[0].is_error());
}

#[test]
fn laxer_respects_the_direction_of_the_op() {
    // For `<=` a higher value is laxer: 60 > 50 in zone 2.
    let c = Case {
        op_s: "<=",
        op_a: "<=",
        ..SOUND
    };
    assert_eq!(
        codes(&lints(&c, &LintOptions::default())),
        ["laxer-than-required-level"]
    );
    // `>` at the same value is stricter than `>=`; the reverse is laxer.
    let same = Case {
        ta: "{ 1 = 40, 2 = 50 }",
        ..SOUND
    };
    let stricter = Case { op_a: ">", ..same };
    assert_eq!(
        codes(&lints(&stricter, &LintOptions::default())),
        Vec::<&str>::new()
    );
    let laxer = Case {
        op_s: ">",
        op_a: ">=",
        ..same
    };
    assert_eq!(
        codes(&lints(&laxer, &LintOptions::default())),
        ["laxer-than-required-level"]
    );
}

#[test]
fn laxer_compares_each_year() {
    // Stricter in 2022, laxer from 2024.
    let c = Case {
        ts: "[{ from = 2021, value = 40 }, { from = 2024, value = 50 }]",
        ta: "[{ from = 2021, value = 45 }, { from = 2023, value = 48 }]",
        ..SOUND
    };
    let ds = lints(&c, &LintOptions::default());
    assert_eq!(codes(&ds), ["laxer-than-required-level"]);
    assert!(ds[0].message.contains("2024"), "{}", ds[0]);
}

#[test]
fn allow_silences_an_allowable_lint() {
    let c = Case {
        ta: "{ 1 = 39, 2 = 60 }",
        allow_a: "allow = [\"laxer-than-required-level\"]",
        ..SOUND
    };
    assert_eq!(
        codes(&lints(&c, &LintOptions::default())),
        Vec::<&str>::new()
    );
}

#[test]
fn year_gap_when_the_first_entry_starts_after_the_period() {
    let c = Case {
        ta: "[{ from = 2023, value = 60 }]",
        ..SOUND
    };
    let ds = lints(&c, &LintOptions::default());
    assert_eq!(codes(&ds), ["year-gap"]);
    assert!(ds[0].message.contains("covers 2021–2022"), "{}", ds[0]);
    let starts_on_time = Case {
        ta: "[{ from = 2021, value = 60 }]",
        ..SOUND
    };
    assert_eq!(
        codes(&lints(&starts_on_time, &LintOptions::default())),
        Vec::<&str>::new()
    );
    let allowed = Case {
        allow_a: "allow = [\"year-gap\"]",
        ..c
    };
    assert_eq!(
        codes(&lints(&allowed, &LintOptions::default())),
        Vec::<&str>::new()
    );
}

#[test]
fn unverified_indicator_is_a_warning_at_its_verified_key() {
    let c = Case {
        verified_a: "[\"1\"]",
        ..SOUND
    };
    let ds = lints(&c, &LintOptions::default());
    assert_eq!(codes(&ds), ["unverified"]);
    let loc = ds[0].location.as_ref().expect("located");
    let text_line = BASE.lines().position(|l| l == "verified = VERIFIED_A");
    assert_eq!(loc.line, text_line.map(|l| l as u64 + 1));
}

#[test]
fn outside_period_for_the_year_and_for_today() {
    let at = |year, today| {
        codes(&lints(
            &SOUND,
            &LintOptions {
                year,
                today: Some(today),
            },
        ))
    };
    assert_eq!(at(None, (2025, 12, 31)), Vec::<&str>::new());
    assert_eq!(at(None, (2026, 1, 1)), ["outside-period"]);
    assert_eq!(at(Some(2020), (2024, 1, 1)), ["outside-period"]);
    assert_eq!(at(Some(2026), (2024, 1, 1)), ["outside-period"]);
    assert_eq!(
        at(Some(2026), (2027, 1, 1)),
        ["outside-period", "outside-period"]
    );
}

#[test]
fn codes_are_sorted_unique_and_allowable_ones_are_codes() {
    let mut sorted = CODES.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted, CODES.to_vec());
    for a in ALLOWABLE {
        assert!(CODES.contains(&a));
    }
    assert!(!ALLOWABLE.contains(&"unverified"));
}

/// `SOUND` with `aliases` added to zone 1 and zone 2.
fn with_zone_aliases(one: &str, two: &str) -> Ruleset {
    let text = BASE
        .replace("OP_S", SOUND.op_s)
        .replace("THRESHOLD_S", SOUND.ts)
        .replace("ALLOW_S", "")
        .replace("OP_A", SOUND.op_a)
        .replace("THRESHOLD_A", SOUND.ta)
        .replace("VERIFIED_A", SOUND.verified_a)
        .replace("ALLOW_A", SOUND.allow_a)
        .replacen(
            "name_vi = \"Một\"",
            &format!("name_vi = \"Một\"\naliases = [{one}]"),
            1,
        )
        .replacen(
            "name_vi = \"Hai\"",
            &format!("name_vi = \"Hai\"\naliases = [{two}]"),
            1,
        );
    let (rs, diags) = load_str(&text, "t.toml");
    assert!(diags.is_empty(), "{diags:#?}");
    rs.expect("valid")
}

#[test]
fn zone_spellings_differing_only_by_diacritics_are_reported() {
    let rs = with_zone_aliases("\"DBSH\"", "\"ĐBSH\"");
    let found = lint(&rs, &LintOptions::default());
    assert_eq!(codes(&found), ["zone-spelling-collision"]);
    assert!(
        found[0]
            .message
            .contains("`ĐBSH` of zone `2` and `DBSH` of zone `1`"),
        "{}",
        found[0]
    );
    // At the id of the zone declared second.
    assert_eq!(found[0].location.as_ref().and_then(|l| l.line), Some(16));
    // Within one zone, or apart even without diacritics: nothing to report.
    let rs = with_zone_aliases("\"DBSH\", \"ĐBSH\"", "\"ĐNB\"");
    assert_eq!(
        codes(&lint(&rs, &LintOptions::default())),
        Vec::<&str>::new()
    );
}
