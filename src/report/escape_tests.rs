//! Text from the input cannot be turned against the reader of a human output: whatever the
//! names, codes, notes and ruleset texts hold, a rendered table, explanation or diagnostic
//! holds no control character but its own newlines, and has as many lines as with plain
//! names.

use proptest::prelude::*;

use super::explain::{Explanation, explain_commune, write_explain_table};
use super::rules::write_show_table;
use super::summary::{SummaryDoc, write_summary_table};
use super::table::{TableOptions, write_table};
use super::*;
use crate::data::read::{Note, Row, YearFrom, ZoneFrom};
use crate::diag::Diagnostic;
use crate::eval::evaluate;
use crate::lang::Lang;
use crate::record::*;
use crate::ruleset::Ruleset;
use crate::summary::{Facts, Summariser};
use crate::text::{echo, is_escaped};

/// Text mixing letters with every kind of character that must not reach a terminal.
fn hostile() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => any::<char>(),
            1 => prop::sample::select(vec![
                '\n', '\r', '\t', '\0', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}',
                '\u{202e}', '\u{2066}', '\u{200f}', '\u{2028}', '\u{fffe}', 'ạ', '|', '#',
            ]),
        ],
        0..16,
    )
    .prop_map(String::from_iter)
}

/// No control character but newlines.
fn clean(out: &str) -> bool {
    !out.contains(|c: char| c != '\n' && is_escaped(c))
}

fn ruleset() -> Ruleset {
    let (id, path, text) = crate::ruleset::builtin::BUILTIN[0];
    let (rs, diags) = crate::ruleset::load_str(text, path);
    rs.unwrap_or_else(|| panic!("{id} must load: {diags:?}"))
}

fn row(rs: &Ruleset, s: &[String]) -> Row {
    let t = |i: usize| Some(s[i % s.len()].clone());
    Row {
        input: 0,
        line: 2,
        code: t(0),
        name: t(1),
        district: t(2),
        province: t(3),
        zone: 0,
        zone_from: ZoneFrom::Column,
        year: rs.period.1,
        year_from: YearFrom::Column,
        values: vec![None; rs.measures.len()],
        kept: Vec::new(),
        notes: vec![
            Note {
                code: "not-a-number",
                column: t(4),
                value: s[5 % s.len()].clone(),
                message: s[6 % s.len()].clone(),
            },
            Note {
                code: "wrong-field-count",
                column: None,
                value: String::new(),
                message: s[7 % s.len()].clone(),
            },
        ],
    }
}

fn meta(rs: &Ruleset, communes: usize) -> Meta {
    Meta {
        ntm_version: "0",
        ruleset_id: rs.id.clone(),
        ruleset_sha256: String::new(),
        ruleset_source: String::new(),
        ruleset_chosen_by: None,
        year: Some(rs.period.1),
        year_source: Some(YearFrom::Column),
        inputs: Vec::new(),
        communes,
        unverified_verdicts: 0,
        notes: 2 * communes,
    }
}

/// The evaluate table, the explanation and the summary by a column holding `s`, in `lang`.
fn render_data(rs: &Ruleset, s: &[String], lang: Lang) -> Vec<String> {
    let row = row(rs, s);
    let outcome = evaluate(rs, row.zone, row.year, &row.values);
    let rec = CommuneRecord::new(rs, 1, &s[8 % s.len()], &row, &outcome, true);
    let m = meta(rs, 1);
    let mut table = Vec::new();
    let opts = TableOptions {
        margin: None,
        closest: Some((None, 1)),
        lang,
    };
    write_table(&mut table, rs, &m, &[rec], opts).expect("renders");

    let doc = Explanation {
        meta: meta(rs, 1),
        margin: None,
        communes: vec![explain_commune(
            rs,
            1,
            &s[8 % s.len()],
            &row,
            &outcome,
            None,
        )],
    };
    let mut explain = Vec::new();
    write_explain_table(&mut explain, rs, &doc, lang).expect("renders");

    let mut sum = Summariser::new(rs, Some(0), Vec::new(), None);
    // Three groups whatever the values: each starts with its own prefix.
    for (i, v) in s.iter().take(3).enumerate() {
        sum.add(&Facts {
            outcome: &outcome,
            zone: 0,
            values: &[Some(format!("g{i}{v}"))],
        });
    }
    let summary = sum.finish();
    let m = meta(rs, 3);
    let by = s[9 % s.len()].clone();
    let sdoc = SummaryDoc::new(rs, &m, Some(&by), None, &summary);
    let mut summary_out = Vec::new();
    write_summary_table(&mut summary_out, rs, &sdoc, lang).expect("renders");

    [table, explain, summary_out]
        .into_iter()
        .map(|b| String::from_utf8(b).expect("utf-8"))
        .collect()
}

