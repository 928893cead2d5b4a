//! One test per diagnostic code, each from a minimal ruleset that produces exactly that code at
//! a known line; plus collection of several problems, the `CODES` list itself and the example.

use super::*;
use crate::ruleset::load_str;

/// A minimal valid ruleset (zoning by group, two zones, one level, one indicator). Tests edit it
/// with `replace` (each edit point is unique) or append tables to it.
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

[measures.p]
name = "P"
name_vi = "P"
kind = "percent"

[measures.b]
name = "B"
name_vi = "B"
kind = "bool"

[[levels]]
id = "standard"
name = "S"
name_vi = "S"

[[criteria]]
level = "standard"
id = "1"
name = "C"
name_vi = "C"

[[criteria.indicators]]
id = "1.1"
measure = "m"
op = ">="
threshold = 1
source = "s"
verified = true
"#;

/// `BASE` with region zoning and two of the seven region codes.
fn region_base() -> String {
    replace(
        &replace(
            &replace(BASE, "zoning = \"group\"", "zoning = \"region\""),
            "id = \"1\"\nname = \"One\"",
            "id = \"NMM\"\nname = \"One\"",
        ),
        "id = \"2\"\nname = \"Two\"",
        "id = \"RRD\"\nname = \"Two\"",
    )
}

/// `text` with the single occurrence of `from` replaced by `to`.
fn replace(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "`{from}` must occur exactly once in the ruleset text"
    );
    text.replacen(from, to, 1)
}

/// 1-based line of the single occurrence of `needle` (its first character).
fn line_of(text: &str, needle: &str) -> u64 {
    assert_eq!(
        text.matches(needle).count(),
        1,
        "`{needle}` must occur exactly once in the ruleset text"
    );
    let pos = text.find(needle).expect("needle is present");
    text[..pos].matches('\n').count() as u64 + 1
}

fn load(text: &str) -> (Option<Ruleset>, Vec<Diagnostic>) {
    load_str(text, "t.toml")
}

fn line(d: &Diagnostic) -> Option<u64> {
    d.location.as_ref().and_then(|l| l.line)
}

/// Loading `text` fails with exactly one diagnostic, an error with `code` at `line`.
#[track_caller]
fn assert_only(text: &str, code: &str, want_line: u64) {
    let (rs, diags) = load(text);
    let shown: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert!(rs.is_none(), "a ruleset with errors must not load");
    assert_eq!(diags.len(), 1, "want exactly one `{code}`, got {shown:#?}");
    let d = &diags[0];
    assert_eq!(d.code, code, "{shown:#?}");
    assert!(d.is_error(), "{d}");
    assert_eq!(line(d), Some(want_line), "{d}");
    assert_eq!(d.location.as_ref().map(|l| l.path.as_str()), Some("t.toml"));
}

/// An indicator appended to the last criterion of `BASE`.
fn with_indicator(body: &str) -> String {
    format!("{BASE}\n[[criteria.indicators]]\n{body}")
}

#[test]
fn base_ruleset_is_valid() {
    let (rs, diags) = load(BASE);
    assert!(diags.is_empty(), "{diags:#?}");
    let rs = rs.expect("loads");
    assert_eq!(rs.levels.len(), 1);
    assert_eq!(rs.zones.len(), 2);
    let (rs, diags) = load(&region_base());
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(rs.expect("loads").zoning, Zoning::Region);
}

// --- codes from the TOML reader (load.rs) ---------------------------------------------------

#[test]
fn invalid_toml_syntax() {
    let text = replace(BASE, "decision = \"d\"", "decision = \"d");
    assert_only(&text, "invalid-toml", line_of(&text, "decision ="));
}

#[test]
fn invalid_toml_wrong_type() {
    let text = replace(BASE, "period = [2021, 2025]", "period = \"2021-2025\"");
    assert_only(&text, "invalid-toml", line_of(&text, "period ="));
}

#[test]
fn unknown_key() {
    let text = replace(
        BASE,
        "kind = \"percent\"",
        "kind = \"percent\"\nunti = \"%\"",
    );
    assert_only(&text, "unknown-key", line_of(&text, "unti"));
}

#[test]
fn missing_key() {
    // `source` is required for an indicator; the error points at the indicator's table.
    let text = with_indicator(
        "id = \"1.2\"\nmeasure = \"m\"\nop = \">=\"\nthreshold = 2\nverified = true\n",
    );
    let (rs, diags) = load(&text);
    assert!(rs.is_none());
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].code, "missing-key");
    assert!(diags[0].message.contains("source"), "{}", diags[0]);
    // The header of the indicator table that lacks it.
    assert_eq!(line(&diags[0]), Some(line_of(&text, "id = \"1.2\"") - 1));
}

