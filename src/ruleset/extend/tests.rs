//! `extends`: merging, provenance, and each rule of extending, from small rulesets held in a
//! map instead of files.

use super::*;
use crate::ruleset::load::load_with;
use crate::ruleset::model::Origin;

/// The base: two groups, two levels, income `>=` and poverty `<=`.
const BASE: &str = r#"[ruleset]
id = "base"
name = "Base"
name_vi = "Gốc"
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

[measures.income]
name = "Income"
name_vi = "Thu nhập"
kind = "number"

[measures.poverty_pct]
name = "Poverty"
name_vi = "Nghèo"
kind = "percent"

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
measure = "income"
op = ">="
threshold = { 1 = 40, 2 = 50 }
source = "s"
verified = true

[[criteria.indicators]]
id = "1.2"
measure = "poverty_pct"
op = "<="
threshold = 5
source = "s"
verified = true

[[criteria]]
level = "advanced"
id = "1"
name = "C"
name_vi = "C"
at_least = 1

[[criteria.indicators]]
id = "1.1"
measure = "income"
op = ">="
threshold = { 1 = 45, 2 = 55 }
source = "s"
verified = true
"#;

const HEAD: &str = r#"[ruleset]
id = "province"
extends = "base.toml"
name = "Province"
name_vi = "Tỉnh"
decision = "p"
"#;

/// Load `text` as `dir/p.toml`, with `dir/base.toml` = BASE and any extra files.
fn load(text: &str, extra: &[(&str, &str)]) -> (Option<Ruleset>, Vec<Diagnostic>) {
    let files: Vec<(String, String)> = std::iter::once(("dir/base.toml", BASE))
        .chain(extra.iter().copied())
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    let resolve = move |spec: &str, from: &str| {
        let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
        let path = format!("{dir}/{spec}");
        // The identity of `dir/./x.toml` is `dir/x.toml`, as a canonical path would be.
        let identity = path.replace("/./", "/");
        files
            .iter()
            .find(|(p, _)| *p == identity)
            .map(|(_, t)| crate::ruleset::load::Base {
                path: path.clone(),
                text: t.clone(),
                identity: identity.clone(),
            })
            .ok_or_else(|| format!("no file `{path}`"))
    };
    load_with(text, "dir/p.toml", &resolve)
}

fn codes(ds: &[Diagnostic]) -> Vec<&'static str> {
    ds.iter().map(|d| d.code).collect()
}

fn origin(rs: &Ruleset, level: &str, id: &str) -> Origin {
    rs.indicators()
        .find(|(r, i)| rs.levels[r.level].id == level && i.id == id)
        .map(|(_, i)| i.origin)
        .expect("indicator exists")
}

#[test]
fn an_extension_inherits_amends_and_adds() {
    let text = format!(
        r#"{HEAD}
[measures.forest_pct]
name = "Forest"
name_vi = "Rừng"
kind = "percent"

[[amendments]]
level = "standard"
indicator = "1.1"
threshold = {{ all = 60 }}
source = "province decision"
verified = false
note = "stricter"

[[criteria]]
level = "standard"
id = "20"
name = "Forest"
name_vi = "Rừng"

[[criteria.indicators]]
id = "20"
measure = "forest_pct"
op = ">="
threshold = 30
source = "province decision"
verified = true

[[criteria]]
level = "advanced"
id = "1"

[[criteria.indicators]]
id = "1.p"
measure = "forest_pct"
op = ">="
threshold = 50
source = "province decision"
verified = true
"#
    );
    let (rs, diags) = load(&text, &[]);
    assert!(diags.is_empty(), "{diags:#?}");
    let rs = rs.expect("valid");
    assert_eq!(rs.id, "province");
    assert_eq!(rs.extends.as_deref(), Some("base"));
    assert_eq!(rs.period, (2021, 2025));
    assert_eq!(origin(&rs, "standard", "1.1"), Origin::Amended);
    assert_eq!(origin(&rs, "standard", "1.2"), Origin::Inherited);
    assert_eq!(origin(&rs, "standard", "20"), Origin::Own);
    assert_eq!(origin(&rs, "advanced", "1.p"), Origin::Own);
    // The added criterion comes last in its level; the added indicator joins criterion 1.
    assert_eq!(
        rs.levels[0].criteria.last().map(|c| c.id.as_str()),
        Some("20")
    );
    assert_eq!(rs.levels[1].criteria[0].indicators.len(), 2);
    // The amended threshold is the one in force, and it is located in the province's file.
    let r = rs
        .indicators()
        .find(|(r, i)| r.level == 0 && i.id == "1.1")
        .map(|(r, _)| r)
        .expect("1.1");
    let t = rs.resolve(r, 0, 2023).0.expect("numeric");
    assert_eq!(t.value, rust_decimal::Decimal::from(60));
    let at = rs
        .indicator(r)
        .at
        .threshold
        .clone()
        .expect("has a threshold");
    assert_eq!(at.path, "dir/p.toml");
    // Inherited indicators point into the base's file.
    let inherited = rs
        .indicators()
        .find(|(_, i)| i.id == "1.2")
        .map(|(_, i)| i.at.id.clone());
    let line = BASE
        .lines()
        .position(|l| l == "id = \"1.2\"")
        .map(|l| l as u64 + 1);
    assert_eq!(
        inherited.map(|l| (l.path, l.line)),
        Some(("dir/base.toml".into(), line))
    );
    // The digest covers both files.
    let (plain, _) = crate::ruleset::load_str(BASE, "base.toml");
    assert_ne!(rs.sha256, plain.expect("valid").sha256);
}

