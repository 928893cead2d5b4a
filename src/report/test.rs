//! Rendering `ntm test` results: text for people (a diff of expected and actual per failure),
//! JUnit XML and TAP for CI, JSON for scripts. Decides nothing.
//!
//! Names and values from the case files are shown with their control characters escaped
//! ([`escape_controls`]): each line of text and TAP stays one line, and the JUnit XML stays
//! well-formed (XML 1.0 cannot hold most control characters even as references).

use std::collections::BTreeSet;
use std::io::Write;

use serde::Serialize;

use crate::text::escape_controls;

use crate::test::coverage::{Coverage, Item};
use crate::test::run::{CaseResult, Mismatch, Shown, level_text};

/// Everything a renderer shows.
pub(crate) struct Report<'a> {
    /// Case results, in file order.
    pub results: &'a [CaseResult],
    /// Boundary coverage per ruleset.
    pub coverage: &'a [Coverage],
    /// List the uncovered boundaries (`--coverage`).
    pub list_uncovered: bool,
}

impl Report<'_> {
    fn failed(&self) -> usize {
        self.results.iter().filter(|r| !r.passed()).count()
    }

    fn files(&self) -> usize {
        self.results
            .iter()
            .map(|r| r.file.as_str())
            .collect::<BTreeSet<_>>()
            .len()
    }
}

fn shown(s: &Shown) -> String {
    match s {
        Shown::Level(l) => format!("`{}`", level_text(l.as_deref())),
        Shown::Bool(b) => b.to_string(),
        Shown::Ids(v) if v.is_empty() => "[]".to_string(),
        Shown::Ids(v) => format!("[{}]", v.join(", ")),
    }
}

/// The lines explaining one mismatch, without indentation.
pub(crate) fn diff_lines(m: &Mismatch) -> Vec<String> {
    match (&m.expected, &m.actual) {
        (Shown::Ids(want), Shown::Ids(got)) => {
            let what = if m.field.ends_with("indicators") {
                "indicators"
            } else {
                "criteria"
            };
            let of = m
                .of_level
                .as_deref()
                .map_or(String::from("no next level"), |l| {
                    format!("{what} of `{l}` not met")
                });
            let mut lines = vec![format!(
                "{}: {of} (- expected only, + actual only)",
                m.field
            )];
            for id in want.iter().filter(|id| !got.contains(id)) {
                lines.push(format!("  - {id}"));
            }
            for id in got.iter().filter(|id| !want.contains(id)) {
                lines.push(format!("  + {id}"));
            }
            lines
        }
        (e, a) => vec![format!(
            "{}: expected {}, actual {}",
            m.field,
            shown(e),
            shown(a)
        )],
    }
}

fn uncovered(i: &Item) -> String {
    let side = match (i.pass, i.fail) {
        (false, false) => "no passing and no failing case",
        (false, true) => "no passing case",
        (true, false) => "no failing case",
        (true, true) => "covered",
    };
    let from = i.from.map_or(String::new(), |y| format!(" from {y}"));
    format!(
        "{} {}/{} {}{from} ({}): {side}",
        i.level, i.criterion, i.indicator, i.zone, i.threshold
    )
}

fn coverage_line(c: &Coverage) -> String {
    if c.sides_total == 0 {
        return format!(
            "coverage: ruleset `{}`: no numeric threshold to cover",
            c.ruleset
        );
    }
    format!(
        "coverage: ruleset `{}`: {} of {} threshold sides covered ({:.1}%)",
        c.ruleset,
        c.sides_covered,
        c.sides_total,
        c.percent()
    )
}