// --- codes from validate (CODES) -------------------------------------------------------------

#[test]
fn bad_allow() {
    let text = replace(
        BASE,
        "verified = true",
        "verified = true\nallow = [\"unverified\"]",
    );
    assert_only(&text, "bad-allow", line_of(&text, "allow"));
    let text = replace(
        BASE,
        "verified = true",
        "verified = true\nallow = [\"year-gap\"]",
    );
    let (rs, diags) = load(&text);
    assert!(diags.is_empty(), "{diags:#?}");
    let rs = rs.expect("loads");
    assert_eq!(rs.levels[0].criteria[0].indicators[0].allow, ["year-gap"]);
}

#[test]
fn bad_at_least() {
    let text = replace(BASE, "name = \"C\"", "name = \"C\"\nat_least = 2");
    assert_only(&text, "bad-at-least", line_of(&text, "at_least"));
    let text = replace(BASE, "name = \"C\"", "name = \"C\"\nat_least = 0");
    assert_only(&text, "bad-at-least", line_of(&text, "at_least"));
}

#[test]
fn bad_derived() {
    let text = with_indicator(
        "id = \"1.2\"\nmeasure = \"m\"\nop = \">=\"\nderived = { level = \"standard\", indicator = \"9\", factor = 1.1 }\nsource = \"s\"\nverified = true\n",
    );
    assert_only(&text, "bad-derived", line_of(&text, "derived ="));
}

#[test]
fn bad_derived_factor_not_positive() {
    let text = with_indicator(
        "id = \"1.2\"\nmeasure = \"m\"\nop = \">=\"\nderived = { level = \"standard\", indicator = \"1.1\", factor = 0 }\nsource = \"s\"\nverified = true\n",
    );
    assert_only(&text, "bad-derived", line_of(&text, "derived ="));
}

#[test]
fn bad_derived_base_not_fixed() {
    // A base that is itself derived (or `yes`) has no fixed threshold to derive from.
    let text = with_indicator(
        "id = \"1.2\"\nmeasure = \"b\"\nop = \"yes\"\nsource = \"s\"\nverified = true\n\n\
         [[criteria.indicators]]\nid = \"1.3\"\nmeasure = \"m\"\nop = \">=\"\n\
         derived = { level = \"standard\", indicator = \"1.2\", factor = 2 }\nsource = \"s\"\nverified = true\n",
    );
    assert_only(&text, "bad-derived", line_of(&text, "derived ="));
}

#[test]
fn bad_id() {
    let text = replace(BASE, "id = \"t\"", "id = \"NTM 2021\"");
    assert_only(&text, "bad-id", line_of(&text, "NTM 2021"));
}

#[test]
fn bad_id_of_a_measure() {
    let text = replace(BASE, "[measures.m]", "[measures.Income]");
    let text = replace(&text, "measure = \"m\"", "measure = \"Income\"");
    let (rs, diags) = load(&text);
    assert!(rs.is_none());
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].code, "bad-id");
    let header = line_of(&text, "[measures.Income]");
    assert_eq!(line(&diags[0]), Some(header), "{}", diags[0]);
}

#[test]
fn bad_period() {
    let text = replace(BASE, "period = [2021, 2025]", "period = [2025, 2021]");
    assert_only(&text, "bad-period", line_of(&text, "period ="));
    let text = replace(BASE, "period = [2021, 2025]", "period = [2021]");
    assert_only(&text, "bad-period", line_of(&text, "period ="));
}

#[test]
fn bad_threshold() {
    let text = replace(BASE, "threshold = 1", "threshold = true");
    assert_only(&text, "bad-threshold", line_of(&text, "threshold ="));
    let text = replace(BASE, "threshold = 1", "threshold = [{ value = 3 }]");
    assert_only(&text, "bad-threshold", line_of(&text, "threshold ="));
}

#[test]
fn bad_verified() {
    let text = replace(BASE, "verified = true", "verified = \"yes\"");
    assert_only(&text, "bad-verified", line_of(&text, "verified ="));
}

#[test]
fn bad_zoning() {
    let text = replace(
        &region_base(),
        "zoning = \"region\"",
        "zoning = \"province\"",
    );
    assert_only(&text, "bad-zoning", line_of(&text, "zoning ="));
}

#[test]
fn bad_zoning_with_group_zones_reports_only_the_zoning() {
    let text = replace(BASE, "zoning = \"group\"", "zoning = \"groups\"");
    assert_only(&text, "bad-zoning", line_of(&text, "zoning ="));
}

