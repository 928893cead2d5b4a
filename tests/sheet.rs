//! `ntm rules sheet` → an office fills three official values in the workbook → `ntm rules
//! import` → `evaluate` with the result: exactly the verdicts of those three values change,
//! and they count as verified.
//!
//! The filled workbook is written here as an office's spreadsheet program would leave it:
//! the sheet is read with calamine and written again with rust_xlsxwriter, the entered values
//! as number cells.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, open_workbook_auto};
use rust_xlsxwriter::Workbook;

fn run(args: &[&str]) -> (i32, String, String) {
    use clap::Parser;
    let mut argv = vec!["ntm"];
    argv.extend_from_slice(args);
    let cli = ntm::cli::Cli::try_parse_from(argv).expect("arguments parse");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = match ntm::run(cli, &mut out, &mut err) {
        Ok(code) => code as i32,
        Err(e) => {
            err.extend_from_slice(format!("ntm: error: {e:#}").as_bytes());
            2
        }
    };
    let text = |b: Vec<u8>| String::from_utf8(b).expect("utf-8");
    (code, text(out), text(err))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ntm-sheet-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// The entries of one row: (level, indicator, zone, from) → (value, decision, annex, item, page).
type Fill = (
    (&'static str, &'static str, &'static str),
    f64,
    [&'static str; 4],
);

/// Copy the sheet at `from` to `to`, entering `fills` in the rows they name.
fn fill(from: &Path, to: &Path, fills: &[Fill]) {
    let mut book = open_workbook_auto(from).expect("sheet opens");
    let names = book.sheet_names();
    let mut wb = Workbook::new();
    for name in &names {
        let range = book.worksheet_range(name).expect("sheet");
        let ws = wb.add_worksheet();
        ws.set_name(name).expect("name");
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if let Data::String(t) = cell {
                    ws.write_string(r as u32, c as u16, t).expect("write");
                }
            }
            let key = |i: usize| match row.get(i) {
                Some(Data::String(t)) => t.clone(),
                _ => String::new(),
            };
            for ((level, ind, zone), value, source) in fills {
                if key(0) == *level && key(3) == *ind && key(8) == *zone {
                    ws.write_number(r as u32, 11, *value).expect("value");
                    for (i, part) in source.iter().enumerate() {
                        ws.write_string(r as u32, 12 + i as u16, *part)
                            .expect("source");
                    }
                }
            }
        }
    }
    wb.save(to).expect("save filled sheet");
}

/// (row, level, indicator) → (status, verified, zone) from `evaluate --format long`.
fn verdicts(rules: &str) -> BTreeMap<(String, String, String), (String, String, String)> {
    let (code, out, err) = run(&[
        "evaluate",
        "--rules",
        rules,
        "examples/communes.csv",
        "--format",
        "long",
    ]);
    assert!(code == 0 || code == 1, "{err}");
    let body: String = out
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let mut rdr = csv::Reader::from_reader(body.as_bytes());
    let h = rdr.headers().expect("header").clone();
    let col = |n: &str| h.iter().position(|x| x == n).expect("column");
    let (row, level, ind, status, verified, zone) = (
        col("row"),
        col("level"),
        col("indicator"),
        col("status"),
        col("verified"),
        col("zone"),
    );
    rdr.records()
        .map(|r| {
            let r = r.expect("record");
            (
                (r[row].to_string(), r[level].to_string(), r[ind].to_string()),
                (
                    r[status].to_string(),
                    r[verified].to_string(),
                    r[zone].to_string(),
                ),
            )
        })
        .collect()
}

fn meta_unverified(rules: &str) -> u64 {
    let (_, out, err) = run(&[
        "evaluate",
        "--rules",
        rules,
        "examples/communes.csv",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).expect(&err);
    v["meta"]["unverified_verdicts"].as_u64().expect("count")
}

const FILLS: [Fill; 3] = [
    // 85 → 87: the RRD communes at 86.7 % fail standard 15.1.
    (
        ("standard", "15.1", "RRD"),
        87.0,
        ["QĐ 99/2022/QĐ-UBND", "I", "15.1", "7"],
    ),
    // 70 → 75: Xã Tân Việt (71.4 %) fails advanced 14.d.
    (
        ("advanced", "14.d", "RRD"),
        75.0,
        ["QĐ 99/2022/QĐ-UBND", "II", "14", "12"],
    ),
    // 40 → 45 (decimal entered as 45.0): Xã Hồng Lạc (40.8 %) fails standard 12.1.
    (
        ("standard", "12.1", "RRD"),
        45.0,
        ["QĐ 99/2022/QĐ-UBND", "I", "12.1", "6"],
    ),
];

#[test]
fn sheet_fill_import_evaluate_round_trip() {
    let dir = scratch("round-trip");
    let blank = dir.join("nguong.xlsx");
    let filled = dir.join("nguong-da-dien.xlsx");
    let province = dir.join("tinh.toml");
    let (code, _, err) = run(&["rules", "sheet", "--region", "RRD", "-o", &s(&blank)]);
    assert_eq!(code, 0, "{err}");
    fill(&blank, &filled, &FILLS);
    let import = |out: &Path| {
        run(&[
            "rules",
            "import",
            &s(&filled),
            "-o",
            &s(out),
            "--id",
            "tinh-2021-2025",
            "--name",
            "Province",
            "--name-vi",
            "Tỉnh",
        ])
    };
    let (code, _, err) = import(&province);
    assert_eq!(code, 0, "{err}");
    let written = std::fs::read(&province).expect("written");

    // Re-importing the same sheet gives the same bytes.
    let again = dir.join("tinh-2.toml");
    assert_eq!(import(&again).0, 0);
    assert_eq!(std::fs::read(&again).expect("again"), written);

    // The written file passes `ntm check` and is canonical for `ntm fmt`.
    let (code, _, err) = run(&["check", &s(&province)]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&["fmt", "--check", &s(&province)]);
    assert_eq!(code, 0, "{err}");

    let before = verdicts("ntm-2021-2025");
    let after = verdicts(&s(&province));
    assert_eq!(before.len(), after.len());
    let filled_inds: Vec<(&str, &str)> = FILLS.iter().map(|((l, i, _), _, _)| (*l, *i)).collect();
    let mut changed = std::collections::BTreeSet::new();
    for (key, (status, verified, zone)) in &before {
        let (status2, verified2, _) = &after[key];
        let ours = filled_inds.contains(&(key.1.as_str(), key.2.as_str()));
        if status != status2 {
            assert!(
                ours,
                "{key:?} changed {status} → {status2} but no value of it was entered"
            );
            changed.insert((key.1.clone(), key.2.clone()));
        }
        if ours && zone == "RRD" {
            // Every example commune in the RRD is held to the entered value, now verified.
            assert_eq!(verified2, "true", "{key:?}");
            assert_eq!(verified, "false", "{key:?}");
        } else {
            assert_eq!(verified, verified2, "{key:?}");
        }
    }
    let expected: std::collections::BTreeSet<(String, String)> = filled_inds
        .iter()
        .map(|(l, i)| (l.to_string(), i.to_string()))
        .collect();
    assert_eq!(changed, expected, "each entered value decides some verdict");
    assert!(
        meta_unverified(&s(&province)) <= meta_unverified("ntm-2021-2025"),
        "meta counts verdicts on the entered values as verified"
    );
    let text = String::from_utf8(written).expect("utf-8");
    assert!(text.contains("extends = \"ntm-2021-2025\""), "{text}");
    assert!(
        text.contains("QĐ 99/2022/QĐ-UBND, annex I, item 15.1, p. 7 (RRD)"),
        "{text}"
    );
}

#[test]
fn import_refuses_to_overwrite_its_sheet() {
    let dir = scratch("same-file");
    let blank = dir.join("nguong.xlsx");
    assert_eq!(
        run(&["rules", "sheet", "--region", "RRD", "-o", &s(&blank)]).0,
        0
    );
    let (code, _, err) = run(&["rules", "import", &s(&blank), "-o", &s(&blank)]);
    assert_eq!(code, 2);
    assert!(err.contains("is the same file as the sheet"), "{err}");
}

/// The xlsx sheet: frozen header, protected data sheet with the entry columns unlocked, entry
/// checks on the value column, and the identification sheet hidden.
#[test]
fn xlsx_sheet_is_protected_checked_and_identified() {
    use std::io::Read;
    let dir = scratch("xlsx-parts");
    let path = dir.join("nguong.xlsx");
    assert_eq!(run(&["rules", "sheet", "-o", &s(&path)]).0, 0);
    let file = std::fs::File::open(&path).expect("open");
    let mut zip = zip::ZipArchive::new(file).expect("zip");
    let mut part = |name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .expect(name)
            .read_to_string(&mut text)
            .expect("utf-8");
        text
    };
    let data = part("xl/worksheets/sheet1.xml");
    assert!(data.contains("<sheetProtection"), "data sheet protected");
    assert!(data.contains("state=\"frozen\""), "header frozen");
    assert!(data.contains("<dataValidations"), "entry checks");
    assert!(
        data.contains("sqref=\"L2:L"),
        "checks on the value column (L)"
    );
    let styles = part("xl/styles.xml");
    assert!(styles.contains("locked=\"0\""), "entry columns unlocked");
    let ident = part("xl/worksheets/sheet2.xml");
    assert!(
        ident.contains("<sheetProtection"),
        "identification protected"
    );
    let book = part("xl/workbook.xml");
    assert!(
        book.contains("name=\"ntm\" sheetId=\"2\" state=\"hidden\""),
        "{book}"
    );
}

/// A CSV sheet saved again by a spreadsheet program in a Vietnamese locale: the one-cell first
/// row padded with delimiters, `;` as the delimiter and decimal commas in the reference
/// numbers. It still imports, and the entered value is read exactly.
#[test]
fn csv_sheet_resaved_by_a_spreadsheet_imports() {
    let dir = scratch("resaved");
    let base = dir.join("ruleset.toml");
    std::fs::copy("examples/ruleset.toml", &base).expect("copy");
    let (code, out, err) = run(&[
        "rules",
        "sheet",
        &s(&base),
        "--region",
        "RRD",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let text = out.trim_start_matches('\u{feff}');
    let (first, rest) = text.split_once("\r\n").expect("two lines");
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(rest.as_bytes());
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let mut saw_decimal = false;
    for rec in rdr.records() {
        let mut cells: Vec<String> = rec.expect("record").iter().map(str::to_string).collect();
        if cells[10] == "16.5" {
            cells[10] = "16,5".into();
            saw_decimal = true;
        }
        if cells[3] == "15.3" {
            cells[11] = "15,5".into();
            cells[12] = "QĐ 99/2022/QĐ-UBND".into();
        }
        w.write_record(&cells).expect("write");
    }
    assert!(saw_decimal, "the example has a decimal reference value");
    let body = String::from_utf8(w.into_inner().expect("csv")).expect("utf-8");
    let resaved = dir.join("nguong.csv");
    std::fs::write(&resaved, format!("{first};;;;;;;;\r\n{body}")).expect("write");
    let out_toml = dir.join("tinh.toml");
    let (code, _, err) = run(&[
        "rules",
        "import",
        &s(&resaved),
        "--rules",
        &s(&base),
        "-o",
        &s(&out_toml),
    ]);
    assert_eq!(code, 0, "{err}");
    let written = std::fs::read_to_string(&out_toml).expect("written");
    assert!(written.contains("RRD = 15.5"), "{written}");
    assert!(written.contains("extends = \"ruleset.toml\""), "{written}");
}

/// Without --rules, a sheet naming a ruleset that is not built in is refused: a sheet does
/// not make ntm open a file it names.
#[test]
fn a_sheet_naming_a_file_needs_rules() {
    let dir = scratch("names-a-file");
    let sheet = dir.join("nguong.csv");
    let (_, out, _) = run(&[
        "rules",
        "sheet",
        "examples/ruleset.toml",
        "--region",
        "RRD",
        "--format",
        "csv",
    ]);
    let out = out.replace("ruleset=example-2021-2025", "ruleset=/etc/passwd");
    std::fs::write(&sheet, out).expect("write");
    let (code, _, err) = run(&["rules", "import", &s(&sheet), "-o", &s(&dir.join("x.toml"))]);
    assert_eq!(code, 2);
    assert!(err.contains("which is not built in"), "{err}");
}