fn amend(level: &str, indicator: &str, threshold: &str) -> String {
    format!(
        "{HEAD}\n[[amendments]]\nlevel = \"{level}\"\nindicator = \"{indicator}\"\nthreshold = {threshold}\nsource = \"p\"\nverified = true\n"
    )
}

#[test]
fn a_laxer_amendment_is_an_error_in_either_direction() {
    // `>=`: lower is laxer (zone 2: 45 < 50).
    let (rs, diags) = load(&amend("standard", "1.1", "{ 1 = 40, 2 = 45 }"), &[]);
    assert!(rs.is_none());
    assert_eq!(codes(&diags), ["laxer-than-base"]);
    assert!(
        diags[0].message.contains("`>= 45` for zone `2`"),
        "{}",
        diags[0]
    );
    assert!(diags[0].message.ends_with("zones: `2`"), "{}", diags[0]);
    assert_eq!(
        diags[0].location.as_ref().map(|l| l.path.as_str()),
        Some("dir/p.toml")
    );
    // `<=`: higher is laxer.
    let (_, diags) = load(&amend("standard", "1.2", "6"), &[]);
    assert_eq!(codes(&diags), ["laxer-than-base"]);
    // Stricter in both directions is fine.
    let (rs, diags) = load(&amend("standard", "1.2", "4"), &[]);
    assert!(diags.is_empty() && rs.is_some(), "{diags:#?}");
    let (rs, diags) = load(&amend("standard", "1.1", "{ 1 = 40, 2 = 51 }"), &[]);
    assert!(diags.is_empty() && rs.is_some(), "{diags:#?}");
}

#[test]
fn a_laxer_amendment_in_one_year_is_found() {
    let (_, diags) = load(
        &amend(
            "standard",
            "1.1",
            "[{ from = 2021, value = 60 }, { from = 2024, value = 45 }]",
        ),
        &[],
    );
    assert_eq!(codes(&diags), ["laxer-than-base"]);
    assert!(diags[0].message.contains("in 2024"), "{}", diags[0]);
}

#[test]
fn amending_an_unknown_indicator() {
    let (_, diags) = load(&amend("standard", "9.9", "1"), &[]);
    assert_eq!(codes(&diags), ["unknown-indicator"]);
    let (_, diags) = load(&amend("model", "1.1", "1"), &[]);
    assert_eq!(codes(&diags), ["unknown-indicator"]);
}

#[test]
fn a_missing_base_and_a_cycle() {
    let text = HEAD.replace("base.toml", "nowhere.toml");
    let (_, diags) = load(&text, &[]);
    assert_eq!(codes(&diags), ["unknown-base"]);
    assert_eq!(diags[0].location.as_ref().and_then(|l| l.line), Some(3));
    // p → q → p.
    let q = HEAD
        .replace("base.toml", "p.toml")
        .replace("\"province\"", "\"q\"");
    let text = HEAD.replace("base.toml", "q.toml");
    let (_, diags) = load(&text, &[("dir/q.toml", &q), ("dir/p.toml", &text)]);
    assert_eq!(codes(&diags), ["extends-cycle"]);
    assert!(
        diags[0]
            .message
            .contains("`dir/p.toml` → `dir/q.toml` → `dir/p.toml`"),
        "{}",
        diags[0]
    );
    // A file that extends itself.
    let text = HEAD.replace("base.toml", "p.toml");
    let (_, diags) = load(&text, &[("dir/p.toml", &text)]);
    assert_eq!(codes(&diags), ["extends-cycle"]);
    // The same, spelled another way: found by identity at once, not by the depth limit.
    let text = HEAD.replace("base.toml", "./p.toml");
    let (_, diags) = load(&text, &[("dir/p.toml", &text)]);
    assert_eq!(codes(&diags), ["extends-cycle"]);
    assert!(
        diags[0].message.ends_with("`dir/p.toml` → `dir/./p.toml`"),
        "{}",
        diags[0]
    );
}

