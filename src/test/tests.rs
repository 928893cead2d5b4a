use super::coverage::coverage;
use super::run::{Shown, run};
use super::*;
use crate::ruleset::{Ruleset, load_str};

fn example() -> Ruleset {
    let (rs, diags) = load_str(include_str!("../../examples/ruleset.toml"), "ruleset.toml");
    assert!(!crate::diag::has_errors(&diags), "{diags:#?}");
    rs.expect("the example ruleset loads")
}

const HEAD: &str = r#"
ruleset = "ruleset.toml"
zone = "RRD"
year = 2025

[values]
general_plan_approved = "Đạt"
irrigated_area_pct = "85%"
stunting_under5_pct = "12,0"
temporary_houses = 0
"#;

fn read(cases: &str, bless: bool) -> (CaseFile, Vec<Diagnostic>, String) {
    let text = format!("{HEAD}{cases}");
    let rs = example();
    let parsed = parse(&text, "c.toml").expect("parses");
    let (file, diags) = validate(parsed, &rs, &text, "c.toml", bless);
    (file, diags, text)
}

fn codes(diags: &[Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.code).collect()
}

#[test]
fn values_are_coerced_as_csv_cells_are() {
    let (file, diags, _) = read(
        "[[cases]]\nname = \"a\"\nvalues = { \"Thu nhập bình quân đầu người\" = \"61,2\" }\nexpect = { level = \"standard\" }\n",
        false,
    );
    assert!(diags.is_empty(), "{diags:#?}");
    let rs = example();
    let m = |id: &str| {
        rs.measures
            .iter()
            .position(|m| m.id == id)
            .expect("measure")
    };
    let v = &file.cases[0].values;
    assert_eq!(
        v[m("income_per_capita")],
        Some(Value::Num("61.2".parse().expect("dec")))
    );
    assert_eq!(v[m("irrigated_area_pct")], Some(Value::Num(85.into())));
    assert_eq!(v[m("general_plan_approved")], Some(Value::Bool(true)));
    assert_eq!(v[m("smart_villages")], None);
}

#[test]
fn an_empty_string_clears_a_file_value() {
    let (file, diags, _) = read(
        "[[cases]]\nname = \"a\"\nvalues = { irrigated_area_pct = \"\" }\nexpect = { level = \"none\" }\n",
        false,
    );
    assert!(diags.is_empty(), "{diags:#?}");
    let rs = example();
    let m = rs
        .measures
        .iter()
        .position(|m| m.id == "irrigated_area_pct")
        .expect("measure");
    assert_eq!(file.cases[0].values[m], None);
}

#[test]
fn every_problem_is_reported_with_its_place() {
    let (_, diags, _) = read(
        r#"
[[cases]]
name = "a"
zone = "Nowhere"
values = { nope = 1, irrigated_area_pct = "x", smart_villages = [1] }
expect = { level = "gold", missing = ["42"] }

[[cases]]
name = "a"
year = 2030
"#,
        false,
    );
    assert_eq!(
        codes(&diags),
        [
            "case-unknown-zone",
            "case-unknown-measure",
            "not-a-number",
            "case-bad-value",
            "case-unknown-level",
            "case-unknown-criterion",
            "case-duplicate-name",
            "case-year-outside-period",
            "case-no-expectation",
        ]
    );
    let loc = diags[0].location.as_ref().expect("located");
    assert_eq!((loc.line, loc.column), (Some(14), Some(8)));
}

#[test]
fn bless_accepts_a_case_without_expect() {
    let (file, diags, _) = read("[[cases]]\nname = \"a\"\n", true);
    assert!(diags.is_empty(), "{diags:#?}");
    assert!(file.cases[0].expect.is_none());
}