/// `rules show` of a ruleset whose texts hold `s`.
fn render_rules(rs: &Ruleset, s: &[String], lang: Lang) -> String {
    let mut rs = rs.clone();
    let t = |i: usize| s[i % s.len()].clone();
    rs.name = t(0);
    rs.name_vi = t(1);
    rs.decision = t(2);
    for (i, l) in rs.levels.iter_mut().enumerate() {
        l.name = t(i + 3);
        l.name_vi = t(i + 4);
        for c in &mut l.criteria {
            c.name_vi = t(i + 5);
            for ind in &mut c.indicators {
                ind.source = t(i + 6);
            }
        }
    }
    for m in &mut rs.measures {
        m.name_vi = t(7);
        m.unit = Some(t(8));
        m.aliases = vec![t(9), t(10)];
    }
    let mut out = Vec::new();
    write_show_table(&mut out, &rs, None, None, None, lang).expect("renders");
    String::from_utf8(out).expect("utf-8")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn human_outputs_hold_no_control_and_their_own_lines(
        s in prop::collection::vec(hostile(), 11),
        vi in any::<bool>(),
    ) {
        let rs = ruleset();
        let lang = if vi { Lang::Vi } else { Lang::En };
        // The same texts without anything to escape.
        let plain: Vec<String> = (0..s.len()).map(|i| format!("x{i}")).collect();
        let got = render_data(&rs, &s, lang);
        let want = render_data(&rs, &plain, lang);
        for (g, w) in got.iter().zip(&want) {
            prop_assert!(clean(g), "{g:?}");
            prop_assert_eq!(g.lines().count(), w.lines().count(), "{}", g);
        }
        let got = render_rules(&rs, &s, lang);
        let want = render_rules(&rs, &plain, lang);
        prop_assert!(clean(&got), "{got:?}");
        prop_assert_eq!(got.lines().count(), want.lines().count());
    }

    #[test]
    fn a_diagnostic_is_one_line_and_its_help_another(
        value in hostile(),
        path in hostile(),
        help in hostile(),
    ) {
        let d = Diagnostic::error("not-a-number", format!("column 2 `x`: `{}` is not valid", echo(&value)))
            .at(&path, Some(3), Some(2))
            .cell("x", &value)
            .help(help);
        let text = d.to_string();
        prop_assert!(clean(&text), "{text:?}");
        prop_assert_eq!(text.lines().count(), 2);
        let mut out = Vec::new();
        let mut err = Vec::new();
        let files = [check::FileReport::new(&path, &path, None, vec![d])];
        check::write_text(&mut out, &mut err, &files).expect("writes");
        let (out, err) = (String::from_utf8(out).expect("utf-8"), String::from_utf8(err).expect("utf-8"));
        prop_assert!(clean(&out) && clean(&err));
        prop_assert_eq!((out.lines().count(), err.lines().count()), (1, 2));
    }
}

/// Does a CSV field start as a formula would (and is not a number)?
fn formula(field: &str) -> bool {
    field.starts_with(['=', '+', '-', '@', '\t', '\r']) && super::csv::excel_safe(field) != field
}

/// Every field of `csv` (after its `#` lines), checked: no formula, no control character.
fn assert_csv_safe(csv: &[u8]) {
    let text = String::from_utf8_lossy(csv);
    let body: String = text
        .trim_start_matches('\u{feff}')
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut rdr = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes());
    let mut fields = 0;
    for rec in rdr.records() {
        for f in rec.expect("a CSV record").iter() {
            fields += 1;
            assert!(!formula(f), "formula field {f:?} in\n{text}");
            assert!(!f.contains(is_escaped), "control character in {f:?}");
        }
    }
    assert!(fields > 0);
    assert!(clean(&text), "{text:?}");
}

const FORMULAS: [&str; 4] = ["=1+2", "@SUM(A1:A9)", "+cmd|' /C calc'!A0", "-2+3\u{1b}[2J"];