/// `dir/p.toml` → `dir/c1.toml` → … → `dir/c{n}.toml` → `dir/base.toml`: `n + 2` rulesets.
fn chain(n: usize) -> (String, Vec<(String, String)>) {
    let link = |i: usize, next: &str| {
        HEAD.replace("base.toml", next)
            .replace("\"province\"", &format!("\"c{i}\""))
    };
    let files: Vec<(String, String)> = (1..=n)
        .map(|i| {
            let next = if i == n {
                "base.toml".to_string()
            } else {
                format!("c{}.toml", i + 1)
            };
            (format!("dir/c{i}.toml"), link(i, &next))
        })
        .collect();
    let top = if n == 0 {
        HEAD.to_string()
    } else {
        HEAD.replace("base.toml", "c1.toml")
    };
    (top, files)
}

fn load_chain(n: usize) -> (Option<Ruleset>, Vec<Diagnostic>) {
    let (top, files) = chain(n);
    let extra: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    load(&top, &extra)
}

#[test]
fn a_chain_of_nine_extending_files_is_not_a_cycle() {
    // p, c1 … c8 and their base: rejected as `extends-cycle` when the depth limit was 8.
    let (rs, diags) = load_chain(8);
    assert_eq!(codes(&diags), Vec::<&str>::new());
    assert_eq!(rs.expect("loads").extends.as_deref(), Some("c1"));
}

#[test]
fn a_chain_at_the_depth_limit_loads_and_one_more_is_extends_too_deep() {
    let (rs, diags) = load_chain(MAX_DEPTH - 2);
    assert!(rs.is_some(), "{diags:?}");
    let (rs, diags) = load_chain(MAX_DEPTH - 1);
    assert!(rs.is_none());
    assert_eq!(codes(&diags), ["extends-too-deep"]);
    assert!(
        diags[0]
            .message
            .contains(&format!("at most {MAX_DEPTH} rulesets")),
        "{}",
        diags[0]
    );
}

#[test]
fn a_chain_of_two_extensions() {
    let mid = HEAD.replace("\"province\"", "\"mid\"")
        + "\n[[amendments]]\nlevel = \"standard\"\nindicator = \"1.2\"\nthreshold = 4\nsource = \"m\"\nverified = true\n";
    let top = HEAD
        .replace("base.toml", "mid.toml")
        .replace("\"province\"", "\"top\"");
    let (rs, diags) = load(&top, &[("dir/mid.toml", &mid)]);
    assert!(diags.is_empty(), "{diags:#?}");
    let rs = rs.expect("valid");
    assert_eq!(rs.extends.as_deref(), Some("mid"));
    // Relative to `top`, everything comes from its base, amended there or not.
    assert_eq!(origin(&rs, "standard", "1.2"), Origin::Inherited);
    // A laxer amendment is measured against the direct base (4), not the national value (5).
    let top = top
        + "\n[[amendments]]\nlevel = \"standard\"\nindicator = \"1.2\"\nthreshold = 5\nsource = \"t\"\nverified = true\n";
    let (_, diags) = load(&top, &[("dir/mid.toml", &mid)]);
    assert_eq!(codes(&diags), ["laxer-than-base"]);
}

#[test]
fn what_an_extension_cannot_do() {
    let zones = format!("{HEAD}\n[[zones]]\nid = \"3\"\nname = \"T\"\nname_vi = \"B\"\n");
    assert_eq!(codes(&load(&zones, &[]).1), ["bad-extension"]);
    let period = HEAD.replace(
        "decision = \"p\"",
        "decision = \"p\"\nperiod = [2021, 2030]",
    );
    assert_eq!(codes(&load(&period, &[]).1), ["bad-extension"]);
    // The same period as the base's may be repeated.
    let same = HEAD.replace(
        "decision = \"p\"",
        "decision = \"p\"\nperiod = [2021, 2025]",
    );
    assert_eq!(codes(&load(&same, &[]).1), Vec::<&str>::new());
    let rename = format!(
        "{HEAD}\n[[criteria]]\nlevel = \"standard\"\nid = \"1\"\nname = \"Renamed\"\nname_vi = \"X\"\n"
    );
    assert_eq!(codes(&load(&rename, &[]).1), ["bad-extension"]);
    let measure =
        format!("{HEAD}\n[measures.income]\nname = \"I\"\nname_vi = \"I\"\nkind = \"number\"\n");
    assert_eq!(codes(&load(&measure, &[]).1), ["duplicate-id"]);
    // Amendments need `extends`.
    let no_extends = BASE.to_string()
        + "\n[[amendments]]\nlevel = \"standard\"\nindicator = \"1.1\"\nthreshold = 60\nsource = \"p\"\nverified = true\n";
    assert_eq!(codes(&load(&no_extends, &[]).1), ["bad-extension"]);
    // A new criterion needs its names.
    let unnamed = format!(
        "{HEAD}\n[[criteria]]\nlevel = \"standard\"\nid = \"21\"\n\n[[criteria.indicators]]\nid = \"21\"\nmeasure = \"income\"\nop = \">=\"\nthreshold = 1\nsource = \"p\"\nverified = true\n"
    );
    assert_eq!(codes(&load(&unnamed, &[]).1), ["missing-key"]);
}