#[test]
fn parse_errors_carry_stable_codes() {
    let e = parse("ruleset = \"x\"\nbogus = 1\n", "c.toml").expect_err("unknown key");
    assert_eq!(e.code, "case-unknown-key");
    assert_eq!(e.location.as_ref().and_then(|l| l.line), Some(2));
    let e = parse("[[cases]]\nname = \"a\"\n", "c.toml").expect_err("no ruleset");
    assert_eq!(e.code, "case-missing-key");
    let e = parse("ruleset = \n", "c.toml").expect_err("bad toml");
    assert_eq!(e.code, "case-invalid-toml");
}

#[test]
fn mismatches_compare_sets_and_name_the_level() {
    let (file, diags, _) = read(
        r#"
[[cases]]
name = "order-does-not-matter"
values = { income_per_capita = 60 }
expect = { level = "standard", missing = ["3", "10"] }

[[cases]]
name = "wrong"
values = { income_per_capita = 59 }
expect = { level = "standard", missing = ["3"], levels.advanced = { reached = true } }
"#,
        false,
    );
    assert!(diags.is_empty(), "{diags:#?}");
    let rs = example();
    let results = run(&rs, &file);
    assert!(results[0].passed(), "{:#?}", results[0].mismatches);
    let m = &results[1].mismatches;
    let fields: Vec<&str> = m.iter().map(|m| m.field.as_str()).collect();
    assert_eq!(fields, ["level", "missing", "levels.advanced.reached"]);
    assert_eq!(m[0].actual, Shown::Level(None));
    assert_eq!(m[1].of_level.as_deref(), Some("standard"));
    assert_eq!(m[1].actual, Shown::Ids(vec!["10".to_string()]));
}

#[test]
fn blessed_files_pass_and_keep_their_comments() {
    let cases = r#"
[[cases]]
name = "wrong"   # a comment on the name
values = { income_per_capita = 59 }

[cases.expect]
level = "standard"   # kept
missing = []

[[cases]]
name = "new"
values = { income_per_capita = 60 }
"#;
    let (file, diags, text) = read(cases, true);
    assert!(diags.is_empty(), "{diags:#?}");
    let rs = example();
    let blessed = bless::bless(&text, &run(&rs, &file)).expect("blesses");
    assert!(blessed.contains("level = \"none\"   # kept"), "{blessed}");
    assert!(blessed.contains("# a comment on the name"), "{blessed}");
    assert!(blessed.starts_with(HEAD), "{blessed}");
    let parsed = parse(&blessed, "c.toml").expect("still parses");
    let (again, diags) = validate(parsed, &rs, &blessed, "c.toml", false);
    assert!(diags.is_empty(), "{diags:#?}");
    assert!(run(&rs, &again).iter().all(|r| r.passed()));
}

#[test]
fn blessing_inline_cases_writes_inline_tables() {
    let text =
        format!("cases = [{{ name = \"a\", values = {{ income_per_capita = 10 }} }}]\n{HEAD}");
    let rs = example();
    let (file, diags) = validate(parse(&text, "c").expect("parses"), &rs, &text, "c", true);
    assert!(diags.is_empty(), "{diags:#?}");
    let blessed = bless::bless(&text, &run(&rs, &file)).expect("blesses");
    assert!(
        blessed.contains("expect = { level = \"none\", missing = [\"10\"] }"),
        "{blessed}"
    );
}

#[test]
fn a_case_each_side_of_a_threshold_covers_it() {
    let (file, diags, _) = read(
        r#"
[[cases]]
name = "at"
values = { income_per_capita = 60 }
expect = { level = "standard" }

[[cases]]
name = "under"
values = { income_per_capita = "59,99" }
expect = { level = "none" }
"#,
        false,
    );
    assert!(diags.is_empty(), "{diags:#?}");
    let rs = example();
    let results = run(&rs, &file);
    let cov = coverage(&rs, results.iter().flat_map(|r| &r.judged));
    let income = |level: &str| {
        cov.items
            .iter()
            .find(|i| {
                i.level == level && i.indicator == "10" && i.zone == "RRD" && i.from == Some(2025)
            })
            .expect("an item")
    };
    assert!(income("standard").pass && income("standard").fail);
    // Both are under the advanced threshold (70): only its failing side is covered.
    assert!(!income("advanced").pass && income("advanced").fail);
    // The 2022 entry is not in force in 2025: nothing covers it.
    let old = cov
        .items
        .iter()
        .find(|i| {
            i.level == "standard" && i.indicator == "10" && i.zone == "RRD" && i.from == Some(2022)
        })
        .expect("an item");
    assert!(!old.pass && !old.fail);
    assert_eq!(cov.sides_total, cov.items.len() * 2);
    assert!(cov.sides_covered < cov.sides_total);
}