#[test]
fn duplicate_alias() {
    let text = replace(
        BASE,
        "kind = \"bool\"",
        "kind = \"bool\"\naliases = [\"Đạt chuẩn\", \"Năm\"]",
    );
    // `Năm` (year) is an identity column header.
    assert_only(&text, "duplicate-alias", line_of(&text, "aliases ="));
    let text = replace(
        BASE,
        "kind = \"bool\"",
        "kind = \"bool\"\naliases = [\"  p \"]",
    );
    assert_only(&text, "duplicate-alias", line_of(&text, "aliases ="));
}

#[test]
fn zone_spellings_equal_ignoring_case_are_duplicate_alias() {
    // `HAI` could be read as zone 2's name or zone 1's alias: never the first declared.
    let text = replace(
        BASE,
        "name = \"One\"\nname_vi = \"Một\"",
        "name = \"One\"\nname_vi = \"Một\"\naliases = [\"HAI\"]",
    );
    let (rs, diags) = load(&text);
    assert!(rs.is_none());
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code, "duplicate-alias");
    assert!(diags[0].message.contains("zone `2`"), "{}", diags[0]);
    // The same spelling twice in one zone is harmless.
    let text = replace(
        BASE,
        "name = \"One\"\nname_vi = \"Một\"",
        "name = \"One\"\nname_vi = \"Một\"\naliases = [\"one\", \"MỘT\"]",
    );
    assert!(load(&text).0.is_some());
}

#[test]
fn duplicate_id() {
    let text = format!("{BASE}\n[[zones]]\nid = \"2\"\nname = \"Again\"\nname_vi = \"Again\"\n");
    assert_only(
        &text,
        "duplicate-id",
        line_of(&text, "name = \"Again\"") - 1,
    );
}

#[test]
fn duplicate_indicator_id_within_a_level() {
    let text = with_indicator(
        "id = \"1.1\"\nmeasure = \"p\"\nop = \"<\"\nthreshold = 5\nsource = \"dup\"\nverified = true\n",
    );
    assert_only(&text, "duplicate-id", line_of(&text, "measure = \"p\"") - 1);
}

#[test]
fn duplicate_criterion_level_and_override_ids() {
    let text = format!(
        "{BASE}\n[[criteria]]\nlevel = \"standard\"\nid = \"1\"\nname = \"Again\"\nname_vi = \"C\"\n\n\
         [[criteria.indicators]]\nid = \"1.2\"\nmeasure = \"m\"\nop = \">=\"\nthreshold = 2\nsource = \"s\"\nverified = true\n"
    );
    assert_only(
        &text,
        "duplicate-id",
        line_of(&text, "name = \"Again\"") - 1,
    );
    let text = replace(
        BASE,
        "[[criteria]]",
        "[[levels]]\nid = \"standard\"\nname = \"Again\"\nname_vi = \"S\"\n\n[[criteria]]",
    );
    assert_only(
        &text,
        "duplicate-id",
        line_of(&text, "name = \"Again\"") - 1,
    );
    let o = "\n[[overrides]]\nid = \"hard\"\nmeasure = \"b\"\nzone = \"1\"\nsource = \"s\"\n";
    let text = format!("{BASE}{o}{}", o.replace("zone = \"1\"", "zone = \"2\""));
    assert_only(&text, "duplicate-id", line_of(&text, "zone = \"2\"") - 2);
}

#[test]
fn year_far_outside_the_period_is_not_wrapped_into_it() {
    let text = replace(
        BASE,
        "threshold = 1",
        "threshold = [{ from = 4294969321, value = 1 }]",
    );
    assert_only(&text, "year-outside-period", line_of(&text, "threshold ="));
}

#[test]
fn duplicate_year() {
    let text = replace(
        BASE,
        "threshold = 1",
        "threshold = [\n  { from = 2022, value = 1 },\n  { from = 2022, value = 2 },\n]",
    );
    assert_only(&text, "duplicate-year", line_of(&text, "threshold ="));
}

#[test]
fn empty_criterion() {
    let text = format!(
        "{BASE}\n[[criteria]]\nlevel = \"standard\"\nid = \"2\"\nname = \"Empty\"\nname_vi = \"E\"\n"
    );
    assert_only(
        &text,
        "empty-criterion",
        line_of(&text, "name = \"Empty\"") - 1,
    );
}

#[test]
fn empty_level() {
    let text = format!(
        "{BASE}\n[[levels]]\nid = \"advanced\"\nname = \"A\"\nname_vi = \"A\"\nrequires = \"standard\"\n"
    );
    assert_only(&text, "empty-level", line_of(&text, "id = \"advanced\""));
}

