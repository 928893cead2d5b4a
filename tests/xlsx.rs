//! `--format xlsx` of `evaluate` and `summary`, as a user runs it: the binary writes a
//! workbook with `-o` (or to a pipe), and calamine reads it back as Excel would: the sheets,
//! their headers, numbers as number cells, every input row once and in order, the provenance,
//! text from the input never a formula, and a failed run leaving the old file as it was.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use calamine::{Data, Range, Reader, Xlsx, open_workbook_auto};
use sha2::{Digest, Sha256};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn sandbox(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ntm-xlsx-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("sandbox");
    d
}

fn ntm(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ntm"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run ntm")
}

fn ok(o: &Output) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn root(p: &str) -> String {
    format!("{ROOT}/{p}")
}

fn sheet(path: &Path, name: &str) -> Range<Data> {
    let mut wb = open_workbook_auto(path).expect("the workbook opens");
    wb.worksheet_range(name).expect("the sheet is there")
}

fn names(path: &Path) -> Vec<String> {
    open_workbook_auto(path).expect("opens").sheet_names()
}

fn header(r: &Range<Data>) -> Vec<String> {
    r.rows()
        .next()
        .expect("a header row")
        .iter()
        .map(|c| c.to_string())
        .collect()
}

fn col(r: &Range<Data>, name: &str) -> usize {
    header(r)
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column `{name}` in {:?}", header(r)))
}

/// The meta sheet as key → value.
fn meta(path: &Path) -> BTreeMap<String, Data> {
    sheet(path, "meta")
        .rows()
        .skip(1)
        .map(|r| (r[0].to_string(), r[1].clone()))
        .collect()
}