#[test]
fn every_code_is_listed_once() {
    let mut sorted = CODES.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted, CODES.to_vec(), "CODES is sorted and has no repeats");
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever the communes, blessing writes expectations that the same cases then meet,
        /// and touches nothing but expectations.
        #[test]
        fn blessed_expectations_always_pass(
            cases in proptest::collection::vec(
                (0u32..1000, 0u32..=100, 0u32..=30, 0usize..7, any::<bool>(), any::<bool>()),
                1..6,
            )
        ) {
            let rs = example();
            let mut text = String::from("ruleset = \"r.toml\"\nyear = 2025\n");
            for (i, (income, irrigated, stunting, zone, ed, with_expect)) in cases.iter().enumerate() {
                text.push_str(&format!(
                    "\n[[cases]]\nname = \"c{i}\"\nzone = \"{}\"\nvalues = {{ income_per_capita = \"{},{}\", irrigated_area_pct = {irrigated}, stunting_under5_pct = {stunting}, extremely_difficult = {ed} }}\n",
                    rs.zones[*zone].id,
                    income / 10,
                    income % 10,
                ));
                if *with_expect {
                    text.push_str("expect = { level = \"model\", missing = [\"1\"] }\n");
                }
            }
            let (file, diags) = validate(parse(&text, "c").expect("parses"), &rs, &text, "c", true);
            prop_assert!(diags.is_empty(), "{:#?}", diags);
            let blessed = bless::bless(&text, &run(&rs, &file)).expect("blesses");
            let (again, diags) =
                validate(parse(&blessed, "c").expect("parses"), &rs, &blessed, "c", false);
            prop_assert!(diags.is_empty(), "{:#?}", diags);
            let results = run(&rs, &again);
            prop_assert!(results.iter().all(|r| r.passed()), "{:#?}", results);
            // Only `expect` lines differ.
            for line in text.lines().filter(|l| !l.starts_with("expect")) {
                prop_assert!(blessed.contains(line), "lost {:?}", line);
            }
        }
    }
}

#[test]
fn a_zone_two_zones_spell_alike_is_refused_naming_both() {
    // The example ruleset with `DBSH` an alias of NMM beside RRD's `ĐBSH`.
    let text = include_str!("../../examples/ruleset.toml").replacen(
        "aliases = [\"TDMNPB\"]",
        "aliases = [\"TDMNPB\", \"DBSH\"]",
        1,
    );
    let (rs, diags) = load_str(&text, "ruleset.toml");
    assert!(!crate::diag::has_errors(&diags), "{diags:#?}");
    let rs = rs.expect("loads");
    let cases = format!(
        "{HEAD}\n[[cases]]\nname = \"a\"\nzone = \"ḌBSH\"\nexpect = {{ level = \"standard\" }}\n\n[[cases]]\nname = \"b\"\nzone = \"DBSH\"\nexpect = {{ level = \"standard\" }}\n"
    );
    let parsed = parse(&cases, "c.toml").expect("parses");
    let (file, diags) = validate(parsed, &rs, &cases, "c.toml", false);
    assert_eq!(codes(&diags), ["case-unknown-zone"], "{diags:#?}");
    assert!(
        diags[0].message.contains("names zones `NMM` and `RRD`"),
        "{}",
        diags[0]
    );
    let nmm = rs.zone_index("NMM").expect("NMM");
    assert_eq!(file.cases.iter().map(|c| c.zone).collect::<Vec<_>>(), [nmm]);
}
