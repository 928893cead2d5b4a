use proptest::prelude::*;

use super::format;
use crate::ruleset::load::load_str;

/// The validated model, every field of it, with what depends on the layout of the text left
/// out: the hash and the line/column locations kept for diagnostics.
fn model(text: &str) -> String {
    let (rs, diags) = load_str(text, "r.toml");
    let mut rs = rs.unwrap_or_else(|| panic!("valid ruleset, got {diags:?}"));
    rs.sha256.clear();
    let debug = format!("{rs:?}");
    let mut out = String::new();
    let mut rest = debug.as_str();
    while let Some(at) = rest.find("Location {") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('}').expect("a Location ends") + at + 1;
        rest = &rest[end..];
    }
    out.push_str(rest);
    assert!(out.contains("Indicator {"), "{out}");
    out
}

const SMALL: &str = r#"# a small ruleset
[ruleset]
name_vi = "Thử"
id = "small"   # the id
decision = "1/QĐ"
name = "Small"
zoning = "region"
period = [+2_021, 0x7E9]

[[zones]]
name = "North"
id = "NMM"
name_vi = "Bắc"

[measures.road]
unit_vi = "% số km"
kind = "percent"
name = "Roads"
unit = "% of km"
name_vi = "Đường"

[[levels]]
name_vi = "Chuẩn"
id = "std"
name = "Standard"

[[criteria]]
name = "Traffic"
id = "2"
level = "std"
name_vi = "Giao thông"

# the road indicator
[[criteria.indicators]]
source = "1/QĐ"
verified = false
note = "why"
threshold = { NMM = +1_00, all = 9_0.5 }
op = ">="
measure = "road"
id = "2.1"
"#;

const SMALL_FORMATTED: &str = r#"# a small ruleset
[ruleset]
id = "small"   # the id
name = "Small"
name_vi = "Thử"
period = [2021, 2025]
decision = "1/QĐ"
zoning = "region"

[[zones]]
id = "NMM"
name = "North"
name_vi = "Bắc"

[measures.road]
name = "Roads"
name_vi = "Đường"
kind = "percent"
unit = "% of km"
unit_vi = "% số km"

[[levels]]
id = "std"
name = "Standard"
name_vi = "Chuẩn"

[[criteria]]
level = "std"
id = "2"
name = "Traffic"
name_vi = "Giao thông"

# the road indicator
[[criteria.indicators]]
id = "2.1"
measure = "road"
op = ">="
threshold = { NMM = 100, all = 90.5 }
source = "1/QĐ"
verified = false
note = "why"
"#;

#[test]
fn orders_keys_and_numbers_keeping_comments() {
    assert_eq!(format(SMALL).expect("valid TOML"), SMALL_FORMATTED);
}

#[test]
fn formatting_keeps_the_validated_ruleset() {
    assert_eq!(model(SMALL), model(&format(SMALL).expect("valid TOML")));
}

#[test]
fn year_lists_and_derived_are_ordered_and_unknown_keys_go_last() {
    let text = r#"[[criteria.indicators]]
zzz = 1
id = "1"
derived = { factor = 1.5, level = "a", indicator = "b" }
threshold = [{ value = 5, from = 2021 }, { note = "n", from = 2023, value = 6 }]
aaa = 2
"#;
    let want = r#"[[criteria.indicators]]
id = "1"
threshold = [{ from = 2021, value = 5 }, { from = 2023, value = 6, note = "n" }]
derived = { level = "a", indicator = "b", factor = 1.5 }
zzz = 1
aaa = 2
"#;
    assert_eq!(format(text).expect("valid TOML"), want);
}

#[test]
fn zone_tables_keep_their_order() {
    let text = "[[criteria]]\nid = \"1\"\n[[criteria.indicators]]\nthreshold = { SE = 1, NMM = 2 }\nid = \"1.1\"\n";
    let got = format(text).expect("valid TOML");
    assert!(got.contains("threshold = { SE = 1, NMM = 2 }"), "{got}");
    assert!(got.find("id = \"1.1\"") < got.find("threshold"), "{got}");
}

#[test]
fn windows_line_ends_are_kept() {
    let crlf = SMALL.replace('\n', "\r\n");
    let got = format(&crlf).expect("valid TOML");
    assert_eq!(got, SMALL_FORMATTED.replace('\n', "\r\n"));
    assert_eq!(model(&crlf), model(&got));
    // A file with mixed line ends is written with `\n`.
    let mixed = SMALL.replacen('\n', "\r\n", 1);
    assert_eq!(format(&mixed).expect("valid TOML"), SMALL_FORMATTED);
}

#[test]
fn invalid_toml_is_an_error() {
    assert!(format("[ruleset\nid = 1").is_err());
}

fn project_files() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["criteria", "examples"] {
        for e in std::fs::read_dir(root.join(dir)).expect("read dir") {
            let p = e.expect("dir entry").path();
            if p.extension().is_some_and(|x| x == "toml") {
                files.push(p);
            }
        }
    }
    assert!(files.len() >= 5, "{files:?}");
    files
}

#[test]
fn fmt_is_idempotent_keeps_values_and_the_builtin_files_are_canonical() {
    let mut bad = String::new();
    for p in project_files() {
        let text = std::fs::read_to_string(&p).expect("read ruleset");
        let once = format(&text).expect("valid TOML");
        assert_eq!(format(&once).expect("valid TOML"), once, "{}", p.display());
        // Extending rulesets name their base by a path relative to the file: compare the
        // self-contained rulesets (targets files are not rulesets).
        if text.contains("\n[ruleset]") && !text.contains("\nextends =") {
            assert_eq!(model(&text), model(&once), "{}", p.display());
        }
        // The example files keep their layout (their hashes are part of golden outputs).
        if p.parent().is_some_and(|d| d.ends_with("examples")) {
            continue;
        }
        let diff = similar::TextDiff::from_lines(&text, &once)
            .unified_diff()
            .to_string();
        if !diff.is_empty() {
            bad += &format!("{} is not in canonical form:\n{diff}\n", p.display());
        }
    }
    assert!(bad.is_empty(), "{bad}");
}

/// Shuffle the lines of each `key = value` run (one table's keys) of SMALL.
fn shuffled(seed: &[usize]) -> String {
    let mut out = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    let mut n = 0;
    let flush = |run: &mut Vec<&str>, out: &mut Vec<String>, n: &mut usize| {
        for i in (1..run.len()).rev() {
            let j = seed[*n % seed.len()] % (i + 1);
            *n += 1;
            run.swap(i, j);
        }
        out.extend(run.drain(..).map(str::to_string));
    };
    for line in SMALL.lines() {
        if line.contains(" = ") && !line.starts_with('#') {
            run.push(line);
        } else {
            flush(&mut run, &mut out, &mut n);
            out.push(line.to_string());
        }
    }
    flush(&mut run, &mut out, &mut n);
    out.join("\n") + "\n"
}

proptest! {
    #[test]
    fn any_key_order_formats_to_the_canonical_text(seed in prop::collection::vec(0usize..64, 1..16)) {
        let text = shuffled(&seed);
        let got = format(&text).expect("valid TOML");
        prop_assert_eq!(&got, SMALL_FORMATTED);
        prop_assert_eq!(format(&got).expect("valid TOML"), got.clone());
        prop_assert_eq!(model(&text), model(&got));
    }
}