#[test]
fn empty_level_when_no_levels() {
    let cut = BASE.find("[[levels]]").expect("levels");
    let text = &BASE[..cut];
    assert_only(text, "empty-level", 1);
}

#[test]
fn missing_note() {
    let text = replace(BASE, "verified = true", "verified = false");
    assert_only(&text, "missing-note", line_of(&text, "verified ="));
    let text = replace(BASE, "verified = true", "verified = [\"1\"]");
    assert_only(&text, "missing-note", line_of(&text, "verified ="));
}

#[test]
fn missing_threshold() {
    let text = replace(BASE, "threshold = 1\n", "");
    assert_only(&text, "missing-threshold", line_of(&text, "op ="));
}

#[test]
fn missing_zone_threshold() {
    let text = replace(BASE, "threshold = 1", "threshold = { \"1\" = 5 }");
    assert_only(
        &text,
        "missing-zone-threshold",
        line_of(&text, "threshold ="),
    );
}

#[test]
fn op_kind_mismatch() {
    let text = replace(BASE, "op = \">=\"\nthreshold = 1\n", "op = \"yes\"\n");
    assert_only(&text, "op-kind-mismatch", line_of(&text, "op ="));
    let text = replace(BASE, "measure = \"m\"", "measure = \"b\"");
    assert_only(&text, "op-kind-mismatch", line_of(&text, "op ="));
}

#[test]
fn op_kind_mismatch_override_on_non_bool() {
    let text = format!(
        "{BASE}\n[[overrides]]\nid = \"hard\"\nmeasure = \"m\"\nzone = \"1\"\nsource = \"s\"\n"
    );
    assert_only(
        &text,
        "op-kind-mismatch",
        line_of(&text, "measure = \"m\"\nzone"),
    );
}

#[test]
fn requires_order() {
    let text = replace(
        BASE,
        "name_vi = \"S\"",
        "name_vi = \"S\"\nrequires = \"advanced\"",
    );
    let text = format!(
        "{text}\n[[levels]]\nid = \"advanced\"\nname = \"A\"\nname_vi = \"A\"\n\n\
         [[criteria]]\nlevel = \"advanced\"\nid = \"1\"\nname = \"C\"\nname_vi = \"C\"\n\n\
         [[criteria.indicators]]\nid = \"1.1\"\nmeasure = \"m\"\nop = \">=\"\nthreshold = 2\nsource = \"s\"\nverified = true\n"
    );
    assert_only(&text, "requires-order", line_of(&text, "requires ="));
}

#[test]
fn requires_itself_is_requires_order() {
    let text = replace(
        BASE,
        "name_vi = \"S\"",
        "name_vi = \"S\"\nrequires = \"standard\"",
    );
    assert_only(&text, "requires-order", line_of(&text, "requires ="));
}

#[test]
fn threshold_out_of_range() {
    let text = replace(BASE, "measure = \"m\"", "measure = \"p\"");
    let text = replace(
        &text,
        "threshold = 1",
        "threshold = { all = 80, \"2\" = 100.5 }",
    );
    assert_only(
        &text,
        "threshold-out-of-range",
        line_of(&text, "threshold ="),
    );
}

#[test]
fn threshold_out_of_range_count() {
    let text = replace(BASE, "kind = \"number\"", "kind = \"count\"");
    let text = replace(&text, "threshold = 1", "threshold = 1.5");
    assert_only(
        &text,
        "threshold-out-of-range",
        line_of(&text, "threshold ="),
    );
}

#[test]
fn unexpected_threshold() {
    let text = replace(
        BASE,
        "measure = \"m\"\nop = \">=\"",
        "measure = \"b\"\nop = \"yes\"",
    );
    assert_only(&text, "unexpected-threshold", line_of(&text, "threshold ="));
    let text = replace(
        BASE,
        "threshold = 1",
        "threshold = 1\nderived = { level = \"standard\", indicator = \"1.1\", factor = 2 }",
    );
    assert_only(&text, "unexpected-threshold", line_of(&text, "threshold ="));
}

#[test]
fn unknown_level() {
    let text = replace(BASE, "level = \"standard\"", "level = \"standrad\"");
    // The criterion is dropped, so the level is also empty: both are real problems.
    let (rs, diags) = load(&text);
    assert!(rs.is_none());
    let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["unknown-level", "empty-level"], "{diags:#?}");
    assert_eq!(line(&diags[0]), Some(line_of(&text, "standrad")));
}

#[test]
fn unknown_level_in_requires() {
    let text = replace(
        BASE,
        "name_vi = \"S\"",
        "name_vi = \"S\"\nrequires = \"basic\"",
    );
    assert_only(&text, "unknown-level", line_of(&text, "requires ="));
}

