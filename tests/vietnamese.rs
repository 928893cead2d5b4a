//! Vietnamese output end to end: every report a person reads (table, explain, summary, HTML)
//! under `--lang vi` names measures, levels and zones in Vietnamese and holds no measure id
//! and no English word of the report's own text.
//!
//! The example data is run with the built-in 2021–2025 set (every measure of it) and with
//! `examples/ruleset.toml` (an override, a derived threshold, a "none" test, thresholds by
//! year). Measure ids come from `ntm rules show … --format json`, so a measure added to a
//! ruleset is checked too.

use std::process::Command;

fn ntm(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_ntm"))
        .args(args)
        .env("NTM_TODAY", "2025-06-30")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .output()
        .expect("ntm runs");
    assert!(
        o.status.success(),
        "ntm {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8 output")
}

/// The measure ids of a ruleset.
fn measure_ids(rules: &str) -> Vec<String> {
    let json: serde_json::Value =
        serde_json::from_str(&ntm(&["rules", "show", rules, "--format", "json"])).expect("json");
    let ids: Vec<String> = json["measures"]
        .as_array()
        .expect("measures")
        .iter()
        .map(|m| m["id"].as_str().expect("id").to_string())
        .collect();
    assert!(ids.len() > 5, "{rules}: {ids:?}");
    ids
}

/// Words of the English reports that must not be in a Vietnamese one.
const ENGLISH: &[&str] = &[
    "required",
    "needs",
    "unverified",
    "no data",
    "Annex",
    "Article",
    "criterion",
    "indicator",
    "year column",
    "standard",
    "advanced",
    "model",
    "docs/",
    "ntm rules",
    "--strict-sources",
];

/// Is `word` in `text` as a whole word (not inside another word or an id)?
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(k, _)| {
        let before = text[..k].chars().next_back();
        let after = text[k + word.len()..].chars().next();
        let edge = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        edge(before) && edge(after)
    })
}