fn sha256(path: &str) -> String {
    let bytes = std::fs::read(path).expect("read");
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn json(o: &Output) -> serde_json::Value {
    ok(o);
    serde_json::from_slice(&o.stdout).expect("json")
}

#[test]
fn evaluate_writes_results_summary_and_meta_in_english_and_vietnamese() {
    let dir = sandbox("evaluate");
    let data = root("examples/communes.csv");
    let communes = json(&ntm(&dir, &["evaluate", &data, "--format", "json"]));
    let communes = communes["communes"].as_array().expect("communes");
    let rules = json(&ntm(
        &dir,
        &["rules", "show", "ntm-2021-2025", "--format", "json"],
    ));
    let level_name = |id: &str, key: &str| -> String {
        rules["levels"]
            .as_array()
            .expect("levels")
            .iter()
            .find(|l| l["id"] == id)
            .and_then(|l| l[key].as_str())
            .expect("level name")
            .to_string()
    };
    let lines = std::fs::read_to_string(&data)
        .expect("data")
        .lines()
        .count()
        - 1;
    assert_eq!(communes.len(), lines);
    for (lang, sheets, head, name_key, no_level) in [
        (
            "en",
            [
                "results",
                "levels",
                "averages",
                "criteria met",
                "most missed",
                "meta",
            ],
            [
                "#",
                "Code",
                "Commune",
                "District",
                "Province",
                "Zone",
                "Level",
                "Next level",
                "Criteria met",
                "Criteria",
                "What blocks the next level",
            ],
            "name",
            "No level",
        ),
        (
            "vi",
            [
                "kết quả",
                "số xã theo mức",
                "bình quân",
                "phân bố tiêu chí đạt",
                "tiêu chí chưa đạt",
                "meta",
            ],
            [
                "STT",
                "Mã xã",
                "Tên xã",
                "Huyện",
                "Tỉnh",
                "Vùng/nhóm",
                "Mức đạt",
                "Mức tiếp theo",
                "Số tiêu chí đạt",
                "Tổng số tiêu chí",
                "Còn thiếu cho mức tiếp theo",
            ],
            "name_vi",
            "Chưa đạt mức nào",
        ),
    ] {
        let out = dir.join(format!("results-{lang}.xlsx"));
        let o = ntm(
            &dir,
            &[
                "evaluate",
                &data,
                "--format",
                "xlsx",
                "--lang",
                lang,
                "-o",
                &out.to_string_lossy(),
            ],
        );
        ok(&o);
        assert!(o.stdout.is_empty(), "the workbook went to -o, not stdout");
        assert_eq!(names(&out), sheets);
        let results = sheet(&out, sheets[0]);
        assert_eq!(header(&results), head);
        let rows: Vec<&[Data]> = results.rows().skip(1).collect();
        assert_eq!(rows.len(), lines, "one row per input row");
        for (i, (row, c)) in rows.iter().zip(communes).enumerate() {
            // Input order, every row once; numbers as number cells.
            assert_eq!(row[0], Data::Float((i + 1) as f64), "{lang} row {i}");
            assert_eq!(
                row[1],
                Data::String(c["code"].as_str().expect("code").into())
            );
            let level = match c["level"].as_str() {
                Some(id) => level_name(id, name_key),
                None => no_level.to_string(),
            };
            assert_eq!(row[6], Data::String(level), "{lang} row {i}");
            let met = c["criteria_met"].as_u64().expect("met") as f64;
            assert_eq!(row[8], Data::Float(met), "{lang} row {i}");
            let total = c["criteria_total"].as_u64().expect("total") as f64;
            assert_eq!(row[9], Data::Float(total), "{lang} row {i}");
            let missing = c["missing"].as_array().expect("missing");
            match &row[10] {
                Data::String(s) => assert_eq!(s.lines().count(), missing.len()),
                Data::Empty => assert!(missing.is_empty()),
                other => panic!("{other:?}"),
            }
        }
        let levels = sheet(&out, sheets[1]);
        let total = levels.rows().next_back().expect("total row");
        assert_eq!(total[1], Data::Float(lines as f64));
        assert!(
            matches!(total[3], Data::Float(f) if (0.0..=1.0).contains(&f)),
            "a share is a number: {:?}",
            total[3]
        );
        let m = meta(&out);
        assert_eq!(m["ruleset_id"], Data::String("ntm-2021-2025".into()));
        assert_eq!(m["inputs[1].sha256"], Data::String(sha256(&data)));
        assert_eq!(m["communes"], Data::Float(lines as f64));
        assert_eq!(m["year"], Data::Float(2025.0));
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn summary_writes_its_tables_and_meta_with_numbers_as_numbers() {
    let dir = sandbox("summary");
    let (rules, data) = (
        root("tests/fixtures/summary/ruleset.toml"),
        root("tests/fixtures/summary/communes.csv"),
    );
    let targets = root("tests/fixtures/summary/targets.toml");
    let args = [
        "summary",
        "--rules",
        &rules,
        &data,
        "--by",
        "district",
        "--targets",
        &targets,
    ];
    let doc = json(&ntm(&dir, &[&args[..], &["--format", "json"]].concat()));
    for (lang, sheets, communes) in [
        (
            "en",
            vec![
                "levels",
                "averages",
                "criteria met",
                "most missed",
                "targets",
                "rollups",
                "meta",
            ],
            "Communes",
        ),
        (
            "vi",
            vec![
                "số xã theo mức",
                "bình quân",
                "phân bố tiêu chí đạt",
                "tiêu chí chưa đạt",
                "mục tiêu",
                "tổng hợp cấp trên",
                "meta",
            ],
            "Số xã",
        ),
    ] {
        let out = dir.join(format!("summary-{lang}.xlsx"));
        let path = out.to_string_lossy().into_owned();
        let extra = ["--format", "xlsx", "--lang", lang, "-o", &path];
        ok(&ntm(&dir, &[&args[..], &extra[..]].concat()));
        assert_eq!(names(&out), sheets);
        let levels = sheet(&out, sheets[0]);
        let groups = doc["groups"].as_array().expect("groups");
        let rows: Vec<&[Data]> = levels.rows().skip(1).collect();
        assert_eq!(rows.len(), groups.len() + 1, "each group and the total");
        let c = col(&levels, communes);
        for (row, g) in rows.iter().zip(groups.iter().chain([&doc["total"]])) {
            assert_eq!(
                row[c],
                Data::Float(g["communes"].as_u64().expect("n") as f64)
            );
            for (i, l) in g["levels"].as_array().expect("levels").iter().enumerate() {
                let reached = l["reached"].as_u64().expect("reached") as f64;
                assert_eq!(row[c + 1 + 2 * i], Data::Float(reached));
                // 62.2 (%) is the number 0.622 shown as a percentage.
                let share: f64 = l["share"].to_string().parse().expect("share");
                match row[c + 2 + 2 * i] {
                    Data::Float(f) => assert!((f * 100.0 - share).abs() < 1e-9, "{f} {share}"),
                    ref other => panic!("a share as {other:?}"),
                }
            }
        }
        let m = meta(&out);
        assert_eq!(
            m["ruleset_id"],
            doc["meta"]["ruleset_id"]
                .as_str()
                .map_or(Data::Empty, |s| Data::String(s.into()))
        );
        assert_eq!(m["inputs[1].sha256"], Data::String(sha256(&data)));
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn text_from_the_input_that_starts_like_a_formula_arrives_as_text() {
    let dir = sandbox("formula");
    let header = std::fs::read_to_string(root("tests/fixtures/summary/communes.csv"))
        .expect("fixture")
        .lines()
        .next()
        .expect("header")
        .to_string();
    let row = ",Đạt,Đạt,Đạt,Đạt,Đạt,Đạt,Đạt,Đạt,Đạt,Đạt,80,Đạt,Đạt,Đạt,Đạt,Đạt";
    let hostile = "=cmd|' /C calc'!A0";
    let csv = format!(
        "{header}\n\"{hostile}\",@SUM(A1),Hải Dương,RRD,Bắc{row}\n\"+1+2\",-x,Hải Dương,RRD,Bắc{row}\n"
    );
    std::fs::write(dir.join("data.csv"), csv).expect("write");
    let rules = root("tests/fixtures/summary/ruleset.toml");
    ok(&ntm(
        &dir,
        &[
            "evaluate", "--rules", &rules, "data.csv", "--format", "xlsx", "-o", "out.xlsx",
        ],
    ));
    let out = dir.join("out.xlsx");
    let results = sheet(&out, "results");
    let rows: Vec<&[Data]> = results.rows().skip(1).collect();
    assert_eq!(rows[0][2], Data::String(hostile.into()));
    assert_eq!(rows[0][3], Data::String("@SUM(A1)".into()));
    assert_eq!(rows[1][2], Data::String("+1+2".into()));
    let mut wb: Xlsx<_> = calamine::open_workbook(&out).expect("opens");
    let formulas = wb.worksheet_formula("results").expect("formulas");
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    // In the file itself: no formula element, and the cells carry Excel's quote prefix so
    // editing them keeps them text.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).expect("open")).expect("zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").expect("sheet1"),
        &mut xml,
    )
    .expect("read");
    assert!(!xml.contains("<f>") && !xml.contains("<f "), "{xml}");
    let mut styles = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/styles.xml").expect("styles"),
        &mut styles,
    )
    .expect("read");
    assert!(styles.contains("quotePrefix=\"1\""), "{styles}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_failed_run_leaves_the_existing_workbook_as_it_was() {
    let dir = sandbox("atomic");
    let out = dir.join("out.xlsx");
    std::fs::write(&out, b"the workbook of last week").expect("seed");
    let json = dir.join("out.json");
    std::fs::write(&json, b"the JSON of last week").expect("seed");
    // Good rows, then a bad cell: the run fails after communes were rendered.
    std::fs::copy(
        root("tests/fixtures/good-then-bad.csv"),
        dir.join("bad.csv"),
    )
    .expect("copy");
    for args in [
        &["evaluate", "bad.csv", "--format", "xlsx", "-o", "out.xlsx"][..],
        &["evaluate", "bad.csv", "--format", "json", "-o", "out.json"][..],
        &["summary", "bad.csv", "--format", "xlsx", "-o", "out.xlsx"][..],
    ] {
        let o = ntm(&dir, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(
            std::fs::read(&out).expect("read"),
            b"the workbook of last week"
        );
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(
            std::fs::read(&json).expect("read"),
            b"the JSON of last week"
        );
        assert_eq!(
            files,
            ["bad.csv", "out.json", "out.xlsx"],
            "no temporary file is left"
        );
    }
    // -o and --errors-out naming one file: neither is written.
    std::fs::copy(root("examples/communes.csv"), dir.join("good.csv")).expect("copy");
    let o = ntm(
        &dir,
        &[
            "evaluate",
            "good.csv",
            "--format",
            "xlsx",
            "-o",
            "out.xlsx",
            "--errors-out",
            "out.xlsx",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        std::fs::read(&out).expect("read"),
        b"the workbook of last week"
    );
    // A good run replaces it whole.
    ok(&ntm(
        &dir,
        &["evaluate", "good.csv", "--format", "xlsx", "-o", "out.xlsx"],
    ));
    assert_eq!(names(&out)[0], "results");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn to_a_pipe_the_workbook_is_written_to_standard_output() {
    let dir = sandbox("pipe");
    let o = ntm(
        &dir,
        &[
            "evaluate",
            &root("examples/communes.csv"),
            "--format",
            "xlsx",
        ],
    );
    ok(&o);
    assert!(o.stdout.starts_with(b"PK"), "a zip file");
    let mut wb = Xlsx::new(Cursor::new(o.stdout)).expect("a workbook");
    assert_eq!(wb.sheet_names()[0], "results");
    let results = wb.worksheet_range("results").expect("results");
    assert_eq!(results.height(), 13);
    std::fs::remove_dir_all(&dir).ok();
}

/// The parts of a workbook file, as text.
fn part(path: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("open")).expect("zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).expect("part"), &mut xml).expect("read");
    xml
}

#[test]
fn every_sheet_has_a_frozen_filtered_header_fitted_widths_and_level_fills() {
    let dir = sandbox("layout");
    let out = dir.join("out.xlsx");
    ok(&ntm(
        &dir,
        &[
            "evaluate",
            &root("examples/communes.csv"),
            "--format",
            "xlsx",
            "-o",
            &out.to_string_lossy(),
        ],
    ));
    let sheets = names(&out).len();
    for i in 1..=sheets {
        let xml = part(&out, &format!("xl/worksheets/sheet{i}.xml"));
        assert!(
            xml.contains(
                r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
            ),
            "sheet {i}: frozen header"
        );
        assert!(xml.contains("<autoFilter ref=\"A1:"), "sheet {i}: filter");
        // Widths between 6 and 60 characters (plus Excel's padding).
        for w in xml.split("width=\"").skip(1) {
            let w: f64 = w.split('"').next().expect("width").parse().expect("number");
            assert!((8.0..=63.0).contains(&w), "sheet {i}: width {w}");
        }
    }
    // The results: filter over the header and every commune.
    let results = part(&out, "xl/worksheets/sheet1.xml");
    assert!(
        results.contains("<autoFilter ref=\"A1:K13\"/>"),
        "{results}"
    );
    let styles = part(&out, "xl/styles.xml");
    for fill in ["FFFFF2CC", "FFE2EFDA", "FFDDEBF7"] {
        assert!(styles.contains(fill), "a fill per level: {fill}");
    }
    assert!(
        styles.contains(r#"formatCode="0.0%""#),
        "shares as percentages"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn o_writes_any_format_as_standard_output_gets_it() {
    let dir = sandbox("other-formats");
    let data = root("examples/communes.csv");
    for (cmd, format) in [
        ("evaluate", "csv"),
        ("evaluate", "json"),
        ("evaluate", "table"),
        ("summary", "json"),
        ("summary", "table"),
    ] {
        let stdout = ntm(&dir, &[cmd, &data, "--format", format, "--lang", "en"]);
        ok(&stdout);
        let name = format!("{cmd}.{format}");
        let o = ntm(
            &dir,
            &[cmd, &data, "--format", format, "--lang", "en", "-o", &name],
        );
        ok(&o);
        assert!(o.stdout.is_empty(), "{cmd} {format}");
        assert_eq!(
            std::fs::read(dir.join(&name)).expect("written"),
            stdout.stdout,
            "{cmd} {format}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