#[test]
fn summary_csv_neutralises_hostile_group_values() {
    let rs = ruleset();
    let row = row(&rs, &["x".to_string()]);
    let outcome = evaluate(&rs, row.zone, row.year, &row.values);
    let mut sum = Summariser::new(&rs, Some(0), Vec::new(), None);
    for v in FORMULAS {
        sum.add(&Facts {
            outcome: &outcome,
            zone: 0,
            values: &[Some(v.to_string())],
        });
    }
    let summary = sum.finish();
    let mut m = meta(&rs, 4);
    m.inputs.push(InputMeta {
        path: "a\n=1+2,b.csv".into(),
        sha256: "0".into(),
        rows: 4,
        format: "csv",
        encoding: None,
        delimiter: None,
        sheet: None,
        header_row: None,
    });
    let sdoc = SummaryDoc::new(&rs, &m, Some("@by\nx"), None, &summary);
    let mut out = Vec::new();
    super::summary::write_summary_csv(&mut out, &sdoc, true).expect("writes");
    assert_csv_safe(&out);
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.contains("group,'=1+2,"), "{text}");
    assert!(text.contains("# input a\\n=1+2,b.csv sha256"), "{text}");
    assert!(text.contains("# by @by\\nx\n"), "{text}");
    // Figures written by ntm stay numbers.
    assert!(text.contains("total,,,communes,,4\n"), "{text}");
}

#[test]
fn template_csv_neutralises_hostile_ruleset_texts() {
    let mut rs = ruleset();
    rs.name = FORMULAS[0].into();
    rs.name_vi = FORMULAS[1].into();
    for (i, m) in rs.measures.iter_mut().enumerate() {
        m.id = FORMULAS[i % 4].into();
        m.name_vi = FORMULAS[(i + 1) % 4].into();
        m.unit = Some(FORMULAS[(i + 2) % 4].into());
    }
    for lang in [Lang::En, Lang::Vi] {
        let out = super::template::csv(&rs, lang).expect("writes");
        assert_csv_safe(&out);
    }
}

#[test]
fn errors_csv_neutralises_and_shortens_the_value() {
    let big = format!("=HYPERLINK(\"x\")\u{1b}{}", "9".repeat(1 << 20));
    let d = Diagnostic::error("not-a-number", format!("`{}` is not valid", echo(&big)))
        .at("a.csv", Some(2), Some(3))
        .cell("@h\n", &big)
        .help("expected a number");
    let mut out = Vec::new();
    super::csv::write_errors_csv(&mut out, &[d]).expect("writes");
    assert!(out.len() < 1000, "{} bytes", out.len());
    assert_csv_safe(&out);
    let text = String::from_utf8(out).expect("utf-8");
    assert!(text.contains("'=HYPERLINK(\"\"x\"\")\\u{1b}999"), "{text}");
    assert!(text.contains("… (1,048,592 bytes)"), "{text}");
}

/// Ruleset texts a hostile ruleset file could hold, for Markdown and HTML.
const MARKUP: [&str; 6] = [
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "# heading\n- item | cell",
    "`code` *em* _em_ &amp;",
    "<script>alert(1)</script>",
    "a\u{1b}[2J\u{202e}b",
];

#[test]
fn criteria_book_shows_hostile_ruleset_texts_as_text() {
    let mut rs = ruleset();
    let t = |i: usize| MARKUP[i % MARKUP.len()].to_string();
    rs.name = t(0);
    rs.name_vi = t(1);
    rs.decision = t(2);
    rs.notes = Some(t(3));
    for (i, l) in rs.levels.iter_mut().enumerate() {
        l.name = t(i);
        l.name_vi = t(i + 1);
        l.source = Some(t(i + 2));
        for c in &mut l.criteria {
            c.name = t(i + 3);
            c.name_vi = t(i + 4);
            for ind in &mut c.indicators {
                ind.source = t(i + 5);
                ind.note = Some(t(i));
            }
        }
    }
    for m in &mut rs.measures {
        m.name = t(1);
        m.name_vi = t(4);
        m.unit = Some(t(0));
        m.aliases = vec![t(2), t(5)];
    }
    let plain = super::md::criteria_book(&ruleset(), Default::default(), Lang::En);
    for lang in [Lang::En, Lang::Vi] {
        let book = super::md::criteria_book(&rs, Default::default(), lang);
        assert!(clean(&book), "{book:?}");
        for bad in ["<img", "<script", "\n# heading", "\n- item"] {
            assert!(!book.contains(bad), "{bad} in {book}");
        }
        // No link: every `](` is escaped.
        assert!(!book.replace("\\](", "").contains("]("), "{book}");
        // Each table row is still one line with its own cells.
        assert_eq!(book.lines().count(), plain.lines().count(), "{book}");
        let rows = book.lines().filter(|l| l.starts_with("| `")).count();
        assert_eq!(
            rows,
            rs.measures.len() + rows.saturating_sub(rs.measures.len())
        );
    }
}