#[test]
fn errors_of_the_base_are_reported_in_its_file() {
    let broken = BASE.replace("measure = \"poverty_pct\"", "measure = \"poverty\"");
    let (rs, diags) = load(HEAD, &[("dir/base.toml", &broken)]);
    // The map finds the first `dir/base.toml`, BASE: use another name for the broken one.
    assert!(rs.is_some(), "{diags:#?}");
    let text = HEAD.replace("base.toml", "broken.toml");
    let (rs, diags) = load(&text, &[("dir/broken.toml", &broken)]);
    assert!(rs.is_none());
    assert_eq!(codes(&diags), ["unknown-measure"]);
    assert_eq!(
        diags[0].location.as_ref().map(|l| l.path.as_str()),
        Some("dir/broken.toml")
    );
}

#[test]
fn a_builtin_base_through_load_str() {
    let text = HEAD.replace("base.toml", "ntm-2021-2025");
    let (rs, diags) = crate::ruleset::load_str(&text, "p.toml");
    assert!(diags.is_empty(), "{diags:#?}");
    let rs = rs.expect("valid");
    assert_eq!(rs.extends.as_deref(), Some("ntm-2021-2025"));
    assert!(rs.indicators().all(|(_, i)| i.origin == Origin::Inherited));
}

/// A province may be laxer than an unverified national value only with a warning that names
/// the national value's basis (its decision may be the better source); laxer than a verified
/// one stays an error.
#[test]
fn laxer_than_an_unverified_base_value_is_a_warning_naming_its_basis() {
    let (base_path, base_text) = ("dir/nat.toml", BASE);
    let unverified = base_text.replacen(
        "threshold = { 1 = 40, 2 = 50 }\nsource = \"s\"\nverified = true",
        "threshold = { 1 = 40, 2 = 50 }\nsource = \"s\"\nverified = [\"1\"]\nnote = \"zone 2 is a floor carried forward\"",
        1,
    );
    assert_ne!(unverified, base_text);
    let text = amend("standard", "1.1", "{ 1 = 40, 2 = 45 }").replace("base.toml", "nat.toml");
    let (rs, diags) = load(&text, &[(base_path, &unverified)]);
    assert!(rs.is_some(), "{diags:#?}");
    assert_eq!(codes(&diags), ["laxer-than-unverified-base"]);
    assert!(
        diags[0]
            .message
            .contains("zone 2 is a floor carried forward"),
        "{}",
        diags[0]
    );
    // Laxer in the verified zone 1 too: that part is an error.
    let text = amend("standard", "1.1", "{ 1 = 39, 2 = 45 }").replace("base.toml", "nat.toml");
    let (rs, diags) = load(&text, &[(base_path, &unverified)]);
    assert!(rs.is_none());
    assert_eq!(
        codes(&diags),
        ["laxer-than-unverified-base", "laxer-than-base"]
    );
}

/// An amendment without `threshold` keeps the base's test and changes only the source and the
/// verified mark (what `ntm rules import` writes for a confirmed yes/no requirement).
#[test]
fn an_amendment_without_threshold_re_sources_the_base_test() {
    let text = format!(
        "{HEAD}\n[[amendments]]\nlevel = \"standard\"\nindicator = \"1.2\"\nsource = \"QĐ 1\"\nverified = true\n"
    );
    let (rs, diags) = load(&text, &[]);
    assert!(diags.is_empty(), "{diags:#?}");
    let rs = rs.expect("valid");
    assert_eq!(origin(&rs, "standard", "1.2"), Origin::Amended);
    let (r, ind) = rs
        .indicators()
        .find(|(r, i)| rs.levels[r.level].id == "standard" && i.id == "1.2")
        .expect("1.2");
    assert_eq!(ind.source, "QĐ 1");
    // The base's `<= 5` is kept.
    let t = rs.resolve(r, 0, 2022).0.expect("numeric");
    assert_eq!(t.value, rust_decimal::Decimal::from(5));
}