#[test]
fn unknown_measure() {
    let text = replace(BASE, "measure = \"m\"", "measure = \"income\"");
    assert_only(&text, "unknown-measure", line_of(&text, "measure ="));
}

#[test]
fn unknown_measure_in_override() {
    let text = format!(
        "{BASE}\n[[overrides]]\nid = \"hard\"\nmeasure = \"nope\"\nzone = \"1\"\nsource = \"s\"\n"
    );
    assert_only(&text, "unknown-measure", line_of(&text, "\"nope\""));
}

#[test]
fn unknown_op() {
    let text = replace(BASE, "op = \">=\"", "op = \"!=\"");
    assert_only(&text, "unknown-op", line_of(&text, "op ="));
}

#[test]
fn unknown_measure_kind_is_unknown_op() {
    let text = replace(BASE, "kind = \"percent\"", "kind = \"ratio\"");
    assert_only(&text, "unknown-op", line_of(&text, "\"ratio\""));
}

#[test]
fn unknown_zone() {
    // A region code outside the seven.
    let text = replace(&region_base(), "id = \"RRD\"", "id = \"HN\"");
    assert_only(&text, "unknown-zone", line_of(&text, "\"HN\""));
}

#[test]
fn unknown_zone_in_threshold_verified_and_override() {
    let text = replace(BASE, "threshold = 1", "threshold = { all = 1, \"7\" = 2 }");
    assert_only(&text, "unknown-zone", line_of(&text, "threshold ="));
    let text = replace(
        BASE,
        "verified = true",
        "verified = [\"1\", \"9\"]\nnote = \"n\"",
    );
    assert_only(&text, "unknown-zone", line_of(&text, "verified ="));
    let text = format!(
        "{BASE}\n[measures.hard]\nname = \"H\"\nname_vi = \"H\"\nkind = \"bool\"\noptional = true\n\n\
         [[overrides]]\nid = \"hard\"\nmeasure = \"hard\"\nzone = \"NMM\"\nsource = \"s\"\n"
    );
    assert_only(&text, "unknown-zone", line_of(&text, "zone = \"NMM\""));
}

#[test]
fn unknown_zone_when_no_zones() {
    let start = BASE.find("[[zones]]").expect("zones");
    let end = BASE.find("[measures.m]").expect("measures");
    let text = format!("{}{}", &BASE[..start], &BASE[end..]);
    assert_only(&text, "unknown-zone", line_of(&text, "zoning ="));
}

#[test]
fn year_outside_period() {
    let text = replace(
        BASE,
        "threshold = 1",
        "threshold = [{ from = 2021, value = 1 }, { from = 2026, value = 2 }]",
    );
    assert_only(&text, "year-outside-period", line_of(&text, "threshold ="));
}

// --- collection and the code list -----------------------------------------------------------

#[test]
fn every_problem_is_reported_not_only_the_first() {
    // Three independent problems in three different places.
    let text = replace(BASE, "period = [2021, 2025]", "period = [2025, 2021]");
    let text = replace(&text, "kind = \"percent\"", "kind = \"ratio\"");
    let text = replace(&text, "measure = \"m\"", "measure = \"missing\"");
    let (rs, diags) = load(&text);
    assert!(rs.is_none());
    let got: Vec<(&str, Option<u64>)> = diags.iter().map(|d| (d.code, line(d))).collect();
    assert_eq!(
        got,
        [
            ("bad-period", Some(line_of(&text, "period ="))),
            ("unknown-op", Some(line_of(&text, "\"ratio\""))),
            ("unknown-measure", Some(line_of(&text, "\"missing\""))),
        ],
        "{diags:#?}"
    );
}

#[test]
fn codes_are_sorted_and_unique() {
    let mut sorted = CODES.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted, CODES.to_vec());
    for code in CODES {
        assert!(
            code.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "`{code}` is not kebab-case"
        );
    }
    for reader in ["invalid-toml", "unknown-key", "missing-key"] {
        assert!(!CODES.contains(&reader), "`{reader}` comes from load.rs");
    }
}

#[test]
fn example_ruleset_has_no_diagnostics() {
    let text = include_str!("../../../examples/ruleset.toml");
    let (rs, diags) = load_str(text, "examples/ruleset.toml");
    assert!(diags.is_empty(), "{diags:#?}");
    let rs = rs.expect("the example loads");
    assert_eq!(rs.id, "example-2021-2025");
    assert_eq!(rs.levels.len(), 3);
    assert_eq!(rs.overrides.len(), 1);
}