/// The page's text: tags and the style sheet dropped, entities of `<`, `>`, `&` decoded.
fn html_text(html: &str) -> String {
    let body = html.split("</style>").nth(1).unwrap_or(html);
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn assert_vietnamese(what: &str, text: &str, ids: &[String]) {
    let ids: Vec<&String> = ids.iter().filter(|id| has_word(text, id)).collect();
    assert!(ids.is_empty(), "{what}: measure ids {ids:?} in\n{text}");
    let words: Vec<&&str> = ENGLISH.iter().filter(|w| has_word(text, w)).collect();
    assert!(words.is_empty(), "{what}: English {words:?} in\n{text}");
}

/// Every human format of one data set and ruleset, in Vietnamese.
fn human_outputs(rules: &[&str], data: &str, communes: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let with = |args: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        v.extend(rules.iter().map(|s| s.to_string()));
        v.extend([data.to_string(), "--lang".into(), "vi".into()]);
        v
    };
    let run = |args: Vec<String>| ntm(&args.iter().map(String::as_str).collect::<Vec<_>>());
    out.push((
        "table".into(),
        run(with(&["evaluate", "--format", "table"])),
    ));
    for c in communes {
        out.push((
            format!("explain {c}"),
            run(with(&["explain", "--commune", c])),
        ));
    }
    out.push((
        "summary".into(),
        run(with(&["summary", "--by", "district"])),
    ));
    // One folder per call: the tests run in parallel.
    let stem = std::path::Path::new(data)
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().to_string());
    let dir = std::env::temp_dir().join(format!("ntm-vi-{}-{stem}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let page = dir.join("report.html");
    let page_arg = page.to_string_lossy().to_string();
    run(with(&["report", "-o", &page_arg]));
    let html = std::fs::read_to_string(&page).expect("report written");
    let _ = std::fs::remove_dir_all(&dir);
    out.push(("html".into(), html_text(&html)));
    out
}

#[test]
fn vietnamese_reports_of_the_example_communes_hold_no_measure_id_and_no_english() {
    let ids = measure_ids("ntm-2021-2025");
    let outputs = human_outputs(
        &["--allow-missing"],
        "examples/communes.csv",
        &["10816", "10831", "32137"],
    );
    for (what, text) in &outputs {
        assert_vietnamese(what, text, &ids);
    }
    let table = &outputs[0].1;
    assert!(
        table.contains("Xã đạt chuẩn nông thôn mới nâng cao"),
        "{table}"
    );
    assert!(table.contains("Đồng bằng sông Hồng"), "{table}");
}

#[test]
fn vietnamese_reports_of_the_example_ruleset_say_value_unit_zone_and_year() {
    let ids = measure_ids("examples/ruleset.toml");
    let outputs = human_outputs(
        &["--rules", "examples/ruleset.toml"],
        "examples/ruleset-communes.csv",
        &["10816", "32134", "32137"],
    );
    for (what, text) in &outputs {
        assert_vietnamese(what, text, &ids);
    }
    let table = &outputs[0].1;
    for want in [
        "Thu nhập bình quân đầu người khu vực nông thôn: 61,2 < 70 triệu đồng/người/năm (vùng Đồng bằng sông Hồng, năm 2025) — chưa được đối chiếu",
        "Nhà tạm, dột nát: 1 căn nhà, cần không có",
        "Có quy hoạch chung xây dựng xã được phê duyệt: không đạt",
        "chưa có số liệu (cần ≥ 60 triệu đồng/người/năm; vùng Đồng bằng sông Cửu Long, năm 2025)",
    ] {
        assert!(table.contains(want), "table lacks {want:?}:\n{table}");
    }
    let html = &outputs.last().expect("html").1;
    assert!(
        html.contains("61,2 < 70 triệu đồng/người/năm (vùng Đồng bằng sông Hồng, năm 2025)"),
        "{html}"
    );
}

#[test]
fn english_reports_keep_their_ids() {
    // The check above would catch English: it does on the English table.
    let ids = measure_ids("examples/ruleset.toml");
    let table = ntm(&[
        "evaluate",
        "--rules",
        "examples/ruleset.toml",
        "examples/ruleset-communes.csv",
        "--lang",
        "en",
    ]);
    assert!(ids.iter().any(|id| has_word(&table, id)), "{table}");
    assert!(
        table.contains("income_per_capita 61.2 < 70 required (RRD, 2025) [unverified]"),
        "{table}"
    );
}

#[test]
fn the_html_report_folds_long_missing_lists_under_a_count_and_keeps_short_ones_open() {
    let dir = std::env::temp_dir().join(format!("ntm-vi-{}-fold", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let page = dir.join("report.html");
    let page_arg = page.to_string_lossy().to_string();
    ntm(&[
        "report",
        "examples/communes.csv",
        "--allow-missing",
        "--lang",
        "vi",
        "-o",
        &page_arg,
    ]);
    let html = std::fs::read_to_string(&page).expect("report written");
    let _ = std::fs::remove_dir_all(&dir);
    let row = |code: &str| -> String {
        let at = html
            .find(&format!("<td class=\"code\">{code}</td>"))
            .unwrap_or_else(|| panic!("row {code}"));
        let end = html[at..].find("</tr>").expect("row ends") + at;
        html[at..end].to_string()
    };
    // 18 criteria: folded, the summary counts them and lists their numbers.
    assert!(
        row("10831").contains(
            "<details><summary>18 tiêu chí chưa đạt: 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19</summary>"
        ),
        "{}",
        row("10831")
    );
    // 3 criteria but 10 indicators: folded too.
    assert!(
        row("10828").contains("<details><summary>3 tiêu chí chưa đạt: 2, 3, 4</summary>"),
        "{}",
        row("10828")
    );
    // One criterion: open, grouped under its name.
    let short = row("10843");
    assert!(!short.contains("<details>"), "{short}");
    assert!(
        short.contains("<li><strong>10 Thu nhập</strong><ul><li>Thu nhập bình quân đầu người khu vực nông thôn: 45 &lt; "),
        "{short}"
    );
    // Commune names never wrap.
    assert!(html.contains("td.name, td.code { white-space: nowrap; }"));
    assert!(html.contains("<td class=\"name\">Xã Thanh An</td>"));
}