/// One line per case, an indented diff under each failure, then a summary and coverage.
pub(crate) fn text(out: &mut dyn Write, r: &Report<'_>) -> std::io::Result<()> {
    for c in r.results {
        let status = if c.passed() { "PASS" } else { "FAIL" };
        writeln!(
            out,
            "{status} {}:{} {}",
            escape_controls(&c.file),
            c.line,
            escape_controls(&c.name)
        )?;
        for m in &c.mismatches {
            for l in diff_lines(m) {
                writeln!(out, "     {}", escape_controls(&l))?;
            }
        }
    }
    let failed = r.failed();
    let total = r.results.len();
    writeln!(out)?;
    writeln!(
        out,
        "test result: {}. {} passed; {failed} failed; {total} case(s) in {} file(s)",
        if failed == 0 { "ok" } else { "FAILED" },
        total - failed,
        r.files()
    )?;
    for c in r.coverage {
        writeln!(out, "{}", escape_controls(&coverage_line(c)))?;
        if r.list_uncovered {
            for i in c.items.iter().filter(|i| !(i.pass && i.fail)) {
                writeln!(out, "  uncovered: {}", escape_controls(&uncovered(i)))?;
            }
        }
    }
    Ok(())
}

/// `s` as XML text or attribute value: control characters (and U+FFFE, U+FFFF) first
/// written as visible escapes, since XML 1.0 cannot hold them, then `&<>"'` as entities.
fn xml(s: &str) -> String {
    let s = escape_controls(s);
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c => o.push(c),
        }
    }
    o
}

/// JUnit XML: one `<testsuite>` per case file, one `<testcase>` per case.
pub(crate) fn junit(out: &mut dyn Write, r: &Report<'_>) -> std::io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="ntm test" tests="{}" failures="{}">"#,
        r.results.len(),
        r.failed()
    )?;
    let mut i = 0;
    while i < r.results.len() {
        let file = &r.results[i].file;
        let n = r.results[i..]
            .iter()
            .take_while(|c| &c.file == file)
            .count();
        let suite = &r.results[i..i + n];
        let failures = suite.iter().filter(|c| !c.passed()).count();
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{n}" failures="{failures}">"#,
            xml(file)
        )?;
        for c in suite {
            let open = format!(
                r#"    <testcase name="{}" classname="{}" file="{}" line="{}""#,
                xml(&c.name),
                xml(file),
                xml(file),
                c.line
            );
            if c.passed() {
                writeln!(out, "{open}/>")?;
                continue;
            }
            writeln!(out, "{open}>")?;
            let first = c
                .mismatches
                .first()
                .map(|m| diff_lines(m).join(" "))
                .unwrap_or_default();
            let body: Vec<String> = c.mismatches.iter().flat_map(diff_lines).collect();
            writeln!(
                out,
                r#"      <failure message="{}" type="mismatch">{}</failure>"#,
                xml(&first),
                body.iter().map(|l| xml(l)).collect::<Vec<_>>().join("\n")
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
        i += n;
    }
    writeln!(out, "</testsuites>")
}

/// TAP version 14: `ok`/`not ok` per case, the diff as `#` comments.
pub(crate) fn tap(out: &mut dyn Write, r: &Report<'_>) -> std::io::Result<()> {
    writeln!(out, "TAP version 14")?;
    writeln!(out, "1..{}", r.results.len())?;
    for (i, c) in r.results.iter().enumerate() {
        let ok = if c.passed() { "ok" } else { "not ok" };
        // `#` starts a directive in a TAP description: keep it out of names.
        // Control characters escaped: a newline in a name cannot forge a TAP line.
        let name = escape_controls(&c.name).replace('#', "\\#");
        let file = escape_controls(&c.file).replace('#', "\\#");
        writeln!(out, "{ok} {} - {file}:{} {name}", i + 1, c.line)?;
        for m in &c.mismatches {
            for l in diff_lines(m) {
                writeln!(out, "# {}", escape_controls(&l))?;
            }
        }
    }
    for c in r.coverage {
        writeln!(out, "# {}", escape_controls(&coverage_line(c)))?;
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonReport<'a> {
    ntm_version: &'static str,
    passed: usize,
    failed: usize,
    cases: &'a [CaseResult],
    coverage: Vec<CoverageOut<'a>>,
}

#[derive(Serialize)]
struct CoverageOut<'a> {
    ruleset: &'a str,
    sides_covered: usize,
    sides_total: usize,
    percent: f64,
    uncovered: Vec<&'a Item>,
}