#[test]
fn html_report_shows_hostile_names_as_text() {
    let rs = ruleset();
    let s: Vec<String> = MARKUP.iter().map(|m| m.to_string()).collect();
    let row = row(&rs, &s);
    let outcome = evaluate(&rs, row.zone, row.year, &row.values);
    let rec = CommuneRecord::new(&rs, 1, "<b>f.csv</b>", &row, &outcome, true);
    let mut sum = Summariser::new(&rs, Some(0), Vec::new(), None);
    for v in &s {
        sum.add(&Facts {
            outcome: &outcome,
            zone: 0,
            values: &[Some(v.clone())],
        });
    }
    let summary = sum.finish();
    let m = meta(&rs, s.len());
    let sdoc = SummaryDoc::new(&rs, &m, Some("<i>district</i>"), None, &summary);
    for lang in [Lang::En, Lang::Vi] {
        let page = super::html::render_report_html(&rs, &sdoc, std::slice::from_ref(&rec), lang);
        for bad in [
            "<img",
            "<script",
            "<b>f",
            "<i>district",
            "\u{1b}",
            "\u{202e}",
        ] {
            assert!(!page.contains(bad), "{bad:?} in the page");
        }
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
}

/// Vietnamese output shows the ruleset's Vietnamese names where English shows ids: those
/// names, units and zone names reach the page as text too.
#[test]
fn vietnamese_html_shows_hostile_ruleset_names_as_text() {
    let mut rs = ruleset();
    for m in &mut rs.measures {
        m.name_vi = "<img src=x onerror=alert(1)>".into();
        m.unit_vi = Some("<script>u</script>".into());
    }
    for z in &mut rs.zones {
        z.name_vi = "<b>zone</b>\u{1b}[31m".into();
    }
    for l in &mut rs.levels {
        l.name_vi = "<i>level</i>".into();
    }
    let s: Vec<String> = MARKUP.iter().map(|m| m.to_string()).collect();
    let row = row(&rs, &s);
    let outcome = evaluate(&rs, row.zone, row.year, &row.values);
    let rec = CommuneRecord::new(&rs, 1, "f.csv", &row, &outcome, true);
    assert!(!rec.missing.is_empty(), "the commune misses something");
    let mut sum = Summariser::new(&rs, Some(0), Vec::new(), None);
    sum.add(&Facts {
        outcome: &outcome,
        zone: 0,
        values: &[Some("g".into())],
    });
    let summary = sum.finish();
    let m = meta(&rs, 1);
    let sdoc = SummaryDoc::new(&rs, &m, Some("district"), None, &summary);
    let page = super::html::render_report_html(&rs, &sdoc, std::slice::from_ref(&rec), Lang::Vi);
    for bad in ["<img", "<script", "<b>zone", "<i>level", "\u{1b}"] {
        assert!(!page.contains(bad), "{bad:?} in the page");
    }
    assert!(
        page.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{page}"
    );
    assert!(page.contains("&lt;b&gt;zone&lt;/b&gt;"), "{page}");
}

#[test]
fn diff_table_and_markdown_show_hostile_names_as_text() {
    use crate::diff::{Change, Diff, Direction, Entry, Flip};
    let entry = |name: &str| Entry {
        key: Some("1".into()),
        code: Some("1".into()),
        name: Some(name.into()),
        file: "d.csv".into(),
        line: 2,
        level: Some("standard".into()),
        rank: 1,
        criteria: Vec::new(),
    };
    let flip = Flip {
        level: "standard".into(),
        criterion: "1".into(),
        from: Some(crate::eval::Status::Pass),
        to: Some(crate::eval::Status::Fail),
    };
    let diff_of = |name: &str| Diff {
        changes: vec![Change {
            old: entry(name),
            new: entry(name),
            direction: Direction::Down,
            flips: vec![flip.clone(), flip.clone()],
        }],
        unchanged: 0,
        only_old: vec![entry(name)],
        only_new: vec![entry(name)],
    };
    let m = super::diff::DiffMeta {
        mode: super::diff::Mode::Snapshots,
        old: "a.csv".into(),
        new: "b.csv".into(),
        against: "r.toml".into(),
        runs: None,
    };
    let render = |d: &Diff| {
        let (mut table, mut md) = (Vec::new(), Vec::new());
        super::diff::table(&mut table, d, &m).expect("writes");
        super::diff::md(&mut md, d, &m).expect("writes");
        [table, md].map(|b| String::from_utf8(b).expect("utf-8"))
    };
    let plain = render(&diff_of("Xã A"));
    for name in MARKUP {
        let got = render(&diff_of(name));
        for (g, p) in got.iter().zip(&plain) {
            assert!(clean(g), "{g:?}");
            assert_eq!(g.lines().count(), p.lines().count(), "{g}");
        }
        // Markdown for a pull-request comment: no HTML, no link.
        assert!(
            !got[1].contains("<img") && !got[1].contains("<script"),
            "{}",
            got[1]
        );
        assert!(!got[1].replace("\\](", "").contains("]("), "{}", got[1]);
    }
}

/// The evaluate workbook of one commune and a summary by a column holding `s`, read back:
/// every sheet's cells, and how many formulas the workbook holds.
fn render_xlsx(
    rs: &Ruleset,
    s: &[String],
    lang: Lang,
) -> (Vec<(String, calamine::Range<calamine::Data>)>, usize) {
    use calamine::Reader;
    let row = row(rs, s);
    let outcome = evaluate(rs, row.zone, row.year, &row.values);
    let rec = CommuneRecord::new(rs, 1, &s[8 % s.len()], &row, &outcome, true);
    let rows = vec![super::xlsx::ResultRow::new(
        rs,
        &rec,
        &super::words::Words::new(rs, lang),
        false,
    )];
    let mut sum = Summariser::new(rs, Some(0), Vec::new(), None);
    for (i, v) in s.iter().take(3).enumerate() {
        sum.add(&Facts {
            outcome: &outcome,
            zone: 0,
            values: &[Some(format!("g{i}{v}"))],
        });
    }
    let summary = sum.finish();
    let m = meta(rs, 3);
    let by = s[9 % s.len()].clone();
    let sdoc = SummaryDoc::new(rs, &m, Some(&by), None, &summary);
    let bytes = super::xlsx::evaluate_workbook(rs, rows, &sdoc, lang, 10).expect("builds");
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let sheets = wb.worksheets();
    let formulas = sheets
        .iter()
        .map(|(name, _)| {
            wb.worksheet_formula(name)
                .expect("formulas")
                .used_cells()
                .filter(|(_, _, f)| !f.is_empty())
                .count()
        })
        .sum();
    (sheets, formulas)
}

/// Every text cell of the workbook, and the line breaks in them.
fn cell_lines(sheets: &[(String, calamine::Range<calamine::Data>)]) -> (Vec<String>, usize) {
    let texts: Vec<String> = sheets
        .iter()
        .flat_map(|(_, r)| r.used_cells().map(|(_, _, c)| c.to_string()))
        .collect();
    let lines = texts.iter().map(|t| t.matches('\n').count()).sum();
    (texts, lines)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// A workbook cell holds no control character (but the newlines between the items of a
    /// "what blocks" cell), has as many line breaks as with plain names, and is never a
    /// formula.
    #[test]
    fn workbook_cells_hold_no_control_and_no_formula(
        s in prop::collection::vec(hostile(), 11),
        vi in any::<bool>(),
    ) {
        let rs = ruleset();
        let lang = if vi { Lang::Vi } else { Lang::En };
        let plain: Vec<String> = (0..s.len()).map(|i| format!("x{i}")).collect();
        let (got, formulas) = render_xlsx(&rs, &s, lang);
        let (want, _) = render_xlsx(&rs, &plain, lang);
        prop_assert_eq!(formulas, 0);
        let (texts, lines) = cell_lines(&got);
        for t in &texts {
            prop_assert!(clean(t), "{t:?}");
        }
        prop_assert_eq!(lines, cell_lines(&want).1);
    }
}