/// One JSON document: every case with its mismatches and actual result, and coverage.
pub(crate) fn json(out: &mut dyn Write, r: &Report<'_>) -> std::io::Result<()> {
    let failed = r.failed();
    let cov: Vec<CoverageOut<'_>> = r
        .coverage
        .iter()
        .map(|c| CoverageOut {
            ruleset: &c.ruleset,
            sides_covered: c.sides_covered,
            sides_total: c.sides_total,
            percent: (c.percent() * 10.0).round() / 10.0,
            uncovered: c.items.iter().filter(|i| !(i.pass && i.fail)).collect(),
        })
        .collect();
    let doc = JsonReport {
        ntm_version: env!("CARGO_PKG_VERSION"),
        passed: r.results.len() - failed,
        failed,
        cases: r.results,
        coverage: cov,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test::run::Actual;

    /// A case name holding everything that breaks XML, a terminal or a TAP stream.
    const HOSTILE: &str = "a<b>&c\"d']]>\0e\u{1b}[31m\nok 2 - forged\r\u{fffe}\u{202e}#x\u{7}";

    fn report_of(results: &[CaseResult]) -> Report<'_> {
        Report {
            results,
            coverage: &[],
            list_uncovered: false,
        }
    }

    fn hostile_results() -> Vec<CaseResult> {
        let actual = Actual {
            level: None,
            next_level: None,
            levels: Vec::new(),
        };
        let case = |passed: bool| CaseResult {
            file: format!("cases{HOSTILE}.toml"),
            name: HOSTILE.to_string(),
            line: 3,
            mismatches: if passed {
                Vec::new()
            } else {
                vec![Mismatch {
                    field: "missing".into(),
                    of_level: Some(format!("std{HOSTILE}")),
                    expected: Shown::Ids(vec![HOSTILE.into()]),
                    actual: Shown::Ids(vec!["1".into()]),
                }]
            },
            actual: actual.clone(),
            judged: Vec::new(),
        };
        vec![case(false), case(true)]
    }

    #[test]
    fn junit_is_well_formed_xml_whatever_a_case_name_holds() {
        let results = hostile_results();
        let mut out = Vec::new();
        junit(&mut out, &report_of(&results)).expect("writes");
        let text = String::from_utf8(out).expect("utf-8");
        let doc = roxmltree::Document::parse(&text)
            .unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{text}"));
        let cases: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(cases.len(), 2);
        // The name reads back with its controls as visible escapes, the rest as it was.
        assert_eq!(
            cases[0].attribute("name"),
            Some("a<b>&c\"d']]>\\0e\\u{1b}[31m\\nok 2 - forged\\r\\u{fffe}\\u{202e}#x\\u{7}")
        );
        let failure = cases[0]
            .children()
            .find(|n| n.has_tag_name("failure"))
            .expect("a failure");
        assert!(failure.text().is_some_and(|t| t.contains("\\u{1b}[31m")));
    }

    #[test]
    fn tap_and_text_keep_one_line_per_case_and_no_control_character() {
        let results = hostile_results();
        for write in [tap, text] {
            let mut out = Vec::new();
            write(&mut out, &report_of(&results)).expect("writes");
            let out = String::from_utf8(out).expect("utf-8");
            assert!(
                !out.contains(|c: char| c != '\n' && crate::text::is_escaped(c)),
                "{out:?}"
            );
            // Neither a forged `ok` line nor a line that is not the renderer's.
            assert!(
                !out.lines().any(|l| l.starts_with("ok 2 - forged")),
                "{out}"
            );
        }
        let mut out = Vec::new();
        tap(&mut out, &report_of(&results)).expect("writes");
        let out = String::from_utf8(out).expect("utf-8");
        // Version, plan, `not ok 1`, its three `#` lines (heading, `- id`, `+ id`), `ok 2`.
        assert_eq!(out.lines().count(), 7, "{out}");
        assert!(
            out.lines()
                .nth(2)
                .is_some_and(|l| l.ends_with("\\#x\\u{7}"))
        );
    }
}
